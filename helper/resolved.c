// SPDX-License-Identifier: GPL-2.0
/*
 * DNS settings to systemd-resolved (org.freedesktop.resolve1.Manager, see
 * coexistence.md §3 and §5.3). Renaming a file over /etc/resolv.conf while
 * it links into /run/systemd/resolve would switch resolved to "foreign"
 * mode and send every program past resolved's per-link routing; writing
 * through the link would be overwritten by resolved. So resolved gets the
 * settings itself. It keeps servers per link, and refuses lo; WSL's DNS
 * belongs to no link, so one link carries it (resolved.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "log.h"
#include "resolved.h"
#include "sys.h"

#define RESOLVE1		"org.freedesktop.resolve1"
#define RESOLVE1_PATH		"/org/freedesktop/resolve1"
#define RESOLVE1_MANAGER	"org.freedesktop.resolve1.Manager"
/* Well below the host's patience; resolved answers these at once. */
#define RESOLVED_TIMEOUT_US	(5 * 1000 * 1000ULL)

/* The link an earlier call gave the settings to, reverted when it changes. */
static int last_ifindex;

/*
 * The interface of the default route with the lowest metric in a
 * /proc/net/{route,ipv6_route} table: @name_col, @metric_col and the
 * columns @is_default() reads are 0-based, all below @ncols, the columns
 * a row needs. 0 if there is none.
 */
static int default_route_in(const char *table, int ncols, int name_col,
			    int metric_col, bool (*is_default)(char **cols))
{
	char line[512], *cols[12], *save, *tok;
	unsigned long metric, best_metric = 0;
	int n, ifindex, best = 0;
	FILE *f;

	f = fopen(table, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		n = 0;
		for (tok = strtok_r(line, " \t\n", &save); tok && n < 12;
		     tok = strtok_r(NULL, " \t\n", &save))
			cols[n++] = tok;
		if (n < ncols || !is_default(cols) ||
		    !strcmp(cols[name_col], "lo"))
			continue;
		metric = strtoul(cols[metric_col], NULL, 16);
		ifindex = (int)if_nametoindex(cols[name_col]);
		if (ifindex > 0 && (!best || metric < best_metric)) {
			best = ifindex;
			best_metric = metric;
		}
	}
	fclose(f);
	return best;
}

/* Iface Destination Gateway Flags RefCnt Use Metric Mask ... (hex) */
static bool ipv4_default(char **cols)
{
	return !strcmp(cols[1], "00000000") && !strcmp(cols[7], "00000000");
}

/* dst dst_len src src_len next_hop metric refcnt use flags iface (hex) */
static bool ipv6_default(char **cols)
{
	return !strcmp(cols[1], "00") &&
	       strspn(cols[0], "0") == 32 && !cols[0][32];
}

/* The first link that is up, lo aside; 0 if there is none. */
static int first_up(void)
{
	struct if_nameindex *ifs, *i;
	struct ifreq ifr;
	int fd, found = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	ifs = if_nameindex();
	for (i = ifs; i && i->if_index && !found; i++) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
		if (!ioctl(fd, SIOCGIFFLAGS, &ifr) &&
		    (ifr.ifr_flags & IFF_UP) && !(ifr.ifr_flags & IFF_LOOPBACK))
			found = (int)i->if_index;
	}
	if (ifs)
		if_freenameindex(ifs);
	close(fd);
	return found;
}

static int pick_link(void)
{
	int ifindex;

	ifindex = default_route_in("/proc/net/route", 8, 0, 6, ipv4_default);
	if (!ifindex)
		ifindex = default_route_in("/proc/net/ipv6_route", 10, 9, 5,
					   ipv6_default);
	return ifindex ? ifindex : first_up();
}

