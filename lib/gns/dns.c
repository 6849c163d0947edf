// SPDX-License-Identifier: GPL-2.0
/*
 * DNS tunneling frames (dns.h, wsl-dns-tunneling §2).
 */
#include <string.h>

#include "dns.h"
#include "util.h"

static bool proto_known(uint8_t proto)
{
	return proto == GNS_DNS_PROTO_TCP || proto == GNS_DNS_PROTO_UDP;
}

size_t gns_dns_encode(enum gns_gen gen, uint32_t seq,
		      const struct gns_dns_msg *m, uint8_t *out, size_t cap)
{
	size_t hl = gns_gen_hdr_len(gen), size;
	struct gns_hdr h = {
		.type = gns_type_of(GNS_DNS_TUNNELING, gen),
		.id = seq,
		.step = GNS_STEP_NONE,
	};

	if (!hl || m->len == 0 || m->len > GNS_DNS_MAX_PAYLOAD ||
	    !proto_known(m->proto))
		return 0;
	size = hl + GNS_DNS_IDENT_LEN + m->len;
	if (size > cap)
		return 0;
	h.size = (uint32_t)size;
	gns_hdr_encode(gen, &h, out);
	out[hl] = m->proto;
	memset(out + hl + 1, 0, 3);
	gns_put_le32(out + hl + 4, m->client_id);
	memcpy(out + hl + GNS_DNS_IDENT_LEN, m->data, m->len);
	return size;
}

enum gns_dns_err gns_dns_decode(enum gns_gen gen, const struct gns_frame *f,
				struct gns_dns_msg *m)
{
	size_t hl = gns_gen_hdr_len(gen), off = hl + GNS_DNS_IDENT_LEN;
	const uint8_t *p = f->buf;

	if (!hl || f->hdr.type != gns_type_of(GNS_DNS_TUNNELING, gen))
		return GNS_DNS_WRONG_TYPE;
	if (hl == 16 && f->hdr.step != GNS_STEP_NONE)
		return GNS_DNS_WRONG_STEP;
	if (f->hdr.size < off + 1)
		return GNS_DNS_TRUNCATED;
	if (f->hdr.size - off > GNS_DNS_MAX_PAYLOAD)
		return GNS_DNS_OVERSIZED;
	if (!proto_known(p[hl]))
		return GNS_DNS_UNKNOWN_PROTO;
	m->proto = p[hl];
	m->client_id = gns_get_le32(p + hl + 4);
	m->data = p + off;
	m->len = f->hdr.size - off;
	return GNS_DNS_OK;
}

const char *gns_dns_strerror(enum gns_dns_err err)
{
	switch (err) {
	case GNS_DNS_OK:
		return "no error";
	case GNS_DNS_WRONG_TYPE:
		return "frame is not a DnsTunneling message";
	case GNS_DNS_WRONG_STEP:
		return "frame has a transaction step other than 0";
	case GNS_DNS_TRUNCATED:
		return "frame shorter than its client identifier and one byte";
	case GNS_DNS_OVERSIZED:
		return "frame's DNS payload is above 65537 bytes";
	case GNS_DNS_UNKNOWN_PROTO:
		return "frame's protocol is neither TCP (6) nor UDP (17)";
	}
	return "unknown error";
}
