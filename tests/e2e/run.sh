#!/bin/bash
# End-to-end tests on Debian's stock kernels under QEMU: mirrornet.ko and
# the helper `mirrornet serve`, driven over vsock_loopback by the host
# simulator tests/hostsim/gns-host playing session scripts
# (tests/e2e/guest/sessions). Grades the TAP the guest prints.
# Usage: tests/e2e/run.sh [SERIES|virt_wifi]...   (default: 6.1 6.12 7.3)
# SERIES: a stock kernel, as tests/vm/kernel.sh names it (6.1, 6.12, 7.3).
# virt_wifi: the KUnit debug kernel (tests/kunit/build-kernel.sh: KASAN,
# UBSAN, lockdep, kmemleak, KFENCE, DEBUG_NET), which has CONFIG_VIRT_WIFI
# and the rest built in: every session, then the Wi-Fi emulation on a
# virt_wifi link; any kernel report fails the run.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

series=("$@")
# shellcheck disable=SC2206 # the series are words
[[ ${#series[@]} -gt 0 ]] || series=($MN_KERNEL_SERIES)
out_root=${MN_OUT:-$MN_ROOT/build/e2e}
mkdir -p "$out_root"

# stock modules: the helper's vsock channel through the loopback transport
# (vsock and vmw_vsock_virtio_transport_common come as its dependencies),
# nftables for GlobalNetFilter and InterfaceNetFilter, dummy and veth for
# stand-in NICs
stock="dummy veth vsock_loopback nf_tables nft_chain_nat nft_masq nft_ct"

make -s -C "$MN_ROOT" helper host
# the host engine answers the DNS tunneling tests; dig and getent ask
bins=(-b "$MN_ROOT/helper/mirrornet" -b "$MN_ROOT/tools/host/mirrornet-host"
	-b /usr/bin/dig -b /usr/bin/getent)

# the host simulator: a plain dynamic binary, libc only
cc -std=gnu11 -O2 -Wall -Wextra -Werror -I"$MN_ROOT/lib" \
	-o "$out_root/gns-host" "$MN_ROOT/tests/hostsim/gns-host.c" "$MN_ROOT"/lib/gns/*.c
bins+=(-b "$out_root/gns-host")
# WSL's start of gns: the GNS channel, then the DNS channel
cc -std=gnu11 -O2 -Wall -Wextra -Werror \
	-o "$out_root/mini-init" "$MN_ROOT/tests/hostsim/mini-init.c"
bins+=(-b "$out_root/mini-init")

rc=0
for s in "${series[@]}"; do
	if [[ $s == virt_wifi ]]; then
		# built, or taken from the cache
		kbuild=$("$MN_ROOT/tests/kunit/build-kernel.sh" | tail -n 1) || exit 1
		kver=virt_wifi kernel=$kbuild/arch/x86/boot/bzImage buildroot=
		initrd_args=() vm_args=(-m 512M -a "mn.virt_wifi=1")
	else
		mn_kernel "$s" || exit 1
		kver=$MN_KREL kbuild=$MN_KHEADERS kernel=$MN_KIMAGE buildroot=$MN_KBUILDROOT
		initrd_args=(-k "$kver" -M "$stock" -r "$MN_KMODROOT") vm_args=()
	fi
	out=$out_root/$kver
	rm -rf "$out"
	mn_build_module "$kver" "$out" "$kbuild" "$buildroot" || exit 1
	"$MN_ROOT/tests/vm/build-initramfs.sh" -o "$out/initrd.cpio" \
		"${initrd_args[@]}" -m "$out/mod/mirrornet.ko" "${bins[@]}" \
		-d "$MN_ROOT/tests/e2e/guest"
	qrc=0
	"$MN_ROOT/tests/vm/run-vm.sh" -k "$kernel" -i "$out/initrd.cpio" \
		-o "$out" -t 900 "${vm_args[@]}" || qrc=$?
	"$MN_ROOT/tests/vm/check-results.sh" "$out" "e2e-$s" "$qrc" || rc=1
done
exit $rc
