#!/bin/bash
# End-to-end tests on Debian's stock kernels under QEMU: mirrornet.ko and
# the helper `mirrornet serve`, driven over vsock_loopback by the host
# simulator tests/hostsim/gns-host playing session scripts
# (tests/e2e/guest/sessions). Grades the TAP the guest prints.
# Usage: tests/e2e/run.sh [6.1|6.12]...   (default: both)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

series=("$@")
[[ ${#series[@]} -gt 0 ]] || series=(6.1 6.12)
out_root=${MN_OUT:-$MN_ROOT/build/e2e}
mkdir -p "$out_root"

# stock modules: the helper's vsock channel through the loopback transport
# (vsock and vmw_vsock_virtio_transport_common come as its dependencies),
# nftables for GlobalNetFilter and InterfaceNetFilter, dummy and veth for
# stand-in NICs
stock="dummy veth vsock_loopback nf_tables nft_chain_nat nft_masq nft_ct"

make -s -C "$MN_ROOT" helper
bins=(-b "$MN_ROOT/helper/mirrornet")

# the host simulator: a plain dynamic binary, libc only
cc -std=gnu11 -O2 -Wall -Wextra -Werror -I"$MN_ROOT/helper" \
	-o "$out_root/gns-host" "$MN_ROOT/tests/hostsim/gns-host.c" "$MN_ROOT/helper/gns.c"
bins+=(-b "$out_root/gns-host")

rc=0
for s in "${series[@]}"; do
	kver=$(mn_kver_newest "$s")
	out=$out_root/$kver
	rm -rf "$out"
	mn_build_module "$kver" "$out" || exit 1
	"$MN_ROOT/tests/vm/build-initramfs.sh" -o "$out/initrd.cpio" -k "$kver" \
		-M "$stock" -m "$out/mod/mirrornet.ko" "${bins[@]}" \
		-d "$MN_ROOT/tests/e2e/guest"
	qrc=0
	"$MN_ROOT/tests/vm/run-vm.sh" -k "/boot/vmlinuz-$kver" \
		-i "$out/initrd.cpio" -o "$out" -t 900 || qrc=$?
	"$MN_ROOT/tests/vm/check-results.sh" "$out" "e2e-$s" "$qrc" || rc=1
done
exit $rc
