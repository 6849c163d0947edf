#!/bin/sh
# shellcheck shell=dash
# Run by the adversarial section as root of an unprivileged user namespace
# (tests/integration/tools/userns-run: uid 65534, new user and network
# namespaces): every mutating op must fail with EPERM (mnctl exits 1);
# reads work and find no state. Usage: adv-userns.sh HWKEY
IP=/sbin/ip
key=$1 fail=0

# eperm CMD...: CMD must exit 1 (EPERM)
eperm() {
	local rc=0 err
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" -ne 1 ]; then
		echo "want EPERM (1), got $rc: $* ($err)"
		fail=1
	fi
}

echo "uid map: $(cat /proc/self/uid_map)"
$IP link add u0 type dummy || { echo "cannot create a dummy link"; exit 1; }
eperm mnctl link-set dev u0 up mtu 1400
eperm mnctl link-set hwkey "$key" mtu 1300
eperm mnctl addr-add dev u0 10.66.0.1/24
eperm mnctl addr-add hwkey "$key" 10.66.0.2/24
eperm mnctl addr-del dev u0 10.66.0.1/24
eperm mnctl route-add dev u0 -4 10.67.0.0/16
eperm mnctl route-add hwkey "$key" -4 10.68.0.0/16
eperm mnctl route-del dev u0 -4 10.67.0.0/16
eperm mnctl route-flush dev u0
eperm mnctl neigh-add dev u0 10.66.0.9 02:00:00:00:00:09
eperm mnctl neigh-del dev u0 10.66.0.9
eperm mnctl rule-add -4 table 4100 prio 4100
eperm mnctl rule-del -4 table 4100 prio 4100
eperm mnctl conf-set dev u0 ipv4-rp-filter 0
eperm mnctl iface-del dev u0
eperm mnctl iface-del hwkey "$key"
# The monitor group admits CAP_NET_ADMIN over the namespace's owner
# (GENL_MCAST_CAP_NET_ADMIN), which this root has in its own namespace;
# no request of its own made state there, so there is nothing to see.
[ -z "$(mnctl dump)" ] || { echo "state in the user namespace's netns"; fail=1; }
# reads
for read in "dump" "rules" "get dev u0"; do
	# shellcheck disable=SC2086 # words of the command
	mnctl $read >/dev/null || { echo "read refused: mnctl $read"; fail=1; }
done
# nothing reached the kernel
$IP -j link show u0 | jq -e '.[0].mtu == 1500 and
	(.[0].flags | index("UP") == null)' >/dev/null ||
	{ echo "u0 changed: $($IP -j link show u0)"; fail=1; }
$IP -j addr show dev u0 |
	jq -e '.[0].addr_info | map(select(.local == "10.66.0.1")) | length == 0' >/dev/null ||
	{ echo "u0 got an address: $($IP -j addr show dev u0)"; fail=1; }
$IP -j rule show | jq -e 'map(select(.table == "4100")) | length == 0' >/dev/null ||
	{ echo "rule 4100 added"; fail=1; }
exit $fail
