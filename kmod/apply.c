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
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/fib_rules.h>
#include <net/if_inet6.h>
#include <net/neighbour.h>
#include <net/rtnh.h>
#include <net/sock.h>

#include "apply.h"
#include "notify.h"

/* Large enough for the biggest skb a netlink dump hands out. */
#define MN_RTNL_BUF	32768

/*
 * Port ids the socket binds to: the negative range netlink_autobind() falls
 * back to (from -4097 down), never a task's tgid. A collision with a bound
 * socket is retried with another random id.
 */
#define MN_PORTID_MIN	0x80000000U
#define MN_PORTID_MAX	0xffffefffU
#define MN_BIND_TRIES	16

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

/*
 * Bind to a port id of our own, then connect to the kernel (port 0):
 * netlink_getsockbyportid() then refuses every sender but the kernel with
 * ECONNREFUSED, so nothing in user space can queue a message here.
 * Requests still carry an explicit destination (see mn_rtnl_send()).
 */
static int mn_rtnl_bind(struct socket *sock)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	int err = -EADDRINUSE;
	int i;

	for (i = 0; i < MN_BIND_TRIES && err == -EADDRINUSE; i++) {
		addr.nl_pid = get_random_u32_inclusive(MN_PORTID_MIN,
						       MN_PORTID_MAX);
		err = kernel_bind(sock, (struct sockaddr_unsized *)&addr,
				  sizeof(addr));
	}
	if (err)
		return err;
	addr.nl_pid = 0;
	return kernel_connect(sock, (struct sockaddr_unsized *)&addr,
			      sizeof(addr), 0);
}

/**
 * mn_apply_init - open the namespace's rtnetlink socket
 * @mn: per-netns state
 *
 * The socket is bound to a random negative port id (never the requesting
 * task's, as autobind would take) and connected to the kernel, so that only
 * the kernel can send to it. NETLINK_GET_STRICT_CHK lets route-flush ask
 * rtnetlink to filter its dumps by device.
 *
 * Return: 0 or a negative errno.
 */
int mn_apply_init(struct mn_net *mn)
{
	int err;

	mn->rtnl_buf = kvmalloc(MN_RTNL_BUF, GFP_KERNEL_ACCOUNT);
	if (!mn->rtnl_buf)
		return -ENOMEM;
	err = sock_create_kern(mn->net, PF_NETLINK, SOCK_RAW, NETLINK_ROUTE,
			       &mn->rtnl_sock);
	if (err)
		goto err_buf;
	err = mn_nl_setsockopt(mn->rtnl_sock, NETLINK_EXT_ACK) ?:
	      mn_nl_setsockopt(mn->rtnl_sock, NETLINK_CAP_ACK) ?:
	      mn_nl_setsockopt(mn->rtnl_sock, NETLINK_GET_STRICT_CHK) ?:
	      mn_rtnl_bind(mn->rtnl_sock);
	if (err)
		goto err_sock;
	return 0;

err_sock:
	sock_release(mn->rtnl_sock);
	mn->rtnl_sock = NULL;
err_buf:
	kvfree(mn->rtnl_buf);
	mn->rtnl_buf = NULL;
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

/*
 * Attributes of an extended ack. Unknown types (a newer kernel's) are
 * skipped; the known ones must have their exact size, and the text must be
 * NUL-terminated inside its attribute.
 */
static const struct nla_policy mn_ack_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG]		= { .type = NLA_NUL_STRING },
	[NLMSGERR_ATTR_OFFS]		= { .type = NLA_U32 },
	[NLMSGERR_ATTR_COOKIE]		= { .type = NLA_BINARY,
					    .len = NETLINK_MAX_COOKIE_LEN },
	[NLMSGERR_ATTR_POLICY]		= { .type = NLA_NESTED },
	[NLMSGERR_ATTR_MISS_TYPE]	= { .type = NLA_U32 },
	[NLMSGERR_ATTR_MISS_NEST]	= { .type = NLA_U32 },
};

#define MN_NLA_VALIDATE	(NL_VALIDATE_TRAILING | NL_VALIDATE_STRICT_ATTRS)

/**
 * mn_rtnl_parse_ack - validate an NLMSG_ERROR message and read its verdict
 * @nlh: the message
 * @len: bytes received from @nlh on
 * @error: the errno it carries, 0 for a positive ack
 * @kerr: the kernel's text for a negative ack; cleared otherwise
 *
 * Nothing of the message is read before its length is checked: the header
 * against @len, the struct nlmsgerr against the header, the echoed request
 * (when NLM_F_CAPPED is clear) against what is left, and the TLVs with
 * a policy. A malformed message must be dropped as a whole.
 *
 * Return: 0, or -EBADMSG if the message is malformed (then @error and
 * @kerr are not set).
 */
