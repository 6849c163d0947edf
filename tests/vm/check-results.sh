#!/bin/bash
# Verdict of a VM test run (run-vm.sh OUTDIR): pass only if QEMU exited 0,
# the guest wrote MN-DONE, TAP has >= 1 "ok", no "not ok", no "Bail out!",
# and neither dmesg nor the console shows a kernel problem.
# Writes OUTDIR/tap.txt and OUTDIR/dmesg.txt; last line "NAME: P passed, F failed".
# Usage: check-results.sh OUTDIR NAME QEMU_RC
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

(($# == 3)) || mn_die "usage: ${0##*/} OUTDIR NAME QEMU_RC"
out=$1 name=$2 qemu_rc=$3
touch "$out/results.log" "$out/console.log"
mn_nocr "$out/results.log" | sed '/^MN-DMESG-BEGIN$/,$d' >"$out/tap.txt"
mn_dmesg_section "$out/results.log" >"$out/dmesg.txt"

passed=$(grep -c '^ok ' "$out/tap.txt" || true)
failed=$(grep -c '^not ok ' "$out/tap.txt" || true)
bugs=$(mn_bug_lines "$out/dmesg.txt" "$out/console.log")
problems=()
((qemu_rc == 0)) || problems+=("QEMU exit status $qemu_rc (124 = timeout)")
grep -q '^MN-DONE' "$out/results.log" || problems+=("no MN-DONE marker: the guest crashed or hung")
((passed > 0)) || problems+=("no passing test")
mapfile -t bail < <(grep '^Bail out!' "$out/tap.txt" || true)
problems+=("${bail[@]}")
[[ -z $bugs ]] || problems+=("kernel problem reported in dmesg or console")

if ((failed)); then
	echo "$name: failing tests (with their output):"
	awk '/^not ok /{show=1; print; next} /^#/{if (show) print; next} {show=0}' "$out/tap.txt"
fi
if ((${#problems[@]})); then
	for p in "${problems[@]}"; do echo "$name: $p"; done
	mn_show_context "$out"
	# a crash, hang or kernel problem is one failure beyond the TAP count
	failed=$((failed + 1))
fi
echo "$name: $passed passed, $failed failed"
((failed == 0))
