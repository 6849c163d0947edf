// SPDX-License-Identifier: GPL-2.0
/*
 * The host mirroring engine (reference §5): endpoints, translation and
 * filters, tracked items with their sync state and retry counts, and the
 * sync passes. Section numbers refer to the GNS protocol reference.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"

#define TARGET_LEN	(MH_GUID_STR_LEN + 2)
#define FAMILY_WIN_V4	2	/* Windows address families (§3.1) */
#define FAMILY_WIN_V6	23
/* InitialIpConfigurationNotification flags in mirrored mode (§2.1, 68). */
#define INITIAL_FLAGS	3

/* REMOVED: a removal the guest took, or gave up on; dropped after the pass. */
enum sync_state { PENDING_ADD, PENDING_UPDATE, PENDING_REMOVAL, SYNCED, REMOVED };

struct tracked_address {
	struct mh_address a;
	enum sync_state state;
	unsigned int retries;
};

struct tracked_route {
	struct mh_route r;		/* metric already translated */
	unsigned int site_prefix_len;	/* 0, or 32/128 when synthesized */
	bool autogen;			/* looks like an address's prefix route */
	enum sync_state state;
	unsigned int retries;
};

struct endpoint {
	char guid[MH_GUID_STR_LEN];
	char target[TARGET_LEN];	/* "{guid}" */
	bool gelnic;
	bool initial_sync_done;
	bool interface_pending;		/* PendingIPInterfaceUpdate */
	bool hidden;
	bool connected;			/* as the host tracks IP state */
	/* The Interface message's values, last computed. */
	bool link_connected;
	uint32_t link_mtu, link_metric;
	struct tracked_address *addrs;
	size_t n_addrs;
	struct tracked_route *routes;
	size_t n_routes;
};

struct mh_engine {
	struct mh_peer peer;
	bool started;
	bool host_address_loopback;
	uint16_t port_start, port_end;
	struct endpoint *eps;
	size_t n_eps;
	/* The one DNS server when tunneling is on, else NULL. */
	char *dns_tunneling_ip;
	/* DNS as "a,b,c" strings: wanted, and last pushed with success. */
	char *dns_servers, *dns_search;
	char *dns_pushed_servers, *dns_pushed_search;
	unsigned int dns_retries;
	size_t removals_given_up;
	struct mh_step_result *r;
};

/* ------------------------------------------------------------ messages */

static char *dump(json_t *obj)
{
	char *s;

	if (!obj)
		return NULL;
	s = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(obj);
	return s;
}

static int win_family(int family)
{
	return family == AF_INET ? FAMILY_WIN_V4 : FAMILY_WIN_V6;
}

static char *setting_text(const char *request, const char *resource,
			  json_t *settings, const char *target)
{
	return dump(json_pack("{s:s, s:s, s:o, s:s}", "RequestType", request,
			      "ResourceType", resource, "Settings", settings,
			      "targetDeviceName", target));
}

static char *address_text(const struct tracked_address *t,
			  const char *request, const char *target)
{
	const struct mh_address *a = &t->a;

	return setting_text(request, "IPAddress",
			    json_pack("{s:s, s:i, s:i, s:I, s:i, s:i}",
				      "Address", a->ip.text,
				      "Family", win_family(a->ip.family),
				      "OnLinkPrefixLength", a->prefix_len,
				      "PreferredLifetime",
				      (json_int_t)MH_PREFERRED_FOREVER,
				      "PrefixOrigin", a->prefix_origin,
				      "SuffixOrigin", a->suffix_origin),
			    target);
}

static char *route_text(const struct tracked_route *t, const char *request,
			const char *target)
{
	char dst[INET6_ADDRSTRLEN + 5];

	snprintf(dst, sizeof(dst), "%s/%u", t->r.dst.text, t->r.dst_len);
	return setting_text(request, "Route",
			    json_pack("{s:s, s:i, s:I, s:s, s:i}",
				      "DestinationPrefix", dst,
				      "Family", win_family(t->r.dst.family),
				      "Metric", (json_int_t)t->r.metric,
				      "NextHop", t->r.next_hop.text,
				      "SitePrefixLength", t->site_prefix_len),
			    target);
}

static char *loopback_text(const struct tracked_address *t,
			   const char *operation, const char *target)
{
	return dump(json_pack("{s:i, s:s, s:s, s:s}",
			      "family", win_family(t->a.ip.family),
			      "ipAddress", t->a.ip.text,
			      "operation", operation,
			      "targetDeviceName", target));
}

/* ------------------------------------------------------- delivery */

/* Send one message; 0 with the result, -1 if the channel broke. */
static int deliver(struct mh_engine *e, enum gns_kind kind, char *text,
		   int32_t *result)
{
	struct mh_msg m = { .kind = kind, .text = text };
	int r;

	if (!text)
		return -1;	/* out of memory building it */
	r = e->peer.send(e->peer.ctx, &m, result);
	free(text);
	if (r < 0)
		return -1;
	e->r->messages++;
	if (*result)
		e->r->failed++;
	return 0;
}

static void plan(struct mh_engine *e, size_t n)
{
	if (e->peer.plan && n)
		e->peer.plan(e->peer.ctx, n);
}

/* ----------------------------------------------------- translation */

static unsigned int ip_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

static bool ip_equal(const struct mh_ip *a, const struct mh_ip *b)
{
	return a->family == b->family &&
	       !memcmp(a->bytes, b->bytes, ip_bits(a->family) / 8);
}

/* @ip with the bits past @len cleared (or set, for the broadcast). */
static void ip_mask(const struct mh_ip *ip, unsigned int len, bool set_host,
		    struct mh_ip *out)
{
	unsigned int i;

