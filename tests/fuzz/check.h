/* SPDX-License-Identifier: GPL-2.0 */
/* What both fuzz targets check about a decoded request. */
#ifndef MIRRORNET_FUZZ_CHECK_H
#define MIRRORNET_FUZZ_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gns/wire.h"

/*
 * Decode @text as @kind, check the result is bounded and consistent (or the
 * error is one line that fits a reply), and with @reply encode the reply
 * of generation @gen. Returns 0 if it decoded, else -1. Aborts on any
 * violation so libFuzzer reports it.
 */
int fuzz_decode_one(enum gns_gen gen, enum gns_kind kind, const char *text,
		    size_t len, const uint8_t *adapter, bool reply);

/* Encode a reply of @gen with @why and check the frame. */
void fuzz_reply(enum gns_gen gen, uint32_t id, const char *why);

/*
 * Parse @text with js_parse() and with jansson as the old decoder did:
 * both accept with the same values, or both refuse with the same error
 * text; only js_parse()'s depth bound may refuse what jansson took.
 */
void fuzz_json_diff(const char *text, size_t len);

#endif /* MIRRORNET_FUZZ_CHECK_H */
