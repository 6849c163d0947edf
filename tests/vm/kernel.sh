# shellcheck shell=bash
# The kernels the VM tests boot, by series (sourced by lib.sh).
#
# 6.1 and 6.12 are Debian bookworm's, installed with apt (scripts/deps.sh):
# image in /boot, modules in /lib/modules, headers in /usr/src, built with
# the host's gcc. 7.3 (also called "trixie-backports") is the newest kernel
# in trixie-backports: its headers and toolchain are in the trixie build
# root (scripts/debian-root.sh, scripts/roots/trixie-build.list), and its
# image and modules come from its linux-image package, extracted into the
# cache, never installed on this machine.

# every series the suites test, oldest first
MN_KERNEL_SERIES="6.1 6.12 7.3"
MN_TRIXIE_BUILD=$MN_ROOT/scripts/roots/trixie-build.list

# mn_kernel SERIES: resolve a series (6.1, 6.12, 7.3 or trixie-backports)
# and set
#   MN_KREL      its release, as uname -r prints it
#   MN_KIMAGE    the image to boot
#   MN_KMODROOT  the directory whose lib/modules/$MN_KREL holds its stock
#                modules and depmod's files (/ for an installed kernel)
#   MN_KHEADERS  its headers, as the build sees them
#   MN_KBUILDROOT  the Debian root list (scripts/roots) the module builds
#                in, or empty: the host's toolchain
# shellcheck disable=SC2034 # read by the caller
mn_kernel() {
	local root
	case $1 in
	6.1 | 6.12)
		MN_KREL=$(mn_kver_newest "$1") || return 1
		MN_KIMAGE=/boot/vmlinuz-$MN_KREL MN_KMODROOT=/
		MN_KHEADERS=/usr/src/linux-headers-$MN_KREL MN_KBUILDROOT=
		;;
	7.3 | trixie-backports)
		root=$("$MN_ROOT/scripts/debian-root.sh" path "$MN_TRIXIE_BUILD") || return 1
		MN_KREL=$(mn_backports_release "$root" "$1") || return 1
		MN_KMODROOT=$(mn_backports_image "$root" "$MN_KREL") || return 1
		MN_KIMAGE=$MN_KMODROOT/lib/modules/$MN_KREL/vmlinuz
		MN_KHEADERS=/usr/src/linux-headers-$MN_KREL MN_KBUILDROOT=$MN_TRIXIE_BUILD
		;;
	*)
		mn_log "unknown kernel series $1 (known: $MN_KERNEL_SERIES trixie-backports)"
		return 1
		;;
	esac
}

