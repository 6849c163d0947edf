# shellcheck shell=dash
# DNS tunneling end to end, sourced by /tests/run.sh: WSL's launch of gns
# played by mini-init (the GNS channel, then the DNS channel, on the same
# port), mirrornet started as "gns --socket N --dns_socket M
# --dns_tunneling_ip IP", and the host engine mirrornet-host answering the
# tunnelled queries from /tests/dns.zone. Real clients ask: getent (glibc's
# stub resolver, reading the resolv.conf the host pushed) and dig.

DNS_PORT=50010
DNS_IP=10.255.255.254
HOST_LOG=/tmp/dns-host.log
GNS_LOG=/tmp/gns.log
GNS_RC=/tmp/gns.rc
# one try, a bounded wait: a lost answer fails the test, not the watchdog
DIG="dig @$DNS_IP +time=5 +tries=1"

dns_logs() {
	echo "--- $HOST_LOG"
	cat "$HOST_LOG" 2>/dev/null
	echo "--- $GNS_LOG"
	cat "$GNS_LOG" 2>/dev/null
	echo "--- end"
}

# lo_has_dns_ip: the tunneling address is on lo
lo_has_dns_ip() {
	$IP -j addr show dev lo | jq -e --arg a "$DNS_IP" \
		'[.[0].addr_info[] | select(.local == $a and .prefixlen == 32)] |
		length == 1' >/dev/null
}

# The host pushes the tunneling address as the one server: resolv.conf
# names it, the guest answers on it. gns is a child of a subshell that
# records its exit status.
t_dns_start() {
	serve_stop
	# the host's NIC, hot-added: the DNS update needs an interface to name
	/tests/lib/hotadd nic5 d0d5d0d5-0000-4000-8000-0000000000d5
	printf 'hosts: files dns\n' >/etc/nsswitch.conf
	: >/etc/hosts
	mirrornet-host --listen "vsock:$DNS_PORT" --dns-tunneling \
		--dns-zone /tests/dns.zone /tests/dns-host.json \
		>"$HOST_LOG" 2>&1 </dev/null &
	echo $! >/tmp/dns-host.pid
	# mini-init connects once, as WSL's does: until the host listens, try
	# again (a refused connect reaches no accept, so no channel is taken)
	(
		n=100 rc=1
		while [ $n -gt 0 ]; do
			rc=0
			mini-init --vsock "1:$DNS_PORT" --dns "$DNS_IP" \
				/usr/bin/mirrornet >>"$GNS_LOG" 2>&1 </dev/null || rc=$?
			grep -q 'mini-init: vsock connect' "$GNS_LOG" || break
			: >"$GNS_LOG"
			n=$((n - 1))
			usleep 100000
		done
		echo "$rc" >"$GNS_RC"
	) &
	wait_for 20 lo_has_dns_ip || { dns_logs; return 1; }
	wait_for 20 grep -qx "nameserver $DNS_IP" /etc/resolv.conf ||
		{ dns_logs; cat /etc/resolv.conf; return 1; }
	grep -qx 'search corp.test' /etc/resolv.conf
	# exactly one server: the tunnel
	[ "$(grep -c '^nameserver' /etc/resolv.conf)" = 1 ]
	pidof mirrornet >/dev/null
}

t_dns_getent() {
	[ "$(getent hosts host.test | awk '{print $1}')" = 192.0.2.10 ]
	getent ahostsv6 v6.test | grep -q '^2001:db8::10 '
	# the search suffix from the host
	[ "$(getent hosts www | awk '{print $1}')" = 192.0.2.12 ]
	# NXDOMAIN: getent's exit status 2 is "not found"
	rc=0
	getent hosts nosuch.test || rc=$?
	[ "$rc" = 2 ]
}

t_dns_dig() {
	[ "$($DIG +short host.test A)" = 192.0.2.10 ]
	[ "$($DIG +tcp +short host.test A)" = 192.0.2.10 ]
	[ "$($DIG +short v6.test AAAA)" = 2001:db8::10 ]
	$DIG nosuch.test A | grep -q 'status: NXDOMAIN'
	$DIG +tcp nosuch.test A | grep -q 'status: NXDOMAIN'
	[ "$($DIG +short many.test A | wc -l)" = 40 ]
	[ "$($DIG +tcp +short many.test A | wc -l)" = 40 ]
}

