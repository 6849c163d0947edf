// SPDX-License-Identifier: GPL-2.0
/*
 * One function per host request. A request the module can hold for an
 * absent NIC (addresses, routes, link state, neighbours, conf knobs by
 * hardware key) is sent at once; the module applies it when the NIC
 * registers. A request that needs the NIC itself (a rename, a sysctl by
 * name, nftables, rules naming it) waits for it, up to the lookup timeout.
 *
 * Without the module, what needs none still works: the global sysctls,
 * nftables, resolv.conf, the probe, renames (the NIC found through sysfs)
 * and InterfaceNetFilter (its rules through rtnetlink). The rest fails at
 * once with "mirrornet.ko is not loaded: ...".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "gns/util.h"
#include "handlers.h"
#include "linux/mirrornet.h"
#include "log.h"
#include "resolved.h"
#include "rtlink.h"
#include "sys.h"

/* Host loopback plumbing (reference §2.1, type 62). */
#define LOOPBACK_TABLE		127
#define LOOPBACK_ADDR_TABLE	128
#define LOCAL_TABLE		255
static const uint8_t loopback_gw[4] = { 169, 254, 73, 249 };
static const uint8_t loopback_mac[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };

/* One request in progress: where its error text goes. */
struct req {
	struct mn_handler_ctx *c;
	const char *name;	/* the message, as the reference names it */
	char *err;
	size_t errlen;
	bool module;		/* mirrornet.ko answers (module_ready()) */
};

/* How genl.h words a missing module, then the reason. */
#define NOT_LOADED	"mirrornet.ko is not loaded: "

/* How often a NIC wait looks again when it cannot watch link events. */
#define WAIT_POLL_MS	100

