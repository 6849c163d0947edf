/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The helper's netlink requests, generic (genl.c) and rtnetlink
 * (rtlink.c): a socket with extended acks and a bound on every answer,
 * its reads, and attributes put into a request buffer of known size.
 */
#ifndef MIRRORNET_NLSOCK_H
#define MIRRORNET_NLSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/netlink.h>

/*
 * A netlink socket of @protocol with extended and capped acks, whose every
 * recv() waits at most @timeout_ms. The descriptor, or a negative errno.
 */
int mn_nl_socket(int protocol, int timeout_ms);

/* Send @nh to the kernel, again when a signal interrupts it: 0 or -errno. */
int mn_nl_send(int fd, const struct nlmsghdr *nh);

/*
 * recv() on a mn_nl_socket(), again when a signal interrupts it: the
 * length, -ETIMEDOUT when the bound passed, else a negative errno.
 */
ssize_t mn_nl_recv(int fd, void *buf, size_t len, int flags);

/*
 * Put attribute @type with @len bytes of @data after the message @nh,
 * whose buffer has @cap bytes, and grow nlmsg_len by it; false, and @nh
 * as it was, when it does not fit.
 */
bool mn_nl_put(struct nlmsghdr *nh, size_t cap, uint16_t type,
	       const void *data, size_t len);

#endif /* MIRRORNET_NLSOCK_H */