	*out = *ip;
	for (i = len; i < ip_bits(ip->family); i++) {
		if (set_host)
			out->bytes[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		else
			out->bytes[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	}
	inet_ntop(out->family, out->bytes, out->text, sizeof(out->text));
}

/* Windows' Ipv4AddressType() says unicast: not 0/8, 224/4 or 240/4. */
static bool v4_unicast(const uint8_t *b)
{
	return b[0] != 0 && b[0] < 224;
}

/*
 * Windows' Ipv4AddressType/Ipv6AddressType say neither unspecified nor
 * unicast (§5.5; mstcpip.h): IPv4 multicast, broadcast, 0.x.x.x and 240/4;
 * IPv6 multicast, and an IPv6 address that embeds an IPv4 address that is
 * not unicast, 0.0.0.0 included: ISATAP (interface id 0[02]00:5efe),
 * v4-compatible (::/96 but :: and ::1), v4-mapped (::ffff:0:0/96) and
 * v4-translated (::ffff:0:0:0/96) carry it in their last 4 bytes, 6to4
 * (2002::/16) in bytes 2 to 5.
 */
static bool not_unicast(const struct mh_ip *ip)
{
	static const uint8_t zero[12];
	const uint8_t *b = ip->bytes;

	if (mh_ip_is_zero(ip))
		return false;
	if (ip->family == AF_INET)
		return !v4_unicast(b);
	if (b[0] == 0xff)
		return true;
	if ((!(b[8] & 0xfd) && !b[9] && b[10] == 0x5e && b[11] == 0xfe) ||
	    (!memcmp(b, zero, 12) && (b[12] || b[13] || b[14] || b[15] > 1)) ||
	    (!memcmp(b, zero, 10) && b[10] == 0xff && b[11] == 0xff) ||
	    (!memcmp(b, zero, 8) && b[8] == 0xff && b[9] == 0xff && !b[10] &&
	     !b[11]))
		return !v4_unicast(b + 12);
	if (b[0] == 0x20 && b[1] == 0x02)
		return !v4_unicast(b + 2);
	return false;
}

static uint32_t route_metric(uint32_t route, uint32_t interface)
{
	uint64_t sum = (uint64_t)route + interface;

	/* Clamped to 16 bits, then 0 raised to 1: Linux reads 0 as 1024. */
	if (sum > 65535)
		sum = 65535;
	return sum ? (uint32_t)sum : 1;
}

static bool address_preferred(const struct mh_address *a)
{
	return a->dad == MH_DAD_PREFERRED;
}

/* ------------------------------------------------------------- indexes */

/*
 * Lookups by key, so that planning stays linear in the addresses and
 * routes of an interface: a hash index of the positions of an array's
 * items, sized once for the most items it will hold (open addressing,
 * linear probing, at most half full, nothing deleted). The caller hashes
 * a key, walks the candidate positions and compares each item; items
 * with equal keys are walked in the order they were added, as a scan of
 * the array would find them.
 */
struct index {
	size_t *slot;		/* 1 + the position; 0: empty */
	size_t mask;
};

static int index_init(struct index *x, size_t items)
{
	size_t cap = 16;

	while (cap / 2 < items)
		cap *= 2;
	x->slot = calloc(cap, sizeof(*x->slot));
	x->mask = cap - 1;
	return x->slot ? 0 : -1;
}

static void index_free(struct index *x)
{
	free(x->slot);
	x->slot = NULL;
}

static void index_add(struct index *x, uint64_t hash, size_t pos)
{
	size_t i = (size_t)hash & x->mask;

	while (x->slot[i])
		i = (i + 1) & x->mask;
	x->slot[i] = pos + 1;
}

/* The next candidate position for a key; *cursor starts as its hash. */
static bool index_next(const struct index *x, uint64_t *cursor, size_t *pos)
{
	size_t s = x->slot[(size_t)*cursor & x->mask];

	if (!s)
		return false;
	(*cursor)++;
	*pos = s - 1;
	return true;
}

#define HASH_SEED	0xcbf29ce484222325ull	/* FNV-1a, 64 bits */

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* A final mix, so that the low bits the index uses depend on every byte. */
static uint64_t hash_end(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

/* What ip_equal() compares, and @len. */
static uint64_t ip_hash(uint64_t h, const struct mh_ip *ip, unsigned int len)
{
	h = hash_bytes(h, &ip->family, sizeof(ip->family));
	h = hash_bytes(h, ip->bytes, ip_bits(ip->family) / 8);
	return hash_bytes(h, &len, sizeof(len));
}

/* An address's identity (§5.5): address and prefix length. */
static uint64_t address_hash(const struct mh_address *a)
{
	return hash_end(ip_hash(HASH_SEED, &a->ip, a->prefix_len));
}

static bool address_same(const struct mh_address *a,
			 const struct mh_address *b)
{
	return ip_equal(&a->ip, &b->ip) && a->prefix_len == b->prefix_len;
}

/* What route_key_cmp() compares. */
static uint64_t route_hash(const struct mh_route *r)
{
	uint64_t h = HASH_SEED;

	h = hash_bytes(h, &r->dst.family, sizeof(r->dst.family));
	h = hash_bytes(h, r->dst.bytes, sizeof(r->dst.bytes));
	h = hash_bytes(h, &r->dst_len, sizeof(r->dst_len));
	h = hash_bytes(h, r->next_hop.bytes, sizeof(r->next_hop.bytes));
	h = hash_bytes(h, &r->metric, sizeof(r->metric));
	return hash_end(h);
}

/*
 * The interface's addresses as the route filters and the prefix-route
 * test look them up (§5.5): every address as LOCAL_ANY; a preferred one
 * also as LOCAL_PREFERRED, as its prefix (LOCAL_PREFIX, with its length)
 * and, IPv4, as its subnet's broadcast address (LOCAL_BROADCAST).
 */
enum local_kind { LOCAL_ANY, LOCAL_PREFERRED, LOCAL_PREFIX, LOCAL_BROADCAST };
#define LOCAL_KINDS	4

struct local {
	enum local_kind kind;
	struct mh_ip ip;
	unsigned int len;	/* the prefix length for LOCAL_PREFIX, or 0 */
};

struct locals {
	struct local *v;
	size_t n;
	struct index x;
};

static uint64_t local_hash(enum local_kind kind, const struct mh_ip *ip,
			   unsigned int len)
{
	return hash_end(ip_hash(hash_bytes(HASH_SEED, &kind, sizeof(kind)),
				ip, len));
}

static void locals_put(struct locals *l, enum local_kind kind,
		       const struct mh_ip *ip, unsigned int len)
{
	struct local *p = &l->v[l->n];

	p->kind = kind;
	p->ip = *ip;
	p->len = len;
	index_add(&l->x, local_hash(kind, ip, len), l->n++);
}

static bool locals_has(const struct locals *l, enum local_kind kind,
		       const struct mh_ip *ip, unsigned int len)
{
	uint64_t cursor = local_hash(kind, ip, len);
	size_t pos;

	while (index_next(&l->x, &cursor, &pos)) {
		const struct local *p = &l->v[pos];

		if (p->kind == kind && p->len == len && ip_equal(&p->ip, ip))
			return true;
	}
	return false;
}

static void locals_free(struct locals *l)
{
	free(l->v);
	index_free(&l->x);
}

static int locals_init(struct locals *l, const struct mh_interface *ifc)
{
	size_t i, most = LOCAL_KINDS * ifc->n_addresses;

	l->n = 0;
	l->v = calloc(most + 1, sizeof(*l->v));
	if (!l->v)
		return -1;
	if (index_init(&l->x, most) < 0) {
		free(l->v);
		return -1;
	}
	for (i = 0; i < ifc->n_addresses; i++) {
		const struct mh_address *a = &ifc->addresses[i];
		struct mh_ip ip;

		locals_put(l, LOCAL_ANY, &a->ip, 0);
		if (!address_preferred(a))
			continue;
		locals_put(l, LOCAL_PREFERRED, &a->ip, 0);
		ip_mask(&a->ip, a->prefix_len, false, &ip);
		locals_put(l, LOCAL_PREFIX, &ip, a->prefix_len);
		if (a->ip.family != AF_INET)
			continue;
		ip_mask(&a->ip, a->prefix_len, true, &ip);
		locals_put(l, LOCAL_BROADCAST, &ip, 0);
	}
	return 0;
}

/* ----------------------------------------------------------- goal state */

/* The goal state of addresses: preferred ones while connected (§5.5). */
static int wanted_addresses(const struct mh_interface *ifc,
			    struct mh_address *out, size_t *count)
{
	struct index x;
	size_t i, n = 0, pos;

	*count = 0;
	if (!ifc->connected || ifc->hidden)
		return 0;
	if (index_init(&x, ifc->n_addresses) < 0)
		return -1;
	for (i = 0; i < ifc->n_addresses; i++) {
		const struct mh_address *a = &ifc->addresses[i];
		uint64_t h = address_hash(a), cursor = h;
		bool known = false;

		if (!address_preferred(a))
			continue;
		while (!known && index_next(&x, &cursor, &pos))
			known = address_same(&out[pos], a);
		if (known)
			continue;
		out[n] = *a;
		index_add(&x, h, n++);
	}
	index_free(&x);
	*count = n;
	return 0;
}

/* Whether route @r is dropped by one of the host's filters (§5.5). */
static bool route_filtered(const struct mh_interface *ifc,
			   const struct locals *l, const struct mh_route *r)
{
	const struct mh_family_cfg *f = r->dst.family == AF_INET ?
					&ifc->v4 : &ifc->v6;

	/*
	 * Host routes to its own addresses, whatever the length; to a
	 * non-preferred one, only a full-length host route.
	 */
	if (locals_has(l, LOCAL_PREFERRED, &r->dst, 0) ||
	    (r->dst_len == ip_bits(r->dst.family) &&
	     locals_has(l, LOCAL_ANY, &r->dst, 0)))
		return true;
	/* A local subnet's broadcast address. */
	if (locals_has(l, LOCAL_BROADCAST, &r->dst, 0))
		return true;
	/* Only a true default: the host's test also drops 0.0.0.0/1. */
	if (r->dst_len == 0 && f->disable_default_routes)
		return true;
	return not_unicast(&r->dst);
}

static int route_key_cmp(const struct mh_route *a, const struct mh_route *b)
{
	int c;

	if (a->dst.family != b->dst.family)
		return a->dst.family == AF_INET ? -1 : 1;
	c = memcmp(a->dst.bytes, b->dst.bytes, 16);
	if (c)
		return c;
	if (a->dst_len != b->dst_len)
		return a->dst_len < b->dst_len ? -1 : 1;
	c = memcmp(a->next_hop.bytes, b->next_hop.bytes, 16);
	if (c)
		return c;
	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	return 0;
}

/*
 * The first of the tracked routes @set that index @x finds with the key
 * of @r (hashed @hash) and not @seen (NULL: none seen); false if none.
 */
static bool route_find(const struct tracked_route *set, const struct index *x,
		       const struct mh_route *r, uint64_t hash,
		       const bool *seen, size_t *found)
{
	uint64_t cursor = hash;
	size_t pos;

	while (index_next(x, &cursor, &pos)) {
		if ((!seen || !seen[pos]) && !route_key_cmp(&set[pos].r, r)) {
			*found = pos;
			return true;
		}
	}
	return false;
}

/* On-link, and the prefix of one of the preferred addresses. */
static bool looks_autogen(const struct locals *l, const struct mh_route *r)
{
	return mh_ip_is_zero(&r->next_hop) &&
	       locals_has(l, LOCAL_PREFIX, &r->dst, r->dst_len);
}

/*
 * The goal state of routes (§5.5): filtered, metric translated, plus an
 * on-link host route for every next hop. @out has room for twice the
 * host's routes.
 */
static int wanted_routes(const struct mh_interface *ifc,
			 struct tracked_route *out, size_t *count)
{
	size_t i, n = 0, kept, pos;
	struct locals l;
	struct index x;

	*count = 0;
	if (!ifc->connected || ifc->hidden)
		return 0;
	if (locals_init(&l, ifc) < 0)
		return -1;
	if (index_init(&x, 2 * ifc->n_routes) < 0) {
		locals_free(&l);
		return -1;
	}
	for (i = 0; i < ifc->n_routes; i++) {
		struct mh_route r = ifc->routes[i];
		const struct mh_family_cfg *f = r.dst.family == AF_INET ?
						&ifc->v4 : &ifc->v6;
		uint64_t h;

		if (route_filtered(ifc, &l, &r))
			continue;
		r.metric = route_metric(r.metric, f->present ? f->metric : 0);
		h = route_hash(&r);
		if (route_find(out, &x, &r, h, NULL, &pos))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].r = r;
		out[n].autogen = looks_autogen(&l, &r);
		index_add(&x, h, n++);
	}
	kept = n;
	for (i = 0; i < kept; i++) {
		struct mh_route r;
		uint64_t h;

		if (mh_ip_is_zero(&out[i].r.next_hop))
			continue;
		r.dst = out[i].r.next_hop;
		r.dst_len = ip_bits(r.dst.family);
		mh_ip_parse(r.dst.family == AF_INET ? "0.0.0.0" : "::",
			    &r.next_hop);
		r.metric = out[i].r.metric;
		h = route_hash(&r);
		if (route_find(out, &x, &r, h, NULL, &pos))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].r = r;
		out[n].site_prefix_len = r.dst_len;
		index_add(&x, h, n++);
	}
	locals_free(&l);
	index_free(&x);
	*count = n;
	return 0;
}

/* ------------------------------------------------------------ ordering */

/* By socket address: IPv4 before IPv6, then the bytes (§5.3). */
static int address_cmp(const void *pa, const void *pb)
{
	const struct tracked_address *a = pa, *b = pb;
	int c;

	if (a->a.ip.family != b->a.ip.family)
		return a->a.ip.family == AF_INET ? -1 : 1;
	c = memcmp(a->a.ip.bytes, b->a.ip.bytes, 16);
	if (c)
		return c;
	return (int)a->a.prefix_len - (int)b->a.prefix_len;
}

static int route_group(const struct tracked_route *t)
{
	if (t->autogen)
		return 0;
	return mh_ip_is_zero(&t->r.next_hop) ? 1 : 2;
}

/* A route with its ordering key, the destination text made once. */
struct route_place {
	int group;
	char dst[INET6_ADDRSTRLEN + 5];		/* "ADDRESS/LENGTH" */
	const struct tracked_route *t;
};

/*
 * Prefix routes, other on-link routes, gateway routes; in each group by
 * destination text, then metric (§5.3), so a gateway's on-link route
 * reaches the guest before the routes through it. Then by next hop: no
 * two tracked routes are equal.
 */
static int route_place_cmp(const void *pa, const void *pb)
{
	const struct route_place *a = pa, *b = pb;
	int c;

	if (a->group != b->group)
		return a->group - b->group;
	c = strcmp(a->dst, b->dst);
	if (c)
		return c;
	if (a->t->r.metric != b->t->r.metric)
		return a->t->r.metric < b->t->r.metric ? -1 : 1;
	return strcmp(a->t->r.next_hop.text, b->t->r.next_hop.text);
}

/* The endpoint's routes in that order; -1 if memory ran out. */
static int sort_routes(struct endpoint *ep)
{
	struct route_place *p = calloc(ep->n_routes + 1, sizeof(*p));
	struct tracked_route *sorted = calloc(ep->n_routes + 1,
					      sizeof(*sorted));
	size_t i;

	if (!p || !sorted) {
		free(p);
		free(sorted);
		return -1;
	}
	for (i = 0; i < ep->n_routes; i++) {
		const struct tracked_route *t = &ep->routes[i];

		p[i].group = route_group(t);
		snprintf(p[i].dst, sizeof(p[i].dst), "%s/%u", t->r.dst.text,
			 t->r.dst_len);
		p[i].t = t;
	}
	qsort(p, ep->n_routes, sizeof(*p), route_place_cmp);
	for (i = 0; i < ep->n_routes; i++)
		sorted[i] = *p[i].t;
	memcpy(ep->routes, sorted, ep->n_routes * sizeof(*sorted));
	free(p);
	free(sorted);
	return 0;
}

/* ---------------------------------------------------------------- diff */

static void set_state(enum sync_state *state, unsigned int *retries,
		      enum sync_state to)
{
	*state = to;
	*retries = MH_MAX_SYNC_RETRIES;
}

static int diff_addresses(struct endpoint *ep, const struct mh_interface *ifc)
{
	struct mh_address *want = calloc(ifc->n_addresses + 1, sizeof(*want));
	size_t n, i, j, old = ep->n_addrs;
	struct tracked_address *grown, *t;
	struct index x = { 0 };
	bool *seen;

	if (!want)
		return -1;
	if (wanted_addresses(ifc, want, &n) < 0) {
		free(want);
		return -1;
	}
	seen = calloc(old + 1, sizeof(*seen));
	grown = realloc(ep->addrs, (old + n + 1) * sizeof(*grown));
	if (!seen || !grown || index_init(&x, old) < 0) {
		free(want);
		free(seen);
		if (grown)
			ep->addrs = grown;
		return -1;
	}
	ep->addrs = grown;
	for (j = 0; j < old; j++)
		index_add(&x, address_hash(&ep->addrs[j].a), j);
	for (i = 0; i < n; i++) {
		uint64_t cursor = address_hash(&want[i]);
		bool found = false;

		/* The first tracked one with its identity, not yet matched. */
		while (!found && index_next(&x, &cursor, &j))
			found = !seen[j] && address_same(&ep->addrs[j].a,
							 &want[i]);
		if (!found) {
			t = &ep->addrs[ep->n_addrs++];
			memset(t, 0, sizeof(*t));
			t->a = want[i];
			set_state(&t->state, &t->retries, PENDING_ADD);
			continue;
		}
		seen[j] = true;
		t = &ep->addrs[j];
		if (t->state == PENDING_REMOVAL ||
		    t->a.prefix_origin != want[i].prefix_origin ||
		    t->a.suffix_origin != want[i].suffix_origin) {
			t->a = want[i];
			set_state(&t->state, &t->retries, PENDING_UPDATE);
		}
	}
	index_free(&x);
	/* Gone from the host: to be removed. */
	for (j = 0; j < old; j++)
		if (!seen[j] && ep->addrs[j].state != PENDING_REMOVAL)
			set_state(&ep->addrs[j].state, &ep->addrs[j].retries,
				  PENDING_REMOVAL);
	qsort(ep->addrs, ep->n_addrs, sizeof(*ep->addrs), address_cmp);
	free(want);
	free(seen);
	return 0;
}

static int diff_routes(struct endpoint *ep, const struct mh_interface *ifc)
{
	struct tracked_route *want = calloc(2 * ifc->n_routes + 1,
					    sizeof(*want));
	struct tracked_route *grown;
	size_t n, i, j, old = ep->n_routes;
	struct index x = { 0 };
	bool *seen;

	if (!want)
		return -1;
	if (wanted_routes(ifc, want, &n) < 0) {
		free(want);
		return -1;
	}
	seen = calloc(old + 1, sizeof(*seen));
	grown = realloc(ep->routes, (old + n + 1) * sizeof(*grown));
	if (!seen || !grown || index_init(&x, old) < 0) {
		free(want);
		free(seen);
		if (grown)
			ep->routes = grown;
		return -1;
	}
	ep->routes = grown;
	for (j = 0; j < old; j++)
		index_add(&x, route_hash(&ep->routes[j].r), j);
	for (i = 0; i < n; i++) {
		if (!route_find(ep->routes, &x, &want[i].r,
				route_hash(&want[i].r), seen, &j)) {
			ep->routes[ep->n_routes] = want[i];
			set_state(&ep->routes[ep->n_routes].state,
				  &ep->routes[ep->n_routes].retries,
				  PENDING_ADD);
			ep->n_routes++;
			continue;
		}
		seen[j] = true;
		ep->routes[j].autogen = want[i].autogen;
		if (ep->routes[j].state == PENDING_REMOVAL ||
		    ep->routes[j].site_prefix_len != want[i].site_prefix_len) {
			ep->routes[j].site_prefix_len = want[i].site_prefix_len;
			set_state(&ep->routes[j].state, &ep->routes[j].retries,
				  PENDING_UPDATE);
		}
	}
	index_free(&x);
	for (j = 0; j < old; j++)
		if (!seen[j] && ep->routes[j].state != PENDING_REMOVAL)
			set_state(&ep->routes[j].state, &ep->routes[j].retries,
				  PENDING_REMOVAL);
	free(want);
	free(seen);
	return sort_routes(ep);
}

/* ----------------------------------------------------------- endpoints */

static struct endpoint *find_endpoint(struct mh_engine *e, const char *guid)
{
	size_t i;

