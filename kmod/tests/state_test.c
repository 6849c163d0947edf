// SPDX-License-Identifier: GPL-2.0
/* KUnit: goal-state indexes, on a state of the test's own. */

#include <kunit/test.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "../state.h"

static struct mn_net *mn_test_state(struct kunit *test)
{
	struct mn_net *mn = kunit_kzalloc(test, sizeof(*mn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mn);
	KUNIT_ASSERT_EQ(test, mn_state_init(mn, &init_net), 0);
	return mn;
}

static struct mn_route *mn_test_route(struct kunit *test,
				      struct mn_iface *iface, u8 gw)
{
	struct mn_route *r = kzalloc_obj(*r, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->iface = iface;
	r->key.family = AF_INET;
	r->key.table = 254;
	r->key.metric = 10;
	r->has_gw = 1;
	r->gw.s6_addr[3] = gw;
	return r;
}

/* Routes that differ only in gateway share a key and are told apart. */
static void mn_route_key_test(struct kunit *test)
{
	struct mn_net *mn = mn_test_state(test);
	struct mn_route *a, *b, probe = {};
	struct mn_iface *iface;

	iface = mn_iface_get(mn, 3, NULL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, iface);
	a = mn_test_route(test, iface, 1);
	b = mn_test_route(test, iface, 2);
	KUNIT_ASSERT_EQ(test, mn_route_insert(mn, iface, a), 0);
	KUNIT_ASSERT_EQ(test, mn_route_insert(mn, iface, b), 0);

	probe = *b;
	KUNIT_EXPECT_PTR_EQ(test, mn_route_find(mn, &probe), b);
	probe.gw.s6_addr[3] = 1;
	KUNIT_EXPECT_PTR_EQ(test, mn_route_find(mn, &probe), a);
	probe.gw.s6_addr[3] = 9;
	KUNIT_EXPECT_NULL(test, mn_route_find(mn, &probe));
	probe.key.metric = 11;
	KUNIT_EXPECT_NULL(test, mn_route_first(mn, &probe.key));

	mn_route_remove(mn, a);
	KUNIT_EXPECT_PTR_EQ(test, mn_route_first(mn, &b->key), b);
	mn_route_remove(mn, b);
	KUNIT_EXPECT_NULL(test, mn_route_first(mn, &probe.key));
	KUNIT_EXPECT_TRUE(test, list_empty(&iface->routes));
	mn_state_exit(mn);
}

/* State held for a key binds to the netdev that later carries the key. */
static void mn_held_bind_test(struct kunit *test)
{
	static const uuid_t key = UUID_INIT(0x11111111, 0x2222, 0x3333, 0x44,
					    0x44, 0x55, 0x55, 0x55, 0x55, 0x55,
					    0x55);
	struct mn_net *mn = mn_test_state(test);
	struct mn_iface *held;

	held = mn_iface_get(mn, 0, &key, NULL);
	KUNIT_ASSERT_NOT_NULL(test, held);
	KUNIT_EXPECT_EQ(test, held->ifindex, 0);
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(mn, &key), 0);

	KUNIT_ASSERT_EQ(test, mn_hwkey_set(mn, 7, &key, false), 0);
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(mn, &key), 7);
	KUNIT_EXPECT_PTR_EQ(test, mn_iface_find(mn, 0, &key), held);
	mn_iface_bind(mn, held, 7);
	KUNIT_EXPECT_PTR_EQ(test, mn_iface_find(mn, 7, NULL), held);
	KUNIT_EXPECT_PTR_EQ(test, mn_iface_get(mn, 7, NULL, NULL), held);

	KUNIT_ASSERT_EQ(test, mn_hwkey_set(mn, 7, NULL, false), 0);
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(mn, &key), 0);
	mn_state_exit(mn);
}

