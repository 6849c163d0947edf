// SPDX-License-Identifier: GPL-2.0
/*
 * Client of the mirrornet generic netlink family (libnl-genl-3), shaped
 * like ovpn-cli: one context, extended acks on, every request acked (or,
 * for a command that always replies, ended by its reply).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "genl.h"
#include "gns/util.h"
#include "linux/mirrornet.h"
#include "log.h"
#include "nlerr.h"

/* Transient errors: retried this many times, backing off from 10 ms. */
#define MN_RETRIES	6

struct mn_genl {
	struct nl_sock *sk;
	struct nl_cb *cb;	/* one set of callbacks, pointed at each xfer */
	int family;		/* -1: not known (yet, or any more) */
	/* an answer timed out: it may still come, so the socket is replaced */
	bool stale;
};

/*
 * Large enough for any message the module sends (dump parts included), so
 * that libnl reads each one once instead of peeking at its size first.
 */
#define MN_RECV_BUF	(64 * 1024)

/* State of one exchange, seen by the callbacks. */
struct mn_xfer {
	struct mn_res *res;
	uint32_t seq;		/* of the request sent */
	/*
	 * The command replies whenever it succeeds (the module's
	 * mn_nl_reply_iface()): the reply is the answer, and no ack is asked
	 * for after it, which saves the kernel an ack and us a recvmsg().
	 * A failure is an error message either way.
	 */
	bool reply_ends;
	bool done;
	mn_dump_cb dump_cb;
	void *dump_arg;
	struct mn_iface_info *info;
};

static int resolve_family(struct mn_genl *g)
{
	/* The kernel loads the module through its genl family alias. */
	g->family = genl_ctrl_resolve(g->sk, MIRRORNET_FAMILY_NAME);
	if (g->family < 0) {
		g->family = -1;
		return -ENOENT;
	}
	return 0;
}

/* A socket with extended acks and a bound on every wait for an answer. */
static struct nl_sock *sock_open(void)
{
	struct timeval tv = { .tv_sec = MN_GENL_TIMEOUT_MS / 1000 };
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, fd;

	if (!sk)
		return NULL;
	if (nl_socket_set_msg_buf_size(sk, MN_RECV_BUF) || genl_connect(sk)) {
		nl_socket_free(sk);
		return NULL;
	}
	nl_socket_disable_msg_peek(sk);
	/*
	 * libnl expects one sequence number after another, each ended by an
	 * ack; requests without one would put it out of step. Ours check
	 * their own (seq_cb()), and the family lookup has the socket to
	 * itself.
	 */
	nl_socket_disable_seq_check(sk);
	fd = nl_socket_get_fd(sk);
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return sk;
}

struct mn_genl *mn_genl_open(char *err, size_t errlen)
{
	struct mn_genl *g = calloc(1, sizeof(*g));

	if (!g || !(g->cb = nl_cb_alloc(NL_CB_DEFAULT))) {
		snprintf(err, errlen, "out of memory");
		free(g);
		return NULL;
	}
	g->sk = sock_open();
	if (!g->sk) {
		snprintf(err, errlen, "cannot open a generic netlink socket");
		goto fail;
	}
	/* not there yet: each request looks again (mn_genl_check()) */
	resolve_family(g);
	return g;
fail:
	nl_cb_put(g->cb);
	nl_socket_free(g->sk);
	free(g);
	return NULL;
}

int mn_genl_check(struct mn_genl *g, char *err, size_t errlen)
{
	if (g->stale) {
		struct nl_sock *sk = sock_open();

		if (!sk) {
			snprintf(err, errlen,
				 "cannot open a generic netlink socket");
			return -1;
		}
		nl_socket_free(g->sk);
		g->sk = sk;
		g->stale = false;
		g->family = -1;
	}
	if (g->family < 0 && resolve_family(g)) {
		snprintf(err, errlen, "generic netlink family %s not found",
			 MIRRORNET_FAMILY_NAME);
		return -1;
	}
	return 0;
}

