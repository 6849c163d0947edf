/* SPDX-License-Identifier: GPL-2.0 */
/* What both fuzz targets check about a decoded request. */
#ifndef MIRRORNET_FUZZ_CHECK_H
#define MIRRORNET_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "gns.h"

/*
 * Decode @text as @kind, check the result is bounded and consistent (or the
 * error is one line that fits a reply), and encode the reply. Aborts on
 * any violation so libFuzzer reports it.
 */
void fuzz_decode_one(enum gns_kind kind, const char *text, size_t len,
		     const uint8_t *adapter);

/* Encode a reply with @why and check the frame. */
void fuzz_reply(uint32_t txn_id, const char *why);

#endif /* MIRRORNET_FUZZ_CHECK_H */