int mn_rtnl_parse_ack(const struct nlmsghdr *nlh, int len, int *error,
		      struct mn_kerr *kerr)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *e;
	u32 payload, hlen;

	kerr->msg[0] = '\0';
	if (!nlmsg_ok(nlh, len) || nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < nlmsg_msg_size(sizeof(*e)))
		return -EBADMSG;
	e = nlmsg_data(nlh);
	if (e->error > 0 || e->error < -MAX_ERRNO)
		return -EBADMSG;
	payload = nlh->nlmsg_len - NLMSG_HDRLEN;
	hlen = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		/* The whole request is echoed after the error code. */
		if (e->msg.nlmsg_len < NLMSG_HDRLEN ||
		    e->msg.nlmsg_len > payload - offsetof(struct nlmsgerr, msg))
			return -EBADMSG;
		hlen = offsetof(struct nlmsgerr, msg) + e->msg.nlmsg_len;
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		hlen = NLMSG_ALIGN(hlen);
		if (hlen > payload ||
		    __nla_parse(tb, NLMSGERR_ATTR_MAX,
				(const void *)e + hlen, payload - hlen,
				mn_ack_policy, MN_NLA_VALIDATE, NULL))
			return -EBADMSG;
		if (e->error && tb[NLMSGERR_ATTR_MSG])
			nla_strscpy(kerr->msg, tb[NLMSGERR_ATTR_MSG],
				    sizeof(kerr->msg));
	}
	*error = e->error;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mn_rtnl_parse_ack);

/**
 * mn_rtnl_drop - count and log a message refused on a kernel rtnetlink socket
 * @mn: per-netns state
 *
 * For the request socket and the IPv6 listener alike: the message is
 * never parsed.
 */
void mn_rtnl_drop(struct mn_net *mn)
{
	mn->rtnl_dropped++;
	mn_log(mn, warn, "rtnetlink socket: dropped a foreign or malformed message (%llu so far)\n",
	       mn->rtnl_dropped);
}

/*
 * Read one datagram. The socket is connected to the kernel, so only the
 * kernel can queue to it; still, anything that does not come from port 0,
 * or does not fit the buffer, is dropped and counted, never parsed.
 */
static int mn_rtnl_recv(struct mn_net *mn)
{
	struct kvec iov = { .iov_base = mn->rtnl_buf, .iov_len = MN_RTNL_BUF };

	for (;;) {
		struct sockaddr_nl from = {};
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
		};
		int len;

		len = kernel_recvmsg(mn->rtnl_sock, &msg, &iov, 1, MN_RTNL_BUF,
				     MSG_DONTWAIT);
		if (len < 0)
			return len;
		if (!(msg.msg_flags & MSG_TRUNC) &&
		    msg.msg_namelen >= sizeof(from) &&
		    from.nl_family == AF_NETLINK && !from.nl_pid &&
		    !from.nl_groups)
			return len;
		mn_rtnl_drop(mn);
	}
}

/*
 * Requests carry an explicit destination although the socket is connected:
 * netlink then marks them NETLINK_SKB_DST, and __netlink_ns_capable() checks
 * the current task instead of dereferencing the kernel socket's NULL file.
 */
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
			int error;

			/* Leftovers of an earlier request are skipped. */
			if (nlh->nlmsg_seq != seq ||
			    nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (mn_rtnl_parse_ack(nlh, len, &error, kerr)) {
				mn_rtnl_drop(mn);
				continue;
			}
			return error;
		}
		if (len > 0)	/* trailing bytes that are no message */
			mn_rtnl_drop(mn);
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
	struct sk_buff *skb = nlmsg_new(MN_RTNL_REQ_SIZE, GFP_KERNEL_ACCOUNT);
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
	case MN_OP_REPAIR:
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
 * mn_apply_link - set a link's link-layer address, admin state and MTU
 * @mn: per-netns state, locked
 * @ifindex: the netdev
 * @link: what to set
 * @mtu_refused: set when only the MTU failed; may be NULL
 * @extack: extended ack for errors, may be NULL
 *
 * In WSL's order: the link-layer address, then the admin state, then the
 * MTU, so that a link the host wants up comes up even when the device
 * refuses the MTU (the host's NlMtu 4294967295, its "no MTU known", is
 * refused too). A refused MTU leaves what the earlier steps set and
 * reports the error (@mtu_refused); when the admin state cannot be set,
 * the address is put back (best effort), so that failure leaves the link
 * as it found it.
 *
 * The admin state is changed from netif_get_flags(), like rtnetlink does:
 * dev->flags holds the effective PROMISC/ALLMULTI that other users (packet
 * sockets, bridges) count, and handing those back to dev_change_flags()
 * would take a promiscuity reference of our own that nothing drops.
 *
 * Return: 0 or a negative errno.
 */
