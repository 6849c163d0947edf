// SPDX-License-Identifier: GPL-2.0
/*
 * Client of the mirrornet generic netlink family (libnl-genl-3), shaped
 * like ovpn-cli: one context, extended acks on, every request acked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "genl.h"
#include "linux/mirrornet.h"
#include "log.h"

#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif

/* Transient errors: retried this many times, backing off from 10 ms. */
#define MN_RETRIES	6

struct mn_genl {
	struct nl_sock *sk;
	int family;
};

/* State of one exchange, seen by the callbacks. */
struct mn_xfer {
	struct mn_res *res;
	bool done;
	mn_dump_cb dump_cb;
	void *dump_arg;
	struct mn_iface_info *info;
};

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int resolve_family(struct mn_genl *g)
{
	/* The kernel loads the module through its genl family alias. */
	g->family = genl_ctrl_resolve(g->sk, MIRRORNET_FAMILY_NAME);
	return g->family < 0 ? -ENOENT : 0;
}

struct mn_genl *mn_genl_open(unsigned int wait_ms, char *err, size_t errlen)
{
	struct mn_genl *g = calloc(1, sizeof(*g));
	unsigned int waited = 0, delay = 50;
	int one = 1, fd;

	if (!g || !(g->sk = nl_socket_alloc())) {
		snprintf(err, errlen, "out of memory");
		free(g);
		return NULL;
	}
	if (genl_connect(g->sk)) {
		snprintf(err, errlen, "cannot open a generic netlink socket");
		goto fail;
	}
	fd = nl_socket_get_fd(g->sk);
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	while (resolve_family(g)) {
		if (waited >= wait_ms) {
			snprintf(err, errlen,
				 "generic netlink family %s not found (is mirrornet.ko available?)",
				 MIRRORNET_FAMILY_NAME);
			goto fail;
		}
		sleep_ms(delay);
		waited += delay;
		delay = delay * 2 > 1000 ? 1000 : delay * 2;
	}
	return g;
fail:
	nl_socket_free(g->sk);
	free(g);
	return NULL;
}

void mn_genl_close(struct mn_genl *g)
{
	if (!g)
		return;
	nl_socket_free(g->sk);
	free(g);
}

static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct mn_xfer *x = arg;
	size_t hlen = sizeof(*e);
	struct nlattr *attr;
	int rem;

	(void)nla;
	x->res->err = e->error;
	x->done = true;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
	rem = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)hlen;
	for (attr = (struct nlattr *)((char *)e + hlen); nla_ok(attr, rem);
	     attr = nla_next(attr, &rem))
		if (nla_type(attr) == NLMSGERR_ATTR_MSG)
			snprintf(x->res->extack, sizeof(x->res->extack), "%.*s",
				 nla_len(attr), (char *)nla_data(attr));
	return NL_STOP;
}

static int done_cb(struct nl_msg *msg, void *arg)
{
	struct mn_xfer *x = arg;

	(void)msg;
	x->res->err = 0;
	x->done = true;
	return NL_STOP;
}

/* A reply: ifindex and state of the interface, or a dump message. */
static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[MIRRORNET_A_MAX + 1];
	struct mn_xfer *x = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, MIRRORNET_A_MAX, NULL))
		return NL_SKIP;
	if (x->dump_cb) {
		x->dump_cb(tb, genlmsg_attrdata(gnlh, 0),
			   genlmsg_attrlen(gnlh, 0), x->dump_arg);
		return NL_OK;
	}
	if (tb[MIRRORNET_A_IFINDEX])
		x->res->ifindex = (int)nla_get_u32(tb[MIRRORNET_A_IFINDEX]);
	if (tb[MIRRORNET_A_STATE])
		x->res->held = nla_get_u32(tb[MIRRORNET_A_STATE]) ==
			       MIRRORNET_IFACE_STATE_HELD;
	if (x->info) {
		x->info->ifindex = x->res->ifindex;
		x->info->held = x->res->held;
		if (tb[MIRRORNET_A_IFNAME])
			snprintf(x->info->ifname, sizeof(x->info->ifname),
				 "%s", nla_get_string(tb[MIRRORNET_A_IFNAME]));
	}
	return NL_OK;
}

