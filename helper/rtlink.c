// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nlerr.h"
#include "rtlink.h"

#define NLA_ALIGNED(len)	(((len) + 3) & ~3)

struct link_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[64];
};

/* Send one RTM_NEWLINK and read its ack, with extack text in @err. */
static int link_request(struct link_req *req, char *err, size_t errlen)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int fd, one = 1, ret;
	char buf[1024];
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	req->nh.nlmsg_type = RTM_NEWLINK;
	req->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nh.nlmsg_seq = 1;
	req->ifi.ifi_family = AF_UNSPEC;
	if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		ret = -errno;
		goto out;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	ret = -EPROTO;
	if ((size_t)n >= NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		struct nlmsgerr *e = NLMSG_DATA(nh);

		if (nh->nlmsg_type == NLMSG_ERROR && nh->nlmsg_len <= (size_t)n) {
			ret = e->error;
			mn_nlerr_msg(e, err, errlen);
		}
	}
out:
	close(fd);
	return ret;
}

static void put_attr(struct link_req *req, unsigned short type,
		     const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)req +
					     NLMSG_ALIGN(req->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = (unsigned short)(sizeof(*a) + len);
	if (len)
		memcpy(a + 1, data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) +
			    NLA_ALIGNED(a->nla_len);
}

int rt_rename(int ifindex, const char *name, char *err, size_t errlen)
{
	struct link_req req;
	size_t len = strnlen(name, IFNAMSIZ);
	int ret;

	if (!len || len >= IFNAMSIZ)
		return -EINVAL;
	err[0] = '\0';
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.ifi.ifi_index = ifindex;
	put_attr(&req, IFLA_IFNAME, name, len + 1);
	ret = link_request(&req, err, errlen);
	if (ret != -EBUSY)
		return ret;

	/* Up: take it down first. */
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.ifi.ifi_index = ifindex;
	req.ifi.ifi_change = IFF_UP;
	ret = link_request(&req, err, errlen);
	if (ret)
		return ret;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.ifi.ifi_index = ifindex;
	put_attr(&req, IFLA_IFNAME, name, len + 1);
	return link_request(&req, err, errlen);
}

int rt_virt_wifi_add(int lower, const char *name, char *err, size_t errlen)
{
	static const char kind[] = "virt_wifi";
	uint32_t link = (uint32_t)lower;
	size_t len = strnlen(name, IFNAMSIZ);
	struct nlattr *linkinfo;
	struct link_req req;

	if (!len || len >= IFNAMSIZ)
		return -EINVAL;
	err[0] = '\0';
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	put_attr(&req, IFLA_IFNAME, name, len + 1);
	put_attr(&req, IFLA_LINK, &link, sizeof(link));
	linkinfo = (struct nlattr *)((char *)&req + req.nh.nlmsg_len);
	put_attr(&req, IFLA_LINKINFO, NULL, 0);
	put_attr(&req, IFLA_INFO_KIND, kind, sizeof(kind));
	linkinfo->nla_len = (unsigned short)((char *)&req + req.nh.nlmsg_len -
					     (char *)linkinfo);
	return link_request(&req, err, errlen);
}

int rt_link_watch_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK,
	};
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

int rt_link_watch_wait(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[8192];
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret <= 0)
		return ret < 0 ? -errno : 0;
	/* The content does not matter: the caller asks the module again. */
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0 ||
	       errno == ENOBUFS)
		;
	return 1;
}
