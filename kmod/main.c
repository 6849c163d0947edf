// SPDX-License-Identifier: GPL-2.0
/*
 * mirrornet: the guest half of mirrored networking. The host's interfaces,
 * addresses, routes and neighbours are pushed over a generic netlink family;
 * the module applies them in-kernel and keeps them as a goal state.
 */

#include <kunit/visibility.h>
#include <linux/module.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "apply.h"
#include "netlink-gen.h"
#include "reconcile.h"
#include "state.h"

static unsigned int mn_net_id __read_mostly;

/**
 * mn_net_get - the mirrornet state of a network namespace
 * @net: the namespace
 *
 * Return: its state; it lives as long as the namespace.
 */
struct mn_net *mn_net_get(const struct net *net)
{
	return net_generic(net, mn_net_id);
}
EXPORT_SYMBOL_IF_KUNIT(mn_net_get);

static int __net_init mn_net_init(struct net *net)
{
	struct mn_net *mn = mn_net_get(net);
	int err;

	err = mn_state_init(mn, net);
	if (err)
		return err;
	err = mn_apply_init(mn);
	if (err) {
		mn_state_exit(mn);
		return err;
	}
	mn_reconcile_net_init(mn);
	return 0;
}

static void __net_exit mn_net_exit(struct net *net)
{
	struct mn_net *mn = mn_net_get(net);

	mn_reconcile_net_exit(mn);
	mn_apply_exit(mn);
	mn_state_exit(mn);
}

static struct pernet_operations mn_net_ops = {
	.init = mn_net_init,
	.exit = mn_net_exit,
	.id   = &mn_net_id,
	.size = sizeof(struct mn_net),
};

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
	pr_info("generic netlink family %s registered\n",
		MIRRORNET_FAMILY_NAME);
	return 0;

err_reconcile:
	mn_reconcile_exit();
err_pernet:
	unregister_pernet_subsys(&mn_net_ops);
	return err;
}

static void __exit mn_exit(void)
{
	mn_genl_unregister_family(&mirrornet_nl_family);
	mn_reconcile_exit();
	unregister_pernet_subsys(&mn_net_ops);
}

module_init(mn_init);
module_exit(mn_exit);
MODULE_DESCRIPTION("Mirrored networking for virtual machine guests");
MODULE_LICENSE("GPL");
MODULE_ALIAS_GENL_FAMILY(MIRRORNET_FAMILY_NAME);
