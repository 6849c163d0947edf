// SPDX-License-Identifier: GPL-2.0
/*
 * mnctl: a small libnl-genl-3 client that drives every mirrornet operation,
 * for the integration tests. Exit status: 0, or the errno the kernel
 * returned; the kernel's extack text goes to stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "../../helper/nlerr.h"
#include "linux/mirrornet.h"


struct ctx {
	struct nl_sock *sk;
	int family;
	int error;
	char extack[256];
};

static void usage(void)
{
	fputs("usage: mnctl [-u UID] CMD ARGS...\n"
	      "  SEL := dev NAME | index N | hwkey GUID\n"
	      "  link-set SEL [up|down] [mtu N] [lladdr XX:XX:..]\n"
	      "  addr-add|addr-replace SEL ADDR/LEN [nodad] [noprefixroute]\n"
	      "           [preferred N] [valid N] [scope N]\n"
	      "  addr-del SEL ADDR/LEN\n"
	      "  route-add|route-replace|route-del SEL -4|-6 PREFIX|default\n"
	      "           [via GW] [src IP] [metric N] [table N] [type N] [onlink]\n"
	      "  route-flush SEL [family 4|6] [table N] [gateway-only]\n"
	      "  neigh-add SEL IP LLADDR | neigh-del SEL IP\n"
	      "  rule-add|rule-del -4|-6 table N [prio N] [ipproto N] [iif NAME]\n"
	      "  conf-set SEL KEY VALUE\n"
	      "  iface-del SEL\n"
	      "  dump [SEL] | get SEL | rules\n"
	      "  monitor SECONDS\n"
	      "  raw CMD HEX   (attributes as hex bytes)\n"
	      "  fuzz SEED COUNT\n"
	      "  flood keys N | flood routes N SEL\n", stderr);
	exit(2);
}

static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct ctx *c = arg;

	(void)nla;
	c->error = e->error;
	mn_nlerr_msg(e, c->extack, sizeof(c->extack));
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct ctx *)arg)->error = 0;
	return NL_STOP;
}

static int finish_cb(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct ctx *)arg)->error = 0;
	return NL_STOP;
}

static void ctx_open(struct ctx *c)
{
	int one = 1;

	c->sk = nl_socket_alloc();
	if (!c->sk || genl_connect(c->sk)) {
		fprintf(stderr, "mnctl: cannot open a generic netlink socket\n");
		exit(1);
	}
	setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	c->family = genl_ctrl_resolve(c->sk, MIRRORNET_FAMILY_NAME);
	if (c->family < 0) {
		fprintf(stderr, "mnctl: family %s not found\n",
			MIRRORNET_FAMILY_NAME);
		exit(ENOENT);
	}
}

/* Send and wait for the ack; call @valid for reply messages. */
static int ctx_xfer(struct ctx *c, struct nl_msg *msg, nl_recvmsg_msg_cb_t valid)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	c->error = 1;
	c->extack[0] = '\0';
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, c);
	if (valid)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, c);
	if (nl_send_auto(c->sk, msg) < 0) {
		nl_cb_put(cb);
		return -EIO;
	}
	while (c->error > 0)
		if (nl_recvmsgs(c->sk, cb) < 0 && c->error > 0)
			c->error = -EIO;
	nl_cb_put(cb);
	return c->error;
}

static int report(struct ctx *c, int err)
{
	if (!err)
		return 0;
	fprintf(stderr, "mnctl: %s (%d)%s%s\n", strerror(-err), -err,
		c->extack[0] ? ": " : "", c->extack);
	return -err;
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end) {
		fprintf(stderr, "mnctl: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

/* Parse an IP address; the family comes from its text. */
static int ip(const char *s, unsigned char *out)
{
	if (inet_pton(AF_INET, s, out) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, out) == 1)
		return AF_INET6;
	fprintf(stderr, "mnctl: not an IP address: %s\n", s);
	exit(2);
}

static int iplen(int family)
{
	return family == AF_INET ? 4 : 16;
}

static int lladdr(const char *s, unsigned char *out)
{
	int n = 0;

	while (*s && n < 32) {
		out[n++] = (unsigned char)strtoul(s, (char **)&s, 16);
		if (*s == ':')
			s++;
	}
	return n;
}

static int hex_guid(const char *s, unsigned char *out)
{
	int n = 0;

	for (; *s && n < 16; s++) {
		unsigned int v;

		if (*s == '{' || *s == '}' || *s == '-')
			continue;
		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = v;
		s++;
	}
	return n == 16 ? 0 : -1;
}

static struct nl_msg *msg_new(struct ctx *c, int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, flags, cmd, 1);
	return msg;
}