int mn_apply_link(struct mn_net *mn, int ifindex, const struct mn_link *link,
		  bool *mtu_refused, struct netlink_ext_ack *extack)
{
	struct sockaddr_storage old_lladdr;
	bool lladdr_set = false;
	struct net_device *dev;
	int err = 0;

	if (mtu_refused)
		*mtu_refused = false;
	rtnl_lock();
	dev = __dev_get_by_index(mn->net, ifindex);
	if (!dev) {
		NL_SET_ERR_MSG_MOD(extack, "interface disappeared");
		err = -ENODEV;
		goto out;
	}
	if (link->has_lladdr) {
		struct sockaddr_storage ss = { .ss_family = dev->type };

		if (link->lladdr_len != dev->addr_len) {
			NL_SET_ERR_MSG_MOD(extack,
					   "lladdr length differs from the device's");
			err = -EINVAL;
			goto out;
		}
		if (memcmp(dev->dev_addr, link->lladdr, link->lladdr_len)) {
			memset(&old_lladdr, 0, sizeof(old_lladdr));
			old_lladdr.ss_family = dev->type;
			memcpy(old_lladdr.__data, dev->dev_addr, dev->addr_len);
			memcpy(ss.__data, link->lladdr, link->lladdr_len);
			err = dev_set_mac_address_user(dev, &ss, extack);
			if (err)
				goto out;
			lladdr_set = true;
		}
	}
	if (link->has_admin) {
		unsigned int flags = netif_get_flags(dev) & ~IFF_UP;

		if (link->admin_up)
			flags |= IFF_UP;
		err = dev_change_flags(dev, flags, extack);
		if (err) {
			if (lladdr_set &&
			    dev_set_mac_address_user(dev, &old_lladdr, NULL))
				netdev_warn(dev, "could not restore the link-layer address\n");
			goto out;
		}
	}
	if (link->has_mtu && link->mtu != dev->mtu) {
		if (link->mtu > INT_MAX || link->mtu < dev->min_mtu ||
		    (dev->max_mtu && link->mtu > dev->max_mtu)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "MTU outside the device's range");
			err = -EINVAL;
		} else {
			err = dev_set_mtu(dev, link->mtu);
			if (err)
				NL_SET_ERR_MSG_MOD(extack,
						   "device rejected the MTU");
		}
		if (err && mtu_refused)
			*mtu_refused = true;
	}
out:
	rtnl_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(mn_apply_link);

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

	kerr->msg[0] = '\0';
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
 *	or device, as `ip route add` without NLM_F_EXCL does; MN_OP_REPAIR
 *	fails with -EEXIST if the kernel has a route with that identity
 * @kerr: the kernel's error text
 *
 * Routes carry RTPROT_KERNEL, as WSL's do: route daemons (systemd-networkd)
 * leave "proto kernel" routes alone. The kernel's own routes carry it too,
 * so a delete names the device, metric and gateway, and the protocol only
 * keeps it off routes of other protocols.
 *
 * Only unicast and local routes name a device (and a gateway): blackhole,
 * unreachable, prohibit and throw routes have none, and IPv4 rejects them
 * with one.
 *
 * Return: 0 or the kernel's negative errno.
 */
int mn_apply_route(struct mn_net *mn, int ifindex, const struct mn_route *r,
		   enum mn_op op, struct mn_kerr *kerr)
{
	bool has_dev = r->type == RTN_UNICAST || r->type == RTN_LOCAL;
	u8 family = r->key.family;
	struct sk_buff *skb;
	struct rtmsg *rtm;
	int err;

	kerr->msg[0] = '\0';
	rtm = mn_rtnl_new(&skb, op == MN_OP_DEL ? RTM_DELROUTE : RTM_NEWROUTE,
			  sizeof(*rtm),
			  op == MN_OP_ADD ? NLM_F_CREATE : mn_nlflags(op));
	if (!rtm)
		return -ENOMEM;
	rtm->rtm_family = family;
	rtm->rtm_dst_len = r->key.dst_len;
	rtm->rtm_table = r->key.table < 256 ? r->key.table : RT_TABLE_UNSPEC;
	/* A delete, too, matches only what we could have installed. */
	rtm->rtm_protocol = RTPROT_KERNEL;
	if (op == MN_OP_DEL) {
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	} else {
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
	      (has_dev && nla_put_u32(skb, RTA_OIF, ifindex)) ||
	      nla_put_u32(skb, RTA_PRIORITY, r->key.metric) ||
	      (r->key.dst_len &&
	       mn_put_ip(skb, RTA_DST, family, &r->key.dst)) ||
	      (has_dev && r->has_gw &&
	       mn_put_ip(skb, RTA_GATEWAY, family, &r->gw)) ||
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

	kerr->msg[0] = '\0';
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
	err = mn_rtnl_finish(mn, skb, err, kerr);
	/*
	 * IFLA_INET_CONF only stores the value. The sysctl handler
	 * (devinet_conf_proc) also flushes the route cache when accept_local
	 * or route_localnet turn off: rt_cache_flush() is not exported, but
	 * all it does is bump the generation id, which is inline. (It bumps
	 * on every write of 0 here, which costs one cache refill at most.)
	 * The sysctl's RTM_NEWNETCONF notification for rp_filter cannot be
	 * sent: inet_netconf_notify_devconf() is not exported either.
	 */
	if (!err && !value &&
	    (devconf == IPV4_DEVCONF_ACCEPT_LOCAL ||
	     devconf == IPV4_DEVCONF_ROUTE_LOCALNET))
		rt_genid_bump_ipv4(mn->net);
	return err;
}

/*
 * IPv6 knobs without an rtnetlink setter are plain integers whose sysctl
 * handler (proc_dointvec) only stores the value: store it the same way.
 * Their sysctls send no netconf notification either (addrconf only
 * notifies for forwarding, proxy_ndp, mc_forwarding and
 * ignore_routes_with_linkdown), so nothing is skipped.
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

/*
 * Read the dump answering the request mn_rtnl_send() just sent, to its
 * end, handing each message of it (but NLMSG_DONE and NLMSG_ERROR) to @fn.
 * @fn returns -EBADMSG for a malformed message (dropped and counted) or
 * another error, which is kept and ends the calls but not the reading.
 */
static int mn_rtnl_dump(struct mn_net *mn,
			int (*fn)(void *ctx, const struct nlmsghdr *nlh),
			void *ctx, struct mn_kerr *kerr)
{
	u32 seq = mn->rtnl_seq;
	int fn_err = 0;

	for (;;) {
		struct nlmsghdr *nlh = mn->rtnl_buf;
		int len = mn_rtnl_recv(mn);

		if (len < 0)
			return len;
		for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			int error;

			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				/* The dump's own errno, if it carries one. */
				if (nlmsg_len(nlh) >= (int)sizeof(int))
					memcpy(&error, nlmsg_data(nlh),
					       sizeof(int));
				else
					error = 0;
				return error < 0 ? error : fn_err;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				if (mn_rtnl_parse_ack(nlh, len, &error, kerr)) {
					mn_rtnl_drop(mn);
					continue;
				}
				return error;
			}
			if (fn_err)
				continue;
			fn_err = fn(ctx, nlh);
			if (fn_err == -EBADMSG) {
				mn_rtnl_drop(mn);
				fn_err = 0;
			}
		}
		if (len > 0)	/* trailing bytes that are no message */
			mn_rtnl_drop(mn);
	}
}

