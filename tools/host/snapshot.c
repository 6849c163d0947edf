// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and validating host snapshots and timelines. Every error names
 * the key by its path from the top of the file, and unknown keys are
 * errors, so a typo ("metrc") is reported instead of silently defaulted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gns/util.h"
#include "snapshot.h"

#define PATH_LEN	160

/* Where in the document a value is: "interfaces[1].routes[0]". */
struct where {
	char *err;
	char path[PATH_LEN];
};

static int fail(const struct where *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(const struct where *w, const char *key, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	n = (size_t)snprintf(w->err, MH_ERR_LEN, "%s%s%s%s", w->path,
			     w->path[0] && key ? "." : "", key ? key : "",
			     w->path[0] || key ? ": " : "");
	if (n >= MH_ERR_LEN)
		return -1;
	va_start(ap, fmt);
	vsnprintf(w->err + n, MH_ERR_LEN - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A child position: @w's path plus ".key" or "key[i]" (cut if long). */
static void descend(struct where *child, const struct where *w,
		    const char *key, long index)
{
	const char *dot = w->path[0] ? "." : "";
	int n;

	child->err = w->err;
	if (index >= 0)
		n = snprintf(child->path, PATH_LEN, "%s%s%s[%ld]", w->path,
			     dot, key, index);
	else
		n = snprintf(child->path, PATH_LEN, "%s%s%s", w->path, dot,
			     key);
	if (n < 0)
		child->path[0] = 0;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* An array element, which has no key to name: the path says which. */
static int expect_object(const struct where *w, const json_t *v)
{
	if (!json_is_object(v))
		return fail(w, NULL, "expected an object, got %s",
			    type_name(v));
	return 0;
}

/* Reject any key of @obj not in the NULL-terminated @allowed. */
static int only_keys(const struct where *w, json_t *obj,
		     const char *const *allowed)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v) {
		for (i = 0; allowed[i]; i++)
			if (!strcmp(key, allowed[i]))
				break;
		if (!allowed[i])
			return fail(w, key, "unknown key");
	}
	return 0;
}

/* Whether @v is of @type; JSON_TRUE stands for either boolean. */
static bool is_type(const json_t *v, json_type type)
{
	if (type == JSON_TRUE)
		return json_is_boolean(v);
	return json_typeof(v) == type;
}

/*
 * @key of @obj in *out if it is of @type, NULL if absent and not
 * @required; @want names the type in the error ("a string").
 */
static int get_typed(const struct where *w, json_t *obj, const char *key,
		     bool required, json_type type, const char *want,
		     json_t **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v) {
		if (required)
			return fail(w, key, "missing");
		return 0;
	}
	if (!is_type(v, type))
		return fail(w, key, "expected %s, got %s", want, type_name(v));
	*out = v;
	return 0;
}

/* *out is left as it is if the key is absent: the caller's default. */
static int get_uint(const struct where *w, json_t *obj, const char *key,
		    bool required, uint64_t max, uint64_t *out)
{
	json_int_t i;
	json_t *v;

	if (get_typed(w, obj, key, required, JSON_INTEGER, "an integer",
		      &v) < 0)
		return -1;
	if (!v)
		return 0;
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i > max)
		return fail(w, key, "%lld is out of range 0..%llu",
			    (long long)i, (unsigned long long)max);
	*out = (uint64_t)i;
	return 0;
}

/* *out is left as it is if the key is absent: the caller's default. */
static int get_bool(const struct where *w, json_t *obj, const char *key,
		    bool required, bool *out)
{
	json_t *v;

	if (get_typed(w, obj, key, required, JSON_TRUE, "true or false",
		      &v) < 0)
		return -1;
	if (v)
		*out = json_is_true(v);
	return 0;
}

/* A string; NULL in *out if absent and not required. */
static int get_str(const struct where *w, json_t *obj, const char *key,
		   bool required, const char **out)
{
	json_t *v;

	*out = NULL;
	if (get_typed(w, obj, key, required, JSON_STRING, "a string", &v) < 0)
		return -1;
	if (v)
		*out = json_string_value(v);
	return 0;
}

