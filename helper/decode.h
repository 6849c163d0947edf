/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding of the host's requests into plain structs, with the
 * Windows-to-Linux translations applied (address families, lifetimes,
 * scopes, route shapes). Nothing here touches the system: every function is
 * pure, so the unit tests and fuzzers call them directly.
 *
 * Every decoder fills @err with one line that names the message field and
 * the reason ("Settings.Family: 7 is neither 2 (IPv4) nor 23 (IPv6)") and
 * returns -1 on bad input; 0 on success.
 */
#ifndef MIRRORNET_DECODE_H
#define MIRRORNET_DECODE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gns/wire.h"

#define GNS_ERR_LEN	256
#define GNS_GUID_LEN	16
#define GNS_LFT_FOREVER	0xffffffffu

/* Windows interface GUID in RFC 4122 byte order (the module's hwkey). */
struct gns_guid {
	uint8_t b[GNS_GUID_LEN];
};

/*
 * Parse "6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8", braces optional, any case.
 * Returns 0 or -1.
 */
int gns_guid_parse(const char *text, struct gns_guid *g);
/* The 16-byte Windows memory layout of type 55 (d1, d2, d3 little-endian). */
void gns_guid_from_windows(const uint8_t in[GNS_GUID_LEN], struct gns_guid *g);
/* Lower-case, no braces; @out has room for 37 bytes. */
void gns_guid_format(const struct gns_guid *g, char out[37]);

/*
 * The interface a request names: targetDeviceName starting with '{' is a
 * braced GUID, anything else an interface name (1 to 15 bytes, no '/', ':'
 * or white space, not "." or "..", as the kernel's dev_valid_name()).
 */
struct gns_target {
	bool is_guid;
	struct gns_guid guid;
	char name[IFNAMSIZ];
};

/* Parse a targetDeviceName value. */
int gns_target_parse(const char *text, struct gns_target *t, char *err);
/* "{guid}" or the name, for logs and error texts; @out has 40 bytes. */
void gns_target_format(const struct gns_target *t, char out[40]);

enum gns_request_type {
	GNS_REQ_ADD, GNS_REQ_REMOVE, GNS_REQ_UPDATE, GNS_REQ_REFRESH,
	GNS_REQ_RESET,
};

enum gns_resource {
	GNS_RES_INTERFACE, GNS_RES_ROUTE, GNS_RES_IPADDRESS, GNS_RES_DNS,
	GNS_RES_MACADDRESS, GNS_RES_NEIGHBOR, GNS_RES_PORT,
};

enum gns_operation { GNS_OP_CREATE, GNS_OP_UPDATE, GNS_OP_REMOVE };

enum gns_device_type {
	GNS_DEV_BOND, GNS_DEV_LOOPBACK, GNS_DEV_VIRTUAL_WIFI,
	GNS_DEV_VIRTUAL_TUNNEL, GNS_DEV_VIRTUAL_CELLULAR,
};

/* An IP address of either family; IPv4 in the first 4 bytes. */
struct gns_ip {
	int family;		/* AF_INET or AF_INET6 (Linux values) */
	uint8_t a[16];
};

/* Settings of ResourceType IPAddress, translated (reference §2.1, 65). */
struct gns_addr {
	struct gns_ip ip;
	uint8_t prefixlen;	/* <= 32 or <= 128 */
	uint8_t prefix_origin;
	uint8_t suffix_origin;
	uint32_t preferred_lft;	/* 0 (deprecated) or GNS_LFT_FOREVER */
	uint32_t valid_lft;	/* always GNS_LFT_FOREVER */
	uint8_t scope;		/* RT_SCOPE_UNIVERSE or RT_SCOPE_LINK */
	bool nodad;		/* IPv6 */
	/* NOPREFIXROUTE is implied: the host pushes prefix routes itself */
};

