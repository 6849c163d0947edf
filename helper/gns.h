/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's GNS channel: frame header, message numbering, replies
 * (Documentation/gns-protocol reference §1). Little-endian on the wire;
 * encoded and decoded byte by byte so the code is right on any host.
 */
#ifndef MIRRORNET_GNS_H
#define MIRRORNET_GNS_H

#include <stddef.h>
#include <stdint.h>

#define GNS_HDR_LEN		16
#define GNS_RESULT_LEN		20	/* header + int32 result */
#define GNS_MAX_FRAME		(16u * 1024 * 1024)

#define GNS_STEP_NONE		0
#define GNS_STEP_REQUEST	1
#define GNS_STEP_REPLY		2

/*
 * Message kinds, independent of the host's numbering. gns_kind_of() and
 * gns_type_of() translate with the base the host uses: 53 for WSL 2.6.1
 * and later (InterfaceConfiguration = 53), 52 before.
 */
enum gns_kind {
	GNS_INTERFACE_CONFIGURATION,	/* 53 */
	GNS_RESULT,			/* 54 */
	GNS_NOTIFICATION,		/* 55 */
	GNS_VMNIC_CREATED,		/* 61 */
	GNS_CREATE_DEVICE,		/* 62 */
	GNS_MODIFY_GUEST_DEVICE,	/* 63 */
	GNS_LOOPBACK_ROUTES,		/* 64 */
	GNS_DEVICE_SETTING,		/* 65 */
	GNS_INITIAL_IP_CONFIGURATION,	/* 68 */
	GNS_SETUP_IPV6,			/* 69 */
	GNS_NOOP,			/* 71 */
	GNS_GLOBAL_NET_FILTER,		/* 72 */
	GNS_INTERFACE_NET_FILTER,	/* 73 */
	GNS_CONNECT_TEST,		/* 74 */
	GNS_KIND_UNKNOWN,
};

struct gns_hdr {
	uint32_t type;
	uint32_t size;		/* whole frame, header included */
	uint32_t txn_id;
	uint32_t txn_step;
};

/* Kind of wire type @type for hosts numbered from @base; UNKNOWN if none. */
enum gns_kind gns_kind_of(uint32_t type, uint32_t base);
/* Wire type of @kind for hosts numbered from @base. */
uint32_t gns_type_of(enum gns_kind kind, uint32_t base);
/* Name of a kind as the reference spells it ("DeviceSettingRequest"). */
const char *gns_kind_name(enum gns_kind kind);

void gns_hdr_encode(const struct gns_hdr *h, uint8_t out[GNS_HDR_LEN]);
void gns_hdr_decode(const uint8_t in[GNS_HDR_LEN], struct gns_hdr *h);

/*
 * Encode the reply to transaction @txn_id: type Result, step 2, @result,
 * then @error and its NUL when @error is not NULL. Returns the frame length,
 * or 0 if it does not fit in @cap (@error is cut to fit first).
 */
size_t gns_reply_encode(uint32_t base, uint32_t txn_id, int32_t result,
			const char *error, uint8_t *out, size_t cap);

/*
 * Frame reader for a stream socket. gns_read_frame() reads one whole
 * frame into a buffer it grows up to GNS_MAX_FRAME. Returns 1 with a frame,
 * 0 when the peer closed cleanly between frames, -1 with errno on a broken
 * stream (EPROTO: short header, declared size < 16 or > 16 MiB, EOF inside
 * a frame; or the error of read()). EINTR is returned to the caller so a
 * signal can stop the loop.
 */
struct gns_frame {
	struct gns_hdr hdr;
	uint8_t *buf;		/* the whole frame */
	size_t cap;
};

int gns_read_frame(int fd, struct gns_frame *f);
void gns_frame_release(struct gns_frame *f);
/* Write all of @len bytes; -1 with errno on failure. */
int gns_write_all(int fd, const void *buf, size_t len);

/*
 * The text payload of a request frame: bytes [off, size - 1), where off is
 * 16 (32 for Notification, after the binary adapter GUID). The frame must
 * end with exactly one NUL and hold no other NUL. Returns 0, or -1 with a
 * reason in @why.
 */
int gns_frame_text(const struct gns_frame *f, enum gns_kind kind,
		   const char **text, size_t *len, const char **why);

#endif /* MIRRORNET_GNS_H */
