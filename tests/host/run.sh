#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The host engine's tests, no VM needed: the cmocka unit tests of the
# engine and the snapshot parser, then mirrornet-host itself, all under
# ASan and UBSan: --dry-run against expected streams, bad and mutated
# input, and --listen unix:PATH against tests/host/fake-guest (all replies
# 0, a noisy channel, a guest that refuses an address, one that refuses
# everything, one that hangs up; and the three generations of the wire
# format: 16-byte header, 12-byte with InterfaceConfiguration 53 and 52).
# DNS tunneling: test_dns (zone, answers, the DNS channel, forwarding to
# mirrornet-host --dns-serve, mirrornet-host --dns-tunneling end to end),
# then dig against --dns-serve, and the DNS options' errors.
# Prints "ok - ..." / "not ok - ..." and ends with
# "host: P passed, F failed"; exit status non-zero on any failure.
# HOST_TEST_KEEP=1 keeps the work directory (logs of every run).
set -euo pipefail
cd "$(dirname "$0")/../.."

CC=${CC:-cc}
read -r -a SAN <<<"-fsanitize=address,undefined -fno-sanitize-recover=undefined"
read -r -a JANSSON <<<"$(pkg-config --cflags --libs jansson)"
read -r -a CMOCKA <<<"$(pkg-config --cflags --libs cmocka)"
CFLAGS=(-std=gnu11 -O1 -g -Wall -Wextra -Werror -Ihelper -Ilib -Itools/host -Iinclude/uapi)
GNS_LIB=(lib/gns/*.c)
read -r -a DECODER <<<"$(make -s --no-print-directory print-HELPER_DECODER_SRCS)"
DATA=tests/host/data

out=$(mktemp -d)
guest_pid=
serve_pid=
cleanup() {
	if [ -n "$guest_pid" ]; then
		kill "$guest_pid" 2>/dev/null || true
	fi
	if [ -n "$serve_pid" ]; then
		kill "$serve_pid" 2>/dev/null || true
	fi
	rm -rf "$out"
}
trap cleanup EXIT
[ -n "${HOST_TEST_KEEP:-}" ] && trap - EXIT

passed=0
failed=0

check() {	# check NAME COMMAND...: one TAP line from the command's status
	local name=$1
	shift
	if "$@"; then
		echo "ok - $name"
		passed=$((passed + 1))
	else
		echo "not ok - $name"
		failed=$((failed + 1))
	fi
}

# cmocka NAME SOURCES...: build and run a unit test binary, count its cases
cmocka() {
	local name=$1 log="$out/$1.log" rc=0 run ok
	shift
	if ! "$CC" "${CFLAGS[@]}" "${SAN[@]}" -o "$out/$name" "$@" \
		"${JANSSON[@]}" "${CMOCKA[@]}"; then
		echo "not ok - $name: build failed"
		failed=$((failed + 1))
		return
	fi
	"$out/$name" >"$log" 2>&1 || rc=$?
	# cmocka names a failed case twice: once when it fails, once at the end
	sed -n 's/^\[       OK \] \(.*\)/ok - '"$name"': \1/p; s/^\[  FAILED  \] \(test_.*\)/not ok - '"$name"': \1/p' "$log" |
		awk '!seen[$0]++'

	grep -v '^\[\|^$' "$log" || true
	run=$(grep -c '^\[ RUN      \]' "$log" || true)
	ok=$(grep -c '^\[       OK \]' "$log" || true)
	passed=$((passed + ok))
	failed=$((failed + run - ok))
	# A leak or a crash after the last case still fails the run.
	if [ "$rc" -ne 0 ] && [ "$run" -eq "$ok" ]; then
		echo "not ok - $name: exit status $rc"
		failed=$((failed + 1))
	fi
}

cmocka test_engine tests/host/test_engine.c tools/host/engine.c \
	tools/host/snapshot.c "${DECODER[@]}"
cmocka test_snapshot tests/host/test_snapshot.c tools/host/snapshot.c \
	lib/gns/util.c

host=$out/mirrornet-host
guest=$out/fake-guest
check "mirrornet-host builds" "$CC" "${CFLAGS[@]}" "${SAN[@]}" -o "$host" \
	tools/host/*.c "${GNS_LIB[@]}" "${JANSSON[@]}"
check "fake-guest builds" "$CC" "${CFLAGS[@]}" "${SAN[@]}" -o "$guest" \
	tests/host/fake-guest.c "${GNS_LIB[@]}"
# DNS tunneling: zone, answers, the DNS channel, the upstream
# (mirrornet-host --dns-serve) and mirrornet-host end to end.
MH_HOST=$host
export MH_HOST
cmocka test_dns tests/host/test_dns.c tools/host/zone.c \
	tools/host/dnstunnel.c "${GNS_LIB[@]}" -pthread

# --- --dry-run ---------------------------------------------------------

dry_run_is() {	# dry_run_is FILE EXPECTED [ARGS...]
	local file=$1 expected=$2
	shift 2
	"$host" --dry-run "$@" "$file" >"$out/dry" 2>"$out/dry.err" &&
		diff -u "$expected" "$out/dry" &&
		grep -qx 'mirrornet-host: [0-9]* messages, 0 failed, [0-9]* ms' \
			"$out/dry.err"
}
check "dry-run: the home network's stream" \
	dry_run_is $DATA/home.json $DATA/home.expected
check "dry-run: a timeline's stream, step after step" \
	dry_run_is $DATA/timeline.json $DATA/timeline.expected

old_numbering() {	# every wire type one lower, nothing else changed
	local v=$1
	"$host" --dry-run --wsl-version "$v" $DATA/home.json >"$out/dry52" 2>/dev/null &&
		awk '{ $1 = $1 + 1; print }' "$out/dry52" >"$out/dry52+1" &&
		awk '{ $1 = $1; print }' $DATA/home.expected >"$out/dry53" &&
		diff -u "$out/dry53" "$out/dry52+1" &&
		[ "$(cut -d' ' -f1 "$out/dry52" | sort -un | tr '\n' ' ')" = \
			"52 60 61 62 64 67 68 71 72 " ]
}
check "dry-run --wsl-version 2.6.0: types numbered from 52" old_numbering 2.6.0
check "dry-run --wsl-version 2.5.9: types numbered from 52" old_numbering 2.5.9
for v in 2.7.1 2.8.4 2.8.5 2.9.4; do
	check "dry-run --wsl-version $v: types numbered from 53" \
		dry_run_is $DATA/home.json $DATA/home.expected --wsl-version "$v"
done

progress_lines() {
	"$host" --dry-run --progress $DATA/home.json >/dev/null 2>"$out/prog" &&
		grep -qx 'mirroring 1 of 2 messages' "$out/prog" &&
		grep -qx 'mirroring 19 of 19 messages' "$out/prog" &&
		[ "$(grep -c '^mirroring' "$out/prog")" -eq 19 ]
}
check "--progress: one line per message" progress_lines

# --- bad input: a clear error naming the key, exit 2 --------------------

exits_2_with() {	# exits_2_with MESSAGE ARGS...
	local want=$1 rc=0
	shift
	"$host" "$@" >/dev/null 2>"$out/err" || rc=$?
	[ "$rc" -eq 2 ] && grep -qF -- "$want" "$out/err"
}
printf '{"interfaces":[{"guid":"6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8","name":"eth0","connected":true,"ipv4":{"metrc":5}}]}' >"$out/typo.json"
check "bad input: an unknown key is named, exit 2" exits_2_with \
	"typo.json: interfaces[0].ipv4.metrc: unknown key" --dry-run "$out/typo.json"
printf '{"interfaces":[{"guid":"6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8","name":"eth0","connected":true,"routes":[{"destination":"10.1.2.3/8"}]}]}' >"$out/bits.json"
check "bad input: a route with host bits, exit 2" exits_2_with \
	'interfaces[0].routes[0].destination: "10.1.2.3/8" has bits set past the prefix length' \
	--dry-run "$out/bits.json"
printf '{"timeline":[{"afterMs":10,"snapshot":{"interfaces":[' >"$out/cut.json"
check "bad input: truncated JSON, exit 2" exits_2_with \
	"cut.json: JSON: line 1 column" --dry-run "$out/cut.json"
head -c 4096 /dev/urandom >"$out/random.bin"
check "bad input: random bytes, exit 2" exits_2_with "random.bin: JSON:" \
	--dry-run "$out/random.bin"
check "bad input: a missing file, exit 2" exits_2_with \
	"nonexistent.json: No such file or directory" --dry-run "$out/nonexistent.json"
never_crashes() {	# 300 mutated inputs: each accepted (0) or rejected (2)
	local f rc n=0
	mkdir -p "$out/mutated/timeline" "$out/mutated/home"
	python3 tests/host/mutate.py $DATA/timeline.json "$out/mutated/timeline" 150 &&
		python3 tests/host/mutate.py $DATA/home.json "$out/mutated/home" 150 || return 1
	for f in "$out"/mutated/*/*.json; do
		rc=0
		"$host" --dry-run "$f" >/dev/null 2>"$out/mutated.err" || rc=$?
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
			echo "$f: exit $rc"
			tail -n 5 "$out/mutated.err"
			return 1
		fi
		n=$((n + 1))
	done
	[ "$n" -eq 300 ]
}
check "bad input: 300 mutated files, each accepted or rejected, no crash" never_crashes
check "usage: neither --dry-run nor --listen, exit 2" exits_2_with "usage:" \
	$DATA/home.json
