// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/mirrornet.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/mirrornet.h>

/* Common nested types */
const struct nla_policy mirrornet_addr_nl_policy[MIRRORNET_A_ADDR_SCOPE + 1] = {
	[MIRRORNET_A_ADDR_FAMILY] = NLA_POLICY_RANGE(NLA_U32, 2, 10),
	[MIRRORNET_A_ADDR_ADDRESS] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[MIRRORNET_A_ADDR_PREFIXLEN] = NLA_POLICY_MAX(NLA_U32, 128),
	[MIRRORNET_A_ADDR_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x3),
	[MIRRORNET_A_ADDR_PREFERRED_LFT] = { .type = NLA_U32, },
	[MIRRORNET_A_ADDR_VALID_LFT] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_ADDR_SCOPE] = NLA_POLICY_MAX(NLA_U32, 255),
};

const struct nla_policy mirrornet_conf_nl_policy[MIRRORNET_A_CONF_VALUE + 1] = {
	[MIRRORNET_A_CONF_KEY] = NLA_POLICY_MAX(NLA_U32, 9),
	[MIRRORNET_A_CONF_VALUE] = NLA_POLICY_MAX(NLA_U32, 255),
};

const struct nla_policy mirrornet_flush_nl_policy[MIRRORNET_A_FLUSH_GATEWAY_ONLY + 1] = {
	[MIRRORNET_A_FLUSH_FAMILY] = NLA_POLICY_RANGE(NLA_U32, 2, 10),
	[MIRRORNET_A_FLUSH_TABLE] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_FLUSH_GATEWAY_ONLY] = { .type = NLA_FLAG, },
};

const struct nla_policy mirrornet_link_nl_policy[MIRRORNET_A_LINK_LLADDR + 1] = {
	[MIRRORNET_A_LINK_ADMIN] = NLA_POLICY_MAX(NLA_U32, 1),
	[MIRRORNET_A_LINK_MTU] = NLA_POLICY_MIN(NLA_U32, 68),
	[MIRRORNET_A_LINK_LLADDR] = NLA_POLICY_RANGE(NLA_BINARY, 1, 32),
};

const struct nla_policy mirrornet_neigh_nl_policy[MIRRORNET_A_NEIGH_LLADDR + 1] = {
	[MIRRORNET_A_NEIGH_FAMILY] = NLA_POLICY_RANGE(NLA_U32, 2, 10),
	[MIRRORNET_A_NEIGH_DST] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[MIRRORNET_A_NEIGH_LLADDR] = NLA_POLICY_RANGE(NLA_BINARY, 1, 32),
};

const struct nla_policy mirrornet_route_nl_policy[MIRRORNET_A_ROUTE_FLAGS + 1] = {
	[MIRRORNET_A_ROUTE_FAMILY] = NLA_POLICY_RANGE(NLA_U32, 2, 10),
	[MIRRORNET_A_ROUTE_DST] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[MIRRORNET_A_ROUTE_DST_LEN] = NLA_POLICY_MAX(NLA_U32, 128),
	[MIRRORNET_A_ROUTE_GATEWAY] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[MIRRORNET_A_ROUTE_PREFSRC] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[MIRRORNET_A_ROUTE_METRIC] = { .type = NLA_U32, },
	[MIRRORNET_A_ROUTE_TABLE] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_ROUTE_TYPE] = NLA_POLICY_RANGE(NLA_U32, 1, 9),
	[MIRRORNET_A_ROUTE_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x1),
};

const struct nla_policy mirrornet_rule_nl_policy[MIRRORNET_A_RULE_IIFNAME + 1] = {
	[MIRRORNET_A_RULE_FAMILY] = NLA_POLICY_RANGE(NLA_U32, 2, 10),
	[MIRRORNET_A_RULE_PRIORITY] = { .type = NLA_U32, },
	[MIRRORNET_A_RULE_TABLE] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_RULE_IP_PROTO] = NLA_POLICY_MAX(NLA_U32, 255),
	[MIRRORNET_A_RULE_IIFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
};

