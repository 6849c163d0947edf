// SPDX-License-Identifier: GPL-2.0
/*
 * The test zone and the DNS answers built from it (RFC 1035 §4, RFC 6891
 * for the OPT record). Queries are read with every length checked against
 * the message; answers name their owner by a pointer to the question.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gns/util.h"
#include "zone.h"

#define ZONE_MAX_RECORDS	4096
#define HDR_LEN			12
#define OPT_LEN		11	/* root name, type, class, TTL, rdlen */

static int zone_fail(char *err, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int zone_fail(char *err, unsigned int line, const char *fmt, ...)
{
	int n = snprintf(err, MH_ZONE_ERR_LEN, "line %u: ", line);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err + n, MH_ZONE_ERR_LEN - n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

size_t mh_dns_name_wire(const char *text, size_t len, uint8_t *wire)
{
	size_t pos = 0, label = 0, i;

	if (len && text[len - 1] == '.')
		len--;
	if (!len || len > 253)
		return 0;
	for (i = 0; i <= len; i++) {
		if (i == len || text[i] == '.') {
			if (i == label || i - label > 63)
				return 0;
			wire[pos++] = (uint8_t)(i - label);
			for (; label < i; label++)
				wire[pos++] = (uint8_t)tolower(
					(unsigned char)text[label]);
			label = i + 1;
		} else if (!name_char(text[i])) {
			return 0;
		}
	}
	wire[pos++] = 0;
	return pos;
}

/* One field of a line: a word or a "quoted string" (\" and \\ escapes). */
struct field {
	char text[256];
	size_t len;
	bool too_long;
};

/*
 * Split @line into at most @max fields; the count, or -1 for a quoted
 * string without its end.
 */
static int split(const char *line, size_t len, struct field *f, int max,
		 int *count)
{
	size_t i = 0;
	int n = 0;

	*count = 0;
	while (i < len) {
		struct field *cur = &f[n < max ? n : max - 1];
		bool quoted;

		if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
			i++;
			continue;
		}
		quoted = line[i] == '"';
		if (quoted)
			i++;
		cur->len = 0;
		cur->too_long = false;
		for (; i < len; i++) {
			char c = line[i];

			if (quoted && c == '"')
				break;
			if (!quoted && (c == ' ' || c == '\t' || c == '\r'))
				break;
			if (quoted && c == '\\' && i + 1 < len)
				c = line[++i];
			if (cur->len < 255)
				cur->text[cur->len++] = c;
			else
				cur->too_long = true;
		}
		if (quoted && i >= len)
			return -1;
		if (quoted)
			i++;
		cur->text[cur->len] = 0;
		n++;
	}
	*count = n;
	return 0;
}

static struct mh_zone_rr *add_rr(struct mh_zone *z, const uint8_t *name,
				 size_t name_len, uint16_t type)
{
	struct mh_zone_rr *rr, *rrs;

	if (!(z->n % 64)) {
		rrs = realloc(z->rrs, (z->n + 64) * sizeof(*rrs));
		if (!rrs)
			return NULL;
		z->rrs = rrs;
	}
	rr = &z->rrs[z->n++];
	memset(rr, 0, sizeof(*rr));
	memcpy(rr->name, name, name_len);
	rr->name_len = name_len;
	rr->type = type;
	return rr;
}

static bool same_name(const uint8_t *a, size_t alen, const uint8_t *b,
		      size_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

/* Whether the name already has records (@silent: a NOANSWER one). */
static bool name_has(const struct mh_zone *z, const uint8_t *name,
		     size_t len, bool silent)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		if (same_name(z->rrs[i].name, z->rrs[i].name_len, name, len) &&
		    (z->rrs[i].type == 0) == silent)
			return true;
	return false;
}

/* Name, type and up to 255 strings: a TXT record stays below 64 KiB. */
#define MAX_FIELDS	257

static int parse_line(struct mh_zone *z, const char *line, size_t len,
		      unsigned int lineno, struct field *f, char *err)
{
	uint8_t name[MH_DNS_NAME_MAX], addr[16];
	struct mh_zone_rr *rr;
	size_t name_len, rdlen, i;
	const char *type;
	uint16_t t;
	int n;

	if (split(line, len, f, MAX_FIELDS, &n) < 0)
		return zone_fail(err, lineno, "a quoted string has no end");
	if (!n || f[0].text[0] == '#')
		return 0;
	if (n > MAX_FIELDS)
		return zone_fail(err, lineno, "more than %d strings",
				 MAX_FIELDS - 2);
	name_len = f[0].too_long ? 0 :
		   mh_dns_name_wire(f[0].text, f[0].len, name);
	if (!name_len)
		return zone_fail(err, lineno, "bad name '%.64s'", f[0].text);
	if (n < 2)
		return zone_fail(err, lineno, "no type after the name");
	type = f[1].text;
	if (!strcmp(type, "A"))
		t = MH_DNS_TYPE_A;
	else if (!strcmp(type, "AAAA"))
		t = MH_DNS_TYPE_AAAA;
	else if (!strcmp(type, "TXT"))
		t = MH_DNS_TYPE_TXT;
	else if (!strcmp(type, "NOANSWER"))
		t = 0;
	else
		return zone_fail(err, lineno, "unknown type '%.16s' (A, AAAA, "
				 "TXT or NOANSWER)", type);
	if (!t && n != 2)
		return zone_fail(err, lineno, "NOANSWER takes no value");
	if (t && n < 3)
		return zone_fail(err, lineno, "%s needs a value", type);
	if (t != MH_DNS_TYPE_TXT && n > 3)
		return zone_fail(err, lineno, "%s takes one value", type);
	if (name_has(z, name, name_len, !!t))
		return zone_fail(err, lineno, "'%.64s' is both NOANSWER and "
				 "answered", f[0].text);
	if (z->n >= ZONE_MAX_RECORDS)
		return zone_fail(err, lineno, "more than %d records",
				 ZONE_MAX_RECORDS);
	if ((t == MH_DNS_TYPE_A &&
	     inet_pton(AF_INET, f[2].text, addr) != 1) ||
	    (t == MH_DNS_TYPE_AAAA &&
	     inet_pton(AF_INET6, f[2].text, addr) != 1))
		return zone_fail(err, lineno, "'%.64s' is no %s address",
				 f[2].text, t == MH_DNS_TYPE_A ? "IPv4" :
				 "IPv6");
	rdlen = t == MH_DNS_TYPE_A ? 4 : t == MH_DNS_TYPE_AAAA ? 16 : 0;
	for (i = 2; t == MH_DNS_TYPE_TXT && i < (size_t)n; i++) {
		if (f[i].too_long)
			return zone_fail(err, lineno, "TXT string %zu is "
					 "longer than 255 bytes", i - 1);
		rdlen += 1 + f[i].len;
	}
	rr = add_rr(z, name, name_len, t);
	if (!rr)
		return zone_fail(err, lineno, "out of memory");
	if (!t)
		return 0;
	rr->rdata = malloc(rdlen);
	if (!rr->rdata)
		return zone_fail(err, lineno, "out of memory");
	rr->rdlen = rdlen;
	if (t != MH_DNS_TYPE_TXT) {
		memcpy(rr->rdata, addr, rdlen);
		return 0;
	}
	for (rdlen = 0, i = 2; i < (size_t)n; i++) {
		rr->rdata[rdlen++] = (uint8_t)f[i].len;
		memcpy(rr->rdata + rdlen, f[i].text, f[i].len);
		rdlen += f[i].len;
	}
	return 0;
}

int mh_zone_parse(const char *text, size_t len, struct mh_zone *z,
		  char err[MH_ZONE_ERR_LEN])
{
	struct field *f = malloc(MAX_FIELDS * sizeof(*f));
	unsigned int lineno = 0;
	size_t pos = 0;

	memset(z, 0, sizeof(*z));
	if (!f) {
		snprintf(err, MH_ZONE_ERR_LEN, "out of memory");
		return -1;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		lineno++;
		if (memchr(text + pos, 0, end - pos)) {
			zone_fail(err, lineno, "a NUL byte");
			goto fail;
		}
		if (parse_line(z, text + pos, end - pos, lineno, f, err) < 0)
			goto fail;
		pos = end + 1;
	}
	free(f);
	return 0;
fail:
	free(f);
	mh_zone_free(z);
	return -1;
}

int mh_zone_load(const char *path, struct mh_zone *z,
		 char err[MH_ZONE_ERR_LEN])
{
	FILE *fp = fopen(path, "r");
	char *text;
	size_t len;
	int r;

	memset(z, 0, sizeof(*z));
	if (!fp) {
		snprintf(err, MH_ZONE_ERR_LEN, "%s", strerror(errno));
		return -1;
	}
	text = malloc(MH_ZONE_FILE_MAX + 1);
	if (!text) {
		fclose(fp);
		snprintf(err, MH_ZONE_ERR_LEN, "out of memory");
		return -1;
	}
	len = fread(text, 1, MH_ZONE_FILE_MAX + 1, fp);
	if (ferror(fp) || len > MH_ZONE_FILE_MAX) {
		snprintf(err, MH_ZONE_ERR_LEN, ferror(fp) ? "read error" :
			 "larger than %d bytes", MH_ZONE_FILE_MAX);
		r = -1;
	} else {
		r = mh_zone_parse(text, len, z, err);
	}
	free(text);
	fclose(fp);
	return r;
}

void mh_zone_free(struct mh_zone *z)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		free(z->rrs[i].rdata);
	free(z->rrs);
	z->rrs = NULL;
	z->n = 0;
}

