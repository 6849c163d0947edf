#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build and run the helper's cmocka unit tests under ASan and UBSan.
# The last line is "helper-unit: P passed, F failed" (cmocka test cases; a
# test binary that does not build, or fails outside a test, counts as one
# failure). Exit status is non-zero on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 1

CC=${CC:-cc}
CFLAGS="-std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
	-Ihelper -Ilib -Iinclude/uapi $(pkg-config --cflags cmocka)"
LIBS="$(pkg-config --libs cmocka) -pthread"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

passed=0
failed=0

# run NAME SOURCES...
run() {
	local name=$1 log="$out/$1.log" rc run ok
	shift
	# shellcheck disable=SC2086 # CFLAGS and LIBS are word lists
	if ! $CC $CFLAGS -o "$out/$name" "$@" $LIBS; then
		echo "$name: build failed"
		failed=$((failed + 1))
		return
	fi
	"$out/$name" >"$log" 2>&1
	rc=$?
	cat "$log"
	run=$(grep -c '^\[ RUN      \]' "$log")
	ok=$(grep -c '^\[       OK \]' "$log")
	passed=$((passed + ok))
	failed=$((failed + run - ok))
	# A leak or a crash after the last test still fails the run.
	if [ "$rc" -ne 0 ] && [ "$run" -eq "$ok" ]; then
		echo "$name: exit status $rc"
		failed=$((failed + 1))
	fi
}

# lib/gns's own tests are tests/lib
read -r -a decoder <<<"$(make -s --no-print-directory print-HELPER_DECODER_SRCS)"
run test_decode tests/helper/test_decode.c "${decoder[@]}"

echo "helper-unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
