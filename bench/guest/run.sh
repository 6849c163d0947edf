#!/bin/sh
# shellcheck shell=dash
# The benchmark inside the VM (busybox sh): every path measured side by
# side in this one boot. Each test prints its figures as "# BENCH LABEL
# key=value..." lines under its TAP line (bench/report.py reads them) and
# fails when the kernel does not end up with the objects it was sent.
# Sizes come from the kernel command line (mn.sizes=..., see bench/run.sh).
# tap.sh's per-test watchdog: the 100 000-route rounds take minutes
TAP_TIMEOUT=${MN_TEST_TIMEOUT:-1800}
# shellcheck source-path=SCRIPTDIR source=../../tests/vm/guest/tap.sh
. /tests/lib/tap.sh

MOD=/lib/mirrornet/mirrornet.ko
SIZES=$(echo "${MN_SIZES:-1000,10000,100000}" | tr , ' ')
# (a) through the host engine up to this N (every N unless a quick run
# lowers it)
ENGINE_MAX=${MN_ENGINE_MAX:-100000}
# (d), one ip process per route, in the first round only and for at most
# this many routes: about 10 routes/s under TCG
EACH_MAX=${MN_EACH_MAX:-200}
LAT_N=${MN_LAT_N:-300}
SCALE_N=${MN_SCALE_N:-300}
REPS=${MN_REPS:-100}
MEM_ROUTES=${MN_MEM_ROUTES:-100000}
MEM_ADDRS=${MN_MEM_ADDRS:-2000}
SCALE_ROUTES=${MN_SCALE_ROUTES:-100000}
# rounds of the latency measurements
LAT_ROUNDS=${MN_LAT_ROUNDS:-3}
# rounds of the scaling comparisons, sides measured in turn
SCALE_ROUNDS=${MN_SCALE_ROUNDS:-3}
# throughput rounds per N up to 10 000 (the best one counts: other
# engineers' VMs share the machine), and for larger N
ROUNDS=${MN_ROUNDS:-2}
ROUNDS_LARGE=${MN_ROUNDS_LARGE:-1}
# queries per DNS measurement, and its rounds (the best counts)
DNS_N=${MN_DNS_N:-2000}
DNS_ROUNDS=${MN_DNS_ROUNDS:-2}
# the tunneling address, and the host side's resolver
DNS_IP=10.255.255.254
DNS_UP=127.0.0.1:5300
# a comma-separated list of test functions to run instead of all
ONLY=${MN_ONLY:-}
PORT=50500
# requests per sendmsg for path (b) and the preloads: the best of the
# sweep below (deeper batches lose to cache misses under TCG)
WINDOW=${MN_WINDOW:-16}
# the sweep of path (b)'s window, once, at 10 000 routes
WINDOWS="1 4 16 64 256"
# interface GUIDs: this prefix and a 12-digit hex number
GUIDP=6e000000-0000-4000-8000-

guid() { printf '%s%012x' "$GUIDP" "$1"; }

# nic NAME N: a stand-in NIC, a dummy whose alias is GUID N (the module's
# hardware key for test rigs, seen once the link is up)
nic() {
	$IP link add "$1" type dummy
	$IP link set "$1" alias "$(guid "$2")"
	$IP link set "$1" up
}

# nic_del NAME N: delete the stand-in NIC and forget what the module holds
# for GUID N (a NIC that unregisters keeps its state held for its key)
nic_del() {
	$IP link del "$1"
	mnbench forget "$(guid "$2")"
}

# routes_are DEV N: the kernel has exactly N routes through DEV
routes_are() {
	local got
	got=$($IP -4 route show dev "$1" | wc -l)
	[ "$got" -eq "$2" ] || { echo "$1 has $got routes, expected $2"; return 1; }
}

# tracked_are DEV N: the module's goal state for DEV holds N routes
tracked_are() {
	local got
	got=$(mirrornet show --json "$1" | jq '[.. | objects | select(has("dst"))] | length')
	[ "$got" -eq "$2" ] || { echo "the module tracks $got routes on $1, expected $2"; return 1; }
}

