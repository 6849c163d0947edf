#!/bin/bash
# Inside a VM with tests/vm/systemd/harness.sh: watchdog.sh UNIT...
# If the tests have not ended the VM by the kernel command line's
# mn.deadline=SECONDS of uptime (default 900), report.sh with the UNITs
# and the VM's end, before the host's timeout would kill it without a word.
set -u
deadline=900
read -r -a args </proc/cmdline
for arg in "${args[@]}"; do
	case $arg in
	mn.deadline=*) deadline=${arg#*=} ;;
	esac
done
read -r up _ </proc/uptime
up=${up%.*}
((up >= deadline)) || sleep $((deadline - up))
exec /usr/lib/mn-systemd/report.sh "the tests had not ended ${deadline} s after boot" "$@"
