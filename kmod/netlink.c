// SPDX-License-Identifier: GPL-2.0
/*
 * The mirrornet generic netlink family: request parsing, the goal-state
 * update that follows a successful apply, and the dumps.
 *
 * Mutating requests go through the pre/post doit hooks of the spec: the
 * pre hook creates the namespace's state on first use, locks it and
 * resolves the request's interface into info->user_ptr[]; the post hook
 * drops an interface the request left empty and unlocks. Reads take the
 * lock only while they fill a message and create no state.
 */

#include <linux/in6.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/genetlink.h>
#include <net/ip6_route.h>

#include "apply.h"
#include "netlink-gen.h"
#include "notify.h"
#include "reconcile.h"

/* info->user_ptr[] of a request past its pre doit hook */
#define MN_NL_PTR_NET	0
#define MN_NL_PTR_IFACE	1

static struct mn_net *mn_nl_net(struct genl_info *info)
{
	return info->user_ptr[MN_NL_PTR_NET];
}

static struct mn_iface *mn_nl_iface(struct genl_info *info)
{
	return info->user_ptr[MN_NL_PTR_IFACE];
}

static int mn_nl_no_iface(struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;

	NL_SET_ERR_MSG_ATTR(info->extack,
			    attrs[MIRRORNET_A_IFINDEX] ?:
			    attrs[MIRRORNET_A_IFNAME] ?:
			    attrs[MIRRORNET_A_HWKEY],
			    "no such interface");
	return -ENODEV;
}

/*
 * The request's one interface selector: a hardware key, copied to @key and
 * pointed to by *@hwkeyp (returns 0), or the present netdev it names by
 * ifindex or ifname (returns its ifindex, *@hwkeyp NULL).
 */
static int mn_nl_selector(struct genl_info *info, struct net *net,
			  uuid_t *key, const uuid_t **hwkeyp)
{
	struct nlattr **attrs = info->attrs;
	struct net_device *dev = NULL;
	int ifindex = 0;

	if (!!attrs[MIRRORNET_A_IFINDEX] + !!attrs[MIRRORNET_A_IFNAME] +
	    !!attrs[MIRRORNET_A_HWKEY] != 1) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "exactly one of ifindex, ifname and hwkey is required");
		return -EINVAL;
	}
	*hwkeyp = NULL;
	if (attrs[MIRRORNET_A_HWKEY]) {
		memcpy(key, nla_data(attrs[MIRRORNET_A_HWKEY]), sizeof(*key));
		*hwkeyp = key;
		return 0;
	}

	rcu_read_lock();
	if (attrs[MIRRORNET_A_IFINDEX])
		dev = dev_get_by_index_rcu(net,
					   nla_get_u32(attrs[MIRRORNET_A_IFINDEX]));
	else
		dev = dev_get_by_name_rcu(net,
					  nla_data(attrs[MIRRORNET_A_IFNAME]));
	if (dev)
		ifindex = dev->ifindex;
	rcu_read_unlock();
	return ifindex ?: mn_nl_no_iface(info);
}

/* The namespace's state, created on its first mutating request. */
static struct mn_net *mn_nl_net_create(struct genl_info *info)
{
	struct mn_net *mn = mn_net_get_or_create(genl_info_net(info));

	if (IS_ERR(mn))
		NL_SET_ERR_MSG_MOD(info->extack,
				   "cannot set up this namespace's state");
	return mn;
}

/**
 * mn_nl_pre_doit - create and lock the namespace's state for a request
 * @ops: the request's op
 * @skb: the request
 * @info: its attributes; user_ptr[] gets the state
 *
 * Return: 0 or a negative errno.
 */
int mn_nl_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		   struct genl_info *info)
{
	struct mn_net *mn = mn_nl_net_create(info);

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	mn_lock(mn);
	info->user_ptr[MN_NL_PTR_NET] = mn;
	info->user_ptr[MN_NL_PTR_IFACE] = NULL;
	return 0;
}

/**
 * mn_nl_pre_doit_iface - mn_nl_pre_doit(), then track the request's interface
 * @ops: the request's op
 * @skb: the request
 * @info: its attributes; user_ptr[] gets the state and the interface
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mn_nl_pre_doit_iface(const struct genl_split_ops *ops,
			 struct sk_buff *skb, struct genl_info *info)
{
	struct mn_iface *iface;
	const uuid_t *hwkey;
	struct mn_net *mn;
	int ifindex;
	uuid_t key;

	mn = mn_nl_net_create(info);
	if (IS_ERR(mn))
		return PTR_ERR(mn);
	ifindex = mn_nl_selector(info, mn->net, &key, &hwkey);
	if (ifindex < 0)
		return ifindex;
	/* A key no event showed yet (an alias set on a down link) is looked up. */
	mn_lock_hwkey(mn, hwkey);
	iface = mn_iface_get(mn, ifindex, hwkey, info->extack);
	if (IS_ERR(iface)) {
		mn_unlock(mn);
		return PTR_ERR(iface);
	}
	info->user_ptr[MN_NL_PTR_NET] = mn;
	info->user_ptr[MN_NL_PTR_IFACE] = iface;
	return 0;
}

/**
 * mn_nl_post_doit - unlock after a request
 * @ops: the request's op
 * @skb: the request
 * @info: its attributes and user_ptr[]
 *
 * An interface the request left empty (it failed, or deleted the last
 * object) stops being tracked.
 */
void mn_nl_post_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		     struct genl_info *info)
{
	struct mn_iface *iface = mn_nl_iface(info);
	struct mn_net *mn = mn_nl_net(info);

	if (iface && mn_iface_is_empty(iface))
		mn_iface_free(mn, iface);
	mn_unlock(mn);
}

