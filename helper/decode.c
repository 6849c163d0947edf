// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding of the host's requests (reference §3) into the structs of
 * decode.h. Stricter than WSL on purpose: a wrong type, an out-of-range
 * number or an unknown enum string is an error, never a silent default,
 * so a host change shows up as an error reply instead of a wrong setting.
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"
#include "gns/util.h"
#include "json.h"

#define QUOTE_LEN	96	/* a value quoted in an error text */
#define HOSTNAME_MAX	253

static const char *const request_names[] = {
	[GNS_REQ_ADD] = "Add", [GNS_REQ_REMOVE] = "Remove",
	[GNS_REQ_UPDATE] = "Update", [GNS_REQ_REFRESH] = "Refresh",
	[GNS_REQ_RESET] = "Reset",
};

static const char *const resource_names[] = {
	[GNS_RES_INTERFACE] = "Interface", [GNS_RES_ROUTE] = "Route",
	[GNS_RES_IPADDRESS] = "IPAddress", [GNS_RES_DNS] = "DNS",
	[GNS_RES_MACADDRESS] = "MacAddress", [GNS_RES_NEIGHBOR] = "Neighbor",
	[GNS_RES_PORT] = "Port",
};

static const char *const operation_names[] = {
	[GNS_OP_CREATE] = "Create", [GNS_OP_UPDATE] = "Update",
	[GNS_OP_REMOVE] = "Remove",
};

