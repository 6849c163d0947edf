// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/gns/dns.c: the DNS tunneling frame codec, with the
 * byte examples of wsl-dns-tunneling §2.6.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gns/dns.h"
#include "gns/util.h"
#include "gns/wire.h"

/* ID 0x1234, RD, one question example.com A IN (§2.6). */
static const uint8_t query[29] = {
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c',
	'o', 'm', 0x00, 0x00, 0x01, 0x00, 0x01,
};

/* @len bytes of @out as a frame read from the wire, for decoding. */
static struct gns_frame as_frame(enum gns_gen gen, uint8_t *out, size_t len)
{
	struct gns_frame f = { .buf = out, .cap = len };

	f.hdr_len = gns_gen_hdr_len(gen);
	gns_hdr_decode(gen, out, &f.hdr);
	assert_int_equal(f.hdr.size, len);
	return f;
}

static void test_udp_16(void **state)
{
	static const uint8_t want[24] = {
		0x46, 0, 0, 0, 0x35, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		0x11, 0, 0, 0, 0, 0, 0, 0,
	};
	struct gns_dns_msg m = { GNS_DNS_PROTO_UDP, 0, query, sizeof(query) };
	struct gns_dns_msg d;
	struct gns_frame f;
	uint8_t out[128];

	(void)state;
	memset(out, 0x55, sizeof(out));
	assert_int_equal(gns_dns_encode(GNS_GEN_16, 1, &m, out, sizeof(out)),
			 53);
	assert_memory_equal(out, want, sizeof(want));
	assert_memory_equal(out + 24, query, sizeof(query));
	assert_int_equal(out[53], 0x55);
	f = as_frame(GNS_GEN_16, out, 53);
	assert_int_equal(gns_dns_decode(GNS_GEN_16, &f, &d), GNS_DNS_OK);
	assert_int_equal(d.proto, GNS_DNS_PROTO_UDP);
	assert_int_equal(d.client_id, 0);
	assert_ptr_equal(d.data, out + 24);
	assert_int_equal(d.len, sizeof(query));
}

static void test_tcp_16(void **state)
{
	static const uint8_t want[24] = {
		0x46, 0, 0, 0, 0x37, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
		0x06, 0, 0, 0, 3, 0, 0, 0,
	};
	uint8_t tcp[2 + sizeof(query)] = { 0x00, 0x1d };
	struct gns_dns_msg m = { GNS_DNS_PROTO_TCP, 3, tcp, sizeof(tcp) };
	struct gns_dns_msg d;
	struct gns_frame f;
	uint8_t out[128];

	(void)state;
	memcpy(tcp + 2, query, sizeof(query));
	/* The padding is written as zeros whatever the buffer held. */
	memset(out, 0xff, sizeof(out));
	assert_int_equal(gns_dns_encode(GNS_GEN_16, 2, &m, out, sizeof(out)),
			 55);
	assert_memory_equal(out, want, sizeof(want));
	assert_memory_equal(out + 24, tcp, sizeof(tcp));
	f = as_frame(GNS_GEN_16, out, 55);
	assert_int_equal(gns_dns_decode(GNS_GEN_16, &f, &d), GNS_DNS_OK);
	assert_int_equal(d.proto, GNS_DNS_PROTO_TCP);
	assert_int_equal(d.client_id, 3);
	assert_int_equal(d.len, sizeof(tcp));
	assert_memory_equal(d.data, tcp, sizeof(tcp));
}

static void test_udp_12(void **state)
{
	/* Release 2.6.0: 12-byte header, type 69 (§2.6). */
	static const uint8_t want_old[20] = {
		0x45, 0, 0, 0, 0x31, 0, 0, 0, 1, 0, 0, 0,
		0x11, 0, 0, 0, 0, 0, 0, 0,
	};
	struct gns_dns_msg m = { GNS_DNS_PROTO_UDP, 0xdeadbeef, query,
				 sizeof(query) };
	struct gns_dns_msg d;
	struct gns_frame f;
	uint8_t out[128];

	(void)state;
	m.client_id = 0;
	assert_int_equal(gns_dns_encode(GNS_GEN_12_OLD, 1, &m, out,
					sizeof(out)), 49);
	assert_memory_equal(out, want_old, sizeof(want_old));
	assert_memory_equal(out + 20, query, sizeof(query));
	f = as_frame(GNS_GEN_12_OLD, out, 49);
	assert_int_equal(gns_dns_decode(GNS_GEN_12_OLD, &f, &d), GNS_DNS_OK);
	assert_ptr_equal(d.data, out + 20);
	assert_int_equal(d.len, sizeof(query));

	/* 2.6.1 to 2.7.1: 12-byte header, type 70; id in LE. */
	m.client_id = 0xdeadbeef;
	assert_int_equal(gns_dns_encode(GNS_GEN_12, 0x01020304, &m, out,
					sizeof(out)), 49);
	assert_memory_equal(out, "\x46\0\0\0\x31\0\0\0\x04\x03\x02\x01"
			    "\x11\0\0\0\xef\xbe\xad\xde", 20);
	f = as_frame(GNS_GEN_12, out, 49);
	assert_int_equal(gns_dns_decode(GNS_GEN_12, &f, &d), GNS_DNS_OK);
	assert_int_equal(d.client_id, 0xdeadbeef);
	assert_int_equal(f.hdr.id, 0x01020304);
}