static int get_array(const struct where *w, json_t *obj, const char *key,
		     bool required, json_t **out)
{
	return get_typed(w, obj, key, required, JSON_ARRAY, "an array", out);
}

static int get_object(const struct where *w, json_t *obj, const char *key,
		      bool required, json_t **out)
{
	return get_typed(w, obj, key, required, JSON_OBJECT, "an object", out);
}

/* One of @names (NULL-terminated); the index in *out. */
static int get_enum(const struct where *w, json_t *obj, const char *key,
		    const char *const *names, unsigned int *out)
{
	unsigned int i;
	const char *s;

	if (get_str(w, obj, key, false, &s) < 0)
		return -1;
	if (!s)
		return 0;
	for (i = 0; names[i]; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return fail(w, key, "\"%.60s\" is not one of the allowed values", s);
}

int mh_ip_parse(const char *text, struct mh_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, text, ip->bytes) == 1)
		ip->family = AF_INET;
	else if (inet_pton(AF_INET6, text, ip->bytes) == 1)
		ip->family = AF_INET6;
	else
		return -1;
	inet_ntop(ip->family, ip->bytes, ip->text, sizeof(ip->text));
	return 0;
}

bool mh_ip_is_zero(const struct mh_ip *ip)
{
	static const uint8_t zero[16];

	return !memcmp(ip->bytes, zero, ip->family == AF_INET ? 4 : 16);
}

static unsigned int ip_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

static int parse_guid(const struct where *w, const char *key, const char *s,
		      char out[MH_GUID_STR_LEN])
{
	size_t len = strnlen(s, 40), i;

	if (len == 38 && s[0] == '{' && s[37] == '}') {
		s++;
		len = 36;
	}
	if (len != 36)
		goto bad;
	for (i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				goto bad;
		} else if (c >= 'A' && c <= 'F') {
			c = (char)(c - 'A' + 'a');
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			goto bad;
		}
		out[i] = c;
	}
	out[36] = 0;
	return 0;
bad:
	return fail(w, key, "\"%.60s\" is not a GUID "
		    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s);
}

/* "00:15:5d:01:02:03" or with '-', to the host's AA-BB-CC-DD-EE-FF. */
static int parse_mac(const struct where *w, const char *s,
		     char out[MH_MAC_STR_LEN])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned int i;

	if (strnlen(s, MH_MAC_STR_LEN) != 17)
		goto bad;
	for (i = 0; i < 17; i++) {
		char c = s[i];
		const char *p;

		if (i % 3 == 2) {
			if (c != ':' && c != '-')
				goto bad;
			out[i] = '-';
			continue;
		}
		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		p = strchr(hex, c);
		if (!c || !p)
			goto bad;
		out[i] = c;
	}
	out[17] = 0;
	return 0;
bad:
	return fail(w, "mac", "\"%.40s\" is not a MAC address "
		    "(00:15:5d:01:02:03)", s);
}

static int parse_family_cfg(const struct where *w, json_t *iface,
			    const char *key, struct mh_family_cfg *f)
{
	static const char *const keys[] = {
		"mtu", "metric", "disableDefaultRoutes", NULL,
	};
	struct where fw;
	uint64_t v = 0;
	json_t *obj;

	if (get_object(w, iface, key, false, &obj) < 0)
		return -1;
	if (!obj)
		return 0;
	descend(&fw, w, key, -1);
	f->present = true;
	if (only_keys(&fw, obj, keys) < 0 ||
	    get_uint(&fw, obj, "mtu", false, UINT32_MAX, &v) < 0)
		return -1;
	f->mtu = (uint32_t)v;
	v = 0;
	if (get_uint(&fw, obj, "metric", false, UINT32_MAX, &v) < 0)
		return -1;
	f->metric = (uint32_t)v;
	return get_bool(&fw, obj, "disableDefaultRoutes", false,
			&f->disable_default_routes);
}

