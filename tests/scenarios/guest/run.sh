#!/bin/sh
# shellcheck shell=dash
# Scenario runner inside the test VM (busybox sh). For each timeline in
# /tests/scenarios: a fresh mirrornet.ko, the host engine mirrornet-host
# playing the timeline over vsock_loopback to a fresh `mirrornet serve`,
# and after each step the guest's real state compared with the step's
# "expect" (lib/check-state). NICs are dummies whose alias is the
# interface GUID, hot-added once the host has announced them and
# hot-removed once the host has taken their rules away, as the host's HCS
# would. Prints TAP. mn.scenarios=a,b on the kernel command line picks
# scenarios by name.
. /tests/lib/tap.sh

MOD=/lib/mirrornet/mirrornet.ko
DIR=/tests/scenarios
LIB=/tests/lib
SERVE_LOG=/tmp/serve.log
HOST_LOG=/tmp/host.log
# bounded waits, in seconds: the engine's end of a step (a NIC the helper
# waits for: up to its 30 s lookup timeout), the state after it, a NIC
# event, the engine's exit
STEP_WAIT=${MN_STEP_WAIT:-60}
STATE_WAIT=20
NIC_WAIT=30
HOST_WAIT=60
# a hot-added NIC appears this long after the host announced it, so that
# the helper waits for it and the module holds its configuration
HOTADD_DELAY_US=1000000
# run_test (tap.sh) kills a test after TAP_TIMEOUT seconds
export TAP_TIMEOUT=$((STEP_WAIT + STATE_WAIT + 40))

# scen_jq [OPTIONS]... FILTER: jq -r on the current scenario file
scen_jq() { jq -r "$@" "$FILE"; }

# nic_name GUID: the dummy's name before the helper renames it
nic_name() {
	scen_jq --arg g "$1" \
		'[.timeline[].snapshot.interfaces[].guid] | unique | index($g) | "nic\(.)"'
}

# link_by_alias GUID: the current name of the NIC with that hardware key
link_by_alias() {
	$IP -j link show | jq -r --arg g "$1" '.[] | select(.ifalias == $g) | .ifname'
}

# step_guids N: GUIDs in step N's snapshot (0-based; none for -1)
step_guids() {
	[ "$1" -ge 0 ] || return 0
	scen_jq --argjson n "$1" '.timeline[$n].snapshot.interfaces[].guid'
}

# hotadd_when_announced GUID: once the helper's log names the GUID (its
# requests answered 0 are logged with --verbose), wait a little and create
# the NIC (in the background; the step's state check is what waits for it)
hotadd_when_announced() {
	local guid=$1 name
	name=$(nic_name "$guid")
	(
		wait_for "$NIC_WAIT" grep -qi "$guid" "$SERVE_LOG" || exit 1
		usleep "$HOTADD_DELAY_US"
		"$LIB/hotadd" "$name" "$guid"
	) >>/tmp/nic-events.log 2>&1 &
	echo $! >>/tmp/watchers
}

# has_nft_rules IFNAME: a WSLPOSTROUTING rule still names it
has_nft_rules() {
	nft -j list ruleset | jq -e --arg d "$1" '[.nftables[] | .rule? // empty
		| select(.chain == "WSLPOSTROUTING") | .expr[] | .match? // empty
		| select(.left.meta.key? == "oif" and .right == $d)] | length > 0' \
		>/dev/null
}

# hotremove_when_released GUID: once the host removed the NIC's rules
# (InterfaceNetFilter Remove, before its NoOp barrier), delete the NIC
hotremove_when_released() {
	local guid=$1 name
	name=$(link_by_alias "$guid")
	[ -n "$name" ] || { echo "no NIC with alias $guid to remove"; return 1; }
	(
		n=$((NIC_WAIT * 10))
		while has_nft_rules "$name" && [ $n -gt 0 ]; do
			usleep 100000
			n=$((n - 1))
		done
		[ $n -gt 0 ] || { echo "$name: the host never removed its rules"; exit 1; }
		$IP link del "$name"
	) >>/tmp/nic-events.log 2>&1 &
	echo $! >>/tmp/watchers
}

# wait_state SECONDS EXPECT: poll until the state matches, else show why
wait_state() {
	local deadline=$(($(date +%s) + $1))
	while ! "$LIB/check-state" "$2" >/tmp/state.diff 2>&1; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "the guest state differs from the step's expect:"
			cat /tmp/state.diff
			logs
			return 1
		fi
		usleep 200000
	done
}

logs() {
	echo "--- NIC events"
	cat /tmp/nic-events.log 2>/dev/null
	echo "--- mirrornet-host: requests the guest refused (count, request => reply)"
	awk '/^mirrornet-host: -> / { req = substr($0, 20); next }
		/^mirrornet-host: <- [A-Za-z]+ -/ { print req " => " substr($0, 20) }' \
		"$HOST_LOG" | sort | uniq -c
	echo "--- mirrornet-host (last lines)"
	tail -n 8 "$HOST_LOG"
	echo "--- mirrornet serve (last lines)"
	tail -n 25 "$SERVE_LOG"
}

stop_pid() {
	local n=50
	kill "$1" 2>/dev/null || return 0
	while kill -0 "$1" 2>/dev/null && [ $n -gt 0 ]; do
		usleep 100000
		n=$((n - 1))
	done
	kill -KILL "$1" 2>/dev/null || true
}