static int mn_nl_reply_iface(struct genl_info *info,
			     const struct mn_iface *iface)
{
	struct sk_buff *msg;
	void *hdr;

	/* ifindex and state */
	msg = genlmsg_new(2 * nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mirrornet_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr)
		goto err;
	if (iface->ifindex &&
	    nla_put_u32(msg, MIRRORNET_A_IFINDEX, iface->ifindex))
		goto err;
	if (nla_put_u32(msg, MIRRORNET_A_STATE,
			iface->ifindex ? MIRRORNET_IFACE_STATE_PRESENT :
					 MIRRORNET_IFACE_STATE_HELD))
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int mn_nl_parse_nest(struct genl_info *info, int type,
			    struct nlattr **tb, int maxtype,
			    const struct nla_policy *policy)
{
	if (GENL_REQ_ATTR_CHECK(info, type))
		return -EINVAL;
	return nla_parse_nested(tb, maxtype, info->attrs[type], policy,
				info->extack);
}

/*
 * A family: the policy allows the range of the ip-family enum, 2 to 10;
 * the values between are refused here (see scripts/ynl-regen.sh).
 */
static int mn_nl_family(struct genl_info *info, const struct nlattr *attr,
			u8 *family)
{
	u32 val = nla_get_u32(attr);

	if (val != AF_INET && val != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	*family = val;
	return 0;
}

/* An address of @family; the policy allows 4 to 16 bytes. */
static int mn_nl_ip(struct genl_info *info, const struct nlattr *attr,
		    u8 family, struct in6_addr *ip)
{
	int len = family == AF_INET ? 4 : 16;

	if (nla_len(attr) != len) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "address length does not match the family");
		return -EINVAL;
	}
	memset(ip, 0, sizeof(*ip));
	memcpy(ip, nla_data(attr), len);
	return 0;
}

/* A prefix length; the policy allows up to 128. */
static int mn_nl_prefixlen(struct genl_info *info, const struct nlattr *attr,
			   u8 family, u8 *plen)
{
	u32 val = nla_get_u32(attr);

	if (family == AF_INET && val > 32) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "prefix length above 32 for AF_INET");
		return -EINVAL;
	}
	*plen = val;
	return 0;
}

static void mn_nl_kerr(struct genl_info *info, enum mirrornet_object object,
		       const struct mn_kerr *kerr, int err)
{
	if (err)
		mn_set_kerr(info->extack, object, kerr);
}

/* link */

static int mn_nl_parse_link(struct genl_info *info, struct mn_link *link)
{
	struct nlattr *tb[MIRRORNET_A_LINK_MAX + 1];
	int err;

	err = mn_nl_parse_nest(info, MIRRORNET_A_LINK, tb, MIRRORNET_A_LINK_MAX,
			       mirrornet_link_nl_policy);
	if (err)
		return err;
	if (tb[MIRRORNET_A_LINK_ADMIN]) {
		link->has_admin = 1;
		link->admin_up = nla_get_u32(tb[MIRRORNET_A_LINK_ADMIN]) ==
				 MIRRORNET_LINK_ADMIN_UP;
	}
	if (tb[MIRRORNET_A_LINK_MTU]) {
		link->has_mtu = 1;
		link->mtu = nla_get_u32(tb[MIRRORNET_A_LINK_MTU]);
	}
	if (tb[MIRRORNET_A_LINK_LLADDR]) {
		link->has_lladdr = 1;
		link->lladdr_len = nla_len(tb[MIRRORNET_A_LINK_LLADDR]);
		nla_memcpy(link->lladdr, tb[MIRRORNET_A_LINK_LLADDR],
			   sizeof(link->lladdr));
	}
	if (!link->has_admin && !link->has_mtu && !link->has_lladdr) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MIRRORNET_A_LINK],
				    "nothing to set");
		return -EINVAL;
	}
	return 0;
}

/**
 * mirrornet_nl_link_set_doit - set a link's admin state, MTU or link-layer address
 * @skb: the request
 * @info: its attributes and extack
 *
 * A refused MTU is not kept, but what was set before it (the link-layer
 * address, the admin state) is: the link stays up, as WSL leaves it. An
 * MTU no device takes (above INT_MAX, such as the host's 4294967295 for
 * "none known") is refused for a held interface too.
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_link_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_iface *iface = mn_nl_iface(info);
	struct mn_net *mn = mn_nl_net(info);
	bool mtu_refused = false;
	struct mn_link link = {};
	int err;

	err = mn_nl_parse_link(info, &link);
	if (err)
		return err;
	if (iface->ifindex) {
		err = mn_apply_link(mn, iface->ifindex, &link, &mtu_refused,
				    info->extack);
	} else if (link.has_mtu && link.mtu > INT_MAX) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "MTU outside the device's range");
		err = -EINVAL;
		mtu_refused = true;
	}
	if (err && !mtu_refused)
		return err;
	if (mtu_refused)
		link.has_mtu = 0;
	if (link.has_admin || link.has_mtu || link.has_lladdr) {
		mn_link_merge(&iface->link, &link);
		mn->generation++;
	}
	return err ?: mn_nl_reply_iface(info, iface);
}

/* addresses */

static int mn_nl_parse_addr(struct genl_info *info, struct mn_addr *a,
			    bool del)
{
	struct nlattr *nest = info->attrs[MIRRORNET_A_ADDR];
	struct nlattr *tb[MIRRORNET_A_ADDR_MAX + 1];
	int err;

	err = mn_nl_parse_nest(info, MIRRORNET_A_ADDR, tb, MIRRORNET_A_ADDR_MAX,
			       mirrornet_addr_nl_policy);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_ADDR_FAMILY) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_ADDR_ADDRESS) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_ADDR_PREFIXLEN))
		return -EINVAL;
	err = mn_nl_family(info, tb[MIRRORNET_A_ADDR_FAMILY], &a->family) ?:
	      mn_nl_ip(info, tb[MIRRORNET_A_ADDR_ADDRESS], a->family, &a->addr);
	if (err)
		return err;
	err = mn_nl_prefixlen(info, tb[MIRRORNET_A_ADDR_PREFIXLEN], a->family,
			      &a->prefixlen);
	if (err || del)
		return err;

	a->flags = nla_get_u32_default(tb[MIRRORNET_A_ADDR_FLAGS], 0);
	a->scope = nla_get_u32_default(tb[MIRRORNET_A_ADDR_SCOPE],
				       RT_SCOPE_UNIVERSE);
	a->valid_lft = nla_get_u32_default(tb[MIRRORNET_A_ADDR_VALID_LFT],
					   MN_LFT_FOREVER);
	a->preferred_lft = nla_get_u32_default(tb[MIRRORNET_A_ADDR_PREFERRED_LFT],
					       a->valid_lft);
	if (a->preferred_lft > a->valid_lft) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[MIRRORNET_A_ADDR_PREFERRED_LFT],
				    "preferred lifetime exceeds the valid lifetime");
		return -EINVAL;
	}
	return 0;
}

