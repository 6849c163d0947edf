// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers every mirrornet program uses (util.h).
 */
#include <string.h>
#include <time.h>

#include "util.h"

#define GNS_IFNAMSIZ	16

int64_t gns_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void gns_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

bool gns_ifname_valid(const char *name)
{
	size_t len = strnlen(name, GNS_IFNAMSIZ);
	const char *p;

	if (len == 0 || len >= GNS_IFNAMSIZ)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (p = name; *p; p++) {
		/* The kernel's isspace(), not the locale's: NBSP included. */
		if (*p == '/' || *p == ':' || (*p && strchr(" \t\n\v\f\r\xa0", *p)))
			return false;
	}
	return true;
}
