// SPDX-License-Identifier: GPL-2.0
/*
 * The host's DNS half: the test zone (parsing, answers built byte by
 * byte against RFC 1035), the DNS channel served in a thread over a
 * socketpair with the test as the guest (wsl-dns-tunneling §2: frames,
 * sequence numbers, client identifiers, TCP prefixes, drops), and the
 * upstream forwarding against `mirrornet-host --dns-serve` ($MH_HOST),
 * with an upstream that never answers one name. Queries and answers are
 * encoded and decoded here independently of zone.c.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#include "gns/dns.h"
#include "gns/util.h"
#include "dnstunnel.h"
#include "zone.h"

#define SAMPLE_ZONE	"tests/e2e/guest/dns.zone"

/* ---------------------------------------------------- DNS, by hand */

/* A query for @name (case kept) of @type; EDNS with @edns bytes if set. */
static size_t query(uint8_t *q, uint16_t id, const char *name, uint16_t type,
		    uint16_t edns)
{
	size_t n = 12;
	const char *s = name;

	memset(q, 0, 12);
	q[0] = id >> 8;
	q[1] = id & 0xff;
	q[2] = 0x01;			/* RD */
	q[5] = 1;			/* QDCOUNT */
	q[11] = edns ? 1 : 0;		/* ARCOUNT */
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		q[n++] = (uint8_t)l;
		memcpy(q + n, s, l);
		n += l;
		s += l + (dot ? 1 : 0);
	}
	q[n++] = 0;
	q[n++] = type >> 8;
	q[n++] = type & 0xff;
	q[n++] = 0;
	q[n++] = 1;			/* IN */
	if (edns) {
		static const uint8_t opt[] = { 0, 0, 41 };

		memcpy(q + n, opt, 3);
		n += 3;
		q[n++] = edns >> 8;
		q[n++] = edns & 0xff;
		memset(q + n, 0, 6);
		n += 6;
	}
	return n;
}

struct rr {
	uint16_t type;
	const uint8_t *data;
	size_t len;
};

struct answer {
	uint16_t id, flags, qd, an, ns, ar;
	int rcode;
	bool tc;
	struct rr rr[64];
	bool opt;
	uint16_t opt_size;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Parse @a (@len bytes) strictly; fails the test if it is malformed. */
static void parse(const uint8_t *a, size_t len, struct answer *out)
{
	size_t off = 12, i;

	memset(out, 0, sizeof(*out));
	assert_true(len >= 12);
	out->id = be16(a);
	out->flags = be16(a + 2);
	out->rcode = a[3] & 0xf;
	out->tc = a[2] & 0x02;
	out->qd = be16(a + 4);
	out->an = be16(a + 6);
	out->ns = be16(a + 8);
	out->ar = be16(a + 10);
	assert_true(out->an <= 64);
	for (i = 0; i < out->qd; i++) {
		while (a[off])
			off += 1 + a[off];
		off += 5;
		assert_true(off <= len);
	}
	for (i = 0; i < out->an; i++) {
		assert_true(off + 12 <= len);
		assert_int_equal(be16(a + off), 0xc00c);
		out->rr[i].type = be16(a + off + 2);
		assert_int_equal(be16(a + off + 4), 1);
		assert_int_equal(be16(a + off + 6) << 16 | be16(a + off + 8),
				 MH_ZONE_TTL);
		out->rr[i].len = be16(a + off + 10);
		out->rr[i].data = a + off + 12;
		off += 12 + out->rr[i].len;
		assert_true(off <= len);
	}
	if (out->ar) {
		assert_int_equal(out->ar, 1);
		assert_true(off + 11 <= len);
		assert_int_equal(a[off], 0);
		assert_int_equal(be16(a + off + 1), 41);
		out->opt = true;
		out->opt_size = be16(a + off + 3);
		off += 11;
	}
	assert_int_equal(off, len);
}

static struct mh_zone sample;
static uint8_t *abuf;

static int setup_sample(void **state)
{
	char err[MH_ZONE_ERR_LEN];

	(void)state;
	abuf = malloc(MH_DNS_TCP_MAX);
	if (!abuf || mh_zone_load(SAMPLE_ZONE, &sample, err) < 0) {
		fprintf(stderr, "%s: %s\n", SAMPLE_ZONE, err);
		return -1;
	}
	return 0;
}

static int teardown_sample(void **state)
{
	(void)state;
	mh_zone_free(&sample);
	free(abuf);
	return 0;
}

/* mh_zone_answer() of a query for @name, parsed into @a; its length. */
static long ask(const char *name, uint16_t type, uint16_t edns, size_t max,
		struct answer *a)
{
	uint8_t q[512];
	size_t n = query(q, 0xbeef, name, type, edns);
	const char *why = NULL;
	long r = mh_zone_answer(&sample, q, n, max, abuf, MH_DNS_TCP_MAX, &why);

	if (r > 0) {
		parse(abuf, (size_t)r, a);
		assert_int_equal(a->id, 0xbeef);
		assert_int_equal(a->qd, 1);
		assert_memory_equal(abuf + 12, q + 12, n - 12 - (edns ? 11 : 0));
		assert_int_equal(a->flags & 0x8000, 0x8000);	/* QR */
		assert_int_equal(a->flags & 0x0100, 0x0100);	/* RD echoed */
	}
	return r;
}

/* ------------------------------------------------------ zone parsing */

static void test_zone_parse_good(void **state)
{
	static const char text[] =
		"# comment\n"
		"\n"
		"  Host.Test.  A  192.0.2.1\n"
		"host.test\tAAAA\t2001:db8::1\r\n"
		"t.test TXT one \"two words\" \"q\\\"uote\"\n"
		"quiet.test NOANSWER";
	static const uint8_t txt[] = "\3one\x09two words\6q\"uote";
	char err[MH_ZONE_ERR_LEN];
	struct mh_zone z;

	(void)state;
	assert_int_equal(mh_zone_parse(text, sizeof(text) - 1, &z, err), 0);
	assert_int_equal(z.n, 4);
	assert_int_equal(z.rrs[0].name_len, 11);
	assert_memory_equal(z.rrs[0].name, "\4host\4test", 11);
	assert_int_equal(z.rrs[0].type, 1);
	assert_memory_equal(z.rrs[0].rdata, "\xc0\x00\x02\x01", 4);
	assert_int_equal(z.rrs[1].type, 28);
	assert_int_equal(z.rrs[1].rdlen, 16);
	assert_int_equal(z.rrs[2].type, 16);
	assert_int_equal(z.rrs[2].rdlen, sizeof(txt) - 1);
	assert_memory_equal(z.rrs[2].rdata, txt, sizeof(txt) - 1);
	assert_int_equal(z.rrs[3].type, 0);
	mh_zone_free(&z);
}

static void test_zone_parse_bad(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "a.test A 192.0.2.1\nb..test A 192.0.2.1\n",
		  "line 2: bad name 'b..test'" },
		{ "a.test\n", "line 1: no type after the name" },
		{ "\n\na.test MX 10 mx.test\n",
		  "line 3: unknown type 'MX' (A, AAAA, TXT or NOANSWER)" },
		{ "a.test A\n", "line 1: A needs a value" },
		{ "a.test A 192.0.2.300\n", "line 1: '192.0.2.300' is no IPv4 "
		  "address" },
		{ "a.test A 192.0.2.1 192.0.2.2\n", "line 1: A takes one value" },
		{ "a.test AAAA 192.0.2.1\n", "line 1: '192.0.2.1' is no IPv6 "
		  "address" },
		{ "a.test TXT \"open\n", "line 1: a quoted string has no end" },
		{ "a.test NOANSWER x\n", "line 1: NOANSWER takes no value" },
		{ "a.test A 192.0.2.1\nA.test NOANSWER\n",
		  "line 2: 'A.test' is both NOANSWER and answered" },
		{ "a.test NOANSWER\na.test TXT x\n",
		  "line 2: 'a.test' is both NOANSWER and answered" },
		{ "a_b!.test A 192.0.2.1\n", "line 1: bad name 'a_b!.test'" },
		{ "x.test A 192.0.2.1\n\0.test A 192.0.2.1\n",
		  "line 2: a NUL byte" },
	};
	char err[MH_ZONE_ERR_LEN], longtxt[300], line[400];
	struct mh_zone z;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].text);

		if (strstr(cases[i].err, "NUL"))
			len = 38;
		err[0] = 0;
		assert_int_equal(mh_zone_parse(cases[i].text, len, &z, err),
				 -1);
		assert_string_equal(err, cases[i].err);
		assert_int_equal(z.n, 0);
		assert_null(z.rrs);
	}
	/* A TXT string of 256 bytes, and a label of 64. */
	memset(longtxt, 'x', 256);
	longtxt[256] = 0;
	snprintf(line, sizeof(line), "ok.test TXT short %s\n", longtxt);
	assert_int_equal(mh_zone_parse(line, strlen(line), &z, err), -1);
	assert_string_equal(err, "line 1: TXT string 2 is longer than 255 "
			    "bytes");
	longtxt[64] = 0;
	snprintf(line, sizeof(line), "%s.test A 192.0.2.1\n", longtxt);
	assert_int_equal(mh_zone_parse(line, strlen(line), &z, err), -1);
	assert_string_equal(err, "line 1: bad name 'xxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'");
	longtxt[63] = 0;
	snprintf(line, sizeof(line), "%s.test A 192.0.2.1\n", longtxt);
	assert_int_equal(mh_zone_parse(line, strlen(line), &z, err), 0);
	mh_zone_free(&z);
	assert_int_equal(mh_zone_load("/nonexistent/zone", &z, err), -1);
	assert_string_equal(err, "No such file or directory");
}

