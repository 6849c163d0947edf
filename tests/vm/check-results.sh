#!/bin/bash
# Verdict of a VM test run (run-vm.sh OUTDIR): pass only if QEMU exited 0,
# the guest wrote MN-DONE, TAP has >= 1 "ok", no "not ok", no "Bail out!",
# and neither dmesg nor the console shows a kernel problem.
# Writes OUTDIR/tap.txt and OUTDIR/dmesg.txt; last line "NAME: P passed, F failed".
# Usage: check-results.sh OUTDIR NAME QEMU_RC [SECTION=NAME]...
# With sections, the guest prints "MN-SECTION SECTION" before each one's
# TAP, and each section is graded under its own NAME (one line each); a
# crash, hang, timeout or kernel problem counts against the last section
# that started, and a section that never started is one failure.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

(($# >= 3)) || mn_die "usage: ${0##*/} OUTDIR NAME QEMU_RC [SECTION=NAME]..."
out=$1 name=$2 qemu_rc=$3
shift 3
touch "$out/results.log" "$out/console.log"
mn_nocr "$out/results.log" | sed '/^MN-DMESG-BEGIN$/,$d' >"$out/tap.txt"
mn_dmesg_section "$out/results.log" >"$out/dmesg.txt"

# problems of the whole run
bugs=$(mn_bug_lines "$out/dmesg.txt" "$out/console.log")
problems=()
((qemu_rc == 0)) || problems+=("QEMU exit status $qemu_rc (124 = timeout)")
grep -q '^MN-DONE' "$out/results.log" || problems+=("no MN-DONE marker: the guest crashed or hung")
[[ -z $bugs ]] || problems+=("kernel problem reported in dmesg or console")

# grade TAP file under label with the run's problems (if any) added
grade() {
	local tap=$1 label=$2 run_problems=$3 passed failed p
	passed=$(grep -c '^ok ' "$tap" || true)
	failed=$(grep -c '^not ok ' "$tap" || true)
	local probs=()
	((passed > 0)) || probs+=("no passing test")
	mapfile -t bail < <(grep '^Bail out!' "$tap" || true)
	probs+=("${bail[@]}")
	((run_problems)) && probs+=("${problems[@]}")
	if ((failed)); then
		echo "$label: failing tests (with their output):"
		awk '/^not ok /{show=1; print; next} /^#/{if (show) print; next} {show=0}' "$tap"
	fi
	if ((${#probs[@]})); then
		for p in "${probs[@]}"; do echo "$label: $p"; done
		((run_problems && ${#problems[@]})) && mn_show_context "$out"
		# a crash, hang or kernel problem is one failure beyond the TAP count
		failed=$((failed + 1))
	fi
	echo "$label: $passed passed, $failed failed"
	((failed == 0))
}

if (($# == 0)); then
	grade "$out/tap.txt" "$name" 1
	exit
fi

# the last section that started carries the run's problems
last=
for pair; do
	grep -qx "MN-SECTION ${pair%%=*}" "$out/tap.txt" && last=${pair%%=*}
done
[[ -n $last ]] || last=${1%%=*}
rc=0
for pair; do
	section=${pair%%=*} label=${pair#*=}
	if ! grep -qx "MN-SECTION $section" "$out/tap.txt"; then
		echo "$label: the section did not run"
		echo "$label: 0 passed, 1 failed"
		rc=1
		continue
	fi
	awk -v s="MN-SECTION $section" '$0 == s {on=1; next} /^MN-SECTION / {on=0} on' \
		"$out/tap.txt" >"$out/tap-$section.txt"
	grade "$out/tap-$section.txt" "$label" "$([[ $section == "$last" ]] && echo 1 || echo 0)" || rc=1
done
exit $rc
