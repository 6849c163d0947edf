#!/bin/bash
# Inside the image (systemd as PID 1, mirrornet installed from its .debs):
# the checks of tests/image, as TAP on the results port (ttyS1), then the
# dmesg section and MN-DONE, and the VM's end.
# First boot: mirrornet.service serves the host engine (mn-image-host@)
# playing home-then-vpn.json with DNS tunneling over vsock_loopback, beside
# systemd-networkd (which configures the QEMU NIC by DHCP) and
# systemd-resolved; at the end the packages are removed. Second boot
# (/var/lib/mn-image/removed): nothing of them is left.
# shellcheck source-path=SCRIPTDIR source=../../vm/systemd/harness.sh
. /usr/lib/mn-systemd/harness.sh
harness_start
# the engine's state (host.sh)
state=/run/mn-image
lib=/usr/lib/mn-image
keep=/var/lib/mn-image
mkdir -p "$state" "$keep"

unit=mirrornet.service
packages=(mirrornet mirrornet-dkms)
timeline=$lib/home-then-vpn.json
engine=home-then-vpn
resume=resume
tunnel_ip=10.255.255.254

# for run_test: the unit, the links, the harness's failed units, the
# engine's last lines
failure_details() {
	echo "--- systemctl status"
	timeout 30 systemctl status --no-pager --full --lines=15 "$unit" 'mn-image-host@*'
	echo "--- links"
	ip -d -br link show
	echo "--- the harness's failed units"
	systemctl --no-pager --failed --plain --no-legend
	echo "--- the engine's last lines"
	tail -n 15 "$state"/*.log
}

# own_nic: the QEMU NIC (the one link with a device behind it)
own_nic() {
	local d
	for d in /sys/class/net/*; do
		if [[ -e $d/device ]]; then echo "${d##*/}"; fi
	done
}

# --- the first boot -------------------------------------------------------

# systemd-modules-load inserted the module DKMS built for this kernel
t_module() {
	local file
	journalctl -b -o cat -t systemd-modules-load | grep -x "Inserted module 'mirrornet'"
	[[ -d /sys/module/mirrornet ]]
	file=$(modinfo -n mirrornet)
	echo "$file"
	[[ $file == /lib/modules/$(uname -r)/updates/dkms/mirrornet.ko* ]]
	[[ $(modinfo -F vermagic mirrornet) == "$(uname -r) "* ]]
	# the release is a fixed string: 7.3.4+deb13 is no regular expression
	dkms status mirrornet | grep -F ", $(uname -r), " | grep ': installed'
}

# the engine stopped at the end of step N of instance NAME
at_step() { [[ $(cat "$state/$1.step" 2>/dev/null) == "$2" ]]; }
engine_continue() { kill -CONT "$(cat "$state/$1.pid")"; }

# the expect of step N (1-based) of the timeline
expect_of() { jq ".timeline[$(($1 - 1))].expect" "$timeline" >"$state/expect-$1.json"; }

# check_state EXPECT.json: the scenarios' check-state, less the image's own
# NIC (its addresses and routes, from DHCP, are not the host's) and
# "resolv" (systemd-resolved has the DNS settings, t_resolved checks them;
# /etc/resolv.conf names its stub)
check_state() {
	jq 'del(.resolv)' "$1" >"$state/expect-no-resolv.json" &&
		CHECK_STATE_EXCLUDE=$(own_nic) "$lib/check-state" "$state/expect-no-resolv.json"
}

t_step() {
	local name=$1 step=$2
	wait_for 120 at_step "$name" "$step"
	grep "^mirrornet-host: step $step: " "$state/$name.log"
	expect_of "$step"
	wait_for 20 check_state "$state/expect-$step.json" >/dev/null ||
		{ check_state "$state/expect-$step.json"; return 1; }
}

# resolved has the host's DNS on the link of the lowest default route:
# the tunneling address, the suffixes of the scenario's search line, "~."
link_dns() { resolvectl "$1" "$2" | sed 's/^Link [0-9]* ([^)]*)://' | xargs; }
t_resolved() {
	local step=$1 want_domains got
	want_domains="$(jq -r '.resolv[] | select(startswith("search ")) | .[7:]' \
		"$state/expect-$step.json") ~."
	got=$(link_dns dns eth0)
	[[ $got == "$tunnel_ip" ]] || { echo "eth0 DNS servers: '$got', expected $tunnel_ip"; return 1; }
	got=$(link_dns domain eth0)
	[[ $got == "$want_domains" ]] || { echo "eth0 domains: '$got', expected '$want_domains'"; return 1; }
	resolvectl status --no-pager
}

# setup_state LINK: networkd's setup state of LINK (configured, unmanaged...)
# from its state file, the same in every release
setup_state() {
	local index
	index=$(cat "/sys/class/net/$1/ifindex") || return 0
	sed -n 's/^ADMIN_STATE=//p' "/run/systemd/netif/links/$index" 2>/dev/null
}