/* The sample zone the e2e tests use holds what they rely on. */
static void test_zone_sample(void **state)
{
	size_t i, many = 0, big = 0;
	uint8_t wire[MH_DNS_NAME_MAX];
	size_t many_len = mh_dns_name_wire("many.test", 9, wire);

	(void)state;
	for (i = 0; i < sample.n; i++) {
		if (sample.rrs[i].name_len == many_len &&
		    !memcmp(sample.rrs[i].name, wire, many_len))
			many++;
		if (sample.rrs[i].type == MH_DNS_TYPE_TXT)
			big += sample.rrs[i].rdlen;
	}
	assert_int_equal(many, 40);
	assert_true(big > 1232);
}

/* --------------------------------------------------------- answers */

static void test_answer_a(void **state)
{
	struct answer a;

	(void)state;
	assert_true(ask("host.test", 1, 0, 0, &a) > 0);
	assert_int_equal(a.rcode, 0);
	assert_false(a.tc);
	assert_int_equal(a.an, 1);
	assert_int_equal(a.rr[0].type, 1);
	assert_int_equal(a.rr[0].len, 4);
	assert_memory_equal(a.rr[0].data, "\xc0\x00\x02\x0a", 4);
	assert_false(a.opt);
	/* Case kept in the question, matched without it. */
	assert_true(ask("HoSt.TEST", 1, 0, 0, &a) > 0);
	assert_int_equal(a.an, 1);
}

static void test_answer_aaaa_and_any(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
	struct answer a;

	(void)state;
	assert_true(ask("v6.test", 28, 0, 0, &a) > 0);
	assert_int_equal(a.an, 1);
	assert_int_equal(a.rr[0].type, 28);
	assert_int_equal(a.rr[0].len, 16);
	assert_memory_equal(a.rr[0].data, v6, 16);
	assert_true(ask("both.test", 255, 0, 0, &a) > 0);
	assert_int_equal(a.an, 2);
	assert_int_equal(a.rr[0].type, 1);
	assert_int_equal(a.rr[1].type, 28);
	/* A name with records, none of the type: NOERROR, no answer. */
	assert_true(ask("v6.test", 1, 0, 0, &a) > 0);
	assert_int_equal(a.rcode, 0);
	assert_int_equal(a.an, 0);
}

static void test_answer_nxdomain(void **state)
{
	struct answer a;

	(void)state;
	assert_true(ask("nowhere.test", 1, 0, 0, &a) > 0);
	assert_int_equal(a.rcode, 3);
	assert_int_equal(a.an, 0);
	/* A suffix of a zone name is no zone name. */
	assert_true(ask("test", 1, 0, 0, &a) > 0);
	assert_int_equal(a.rcode, 3);
	assert_true(ask("x.host.test", 1, 0, 0, &a) > 0);
	assert_int_equal(a.rcode, 3);
}

static void test_answer_txt_sizes(void **state)
{
	struct answer a;
	long n;

	(void)state;
	/* 1.5 KB: truncated in 512 and in EDNS 1232, whole over TCP. */
	n = ask("big.test", 16, 0, 0, &a);
	assert_true(n > 0 && n <= 512);
	assert_true(a.tc);
	assert_int_equal(a.an, 0);
	n = ask("big.test", 16, 1232, 0, &a);
	assert_true(n > 0 && n <= 1232);
	assert_true(a.tc);
	assert_true(a.opt);
	assert_int_equal(a.opt_size, MH_DNS_UDP_MAX);
	n = ask("big.test", 16, 0, MH_DNS_TCP_MAX, &a);
	assert_true(n > 1232);
	assert_false(a.tc);
	assert_int_equal(a.an, 1);
	assert_int_equal(a.rr[0].data[0], 250);	/* first string's length */
	assert_memory_equal(a.rr[0].data + 1, "big-0-", 6);
	/* 40 A records: over 512, within EDNS 1232 and 4096. */
	n = ask("many.test", 1, 0, 0, &a);
	assert_true(a.tc);
	n = ask("many.test", 1, 1232, 0, &a);
	assert_true(n > 512);
	assert_false(a.tc);
	assert_int_equal(a.an, 40);
	assert_memory_equal(a.rr[39].data, "\xc6\x33\x64\x28", 4);
	/* An EDNS size below 512 counts as 512, above 4096 as 4096. */
	n = ask("many.test", 1, 100, 0, &a);
	assert_true(a.tc);
	n = ask("big.test", 16, 65000, 0, &a);
	assert_false(a.tc);
	assert_true(n <= MH_DNS_UDP_MAX);
}

static void test_answer_silent(void **state)
{
	struct answer a;

	(void)state;
	assert_int_equal(ask("silent.test", 1, 0, 0, &a), 0);
	assert_int_equal(ask("SILENT.test", 28, 0, MH_DNS_TCP_MAX, &a), 0);
}