void mn_genl_close(struct mn_genl *g)
{
	if (!g)
		return;
	nl_cb_put(g->cb);
	nl_socket_free(g->sk);
	free(g);
}

static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct mn_xfer *x = arg;

	(void)nla;
	x->res->err = e->error;
	x->done = true;
	mn_nlerr_msg(e, x->res->extack, sizeof(x->res->extack));
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

/* An answer to another request (one that timed out is on a closed socket). */
static int seq_cb(struct nl_msg *msg, void *arg)
{
	struct mn_xfer *x = arg;

	return nlmsg_hdr(msg)->nlmsg_seq == x->seq ? NL_OK : NL_SKIP;
}

/* The lengths of what valid_cb() reads; libnl checks them in the parse. */
static struct nla_policy reply_policy[MIRRORNET_A_MAX + 1] = {
	[MIRRORNET_A_IFINDEX] = { .type = NLA_U32 },
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING },
	[MIRRORNET_A_STATE] = { .type = NLA_U32 },
};

/* The reply that ends a request which asked for no ack (reply_ends). */
static int reply_done(struct mn_xfer *x)
{
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

	/* unreadable: skipped, yet still the answer that it succeeded */
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, MIRRORNET_A_MAX,
			  reply_policy))
		return x->reply_ends ? reply_done(x) : NL_SKIP;
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
	return x->reply_ends ? reply_done(x) : NL_OK;
}

static bool transient(int err)
{
	return err == -EBUSY || err == -EAGAIN || err == -ENOBUFS ||
	       err == -EINTR;
}

/* Read answers until the last one; its errno and text in @x. */
static void recv_answer(struct mn_genl *g, struct mn_xfer *x)
{
	int ret;

	while (!x->done) {
		ret = nl_recvmsgs(g->sk, g->cb);
		if (ret >= 0 || x->done)
			continue;
		if (ret == -NLE_AGAIN) {
			/* SO_RCVTIMEO: the answer may still come, later */
			g->stale = true;
			x->res->err = -ETIMEDOUT;
			snprintf(x->res->extack, sizeof(x->res->extack),
				 "no answer from mirrornet.ko within %d s",
				 MN_GENL_TIMEOUT_MS / 1000);
		} else {
			x->res->err = ret == -NLE_NOMEM ? -ENOBUFS : -EIO;
		}
		return;
	}
}

/* Send @msg (consumed) and wait for its answer; retry what is transient. */
static void xfer(struct mn_genl *g, struct nl_msg *msg, struct mn_xfer *x)
{
	unsigned int delay = 10;
	int attempt, ret;
	char why[128];

	for (attempt = 0;; attempt++) {
		struct nl_cb *cb = g->cb;

		memset(x->res, 0, sizeof(*x->res));
		x->done = false;
		if (mn_genl_check(g, why, sizeof(why))) {
			x->res->err = -ENOENT;
			snprintf(x->res->extack, sizeof(x->res->extack),
				 "mirrornet.ko is not loaded: %s", why);
			break;
		}
		nl_cb_err(cb, NL_CB_CUSTOM, err_cb, x);
		nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, done_cb, x);
		nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, done_cb, x);
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, x);
		nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_cb, x);
		nlmsg_hdr(msg)->nlmsg_type = (uint16_t)g->family;
		/*
		 * A fresh sequence number for every send: libnl fills in the
		 * next one only when the field is 0. It asks for an ack too.
		 */
		nlmsg_hdr(msg)->nlmsg_seq = NL_AUTO_SEQ;
		nl_complete_msg(g->sk, msg);
		if (x->reply_ends)
			nlmsg_hdr(msg)->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
		x->seq = nlmsg_hdr(msg)->nlmsg_seq;
		ret = nl_send(g->sk, msg);
		if (ret < 0)
			x->res->err = ret == -NLE_NOMEM ? -ENOBUFS : -EIO;
		else
			recv_answer(g, x);
		/*
		 * The module was reloaded: its family has a new id, and the
		 * old one is unknown (ENOENT without a message).
		 */
		if (x->res->err == -ENOENT && !x->res->extack[0] &&
		    attempt < MN_RETRIES) {
			int old = g->family;

			if (resolve_family(g)) {
				snprintf(x->res->extack, sizeof(x->res->extack),
					 "mirrornet.ko is not loaded: it was unloaded");
				break;
			}
			if (g->family != old)
				continue;
		}
		if (!transient(x->res->err) || attempt >= MN_RETRIES)
			break;
		mn_log(MN_LOG_DEBUG, "transient %s, retrying in %u ms",
		       strerror(-x->res->err), delay);
		gns_sleep_ms(delay);
		delay *= 2;
	}
	nlmsg_free(msg);
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

