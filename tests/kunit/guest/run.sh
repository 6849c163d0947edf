#!/bin/sh
# shellcheck shell=dash
# KUnit guest script, run by /init with stdout on ttyS1 (results.log):
# insmod /lib/mirrornet/<m> for each line of /tests/modules.list in order
# (KUnit runs a module's suites while it loads), collect every suite's KTAP
# from debugfs, rmmod in reverse order, then let kmemleak look for what the
# modules left behind (reports go to dmesg, which the host scans). Prints one
# KTAP document; insmod/rmmod failures are extra "not ok" entries.
KUNIT=/sys/kernel/debug/kunit
KMEMLEAK=/sys/kernel/debug/kmemleak

# wait until the guest has been up for $1 seconds
wait_uptime() {
	while awk -v t="$1" '{ exit !($1 < t) }' /proc/uptime; do sleep 0.2; done
}
now() { cut -d' ' -f1 /proc/uptime; }

failures='' nfail=0
fail() {
	failures="$failures $1"
	nfail=$((nfail + 1))
}

# crash fallback (pitfalls 6, 7): module suites print no top-level KTAP
# header, so give the console one that the host can parse from this marker
echo MN-KTAP-CONSOLE >/dev/kmsg
echo "KTAP version 1" >/dev/kmsg
echo "1..$(grep -c '_kunit\.ko$' /tests/modules.list)" >/dev/kmsg

loaded=''
# test modules load in a private netns: their suites run during insmod
# and test the namespace of the loading task
while read -r ko; do
	case $ko in
	*_kunit.ko) load="unshare -n insmod" ;;
	*) load=insmod ;;
	esac
	if $load "/lib/mirrornet/$ko"; then
		loaded="${ko%.ko} $loaded"
	else
		fail "insmod_${ko%.ko}"
	fi
done </tests/modules.list
loaded_at=$(now)

# each results file is a KTAP document with a "1..1" plan for its suite:
# drop its header and renumber the suite's own result line
n=0
for results in "$KUNIT"/*/results; do
	[ -r "$results" ] || continue
	n=$((n + 1))
	tail -n +3 "$results" | awk -v i="$n" '{ sub(/^ok 1 /, "ok " i " "); sub(/^not ok 1 /, "not ok " i " "); print }'
done >/tmp/suites.ktap

for mod in $loaded; do
	# leak backtraces show unloaded modules' code as bare addresses
	echo "mn-kunit: $mod .text was at $(cat "/sys/module/$mod/sections/.text")" >/dev/kmsg
	rmmod "$mod" || fail "rmmod_$mod"
done

# kmemleak reports an object only once it is older than 5 s and its checksum
# was unchanged since the previous scan: so scan now (~5 s under TCG), wait
# until the suites (run during insmod) are 5 s past, and scan again.
# No baseline scan before insmod: this kernel has no boot-time leak reports,
# and a baseline would cost 5 s after boot plus two more scans.
if echo scan >$KMEMLEAK &&
	wait_uptime "$(awk -v t="$loaded_at" 'BEGIN { print t + 5.5 }')" &&
	echo scan >$KMEMLEAK; then
	while read -r line; do echo "kmemleak: $line" >/dev/kmsg; done <$KMEMLEAK
else
	fail kmemleak_scan
fi

echo "KTAP version 1"
echo "1..$((n + nfail))"
cat /tmp/suites.ktap
for name in $failures; do
	n=$((n + 1))
	echo "not ok $n $name"
done