/* a(iay): family and address bytes per server */
static int append_servers(sd_bus_message *m, const struct gns_dns *dns)
{
	unsigned char addr[16];
	size_t i;
	int r, af;

	r = sd_bus_message_open_container(m, 'a', "(iay)");
	for (i = 0; r >= 0 && i < dns->n_servers; i++) {
		af = strchr(dns->servers[i], ':') ? AF_INET6 : AF_INET;
		if (inet_pton(af, dns->servers[i], addr) != 1)
			return -EINVAL;
		r = sd_bus_message_open_container(m, 'r', "iay");
		if (r >= 0)
			r = sd_bus_message_append(m, "i", af);
		if (r >= 0)
			r = sd_bus_message_append_array(m, 'y', addr,
							af == AF_INET ? 4 : 16);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

/* a(sb): the suffixes to search, then "~." to route every name here */
static int append_domains(sd_bus_message *m, const struct gns_dns *dns)
{
	size_t i;
	int r;

	r = sd_bus_message_open_container(m, 'a', "(sb)");
	for (i = 0; r >= 0 && i < dns->n_search; i++)
		r = sd_bus_message_append(m, "(sb)", dns->search[i], 0);
	if (r >= 0)
		r = sd_bus_message_append(m, "(sb)", ".", 1);
	return r < 0 ? r : sd_bus_message_close_container(m);
}

/* b: true */
static int append_true(sd_bus_message *m, const struct gns_dns *dns)
{
	(void)dns;
	return sd_bus_message_append(m, "b", 1);
}

/* One Manager method on @ifindex, its other arguments from @append. */
static int call(sd_bus *bus, const char *member, int ifindex,
		const struct gns_dns *dns,
		int (*append)(sd_bus_message *, const struct gns_dns *),
		char *err, size_t errlen)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	char name[IF_NAMESIZE];
	int r;

	r = sd_bus_message_new_method_call(bus, &m, RESOLVE1, RESOLVE1_PATH,
					   RESOLVE1_MANAGER, member);
	if (r >= 0)
		r = sd_bus_message_append(m, "i", ifindex);
	if (r >= 0 && append)
		r = append(m, dns);
	if (r >= 0)
		r = sd_bus_call(bus, m, RESOLVED_TIMEOUT_US, &error, NULL);
	if (r < 0) {
		if (!if_indextoname((unsigned int)ifindex, name))
			snprintf(name, sizeof(name), "%d", ifindex);
		snprintf(err, errlen, "systemd-resolved: %s on %s: %s", member,
			 name, error.message ? error.message : strerror(-r));
	}
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	return r < 0 ? -1 : 0;
}

int resolved_set_dns(const struct gns_dns *dns, char *err, size_t errlen)
{
	sd_bus *bus = NULL;
	int ifindex, r;

	ifindex = pick_link();
	if (!ifindex) {
		snprintf(err, errlen, "systemd-resolved: no link other than lo "
			 "is up to carry the DNS servers");
		return -1;
	}
	r = sd_bus_open_system(&bus);
	if (r < 0) {
		snprintf(err, errlen, "systemd-resolved: system bus: %s",
			 strerror(-r));
		return -1;
	}
	sd_bus_set_method_call_timeout(bus, RESOLVED_TIMEOUT_US);
	/* the old link first: two links must not both take every name */
	if (last_ifindex && last_ifindex != ifindex) {
		if (call(bus, "RevertLink", last_ifindex, NULL, NULL, err,
			 errlen))
			mn_log(MN_LOG_INFO, "%s", err);
		last_ifindex = 0;
	}
	r = call(bus, "SetLinkDNS", ifindex, dns, append_servers, err, errlen);
	if (!r) {
		last_ifindex = ifindex;
		r = call(bus, "SetLinkDomains", ifindex, dns, append_domains,
			 err, errlen);
	}
	if (!r)
		r = call(bus, "SetLinkDefaultRoute", ifindex, dns, append_true,
			 err, errlen);
	/* half a setting must not keep the servers: @err says why it failed */
	if (r && last_ifindex == ifindex) {
		char rerr[256];

		if (call(bus, "RevertLink", ifindex, NULL, NULL, rerr,
			 sizeof(rerr)))
			mn_log(MN_LOG_INFO, "%s", rerr);
		else
			last_ifindex = 0;
	}
	sd_bus_flush_close_unref(bus);
	return r;
}

int dns_apply(const char *resolv_conf, const struct gns_dns *dns, char *err,
	      size_t errlen)
{
	if (dns->n_dropped)
		mn_log(MN_LOG_WARN, "DNS: %zu entries dropped: %s",
		       dns->n_dropped, dns->dropped);
	if (sys_resolv_by_resolved(resolv_conf))
		return resolved_set_dns(dns, err, errlen);
	return sys_resolv_write(resolv_conf, dns, err, errlen);
}
