// SPDX-License-Identifier: GPL-2.0
/*
 * Applying goal-state objects to the kernel.
 *
 * Links use the exported netdev API. Addresses, routes, neighbours, rules
 * and the per-device IP knobs that rtnetlink can set go through a kernel
 * rtnetlink socket owned by the namespace: the kernel exports no API for
 * addresses and routes, and going through rtnetlink gives every change the
 * validation, locking and notifications of the same change made with `ip`.
 *
 * Requests are sent with an explicit destination address so that netlink
 * marks them NETLINK_SKB_DST: rtnetlink then checks CAP_NET_ADMIN against
 * the current task only, instead of the (absent) file of a kernel socket.
 * rtnetlink handles a request from a kernel socket synchronously, so the ack
 * is queued by the time kernel_sendmsg() returns. All of it runs under
 * mn->lock, never under RTNL.
 */

#include <kunit/visibility.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/fib_rules.h>
#include <net/if_inet6.h>
#include <net/neighbour.h>
#include <net/sock.h>

#include "apply.h"
#include "notify.h"

/* Large enough for the biggest skb a netlink dump hands out. */
#define MN_RTNL_BUF	32768

static int mn_nl_setsockopt(struct socket *sock, int opt)
{
	int one = 1;

	return sock->ops->setsockopt(sock, SOL_NETLINK, opt,
				     KERNEL_SOCKPTR(&one), sizeof(one));
}

/**
 * mn_set_kerr - report the kernel's rejection of an object in an extack
 * @extack: the request's extended ack
 * @object: what was rejected
 * @kerr: the kernel's text
 *
 * The kernel's own text is passed on where this kernel can format extack
 * messages (6.2 and later); else a fixed text names the object.
 */
void mn_set_kerr(struct netlink_ext_ack *extack, enum mirrornet_object object,
		 const struct mn_kerr *kerr)
{
#if MN_HAVE_EXTACK_FMT
	const char *name = mn_object_name(object);
	/* What fits beside "mirrornet: <name>: " without truncation. */
	int room = NETLINK_MAX_FMTMSG_LEN - sizeof(KBUILD_MODNAME ": ") -
		   strlen(name) - 2;

	if (kerr->msg[0]) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "%s: %.*s", name, room,
				       kerr->msg);
		return;
	}
#endif
	switch (object) {
	case MIRRORNET_OBJECT_ADDR:
		NL_SET_ERR_MSG_MOD(extack, "the kernel rejected the address");
		break;
	case MIRRORNET_OBJECT_ROUTE:
		NL_SET_ERR_MSG_MOD(extack, "the kernel rejected the route");
		break;
	case MIRRORNET_OBJECT_NEIGH:
		NL_SET_ERR_MSG_MOD(extack, "the kernel rejected the neighbour");
		break;
	case MIRRORNET_OBJECT_RULE:
		NL_SET_ERR_MSG_MOD(extack, "the kernel rejected the rule");
		break;
	default:
		NL_SET_ERR_MSG_MOD(extack, "the kernel rejected the setting");
		break;
	}
}

/**
 * mn_apply_init - open the namespace's rtnetlink socket
 * @mn: per-netns state
 *
 * Return: 0 or a negative errno.
 */
int mn_apply_init(struct mn_net *mn)
{
	int err;

	mn->rtnl_buf = kvmalloc(MN_RTNL_BUF, GFP_KERNEL);
	if (!mn->rtnl_buf)
		return -ENOMEM;
	err = sock_create_kern(mn->net, PF_NETLINK, SOCK_RAW, NETLINK_ROUTE,
			       &mn->rtnl_sock);
	if (err)
		goto err_buf;
	err = mn_nl_setsockopt(mn->rtnl_sock, NETLINK_EXT_ACK);
	if (err)
		goto err_sock;
	err = mn_nl_setsockopt(mn->rtnl_sock, NETLINK_CAP_ACK);
	if (err)
		goto err_sock;
	return 0;

err_sock:
	sock_release(mn->rtnl_sock);
	mn->rtnl_sock = NULL;
err_buf:
	kvfree(mn->rtnl_buf);
	return err;
}

/**
 * mn_apply_exit - close the namespace's rtnetlink socket
 * @mn: per-netns state
 */
void mn_apply_exit(struct mn_net *mn)
{
	sock_release(mn->rtnl_sock);
	kvfree(mn->rtnl_buf);
}