static const char *const device_names[] = {
	[GNS_DEV_BOND] = "Bond", [GNS_DEV_LOOPBACK] = "Loopback",
	[GNS_DEV_VIRTUAL_WIFI] = "VirtualWifi",
	[GNS_DEV_VIRTUAL_TUNNEL] = "VirtualTunnel",
	[GNS_DEV_VIRTUAL_CELLULAR] = "VirtualCellular",
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* The object being read, with its key path for error texts. */
struct dec {
	char *err;
	const char *pfx;	/* "" or "Settings." */
	const struct js_tok *obj;
};

/* Error texts are one line of ASCII whatever the host sent. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((uint8_t)*s < 0x20 || (uint8_t)*s >= 0x7f)
			*s = '?';
}

static int __attribute__((format(printf, 2, 3)))
errf(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, GNS_ERR_LEN, fmt, ap);
	va_end(ap);
	one_line(err);
	return -1;
}

static int __attribute__((format(printf, 3, 4)))
fail(const struct dec *d, const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(d->err, GNS_ERR_LEN, "%s%s: ", d->pfx, key);
	va_start(ap, fmt);
	vsnprintf(d->err + n, GNS_ERR_LEN - n, fmt, ap);
	va_end(ap);
	one_line(d->err);
	return -1;
}

/* @s quoted and escaped for an error text, cut with "..." when long. */
static const char *quote(char out[QUOTE_LEN], const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	out[o++] = '"';
	for (i = 0; i < len && o <= QUOTE_LEN - 12; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (i < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = 0;
	return out;
}

/* Quote a C string; never scans more than quote() can show. */
static const char *quote_str(char out[QUOTE_LEN], const char *s)
{
	return quote(out, s, strnlen(s, QUOTE_LEN));
}

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

int gns_guid_parse(const char *text, struct gns_guid *g)
{
	size_t len = strnlen(text, 39);
	struct gns_guid out;
	int i = 0, n = 0;

	if (len == 38) {
		if (text[0] != '{' || text[37] != '}')
			return -1;
		text++;
	} else if (len != 36) {
		return -1;
	}
	/* Groups have even lengths, so a byte never straddles a dash. */
	while (i < 36) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i++] != '-')
				return -1;
			continue;
		}
		hi = gns_hexval(text[i]);
		lo = gns_hexval(text[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out.b[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	*g = out;
	return 0;
}

void gns_guid_from_windows(const uint8_t in[GNS_GUID_LEN], struct gns_guid *g)
{
	static const uint8_t order[GNS_GUID_LEN] = {
		3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15,
	};
	int i;

	for (i = 0; i < GNS_GUID_LEN; i++)
		g->b[i] = in[order[i]];
}

void gns_guid_format(const struct gns_guid *g, char out[37])
{
	static const char hex[] = "0123456789abcdef";
	int i, o = 0;

	for (i = 0; i < GNS_GUID_LEN; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[g->b[i] >> 4];
		out[o++] = hex[g->b[i] & 15];
	}
	out[o] = 0;
}

int gns_target_parse(const char *text, struct gns_target *t, char *err)
{
	char q[QUOTE_LEN];

	memset(t, 0, sizeof(*t));
	if (!*text)
		return errf(err, "targetDeviceName: empty");
	if (text[0] == '{') {
		/* With a leading '{', only the 38-byte braced form parses. */
		if (gns_guid_parse(text, &t->guid))
			return errf(err,
				    "targetDeviceName: %s is not a braced GUID",
				    quote_str(q, text));
		t->is_guid = true;
		return 0;
	}
	if (!gns_ifname_valid(text))
		return errf(err, "targetDeviceName: %s %s", quote_str(q, text),
			    "is not a valid interface name");
	strcpy(t->name, text);
	return 0;
}

void gns_target_format(const struct gns_target *t, char out[40])
{
	char g[37];

	if (t->is_guid) {
		gns_guid_format(&t->guid, g);
		snprintf(out, 40, "{%s}", g);
	} else {
		snprintf(out, 40, "%s", t->name);
	}
}

const char *gns_request_name(enum gns_request_type r)
{
	return (unsigned int)r < N(request_names) ? request_names[r] :
						     "unknown";
}

const char *gns_resource_name(enum gns_resource r)
{
	return (unsigned int)r < N(resource_names) ? resource_names[r] :
						      "unknown";
}

static const char *type_name(const struct js_tok *v)
{
	switch (v->type) {
	case JS_OBJECT:
		return "an object";
	case JS_ARRAY:
		return "an array";
	case JS_STRING:
		return "a string";
	case JS_INTEGER:
		return "an integer";
	case JS_REAL:
		return "a real number";
	case JS_TRUE:
	case JS_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/*
 * Every get_*() returns 1 with the value, 0 when the key is absent or null
 * (an error when @required), -1 with d->err set.
 */
static int lookup(const struct dec *d, const char *key, bool required,
		  const struct js_tok **v)
{
	*v = js_get(d->obj, key);
	if (*v && (*v)->type != JS_NULL)
		return 1;
	return required ? fail(d, key, "missing") : 0;
}

static int wrong_type(const struct dec *d, const char *key, const char *want,
		      const struct js_tok *v)
{
	return fail(d, key, "expected %s, got %s", want, type_name(v));
}

/* *@s is "" when absent. */
static int get_str(const struct dec *d, const char *key, bool required,
		   const char **s)
{
	const struct js_tok *v;
	int r;

	*s = "";
	r = lookup(d, key, required, &v);
	if (r <= 0)
		return r;
	if (v->type != JS_STRING)
		return wrong_type(d, key, "a string", v);
	/* js_parse() rejects \u0000, so this is the whole string. */
	*s = v->s;
	return 1;
}

/* An integer in 0..@max; *@u is 0 when absent. */
static int get_uint(const struct dec *d, const char *key, bool required,
		    uint64_t max, uint64_t *u)
{
	const struct js_tok *v;
	long long i;
	int r;

	*u = 0;
	r = lookup(d, key, required, &v);
	if (r <= 0)
		return r;
	if (v->type != JS_INTEGER)
		return wrong_type(d, key, "an integer", v);
	i = v->i;
	if (i < 0 || (uint64_t)i > max)
		return fail(d, key, "%lld is out of range 0..%llu",
			    (long long)i, (unsigned long long)max);
	*u = (uint64_t)i;
	return 1;
}

static int get_bool(const struct dec *d, const char *key, bool *b)
{
	const struct js_tok *v;
	int r = lookup(d, key, false, &v);

	if (r <= 0)
		return r;
	if (v->type != JS_TRUE && v->type != JS_FALSE)
		return wrong_type(d, key, "a boolean", v);
	*b = v->type == JS_TRUE;
	return 1;
}

static int get_object(const struct dec *d, const char *key,
		      const struct js_tok **obj)
{
	int r = lookup(d, key, true, obj);

	if (r <= 0)
		return -1;
	if ((*obj)->type != JS_OBJECT)
		return wrong_type(d, key, "an object", *obj);
	return 1;
}

/* A string enum; *@e is 0 (the first name) when absent. */
static int get_enum(const struct dec *d, const char *key, bool required,
		    const char *const *names, size_t n, unsigned int *e)
{
	char q[QUOTE_LEN], list[96] = "";
	const char *s;
	size_t i;
	int r;

	*e = 0;
	r = get_str(d, key, required, &s);
	if (r <= 0)
		return r;
	for (i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*e = (unsigned int)i;
			return 1;
		}
	}
	for (i = 0; i < n; i++) {
		strcat(list, names[i]);
		if (i + 1 < n)
			strcat(list, ", ");
	}
	return fail(d, key, "%s is not one of %s", quote_str(q, s), list);
}

static int get_guid(const struct dec *d, const char *key, bool required,
		    struct gns_guid *g)
{
	char q[QUOTE_LEN];
	const char *s;
	int r = get_str(d, key, required, &s);

	if (r <= 0)
		return r;
	if (gns_guid_parse(s, g))
		return fail(d, key, "%s is not a GUID", quote_str(q, s));
	return 1;
}

/* An optional interface name; "" leaves @out empty. */
static int get_ifname(const struct dec *d, const char *key,
		      char out[IFNAMSIZ])
{
	char q[QUOTE_LEN];
	const char *s;
	int r = get_str(d, key, false, &s);

	if (r <= 0 || !*s)
		return r;
	if (!gns_ifname_valid(s))
		return fail(d, key, "%s is not a valid interface name",
			    quote_str(q, s));
	strcpy(out, s);
	return 1;
}

static int get_target(const struct dec *d, bool required,
		      struct gns_target *t)
{
	const char *s;
	int r = get_str(d, "targetDeviceName", required, &s);

	if (r <= 0)
		return r;
	return gns_target_parse(s, t, d->err) ? -1 : 1;
}

static const char *family_name(int af)
{
	return af == AF_INET ? "IPv4" : "IPv6";
}

/* A Windows address family (2 or 23) as a Linux one. */
static int get_family(const struct dec *d, const char *key, uint64_t max,
		      int *af)
{
	uint64_t v;

	*af = AF_UNSPEC;
	if (get_uint(d, key, true, max, &v) < 0)
		return -1;
	if (v == 2)
		*af = AF_INET;
	else if (v == 23)
		*af = AF_INET6;
	else
		return fail(d, key, "%llu is neither 2 (IPv4) nor 23 (IPv6)",
			    (unsigned long long)v);
	return 1;
}

static bool parse_ip(int af, const char *s, struct gns_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = af;
	return inet_pton(af, s, ip->a) == 1;
}

static size_t ip_len(int af)
{
	return af == AF_INET ? 4 : 16;
}

static bool ip_is_zero(const struct gns_ip *ip)
{
	size_t i;

	for (i = 0; i < ip_len(ip->family); i++)
		if (ip->a[i])
			return false;
	return true;
}

/* A required address of family @af. */
static int get_ip(const struct dec *d, const char *key, int af,
		  struct gns_ip *ip)
{
	char q[QUOTE_LEN];
	const char *s;

	if (get_str(d, key, true, &s) < 0)
		return -1;
	if (!parse_ip(af, s, ip))
		return fail(d, key, "%s is not an %s address", quote_str(q, s),
			    family_name(af));
	return 1;
}

static int decode_link(const struct dec *d, struct gns_link *l)
{
	uint64_t v;

	if (get_bool(d, "Connected", &l->connected) < 0)
		return -1;
	if (get_uint(d, "NlMtu", false, UINT32_MAX, &v) < 0)
		return -1;
	l->mtu = (uint32_t)v;
	if (get_uint(d, "Metric", false, UINT32_MAX, &v) < 0)
		return -1;
	l->metric = (uint32_t)v;
	return 0;
}

static int decode_addr(const struct dec *d, struct gns_addr *a)
{
	uint64_t plen, po, so, lft;
	int af;

	if (get_family(d, "Family", UINT16_MAX, &af) < 0 ||
	    get_ip(d, "Address", af, &a->ip) < 0 ||
	    get_uint(d, "OnLinkPrefixLength", true, ip_len(af) * 8,
		     &plen) < 0 ||
	    get_uint(d, "PrefixOrigin", false, UINT8_MAX, &po) < 0 ||
	    get_uint(d, "SuffixOrigin", false, UINT8_MAX, &so) < 0 ||
	    get_uint(d, "PreferredLifetime", false, UINT32_MAX, &lft) < 0)
		return -1;
	a->prefixlen = (uint8_t)plen;
	a->prefix_origin = (uint8_t)po;
	a->suffix_origin = (uint8_t)so;
	/*
	 * SLAAC public addresses (RouterAdvertisement + LinkLayerAddress) are
	 * deprecated so that Linux prefers the temporary ones (§2.1).
	 */
	a->preferred_lft = lft == 0 || (po == 4 && so == 4) ? 0 :
							     GNS_LFT_FOREVER;
	a->valid_lft = GNS_LFT_FOREVER;
	a->scope = po == 2 && so == 4 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	a->nodad = af == AF_INET6;
	return 0;
}

static bool host_bits_clear(const struct gns_ip *ip, unsigned int len)
{
	size_t i;

	for (i = 0; i < ip_len(ip->family); i++) {
		unsigned int keep = len >= 8 * (i + 1) ? 8 :
				    len > 8 * i ? len - 8 * i : 0;
		uint8_t mask = (uint8_t)(0xff00 >> keep);

		if (ip->a[i] & ~mask)
			return false;
	}
	return true;
}

static int decode_prefix(const struct dec *d, struct gns_route *r)
{
	static const char key[] = "DestinationPrefix";
	int af = r->dst.family;
	char q[QUOTE_LEN], addr[INET6_ADDRSTRLEN];
	const char *s, *slash, *p;
	unsigned int len = 0;
	size_t alen;

	if (get_str(d, key, true, &s) < 0)
		return -1;
	/* WSL recognises the default route by its exact spelling only. */
	if (!strcmp(s, af == AF_INET ? "0.0.0.0/0" : "::/0")) {
		r->is_default = true;
		return 0;
	}
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : 0;
	if (!slash || alen >= sizeof(addr) || !slash[1] || strlen(slash) > 4)
		return fail(d, key, "%s is not <address>/<length>",
			    quote_str(q, s));
	for (p = slash + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return fail(d, key, "%s is not <address>/<length>",
				    quote_str(q, s));
		len = len * 10 + (unsigned int)(*p - '0');
	}
	memcpy(addr, s, alen);
	addr[alen] = 0;
	if (!parse_ip(af, addr, &r->dst))
		return fail(d, key, "%s is not an %s prefix", quote_str(q, s),
			    family_name(af));
	if (len > ip_len(af) * 8)
		return fail(d, key, "%s: length %u is more than %zu",
			    quote_str(q, s), len, ip_len(af) * 8);
	/* A /0 spelt otherwise would be a default route WSL does not see. */
	if (len == 0)
		return fail(d, key, "%s: length 0 is only valid as \"%s\"",
			    quote_str(q, s),
			    af == AF_INET ? "0.0.0.0/0" : "::/0");
	if (!host_bits_clear(&r->dst, len))
		return fail(d, key, "%s has host bits set", quote_str(q, s));
	r->dst_len = (uint8_t)len;
	return 0;
}

static bool link_local(const struct gns_ip *ip)
{
	if (ip->family == AF_INET)
		return ip->a[0] == 169 && ip->a[1] == 254;
	return ip->a[0] == 0xfe && (ip->a[1] & 0xc0) == 0x80;
}

static int decode_route(const struct dec *d, enum gns_request_type req,
			struct gns_route *r)
{
	uint64_t v;
	int af;

	if (get_family(d, "Family", UINT16_MAX, &af) < 0)
		return -1;
	r->dst.family = af;
	/* Reset only names the family of the gateway routes to drop. */
	if (req == GNS_REQ_RESET)
		return 0;
	if (decode_prefix(d, r) < 0 ||
	    get_ip(d, "NextHop", af, &r->gateway) < 0)
		return -1;
	r->has_gateway = !ip_is_zero(&r->gateway);
	if (!r->has_gateway)
		memset(&r->gateway, 0, sizeof(r->gateway));
	if (get_uint(d, "Metric", false, UINT32_MAX, &v) < 0)
		return -1;
	r->metric = (uint32_t)v;
	if (get_uint(d, "SitePrefixLength", false, UINT8_MAX, &v) < 0)
		return -1;
	r->onlink = r->has_gateway &&
		    (r->is_default || link_local(&r->gateway));
	return 0;
}

static const char *bad_server(const char *s)
{
	struct gns_ip ip;

	if (parse_ip(AF_INET, s, &ip) || parse_ip(AF_INET6, s, &ip))
		return NULL;
	return "not an IP address";
}

/*
 * A suffix goes on the search line as one word, and resolvers (glibc,
 * musl, systemd-resolved) read it as a domain name: labels of 1 to 63
 * bytes, 253 in all, an optional final dot. Any other byte is carried,
 * UTF-8 included, except white space and control characters, which would
 * split the word or the line, and the backslash, which resolvers read as
 * an escape.
 */
static const char *bad_search(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (len - (s[len - 1] == '.') > HOSTNAME_MAX)
		return "longer than 253 bytes";
	for (i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c < 0x20 || c == 0x7f)
			return "a control character";
		if (c == ' ')
			return "white space";
		if (c == '\\')
			return "a backslash";
		if (c != '.' && ++label > 63)
			return "a label longer than 63 bytes";
		if (c == '.' && !label)
			return "an empty label";
		if (c == '.')
			label = 0;
	}
	return NULL;
}

/* Add "KEY "ENTRY" (WHY)" to the drop list of @dns. */
static void drop(struct gns_dns *dns, const char *key, const char *entry,
		 const char *why)
{
	size_t used = strlen(dns->dropped);
	char q[QUOTE_LEN];

	snprintf(dns->dropped + used, sizeof(dns->dropped) - used,
		 "%s%s %s (%s)", used ? ", " : "", key, quote_str(q, entry),
		 why);
	dns->n_dropped++;
}

/*
 * Split the comma-separated @s into @out, each entry copied to @*buf and
 * trimmed of spaces; empty entries are skipped, those @bad() has a reason
 * against are dropped.
 */
static size_t split_list(struct gns_dns *dns, const char *key, const char *s,
			 char **buf, const char **out,
			 const char *(*bad)(const char *))
{
	const char *why;
	size_t n = 0;

	while (*s) {
		const char *end = s + strcspn(s, ","), *e = end;

		while (s < e && *s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			e--;
		if (e > s) {
			memcpy(*buf, s, (size_t)(e - s));
			(*buf)[e - s] = 0;
			why = bad(*buf);
			if (why) {
				drop(dns, key, *buf, why);
			} else {
				out[n++] = *buf;
				*buf += e - s + 1;
			}
		}
		s = *end ? end + 1 : end;
	}
	return n;
}

/* Entries @s can hold at most. */
static size_t list_max(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == ',';
	return n;
}

static int decode_dns(const struct dec *d, struct gns_dns *dns, void **mem)
{
	const char *servers, *search, *domain;
	size_t n_srv, n_sea;
	const char **list;
	char *buf;

	if (get_str(d, "Options", false, &dns->options) < 0 ||
	    get_str(d, "ServerList", false, &servers) < 0 ||
	    get_str(d, "Search", false, &search) < 0 ||
	    get_str(d, "Domain", false, &domain) < 0)
		return -1;
	/* Domain is only type-checked: WSL's gns ignores it too */
	/* one block: the pointer arrays, then the entries' text */
	n_srv = list_max(servers);
	n_sea = list_max(search);
	list = malloc((n_srv + n_sea) * sizeof(*list) + strlen(servers) +
		      strlen(search) + 2);
	if (!list)
		return fail(d, "ServerList", "out of memory");
	*mem = list;
	buf = (char *)(list + n_srv + n_sea);
	dns->servers = list;
	dns->search = list + n_srv;
	dns->n_servers = split_list(dns, "ServerList", servers, &buf,
				    dns->servers, bad_server);
	dns->n_search = split_list(dns, "Search", search, &buf, dns->search,
				   bad_search);
	return 0;
}

static int decode_mac(const struct dec *d, uint8_t mac[6])
{
	static const char key[] = "PhysicalAddress";
	char q[QUOTE_LEN];
	const char *s;
	int i;

	if (get_str(d, key, true, &s) < 0)
		return -1;
	if (strnlen(s, 18) != 17)
		goto bad;
	for (i = 0; i < 6; i++) {
		int hi = gns_hexval(s[3 * i]), lo = gns_hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != '-'))
			goto bad;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
bad:
	return fail(d, key, "%s is not XX-XX-XX-XX-XX-XX", quote_str(q, s));
}

/* Types 55, 63 and 65 (ModifyGuestEndpointSettingRequest). */
static int decode_setting(const struct dec *d, enum gns_kind kind,
			  const uint8_t *adapter, struct gns_setting *s,
			  void **mem)
{
	bool modify = kind == GNS_MODIFY_GUEST_DEVICE;
	struct dec sd = { .err = d->err, .pfx = "Settings." };
	unsigned int e;
	int r;

	/* 63 leaves RequestType at its default; 55 and 65 need it. */
	if (get_enum(d, "RequestType", !modify, request_names,
		     N(request_names), &e) < 0)
		return -1;
	s->request = (enum gns_request_type)e;
	if (get_enum(d, "ResourceType", true, resource_names,
		     N(resource_names), &e) < 0)
		return -1;
	s->resource = (enum gns_resource)e;
	if (kind == GNS_NOTIFICATION) {
		gns_guid_from_windows(adapter, &s->target.guid);
		s->target.is_guid = true;
		s->has_target = true;
	} else {
		r = get_target(d, !modify, &s->target);
		if (r < 0)
			return -1;
		s->has_target = r > 0;
	}
	/* WSL answers success and does nothing for these (reference §2.1). */
	if (modify && (s->resource != GNS_RES_INTERFACE || !s->has_target))
		return 0;
	if (get_object(d, "Settings", &sd.obj) < 0)
		return -1;
	switch (s->resource) {
	case GNS_RES_INTERFACE:
		return decode_link(&sd, &s->link);
	case GNS_RES_ROUTE:
		return decode_route(&sd, s->request, &s->route);
	case GNS_RES_IPADDRESS:
		return decode_addr(&sd, &s->addr);
	case GNS_RES_DNS:
		return decode_dns(&sd, &s->dns, mem);
	case GNS_RES_MACADDRESS:
		return decode_mac(&sd, s->mac);
	default:
		/* Neighbor, Port: the handler rejects them. */
		return 0;
	}
}

static int decode_ifconfig(const struct dec *d, struct gns_ifconfig *c)
{
	char q[QUOTE_LEN];
	const char *ip;
	uint64_t plen;
	int r;

	if (get_guid(d, "ID", true, &c->id) < 0 ||
	    get_ifname(d, "PortFriendlyName", c->port_name) < 0)
		return -1;
	r = get_str(d, "IPAddress", false, &ip);
	if (r < 0)
		return -1;
	if (r > 0 && *ip) {
		if (inet_pton(AF_INET, ip, c->ipv4) != 1)
			return fail(d, "IPAddress", "%s is not an IPv4 address",
				    quote_str(q, ip));
		c->has_ipv4 = true;
	}
	if (get_uint(d, "PrefixLength", false, 32, &plen) < 0)
		return -1;
	if (c->has_ipv4 && plen == 0)
		return fail(d, "PrefixLength", "must be 1..32 with IPAddress");
	c->prefixlen = (uint8_t)plen;
	return 0;
}

static int decode_create(const struct dec *d, struct gns_create_device *c)
{
	const char *lower_name;
	unsigned int e;
	uint64_t flags;
	int r;

	if (get_enum(d, "type", true, device_names, N(device_names), &e) < 0)
		return -1;
	c->type = (enum gns_device_type)e;
	if (get_ifname(d, "deviceName", c->device_name) < 0 ||
	    get_uint(d, "flags", false, UINT32_MAX, &flags) < 0)
		return -1;
	c->flags = (uint32_t)flags;
	r = get_guid(d, "lowerEdgeAdapterId", false, &c->lower);
	if (r < 0)
		return -1;
	c->has_lower = r > 0;
	return get_str(d, "lowerEdgeDeviceName", false, &lower_name) < 0 ?
	       -1 : 0;
}

static int decode_loopback(const struct dec *d, struct gns_loopback_route *l)
{
	unsigned int e;
	int af;

	if (get_enum(d, "operation", true, operation_names,
		     N(operation_names), &e) < 0)
		return -1;
	l->op = (enum gns_operation)e;
	if (get_target(d, true, &l->target) < 0 ||
	    get_family(d, "family", UINT32_MAX, &af) < 0 ||
	    get_ip(d, "ipAddress", af, &l->ip) < 0)
		return -1;
	return 0;
}

static int decode_initial(const struct dec *d, struct gns_initial_ip *i)
{
	uint64_t flags;

	if (get_target(d, true, &i->target) < 0 ||
	    get_uint(d, "flags", false, UINT32_MAX, &flags) < 0)
		return -1;
	i->flags = (uint32_t)flags;
	return 0;
}

static int decode_netfilter(const struct dec *d, struct gns_netfilter *n)
{
	uint64_t start, end;
	unsigned int e;

	if (get_target(d, true, &n->target) < 0 ||
	    get_enum(d, "operation", true, operation_names,
		     N(operation_names), &e) < 0 ||
	    get_uint(d, "ephemeralPortRangeStart", false, UINT16_MAX,
		     &start) < 0 ||
	    get_uint(d, "ephemeralPortRangeEnd", false, UINT16_MAX, &end) < 0)
		return -1;
	n->op = (enum gns_operation)e;
	n->port_start = (uint16_t)start;
	n->port_end = (uint16_t)end;
	/* nft rejects port 0 and start > end in the masquerade rule. */
	if (n->op == GNS_OP_CREATE && (start < 1 || start > end))
		return fail(d, "ephemeralPortRangeStart",
			    "%llu..%llu is not a port range (%s)",
			    (unsigned long long)start, (unsigned long long)end,
			    "Create needs 1 <= start <= end");
	return 0;
}

/* 74: a bare host name, not JSON. */
static int decode_hostname(const char *text, size_t len, char *out,
			   char *err)
{
	char q[QUOTE_LEN];
	size_t i;

	if (len > HOSTNAME_MAX)
		return errf(err, "hostname: %zu bytes, more than %d", len,
			    HOSTNAME_MAX);
	for (i = 0; i < len; i++)
		if (!is_alnum(text[i]) && text[i] != '.' && text[i] != '-')
			return errf(err, "hostname: %s %s", quote(q, text, len),
				    "has a byte outside A-Z a-z 0-9 . -");
	memcpy(out, text, len);
	out[len] = 0;
	return 0;
}

/* A request's payload, as gns_decode() got it. */
struct req_in {
	const char *text;
	size_t len;
	const uint8_t *adapter;
	char *err;
};

/* Parse the payload as one JSON object into @d; m->json owns it. */
static int load_json(const struct req_in *in, struct gns_msg *m,
		     struct dec *d)
{
	char jerr[JS_ERR_LEN];

	*d = (struct dec){ .err = in->err, .pfx = "" };
	if (!in->len)
		return errf(in->err, "empty payload");
	/* js_parse() refuses duplicate keys: they would be ambiguous. */
	if (js_parse(in->text, in->len, &m->json, &d->obj, jerr))
		return errf(in->err, "JSON: %s", jerr);
	if (d->obj->type != JS_OBJECT)
		return errf(in->err, "JSON: expected an object, got %s",
			    type_name(d->obj));
	return 0;
}

/*
 * One decoder per kind of kinds.h, named dec_<id>: the table below does
 * not compile until a new kind has one.
 */
static int dec_INTERFACE_CONFIGURATION(const struct req_in *in,
				       struct gns_msg *m)
{
	struct dec d;

	if (load_json(in, m, &d))
		return -1;
	return decode_ifconfig(&d, &m->ifconfig);
}

static int not_a_request(const struct req_in *in, struct gns_msg *m)
{
	return errf(in->err, "message type %s is not a request",
		    gns_kind_name(m->kind));
}

#define dec_RESULT	not_a_request

static int dec_setting(const struct req_in *in, struct gns_msg *m)
{
	struct dec d;

	if (load_json(in, m, &d))
		return -1;
	return decode_setting(&d, m->kind, in->adapter, &m->setting,
			      &m->mem);
}

#define dec_MODIFY_GUEST_DEVICE	dec_setting
#define dec_DEVICE_SETTING	dec_setting

static int dec_NOTIFICATION(const struct req_in *in, struct gns_msg *m)
{
	if (!in->len)
		return errf(in->err, "empty payload");
	if (!in->adapter)
		return errf(in->err, "Notification: no adapter GUID");
	return dec_setting(in, m);
}

static int dec_VMNIC_CREATED(const struct req_in *in, struct gns_msg *m)
{
	struct dec d;

	if (load_json(in, m, &d))
		return -1;
	return get_guid(&d, "adapterId", true, &m->vmnic.adapter) < 0 ? -1 : 0;
}

static int dec_CREATE_DEVICE(const struct req_in *in, struct gns_msg *m)
{
	struct dec d;

	if (load_json(in, m, &d))
		return -1;
	return decode_create(&d, &m->create);
}

static int dec_LOOPBACK_ROUTES(const struct req_in *in, struct gns_msg *m)
{
	struct dec d;

	if (load_json(in, m, &d))
		return -1;
	return decode_loopback(&d, &m->loopback);
}

static int dec_INITIAL_IP_CONFIGURATION(const struct req_in *in,
					struct gns_msg *m)
{
	struct dec d;

	if (load_json(in, m, &d))
		return -1;
	return decode_initial(&d, &m->initial);
}

/* The host sends "{}"; WSL reads nothing from it. */
static int dec_SETUP_IPV6(const struct req_in *in, struct gns_msg *m)
{
	(void)m;
	return in->len ? 0 : errf(in->err, "empty payload");
}

/* DNS tunneling has its own channel; the GNS channel never carries it. */
static int dec_DNS_TUNNELING(const struct req_in *in, struct gns_msg *m)
{
	(void)m;
	return errf(in->err, "a DNS channel message, refused on the GNS channel");
}

/* WSL's guest reads nothing from these. */
static int dec_ignored(const struct req_in *in, struct gns_msg *m)
{
	(void)in;
	(void)m;
	return 0;
}

#define dec_NOOP		dec_ignored
#define dec_GLOBAL_NET_FILTER	dec_ignored

static int dec_INTERFACE_NET_FILTER(const struct req_in *in,
				    struct gns_msg *m)
{
	struct dec d;

	if (load_json(in, m, &d))
		return -1;
	return decode_netfilter(&d, &m->netfilter);
}

static int dec_CONNECT_TEST(const struct req_in *in, struct gns_msg *m)
{
	if (!in->len)
		return errf(in->err, "empty payload");
	return decode_hostname(in->text, in->len, m->hostname, in->err);
}

static int (*const decoders[GNS_KIND_UNKNOWN])(const struct req_in *,
					       struct gns_msg *) = {
#define GNS_DECODER(id, name, old, new, payload) [GNS_##id] = dec_##id,
	GNS_KINDS(GNS_DECODER)
#undef GNS_DECODER
};

int gns_decode(enum gns_kind kind, const char *text, size_t len,
	       const uint8_t *adapter, struct gns_msg *m, char *err)
{
	const struct req_in in = { text, len, adapter, err };

	memset(m, 0, sizeof(*m));
	m->kind = kind;
	err[0] = 0;
	if ((unsigned int)kind >= GNS_KIND_UNKNOWN)
		return not_a_request(&in, m);
	if (decoders[kind](&in, m) < 0) {
		gns_msg_free(m);
		return -1;
	}
	return 0;
}

void gns_msg_free(struct gns_msg *m)
{
	free(m->json);
	m->json = NULL;
	free(m->mem);
	m->mem = NULL;
}
