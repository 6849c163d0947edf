/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compatibility with older kernels, back to the oldest supported one (Debian
 * bookworm's 6.1); the code uses the newest API (Debian's 7.3).
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

/*
 * 6.1 has neither split ops (6.2) nor per-op pre/post doit hooks. The
 * generated table is kept as is, typed with the struct below; the family
 * gets it through MN_SPLIT_OPS() (see scripts/ynl-regen.sh), and
 * mn_genl_register_family() folds it into genl_ops (a command's do and
 * dump share one entry on 6.1) and installs family-level hooks that call
 * the hooks of the command's do entry.
 */
struct mn_genl_split_ops {
	int (*pre_doit)(const struct mn_genl_split_ops *ops,
			struct sk_buff *skb, struct genl_info *info);
	int (*doit)(struct sk_buff *skb, struct genl_info *info);
	void (*post_doit)(const struct mn_genl_split_ops *ops,
			  struct sk_buff *skb, struct genl_info *info);
	int (*start)(struct netlink_callback *cb);
	int (*dumpit)(struct sk_buff *skb, struct netlink_callback *cb);
	int (*done)(struct netlink_callback *cb);
	const struct nla_policy *policy;
	unsigned int maxattr;
	u8 cmd;
	u8 internal_flags;
	u8 flags;
	u8 validate;
};

#define genl_split_ops		mn_genl_split_ops
#define split_ops		ops
#define n_split_ops		n_ops
#define MN_SPLIT_OPS(table)	((const struct genl_ops *)(const void *)(table))

/*
 * The split table of the registered family. Only main.c registers it, and
 * the hooks below are installed from there: this is main.c's copy.
 */
static const struct mn_genl_split_ops *mn_split_table __maybe_unused;
static unsigned int mn_n_split_table __maybe_unused;

static inline const struct mn_genl_split_ops *mn_split_doit(u8 cmd)
{
	unsigned int i;

	for (i = 0; i < mn_n_split_table; i++)
		if (mn_split_table[i].cmd == cmd && mn_split_table[i].doit)
			return &mn_split_table[i];
	return NULL;
}

static inline int mn_compat_pre_doit(const struct genl_ops *ops,
				     struct sk_buff *skb,
				     struct genl_info *info)
{
	const struct mn_genl_split_ops *op = mn_split_doit(ops->cmd);

	return op && op->pre_doit ? op->pre_doit(op, skb, info) : 0;
}

static inline void mn_compat_post_doit(const struct genl_ops *ops,
				       struct sk_buff *skb,
				       struct genl_info *info)
{
	const struct mn_genl_split_ops *op = mn_split_doit(ops->cmd);

	if (op && op->post_doit)
		op->post_doit(op, skb, info);
}

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
					const struct mn_genl_split_ops *b)
{
	/* one of them the do, the other the dump */
	if (!a->doit == !b->doit || !a->dumpit == !b->dumpit)
		return false;
	if (a->maxattr != b->maxattr || a->validate != b->validate ||
	    a->internal_flags != b->internal_flags ||
	    (a->flags & GENL_ADMIN_PERM) != (b->flags & GENL_ADMIN_PERM) ||
	    !a->policy != !b->policy)
		return false;
	return a->policy == b->policy ||
	       !memcmp(a->policy, b->policy,
		       (a->maxattr + 1) * sizeof(*a->policy));
}

/*
 * Register @family with its split table folded into genl_ops. @family is
 * __ro_after_init: it is written here, during module init, only.
 */
static inline int mn_genl_register_family(struct genl_family *family)
{
	const struct mn_genl_split_ops *split = (const void *)family->ops;
	unsigned int i, j, n_split = family->n_ops, n = 0;
	struct genl_ops *folded;
	int err;

	folded = kcalloc(n_split, sizeof(*folded), GFP_KERNEL);
	if (!folded)
		return -ENOMEM;
	for (i = 0; i < n_split; i++) {
		const struct mn_genl_split_ops *s = &split[i];

		for (j = 0; j < n && folded[j].cmd != s->cmd; j++)
			;
		if (j == n) {
			folded[n++] = (struct genl_ops) {
				.cmd = s->cmd, .doit = s->doit,
				.start = s->start, .dumpit = s->dumpit,
				.done = s->done, .policy = s->policy,
				.maxattr = s->maxattr, .flags = s->flags,
				.internal_flags = s->internal_flags,
				.validate = s->validate,
			};
			continue;
		}
		if (WARN_ON(!mn_genl_ops_foldable(&folded[j], s))) {
			kfree(folded);
			return -EINVAL;
		}
		if (s->doit) {
			folded[j].doit = s->doit;
		} else {
			folded[j].start = s->start;
			folded[j].dumpit = s->dumpit;
			folded[j].done = s->done;
		}
		folded[j].flags |= s->flags;
	}
	mn_split_table = split;
	mn_n_split_table = n_split;
	family->ops = folded;
	family->n_ops = n;
	family->pre_doit = mn_compat_pre_doit;
	family->post_doit = mn_compat_post_doit;
	err = genl_register_family(family);
	if (err) {
		family->ops = MN_SPLIT_OPS(split);
		family->n_ops = n_split;
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
#define MN_SPLIT_OPS(table)	(table)

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

/* A namespace was named by a bare word, stringified here, before. */
#ifndef MN_HAVE_IMPORT_NS_STRING
#include <linux/module.h>
#undef MODULE_IMPORT_NS
#define MODULE_IMPORT_NS(ns)	MODULE_INFO(import_ns, ns)
#endif

/* An object of the type @obj is, zeroed. */
#ifndef MN_HAVE_KMALLOC_OBJ
#define kzalloc_obj(obj, gfp)	kzalloc(sizeof(obj), gfp)
#endif

/* kernel_bind() and kernel_connect() took a struct sockaddr before. */
#ifndef MN_HAVE_SOCKADDR_UNSIZED
#define sockaddr_unsized sockaddr
#endif

/* The same function, named dev_get_flags() before. */
#ifndef MN_HAVE_NETIF_GET_FLAGS
#define netif_get_flags dev_get_flags
#endif

/*
 * It took a struct sockaddr before; the storage starts the same way. Its
 * declaration first, which the macro must not rewrite.
 */
#ifndef MN_HAVE_MAC_ADDR_STORAGE
#include <linux/netdevice.h>
#define dev_set_mac_address_user(dev, ss, extack) \
	dev_set_mac_address_user(dev, (struct sockaddr *)(ss), extack)
#endif

#ifdef NL_SET_ERR_MSG_FMT_MOD
#define MN_HAVE_EXTACK_FMT 1
#else
#define MN_HAVE_EXTACK_FMT 0
#endif

#endif /* _MIRRORNET_COMPAT_H */
