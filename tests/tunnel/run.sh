#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# DNS tunneling and WSL's launch contract without a VM: the helper runs in
# a private network namespace, started by tests/tunnel/tunnel-host the way
# WSL's mini_init starts gns (inherited GNS and DNS sockets), and real
# clients (dig from bind9-dnsutils, UDP and TCP) resolve through it. No
# mirrornet.ko: the host sends no request that needs it.
# Usage: tests/tunnel/run.sh   (last line "tunnel: P passed, F failed")
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)

if [[ -z ${MN_TUNNEL_NETNS:-} ]]; then
	MN_TUNNEL_NETNS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up || exit 1

out=${MN_OUT:-$top/build/tunnel}
helper=$top/helper/mirrornet
host=$out/tunnel-host
IP=10.255.255.254
mkdir -p "$out"
shim=$out/vsock-unix.so
if ! cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -I"$top/lib" -o "$host" \
	"$top/tests/tunnel/tunnel-host.c" "$top"/lib/gns/*.c ||
	! cc -std=gnu11 -O2 -Wall -Wextra -Werror -shared -fPIC -o "$shim" \
		"$top/tests/tunnel/vsock-unix.c" -ldl ||
	[[ ! -x $helper ]]; then
	echo "not ok - build tunnel-host (and make helper)"
	echo "tunnel: 0 passed, 1 failed"
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$helper" "$work/gns"

# shellcheck source-path=SCRIPTDIR source=../tap.sh
. "$top/tests/tap.sh"
hostpid='' cmdfd=''
result() { tap_result "$1" "$2" "$work/host.out" "$work/helper.err"; }

# start [--wsl-version V] -- PROGRAM ARGV0 ARGS...: tunnel-host and the
# helper under it; commands go to it with cmd, its events to host.out
start() {
	rm -f "$work/cmd"
	mkfifo "$work/cmd"
	"$host" "$@" <"$work/cmd" >"$work/host.out" 2>"$work/helper.err" &
	hostpid=$!
	exec {cmdfd}>"$work/cmd"
}
# the usual launch: WSL's command line, argv[0] gns
start_gns() {
	start -- "$work/gns" gns --socket @GNS --dns_socket @DNS \
		--dns_tunneling_ip "$IP" &&
		wait_log "serving $IP:53"
}
cmd() { echo "$*" >&"$cmdfd"; }
# wait_for FILE PATTERN [TENTHS]
wait_for() {
	local i
	for ((i = 0; i < ${3:-50}; i++)); do
		grep -qE -- "$2" "$1" && return 0
		sleep 0.1
	done
	echo "# no '$2' in $(basename "$1")"
	return 1
}
wait_host() { wait_for "$work/host.out" "$@"; }
wait_log() { wait_for "$work/helper.err" "$@"; }
# stop: end tunnel-host, which gives a helper still running SIGTERM and
# 5 s to exit
stop() {
	[[ -n $cmdfd ]] && exec {cmdfd}>&-
	cmdfd=
	wait "$hostpid" || result 1 "the helper stopped on SIGTERM"
	hostpid=
}
# the helper's exit, as tunnel-host reports it
helper_exit() { cmd wait && wait_host "^(exit|signal) " && grep -E "^(exit|signal) " "$work/host.out"; }
has_ip() { ip -4 -o addr show dev lo | grep -q " $IP/32 "; }
q() { dig @"$IP" +short +time=3 +tries=1 "$@" 2>&1; }

# --- WSL's command line with argv[0] "gns"; the address and listeners
start_gns
t_launch() {
	ip -4 -o addr show dev lo | grep -q " inet $IP/32 .*scope global lo" &&
		[[ $(ss -Hlun | awk '{print $4}' | grep -c ':53$') == 1 ]] &&
		ss -Hlun | awk '{print $4}' | grep -qx "$IP:53" &&
		ss -Hltn | awk '{print $4}' | grep -qx "$IP:53" &&
		cmd noop && wait_host '^gns reply id 0 result 0$' &&
		wait_log 'host detected from its first frame: 16-byte header'
}
t_launch
result $? "argv[0] gns, --socket/--dns_socket/--dns_tunneling_ip: $IP/32 on lo, UDP and TCP $IP:53 only, NoOp answered, generation detected"

t_udp() {
	[[ $(q a.test) == 192.0.2.1 ]] &&
		grep -qE '^dns [0-9]+ proto 17 client 0 len [0-9]+ name a.test$' "$work/host.out"
}
t_udp
result $? "UDP query: answer from the host, client id 0, protocol 17"

t_tcp() {
	[[ $(q +tcp b.test) == 192.0.2.1 ]] &&
		grep -qE '^dns [0-9]+ proto 6 client 0 len [0-9]+ name b.test$' "$work/host.out"
}
t_tcp
result $? "TCP query: answer with its length prefix, connection id 0, protocol 6"

t_big_answer() {
	local a
	a=$(q +tcp big.test) && [[ $(wc -l <<<"$a") == 40 ]] &&
		[[ $(sed -n 40p <<<"$a") == 192.0.2.40 ]]
}
t_big_answer
result $? "TCP answer above 512 bytes (40 records)"

# an EDNS option of 700 bytes (a private option code) makes them large
t_big_query() {
	local l opt
	opt=+ednsopt=65001:$(printf '%01400d' 0)
	[[ $(q +tcp "$opt" padtcp.test) == 192.0.2.1 ]] &&
		[[ $(q "$opt" padudp.test) == 192.0.2.1 ]] || return 1
	l=$(awk '$NF == "padtcp.test" {print $8}' "$work/host.out")
	((l > 512)) || { echo "# TCP query of $l bytes"; return 1; }
	l=$(awk '$NF == "padudp.test" {print $8}' "$work/host.out")
	((l > 512)) || { echo "# UDP query of $l bytes"; return 1; }
}
t_big_query
result $? "queries above 512 bytes (a 700-byte EDNS option), TCP and UDP"

t_pipelined() {
	local ids
	[[ $(dig @"$IP" +tcp +keepopen +short +time=3 +tries=1 k1.test k2.test k3.test) == \
		$'192.0.2.1\n192.0.2.1\n192.0.2.1' ]] || return 1
	ids=$(awk '$NF ~ /^k[123].test$/ {print $6}' "$work/host.out" | sort -u)
	[[ $(wc -l <<<"$ids") == 1 ]] || { echo "# client ids: $ids"; return 1; }
}
t_pipelined
result $? "three queries on one TCP connection carry one client id"

# 40 clients at once, half UDP half TCP; the host answers out of order
t_concurrent() {
	local k pids=() bad=0
	for ((k = 1; k <= 40; k++)); do
		if ((k % 2)); then
			q "n$k.test" >"$work/c$k" &
		else
			q +tcp "n$k.test" >"$work/c$k" &
		fi
		pids+=($!)
	done
	wait "${pids[@]}"
	for ((k = 1; k <= 40; k++)); do
		[[ $(cat "$work/c$k") == "10.0.0.$k" ]] ||
			{ echo "# n$k.test: $(cat "$work/c$k")"; bad=1; }
	done
	return $bad
}
t_concurrent
result $? "40 concurrent UDP and TCP clients each get their own answer, out of order"

t_never() {
	local pid rc=0
	q never.test >"$work/never" &
	pid=$!
	wait_host 'name never.test$' || rc=1
	[[ $(q c1.test) == 192.0.2.1 && $(q +tcp c2.test) == 192.0.2.1 ]] || rc=1
	wait "$pid"
	grep -q 'timed out' "$work/never" || { echo "# never.test: $(cat "$work/never")"; rc=1; }
	return $rc
}
t_never
result $? "a query the host never answers times out; the others are answered meanwhile"

# each malformed host frame: one log line, dropped, service goes on
t_bad() {
	local kind=$1 pat=$2 n
	n=$(grep -c . "$work/helper.err")
	cmd bad "$kind" &&
		wait_for "$work/helper.err" "$pat" &&
		(($(grep -c . "$work/helper.err") == n + 1)) &&
		[[ $(q "after-$kind.test") == 192.0.2.1 ]]
}
for c in "truncated|malformed frame .*shorter than its client identifier" \
	"proto|malformed frame .*neither TCP \(6\) nor UDP \(17\)" \
	"oversized|malformed frame .*above 65537 bytes" \
	"type|malformed frame .*not a DnsTunneling message" \
	"stale|repeats an earlier id" \
	"prefix|without its length prefix"; do
	t_bad "${c%%|*}" "${c#*|}"
	result $? "malformed host frame (${c%%|*}): dropped with one log line, service continues"
done

# the DNS channel closes alone: GNS goes on, clients are refused at once
t_dns_close() {
	local r
	cmd close-dns && wait_log 'DNS tunnel: channel closed by the host' || return 1
	SECONDS=0
	r=$(q x.test)
	if ! grep -q 'connection refused' <<<"$r" || ((SECONDS >= 3)); then
		echo "# $r (${SECONDS}s)"
		return 1
	fi
	! ss -Hlun | grep -q ":53 " && ! ss -Hltn | grep -q ":53 " &&
		has_ip && cmd noop && wait_host '^gns reply id 1 result 0$'
}
t_dns_close
result $? "DNS channel closed: listeners closed, UDP refused at once, GNS still answers"

t_gns_close() {
	cmd close-gns && [[ $(helper_exit) == "exit 0" ]] && ! has_ip
}
t_gns_close
result $? "GNS channel closed: exit 0, $IP gone from lo"
stop

# SIGTERM while a query waits for its answer
start_gns
t_term() {
	local pid
	cmd noop && wait_host '^gns reply id 0 ' || return 1
	q slow.test >"$work/slow" &
	pid=$!
	wait_host 'name slow.test$' && cmd term &&
		[[ $(helper_exit) == "exit 0" ]] && ! has_ip &&
		wait_log 'stopping on signal 15' || return 1
	wait "$pid"
	! ss -Hlun | grep -q ":53 "
}
t_term
result $? "SIGTERM mid-query: exit 0, address removed, port 53 released"
stop

# the bounds: UDP queries in flight, TCP connections, the largest query;
# then SIGTERM while a GNS frame has come in part
start_gns
clients=$top/tests/tunnel/clients.py
t_udp_bound() {
	local pid i n
	cmd noop && wait_host '^gns reply id 0 ' || return 1
	python3 "$clients" "$IP" udp-flood >"$work/flood" 2>&1 &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		n=$(grep -c 'name never.test$' "$work/host.out")
		((n >= 4097)) || ! kill -0 "$pid" 2>/dev/null && break
		sleep 0.1
	done
	((n == 4097)) || echo "# the host saw $n of 4097 queries"
	cmd release
	wait "$pid" || { cat "$work/flood"; return 1; }
	((n == 4097))
}
t_udp_bound
result $? "4097 UDP queries in flight: the newest 4096 are answered, the oldest one's answer is dropped"

t_tcp_limit() {
	python3 "$clients" "$IP" tcp-limit &&
		wait_log '256 TCP connections open: the least recently active closed'
}
t_tcp_limit
result $? "a 257th TCP connection closes the least recently active one and is served"

t_tcp_max() {
	python3 "$clients" "$IP" tcp-max &&
		grep -qE '^dns [0-9]+ proto 6 client [0-9]+ len 65537 name max.test$' "$work/host.out"
}
t_tcp_max
result $? "a 65535-byte TCP query goes to the host whole (payload 65537 with its prefix) and is answered"

t_tcp_split() {
	python3 "$clients" "$IP" tcp-split &&
		[[ $(grep -cE '^dns [0-9]+ proto 6 client [0-9]+ len [0-9]+ name (n[123]|split).test$' "$work/host.out") -ge 4 ]]
}
t_tcp_split
result $? "TCP: three queries and a part of a fourth in one write, the rest later: each forwarded and answered"

t_partial_term() {
	cmd partial && sleep 0.3 && cmd term &&
		[[ $(helper_exit) == "exit 0" ]] && ! has_ip
}
t_partial_term
result $? "SIGTERM while a GNS frame has come in part: exit 0 at once"
stop

# a flood of malformed frames: 10 log lines per 10 s, then a count
start_gns
t_ratelimit() {
	local i n
	cmd noop && wait_host '^gns reply id 0 ' || return 1
	for ((i = 0; i < 25; i++)); do cmd bad proto; done
	[[ $(q r1.test) == 192.0.2.1 ]] || return 1
	n=$(grep -c 'malformed frame' "$work/helper.err")
	((n == 10)) || { echo "# $n lines for 25 frames"; return 1; }
	sleep 10
	cmd bad proto
	wait_log '15 more malformed frames not logged' &&
		[[ $(q r2.test) == 192.0.2.1 ]]
}
t_ratelimit
result $? "25 malformed frames: 10 log lines, then one line with the count of the others"
stop

# an address already on lo is used and left there
ip addr add "$IP/32" dev lo
start_gns
t_kept() {
	wait_log "$IP/32 is on lo already" && cmd noop &&
		[[ $(q a.test) == 192.0.2.1 ]] && cmd close-gns &&
		[[ $(helper_exit) == "exit 0" ]] && has_ip
}
t_kept
result $? "$IP already on lo: used, and kept at exit"
stop
ip addr del "$IP/32" dev lo

# queries before the host's first GNS frame wait until it tells the
# generation, then go out
start_gns
t_early() {
	local pid
	q early.test >"$work/early" &
	pid=$!
	sleep 0.5
	! grep -q 'name early.test' "$work/host.out" || return 1
	cmd noop && wait "$pid" && [[ $(cat "$work/early") == 192.0.2.1 ]]
}
t_early
result $? "a query before the first GNS frame waits for the generation, then is answered"
stop

# older hosts: 12-byte headers, both numberings (DnsTunneling 70 and 69)
for v in 2.8.4 2.6.0; do
	start --wsl-version "$v" -- "$work/gns" gns --socket @GNS \
		--dns_socket @DNS --dns_tunneling_ip "$IP" --wsl-version "$v"
	t_old() {
		wait_log "serving $IP:53" && cmd noop &&
			wait_host '^gns reply id 1 result 0$' &&
			[[ $(q u.test) == 192.0.2.1 && $(q +tcp t.test) == 192.0.2.1 ]] &&
			! grep -q 'seq error' "$work/host.out"
	}
	t_old
	result $? "WSL $v (12-byte header): NoOp reply numbered 1, UDP and TCP through the tunnel"
	stop
done

# mirrornet serve, not gns; without a DNS channel nothing listens
start -- "$helper" mirrornet serve --socket @GNS
t_plain() {
	cmd noop && wait_host '^gns reply id 0 result 0$' &&
		! has_ip && ! ss -Hlun | grep -q ":53 " &&
		cmd close-gns && [[ $(helper_exit) == "exit 0" ]]
}
t_plain
result $? "mirrornet serve --socket alone: no DNS server, exit 0 when the channel closes"
stop

# the wrapper a guest image puts where its init starts gns: installed, and
# serving through mirrornet serve with WSL's arguments
t_wrapper() {
	local w=$work/dest/usr/lib/mirrornet/gns
	if ! make -s -C "$top" install-extras DESTDIR="$work/dest" PREFIX=/usr \
		>"$work/install.log" 2>&1 || [[ ! -x $w ]] ||
		[[ $(grep -v '^#' "$w") != 'exec /usr/sbin/mirrornet serve "$@"' ]]; then
		cat "$work/install.log"
		return 1
	fi
	mkdir -p "$work/wrap"
	sed "s|@sbindir@|$top/helper|" "$top/packaging/gns.in" >"$work/wrap/gns" &&
		chmod 755 "$work/wrap/gns" || return 1
	start -- "$work/wrap/gns" gns --socket @GNS --dns_socket @DNS \
		--dns_tunneling_ip "$IP"
	wait_log "serving $IP:53" && cmd noop && wait_host '^gns reply id 0 ' &&
		[[ $(q w.test) == 192.0.2.1 ]] && cmd close-gns &&
		[[ $(helper_exit) == "exit 0" ]] && ! has_ip
}
t_wrapper
result $? "packaging/gns.in: installed as lib/mirrornet/gns, execs mirrornet serve with WSL's arguments"
stop

# --vsock and --dns-tunnel, connected through the vsock-unix.c shim to a
# host on a unix socket: GNS first, DNS second; SIGTERM ends it
mkdir -p "$work/vs"
start --listen "$work/vs/2:50000" -- /usr/bin/env env LD_PRELOAD="$shim" \
	MN_VSOCK_DIR="$work/vs" "$helper" serve --vsock 2:50000 \
	--dns-tunnel 2:50000 --dns_tunneling_ip "$IP"
t_dns_tunnel() {
	wait_host '^accepted dns$' && wait_log "serving $IP:53" &&
		cmd noop && wait_host '^gns reply id 0 result 0$' &&
		[[ $(q v.test) == 192.0.2.1 && $(q +tcp v2.test) == 192.0.2.1 ]] &&
		cmd term && [[ $(helper_exit) == "exit 0" ]] && ! has_ip
}
t_dns_tunnel
result $? "--vsock with --dns-tunnel: GNS connected first, DNS second, DNS served; SIGTERM: exit 0, address removed"
stop

# reconnecting: a host that closes at once is not hammered; a connection
# that stayed up starts the waits over; a stop signal ends a wait
t_backoff() {
	local pid hpid i rc=0
	rm -f "$work/vs/2:50000"
	python3 "$clients" "$work/vs/2:50000" backoff >"$work/backoff" 2>&1 &
	pid=$!
	for ((i = 0; i < 50; i++)); do
		[[ -S $work/vs/2:50000 ]] && break
		sleep 0.1
	done
	LD_PRELOAD=$shim MN_VSOCK_DIR=$work/vs "$helper" serve --vsock 2:50000 \
		>"$work/helper.err" 2>&1 &
	hpid=$!
	wait "$pid" || rc=1
	sed 's/^/# /' "$work/backoff"
	wait_log 'cannot connect to vsock 2:50000: Connection refused; next attempt in 200 ms' || rc=1
	kill -TERM "$hpid"
	wait "$hpid" || { echo "# exit $?"; rc=1; }
	return $rc
}
t_backoff
result $? "--vsock: waits of 100, 200, 400, 800 ms between connections the host closes at once, 100 ms after one that lasted; SIGTERM during a wait: exit 0"

t_usage() {
	local rc
	for args in "--socket 3 --vsock 2:50000" "--dns_socket 4" \
		"--vsock 2:50000 --dns_tunneling_ip $IP" "--socket 3 --dns-tunnel 2:50001" \
		"--wsl-version 1.0.0 --socket 3"; do
		# shellcheck disable=SC2086 # one word per option
		"$helper" serve $args 2>/dev/null
		rc=$?
		((rc == 2)) || { echo "# serve $args: exit $rc, want 2"; return 1; }
	done
	"$helper" serve --socket 97 2>"$work/badfd"
	rc=$?
	if ((rc != 1)) || ! grep -q -- '--socket 97' "$work/badfd"; then
		echo "# --socket 97: exit $rc"
		return 1
	fi
}
t_usage
result $? "mixed or incomplete options exit 2; a socket that is not open exits 1"

tap_summary tunnel