# the mirrored links are unmanaged; the QEMU NIC configured, with a DHCP
# lease (QEMU's restricted user network hands out no router, no DNS)
t_networkd_links() {
	local nic dev
	nic=$(own_nic)
	networkctl list --no-pager
	ip -4 addr show dev "$nic"
	[[ $(setup_state "$nic") == configured ]]
	ip -j -4 addr show dev "$nic" | jq -e '[.[0].addr_info[] | select(.dynamic)] | length == 1'
	for dev in "$@"; do
		[[ $(setup_state "$dev") == unmanaged ]] || { echo "$dev is not unmanaged"; return 1; }
	done
}

# networkd restarted (it drops foreign routes and rules as it starts) and
# its own link reconfigured: the mirrored state stays as it was
t_networkd_restart() {
	local step=$1 nic
	nic=$(own_nic)
	systemctl restart systemd-networkd
	networkctl reconfigure "$nic"
	sleep 1
	wait_for 60 eval '[[ $(setup_state "$nic") == configured ]]'
	ip -j -4 addr show dev "$nic" | jq -e '[.[0].addr_info[] | select(.dynamic)] | length == 1'
	check_state "$state/expect-$step.json"
}

# systemd-networkd's journal: no DHCP, no .network file, nothing removed
# on a mirrored link
t_networkd_journal() {
	local lines
	journalctl -b -o cat -u systemd-networkd >"$state/networkd.journal"
	lines=$(grep -E '^(eth[0-9]|wlan[0-9]|loopback0):' "$state/networkd.journal" |
		grep -viE 'unmanaged|link (up|down)|(gained|lost) carrier|renamed|name change|ipv6ll' || true)
	[[ -z $lines ]] || { echo "networkd on mirrored links:"; echo "$lines"; return 1; }
	! grep -E '^(eth[0-9]|wlan[0-9]):.*DHCP' "$state/networkd.journal"
}

# real lookups through the resolved stub (/etc/resolv.conf), answered by
# the engine's zone through the helper's tunnel on lo
t_lookups() {
	[[ $(readlink /etc/resolv.conf) == ../run/systemd/resolve/stub-resolv.conf ]]
	grep -x 'nameserver 127.0.0.53' /etc/resolv.conf
	[[ $(getent hosts host.test | awk '{print $1}') == 192.0.2.10 ]]
	getent ahostsv6 v6.test | grep '^2001:db8::10 '
	[[ $(dig +time=5 +tries=2 +short host.test A) == 192.0.2.10 ]]
	[[ $(dig +time=5 +tries=2 +short v6.test AAAA) == 2001:db8::10 ]]
}

# the VPN's search suffix completes a single label
t_lookup_suffix() {
	[[ $(getent hosts www | awk '{print $1}') == 192.0.2.12 ]]
}

# started once, ready, with no error or warning line in its journal
t_clean_start() {
	prop_is "$unit" ActiveState active
	prop_is "$unit" SubState running
	prop_is "$unit" NRestarts 0
	journalctl -b -o cat -u "$unit" | grep -E '^Started '
	local bad
	# Debian's kernels have no virt_wifi: the helper says so, as it should
	bad=$(journalctl -b -o cat -u "$unit" -p warning |
		grep -vx 'InterfaceConfiguration: the kernel has no virt_wifi: wlan[0-9]* is the NIC renamed, not a wireless link' || true)
	[[ -z $bad ]] || { echo "warning or error lines:"; echo "$bad"; return 1; }
	journalctl -b -o cat -u "$unit" | tail -n 20
}

# SIGKILL: the module keeps the state; systemd restarts the helper, which
# reconnects to a host that plays the last snapshot again; state equal
t_kill() {
	local pid restarts last
	pid=$(prop "$unit" MainPID)
	restarts=$(prop "$unit" NRestarts)
	systemctl kill -s KILL "$unit"
	# the engine ends when the guest closes GNS
	wait_for 60 test -s "$state/$engine.rc"
	echo "the engine's exit status: $(cat "$state/$engine.rc")"
	check_state "$state/expect-$steps.json"
	last=$(jq ".timeline[-1] | .afterMs = 0 | {timeline: [.]}" "$timeline")
	echo "$last" >"$state/$resume.json"
	systemctl start "mn-image-host@$resume.service"
	wait_for 120 prop_is "$unit" NRestarts $((restarts + 1))
	wait_for 120 prop_is "$unit" ActiveState active
	[[ $(prop "$unit" MainPID) != "$pid" ]]
	wait_for 120 at_step "$resume" 1
	grep '^mirrornet-host: step 1: ' "$state/$resume.log"
	wait_for 20 check_state "$state/expect-$steps.json" >/dev/null ||
		check_state "$state/expect-$steps.json"
}

