# SPDX-License-Identifier: GPL-2.0
# Packaging for guest images: the module's sources for DKMS, the systemd
# unit, the gns wrapper (WSL's launch contract), the man page, the
# modules-load.d file, the files that keep networkd and NetworkManager off
# mirrornet's NICs, and examples (Documentation/packaging.rst). Nothing
# goes to /etc: removing the package leaves nothing behind.
#
#   make dkms-install [DKMS_SOURCE_TREE=/usr/src] [DKMS_FLAGS="-k REL ..."]
#   make install-extras [DESTDIR=...] [PREFIX=/usr/local]

# dkms.conf is the one place the version is written.
MN_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
DKMS_SOURCE_TREE ?= /usr/src
DKMS_SRC_DIR = $(DKMS_SOURCE_TREE)/mirrornet-$(MN_VERSION)
# Passed to every dkms call: -k RELEASE (default: the running kernel), or
# --dkmstree/--sourcetree/--installtree for a private tree.
DKMS_FLAGS ?=
DKMS_MODULE = mirrornet/$(MN_VERSION)
# What the module's build reads (see kmod/Kbuild); *.mod.c is a build output.
DKMS_KMOD_FILES = $(filter-out %.mod.c,$(wildcard kmod/*.c)) \
		  $(wildcard kmod/*.h) kmod/Kbuild kmod/Makefile

SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
MODULES_LOAD_DIR ?= $(PREFIX)/lib/modules-load.d
UDEV_RULES_DIR ?= $(PREFIX)/lib/udev/rules.d
NETWORKD_DIR ?= $(PREFIX)/lib/systemd/network
NM_CONF_DIR ?= $(PREFIX)/lib/NetworkManager/conf.d
MANDIR ?= $(PREFIX)/share/man
EXAMPLES_DIR ?= $(PREFIX)/share/doc/mirrornet/examples
# Where the gns wrapper goes: a guest image links or copies it to where its
# init starts gns.
LIBEXEC_DIR ?= $(PREFIX)/lib/mirrornet

# The source tree DKMS builds from: kmod/ and the uapi header beside it.
dkms-src:
	$(if $(MN_VERSION),,$(error no PACKAGE_VERSION in dkms.conf))
	rm -rf $(DKMS_SRC_DIR)
	install -d $(DKMS_SRC_DIR)/kmod $(DKMS_SRC_DIR)/include/uapi/linux
	install -m 644 dkms.conf $(DKMS_SRC_DIR)/
	install -m 644 $(DKMS_KMOD_FILES) $(DKMS_SRC_DIR)/kmod/
	install -m 644 include/uapi/linux/mirrornet.h \
		$(DKMS_SRC_DIR)/include/uapi/linux/

# add once; build and install again over an earlier run of the same version
dkms-install: dkms-src
	dkms status $(DKMS_FLAGS) $(DKMS_MODULE) | grep -q . || \
		dkms add $(DKMS_FLAGS) $(DKMS_MODULE)
	dkms build $(DKMS_FLAGS) --force $(DKMS_MODULE)
	dkms install $(DKMS_FLAGS) --force $(DKMS_MODULE)

install-extras:
	install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	sed 's|@sbindir@|$(PREFIX)/sbin|g' packaging/mirrornet.service.in \
		>$(DESTDIR)$(SYSTEMD_UNIT_DIR)/mirrornet.service
	chmod 644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/mirrornet.service
	install -D -m 644 packaging/systemd/networkd-wait-online.conf \
		$(DESTDIR)$(SYSTEMD_UNIT_DIR)/systemd-networkd-wait-online.service.d/50-mirrornet.conf
	install -d $(DESTDIR)$(LIBEXEC_DIR)
	sed 's|@sbindir@|$(PREFIX)/sbin|g' packaging/gns.in >$(DESTDIR)$(LIBEXEC_DIR)/gns
	chmod 755 $(DESTDIR)$(LIBEXEC_DIR)/gns
	install -D -m 644 Documentation/mirrornet.8 $(DESTDIR)$(MANDIR)/man8/mirrornet.8
	install -D -m 644 packaging/modules-load.d/mirrornet.conf \
		$(DESTDIR)$(MODULES_LOAD_DIR)/mirrornet.conf
	install -D -m 644 packaging/udev/90-mirrornet.rules \
		$(DESTDIR)$(UDEV_RULES_DIR)/90-mirrornet.rules
	install -D -m 644 packaging/network/05-mirrornet.network \
		$(DESTDIR)$(NETWORKD_DIR)/05-mirrornet.network
	install -D -m 644 packaging/NetworkManager/90-mirrornet.conf \
		$(DESTDIR)$(NM_CONF_DIR)/90-mirrornet.conf
	install -D -m 644 packaging/modprobe.d/mirrornet.conf \
		$(DESTDIR)$(EXAMPLES_DIR)/modprobe.d/mirrornet.conf
	install -D -m 644 packaging/default/mirrornet \
		$(DESTDIR)$(EXAMPLES_DIR)/default/mirrornet

.PHONY: dkms-src dkms-install install-extras
