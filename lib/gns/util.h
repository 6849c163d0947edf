/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers every mirrornet program uses, kept once.
 */
#ifndef MIRRORNET_GNS_UTIL_H
#define MIRRORNET_GNS_UTIL_H

#include <stdbool.h>
#include <stdint.h>

/* Little-endian loads and stores, byte by byte. */
static inline uint32_t gns_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void gns_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Big-endian (network order) 16-bit loads and stores: DNS, length prefixes. */
static inline uint16_t gns_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void gns_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The value of the hex digit @c (any case), or -1. */
static inline int gns_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* CLOCK_MONOTONIC in milliseconds. */
int64_t gns_now_ms(void);
/*
 * Sleep @ms milliseconds. A signal that runs a handler ends the sleep
 * early (nanosleep() is not resumed); a shorter sleep is harmless to
 * every caller: retry backoffs, pacing and test polls.
 */
void gns_sleep_ms(unsigned int ms);
/*
 * The kernel's dev_valid_name(): 1 to 15 bytes, not "." or "..", no '/',
 * ':' or white space (isspace() in the kernel's Latin-1 table, NBSP 0xa0
 * included).
 */
bool gns_ifname_valid(const char *name);

#endif /* MIRRORNET_GNS_UTIL_H */
