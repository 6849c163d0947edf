#!/bin/bash
# Build (or find in the cache) the minimal x86_64 KUnit kernel: linux-source-6.1
# + allnoconfig + tests/kunit/kernel.config. Prints the build dir (O=) as the
# last stdout line; everything else goes to stderr or <entry>/build.log.
# Usage: tests/kunit/build-kernel.sh      (env: MN_CACHE_DIR, see lib.sh)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

# bump when the way the entry is built changes (invalidates old entries)
SCHEMA=1
TARBALL=/usr/src/linux-source-6.1.tar.xz
FRAGMENT=$MN_ROOT/tests/kunit/kernel.config

[[ -r $TARBALL ]] || mn_die "$TARBALL missing (run scripts/deps.sh)"
key=$({
	dpkg-query -W -f='${Version}\n' linux-source-6.1
	gcc --version | head -n 1
	cat "$FRAGMENT"
	echo "schema $SCHEMA"
} | sha256sum | cut -c1-16)
cache=$(mn_cache_dir)
entry=$cache/kunit-kernel-$key
mkdir -p "$cache"

# one builder per entry; a second caller waits and then gets the cache hit
exec 9>"$entry.lock"
flock 9

if [[ ! -e $entry/.complete ]]; then
	# an entry without .complete is a leftover of an interrupted build
	rm -rf "$entry"
	mkdir -p "$entry/src" "$entry/build"
	log=$entry/build.log
	mn_log "cache miss: building $entry (log: $log)"
	trap 'mn_log "build failed; tail of $log:"; tail -n 30 "$log" >&2' ERR
	SECONDS=0
	tar -C "$entry/src" --strip-components=1 -xf "$TARBALL"
	mn_log "extracted in ${SECONDS}s"
	kmake=(make -C "$entry/src" O="$entry/build" ARCH=x86_64)
	"${kmake[@]}" KCONFIG_ALLCONFIG="$FRAGMENT" allnoconfig >>"$log" 2>&1
	# Kconfig drops symbols with unmet dependencies silently (pitfall 5)
	missing=$(grep -E '^(CONFIG_|# CONFIG_.* is not set)' "$FRAGMENT" |
		grep -vxFf "$entry/build/.config" || true)
	[[ -z $missing ]] || mn_die "not in the final .config: $(echo "$missing" | tr '\n' ' ')"
	"${kmake[@]}" -j"$(nproc)" >>"$log" 2>&1
	trap - ERR
	touch "$entry/.complete"
	mn_log "built in ${SECONDS}s"
fi
echo "$entry/build"
