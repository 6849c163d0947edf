// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of helper/decode.c: one or more cases per decoding rule. JSON
 * is written with ' for " to stay readable; J() turns it back.
 */
#include <arpa/inet.h>
#include <fnmatch.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "decode.h"

#define G	"6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8"
#define BG	"{" G "}"
#define HOSTNAME_MAX_TEST	253

/* G in RFC 4122 order, and as type 55 carries it (reference §1.5). */
static const uint8_t g_bytes[16] = {
	0x6f, 0x1c, 0x2a, 0x3b, 0x4d, 0x5e, 0x4f, 0x60,
	0x81, 0x72, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8,
};
static const uint8_t g_win[16] = {
	0x3b, 0x2a, 0x1c, 0x6f, 0x5e, 0x4d, 0x60, 0x4f,
	0x81, 0x72, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8,
};

/* The message of the last ok(); freed by the next one and at the end. */
static struct gns_msg m;

static const char *J(const char *s)
{
	static char buf[16384];
	size_t i;

	for (i = 0; s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = s[i] == '\'' ? '"' : s[i];
	buf[i] = 0;
	return buf;
}

static const uint8_t *adapter_for(enum gns_kind kind)
{
	return kind == GNS_NOTIFICATION ? g_win : NULL;
}

static void check_err_text(const char *err)
{
	size_t len = strnlen(err, GNS_ERR_LEN);
	size_t i;

	assert_true(len > 0 && len < GNS_ERR_LEN);
	for (i = 0; i < len; i++)
		if ((uint8_t)err[i] < 0x20 || (uint8_t)err[i] >= 0x7f)
			fail_msg("error text has byte %#x: %s", err[i], err);
}

static struct gns_msg *ok_raw(enum gns_kind kind, const char *text,
			      size_t len)
{
	char err[GNS_ERR_LEN];

	gns_msg_free(&m);
	if (gns_decode(kind, text, len, adapter_for(kind), &m, err))
		fail_msg("%s %.*s: %s", gns_kind_name(kind), (int)len, text,
			 err);
	assert_int_equal(m.kind, kind);
	return &m;
}

static struct gns_msg *ok(enum gns_kind kind, const char *text)
{
	text = J(text);
	return ok_raw(kind, text, strlen(text));
}

/* @want is the exact error, or a pattern when it holds a '*'. */
static void bad_raw(enum gns_kind kind, const char *text, size_t len,
		    const char *want)
{
	char err[GNS_ERR_LEN];
	struct gns_msg x;
	if (!gns_decode(kind, text, len, adapter_for(kind), &x, err)) {
		gns_msg_free(&x);
		fail_msg("%s %.*s: decoded, want error %s",
			 gns_kind_name(kind), (int)len, text, want);
	}
	assert_null(x.json);
	check_err_text(err);
	if (strchr(want, '*') ? fnmatch(want, err, FNM_NOESCAPE) :
				strcmp(err, want))
		fail_msg("%.*s:\n got  %s\n want %s", (int)len, text, err,
			 want);
}

static void bad(enum gns_kind kind, const char *text, const char *want)
{
	text = J(text);
	bad_raw(kind, text, strlen(text), want);
}

/* A ModifyGuestEndpointSettingRequest for type 65. */
static const char *req(const char *request, const char *resource,
		       const char *settings)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf),
		 "{'RequestType':'%s','ResourceType':'%s','Settings':%s,"
		 "'targetDeviceName':'" BG "'}", request, resource, settings);
	return buf;
}

static struct gns_setting *ok65(const char *request, const char *resource,
				const char *settings)
{
	return &ok(GNS_DEVICE_SETTING, req(request, resource,
					   settings))->setting;
}

static void bad65(const char *request, const char *resource,
		  const char *settings, const char *want)
{
	bad(GNS_DEVICE_SETTING, req(request, resource, settings), want);
}

static void assert_ip(const struct gns_ip *ip, int af, const char *text)
{
	uint8_t a[16] = { 0 };

	assert_int_equal(ip->family, af);
	assert_int_equal(inet_pton(af, text, a), 1);
	assert_memory_equal(ip->a, a, 16);
}

static void assert_target_g(const struct gns_target *t)
{
	assert_true(t->is_guid);
	assert_memory_equal(t->guid.b, g_bytes, 16);
	assert_string_equal(t->name, "");
}

/* GUIDs */

static void test_guid_parse(void **state)
{
	static const char *const forms[] = {
		G, "6F1C2A3B-4D5E-4F60-8172-93A4B5C6D7E8", BG,
		"{6f1c2A3B-4d5E-4F60-8172-93a4B5c6D7e8}",
	};
	struct gns_guid g;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		memset(&g, 0, sizeof(g));
		assert_int_equal(gns_guid_parse(forms[i], &g), 0);
		assert_memory_equal(g.b, g_bytes, 16);
	}
}

static void test_guid_parse_bad(void **state)
{
	static const char *const bad_forms[] = {
		"", "{", "{}", "{" G, G "}", "(" G ")", "{" G "}x",
		"6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e", /* 35 */
		"6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8a", /* 37 */
		"6f1c2a3b4d5e-4f60-8172-93a4b5c6d7e8a", /* dash moved */
		"6f1c2a3b-4d5e-4f60-8172+93a4b5c6d7e8",
		"6f1c2a3g-4d5e-4f60-8172-93a4b5c6d7e8",
		"6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7 8",
		"6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8 ",
		" 6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8",
		"x6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8x", "{" G "x",
		"6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8\n",
	};
	struct gns_guid g, zero = { { 0 } };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_forms) / sizeof(bad_forms[0]); i++) {
		memset(&g, 0, sizeof(g));
		if (gns_guid_parse(bad_forms[i], &g) != -1)
			fail_msg("parsed \"%s\"", bad_forms[i]);
		/* A failed parse leaves the output alone. */
		assert_memory_equal(&g, &zero, sizeof(g));
	}
}

static void test_guid_from_windows(void **state)
{
	struct gns_guid g;
	char s[37];

	(void)state;
	gns_guid_from_windows(g_win, &g);
	assert_memory_equal(g.b, g_bytes, 16);
	gns_guid_format(&g, s);
	assert_string_equal(s, G);
}

static void test_guid_format(void **state)
{
	struct gns_guid g, back;
	char s[37];
	int i;

	(void)state;
	for (i = 0; i < 16; i++)
		g.b[i] = (uint8_t)(0xf0 + i);
	gns_guid_format(&g, s);
	assert_string_equal(s, "f0f1f2f3-f4f5-f6f7-f8f9-fafbfcfdfeff");
	assert_int_equal(gns_guid_parse(s, &back), 0);
	assert_memory_equal(&back, &g, sizeof(g));
}

/* targetDeviceName */

static void test_target_guid(void **state)
{
	struct gns_target t;
	char err[GNS_ERR_LEN];

	(void)state;
	assert_int_equal(gns_target_parse(BG, &t, err), 0);
	assert_target_g(&t);
	assert_int_equal(gns_target_parse("{6F1C2A3B-4D5E-4F60-8172-"
					  "93A4B5C6D7E8}", &t, err), 0);
	assert_target_g(&t);
}

static void test_target_name(void **state)
{
	static const char *const names[] = {
		"eth0", "loopback0", "_wlan0", "a", "...", ".a", "a..",
		"123456789012345", "eth0.100", "br-lan", "w\xc3\xa9",
		"x%d",
	};
	struct gns_target t;
	char err[GNS_ERR_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (gns_target_parse(names[i], &t, err))
			fail_msg("\"%s\": %s", names[i], err);
		assert_false(t.is_guid);
		assert_string_equal(t.name, names[i]);
	}
}

static void test_target_bad(void **state)
{
	static const char *const names[] = {
		".", "..", "a/b", "/", "a:b", "a b", " a", "a\t", "a\nb",
		"a\vb", "a\fb", "a\rb", "a\xa0", "1234567890123456",
		G,
	};
	struct gns_target t;
	char err[GNS_ERR_LEN], want[GNS_ERR_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!gns_target_parse(names[i], &t, err))
			fail_msg("accepted \"%s\"", names[i]);
		check_err_text(err);
		assert_true(strstr(err, "is not a valid interface name"));
	}
	assert_int_equal(gns_target_parse("a/b", &t, err), -1);
	assert_string_equal(err, "targetDeviceName: \"a/b\" is not a valid "
			    "interface name");
	assert_int_equal(gns_target_parse("", &t, err), -1);
	assert_string_equal(err, "targetDeviceName: empty");
	assert_int_equal(gns_target_parse("{xyz", &t, err), -1);
	assert_string_equal(err, "targetDeviceName: \"{xyz\" is not a braced "
			    "GUID");
	assert_int_equal(gns_target_parse("{" G, &t, err), -1);
	assert_int_equal(gns_target_parse("{}", &t, err), -1);
	assert_int_equal(gns_target_parse(BG "}", &t, err), -1);
	snprintf(want, sizeof(want), "targetDeviceName: \"{%s\" is not a "
		 "braced GUID", G);
	assert_int_equal(gns_target_parse("{" G, &t, err), -1);
	assert_string_equal(err, want);
}

static void test_target_format(void **state)
{
	struct gns_target t;
	char err[GNS_ERR_LEN], out[40];

	(void)state;
	assert_int_equal(gns_target_parse("{" "6F1C2A3B-4D5E-4F60-8172-"
					  "93A4B5C6D7E8}", &t, err), 0);
	gns_target_format(&t, out);
	assert_string_equal(out, BG);
	assert_int_equal(gns_target_parse("123456789012345", &t, err), 0);
	gns_target_format(&t, out);
	assert_string_equal(out, "123456789012345");
}

static void test_enum_names(void **state)
{
	(void)state;
	assert_string_equal(gns_request_name(GNS_REQ_ADD), "Add");
	assert_string_equal(gns_request_name(GNS_REQ_RESET), "Reset");
	assert_string_equal(gns_request_name((enum gns_request_type)5),
			    "unknown");
	assert_string_equal(gns_resource_name(GNS_RES_IPADDRESS),
			    "IPAddress");
	assert_string_equal(gns_resource_name(GNS_RES_MACADDRESS),
			    "MacAddress");
	assert_string_equal(gns_resource_name(GNS_RES_PORT), "Port");
	assert_string_equal(gns_resource_name((enum gns_resource)-1),
			    "unknown");
}

/* Payload rules common to every kind */

static void test_not_requests(void **state)
{
	(void)state;
	bad(GNS_RESULT, "{}", "message type Result is not a request");
	bad(GNS_KIND_UNKNOWN, "{}", "message type unknown is not a request");
	bad((enum gns_kind)99, "{}", "message type unknown is not a request");
	/* DNS tunneling frames belong on their own channel. */
	bad(GNS_DNS_TUNNELING, "{}",
	    "a DNS channel message, refused on the GNS channel");
	bad_raw(GNS_DNS_TUNNELING, "", 0,
		"a DNS channel message, refused on the GNS channel");
}