# mem LABEL: the kernel's counters of the memory a module allocates, in kB
# (after RCU callbacks ran): unreclaimable slab (large kmallocs included),
# vmalloc, per-CPU
mem() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	awk -v label="$1" '
		/^(SUnreclaim|VmallocUsed|Percpu):/ { sub(":", "", $1); v[$1] = $2 }
		END { printf "BENCH %s sunreclaim_kb=%d vmalloc_kb=%d percpu_kb=%d\n",
			label, v["SUnreclaim"], v["VmallocUsed"], v["Percpu"] }' /proc/meminfo
}

# engine_run SNAPSHOT: the host engine plays SNAPSHOT to a fresh helper,
# which connects at its first attempt (the engine listens before it
# starts); /tmp/engine.res gets "MESSAGES FAILED MS HELPER_VMHWM_KB" (MS:
# the engine's own total, from listening to its last reply)
engine_run() {
	local hpid spid rc=0 waited=0 hwm
	: >/tmp/engine.err
	mirrornet-host --listen "vsock:$PORT" "$1" 2>/tmp/engine.err &
	hpid=$!
	while ! grep -q 'listening on' /tmp/engine.err; do
		[ "$waited" -lt 500 ] || { echo "the engine does not listen"; return 1; }
		usleep 20000
		waited=$((waited + 1))
	done
	# the helper reaches the host through vsock_loopback: CID 1
	mirrornet serve --vsock "1:$PORT" >/tmp/serve.log 2>&1 &
	spid=$!
	wait "$hpid" || rc=$?
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$spid/status")
	kill "$spid"
	wait "$spid" || true
	[ "$rc" -eq 0 ] ||
		{ echo "mirrornet-host exit status $rc"; tail -n 5 /tmp/engine.err; tail -n 20 /tmp/serve.log; return 1; }
	sed -n "s/^mirrornet-host: \([0-9]*\) messages, \([0-9]*\) failed, \([0-9]*\) ms$/\1 \2 \3 $hwm/p" \
		/tmp/engine.err >/tmp/engine.res
	[ -s /tmp/engine.res ] || { echo "no summary from the engine"; cat /tmp/engine.err; return 1; }
}

# full LABEL GUID START N: path (a), the host engine (tools/host) over
# vsock to `mirrornet serve`: the same NIC once without routes, then with N
# routes, each on a fresh stand-in NIC; the difference of the two runs is
# the N route messages
full() {
	local label=$1 g=$2 start=$3 n=$4 base_ms
	nic mnba 10
	mnbench snapshot "$g" mnba 0.0.0.0 0 >/tmp/full.json
	engine_run /tmp/full.json
	read -r _ _ base_ms _ </tmp/engine.res
	nic_del mnba 10
	nic mnba 10
	mnbench snapshot "$g" mnba "$start" "$n" >/tmp/full.json
	engine_run /tmp/full.json
	rm /tmp/full.json
	helper_times "$label-helper" /tmp/serve.log
	awk -v l="$label" -v n="$n" -v b="$base_ms" '{
		ms = $3 - b
		printf "BENCH %s n=%d ms=%d per_s=%.0f failed=%d messages=%d base_ms=%d helper_hwm_kb=%d host=mirrornet-host\n",
			l, n, ms, n * 1000 / ms, $2, $1, b, $4 }' /tmp/engine.res
}

# helper_times LABEL LOG: the helper's own time per request (from reading
# the frame to the reply; it logs it with 0.1 ms resolution)
helper_times() {
	sed -n 's/.* -> 0 (\([0-9.]*\) ms).*/\1/p' "$2" | sort -n | awk -v l="$1" '
		{ v[NR] = $1; s += $1 }
		END { if (NR) printf "BENCH %s n=%d p50_us=%.0f mean_us=%.1f\n",
			l, NR, v[int((NR + 1) / 2)] * 1000, s / NR * 1000 }'
}

