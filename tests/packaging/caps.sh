#!/bin/bash
# The unit's capabilities, on this machine: the helper run with exactly the
# CapabilityBoundingSet= of packaging/mirrornet.service.in (setpriv, in a
# network namespace of its own) serves a host's session that needs each
# kind of privilege it uses: SetupIpv6's sysctls, GlobalNetFilter's and
# InterfaceNetFilter's nftables and rules, resolv.conf, the connectivity
# probe, DNS tunneling on port 53. Then each capability is taken away in
# turn, and what needs it fails: every one of them is needed.
# Usage: tests/packaging/caps.sh   (last line "caps: P passed, F failed")
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${MN_OUT:-$top/build/packaging-caps}
# shellcheck source-path=SCRIPTDIR source=../hostsim/lib.sh
. "$top/tests/hostsim/lib.sh"
hostsim_setup caps

# the unit's capabilities, as setpriv names them: CAP_NET_ADMIN -> net_admin
read -ra unit_caps < <(sed -n 's/^CapabilityBoundingSet=//p' "$top/packaging/mirrornet.service.in" |
	tr '[:upper:]' '[:lower:]' | sed 's/cap_//g')


# run NAME CAP...: the session with the helper's capabilities limited to
# CAP... (setpriv's bounding and inheritable sets; uid 0 gets the bounding
# set at exec); in $out/NAME: host.out, helper.log, check.out
run() {
	local name=$1 dir=$out/$1 set=-all
	shift
	for c; do set+=",+$c"; done
	mkdir -p "$dir"
	printf 'nameserver 192.0.2.99\n' >"$dir/resolv.conf"
	cat >"$dir/host.gns" <<-EOF
		send SetupIpv6 any {}
		send GlobalNetFilter any
		exec ip link add eth3 type veth peer name peer3
		send InterfaceNetFilter any {"ephemeralPortRangeEnd":53247,"ephemeralPortRangeStart":49152,"operation":"Create","targetDeviceName":"eth3"}
		send DeviceSetting any {"RequestType":"Update","ResourceType":"DNS","Settings":{"Domain":"","Options":"","Search":"caps.example","ServerList":"192.0.2.1"},"targetDeviceName":"eth3"}
		send ConnectTest any www.msftconnecttest.com
		exec sh -c "nft -j list ruleset >$dir/nft.json; cat /proc/sys/net/ipv6/conf/default/accept_ra >$dir/accept_ra; ss -Hlnu >$dir/listening"
	EOF
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -n sh -c 'ip link set lo up &&
		{ setpriv --bounding-set "$3" --inh-caps "$3" "$1" --unix "$2/host.sock" \
			--dns 10.255.255.254 "$4" --resolv-conf "$2/resolv.conf" 2>"$2/helper.log" & } &&
		timeout 60 "$5" --listen "unix:$2/host.sock" --timeout-ms 10000 "$2/host.gns"
		rc=$?; wait; exit $rc' sh "$mini_init" "$dir" "$set" "$helper" "$gns_host" \
		>"$dir/host.out" 2>&1
	echo $? >"$dir/host.rc"
}

run unit "${unit_caps[@]}"
for c in "${unit_caps[@]}"; do
	rest=()
	for k in "${unit_caps[@]}"; do [[ $k == "$c" ]] || rest+=("$k"); done
	run "without-$c" "${rest[@]}"
done

# what a session in $out/NAME did: the replies, the tunnel, the files
replied() { grep -qE "^ok [0-9]+ - [0-9]+: $2 -> $3 " "$out/$1/host.out"; }
tunnel_up() { grep -q 'DNS tunnel: serving 10.255.255.254:53' "$out/$1/helper.log"; }

t_unit_caps() {
	local d=$out/unit
	cat "$d/host.out" "$d/helper.log"
	[[ $(cat "$d/host.rc") == 0 ]]
	replied unit SetupIpv6 0
	replied unit GlobalNetFilter 0
	replied unit InterfaceNetFilter 0
	replied unit DeviceSetting 0
	# the probe answers (no network here: both families fail to resolve)
	replied unit ConnectTest 131074
	[[ $(cat "$d/accept_ra") == 0 ]]
	jq -e '[.nftables[] | select(.rule) | .rule | tostring | select(contains("eth3"))] | length > 0' "$d/nft.json"
	grep -qx 'nameserver 192.0.2.1' "$d/resolv.conf"
	tunnel_up unit
	grep -q '10.255.255.254:53' "$d/listening"
}

t_needs_net_admin() {
	cat "$out/without-net_admin/host.out"
	replied without-net_admin GlobalNetFilter -1
	replied without-net_admin InterfaceNetFilter -1
}

t_needs_net_bind_service() {
	cat "$out/without-net_bind_service/helper.log"
	replied without-net_bind_service GlobalNetFilter 0
	if tunnel_up without-net_bind_service; then return 1; fi
	grep -q 'DNS tunneling off: cannot listen on 10.255.255.254:53: Permission denied' \
		"$out/without-net_bind_service/helper.log"
}

check() {
	local rc=0
	(set -e; "$2") >"$out/test.log" 2>&1 || rc=$?
	tap_result "$rc" "$1" "$out/test.log"
}

check "caps: with the unit's capabilities (${unit_caps[*]}) a session's every request works" t_unit_caps
for c in "${unit_caps[@]}"; do
	if declare -F "t_needs_$c" >/dev/null; then
		check "caps: without $c what needs it fails" "t_needs_$c"
	else
		tap_result 1 "caps: a test of what needs $c"
	fi
done
tap_summary caps
