# The host side of one timeline step, compact: jq -r --argjson i STEP
# -f host-table.jq TIMELINE. One line per interface, address, route and
# the DNS settings, as the Windows host sees them.
def origin:
  {"routeradvertisement": "ra", "linklayeraddress": "ll", "wellknown": "wk"}[.] // .;
def addr:
  "  \(.address)/\(.prefixLength)  \(.prefixOrigin | origin)/\(.suffixOrigin | origin)"
  + (if .dadState != "preferred" then "  \(.dadState)" else "" end);
def hop: if . == "0.0.0.0" or . == "::" then "on-link" else "via \(.)" end;
def route: "  \(.destination) \(.nextHop | hop) metric \(.metric)";
def fam: "\(.mtu // "-")/\(.metric // "-")";

.timeline[$i].snapshot
| "HOST: the snapshot of step \($i + 1)",
  (if .hostAddressLoopback then "hostAddressLoopback on" else empty end),
  (.interfaces[]
   | "\(.name)\(if .gelnic then " (GELNIC)" else "" end): "
     + (if .connected then "connected" else "disconnected" end)
     + ", MTU/metric v4 \(.ipv4 | fam) v6 \(.ipv6 | fam)",
     (.addresses[] | addr),
     (.routes[] | route)),
  (.dns // empty
   | "dns: \(.servers | join(" "))",
     "search: \(.suffixes // [] | join(" "))")
