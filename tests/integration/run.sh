#!/bin/bash
# Integration tests of mirrornet.ko on Debian's stock kernels under QEMU:
# build the module against the kernel's headers, boot it with the test
# client and iproute2, grade the TAP the guest prints.
# Usage: tests/integration/run.sh [6.1|6.12]...   (default: both)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

series=("$@")
[[ ${#series[@]} -gt 0 ]] || series=(6.1 6.12)
out_root=${MN_OUT:-$MN_ROOT/build/integration}
make -s -C "$MN_ROOT" client

rc=0
for s in "${series[@]}"; do
	kver=$(mn_kver_newest "$s")
	out=$out_root/$kver
	rm -rf "$out"
	mn_build_module "$kver" "$out" || exit 1
	"$MN_ROOT/tests/vm/build-initramfs.sh" -o "$out/initrd.cpio" -k "$kver" \
		-M "dummy veth" -m "$out/mod/mirrornet.ko" \
		-b "$MN_ROOT/tests/client/mnctl" -d "$MN_ROOT/tests/integration/guest"
	qrc=0
	"$MN_ROOT/tests/vm/run-vm.sh" -k "/boot/vmlinuz-$kver" \
		-i "$out/initrd.cpio" -o "$out" -t 900 || qrc=$?
	"$MN_ROOT/tests/vm/check-results.sh" "$out" "integration-$s" "$qrc" || rc=1
done
exit $rc