/* ------------------------------------------------------------ answers */

/* gns_put_be16() as a cursor: the answer is written front to back */
static uint8_t *put16(uint8_t *p, uint16_t v)
{
	gns_put_be16(p, v);
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p = put16(p, (uint16_t)(v >> 16));
	return put16(p, (uint16_t)v);
}

/*
 * The header of an answer to @q: its id, QR, its opcode and RD, RA (the
 * zone plays a recursive resolver), @rcode; the counts are set later.
 */
static void answer_header(const uint8_t *q, int rcode, uint8_t *out)
{
	memset(out, 0, HDR_LEN);
	out[0] = q[0];
	out[1] = q[1];
	out[2] = 0x80 | (q[2] & 0x79);	/* QR, opcode, RD */
	out[3] = 0x80 | (uint8_t)rcode;	/* RA */
}

/* End of the question name at @off, or 0 if it is malformed. */
static size_t skip_qname(const uint8_t *q, size_t qlen, size_t off,
			 size_t *name_len)
{
	size_t start = off;

	for (;;) {
		uint8_t l;

		if (off >= qlen)
			return 0;
		l = q[off];
		if (l & 0xc0)
			return 0;	/* no compression in a question */
		off += 1 + l;
		if (off - start > MH_DNS_NAME_MAX)
			return 0;
		if (!l)
			break;
	}
	*name_len = off - start;
	return off;
}

