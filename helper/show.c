// SPDX-License-Identifier: GPL-2.0
/*
 * mirrornet show: the module's goal state. The dump is turned into one JSON
 * document; --json prints it, the human output is printed from it, so both
 * say the same.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <netlink/attr.h>

#include "decode.h"
#include "genl.h"
#include "linux/mirrornet.h"
#include "show.h"

static const char *const conf_names[] = {
	"ipv4-accept-local", "ipv4-route-localnet", "ipv4-rp-filter",
	"ipv4-arp-filter", "ipv6-addr-gen-mode", "ipv6-accept-ra",
	"ipv6-autoconf", "ipv6-use-tempaddr", "ipv6-dad-transmits",
	"ipv6-accept-dad",
};

#define MAX_NESTED 16

static void parse_nest(struct nlattr *nest, struct nlattr **tb)
{
	struct nlattr *a;
	int rem;

	memset(tb, 0, MAX_NESTED * sizeof(*tb));
	nla_for_each_nested(a, nest, rem)
		if (nla_type(a) < MAX_NESTED)
			tb[nla_type(a)] = a;
}

static json_int_t uint_of(struct nlattr *a)
{
	if (!a)
		return 0;
	return nla_len(a) == 8 ? (json_int_t)nla_get_u64(a) :
				 (json_int_t)nla_get_u32(a);
}

static json_t *ip_json(struct nlattr *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (!a || (nla_len(a) != 4 && nla_len(a) != 16))
		return json_null();
	inet_ntop(nla_len(a) == 4 ? AF_INET : AF_INET6, nla_data(a), buf,
		  sizeof(buf));
	return json_string(buf);
}

static json_t *lladdr_json(struct nlattr *a)
{
	const unsigned char *p = nla_data(a);
	char buf[3 * 32];
	int i, n = nla_len(a) > 32 ? 32 : nla_len(a);

	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					i ? ":%02x" : "%02x", p[i]);
	return json_string(buf);
}

static json_t *link_json(struct nlattr *nest)
{
	struct nlattr *tb[MAX_NESTED];
	json_t *o = json_object();

	parse_nest(nest, tb);
	if (tb[MIRRORNET_A_LINK_ADMIN])
		json_object_set_new(o, "admin", json_string(
			nla_get_u32(tb[MIRRORNET_A_LINK_ADMIN]) ? "up" : "down"));
	if (tb[MIRRORNET_A_LINK_MTU])
		json_object_set_new(o, "mtu", json_integer(
			uint_of(tb[MIRRORNET_A_LINK_MTU])));
	if (tb[MIRRORNET_A_LINK_LLADDR])
		json_object_set_new(o, "lladdr",
				    lladdr_json(tb[MIRRORNET_A_LINK_LLADDR]));
	return o;
}

static json_t *addr_json(struct nlattr *nest)
{
	struct nlattr *tb[MAX_NESTED];
	json_t *o = json_object(), *flags = json_array();
	json_int_t f;

	parse_nest(nest, tb);
	f = uint_of(tb[MIRRORNET_A_ADDR_FLAGS]);
	if (f & MIRRORNET_ADDR_FLAGS_NODAD)
		json_array_append_new(flags, json_string("nodad"));
	if (f & MIRRORNET_ADDR_FLAGS_NOPREFIXROUTE)
		json_array_append_new(flags, json_string("noprefixroute"));
	json_object_set_new(o, "address", ip_json(tb[MIRRORNET_A_ADDR_ADDRESS]));
	json_object_set_new(o, "prefixlen",
			    json_integer(uint_of(tb[MIRRORNET_A_ADDR_PREFIXLEN])));
	json_object_set_new(o, "flags", flags);
	json_object_set_new(o, "preferred_lft", json_integer(
		uint_of(tb[MIRRORNET_A_ADDR_PREFERRED_LFT])));
	json_object_set_new(o, "valid_lft",
			    json_integer(uint_of(tb[MIRRORNET_A_ADDR_VALID_LFT])));
	json_object_set_new(o, "scope",
			    json_integer(uint_of(tb[MIRRORNET_A_ADDR_SCOPE])));
	return o;
}

static json_t *route_json(struct nlattr *nest)
{
	struct nlattr *tb[MAX_NESTED];
	json_t *o = json_object();
	char dst[INET6_ADDRSTRLEN + 8];

	parse_nest(nest, tb);
	if (tb[MIRRORNET_A_ROUTE_DST]) {
		json_t *ip = ip_json(tb[MIRRORNET_A_ROUTE_DST]);

		snprintf(dst, sizeof(dst), "%s/%u",
			 json_is_string(ip) ? json_string_value(ip) : "?",
			 (unsigned int)uint_of(tb[MIRRORNET_A_ROUTE_DST_LEN]));
		json_decref(ip);
	} else {
		snprintf(dst, sizeof(dst), "default");
	}
	json_object_set_new(o, "family", json_string(
		uint_of(tb[MIRRORNET_A_ROUTE_FAMILY]) == AF_INET6 ? "inet6" :
								   "inet"));
	json_object_set_new(o, "dst", json_string(dst));
	if (tb[MIRRORNET_A_ROUTE_GATEWAY])
		json_object_set_new(o, "gateway",
				    ip_json(tb[MIRRORNET_A_ROUTE_GATEWAY]));
	if (tb[MIRRORNET_A_ROUTE_PREFSRC])
		json_object_set_new(o, "prefsrc",
				    ip_json(tb[MIRRORNET_A_ROUTE_PREFSRC]));
	json_object_set_new(o, "metric",
			    json_integer(uint_of(tb[MIRRORNET_A_ROUTE_METRIC])));
	json_object_set_new(o, "table",
			    json_integer(uint_of(tb[MIRRORNET_A_ROUTE_TABLE])));
	json_object_set_new(o, "type",
			    json_integer(uint_of(tb[MIRRORNET_A_ROUTE_TYPE])));
	json_object_set_new(o, "onlink", json_boolean(
		uint_of(tb[MIRRORNET_A_ROUTE_FLAGS]) & MIRRORNET_ROUTE_FLAGS_ONLINK));
	return o;
}

static json_t *neigh_json(struct nlattr *nest)
{
	struct nlattr *tb[MAX_NESTED];
	json_t *o = json_object();

	parse_nest(nest, tb);
	json_object_set_new(o, "dst", ip_json(tb[MIRRORNET_A_NEIGH_DST]));
	if (tb[MIRRORNET_A_NEIGH_LLADDR])
		json_object_set_new(o, "lladdr",
				    lladdr_json(tb[MIRRORNET_A_NEIGH_LLADDR]));
	return o;
}

static json_t *rule_json(struct nlattr *nest)
{
	struct nlattr *tb[MAX_NESTED];
	json_t *o = json_object();

	parse_nest(nest, tb);
	json_object_set_new(o, "family", json_string(
		uint_of(tb[MIRRORNET_A_RULE_FAMILY]) == AF_INET6 ? "inet6" :
								  "inet"));
	if (tb[MIRRORNET_A_RULE_PRIORITY])
		json_object_set_new(o, "priority", json_integer(
			uint_of(tb[MIRRORNET_A_RULE_PRIORITY])));
	if (tb[MIRRORNET_A_RULE_IIFNAME])
		json_object_set_new(o, "iif", json_string(
			nla_get_string(tb[MIRRORNET_A_RULE_IIFNAME])));
	if (tb[MIRRORNET_A_RULE_IP_PROTO])
		json_object_set_new(o, "ipproto", json_integer(
			uint_of(tb[MIRRORNET_A_RULE_IP_PROTO])));
	json_object_set_new(o, "table",
			    json_integer(uint_of(tb[MIRRORNET_A_RULE_TABLE])));
	return o;
}

/* The interface object for a dump message; a continuation reuses it. */
static json_t *iface_of(json_t *ifaces, struct nlattr **attrs)
{
	json_t *last = json_array_get(ifaces, json_array_size(ifaces) - 1);
	json_int_t ifindex = uint_of(attrs[MIRRORNET_A_IFINDEX]);
	char key[37] = "";
	json_t *o;

	if (attrs[MIRRORNET_A_HWKEY] &&
	    nla_len(attrs[MIRRORNET_A_HWKEY]) == GNS_GUID_LEN) {
		struct gns_guid g;

		memcpy(g.b, nla_data(attrs[MIRRORNET_A_HWKEY]), GNS_GUID_LEN);
		gns_guid_format(&g, key);
	}
	if (last &&
	    json_integer_value(json_object_get(last, "ifindex")) == ifindex &&
	    !strcmp(json_string_value(json_object_get(last, "hwkey")) ?: "",
		    key))
		return last;

	o = json_object();
	json_object_set_new(o, "ifindex", json_integer(ifindex));
	if (attrs[MIRRORNET_A_IFNAME])
		json_object_set_new(o, "ifname", json_string(
			nla_get_string(attrs[MIRRORNET_A_IFNAME])));
	if (key[0])
		json_object_set_new(o, "hwkey", json_string(key));
	json_object_set_new(o, "state", json_string(
		uint_of(attrs[MIRRORNET_A_STATE]) == MIRRORNET_IFACE_STATE_HELD ?
		"held" : "present"));
	json_object_set_new(o, "link", json_object());
	json_object_set_new(o, "addresses", json_array());
	json_object_set_new(o, "routes", json_array());
	json_object_set_new(o, "neighbours", json_array());
	json_object_set_new(o, "conf", json_object());
	json_object_set_new(o, "repairs", json_integer(0));
	json_object_set_new(o, "apply_errors", json_integer(0));
	json_array_append_new(ifaces, o);
	return o;
}

