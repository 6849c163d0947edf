// SPDX-License-Identifier: GPL-2.0
/*
 * mirrornet goal state: interfaces, their objects and the indexes that make
 * every request-time lookup O(1).
 */

#include <kunit/visibility.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "state.h"

static const struct rhashtable_params mn_route_params = {
	.head_offset		= offsetof(struct mn_route, hnode),
	.key_offset		= offsetof(struct mn_route, key),
	.key_len		= sizeof(struct mn_route_key),
	.automatic_shrinking	= true,
};

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
	return rhltable_init(&mn->routes, &mn_route_params);
}
EXPORT_SYMBOL_IF_KUNIT(mn_state_init);

static void mn_route_free(struct mn_net *mn, struct mn_route *r)
{
	list_del(&r->node);
	kfree(r);
}

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
		kfree(a);
	list_for_each_entry_safe(n, ntmp, &iface->neighs, node)
		kfree(n);
	if (iface->ifindex)
		hash_del(&iface->index_node);
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
		kfree(r);
	hash_for_each_safe(mn->hwkeys, bkt, tmp, h, node)
		kfree(h);
	list_for_each_entry_safe(e, etmp, &mn->events, node)
		kfree(e);
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
	iface->ifindex = ifindex;
	hash_add(mn->by_ifindex, &iface->index_node, ifindex);
	mn->generation++;
}
EXPORT_SYMBOL_IF_KUNIT(mn_iface_bind);

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
 *
 * Return: the interface, or NULL on allocation failure.
 */
struct mn_iface *mn_iface_get(struct mn_net *mn, int ifindex,
			      const uuid_t *hwkey)
{
	struct mn_iface *iface;

	if (hwkey && !ifindex)
		ifindex = mn_hwkey_lookup(mn, hwkey);
	iface = mn_iface_find(mn, ifindex, hwkey);
	if (iface) {
		/* First named by ifindex, now by its key: index the key too. */
		if (hwkey)
			mn_iface_key(mn, iface, hwkey);
		return iface;
	}

	iface = kzalloc(sizeof(*iface), GFP_KERNEL);
	if (!iface)
		return NULL;
	INIT_LIST_HEAD(&iface->addrs);
	INIT_LIST_HEAD(&iface->routes);
	INIT_LIST_HEAD(&iface->neighs);
	if (hwkey)
		mn_iface_key(mn, iface, hwkey);
	if (ifindex)
		mn_iface_bind(mn, iface, ifindex);
	list_add_tail(&iface->node, &mn->ifaces);
	mn->generation++;
	return iface;
}
EXPORT_SYMBOL_IF_KUNIT(mn_iface_get);

/**
 * mn_iface_merge - fold the state held for a key into a tracked interface
 * @mn: per-netns state, locked
 * @into: the interface tracked by ifindex
 * @from: the interface held for a hardware key that @into turned out to
 *	carry; freed. Its link settings and knobs win: they are the newer.
 *
 * Return: @into.
 */
struct mn_iface *mn_iface_merge(struct mn_net *mn, struct mn_iface *into,
				struct mn_iface *from)
{
	struct mn_route *r, *tmp;
	unsigned int key;

	list_splice_tail_init(&from->addrs, &into->addrs);
	list_splice_tail_init(&from->neighs, &into->neighs);
	list_for_each_entry_safe(r, tmp, &from->routes, node) {
		/* The key names the interface: move the route under @into. */
		rhltable_remove(&mn->routes, &r->hnode, mn_route_params);
		list_del(&r->node);
		r->key.iface = into;
		if (mn_route_insert(mn, into, r))
			kfree(r);
	}
	if (from->link.has_admin || from->link.has_mtu ||
	    from->link.has_lladdr)
		into->link = from->link;
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
	h = kzalloc(sizeof(*h), GFP_KERNEL);
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
 * @iface: the interface
 * @a: family, address and prefix length to look for
 *
 * Return: the stored address, or NULL.
 */
struct mn_addr *mn_addr_find(struct mn_iface *iface, const struct mn_addr *a)
{
	struct mn_addr *cur;

	list_for_each_entry(cur, &iface->addrs, node)
		if (cur->family == a->family &&
		    cur->prefixlen == a->prefixlen &&
		    ipv6_addr_equal(&cur->addr, &a->addr))
			return cur;
	return NULL;
}

/**
 * mn_route_first - a route stored under a key
 * @mn: per-netns state, locked
 * @key: the key
 *
 * Return: one of the routes with that key, or NULL.
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

/**
 * mn_route_find - find a route in the goal state
 * @mn: per-netns state, locked
 * @r: key and gateway to look for
 *
 * Return: the stored route, or NULL.
 */
struct mn_route *mn_route_find(struct mn_net *mn, const struct mn_route *r)
{
	struct rhlist_head *list, *pos;
	struct mn_route *cur, *found = NULL;

	/* mn->lock keeps the entry alive after the RCU section. */
	rcu_read_lock();
	list = rhltable_lookup(&mn->routes, &r->key, mn_route_params);
	rhl_for_each_entry_rcu(cur, pos, list, hnode) {
		if (mn_route_same_gw(cur, r)) {
			found = cur;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(mn_route_find);

/**
 * mn_route_insert - add a route to an interface's goal state
 * @mn: per-netns state, locked
 * @iface: the interface, also named in @r's key
 * @r: the route, allocated with kmalloc
 *
 * Return: 0 or a negative errno; on error @r is not consumed.
 */
int mn_route_insert(struct mn_net *mn, struct mn_iface *iface,
		    struct mn_route *r)
{
	int err;

	err = rhltable_insert(&mn->routes, &r->hnode, mn_route_params);
	if (err)
		return err;
	list_add_tail(&r->node, &iface->routes);
	mn->generation++;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mn_route_insert);

/**
 * mn_route_remove - remove a route from the goal state and free it
 * @mn: per-netns state, locked
 * @r: the route
 */
void mn_route_remove(struct mn_net *mn, struct mn_route *r)
{
	rhltable_remove(&mn->routes, &r->hnode, mn_route_params);
	mn_route_free(mn, r);
	mn->generation++;
}
EXPORT_SYMBOL_IF_KUNIT(mn_route_remove);

/**
 * mn_neigh_find - find a neighbour in an interface's goal state
 * @iface: the interface
 * @n: family and destination to look for
 *
 * Return: the stored entry, or NULL.
 */
struct mn_neigh *mn_neigh_find(struct mn_iface *iface,
			       const struct mn_neigh *n)
{
	struct mn_neigh *cur;

	list_for_each_entry(cur, &iface->neighs, node)
		if (cur->family == n->family &&
		    ipv6_addr_equal(&cur->dst, &n->dst))
			return cur;
	return NULL;
}

/**
 * mn_rule_find - find a policy rule in the goal state
 * @mn: per-netns state, locked
 * @r: the rule to look for; every field is compared
 *
 * Return: the stored rule, or NULL.
 */
struct mn_rule *mn_rule_find(struct mn_net *mn, const struct mn_rule *r)
{
	struct mn_rule *cur;

	list_for_each_entry(cur, &mn->rules, node)
		if (cur->family == r->family &&
		    cur->priority == r->priority &&
		    cur->has_priority == r->has_priority &&
		    cur->table == r->table &&
		    cur->has_ip_proto == r->has_ip_proto &&
		    cur->ip_proto == r->ip_proto &&
		    cur->has_iifname == r->has_iifname &&
		    !strcmp(cur->iifname, r->iifname))
			return cur;
	return NULL;
}