static int32_t fail(struct req *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int32_t fail(struct req *q, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(q->err, q->errlen, "%s: ", q->name);
	if (n < q->errlen) {
		va_start(ap, fmt);
		vsnprintf(q->err + n, q->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Add @fmt to the error text fail() wrote. */
static int32_t fail_more(struct req *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int32_t fail_more(struct req *q, const char *fmt, ...)
{
	size_t n = strlen(q->err);
	va_list ap;

	if (n < q->errlen) {
		va_start(ap, fmt);
		vsnprintf(q->err + n, q->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The module went missing: said once until it is back. */
static void module_missing(struct mn_handler_ctx *c, const char *why)
{
	if (c->module_missing)
		return;
	c->module_missing = true;
	mn_log(MN_LOG_WARN, NOT_LOADED "%s; requests that need it fail until it is",
	       why);
}

/*
 * Does mirrornet.ko answer? The family is opened on first use (the caller
 * may start with no genl) and looked up once when it is not known: the
 * kernel loads the module through its family alias if it can. Nothing
 * waits for a module that is not there, and the next request looks again.
 */
static bool module_ready(struct mn_handler_ctx *c, char *why, size_t len)
{
	bool ok;

	if (!c->genl)
		c->genl = mn_genl_open(why, len);
	/* one lookup when the family is not known */
	ok = c->genl && !mn_genl_check(c->genl, why, len);
	if (!ok) {
		module_missing(c, why);
		return false;
	}
	if (c->module_missing) {
		c->module_missing = false;
		mn_log(MN_LOG_INFO, "mirrornet.ko is loaded now");
	}
	return true;
}

/* For requests that cannot do without the module. */
static int32_t need_module(struct req *q)
{
	char why[200];

	q->module = module_ready(q->c, why, sizeof(why));
	if (q->module)
		return 0;
	return fail(q, NOT_LOADED "%s", why);
}

/* For requests that can: q->module says which way to go. */
static void try_module(struct req *q)
{
	char why[200];

	q->module = module_ready(q->c, why, sizeof(why));
}

/*
 * The module's answer @r to the step @step: 0 if it succeeded or failed
 * with an errno the reference tolerates (a 0-terminated list), else -1
 * with the errno and the kernel's text.
 */
static int32_t check(struct req *q, const struct mn_res *r, const char *step,
		     const int *tolerated)
{
	for (; tolerated && *tolerated; tolerated++)
		if (r->err == -*tolerated) {
			mn_log(MN_LOG_DEBUG, "%s: %s: %s (tolerated)", q->name,
			       step, strerror(-r->err));
			return 0;
		}
	if (!r->err)
		return 0;
	/* the module went away during the request (genl.h) */
	if (r->err == -ENOENT && !strncmp(r->extack, NOT_LOADED,
					  strlen(NOT_LOADED))) {
		module_missing(q->c, r->extack + strlen(NOT_LOADED));
		return fail(q, "%s: %s", step, r->extack);
	}
	return fail(q, "%s: %s%s%s", step, strerror(-r->err),
		    r->extack[0] ? ": " : "", r->extack);
}

static const int tolerate_exist[] = { EEXIST, 0 };
static const int tolerate_missing[] = { ENOENT, ESRCH, EADDRNOTAVAIL, 0 };
/* Route Add and Update (reference §2.1, 65), Remove. */
static const int tolerate_route_add[] = { EEXIST, ENOENT, ESRCH, 0 };
static const int tolerate_route_del[] = { ESRCH, 0 };
/*
 * A link taken down flushes its IPv6 addresses before the host's Remove
 * arrives: the address is as gone as the host wants it (WSL's guest
 * replies -1, which its host ignores; a host that retries would not stop).
 */
static const int tolerate_addr_del[] = { EADDRNOTAVAIL, 0 };

static const char *ip_str(const struct gns_ip *ip, char *buf, size_t len)
{
	return inet_ntop(ip->family, ip->a, buf, (socklen_t)len) ? buf : "?";
}

/*
 * One look for the NIC @t names: the module's answer, or without the
 * module the kernel's name (sysfs for a GUID, as the module resolves it).
 */
static void lookup_iface(struct req *q, const struct gns_target *t,
			 struct mn_iface_info *info, struct mn_res *r)
{
	struct mn_sel s = { .target = t };
	char guid[37];

	if (q->module) {
		mn_iface_get(q->c->genl, &s, info, r);
		return;
	}
	memset(info, 0, sizeof(*info));
	memset(r, 0, sizeof(*r));
	if (t->is_guid) {
		gns_guid_format(&t->guid, guid);
		r->err = rt_iface_by_key(guid, info->ifname);
		if (r->err)
			return;
	} else {
		snprintf(info->ifname, sizeof(info->ifname), "%s", t->name);
	}
	info->ifindex = (int)if_nametoindex(info->ifname);
	if (!info->ifindex)
		r->err = errno == ENXIO ? -ENODEV : -errno;
}

/*
 * The present NIC @t names, waiting up to the lookup timeout for it to
 * appear: every link event looks again (every WAIT_POLL_MS when link
 * events cannot be watched). A stop signal ends the wait: one whose
 * handler interrupts poll(), or, under serve, where SIGTERM and SIGINT are
 * blocked for its signalfd, one pending (seen on a signalfd of our own and
 * left unread for serve's loop).
 */
static int32_t wait_iface(struct req *q, const struct gns_target *t,
			  struct mn_iface_info *info)
{
	int64_t deadline = gns_now_ms() + q->c->lookup_timeout_ms;
	char tname[40];
	struct mn_res r;
	int fd, sfd, ret = 0;
	sigset_t stops;

	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sfd = signalfd(-1, &stops, SFD_CLOEXEC | SFD_NONBLOCK);
	fd = rt_link_watch_open();
	if (fd < 0)
		mn_log(MN_LOG_DEBUG, "%s: cannot watch links (%s): polling",
		       q->name, strerror(-fd));
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		int64_t left;
		int w;

		lookup_iface(q, t, info, &r);
		if (!r.err && info->ifindex > 0)
			break;
		if (r.err && r.err != -ENODEV) {
			ret = check(q, &r, "interface lookup", NULL);
			break;
		}
		left = deadline - gns_now_ms();
		if (left <= 0) {
			gns_target_format(t, tname);
			ret = fail(q, "no interface %s appeared within %u ms",
				   tname, q->c->lookup_timeout_ms);
			break;
		}
		/* poll() skips the descriptors that are -1 */
		if (fd < 0 && left > WAIT_POLL_MS)
			left = WAIT_POLL_MS;
		w = poll(p, 2, (int)left);
		if (w < 0)
			w = -errno;
		else if (p[1].revents)
			w = -EINTR;
		else if (w > 0)
			w = rt_link_watch_wait(fd, 0);
		if (w == -EINTR) {
			ret = fail(q, "stopping");
			break;
		}
		if (w < 0) {
			mn_log(MN_LOG_DEBUG, "%s: watching links: %s: polling",
			       q->name, strerror(-w));
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	if (sfd >= 0)
		close(sfd);
	return ret;
}

static void note_held(struct req *q, const struct mn_res *r,
		      const struct gns_target *t)
{
	char tname[40];

	if (!r->held)
		return;
	gns_target_format(t, tname);
	mn_log(MN_LOG_INFO, "%s: %s is not present; the module holds the state",
	       q->name, tname);
}

static int32_t conf_set(struct req *q, const struct mn_sel *s, uint32_t key,
			uint32_t value, const char *step)
{
	struct mn_res r;

	mn_conf_set(q->c->genl, s, key, value, &r);
	if (s->target)
		note_held(q, &r, s->target);
	return check(q, &r, step, NULL);
}

static int32_t sysctl(struct req *q, enum sys_conf_key key, const char *scope,
		      bool on)
{
	char why[200];

	if (sys_conf_set(key, scope, on, why, sizeof(why)))
		return fail(q, "%s", why);
	return 0;
}

static int32_t rule(struct req *q, bool add, uint32_t prio, uint32_t table,
		    uint8_t ip_proto, const char *iifname)
{
	struct mn_rule_req rq = {
		.family = AF_INET, .table = table, .priority = prio,
		.ip_proto = ip_proto, .iifname = iifname,
	};
	char step[64];
	struct mn_res r;

	if (q->module) {
		mn_rule(q->c->genl, add, &rq, &r);
	} else {
		memset(&r, 0, sizeof(r));
		r.err = rt_rule(add, prio, table, ip_proto, iifname,
				r.extack, sizeof(r.extack));
	}
	snprintf(step, sizeof(step), "rule %s priority %u table %u", add ?
		 "add" : "delete", prio, table);
	return check(q, &r, step, add ? tolerate_exist : tolerate_missing);
}

/* 69: the global IPv6 knobs, "all" then "default" for each. */
static int32_t setup_ipv6(struct req *q)
{
	static const struct {
		enum sys_conf_key key;
		bool on;
	} knobs[] = {
		{ SYS_IPV6_DAD_TRANSMITS, false }, { SYS_IPV6_ACCEPT_RA, false },
		{ SYS_IPV6_AUTOCONF, false }, { SYS_IPV6_ADDR_GEN_MODE, true },
		{ SYS_IPV6_USE_TEMPADDR, false },
	};
	size_t i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (sysctl(q, knobs[i].key, "all", knobs[i].on) ||
		    sysctl(q, knobs[i].key, "default", knobs[i].on))
			return -1;
	return 0;
}

static int32_t global_net_filter(struct req *q)
{
	char why[200];

	if (sys_nft_setup(why, sizeof(why)))
		return fail(q, "%s", why);
	return 0;
}

/* 61: a hot-added NIC accepts and routes host loopback traffic. */
static int32_t vmnic_created(struct req *q, const struct gns_vmnic *v)
{
	struct gns_target t = { .is_guid = true, .guid = v->adapter };
	struct mn_sel s = { .target = &t };

	if (need_module(q) ||
	    conf_set(q, &s, MIRRORNET_CONF_KEY_IPV4_ACCEPT_LOCAL, 1,
		     "accept_local") ||
	    conf_set(q, &s, MIRRORNET_CONF_KEY_IPV4_ROUTE_LOCALNET, 1,
		     "route_localnet"))
		return -1;
	return 0;
}

/* Rename link @ifindex from @from to @to; the caller brings it up. */
static int32_t rename_link(struct req *q, int ifindex, const char *from,
			   const char *to)
{
	char why[200];
	int ret;

	ret = rt_rename(ifindex, to, why, sizeof(why));
	if (ret)
		return fail(q, "PortFriendlyName: renaming %s to %s: %s%s%s",
			    from, to, strerror(-ret), why[0] ? ": " : "", why);
	mn_log(MN_LOG_INFO, "renamed %s to %s", from, to);
	return 0;
}

/* Without the module: bring @ifindex up through rtnetlink. */
static int32_t link_up(struct req *q, int ifindex, const char *name)
{
	char why[200];
	int ret;

	ret = rt_link_up(ifindex, why, sizeof(why));
	if (ret)
		return fail(q, "link up %s: %s%s%s", name, strerror(-ret),
			    why[0] ? ": " : "", why);
	return 0;
}

/*
 * A NIC the host calls wlanN becomes _wlanN under a virt_wifi link wlanN,
 * as in WSL, so that programs see a wireless interface; the module then
 * resolves the NIC's GUID to the link. A kernel without virt_wifi gets
 * the NIC renamed wlanN.
 */
static int32_t emulate_wifi(struct req *q, const struct mn_sel *s,
			    const struct mn_iface_info *nic, const char *name)
{
	struct mn_sel nic_sel = { .ifindex = nic->ifindex };
	char lower[IFNAMSIZ], why[200];
	struct mn_res r;
	int ret;

	if (snprintf(lower, sizeof(lower), "_%s", name) >= (int)sizeof(lower))
		return fail(q, "PortFriendlyName: %s leaves no room for the _ of its NIC",
			    name);
	if (strcmp(nic->ifname, lower) &&
	    rename_link(q, nic->ifindex, nic->ifname, lower))
		return -1;
	ret = rt_virt_wifi_add(nic->ifindex, name, why, sizeof(why));
	if (ret == -EOPNOTSUPP) {
		if (!q->c->virt_wifi_logged) {
			mn_log(MN_LOG_WARN,
			       "%s: the kernel has no virt_wifi: %s is the NIC renamed, not a wireless link",
			       q->name, name);
			q->c->virt_wifi_logged = true;
		}
		return rename_link(q, nic->ifindex, lower, name);
	}
	if (ret)
		return fail(q, "PortFriendlyName: creating virt_wifi %s on %s: %s%s%s",
			    name, lower, strerror(-ret), why[0] ? ": " : "",
			    why);
	mn_log(MN_LOG_INFO, "created virt_wifi %s on %s", name, lower);
	if (!q->module) {
		if (sysctl(q, SYS_IPV4_ACCEPT_LOCAL, name, true) ||
		    sysctl(q, SYS_IPV4_ROUTE_LOCALNET, name, true))
			return -1;
		return link_up(q, nic->ifindex, lower);
	}
	if (conf_set(q, s, MIRRORNET_CONF_KEY_IPV4_ACCEPT_LOCAL, 1,
		     "accept_local") ||
	    conf_set(q, s, MIRRORNET_CONF_KEY_IPV4_ROUTE_LOCALNET, 1,
		     "route_localnet"))
		return -1;
	mn_link_set(q->c->genl, &nic_sel, 1, 0, NULL, 0, &r);
	return check(q, &r, "link up", NULL);
}

/* 53: rename the NIC as the host names it and bring it up. */
static int32_t interface_configuration(struct req *q,
				       const struct gns_ifconfig *ic)
{
	struct gns_target t = { .is_guid = true, .guid = ic->id };
	struct mn_sel s = { .target = &t };
	struct mn_iface_info info;
	const char *name = ic->port_name;
	struct mn_res r;

	/* a rename needs no module; the NAT address does */
	if (ic->has_ipv4 ? need_module(q) : (try_module(q), 0))
		return -1;
	if (wait_iface(q, &t, &info))
		return -1;
	if (name[0] && strcmp(name, info.ifname)) {
		int32_t ret = strncmp(name, "wlan", 4) ?
			rename_link(q, info.ifindex, info.ifname, name) :
			emulate_wifi(q, &s, &info, name);

		if (ret)
			return -1;
	}
	if (!q->module) {
		int ifindex = (int)if_nametoindex(name[0] ? name : info.ifname);

		return link_up(q, ifindex ? ifindex : info.ifindex,
			       name[0] ? name : info.ifname);
	}
	if (ic->has_ipv4) {
		struct gns_addr a = {
			.ip.family = AF_INET, .prefixlen = ic->prefixlen,
			.preferred_lft = GNS_LFT_FOREVER,
			.valid_lft = GNS_LFT_FOREVER,
		};

		memcpy(a.ip.a, ic->ipv4, 4);
		mn_addr_new(q->c->genl, &s, &a, false, true, &r);
		if (check(q, &r, "IPAddress", NULL))
			return -1;
	}
	mn_link_set(q->c->genl, &s, 1, 0, NULL, 0, &r);
	return check(q, &r, "link up", NULL);
}

/*
 * Delete "0: from all lookup local", the kernel's own rule, if it is there
 * exactly. A rule delete matches what it is given and takes the first
 * match, so the generic rule must come first among the priority-0 rules
 * for table local; behind NICs' "iif X ipproto tcp" rules (someone put it
 * back by hand) a delete could take one of those instead, so it is left.
 * A second CreateDeviceRequest finds it gone and deletes nothing. The
 * delete goes through rtnetlink: the module deletes only rules of its own
 * protocol, and a generic rule put back by hand has another.
 */
static int32_t drop_generic_local(struct req *q)
{
	static const int tolerated[] = { ENOENT, ESRCH, EBUSY, 0 };
	struct mn_res r = { 0 };
	char why[200];
	int ret;

	ret = rt_generic_rule(0, LOCAL_TABLE, why, sizeof(why));
	if (ret < 0)
		return fail(q, "rule dump: %s%s%s", strerror(-ret),
			    why[0] ? ": " : "", why);
	if (ret == RT_RULE_ABSENT)
		return 0;
	if (ret == RT_RULE_BEHIND)
		return fail(q, "rule delete priority 0 table 255: the generic rule stands behind interface rules at priority 0; not deleted, as that could take one of them");
	r.err = rt_rule(false, 0, LOCAL_TABLE, 0, NULL, r.extack,
			sizeof(r.extack));
	return check(q, &r, "rule delete priority 0 table 255", tolerated);
}

/* 62: the GELNIC and the policy routing for host loopback traffic. */
static int32_t create_device(struct req *q, const struct gns_create_device *d)
{
	struct gns_target t = { .is_guid = true };
	struct mn_sel s = { .target = &t };
	struct mn_route_req rt = {
		.dst.family = AF_INET, .dst_len = 32,
		.has_gateway = true, .gateway.family = AF_INET,
		.has_prefsrc = true, .prefsrc.family = AF_INET,
		.table = LOOPBACK_TABLE, .onlink = true,
	};
	struct gns_ip gw = { .family = AF_INET };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct mn_iface_info info;
	struct mn_res r;
	size_t i;

	if (d->type != GNS_DEV_LOOPBACK)
		return fail(q, "type: only Loopback devices are supported");
	if (!d->has_lower)
		return fail(q, "lowerEdgeAdapterId: missing");
	t.guid = d->lower;
	if (need_module(q) || wait_iface(q, &t, &info))
		return -1;
	if (d->flags & 1 &&
	    (conf_set(q, &s, MIRRORNET_CONF_KEY_IPV6_ACCEPT_DAD, 0, "accept_dad") ||
	     conf_set(q, &s, MIRRORNET_CONF_KEY_IPV6_DAD_TRANSMITS, 0,
		      "dad_transmits") ||
	     sysctl(q, SYS_IPV6_DISABLE_IPV6, info.ifname, true) ||
	     sysctl(q, SYS_IPV6_DISABLE_IPV6, info.ifname, false)))
		return -1;
	if (conf_set(q, &s, MIRRORNET_CONF_KEY_IPV4_ACCEPT_LOCAL, 1,
		     "accept_local") ||
	    conf_set(q, &s, MIRRORNET_CONF_KEY_IPV4_ROUTE_LOCALNET, 1,
		     "route_localnet") ||
	    conf_set(q, &s, MIRRORNET_CONF_KEY_IPV4_RP_FILTER, 0, "rp_filter") ||
	    sysctl(q, SYS_IPV4_RP_FILTER, "all", false))
		return -1;
	mn_link_set(q->c->genl, &s, 1, 0, NULL, 0, &r);
	if (check(q, &r, "link up", NULL))
		return -1;

	/*
	 * Local delivery moves from priority 0 to 2, below tables 127/128:
	 * the new rule first, so that one always looks up table local.
	 */
	if (rule(q, true, 2, LOCAL_TABLE, 0, NULL) || drop_generic_local(q))
		return -1;
	for (i = 0; i < sizeof(protos); i++)
		if (rule(q, true, 0, LOCAL_TABLE, protos[i], info.ifname))
			return -1;
	for (i = 0; i < sizeof(protos); i++)
		if (rule(q, true, 1, LOOPBACK_TABLE, protos[i], NULL) ||
		    rule(q, true, 1, LOOPBACK_ADDR_TABLE, protos[i], NULL))
			return -1;

	memcpy(gw.a, loopback_gw, 4);
	mn_neigh_new(q->c->genl, &s, &gw, loopback_mac, sizeof(loopback_mac),
		     &r);
	if (check(q, &r, "loopback gateway neighbour", NULL))
		return -1;
	inet_pton(AF_INET, "127.0.0.1", rt.dst.a);
	memcpy(rt.prefsrc.a, rt.dst.a, 4);
	memcpy(rt.gateway.a, loopback_gw, 4);
	mn_route_new(q->c->genl, &s, &rt, false, &r);
	return check(q, &r, "route 127.0.0.1/32 table 127", tolerate_exist);
}

/* 64: traffic to a host address goes back to the host through the NIC. */
static int32_t loopback_routes(struct req *q,
			       const struct gns_loopback_route *l)
{
	struct mn_sel s = { .target = &l->target };
	struct mn_route_req rt = {
		.dst = l->ip, .dst_len = 32,
		.has_gateway = true, .gateway.family = AF_INET,
		.has_prefsrc = true, .prefsrc = l->ip,
		.table = LOOPBACK_ADDR_TABLE, .onlink = true,
	};
	struct mn_res r;

	/* As the reference: no Update, and no inbound IPv6 loopback. */
	if (l->op == GNS_OP_UPDATE || l->ip.family != AF_INET)
		return 0;
	if (need_module(q))
		return -1;
	memcpy(rt.gateway.a, loopback_gw, 4);
	if (l->op == GNS_OP_REMOVE) {
		mn_route_del(q->c->genl, &s, &rt, &r);
		return check(q, &r, "route table 128", tolerate_route_del);
	}
	/* Re-added on every Create: a link going down drops neighbours. */
	mn_neigh_new(q->c->genl, &s, &rt.gateway, loopback_mac,
		     sizeof(loopback_mac), &r);
	note_held(q, &r, &l->target);
	if (check(q, &r, "loopback gateway neighbour", NULL))
		return -1;
	mn_route_new(q->c->genl, &s, &rt, false, &r);
	return check(q, &r, "route table 128", tolerate_exist);
}

/* 68: reset the NIC's IPv6 state before the first sync. */
static int32_t initial_ip_configuration(struct req *q,
					const struct gns_initial_ip *in)
{
	struct mn_sel s = { .target = &in->target };
	struct mn_iface_info info;
	char why[200];
	struct mn_res r;
	bool failed;

	if (need_module(q) || wait_iface(q, &in->target, &info))
		return -1;
	if (!(in->flags & 1)) {
		q->c->primary_table = 1000 + (uint32_t)info.ifindex;
		mn_log(MN_LOG_INFO, "routes go to table %u from now on",
		       q->c->primary_table);
	}
	/* Toggling disable_ipv6 flushes the NIC's IPv6 addresses and routes. */
	if (sysctl(q, SYS_IPV6_DISABLE_IPV6, info.ifname, true))
		return -1;
	failed = conf_set(q, &s, MIRRORNET_CONF_KEY_IPV6_ACCEPT_RA, 0,
			  "accept_ra") ||
		 conf_set(q, &s, MIRRORNET_CONF_KEY_IPV6_AUTOCONF, 0,
			  "autoconf") ||
		 conf_set(q, &s, MIRRORNET_CONF_KEY_IPV6_USE_TEMPADDR, 0,
			  "use_tempaddr") ||
		 conf_set(q, &s, MIRRORNET_CONF_KEY_IPV6_ADDR_GEN_MODE, 1,
			  "addr_gen_mode");
	/* IPv6 comes back whatever failed: not off until the next 68 */
	if (sys_conf_set(SYS_IPV6_DISABLE_IPV6, info.ifname, false, why,
			 sizeof(why))) {
		if (!failed)
			return fail(q, "%s", why);
		mn_log(MN_LOG_WARN, "%s: %s", q->name, why);
	}
	if (failed)
		return -1;
	if (!(in->flags & 2)) {
		mn_route_flush(q->c->genl, &s, 0, LOOPBACK_ADDR_TABLE, false, &r);
		if (check(q, &r, "flush table 128", NULL))
			return -1;
	}
	/* Several NICs on one subnet: answer ARP only on the right one. */
	if (sysctl(q, SYS_IPV4_ARP_FILTER, "all", true) ||
	    sysctl(q, SYS_IPV4_ARP_FILTER, "default", true))
		return -1;
	return 0;
}

/*
 * 73: masquerade other namespaces' traffic leaving the NIC. Needs no
 * module: without it the rules go through rtnetlink. A Remove does not
 * wait for a NIC that is gone: its nftables rules are found by their tag.
 */
static int32_t interface_net_filter(struct req *q,
				    const struct gns_netfilter *f)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct mn_iface_info info;
	char why[200];
	bool add = f->op == GNS_OP_CREATE;
	struct mn_res r;
	size_t i;

	if (f->op == GNS_OP_UPDATE)
		return fail(q, "operation: Update is not supported");
	try_module(q);
	if (add) {
		if (wait_iface(q, &f->target, &info))
			return -1;
	} else {
		lookup_iface(q, &f->target, &info, &r);
		if (r.err && r.err != -ENODEV)
			return check(q, &r, "interface lookup", NULL);
		if (r.err || info.ifindex <= 0) {
			/* gone: its rules by name; a GUID has none left */
			if (f->target.is_guid)
				info.ifname[0] = '\0';
			else
				snprintf(info.ifname, sizeof(info.ifname), "%s",
					 f->target.name);
		}
	}
	if (add ? sys_nft_iface_add(info.ifname, f->port_start, f->port_end,
				    why, sizeof(why)) :
		  sys_nft_iface_del(info.ifname[0] ? info.ifname : NULL, why,
				    sizeof(why)))
		return fail(q, "%s", why);
	if (!info.ifname[0])
		return 0;
	for (i = 0; i < sizeof(protos); i++)
		if (rule(q, add, 0, LOCAL_TABLE, protos[i], info.ifname))
			return fail_more(q, "; the nftables rules were %s",
					 add ? "added and stay" : "removed");
	return 0;
}

static int32_t link_settings(struct req *q, const struct mn_sel *s,
			     const struct gns_link *l)
{
	uint32_t mtu = 0;
	struct mn_res r;

	/*
	 * 0 leaves the MTU. The host's 0xffffffff (it knows none) goes to the
	 * module as WSL's gns sends it: the link comes up, the MTU is refused
	 * and the reply is -1.
	 */
	if (l->connected)
		mtu = l->mtu;
	/* The interface metric has no Linux counterpart: route metrics rule. */
	mn_link_set(q->c->genl, s, l->connected, mtu, NULL, 0, &r);
	note_held(q, &r, s->target);
	return check(q, &r, l->connected ? "link up" : "link down", NULL);
}

/*
 * An Add of the address @a that the NIC already has: a host replaying its
 * state onto what a killed helper left (the module and the kernel keep
 * it) adds every address again. The same address, prefix length, flags
 * and lifetimes is success, and the module tracks it; anything else is a
 * conflict, which fails saying what differs. A NIC the module holds
 * state for has no address in the kernel to compare: that stays -1.
 */
static int32_t addr_exists(struct req *q, const struct mn_sel *s,
			   const struct gns_addr *a)
{
	/* the flags the module sets (mn_apply_addr) */
	const uint32_t ours = IFA_F_NODAD | IFA_F_NOPREFIXROUTE;
	uint32_t want = IFA_F_NOPREFIXROUTE | (a->nodad ? IFA_F_NODAD : 0);
	char why[200], ip[INET6_ADDRSTRLEN];
	struct mn_iface_info info;
	struct rt_addr_info k;
	struct mn_res r;
	int ret;

	ip_str(&a->ip, ip, sizeof(ip));
	mn_iface_get(q->c->genl, s, &info, &r);
	if (r.err || info.ifindex <= 0)
		return fail(q, "IPAddress: %s/%u is already assigned%s", ip,
			    a->prefixlen, info.held ?
			    " (held for the absent NIC)" : "");
	ret = rt_addr_get(info.ifindex, a->ip.family, a->ip.a, a->prefixlen,
			  &k, why, sizeof(why));
	if (ret)
		return fail(q, "IPAddress: %s/%u exists; reading it back: %s%s%s",
			    ip, a->prefixlen, strerror(-ret),
			    why[0] ? ": " : "", why);
	if (k.prefixlen != a->prefixlen)
		return fail(q, "IPAddress: %s is on %s with prefix length %u, not %u",
			    ip, info.ifname, k.prefixlen, a->prefixlen);
	if ((k.flags & ours) != want)
		return fail(q, "IPAddress: %s/%u is on %s%s%s, asked%s%s", ip,
			    a->prefixlen, info.ifname,
			    k.flags & IFA_F_NODAD ? " nodad" : "",
			    k.flags & IFA_F_NOPREFIXROUTE ? " noprefixroute" : "",
			    want & IFA_F_NODAD ? " nodad" : "",
			    " noprefixroute");
	/* IPv6 derives the scope from the address itself */
	if (a->ip.family == AF_INET && k.scope != a->scope)
		return fail(q, "IPAddress: %s/%u is on %s with scope %u, not %u",
			    ip, a->prefixlen, info.ifname, k.scope, a->scope);
	/* the host sends forever, or 0 for a deprecated address */
	if ((k.preferred_lft == GNS_LFT_FOREVER) !=
	    (a->preferred_lft == GNS_LFT_FOREVER) ||
	    (k.valid_lft == GNS_LFT_FOREVER) != (a->valid_lft == GNS_LFT_FOREVER))
		return fail(q, "IPAddress: %s/%u is on %s with lifetimes %u/%u s, not %s/%s",
			    ip, a->prefixlen, info.ifname, k.preferred_lft,
			    k.valid_lft, a->preferred_lft == GNS_LFT_FOREVER ?
			    "forever" : "0",
			    a->valid_lft == GNS_LFT_FOREVER ? "forever" : "0");
	mn_log(MN_LOG_DEBUG, "%s: %s/%u is on %s already, as asked", q->name,
	       ip, a->prefixlen, info.ifname);
	return 0;
}

static int32_t address(struct req *q, const struct gns_setting *st,
		       const struct mn_sel *s)
{
	const struct gns_addr *a = &st->addr;
	struct mn_res r;

	switch (st->request) {
	case GNS_REQ_ADD:
	case GNS_REQ_UPDATE:
		/* An in-place replace keeps the routes that use the address. */
		mn_addr_new(q->c->genl, s, a, true,
			    st->request == GNS_REQ_UPDATE, &r);
		if (r.err == -EEXIST && st->request == GNS_REQ_ADD)
			return addr_exists(q, s, a);
		break;
	case GNS_REQ_REMOVE:
		mn_addr_del(q->c->genl, s, &a->ip, a->prefixlen, &r);
		break;
	default:
		return fail(q, "RequestType: %s is not supported for IPAddress",
			    gns_request_name(st->request));
	}
	note_held(q, &r, s->target);
	return check(q, &r, "IPAddress", st->request == GNS_REQ_REMOVE ?
		     tolerate_addr_del : NULL);
}

static int32_t route(struct req *q, const struct gns_setting *st,
		     const struct mn_sel *s)
{
	const struct gns_route *gr = &st->route;
	struct mn_route_req rt = {
		.dst = gr->dst, .dst_len = gr->dst_len,
		.has_gateway = gr->has_gateway, .gateway = gr->gateway,
		.has_metric = true, .metric = gr->metric,
		.table = q->c->primary_table, .onlink = gr->onlink,
	};
	struct mn_res r;

	if (st->request == GNS_REQ_RESET) {
		mn_route_flush(q->c->genl, s, gr->dst.family,
			       q->c->primary_table, true, &r);
		return check(q, &r, "Route Reset", NULL);
	}
	switch (st->request) {
	case GNS_REQ_ADD:
	case GNS_REQ_UPDATE:
		mn_route_new(q->c->genl, s, &rt, st->request == GNS_REQ_UPDATE,
			     &r);
		note_held(q, &r, s->target);
		return check(q, &r, "Route", tolerate_route_add);
	case GNS_REQ_REMOVE:
		mn_route_del(q->c->genl, s, &rt, &r);
		return check(q, &r, "Route", tolerate_route_del);
	default:
		return fail(q, "RequestType: %s is not supported for Route",
			    gns_request_name(st->request));
	}
}

static int32_t dns(struct req *q, const struct gns_setting *st)
{
	char why[300];

	if (st->request == GNS_REQ_REMOVE)
		return 0;
	if (st->request != GNS_REQ_ADD && st->request != GNS_REQ_UPDATE)
		return fail(q, "RequestType: %s is not supported for DNS",
			    gns_request_name(st->request));
	if (dns_apply(q->c->resolv_conf, &st->dns, why, sizeof(why)))
		return fail(q, "%s", why);
	return 0;
}

/* The reference's sequence: down, new address, up. */
static int32_t mac_address(struct req *q, const struct gns_setting *st,
			   const struct mn_sel *s)
{
	struct mn_res r;

	mn_link_set(q->c->genl, s, 0, 0, NULL, 0, &r);
	if (check(q, &r, "link down", NULL))
		return -1;
	mn_link_set(q->c->genl, s, -1, 0, st->mac, sizeof(st->mac), &r);
	if (check(q, &r, "PhysicalAddress", NULL))
		return -1;
	mn_link_set(q->c->genl, s, 1, 0, NULL, 0, &r);
	return check(q, &r, "link up", NULL);
}

/* 55, 63 and 65. */
/* Type 63 acts only on an Interface with a target, as WSL's guest. */
static bool setting_ignored(enum gns_kind kind, const struct gns_setting *st)
{
	return kind == GNS_MODIFY_GUEST_DEVICE &&
	       (!st->has_target || st->resource != GNS_RES_INTERFACE);
}

static int32_t setting(struct req *q, enum gns_kind kind,
		       const struct gns_setting *st)
{
	struct mn_sel s = { .target = &st->target };

	if (setting_ignored(kind, st))
		return 0;
	if (st->resource == GNS_RES_DNS)
		return dns(q, st);
	if (need_module(q))
		return -1;
	switch (st->resource) {
	case GNS_RES_INTERFACE:
		return link_settings(q, &s, &st->link);
	case GNS_RES_IPADDRESS:
		return address(q, st, &s);
	case GNS_RES_ROUTE:
		return route(q, st, &s);
	case GNS_RES_MACADDRESS:
		return mac_address(q, st, &s);
	default:
		return fail(q, "ResourceType: %s is not supported",
			    gns_resource_name(st->resource));
	}
}

int32_t mn_handle(struct mn_handler_ctx *c, const struct gns_msg *m,
		  char *what, size_t whatlen, char *err, size_t errlen)
{
	struct req q = {
		.c = c, .name = gns_kind_name(m->kind), .err = err,
		.errlen = errlen,
	};

	what[0] = '\0';
	switch (m->kind) {
	case GNS_SETUP_IPV6:
		return setup_ipv6(&q);
	case GNS_GLOBAL_NET_FILTER:
		return global_net_filter(&q);
	case GNS_NOOP:
		return 0;
	case GNS_VMNIC_CREATED:
		return vmnic_created(&q, &m->vmnic);
	case GNS_INTERFACE_CONFIGURATION:
		return interface_configuration(&q, &m->ifconfig);
	case GNS_CREATE_DEVICE:
		return create_device(&q, &m->create);
	case GNS_LOOPBACK_ROUTES:
		return loopback_routes(&q, &m->loopback);
	case GNS_INITIAL_IP_CONFIGURATION:
		return initial_ip_configuration(&q, &m->initial);
	case GNS_INTERFACE_NET_FILTER:
		return interface_net_filter(&q, &m->netfilter);
	case GNS_NOTIFICATION:
	case GNS_MODIFY_GUEST_DEVICE:
	case GNS_DEVICE_SETTING:
		return setting(&q, m->kind, &m->setting);
	case GNS_CONNECT_TEST:
		return sys_probe(m->hostname, what, whatlen);
	/* No default: a kind added to kinds.h fails to compile here. */
	case GNS_RESULT:
	case GNS_DNS_TUNNELING:
	case GNS_KIND_UNKNOWN:
		break;
	}
	/* gns_decode() refuses these. */
	return fail(&q, "unexpected message type");
}

static const char *op_name(enum gns_operation op)
{
	return op == GNS_OP_CREATE ? "Create" :
	       op == GNS_OP_REMOVE ? "Remove" : "Update";
}

/* The setting's own part of the description: what the request changes. */
static void describe_setting(enum gns_kind kind, const struct gns_setting *st,
			     char *what, size_t whatlen)
{
	const struct gns_route *gr = &st->route;
	char tname[40], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	const char *res = gns_resource_name(st->resource);
	const char *req = gns_request_name(st->request);

	if (setting_ignored(kind, st)) {
		snprintf(what, whatlen, "%s (ignored)", res);
		return;
	}
	gns_target_format(&st->target, tname);
	if (st->resource == GNS_RES_IPADDRESS)
		snprintf(what, whatlen, "%s %s on %s %s/%u", res, req, tname,
			 ip_str(&st->addr.ip, a, sizeof(a)),
			 st->addr.prefixlen);
	else if (st->resource == GNS_RES_ROUTE && st->request == GNS_REQ_RESET)
		snprintf(what, whatlen, "%s %s on %s IPv%c gateway routes", res,
			 req, tname, gr->dst.family == AF_INET ? '4' : '6');
	else if (st->resource == GNS_RES_ROUTE)
		snprintf(what, whatlen, "%s %s on %s %s/%u via %s metric %u",
			 res, req, tname, ip_str(&gr->dst, a, sizeof(a)),
			 gr->dst_len, gr->has_gateway ?
			 ip_str(&gr->gateway, b, sizeof(b)) : "on-link",
			 gr->metric);
	else
		snprintf(what, whatlen, "%s %s on %s", res, req, tname);
}

void mn_describe(const struct gns_msg *m, char *what, size_t whatlen)
{
	struct gns_target t = { .is_guid = true };
	char tname[40], ip[INET6_ADDRSTRLEN];

	what[0] = '\0';
	switch (m->kind) {
	case GNS_VMNIC_CREATED:
		t.guid = m->vmnic.adapter;
		gns_target_format(&t, tname);
		snprintf(what, whatlen, "%s", tname);
		break;
	case GNS_INTERFACE_CONFIGURATION:
		t.guid = m->ifconfig.id;
		gns_target_format(&t, tname);
		snprintf(what, whatlen, "%s name %s", tname,
			 m->ifconfig.port_name[0] ? m->ifconfig.port_name :
						    "(kept)");
		break;
	case GNS_CREATE_DEVICE:
		if (m->create.type != GNS_DEV_LOOPBACK || !m->create.has_lower)
			break;
		t.guid = m->create.lower;
		gns_target_format(&t, tname);
		snprintf(what, whatlen, "Loopback on %s", tname);
		break;
	case GNS_LOOPBACK_ROUTES:
		gns_target_format(&m->loopback.target, tname);
		snprintf(what, whatlen, "%s %s on %s", op_name(m->loopback.op),
			 ip_str(&m->loopback.ip, ip, sizeof(ip)), tname);
		break;
	case GNS_INITIAL_IP_CONFIGURATION:
		gns_target_format(&m->initial.target, tname);
		snprintf(what, whatlen, "%s flags %u", tname, m->initial.flags);
		break;
	case GNS_INTERFACE_NET_FILTER:
		gns_target_format(&m->netfilter.target, tname);
		snprintf(what, whatlen, "%s %s", op_name(m->netfilter.op),
			 tname);
		break;
	case GNS_NOTIFICATION:
	case GNS_MODIFY_GUEST_DEVICE:
	case GNS_DEVICE_SETTING:
		describe_setting(m->kind, &m->setting, what, whatlen);
		break;
	case GNS_CONNECT_TEST:
		snprintf(what, whatlen, "%s", m->hostname);
		break;
	default:
		break;
	}
}