for v in 54 2.6 auto 1.2.5 2.6.1x; do
	check "usage: --wsl-version $v, exit 2" exits_2_with "usage:" --dry-run \
		--wsl-version "$v" $DATA/home.json
done
check "usage: --msg-base is gone, exit 2" exits_2_with "usage:" --dry-run \
	--msg-base 52 $DATA/home.json
check "usage: a bad --listen, exit 2" exits_2_with "bad --listen 'tcp:1'" \
	--listen tcp:1 $DATA/home.json

# --- --listen unix:PATH against the fake guest --------------------------

# listen NAME FILE [HOST ARGS...] [-- GUEST ARGS...]: run the host and the
# fake guest; the host's status in $out/NAME.rc, its stderr in
# $out/NAME.err, what the guest received in $out/NAME.log, its stderr in
# $out/NAME.guest.err
listen() {
	local name=$1 file=$2 rc=0
	local -a host_args=() guest_args=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		host_args+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	guest_args=("$@")
	"$guest" --connect "unix:$out/$name.sock" --log "$out/$name.log" \
		"${guest_args[@]}" 2>"$out/$name.guest.err" &
	guest_pid=$!
	"$host" --listen "unix:$out/$name.sock" --timeout-ms 20000 \
		"${host_args[@]}" "$file" 2>"$out/$name.err" || rc=$?
	echo "$rc" >"$out/$name.rc"
	wait "$guest_pid" || echo "fake guest: exit $?" >>"$out/$name.err"
	guest_pid=
}

