// SPDX-License-Identifier: GPL-2.0
/*
 * The mirrornet generic netlink family: request parsing, the goal-state
 * update that follows a successful apply, and the dumps.
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

/* The largest reply a get builds; a larger interface is for the dump. */
#define MN_NL_GET_MAX	(NLMSG_GOODSIZE << 8)

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
static int mn_nl_selector(struct genl_info *info, struct mn_net *mn,
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
		dev = dev_get_by_index_rcu(mn->net,
					   nla_get_u32(attrs[MIRRORNET_A_IFINDEX]));
	else
		dev = dev_get_by_name_rcu(mn->net,
					  nla_data(attrs[MIRRORNET_A_IFNAME]));
	if (dev)
		ifindex = dev->ifindex;
	rcu_read_unlock();
	return ifindex ?: mn_nl_no_iface(info);
}

/* Resolve the request's one interface selector and track that interface. */
static int mn_nl_iface(struct genl_info *info, struct mn_net *mn,
		       struct mn_iface **ifacep)
{
	const uuid_t *hwkey;
	int ifindex;
	uuid_t key;

	ifindex = mn_nl_selector(info, mn, &key, &hwkey);
	if (ifindex < 0)
		return ifindex;
	*ifacep = mn_iface_get(mn, ifindex, hwkey);
	return *ifacep ? 0 : -ENOMEM;
}

/* Lock the namespace's state and resolve the request's interface. */
static int mn_nl_begin(struct genl_info *info, struct mn_net *mn,
		       struct mn_iface **ifacep)
{
	int err;

	mn_lock_hwkey(mn, info->attrs[MIRRORNET_A_HWKEY] ?
		      nla_data(info->attrs[MIRRORNET_A_HWKEY]) : NULL);
	err = mn_nl_iface(info, mn, ifacep);
	if (err)
		mn_unlock(mn);
	return err;
}

/*
 * Unlock after mn_nl_begin(), passing @err on; an interface a failed or
 * deleting request left empty stops being tracked.
 */
static int mn_nl_end(struct mn_net *mn, struct mn_iface *iface, int err)
{
	if (mn_iface_is_empty(iface))
		mn_iface_free(mn, iface);
	mn_unlock(mn);
	return err;
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

static int mn_nl_family(struct genl_info *info, struct nlattr *nest,
			struct nlattr **tb, int type, u8 *family)
{
	u32 val;

	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, type))
		return -EINVAL;
	val = nla_get_u32(tb[type]);
	if (val != AF_INET && val != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[type],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	*family = val;
	return 0;
}

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

static int mn_nl_lladdr(struct genl_info *info, const struct nlattr *attr,
			u8 *lladdr, u8 *len)
{
	if (!nla_len(attr) || nla_len(attr) > MAX_ADDR_LEN) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "lladdr must be 1 to 32 bytes");
		return -EINVAL;
	}
	*len = nla_len(attr);
	memcpy(lladdr, nla_data(attr), *len);
	return 0;
}

