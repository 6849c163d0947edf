// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/gns/wire.c and util.c: generations, numbering, both
 * header sizes, detection, the resumable frame reader, replies.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gns/util.h"
#include "gns/wire.h"

/*
 * Every kind's number, written out here from wsl-gns-protocol §2.0 and
 * §1.9 rather than taken from kinds.h.
 */
static const struct {
	enum gns_kind kind;
	const char *name;
	uint32_t old, new;
	enum gns_payload payload;
} table[] = {
	{ GNS_INTERFACE_CONFIGURATION, "InterfaceConfiguration", 52, 53,
	  GNS_PAYLOAD_TEXT },
	{ GNS_RESULT, "Result", 53, 54, GNS_PAYLOAD_RESULT },
	{ GNS_NOTIFICATION, "Notification", 54, 55, GNS_PAYLOAD_GUID_TEXT },
	{ GNS_VMNIC_CREATED, "VmNicCreatedNotification", 60, 61,
	  GNS_PAYLOAD_TEXT },
	{ GNS_CREATE_DEVICE, "CreateDeviceRequest", 61, 62, GNS_PAYLOAD_TEXT },
	{ GNS_MODIFY_GUEST_DEVICE, "ModifyGuestDeviceSettingRequest", 62, 63,
	  GNS_PAYLOAD_TEXT },
	{ GNS_LOOPBACK_ROUTES, "LoopbackRoutesRequest", 63, 64,
	  GNS_PAYLOAD_TEXT },
	{ GNS_DEVICE_SETTING, "DeviceSettingRequest", 64, 65, GNS_PAYLOAD_TEXT },
	{ GNS_INITIAL_IP_CONFIGURATION, "InitialIpConfigurationNotification",
	  67, 68, GNS_PAYLOAD_TEXT },
	{ GNS_SETUP_IPV6, "SetupIpv6", 68, 69, GNS_PAYLOAD_TEXT },
	{ GNS_DNS_TUNNELING, "DnsTunneling", 69, 70, GNS_PAYLOAD_DNS },
	{ GNS_NOOP, "NoOp", 70, 71, GNS_PAYLOAD_IGNORED },
	{ GNS_GLOBAL_NET_FILTER, "GlobalNetFilter", 71, 72,
	  GNS_PAYLOAD_IGNORED },
	{ GNS_INTERFACE_NET_FILTER, "InterfaceNetFilter", 72, 73,
	  GNS_PAYLOAD_TEXT },
	{ GNS_CONNECT_TEST, "ConnectTestRequest", 73, 74, GNS_PAYLOAD_TEXT },
};

#define N_TABLE	(sizeof(table) / sizeof(table[0]))

static const enum gns_gen gens[] = { GNS_GEN_12_OLD, GNS_GEN_12, GNS_GEN_16 };

static uint32_t want_type(size_t i, enum gns_gen gen)
{
	return gen == GNS_GEN_12_OLD ? table[i].old : table[i].new;
}

static void test_numbering(void **state)
{
	size_t i, g;

	(void)state;
	/* The table covers every kind once. */
	assert_int_equal(N_TABLE, GNS_KIND_UNKNOWN);
	for (g = 0; g < 3; g++) {
		for (i = 0; i < N_TABLE; i++) {
			assert_int_equal(gns_type_of(table[i].kind, gens[g]),
					 want_type(i, gens[g]));
			assert_int_equal(gns_kind_of(want_type(i, gens[g]),
						     gens[g]), table[i].kind);
		}
	}
}

static void test_numbering_unknown(void **state)
{
	static const uint32_t other_new[] = {
		0, 1, 52, 56, 57, 58, 59, 60, 66, 67, 75, 76, 1000, 0xffffffff,
	};
	static const uint32_t other_old[] = {
		0, 1, 51, 55, 56, 57, 58, 59, 65, 66, 74, 75, 1000, 0xffffffff,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(other_new) / sizeof(other_new[0]); i++) {
		assert_int_equal(gns_kind_of(other_new[i], GNS_GEN_12),
				 GNS_KIND_UNKNOWN);
		assert_int_equal(gns_kind_of(other_new[i], GNS_GEN_16),
				 GNS_KIND_UNKNOWN);
	}
	for (i = 0; i < sizeof(other_old) / sizeof(other_old[0]); i++)
		assert_int_equal(gns_kind_of(other_old[i], GNS_GEN_12_OLD),
				 GNS_KIND_UNKNOWN);
	/* An undetected generation has no numbering. */
	assert_int_equal(gns_kind_of(53, GNS_GEN_AUTO), GNS_KIND_UNKNOWN);
	assert_int_equal(gns_type_of(GNS_RESULT, GNS_GEN_AUTO), 0);
	assert_int_equal(gns_type_of(GNS_KIND_UNKNOWN, GNS_GEN_16), 0);
}

static void test_kind_name_payload(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_TABLE; i++) {
		assert_string_equal(gns_kind_name(table[i].kind),
				    table[i].name);
		assert_int_equal(gns_kind_payload(table[i].kind),
				 table[i].payload);
	}
	assert_string_equal(gns_kind_name(GNS_KIND_UNKNOWN), "unknown");
	assert_string_equal(gns_kind_name((enum gns_kind)99), "unknown");
}