static void mn_kerr_from_ack(const struct nlmsghdr *nlh, struct mn_kerr *kerr)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);
	const struct nlattr *attr;
	size_t hlen = sizeof(*e);
	int rem;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
	rem = nlmsg_len(nlh) - (int)hlen;
	if (rem <= 0)
		return;
	nla_for_each_attr(attr, (const void *)e + hlen, rem, rem)
		if (nla_type(attr) == NLMSGERR_ATTR_MSG)
			nla_strscpy(kerr->msg, attr, sizeof(kerr->msg));
}

static int mn_rtnl_recv(struct mn_net *mn)
{
	struct kvec iov = { .iov_base = mn->rtnl_buf, .iov_len = MN_RTNL_BUF };
	struct msghdr msg = {};

	return kernel_recvmsg(mn->rtnl_sock, &msg, &iov, 1, MN_RTNL_BUF,
			      MSG_DONTWAIT);
}

static int mn_rtnl_send(struct mn_net *mn, struct sk_buff *skb)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr msg = {
		.msg_name = &kernel,
		.msg_namelen = sizeof(kernel),
	};
	struct nlmsghdr *nlh = nlmsg_hdr(skb);
	struct kvec iov;
	int err;

	lockdep_assert_held(&mn->lock);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++mn->rtnl_seq;
	iov.iov_base = skb->data;
	iov.iov_len = skb->len;
	err = kernel_sendmsg(mn->rtnl_sock, &msg, &iov, 1, iov.iov_len);
	nlmsg_free(skb);
	return err < 0 ? err : 0;
}

/* Send one request and return the kernel's verdict from its ack. */
static int mn_rtnl_do(struct mn_net *mn, struct sk_buff *skb,
		      struct mn_kerr *kerr)
{
	u32 seq;
	int err;

	kerr->msg[0] = '\0';
	err = mn_rtnl_send(mn, skb);
	if (err)
		return err;
	seq = mn->rtnl_seq;
	for (;;) {
		struct nlmsghdr *nlh = mn->rtnl_buf;
		int len = mn_rtnl_recv(mn);

		if (len < 0)
			return len;
		for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e = nlmsg_data(nlh);

			if (nlh->nlmsg_seq != seq ||
			    nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error)
				mn_kerr_from_ack(nlh, kerr);
			return e->error;
		}
	}
}

/*
 * Payload room of a request: the largest, a route with destination,
 * gateway, source, table, metric, device and flags, takes about 100 bytes.
 * A page per request would cost more than the request.
 */
#define MN_RTNL_REQ_SIZE	512

/* A new rtnetlink request; returns its zeroed family header. */
static void *mn_rtnl_new(struct sk_buff **skbp, int type, size_t hdrlen,
			 u16 flags)
{
	struct sk_buff *skb = nlmsg_new(MN_RTNL_REQ_SIZE, GFP_KERNEL);
	struct nlmsghdr *nlh;

	if (!skb)
		return NULL;
	nlh = nlmsg_put(skb, 0, 0, type, hdrlen, flags);
	if (!nlh) {
		nlmsg_free(skb);
		return NULL;
	}
	memset(nlmsg_data(nlh), 0, hdrlen);
	*skbp = skb;
	return nlmsg_data(nlh);
}

/* Send a request built by mn_rtnl_new(), unless putting an attribute failed. */
static int mn_rtnl_finish(struct mn_net *mn, struct sk_buff *skb,
			  int put_err, struct mn_kerr *kerr)
{
	if (put_err) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	nlmsg_end(skb, nlmsg_hdr(skb));
	return mn_rtnl_do(mn, skb, kerr);
}

static u16 mn_nlflags(enum mn_op op)
{
	switch (op) {
	case MN_OP_ADD:
		return NLM_F_CREATE | NLM_F_EXCL;
	case MN_OP_REPLACE:
		return NLM_F_CREATE | NLM_F_REPLACE;
	default:
		return 0;
	}
}

static int mn_addr_len(u8 family)
{
	return family == AF_INET ? sizeof(struct in_addr) :
				   sizeof(struct in6_addr);
}

static int mn_put_ip(struct sk_buff *skb, int type, u8 family,
		     const struct in6_addr *ip)
{
	return nla_put(skb, type, mn_addr_len(family), ip);
}

