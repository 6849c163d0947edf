// SPDX-License-Identifier: GPL-2.0
/*
 * mirrornet goal state: interfaces, their objects and the indexes that make
 * every request-time lookup O(1).
 */

#include <kunit/visibility.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "state.h"

static unsigned int max_held_ifaces = 1024;
module_param(max_held_ifaces, uint, 0644);
MODULE_PARM_DESC(max_held_ifaces,
		 "Interfaces held for an absent hardware key, per namespace (default 1024)");

static unsigned int max_objects = 1U << 20;
module_param(max_objects, uint, 0644);
MODULE_PARM_DESC(max_objects,
		 "Addresses, routes, neighbours and rules in the goal state, per namespace (default 1048576)");

static const struct rhashtable_params mn_route_params = {
	.head_offset		= offsetof(struct mn_route, hnode),
	.key_offset		= offsetof(struct mn_route, key),
	.key_len		= offsetofend(struct mn_route_key, dst_len),
	.automatic_shrinking	= true,
};

/*
 * Addresses, neighbours and rules are looked up with an object of the same
 * type as the key: the hash and the comparison read only the key fields.
 */
static u32 mn_addr_hash(const void *data, u32 len, u32 seed)
{
	const struct mn_addr *a = data;

	return jhash(&a->addr, sizeof(a->addr),
		     jhash_3words(a->family, a->prefixlen,
				  hash_ptr(a->iface, 32), seed));
}

static int mn_addr_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct mn_addr *k = arg->key, *a = obj;

	return k->iface != a->iface || k->family != a->family ||
	       k->prefixlen != a->prefixlen ||
	       !ipv6_addr_equal(&k->addr, &a->addr);
}

static const struct rhashtable_params mn_addr_params = {
	.head_offset		= offsetof(struct mn_addr, hnode),
	.hashfn			= mn_addr_hash,
	.obj_hashfn		= mn_addr_hash,
	.obj_cmpfn		= mn_addr_cmp,
	.automatic_shrinking	= true,
};

static u32 mn_neigh_hash(const void *data, u32 len, u32 seed)
{
	const struct mn_neigh *n = data;

	return jhash(&n->dst, sizeof(n->dst),
		     jhash_2words(n->family, hash_ptr(n->iface, 32), seed));
}

static int mn_neigh_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct mn_neigh *k = arg->key, *n = obj;

	return k->iface != n->iface || k->family != n->family ||
	       !ipv6_addr_equal(&k->dst, &n->dst);
}

static const struct rhashtable_params mn_neigh_params = {
	.head_offset		= offsetof(struct mn_neigh, hnode),
	.hashfn			= mn_neigh_hash,
	.obj_hashfn		= mn_neigh_hash,
	.obj_cmpfn		= mn_neigh_cmp,
	.automatic_shrinking	= true,
};

static u32 mn_rule_hash(const void *data, u32 len, u32 seed)
{
	const struct mn_rule *r = data;
	u32 opts = r->has_priority | r->has_ip_proto << 1 |
		   r->has_iifname << 2 | r->ip_proto << 8 | r->family << 16;

	return jhash(r->iifname, sizeof(r->iifname),
		     jhash_3words(opts, r->priority, r->table, seed));
}

static int mn_rule_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct mn_rule *k = arg->key, *r = obj;

	return k->family != r->family || k->priority != r->priority ||
	       k->has_priority != r->has_priority || k->table != r->table ||
	       k->has_ip_proto != r->has_ip_proto ||
	       k->ip_proto != r->ip_proto ||
	       k->has_iifname != r->has_iifname ||
	       memcmp(k->iifname, r->iifname, sizeof(k->iifname));
}

static const struct rhashtable_params mn_rule_params = {
	.head_offset		= offsetof(struct mn_rule, hnode),
	.hashfn			= mn_rule_hash,
	.obj_hashfn		= mn_rule_hash,
	.obj_cmpfn		= mn_rule_cmp,
	.automatic_shrinking	= true,
};

/**
 * mn_objects_check - whether one more object fits under max_objects
 * @mn: per-netns state, locked
 * @extack: where to name the cap
 *
 * Return: 0, or -ENOSPC with an extack message.
 */
