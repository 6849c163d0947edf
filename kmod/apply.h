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

/*
 * Report a kernel rejection of an @what ("route", "address", ...): with the
 * kernel's own text where this kernel can format extack messages.
 */
#if MN_HAVE_EXTACK_FMT
#define MN_KERR_PREFIX(what)	KBUILD_MODNAME ": " what ": "
#define mn_set_kerr(extack, what, kerr)					\
	do {								\
		if ((kerr)->msg[0])					\
			NL_SET_ERR_MSG_FMT(extack, MN_KERR_PREFIX(what) "%.*s", \
				(int)(NETLINK_MAX_FMTMSG_LEN -		\
				      sizeof(MN_KERR_PREFIX(what))),	\
				(kerr)->msg);				\
		else							\
			NL_SET_ERR_MSG_MOD(extack,			\
					   what " rejected by the kernel"); \
	} while (0)
#else
#define mn_set_kerr(extack, what, kerr)					\
	NL_SET_ERR_MSG_MOD(extack, what " rejected by the kernel")
#endif

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