static void test_gen_parse(void **state)
{
	static const struct {
		const char *version;
		enum gns_gen gen;
	} good[] = {
		{ "2.0.0", GNS_GEN_12_OLD },
		{ "2.5.8", GNS_GEN_12_OLD },
		{ "2.5.9", GNS_GEN_12_OLD },
		{ "2.5.10", GNS_GEN_12 },
		{ "2.6.0", GNS_GEN_12_OLD },
		{ "2.6.1", GNS_GEN_12 },
		{ "2.6.3", GNS_GEN_12 },
		{ "2.7.0", GNS_GEN_12 },
		{ "2.7.1", GNS_GEN_12 },
		{ "2.7.2", GNS_GEN_16 },
		{ "2.7.11", GNS_GEN_16 },
		{ "2.8.0", GNS_GEN_12 },
		{ "2.8.4", GNS_GEN_12 },
		{ "2.8.5", GNS_GEN_16 },
		{ "2.8.12", GNS_GEN_16 },
		{ "2.9.0", GNS_GEN_16 },
		{ "2.9.4", GNS_GEN_16 },
		{ "2.10.0", GNS_GEN_16 },
		{ "3.0.0", GNS_GEN_16 },
		/* wsl --version prints a fourth component */
		{ "2.6.0.0", GNS_GEN_12_OLD },
		{ "2.8.5.0", GNS_GEN_16 },
		{ "auto", GNS_GEN_AUTO },
	};
	static const char *const junk[] = {
		"", "2", "2.6", "2.6.", ".2.6.1", "2..6", "2.6.1.", "2.6.1.0.0",
		"v2.6.1", "2.6.1 ", " 2.6.1", "2.6.x", "2.6.-1", "+2.6.1",
		"1.2.5", "0.0.0", "Auto", "automatic", "junk", "2.6.1a",
		"2.6.10000000000", "52", "53",
	};
	enum gns_gen gen;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		gen = (enum gns_gen)-1;
		if (gns_gen_parse(good[i].version, &gen) ||
		    gen != good[i].gen)
			fail_msg("%s: got %d, want %d", good[i].version,
				 (int)gen, (int)good[i].gen);
	}
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		gen = (enum gns_gen)-1;
		if (gns_gen_parse(junk[i], &gen) != -1 ||
		    gen != (enum gns_gen)-1)
			fail_msg("\"%s\" accepted", junk[i]);
	}
	assert_int_equal(gns_gen_parse(NULL, &gen), -1);
}

static void test_gen_describe(void **state)
{
	(void)state;
	assert_int_equal(gns_gen_hdr_len(GNS_GEN_AUTO), 0);
	assert_int_equal(gns_gen_hdr_len(GNS_GEN_12_OLD), 12);
	assert_int_equal(gns_gen_hdr_len(GNS_GEN_12), 12);
	assert_int_equal(gns_gen_hdr_len(GNS_GEN_16), 16);
	assert_int_equal(GNS_RESULT_LEN(GNS_GEN_16), 20);
	assert_int_equal(GNS_RESULT_LEN(GNS_GEN_12), 16);
	assert_non_null(strstr(gns_gen_describe(GNS_GEN_12_OLD), "12-byte"));
	assert_non_null(strstr(gns_gen_describe(GNS_GEN_12_OLD), "52"));
	assert_non_null(strstr(gns_gen_describe(GNS_GEN_12), "12-byte"));
	assert_non_null(strstr(gns_gen_describe(GNS_GEN_12), "53"));
	assert_non_null(strstr(gns_gen_describe(GNS_GEN_16), "16-byte"));
	assert_non_null(strstr(gns_gen_describe(GNS_GEN_16), "53"));
}

/* Reference §1.5: NoOp request with id 9, 16-byte header and a NUL. */
static const uint8_t noop9[] = {
	0x47, 0, 0, 0, 0x11, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0,
};
/* The same NoOp from a 12-byte host numbering from 52: sequence 1. */
static const uint8_t noop_old[] = {
	0x46, 0, 0, 0, 0x0d, 0, 0, 0, 1, 0, 0, 0, 0,
};

static void test_hdr_16(void **state)
{
	struct gns_hdr h = { 71, 17, 9, GNS_STEP_REQUEST }, d;
	struct gns_hdr big = { 0x01020304, 0xa0b0c0d0, 0xffffffff, 2 };
	static const uint8_t big_le[16] = {
		4, 3, 2, 1, 0xd0, 0xc0, 0xb0, 0xa0, 0xff, 0xff, 0xff, 0xff,
		2, 0, 0, 0,
	};
	uint8_t out[GNS_HDR_MAX + 1];

	(void)state;
	memset(out, 0x55, sizeof(out));
	assert_int_equal(gns_hdr_encode(GNS_GEN_16, &h, out), 16);
	assert_memory_equal(out, noop9, 16);
	assert_int_equal(out[16], 0x55);
	gns_hdr_decode(GNS_GEN_16, noop9, &d);
	assert_memory_equal(&d, &h, sizeof(h));
	gns_hdr_encode(GNS_GEN_16, &big, out);
	assert_memory_equal(out, big_le, 16);
	gns_hdr_decode(GNS_GEN_16, big_le, &d);
	assert_memory_equal(&d, &big, sizeof(big));
}

static void test_hdr_12(void **state)
{
	struct gns_hdr h = { 70, 13, 1, GNS_STEP_NONE }, d;
	struct gns_hdr big = { 0x01020304, 0xa0b0c0d0, 0xfffffffe, 7 };
	static const uint8_t big_le[12] = {
		4, 3, 2, 1, 0xd0, 0xc0, 0xb0, 0xa0, 0xfe, 0xff, 0xff, 0xff,
	};
	uint8_t out[GNS_HDR_MAX];
	size_t g;

	(void)state;
	for (g = 0; g < 2; g++) {
		memset(out, 0x55, sizeof(out));
		assert_int_equal(gns_hdr_encode(gens[g], &h, out), 12);
		assert_memory_equal(out, noop_old, 12);
		/* No step field: nothing written past 12 bytes. */
		assert_memory_equal(out + 12, "\x55\x55\x55\x55", 4);
		gns_hdr_decode(gens[g], noop_old, &d);
		assert_memory_equal(&d, &h, sizeof(h));
		/* The step is never encoded, and decodes as none. */
		gns_hdr_encode(gens[g], &big, out);
		assert_memory_equal(out, big_le, 12);
		assert_int_equal(out[12], 0x55);
		memset(&d, 0xaa, sizeof(d));
		gns_hdr_decode(gens[g], noop9, &d);
		assert_int_equal(d.id, 9);
		assert_int_equal(d.step, GNS_STEP_NONE);
	}
	assert_int_equal(gns_hdr_encode(GNS_GEN_AUTO, &h, out), 0);
}