	for (i = 0; i < e->n_eps; i++)
		if (!strcmp(e->eps[i].guid, guid))
			return &e->eps[i];
	return NULL;
}

static const struct mh_interface *find_interface(const struct mh_snapshot *s,
						 const char *guid)
{
	size_t i;

	for (i = 0; i < s->n_interfaces; i++)
		if (!strcmp(s->interfaces[i].guid, guid))
			return &s->interfaces[i];
	return NULL;
}

static void endpoint_free(struct endpoint *ep)
{
	free(ep->addrs);
	free(ep->routes);
}

/* InterfaceConfiguration: a whole HNSEndpoint, ID = the interface GUID. */
static char *ifconfig_text(const struct mh_interface *ifc, size_t index)
{
	/* The GELNIC has HNS InterfaceIndex 0 and the name loopback0. */
	const char *port = ifc->gelnic ? "loopback0" : ifc->name;

	return dump(json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:I, s:i},"
			      " s:s, s:s, s:s, s:i, s:s, s:s}",
			      "DNSServerList", "",
			      "GatewayAddress", "",
			      "ID", ifc->guid,
			      "IPAddress", "",
			      "InterfaceConstraint",
			      "InterfaceAlias", ifc->name,
			      "InterfaceGuid", ifc->guid,
			      "InterfaceIndex",
			      (json_int_t)(ifc->gelnic ? 0 : index + 1),
			      "InterfaceMediaType", 0,
			      "MacAddress", ifc->mac,
			      "Name", ifc->name,
			      "PortFriendlyName", port,
			      "PrefixLength", 0,
			      "VirtualNetwork", ifc->guid,
			      "VirtualNetworkName", "mirrored"));
}