/**
 * mirrornet_nl_link_set_doit - set a link's admin state, MTU or link-layer address
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_link_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[MIRRORNET_A_LINK_MAX + 1];
	struct mn_net *mn = mn_net_get_or_create(genl_info_net(info));
	struct mn_link link = {};
	struct mn_iface *iface;
	int err;

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	err = mn_nl_parse_nest(info, MIRRORNET_A_LINK, tb, MIRRORNET_A_LINK_MAX,
			       mirrornet_link_nl_policy);
	if (err)
		return err;
	if (tb[MIRRORNET_A_LINK_ADMIN]) {
		link.has_admin = 1;
		link.admin_up = nla_get_u32(tb[MIRRORNET_A_LINK_ADMIN]) ==
				MIRRORNET_LINK_ADMIN_UP;
	}
	if (tb[MIRRORNET_A_LINK_MTU]) {
		link.has_mtu = 1;
		link.mtu = nla_get_u32(tb[MIRRORNET_A_LINK_MTU]);
	}
	if (tb[MIRRORNET_A_LINK_LLADDR]) {
		err = mn_nl_lladdr(info, tb[MIRRORNET_A_LINK_LLADDR],
				   link.lladdr, &link.lladdr_len);
		if (err)
			return err;
		link.has_lladdr = 1;
	}
	if (!link.has_admin && !link.has_mtu && !link.has_lladdr) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MIRRORNET_A_LINK],
				    "nothing to set");
		return -EINVAL;
	}

	err = mn_nl_begin(info, mn, &iface);
	if (err)
		return err;
	if (iface->ifindex)
		err = mn_apply_link(mn, iface->ifindex, &link, info->extack);
	if (!err) {
		struct mn_link *cur = &iface->link;

		if (link.has_admin) {
			cur->has_admin = 1;
			cur->admin_up = link.admin_up;
		}
		if (link.has_mtu) {
			cur->has_mtu = 1;
			cur->mtu = link.mtu;
		}
		if (link.has_lladdr) {
			cur->has_lladdr = 1;
			cur->lladdr_len = link.lladdr_len;
			memcpy(cur->lladdr, link.lladdr, link.lladdr_len);
		}
		mn->generation++;
		err = mn_nl_reply_iface(info, iface);
	}
	return mn_nl_end(mn, iface, err);
}

/*
 * Addresses and neighbours are kept on a list per interface, found by key
 * and applied through rtnetlink: their new and del requests are one piece
 * of logic over the operations below. A request's object is parsed into
 * the union; the list node comes first in each kind, so that a list entry
 * is the object.
 */
union mn_nl_listed {
	struct mn_addr addr;
	struct mn_neigh neigh;
};

static_assert(offsetof(struct mn_addr, node) == 0);
static_assert(offsetof(struct mn_neigh, node) == 0);

/**
 * struct mn_nl_listed_ops - what tells addresses and neighbours apart
 * @object: the kind, for messages
 * @size: size of a stored object
 * @list: offset of the kind's list in struct mn_iface
 * @parse: parse a request's object; with @del only its key
 * @find: the stored object with the same key, or NULL
 * @apply: apply an object to a present netdev
 * @held: extack and errno of a new object already held, without replace
 *	(only for a kind that can be added without replace)
 * @not_held: extack and errno of a deleted object not held
 */
struct mn_nl_listed_ops {
	enum mirrornet_object object;
	size_t size;
	size_t list;
	int (*parse)(struct genl_info *info, union mn_nl_listed *obj, bool del);
	struct list_head *(*find)(struct mn_iface *iface,
				  const union mn_nl_listed *obj);
	int (*apply)(struct mn_net *mn, int ifindex,
		     const union mn_nl_listed *obj, enum mn_op op,
		     struct mn_kerr *kerr);
	int (*held)(struct netlink_ext_ack *extack);
	int (*not_held)(struct netlink_ext_ack *extack);
};

static int mn_nl_parse_addr(struct genl_info *info, union mn_nl_listed *obj,
			    bool del)
{
	struct nlattr *nest = info->attrs[MIRRORNET_A_ADDR];
	struct nlattr *tb[MIRRORNET_A_ADDR_MAX + 1];
	struct mn_addr *a = &obj->addr;
	int err;

	err = mn_nl_parse_nest(info, MIRRORNET_A_ADDR, tb, MIRRORNET_A_ADDR_MAX,
			       mirrornet_addr_nl_policy);
	if (err)
		return err;
	err = mn_nl_family(info, nest, tb, MIRRORNET_A_ADDR_FAMILY, &a->family);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_ADDR_ADDRESS) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_ADDR_PREFIXLEN))
		return -EINVAL;
	err = mn_nl_ip(info, tb[MIRRORNET_A_ADDR_ADDRESS], a->family, &a->addr);
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
	if (!a->valid_lft) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MIRRORNET_A_ADDR_VALID_LFT],
				    "valid lifetime must not be 0");
		return -EINVAL;
	}
	if (a->preferred_lft > a->valid_lft) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[MIRRORNET_A_ADDR_PREFERRED_LFT],
				    "preferred lifetime exceeds the valid lifetime");
		return -EINVAL;
	}
	return 0;
}