/* A 12-byte frame of @type carrying @text and its NUL. */
static size_t frame12(uint8_t *out, uint32_t type, const char *text)
{
	size_t len = strlen(text) + 1;

	gns_put_le32(out, type);
	gns_put_le32(out + 4, (uint32_t)(12 + len));
	gns_put_le32(out + 8, 1);
	memcpy(out + 12, text, len);
	return 12 + len;
}

static void test_detect_16(void **state)
{
	const char *why = NULL;
	uint8_t f[64];

	(void)state;
	/* Step 1 at +12: a 16-byte request, whatever the text flags say. */
	assert_int_equal(gns_gen_detect(noop9, sizeof(noop9), false, false,
					&why), GNS_GEN_16);
	memcpy(f, noop9, sizeof(noop9));
	gns_put_le32(f, 69);		/* SetupIpv6, the first in mirrored */
	assert_int_equal(gns_gen_detect(f, 16, true, true, &why), GNS_GEN_16);
	/* Transaction id 0, as the host's first request has it. */
	gns_put_le32(f + 8, 0);
	assert_int_equal(gns_gen_detect(f, 16, false, true, &why), GNS_GEN_16);
	/* A 12-byte frame's text starts with '{', never 01 00 00 00. */
	frame12(f, 69, "{\"a\":1}");
	assert_int_equal(gns_gen_detect(f, 16, false, true, &why), GNS_GEN_12);
	assert_null(why);
}

static void test_detect_12_type(void **state)
{
	const char *why = NULL;
	uint8_t f[64];

	(void)state;
	/* 52 exists only in the old numbering, 74 only in the new. */
	frame12(f, 52, "{\"Name\":\"eth0\"}");
	assert_int_equal(gns_gen_detect(f, 16, false, false, &why),
			 GNS_GEN_12_OLD);
	frame12(f, 74, "{\"Host\":\"x\"}");
	assert_int_equal(gns_gen_detect(f, 16, false, false, &why),
			 GNS_GEN_12);
	/* So do 60, 67 (old) and 55, 65 (new). */
	frame12(f, 60, "{}");
	assert_int_equal(gns_gen_detect(f, 15, false, false, &why),
			 GNS_GEN_12_OLD);
	frame12(f, 67, "{}");
	assert_int_equal(gns_gen_detect(f, 15, true, true, &why),
			 GNS_GEN_12_OLD);
	frame12(f, 55, "{}");
	assert_int_equal(gns_gen_detect(f, 15, false, false, &why),
			 GNS_GEN_12);
	frame12(f, 65, "{}");
	assert_int_equal(gns_gen_detect(f, 15, true, true, &why), GNS_GEN_12);
	assert_null(why);
}

static void test_detect_12_text(void **state)
{
	const char *why = NULL;
	uint8_t f[64];

	(void)state;
	/* 68: SetupIpv6 up to 2.6.0, InitialIpConfiguration since. */
	frame12(f, 68, "{\"x\":1}");
	assert_int_equal(gns_gen_detect(f, 16, true, false, &why),
			 GNS_GEN_12_OLD);
	assert_int_equal(gns_gen_detect(f, 16, false, true, &why),
			 GNS_GEN_12);
	assert_null(why);
	assert_int_equal(gns_gen_detect(f, 16, true, true, &why),
			 GNS_GEN_AUTO);
	assert_non_null(why);
	assert_non_null(strstr(why, "both"));
	why = NULL;
	assert_int_equal(gns_gen_detect(f, 16, false, false, &why),
			 GNS_GEN_AUTO);
	assert_non_null(why);
	assert_non_null(strstr(why, "neither"));
}

static void test_detect_short(void **state)
{
	const char *why;
	uint8_t f[64];
	size_t n;

	(void)state;
	for (n = 0; n < 12; n++) {
		why = NULL;
		assert_int_equal(gns_gen_detect(noop9, n, true, false, &why),
				 GNS_GEN_AUTO);
		assert_non_null(why);
	}
	/* A whole 12-byte frame of 12 to 15 bytes: its size must say so. */
	frame12(f, 52, "");
	assert_int_equal(gns_gen_detect(f, 13, false, false, &why),
			 GNS_GEN_12_OLD);
	why = NULL;
	assert_int_equal(gns_gen_detect(f, 14, false, false, &why),
			 GNS_GEN_AUTO);
	assert_non_null(why);
	/* Sizes that fit no header. */
	memcpy(f, noop9, 16);
	gns_put_le32(f + 4, 11);
	why = NULL;
	assert_int_equal(gns_gen_detect(f, 16, true, false, &why),
			 GNS_GEN_AUTO);
	assert_non_null(why);
	gns_put_le32(f + 4, GNS_MAX_FRAME + 1);
	why = NULL;
	assert_int_equal(gns_gen_detect(f, 16, true, false, &why),
			 GNS_GEN_AUTO);
	assert_non_null(why);
	/* A type in neither numbering. */
	frame12(f, 1000, "{}");
	why = NULL;
	assert_int_equal(gns_gen_detect(f, 15, true, true, &why),
			 GNS_GEN_AUTO);
	assert_non_null(why);
}

static void test_reply_16(void **state)
{
	/* Reference §1.5: the success reply to NoOp 9. */
	static const uint8_t want[] = {
		0x36, 0, 0, 0, 0x14, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0, 0,
		0, 0, 0, 0,
	};
	uint8_t out[64];
	size_t n;

	(void)state;
	assert_int_equal(gns_reply_encode(GNS_GEN_16, 9, 0, NULL, out,
					  sizeof(out)), 20);
	assert_memory_equal(out, want, sizeof(want));
	/* ConnectTestRequest packs two statuses into the result. */
	assert_int_equal(gns_reply_encode(GNS_GEN_16, 1, 0x00040001, NULL,
					  out, 20), 20);
	assert_int_equal(out[16], 1);
	assert_int_equal(out[18], 4);
	n = gns_reply_encode(GNS_GEN_16, 0x01020304, -1, "bad", out,
			     sizeof(out));
	assert_int_equal(n, 24);
	assert_memory_equal(out, "\x36\0\0\0\x18\0\0\0\x04\x03\x02\x01\x02\0\0\0"
			    "\xff\xff\xff\xff" "bad", 24);
	assert_int_equal(gns_reply_encode(GNS_GEN_AUTO, 1, 0, NULL, out,
					  sizeof(out)), 0);
}

