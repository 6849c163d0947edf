// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the transport to rtnetlink. The parser of acks read from the
 * module's socket refuses every malformed ack as a whole, before any of it
 * is used; route-flush deletes (and reports) exactly the routes it should,
 * and a rule delete exactly the rule it names, in the private netns the
 * test module is loaded in.
 */

#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/netlink.h>

#include "../apply.h"
#include "../reconcile.h"

#define MN_ACK_BUF	256

struct mn_ack {
	struct nlmsghdr *nlh;
	void *tail;		/* where the next byte goes */
};

/* An NLMSG_ERROR with @error whose echoed header says @echo_len. */
static struct mn_ack mn_ack_start(struct kunit *test, u16 flags, int error,
				  u32 echo_len)
{
	struct mn_ack a;
	struct nlmsgerr *e;

	a.nlh = kunit_kzalloc(test, MN_ACK_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a.nlh);
	a.nlh->nlmsg_type = NLMSG_ERROR;
	a.nlh->nlmsg_flags = flags;
	a.nlh->nlmsg_seq = 1;
	e = nlmsg_data(a.nlh);
	e->error = error;
	e->msg.nlmsg_len = echo_len;
	e->msg.nlmsg_type = RTM_NEWROUTE;
	a.tail = e + 1;
	return a;
}

/* Echoed request bytes beyond its header, then the TLVs' alignment. */
static void mn_ack_echo(struct mn_ack *a, size_t payload)
{
	memset(a->tail, 0x5a, payload);
	a->tail += payload;
	a->tail = (void *)a->nlh + NLMSG_ALIGN(a->tail - (void *)a->nlh);
}

static void mn_ack_attr(struct mn_ack *a, u16 type, const void *data,
			u16 len)
{
	struct nlattr *nla = a->tail;

	nla->nla_type = type;
	nla->nla_len = nla_attr_size(len);
	memcpy(nla_data(nla), data, len);
	a->tail += nla_total_size(len);
}

/* Close the message; returns the bytes "received". */
static int mn_ack_end(struct mn_ack *a)
{
	a->nlh->nlmsg_len = a->tail - (void *)a->nlh;
	return a->nlh->nlmsg_len;
}

static const char mn_ack_text[] = "Nexthop device is not up";

static int mn_ack_parse(struct mn_ack *a, int len, int *error,
			struct mn_kerr *kerr)
{
	*error = 12345;
	memset(kerr->msg, 'x', sizeof(kerr->msg));
	return mn_rtnl_parse_ack(a->nlh, len, error, kerr);
}

static void mn_ack_capped_msg_test(struct kunit *test)
{
	struct mn_ack a = mn_ack_start(test, NLM_F_CAPPED | NLM_F_ACK_TLVS,
				       -ENETDOWN, 64);
	struct mn_kerr kerr;
	u32 offs = 20;
	int error, len;

	mn_ack_attr(&a, NLMSGERR_ATTR_MSG, mn_ack_text, sizeof(mn_ack_text));
	mn_ack_attr(&a, NLMSGERR_ATTR_OFFS, &offs, sizeof(offs));
	len = mn_ack_end(&a);
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr), 0);
	KUNIT_EXPECT_EQ(test, error, -ENETDOWN);
	KUNIT_EXPECT_STREQ(test, kerr.msg, mn_ack_text);
}

/* A kernel without NLM_F_ACK_TLVS support, or no text: just the errno. */
static void mn_ack_no_tlvs_test(struct kunit *test)
{
	struct mn_ack a = mn_ack_start(test, NLM_F_CAPPED, -EEXIST, 64);
	struct mn_kerr kerr;
	int error, len;

	len = mn_ack_end(&a);
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr), 0);
	KUNIT_EXPECT_EQ(test, error, -EEXIST);
	KUNIT_EXPECT_STREQ(test, kerr.msg, "");
}

/* Uncapped: the echoed request (18 bytes, padded to 20) precedes the TLVs. */
static void mn_ack_uncapped_test(struct kunit *test)
{
	struct mn_ack a = mn_ack_start(test, NLM_F_ACK_TLVS, -EINVAL,
				       NLMSG_HDRLEN + 2);
	struct mn_kerr kerr;
	int error, len;

	mn_ack_echo(&a, 2);
	mn_ack_attr(&a, NLMSGERR_ATTR_MSG, mn_ack_text, sizeof(mn_ack_text));
	len = mn_ack_end(&a);
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr), 0);
	KUNIT_EXPECT_EQ(test, error, -EINVAL);
	KUNIT_EXPECT_STREQ(test, kerr.msg, mn_ack_text);
}