/* Put a selector; return the number of arguments consumed. */
static int put_sel(struct nl_msg *msg, int argc, char **argv)
{
	unsigned char guid[16];

	if (argc < 2)
		usage();
	if (!strcmp(argv[0], "dev"))
		nla_put_string(msg, MIRRORNET_A_IFNAME, argv[1]);
	else if (!strcmp(argv[0], "index"))
		nla_put_u32(msg, MIRRORNET_A_IFINDEX, num(argv[1]));
	else if (!strcmp(argv[0], "hwkey") && !hex_guid(argv[1], guid))
		nla_put(msg, MIRRORNET_A_HWKEY, 16, guid);
	else
		usage();
	return 2;
}

static int cmd_link(struct ctx *c, int cmd, int argc, char **argv)
{
	struct nl_msg *msg = msg_new(c, cmd, 0);
	unsigned char ll[32];
	struct nlattr *nest;
	int i = put_sel(msg, argc, argv);

	nest = nla_nest_start(msg, MIRRORNET_A_LINK);
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "up"))
			nla_put_u32(msg, MIRRORNET_A_LINK_ADMIN, MIRRORNET_LINK_ADMIN_UP);
		else if (!strcmp(argv[i], "down"))
			nla_put_u32(msg, MIRRORNET_A_LINK_ADMIN, MIRRORNET_LINK_ADMIN_DOWN);
		else if (!strcmp(argv[i], "mtu") && i + 1 < argc)
			nla_put_u32(msg, MIRRORNET_A_LINK_MTU, num(argv[++i]));
		else if (!strcmp(argv[i], "lladdr") && i + 1 < argc)
			nla_put(msg, MIRRORNET_A_LINK_LLADDR,
				lladdr(argv[i + 1], ll), ll), i++;
		else
			usage();
	}
	nla_nest_end(msg, nest);
	return report(c, ctx_xfer(c, msg, NULL));
}

static int cmd_addr(struct ctx *c, int cmd, bool replace, int argc, char **argv)
{
	struct nl_msg *msg = msg_new(c, cmd, 0);
	int i = put_sel(msg, argc, argv), family;
	unsigned char a[16];
	unsigned int flags = 0;
	struct nlattr *nest;
	char *slash;

	if (i >= argc || !(slash = strchr(argv[i], '/')))
		usage();
	*slash = '\0';
	family = ip(argv[i], a);
	nest = nla_nest_start(msg, MIRRORNET_A_ADDR);
	nla_put_u32(msg, MIRRORNET_A_ADDR_FAMILY, family);
	nla_put(msg, MIRRORNET_A_ADDR_ADDRESS, iplen(family), a);
	nla_put_u32(msg, MIRRORNET_A_ADDR_PREFIXLEN, num(slash + 1));
	for (i++; i < argc; i++) {
		if (!strcmp(argv[i], "nodad"))
			flags |= MIRRORNET_ADDR_FLAGS_NODAD;
		else if (!strcmp(argv[i], "noprefixroute"))
			flags |= MIRRORNET_ADDR_FLAGS_NOPREFIXROUTE;
		else if (!strcmp(argv[i], "preferred") && i + 1 < argc)
			nla_put_u32(msg, MIRRORNET_A_ADDR_PREFERRED_LFT, num(argv[++i]));
		else if (!strcmp(argv[i], "valid") && i + 1 < argc)
			nla_put_u32(msg, MIRRORNET_A_ADDR_VALID_LFT, num(argv[++i]));
		else if (!strcmp(argv[i], "scope") && i + 1 < argc)
			nla_put_u32(msg, MIRRORNET_A_ADDR_SCOPE, num(argv[++i]));
		else
			usage();
	}
	if (flags)
		nla_put_u32(msg, MIRRORNET_A_ADDR_FLAGS, flags);
	nla_nest_end(msg, nest);
	if (replace)
		nla_put_flag(msg, MIRRORNET_A_REPLACE);
	return report(c, ctx_xfer(c, msg, NULL));
}

