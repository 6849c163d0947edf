#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# How the helper applies the host's DNS setting (type 65 DNS): resolv.conf
# written in full (no cap, odd but safe suffixes kept, unusable entries
# dropped and logged, the directory synced, a bind-mounted file written in
# place), and, when resolv.conf links into /run/systemd/resolve, handed to
# a real systemd-resolved over D-Bus. tests/resolved/dns-apply runs the
# helper's decoder and DNS code without a host or the module.
#
# Needs root: the tests run in private mount, network and pid namespaces,
# with a private system bus (dbus-daemon) and systemd-resolved from the
# Debian package extracted by fetch-resolved.sh, never installed.
# The last line is "resolved: P passed, F failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)

if [[ ${1:-} != --inner ]]; then
	out=$(mktemp -d /tmp/mirrornet-resolved.XXXXXX) || exit 1
	read -r -a srcs <<<"$(make -s --no-print-directory -C "$top" print-HELPER_DNS_SRCS)"
	[[ -n ${MN_KEEP:-} ]] || trap 'rm -rf "$out"' EXIT
	# shellcheck disable=SC2046 # pkg-config prints word lists
	if ! cc -std=gnu11 -O1 -g -Wall -Wextra -Werror \
		-fsanitize=address,undefined -fno-sanitize-recover=undefined \
		-I"$top/helper" -I"$top/lib" -I"$top/include/uapi" \
		$(pkg-config --cflags libsystemd) \
		"${srcs[@]/#/$top/}" \
		"$top/tests/resolved/dns-apply.c" \
		$(pkg-config --libs libsystemd) -o "$out/dns-apply"; then
		echo "resolved: 0 passed, 1 failed"
		exit 1
	fi
	root=$("$top/tests/resolved/fetch-resolved.sh") ||
		echo "not ok - systemd-resolved could not be fetched"
	unshare -m -n -p --fork --mount-proc "$0" --inner "$out" "$root"
	exit
fi

out=$2 root=$3
apply=$out/dns-apply
work=$out/work
mkdir -p "$work"
# resolved runs as systemd-resolve and must reach the bus socket in $work
chmod 755 "$out" "$work"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# shellcheck source-path=SCRIPTDIR source=../tap.sh
. "$top/tests/tap.sh"
# result RC NAME: ok or not ok, with the last run's output when not ok
result() { tap_result "$1" "$2" "$work/out" "$work/err"; }

# run RESOLV_CONF SETTINGS...: one request per SETTINGS, in one process;
# replies in $work/out, log in $work/err
run() {
	local path=$1
	shift
	printf '%s\n' "$@" | "$apply" "$path" >"$work/out" 2>"$work/err"
}

ip link set lo up
ip link add d0 type veth peer name p0
ip link add d2 type veth peer name p2
for l in d0 p0 d2 p2; do ip link set "$l" up; done
ip addr add 192.0.2.10/24 dev d0
ip addr add 198.51.100.10/24 dev d2
ip route add default via 192.0.2.1 dev d0
ip addr add 10.255.255.254/32 dev lo
# "Link N (dev)", as resolvectl names a link
d0="Link $(ip -o link show d0 | cut -d: -f1) (d0)"
d2="Link $(ip -o link show d2 | cut -d: -f1) (d2)"

# --- resolv.conf --------------------------------------------------------

# 40 servers and 300 search suffixes, far past any small fixed limit:
# all written.
servers='' search=''
for i in $(seq 1 40); do servers+="10.0.0.$i,"; done
for i in $(seq 0 299); do search+="d$i.corp.example,"; done
run "$work/many.conf" "{\"ServerList\":\"$servers\",\"Search\":\"$search\"}"
rc=$?
want=$(for i in $(seq 1 40); do echo "nameserver 10.0.0.$i"; done
	printf 'search'; for i in $(seq 0 299); do printf ' d%s.corp.example' "$i"; done
	echo)
[[ $rc == 0 && $(cat "$work/out") == 0 && $(cat "$work/many.conf") == "$want" ]]
result $? "40 servers and 300 search suffixes are all written"