static bool transient(int err)
{
	return err == -EBUSY || err == -EAGAIN || err == -ENOBUFS ||
	       err == -EINTR;
}

/* Send @msg (consumed) and wait for its answer; retry what is transient. */
static void xfer(struct mn_genl *g, struct nl_msg *msg, struct mn_xfer *x)
{
	unsigned int delay = 10;
	int attempt, ret;

	for (attempt = 0;; attempt++) {
		struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

		memset(x->res, 0, sizeof(*x->res));
		x->done = false;
		if (!cb) {
			x->res->err = -ENOMEM;
			break;
		}
		nl_cb_err(cb, NL_CB_CUSTOM, err_cb, x);
		nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, done_cb, x);
		nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, done_cb, x);
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, x);
		nlmsg_hdr(msg)->nlmsg_type = (uint16_t)g->family;
		ret = nl_send_auto(g->sk, msg);
		if (ret < 0)
			x->res->err = ret == -NLE_NOMEM ? -ENOBUFS : -EIO;
		while (ret >= 0 && !x->done) {
			ret = nl_recvmsgs(g->sk, cb);
			if (ret < 0 && !x->done)
				x->res->err = ret == -NLE_NOMEM ? -ENOBUFS : -EIO;
		}
		nl_cb_put(cb);
		/* The module was reloaded: its family has a new id. */
		if (x->res->err == -ENOENT && !x->res->extack[0] &&
		    attempt < MN_RETRIES && !resolve_family(g))
			continue;
		if (!transient(x->res->err) || attempt >= MN_RETRIES)
			break;
		mn_log(MN_LOG_DEBUG, "transient %s, retrying in %u ms",
		       strerror(-x->res->err), delay);
		sleep_ms(delay);
		delay *= 2;
	}
	nlmsg_free(msg);
}