/* The key index answers both ways and follows a netdev's new key. */
static void mn_hwkey_index_test(struct kunit *test)
{
	static const uuid_t key = UUID_INIT(0x11111111, 0x2222, 0x3333, 0x44,
					    0x44, 0x55, 0x55, 0x55, 0x55, 0x55,
					    0x55);
	static const uuid_t key2 = UUID_INIT(0x11111111, 0x2222, 0x3333, 0x44,
					     0x44, 0x55, 0x55, 0x55, 0x55, 0x55,
					     0x66);
	struct mn_net *mn = mn_test_state(test);
	const uuid_t *found;

	KUNIT_EXPECT_NULL(test, mn_hwkey_of_ifindex(mn, 7));
	KUNIT_ASSERT_EQ(test, mn_hwkey_set(mn, 7, &key, false), 0);
	found = mn_hwkey_of_ifindex(mn, 7);
	KUNIT_ASSERT_NOT_NULL(test, found);
	KUNIT_EXPECT_TRUE(test, uuid_equal(found, &key));
	KUNIT_EXPECT_NULL(test, mn_hwkey_of_ifindex(mn, 8));

	KUNIT_ASSERT_EQ(test, mn_hwkey_set(mn, 7, &key2, false), 0);
	found = mn_hwkey_of_ifindex(mn, 7);
	KUNIT_ASSERT_NOT_NULL(test, found);
	KUNIT_EXPECT_TRUE(test, uuid_equal(found, &key2));
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(mn, &key), 0);
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(mn, &key2), 7);

	KUNIT_ASSERT_EQ(test, mn_hwkey_set(mn, 7, NULL, false), 0);
	KUNIT_EXPECT_NULL(test, mn_hwkey_of_ifindex(mn, 7));
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(mn, &key2), 0);
	mn_state_exit(mn);
}

/* A NIC and the virt_wifi link on it share a key: the link wins. */
static void mn_hwkey_stacked_test(struct kunit *test)
{
	static const uuid_t key = UUID_INIT(0x6f1c2a3b, 0x4d5e, 0x4f60, 0x81,
					    0x72, 0x93, 0xa4, 0xb5, 0xc6, 0xd7,
					    0xe8);
	struct mn_net *mn = mn_test_state(test);

	KUNIT_ASSERT_EQ(test, mn_hwkey_set(mn, 8, &key, true), 0);
	KUNIT_ASSERT_EQ(test, mn_hwkey_set(mn, 7, &key, false), 0);
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(mn, &key), 8);
	KUNIT_ASSERT_EQ(test, mn_hwkey_set(mn, 8, NULL, false), 0);
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(mn, &key), 7);
	KUNIT_ASSERT_EQ(test, mn_hwkey_set(mn, 8, &key, true), 0);
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(mn, &key), 8);
	mn_state_exit(mn);
}

/* An interface first named by ifindex, then by its key, is one entry. */
static void mn_iface_merge_test(struct kunit *test)
{
	static const uuid_t key = UUID_INIT(0x6f1c2a3b, 0x4d5e, 0x4f60, 0x81,
					    0x72, 0x93, 0xa4, 0xb5, 0xc6, 0xd7,
					    0xe8);
	struct mn_net *mn = mn_test_state(test);
	struct mn_iface *by_index, *by_key;

	KUNIT_ASSERT_EQ(test, mn_hwkey_set(mn, 9, &key, false), 0);
	by_index = mn_iface_get(mn, 9, NULL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, by_index);
	KUNIT_EXPECT_FALSE(test, by_index->has_hwkey);
	by_key = mn_iface_get(mn, 0, &key, NULL);
	KUNIT_EXPECT_PTR_EQ(test, by_key, by_index);
	KUNIT_EXPECT_TRUE(test, by_index->has_hwkey);
	KUNIT_EXPECT_TRUE(test, mn_iface_is_empty(by_index));
	mn_state_exit(mn);
}

/* State held for a key folds into the entry its netdev already had. */
static void mn_iface_fold_test(struct kunit *test)
{
	static const uuid_t key = UUID_INIT(0x0c9d8e7f, 0x6a5b, 0x4c3d, 0x2e,
					    0x1f, 0x00, 0x00, 0x00, 0x00, 0x00,
					    0x01);
	struct mn_net *mn = mn_test_state(test);
	struct mn_iface *tracked, *held;
	struct mn_route *r, probe;

	tracked = mn_iface_get(mn, 5, NULL, NULL);
	held = mn_iface_get(mn, 0, &key, NULL);
	KUNIT_ASSERT_NOT_NULL(test, tracked);
	KUNIT_ASSERT_NOT_NULL(test, held);
	KUNIT_ASSERT_PTR_NE(test, tracked, held);
	r = mn_test_route(test, held, 1);
	KUNIT_ASSERT_EQ(test, mn_route_insert(mn, held, r), 0);
	held->link.has_mtu = 1;
	held->link.mtu = 1300;

	KUNIT_EXPECT_PTR_EQ(test, mn_iface_merge(mn, tracked, held), tracked);
	KUNIT_EXPECT_EQ(test, tracked->link.mtu, 1300);
	KUNIT_EXPECT_PTR_EQ(test, mn_iface_find(mn, 0, &key), tracked);
	probe = *r;
	KUNIT_EXPECT_PTR_EQ(test, probe.iface, tracked);
	KUNIT_EXPECT_PTR_EQ(test, mn_route_find(mn, &probe), r);
	KUNIT_EXPECT_PTR_EQ(test, list_first_entry(&tracked->routes,
						   struct mn_route, node), r);
	mn_state_exit(mn);
}

