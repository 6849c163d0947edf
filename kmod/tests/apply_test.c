// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: in-kernel apply in the private netns the test module is loaded in,
 * on a netdev of the test's own; results are read back from the kernel's
 * tables, not from the goal state.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/fs.h>
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/ip_fib.h>
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

/* Cases run in a kthread; suite_init runs in the (unshared) insmod task. */
static struct net *mn_test_net;
/* The namespace's state before any case ran: none, it is created lazily. */
static struct mn_net *mn_test_state_before;
/* A keyed netdev registered before the namespace had state. */
static struct net_device *mn_test_early_dev;
static const char *mn_test_early_key = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
/* net.ipv6.conf.all.disable_ipv6 of the private netns (opened there). */
static struct file *mn_test_disable_ipv6;

static netdev_tx_t mn_test_xmit(struct sk_buff *skb, struct net_device *dev);

static const struct net_device_ops mn_test_ops = {
	.ndo_start_xmit = mn_test_xmit,
};

static struct net_device *mn_test_netdev(struct net *net, const char *name)
{
	struct net_device *dev;

	dev = alloc_netdev(0, name, NET_NAME_UNKNOWN, ether_setup);
	if (!dev)
		return NULL;
	dev->netdev_ops = &mn_test_ops;
	eth_hw_addr_random(dev);
	dev_net_set(dev, net);
	return dev;
}

static int mn_apply_suite_init(struct kunit_suite *suite)
{
	int err;

	mn_test_net = get_net(current->nsproxy->net_ns);
	mn_test_state_before = mn_net_get(mn_test_net);
	mn_test_disable_ipv6 = filp_open("/proc/sys/net/ipv6/conf/all/disable_ipv6",
					 O_WRONLY, 0);
	mn_test_early_dev = mn_test_netdev(mn_test_net, "mne%d");
	if (!mn_test_early_dev)
		return -ENOMEM;
	err = dev_set_alias(mn_test_early_dev, mn_test_early_key,
			    strlen(mn_test_early_key));
	if (err >= 0)
		err = register_netdev(mn_test_early_dev);
	if (err < 0) {
		dev_set_alias(mn_test_early_dev, "", 0);
		free_netdev(mn_test_early_dev);
		mn_test_early_dev = NULL;
		return err;
	}
	return 0;
}

