#!/bin/bash
# Inside the systemd VM (Debian's userspace, systemd as PID 1): what the
# unit and the modules-load.d file do on a booted guest, installed as make
# install PREFIX=/usr and dkms install put them in an image. Prints TAP to
# the results port, then the dmesg section and MN-DONE, and ends the VM.
set -uo pipefail
state=/run/mn-packaging
mkdir -p "$state"
# report.sh (a deadline, or this script failing) writes after us
exec 9>>"$state/lock"
flock 9
exec >/dev/ttyS1 2>&1 </dev/null
stty -F /dev/ttyS1 raw -echo

helper=/usr/sbin/mirrornet
unit=mirrornet.service
n=0 failed=0

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

# run_test NAME FUNC: FUNC in a subshell with set -e, output as "# " lines;
# on a failure the unit's status and last journal lines too
run_test() {
	local name=$1 rc
	shift
	n=$((n + 1))
	echo "$n" >"$state/n"
	(
		set -e
		"$@"
	) >"$state/test.out" 2>&1
	rc=$?
	if ((rc == 0)); then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name # exit status $rc"
		{
			echo "--- systemctl status $unit"
			timeout 30 systemctl status --no-pager --full --lines=30 "$unit"
		} >>"$state/test.out" 2>&1
	fi
	sed 's/^/# /' "$state/test.out"
}

# systemd-modules-load inserted it from modules-load.d, and finished
# before the service's first process started (its lines reach the journal
# through the kernel log, so they are found by identifier, not by unit)
t_modules_load_first() {
	journalctl -b -o cat -t systemd-modules-load | grep -x "Inserted module 'mirrornet'"
	[[ -d /sys/module/mirrornet ]]
	local loaded started
	loaded=$(prop systemd-modules-load.service ExecMainExitTimestampMonotonic)
	started=$(prop "$unit" ExecMainStartTimestampMonotonic)
	echo "modules-load done at $loaded us, mirrornet serve started at $started us"
	((loaded > 0 && started > loaded))
}

t_active() {
	[[ $(prop "$unit" ActiveState) == active ]]
	local pid
	pid=$(prop "$unit" MainPID)
	[[ $(readlink "/proc/$pid/exe") == "$helper" ]]
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -x "$helper serve "
}

# no host on vsock 2:50000 here: the helper keeps retrying, and its
# "<N>" prefixes give each line its priority in the journal
t_journal_priorities() {
	wait_for 120 bash -c "journalctl -b -o cat -u $unit -p warning..warning |
		grep -q '^cannot connect to vsock 2:50000'"
	journalctl -b -o cat -u "$unit" -p info..info | grep '^connecting to vsock 2:50000 (attempt 1)'
	# an info line is not logged as a warning
	! journalctl -b -o cat -u "$unit" -p warning | grep -q '^connecting to vsock'
}

t_restart_on_failure() {
	local pid
	pid=$(prop "$unit" MainPID)
	# not "kill 0": that would be our own process group
	((pid > 0)) || { echo "$unit has no main process"; return 1; }
	kill -KILL "$pid"
	wait_for 120 prop_is "$unit" NRestarts 1
	wait_for 120 prop_is "$unit" ActiveState active
	[[ $(prop "$unit" MainPID) != "$pid" ]]
}

# SIGTERM ends it cleanly: exit status 0, and no restart
t_stop() {
	systemctl stop "$unit"
	[[ $(prop "$unit" ActiveState) == inactive ]]
	[[ $(prop "$unit" Result) == success ]]
	[[ $(prop "$unit" ExecMainStatus) == 0 ]]
	sleep 2
	[[ $(prop "$unit" ActiveState) == inactive ]]
}

# a usage error (exit status 2) is not restarted
t_usage_error() {
	mkdir -p /run/systemd/system/$unit.d
	printf '[Service]\nExecStart=\nExecStart=%s serve --no-such-option\n' "$helper" \
		>/run/systemd/system/$unit.d/usage-error.conf
	systemctl daemon-reload
	systemctl reset-failed "$unit"
	systemctl start "$unit" || true
	wait_for 60 prop_is "$unit" ActiveState failed
	[[ $(prop "$unit" ExecMainStatus) == 2 ]]
	sleep 3
	[[ $(prop "$unit" ActiveState) == failed ]]
	[[ $(prop "$unit" NRestarts) == 0 ]]
}

echo "TAP version 13"
run_test "systemd-modules-load loads mirrornet.ko before mirrornet.service starts" t_modules_load_first
run_test "mirrornet.service runs the installed mirrornet serve" t_active
run_test "the journal has the helper's lines at their priorities" t_journal_priorities
run_test "Restart=on-failure: a SIGKILLed helper is started again" t_restart_on_failure
run_test "systemctl stop: the helper exits 0 on SIGTERM and stays stopped" t_stop
run_test "a usage error (exit status 2) is not restarted" t_usage_error
echo "1..$n"
echo MN-DMESG-BEGIN
dmesg
echo MN-DMESG-END
echo MN-DONE
systemctl reboot --force --force
# should that fail: a failed unit, whose OnFailure= report ends the VM
exit 1
