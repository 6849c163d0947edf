# SPDX-License-Identifier: GPL-2.0
# make bench: one QEMU boot of Debian's 6.12 kernel measures the mirroring
# paths side by side and writes bench/results/latest.{json,md,svg}.
# Not part of make check: it prints numbers; it fails when the objects sent
# do not reach the kernel or the kernel reports a problem, never on a target.

BENCH_SRCS = bench/mnbench.c $(HELPER_DECODER_SRCS)

bench/mnbench: $(BENCH_SRCS) helper/decode.h helper/json.h $(GNS_LIB_HDRS) include/uapi/linux/mirrornet.h
	$(CC) $(USER_CFLAGS) -Ihelper -Ilib $(shell pkg-config --cflags libnl-genl-3.0 jansson) \
		-o $@ $(BENCH_SRCS) $(shell pkg-config --libs libnl-genl-3.0 jansson)

bench: bench/mnbench helper/mirrornet tools/host/mirrornet-host
	bench/run.sh

.PHONY: bench

# make bench-decoders: the JSON decoders compared on the bench's payloads
# (bench/decoders.c), instructions per message counted by callgrind; the
# table of bench/README.rst. Bench-only: jsmn and json-c are not the helper's.
DECODERS_SRCS = bench/decoders.c $(HELPER_DECODER_SRCS)
DECODERS_N ?= 200

bench/decoders: $(DECODERS_SRCS) helper/decode.h helper/json.h $(GNS_LIB_HDRS)
	$(CC) $(USER_CFLAGS) -Ihelper -Ilib $(shell pkg-config --cflags jansson) \
		-o $@ $(DECODERS_SRCS) $(shell pkg-config --libs jansson)

# jansson and json-c share symbol names: json-c's candidate builds alone
bench/decoders-json-c: $(DECODERS_SRCS) helper/decode.h helper/json.h $(GNS_LIB_HDRS)
	$(CC) $(USER_CFLAGS) -DDECODERS_JSONC -Ihelper -Ilib \
		$(shell pkg-config --cflags json-c) -o $@ $(DECODERS_SRCS) \
		$(shell pkg-config --libs json-c)

bench-decoders: bench/decoders bench/decoders-json-c
	@bench/decoders-json-c strict | cut -c27- >bench/decoders.strict
	@bench/decoders strict | paste -d' ' - bench/decoders.strict
	@rm -f bench/decoders.strict
	@set -e; pays=$$(bench/decoders list | sed -n 2p); \
	printf '\n%-12s' 'instr/msg'; for p in $$pays; do printf ' %9s' $$p; done; echo; \
	for b in bench/decoders bench/decoders-json-c; do \
	for c in $$($$b list | sed -n 1p); do printf '%-12s' $$c; for p in $$pays; do \
		n=$$(valgrind --tool=callgrind --collect-atstart=no \
			--callgrind-out-file=/dev/null $$b run $$c $$p $(DECODERS_N) 2>&1 | \
			sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'); \
		printf ' %9d' $$((n / $(DECODERS_N))); done; echo; done; done

.PHONY: bench-decoders