# dig_size ARGS...: the size of the answer dig received
dig_size() {
	$DIG "$@" | sed -n 's/.*MSG SIZE  rcvd: \([0-9]*\).*/\1/p'
}

# An answer and a query above 512 bytes over TCP; the answer over UDP with
# EDNS too
t_dns_large() {
	local n pad
	n=$(dig_size +tcp big.test TXT)
	[ "$n" -gt 512 ] || { echo "TCP answer of $n bytes"; return 1; }
	# over UDP: 652 bytes in EDNS's 1232; big.test's 1.5 KB truncated, and
	# dig asks again over TCP
	n=$(dig_size many.test A)
	[ "$n" -gt 512 ] || { echo "UDP answer of $n bytes"; return 1; }
	$DIG +ignore big.test TXT | grep -q 'flags:.* tc'
	[ "$($DIG +short big.test TXT | wc -c)" -gt 1400 ]
	# a 600-byte EDNS option makes the query itself larger than 512
	pad=$(head -c 600 /dev/zero | od -An -v -tx1 | tr -d ' \n')
	[ "$($DIG +tcp +short "+ednsopt=65001:$pad" host.test A)" = 192.0.2.10 ]
	[ "$($DIG +short "+ednsopt=65001:$pad" host.test A)" = 192.0.2.10 ]
}

# 24 clients at once, UDP and TCP mixed, every one answered
t_dns_concurrent() {
	local i pids='' ok=0
	for i in $(seq 1 24); do
		if [ $((i % 2)) = 0 ]; then
			$DIG +tcp +short host.test A >"/tmp/dns-c$i" 2>&1 &
		else
			$DIG +short host.test A >"/tmp/dns-c$i" 2>&1 &
		fi
		pids="$pids $!"
	done
	for i in $pids; do
		wait "$i" || true
	done
	for i in $(seq 1 24); do
		[ "$(cat "/tmp/dns-c$i")" = 192.0.2.10 ] && ok=$((ok + 1))
	done
	[ "$ok" = 24 ] || { echo "$ok of 24 answered"; return 1; }
}

# The host never answers silent.test: that client times out, the queries
# asked meanwhile are answered
t_dns_silent() {
	local p1 p2 rc=0
	dig @$DNS_IP +time=4 +tries=1 silent.test A >/tmp/dns-s1 2>&1 &
	p1=$!
	dig @$DNS_IP +tcp +time=4 +tries=1 silent.test A >/tmp/dns-s2 2>&1 &
	p2=$!
	[ "$($DIG +short host.test A)" = 192.0.2.10 ]
	[ "$($DIG +tcp +short host.test A)" = 192.0.2.10 ]
	wait "$p1" || rc=$?
	[ "$rc" != 0 ] || { cat /tmp/dns-s1; return 1; }
	rc=0
	wait "$p2" || rc=$?
	[ "$rc" != 0 ] || { cat /tmp/dns-s2; return 1; }
	# and after it, the tunnel still serves
	[ "$($DIG +short host.test A)" = 192.0.2.10 ]
}

# The host goes away while a query is in flight: gns sees its GNS channel
# close and exits 0, taking the tunneling address away with it
t_dns_close() {
	local waiter
	# a TCP client that sent half a query, and a UDP query in flight
	(
		printf '\000\100'
		sleep 60
	) | nc "$DNS_IP" 53 >/dev/null 2>&1 &
	waiter=$!
	dig @$DNS_IP +time=20 +tries=1 silent.test A >/dev/null 2>&1 &
	usleep 300000
	kill -0 "$waiter"
	kill -TERM "$(cat /tmp/dns-host.pid)"
	wait_for 15 test -e "$GNS_RC" || { dns_logs; return 1; }
	[ "$(cat "$GNS_RC")" = 0 ] || { dns_logs; return 1; }
	! lo_has_dns_ip
	! pidof mirrornet >/dev/null
	# the TCP client saw its connection closed rather than hang
	wait_for 5 sh -c "! kill -0 $waiter 2>/dev/null"
}