/**
 * mirrornet_nl_addr_new_doit - add an address, or with replace add or replace it
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_addr_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	bool replace = nla_get_flag(info->attrs[MIRRORNET_A_REPLACE]);
	struct mn_iface *iface = mn_nl_iface(info);
	struct mn_net *mn = mn_nl_net(info);
	struct mn_kerr kerr = {};
	struct mn_addr a = {};
	struct mn_addr *cur;
	int err;

	err = mn_nl_parse_addr(info, &a, false);
	if (err)
		return err;
	cur = mn_addr_find(mn, iface, &a);
	if (!cur) {
		err = mn_objects_check(mn, info->extack);
		if (err)
			return err;
	}
	if (iface->ifindex) {
		err = mn_apply_addr(mn, iface->ifindex, &a,
				    replace ? MN_OP_REPLACE : MN_OP_ADD, &kerr);
		mn_nl_kerr(info, MIRRORNET_OBJECT_ADDR, &kerr, err);
	} else if (cur && !replace) {
		NL_SET_ERR_MSG_MOD(info->extack, "address already held");
		return -EEXIST;
	}
	/* An address the kernel already has is tracked from now on. */
	if (err && err != -EEXIST)
		return err;
	if (!cur) {
		cur = mn_addr_add(mn, iface, &a, info->extack);
		if (IS_ERR(cur))
			return PTR_ERR(cur);
	} else if (!err) {
		cur->scope = a.scope;
		cur->flags = a.flags;
		cur->preferred_lft = a.preferred_lft;
		cur->valid_lft = a.valid_lft;
		mn->generation++;
	}
	return err ?: mn_nl_reply_iface(info, iface);
}

/**
 * mirrornet_nl_addr_del_doit - delete an address and forget it
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_addr_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_iface *iface = mn_nl_iface(info);
	struct mn_net *mn = mn_nl_net(info);
	struct mn_kerr kerr = {};
	struct mn_addr a = {};
	struct mn_addr *cur;
	int err;

	err = mn_nl_parse_addr(info, &a, true);
	if (err)
		return err;
	cur = mn_addr_find(mn, iface, &a);
	if (iface->ifindex) {
		err = mn_apply_addr(mn, iface->ifindex, &a, MN_OP_DEL, &kerr);
		mn_nl_kerr(info, MIRRORNET_OBJECT_ADDR, &kerr, err);
	} else if (!cur) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such address held");
		return -EADDRNOTAVAIL;
	}
	if (cur)
		mn_addr_del(mn, cur);
	return err;
}

/* neighbours */

static int mn_nl_parse_neigh(struct genl_info *info, struct mn_neigh *n,
			     bool del)
{
	struct nlattr *nest = info->attrs[MIRRORNET_A_NEIGH];
	struct nlattr *tb[MIRRORNET_A_NEIGH_MAX + 1];
	int err;

	err = mn_nl_parse_nest(info, MIRRORNET_A_NEIGH, tb,
			       MIRRORNET_A_NEIGH_MAX, mirrornet_neigh_nl_policy);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_NEIGH_FAMILY) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_NEIGH_DST))
		return -EINVAL;
	err = mn_nl_family(info, tb[MIRRORNET_A_NEIGH_FAMILY], &n->family) ?:
	      mn_nl_ip(info, tb[MIRRORNET_A_NEIGH_DST], n->family, &n->dst);
	if (err || del)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_NEIGH_LLADDR))
		return -EINVAL;
	n->lladdr_len = nla_len(tb[MIRRORNET_A_NEIGH_LLADDR]);
	nla_memcpy(n->lladdr, tb[MIRRORNET_A_NEIGH_LLADDR], sizeof(n->lladdr));
	return 0;
}

/**
 * mirrornet_nl_neigh_new_doit - add or replace a permanent neighbour entry
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_neigh_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_iface *iface = mn_nl_iface(info);
	struct mn_net *mn = mn_nl_net(info);
	struct mn_kerr kerr = {};
	struct mn_neigh n = {};
	struct mn_neigh *cur;
	int err;

	err = mn_nl_parse_neigh(info, &n, false);
	if (err)
		return err;
	cur = mn_neigh_find(mn, iface, &n);
	if (!cur) {
		err = mn_objects_check(mn, info->extack);
		if (err)
			return err;
	}
	if (iface->ifindex) {
		err = mn_apply_neigh(mn, iface->ifindex, &n, MN_OP_REPLACE,
				     &kerr);
		mn_nl_kerr(info, MIRRORNET_OBJECT_NEIGH, &kerr, err);
		if (err)
			return err;
	}
	if (cur) {
		cur->lladdr_len = n.lladdr_len;
		memcpy(cur->lladdr, n.lladdr, n.lladdr_len);
		mn->generation++;
	} else {
		cur = mn_neigh_add(mn, iface, &n, info->extack);
		if (IS_ERR(cur))
			return PTR_ERR(cur);
	}
	return mn_nl_reply_iface(info, iface);
}

/**
 * mirrornet_nl_neigh_del_doit - delete a neighbour entry and forget it
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_neigh_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_iface *iface = mn_nl_iface(info);
	struct mn_net *mn = mn_nl_net(info);
	struct mn_kerr kerr = {};
	struct mn_neigh n = {};
	struct mn_neigh *cur;
	int err;

	err = mn_nl_parse_neigh(info, &n, true);
	if (err)
		return err;
	cur = mn_neigh_find(mn, iface, &n);
	if (iface->ifindex) {
		err = mn_apply_neigh(mn, iface->ifindex, &n, MN_OP_DEL, &kerr);
		mn_nl_kerr(info, MIRRORNET_OBJECT_NEIGH, &kerr, err);
	} else if (!cur) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such neighbour held");
		return -ENOENT;
	}
	if (cur)
		mn_neigh_del(mn, cur);
	return err;
}

/* routes */