/* Shorter than header + struct nlmsgerr, or longer than what was read. */
static void mn_ack_short_test(struct kunit *test)
{
	struct mn_ack a = mn_ack_start(test, NLM_F_CAPPED, -EINVAL, 64);
	struct mn_kerr kerr;
	int error, len;

	len = mn_ack_end(&a);
	a.nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(struct nlmsgerr) - 1;
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, a.nlh->nlmsg_len, &error,
					   &kerr), -EBADMSG);
	KUNIT_EXPECT_EQ(test, error, 12345);
	a.nlh->nlmsg_len = NLMSG_HDRLEN;
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, NLMSG_HDRLEN, &error, &kerr),
			-EBADMSG);
	/* The header claims more than was received. */
	a.nlh->nlmsg_len = len;
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len - 1, &error, &kerr),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, 8, &error, &kerr), -EBADMSG);
	KUNIT_EXPECT_EQ(test, error, 12345);
}

/* Uncapped with an echoed length below a header: the old u32 wrap. */
static void mn_ack_uncapped_short_echo_test(struct kunit *test)
{
	static const u32 echo[] = { 0, 1, NLMSG_HDRLEN - 1 };
	struct mn_kerr kerr;
	int error, len, i;

	for (i = 0; i < ARRAY_SIZE(echo); i++) {
		struct mn_ack a = mn_ack_start(test, NLM_F_ACK_TLVS, -EPERM,
					       echo[i]);

		mn_ack_attr(&a, NLMSGERR_ATTR_MSG, mn_ack_text,
			    sizeof(mn_ack_text));
		len = mn_ack_end(&a);
		KUNIT_EXPECT_EQ_MSG(test, mn_ack_parse(&a, len, &error, &kerr),
				    -EBADMSG, "echoed length %u", echo[i]);
		KUNIT_EXPECT_EQ(test, error, 12345);
	}
}

/* Uncapped with an echoed length beyond the message. */
static void mn_ack_overlong_echo_test(struct kunit *test)
{
	struct mn_ack a = mn_ack_start(test, NLM_F_ACK_TLVS, -EPERM,
				       0x80000010);
	struct mn_kerr kerr;
	int error, len;

	mn_ack_echo(&a, 8);
	mn_ack_attr(&a, NLMSGERR_ATTR_MSG, mn_ack_text, sizeof(mn_ack_text));
	len = mn_ack_end(&a);
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr), -EBADMSG);
	KUNIT_EXPECT_EQ(test, error, 12345);

	/* One byte more than what follows the error code. */
	((struct nlmsgerr *)nlmsg_data(a.nlh))->msg.nlmsg_len =
		len - NLMSG_HDRLEN - sizeof(int) + 1;
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr), -EBADMSG);
	KUNIT_EXPECT_EQ(test, error, 12345);

	/* Exactly what follows: it fits, but leaves no room for the TLVs. */
	((struct nlmsgerr *)nlmsg_data(a.nlh))->msg.nlmsg_len =
		len - NLMSG_HDRLEN - sizeof(int);
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr), 0);
	KUNIT_EXPECT_EQ(test, error, -EPERM);
	KUNIT_EXPECT_STREQ(test, kerr.msg, "");
}