# drive NS LABEL KIND GUID START N [GUEST ARGS...]: per-message round trips,
# timed at the host end by mnbench's own GNS driver, which starts the guest
# end (by default the helper at its default log level, as a user runs it);
# in network namespace NS ("-": this one)
drive() {
	local ns=$1 label=$2 kind=$3 g=$4 start=$5 n=$6
	shift 6
	[ $# -gt 0 ] || set -- /usr/bin/mirrornet serve --vsock "1:$PORT"
	set -- mnbench drive "$label" "$PORT" "$kind" "$g" "$start" "$n" -- "$@"
	[ "$ns" = - ] || set -- "$IP" netns exec "$ns" "$@"
	"$@" 2>/tmp/drive.err || { tail -n 20 /tmp/drive.err; return 1; }
	helper_times "$label-helper" /tmp/drive.err
}

# echo LABEL KIND N: the transport floor, drive's host against mnbench's
# echo guest (reads each frame, replies 0, decodes and applies nothing)
echo_drive() {
	drive - "$1" "$2" "$(guid 0x7e)" 0.0.0.0 "$3" mnbench echo-guest "1:$PORT"
}

t_load() {
	# stand-in NICs without IPv6: no DAD, router or MLD timers in the way
	echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
	insmod $MOD
	grep -q '^mirrornet ' /proc/modules
	grep -q '^vsock_loopback ' /proc/modules
}

# 1. N routes on one interface through the paths, same boot, in rounds
# (c, d, b, e, a each round); labels tput-PATH-N.rROUND. Path e is the
# guest side of (a) with mnbench's GNS driver as the host; up to 10 000
# routes the same driver also plays against the echo guest (tput-echo-N),
# the transport's own time per message.
t_throughput() {
	local n=$1 rounds=$ROUNDS r=1 nd g w
	[ "$n" -le 10000 ] || rounds=$ROUNDS_LARGE
	# (d) at most EACH_MAX routes: one process per route is slow under TCG
	nd=$n
	[ "$nd" -le "$EACH_MAX" ] || nd=$EACH_MAX
	while [ "$r" -le "$rounds" ]; do
		nic mnbc 12
		mnbench ipbatch route mnbc 48.0.0.0 "$n" >/tmp/c.batch
		mnbench time "tput-c-$n.r$r" "$n" -- /sbin/ip -batch /tmp/c.batch
		routes_are mnbc "$n"
		$IP link del mnbc
		rm /tmp/c.batch

		if [ "$r" -eq 1 ]; then
			nic mnbd 13
			mnbench ip-each "tput-d-$n.r$r" mnbd 64.0.0.0 "$nd"
			routes_are mnbd "$nd"
			$IP link del mnbd
		fi

		g=$(guid 11)
		nic mnbb 11
		mnbench routes "tput-b-$n.r$r" "$g" 32.0.0.0 "$n" "$WINDOW"
		routes_are mnbb "$n"
		tracked_are mnbb "$n"
		nic_del mnbb 11
		if [ "$n" -eq 10000 ] && [ "$r" -eq 1 ]; then
			for w in $WINDOWS; do
				nic mnbb 11
				mnbench routes "window-$w" "$g" 32.0.0.0 "$n" "$w"
				routes_are mnbb "$n"
				nic_del mnbb 11
			done
		fi

		g=$(guid 14)
		nic mnbe 14
		drive - "tput-e-$n.r$r" route "$g" 80.0.0.0 "$n"
		routes_are mnbe "$n"
		tracked_are mnbe "$n"
		nic_del mnbe 14
		[ "$n" -gt 10000 ] || echo_drive "tput-echo-$n.r$r" route "$n"

		if [ "$n" -le "$ENGINE_MAX" ]; then
			full "tput-a-$n.r$r" "$(guid 10)" 16.0.0.0 "$n"
			routes_are mnba "$n"
			tracked_are mnba "$n"
			nic_del mnba 10
		elif [ "$r" -eq 1 ]; then
			echo "BENCH tput-a-$n.r$r n=$n skipped=1"
		fi
		r=$((r + 1))
	done
}

# 2. Per-message latency on the full path, the kernel's part of the same
# requests (genl round trip), the helper's JSON decoding of the same text,
# the transport's round trip (the echo guest);
# LAT_ROUNDS rounds (the best counts), labels lat-PART-KIND.rROUND. Each
# measurement on a fresh stand-in NIC: IPv4 address adds cost more with
# every address already on the interface.
t_latency() {
	local g kind i r=1
	g=$(guid 1)
	while [ "$r" -le "$LAT_ROUNDS" ]; do
		i=0
		for kind in addr route link; do
			i=$((i + 1))
			nic mnbl 1
			drive - "lat-full-$kind.r$r" "$kind" "$g" "100.$((i * 16 + r)).0.0" "$LAT_N"
			[ "$kind" != route ] || routes_are mnbl "$LAT_N"
			nic_del mnbl 1
			# --verbose: the helper logs its own time per request, a
			# line a user's helper does not write, so timed apart
			nic mnbl 1
			drive - "lat-log-$kind.r$r" "$kind" "$g" "100.$((i * 16 + 8 + r)).0.0" \
				"$LAT_N" /usr/bin/mirrornet serve --vsock "1:$PORT" --verbose
			nic_del mnbl 1
			nic mnbl 1
			mnbench genl-lat "lat-genl-$kind.r$r" "$kind" "$g" "100.$((i * 16 + r)).0.0" "$LAT_N"
			[ "$kind" != route ] || routes_are mnbl "$LAT_N"
			nic_del mnbl 1
			mnbench decode-lat "lat-decode-$kind.r$r" "$kind" "$g" "100.$((i * 16 + r)).0.0" "$LAT_N"
			echo_drive "lat-echo-$kind.r$r" "$kind" "$LAT_N"
		done
		r=$((r + 1))
	done
}

# netns NAME: a network namespace for one side of a scaling comparison;
# its own goal state in the module, its own FIB
netns() {
	$IP netns add "$1"
	# stand-in NICs without IPv6: no DAD, router or MLD timers in the way
	$IP netns exec "$1" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
}

# links NS FIRST COUNT: COUNT stand-in NICs mnbs0.. in NS with GUIDs
# FIRST.., tracked by the module there
links() {
	local i=0
	while [ "$i" -lt "$3" ]; do
		echo "link add mnbs$i type dummy"
		echo "link set mnbs$i alias $(guid $(($2 + i)))"
		echo "link set mnbs$i up"
		i=$((i + 1))
	done >/tmp/links.batch
	$IP -n "$1" -batch /tmp/links.batch
	$IP netns exec "$1" mnbench track "track-$1" "$GUIDP" "$2" "$3" >/dev/null
}

# inns NS CMD...: CMD in network namespace NS
inns() {
	local ns=$1
	shift
	$IP netns exec "$ns" "$@"
}

# 3a. Per-message cost with 1, 16 and 256 interfaces present (each count
# in its own namespace, measured in turn, SCALE_ROUNDS times; the best
# round counts), on the last interface created.
t_scale_ifaces() {
	local count r=1 g
	for count in 1 16 256; do
		netns "mnsc$count"
		links "mnsc$count" $((count * 0x1000)) "$count"
	done
	while [ "$r" -le "$SCALE_ROUNDS" ]; do
		for count in 1 16 256; do
			g=$(guid $((count * 0x1000 + count - 1)))
			drive "mnsc$count" "scale-ifaces-$count.r$r" route "$g" \
				"101.$r.0.0" "$SCALE_N"
			inns "mnsc$count" mnbench genl-lat "scale-ifaces-genl-$count.r$r" \
				route "$g" "102.$r.0.0" "$SCALE_N"
		done
		r=$((r + 1))
	done
	for count in 1 16 256; do
		[ "$($IP -n "mnsc$count" -o link show type dummy | grep -c ' mnbs')" -eq "$count" ]
		[ "$($IP -n "mnsc$count" -4 route show dev "mnbs$((count - 1))" | wc -l)" \
			-eq $((2 * SCALE_ROUNDS * SCALE_N)) ]
		$IP netns del "mnsc$count"
	done
}

# 3b. Per-message cost with 1 000 and with SCALE_ROUTES routes already
# tracked on the interface (each in its own namespace, measured in turn):
# a route Add, and an address Update (which must not save and restore the
# table).
t_scale_routes() {
	local count r=1 g
	# GUID 0x20 + routes / 1000 on each side
	for count in 1000 "$SCALE_ROUTES"; do
		netns "mnrt$count"
		links "mnrt$count" $((0x20 + count / 1000)) 1
		inns "mnrt$count" mnbench routes "preload-$count" "$(guid $((0x20 + count / 1000)))" \
			110.0.0.0 "$count" "$WINDOW"
	done
	while [ "$r" -le "$SCALE_ROUNDS" ]; do
		for count in 1000 "$SCALE_ROUTES"; do
			g=$(guid $((0x20 + count / 1000)))
			drive "mnrt$count" "scale-routes-$count-route.r$r" route "$g" \
				"111.$r.0.0" "$SCALE_N"
			drive "mnrt$count" "scale-routes-$count-addr.r$r" addr-update "$g" \
				112.0.0.1 "$SCALE_N"
			inns "mnrt$count" mnbench genl-lat "scale-routes-genl-$count-route.r$r" \
				route "$g" "113.$r.0.0" "$SCALE_N"
		done
		r=$((r + 1))
	done
	for count in 1000 "$SCALE_ROUTES"; do
		[ "$($IP -n "mnrt$count" -4 route show dev mnbs0 | wc -l)" \
			-eq $((count + 2 * SCALE_ROUNDS * SCALE_N)) ]
		$IP netns del "mnrt$count"
	done
}

# 4. Module memory per tracked route and address: the kernel gets the
# objects from ip -batch first, then the module is sent the same ones; it
# tracks them (the kernel answers EEXIST, nothing is added to the kernel),
# so the second delta is the module's alone.
t_memory() {
	local g
	g=$(guid 0x20)
	nic mnbm 0x20
	mnbench ipbatch route mnbm 120.0.0.0 "$MEM_ROUTES" >/tmp/m.batch
	$IP -batch /tmp/m.batch
	rm /tmp/m.batch
	mem mem-routes-before
	mnbench routes mem-routes-track "$g" 120.0.0.0 "$MEM_ROUTES" "$WINDOW" eexist
	mem mem-routes-after
	routes_are mnbm "$MEM_ROUTES"
	tracked_are mnbm "$MEM_ROUTES"
	mnbench ipbatch addr mnbm 121.0.0.0 "$MEM_ADDRS" >/tmp/m.batch
	$IP -batch /tmp/m.batch
	rm /tmp/m.batch
	mem mem-addrs-before
	mnbench addrs mem-addrs-track "$g" 121.0.0.0 "$MEM_ADDRS" "$WINDOW" eexist
	mem mem-addrs-after
	echo "BENCH mem-counts routes=$MEM_ROUTES addrs=$MEM_ADDRS"
	nic_del mnbm 0x20
}

# 5. Reactions, event-driven in the module: a NIC with held state
# registers; a tracked link comes back up after its routes were flushed.
t_react() {
	mnbench react-register react-register "$(guid 0x30)" "$REPS"
	mnbench react-linkup react-linkup "$(guid 0x31)" "$REPS" 16
}

# 6. DNS through the tunnel: a client in the guest asks the helper's
# listener on the tunneling address, which carries each query over the DNS
# channel (vsock) to the host engine, which asks the resolver; against the
# same client asking the same resolver directly. UDP and TCP, 1 and 64
# queries in flight, DNS_ROUNDS rounds, sides in turn; labels
# dns-SIDE-PROTO-INFLIGHT.rROUND.
t_dns() {
	local spid hpid gpid r=1 proto k waited=0 rc=0
	nic mnbn 0x40
	mnbench snapshot "$(guid 0x40)" mnbn 0.0.0.0 0 >/tmp/dns.json
	mirrornet-host --dns-serve "$DNS_UP" --dns-zone /tests/dns.zone \
		2>/tmp/dns-serve.err &
	spid=$!
	mirrornet-host --listen "vsock:$PORT" --dns-tunneling="$DNS_IP" \
		--dns-upstream "$DNS_UP" /tmp/dns.json 2>/tmp/dns-host.err &
	hpid=$!
	while ! grep -q 'listening on' /tmp/dns-host.err; do
		[ "$waited" -lt 500 ] || { echo "the engine does not listen"; return 1; }
		usleep 20000
		waited=$((waited + 1))
	done
	mirrornet serve --vsock "1:$PORT" --dns-tunnel "1:$PORT" \
		--dns_tunneling_ip "$DNS_IP" >/tmp/dns-gns.log 2>&1 &
	gpid=$!
	# the helper puts the tunneling address on lo and listens on it
	waited=0
	until mnbench dns-load dns-ready udp 1 1 "$DNS_IP:53" bench.test \
		>/dev/null 2>&1; do
		[ "$waited" -lt 100 ] ||
			{ echo "no answer through the tunnel"; tail -n 20 /tmp/dns-gns.log /tmp/dns-host.err; return 1; }
		usleep 100000
		waited=$((waited + 1))
	done
	while [ "$r" -le "$DNS_ROUNDS" ] && [ "$rc" -eq 0 ]; do
		for proto in udp tcp; do
			for k in 1 64; do
				mnbench dns-load "dns-direct-$proto-$k.r$r" "$proto" "$k" \
					"$DNS_N" "$DNS_UP" bench.test || rc=1
				mnbench dns-load "dns-tunnel-$proto-$k.r$r" "$proto" "$k" \
					"$DNS_N" "$DNS_IP:53" bench.test || rc=1
			done
		done
		r=$((r + 1))
	done
	kill "$hpid"
	wait "$hpid" || true
	kill "$gpid" "$spid"
	wait "$gpid" || true
	wait "$spid" || true
	grep '^mirrornet-host: dns:' /tmp/dns-host.err
	[ "$rc" -eq 0 ] ||
		{ tail -n 20 /tmp/dns-gns.log /tmp/dns-host.err /tmp/dns-serve.err; return 1; }
	rm /tmp/dns.json
	nic_del mnbn 0x40
}

# run_test takes a function name: the size goes through TPUT_N
t_throughput_n() { t_throughput "$TPUT_N"; }

# want FUNC: FUNC is to run (ONLY is empty or lists it)
want() { [ -z "$ONLY" ] || echo ",$ONLY," | grep -q ",$1,"; }

tap_plan_later
run_test "mirrornet.ko and vsock_loopback loaded" t_load
for TPUT_N in $SIZES; do
	want t_throughput &&
		run_test "throughput: $TPUT_N routes through (a) full path, (b) genl, (c) ip -batch, (d) ip per route" t_throughput_n
done
want t_latency && run_test "latency: address, route, link messages; kernel and decoding parts" t_latency
want t_scale_ifaces && run_test "scaling: 1, 16, 256 interfaces" t_scale_ifaces
want t_scale_routes && run_test "scaling: 1000 and $SCALE_ROUTES routes present" t_scale_routes
want t_memory && run_test "memory: $MEM_ROUTES routes and $MEM_ADDRS addresses tracked" t_memory
want t_react && run_test "reaction: NIC registered, link up ($REPS repetitions)" t_react
want t_dns && run_test "DNS: tunnel and direct, UDP and TCP, 1 and 64 in flight" t_dns
tap_finish