static int mn_nl_parse_route(struct genl_info *info, struct mn_route *r)
{
	struct nlattr *nest = info->attrs[MIRRORNET_A_ROUTE];
	struct nlattr *tb[MIRRORNET_A_ROUTE_MAX + 1];
	struct in6_addr masked;
	u8 family;
	int err;

	err = mn_nl_parse_nest(info, MIRRORNET_A_ROUTE, tb,
			       MIRRORNET_A_ROUTE_MAX, mirrornet_route_nl_policy);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_ROUTE_FAMILY))
		return -EINVAL;
	err = mn_nl_family(info, tb[MIRRORNET_A_ROUTE_FAMILY], &family);
	if (err)
		return err;
	r->key.family = family;
	if (tb[MIRRORNET_A_ROUTE_DST_LEN]) {
		err = mn_nl_prefixlen(info, tb[MIRRORNET_A_ROUTE_DST_LEN],
				      family, &r->key.dst_len);
		if (err)
			return err;
	}
	if (tb[MIRRORNET_A_ROUTE_DST]) {
		err = mn_nl_ip(info, tb[MIRRORNET_A_ROUTE_DST], family,
			       &r->key.dst);
		if (err)
			return err;
		/* IPv4 sits in the first 4 bytes: the same mask applies. */
		ipv6_addr_prefix(&masked, &r->key.dst, r->key.dst_len);
		if (!ipv6_addr_equal(&masked, &r->key.dst)) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[MIRRORNET_A_ROUTE_DST],
					    "dst has bits set beyond dst-len");
			return -EINVAL;
		}
	} else if (r->key.dst_len) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MIRRORNET_A_ROUTE_DST_LEN],
				    "dst-len without dst");
		return -EINVAL;
	}
	if (tb[MIRRORNET_A_ROUTE_GATEWAY]) {
		err = mn_nl_ip(info, tb[MIRRORNET_A_ROUTE_GATEWAY], family,
			       &r->gw);
		if (err)
			return err;
		r->has_gw = 1;
	}
	if (tb[MIRRORNET_A_ROUTE_PREFSRC]) {
		err = mn_nl_ip(info, tb[MIRRORNET_A_ROUTE_PREFSRC], family,
			       &r->prefsrc);
		if (err)
			return err;
		r->has_prefsrc = 1;
	}
	r->key.metric = nla_get_u32_default(tb[MIRRORNET_A_ROUTE_METRIC], 0);
	/* IPv6 stores metric 0 as the user default: key it the same way. */
	if (family == AF_INET6 && !r->key.metric)
		r->key.metric = IP6_RT_PRIO_USER;
	r->key.table = nla_get_u32_default(tb[MIRRORNET_A_ROUTE_TABLE],
					   RT_TABLE_MAIN);
	r->type = nla_get_u32_default(tb[MIRRORNET_A_ROUTE_TYPE], RTN_UNICAST);
	r->flags = nla_get_u32_default(tb[MIRRORNET_A_ROUTE_FLAGS], 0);
	return 0;
}

/**
 * mirrornet_nl_route_new_doit - add a route, or with replace add or replace it
 * @skb: the request
 * @info: its attributes and extack
 *
 * A replace replaces what the kernel replaces, through any interface (see
 * mn_route_add()); the goal state follows.
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_route_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	bool replace = nla_get_flag(info->attrs[MIRRORNET_A_REPLACE]);
	struct mn_iface *iface = mn_nl_iface(info);
	struct mn_net *mn = mn_nl_net(info);
	struct mn_kerr kerr = {};
	struct mn_route r = {};
	bool stored;
	int err;

	err = mn_nl_parse_route(info, &r);
	if (err)
		return err;
	r.iface = iface;
	stored = replace ? !!mn_route_first(mn, &r.key) : !!mn_route_find(mn, &r);
	if (!stored) {
		err = mn_objects_check(mn, info->extack);
		if (err)
			return err;
	}
	if (iface->ifindex) {
		err = mn_apply_route(mn, iface->ifindex, &r,
				     replace ? MN_OP_REPLACE : MN_OP_ADD, &kerr);
		mn_nl_kerr(info, MIRRORNET_OBJECT_ROUTE, &kerr, err);
	} else if (!replace && stored) {
		NL_SET_ERR_MSG_MOD(info->extack, "route already held");
		return -EEXIST;
	}
	/* A route the kernel already has is tracked from now on. */
	if (err && err != -EEXIST)
		return err;
	if (!err || !stored) {
		int ret = mn_route_add(mn, iface, &r, replace && !err,
				       info->extack);

		err = err ?: ret;
	}
	return err ?: mn_nl_reply_iface(info, iface);
}

/**
 * mirrornet_nl_route_del_doit - delete a route and forget it
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_route_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_iface *iface = mn_nl_iface(info);
	struct mn_net *mn = mn_nl_net(info);
	struct mn_kerr kerr = {};
	struct mn_route r = {};
	struct mn_route *cur;
	int err;

	err = mn_nl_parse_route(info, &r);
	if (err)
		return err;
	r.iface = iface;
	cur = mn_route_find_del(mn, &r);
	if (iface->ifindex) {
		err = mn_apply_route(mn, iface->ifindex, &r, MN_OP_DEL, &kerr);
		mn_nl_kerr(info, MIRRORNET_OBJECT_ROUTE, &kerr, err);
	} else if (!cur) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such route held");
		return -ESRCH;
	}
	if (cur)
		mn_route_remove(mn, cur);
	return err;
}

struct mn_nl_flush_ctx {
	struct mn_net *mn;
	struct mn_iface *iface;
};

/* The interface's goal-state route with @r's identity and gateway. */
static struct mn_route *mn_nl_flush_find(struct mn_nl_flush_ctx *ctx,
					 const struct mn_route *r)
{
	struct mn_route probe = *r;

	probe.iface = ctx->iface;
	return mn_route_find(ctx->mn, &probe);
}

/* A route through the interface is ours if its goal state has it. */
static bool mn_nl_flush_ours(void *arg, const struct mn_route *r)
{
	return mn_nl_flush_find(arg, r);
}

/* The kernel deleted @r: forget it. */
static void mn_nl_flush_deleted(void *arg, const struct mn_route *r)
{
	struct mn_nl_flush_ctx *ctx = arg;
	struct mn_route *cur = mn_nl_flush_find(ctx, r);

	if (cur)
		mn_route_remove(ctx->mn, cur);
}