static int parse_address(const struct where *w, json_t *obj,
			 struct mh_address *a)
{
	static const char *const keys[] = {
		"address", "prefixLength", "dadState", "prefixOrigin",
		"suffixOrigin", NULL,
	};
	/* In Windows' enum order, so the index is the wire value. */
	static const char *const dad_names[] = {
		"invalid", "tentative", "duplicate", "deprecated", "preferred",
		NULL,
	};
	static const char *const prefix_names[] = {
		"other", "manual", "wellknown", "dhcp", "routeradvertisement",
		NULL,
	};
	static const char *const suffix_names[] = {
		"other", "manual", "wellknown", "dhcp", "linklayeraddress",
		"random", NULL,
	};
	unsigned int dad = MH_DAD_PREFERRED;
	const char *s;
	uint64_t len;

	if (expect_object(w, obj) < 0 || only_keys(w, obj, keys) < 0 ||
	    get_str(w, obj, "address", true, &s) < 0)
		return -1;
	if (mh_ip_parse(s, &a->ip) < 0)
		return fail(w, "address", "\"%.60s\" is not an IP address", s);
	if (get_uint(w, obj, "prefixLength", true, ip_bits(a->ip.family),
		     &len) < 0)
		return -1;
	a->prefix_len = (unsigned int)len;
	if (get_enum(w, obj, "dadState", dad_names, &dad) < 0 ||
	    get_enum(w, obj, "prefixOrigin", prefix_names,
		     &a->prefix_origin) < 0 ||
	    get_enum(w, obj, "suffixOrigin", suffix_names,
		     &a->suffix_origin) < 0)
		return -1;
	a->dad = (enum mh_dad_state)dad;
	return 0;
}

/* "192.168.1.0/24": the address must have no bits past the length. */
static int parse_prefix(const struct where *w, const char *s,
			struct mh_ip *ip, unsigned int *len)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN];
	unsigned long n;
	unsigned int i;
	char *end;

	if (!slash || (size_t)(slash - s) >= sizeof(addr) || !slash[1])
		goto bad;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = 0;
	if (mh_ip_parse(addr, ip) < 0)
		goto bad;
	errno = 0;
	n = strtoul(slash + 1, &end, 10);
	if (*end || errno || slash[1] < '0' || slash[1] > '9' ||
	    n > ip_bits(ip->family))
		goto bad;
	*len = (unsigned int)n;
	for (i = *len; i < ip_bits(ip->family); i++)
		if (ip->bytes[i / 8] & (0x80 >> (i % 8)))
			return fail(w, "destination", "\"%.60s\" has bits set "
				    "past the prefix length", s);
	return 0;
bad:
	return fail(w, "destination", "\"%.60s\" is not ADDRESS/LENGTH", s);
}

static int parse_route(const struct where *w, json_t *obj, struct mh_route *r)
{
	static const char *const keys[] = {
		"destination", "nextHop", "metric", NULL,
	};
	const char *s;
	uint64_t v = 0;

	if (expect_object(w, obj) < 0 || only_keys(w, obj, keys) < 0 ||
	    get_str(w, obj, "destination", true, &s) < 0 ||
	    parse_prefix(w, s, &r->dst, &r->dst_len) < 0 ||
	    get_str(w, obj, "nextHop", false, &s) < 0)
		return -1;
	if (!s)
		s = r->dst.family == AF_INET ? "0.0.0.0" : "::";
	if (mh_ip_parse(s, &r->next_hop) < 0)
		return fail(w, "nextHop", "\"%.60s\" is not an IP address", s);
	if (r->next_hop.family != r->dst.family)
		return fail(w, "nextHop", "%s is not of the destination's "
			    "family", r->next_hop.text);
	if (get_uint(w, obj, "metric", false, UINT32_MAX, &v) < 0)
		return -1;
	r->metric = (uint32_t)v;
	return 0;
}

