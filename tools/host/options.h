/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Option values that mirrornet-host, tests/host/fake-guest and the host
 * simulator tests/hostsim/gns-host read alike. Header-only: the two test
 * programs are built from their own file and lib/gns alone.
 */
#ifndef MIRRORNET_HOST_OPTIONS_H
#define MIRRORNET_HOST_OPTIONS_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gns/wire.h"

#define MH_TIMEOUT_MS_MAX	(24L * 3600 * 1000)

/*
 * --wsl-version: the WSL release played (gns_gen_parse()), not "auto":
 * the host speaks first, so nothing tells it. 0 or -1.
 */
static inline int mh_parse_wsl_version(const char *s, enum gns_gen *gen)
{
	enum gns_gen g;

	if (gns_gen_parse(s, &g) || g == GNS_GEN_AUTO)
		return -1;
	*gen = g;
	return 0;
}

/* --timeout-ms: 1 ms to a day; 0 or -1. */
static inline int mh_parse_timeout_ms(const char *s, long *ms)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v <= 0 || v > MH_TIMEOUT_MS_MAX)
		return -1;
	*ms = v;
	return 0;
}

#endif /* MIRRORNET_HOST_OPTIONS_H */
