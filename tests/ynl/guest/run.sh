#!/bin/sh
# shellcheck shell=dash
# The kernel's ynl CLI against mirrornet.ko inside the test VM (busybox sh).
# Python is the host's, from its root file system mounted read-only over
# virtio-9p at /host; the CLI runs there under chroot (netlink sockets do
# not care). The run's paths come from the kernel command line:
# MN_YNL_CLI (cli.py), MN_YNL_SPEC (mirrornet.yaml), MN_YNL_SCHEMA (the
# genetlink schema the spec is validated against). Prints TAP.
# shellcheck source-path=SCRIPTDIR source=../../vm/guest/tap.sh
. /tests/lib/tap.sh

MOD=/lib/mirrornet/mirrornet.ko
HOST=/host
NTF_OUT=/tmp/ntf.json
# Python under TCG reading its modules over 9p takes seconds per start
TAP_TIMEOUT=180

# ynl_cli ARGS...: the CLI on this run's spec
ynl_cli() {
	PYTHONDONTWRITEBYTECODE=1 chroot $HOST /usr/bin/python3 "$MN_YNL_CLI" \
		--spec "$MN_YNL_SPEC" "$@"
}

# ynl ARGS...: the CLI with JSON output; t_list_ops validates the spec
# against the schema once, which would cost every other start seconds
ynl() {
	ynl_cli --no-schema --output-json "$@"
}

# assert CMD...: must succeed, else say what was checked
assert() {
	"$@" || { echo "assertion failed: $*"; return 1; }
}

# jq_file FILTER FILE: FILTER must print true on the JSON in FILE
jq_file() {
	[ "$(jq -e "$1" "$2")" = true ] ||
		{ echo "jq '$1' not true on:"; cat "$2"; return 1; }
}

ifindex_of() { $IP -j link show dev "$1" | jq '.[0].ifindex'; }

t_host_root() {
	mkdir -p $HOST
	# loose caching: every CLI start reads the same few hundred files
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro \
		hostroot $HOST
	chroot $HOST /usr/bin/python3 -c 'import yaml, jsonschema'
	for f in "$MN_YNL_CLI" "$MN_YNL_SPEC" "$MN_YNL_SCHEMA"; do
		assert [ -r "$HOST$f" ]
	done
}

t_load() {
	insmod $MOD
	grep -q '^mirrornet ' /proc/modules
	$IP link add d0 type dummy
}

# the schema accepts the spec and the CLI resolves the family and its ops
t_list_ops() {
	ynl_cli --schema "$MN_YNL_SCHEMA" --list-ops >/tmp/ops
	cat /tmp/ops
	grep -qx 'link-set  \[ do \]' /tmp/ops
	# the CLI keeps an op's modes in a set: either order
	grep -qxE 'iface-get  \[ (do, dump|dump, do) \]' /tmp/ops
	grep -qx 'rule-get  \[ dump \]' /tmp/ops
}

t_do_link_set() {
	local idx
	idx=$(ifindex_of d0)
	ynl --do link-set --json '{"ifname": "d0", "link": {"admin": "up", "mtu": 1400}}' \
		>/tmp/reply
	jq_file ". == {\"ifindex\": $idx, \"state\": \"present\"}" /tmp/reply
	jq_true '.[0].mtu == 1400 and (.[0].flags | index("UP") != null)' \
		"$IP" -j link show dev d0
}

t_do_addr_new() {
	# 192.0.2.10/24, and 2001:db8::5/64 with the nodad flag by name
	ynl --do addr-new --json '{"ifname": "d0",
		"addr": {"family": "inet", "address": "c000020a", "prefixlen": 24}}' \
		>/tmp/reply
	jq_file '.state == "present"' /tmp/reply
	ynl --do addr-new --json '{"ifname": "d0",
		"addr": {"family": "inet6", "address": "20010db8000000000000000000000005",
			"prefixlen": 64, "flags": ["nodad"]}}' >/tmp/reply
	jq_file '.state == "present"' /tmp/reply
	jq_true '.[0].addr_info | map(select(.local == "192.0.2.10" and .prefixlen == 24))
		| length == 1' "$IP" -j -4 addr show dev d0
	jq_true '.[0].addr_info | map(select(.local == "2001:db8::5" and .prefixlen == 64
		and .nodad == true)) | length == 1' "$IP" -j -6 addr show dev d0
}

t_do_route_new() {
	# 198.51.100.0/24 via 192.0.2.1 metric 7
	ynl --do route-new --json '{"ifname": "d0", "route": {"family": "inet",
		"dst": "c6336400", "dst-len": 24, "gateway": "c0000201", "metric": 7}}' \
		>/tmp/reply
	jq_file '.state == "present"' /tmp/reply
	jq_true 'map(select(.dst == "198.51.100.0/24" and .gateway == "192.0.2.1"
		and .metric == 7)) | length == 1' "$IP" -j route show dev d0
}