/*
 * The attributes a rule of ours can carry in a dump. Any other type
 * (FRA_OIFNAME, FRA_FWMARK, FRA_SRC, ..., or one newer than the headers
 * built against) is a selector we do not set: that rule is not ours.
 */
static const struct nla_policy mn_fra_policy[FRA_MAX + 1] = {
	[FRA_IIFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[FRA_PRIORITY]		= { .type = NLA_U32 },
	[FRA_TABLE]		= { .type = NLA_U32 },
	[FRA_PROTOCOL]		= { .type = NLA_U8 },
	[FRA_IP_PROTO]		= { .type = NLA_U8 },
	[FRA_SUPPRESS_IFGROUP]	= { .type = NLA_U32 },
	[FRA_SUPPRESS_PREFIXLEN] = { .type = NLA_U32 },
};

struct mn_rule_del_ctx {
	const struct mn_rule *r;
	bool found;		/* a rule exactly like @r */
	bool shadowed;		/* ... with another the delete matches first */
	bool other;		/* the last rule the delete matches is another */
	u32 other_pref;		/* ... and its priority */
	u32 pref;		/* the found rule's priority */
};

/*
 * Compare a dumped rule with ours. *exact: it is the rule we install
 * (FRA_PROTOCOL kernel, our table, priority and selectors, no other
 * selector); *wild: the kernel's delete of ours (rule_find(), which skips
 * only the selectors a delete sets) would match it, whatever its priority.
 */
static int mn_rule_cmp(const struct mn_rule *r, const struct nlmsghdr *nlh,
		       bool *exact, bool *wild, u32 *pref)
{
	const u32 detached = FIB_RULE_IIF_DETACHED | FIB_RULE_OIF_DETACHED |
			     FIB_RULE_UNRESOLVED;
	struct nlattr *tb[FRA_MAX + 1];
	const struct fib_rule_hdr *frh;
	char iifname[IFNAMSIZ] = "";
	const struct nlattr *nla;
	bool extra = false;
	u8 ip_proto;
	u32 table;
	int rem;

	if (nlh->nlmsg_len < nlmsg_msg_size(sizeof(*frh)))
		return -EBADMSG;
	frh = nlmsg_data(nlh);
	/* Unknown types are left unparsed here and counted as selectors. */
	if (frh->family != r->family ||
	    __nlmsg_parse(nlh, sizeof(*frh), tb, FRA_MAX, mn_fra_policy,
			  NL_VALIDATE_TRAILING, NULL))
		return -EBADMSG;
	nlmsg_for_each_attr(nla, nlh, sizeof(*frh), rem)
		if (nla_type(nla) > FRA_MAX ||
		    !mn_fra_policy[nla_type(nla)].type)
			extra = true;
	if (tb[FRA_SUPPRESS_IFGROUP] &&
	    nla_get_u32(tb[FRA_SUPPRESS_IFGROUP]) != (u32)-1)
		extra = true;
	if (tb[FRA_SUPPRESS_PREFIXLEN] &&
	    nla_get_u32(tb[FRA_SUPPRESS_PREFIXLEN]) != (u32)-1)
		extra = true;
	if (frh->dst_len || frh->src_len || frh->tos ||
	    (frh->flags & ~detached))
		extra = true;
	table = tb[FRA_TABLE] ? nla_get_u32(tb[FRA_TABLE]) : frh->table;
	ip_proto = tb[FRA_IP_PROTO] ? nla_get_u8(tb[FRA_IP_PROTO]) : 0;
	if (tb[FRA_IIFNAME])
		nla_strscpy(iifname, tb[FRA_IIFNAME], sizeof(iifname));
	*pref = tb[FRA_PRIORITY] ? nla_get_u32(tb[FRA_PRIORITY]) : 0;

	*wild = frh->action == FR_ACT_TO_TBL &&
		(!r->table || table == r->table) &&
		(!r->has_iifname || !r->iifname[0] ||
		 !strcmp(iifname, r->iifname)) &&
		(!r->has_ip_proto || !r->ip_proto || ip_proto == r->ip_proto) &&
		tb[FRA_PROTOCOL] && nla_get_u8(tb[FRA_PROTOCOL]) == RTPROT_KERNEL;
	*exact = *wild && !extra && table == r->table &&
		 (!r->has_priority || *pref == r->priority) &&
		 !strcmp(iifname, r->has_iifname ? r->iifname : "") &&
		 ip_proto == (r->has_ip_proto ? r->ip_proto : 0);
	return 0;
}

/*
 * The dump lists rules by priority, as the kernel matches them. The delete
 * names the priority of the rule found, so only a rule of that priority
 * listed before it can be taken instead.
 */
static int mn_rule_del_collect(void *arg, const struct nlmsghdr *nlh)
{
	struct mn_rule_del_ctx *c = arg;
	bool exact, wild;
	u32 pref;
	int err;

	if (nlh->nlmsg_type != RTM_NEWRULE || c->found)
		return 0;
	err = mn_rule_cmp(c->r, nlh, &exact, &wild, &pref);
	if (err || !wild)
		return err;
	if (exact) {
		c->found = true;
		c->pref = pref;
		c->shadowed = c->other && c->other_pref == pref;
	} else {
		c->other = true;
		c->other_pref = pref;
	}
	return 0;
}

/*
 * Delete exactly the rule we install: the kernel's RTM_DELRULE takes the
 * first rule that has the selectors the request names, whatever others it
 * has, so the rule is looked up in a dump first.
 */
static int mn_apply_rule_del(struct mn_net *mn, const struct mn_rule *r,
			     struct mn_kerr *kerr)
{
	struct mn_rule_del_ctx c = { .r = r };
	struct fib_rule_hdr *frh;
	struct sk_buff *skb;
	int err;

	frh = mn_rtnl_new(&skb, RTM_GETRULE, sizeof(*frh), NLM_F_DUMP);
	if (!frh)
		return -ENOMEM;
	frh->family = r->family;
	nlmsg_end(skb, nlmsg_hdr(skb));
	err = mn_rtnl_send(mn, skb) ?:
	      mn_rtnl_dump(mn, mn_rule_del_collect, &c, kerr);
	if (err)
		return err;
	if (!c.found) {
		strscpy(kerr->msg, "no such rule", sizeof(kerr->msg));
		return -ENOENT;
	}
	if (c.shadowed)
		return -EBUSY;

	frh = mn_rtnl_new(&skb, RTM_DELRULE, sizeof(*frh), 0);
	if (!frh)
		return -ENOMEM;
	frh->family = r->family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = r->table < 256 ? r->table : RT_TABLE_UNSPEC;
	err = nla_put_u32(skb, FRA_TABLE, r->table) ||
	      nla_put_u32(skb, FRA_PRIORITY, c.pref) ||
	      nla_put_u8(skb, FRA_PROTOCOL, RTPROT_KERNEL) ||
	      (r->has_ip_proto &&
	       nla_put_u8(skb, FRA_IP_PROTO, r->ip_proto)) ||
	      (r->has_iifname &&
	       nla_put_string(skb, FRA_IIFNAME, r->iifname));
	return mn_rtnl_finish(mn, skb, err, kerr);
}

/**
 * mn_apply_rule - add or delete a policy routing rule
 * @mn: per-netns state, locked
 * @r: the rule
 * @op: MN_OP_ADD, MN_OP_REPAIR or MN_OP_DEL
 * @kerr: the kernel's error text
 *
 * Rules carry FRA_PROTOCOL RTPROT_KERNEL: systemd-networkd deletes the
 * rules of every other protocol, on any link. A delete takes exactly the
 * rule we install (priority, table, selectors and protocol) or nothing:
 * -ENOENT if there is none, -EBUSY if the kernel would take another rule
 * first (one of the same priority with more selectors, listed before it).
 * The kernel's own default rules carry RTPROT_KERNEL too, so the default
 * "lookup local" rule is deleted by naming it.
 *
 * Return: 0 or a negative errno.
 */
int mn_apply_rule(struct mn_net *mn, const struct mn_rule *r, enum mn_op op,
		  struct mn_kerr *kerr)
{
	struct fib_rule_hdr *frh;
	struct sk_buff *skb;
	int err;

	kerr->msg[0] = '\0';
	if (op == MN_OP_DEL)
		return mn_apply_rule_del(mn, r, kerr);
	frh = mn_rtnl_new(&skb, RTM_NEWRULE, sizeof(*frh), mn_nlflags(op));
	if (!frh)
		return -ENOMEM;
	frh->family = r->family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = r->table < 256 ? r->table : RT_TABLE_UNSPEC;
	err = nla_put_u32(skb, FRA_TABLE, r->table) ||
	      nla_put_u8(skb, FRA_PROTOCOL, RTPROT_KERNEL) ||
	      (r->has_priority &&
	       nla_put_u32(skb, FRA_PRIORITY, r->priority)) ||
	      (r->has_ip_proto &&
	       nla_put_u8(skb, FRA_IP_PROTO, r->ip_proto)) ||
	      (r->has_iifname &&
	       nla_put_string(skb, FRA_IIFNAME, r->iifname));
	return mn_rtnl_finish(mn, skb, err, kerr);
}
EXPORT_SYMBOL_IF_KUNIT(mn_apply_rule);

/*
 * route-flush works in passes: dump a family's routes on the device, queue
 * at most MN_FLUSH_BATCH deletes (and about MN_FLUSH_BATCH_BYTES of them),
 * send them, and dump again until a pass leaves nothing queued. Memory is
 * bounded whatever the size of the table.
 */
#define MN_FLUSH_BATCH		64
#define MN_FLUSH_BATCH_BYTES	65536

struct mn_flush_ctx {
	int ifindex;
	const struct mn_flush *f;
	mn_flush_ours_t ours;
	void *ctx;
	u8 family;			/* of this dump */
	struct sk_buff_head dels;	/* RTM_DELROUTE requests to send */
	unsigned int bytes;
	bool full;			/* more to delete than was queued */
};

/*
 * Attributes of a dumped route. Addresses must have the family's size.
 * Lengths of the known types are exact and trailing bytes refused; types we
 * do not read (RTA_CACHEINFO, RTA_METRICS, ...) are skipped.
 */
static const struct nla_policy mn_rta_policy4[RTA_MAX + 1] = {
	[RTA_DST]	= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[RTA_SRC]	= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[RTA_GATEWAY]	= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[RTA_OIF]	= { .type = NLA_U32 },
	[RTA_PRIORITY]	= { .type = NLA_U32 },
	[RTA_TABLE]	= { .type = NLA_U32 },
	[RTA_NH_ID]	= { .type = NLA_U32 },
	[RTA_MULTIPATH]	= NLA_POLICY_MIN_LEN(sizeof(struct rtnexthop)),
	[RTA_VIA]	= NLA_POLICY_MIN_LEN(offsetof(struct rtvia, rtvia_addr)),
};

static const struct nla_policy mn_rta_policy6[RTA_MAX + 1] = {
	[RTA_DST]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[RTA_SRC]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[RTA_GATEWAY]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[RTA_OIF]	= { .type = NLA_U32 },
	[RTA_PRIORITY]	= { .type = NLA_U32 },
	[RTA_TABLE]	= { .type = NLA_U32 },
	[RTA_NH_ID]	= { .type = NLA_U32 },
	[RTA_MULTIPATH]	= NLA_POLICY_MIN_LEN(sizeof(struct rtnexthop)),
	[RTA_VIA]	= NLA_POLICY_MIN_LEN(offsetof(struct rtvia, rtvia_addr)),
};

static const struct nla_policy *mn_rta_policy(u8 family)
{
	return family == AF_INET ? mn_rta_policy4 : mn_rta_policy6;
}

/* Parse a route message (dumped, or a delete we built). */
static int mn_route_parse(const struct nlmsghdr *nlh, u8 family,
			  struct nlattr **tb)
{
	const struct rtmsg *rtm;

	if (nlh->nlmsg_len < nlmsg_msg_size(sizeof(*rtm)))
		return -EBADMSG;
	rtm = nlmsg_data(nlh);
	if (rtm->rtm_family != family ||
	    __nlmsg_parse(nlh, sizeof(*rtm), tb, RTA_MAX,
			  mn_rta_policy(family), MN_NLA_VALIDATE, NULL))
		return -EBADMSG;
	return 0;
}

/* Iterator over the hops of an RTA_MULTIPATH, with each hop's attributes. */
struct mn_hop {
	const struct rtnexthop *rtnh;
	int rem;
	u8 family;
	struct nlattr *tb[RTA_MAX + 1];
};

/*
 * Check the hop at hop->rtnh against what is left and parse its attributes
 * with the family's policy. Return 1 for a hop, 0 after the last one,
 * -EBADMSG if the hops are malformed.
 */
static int mn_hop_check(struct mn_hop *hop)
{
	const struct rtnexthop *rtnh = hop->rtnh;

	if (!rtnh_ok(rtnh, hop->rem))
		return hop->rem ? -EBADMSG : 0;
	if (__nla_parse(hop->tb, RTA_MAX, rtnh_attrs(rtnh),
			rtnh->rtnh_len - sizeof(*rtnh),
			mn_rta_policy(hop->family), MN_NLA_VALIDATE, NULL))
		return -EBADMSG;
	return 1;
}

static int mn_hop_first(struct mn_hop *hop, const struct nlattr *mp,
			u8 family)
{
	hop->rtnh = nla_data(mp);
	hop->rem = nla_len(mp);
	hop->family = family;
	return mn_hop_check(hop);
}

static int mn_hop_next(struct mn_hop *hop)
{
	hop->rtnh = rtnh_next(hop->rtnh, &hop->rem);
	return mn_hop_check(hop);
}

/*
 * The identity of a route message (dumped, or a delete we built) and the
 * gateway @gw (an RTA_GATEWAY, of the route or of one of its hops).
 */
static void mn_route_ident(const struct nlmsghdr *nlh, struct nlattr **tb,
			   const struct nlattr *gw, struct mn_route *r)
{
	const struct rtmsg *rtm = nlmsg_data(nlh);

	memset(r, 0, sizeof(*r));
	r->key.family = rtm->rtm_family;
	r->key.dst_len = rtm->rtm_dst_len;
	r->key.table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) :
				       rtm->rtm_table;
	r->key.metric = tb[RTA_PRIORITY] ? nla_get_u32(tb[RTA_PRIORITY]) : 0;
	if (tb[RTA_DST])
		nla_memcpy(&r->key.dst, tb[RTA_DST], sizeof(r->key.dst));
	r->type = rtm->rtm_type;
	r->has_gw = !!gw;
	if (gw)
		nla_memcpy(&r->gw, gw, sizeof(r->gw));
}

