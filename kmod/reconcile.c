// SPDX-License-Identifier: GPL-2.0
/*
 * Reconciling the goal state with netdev events: apply held state when its
 * NIC registers, restore what a link flap flushed, drop the state of a NIC
 * that goes away.
 *
 * The netdev notifier runs under RTNL, and applying needs RTNL itself (and
 * mn->lock, which nests outside RTNL), so the notifier only queues events;
 * the namespace's work item, and every request before it resolves an
 * interface, processes them under mn->lock.
 */

#include <kunit/visibility.h>
#include <linux/slab.h>

#include "apply.h"
#include "hwkey.h"
#include "notify.h"
#include "reconcile.h"

static bool mn_unloading;

/* Whether a reapplied object was missing; report what the kernel refused. */
static bool mn_reapplied(struct mn_net *mn, struct mn_iface *iface,
			 enum mirrornet_object object, int err,
			 const struct mn_kerr *kerr)
{
	if (err && err != -EEXIST)
		mn_notify_apply_err(mn, iface, object, err, kerr);
	return !err;
}

static void mn_iface_apply_settings(struct mn_net *mn, struct mn_iface *iface)
{
	struct mn_kerr kerr = {};
	unsigned int key;
	int err;

	for_each_set_bit(key, &iface->conf_set, MN_CONF_KEYS) {
		err = mn_apply_conf(mn, iface->ifindex, key, iface->conf[key],
				    &kerr);
		if (err)
			mn_notify_apply_err(mn, iface, MIRRORNET_OBJECT_CONF,
					    err, &kerr);
	}
	kerr.msg[0] = '\0';
	if (iface->link.has_admin || iface->link.has_mtu ||
	    iface->link.has_lladdr) {
		err = mn_apply_link(mn, iface->ifindex, &iface->link, NULL);
		if (err)
			mn_notify_apply_err(mn, iface, MIRRORNET_OBJECT_LINK,
					    err, &kerr);
	}
}

/**
 * mn_iface_reapply - apply an interface's objects the kernel lacks
 * @mn: per-netns state, locked
 * @iface: a present interface
 *
 * Addresses, routes and neighbours are added with create-exclusive
 * semantics, so what is still there answers -EEXIST and only what was
 * missing is counted as restored.
 */
void mn_iface_reapply(struct mn_net *mn, struct mn_iface *iface)
{
	u32 addrs = 0, routes = 0, neighs = 0;
	const struct mn_route *r;
	const struct mn_neigh *n;
	const struct mn_addr *a;
	struct mn_kerr kerr;
	int err;

	list_for_each_entry(a, &iface->addrs, node) {
		err = mn_apply_addr(mn, iface->ifindex, a, MN_OP_ADD, &kerr);
		addrs += mn_reapplied(mn, iface, MIRRORNET_OBJECT_ADDR, err,
				      &kerr);
	}
	list_for_each_entry(r, &iface->routes, node) {
		err = mn_apply_route(mn, iface->ifindex, r, MN_OP_ADD, &kerr);
		routes += mn_reapplied(mn, iface, MIRRORNET_OBJECT_ROUTE, err,
				       &kerr);
	}
	list_for_each_entry(n, &iface->neighs, node) {
		err = mn_apply_neigh(mn, iface->ifindex, n, MN_OP_ADD, &kerr);
		neighs += mn_reapplied(mn, iface, MIRRORNET_OBJECT_NEIGH, err,
				       &kerr);
	}
	iface->repairs += addrs + routes + neighs;
	if (addrs)
		mn_notify_repair(mn, iface, MIRRORNET_OBJECT_ADDR, addrs);
	if (routes)
		mn_notify_repair(mn, iface, MIRRORNET_OBJECT_ROUTE, routes);
	if (neighs)
		mn_notify_repair(mn, iface, MIRRORNET_OBJECT_NEIGH, neighs);
}
EXPORT_SYMBOL_IF_KUNIT(mn_iface_reapply);

/*
 * A netdev now carries a hardware key: give it the state held for the key,
 * or take over that of the NIC it is a virt_wifi link on.
 */
static void mn_event_hwkey(struct mn_net *mn, const struct mn_event *e)
{
	struct mn_iface *iface, *held;

	if (mn_hwkey_set(mn, e->ifindex, e->has_hwkey ? &e->hwkey : NULL,
			 e->stacked))
		pr_warn_ratelimited("ifindex %d: no memory to index its key\n",
				    e->ifindex);
	if (!e->has_hwkey || mn_hwkey_lookup(mn, &e->hwkey) != e->ifindex)
		return;
	held = mn_iface_find(mn, 0, &e->hwkey);
	if (!held || held->ifindex == e->ifindex)
		return;
	if (held->ifindex)
		pr_info_ratelimited("ifindex %d: taking over the state of ifindex %d, its NIC, for %pUb\n",
				    e->ifindex, held->ifindex, &e->hwkey);
	else
		pr_info_ratelimited("ifindex %d: applying state held for %pUb\n",
				    e->ifindex, &e->hwkey);
	/* Already tracked by ifindex: one interface, one entry. */
	iface = mn_iface_find(mn, e->ifindex, NULL);
	if (iface) {
		mn_iface_merge(mn, iface, held);
	} else {
		iface = held;
		mn_iface_bind(mn, iface, e->ifindex);
	}
	mn_iface_apply_settings(mn, iface);
	mn_iface_reapply(mn, iface);
}

