// SPDX-License-Identifier: GPL-2.0
/*
 * Client of the mirrornet generic netlink family. Every host message costs
 * a request here, so the request is built in a buffer of its own, sent
 * with one sendto() and answered with one recv() into a buffer allocated
 * once: nothing is allocated per request. Extended acks are on; a request
 * is acked, or, for a command that always replies, ended by its reply.
 * libnl only parses and reads attributes (nla_parse(), nla_get_*()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>

#include "genl.h"
#include "gns/util.h"
#include "linux/mirrornet.h"
#include "log.h"
#include "nlerr.h"
#include "nlsock.h"

/* Transient errors: retried this many times, backing off from 10 ms. */
#define MN_RETRIES	6

/*
 * Large enough for any message the module sends: the kernel sizes a dump's
 * messages by the reader's buffer, up to 32 KiB.
 */
#define MN_RECV_BUF	(64 * 1024)

/* Larger than any request: a selector and one nest of a few attributes. */
#define MN_REQ_BUF	512

struct mn_genl {
	int fd;
	int family;		/* -1: not known (yet, or any more) */
	uint32_t seq;		/* of the last request sent */
	/* an answer timed out: it may still come, so the socket is replaced */
	bool stale;
	uint8_t *rbuf;		/* MN_RECV_BUF */
};

/* State of one exchange. */
struct mn_xfer {
	struct mn_res *res;
	uint32_t seq;		/* of the request sent */
	/*
	 * The command replies whenever it succeeds (the module's
	 * mn_nl_reply_iface()): the reply is the answer, and no ack is asked
	 * for after it, which saves the kernel an ack and us a recv().
	 * A failure is an error message either way.
	 */
	bool reply_ends;
	bool done;
	mn_dump_cb dump_cb;
	void *dump_arg;
	struct mn_iface_info *info;
	int *family;		/* the family lookup's answer */
};

/*
 * One request being built: netlink and genl headers, the selector, then
 * the command's nest. A put that does not fit marks @err, and the request
 * is not sent.
 */
struct request {
	union {
		struct nlmsghdr nlh;
		uint8_t buf[MN_REQ_BUF];
	};
	size_t nest;		/* offset of the open nest, 0: none */
	bool err;
	bool replace;		/* the replace flag, after the nest */
	struct mn_xfer x;
};

static void put(struct request *q, uint16_t type, const void *data,
		size_t len)
{
	if (!q->err && !mn_nl_put(&q->nlh, sizeof(q->buf), type, data, len))
		q->err = true;
}

static void put_u32(struct request *q, uint16_t type, uint32_t v)
{
	put(q, type, &v, sizeof(v));
}

static void put_str(struct request *q, uint16_t type, const char *s)
{
	put(q, type, s, strlen(s) + 1);
}

static void nest_start(struct request *q, uint16_t type)
{
	size_t at = q->nlh.nlmsg_len;

	put(q, type | NLA_F_NESTED, NULL, 0);
	if (!q->err)
		q->nest = at;
}

static void nest_end(struct request *q)
{
	struct nlattr *a = (struct nlattr *)(q->buf + q->nest);

	if (q->nest && !q->err)
		a->nla_len = (uint16_t)(q->nlh.nlmsg_len - q->nest);
	q->nest = 0;
}

