# SPDX-License-Identifier: GPL-2.0
# DKMS from the source tree, for a guest image built without the
# mirrornet-dkms package: the module's sources under /usr/src, then dkms
# add, build and install.
#
#   make dkms-install [DKMS_SOURCE_TREE=/usr/src] [DKMS_FLAGS="-k REL ..."]
#   make dkms-src [DKMS_SOURCE_TREE=/usr/src]   the sources only (debian/rules)
#   make -s version                              the version, as below

# debian/changelog is the one place the version is written: its first
# entry's, without epoch or Debian revision, as dh_dkms -V reads it.
MN_VERSION_SED = 1{s/^[^(]*(\([^)]*\)).*/\1/;s/^[0-9]*://;s/-[^-]*$$//;p;q}
MN_VERSION := $(shell sed -n '$(MN_VERSION_SED)' debian/changelog)
DKMS_SOURCE_TREE ?= /usr/src
DKMS_SRC_DIR = $(DKMS_SOURCE_TREE)/mirrornet-$(MN_VERSION)
# Passed to every dkms call: -k RELEASE (default: the running kernel), or
# --dkmstree/--sourcetree/--installtree for a private tree.
DKMS_FLAGS ?=
DKMS_MODULE = mirrornet/$(MN_VERSION)
# What the module's build reads (see kmod/Kbuild); *.mod.c is a build output.
DKMS_KMOD_FILES = $(filter-out %.mod.c,$(wildcard kmod/*.c)) \
		  $(wildcard kmod/*.h) kmod/Kbuild kmod/Makefile

version:
	$(if $(MN_VERSION),,$(error no version in debian/changelog))
	@echo $(MN_VERSION)

# The source tree DKMS builds from: kmod/, the uapi header beside it and
# dkms.conf with the version put in.
dkms-src:
	$(if $(MN_VERSION),,$(error no version in debian/changelog))
	rm -rf $(DKMS_SRC_DIR)
	install -d $(DKMS_SRC_DIR)/kmod $(DKMS_SRC_DIR)/include/uapi/linux
	sed 's/#MODULE_VERSION#/$(MN_VERSION)/' dkms.conf >$(DKMS_SRC_DIR)/dkms.conf
	chmod 644 $(DKMS_SRC_DIR)/dkms.conf
	install -m 644 $(DKMS_KMOD_FILES) $(DKMS_SRC_DIR)/kmod/
	install -m 644 include/uapi/linux/mirrornet.h \
		$(DKMS_SRC_DIR)/include/uapi/linux/

# add once; build and install again over an earlier run of the same version
dkms-install: dkms-src
	dkms status $(DKMS_FLAGS) $(DKMS_MODULE) | grep -q . || \
		dkms add $(DKMS_FLAGS) $(DKMS_MODULE)
	dkms build $(DKMS_FLAGS) --force $(DKMS_MODULE)
	dkms install $(DKMS_FLAGS) --force $(DKMS_MODULE)

.PHONY: version dkms-src dkms-install
