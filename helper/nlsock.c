// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "nlsock.h"

int mn_nl_socket(int protocol, int timeout_ms)
{
	struct timeval tv = {
		.tv_sec = timeout_ms / 1000,
		.tv_usec = (timeout_ms % 1000) * 1000,
	};
	int fd, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

int mn_nl_send(int fd, const struct nlmsghdr *nh)
{
	static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;

	do
		n = sendto(fd, nh, nh->nlmsg_len, 0,
			   (const struct sockaddr *)&kernel, sizeof(kernel));
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

ssize_t mn_nl_recv(int fd, void *buf, size_t len, int flags)
{
	ssize_t n;

	do
		n = recv(fd, buf, len, flags);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	return errno == EAGAIN ? -ETIMEDOUT : -errno;
}

bool mn_nl_put(struct nlmsghdr *nh, size_t cap, uint16_t type,
	       const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(nh->nlmsg_len), total;
	struct nlattr *a;

	if (len > UINT16_MAX - NLA_HDRLEN || at > cap ||
	    (total = NLA_ALIGN(NLA_HDRLEN + len)) > cap - at)
		return false;
	a = (struct nlattr *)((char *)nh + at);
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy(a + 1, data, len);
	if (total > NLA_HDRLEN + len)
		memset((char *)(a + 1) + len, 0, total - NLA_HDRLEN - len);
	nh->nlmsg_len = (uint32_t)(at + total);
	return true;
}
