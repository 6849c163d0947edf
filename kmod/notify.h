/* SPDX-License-Identifier: GPL-2.0 */
/* Multicast notifications and kernel log lines for repairs and failures. */
#ifndef _MIRRORNET_NOTIFY_H
#define _MIRRORNET_NOTIFY_H

#include "apply.h"
#include "state.h"

const char *mn_object_name(enum mirrornet_object object);
void mn_notify_repair(struct mn_net *mn, const struct mn_iface *iface,
		      enum mirrornet_object object, u32 count);
void mn_notify_apply_err(struct mn_net *mn, struct mn_iface *iface,
			 enum mirrornet_object object, int err,
			 const struct mn_kerr *kerr);
int mn_nl_put_iface_id(struct sk_buff *skb, struct net *net, int ifindex,
		       const uuid_t *hwkey);

#endif /* _MIRRORNET_NOTIFY_H */
