/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compatibility with the oldest supported kernel (Debian bookworm's 6.1).
 * Force-included into every object of the module (see Kbuild); each shim is
 * keyed on a feature probe rather than a version number, so that distro
 * backports are picked up.
 */
#ifndef _MIRRORNET_COMPAT_H
#define _MIRRORNET_COMPAT_H

#include <linux/version.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#ifndef MN_HAVE_GENL_SPLIT_OPS
/*
 * Split ops (6.2) carry separate do and dump entries per command. The
 * generated table has at most one entry per command and no per-op
 * pre/post hooks, so it is a valid genl_ops table as it stands.
 */
#define genl_split_ops		genl_ops
#define split_ops		ops
#define n_split_ops		n_ops

static inline struct nlattr **mn_dump_attrs(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->attrs;
}
#else
static inline struct nlattr **mn_dump_attrs(struct netlink_callback *cb)
{
	return genl_info_dump(cb)->attrs;
}
#endif

#ifndef MN_HAVE_NLA_PUT_UINT
static inline int nla_put_uint(struct sk_buff *skb, int attrtype, u64 value)
{
	u64 tmp64 = value;
	u32 tmp32 = value;

	if (tmp64 == tmp32)
		return nla_put_u32(skb, attrtype, tmp32);
	return nla_put(skb, attrtype, sizeof(u64), &tmp64);
}
#endif

#ifndef MN_HAVE_NLA_GET_DEFAULT
static inline u32 nla_get_u32_default(const struct nlattr *nla, u32 defvalue)
{
	return nla ? nla_get_u32(nla) : defvalue;
}
#endif

#ifdef NL_SET_ERR_MSG_FMT_MOD
#define MN_HAVE_EXTACK_FMT 1
#else
#define MN_HAVE_EXTACK_FMT 0
#endif

#endif /* _MIRRORNET_COMPAT_H */
