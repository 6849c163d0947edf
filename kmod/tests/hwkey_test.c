// SPDX-License-Identifier: GPL-2.0
/* KUnit: hardware-key parsing. */

#include <kunit/test.h>

#include "../hwkey.h"

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

static struct kunit_case mn_hwkey_cases[] = {
	KUNIT_CASE(mn_hwkey_parse_test),
	{}
};

static struct kunit_suite mn_hwkey_suite = {
	.name = "mirrornet_hwkey",
	.test_cases = mn_hwkey_cases,
};
kunit_test_suite(mn_hwkey_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
