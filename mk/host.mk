# SPDX-License-Identifier: GPL-2.0
# The host mirroring engine (tools/host) and its tests (tests/host).

HOST_SRCS = $(wildcard tools/host/*.c) helper/gns.c
HOST_HDRS = $(wildcard tools/host/*.h) helper/gns.h

host: tools/host/mirrornet-host

tools/host/mirrornet-host: $(HOST_SRCS) $(HOST_HDRS)
	$(CC) $(USER_CFLAGS) -Ihelper $(shell pkg-config --cflags jansson) \
		-o $@ $(HOST_SRCS) $(shell pkg-config --libs jansson)

host-test:
	tests/host/run.sh

.PHONY: host host-test
