/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny DNS zone for tests: the answers mirrornet-host gives to tunnelled
 * queries (and serves with --dns-serve) when no real resolver is wanted.
 *
 * The file has one record a line, "NAME TYPE [VALUE]", blank lines and
 * lines starting with '#' ignored:
 *
 *   host.test    A        192.0.2.10
 *   v6.test      AAAA     2001:db8::10
 *   big.test     TXT      "a string" another "up to 255 bytes each"
 *   silent.test  NOANSWER
 *
 * A name may have several records of a type (a TXT line is one record of
 * one or more strings). NOANSWER makes the name one the resolver never
 * answers, whatever the type asked. Names are case-insensitive, with or
 * without the final dot. Every record has the TTL MH_ZONE_TTL, class IN.
 */
#ifndef MIRRORNET_HOST_ZONE_H
#define MIRRORNET_HOST_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MH_ZONE_ERR_LEN		256
#define MH_ZONE_FILE_MAX	(1024 * 1024)
#define MH_ZONE_TTL		60
#define MH_DNS_NAME_MAX		255	/* wire form, final 0 in */
#define MH_DNS_UDP_MIN		512	/* no EDNS (RFC 1035 §4.2.1) */
#define MH_DNS_UDP_MAX		4096	/* largest EDNS size honoured */
#define MH_DNS_TCP_MAX		65535

enum {
	MH_DNS_TYPE_A = 1,
	MH_DNS_TYPE_TXT = 16,
	MH_DNS_TYPE_AAAA = 28,
	MH_DNS_TYPE_OPT = 41,
	MH_DNS_TYPE_ANY = 255,
};

enum {
	MH_DNS_RCODE_OK = 0,
	MH_DNS_RCODE_FORMERR = 1,
	MH_DNS_RCODE_NXDOMAIN = 3,
	MH_DNS_RCODE_NOTIMP = 4,
	MH_DNS_RCODE_REFUSED = 5,
};

struct mh_zone_rr {
	uint8_t name[MH_DNS_NAME_MAX];	/* wire form, lower case */
	size_t name_len;
	uint16_t type;			/* 0: never answered */
	uint8_t *rdata;
	size_t rdlen;
};

struct mh_zone {
	struct mh_zone_rr *rrs;
	size_t n;
};

/*
 * Parse @len bytes of zone text. On a bad line returns -1 with "line N:
 * why" in @err and @z empty; 0 on success.
 */
int mh_zone_parse(const char *text, size_t len, struct mh_zone *z,
		  char err[MH_ZONE_ERR_LEN]);
/* The same for a file, read up to MH_ZONE_FILE_MAX bytes. */
int mh_zone_load(const char *path, struct mh_zone *z,
		 char err[MH_ZONE_ERR_LEN]);
void mh_zone_free(struct mh_zone *z);

/*
 * The answer to the DNS message @q (@qlen bytes, without a TCP length
 * prefix), built into @out for a transport that carries at most @max bytes
 * (MH_DNS_TCP_MAX for TCP; for UDP pass 0: 512, or the query's EDNS size
 * up to MH_DNS_UDP_MAX). Returns its length; 0 when the zone never answers
 * the name; -1 when @q is no query to answer (shorter than a header, or a
 * response), with a reason in *@why. An answer larger than the limit is
 * sent truncated: header, question and TC, as a server does. Malformed
 * questions get FORMERR, opcodes other than QUERY NOTIMP, classes other
 * than IN REFUSED. @cap must hold MH_DNS_TCP_MAX bytes.
 */
long mh_zone_answer(const struct mh_zone *z, const uint8_t *q, size_t qlen,
		    size_t max, uint8_t *out, size_t cap, const char **why);

/*
 * The wire form of dotted @text into @wire (MH_DNS_NAME_MAX bytes),
 * lower case; its length, or 0 if @text is no valid name (empty labels,
 * a label over 63 bytes, a name over 253 characters, characters other
 * than letters, digits, '-' and '_').
 */
size_t mh_dns_name_wire(const char *text, size_t len, uint8_t *wire);

#endif /* MIRRORNET_HOST_ZONE_H */
