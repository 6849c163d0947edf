// SPDX-License-Identifier: GPL-2.0
/*
 * The first input byte picks the message kind (every kind, the unknown one
 * included) and the generation of the reply; the rest is the payload text
 * given to gns_decode(), and to js_parse() and jansson side by side.
 */
#include "check.h"
#include "gns/wire.h"

/* The adapter GUID of a Notification, in its Windows layout. */
static const uint8_t adapter[16] = {
	0x3b, 0x2a, 0x1c, 0x6f, 0x5e, 0x4d, 0x60, 0x4f,
	0x81, 0x72, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum gns_gen gens[] = {
		GNS_GEN_16, GNS_GEN_12, GNS_GEN_12_OLD,
	};
	enum gns_kind kind;

	if (!size)
		return 0;
	kind = (enum gns_kind)(data[0] % (GNS_KIND_UNKNOWN + 1));
	fuzz_decode_one(gens[data[0] / (GNS_KIND_UNKNOWN + 1) % 3], kind,
			(const char *)data + 1, size - 1,
			kind == GNS_NOTIFICATION ? adapter : NULL, true);
	fuzz_json_diff((const char *)data + 1, size - 1);
	return 0;
}