static void test_empty_payload(void **state)
{
	static const enum gns_kind kinds[] = {
		GNS_INTERFACE_CONFIGURATION, GNS_NOTIFICATION,
		GNS_VMNIC_CREATED, GNS_CREATE_DEVICE, GNS_MODIFY_GUEST_DEVICE,
		GNS_LOOPBACK_ROUTES, GNS_DEVICE_SETTING,
		GNS_INITIAL_IP_CONFIGURATION, GNS_SETUP_IPV6,
		GNS_INTERFACE_NET_FILTER, GNS_CONNECT_TEST,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		bad_raw(kinds[i], "", 0, "empty payload");
}

static void test_text_ignored(void **state)
{
	(void)state;
	/* SetupIpv6 needs text but does not parse it. */
	ok(GNS_SETUP_IPV6, "{}");
	ok(GNS_SETUP_IPV6, "not json at all [");
	assert_null(m.json);
	ok_raw(GNS_NOOP, "", 0);
	ok(GNS_NOOP, "{'x':");
	ok_raw(GNS_GLOBAL_NET_FILTER, "", 0);
	ok(GNS_GLOBAL_NET_FILTER, "garbage");
	assert_null(m.json);
	/* The helper passes no text for kinds that carry none. */
	ok_raw(GNS_NOOP, NULL, 0);
	ok_raw(GNS_GLOBAL_NET_FILTER, NULL, 0);
}

static void test_connect_test(void **state)
{
	char name[HOSTNAME_MAX_TEST + 2];

	(void)state;
	assert_string_equal(ok(GNS_CONNECT_TEST, "www.msftconnecttest.com")
			    ->hostname, "www.msftconnecttest.com");
	assert_null(m.json);
	assert_string_equal(ok(GNS_CONNECT_TEST, "ipv6.msftconnecttest.com")
			    ->hostname, "ipv6.msftconnecttest.com");
	/* Only @len bytes count: the text is not NUL-terminated. */
	assert_string_equal(ok_raw(GNS_CONNECT_TEST, "a-b.c9XYZ", 5)->hostname,
			    "a-b.c");
	memset(name, 'a', sizeof(name));
	assert_int_equal(strlen(ok_raw(GNS_CONNECT_TEST, name,
				       HOSTNAME_MAX_TEST)->hostname),
			 HOSTNAME_MAX_TEST);
	bad_raw(GNS_CONNECT_TEST, name, HOSTNAME_MAX_TEST + 1,
		"hostname: 254 bytes, more than 253");
}

static void test_connect_test_bad(void **state)
{
	static const char *const names[] = {
		"a b", "a_b", "a/b", "a:80", "{}", "a\x80", "\xc3\xa9",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		bad_raw(GNS_CONNECT_TEST, names[i], strlen(names[i]),
			"hostname: *");
	bad_raw(GNS_CONNECT_TEST, "evil\ncom", 8,
		"hostname: \"evil\\x0acom\" has a byte outside "
		"A-Z a-z 0-9 . -");
}

static void test_json_syntax(void **state)
{
	(void)state;
	bad(GNS_VMNIC_CREATED, "{'adapterId':}", "JSON: 1:14: *");
	bad(GNS_VMNIC_CREATED, "{'adapterId':'" G "'", "JSON: 1:*");
	/* Trailing garbage after the document. */
	bad(GNS_VMNIC_CREATED, "{'adapterId':'" G "'} x", "JSON: *");
	bad(GNS_VMNIC_CREATED, "{'adapterId':'" G "'}{}", "JSON: *");
	/* Duplicate keys. */
	bad(GNS_VMNIC_CREATED, "{'adapterId':'" G "','adapterId':'" G "'}",
	    "JSON: *duplicate*");
	/* \u0000 cannot hide a NUL inside a string. */
	bad(GNS_DEVICE_SETTING, req("Update", "DNS",
				    "{'Options':'a\\u0000b'}"), "JSON: *");
	/* Invalid UTF-8 (the reply text stays ASCII). */
	bad(GNS_VMNIC_CREATED, "{'adapterId':'\xff'}", "JSON: *");
	bad(GNS_VMNIC_CREATED, "{'adapterId':'\xc3'}", "JSON: *");
	/* jansson quotes raw bytes of the input: they are masked. */
	bad(GNS_VMNIC_CREATED, "[1,\n\x01]",
	    "JSON: 2:1: invalid token near '?'");
	bad(GNS_VMNIC_CREATED, "{'adapterId':\xc3\xa9}",
	    "JSON: 1:14: invalid token near '?\?'");
	/* Second line: the position is line 2. */
	bad(GNS_VMNIC_CREATED, "{\n'adapterId' 1}", "JSON: 2:*");
}

static void test_json_root(void **state)
{
	(void)state;
	bad(GNS_VMNIC_CREATED, "['" G "']",
	    "JSON: expected an object, got an array");
	bad(GNS_VMNIC_CREATED, "42",
	    "JSON: expected an object, got an integer");
	bad(GNS_VMNIC_CREATED, "'x'", "JSON: expected an object, got a string");
	bad(GNS_VMNIC_CREATED, "null", "JSON: expected an object, got null");
	bad(GNS_DEVICE_SETTING, "true",
	    "JSON: expected an object, got a boolean");
}

/* A route whose Metric is @num as written. */
static const char *metric(const char *num)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "{'Family':2,'DestinationPrefix':"
		 "'10.0.0.0/8','NextHop':'0.0.0.0','Metric':%s}", num);
	return buf;
}

static void test_json_numbers(void **state)
{
	(void)state;
	assert_int_equal(ok65("Add", "Route", metric("-0"))->route.metric, 0);
	assert_int_equal(ok65("Add", "Route", metric("4294967295"))
			 ->route.metric, 4294967295u);
	bad65("Add", "Route", metric("1e2"),
	      "Settings.Metric: expected an integer, got a real number");
	bad65("Add", "Route", metric("1.5E-3"),
	      "Settings.Metric: expected an integer, got a real number");
	bad65("Add", "Route", metric("9223372036854775807"),
	      "Settings.Metric: 9223372036854775807 is out of range "
	      "0..4294967295");
	bad65("Add", "Route", metric("-9223372036854775808"),
	      "Settings.Metric: -9223372036854775808 is out of range "
	      "0..4294967295");
	/* RFC 8259's grammar, with jansson's texts and columns */
	bad65("Add", "Route", metric("9223372036854775808"),
	      "JSON: 1:*: too big integer near '9223372036854775808'");
	bad65("Add", "Route", metric("-9223372036854775809"),
	      "JSON: 1:*: too big negative integer near *");
	bad65("Add", "Route", metric("1e400"),
	      "JSON: 1:*: real number overflow near '1e400'");
	bad65("Add", "Route", metric("01"), "JSON: 1:*: invalid token near '0'");
	bad65("Add", "Route", metric("1."), "JSON: 1:*: invalid token near '1.'");
	bad65("Add", "Route", metric("1.e5"),
	      "JSON: 1:*: invalid token near '1.'");
	bad65("Add", "Route", metric("1e+"),
	      "JSON: 1:*: invalid token near '1e+'");
	bad65("Add", "Route", metric("-"), "JSON: 1:*: invalid token near '-'");
	bad65("Add", "Route", metric("+1"), "JSON: 1:*: invalid token near '+'");
	bad65("Add", "Route", metric(".5"), "JSON: 1:*: invalid token near '.'");
	bad65("Add", "Route", metric("0x10"),
	      "JSON: 1:*: '}' expected near 'x'");
	bad65("Add", "Route", metric("tru"),
	      "JSON: 1:*: invalid token near 'tru'");
	bad65("Add", "Route", metric("nulll"),
	      "JSON: 1:*: invalid token near 'nulll'");
	bad(GNS_VMNIC_CREATED, "{'adapterId':'" G "',}",
	    "JSON: 1:*: string or '}' expected near '}'");
	bad(GNS_VMNIC_CREATED, "{'adapterId':'" G "','x':[1,]}",
	    "JSON: 1:*: unexpected token near ']'");
	bad(GNS_VMNIC_CREATED, "{'adapterId':'" G "','x':[1",
	    "JSON: 1:*: ']' expected near end of file");
}

static void test_json_strings(void **state)
{
	struct gns_dns *d;

	(void)state;
	/* escapes decoded; a surrogate pair is one 4-byte character */
	d = &ok65("Update", "DNS", "{'Options':'\\ud83d\\ude00\\u00e9\\u20ac"
		  "\\\"\\\\\\/\\b\\f\\n\\r\\t'}")->dns;
	assert_string_equal(d->options, "\xf0\x9f\x98\x80\xc3\xa9\xe2\x82\xac"
			    "\"\\/\b\f\n\r\t");
	/* plain runs, escapes and UTF-8 in turn; a string cut short */
	d = &ok65("Update", "DNS", "{'Options':'ab\\ncd\xc3\xa9" "ef\\u0041gh~"
		  "\x7f'}")->dns;
	assert_string_equal(d->options, "ab\ncd\xc3\xa9" "efAgh~\x7f");
	bad(GNS_VMNIC_CREATED, "{'x':'abc",
	    "JSON: 1:*: premature end of input near *");
	bad65("Update", "DNS", "{'Options':'\\ud800'}",
	      "JSON: 1:*: invalid Unicode '\\uD800' near *");
	bad65("Update", "DNS", "{'Options':'\\udc00'}",
	      "JSON: 1:*: invalid Unicode '\\uDC00' near *");
	bad65("Update", "DNS", "{'Options':'\\ud800\\u0041'}",
	      "JSON: 1:*: invalid Unicode '\\uD800\\u0041' near *");
	bad65("Update", "DNS", "{'Options':'\\u12'}",
	      "JSON: 1:*: invalid escape near *");
	bad65("Update", "DNS", "{'Options':'\\x'}",
	      "JSON: 1:*: invalid escape near *");
	bad(GNS_VMNIC_CREATED, "{'adapterId':'" G "','\\u0000':1}",
	    "JSON: 1:*: NUL byte in object key not supported near *");
	/* UTF-8 by RFC 3629: no overlong form, no surrogate, <= U+10FFFF */
	bad(GNS_VMNIC_CREATED, "{'x':'\xe0\x80\x80'}",
	    "JSON: 1:6: unable to decode byte 0xe0 near '\"'");
	bad(GNS_VMNIC_CREATED, "{'x':'\xed\xa0\x80'}",
	    "JSON: 1:6: unable to decode byte 0xed near '\"'");
	bad(GNS_VMNIC_CREATED, "{'x':'\xf4\x90\x80\x80'}",
	    "JSON: 1:6: unable to decode byte 0xf4 near '\"'");
	bad(GNS_VMNIC_CREATED, "{'x':'a\tb'}",
	    "JSON: 1:7: control character 0x9 near '\"a'");
	/* columns count characters, not bytes */
	bad(GNS_VMNIC_CREATED, "{'\xc3\xa9\xe2\x82\xac':1 2}",
	    "JSON: 1:9: '}' expected near '2'");
}

