#!/bin/bash
# Packaging tests: DKMS builds and installs mirrornet.ko for Debian's 6.1
# and 6.12 headers in a private DKMS tree (the system's /var/lib/dkms is
# never touched), the systemd unit and the wait-online drop-in pass
# systemd-analyze verify, the unit's settings and its exposure score, the
# coexistence files' name patterns, readiness against a fake NOTIFY_SOCKET
# (notify.sh), the unit's capabilities (caps.sh), the man page renders without warnings and documents every
# option, the modules-load.d and modprobe.d examples do what they say
# (real modprobe against the DKMS-installed module), in VMs on Debian's
# stock 6.1 and 6.12 kernels the installed module autoloads through its
# genl family alias, and under a real systemd (the host's root booted
# read-only in a 6.1 VM) the unit starts after modules-load.d, becomes
# ready as it should, runs a host's session under its sandbox, and the
# coexistence files work with networkd, udev and wait-online
# (systemd/run-tests.sh). Everything runs from a copy of the tree.
# Usage: tests/packaging/run.sh
# Last line: "packaging: P passed, F failed".
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../tap.sh
. "$(dirname "$0")/../tap.sh"

FAMILY_ALIAS=net-pf-16-proto-16-family-mirrornet
out=${MN_OUT:-$MN_ROOT/build/packaging}
tree=$out/tree
dkms_tree=$out/dkms
src_tree=$out/src
# a staging root: what `dkms install` writes to /lib/modules on a guest image
root=$out/root
prefix=$out/prefix
logs=$out/logs
tap_logs=$logs


rm -rf "$out"
mkdir -p "$out" "$logs" "$dkms_tree" "$src_tree"

# the tree as it is, tracked and new files, without build outputs
(cd "$MN_ROOT" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
	cpio -pdm0 --quiet "$tree")

k61=$(mn_kver_newest 6.1)
k612=$(mn_kver_newest 6.12)
kernels=("$k61" "$k612")
version=$(make -s -C "$tree" version)
for k in "${kernels[@]}"; do mkdir -p "$root/lib/modules/$k"; done

# Every dkms call of make dkms-install, in the private tree: the signing
# key dkms generates goes there too (it defaults to /var/lib/dkms/mok.key).
dkms_flags="--dkmstree $dkms_tree --sourcetree $src_tree --installtree $root/lib/modules --no-depmod"
for k in "${kernels[@]}"; do dkms_flags+=" -k $k"; done
system_dkms_before=$(find /var/lib/dkms -printf '%p %s %T@\n' 2>/dev/null | sort || true)
# make dkms-install LOG: its exit status
dkms_install() {
	local rc=0
	env mok_signing_key="$dkms_tree/mok.key" mok_certificate="$dkms_tree/mok.pub" \
		make -s -C "$tree" dkms-install DKMS_SOURCE_TREE="$src_tree" \
		DKMS_FLAGS="$dkms_flags" >"$1" 2>&1 || rc=$?
	return "$rc"
}
dkms_rc=0 dkms_again_rc=0
dkms_install "$logs/dkms-install.log" || dkms_rc=$?
# again, over the version it added, built and installed
dkms_install "$logs/dkms-install-again.log" || dkms_again_rc=$?
system_dkms_after=$(find /var/lib/dkms -printf '%p %s %T@\n' 2>/dev/null | sort || true)

# the module dkms built for KVER (the 6.12 kernel compresses its modules)
built_ko() {
	local ko
	for ko in "$dkms_tree/mirrornet/$version/$1/x86_64/module"/mirrornet.ko{,.xz,.zst,.gz}; do
		[[ -f $ko ]] && { echo "$ko"; return 0; }
	done
	echo "no mirrornet.ko built for $1 in $dkms_tree" >&2
	return 1
}

t_dkms_install_ran() {
	cat "$logs/dkms-install.log"
	((dkms_rc == 0))
}

# the second run rebuilt and reinstalled for both kernels
t_dkms_install_again() {
	local k
	cat "$logs/dkms-install-again.log"
	((dkms_again_rc == 0))
	for k in "${kernels[@]}"; do
		grep -qF "Installing to $root/lib/modules/$k/updates/dkms/" "$logs/dkms-install-again.log"
	done
}

