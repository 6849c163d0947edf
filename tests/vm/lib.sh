# shellcheck shell=bash
# Helpers sourced by the mirrornet VM and KUnit harness scripts.

# repository root, wherever the caller runs from
MN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# kernel messages that fail a run; kmemleak matches reports only, not the
# "kmemleak: Kernel memory leak detector initialized" boot line
MN_BUG_RE='BUG:|WARNING:|Oops|general protection fault|Kernel panic|UBSAN:|KASAN:|kernel BUG|Call Trace:|refcount_t:|list_(add|del) corruption|unregister_netdevice: waiting|kmemleak: .*(unreferenced object|suspected memory leak)|possible circular locking|inconsistent lock state|suspicious RCU usage'
export MN_ROOT MN_BUG_RE

mn_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
mn_die() { mn_log "error: $*"; exit 1; }

# cache root for built kernels; MN_CACHE_DIR overrides it
mn_cache_dir() { printf '%s\n' "${MN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mirrornet}"; }

# newest release "$1.*" that has both /boot/vmlinuz-<rel> and headers
mn_kver_newest() {
	local f rel found=
	for f in /boot/vmlinuz-"$1".*; do
		[[ -e $f ]] || continue
		rel=${f#/boot/vmlinuz-}
		[[ -d /usr/src/linux-headers-$rel ]] && found+="$rel"$'\n'
	done
	[[ -n $found ]] || { mn_log "no /boot/vmlinuz-$1.* with headers in /usr/src"; return 1; }
	printf '%s' "$found" | sort -V | tail -n 1
}
mn_kver_61() { mn_kver_newest 6.1; }
mn_kver_612() { mn_kver_newest 6.12; }

# mn_build_module KVER OUT [KDIR [BUILDROOT [MAKE ARG]...]]: build
# mirrornet.ko out of tree against the headers of release KVER (or the
# kernel build directory KDIR) in OUT/mod (sources copied, away from the
# tree), with the host's toolchain or, given BUILDROOT (a scripts/roots list,
# mn_kernel's MN_KBUILDROOT), in that Debian root with OUT bound in at its
# own path; the log is OUT/build.log
mn_build_module() {
	local kver=$1 out=$2
	local kdir=${3:-/usr/src/linux-headers-$kver} buildroot=${4:-}
	local make=(make -s -C "$kdir" M="$out/mod" "${@:5}" modules)
	mkdir -p "$out/mod" "$out/include"
	cp "$MN_ROOT"/kmod/*.[ch] "$MN_ROOT/kmod/Kbuild" "$out/mod/"
	cp -r "$MN_ROOT/kmod/tests" "$out/mod/"
	cp -r "$MN_ROOT/include/uapi" "$out/include/"
	if [[ -n $buildroot ]]; then
		make=("$MN_ROOT/scripts/debian-root.sh" run "$buildroot" -b "$out" -- "${make[@]}")
	fi
	"${make[@]}" >"$out/build.log" 2>&1 || { cat "$out/build.log"; return 1; }
}

# shellcheck source-path=SCRIPTDIR source=kernel.sh
. "$MN_ROOT/tests/vm/kernel.sh"

# FILE with carriage returns removed (serial output, pitfall 9)
mn_nocr() { tr -d '\r' <"$1"; }

# lines of the dmesg section (between the guest's markers) of a results log
mn_dmesg_section() { mn_nocr "$1" | sed -n '/^MN-DMESG-BEGIN$/,/^MN-DMESG-END$/p'; }

# "file: line" for every kernel bug report in the given files
mn_bug_lines() { grep -HaE "$MN_BUG_RE" "$@" || true; }

# after a failed run in OUTDIR: the guest's dmesg (if it got that far) or the
# console, from the first kernel problem on, or else its last lines
mn_show_context() {
	local log=$1/dmesg.txt first
	[[ -s $log ]] || log=$1/console.log
	first=$(mn_nocr "$log" | awk -v re="$MN_BUG_RE" '!n && $0 ~ re {n = NR} END {if (n) print n}')
	if [[ -n $first ]]; then
		echo "${log##*/} from the first kernel problem:"
		mn_nocr "$log" | sed -n "$first,$((first + 60))p"
	else
		echo "last lines of ${log##*/}:"
		mn_nocr "$log" | tail -n 40
	fi
}
