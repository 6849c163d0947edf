# shellcheck shell=dash
# The helper's request handlers against the real module (issue 11):
# CreateDeviceRequest repeated, the module reloaded and unloaded under a
# running helper. Sourced by run.sh after the other tests:
#
#	. /tests/handlers.sh
#	run_handlers_tests
#
# which runs
#
#	run_test "CreateDeviceRequest again: eth0's local rules stay" t_handlers_create_again
#	run_test "module reloaded under the helper: the next request works" t_handlers_module_reload
#	run_test "module unloaded: what needs none works, the rest fails at once" t_handlers_no_module
#
# They need the home session's state (eth0, loopback0) and leave the
# module loaded.

# centis TIME: /proc/uptime's seconds (with 2 decimals) in hundredths
centis() { echo "${1%.*}${1#*.}"; }

# Rules at priority 0 for table local: two per NIC, none without iif.
expect_local_rules() {
	rule_count '.priority == 0 and .iif == "eth0" and .table == "local"' 2
	rule_count '.priority == 0 and .iif == "loopback0" and .table == "local"' 2
	rule_count '.priority == 0 and (.iif | not)' 0
	rule_count '.priority == 2 and .table == "local" and (.ipproto | not)' 1
}

t_handlers_create_again() {
	expect_local_rules
	with_serve create-again
	expect_local_rules
}

t_handlers_module_reload() {
	with_serve module-reload
	! grep -q 'Input/output error' "$SERVE_LOG"
	grep -q '^mirrornet ' /proc/modules
}

# The module goes while the helper runs; the session writes the uptime at
# the start and at the end of its timed part into /tmp/handlers.mark.
t_handlers_no_module() {
	local rc=0 t0 t1 warned
	rm -f /tmp/handlers.mark
	with_serve no-module || rc=$?
	grep -q '^mirrornet ' /proc/modules || insmod "$MOD" || rc=1
	if [ "$rc" -eq 0 ]; then
		jq_true '.[0].flags | index("UP") != null' "$IP" -j link show nomod1 ||
			rc=1
	fi
	$IP link del nomod1 2>/dev/null
	[ "$rc" -eq 0 ] || return "$rc"
	{ read -r t0; read -r t1; } </tmp/handlers.mark
	t0=$(centis "$t0") t1=$(centis "$t1")
	# 17 requests, 10 of them needing the module: each answered at once,
	# where a wait for the module took 3.5 s each
	[ $((t1 - t0)) -lt 300 ] ||
		{ echo "the session took $((t1 - t0))0 ms"; serve_log; return 1; }
	warned=$(grep -c 'warning: mirrornet.ko is not loaded' "$SERVE_LOG")
	[ "$warned" = 1 ] ||
		{ echo "$warned warnings about the module"; serve_log; return 1; }
	grep -q 'nomodule.example' /etc/resolv.conf
}

run_handlers_tests() {
	run_test "CreateDeviceRequest again: eth0's local rules stay" t_handlers_create_again
	run_test "module reloaded under the helper: the next request works" t_handlers_module_reload
	run_test "module unloaded: what needs none works, the rest fails at once" t_handlers_no_module
}