# the .ko exists, is for KVER and carries the family alias
t_dkms_built() {
	local kver=$1 ko vermagic
	ko=$(built_ko "$kver")
	modinfo -F alias "$ko" | grep -qx "$FAMILY_ALIAS" ||
		{ echo "alias $FAMILY_ALIAS missing:"; modinfo "$ko"; return 1; }
	vermagic=$(modinfo -F vermagic "$ko")
	[[ $vermagic == "$kver "* ]] || { echo "vermagic '$vermagic' is not for $kver"; return 1; }
}

# dkms install put it under updates/dkms; depmod makes the alias resolve to it
t_dkms_installed() {
	local kver=$1 ko deps
	ko=$(find "$root/lib/modules/$kver/updates/dkms" -name 'mirrornet.ko*' -print -quit)
	[[ -n $ko ]] || { echo "nothing installed in $root/lib/modules/$kver/updates/dkms"; return 1; }
	depmod -b "$root" "$kver" 2>/dev/null
	grep -x "alias $FAMILY_ALIAS mirrornet" "$root/lib/modules/$kver/modules.alias"
	deps=$(modprobe -d "$root" -S "$kver" -C /dev/null --show-depends "$FAMILY_ALIAS")
	[[ $deps == "insmod $ko " ]] || { echo "the alias resolves to: '$deps', not $ko"; return 1; }
}

t_system_dkms_untouched() {
	[[ $system_dkms_before == "$system_dkms_after" ]] ||
		{ diff <(echo "$system_dkms_before") <(echo "$system_dkms_after"); return 1; }
}

tap_check "make dkms-install: dkms add, build and install against $k61 and $k612" t_dkms_install_ran
tap_check "make dkms-install again over the same version: rebuilt and reinstalled" t_dkms_install_again
tap_check "dkms build against $k61: mirrornet.ko with the family alias" t_dkms_built "$k61"
tap_check "dkms build against $k612: mirrornet.ko with the family alias" t_dkms_built "$k612"
tap_check "dkms install for $k61: updates/dkms, the family alias resolves to it" t_dkms_installed "$k61"
tap_check "dkms install for $k612: updates/dkms, the family alias resolves to it" t_dkms_installed "$k612"
tap_check "the system's /var/lib/dkms is untouched" t_system_dkms_untouched

# make install-extras into a prefix that holds a real helper, so that the
# unit's ExecStart and the man page it names both exist for verify
helper_rc=0
make -s -C "$tree" helper >"$logs/helper.log" 2>&1 || helper_rc=$?
make -s -C "$tree" install-extras PREFIX="$prefix" >"$logs/install-extras.log" 2>&1 || true
[[ $helper_rc -ne 0 ]] || install -D -m 755 "$tree/helper/mirrornet" "$prefix/sbin/mirrornet"
unit=$prefix/lib/systemd/system/mirrornet.service
wait_online_dropin=$prefix/lib/systemd/system/systemd-networkd-wait-online.service.d/50-mirrornet.conf
udev_rule=$prefix/lib/udev/rules.d/90-mirrornet.rules
network_file=$prefix/lib/systemd/network/05-mirrornet.network
nm_conf=$prefix/lib/NetworkManager/conf.d/90-mirrornet.conf
# what make install-extras installs, relative to PREFIX
extras=(lib/systemd/system/mirrornet.service
	lib/systemd/system/systemd-networkd-wait-online.service.d/50-mirrornet.conf
	lib/mirrornet/gns share/man/man8/mirrornet.8 lib/modules-load.d/mirrornet.conf
	lib/udev/rules.d/90-mirrornet.rules lib/systemd/network/05-mirrornet.network
	lib/NetworkManager/conf.d/90-mirrornet.conf
	share/doc/mirrornet/examples/modprobe.d/mirrornet.conf
	share/doc/mirrornet/examples/default/mirrornet)

