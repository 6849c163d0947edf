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
	MN_OP_REPAIR,	/* restore: create only if no object has that identity */
};

/* The kernel's own extack text for a rejected rtnetlink request. */
struct mn_kerr {
	char msg[80];
};

void mn_set_kerr(struct netlink_ext_ack *extack, enum mirrornet_object object,
		 const struct mn_kerr *kerr);
int mn_apply_init(struct mn_net *mn);
void mn_rtnl_drop(struct mn_net *mn);
void mn_apply_exit(struct mn_net *mn);

int mn_apply_link(struct mn_net *mn, int ifindex, const struct mn_link *link,
		  bool *mtu_refused, struct netlink_ext_ack *extack);
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

/* Which routes route-flush deletes, besides their device. */
struct mn_flush {
	u8 family;		/* AF_INET, AF_INET6, or 0 for both */
	u32 table;		/* only this table, or 0 for all */
	bool gateway_only;	/* only routes through a gateway */
};

/* Whether a dumped route (identity and gateway filled in) is ours. */
typedef bool (*mn_flush_ours_t)(void *ctx, const struct mn_route *r);
/* Called for every route the kernel deleted, identity and gateway filled in. */
typedef void (*mn_flush_deleted_t)(void *ctx, const struct mn_route *r);

int mn_apply_route_flush(struct mn_net *mn, int ifindex, const struct mn_flush *f,
			 mn_flush_ours_t ours, mn_flush_deleted_t deleted,
			 void *ctx, struct mn_kerr *kerr);

int mn_rtnl_parse_ack(const struct nlmsghdr *nlh, int len, int *error,
		      struct mn_kerr *kerr);

#endif /* _MIRRORNET_APPLY_H */
