# shellcheck shell=bash
# A suite on this machine that plays a host's session against the helper:
# the host simulator (gns-host), WSL's start of gns (mini-init, over a unix
# socket here) and the helper, built from the tree. Sourced after $top (the
# tree) and $out (the suite's output directory) are set; brings tests/tap.sh.
# shellcheck source-path=SCRIPTDIR source=../tap.sh
. "${BASH_SOURCE[0]%/*}/../tap.sh"

# hostsim_setup SUITE: a fresh $out with $gns_host and $mini_init built in
# it and $helper built in the tree; if one does not build, SUITE's verdict
# (a failure, the build's output) and exit
# shellcheck disable=SC2034 # the variables are the sourcing suite's
hostsim_setup() {
	local cflags=(-std=gnu11 -O2 -Wall -Wextra -Werror)
	gns_host=${out:?}/gns-host
	mini_init=$out/mini-init
	helper=${top:?}/helper/mirrornet
	rm -rf "$out"
	mkdir -p "$out"
	if ! {
		cc "${cflags[@]}" -I"$top/lib" -o "$gns_host" \
			"$top/tests/hostsim/gns-host.c" "$top"/lib/gns/*.c &&
			cc "${cflags[@]}" -o "$mini_init" "$top/tests/hostsim/mini-init.c" &&
			make -s -C "$top" helper
	} >"$out/build.log" 2>&1; then
		tap_result 1 "build gns-host, mini-init and the helper" "$out/build.log"
		tap_summary "$1"
		exit 1
	fi
}
