# SPDX-License-Identifier: GPL-2.0
# make bench: one QEMU boot of Debian's 6.12 kernel measures the mirroring
# paths side by side and writes bench/results/latest.{json,md,svg}.
# Not part of make check: it prints numbers; it fails when the objects sent
# do not reach the kernel or the kernel reports a problem, never on a target.

BENCH_SRCS = bench/mnbench.c helper/decode.c helper/json.c $(GNS_LIB)

bench/mnbench: $(BENCH_SRCS) helper/decode.h helper/json.h $(GNS_LIB_HDRS) include/uapi/linux/mirrornet.h
	$(CC) $(USER_CFLAGS) -Ihelper -Ilib $(shell pkg-config --cflags libnl-genl-3.0 jansson) \
		-o $@ $(BENCH_SRCS) $(shell pkg-config --libs libnl-genl-3.0 jansson)

bench: bench/mnbench helper/mirrornet tools/host/mirrornet-host
	bench/run.sh

.PHONY: bench
