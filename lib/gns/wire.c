// SPDX-License-Identifier: GPL-2.0
/*
 * WSL's GNS channel: generations, numbering, framing and replies
 * (wire.h). Pure apart from read() and write() on the channel's fd.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "wire.h"

static const struct {
	const char *name;
	uint32_t type_old;	/* up to WSL 2.6.0 */
	uint32_t type_new;	/* since WSL 2.6.1 and 2.5.10 */
	enum gns_payload payload;
} kinds[GNS_KIND_UNKNOWN] = {
#define GNS_KIND_ROW(id, nm, old, new, pl)				\
	[GNS_##id] = { .name = nm, .type_old = old, .type_new = new,	\
		       .payload = pl },
	GNS_KINDS(GNS_KIND_ROW)
#undef GNS_KIND_ROW
};

size_t gns_gen_hdr_len(enum gns_gen gen)
{
	switch (gen) {
	case GNS_GEN_12_OLD:
	case GNS_GEN_12:
		return 12;
	case GNS_GEN_16:
		return 16;
	default:
		return 0;
	}
}

const char *gns_gen_describe(enum gns_gen gen)
{
	switch (gen) {
	case GNS_GEN_12_OLD:
		return "12-byte header, InterfaceConfiguration 52";
	case GNS_GEN_12:
		return "12-byte header, InterfaceConfiguration 53";
	case GNS_GEN_16:
		return "16-byte header, InterfaceConfiguration 53";
	default:
		return "detected from the host's first frame";
	}
}

/* One decimal component of a version: 1 to 9 digits, no sign. */
static const char *parse_num(const char *p, unsigned long *v)
{
	const char *start = p;

	*v = 0;
	while (*p >= '0' && *p <= '9' && p - start < 9)
		*v = *v * 10 + (unsigned long)(*p++ - '0');
	if (p == start || (*p >= '0' && *p <= '9'))
		return NULL;
	return p;
}

int gns_gen_parse(const char *version, enum gns_gen *gen)
{
	unsigned long v[4] = { 0 };
	const char *p = version;
	int n = 0;

	if (!version)
		return -1;
	if (!strcmp(version, "auto")) {
		*gen = GNS_GEN_AUTO;
		return 0;
	}
	/* MAJOR.MINOR.PATCH, or wsl --version's MAJOR.MINOR.PATCH.BUILD */
	for (;;) {
		p = parse_num(p, &v[n++]);
		if (!p)
			return -1;
		if (!*p)
			break;
		if (*p != '.' || n == 4)
			return -1;
		p++;
	}
	if (n < 3)
		return -1;
	/* Mirrored networking came with WSL 2.0.0. */
	if (v[0] < 2)
		return -1;
	if (v[0] > 2 || v[1] >= 9 || (v[1] == 8 && v[2] >= 5) ||
	    (v[1] == 7 && v[2] >= 2))
		*gen = GNS_GEN_16;
	else if (v[1] >= 7 || (v[1] == 6 && v[2] >= 1) ||
		 (v[1] == 5 && v[2] >= 10))
		*gen = GNS_GEN_12;
	else
		*gen = GNS_GEN_12_OLD;
	return 0;
}

enum gns_kind gns_kind_of(uint32_t type, enum gns_gen gen)
{
	int k;

	if (gen == GNS_GEN_AUTO)
		return GNS_KIND_UNKNOWN;
	for (k = 0; k < GNS_KIND_UNKNOWN; k++)
		if ((gen == GNS_GEN_12_OLD ? kinds[k].type_old :
		     kinds[k].type_new) == type)
			return (enum gns_kind)k;
	return GNS_KIND_UNKNOWN;
}

uint32_t gns_type_of(enum gns_kind kind, enum gns_gen gen)
{
	if ((unsigned int)kind >= GNS_KIND_UNKNOWN || gen == GNS_GEN_AUTO)
		return 0;
	return gen == GNS_GEN_12_OLD ? kinds[kind].type_old :
				       kinds[kind].type_new;
}