# what the packages installed, kept for the second boot; then removed
t_remove() {
	local p
	for p in "${packages[@]}"; do
		dpkg -L "$p" >"$keep/$p.files"
		dpkg-query -W -f='${Conffiles}\n' "$p" | awk 'NF {print $1}' >"$keep/$p.conffiles"
	done
	apt-get remove -y "${packages[@]}" >"$state/remove.log" 2>&1 ||
		{ cat "$state/remove.log"; return 1; }
	cat "$state/remove.log"
	# a package with conffiles keeps them, one without is forgotten
	for p in "${packages[@]}"; do
		[[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) == @(config-files|not-installed|) ]]
	done
}

first_boot() {
	local step
	steps=$(jq '.timeline | length' "$timeline")
	run_test "mirrornet.ko: DKMS built it for $(uname -r), modules-load.d loaded it" t_module
	run_test "mirrornet.service started cleanly: active, ready, no error or warning lines" t_clean_start
	for ((step = 1; step <= steps; step++)); do
		local note
		note=$(jq -r ".timeline[$((step - 1))].note" "$timeline")
		run_test "step $step ($note): the mirrored state is the scenario's" t_step "$engine" "$step"
		run_test "step $step: systemd-resolved has the host's DNS server and suffixes on eth0" \
			t_resolved "$step"
		if ((step == 1)); then
			run_test "step 1: networkd: the mirrored links unmanaged, the QEMU NIC configured by DHCP" \
				t_networkd_links eth0 wlan0
			run_test "step 1: networkd restarted and its link reconfigured: the mirrored state stays" \
				t_networkd_restart 1
		fi
		if ((step < steps)); then
			# the NICs the next step adds, hot-added as the host's HCS would
			"$lib/host.sh" nic "$engine" $((step + 1)) >>"$state/nics.log" 2>&1
			engine_continue "$engine"
		fi
	done
	run_test "step $steps: networkd: every mirrored link unmanaged, the QEMU NIC configured" \
		t_networkd_links eth0 wlan0 eth1
	run_test "lookups through the resolved stub answered from the host's zone (getent, dig)" t_lookups
	run_test "the VPN's search suffix completes a single label (getent hosts www)" t_lookup_suffix
	run_test "systemd-networkd's journal: no DHCP or configuration on a mirrored link" t_networkd_journal
	run_test "systemctl kill -s KILL: restarted, reconnected, the state unchanged" t_kill
	run_test "after the restart: lookups through the resolved stub still answered" t_lookups
	run_test "apt-get remove ${packages[*]}" t_remove
	touch "$keep/removed"
}

# --- the second boot, after the removal ------------------------------------

t_no_module() {
	[[ ! -d /sys/module/mirrornet ]]
	! grep -q '^mirrornet ' /proc/modules
	! modinfo mirrornet 2>/dev/null
	! grep -r 'family-mirrornet' "/lib/modules/$(uname -r)/modules.alias"
	[[ $(prop "$unit" LoadState) == not-found ]]
}

# every file of the packages but their conffiles is gone
t_no_files() {
	local p f left=0
	for p in "${packages[@]}"; do
		while read -r f; do
			[[ -d $f ]] && continue
			grep -qxF "$f" "$keep/$p.conffiles" && continue
			if [[ -e $f || -L $f ]]; then
				echo "left by $p: $f"
				left=1
			fi
		done <"$keep/$p.files"
	done
	[[ ! -e /var/lib/dkms/mirrornet ]] || { echo "left: /var/lib/dkms/mirrornet"; left=1; }
	if compgen -G "/lib/modules/*/updates/dkms/mirrornet.ko*"; then left=1; fi
	return "$left"
}

t_network_after() {
	local nic
	nic=$(own_nic)
	wait_for 60 eval '[[ $(setup_state "$nic") == configured ]]'
	systemctl is-active systemd-networkd systemd-resolved
	[[ -z $(systemctl --failed --no-legend --plain) ]] || { systemctl --failed; return 1; }
}

t_purge() {
	local p f
	apt-get purge -y "${packages[@]}" 2>&1
	for p in "${packages[@]}"; do
		! dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -v '^not-installed$'
		while read -r f; do
			[[ ! -e $f ]] || { echo "conffile left: $f"; return 1; }
		done <"$keep/$p.conffiles"
	done
}

second_boot() {
	run_test "after the removal and a reboot: no mirrornet module loaded or installed, no unit" t_no_module
	run_test "after the removal: no file of the packages left (conffiles aside), no DKMS tree" t_no_files
	run_test "after the removal: networkd and resolved run, no failed unit" t_network_after
	run_test "apt-get purge: the conffiles go too" t_purge
}

if [[ -e $keep/removed ]]; then
	second_boot
else
	first_boot
fi
harness_end