static int cmd_route(struct ctx *c, int cmd, bool replace, int argc, char **argv)
{
	struct nl_msg *msg = msg_new(c, cmd, 0);
	int i = put_sel(msg, argc, argv), family;
	unsigned char a[16];
	struct nlattr *nest;
	char *slash;

	if (i + 1 >= argc)
		usage();
	family = !strcmp(argv[i], "-6") ? AF_INET6 : AF_INET;
	nest = nla_nest_start(msg, MIRRORNET_A_ROUTE);
	nla_put_u32(msg, MIRRORNET_A_ROUTE_FAMILY, family);
	i++;
	if (strcmp(argv[i], "default")) {
		slash = strchr(argv[i], '/');
		if (!slash)
			usage();
		*slash = '\0';
		if (ip(argv[i], a) != family)
			usage();
		nla_put(msg, MIRRORNET_A_ROUTE_DST, iplen(family), a);
		nla_put_u32(msg, MIRRORNET_A_ROUTE_DST_LEN, num(slash + 1));
	}
	for (i++; i < argc; i++) {
		if (!strcmp(argv[i], "via") && i + 1 < argc)
			nla_put(msg, MIRRORNET_A_ROUTE_GATEWAY,
				iplen(ip(argv[i + 1], a)), a), i++;
		else if (!strcmp(argv[i], "src") && i + 1 < argc)
			nla_put(msg, MIRRORNET_A_ROUTE_PREFSRC,
				iplen(ip(argv[i + 1], a)), a), i++;
		else if (!strcmp(argv[i], "metric") && i + 1 < argc)
			nla_put_u32(msg, MIRRORNET_A_ROUTE_METRIC, num(argv[++i]));
		else if (!strcmp(argv[i], "table") && i + 1 < argc)
			nla_put_u32(msg, MIRRORNET_A_ROUTE_TABLE, num(argv[++i]));
		else if (!strcmp(argv[i], "type") && i + 1 < argc)
			nla_put_u32(msg, MIRRORNET_A_ROUTE_TYPE, num(argv[++i]));
		else if (!strcmp(argv[i], "onlink"))
			nla_put_u32(msg, MIRRORNET_A_ROUTE_FLAGS,
				    MIRRORNET_ROUTE_FLAGS_ONLINK);
		else
			usage();
	}
	nla_nest_end(msg, nest);
	if (replace)
		nla_put_flag(msg, MIRRORNET_A_REPLACE);
	return report(c, ctx_xfer(c, msg, NULL));
}

static int cmd_flush(struct ctx *c, int argc, char **argv)
{
	struct nl_msg *msg = msg_new(c, MIRRORNET_CMD_ROUTE_FLUSH, 0);
	int i = put_sel(msg, argc, argv);
	struct nlattr *nest = nla_nest_start(msg, MIRRORNET_A_FLUSH);

	for (; i < argc; i++) {
		if (!strcmp(argv[i], "family") && i + 1 < argc)
			nla_put_u32(msg, MIRRORNET_A_FLUSH_FAMILY,
				    num(argv[++i]) == 6 ? AF_INET6 : AF_INET);
		else if (!strcmp(argv[i], "table") && i + 1 < argc)
			nla_put_u32(msg, MIRRORNET_A_FLUSH_TABLE, num(argv[++i]));
		else if (!strcmp(argv[i], "gateway-only"))
			nla_put_flag(msg, MIRRORNET_A_FLUSH_GATEWAY_ONLY);
		else
			usage();
	}
	nla_nest_end(msg, nest);
	return report(c, ctx_xfer(c, msg, NULL));
}