static int parse_interface(const struct where *w, json_t *obj,
			   struct mh_interface *ifc)
{
	static const char *const keys[] = {
		"guid", "name", "gelnic", "mac", "connected", "hidden", "ipv4",
		"ipv6", "addresses", "routes", NULL,
	};
	json_t *addrs, *routes, *v;
	struct where cw;
	const char *s;
	size_t i;

	if (expect_object(w, obj) < 0 || only_keys(w, obj, keys) < 0 ||
	    get_str(w, obj, "guid", true, &s) < 0 ||
	    parse_guid(w, "guid", s, ifc->guid) < 0 ||
	    get_str(w, obj, "name", true, &s) < 0)
		return -1;
	/* the host asks for this name verbatim: the kernel's own check */
	if (!gns_ifname_valid(s))
		return fail(w, "name", "\"%.40s\" is not a Linux interface "
			    "name (1 to 15 bytes, no / : or blanks)", s);
	strcpy(ifc->name, s);
	if (get_str(w, obj, "mac", false, &s) < 0 ||
	    (s && parse_mac(w, s, ifc->mac) < 0) ||
	    get_bool(w, obj, "gelnic", false, &ifc->gelnic) < 0 ||
	    get_bool(w, obj, "connected", true, &ifc->connected) < 0 ||
	    get_bool(w, obj, "hidden", false, &ifc->hidden) < 0 ||
	    parse_family_cfg(w, obj, "ipv4", &ifc->v4) < 0 ||
	    parse_family_cfg(w, obj, "ipv6", &ifc->v6) < 0 ||
	    get_array(w, obj, "addresses", false, &addrs) < 0 ||
	    get_array(w, obj, "routes", false, &routes) < 0)
		return -1;
	if (addrs && json_array_size(addrs)) {
		ifc->n_addresses = json_array_size(addrs);
		ifc->addresses = calloc(ifc->n_addresses,
					sizeof(*ifc->addresses));
		if (!ifc->addresses)
			return fail(w, "addresses", "out of memory");
		json_array_foreach(addrs, i, v) {
			descend(&cw, w, "addresses", (long)i);
			if (parse_address(&cw, v, &ifc->addresses[i]) < 0)
				return -1;
		}
	}
	if (routes && json_array_size(routes)) {
		ifc->n_routes = json_array_size(routes);
		ifc->routes = calloc(ifc->n_routes, sizeof(*ifc->routes));
		if (!ifc->routes)
			return fail(w, "routes", "out of memory");
		json_array_foreach(routes, i, v) {
			descend(&cw, w, "routes", (long)i);
			if (parse_route(&cw, v, &ifc->routes[i]) < 0)
				return -1;
		}
	}
	return 0;
}

static int parse_dns(const struct where *w, json_t *top, struct mh_snapshot *s)
{
	static const char *const keys[] = { "servers", "suffixes", NULL };
	json_t *dns, *servers, *suffixes, *v;
	struct where dw, ew;
	const char *str;
	size_t i;

	if (get_object(w, top, "dns", false, &dns) < 0)
		return -1;
	if (!dns)
		return 0;
	descend(&dw, w, "dns", -1);
	if (only_keys(&dw, dns, keys) < 0 ||
	    get_array(&dw, dns, "servers", false, &servers) < 0 ||
	    get_array(&dw, dns, "suffixes", false, &suffixes) < 0)
		return -1;
	if (servers && json_array_size(servers)) {
		s->dns_servers = calloc(json_array_size(servers),
					sizeof(*s->dns_servers));
		if (!s->dns_servers)
			return fail(&dw, "servers", "out of memory");
		json_array_foreach(servers, i, v) {
			descend(&ew, &dw, "servers", (long)i);
			str = json_string_value(v);
			if (!str || mh_ip_parse(str, &s->dns_servers[i]) < 0)
				return fail(&ew, NULL, "expected an IP address "
					    "string");
			s->n_dns_servers++;
		}
	}
	if (suffixes && json_array_size(suffixes)) {
		s->dns_suffixes = calloc(json_array_size(suffixes),
					 sizeof(*s->dns_suffixes));
		if (!s->dns_suffixes)
			return fail(&dw, "suffixes", "out of memory");
		json_array_foreach(suffixes, i, v) {
			descend(&ew, &dw, "suffixes", (long)i);
			str = json_string_value(v);
			/* The host joins them with ',' into one string. */
			if (!str || !*str || strlen(str) > 253 ||
			    strpbrk(str, ", \t\n\r"))
				return fail(&ew, NULL, "expected a domain name "
					    "(1 to 253 bytes, no comma or "
					    "blank)");
			s->dns_suffixes[i] = strdup(str);
			if (!s->dns_suffixes[i])
				return fail(&ew, NULL, "out of memory");
			s->n_dns_suffixes++;
		}
	}
	return 0;
}

