/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mirrornet goal state: what the host asked for, per network namespace and
 * interface.
 */
#ifndef _MIRRORNET_STATE_H
#define _MIRRORNET_STATE_H

#include <linux/hashtable.h>
#include <linux/if.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/ratelimit.h>
#include <linux/rhashtable.h>
#include <linux/uuid.h>
#include <linux/workqueue.h>
#include <uapi/linux/mirrornet.h>

#define MN_CONF_KEYS	(MIRRORNET_CONF_KEY_IPV6_ACCEPT_DAD + 1)
#define MN_IFACE_BITS	6
#define MN_LFT_FOREVER	0xffffffffU

struct mn_net;

/* What a link-set request asked for; each part only when its bit is set. */
struct mn_link {
	u8 has_admin:1, has_mtu:1, has_lladdr:1;
	u8 admin_up;
	u8 lladdr_len;
	u32 mtu;
	u8 lladdr[MAX_ADDR_LEN];
};

/*
 * Addresses, neighbours and rules are kept on lists for iteration and in a
 * per-namespace hash table each for lookups, keyed like the kernel keys
 * them: an address by interface, family, address and prefix length; a
 * neighbour by interface, family and destination; a rule by all its fields.
 */
struct mn_addr {
	struct rhash_head hnode;	/* mn_net.addr_index */
	struct list_head node;		/* mn_iface.addrs */
	struct mn_iface *iface;
	u8 family;
	u8 prefixlen;
	u8 scope;
	u32 flags;		/* MIRRORNET_ADDR_FLAGS_* */
	u32 preferred_lft;
	u32 valid_lft;
	struct in6_addr addr;	/* IPv4 in the first 4 bytes */
};

/*
 * A route's identity is the kernel's: family, destination, table and
 * metric, whatever the interface (IPv4 replaces the newest route with that
 * key, IPv6 the routes with that key). Routes that share a key sit on one
 * rhlist, newest first. Only the bytes up to dst_len are hashed: no
 * padding.
 */
struct mn_route_key {
	struct in6_addr dst;	/* IPv4 in the first 4 bytes */
	u32 table;
	u32 metric;
	u8 family;
	u8 dst_len;
};

struct mn_route {
	struct rhlist_head hnode;	/* mn_net.routes */
	struct list_head node;		/* mn_iface.routes */
	struct mn_iface *iface;
	struct mn_route_key key;
	u8 type;
	u8 flags;		/* MIRRORNET_ROUTE_FLAGS_* */
	u8 has_gw:1, has_prefsrc:1;
	struct in6_addr gw;
	struct in6_addr prefsrc;
};

struct mn_neigh {
	struct rhash_head hnode;	/* mn_net.neigh_index */
	struct list_head node;		/* mn_iface.neighs */
	struct mn_iface *iface;
	u8 family;
	u8 lladdr_len;
	struct in6_addr dst;
	u8 lladdr[MAX_ADDR_LEN];
};

struct mn_rule {
	struct rhash_head hnode;	/* mn_net.rule_index */
	struct list_head node;		/* mn_net.rules */
	u8 family;
	u8 has_ip_proto:1, has_iifname:1, has_priority:1;
	u8 ip_proto;
	u32 priority;
	u32 table;
	char iifname[IFNAMSIZ];	/* zero-padded */
};

/*
 * One tracked interface. ifindex is 0 while the state is held for a
 * hardware key whose netdev is not there yet.
 */
struct mn_iface {
	struct hlist_node index_node;	/* mn_net.by_ifindex, when present */
	struct hlist_node hwkey_node;	/* mn_net.by_hwkey, when has_hwkey */
	struct list_head node;		/* mn_net.ifaces */
	int ifindex;
	bool has_hwkey;
	uuid_t hwkey;
	struct mn_link link;
	struct list_head addrs;
	struct list_head routes;
	struct list_head neighs;
	unsigned long conf_set;		/* bit per MIRRORNET_CONF_KEY_* */
	u32 conf[MN_CONF_KEYS];
	u64 repairs;
	u64 apply_errors;
};

/* A netdev event queued by the notifier for the netns worker. */
struct mn_event {
	struct list_head node;
	unsigned long type;	/* NETDEV_* */
	int ifindex;
	bool has_hwkey;
	bool stacked;		/* a virt_wifi link with its NIC's key */
	bool repair;		/* link up, or MTU raised to IPV6_MIN_MTU+ */
	uuid_t hwkey;
};

/* mn_net.work_flags */
enum {
	MN_WORK_RESYNC,		/* an event was lost: rebuild from the netdevs */
	MN_WORK_IFINFO,		/* RTNLGRP_IPV6_IFINFO messages to read */
};

/* Hardware key of a present netdev, indexed for request-time lookups. */
struct mn_hwkey_entry {
	struct hlist_node node;		/* mn_net.hwkeys, by key */
	struct hlist_node index_node;	/* mn_net.hwkeys_by_ifindex */
	int ifindex;
	bool stacked;			/* a virt_wifi link on the keyed NIC */
	uuid_t hwkey;
};

/*
 * The state of a namespace that used the family; the pernet slot holds
 * only a pointer to it (main.c), and namespaces that never sent a
 * mutating request have none.
 */
