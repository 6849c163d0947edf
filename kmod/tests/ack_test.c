// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the parser of rtnetlink acks read from the module's socket. Every
 * malformed ack is refused as a whole, before any of it is used.
 */

#include <kunit/test.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/netlink.h>

#include "../apply.h"

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

kunit_test_suite(mn_ack_suite);