received_is() {	# received_is NAME EXPECTED: the stream, without times
	cut -d' ' -f2- "$out/$1.log" | diff -u "$2" -
}

listen ok $DATA/home.json
check "listen: all replies 0, exit 0" grep -qx 0 "$out/ok.rc"
check "listen: the guest received the dry-run stream, framed right" \
	received_is ok $DATA/home.expected
check "listen: summary line" grep -qx \
	'mirrornet-host: 19 messages, 0 failed, [0-9]* ms' "$out/ok.err"
check "listen: the socket file is removed" test ! -e "$out/ok.sock"

listen timeline $DATA/timeline.json
check "listen timeline: exit 0, the whole stream" \
	bash -c "grep -qx 0 '$out/timeline.rc' && cut -d' ' -f2- '$out/timeline.log' | diff -u $DATA/timeline.expected -"
after_ms() {	# step 2 (from eth1's VmNicCreated) came at least 500 ms later
	local dns t
	dns=$(grep -m1 ' 65 DeviceSettingRequest .*"DNS"' "$out/timeline.log" | cut -d' ' -f1)
	t=$(grep -m1 '"adapterId":"0c9d8e7f' "$out/timeline.log" | cut -d' ' -f1)
	[ $((t - dns)) -ge 500 ]
}
check "listen timeline: afterMs waited before the step" after_ms

