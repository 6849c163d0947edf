#!/bin/bash
# Build the guest initramfs (uncompressed newc cpio): static busybox (the
# guest init makes its applet links), the real iproute2 ip, nft, jq and extra
# binaries with their libraries, stock kernel modules (loaded at boot), extra
# modules (not loaded), test directories and the guest init.
# Usage: build-initramfs.sh -o OUT.cpio [-k KVER -M "stock modules" [-r MODROOT]]
#            [-m extra.ko]... [-b binary]... [-d DIR]...
# MODROOT: where lib/modules/KVER is, with depmod's files, for a kernel that
# is not installed here (mn_kernel's MN_KMODROOT); default /
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() { mn_die "usage: ${0##*/} -o OUT.cpio [-k KVER -M \"mods\" [-r MODROOT]] [-m x.ko]... [-b bin]... [-d DIR]..."; }

out='' kver='' stock='' modroot=/
extra_ko=() bins=(/usr/bin/ip /usr/sbin/nft /usr/bin/jq) dirs=()
while getopts o:k:M:r:m:b:d: opt; do
	case $opt in
	o) out=$OPTARG ;;
	k) kver=$OPTARG ;;
	M) stock=$OPTARG ;;
	r) modroot=$OPTARG ;;
	m) extra_ko+=("$OPTARG") ;;
	b) bins+=("$OPTARG") ;;
	d) dirs+=("$OPTARG") ;;
	*) usage ;;
	esac
done
((OPTIND > $#)) || usage
[[ -n $out ]] || usage
[[ -z $stock || -n $kver ]] || mn_die "-M needs -k KVER"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# mktemp makes it 0700: an unprivileged guest process (userns-run) could
# not reach /bin/sh
chmod 755 "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,root,tests/lib,lib/mirrornet}
# ip netns uses /var/run/netns; keep it on the tmpfs mounted at /run
mkdir "$root/var" && ln -s ../run "$root/var/run"

# static busybox; init creates the other applet links at boot with
# "busybox --install -s" (400 ln forks here would cost ~1 s)
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"

# copy FILE (dereferenced) to the same path in the image
put() { mkdir -p "$root$(dirname "$2")" && cp -L "$1" "$root$2"; }

# dynamic binaries: iproute2 ip as /sbin/ip (a bare "ip" in busybox sh is
# still busybox's applet, pitfall 1), others under /usr/sbin or /usr/bin
for bin in "${bins[@]}"; do
	[[ -x $bin ]] || mn_die "binary not found: $bin"
	case $bin in
	/usr/bin/ip) dest=/sbin/ip ;;
	/usr/sbin/*) dest=$bin ;;
	*) dest=/usr/bin/${bin##*/} ;;
	esac
	rm -f "$root$dest"
	put "$bin" "$dest"
	libs=$(ldd "$bin") || mn_die "ldd failed for $bin"
	! grep -q 'not found' <<<"$libs" || mn_die "missing libraries for $bin: $libs"
	# "libx.so => /path (addr)" and "/lib64/ld-linux-x86-64.so.2 (addr)"
	awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$libs" |
		while read -r lib; do
			[[ -e $root$lib ]] || put "$lib" "$lib"
		done
done

# stock modules, dependencies first, listed for init in load order; in the
# image at their path under MODROOT
modroot=$(cd "$modroot" && pwd -P)
: >"$root/etc/modules-load.list"
for mod in $stock; do
	modprobe -d "$modroot" -S "$kver" --show-depends "$mod" | awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' | while read -r ko; do
	dest=${ko#"${modroot%/}"}
	dest=${dest%.xz}
	dest=${dest%.zst}
	dest=${dest%.gz}
	mkdir -p "$root$(dirname "$dest")"
	# busybox insmod wants plain .ko files
	case $ko in
	*.xz) xz -dc "$ko" >"$root$dest" ;;
	*.zst) zstd -qdc "$ko" >"$root$dest" ;;
	*.gz) gzip -dc "$ko" >"$root$dest" ;;
	*) cp "$ko" "$root$dest" ;;
	esac
	echo "$dest" >>"$root/etc/modules-load.list"
done
[[ -z $stock || -s $root/etc/modules-load.list ]] || mn_die "no modules resolved for: $stock"

for ko in "${extra_ko[@]}"; do cp "$ko" "$root/lib/mirrornet/"; done
for dir in "${dirs[@]}"; do cp -a "$dir/." "$root/tests/"; done

cp "$MN_ROOT/tests/vm/guest/init" "$root/init"
cp "$MN_ROOT/tests/vm/guest/tap.sh" "$root/tests/lib/tap.sh"
# one definition of a kernel bug report, shared with the guest's checks
printf '%s\n' "$MN_BUG_RE" >"$root/etc/mn-bug-re"
chmod 755 "$root/init"

(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) >"$out"
