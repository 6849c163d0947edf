#!/bin/sh
# shellcheck shell=dash
# make demo, inside the VM (busybox sh): mirrornet.ko and `mirrornet
# serve` with the host engine playing /tests/timeline.json over
# vsock_loopback. After each step (the engine is stopped at its end) the
# host's snapshot is printed beside what the guest's kernel shows. Lines
# "MN-PROGRESS ..." feed the progress line of demo/run.sh; MN-DEMO-OK
# ends a good run.
IP=/sbin/ip
TIMELINE=/tests/timeline.json
PORT=50000
SERVE_LOG=/tmp/serve.log
HOST_FIFO=/tmp/host.fifo
# the host column's width
LEFT=60

progress() { echo "MN-PROGRESS $*"; }

fail() {
	echo "demo: $*"
	echo "--- mirrornet serve"
	cat "$SERVE_LOG"
	exit 1
}

# Each NIC is a dummy whose alias is its interface GUID, created once
# the helper has heard of it (its log names the GUID: --verbose logs the
# requests answered 0 too), as the host's HCS
# hot-adds the vmNIC around its VmNicCreatedNotification.
hotadd_all() {
	local i=0 guid
	for guid in $(jq -r '[.timeline[].snapshot.interfaces[].guid] | unique[]' "$TIMELINE"); do
		(
			n=600
			while ! grep -qi "$guid" "$SERVE_LOG"; do
				n=$((n - 1))
				[ $n -gt 0 ] || exit 1
				usleep 50000
			done
			usleep 500000
			/tests/hotadd "nic$i" "$guid"
		) >/dev/null 2>&1 &
		i=$((i + 1))
	done
}

guest_column() {
	echo "GUEST: what its kernel has"
	echo '$ ip addr'
	$IP addr | grep -v 'valid_lft'
	echo '$ ip -4 route show table all   (not the local table)'
	$IP -4 route show table all | grep -v 'table local'
	echo '$ ip -6 route show table all   (not the local table)'
	$IP -6 route show table all | grep -v 'table local'
	echo '$ cat /etc/resolv.conf'
	cat /etc/resolv.conf
}

# show_step N: the host's snapshot of step N beside the guest's state
show_step() {
	local steps note
	steps=$(jq '.timeline | length' "$TIMELINE")
	note=$(jq -r --argjson i $(($1 - 1)) '.timeline[$i].note // ""' "$TIMELINE")
	printf '\n===== step %s of %s: %s\n\n' "$1" "$steps" "$note"
	jq -r --argjson i $(($1 - 1)) -f /tests/host-table.jq "$TIMELINE" >/tmp/left
	guest_column >/tmp/right 2>&1
	awk -v w=$LEFT 'NR == FNR { l[FNR] = $0; nl = FNR; next }
		{ r[FNR] = $0; nr = FNR }
		END {
			n = nl > nr ? nl : nr
			for (i = 1; i <= n; i++)
				printf "%-" w "." w "s | %s\n", l[i], r[i]
		}' /tmp/left /tmp/right
	echo
	echo '$ mirrornet show'
	mirrornet show
}

# the dummy module's own dummy0 is no NIC of the host's
$IP link del dummy0 2>/dev/null
progress "loading mirrornet.ko"
insmod /lib/mirrornet/mirrornet.ko || fail "insmod mirrornet.ko failed"
mkfifo "$HOST_FIFO"
progress "starting mirrornet-host and mirrornet serve"
mirrornet-host --listen "vsock:$PORT" --progress --verbose "$TIMELINE" \
	2>"$HOST_FIFO" </dev/null &
host_pid=$!
mirrornet serve --vsock "1:$PORT" --verbose >"$SERVE_LOG" 2>&1 </dev/null &
hotadd_all

step=0
summary=
while read -r line; do
	case $line in
	"mirroring "*) progress "$line" ;;
	"mirrornet-host: step "*": goal state"*)
		# hold the host still while the state is read
		kill -STOP $host_pid 2>/dev/null
		step=$((step + 1))
		show_step $step
		kill -CONT $host_pid 2>/dev/null
		;;
	"mirrornet-host: step "*": no goal state"*) echo "$line" ;;
	"mirrornet-host: step "*) progress "${line#mirrornet-host: }" ;;
	"mirrornet-host: -> "* | "mirrornet-host: <- "*" 0") ;;
	"mirrornet-host: listening on "*) ;;
	"mirrornet-host: "*" messages, "*) summary=$line ;;
	*) echo "$line" ;;
	esac
done <"$HOST_FIFO"
wait $host_pid || fail "the host engine failed: $summary"
printf '\n%s\n\n' "$summary"
echo '$ dmesg | grep mirrornet'
dmesg | grep 'mirrornet'
echo MN-DEMO-OK
