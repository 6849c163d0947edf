#!/bin/bash
# make demo: boot Debian's stock kernel in QEMU, load mirrornet.ko and mirror
# a home network into it; print what the guest's kernel shows.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../tests/vm/lib.sh
. "$(dirname "$0")/../tests/vm/lib.sh"

echo "demo: installing what is missing"
"$MN_ROOT/scripts/deps.sh" >/dev/null
kver=$(mn_kver_61)
out=$MN_ROOT/build/demo
rm -rf "$out" && mkdir -p "$out/mod" "$out/include"
echo "demo: building mirrornet.ko for $kver and the client"
make -s -C "$MN_ROOT" client
cp "$MN_ROOT"/kmod/*.[ch] "$MN_ROOT/kmod/Kbuild" "$out/mod/"
cp -r "$MN_ROOT/include/uapi" "$out/include/"
make -s -C "/usr/src/linux-headers-$kver" M="$out/mod" modules >"$out/build.log" 2>&1
"$MN_ROOT/tests/vm/build-initramfs.sh" -o "$out/initrd.cpio" -k "$kver" \
	-M dummy -m "$out/mod/mirrornet.ko" -b "$MN_ROOT/tests/client/mnctl" \
	-d "$MN_ROOT/demo/guest"
echo "demo: booting $kver under QEMU (TCG, about 10 s)"
"$MN_ROOT/tests/vm/run-vm.sh" -k "/boot/vmlinuz-$kver" -i "$out/initrd.cpio" \
	-o "$out" -t 300 2>/dev/null
mn_nocr "$out/results.log" | sed '/^MN-DMESG-BEGIN$/,$d'
