// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nlerr.h"
#include "nlsock.h"
#include "rtlink.h"

#define NLA_ALIGNED(len)	(((len) + 3) & ~3)
/*
 * Each attribute A in the REM bytes from START that fits whole: a header,
 * a length at least the header's and no longer than what is left.
 */
#define rt_for_each_attr(a, start, rem)					\
	for ((a) = (const struct nlattr *)(start);			\
	     (rem) >= (int)sizeof(*(a)) && (a)->nla_len >= sizeof(*(a)) && \
	     (a)->nla_len <= (rem);					\
	     (rem) -= NLA_ALIGNED((a)->nla_len),			\
	     (a) = (const struct nlattr *)((const char *)(a) +		\
					   NLA_ALIGNED((a)->nla_len)))

struct link_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[64];
};

const char *rt_sysfs_net = "/sys/class/net";

static int rt_socket(void)
{
	return mn_nl_socket(NETLINK_ROUTE, RT_TIMEOUT_MS);
}

/* recv() on a rt_socket(): its timeout is -ETIMEDOUT, with a text. */
static ssize_t rt_recv(int fd, void *buf, size_t len, char *err,
		       size_t errlen)
{
	ssize_t n = mn_nl_recv(fd, buf, len, 0);

	if (n == -ETIMEDOUT)
		snprintf(err, errlen, "no answer from the kernel within %d s",
			 RT_TIMEOUT_MS / 1000);
	return n;
}

/* Send one request with NLM_F_ACK and read its ack, extack text in @err. */
static int rt_request(struct nlmsghdr *nh, char *err, size_t errlen)
{
	char buf[1024];
	int fd, ret;
	ssize_t n;

	err[0] = '\0';
	fd = rt_socket();
	if (fd < 0)
		return fd;
	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = 1;
	ret = mn_nl_send(fd, nh);
	if (ret)
		goto out;
	n = rt_recv(fd, buf, sizeof(buf), err, errlen);
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	ret = -EPROTO;
	if ((size_t)n >= NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
		struct nlmsghdr *rh = (struct nlmsghdr *)buf;
		struct nlmsgerr *e = NLMSG_DATA(rh);

		if (rh->nlmsg_type == NLMSG_ERROR && rh->nlmsg_len <= (size_t)n) {
			ret = e->error;
			mn_nlerr_msg(e, err, errlen);
		}
	}
out:
	close(fd);
	return ret;
}

static int link_request(struct link_req *req, char *err, size_t errlen)
{
	req->nh.nlmsg_type = RTM_NEWLINK;
	req->ifi.ifi_family = AF_UNSPEC;
	return rt_request(&req->nh, err, errlen);
}

/*
 * @req: a request struct, its header @nh first and room for attributes
 * after it; false when the attribute does not fit there.
 */
#define put_attr(req, type, data, len) \
	mn_nl_put(&(req)->nh, sizeof(*(req)), type, data, len)

int rt_rename(int ifindex, const char *name, char *err, size_t errlen)
{
	struct link_req req;
	size_t len = strnlen(name, IFNAMSIZ);
	int ret;

	err[0] = '\0';
	if (!len || len >= IFNAMSIZ)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.ifi.ifi_index = ifindex;
	if (!put_attr(&req, IFLA_IFNAME, name, len + 1))
		return -EMSGSIZE;
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
	if (!put_attr(&req, IFLA_IFNAME, name, len + 1))
		return -EMSGSIZE;
	return link_request(&req, err, errlen);
}

int rt_virt_wifi_add(int lower, const char *name, char *err, size_t errlen)
{
	static const char kind[] = "virt_wifi";
	uint32_t link = (uint32_t)lower;
	size_t len = strnlen(name, IFNAMSIZ);
	struct nlattr *linkinfo;
	struct link_req req;

	err[0] = '\0';
	if (!len || len >= IFNAMSIZ)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	if (!put_attr(&req, IFLA_IFNAME, name, len + 1) ||
	    !put_attr(&req, IFLA_LINK, &link, sizeof(link)))
		return -EMSGSIZE;
	linkinfo = (struct nlattr *)((char *)&req + req.nh.nlmsg_len);
	if (!put_attr(&req, IFLA_LINKINFO, NULL, 0) ||
	    !put_attr(&req, IFLA_INFO_KIND, kind, sizeof(kind)))
		return -EMSGSIZE;
	linkinfo->nla_len = (unsigned short)((char *)&req + req.nh.nlmsg_len -
					     (char *)linkinfo);
	return link_request(&req, err, errlen);
}