static void test_largest(void **state)
{
	size_t len = GNS_DNS_MAX_PAYLOAD, size = 16 + 8 + len;
	struct gns_dns_msg m = { GNS_DNS_PROTO_TCP, 1, NULL, len };
	uint8_t *data = malloc(len), *out = malloc(size);
	struct gns_dns_msg d;
	struct gns_frame f;

	(void)state;
	assert_non_null(data);
	assert_non_null(out);
	memset(data, 0x5a, len);
	m.data = data;
	assert_int_equal(gns_dns_encode(GNS_GEN_16, 1, &m, out, size), size);
	f = as_frame(GNS_GEN_16, out, size);
	assert_int_equal(gns_dns_decode(GNS_GEN_16, &f, &d), GNS_DNS_OK);
	assert_int_equal(d.len, len);
	/* One byte short of room. */
	assert_int_equal(gns_dns_encode(GNS_GEN_16, 1, &m, out, size - 1), 0);
	free(data);
	free(out);
}

static void test_encode_rejects(void **state)
{
	struct gns_dns_msg m = { GNS_DNS_PROTO_UDP, 0, query, sizeof(query) };
	uint8_t out[128];
	size_t g;
	static const enum gns_gen gens[] = {
		GNS_GEN_12_OLD, GNS_GEN_12, GNS_GEN_16,
	};

	(void)state;
	for (g = 0; g < 3; g++) {
		size_t need = gns_gen_hdr_len(gens[g]) + 8 + sizeof(query);

		/* Small cap: nothing written. */
		memset(out, 0x55, sizeof(out));
		assert_int_equal(gns_dns_encode(gens[g], 1, &m, out, need - 1),
				 0);
		assert_int_equal(out[0], 0x55);
		assert_int_equal(gns_dns_encode(gens[g], 1, &m, out, need),
				 need);
		m.len = 0;
		assert_int_equal(gns_dns_encode(gens[g], 1, &m, out,
						sizeof(out)), 0);
		m.len = GNS_DNS_MAX_PAYLOAD + 1;
		assert_int_equal(gns_dns_encode(gens[g], 1, &m, out,
						sizeof(out)), 0);
		m.len = sizeof(query);
		m.proto = 1;
		assert_int_equal(gns_dns_encode(gens[g], 1, &m, out,
						sizeof(out)), 0);
		m.proto = 0;
		assert_int_equal(gns_dns_encode(gens[g], 1, &m, out,
						sizeof(out)), 0);
		m.proto = GNS_DNS_PROTO_UDP;
	}
	assert_int_equal(gns_dns_encode(GNS_GEN_AUTO, 1, &m, out, sizeof(out)),
			 0);
}

/* A valid UDP frame of @gen in @out; its length. */
static size_t valid(enum gns_gen gen, uint8_t *out, size_t cap)
{
	struct gns_dns_msg m = { GNS_DNS_PROTO_UDP, 7, query, sizeof(query) };
	size_t n = gns_dns_encode(gen, 1, &m, out, cap);

	assert_true(n > 0);
	return n;
}

static void expect_err(enum gns_gen gen, uint8_t *out, size_t len,
		       enum gns_dns_err want)
{
	struct gns_frame f = { .buf = out, .cap = len };
	struct gns_dns_msg d;

	f.hdr_len = gns_gen_hdr_len(gen);
	gns_hdr_decode(gen, out, &f.hdr);
	assert_int_equal(gns_dns_decode(gen, &f, &d), want);
	assert_non_null(gns_dns_strerror(want));
}

static void test_decode_wrong_type(void **state)
{
	uint8_t out[128];
	size_t n;

	(void)state;
	/* 70 is NoOp up to 2.6.0; 69 is SetupIpv6 since 2.6.1. */
	n = valid(GNS_GEN_16, out, sizeof(out));
	expect_err(GNS_GEN_12_OLD, out, n, GNS_DNS_WRONG_TYPE);
	n = valid(GNS_GEN_12_OLD, out, sizeof(out));
	expect_err(GNS_GEN_12, out, n, GNS_DNS_WRONG_TYPE);
	n = valid(GNS_GEN_16, out, sizeof(out));
	gns_put_le32(out, gns_type_of(GNS_RESULT, GNS_GEN_16));
	expect_err(GNS_GEN_16, out, n, GNS_DNS_WRONG_TYPE);
	expect_err(GNS_GEN_AUTO, out, n, GNS_DNS_WRONG_TYPE);
}