# A fresh module and helper; the engine listens first so that the helper's
# first connection attempt finds it.
t_start() {
	insmod $MOD
	: >/tmp/watchers
	: >/tmp/nic-events.log
	rm -f /etc/resolv.conf
	rm -f /tmp/host.rc /tmp/host.pid
	# the engine is stopped and continued by pid; a subshell keeps its
	# exit status for t_host_done
	(
		mirrornet-host --listen "vsock:$PORT" --verbose "$FILE" \
			>"$HOST_LOG" 2>&1 </dev/null &
		echo $! >/tmp/host.pid
		rc=0
		wait $! || rc=$?
		echo $rc >/tmp/host.rc
	) &
	wait_for 10 host_marker "listening on " || { logs; return 1; }
	mirrornet serve --vsock "1:$PORT" --verbose >"$SERVE_LOG" 2>&1 </dev/null &
	echo $! >/tmp/serve.pid
	wait_for 10 grep -q "connected to vsock" "$SERVE_LOG" || { logs; return 1; }
}

# host_marker ERE: the engine's log (--verbose) has such a line
host_marker() { grep -qE "^mirrornet-host: $1" "$HOST_LOG"; }

# The engine marks the end of each step; it is stopped (SIGSTOP) there,
# in its wait before the next step, so that the state is checked with no
# request in flight, and continued when the next test begins.
host_continue() { kill -CONT "$(cat /tmp/host.pid)" 2>/dev/null || true; }

t_step() {
	local guid n=$((STEP + 1))
	host_continue
	jq ".timeline[$STEP].expect" "$FILE" >/tmp/expect.json
	for guid in $(step_guids "$STEP"); do
		step_guids $((STEP - 1)) | grep -qx "$guid" || hotadd_when_announced "$guid"
	done
	for guid in $(step_guids $((STEP - 1))); do
		step_guids "$STEP" | grep -qx "$guid" || hotremove_when_released "$guid"
	done
	wait_for "$STEP_WAIT" host_marker "step $n: (no )?goal state" || { logs; return 1; }
	kill -STOP "$(cat /tmp/host.pid)" 2>/dev/null || true
	grep "^mirrornet-host: step $n: " "$HOST_LOG" | tail -n 1
	wait_state "$STATE_WAIT" /tmp/expect.json
}

# The kernel flushes routes (and IPv6 addresses) of a link that goes
# down; the module puts them back by itself: the host sends nothing.
t_flap() {
	local dev
	for dev in $(jq -r '.flap[]' /tmp/expect.json); do
		$IP link set "$dev" down
		$IP link set "$dev" up
	done
	wait_state "$STATE_WAIT" /tmp/expect.json
	for dev in $(jq -r '.flap[]' /tmp/expect.json); do
		mirrornet show "$dev" | grep -q 'repairs [1-9]' ||
			{ echo "no repair counted on $dev:"; mirrornet show "$dev"; return 1; }
	done
}

# The engine exits 0 once every step reached its goal state.
t_host_done() {
	host_continue
	wait_for "$HOST_WAIT" test -s /tmp/host.rc || { echo "mirrornet-host still running"; logs; return 1; }
	grep '^mirrornet-host: [0-9]* messages' "$HOST_LOG"
	[ "$(cat /tmp/host.rc)" -eq 0 ] ||
		{ echo "mirrornet-host exit status $(cat /tmp/host.rc)"; logs; return 1; }
	kill -0 "$(cat /tmp/serve.pid)" || { echo "mirrornet serve has exited"; logs; return 1; }
}

# Back to a guest with no mirrored state: no helper, engine, NICs, rules,
# nftables tables, tables 127/128 or module.
cleanup() {
	local pid dev
	host_continue
	for pid in $(cat /tmp/watchers /tmp/host.pid /tmp/serve.pid 2>/dev/null); do
		stop_pid "$pid"
	done
	for dev in $($IP -j -d link show type dummy | jq -r '.[].ifname'); do
		$IP link del "$dev"
	done
	nft flush ruleset
	# flush keeps priority 0; a delete by priority alone takes any rule
	while $IP -4 rule del priority 0 2>/dev/null; do :; done
	$IP -4 rule flush
	# the kernel's own defaults are proto kernel, like the module's rules
	$IP -4 rule add priority 0 lookup local protocol kernel
	$IP -4 rule add priority 32766 lookup main protocol kernel
	$IP -4 rule add priority 32767 lookup default protocol kernel
	$IP -4 route flush table 127 2>/dev/null || true
	$IP -4 route flush table 128 2>/dev/null || true
	rm -f /etc/resolv.conf
	rmmod mirrornet
}

t_clean() {
	cleanup
	jq_true 'length == 3 and all(.protocol == "kernel")' $IP -j -d -4 rule show
	! grep -q '^mirrornet ' /proc/modules
}

tap_plan_later
names=$(echo "${MN_SCENARIOS:-}" | tr ',' ' ')
[ -n "$names" ] || names=$(cd $DIR && ls -- *.json | sed 's/\.json$//')
PORT=51000
for SCEN in $names; do
	FILE=$DIR/$SCEN.json
	PORT=$((PORT + 1))
	if [ ! -r "$FILE" ]; then
		not_ok "$SCEN: no such scenario"
		continue
	fi
	run_test "$SCEN: module, mirrornet serve and mirrornet-host started" t_start
	steps=$(scen_jq '.timeline | length')
	STEP=0
	while [ "$STEP" -lt "$steps" ]; do
		note=$(scen_jq --argjson n "$STEP" '.timeline[$n].note // ""')
		run_test "$SCEN: step $((STEP + 1)): $note" t_step
		if scen_jq --argjson n "$STEP" '.timeline[$n].expect.flap != null' | grep -q true; then
			run_test "$SCEN: step $((STEP + 1)): restored by the module after a guest link flap" t_flap
		fi
		STEP=$((STEP + 1))
	done
	run_test "$SCEN: the host reached every goal state" t_host_done
	run_test "$SCEN: clean state for the next scenario" t_clean
done
tap_finish
