# shellcheck shell=dash
# The adversarial section of the integration guest (issue 10), sourced by
# run.sh: what a local user, a user namespace, a forger on the module's
# rtnetlink socket, a memory-limited cgroup or an administrator changing
# the kernel's state behind the module can do. Every check reads the
# kernel back with the real iproute2 (`ip -j` + jq). The forged acks come
# last: against a module that parses them, they oops the kernel.

# hardware keys of this section (GUIDs no other test uses)
ADV_K1=ad000001-0000-4000-8000-000000000001
ADV_K2=ad000002-0000-4000-8000-000000000002
ADV_K3=ad000003-0000-4000-8000-000000000003
ADV_K4=ad000004-0000-4000-8000-000000000004
# routes in the memory cgroup flood, and that cgroup's memory.max
ADV_FLOOD_N=${MN_FLOOD_N:-50000}
ADV_MEMORY_MAX=${MN_MEMORY_MAX:-4M}
CG=/sys/fs/cgroup

# a fresh namespace or dummy link: a failed test may have left one behind
adv_ns() {
	$IP netns del "$1" 2>/dev/null || true
	$IP netns add "$1"
}
adv_dummy() {
	$IP link del "$1" 2>/dev/null || true
	$IP link add "$1" type dummy
}

# wait_secs SECONDS CMD...: run CMD every 50 ms until it succeeds, for
# SECONDS of uptime. tap.sh's wait_for counts rounds, and under TCG a round
# of ip + jq takes ten times its pause: a case that fails today would wait
# a minute per check.
wait_secs() {
	local end
	end=$(awk -v s="$1" '{ print $1 + s }' /proc/uptime)
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		awk -v e="$end" '{ exit !($1 < e) }' /proc/uptime || break
		usleep 50000
	done
	echo "timed out waiting for: $*"
	return 1
}

# print to the test output and to the console
adv_kmsg() {
	echo "$1"
	echo "mn-adv: $1" | tr '\n' ' ' >/dev/kmsg
}

# (re)load the module with parameters
adv_load() {
	rmmod mirrornet 2>/dev/null || true
	insmod $MOD "$@"
	grep -q '^mirrornet ' /proc/modules
}

# flood_expect OUT SENT ACCEPTED ERRNO TEXT: the line mnctl flood printed
flood_expect() {
	cat "$1"
	grep -q "^flood: $2 sent, $3 accepted, first error $4" "$1" ||
		{ echo "want $3 of $2 accepted, first error $4"; return 1; }
	[ -z "$5" ] || grep -q -- "$5" "$1" || { echo "missing extack '$5'"; return 1; }
}

t_adv_load() {
	adv_load
	mnctl dump >/dev/null
}

# 1. Caps. max_objects=100: the 101st object of the namespace is refused,
# held or present; max_held_ifaces=3: the 4th held key is refused.
t_adv_caps_params() {
	adv_load max_objects=100 max_held_ifaces=3
	adv_ns cap
	$IP -n cap link add c0 type dummy
	$IP -n cap link set c0 up
	$IP netns exec cap mnctl flood routes 150 hwkey $ADV_K1 >/tmp/flood
	flood_expect /tmp/flood 150 100 28 max_objects
	expect_err 28 max_objects \
		$IP netns exec cap mnctl route-add dev c0 -4 10.250.0.0/16
	jq_true 'map(select(.dst == "10.250.0.0/16")) | length == 0' \
		$IP -n cap -j route show
	$IP netns del cap
	# a namespace with no held key yet
	adv_ns cap
	$IP netns exec cap mnctl flood keys 5 >/tmp/flood
	flood_expect /tmp/flood 5 3 28 max_held_ifaces
	$IP netns del cap
}

# the default cap on held interfaces: 1024 per namespace
t_adv_caps_default() {
	adv_load
	adv_ns cap
	$IP netns exec cap mnctl flood keys 1025 >/tmp/flood
	flood_expect /tmp/flood 1025 1024 28 \
		"held interface.* (max_held_ifaces)"
	$IP netns del cap
}