static int put_ip(struct nl_msg *msg, int type, const struct gns_ip *ip)
{
	return nla_put(msg, type, ip->family == AF_INET ? 4 : 16, ip->a);
}

/*
 * One request being built: the selector, then the command's nest. A put
 * that fails marks @err, and the request is not sent: it did not fit.
 */
struct request {
	struct nl_msg *msg;
	struct nlattr *nest;
	int err;
	bool replace;		/* the replace flag, after the nest */
	struct mn_xfer x;
};

static bool req_begin(struct request *q, struct mn_genl *g, int cmd,
		      int flags, const struct mn_sel *s, int nest_type,
		      struct mn_res *r)
{
	memset(q, 0, sizeof(*q));
	q->x.res = r;
	q->msg = nlmsg_alloc();
	if (!q->msg || !genlmsg_put(q->msg, NL_AUTO_PORT, NL_AUTO_SEQ,
				    g->family, 0, flags | NLM_F_ACK,
				    (uint8_t)cmd, MIRRORNET_FAMILY_VERSION)) {
		nlmsg_free(q->msg);
		memset(r, 0, sizeof(*r));
		r->err = -ENOMEM;
		return false;
	}
	if (s)
		q->err |= put_sel(q->msg, s);
	if (nest_type) {
		q->nest = nla_nest_start(q->msg, nest_type);
		if (!q->nest)
			q->err = -1;
	}
	return true;
}

static void req_end(struct mn_genl *g, struct request *q)
{
	if (q->nest)
		nla_nest_end(q->msg, q->nest);
	if (q->replace)
		q->err |= nla_put_flag(q->msg, MIRRORNET_A_REPLACE);
	if (q->err < 0) {
		nlmsg_free(q->msg);
		memset(q->x.res, 0, sizeof(*q->x.res));
		q->x.res->err = -EMSGSIZE;
		return;
	}
	xfer(g, q->msg, &q->x);
}

void mn_link_set(struct mn_genl *g, const struct mn_sel *s, int admin_up,
		 uint32_t mtu, const uint8_t *lladdr, size_t lladdr_len,
		 struct mn_res *r)
{
	struct request q;

	if (!req_begin(&q, g, MIRRORNET_CMD_LINK_SET, 0, s, MIRRORNET_A_LINK, r))
		return;
	q.x.reply_ends = true;
	if (admin_up >= 0)
		q.err |= nla_put_u32(q.msg, MIRRORNET_A_LINK_ADMIN,
				     admin_up ? MIRRORNET_LINK_ADMIN_UP :
						MIRRORNET_LINK_ADMIN_DOWN);
	if (mtu)
		q.err |= nla_put_u32(q.msg, MIRRORNET_A_LINK_MTU, mtu);
	if (lladdr)
		q.err |= nla_put(q.msg, MIRRORNET_A_LINK_LLADDR,
				 (int)lladdr_len, lladdr);
	req_end(g, &q);
}