/* Nesting is bounded: the parser keeps an explicit stack, no recursion. */
static void test_json_depth(void **state)
{
	char text[256];
	int n;

	(void)state;
	/* the root object and 31 arrays */
	n = snprintf(text, sizeof(text), "{\"adapterId\":\"" G "\",\"x\":"
		     "%.31s%.31s}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
		     "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	assert_memory_equal(ok_raw(GNS_VMNIC_CREATED, text, (size_t)n)->vmnic
			    .adapter.b, g_bytes, sizeof(g_bytes));
	n = snprintf(text, sizeof(text), "{\"adapterId\":\"" G "\",\"x\":"
		     "%.32s%.32s}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
		     "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	bad_raw(GNS_VMNIC_CREATED, text, (size_t)n,
		"JSON: 1:*: maximum parsing depth reached near '['");
}

/* Many keys, long strings, a truncated payload: bounded and exact. */
static void test_json_big(void **state)
{
	static char text[200000];
	size_t n, i;

	(void)state;
	n = (size_t)sprintf(text, "{\"adapterId\":\"" G "\"");
	for (i = 0; i < 5000; i++)
		n += (size_t)sprintf(text + n, ",\"k%zu\":[%zu,{}]", i, i);
	text[n] = '}';
	ok_raw(GNS_VMNIC_CREATED, text, n + 1);
	/* every prefix is refused, never read past */
	for (i = 1; i <= n; i += 997)
		bad_raw(GNS_VMNIC_CREATED, text, i, "JSON: *");
	/* a duplicate among many keys, found when the object closes */
	n += (size_t)sprintf(text + n, ",\"k4999\":0}");
	bad_raw(GNS_VMNIC_CREATED, text, n, "JSON: *duplicate object key*");
	/* a 100 000-byte string value */
	n = (size_t)sprintf(text, "{\"RequestType\":\"Update\",\"ResourceType\":"
			    "\"DNS\",\"targetDeviceName\":\"" BG "\","
			    "\"Settings\":{\"Options\":\"");
	memset(text + n, 'o', 100000);
	n += 100000;
	n += (size_t)sprintf(text + n, "\"}}");
	assert_int_equal(strlen(ok_raw(GNS_DEVICE_SETTING, text, n)->setting
				.dns.options), 100000);
}

static void test_null_is_absent(void **state)
{
	struct gns_create_device *c;

	(void)state;
	bad(GNS_VMNIC_CREATED, "{'adapterId':null}", "adapterId: missing");
	c = &ok(GNS_CREATE_DEVICE, "{'type':'Loopback','deviceName':null,"
		"'flags':null,'lowerEdgeAdapterId':null,"
		"'lowerEdgeDeviceName':null}")->create;
	assert_false(c->has_lower);
	assert_int_equal(c->flags, 0);
	assert_string_equal(c->device_name, "");
	assert_false(ok(GNS_MODIFY_GUEST_DEVICE, "{'ResourceType':'Interface',"
			"'RequestType':null,'targetDeviceName':null}")
		     ->setting.has_target);
	bad(GNS_DEVICE_SETTING, "{'RequestType':'Add','ResourceType':'DNS',"
	    "'Settings':null,'targetDeviceName':'eth0'}", "Settings: missing");
}

static void test_keys(void **state)
{
	(void)state;
	/* Unknown keys are ignored, whatever their type. */
	ok(GNS_VMNIC_CREATED, "{'adapterId':'" G "','x':[1,{}],'y':null}");
	assert_memory_equal(m.vmnic.adapter.b, g_bytes, 16);
	/* Key names are case-sensitive. */
	bad(GNS_VMNIC_CREATED, "{'adapterid':'" G "'}", "adapterId: missing");
	bad(GNS_VMNIC_CREATED, "{'AdapterId':'" G "'}", "adapterId: missing");
	bad(GNS_INITIAL_IP_CONFIGURATION, "{'TargetDeviceName':'eth0'}",
	    "targetDeviceName: missing");
	bad65("Add", "Route", "{'family':2,'DestinationPrefix':'0.0.0.0/0',"
	      "'NextHop':'0.0.0.0'}", "Settings.Family: missing");
}

static void test_wrong_types(void **state)
{
	(void)state;
	bad65("Add", "Interface", "{'Metric':'35'}",
	      "Settings.Metric: expected an integer, got a string");
	bad65("Add", "Interface", "{'NlMtu':1500.0}",
	      "Settings.NlMtu: expected an integer, got a real number");
	bad65("Add", "Interface", "{'NlMtu':true}",
	      "Settings.NlMtu: expected an integer, got a boolean");
	bad65("Add", "Interface", "{'Connected':1}",
	      "Settings.Connected: expected a boolean, got an integer");
	bad65("Add", "Interface", "{'Connected':'true'}",
	      "Settings.Connected: expected a boolean, got a string");
	bad65("Add", "DNS", "{'ServerList':['1.1.1.1']}",
	      "Settings.ServerList: expected a string, got an array");
	bad65("Add", "DNS", "{'Domain':0}",
	      "Settings.Domain: expected a string, got an integer");
	bad65("Add", "IPAddress", "{'Family':'2'}",
	      "Settings.Family: expected an integer, got a string");
	bad(GNS_VMNIC_CREATED, "{'adapterId':{}}",
	    "adapterId: expected a string, got an object");
	bad(GNS_INITIAL_IP_CONFIGURATION, "{'targetDeviceName':7}",
	    "targetDeviceName: expected a string, got an integer");
	bad(GNS_CREATE_DEVICE, "{'type':'Loopback','lowerEdgeDeviceName':1}",
	    "lowerEdgeDeviceName: expected a string, got an integer");
	bad(GNS_DEVICE_SETTING, "{'RequestType':'Add','ResourceType':'DNS',"
	    "'Settings':[],'targetDeviceName':'eth0'}",
	    "Settings: expected an object, got an array");
	bad(GNS_DEVICE_SETTING, "{'RequestType':'Add','ResourceType':'DNS',"
	    "'Settings':'{}','targetDeviceName':'eth0'}",
	    "Settings: expected an object, got a string");
}

static void test_int_ranges(void **state)
{
	(void)state;
	bad65("Add", "Interface", "{'Metric':-1}",
	      "Settings.Metric: -1 is out of range 0..4294967295");
	bad65("Add", "Interface", "{'Metric':4294967296}",
	      "Settings.Metric: 4294967296 is out of range 0..4294967295");
	assert_int_equal(ok65("Add", "Interface", "{'Metric':4294967295}")
			 ->link.metric, 4294967295u);
	bad65("Add", "IPAddress", "{'Family':65538,'Address':'1.2.3.4',"
	      "'OnLinkPrefixLength':8}",
	      "Settings.Family: 65538 is out of range 0..65535");
	bad65("Add", "IPAddress", "{'Family':2,'Address':'1.2.3.4',"
	      "'OnLinkPrefixLength':8,'PrefixOrigin':256}",
	      "Settings.PrefixOrigin: 256 is out of range 0..255");
	bad65("Add", "IPAddress", "{'Family':2,'Address':'1.2.3.4',"
	      "'OnLinkPrefixLength':8,'SuffixOrigin':-4}",
	      "Settings.SuffixOrigin: -4 is out of range 0..255");
	bad(GNS_INTERFACE_NET_FILTER, "{'operation':'Remove',"
	    "'targetDeviceName':'eth0','ephemeralPortRangeEnd':65536}",
	    "ephemeralPortRangeEnd: 65536 is out of range 0..65535");
	bad(GNS_INITIAL_IP_CONFIGURATION, "{'targetDeviceName':'eth0',"
	    "'flags':-3}", "flags: -3 is out of range 0..4294967295");
	/* Beyond int64: jansson refuses the number itself. */
	bad(GNS_INITIAL_IP_CONFIGURATION, "{'targetDeviceName':'eth0',"
	    "'flags':99999999999999999999}", "JSON: *");
}

static void test_enum_strict(void **state)
{
	(void)state;
	bad(GNS_DEVICE_SETTING, "{'RequestType':'Frobnicate',"
	    "'ResourceType':'DNS','Settings':{},'targetDeviceName':'eth0'}",
	    "RequestType: \"Frobnicate\" is not one of Add, Remove, Update, "
	    "Refresh, Reset");
	bad(GNS_DEVICE_SETTING, "{'RequestType':'add','ResourceType':'DNS',"
	    "'Settings':{},'targetDeviceName':'eth0'}",
	    "RequestType: \"add\" is not one of *");
	bad(GNS_DEVICE_SETTING, "{'RequestType':0,'ResourceType':'DNS',"
	    "'Settings':{},'targetDeviceName':'eth0'}",
	    "RequestType: expected a string, got an integer");
	bad(GNS_DEVICE_SETTING, "{'RequestType':'Add','ResourceType':'Dns',"
	    "'Settings':{},'targetDeviceName':'eth0'}",
	    "ResourceType: \"Dns\" is not one of Interface, Route, IPAddress, "
	    "DNS, MacAddress, Neighbor, Port");
	bad(GNS_DEVICE_SETTING, "{'RequestType':'Add','ResourceType':3,"
	    "'Settings':{},'targetDeviceName':'eth0'}",
	    "ResourceType: expected a string, got an integer");
	bad(GNS_CREATE_DEVICE, "{'type':'Tunnel'}",
	    "type: \"Tunnel\" is not one of Bond, Loopback, VirtualWifi, "
	    "VirtualTunnel, VirtualCellular");
	bad(GNS_INTERFACE_NET_FILTER, "{'operation':'Delete',"
	    "'targetDeviceName':'eth0'}",
	    "operation: \"Delete\" is not one of Create, Update, Remove");
	bad(GNS_LOOPBACK_ROUTES, "{'operation':1,'targetDeviceName':'eth0',"
	    "'family':2,'ipAddress':'1.2.3.4'}",
	    "operation: expected a string, got an integer");
}

