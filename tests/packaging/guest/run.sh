#!/bin/sh
# shellcheck shell=dash
# Packaging tests inside the test VM (busybox sh): mirrornet.ko placed under
# updates/dkms as `dkms install` put it, the real kmod modprobe and depmod,
# and the module loading by itself when the helper resolves its genl
# family; the modprobe.d and modules-load.d examples applied. Prints TAP.
# shellcheck source-path=SCRIPTDIR source=../../vm/guest/tap.sh
. /tests/lib/tap.sh

KVER=$(uname -r)
MODDIR=/lib/modules/$KVER
FAMILY_ALIAS=net-pf-16-proto-16-family-mirrornet
SHOW_ERR=/tmp/show.err
# by path: busybox sh runs its own applets of these names before $PATH
MODPROBE=/usr/sbin/modprobe
DEPMOD=/usr/sbin/depmod

# The kernel's request_module runs /sbin/modprobe, which busybox's
# --install made its own applet: make it kmod's, as on a Debian system.
rm -f /sbin/modprobe
ln -s "$MODPROBE" /sbin/modprobe
mkdir -p "$MODDIR/updates" /etc/modprobe.d
cp -r "/tests/root$MODDIR/updates/dkms" "$MODDIR/updates/"
# as dkms installed it: mirrornet.ko, or .ko.xz for a kernel that compresses
KO=$(ls "$MODDIR"/updates/dkms/mirrornet.ko*)

# /etc/modprobe.d/mirrornet.conf: the example as shipped, or changed by the
# sed expressions given
modprobe_conf() {
	sed -e '' "$@" /tests/examples/modprobe.conf >/etc/modprobe.d/mirrornet.conf
}

unload() {
	$MODPROBE -r mirrornet
	[ ! -e /sys/module/mirrornet ]
}

# show_fails: mirrornet show exits 1 for want of the family
show_fails() {
	local rc=0
	mirrornet show 2>"$SHOW_ERR" || rc=$?
	cat "$SHOW_ERR"
	[ "$rc" -eq 1 ] || { echo "mirrornet show: exit status $rc, not 1"; return 1; }
	grep -q 'generic netlink family mirrornet not found' "$SHOW_ERR"
}

t_usermode_helper() {
	[ "$(cat /proc/sys/kernel/modprobe)" = /sbin/modprobe ]
	/sbin/modprobe --version | grep '^kmod version'
}

t_depmod() {
	$DEPMOD -a 2>/dev/null
	grep -x "alias $FAMILY_ALIAS mirrornet" "$MODDIR/modules.alias"
	[ "$($MODPROBE --show-depends "$FAMILY_ALIAS")" = "insmod $KO " ]
}

t_not_loaded() {
	[ ! -e /sys/module/mirrornet ]
}

t_autoload() {
	modprobe_conf
	jq_true '.interfaces == [] and .rules == []' mirrornet show --json
	[ "$(cat /sys/module/mirrornet/initstate)" = live ]
	dmesg | grep 'mirrornet: generic netlink family mirrornet registered'
}

t_blacklist() {
	unload
	modprobe_conf -e 's/^#blacklist /blacklist /'
	grep -x 'blacklist mirrornet' /etc/modprobe.d/mirrornet.conf
	show_fails
	[ ! -e /sys/module/mirrornet ]
}

# systemd-modules-load reads one name a line, # and ; start comments
t_modules_load() {
	local name
	grep -Ev '^[[:space:]]*([#;]|$)' /tests/examples/modules-load.conf >/tmp/names
	while read -r name; do
		$MODPROBE "$name"
	done </tmp/names
	[ -d /sys/module/mirrornet ]
	jq_true '.interfaces == [] and .rules == []' mirrornet show --json
}

t_install_false() {
	unload
	modprobe_conf -e 's/^#install /install /'
	if $MODPROBE mirrornet; then
		echo "modprobe mirrornet succeeded"
		return 1
	fi
	show_fails
	[ ! -e /sys/module/mirrornet ]
}

tap_plan_later
run_test "the kernel's modprobe helper is /sbin/modprobe, kmod's" t_usermode_helper
run_test "depmod: the family alias resolves to updates/dkms/${KO##*/}" t_depmod
run_test "mirrornet.ko is not loaded before the family is asked for" t_not_loaded
run_test "mirrornet show autoloads mirrornet.ko through the family alias (modprobe.d as shipped)" t_autoload
run_test "modprobe.d blacklist line: the alias no longer loads it, mirrornet show exits 1" t_blacklist
run_test "modules-load.d example loads it by name despite the blacklist; show works" t_modules_load
run_test "modprobe.d install line: neither modprobe nor the alias loads it" t_install_false
tap_finish
