#!/bin/bash
# Inside the image: report.sh REASON. A failing test named REASON, with the
# state of the units as "# " lines, on the results port (ttyS1), then the
# dmesg section and MN-DONE, and the VM's end. For a test runner that could
# not start, failed or timed out (OnFailure=), or the deadline (watchdog.sh).
set -u
state=/run/mn-image
mkdir -p "$state"
# after whatever run-tests.sh is writing (it holds the lock while it runs)
exec 9>>"$state/lock"
flock -w 60 9 || true
exec >/dev/ttyS1 2>&1 </dev/null
stty -F /dev/ttyS1 raw -echo

n=0
[[ -s $state/n ]] && n=$(cat "$state/n")
((n > 0)) || echo "TAP version 13"
n=$((n + 1))
# bounded: systemd itself may be what hangs
t() { timeout 30 "$@" 2>&1; }
echo "not ok $n - $1"
{
	t systemctl status --no-pager --full --lines=20 mn-image-test.service mirrornet.service \
		'mn-image-host@*'
	echo "--- failed units"
	t systemctl --no-pager --failed
	echo "--- jobs"
	t systemctl --no-pager list-jobs
	echo "--- journal"
	t journalctl -b --no-pager -o short-monotonic | tail -n 60
} | sed 's/^/# /'
echo "1..$n"
echo MN-DMESG-BEGIN
dmesg
echo MN-DMESG-END
echo MN-DONE
sync
systemctl reboot --force --force
sleep 10
echo b >/proc/sysrq-trigger
