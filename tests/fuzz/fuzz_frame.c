// SPDX-License-Identifier: GPL-2.0
/*
 * The input is the byte stream from the host: frames are read from a pipe
 * with gns_read_frame(), and each one goes through gns_frame_text() and
 * gns_decode() as the helper's loop would do.
 */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "gns.h"

/* A pipe holds 64 KiB: more would block the single-threaded writer. */
#define MAX_INPUT	65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gns_frame f = { 0 };
	const char *text, *why;
	int fds[2], r;
	size_t len;

	if (size > MAX_INPUT)
		size = MAX_INPUT;
	if (pipe(fds) || gns_write_all(fds[1], data, size))
		abort();
	close(fds[1]);
	while ((r = gns_read_frame(fds[0], &f)) == 1) {
		enum gns_kind kind = gns_kind_of(f.hdr.type, 53);

		if (f.hdr.size < GNS_HDR_LEN || f.hdr.size > f.cap)
			abort();
		if (gns_frame_text(&f, kind, &text, &len, &why)) {
			fuzz_reply(f.hdr.txn_id, why);
			continue;
		}
		if (text < (const char *)f.buf ||
		    text + len >= (const char *)f.buf + f.hdr.size)
			abort();
		fuzz_decode_one(kind, text, len,
				kind == GNS_NOTIFICATION ? f.buf + 16 : NULL);
	}
	close(fds[0]);
	gns_frame_release(&f);
	return 0;
}
