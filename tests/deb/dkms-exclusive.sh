#!/bin/bash
# dkms.conf's kernel floor, against this system's dkms (bookworm's 3.0.10
# reads BUILD_EXCLUSIVE_KERNEL, trixie's 3.2 also _MIN): kernels before
# 6.1 are refused with dkms's BUILD_EXCLUSIVE message (exit 77), not a
# compiler error; 6.1 and newer go on to the kernel's make. Fake releases
# with fake header directories whose make only records that it ran; a
# private --dkmstree/--sourcetree: the system's DKMS state is not touched.
# Where dkms reads BUILD_EXCLUSIVE_KERNEL_MIN (3.1 and newer), the same
# with the regular expression taken out: the floor holds with _MIN alone.
# Usage: dkms-exclusive.sh MIRRORNET_DKMS_DEB WORKDIR
# Prints what it saw; exits 0 when every release behaved.
set -uo pipefail
deb=$1 work=$2
rm -rf "$work" && mkdir -p "$work"/{dkms,src,pkg}
dpkg-deb -x "$deb" "$work/pkg" || exit 1
version=$(dpkg-deb -f "$deb" Version)
mv "$work/pkg/usr/src/mirrornet-$version" "$work/src/" || exit 1
flags=(--dkmstree "$work/dkms" --sourcetree "$work/src" -m mirrornet -v "$version")
# the signing key dkms may generate goes into the private tree too
export mok_signing_key=$work/dkms/mok.key mok_certificate=$work/dkms/mok.pub
echo "dkms $(dkms --version 2>&1)"
dkms add "${flags[@]}" || exit 1

bad=0
# build RELEASE refused|built
build() {
	local kver=$1 want=$2 headers=$work/headers-$label-$1 log=$work/build-$label-$1.log rc=0
	mkdir -p "$headers/include"
	printf 'modules:\n\ttouch %s/make-ran\n\tfalse\n' "$headers" >"$headers/Makefile"
	dkms build "${flags[@]}" -k "$kver" --kernelsourcedir "$headers" --no-depmod >"$log" 2>&1 || rc=$?
	sed "s/^/$label $kver: /" "$log"
	if grep -qi deprecated "$log"; then
		echo "$label $kver: dkms calls something in dkms.conf deprecated"
		bad=1
	fi
	if grep -q 'Cleaning build area\.*(bad exit status' "$log"; then
		echo "$label $kver: dkms's clean step failed"
		bad=1
	fi
	case $want in
	refused)
		# one line in dkms 3.0, wrapped in 3.2
		if ((rc == 77)) && tr '\n' ' ' <"$log" |
			grep -q 'includes a BUILD_EXCLUSIVE directive *which does not match this kernel' &&
			[[ ! -e $headers/make-ran ]]; then
			echo "$label $kver: refused (exit 77), as it should be"
		else
			echo "$label $kver: NOT refused by BUILD_EXCLUSIVE (exit $rc)"
			bad=1
		fi
		;;
	built)
		if [[ -e $headers/make-ran ]] && ! grep -q BUILD_EXCLUSIVE "$log"; then
			echo "$label $kver: dkms ran the kernel's make, as it should"
		else
			echo "$label $kver: dkms did not build (exit $rc)"
			bad=1
		fi
		;;
	esac
}

label=dkms.conf
build 5.10.0-fake refused
build 6.0.19-fake refused
build 6.1.0-fake built
build 6.12.9-fake built
build 7.3.4-fake built
build 10.0.0-fake built

if grep -q BUILD_EXCLUSIVE_KERNEL_MIN "$(command -v dkms)"; then
	label=min-only
	mkdir -p "$work/src-min" "$work/dkms-min"
	cp -a "$work/src/mirrornet-$version" "$work/src-min/"
	sed -i '/^BUILD_EXCLUSIVE_KERNEL=/d' "$work/src-min/mirrornet-$version/dkms.conf"
	grep -q '^BUILD_EXCLUSIVE_KERNEL_MIN=' "$work/src-min/mirrornet-$version/dkms.conf" ||
		{ echo "no BUILD_EXCLUSIVE_KERNEL_MIN in dkms.conf"; exit 1; }
	flags=(--dkmstree "$work/dkms-min" --sourcetree "$work/src-min" -m mirrornet -v "$version")
	dkms add "${flags[@]}" || exit 1
	build 6.0.19-fake refused
	build 6.1.0-fake built
fi
exit "$bad"