/**
 * mn_apply_link - set a link's MTU, link-layer address and admin state
 * @mn: per-netns state, locked
 * @ifindex: the netdev
 * @link: what to set
 * @extack: extended ack for errors, may be NULL
 *
 * Return: 0 or a negative errno.
 */
int mn_apply_link(struct mn_net *mn, int ifindex, const struct mn_link *link,
		  struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	int err = 0;

	rtnl_lock();
	dev = __dev_get_by_index(mn->net, ifindex);
	if (!dev) {
		NL_SET_ERR_MSG_MOD(extack, "interface disappeared");
		err = -ENODEV;
		goto out;
	}
	if (link->has_mtu && link->mtu != dev->mtu) {
		if (link->mtu > INT_MAX || link->mtu < dev->min_mtu ||
		    (dev->max_mtu && link->mtu > dev->max_mtu)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "MTU outside the device's range");
			err = -EINVAL;
			goto out;
		}
		err = dev_set_mtu(dev, link->mtu);
		if (err) {
			NL_SET_ERR_MSG_MOD(extack, "device rejected the MTU");
			goto out;
		}
	}
	if (link->has_lladdr) {
		struct sockaddr_storage ss = { .ss_family = dev->type };

		if (link->lladdr_len != dev->addr_len) {
			NL_SET_ERR_MSG_MOD(extack,
					   "lladdr length differs from the device's");
			err = -EINVAL;
			goto out;
		}
		memcpy(ss.__data, link->lladdr, link->lladdr_len);
		err = dev_set_mac_address_user(dev, (struct sockaddr *)&ss,
					       extack);
		if (err)
			goto out;
	}
	if (link->has_admin) {
		unsigned int flags = dev->flags & ~IFF_UP;

		if (link->admin_up)
			flags |= IFF_UP;
		err = dev_change_flags(dev, flags, extack);
	}
out:
	rtnl_unlock();
	return err;
}

/**
 * mn_apply_addr - add, replace or delete an address
 * @mn: per-netns state, locked
 * @ifindex: the netdev
 * @a: the address
 * @op: what to do
 * @kerr: the kernel's error text
 *
 * Return: 0 or the kernel's negative errno.
 */
int mn_apply_addr(struct mn_net *mn, int ifindex, const struct mn_addr *a,
		  enum mn_op op, struct mn_kerr *kerr)
{
	struct ifa_cacheinfo ci = {
		.ifa_prefered = a->preferred_lft,
		.ifa_valid = a->valid_lft,
	};
	struct ifaddrmsg *ifm;
	struct sk_buff *skb;
	u32 flags = 0;
	int err;

	ifm = mn_rtnl_new(&skb, op == MN_OP_DEL ? RTM_DELADDR : RTM_NEWADDR,
			  sizeof(*ifm), mn_nlflags(op));
	if (!ifm)
		return -ENOMEM;
	ifm->ifa_family = a->family;
	ifm->ifa_prefixlen = a->prefixlen;
	ifm->ifa_scope = a->scope;
	ifm->ifa_index = ifindex;
	if (a->flags & MIRRORNET_ADDR_FLAGS_NODAD)
		flags |= IFA_F_NODAD;
	if (a->flags & MIRRORNET_ADDR_FLAGS_NOPREFIXROUTE)
		flags |= IFA_F_NOPREFIXROUTE;

	err = mn_put_ip(skb, IFA_LOCAL, a->family, &a->addr) ||
	      mn_put_ip(skb, IFA_ADDRESS, a->family, &a->addr);
	if (op != MN_OP_DEL) {
		err = err || nla_put_u32(skb, IFA_FLAGS, flags) ||
		      nla_put(skb, IFA_CACHEINFO, sizeof(ci), &ci);
		/* Like `ip address add ... brd +`. */
		if (a->family == AF_INET && a->prefixlen < 31)
			err = err ||
			      nla_put_in_addr(skb, IFA_BROADCAST,
					      a->addr.s6_addr32[0] |
					      htonl(0xffffffffU >> a->prefixlen));
	}
	return mn_rtnl_finish(mn, skb, err, kerr);
}
EXPORT_SYMBOL_IF_KUNIT(mn_apply_addr);

/**
 * mn_apply_route - add, replace or delete a route
 * @mn: per-netns state, locked
 * @ifindex: the output netdev
 * @r: the route
 * @op: what to do; MN_OP_ADD adds beside routes that differ only in gateway
 *	or device, as `ip route add` without NLM_F_EXCL does
 * @kerr: the kernel's error text
 *
 * Return: 0 or the kernel's negative errno.
 */
