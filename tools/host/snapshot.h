/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host network snapshots and timelines (Documentation/host-engine.rst):
 * what the Windows host sees, loaded from JSON and validated. Addresses
 * are kept both as bytes and as their canonical text (inet_ntop), the
 * form the host's messages carry and its filters compare.
 */
#ifndef MIRRORNET_HOST_SNAPSHOT_H
#define MIRRORNET_HOST_SNAPSHOT_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MH_ERR_LEN		512
#define MH_GUID_STR_LEN		37	/* 36 characters and the NUL */
#define MH_MAC_STR_LEN		18

/* Windows NL_DAD_STATE, NL_PREFIX_ORIGIN, NL_SUFFIX_ORIGIN values. */
enum mh_dad_state {
	MH_DAD_INVALID, MH_DAD_TENTATIVE, MH_DAD_DUPLICATE, MH_DAD_DEPRECATED,
	MH_DAD_PREFERRED,
};

struct mh_ip {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t bytes[16];
	char text[INET6_ADDRSTRLEN];	/* canonical */
};

struct mh_address {
	struct mh_ip ip;
	unsigned int prefix_len;
	enum mh_dad_state dad;
	unsigned int prefix_origin;
	unsigned int suffix_origin;
};

struct mh_route {
	struct mh_ip dst;		/* network address, host bits clear */
	unsigned int dst_len;
	struct mh_ip next_hop;		/* all zeros: on-link */
	uint32_t metric;
};

/* One family of an interface (GetIpInterfaceTable); absent if !present. */
struct mh_family_cfg {
	bool present;
	uint32_t mtu;			/* 0: unknown */
	uint32_t metric;
	bool disable_default_routes;
};

struct mh_interface {
	char guid[MH_GUID_STR_LEN];	/* lower case, no braces */
	char name[IFNAMSIZ];
	char mac[MH_MAC_STR_LEN];	/* "" or AA-BB-CC-DD-EE-FF */
	bool gelnic;
	bool connected;
	bool hidden;
	struct mh_family_cfg v4, v6;
	struct mh_address *addresses;
	size_t n_addresses;
	struct mh_route *routes;
	size_t n_routes;
};

struct mh_snapshot {
	bool host_address_loopback;
	uint16_t port_start, port_end;
	struct mh_ip *dns_servers;
	size_t n_dns_servers;
	char **dns_suffixes;
	size_t n_dns_suffixes;
	struct mh_interface *interfaces;
	size_t n_interfaces;
};

struct mh_step {
	uint32_t after_ms;
	char *note;			/* NULL if none */
	struct mh_snapshot snapshot;
};

/* A snapshot file is loaded as a timeline of one step with afterMs 0. */
struct mh_timeline {
	struct mh_step *steps;
	size_t n_steps;
};

/*
 * Parse @len bytes of JSON text (a snapshot or a timeline). On bad input
 * returns -1 with one line in @err naming the key ("interfaces[0].routes[2]
 * .destination: ..."); 0 on success. @t is empty after a failure.
 */
int mh_timeline_parse(const char *text, size_t len, struct mh_timeline *t,
		      char err[MH_ERR_LEN]);
/* The same for a file, read up to MH_FILE_MAX bytes. */
#define MH_FILE_MAX	(16u * 1024 * 1024)
int mh_timeline_load(const char *path, struct mh_timeline *t,
		     char err[MH_ERR_LEN]);
void mh_timeline_free(struct mh_timeline *t);

/* Parse @text as an address of any family into @ip (canonical text). */
int mh_ip_parse(const char *text, struct mh_ip *ip);
bool mh_ip_is_zero(const struct mh_ip *ip);

#endif /* MIRRORNET_HOST_SNAPSHOT_H */