# the fuzzer again, with caps small enough that it keeps meeting them
t_adv_fuzz_caps() {
	adv_load max_objects=40 max_held_ifaces=4
	adv_ns fuzz
	$IP -n fuzz link add f0 type dummy
	$IP -n fuzz link set f0 up
	$IP netns exec fuzz mnctl fuzz 11 2000
	$IP netns exec fuzz mnctl fuzz 12 2000
	$IP netns del fuzz
	adv_load
}

# 2. Root of an unprivileged user namespace: EPERM on every mutating op;
# reads work. The ops run inside userns-run (uid 65534,
# unshare(CLONE_NEWUSER | CLONE_NEWNET), mapped to root).
t_adv_userns() {
	userns-run 65534 sh /tests/adv-userns.sh $ADV_K2
	# the kernel saw none of it: the user namespace's netns is gone, and
	# nothing of it reached this one
	jq_true 'map(select(.table == "4100")) | length == 0' $IP -j rule show
}

t_adv_monitor_unprivileged() {
	local rc=0
	mnctl -u 65534 monitor 1 >/tmp/mon 2>&1 || rc=$?
	cat /tmp/mon
	[ "$rc" -eq 1 ] || { echo "want EPERM (1) joining the monitor group, got $rc"; return 1; }
	! grep -q listening /tmp/mon
	# root still may
	mnctl monitor 1 | grep -q listening
}

# 3. PROMISC/ALLMULTI: link-set takes no references of its own
t_adv_promisc() {
	local pid
	adv_dummy p0
	pkt-hold p0 >/tmp/hold &
	pid=$!
	wait_secs 10 grep -q holding /tmp/hold
	jq_true '.[0].promiscuity == 1' $IP -j -d link show p0
	mnctl link-set dev p0 up
	kill $pid
	wait $pid 2>/dev/null || true
	$IP -j -d link show p0
	jq_true '.[0].promiscuity == 0 and (.[0].allmulti // 0) == 0 and
		(.[0].flags | index("PROMISC") == null and
		 index("ALLMULTI") == null and index("UP") != null)' \
		$IP -j -d link show p0
	# IFF_PROMISC 0x100, IFF_ALLMULTI 0x200 in the device's own flags
	assert [ $(($(cat /sys/class/net/p0/flags) & 0x300)) -eq 0 ]
	$IP link del p0
}

# 4. A replace through another device replaces the kernel's route, and the
# goal state follows: flapping the first device does not bring it back.
t_adv_replace_flap() {
	adv_dummy a0
	adv_dummy b0
	$IP link set a0 up
	$IP link set b0 up
	$IP addr add 10.71.0.2/24 dev a0
	$IP addr add 10.72.0.2/24 dev b0
	mnctl route-add dev a0 -4 default via 10.71.0.1 table 71
	# a0's own goal route: its return after the flap marks the repair done
	mnctl route-add dev a0 -4 10.73.0.0/16 table 72
	mnctl route-replace dev b0 -4 default via 10.72.0.1 table 71
	jq_true 'length == 1 and .[0].dev == "b0" and
		.[0].gateway == "10.72.0.1"' $IP -j route show table 71
	$IP link set a0 down
	$IP link set a0 up
	wait_secs 10 sh -c "$IP -j route show table 72 | jq -e 'length == 1'"
	sleep 1
	$IP -j route show table 71
	jq_true 'length == 1 and .[0].dev == "b0" and
		.[0].gateway == "10.72.0.1"' $IP -j route show table 71
	mnctl dump >/tmp/dump
	cat /tmp/dump
	assert [ "$(mnctl dump dev a0 | grep -c 'route default/0 .*table 71')" -eq 0 ]
	mnctl dump dev b0 | grep -q 'route default/0 via 10.72.0.1 .*table 71'
	mnctl iface-del dev a0
	mnctl iface-del dev b0
	$IP link del a0
	$IP link del b0
}

