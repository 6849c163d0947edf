/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WSL's GNS channel, shared by every mirrornet program: the generations of
 * the wire format, the frame header in both sizes, the message kinds and
 * their numbers, the frame reader and writer, replies
 * (Documentation/mirrornet.rst, "The helper"). Little-endian on the wire,
 * encoded byte by byte.
 */
#ifndef MIRRORNET_GNS_WIRE_H
#define MIRRORNET_GNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kinds.h"

#define GNS_HDR_MAX		16	/* the larger header */
#define GNS_MAX_FRAME		(16u * 1024 * 1024)

#define GNS_STEP_NONE		0
#define GNS_STEP_REQUEST	1
#define GNS_STEP_REPLY		2

/*
 * A host generation: header size and message numbering change together
 * (wsl-gns-protocol §1.3, §1.9; wsl-dns-tunneling §5.1).
 *   GNS_GEN_12_OLD: 12-byte header {type, size, seq}, InterfaceConfiguration
 *                   52, DnsTunneling 69: WSL up to 2.5.9, and 2.6.0.
 *   GNS_GEN_12:     12-byte header, InterfaceConfiguration 53, DnsTunneling
 *                   70: 2.5.10, 2.6.1 to 2.7.1, 2.8.0 to 2.8.4.
 *   GNS_GEN_16:     16-byte header {type, size, id, step}, 53 and 70: 2.7.2
 *                   to 2.7.11, 2.8.5 and later.
 * GNS_GEN_AUTO: not known yet; the guest learns it from the host's first
 * GNS frame (gns_gen_detect()).
 */
enum gns_gen {
	GNS_GEN_AUTO,
	GNS_GEN_12_OLD,
	GNS_GEN_12,
	GNS_GEN_16,
};

/* Header length of @gen (12 or 16); 0 for GNS_GEN_AUTO. */
size_t gns_gen_hdr_len(enum gns_gen gen);
/* "12-byte header, InterfaceConfiguration 52" etc., for logs. */
const char *gns_gen_describe(enum gns_gen gen);
/*
 * The generation of WSL release @version ("2.6.0", "2.8.4", ...: what
 * `wslinfo --version` prints), or "auto". 0, or -1 if it names none.
 */
int gns_gen_parse(const char *version, enum gns_gen *gen);

/* Message kinds, independent of the numbering (kinds.h). */
enum gns_kind {
#define GNS_KIND_ENUM(id, name, old, new, payload) GNS_##id,
	GNS_KINDS(GNS_KIND_ENUM)
#undef GNS_KIND_ENUM
	GNS_KIND_UNKNOWN,
};

/* Kind of wire type @type in @gen's numbering; UNKNOWN if none. */
enum gns_kind gns_kind_of(uint32_t type, enum gns_gen gen);
/* Wire type of @kind in @gen's numbering. */
uint32_t gns_type_of(enum gns_kind kind, enum gns_gen gen);
/* Name of a kind as the reference spells it ("DeviceSettingRequest"). */
const char *gns_kind_name(enum gns_kind kind);

/*
 * Decoded header. For 12-byte generations @id is the SequenceNumber and
 * @step is GNS_STEP_NONE.
 */
struct gns_hdr {
	uint32_t type;
	uint32_t size;		/* whole frame, header included */
	uint32_t id;
	uint32_t step;
};

/* Encode @h for @gen into @out (gns_gen_hdr_len(gen) bytes); its length. */
size_t gns_hdr_encode(enum gns_gen gen, const struct gns_hdr *h, uint8_t *out);
/* Decode the first gns_gen_hdr_len(gen) bytes of @in. */
void gns_hdr_decode(enum gns_gen gen, const uint8_t *in, struct gns_hdr *h);