static void test_reply_12(void **state)
{
	uint8_t out[64];

	(void)state;
	/* 12-byte: the guest's own sequence number, no step. */
	assert_int_equal(gns_reply_encode(GNS_GEN_12_OLD, 3, 0, NULL, out,
					  sizeof(out)), 16);
	assert_memory_equal(out, "\x35\0\0\0\x10\0\0\0\x03\0\0\0\0\0\0\0", 16);
	assert_int_equal(gns_reply_encode(GNS_GEN_12, 4, -1, "no", out,
					  sizeof(out)), 19);
	assert_memory_equal(out, "\x36\0\0\0\x13\0\0\0\x04\0\0\0"
			    "\xff\xff\xff\xff" "no", 19);
}

static void test_reply_cut(void **state)
{
	uint8_t out[64];
	size_t g;

	(void)state;
	for (g = 0; g < 3; g++) {
		size_t r = GNS_RESULT_LEN(gens[g]);

		memset(out, 0x55, sizeof(out));
		assert_int_equal(gns_reply_encode(gens[g], 0, -1, "abcdef", out,
						  r + 4), r + 4);
		assert_int_equal(gns_get_le32(out + 4), r + 4);
		assert_memory_equal(out + r, "abc", 4);
		assert_int_equal(out[r + 4], 0x55);
		assert_int_equal(gns_reply_encode(gens[g], 0, -1, "abcdef", out,
						  r + 1), r + 1);
		assert_int_equal(out[r], 0);
		assert_int_equal(gns_reply_encode(gens[g], 0, -1, "abc", out,
						  r), 0);
		assert_int_equal(gns_reply_encode(gens[g], 0, 0, NULL, out,
						  r - 1), 0);
		assert_int_equal(gns_reply_encode(gens[g], 0, 0, NULL, out, 0),
				 0);
		/* "é" is c3 a9: cut before it, not inside. */
		assert_int_equal(gns_reply_encode(gens[g], 0, -1, "ab\xc3\xa9",
						  out, r + 4), r + 3);
		assert_memory_equal(out + r, "ab", 3);
		/* The whole of it fits with one byte more. */
		assert_int_equal(gns_reply_encode(gens[g], 0, -1, "ab\xc3\xa9",
						  out, r + 5), r + 5);
		assert_memory_equal(out + r, "ab\xc3\xa9", 5);
		/* "€" is e2 82 ac: cut at either inner byte goes back. */
		assert_int_equal(gns_reply_encode(gens[g], 0, -1, "a\xe2\x82\xac",
						  out, r + 3), r + 2);
		assert_int_equal(gns_reply_encode(gens[g], 0, -1, "a\xe2\x82\xac",
						  out, r + 4), r + 2);
		assert_memory_equal(out + r, "a", 2);
	}
}

/* A pipe holding @data, closed by the writer: fds[0] is left to read. */
static void pipe_of(int fds[2], const void *data, size_t len)
{
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(gns_write_all(fds[1], data, len), 0);
	close(fds[1]);
}

static void test_read_whole(void **state)
{
	uint8_t two[17 + 20];
	struct gns_frame f = { 0 };
	uint8_t *buf;
	int fds[2];

	(void)state;
	memcpy(two, noop9, 17);
	gns_reply_encode(GNS_GEN_16, 7, 0, NULL, two + 17, 20);
	pipe_of(fds, two, sizeof(two));
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_16, &f), 1);
	assert_int_equal(f.hdr.type, 71);
	assert_int_equal(f.hdr.size, 17);
	assert_int_equal(f.hdr.id, 9);
	assert_int_equal(f.hdr.step, GNS_STEP_REQUEST);
	assert_int_equal(f.hdr_len, 16);
	assert_int_equal(f.have, 0);
	assert_memory_equal(f.buf, noop9, 17);
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_16, &f), 1);
	assert_int_equal(f.hdr.type, 54);
	assert_int_equal(f.hdr.id, 7);
	assert_memory_equal(f.buf, two + 17, 20);
	buf = f.buf;
	/* Clean close between frames. */
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_16, &f), 0);
	close(fds[0]);

	/* Steady state: a frame that fits reuses the buffer. */
	pipe_of(fds, noop9, sizeof(noop9));
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_16, &f), 1);
	assert_ptr_equal(f.buf, buf);
	assert_int_equal(f.cap, 20);
	close(fds[0]);
	gns_frame_release(&f);
	assert_null(f.buf);
	assert_int_equal(f.cap, 0);
	gns_frame_release(&f);
}

static void test_read_whole_12(void **state)
{
	uint8_t two[13 + 12];
	struct gns_frame f = { 0 };
	size_t g;
	int fds[2];

	(void)state;
	for (g = 0; g < 2; g++) {
		memcpy(two, noop_old, 13);
		/* A frame of just a header. */
		memcpy(two + 13, "\x46\0\0\0\x0c\0\0\0\x02\0\0\0", 12);
		pipe_of(fds, two, sizeof(two));
		assert_int_equal(gns_read_frame(fds[0], gens[g], &f), 1);
		assert_int_equal(f.hdr.type, 70);
		assert_int_equal(f.hdr.size, 13);
		assert_int_equal(f.hdr.id, 1);
		assert_int_equal(f.hdr.step, GNS_STEP_NONE);
		assert_int_equal(f.hdr_len, 12);
		assert_memory_equal(f.buf, noop_old, 13);
		assert_int_equal(gns_read_frame(fds[0], gens[g], &f), 1);
		assert_int_equal(f.hdr.size, 12);
		assert_int_equal(f.hdr.id, 2);
		assert_int_equal(gns_read_frame(fds[0], gens[g], &f), 0);
		close(fds[0]);
	}
	gns_frame_release(&f);
}