# 4b. One rule for what an administrator deletes by hand, the same for a
# link setting, a conf knob, an address, a route, a neighbour and a rule:
# nothing comes back until the next repair event (here a flap), then all
# of it does; what is deleted through the family stays deleted.
hand_state() {
	local mtu rp addr route neigh rule
	mtu=$($IP -j link show h0 | jq '.[0].mtu')
	rp=$(cat /proc/sys/net/ipv4/conf/h0/rp_filter)
	addr=$($IP -j addr show dev h0 | jq '[.[0].addr_info[] | select(.local == "10.90.0.2")] | length')
	route=$($IP -j route show dev h0 | jq '[.[] | select(.dst == "10.91.0.0/16")] | length')
	neigh=$($IP -j neigh show dev h0 | jq '[.[] | select(.dst == "10.90.0.9")] | length')
	rule=$($IP -j rule show | jq '[.[] | select(.priority == 4190)] | length')
	echo "mtu $mtu rp_filter $rp addr $addr route $route neigh $neigh rule $rule"
}

# hand_wait STATE: wait up to 10 s for hand_state to print STATE
hand_wait() {
	local i=0
	while [ "$(hand_state)" != "$1" ]; do
		i=$((i + 1))
		[ $i -le 10 ] || { echo "want $1, have $(hand_state)"; return 1; }
		sleep 1
	done
}

t_adv_hand_deleted() {
	adv_dummy h0
	$IP link set h0 up
	mnctl link-set dev h0 mtu 1400
	mnctl conf-set dev h0 ipv4-rp-filter 2
	mnctl addr-add dev h0 10.90.0.2/24
	mnctl route-add dev h0 -4 10.91.0.0/16 metric 5
	mnctl neigh-add dev h0 10.90.0.9 02:00:00:00:00:09
	mnctl rule-add -4 table 4190 prio 4190
	want='mtu 1400 rp_filter 2 addr 1 route 1 neigh 1 rule 1'
	assert [ "$(hand_state)" = "$want" ]
	# by hand
	$IP link set h0 mtu 1300
	echo 0 >/proc/sys/net/ipv4/conf/h0/rp_filter
	$IP route del 10.91.0.0/16 dev h0 metric 5
	$IP neigh del 10.90.0.9 dev h0
	$IP rule del prio 4190
	# last: removing a device's last IPv4 address flushes its routes
	$IP addr del 10.90.0.2/24 dev h0
	sleep 1
	gone='mtu 1300 rp_filter 0 addr 0 route 0 neigh 0 rule 0'
	assert [ "$(hand_state)" = "$gone" ]
	# the next repair event restores all of it
	$IP link set h0 down
	$IP link set h0 up
	hand_wait "$want" || return 1
	# through the family: forgotten, a flap does not bring them back
	mnctl route-del dev h0 -4 10.91.0.0/16 metric 5
	mnctl neigh-del dev h0 10.90.0.9
	mnctl addr-del dev h0 10.90.0.2/24
	mnctl rule-del -4 table 4190 prio 4190
	$IP link set h0 mtu 1300
	$IP link set h0 down
	$IP link set h0 up
	wait_secs 10 sh -c "[ \$($IP -j link show h0 | jq '.[0].mtu') -eq 1400 ]"
	sleep 1
	assert [ "$(hand_state)" = 'mtu 1400 rp_filter 2 addr 0 route 0 neigh 0 rule 0' ]
	mnctl iface-del dev h0
	$IP link del h0
}

addr_on() {
	$IP -j addr show dev "$1" | jq -e --arg a "$2" \
		'.[0].addr_info | map(select(.local == $a)) | length == 1' >/dev/null
}