/* Headers of a request for @family; exchange() decides on NLM_F_ACK. */
static void req_init(struct request *q, int family, int cmd, int flags,
		     uint8_t version, struct mn_res *r)
{
	struct genlmsghdr *gh;

	memset(&q->nlh, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	q->nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	q->nest = 0;
	q->err = false;
	q->replace = false;
	q->x = (struct mn_xfer){ .res = r };
	q->nlh.nlmsg_type = (uint16_t)family;
	q->nlh.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	gh = (struct genlmsghdr *)(q->buf + NLMSG_HDRLEN);
	gh->cmd = (uint8_t)cmd;
	gh->version = version;
}

static void exchange(struct mn_genl *g, struct request *q);

static int resolve_family(struct mn_genl *g)
{
	struct mn_res r;
	struct request q;
	int family = -1;

	/* The kernel loads the module through its genl family alias. */
	req_init(&q, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 1, &r);
	put_str(&q, CTRL_ATTR_FAMILY_NAME, MIRRORNET_FAMILY_NAME);
	q.x.reply_ends = true;
	q.x.family = &family;
	exchange(g, &q);
	g->family = r.err ? -1 : family;
	return g->family < 0 ? -ENOENT : 0;
}

struct mn_genl *mn_genl_open(char *err, size_t errlen)
{
	struct mn_genl *g = calloc(1, sizeof(*g));

	if (!g || !(g->rbuf = malloc(MN_RECV_BUF))) {
		snprintf(err, errlen, "out of memory");
		free(g);
		return NULL;
	}
	g->fd = mn_nl_socket(NETLINK_GENERIC, MN_GENL_TIMEOUT_MS);
	if (g->fd < 0) {
		snprintf(err, errlen, "cannot open a generic netlink socket");
		free(g->rbuf);
		free(g);
		return NULL;
	}
	/* not there yet: each request looks again (mn_genl_check()) */
	resolve_family(g);
	return g;
}

int mn_genl_check(struct mn_genl *g, char *err, size_t errlen)
{
	if (g->stale) {
		int fd = mn_nl_socket(NETLINK_GENERIC, MN_GENL_TIMEOUT_MS);

		if (fd < 0) {
			snprintf(err, errlen,
				 "cannot open a generic netlink socket");
			return -1;
		}
		close(g->fd);
		g->fd = fd;
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
	close(g->fd);
	free(g->rbuf);
	free(g);
}

/* The lengths of what on_reply() reads, checked in the parse. */
static struct nla_policy reply_policy[MIRRORNET_A_MAX + 1] = {
	[MIRRORNET_A_IFINDEX] = { .type = NLA_U32 },
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING },
	[MIRRORNET_A_STATE] = { .type = NLA_U32 },
};

static struct nla_policy ctrl_policy[CTRL_ATTR_FAMILY_ID + 1] = {
	[CTRL_ATTR_FAMILY_ID] = { .type = NLA_U16 },
};

/* The family lookup's reply: the id. */
static void on_family(struct mn_xfer *x, struct nlattr *head, int len)
{
	struct nlattr *tb[CTRL_ATTR_FAMILY_ID + 1];

	if (!nla_parse(tb, CTRL_ATTR_FAMILY_ID, head, len, ctrl_policy) &&
	    tb[CTRL_ATTR_FAMILY_ID])
		*x->family = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
}

/* A reply: ifindex and state of the interface, or a dump message. */
static void on_reply(struct mn_xfer *x, struct nlattr *head, int len)
{
	struct nlattr *tb[MIRRORNET_A_MAX + 1];

	/* unreadable: skipped, yet still the answer that it succeeded */
	if (nla_parse(tb, MIRRORNET_A_MAX, head, len, reply_policy))
		return;
	if (x->dump_cb) {
		x->dump_cb(tb, head, len, x->dump_arg);
		return;
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
}

/* One message of the answer to @x; a message for another seq is skipped. */
static void on_message(struct mn_xfer *x, struct nlmsghdr *h)
{
	size_t payload = h->nlmsg_len - NLMSG_HDRLEN;
	const int *code;

	/* an answer to a request that timed out is on a closed socket */
	if (h->nlmsg_seq != x->seq)
		return;
	switch (h->nlmsg_type) {
	case NLMSG_ERROR:
		if (payload < sizeof(struct nlmsgerr)) {
			x->res->err = -EIO;
		} else {
			x->res->err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			mn_nlerr_msg(NLMSG_DATA(h), x->res->extack,
				     sizeof(x->res->extack));
		}
		x->done = true;
		return;
	case NLMSG_DONE:
		/* a dump's end: its errno, when it ended on one */
		code = NLMSG_DATA(h);
		x->res->err = payload >= sizeof(*code) && *code < 0 ? *code : 0;
		x->done = true;
		return;
	case NLMSG_NOOP:
	case NLMSG_OVERRUN:
		return;
	}
	if (payload >= GENL_HDRLEN) {
		struct nlattr *head = (struct nlattr *)((uint8_t *)NLMSG_DATA(h) +
							GENL_HDRLEN);
		int len = (int)(payload - GENL_HDRLEN);

		if (x->family)
			on_family(x, head, len);
		else
			on_reply(x, head, len);
	}
	if (x->reply_ends) {
		x->res->err = 0;
		x->done = true;
	}
}

/* Read answers until the last one; its errno and text in @x. */
static void recv_answer(struct mn_genl *g, struct mn_xfer *x)
{
	while (!x->done) {
		ssize_t n = mn_nl_recv(g->fd, g->rbuf, MN_RECV_BUF, MSG_TRUNC);
		struct nlmsghdr *h = (struct nlmsghdr *)g->rbuf;
		int rem = (int)n;

		if (n == -ETIMEDOUT) {
			/* SO_RCVTIMEO: the answer may still come, later */
			g->stale = true;
			x->res->err = -ETIMEDOUT;
			snprintf(x->res->extack, sizeof(x->res->extack),
				 "no answer from mirrornet.ko within %d s",
				 MN_GENL_TIMEOUT_MS / 1000);
			return;
		}
		if (n < 0) {
			x->res->err = n == -ENOBUFS || n == -ENOMEM ? -ENOBUFS :
				      -EIO;
			return;
		}
		/* cut short: what is missing may be the answer */
		if (n > MN_RECV_BUF) {
			g->stale = true;
			x->res->err = -EIO;
			return;
		}
		for (; NLMSG_OK(h, rem) && !x->done; h = NLMSG_NEXT(h, rem))
			on_message(x, h);
	}
}

/* Send @q once and wait for its answer. */
static void exchange(struct mn_genl *g, struct request *q)
{
	struct mn_xfer *x = &q->x;
	int err;

	memset(x->res, 0, sizeof(*x->res));
	x->done = false;
	/* a fresh sequence number for every send, retries included */
	x->seq = ++g->seq;
	q->nlh.nlmsg_seq = x->seq;
	if (x->reply_ends)
		q->nlh.nlmsg_flags &= (uint16_t)~NLM_F_ACK;
	else
		q->nlh.nlmsg_flags |= NLM_F_ACK;
	err = mn_nl_send(g->fd, &q->nlh);
	if (err)
		x->res->err = err == -ENOBUFS || err == -ENOMEM ||
			      err == -EAGAIN ? -ENOBUFS : -EIO;
	else
		recv_answer(g, x);
}

static bool transient(int err)
{
	return err == -EBUSY || err == -EAGAIN || err == -ENOBUFS ||
	       err == -EINTR;
}

/* Send @q to the family and wait for its answer; retry what is transient. */
static void xfer(struct mn_genl *g, struct request *q)
{
	struct mn_xfer *x = &q->x;
	unsigned int delay = 10;
	char why[128];
	int attempt;

	for (attempt = 0;; attempt++) {
		if (mn_genl_check(g, why, sizeof(why))) {
			memset(x->res, 0, sizeof(*x->res));
			x->res->err = -ENOENT;
			snprintf(x->res->extack, sizeof(x->res->extack),
				 "mirrornet.ko is not loaded: %s", why);
			break;
		}
		q->nlh.nlmsg_type = (uint16_t)g->family;
		exchange(g, q);
		/*
		 * The module was reloaded: its family has a new id, and the
		 * old one is unknown (ENOENT without a message).
		 */
		if (x->res->err == -ENOENT && !x->res->extack[0] &&
		    attempt < MN_RETRIES) {
			int old = g->family;

			if (resolve_family(g)) {
				memset(x->res, 0, sizeof(*x->res));
				x->res->err = -ENOENT;
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
}

static void put_sel(struct request *q, const struct mn_sel *s)
{
	if (s->ifindex > 0)
		put_u32(q, MIRRORNET_A_IFINDEX, (uint32_t)s->ifindex);
	else if (s->target->is_guid)
		put(q, MIRRORNET_A_HWKEY, s->target->guid.b, GNS_GUID_LEN);
	else
		put_str(q, MIRRORNET_A_IFNAME, s->target->name);
}

static void put_ip(struct request *q, uint16_t type, const struct gns_ip *ip)
{
	put(q, type, ip->a, ip->family == AF_INET ? 4 : 16);
}

static void req_begin(struct request *q, struct mn_genl *g, int cmd,
		      int flags, const struct mn_sel *s, uint16_t nest_type,
		      struct mn_res *r)
{
	req_init(q, g->family, cmd, flags, MIRRORNET_FAMILY_VERSION, r);
	if (s)
		put_sel(q, s);
	if (nest_type)
		nest_start(q, nest_type);
}

static void req_end(struct mn_genl *g, struct request *q)
{
	nest_end(q);
	if (q->replace)
		put(q, MIRRORNET_A_REPLACE, NULL, 0);
	if (q->err) {
		memset(q->x.res, 0, sizeof(*q->x.res));
		q->x.res->err = -EMSGSIZE;
		return;
	}
	xfer(g, q);
}

void mn_link_set(struct mn_genl *g, const struct mn_sel *s, int admin_up,
		 uint32_t mtu, const uint8_t *lladdr, size_t lladdr_len,
		 struct mn_res *r)
{
	struct request q;

	req_begin(&q, g, MIRRORNET_CMD_LINK_SET, 0, s, MIRRORNET_A_LINK, r);
	q.x.reply_ends = true;
	if (admin_up >= 0)
		put_u32(&q, MIRRORNET_A_LINK_ADMIN,
			admin_up ? MIRRORNET_LINK_ADMIN_UP :
				   MIRRORNET_LINK_ADMIN_DOWN);
	if (mtu)
		put_u32(&q, MIRRORNET_A_LINK_MTU, mtu);
	if (lladdr)
		put(&q, MIRRORNET_A_LINK_LLADDR, lladdr, lladdr_len);
	req_end(g, &q);
}

void mn_addr_new(struct mn_genl *g, const struct mn_sel *s,
		 const struct gns_addr *a, bool noprefixroute, bool replace,
		 struct mn_res *r)
{
	uint32_t flags = (a->nodad ? MIRRORNET_ADDR_FLAGS_NODAD : 0) |
			 (noprefixroute ? MIRRORNET_ADDR_FLAGS_NOPREFIXROUTE : 0);
	struct request q;

	req_begin(&q, g, MIRRORNET_CMD_ADDR_NEW, 0, s, MIRRORNET_A_ADDR, r);
	q.x.reply_ends = true;
	q.replace = replace;
	put_u32(&q, MIRRORNET_A_ADDR_FAMILY, (uint32_t)a->ip.family);
	put_ip(&q, MIRRORNET_A_ADDR_ADDRESS, &a->ip);
	put_u32(&q, MIRRORNET_A_ADDR_PREFIXLEN, a->prefixlen);
	if (flags)
		put_u32(&q, MIRRORNET_A_ADDR_FLAGS, flags);
	put_u32(&q, MIRRORNET_A_ADDR_PREFERRED_LFT, a->preferred_lft);
	put_u32(&q, MIRRORNET_A_ADDR_VALID_LFT, a->valid_lft);
	put_u32(&q, MIRRORNET_A_ADDR_SCOPE, a->scope);
	req_end(g, &q);
}

void mn_addr_del(struct mn_genl *g, const struct mn_sel *s,
		 const struct gns_ip *ip, uint8_t prefixlen, struct mn_res *r)
{
	struct request q;

	req_begin(&q, g, MIRRORNET_CMD_ADDR_DEL, 0, s, MIRRORNET_A_ADDR, r);
	put_u32(&q, MIRRORNET_A_ADDR_FAMILY, (uint32_t)ip->family);
	put_ip(&q, MIRRORNET_A_ADDR_ADDRESS, ip);
	put_u32(&q, MIRRORNET_A_ADDR_PREFIXLEN, prefixlen);
	req_end(g, &q);
}

static void route_request(struct mn_genl *g, int cmd, const struct mn_sel *s,
			  const struct mn_route_req *rt, bool replace,
			  struct mn_res *r)
{
	struct request q;

	req_begin(&q, g, cmd, 0, s, MIRRORNET_A_ROUTE, r);
	q.x.reply_ends = cmd == MIRRORNET_CMD_ROUTE_NEW;
	q.replace = replace;
	put_u32(&q, MIRRORNET_A_ROUTE_FAMILY, (uint32_t)rt->dst.family);
	if (rt->dst_len) {
		put_ip(&q, MIRRORNET_A_ROUTE_DST, &rt->dst);
		put_u32(&q, MIRRORNET_A_ROUTE_DST_LEN, rt->dst_len);
	}
	if (rt->has_gateway)
		put_ip(&q, MIRRORNET_A_ROUTE_GATEWAY, &rt->gateway);
	if (rt->has_prefsrc)
		put_ip(&q, MIRRORNET_A_ROUTE_PREFSRC, &rt->prefsrc);
	if (rt->has_metric)
		put_u32(&q, MIRRORNET_A_ROUTE_METRIC, rt->metric);
	if (rt->table)
		put_u32(&q, MIRRORNET_A_ROUTE_TABLE, rt->table);
	if (rt->onlink)
		put_u32(&q, MIRRORNET_A_ROUTE_FLAGS,
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

	req_begin(&q, g, MIRRORNET_CMD_ROUTE_FLUSH, 0, s, MIRRORNET_A_FLUSH, r);
	if (family)
		put_u32(&q, MIRRORNET_A_FLUSH_FAMILY, (uint32_t)family);
	if (table)
		put_u32(&q, MIRRORNET_A_FLUSH_TABLE, table);
	if (gateway_only)
		put(&q, MIRRORNET_A_FLUSH_GATEWAY_ONLY, NULL, 0);
	req_end(g, &q);
}

void mn_neigh_new(struct mn_genl *g, const struct mn_sel *s,
		  const struct gns_ip *dst, const uint8_t *lladdr,
		  size_t lladdr_len, struct mn_res *r)
{
	struct request q;

	req_begin(&q, g, MIRRORNET_CMD_NEIGH_NEW, 0, s, MIRRORNET_A_NEIGH, r);
	q.x.reply_ends = true;
	put_u32(&q, MIRRORNET_A_NEIGH_FAMILY, (uint32_t)dst->family);
	put_ip(&q, MIRRORNET_A_NEIGH_DST, dst);
	put(&q, MIRRORNET_A_NEIGH_LLADDR, lladdr, lladdr_len);
	req_end(g, &q);
}

void mn_rule(struct mn_genl *g, bool add, const struct mn_rule_req *rule,
	     struct mn_res *r)
{
	struct request q;

	req_begin(&q, g, add ? MIRRORNET_CMD_RULE_NEW : MIRRORNET_CMD_RULE_DEL,
		  0, NULL, MIRRORNET_A_RULE, r);
	put_u32(&q, MIRRORNET_A_RULE_FAMILY, (uint32_t)rule->family);
	put_u32(&q, MIRRORNET_A_RULE_TABLE, rule->table);
	put_u32(&q, MIRRORNET_A_RULE_PRIORITY, rule->priority);
	if (rule->ip_proto)
		put_u32(&q, MIRRORNET_A_RULE_IP_PROTO, rule->ip_proto);
	if (rule->iifname)
		put_str(&q, MIRRORNET_A_RULE_IIFNAME, rule->iifname);
	req_end(g, &q);
}

void mn_conf_set(struct mn_genl *g, const struct mn_sel *s, uint32_t key,
		 uint32_t value, struct mn_res *r)
{
	struct request q;

	req_begin(&q, g, MIRRORNET_CMD_CONF_SET, 0, s, MIRRORNET_A_CONF, r);
	q.x.reply_ends = true;
	put_u32(&q, MIRRORNET_A_CONF_KEY, key);
	put_u32(&q, MIRRORNET_A_CONF_VALUE, value);
	req_end(g, &q);
}

void mn_iface_get(struct mn_genl *g, const struct mn_sel *s,
		  struct mn_iface_info *info, struct mn_res *r)
{
	struct request q;

	memset(info, 0, sizeof(*info));
	req_begin(&q, g, MIRRORNET_CMD_IFACE_GET, 0, s, 0, r);
	q.x.reply_ends = true;
	q.x.info = info;
	req_end(g, &q);
}

void mn_dump(struct mn_genl *g, int cmd, const struct mn_sel *s,
	     mn_dump_cb cb, void *arg, struct mn_res *r)
{
	struct request q;

	req_begin(&q, g, cmd, NLM_F_DUMP, s, 0, r);
	q.x.dump_cb = cb;
	q.x.dump_arg = arg;
	req_end(g, &q);
}
