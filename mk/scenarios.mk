# SPDX-License-Identifier: GPL-2.0
# The scenario library (tests/scenarios): every timeline end to end in
# QEMU on Debian's 6.1 and 6.12, played by the host engine.
# make scenarios [SCENARIOS=home,link-flap] [SCENARIO_KERNELS=6.1]

SCENARIO_KERNELS ?= 6.1 6.12

scenarios:
	MN_SCENARIOS=$(SCENARIOS) tests/scenarios/run.sh $(SCENARIO_KERNELS)

.PHONY: scenarios