static void test_read_auto(void **state)
{
	struct gns_frame f = { 0 };
	int fds[2];

	(void)state;
	/* Undetected: read by the size field, whatever the header size. */
	pipe_of(fds, noop9, sizeof(noop9));
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_AUTO, &f), 1);
	assert_int_equal(f.hdr.size, 17);
	assert_int_equal(f.hdr_len, 12);
	assert_memory_equal(f.buf, noop9, 17);
	assert_int_equal(gns_gen_detect(f.buf, 16, false, false,
					&(const char *){ NULL }), GNS_GEN_16);
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_AUTO, &f), 0);
	close(fds[0]);
	pipe_of(fds, noop_old, sizeof(noop_old));
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_AUTO, &f), 1);
	assert_int_equal(f.hdr.size, 13);
	assert_memory_equal(f.buf, noop_old, 13);
	close(fds[0]);
	gns_frame_release(&f);
}

static void expect_eproto(enum gns_gen gen, const void *data, size_t len)
{
	struct gns_frame f = { 0 };
	int fds[2];

	pipe_of(fds, data, len);
	errno = 0;
	assert_int_equal(gns_read_frame(fds[0], gen, &f), -1);
	assert_int_equal(errno, EPROTO);
	assert_int_equal(f.have, 0);
	close(fds[0]);
	gns_frame_release(&f);
}

static void test_read_eof_inside(void **state)
{
	uint8_t b[16 + 10] = { 0 };
	struct gns_hdr h = { 65, GNS_MAX_FRAME, 1, 1 };
	struct gns_frame f = { 0 };
	size_t n;
	int fds[2];

	(void)state;
	/* Inside the header. */
	for (n = 1; n < 16; n++)
		expect_eproto(GNS_GEN_16, noop9, n);
	for (n = 1; n < 12; n++) {
		expect_eproto(GNS_GEN_12, noop_old, n);
		expect_eproto(GNS_GEN_AUTO, noop_old, n);
	}
	/* One byte missing after the header. */
	expect_eproto(GNS_GEN_16, noop9, sizeof(noop9) - 1);
	expect_eproto(GNS_GEN_12_OLD, noop_old, sizeof(noop_old) - 1);
	/* The largest size is accepted; the stream then ends early. */
	gns_hdr_encode(GNS_GEN_16, &h, b);
	pipe_of(fds, b, sizeof(b));
	errno = 0;
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_16, &f), -1);
	assert_int_equal(errno, EPROTO);
	assert_int_equal(f.cap, GNS_MAX_FRAME);
	close(fds[0]);
	gns_frame_release(&f);
}

/* A bad size is refused before anything after the header is read. */
static void expect_bad_size(enum gns_gen gen, uint32_t size)
{
	struct gns_hdr h = { 65, size, 1, 1 };
	struct gns_frame f = { 0 };
	uint8_t b[16 + 4], rest[8];
	size_t hl = gns_gen_hdr_len(gen);
	int fds[2];

	gns_hdr_encode(gen, &h, b);
	memcpy(b + hl, "tail", 4);
	pipe_of(fds, b, hl + 4);
	errno = 0;
	assert_int_equal(gns_read_frame(fds[0], gen, &f), -1);
	assert_int_equal(errno, EPROTO);
	assert_int_equal(read(fds[0], rest, sizeof(rest)), 4);
	assert_memory_equal(rest, "tail", 4);
	assert_true(f.cap <= GNS_HDR_MAX);
	close(fds[0]);
	gns_frame_release(&f);
}

static void test_read_bad_size(void **state)
{
	size_t g;

	(void)state;
	for (g = 0; g < 3; g++) {
		expect_bad_size(gens[g], 0);
		expect_bad_size(gens[g],
				(uint32_t)gns_gen_hdr_len(gens[g]) - 1);
		expect_bad_size(gens[g], GNS_MAX_FRAME + 1);
		expect_bad_size(gens[g], 0xffffffff);
	}
}

/* A nonblocking socketpair: sv[0] reads, sv[1] writes. */
static void nb_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
}

static void test_read_bytewise(void **state)
{
	uint8_t frames[17 + 20 + 300];
	struct gns_hdr h = { 65, 300, 42, 1 };
	struct gns_frame f = { 0 };
	size_t i, off = 0, n = 0;
	int sv[2];

	(void)state;
	memcpy(frames, noop9, 17);
	assert_int_equal(gns_reply_encode(GNS_GEN_16, 7, 0, NULL, frames + 17,
					  20), 20);
	gns_hdr_encode(GNS_GEN_16, &h, frames + 37);
	for (i = 37 + 16; i < sizeof(frames); i++)
		frames[i] = (uint8_t)i;
	nb_pair(sv);
	errno = 0;
	assert_int_equal(gns_read_frame(sv[0], GNS_GEN_16, &f), -1);
	assert_int_equal(errno, EAGAIN);
	for (i = 0; i < sizeof(frames); i++) {
		int r;

		assert_int_equal(write(sv[1], frames + i, 1), 1);
		errno = 0;
		r = gns_read_frame(sv[0], GNS_GEN_16, &f);
		if (r == 1) {
			/* The frame ends with this byte. */
			assert_int_equal(i + 1 - off, f.hdr.size);
			assert_memory_equal(f.buf, frames + off, f.hdr.size);
			off = i + 1;
			n++;
			continue;
		}
		assert_int_equal(r, -1);
		assert_int_equal(errno, EAGAIN);
		assert_int_equal(f.have, i + 1 - off);
	}
	assert_int_equal(n, 3);
	assert_int_equal(f.hdr.id, 42);
	/* EOF between frames. */
	close(sv[1]);
	assert_int_equal(gns_read_frame(sv[0], GNS_GEN_16, &f), 0);
	close(sv[0]);

	/* 12-byte, and EOF after a partial frame. */
	nb_pair(sv);
	for (i = 0; i < sizeof(noop_old); i++) {
		assert_int_equal(write(sv[1], noop_old + i, 1), 1);
		if (i + 1 < sizeof(noop_old)) {
			assert_int_equal(gns_read_frame(sv[0], GNS_GEN_12_OLD,
							&f), -1);
			assert_int_equal(errno, EAGAIN);
		}
	}
	assert_int_equal(gns_read_frame(sv[0], GNS_GEN_12_OLD, &f), 1);
	assert_int_equal(f.hdr.size, 13);
	assert_int_equal(write(sv[1], noop_old, 5), 5);
	assert_int_equal(gns_read_frame(sv[0], GNS_GEN_12_OLD, &f), -1);
	assert_int_equal(errno, EAGAIN);
	close(sv[1]);
	errno = 0;
	assert_int_equal(gns_read_frame(sv[0], GNS_GEN_12_OLD, &f), -1);
	assert_int_equal(errno, EPROTO);
	close(sv[0]);
	gns_frame_release(&f);
}