static struct nl_msg *msg_new(struct mn_genl *g, int cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->family, 0,
				NLM_F_ACK, (uint8_t)cmd,
				MIRRORNET_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int put_sel(struct nl_msg *msg, const struct mn_sel *s)
{
	if (s->ifindex > 0)
		return nla_put_u32(msg, MIRRORNET_A_IFINDEX, (uint32_t)s->ifindex);
	if (s->target->is_guid)
		return nla_put(msg, MIRRORNET_A_HWKEY, GNS_GUID_LEN,
			       s->target->guid.b);
	return nla_put_string(msg, MIRRORNET_A_IFNAME, s->target->name);
}

static int ip_len(const struct gns_ip *ip)
{
	return ip->family == AF_INET ? 4 : 16;
}

static int put_ip(struct nl_msg *msg, int type, const struct gns_ip *ip)
{
	return nla_put(msg, type, ip_len(ip), ip->a);
}

/* Finish a request built in @msg: a failed put means it did not fit. */
static void run(struct mn_genl *g, struct nl_msg *msg, int put_err,
		struct mn_xfer *x)
{
	if (put_err < 0) {
		nlmsg_free(msg);
		memset(x->res, 0, sizeof(*x->res));
		x->res->err = -EMSGSIZE;
		return;
	}
	xfer(g, msg, x);
}

static void no_memory(struct mn_res *r)
{
	memset(r, 0, sizeof(*r));
	r->err = -ENOMEM;
}

void mn_link_set(struct mn_genl *g, const struct mn_sel *s, int admin_up,
		 uint32_t mtu, const uint8_t *lladdr, size_t lladdr_len,
		 struct mn_res *r)
{
	struct nl_msg *msg = msg_new(g, MIRRORNET_CMD_LINK_SET);
	struct mn_xfer x = { .res = r };
	struct nlattr *nest;
	int err;

	if (!msg) {
		no_memory(r);
		return;
	}

	err = put_sel(msg, s);
	nest = nla_nest_start(msg, MIRRORNET_A_LINK);
	if (!nest)
		err = -1;
	if (admin_up >= 0)
		err |= nla_put_u32(msg, MIRRORNET_A_LINK_ADMIN,
				   admin_up ? MIRRORNET_LINK_ADMIN_UP :
					      MIRRORNET_LINK_ADMIN_DOWN);
	if (mtu)
		err |= nla_put_u32(msg, MIRRORNET_A_LINK_MTU, mtu);
	if (lladdr)
		err |= nla_put(msg, MIRRORNET_A_LINK_LLADDR, (int)lladdr_len,
			       lladdr);
	if (nest)
		nla_nest_end(msg, nest);
	run(g, msg, err, &x);
}

void mn_addr_new(struct mn_genl *g, const struct mn_sel *s,
		 const struct gns_addr *a, bool noprefixroute, bool replace,
		 struct mn_res *r)
{
	struct nl_msg *msg = msg_new(g, MIRRORNET_CMD_ADDR_NEW);
	struct mn_xfer x = { .res = r };
	uint32_t flags = (a->nodad ? MIRRORNET_ADDR_FLAGS_NODAD : 0) |
			 (noprefixroute ? MIRRORNET_ADDR_FLAGS_NOPREFIXROUTE : 0);
	struct nlattr *nest;
	int err;

	if (!msg) {
		no_memory(r);
		return;
	}

	err = put_sel(msg, s);
	nest = nla_nest_start(msg, MIRRORNET_A_ADDR);
	if (!nest)
		err = -1;
	err |= nla_put_u32(msg, MIRRORNET_A_ADDR_FAMILY, (uint32_t)a->ip.family);
	err |= put_ip(msg, MIRRORNET_A_ADDR_ADDRESS, &a->ip);
	err |= nla_put_u32(msg, MIRRORNET_A_ADDR_PREFIXLEN, a->prefixlen);
	if (flags)
		err |= nla_put_u32(msg, MIRRORNET_A_ADDR_FLAGS, flags);
	err |= nla_put_u32(msg, MIRRORNET_A_ADDR_PREFERRED_LFT, a->preferred_lft);
	err |= nla_put_u32(msg, MIRRORNET_A_ADDR_VALID_LFT, a->valid_lft);
	err |= nla_put_u32(msg, MIRRORNET_A_ADDR_SCOPE, a->scope);
	if (nest)
		nla_nest_end(msg, nest);
	if (replace)
		err |= nla_put_flag(msg, MIRRORNET_A_REPLACE);
	run(g, msg, err, &x);
}

void mn_addr_del(struct mn_genl *g, const struct mn_sel *s,
		 const struct gns_ip *ip, uint8_t prefixlen, struct mn_res *r)
{
	struct nl_msg *msg = msg_new(g, MIRRORNET_CMD_ADDR_DEL);
	struct mn_xfer x = { .res = r };
	struct nlattr *nest;
	int err;

	if (!msg) {
		no_memory(r);
		return;
	}

	err = put_sel(msg, s);
	nest = nla_nest_start(msg, MIRRORNET_A_ADDR);
	if (!nest)
		err = -1;
	err |= nla_put_u32(msg, MIRRORNET_A_ADDR_FAMILY, (uint32_t)ip->family);
	err |= put_ip(msg, MIRRORNET_A_ADDR_ADDRESS, ip);
	err |= nla_put_u32(msg, MIRRORNET_A_ADDR_PREFIXLEN, prefixlen);
	if (nest)
		nla_nest_end(msg, nest);
	run(g, msg, err, &x);
}

static int put_route(struct nl_msg *msg, const struct mn_route_req *rt)
{
	struct nlattr *nest = nla_nest_start(msg, MIRRORNET_A_ROUTE);
	int err = nest ? 0 : -1;

	err |= nla_put_u32(msg, MIRRORNET_A_ROUTE_FAMILY,
			   (uint32_t)rt->dst.family);
	if (rt->dst_len) {
		err |= put_ip(msg, MIRRORNET_A_ROUTE_DST, &rt->dst);
		err |= nla_put_u32(msg, MIRRORNET_A_ROUTE_DST_LEN, rt->dst_len);
	}
	if (rt->has_gateway)
		err |= put_ip(msg, MIRRORNET_A_ROUTE_GATEWAY, &rt->gateway);
	if (rt->has_prefsrc)
		err |= put_ip(msg, MIRRORNET_A_ROUTE_PREFSRC, &rt->prefsrc);
	if (rt->has_metric)
		err |= nla_put_u32(msg, MIRRORNET_A_ROUTE_METRIC, rt->metric);
	if (rt->table)
		err |= nla_put_u32(msg, MIRRORNET_A_ROUTE_TABLE, rt->table);
	if (rt->onlink)
		err |= nla_put_u32(msg, MIRRORNET_A_ROUTE_FLAGS,
				   MIRRORNET_ROUTE_FLAGS_ONLINK);
	if (nest)
		nla_nest_end(msg, nest);
	return err;
}

void mn_route_new(struct mn_genl *g, const struct mn_sel *s,
		  const struct mn_route_req *rt, bool replace, struct mn_res *r)
{
	struct nl_msg *msg = msg_new(g, MIRRORNET_CMD_ROUTE_NEW);
	struct mn_xfer x = { .res = r };
	int err;

	if (!msg) {
		no_memory(r);
		return;
	}
	err = put_sel(msg, s) | put_route(msg, rt);

	if (replace)
		err |= nla_put_flag(msg, MIRRORNET_A_REPLACE);
	run(g, msg, err, &x);
}

void mn_route_del(struct mn_genl *g, const struct mn_sel *s,
		  const struct mn_route_req *rt, struct mn_res *r)
{
	struct nl_msg *msg = msg_new(g, MIRRORNET_CMD_ROUTE_DEL);
	struct mn_xfer x = { .res = r };

	if (!msg) {
		no_memory(r);
		return;
	}

	run(g, msg, put_sel(msg, s) | put_route(msg, rt), &x);
}

void mn_route_flush(struct mn_genl *g, const struct mn_sel *s, int family,
		    uint32_t table, bool gateway_only, struct mn_res *r)
{
	struct nl_msg *msg = msg_new(g, MIRRORNET_CMD_ROUTE_FLUSH);
	struct mn_xfer x = { .res = r };
	struct nlattr *nest;
	int err;

	if (!msg) {
		no_memory(r);
		return;
	}

	err = put_sel(msg, s);
	nest = nla_nest_start(msg, MIRRORNET_A_FLUSH);
	if (!nest)
		err = -1;
	if (family)
		err |= nla_put_u32(msg, MIRRORNET_A_FLUSH_FAMILY,
				   (uint32_t)family);
	if (table)
		err |= nla_put_u32(msg, MIRRORNET_A_FLUSH_TABLE, table);
	if (gateway_only)
		err |= nla_put_flag(msg, MIRRORNET_A_FLUSH_GATEWAY_ONLY);
	if (nest)
		nla_nest_end(msg, nest);
	run(g, msg, err, &x);
}

void mn_neigh_new(struct mn_genl *g, const struct mn_sel *s,
		  const struct gns_ip *dst, const uint8_t *lladdr,
		  size_t lladdr_len, struct mn_res *r)
{
	struct nl_msg *msg = msg_new(g, MIRRORNET_CMD_NEIGH_NEW);
	struct mn_xfer x = { .res = r };
	struct nlattr *nest;
	int err;

	if (!msg) {
		no_memory(r);
		return;
	}

	err = put_sel(msg, s);
	nest = nla_nest_start(msg, MIRRORNET_A_NEIGH);
	if (!nest)
		err = -1;
	err |= nla_put_u32(msg, MIRRORNET_A_NEIGH_FAMILY, (uint32_t)dst->family);
	err |= put_ip(msg, MIRRORNET_A_NEIGH_DST, dst);
	err |= nla_put(msg, MIRRORNET_A_NEIGH_LLADDR, (int)lladdr_len, lladdr);
	if (nest)
		nla_nest_end(msg, nest);
	run(g, msg, err, &x);
}

void mn_rule(struct mn_genl *g, bool add, const struct mn_rule_req *rule,
	     struct mn_res *r)
{
	struct nl_msg *msg = msg_new(g, add ? MIRRORNET_CMD_RULE_NEW :
					      MIRRORNET_CMD_RULE_DEL);
	struct mn_xfer x = { .res = r };
	struct nlattr *nest;
	int err;

	if (!msg) {
		no_memory(r);
		return;
	}
	nest = nla_nest_start(msg, MIRRORNET_A_RULE);
	err = nest ? 0 : -1;

	err |= nla_put_u32(msg, MIRRORNET_A_RULE_FAMILY, (uint32_t)rule->family);
	err |= nla_put_u32(msg, MIRRORNET_A_RULE_TABLE, rule->table);
	err |= nla_put_u32(msg, MIRRORNET_A_RULE_PRIORITY, rule->priority);
	if (rule->ip_proto)
		err |= nla_put_u32(msg, MIRRORNET_A_RULE_IP_PROTO, rule->ip_proto);
	if (rule->iifname)
		err |= nla_put_string(msg, MIRRORNET_A_RULE_IIFNAME,
				      rule->iifname);
	if (nest)
		nla_nest_end(msg, nest);
	run(g, msg, err, &x);
}

void mn_conf_set(struct mn_genl *g, const struct mn_sel *s, uint32_t key,
		 uint32_t value, struct mn_res *r)
{
	struct nl_msg *msg = msg_new(g, MIRRORNET_CMD_CONF_SET);
	struct mn_xfer x = { .res = r };
	struct nlattr *nest;
	int err;

	if (!msg) {
		no_memory(r);
		return;
	}

	err = put_sel(msg, s);
	nest = nla_nest_start(msg, MIRRORNET_A_CONF);
	if (!nest)
		err = -1;
	err |= nla_put_u32(msg, MIRRORNET_A_CONF_KEY, key);
	err |= nla_put_u32(msg, MIRRORNET_A_CONF_VALUE, value);
	if (nest)
		nla_nest_end(msg, nest);
	run(g, msg, err, &x);
}

void mn_iface_get(struct mn_genl *g, const struct mn_sel *s,
		  struct mn_iface_info *info, struct mn_res *r)
{
	struct nl_msg *msg = msg_new(g, MIRRORNET_CMD_IFACE_GET);
	struct mn_xfer x = { .res = r };

	if (!msg) {
		no_memory(r);
		return;
	}

	memset(info, 0, sizeof(*info));
	x.info = info;
	run(g, msg, put_sel(msg, s), &x);
}

void mn_dump(struct mn_genl *g, int cmd, const struct mn_sel *s,
	     mn_dump_cb cb, void *arg, struct mn_res *r)
{
	struct mn_xfer x = { .res = r, .dump_cb = cb, .dump_arg = arg };
	struct nl_msg *msg = nlmsg_alloc();
	int err = 0;

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->family, 0,
				 NLM_F_DUMP | NLM_F_ACK, (uint8_t)cmd,
				 MIRRORNET_FAMILY_VERSION)) {
		nlmsg_free(msg);
		memset(r, 0, sizeof(*r));
		r->err = -ENOMEM;
		return;
	}
	if (s)
		err = put_sel(msg, s);
	run(g, msg, err, &x);
}
