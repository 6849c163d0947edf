// SPDX-License-Identifier: GPL-2.0
/*
 * conf sysctls through /proc/sys/net (reference §2.2 P-SYSCTL). Only the
 * scope comes from the host; the family and the key come from the table
 * below, so a request cannot name any other file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sys.h"

const char *sys_sysctl_root = "/proc/sys/net";

static const struct {
	const char *family;
	const char *key;
} sys_conf_keys[] = {
	[SYS_IPV4_ACCEPT_LOCAL]		= { "ipv4", "accept_local" },
	[SYS_IPV4_ARP_FILTER]		= { "ipv4", "arp_filter" },
	[SYS_IPV4_ROUTE_LOCALNET]	= { "ipv4", "route_localnet" },
	[SYS_IPV4_RP_FILTER]		= { "ipv4", "rp_filter" },
	[SYS_IPV6_ACCEPT_DAD]		= { "ipv6", "accept_dad" },
	[SYS_IPV6_ACCEPT_RA]		= { "ipv6", "accept_ra" },
	[SYS_IPV6_ADDR_GEN_MODE]	= { "ipv6", "addr_gen_mode" },
	[SYS_IPV6_AUTOCONF]		= { "ipv6", "autoconf" },
	[SYS_IPV6_DAD_TRANSMITS]	= { "ipv6", "dad_transmits" },
	[SYS_IPV6_DISABLE_IPV6]		= { "ipv6", "disable_ipv6" },
	[SYS_IPV6_USE_TEMPADDR]		= { "ipv6", "use_tempaddr" },
};

int sys_conf_set(enum sys_conf_key key, const char *scope, bool on,
		 char *err, size_t errlen)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, len;

	if ((unsigned int)key >= sizeof(sys_conf_keys) / sizeof(sys_conf_keys[0])) {
		snprintf(err, errlen, "sysctl: unknown key %d", (int)key);
		return -1;
	}
	if (!gns_ifname_valid(scope)) {
		snprintf(err, errlen, "sysctl %s: invalid interface name",
			 sys_conf_keys[key].key);
		return -1;
	}
	len = snprintf(path, sizeof(path), "%s/%s/conf/%s/%s", sys_sysctl_root,
		       sys_conf_keys[key].family, scope, sys_conf_keys[key].key);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		snprintf(err, errlen, "sysctl %s: path too long",
			 sys_conf_keys[key].key);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "open %s: %s", path, strerror(errno));
		return -1;
	}
	/* the kernel checks the value in write() and answers there */
	n = write(fd, on ? "1\n" : "0\n", 2);
	if (n != 2) {
		snprintf(err, errlen, "write %s: %s", path,
			 n < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	if (close(fd)) {
		snprintf(err, errlen, "close %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
