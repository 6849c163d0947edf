# SPDX-License-Identifier: GPL-2.0
# The YNL spec against the kernel's own ynl CLI (linux-source-6.12's
# tools/net/ynl) in QEMU on Debian's 6.12 and 6.1: --do, --dump and
# --subscribe against mirrornet.ko.
#
#   make ynl-test [YNL_KERNELS="6.12"]

YNL_KERNELS ?= 6.12 6.1

ynl-test:
	tests/ynl/run.sh $(YNL_KERNELS)

.PHONY: ynl-test
