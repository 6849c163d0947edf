# shellcheck shell=bash
# The harness of a test VM booted with systemd as PID 1 (tests/image,
# tests/packaging), in /usr/lib/mn-systemd of its root. The suite's
# run-tests.sh, which its test unit runs, sources it and calls
# harness_start, run_test for each test and harness_end: TAP on the results
# port (ttyS1), then the dmesg section and MN-DONE, and the VM's end.
# report.sh writes after it when it fails, watchdog.sh at a deadline.
# The suite defines failure_details: what a failed test adds to its output.
harness_dir=/run/mn-systemd

# harness_open: output to the results port, after whoever holds the
# harness's lock (a minute at most: it may be what hangs), then ours
# until the VM's end
harness_open() {
	mkdir -p "$harness_dir"
	exec 9>>"$harness_dir/lock"
	flock -w 60 9 || true
	exec >/dev/ttyS1 2>&1 </dev/null
	stty -F /dev/ttyS1 raw -echo
}

# harness_results: the plan, the dmesg section and MN-DONE, on disk too (a
# suite may boot its disk again)
harness_results() {
	echo "1..$n"
	echo MN-DMESG-BEGIN
	dmesg
	echo MN-DMESG-END
	echo MN-DONE
	sync
}

# prop UNIT PROPERTY: one property's value
prop() { systemctl show -P "$2" "$1"; }
# prop_is UNIT PROPERTY VALUE
prop_is() { [[ $(prop "$1" "$2") == "$3" ]]; }

# wait_for SECONDS CMD...: CMD every 100 ms until it succeeds
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || { echo "timed out waiting for: $*"; return 1; }
		sleep 0.1
	done
}

harness_start() {
	set -uo pipefail
	harness_open
	echo "TAP version 13"
	n=0
	echo "$n" >"$harness_dir/n"
}

# run_test NAME FUNC [ARGS]...: FUNC in a subshell with set -e, its output
# as "# " lines; on a failure failure_details's too
run_test() {
	local name=$1 out=$harness_dir/test.out rc
	shift
	n=$((n + 1))
	echo "$n" >"$harness_dir/n"
	(
		set -e
		"$@"
	) >"$out" 2>&1
	rc=$?
	if ((rc == 0)); then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name # exit status $rc"
		failure_details >>"$out" 2>&1
	fi
	sed 's/^/# /' "$out"
}

harness_end() {
	harness_results
	systemctl reboot --force
	# should that fail: a failed unit, whose OnFailure= report ends the VM
	exit 1
}