const char *gns_kind_name(enum gns_kind kind)
{
	if ((unsigned int)kind >= GNS_KIND_UNKNOWN)
		return "unknown";
	return kinds[kind].name;
}

enum gns_payload gns_kind_payload(enum gns_kind kind)
{
	if ((unsigned int)kind >= GNS_KIND_UNKNOWN)
		return GNS_PAYLOAD_IGNORED;
	return kinds[kind].payload;
}

size_t gns_hdr_encode(enum gns_gen gen, const struct gns_hdr *h, uint8_t *out)
{
	size_t len = gns_gen_hdr_len(gen);

	if (!len)
		return 0;
	gns_put_le32(out, h->type);
	gns_put_le32(out + 4, h->size);
	gns_put_le32(out + 8, h->id);
	if (len == 16)
		gns_put_le32(out + 12, h->step);
	return len;
}

void gns_hdr_decode(enum gns_gen gen, const uint8_t *in, struct gns_hdr *h)
{
	h->type = gns_get_le32(in);
	h->size = gns_get_le32(in + 4);
	h->id = gns_get_le32(in + 8);
	h->step = gns_gen_hdr_len(gen) == 16 ? gns_get_le32(in + 12) :
					       GNS_STEP_NONE;
}

enum gns_gen gns_gen_detect(const uint8_t *first, size_t len,
			    bool text_old, bool text_new, const char **why)
{
	enum gns_kind old, new;
	uint32_t type, size;

	if (len < 12) {
		*why = "the first frame is shorter than a 12-byte header";
		return GNS_GEN_AUTO;
	}
	type = gns_get_le32(first);
	size = gns_get_le32(first + 4);
	if (size < 12 || size > GNS_MAX_FRAME || (len < 16 && size != len)) {
		*why = "the first frame's size fits neither header";
		return GNS_GEN_AUTO;
	}
	/* A host's first frame is a request: step 1 in a 16-byte header. */
	if (len >= 16 && size >= 16 &&
	    gns_get_le32(first + 12) == GNS_STEP_REQUEST)
		return GNS_GEN_16;
	old = gns_kind_of(type, GNS_GEN_12_OLD);
	new = gns_kind_of(type, GNS_GEN_12);
	if (old == GNS_KIND_UNKNOWN && new == GNS_KIND_UNKNOWN) {
		*why = "the first frame's type is a GNS message in neither numbering";
		return GNS_GEN_AUTO;
	}
	/* 52, 60, 67 exist only in the old numbering; 55, 65, 74 only in the new. */
	if (new == GNS_KIND_UNKNOWN)
		return GNS_GEN_12_OLD;
	if (old == GNS_KIND_UNKNOWN)
		return GNS_GEN_12;
	if (text_old && !text_new)
		return GNS_GEN_12_OLD;
	if (text_new && !text_old)
		return GNS_GEN_12;
	*why = text_old ?
	       "the first frame's text decodes in both numberings" :
	       "the first frame's text decodes in neither numbering";
	return GNS_GEN_AUTO;
}

size_t gns_reply_encode(enum gns_gen gen, uint32_t id, int32_t result,
			const char *error, uint8_t *out, size_t cap)
{
	size_t hl = gns_gen_hdr_len(gen), fixed = hl + 4, len = 0, size;
	struct gns_hdr h = {
		.type = gns_type_of(GNS_RESULT, gen),
		.id = id,
		.step = GNS_STEP_REPLY,
	};

	if (!hl || cap < fixed + (error ? 1 : 0))
		return 0;
	if (error) {
		len = strnlen(error, cap - fixed);
		if (len > cap - fixed - 1) {
			len = cap - fixed - 1;
			/* Do not leave half a UTF-8 sequence for the host. */
			while (len && ((uint8_t)error[len] & 0xc0) == 0x80)
				len--;
		}
	}
	size = fixed + (error ? len + 1 : 0);
	h.size = (uint32_t)size;
	gns_hdr_encode(gen, &h, out);
	gns_put_le32(out + hl, (uint32_t)result);
	if (error) {
		memcpy(out + fixed, error, len);
		out[fixed + len] = 0;
	}
	return size;
}

