#!/bin/bash
# The guest-image test: a real Debian image per suite (bookworm with its
# 6.1 kernel, trixie with the newest kernel of trixie-backports), mirrornet
# installed from its .debs with apt (DKMS builds mirrornet.ko for the
# image's own kernel inside it), booted in QEMU (TCG) from its own kernel
# and initrd with systemd as PID 1, systemd-networkd (DHCP on the QEMU
# NIC, as cloud images ship it) and systemd-resolved. In the guest
# (guest/run-tests.sh), the host engine plays home-then-vpn.json over
# vsock_loopback to mirrornet.service with DNS tunneling; then the
# packages are removed, and a second boot of the same disk checks that
# nothing of them is left. Two boots per image.
# Usage: tests/image/run.sh [bookworm|trixie]...   (default: both)
# Last line: "image: P passed, F failed".
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

suites=("$@")
((${#suites[@]})) || suites=(bookworm trixie)
here=$MN_ROOT/tests/image
out_root=${MN_OUT:-$MN_ROOT/build/image}
passed=0 failed=0
mkdir -p "$out_root"

ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
# step NAME LOG CMD...: CMD with its output in LOG, shown on a failure
step() {
	local name=$1 log=$2 rc=0
	shift 2
	"$@" >"$log" 2>&1 || rc=$?
	if ((rc)); then
		not_ok "$name"
		tail -n 40 "$log" | sed 's/^/# /'
	fi
	return "$rc"
}

make -s -C "$MN_ROOT" helper host

# in_image DIR -- CMD...: CMD chrooted in the image's root
in_image() { "$MN_ROOT/scripts/debian-root.sh" chroot "$@"; }

# install_mirrornet SUITE WORK: the packages, built for SUITE, installed
# with apt in WORK/root
install_mirrornet() {
	local suite=$1 work=$2
	"$MN_ROOT/tests/deb/build.sh" "$suite" "$work/debs"
	ls "$work"/debs/mirrornet_*.deb "$work"/debs/mirrornet-dkms_*.deb
	in_image "$work/root" -b "$work/debs:/debs" -- \
		sh -c 'apt-get install -y --no-install-recommends /debs/mirrornet_*.deb /debs/mirrornet-dkms_*.deb'
}

# the image as a cloud image has it (systemd-networkd with DHCP on en*
# and eth*, systemd-resolved and its stub), and the test harness
configure_image() {
	local r=$1/root lib=$1/root/usr/lib/mn-image units=$1/root/etc/systemd/system
	cat >"$r/etc/systemd/network/50-dhcp.network" <<-'NET'
		[Match]
		Name=en* eth*

		[Network]
		DHCP=yes
	NET
	ln -sfn ../run/systemd/resolve/stub-resolv.conf "$r/etc/resolv.conf"
	echo mn-image >"$r/etc/hostname"
	echo '/dev/vda / ext4 defaults 0 1' >"$r/etc/fstab"
	# a first boot would ask for a locale and a password on the console
	head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$r/etc/machine-id"
	echo >>"$r/etc/machine-id"
	# the harness: the engine, its timeline and zone, the checks
	mkdir -p "$lib" "$r/usr/lib/mn-systemd" "$r/etc/systemd/system.conf.d"
	install -m 755 "$here"/guest/{run-tests.sh,host.sh} "$MN_ROOT/tests/scenarios/guest/lib/check-state" \
		"$MN_ROOT/tests/e2e/guest/lib/hotadd" "$MN_ROOT/tools/host/mirrornet-host" "$lib/"
	install -m 755 "$MN_ROOT"/tests/vm/systemd/{harness.sh,report.sh,watchdog.sh} \
		"$r/usr/lib/mn-systemd/"
	install -m 644 "$here/guest/image.zone" "$MN_ROOT/tests/scenarios/guest/lib/state.jq" \
		"$MN_ROOT/tests/scenarios/home-then-vpn.json" "$lib/"
	install -m 644 "$here"/guest/*.service "$units/"
	install -m 644 "$MN_ROOT/tests/vm/systemd/timeouts.conf" "$r/etc/systemd/system.conf.d/mn-image.conf"
	# the helper's channel to the engine in the same guest; the unit reads
	# MIRRORNET_OPTS from here
	printf 'vsock_loopback\ndummy\n' >"$r/etc/modules-load.d/mn-image.conf"
	printf 'MIRRORNET_OPTS="--vsock 1:50500 --dns-tunnel 1:50500"\n' >"$r/etc/default/mirrornet"
	in_image "$r" -- systemctl enable systemd-networkd.service systemd-resolved.service \
		mn-image-nics.service mn-image-host@home-then-vpn.service mn-image-test.service \
		mn-image-watchdog.service
	rm -rf "${r:?}"/run/* "${r:?}"/tmp/*
}

# boot WORK N: boot N of the image's disk, graded; QEMU under the shared lock
boot() {
	local work=$1 nr=$2 suite=$3 vm=$1/vm-$2 qrc=0 verdict p f
	rm -rf "$vm" && mkdir -p "$vm"
	SECONDS=0
	flock /tmp/mn-qemu.lock "$MN_ROOT/tests/vm/run-vm.sh" -k "$work/vmlinuz" -i "$work/initrd.img" \
		-o "$vm" -m 1G -t 900 -a "root=/dev/vda rw systemd.firstboot=off mn.deadline=720" -- \
		-drive "file=$work/disk.img,format=raw,if=virtio" \
		-nic user,model=virtio-net-pci,restrict=on >"$vm/run-vm.log" 2>&1 || qrc=$?
	# the boot's own time, without the wait for the lock
	echo "# $suite: boot $nr: $(grep -o 'QEMU exit status.*' "$vm/run-vm.log" || echo "QEMU exit status $qrc"), ${SECONDS}s with the lock's wait"
	verdict=$("$MN_ROOT/tests/vm/check-results.sh" "$vm" "image-$suite-$nr" "$qrc") || true
	sed -nE "s/^(ok|not ok) [0-9]+ - /\1 - $suite: /p" "$vm/tap.txt"
	sed '$d' <<<"$verdict" | sed 's/^/# /'
	read -r p f < <(tail -n 1 <<<"$verdict" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/')
	passed=$((passed + p))
	failed=$((failed + f))
}

for suite in "${suites[@]}"; do
	work=$out_root/$suite
	rm -rf "$work" && mkdir -p "$work"
	SECONDS=0
	step "$suite: the Debian root of the image" "$work/root.log" \
		"$MN_ROOT/scripts/debian-root.sh" path "$MN_ROOT/scripts/roots/$suite-image.list" || continue
	root=$(tail -n 1 "$work/root.log")
	echo "# $suite: the root took ${SECONDS}s ($root)"
	SECONDS=0
	cp -a "$root" "$work/root"
	# the image's own kernel: the one whose headers it has
	kver=$(find "$work/root/lib/modules" -mindepth 1 -maxdepth 1 -printf "%f\n" | sort -V | tail -n 1)
	step "$suite: mirrornet's packages install with apt" "$work/install.log" \
		install_mirrornet "$suite" "$work" || continue
	if compgen -G "$work/root/lib/modules/$kver/updates/dkms/mirrornet.ko*" >/dev/null &&
		in_image "$work/root" -- dkms status mirrornet | grep -q ", $kver, .*: installed"; then
		ok "$suite: DKMS built and installed mirrornet.ko for the image's kernel $kver"
	else
		not_ok "$suite: DKMS built and installed mirrornet.ko for the image's kernel $kver"
		sed 's/^/# /' "$work/install.log" | tail -n 40
		continue
	fi
	step "$suite: the image configured, the harness added" "$work/configure.log" \
		configure_image "$work" || continue
	cp "$work/root/boot/vmlinuz-$kver" "$work/vmlinuz"
	cp "$work/root/boot/initrd.img-$kver" "$work/initrd.img"
	size=$(du -sm "$work/root" | cut -f1)
	step "$suite: the disk image (mke2fs -d)" "$work/mke2fs.log" \
		mke2fs -q -t ext4 -L mn-image -d "$work/root" "$work/disk.img" "$((size * 13 / 10 + 512))M" ||
		continue
	echo "# $suite: the image took ${SECONDS}s (kernel $kver, ${size} MB)"
	rm -rf "$work/root"
	boot "$work" 1 "$suite"
	boot "$work" 2 "$suite"
done
echo "image: $passed passed, $failed failed"
((failed == 0))
