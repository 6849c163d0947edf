#!/bin/sh
# shellcheck shell=dash
# End-to-end tests inside the test VM (busybox sh): mirrornet.ko loaded,
# `mirrornet serve` talking GNS over vsock_loopback to gns-host, which plays
# a session script from /tests/sessions and checks every reply. Prints TAP.
. /tests/lib/tap.sh
. /tests/lib/expect.sh

MOD=/lib/mirrornet/mirrornet.ko
SESSIONS=/tests/sessions
SERVE_LOG=/tmp/serve.log
# the helper connects to the "host" through vsock_loopback: CID 1 (local)
PORT=50000
# per reply; below TAP_TIMEOUT so that gns-host reports before the watchdog
GNS_TIMEOUT_MS=${MN_GNS_TIMEOUT_MS:-20000}
SERVE_PID=

# serve_start [ARGS]...: mirrornet serve in the background, log in SERVE_LOG
# shellcheck disable=SC2120 # options for the tests to come (--msg-base ...)
serve_start() {
	command -v mirrornet >/dev/null ||
		{ echo "mirrornet is not in the image (no helper build)"; return 1; }
	mirrornet serve --vsock "1:$PORT" "$@" >"$SERVE_LOG" 2>&1 </dev/null &
	SERVE_PID=$!
}

# serve_alive: the helper is still running
serve_alive() {
	kill -0 "$SERVE_PID" 2>/dev/null ||
		{ echo "mirrornet serve (pid $SERVE_PID) has exited"; return 1; }
}

# serve_stop: stop the helper (SIGTERM, then SIGKILL after 5 s)
serve_stop() {
	local n=50
	[ -n "$SERVE_PID" ] || return 0
	kill "$SERVE_PID" 2>/dev/null || true
	while kill -0 "$SERVE_PID" 2>/dev/null && [ $n -gt 0 ]; do
		usleep 100000
		n=$((n - 1))
	done
	kill -KILL "$SERVE_PID" 2>/dev/null || true
	wait "$SERVE_PID" 2>/dev/null || true
	SERVE_PID=
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
	grep -q '^vsock_loopback ' /proc/modules
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

tap_plan_later
run_test "mirrornet.ko and vsock_loopback loaded" t_load
run_test "smoke: SetupIpv6, NoOp, unknown type over vsock" t_smoke
run_test "home: mirrored start-up session" t_home
run_test "home: addresses, routes, rules, neighbours, nft, sysctls, resolv.conf" t_home_state
tap_finish
