/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's half of WSL's DNS tunneling (wsl-dns-tunneling §2, §4): read
 * the guest's DnsTunneling frames from the DNS channel, resolve each query
 * and send the answer back with the query's client identifier, in
 * completion order. A query is answered from a test zone (zone.h) or
 * forwarded to an upstream resolver: over UDP for UDP queries, over TCP
 * for TCP ones (the 2-byte length prefix kept both ways), each bounded by
 * a timeout. As WSL's host, it sends nothing else and never answers a
 * query it could not resolve.
 *
 * Also a plain DNS server (UDP and TCP) answering from a zone, the
 * upstream of the tests (mirrornet-host --dns-serve).
 */
#ifndef MIRRORNET_HOST_DNSTUNNEL_H
#define MIRRORNET_HOST_DNSTUNNEL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "gns/wire.h"
#include "zone.h"

#define MH_DNS_TIMEOUT_MS	5000	/* per upstream query */
#define MH_DNS_MAX_PENDING	256	/* upstream queries in flight */

struct mh_dns_config {
	enum gns_gen gen;
	const struct mh_zone *zone;	/* answer from it, or else: */
	struct sockaddr_storage upstream;	/* forward to it */
	socklen_t upstream_len;
	long timeout_ms;
	bool verbose;			/* a line per query too */
	/*
	 * For tests: close the channel on reading frame N, unanswered, as a
	 * host tearing down mid-query (0: never).
	 */
	size_t close_after;
	FILE *log;
};

struct mh_dns_stats {
	size_t frames;		/* read from the guest */
	size_t answered;	/* frames sent back */
	size_t dropped;		/* bad frames, bad queries */
	size_t silent;		/* NOANSWER names of the zone */
	size_t timed_out;	/* upstream gave no answer in time */
};

struct mh_dns;

/*
 * "IP", "IP:PORT", "[IPv6]:PORT" into @sa with @port when none is given.
 * 0, or -1 if @spec is not one of these.
 */
int mh_dns_parse_addr(const char *spec, unsigned int port,
		      struct sockaddr_storage *sa, socklen_t *len);

/* Serve the connected DNS channel @fd (then owned and closed by @d). */
struct mh_dns *mh_dns_new(int fd, const struct mh_dns_config *cfg);
void mh_dns_free(struct mh_dns *d);
/*
 * Serve until the guest closes the channel or @stop_fd is readable (0), or
 * the channel breaks (-1, logged).
 */
int mh_dns_run(struct mh_dns *d, int stop_fd);
/* The same in a thread of its own, SIGTERM and SIGINT blocked in it. */
int mh_dns_start(struct mh_dns *d);
/* Stop that thread; what mh_dns_run() returned. */
int mh_dns_stop(struct mh_dns *d);
void mh_dns_get_stats(const struct mh_dns *d, struct mh_dns_stats *s);

/*
 * A plain DNS server on @addr, UDP and TCP, answering from @zone until
 * @stop_fd is readable. Port 0 picks a free port for both. Logs "serving
 * on ADDR:PORT" once listening. 0, or -1 when it cannot listen (logged).
 */
int mh_dns_serve(const struct sockaddr_storage *addr, socklen_t len,
		 const struct mh_zone *zone, int stop_fd, FILE *log);

#endif /* MIRRORNET_HOST_DNSTUNNEL_H */