# 5a. The alias is set on a down link after it registered (no event), then
# configuration is held for that key: it applies at once.
t_adv_alias_then_held() {
	adv_dummy h1
	$IP link set h1 alias "$ADV_K3"
	mnctl addr-add hwkey "$ADV_K3" 10.74.0.1/24 noprefixroute
	wait_secs 3 addr_on h1 10.74.0.1
	mnctl get hwkey "$ADV_K3" | grep -q 'ifname h1 .*state present'
	jq_true '.[0].flags | index("UP") == null' $IP -j link show h1
	$IP link del h1
}

# 5b. Held first, then the alias on a link that stays down: the kernel
# raises no event for an alias change on a down link, so the state applies
# at the link's next netdev event, here an MTU change.
t_adv_held_then_alias() {
	mnctl addr-add hwkey "$ADV_K4" 10.75.0.1/24 noprefixroute
	adv_dummy h2
	$IP link set h2 alias "$ADV_K4"
	$IP link set h2 mtu 1400
	wait_secs 10 addr_on h2 10.75.0.1
	mnctl get hwkey "$ADV_K4" | grep -q 'ifname h2 .*state present'
	jq_true '.[0].flags | index("UP") == null' $IP -j link show h2
	$IP link del h2
}

v6_state_on() {
	addr_on "$1" 2001:db8:76::1 &&
		$IP -j -6 route show dev "$1" |
		jq -e 'map(select(.dst == "2001:db8:77::/64")) | length == 1' >/dev/null
}

v6_goal() {
	adv_dummy "$1"
	$IP link set "$1" up
	mnctl addr-add dev "$1" 2001:db8:76::1/64 nodad
	mnctl route-add dev "$1" -6 2001:db8:77::/64 metric 7
	v6_state_on "$1"
}

# 6. IPv6 re-enabled after disable_ipv6: address and route restored
# without a link flap
t_adv_disable_ipv6() {
	v6_goal v0
	echo 1 >/proc/sys/net/ipv6/conf/v0/disable_ipv6
	! addr_on v0 2001:db8:76::1
	echo 0 >/proc/sys/net/ipv6/conf/v0/disable_ipv6
	wait_secs 10 v6_state_on v0
	$IP link del v0
}

# 7. MTU below 1280 flushes the device's IPv6 state; raised back, restored
t_adv_mtu_ipv6() {
	v6_goal m0
	$IP link set m0 mtu 1200
	! addr_on m0 2001:db8:76::1
	$IP link set m0 mtu 1500
	wait_secs 10 v6_state_on m0
	$IP link del m0
}

# 8. route-flush deletes the goal state's routes through the interface
# (IPv6 ECMP siblings one by one) and leaves the kernel's own (prefix
# routes, fe80::/64, local routes: proto kernel like ours) and everything
# the goal state lacks: multipath and nexthop-object routes, routes of
# other protocols
t_adv_flush_kernel_routes() {
	adv_dummy f0
	$IP link set f0 up
	$IP addr add 10.78.0.2/24 dev f0
	$IP addr add 2001:db8:78::2/64 dev f0 nodad
	mnctl route-add dev f0 -4 10.79.0.0/16 metric 5
	mnctl route-add dev f0 -6 2001:db8:83::/64 via 2001:db8:78::1
	mnctl route-add dev f0 -6 2001:db8:83::/64 via 2001:db8:78::3
	$IP route add 10.80.0.0/16 nexthop via 10.78.0.1 dev f0 \
		nexthop via 10.78.0.3 dev f0
	$IP nexthop add id 78 via 10.78.0.1 dev f0
	$IP route add 10.81.0.0/16 nhid 78
	$IP -6 route add 2001:db8:82::/64 nexthop via 2001:db8:78::1 dev f0 \
		nexthop via 2001:db8:78::3 dev f0
	$IP -j -6 route show table local >/tmp/local.before
	$IP -j route show table all
	mnctl route-flush dev f0
	$IP -j route show table all
	jq_true 'map(select(.dst == "10.78.0.0/24" and .protocol == "kernel"))
		| length == 1' $IP -j route show dev f0
	jq_true 'map(select(.dst == "fe80::/64")) | length == 1' \
		$IP -j -6 route show dev f0
	jq_true 'map(select(.dst == "2001:db8:78::/64" and
		.protocol == "kernel")) | length == 1' $IP -j -6 route show dev f0
	$IP -j -6 route show table local >/tmp/local.after
	assert cmp /tmp/local.before /tmp/local.after
	jq_true 'map(select(.dst == "10.79.0.0/16")) | length == 0' \
		$IP -j route show
	jq_true 'map(select(.dst == "2001:db8:83::/64")) | length == 0' \
		$IP -j -6 route show
	jq_true 'map(select(.dst == "10.80.0.0/16" or .dst == "10.81.0.0/16"))
		| length == 2' $IP -j route show
	jq_true 'map(select(.dst == "2001:db8:82::/64")) | length == 1' \
		$IP -j -6 route show
	mnctl iface-del dev f0 2>/dev/null || true
	$IP link del f0
	$IP nexthop del id 78 2>/dev/null || true
}