/**
 * mirrornet_nl_route_flush_doit - delete and forget an interface's matching routes
 * @skb: the request
 * @info: its attributes and extack
 *
 * Only the interface's goal-state routes are deleted (see
 * mn_apply_route_flush()). The goal state forgets the routes the kernel
 * deleted; once the flush succeeded, also those of the filter the kernel
 * did not have.
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_route_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[MIRRORNET_A_FLUSH_MAX + 1] = {};
	struct mn_iface *iface = mn_nl_iface(info);
	struct mn_net *mn = mn_nl_net(info);
	struct mn_nl_flush_ctx ctx = { .mn = mn, .iface = iface };
	struct mn_route *r, *tmp;
	struct mn_kerr kerr = {};
	struct mn_flush f = {};
	int err;

	if (info->attrs[MIRRORNET_A_FLUSH]) {
		err = mn_nl_parse_nest(info, MIRRORNET_A_FLUSH, tb,
				       MIRRORNET_A_FLUSH_MAX,
				       mirrornet_flush_nl_policy);
		if (err)
			return err;
	}
	if (tb[MIRRORNET_A_FLUSH_FAMILY]) {
		err = mn_nl_family(info, tb[MIRRORNET_A_FLUSH_FAMILY],
				   &f.family);
		if (err)
			return err;
	}
	f.table = nla_get_u32_default(tb[MIRRORNET_A_FLUSH_TABLE], 0);
	f.gateway_only = nla_get_flag(tb[MIRRORNET_A_FLUSH_GATEWAY_ONLY]);

	if (iface->ifindex) {
		err = mn_apply_route_flush(mn, iface->ifindex, &f,
					   mn_nl_flush_ours,
					   mn_nl_flush_deleted, &ctx, &kerr);
		mn_nl_kerr(info, MIRRORNET_OBJECT_ROUTE, &kerr, err);
		if (err)
			return err;
	}
	list_for_each_entry_safe(r, tmp, &iface->routes, node) {
		if ((f.family && r->key.family != f.family) ||
		    (f.table && r->key.table != f.table) ||
		    (f.gateway_only && !r->has_gw))
			continue;
		mn_route_remove(mn, r);
	}
	return 0;
}

/* rules */

static int mn_nl_parse_rule(struct genl_info *info, struct mn_rule *r)
{
	struct nlattr *nest = info->attrs[MIRRORNET_A_RULE];
	struct nlattr *tb[MIRRORNET_A_RULE_MAX + 1];
	int err;

	err = mn_nl_parse_nest(info, MIRRORNET_A_RULE, tb, MIRRORNET_A_RULE_MAX,
			       mirrornet_rule_nl_policy);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_RULE_FAMILY) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_RULE_TABLE))
		return -EINVAL;
	err = mn_nl_family(info, tb[MIRRORNET_A_RULE_FAMILY], &r->family);
	if (err)
		return err;
	r->table = nla_get_u32(tb[MIRRORNET_A_RULE_TABLE]);
	if (tb[MIRRORNET_A_RULE_PRIORITY]) {
		r->has_priority = 1;
		r->priority = nla_get_u32(tb[MIRRORNET_A_RULE_PRIORITY]);
	}
	if (tb[MIRRORNET_A_RULE_IP_PROTO]) {
		r->has_ip_proto = 1;
		r->ip_proto = nla_get_u32(tb[MIRRORNET_A_RULE_IP_PROTO]);
	}
	if (tb[MIRRORNET_A_RULE_IIFNAME]) {
		r->has_iifname = 1;
		/* zero-pads: the name is part of the hashed key */
		nla_strscpy(r->iifname, tb[MIRRORNET_A_RULE_IIFNAME],
			    sizeof(r->iifname));
	}
	return 0;
}

/**
 * mirrornet_nl_rule_new_doit - add a policy routing rule
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_rule_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_net *mn = mn_nl_net(info);
	struct mn_kerr kerr = {};
	struct mn_rule r = {};
	struct mn_rule *cur;
	int err;

	err = mn_nl_parse_rule(info, &r);
	if (err)
		return err;
	cur = mn_rule_find(mn, &r);
	if (!cur) {
		err = mn_objects_check(mn, info->extack);
		if (err)
			return err;
	}
	err = mn_apply_rule(mn, &r, MN_OP_ADD, &kerr);
	mn_nl_kerr(info, MIRRORNET_OBJECT_RULE, &kerr, err);
	/* A rule the kernel already has is tracked from now on. */
	if ((!err || err == -EEXIST) && !cur) {
		cur = mn_rule_add(mn, &r, info->extack);
		if (IS_ERR(cur))
			err = err ?: PTR_ERR(cur);
	}
	return err;
}

/**
 * mirrornet_nl_rule_del_doit - delete a policy routing rule and forget it
 * @skb: the request
 * @info: its attributes and extack
 *
 * Only the rule exactly as the module installs it is deleted (see
 * mn_apply_rule()); the goal state forgets the rule whatever the answer.
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_rule_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_net *mn = mn_nl_net(info);
	struct mn_kerr kerr = {};
	struct mn_rule r = {};
	struct mn_rule *cur;
	int err;

	err = mn_nl_parse_rule(info, &r);
	if (err)
		return err;
	err = mn_apply_rule(mn, &r, MN_OP_DEL, &kerr);
	if (err == -EBUSY)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "a rule with more selectors would be deleted instead");
	else
		mn_nl_kerr(info, MIRRORNET_OBJECT_RULE, &kerr, err);
	cur = mn_rule_find(mn, &r);
	if (cur)
		mn_rule_del(mn, cur);
	return err;
}

/* conf knobs */

/* The largest value each knob's sysctl accepts (as unsigned). */
static const u32 mn_conf_max[MN_CONF_KEYS] = {
	[MIRRORNET_CONF_KEY_IPV4_ACCEPT_LOCAL] = 1,
	[MIRRORNET_CONF_KEY_IPV4_ROUTE_LOCALNET] = 1,
	[MIRRORNET_CONF_KEY_IPV4_RP_FILTER] = 2,
	[MIRRORNET_CONF_KEY_IPV4_ARP_FILTER] = 1,
	[MIRRORNET_CONF_KEY_IPV6_ADDR_GEN_MODE] = 3,
	[MIRRORNET_CONF_KEY_IPV6_ACCEPT_RA] = 2,
	[MIRRORNET_CONF_KEY_IPV6_AUTOCONF] = 1,
	[MIRRORNET_CONF_KEY_IPV6_USE_TEMPADDR] = 2,
	[MIRRORNET_CONF_KEY_IPV6_DAD_TRANSMITS] = 255,
	[MIRRORNET_CONF_KEY_IPV6_ACCEPT_DAD] = 2,
};

