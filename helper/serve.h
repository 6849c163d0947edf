/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MIRRORNET_SERVE_H
#define MIRRORNET_SERVE_H

#include "gns/wire.h"

struct mn_serve_opts {
	unsigned int cid, port;		/* the host's vsock address */
	int fd;				/* an inherited socket, or -1 */
	unsigned int lookup_timeout_ms;
	const char *resolv_conf;
	enum gns_gen gen;		/* the host's, or GNS_GEN_AUTO */
};

/* Serve until SIGTERM (or, with an inherited socket, until it closes). */
int mn_serve(const struct mn_serve_opts *o);

#endif /* MIRRORNET_SERVE_H */
