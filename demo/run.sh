#!/bin/bash
# make demo: installs what is missing, builds mirrornet.ko (Debian's stock
# 6.1 headers), the helper and the host engine, boots Debian's stock 6.1
# kernel under QEMU, and plays the "home, then a corporate VPN connects"
# timeline (tests/scenarios/home-then-vpn.json, or the file given) through
# mirrornet serve into the module. After each step it prints the host's
# snapshot beside the guest's ip addr, ip route (all tables), resolv.conf,
# then mirrornet show, and finally the module's dmesg lines. Progress on
# stderr, one line for whatever it waits for.
# Usage: demo/run.sh [TIMELINE.json]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../tests/vm/lib.sh
. "$(dirname "$0")/../tests/vm/lib.sh"

timeline=${1:-$MN_ROOT/tests/scenarios/home-then-vpn.json}
out=$MN_ROOT/build/demo
# stock modules: the helper's vsock channel, nftables, dummy NICs
stock="dummy vsock_loopback nf_tables nft_chain_nat nft_masq nft_ct"

# one progress line on a terminal, kept up to date; plain lines otherwise
progress() {
	if [[ -t 2 ]]; then
		printf '\r\033[Kdemo: %s' "$*" >&2
	else
		printf 'demo: %s\n' "$*" >&2
	fi
}
progress_end() { [[ ! -t 2 ]] || printf '\r\033[K' >&2; }

# run LOG CMD...: CMD with its output in LOG, shown if it fails
run() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 || { progress_end; cat "$log"; mn_die "failed: $*"; }
}

SECONDS=0
[[ -r $timeline ]] || mn_die "cannot read $timeline"
rm -rf "$out" && mkdir -p "$out/image"
progress "installing what is missing (scripts/deps.sh)"
run "$out/deps.log" "$MN_ROOT/scripts/deps.sh"
kver=$(mn_kver_61)
progress "building mirrornet.ko for $kver"
run "$out/module.log" mn_build_module "$kver" "$out"
progress "building the helper (make helper) and the host engine (make host)"
run "$out/make.log" make -s -C "$MN_ROOT" helper host
progress "building the initramfs"
cp "$MN_ROOT"/demo/guest/run.sh "$MN_ROOT"/demo/guest/host-table.jq \
	"$MN_ROOT/tests/e2e/guest/lib/hotadd" "$out/image/"
cp "$timeline" "$out/image/timeline.json"
run "$out/initramfs.log" "$MN_ROOT/tests/vm/build-initramfs.sh" \
	-o "$out/initrd.cpio" -k "$kver" -M "$stock" -m "$out/mod/mirrornet.ko" \
	-b "$MN_ROOT/helper/mirrornet" -b "$MN_ROOT/tools/host/mirrornet-host" \
	-d "$out/image"
built=$SECONDS

progress "booting $kver under QEMU (TCG)"
"$MN_ROOT/tests/vm/run-vm.sh" -k "/boot/vmlinuz-$kver" -i "$out/initrd.cpio" \
	-o "$out" -t 300 2>"$out/qemu.log" &
vm=$!
while [[ ! -e $out/results.log ]] && kill -0 "$vm" 2>/dev/null; do sleep 0.2; done
# the guest's output as it comes: progress lines to stderr, the report to
# stdout, up to the full dmesg the test init appends
while IFS= read -r line; do
	case $line in
	"MN-PROGRESS "*) progress "${line#MN-PROGRESS }" ;;
	MN-DEMO-OK) ;;
	MN-DMESG-BEGIN) break ;;
	*)
		progress_end
		printf '%s\n' "$line"
		;;
	esac
done < <(tail -n +1 -f --pid="$vm" "$out/results.log" 2>/dev/null | tr -d '\r')
progress "waiting for the VM to power off"
qrc=0
wait "$vm" || qrc=$?
progress_end
if ((qrc != 0)) || ! grep -q '^MN-DEMO-OK' "$out/results.log"; then
	cat "$out/qemu.log" >&2
	mn_show_context "$out" >&2
	mn_die "the demo did not finish (QEMU exit status $qrc); logs in $out"
fi
echo "demo: $((SECONDS - built)) s in the VM, $SECONDS s in all" >&2