/* Settings of ResourceType Route, translated. */
struct gns_route {
	struct gns_ip dst;	/* family set even for Reset */
	uint8_t dst_len;	/* 0 for a default route */
	bool is_default;	/* "0.0.0.0/0" or "::/0" */
	bool has_gateway;	/* NextHop is not "0.0.0.0" / "::" */
	struct gns_ip gateway;
	uint32_t metric;
	bool onlink;		/* gateway and (default or link-local gateway) */
};

/*
 * Settings of ResourceType DNS. The lists have no fixed length: a Windows
 * host sends every suffix it knows. An entry a resolver cannot use (not an
 * IP address; not a domain name, or one with white space or a control
 * character) is dropped and described in @dropped, not refused: the host
 * treats -1 as success and never resends, so refusing would leave
 * resolv.conf stale.
 */
struct gns_dns {
	const char *options;	/* verbatim, may be "", in gns_msg.json */
	size_t n_servers;
	const char **servers;	/* in the order sent, trimmed, in gns_msg.mem */
	size_t n_search;
	const char **search;	/* likewise */
	size_t n_dropped;
	char dropped[1024];	/* "" or what and why (cut), for the log */
};

/* Settings of ResourceType Interface, and type 63. */
struct gns_link {
	bool connected;
	uint32_t mtu;		/* 0: leave; 0xffffffff: host knows none */
	uint32_t metric;
};

/* Types 55, 63 and 65: ModifyGuestEndpointSettingRequest. */
struct gns_setting {
	enum gns_request_type request;
	enum gns_resource resource;
	bool has_target;
	struct gns_target target;
	union {
		struct gns_addr addr;
		struct gns_route route;
		struct gns_dns dns;
		struct gns_link link;
		uint8_t mac[6];
	};
};

/* 53: HNSEndpoint; only what the guest uses. */
struct gns_ifconfig {
	struct gns_guid id;
	char port_name[IFNAMSIZ];	/* "" when not set */
	bool has_ipv4;			/* IPAddress non-empty (NAT mode) */
	uint8_t ipv4[4];
	uint8_t prefixlen;
};

/* 61 */
struct gns_vmnic {
	struct gns_guid adapter;
};

/* 62 */
struct gns_create_device {
	enum gns_device_type type;
	char device_name[IFNAMSIZ];
	uint32_t flags;			/* 1: DisableDAD */
	bool has_lower;
	struct gns_guid lower;
};

/* 64 */
struct gns_loopback_route {
	enum gns_operation op;
	struct gns_target target;
	struct gns_ip ip;
};

/* 68 */
struct gns_initial_ip {
	struct gns_target target;
	uint32_t flags;		/* 1: SkipPrimaryRoutingTableUpdate, 2: SkipLoopbackRouteReset */
};

/* 73 */
struct gns_netfilter {
	struct gns_target target;
	enum gns_operation op;
	uint16_t port_start, port_end;
};

/* One decoded request. */
struct gns_msg {
	enum gns_kind kind;
	void *json;		/* the parsed document (json.h), owned */
	void *mem;		/* the DNS lists, owned */
	union {
		struct gns_ifconfig ifconfig;
		struct gns_setting setting;	/* 55, 63, 65 */
		struct gns_vmnic vmnic;
		struct gns_create_device create;
		struct gns_loopback_route loopback;
		struct gns_initial_ip initial;
		struct gns_netfilter netfilter;
		char hostname[256];		/* 74 */
	};
};

/*
 * Decode the payload of a request of @kind. @text is the frame's text
 * (gns_frame_text()), not NUL-terminated; @adapter is the binary GUID of a
 * Notification (55), else NULL. On success the caller frees @m with
 * gns_msg_free().
 */
int gns_decode(enum gns_kind kind, const char *text, size_t len,
	       const uint8_t *adapter, struct gns_msg *m, char *err);
void gns_msg_free(struct gns_msg *m);

/* Names of enum values as the host spells them, for logs. */
const char *gns_request_name(enum gns_request_type r);
const char *gns_resource_name(enum gns_resource r);

#endif /* MIRRORNET_DECODE_H */