static void mn_event_handle(struct mn_net *mn, const struct mn_event *e)
{
	struct mn_iface *iface;

	switch (e->type) {
	case NETDEV_REGISTER:
	case NETDEV_CHANGE:
	case NETDEV_CHANGEUPPER:
		mn_event_hwkey(mn, e);
		break;
	case NETDEV_UP:
		iface = mn_iface_find(mn, e->ifindex, NULL);
		if (iface)
			mn_iface_reapply(mn, iface);
		else
			mn_event_hwkey(mn, e);
		break;
	case NETDEV_UNREGISTER:
		mn_hwkey_set(mn, e->ifindex, NULL, false);
		iface = mn_iface_find(mn, e->ifindex, NULL);
		if (iface) {
			pr_info_ratelimited("ifindex %d: unregistered, state dropped\n",
					    e->ifindex);
			mn_iface_free(mn, iface);
		}
		break;
	}
}

/**
 * mn_events_process - handle the netdev events queued for a namespace
 * @mn: per-netns state, locked
 */
void mn_events_process(struct mn_net *mn)
{
	struct mn_event *e, *tmp;
	LIST_HEAD(events);

	lockdep_assert_held(&mn->lock);
	spin_lock(&mn->events_lock);
	list_splice_init(&mn->events, &events);
	spin_unlock(&mn->events_lock);
	list_for_each_entry_safe(e, tmp, &events, node) {
		mn_event_handle(mn, e);
		list_del(&e->node);
		kfree(e);
	}
}

/**
 * mn_lock - lock a namespace's state, current with all netdev events
 * @mn: per-netns state
 */
void mn_lock(struct mn_net *mn)
{
	mutex_lock(&mn->lock);
	mn_events_process(mn);
}
EXPORT_SYMBOL_IF_KUNIT(mn_lock);

/**
 * mn_lock_read - lock a namespace's state for a request that only reads it
 * @mn: per-netns state
 *
 * Reads are unprivileged, and rtnetlink checks CAP_NET_ADMIN of the current
 * task: the queued netdev events are left to the namespace's worker, which
 * is waited for, rather than applied with the reader's credentials.
 */
void mn_lock_read(struct mn_net *mn)
{
	flush_work(&mn->events_work);
	mutex_lock(&mn->lock);
}

/**
 * mn_unlock - unlock a namespace's state
 * @mn: per-netns state
 */
void mn_unlock(struct mn_net *mn)
{
	mutex_unlock(&mn->lock);
}
EXPORT_SYMBOL_IF_KUNIT(mn_unlock);

static void mn_events_work(struct work_struct *work)
{
	struct mn_net *mn = container_of(work, struct mn_net, events_work);

	mn_lock(mn);
	mn_unlock(mn);
}

static int mn_netdev_event(struct notifier_block *nb, unsigned long type,
			   void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct mn_event *e;
	struct mn_net *mn;

	switch (type) {
	case NETDEV_REGISTER:
	case NETDEV_CHANGE:
	case NETDEV_UP:
	case NETDEV_UNREGISTER:
		break;
	case NETDEV_CHANGEUPPER:
		/*
		 * Raised on the lower device once a virt_wifi link is stacked
		 * on it (after the link registered): the key is the upper's.
		 */
		dev = ((struct netdev_notifier_changeupper_info *)ptr)->upper_dev;
		break;
	default:
		return NOTIFY_DONE;
	}
	if (READ_ONCE(mn_unloading))
		return NOTIFY_DONE;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return NOTIFY_DONE;
	e->type = type;
	e->ifindex = dev->ifindex;
	/*
	 * An alias change only raises NETDEV_CHANGE on a running link: look
	 * at the key again when a link comes up.
	 */
	if (type != NETDEV_UNREGISTER)
		e->has_hwkey = mn_hwkey_of_netdev(dev, &e->hwkey, &e->stacked);

	mn = mn_net_get(dev_net(dev));
	spin_lock(&mn->events_lock);
	if (mn->dying) {
		kfree(e);
	} else {
		list_add_tail(&e->node, &mn->events);
		queue_work(system_wq, &mn->events_work);
	}
	spin_unlock(&mn->events_lock);
	return NOTIFY_DONE;
}

static struct notifier_block mn_netdev_notifier = {
	.notifier_call = mn_netdev_event,
};

/**
 * mn_reconcile_net_init - start taking events for a namespace
 * @mn: per-netns state
 */
void mn_reconcile_net_init(struct mn_net *mn)
{
	INIT_WORK(&mn->events_work, mn_events_work);
}

/**
 * mn_reconcile_net_exit - stop taking events for a namespace
 * @mn: per-netns state; the queued events are freed with it
 */
void mn_reconcile_net_exit(struct mn_net *mn)
{
	spin_lock(&mn->events_lock);
	mn->dying = true;
	spin_unlock(&mn->events_lock);
	cancel_work_sync(&mn->events_work);
}

/**
 * mn_reconcile_init - register the netdev notifier
 *
 * Return: 0 or a negative errno. Registering replays NETDEV_REGISTER and
 * NETDEV_UP for every present netdev, which builds the hardware-key index
 * of every namespace.
 */
int mn_reconcile_init(void)
{
	return register_netdevice_notifier(&mn_netdev_notifier);
}

/**
 * mn_reconcile_exit - unregister the netdev notifier
 */
void mn_reconcile_exit(void)
{
	/* Unregistering replays NETDEV_UNREGISTER: nothing to reconcile. */
	WRITE_ONCE(mn_unloading, true);
	unregister_netdevice_notifier(&mn_netdev_notifier);
}
