// SPDX-License-Identifier: GPL-2.0
/* KUnit: hardware-key parsing. */

#include <kunit/test.h>
#include <linux/etherdevice.h>

#include "../hwkey.h"
#include "fake_vmbus.h"

static void mn_hwkey_parse_test(struct kunit *test)
{
	static const uuid_t want = UUID_INIT(0x6f1c2a3b, 0x4d5e, 0x4f60, 0x81,
					     0x72, 0x93, 0xa4, 0xb5, 0xc6,
					     0xd7, 0xe8);
	const char *plain = "6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8";
	const char *braced = "{6F1C2A3B-4D5E-4F60-8172-93A4B5C6D7E8}";
	uuid_t got;

	KUNIT_EXPECT_TRUE(test, mn_hwkey_parse(plain, strlen(plain), &got));
	KUNIT_EXPECT_TRUE(test, uuid_equal(&got, &want));
	KUNIT_EXPECT_TRUE(test, mn_hwkey_parse(braced, strlen(braced), &got));
	KUNIT_EXPECT_TRUE(test, uuid_equal(&got, &want));
	KUNIT_EXPECT_FALSE(test, mn_hwkey_parse(braced, strlen(braced) - 1,
						&got));
	KUNIT_EXPECT_FALSE(test, mn_hwkey_parse("{}", 2, &got));
	KUNIT_EXPECT_FALSE(test, mn_hwkey_parse("lo", 2, &got));
}

static void mn_test_release(struct device *dev)
{
}

/*
 * The VMBus instance GUID is found in the parent chain: directly above the
 * netdev (netvsc) or further up (virtio-net behind a VMBus PCI bridge), and
 * it wins over the alias.
 */
static void mn_hwkey_of_netdev_test(struct kunit *test)
{
	static const char *guid = "11111111-2222-3333-4444-555555555555";
	struct device pci_dev = { .release = mn_test_release };
	const char *alias = "{6F1C2A3B-4D5E-4F60-8172-93A4B5C6D7E8}";
	struct device vmbus_dev = {};
	struct net_device *ndev;
	uuid_t want, got;
	bool stacked;

	mn_fake_vmbus_add(test, &vmbus_dev, guid);
	pci_dev.parent = &vmbus_dev;
	dev_set_name(&pci_dev, "pci7870:00");
	KUNIT_ASSERT_EQ(test, device_register(&pci_dev), 0);
	ndev = alloc_etherdev(0);
	KUNIT_ASSERT_NOT_NULL(test, ndev);

	KUNIT_EXPECT_FALSE(test, mn_hwkey_of_netdev(ndev, &got, &stacked));
	KUNIT_ASSERT_GT(test, dev_set_alias(ndev, alias, strlen(alias)), 0);
	KUNIT_EXPECT_TRUE(test, mn_hwkey_of_netdev(ndev, &got, &stacked));
	KUNIT_EXPECT_TRUE(test, mn_hwkey_parse(alias, strlen(alias), &want));
	KUNIT_EXPECT_TRUE(test, uuid_equal(&got, &want));
	KUNIT_EXPECT_FALSE(test, stacked);

	KUNIT_EXPECT_TRUE(test, mn_hwkey_parse(guid, strlen(guid), &want));
	SET_NETDEV_DEV(ndev, &vmbus_dev);
	KUNIT_EXPECT_TRUE(test, mn_hwkey_of_netdev(ndev, &got, &stacked));
	KUNIT_EXPECT_TRUE(test, uuid_equal(&got, &want));
	SET_NETDEV_DEV(ndev, &pci_dev);
	KUNIT_EXPECT_TRUE(test, mn_hwkey_of_netdev(ndev, &got, &stacked));
	KUNIT_EXPECT_TRUE(test, uuid_equal(&got, &want));

	/* Only unregistering frees an alias: clear it by hand. */
	dev_set_alias(ndev, "", 0);
	free_netdev(ndev);
	device_unregister(&pci_dev);
	mn_fake_vmbus_del(&vmbus_dev);
}

static struct kunit_case mn_hwkey_cases[] = {
	KUNIT_CASE(mn_hwkey_parse_test),
	KUNIT_CASE(mn_hwkey_of_netdev_test),
	{}
};

static struct kunit_suite mn_hwkey_suite = {
	.name = "mirrornet_hwkey",
	.test_cases = mn_hwkey_cases,
};

kunit_test_suite(mn_hwkey_suite);

MODULE_DESCRIPTION("KUnit tests of mirrornet");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
