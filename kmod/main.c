// SPDX-License-Identifier: GPL-2.0
/*
 * mirrornet: the guest half of mirrored networking. The host's interfaces,
 * addresses, routes and neighbours are pushed over a generic netlink family;
 * the module applies them in-kernel and keeps them as a goal state.
 *
 * A namespace pays for the module only once it uses the family: its pernet
 * slot holds a pointer, NULL until the first mutating request creates the
 * state, the rtnetlink socket and the worker.
 */

#include <kunit/visibility.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "apply.h"
#include "netlink-gen.h"
#include "reconcile.h"
#include "state.h"

struct mn_net_slot {
	/* Set once under mn_nets_lock; cleared under RTNL at netns exit. */
	struct mn_net *mn;
};

static unsigned int mn_net_id __read_mostly;

/* Serialises creation; guards mn_nets and mn_stopping. */
static DEFINE_MUTEX(mn_nets_lock);
static LIST_HEAD(mn_nets);
static bool mn_stopping;

static struct mn_net_slot *mn_net_slot(const struct net *net)
{
	return net_generic(net, mn_net_id);
}

/**
 * mn_net_get - the mirrornet state of a network namespace
 * @net: the namespace
 *
 * Return: its state, which lives as long as the namespace, or NULL if the
 * namespace never used the family (no goal state).
 */
struct mn_net *mn_net_get(const struct net *net)
{
	/* Pairs with the release in mn_net_get_or_create(): a complete state. */
	return smp_load_acquire(&mn_net_slot(net)->mn);
}
EXPORT_SYMBOL_IF_KUNIT(mn_net_get);

static struct mn_net *mn_net_create(struct net *net)
{
	struct mn_net *mn;
	int err;

	mn = kzalloc_obj(*mn, GFP_KERNEL_ACCOUNT);
	if (!mn)
		return ERR_PTR(-ENOMEM);
	err = mn_state_init(mn, net);
	if (err)
		goto err_free;
	err = mn_apply_init(mn);
	if (err)
		goto err_state;
	err = mn_reconcile_net_init(mn);
	if (err)
		goto err_apply;
	return mn;

err_apply:
	mn_apply_exit(mn);
err_state:
	mn_state_exit(mn);
err_free:
	kfree(mn);
	return ERR_PTR(err);
}

static void mn_net_destroy(struct mn_net *mn)
{
	mn_reconcile_net_exit(mn);
	mn_apply_exit(mn);
	mn_state_exit(mn);
	kfree(mn);
}

/**
 * mn_net_get_or_create - the mirrornet state of a namespace, created on first use
 * @net: the namespace, alive for the duration of the call
 *
 * Two first requests at once create one state: creation is serialised and
 * the pointer is published once complete. Creating it schedules a full
 * resync (the hardware-key index rebuilt from the present netdevs) that
 * mn_lock() waits for, so the first request sees every present NIC.
 *
 * Return: the state, or an ERR_PTR.
 */
struct mn_net *mn_net_get_or_create(struct net *net)
{
	struct mn_net_slot *slot = mn_net_slot(net);
	struct mn_net *mn = mn_net_get(net);

	if (mn)
		return mn;
	mutex_lock(&mn_nets_lock);
	mn = slot->mn;
	if (mn)
		goto out;
	if (mn_stopping) {
		mn = ERR_PTR(-ESHUTDOWN);
		goto out;
	}
	mn = mn_net_create(net);
	if (IS_ERR(mn))
		goto out;
	list_add(&mn->node, &mn_nets);
	/*
	 * From here on the notifier queues this namespace's events; what
	 * happened before is read from the netdevs by the resync, which
	 * runs later, under RTNL.
	 */
	smp_store_release(&slot->mn, mn);	/* pairs with mn_net_get() */
	mn_reconcile_resync(mn);
out:
	mutex_unlock(&mn_nets_lock);
	return mn;
}
EXPORT_SYMBOL_IF_KUNIT(mn_net_get_or_create);

static void __net_exit mn_net_exit(struct net *net)
{
	struct mn_net_slot *slot = mn_net_slot(net);
	struct mn_net *mn = slot->mn;

	if (!mn)
		return;
	mutex_lock(&mn_nets_lock);
	list_del(&mn->node);
	mutex_unlock(&mn_nets_lock);
	/* The notifier runs under RTNL: after this it cannot see @mn. */
	rtnl_lock();
	WRITE_ONCE(slot->mn, NULL);
	rtnl_unlock();
	mn_net_destroy(mn);
}

static struct pernet_operations mn_net_ops = {
	.exit = mn_net_exit,
	.id   = &mn_net_id,
	.size = sizeof(struct mn_net_slot),
};

/*
 * Stop every namespace's worker for good: nothing queues work any more
 * (the notifier is gone, the IPv6 listeners are detached and creation is
 * refused), so the genl family can go next without a worker using it.
 */
static void mn_workers_stop(void)
{
	struct mn_net *mn;

	mutex_lock(&mn_nets_lock);
	mn_stopping = true;
	list_for_each_entry(mn, &mn_nets, node)
		mn_reconcile_net_stop(mn);
	mutex_unlock(&mn_nets_lock);
}

/* Resync every namespace that got state before the notifier was there. */
static void mn_workers_resync(void)
{
	struct mn_net *mn;

	mutex_lock(&mn_nets_lock);
	list_for_each_entry(mn, &mn_nets, node)
		mn_reconcile_resync(mn);
	mutex_unlock(&mn_nets_lock);
}

/*
 * Setup runs in the reverse order of the teardown: per-namespace state,
 * workers, the family, the notifier. A request may create state before the
 * notifier is registered; mn_workers_resync() covers what it missed.
 */
static int __init mn_init(void)
{
	int err;

	err = register_pernet_subsys(&mn_net_ops);
	if (err)
		return err;
	err = mn_reconcile_init();
	if (err)
		goto err_pernet;
	err = mn_genl_register_family(&mirrornet_nl_family);
	if (err)
		goto err_reconcile;
	err = mn_reconcile_notifier_register();
	if (err)
		goto err_genl;
	mn_workers_resync();
	pr_info("generic netlink family %s registered\n",
		MIRRORNET_FAMILY_NAME);
	return 0;

err_genl:
	mn_workers_stop();
	mn_genl_unregister_family(&mirrornet_nl_family);
err_reconcile:
	mn_reconcile_exit();
err_pernet:
	unregister_pernet_subsys(&mn_net_ops);
	return err;
}

/*
 * Teardown: the notifier (no new events), the workers (cancelled, nothing
 * can queue them again), the family (no request left), then the
 * per-namespace state. The workqueue itself, empty since the workers
 * stopped, is destroyed after the family: a request still running until
 * genl_unregister_family() returns may flush_work() its cancelled item.
 */
static void __exit mn_exit(void)
{
	mn_reconcile_notifier_unregister();
	mn_workers_stop();
	mn_genl_unregister_family(&mirrornet_nl_family);
	mn_reconcile_exit();
	unregister_pernet_subsys(&mn_net_ops);
}

module_init(mn_init);
module_exit(mn_exit);
MODULE_DESCRIPTION("Mirrored networking for virtual machine guests");
MODULE_LICENSE("GPL");
MODULE_ALIAS_GENL_FAMILY(MIRRORNET_FAMILY_NAME);
