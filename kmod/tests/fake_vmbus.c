// SPDX-License-Identifier: GPL-2.0
/* KUnit helper: a VMBus device on a bus named like Hyper-V's. */

#include "fake_vmbus.h"

/*
 * Of the type struct device points to its bus with: const where the device
 * core takes the bus const, not on 6.1, whose bus_register() writes to it.
 */
static typeof(*((struct device *)NULL)->bus) mn_fake_vmbus = {
	.name = "vmbus",
};

static void mn_fake_vmbus_release(struct device *dev)
{
}

/**
 * mn_fake_vmbus_add - register the bus and a device named by a GUID on it
 * @test: the test; it stops if registering fails
 * @dev: a zeroed device
 * @guid: its instance GUID, as VMBus names its devices
 */
void mn_fake_vmbus_add(struct kunit *test, struct device *dev,
		       const char *guid)
{
	KUNIT_ASSERT_EQ(test, bus_register(&mn_fake_vmbus), 0);
	dev->bus = &mn_fake_vmbus;
	dev->release = mn_fake_vmbus_release;
	dev_set_name(dev, "%s", guid);
	KUNIT_ASSERT_EQ(test, device_register(dev), 0);
}

/**
 * mn_fake_vmbus_del - unregister the device and the bus
 * @dev: the device mn_fake_vmbus_add() registered
 */
void mn_fake_vmbus_del(struct device *dev)
{
	device_unregister(dev);
	bus_unregister(&mn_fake_vmbus);
}
