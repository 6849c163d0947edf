/* SPDX-License-Identifier: GPL-2.0 */
/* KUnit helper: a VMBus device on a bus named like Hyper-V's. */
#ifndef _MIRRORNET_FAKE_VMBUS_H
#define _MIRRORNET_FAKE_VMBUS_H

#include <kunit/test.h>
#include <linux/device.h>

void mn_fake_vmbus_add(struct kunit *test, struct device *dev,
		       const char *guid);
void mn_fake_vmbus_del(struct device *dev);

#endif /* _MIRRORNET_FAKE_VMBUS_H */