int mn_apply_route(struct mn_net *mn, int ifindex, const struct mn_route *r,
		   enum mn_op op, struct mn_kerr *kerr)
{
	u8 family = r->key.family;
	struct sk_buff *skb;
	struct rtmsg *rtm;
	int err;

	rtm = mn_rtnl_new(&skb, op == MN_OP_DEL ? RTM_DELROUTE : RTM_NEWROUTE,
			  sizeof(*rtm),
			  op == MN_OP_ADD ? NLM_F_CREATE : mn_nlflags(op));
	if (!rtm)
		return -ENOMEM;
	rtm->rtm_family = family;
	rtm->rtm_dst_len = r->key.dst_len;
	rtm->rtm_table = r->key.table < 256 ? r->key.table : RT_TABLE_UNSPEC;
	if (op == MN_OP_DEL) {
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	} else {
		rtm->rtm_protocol = RTPROT_BOOT;
		rtm->rtm_type = r->type;
		if (r->type == RTN_LOCAL)
			rtm->rtm_scope = RT_SCOPE_HOST;
		else if (r->type == RTN_UNICAST && !r->has_gw)
			rtm->rtm_scope = RT_SCOPE_LINK;
		else
			rtm->rtm_scope = RT_SCOPE_UNIVERSE;
		if (r->flags & MIRRORNET_ROUTE_FLAGS_ONLINK)
			rtm->rtm_flags |= RTNH_F_ONLINK;
	}

	err = nla_put_u32(skb, RTA_TABLE, r->key.table) ||
	      nla_put_u32(skb, RTA_OIF, ifindex) ||
	      nla_put_u32(skb, RTA_PRIORITY, r->key.metric) ||
	      (r->key.dst_len &&
	       mn_put_ip(skb, RTA_DST, family, &r->key.dst)) ||
	      (r->has_gw && mn_put_ip(skb, RTA_GATEWAY, family, &r->gw)) ||
	      (r->has_prefsrc && op != MN_OP_DEL &&
	       mn_put_ip(skb, RTA_PREFSRC, family, &r->prefsrc));
	return mn_rtnl_finish(mn, skb, err, kerr);
}
EXPORT_SYMBOL_IF_KUNIT(mn_apply_route);

/**
 * mn_apply_neigh - add, replace or delete a permanent neighbour entry
 * @mn: per-netns state, locked
 * @ifindex: the netdev
 * @n: the entry
 * @op: what to do
 * @kerr: the kernel's error text
 *
 * Return: 0 or the kernel's negative errno.
 */
int mn_apply_neigh(struct mn_net *mn, int ifindex, const struct mn_neigh *n,
		   enum mn_op op, struct mn_kerr *kerr)
{
	struct sk_buff *skb;
	struct ndmsg *ndm;
	int err;

	ndm = mn_rtnl_new(&skb, op == MN_OP_DEL ? RTM_DELNEIGH : RTM_NEWNEIGH,
			  sizeof(*ndm), mn_nlflags(op));
	if (!ndm)
		return -ENOMEM;
	ndm->ndm_family = n->family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = NUD_PERMANENT;
	err = mn_put_ip(skb, NDA_DST, n->family, &n->dst) ||
	      (op != MN_OP_DEL &&
	       nla_put(skb, NDA_LLADDR, n->lladdr_len, n->lladdr));
	return mn_rtnl_finish(mn, skb, err, kerr);
}

/**
 * mn_apply_rule - add or delete a policy routing rule
 * @mn: per-netns state, locked
 * @r: the rule
 * @op: MN_OP_ADD or MN_OP_DEL
 * @kerr: the kernel's error text
 *
 * Return: 0 or the kernel's negative errno.
 */
int mn_apply_rule(struct mn_net *mn, const struct mn_rule *r, enum mn_op op,
		  struct mn_kerr *kerr)
{
	struct fib_rule_hdr *frh;
	struct sk_buff *skb;
	int err;