/* One iface-get dump message; multi-attr nests are walked in order. */
static void on_iface(struct nlattr **attrs, struct nlattr *head, int len,
		     void *arg)
{
	json_t *o = iface_of(arg, attrs);
	struct nlattr *a, *tb[MAX_NESTED];
	int rem;

	nla_for_each_attr(a, head, len, rem) {
		switch (nla_type(a)) {
		case MIRRORNET_A_LINK:
			json_object_set_new(o, "link", link_json(a));
			break;
		case MIRRORNET_A_ADDR:
			json_array_append_new(json_object_get(o, "addresses"),
					      addr_json(a));
			break;
		case MIRRORNET_A_ROUTE:
			json_array_append_new(json_object_get(o, "routes"),
					      route_json(a));
			break;
		case MIRRORNET_A_NEIGH:
			json_array_append_new(json_object_get(o, "neighbours"),
					      neigh_json(a));
			break;
		case MIRRORNET_A_CONF:
			parse_nest(a, tb);
			if (uint_of(tb[MIRRORNET_A_CONF_KEY]) <
			    (json_int_t)(sizeof(conf_names) / sizeof(conf_names[0])))
				json_object_set_new(json_object_get(o, "conf"),
					conf_names[uint_of(tb[MIRRORNET_A_CONF_KEY])],
					json_integer(uint_of(tb[MIRRORNET_A_CONF_VALUE])));
			break;
		case MIRRORNET_A_STATS:
			parse_nest(a, tb);
			json_object_set_new(o, "repairs", json_integer(
				uint_of(tb[MIRRORNET_A_STATS_REPAIRS])));
			json_object_set_new(o, "apply_errors", json_integer(
				uint_of(tb[MIRRORNET_A_STATS_APPLY_ERRORS])));
			break;
		}
	}
}