static int cmd_neigh(struct ctx *c, int cmd, int argc, char **argv)
{
	struct nl_msg *msg = msg_new(c, cmd, 0);
	int i = put_sel(msg, argc, argv), family;
	unsigned char a[16], ll[32];
	struct nlattr *nest;

	if (i >= argc)
		usage();
	family = ip(argv[i], a);
	nest = nla_nest_start(msg, MIRRORNET_A_NEIGH);
	nla_put_u32(msg, MIRRORNET_A_NEIGH_FAMILY, family);
	nla_put(msg, MIRRORNET_A_NEIGH_DST, iplen(family), a);
	if (cmd == MIRRORNET_CMD_NEIGH_NEW) {
		if (i + 1 >= argc)
			usage();
		nla_put(msg, MIRRORNET_A_NEIGH_LLADDR, lladdr(argv[i + 1], ll), ll);
	}
	nla_nest_end(msg, nest);
	return report(c, ctx_xfer(c, msg, NULL));
}

static int cmd_rule(struct ctx *c, int cmd, int argc, char **argv)
{
	struct nl_msg *msg = msg_new(c, cmd, 0);
	struct nlattr *nest = nla_nest_start(msg, MIRRORNET_A_RULE);
	int i = 1;

	if (argc < 1)
		usage();
	nla_put_u32(msg, MIRRORNET_A_RULE_FAMILY,
		    !strcmp(argv[0], "-6") ? AF_INET6 : AF_INET);
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "table") && i + 1 < argc)
			nla_put_u32(msg, MIRRORNET_A_RULE_TABLE, num(argv[++i]));
		else if (!strcmp(argv[i], "prio") && i + 1 < argc)
			nla_put_u32(msg, MIRRORNET_A_RULE_PRIORITY, num(argv[++i]));
		else if (!strcmp(argv[i], "ipproto") && i + 1 < argc)
			nla_put_u32(msg, MIRRORNET_A_RULE_IP_PROTO, num(argv[++i]));
		else if (!strcmp(argv[i], "iif") && i + 1 < argc)
			nla_put_string(msg, MIRRORNET_A_RULE_IIFNAME, argv[++i]);
		else
			usage();
	}
	nla_nest_end(msg, nest);
	return report(c, ctx_xfer(c, msg, NULL));
}

static const char *const conf_keys[] = {
	"ipv4-accept-local", "ipv4-route-localnet", "ipv4-rp-filter",
	"ipv4-arp-filter", "ipv6-addr-gen-mode", "ipv6-accept-ra",
	"ipv6-autoconf", "ipv6-use-tempaddr", "ipv6-dad-transmits",
	"ipv6-accept-dad",
};

static int cmd_conf(struct ctx *c, int argc, char **argv)
{
	struct nl_msg *msg = msg_new(c, MIRRORNET_CMD_CONF_SET, 0);
	int i = put_sel(msg, argc, argv);
	struct nlattr *nest;
	unsigned int k;

	if (i + 2 != argc)
		usage();
	for (k = 0; k < sizeof(conf_keys) / sizeof(conf_keys[0]); k++)
		if (!strcmp(argv[i], conf_keys[k]))
			break;
	nest = nla_nest_start(msg, MIRRORNET_A_CONF);
	nla_put_u32(msg, MIRRORNET_A_CONF_KEY,
		    k < sizeof(conf_keys) / sizeof(conf_keys[0]) ? k : num(argv[i]));
	nla_put_u32(msg, MIRRORNET_A_CONF_VALUE, num(argv[i + 1]));
	nla_nest_end(msg, nest);
	return report(c, ctx_xfer(c, msg, NULL));
}

static void print_ip(const char *label, struct nlattr *a)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(nla_len(a) == 4 ? AF_INET : AF_INET6, nla_data(a), buf,
		  sizeof(buf));
	printf("%s%s", label, buf);
}

static void print_lladdr(struct nlattr *a)
{
	const unsigned char *p = nla_data(a);
	int i;

	for (i = 0; i < nla_len(a); i++)
		printf("%s%02x", i ? ":" : " lladdr ", p[i]);
}