static struct list_head *mn_nl_find_addr(struct mn_iface *iface,
					 const union mn_nl_listed *obj)
{
	struct mn_addr *a = mn_addr_find(iface, &obj->addr);

	return a ? &a->node : NULL;
}

static int mn_nl_apply_addr(struct mn_net *mn, int ifindex,
			    const union mn_nl_listed *obj, enum mn_op op,
			    struct mn_kerr *kerr)
{
	return mn_apply_addr(mn, ifindex, &obj->addr, op, kerr);
}

static int mn_nl_addr_held(struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_MOD(extack, "address already held");
	return -EEXIST;
}

static int mn_nl_addr_not_held(struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_MOD(extack, "no such address held");
	return -EADDRNOTAVAIL;
}

static const struct mn_nl_listed_ops mn_nl_addr_ops = {
	.object		= MIRRORNET_OBJECT_ADDR,
	.size		= sizeof(struct mn_addr),
	.list		= offsetof(struct mn_iface, addrs),
	.parse		= mn_nl_parse_addr,
	.find		= mn_nl_find_addr,
	.apply		= mn_nl_apply_addr,
	.held		= mn_nl_addr_held,
	.not_held	= mn_nl_addr_not_held,
};

static int mn_nl_parse_neigh(struct genl_info *info, union mn_nl_listed *obj,
			     bool del)
{
	struct nlattr *nest = info->attrs[MIRRORNET_A_NEIGH];
	struct nlattr *tb[MIRRORNET_A_NEIGH_MAX + 1];
	struct mn_neigh *n = &obj->neigh;
	int err;

	err = mn_nl_parse_nest(info, MIRRORNET_A_NEIGH, tb,
			       MIRRORNET_A_NEIGH_MAX, mirrornet_neigh_nl_policy);
	if (err)
		return err;
	err = mn_nl_family(info, nest, tb, MIRRORNET_A_NEIGH_FAMILY, &n->family);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_NEIGH_DST))
		return -EINVAL;
	err = mn_nl_ip(info, tb[MIRRORNET_A_NEIGH_DST], n->family, &n->dst);
	if (err || del)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_NEIGH_LLADDR))
		return -EINVAL;
	return mn_nl_lladdr(info, tb[MIRRORNET_A_NEIGH_LLADDR], n->lladdr,
			    &n->lladdr_len);
}

static struct list_head *mn_nl_find_neigh(struct mn_iface *iface,
					  const union mn_nl_listed *obj)
{
	struct mn_neigh *n = mn_neigh_find(iface, &obj->neigh);

	return n ? &n->node : NULL;
}

static int mn_nl_apply_neigh(struct mn_net *mn, int ifindex,
			     const union mn_nl_listed *obj, enum mn_op op,
			     struct mn_kerr *kerr)
{
	return mn_apply_neigh(mn, ifindex, &obj->neigh, op, kerr);
}

static int mn_nl_neigh_not_held(struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_MOD(extack, "no such neighbour held");
	return -ENOENT;
}

/* Neighbour entries are always added or replaced: no @held. */
static const struct mn_nl_listed_ops mn_nl_neigh_ops = {
	.object		= MIRRORNET_OBJECT_NEIGH,
	.size		= sizeof(struct mn_neigh),
	.list		= offsetof(struct mn_iface, neighs),
	.parse		= mn_nl_parse_neigh,
	.find		= mn_nl_find_neigh,
	.apply		= mn_nl_apply_neigh,
	.not_held	= mn_nl_neigh_not_held,
};

/* Apply @obj to the present netdev of @iface, reporting a refusal. */
static int mn_nl_listed_apply(struct genl_info *info,
			      const struct mn_nl_listed_ops *ops,
			      struct mn_net *mn, const struct mn_iface *iface,
			      const union mn_nl_listed *obj, enum mn_op op)
{
	struct mn_kerr kerr = {};
	int err;

	err = ops->apply(mn, iface->ifindex, obj, op, &kerr);
	if (err)
		mn_set_kerr(info->extack, ops->object, &kerr);
	return err;
}

