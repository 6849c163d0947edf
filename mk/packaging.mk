# SPDX-License-Identifier: GPL-2.0
# Packaging for guest images (the module's sources for DKMS: mk/dkms.mk): the
# systemd unit, the gns wrapper (WSL's launch contract), the man page, the
# modules-load.d file, the files that keep networkd and NetworkManager off
# mirrornet's NICs, and examples (Documentation/packaging.rst). Nothing
# goes to /etc: removing the package leaves nothing behind.
#
#   make install-extras [DESTDIR=...] [PREFIX=/usr/local]

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

.PHONY: install-extras
