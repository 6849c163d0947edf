#!/bin/bash
# Scenarios end to end on Debian's stock kernels under QEMU: each timeline
# in tests/scenarios/*.json is played by the host engine mirrornet-host
# over vsock_loopback to `mirrornet serve` and mirrornet.ko, and after
# every step the guest's real state is compared with the step's "expect"
# (guest/run.sh). One boot per kernel runs every scenario.
# Usage: tests/scenarios/run.sh [SERIES]...   (default: 6.1 6.12)
# SERIES: a kernel as tests/vm/kernel.sh names it (6.1, 6.12, 7.3).
#        MN_SCENARIOS=home,link-flap tests/scenarios/run.sh 6.1
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

series=("$@")
[[ ${#series[@]} -gt 0 ]] || series=(6.1 6.12)
here=$MN_ROOT/tests/scenarios
out_root=${MN_OUT:-$MN_ROOT/build/scenarios}
mkdir -p "$out_root"
passed=0 failed=0

# result NAME OK: one TAP line on this side
result() {
	if [[ $2 == 0 ]]; then
		echo "ok - $1"
		passed=$((passed + 1))
	else
		echo "not ok - $1"
		failed=$((failed + 1))
	fi
}

make -s -C "$MN_ROOT" helper host

# Every timeline is well formed, every step says what it expects, and the
# engine accepts it (--dry-run plays it without a guest).
scenarios=()
for file in "$here"/*.json; do
	name=${file##*/}
	name=${name%.json}
	[[ -z ${MN_SCENARIOS:-} || ,$MN_SCENARIOS, == *,$name,* ]] || continue
	scenarios+=("$name")
	rc=0
	jq -e '.name == $n and (.timeline | length > 0) and
		all(.timeline[]; (.expect | type) == "object" and (.note | type) == "string")' \
		--arg n "$name" "$file" >/dev/null || rc=1
	result "$name: a named timeline, every step with a note and an expect" $rc
	rc=0
	"$MN_ROOT/tools/host/mirrornet-host" --dry-run "$file" >"$out_root/$name.dry-run" 2>&1 || rc=1
	[[ $rc == 0 ]] || cat "$out_root/$name.dry-run"
	result "$name: mirrornet-host --dry-run accepts it" $rc
done
((${#scenarios[@]})) || mn_die "no scenario matches MN_SCENARIOS=${MN_SCENARIOS:-}"

# the guest's /tests: the runner, its libraries (hotadd from the e2e suite)
# and the timelines
image=$out_root/image
rm -rf "$image" && mkdir -p "$image/lib" "$image/scenarios"
cp "$here/guest/run.sh" "$image/"
cp "$here"/guest/lib/* "$MN_ROOT/tests/e2e/guest/lib/hotadd" "$image/lib/"
for name in "${scenarios[@]}"; do cp "$here/$name.json" "$image/scenarios/"; done

# stock modules: vsock_loopback for the helper's channel, nftables for the
# masquerade rules, dummy for the NICs
stock="dummy vsock_loopback nf_tables nft_chain_nat nft_masq nft_ct"
bins=(-b "$MN_ROOT/helper/mirrornet" -b "$MN_ROOT/tools/host/mirrornet-host")
cmdline=()
[[ -z ${MN_SCENARIOS:-} ]] || cmdline=(-a "mn.scenarios=$MN_SCENARIOS")

for s in "${series[@]}"; do
	mn_kernel "$s" || { result "$s: the kernel is there" 1; continue; }
	kver=$MN_KREL
	out=$out_root/$kver
	rm -rf "$out"
	mn_build_module "$kver" "$out" "$MN_KHEADERS" "$MN_KBUILDROOT" ||
		{ result "$s: mirrornet.ko builds against $kver" 1; continue; }
	"$MN_ROOT/tests/vm/build-initramfs.sh" -o "$out/initrd.cpio" -k "$kver" \
		-M "$stock" -r "$MN_KMODROOT" -m "$out/mod/mirrornet.ko" "${bins[@]}" -d "$image"
	qrc=0
	"$MN_ROOT/tests/vm/run-vm.sh" -k "$MN_KIMAGE" -i "$out/initrd.cpio" \
		-o "$out" -t 1800 "${cmdline[@]}" || qrc=$?
	verdict=$("$MN_ROOT/tests/vm/check-results.sh" "$out" "scenarios-$s" "$qrc") || true
	# the guest's TAP, numbered by kernel here
	sed -nE "s/^(ok|not ok) [0-9]+ - /\1 - $s: /p" "$out/tap.txt"
	# the details of failures; the guest's counts go into the one summary
	sed '$d' <<<"$verdict"
	read -r p f < <(tail -n 1 <<<"$verdict" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/')
	echo "# $kver: $p passed, $f failed (details in $out)"
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "scenarios: $passed passed, $failed failed"
((failed == 0))
