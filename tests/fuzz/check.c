// SPDX-License-Identifier: GPL-2.0
/*
 * What the decoder promises its callers, checked on every fuzz input: no
 * string without its NUL, no address of an unknown family, no length past
 * its family, and error texts that are one printable line; and that its
 * JSON parser reads every payload as jansson (the decoder before it) did.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "decode.h"
#include "json.h"

#define CHECK(c)							\
	do {								\
		if (!(c)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #c);		\
			abort();					\
		}							\
	} while (0)

static void check_line(const char *s, size_t cap)
{
	size_t len = strnlen(s, cap), i;

	CHECK(len > 0 && len < cap);
	for (i = 0; i < len; i++)
		CHECK((uint8_t)s[i] >= 0x20 && (uint8_t)s[i] < 0x7f);
}

static void check_name(const char *s, size_t cap, size_t min)
{
	size_t len = strnlen(s, cap);

	CHECK(len >= min && len < cap);
}

static void check_target(const struct gns_target *t)
{
	char out[40];

	if (t->is_guid)
		CHECK(t->name[0] == 0);
	else
		check_name(t->name, sizeof(t->name), 1);
	gns_target_format(t, out);
	check_name(out, sizeof(out), 1);
}

static size_t check_ip(const struct gns_ip *ip)
{
	size_t i;

	CHECK(ip->family == AF_INET || ip->family == AF_INET6);
	if (ip->family == AF_INET6)
		return 128;
	for (i = 4; i < sizeof(ip->a); i++)
		CHECK(ip->a[i] == 0);
	return 32;
}

/* A kept DNS server: an IP address. */
static void check_server(const char *s)
{
	unsigned char buf[16];

	CHECK(inet_pton(AF_INET, s, buf) == 1 ||
	      inet_pton(AF_INET6, s, buf) == 1);
}

/* A kept suffix: one word of the search line, a usable domain name. */
static void check_suffix(const char *s)
{
	size_t len = strlen(s), i;

	CHECK(len >= 1 && len <= 254);
	CHECK(s[0] != '.');
	for (i = 0; i < len; i++)
		CHECK((unsigned char)s[i] > ' ' && s[i] != 0x7f &&
		      s[i] != '\\' && !(s[i] == '.' && s[i + 1] == '.'));
}

static void check_setting(const struct gns_msg *m)
{
	const struct gns_setting *s = &m->setting;
	size_t i, bits;

	CHECK(strcmp(gns_request_name(s->request), "unknown"));
	CHECK(strcmp(gns_resource_name(s->resource), "unknown"));
	if (s->has_target)
		check_target(&s->target);
	else
		CHECK(m->kind == GNS_MODIFY_GUEST_DEVICE);
	if (!s->has_target || (m->kind == GNS_MODIFY_GUEST_DEVICE &&
			       s->resource != GNS_RES_INTERFACE))
		return;
	switch (s->resource) {
	case GNS_RES_ROUTE:
		bits = check_ip(&s->route.dst);
		if (s->request == GNS_REQ_RESET)
			break;
		CHECK(s->route.dst_len <= bits);
		CHECK(s->route.is_default == (s->route.dst_len == 0));
		if (s->route.has_gateway)
			CHECK(check_ip(&s->route.gateway) == bits);
		else
			CHECK(!s->route.onlink);
		break;
	case GNS_RES_IPADDRESS:
		CHECK(s->addr.prefixlen <= check_ip(&s->addr.ip));
		CHECK(s->addr.preferred_lft == 0 ||
		      s->addr.preferred_lft == GNS_LFT_FOREVER);
		CHECK(s->addr.valid_lft == GNS_LFT_FOREVER);
		break;
	case GNS_RES_DNS:
		CHECK(s->dns.options);
		for (i = 0; i < s->dns.n_servers; i++)
			check_server(s->dns.servers[i]);
		for (i = 0; i < s->dns.n_search; i++)
			check_suffix(s->dns.search[i]);
		CHECK(!s->dns.n_dropped == !s->dns.dropped[0]);
		CHECK(strnlen(s->dns.dropped, sizeof(s->dns.dropped)) <
		      sizeof(s->dns.dropped));
		break;
	default:
		break;
	}
}

static void check_msg(const struct gns_msg *m)
{
	char guid[37];

	switch (m->kind) {
	case GNS_INTERFACE_CONFIGURATION:
		check_name(m->ifconfig.port_name,
			   sizeof(m->ifconfig.port_name), 0);
		CHECK(m->ifconfig.prefixlen <= 32);
		CHECK(!m->ifconfig.has_ipv4 || m->ifconfig.prefixlen);
		gns_guid_format(&m->ifconfig.id, guid);
		check_name(guid, sizeof(guid), 36);
		break;
	case GNS_NOTIFICATION:
	case GNS_MODIFY_GUEST_DEVICE:
	case GNS_DEVICE_SETTING:
		check_setting(m);
		break;
	case GNS_CREATE_DEVICE:
		check_name(m->create.device_name,
			   sizeof(m->create.device_name), 0);
		break;
	case GNS_LOOPBACK_ROUTES:
		check_target(&m->loopback.target);
		check_ip(&m->loopback.ip);
		break;
	case GNS_INITIAL_IP_CONFIGURATION:
		check_target(&m->initial.target);
		break;
	case GNS_INTERFACE_NET_FILTER:
		check_target(&m->netfilter.target);
		if (m->netfilter.op == GNS_OP_CREATE)
			CHECK(m->netfilter.port_start >= 1 &&
			      m->netfilter.port_start <= m->netfilter.port_end);
		break;
	case GNS_CONNECT_TEST:
		check_name(m->hostname, 254, 1);
		break;
	default:
		break;
	}
}

