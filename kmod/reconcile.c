// SPDX-License-Identifier: GPL-2.0
/*
 * Reconciling the goal state with the kernel: apply held state when a
 * netdev shows its hardware key, restore what the kernel flushed, hand the
 * state of a NIC that goes away back to held state.
 *
 * Who runs what:
 * - The netdev notifier (under RTNL) only queues events, and only for
 *   namespaces that have state; without memory it flags a resync instead.
 * - The IPv6 IFINFO listener's data_ready only flags the worker.
 * - The namespace worker, on mn_wq, does everything else under mn->lock
 *   and under mn_worker_cred, one credential set made at module load.
 * - Requests and readers wait for the worker (flush_work) and then lock;
 *   they never process events, so nothing is applied on behalf of the
 *   goal state with a requester's credentials.
 */

#include <kunit/visibility.h>
#include <linux/cred.h>
#include <linux/rtnetlink.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "apply.h"
#include "hwkey.h"
#include "notify.h"
#include "reconcile.h"

static struct workqueue_struct *mn_wq;
static const struct cred *mn_worker_cred;
static bool mn_unloading;

#if IS_ENABLED(CONFIG_KUNIT)
/* KUnit: the notifier behaves as if it could not allocate an event. */
VISIBLE_IF_KUNIT bool mn_test_lose_events;
EXPORT_SYMBOL_IF_KUNIT(mn_test_lose_events);

static bool mn_lose_event(void)
{
	return READ_ONCE(mn_test_lose_events);
}
#else
static bool mn_lose_event(void)
{
	return false;
}
#endif

/*
 * The interfaces one worker pass repairs, each once however many events
 * named it; past MN_REPAIR_SLOTS every present interface is repaired.
 */
#define MN_REPAIR_SLOTS	16

struct mn_repairs {
	bool all;
	unsigned int n;
	int ifindex[MN_REPAIR_SLOTS];
};

static void mn_repair_mark(struct mn_repairs *rs, int ifindex)
{
	unsigned int i;

	if (rs->all)
		return;
	for (i = 0; i < rs->n; i++)
		if (rs->ifindex[i] == ifindex)
			return;
	if (rs->n == MN_REPAIR_SLOTS)
		rs->all = true;
	else
		rs->ifindex[rs->n++] = ifindex;
}

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
		err = mn_apply_link(mn, iface->ifindex, &iface->link, NULL,
				    NULL);
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
 * Addresses, routes and neighbours are added create-exclusive: what the
 * kernel has in any shape answers -EEXIST and is left alone, and only what
 * was missing is counted as restored.
 */