/* Add an address or neighbour, or with @replace add or replace it. */
static int mn_nl_listed_new(struct genl_info *info,
			    const struct mn_nl_listed_ops *ops, bool replace)
{
	struct mn_net *mn = mn_net_get_or_create(genl_info_net(info));
	union mn_nl_listed obj = {};
	struct mn_iface *iface;
	struct list_head *cur;
	int err;

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	err = ops->parse(info, &obj, false);
	if (err)
		return err;

	err = mn_nl_begin(info, mn, &iface);
	if (err)
		return err;
	cur = ops->find(iface, &obj);
	if (iface->ifindex)
		err = mn_nl_listed_apply(info, ops, mn, iface, &obj,
					 replace ? MN_OP_REPLACE : MN_OP_ADD);
	else if (cur && !replace)
		err = ops->held(info->extack);
	/* An object the kernel already has is tracked from now on. */
	if (!err || err == -EEXIST) {
		if (!cur) {
			cur = kmemdup(&obj, ops->size, GFP_KERNEL);
			if (cur)
				list_add_tail(cur, (void *)iface + ops->list);
			else
				err = -ENOMEM;
		} else if (!err) {
			struct list_head node = *cur;

			memcpy(cur, &obj, ops->size);
			*cur = node;
		}
		mn->generation++;
	}
	if (!err)
		err = mn_nl_reply_iface(info, iface);
	return mn_nl_end(mn, iface, err);
}

/* Delete an address or neighbour and forget it. */
static int mn_nl_listed_del(struct genl_info *info,
			    const struct mn_nl_listed_ops *ops)
{
	struct mn_net *mn = mn_net_get_or_create(genl_info_net(info));
	union mn_nl_listed obj = {};
	struct mn_iface *iface;
	struct list_head *cur;
	int err;

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	err = ops->parse(info, &obj, true);
	if (err)
		return err;

	err = mn_nl_begin(info, mn, &iface);
	if (err)
		return err;
	cur = ops->find(iface, &obj);
	if (iface->ifindex)
		err = mn_nl_listed_apply(info, ops, mn, iface, &obj, MN_OP_DEL);
	else if (!cur)
		err = ops->not_held(info->extack);
	if (cur) {
		list_del(cur);
		kfree(cur);
		mn->generation++;
	}
	return mn_nl_end(mn, iface, err);
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
	return mn_nl_listed_new(info, &mn_nl_addr_ops,
				nla_get_flag(info->attrs[MIRRORNET_A_REPLACE]));
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
	return mn_nl_listed_del(info, &mn_nl_addr_ops);
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
	return mn_nl_listed_new(info, &mn_nl_neigh_ops, true);
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
	return mn_nl_listed_del(info, &mn_nl_neigh_ops);
}

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
	err = mn_nl_family(info, nest, tb, MIRRORNET_A_ROUTE_FAMILY, &family);
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

/* Store a route the kernel accepted (or already had). */
static int mn_nl_route_store(struct mn_net *mn, struct mn_iface *iface,
			     const struct mn_route *r, bool replace)
{
	struct mn_route *cur;
	int err;

	if (replace) {
		while ((cur = mn_route_first(mn, &r->key)))
			mn_route_remove(mn, cur);
	} else if (mn_route_find(mn, r)) {
		return 0;
	}
	cur = kmemdup(r, sizeof(*r), GFP_KERNEL);
	if (!cur)
		return -ENOMEM;
	err = mn_route_insert(mn, iface, cur);
	if (err)
		kfree(cur);
	return err;
}

