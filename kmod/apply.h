/* SPDX-License-Identifier: GPL-2.0 */
/* Applying goal-state objects to the kernel. */
#ifndef _MIRRORNET_APPLY_H
#define _MIRRORNET_APPLY_H

#include <linux/netlink.h>

#include "compat.h"
#include "state.h"

/* How an object is applied. */
enum mn_op {
	MN_OP_ADD,	/* create; fail with -EEXIST if the same object exists */
	MN_OP_REPLACE,	/* create or replace the object with the same key */
	MN_OP_DEL,
};

/* The kernel's own extack text for a rejected rtnetlink request. */
struct mn_kerr {
	char msg[80];
};

void mn_set_kerr(struct netlink_ext_ack *extack, enum mirrornet_object object,
		 const struct mn_kerr *kerr);
int mn_apply_init(struct mn_net *mn);
void mn_apply_exit(struct mn_net *mn);

int mn_apply_link(struct mn_net *mn, int ifindex, const struct mn_link *link,
		  struct netlink_ext_ack *extack);
int mn_apply_addr(struct mn_net *mn, int ifindex, const struct mn_addr *a,
		  enum mn_op op, struct mn_kerr *kerr);
int mn_apply_route(struct mn_net *mn, int ifindex, const struct mn_route *r,
		   enum mn_op op, struct mn_kerr *kerr);
int mn_apply_neigh(struct mn_net *mn, int ifindex, const struct mn_neigh *n,
		   enum mn_op op, struct mn_kerr *kerr);
int mn_apply_rule(struct mn_net *mn, const struct mn_rule *r, enum mn_op op,
		  struct mn_kerr *kerr);
int mn_apply_conf(struct mn_net *mn, int ifindex, unsigned int key, u32 value,
		  struct mn_kerr *kerr);
int mn_apply_route_flush(struct mn_net *mn, int ifindex, u8 family, u32 table,
			 bool gateway_only, struct mn_kerr *kerr);

#endif /* _MIRRORNET_APPLY_H */