/*
 * Queue an RTM_DELROUTE for one route (or IPv6 sibling) through the device:
 * its identity (family, prefix, source prefix, tos, table, metric), the
 * device, the gateway if it has one, protocol kernel, any scope.
 */
static int mn_flush_queue(struct mn_flush_ctx *c, const struct nlmsghdr *nlh,
			  struct nlattr **tb, const struct nlattr *gw)
{
	const struct rtmsg *src = nlmsg_data(nlh);
	struct nlmsghdr *put;
	struct sk_buff *skb;
	struct rtmsg *rtm;

	if (skb_queue_len(&c->dels) >= MN_FLUSH_BATCH ||
	    c->bytes >= MN_FLUSH_BATCH_BYTES) {
		c->full = true;
		return 0;
	}
	skb = nlmsg_new(NLMSG_ALIGN(sizeof(*rtm)) + 4 * nla_total_size(4) +
			3 * nla_total_size(sizeof(struct in6_addr)),
			GFP_KERNEL_ACCOUNT);
	if (!skb)
		return -ENOMEM;
	put = nlmsg_put(skb, 0, 0, RTM_DELROUTE, sizeof(*rtm), 0);
	if (!put)
		goto err;
	rtm = nlmsg_data(put);
	memset(rtm, 0, sizeof(*rtm));
	rtm->rtm_family = src->rtm_family;
	rtm->rtm_dst_len = src->rtm_dst_len;
	rtm->rtm_src_len = src->rtm_src_len;
	rtm->rtm_tos = src->rtm_tos;
	rtm->rtm_table = src->rtm_table;
	rtm->rtm_protocol = RTPROT_KERNEL;
	rtm->rtm_scope = RT_SCOPE_NOWHERE;
	rtm->rtm_type = RTN_UNICAST;
	if ((tb[RTA_TABLE] &&
	     nla_put_u32(skb, RTA_TABLE, nla_get_u32(tb[RTA_TABLE]))) ||
	    (tb[RTA_DST] &&
	     nla_put(skb, RTA_DST, nla_len(tb[RTA_DST]), nla_data(tb[RTA_DST]))) ||
	    (tb[RTA_SRC] &&
	     nla_put(skb, RTA_SRC, nla_len(tb[RTA_SRC]), nla_data(tb[RTA_SRC]))) ||
	    (tb[RTA_PRIORITY] &&
	     nla_put_u32(skb, RTA_PRIORITY, nla_get_u32(tb[RTA_PRIORITY]))) ||
	    nla_put_u32(skb, RTA_OIF, c->ifindex) ||
	    (gw && nla_put(skb, RTA_GATEWAY, nla_len(gw), nla_data(gw))))
		goto err;
	nlmsg_end(skb, put);
	__skb_queue_tail(&c->dels, skb);
	c->bytes += skb->len;
	return 0;
err:
	nlmsg_free(skb);
	return -EMSGSIZE;
}

