# shellcheck shell=dash
# TAP helpers for guest test scripts (busybox sh), at /tests/lib/tap.sh:
#   . /tests/lib/tap.sh
#   t_foo() { $IP link add d0 type dummy; }   # runs with set -e
#   tap_plan_later; run_test "dummy link" t_foo; ...; tap_finish
# run_test prints "ok N - NAME" or "not ok N - NAME", then the test's output
# as "# " lines; it ends the script with "Bail out!" once dmesg shows a
# kernel problem. TAP_TIMEOUT (default 60) limits each test in seconds.
TAP_N=0
TAP_FAILED=0
TAP_TIMEOUT=${TAP_TIMEOUT:-60}
TAP_BUG_RE=$(cat /etc/mn-bug-re)
# busybox sh runs its own "ip" applet before $PATH (pitfall 1)
IP=/sbin/ip
export IP

# the plan goes at the end (tap_finish), after the tests were counted
tap_plan_later() { echo "TAP version 13"; }
tap_finish() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}
not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

# kill a process and its descendants (a hung test may have children); top
# down, each stopped first so that it can neither fork nor run on meanwhile
tap_kill_tree() {
	local children child
	kill -STOP "$1" 2>/dev/null || return 0
	children=$(ps -o pid= -o ppid= | awk -v p="$1" '$2 == p {print $1}')
	kill -KILL "$1"
	for child in $children; do
		tap_kill_tree "$child"
	done
}

# run_test NAME FUNC: FUNC in a subshell with set -e, killed after TAP_TIMEOUT
# seconds by a watchdog (busybox timeout cannot run a shell function)
run_test() {
	local name=$1 func=$2 out=/tmp/tap-$TAP_N.out flag=/tmp/tap-$TAP_N.timedout
	local pid watchdog rc=0 bugs
	# by number: a name like "no Oops" would match the kernel bug patterns
	echo "mn-tap: test $((TAP_N + 1)) starts" >/dev/kmsg
	(
		set -e
		"$func"
	) >"$out" 2>&1 </dev/null &
	pid=$!
	(
		sleep "$TAP_TIMEOUT"
		: >"$flag"
		tap_kill_tree "$pid"
	) >/dev/null 2>&1 &
	watchdog=$!
	wait "$pid" || rc=$?
	tap_kill_tree "$watchdog"
	echo "mn-tap: test $((TAP_N + 1)) ends" >/dev/kmsg
	if [ -e "$flag" ]; then
		not_ok "$name # timed out after ${TAP_TIMEOUT}s"
	elif [ "$rc" -eq 0 ]; then
		ok "$name"
	else
		not_ok "$name # exit status $rc"
	fi
	sed 's/^/# /' "$out"
	bugs=$(dmesg | grep -E "$TAP_BUG_RE" || true)
	if [ -n "$bugs" ]; then
		printf '%s\n' "$bugs" | sed 's/^/# dmesg: /'
		echo "Bail out! kernel problem reported during: $name"
		exit 1
	fi
}

# jq_true FILTER CMD...: the filter must print true on CMD's JSON output
jq_true() {
	local filter=$1
	shift
	[ "$("$@" | jq -e "$filter")" = true ] ||
		{ echo "jq '$filter' not true on:"; "$@"; return 1; }
}

# wait_for SECONDS CMD...: run CMD every 50 ms until it succeeds
wait_for() {
	local n=$(($1 * 20))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		n=$((n - 1))
		usleep 50000
	done
	echo "timed out waiting for: $*"
	return 1
}