/*
 * The generation of a host whose first GNS frame starts with the 16 bytes
 * @first (fewer only if the whole frame is shorter: @len). A 16-byte
 * request has step 1 at +12, where a 12-byte frame has the first bytes of
 * its text ('{') or of an adapter GUID. The numbering of a 12-byte host
 * is told by the type when it names a kind in one numbering only (52, 60,
 * 67 old; 55, 65, 74 new: InterfaceConfiguration 52 and ConnectTest 74 in
 * practice); for another type @text_old and @text_new say whether the
 * frame's text decodes as the kind the type names in each numbering (the
 * caller decodes). Returns the generation, or GNS_GEN_AUTO when the frame
 * cannot tell (then *why says why).
 */
enum gns_gen gns_gen_detect(const uint8_t *first, size_t len,
			    bool text_old, bool text_new, const char **why);

/*
 * Frame reader for a stream socket. gns_read_frame() reads one whole frame
 * of generation @gen into a buffer it grows up to GNS_MAX_FRAME. Returns 1
 * with a frame, 0 when the peer closed cleanly between frames, -1 with
 * errno on a broken stream (EPROTO: short header, declared size below the
 * header or above 16 MiB, EOF inside a frame; or the error of read()).
 * EINTR and EAGAIN are returned to the caller, who may call again: a frame
 * read in part is kept in @f and completed by the next call (after any
 * other error or a clean close, the next call starts a new frame). With
 * GNS_GEN_AUTO it reads a frame of at least 12 bytes by its size field (at
 * +4 in both headers) and decodes a 12-byte header: the caller detects the
 * generation, then sets hdr_len and decodes the header again.
 */
struct gns_frame {
	struct gns_hdr hdr;
	uint8_t *buf;		/* the whole frame, header included */
	size_t cap;
	size_t have;		/* bytes read of the frame in progress */
	size_t hdr_len;
	/* gns_read_frame_ahead(): bytes read past the frame, at hdr.size */
	size_t ahead;
};

int gns_read_frame(int fd, enum gns_gen gen, struct gns_frame *f);

/* The buffer gns_read_frame_ahead() reads into, at least. */
#define GNS_READ_AHEAD		4096

/*
 * As gns_read_frame(), but each read() takes as much as the buffer has
 * room for (GNS_READ_AHEAD at least): a frame that is all there comes in
 * one read instead of two, and what follows it stays in @f (f->ahead) to
 * start the next call. While f->ahead is not 0 the caller must call again
 * without waiting for @fd to be readable: the next frame may be read
 * already. Not to be mixed with gns_read_frame() on one @f.
 */
int gns_read_frame_ahead(int fd, enum gns_gen gen, struct gns_frame *f);
void gns_frame_release(struct gns_frame *f);
/*
 * Between frames: release @f's buffer if one large frame grew it above
 * @keep bytes, so that it does not stay allocated for the small ones (not
 * while it holds bytes read ahead).
 */
void gns_frame_trim(struct gns_frame *f, size_t keep);
/* Write all of @len bytes, retrying EINTR; -1 with errno on failure. */
int gns_write_all(int fd, const void *buf, size_t len);

#define GNS_RESULT_LEN(gen)	(gns_gen_hdr_len(gen) + 4)

/*
 * Encode the reply to the request with id @id (16-byte: the request's
 * transaction id, step 2; 12-byte: the guest's own sequence number):
 * type Result, @result, then @error and its NUL when @error is not NULL.
 * Returns the frame length, or 0 if it does not fit in @cap (@error is cut
 * to fit first, never inside a UTF-8 sequence).
 */
size_t gns_reply_encode(enum gns_gen gen, uint32_t id, int32_t result,
			const char *error, uint8_t *out, size_t cap);

/*
 * The text payload of a request frame: bytes [off, size - 1), where off is
 * the header (and the binary adapter GUID for Notification). The frame must
 * end with exactly one NUL and hold no other NUL. Returns 0, or -1 with a
 * reason in @why.
 */
int gns_frame_text(const struct gns_frame *f, enum gns_kind kind,
		   const char **text, size_t *len, const char **why);
/* What a kind's frames carry after the header (kinds.h). */
enum gns_payload gns_kind_payload(enum gns_kind kind);

#endif /* MIRRORNET_GNS_WIRE_H */