struct dribble {
	int fd;
	const uint8_t *data;
	size_t len, chunk;
};

/* Write in small pieces with pauses, so that reads come back short. */
static void *dribble(void *arg)
{
	struct dribble *d = arg;
	size_t off = 0;

	while (off < d->len) {
		size_t n = d->len - off < d->chunk ? d->len - off : d->chunk;

		if (gns_write_all(d->fd, d->data + off, n))
			break;
		off += n;
		usleep(2000);
	}
	close(d->fd);
	return NULL;
}

static void test_read_short_reads(void **state)
{
	uint8_t frame[300];
	struct gns_hdr h = { 64, sizeof(frame), 42, 0 };
	struct gns_frame f = { 0 };
	struct dribble d;
	pthread_t t;
	int fds[2];
	size_t i;

	(void)state;
	gns_hdr_encode(GNS_GEN_12, &h, frame);
	for (i = 12; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	assert_int_equal(pipe(fds), 0);
	d = (struct dribble){ fds[1], frame, sizeof(frame), 7 };
	assert_int_equal(pthread_create(&t, NULL, dribble, &d), 0);
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_12, &f), 1);
	assert_int_equal(f.hdr.id, 42);
	assert_memory_equal(f.buf, frame, sizeof(frame));
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_12, &f), 0);
	pthread_join(t, NULL);
	close(fds[0]);
	gns_frame_release(&f);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_read_eintr_resume(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { .it_value = { 0, 20000 } };
	struct gns_frame f = { 0 };
	int fds[2];

	(void)state;
	/* No SA_RESTART: the blocked read() fails with EINTR. */
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(pipe(fds), 0);
	/* Half a header, then a signal while the reader waits. */
	assert_int_equal(write(fds[1], noop9, 7), 7);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	errno = 0;
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_16, &f), -1);
	assert_int_equal(errno, EINTR);
	assert_int_equal(f.have, 7);
	/* The rest of the header, and the signal again inside the payload. */
	assert_int_equal(write(fds[1], noop9 + 7, 9), 9);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	errno = 0;
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_16, &f), -1);
	assert_int_equal(errno, EINTR);
	assert_int_equal(f.have, 16);
	sigaction(SIGALRM, &old, NULL);
	assert_int_equal(write(fds[1], noop9 + 16, 1), 1);
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_16, &f), 1);
	assert_memory_equal(f.buf, noop9, sizeof(noop9));
	assert_int_equal(f.have, 0);
	close(fds[1]);
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_16, &f), 0);
	close(fds[0]);
	gns_frame_release(&f);
}

static void test_read_error(void **state)
{
	struct gns_frame f = { 0 };
	int fds[2];

	(void)state;
	/* Half a frame, then an error: the next call starts afresh. */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], noop9, 5), 5);
	assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_16, &f), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(f.have, 5);
	close(fds[0]);
	close(fds[1]);
	errno = 0;
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_16, &f), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(f.have, 0);
	pipe_of(fds, noop9, sizeof(noop9));
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_16, &f), 1);
	assert_memory_equal(f.buf, noop9, sizeof(noop9));
	close(fds[0]);
	gns_frame_release(&f);
}

/* A non-blocking stream, as the helper's channel: sv[1] writes. */
static void stream_of(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
}

/* Frame @id of @size bytes (16-byte header): NoOp with a text of 'x'. */
static size_t put_noop(uint8_t *out, uint32_t id, size_t size)
{
	struct gns_hdr h = {
		.type = 71, .size = (uint32_t)size, .id = id,
		.step = GNS_STEP_REQUEST,
	};

	gns_hdr_encode(GNS_GEN_16, &h, out);
	memset(out + 16, 'x', size - 16);
	return size;
}

/* The next call gives frame @id of @size bytes, read ahead or not. */
static void expect_noop(int fd, struct gns_frame *f, uint32_t id,
			size_t size)
{
	uint8_t want[8192];

	assert_int_equal(gns_read_frame_ahead(fd, GNS_GEN_16, f), 1);
	assert_int_equal(f->hdr.id, id);
	assert_int_equal(f->hdr.size, size);
	assert_int_equal(f->have, 0);
	put_noop(want, id, size);
	assert_memory_equal(f->buf, want, size);
}