int mn_objects_check(struct mn_net *mn, struct netlink_ext_ack *extack)
{
	unsigned int max = READ_ONCE(max_objects);

	if (mn->objects < max)
		return 0;
#if MN_HAVE_EXTACK_FMT
	NL_SET_ERR_MSG_FMT_MOD(extack,
			       "%u objects in this namespace (max_objects)",
			       max);
#else
	NL_SET_ERR_MSG_MOD(extack,
			   "object cap of this namespace reached (max_objects)");
#endif
	return -ENOSPC;
}
EXPORT_SYMBOL_IF_KUNIT(mn_objects_check);

static int mn_held_check(struct mn_net *mn, struct netlink_ext_ack *extack)
{
	unsigned int max = READ_ONCE(max_held_ifaces);

	if (mn->held_ifaces < max)
		return 0;
#if MN_HAVE_EXTACK_FMT
	NL_SET_ERR_MSG_FMT_MOD(extack,
			       "%u held interfaces in this namespace (max_held_ifaces)",
			       max);
#else
	NL_SET_ERR_MSG_MOD(extack,
			   "held interface cap of this namespace reached (max_held_ifaces)");
#endif
	return -ENOSPC;
}

static u32 mn_hwkey_hash(const uuid_t *hwkey)
{
	return jhash(hwkey, sizeof(*hwkey), 0);
}

/**
 * mn_state_init - initialise the goal state of a network namespace
 * @mn: per-netns state to initialise
 * @net: the namespace
 *
 * Return: 0 or a negative errno.
 */