/* Queue the delete of a route or sibling through the device, if ours. */
static int mn_flush_one(struct mn_flush_ctx *c, const struct nlmsghdr *nlh,
			struct nlattr **tb, const struct nlattr *gw)
{
	struct mn_route r;

	if (c->f->gateway_only && !gw)
		return 0;
	mn_route_ident(nlh, tb, gw, &r);
	if (!c->ours(c->ctx, &r))
		return 0;
	return mn_flush_queue(c, nlh, tb, gw);
}

/*
 * Queue the deletes a dumped route needs, if it matches the flush and is
 * ours: protocol kernel, and in the goal state (@c->ours), since the
 * kernel's own routes (prefix routes, fe80::/64, local routes) carry
 * RTPROT_KERNEL as well. The module adds single-hop routes only: IPv6
 * joins gateway routes with one key into ECMP siblings, dumped as one
 * RTA_MULTIPATH, and each sibling on the device is deleted by device and
 * gateway (the others stay); an IPv4 multipath route, a route through a
 * nexthop object or one with RTA_VIA is never ours.
 * -EBADMSG: the message is malformed and was not acted on.
 */
static int mn_flush_collect(void *arg, const struct nlmsghdr *nlh)
{
	struct mn_flush_ctx *c = arg;
	struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	struct mn_hop hop;
	u32 table;
	int err;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (mn_route_parse(nlh, c->family, tb))
		return -EBADMSG;
	rtm = nlmsg_data(nlh);
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (rtm->rtm_type != RTN_UNICAST ||
	    rtm->rtm_protocol != RTPROT_KERNEL ||
	    (rtm->rtm_flags & RTM_F_CLONED) ||
	    (c->f->table && table != c->f->table) ||
	    tb[RTA_NH_ID] || tb[RTA_VIA])
		return 0;
	if (!tb[RTA_MULTIPATH]) {
		if (!tb[RTA_OIF] || nla_get_u32(tb[RTA_OIF]) != c->ifindex)
			return 0;
		return mn_flush_one(c, nlh, tb, tb[RTA_GATEWAY]);
	}
	if (c->family != AF_INET6)
		return 0;
	/* Validate every hop before acting on any. */
	for (err = mn_hop_first(&hop, tb[RTA_MULTIPATH], c->family); err > 0;
	     err = mn_hop_next(&hop))
		;
	if (err)
		return err;
	for (err = mn_hop_first(&hop, tb[RTA_MULTIPATH], c->family); err > 0;
	     err = mn_hop_next(&hop)) {
		if (hop.rtnh->rtnh_ifindex != c->ifindex ||
		    !hop.tb[RTA_GATEWAY] || hop.tb[RTA_VIA])
			continue;
		err = mn_flush_one(c, nlh, tb, hop.tb[RTA_GATEWAY]);
		if (err)
			return err;
	}
	return err;
}

