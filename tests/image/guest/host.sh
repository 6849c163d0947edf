#!/bin/bash
# Inside the image: the Windows host in miniature for mirrornet.service.
#   host.sh NAME   ExecStart of mn-image-host@NAME.service: mirrornet-host
#                  plays the timeline NAME.json (in /run/mn-image, else
#                  beside this script) on vsock_loopback, with DNS tunneling
#                  answered from image.zone. At the end of every step but
#                  the last the engine is stopped (SIGSTOP) and the step's
#                  number written to /run/mn-image/NAME.step, so that the
#                  test checks the state with no request in flight and
#                  continues it (SIGCONT to NAME.pid); after the last step
#                  it keeps answering DNS until the helper closes GNS.
#   host.sh wait NAME
#                  ExecStartPost: until the engine listens, so that
#                  mirrornet.service (ordered after) connects at once.
#   host.sh nic NAME STEP
#                  the NICs STEP (1-based) of NAME.json adds, hot-added as
#                  the host's HCS would: dummies whose alias is the GUID,
#                  nicN by the GUID's place among all of the timeline's.
set -u
lib=/usr/lib/mn-image
state=/run/mn-image
port=50500
mkdir -p "$state"

# timeline NAME: its file
timeline() {
	if [[ -r $state/$1.json ]]; then echo "$state/$1.json"; else echo "$lib/$1.json"; fi
}

if [[ $1 == nic ]]; then
	file=$(timeline "$2")
	jq -r --argjson n "$3" '([.timeline[].snapshot.interfaces[].guid] | unique) as $all
		| (.timeline[$n - 1].snapshot.interfaces | map(.guid)) -
		  (if $n > 1 then .timeline[$n - 2].snapshot.interfaces | map(.guid) else [] end)
		| .[] | . as $g | "nic\($all | index($g)) \($g)"' "$file" >"$state/nics-$3" || exit 1
	while read -r nic guid; do "$lib/hotadd" "$nic" "$guid" || exit 1; done <"$state/nics-$3"
	exit
fi

if [[ $1 == wait ]]; then
	for _ in $(seq 600); do
		grep -q '^mirrornet-host: listening on ' "$state/$2.log" 2>/dev/null && exit 0
		sleep 0.1
	done
	echo "mirrornet-host is not listening after 60 s:"
	cat "$state/$2.log"
	exit 1
fi

name=$1
timeline=$(timeline "$name")
rm -f "$state/$name".{log,step,pid,rc,fifo}
steps=$(jq '.timeline | length' "$timeline") || exit 1
# the engine's log through a pipe, read line by line: the stop at a step's
# end comes at once, well inside the step's afterMs wait
mkfifo "$state/$name.fifo"
"$lib/mirrornet-host" --listen "vsock:$port" --verbose --dns-tunneling \
	--dns-zone "$lib/image.zone" "$timeline" >"$state/$name.fifo" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$state/$name.pid"
re='^mirrornet-host: step ([0-9]+): (no )?goal state'
while IFS= read -r line; do
	printf '%s\n' "$line" >>"$state/$name.log"
	if [[ $line =~ $re ]]; then
		((BASH_REMATCH[1] < steps)) && kill -STOP "$pid"
		echo "${BASH_REMATCH[1]}" >"$state/$name.step"
	fi
done <"$state/$name.fifo"
rc=0
wait "$pid" || rc=$?
echo "$rc" >"$state/$name.rc"
exit "$rc"
