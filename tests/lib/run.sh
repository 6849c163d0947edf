#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build and run the unit tests of lib/gns (the GNS and DNS tunneling wire
# formats) under ASan and UBSan. One "ok - NAME" or "not ok - NAME" line per
# test case; the last line is "lib: P passed, F failed" (a test binary that
# does not build, or fails outside a test, counts as one failure). Exit
# status is non-zero on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 1

CC=${CC:-cc}
CFLAGS="-std=gnu11 -O1 -g -Wall -Wextra -Werror
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
	-Ilib $(pkg-config --cflags cmocka)"
LIBS="$(pkg-config --libs cmocka) -pthread"
GNS_LIB_SRCS=$(echo lib/gns/*.c)

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

passed=0
failed=0

# run NAME SOURCES...
run() {
	local name=$1 log="$out/$1.log" rc run ok
	shift
	# shellcheck disable=SC2086 # CFLAGS, LIBS and the sources are word lists
	if ! $CC $CFLAGS -o "$out/$name" "$@" $GNS_LIB_SRCS $LIBS; then
		echo "not ok - $name: build failed"
		failed=$((failed + 1))
		return
	fi
	"$out/$name" >"$log" 2>&1
	rc=$?
	sed -n -e "s/^\[       OK \] \(.*\)/ok - $name: \1/p" \
		-e "s/^\[  FAILED  \] \(test_.*\)/not ok - $name: \1/p" "$log" |
		awk '!seen[$0]++'
	run=$(grep -c '^\[ RUN      \]' "$log")
	ok=$(grep -c '^\[       OK \]' "$log")
	# the assertion messages and sanitizer reports, on failure
	if [ "$rc" -ne 0 ] || [ "$run" -ne "$ok" ]; then
		cat "$log"
	fi
	passed=$((passed + ok))
	failed=$((failed + run - ok))
	# A leak or a crash after the last test still fails the run.
	if [ "$rc" -ne 0 ] && [ "$run" -eq "$ok" ]; then
		echo "not ok - $name: exit status $rc"
		failed=$((failed + 1))
	fi
}

run test_wire tests/lib/test_wire.c
run test_dns tests/lib/test_dns.c

echo "lib: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
