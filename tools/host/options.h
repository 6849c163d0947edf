/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Option values that mirrornet-host, tests/host/fake-guest and the host
 * simulator tests/hostsim/gns-host read alike. Header-only: the two test
 * programs are built from their own file and helper/gns.c alone.
 */
#ifndef MIRRORNET_HOST_OPTIONS_H
#define MIRRORNET_HOST_OPTIONS_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MH_TIMEOUT_MS_MAX	(24L * 3600 * 1000)

/* --msg-base / --base: 53, or 52 for hosts before WSL 2.6.1; 0 or -1. */
static inline int mh_parse_msg_base(const char *s, uint32_t *base)
{
	if (strcmp(s, "52") && strcmp(s, "53"))
		return -1;
	*base = (uint32_t)atoi(s);
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