static bool name_eq_ci(const uint8_t *zone_name, const uint8_t *wire,
		       size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (zone_name[i] != tolower(wire[i]))
			return false;
	return true;
}

long mh_zone_answer(const struct mh_zone *z, const uint8_t *q, size_t qlen,
		    size_t max, uint8_t *out, size_t cap, const char **why)
{
	size_t qend, name_len, i, an = 0, limit, opt_len = 0;
	bool found = false, truncated = false;
	uint16_t qtype, qclass;
	uint8_t *p;
	int rcode = MH_DNS_RCODE_OK;

	if (qlen < HDR_LEN) {
		*why = "shorter than a DNS header";
		return -1;
	}
	if (q[2] & 0x80) {
		*why = "a response, not a query";
		return -1;
	}
	if (cap < MH_DNS_TCP_MAX) {
		*why = "no room for an answer";
		return -1;
	}
	if ((q[2] >> 3) & 0xf) {
		answer_header(q, MH_DNS_RCODE_NOTIMP, out);
		return HDR_LEN;
	}
	qend = gns_get_be16(q + 4) == 1 ?
	       skip_qname(q, qlen, HDR_LEN, &name_len) : 0;
	if (!qend || qend + 4 > qlen) {
		answer_header(q, MH_DNS_RCODE_FORMERR, out);
		return HDR_LEN;
	}
	qtype = gns_get_be16(q + qend);
	qclass = gns_get_be16(q + qend + 2);
	qend += 4;
	/* EDNS: an OPT record, first of the additional section. */
	limit = MH_DNS_UDP_MIN;
	if (gns_get_be16(q + 10) && !gns_get_be16(q + 6) &&
	    !gns_get_be16(q + 8) && qend + OPT_LEN <= qlen && !q[qend] &&
	    gns_get_be16(q + qend + 1) == MH_DNS_TYPE_OPT) {
		limit = gns_get_be16(q + qend + 3);
		if (limit < MH_DNS_UDP_MIN)
			limit = MH_DNS_UDP_MIN;
		if (limit > MH_DNS_UDP_MAX)
			limit = MH_DNS_UDP_MAX;
		opt_len = OPT_LEN;
	}
	if (max)
		limit = max;
	for (i = 0; i < z->n; i++) {
		const struct mh_zone_rr *rr = &z->rrs[i];

		if (rr->name_len != name_len ||
		    !name_eq_ci(rr->name, q + HDR_LEN, name_len))
			continue;
		if (!rr->type)
			return 0;
		found = true;
	}
	if (qclass != 1 && qclass != 255)
		rcode = MH_DNS_RCODE_REFUSED;
	else if (!found)
		rcode = MH_DNS_RCODE_NXDOMAIN;
	answer_header(q, rcode, out);
	memcpy(out + HDR_LEN, q + HDR_LEN, qend - HDR_LEN);
	p = out + qend;
	for (i = 0; !rcode && i < z->n; i++) {
		const struct mh_zone_rr *rr = &z->rrs[i];

		if (rr->name_len != name_len ||
		    !name_eq_ci(rr->name, q + HDR_LEN, name_len) ||
		    (rr->type != qtype && qtype != MH_DNS_TYPE_ANY))
			continue;
		if ((size_t)(p - out) + 12 + rr->rdlen + opt_len > limit) {
			truncated = true;
			break;
		}
		p = put16(p, 0xc000 | HDR_LEN);	/* the question's name */
		p = put16(p, rr->type);
		p = put16(p, 1);
		p = put32(p, MH_ZONE_TTL);
		p = put16(p, (uint16_t)rr->rdlen);
		memcpy(p, rr->rdata, rr->rdlen);
		p += rr->rdlen;
		an++;
	}
	if (truncated) {
		/* Header and question only: the client asks again by TCP. */
		out[2] |= 0x02;
		an = 0;
		p = out + qend;
	}
	put16(out + 4, 1);
	put16(out + 6, (uint16_t)an);
	if (opt_len) {
		put16(out + 10, 1);
		*p++ = 0;
		p = put16(p, MH_DNS_TYPE_OPT);
		p = put16(p, MH_DNS_UDP_MAX);
		p = put32(p, 0);
		p = put16(p, 0);
	}
	return p - out;
}