static void test_answer_malformed(void **state)
{
	uint8_t q[512];
	const char *why = NULL;
	struct answer a;
	size_t n;
	long r;

	(void)state;
	n = query(q, 0x1234, "host.test", 1, 0);
	/* Too short to answer at all. */
	r = mh_zone_answer(&sample, q, 11, 0, abuf, MH_DNS_TCP_MAX, &why);
	assert_int_equal(r, -1);
	assert_string_equal(why, "shorter than a DNS header");
	/* A response is no query. */
	q[2] |= 0x80;
	r = mh_zone_answer(&sample, q, n, 0, abuf, MH_DNS_TCP_MAX, &why);
	assert_int_equal(r, -1);
	assert_string_equal(why, "a response, not a query");
	q[2] &= 0x7f;
	/* The question cut short: FORMERR, header only, id kept. */
	r = mh_zone_answer(&sample, q, n - 3, 0, abuf, MH_DNS_TCP_MAX, &why);
	assert_int_equal(r, 12);
	parse(abuf, 12, &a);
	assert_int_equal(a.id, 0x1234);
	assert_int_equal(a.rcode, 1);
	assert_int_equal(a.qd, 0);
	/* A label running past the end. */
	q[12] = 60;
	r = mh_zone_answer(&sample, q, n, 0, abuf, MH_DNS_TCP_MAX, &why);
	assert_int_equal(r, 12);
	assert_int_equal(abuf[3] & 0xf, 1);
	/* A compression pointer in the question. */
	q[12] = 0xc0;
	r = mh_zone_answer(&sample, q, n, 0, abuf, MH_DNS_TCP_MAX, &why);
	assert_int_equal(abuf[3] & 0xf, 1);
	q[12] = 4;
	/* Two questions. */
	q[5] = 2;
	r = mh_zone_answer(&sample, q, n, 0, abuf, MH_DNS_TCP_MAX, &why);
	assert_int_equal(r, 12);
	assert_int_equal(abuf[3] & 0xf, 1);
	q[5] = 1;
	/* Opcode STATUS: NOTIMP. */
	q[2] |= 2 << 3;
	r = mh_zone_answer(&sample, q, n, 0, abuf, MH_DNS_TCP_MAX, &why);
	assert_int_equal(r, 12);
	assert_int_equal(abuf[3] & 0xf, 4);
	assert_int_equal((abuf[2] >> 3) & 0xf, 2);
	q[2] &= ~(0xf << 3);
	/* Class CH: REFUSED, question echoed. */
	q[n - 1] = 3;
	r = mh_zone_answer(&sample, q, n, 0, abuf, MH_DNS_TCP_MAX, &why);
	parse(abuf, (size_t)r, &a);
	assert_int_equal(a.rcode, 5);
	assert_int_equal(a.qd, 1);
	assert_int_equal(a.an, 0);
}

/* ------------------------------------------------ the DNS channel */

/* @log has @want; else the test fails showing the whole log. */
static void log_has(const char *log, const char *want)
{
	if (!strstr(log, want))
		fail_msg("no \"%s\" in the log:\n%s", want, log);
}



struct chan {
	int fd;			/* the test's end: the guest */
	enum gns_gen gen;
	uint32_t seq;		/* the guest's last frame number */
	uint32_t host_seq;	/* the host's last frame number seen */
	struct mh_dns *d;
	FILE *log;
	struct gns_frame f;
};

static void chan_open_at(struct chan *c, enum gns_gen gen,
			 const struct mh_zone *zone,
			 const struct sockaddr_storage *up, socklen_t up_len,
			 long timeout_ms, size_t close_after)
{
	struct mh_dns_config cfg = {
		.gen = gen, .zone = zone, .timeout_ms = timeout_ms,
		.close_after = close_after,
	};
	int sv[2];

	memset(c, 0, sizeof(*c));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				    sv), 0);
	c->fd = sv[1];
	c->gen = gen;
	c->log = tmpfile();
	assert_non_null(c->log);
	cfg.log = c->log;
	if (up) {
		cfg.upstream = *up;
		cfg.upstream_len = up_len;
	}
	c->d = mh_dns_new(sv[0], &cfg);
	assert_non_null(c->d);
	assert_int_equal(mh_dns_start(c->d), 0);
}

static void chan_open(struct chan *c, enum gns_gen gen,
		      const struct mh_zone *zone,
		      const struct sockaddr_storage *up, socklen_t up_len,
		      long timeout_ms)
{
	chan_open_at(c, gen, zone, up, up_len, timeout_ms, 0);
}

/* Close the guest's end: the host's side ends cleanly. The log text. */
static char *chan_close(struct chan *c, struct mh_dns_stats *st)
{
	char *text = calloc(1, 65536);
	int i;

	assert_non_null(text);
	close(c->fd);
	/* The host sees the end of the channel before it is stopped. */
	for (i = 0; i < 500; i++) {
		ssize_t n = pread(fileno(c->log), text, 65535, 0);

		text[n > 0 ? n : 0] = 0;
		/* Closed by the guest, or by the host before. */
		if (strstr(text, " DNS channel"))
			break;
		usleep(10000);
	}
	assert_int_equal(mh_dns_stop(c->d), 0);
	mh_dns_get_stats(c->d, st);
	mh_dns_free(c->d);
	gns_frame_release(&c->f);
	rewind(c->log);
	assert_true(fread(text, 1, 65535, c->log) < 65535);
	fclose(c->log);
	return text;
}

static void send_raw(struct chan *c, const uint8_t *frame, size_t len)
{
	assert_int_equal(gns_write_all(c->fd, frame, len), 0);
}

/* A DnsTunneling frame with the next sequence number. */
static void send_query(struct chan *c, uint8_t proto, uint32_t client,
		       const uint8_t *dns, size_t len)
{
	uint8_t frame[1024];
	struct gns_dns_msg m = {
		.proto = proto, .client_id = client, .data = dns, .len = len,
	};
	size_t n;

	c->seq++;
	n = gns_dns_encode(c->gen, c->seq, &m, frame, sizeof(frame));
	assert_true(n > 0);
	send_raw(c, frame, n);
}

/* A UDP query, or a TCP one with its prefix. */
static void send_dns(struct chan *c, uint8_t proto, uint32_t client,
		     uint16_t id, const char *name, uint16_t type,
		     uint16_t edns)
{
	uint8_t q[600];
	size_t n = query(q + 2, id, name, type, edns);

	q[0] = (uint8_t)(n >> 8);
	q[1] = (uint8_t)n;
	if (proto == GNS_DNS_PROTO_TCP)
		send_query(c, proto, client, q, n + 2);
	else
		send_query(c, proto, client, q + 2, n);
}

/*
 * The host's next frame within @ms: 1, decoded into @m (its sequence
 * number checked), or 0 if none came.
 */
static int recv_answer(struct chan *c, long ms, struct gns_dns_msg *m)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int r;

	if (poll(&p, 1, (int)ms) == 0)
		return 0;
	r = gns_read_frame(c->fd, c->gen, &c->f);
	assert_int_equal(r, 1);
	assert_int_equal(gns_dns_decode(c->gen, &c->f, m), GNS_DNS_OK);
	assert_int_equal(c->f.hdr.id, ++c->host_seq);
	assert_int_equal(c->f.hdr.step, 0);
	return 1;
}

/* The end of the channel within @ms: 0, or -1 if it stays open. */
static int recv_eof(struct chan *c, long ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	if (poll(&p, 1, (int)ms) == 0)
		return -1;
	return gns_read_frame(c->fd, c->gen, &c->f);
}

/* The answer to a UDP query or a TCP one: its DNS message parsed. */
static void expect_answer(struct chan *c, uint8_t proto, uint32_t client,
			  uint16_t id, long ms, struct answer *a)
{
	struct gns_dns_msg m;

	assert_int_equal(recv_answer(c, ms, &m), 1);
	assert_int_equal(m.proto, proto);
	assert_int_equal(m.client_id, client);
	if (proto == GNS_DNS_PROTO_TCP) {
		assert_true(m.len > 2);
		assert_int_equal(be16(m.data), m.len - 2);
		parse(m.data + 2, m.len - 2, a);
	} else {
		parse(m.data, m.len, a);
	}
	assert_int_equal(a->id, id);
}