	frh = mn_rtnl_new(&skb, op == MN_OP_DEL ? RTM_DELRULE : RTM_NEWRULE,
			  sizeof(*frh), mn_nlflags(op));
	if (!frh)
		return -ENOMEM;
	frh->family = r->family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = r->table < 256 ? r->table : RT_TABLE_UNSPEC;
	err = nla_put_u32(skb, FRA_TABLE, r->table) ||
	      (r->has_priority &&
	       nla_put_u32(skb, FRA_PRIORITY, r->priority)) ||
	      (r->has_ip_proto &&
	       nla_put_u8(skb, FRA_IP_PROTO, r->ip_proto)) ||
	      (r->has_iifname &&
	       nla_put_string(skb, FRA_IIFNAME, r->iifname));
	return mn_rtnl_finish(mn, skb, err, kerr);
}

/* IPv4 knobs rtnetlink sets per device through IFLA_INET_CONF. */
static int mn_ipv4_devconf(unsigned int key)
{
	switch (key) {
	case MIRRORNET_CONF_KEY_IPV4_ACCEPT_LOCAL:
		return IPV4_DEVCONF_ACCEPT_LOCAL;
	case MIRRORNET_CONF_KEY_IPV4_ROUTE_LOCALNET:
		return IPV4_DEVCONF_ROUTE_LOCALNET;
	case MIRRORNET_CONF_KEY_IPV4_RP_FILTER:
		return IPV4_DEVCONF_RP_FILTER;
	case MIRRORNET_CONF_KEY_IPV4_ARP_FILTER:
		return IPV4_DEVCONF_ARPFILTER;
	default:
		return 0;
	}
}

static int mn_apply_conf_rtnl(struct mn_net *mn, int ifindex,
			      unsigned int key, u32 value,
			      struct mn_kerr *kerr)
{
	struct nlattr *af_spec, *af, *conf;
	int devconf = mn_ipv4_devconf(key);
	struct ifinfomsg *ifm;
	struct sk_buff *skb;
	int err = 0;

	ifm = mn_rtnl_new(&skb, RTM_NEWLINK, sizeof(*ifm), 0);
	if (!ifm)
		return -ENOMEM;
	ifm->ifi_index = ifindex;
	af_spec = nla_nest_start(skb, IFLA_AF_SPEC);
	af = nla_nest_start(skb, devconf ? AF_INET : AF_INET6);
	if (!af_spec || !af) {
		err = -EMSGSIZE;
	} else if (devconf) {
		conf = nla_nest_start(skb, IFLA_INET_CONF);
		err = !conf || nla_put_u32(skb, devconf, value);
		if (!err)
			nla_nest_end(skb, conf);
	} else {
		err = nla_put_u8(skb, IFLA_INET6_ADDR_GEN_MODE, value);
	}
	if (!err) {
		nla_nest_end(skb, af);
		nla_nest_end(skb, af_spec);
	}
	return mn_rtnl_finish(mn, skb, err, kerr);
}

/*
 * IPv6 knobs without an rtnetlink setter are plain integers whose sysctl
 * handler (proc_dointvec) only stores the value: store it the same way.
 */
static int mn_apply_conf_ipv6(struct mn_net *mn, int ifindex,
			      unsigned int key, u32 value,
			      struct mn_kerr *kerr)
{
	struct net_device *dev;
	struct inet6_dev *idev;
	int err = 0;

	rtnl_lock();
	dev = __dev_get_by_index(mn->net, ifindex);
	idev = dev ? __in6_dev_get(dev) : NULL;
	if (!dev) {
		err = -ENODEV;
	} else if (!idev) {
		strscpy(kerr->msg, "IPv6 is disabled on the device",
			sizeof(kerr->msg));
		err = -EAFNOSUPPORT;
	} else {
		switch (key) {
		case MIRRORNET_CONF_KEY_IPV6_ACCEPT_RA:
			WRITE_ONCE(idev->cnf.accept_ra, value);
			break;
		case MIRRORNET_CONF_KEY_IPV6_AUTOCONF:
			WRITE_ONCE(idev->cnf.autoconf, value);
			break;
		case MIRRORNET_CONF_KEY_IPV6_USE_TEMPADDR:
			WRITE_ONCE(idev->cnf.use_tempaddr, value);
			break;
		case MIRRORNET_CONF_KEY_IPV6_DAD_TRANSMITS:
			WRITE_ONCE(idev->cnf.dad_transmits, value);
			break;
		case MIRRORNET_CONF_KEY_IPV6_ACCEPT_DAD:
			WRITE_ONCE(idev->cnf.accept_dad, value);
			break;
		}
	}
	rtnl_unlock();
	return err;
}

