#!/bin/bash
# Readiness of mirrornet serve (helper/ready.h) as systemd sees it, on this
# machine: a fake NOTIFY_SOCKET (a datagram socket that records every
# message, its time and whether the flag file existed when it came), the
# host simulator tests/hostsim/gns-host playing a session over a unix
# socket the helper inherits (--socket N, WSL's launch contract), the
# helper in a network namespace of its own. READY=1 comes after the
# host's IP sync and a quiet second, not after its preamble; a silent host
# gets READY=1 at the deadline, with a warning; STATUS= says what it waits
# for; the flag file exists before READY=1 and goes with the helper; and
# without NOTIFY_SOCKET nothing of it happens.
# Usage: tests/packaging/notify.sh   (last line "notify: P passed, F failed")
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${MN_OUT:-$top/build/packaging-notify}
# shellcheck source-path=SCRIPTDIR source=../hostsim/lib.sh
. "$top/tests/hostsim/lib.sh"
hostsim_setup notify
flag=manages-uplinks

# python3 -c "$listen" SOCKET FLAG: systemd's end of NOTIFY_SOCKET. One line
# per datagram: CLOCK_BOOTTIME seconds (what /proc/uptime counts), whether
# FLAG existed (1/0), the message with its lines joined by "|".
listen='
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    d = s.recv(4096).decode()
    t = time.clock_gettime(time.CLOCK_BOOTTIME)
    print("%.3f %d %s" % (t, os.path.exists(sys.argv[2]), d.replace("\n", "|")), flush=True)
'

# session NAME: the helper, started with the fake systemd's environment
# (NOTIFY_SOCKET, RUNTIME_DIRECTORY; PLAIN=1: no NOTIFY_SOCKET), against gns-host playing $out/NAME/host.gns. Leaves in
# $out/NAME: notify.log, helper.log, helper.rc, host.out, host.rc, marks
# ("NAME SECONDS" lines the script's mark steps wrote).
session() {
	local dir=$out/$1 lpid hpid rc=0 notify=()
	[[ -n ${PLAIN:-} ]] || notify=(NOTIFY_SOCKET="$dir/notify.sock")
	mkdir -p "$dir/run"
	python3 -u -c "$listen" "$dir/notify.sock" "$dir/run/$flag" >"$dir/notify.log" 2>&1 &
	lpid=$!
	until grep -q listening "$dir/notify.log" 2>/dev/null; do sleep 0.05; done
	env "${notify[@]}" RUNTIME_DIRECTORY="$dir/run" \
		unshare -n "$mini_init" --unix "$dir/host.sock" "$helper" \
		--resolv-conf "$dir/resolv.conf" >"$dir/helper.log" 2>&1 &
	hpid=$!
	echo "$hpid" >"$dir/helper.pid"
	timeout 60 "$gns_host" --listen "unix:$dir/host.sock" --timeout-ms 5000 \
		"$dir/host.gns" >"$dir/host.out" 2>&1 || rc=$?
	echo "$rc" >"$dir/host.rc"
	rc=0
	# the host closed the channel: the helper ends by itself
	timeout 20 tail --pid="$hpid" -f /dev/null || kill -KILL "$hpid"
	wait "$hpid" || rc=$?
	echo "$rc" >"$dir/helper.rc"
	kill "$lpid"
	wait "$lpid" 2>/dev/null
}

# a script line that records the time under NAME in the session's marks
mark() { echo "exec sh -c \"echo $2 \$(cut -d' ' -f1 /proc/uptime) >>$out/$1/marks\""; }
# the time of mark NAME in session S
mark_at() { awk -v n="$2" '$1 == n {print $2}' "$out/$1/marks"; }
# the notify.log lines of session S that carry TEXT
notes() { grep -F -- "$2" "$out/$1/notify.log"; }
# seconds from A to B within [LO, HI]
between() { awk -v a="$1" -v b="$2" -v lo="$3" -v hi="$4" \
	'BEGIN {d = b - a; print "took " d " s, want " lo " to " hi; exit !(d >= lo && d <= hi)}'; }

guid=6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8
# The host's start-up order (wsl-gns-protocol §5.1, §5.3): the preamble,
# a pause longer than the quiet period, then the IP sync (these need
# mirrornet.ko, which this machine cannot load: answered -1, and answered
# is what counts) and DNS, paced so that each count goes to STATUS= at
# once (MN_READY_STATUS_MS), then after READY one NoOp, and three at once.
mkdir -p "$out/burst" "$out/silent" "$out/plain"
cat >"$out/burst/host.gns" <<EOF
send SetupIpv6 0 {}
send GlobalNetFilter 0
sleep 1500
$(mark burst preamble)
send InitialIpConfiguration any {"flags":3,"targetDeviceName":"{$guid}"}
sleep 150
send DeviceSetting any {"RequestType":"Add","ResourceType":"IPAddress","Settings":{"Address":"192.168.1.43","Family":2,"OnLinkPrefixLength":24,"PreferredLifetime":4294967295,"PrefixOrigin":3,"SuffixOrigin":3},"targetDeviceName":"{$guid}"}
sleep 150
send DeviceSetting 0 {"RequestType":"Update","ResourceType":"DNS","Settings":{"Domain":"","Options":"","Search":"notify.example","ServerList":"192.168.1.1"},"targetDeviceName":"{$guid}"}
sleep 2500
send NoOp 0
sleep 300
send NoOp 0
send NoOp 0
send NoOp 0
sleep 300
EOF
# connects and says nothing; SIGTERM once READY=1 came by the deadline
cat >"$out/silent/host.gns" <<EOF
sleep 12500
exec sh -c "kill -TERM \$(cat $out/silent/helper.pid)"
sleep 2000
EOF
# the burst without NOTIFY_SOCKET: the flag file never appears
cat >"$out/plain/host.gns" <<EOF
send SetupIpv6 0 {}
send InitialIpConfiguration any {"flags":3,"targetDeviceName":"{$guid}"}
sleep 1500
exec test ! -e $out/plain/run/$flag
EOF