static void test_channel_udp_tcp(void **state)
{
	struct mh_dns_stats st;
	struct answer a;
	struct chan c;
	char *log;

	(void)state;
	chan_open(&c, GNS_GEN_16, &sample, NULL, 0, 0);
	send_dns(&c, GNS_DNS_PROTO_UDP, 0, 0x0101, "host.test", 1, 0);
	expect_answer(&c, GNS_DNS_PROTO_UDP, 0, 0x0101, 5000, &a);
	assert_int_equal(a.an, 1);
	assert_memory_equal(a.rr[0].data, "\xc0\x00\x02\x0a", 4);
	/* TCP: prefix both ways, > 512 bytes, the connection's id. */
	send_dns(&c, GNS_DNS_PROTO_TCP, 7, 0x0202, "big.test", 16, 0);
	expect_answer(&c, GNS_DNS_PROTO_TCP, 7, 0x0202, 5000, &a);
	assert_int_equal(a.an, 1);
	assert_true(a.rr[0].len > 1232);
	/* The same client id for UDP and TCP: two keys, two answers. */
	send_dns(&c, GNS_DNS_PROTO_TCP, 1, 0x0303, "v6.test", 28, 0);
	send_dns(&c, GNS_DNS_PROTO_UDP, 1, 0x0304, "nowhere.test", 1, 1232);
	expect_answer(&c, GNS_DNS_PROTO_TCP, 1, 0x0303, 5000, &a);
	assert_int_equal(a.rr[0].type, 28);
	expect_answer(&c, GNS_DNS_PROTO_UDP, 1, 0x0304, 5000, &a);
	assert_int_equal(a.rcode, 3);
	assert_true(a.opt);
	/* A UDP answer too big for 512 goes back truncated. */
	send_dns(&c, GNS_DNS_PROTO_UDP, 2, 0x0404, "many.test", 1, 0);
	expect_answer(&c, GNS_DNS_PROTO_UDP, 2, 0x0404, 5000, &a);
	assert_true(a.tc);
	log = chan_close(&c, &st);
	assert_string_equal(log, "mirrornet-host: dns: the guest closed the "
			    "DNS channel\n");
	free(log);
	assert_int_equal(st.frames, 5);
	assert_int_equal(st.answered, 5);
	assert_int_equal(st.dropped, 0);
}

/* Frames the host drops, each with a log line; the next one works. */
static void test_channel_drops(void **state)
{
	uint8_t q[64], frame[128];
	struct mh_dns_stats st;
	struct gns_dns_msg m = {
		.proto = GNS_DNS_PROTO_UDP, .data = q,
	};
	struct gns_hdr h;
	struct answer a;
	struct chan c;
	size_t n;
	char *log;

	(void)state;
	chan_open(&c, GNS_GEN_16, &sample, NULL, 0, 0);
	m.len = query(q, 0x0505, "host.test", 1, 0);
	/* Protocol 99. */
	n = gns_dns_encode(c.gen, ++c.seq, &m, frame, sizeof(frame));
	frame[16] = 99;
	send_raw(&c, frame, n);
	/* Sequence number skipped: 3 where 2 is due. */
	n = gns_dns_encode(c.gen, c.seq + 2, &m, frame, sizeof(frame));
	c.seq++;
	send_raw(&c, frame, n);
	/* Step 1. */
	n = gns_dns_encode(c.gen, ++c.seq, &m, frame, sizeof(frame));
	frame[12] = 1;
	send_raw(&c, frame, n);
	/* Another type (InterfaceConfiguration). */
	n = gns_dns_encode(c.gen, ++c.seq, &m, frame, sizeof(frame));
	frame[0] = 53;
	send_raw(&c, frame, n);
	/* Only the identifier, no DNS bytes. */
	h = (struct gns_hdr){ .type = 70, .size = 24, .id = ++c.seq };
	gns_hdr_encode(c.gen, &h, frame);
	memset(frame + 16, 0, 8);
	frame[16] = GNS_DNS_PROTO_UDP;
	send_raw(&c, frame, 24);
	/* TCP with a prefix that is not the message's length. */
	n = query(q + 2, 0x0606, "host.test", 1, 0);
	q[0] = 0;
	q[1] = (uint8_t)(n + 1);
	send_query(&c, GNS_DNS_PROTO_TCP, 4, q, n + 2);
	/* Not a query: a response, and a short message. */
	n = query(q, 0x0707, "host.test", 1, 0);
	q[2] |= 0x80;
	send_query(&c, GNS_DNS_PROTO_UDP, 5, q, n);
	send_query(&c, GNS_DNS_PROTO_UDP, 6, q, 5);
	/* Then a good query is answered, with the host's frame 1. */
	send_dns(&c, GNS_DNS_PROTO_UDP, 9, 0x0808, "host.test", 1, 0);
	expect_answer(&c, GNS_DNS_PROTO_UDP, 9, 0x0808, 5000, &a);
	assert_int_equal(a.an, 1);
	log = chan_close(&c, &st);
	log_has(log, "mirrornet-host: dns: frame 1 (type 70, "
			       "51 bytes): frame's protocol is neither TCP "
			       "(6) nor UDP (17): dropped\n");
	log_has(log, "mirrornet-host: dns: frame with sequence "
			       "number 3, expected 2: dropped\n");
	log_has(log, "frame 3 (type 70, 51 bytes): frame has a "
			       "transaction step other than 0: dropped\n");
	log_has(log, "frame 4 (type 53, 51 bytes): frame is not "
			       "a DnsTunneling message: dropped\n");
	log_has(log, "frame 5 (type 70, 24 bytes): frame "
			       "shorter than its client identifier and one "
			       "byte: dropped\n");
	log_has(log, "mirrornet-host: dns: tcp client 4: its "
			       "length prefix does not match the frame: "
			       "dropped\n");
	log_has(log, "udp client 5: a response, not a query: "
			       "dropped\n");
	log_has(log, "udp client 6: shorter than a DNS header: "
			       "dropped\n");
	free(log);
	assert_int_equal(st.frames, 9);
	assert_int_equal(st.dropped, 8);
	assert_int_equal(st.answered, 1);
}

/* The silent name is never answered; the queries around it are. */
static void test_channel_silent(void **state)
{
	struct mh_dns_stats st;
	struct gns_dns_msg m;
	struct answer a;
	struct chan c;

	(void)state;
	chan_open(&c, GNS_GEN_16, &sample, NULL, 0, 0);
	send_dns(&c, GNS_DNS_PROTO_UDP, 0, 1, "silent.test", 1, 0);
	send_dns(&c, GNS_DNS_PROTO_TCP, 0, 2, "silent.test", 1, 0);
	send_dns(&c, GNS_DNS_PROTO_UDP, 1, 3, "host.test", 1, 0);
	expect_answer(&c, GNS_DNS_PROTO_UDP, 1, 3, 5000, &a);
	send_dns(&c, GNS_DNS_PROTO_TCP, 0, 4, "v6.test", 28, 0);
	expect_answer(&c, GNS_DNS_PROTO_TCP, 0, 4, 5000, &a);
	assert_int_equal(recv_answer(&c, 300, &m), 0);
	free(chan_close(&c, &st));
	assert_int_equal(st.silent, 2);
	assert_int_equal(st.answered, 2);
}

/*
 * A host that closes the DNS channel mid-query (--dns-close-after): the
 * query it read last is not answered, the guest reads the end.
 */
static void test_channel_close_mid_query(void **state)
{
	struct mh_dns_stats st;
	struct answer a;
	struct chan c;
	char *log;

	(void)state;
	chan_open_at(&c, GNS_GEN_16, &sample, NULL, 0, 0, 3);
	send_dns(&c, GNS_DNS_PROTO_UDP, 0, 1, "host.test", 1, 0);
	expect_answer(&c, GNS_DNS_PROTO_UDP, 0, 1, 5000, &a);
	send_dns(&c, GNS_DNS_PROTO_TCP, 0, 2, "v6.test", 28, 0);
	expect_answer(&c, GNS_DNS_PROTO_TCP, 0, 2, 5000, &a);
	send_dns(&c, GNS_DNS_PROTO_UDP, 1, 3, "host.test", 1, 0);
	assert_int_equal(recv_eof(&c, 5000), 0);
	log = chan_close(&c, &st);
	assert_string_equal(log, "mirrornet-host: dns: closing the DNS "
			    "channel at frame 3, as asked\n");
	free(log);
	assert_int_equal(st.frames, 2);
	assert_int_equal(st.answered, 2);
}