/*
 * One pass: dump the family's unicast routes on the device (rtnetlink
 * filters by device, multipath included, thanks to NETLINK_GET_STRICT_CHK;
 * every route is checked again here) and queue deletes for the matching
 * ones. The dump is always read to its end.
 */
static int mn_flush_dump(struct mn_net *mn, struct mn_flush_ctx *c,
			 struct mn_kerr *kerr)
{
	struct sk_buff *skb;
	struct rtmsg *rtm;
	int err;

	rtm = mn_rtnl_new(&skb, RTM_GETROUTE, sizeof(*rtm), NLM_F_DUMP);
	if (!rtm)
		return -ENOMEM;
	rtm->rtm_family = c->family;
	rtm->rtm_type = RTN_UNICAST;
	if (nla_put_u32(skb, RTA_OIF, c->ifindex)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	nlmsg_end(skb, nlmsg_hdr(skb));
	err = mn_rtnl_send(mn, skb);
	if (err)
		return err;
	return mn_rtnl_dump(mn, mn_flush_collect, c, kerr);
}

/* Send a pass's deletes; stop at the first real error. */
static int mn_flush_send(struct mn_net *mn, struct mn_flush_ctx *c,
			 mn_flush_deleted_t deleted, bool *progress,
			 struct mn_kerr *kerr)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct sk_buff *skb;
	struct mn_route r;
	int err;

