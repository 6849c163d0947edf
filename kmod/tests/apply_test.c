// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: in-kernel apply in the private netns the test module is loaded in,
 * on a netdev of the test's own; results are read back from the kernel's
 * tables, not from the goal state.
 */

#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/route.h>

#include "../apply.h"
#include "../hwkey.h"
#include "../reconcile.h"
#include "../state.h"
#include "fake_vmbus.h"

struct mn_apply_test {
	struct net_device *dev;
	struct mn_net *mn;
};

static netdev_tx_t mn_test_xmit(struct sk_buff *skb, struct net_device *dev)
{
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops mn_test_ops = {
	.ndo_start_xmit = mn_test_xmit,
};

/* Cases run in a kthread; suite_init runs in the (unshared) insmod task. */
static struct net *mn_test_net;

static int mn_apply_suite_init(struct kunit_suite *suite)
{
	mn_test_net = get_net(current->nsproxy->net_ns);
	return 0;
}

static void mn_apply_suite_exit(struct kunit_suite *suite)
{
	put_net(mn_test_net);
}

static int mn_apply_test_init(struct kunit *test)
{
	struct net *net = mn_test_net;
	struct mn_apply_test *t;
	int err;

	KUNIT_ASSERT_PTR_NE_MSG(test, net, &init_net, "not in a private netns");
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->dev = alloc_netdev(0, "mnt%d", NET_NAME_UNKNOWN, ether_setup);
	KUNIT_ASSERT_NOT_NULL(test, t->dev);
	t->dev->netdev_ops = &mn_test_ops;
	eth_hw_addr_random(t->dev);
	dev_net_set(t->dev, net);
	err = register_netdev(t->dev);
	if (err)
		free_netdev(t->dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	rtnl_lock();
	err = dev_open(t->dev, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	t->mn = mn_net_get(net);
	test->priv = t;
	return 0;
}

static void mn_apply_test_exit(struct kunit *test)
{
	struct mn_apply_test *t = test->priv;

	if (!t)
		return;
	unregister_netdev(t->dev);
	free_netdev(t->dev);
}

static const struct mn_addr mn_test_addr = {
	.family = AF_INET,
	.prefixlen = 24,
	.flags = MIRRORNET_ADDR_FLAGS_NOPREFIXROUTE,
	.preferred_lft = MN_LFT_FOREVER,
	.valid_lft = MN_LFT_FOREVER,
	.addr.s6_addr32[0] = cpu_to_be32(0xc000020a),	/* 192.0.2.10 */
};

/* The flags of 192.0.2.10/24 on the test device, or -1 if it is absent. */
static long mn_test_addr_flags(struct net_device *dev)
{
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	long flags = -1;

	rtnl_lock();
	in_dev = __in_dev_get_rtnl(dev);
	if (in_dev)
		in_dev_for_each_ifa_rtnl(ifa, in_dev)
			if (ifa->ifa_local == mn_test_addr.addr.s6_addr32[0] &&
			    ifa->ifa_prefixlen == 24)
				flags = ifa->ifa_flags;
	rtnl_unlock();
	return flags;
}

/* The device the kernel routes 198.51.100.1 through, if any. */
static int mn_test_route_ifindex(struct net *net)
{
	struct flowi4 fl4 = { .daddr = cpu_to_be32(0xc6336401) };
	struct rtable *rt = ip_route_output_key(net, &fl4);
	int ifindex;

	if (IS_ERR(rt))
		return 0;
	ifindex = rt->dst.dev->ifindex;
	ip_rt_put(rt);
	return ifindex;
}

static void mn_apply_addr_test(struct kunit *test)
{
	struct mn_apply_test *t = test->priv;
	struct mn_kerr kerr;
	long flags;
	int err;

	mn_lock(t->mn);
	err = mn_apply_addr(t->mn, t->dev->ifindex, &mn_test_addr, MN_OP_ADD,
			    &kerr);
	KUNIT_EXPECT_EQ(test, err, 0);
	flags = mn_test_addr_flags(t->dev);
	KUNIT_EXPECT_GE(test, flags, 0);
	KUNIT_EXPECT_TRUE(test, flags & IFA_F_NOPREFIXROUTE);
	err = mn_apply_addr(t->mn, t->dev->ifindex, &mn_test_addr, MN_OP_ADD,
			    &kerr);
	KUNIT_EXPECT_EQ(test, err, -EEXIST);
	err = mn_apply_addr(t->mn, t->dev->ifindex, &mn_test_addr, MN_OP_DEL,
			    &kerr);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, mn_test_addr_flags(t->dev), -1);
	mn_unlock(t->mn);
}

static void mn_apply_route_test(struct kunit *test)
{
	struct mn_apply_test *t = test->priv;
	struct net *net = dev_net(t->dev);
	struct mn_route r = {
		.key.family = AF_INET,
		.key.dst_len = 24,
		.key.table = RT_TABLE_MAIN,
		.key.metric = 5,
		.key.dst.s6_addr32[0] = cpu_to_be32(0xc6336400),
		.type = RTN_UNICAST,
	};
	struct mn_kerr kerr = {};
	int err;

	mn_lock(t->mn);
	err = mn_apply_route(t->mn, t->dev->ifindex, &r, MN_OP_ADD, &kerr);
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s", kerr.msg);
	KUNIT_EXPECT_EQ(test, mn_test_route_ifindex(net), t->dev->ifindex);
	r.key.dst.s6_addr32[0] = cpu_to_be32(0xc6336401);
	err = mn_apply_route(t->mn, t->dev->ifindex, &r, MN_OP_ADD, &kerr);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_STRNEQ(test, kerr.msg, "");
	mn_unlock(t->mn);
}

/* A link flap flushes the route; reapplying restores exactly that. */
static void mn_reapply_test(struct kunit *test)
{
	struct mn_apply_test *t = test->priv;
	struct net *net = dev_net(t->dev);
	struct mn_iface *iface;
	struct mn_route *r;

	mn_lock(t->mn);
	iface = mn_iface_get(t->mn, t->dev->ifindex, NULL);
	KUNIT_ASSERT_NOT_NULL(test, iface);
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->key.iface = iface;
	r->key.family = AF_INET;
	r->key.dst_len = 24;
	r->key.table = RT_TABLE_MAIN;
	r->key.dst.s6_addr32[0] = cpu_to_be32(0xc6336400);
	r->type = RTN_UNICAST;
	KUNIT_ASSERT_EQ(test, mn_route_insert(t->mn, iface, r), 0);
	mn_iface_reapply(t->mn, iface);
	KUNIT_EXPECT_EQ(test, iface->repairs, 1);
	mn_iface_reapply(t->mn, iface);
	KUNIT_EXPECT_EQ(test, iface->repairs, 1);
	mn_unlock(t->mn);

	rtnl_lock();
	dev_close(t->dev);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, mn_test_route_ifindex(net), 0);
	rtnl_lock();
	KUNIT_ASSERT_EQ(test, dev_open(t->dev, NULL), 0);
	rtnl_unlock();

	/* mn_lock processes the queued NETDEV_UP: the route comes back. */
	mn_lock(t->mn);
	KUNIT_EXPECT_EQ(test, iface->repairs, 2);
	KUNIT_EXPECT_EQ(test, mn_test_route_ifindex(net), t->dev->ifindex);
	mn_iface_free(t->mn, iface);
	mn_unlock(t->mn);
}

/*
 * State held for a hardware key is applied when a netdev with that VMBus
 * parent registers: link first, then addresses and routes.
 */
static void mn_held_register_test(struct kunit *test)
{
	static const char *guid = "6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8";
	struct mn_apply_test *t = test->priv;
	struct mn_route *r, key_route = {};
	struct device vmbus_dev = {};
	struct net_device *ndev;
	struct mn_iface *iface;
	struct mn_addr *a;
	uuid_t key;

	KUNIT_ASSERT_TRUE(test, mn_hwkey_parse(guid, strlen(guid), &key));
	mn_lock(t->mn);
	iface = mn_iface_get(t->mn, 0, &key);
	KUNIT_ASSERT_NOT_NULL(test, iface);
	iface->link.has_admin = 1;
	iface->link.admin_up = 1;
	a = kmemdup(&mn_test_addr, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	list_add_tail(&a->node, &iface->addrs);
	key_route.key.iface = iface;
	key_route.key.family = AF_INET;
	key_route.key.dst_len = 24;
	key_route.key.table = RT_TABLE_MAIN;
	key_route.key.dst.s6_addr32[0] = cpu_to_be32(0xc6336400);
	key_route.type = RTN_UNICAST;
	r = kmemdup(&key_route, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ(test, mn_route_insert(t->mn, iface, r), 0);
	mn_unlock(t->mn);

	mn_fake_vmbus_add(test, &vmbus_dev, guid);
	ndev = alloc_netdev(0, "mnh%d", NET_NAME_UNKNOWN, ether_setup);
	KUNIT_ASSERT_NOT_NULL(test, ndev);
	ndev->netdev_ops = &mn_test_ops;
	eth_hw_addr_random(ndev);
	dev_net_set(ndev, dev_net(t->dev));
	SET_NETDEV_DEV(ndev, &vmbus_dev);
	KUNIT_ASSERT_EQ(test, register_netdev(ndev), 0);

	/* mn_lock processes the queued NETDEV_REGISTER. */
	mn_lock(t->mn);
	KUNIT_EXPECT_EQ(test, iface->ifindex, ndev->ifindex);
	KUNIT_EXPECT_TRUE(test, ndev->flags & IFF_UP);
	KUNIT_EXPECT_GE(test, mn_test_addr_flags(ndev), 0);
	KUNIT_EXPECT_EQ(test, mn_test_route_ifindex(dev_net(ndev)),
			ndev->ifindex);
	KUNIT_EXPECT_EQ(test, iface->repairs, 2);
	mn_unlock(t->mn);

	/* Unregistering drops the state. */
	unregister_netdev(ndev);
	free_netdev(ndev);
	mn_lock(t->mn);
	KUNIT_EXPECT_NULL(test, mn_iface_find(t->mn, 0, &key));
	mn_unlock(t->mn);
	mn_fake_vmbus_del(&vmbus_dev);
}

static struct kunit_case mn_apply_cases[] = {
	KUNIT_CASE(mn_apply_addr_test),
	KUNIT_CASE(mn_apply_route_test),
	KUNIT_CASE(mn_reapply_test),
	KUNIT_CASE(mn_held_register_test),
	{}
};

static struct kunit_suite mn_apply_suite = {
	.name = "mirrornet_apply",
	.suite_init = mn_apply_suite_init,
	.suite_exit = mn_apply_suite_exit,
	.init = mn_apply_test_init,
	.exit = mn_apply_test_exit,
	.test_cases = mn_apply_cases,
};

kunit_test_suite(mn_apply_suite);