static void mn_ack_attr_corrupt_test(struct kunit *test)
{
	static const char unterminated[] = { 'a', 'b', 'c', 'd' };
	struct mn_kerr kerr;
	struct nlattr *nla;
	int error, len;
	u16 offs = 4;

	/* An attribute whose length runs past the end of the message. */
	{
		struct mn_ack a = mn_ack_start(test,
					       NLM_F_CAPPED | NLM_F_ACK_TLVS,
					       -EINVAL, 64);

		nla = a.tail;
		mn_ack_attr(&a, NLMSGERR_ATTR_MSG, mn_ack_text,
			    sizeof(mn_ack_text));
		len = mn_ack_end(&a);
		nla->nla_len += 64;
		KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr),
				-EBADMSG);
	}
	/* A text without its NUL. */
	{
		struct mn_ack a = mn_ack_start(test,
					       NLM_F_CAPPED | NLM_F_ACK_TLVS,
					       -EINVAL, 64);

		mn_ack_attr(&a, NLMSGERR_ATTR_MSG, unterminated,
			    sizeof(unterminated));
		len = mn_ack_end(&a);
		KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr),
				-EBADMSG);
	}
	/* A u32 attribute of two bytes. */
	{
		struct mn_ack a = mn_ack_start(test,
					       NLM_F_CAPPED | NLM_F_ACK_TLVS,
					       -EINVAL, 64);

		mn_ack_attr(&a, NLMSGERR_ATTR_OFFS, &offs, sizeof(offs));
		len = mn_ack_end(&a);
		KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr),
				-EBADMSG);
	}
	/* Trailing bytes too short for an attribute header. */
	{
		struct mn_ack a = mn_ack_start(test,
					       NLM_F_CAPPED | NLM_F_ACK_TLVS,
					       -EINVAL, 64);

		mn_ack_attr(&a, NLMSGERR_ATTR_MSG, mn_ack_text,
			    sizeof(mn_ack_text));
		a.tail += 2;
		len = mn_ack_end(&a);
		KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr),
				-EBADMSG);
	}
	KUNIT_EXPECT_EQ(test, error, 12345);
}

/* error == 0 is a positive ack: no text, even if one came along. */
static void mn_ack_zero_test(struct kunit *test)
{
	struct mn_ack a = mn_ack_start(test, NLM_F_CAPPED | NLM_F_ACK_TLVS, 0,
				       64);
	struct mn_kerr kerr;
	int error, len;

	mn_ack_attr(&a, NLMSGERR_ATTR_MSG, mn_ack_text, sizeof(mn_ack_text));
	len = mn_ack_end(&a);
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr), 0);
	KUNIT_EXPECT_EQ(test, error, 0);
	KUNIT_EXPECT_STREQ(test, kerr.msg, "");

	/* Positive or out-of-range error codes are not errnos. */
	((struct nlmsgerr *)nlmsg_data(a.nlh))->error = 1;
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr), -EBADMSG);
	((struct nlmsgerr *)nlmsg_data(a.nlh))->error = -MAX_ERRNO - 1;
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr), -EBADMSG);
	KUNIT_EXPECT_EQ(test, error, 12345);
}

/* Not an NLMSG_ERROR at all. */
static void mn_ack_type_test(struct kunit *test)
{
	struct mn_ack a = mn_ack_start(test, NLM_F_CAPPED, -EINVAL, 64);
	struct mn_kerr kerr;
	int error, len;

	len = mn_ack_end(&a);
	a.nlh->nlmsg_type = NLMSG_DONE;
	KUNIT_EXPECT_EQ(test, mn_ack_parse(&a, len, &error, &kerr), -EBADMSG);
}

static struct kunit_case mn_ack_cases[] = {
	KUNIT_CASE(mn_ack_capped_msg_test),
	KUNIT_CASE(mn_ack_no_tlvs_test),
	KUNIT_CASE(mn_ack_uncapped_test),
	KUNIT_CASE(mn_ack_short_test),
	KUNIT_CASE(mn_ack_uncapped_short_echo_test),
	KUNIT_CASE(mn_ack_overlong_echo_test),
	KUNIT_CASE(mn_ack_attr_corrupt_test),
	KUNIT_CASE(mn_ack_zero_test),
	KUNIT_CASE(mn_ack_type_test),
	{}
};

static struct kunit_suite mn_ack_suite = {
	.name = "mirrornet_ack",
	.test_cases = mn_ack_cases,
};

/* Cases run in a kthread; suite_init runs in the (unshared) insmod task. */
static struct net *mn_flush_net;

static int mn_flush_suite_init(struct kunit_suite *suite)
{
	mn_flush_net = get_net(current->nsproxy->net_ns);
	return 0;
}

static void mn_flush_suite_exit(struct kunit_suite *suite)
{
	put_net(mn_flush_net);
}