static int parse_snapshot(const struct where *w, json_t *top,
			  const char *const *keys, struct mh_snapshot *s)
{
	json_t *ifaces, *v, *range;
	struct where cw;
	size_t i, j;

	if (only_keys(w, top, keys) < 0 ||
	    get_bool(w, top, "hostAddressLoopback", false,
		     &s->host_address_loopback) < 0 ||
	    get_array(w, top, "ephemeralPortRange", false, &range) < 0)
		return -1;
	/* Reference §5.8's example; only the width is fixed. */
	s->port_start = 60928;
	s->port_end = 65023;
	if (range) {
		json_t *a = json_array_get(range, 0), *b = json_array_get(range, 1);

		/* Both bounded first: the difference cannot overflow. */
		if (json_array_size(range) != 2 || !json_is_integer(a) ||
		    !json_is_integer(b) || json_integer_value(a) < 1 ||
		    json_integer_value(a) > 65535 ||
		    json_integer_value(b) < 1 ||
		    json_integer_value(b) > 65535 ||
		    json_integer_value(b) - json_integer_value(a) != 4095)
			return fail(w, "ephemeralPortRange", "expected [START, "
				    "END] with 1 <= START, END <= 65535 and "
				    "END - START = 4095");
		s->port_start = (uint16_t)json_integer_value(a);
		s->port_end = (uint16_t)json_integer_value(b);
	}
	if (parse_dns(w, top, s) < 0 ||
	    get_array(w, top, "interfaces", true, &ifaces) < 0)
		return -1;
	s->n_interfaces = json_array_size(ifaces);
	if (!s->n_interfaces)
		return 0;
	s->interfaces = calloc(s->n_interfaces, sizeof(*s->interfaces));
	if (!s->interfaces)
		return fail(w, "interfaces", "out of memory");
	json_array_foreach(ifaces, i, v) {
		descend(&cw, w, "interfaces", (long)i);
		if (parse_interface(&cw, v, &s->interfaces[i]) < 0)
			return -1;
		for (j = 0; j < i; j++) {
			if (!strcmp(s->interfaces[j].guid, s->interfaces[i].guid))
				return fail(&cw, "guid", "%s is also the guid "
					    "of interfaces[%zu]",
					    s->interfaces[i].guid, j);
			if (!strcmp(s->interfaces[j].name, s->interfaces[i].name))
				return fail(&cw, "name", "%s is also the name "
					    "of interfaces[%zu]",
					    s->interfaces[i].name, j);
		}
	}
	return 0;
}

static void snapshot_free(struct mh_snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n_interfaces; i++) {
		free(s->interfaces[i].addresses);
		free(s->interfaces[i].routes);
	}
	free(s->interfaces);
	for (i = 0; i < s->n_dns_suffixes; i++)
		free(s->dns_suffixes[i]);
	free(s->dns_suffixes);
	free(s->dns_servers);
	memset(s, 0, sizeof(*s));
}

void mh_timeline_free(struct mh_timeline *t)
{
	size_t i;

	for (i = 0; i < t->n_steps; i++) {
		snapshot_free(&t->steps[i].snapshot);
		free(t->steps[i].note);
	}
	free(t->steps);
	t->steps = NULL;
	t->n_steps = 0;
}