/**
 * mirrornet_nl_route_new_doit - add a route, or with replace add or replace it
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_route_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_net *mn = mn_net_get_or_create(genl_info_net(info));
	bool replace = nla_get_flag(info->attrs[MIRRORNET_A_REPLACE]);
	struct mn_kerr kerr = {};
	struct mn_iface *iface;
	struct mn_route r = {};
	int err;

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	err = mn_nl_parse_route(info, &r);
	if (err)
		return err;

	err = mn_nl_begin(info, mn, &iface);
	if (err)
		return err;
	r.key.iface = iface;
	if (iface->ifindex) {
		err = mn_apply_route(mn, iface->ifindex, &r,
				     replace ? MN_OP_REPLACE : MN_OP_ADD, &kerr);
		if (err)
			mn_set_kerr(info->extack, MIRRORNET_OBJECT_ROUTE,
				    &kerr);
	} else if (!replace && mn_route_find(mn, &r)) {
		NL_SET_ERR_MSG_MOD(info->extack, "route already held");
		err = -EEXIST;
	}
	/* A route the kernel already has is tracked from now on. */
	if (!err || (err == -EEXIST && iface->ifindex)) {
		int ret = mn_nl_route_store(mn, iface, &r, replace);

		err = err ?: ret;
	}
	if (!err)
		err = mn_nl_reply_iface(info, iface);
	return mn_nl_end(mn, iface, err);
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
	struct mn_net *mn = mn_net_get_or_create(genl_info_net(info));
	struct mn_kerr kerr = {};
	struct mn_iface *iface;
	struct mn_route r = {};
	struct mn_route *cur;
	int err;

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	err = mn_nl_parse_route(info, &r);
	if (err)
		return err;

	err = mn_nl_begin(info, mn, &iface);
	if (err)
		return err;
	r.key.iface = iface;
	cur = r.has_gw ? mn_route_find(mn, &r) : mn_route_first(mn, &r.key);
	if (iface->ifindex) {
		err = mn_apply_route(mn, iface->ifindex, &r, MN_OP_DEL, &kerr);
		if (err)
			mn_set_kerr(info->extack, MIRRORNET_OBJECT_ROUTE,
				    &kerr);
	} else if (!cur) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such route held");
		err = -ESRCH;
	}
	if (cur)
		mn_route_remove(mn, cur);
	return mn_nl_end(mn, iface, err);
}

/**
 * mirrornet_nl_route_flush_doit - delete and forget an interface's matching routes
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_route_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_net *mn = mn_net_get_or_create(genl_info_net(info));
	struct nlattr *tb[MIRRORNET_A_FLUSH_MAX + 1] = {};
	struct mn_route *r, *tmp;
	struct mn_kerr kerr = {};
	struct mn_iface *iface;
	bool gateway_only;
	u32 family, table;
	int err;

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	if (info->attrs[MIRRORNET_A_FLUSH]) {
		err = mn_nl_parse_nest(info, MIRRORNET_A_FLUSH, tb,
				       MIRRORNET_A_FLUSH_MAX,
				       mirrornet_flush_nl_policy);
		if (err)
			return err;
	}
	family = nla_get_u32_default(tb[MIRRORNET_A_FLUSH_FAMILY], AF_UNSPEC);
	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MIRRORNET_A_FLUSH_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	table = nla_get_u32_default(tb[MIRRORNET_A_FLUSH_TABLE], 0);
	gateway_only = nla_get_flag(tb[MIRRORNET_A_FLUSH_GATEWAY_ONLY]);

	err = mn_nl_begin(info, mn, &iface);
	if (err)
		return err;
	if (iface->ifindex) {
		err = mn_apply_route_flush(mn, iface->ifindex, family, table,
					   gateway_only, &kerr);
		if (err)
			mn_set_kerr(info->extack, MIRRORNET_OBJECT_ROUTE,
				    &kerr);
	}
	list_for_each_entry_safe(r, tmp, &iface->routes, node) {
		if ((family && r->key.family != family) ||
		    (table && r->key.table != table) ||
		    (gateway_only && !r->has_gw))
			continue;
		mn_route_remove(mn, r);
	}
	return mn_nl_end(mn, iface, err);
}

static int mn_nl_parse_rule(struct genl_info *info, struct mn_rule *r)
{
	struct nlattr *nest = info->attrs[MIRRORNET_A_RULE];
	struct nlattr *tb[MIRRORNET_A_RULE_MAX + 1];
	int err;

	err = mn_nl_parse_nest(info, MIRRORNET_A_RULE, tb, MIRRORNET_A_RULE_MAX,
			       mirrornet_rule_nl_policy);
	if (err)
		return err;
	err = mn_nl_family(info, nest, tb, MIRRORNET_A_RULE_FAMILY, &r->family);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_RULE_TABLE))
		return -EINVAL;
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
	struct mn_net *mn = mn_net_get_or_create(genl_info_net(info));
	struct mn_kerr kerr = {};
	struct mn_rule r = {};
	struct mn_rule *cur;
	int err;

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	err = mn_nl_parse_rule(info, &r);
	if (err)
		return err;

	mn_lock(mn);
	err = mn_apply_rule(mn, &r, MN_OP_ADD, &kerr);
	if (err)
		mn_set_kerr(info->extack, MIRRORNET_OBJECT_RULE,
			    &kerr);
	/* A rule the kernel already has is tracked from now on. */
	if ((!err || err == -EEXIST) && !mn_rule_find(mn, &r)) {
		cur = kmemdup(&r, sizeof(r), GFP_KERNEL);
		if (cur) {
			list_add_tail(&cur->node, &mn->rules);
			mn->generation++;
		} else {
			err = -ENOMEM;
		}
	}
	mn_unlock(mn);
	return err;
}

