# SPDX-License-Identifier: GPL-2.0
# mirrornet: build the module and the test client, run every test.

KDIR ?= /lib/modules/$(shell uname -r)/build
CC ?= cc
PKG_CONFIG ?= pkg-config
NL_CFLAGS = $(shell $(PKG_CONFIG) --cflags libnl-genl-3.0)
NL_LIBS = $(shell $(PKG_CONFIG) --libs libnl-genl-3.0)
# CFLAGS, CPPFLAGS and LDFLAGS are the builder's (dpkg-buildflags' hardening);
# warnings are errors for developers (make check), not forced on packagers,
# who set WERROR= (debian/rules does).
CFLAGS ?= -O2 -g
WERROR ?= -Werror
USER_CFLAGS = -std=gnu11 -Wall -Wextra $(WERROR) -Iinclude/uapi $(CPPFLAGS) $(CFLAGS)
HELPER_PKGS = libnl-3.0 jansson libnftables libsystemd
# lib/gns: the wire formats every program compiles in (with -Ilib).
GNS_LIB = $(wildcard lib/gns/*.c)
GNS_LIB_HDRS = $(wildcard lib/gns/*.h)
HELPER_SRCS = $(wildcard helper/*.c) $(GNS_LIB)
# Parts of the helper that test suites and the bench build on their own.
# They read these lists (make -s print-NAME), so a new source file is named
# here once: the decoder; the DNS configuration (resolv.conf, resolved);
# everything the request handlers need, i.e. all but the programs' loops.
HELPER_DECODER_SRCS = helper/decode.c helper/json.c $(GNS_LIB)
HELPER_DNS_SRCS = $(HELPER_DECODER_SRCS) helper/resolv.c helper/resolved.c \
	helper/log.c
HELPER_HANDLER_SRCS = $(filter-out helper/main.c helper/serve.c helper/show.c \
	helper/tunnel.c helper/ready.c,$(HELPER_SRCS))
PREFIX ?= /usr/local

all: module helper client

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules

client: tests/client/mnctl

helper: helper/mirrornet

helper/mirrornet: $(HELPER_SRCS) $(wildcard helper/*.h) $(GNS_LIB_HDRS) \
		  include/uapi/linux/mirrornet.h
	$(CC) $(USER_CFLAGS) -Ilib $(shell $(PKG_CONFIG) --cflags $(HELPER_PKGS)) \
		$(LDFLAGS) -o $@ $(HELPER_SRCS) $(shell $(PKG_CONFIG) --libs $(HELPER_PKGS))

tests/client/mnctl: tests/client/mnctl.c include/uapi/linux/mirrornet.h
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) $(LDFLAGS) -o $@ $< $(NL_LIBS)

# The release the headers are for; Debian's 6.1 headers report the upstream
# version as kernelrelease, so read the one compiled into the kernel.
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	 $(KDIR)/include/generated/utsrelease.h)

install: install-module install-helper

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod KERNELRELEASE=$(KVER) \
		INSTALL_MOD_DIR=updates modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

# The helper alone, beside a module DKMS builds (make dkms-install).
install-helper: helper
	install -D -m 755 helper/mirrornet $(DESTDIR)$(PREFIX)/sbin/mirrornet

# Regenerate uapi header and kernel policies/ops from the YNL spec.
regen:
	scripts/ynl-regen.sh

# The main job: a VM boots, the module loads, a home network is mirrored.
demo:
	demo/run.sh

# A variable's value, for the test suites' scripts.
print-%:
	@echo $($*)

# Every test: installs what it needs first.
check:
	scripts/check.sh

# One fragment per concern (host engine, packaging, benchmark).
include $(sort $(wildcard mk/*.mk))

# The module's build outputs only where its kernel headers are (not in a
# package build).
clean:
	$(if $(wildcard $(KDIR)/Makefile),$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean)
	rm -f tests/client/mnctl helper/mirrornet tools/host/mirrornet-host bench/mnbench
	rm -rf build

.PHONY: all module helper client install install-module install-helper regen demo \
	check clean