# the goal state put in above, one message for d0, nothing else tracked
t_dump() {
	local idx
	idx=$(ifindex_of d0)
	ynl --dump iface-get >/tmp/dump
	cat /tmp/dump
	jq_file "length == 1 and .[0].ifindex == $idx and .[0].ifname == \"d0\"
		and .[0].state == \"present\"" /tmp/dump
	jq_file '.[0].link == {"admin": "up", "mtu": 1400}' /tmp/dump
	jq_file '.[0].addr | length == 2' /tmp/dump
	jq_file '.[0].addr | map(select(.family == "inet" and .address == "c000020a"
		and .prefixlen == 24)) | length == 1' /tmp/dump
	jq_file '.[0].addr | map(select(.family == "inet6"
		and .address == "20010db8000000000000000000000005"
		and .prefixlen == 64 and .flags == ["nodad"])) | length == 1' /tmp/dump
	# table main and type unicast: the defaults the module filled in
	jq_file '.[0].route == [{"family": "inet", "dst": "c6336400", "dst-len": 24,
		"gateway": "c0000201", "metric": 7, "table": 254, "type": 1,
		"flags": []}]' /tmp/dump
	jq_file '.[0].stats == {"repairs": 0, "apply-errors": 0}' /tmp/dump
}

# a do of iface-get answers what the dump holds for that interface
t_do_get() {
	ynl --do iface-get --json '{"ifname": "d0"}' >/tmp/get
	ynl --dump iface-get >/tmp/dump
	[ "$(jq -S . /tmp/get)" = "$(jq -S '.[0]' /tmp/dump)" ] ||
		{ echo "do:"; cat /tmp/get; echo "dump:"; cat /tmp/dump; return 1; }
}

# the module's errno and extack message come through the CLI
t_do_error() {
	local rc=0
	ynl --do iface-get --json '{"ifname": "nosuch0"}' >/tmp/err 2>&1 || rc=$?
	cat /tmp/err
	assert [ "$rc" -eq 1 ]
	grep -q '^Netlink error: No such device' /tmp/err
	grep -q "'msg': 'no such interface'" /tmp/err
}

# cli_sleeping: the one python3 (the CLI) is in its --sleep, which it
# enters only after joining the group (clock_nanosleep is syscall 230 on
# x86_64)
cli_sleeping() {
	local pid nr
	pid=$(pidof python3) && read -r nr _ <"/proc/$pid/syscall" && [ "$nr" = 230 ]
}

# wait_cli_sleeping SECONDS JOB: until the CLI started as JOB sleeps; polls
# once a second, not wait_for's 20 times: each poll forks, and the CLI
# starting meanwhile needs the one CPU
wait_cli_sleeping() {
	local n=$1
	while ! cli_sleeping; do
		[ -d "/proc/$2" ] ||
			{ echo "the CLI exited before its --sleep:"; cat $NTF_OUT; return 1; }
		n=$((n - 1))
		[ "$n" -gt 0 ] || { echo "the CLI never reached its --sleep"; return 1; }
		sleep 1
	done
}

# a link flap flushes d0's IPv6 address and its route; the module restores
# both and multicasts one repair-ntf per kind of object
t_subscribe() {
	local idx cli rc=0
	idx=$(ifindex_of d0)
	ynl --subscribe monitor --sleep 10 >$NTF_OUT 2>&1 &
	cli=$!
	wait_cli_sleeping 120 $cli
	$IP link set d0 down
	assert [ "$($IP -j route show dev d0 | jq length)" -eq 0 ]
	$IP link set d0 up
	wait_for 5 sh -c "$IP -j route show dev d0 | jq -e 'map(select(.dst ==
		\"198.51.100.0/24\")) | length == 1'"
	wait $cli || rc=$?
	cat $NTF_OUT
	assert [ "$rc" -eq 0 ]
	# exactly these two (sorted by object name: the CLI keeps arrival order)
	jq_file "sort_by(.msg.object) == [
		{\"name\": \"repair-ntf\", \"msg\": {\"ifindex\": $idx, \"ifname\": \"d0\",
			\"state\": \"present\", \"object\": \"addr\", \"count\": 1}},
		{\"name\": \"repair-ntf\", \"msg\": {\"ifindex\": $idx, \"ifname\": \"d0\",
			\"state\": \"present\", \"object\": \"route\", \"count\": 1}}]" $NTF_OUT
	ynl --dump iface-get >/tmp/dump
	jq_file '.[0].stats.repairs == 2' /tmp/dump
}

tap_plan_later
run_test "host root over 9p: python3 with yaml and jsonschema" t_host_root
run_test "insmod mirrornet.ko, dummy d0" t_load
run_test "ynl --list-ops: the spec validates, the family resolves" t_list_ops
run_test "ynl --do link-set: reply and ip -j link" t_do_link_set
run_test "ynl --do addr-new: IPv4, IPv6 with flags by name, ip -j addr" t_do_addr_new
run_test "ynl --do route-new: reply and ip -j route" t_do_route_new
run_test "ynl --dump iface-get: the goal state put in" t_dump
run_test "ynl --do iface-get equals its dump entry" t_do_get
run_test "ynl --do error: errno and extack" t_do_error
run_test "ynl --subscribe monitor: repair-ntf after a link flap" t_subscribe
tap_finish
