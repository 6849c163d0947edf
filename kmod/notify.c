// SPDX-License-Identifier: GPL-2.0
/*
 * Multicast notifications and kernel log lines for what the module does on
 * its own: applying held state, restoring what the kernel dropped, and
 * failing at either. Log lines are rate-limited.
 */

#include <net/genetlink.h>

#include "netlink-gen.h"
#include "notify.h"

static const char * const mn_object_names[] = {
	[MIRRORNET_OBJECT_LINK] = "link",
	[MIRRORNET_OBJECT_ADDR] = "address",
	[MIRRORNET_OBJECT_ROUTE] = "route",
	[MIRRORNET_OBJECT_NEIGH] = "neighbour",
	[MIRRORNET_OBJECT_RULE] = "rule",
	[MIRRORNET_OBJECT_CONF] = "conf",
};

/**
 * mn_object_name - what an object kind is called in messages
 * @object: the kind
 *
 * Return: its name.
 */
const char *mn_object_name(enum mirrornet_object object)
{
	return mn_object_names[object];
}

/**
 * mn_nl_put_iface_id - put the attributes that name an interface
 * @skb: the message
 * @net: the namespace of @ifindex
 * @ifindex: the present netdev, or 0 for state held for @hwkey
 * @hwkey: the hardware key, or NULL
 *
 * Return: 0 or -EMSGSIZE.
 */
int mn_nl_put_iface_id(struct sk_buff *skb, struct net *net, int ifindex,
		       const uuid_t *hwkey)
{
	char name[IFNAMSIZ] = "";
	u32 state = MIRRORNET_IFACE_STATE_HELD;

	if (ifindex) {
		struct net_device *dev;

		state = MIRRORNET_IFACE_STATE_PRESENT;
		rcu_read_lock();
		dev = dev_get_by_index_rcu(net, ifindex);
		if (dev)
			strscpy(name, dev->name, sizeof(name));
		rcu_read_unlock();
		if (nla_put_u32(skb, MIRRORNET_A_IFINDEX, ifindex))
			return -EMSGSIZE;
	}
	if (name[0] && nla_put_string(skb, MIRRORNET_A_IFNAME, name))
		return -EMSGSIZE;
	if (hwkey && nla_put(skb, MIRRORNET_A_HWKEY, sizeof(*hwkey), hwkey))
		return -EMSGSIZE;
	return nla_put_u32(skb, MIRRORNET_A_STATE, state);
}

/* ifindex, ifname, hwkey, state, object, and a count or an error */
#define MN_NOTIFY_SIZE	(4 * nla_total_size(sizeof(u32)) +		\
			 nla_total_size(IFNAMSIZ) +			\
			 nla_total_size(sizeof(uuid_t)))

static void mn_notify(struct mn_net *mn, const struct mn_iface *iface, u8 cmd,
		      enum mirrornet_object object, int attr, u32 value)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&mirrornet_nl_family, mn->net,
				MIRRORNET_NLGRP_MONITOR))
		return;
	skb = genlmsg_new(MN_NOTIFY_SIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &mirrornet_nl_family, 0, cmd);
	if (!hdr)
		goto err;
	if (mn_nl_put_iface_id(skb, mn->net, iface->ifindex,
			       mn_iface_hwkey(iface)) ||
	    nla_put_u32(skb, MIRRORNET_A_OBJECT, object) ||
	    nla_put_u32(skb, attr, value))
		goto err;
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&mirrornet_nl_family, mn->net, skb, 0,
				MIRRORNET_NLGRP_MONITOR, GFP_KERNEL);
	return;
err:
	nlmsg_free(skb);
}

/**
 * mn_notify_repair - report objects the module applied on its own
 * @mn: per-netns state, locked
 * @iface: the interface
 * @object: what kind of object
 * @count: how many
 */
void mn_notify_repair(struct mn_net *mn, const struct mn_iface *iface,
		      enum mirrornet_object object, u32 count)
{
	mn_log(mn, info, "ifindex %d: restored %u %s(s)\n", iface->ifindex,
	       count, mn_object_names[object]);
	mn_notify(mn, iface, MIRRORNET_CMD_REPAIR_NTF, object,
		  MIRRORNET_A_COUNT, count);
}

/**
 * mn_notify_apply_err - report an apply the kernel rejected outside a request
 * @mn: per-netns state, locked
 * @iface: the interface
 * @object: what kind of object
 * @err: the negative errno
 * @kerr: the kernel's text, if any
 */
void mn_notify_apply_err(struct mn_net *mn, struct mn_iface *iface,
			 enum mirrornet_object object, int err,
			 const struct mn_kerr *kerr)
{
	iface->apply_errors++;
	mn_log(mn, warn, "ifindex %d: applying %s failed: %d%s%s\n",
	       iface->ifindex, mn_object_names[object], err,
	       kerr->msg[0] ? " " : "", kerr->msg);
	mn_notify(mn, iface, MIRRORNET_CMD_APPLY_ERR_NTF, object,
		  MIRRORNET_A_ERROR, err);
}