	while ((skb = __skb_dequeue(&c->dels))) {
		const struct nlmsghdr *nlh = nlmsg_hdr(skb);

		/* We built it: it parses. Read it before it is sent. */
		if (mn_route_parse(nlh, c->family, tb)) {
			kfree_skb(skb);
			return -EINVAL;
		}
		mn_route_ident(nlh, tb, tb[RTA_GATEWAY], &r);
		err = mn_rtnl_do(mn, skb, kerr);
		if (!err)
			*progress = true;
		if (!err || err == -ESRCH) {
			/* ESRCH: gone already, which is what was asked. */
			deleted(c->ctx, &r);
			kerr->msg[0] = '\0';
			err = 0;
		}
		if (err)
			return err;
	}
	return 0;
}

/**
 * mn_apply_route_flush - delete a device's unicast routes that are ours
 * @mn: per-netns state, locked
 * @ifindex: the device
 * @f: which routes: family (AF_INET, AF_INET6, or 0 for both), table (0 for
 *	all), only those through a gateway
 * @ours: whether a route (identity and gateway) is ours: in the goal state
 * @deleted: called for every route the kernel deleted
 * @ctx: the context of both
 * @kerr: the kernel's error text
 *
 * Deletes the IPv4 and IPv6 unicast routes through the device that carry
 * RTPROT_KERNEL, as ours do, and that @ours claims; the kernel's own routes
 * (prefix routes, fe80::/64, local routes) carry RTPROT_KERNEL too and are
 * left unless the goal state has a route of exactly their shape. Routes of
 * other protocols are never ours. IPv6 ECMP siblings on the device are
 * deleted one by one, by device and gateway. Other families (MPLS, ...)
 * are never dumped. Work is done in bounded batches of dump-then-delete.
 *
 * @deleted is called exactly for what the kernel deleted, also when it
 * reports a route gone already (-ESRCH).
 *
 * Return: 0, or the first error (with the kernel's text in @kerr): the
 * flush stops there, and @deleted has been called for what was deleted
 * before it.
 */
int mn_apply_route_flush(struct mn_net *mn, int ifindex, const struct mn_flush *f,
			 mn_flush_ours_t ours, mn_flush_deleted_t deleted,
			 void *ctx, struct mn_kerr *kerr)
{
	static const u8 families[] = { AF_INET, AF_INET6 };
	struct mn_flush_ctx c = {
		.ifindex = ifindex,
		.f = f,
		.ours = ours,
		.ctx = ctx,
	};
	int err = 0;
	int i;

	kerr->msg[0] = '\0';
	__skb_queue_head_init(&c.dels);
	for (i = 0; i < ARRAY_SIZE(families) && !err; i++) {
		bool progress = true;

		if (f->family && f->family != families[i])
			continue;
		c.family = families[i];
		/*
		 * Dump again while the last pass had more than it could queue
		 * and deleted something: a pass whose deletes all found the
		 * route gone already would find the same routes again.
		 */
		do {
			c.full = false;
			c.bytes = 0;
			err = mn_flush_dump(mn, &c, kerr);
			if (err)
				break;
			progress = false;
			err = mn_flush_send(mn, &c, deleted, &progress, kerr);
		} while (!err && c.full && progress);
		__skb_queue_purge(&c.dels);
	}
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(mn_apply_route_flush);