void mn_addr_new(struct mn_genl *g, const struct mn_sel *s,
		 const struct gns_addr *a, bool noprefixroute, bool replace,
		 struct mn_res *r)
{
	uint32_t flags = (a->nodad ? MIRRORNET_ADDR_FLAGS_NODAD : 0) |
			 (noprefixroute ? MIRRORNET_ADDR_FLAGS_NOPREFIXROUTE : 0);
	struct request q;

	if (!req_begin(&q, g, MIRRORNET_CMD_ADDR_NEW, 0, s, MIRRORNET_A_ADDR, r))
		return;
	q.x.reply_ends = true;
	q.replace = replace;
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_ADDR_FAMILY,
			     (uint32_t)a->ip.family);
	q.err |= put_ip(q.msg, MIRRORNET_A_ADDR_ADDRESS, &a->ip);
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_ADDR_PREFIXLEN, a->prefixlen);
	if (flags)
		q.err |= nla_put_u32(q.msg, MIRRORNET_A_ADDR_FLAGS, flags);
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_ADDR_PREFERRED_LFT,
			     a->preferred_lft);
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_ADDR_VALID_LFT, a->valid_lft);
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_ADDR_SCOPE, a->scope);
	req_end(g, &q);
}

void mn_addr_del(struct mn_genl *g, const struct mn_sel *s,
		 const struct gns_ip *ip, uint8_t prefixlen, struct mn_res *r)
{
	struct request q;

	if (!req_begin(&q, g, MIRRORNET_CMD_ADDR_DEL, 0, s, MIRRORNET_A_ADDR, r))
		return;
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_ADDR_FAMILY, (uint32_t)ip->family);
	q.err |= put_ip(q.msg, MIRRORNET_A_ADDR_ADDRESS, ip);
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_ADDR_PREFIXLEN, prefixlen);
	req_end(g, &q);
}

static void route_request(struct mn_genl *g, int cmd, const struct mn_sel *s,
			  const struct mn_route_req *rt, bool replace,
			  struct mn_res *r)
{
	struct request q;

	if (!req_begin(&q, g, cmd, 0, s, MIRRORNET_A_ROUTE, r))
		return;
	q.x.reply_ends = cmd == MIRRORNET_CMD_ROUTE_NEW;
	q.replace = replace;
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_ROUTE_FAMILY,
			     (uint32_t)rt->dst.family);
	if (rt->dst_len) {
		q.err |= put_ip(q.msg, MIRRORNET_A_ROUTE_DST, &rt->dst);
		q.err |= nla_put_u32(q.msg, MIRRORNET_A_ROUTE_DST_LEN,
				     rt->dst_len);
	}
	if (rt->has_gateway)
		q.err |= put_ip(q.msg, MIRRORNET_A_ROUTE_GATEWAY, &rt->gateway);
	if (rt->has_prefsrc)
		q.err |= put_ip(q.msg, MIRRORNET_A_ROUTE_PREFSRC, &rt->prefsrc);
	if (rt->has_metric)
		q.err |= nla_put_u32(q.msg, MIRRORNET_A_ROUTE_METRIC, rt->metric);
	if (rt->table)
		q.err |= nla_put_u32(q.msg, MIRRORNET_A_ROUTE_TABLE, rt->table);
	if (rt->onlink)
		q.err |= nla_put_u32(q.msg, MIRRORNET_A_ROUTE_FLAGS,
				     MIRRORNET_ROUTE_FLAGS_ONLINK);
	req_end(g, &q);
}

void mn_route_new(struct mn_genl *g, const struct mn_sel *s,
		  const struct mn_route_req *rt, bool replace, struct mn_res *r)
{
	route_request(g, MIRRORNET_CMD_ROUTE_NEW, s, rt, replace, r);
}

void mn_route_del(struct mn_genl *g, const struct mn_sel *s,
		  const struct mn_route_req *rt, struct mn_res *r)
{
	route_request(g, MIRRORNET_CMD_ROUTE_DEL, s, rt, false, r);
}