static netdev_tx_t mn_flush_xmit(struct sk_buff *skb, struct net_device *dev)
{
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops mn_flush_ops = {
	.ndo_start_xmit = mn_flush_xmit,
};

struct mn_flush_test {
	struct net_device *a, *b;
	struct mn_net *mn;
};

static struct net_device *mn_flush_dev(struct kunit *test)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(0, "mnf%d", NET_NAME_UNKNOWN, ether_setup);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->netdev_ops = &mn_flush_ops;
	eth_hw_addr_random(dev);
	dev_net_set(dev, mn_flush_net);
	err = register_netdev(dev);
	if (err)
		free_netdev(dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	rtnl_lock();
	err = dev_open(dev, NULL);
	rtnl_unlock();
	if (err) {
		unregister_netdev(dev);
		free_netdev(dev);
	}
	KUNIT_ASSERT_EQ(test, err, 0);
	return dev;
}

static int mn_flush_test_init(struct kunit *test)
{
	struct mn_flush_test *t;

	KUNIT_ASSERT_PTR_NE_MSG(test, mn_flush_net, &init_net,
				"not in a private netns");
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	t->a = mn_flush_dev(test);
	t->b = mn_flush_dev(test);
	t->mn = mn_net_get(mn_flush_net);
	KUNIT_ASSERT_NOT_NULL(test, t->mn);
	return 0;
}

static void mn_flush_test_exit(struct kunit *test)
{
	struct mn_flush_test *t = test->priv;

	if (!t)
		return;
	if (t->b) {
		unregister_netdev(t->b);
		free_netdev(t->b);
	}
	if (t->a) {
		unregister_netdev(t->a);
		free_netdev(t->a);
	}
}

struct mn_flush_seen {
	bool claim;		/* claim every route but the kernel's */
	unsigned int asked;	/* routes the flush asked about */
	unsigned int routes;
	unsigned int with_gw;
	unsigned int kernel;	/* fe80::/64 or 192.0.2.0/24: never */
};

/* The kernel's own routes here, proto kernel like ours. */
static bool mn_flush_is_kernel(const struct mn_route *r)
{
	return (r->key.family == AF_INET6 && r->key.dst_len == 64 &&
		ipv6_addr_type(&r->key.dst) & IPV6_ADDR_LINKLOCAL) ||
	       (r->key.family == AF_INET && r->key.dst_len == 24 &&
		r->key.dst.s6_addr32[0] == cpu_to_be32(0xc0000200));
}

/* Stands in for the goal state, which never has the kernel's routes. */
static bool mn_flush_ours(void *ctx, const struct mn_route *r)
{
	struct mn_flush_seen *seen = ctx;

	seen->asked++;
	return seen->claim && !mn_flush_is_kernel(r);
}

static void mn_flush_deleted(void *ctx, const struct mn_route *r)
{
	struct mn_flush_seen *seen = ctx;

	seen->routes++;
	seen->with_gw += r->has_gw;
	if (mn_flush_is_kernel(r))
		seen->kernel++;
}

static int mn_flush_run_claim(struct mn_net *mn, struct net_device *dev,
			      u8 family, u32 table, bool gateway_only,
			      bool claim, struct mn_flush_seen *seen)
{
	struct mn_flush f = {
		.family = family,
		.table = table,
		.gateway_only = gateway_only,
	};
	struct mn_kerr kerr;

	memset(seen, 0, sizeof(*seen));
	seen->claim = claim;
	return mn_apply_route_flush(mn, dev->ifindex, &f, mn_flush_ours,
				    mn_flush_deleted, seen, &kerr);
}

static int mn_flush_run(struct mn_net *mn, struct net_device *dev, u8 family,
			u32 table, bool gateway_only,
			struct mn_flush_seen *seen)
{
	return mn_flush_run_claim(mn, dev, family, table, gateway_only, true,
				  seen);
}

static int mn_flush_route6(struct mn_net *mn, struct net_device *dev,
			   u16 gw)
{
	struct mn_route r = {
		.key.family = AF_INET6,
		.key.dst_len = 64,
		.key.table = RT_TABLE_MAIN,
		.key.metric = 1024,
		.key.dst.s6_addr16[0] = cpu_to_be16(0x2001),
		.key.dst.s6_addr16[1] = cpu_to_be16(0xdb8),
		.type = RTN_UNICAST,
		.has_gw = 1,
		.gw.s6_addr16[0] = cpu_to_be16(0xfe80),
		.gw.s6_addr16[7] = cpu_to_be16(gw),
	};
	struct mn_kerr kerr;

	return mn_apply_route(mn, dev->ifindex, &r, MN_OP_ADD, &kerr);
}

/* IPv6 ECMP siblings: only the ones on the device go, one by one. */
static void mn_flush_ecmp6_test(struct kunit *test)
{
	struct mn_flush_test *t = test->priv;
	struct net_device *a = t->a, *b = t->b;
	struct mn_net *mn = t->mn;
	struct mn_flush_seen seen;

	mn_lock(mn);
	KUNIT_EXPECT_EQ(test, mn_flush_route6(mn, a, 1), 0);
	KUNIT_EXPECT_EQ(test, mn_flush_route6(mn, a, 2), 0);
	KUNIT_EXPECT_EQ(test, mn_flush_route6(mn, b, 3), 0);

	/* Nothing the goal state does not claim goes. */
	KUNIT_EXPECT_EQ(test, mn_flush_run_claim(mn, a, AF_INET6, 0, false,
						 false, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen.routes, 0);
	/* a's two siblings and fe80::/64, all proto kernel */
	KUNIT_EXPECT_EQ(test, seen.asked, 3);
	KUNIT_EXPECT_EQ(test, mn_flush_route6(mn, a, 1), -EEXIST);

	KUNIT_EXPECT_EQ(test, mn_flush_run(mn, a, AF_INET6, 0, false, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen.routes, 2);
	KUNIT_EXPECT_EQ(test, seen.with_gw, 2);
	KUNIT_EXPECT_EQ(test, seen.kernel, 0);
	/* Nothing left on a: fe80::/64 belongs to the kernel. */
	KUNIT_EXPECT_EQ(test, mn_flush_run(mn, a, 0, 0, false, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen.routes, 0);
	/* b's sibling survived a's flush. */
	KUNIT_EXPECT_EQ(test, mn_flush_run(mn, b, AF_INET6, 0, false, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen.routes, 1);
	KUNIT_EXPECT_EQ(test, mn_flush_route6(mn, b, 3), 0);
	mn_unlock(mn);
}

static int mn_flush_route4(struct mn_net *mn, struct net_device *dev,
			   u32 dst, u8 dst_len, u32 table, u32 gw, u8 type)
{
	struct mn_route r = {
		.key.family = AF_INET,
		.key.dst_len = dst_len,
		.key.table = table,
		.key.dst.s6_addr32[0] = cpu_to_be32(dst),
		.type = type,
		.has_gw = !!gw,
		.gw.s6_addr32[0] = cpu_to_be32(gw),
	};
	struct mn_kerr kerr;

	return mn_apply_route(mn, dev->ifindex, &r, MN_OP_ADD, &kerr);
}

/* Batches, table and gateway filters, kernel routes and other types kept. */
static void mn_flush_ipv4_test(struct kunit *test)
{
	static const struct mn_addr addr = {
		.family = AF_INET,
		.prefixlen = 24,
		.preferred_lft = MN_LFT_FOREVER,
		.valid_lft = MN_LFT_FOREVER,
		.addr.s6_addr32[0] = cpu_to_be32(0xc000020a),	/* 192.0.2.10 */
	};
	struct mn_flush_test *t = test->priv;
	struct net_device *a = t->a;
	struct mn_net *mn = t->mn;
	struct mn_flush_seen seen;
	struct mn_kerr kerr;
	int i;

	mn_lock(mn);
	KUNIT_EXPECT_EQ(test, mn_apply_addr(mn, a->ifindex, &addr, MN_OP_ADD,
					    &kerr), 0);
	for (i = 0; i < 150; i++)
		KUNIT_EXPECT_EQ(test, mn_flush_route4(mn, a, 0x0a640000 | i << 8,
						      24, 100, 0, RTN_UNICAST),
				0);
	/* 10.9.0.0/16 via 192.0.2.1 and a blackhole (no device: L8). */
	KUNIT_EXPECT_EQ(test, mn_flush_route4(mn, a, 0x0a090000, 16,
					      RT_TABLE_MAIN, 0xc0000201,
					      RTN_UNICAST), 0);
	KUNIT_EXPECT_EQ(test, mn_flush_route4(mn, a, 0xcb007100, 24,
					      RT_TABLE_MAIN, 0, RTN_BLACKHOLE),
			0);

	KUNIT_EXPECT_EQ(test, mn_flush_run_claim(mn, a, AF_INET, 100, false,
						 false, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen.routes, 0);
	KUNIT_EXPECT_EQ(test, seen.asked, 150);
	KUNIT_EXPECT_EQ(test, mn_flush_run(mn, a, AF_INET, 100, false, &seen),
			0);
	KUNIT_EXPECT_EQ(test, seen.routes, 150);
	KUNIT_EXPECT_EQ(test, mn_flush_run(mn, a, AF_INET, 0, true, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen.routes, 1);
	KUNIT_EXPECT_EQ(test, seen.with_gw, 1);
	KUNIT_EXPECT_EQ(test, mn_flush_run(mn, a, AF_INET, 0, false, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen.routes, 0);
	KUNIT_EXPECT_EQ(test, seen.kernel, 0);
	/* The blackhole is still there: adding it again collides. */
	KUNIT_EXPECT_EQ(test, mn_flush_route4(mn, a, 0xcb007100, 24,
					      RT_TABLE_MAIN, 0, RTN_BLACKHOLE),
			-EEXIST);
	mn_unlock(mn);
}

static int mn_rule_op(struct mn_net *mn, const char *iifname, u8 ip_proto,
		      enum mn_op op)
{
	struct mn_rule r = {
		.family = AF_INET,
		.table = 4100,
		.has_priority = 1,
		.priority = 4100,
		.has_ip_proto = !!ip_proto,
		.ip_proto = ip_proto,
		.has_iifname = !!iifname,
	};
	struct mn_kerr kerr;

	if (iifname)
		strscpy(r.iifname, iifname, sizeof(r.iifname));
	return mn_apply_rule(mn, &r, op, &kerr);
}

/*
 * A delete takes exactly the rule we install, never one that has more
 * selectors (the kernel's own delete would take the first of those).
 * MN_OP_REPAIR answers -EEXIST for a rule that is there, 0 after adding
 * one that was not.
 */
static void mn_rule_exact_del_test(struct kunit *test)
{
	struct mn_flush_test *t = test->priv;
	const char *iif = t->a->name;
	struct mn_net *mn = t->mn;

	mn_lock(mn);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, NULL, 0, MN_OP_ADD), 0);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, iif, 0, MN_OP_ADD), 0);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, NULL, IPPROTO_TCP, MN_OP_ADD), 0);

	/* Listed first and exact: deleted; the others stay. */
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, NULL, 0, MN_OP_DEL), 0);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, NULL, 0, MN_OP_DEL), -ENOENT);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, iif, 0, MN_OP_REPAIR), -EEXIST);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, NULL, IPPROTO_TCP, MN_OP_REPAIR),
			-EEXIST);

	/* Behind rules with more selectors: refused, nothing deleted. */
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, NULL, 0, MN_OP_ADD), 0);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, NULL, 0, MN_OP_DEL), -EBUSY);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, NULL, 0, MN_OP_REPAIR), -EEXIST);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, iif, 0, MN_OP_REPAIR), -EEXIST);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, NULL, IPPROTO_TCP, MN_OP_REPAIR),
			-EEXIST);

	/* Each named exactly: each goes. */
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, iif, 0, MN_OP_DEL), 0);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, NULL, IPPROTO_TCP, MN_OP_DEL), 0);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, NULL, 0, MN_OP_DEL), 0);
	KUNIT_EXPECT_EQ(test, mn_rule_op(mn, iif, 0, MN_OP_DEL), -ENOENT);
	mn_unlock(mn);
}

static struct kunit_case mn_flush_cases[] = {
	KUNIT_CASE(mn_flush_ecmp6_test),
	KUNIT_CASE(mn_flush_ipv4_test),
	KUNIT_CASE(mn_rule_exact_del_test),
	{}
};

static struct kunit_suite mn_flush_suite = {
	.name = "mirrornet_flush",
	.suite_init = mn_flush_suite_init,
	.suite_exit = mn_flush_suite_exit,
	.init = mn_flush_test_init,
	.exit = mn_flush_test_exit,
	.test_cases = mn_flush_cases,
};

kunit_test_suites(&mn_ack_suite, &mn_flush_suite);