# mn_backports_release ROOT SERIES: the release of the amd64 headers in the
# trixie build root at ROOT; for a numbered series, it must be of it
mn_backports_release() {
	local dir rel
	dir=$(find "$1/usr/src" -maxdepth 1 -name 'linux-headers-*-amd64' | sort -V | tail -n 1)
	rel=${dir##*/linux-headers-}
	if [[ -z $dir ]] || { [[ $2 != trixie-backports ]] && [[ $rel != "$2".* ]]; }; then
		mn_log "the trixie build root has no linux-headers-$2.*-amd64 (it has: ${rel:-none})"
		return 1
	fi
	printf '%s\n' "$rel"
}

# run in the trixie build root with /debs bound in and PACKAGE=VERSION
# arguments: download them, and for a linux-image package the packages of
# its release it depends on (its image, modules and modules.builtin);
# apt-get download as root warns that _apt cannot write /debs
# shellcheck disable=SC2016 # expanded by the root's sh
MN_FETCH_DEBS='cd /debs
apt-get update -qq
apt-get download -q "$@" 2>&1 | grep -v unsandboxed || true
for deb in ./linux-image-*.deb; do
	[ -e "$deb" ] || continue
	rel=$(dpkg-deb -f "$deb" Package) rel=${rel#linux-image-} ver=$(dpkg-deb -f "$deb" Version)
	pkgs=
	for p in $(dpkg-deb -f "$deb" Depends | tr -d " " | tr , "\n" | sed "s/(.*//"); do
		case $p in linux-*-"$rel") pkgs="$pkgs $p=$ver" ;; esac
	done
	[ -z "$pkgs" ] || apt-get download -q $pkgs 2>&1 | grep -v unsandboxed || true
done
ls ./*.deb'

# mn_cached NAME KEY FN ARG...: the cache directory NAME, made by
# "FN DIR ARG..." into a new DIR unless it was made for KEY; one maker at a
# time, and a failed one leaves nothing; prints the directory
mn_cached() {
	local name=$1 key=$2 fn=$3 cache dir tmp
	shift 3
	cache=$(mn_cache_dir)
	dir=$cache/$name
	mkdir -p "$cache"
	exec 8>"$dir.lock"
	flock 8
	if [[ ! -f $dir/.complete || $(<"$dir/.complete") != "$key" ]]; then
		# mktemp makes it 0700: readable by all, like the rest of the cache
		tmp=$(mktemp -d "$dir.XXXXXX") && chmod 755 "$tmp"
		if ! "$fn" "$tmp" "$@"; then
			rm -rf "$tmp"
			exec 8>&-
			mn_log "could not make $dir"
			return 1
		fi
		rm -rf "$dir"
		mv "$tmp" "$dir"
		printf '%s\n' "$key" >"$dir/.complete"
	fi
	exec 8>&-
	printf '%s\n' "$dir"
}

# mn_fetch_debs DIR PACKAGE=VERSION...: download them with the trixie build
# root's apt (see MN_FETCH_DEBS) into DIR/debs, log in DIR/fetch.log
mn_fetch_debs() {
	local dir=$1
	shift
	mkdir -p "$dir/debs"
	"$MN_ROOT/scripts/debian-root.sh" run "$MN_TRIXIE_BUILD" -b "$dir/debs:/debs" -- \
		sh -ec "$MN_FETCH_DEBS" sh "$@" >"$dir/fetch.log" 2>&1 ||
		{ cat "$dir/fetch.log" >&2; return 1; }
}

# mn_extract_image DIR REL VERSION: the image and modules of REL into DIR,
# its lib/modules with depmod's files
mn_extract_image() {
	local dir=$1 rel=$2 deb
	mkdir "$dir/tree"
	mn_fetch_debs "$dir/tree" "linux-image-$rel=$3" || return 1
	for deb in "$dir"/tree/debs/*.deb; do
		dpkg-deb -x "$deb" "$dir" || return 1
	done
	rm -rf "$dir/tree"
	# the packages use /usr/lib/modules; depmod -b and modprobe -d look
	# under lib/modules
	[[ -e $dir/lib ]] || ln -s usr/lib "$dir/lib"
	[[ -f $dir/lib/modules/$rel/vmlinuz ]] || { mn_log "no vmlinuz in the packages of $rel"; return 1; }
	depmod -b "$dir" "$rel"
}

# mn_backports_image ROOT REL: the image and modules of release REL, at the
# version of its headers in the trixie build root ROOT, from its linux-image
# package, in the cache (kernel-REL); prints the directory
mn_backports_image() {
	local ver
	ver=$(dpkg-query --admindir="$1/var/lib/dpkg" -W -f '${Version}' "linux-headers-$2") ||
		return 1
	[[ -f $(mn_cache_dir)/kernel-$2/.complete ]] ||
		mn_log "fetching the image of $2 ($ver) from Debian: about half a minute"
	mn_cached "kernel-$2" "$ver" mn_extract_image "$2" "$ver"
}

# the files of checkpatch.pl, in the kernel's source tree
MN_CHECKPATCH_FILES="scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch"

# mn_extract_checkpatch DIR SOURCE VERSION: MN_CHECKPATCH_FILES of the
# linux-source package SOURCE into DIR (from the tarball the package holds)
mn_extract_checkpatch() {
	local dir=$1 src=$2 f names=()
	mn_fetch_debs "$dir" "$src=$3" || return 1
	for f in $MN_CHECKPATCH_FILES; do names+=("$src/$f"); done
	dpkg-deb --fsys-tarfile "$dir"/debs/"$src"_*.deb |
		tar -xO --wildcards "./usr/src/$src.tar.*" | xz -dc |
		tar -C "$dir" --strip-components=1 -x "${names[@]}" || return 1
	rm -rf "$dir/debs"
}

# mn_backports_checkpatch: checkpatch.pl of the trixie-backports kernel
# (the source package of the headers in the trixie build root), with its
# spelling and const_structs lists, in the cache; prints its path
mn_backports_checkpatch() {
	local root rel ver src dir
	root=$("$MN_ROOT/scripts/debian-root.sh" path "$MN_TRIXIE_BUILD") || return 1
	rel=$(mn_backports_release "$root" trixie-backports) || return 1
	ver=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Version}' "linux-headers-$rel") ||
		return 1
	# linux-source-MAJOR.MINOR
	src=linux-source-$(cut -d. -f1,2 <<<"$rel")
	dir=$(mn_cached "checkpatch-$ver" "$ver" mn_extract_checkpatch "$src" "$ver") || return 1
	printf '%s\n' "$dir/scripts/checkpatch.pl"
}
