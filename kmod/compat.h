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
#include <linux/bug.h>
#include <linux/slab.h>
#include <linux/string.h>

/*
 * Split ops (6.2) carry separate do and dump entries per command. The
 * generated table has no per-op pre/post hooks, so each entry is a valid
 * genl_ops; but a command with both a do and a dump has two entries, which
 * 6.1 refuses. mn_genl_register_family() folds each such pair into one.
 */
#define genl_split_ops		genl_ops
#define split_ops		ops
#define n_split_ops		n_ops

static inline struct nlattr **mn_dump_attrs(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->attrs;
}

/*
 * 6.1 checks a command's do and dump with one policy and one set of
 * permission flags: fold two entries only when they have the same, so that
 * neither is checked less than its spec asks.
 */
static inline bool mn_genl_ops_foldable(const struct genl_ops *a,
					const struct genl_ops *b)
{
	const u8 perm = GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM;

	/* one of them the do, the other the dump */
	if (!a->doit == !b->doit || !a->dumpit == !b->dumpit)
		return false;
	if (a->maxattr != b->maxattr || a->validate != b->validate ||
	    a->internal_flags != b->internal_flags ||
	    (a->flags & perm) != (b->flags & perm) || !a->policy != !b->policy)
		return false;
	return a->policy == b->policy ||
	       !memcmp(a->policy, b->policy,
		       (a->maxattr + 1) * sizeof(*a->policy));
}

/* Register @family with the do and dump entries of each command folded. */
static inline int mn_genl_register_family(struct genl_family *family)
{
	const struct genl_ops *ops = family->ops;
	unsigned int n_ops = family->n_ops;
	unsigned int i, j, n = 0;
	struct genl_ops *folded;
	int err;

	folded = kcalloc(n_ops, sizeof(*folded), GFP_KERNEL);
	if (!folded)
		return -ENOMEM;
	for (i = 0; i < n_ops; i++) {
		for (j = 0; j < n && folded[j].cmd != ops[i].cmd; j++)
			;
		if (j == n) {
			folded[n++] = ops[i];
			continue;
		}
		if (WARN_ON(!mn_genl_ops_foldable(&folded[j], &ops[i]))) {
			kfree(folded);
			return -EINVAL;
		}
		if (ops[i].doit) {
			folded[j].doit = ops[i].doit;
		} else {
			folded[j].start = ops[i].start;
			folded[j].dumpit = ops[i].dumpit;
			folded[j].done = ops[i].done;
		}
		folded[j].flags |= ops[i].flags;
	}
	family->ops = folded;
	family->n_ops = n;
	err = genl_register_family(family);
	if (err) {
		family->ops = ops;
		family->n_ops = n_ops;
		kfree(folded);
	}
	return err;
}

static inline void mn_genl_unregister_family(struct genl_family *family)
{
	genl_unregister_family(family);
	kfree(family->ops);
}
#else
static inline struct nlattr **mn_dump_attrs(struct netlink_callback *cb)
{
	return genl_info_dump(cb)->attrs;
}

static inline int mn_genl_register_family(struct genl_family *family)
{
	return genl_register_family(family);
}

static inline void mn_genl_unregister_family(struct genl_family *family)
{
	genl_unregister_family(family);
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
