/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The helper's client of the mirrornet generic netlink family: one request,
 * one synchronous answer with the kernel's errno and extack text, within
 * MN_GENL_TIMEOUT_MS (-ETIMEDOUT otherwise). Transient errors are resent
 * here with a new sequence number, and so is a request sent to the id of a
 * family that a module reload replaced: callers see only final answers.
 * A missing module is -ENOENT with "mirrornet.ko is not loaded: ..." as
 * the text.
 */
#ifndef MIRRORNET_GENL_H
#define MIRRORNET_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"

struct mn_genl;
struct nlattr;

/* Which interface a request is for: an ifindex, else the target. */
struct mn_sel {
	int ifindex;
	const struct gns_target *target;
};

/* The answer to one request. */
struct mn_res {
	int err;		/* 0 or a negative errno */
	char extack[256];	/* the kernel's message, may be "" */
	int ifindex;		/* from the reply, 0 when held */
	bool held;		/* the module holds it for an absent NIC */
};

/* A route as the family takes it. */
struct mn_route_req {
	struct gns_ip dst;	/* family always set */
	uint8_t dst_len;
	bool has_gateway;
	struct gns_ip gateway;
	bool has_prefsrc;
	struct gns_ip prefsrc;
	bool has_metric;
	uint32_t metric;
	uint32_t table;		/* 0: main */
	bool onlink;
};

struct mn_rule_req {
	int family;
	uint32_t table;
	uint32_t priority;
	uint8_t ip_proto;	/* 0: any */
	const char *iifname;	/* NULL: any */
};

/* Identity of a present or held interface (iface-get). */
struct mn_iface_info {
	int ifindex;		/* 0 when held */
	char ifname[16];
	bool held;
};

/*
 * Dumps (iface-get, rule-get) call this per message with the parsed
 * attributes and the whole attribute stream, for the multi-attr nests.
 */
typedef void (*mn_dump_cb)(struct nlattr **attrs, struct nlattr *head,
			   int len, void *arg);

/* How long one request waits for the module's answer (SO_RCVTIMEO). */
#define MN_GENL_TIMEOUT_MS	5000

/*
 * Open a socket and resolve the family, asking the kernel to load the module
 * through its family alias (one try). A family missing then is looked up
 * again by every request, which fails with -ENOENT and
 * "mirrornet.ko is not loaded: ..." until it is there. NULL with @err set
 * only when there is no socket.
 */
struct mn_genl *mn_genl_open(char *err, size_t errlen);
/*
 * Make @g usable again: a new socket after an answer that timed out, the
 * family resolved (one try, autoloading the module) when it is not known,
 * for example after the module was unloaded. 0, or -1 with @err set.
 * Every request does this first; a caller can ask ahead of a sequence.
 */
int mn_genl_check(struct mn_genl *g, char *err, size_t errlen);
void mn_genl_close(struct mn_genl *g);

void mn_link_set(struct mn_genl *g, const struct mn_sel *s, int admin_up,
		 uint32_t mtu, const uint8_t *lladdr, size_t lladdr_len,
		 struct mn_res *r);
void mn_addr_new(struct mn_genl *g, const struct mn_sel *s,
		 const struct gns_addr *a, bool noprefixroute, bool replace,
		 struct mn_res *r);
void mn_addr_del(struct mn_genl *g, const struct mn_sel *s,
		 const struct gns_ip *ip, uint8_t prefixlen, struct mn_res *r);
void mn_route_new(struct mn_genl *g, const struct mn_sel *s,
		  const struct mn_route_req *rt, bool replace, struct mn_res *r);
void mn_route_del(struct mn_genl *g, const struct mn_sel *s,
		  const struct mn_route_req *rt, struct mn_res *r);
void mn_route_flush(struct mn_genl *g, const struct mn_sel *s, int family,
		    uint32_t table, bool gateway_only, struct mn_res *r);
void mn_neigh_new(struct mn_genl *g, const struct mn_sel *s,
		  const struct gns_ip *dst, const uint8_t *lladdr,
		  size_t lladdr_len, struct mn_res *r);
void mn_rule(struct mn_genl *g, bool add, const struct mn_rule_req *rule,
	     struct mn_res *r);
void mn_conf_set(struct mn_genl *g, const struct mn_sel *s, uint32_t key,
		 uint32_t value, struct mn_res *r);
/* Identity of the interface @s names; -ENODEV in @r when there is none. */
void mn_iface_get(struct mn_genl *g, const struct mn_sel *s,
		  struct mn_iface_info *info, struct mn_res *r);
/* Dump iface-get (optionally for @s) or rule-get (@cmd). */
void mn_dump(struct mn_genl *g, int cmd, const struct mn_sel *s,
	     mn_dump_cb cb, void *arg, struct mn_res *r);

#endif /* MIRRORNET_GENL_H */