/**
 * mirrornet_nl_rule_del_doit - delete a policy routing rule and forget it
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_rule_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_net *mn = mn_net_get_or_create(genl_info_net(info));
	struct mn_kerr kerr = {};
	struct mn_rule r = {};
	struct mn_rule *cur;
	int err;

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	err = mn_nl_parse_rule(info, &r);
	if (err)
		return err;

	mn_lock(mn);
	err = mn_apply_rule(mn, &r, MN_OP_DEL, &kerr);
	if (err)
		mn_set_kerr(info->extack, MIRRORNET_OBJECT_RULE,
			    &kerr);
	cur = mn_rule_find(mn, &r);
	if (cur) {
		list_del(&cur->node);
		kfree(cur);
		mn->generation++;
	}
	mn_unlock(mn);
	return err;
}

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
	struct mn_net *mn = mn_net_get_or_create(genl_info_net(info));
	struct nlattr *nest = info->attrs[MIRRORNET_A_CONF];
	struct nlattr *tb[MIRRORNET_A_CONF_MAX + 1];
	struct mn_kerr kerr = {};
	struct mn_iface *iface;
	u32 key, value;
	int err;

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	err = mn_nl_parse_nest(info, MIRRORNET_A_CONF, tb, MIRRORNET_A_CONF_MAX,
			       mirrornet_conf_nl_policy);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_CONF_KEY) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, MIRRORNET_A_CONF_VALUE))
		return -EINVAL;
	key = nla_get_u32(tb[MIRRORNET_A_CONF_KEY]);
	value = nla_get_u32(tb[MIRRORNET_A_CONF_VALUE]);
	if (value > mn_conf_max[key]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MIRRORNET_A_CONF_VALUE],
				    "value out of range for this key");
		return -ERANGE;
	}

	err = mn_nl_begin(info, mn, &iface);
	if (err)
		return err;
	if (iface->ifindex) {
		err = mn_apply_conf(mn, iface->ifindex, key, value, &kerr);
		if (err)
			mn_set_kerr(info->extack, MIRRORNET_OBJECT_CONF,
				    &kerr);
	}
	if (!err) {
		__set_bit(key, &iface->conf_set);
		iface->conf[key] = value;
		mn->generation++;
		err = mn_nl_reply_iface(info, iface);
	}
	return mn_nl_end(mn, iface, err);
}

/**
 * mirrornet_nl_iface_del_doit - forget an interface's goal state
 * @skb: the request
 * @info: its attributes and extack
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_iface_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_net *mn = mn_net_get_or_create(genl_info_net(info));
	struct mn_iface *iface;
	int err;

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	err = mn_nl_begin(info, mn, &iface);
	if (err)
		return err;
	mn_iface_free(mn, iface);
	mn_unlock(mn);
	return 0;
}

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

static int mn_nl_put_conf(struct sk_buff *skb, const struct mn_iface *iface)
{
	unsigned int key;

	for_each_set_bit(key, &iface->conf_set, MN_CONF_KEYS) {
		struct nlattr *nest = nla_nest_start(skb, MIRRORNET_A_CONF);

		if (!nest)
			return -EMSGSIZE;
		if (nla_put_u32(skb, MIRRORNET_A_CONF_KEY, key) ||
		    nla_put_u32(skb, MIRRORNET_A_CONF_VALUE, iface->conf[key])) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	}
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

/* An interface's goal state but its routes, which may not fit. */
static int mn_nl_put_state(struct sk_buff *skb, const struct mn_iface *iface)
{
	const struct mn_neigh *n;
	const struct mn_addr *a;

	if (mn_nl_put_link(skb, &iface->link) ||
	    mn_nl_put_conf(skb, iface) || mn_nl_put_stats(skb, iface))
		return -EMSGSIZE;
	list_for_each_entry(a, &iface->addrs, node)
		if (mn_nl_put_addr(skb, a))
			return -EMSGSIZE;
	list_for_each_entry(n, &iface->neighs, node)
		if (mn_nl_put_neigh(skb, n))
			return -EMSGSIZE;
	return 0;
}