static int frame_reserve(struct gns_frame *f, size_t size)
{
	uint8_t *p;

	if (f->cap >= size)
		return 0;
	p = realloc(f->buf, size);
	if (!p)
		return -1;
	f->buf = p;
	f->cap = size;
	return 0;
}

/*
 * Read into @f until it holds @want bytes of the frame; with @ahead, each
 * read takes as much as the buffer has room for. 1 when there, 0 at EOF,
 * -1 with errno: after EINTR and EAGAIN f->have keeps what was read, after
 * another error the stream is broken and the next call starts afresh.
 */
static int fill(int fd, struct gns_frame *f, size_t want, bool ahead)
{
	while (f->have < want) {
		ssize_t n = read(fd, f->buf + f->have,
				 (ahead ? f->cap : want) - f->have);

		if (n < 0) {
			if (errno != EINTR && errno != EAGAIN &&
			    errno != EWOULDBLOCK)
				f->have = 0;
			return -1;
		}
		if (n == 0)
			return 0;
		f->have += (size_t)n;
	}
	return 1;
}

static int read_frame(int fd, enum gns_gen gen, struct gns_frame *f,
		      bool ahead)
{
	/* Undetected: read by the size field, at +4 in both headers. */
	size_t hl = gen == GNS_GEN_AUTO ? 12 : gns_gen_hdr_len(gen);
	int r;

	/* What was read past the last frame starts this one. */
	if (f->ahead) {
		memmove(f->buf, f->buf + f->hdr.size, f->ahead);
		f->have = f->ahead;
		f->ahead = 0;
	}
	if (frame_reserve(f, ahead ? GNS_READ_AHEAD : GNS_HDR_MAX))
		return -1;
	f->hdr_len = hl;
	r = fill(fd, f, hl, ahead);
	if (r < 0)
		return -1;
	if (r == 0) {
		if (f->have == 0)
			return 0;
		goto proto;
	}
	gns_hdr_decode(gen, f->buf, &f->hdr);
	if (f->hdr.size < hl || f->hdr.size > GNS_MAX_FRAME)
		goto proto;
	if (frame_reserve(f, f->hdr.size))
		return -1;
	r = fill(fd, f, f->hdr.size, ahead);
	if (r < 0)
		return -1;
	if (r == 0)
		goto proto;
	f->ahead = f->have - f->hdr.size;
	f->have = 0;
	return 1;
proto:
	f->have = 0;
	errno = EPROTO;
	return -1;
}

int gns_read_frame(int fd, enum gns_gen gen, struct gns_frame *f)
{
	return read_frame(fd, gen, f, false);
}

int gns_read_frame_ahead(int fd, enum gns_gen gen, struct gns_frame *f)
{
	return read_frame(fd, gen, f, true);
}

void gns_frame_release(struct gns_frame *f)
{
	free(f->buf);
	f->buf = NULL;
	f->cap = 0;
	f->have = 0;
	f->ahead = 0;
}

void gns_frame_trim(struct gns_frame *f, size_t keep)
{
	/* bytes read ahead are the next frame's: kept until it is read */
	if (f->cap > keep && !f->ahead)
		gns_frame_release(f);
}

int gns_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			/* A frame cut in half would break the stream. */
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int gns_frame_text(const struct gns_frame *f, enum gns_kind kind,
		   const char **text, size_t *len, const char **why)
{
	size_t off = f->hdr_len + (kind == GNS_NOTIFICATION ? 16 : 0);
	size_t size = f->hdr.size;

	if (size < off + 1) {
		*why = kind == GNS_NOTIFICATION ?
		       "frame too short for the adapter GUID and payload" :
		       "frame has no payload";
		return -1;
	}
	if (f->buf[size - 1] != 0) {
		*why = "payload is not NUL-terminated";
		return -1;
	}
	if (memchr(f->buf + off, 0, size - 1 - off)) {
		*why = "payload contains a NUL byte";
		return -1;
	}
	*text = (const char *)f->buf + off;
	*len = size - 1 - off;
	return 0;
}
