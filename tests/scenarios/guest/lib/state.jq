# Compare the guest's real state with a scenario step's "expect" object.
# Run by check-state (jq -n -r -f): --slurpfile expect, --slurpfile link,
# addr, route4, route6, rule, neigh, nft (the outputs of `ip -j`, with -d
# for routes and rules, and `nft -j`), --rawfile resolv, --rawfile sysctl
# ("key=value" lines).
# Prints one line per difference; nothing when the state is as expected.
# Each object is reduced to one line in iproute2's own words, so that a
# difference reads like `ip` output; lists are compared as sets.

# text is only evaluated when cond holds (a filter argument, not a $ one)
def flag(cond; text): if cond then " " + text else "" end;

def addr_line:
  "\(.local)/\(.prefixlen)"
  + flag(.scope != "global"; "scope \(.scope)")
  + flag(.deprecated; "deprecated")
  + flag(.tentative; "tentative")
  + flag(.dadfailed; "dadfailed")
  + flag(.nodad; "nodad")
  + flag(.noprefixroute; "noprefixroute");

# iproute2 leaves out an IPv4 metric of 0. The dumps are detailed (ip -d):
# every route and rule has a protocol, and any but kernel (which the
# module's and the kernel's own carry) is shown, so it never matches.
def proto_flag: flag(.protocol != "kernel"; "proto \(.protocol)");

def route_line:
  "\(.dst)"
  + flag(.gateway; "via \(.gateway)")
  + " dev \(.dev)"
  + flag(.metric; "metric \(.metric)")
  + flag((.flags // []) | index("onlink"); "onlink")
  + flag(.prefsrc; "src \(.prefsrc)")
  + proto_flag;

# without /etc/protocols (the guest image) iproute2 prints "ipproto-6"
def protocol_name: {"ipproto-6": "tcp", "ipproto-17": "udp"}[.] // .;

def rule_line:
  "\(.priority): from \(.src)" + flag(.srclen; "/\(.srclen)")
  + flag(.iif; "iif \(.iif)")
  + flag(.ipproto; "ipproto \(.ipproto | protocol_name)")
  + " lookup \(.table)"
  + proto_flag;

def neigh_line: "\(.dst) dev \(.dev) lladdr \(.lladdr)";

# a WSLPOSTROUTING masquerade rule of the helper's InterfaceNetFilter
def nft_line:
  [.expr[] | .match? // empty] as $m
  | ([$m[] | select(.left.meta.key? == "oif") | .right] | first // "?") as $oif
  | ([$m[] | .left.payload.protocol? // empty] | first // "?") as $proto
  | ([.expr[] | .masquerade? // empty | .port.range? // empty] | first
     | if . then ":\(.[0])-\(.[1])" else "?" end) as $to
  | "\(.family) oif \($oif) \($proto) masquerade to \($to)";

def compare($what; $want; $got):
  ($want | sort) as $w | ($got | sort) as $g
  | if $w == $g then empty
    else "\($what): missing \($w - $g), unexpected \($g - $w)"
    end;

def links: $link[0];

$expect[0] as $step
|
def link_of($dev): [links[] | select(.ifname == $dev)] | first;

($step.links // {} | to_entries[]
  | .key as $dev | .value as $want | link_of($dev) as $l
  | if $want == null then
      (if $l then "link \($dev): exists, expected absent" else empty end)
    elif $l == null then "link \($dev): absent"
    else
      ({up: (($l.flags // []) | index("UP") != null), mtu: $l.mtu}) as $got
      | ($want | keys[]) as $k
      | if $want[$k] == $got[$k] then empty
        else "link \($dev): \($k) is \($got[$k]), expected \($want[$k])"
        end
    end),
($step.addresses // {} | to_entries[]
  | .key as $dev
  | [$addr[0][] | select(.ifname == $dev)] as $l
  | if ($l | length) == 0 then "addresses \($dev): no such link"
    else compare("addresses \($dev)"; .value; [$l[0].addr_info[] | addr_line])
    end),
(["4", $route4[0], $step.routes4], ["6", $route6[0], $step.routes6]
  | .[0] as $fam | .[1] as $routes
  | (.[2] // {}) | to_entries[]
  | .key as $table
  | compare("IPv\($fam) routes in table \($table)"; .value;
      [$routes[] | select((.table // "main") == $table and .dev != "lo")
       | route_line])),
(if $step.rules4 then
   compare("IPv4 rules"; $step.rules4; [$rule[0][] | rule_line])
 else empty end),
(if $step.neighbours then
   compare("permanent neighbours"; $step.neighbours;
     [$neigh[0][] | select(.lladdr) | neigh_line])
 else empty end),
(if $step.nft then
   compare("nft WSLPOSTROUTING rules"; $step.nft;
     [$nft[0].nftables[] | .rule? // empty
      | select(.chain == "WSLPOSTROUTING") | nft_line])
 else empty end),
(if $step.resolv then
   compare("resolv.conf lines"; $step.resolv;
     [$resolv | split("\n")[] | select(length > 0 and (startswith("#") | not))])
 else empty end),
($step.sysctl // {} | to_entries[]
  | .key as $k | .value as $want
  | ([$sysctl | split("\n")[] | select(startswith($k + "="))] | first
     | if . then .[($k | length) + 1:] else "(unreadable)" end) as $got
  | if $got == $want then empty
    else "sysctl \($k) is \($got), expected \($want)"
    end)
