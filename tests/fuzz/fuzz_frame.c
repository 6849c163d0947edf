// SPDX-License-Identifier: GPL-2.0
/*
 * The input is the byte stream from the host, read as each generation of
 * the wire format would be (and undetected, the generation detected from
 * the first frame as the helper does): frames are read from a pipe with
 * gns_read_frame(), and again with gns_read_frame_ahead() (the helper's
 * reader), which must give the same frames and end the same way; each
 * frame is decoded as the helper's loop would do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gns/wire.h"

/* A pipe holds 64 KiB: more would block the single-threaded writer. */
#define MAX_INPUT	65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decode @f as the helper does; 0 if it decoded. */
static int decode(const struct gns_frame *f, enum gns_gen gen, bool check)
{
	enum gns_kind kind = gns_kind_of(f->hdr.type, gen);
	enum gns_payload payload = gns_kind_payload(kind);
	const char *text = NULL, *why;
	size_t len = 0;

	if (payload == GNS_PAYLOAD_TEXT || payload == GNS_PAYLOAD_GUID_TEXT) {
		if (gns_frame_text(f, kind, &text, &len, &why)) {
			if (check)
				fuzz_reply(gen, f->hdr.id, why);
			return -1;
		}
		if (text < (const char *)f->buf + f->hdr_len ||
		    text + len >= (const char *)f->buf + f->hdr.size)
			abort();
	}
	return fuzz_decode_one(gen, kind, text, len,
			       payload == GNS_PAYLOAD_GUID_TEXT ?
			       f->buf + f->hdr_len : NULL, check);
}

/*
 * Read and decode every frame of @data; the number of frames and how the
 * stream ended (0, or errno after -1; -2: the generation undetected).
 */
static size_t read_all(const uint8_t *data, size_t size, enum gns_gen gen,
		       bool ahead, int *end)
{
	struct gns_frame f = { 0 };
	size_t frames = 0;
	int fds[2], r;

	if (pipe(fds) || gns_write_all(fds[1], data, size))
		abort();
	close(fds[1]);
	while ((r = ahead ? gns_read_frame_ahead(fds[0], gen, &f) :
			    gns_read_frame(fds[0], gen, &f)) == 1) {
		frames++;
		if (f.hdr.size < f.hdr_len || f.hdr.size + f.ahead > f.cap ||
		    f.have || (!ahead && f.ahead))
			abort();
		if (gen == GNS_GEN_AUTO) {
			size_t n = f.hdr.size < 16 ? f.hdr.size : 16;
			bool old = !decode(&f, GNS_GEN_12_OLD, false);
			bool new = !decode(&f, GNS_GEN_12, false);
			const char *why = NULL;

			gen = gns_gen_detect(f.buf, n, old, new, &why);
			if (gen == GNS_GEN_AUTO) {
				if (!why || !*why)
					abort();
				r = -2;
				break;
			}
			f.hdr_len = gns_gen_hdr_len(gen);
			gns_hdr_decode(gen, f.buf, &f.hdr);
			if (f.hdr.size < f.hdr_len)
				abort();
		}
		decode(&f, gen, true);
	}
	*end = r < 0 && r != -2 ? errno : r;
	close(fds[0]);
	gns_frame_release(&f);
	return frames;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum gns_gen gens[] = {
		GNS_GEN_AUTO, GNS_GEN_12_OLD, GNS_GEN_12, GNS_GEN_16,
	};
	int end, end_ahead;
	size_t i;

	if (size > MAX_INPUT)
		size = MAX_INPUT;
	for (i = 0; i < sizeof(gens) / sizeof(gens[0]); i++)
		if (read_all(data, size, gens[i], false, &end) !=
		    read_all(data, size, gens[i], true, &end_ahead) ||
		    end != end_ahead)
			abort();
	return 0;
}