/* The 12-byte header and the old numbering (DnsTunneling 69). */
static void test_channel_old_generation(void **state)
{
	struct mh_dns_stats st;
	struct answer a;
	struct chan c;

	(void)state;
	chan_open(&c, GNS_GEN_12_OLD, &sample, NULL, 0, 0);
	send_dns(&c, GNS_DNS_PROTO_UDP, 3, 0x0909, "host.test", 1, 0);
	expect_answer(&c, GNS_DNS_PROTO_UDP, 3, 0x0909, 5000, &a);
	assert_int_equal(c.f.hdr_len, 12);
	assert_int_equal(c.f.hdr.type, 69);
	assert_int_equal(c.f.hdr.size, c.f.buf[4] | c.f.buf[5] << 8);
	send_dns(&c, GNS_DNS_PROTO_TCP, 4, 0x0a0a, "many.test", 1, 0);
	expect_answer(&c, GNS_DNS_PROTO_TCP, 4, 0x0a0a, 5000, &a);
	assert_int_equal(a.an, 40);
	free(chan_close(&c, &st));
	assert_int_equal(st.answered, 2);
}

/* ---------------------------------- upstream: mirrornet-host --dns-serve */

struct server {
	pid_t pid;
	int err;		/* its stderr, read up to "serving on" */
	struct sockaddr_storage addr;
	socklen_t len;
};

/* Start $MH_HOST --dns-serve 127.0.0.1:0 with the sample zone. */
static void server_start(struct server *s)
{
	const char *bin = getenv("MH_HOST");
	char line[256], *port;
	size_t have = 0;
	int p[2];

	assert_non_null(bin);
	assert_int_equal(pipe(p), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (!s->pid) {
		dup2(p[1], 2);
		execl(bin, bin, "--dns-serve", "127.0.0.1:0", "--dns-zone",
		      SAMPLE_ZONE, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	/* "mirrornet-host: dns: serving on 127.0.0.1:PORT (udp and tcp)" */
	while (have < sizeof(line) - 1 && !memchr(line, '\n', have)) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		ssize_t n;

		assert_int_equal(poll(&pf, 1, 10000), 1);
		n = read(p[0], line + have, sizeof(line) - 1 - have);
		assert_true(n > 0);
		have += (size_t)n;
		line[have] = 0;
	}
	s->err = p[0];
	port = strstr(line, "serving on 127.0.0.1:");
	assert_non_null(port);
	assert_int_equal(mh_dns_parse_addr("127.0.0.1", (unsigned int)
					   atoi(port + 21), &s->addr,
					   &s->len), 0);
}

static void server_stop(struct server *s)
{
	int status;

	assert_int_equal(kill(s->pid, SIGTERM), 0);
	assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(s->err);
}

static void test_upstream(void **state)
{
	struct mh_dns_stats st;
	struct gns_dns_msg m;
	struct server s;
	struct answer a;
	struct chan c;
	char *log;

	(void)state;
	server_start(&s);
	chan_open(&c, GNS_GEN_16, NULL, &s.addr, s.len, 400);
	/* The silent one first: the others pass it while it waits. */
	send_dns(&c, GNS_DNS_PROTO_UDP, 0, 0x1111, "silent.test", 1, 0);
	send_dns(&c, GNS_DNS_PROTO_TCP, 0, 0x1112, "silent.test", 1, 0);
	send_dns(&c, GNS_DNS_PROTO_UDP, 1, 0x2222, "host.test", 1, 0);
	expect_answer(&c, GNS_DNS_PROTO_UDP, 1, 0x2222, 5000, &a);
	assert_int_equal(a.an, 1);
	assert_memory_equal(a.rr[0].data, "\xc0\x00\x02\x0a", 4);
	send_dns(&c, GNS_DNS_PROTO_TCP, 5, 0x3333, "big.test", 16, 0);
	expect_answer(&c, GNS_DNS_PROTO_TCP, 5, 0x3333, 5000, &a);
	assert_true(a.rr[0].len > 1232);
	/* Truncated over UDP: relayed as it came, TC set. */
	send_dns(&c, GNS_DNS_PROTO_UDP, 2, 0x4444, "big.test", 16, 0);
	expect_answer(&c, GNS_DNS_PROTO_UDP, 2, 0x4444, 5000, &a);
	assert_true(a.tc);
	send_dns(&c, GNS_DNS_PROTO_UDP, 3, 0x5555, "many.test", 1, 1232);
	expect_answer(&c, GNS_DNS_PROTO_UDP, 3, 0x5555, 5000, &a);
	assert_int_equal(a.an, 40);
	send_dns(&c, GNS_DNS_PROTO_TCP, 6, 0x6666, "nowhere.test", 1, 0);
	expect_answer(&c, GNS_DNS_PROTO_TCP, 6, 0x6666, 5000, &a);
	assert_int_equal(a.rcode, 3);
	/* Past the timeout: the silent queries were given up, unanswered. */
	assert_int_equal(recv_answer(&c, 800, &m), 0);
	log = chan_close(&c, &st);
	log_has(log, ": dns: udp client 0: upstream 127.0.0.1:");
	log_has(log, ": no answer within 400 ms: not "
			       "answered\n");
	log_has(log, ": dns: tcp client 0: upstream 127.0.0.1:");
	free(log);
	assert_int_equal(st.timed_out, 2);
	assert_int_equal(st.answered, 5);
	server_stop(&s);
}

/* An upstream that is not there: dropped with a log line, no answer. */
static void test_upstream_refused(void **state)
{
	struct sockaddr_storage addr;
	struct mh_dns_stats st;
	struct gns_dns_msg m;
	struct chan c;
	socklen_t len;
	char *log;
	int fd;

	(void)state;
	/* A port nobody listens on: bound, then closed. */
	assert_int_equal(mh_dns_parse_addr("127.0.0.1:0", 0, &addr, &len), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	close(fd);
	chan_open(&c, GNS_GEN_16, NULL, &addr, len, 2000);
	send_dns(&c, GNS_DNS_PROTO_TCP, 8, 0x7777, "host.test", 1, 0);
	send_dns(&c, GNS_DNS_PROTO_UDP, 9, 0x8888, "host.test", 1, 0);
	assert_int_equal(recv_answer(&c, 500, &m), 0);
	log = chan_close(&c, &st);
	log_has(log, "tcp client 8: upstream 127.0.0.1:");
	log_has(log, ": Connection refused: not answered\n");
	log_has(log, "udp client 9: upstream 127.0.0.1:");
	free(log);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.timed_out, 0);
}

/*
 * Queries shorter than a DNS header are dropped before forwarding reads
 * their id: a 1-byte UDP query, a TCP one with its prefix and 5 bytes.
 */
static void test_upstream_short(void **state)
{
	struct sockaddr_storage addr;
	struct mh_dns_stats st;
	struct gns_dns_msg m;
	uint8_t q[8] = { 0, 5, 0x12, 0x34, 1, 0, 0 };
	struct chan c;
	socklen_t len;
	char *log;

	(void)state;
	assert_int_equal(mh_dns_parse_addr("127.0.0.1:9", 0, &addr, &len), 0);
	chan_open(&c, GNS_GEN_16, NULL, &addr, len, 2000);
	send_query(&c, GNS_DNS_PROTO_UDP, 1, q + 2, 1);
	send_query(&c, GNS_DNS_PROTO_TCP, 2, q, 7);
	assert_int_equal(recv_answer(&c, 300, &m), 0);
	log = chan_close(&c, &st);
	log_has(log, "udp client 1: shorter than a DNS header: dropped\n");
	log_has(log, "tcp client 2: shorter than a DNS header: dropped\n");
	free(log);
	assert_int_equal(st.frames, 2);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.answered, 0);
}

/* ------------------- upstream: a resolver the test scripts, by hand */

/*
 * UDP and TCP bound to one port of 127.0.0.1, driven by the test: it sees
 * each query as the host sends it and answers when and how it chooses.
 */
struct scripted {
	int udp, tcp;
	struct sockaddr_storage addr;
	socklen_t len;
};

static void scripted_open(struct scripted *r)
{
	assert_int_equal(mh_dns_parse_addr("127.0.0.1:0", 0, &r->addr,
					   &r->len), 0);
	r->udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r->tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(r->udp >= 0 && r->tcp >= 0);
	assert_int_equal(bind(r->udp, (struct sockaddr *)&r->addr, r->len), 0);
	assert_int_equal(getsockname(r->udp, (struct sockaddr *)&r->addr,
				     &r->len), 0);
	assert_int_equal(bind(r->tcp, (struct sockaddr *)&r->addr, r->len), 0);
	assert_int_equal(listen(r->tcp, 8), 0);
}

static void scripted_close(struct scripted *r)
{
	close(r->udp);
	close(r->tcp);
}

/* @fd readable within @ms: 1, or 0. */
static int readable(int fd, long ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, (int)ms) == 1;
}