static void test_decode_wrong_step(void **state)
{
	uint8_t out[128];
	size_t n;

	(void)state;
	n = valid(GNS_GEN_16, out, sizeof(out));
	gns_put_le32(out + 12, GNS_STEP_REQUEST);
	expect_err(GNS_GEN_16, out, n, GNS_DNS_WRONG_STEP);
	gns_put_le32(out + 12, GNS_STEP_REPLY);
	expect_err(GNS_GEN_16, out, n, GNS_DNS_WRONG_STEP);
}

static void test_decode_truncated(void **state)
{
	uint8_t out[128];
	size_t hl, len;

	(void)state;
	for (hl = 12; hl <= 16; hl += 4) {
		enum gns_gen gen = hl == 12 ? GNS_GEN_12 : GNS_GEN_16;

		valid(gen, out, sizeof(out));
		/* Header, identifier and no DNS byte, or less. */
		for (len = hl; len <= hl + 8; len++) {
			gns_put_le32(out + 4, (uint32_t)len);
			expect_err(gen, out, len, GNS_DNS_TRUNCATED);
		}
		gns_put_le32(out + 4, (uint32_t)(hl + 9));
		expect_err(gen, out, hl + 9, GNS_DNS_OK);
	}
}

static void test_decode_oversized(void **state)
{
	size_t size = 12 + 8 + GNS_DNS_MAX_PAYLOAD + 1;
	uint8_t *out = calloc(1, size);

	(void)state;
	assert_non_null(out);
	valid(GNS_GEN_12, out, size);
	gns_put_le32(out + 4, (uint32_t)size);
	expect_err(GNS_GEN_12, out, size, GNS_DNS_OVERSIZED);
	gns_put_le32(out + 4, (uint32_t)size - 1);
	expect_err(GNS_GEN_12, out, size - 1, GNS_DNS_OK);
	free(out);
}

static void test_decode_unknown_proto(void **state)
{
	static const uint8_t protos[] = { 0, 1, 5, 7, 16, 18, 41, 0xff };
	uint8_t out[128];
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(protos); i++) {
		n = valid(GNS_GEN_16, out, sizeof(out));
		out[16] = protos[i];
		expect_err(GNS_GEN_16, out, n, GNS_DNS_UNKNOWN_PROTO);
		n = valid(GNS_GEN_12_OLD, out, sizeof(out));
		out[12] = protos[i];
		expect_err(GNS_GEN_12_OLD, out, n, GNS_DNS_UNKNOWN_PROTO);
	}
	/* The padding is not checked: receivers ignore it. */
	n = valid(GNS_GEN_16, out, sizeof(out));
	memset(out + 17, 0xff, 3);
	expect_err(GNS_GEN_16, out, n, GNS_DNS_OK);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_non_null(strstr(gns_dns_strerror(GNS_DNS_TRUNCATED), "shorter"));
	assert_non_null(strstr(gns_dns_strerror(GNS_DNS_UNKNOWN_PROTO),
			       "protocol"));
	assert_string_not_equal(gns_dns_strerror(GNS_DNS_WRONG_TYPE),
				gns_dns_strerror(GNS_DNS_WRONG_STEP));
	assert_string_not_equal(gns_dns_strerror(GNS_DNS_OVERSIZED),
				gns_dns_strerror(GNS_DNS_TRUNCATED));
}

/* Frames off a stream: encoded, written, read back by gns_read_frame(). */
static void test_stream(void **state)
{
	struct gns_dns_msg m = { GNS_DNS_PROTO_UDP, 0, query, sizeof(query) };
	struct gns_frame f = { 0 };
	struct gns_dns_msg d;
	uint8_t out[128];
	uint32_t seq;
	size_t n;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	for (seq = 1; seq <= 3; seq++) {
		m.client_id = seq * 10;
		n = gns_dns_encode(GNS_GEN_12, seq, &m, out, sizeof(out));
		assert_int_equal(gns_write_all(fds[1], out, n), 0);
	}
	close(fds[1]);
	for (seq = 1; seq <= 3; seq++) {
		assert_int_equal(gns_read_frame(fds[0], GNS_GEN_12, &f), 1);
		assert_int_equal(f.hdr.id, seq);
		assert_int_equal(gns_dns_decode(GNS_GEN_12, &f, &d),
				 GNS_DNS_OK);
		assert_int_equal(d.client_id, seq * 10);
		assert_memory_equal(d.data, query, sizeof(query));
	}
	assert_int_equal(gns_read_frame(fds[0], GNS_GEN_12, &f), 0);
	close(fds[0]);
	gns_frame_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_16),
		cmocka_unit_test(test_tcp_16),
		cmocka_unit_test(test_udp_12),
		cmocka_unit_test(test_largest),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_decode_wrong_type),
		cmocka_unit_test(test_decode_wrong_step),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_decode_oversized),
		cmocka_unit_test(test_decode_unknown_proto),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_stream),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