static char *netfilter_text(const char *target, const char *operation,
			    unsigned int start, unsigned int end)
{
	return dump(json_pack("{s:i, s:i, s:s, s:s}",
			      "ephemeralPortRangeEnd", end,
			      "ephemeralPortRangeStart", start,
			      "operation", operation,
			      "targetDeviceName", target));
}

/* One attempt at steps 3 to 5 of §5.2; 1 done, 0 refused, -1 broken. */
static int add_endpoint_once(struct mh_engine *e,
			     const struct mh_interface *ifc, size_t index,
			     const char *target)
{
	int32_t res;

	plan(e, 3);
	/* The VmNicCreated result is only logged by the host. */
	if (deliver(e, GNS_VMNIC_CREATED,
		    dump(json_pack("{s:s}", "adapterId", ifc->guid)), &res) < 0 ||
	    deliver(e, GNS_INTERFACE_CONFIGURATION, ifconfig_text(ifc, index),
		    &res) < 0)
		return -1;
	if (res)
		return 0;
	if (ifc->gelnic) {
		if (deliver(e, GNS_CREATE_DEVICE,
			    dump(json_pack("{s:s, s:i, s:s, s:s}",
					   "deviceName", "loopback0",
					   "flags", 0,
					   "lowerEdgeAdapterId", ifc->guid,
					   "type", "Loopback")), &res) < 0)
			return -1;
	} else if (deliver(e, GNS_INTERFACE_NET_FILTER,
			   netfilter_text(target, "Create", e->port_start,
					  e->port_end), &res) < 0) {
		return -1;
	}
	return res ? 0 : 1;
}