/*
 * An interface's routes from the *@pos-th on; *@pos counts the routes put,
 * up to the first that does not fit.
 */
static int mn_nl_put_routes(struct sk_buff *skb, const struct mn_iface *iface,
			    long *pos)
{
	const struct mn_route *r;
	long i = 0;

	list_for_each_entry(r, &iface->routes, node) {
		if (i++ < *pos)
			continue;
		if (mn_nl_put_route(skb, r))
			return -EMSGSIZE;
		(*pos)++;
	}
	return 0;
}

/*
 * One dump message for an interface; its routes continue in further
 * messages when they do not fit. *@progress is 0 before the first message,
 * else 1 + the number of routes already sent.
 */
static int mn_nl_fill_iface(struct sk_buff *skb, struct netlink_callback *cb,
			    struct mn_net *mn, const struct mn_iface *iface,
			    long *progress)
{
	long sent = *progress ? *progress - 1 : 0;
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &mirrornet_nl_family, NLM_F_MULTI,
			  MIRRORNET_CMD_IFACE_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	err = mn_nl_put_iface_id(skb, mn, iface->ifindex,
				 mn_iface_hwkey(iface));
	if (!err && !*progress)
		err = mn_nl_put_state(skb, iface);
	if (err) {
		genlmsg_cancel(skb, hdr);
		return err;
	}
	err = mn_nl_put_routes(skb, iface, &sent);
	if (err)
		*progress = sent + 1;
	genlmsg_end(skb, hdr);
	return err;
}

/*
 * Resolve a get request's selector, tracking nothing: a present netdev
 * (*@ifindexp) and its goal state if tracked (*@ifacep, else NULL), or the
 * state held for a hardware key (*@ifindexp 0).
 */
static int mn_nl_get_resolve(struct genl_info *info, struct mn_net *mn,
			     int *ifindexp, struct mn_iface **ifacep)
{
	struct mn_iface *iface;
	const uuid_t *hwkey;
	int ifindex;
	uuid_t key;

	ifindex = mn_nl_selector(info, mn, &key, &hwkey);
	if (ifindex < 0)
		return ifindex;
	iface = mn_iface_find(mn, ifindex, hwkey);
	if (hwkey)
		ifindex = iface ? iface->ifindex : mn_hwkey_lookup(mn, hwkey);
	if (!ifindex && !iface)
		return mn_nl_no_iface(info);
	*ifindexp = ifindex;
	*ifacep = iface;
	return 0;
}

/* A get reply in @size bytes, or an ERR_PTR: identity, then goal state. */
static struct sk_buff *mn_nl_get_msg(struct genl_info *info, struct mn_net *mn,
				     int ifindex, const uuid_t *hwkey,
				     const struct mn_iface *iface, size_t size)
{
	struct sk_buff *msg;
	long sent = 0;
	void *hdr;
	int err;

	msg = genlmsg_new(size, GFP_KERNEL | __GFP_NOWARN);
	if (!msg)
		return ERR_PTR(-ENOMEM);
	hdr = genlmsg_put_reply(msg, info, &mirrornet_nl_family, 0,
				info->genlhdr->cmd);
	err = hdr ? mn_nl_put_iface_id(msg, mn, ifindex, hwkey) : -EMSGSIZE;
	if (!err && iface)
		err = mn_nl_put_state(msg, iface) ?:
		      mn_nl_put_routes(msg, iface, &sent);
	if (err) {
		nlmsg_free(msg);
		return ERR_PTR(err);
	}
	genlmsg_end(msg, hdr);
	return msg;
}

