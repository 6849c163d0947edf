/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MIRRORNET_SERVE_H
#define MIRRORNET_SERVE_H

#include <stdbool.h>

#include "gns/wire.h"

struct mn_serve_opts {
	int fd;				/* --socket: inherited GNS channel */
	int dns_fd;			/* --dns_socket: inherited DNS channel */
	unsigned int cid, port;		/* --vsock, when fd is -1 */
	bool dns_vsock;			/* --dns-tunnel: connect DNS too */
	unsigned int dns_cid, dns_port;
	const char *dns_ip;		/* the tunneling address */
	unsigned int lookup_timeout_ms;
	const char *resolv_conf;
	enum gns_gen gen;		/* GNS_GEN_AUTO: from the first frame */
};

/*
 * Serve until SIGTERM or SIGINT, or, with an inherited socket, until it
 * closes. 0 on a clean end, -1 on failure.
 */
int mn_serve(const struct mn_serve_opts *o);

#endif /* MIRRORNET_SERVE_H */
