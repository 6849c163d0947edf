#!/bin/bash
# make bench: one QEMU (TCG) boot of Debian's stock 6.12 kernel runs
# bench/guest/run.sh, which measures every path side by side; then
# bench/report.py writes latest.json, latest.md and latest.svg (beside
# latest.tap and latest-engine-dry-run.txt, the raw figures).
# Environment: BENCH_RESULTS (default bench/results), BENCH_ARGS (extra
# guest settings, e.g. "mn.sizes=1000 mn.reps=10" for a quick look),
# BENCH_TIMEOUT (seconds, default 2400), BENCH_ICOUNT (QEMU -icount
# setting, default shift=3,sleep=off; empty: the host's clock).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../tests/vm/lib.sh
. "$(dirname "$0")/../tests/vm/lib.sh"

results=${BENCH_RESULTS:-$MN_ROOT/bench/results}
out=${MN_OUT:-$MN_ROOT/build/bench}
timeout_s=${BENCH_TIMEOUT:-2400}
# The guest's clock counts its own instructions (8 ns each at shift=3) and
# jumps over idle time to the next timer: the figures measure the guest's
# work, not how much of the shared machine the VM got meanwhile.
icount=${BENCH_ICOUNT-shift=3,sleep=off}
qemu_args=()
[[ -z $icount ]] || qemu_args=(-- -icount "$icount")
mkdir -p "$out" "$results"

make -s -C "$MN_ROOT" helper host bench/mnbench
bins=(-b "$MN_ROOT/helper/mirrornet" -b "$MN_ROOT/bench/mnbench"
	-b "$MN_ROOT/tools/host/mirrornet-host")

# the engine's planning cost, natively: --dry-run of the benchmark's snapshot
for n in 1000 10000 30000; do
	"$MN_ROOT/bench/mnbench" snapshot 6e000000-0000-4000-8000-00000000000a mnba \
		16.0.0.0 "$n" >"$out/snapshot.json"
	t0=$(date +%s%N)
	"$MN_ROOT/tools/host/mirrornet-host" --dry-run "$out/snapshot.json" >/dev/null 2>&1
	echo "# BENCH engine-dry-run-$n n=$n ms=$((($(date +%s%N) - t0) / 1000000))"
done >"$out/engine-dry-run.txt"
rm "$out/snapshot.json"

kver=$(mn_kver_612)
rm -rf "${out:?}/$kver"
mn_build_module "$kver" "$out/$kver" || exit 1
# vsock_loopback for the helper's channel, dummy for the stand-in NICs,
# nftables for the engine's GlobalNetFilter and InterfaceNetFilter
"$MN_ROOT/tests/vm/build-initramfs.sh" -o "$out/$kver/initrd.cpio" -k "$kver" \
	-M "dummy vsock_loopback nf_tables nft_chain_nat nft_masq nft_ct" -m "$out/$kver/mod/mirrornet.ko" "${bins[@]}" \
	-d "$MN_ROOT/bench/guest"
# 100 000 routes in the kernel and in the module, twice over: 1.5 GiB
qrc=0
"$MN_ROOT/tests/vm/run-vm.sh" -k "/boot/vmlinuz-$kver" -i "$out/$kver/initrd.cpio" \
	-o "$out/$kver" -t "$timeout_s" -m 1536M -a "${BENCH_ARGS:-}" "${qemu_args[@]}" || qrc=$?
rc=0
"$MN_ROOT/tests/vm/check-results.sh" "$out/$kver" bench "$qrc" || rc=1
# the raw figures beside the results, which report.py can remake from them
cp "$out/$kver/tap.txt" "$results/latest.tap"
cp "$out/engine-dry-run.txt" "$results/latest-engine-dry-run.txt"
python3 "$MN_ROOT/bench/report.py" --kernel "$kver" --icount "$icount" \
	--extra "$results/latest-engine-dry-run.txt" "$results/latest.tap" "$results" || rc=1
exit $rc