static int parse_timeline(const struct where *w, json_t *top,
			  struct mh_timeline *t)
{
	static const char *const top_keys[] = {
		"timeline", "name", "description", NULL,
	};
	static const char *const step_keys[] = {
		"afterMs", "snapshot", "note", "expect", NULL,
	};
	static const char *const snap_keys[] = {
		"hostAddressLoopback", "ephemeralPortRange", "dns",
		"interfaces", NULL,
	};
	struct where sw, nw;
	json_t *steps, *v, *snap;
	const char *note;
	uint64_t after;
	size_t i;

	if (only_keys(w, top, top_keys) < 0 ||
	    get_array(w, top, "timeline", true, &steps) < 0)
		return -1;
	if (!json_array_size(steps))
		return fail(w, "timeline", "has no step");
	t->steps = calloc(json_array_size(steps), sizeof(*t->steps));
	if (!t->steps)
		return fail(w, "timeline", "out of memory");
	json_array_foreach(steps, i, v) {
		struct mh_step *st = &t->steps[i];

		descend(&sw, w, "timeline", (long)i);
		t->n_steps++;
		after = 0;
		if (expect_object(&sw, v) < 0 ||
		    only_keys(&sw, v, step_keys) < 0 ||
		    get_uint(&sw, v, "afterMs", false, 24u * 3600 * 1000,
			     &after) < 0 ||
		    get_str(&sw, v, "note", false, &note) < 0 ||
		    get_object(&sw, v, "snapshot", true, &snap) < 0)
			return -1;
		st->after_ms = (uint32_t)after;
		if (note) {
			st->note = strdup(note);
			if (!st->note)
				return fail(&sw, "note", "out of memory");
		}
		descend(&nw, &sw, "snapshot", -1);
		if (parse_snapshot(&nw, snap, snap_keys, &st->snapshot) < 0)
			return -1;
	}
	return 0;
}

int mh_timeline_parse(const char *text, size_t len, struct mh_timeline *t,
		      char err[MH_ERR_LEN])
{
	static const char *const snap_keys[] = {
		"hostAddressLoopback", "ephemeralPortRange", "dns",
		"interfaces", "name", "description", NULL,
	};
	struct where w = { .err = err };
	json_error_t jerr;
	json_t *top;
	int r;

	memset(t, 0, sizeof(*t));
	err[0] = 0;
	top = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!top) {
		snprintf(err, MH_ERR_LEN, "JSON: line %d column %d: %s",
			 jerr.line, jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(top)) {
		json_decref(top);
		return fail(&w, NULL, "expected an object at the top");
	}
	if (json_object_get(top, "timeline")) {
		r = parse_timeline(&w, top, t);
	} else {
		t->steps = calloc(1, sizeof(*t->steps));
		if (!t->steps) {
			json_decref(top);
			return fail(&w, NULL, "out of memory");
		}
		t->n_steps = 1;
		r = parse_snapshot(&w, top, snap_keys, &t->steps[0].snapshot);
	}
	json_decref(top);
	if (r < 0)
		mh_timeline_free(t);
	return r;
}

int mh_timeline_load(const char *path, struct mh_timeline *t,
		     char err[MH_ERR_LEN])
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, n;
	char *buf;
	int r;

	memset(t, 0, sizeof(*t));
	if (!f) {
		snprintf(err, MH_ERR_LEN, "%s", strerror(errno));
		return -1;
	}
	buf = malloc(MH_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, MH_ERR_LEN, "out of memory");
		return -1;
	}
	while ((n = fread(buf + len, 1, MH_FILE_MAX + 1 - len, f)) > 0)
		len += n;
	r = ferror(f);
	fclose(f);
	if (r) {
		free(buf);
		snprintf(err, MH_ERR_LEN, "read error");
		return -1;
	}
	if (len > MH_FILE_MAX) {
		free(buf);
		snprintf(err, MH_ERR_LEN, "larger than %u bytes", MH_FILE_MAX);
		return -1;
	}
	r = mh_timeline_parse(buf, len, t, err);
	free(buf);
	return r;
}