/**
 * mn_apply_conf - set a per-device IP knob
 * @mn: per-netns state, locked
 * @ifindex: the netdev
 * @key: MIRRORNET_CONF_KEY_*
 * @value: the value
 * @kerr: the kernel's error text
 *
 * Return: 0 or a negative errno.
 */
int mn_apply_conf(struct mn_net *mn, int ifindex, unsigned int key, u32 value,
		  struct mn_kerr *kerr)
{
	kerr->msg[0] = '\0';
	if (mn_ipv4_devconf(key) || key == MIRRORNET_CONF_KEY_IPV6_ADDR_GEN_MODE)
		return mn_apply_conf_rtnl(mn, ifindex, key, value, kerr);
	return mn_apply_conf_ipv6(mn, ifindex, key, value, kerr);
}

struct mn_flush_ctx {
	int ifindex;
	u32 table;
	bool gateway_only;
	struct sk_buff_head dels;	/* RTM_DELROUTE requests to send */
};

/* Queue a delete for a dumped route if it matches the flush. */
static int mn_flush_collect(struct mn_flush_ctx *ctx,
			    const struct nlmsghdr *nlh)
{
	struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	struct nlmsghdr *del;
	struct sk_buff *skb;
	u32 table;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlmsg_parse_deprecated(nlh, sizeof(*rtm), tb, RTA_MAX, NULL, NULL))
		return 0;
	rtm = nlmsg_data(nlh);
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (!tb[RTA_OIF] || nla_get_u32(tb[RTA_OIF]) != ctx->ifindex ||
	    (ctx->table && table != ctx->table) ||
	    (ctx->gateway_only && !tb[RTA_GATEWAY]) ||
	    rtm->rtm_type != RTN_UNICAST)
		return 0;

	/* Delete exactly what was dumped: same header and attributes. */
	skb = nlmsg_new(nlmsg_len(nlh), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	del = nlmsg_put(skb, 0, 0, RTM_DELROUTE, nlmsg_len(nlh), 0);
	if (!del) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	memcpy(nlmsg_data(del), nlmsg_data(nlh), nlmsg_len(nlh));
	nlmsg_end(skb, del);
	__skb_queue_tail(&ctx->dels, skb);
	return 0;
}

static int mn_flush_dump(struct mn_net *mn, u8 family,
			 struct mn_flush_ctx *ctx)
{
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	struct rtmsg *rtm;
	u32 seq;
	int err;

	rtm = mn_rtnl_new(&skb, RTM_GETROUTE, sizeof(*rtm), NLM_F_DUMP);
	if (!rtm)
		return -ENOMEM;
	rtm->rtm_family = family;
	nlmsg_end(skb, nlmsg_hdr(skb));
	err = mn_rtnl_send(mn, skb);
	if (err)
		return err;
	seq = mn->rtnl_seq;

	for (;;) {
		int len = mn_rtnl_recv(mn);

		if (len < 0)
			return len;
		for (nlh = mn->rtnl_buf; nlmsg_ok(nlh, len);
		     nlh = nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)nlmsg_data(nlh))->error;
			err = mn_flush_collect(ctx, nlh);
			if (err)
				return err;
		}
	}
}

/**
 * mn_apply_route_flush - delete a device's unicast routes from the kernel
 * @mn: per-netns state, locked
 * @ifindex: the output netdev
 * @family: AF_INET, AF_INET6 or AF_UNSPEC for both
 * @table: only this table, or 0 for all
 * @gateway_only: only routes with a gateway
 * @kerr: the kernel's error text
 *
 * Return: 0 or the first negative errno; routes that vanished meanwhile
 * (-ESRCH) are not an error.
 */
int mn_apply_route_flush(struct mn_net *mn, int ifindex, u8 family, u32 table,
			 bool gateway_only, struct mn_kerr *kerr)
{
	struct mn_flush_ctx ctx = {
		.ifindex = ifindex,
		.table = table,
		.gateway_only = gateway_only,
	};
	struct sk_buff *skb;
	int err;

	kerr->msg[0] = '\0';
	__skb_queue_head_init(&ctx.dels);
	err = mn_flush_dump(mn, family, &ctx);
	while ((skb = __skb_dequeue(&ctx.dels))) {
		int ret;

		if (err) {
			kfree_skb(skb);
			continue;
		}
		ret = mn_rtnl_do(mn, skb, kerr);
		if (ret && ret != -ESRCH)
			err = ret;
	}
	return err;
}
