#!/bin/bash
# Inside the systemd VM (Debian's userspace, systemd as PID 1): what the
# unit, its sandbox and readiness, the modules-load.d file and the
# coexistence files do on a booted guest, installed as make install
# PREFIX=/usr and dkms install put them in an image, with the image's
# /etc/default/mirrornet pointing the helper at vsock_loopback (1:50000),
# where gns-host plays the host. Prints TAP to the results port, then the
# dmesg section and MN-DONE, and ends the VM.
# shellcheck source-path=SCRIPTDIR source=../../vm/systemd/harness.sh
. /usr/lib/mn-systemd/harness.sh
harness_start

helper=/usr/sbin/mirrornet
unit=mirrornet.service
flag=/run/mirrornet/manages-uplinks
tests=/usr/lib/mn-packaging
guid=d0d5d0d5-0000-4000-8000-0000000000d5

# for run_test: the unit's status and last journal lines
failure_details() {
	echo "--- systemctl status $unit"
	timeout 30 systemctl status --no-pager --full --lines=30 "$unit"
}

# systemd-modules-load inserted it from modules-load.d, and finished
# before the service's first process started (its lines reach the journal
# through the kernel log, so they are found by identifier, not by unit)
t_modules_load_first() {
	journalctl -b -o cat -t systemd-modules-load | grep -x "Inserted module 'mirrornet'"
	[[ -d /sys/module/mirrornet ]]
	local loaded started
	loaded=$(prop systemd-modules-load.service ExecMainExitTimestampMonotonic)
	started=$(prop "$unit" ExecMainStartTimestampMonotonic)
	echo "modules-load done at $loaded us, mirrornet serve started at $started us"
	((loaded > 0 && started > loaded))
}

t_active() {
	[[ $(prop "$unit" ActiveState) == active ]]
	[[ $(prop "$unit" ConditionResult) == yes ]]
	local pid
	pid=$(prop "$unit" MainPID)
	[[ $(readlink "/proc/$pid/exe") == "$helper" ]]
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -x "$helper serve --vsock 1:50000 "
}

# No host at boot: READY=1 came at the deadline, 10 s after the start,
# with the warning, and the flag file for wait-online
t_ready_without_host() {
	local started ready
	started=$(prop "$unit" ExecMainStartTimestampMonotonic)
	ready=$(prop "$unit" ActiveEnterTimestampMonotonic)
	echo "started at $started us, active at $ready us"
	((ready - started >= 10000000 && ready - started < 20000000))
	journalctl -b -o cat -u "$unit" -p warning |
		grep -x "ready without the host's configuration: no host at vsock 1:50000 in 10000 ms"
	[[ -e $flag ]]
	# STATUS= goes on: the attempts since
	prop "$unit" StatusText | grep -x 'waiting for the host at vsock 1:50000 (attempt [0-9]*)'
}

# the helper's "<N>" prefixes give each line its priority in the journal
t_journal_priorities() {
	wait_for 120 bash -c "journalctl -b -o cat -u $unit -p warning..warning |
		grep -q '^cannot connect to vsock 1:50000'"
	journalctl -b -o cat -u "$unit" -p info..info | grep '^connecting to vsock 1:50000 (attempt 1)'
	# an info line is not logged as a warning
	! journalctl -b -o cat -u "$unit" -p warning | grep -q '^connecting to vsock'
}

# the sandbox as the kernel applies it: root with CAP_NET_ADMIN and
# CAP_NET_BIND_SERVICE (bits 12 and 10) only, no new privileges, seccomp
t_sandbox() {
	local pid status
	pid=$(prop "$unit" MainPID)
	status=$(cat "/proc/$pid/status")
	echo "$status"
	grep -qx 'Uid:[[:space:]]0[[:space:]]0[[:space:]]0[[:space:]]0' <<<"$status"
	grep -qx 'CapEff:[[:space:]]0000000000001400' <<<"$status"
	grep -qx 'CapBnd:[[:space:]]0000000000001400' <<<"$status"
	grep -qx 'NoNewPrivs:[[:space:]]1' <<<"$status"
	grep -qx 'Seccomp:[[:space:]]2' <<<"$status"
	# ProtectSystem=strict in its namespace: / read-only, /etc writable
	awk '$5 == "/" && $6 ~ /^ro/ {ro = 1} $5 == "/etc" && $6 ~ /^rw/ {rw = 1}
		END {exit !(ro && rw)}' "/proc/$pid/mountinfo"
}