t_install_extras() {
	cat "$logs/helper.log" "$logs/install-extras.log"
	local f
	for f in "${extras[@]}" sbin/mirrornet; do
		[[ -f $prefix/$f ]] || { echo "missing: $prefix/$f"; return 1; }
	done
	# an image's staging root: the same files under DESTDIR, the unit
	# naming the helper where make install PREFIX=/usr puts it, and
	# nothing else: nothing in /etc, which apt remove would leave behind
	make -s -C "$tree" install-extras DESTDIR="$out/destdir" PREFIX=/usr
	diff <(printf 'usr/%s\n' "${extras[@]}" | sort) \
		<(cd "$out/destdir" && find . -type f -printf '%P\n' | sort)
	# shellcheck disable=SC2016 # the unit's own $MIRRORNET_OPTS
	grep -x 'ExecStart=/usr/sbin/mirrornet serve $MIRRORNET_OPTS' \
		"$out/destdir/usr/lib/systemd/system/mirrornet.service"
}

t_unit_verify() {
	local err
	# verify runs "man mirrornet(8)" for Documentation=; it finds the page in
	# the prefix, and fails on any warning or a missing ExecStart binary
	err=$(MANPATH="$prefix/share/man" systemd-analyze verify "$unit" 2>&1) ||
		{ echo "$err"; return 1; }
	[[ -z $err ]] || { echo "$err"; return 1; }
	# the wait-online drop-in, on the unit it extends (this machine's):
	# the prefix's unit directory first in the search path
	[[ -f /lib/systemd/system/systemd-networkd-wait-online.service ]]
	err=$(SYSTEMD_UNIT_PATH="$prefix/lib/systemd/system:" \
		systemd-analyze verify systemd-networkd-wait-online.service 2>&1) ||
		{ echo "$err"; return 1; }
	[[ -z $err ]] || { echo "$err"; return 1; }
	grep -x 'ConditionPathExists=!/run/mirrornet/manages-uplinks' "$wait_online_dropin"
	# the flag file's name is the helper's
	grep -q '#define MN_READY_FLAG[[:space:]]*"manages-uplinks"' "$tree/helper/ready.h"
	grep -x 'RuntimeDirectory=mirrornet' "$unit"
}

# the settings the brief asks of it, as the unit file has them
t_unit_settings() {
	local line
	for line in "ExecStart=$prefix/sbin/mirrornet serve \$MIRRORNET_OPTS" \
		"EnvironmentFile=-/etc/default/mirrornet" "Type=notify" \
		"ConditionVirtualization=vm" "ConditionPathExists=|/dev/vsock" \
		"After=systemd-modules-load.service systemd-udevd.service" \
		"Before=network.target network-online.target" \
		"Before=systemd-networkd-wait-online.service NetworkManager-wait-online.service" \
		"Restart=on-failure" "RestartPreventExitStatus=2" "TimeoutStopSec=5s" \
		"CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_BIND_SERVICE" \
		"WantedBy=multi-user.target network-online.target dev-vsock.device"; do
		grep -qxF "$line" "$unit" || { echo "no line '$line' in $unit"; return 1; }
	done
	# the module loads one way: modules-load.d
	! grep -q '^ExecStartPre=' "$unit"
}

# bookworm's systemd 252 rates the unit 2.4; it must not get worse
unit_exposure_max=2.4
t_unit_security() {
	local report level
	report=$(systemd-analyze security --offline=true "$unit" 2>&1)
	echo "$report"
	level=$(sed -n 's/^→ Overall exposure level for mirrornet.service: \([0-9.]*\) .*/\1/p' <<<"$report")
	[[ -n $level ]]
	echo "exposure $level, at most $unit_exposure_max"
	awk -v l="$level" -v m="$unit_exposure_max" 'BEGIN {exit !(l <= m)}'
}

