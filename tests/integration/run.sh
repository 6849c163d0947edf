#!/bin/bash
# Integration tests of mirrornet.ko under QEMU: build the module against the
# kernel's headers, boot it with the test client, the adversarial tools and
# iproute2, grade the TAP the guest prints: its integration section and its
# adversarial section (tests/integration/guest/adversarial.sh) each under
# their own name.
# Usage: tests/integration/run.sh [SERIES|debug]...   (default: 6.1 6.12 7.3)
# SERIES: a stock kernel, as tests/vm/kernel.sh names it (6.1, 6.12, 7.3).
# debug: the KUnit kernel (tests/kunit/build-kernel.sh: KASAN, UBSAN,
# lockdep, kmemleak, KFENCE, DEBUG_NET), everything built in; any kernel
# report fails the run.
# MN_SECTIONS="adversarial" (or "integration") runs only those sections.
# Each VM has a time limit (600 s on a stock kernel, 1200 s on the debug
# one); a crash, hang or timeout is graded as a failure of the section
# that was running.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

series=("$@")
# shellcheck disable=SC2206 # the series are words
[[ ${#series[@]} -gt 0 ]] || series=($MN_KERNEL_SERIES)
out_root=${MN_OUT:-$MN_ROOT/build/integration}
sections=${MN_SECTIONS:-integration adversarial}
make -s -C "$MN_ROOT" client

# the adversarial tools: plain dynamic binaries, libc only
mkdir -p "$out_root/tools"
tools=()
for src in "$MN_ROOT"/tests/integration/tools/*.c; do
	bin=$out_root/tools/$(basename "$src" .c)
	cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$bin" "$src"
	tools+=(-b "$bin")
done

cmdline="mn.sections=${sections// /,}"
check_args=()
rc=0
for s in "${series[@]}"; do
	if [[ $s == debug ]]; then
		kbuild=$("$MN_ROOT/tests/kunit/build-kernel.sh" | tail -n 1) || exit 1
		kver=debug kernel=$kbuild/arch/x86/boot/bzImage buildroot=
		initrd_args=() extra="mn.tap_timeout=240" limit=1200
	else
		mn_kernel "$s" || exit 1
		kver=$MN_KREL kbuild=$MN_KHEADERS kernel=$MN_KIMAGE buildroot=$MN_KBUILDROOT
		initrd_args=(-k "$kver" -M "dummy veth" -r "$MN_KMODROOT") extra='' limit=600
	fi
	out=$out_root/$kver
	rm -rf "$out"
	mn_build_module "$kver" "$out" "$kbuild" "$buildroot" || exit 1
	"$MN_ROOT/tests/vm/build-initramfs.sh" -o "$out/initrd.cpio" \
		"${initrd_args[@]}" -m "$out/mod/mirrornet.ko" \
		-b "$MN_ROOT/tests/client/mnctl" "${tools[@]}" \
		-d "$MN_ROOT/tests/integration/guest"
	check_args=()
	for section in $sections; do check_args+=("$section=$section-$s"); done
	qrc=0
	SECONDS=0
	"$MN_ROOT/tests/vm/run-vm.sh" -k "$kernel" -i "$out/initrd.cpio" \
		-o "$out" -t "$limit" -a "$cmdline $extra" || qrc=$?
	mn_log "$s: ${SECONDS}s in QEMU"
	"$MN_ROOT/tests/vm/check-results.sh" "$out" "integration-$s" "$qrc" \
		"${check_args[@]}" || rc=1
done
exit $rc