/**
 * mirrornet_nl_iface_get_doit - one interface, resolved without tracking it
 * @skb: the request
 * @info: its attributes and extack
 *
 * Replies, in one message, with a present netdev's identity and its goal
 * state if it has one, or with the state held for a hardware key.
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int mirrornet_nl_iface_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mn_net *mn = mn_net_get(genl_info_net(info));
	size_t size = NLMSG_GOODSIZE;
	struct mn_iface *iface;
	struct sk_buff *msg;
	const uuid_t *hwkey;
	int ifindex, err;

	if (!mn) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "no goal state in this namespace");
		return -ENODEV;
	}
	mn_lock_read(mn);
	err = mn_nl_get_resolve(info, mn, &ifindex, &iface);
	if (err)
		goto out;
	/* A present netdev's own key; else the key its state is held for. */
	hwkey = ifindex ? mn_hwkey_of_ifindex(mn, ifindex) :
			  mn_iface_hwkey(iface);
	/* All in one message: grow it until the routes fit. */
	do {
		msg = mn_nl_get_msg(info, mn, ifindex, hwkey, iface, size);
		size *= 2;
	} while (msg == ERR_PTR(-EMSGSIZE) && size <= MN_NL_GET_MAX);
	err = PTR_ERR_OR_ZERO(msg);
	if (err == -EMSGSIZE)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "goal state too large for one message, dump it");
out:
	mn_unlock(mn);
	return err ?: genlmsg_reply(msg, info);
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
 * An optional selector filters the interfaces; routes that do not fit
 * continue in further messages.
 *
 * Return: the length of @skb, or a negative errno if nothing fit.
 */
int mirrornet_nl_iface_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct mn_net *mn = mn_net_get(sock_net(cb->skb->sk));
	struct nlattr **attrs = mn_dump_attrs(cb);
	const struct mn_iface *iface;
	long idx = 0;
	int err = 0;

	if (!mn)
		return 0;
	mn_lock_read(mn);
	cb->seq = mn->generation;
	list_for_each_entry(iface, &mn->ifaces, node) {
		if (idx++ < cb->args[0])
			continue;
		if (mn_nl_iface_match(mn, iface, attrs)) {
			err = mn_nl_fill_iface(skb, cb, mn, iface, &cb->args[1]);
			if (err)
				break;
		}
		cb->args[0] = idx;
		cb->args[1] = 0;
	}
	mn_unlock(mn);
	return err && !skb->len ? err : skb->len;
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
	const struct mn_rule *r;
	struct nlattr *nest;
	long idx = 0;
	void *hdr;

	if (!mn)
		return 0;
	mn_lock_read(mn);
	cb->seq = mn->generation;
	list_for_each_entry(r, &mn->rules, node) {
		if (idx++ < cb->args[0])
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &mirrornet_nl_family,
				  NLM_F_MULTI, MIRRORNET_CMD_RULE_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		nest = nla_nest_start(skb, MIRRORNET_A_RULE);
		if (!nest ||
		    nla_put_u32(skb, MIRRORNET_A_RULE_FAMILY, r->family) ||
		    nla_put_u32(skb, MIRRORNET_A_RULE_TABLE, r->table) ||
		    (r->has_priority &&
		     nla_put_u32(skb, MIRRORNET_A_RULE_PRIORITY, r->priority)) ||
		    (r->has_ip_proto &&
		     nla_put_u32(skb, MIRRORNET_A_RULE_IP_PROTO, r->ip_proto)) ||
		    (r->has_iifname &&
		     nla_put_string(skb, MIRRORNET_A_RULE_IIFNAME, r->iifname))) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		nla_nest_end(skb, nest);
		genlmsg_end(skb, hdr);
		cb->args[0] = idx;
	}
	mn_unlock(mn);
	return skb->len;
}