listen noise $DATA/home.json -- --noise
check "listen: step-0 frames and stale replies are dropped (§1.4)" \
	bash -c "grep -qx 0 '$out/noise.rc' && cut -d' ' -f2- '$out/noise.log' | diff -u $DATA/home.expected -"

listen refuse $DATA/retry.json -- --fail '"ResourceType":"IPAddress"'
check "refusing guest: exit 1" grep -qx 1 "$out/refuse.rc"
check "refusing guest: 15 tries of the address, then given up" \
	bash -c "[ \$(grep -c '\"ResourceType\":\"IPAddress\"' '$out/refuse.log') -eq 15 ] &&
		grep -q 'step 1: no goal state (1 items gave up after 15 tries' '$out/refuse.err' &&
		grep -qx 'mirrornet-host: 22 messages, 15 failed, [0-9]* ms' '$out/refuse.err'"
add_update_pairs() {	# Add then Update in each pass, the last pass Add only
	local want got
	want="$(printf 'Add Update %.0s' 1 2 3 4 5 6 7)Add "
	got=$(grep '"ResourceType":"IPAddress"' "$out/refuse.log" |
		sed 's/.*"RequestType":"\([A-Za-z]*\)".*/\1/' | tr '\n' ' ')
	[ "$got" = "$want" ]
}
check "refusing guest: Add falls back to Update (§5.3)" add_update_pairs
retry_timer() {	# passes 100, 200, 400, 800, 1600, 2000, 2000 ms apart
	local -a t
	local i gap min=(100 200 400 800 1600 2000 2000)
	mapfile -t t < <(grep '"RequestType":"Add","ResourceType":"IPAddress"' \
		"$out/refuse.log" | cut -d' ' -f1)
	[ "${#t[@]}" -eq 8 ] || return 1
	for i in 0 1 2 3 4 5 6; do
		gap=$((t[i + 1] - t[i]))
		# the wait, plus at most 400 ms of a loaded machine
		if [ "$gap" -lt "${min[i]}" ] || [ "$gap" -gt $((min[i] + 400)) ]; then
			echo "pass $((i + 2)) came $gap ms after the one before, want ${min[i]}"
			return 1
		fi
	done
}
check "refusing guest: the retry timer doubles from 100 ms to 2 s (§5.4)" retry_timer

listen refuse_all $DATA/retry.json -- --fail ''
endpoint_retries() {	# 4 attempts at the endpoint, 1 s apart (§5.2 step 7)
	local -a t
	mapfile -t t < <(grep ' InterfaceConfiguration ' "$out/refuse_all.log" | cut -d' ' -f1)
	grep -qx 1 "$out/refuse_all.rc" && [ "${#t[@]}" -eq 4 ] &&
		[ $((t[3] - t[0])) -ge 3000 ] &&
		grep -q '0 items gave up after 15 tries, 1 connected interfaces without an endpoint' \
			"$out/refuse_all.err" &&
		grep -qx 'mirrornet-host: 10 messages, 10 failed, [0-9]* ms' "$out/refuse_all.err"
}
check "guest refusing everything: the endpoint is tried 4 times, 1 s apart" endpoint_retries

listen hangup $DATA/home.json -- --close-after 5
check "guest hangs up: exit 1, the broken message counted" \
	bash -c "grep -qx 1 '$out/hangup.rc' &&
		grep -q 'the guest closed the connection' '$out/hangup.err' &&
		grep -qx 'mirrornet-host: 6 messages, 1 failed, [0-9]* ms' '$out/hangup.err'"

listen hangup_sync $DATA/home.json -- --close-after 9
check "guest hangs up during a sync pass: exit 1, nothing leaked" \
	bash -c "grep -qx 1 '$out/hangup_sync.rc' &&
		grep -q 'ModifyGuestDeviceSettingRequest: the guest closed the connection' '$out/hangup_sync.err' &&
		grep -qx 'mirrornet-host: 10 messages, 1 failed, [0-9]* ms' '$out/hangup_sync.err'"