/**
 * mirrornet_nl_conf_set_doit - set a per-interface IP configuration knob
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_conf_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *nest = info->attrs[MIRRORNET_A_CONF];
	struct mn_iface *iface = mn_nl_iface(info);
	struct nlattr *tb[MIRRORNET_A_CONF_MAX + 1];
	struct mn_net *mn = mn_nl_net(info);
	struct mn_kerr kerr = {};
	u32 key, value;
	int err;

	err = mn_nl_parse_nest(info, MIRRORNET_A_CONF, tb, MIRRORNET_A_CONF_MAX,
			       mirrornet_conf_nl_policy);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_CONF_KEY) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_CONF_VALUE))
		return -EINVAL;
	key = nla_get_u32(tb[MIRRORNET_A_CONF_KEY]);
	value = nla_get_u32(tb[MIRRORNET_A_CONF_VALUE]);
	/* The policy knows the keys and the largest of all ranges. */
	if (value > mn_conf_max[key]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MIRRORNET_A_CONF_VALUE],
				    "value out of range for this key");
		return -ERANGE;
	}
	if (iface->ifindex) {
		err = mn_apply_conf(mn, iface->ifindex, key, value, &kerr);
		mn_nl_kerr(info, MIRRORNET_OBJECT_CONF, &kerr, err);
		if (err)
			return err;
	}
	__set_bit(key, &iface->conf_set);
	iface->conf[key] = value;
	mn->generation++;
	return mn_nl_reply_iface(info, iface);
}

/**
 * mirrornet_nl_iface_del_doit - forget an interface's goal state
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0.
 */
int mirrornet_nl_iface_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	mn_iface_free(mn_nl_net(info), mn_nl_iface(info));
	info->user_ptr[MN_NL_PTR_IFACE] = NULL;
	return 0;
}

/* replies: one interface's goal state */

static int mn_nl_put_ip(struct sk_buff *skb, int type, u8 family,
			const struct in6_addr *ip)
{
	return nla_put(skb, type, family == AF_INET ? 4 : 16, ip);
}