int mn_state_init(struct mn_net *mn, struct net *net)
{
	int err;

	mn->net = net;
	mutex_init(&mn->lock);
	INIT_LIST_HEAD(&mn->ifaces);
	INIT_LIST_HEAD(&mn->rules);
	hash_init(mn->by_ifindex);
	hash_init(mn->by_hwkey);
	hash_init(mn->hwkeys);
	hash_init(mn->hwkeys_by_ifindex);
	spin_lock_init(&mn->events_lock);
	INIT_LIST_HEAD(&mn->events);
	err = rhltable_init(&mn->routes, &mn_route_params);
	if (err)
		return err;
	err = rhashtable_init(&mn->addr_index, &mn_addr_params);
	if (err)
		goto err_routes;
	err = rhashtable_init(&mn->neigh_index, &mn_neigh_params);
	if (err)
		goto err_addrs;
	err = rhashtable_init(&mn->rule_index, &mn_rule_params);
	if (err)
		goto err_neighs;
	return 0;

err_neighs:
	rhashtable_destroy(&mn->neigh_index);
err_addrs:
	rhashtable_destroy(&mn->addr_index);
err_routes:
	rhltable_destroy(&mn->routes);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(mn_state_init);

/**
 * mn_iface_free - drop an interface and everything held for it
 * @mn: per-netns state, locked
 * @iface: the interface
 */
void mn_iface_free(struct mn_net *mn, struct mn_iface *iface)
{
	struct mn_route *r, *rtmp;
	struct mn_neigh *n, *ntmp;
	struct mn_addr *a, *atmp;

	list_for_each_entry_safe(r, rtmp, &iface->routes, node)
		mn_route_remove(mn, r);
	list_for_each_entry_safe(a, atmp, &iface->addrs, node)
		mn_addr_del(mn, a);
	list_for_each_entry_safe(n, ntmp, &iface->neighs, node)
		mn_neigh_del(mn, n);
	if (iface->ifindex)
		hash_del(&iface->index_node);
	else
		mn->held_ifaces--;
	if (iface->has_hwkey)
		hash_del(&iface->hwkey_node);
	list_del(&iface->node);
	kfree(iface);
	mn->generation++;
}
EXPORT_SYMBOL_IF_KUNIT(mn_iface_free);

/**
 * mn_state_exit - free the goal state of a network namespace
 * @mn: per-netns state; nothing else may use it any more
 */
void mn_state_exit(struct mn_net *mn)
{
	struct mn_hwkey_entry *h;
	struct mn_iface *i, *itmp;
	struct mn_rule *r, *rtmp;
	struct hlist_node *tmp;
	struct mn_event *e, *etmp;
	int bkt;

	list_for_each_entry_safe(i, itmp, &mn->ifaces, node)
		mn_iface_free(mn, i);
	list_for_each_entry_safe(r, rtmp, &mn->rules, node)
		mn_rule_del(mn, r);
	hash_for_each_safe(mn->hwkeys, bkt, tmp, h, node)
		kfree(h);
	list_for_each_entry_safe(e, etmp, &mn->events, node)
		kfree(e);
	rhashtable_destroy(&mn->rule_index);
	rhashtable_destroy(&mn->neigh_index);
	rhashtable_destroy(&mn->addr_index);
	rhltable_destroy(&mn->routes);
	mutex_destroy(&mn->lock);
}
EXPORT_SYMBOL_IF_KUNIT(mn_state_exit);

/**
 * mn_hwkey_lookup - ifindex of the present netdev with a hardware key
 * @mn: per-netns state, locked
 * @hwkey: the key
 *
 * A NIC and the virt_wifi link stacked on it share its key; the link is
 * the interface the host's configuration is for.
 *
 * Return: the ifindex, or 0 if no present netdev has that key.
 */
int mn_hwkey_lookup(struct mn_net *mn, const uuid_t *hwkey)
{
	struct mn_hwkey_entry *h;
	int ifindex = 0;

	hash_for_each_possible(mn->hwkeys, h, node, mn_hwkey_hash(hwkey)) {
		if (!uuid_equal(&h->hwkey, hwkey))
			continue;
		if (h->stacked)
			return h->ifindex;
		ifindex = h->ifindex;
	}
	return ifindex;
}
EXPORT_SYMBOL_IF_KUNIT(mn_hwkey_lookup);

static struct mn_hwkey_entry *mn_hwkey_entry(struct mn_net *mn, int ifindex)
{
	struct mn_hwkey_entry *h;

	hash_for_each_possible(mn->hwkeys_by_ifindex, h, index_node, ifindex)
		if (h->ifindex == ifindex)
			return h;
	return NULL;
}

/**
 * mn_hwkey_of_ifindex - hardware key of a present netdev
 * @mn: per-netns state, locked
 * @ifindex: the netdev
 *
 * Return: its indexed key, valid while @mn stays locked, or NULL if it
 * has none.
 */
const uuid_t *mn_hwkey_of_ifindex(struct mn_net *mn, int ifindex)
{
	struct mn_hwkey_entry *h = mn_hwkey_entry(mn, ifindex);

	return h ? &h->hwkey : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(mn_hwkey_of_ifindex);

static struct mn_iface *mn_iface_by_ifindex(struct mn_net *mn, int ifindex)
{
	struct mn_iface *iface;

	hash_for_each_possible(mn->by_ifindex, iface, index_node, ifindex)
		if (iface->ifindex == ifindex)
			return iface;
	return NULL;
}

static struct mn_iface *mn_iface_by_hwkey(struct mn_net *mn,
					  const uuid_t *hwkey)
{
	struct mn_iface *iface;

	hash_for_each_possible(mn->by_hwkey, iface, hwkey_node,
			       mn_hwkey_hash(hwkey))
		if (uuid_equal(&iface->hwkey, hwkey))
			return iface;
	return NULL;
}

/**
 * mn_iface_find - find a tracked interface
 * @mn: per-netns state, locked
 * @ifindex: its ifindex, or 0
 * @hwkey: its hardware key, or NULL
 *
 * Return: the interface, or NULL if nothing is tracked under that key.
 */
struct mn_iface *mn_iface_find(struct mn_net *mn, int ifindex,
			       const uuid_t *hwkey)
{
	struct mn_iface *iface = NULL;

	if (hwkey) {
		iface = mn_iface_by_hwkey(mn, hwkey);
		if (!iface)
			ifindex = mn_hwkey_lookup(mn, hwkey);
	}
	if (!iface && ifindex)
		iface = mn_iface_by_ifindex(mn, ifindex);
	return iface;
}
EXPORT_SYMBOL_IF_KUNIT(mn_iface_find);

/**
 * mn_iface_bind - attach a tracked interface to a present netdev
 * @mn: per-netns state, locked
 * @iface: an interface whose state is held, or that moves from the NIC
 *	to the virt_wifi link stacked on it
 * @ifindex: the netdev that now carries its hardware key
 */
void mn_iface_bind(struct mn_net *mn, struct mn_iface *iface, int ifindex)
{
	if (iface->ifindex)
		hash_del(&iface->index_node);
	else
		mn->held_ifaces--;
	iface->ifindex = ifindex;
	hash_add(mn->by_ifindex, &iface->index_node, ifindex);
	mn->generation++;
}
EXPORT_SYMBOL_IF_KUNIT(mn_iface_bind);

/**
 * mn_iface_unbind - hold a present interface's state for its hardware key
 * @mn: per-netns state, locked
 * @iface: a present interface whose netdev goes away
 *
 * Return: true if the state is now held; false if @iface has no hardware
 * key or max_held_ifaces is reached (the caller then frees it).
 */
bool mn_iface_unbind(struct mn_net *mn, struct mn_iface *iface)
{
	if (!iface->ifindex)
		return true;
	if (!iface->has_hwkey || mn_held_check(mn, NULL))
		return false;
	hash_del(&iface->index_node);
	iface->ifindex = 0;
	mn->held_ifaces++;
	mn->generation++;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mn_iface_unbind);

/* Give an interface that has no hardware key yet @hwkey, indexed. */
static void mn_iface_key(struct mn_net *mn, struct mn_iface *iface,
			 const uuid_t *hwkey)
{
	if (iface->has_hwkey)
		return;
	iface->has_hwkey = true;
	uuid_copy(&iface->hwkey, hwkey);
	hash_add(mn->by_hwkey, &iface->hwkey_node, mn_hwkey_hash(hwkey));
}

/**
 * mn_iface_get - find or start tracking an interface
 * @mn: per-netns state, locked
 * @ifindex: ifindex of a present netdev, or 0
 * @hwkey: hardware key, or NULL; with ifindex 0 the state is held until a
 *	netdev with that key registers
 * @extack: where to name the cap that refused a new held interface
 *
 * Return: the interface, or ERR_PTR(-ENOMEM) or ERR_PTR(-ENOSPC) past
 * max_held_ifaces.
 */
struct mn_iface *mn_iface_get(struct mn_net *mn, int ifindex,
			      const uuid_t *hwkey,
			      struct netlink_ext_ack *extack)
{
	struct mn_iface *iface;
	int err;

	if (hwkey && !ifindex)
		ifindex = mn_hwkey_lookup(mn, hwkey);
	iface = mn_iface_find(mn, ifindex, hwkey);
	if (iface) {
		/* First named by ifindex, now by its key: index the key too. */
		if (hwkey)
			mn_iface_key(mn, iface, hwkey);
		return iface;
	}
	if (!ifindex) {
		err = mn_held_check(mn, extack);
		if (err)
			return ERR_PTR(err);
	}

	iface = kzalloc_obj(*iface, GFP_KERNEL_ACCOUNT);
	if (!iface)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&iface->addrs);
	INIT_LIST_HEAD(&iface->routes);
	INIT_LIST_HEAD(&iface->neighs);
	if (hwkey)
		mn_iface_key(mn, iface, hwkey);
	if (ifindex) {
		iface->ifindex = ifindex;
		hash_add(mn->by_ifindex, &iface->index_node, ifindex);
	} else {
		mn->held_ifaces++;
	}
	list_add_tail(&iface->node, &mn->ifaces);
	mn->generation++;
	return iface;
}
EXPORT_SYMBOL_IF_KUNIT(mn_iface_get);

/**
 * mn_link_merge - set the link fields another request set
 * @into: the stored link settings
 * @from: the newer settings; only the fields it has are taken
 */
void mn_link_merge(struct mn_link *into, const struct mn_link *from)
{
	if (from->has_admin) {
		into->has_admin = 1;
		into->admin_up = from->admin_up;
	}
	if (from->has_mtu) {
		into->has_mtu = 1;
		into->mtu = from->mtu;
	}
	if (from->has_lladdr) {
		into->has_lladdr = 1;
		into->lladdr_len = from->lladdr_len;
		memcpy(into->lladdr, from->lladdr, from->lladdr_len);
	}
}
EXPORT_SYMBOL_IF_KUNIT(mn_link_merge);

/* Move an address to @into, or let it update the one @into has. */
static void mn_addr_move(struct mn_net *mn, struct mn_iface *into,
			 struct mn_addr *a)
{
	struct mn_addr probe = *a, *cur;

	probe.iface = into;
	cur = mn_addr_find(mn, into, &probe);
	if (cur) {
		cur->scope = a->scope;
		cur->flags = a->flags;
		cur->preferred_lft = a->preferred_lft;
		cur->valid_lft = a->valid_lft;
		mn_addr_del(mn, a);
		return;
	}
	rhashtable_remove_fast(&mn->addr_index, &a->hnode, mn_addr_params);
	a->iface = into;
	list_move_tail(&a->node, &into->addrs);
	/* Only an allocation can fail here: then the address is forgotten. */
	if (rhashtable_insert_fast(&mn->addr_index, &a->hnode, mn_addr_params))
		mn_addr_del(mn, a);
}

static void mn_neigh_move(struct mn_net *mn, struct mn_iface *into,
			  struct mn_neigh *n)
{
	struct mn_neigh probe = *n, *cur;

	probe.iface = into;
	cur = mn_neigh_find(mn, into, &probe);
	if (cur) {
		cur->lladdr_len = n->lladdr_len;
		memcpy(cur->lladdr, n->lladdr, n->lladdr_len);
		mn_neigh_del(mn, n);
		return;
	}
	rhashtable_remove_fast(&mn->neigh_index, &n->hnode, mn_neigh_params);
	n->iface = into;
	list_move_tail(&n->node, &into->neighs);
	if (rhashtable_insert_fast(&mn->neigh_index, &n->hnode,
				   mn_neigh_params))
		mn_neigh_del(mn, n);
}

static void mn_route_move(struct mn_net *mn, struct mn_iface *into,
			  struct mn_route *r)
{
	struct mn_route probe = *r, *cur;

	probe.iface = into;
	cur = mn_route_find(mn, &probe);
	if (cur) {
		cur->type = r->type;
		cur->flags = r->flags;
		cur->has_prefsrc = r->has_prefsrc;
		cur->prefsrc = r->prefsrc;
		mn_route_remove(mn, r);
		return;
	}
	/* The key does not name the interface: the route stays hashed. */
	r->iface = into;
	list_move_tail(&r->node, &into->routes);
}

/**
 * mn_iface_merge - fold the state held for a key into a tracked interface
 * @mn: per-netns state, locked
 * @into: the interface tracked by ifindex
 * @from: the interface held for a hardware key that @into turned out to
 *	carry; freed. Its objects, link fields and knobs are the newer: an
 *	object @into has too is updated from @from, never duplicated, and
 *	only the link fields @from has are taken.
 *
 * Return: @into.
 */
struct mn_iface *mn_iface_merge(struct mn_net *mn, struct mn_iface *into,
				struct mn_iface *from)
{
	struct mn_route *r, *rtmp;
	struct mn_neigh *n, *ntmp;
	struct mn_addr *a, *atmp;
	unsigned int key;

	list_for_each_entry_safe(a, atmp, &from->addrs, node)
		mn_addr_move(mn, into, a);
	list_for_each_entry_safe(n, ntmp, &from->neighs, node)
		mn_neigh_move(mn, into, n);
	list_for_each_entry_safe(r, rtmp, &from->routes, node)
		mn_route_move(mn, into, r);
	mn_link_merge(&into->link, &from->link);
	for_each_set_bit(key, &from->conf_set, MN_CONF_KEYS)
		into->conf[key] = from->conf[key];
	into->conf_set |= from->conf_set;
	into->repairs += from->repairs;
	into->apply_errors += from->apply_errors;
	mn_iface_key(mn, into, &from->hwkey);
	mn_iface_free(mn, from);
	return into;
}
EXPORT_SYMBOL_IF_KUNIT(mn_iface_merge);

/**
 * mn_iface_is_empty - whether an interface holds no state at all
 * @iface: the interface
 *
 * Return: true if nothing was ever stored for it.
 */
bool mn_iface_is_empty(const struct mn_iface *iface)
{
	return !iface->link.has_admin && !iface->link.has_mtu &&
	       !iface->link.has_lladdr && !iface->conf_set &&
	       list_empty(&iface->addrs) && list_empty(&iface->routes) &&
	       list_empty(&iface->neighs);
}
EXPORT_SYMBOL_IF_KUNIT(mn_iface_is_empty);

/**
 * mn_hwkey_set - record or forget the hardware key of a present netdev
 * @mn: per-netns state, locked
 * @ifindex: the netdev
 * @hwkey: its key, or NULL to forget it
 * @stacked: the netdev is a virt_wifi link carrying its NIC's key
 *
 * Return: 0 or -ENOMEM.
 */
int mn_hwkey_set(struct mn_net *mn, int ifindex, const uuid_t *hwkey,
		 bool stacked)
{
	struct mn_hwkey_entry *h = mn_hwkey_entry(mn, ifindex);

	if (h) {
		if (hwkey && uuid_equal(&h->hwkey, hwkey) &&
		    h->stacked == stacked)
			return 0;
		hash_del(&h->node);
		hash_del(&h->index_node);
		kfree(h);
	}
	if (!hwkey)
		return 0;
	h = kzalloc_obj(*h, GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	h->ifindex = ifindex;
	h->stacked = stacked;
	uuid_copy(&h->hwkey, hwkey);
	hash_add(mn->hwkeys, &h->node, mn_hwkey_hash(hwkey));
	hash_add(mn->hwkeys_by_ifindex, &h->index_node, ifindex);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mn_hwkey_set);

/**
 * mn_addr_find - find an address in an interface's goal state
 * @mn: per-netns state, locked
 * @iface: the interface
 * @a: family, address and prefix length to look for
 *
 * Return: the stored address, or NULL.
 */
struct mn_addr *mn_addr_find(struct mn_net *mn, struct mn_iface *iface,
			     const struct mn_addr *a)
{
	struct mn_addr probe = *a;

	probe.iface = iface;
	/* mn->lock keeps the entry alive; the table wants RCU for walks. */
	return rhashtable_lookup_fast(&mn->addr_index, &probe, mn_addr_params);
}
EXPORT_SYMBOL_IF_KUNIT(mn_addr_find);

/**
 * mn_addr_add - store a new address in an interface's goal state
 * @mn: per-netns state, locked
 * @iface: the interface
 * @a: the address; none with its key may be stored yet
 * @extack: where to name the cap that refused it
 *
 * Return: the stored copy, or ERR_PTR(-ENOSPC) past max_objects, or
 * another ERR_PTR.
 */
struct mn_addr *mn_addr_add(struct mn_net *mn, struct mn_iface *iface,
			    const struct mn_addr *a,
			    struct netlink_ext_ack *extack)
{
	struct mn_addr *cur;
	int err;

	err = mn_objects_check(mn, extack);
	if (err)
		return ERR_PTR(err);
	cur = kmemdup(a, sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!cur)
		return ERR_PTR(-ENOMEM);
	cur->iface = iface;
	err = rhashtable_insert_fast(&mn->addr_index, &cur->hnode,
				     mn_addr_params);
	if (err) {
		kfree(cur);
		return ERR_PTR(err);
	}
	list_add_tail(&cur->node, &iface->addrs);
	mn->objects++;
	mn->generation++;
	return cur;
}
EXPORT_SYMBOL_IF_KUNIT(mn_addr_add);

/**
 * mn_addr_del - forget a stored address and free it
 * @mn: per-netns state, locked
 * @a: the address
 */
void mn_addr_del(struct mn_net *mn, struct mn_addr *a)
{
	rhashtable_remove_fast(&mn->addr_index, &a->hnode, mn_addr_params);
	list_del(&a->node);
	kfree(a);
	mn->objects--;
	mn->generation++;
}
EXPORT_SYMBOL_IF_KUNIT(mn_addr_del);

/**
 * mn_route_first - the newest route stored under a key
 * @mn: per-netns state, locked
 * @key: the key
 *
 * Return: the route with that key added last, or NULL.
 */
struct mn_route *mn_route_first(struct mn_net *mn,
				const struct mn_route_key *key)
{
	struct rhlist_head *list;
	struct mn_route *r = NULL;

	rcu_read_lock();
	list = rhltable_lookup(&mn->routes, key, mn_route_params);
	if (list)
		r = container_of(list, struct mn_route, hnode);
	rcu_read_unlock();
	return r;
}
EXPORT_SYMBOL_IF_KUNIT(mn_route_first);

static bool mn_route_same_gw(const struct mn_route *a, const struct mn_route *b)
{
	if (a->has_gw != b->has_gw)
		return false;
	return !a->has_gw || ipv6_addr_equal(&a->gw, &b->gw);
}

static struct mn_route *__mn_route_find(struct mn_net *mn,
					const struct mn_route *r, bool any_gw)
{
	struct rhlist_head *list, *pos;
	struct mn_route *cur, *found = NULL;

	/* mn->lock keeps the entry alive after the RCU section. */
	rcu_read_lock();
	list = rhltable_lookup(&mn->routes, &r->key, mn_route_params);
	rhl_for_each_entry_rcu(cur, pos, list, hnode) {
		if (cur->iface == r->iface &&
		    (any_gw || mn_route_same_gw(cur, r))) {
			found = cur;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * mn_route_find - find a route in the goal state
 * @mn: per-netns state, locked
 * @r: key, interface and gateway to look for
 *
 * Return: the stored route, or NULL.
 */
struct mn_route *mn_route_find(struct mn_net *mn, const struct mn_route *r)
{
	return __mn_route_find(mn, r, false);
}
EXPORT_SYMBOL_IF_KUNIT(mn_route_find);

/**
 * mn_route_find_del - the stored route a delete of a route removes
 * @mn: per-netns state, locked
 * @r: key, interface and, if it has one, gateway of the delete
 *
 * Return: with a gateway the route mn_route_find() finds, else the newest
 * with that key and interface; or NULL.
 */
struct mn_route *mn_route_find_del(struct mn_net *mn, const struct mn_route *r)
{
	return __mn_route_find(mn, r, !r->has_gw);
}
EXPORT_SYMBOL_IF_KUNIT(mn_route_find_del);

/**
 * mn_route_insert - add a route to an interface's goal state
 * @mn: per-netns state, locked
 * @iface: the interface
 * @r: the route, allocated with kmalloc; it becomes the newest with its key
 *
 * Return: 0 or a negative errno; on error @r is not consumed.
 */
int mn_route_insert(struct mn_net *mn, struct mn_iface *iface,
		    struct mn_route *r)
{
	int err;

	r->iface = iface;
	err = rhltable_insert(&mn->routes, &r->hnode, mn_route_params);
	if (err)
		return err;
	list_add_tail(&r->node, &iface->routes);
	mn->objects++;
	mn->generation++;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mn_route_insert);

/**
 * mn_route_add - store a route the kernel accepted, as the kernel would
 * @mn: per-netns state, locked
 * @iface: the interface it goes through
 * @r: the route
 * @replace: it replaced what the kernel had under its key, on any interface:
 *	for IPv4 the newest route with that key, for IPv6 all of them
 * @extack: where to name the cap that refused it
 *
 * Without @replace, a route already stored (same key, interface and
 * gateway) is kept, not duplicated.
 *
 * Return: 0 or a negative errno (-ENOSPC past max_objects).
 */
int mn_route_add(struct mn_net *mn, struct mn_iface *iface,
		 const struct mn_route *r, bool replace,
		 struct netlink_ext_ack *extack)
{
	struct mn_route probe = *r, *cur;
	int err;

	probe.iface = iface;
	if (replace) {
		while ((cur = mn_route_first(mn, &r->key))) {
			mn_route_remove(mn, cur);
			if (r->key.family == AF_INET)
				break;
		}
	} else if (mn_route_find(mn, &probe)) {
		return 0;
	}
	err = mn_objects_check(mn, extack);
	if (err)
		return err;
	cur = kmemdup(r, sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!cur)
		return -ENOMEM;
	err = mn_route_insert(mn, iface, cur);
	if (err)
		kfree(cur);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(mn_route_add);

/**
 * mn_route_remove - remove a route from the goal state and free it
 * @mn: per-netns state, locked
 * @r: the route
 */
void mn_route_remove(struct mn_net *mn, struct mn_route *r)
{
	rhltable_remove(&mn->routes, &r->hnode, mn_route_params);
	list_del(&r->node);
	kfree(r);
	mn->objects--;
	mn->generation++;
}
EXPORT_SYMBOL_IF_KUNIT(mn_route_remove);

/**
 * mn_neigh_find - find a neighbour in an interface's goal state
 * @mn: per-netns state, locked
 * @iface: the interface
 * @n: family and destination to look for
 *
 * Return: the stored entry, or NULL.
 */
struct mn_neigh *mn_neigh_find(struct mn_net *mn, struct mn_iface *iface,
			       const struct mn_neigh *n)
{
	struct mn_neigh probe = *n;

	probe.iface = iface;
	return rhashtable_lookup_fast(&mn->neigh_index, &probe,
				      mn_neigh_params);
}
EXPORT_SYMBOL_IF_KUNIT(mn_neigh_find);

/**
 * mn_neigh_add - store a new neighbour entry in an interface's goal state
 * @mn: per-netns state, locked
 * @iface: the interface
 * @n: the entry; none with its key may be stored yet
 * @extack: where to name the cap that refused it
 *
 * Return: the stored copy, or an ERR_PTR (-ENOSPC past max_objects).
 */
struct mn_neigh *mn_neigh_add(struct mn_net *mn, struct mn_iface *iface,
			      const struct mn_neigh *n,
			      struct netlink_ext_ack *extack)
{
	struct mn_neigh *cur;
	int err;

	err = mn_objects_check(mn, extack);
	if (err)
		return ERR_PTR(err);
	cur = kmemdup(n, sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!cur)
		return ERR_PTR(-ENOMEM);
	cur->iface = iface;
	err = rhashtable_insert_fast(&mn->neigh_index, &cur->hnode,
				     mn_neigh_params);
	if (err) {
		kfree(cur);
		return ERR_PTR(err);
	}
	list_add_tail(&cur->node, &iface->neighs);
	mn->objects++;
	mn->generation++;
	return cur;
}
EXPORT_SYMBOL_IF_KUNIT(mn_neigh_add);

/**
 * mn_neigh_del - forget a stored neighbour entry and free it
 * @mn: per-netns state, locked
 * @n: the entry
 */
void mn_neigh_del(struct mn_net *mn, struct mn_neigh *n)
{
	rhashtable_remove_fast(&mn->neigh_index, &n->hnode, mn_neigh_params);
	list_del(&n->node);
	kfree(n);
	mn->objects--;
	mn->generation++;
}
EXPORT_SYMBOL_IF_KUNIT(mn_neigh_del);

/**
 * mn_rule_find - find a policy rule in the goal state
 * @mn: per-netns state, locked
 * @r: the rule to look for; every field is compared
 *
 * Return: the stored rule, or NULL.
 */
struct mn_rule *mn_rule_find(struct mn_net *mn, const struct mn_rule *r)
{
	return rhashtable_lookup_fast(&mn->rule_index, r, mn_rule_params);
}
EXPORT_SYMBOL_IF_KUNIT(mn_rule_find);

/**
 * mn_rule_add - store a new policy rule
 * @mn: per-netns state, locked
 * @r: the rule; none equal to it may be stored yet
 * @extack: where to name the cap that refused it
 *
 * Return: the stored copy, or an ERR_PTR (-ENOSPC past max_objects).
 */
struct mn_rule *mn_rule_add(struct mn_net *mn, const struct mn_rule *r,
			    struct netlink_ext_ack *extack)
{
	struct mn_rule *cur;
	int err;

	err = mn_objects_check(mn, extack);
	if (err)
		return ERR_PTR(err);
	cur = kmemdup(r, sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!cur)
		return ERR_PTR(-ENOMEM);
	err = rhashtable_insert_fast(&mn->rule_index, &cur->hnode,
				     mn_rule_params);
	if (err) {
		kfree(cur);
		return ERR_PTR(err);
	}
	list_add_tail(&cur->node, &mn->rules);
	mn->objects++;
	mn->generation++;
	return cur;
}
EXPORT_SYMBOL_IF_KUNIT(mn_rule_add);

/**
 * mn_rule_del - forget a stored policy rule and free it
 * @mn: per-netns state, locked
 * @r: the rule
 */
void mn_rule_del(struct mn_net *mn, struct mn_rule *r)
{
	rhashtable_remove_fast(&mn->rule_index, &r->hnode, mn_rule_params);
	list_del(&r->node);
	kfree(r);
	mn->objects--;
	mn->generation++;
}
EXPORT_SYMBOL_IF_KUNIT(mn_rule_del);