static void test_error_text(void **state)
{
	char json[1024];

	(void)state;
	/* Control bytes are escaped: the reply stays one line. */
	bad65("Add", "Route", "{'Family':2,'DestinationPrefix':'1.2.3.0/24',"
	      "'NextHop':'1.1.1.1\\nx\\\"y\\\\'}",
	      "Settings.NextHop: \"1.1.1.1\\x0ax\\\"y\\\\\" is not an IPv4 "
	      "address");
	/* Non-ASCII bytes too. */
	bad(GNS_VMNIC_CREATED, "{'adapterId':'\xc3\xa9'}",
	    "adapterId: \"\\xc3\\xa9\" is not a GUID");
	/* A long value is cut with "...": the text fits GNS_ERR_LEN. */
	snprintf(json, sizeof(json), "{'adapterId':'%0500d'}", 0);
	bad(GNS_VMNIC_CREATED, json, "adapterId: \"0000000000*...\" is not a "
	    "GUID");
}

/* 53 InterfaceConfiguration */

static const char ifconfig_wifi[] =
	"{'DNSServerList':'','GatewayAddress':'','ID':'" G "','IPAddress':'',"
	"'InterfaceConstraint':{'InterfaceAlias':'Wi-Fi','InterfaceGuid':'"
	G "','InterfaceIndex':17,'InterfaceMediaType':0},'MacAddress':"
	"'00-15-5D-AA-BB-CC','Name':'ep-wifi','PortFriendlyName':'wlan0',"
	"'PrefixLength':0,'VirtualNetwork':'0c9d8e7f-6a5b-4c3d-2e1f-"
	"000000000001','VirtualNetworkName':'mirrored'}";

static void test_ifconfig_examples(void **state)
{
	struct gns_ifconfig *c;

	(void)state;
	c = &ok(GNS_INTERFACE_CONFIGURATION, ifconfig_wifi)->ifconfig;
	assert_memory_equal(c->id.b, g_bytes, 16);
	assert_string_equal(c->port_name, "wlan0");
	assert_false(c->has_ipv4);
	assert_int_equal(c->prefixlen, 0);
	c = &ok(GNS_INTERFACE_CONFIGURATION, "{'DNSServerList':'',"
		"'ID':'11111111-2222-3333-4444-555555555555','IPAddress':'',"
		"'PortFriendlyName':'loopback0','PrefixLength':0}")->ifconfig;
	assert_int_equal(c->id.b[0], 0x11);
	assert_int_equal(c->id.b[15], 0x55);
	assert_string_equal(c->port_name, "loopback0");
}

static void test_ifconfig_rules(void **state)
{
	struct gns_ifconfig *c;

	(void)state;
	/* Only ID is required; "" keeps the name. */
	c = &ok(GNS_INTERFACE_CONFIGURATION, "{'ID':'" BG "'}")->ifconfig;
	assert_memory_equal(c->id.b, g_bytes, 16);
	assert_string_equal(c->port_name, "");
	assert_string_equal(ok(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "',"
			       "'PortFriendlyName':''}")->ifconfig.port_name,
			    "");
	bad(GNS_INTERFACE_CONFIGURATION, "{'PortFriendlyName':'eth0'}",
	    "ID: missing");
	bad(GNS_INTERFACE_CONFIGURATION, "{'ID':'xyz'}",
	    "ID: \"xyz\" is not a GUID");
	bad(GNS_INTERFACE_CONFIGURATION, "{'ID':''}", "ID: \"\" is not a GUID");
	bad(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "','PortFriendlyName':"
	    "'wlan 0'}", "PortFriendlyName: \"wlan 0\" is not a valid "
	    "interface name");
	bad(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "','PortFriendlyName':"
	    "'0123456789abcdef'}", "PortFriendlyName: *");
	/* NAT mode: an IPv4 address with its prefix. */
	c = &ok(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "','IPAddress':"
		"'172.20.1.2','PrefixLength':20}")->ifconfig;
	assert_true(c->has_ipv4);
	assert_memory_equal(c->ipv4, "\xac\x14\x01\x02", 4);
	assert_int_equal(c->prefixlen, 20);
	assert_int_equal(ok(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "',"
			    "'IPAddress':'1.2.3.4','PrefixLength':32}")
			 ->ifconfig.prefixlen, 32);
	bad(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "','IPAddress':"
	    "'172.20.1.2'}", "PrefixLength: must be 1..32 with IPAddress");
	bad(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "','IPAddress':"
	    "'172.20.1.2','PrefixLength':0}",
	    "PrefixLength: must be 1..32 with IPAddress");
	bad(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "','IPAddress':"
	    "'172.20.1.2','PrefixLength':33}",
	    "PrefixLength: 33 is out of range 0..32");
	bad(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "','PrefixLength':33}",
	    "PrefixLength: 33 is out of range 0..32");
	bad(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "','IPAddress':5}",
	    "IPAddress: expected a string, got an integer");
	bad(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "','IPAddress':'::1',"
	    "'PrefixLength':8}", "IPAddress: \"::1\" is not an IPv4 address");
	bad(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "','IPAddress':'1.2.3',"
	    "'PrefixLength':8}", "IPAddress: \"1.2.3\" is not an IPv4 address");
	bad(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "','IPAddress':"
	    "'1.2.3.04','PrefixLength':8}", "IPAddress: *");
	/* Keys the guest does not use are not checked. */
	ok(GNS_INTERFACE_CONFIGURATION, "{'ID':'" G "','MacAddress':5,"
	   "'VirtualNetwork':'x','Name':[]}");
}

/* 61 VmNicCreatedNotification */

static void test_vmnic(void **state)
{
	(void)state;
	assert_memory_equal(ok(GNS_VMNIC_CREATED, "{'adapterId':'" G "'}")
			    ->vmnic.adapter.b, g_bytes, 16);
	assert_memory_equal(ok(GNS_VMNIC_CREATED, "{'adapterId':'" BG "'}")
			    ->vmnic.adapter.b, g_bytes, 16);
	bad(GNS_VMNIC_CREATED, "{}", "adapterId: missing");
	bad(GNS_VMNIC_CREATED, "{'adapterId':'" G "x'}",
	    "adapterId: \"" G "x\" is not a GUID");
	/* WSL would take the zero GUID here; an error is clearer. */
	bad(GNS_VMNIC_CREATED, "{'adapterId':''}",
	    "adapterId: \"\" is not a GUID");
}

/* 62 CreateDeviceRequest */

static void test_create_device(void **state)
{
	static const char *const types[] = {
		"Bond", "Loopback", "VirtualWifi", "VirtualTunnel",
		"VirtualCellular",
	};
	struct gns_create_device *c;
	char json[128];
	size_t i;

	(void)state;
	c = &ok(GNS_CREATE_DEVICE, "{'deviceName':'loopback0','flags':0,"
		"'lowerEdgeAdapterId':'11111111-2222-3333-4444-555555555555',"
		"'type':'Loopback'}")->create;
	assert_int_equal(c->type, GNS_DEV_LOOPBACK);
	assert_string_equal(c->device_name, "loopback0");
	assert_int_equal(c->flags, 0);
	assert_true(c->has_lower);
	assert_int_equal(c->lower.b[0], 0x11);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		snprintf(json, sizeof(json), "{'type':'%s'}", types[i]);
		c = &ok(GNS_CREATE_DEVICE, json)->create;
		assert_int_equal(c->type, i);
		assert_false(c->has_lower);
		assert_string_equal(c->device_name, "");
	}
	c = &ok(GNS_CREATE_DEVICE, "{'type':'Loopback','flags':1,"
		"'deviceName':'','lowerEdgeDeviceName':'any / thing'}")->create;
	assert_int_equal(c->flags, 1);
	assert_int_equal(ok(GNS_CREATE_DEVICE, "{'type':'Bond','flags':"
			    "4294967295}")->create.flags, 0xffffffffu);
	bad(GNS_CREATE_DEVICE, "{'deviceName':'x'}", "type: missing");
	bad(GNS_CREATE_DEVICE, "{'type':'Loopback','deviceName':'a:b'}",
	    "deviceName: \"a:b\" is not a valid interface name");
	bad(GNS_CREATE_DEVICE, "{'type':'Loopback','flags':-1}",
	    "flags: -1 is out of range 0..4294967295");
	bad(GNS_CREATE_DEVICE, "{'type':'Loopback','lowerEdgeAdapterId':''}",
	    "lowerEdgeAdapterId: \"\" is not a GUID");
	bad(GNS_CREATE_DEVICE, "{'type':'Loopback','lowerEdgeAdapterId':"
	    "'" BG "}'}", "lowerEdgeAdapterId: *");
}

/* 64 LoopbackRoutesRequest */

static void test_loopback_routes(void **state)
{
	struct gns_loopback_route *l;

	(void)state;
	l = &ok(GNS_LOOPBACK_ROUTES, "{'family':2,'ipAddress':'192.168.1.42',"
		"'operation':'Create','targetDeviceName':'" BG "'}")->loopback;
	assert_int_equal(l->op, GNS_OP_CREATE);
	assert_target_g(&l->target);
	assert_ip(&l->ip, AF_INET, "192.168.1.42");
	l = &ok(GNS_LOOPBACK_ROUTES, "{'family':23,'ipAddress':'2001:db8::5',"
		"'operation':'Remove','targetDeviceName':'eth1'}")->loopback;
	assert_int_equal(l->op, GNS_OP_REMOVE);
	assert_string_equal(l->target.name, "eth1");
	assert_ip(&l->ip, AF_INET6, "2001:db8::5");
	assert_int_equal(ok(GNS_LOOPBACK_ROUTES, "{'family':2,'ipAddress':"
			    "'1.2.3.4','operation':'Update',"
			    "'targetDeviceName':'eth1'}")->loopback.op,
			 GNS_OP_UPDATE);
	bad(GNS_LOOPBACK_ROUTES, "{'family':2,'ipAddress':'1.2.3.4',"
	    "'targetDeviceName':'eth1'}", "operation: missing");
	bad(GNS_LOOPBACK_ROUTES, "{'family':2,'ipAddress':'1.2.3.4',"
	    "'operation':'Create'}", "targetDeviceName: missing");
	bad(GNS_LOOPBACK_ROUTES, "{'family':2,'ipAddress':'1.2.3.4',"
	    "'operation':'Create','targetDeviceName':'{xyz'}",
	    "targetDeviceName: \"{xyz\" is not a braced GUID");
	bad(GNS_LOOPBACK_ROUTES, "{'ipAddress':'1.2.3.4',"
	    "'operation':'Create','targetDeviceName':'eth1'}",
	    "family: missing");
	bad(GNS_LOOPBACK_ROUTES, "{'family':10,'ipAddress':'1.2.3.4',"
	    "'operation':'Create','targetDeviceName':'eth1'}",
	    "family: 10 is neither 2 (IPv4) nor 23 (IPv6)");
	bad(GNS_LOOPBACK_ROUTES, "{'family':2,'operation':'Create',"
	    "'targetDeviceName':'eth1'}", "ipAddress: missing");
	bad(GNS_LOOPBACK_ROUTES, "{'family':23,'ipAddress':'1.2.3.4',"
	    "'operation':'Create','targetDeviceName':'eth1'}",
	    "ipAddress: \"1.2.3.4\" is not an IPv6 address");
	bad(GNS_LOOPBACK_ROUTES, "{'family':2,'ipAddress':'1.2.3.4/32',"
	    "'operation':'Create','targetDeviceName':'eth1'}",
	    "ipAddress: \"1.2.3.4/32\" is not an IPv4 address");
}

