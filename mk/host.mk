# SPDX-License-Identifier: GPL-2.0
# The host mirroring engine (tools/host), DNS tunneling's host half
# included (a thread of its own: -pthread), and its tests (tests/host).

HOST_SRCS = $(wildcard tools/host/*.c) $(GNS_LIB)
HOST_HDRS = $(wildcard tools/host/*.h) $(GNS_LIB_HDRS)

host: tools/host/mirrornet-host

tools/host/mirrornet-host: $(HOST_SRCS) $(HOST_HDRS)
	$(CC) $(USER_CFLAGS) -Ilib $(shell $(PKG_CONFIG) --cflags jansson) \
		$(LDFLAGS) -o $@ $(HOST_SRCS) $(shell $(PKG_CONFIG) --libs jansson) -pthread

host-test:
	tests/host/run.sh

.PHONY: host host-test
