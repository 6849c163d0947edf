#!/bin/bash
# Inside the systemd VM: report.sh REASON. A failing test named REASON,
# with the state of the units as "# " lines, on the results port, then the
# dmesg section and MN-DONE, and the VM's end. For a test runner that could
# not start, failed or timed out (OnFailure=), or a deadline (watchdog.sh).
set -u
state=/run/mn-packaging
mkdir -p "$state"
# after whatever run-tests.sh is writing (it holds the lock while it runs)
exec 9>>"$state/lock"
flock -w 60 9 || true
exec >/dev/ttyS1 2>&1 </dev/null
stty -F /dev/ttyS1 raw -echo

# the next test number after run-tests.sh's
n=0
[[ -s $state/n ]] && n=$(cat "$state/n")
((n > 0)) || echo "TAP version 13"
n=$((n + 1))
# a bounded command: systemd itself may be what hangs
t() { timeout 30 "$@" 2>&1; }
echo "not ok $n - $1"
{
	t systemctl status --no-pager --full --lines=20 mn-packaging-test.service mirrornet.service
	echo "--- failed units"
	t systemctl --no-pager --failed
	echo "--- jobs"
	t systemctl --no-pager list-jobs
	echo "--- journal of the units"
	t journalctl -b --no-pager -o short-monotonic -u mn-packaging-test.service \
		-u mirrornet.service -u systemd-modules-load.service | tail -n 40
} | sed 's/^/# /'
echo "1..$n"
echo MN-DMESG-BEGIN
dmesg
echo MN-DMESG-END
echo MN-DONE
systemctl reboot --force --force
sleep 10
echo b >/proc/sysrq-trigger
