#!/bin/bash
# The Debian packages, built as a Debian builder would on bookworm (this
# machine) and trixie (the cached trixie build root): dpkg-buildpackage
# from a clean export, lintian with no error or warning, the contents of
# each package (every path expected, nothing else), the version from its
# one home (debian/changelog) in dkms.conf and both packages, the helper
# hardened by dpkg-buildflags, dkms refusing kernels before 6.1 with its
# BUILD_EXCLUSIVE message, and the maintainer scripts enabling and
# starting the unit after loading the module through systemd-modules-load.
# The packages are never installed here (the guest-image test does that).
# Usage: tests/deb/run.sh [SUITE...]     (default: bookworm trixie)
# Last line: "deb: P passed, F failed".
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../tap.sh
. "$(dirname "$0")/../tap.sh"

out=${MN_OUT:-$MN_ROOT/build/deb}
logs=$out/logs
tap_logs=$logs
trixie_root() { "$MN_ROOT/scripts/debian-root.sh" run "$MN_ROOT/scripts/roots/trixie-build.list" "$@"; }


rm -rf "$out"
mkdir -p "$out" "$logs"
version=$(make -s -C "$MN_ROOT" version)
# the tree's files, as the export build.sh builds from has them
tree_files=$(cd "$MN_ROOT" && git ls-files --cached --others --exclude-standard)

# the paths in DEB (files and symlinks), sorted, without the leading ./
deb_files() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./||' | sort; }

# SUITE: its packages, named by their own version
debs_of() { echo "$out/$1/mirrornet-dkms_${version}_all.deb" "$out/$1/mirrornet_${version}_amd64.deb"; }

t_build() {
	local suite=$1 debs
	SECONDS=0
	debs=$("$MN_ROOT/tests/deb/build.sh" "$suite" "$out/$suite")
	echo "$suite built in ${SECONDS}s"
	[[ $debs == "$(debs_of "$suite" | tr ' ' '\n')" ]] ||
		{ echo "build.sh printed: $debs"; return 1; }
}

t_lintian() {
	local suite=$1 changes=mirrornet_${version}_amd64.changes
	# what every level says, for the record; graded on errors and warnings
	case $suite in
	bookworm)
		(cd "$out/$suite" && lintian -I -E --pedantic "$changes" >lintian.txt 2>&1) || true
		(cd "$out/$suite" && lintian -i --fail-on error,warning "$changes")
		;;
	trixie)
		trixie_root -b "$out/$suite:/debs" -- sh -c "cd /debs &&
			{ lintian -I -E --pedantic $changes >lintian.txt 2>&1 || true; } &&
			lintian -i --fail-on error,warning $changes"
		;;
	esac
}

# mirrornet-dkms: the sources make dkms-src lays out (kmod's top-level
# sources, the uapi header, dkms.conf) and the package's docs; no build
# output, nothing else
t_dkms_contents() {
	local deb=$out/$1/mirrornet-dkms_${version}_all.deb src=usr/src/mirrornet-$version
	local want
	want=$({
		grep -E '^kmod/[^/]+\.[ch]$|^kmod/(Kbuild|Makefile)$' <<<"$tree_files" | sed "s|^|$src/|"
		echo "$src/dkms.conf"
		echo "$src/include/uapi/linux/mirrornet.h"
		echo usr/share/doc/mirrornet-dkms/changelog.gz
		echo usr/share/doc/mirrornet-dkms/copyright
	} | sort)
	diff -u <(echo "$want") <(deb_files "$deb")
	if dpkg-deb -c "$deb" | awk '$2 != "root/root"' | grep .; then return 1; fi
}

