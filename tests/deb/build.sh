#!/bin/bash
# Build the Debian packages mirrornet-dkms and mirrornet with
# dpkg-buildpackage -us -uc -b from a clean export of the tree (tracked and
# new files, as git ls-files sees them; never in the source tree):
#   bookworm  on this machine (build dependencies: scripts/deps.sh)
#   trixie    in the cached trixie build root (scripts/roots/trixie-build.list)
# Usage: tests/deb/build.sh bookworm|trixie OUTDIR
# OUTDIR gets the .debs, the .buildinfo, the .changes and build.log; on
# success the .deb paths are printed, one a line.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

(($# == 2)) || mn_die "usage: ${0##*/} bookworm|trixie OUTDIR"
suite=$1
case $suite in bookworm | trixie) ;; *) mn_die "unknown suite '$suite' (bookworm or trixie)" ;; esac
mkdir -p "$2"
out=$(cd "$2" && pwd)
# dpkg-buildpackage writes its results beside the source directory
work=$out/work
src=$work/mirrornet
log=$out/build.log

rm -rf "$work" "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes "$log"
mkdir -p "$src"
(cd "$MN_ROOT" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
	cpio -pdm0 --quiet "$src")

# no -dbgsym package: OUTDIR holds what a guest image installs
export DEB_BUILD_OPTIONS=noddebs
rc=0
case $suite in
bookworm)
	# as clean as the trixie root's env -i: a calling make's flags (make -s
	# check) would otherwise reach the package's make and silence its log
	(cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b) \
		>"$log" 2>&1 || rc=$?
	;;
trixie)
	"$MN_ROOT/scripts/debian-root.sh" run "$MN_ROOT/scripts/roots/trixie-build.list" \
		-b "$work:/build" -- sh -c \
		'cd /build/mirrornet && DEB_BUILD_OPTIONS=noddebs dpkg-buildpackage -us -uc -b' \
		>"$log" 2>&1 || rc=$?
	;;
esac
if ((rc)); then
	tail -n 40 "$log" >&2
	mn_die "dpkg-buildpackage for $suite failed (exit $rc); the log: $log"
fi

shopt -s nullglob
results=("$work"/*.deb "$work"/*.buildinfo "$work"/*.changes)
debs=("$work"/*.deb)
((${#debs[@]} == 2)) || mn_die "expected two .debs, got: ${debs[*]:-none}"
mv "${results[@]}" "$out/"
rm -rf "$work"
printf '%s\n' "$out"/*.deb