/* Nothing more yet: EAGAIN, and what came of the next frame is kept. */
static void expect_again(int fd, struct gns_frame *f, size_t have)
{
	errno = 0;
	assert_int_equal(gns_read_frame_ahead(fd, GNS_GEN_16, f), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(f->have, have);
	assert_int_equal(f->ahead, 0);
}

/* Two frames in one write: one read takes both, each is given once. */
static void test_ahead_two_in_one(void **state)
{
	struct gns_frame f = { 0 };
	uint8_t two[17 + 40];
	int sv[2];

	(void)state;
	stream_of(sv);
	put_noop(two, 1, 17);
	put_noop(two + 17, 2, 40);
	assert_int_equal(write(sv[1], two, sizeof(two)), sizeof(two));
	expect_noop(sv[0], &f, 1, 17);
	assert_int_equal(f.ahead, 40);
	/* the second from the buffer: the socket is empty */
	expect_noop(sv[0], &f, 2, 40);
	assert_int_equal(f.ahead, 0);
	assert_int_equal(f.cap, GNS_READ_AHEAD);
	expect_again(sv[0], &f, 0);
	close(sv[1]);
	assert_int_equal(gns_read_frame_ahead(sv[0], GNS_GEN_16, &f), 0);
	close(sv[0]);
	gns_frame_release(&f);
	assert_int_equal(f.ahead, 0);
}

/* One frame a byte per write: EAGAIN until its last byte, then once. */
static void test_ahead_split(void **state)
{
	struct gns_frame f = { 0 };
	uint8_t frame[40];
	size_t i;
	int sv[2];

	(void)state;
	stream_of(sv);
	put_noop(frame, 1, sizeof(frame));
	for (i = 0; i < sizeof(frame) - 1; i++) {
		assert_int_equal(write(sv[1], frame + i, 1), 1);
		expect_again(sv[0], &f, i + 1);
	}
	assert_int_equal(write(sv[1], frame + i, 1), 1);
	expect_noop(sv[0], &f, 1, sizeof(frame));
	assert_int_equal(f.ahead, 0);
	expect_again(sv[0], &f, 0);
	close(sv[1]);
	close(sv[0]);
	gns_frame_release(&f);
}

/*
 * A frame and the start of the next (inside its header, then inside its
 * payload): the first is given, the second once the rest came.
 */
static void test_ahead_partial(void **state)
{
	static const size_t cuts[] = { 5, 20 };
	struct gns_frame f = { 0 };
	uint8_t two[17 + 30];
	size_t c;
	int sv[2];

	(void)state;
	put_noop(two, 1, 17);
	put_noop(two + 17, 2, 30);
	for (c = 0; c < 2; c++) {
		stream_of(sv);
		assert_int_equal(write(sv[1], two, 17 + cuts[c]),
				 17 + cuts[c]);
		expect_noop(sv[0], &f, 1, 17);
		assert_int_equal(f.ahead, cuts[c]);
		expect_again(sv[0], &f, cuts[c]);
		assert_int_equal(write(sv[1], two + 17 + cuts[c],
				       30 - cuts[c]), 30 - cuts[c]);
		expect_noop(sv[0], &f, 2, 30);
		expect_again(sv[0], &f, 0);
		close(sv[1]);
		close(sv[0]);
	}
	gns_frame_release(&f);
}

/* EOF inside the frame read ahead: the first frame, then EPROTO once. */
static void test_ahead_eof_inside(void **state)
{
	struct gns_frame f = { 0 };
	uint8_t two[17 + 30];
	int sv[2];

	(void)state;
	stream_of(sv);
	put_noop(two, 1, 17);
	put_noop(two + 17, 2, 30);
	assert_int_equal(write(sv[1], two, 17 + 20), 17 + 20);
	close(sv[1]);
	expect_noop(sv[0], &f, 1, 17);
	errno = 0;
	assert_int_equal(gns_read_frame_ahead(sv[0], GNS_GEN_16, &f), -1);
	assert_int_equal(errno, EPROTO);
	assert_int_equal(f.have, 0);
	assert_int_equal(f.ahead, 0);
	assert_int_equal(gns_read_frame_ahead(sv[0], GNS_GEN_16, &f), 0);
	close(sv[0]);
	gns_frame_release(&f);
}

/*
 * Frames of every size around the buffer's, in writes of every size:
 * each given once, in order, however the stream is cut.
 */
static void test_ahead_stream(void **state)
{
	static const size_t sizes[] = {
		16, 17, 300, GNS_READ_AHEAD - 1, GNS_READ_AHEAD,
		GNS_READ_AHEAD + 1, 7000, 16, 33,
	};
	static const size_t chunks[] = { 1, 3, 16, 17, 1000, 4096, 65536 };
	enum { N = sizeof(sizes) / sizeof(sizes[0]) };
	static uint8_t stream[N * 8192];
	struct gns_frame f = { 0 };
	size_t c, i, len = 0, off, k, at[N];
	int sv[2];

	(void)state;
	for (i = 0; i < N; i++) {
		at[i] = len;
		len += put_noop(stream + len, (uint32_t)i + 1, sizes[i]);
	}
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		stream_of(sv);
		k = 0;
		for (off = 0; off < len; off += chunks[c]) {
			size_t n = len - off < chunks[c] ? len - off :
							   chunks[c];

			assert_int_equal(gns_write_all(sv[1], stream + off, n),
					 0);
			/* every frame there, nothing else */
			while (gns_read_frame_ahead(sv[0], GNS_GEN_16,
						    &f) == 1) {
				assert_true(k < N);
				assert_int_equal(f.hdr.id, k + 1);
				assert_int_equal(f.hdr.size, sizes[k]);
				assert_memory_equal(f.buf, stream + at[k],
						    sizes[k]);
				k++;
			}
			assert_int_equal(errno, EAGAIN);
		}
		assert_int_equal(k, N);
		close(sv[1]);
		assert_int_equal(gns_read_frame_ahead(sv[0], GNS_GEN_16, &f),
				 0);
		close(sv[0]);
	}
	gns_frame_release(&f);
}

/* Undetected, as the helper starts: the first frame by its size field. */
static void test_ahead_auto(void **state)
{
	struct gns_frame f = { 0 };
	uint8_t two[17 + 20];
	int sv[2];

	(void)state;
	stream_of(sv);
	put_noop(two, 9, 17);
	put_noop(two + 17, 10, 20);
	assert_int_equal(write(sv[1], two, sizeof(two)), sizeof(two));
	assert_int_equal(gns_read_frame_ahead(sv[0], GNS_GEN_AUTO, &f), 1);
	assert_int_equal(f.hdr.size, 17);
	assert_int_equal(f.hdr_len, 12);
	assert_int_equal(f.ahead, 20);
	/* the caller detects the generation and decodes the header again */
	f.hdr_len = 16;
	gns_hdr_decode(GNS_GEN_16, f.buf, &f.hdr);
	expect_noop(sv[0], &f, 10, 20);
	close(sv[1]);
	close(sv[0]);
	gns_frame_release(&f);
}