t_restart_on_failure() {
	local pid
	pid=$(prop "$unit" MainPID)
	# not "kill 0": that would be our own process group
	((pid > 0)) || { echo "$unit has no main process"; return 1; }
	kill -KILL "$pid"
	wait_for 120 prop_is "$unit" NRestarts 1
	wait_for 120 prop_is "$unit" ActiveState active
	[[ $(prop "$unit" MainPID) != "$pid" ]]
}

# A real run under the sandbox: a fresh start against gns-host, which
# sends its preamble, holds back 3 s, then one NIC's configuration. READY
# only after it, and what it asked for is done: the rename, the address,
# the sysctls, resolv.conf, the nftables chain and rules.
t_real_run() {
	local script=$harness_dir/host.gns rc=0
	# the host's order (§5.2): the vmNIC announced, hot-added, configured
	cat >"$script" <<-EOF
		send SetupIpv6 0 {}
		send GlobalNetFilter 0
		exec $tests/host-step.sh held-back
		sleep 3000
		exec $tests/host-step.sh held-back
		send VmNicCreated 0 {"adapterId":"$guid"}
		exec $tests/hotadd nic5 $guid
		send InterfaceConfiguration 0 {"ID":"$guid","IPAddress":"","PortFriendlyName":"eth5"}
		send InterfaceNetFilter 0 {"ephemeralPortRangeEnd":53247,"ephemeralPortRangeStart":49152,"operation":"Create","targetDeviceName":"eth5"}
		send InitialIpConfiguration 0 {"flags":3,"targetDeviceName":"{$guid}"}
		send ModifyGuestDevice 0 {"RequestType":"Add","ResourceType":"Interface","Settings":{"Connected":true,"Metric":25,"NlMtu":1500},"targetDeviceName":"{$guid}"}
		send DeviceSetting 0 {"RequestType":"Add","ResourceType":"IPAddress","Settings":{"Address":"192.0.2.200","Family":2,"OnLinkPrefixLength":24,"PreferredLifetime":4294967295,"PrefixOrigin":3,"SuffixOrigin":3},"targetDeviceName":"{$guid}"}
		send DeviceSetting 0 {"RequestType":"Update","ResourceType":"DNS","Settings":{"Domain":"","Options":"","Search":"corp.test","ServerList":"192.0.2.53"},"targetDeviceName":"{$guid}"}
		exec $tests/host-step.sh active
	EOF
	# stopped first: the running helper must not be the one that connects
	systemctl stop "$unit"
	"$tests/gns-host" --listen vsock:50000 --timeout-ms 30000 "$script" \
		>"$harness_dir/host.out" 2>&1 &
	local host=$!
	systemctl start --no-block "$unit"
	wait "$host" || rc=$?
	cat "$harness_dir/host.out"
	((rc == 0))
	# (STATUS= has moved on: the host closed the connection after its steps)
	journalctl -b -o cat -u "$unit" -p info | grep -x "ready: the host's configuration applied (9 requests); serving the host at vsock 1:50000"
	[[ -e $flag ]]
	ip -j addr show dev eth5 | jq -e '[.[0].addr_info[] | select(.local == "192.0.2.200" and .prefixlen == 24)] | length == 1'
	[[ $(cat /proc/sys/net/ipv6/conf/default/accept_ra) == 0 ]]
	grep -x 'nameserver 192.0.2.53' /etc/resolv.conf
	grep -x 'search corp.test' /etc/resolv.conf
	nft -j list chain ip filter WSLOUTPUT >/dev/null
	nft -j list ruleset | jq -e '[.nftables[] | select(.rule) | .rule | tostring | select(contains("eth5"))] | length > 0'
}

# the wait-online drop-in: with the flag there, networkd's wait-online
# is skipped by its condition, at once, not after its 120 s
t_wait_online_skipped() {
	systemctl cat systemd-networkd-wait-online.service | grep -x 'ConditionPathExists=!/run/mirrornet/manages-uplinks'
	SECONDS=0
	systemctl start systemd-networkd-wait-online.service
	[[ $(prop systemd-networkd-wait-online.service ConditionResult) == no ]]
	[[ $(prop systemd-networkd-wait-online.service ActiveState) == inactive ]]
	((SECONDS < 30))
}

# networkd's state of link IF (ADMIN_STATE= of its state file: no D-Bus
# here, which networkctl status would want)
admin_state() {
	sed -n 's/^ADMIN_STATE=//p' "/run/systemd/netif/links/$(cat "/sys/class/net/$1/ifindex")" 2>/dev/null
}