# The three generations: each host and guest told the same release.
listen_gen() {	# listen_gen NAME VERSION EXPECTED: the whole stream, exit 0
	local name=$1 v=$2 expected=$3
	listen "$name" $DATA/home.json --wsl-version "$v" -- --wsl-version "$v"
	grep -qx 0 "$out/$name.rc" && received_is "$name" "$expected" &&
		! grep -q 'fake guest' "$out/$name.err"
}
awk '{ $1 = $1 - 1; print }' $DATA/home.expected >"$out/home52.expected"
check "listen --wsl-version 2.6.0 (12-byte header, 52): the whole stream" \
	listen_gen gen12old 2.6.0 "$out/home52.expected"
check "listen --wsl-version 2.7.1 (12-byte header, 53): the whole stream" \
	listen_gen gen12 2.7.1 $DATA/home.expected
check "listen --wsl-version 2.8.5 (16-byte header, 53): the whole stream" \
	listen_gen gen16 2.8.5 $DATA/home.expected

# A host and a guest of different generations never agree.
mismatch() {	# mismatch NAME HOST_VERSION GUEST_VERSION HOST_ERROR
	listen "$1" $DATA/home.json --wsl-version "$2" -- --wsl-version "$3"
	grep -qx 1 "$out/$1.rc" && grep -qF -- "$4" "$out/$1.err"
}
check "listen: a 12-byte guest refuses a 16-byte host" mismatch mix1 \
	2.8.5 2.7.1 'fake guest: exit 1'
check "listen: a 16-byte guest refuses a 12-byte host" mismatch mix2 \
	2.7.1 2.8.5 'fake guest: exit 1'
check "listen: a host numbering from 52 refuses a reply numbered from 53" \
	mismatch mix3 2.6.0 2.6.1 'SetupIpv6: reply type 54 size 16 is not a Result'

# 12-byte: the host checks the guest's sequence numbers.
listen badseq $DATA/home.json --wsl-version 2.7.1 -- --wsl-version 2.7.1 --bad-seq 3
check "listen 12-byte: a reply out of sequence breaks the channel" \
	bash -c "grep -qx 1 '$out/badseq.rc' &&
		grep -q 'reply sequence number 5, want 4' '$out/badseq.err'"

# --- DNS: --dns-serve against dig, the options -------------------------

