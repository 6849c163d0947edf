#!/bin/bash
# Boot a kernel and initramfs in QEMU (TCG, no KVM) with two serial ports:
# ttyS0 -> OUTDIR/console.log, ttyS1 -> OUTDIR/results.log. Exits with
# QEMU's status (124 when the timeout killed it).
# Usage: run-vm.sh -k BZIMAGE -i INITRD -o OUTDIR [-t TIMEOUT_S] [-m MEM]
#            [-a "extra kernel cmdline"] [-- extra qemu args]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() { mn_die "usage: ${0##*/} -k BZIMAGE -i INITRD -o OUTDIR [-t S] [-m MEM] [-a CMDLINE] [-- QEMU ARGS]"; }

kernel='' initrd='' out='' timeout_s=300 mem=512M cmdline=''
while getopts k:i:o:t:m:a: opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	i) initrd=$OPTARG ;;
	o) out=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	m) mem=$OPTARG ;;
	a) cmdline=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[[ -n $kernel && -n $initrd && -n $out ]] || usage
[[ -r $kernel && -r $initrd ]] || mn_die "cannot read $kernel or $initrd"
mkdir -p "$out"

# oops=panic + panic=-1 + -no-reboot turn a crash into an immediate exit
# (pitfall 7); later cmdline words win, so -a "panic_on_warn=0" disables it
rc=0
SECONDS=0
timeout -k 10 "$timeout_s" qemu-system-x86_64 \
	-accel tcg -cpu max -smp 1 -m "$mem" \
	-nodefaults -no-reboot -display none -monitor none \
	-bios /usr/share/qemu/qboot.rom \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 oops=panic panic_on_warn=1 $cmdline" \
	-chardev file,id=con,path="$out/console.log" -serial chardev:con \
	-chardev file,id=res,path="$out/results.log" -serial chardev:res \
	"$@" </dev/null || rc=$?
mn_log "QEMU exit status $rc after ${SECONDS}s"
exit "$rc"