/* The next connection from the host, within 5 s. */
static int scripted_accept(struct scripted *r)
{
	int fd;

	assert_true(readable(r->tcp, 5000));
	fd = accept4(r->tcp, NULL, NULL, SOCK_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* The next UDP query, within 5 s: its length; the host's address. */
static size_t scripted_recv(struct scripted *r, uint8_t *q, size_t cap,
			    struct sockaddr_storage *from, socklen_t *flen)
{
	ssize_t n;

	*flen = sizeof(*from);
	assert_true(readable(r->udp, 5000));
	n = recvfrom(r->udp, q, cap, 0, (struct sockaddr *)from, flen);
	assert_true(n >= 12);
	return (size_t)n;
}

/* @len bytes from the stream @fd, each within 5 s. */
static void read_full(int fd, uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n;

		assert_true(readable(fd, 5000));
		n = read(fd, buf, len);
		assert_true(n > 0);
		buf += n;
		len -= (size_t)n;
	}
}

/* The next TCP query on @fd, its prefix included: its whole length. */
static size_t scripted_read_tcp(int fd, uint8_t *q, size_t cap)
{
	size_t len;

	read_full(fd, q, 2);
	len = be16(q);
	assert_true(len >= 12 && 2 + len <= cap);
	read_full(fd, q + 2, len);
	return 2 + len;
}

/* The answer the scripted resolver gives: the query echoed, QR set. */
static void echo_answer(uint8_t *dns)
{
	dns[2] |= 0x80;
}

/*
 * The host's next frame: the answer to @client's @proto query @q (@len
 * bytes, TCP with its prefix), echoed with QR set and the guest's id.
 */
static void expect_echo(struct chan *c, uint8_t proto, uint32_t client,
			const uint8_t *q, size_t len)
{
	uint8_t want[600];
	struct gns_dns_msg m;

	assert_true(len <= sizeof(want));
	memcpy(want, q, len);
	echo_answer(want + (proto == GNS_DNS_PROTO_TCP ? 2 : 0));
	assert_int_equal(recv_answer(c, 5000, &m), 1);
	assert_int_equal(m.proto, proto);
	assert_int_equal(m.client_id, client);
	assert_int_equal(m.len, len);
	assert_memory_equal(m.data, want, len);
}

/*
 * Two guest clients ask with the same DNS id at once: upstream the two
 * carry ids of their own, and each client gets its own answer with its
 * id back, whatever order the upstream answers in. Answers whose id is
 * not pending, or without QR, are dropped: one spoofed answer comes
 * before each real one, from the resolver's own address.
 */
static void test_upstream_udp_ids(void **state)
{
	uint8_t q1[64], q2[64], up1[64], up2[64], spoof[64];
	struct sockaddr_storage from;
	struct mh_dns_stats st;
	struct gns_dns_msg m;
	struct scripted r;
	size_t n1, n2, n;
	struct chan c;
	socklen_t flen;

	(void)state;
	scripted_open(&r);
	chan_open(&c, GNS_GEN_16, NULL, &r.addr, r.len, 5000);
	n1 = query(q1, 0x4242, "one.test", 1, 0);
	n2 = query(q2, 0x4242, "two.test", 1, 0);
	send_query(&c, GNS_DNS_PROTO_UDP, 1, q1, n1);
	send_query(&c, GNS_DNS_PROTO_UDP, 2, q2, n2);
	assert_int_equal(scripted_recv(&r, up1, sizeof(up1), &from, &flen),
			 n1);
	assert_int_equal(scripted_recv(&r, up2, sizeof(up2), &from, &flen),
			 n2);
	/* The queries but for their ids, which differ. */
	assert_memory_equal(up1 + 2, q1 + 2, n1 - 2);
	assert_memory_equal(up2 + 2, q2 + 2, n2 - 2);
	assert_int_not_equal(be16(up1), be16(up2));
	/* Spoofed: an id no query carries (neither of the two). */
	memcpy(spoof, up2, n2);
	echo_answer(spoof);
	do
		gns_put_be16(spoof, (uint16_t)(be16(spoof) + 1));
	while (be16(spoof) == be16(up1) || be16(spoof) == be16(up2));
	assert_int_equal(sendto(r.udp, spoof, n2, 0, (struct sockaddr *)&from,
				flen), (ssize_t)n2);
	/* Spoofed: the right id, but a query, not an answer. */
	assert_int_equal(sendto(r.udp, up2, n2, 0, (struct sockaddr *)&from,
				flen), (ssize_t)n2);
	/* The second first. */
	echo_answer(up2);
	assert_int_equal(sendto(r.udp, up2, n2, 0, (struct sockaddr *)&from,
				flen), (ssize_t)n2);
	expect_echo(&c, GNS_DNS_PROTO_UDP, 2, q2, n2);
	echo_answer(up1);
	assert_int_equal(sendto(r.udp, up1, n1, 0, (struct sockaddr *)&from,
				flen), (ssize_t)n1);
	expect_echo(&c, GNS_DNS_PROTO_UDP, 1, q1, n1);
	/* The same answer again: its query is answered, no longer pending. */
	assert_int_equal(sendto(r.udp, up1, n1, 0, (struct sockaddr *)&from,
				flen), (ssize_t)n1);
	assert_int_equal(recv_answer(&c, 300, &m), 0);
	/* The same id again later: a query of its own, answered. */
	send_query(&c, GNS_DNS_PROTO_UDP, 3, q1, n1);
	n = scripted_recv(&r, up1, sizeof(up1), &from, &flen);
	echo_answer(up1);
	assert_int_equal(sendto(r.udp, up1, n, 0, (struct sockaddr *)&from,
				flen), (ssize_t)n);
	expect_echo(&c, GNS_DNS_PROTO_UDP, 3, q1, n1);
	free(chan_close(&c, &st));
	assert_int_equal(st.answered, 3);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.timed_out, 0);
	scripted_close(&r);
}

/* A TCP query from the guest, with its prefix, of @id for @name. */
static size_t tcp_query(uint8_t *q, uint16_t id, const char *name)
{
	size_t n = query(q + 2, id, name, 1, 0);

	gns_put_be16(q, (uint16_t)n);
	return n + 2;
}

/*
 * TCP: the queries go pipelined on one connection, with ids of the
 * host's own (two guest connections use the same id); the upstream
 * answers them out of order, all in one write, and each answer reaches
 * its client. One query is never answered: it times out, reported, while
 * the others on the same connection are answered.
 */
