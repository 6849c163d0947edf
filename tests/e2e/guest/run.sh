#!/bin/sh
# shellcheck shell=dash
# End-to-end tests inside the test VM (busybox sh): mirrornet.ko loaded,
# `mirrornet serve` talking GNS over vsock_loopback to gns-host, which plays
# a session script from /tests/sessions and checks every reply. Prints TAP.
. /tests/lib/tap.sh
. /tests/lib/expect.sh
. /tests/dns.sh
. /tests/handlers.sh
. /tests/resync.sh

MOD=/lib/mirrornet/mirrornet.ko
SESSIONS=/tests/sessions
SERVE_LOG=/tmp/serve.log
# the helper connects to the "host" through vsock_loopback: CID 1 (local)
PORT=50000
# per reply; below TAP_TIMEOUT so that gns-host reports before the watchdog
GNS_TIMEOUT_MS=${MN_GNS_TIMEOUT_MS:-20000}

# serve_start [ARGS]...: mirrornet serve in the background, log in
# SERVE_LOG; lib/serve-restart starts it again with the same arguments
serve_start() {
	echo "--vsock 1:$PORT $*" >/tmp/serve.args
	mirrornet serve --vsock "1:$PORT" "$@" >"$SERVE_LOG" 2>&1 </dev/null &
}

# serve_alive: the helper is still running
serve_alive() {
	pidof mirrornet >/dev/null ||
		{ echo "mirrornet serve has exited"; serve_log; return 1; }
}

# serve_stop: stop the helper (SIGTERM, then SIGKILL after 5 s)
serve_stop() {
	local n=50
	# shellcheck disable=SC2046 # one word per pid
	kill $(pidof mirrornet) 2>/dev/null || return 0
	while pidof mirrornet >/dev/null && [ $n -gt 0 ]; do
		usleep 100000
		n=$((n - 1))
	done
	# shellcheck disable=SC2046
	kill -KILL $(pidof mirrornet) 2>/dev/null || true
}

serve_log() {
	echo "--- $SERVE_LOG"
	cat "$SERVE_LOG" 2>/dev/null
	echo "--- end of $SERVE_LOG"
}

# session NAME [gns-host options]...: play SESSIONS/NAME.gns as the host
# against the running helper; prints the helper's log on a failure
session() {
	local name=$1 rc=0
	shift
	gns-host --listen "vsock:$PORT" --timeout-ms "$GNS_TIMEOUT_MS" "$@" \
		"$SESSIONS/$name.gns" || rc=$?
	[ "$rc" -eq 0 ] || serve_log
	return "$rc"
}

# with_serve NAME [gns-host options]...: a fresh helper for one session,
# which must still be running at its end
with_serve() {
	local rc=0
	serve_start || return 1
	session "$@" || rc=$?
	if [ "$rc" -eq 0 ] && ! serve_alive; then
		serve_log
		rc=1
	fi
	serve_stop
	return "$rc"
}

t_load() {
	insmod $MOD
	grep -q '^mirrornet ' /proc/modules
	# a module on the stock kernels, built into the KUnit kernel
	[ "${MN_VIRT_WIFI:-0}" = 1 ] || grep -q '^vsock_loopback ' /proc/modules
}

t_smoke() {
	# the kernel's defaults, so that the session's checks mean something
	/tests/lib/check-sysctl net/ipv6/conf/default/accept_ra 1
	with_serve smoke
}

# The whole mirrored start-up, then the guest state read back from the
# kernel. The helper keeps running across the following tests.
t_home() {
	mkdir -p /mnt/wsl
	ln -s /mnt/wsl/resolv.conf /etc/resolv.conf
	serve_start --lookup-timeout-ms 10000
	session home
	serve_alive
}

t_home_state() {
	expect_home_eth
	expect_home_sysctls
	expect_home_nft
	expect_home_loopback
	expect_home_resolv
}

# kernel_state: addresses, routes of every table, rules, neighbours
kernel_state() {
	$IP -j addr show
	$IP -j -4 route show table all
	$IP -j -6 route show table all
	$IP -j rule show
	$IP -j neigh show nud permanent
}

# The module restores what a link flap flushed, without the host.
t_flap() {
	$IP link set eth0 down
	$IP link set eth0 up
	wait_for 5 route_is -4 main default '.gateway == "192.168.1.1"'
	route_is -6 main default '.gateway == "fe80::1"'
	addr_is eth0 2001:db8:1:2:a1b2:c3d4:e5f6:1 '.nodad'
	mirrornet show eth0 | grep -q 'repairs [1-9]'
}

t_vpn() {
	session vpn
	serve_alive
	expect_vpn
	session vpn-off
	serve_alive
	expect_vpn_off
}

# SIGTERM is a clean exit; a new helper with a short lookup timeout.
t_bad_input() {
	kernel_state >/tmp/state.before
	serve_stop
	grep -q 'stopping' "$SERVE_LOG"
	serve_start --lookup-timeout-ms 1500
	session bad
	serve_alive
	grep -q 'restarted after SIGKILL' "$SERVE_LOG"
	# NlMtu 4294967295 refused, the link up at its MTU
	jq_true '.[0].mtu == 1500 and (.[0].flags | index("UP") != null)' \
		$IP -j link show eth0
	route_is -4 main 10.66.0.0/16 '.gateway == "192.168.1.1" and .metric == 7'
	# nothing else changed: no bad request, restart or reconnect lost state
	$IP route del 10.66.0.0/16
	kernel_state >/tmp/state.after
	diff /tmp/state.before /tmp/state.after
}