# 9. Memory cgroup: the flood's allocations are charged to the caller.
# Alone in a cgroup with a small memory.max and unkillable (the memcg OOM
# killer finds no victim, so the charge fails with ENOMEM), the flood stops
# early; the same flood from the root cgroup completes. The expected memcg
# OOM report (a stack dump) goes to the console at a low loglevel and is
# cleared from the ring buffer once checked to be nothing else.
t_adv_memcg() {
	local printk marker new rc=0
	grep -q cgroup2 /proc/mounts || mount -t cgroup2 none $CG
	grep -qw memory $CG/cgroup.controllers
	echo +memory >$CG/cgroup.subtree_control
	mkdir -p $CG/mnsmall
	echo "$ADV_MEMORY_MAX" >$CG/mnsmall/memory.max
	adv_ns memout
	$IP netns exec memout mnctl flood routes "$ADV_FLOOD_N" hwkey $ADV_K1 >/tmp/flood
	flood_expect /tmp/flood "$ADV_FLOOD_N" "$ADV_FLOOD_N" 0
	$IP netns del memout
	adv_ns memin
	printk=$(awk '{ print $1 }' /proc/sys/kernel/printk)
	marker="mn-adv: memcg flood $$"
	echo "$marker" >/dev/kmsg
	dmesg -n 1
	sh -c "echo \$\$ >$CG/mnsmall/cgroup.procs &&
		echo -1000 >/proc/self/oom_score_adj &&
		exec $IP netns exec memin mnctl flood routes $ADV_FLOOD_N hwkey $ADV_K1" \
		>/tmp/flood 2>&1 || rc=$?
	sleep 1
	dmesg -n "$printk"
	cat /tmp/flood
	echo "exit status $rc; memory.events:"
	cat $CG/mnsmall/memory.events
	new=$(dmesg | sed -n "/$marker/,\$p")
	# what the bug patterns match after the marker: only the OOM
	# reports' stack dumps, one per "invoked oom-killer"
	if printf '%s\n' "$new" | grep -E "$TAP_BUG_RE" | grep -qv 'Call Trace:' ||
		[ "$(printf '%s\n' "$new" | grep -c 'Call Trace:')" -gt \
		"$(printf '%s\n' "$new" | grep -c 'invoked oom-killer')" ]; then
		echo "kernel problem beyond the memcg OOM report"
		return 1
	fi
	printf '%s\n' "$new" | grep -q 'invoked oom-killer' && dmesg -c >/dev/null
	$IP netns del memin
	rmdir $CG/mnsmall
	grep -q '^flood: [0-9]* sent, [0-9]* accepted, first error 12' /tmp/flood ||
		{ echo "want the flood in the cgroup to stop with ENOMEM"; return 1; }
	! grep -q "accepted $ADV_FLOOD_N," /tmp/flood
	# the guest is healthy
	adv_dummy x0
	$IP link del x0
	mnctl dump >/dev/null
}

