#!/bin/bash
# Self-test of the host simulator over unix: sockets, against its own fake
# guest (gns-host --fake-guest). Each case is a session script; a step that
# must fail is preceded by a comment "# want: TEXT", and gns-host must
# print "not ok N - LINE: ...TEXT..." for exactly those steps, "ok" for all
# others, a matching summary and the matching exit status.
# Usage: tests/hostsim/test-unix.sh   (last line "hostsim: P passed, F failed")
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${MN_OUT:-$top/build/hostsim}
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/tests/hostsim/lib.sh"
hostsim_setup hostsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

result() { tap_result "$1" "$2" "$work/out" "$work/err"; }

# check NAME: the session in $work/$NAME.gns against a fake guest; extra
# words are options for both sides (HOST_OPTS, GUEST_OPTS override). With
# HELPER set (its options, maybe none), the guest is the helper itself,
# started by mini-init as gns --socket N, its log in $work/NAME.helper, in
# a network namespace of its own so that nothing it does reaches this
# machine.
check() {
	local name=$1 script=$work/$1.gns sock=$work/$1.sock rc=0 guest=
	local want_fail=0 line pat problems=() summary hopts gopts
	read -ra hopts <<<"${HOST_OPTS:-}"
	read -ra gopts <<<"${GUEST_OPTS:-}"
	if [[ -n ${HELPER+set} ]]; then
		read -ra gopts <<<"$HELPER"
		unshare -n "$mini_init" --unix "$sock" "$helper" \
			--resolv-conf "$work/resolv.conf" "${gopts[@]}" \
			>"$work/$name.helper" 2>&1 &
		guest=$!
	elif [[ ${NO_GUEST:-} != 1 ]]; then
		"$gns_host" --fake-guest "unix:$sock" --timeout-ms 5000 "${gopts[@]}" \
			>"$work/guest.out" 2>&1 &
		guest=$!
	fi
	SECONDS=0
	timeout 60 "$gns_host" --listen "unix:$sock" --timeout-ms 2000 "${hopts[@]}" \
		"$script" >"$work/out" 2>"$work/err" || rc=$?
	[[ -n $guest ]] && { kill "$guest" 2>/dev/null; wait "$guest" 2>/dev/null; }

	# every "# want: TEXT" names the next command line's failure
	while IFS=$'\t' read -r line pat; do
		want_fail=$((want_fail + 1))
		grep -qF -- "- $line: " <(grep '^not ok ' "$work/out" | grep -F -- "$pat") ||
			problems+=("line $line: no 'not ok' with '$pat'")
	done < <(awk '/^# want: / {w = substr($0, 9); next}
		/^[ \t]*(#|$)/ {next}
		w != "" {print NR "\t" w; w = ""}' "$script")
	local nok
	nok=$(grep -c '^not ok ' "$work/out")
	want_fail=$((want_fail + ${EXTRA_FAIL:-0}))
	((nok == want_fail)) || problems+=("$nok steps failed, want $want_fail")
	summary=$(tail -n 1 "$work/out")
	[[ $summary == "gns-host: $(grep -c '^ok ' "$work/out") passed, $nok failed" ]] ||
		problems+=("bad summary: $summary")
	local want_rc=$((want_fail > 0))
	[[ -n ${WANT_RC:-} ]] && want_rc=$WANT_RC
	((rc == want_rc)) || problems+=("exit status $rc, want $want_rc")
	if [[ -n ${MAX_S:-} ]] && ((SECONDS > MAX_S)); then
		problems+=("took ${SECONDS}s, want <= ${MAX_S}s")
	fi
	if ((${#problems[@]})); then
		printf '%s\n' "${problems[@]}" >>"$work/err"
		result 1 "$name"
	else
		result 0 "$name"
	fi
}

# --- everything right: kinds by name and number, ids from 0, ConnectTest's
# packed value, -1 texts, Notification's GUID layout, raw frames, exec
cat >"$work/good.gns" <<'EOF'
# the host's first messages
send SetupIpv6 0 {}
send GlobalNetFilter 0
send NoOp 0
send SetupIpv6 =3 fake:id
send 71 0
send 99 -1:Unexpected
send 99 -1:"LX_MESSAGE_TYPE 99"
send 3 -1
send ConnectTest =0x00010001 www.msftconnecttest.com
send ConnectTest =65537 ipv6.msftconnecttest.com
send DeviceSetting -1:"Failed to find content"
send InterfaceNetFilter -1:"with # and  two spaces" fake:fail with # and  two spaces
send InitialIpConfiguration any fake:fail whatever
send VmNicCreated =-7 fake:value -7
send CreateDevice =0xfffffff9 fake:value -7
send ModifyGuestDevice 0 {"RequestType":"Add"}
send LoopbackRoutes 0 {}
send InterfaceConfiguration 0 {"ID":"x"}
send SetupIpv6 =18 fake:id
# the reference's example: 3b 2a 1c 6f 5e 4d 60 4f 81 72 93 a4 b5 c6 d7 e8
notify 6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8 -1:3b2a1c6f5e4d604f817293a4b5c6d7e8 fake:guid
notify {6F1C2A3B-4D5E-4F60-8172-93A4B5C6D7E8} -1:3b2a1c6f5e4d604f817293a4b5c6d7e8 fake:guid
notify 6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8 0 {"RequestType":"Add"}
# the reference's NoOp with id 9: a raw frame does not advance the counter
raw 0 47 00 00 00 11 00 00 00 09 00 00 00 01 00 00 00 00
# step 0: skipped by the guest, no reply
raw none 47000000 11000000 05000000 00000000 00
send SetupIpv6 =22 fake:id
exec true
exec sh -c "test \"$0\" = sh && exit 0"
EOF
check good

# --- the guest gets things wrong: every violation is caught and the
# connection is dropped; "accept" takes the fake guest's reconnection
cat >"$work/bad.gns" <<'EOF'
# want: reply id 1, want 0
send SetupIpv6 0 fake:wrong-id
# want: no connection
send NoOp 0
accept
# want: reply step 1, want 2
send SetupIpv6 0 fake:wrong-step
accept
# want: reply type 53, want 54
send SetupIpv6 0 fake:wrong-type
accept
# want: reply size 16 < 20
send SetupIpv6 0 fake:short
accept
# want: not NUL-terminated
send SetupIpv6 0 fake:no-nul
accept
# want: frame declares 16777217 bytes, more than 16 MiB
send SetupIpv6 0 fake:huge
accept
# want: connection closed inside a frame
send SetupIpv6 0 fake:cut
accept
# want: no reply within 2000 ms
send SetupIpv6 0 fake:silent
accept
# want: the guest closed the connection
send SetupIpv6 0 fake:close
accept
send SetupIpv6 0 fake:twice
# want: reply id 0, want 1
send NoOp 0
accept
# want: -> -1 "other": want -1 with "expected"
send SetupIpv6 -1:expected fake:fail other
# want: -> -1 "x": want 0
send SetupIpv6 0 fake:fail x
# want: -> 0: want -1
send SetupIpv6 -1 {}
# want: -> 65537 (0x00010001): want 65538
send ConnectTest =0x00010002 www.msftconnecttest.com
# want: want close
raw close 47 00 00 00 11 00 00 00 09 00 00 00 01 00 00 00 00
accept
# want: exit 1
exec false
# want: exit 127
exec /nonexistent/command
# want: still running after 2000 ms, killed
exec sleep 30
send NoOp 0
EOF
MAX_S=20 check bad

# --- close detection, disconnect and accept; ids restart at 0 per connection
cat >"$work/close.gns" <<'EOF'
send SetupIpv6 0 {}
send SetupIpv6 =1 fake:id
# declared size 8 < 16: the guest drops the stream
raw close 47 00 00 00 08 00 00 00 00 00 00 00 01 00 00 00
accept
send SetupIpv6 =0 fake:id
send SetupIpv6 close fake:close
accept
send SetupIpv6 =0 fake:id
send SetupIpv6 =1 fake:id
disconnect
accept
send SetupIpv6 =0 fake:id
# an id the guest echoes as is
raw =305419896 45 00 00 00 18 00 00 00 78 56 34 12 01 00 00 00 66 61 6b 65 3a 69 64 00
send SetupIpv6 =1 fake:id
sleep 50
send SetupIpv6 close fake:exit
EOF
check close

# --- every generation of the wire format (lib/gns/wire.h), both sides
# told the same release: names and raw numbers, ids or sequence numbers,
# raw frames, the guest's mistakes, reconnections
# gen_session VERSION: the session for that release on stdout
gen_session() {
	local f nop ic res hl rl raw_id raw_size next wrong twice
	case $1 in
	2.6.0) f=1 nop=46 ic=52 res=53 hl=12 rl=16 ;;
	2.7.1) f=1 nop=47 ic=53 res=54 hl=12 rl=16 ;;
	*) f=0 nop=47 ic=53 res=54 hl=16 rl=20 ;;
	esac
	if ((hl == 16)); then
		# a raw frame keeps the transaction counter: id 9, 12 next
		raw_id="09000000 01000000" raw_size=11 next=12
		wrong="reply id 14, want 13" twice="reply id 0, want 1"
	else
		# the guest counts every frame: the raw one is 13
		raw_id="0d000000" raw_size=0d next=14
		wrong="reply sequence number 16, want 15"
		twice="reply sequence number 1, want 2"
	fi
	cat <<EOF
send SetupIpv6 0 {}
send SetupIpv6 =$((f + 1)) fake:id
send GlobalNetFilter 0
send NoOp 0
send ConnectTest =0x00010001 www.msftconnecttest.com
send InterfaceConfiguration 0 {"ID":"x"}
send $ic 0 {"ID":"x"}
send 99 -1:"LX_MESSAGE_TYPE 99"
send VmNicCreated =-7 fake:value -7
send InterfaceNetFilter -1:"with # and  two spaces" fake:fail with # and  two spaces
notify 6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8 -1:3b2a1c6f5e4d604f817293a4b5c6d7e8 fake:guid
notify 6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8 0 {"RequestType":"Add"}
raw 0 ${nop}000000 ${raw_size}000000 $raw_id 00
send SetupIpv6 =$next fake:id
# want: $wrong
send SetupIpv6 0 fake:wrong-id
accept
send SetupIpv6 =$f fake:id
# want: reply type $ic, want $res
send SetupIpv6 0 fake:wrong-type
accept
# want: reply size $hl < $rl
send SetupIpv6 0 fake:short
accept
# want: not NUL-terminated
send SetupIpv6 0 fake:no-nul
accept
# want: connection closed inside a frame
send SetupIpv6 0 fake:cut
accept
send SetupIpv6 0 fake:twice
# want: $twice
send NoOp 0
accept
send SetupIpv6 =$f fake:id
EOF
}
for v in 2.6.0 2.7.1 2.8.5; do
	gen_session "$v" >"$work/gen-$v.gns"
	HOST_OPTS="--wsl-version $v" GUEST_OPTS="--wsl-version $v" check "gen-$v"
done
# the default is the newest: a 16-byte header
gen_session default >"$work/gen-default.gns"
check gen-default

# --- host and guest of different releases never agree
cat >"$work/mixed-header.gns" <<'EOF'
# want: no reply within 2000 ms
send SetupIpv6 0 {"some":"text"}
EOF
# the 16-byte guest reads a step that is not 1 (the text's first bytes)
# and skips the frame
HOST_OPTS="--wsl-version 2.6.0" check mixed-header
cat >"$work/mixed-numbering.gns" <<'EOF'
# want: reply type 53, want 54
send NoOp 0
EOF
# 71 is GlobalNetFilter up to 2.6.0, answered with Result 53
HOST_OPTS="--wsl-version 2.7.1" GUEST_OPTS="--wsl-version 2.6.0" \
	check mixed-numbering
# a sequence number that skips one: the guest drops the stream
cat >"$work/bad-seq.gns" <<'EOF'
send NoOp 0
raw close 47000000 0d000000 03000000 00
EOF
HOST_OPTS="--wsl-version 2.7.1" GUEST_OPTS="--wsl-version 2.7.1" check bad-seq

# --- the helper itself on every generation, told the release or (the
# default) detecting it from the host's first frame. Without mirrornet.ko
# a request other than NoOp may fail: its reply must still be framed right.
helper_log() {	# helper_log NAME TEXT: the helper logged TEXT
	grep -qF -- "$2" "$work/$1.helper" ||
		{ sed 's/^/# /' "$work/$1.helper"; return 1; }
}
# SetupIpv6, the first request in mirrored mode, decodes only as itself:
# as 69 it is DnsTunneling up to 2.6.0, as 68 InitialIpConfiguration since
cat >"$work/helper-old.gns" <<'EOF'
send SetupIpv6 any {}
send NoOp 0
send DnsTunneling -1:"DnsTunneling: a DNS channel message, refused on the GNS channel" {}
send NoOp 0
EOF
cp "$work/helper-old.gns" "$work/helper-new.gns"
cat >"$work/helper-16.gns" <<'EOF'
send NoOp 0
send SetupIpv6 any {}
send NoOp 0
EOF
HOST_OPTS="--wsl-version 2.6.0 --timeout-ms 15000" HELPER='' check helper-old
helper_log helper-old "host detected from its first frame: 12-byte header, InterfaceConfiguration 52"
result $? "helper-old: auto detects 2.6.0 from SetupIpv6"
HOST_OPTS="--wsl-version 2.7.1 --timeout-ms 15000" HELPER='' check helper-new
helper_log helper-new "host detected from its first frame: 12-byte header, InterfaceConfiguration 53"
result $? "helper-new: auto detects 2.7.1 from SetupIpv6"
HOST_OPTS="--timeout-ms 15000" HELPER="--wsl-version auto" check helper-16
helper_log helper-16 "host detected from its first frame: 16-byte header, InterfaceConfiguration 53"
result $? "helper-16: auto detects a 16-byte host from step 1"

# NoOp (71) is GlobalNetFilter up to 2.6.0: a 12-byte NoOp cannot tell
cat >"$work/helper-ambiguous.gns" <<'EOF'
send NoOp close
EOF
HOST_OPTS="--wsl-version 2.7.1 --timeout-ms 15000" HELPER='' check helper-ambiguous
helper_log helper-ambiguous "cannot tell the host's WSL version: the first frame's text decodes in both numberings (type 71, 13 bytes); start with --wsl-version VERSION"
result $? "helper-ambiguous: says why and which option to use"
# told the release, it needs no detection
cat >"$work/helper-told.gns" <<'EOF'
send NoOp 0
send NoOp 0
EOF
for v in 2.6.0 2.7.1 2.8.5; do
	cp "$work/helper-told.gns" "$work/helper-told-$v.gns"
	HOST_OPTS="--wsl-version $v --timeout-ms 15000" HELPER="--wsl-version $v" \
		check "helper-told-$v"
done
# 12-byte: a sequence number that skips one drops the stream
cat >"$work/helper-seq.gns" <<'EOF'
send NoOp 0
raw close 47000000 0d000000 03000000 00
EOF
HOST_OPTS="--wsl-version 2.7.1 --timeout-ms 15000" HELPER="--wsl-version 2.7.1" \
	check helper-seq
helper_log helper-seq "type 71 has sequence number 3, not 2: dropping the connection"
result $? "helper-seq: the wrong sequence number is logged"

# --- the helper's frame reader on a stream cut every way (it reads ahead
# of the frame it serves)
python3 "$top/tests/hostsim/frames.py" unshare -n "$helper" serve \
	--resolv-conf "$work/resolv.conf" >"$work/out" 2>"$work/err"
result $? "frames: many in one write, bytewise, cut in two; each answered once, in order; SIGTERM with a backlog"

# --- no guest at all: the accept fails within the timeout, then every step
# fails at once instead of waiting
cat >"$work/noguest.gns" <<'EOF'
# want: no connection
send NoOp 0
# want: no connection
send SetupIpv6 close {}
EOF
NO_GUEST=1 MAX_S=10 EXTRA_FAIL=1 check noguest
# the implicit accept is step 1; the checker wants it failed too
grep -q '^not ok 1 - 0: accept: no connection within 2000 ms' "$work/out"
result $? "noguest: implicit accept fails after the timeout"

# --- script errors: exit 2 before listening, every bad line named
cat >"$work/syntax.gns" <<'EOF'
send Bogus 0 {}
send NoOp maybe
notify not-a-guid 0 {}
raw 0 4
raw 0 47 00
frobnicate
exec "unterminated
sleep x
accept now
send NoOp 0
EOF
rc=0
"$gns_host" --listen "unix:$work/syntax.sock" "$work/syntax.gns" >"$work/out" 2>"$work/err" || rc=$?
((rc == 2)) && [[ ! -e $work/syntax.sock ]] &&
	[[ $(tail -n 1 "$work/out") == "gns-host: 0 passed, 9 failed" ]] &&
	[[ $(grep -c "syntax.gns:[0-9]*:" "$work/err") == 9 ]] &&
	! grep -q "syntax.gns:10:" "$work/err"
result $? "syntax: exit 2 before listening, all 9 bad lines named"

tap_summary hostsim
