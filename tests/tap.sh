# shellcheck shell=bash
# TAP lines for the suites that run on this machine (the guest side has
# tests/vm/guest/tap.sh). Sourced; counts in tap_pass and tap_fail.
tap_pass=0 tap_fail=0

# tap_result RC NAME [LOG]...: ok or not ok; with not ok, the last 40
# lines of each LOG that exists, prefixed with its name
tap_result() {
	local rc=$1 name=$2 log
	shift 2
	if [[ $rc == 0 ]]; then
		tap_pass=$((tap_pass + 1))
		echo "ok - $name"
		return 0
	fi
	tap_fail=$((tap_fail + 1))
	echo "not ok - $name"
	for log; do
		[[ -e $log ]] && tail -n 40 "$log" | sed "s|^|# ${log##*/}: |"
	done
	return 0
}

# tap_summary SUITE: the suite's last line; fails if a test failed
tap_summary() {
	echo "$1: $tap_pass passed, $tap_fail failed"
	[[ $tap_fail == 0 ]]
}

# tap_check NAME CMD...: one test, CMD in a subshell with set -e (which an
# "if" or "||" would switch off); its output goes to a log in $tap_logs,
# shown only when it fails
tap_check() {
	local name=$1 log rc errexit=$-
	shift
	log=${tap_logs:?}/$((tap_pass + tap_fail + 1)).log
	set +e
	(
		set -e
		"$@"
	) >"$log" 2>&1
	rc=$?
	[[ $errexit == *e* ]] && set -e
	tap_result "$rc" "$name"
	((rc == 0)) || sed 's/^/# /' "$log"
}