void mn_iface_reapply(struct mn_net *mn, struct mn_iface *iface)
{
	u32 addrs = 0, routes = 0, neighs = 0;
	const struct mn_route *r;
	const struct mn_neigh *n;
	const struct mn_addr *a;
	struct mn_kerr kerr = {};
	int err;

	list_for_each_entry(a, &iface->addrs, node) {
		err = mn_apply_addr(mn, iface->ifindex, a, MN_OP_REPAIR, &kerr);
		addrs += mn_reapplied(mn, iface, MIRRORNET_OBJECT_ADDR, err,
				      &kerr);
	}
	list_for_each_entry(r, &iface->routes, node) {
		err = mn_apply_route(mn, iface->ifindex, r, MN_OP_REPAIR,
				     &kerr);
		routes += mn_reapplied(mn, iface, MIRRORNET_OBJECT_ROUTE, err,
				       &kerr);
	}
	list_for_each_entry(n, &iface->neighs, node) {
		err = mn_apply_neigh(mn, iface->ifindex, n, MN_OP_REPAIR,
				     &kerr);
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

/* The namespace's rules, re-asserted once per repairing pass. */
static void mn_rules_repair(struct mn_net *mn)
{
	struct mn_kerr kerr = {};
	const struct mn_rule *r;
	unsigned int n = 0;
	int err;

	list_for_each_entry(r, &mn->rules, node) {
		err = mn_apply_rule(mn, r, MN_OP_REPAIR, &kerr);
		if (!err)
			n++;
		else if (err != -EEXIST)
			mn_log(mn, warn, "applying rule failed: %d%s%s\n", err,
			       kerr.msg[0] ? " " : "", kerr.msg);
	}
	if (n)
		mn_log(mn, info, "restored %u rule(s)\n", n);
}

/*
 * Run the repairs one pass collected: link settings, conf knobs,
 * addresses, routes and neighbours of each interface, then the rules.
 *
 * No repair loop: a repair is triggered only by a transition the kernel
 * reports (link up, MTU raised from below IPV6_MIN_MTU to at least it,
 * IPv6 configured on the link, a netdev newly showing a key, a resync). A
 * repair moves the kernel towards the goal state, which the worker does not
 * change while repairing; what it changes can raise at most the transitions
 * towards that goal (the link set up, the MTU set to the goal's), and the
 * repair they trigger finds everything in place: the link and MTU already
 * as asked raise no event (dev_change_flags() and dev_set_mtu() return
 * early on no change), every object answers -EEXIST, and adding addresses,
 * routes, neighbours or rules raises no netdev event and no IFINFO
 * message. So a repair causes at most one more pass, which changes nothing.
 */
static void mn_repairs_run(struct mn_net *mn, const struct mn_repairs *rs)
{
	struct mn_iface *iface;
	bool any = rs->all;
	unsigned int i;

	if (rs->all) {
		list_for_each_entry(iface, &mn->ifaces, node) {
			if (!iface->ifindex)
				continue;
			mn_iface_apply_settings(mn, iface);
			mn_iface_reapply(mn, iface);
		}
	} else {
		for (i = 0; i < rs->n; i++) {
			iface = mn_iface_find(mn, rs->ifindex[i], NULL);
			if (!iface || iface->ifindex != rs->ifindex[i])
				continue;
			mn_iface_apply_settings(mn, iface);
			mn_iface_reapply(mn, iface);
			any = true;
		}
	}
	if (!any)
		return;
	mn_rules_repair(mn);
	mn->worker_repairs++;
}

/* The interface whose state is kept for @hwkey, if any. */
static struct mn_iface *mn_keyed_iface(struct mn_net *mn,
				       const uuid_t *hwkey)
{
	struct mn_iface *iface = mn_iface_find(mn, 0, hwkey);

	if (iface && iface->has_hwkey && uuid_equal(&iface->hwkey, hwkey))
		return iface;
	return NULL;
}

/*
 * Give the state kept for a key to the netdev that shows the key now, if
 * that is another one: held state meeting its NIC, a NIC's state moving to
 * the virt_wifi link stacked on it, or back to the NIC when the link goes.
 */
static void mn_key_follow(struct mn_net *mn, const uuid_t *hwkey,
			  struct mn_repairs *rs)
{
	struct mn_iface *iface, *tracked;
	uuid_t key;
	int ifindex;

	uuid_copy(&key, hwkey);
	iface = mn_keyed_iface(mn, &key);
	ifindex = mn_hwkey_lookup(mn, &key);
	if (!iface || !ifindex || iface->ifindex == ifindex)
		return;
	if (iface->ifindex)
		mn_log(mn, info, "ifindex %d: taking over the state of ifindex %d for %pUb\n",
		       ifindex, iface->ifindex, &key);
	else
		mn_log(mn, info, "ifindex %d: applying state held for %pUb\n",
		       ifindex, &key);
	/* Already tracked by ifindex: one interface, one entry. */
	tracked = mn_iface_find(mn, ifindex, NULL);
	if (tracked && tracked != iface)
		mn_iface_merge(mn, tracked, iface);
	else
		mn_iface_bind(mn, iface, ifindex);
	mn_repair_mark(rs, ifindex);
}

/*
 * The netdev of a bound interface is gone: its state goes back to held
 * state if it has a key (and on to another netdev with that key, such as
 * the NIC under a deleted virt_wifi link), else, or past max_held_ifaces,
 * it is dropped.
 */
static void mn_iface_gone(struct mn_net *mn, struct mn_iface *iface,
			  struct mn_repairs *rs)
{
	int ifindex = iface->ifindex;
	uuid_t key;

	if (mn_iface_unbind(mn, iface)) {
		uuid_copy(&key, &iface->hwkey);
		mn_log(mn, info, "ifindex %d: gone, state held for %pUb\n",
		       ifindex, &key);
		mn_key_follow(mn, &key, rs);
	} else {
		mn_log(mn, info, "ifindex %d: gone, state dropped\n", ifindex);
		mn_iface_free(mn, iface);
	}
}

static void mn_event_handle(struct mn_net *mn, const struct mn_event *e,
			    struct mn_repairs *rs)
{
	const uuid_t *cur = mn_hwkey_of_ifindex(mn, e->ifindex);
	struct mn_iface *iface;
	bool had = cur;
	uuid_t old;

	if (had)
		uuid_copy(&old, cur);
	if (e->type == NETDEV_UNREGISTER) {
		mn_hwkey_set(mn, e->ifindex, NULL, false);
		iface = mn_iface_find(mn, e->ifindex, NULL);
		if (iface && iface->ifindex == e->ifindex)
			mn_iface_gone(mn, iface, rs);
		return;
	}
	/* Every event re-reads the key: it may have appeared by any path. */
	if (mn_hwkey_set(mn, e->ifindex, e->has_hwkey ? &e->hwkey : NULL,
			 e->stacked))
		set_bit(MN_WORK_RESYNC, &mn->work_flags);
	if (had && (!e->has_hwkey || !uuid_equal(&old, &e->hwkey)))
		mn_key_follow(mn, &old, rs);
	if (e->has_hwkey)
		mn_key_follow(mn, &e->hwkey, rs);
	if (e->repair)
		mn_repair_mark(rs, e->ifindex);
}

/*
 * An event was lost (no memory in the notifier), or the state is new:
 * rebuild the hardware-key index from the present netdevs, hand back or
 * drop the state of netdevs that are gone, give held state the NICs that
 * show its key, and repair everything.
 *
 * Everything queued before the RTNL section is part of what the netdevs
 * show now, so those events are dropped unread. A keyed interface bound to
 * an ifindex whose netdev no longer shows its key is treated as gone too:
 * after a lost NETDEV_UNREGISTER the ifindex may have been reused. An
 * interface without a key has only its ifindex for an identity.
 */
static bool mn_iface_still_there(struct mn_net *mn,
				 const struct mn_iface *iface)
{
	const uuid_t *key;

	if (!__dev_get_by_index(mn->net, iface->ifindex))
		return false;
	if (!iface->has_hwkey)
		return true;
	key = mn_hwkey_of_ifindex(mn, iface->ifindex);
	return key && uuid_equal(key, &iface->hwkey);
}

static void mn_resync(struct mn_net *mn, struct mn_repairs *rs)
{
	struct mn_iface *iface, *itmp;
	struct mn_event *e, *etmp;
	struct mn_hwkey_entry *h;
	struct net_device *dev;
	struct hlist_node *tmp;
	LIST_HEAD(stale);
	int bkt;

	rtnl_lock();
	spin_lock(&mn->events_lock);
	list_splice_init(&mn->events, &stale);
	clear_bit(MN_WORK_RESYNC, &mn->work_flags);
	spin_unlock(&mn->events_lock);

	hash_for_each_safe(mn->hwkeys, bkt, tmp, h, node)
		if (!__dev_get_by_index(mn->net, h->ifindex))
			mn_hwkey_set(mn, h->ifindex, NULL, false);
	for_each_netdev(mn->net, dev) {
		bool stacked, has;
		uuid_t key;

		has = mn_hwkey_of_netdev(dev, &key, &stacked);
		if (mn_hwkey_set(mn, dev->ifindex, has ? &key : NULL, stacked))
			set_bit(MN_WORK_RESYNC, &mn->work_flags);
	}
	list_for_each_entry_safe(iface, itmp, &mn->ifaces, node) {
		if (!iface->ifindex)
			continue;
		if (mn_iface_still_there(mn, iface))
			continue;
		mn_iface_gone(mn, iface, rs);
	}
	rtnl_unlock();

	list_for_each_entry_safe(iface, itmp, &mn->ifaces, node)
		if (iface->has_hwkey)
			mn_key_follow(mn, &iface->hwkey, rs);
	rs->all = true;
	list_for_each_entry_safe(e, etmp, &stale, node)
		kfree(e);
}

/*
 * Read the RTNLGRP_IPV6_IFINFO messages: addrconf sends RTM_NEWLINK there
 * when it (re)configures IPv6 on a ready link, which is the only trace of
 * disable_ipv6 going 1 -> 0 (dev_disable_change() calls addrconf_notify()
 * directly, no netdev event). Only the headers are read; a message is taken
 * only from the kernel (port 0) on that group, with a sane header.
 */
static void mn_ifinfo_read(struct mn_net *mn, struct mn_repairs *rs)
{
	struct {
		struct nlmsghdr nlh;
		struct ifinfomsg ifi;
	} buf;

	for (;;) {
		struct sockaddr_nl sa = {};
		struct msghdr msg = {
			.msg_name = &sa,
			.msg_namelen = sizeof(sa),
		};
		struct kvec iov = { .iov_base = &buf, .iov_len = sizeof(buf) };
		int len;

		len = kernel_recvmsg(mn->ifinfo_sock, &msg, &iov, 1,
				     sizeof(buf), MSG_DONTWAIT);
		if (len == -ENOBUFS) {
			/* The queue overran: some messages are lost. */
			rs->all = true;
			continue;
		}
		if (len < 0)
			break;
		if (sa.nl_pid ||
		    sa.nl_groups != 1U << (RTNLGRP_IPV6_IFINFO - 1) ||
		    len < sizeof(buf) ||
		    buf.nlh.nlmsg_len < NLMSG_LENGTH(sizeof(buf.ifi)) ||
		    buf.nlh.nlmsg_type != RTM_NEWLINK ||
		    buf.ifi.ifi_family != AF_INET6 ||
		    buf.ifi.ifi_index <= 0) {
			mn_rtnl_drop(mn);
			continue;
		}
		mn_repair_mark(rs, buf.ifi.ifi_index);
	}
}

/* The namespace worker: every event, resync and repair runs here. */
static void mn_events_work(struct work_struct *work)
{
	struct mn_net *mn = container_of(work, struct mn_net, events_work);
	struct mn_repairs rs = {};
	struct mn_event *e, *tmp;
	const struct cred *old;
	LIST_HEAD(events);

	old = override_creds(mn_worker_cred);
	mutex_lock(&mn->lock);
	if (test_bit(MN_WORK_RESYNC, &mn->work_flags))
		mn_resync(mn, &rs);
	spin_lock(&mn->events_lock);
	list_splice_init(&mn->events, &events);
	spin_unlock(&mn->events_lock);
	list_for_each_entry_safe(e, tmp, &events, node) {
		mn_event_handle(mn, e, &rs);
		list_del(&e->node);
		kfree(e);
	}
	if (test_and_clear_bit(MN_WORK_IFINFO, &mn->work_flags))
		mn_ifinfo_read(mn, &rs);
	mn_repairs_run(mn, &rs);
	mutex_unlock(&mn->lock);
	revert_creds(old);
	/* No memory for the index in this pass: try again. */
	if (test_bit(MN_WORK_RESYNC, &mn->work_flags))
		mn_reconcile_resync(mn);
}

/**
 * mn_lock - lock a namespace's state, current with all netdev events
 * @mn: per-netns state
 *
 * Waits for the namespace's worker to handle what is pending; never
 * handles events itself.
 */
void mn_lock(struct mn_net *mn)
{
	flush_work(&mn->events_work);
	mutex_lock(&mn->lock);
}
EXPORT_SYMBOL_IF_KUNIT(mn_lock);

/* Queue an event for @dev, or a resync when there is no memory for one. */
static void mn_event_queue(struct mn_net *mn, struct net_device *dev,
			   unsigned long type, bool repair)
{
	struct mn_event *e = NULL;

	ASSERT_RTNL();
	if (!mn_lose_event())
		e = kzalloc_obj(*e, GFP_KERNEL);
	if (e) {
		e->type = type;
		e->ifindex = dev->ifindex;
		e->repair = repair;
		if (type != NETDEV_UNREGISTER)
			e->has_hwkey = mn_hwkey_of_netdev(dev, &e->hwkey,
							  &e->stacked);
	}
	spin_lock(&mn->events_lock);
	if (!mn->dying) {
		if (e)
			list_add_tail(&e->node, &mn->events);
		else
			set_bit(MN_WORK_RESYNC, &mn->work_flags);
		e = NULL;
		queue_work(mn_wq, &mn->events_work);
	}
	spin_unlock(&mn->events_lock);
	kfree(e);
}

/**
 * mn_lock_hwkey - mn_lock() for a request that names a hardware key
 * @mn: per-netns state
 * @hwkey: the key, or NULL
 *
 * An alias set on a link that stays down raises no netdev event and no
 * rtnetlink notification (netdev_state_change() is gated on IFF_UP), so
 * the index may not know a key a present netdev shows. When the key is
 * not indexed, the namespace's netdevs are read once (under RTNL) and an
 * event is queued for each that shows it: the worker then gives the state
 * held for the key to that netdev before the request goes on.
 */
void mn_lock_hwkey(struct mn_net *mn, const uuid_t *hwkey)
{
	struct net_device *dev;

	mn_lock(mn);
	if (!hwkey || mn_hwkey_lookup(mn, hwkey))
		return;
	mn_unlock(mn);
	rtnl_lock();
	for_each_netdev(mn->net, dev) {
		bool stacked;
		uuid_t key;

		if (mn_hwkey_of_netdev(dev, &key, &stacked) &&
		    uuid_equal(&key, hwkey))
			mn_event_queue(mn, dev, NETDEV_CHANGE, false);
	}
	rtnl_unlock();
	mn_lock(mn);
}
EXPORT_SYMBOL_IF_KUNIT(mn_lock_hwkey);

/**
 * mn_lock_read - lock a namespace's state for a request that only reads it
 * @mn: per-netns state
 */
void mn_lock_read(struct mn_net *mn)
{
	mn_lock(mn);
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

static int mn_netdev_event(struct notifier_block *nb, unsigned long type,
			   void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	const struct netdev_notifier_info_ext *ext;
	bool repair = false;
	struct mn_net *mn;

	switch (type) {
	case NETDEV_UP:
		repair = true;
		break;
	case NETDEV_CHANGEMTU:
		/* Raised only by dev_set_mtu_ext(), with the old MTU. */
		ext = container_of(ptr, struct netdev_notifier_info_ext, info);
		repair = ext->ext.mtu < IPV6_MIN_MTU &&
			 dev->mtu >= IPV6_MIN_MTU;
		break;
	case NETDEV_REGISTER:
	case NETDEV_CHANGE:
	case NETDEV_CHANGENAME:
	case NETDEV_CHANGEADDR:
	case NETDEV_UNREGISTER:
		break;
	case NETDEV_CHANGEUPPER:
		/*
		 * Raised on the lower device once a virt_wifi link is stacked
		 * on it or taken off it: the key that changed is the upper's.
		 */
		dev = ((struct netdev_notifier_changeupper_info *)ptr)->upper_dev;
		break;
	default:
		return NOTIFY_DONE;
	}
	if (READ_ONCE(mn_unloading))
		return NOTIFY_DONE;
	/* A namespace that never used the family: nothing to keep. */
	mn = mn_net_get(dev_net(dev));
	if (mn)
		mn_event_queue(mn, dev, type, repair);
	return NOTIFY_DONE;
}

static struct notifier_block mn_netdev_notifier = {
	.notifier_call = mn_netdev_event,
};

static void mn_ifinfo_data_ready(struct sock *sk)
{
	struct mn_net *mn;

	read_lock_bh(&sk->sk_callback_lock);
	mn = rcu_dereference_protected(__sk_user_data(sk),
				       lockdep_is_held(&sk->sk_callback_lock));
	if (mn) {
		set_bit(MN_WORK_IFINFO, &mn->work_flags);
		queue_work(mn_wq, &mn->events_work);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/*
 * The IPv6 IFINFO listener: a kernel NETLINK_ROUTE socket of the namespace
 * on RTNLGRP_IPV6_IFINFO, bound to a port id of its own (autobind would
 * take the current task's tgid) and connected to the kernel, so that no
 * other socket can unicast to it; group messages from user space carry a
 * non-zero port id and are dropped when read.
 */
static int mn_ifinfo_open(struct mn_net *mn)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int group = RTNLGRP_IPV6_IFINFO;
	struct socket *sock;
	int err, tries;

	err = sock_create_kern(mn->net, PF_NETLINK, SOCK_RAW, NETLINK_ROUTE,
			       &sock);
	if (err)
		return err;
	for (tries = 0; tries < 8; tries++) {
		sa.nl_pid = get_random_u32() | 0x80000000U;
		err = kernel_bind(sock, (struct sockaddr_unsized *)&sa,
				  sizeof(sa));
		if (err != -EADDRINUSE)
			break;
	}
	if (err)
		goto err_release;
	sa.nl_pid = 0;
	err = kernel_connect(sock, (struct sockaddr_unsized *)&sa, sizeof(sa),
			     0);
	if (err)
		goto err_release;
	write_lock_bh(&sock->sk->sk_callback_lock);
	rcu_assign_sk_user_data(sock->sk, mn);
	sock->sk->sk_data_ready = mn_ifinfo_data_ready;
	write_unlock_bh(&sock->sk->sk_callback_lock);
	mn->ifinfo_sock = sock;
	err = sock->ops->setsockopt(sock, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				    KERNEL_SOCKPTR(&group), sizeof(group));
	if (err)
		goto err_detach;
	return 0;

err_detach:
	write_lock_bh(&sock->sk->sk_callback_lock);
	rcu_assign_sk_user_data(sock->sk, NULL);
	write_unlock_bh(&sock->sk->sk_callback_lock);
	mn->ifinfo_sock = NULL;
err_release:
	sock_release(sock);
	return err;
}

/**
 * mn_reconcile_net_init - set up the worker of a new namespace state
 * @mn: per-netns state
 *
 * Return: 0 or a negative errno.
 */
int mn_reconcile_net_init(struct mn_net *mn)
{
	INIT_WORK(&mn->events_work, mn_events_work);
	ratelimit_state_init(&mn->log_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	return mn_ifinfo_open(mn);
}

/**
 * mn_reconcile_resync - have the worker rebuild everything from the netdevs
 * @mn: per-netns state
 */
void mn_reconcile_resync(struct mn_net *mn)
{
	spin_lock(&mn->events_lock);
	if (!mn->dying) {
		set_bit(MN_WORK_RESYNC, &mn->work_flags);
		queue_work(mn_wq, &mn->events_work);
	}
	spin_unlock(&mn->events_lock);
}

/**
 * mn_reconcile_net_stop - stop a namespace's worker for good
 * @mn: per-netns state
 *
 * Nothing queues it any more once this returns; the events still queued
 * are freed with the state. Idempotent.
 */
void mn_reconcile_net_stop(struct mn_net *mn)
{
	struct sock *sk = mn->ifinfo_sock ? mn->ifinfo_sock->sk : NULL;

	if (sk) {
		write_lock_bh(&sk->sk_callback_lock);
		rcu_assign_sk_user_data(sk, NULL);
		write_unlock_bh(&sk->sk_callback_lock);
	}
	spin_lock(&mn->events_lock);
	mn->dying = true;
	spin_unlock(&mn->events_lock);
	cancel_work_sync(&mn->events_work);
}

/**
 * mn_reconcile_net_exit - stop a namespace's worker and close its listener
 * @mn: per-netns state
 */
void mn_reconcile_net_exit(struct mn_net *mn)
{
	mn_reconcile_net_stop(mn);
	if (mn->ifinfo_sock)
		sock_release(mn->ifinfo_sock);
	mn->ifinfo_sock = NULL;
}

/**
 * mn_reconcile_init - make the workers' credentials and workqueue
 *
 * The workers run under one set of kernel credentials made here and held
 * until unload, whether override_creds() takes a reference of its own
 * (6.1, 6.12) or not (later kernels): ours keeps it alive either way.
 *
 * Return: 0 or a negative errno.
 */
int mn_reconcile_init(void)
{
	mn_worker_cred = prepare_kernel_cred(&init_task);
	if (!mn_worker_cred)
		return -ENOMEM;
	mn_wq = alloc_workqueue("mirrornet", WQ_UNBOUND, 0);
	if (!mn_wq) {
		put_cred(mn_worker_cred);
		return -ENOMEM;
	}
	return 0;
}

/**
 * mn_reconcile_exit - destroy the workqueue and drop the credentials
 *
 * Every namespace's worker was stopped (mn_reconcile_net_stop()) before.
 */
void mn_reconcile_exit(void)
{
	destroy_workqueue(mn_wq);
	put_cred(mn_worker_cred);
}

/**
 * mn_reconcile_notifier_register - start taking netdev events
 *
 * Return: 0 or a negative errno. The replayed NETDEV_REGISTER and
 * NETDEV_UP events reach only namespaces that already have state.
 */
int mn_reconcile_notifier_register(void)
{
	WRITE_ONCE(mn_unloading, false);
	return register_netdevice_notifier(&mn_netdev_notifier);
}

/**
 * mn_reconcile_notifier_unregister - stop taking netdev events
 */
void mn_reconcile_notifier_unregister(void)
{
	/* Unregistering replays NETDEV_UNREGISTER: nothing to reconcile. */
	WRITE_ONCE(mn_unloading, true);
	unregister_netdevice_notifier(&mn_netdev_notifier);
}