# Not 127.0.0.1: after CreateDevice, TCP to it goes to the host through
# the GELNIC (table 127), as in WSL.
t_probe() {
	printf '%s\n' '10.200.0.1 probe.test v4only.test' '::1 probe.test' \
		'::2 v6only.test' >/etc/hosts
	# names from /etc/hosts only: no resolver waits on unreachable servers
	echo 'hosts: files' >/etc/nsswitch.conf
	$IP addr add 10.200.0.1/32 dev lo
	$IP -6 addr add ::2/128 dev lo
	mkdir -p /tmp/www
	httpd -p 10.200.0.1:80 -h /tmp/www
	httpd -p '[::1]:80' -h /tmp/www
	wait_for 5 sh -c "netstat -ltn | grep -q '::1:80'"
	session probe
	# shellcheck disable=SC2046 # one word per pid
	kill $(pidof httpd)
}

t_base52() {
	serve_stop
	serve_start --wsl-version 2.6.0
	session base52 --wsl-version 2.6.0
	serve_alive
}

# a 12-byte host of the newer numbering, told by the helper from its first
# frame
t_gen_12() {
	serve_stop
	serve_start
	session gen12 --wsl-version 2.7.1
	serve_alive
	grep -q 'detected' "$SERVE_LOG"
}

WIFI_GUID=0d15ea5e-0000-4000-8000-00000000a1f1

# default_route_is DEV FILTER: the one IPv4 default route through DEV
default_route_is() {
	jq_true "[.[] | select(.dst == \"default\" and .dev == \"$1\")] |
		length == 1 and (.[0] | $2)" $IP -j -4 route show table main
}

# wlan0 from the host: a virt_wifi link on the NIC where the kernel has
# virt_wifi (mn.virt_wifi=1 on the command line), the NIC renamed where not
t_wifi() {
	with_serve wifi
	if [ "${MN_VIRT_WIFI:-0}" = 1 ]; then
		jq_true '.[0].linkinfo.info_kind == "virt_wifi" and
			.[0].link == "_wlan0" and .[0].mtu == 1400 and
			(.[0].flags | index("UP") != null)' $IP -j -d link show wlan0
		jq_true '.[0].linkinfo.info_kind == "dummy" and
			(.[0].flags | index("UP") != null)' $IP -j -d link show _wlan0
		! grep -q 'no virt_wifi' "$SERVE_LOG"
	else
		jq_true '.[0].linkinfo.info_kind == "dummy" and .[0].mtu == 1400' \
			$IP -j -d link show wlan0
		[ "$(grep -c 'the kernel has no virt_wifi' "$SERVE_LOG")" = 1 ]
	fi
	addr_is wlan0 192.168.50.20 '.prefixlen == 24 and .noprefixroute'
	default_route_is wlan0 '.gateway == "192.168.50.1" and .metric == 45'
	route_is -4 main 192.168.50.0/24 '.dev == "wlan0" and .metric == 301'
	sysctl_is net/ipv4/conf/wlan0/accept_local 1 \
		net/ipv4/conf/wlan0/route_localnet 1
	mirrornet show "{$WIFI_GUID}" | grep -q '^wlan0: '
}

# the module keeps repairing wlan0, the interface the GUID resolves to
t_wifi_flap() {
	$IP link set wlan0 down
	$IP link set wlan0 up
	wait_for 5 default_route_is wlan0 '.gateway == "192.168.50.1"'
	addr_is wlan0 192.168.50.20 '.prefixlen == 24'
}

# resync_test: the replay after a killed helper; two plays in TCG
resync_test() {
	local timeout=$TAP_TIMEOUT
	TAP_TIMEOUT=240
	run_test "a killed helper's state replayed by a new host: every request 0, state unchanged" t_resync
	TAP_TIMEOUT=$timeout
}

tap_plan_later
run_test "mirrornet.ko and vsock_loopback loaded" t_load
# mn.only=resync on the kernel command line: that test alone, to iterate
if [ "${MN_ONLY:-}" = resync ]; then
	resync_test
	tap_finish
	exit
fi
run_test "smoke: SetupIpv6, NoOp, unknown type over vsock" t_smoke
run_test "home: mirrored start-up session" t_home
run_test "home: addresses, routes, rules, neighbours, nft, sysctls, resolv.conf" t_home_state
run_test "link flap: the module restores addresses and routes" t_flap
run_test "VPN connects and disconnects; updates keep routes" t_vpn
run_test "bad input, broken frames, disconnects, SIGKILL: still serving" t_bad_input
run_test "ConnectTestRequest: packed IPv4/IPv6 status" t_probe
run_test "--wsl-version 2.6.0: the older hosts' numbering" t_base52
run_test "a 2.7.1 host (12-byte header) detected from its first frame" t_gen_12
# the debug kernel (mn.virt_wifi=1) has virt_wifi: the same sessions, then
# the Wi-Fi emulation on a virt_wifi link
if [ "${MN_VIRT_WIFI:-0}" = 1 ]; then
	run_test "wlan0: a virt_wifi link on _wlan0, configured by its GUID" t_wifi
	run_test "wlan0: link flap restored on the virt_wifi link" t_wifi_flap
else
	run_test "wlan0 without virt_wifi: the NIC renamed, logged once" t_wifi
fi
run_test "DNS tunneling: WSL starts gns; the host pushes the tunnel as server" t_dns_start
run_test "DNS tunneling: getent through glibc's resolver" t_dns_getent
run_test "DNS tunneling: dig over UDP and TCP" t_dns_dig
run_test "DNS tunneling: answers and queries above 512 bytes" t_dns_large
run_test "DNS tunneling: 24 clients at once" t_dns_concurrent
run_test "DNS tunneling: a query never answered, the others are" t_dns_silent
run_test "DNS tunneling: the host goes mid-query; gns exits 0" t_dns_close
run_handlers_tests
resync_test
tap_finish