void fuzz_reply(enum gns_gen gen, uint32_t id, const char *why)
{
	static const size_t caps[] = { 0, 16, 17, 20, 21, 33 };
	uint8_t out[GNS_HDR_MAX + 4 + GNS_ERR_LEN];
	size_t rl = GNS_RESULT_LEN(gen), n, i;
	struct gns_hdr h;

	n = gns_reply_encode(gen, id, -1, why, out, sizeof(out));
	CHECK(n > rl && n <= sizeof(out));
	gns_hdr_decode(gen, out, &h);
	CHECK(h.type == gns_type_of(GNS_RESULT, gen) && h.size == n &&
	      h.id == id);
	CHECK(h.step == (gns_gen_hdr_len(gen) == 16 ? GNS_STEP_REPLY :
						      GNS_STEP_NONE));
	CHECK(out[n - 1] == 0);
	CHECK(!memchr(out + rl, 0, n - rl - 1));
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		CHECK(gns_reply_encode(gen, id, -1, why, out, caps[i]) <=
		      caps[i]);
}

int fuzz_decode_one(enum gns_gen gen, enum gns_kind kind, const char *text,
		    size_t len, const uint8_t *adapter, bool reply)
{
	char err[GNS_ERR_LEN];
	struct gns_msg m;

	if (gns_decode(kind, text, len, adapter, &m, err)) {
		CHECK(!m.json);
		check_line(err, sizeof(err));
		if (reply)
			fuzz_reply(gen, 0, err);
		return -1;
	}
	CHECK(m.kind == kind);
	check_msg(&m);
	gns_msg_free(&m);
	return 0;
}

/* The old decoder's reading of a document: jansson with its flags. */
static json_t *jansson_load(const char *text, size_t len, json_error_t *e)
{
	return json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
			  e);
}

/* Do the token @t and jansson's @v hold the same value? */
static void check_same(const struct js_tok *t, const json_t *v)
{
	const struct js_tok *k;
	const char *key;
	json_t *member;
	size_t n = 0;

	switch (t->type) {
	case JS_OBJECT:
		CHECK(json_is_object(v));
		for (k = t + 1; k < t + t->size; k += 1 + k[1].size, n++)
			check_same(k + 1, json_object_get(v, k->s));
		CHECK(n == json_object_size(v));
		json_object_foreach((json_t *)v, key, member)
			CHECK(js_get(t, key));
		break;
	case JS_ARRAY:
		CHECK(json_is_array(v));
		for (k = t + 1; k < t + t->size; k += k->size, n++)
			check_same(k, json_array_get(v, n));
		CHECK(n == json_array_size(v));
		break;
	case JS_STRING:
		CHECK(json_is_string(v) && !strcmp(t->s, json_string_value(v)) &&
		      strlen(t->s) == json_string_length(v));
		break;
	case JS_INTEGER:
		CHECK(json_is_integer(v) && json_integer_value(v) == t->i);
		break;
	case JS_REAL:
		CHECK(json_is_real(v));
		break;
	case JS_TRUE:
		CHECK(json_is_true(v));
		break;
	case JS_FALSE:
		CHECK(json_is_false(v));
		break;
	default:
		CHECK(t->type == JS_NULL && json_is_null(v));
	}
}

void fuzz_json_diff(const char *text, size_t len)
{
	char err[JS_ERR_LEN], want[JS_ERR_LEN + 32];
	const struct js_tok *root;
	json_error_t jerr;
	json_t *doc;
	void *mem;
	int r;

	if (!len)
		return;
	r = js_parse(text, len, &mem, &root, err);
	/*
	 * A NUL byte is never JSON outside a string, nor raw inside one;
	 * jansson drops one it reads after a number or a literal.
	 */
	if (memchr(text, 0, len)) {
		CHECK(r);
		return;
	}
	doc = jansson_load(text, len, &jerr);
	/* The one place the two differ on purpose: the depth bound. */
	if (r && strstr(err, "maximum parsing depth reached")) {
		json_decref(doc);
		return;
	}
	if (!r != !!doc)
		fprintf(stderr, "js_parse: %s\njansson: %s\n", r ? err : "ok",
			doc ? "ok" : jerr.text);
	CHECK(!r == !!doc);
	if (doc) {
		check_same(root, doc);
		json_decref(doc);
		free(mem);
		return;
	}
	snprintf(want, sizeof(want), "%d:%d: %s", jerr.line, jerr.column,
		 jerr.text);
	/*
	 * js_parse() finds a duplicate among more than 16 keys when the
	 * object closes: the same refusal, at another place.
	 */
	if (strstr(err, "duplicate object key near '}'") ||
	    (strstr(jerr.text, "duplicate object key") &&
	     !strstr(err, "duplicate object key")))
		return;
	if (strcmp(err, want))
		fprintf(stderr, "js_parse: %s\njansson:  %s\n", err, want);
	CHECK(!strcmp(err, want));
}
