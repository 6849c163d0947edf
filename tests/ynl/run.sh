#!/bin/bash
# The YNL spec against the kernel's own ynl CLI (tools/net/ynl/cli.py from
# Debian's linux-source-6.12) on Debian's stock kernels under QEMU: the CLI
# runs in the guest with the host's python3, PyYAML and jsonschema (the
# host's root file system shared read-only over virtio-9p, entered with
# chroot), validates the spec, mutates the goal state with --do, reads it
# back with --dump and receives a repair notification with --subscribe.
# Usage: tests/ynl/run.sh [SERIES]...   (default: 6.12 6.1)
# SERIES: a kernel as tests/vm/kernel.sh names it (6.1, 6.12, 7.3).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

series=("$@")
[[ ${#series[@]} -gt 0 ]] || series=(6.12 6.1)
out_root=${MN_OUT:-$MN_ROOT/build/ynl}
tarball=${YNL_SOURCE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
spec=Documentation/netlink/specs/mirrornet.yaml

# stock modules: dummy for the interface, the 9p client for the host's root
# (virtio_pci is built into 6.12, a module on 6.1)
stock="dummy virtio_pci 9pnet_virtio 9p"

# extract_cli DIR: the CLI, its library and the genetlink schema from the
# tarball into DIR (explicit returns: it runs in an || list, without set -e)
extract_cli() {
	tar -C "$1" --strip-components=1 -xf "$tarball" --wildcards \
		'*/tools/net/ynl/cli.py' '*/tools/net/ynl/lib/*.py' \
		'*/Documentation/netlink/genetlink.yaml' || return 1
	# byte-compiled here: the guest sees the cache read-only, and compiling
	# ynl.py at every start costs seconds under TCG
	/usr/bin/python3 -m compileall -q "$1/tools/net/ynl" && touch "$1/.complete"
}

# ynl_cli_dir: the extracted CLI, once per tarball in the cache; prints it
ynl_cli_dir() {
	local key dir tmp
	[[ -r $tarball ]] || mn_die "$tarball missing (apt-get install linux-source-6.12)"
	# the tarball's size and mtime, and the version of extract_cli's recipe
	key=$(stat -c '%s-%Y' "$tarball")-1
	dir=$(mn_cache_dir)/ynl-cli-$key
	if [[ ! -e $dir/.complete ]]; then
		mkdir -p "$(dirname "$dir")"
		tmp=$(mktemp -d "$dir.XXXXXX")
		extract_cli "$tmp" ||
			{ rm -rf "$tmp"; mn_die "cannot extract the ynl CLI from $tarball"; }
		# a concurrent run may have won the race: keep its copy
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	fi
	printf '%s\n' "$dir"
}

passed=0 failed=0 reported=0
# a run that stops early still ends with the summary, the stop as a failure
summary_on_abort() {
	((reported)) || echo "ynl: $passed passed, $((failed + 1)) failed"
}
trap summary_on_abort EXIT

cli_dir=$(ynl_cli_dir)
[[ $cli_dir$out_root != *[[:space:]]* ]] ||
	mn_die "paths go on the kernel command line and must not contain spaces: $cli_dir $out_root"
for pkg in yaml jsonschema; do
	/usr/bin/python3 -c "import $pkg" 2>/dev/null ||
		mn_die "/usr/bin/python3 lacks $pkg (apt-get install python3-$pkg)"
done

for s in "${series[@]}"; do
	mn_kernel "$s" || exit 1
	kver=$MN_KREL
	out=$out_root/$kver
	rm -rf "$out"
	mn_build_module "$kver" "$out" "$MN_KHEADERS" "$MN_KBUILDROOT" || exit 1
	# the spec of this run, next to the module built from the same tree
	cp "$MN_ROOT/$spec" "$out/mirrornet.yaml"
	"$MN_ROOT/tests/vm/build-initramfs.sh" -o "$out/initrd.cpio" -k "$kver" \
		-M "$stock" -r "$MN_KMODROOT" -m "$out/mod/mirrornet.ko" -d "$MN_ROOT/tests/ynl/guest"
	qrc=0
	# the host's root read-only; multidevs=remap keeps inode numbers of
	# different host file systems (/usr, the cache, build/) apart
	"$MN_ROOT/tests/vm/run-vm.sh" -k "$MN_KIMAGE" \
		-i "$out/initrd.cpio" -o "$out" -t 900 \
		-a "mn.ynl_cli=$cli_dir/tools/net/ynl/cli.py mn.ynl_spec=$out/mirrornet.yaml mn.ynl_schema=$cli_dir/Documentation/netlink/genetlink.yaml" \
		-- -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap ||
		qrc=$?
	verdict=$("$MN_ROOT/tests/vm/check-results.sh" "$out" "ynl-$s" "$qrc") || true
	# passing guest tests as one line each, then the verdict: failing tests
	# with their output and problems; its summary is folded into the one
	# "ynl:" line scripts/check.sh counts
	sed -n "s/^ok [0-9]* - /ok - $s: /p" "$out/tap.txt"
	grep -v "^ynl-$s: [0-9]* passed, [0-9]* failed$" <<<"$verdict" || true
	summary=$(grep "^ynl-$s: [0-9]* passed, [0-9]* failed$" <<<"$verdict") ||
		mn_die "no summary from check-results.sh for $s"
	read -r _ p _ f _ <<<"$summary"
	passed=$((passed + p)) failed=$((failed + f))
done
reported=1
echo "ynl: $passed passed, $failed failed"
((failed == 0))