int rt_link_up(int ifindex, char *err, size_t errlen)
{
	struct link_req req;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.ifi.ifi_index = ifindex;
	req.ifi.ifi_flags = IFF_UP;
	req.ifi.ifi_change = IFF_UP;
	return link_request(&req, err, errlen);
}

struct rule_req {
	struct nlmsghdr nh;
	struct fib_rule_hdr frh;
	char attrs[64];
};

int rt_rule(bool add, uint32_t prio, uint32_t table, uint8_t ip_proto,
	    const char *iifname, char *err, size_t errlen)
{
	uint8_t proto = RTPROT_KERNEL;
	struct rule_req req;

	err[0] = '\0';
	if (iifname && (!*iifname || strlen(iifname) >= IFNAMSIZ))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.frh));
	req.nh.nlmsg_type = add ? RTM_NEWRULE : RTM_DELRULE;
	if (add)
		req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	req.frh.family = AF_INET;
	req.frh.action = FR_ACT_TO_TBL;
	req.frh.table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	if (!put_attr(&req, FRA_TABLE, &table, sizeof(table)) ||
	    !put_attr(&req, FRA_PRIORITY, &prio, sizeof(prio)) ||
	    (ip_proto && !put_attr(&req, FRA_IP_PROTO, &ip_proto, 1)) ||
	    (iifname && !put_attr(&req, FRA_IIFNAME, iifname,
				  strlen(iifname) + 1)) ||
	    /* the module's rules are proto kernel, and so are the helper's */
	    (add && !put_attr(&req, FRA_PROTOCOL, &proto, 1)))
		return -EMSGSIZE;
	return rt_request(&req.nh, err, errlen);
}

int rt_addr(int type, int ifindex, struct in_addr ip, char *err,
	    size_t errlen)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		char attrs[16];
	} req;

	err[0] = '\0';
	if (type != RTM_NEWADDR && type != RTM_DELADDR)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifa));
	req.nh.nlmsg_type = (unsigned short)type;
	if (type == RTM_NEWADDR)
		req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	req.ifa.ifa_family = AF_INET;
	req.ifa.ifa_prefixlen = 32;
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	req.ifa.ifa_index = (unsigned int)ifindex;
	if (!put_attr(&req, IFA_LOCAL, &ip, sizeof(ip)) ||
	    !put_attr(&req, IFA_ADDRESS, &ip, sizeof(ip)))
		return -EMSGSIZE;
	return rt_request(&req.nh, err, errlen);
}

/* What rt_generic_rule() reads of a dumped rule. */
struct rule_view {
	uint32_t prio, table;
	bool selects;		/* iif, oif, ipproto, fwmark, ports, uid... */
};

static void rule_view(const struct nlmsghdr *nh, struct rule_view *v)
{
	const struct fib_rule_hdr *frh = NLMSG_DATA(nh);
	const struct nlattr *a;
	uint32_t u = 0;
	int rem;

	v->prio = 0;
	v->table = frh->table;
	v->selects = frh->src_len || frh->dst_len || frh->tos || frh->flags;
	rem = (int)nh->nlmsg_len - NLMSG_LENGTH(sizeof(*frh));
	rt_for_each_attr(a, frh + 1, rem) {
		bool has_u32 = a->nla_len >= NLA_HDRLEN + 4;

		if (has_u32)
			memcpy(&u, (const char *)a + NLA_HDRLEN, 4);
		switch (a->nla_type & NLA_TYPE_MASK) {
		case FRA_PRIORITY:
			if (has_u32)
				v->prio = u;
			break;
		case FRA_TABLE:
			if (has_u32)
				v->table = u;
			break;
		/* as the module's mn_rule_cmp(): -1 is "no suppression" */
		case FRA_SUPPRESS_PREFIXLEN:
		case FRA_SUPPRESS_IFGROUP:
			if (has_u32 && u != UINT32_MAX)
				v->selects = true;
			break;
		/* attributes that select no packet */
		case FRA_PROTOCOL:
		case FRA_GOTO:
		case FRA_UNSPEC:
			break;
		default:
			v->selects = true;
		}
	}
}