/* The hashed bytes of a route key are its fields, without padding. */
static void mn_route_key_layout_test(struct kunit *test)
{
	struct mn_route_key k;

	KUNIT_EXPECT_EQ(test, offsetofend(struct mn_route_key, dst_len),
			sizeof(k.dst) + sizeof(k.table) + sizeof(k.metric) +
			sizeof(k.family) + sizeof(k.dst_len));
}

static struct mn_route mn_test_default(u8 family, u8 gw)
{
	struct mn_route r = {};

	r.key.family = family;
	r.key.table = 254;
	r.key.metric = 100;
	r.has_gw = 1;
	r.gw.s6_addr[3] = gw;
	return r;
}

/*
 * IPv4: a replace through another interface replaces the newest route
 * with the key, wherever it was; an older one with the key stays.
 */
static void mn_route_replace_v4_test(struct kunit *test)
{
	struct mn_net *mn = mn_test_state(test);
	struct mn_route r1 = mn_test_default(AF_INET, 1);
	struct mn_route r2 = mn_test_default(AF_INET, 2);
	struct mn_route r3 = mn_test_default(AF_INET, 3);
	struct mn_iface *a, *b;

	a = mn_iface_get(mn, 3, NULL, NULL);
	b = mn_iface_get(mn, 4, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_ASSERT_EQ(test, mn_route_add(mn, a, &r1, false, NULL), 0);
	KUNIT_ASSERT_EQ(test, mn_route_add(mn, a, &r2, false, NULL), 0);
	/* the same route again is not a second copy */
	KUNIT_ASSERT_EQ(test, mn_route_add(mn, a, &r2, false, NULL), 0);
	KUNIT_EXPECT_EQ(test, mn->objects, 2);
	KUNIT_ASSERT_EQ(test, mn_route_add(mn, b, &r3, true, NULL), 0);
	KUNIT_EXPECT_EQ(test, mn->objects, 2);
	/* r2 was the newest: gone from a; r1 stays */
	KUNIT_EXPECT_TRUE(test, list_is_singular(&a->routes));
	KUNIT_EXPECT_EQ(test, list_first_entry(&a->routes, struct mn_route,
					       node)->gw.s6_addr[3], 1);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&b->routes));
	KUNIT_EXPECT_PTR_EQ(test, mn_route_first(mn, &r3.key)->iface, b);
	mn_state_exit(mn);
}

/* IPv6: a replace replaces every route with the key. */
static void mn_route_replace_v6_test(struct kunit *test)
{
	struct mn_net *mn = mn_test_state(test);
	struct mn_route r1 = mn_test_default(AF_INET6, 1);
	struct mn_route r2 = mn_test_default(AF_INET6, 2);
	struct mn_route r3 = mn_test_default(AF_INET6, 3);
	struct mn_route *del;
	struct mn_iface *a, *b;

	a = mn_iface_get(mn, 3, NULL, NULL);
	b = mn_iface_get(mn, 4, NULL, NULL);
	KUNIT_ASSERT_EQ(test, mn_route_add(mn, a, &r1, false, NULL), 0);
	KUNIT_ASSERT_EQ(test, mn_route_add(mn, b, &r2, false, NULL), 0);
	/* a delete without gateway removes a's route, not b's */
	r1.iface = a;
	r1.has_gw = 0;
	del = mn_route_find_del(mn, &r1);
	KUNIT_ASSERT_NOT_NULL(test, del);
	KUNIT_EXPECT_PTR_EQ(test, del->iface, a);
	KUNIT_ASSERT_EQ(test, mn_route_add(mn, b, &r3, true, NULL), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&a->routes));
	KUNIT_EXPECT_TRUE(test, list_is_singular(&b->routes));
	KUNIT_EXPECT_EQ(test, mn->objects, 1);
	mn_state_exit(mn);
}