static void on_rule(struct nlattr **attrs, struct nlattr *head, int len,
		    void *arg)
{
	struct nlattr *a;
	int rem;

	(void)attrs;
	nla_for_each_attr(a, head, len, rem)
		if (nla_type(a) == MIRRORNET_A_RULE)
			json_array_append_new(arg, rule_json(a));
}

static void print_iface(json_t *o)
{
	json_t *link = json_object_get(o, "link"), *v, *f;
	const char *name = json_string_value(json_object_get(o, "ifname"));
	const char *key = json_string_value(json_object_get(o, "hwkey"));
	const char *k;
	size_t i, j;

	printf("%s: ", name ?: "(no netdev)");
	if (json_integer_value(json_object_get(o, "ifindex")))
		printf("ifindex %" JSON_INTEGER_FORMAT ", ",
		       json_integer_value(json_object_get(o, "ifindex")));
	if (key)
		printf("hwkey {%s}, ", key);
	printf("%s\n", json_string_value(json_object_get(o, "state")));
	if (json_object_size(link)) {
		printf("  link");
		if ((v = json_object_get(link, "admin")))
			printf(" %s", json_string_value(v));
		if ((v = json_object_get(link, "mtu")))
			printf(" mtu %" JSON_INTEGER_FORMAT, json_integer_value(v));
		if ((v = json_object_get(link, "lladdr")))
			printf(" lladdr %s", json_string_value(v));
		printf("\n");
	}
	json_array_foreach(json_object_get(o, "addresses"), i, v) {
		printf("  address %s/%" JSON_INTEGER_FORMAT,
		       json_string_value(json_object_get(v, "address")),
		       json_integer_value(json_object_get(v, "prefixlen")));
		json_array_foreach(json_object_get(v, "flags"), j, f)
			printf(" %s", json_string_value(f));
		if (!json_integer_value(json_object_get(v, "preferred_lft")))
			printf(" deprecated");
		if (json_integer_value(json_object_get(v, "scope")) == 253)
			printf(" scope link");
		printf("\n");
	}
	json_array_foreach(json_object_get(o, "routes"), i, v) {
		printf("  route %s", json_string_value(json_object_get(v, "dst")));
		if ((f = json_object_get(v, "gateway")))
			printf(" via %s", json_string_value(f));
		if ((f = json_object_get(v, "prefsrc")))
			printf(" src %s", json_string_value(f));
		printf(" metric %" JSON_INTEGER_FORMAT " table %" JSON_INTEGER_FORMAT "%s\n",
		       json_integer_value(json_object_get(v, "metric")),
		       json_integer_value(json_object_get(v, "table")),
		       json_is_true(json_object_get(v, "onlink")) ? " onlink" : "");
	}
	json_array_foreach(json_object_get(o, "neighbours"), i, v)
		printf("  neighbour %s lladdr %s permanent\n",
		       json_string_value(json_object_get(v, "dst")),
		       json_string_value(json_object_get(v, "lladdr")) ?: "-");
	if (json_object_size(json_object_get(o, "conf"))) {
		printf("  conf");
		json_object_foreach(json_object_get(o, "conf"), k, v)
			printf(" %s %" JSON_INTEGER_FORMAT, k,
			       json_integer_value(v));
		printf("\n");
	}
	printf("  repairs %" JSON_INTEGER_FORMAT ", apply errors %" JSON_INTEGER_FORMAT "\n",
	       json_integer_value(json_object_get(o, "repairs")),
	       json_integer_value(json_object_get(o, "apply_errors")));
}

