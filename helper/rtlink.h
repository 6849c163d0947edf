/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few rtnetlink calls the helper makes itself, each a one-off request
 * with no state to keep: renames, virt_wifi links, the DNS tunnel's
 * address on lo, IPv4 rules and where the generic one stands, an address
 * as the kernel has it; finding an interface by its hardware key in
 * sysfs; and watching links appear while it waits for a NIC.
 */
#ifndef MIRRORNET_RTLINK_H
#define MIRRORNET_RTLINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How long a request waits for the kernel's answer (SO_RCVTIMEO). */
#define RT_TIMEOUT_MS	5000

/*
 * Rename @ifindex to @name. A link that is up is taken down first (the
 * kernel refuses to rename it otherwise); the caller brings it up.
 * Returns 0 or a negative errno with the kernel's text in @err.
 */
int rt_rename(int ifindex, const char *name, char *err, size_t errlen);

/*
 * Create a virt_wifi link @name on top of @lower: the wireless face WSL's
 * guest gives a NIC the host calls wlanN. -EOPNOTSUPP when the kernel has
 * no virt_wifi; other errors as rt_rename().
 */
int rt_virt_wifi_add(int lower, const char *name, char *err, size_t errlen);

/* Set IFF_UP on @ifindex; errors as rt_rename(). */
int rt_link_up(int ifindex, char *err, size_t errlen);

/*
 * RTM_NEWADDR (exclusive: -EEXIST when it is there) or RTM_DELADDR of
 * @ip/32 on @ifindex, scope global. Errors as rt_rename().
 */
int rt_addr(int type, int ifindex, struct in_addr ip, char *err,
	    size_t errlen);

/*
 * Add or delete the IPv4 rule "@prio: [iif @iifname] [ipproto @ip_proto]
 * lookup @table", as the module would (proto kernel). Errors as
 * rt_rename(). The kernel deletes the first rule that matches what is
 * given: an absent iifname or ip_proto matches any.
 */
int rt_rule(bool add, uint32_t prio, uint32_t table, uint8_t ip_proto,
	    const char *iifname, char *err, size_t errlen);

/*
 * Where the generic IPv4 rule "@prio: from all lookup @table" (no iif,
 * no ipproto, no other selector) stands: absent, first among the rules
 * at @prio for @table (so that a delete without selectors takes it), or
 * behind others. A negative errno on failure.
 */
enum { RT_RULE_ABSENT, RT_RULE_FIRST, RT_RULE_BEHIND };
int rt_generic_rule(uint32_t prio, uint32_t table, char *err, size_t errlen);

/* An address as the kernel has it (RTM_NEWADDR's dump). */
struct rt_addr_info {
	uint8_t prefixlen;
	uint8_t scope;
	uint32_t flags;		/* IFA_F_*: IFA_FLAGS, else ifa_flags */
	uint32_t preferred_lft;	/* left, in seconds; UINT32_MAX forever */
	uint32_t valid_lft;
};

/*
 * The address @ip (@family's size) on @ifindex: 0 with @info (the one of
 * @prefixlen when the kernel has the address with several), -ENOENT when
 * the interface has no such address, or a negative errno with a text.
 */
int rt_addr_get(int ifindex, int family, const void *ip, uint8_t prefixlen,
		struct rt_addr_info *info, char *err, size_t errlen);

/* Where interfaces are listed; tests point it at a fake tree. */
extern const char *rt_sysfs_net;	/* default "/sys/class/net" */

/*
 * The interface whose hardware key is @guid (36 characters, lower case)
 * without asking the module, found as the module finds it: a VMBus device
 * named @guid among its sysfs parents, else @guid as its alias; a
 * virt_wifi link stacked on it wins. 0 with its name, or -ENODEV.
 */
int rt_iface_by_key(const char *guid, char name[IFNAMSIZ]);

/* A socket that hears about every new or changed link; -errno on failure. */
int rt_link_watch_open(void);
/*
 * Wait up to @timeout_ms for link events on @fd and drain them.
 * Returns 1 after an event, 0 on timeout, -errno on error.
 */
int rt_link_watch_wait(int fd, int timeout_ms);

#endif /* MIRRORNET_RTLINK_H */