/* Addresses, neighbours and rules are found by their kernel keys. */
static void mn_object_index_test(struct kunit *test)
{
	struct mn_net *mn = mn_test_state(test);
	struct mn_addr a = { .family = AF_INET, .prefixlen = 24 }, *sa;
	struct mn_neigh n = { .family = AF_INET6, .lladdr_len = 6 }, *sn;
	struct mn_rule r = { .family = AF_INET, .table = 100 }, *sr;
	struct mn_iface *i3, *i4;

	i3 = mn_iface_get(mn, 3, NULL, NULL);
	i4 = mn_iface_get(mn, 4, NULL, NULL);
	a.addr.s6_addr[0] = 10;
	n.dst.s6_addr[15] = 1;
	sa = mn_addr_add(mn, i3, &a, NULL);
	sn = mn_neigh_add(mn, i3, &n, NULL);
	sr = mn_rule_add(mn, &r, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sa));
	KUNIT_ASSERT_FALSE(test, IS_ERR(sn));
	KUNIT_ASSERT_FALSE(test, IS_ERR(sr));
	KUNIT_EXPECT_PTR_EQ(test, mn_addr_find(mn, i3, &a), sa);
	KUNIT_EXPECT_NULL(test, mn_addr_find(mn, i4, &a));
	a.prefixlen = 16;
	KUNIT_EXPECT_NULL(test, mn_addr_find(mn, i3, &a));
	KUNIT_EXPECT_PTR_EQ(test, mn_neigh_find(mn, i3, &n), sn);
	n.lladdr_len = 0;	/* not part of the key */
	KUNIT_EXPECT_PTR_EQ(test, mn_neigh_find(mn, i3, &n), sn);
	KUNIT_EXPECT_NULL(test, mn_neigh_find(mn, i4, &n));
	KUNIT_EXPECT_PTR_EQ(test, mn_rule_find(mn, &r), sr);
	r.has_priority = 1;
	KUNIT_EXPECT_NULL(test, mn_rule_find(mn, &r));
	KUNIT_EXPECT_EQ(test, mn->objects, 3);
	mn_addr_del(mn, sa);
	mn_neigh_del(mn, sn);
	mn_rule_del(mn, sr);
	KUNIT_EXPECT_EQ(test, mn->objects, 0);
	mn_state_exit(mn);
}

/* Past a cap: -ENOSPC, and the extack names the module parameter. */
static void mn_caps_test(struct kunit *test)
{
	static const uuid_t key = UUID_INIT(0xabcdef01, 0x2345, 0x4678, 0x9a,
					    0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56,
					    0x78);
	struct mn_net *mn = mn_test_state(test);
	struct netlink_ext_ack extack = {};
	struct mn_addr a = { .family = AF_INET, .prefixlen = 8 };
	struct mn_iface *iface;
	unsigned int held;

	iface = mn_iface_get(mn, 3, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(iface));
	mn->objects = 1U << 20;
	KUNIT_EXPECT_EQ(test, PTR_ERR(mn_addr_add(mn, iface, &a, &extack)),
			-ENOSPC);
	KUNIT_ASSERT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_NOT_NULL(test, strstr(extack._msg, "max_objects"));
	mn->objects = 0;

	held = mn->held_ifaces;
	mn->held_ifaces = 1024;
	memset(&extack, 0, sizeof(extack));
	KUNIT_EXPECT_EQ(test, PTR_ERR(mn_iface_get(mn, 0, &key, &extack)),
			-ENOSPC);
	KUNIT_ASSERT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_NOT_NULL(test, strstr(extack._msg, "max_held_ifaces"));
	/* a present netdev is not held: no cap */
	KUNIT_EXPECT_FALSE(test, IS_ERR(mn_iface_get(mn, 5, NULL, &extack)));
	/* nor can a present interface become held past it */
	iface->has_hwkey = false;
	KUNIT_EXPECT_FALSE(test, mn_iface_unbind(mn, iface));
	mn->held_ifaces = held;
	mn_state_exit(mn);
}

/* A present interface with a key goes back to held state. */
static void mn_iface_unbind_test(struct kunit *test)
{
	static const uuid_t key = UUID_INIT(0x01234567, 0x89ab, 0x4def, 0x80,
					    0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
					    0x77);
	struct mn_net *mn = mn_test_state(test);
	struct mn_iface *iface;

	iface = mn_iface_get(mn, 6, NULL, NULL);
	KUNIT_EXPECT_FALSE(test, mn_iface_unbind(mn, iface));
	KUNIT_ASSERT_EQ(test, mn_hwkey_set(mn, 6, &key, false), 0);
	KUNIT_EXPECT_PTR_EQ(test, mn_iface_get(mn, 0, &key, NULL), iface);
	KUNIT_EXPECT_EQ(test, mn->held_ifaces, 0);
	KUNIT_EXPECT_TRUE(test, mn_iface_unbind(mn, iface));
	KUNIT_EXPECT_EQ(test, iface->ifindex, 0);
	KUNIT_EXPECT_EQ(test, mn->held_ifaces, 1);
	KUNIT_EXPECT_NULL(test, mn_iface_find(mn, 6, NULL));
	KUNIT_EXPECT_PTR_EQ(test, mn_iface_find(mn, 0, &key), iface);
	mn_state_exit(mn);
	KUNIT_EXPECT_EQ(test, mn->held_ifaces, 0);
}