SECONDS=0
session burst
session silent
PLAIN=1 session plain
elapsed=$SECONDS

t_burst_ran() {
	cat "$out/burst/host.out"
	(($(cat "$out/burst/host.rc") == 0 && $(cat "$out/burst/helper.rc") == 0))
}

t_status_waiting() {
	cat "$out/burst/notify.log"
	sed -n 2p "$out/burst/notify.log" | grep -q ' 0 STATUS=waiting for the host at the inherited channel (fd [0-9]*)$'
	sed -n 3p "$out/burst/notify.log" | grep -q ' 0 STATUS=connected to the host at the inherited channel (fd [0-9]*), waiting for its configuration$'
}

# SetupIpv6 and GlobalNetFilter, then 1.5 s without a request: no READY
t_no_ready_on_preamble() {
	local ready preamble
	ready=$(notes burst READY=1 | cut -d' ' -f1)
	preamble=$(mark_at burst preamble)
	echo "READY at $ready, preamble's pause over at $preamble"
	[[ -n $ready && -n $preamble ]]
	awk -v r="$ready" -v p="$preamble" 'BEGIN {exit !(r > p)}'
}

t_ready_after_quiet() {
	local ready
	[[ $(notes burst READY=1 | wc -l) == 1 ]]
	ready=$(notes burst READY=1 | cut -d' ' -f1)
	# from the STATUS= the helper sent with its last answer, just after
	# arming the timer (gns-host's mark comes later, after a fork)
	between "$(notes burst '5 requests applied' | cut -d' ' -f1)" "$ready" 0.9 2.0
}

t_flag_before_ready() {
	cat "$out/burst/notify.log"
	# absent before READY=1, there when it came
	notes burst READY=1 | grep -q '^[0-9.]* 1 READY=1|'
	! sed '/READY=1/,$d' "$out/burst/notify.log" | grep -q '^[0-9.]* 1 '
}

t_status_applied() {
	notes burst READY=1
	notes burst READY=1 | grep -q "|STATUS=the host's configuration applied (5 requests); serving the host at the inherited channel (fd [0-9]*)$"
	notes burst STATUS=connected | grep -q 'applying its configuration: 4 requests applied$'
	notes burst STATUS=serving | grep -q 'serving the host at the inherited channel (fd [0-9]*): 6 requests applied$'
	grep -q '^mirrornet: info: ready: the host.s configuration applied (5 requests)' "$out/burst/helper.log"
}

# the three NoOps at once: the first counted at once, the other two in
# one STATUS= within 100 ms
t_status_throttled() {
	notes burst STATUS=serving
	[[ $(notes burst STATUS=serving | sed 's/.*: //' | paste -sd,) == "6 requests applied,7 requests applied,9 requests applied" ]]
}

t_flag_removed() {
	[[ ! -e $out/burst/run/$flag && ! -e $out/silent/run/$flag ]]
	grep -qx 'nameserver 192.168.1.1' "$out/burst/resolv.conf"
}

t_deadline() {
	local ready
	cat "$out/silent/notify.log" "$out/silent/host.out"
	ready=$(notes silent READY=1 | cut -d' ' -f1)
	[[ -n $ready ]]
	# 10 s from the connection (the helper's, as systemd saw it)
	between "$(notes silent STATUS=connected | cut -d' ' -f1)" "$ready" 10.0 11.0
	notes silent READY=1 | grep -q "^[0-9.]* 1 READY=1|STATUS=ready without the host's configuration: connected to the inherited channel (fd [0-9]*), no IP configuration from it in 10000 ms$"
	grep -q "^mirrornet: warning: ready without the host's configuration" "$out/silent/helper.log"
}

t_stopping() {
	cat "$out/silent/helper.log"
	notes silent STOPPING=1 | grep -q '|STATUS=stopping$'
	(($(cat "$out/silent/helper.rc") == 0))
}

t_plain() {
	cat "$out/plain/host.out" "$out/plain/helper.log"
	(($(cat "$out/plain/host.rc") == 0 && $(cat "$out/plain/helper.rc") == 0))
	[[ ! -s $out/plain/notify.log || $(cat "$out/plain/notify.log") == listening ]]
	! grep -q 'ready' "$out/plain/helper.log"
}

# check NAME FUNC: FUNC in a subshell with set -e, its output on failure
check() {
	local name=$1 rc=0
	(set -e; "$2") >"$out/test.log" 2>&1 || rc=$?
	tap_result "$rc" "$name" "$out/test.log"
}

check "notify: the host's session and the helper's exit status" t_burst_ran
check "notify: STATUS=waiting for the host, then connected" t_status_waiting
check "notify: no READY=1 after the host's preamble (SetupIpv6, GlobalNetFilter)" t_no_ready_on_preamble
check "notify: READY=1 once, 1 s after the IP sync's last request" t_ready_after_quiet
check "notify: the flag file appears with READY=1, not before" t_flag_before_ready
check "notify: STATUS= counts the requests applied, before and after READY=1" t_status_applied
check "notify: STATUS= counts requests answered at once in one message" t_status_throttled
check "notify: the flag file goes when the helper ends; DNS applied" t_flag_removed
check "notify: a silent host gets READY=1 at 10 s, with a warning and STATUS=" t_deadline
check "notify: SIGTERM sends STOPPING=1, exit status 0" t_stopping
check "notify: without NOTIFY_SOCKET no flag file, no readiness" t_plain
echo "# notify: sessions took ${elapsed} s"
tap_summary notify