static void test_upstream_tcp_pipelined(void **state)
{
	uint8_t q[4][64], up[4][64], all[256];
	static const char *const names[4] = {
		"a.test", "b.test", "c.test", "never.test",
	};
	struct mh_dns_stats st;
	struct gns_dns_msg m;
	struct scripted r;
	size_t n[4], len = 0;
	struct chan c;
	char *log;
	int conn, i;

	(void)state;
	scripted_open(&r);
	chan_open(&c, GNS_GEN_16, NULL, &r.addr, r.len, 600);
	for (i = 0; i < 4; i++) {
		n[i] = tcp_query(q[i], i == 1 ? 0x0101 : 0x0101 + i, names[i]);
		send_query(&c, GNS_DNS_PROTO_TCP, 10 + i, q[i], n[i]);
	}
	conn = scripted_accept(&r);
	for (i = 0; i < 4; i++) {
		assert_int_equal(scripted_read_tcp(conn, up[i], sizeof(up[i])),
				 n[i]);
		assert_memory_equal(up[i] + 4, q[i] + 4, n[i] - 4);
	}
	assert_int_not_equal(be16(up[0] + 2), be16(up[1] + 2));
	/* One connection for all of them. */
	assert_false(readable(r.tcp, 200));
	for (i = 2; i >= 0; i--) {
		echo_answer(up[i] + 2);
		memcpy(all + len, up[i], n[i]);
		len += n[i];
	}
	assert_int_equal(write(conn, all, len), (ssize_t)len);
	for (i = 2; i >= 0; i--)
		expect_echo(&c, GNS_DNS_PROTO_TCP, 10 + i, q[i], n[i]);
	/* never.test: given up at its deadline, reported. */
	assert_int_equal(recv_answer(&c, 1000, &m), 0);
	close(conn);
	log = chan_close(&c, &st);
	log_has(log, "tcp client 13: upstream 127.0.0.1:");
	log_has(log, ": no answer within 600 ms: not answered\n");
	free(log);
	assert_int_equal(st.answered, 3);
	assert_int_equal(st.timed_out, 1);
	assert_int_equal(st.dropped, 0);
	scripted_close(&r);
}

/* The next query on @conn echoed back; @client gets the answer to @q. */
static void scripted_echo_tcp(int conn, struct chan *c, uint32_t client,
			      const uint8_t *q, size_t len)
{
	uint8_t up[600];

	assert_int_equal(scripted_read_tcp(conn, up, sizeof(up)), len);
	echo_answer(up + 2);
	assert_int_equal(write(conn, up, len), (ssize_t)len);
	expect_echo(c, GNS_DNS_PROTO_TCP, client, q, len);
}

/*
 * The upstream closes the TCP connection: the next query opens another.
 * A query the upstream reads and then closes on is sent again, once, on
 * a fresh connection; closed on twice, it is dropped with a log line.
 */
static void test_upstream_tcp_reconnect(void **state)
{
	uint8_t q[64], up[64], again[64];
	struct mh_dns_stats st;
	struct scripted r;
	struct chan c;
	size_t n;
	char *log;
	int conn;

	(void)state;
	scripted_open(&r);
	chan_open(&c, GNS_GEN_16, NULL, &r.addr, r.len, 5000);
	/* Answered, then the upstream closes while nothing is pending. */
	n = tcp_query(q, 0x1001, "first.test");
	send_query(&c, GNS_DNS_PROTO_TCP, 1, q, n);
	conn = scripted_accept(&r);
	scripted_echo_tcp(conn, &c, 1, q, n);
	close(conn);
	/* A later query: on a new connection. */
	n = tcp_query(q, 0x1002, "second.test");
	send_query(&c, GNS_DNS_PROTO_TCP, 2, q, n);
	conn = scripted_accept(&r);
	assert_int_equal(scripted_read_tcp(conn, up, sizeof(up)), n);
	/* Read, then closed unanswered: it comes again on a fresh one. */
	close(conn);
	conn = scripted_accept(&r);
	assert_int_equal(scripted_read_tcp(conn, again, sizeof(again)), n);
	assert_memory_equal(again, up, n);
	echo_answer(again + 2);
	assert_int_equal(write(conn, again, n), (ssize_t)n);
	expect_echo(&c, GNS_DNS_PROTO_TCP, 2, q, n);
	/* Closed on twice: dropped. */
	n = tcp_query(q, 0x1003, "third.test");
	send_query(&c, GNS_DNS_PROTO_TCP, 3, q, n);
	assert_int_equal(scripted_read_tcp(conn, up, sizeof(up)), n);
	close(conn);
	conn = scripted_accept(&r);
	assert_int_equal(scripted_read_tcp(conn, up, sizeof(up)), n);
	close(conn);
	/* Then the next query works again. */
	n = tcp_query(q, 0x1004, "fourth.test");
	send_query(&c, GNS_DNS_PROTO_TCP, 4, q, n);
	conn = scripted_accept(&r);
	scripted_echo_tcp(conn, &c, 4, q, n);
	close(conn);
	log = chan_close(&c, &st);
	log_has(log, "tcp client 3: upstream 127.0.0.1:");
	log_has(log, ": closed before answering: not answered\n");
	free(log);
	assert_int_equal(st.answered, 3);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.timed_out, 0);
	scripted_close(&r);
}

/* ------------------ mirrornet-host --listen --dns-tunneling, end to end */

#define E2E_SNAPSHOT	"tests/host/data/home.json"

struct host_run {
	pid_t pid;
	char dir[64], sock[96], err[96];
	int gns, dns;
	struct chan c;		/* the DNS channel, c.d unused */
	struct gns_frame f;
	size_t requests;
	bool dns_pushed;	/* the DNS Update named the tunneling IP */
};

static int connect_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, i;

	strcpy(a.sun_path, path);
	for (i = 0; i < 1000; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		close(fd);
		usleep(10000);
	}
	fail_msg("cannot connect to %s", path);
	return -1;
}

/*
 * Start $MH_HOST as the WSL host with tunneling on, and connect to it as
 * mini_init does: the GNS channel first, the DNS channel second.
 */