/* MIRRORNET_CMD_LINK_SET - do */
static const struct nla_policy mirrornet_link_set_nl_policy[MIRRORNET_A_LINK + 1] = {
	[MIRRORNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[MIRRORNET_A_HWKEY] = NLA_POLICY_EXACT_LEN(16),
	[MIRRORNET_A_LINK] = NLA_POLICY_NESTED(mirrornet_link_nl_policy),
};

/* MIRRORNET_CMD_ADDR_NEW - do */
static const struct nla_policy mirrornet_addr_new_nl_policy[MIRRORNET_A_REPLACE + 1] = {
	[MIRRORNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[MIRRORNET_A_HWKEY] = NLA_POLICY_EXACT_LEN(16),
	[MIRRORNET_A_ADDR] = NLA_POLICY_NESTED(mirrornet_addr_nl_policy),
	[MIRRORNET_A_REPLACE] = { .type = NLA_FLAG, },
};

/* MIRRORNET_CMD_ADDR_DEL - do */
static const struct nla_policy mirrornet_addr_del_nl_policy[MIRRORNET_A_ADDR + 1] = {
	[MIRRORNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[MIRRORNET_A_HWKEY] = NLA_POLICY_EXACT_LEN(16),
	[MIRRORNET_A_ADDR] = NLA_POLICY_NESTED(mirrornet_addr_nl_policy),
};

/* MIRRORNET_CMD_ROUTE_NEW - do */
static const struct nla_policy mirrornet_route_new_nl_policy[MIRRORNET_A_REPLACE + 1] = {
	[MIRRORNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[MIRRORNET_A_HWKEY] = NLA_POLICY_EXACT_LEN(16),
	[MIRRORNET_A_ROUTE] = NLA_POLICY_NESTED(mirrornet_route_nl_policy),
	[MIRRORNET_A_REPLACE] = { .type = NLA_FLAG, },
};

/* MIRRORNET_CMD_ROUTE_DEL - do */
static const struct nla_policy mirrornet_route_del_nl_policy[MIRRORNET_A_ROUTE + 1] = {
	[MIRRORNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[MIRRORNET_A_HWKEY] = NLA_POLICY_EXACT_LEN(16),
	[MIRRORNET_A_ROUTE] = NLA_POLICY_NESTED(mirrornet_route_nl_policy),
};

/* MIRRORNET_CMD_ROUTE_FLUSH - do */
static const struct nla_policy mirrornet_route_flush_nl_policy[MIRRORNET_A_FLUSH + 1] = {
	[MIRRORNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[MIRRORNET_A_HWKEY] = NLA_POLICY_EXACT_LEN(16),
	[MIRRORNET_A_FLUSH] = NLA_POLICY_NESTED(mirrornet_flush_nl_policy),
};

/* MIRRORNET_CMD_NEIGH_NEW - do */
static const struct nla_policy mirrornet_neigh_new_nl_policy[MIRRORNET_A_NEIGH + 1] = {
	[MIRRORNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[MIRRORNET_A_HWKEY] = NLA_POLICY_EXACT_LEN(16),
	[MIRRORNET_A_NEIGH] = NLA_POLICY_NESTED(mirrornet_neigh_nl_policy),
};

/* MIRRORNET_CMD_NEIGH_DEL - do */
static const struct nla_policy mirrornet_neigh_del_nl_policy[MIRRORNET_A_NEIGH + 1] = {
	[MIRRORNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[MIRRORNET_A_HWKEY] = NLA_POLICY_EXACT_LEN(16),
	[MIRRORNET_A_NEIGH] = NLA_POLICY_NESTED(mirrornet_neigh_nl_policy),
};

/* MIRRORNET_CMD_RULE_NEW - do */
static const struct nla_policy mirrornet_rule_new_nl_policy[MIRRORNET_A_RULE + 1] = {
	[MIRRORNET_A_RULE] = NLA_POLICY_NESTED(mirrornet_rule_nl_policy),
};

/* MIRRORNET_CMD_RULE_DEL - do */
static const struct nla_policy mirrornet_rule_del_nl_policy[MIRRORNET_A_RULE + 1] = {
	[MIRRORNET_A_RULE] = NLA_POLICY_NESTED(mirrornet_rule_nl_policy),
};

/* MIRRORNET_CMD_CONF_SET - do */
static const struct nla_policy mirrornet_conf_set_nl_policy[MIRRORNET_A_CONF + 1] = {
	[MIRRORNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[MIRRORNET_A_HWKEY] = NLA_POLICY_EXACT_LEN(16),
	[MIRRORNET_A_CONF] = NLA_POLICY_NESTED(mirrornet_conf_nl_policy),
};

/* MIRRORNET_CMD_IFACE_DEL - do */
static const struct nla_policy mirrornet_iface_del_nl_policy[MIRRORNET_A_HWKEY + 1] = {
	[MIRRORNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[MIRRORNET_A_HWKEY] = NLA_POLICY_EXACT_LEN(16),
};

/* MIRRORNET_CMD_IFACE_GET - do */
static const struct nla_policy mirrornet_iface_get_do_nl_policy[MIRRORNET_A_HWKEY + 1] = {
	[MIRRORNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[MIRRORNET_A_HWKEY] = NLA_POLICY_EXACT_LEN(16),
};

/* MIRRORNET_CMD_IFACE_GET - dump */
static const struct nla_policy mirrornet_iface_get_dump_nl_policy[MIRRORNET_A_HWKEY + 1] = {
	[MIRRORNET_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[MIRRORNET_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[MIRRORNET_A_HWKEY] = NLA_POLICY_EXACT_LEN(16),
};

/* Ops table for mirrornet */
static const struct genl_split_ops mirrornet_nl_ops[] = {
	{
		.cmd		= MIRRORNET_CMD_LINK_SET,
		.pre_doit	= mn_nl_pre_doit_iface,
		.doit		= mirrornet_nl_link_set_doit,
		.post_doit	= mn_nl_post_doit,
		.policy		= mirrornet_link_set_nl_policy,
		.maxattr	= MIRRORNET_A_LINK,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_ADDR_NEW,
		.pre_doit	= mn_nl_pre_doit_iface,
		.doit		= mirrornet_nl_addr_new_doit,
		.post_doit	= mn_nl_post_doit,
		.policy		= mirrornet_addr_new_nl_policy,
		.maxattr	= MIRRORNET_A_REPLACE,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_ADDR_DEL,
		.pre_doit	= mn_nl_pre_doit_iface,
		.doit		= mirrornet_nl_addr_del_doit,
		.post_doit	= mn_nl_post_doit,
		.policy		= mirrornet_addr_del_nl_policy,
		.maxattr	= MIRRORNET_A_ADDR,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_ROUTE_NEW,
		.pre_doit	= mn_nl_pre_doit_iface,
		.doit		= mirrornet_nl_route_new_doit,
		.post_doit	= mn_nl_post_doit,
		.policy		= mirrornet_route_new_nl_policy,
		.maxattr	= MIRRORNET_A_REPLACE,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_ROUTE_DEL,
		.pre_doit	= mn_nl_pre_doit_iface,
		.doit		= mirrornet_nl_route_del_doit,
		.post_doit	= mn_nl_post_doit,
		.policy		= mirrornet_route_del_nl_policy,
		.maxattr	= MIRRORNET_A_ROUTE,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_ROUTE_FLUSH,
		.pre_doit	= mn_nl_pre_doit_iface,
		.doit		= mirrornet_nl_route_flush_doit,
		.post_doit	= mn_nl_post_doit,
		.policy		= mirrornet_route_flush_nl_policy,
		.maxattr	= MIRRORNET_A_FLUSH,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_NEIGH_NEW,
		.pre_doit	= mn_nl_pre_doit_iface,
		.doit		= mirrornet_nl_neigh_new_doit,
		.post_doit	= mn_nl_post_doit,
		.policy		= mirrornet_neigh_new_nl_policy,
		.maxattr	= MIRRORNET_A_NEIGH,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_NEIGH_DEL,
		.pre_doit	= mn_nl_pre_doit_iface,
		.doit		= mirrornet_nl_neigh_del_doit,
		.post_doit	= mn_nl_post_doit,
		.policy		= mirrornet_neigh_del_nl_policy,
		.maxattr	= MIRRORNET_A_NEIGH,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_RULE_NEW,
		.pre_doit	= mn_nl_pre_doit,
		.doit		= mirrornet_nl_rule_new_doit,
		.post_doit	= mn_nl_post_doit,
		.policy		= mirrornet_rule_new_nl_policy,
		.maxattr	= MIRRORNET_A_RULE,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_RULE_DEL,
		.pre_doit	= mn_nl_pre_doit,
		.doit		= mirrornet_nl_rule_del_doit,
		.post_doit	= mn_nl_post_doit,
		.policy		= mirrornet_rule_del_nl_policy,
		.maxattr	= MIRRORNET_A_RULE,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_CONF_SET,
		.pre_doit	= mn_nl_pre_doit_iface,
		.doit		= mirrornet_nl_conf_set_doit,
		.post_doit	= mn_nl_post_doit,
		.policy		= mirrornet_conf_set_nl_policy,
		.maxattr	= MIRRORNET_A_CONF,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_IFACE_DEL,
		.pre_doit	= mn_nl_pre_doit_iface,
		.doit		= mirrornet_nl_iface_del_doit,
		.post_doit	= mn_nl_post_doit,
		.policy		= mirrornet_iface_del_nl_policy,
		.maxattr	= MIRRORNET_A_HWKEY,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_IFACE_GET,
		.doit		= mirrornet_nl_iface_get_doit,
		.policy		= mirrornet_iface_get_do_nl_policy,
		.maxattr	= MIRRORNET_A_HWKEY,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MIRRORNET_CMD_IFACE_GET,
		.dumpit		= mirrornet_nl_iface_get_dumpit,
		.policy		= mirrornet_iface_get_dump_nl_policy,
		.maxattr	= MIRRORNET_A_HWKEY,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd	= MIRRORNET_CMD_RULE_GET,
		.dumpit	= mirrornet_nl_rule_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
};

static const struct genl_multicast_group mirrornet_nl_mcgrps[] = {
	[MIRRORNET_NLGRP_MONITOR] = { .name = "monitor", .flags = GENL_MCAST_CAP_NET_ADMIN, },
};

struct genl_family mirrornet_nl_family __ro_after_init = {
	.name		= MIRRORNET_FAMILY_NAME,
	.version	= MIRRORNET_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= MN_SPLIT_OPS(mirrornet_nl_ops),
	.n_split_ops	= ARRAY_SIZE(mirrornet_nl_ops),
	.mcgrps		= mirrornet_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(mirrornet_nl_mcgrps),
};
