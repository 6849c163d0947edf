/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parts of the guest configuration that are not netlink: conf sysctls,
 * resolv.conf, nftables and the connectivity probe (reference §2.1, types
 * 69, 61, 62, 68, 72, 73, 65 DNS and 74).
 *
 * Every function that can fail returns 0 or -1 and, on -1, writes one line
 * into @err (at most @errlen bytes, NUL-terminated) that the helper sends to
 * the host as is.
 */
#ifndef MIRRORNET_SYS_H
#define MIRRORNET_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
/*
 * gns_ifname_valid(): names from the host are checked with it before they
 * reach a path or an nftables command.
 */
#include "gns/util.h"

/* conf sysctls; the family ("ipv4"/"ipv6") is part of the key. */
enum sys_conf_key {
	SYS_IPV4_ACCEPT_LOCAL,
	SYS_IPV4_ARP_FILTER,
	SYS_IPV4_ROUTE_LOCALNET,
	SYS_IPV4_RP_FILTER,
	SYS_IPV6_ACCEPT_DAD,
	SYS_IPV6_ACCEPT_RA,
	SYS_IPV6_ADDR_GEN_MODE,
	SYS_IPV6_AUTOCONF,
	SYS_IPV6_DAD_TRANSMITS,
	SYS_IPV6_DISABLE_IPV6,
	SYS_IPV6_USE_TEMPADDR,
};

/* Directory the conf paths start from; tests point it at a fake tree. */
extern const char *sys_sysctl_root;	/* default "/proc/sys/net" */

/*
 * Write "0\n" or "1\n" to <root>/<family>/conf/<scope>/<key>. @scope is
 * "all", "default" or an interface name, checked with gns_ifname_valid().
 */
int sys_conf_set(enum sys_conf_key key, const char *scope, bool on,
		 char *err, size_t errlen);

#define SYS_RESOLV_CONF	"/etc/resolv.conf"
/* Where systemd-resolved keeps the files /etc/resolv.conf may link to. */
#define SYS_RESOLVED_DIR	"/run/systemd/resolve"

/*
 * Replace the file @path resolves to (through any chain of symlinks, which
 * stay in place, dangling ones included) with resolv.conf text made from
 * @dns: Options, one nameserver line per server, one search line. The new
 * file is written next to the target and renamed over it, so readers see
 * the old or the new content, never a mix; then the directory is synced.
 * A target rename() cannot replace (EBUSY, EXDEV: a file bind-mounted over
 * it) is truncated and written in place. Missing parent directories are
 * created, so the first update works before anything made them (/mnt/wsl);
 * a file system mounted there later hides that file until the next update.
 * Options is written verbatim, as WSL does: the host that picks the
 * servers may add any line.
 */
int sys_resolv_write(const char *path, const struct gns_dns *dns,
		     char *err, size_t errlen);

/*
 * Whether @path resolves into SYS_RESOLVED_DIR (stub-resolv.conf or
 * resolv.conf of systemd-resolved, the target existing or not): then the
 * DNS settings go to resolved (resolved.h), and its file stays its own.
 */
bool sys_resolv_by_resolved(const char *path);

/*
 * Type 72, for ip and ip6: table filter, chain WSLOUTPUT (output hook,
 * priority 0) holding one rule "counter mark set 0x1"; table nat, chain
 * WSLPOSTROUTING (postrouting hook, priority 99). Running it again leaves
 * one mark rule per family.
 */
int sys_nft_setup(char *err, size_t errlen);

/*
 * Type 73 Create: for ip and ip6, udp and tcp, "oif @ifname <proto> sport
 * 1-65535 mark != 0x1 counter masquerade to :@port_start-@port_end" in nat
 * WSLPOSTROUTING, with the comment "mirrornet ifindex <n>", replacing the
 * rules the interface already had there, in one transaction. Needs
 * sys_nft_setup() first and the interface to exist.
 */
int sys_nft_iface_add(const char *ifname, uint16_t port_start,
		      uint16_t port_end, char *err, size_t errlen);

/*
 * Type 73 Remove: delete the rules of nat WSLPOSTROUTING (ip and ip6) that
 * match oif @ifname and carry its index in their comment. When there is no
 * such interface (any more), or @ifname is NULL (a GUID that resolves to
 * nothing), delete instead every rule whose tag names an index that no
 * interface has: the rules of vanished interfaces, whose oif would match
 * the next interface to get that index. No such table or chain is not an
 * error.
 */
int sys_nft_iface_del(const char *ifname, char *err, size_t errlen);

/* Type 74 status codes, per family. */
enum sys_probe_status {
	SYS_PROBE_IN_PROGRESS,
	SYS_PROBE_SUCCESS,
	SYS_PROBE_FAILURE_GETADDRINFO,
	SYS_PROBE_FAILURE_CONFIG,
	SYS_PROBE_FAILURE_SOCKET_CONNECT,
};

/*
 * Type 74, with the codes WSL's guest reports (conncheckshared.h): for
 * IPv4 and IPv6 at once, resolve @hostname, then TCP connect to its first
 * address, port 80. The name lookups come first, outside the 5 s connect
 * budget, as in WSL, but have a budget of their own (WSL's have none: a
 * dead name server would hold the whole GNS channel). Then:
 *  - no address, or the lookup still running at its end: FAILURE_GETADDRINFO;
 *  - no socket: FAILURE_CONFIG; connect() failing at once:
 *    FAILURE_SOCKET_CONNECT;
 *  - the socket writable within the budget: SUCCESS, even when the
 *    connect was refused (WSL does not look at SO_ERROR);
 *  - still pending at the end of the budget: FAILURE_SOCKET_CONNECT.
 * Returns ipv4 status | ipv6 status << 16, the reply's Result, and writes
 * what really happened per family into @what ("IPv4 refused, IPv6 no
 * address"), for the log.
 */
int32_t sys_probe(const char *hostname, char *what, size_t whatlen);
/* The same with the port and both budgets as parameters. */
int32_t sys_probe_port(const char *hostname, const char *port,
		       int lookup_ms, int connect_ms, char *what,
		       size_t whatlen);

#endif /* MIRRORNET_SYS_H */
