# SPDX-License-Identifier: GPL-2.0
# Packaging for guest images: the systemd unit, the gns wrapper (WSL's
# launch contract), the man page and the modules-load.d/modprobe.d files
# (the module's sources for DKMS: mk/dkms.mk).
#
#   make install-extras [DESTDIR=...] [PREFIX=/usr/local]

SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
MODULES_LOAD_DIR ?= $(PREFIX)/lib/modules-load.d
MODPROBE_DIR ?= /etc/modprobe.d
MANDIR ?= $(PREFIX)/share/man
# Where the gns wrapper goes: a guest image links or copies it to where its
# init starts gns.
LIBEXEC_DIR ?= $(PREFIX)/lib/mirrornet

install-extras:
	install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	sed 's|@sbindir@|$(PREFIX)/sbin|g' packaging/mirrornet.service.in \
		>$(DESTDIR)$(SYSTEMD_UNIT_DIR)/mirrornet.service
	chmod 644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/mirrornet.service
	install -d $(DESTDIR)$(LIBEXEC_DIR)
	sed 's|@sbindir@|$(PREFIX)/sbin|g' packaging/gns.in >$(DESTDIR)$(LIBEXEC_DIR)/gns
	chmod 755 $(DESTDIR)$(LIBEXEC_DIR)/gns
	install -D -m 644 Documentation/mirrornet.8 $(DESTDIR)$(MANDIR)/man8/mirrornet.8
	install -D -m 644 packaging/modules-load.d/mirrornet.conf \
		$(DESTDIR)$(MODULES_LOAD_DIR)/mirrornet.conf
	install -D -m 644 packaging/modprobe.d/mirrornet.conf \
		$(DESTDIR)$(MODPROBE_DIR)/mirrornet.conf

.PHONY: install-extras