struct mn_net {
	struct net *net;
	struct mutex lock;		/* goal state, socket, hwkey index */
	struct socket *rtnl_sock;	/* kernel rtnetlink socket of this netns */
	void *rtnl_buf;			/* receive buffer for its acks and dumps */
	u32 rtnl_seq;
	u64 rtnl_dropped;		/* refused on either kernel socket */
	struct list_head ifaces;
	DECLARE_HASHTABLE(by_ifindex, MN_IFACE_BITS);
	DECLARE_HASHTABLE(by_hwkey, MN_IFACE_BITS);
	DECLARE_HASHTABLE(hwkeys, MN_IFACE_BITS);
	DECLARE_HASHTABLE(hwkeys_by_ifindex, MN_IFACE_BITS);
	struct rhltable routes;
	struct rhashtable addr_index;
	struct rhashtable neigh_index;
	struct rhashtable rule_index;
	struct list_head rules;
	unsigned int held_ifaces;	/* against max_held_ifaces */
	unsigned int objects;		/* against max_objects */
	unsigned int generation;	/* bumped on every change, for dumps */

	/* Lifecycle (main.c, reconcile.c). */
	struct list_head node;		/* every mn_net, for module unload */
	spinlock_t events_lock;		/* events, dying */
	struct list_head events;
	bool dying;
	unsigned long work_flags;	/* MN_WORK_* */
	struct work_struct events_work;	/* the namespace worker */
	struct socket *ifinfo_sock;	/* RTNLGRP_IPV6_IFINFO listener */
	struct ratelimit_state log_rs;	/* this namespace's log lines */
	u64 worker_repairs;		/* repair runs by the worker */
};

/* Log lines are rate-limited per namespace: one cannot silence another. */
#define mn_log(mn, level, fmt, ...)					\
	do {								\
		if (__ratelimit(&(mn)->log_rs))				\
			pr_##level(fmt, ##__VA_ARGS__);			\
	} while (0)

struct mn_net *mn_net_get(const struct net *net);
struct mn_net *mn_net_get_or_create(struct net *net);

int mn_state_init(struct mn_net *mn, struct net *net);
void mn_state_exit(struct mn_net *mn);

int mn_objects_check(struct mn_net *mn, struct netlink_ext_ack *extack);

struct mn_iface *mn_iface_find(struct mn_net *mn, int ifindex,
			       const uuid_t *hwkey);
struct mn_iface *mn_iface_get(struct mn_net *mn, int ifindex,
			      const uuid_t *hwkey,
			      struct netlink_ext_ack *extack);
void mn_iface_bind(struct mn_net *mn, struct mn_iface *iface, int ifindex);
bool mn_iface_unbind(struct mn_net *mn, struct mn_iface *iface);
void mn_iface_free(struct mn_net *mn, struct mn_iface *iface);
struct mn_iface *mn_iface_merge(struct mn_net *mn, struct mn_iface *into,
				struct mn_iface *from);
bool mn_iface_is_empty(const struct mn_iface *iface);
void mn_link_merge(struct mn_link *into, const struct mn_link *from);

/* The hardware key an interface is tracked under, or NULL. */
static inline const uuid_t *mn_iface_hwkey(const struct mn_iface *iface)
{
	return iface->has_hwkey ? &iface->hwkey : NULL;
}

int mn_hwkey_lookup(struct mn_net *mn, const uuid_t *hwkey);
const uuid_t *mn_hwkey_of_ifindex(struct mn_net *mn, int ifindex);
int mn_hwkey_set(struct mn_net *mn, int ifindex, const uuid_t *hwkey,
		 bool stacked);

struct mn_addr *mn_addr_find(struct mn_net *mn, struct mn_iface *iface,
			     const struct mn_addr *a);
struct mn_addr *mn_addr_add(struct mn_net *mn, struct mn_iface *iface,
			    const struct mn_addr *a,
			    struct netlink_ext_ack *extack);
void mn_addr_del(struct mn_net *mn, struct mn_addr *a);

struct mn_route *mn_route_find(struct mn_net *mn, const struct mn_route *r);
struct mn_route *mn_route_first(struct mn_net *mn,
				const struct mn_route_key *key);
struct mn_route *mn_route_find_del(struct mn_net *mn,
				   const struct mn_route *r);
int mn_route_insert(struct mn_net *mn, struct mn_iface *iface,
		    struct mn_route *r);
int mn_route_add(struct mn_net *mn, struct mn_iface *iface,
		 const struct mn_route *r, bool replace,
		 struct netlink_ext_ack *extack);
void mn_route_remove(struct mn_net *mn, struct mn_route *r);

struct mn_neigh *mn_neigh_find(struct mn_net *mn, struct mn_iface *iface,
			       const struct mn_neigh *n);
struct mn_neigh *mn_neigh_add(struct mn_net *mn, struct mn_iface *iface,
			      const struct mn_neigh *n,
			      struct netlink_ext_ack *extack);
void mn_neigh_del(struct mn_net *mn, struct mn_neigh *n);

struct mn_rule *mn_rule_find(struct mn_net *mn, const struct mn_rule *r);
struct mn_rule *mn_rule_add(struct mn_net *mn, const struct mn_rule *r,
			    struct netlink_ext_ack *extack);
void mn_rule_del(struct mn_net *mn, struct mn_rule *r);

#endif /* _MIRRORNET_STATE_H */