/* §5.2 with its retries: 1 added, 0 given up, -1 broken. */
static int add_endpoint(struct mh_engine *e, const struct mh_interface *ifc,
			size_t index)
{
	struct endpoint *grown, *ep;
	char target[TARGET_LEN];
	int attempt, r = 0;

	snprintf(target, sizeof(target), "{%s}", ifc->guid);
	for (attempt = 0; attempt <= MH_ENDPOINT_RETRIES; attempt++) {
		if (attempt)
			e->peer.sleep_ms(e->peer.ctx, MH_ENDPOINT_RETRY_MS);
		r = add_endpoint_once(e, ifc, index, target);
		if (r)
			break;
	}
	if (r <= 0)
		return r;
	grown = realloc(e->eps, (e->n_eps + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	e->eps = grown;
	ep = &e->eps[e->n_eps++];
	memset(ep, 0, sizeof(*ep));
	strcpy(ep->guid, ifc->guid);
	strcpy(ep->target, target);
	ep->gelnic = ifc->gelnic;
	/* The first pass always sends the Interface message. */
	ep->interface_pending = true;
	return 1;
}

/* Removal (§5.2): the NIC's SNAT rules, then a barrier; no IP state. */
static int remove_endpoint(struct mh_engine *e, size_t i)
{
	struct endpoint *ep = &e->eps[i];
	int32_t res;

	plan(e, ep->gelnic ? 1 : 2);
	if (!ep->gelnic &&
	    deliver(e, GNS_INTERFACE_NET_FILTER,
		    netfilter_text(ep->target, "Remove", 0, 0), &res) < 0)
		return -1;
	if (deliver(e, GNS_NOOP, strdup(""), &res) < 0)
		return -1;
	endpoint_free(ep);
	memmove(ep, ep + 1, (e->n_eps - i - 1) * sizeof(*ep));
	e->n_eps--;
	return 0;
}

/* What the Interface message would carry now (§5.5). */
static void update_link(struct endpoint *ep, const struct mh_interface *ifc)
{
	bool connected = ifc->connected && !ifc->hidden;
	uint32_t mtu = MH_MTU_UNKNOWN, metric = 0;

	if (ifc->v4.present && ifc->v4.mtu)
		mtu = ifc->v4.mtu;
	if (ifc->v6.present && ifc->v6.mtu && ifc->v6.mtu < mtu)
		mtu = ifc->v6.mtu;
	if (ifc->v4.present)
		metric = ifc->v4.metric;
	if (ifc->v6.present && (!ifc->v4.present || ifc->v6.metric < metric))
		metric = ifc->v6.metric;
	if (connected != ep->link_connected || mtu != ep->link_mtu ||
	    metric != ep->link_metric)
		ep->interface_pending = true;
	ep->link_connected = connected;
	ep->link_mtu = mtu;
	ep->link_metric = metric;
	ep->hidden = ifc->hidden;
	ep->connected = ifc->connected;
}

/* ------------------------------------------------------------- passes */

enum item_type { ITEM_NONE, ITEM_ADDRESS, ITEM_ROUTE, ITEM_DNS };

/* One message of a pass, with what to do depending on its result. */
struct planned {
	enum gns_kind kind;
	char *text;
	char *fallback;		/* sent if text fails and tries are left */
	char *then;		/* LoopbackRoutes Create after a success */
	enum item_type item;
	enum sync_state *state;
	unsigned int *retries;
};

struct pass_plan {
	struct planned *v;
	size_t n, cap;
	bool oom;
};

static struct planned *plan_add(struct pass_plan *p, enum gns_kind kind,
				char *text)
{
	struct planned *pl;

	if (!text)
		p->oom = true;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 32;
		struct planned *v = realloc(p->v, cap * sizeof(*v));

		if (!v) {
			free(text);
			p->oom = true;
			return NULL;
		}
		p->v = v;
		p->cap = cap;
	}
	pl = &p->v[p->n++];
	memset(pl, 0, sizeof(*pl));
	pl->kind = kind;
	pl->text = text;
	return pl;
}

static void plan_address(struct pass_plan *p, struct mh_engine *e,
			 struct endpoint *ep, struct tracked_address *t,
			 const char *request, const char *fallback)
{
	struct planned *pl = plan_add(p, GNS_DEVICE_SETTING,
				      address_text(t, request, ep->target));

	if (!pl)
		return;
	pl->item = ITEM_ADDRESS;
	pl->state = &t->state;
	pl->retries = &t->retries;
	if (fallback)
		pl->fallback = address_text(t, fallback, ep->target);
	if (fallback && e->host_address_loopback)
		pl->then = loopback_text(t, "Create", ep->target);
}

static void plan_route(struct pass_plan *p, struct endpoint *ep,
		       struct tracked_route *t, const char *request,
		       const char *fallback)
{
	struct planned *pl = plan_add(p, GNS_DEVICE_SETTING,
				      route_text(t, request, ep->target));

	if (!pl)
		return;
	pl->item = ITEM_ROUTE;
	pl->state = &t->state;
	pl->retries = &t->retries;
	if (fallback)
		pl->fallback = route_text(t, fallback, ep->target);
}

static bool can_send(enum sync_state state, unsigned int retries,
		     enum sync_state want)
{
	return state == want && retries > 0;
}

/* SyncIpStateWithLinux for one endpoint (§5.3 steps 1 to 6). */
static void plan_endpoint(struct pass_plan *p, struct mh_engine *e,
			  struct endpoint *ep)
{
	bool was_pending = ep->interface_pending, changed, any_pending = false;
	size_t i;

	if (!ep->initial_sync_done) {
		plan_add(p, GNS_INITIAL_IP_CONFIGURATION,
			 dump(json_pack("{s:i, s:s}", "flags", INITIAL_FLAGS,
					"targetDeviceName", ep->target)));
		ep->initial_sync_done = true;
	}
	if (was_pending || ep->hidden) {
		plan_add(p, GNS_MODIFY_GUEST_DEVICE,
			 setting_text("Add", "Interface",
				      json_pack("{s:b, s:I, s:I}",
						"Connected", ep->link_connected,
						"Metric",
						(json_int_t)ep->link_metric,
						"NlMtu",
						(json_int_t)ep->link_mtu),
				      ep->target));
		ep->interface_pending = false;
	}
	/* Linux may have dropped state with the link: push it all again. */
	if (was_pending) {
		for (i = 0; i < ep->n_addrs; i++)
			if (ep->addrs[i].state == SYNCED)
				set_state(&ep->addrs[i].state,
					  &ep->addrs[i].retries,
					  PENDING_UPDATE);
		for (i = 0; i < ep->n_routes; i++)
			if (ep->routes[i].state == SYNCED)
				set_state(&ep->routes[i].state,
					  &ep->routes[i].retries,
					  PENDING_UPDATE);
	}
	changed = was_pending;
	for (i = 0; i < ep->n_addrs; i++) {
		struct tracked_address *t = &ep->addrs[i];

		if (!can_send(t->state, t->retries, PENDING_REMOVAL))
			continue;
		if (e->host_address_loopback)
			plan_add(p, GNS_LOOPBACK_ROUTES,
				 loopback_text(t, "Remove", ep->target));
		plan_address(p, e, ep, t, "Remove", NULL);
		changed = true;
	}
	for (i = 0; i < ep->n_routes; i++) {
		if (!can_send(ep->routes[i].state, ep->routes[i].retries,
			      PENDING_REMOVAL))
			continue;
		plan_route(p, ep, &ep->routes[i], "Remove", NULL);
		changed = true;
	}
	if (!ep->connected || ep->hidden)
		return;
	for (i = 0; i < ep->n_addrs; i++)
		if (can_send(ep->addrs[i].state, ep->addrs[i].retries,
			     PENDING_ADD) ||
		    can_send(ep->addrs[i].state, ep->addrs[i].retries,
			     PENDING_UPDATE))
			any_pending = true;
	for (i = 0; i < ep->n_addrs; i++) {
		struct tracked_address *t = &ep->addrs[i];

		if (can_send(t->state, t->retries, PENDING_ADD))
			plan_address(p, e, ep, t, "Add", "Update");
		else if (can_send(t->state, t->retries, PENDING_UPDATE) ||
			 (t->state == SYNCED && any_pending))
			plan_address(p, e, ep, t, "Update", "Add");
		else
			continue;
		changed = true;
	}
	for (i = 0; i < ep->n_routes; i++) {
		struct tracked_route *t = &ep->routes[i];

		if (can_send(t->state, t->retries, PENDING_ADD))
			plan_route(p, ep, t, "Add", "Update");
		else if (can_send(t->state, t->retries, PENDING_UPDATE) ||
			 (t->state == SYNCED && changed))
			plan_route(p, ep, t, "Update", "Add");
	}
}

/* The DNS the host wants is not what the guest last took. */
static bool dns_changed(const struct mh_engine *e)
{
	return strcmp(e->dns_servers, e->dns_pushed_servers) ||
	       strcmp(e->dns_search, e->dns_pushed_search);
}

static bool dns_pending(const struct mh_engine *e)
{
	return e->dns_retries > 0 && dns_changed(e);
}

static void plan_dns(struct pass_plan *p, struct mh_engine *e,
		     const struct endpoint *ep)
{
	struct planned *pl;

	pl = plan_add(p, GNS_DEVICE_SETTING,
		      setting_text("Update", "DNS",
				   json_pack("{s:s, s:s, s:s, s:s}",
					     "Domain", "",
					     "Options", MH_DNS_BANNER,
					     "Search", e->dns_search,
					     "ServerList", e->dns_servers),
				   ep->target));
	if (pl)
		pl->item = ITEM_DNS;
}

static bool syncable(const struct endpoint *ep)
{
	return !ep->gelnic;
}

static void spend_try(const struct planned *pl)
{
	if (pl->retries && *pl->retries)
		(*pl->retries)--;
}

/* Send one planned message and apply its outcome; -1 if broken. */
static int execute(struct mh_engine *e, struct planned *pl)
{
	char *text = pl->text, *fallback = pl->fallback, *then = pl->then;
	int32_t res;

	/* Each text is freed by deliver(), whatever happens. */
	pl->text = pl->fallback = pl->then = NULL;
	if (deliver(e, pl->kind, text, &res) < 0)
		goto broken;
	spend_try(pl);
	if (res && fallback && (!pl->retries || *pl->retries)) {
		if (deliver(e, pl->kind, fallback, &res) < 0) {
			fallback = NULL;
			goto broken;
		}
		spend_try(pl);
	} else {
		free(fallback);
	}
	fallback = NULL;
	if (pl->item == ITEM_DNS) {
		if (res) {
			e->dns_retries--;
		} else {
			free(e->dns_pushed_servers);
			free(e->dns_pushed_search);
			e->dns_pushed_servers = strdup(e->dns_servers);
			e->dns_pushed_search = strdup(e->dns_search);
			if (!e->dns_pushed_servers || !e->dns_pushed_search)
				goto broken;
		}
	} else if (pl->item != ITEM_NONE) {
		if (*pl->state == PENDING_REMOVAL) {
			if (!res) {
				*pl->state = REMOVED;
			} else if (!*pl->retries) {
				*pl->state = REMOVED;
				e->removals_given_up++;
			}
		} else if (!res) {
			set_state(pl->state, pl->retries, SYNCED);
		} else if (*pl->state == SYNCED) {
			*pl->state = PENDING_UPDATE;
		}
	}
	if (then && !res)
		return deliver(e, GNS_LOOPBACK_ROUTES, then, &res);
	free(then);
	return 0;
broken:
	free(fallback);
	free(then);
	return -1;
}

static void drop_removed(struct endpoint *ep)
{
	size_t i, n = 0;

	for (i = 0; i < ep->n_addrs; i++)
		if (ep->addrs[i].state != REMOVED)
			ep->addrs[n++] = ep->addrs[i];
	ep->n_addrs = n;
	for (i = 0, n = 0; i < ep->n_routes; i++)
		if (ep->routes[i].state != REMOVED)
			ep->routes[n++] = ep->routes[i];
	ep->n_routes = n;
}

/* Items not synced; with @with_tries, only those that have tries left. */
static size_t unsynced(const struct mh_engine *e, bool with_tries)
{
	bool any_syncable = false;
	size_t i, j, n = 0;

	for (i = 0; i < e->n_eps; i++) {
		const struct endpoint *ep = &e->eps[i];

		any_syncable |= syncable(ep);
		for (j = 0; j < ep->n_addrs; j++)
			if (ep->addrs[j].state != SYNCED &&
			    (ep->addrs[j].retries > 0) == with_tries)
				n++;
		for (j = 0; j < ep->n_routes; j++)
			if (ep->routes[j].state != SYNCED &&
			    (ep->routes[j].retries > 0) == with_tries)
				n++;
	}
	/* DNS needs an endpoint to name as its target. */
	if (any_syncable && dns_changed(e) &&
	    (e->dns_retries > 0) == with_tries)
		n++;
	return n;
}

/* One UpdateAllEndpoints pass; 1 successful, 0 not, -1 broken. */
static int run_pass(struct mh_engine *e)
{
	struct pass_plan p = { 0 };
	bool dns_planned = false;
	int r = 0;
	size_t i;

	for (i = 0; i < e->n_eps; i++) {
		if (!syncable(&e->eps[i]))
			continue;
		plan_endpoint(&p, e, &e->eps[i]);
		/* Once, to whichever endpoint is being synced (§5.3). */
		if (!dns_planned && dns_pending(e))
			plan_dns(&p, e, &e->eps[i]);
		dns_planned = true;
	}
	if (p.oom)
		r = -1;
	plan(e, r ? 0 : p.n);
	for (i = 0; i < p.n; i++) {
		if (!r && execute(e, &p.v[i]) < 0)
			r = -1;
		free(p.v[i].text);
		free(p.v[i].fallback);
		free(p.v[i].then);
	}
	free(p.v);
	for (i = 0; i < e->n_eps; i++)
		drop_removed(&e->eps[i]);
	e->r->passes++;
	if (r < 0)
		return -1;
	return unsynced(e, true) == 0;
}

/* --------------------------------------------------------------- steps */

static char *join_dns_servers(const struct mh_snapshot *s)
{
	char *out = calloc(MH_DNS_MAX_SERVERS, INET6_ADDRSTRLEN + 1);
	size_t i, n = 0;
	int pass;

	if (!out)
		return NULL;
	/* IPv4 servers before IPv6 ones, at most three (§5.7). */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < s->n_dns_servers && n < MH_DNS_MAX_SERVERS; i++) {
			const struct mh_ip *ip = &s->dns_servers[i];

			if ((ip->family == AF_INET) != (pass == 0))
				continue;
			if (n++)
				strcat(out, ",");
			strcat(out, ip->text);
		}
	}
	return out;
}