# mirrornet: the helper and whatever make install-extras installs (the
# unit where the suite's debhelper enables it: /lib on bookworm, /usr/lib
# on trixie; man pages compressed), the docs; nothing else
t_helper_contents() {
	local suite=$1 deb=$out/$1/mirrornet_${version}_amd64.deb unit_dir stage=$out/$1/install-extras
	local want f
	case $suite in
	bookworm) unit_dir=/lib/systemd/system ;;
	trixie) unit_dir=/usr/lib/systemd/system ;;
	esac
	rm -rf "$stage"
	make -s -C "$MN_ROOT" install-extras DESTDIR="$stage" PREFIX=/usr SYSTEMD_UNIT_DIR="$unit_dir"
	want=$({
		(cd "$stage" && find . ! -type d | sed 's|^\./||' |
			sed -E 's|^(usr/share/man/.*\.[0-9])$|\1.gz|')
		echo usr/sbin/mirrornet
		echo usr/share/doc/mirrornet/changelog.gz
		echo usr/share/doc/mirrornet/copyright
		echo usr/share/lintian/overrides/mirrornet
	} | sort)
	diff -u <(echo "$want") <(deb_files "$deb")
	# what every guest needs, whatever install-extras does
	for f in usr/sbin/mirrornet "${unit_dir#/}/mirrornet.service" usr/share/man/man8/mirrornet.8.gz \
		usr/lib/modules-load.d/mirrornet.conf usr/lib/mirrornet/gns; do
		grep -qx "$f" <<<"$want" || { echo "missing: $f"; return 1; }
	done
	if dpkg-deb -c "$deb" | awk '$2 != "root/root"' | grep .; then return 1; fi
}

# the one home of the version: debian/changelog (make version); dkms.conf
# in the package, the dkms maintainer scripts, both packages and .changes,
# and the copy mirrornet(8) carries in its title line
t_version() {
	local suite=$1 deb x=$out/$1/x conf th
	for deb in $(debs_of "$suite"); do
		[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] ||
			{ echo "$deb: version $(dpkg-deb -f "$deb" Version), not $version"; return 1; }
	done
	grep -qx "Version: $version" "$out/$suite/mirrornet_${version}_amd64.changes"
	rm -rf "$x" && mkdir -p "$x"
	deb=$out/$suite/mirrornet-dkms_${version}_all.deb
	dpkg-deb -x "$deb" "$x/root" && dpkg-deb -e "$deb" "$x/ctl"
	conf=$x/root/usr/src/mirrornet-$version/dkms.conf
	grep -x "PACKAGE_VERSION=\"$version\"" "$conf"
	if grep -n '#MODULE_VERSION#' "$conf"; then return 1; fi
	grep -x "DKMS_VERSION=$version" "$x/ctl/postinst" "$x/ctl/prerm"
	deb=$out/$suite/mirrornet_${version}_amd64.deb
	dpkg-deb -x "$deb" "$x/helper"
	th=$(zcat "$x/helper/usr/share/man/man8/mirrornet.8.gz" | grep '^\.TH')
	[[ $th == *"\"mirrornet $version\""* ]] || { echo "mirrornet(8): $th"; return 1; }
}

# dpkg-buildflags' hardening reached the helper: the compiler and linker
# flags in the build log, and in the binary PIE, full RELRO (BIND_NOW),
# the stack protector and fortified calls; -Werror left to developers
t_hardening() {
	local suite=$1 x=$out/$1/x-helper bin cmd hdr dyn phdrs syms
	cmd=$(sed -n '/ -o helper\/mirrornet /p; /^cc .* \\$/{N;/-o helper\/mirrornet /p}' "$out/$suite/build.log")
	[[ -n $cmd ]] || { echo "no helper link command in the build log"; return 1; }
	echo "$cmd"
	for f in -D_FORTIFY_SOURCE= -fstack-protector-strong -Wformat -Werror=format-security \
		-Wl,-z,relro -Wl,-z,now; do
		grep -qF -- "$f" <<<"$cmd" || { echo "missing: $f"; return 1; }
	done
	! grep -qE '(^| )-Werror( |$)' <<<"$cmd" || { echo "-Werror is forced on the package build"; return 1; }
	rm -rf "$x" && dpkg-deb -x "$out/$suite/mirrornet_${version}_amd64.deb" "$x"
	bin=$x/usr/sbin/mirrornet
	# (grep -q on a pipe would end readelf early: SIGPIPE under pipefail)
	hdr=$(readelf -h "$bin") dyn=$(readelf -d "$bin") phdrs=$(readelf -lW "$bin")
	syms=$(readelf --dyn-syms -W "$bin")
	grep -q 'Type: *DYN' <<<"$hdr" || { echo "not PIE"; return 1; }
	grep -q 'FLAGS_1.*PIE' <<<"$dyn" || { echo "no PIE flag"; return 1; }
	grep -q GNU_RELRO <<<"$phdrs" || { echo "no RELRO"; return 1; }
	grep -qE 'BIND_NOW|FLAGS.* NOW' <<<"$dyn" || { echo "no BIND_NOW"; return 1; }
	grep -q __stack_chk_fail <<<"$syms" || { echo "no stack protector"; return 1; }
	grep -qE ' __[a-z_]+_chk(@|$)' <<<"$syms" || { echo "no fortified call"; return 1; }
}

