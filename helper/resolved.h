/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DNS settings handed to systemd-resolved over D-Bus, for a resolv.conf
 * that resolved manages (sys_resolv_by_resolved()).
 */
#ifndef MIRRORNET_RESOLVED_H
#define MIRRORNET_RESOLVED_H

#include <stddef.h>

#include "decode.h"

/*
 * Give @dns's servers and search suffixes to systemd-resolved as those of
 * one link: the link of the default route (IPv4 first, lowest metric),
 * else the first link other than lo that is up. That link also gets the
 * routing domain "~." and DefaultRoute, so it takes every query as the
 * host's resolv.conf would. A link used by an earlier call and not now is
 * reverted. Options are not passed: resolved has no per-link equivalent.
 * On failure @err holds resolved's error text (or why no call was made)
 * and resolved's files are left alone; a link that took the servers
 * before a later call failed is reverted (RevertLink) first.
 */
int resolved_set_dns(const struct gns_dns *dns, char *err, size_t errlen);

/*
 * Apply a DNS setting (type 65 DNS Add or Update): log the entries
 * gns_decode() dropped, then give the rest to resolved if @resolv_conf
 * links into its directory (sys_resolv_by_resolved()), else write
 * @resolv_conf (sys_resolv_write()).
 */
int dns_apply(const char *resolv_conf, const struct gns_dns *dns, char *err,
	      size_t errlen);

#endif /* MIRRORNET_RESOLVED_H */