/* 68 InitialIpConfigurationNotification */

static void test_initial_ip(void **state)
{
	struct gns_initial_ip *i;

	(void)state;
	i = &ok(GNS_INITIAL_IP_CONFIGURATION, "{'flags':3,'targetDeviceName':"
		"'" BG "'}")->initial;
	assert_int_equal(i->flags, 3);
	assert_target_g(&i->target);
	i = &ok(GNS_INITIAL_IP_CONFIGURATION, "{'targetDeviceName':'eth0'}")
		->initial;
	assert_int_equal(i->flags, 0);
	assert_string_equal(i->target.name, "eth0");
	bad(GNS_INITIAL_IP_CONFIGURATION, "{'flags':3}",
	    "targetDeviceName: missing");
	bad(GNS_INITIAL_IP_CONFIGURATION, "{'targetDeviceName':''}",
	    "targetDeviceName: empty");
	bad(GNS_INITIAL_IP_CONFIGURATION, "{'targetDeviceName':'eth0',"
	    "'flags':'3'}", "flags: expected an integer, got a string");
}

/* 73 InterfaceNetFilter */

static void test_netfilter(void **state)
{
	struct gns_netfilter *n;

	(void)state;
	n = &ok(GNS_INTERFACE_NET_FILTER, "{'ephemeralPortRangeEnd':53247,"
		"'ephemeralPortRangeStart':49152,'operation':'Create',"
		"'targetDeviceName':'" BG "'}")->netfilter;
	assert_int_equal(n->op, GNS_OP_CREATE);
	assert_target_g(&n->target);
	assert_int_equal(n->port_start, 49152);
	assert_int_equal(n->port_end, 53247);
	n = &ok(GNS_INTERFACE_NET_FILTER, "{'ephemeralPortRangeEnd':0,"
		"'ephemeralPortRangeStart':0,'operation':'Remove',"
		"'targetDeviceName':'" BG "'}")->netfilter;
	assert_int_equal(n->op, GNS_OP_REMOVE);
	assert_int_equal(n->port_start, 0);
	/* Ports default to 0; only Create needs a range. */
	assert_int_equal(ok(GNS_INTERFACE_NET_FILTER, "{'operation':'Update',"
			    "'targetDeviceName':'eth0'}")->netfilter.op,
			 GNS_OP_UPDATE);
	n = &ok(GNS_INTERFACE_NET_FILTER, "{'ephemeralPortRangeEnd':65535,"
		"'ephemeralPortRangeStart':65535,'operation':'Create',"
		"'targetDeviceName':'eth0'}")->netfilter;
	assert_int_equal(n->port_start, 65535);
	assert_int_equal(ok(GNS_INTERFACE_NET_FILTER, "{'ephemeralPortRange"
			    "End':1,'ephemeralPortRangeStart':1,'operation':"
			    "'Create','targetDeviceName':'eth0'}")
			 ->netfilter.port_end, 1);
	bad(GNS_INTERFACE_NET_FILTER, "{'operation':'Create',"
	    "'targetDeviceName':'eth0'}",
	    "ephemeralPortRangeStart: 0..0 is not a port range (Create needs "
	    "1 <= start <= end)");
	bad(GNS_INTERFACE_NET_FILTER, "{'ephemeralPortRangeEnd':100,"
	    "'operation':'Create','targetDeviceName':'eth0'}",
	    "ephemeralPortRangeStart: 0..100 is not a port range*");
	bad(GNS_INTERFACE_NET_FILTER, "{'ephemeralPortRangeEnd':49152,"
	    "'ephemeralPortRangeStart':53247,'operation':'Create',"
	    "'targetDeviceName':'eth0'}",
	    "ephemeralPortRangeStart: 53247..49152 is not a port range*");
	bad(GNS_INTERFACE_NET_FILTER, "{'ephemeralPortRangeStart':65536,"
	    "'operation':'Remove','targetDeviceName':'eth0'}",
	    "ephemeralPortRangeStart: 65536 is out of range 0..65535");
	bad(GNS_INTERFACE_NET_FILTER, "{'targetDeviceName':'eth0'}",
	    "operation: missing");
	bad(GNS_INTERFACE_NET_FILTER, "{'operation':'Remove'}",
	    "targetDeviceName: missing");
}

/* 63 ModifyGuestDeviceSettingRequest */

static void test_modify_examples(void **state)
{
	struct gns_setting *s;

	(void)state;
	s = &ok(GNS_MODIFY_GUEST_DEVICE, "{'RequestType':'Add','ResourceType':"
		"'Interface','Settings':{'Connected':true,'Metric':35,"
		"'NlMtu':1500},'targetDeviceName':'" BG "'}")->setting;
	assert_int_equal(s->request, GNS_REQ_ADD);
	assert_int_equal(s->resource, GNS_RES_INTERFACE);
	assert_true(s->has_target);
	assert_target_g(&s->target);
	assert_true(s->link.connected);
	assert_int_equal(s->link.mtu, 1500);
	assert_int_equal(s->link.metric, 35);
	s = &ok(GNS_MODIFY_GUEST_DEVICE, "{'RequestType':'Add','ResourceType':"
		"'Interface','Settings':{'Connected':false,'Metric':35,"
		"'NlMtu':1500},'targetDeviceName':'" BG "'}")->setting;
	assert_false(s->link.connected);
	/* The host's "no MTU known". */
	assert_int_equal(ok(GNS_MODIFY_GUEST_DEVICE, "{'ResourceType':"
			    "'Interface','Settings':{'Connected':true,"
			    "'NlMtu':4294967295},'targetDeviceName':'eth0'}")
			 ->setting.link.mtu, 0xffffffffu);
}

static void test_modify_rules(void **state)
{
	struct gns_setting *s;

	(void)state;
	/* RequestType defaults to Add, but must be valid when present. */
	s = &ok(GNS_MODIFY_GUEST_DEVICE, "{'ResourceType':'Interface',"
		"'Settings':{},'targetDeviceName':'eth0'}")->setting;
	assert_int_equal(s->request, GNS_REQ_ADD);
	assert_false(s->link.connected);
	assert_int_equal(s->link.mtu, 0);
	assert_int_equal(s->link.metric, 0);
	assert_int_equal(ok(GNS_MODIFY_GUEST_DEVICE, "{'RequestType':'Update',"
			    "'ResourceType':'Interface','Settings':{},"
			    "'targetDeviceName':'eth0'}")->setting.request,
			 GNS_REQ_UPDATE);
	bad(GNS_MODIFY_GUEST_DEVICE, "{'RequestType':'Bogus','ResourceType':"
	    "'Interface','Settings':{},'targetDeviceName':'eth0'}",
	    "RequestType: \"Bogus\" is not one of *");
	bad(GNS_MODIFY_GUEST_DEVICE, "{'Settings':{},'targetDeviceName':"
	    "'eth0'}", "ResourceType: missing");
	/* Not Interface, or no target: success, Settings not read. */
	s = &ok(GNS_MODIFY_GUEST_DEVICE, "{'ResourceType':'Route','Settings':"
		"5,'targetDeviceName':'eth0'}")->setting;
	assert_int_equal(s->resource, GNS_RES_ROUTE);
	assert_true(s->has_target);
	assert_string_equal(s->target.name, "eth0");
	s = &ok(GNS_MODIFY_GUEST_DEVICE, "{'ResourceType':'Interface',"
		"'Settings':{'Connected':7}}")->setting;
	assert_int_equal(s->resource, GNS_RES_INTERFACE);
	assert_false(s->has_target);
	/* With both, Settings is required and decoded. */
	bad(GNS_MODIFY_GUEST_DEVICE, "{'ResourceType':'Interface',"
	    "'targetDeviceName':'eth0'}", "Settings: missing");
	bad(GNS_MODIFY_GUEST_DEVICE, "{'ResourceType':'Interface',"
	    "'Settings':[],'targetDeviceName':'eth0'}",
	    "Settings: expected an object, got an array");
	bad(GNS_MODIFY_GUEST_DEVICE, "{'ResourceType':'Interface',"
	    "'Settings':{'NlMtu':-1},'targetDeviceName':'eth0'}",
	    "Settings.NlMtu: -1 is out of range 0..4294967295");
	/* A present target must be valid. */
	bad(GNS_MODIFY_GUEST_DEVICE, "{'ResourceType':'Route',"
	    "'targetDeviceName':'a b'}",
	    "targetDeviceName: \"a b\" is not a valid interface name");
}

/* 65 DeviceSettingRequest */

static void test_setting_required(void **state)
{
	(void)state;
	bad(GNS_DEVICE_SETTING, "{'ResourceType':'DNS','Settings':{},"
	    "'targetDeviceName':'eth0'}", "RequestType: missing");
	bad(GNS_DEVICE_SETTING, "{'RequestType':'Add','Settings':{},"
	    "'targetDeviceName':'eth0'}", "ResourceType: missing");
	bad(GNS_DEVICE_SETTING, "{'RequestType':'Add','ResourceType':'DNS',"
	    "'targetDeviceName':'eth0'}", "Settings: missing");
	bad(GNS_DEVICE_SETTING, "{'RequestType':'Add','ResourceType':'DNS',"
	    "'Settings':{}}", "targetDeviceName: missing");
	bad(GNS_DEVICE_SETTING, "{'RequestType':'Add','ResourceType':'DNS',"
	    "'Settings':{},'targetDeviceName':'" G "'}",
	    "targetDeviceName: *");
	assert_int_equal(ok65("Refresh", "DNS", "{}")->request,
			 GNS_REQ_REFRESH);
	assert_int_equal(ok65("Remove", "DNS", "{}")->request, GNS_REQ_REMOVE);
}

