#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the libFuzzer targets and run each for FUZZ_SECONDS (default 40),
# both at once, one per core. New inputs and crashes go to a temporary
# directory, never into the committed corpus; it is kept (and named) when a
# target fails. The last line is "fuzz: P passed, F failed", one per target.
set -u
cd "$(dirname "$0")/../.." || exit 1

CC=${FUZZ_CC:-clang}
secs=${FUZZ_SECONDS:-40}
targets="frame decode"
CFLAGS="-std=gnu11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-Ihelper -Ilib -Iinclude/uapi $(pkg-config --cflags jansson)"
LIBS=$(pkg-config --libs jansson)

read -r -a decoder <<<"$(make -s --no-print-directory print-HELPER_DECODER_SRCS)"
work=$(mktemp -d "${TMPDIR:-/tmp}/mirrornet-fuzz.XXXXXX")
passed=0
failed=0
declare -A pid

for t in $targets; do
	mkdir -p "$work/$t/new" "$work/$t/crash"
	# shellcheck disable=SC2086 # CFLAGS and LIBS are word lists
	if ! $CC $CFLAGS -o "$work/$t/fuzz_$t" "tests/fuzz/fuzz_$t.c" \
	     tests/fuzz/check.c "${decoder[@]}" $LIBS; then
		echo "fuzz_$t: build failed"
		continue
	fi
	# The first directory gets new inputs; the corpus is only read.
	"$work/$t/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 \
		-timeout=10 -max_len=8192 -dict=tests/fuzz/gns.dict \
		-artifact_prefix="$work/$t/crash/" -print_final_stats=1 \
		"$work/$t/new" "tests/fuzz/corpus/$t" >"$work/$t/log" 2>&1 &
	pid[$t]=$!
done

for t in $targets; do
	if [ -z "${pid[$t]:-}" ]; then
		failed=$((failed + 1))
	elif wait "${pid[$t]}"; then
		echo "fuzz_$t: ok, $(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' \
			"$work/$t/log" | sed 's/.*: //') runs in ${secs}s"
		passed=$((passed + 1))
	else
		echo "fuzz_$t: FAILED; log and crash input in $work/$t"
		tail -n 40 "$work/$t/log"
		failed=$((failed + 1))
	fi
done

[ "$failed" -eq 0 ] && rm -rf "$work"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