ZONE=tests/e2e/guest/dns.zone
serve_port=
serve_start() {	# mirrornet-host --dns-serve on a free port of 127.0.0.1
	local i
	"$host" --dns-serve 127.0.0.1:0 --dns-zone $ZONE 2>"$out/serve.err" &
	serve_pid=$!
	for i in $(seq 100); do
		serve_port=$(sed -n 's/.*serving on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$out/serve.err")
		[ -n "$serve_port" ] && return 0
		sleep 0.1
	done
	return 1
}
ask() {	# ask DIG-ARGS...: dig at the test server, no retries
	dig @127.0.0.1 -p "$serve_port" +time=2 +tries=1 "$@"
}
check "--dns-serve: listening, its port logged" serve_start
check "dig: A over UDP" bash -c "[ \"\$(dig @127.0.0.1 -p $serve_port +short host.test A)\" = 192.0.2.10 ]"
check "dig: AAAA" bash -c "[ \"\$(dig @127.0.0.1 -p $serve_port +short v6.test AAAA)\" = 2001:db8::10 ]"
big_tcp() {	# 1.5 KB of TXT over TCP, whole
	ask +tcp big.test TXT >"$out/big.dig" &&
		grep -q 'big-5-' "$out/big.dig" &&
		[ "$(sed -n 's/.*MSG SIZE  rcvd: \([0-9]*\).*/\1/p' "$out/big.dig")" -gt 1232 ]
}
check "dig +tcp: a TXT answer over 1232 bytes" big_tcp
many_udp() {	# 40 A records: within EDNS 1232; truncated in 512, then TCP
	[ "$(ask +short many.test A | wc -l)" -eq 40 ] &&
		ask +noedns many.test A >"$out/many.dig" &&
		grep -q 'Truncated, retrying in TCP mode' "$out/many.dig" &&
		[ "$(grep -c '^many\.test\..*IN	A	198\.51\.100\.' "$out/many.dig")" -eq 40 ]
}
check "dig: 40 A records, UDP with EDNS, and TC then TCP without" many_udp
check "dig: NXDOMAIN for a name not in the zone" bash -c \
	"dig @127.0.0.1 -p $serve_port nowhere.test A | grep -q 'status: NXDOMAIN'"
silent_unanswered() {	# no answer, while others are answered
	local rc=0
	ask silent.test A >"$out/silent.dig" || rc=$?
	[ "$rc" -eq 9 ] && [ "$(ask +short host.test A)" = 192.0.2.10 ]
}
check "dig: the NOANSWER name is never answered" silent_unanswered
many_tcp() {	# 200 connections open at once (the engine opens one per query)
	python3 - "$serve_port" <<'PY'
import socket, struct, sys
q = b"\x00\x01\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04host\x04test\x00\x00\x01\x00\x01"
conns = [socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
         for _ in range(200)]
for c in conns:
    c.sendall(struct.pack("!H", len(q)) + q)
for c in conns:
    n = struct.unpack("!H", c.recv(2, socket.MSG_WAITALL))[0]
    a = c.recv(n, socket.MSG_WAITALL)
    assert len(a) == n and a[:2] == q[:2] and a[7] == 1, a
PY
}
check "--dns-serve: 200 TCP connections at once, each answered" many_tcp
serve_stops() {	# SIGTERM: exit 0
	local pid=$serve_pid
	serve_pid=
	kill -TERM "$pid" && wait "$pid"
}
check "--dns-serve: SIGTERM ends it, exit 0" serve_stops

tunnel_dry_run() {	# the stream, the DNS naming the tunneling address
	"$host" --dry-run --dns-tunneling $DATA/home.json >"$out/tdry" 2>/dev/null &&
		sed 's/"ServerList":"192.168.1.1,2001:db8:1::53"/"ServerList":"10.255.255.254"/' \
			$DATA/home.expected | diff -u - "$out/tdry"
}
check "dry-run --dns-tunneling: ServerList is the tunneling address" tunnel_dry_run
check "dry-run --dns-tunneling=IP: that address" bash -c \
	"'$host' --dry-run --dns-tunneling=10.0.0.53 $DATA/home.json 2>/dev/null | grep -q '\"ServerList\":\"10.0.0.53\"'"
printf 'ok.test A 192.0.2.1\nbad.test MX 10 mx.test\n' >"$out/bad.zone"
check "bad zone: the file and line named, exit 2" exits_2_with \
	"bad.zone: line 2: unknown type 'MX'" --dns-serve 127.0.0.1:0 \
	--dns-zone "$out/bad.zone"
check "bad zone with --listen: named before any guest, exit 2" exits_2_with \
	"bad.zone: line 2: unknown type 'MX'" --listen unix:"$out/x.sock" \
	--dns-tunneling --dns-zone "$out/bad.zone" $DATA/home.json
check "usage: --dns-tunneling with an IPv6 address, exit 2" exits_2_with \
	"usage:" --dry-run --dns-tunneling=fd00::1 $DATA/home.json
check "usage: --dns-zone and --dns-upstream both, exit 2" exits_2_with \
	"usage:" --listen unix:"$out/x.sock" --dns-tunneling --dns-zone $ZONE \
	--dns-upstream 127.0.0.1 $DATA/home.json
check "usage: --listen --dns-tunneling without a resolver, exit 2" \
	exits_2_with "usage:" --listen unix:"$out/x.sock" --dns-tunneling \
	$DATA/home.json
check "usage: --dns-close-after without --dns-tunneling, exit 2" \
	exits_2_with "usage:" --dry-run --dns-close-after 2 $DATA/home.json
check "usage: --dns-close-after 0, exit 2" exits_2_with "usage:" --dry-run \
	--dns-tunneling --dns-close-after 0 $DATA/home.json
check "usage: --dns-serve with a FILE, exit 2" exits_2_with "usage:" \
	--dns-serve 127.0.0.1:0 --dns-zone $ZONE $DATA/home.json
check "usage: a bad --dns-upstream, exit 2" exits_2_with "usage:" \
	--listen unix:"$out/x.sock" --dns-tunneling --dns-upstream host.test \
	$DATA/home.json

echo "host: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