static char *join_dns_suffixes(const struct mh_snapshot *s)
{
	size_t i, len = 1;
	char *out;

	for (i = 0; i < s->n_dns_suffixes; i++)
		len += strlen(s->dns_suffixes[i]) + 1;
	out = calloc(1, len);
	if (!out)
		return NULL;
	for (i = 0; i < s->n_dns_suffixes; i++) {
		size_t k;

		/* Once each, whatever the case, as the host's AppendSuffix. */
		for (k = 0; k < i; k++)
			if (!strcasecmp(s->dns_suffixes[k], s->dns_suffixes[i]))
				break;
		if (k < i)
			continue;
		if (*out)
			strcat(out, ",");
		strcat(out, s->dns_suffixes[i]);
	}
	return out;
}

static int update_dns(struct mh_engine *e, const struct mh_snapshot *s)
{
	char *servers = e->dns_tunneling_ip ? strdup(e->dns_tunneling_ip) :
			join_dns_servers(s);
	char *search = join_dns_suffixes(s);

	if (!servers || !search) {
		free(servers);
		free(search);
		return -1;
	}
	if (strcmp(servers, e->dns_servers) || strcmp(search, e->dns_search))
		e->dns_retries = MH_MAX_SYNC_RETRIES;
	free(e->dns_servers);
	free(e->dns_search);
	e->dns_servers = servers;
	e->dns_search = search;
	return 0;
}

