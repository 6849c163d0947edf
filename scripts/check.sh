#!/bin/bash
# make check: every suite, from a fresh Debian 12 machine. Each suite ends
# with a "NAME: P passed, F failed" line; the last line sums them all.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
out=$top/build/check
rm -rf "$out" && mkdir -p "$out"

scripts/deps.sh || exit 1
make -s client helper host || exit 1
# shellcheck source=../tests/vm/lib.sh
. tests/vm/lib.sh

# W=1 and sparse builds against every tested kernel (tests/vm/kernel.sh),
# 7.3's in the trixie build root; a warning is a failure
suite_build() {
	local pass=0 fail=0 s dir
	for s in $MN_KERNEL_SERIES; do
		dir=$out/build-$s
		if mn_kernel "$s" && mn_build_module "$MN_KREL" "$dir" "$MN_KHEADERS" \
			"$MN_KBUILDROOT" W=1 C=2 >/dev/null &&
			! grep -E 'warning:|error:' "$dir/build.log"; then
			pass=$((pass + 1))
			echo "ok - W=1 and sparse build against $MN_KREL"
		else
			fail=$((fail + 1))
			echo "not ok - W=1 and sparse build against $s"
			cat "$dir/build.log" 2>/dev/null
		fi
	done
	echo "build: $pass passed, $fail failed"
}

# checkpatch --strict on the module's sources, by the KUnit kernel's source
# tree (the headers packages do not ship it) and by 7.3's (from its
# linux-source package)
suite_style() {
	local pass=0 fail=0 kbuild name checkpatch
	local -A checkpatches=()
	kbuild=$(tests/kunit/build-kernel.sh | tail -n 1) &&
		checkpatches[kunit]=$(readlink -f "$kbuild/source")/scripts/checkpatch.pl
	checkpatches[7.3]=$(mn_backports_checkpatch) || checkpatches[7.3]=
	for name in kunit 7.3; do
		checkpatch=${checkpatches[$name]:-}
		# shellcheck disable=SC2046 # one word per tracked source file
		if [[ -x $checkpatch ]] &&
			! "$checkpatch" --no-tree --strict --terse --show-types -f \
				$(git ls-files 'kmod/*.[ch]') | grep -v ' 0 errors, 0 warnings, 0 checks'; then
			pass=$((pass + 1))
			echo "ok - checkpatch --strict of the $name tree"
		else
			fail=$((fail + 1))
			echo "not ok - checkpatch --strict of the $name tree (${checkpatch:-not found})"
		fi
	done
	echo "style: $pass passed, $fail failed"
}

# make install into a staging root: the module under updates/ with its
# genl family alias in modules.alias (how it autoloads), the helper
suite_install() {
	local root=$out/install kver rel
	kver=$(mn_kver_newest 6.1) || { echo "install: 0 passed, 1 failed"; return; }
	if make -s install KDIR="/usr/src/linux-headers-$kver" \
		INSTALL_MOD_PATH="$root" DESTDIR="$root" PREFIX=/usr \
		>"$out/install.build.log" 2>&1 &&
		rel=$(ls "$root/lib/modules") &&
		[[ -f $root/lib/modules/$rel/updates/mirrornet.ko ]] &&
		grep -q '^alias net-pf-16-proto-16-family-mirrornet mirrornet$' \
			"$root/lib/modules/$rel/modules.alias" &&
		[[ -x $root/usr/sbin/mirrornet ]]; then
		echo "ok - make install: updates/mirrornet.ko, family alias, helper"
		echo "install: 1 passed, 0 failed"
	else
		echo "not ok - make install"
		cat "$out/install.build.log"
		find "$root" -type f | head -20
		echo "install: 0 passed, 1 failed"
	fi
}

# DKMS for both kernels in a private tree, the unit (verified, and under
# the host's systemd in a VM), the man page, the modprobe.d and
# modules-load.d examples, autoloading through the family alias in VMs
suite_packaging() {
	MN_OUT=$out/packaging tests/packaging/run.sh
}