static void host_start(struct host_run *h, const char *tunnel_opt,
		       const char *extra)
{
	const char *bin = getenv("MH_HOST");
	char listen[128];
	char *argv[] = {
		(char *)bin, "--listen", listen, "--timeout-ms", "20000",
		(char *)tunnel_opt, "--dns-zone", SAMPLE_ZONE, E2E_SNAPSHOT,
		(char *)extra, NULL,
	};
	int fd;

	memset(h, 0, sizeof(*h));
	assert_non_null(bin);
	strcpy(h->dir, "/tmp/test_dns.XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	snprintf(h->sock, sizeof(h->sock), "%s/host.sock", h->dir);
	snprintf(h->err, sizeof(h->err), "%s/host.err", h->dir);
	snprintf(listen, sizeof(listen), "unix:%s", h->sock);
	h->pid = fork();
	assert_true(h->pid >= 0);
	if (!h->pid) {
		fd = open(h->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		execv(bin, argv);
		_exit(127);
	}
	h->gns = connect_unix(h->sock);
	h->dns = connect_unix(h->sock);
	h->c.fd = h->dns;
	h->c.gen = GNS_GEN_16;
}

/*
 * Answer the host's GNS requests with 0 until none comes for @quiet_ms;
 * note the DNS Update and whether it names @ip as the one server.
 */
static void host_serve_gns(struct host_run *h, const char *ip, int quiet_ms)
{
	char want[128];

	snprintf(want, sizeof(want), "\"Search\":\"home.example\","
		 "\"ServerList\":\"%s\"}", ip);
	for (;;) {
		struct pollfd p = { .fd = h->gns, .events = POLLIN };
		uint8_t reply[64];
		const char *text, *why;
		enum gns_kind kind;
		size_t len, n;

		if (!poll(&p, 1, quiet_ms))
			return;
		assert_int_equal(gns_read_frame(h->gns, GNS_GEN_16, &h->f), 1);
		kind = gns_kind_of(h->f.hdr.type, GNS_GEN_16);
		assert_int_equal(h->f.hdr.step, GNS_STEP_REQUEST);
		if (gns_kind_payload(kind) != GNS_PAYLOAD_IGNORED) {
			assert_int_equal(gns_frame_text(&h->f, kind, &text,
							&len, &why), 0);
			if (memmem(text, len, "\"ResourceType\":\"DNS\"", 20))
				h->dns_pushed = memmem(text, len, want,
						       strlen(want));
		}
		h->requests++;
		n = gns_reply_encode(GNS_GEN_16, h->f.hdr.id, 0, NULL, reply,
				     sizeof(reply));
		assert_int_equal(gns_write_all(h->gns, reply, n), 0);
	}
}

/* Wait for the host's exit; its status, and its stderr in @log. */
static int host_wait(struct host_run *h, char *log, size_t size)
{
	int status = -1, i;
	FILE *f;
	size_t n;

	for (i = 0; i < 1000; i++) {
		if (waitpid(h->pid, &status, WNOHANG) == h->pid)
			break;
		usleep(10000);
	}
	if (i == 1000) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, &status, 0);
		fail_msg("mirrornet-host did not exit");
	}
	f = fopen(h->err, "r");
	assert_non_null(f);
	n = fread(log, 1, size - 1, f);
	log[n] = 0;
	fclose(f);
	unlink(h->err);
	rmdir(h->dir);
	gns_frame_release(&h->f);
	gns_frame_release(&h->c.f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_host_end_to_end(void **state)
{
	uint8_t q[64], frame[128];
	struct gns_dns_msg m = { .proto = GNS_DNS_PROTO_UDP, .data = q };
	struct host_run h;
	struct answer a;
	char log[16384];
	size_t n;

	(void)state;
	host_start(&h, "--dns-tunneling", NULL);
	/* Queries first, while the host waits for its first reply. */
	send_dns(&h.c, GNS_DNS_PROTO_UDP, 0, 0x0101, "host.test", 1, 0);
	expect_answer(&h.c, GNS_DNS_PROTO_UDP, 0, 0x0101, 5000, &a);
	assert_memory_equal(a.rr[0].data, "\xc0\x00\x02\x0a", 4);
	send_dns(&h.c, GNS_DNS_PROTO_UDP, 1, 0x0202, "silent.test", 1, 0);
	m.len = query(q, 0x0303, "host.test", 1, 0);
	n = gns_dns_encode(GNS_GEN_16, ++h.c.seq, &m, frame, sizeof(frame));
	assert_true(n > 0);
	frame[16] = 99;
	send_raw(&h.c, frame, n);
	send_dns(&h.c, GNS_DNS_PROTO_TCP, 2, 0x0404, "big.test", 16, 0);
	expect_answer(&h.c, GNS_DNS_PROTO_TCP, 2, 0x0404, 5000, &a);
	assert_true(a.rr[0].len > 1232);
	/* The whole snapshot, the DNS naming the tunneling address. */
	host_serve_gns(&h, GNS_DNS_DEFAULT_IP, 1500);
	assert_int_equal(h.requests, 19);
	assert_true(h.dns_pushed);
	/* The timeline is done; the host still answers. */
	send_dns(&h.c, GNS_DNS_PROTO_TCP, 3, 0x0505, "v6.test", 28, 0);
	expect_answer(&h.c, GNS_DNS_PROTO_TCP, 3, 0x0505, 5000, &a);
	assert_int_equal(a.rr[0].type, 28);
	assert_int_equal(recv_answer(&h.c, 300, &m), 0);
	/* The guest closes GNS: the host ends, its goal state reached. */
	close(h.gns);
	assert_int_equal(host_wait(&h, log, sizeof(log)), 0);
	close(h.dns);
	log_has(log, "mirrornet-host: dns: frame 3 (type 70, 51 "
			       "bytes): frame's protocol is neither TCP (6) "
			       "nor UDP (17): dropped\n");
	log_has(log, "mirrornet-host: the guest closed the GNS "
			       "channel\n");
	log_has(log, "mirrornet-host: 19 messages, 0 failed, ");
}

/*
 * Another tunneling address; the DNS channel closed by the host at frame
 * 2 (--dns-close-after), GNS going on; SIGTERM ends the host.
 */
static void test_host_sigterm(void **state)
{
	struct host_run h;
	struct answer a;
	char log[16384];

	(void)state;
	host_start(&h, "--dns-tunneling=10.0.0.53", "--dns-close-after=2");
	host_serve_gns(&h, "10.0.0.53", 1500);
	assert_true(h.dns_pushed);
	send_dns(&h.c, GNS_DNS_PROTO_UDP, 0, 0x0606, "many.test", 1, 1232);
	expect_answer(&h.c, GNS_DNS_PROTO_UDP, 0, 0x0606, 5000, &a);
	assert_int_equal(a.an, 40);
	send_dns(&h.c, GNS_DNS_PROTO_UDP, 1, 0x0707, "host.test", 1, 0);
	assert_int_equal(recv_eof(&h.c, 5000), 0);
	assert_int_equal(kill(h.pid, SIGTERM), 0);
	assert_int_equal(host_wait(&h, log, sizeof(log)), 0);
	close(h.gns);
	close(h.dns);
	log_has(log, "mirrornet-host: dns: closing the DNS channel at frame "
		"2, as asked\n");
	log_has(log, "mirrornet-host: stopped by signal 15\n");
	log_has(log, "mirrornet-host: dns: 1 frames, 1 answered, ");
}

static void test_parse_addr(void **state)
{
	struct sockaddr_storage sa;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&sa;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&sa;
	socklen_t len;

	(void)state;
	assert_int_equal(mh_dns_parse_addr("192.0.2.1", 53, &sa, &len), 0);
	assert_int_equal(a4->sin_family, AF_INET);
	assert_int_equal(ntohs(a4->sin_port), 53);
	assert_int_equal(len, sizeof(*a4));
	assert_int_equal(mh_dns_parse_addr("192.0.2.1:5353", 53, &sa, &len), 0);
	assert_int_equal(ntohs(a4->sin_port), 5353);
	assert_int_equal(mh_dns_parse_addr("2001:db8::1", 53, &sa, &len), 0);
	assert_int_equal(a6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(a6->sin6_port), 53);
	assert_int_equal(mh_dns_parse_addr("[2001:db8::1]:54", 53, &sa, &len),
			 0);
	assert_int_equal(ntohs(a6->sin6_port), 54);
	assert_int_equal(mh_dns_parse_addr("[::1]", 53, &sa, &len), 0);
	assert_int_equal(mh_dns_parse_addr("192.0.2.1:65536", 53, &sa, &len),
			 -1);
	assert_int_equal(mh_dns_parse_addr("192.0.2.1:", 53, &sa, &len), -1);
	assert_int_equal(mh_dns_parse_addr("192.0.2.1:x", 53, &sa, &len), -1);
	assert_int_equal(mh_dns_parse_addr("[192.0.2.1]:53", 53, &sa, &len),
			 -1);
	assert_int_equal(mh_dns_parse_addr("[::1", 53, &sa, &len), -1);
	assert_int_equal(mh_dns_parse_addr("host.test", 53, &sa, &len), -1);
	assert_int_equal(mh_dns_parse_addr("", 53, &sa, &len), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zone_parse_good),
		cmocka_unit_test(test_zone_parse_bad),
		cmocka_unit_test(test_zone_sample),
		cmocka_unit_test(test_answer_a),
		cmocka_unit_test(test_answer_aaaa_and_any),
		cmocka_unit_test(test_answer_nxdomain),
		cmocka_unit_test(test_answer_txt_sizes),
		cmocka_unit_test(test_answer_silent),
		cmocka_unit_test(test_answer_malformed),
		cmocka_unit_test(test_channel_udp_tcp),
		cmocka_unit_test(test_channel_drops),
		cmocka_unit_test(test_channel_silent),
		cmocka_unit_test(test_channel_close_mid_query),
		cmocka_unit_test(test_channel_old_generation),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_upstream),
		cmocka_unit_test(test_upstream_refused),
		cmocka_unit_test(test_upstream_short),
		cmocka_unit_test(test_upstream_udp_ids),
		cmocka_unit_test(test_upstream_tcp_pipelined),
		cmocka_unit_test(test_upstream_tcp_reconnect),
		cmocka_unit_test(test_host_end_to_end),
		cmocka_unit_test(test_host_sigterm),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup_sample, teardown_sample);
}
