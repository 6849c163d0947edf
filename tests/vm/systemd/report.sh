#!/bin/bash
# Inside a VM with harness.sh: report.sh REASON UNIT... A failing test
# named REASON, with the state of the UNITs (systemctl patterns) and
# systemd's as "# " lines, on the results port, then the dmesg section and
# MN-DONE, and the VM's end. For a test runner that could not start,
# failed or timed out (OnFailure=), or the deadline (watchdog.sh).
set -u
# shellcheck source-path=SCRIPTDIR source=harness.sh
. "${BASH_SOURCE[0]%/*}/harness.sh"
# after whatever the suite is writing (it holds the lock while it runs)
harness_open

reason=$1
shift
# the next test number after the suite's, if it started
if [[ -s $harness_dir/n ]]; then
	n=$(cat "$harness_dir/n")
else
	n=0
	echo "TAP version 13"
fi
n=$((n + 1))
journal_units=()
for u; do journal_units+=(-u "$u"); done
# a bounded command: systemd itself may be what hangs
t() { timeout 30 "$@" 2>&1; }
echo "not ok $n - $reason"
{
	t systemctl status --no-pager --full --lines=20 "$@"
	echo "--- failed units"
	t systemctl --no-pager --failed
	echo "--- jobs"
	t systemctl --no-pager list-jobs
	echo "--- journal of the units"
	t journalctl -b --no-pager -o short-monotonic "${journal_units[@]}" | tail -n 60
} | sed 's/^/# /'
harness_results
# at once: what hangs may be in the way of an orderly end
systemctl reboot --force --force
sleep 10
echo b >/proc/sysrq-trigger