/*
 * Send the dump request @req (a header and its fixed part) and hand every
 * answer of type @type to @cb, until the end of the dump or until @cb
 * returns non-zero: then that, else 0 or a negative errno.
 */
static int rt_dump(struct nlmsghdr *req, uint16_t type,
		   int (*cb)(const struct nlmsghdr *nh, void *arg), void *arg,
		   char *err, size_t errlen)
{
	static char buf[32768];
	int fd, ret = 0;
	ssize_t n;

	err[0] = '\0';
	fd = rt_socket();
	if (fd < 0)
		return fd;
	req->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req->nlmsg_seq = 1;
	ret = mn_nl_send(fd, req);
	if (ret)
		goto out;
	for (;;) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;

		n = rt_recv(fd, buf, sizeof(buf), err, errlen);
		if (n <= 0) {
			ret = (int)n;
			goto out;
		}
		for (; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE)
				goto out;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				ret = -EPROTO;
				if (nh->nlmsg_len >=
				    NLMSG_LENGTH(sizeof(struct nlmsgerr)) &&
				    e->error)
					ret = e->error;
				goto out;
			}
			if (nh->nlmsg_type != type)
				continue;
			ret = cb(nh, arg);
			if (ret)
				goto out;
		}
	}
out:
	close(fd);
	return ret;
}

/* rt_generic_rule()'s search: what it looks for, where it stands. */
struct generic_rule {
	uint32_t prio, table;
	int where, before;
};

static int generic_rule_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct fib_rule_hdr *frh = NLMSG_DATA(nh);
	struct generic_rule *g = arg;
	struct rule_view v;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*frh)))
		return 0;
	rule_view(nh, &v);
	if (frh->family != AF_INET || v.prio != g->prio || v.table != g->table)
		return 0;
	/*
	 * The dump lists rules in the order the kernel tries them:
	 * "@prio: from all lookup @table" with no other selector, and how
	 * many of that priority and table come before it.
	 */
	if (g->where == RT_RULE_ABSENT && !v.selects &&
	    frh->action == FR_ACT_TO_TBL)
		g->where = g->before ? RT_RULE_BEHIND : RT_RULE_FIRST;
	else
		g->before++;
	return 0;
}

int rt_generic_rule(uint32_t prio, uint32_t table, char *err, size_t errlen)
{
	struct {
		struct nlmsghdr nh;
		struct fib_rule_hdr frh;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct fib_rule_hdr)),
		.nh.nlmsg_type = RTM_GETRULE,
		.frh.family = AF_INET,
	};
	struct generic_rule g = {
		.prio = prio, .table = table, .where = RT_RULE_ABSENT,
	};
	int ret;

	ret = rt_dump(&req.nh, RTM_NEWRULE, generic_rule_cb, &g, err, errlen);
	return ret < 0 ? ret : g.where;
}

/* rt_addr_get()'s search: the address, and what has been found of it. */
struct addr_search {
	int ifindex, family;
	const void *ip;
	uint8_t prefixlen;
	struct rt_addr_info *info;
	bool found;
};

static int addr_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	size_t alen = ifa->ifa_family == AF_INET ? 4 : 16;
	const void *local = NULL, *address = NULL;
	struct addr_search *as = arg;
	struct rt_addr_info info = {
		.prefixlen = ifa->ifa_prefixlen, .scope = ifa->ifa_scope,
		.flags = ifa->ifa_flags,
		.preferred_lft = UINT32_MAX, .valid_lft = UINT32_MAX,
	};
	const struct nlattr *a;
	const void *ip;
	int rem;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    ifa->ifa_family != as->family || (int)ifa->ifa_index != as->ifindex)
		return 0;
	rem = (int)nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa));
	rt_for_each_attr(a, ifa + 1, rem) {
		const char *data = (const char *)a + NLA_HDRLEN;
		size_t len = a->nla_len - NLA_HDRLEN;

		switch (a->nla_type & NLA_TYPE_MASK) {
		case IFA_LOCAL:
			if (len == alen)
				local = data;
			break;
		case IFA_ADDRESS:
			if (len == alen)
				address = data;
			break;
		case IFA_FLAGS:
			if (len == 4)
				memcpy(&info.flags, data, 4);
			break;
		case IFA_CACHEINFO:
			if (len >= sizeof(struct ifa_cacheinfo)) {
				struct ifa_cacheinfo ci;

				memcpy(&ci, data, sizeof(ci));
				info.preferred_lft = ci.ifa_prefered;
				info.valid_lft = ci.ifa_valid;
			}
			break;
		}
	}
	/* IFA_LOCAL is the address; IFA_ADDRESS the peer's when there is one */
	ip = local ? local : address;
	if (!ip || memcmp(ip, as->ip, alen))
		return 0;
	/* several IPv4 prefixes of one address: the one asked for wins */
	if (!as->found || info.prefixlen == as->prefixlen)
		*as->info = info;
	as->found = true;
	return 0;
}