static void mn_apply_suite_exit(struct kunit_suite *suite)
{
	if (mn_test_early_dev) {
		unregister_netdev(mn_test_early_dev);
		free_netdev(mn_test_early_dev);
	}
	if (!IS_ERR(mn_test_disable_ipv6))
		filp_close(mn_test_disable_ipv6, NULL);
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
	t->dev = mn_test_netdev(net, "mnt%d");
	KUNIT_ASSERT_NOT_NULL(test, t->dev);
	err = register_netdev(t->dev);
	if (err)
		free_netdev(t->dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	rtnl_lock();
	err = dev_open(t->dev, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	t->mn = mn_net_get_or_create(net);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->mn));
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

/* The protocol of the route the kernel takes to 198.51.100.1, or -1. */
static int mn_test_route_protocol(struct net *net)
{
	struct flowi4 fl4 = { .daddr = cpu_to_be32(0xc6336401) };
	struct fib_result res;
	int proto = -1;

	rcu_read_lock();
	if (!fib_lookup(net, &fl4, &res, 0) && res.fi)
		proto = res.fi->fib_protocol;
	rcu_read_unlock();
	return proto;
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
	/* As WSL's: route daemons leave proto kernel routes alone. */
	KUNIT_EXPECT_EQ(test, mn_test_route_protocol(net), RTPROT_KERNEL);
	r.key.dst.s6_addr32[0] = cpu_to_be32(0xc6336401);
	err = mn_apply_route(t->mn, t->dev->ifindex, &r, MN_OP_ADD, &kerr);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_STRNEQ(test, kerr.msg, "");
	mn_unlock(t->mn);
}

/*
 * WSL's order: the link comes up before the MTU is set, so an MTU the
 * device refuses (the host's 4294967295 for "none known" among them)
 * leaves it up, and only the MTU is reported refused.
 */
static void mn_apply_link_order_test(struct kunit *test)
{
	static const u32 mtus[] = { 0xffffffffU, ETH_MAX_MTU + 1 };
	struct mn_apply_test *t = test->priv;
	struct net_device *dev = t->dev;
	unsigned int mtu = dev->mtu;
	bool refused;
	int i;

	mn_lock(t->mn);
	for (i = 0; i < ARRAY_SIZE(mtus); i++) {
		struct mn_link link = {
			.has_admin = 1, .admin_up = 1,
			.has_mtu = 1, .mtu = mtus[i],
		};

		rtnl_lock();
		KUNIT_EXPECT_EQ(test, dev_change_flags(dev, 0, NULL), 0);
		rtnl_unlock();
		KUNIT_EXPECT_FALSE(test, dev->flags & IFF_UP);
		KUNIT_EXPECT_EQ(test, mn_apply_link(t->mn, dev->ifindex, &link,
						    &refused, NULL), -EINVAL);
		KUNIT_EXPECT_TRUE(test, refused);
		KUNIT_EXPECT_TRUE(test, dev->flags & IFF_UP);
		KUNIT_EXPECT_EQ(test, dev->mtu, mtu);
	}
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
	iface = mn_iface_get(t->mn, t->dev->ifindex, NULL, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, iface);
	r = kzalloc_obj(*r, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
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

	/* The worker repairs on NETDEV_UP; mn_lock waits for it. */
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
	int ndev_ifindex_gone;
	struct mn_addr *a;
	uuid_t key;

	KUNIT_ASSERT_TRUE(test, mn_hwkey_parse(guid, strlen(guid), &key));
	mn_lock(t->mn);
	iface = mn_iface_get(t->mn, 0, &key, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, iface);
	iface->link.has_admin = 1;
	iface->link.admin_up = 1;
	a = mn_addr_add(t->mn, iface, &mn_test_addr, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
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
	ndev = mn_test_netdev(dev_net(t->dev), "mnh%d");
	KUNIT_ASSERT_NOT_NULL(test, ndev);
	SET_NETDEV_DEV(ndev, &vmbus_dev);
	KUNIT_ASSERT_EQ(test, register_netdev(ndev), 0);
	ndev_ifindex_gone = ndev->ifindex;

	/* The worker binds on NETDEV_REGISTER; mn_lock waits for it. */
	mn_lock(t->mn);
	KUNIT_EXPECT_EQ(test, iface->ifindex, ndev->ifindex);
	KUNIT_EXPECT_TRUE(test, ndev->flags & IFF_UP);
	KUNIT_EXPECT_GE(test, mn_test_addr_flags(ndev), 0);
	KUNIT_EXPECT_EQ(test, mn_test_route_ifindex(dev_net(ndev)),
			ndev->ifindex);
	KUNIT_EXPECT_EQ(test, iface->repairs, 2);
	mn_unlock(t->mn);

	/* Unregistering hands the state back to held state... */
	unregister_netdev(ndev);
	free_netdev(ndev);
	mn_lock(t->mn);
	KUNIT_EXPECT_PTR_EQ(test, mn_iface_find(t->mn, 0, &key), iface);
	KUNIT_EXPECT_EQ(test, iface->ifindex, 0);
	KUNIT_EXPECT_NULL(test, mn_hwkey_of_ifindex(t->mn, ndev_ifindex_gone));
	mn_unlock(t->mn);

	/* ...which a NIC with that key, registering again, gets back. */
	ndev = mn_test_netdev(dev_net(t->dev), "mnh%d");
	KUNIT_ASSERT_NOT_NULL(test, ndev);
	SET_NETDEV_DEV(ndev, &vmbus_dev);
	KUNIT_ASSERT_EQ(test, register_netdev(ndev), 0);
	mn_lock(t->mn);
	KUNIT_EXPECT_EQ(test, iface->ifindex, ndev->ifindex);
	KUNIT_EXPECT_GE(test, mn_test_addr_flags(ndev), 0);
	mn_iface_free(t->mn, iface);
	mn_unlock(t->mn);
	unregister_netdev(ndev);
	free_netdev(ndev);
	mn_fake_vmbus_del(&vmbus_dev);
}

/*
 * The namespace had no state until the first case asked for it; netdev
 * events before that were dropped, and the resync that creation schedules
 * indexed the keyed netdev that was already there.
 */
static void mn_lazy_state_test(struct kunit *test)
{
	struct mn_apply_test *t = test->priv;
	uuid_t key;

	KUNIT_EXPECT_NULL(test, mn_test_state_before);
	KUNIT_EXPECT_NULL(test, mn_net_get(&init_net));
	KUNIT_EXPECT_PTR_EQ(test, mn_net_get(mn_test_net), t->mn);
	KUNIT_EXPECT_PTR_EQ(test, mn_net_get_or_create(mn_test_net), t->mn);
	KUNIT_ASSERT_NOT_NULL(test, mn_test_early_dev);
	KUNIT_ASSERT_TRUE(test, mn_hwkey_parse(mn_test_early_key,
					       strlen(mn_test_early_key),
					       &key));
	mn_lock(t->mn);
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(t->mn, &key),
			mn_test_early_dev->ifindex);
	mn_unlock(t->mn);
}

/* A keyed netdev with held state of its own, and its key. */
static struct net_device *mn_test_keyed(struct kunit *test,
					struct mn_apply_test *t,
					const char *alias, uuid_t *key,
					struct mn_iface **ifacep)
{
	struct net_device *dev;
	struct mn_addr *a;

	KUNIT_ASSERT_TRUE(test, mn_hwkey_parse(alias, strlen(alias), key));
	mn_lock(t->mn);
	*ifacep = mn_iface_get(t->mn, 0, key, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, *ifacep);
	a = mn_addr_add(t->mn, *ifacep, &mn_test_addr, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	mn_unlock(t->mn);

	dev = mn_test_netdev(dev_net(t->dev), "mnk%d");
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_GT(test, dev_set_alias(dev, alias, strlen(alias)), 0);
	KUNIT_ASSERT_EQ(test, register_netdev(dev), 0);
	return dev;
}

/*
 * A NETDEV_UNREGISTER the notifier could not queue: the resync finds the
 * netdev gone, hands the keyed state back to held state, drops the state
 * of the interface without a key, and forgets the key of the ifindex.
 */
static void mn_lost_event_resync_test(struct kunit *test)
{
	struct mn_apply_test *t = test->priv;
	struct mn_iface *keyed, *plain;
	struct net_device *kdev, *pdev;
	int kidx, pidx;
	uuid_t key;

	kdev = mn_test_keyed(test, t, "{5a5a5a5a-1111-4222-8333-444455556666}",
			     &key, &keyed);
	pdev = mn_test_netdev(dev_net(t->dev), "mnp%d");
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	KUNIT_ASSERT_EQ(test, register_netdev(pdev), 0);
	kidx = kdev->ifindex;
	pidx = pdev->ifindex;
	mn_lock(t->mn);
	KUNIT_EXPECT_EQ(test, keyed->ifindex, kidx);
	plain = mn_iface_get(t->mn, pidx, NULL, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, plain);
	plain->link.has_admin = 1;	/* not empty */
	mn_unlock(t->mn);

	WRITE_ONCE(mn_test_lose_events, true);
	unregister_netdev(kdev);
	unregister_netdev(pdev);
	WRITE_ONCE(mn_test_lose_events, false);
	free_netdev(kdev);
	free_netdev(pdev);

	mn_lock(t->mn);
	KUNIT_EXPECT_PTR_EQ(test, mn_iface_find(t->mn, 0, &key), keyed);
	KUNIT_EXPECT_EQ(test, keyed->ifindex, 0);
	KUNIT_EXPECT_NULL(test, mn_hwkey_of_ifindex(t->mn, kidx));
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(t->mn, &key), 0);
	KUNIT_EXPECT_NULL(test, mn_iface_find(t->mn, pidx, NULL));
	mn_iface_free(t->mn, keyed);
	mn_unlock(t->mn);
}

/*
 * An alias set on a link that stays down raises no event: a request for
 * the key finds the netdev, and the worker gives it the held state.
 */
static void mn_alias_down_link_test(struct kunit *test)
{
	static const char *alias = "7e7e7e7e-aaaa-4bbb-8ccc-dddddddddddd";
	struct mn_apply_test *t = test->priv;
	struct net_device *dev;
	struct mn_iface *iface;
	struct mn_addr *a;
	uuid_t key;

	KUNIT_ASSERT_TRUE(test, mn_hwkey_parse(alias, strlen(alias), &key));
	dev = mn_test_netdev(dev_net(t->dev), "mnd%d");
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, register_netdev(dev), 0);
	mn_lock(t->mn);
	iface = mn_iface_get(t->mn, 0, &key, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, iface);
	a = mn_addr_add(t->mn, iface, &mn_test_addr, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	mn_unlock(t->mn);

	KUNIT_ASSERT_GT(test, dev_set_alias(dev, alias, strlen(alias)), 0);
	mn_lock(t->mn);
	KUNIT_EXPECT_EQ(test, iface->ifindex, 0);
	mn_unlock(t->mn);

	mn_lock_hwkey(t->mn, &key);
	KUNIT_EXPECT_EQ(test, iface->ifindex, dev->ifindex);
	KUNIT_EXPECT_FALSE(test, dev->flags & IFF_UP);
	KUNIT_EXPECT_GE(test, mn_test_addr_flags(dev), 0);
	mn_iface_free(t->mn, iface);
	mn_unlock(t->mn);
	unregister_netdev(dev);
	free_netdev(dev);
}

static const struct mn_addr mn_test_addr6 = {
	.family = AF_INET6,
	.prefixlen = 64,
	.flags = MIRRORNET_ADDR_FLAGS_NODAD,
	.preferred_lft = MN_LFT_FOREVER,
	.valid_lft = MN_LFT_FOREVER,
	.addr.s6_addr32 = { cpu_to_be32(0x20010db8), 0, 0, cpu_to_be32(10) },
};

/* Whether 2001:db8::10 is on @dev. */
static bool mn_test_addr6_present(struct net_device *dev)
{
	const struct inet6_ifaddr *ifp;
	struct inet6_dev *idev;
	bool found = false;

	rtnl_lock();
	idev = __in6_dev_get(dev);
	if (idev) {
		read_lock_bh(&idev->lock);
		list_for_each_entry(ifp, &idev->addr_list, if_list)
			if (ipv6_addr_equal(&ifp->addr, &mn_test_addr6.addr))
				found = true;
		read_unlock_bh(&idev->lock);
	}
	rtnl_unlock();
	return found;
}

/* The test device tracked with 2001:db8::10/64 in its goal state, applied. */
static struct mn_iface *mn_test_iface6(struct kunit *test,
				       struct mn_apply_test *t)
{
	struct mn_iface *iface;
	struct mn_addr *a;

	mn_lock(t->mn);
	iface = mn_iface_get(t->mn, t->dev->ifindex, NULL, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, iface);
	a = mn_addr_add(t->mn, iface, &mn_test_addr6, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	mn_iface_reapply(t->mn, iface);
	KUNIT_EXPECT_EQ(test, iface->repairs, 1);
	mn_unlock(t->mn);
	KUNIT_EXPECT_TRUE(test, mn_test_addr6_present(t->dev));
	return iface;
}

static int mn_test_set_mtu(struct net_device *dev, int mtu)
{
	int err;

	rtnl_lock();
	err = dev_set_mtu(dev, mtu);
	rtnl_unlock();
	return err;
}

/* An MTU below 1280 drops IPv6 from the link; raising it back repairs. */
static void mn_repair_mtu_test(struct kunit *test)
{
	struct mn_apply_test *t = test->priv;
	struct mn_iface *iface = mn_test_iface6(test, t);

	KUNIT_ASSERT_EQ(test, mn_test_set_mtu(t->dev, 1000), 0);
	KUNIT_EXPECT_FALSE(test, mn_test_addr6_present(t->dev));
	mn_lock(t->mn);
	KUNIT_EXPECT_EQ(test, iface->repairs, 1);
	mn_unlock(t->mn);
	KUNIT_ASSERT_EQ(test, mn_test_set_mtu(t->dev, 1400), 0);
	mn_lock(t->mn);
	KUNIT_EXPECT_EQ(test, iface->repairs, 2);
	mn_unlock(t->mn);
	KUNIT_EXPECT_TRUE(test, mn_test_addr6_present(t->dev));
	mn_lock(t->mn);
	mn_iface_free(t->mn, iface);
	mn_unlock(t->mn);
}

/* Write the private netns' net.ipv6.conf.all.disable_ipv6. */
static int mn_test_disable_ipv6_set(const char *val)
{
	loff_t pos;
	ssize_t ret;

	do {
		pos = 0;
		ret = kernel_write(mn_test_disable_ipv6, val, strlen(val),
				   &pos);
		/* The handler only trylocks RTNL and asks for a restart. */
		if (ret == -ERESTARTNOINTR) {
			clear_thread_flag(TIF_SIGPENDING);
			usleep_range(1000, 2000);
		}
	} while (ret == -ERESTARTNOINTR);
	return ret < 0 ? ret : 0;
}

/*
 * disable_ipv6 1 -> 0 raises no netdev event; the RTM_NEWLINK addrconf
 * sends to RTNLGRP_IPV6_IFINFO makes the worker repair.
 */
static void mn_repair_disable_ipv6_test(struct kunit *test)
{
	struct mn_apply_test *t = test->priv;
	struct mn_iface *iface;

	KUNIT_ASSERT_FALSE(test, IS_ERR(mn_test_disable_ipv6));
	iface = mn_test_iface6(test, t);
	KUNIT_ASSERT_EQ(test, mn_test_disable_ipv6_set("1\n"), 0);
	KUNIT_EXPECT_FALSE(test, mn_test_addr6_present(t->dev));
	KUNIT_ASSERT_EQ(test, mn_test_disable_ipv6_set("0\n"), 0);
	mn_lock(t->mn);
	KUNIT_EXPECT_EQ(test, iface->repairs, 2);
	mn_unlock(t->mn);
	KUNIT_EXPECT_TRUE(test, mn_test_addr6_present(t->dev));
	mn_lock(t->mn);
	mn_iface_free(t->mn, iface);
	KUNIT_EXPECT_EQ(test, t->mn->rtnl_dropped, 0);
	mn_unlock(t->mn);
}

/* Wait until the worker is idle; false if it keeps running. */
static bool mn_test_worker_idle(struct mn_net *mn)
{
	int i;

	for (i = 0; i < 50; i++) {
		flush_work(&mn->events_work);
		msleep(20);
		if (!work_busy(&mn->events_work))
			return true;
	}
	return false;
}

/*
 * A repair that changes the link (here: sets it up, as the goal says)
 * raises a NETDEV_UP, whose repair finds everything in place and raises
 * nothing: two repairing passes, then the worker stays idle.
 */
static void mn_no_repair_loop_test(struct kunit *test)
{
	struct mn_apply_test *t = test->priv;
	struct mn_iface *iface;
	u64 before;

	mn_lock(t->mn);
	iface = mn_iface_get(t->mn, t->dev->ifindex, NULL, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, iface);
	iface->link.has_admin = 1;
	iface->link.admin_up = 1;
	mn_unlock(t->mn);

	rtnl_lock();
	dev_close(t->dev);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, mn_test_set_mtu(t->dev, 1000), 0);
	KUNIT_ASSERT_TRUE(test, mn_test_worker_idle(t->mn));
	before = t->mn->worker_repairs;
	KUNIT_ASSERT_EQ(test, mn_test_set_mtu(t->dev, 1400), 0);
	KUNIT_EXPECT_TRUE(test, mn_test_worker_idle(t->mn));
	KUNIT_EXPECT_TRUE(test, t->dev->flags & IFF_UP);
	KUNIT_EXPECT_EQ(test, t->mn->worker_repairs - before, 2);
	msleep(100);
	KUNIT_EXPECT_TRUE(test, mn_test_worker_idle(t->mn));
	KUNIT_EXPECT_EQ(test, t->mn->worker_repairs - before, 2);
	mn_lock(t->mn);
	mn_iface_free(t->mn, iface);
	mn_unlock(t->mn);
}

static const struct rtnl_link_ops mn_test_wifi_ops = {
	.kind = "virt_wifi",
};

/*
 * The state of a NIC moves to the virt_wifi link stacked on it, and back
 * to the NIC when the link is taken off and deleted (not dropped).
 */
static void mn_virt_wifi_back_to_nic_test(struct kunit *test)
{
	struct mn_apply_test *t = test->priv;
	struct net_device *nic, *wifi;
	struct mn_iface *iface;
	uuid_t key;
	int err;

	nic = mn_test_keyed(test, t, "3c3c3c3c-1234-4567-89ab-cdef01234567",
			    &key, &iface);
	mn_lock(t->mn);
	KUNIT_EXPECT_EQ(test, iface->ifindex, nic->ifindex);
	mn_unlock(t->mn);

	wifi = mn_test_netdev(dev_net(t->dev), "mnw%d");
	KUNIT_ASSERT_NOT_NULL(test, wifi);
	wifi->rtnl_link_ops = &mn_test_wifi_ops;
	KUNIT_ASSERT_EQ(test, register_netdev(wifi), 0);
	rtnl_lock();
	err = netdev_upper_dev_link(nic, wifi, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	mn_lock(t->mn);
	KUNIT_EXPECT_EQ(test, iface->ifindex, wifi->ifindex);
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(t->mn, &key), wifi->ifindex);
	mn_unlock(t->mn);

	/* What deleting a virt_wifi link does: unlink, then unregister. */
	rtnl_lock();
	netdev_upper_dev_unlink(nic, wifi);
	rtnl_unlock();
	unregister_netdev(wifi);
	free_netdev(wifi);
	mn_lock(t->mn);
	KUNIT_EXPECT_PTR_EQ(test, mn_iface_find(t->mn, 0, &key), iface);
	KUNIT_EXPECT_EQ(test, iface->ifindex, nic->ifindex);
	KUNIT_EXPECT_FALSE(test, list_empty(&iface->addrs));
	mn_iface_free(t->mn, iface);
	mn_unlock(t->mn);
	KUNIT_EXPECT_GE(test, mn_test_addr_flags(nic), 0);
	unregister_netdev(nic);
	free_netdev(nic);
}

static struct kunit_case mn_apply_cases[] = {
	KUNIT_CASE(mn_lazy_state_test),
	KUNIT_CASE(mn_apply_addr_test),
	KUNIT_CASE(mn_apply_route_test),
	KUNIT_CASE(mn_apply_link_order_test),
	KUNIT_CASE(mn_reapply_test),
	KUNIT_CASE(mn_held_register_test),
	KUNIT_CASE(mn_lost_event_resync_test),
	KUNIT_CASE(mn_alias_down_link_test),
	KUNIT_CASE(mn_virt_wifi_back_to_nic_test),
	KUNIT_CASE(mn_repair_mtu_test),
	KUNIT_CASE(mn_repair_disable_ipv6_test),
	KUNIT_CASE(mn_no_repair_loop_test),
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