static void test_addr_examples(void **state)
{
	struct gns_setting *s;

	(void)state;
	s = ok65("Add", "IPAddress", "{'Address':'192.168.1.42','Family':2,"
		 "'OnLinkPrefixLength':24,'PreferredLifetime':4294967295,"
		 "'PrefixOrigin':3,'SuffixOrigin':3}");
	assert_int_equal(s->resource, GNS_RES_IPADDRESS);
	assert_true(s->has_target);
	assert_target_g(&s->target);
	assert_ip(&s->addr.ip, AF_INET, "192.168.1.42");
	assert_int_equal(s->addr.prefixlen, 24);
	assert_int_equal(s->addr.prefix_origin, 3);
	assert_int_equal(s->addr.suffix_origin, 3);
	assert_int_equal(s->addr.preferred_lft, GNS_LFT_FOREVER);
	assert_int_equal(s->addr.valid_lft, GNS_LFT_FOREVER);
	assert_int_equal(s->addr.scope, RT_SCOPE_UNIVERSE);
	assert_false(s->addr.nodad);
	/* SLAAC public address: deprecated in Linux. */
	s = ok65("Update", "IPAddress", "{'Address':'2001:db8:1:2:215:5dff:"
		 "feaa:bbcc','Family':23,'OnLinkPrefixLength':64,"
		 "'PreferredLifetime':4294967295,'PrefixOrigin':4,"
		 "'SuffixOrigin':4}");
	assert_int_equal(s->request, GNS_REQ_UPDATE);
	assert_ip(&s->addr.ip, AF_INET6, "2001:db8:1:2:215:5dff:feaa:bbcc");
	assert_int_equal(s->addr.prefixlen, 64);
	assert_int_equal(s->addr.preferred_lft, 0);
	assert_int_equal(s->addr.valid_lft, GNS_LFT_FOREVER);
	assert_int_equal(s->addr.scope, RT_SCOPE_UNIVERSE);
	assert_true(s->addr.nodad);
}

static void test_addr_translation(void **state)
{
	struct gns_addr *a;

	(void)state;
	/* Temporary address (RA + Random): preferred. */
	a = &ok65("Add", "IPAddress", "{'Address':'2001:db8::7','Family':23,"
		  "'OnLinkPrefixLength':64,'PreferredLifetime':100,"
		  "'PrefixOrigin':4,'SuffixOrigin':5}")->addr;
	assert_int_equal(a->preferred_lft, GNS_LFT_FOREVER);
	/* PreferredLifetime 0, or absent: deprecated. */
	a = &ok65("Add", "IPAddress", "{'Address':'10.0.0.1','Family':2,"
		  "'OnLinkPrefixLength':8,'PreferredLifetime':0,"
		  "'PrefixOrigin':1,'SuffixOrigin':1}")->addr;
	assert_int_equal(a->preferred_lft, 0);
	a = &ok65("Add", "IPAddress", "{'Address':'10.0.0.1','Family':2,"
		  "'OnLinkPrefixLength':8}")->addr;
	assert_int_equal(a->preferred_lft, 0);
	assert_int_equal(a->prefix_origin, 0);
	assert_int_equal(a->suffix_origin, 0);
	assert_int_equal(a->valid_lft, GNS_LFT_FOREVER);
	/* WellKnown prefix with a link-layer suffix: link scope. */
	a = &ok65("Add", "IPAddress", "{'Address':'fe80::215:5dff:feaa:bbcc',"
		  "'Family':23,'OnLinkPrefixLength':64,'PreferredLifetime':1,"
		  "'PrefixOrigin':2,'SuffixOrigin':4}")->addr;
	assert_int_equal(a->scope, RT_SCOPE_LINK);
	assert_int_equal(a->preferred_lft, GNS_LFT_FOREVER);
	a = &ok65("Add", "IPAddress", "{'Address':'169.254.1.1','Family':2,"
		  "'OnLinkPrefixLength':16,'PreferredLifetime':1,"
		  "'PrefixOrigin':2,'SuffixOrigin':2}")->addr;
	assert_int_equal(a->scope, RT_SCOPE_UNIVERSE);
	/* Prefix lengths up to the family's size. */
	assert_int_equal(ok65("Add", "IPAddress", "{'Address':'::1','Family':"
			      "23,'OnLinkPrefixLength':128}")->addr.prefixlen,
			 128);
	assert_int_equal(ok65("Add", "IPAddress", "{'Address':'1.2.3.4',"
			      "'Family':2,'OnLinkPrefixLength':0}")
			 ->addr.prefixlen, 0);
}

static void test_addr_bad(void **state)
{
	(void)state;
	bad65("Add", "IPAddress", "{'Address':'1.2.3.4',"
	      "'OnLinkPrefixLength':8}", "Settings.Family: missing");
	bad65("Add", "IPAddress", "{'Address':'1.2.3.4','Family':7,"
	      "'OnLinkPrefixLength':8}",
	      "Settings.Family: 7 is neither 2 (IPv4) nor 23 (IPv6)");
	bad65("Add", "IPAddress", "{'Address':'1.2.3.4','Family':10,"
	      "'OnLinkPrefixLength':8}",
	      "Settings.Family: 10 is neither 2 (IPv4) nor 23 (IPv6)");
	bad65("Add", "IPAddress", "{'Family':2,'OnLinkPrefixLength':8}",
	      "Settings.Address: missing");
	bad65("Add", "IPAddress", "{'Address':'2001:db8::1','Family':2,"
	      "'OnLinkPrefixLength':8}",
	      "Settings.Address: \"2001:db8::1\" is not an IPv4 address");
	bad65("Add", "IPAddress", "{'Address':'1.2.3.4','Family':23,"
	      "'OnLinkPrefixLength':8}",
	      "Settings.Address: \"1.2.3.4\" is not an IPv6 address");
	bad65("Add", "IPAddress", "{'Address':'','Family':2,"
	      "'OnLinkPrefixLength':8}", "Settings.Address: *");
	bad65("Add", "IPAddress", "{'Address':'1.2.3.4','Family':2}",
	      "Settings.OnLinkPrefixLength: missing");
	bad65("Add", "IPAddress", "{'Address':'1.2.3.4','Family':2,"
	      "'OnLinkPrefixLength':33}",
	      "Settings.OnLinkPrefixLength: 33 is out of range 0..32");
	bad65("Add", "IPAddress", "{'Address':'::1','Family':23,"
	      "'OnLinkPrefixLength':129}",
	      "Settings.OnLinkPrefixLength: 129 is out of range 0..128");
	bad65("Add", "IPAddress", "{'Address':'1.2.3.4','Family':2,"
	      "'OnLinkPrefixLength':8,'PreferredLifetime':4294967296}",
	      "Settings.PreferredLifetime: 4294967296 is out of range "
	      "0..4294967295");
}

static void test_route_examples(void **state)
{
	struct gns_route *r;

	(void)state;
	r = &ok65("Add", "Route", "{'DestinationPrefix':'0.0.0.0/0',"
		  "'Family':2,'Metric':35,'NextHop':'192.168.1.1',"
		  "'SitePrefixLength':0}")->route;
	assert_true(r->is_default);
	assert_int_equal(r->dst_len, 0);
	assert_ip(&r->dst, AF_INET, "0.0.0.0");
	assert_true(r->has_gateway);
	assert_ip(&r->gateway, AF_INET, "192.168.1.1");
	assert_int_equal(r->metric, 35);
	assert_true(r->onlink);
	r = &ok65("Add", "Route", "{'DestinationPrefix':'192.168.1.0/24',"
		  "'Family':2,'Metric':291,'NextHop':'0.0.0.0',"
		  "'SitePrefixLength':0}")->route;
	assert_false(r->is_default);
	assert_ip(&r->dst, AF_INET, "192.168.1.0");
	assert_int_equal(r->dst_len, 24);
	assert_false(r->has_gateway);
	assert_int_equal(r->gateway.family, 0);
	assert_int_equal(r->metric, 291);
	assert_false(r->onlink);
	r = &ok65("Add", "Route", "{'DestinationPrefix':'10.8.0.1/32',"
		  "'Family':2,'Metric':1,'NextHop':'0.0.0.0',"
		  "'SitePrefixLength':32}")->route;
	assert_ip(&r->dst, AF_INET, "10.8.0.1");
	assert_int_equal(r->dst_len, 32);
	assert_false(r->has_gateway);
	r = &ok65("Update", "Route", "{'DestinationPrefix':'::/0',"
		  "'Family':23,'Metric':291,'NextHop':'fe80::1',"
		  "'SitePrefixLength':0}")->route;
	assert_true(r->is_default);
	assert_ip(&r->dst, AF_INET6, "::");
	assert_ip(&r->gateway, AF_INET6, "fe80::1");
	assert_true(r->onlink);
	/* Notification (55) default route, NAT style. */
	r = &ok(GNS_NOTIFICATION, "{'RequestType':'Add','ResourceType':"
		"'Route','Settings':{'DestinationPrefix':'0.0.0.0/0',"
		"'Family':2,'Metric':0,'NextHop':'172.20.0.1',"
		"'SitePrefixLength':0}}")->setting.route;
	assert_true(r->is_default);
	assert_ip(&r->gateway, AF_INET, "172.20.0.1");
}

static void test_route_onlink(void **state)
{
	struct gns_route *r;

	(void)state;
	/* A prefix route through an ordinary gateway is not onlink. */
	r = &ok65("Add", "Route", "{'DestinationPrefix':'10.1.0.0/16',"
		  "'Family':2,'NextHop':'10.0.0.1'}")->route;
	assert_true(r->has_gateway);
	assert_false(r->onlink);
	assert_int_equal(r->metric, 0);
	r = &ok65("Add", "Route", "{'DestinationPrefix':'10.1.0.0/16',"
		  "'Family':2,'NextHop':'169.254.3.4'}")->route;
	assert_true(r->onlink);
	r = &ok65("Add", "Route", "{'DestinationPrefix':'10.1.0.0/16',"
		  "'Family':2,'NextHop':'169.253.3.4'}")->route;
	assert_false(r->onlink);
	r = &ok65("Add", "Route", "{'DestinationPrefix':'2001:db8::/32',"
		  "'Family':23,'NextHop':'febf::1'}")->route;
	assert_true(r->onlink);
	r = &ok65("Add", "Route", "{'DestinationPrefix':'2001:db8::/32',"
		  "'Family':23,'NextHop':'fec0::1'}")->route;
	assert_false(r->onlink);
	assert_int_equal(r->dst_len, 32);
	/* The default route through any gateway is onlink. */
	r = &ok65("Add", "Route", "{'DestinationPrefix':'::/0','Family':23,"
		  "'NextHop':'2001:db8::1'}")->route;
	assert_true(r->onlink);
	/* Default route without a gateway ("default dev X"). */
	r = &ok65("Add", "Route", "{'DestinationPrefix':'0.0.0.0/0',"
		  "'Family':2,'NextHop':'0.0.0.0'}")->route;
	assert_true(r->is_default);
	assert_false(r->has_gateway);
	assert_false(r->onlink);
}

