#!/bin/bash
# Debian root file systems built with mmdebstrap from Debian's archive and
# cached under ~/.cache/mirrornet, keyed by their package list: a trixie
# build environment (a kernel newer than this machine's toolchain needs
# trixie's gcc and kbuild), and the roots of the guest images.
#
#   debian-root.sh path LIST            build the root once; print its directory
#   debian-root.sh run LIST [-b SRC[:DST]]... -- CMD...
#                                       CMD in the root, under a throwaway
#                                       overlay: the cached root never changes
#   debian-root.sh chroot DIR [-b SRC[:DST]]... -- CMD...
#                                       CMD in the root at DIR itself (a copy
#                                       that a caller changes on purpose)
#
# LIST is a file (scripts/roots/*.list): "suite: S" (the release),
# "suites: A B" (more suites of the same archive, e.g. trixie-backports),
# "prefer: SUITE GLOB..." (those packages from SUITE when it has a newer
# version: the kernel from backports, the rest from the release), and one
# package per remaining line; # starts a comment. The cache key is
# a hash of the file and of this script's mmdebstrap arguments, so a
# changed list builds a new root and the old one is removed.
# MN_DEBIAN_MIRROR overrides the archive (default http://deb.debian.org/debian).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../tests/vm/lib.sh
. "$(dirname "$0")/../tests/vm/lib.sh"

MIRROR=${MN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# part of the cache key: a change here rebuilds every root
MMDEBSTRAP_ARGS=(--mode=root --variant=apt --components=main --aptopt='Acquire::Retries "3"')

usage() { mn_die "usage: ${0##*/} path LIST | run LIST [-b SRC[:DST]]... -- CMD... | chroot DIR [-b SRC[:DST]]... -- CMD..."; }

# list_field LIST KEY: the value of the "KEY:" line
list_field() { sed -n "s/^$2:[[:space:]]*//p" "$1" | sed 's/[[:space:]]*#.*//'; }

# list_packages LIST: every other non-comment word, comma-separated
list_packages() {
	sed -e 's/#.*//' -e '/^[a-z-]*:/d' "$1" | tr -s ' \t\n' '\n' | sed '/^$/d' | paste -sd, -
}

# root_path LIST: build the root if it is not cached; print its directory
root_path() {
	local list=$1 name key dir suite suites pkgs cache tmp s
	[[ -r $list ]] || mn_die "no package list $list"
	name=$(basename "$list" .list)
	key=$( (cat "$list" && printf '%s\n' "$MIRROR" "${MMDEBSTRAP_ARGS[@]}") |
		sha256sum | cut -c1-12)
	cache=$(mn_cache_dir)
	dir=$cache/root-$name-$key
	mkdir -p "$cache"
	exec 9>"$cache/root-$name.lock"
	flock 9
	if [[ ! -f $dir/.complete ]]; then
		suite=$(list_field "$list" suite)
		suites=$(list_field "$list" suites)
		pkgs=$(list_packages "$list")
		[[ -n $suite ]] || mn_die "$list: no suite: line"
		command -v mmdebstrap >/dev/null || mn_die "mmdebstrap is missing (scripts/deps.sh installs it)"
		rm -rf "$cache/root-$name"-*
		tmp=$dir.tmp
		mkdir -p "$tmp"
		local sources=("deb $MIRROR $suite main") prefer hooks=()
		for s in $suites; do sources+=("deb $MIRROR $s main"); done
		prefer=$(list_field "$list" prefer)
		if [[ -n $prefer ]]; then
			# apt pins backports at 100; 500 lets a newer version there win
			hooks+=(--setup-hook="printf 'Package: %s\nPin: release n=%s\nPin-Priority: 500\n' \
				'${prefer#* }' '${prefer%% *}' >"\$1/etc/apt/preferences.d/mirrornet-prefer"")
		fi
		mn_log "building the $name root ($suite${suites:+ + $suites}): about two minutes"
		SECONDS=0
		mmdebstrap "${MMDEBSTRAP_ARGS[@]}" "${hooks[@]}" --include="$pkgs" \
			"$suite" "$tmp/root.tar" "${sources[@]}" >"$tmp/mmdebstrap.log" 2>&1 ||
			{ tail -n 30 "$tmp/mmdebstrap.log" >&2; mn_die "mmdebstrap failed for $list"; }
		mkdir "$tmp/root"
		tar -C "$tmp/root" --numeric-owner -xpf "$tmp/root.tar"
		rm "$tmp/root.tar"
		rm -rf "$dir"
		mv "$tmp" "$dir"
		touch "$dir/.complete"
		mn_log "the $name root took ${SECONDS}s"
	fi
	exec 9>&-
	printf '%s\n' "$dir/root"
}

# in_root DIR BINDS... -- CMD...: CMD chrooted into DIR in a private mount
# namespace, /proc, /sys, /dev and each SRC bound in (at DST, default the
# same path), the host's resolv.conf for apt
in_root() {
	local dir=$1 binds=() b src dst
	shift
	while (($#)); do
		case $1 in
		-b) binds+=("$2") && shift 2 ;;
		--) shift && break ;;
		*) usage ;;
		esac
	done
	(($#)) || usage
	local script='set -e; r=$1; shift
		mount -t proc proc "$r/proc"; mount --rbind /sys "$r/sys"; mount --rbind /dev "$r/dev"
		while [ "$1" != -- ]; do
			src=${1%%:*}; dst=${1#*:}; [ "$dst" != "$1" ] || dst=$src
			mkdir -p "$r$dst"; mount --bind "$src" "$r$dst"; shift
		done; shift
		cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LC_ALL=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"'
	for b in "${binds[@]}"; do
		src=${b%%:*}
		[[ -d $src || -f $src ]] || mn_die "nothing to bind at $src"
	done
	unshare --mount --propagation private --fork -- sh -c "$script" sh "$dir" "${binds[@]}" -- "$@"
}

# run LIST BINDS... -- CMD...: in_root over an overlay of the cached root
run_overlay() {
	local root tmp rc=0
	root=$(root_path "$1")
	shift
	tmp=$(mktemp -d)
	mkdir "$tmp"/{upper,work,merged}
	# the overlay lives in the namespace in_root creates: mount it there
	unshare --mount --propagation private --fork -- sh -c '
		mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/merged"
		shift 2; exec "$@"' sh "$root" "$tmp" "$0" chroot "$tmp/merged" "$@" || rc=$?
	rm -rf "$tmp"
	return "$rc"
}

(($#)) || usage
cmd=$1
shift
case $cmd in
path) (($# == 1)) || usage && root_path "$1" ;;
run) (($# >= 1)) || usage && run_overlay "$@" ;;
chroot) (($# >= 1)) || usage && in_root "$@" ;;
*) usage ;;
esac