struct mh_engine *mh_engine_new(const struct mh_peer *peer)
{
	struct mh_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->peer = *peer;
	e->dns_servers = strdup("");
	e->dns_search = strdup("");
	e->dns_pushed_servers = strdup("");
	e->dns_pushed_search = strdup("");
	if (!e->dns_servers || !e->dns_search || !e->dns_pushed_servers ||
	    !e->dns_pushed_search) {
		mh_engine_free(e);
		return NULL;
	}
	return e;
}

void mh_engine_free(struct mh_engine *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->n_eps; i++)
		endpoint_free(&e->eps[i]);
	free(e->eps);
	free(e->dns_servers);
	free(e->dns_search);
	free(e->dns_pushed_servers);
	free(e->dns_pushed_search);
	free(e->dns_tunneling_ip);
	free(e);
}

int mh_engine_dns_tunneling(struct mh_engine *e, const char *ip)
{
	free(e->dns_tunneling_ip);
	e->dns_tunneling_ip = ip ? strdup(ip) : NULL;
	return ip && !e->dns_tunneling_ip ? -1 : 0;
}

static int reconcile_endpoints(struct mh_engine *e,
			       const struct mh_snapshot *s)
{
	size_t i;

	for (i = 0; i < e->n_eps;) {
		if (find_interface(s, e->eps[i].guid)) {
			i++;
			continue;
		}
		if (remove_endpoint(e, i) < 0)
			return -1;
	}
	for (i = 0; i < s->n_interfaces; i++) {
		const struct mh_interface *ifc = &s->interfaces[i];

		if (!find_endpoint(e, ifc->guid) &&
		    add_endpoint(e, ifc, i) < 0)
			return -1;
	}
	for (i = 0; i < e->n_eps; i++) {
		struct endpoint *ep = &e->eps[i];
		const struct mh_interface *ifc = find_interface(s, ep->guid);

		if (!syncable(ep))
			continue;
		update_link(ep, ifc);
		if (diff_addresses(ep, ifc) < 0 || diff_routes(ep, ifc) < 0)
			return -1;
	}
	return 0;
}