static void test_route_prefix_bad(void **state)
{
	static const char *const v4[] = {
		"10.0.0.0", "10.0.0.0/", "/8", "10.0.0.0/abc", "10.0.0.0/8/8",
		"10.0.0.0/0008", "10.0.0.0/-8", "10.0.0.0/+8", "10.0.0.0/ 8",
		"10.0.0.0 /8", "10.0.0/8", "0/0", "", "fe80::/10",
		"1.2.3.4.5/32", "1111111111222222222233333333334444444444/8",
	};
	char settings[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		snprintf(settings, sizeof(settings), "{'Family':2,"
			 "'DestinationPrefix':'%s','NextHop':'0.0.0.0'}",
			 v4[i]);
		bad65("Add", "Route", settings,
		      "Settings.DestinationPrefix: *");
	}
	bad65("Add", "Route", "{'Family':2,'DestinationPrefix':'10.0.0.5/8',"
	      "'NextHop':'0.0.0.0'}",
	      "Settings.DestinationPrefix: \"10.0.0.5/8\" has host bits set");
	bad65("Add", "Route", "{'Family':2,'DestinationPrefix':"
	      "'10.0.0.192/25','NextHop':'0.0.0.0'}", "*host bits set");
	bad65("Add", "Route", "{'Family':23,'DestinationPrefix':"
	      "'2001:db8::1/64','NextHop':'::'}", "*host bits set");
	bad65("Add", "Route", "{'Family':23,'DestinationPrefix':"
	      "'2001:db8:4000::/33','NextHop':'::'}", "*host bits set");
	bad65("Add", "Route", "{'Family':2,'DestinationPrefix':'10.0.0.0/33',"
	      "'NextHop':'0.0.0.0'}", "Settings.DestinationPrefix: "
	      "\"10.0.0.0/33\": length 33 is more than 32");
	bad65("Add", "Route", "{'Family':23,'DestinationPrefix':'::1/129',"
	      "'NextHop':'::'}", "Settings.DestinationPrefix: \"::1/129\": "
	      "length 129 is more than 128");
	/* The other family's default route. */
	bad65("Add", "Route", "{'Family':2,'DestinationPrefix':'::/0',"
	      "'NextHop':'0.0.0.0'}", "Settings.DestinationPrefix: "
	      "\"::/0\" is not an IPv4 prefix");
	bad65("Add", "Route", "{'Family':23,'DestinationPrefix':'0.0.0.0/0',"
	      "'NextHop':'::'}", "Settings.DestinationPrefix: "
	      "\"0.0.0.0/0\" is not an IPv6 prefix");
	/* A default route spelt otherwise is refused, not half-accepted. */
	bad65("Add", "Route", "{'Family':2,'DestinationPrefix':'0.0.0.0/00',"
	      "'NextHop':'0.0.0.0'}", "Settings.DestinationPrefix: "
	      "\"0.0.0.0/00\": length 0 is only valid as \"0.0.0.0/0\"");
	bad65("Add", "Route", "{'Family':23,'DestinationPrefix':'0::/0',"
	      "'NextHop':'::'}", "*length 0 is only valid as \"::/0\"");
	bad65("Add", "Route", "{'Family':2,'NextHop':'0.0.0.0'}",
	      "Settings.DestinationPrefix: missing");
	/* Up to three digits, leading zeros allowed. */
	assert_int_equal(ok65("Add", "Route", "{'Family':2,"
			      "'DestinationPrefix':'10.0.0.0/008',"
			      "'NextHop':'0.0.0.0'}")->route.dst_len, 8);
	assert_int_equal(ok65("Add", "Route", "{'Family':23,"
			      "'DestinationPrefix':'2001:db8::1/128',"
			      "'NextHop':'::'}")->route.dst_len, 128);
}

static void test_route_nexthop(void **state)
{
	struct gns_route *r;

	(void)state;
	/* Any all-zero address of the family means on-link. */
	r = &ok65("Add", "Route", "{'Family':23,'DestinationPrefix':"
		  "'2001:db8::/64','NextHop':'0:0::0'}")->route;
	assert_false(r->has_gateway);
	r = &ok65("Add", "Route", "{'Family':23,'DestinationPrefix':"
		  "'2001:db8::/64','NextHop':'::'}")->route;
	assert_false(r->has_gateway);
	bad65("Add", "Route", "{'Family':2,'DestinationPrefix':'10.0.0.0/8'}",
	      "Settings.NextHop: missing");
	bad65("Add", "Route", "{'Family':2,'DestinationPrefix':'10.0.0.0/8',"
	      "'NextHop':'::'}",
	      "Settings.NextHop: \"::\" is not an IPv4 address");
	bad65("Add", "Route", "{'Family':23,'DestinationPrefix':'::/0',"
	      "'NextHop':'0.0.0.0'}",
	      "Settings.NextHop: \"0.0.0.0\" is not an IPv6 address");
	bad65("Add", "Route", "{'Family':2,'DestinationPrefix':'10.0.0.0/8',"
	      "'NextHop':''}", "Settings.NextHop: \"\" is not an IPv4 address");
	bad65("Add", "Route", "{'Family':2,'DestinationPrefix':'10.0.0.0/8',"
	      "'NextHop':'0.0.0.0','Metric':-1}",
	      "Settings.Metric: -1 is out of range 0..4294967295");
	/* SitePrefixLength is typed but otherwise unused. */
	bad65("Add", "Route", "{'Family':2,'DestinationPrefix':'10.0.0.0/8',"
	      "'NextHop':'0.0.0.0','SitePrefixLength':256}",
	      "Settings.SitePrefixLength: 256 is out of range 0..255");
	bad65("Add", "Route", "{'Family':2,'DestinationPrefix':'10.0.0.0/8',"
	      "'NextHop':'0.0.0.0','SitePrefixLength':'8'}",
	      "Settings.SitePrefixLength: expected an integer, got a string");
}

static void test_route_reset(void **state)
{
	struct gns_route *r, zero;

	(void)state;
	r = &ok65("Reset", "Route", "{'Family':23}")->route;
	assert_int_equal(r->dst.family, AF_INET6);
	memset(&zero, 0, sizeof(zero));
	zero.dst.family = AF_INET6;
	assert_memory_equal(r, &zero, sizeof(zero));
	assert_int_equal(ok65("Reset", "Route", "{'Family':2,"
			      "'DestinationPrefix':'junk'}")->route.dst.family,
			 AF_INET);
	bad65("Reset", "Route", "{}", "Settings.Family: missing");
	bad65("Reset", "Route", "{'Family':3}", "Settings.Family: 3 is *");
	bad65("Add", "Route", "{}", "Settings.Family: missing");
}

static void test_dns_example(void **state)
{
	static const char settings[] = "{'Domain':'','Options':'# This file "
		"was automatically generated by WSL.\\n','Search':"
		"'corp.example.com,example.com','ServerList':'10.255.255.254'}";
	struct gns_dns *d;
	const char *doc;

	(void)state;
	d = &ok65("Update", "DNS", settings)->dns;
	assert_string_equal(d->options, "# This file was automatically "
			    "generated by WSL.\n");
	/* Options points into m.json, whose strings take its first bytes. */
	doc = m.json;
	assert_true(d->options > doc && d->options + strlen(d->options) <
		    doc + strlen(J(req("Update", "DNS", settings))));
	assert_int_equal(d->n_servers, 1);
	assert_string_equal(d->servers[0], "10.255.255.254");
	assert_int_equal(d->n_search, 2);
	assert_string_equal(d->search[0], "corp.example.com");
	assert_string_equal(d->search[1], "example.com");
}

static void test_dns_lists(void **state)
{
	struct gns_dns *d;

	(void)state;
	d = &ok65("Update", "DNS", "{}")->dns;
	assert_string_equal(d->options, "");
	assert_int_equal(d->n_servers, 0);
	assert_int_equal(d->n_search, 0);
	d = &ok65("Add", "DNS", "{'ServerList':' 1.1.1.1 , ,8.8.8.8,,"
		  "2001:4860:4860::8888, ','Search':',a_b, c-d ,,x,'}")->dns;
	assert_int_equal(d->n_servers, 3);
	assert_string_equal(d->servers[0], "1.1.1.1");
	assert_string_equal(d->servers[1], "8.8.8.8");
	assert_string_equal(d->servers[2], "2001:4860:4860::8888");
	assert_int_equal(d->n_search, 3);
	assert_string_equal(d->search[0], "a_b");
	assert_string_equal(d->search[1], "c-d");
	assert_string_equal(d->search[2], "x");
	d = &ok65("Add", "DNS", "{'ServerList':' , ,','Search':'  '}")->dns;
	assert_int_equal(d->n_servers, 0);
	assert_int_equal(d->n_search, 0);
}

/* No cap: a Windows host sends every suffix it knows (§2.13 D1). */
static void test_dns_many(void **state)
{
	char settings[16384];
	struct gns_dns *d;
	size_t i, o;

	(void)state;
	o = (size_t)snprintf(settings, sizeof(settings), "{'ServerList':'");
	for (i = 0; i < 40; i++)
		o += (size_t)snprintf(settings + o, sizeof(settings) - o,
				      "10.0.0.%zu,", i + 1);
	o += (size_t)snprintf(settings + o, sizeof(settings) - o,
			      "','Search':'");
	for (i = 0; i < 300; i++)
		o += (size_t)snprintf(settings + o, sizeof(settings) - o,
				      "d%zu.corp.example,", i);
	snprintf(settings + o, sizeof(settings) - o, "'}");
	d = &ok65("Add", "DNS", settings)->dns;
	assert_int_equal(d->n_dropped, 0);
	assert_string_equal(d->dropped, "");
	assert_int_equal(d->n_servers, 40);
	assert_string_equal(d->servers[0], "10.0.0.1");
	assert_string_equal(d->servers[39], "10.0.0.40");
	assert_int_equal(d->n_search, 300);
	assert_string_equal(d->search[0], "d0.corp.example");
	assert_string_equal(d->search[299], "d299.corp.example");
}

/* Names resolvers take, whatever the bytes, as long as the line holds. */
static void test_dns_odd_but_safe(void **state)
{
	char settings[1024], name[300];
	struct gns_dns *d;

	(void)state;
	d = &ok65("Add", "DNS", "{'Search':'a;b,x#y,\xc3\xa9t\xc3\xa9.example,"
		  "under_score.example,trailing.dot.,Caps.EXAMPLE,"
		  "a+b=c!~.example,'}")->dns;
	assert_int_equal(d->n_dropped, 0);
	assert_int_equal(d->n_search, 7);
	assert_string_equal(d->search[0], "a;b");
	assert_string_equal(d->search[1], "x#y");
	assert_string_equal(d->search[2], "\xc3\xa9t\xc3\xa9.example");
	assert_string_equal(d->search[3], "under_score.example");
	assert_string_equal(d->search[4], "trailing.dot.");
	assert_string_equal(d->search[5], "Caps.EXAMPLE");
	assert_string_equal(d->search[6], "a+b=c!~.example");
	/* 253 bytes in labels of 63 fit, and a final dot on top */
	memset(name, 'a', 253);
	name[63] = name[127] = name[191] = '.';
	name[253] = 0;
	snprintf(settings, sizeof(settings), "{'Search':'x, %s ,%s.'}", name,
		 name);
	d = &ok65("Add", "DNS", settings)->dns;
	assert_int_equal(d->n_dropped, 0);
	assert_int_equal(d->n_search, 3);
	assert_string_equal(d->search[1], name);
}