static void print_rules(json_t *rules)
{
	size_t i;
	json_t *v;

	if (!json_array_size(rules))
		return;
	printf("rules:\n");
	json_array_foreach(rules, i, v) {
		printf("  %s", json_string_value(json_object_get(v, "family")));
		if (json_object_get(v, "priority"))
			printf(" priority %" JSON_INTEGER_FORMAT,
			       json_integer_value(json_object_get(v, "priority")));
		if (json_object_get(v, "iif"))
			printf(" iif %s",
			       json_string_value(json_object_get(v, "iif")));
		if (json_object_get(v, "ipproto"))
			printf(" ipproto %" JSON_INTEGER_FORMAT,
			       json_integer_value(json_object_get(v, "ipproto")));
		printf(" lookup %" JSON_INTEGER_FORMAT "\n",
		       json_integer_value(json_object_get(v, "table")));
	}
}

int mn_show(const char *dev, bool json)
{
	json_t *ifaces = json_array(), *rules = json_array(), *doc, *v;
	struct gns_target t = { 0 };
	struct mn_sel s = { .target = &t };
	struct mn_genl *g;
	char err[256];
	struct mn_res r;
	size_t i;
	int ret = 1;

	if (dev) {
		if (!gns_guid_parse(dev, &t.guid))
			t.is_guid = true;
		else if (gns_target_parse(dev, &t, err)) {
			fprintf(stderr, "mirrornet show: %s\n", err);
			return 2;
		}
	}
	g = mn_genl_open(err, sizeof(err));
	if (!g) {
		fprintf(stderr, "mirrornet show: %s\n", err);
		goto out;
	}
	mn_dump(g, MIRRORNET_CMD_IFACE_GET, dev ? &s : NULL, on_iface, ifaces,
		&r);
	if (!r.err && !dev)
		mn_dump(g, MIRRORNET_CMD_RULE_GET, NULL, on_rule, rules, &r);
	mn_genl_close(g);
	if (r.err) {
		fprintf(stderr, "mirrornet show: %s%s%s\n", strerror(-r.err),
			r.extack[0] ? ": " : "", r.extack);
		goto out;
	}
	if (json) {
		doc = json_pack("{s:O, s:O}", "interfaces", ifaces, "rules",
				rules);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(doc);
	} else {
		json_array_foreach(ifaces, i, v)
			print_iface(v);
		print_rules(rules);
	}
	ret = 0;
out:
	json_decref(ifaces);
	json_decref(rules);
	return ret;
}