static unsigned long long get_uint(struct nlattr *a)
{
	return nla_len(a) == 8 ? nla_get_u64(a) : nla_get_u32(a);
}

static void print_nest(struct nlattr *nest)
{
	struct nlattr *tb[16] = {0}, *a;
	int rem;

	nla_for_each_nested(a, nest, rem)
		if (nla_type(a) < 16)
			tb[nla_type(a)] = a;
	switch (nla_type(nest)) {
	case MIRRORNET_A_LINK:
		printf("  link");
		if (tb[MIRRORNET_A_LINK_ADMIN])
			printf(" %s", nla_get_u32(tb[MIRRORNET_A_LINK_ADMIN]) ?
			       "up" : "down");
		if (tb[MIRRORNET_A_LINK_MTU])
			printf(" mtu %u", nla_get_u32(tb[MIRRORNET_A_LINK_MTU]));
		if (tb[MIRRORNET_A_LINK_LLADDR])
			print_lladdr(tb[MIRRORNET_A_LINK_LLADDR]);
		break;
	case MIRRORNET_A_ADDR:
		print_ip("  addr ", tb[MIRRORNET_A_ADDR_ADDRESS]);
		printf("/%u flags %u preferred %u valid %u scope %u",
		       nla_get_u32(tb[MIRRORNET_A_ADDR_PREFIXLEN]),
		       nla_get_u32(tb[MIRRORNET_A_ADDR_FLAGS]),
		       nla_get_u32(tb[MIRRORNET_A_ADDR_PREFERRED_LFT]),
		       nla_get_u32(tb[MIRRORNET_A_ADDR_VALID_LFT]),
		       nla_get_u32(tb[MIRRORNET_A_ADDR_SCOPE]));
		break;
	case MIRRORNET_A_ROUTE:
		if (tb[MIRRORNET_A_ROUTE_DST])
			print_ip("  route ", tb[MIRRORNET_A_ROUTE_DST]);
		else
			printf("  route default");
		printf("/%u", nla_get_u32(tb[MIRRORNET_A_ROUTE_DST_LEN]));
		if (tb[MIRRORNET_A_ROUTE_GATEWAY])
			print_ip(" via ", tb[MIRRORNET_A_ROUTE_GATEWAY]);
		if (tb[MIRRORNET_A_ROUTE_PREFSRC])
			print_ip(" src ", tb[MIRRORNET_A_ROUTE_PREFSRC]);
		printf(" metric %u table %u type %u flags %u",
		       nla_get_u32(tb[MIRRORNET_A_ROUTE_METRIC]),
		       nla_get_u32(tb[MIRRORNET_A_ROUTE_TABLE]),
		       nla_get_u32(tb[MIRRORNET_A_ROUTE_TYPE]),
		       nla_get_u32(tb[MIRRORNET_A_ROUTE_FLAGS]));
		break;
	case MIRRORNET_A_NEIGH:
		print_ip("  neigh ", tb[MIRRORNET_A_NEIGH_DST]);
		print_lladdr(tb[MIRRORNET_A_NEIGH_LLADDR]);
		break;
	case MIRRORNET_A_CONF:
		printf("  conf %s %u",
		       conf_keys[nla_get_u32(tb[MIRRORNET_A_CONF_KEY])],
		       nla_get_u32(tb[MIRRORNET_A_CONF_VALUE]));
		break;
	case MIRRORNET_A_STATS:
		printf("  stats repairs %llu apply-errors %llu",
		       get_uint(tb[MIRRORNET_A_STATS_REPAIRS]),
		       get_uint(tb[MIRRORNET_A_STATS_APPLY_ERRORS]));
		break;
	case MIRRORNET_A_RULE:
		printf("rule family %u table %u", nla_get_u32(tb[MIRRORNET_A_RULE_FAMILY]),
		       nla_get_u32(tb[MIRRORNET_A_RULE_TABLE]));
		if (tb[MIRRORNET_A_RULE_PRIORITY])
			printf(" prio %u", nla_get_u32(tb[MIRRORNET_A_RULE_PRIORITY]));
		if (tb[MIRRORNET_A_RULE_IP_PROTO])
			printf(" ipproto %u", nla_get_u32(tb[MIRRORNET_A_RULE_IP_PROTO]));
		if (tb[MIRRORNET_A_RULE_IIFNAME])
			printf(" iif %s", nla_get_string(tb[MIRRORNET_A_RULE_IIFNAME]));
		break;
	}
	printf("\n");
}