# Bytes outside [A-Za-z0-9._-] that the line carries safely are kept.
run "$work/odd.conf" '{"Options":"# banner\n","ServerList":"192.0.2.53","Search":"a;b,x#y,été.example,under_score.example,trailing.dot.,a+b=c!~.example"}'
rc=$?
[[ $rc == 0 && $(cat "$work/odd.conf") == "# banner
nameserver 192.0.2.53
search a;b x#y été.example under_score.example trailing.dot. a+b=c!~.example" ]]
result $? "odd but safe suffixes (; # UTF-8 _ final dot) are written"

# Control characters and newlines are dropped, logged, the rest written,
# the reply is 0: the host never resends a DNS update.
run "$work/drop.conf" '{"ServerList":"9.9.9.9,1.1.1.1\nnameserver 6.6.6.6,dns.google","Search":"ok.example,bad\u0001x,new\nline,a b,also.ok"}'
rc=$?
[[ $rc == 0 && $(cat "$work/out") == 0 && $(cat "$work/drop.conf") == "nameserver 9.9.9.9
search ok.example also.ok" ]] &&
	grep -qF 'warning: DNS: 5 entries dropped: ServerList "1.1.1.1\x0anameserver 6.6.6.6" (not an IP address), ServerList "dns.google" (not an IP address), Search "bad\x01x" (a control character), Search "new\x0aline" (a control character), Search "a b" (white space)' "$work/err"
result $? "unusable entries are dropped and logged, the rest written, reply 0"

# The directory is synced after the rename, so the new name survives.
printf '%s\n' '{"ServerList":"192.0.2.53"}' >"$work/req"
# (LeakSanitizer cannot run under ptrace)
ASAN_OPTIONS=detect_leaks=0 strace -f -qq -y -o "$work/strace" \
	-e trace=fsync,rename,renameat,renameat2 \
	"$apply" "$work/sync.conf" <"$work/req" >"$work/out" 2>"$work/err"
rc=$?
cat "$work/strace" >>"$work/err"
[[ $rc == 0 ]] && awk -v dir="<$work>)" '
	/rename/ { renamed = 1 }
	renamed && /^[0-9]+ +fsync\(/ && index($0, dir) { found = 1 }
	END { exit !found }' "$work/strace"
result $? "the directory is fsynced after the rename"

# A file bind-mounted over resolv.conf (containers): rename() gives EBUSY,
# the file is written in place and the mount stays.
mkdir -p "$work/bind/etc"
echo old >"$work/bind/src"
echo old >"$work/bind/etc/resolv.conf"
mount --bind "$work/bind/src" "$work/bind/etc/resolv.conf"
run "$work/bind/etc/resolv.conf" '{"ServerList":"192.0.2.53","Search":"bind.example"}'
rc=$?
want="nameserver 192.0.2.53
search bind.example"
[[ $rc == 0 && $(cat "$work/bind/etc/resolv.conf") == "$want" &&
	$(cat "$work/bind/src") == "$want" &&
	$(ls -A "$work/bind/etc") == resolv.conf ]] &&
	mountpoint -q "$work/bind/etc/resolv.conf"
result $? "a bind-mounted resolv.conf is written in place (EBUSY fallback)"
umount "$work/bind/etc/resolv.conf"

# --- systemd-resolved ---------------------------------------------------

# resolv.conf as Debian's systemd-resolved package links it
mount -t tmpfs tmpfs /run/systemd
mkdir -p "$work/etc"
stub_rel=$(realpath -m --relative-to="$work/etc" /run/systemd/resolve/stub-resolv.conf)
ln -s "$stub_rel" "$work/etc/resolv.conf"
conf=$work/etc/resolv.conf

# No resolved and no bus: -1 with the reason, and nothing is created
# under /run/systemd (the old code made the dangling target's directory).
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$work/bus
run "$conf" '{"ServerList":"192.0.2.53"}'
rc=$?
[[ $rc == 1 && $(cat "$work/out") == "-1 systemd-resolved: system bus: No such file or directory" &&
	-z $(ls -A /run/systemd) && -L $conf ]]
result $? "resolv.conf into /run/systemd/resolve without resolved: -1, no file made"

if [[ -x $root/lib/systemd/systemd-resolved ]]; then
	# resolved drops to the user systemd-resolve, which need not exist here
	cp /etc/passwd /etc/group "$work/"
	echo 'systemd-resolve:x:990:990::/:/usr/sbin/nologin' >>"$work/passwd"
	echo 'systemd-resolve:x:990:' >>"$work/group"
	mount --bind "$work/passwd" /etc/passwd
	mount --bind "$work/group" /etc/group
	# and reads /etc/resolv.conf as "foreign" servers if it is a file
	: >"$work/empty"
	mount --bind "$work/empty" /etc/resolv.conf
	cat >"$work/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$work/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
	dbus-daemon --config-file="$work/bus.conf" --nofork --nopidfile \
		2>"$work/dbus.log" &
	for _ in $(seq 50); do [[ -S $work/bus ]] && break; sleep 0.1; done
	SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=debug \
		"$root/lib/systemd/systemd-resolved" >"$work/resolved.log" 2>&1 &
	resolved=$!
	resolvectl() { "$root/usr/bin/resolvectl" "$@"; }
	for _ in $(seq 100); do
		busctl --system status org.freedesktop.resolve1 >/dev/null 2>&1 &&
			break
		sleep 0.1
	done

	# The servers and domains arrive in resolved, on the link of the
	# default route, which takes every name (~.), and its file stays.
	run "$conf" '{"Options":"# banner\n","ServerList":"10.255.255.254,2001:db8::53","Search":"corp.example.com,été.example,bad\u0001x"}'
	rc=$?
	{ resolvectl dns d0; resolvectl domain d0; resolvectl default-route d0
	  cat /run/systemd/resolve/resolv.conf; } >>"$work/err" 2>&1
	[[ $rc == 0 && $(cat "$work/out") == 0 &&
		$(resolvectl dns d0) == "$d0: 10.255.255.254 2001:db8::53" &&
		$(resolvectl domain d0) == "$d0:"' corp.example.com \195\169t\195\169.example ~.' &&
		$(resolvectl default-route d0) == "$d0: yes" &&
		$(readlink "$conf") == "$stub_rel" &&
		$(stat -c %U /run/systemd/resolve/stub-resolv.conf) == systemd-resolve ]] &&
		grep -qx 'nameserver 127.0.0.53' /run/systemd/resolve/stub-resolv.conf &&
		grep -qx 'nameserver 10.255.255.254' /run/systemd/resolve/resolv.conf &&
		grep -qx 'search corp.example.com \\195\\169t\\195\\169.example' \
			/run/systemd/resolve/resolv.conf &&
		grep -qF 'Search "bad\x01x" (a control character)' "$work/err"
	result $? "resolved gets the servers and domains on the default route's link"

	# A name asked of resolved reaches the server on lo (WSL's tunneling
	# address) through the link that carries it.
	python3 "$top/tests/resolved/dns-answer.py" 10.255.255.254 192.0.2.99 \
		>"$work/answer.log" 2>&1 &
	answer=$!
	for _ in $(seq 100); do
		grep -q ready "$work/answer.log" && break
		sleep 0.1
	done
	resolvectl query --cache=no -4 host.corp.example.com >"$work/out" 2>"$work/err"
	rc=$?
	[[ $rc == 0 ]] && grep -qx 'host.corp.example.com: 192.0.2.99' "$work/out"
	result $? "a query through resolved reaches the server on lo"
	resolvectl query --cache=no -4 short >"$work/out" 2>"$work/err"
	rc=$?
	[[ $rc == 0 ]] && grep -qx 'short: 192.0.2.99' "$work/out" &&
		grep -q 'short.corp.example.com' "$work/answer.log"
	result $? "a single-label name is searched with the host's suffixes"
	kill "$answer"

	# The default route moves: the new link gets the settings, the old
	# one is reverted (in one process, as in the helper).
	coproc APPLY { "$apply" "$conf" 2>"$work/err"; }
	echo '{"ServerList":"192.0.2.53","Search":"one.example"}' >&"${APPLY[1]}"
	read -r first <&"${APPLY[0]}"
	d0_before=$(resolvectl dns d0)
	ip route replace default via 198.51.100.1 dev d2 metric 0
	ip route replace default via 192.0.2.1 dev d0 metric 100
	echo '{"ServerList":"198.51.100.53","Search":"two.example"}' >&"${APPLY[1]}"
	read -r second <&"${APPLY[0]}"
	to_apply=${APPLY[1]}
	exec {to_apply}>&-
	wait "$APPLY_PID"
	printf '%s\n%s\n' "$first" "$second" >"$work/out"
	[[ $first == 0 && $second == 0 &&
		$d0_before == "$d0: 192.0.2.53" &&
		$(resolvectl dns d0) == "$d0:" &&
		$(resolvectl domain d0) == "$d0:" &&
		$(resolvectl dns d2) == "$d2: 198.51.100.53" &&
		$(resolvectl domain d2) == "$d2: two.example ~." ]]
	result $? "a new default route moves the settings, the old link is reverted"

	# No default route and no link up but lo: -1 with the reason.
	ip route flush table main
	for l in d0 p0 d2 p2; do ip link set "$l" down; done
	run "$conf" '{"ServerList":"192.0.2.53"}'
	rc=$?
	[[ $rc == 1 && $(cat "$work/out") == "-1 systemd-resolved: no link other than lo is up to carry the DNS servers" ]]
	result $? "no link but lo: -1 with the reason"
	for l in d0 p0 d2 p2; do ip link set "$l" up; done
	ip addr replace 192.0.2.10/24 dev d0
	ip route replace default via 192.0.2.1 dev d0

	# resolved gone: -1 with the D-Bus error text, its file untouched.
	kill "$resolved"
	wait "$resolved" 2>/dev/null
	stub=$(stat -c '%i %Y' /run/systemd/resolve/stub-resolv.conf
	       md5sum </run/systemd/resolve/stub-resolv.conf)
	run "$conf" '{"ServerList":"192.0.2.53"}'
	rc=$?
	ls -li /run/systemd/resolve "$conf" >>"$work/err" 2>&1
	[[ $rc == 1 && $(cat "$work/out") == "-1 systemd-resolved: SetLinkDNS on d0: The name org.freedesktop.resolve1 was not provided by any .service files" &&
		$(stat -c '%i %Y' /run/systemd/resolve/stub-resolv.conf
		  md5sum </run/systemd/resolve/stub-resolv.conf) == "$stub" &&
		-L $conf ]]
	result $? "resolved gone: -1 with the D-Bus error, its file untouched"
	kill %1
else
	tap_result 1 "systemd-resolved is not available ($root)"
fi

tap_summary resolved