int mh_engine_step(struct mh_engine *e, const struct mh_snapshot *s,
		   struct mh_step_result *r)
{
	unsigned int delay = MH_RETRY_FIRST_MS;
	int32_t res;
	size_t i;
	int ok;

	memset(r, 0, sizeof(*r));
	e->r = r;
	e->removals_given_up = 0;
	e->host_address_loopback = s->host_address_loopback;
	e->port_start = s->port_start;
	e->port_end = s->port_end;
	if (!e->started) {
		/* §5.1: SetupIpv6, host-only work, then GlobalNetFilter. */
		plan(e, 2);
		if (deliver(e, GNS_SETUP_IPV6, strdup("{}"), &res) < 0 ||
		    deliver(e, GNS_GLOBAL_NET_FILTER, strdup(""), &res) < 0)
			return -1;
		e->started = true;
	}
	if (reconcile_endpoints(e, s) < 0 || update_dns(e, s) < 0)
		return -1;
	/* Retry timer: 100 ms, doubling per failed pass, at most 2 s. */
	while ((ok = run_pass(e)) == 0) {
		e->peer.sleep_ms(e->peer.ctx, delay);
		delay = delay * 2 > MH_RETRY_MAX_MS ? MH_RETRY_MAX_MS : delay * 2;
	}
	if (ok < 0)
		return -1;
	r->gave_up = unsynced(e, false) + e->removals_given_up;
	for (i = 0; i < s->n_interfaces; i++)
		if (s->interfaces[i].connected && !s->interfaces[i].hidden &&
		    !find_endpoint(e, s->interfaces[i].guid))
			r->endpoints_missing++;
	r->goal_state = !r->gave_up && !r->endpoints_missing;
	return 0;
}