static void test_write_all(void **state)
{
	static uint8_t big[200000], back[sizeof(big)];
	struct dribble d;
	pthread_t t;
	size_t got = 0;
	int fds[2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	/* More than a pipe holds: the writer waits for the reader. */
	assert_int_equal(pipe(fds), 0);
	d = (struct dribble){ fds[1], big, sizeof(big), sizeof(big) };
	assert_int_equal(pthread_create(&t, NULL, dribble, &d), 0);
	while (got < sizeof(back)) {
		ssize_t n = read(fds[0], back + got, sizeof(back) - got);

		assert_true(n > 0);
		got += (size_t)n;
	}
	pthread_join(t, NULL);
	assert_memory_equal(back, big, sizeof(big));
	close(fds[0]);
	errno = 0;
	assert_int_equal(gns_write_all(fds[0], "x", 1), -1);
	assert_int_equal(errno, EBADF);
}

/* A frame with an @off-byte header and GUID area around @payload. */
static void make_frame(struct gns_frame *f, uint8_t *buf, size_t hl,
		       size_t off, const void *payload, size_t len)
{
	memset(buf, 0xee, off);
	memcpy(buf + off, payload, len);
	f->buf = buf;
	f->cap = off + len;
	f->hdr_len = hl;
	f->hdr.size = (uint32_t)(off + len);
}

static void test_frame_text(void **state)
{
	struct gns_frame f = { 0 };
	const char *text, *why;
	uint8_t buf[64];
	size_t len, hl;

	(void)state;
	for (hl = 12; hl <= 16; hl += 4) {
		make_frame(&f, buf, hl, hl, "{}", 3);
		assert_int_equal(gns_frame_text(&f, GNS_SETUP_IPV6, &text,
						&len, &why), 0);
		assert_ptr_equal(text, buf + hl);
		assert_int_equal(len, 2);
		/* Notification: the text follows the binary adapter GUID. */
		make_frame(&f, buf, hl, hl + 16, "{}", 3);
		assert_int_equal(gns_frame_text(&f, GNS_NOTIFICATION, &text,
						&len, &why), 0);
		assert_ptr_equal(text, buf + hl + 16);
		assert_int_equal(len, 2);
		/* Empty text: a lone NUL. */
		make_frame(&f, buf, hl, hl, "", 1);
		assert_int_equal(gns_frame_text(&f, GNS_NOOP, &text, &len,
						&why), 0);
		assert_int_equal(len, 0);
	}
}

static void test_frame_text_bad(void **state)
{
	struct gns_frame f = { 0 };
	const char *text, *why;
	uint8_t buf[64];
	size_t len, hl;

	(void)state;
	for (hl = 12; hl <= 16; hl += 4) {
		make_frame(&f, buf, hl, hl, "{}", 2);
		assert_int_equal(gns_frame_text(&f, GNS_DEVICE_SETTING, &text,
						&len, &why), -1);
		assert_string_equal(why, "payload is not NUL-terminated");
		make_frame(&f, buf, hl, hl, "{\0}", 4);
		assert_int_equal(gns_frame_text(&f, GNS_DEVICE_SETTING, &text,
						&len, &why), -1);
		assert_string_equal(why, "payload contains a NUL byte");
		make_frame(&f, buf, hl, hl, "", 0);
		why = NULL;
		assert_int_equal(gns_frame_text(&f, GNS_NOOP, &text, &len,
						&why), -1);
		assert_non_null(why);
		/* A Notification needs 16 GUID bytes and the NUL. */
		make_frame(&f, buf, hl, hl + 15, "", 1);
		assert_int_equal(gns_frame_text(&f, GNS_NOTIFICATION, &text,
						&len, &why), -1);
	}
}

static void test_util(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", "a/b", "a:b", "a b", "a\tb", "a\nb", "a\vb",
		"a\fb", "a\rb", "a\xa0" "b", "0123456789abcdef",
	};
	uint8_t b[4];
	int64_t t0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (gns_ifname_valid(bad[i]))
			fail_msg("\"%s\" accepted", bad[i]);
	assert_true(gns_ifname_valid("0123456789abcde"));
	assert_true(gns_ifname_valid("eth0"));
	assert_true(gns_ifname_valid("a\"b;c"));
	assert_true(gns_ifname_valid("..."));
	assert_true(gns_ifname_valid("\xc3\xa9"));
	gns_put_le32(b, 0x01020304);
	assert_memory_equal(b, "\x04\x03\x02\x01", 4);
	assert_int_equal(gns_get_le32((const uint8_t *)"\xff\0\0\x80"),
			 0x800000ff);
	t0 = gns_now_ms();
	gns_sleep_ms(30);
	assert_true(gns_now_ms() - t0 >= 30);
	assert_true(gns_now_ms() - t0 < 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbering),
		cmocka_unit_test(test_numbering_unknown),
		cmocka_unit_test(test_kind_name_payload),
		cmocka_unit_test(test_gen_parse),
		cmocka_unit_test(test_gen_describe),
		cmocka_unit_test(test_hdr_16),
		cmocka_unit_test(test_hdr_12),
		cmocka_unit_test(test_detect_16),
		cmocka_unit_test(test_detect_12_type),
		cmocka_unit_test(test_detect_12_text),
		cmocka_unit_test(test_detect_short),
		cmocka_unit_test(test_reply_16),
		cmocka_unit_test(test_reply_12),
		cmocka_unit_test(test_reply_cut),
		cmocka_unit_test(test_read_whole),
		cmocka_unit_test(test_read_whole_12),
		cmocka_unit_test(test_read_auto),
		cmocka_unit_test(test_read_eof_inside),
		cmocka_unit_test(test_read_bad_size),
		cmocka_unit_test(test_read_bytewise),
		cmocka_unit_test(test_read_short_reads),
		cmocka_unit_test(test_read_eintr_resume),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_ahead_two_in_one),
		cmocka_unit_test(test_ahead_split),
		cmocka_unit_test(test_ahead_partial),
		cmocka_unit_test(test_ahead_eof_inside),
		cmocka_unit_test(test_ahead_stream),
		cmocka_unit_test(test_ahead_auto),
		cmocka_unit_test(test_write_all),
		cmocka_unit_test(test_frame_text),
		cmocka_unit_test(test_frame_text_bad),
		cmocka_unit_test(test_util),
	};

	/* run.sh counts the lines: keep them if a sanitizer aborts. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