/* What a resolver cannot use is dropped and named; the rest is kept. */
static void test_dns_dropped(void **state)
{
	char settings[1024], name[300], label[65];
	struct gns_dns *d;

	(void)state;
	/* a newline cannot smuggle a line into resolv.conf */
	d = &ok65("Add", "DNS", "{'ServerList':'1.1.1.1\\nnameserver 6.6.6.6,"
		  "9.9.9.9,dns.google,fe80::1%eth0,\\t1.1.1.1,"
		  "2001:db8::53','Search':'ok.com,bad\\ncom,a b,"
		  "tab\\tx,del\\u007f,back\\\\slash,a..b,.lead,also.ok'}")->dns;
	assert_int_equal(d->n_servers, 2);
	assert_string_equal(d->servers[0], "9.9.9.9");
	assert_string_equal(d->servers[1], "2001:db8::53");
	assert_int_equal(d->n_search, 2);
	assert_string_equal(d->search[0], "ok.com");
	assert_string_equal(d->search[1], "also.ok");
	assert_int_equal(d->n_dropped, 11);
	assert_string_equal(d->dropped,
		"ServerList \"1.1.1.1\\x0anameserver 6.6.6.6\" (not an IP "
		"address), ServerList \"dns.google\" (not an IP address), "
		"ServerList \"fe80::1%eth0\" (not an IP address), ServerList "
		"\"\\x091.1.1.1\" (not an IP address), Search \"bad\\x0acom\" "
		"(a control character), Search \"a b\" (white space), Search "
		"\"tab\\x09x\" (a control character), Search \"del\\x7f\" (a "
		"control character), Search \"back\\\\slash\" (a backslash), "
		"Search \"a..b\" (an empty label), Search \".lead\" (an empty "
		"label)");
	/* too long: the whole name, or one label */
	memset(name, 'a', 254);
	name[63] = name[127] = name[191] = '.';
	name[254] = 0;
	memset(label, 'a', 64);
	label[64] = 0;
	snprintf(settings, sizeof(settings),
		 "{'Search':'%s,%s.b,x.%.63s'}", name, label, label);
	d = &ok65("Add", "DNS", settings)->dns;
	assert_int_equal(d->n_search, 1);
	assert_int_equal(strlen(d->search[0]), 2 + 63);
	assert_int_equal(d->n_dropped, 2);
	assert_non_null(strstr(d->dropped, "(longer than 253 bytes), "));
	assert_non_null(strstr(d->dropped,
			       "(a label longer than 63 bytes)"));
	/* many drops: the text is cut, the count is whole */
	memset(settings, 0, sizeof(settings));
	strcpy(settings, "{'ServerList':'");
	for (int i = 0; i < 40; i++)
		strcat(settings, "bad,");
	strcat(settings, "'}");
	d = &ok65("Add", "DNS", settings)->dns;
	assert_int_equal(d->n_servers, 0);
	assert_int_equal(d->n_dropped, 40);
	assert_int_equal(strlen(d->dropped), sizeof(d->dropped) - 1);
	bad65("Add", "DNS", "{'Options':1}",
	      "Settings.Options: expected a string, got an integer");
	bad65("Add", "DNS", "{'Search':false}",
	      "Settings.Search: expected a string, got a boolean");
}

static void test_mac(void **state)
{
	static const char *const bad_macs[] = {
		"00:15:5D:AA:BB:CC", "00-15-5D-AA-BB-C", "00-15-5D-AA-BB-CCC",
		"00-15-5D-AA-BB-CC-", "0G-15-5D-AA-BB-CC", "00-15-5D-AA-BBCC",
		"", "00155DAABBCC00000", " 0-15-5D-AA-BB-CC",
		"00-15-5D-AA-BB-C ",
	};
	char settings[128], want[128];
	struct gns_setting *s;
	size_t i;

	(void)state;
	s = ok65("Add", "MacAddress",
		 "{'PhysicalAddress':'00-15-5d-AA-bB-Cc'}");
	assert_int_equal(s->resource, GNS_RES_MACADDRESS);
	assert_memory_equal(s->mac, "\x00\x15\x5d\xaa\xbb\xcc", 6);
	for (i = 0; i < sizeof(bad_macs) / sizeof(bad_macs[0]); i++) {
		snprintf(settings, sizeof(settings), "{'PhysicalAddress':'%s'}",
			 bad_macs[i]);
		snprintf(want, sizeof(want), "Settings.PhysicalAddress: \"%s\" "
			 "is not XX-XX-XX-XX-XX-XX", bad_macs[i]);
		bad65("Add", "MacAddress", settings, want);
	}
	bad65("Add", "MacAddress", "{}", "Settings.PhysicalAddress: missing");
}

static void test_interface_setting(void **state)
{
	struct gns_setting *s;

	(void)state;
	s = ok65("Update", "Interface", "{'Connected':true,'NlMtu':1400,"
		 "'Metric':5}");
	assert_int_equal(s->resource, GNS_RES_INTERFACE);
	assert_true(s->link.connected);
	assert_int_equal(s->link.mtu, 1400);
	assert_int_equal(s->link.metric, 5);
	s = ok65("Update", "Interface", "{}");
	assert_false(s->link.connected);
	assert_int_equal(s->link.mtu, 0);
}

static void test_neighbor_port(void **state)
{
	(void)state;
	/* Decoded only as far as the handler needs to refuse them. */
	assert_int_equal(ok65("Add", "Neighbor", "{'x':[]}")->resource,
			 GNS_RES_NEIGHBOR);
	assert_int_equal(ok65("Add", "Port", "{'Family':'x'}")->resource,
			 GNS_RES_PORT);
	bad65("Add", "Port", "7",
	      "Settings: expected an object, got an integer");
}

/* 55 Notification */

static void test_notification(void **state)
{
	struct gns_setting *s;
	char err[GNS_ERR_LEN];
	struct gns_msg x;
	const char *t;

	(void)state;
	s = &ok(GNS_NOTIFICATION, "{'RequestType':'Update','ResourceType':"
		"'DNS','Settings':{'ServerList':'172.20.0.1'}}")->setting;
	assert_true(s->has_target);
	assert_target_g(&s->target);
	assert_int_equal(s->dns.n_servers, 1);
	/* targetDeviceName is not read at all. */
	s = &ok(GNS_NOTIFICATION, "{'RequestType':'Update','ResourceType':"
		"'Interface','Settings':{'NlMtu':1400},"
		"'targetDeviceName':7}")->setting;
	assert_target_g(&s->target);
	assert_int_equal(s->link.mtu, 1400);
	bad(GNS_NOTIFICATION, "{'ResourceType':'DNS','Settings':{}}",
	    "RequestType: missing");
	bad(GNS_NOTIFICATION, "{'RequestType':'Add','ResourceType':'DNS'}",
	    "Settings: missing");
	t = J("{'RequestType':'Add','ResourceType':'DNS','Settings':{}}");
	assert_int_equal(gns_decode(GNS_NOTIFICATION, t, strlen(t), NULL, &x,
				    err), -1);
	assert_string_equal(err, "Notification: no adapter GUID");
}

static void test_msg_free(void **state)
{
	char err[GNS_ERR_LEN];
	struct gns_msg x;
	const char *t = J("{'adapterId':'" G "'}");

	(void)state;
	assert_int_equal(gns_decode(GNS_VMNIC_CREATED, t, strlen(t), NULL, &x,
				    err), 0);
	assert_non_null(x.json);
	gns_msg_free(&x);
	assert_null(x.json);
	gns_msg_free(&x);
	/* The text need not be NUL-terminated: only @len bytes are read. */
	assert_int_equal(gns_decode(GNS_VMNIC_CREATED, "{}}}", 2, NULL, &x,
				    err), -1);
	assert_string_equal(err, "adapterId: missing");
}

static int free_last(void **state)
{
	(void)state;
	gns_msg_free(&m);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guid_parse),
		cmocka_unit_test(test_guid_parse_bad),
		cmocka_unit_test(test_guid_from_windows),
		cmocka_unit_test(test_guid_format),
		cmocka_unit_test(test_target_guid),
		cmocka_unit_test(test_target_name),
		cmocka_unit_test(test_target_bad),
		cmocka_unit_test(test_target_format),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_not_requests),
		cmocka_unit_test(test_empty_payload),
		cmocka_unit_test(test_text_ignored),
		cmocka_unit_test(test_connect_test),
		cmocka_unit_test(test_connect_test_bad),
		cmocka_unit_test(test_json_syntax),
		cmocka_unit_test(test_json_root),
		cmocka_unit_test(test_json_numbers),
		cmocka_unit_test(test_json_strings),
		cmocka_unit_test(test_json_depth),
		cmocka_unit_test(test_json_big),
		cmocka_unit_test(test_null_is_absent),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_int_ranges),
		cmocka_unit_test(test_enum_strict),
		cmocka_unit_test(test_error_text),
		cmocka_unit_test(test_ifconfig_examples),
		cmocka_unit_test(test_ifconfig_rules),
		cmocka_unit_test(test_vmnic),
		cmocka_unit_test(test_create_device),
		cmocka_unit_test(test_loopback_routes),
		cmocka_unit_test(test_initial_ip),
		cmocka_unit_test(test_netfilter),
		cmocka_unit_test(test_modify_examples),
		cmocka_unit_test(test_modify_rules),
		cmocka_unit_test(test_setting_required),
		cmocka_unit_test(test_addr_examples),
		cmocka_unit_test(test_addr_translation),
		cmocka_unit_test(test_addr_bad),
		cmocka_unit_test(test_route_examples),
		cmocka_unit_test(test_route_onlink),
		cmocka_unit_test(test_route_prefix_bad),
		cmocka_unit_test(test_route_nexthop),
		cmocka_unit_test(test_route_reset),
		cmocka_unit_test(test_dns_example),
		cmocka_unit_test(test_dns_lists),
		cmocka_unit_test(test_dns_many),
		cmocka_unit_test(test_dns_odd_but_safe),
		cmocka_unit_test(test_dns_dropped),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_interface_setting),
		cmocka_unit_test(test_neighbor_port),
		cmocka_unit_test(test_notification),
		cmocka_unit_test(test_msg_free),
	};

	/* run.sh counts the lines: keep them if a sanitizer aborts. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, free_last);
}
