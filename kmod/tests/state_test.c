// SPDX-License-Identifier: GPL-2.0
/* KUnit: goal-state indexes, on a state of the test's own. */

#include <kunit/test.h>
#include <linux/slab.h>

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
	struct mn_route *r = kzalloc(sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->key.iface = iface;
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

	iface = mn_iface_get(mn, 3, NULL);
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

	held = mn_iface_get(mn, 0, &key);
	KUNIT_ASSERT_NOT_NULL(test, held);
	KUNIT_EXPECT_EQ(test, held->ifindex, 0);
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(mn, &key), 0);

	KUNIT_ASSERT_EQ(test, mn_hwkey_set(mn, 7, &key, false), 0);
	KUNIT_EXPECT_EQ(test, mn_hwkey_lookup(mn, &key), 7);
	KUNIT_EXPECT_PTR_EQ(test, mn_iface_find(mn, 0, &key), held);
	mn_iface_bind(mn, held, 7);
	KUNIT_EXPECT_PTR_EQ(test, mn_iface_find(mn, 7, NULL), held);
	KUNIT_EXPECT_PTR_EQ(test, mn_iface_get(mn, 7, NULL), held);

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
	by_index = mn_iface_get(mn, 9, NULL);
	KUNIT_ASSERT_NOT_NULL(test, by_index);
	KUNIT_EXPECT_FALSE(test, by_index->has_hwkey);
	by_key = mn_iface_get(mn, 0, &key);
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

	tracked = mn_iface_get(mn, 5, NULL);
	held = mn_iface_get(mn, 0, &key);
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
	KUNIT_EXPECT_PTR_EQ(test, probe.key.iface, tracked);
	KUNIT_EXPECT_PTR_EQ(test, mn_route_find(mn, &probe), r);
	KUNIT_EXPECT_PTR_EQ(test, list_first_entry(&tracked->routes,
						   struct mn_route, node), r);
	mn_state_exit(mn);
}

static struct kunit_case mn_state_cases[] = {
	KUNIT_CASE(mn_route_key_test),
	KUNIT_CASE(mn_held_bind_test),
	KUNIT_CASE(mn_hwkey_index_test),
	KUNIT_CASE(mn_hwkey_stacked_test),
	KUNIT_CASE(mn_iface_merge_test),
	KUNIT_CASE(mn_iface_fold_test),
	{}
};

static struct kunit_suite mn_state_suite = {
	.name = "mirrornet_state",
	.test_cases = mn_state_cases,
};

kunit_test_suite(mn_state_suite);