# names_match KIND NAME: whether NAME is one of mirrornet's NICs for the
# file of KIND (udev, networkd, nm), by its own patterns and glob rules
names_match() {
	local pats=() p
	case $1 in
	udev)
		# KERNEL!="a|b|c": udev's fnmatch() patterns, | between them
		IFS='|' read -ra pats < <(sed -n 's/^KERNEL!="\([^"]*\)", GOTO="mirrornet_end"$/\1/p' "$udev_rule")
		;;
	networkd)
		read -ra pats < <(sed -n 's/^Name=//p' "$network_file")
		;;
	nm)
		# interface-name:GLOB entries; NM's globs know * and ? only
		IFS=';' read -ra pats < <(sed -n 's/^unmanaged-devices+=//p' "$nm_conf")
		pats=("${pats[@]#interface-name:}")
		;;
	esac
	((${#pats[@]})) || { echo "no patterns in the $1 file" >&2; return 2; }
	for p in "${pats[@]}"; do
		# shellcheck disable=SC2053 # a glob on purpose
		[[ $2 == $p ]] && return 0
	done
	return 1
}

# mirrornet's names (the host's: ethN, wlanN, the NIC under a virt_wifi
# wlanN, the GELNIC) match; names an image gives its own NICs do not
t_nic_names() {
	local kind name rc bad=0
	for kind in udev networkd nm; do
		for name in eth0 eth12 wlan0 wlan3 _wlan0 loopback0; do
			rc=0
			names_match "$kind" "$name" || rc=$?
			((rc == 0)) || { echo "$kind: $name does not match"; bad=1; }
		done
		for name in ens3 enp0s2 enP1s1 lo docker0 veth1a2b3c virbr0 br0 wlp2s0 loopback1; do
			rc=0
			names_match "$kind" "$name" || rc=$?
			((rc == 1)) || { echo "$kind: $name matches (status $rc)"; bad=1; }
		done
	done
	# the udev rule sets the properties on hv_netvsc links only
	# and on virt_wifi's parentless wireless wlanN
	grep -qx 'DRIVERS=="hv_netvsc", ENV{ID_NET_MANAGED_BY}="io.mirrornet", ENV{NM_UNMANAGED}="1"' "$udev_rule"
	grep -qx 'KERNEL=="wlan\[0-9\]\*", DEVPATH=="/devices/virtual/net/\*", ENV{DEVTYPE}=="wlan", ENV{ID_NET_MANAGED_BY}="io.mirrornet", ENV{NM_UNMANAGED}="1"' "$udev_rule"
	grep -qx 'LABEL="mirrornet_end"' "$udev_rule"
	return "$bad"
}

# the .network as networkd reads it: [Match] Name= and [Link] Unmanaged=
# and nothing else; the NM file: one [keyfile] key
t_coexistence_files() {
	diff <(grep -Ev '^(#|$)' "$network_file") - <<-EOF
		[Match]
		Name=eth[0-9]* wlan[0-9]* _wlan[0-9]* loopback0
		[Link]
		Unmanaged=yes
	EOF
	diff <(grep -Ev '^(#|$)' "$nm_conf" | sed 's/=.*//') - <<-EOF
		[keyfile]
		unmanaged-devices+
	EOF
	# 05 sorts before netplan's 10-netplan-*.network and every shipped one
	local shipped=(/lib/systemd/network/*)
	[[ $(printf '%s\n' 05-mirrornet.network 10-netplan-eth0.network "${shipped[@]##*/}" |
		LC_ALL=C sort | head -n 1) == 05-mirrornet.network ]]
}

tap_check "make install-extras (PREFIX, DESTDIR): the unit, coexistence files, man page, examples; nothing in /etc" t_install_extras
tap_check "mirrornet.service and the wait-online drop-in pass systemd-analyze verify" t_unit_verify
tap_check "mirrornet.service: Type=notify, conditions, ordering, restart, stop timeout, capabilities" t_unit_settings
tap_check "mirrornet.service: systemd-analyze security exposure at most $unit_exposure_max" t_unit_security
tap_check "udev rule, .network and NetworkManager conf match mirrornet's NIC names only" t_nic_names
tap_check "05-mirrornet.network and 90-mirrornet.conf hold what networkd and NM read" t_coexistence_files

