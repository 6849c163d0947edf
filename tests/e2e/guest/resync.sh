# shellcheck shell=dash
# A host that replays its state after `mirrornet serve` was killed, as
# WSL's does when the guest's agent comes back: sourced by /tests/run.sh.
# The host engine plays /tests/resync.json (Ethernet, Wi-Fi, a VPN, a
# GELNIC, host address loopback, DNS tunneling) to a helper; the helper is
# killed with SIGKILL, a new one starts, and a fresh engine plays the same
# snapshot again from scratch onto the state the module and the system
# kept. Every replayed request must be answered 0 and the state must not
# change: a re-sync onto identical state is no failure (WSL's host logs a
# -1 and may retry). Then an address added again: the same is 0, one that
# differs is -1 (sessions/resync-conflict.gns).

RESYNC_PORT=50020
RESYNC_JSON=/tests/resync.json
RESYNC_DNS_IP=10.255.255.254

# resync_refused LOG: the requests the guest answered with an error, each
# with its reply (the engine's --verbose log: "-> request", "<- reply")
resync_refused() {
	awk '/^mirrornet-host: -> / { req = substr($0, 20); next }
		/^mirrornet-host: <- [A-Za-z]+ -/ { print req " => " substr($0, 20) }' "$1"
}

# resync_state: what the host configured, read back from the kernel and
# the system: addresses, routes, rules, neighbours, nftables (without
# counters and handles), the per-interface and global knobs, resolv.conf
resync_state() {
	local f
	$IP -j addr show | jq -c '.[] | {ifname, mtu, flags, addr_info:
		[.addr_info[] | del(.valid_life_time, .preferred_life_time)]}'
	kernel_state | sed 1d
	$IP -j -d link show | jq -c '.[] | {ifname, mtu, operstate, address, ifalias}'
	nft -j list ruleset | jq -c '.nftables[] | del(.metainfo) |
		walk(if type == "object" then del(.handle) else . end) |
		walk(if type == "array" then map(select(type != "object" or
			(has("counter") | not))) else . end)'
	for f in /proc/sys/net/ipv4/conf/*/accept_local \
		/proc/sys/net/ipv4/conf/*/route_localnet \
		/proc/sys/net/ipv4/conf/*/rp_filter \
		/proc/sys/net/ipv4/conf/*/arp_filter \
		/proc/sys/net/ipv6/conf/*/accept_ra /proc/sys/net/ipv6/conf/*/autoconf \
		/proc/sys/net/ipv6/conf/*/use_tempaddr \
		/proc/sys/net/ipv6/conf/*/addr_gen_mode \
		/proc/sys/net/ipv6/conf/*/disable_ipv6 \
		/proc/sys/net/ipv6/conf/*/accept_dad \
		/proc/sys/net/ipv6/conf/*/dad_transmits; do
		echo "$f $(cat "$f")"
	done
	cat /etc/resolv.conf
}

# resync_play N: engine N plays the snapshot to a new helper; returns once
# the engine reached its goal state
resync_play() {
	local n=$1
	mirrornet-host --listen "vsock:$RESYNC_PORT" --verbose --dns-tunneling \
		--dns-zone /tests/dns.zone "$RESYNC_JSON" \
		>"/tmp/resync-host$n.log" 2>&1 </dev/null &
	echo $! >"/tmp/resync-host$n.pid"
	wait_for 10 grep -q '^mirrornet-host: listening on ' "/tmp/resync-host$n.log" ||
		{ cat "/tmp/resync-host$n.log"; return 1; }
	mirrornet serve --vsock "1:$RESYNC_PORT" --dns-tunnel "1:$RESYNC_PORT" \
		--dns_tunneling_ip "$RESYNC_DNS_IP" --lookup-timeout-ms 10000 \
		>"/tmp/resync-serve$n.log" 2>&1 </dev/null &
	echo $! >"/tmp/resync-serve$n.pid"
	wait_for 60 grep -qE '^mirrornet-host: step 1: (no )?goal state' \
		"/tmp/resync-host$n.log" || { resync_logs "$n"; return 1; }
	grep '^mirrornet-host: step 1: ' "/tmp/resync-host$n.log"
}

resync_logs() {
	echo "--- requests refused by helper $1 (request => reply)"
	resync_refused "/tmp/resync-host$1.log"
	echo "--- mirrornet-host $1 (last lines)"
	tail -n 5 "/tmp/resync-host$1.log"
	echo "--- mirrornet serve $1"
	cat "/tmp/resync-serve$1.log"
}

# resync_end N: the helper stopped (SIGTERM), the engine's exit and count
resync_end() {
	local n=$1 host
	host=$(cat "/tmp/resync-host$n.pid")
	kill "$(cat "/tmp/resync-serve$n.pid")" 2>/dev/null || true
	# the engine ends when the guest closes GNS
	wait_for 20 sh -c "! kill -0 $host 2>/dev/null" ||
		{ echo "mirrornet-host $n still running"; kill "$host"; return 1; }
	grep '^mirrornet-host: [0-9]* messages' "/tmp/resync-host$n.log"
}

# resync_same: the state is what it was before the replay
resync_same() {
	resync_state >/tmp/resync.after
	cmp -s /tmp/resync.before /tmp/resync.after
}

t_resync() {
	local guid i=0 rc=0 refused
	serve_stop
	# the host names its one GELNIC loopback0: the home session's goes
	$IP link del loopback0 2>/dev/null || true
	for guid in $(jq -r '.timeline[0].snapshot.interfaces[].guid' "$RESYNC_JSON"); do
		/tests/lib/hotadd "rs$i" "$guid"
		i=$((i + 1))
	done
	resync_play 1
	resync_state >/tmp/resync.before
	kill -KILL "$(cat /tmp/resync-serve1.pid)"
	# the engine ends when the guest's channel goes
	wait_for 20 sh -c "! kill -0 $(cat /tmp/resync-host1.pid) 2>/dev/null"
	resync_play 2
	# the state the first helper left, untouched by the replay
	wait_for 10 resync_same || { diff /tmp/resync.before /tmp/resync.after; rc=1; }
	refused=$(resync_refused /tmp/resync-host2.log)
	if [ -n "$refused" ]; then
		echo "the replay was refused:"
		echo "$refused"
		rc=1
	fi
	[ "$rc" -eq 0 ] || resync_logs 2
	resync_end 2 >/tmp/resync.count || rc=1
	cat /tmp/resync.count
	grep -q '^mirrornet-host: [0-9]* messages, 0 failed' /tmp/resync.count || rc=1
	[ "$rc" -eq 0 ] || return "$rc"
	# the same address added again is 0, one that differs -1; no change
	with_serve resync-conflict
	resync_same || { diff /tmp/resync.before /tmp/resync.after; return 1; }
}