void mn_route_flush(struct mn_genl *g, const struct mn_sel *s, int family,
		    uint32_t table, bool gateway_only, struct mn_res *r)
{
	struct request q;

	if (!req_begin(&q, g, MIRRORNET_CMD_ROUTE_FLUSH, 0, s,
		       MIRRORNET_A_FLUSH, r))
		return;
	if (family)
		q.err |= nla_put_u32(q.msg, MIRRORNET_A_FLUSH_FAMILY,
				     (uint32_t)family);
	if (table)
		q.err |= nla_put_u32(q.msg, MIRRORNET_A_FLUSH_TABLE, table);
	if (gateway_only)
		q.err |= nla_put_flag(q.msg, MIRRORNET_A_FLUSH_GATEWAY_ONLY);
	req_end(g, &q);
}

void mn_neigh_new(struct mn_genl *g, const struct mn_sel *s,
		  const struct gns_ip *dst, const uint8_t *lladdr,
		  size_t lladdr_len, struct mn_res *r)
{
	struct request q;

	if (!req_begin(&q, g, MIRRORNET_CMD_NEIGH_NEW, 0, s,
		       MIRRORNET_A_NEIGH, r))
		return;
	q.x.reply_ends = true;
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_NEIGH_FAMILY,
			     (uint32_t)dst->family);
	q.err |= put_ip(q.msg, MIRRORNET_A_NEIGH_DST, dst);
	q.err |= nla_put(q.msg, MIRRORNET_A_NEIGH_LLADDR, (int)lladdr_len,
			 lladdr);
	req_end(g, &q);
}

void mn_rule(struct mn_genl *g, bool add, const struct mn_rule_req *rule,
	     struct mn_res *r)
{
	struct request q;

	if (!req_begin(&q, g, add ? MIRRORNET_CMD_RULE_NEW :
				    MIRRORNET_CMD_RULE_DEL, 0, NULL,
		       MIRRORNET_A_RULE, r))
		return;
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_RULE_FAMILY,
			     (uint32_t)rule->family);
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_RULE_TABLE, rule->table);
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_RULE_PRIORITY, rule->priority);
	if (rule->ip_proto)
		q.err |= nla_put_u32(q.msg, MIRRORNET_A_RULE_IP_PROTO,
				     rule->ip_proto);
	if (rule->iifname)
		q.err |= nla_put_string(q.msg, MIRRORNET_A_RULE_IIFNAME,
					rule->iifname);
	req_end(g, &q);
}

void mn_conf_set(struct mn_genl *g, const struct mn_sel *s, uint32_t key,
		 uint32_t value, struct mn_res *r)
{
	struct request q;

	if (!req_begin(&q, g, MIRRORNET_CMD_CONF_SET, 0, s, MIRRORNET_A_CONF, r))
		return;
	q.x.reply_ends = true;
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_CONF_KEY, key);
	q.err |= nla_put_u32(q.msg, MIRRORNET_A_CONF_VALUE, value);
	req_end(g, &q);
}

void mn_iface_get(struct mn_genl *g, const struct mn_sel *s,
		  struct mn_iface_info *info, struct mn_res *r)
{
	struct request q;

	memset(info, 0, sizeof(*info));
	if (!req_begin(&q, g, MIRRORNET_CMD_IFACE_GET, 0, s, 0, r))
		return;
	q.x.reply_ends = true;
	q.x.info = info;
	req_end(g, &q);
}

void mn_dump(struct mn_genl *g, int cmd, const struct mn_sel *s,
	     mn_dump_cb cb, void *arg, struct mn_res *r)
{
	struct request q;

	if (!req_begin(&q, g, cmd, NLM_F_DUMP, s, 0, r))
		return;
	q.x.dump_cb = cb;
	q.x.dump_arg = arg;
	req_end(g, &q);
}