# suite NAME: tests/packaging/NAME.sh, its TAP lines and counts as ours
# (notify.sh: readiness against a fake NOTIFY_SOCKET; caps.sh: the unit's
# capabilities suffice and each is needed)
suite() {
	local log=$logs/$1.log rc=0
	SECONDS=0
	MN_OUT=$out/$1 "$tree/tests/packaging/$1.sh" >"$log" 2>&1 || rc=$?
	grep -E '^(ok|not ok|#)' "$log" || true
	echo "# $1.sh took $SECONDS s"
	if [[ $(tail -n 1 "$log") =~ ^$1:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		tap_pass=$((tap_pass + BASH_REMATCH[1]))
		tap_fail=$((tap_fail + BASH_REMATCH[2]))
	else
		tap_result 1 "$1.sh: a summary (status $rc)"
		tail -n 20 "$log" | sed 's/^/# /'
	fi
}
suite notify
suite caps

man_page=$tree/Documentation/mirrornet.8

t_man_renders() {
	local err
	if ! err=$(groff -man -ww -z "$man_page" 2>&1) || [[ -n $err ]]; then
		echo "groff: $err"
		return 1
	fi
	if ! err=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man_page" 2>&1 >/dev/null) ||
		[[ -n $err ]]; then
		echo "man: $err"
		return 1
	fi
}

# every option of the helper's usage text is described in the page
t_man_options() {
	local usage opt roff missing=0
	usage=$("$tree/helper/mirrornet" --help)
	for opt in $(grep -o -- '--[a-z][a-z_-]*' <<<"$usage" | sort -u) --help; do
		roff=${opt//-/\\-}
		# described: the tag of a .TP paragraph, a .B or .BI line whose
		# first word is the option
		W=$roff awk 'prev == ".TP" && ($1 == ".B" || $1 == ".BI") &&
			$2 == ENVIRON["W"] {found = 1} {prev = $0} END {exit !found}' "$man_page" ||
			{ echo "option $opt is not described"; missing=1; }
	done
	# every module parameter, as the tag of a .TP paragraph
	for opt in $(modinfo -F parm "$(built_ko "$k61")" | cut -d: -f1); do
		W=$opt awk 'prev == ".TP" && $1 == ".BI" && index($2, ENVIRON["W"] "=") == 1 {found = 1}
			{prev = $0} END {exit !found}' "$man_page" ||
			{ echo "module parameter $opt is not described"; missing=1; }
	done
	return "$missing"
}

# every operation, notification and multicast group of the family's spec
t_man_family() {
	local spec=$tree/Documentation/netlink/specs/mirrornet.yaml names name missing=0
	names=$(sed -n '/^operations:/,$s/^ *name: *//p' "$spec")
	[[ -n $names ]] || { echo "no operations in $spec"; return 1; }
	for name in $names; do
		W=${name//-/\\-} awk '($1 == ".B" || $1 == ".BR") && $2 == ENVIRON["W"] {found = 1}
			END {exit !found}' "$man_page" || { echo "$name is not named"; missing=1; }
	done
	return "$missing"
}

tap_check "mirrornet(8) renders without warnings (groff -ww, man --warnings)" t_man_renders
tap_check "mirrornet(8) describes every option of the helper's usage and every module parameter" t_man_options
tap_check "mirrornet(8) names every operation, notification and group of the family's spec" t_man_family

modules_load=$tree/packaging/modules-load.d/mirrornet.conf
modprobe_conf=$tree/packaging/modprobe.d/mirrornet.conf

# names as systemd-modules-load reads them: one a line, # and ; comments
t_modules_load() {
	local names name ko
	names=$(grep -Ev '^[[:space:]]*([#;]|$)' "$modules_load")
	[[ $names == mirrornet ]] || { echo "names: '$names'"; return 1; }
	name=$(modinfo -F name "$(built_ko "$k61")")
	[[ $name == "$names" ]] || { echo "the module calls itself '$name'"; return 1; }
	ko=$(modprobe -d "$root" -S "$k61" -C /dev/null --show-depends "$names")
	[[ $ko == "insmod $root/lib/modules/$k61/updates/dkms/mirrornet.ko " ]] ||
		{ echo "'$names' resolves to: '$ko'"; return 1; }
}

# CONF with "#WORD " lines for the given words made active, in a fresh dir
modprobe_variant() {
	local dir=$1 w sed_args=()
	shift
	mkdir -p "$dir"
	for w in "$@"; do sed_args+=(-e "s/^#$w /$w /"); done
	sed "${sed_args[@]}" "$modprobe_conf" >"$dir/mirrornet.conf"
	echo "$dir/mirrornet.conf"
}

# what modprobe would do for NAME with configuration CONF
resolve() { modprobe -d "$root" -S "$k61" -C "$1" --show-depends "$2" 2>&1; }

t_modprobe_conf() {
	local conf err ko=$root/lib/modules/$k61/updates/dkms/mirrornet.ko res
	# as shipped and in each variant: parses with no complaint
	for conf in "$modprobe_conf" "$(modprobe_variant "$out/mp-blacklist" blacklist)" \
		"$(modprobe_variant "$out/mp-install" install)"; do
		if ! err=$(modprobe -C "$conf" -c 2>&1 >/dev/null) || [[ -n $err ]]; then
			echo "modprobe -c on $conf: $err"
			return 1
		fi
	done
	# as shipped: the alias still loads the module
	res=$(resolve "$modprobe_conf" "$FAMILY_ALIAS")
	[[ $res == "insmod $ko " ]] || { echo "shipped: alias resolves to '$res'"; return 1; }
	# blacklist: the alias loads nothing, the name still loads it
	conf=$out/mp-blacklist/mirrornet.conf
	res=$(resolve "$conf" "$FAMILY_ALIAS")
	[[ -z $res ]] || { echo "blacklist: alias resolves to '$res'"; return 1; }
	res=$(resolve "$conf" mirrornet)
	[[ $res == "insmod $ko " ]] || { echo "blacklist: name resolves to '$res'"; return 1; }
	# install /bin/false: loading by name runs /bin/false instead
	res=$(resolve "$out/mp-install/mirrornet.conf" mirrornet)
	[[ $res == "install /bin/false " ]] || { echo "install: name resolves to '$res'"; return 1; }
}

tap_check "modules-load.d example: the module's name, resolving to the installed module" t_modules_load
tap_check "modprobe.d example parses; as shipped the alias loads it, blacklist and install lines work" t_modprobe_conf

# VM tests on each of Debian's stock kernels: the module installed as dkms
# installed it in the staging root (plain on 6.1, xz-compressed on 6.12),
# the real kmod modprobe and depmod.
vm_test() {
	local kver=$1 vm=$out/vm-$1 stage=$out/vm-stage-$1 rc=0 qrc=0
	mkdir -p "$vm" "$stage/examples" "$stage/root/lib/modules/$kver/updates"
	{
		cp -r "$root/lib/modules/$kver/updates/dkms" "$stage/root/lib/modules/$kver/updates/" &&
			cp "$modules_load" "$stage/examples/modules-load.conf" &&
			cp "$modprobe_conf" "$stage/examples/modprobe.conf" &&
			"$MN_ROOT/tests/vm/build-initramfs.sh" -o "$vm/initrd.cpio" \
				-b "$tree/helper/mirrornet" -b /usr/sbin/modprobe -b /usr/sbin/depmod \
				-d "$MN_ROOT/tests/packaging/guest" -d "$stage"
	} >"$logs/vm-build-$kver.log" 2>&1 || rc=$?
	if ((rc)); then
		tap_result 1 "VM on $kver: initramfs with the installed module and the real kmod"
		sed 's/^/# /' "$logs/vm-build-$kver.log"
		return
	fi
	"$MN_ROOT/tests/vm/run-vm.sh" -k "/boot/vmlinuz-$kver" -i "$vm/initrd.cpio" \
		-o "$vm" -t 600 >"$logs/vm-run-$kver.log" 2>&1 || qrc=$?
	grade_vm "$vm" "VM on $kver" "$qrc"
}

# grade_vm OUTDIR LABEL QEMU_RC: the guest's TAP lines as ours, and what
# check-results.sh found beyond them (a crash, a kernel problem)
grade_vm() {
	local vm=$1 label=$2 verdict summary
	verdict=$("$MN_ROOT/tests/vm/check-results.sh" "$vm" "packaging-vm" "$3" || true)
	sed -n 's/^\(not ok\|ok\) [0-9]* - /\1 - '"$label"': /p' "$vm/tap.txt"
	sed '$d' <<<"$verdict" | sed 's/^/# /'
	summary=$(tail -n 1 <<<"$verdict")
	if [[ $summary =~ ^packaging-vm:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		tap_pass=$((tap_pass + BASH_REMATCH[1]))
		tap_fail=$((tap_fail + BASH_REMATCH[2]))
	else
		tap_result 1 "$label: a verdict ($summary)"
	fi
}

# The unit under a real systemd: Debian 6.1 boots the host's own root
# (read-only over virtio-9p, under a tmpfs overlay) with the host's systemd
# as PID 1 (tests/packaging/systemd/init). What the guest needs is in the
# initramfs, at /mn-image: make install-helper install-extras DESTDIR=
# PREFIX=/usr and the DKMS-installed module, as in a guest image, and the
# test runner (run-tests.sh, run as a service); nothing is read from $out
# or the tree, which may be anywhere on the host, /tmp included.
# Generous timeouts (TCG on a loaded host): should the tests fail, hang or
# not start, report.sh still puts the reason in the TAP and ends the VM,
# at mn.deadline seconds after boot at the latest, well before QEMU's.
systemd_deadline=900 systemd_timeout=1200
systemd_test() {
	local vm=$out/vm-systemd sd=$MN_ROOT/tests/packaging/systemd rc=0 qrc=0
	local label="systemd on $k61" img=$out/vm-systemd/init/mn-image
	mkdir -p "$img/usr/lib/modules/$k61/updates" "$img/usr/lib/mn-packaging" \
		"$img/usr/lib/mn-systemd" "$img/etc/systemd/system" "$img/etc/systemd/system.conf.d" \
		"$img/etc/default"
	{
		make -s -C "$tree" install-helper install-extras DESTDIR="$img" PREFIX=/usr &&
			cp -r "$root/lib/modules/$k61/updates/dkms" "$img/usr/lib/modules/$k61/updates/" &&
			# the host of the real run, on vsock_loopback
			printf 'MIRRORNET_OPTS="--vsock 1:50000"\n' >"$img/etc/default/mirrornet" &&
			cc -std=gnu11 -O2 -Wall -Wextra -Werror -I"$tree/lib" \
				-o "$img/usr/lib/mn-packaging/gns-host" \
				"$tree/tests/hostsim/gns-host.c" "$tree"/lib/gns/*.c &&
			install -m 755 "$tree/tests/e2e/guest/lib/hotadd" "$img/usr/lib/mn-packaging/" &&
			install -m 755 "$sd"/{run-tests.sh,host-step.sh} "$img/usr/lib/mn-packaging/" &&
			install -m 755 "$MN_ROOT"/tests/vm/systemd/{harness.sh,report.sh,watchdog.sh} \
				"$img/usr/lib/mn-systemd/" &&
			install -m 644 "$sd"/{mn-packaging.target,mn-packaging-test.service} \
				"$sd/mn-packaging-report@.service" "$sd/mn-packaging-watchdog.service" \
				"$img/etc/systemd/system/" &&
			install -m 644 "$MN_ROOT/tests/vm/systemd/timeouts.conf" \
				"$img/etc/systemd/system.conf.d/mn-packaging.conf" &&
			install -m 755 "$sd/init" "$vm/init/init" &&
			"$MN_ROOT/tests/vm/build-initramfs.sh" -o "$vm/base.cpio" -k "$k61" \
				-M "virtio_pci 9p 9pnet_virtio overlay vsock_loopback" &&
			# a second archive: its /init replaces the harness's
			(cd "$vm/init" && find init mn-image | cpio -o -H newc --quiet -R 0:0) >"$vm/init.cpio" &&
			cat "$vm/base.cpio" "$vm/init.cpio" >"$vm/initrd.cpio"
	} >"$logs/vm-systemd-build.log" 2>&1 || rc=$?
	if ((rc)); then
		tap_result 1 "$label: initramfs that boots the host's root"
		sed 's/^/# /' "$logs/vm-systemd-build.log"
		return
	fi
	"$MN_ROOT/tests/vm/run-vm.sh" -k "/boot/vmlinuz-$k61" -i "$vm/initrd.cpio" \
		-o "$vm" -t "$systemd_timeout" -a "mn.deadline=$systemd_deadline" -- \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap,id=hostroot \
		>"$logs/vm-systemd-run.log" 2>&1 || qrc=$?
	grade_vm "$vm" "$label" "$qrc"
}

if [[ -x $tree/helper/mirrornet ]]; then
	for k in "${kernels[@]}"; do vm_test "$k"; done
	systemd_test
else
	tap_result 1 "VM tests: the helper did not build"
fi

tap_summary packaging