# 05-mirrornet.network wins over an image's .network that matches the same
# names: networkd leaves eth7 (a mirrornet name) alone and configures ens7
t_networkd_unmanaged() {
	ip link add eth7 type dummy
	ip link add ens7 type dummy
	mkdir -p /run/systemd/network
	printf '[Match]\nName=eth7 ens7\n\n[Network]\nAddress=198.51.100.7/24\n' \
		>/run/systemd/network/50-image.network
	# wait-online's test started it already: read the new file
	systemctl restart systemd-networkd.service
	wait_for 60 bash -c "$(declare -f admin_state); [[ \$(admin_state ens7) == configured ]]"
	ip addr show dev ens7 | grep 198.51.100.7
	wait_for 60 bash -c "$(declare -f admin_state); [[ \$(admin_state eth7) == unmanaged ]]"
	if ip addr show dev eth7 | grep -q 198.51.100.7; then return 1; fi
	# and mirrornet's own link is unmanaged and kept what the host gave it
	[[ $(admin_state eth5) == unmanaged ]]
	ip -j addr show dev eth5 | jq -e '[.[0].addr_info[] | select(.local == "192.0.2.200")] | length == 1'
}

# the udev rule makes /dev/vsock a device unit, which an enabled unit
# is WantedBy: a transport that loads late starts it
t_vsock_device() {
	[[ $(prop dev-vsock.device ActiveState) == active ]]
	systemctl enable "$unit"
	[[ -L /etc/systemd/system/dev-vsock.device.wants/$unit ]]
	[[ -L /etc/systemd/system/network-online.target.wants/$unit ]]
	[[ -L /etc/systemd/system/multi-user.target.wants/$unit ]]
	systemctl daemon-reload
	prop dev-vsock.device Wants | grep -qw "$unit"
	# udev read every line of the rule file without a complaint
	! journalctl -b -o cat -u systemd-udevd.service | grep 90-mirrornet
}

# SIGTERM ends it cleanly within TimeoutStopSec (5 s): exit status 0, no
# restart, the flag file gone
t_stop() {
	[[ $(prop "$unit" TimeoutStopUSec) == 5s ]]
	SECONDS=0
	systemctl stop "$unit"
	((SECONDS <= 5))
	[[ $(prop "$unit" ActiveState) == inactive ]]
	[[ $(prop "$unit" Result) == success ]]
	[[ $(prop "$unit" ExecMainStatus) == 0 ]]
	[[ ! -e $flag ]]
	sleep 2
	[[ $(prop "$unit" ActiveState) == inactive ]]
}

# a usage error (exit status 2) is not restarted
t_usage_error() {
	mkdir -p /run/systemd/system/$unit.d
	printf '[Service]\nExecStart=\nExecStart=%s serve --no-such-option\n' "$helper" \
		>/run/systemd/system/$unit.d/usage-error.conf
	systemctl daemon-reload
	systemctl reset-failed "$unit"
	systemctl start "$unit" || true
	wait_for 60 prop_is "$unit" ActiveState failed
	[[ $(prop "$unit" ExecMainStatus) == 2 ]]
	sleep 3
	[[ $(prop "$unit" ActiveState) == failed ]]
	[[ $(prop "$unit" NRestarts) == 0 ]]
}

run_test "systemd-modules-load loads mirrornet.ko before mirrornet.service starts" t_modules_load_first
run_test "mirrornet.service runs the installed mirrornet serve with /etc/default/mirrornet's options" t_active
run_test "no host: READY=1 at the 10 s deadline, a warning, the flag file, STATUS= of the attempts" t_ready_without_host
run_test "the journal has the helper's lines at their priorities" t_journal_priorities
run_test "the sandbox: uid 0, CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only, NoNewPrivs, seccomp, read-only /usr" t_sandbox
run_test "Restart=on-failure: a SIGKILLed helper is started again" t_restart_on_failure
run_test "a host that holds back: activating until its configuration is applied, then READY, all of it done under the sandbox" t_real_run
run_test "the flag file skips systemd-networkd-wait-online at once" t_wait_online_skipped
run_test "05-mirrornet.network: networkd leaves eth7 unmanaged, configures ens7" t_networkd_unmanaged
run_test "90-mirrornet.rules: dev-vsock.device, which the enabled unit is WantedBy" t_vsock_device
run_test "systemctl stop: exit 0 within TimeoutStopSec=5s, the flag file gone, no restart" t_stop
run_test "a usage error (exit status 2) is not restarted" t_usage_error
harness_end
