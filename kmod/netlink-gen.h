/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/mirrornet.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_MIRRORNET_GEN_H
#define _LINUX_MIRRORNET_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/mirrornet.h>

/* Common nested types */
extern const struct nla_policy mirrornet_addr_nl_policy[MIRRORNET_A_ADDR_SCOPE + 1];
extern const struct nla_policy mirrornet_conf_nl_policy[MIRRORNET_A_CONF_VALUE + 1];
extern const struct nla_policy mirrornet_flush_nl_policy[MIRRORNET_A_FLUSH_GATEWAY_ONLY + 1];
extern const struct nla_policy mirrornet_link_nl_policy[MIRRORNET_A_LINK_LLADDR + 1];
extern const struct nla_policy mirrornet_neigh_nl_policy[MIRRORNET_A_NEIGH_LLADDR + 1];
extern const struct nla_policy mirrornet_route_nl_policy[MIRRORNET_A_ROUTE_FLAGS + 1];
extern const struct nla_policy mirrornet_rule_nl_policy[MIRRORNET_A_RULE_IIFNAME + 1];

int mn_nl_pre_doit_iface(const struct genl_split_ops *ops, struct sk_buff *skb,
			 struct genl_info *info);
int mn_nl_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		   struct genl_info *info);
void
mn_nl_post_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		struct genl_info *info);

int mirrornet_nl_link_set_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_addr_new_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_addr_del_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_route_new_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_route_del_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_route_flush_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_neigh_new_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_neigh_del_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_rule_new_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_rule_del_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_conf_set_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_iface_del_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_iface_get_doit(struct sk_buff *skb, struct genl_info *info);
int mirrornet_nl_iface_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb);
int mirrornet_nl_rule_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);

enum {
	MIRRORNET_NLGRP_MONITOR,
};

extern struct genl_family mirrornet_nl_family;

#endif /* _LINUX_MIRRORNET_GEN_H */
