// SPDX-License-Identifier: GPL-2.0
/*
 * The host's GNS channel: framing and replies (reference §1). Pure apart
 * from read() and write() on the channel's fd.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gns.h"

/* Offsets of each kind from InterfaceConfiguration, in enum order. */
static const uint8_t kind_offset[GNS_KIND_UNKNOWN] = {
	[GNS_INTERFACE_CONFIGURATION]	= 0,
	[GNS_RESULT]			= 1,
	[GNS_NOTIFICATION]		= 2,
	[GNS_VMNIC_CREATED]		= 8,
	[GNS_CREATE_DEVICE]		= 9,
	[GNS_MODIFY_GUEST_DEVICE]	= 10,
	[GNS_LOOPBACK_ROUTES]		= 11,
	[GNS_DEVICE_SETTING]		= 12,
	[GNS_INITIAL_IP_CONFIGURATION]	= 15,
	[GNS_SETUP_IPV6]		= 16,
	[GNS_NOOP]			= 18,
	[GNS_GLOBAL_NET_FILTER]		= 19,
	[GNS_INTERFACE_NET_FILTER]	= 20,
	[GNS_CONNECT_TEST]		= 21,
};

static const char *const kind_names[GNS_KIND_UNKNOWN] = {
	[GNS_INTERFACE_CONFIGURATION]	= "InterfaceConfiguration",
	[GNS_RESULT]			= "Result",
	[GNS_NOTIFICATION]		= "Notification",
	[GNS_VMNIC_CREATED]		= "VmNicCreatedNotification",
	[GNS_CREATE_DEVICE]		= "CreateDeviceRequest",
	[GNS_MODIFY_GUEST_DEVICE]	= "ModifyGuestDeviceSettingRequest",
	[GNS_LOOPBACK_ROUTES]		= "LoopbackRoutesRequest",
	[GNS_DEVICE_SETTING]		= "DeviceSettingRequest",
	[GNS_INITIAL_IP_CONFIGURATION]	= "InitialIpConfigurationNotification",
	[GNS_SETUP_IPV6]		= "SetupIpv6",
	[GNS_NOOP]			= "NoOp",
	[GNS_GLOBAL_NET_FILTER]		= "GlobalNetFilter",
	[GNS_INTERFACE_NET_FILTER]	= "InterfaceNetFilter",
	[GNS_CONNECT_TEST]		= "ConnectTestRequest",
};

enum gns_kind gns_kind_of(uint32_t type, uint32_t base)
{
	int k;

	if (type < base)
		return GNS_KIND_UNKNOWN;
	for (k = 0; k < GNS_KIND_UNKNOWN; k++)
		if (kind_offset[k] == type - base)
			return (enum gns_kind)k;
	return GNS_KIND_UNKNOWN;
}

uint32_t gns_type_of(enum gns_kind kind, uint32_t base)
{
	if ((unsigned int)kind >= GNS_KIND_UNKNOWN)
		return 0;
	return base + kind_offset[kind];
}

const char *gns_kind_name(enum gns_kind kind)
{
	if ((unsigned int)kind >= GNS_KIND_UNKNOWN)
		return "unknown";
	return kind_names[kind];
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

void gns_hdr_encode(const struct gns_hdr *h, uint8_t out[GNS_HDR_LEN])
{
	put_le32(out, h->type);
	put_le32(out + 4, h->size);
	put_le32(out + 8, h->txn_id);
	put_le32(out + 12, h->txn_step);
}

void gns_hdr_decode(const uint8_t in[GNS_HDR_LEN], struct gns_hdr *h)
{
	h->type = get_le32(in);
	h->size = get_le32(in + 4);
	h->txn_id = get_le32(in + 8);
	h->txn_step = get_le32(in + 12);
}

size_t gns_reply_encode(uint32_t base, uint32_t txn_id, int32_t result,
			const char *error, uint8_t *out, size_t cap)
{
	struct gns_hdr h = {
		.type = gns_type_of(GNS_RESULT, base),
		.txn_id = txn_id,
		.txn_step = GNS_STEP_REPLY,
	};
	size_t len = 0, size;

	if (cap < GNS_RESULT_LEN + (error ? 1 : 0))
		return 0;
	if (error) {
		len = strnlen(error, cap - GNS_RESULT_LEN);
		if (len > cap - GNS_RESULT_LEN - 1) {
			len = cap - GNS_RESULT_LEN - 1;
			/* Do not leave half a UTF-8 sequence for the host. */
			while (len && ((uint8_t)error[len] & 0xc0) == 0x80)
				len--;
		}
	}
	size = GNS_RESULT_LEN + (error ? len + 1 : 0);
	h.size = (uint32_t)size;
	gns_hdr_encode(&h, out);
	put_le32(out + GNS_HDR_LEN, (uint32_t)result);
	if (error) {
		memcpy(out + GNS_RESULT_LEN, error, len);
		out[GNS_RESULT_LEN + len] = 0;
	}
	return size;
}

/*
 * Read exactly @len bytes. Returns the count read before EOF (short only at
 * EOF), or -1 with errno.
 */
static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int gns_read_frame(int fd, struct gns_frame *f)
{
	uint8_t hdr[GNS_HDR_LEN];
	size_t rest;
	ssize_t n;

	n = read_full(fd, hdr, sizeof(hdr));
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	if ((size_t)n < sizeof(hdr))
		goto proto;
	gns_hdr_decode(hdr, &f->hdr);
	if (f->hdr.size < GNS_HDR_LEN || f->hdr.size > GNS_MAX_FRAME)
		goto proto;
	if (f->cap < f->hdr.size) {
		uint8_t *p = realloc(f->buf, f->hdr.size);

		if (!p)
			return -1;
		f->buf = p;
		f->cap = f->hdr.size;
	}
	memcpy(f->buf, hdr, sizeof(hdr));
	rest = f->hdr.size - GNS_HDR_LEN;
	n = read_full(fd, f->buf + GNS_HDR_LEN, rest);
	if (n < 0)
		return -1;
	if ((size_t)n < rest)
		goto proto;
	return 1;
proto:
	errno = EPROTO;
	return -1;
}

void gns_frame_release(struct gns_frame *f)
{
	free(f->buf);
	f->buf = NULL;
	f->cap = 0;
}

int gns_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			/* A reply cut in half would break the stream. */
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
	size_t off = kind == GNS_NOTIFICATION ? GNS_HDR_LEN + 16 : GNS_HDR_LEN;
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