/* Print one message: identity on the first line, each nest on its own. */
static int print_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *a;
	int rem;

	(void)arg;
	switch (gh->cmd) {
	case MIRRORNET_CMD_REPAIR_NTF:
		printf("repair");
		break;
	case MIRRORNET_CMD_APPLY_ERR_NTF:
		printf("apply-error");
		break;
	case MIRRORNET_CMD_IFACE_GET:
		printf("iface");
		break;
	}
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), rem) {
		switch (nla_type(a)) {
		case MIRRORNET_A_IFINDEX:
			printf(" ifindex %u", nla_get_u32(a));
			break;
		case MIRRORNET_A_IFNAME:
			printf(" ifname %s", nla_get_string(a));
			break;
		case MIRRORNET_A_HWKEY: {
			const unsigned char *g = nla_data(a);

			printf(" hwkey %02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			       "%02x%02x%02x%02x%02x%02x", g[0], g[1], g[2], g[3],
			       g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11],
			       g[12], g[13], g[14], g[15]);
			break;
		}
		case MIRRORNET_A_STATE:
			printf(" state %s", nla_get_u32(a) ? "held" : "present");
			break;
		case MIRRORNET_A_OBJECT:
			printf(" object %u", nla_get_u32(a));
			break;
		case MIRRORNET_A_COUNT:
			printf(" count %u", nla_get_u32(a));
			break;
		case MIRRORNET_A_ERROR:
			printf(" error %d", (int)nla_get_u32(a));
			break;
		}
	}
	if (gh->cmd != MIRRORNET_CMD_RULE_GET)
		printf("\n");
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), rem)
		if (nla_type(a) >= MIRRORNET_A_LINK && nla_type(a) <= MIRRORNET_A_CONF)
			print_nest(a);
		else if (nla_type(a) == MIRRORNET_A_STATS)
			print_nest(a);
	fflush(stdout);
	return NL_OK;
}