# the Debian packages built on bookworm and in the trixie build root:
# lintian, contents, version, hardening, dkms's kernel floor
suite_deb() {
	MN_OUT=$out/deb tests/deb/run.sh
}

suite_kunit() {
	local kbuild mod=$out/kunit/mod
	kbuild=$(tests/kunit/build-kernel.sh | tail -n 1) ||
		{ echo "kunit: 0 passed, 1 failed"; return; }
	# W=1: a warning in the module or its KUnit tests is a failure
	mn_build_module kunit "$out/kunit" "$kbuild" "" W=1 CONFIG_MIRRORNET_KUNIT_TEST=m \
		>/dev/null && ! grep -E 'warning:|error:' "$out/kunit/build.log" ||
		{ cat "$out/kunit/build.log"; echo "kunit: 0 passed, 1 failed"; return; }
	tests/kunit/run.sh -b "$kbuild" -o "$out/kunit/vm" \
		"$mod/mirrornet.ko" "$mod/mirrornet_kunit.ko"
}

# the stock kernels (tests/vm/kernel.sh) and the debug (KUnit) kernel; each
# boot grades its integration section and its adversarial section
# (integration-SERIES, adversarial-SERIES)
suite_integration() {
	# shellcheck disable=SC2086 # the series are words
	MN_OUT=$out/integration tests/integration/run.sh $MN_KERNEL_SERIES debug
}

# lib/gns: the GNS and DNS tunneling wire formats every program shares
suite_lib() {
	tests/lib/run.sh
}

# the helper's framing and decoding, and its system parts (sysctl files,
# resolv.conf, nftables and the probe in a private netns; resolv.conf and
# systemd-resolved in private namespaces), on this machine
suite_helper() {
	tests/helper/run.sh
	tests/sys/run.sh
	tests/hostsim/test-unix.sh
	tests/resolved/run.sh
}

# DNS tunneling and WSL's launch contract in a private netns, real dig
# clients, a host over socketpairs, no module
suite_tunnel() {
	MN_OUT=$out/tunnel tests/tunnel/run.sh
}

# the host engine's rules, command line and transport, on this machine
suite_host() {
	tests/host/run.sh
}

suite_fuzz() {
	tests/fuzz/run.sh
}

# the stock kernels (tests/vm/kernel.sh), and the debug (KUnit) kernel:
# every session, and the Wi-Fi emulation on its virt_wifi
suite_e2e() {
	# shellcheck disable=SC2086 # the series are words
	MN_OUT=$out/e2e tests/e2e/run.sh $MN_KERNEL_SERIES virt_wifi
}

# the host engine plays realistic timelines into the VM, both kernels
suite_scenarios() {
	MN_OUT=$out/scenarios tests/scenarios/run.sh 6.1 6.12
}

# a real Debian image per suite (bookworm's 6.1, trixie-backports' newest
# kernel): the .debs installed with apt, DKMS in the image, systemd as
# PID 1 with systemd-networkd and systemd-resolved, the host engine over
# vsock_loopback; then the packages removed and the image booted again
suite_image() {
	MN_OUT=$out/image tests/image/run.sh bookworm trixie
}

# the spec with the kernel's own ynl CLI (linux-source-6.12) in the VM
suite_ynl() {
	MN_OUT=$out/ynl tests/ynl/run.sh 6.12 6.1
}

SECONDS=0
for suite in suite_build suite_style suite_install suite_packaging suite_deb \
	suite_lib suite_helper suite_tunnel suite_host suite_fuzz suite_kunit suite_integration \
	suite_e2e suite_scenarios suite_image suite_ynl; do
	echo "== ${suite#suite_}"
	$suite 2>&1 | tee "$out/${suite#suite_}.log"
done
echo "== done in ${SECONDS}s"

grep -hE '^[A-Za-z0-9._-]+: [0-9]+ passed, [0-9]+ failed' "$out"/*.log |
	awk '{p += $2; f += $4} END {printf "%d passed, %d failed\n", p, f; exit f > 0 || p == 0}'
