#!/bin/bash
# Run out-of-tree KUnit test modules on the KUnit kernel under QEMU (TCG).
# Modules are insmod'ed in the order given (dependencies first, e.g.
# mirrornet.ko mirrornet_kunit.ko) and rmmod'ed in reverse order.
# Usage: tests/kunit/run.sh -b KBUILD_DIR -o OUTDIR [-t TIMEOUT_S] MODULE.ko...
#   KBUILD_DIR: last line of tests/kunit/build-kernel.sh
# Writes OUTDIR/{ktap.txt,kunit.json,kunit.txt,dmesg.txt,console.log,...};
# last line "kunit: P passed, F failed, S skipped"; exit 0 only on full pass.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

usage() { mn_die "usage: ${0##*/} -b KBUILD_DIR -o OUTDIR [-t TIMEOUT_S] MODULE.ko..."; }

kbuild='' out='' timeout_s=180
while getopts b:o:t: opt; do
	case $opt in
	b) kbuild=$OPTARG ;;
	o) out=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[[ -n $kbuild && -n $out && $# -gt 0 ]] || usage
bzimage=$kbuild/arch/x86/boot/bzImage
kunit_py=$(readlink -f "$kbuild/source")/tools/testing/kunit/kunit.py
[[ -r $bzimage && -r $kunit_py ]] || mn_die "$kbuild is not a built KUnit kernel"
mkdir -p "$out"
# kunit.py changes into the kernel tree: absolute paths only (pitfall 10)
out=$(cd "$out" && pwd)

stage=$out/guest
rm -rf "$stage"
mkdir -p "$stage"
cp "$MN_ROOT/tests/kunit/guest/run.sh" "$stage/run.sh"
mods=()
for ko; do
	[[ -r $ko ]] || mn_die "no such module: $ko"
	echo "${ko##*/}" >>"$stage/modules.list"
	mods+=(-m "$ko")
done
"$MN_ROOT/tests/vm/build-initramfs.sh" -o "$out/initramfs.cpio" "${mods[@]}" -d "$stage"

# a WARN (or KASAN/UBSAN report) must not panic here: the other cases still
# run and the dmesg scan below fails the run. 256M leaves ~160 MB usable
# next to KASAN's shadow, and each kmemleak scan takes ~1 s less than at 512M
qemu_rc=0
"$MN_ROOT/tests/vm/run-vm.sh" -k "$bzimage" -i "$out/initramfs.cpio" -o "$out" \
	-t "$timeout_s" -m 256M -a "kunit.enable=1 panic_on_warn=0" || qemu_rc=$?

touch "$out/results.log" "$out/console.log"
mn_dmesg_section "$out/results.log" >"$out/dmesg.txt"
problems=()
if grep -q '^MN-DONE' "$out/results.log"; then
	mn_nocr "$out/results.log" | sed '/^MN-DMESG-BEGIN$/,$d' >"$out/ktap.txt"
else
	# the guest died: parse what KUnit printed to the console after the
	# guest's marker and top-level KTAP header (pitfall 6)
	problems+=("no MN-DONE marker: the guest crashed or hung; KTAP taken from the console")
	mn_nocr "$out/console.log" | sed -n '/MN-KTAP-CONSOLE/,$p' | tail -n +2 >"$out/ktap.txt"
fi

parse_rc=0
python3 "$kunit_py" parse --json="$out/kunit.json" "$out/ktap.txt" >"$out/kunit.txt" 2>&1 || parse_rc=$?
cat "$out/kunit.txt"
read -r passed failed skipped < <(python3 - "$out/kunit.json" <<'EOF'
import json, sys
counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
def walk(group):
    for case in group["test_cases"]:
        status = case["status"]
        counts[status if status in counts else "FAIL"] += 1
    for sub in group["sub_groups"]:
        walk(sub)
try:
    walk(json.load(open(sys.argv[1])))
except (OSError, ValueError):
    pass
print(counts["PASS"], counts["FAIL"], counts["SKIP"])
EOF
)

((qemu_rc == 0)) || problems+=("QEMU exit status $qemu_rc (124 = timeout)")
((passed + failed + skipped > 0)) || problems+=("no test ran")
((parse_rc == 0 || failed > 0)) || problems+=("kunit.py parse failed (exit $parse_rc)")
[[ -z $(mn_bug_lines "$out/dmesg.txt" "$out/console.log") ]] ||
	problems+=("kernel problem (KASAN, UBSAN, lockdep, kmemleak, WARN...) in dmesg or console")

if ((${#problems[@]})); then
	for p in "${problems[@]}"; do echo "kunit: $p"; done
	mn_show_context "$out"
	# a crash, hang, leak or kernel problem is one failure beyond the cases
	failed=$((failed + 1))
fi
echo "kunit: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