/* A dump, or with @flags 0 a get; each reply printed by print_cb(). */
static int cmd_show(struct ctx *c, int cmd, int flags, int argc, char **argv)
{
	struct nl_msg *msg = msg_new(c, cmd, flags);

	if (argc)
		put_sel(msg, argc, argv);
	return report(c, ctx_xfer(c, msg, print_cb));
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int cmd_monitor(struct ctx *c, int seconds)
{
	int grp = genl_ctrl_resolve_grp(c->sk, MIRRORNET_FAMILY_NAME,
					MIRRORNET_MCGRP_MONITOR);
	struct pollfd pfd = { .events = POLLIN };
	struct nl_cb *cb;

	if (grp < 0)
		return report(c, -ENOENT);
	/* setsockopt itself, for the kernel's errno (EPERM without the cap) */
	if (setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK,
		       NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		return report(c, -errno);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	/* Notifications carry sequence number 0. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, print_cb, c);
	pfd.fd = nl_socket_get_fd(c->sk);
	/* Tell a waiting test that the subscription is in place. */
	printf("listening\n");
	fflush(stdout);
	while (poll(&pfd, 1, seconds * 1000) > 0)
		nl_recvmsgs(c->sk, cb);
	nl_cb_put(cb);
	return 0;
}

static int cmd_raw(struct ctx *c, int cmd, const char *hex)
{
	struct nl_msg *msg = msg_new(c, cmd, 0);
	size_t n = strlen(hex) / 2, i;
	unsigned char *buf = calloc(1, n + 4);
	unsigned int v;

	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			usage();
		buf[i] = v;
	}
	memcpy(nlmsg_reserve(msg, n, 1), buf, n);
	free(buf);
	return report(c, ctx_xfer(c, msg, NULL));
}

/* Random attribute trees, some of them well-formed enough to reach deep. */
static void fuzz_attrs(struct nl_msg *msg, int depth)
{
	int n = rand() % 6, i;

	for (i = 0; i < n; i++) {
		int type = rand() % (MIRRORNET_A_MAX + 3);
		unsigned char junk[40];
		int len = rand() % (int)sizeof(junk), j;

		if (depth < 2 && rand() % 3 == 0) {
			struct nlattr *nest = nla_nest_start(msg, type);

			fuzz_attrs(msg, depth + 1);
			nla_nest_end(msg, nest);
			continue;
		}
		switch (rand() % 4) {
		case 0:
			nla_put_u32(msg, type, rand() % 4 ? rand() % 300 : rand());
			break;
		case 1:
			nla_put_u32(msg, type, rand() % 3 ? AF_INET : AF_INET6);
			break;
		default:
			for (j = 0; j < len; j++)
				junk[j] = rand();
			nla_put(msg, type, len, junk);
		}
	}
}

static int cmd_fuzz(struct ctx *c, unsigned int seed, unsigned long count)
{
	unsigned long i, ok = 0;

	srand(seed);
	for (i = 0; i < count; i++) {
		int cmd = rand() % (MIRRORNET_CMD_MAX + 2);
		struct nl_msg *msg = msg_new(c, cmd,
					     rand() % 8 ? 0 : NLM_F_DUMP);

		switch (rand() % 4) {
		case 0:
		case 1:
			nla_put_u32(msg, MIRRORNET_A_IFINDEX, 1 + rand() % 4);
			break;
		case 2: {
			/* a few keys, so held state accumulates and hits the caps */
			unsigned char guid[16] = { 0x4d, 0x4e };

			guid[15] = rand() % 16;
			nla_put(msg, MIRRORNET_A_HWKEY, 16, guid);
			break;
		}
		}
		fuzz_attrs(msg, 0);
		if (!ctx_xfer(c, msg, NULL))
			ok++;
		nlmsg_free(msg);
	}
	printf("fuzz: %lu messages, %lu accepted\n", count, ok);
	return 0;
}

/*
 * N distinct held objects from one process, as fast as acks come back:
 * "keys" sets the MTU of N distinct held hardware keys (held interfaces),
 * "routes" adds N distinct /32 routes on SEL. Stops at the first error;
 * prints how many the module took and that error with its extack, and
 * exits 0.
 */
static int cmd_flood(struct ctx *c, int argc, char **argv)
{
	unsigned long n, i, ok = 0;
	int first = 0, err;
	char first_msg[256] = "";
	bool keys;

	if (argc < 2 || (strcmp(argv[0], "keys") && strcmp(argv[0], "routes")))
		usage();
	keys = !strcmp(argv[0], "keys");
	n = num(argv[1]);
	if (!keys && argc != 4)
		usage();
	/*
	 * stdout's buffer now: in a memory cgroup at its limit, a new page of
	 * our own would fault forever (the memcg OOM killer finds no victim
	 * when we are its only, unkillable, member)
	 */
	printf("flood: %s %lu\n", argv[0], n);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		struct nl_msg *msg;
		struct nlattr *nest;

		if (keys) {
			unsigned char guid[16] = { 0xf1, 0x00, 0xd0 };

			msg = msg_new(c, MIRRORNET_CMD_LINK_SET, 0);
			guid[12] = i >> 24;
			guid[13] = i >> 16;
			guid[14] = i >> 8;
			guid[15] = i;
			nla_put(msg, MIRRORNET_A_HWKEY, 16, guid);
			nest = nla_nest_start(msg, MIRRORNET_A_LINK);
			nla_put_u32(msg, MIRRORNET_A_LINK_MTU, 1400);
		} else {
			unsigned char dst[4] = { 10, i >> 16, i >> 8, i };

			msg = msg_new(c, MIRRORNET_CMD_ROUTE_NEW, 0);
			put_sel(msg, 2, argv + 2);
			nest = nla_nest_start(msg, MIRRORNET_A_ROUTE);
			nla_put_u32(msg, MIRRORNET_A_ROUTE_FAMILY, AF_INET);
			nla_put(msg, MIRRORNET_A_ROUTE_DST, 4, dst);
			nla_put_u32(msg, MIRRORNET_A_ROUTE_DST_LEN, 32);
			nla_put_u32(msg, MIRRORNET_A_ROUTE_METRIC, 1);
		}
		nla_nest_end(msg, nest);
		err = ctx_xfer(c, msg, NULL);
		nlmsg_free(msg);
		if (err) {
			/* caps and a memory limit refuse every later one too */
			first = -err;
			snprintf(first_msg, sizeof(first_msg), "%s", c->extack);
			break;
		}
		ok++;
	}
	printf("flood: %lu sent, %lu accepted, first error %d%s%s\n", n, ok,
	       first, first_msg[0] ? ": " : "", first_msg);
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx c = {0};
	const char *cmd;

	if (argc > 2 && !strcmp(argv[1], "-u")) {
		uid_t uid = num(argv[2]);

		if (setgid(uid) || setuid(uid)) {
			perror("mnctl: setuid");
			return 1;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		usage();
	ctx_open(&c);
	cmd = argv[1];
	argc -= 2;
	argv += 2;

	if (!strcmp(cmd, "link-set"))
		return cmd_link(&c, MIRRORNET_CMD_LINK_SET, argc, argv);
	if (!strcmp(cmd, "addr-add") || !strcmp(cmd, "addr-replace"))
		return cmd_addr(&c, MIRRORNET_CMD_ADDR_NEW, cmd[5] == 'r', argc, argv);
	if (!strcmp(cmd, "addr-del"))
		return cmd_addr(&c, MIRRORNET_CMD_ADDR_DEL, false, argc, argv);
	if (!strcmp(cmd, "route-add") || !strcmp(cmd, "route-replace"))
		return cmd_route(&c, MIRRORNET_CMD_ROUTE_NEW, cmd[6] == 'r', argc, argv);
	if (!strcmp(cmd, "route-del"))
		return cmd_route(&c, MIRRORNET_CMD_ROUTE_DEL, false, argc, argv);
	if (!strcmp(cmd, "route-flush"))
		return cmd_flush(&c, argc, argv);
	if (!strcmp(cmd, "neigh-add"))
		return cmd_neigh(&c, MIRRORNET_CMD_NEIGH_NEW, argc, argv);
	if (!strcmp(cmd, "neigh-del"))
		return cmd_neigh(&c, MIRRORNET_CMD_NEIGH_DEL, argc, argv);
	if (!strcmp(cmd, "rule-add"))
		return cmd_rule(&c, MIRRORNET_CMD_RULE_NEW, argc, argv);
	if (!strcmp(cmd, "rule-del"))
		return cmd_rule(&c, MIRRORNET_CMD_RULE_DEL, argc, argv);
	if (!strcmp(cmd, "conf-set"))
		return cmd_conf(&c, argc, argv);
	if (!strcmp(cmd, "iface-del")) {
		struct nl_msg *msg = msg_new(&c, MIRRORNET_CMD_IFACE_DEL, 0);

		put_sel(msg, argc, argv);
		return report(&c, ctx_xfer(&c, msg, NULL));
	}
	if (!strcmp(cmd, "dump"))
		return cmd_show(&c, MIRRORNET_CMD_IFACE_GET, NLM_F_DUMP, argc, argv);
	if (!strcmp(cmd, "get"))
		return cmd_show(&c, MIRRORNET_CMD_IFACE_GET, 0, argc, argv);
	if (!strcmp(cmd, "rules"))
		return cmd_show(&c, MIRRORNET_CMD_RULE_GET, NLM_F_DUMP, 0, NULL);
	if (!strcmp(cmd, "monitor") && argc == 1)
		return cmd_monitor(&c, num(argv[0]));
	if (!strcmp(cmd, "raw") && argc == 2)
		return cmd_raw(&c, num(argv[0]), argv[1]);
	if (!strcmp(cmd, "flood"))
		return cmd_flood(&c, argc, argv);
	if (!strcmp(cmd, "fuzz") && argc == 2)
		return cmd_fuzz(&c, num(argv[0]), num(argv[1]));
	usage();
	return 2;
}