int rt_addr_get(int ifindex, int family, const void *ip, uint8_t prefixlen,
		struct rt_addr_info *info, char *err, size_t errlen)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
		.nh.nlmsg_type = RTM_GETADDR,
		.ifa.ifa_family = (uint8_t)family,
	};
	struct addr_search as = {
		.ifindex = ifindex, .family = family, .ip = ip,
		.prefixlen = prefixlen, .info = info,
	};
	int ret;

	ret = rt_dump(&req.nh, RTM_NEWADDR, addr_cb, &as, err, errlen);
	if (ret)
		return ret;
	return as.found ? 0 : -ENOENT;
}

/* Read the first line of <sysfs net>/@name/@file into @buf. */
static bool sysfs_line(const char *name, const char *file, char *buf,
		       size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", rt_sysfs_net, name, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

/* @text is @guid (36 characters, lower case), braces optional, any case. */
static bool guid_is(const char *text, size_t len, const char *guid)
{
	if (len == 38 && text[0] == '{' && text[37] == '}') {
		text++;
		len -= 2;
	}
	return len == 36 && !strncasecmp(text, guid, 36);
}

/*
 * The hardware key of interface @name, as the module finds it: the GUID
 * of a VMBus device among its parents, else its alias.
 */
static bool key_is(const char *name, const char *guid)
{
	char path[PATH_MAX], real[PATH_MAX], sub[PATH_MAX + 16], *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/device", rt_sysfs_net, name);
	if (realpath(path, real)) {
		for (;;) {
			slash = strrchr(real, '/');
			if (!slash || slash == real)
				break;
			snprintf(sub, sizeof(sub), "%s/subsystem", real);
			n = readlink(sub, path, sizeof(path) - 1);
			if (n > 0) {
				path[n] = '\0';
				if (!strcmp(strrchr(path, '/') ?
					    strrchr(path, '/') + 1 : path,
					    "vmbus") &&
				    guid_is(slash + 1, strlen(slash + 1), guid))
					return true;
			}
			*slash = '\0';
		}
	}
	return sysfs_line(name, "ifalias", sub, sizeof(sub)) &&
	       guid_is(sub, strlen(sub), guid);
}

/* The NIC under virt_wifi link @name (its lower_<nic> entry), or NULL. */
static const char *wifi_lower(const char *name, char *lower, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s/phy80211", rt_sysfs_net, name);
	if (access(path, F_OK))
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", rt_sysfs_net, name);
	d = opendir(path);
	if (!d)
		return NULL;
	lower[0] = '\0';
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "lower_", 6)) {
			snprintf(lower, len, "%s", de->d_name + 6);
			break;
		}
	closedir(d);
	return lower[0] ? lower : NULL;
}

int rt_iface_by_key(const char *guid, char name[IFNAMSIZ])
{
	char lower[NAME_MAX + 1], found[IFNAMSIZ] = "";
	struct dirent *de;
	DIR *d;

	d = opendir(rt_sysfs_net);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		const char *own = wifi_lower(de->d_name, lower, sizeof(lower));

		if (de->d_name[0] == '.' || strlen(de->d_name) >= IFNAMSIZ ||
		    !key_is(own ? own : de->d_name, guid))
			continue;
		/* a virt_wifi link carries its NIC's key, and wins */
		if (!found[0] || own)
			memcpy(found, de->d_name, strlen(de->d_name) + 1);
		if (own)
			break;
	}
	closedir(d);
	if (!found[0])
		return -ENODEV;
	memcpy(name, found, IFNAMSIZ);
	return 0;
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
	/*
	 * The content does not matter: the caller asks the module again.
	 * Drain until the queue is empty; an overrun (ENOBUFS) is only news.
	 */
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0 || (n < 0 && errno == ENOBUFS))
			continue;
		break;
	}
	return 1;
}