static int mn_nl_put_link(struct sk_buff *skb, const struct mn_link *link)
{
	struct nlattr *nest;

	if (!link->has_admin && !link->has_mtu && !link->has_lladdr)
		return 0;
	nest = nla_nest_start(skb, MIRRORNET_A_LINK);
	if (!nest)
		return -EMSGSIZE;
	if ((link->has_admin &&
	     nla_put_u32(skb, MIRRORNET_A_LINK_ADMIN,
			 link->admin_up ? MIRRORNET_LINK_ADMIN_UP :
					  MIRRORNET_LINK_ADMIN_DOWN)) ||
	    (link->has_mtu &&
	     nla_put_u32(skb, MIRRORNET_A_LINK_MTU, link->mtu)) ||
	    (link->has_lladdr &&
	     nla_put(skb, MIRRORNET_A_LINK_LLADDR, link->lladdr_len,
		     link->lladdr))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int mn_nl_put_stats(struct sk_buff *skb, const struct mn_iface *iface)
{
	struct nlattr *nest = nla_nest_start(skb, MIRRORNET_A_STATS);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_uint(skb, MIRRORNET_A_STATS_REPAIRS, iface->repairs) ||
	    nla_put_uint(skb, MIRRORNET_A_STATS_APPLY_ERRORS,
			 iface->apply_errors)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int mn_nl_put_addr(struct sk_buff *skb, const struct mn_addr *a)
{
	struct nlattr *nest = nla_nest_start(skb, MIRRORNET_A_ADDR);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MIRRORNET_A_ADDR_FAMILY, a->family) ||
	    mn_nl_put_ip(skb, MIRRORNET_A_ADDR_ADDRESS, a->family, &a->addr) ||
	    nla_put_u32(skb, MIRRORNET_A_ADDR_PREFIXLEN, a->prefixlen) ||
	    nla_put_u32(skb, MIRRORNET_A_ADDR_FLAGS, a->flags) ||
	    nla_put_u32(skb, MIRRORNET_A_ADDR_PREFERRED_LFT, a->preferred_lft) ||
	    nla_put_u32(skb, MIRRORNET_A_ADDR_VALID_LFT, a->valid_lft) ||
	    nla_put_u32(skb, MIRRORNET_A_ADDR_SCOPE, a->scope)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int mn_nl_put_neigh(struct sk_buff *skb, const struct mn_neigh *n)
{
	struct nlattr *nest = nla_nest_start(skb, MIRRORNET_A_NEIGH);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MIRRORNET_A_NEIGH_FAMILY, n->family) ||
	    mn_nl_put_ip(skb, MIRRORNET_A_NEIGH_DST, n->family, &n->dst) ||
	    nla_put(skb, MIRRORNET_A_NEIGH_LLADDR, n->lladdr_len, n->lladdr)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int mn_nl_put_route(struct sk_buff *skb, const struct mn_route *r)
{
	struct nlattr *nest = nla_nest_start(skb, MIRRORNET_A_ROUTE);
	u8 family = r->key.family;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MIRRORNET_A_ROUTE_FAMILY, family) ||
	    (r->key.dst_len &&
	     mn_nl_put_ip(skb, MIRRORNET_A_ROUTE_DST, family, &r->key.dst)) ||
	    nla_put_u32(skb, MIRRORNET_A_ROUTE_DST_LEN, r->key.dst_len) ||
	    (r->has_gw &&
	     mn_nl_put_ip(skb, MIRRORNET_A_ROUTE_GATEWAY, family, &r->gw)) ||
	    (r->has_prefsrc &&
	     mn_nl_put_ip(skb, MIRRORNET_A_ROUTE_PREFSRC, family,
			  &r->prefsrc)) ||
	    nla_put_u32(skb, MIRRORNET_A_ROUTE_METRIC, r->key.metric) ||
	    nla_put_u32(skb, MIRRORNET_A_ROUTE_TABLE, r->key.table) ||
	    nla_put_u32(skb, MIRRORNET_A_ROUTE_TYPE, r->type) ||
	    nla_put_u32(skb, MIRRORNET_A_ROUTE_FLAGS, r->flags)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int mn_nl_put_conf(struct sk_buff *skb, unsigned int key, u32 value)
{
	struct nlattr *nest = nla_nest_start(skb, MIRRORNET_A_CONF);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MIRRORNET_A_CONF_KEY, key) ||
	    nla_put_u32(skb, MIRRORNET_A_CONF_VALUE, value)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Where a dump of an interface's goal state resumes: the part, and the
 * position in that part's list. The saved entry pointers are only used if
 * the goal state did not change since (gen): an entry is freed only with
 * mn->generation bumped. Else the dump walks to the saved positions, and
 * genl_dump_check_consistent() flags it as interrupted.
 */
enum mn_nl_part {
	MN_NL_PART_HEAD,	/* link, stats */
	MN_NL_PART_ADDRS,
	MN_NL_PART_NEIGHS,
	MN_NL_PART_ROUTES,
	MN_NL_PART_CONF,
	MN_NL_PART_DONE,
};

struct mn_nl_dump_ctx {
	const struct list_head *iface;	/* node of the interface to resume */
	const struct list_head *next;	/* entry to resume in the part */
	unsigned long iface_pos;
	unsigned long pos;
	unsigned int gen;
	u8 part;
};

static_assert(sizeof(struct mn_nl_dump_ctx) <=
	      sizeof_field(struct netlink_callback, ctx));

/* The entry of @head to resume at: the saved one, else the pos-th. */
static struct list_head *mn_nl_resume(struct mn_net *mn,
				      const struct mn_nl_dump_ctx *ctx,
				      const struct list_head *saved,
				      unsigned long pos, struct list_head *head)
{
	struct list_head *p;

	if (saved && ctx->gen == mn->generation)
		return (struct list_head *)saved;
	list_for_each(p, head)
		if (!pos--)
			break;
	return p;
}

static void mn_nl_part_done(struct mn_nl_dump_ctx *ctx)
{
	ctx->part++;
	ctx->pos = 0;
	ctx->next = NULL;
}

/* The part's entries from the saved position on, as many as fit. */
static int mn_nl_fill_addrs(struct sk_buff *skb, struct mn_net *mn,
			    struct mn_iface *iface, struct mn_nl_dump_ctx *ctx)
{
	struct list_head *p = mn_nl_resume(mn, ctx, ctx->next, ctx->pos,
					   &iface->addrs);
	struct mn_addr *a = list_entry(p, struct mn_addr, node);

	list_for_each_entry_from(a, &iface->addrs, node) {
		if (mn_nl_put_addr(skb, a)) {
			ctx->next = &a->node;
			return -EMSGSIZE;
		}
		ctx->pos++;
	}
	mn_nl_part_done(ctx);
	return 0;
}

static int mn_nl_fill_neighs(struct sk_buff *skb, struct mn_net *mn,
			     struct mn_iface *iface, struct mn_nl_dump_ctx *ctx)
{
	struct list_head *p = mn_nl_resume(mn, ctx, ctx->next, ctx->pos,
					   &iface->neighs);
	struct mn_neigh *n = list_entry(p, struct mn_neigh, node);

	list_for_each_entry_from(n, &iface->neighs, node) {
		if (mn_nl_put_neigh(skb, n)) {
			ctx->next = &n->node;
			return -EMSGSIZE;
		}
		ctx->pos++;
	}
	mn_nl_part_done(ctx);
	return 0;
}

static int mn_nl_fill_routes(struct sk_buff *skb, struct mn_net *mn,
			     struct mn_iface *iface, struct mn_nl_dump_ctx *ctx)
{
	struct list_head *p = mn_nl_resume(mn, ctx, ctx->next, ctx->pos,
					   &iface->routes);
	struct mn_route *r = list_entry(p, struct mn_route, node);

	list_for_each_entry_from(r, &iface->routes, node) {
		if (mn_nl_put_route(skb, r)) {
			ctx->next = &r->node;
			return -EMSGSIZE;
		}
		ctx->pos++;
	}
	mn_nl_part_done(ctx);
	return 0;
}

static int mn_nl_fill_conf(struct sk_buff *skb, struct mn_iface *iface,
			   struct mn_nl_dump_ctx *ctx)
{
	unsigned int key = ctx->pos;

	for_each_set_bit_from(key, &iface->conf_set, MN_CONF_KEYS) {
		if (mn_nl_put_conf(skb, key, iface->conf[key])) {
			ctx->pos = key;
			return -EMSGSIZE;
		}
	}
	mn_nl_part_done(ctx);
	return 0;
}

/*
 * Fill @skb with @iface's goal state from @ctx on: its identity, then
 * each part in turn, as far as it fits. Returns -EMSGSIZE with @ctx
 * where the next message resumes, or 0 once everything was put.
 */
static int mn_nl_fill_iface(struct sk_buff *skb, struct mn_net *mn,
			    struct mn_iface *iface, const uuid_t *hwkey,
			    struct mn_nl_dump_ctx *ctx)
{
	int err = 0;

	if (mn_nl_put_iface_id(skb, mn->net, iface->ifindex, hwkey))
		return -EMSGSIZE;
	if (ctx->part == MN_NL_PART_HEAD) {
		if (mn_nl_put_link(skb, &iface->link) ||
		    mn_nl_put_stats(skb, iface))
			return -EMSGSIZE;
		mn_nl_part_done(ctx);
	}
	if (ctx->part == MN_NL_PART_ADDRS)
		err = mn_nl_fill_addrs(skb, mn, iface, ctx);
	if (!err && ctx->part == MN_NL_PART_NEIGHS)
		err = mn_nl_fill_neighs(skb, mn, iface, ctx);
	if (!err && ctx->part == MN_NL_PART_ROUTES)
		err = mn_nl_fill_routes(skb, mn, iface, ctx);
	if (!err && ctx->part == MN_NL_PART_CONF)
		err = mn_nl_fill_conf(skb, iface, ctx);
	return err;
}

/*
 * One dump message for an interface. Returns 0 once all of it was sent,
 * -EMSGSIZE if the rest continues in the next message (after some of it
 * was put here, unless nothing fit at all).
 */
static int mn_nl_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			  struct mn_net *mn, struct mn_iface *iface,
			  struct mn_nl_dump_ctx *ctx)
{
	struct mn_nl_dump_ctx before = *ctx;
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &mirrornet_nl_family, NLM_F_MULTI,
			  MIRRORNET_CMD_IFACE_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	err = mn_nl_fill_iface(skb, mn, iface, mn_iface_hwkey(iface), ctx);
	if (err && ctx->part == before.part && ctx->pos == before.pos) {
		/* nothing of this interface fit: all of it in the next one */
		*ctx = before;
		genlmsg_cancel(skb, hdr);
		return err;
	}
	genlmsg_end(skb, hdr);
	return err;
}

static bool mn_nl_iface_match(struct mn_net *mn, const struct mn_iface *iface,
			      struct nlattr **attrs)
{
	if (attrs[MIRRORNET_A_IFINDEX])
		return iface->ifindex == nla_get_u32(attrs[MIRRORNET_A_IFINDEX]);
	if (attrs[MIRRORNET_A_HWKEY])
		return iface->has_hwkey &&
		       !memcmp(&iface->hwkey, nla_data(attrs[MIRRORNET_A_HWKEY]),
			       sizeof(iface->hwkey));
	if (attrs[MIRRORNET_A_IFNAME]) {
		struct net_device *dev;
		bool match;

		rcu_read_lock();
		dev = dev_get_by_name_rcu(mn->net,
					  nla_data(attrs[MIRRORNET_A_IFNAME]));
		match = dev && dev->ifindex == iface->ifindex;
		rcu_read_unlock();
		return match;
	}
	return true;
}

/**
 * mirrornet_nl_iface_get_dumpit - dump the goal state, one message per interface
 * @skb: the message to fill
 * @cb: the dump's state
 *
 * An optional selector filters the interfaces. An interface that does not
 * fit in one message continues in further messages, inside any of its
 * lists. A namespace without state dumps nothing.
 *
 * Return: the length of @skb, or a negative errno if nothing fit.
 */
int mirrornet_nl_iface_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct mn_net *mn = mn_net_get(sock_net(cb->skb->sk));
	struct mn_nl_dump_ctx *ctx = (void *)cb->ctx;
	struct nlattr **attrs = mn_dump_attrs(cb);
	struct mn_iface *iface;
	struct list_head *p;
	int err = 0;

	if (!mn)
		return 0;
	mn_lock_read(mn);
	cb->seq = mn->generation;
	p = mn_nl_resume(mn, ctx, ctx->iface, ctx->iface_pos, &mn->ifaces);
	iface = list_entry(p, struct mn_iface, node);
	list_for_each_entry_from(iface, &mn->ifaces, node) {
		if (mn_nl_iface_match(mn, iface, attrs)) {
			err = mn_nl_dump_one(skb, cb, mn, iface, ctx);
			if (err)
				break;
		}
		ctx->iface_pos++;
		ctx->part = MN_NL_PART_HEAD;
		ctx->pos = 0;
		ctx->next = NULL;
	}
	ctx->iface = &iface->node;
	ctx->gen = mn->generation;
	mn_unlock(mn);
	return err && !skb->len ? err : skb->len;
}

/*
 * Resolve a get request's selector, tracking nothing: a present netdev
 * (*@ifindexp) and its goal state if tracked (*@ifacep, else NULL), or the
 * state held for a hardware key (*@ifindexp 0). @mn may be NULL.
 */
static int mn_nl_get_resolve(struct genl_info *info, struct mn_net *mn,
			     int *ifindexp, struct mn_iface **ifacep)
{
	struct mn_iface *iface = NULL;
	const uuid_t *hwkey;
	int ifindex;
	uuid_t key;

	ifindex = mn_nl_selector(info, genl_info_net(info), &key, &hwkey);
	if (ifindex < 0)
		return ifindex;
	if (mn)
		iface = mn_iface_find(mn, ifindex, hwkey);
	if (hwkey)
		ifindex = iface ? iface->ifindex :
			  mn ? mn_hwkey_lookup(mn, hwkey) : 0;
	if (!ifindex && !iface)
		return mn_nl_no_iface(info);
	*ifindexp = ifindex;
	*ifacep = iface;
	return 0;
}

static int mn_nl_get_fill(struct sk_buff *msg, struct genl_info *info,
			  struct mn_net *mn)
{
	struct mn_nl_dump_ctx ctx = {};
	struct mn_iface *iface = NULL;
	const uuid_t *hwkey = NULL;
	int ifindex, err;

	err = mn_nl_get_resolve(info, mn, &ifindex, &iface);
	if (err)
		return err;
	/* A present netdev's own key; else the key its state is held for. */
	if (mn)
		hwkey = ifindex ? mn_hwkey_of_ifindex(mn, ifindex) :
				  mn_iface_hwkey(iface);
	if (iface)
		return mn_nl_fill_iface(msg, mn, iface, hwkey, &ctx);
	return mn_nl_put_iface_id(msg, genl_info_net(info), ifindex, hwkey);
}

/**
 * mirrornet_nl_iface_get_doit - one interface, resolved without tracking it
 * @skb: the request
 * @info: its attributes and extack
 *
 * Replies, in one message of at most NLMSG_GOODSIZE bytes, with a present
 * netdev's identity and its goal state if it has one, or with the state
 * held for a hardware key. A larger goal state is for the dump.
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_iface_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_net *mn = mn_net_get(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mirrornet_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	if (mn)
		mn_lock_read(mn);
	err = mn_nl_get_fill(msg, info, mn);
	if (mn)
		mn_unlock(mn);
	if (err) {
		if (err == -EMSGSIZE)
			NL_SET_ERR_MSG_MOD(info->extack,
					   "goal state too large for one message, dump it");
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int mn_nl_put_rule(struct sk_buff *skb, const struct mn_rule *r)
{
	struct nlattr *nest = nla_nest_start(skb, MIRRORNET_A_RULE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MIRRORNET_A_RULE_FAMILY, r->family) ||
	    nla_put_u32(skb, MIRRORNET_A_RULE_TABLE, r->table) ||
	    (r->has_priority &&
	     nla_put_u32(skb, MIRRORNET_A_RULE_PRIORITY, r->priority)) ||
	    (r->has_ip_proto &&
	     nla_put_u32(skb, MIRRORNET_A_RULE_IP_PROTO, r->ip_proto)) ||
	    (r->has_iifname &&
	     nla_put_string(skb, MIRRORNET_A_RULE_IIFNAME, r->iifname))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * mirrornet_nl_rule_get_dumpit - dump the goal-state policy rules
 * @skb: the message to fill
 * @cb: the dump's state
 *
 * Return: the length of @skb, 0 once every rule was sent.
 */
int mirrornet_nl_rule_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct mn_net *mn = mn_net_get(sock_net(cb->skb->sk));
	struct mn_nl_dump_ctx *ctx = (void *)cb->ctx;
	struct list_head *p;
	struct mn_rule *r;
	void *hdr;

	if (!mn)
		return 0;
	mn_lock_read(mn);
	cb->seq = mn->generation;
	p = mn_nl_resume(mn, ctx, ctx->next, ctx->pos, &mn->rules);
	r = list_entry(p, struct mn_rule, node);
	list_for_each_entry_from(r, &mn->rules, node) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &mirrornet_nl_family,
				  NLM_F_MULTI, MIRRORNET_CMD_RULE_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (mn_nl_put_rule(skb, r)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		ctx->pos++;
	}
	ctx->next = &r->node;
	ctx->gen = mn->generation;
	mn_unlock(mn);
	return skb->len;
}