# 10. Forged acks from user space to every NETLINK_ROUTE port of the
# namespace but the kernel's and our own (the module's socket) are
# refused, and requests still get the kernel's own answer: deleting a rule
# that does not exist is ENOENT, not a forged 0. Two namespaces: forged
# "success" acks with guessed sequence numbers, then malformed ones
# (uncapped with msg.nlmsg_len 0, an echoed length of ~4 GB, truncated).
t_adv_forged_acks() {
	local rc=0 ns
	for ns in forge1 forge2; do
		adv_ns $ns
		# the namespace uses the family: the module's socket exists
		$IP netns exec $ns mnctl rule-add -4 table 4242 prio 4242
		$IP netns exec $ns cat /proc/net/netlink
	done
	# each step also goes to the console: an oops loses this TAP output
	$IP netns exec forge1 forge-ack success >/tmp/forge || rc=1
	adv_kmsg "$(cat /tmp/forge)"
	expect_err 2 "" $IP netns exec forge1 \
		mnctl rule-del -4 table 4243 prio 4243 >/tmp/forge || rc=1
	adv_kmsg "rule-del after forged success acks: $(tail -n 2 /tmp/forge)"
	$IP netns exec forge2 forge-ack malformed >/tmp/forge || rc=1
	adv_kmsg "$(cat /tmp/forge)"
	expect_err 2 "" $IP netns exec forge2 \
		mnctl rule-del -4 table 4243 prio 4243 >/tmp/forge || rc=1
	adv_kmsg "rule-del after malformed acks: $(tail -n 2 /tmp/forge)"
	for ns in forge1 forge2; do
		$IP netns exec $ns mnctl rule-del -4 table 4242 prio 4242 || rc=1
		jq_true 'map(select(.table == "4242")) | length == 0' \
			$IP -n $ns -j rule show || rc=1
		$IP netns del $ns
	done
	return $rc
}

t_adv_rmmod() {
	rmmod mirrornet
	! grep -q '^mirrornet ' /proc/modules
}

adversarial_tests() {
	run_test "adversarial: module loads" t_adv_load
	run_test "caps: max_objects=100 and max_held_ifaces=3 stop with ENOSPC naming the parameter" t_adv_caps_params
	run_test "caps: the 1025th held key is refused by default (max_held_ifaces 1024)" t_adv_caps_default
	run_test "genl fuzzer against small caps (max_objects=40, max_held_ifaces=4)" t_adv_fuzz_caps
	run_test "user namespace root: EPERM on every mutating op, reads work" t_adv_userns
	run_test "unprivileged caller cannot join the monitor group" t_adv_monitor_unprivileged
	run_test "link-set up leaves no PROMISC/ALLMULTI once a packet socket's references go" t_adv_promisc
	run_test "cross-device replace, then a flap of the first device: only the new route" t_adv_replace_flap
	run_test "deleted by hand: restored at the next repair event, all kinds alike; deleted through the family: gone" t_adv_hand_deleted
	run_test "alias set on a down link, then config held for it: applied at once" t_adv_alias_then_held
	run_test "config held, then the alias on a link that stays down: applied at its next event (MTU change)" t_adv_held_then_alias
	run_test "disable_ipv6 1 then 0: IPv6 address and route restored without a flap" t_adv_disable_ipv6
	run_test "MTU 1200 then 1500: IPv6 address and route restored without a flap" t_adv_mtu_ipv6
	run_test "route-flush deletes the goal state's routes, keeps the kernel's and foreign ones" t_adv_flush_kernel_routes
	run_test "memory cgroup: a flood fails with ENOMEM inside a small cgroup, completes outside" t_adv_memcg
	# last: against a module that parses forged acks this oopses
	run_test "forged acks are refused; requests get the kernel's real answer" t_adv_forged_acks
	run_test "adversarial: rmmod" t_adv_rmmod
}
