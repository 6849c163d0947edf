/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WSL's DNS tunneling channel (wsl-dns-tunneling §2): frames of the one
 * kind GNS_DNS_TUNNELING, step 0, ids 1, 2, 3, ... per direction, each
 * carrying a client identifier {u8 protocol, 3 zero bytes, u32 LE id} and
 * the raw DNS bytes (for TCP with their 2-byte length prefix).
 */
#ifndef MIRRORNET_GNS_DNS_H
#define MIRRORNET_GNS_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define GNS_DNS_IDENT_LEN	8
#define GNS_DNS_PROTO_TCP	6
#define GNS_DNS_PROTO_UDP	17
/* The largest payload either side sends: a TCP prefix and 65535 bytes. */
#define GNS_DNS_MAX_PAYLOAD	(2 + 65535)
/* The default tunneling address (LX_INIT_DNS_TUNNELING_IP_ADDRESS). */
#define GNS_DNS_DEFAULT_IP	"10.255.255.254"

struct gns_dns_msg {
	uint8_t proto;		/* GNS_DNS_PROTO_TCP or _UDP */
	uint32_t client_id;
	const uint8_t *data;	/* the DNS bytes, into the frame */
	size_t len;
};

/*
 * Encode @m as frame number @seq of generation @gen into @out. Returns the
 * frame length, or 0 if @m->len is 0 or above GNS_DNS_MAX_PAYLOAD, the
 * protocol is neither TCP nor UDP, or the frame does not fit in @cap.
 */
size_t gns_dns_encode(enum gns_gen gen, uint32_t seq,
		      const struct gns_dns_msg *m, uint8_t *out, size_t cap);

enum gns_dns_err {
	GNS_DNS_OK,
	GNS_DNS_WRONG_TYPE,	/* not DnsTunneling in @gen's numbering */
	GNS_DNS_WRONG_STEP,	/* 16-byte header with a step other than 0 */
	GNS_DNS_TRUNCATED,	/* shorter than header + identifier + 1 */
	GNS_DNS_OVERSIZED,	/* payload above GNS_DNS_MAX_PAYLOAD */
	GNS_DNS_UNKNOWN_PROTO,	/* protocol neither 6 nor 17 */
};

/*
 * Decode the whole frame @f (read by gns_read_frame() for @gen) into @m,
 * which points into @f. The sequence number is the caller's to check.
 */
enum gns_dns_err gns_dns_decode(enum gns_gen gen, const struct gns_frame *f,
				struct gns_dns_msg *m);
/* "frame shorter than its client identifier" etc., for log lines. */
const char *gns_dns_strerror(enum gns_dns_err err);

#endif /* MIRRORNET_GNS_DNS_H */