t_dkms_exclusive() {
	local suite=$1 deb=mirrornet-dkms_${version}_all.deb
	case $suite in
	bookworm) "$MN_ROOT/tests/deb/dkms-exclusive.sh" "$out/$suite/$deb" "$out/$suite/dkms" ;;
	trixie)
		trixie_root -b "$out/$suite:/debs" -b "$MN_ROOT/tests/deb:/t" -- \
			/t/dkms-exclusive.sh "/debs/$deb" /debs/dkms
		;;
	esac
}

# mirrornet's maintainer scripts: the module loaded by restarting
# systemd-modules-load before the unit starts; the unit enabled and
# started on install, stopped on remove, its state purged (which shows
# dh_installsystemd found the unit where the package puts it)
t_maintscripts() {
	local ctl=$out/$1/ctl modules_load start
	rm -rf "$ctl" && dpkg-deb -e "$out/$1/mirrornet_${version}_amd64.deb" "$ctl"
	modules_load=$(grep -n 'deb-systemd-invoke restart systemd-modules-load.service' "$ctl/postinst" | cut -d: -f1)
	start=$(grep -n "deb-systemd-invoke \$_dh_action 'mirrornet.service'" "$ctl/postinst" | cut -d: -f1)
	[[ -n $modules_load && -n $start ]] || { cat "$ctl/postinst"; return 1; }
	((modules_load < start)) || { echo "the unit starts before modules-load runs"; return 1; }
	grep -q "deb-systemd-helper enable 'mirrornet.service'" "$ctl/postinst"
	grep -q "deb-systemd-invoke stop 'mirrornet.service'" "$ctl/prerm"
	grep -q "deb-systemd-helper purge 'mirrornet.service'" "$ctl/postrm"
}

suites=("$@")
((${#suites[@]})) || suites=(bookworm trixie)
for suite in "${suites[@]}"; do
	tap_check "$suite: dpkg-buildpackage -us -uc -b from a clean export: mirrornet-dkms and mirrornet" \
		t_build "$suite"
	if [[ ! -f $out/$suite/mirrornet_${version}_amd64.changes ]]; then
		tap_result 1 "$suite: the other tests (no packages)"
		continue
	fi
	tap_check "$suite: lintian ($suite's) finds no error or warning" t_lintian "$suite"
	tap_check "$suite: mirrornet-dkms holds the module's sources and dkms.conf, nothing else" \
		t_dkms_contents "$suite"
	tap_check "$suite: mirrornet holds the helper and all make install-extras installs, nothing else" \
		t_helper_contents "$suite"
	tap_check "$suite: version $version (debian/changelog) in both packages, dkms.conf, dkms's scripts, mirrornet(8)" \
		t_version "$suite"
	tap_check "$suite: the helper is hardened (fortify, stack protector, PIE, RELRO, BIND_NOW), no -Werror" \
		t_hardening "$suite"
	tap_check "$suite: $suite's dkms refuses kernels before 6.1 (its BUILD_EXCLUSIVE message), builds 6.1 and newer" \
		t_dkms_exclusive "$suite"
	tap_check "$suite: postinst loads the module (systemd-modules-load) before starting the unit" \
		t_maintscripts "$suite"
done

tap_summary deb
