/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's end of the GNS channel (reference §1): listen, accept the
 * guest's connection, run one transaction at a time with the host's
 * reply filtering (§1.4). Framing is lib/gns.
 */
#ifndef MIRRORNET_HOST_TRANSPORT_H
#define MIRRORNET_HOST_TRANSPORT_H

#include <stdint.h>

#include "gns/wire.h"

#define MH_CHANNEL_ERR_LEN	256
#define MH_GUEST_ERR_LEN	256

struct mh_channel {
	int listen_fd;
	int fd;
	enum gns_gen gen;	/* the WSL release played */
	/*
	 * 16-byte: the next transaction id, from 0 (§1.4). 12-byte: the last
	 * sequence number sent and received, each frame numbered from 1.
	 */
	uint32_t next_id;
	uint32_t tx_seq, rx_seq;
	long timeout_ms;	/* for the connection and for each reply */
	char *unix_path;	/* to unlink when closed */
	struct gns_frame frame;
	char err[MH_CHANNEL_ERR_LEN];
	char guest_err[MH_GUEST_ERR_LEN];	/* text of the last reply */
};

/*
 * Listen on "vsock:PORT" or "unix:PATH". Returns 0, -2 for a malformed
 * spec, -1 with c->err on a system error.
 */
int mh_channel_listen(struct mh_channel *c, const char *spec,
		      enum gns_gen gen, long timeout_ms);
/* Wait for the guest to connect; 0, or -1 with c->err. */
int mh_channel_accept(struct mh_channel *c);
/*
 * One transaction: send @kind with @text and its NUL, wait for the reply
 * with the same id (16-byte) or the guest's next sequence number (12-byte). Returns 0 with *result (and c->guest_err, "" if the
 * reply had no text), or -1 with c->err when the channel is broken.
 */
int mh_channel_request(struct mh_channel *c, enum gns_kind kind,
		       const char *text, int32_t *result);
void mh_channel_close(struct mh_channel *c);

#endif /* MIRRORNET_HOST_TRANSPORT_H */