/*
 * Merging held state deduplicates: an address, neighbour or route both
 * have is kept once (with the held one's fields), and only the link
 * fields the held state set are taken.
 */
static void mn_iface_merge_dedup_test(struct kunit *test)
{
	static const uuid_t key = UUID_INIT(0x55555555, 0x6666, 0x4777, 0x88,
					    0x88, 0x99, 0x99, 0x99, 0x99, 0x99,
					    0x99);
	struct mn_net *mn = mn_test_state(test);
	struct mn_addr a = { .family = AF_INET, .prefixlen = 24,
			     .valid_lft = 100 }, *cur;
	struct mn_neigh n = { .family = AF_INET, .lladdr_len = 6 };
	struct mn_route r = mn_test_default(AF_INET, 1);
	struct mn_iface *tracked, *held;

	tracked = mn_iface_get(mn, 5, NULL, NULL);
	held = mn_iface_get(mn, 0, &key, NULL);
	a.addr.s6_addr[0] = 192;
	n.dst.s6_addr[0] = 192;
	KUNIT_ASSERT_FALSE(test, IS_ERR(mn_addr_add(mn, tracked, &a, NULL)));
	KUNIT_ASSERT_FALSE(test, IS_ERR(mn_neigh_add(mn, tracked, &n, NULL)));
	KUNIT_ASSERT_EQ(test, mn_route_add(mn, tracked, &r, false, NULL), 0);
	tracked->link.has_mtu = 1;
	tracked->link.mtu = 1400;

	a.valid_lft = 200;
	n.lladdr[0] = 0x02;
	KUNIT_ASSERT_FALSE(test, IS_ERR(mn_addr_add(mn, held, &a, NULL)));
	KUNIT_ASSERT_FALSE(test, IS_ERR(mn_neigh_add(mn, held, &n, NULL)));
	KUNIT_ASSERT_EQ(test, mn_route_add(mn, held, &r, false, NULL), 0);
	a.addr.s6_addr[3] = 7;
	KUNIT_ASSERT_FALSE(test, IS_ERR(mn_addr_add(mn, held, &a, NULL)));
	held->link.has_admin = 1;
	held->link.admin_up = 1;
	KUNIT_EXPECT_EQ(test, mn->objects, 7);
	KUNIT_EXPECT_EQ(test, mn->held_ifaces, 1);

	KUNIT_EXPECT_PTR_EQ(test, mn_iface_merge(mn, tracked, held), tracked);
	KUNIT_EXPECT_EQ(test, mn->objects, 4);
	KUNIT_EXPECT_EQ(test, mn->held_ifaces, 0);
	KUNIT_EXPECT_EQ(test, list_count_nodes(&tracked->addrs), 2);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&tracked->neighs));
	KUNIT_EXPECT_TRUE(test, list_is_singular(&tracked->routes));
	a.addr.s6_addr[3] = 0;
	cur = mn_addr_find(mn, tracked, &a);
	KUNIT_ASSERT_NOT_NULL(test, cur);
	KUNIT_EXPECT_EQ(test, cur->valid_lft, 200);
	KUNIT_EXPECT_EQ(test, list_first_entry(&tracked->neighs,
					       struct mn_neigh,
					       node)->lladdr[0], 0x02);
	KUNIT_EXPECT_TRUE(test, tracked->link.has_mtu);
	KUNIT_EXPECT_EQ(test, tracked->link.mtu, 1400);
	KUNIT_EXPECT_TRUE(test, tracked->link.has_admin);
	mn_state_exit(mn);
}

static struct kunit_case mn_state_cases[] = {
	KUNIT_CASE(mn_route_key_test),
	KUNIT_CASE(mn_held_bind_test),
	KUNIT_CASE(mn_hwkey_index_test),
	KUNIT_CASE(mn_hwkey_stacked_test),
	KUNIT_CASE(mn_iface_merge_test),
	KUNIT_CASE(mn_iface_fold_test),
	KUNIT_CASE(mn_route_key_layout_test),
	KUNIT_CASE(mn_route_replace_v4_test),
	KUNIT_CASE(mn_route_replace_v6_test),
	KUNIT_CASE(mn_object_index_test),
	KUNIT_CASE(mn_caps_test),
	KUNIT_CASE(mn_iface_unbind_test),
	KUNIT_CASE(mn_iface_merge_dedup_test),
	{}
};

static struct kunit_suite mn_state_suite = {
	.name = "mirrornet_state",
	.test_cases = mn_state_cases,
};

kunit_test_suite(mn_state_suite);
