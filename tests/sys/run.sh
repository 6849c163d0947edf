#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of the helper's sysctl, resolv.conf, nftables and probe
# code, and of its request handlers without mirrornet.ko, which this
# machine has not (tests/sys/test_sys.c). Needs root: the test binary makes its own
# network and mount namespace, so nothing reaches the machine's own.
# The last line is "helper-sys: P passed, F failed".
set -u

cd "$(dirname "$0")/../.." || exit 1
CC=${CC:-cc}
out=$(mktemp -d /tmp/mirrornet-sys-build.XXXXXX) || exit 1
trap 'rm -rf "$out"' EXIT

summary() {
	echo "helper-sys: $1 passed, $2 failed"
	[ "$2" -eq 0 ]
	exit
}

flags=$(pkg-config --cflags --libs jansson libnftables libnl-genl-3.0 libsystemd \
	cmocka) ||
	summary 0 1
# shellcheck disable=SC2046,SC2086 # word lists
if ! $CC -std=gnu11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	-Ihelper -Ilib -Iinclude/uapi \
	$(make -s --no-print-directory print-HELPER_HANDLER_SRCS) tests/sys/test_sys.c $flags \
	-o "$out/test_sys"; then
	echo "build failed"
	summary 0 1
fi

# UBSan findings are failures, not just messages.
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$out/test_sys" >"$out/log" 2>&1
rc=$?
cat "$out/log"

planned=$(sed -n 's/^helper-sys: \([0-9]*\) test(s) planned$/\1/p' "$out/log")
passed=$(grep -c '^\[       OK \]' "$out/log")
failed=$(( ${planned:-1} - passed ))
# a crash or leak report after the last test still fails the run
if [ "$rc" -ne 0 ] && [ "$failed" -le 0 ]; then
	failed=1
fi
summary "$passed" "$failed"
