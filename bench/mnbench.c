// SPDX-License-Identifier: GPL-2.0
/*
 * mnbench: the guest-side measuring tool of `make bench`. Every subcommand
 * prints its figures as one line "BENCH LABEL key=value ..." on stdout,
 * which bench/report.py turns into bench/results/latest.*.
 *
 *   snapshot GUID NAME START N       a host-engine timeline: the interface,
 *                                    then the interface and N routes
 *   routes LABEL GUID START N WINDOW [eexist]
 *                                    N route-new, WINDOW per sendmsg
 *   addrs LABEL GUID START N WINDOW [eexist]
 *                                    N addr-new (/32), WINDOW per sendmsg
 *   track LABEL GUIDPREFIX FIRST N   link-set up by key on N interfaces,
 *                                    GUIDs GUIDPREFIX%012x
 *   genl-lat LABEL KIND GUID START N one request at a time, per-request time
 *   decode-lat LABEL KIND GUID START N
 *                                    the helper's decoder on the same payloads
 *   drive LABEL PORT KIND GUID START N -- HELPER ARGS...
 *                                    GNS host on vsock PORT: starts the helper,
 *                                    sends N messages, times each round trip
 *   echo-guest CID:PORT              the transport floor: a guest that
 *                                    connects as the helper does and replies
 *                                    0 to every frame, decoding nothing
 *   dns-load LABEL udp|tcp INFLIGHT N IP:PORT NAME
 *                                    N queries for NAME (type A), INFLIGHT
 *                                    outstanding, per-query time
 *   react-register LABEL GUID REPS   NIC registered -> held state applied
 *   react-linkup LABEL GUID REPS ROUTES
 *                                    link up -> flushed routes restored
 *   ipbatch route|addr DEV START N   an `ip -batch` file of the same objects
 *   time LABEL N -- CMD ARGS...      runs CMD (no shell), N objects per run
 *   ip-each LABEL DEV START N        one `ip route add` process per route
 *
 * KIND: route (DeviceSetting Add Route, a /32 per message), addr
 * (DeviceSetting Add IPAddress), addr-update (DeviceSetting Update of one
 * address), link (ModifyGuestDevice Interface, MTU 1500/1400 in turn).
 * START is an IPv4 address: message I uses START + I.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/vm_sockets.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "decode.h"
#include "gns/util.h"
#include "gns/wire.h"
#include "linux/mirrornet.h"

#define MAIN_TABLE	254
#define ROUTE_METRIC	100
#define PAYLOAD_MAX	1024
#define WINDOW_MAX	1024
#define RCVBUF_BYTES	(16 * 1024 * 1024)
#define RECV_BYTES	(256 * 1024)
#define REACT_WAIT_MS	10000
#define ACCEPT_WAIT_MS	20000
#define DNS_WAIT_MS	2000	/* then the queries in flight are lost */
#define DNS_QUERY_MAX	300
#define DNS_INFLIGHT_MAX 1024

enum kind { K_ROUTE, K_ADDR, K_ADDR_UPDATE, K_LINK };

static const char *const kind_names[] = {
	[K_ROUTE] = "route", [K_ADDR] = "addr",
	[K_ADDR_UPDATE] = "addr-update", [K_LINK] = "link",
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("mnbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (!*s || *end || errno)
		die("not a number: %s", s);
	return v;
}

static uint32_t ipv4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("not an IPv4 address: %s", s);
	return ntohl(a.s_addr);
}

static enum kind kind_of(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (!strcmp(s, kind_names[i]))
			return (enum kind)i;
	die("unknown message kind: %s", s);
}

static void guid_bytes(const char *text, uint8_t out[GNS_GUID_LEN])
{
	struct gns_guid g;

	if (gns_guid_parse(text, &g))
		die("not a GUID: %s", text);
	memcpy(out, g.b, GNS_GUID_LEN);
}

static void ip_text(uint32_t ip, char out[INET_ADDRSTRLEN])
{
	struct in_addr a = { htonl(ip) };

	inet_ntop(AF_INET, &a, out, INET_ADDRSTRLEN);
}

/* ------------------------------------------------------------- statistics */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of @n sorted values. */
static int64_t pct(const int64_t *v, size_t n, double p)
{
	size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);

	if (rank < 1)
		rank = 1;
	return v[rank > n ? n - 1 : rank - 1];
}

/* Print "p50_us= p99_us= max_us= mean_us=" of @n durations in ns. */
static void print_dist(int64_t *v, size_t n)
{
	int64_t sum = 0;
	size_t i;

	qsort(v, n, sizeof(*v), cmp_i64);
	for (i = 0; i < n; i++)
		sum += v[i];
	printf(" p50_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f",
	       (double)pct(v, n, 50) / 1e3, (double)pct(v, n, 99) / 1e3,
	       (double)v[n - 1] / 1e3, (double)sum / (double)n / 1e3);
}

/* -------------------------------------------------------- host messages */

/*
 * Message @i of @k for interface @guid, as the host words it (reference
 * §2.1, types 63 and 65); the helper decodes exactly this text.
 */
static enum gns_kind payload(enum kind k, const char *guid, uint32_t start,
			     uint32_t i, char *out, size_t cap)
{
	enum gns_kind gk = GNS_DEVICE_SETTING;
	char ip[INET_ADDRSTRLEN];
	int n;

	ip_text(start + (k == K_ADDR_UPDATE ? 0 : i), ip);
	switch (k) {
	case K_ROUTE:
		n = snprintf(out, cap, "{\"RequestType\":\"Add\",\"ResourceType\":\"Route\",\"Settings\":{\"DestinationPrefix\":\"%s/32\",\"Family\":2,\"Metric\":%d,\"NextHop\":\"0.0.0.0\",\"SitePrefixLength\":0},\"targetDeviceName\":\"{%s}\"}",
			     ip, ROUTE_METRIC, guid);
		break;
	case K_ADDR:
	case K_ADDR_UPDATE:
		n = snprintf(out, cap, "{\"RequestType\":\"%s\",\"ResourceType\":\"IPAddress\",\"Settings\":{\"Address\":\"%s\",\"Family\":2,\"OnLinkPrefixLength\":32,\"PreferredLifetime\":4294967295,\"PrefixOrigin\":3,\"SuffixOrigin\":3},\"targetDeviceName\":\"{%s}\"}",
			     k == K_ADDR ? "Add" : "Update", ip, guid);
		break;
	default:
		n = snprintf(out, cap, "{\"RequestType\":\"Update\",\"ResourceType\":\"Interface\",\"Settings\":{\"Connected\":true,\"Metric\":25,\"NlMtu\":%u},\"targetDeviceName\":\"{%s}\"}",
			     i % 2 ? 1400u : 1500u, guid);
		gk = GNS_MODIFY_GUEST_DEVICE;
	}
	return n > 0 && (size_t)n < cap ? gk : GNS_KIND_UNKNOWN;
}

/* One interface of the host engine's snapshot format, with N routes. */
static void snapshot_print(const char *guid, const char *name, uint32_t start,
			   uint32_t n)
{
	char ip[INET_ADDRSTRLEN];
	uint32_t i;

	printf("{\"interfaces\":[{\"guid\":\"%s\",\"name\":\"%s\",\"connected\":true,"
	       "\"ipv4\":{\"mtu\":1500,\"metric\":25,\"disableDefaultRoutes\":true},"
	       "\"addresses\":[],\"routes\":[", guid, name);
	for (i = 0; i < n; i++) {
		ip_text(start + i, ip);
		printf("%s{\"destination\":\"%s/32\",\"nextHop\":\"0.0.0.0\",\"metric\":%d}",
		       i ? "," : "", ip, ROUTE_METRIC);
	}
	printf("]}]}");
}

/*
 * A host-engine timeline (Documentation/host-engine.rst): the interface
 * without routes (the start-up messages), then the same with N routes.
 */
static int cmd_snapshot(int argc, char **argv)
{
	if (argc != 4)
		die("usage: snapshot GUID NAME START N");
	printf("{\"timeline\":[{\"afterMs\":0,\"snapshot\":");
	snapshot_print(argv[0], argv[1], 0, 0);
	printf("},{\"afterMs\":0,\"snapshot\":");
	snapshot_print(argv[0], argv[1], ipv4(argv[2]), (uint32_t)num(argv[3]));
	puts("}]}");
	return fflush(stdout) ? 1 : 0;
}

/*
 * What `ip` is told for the same routes and addresses as the family's:
 * proto kernel as the module's, so that a route ip added first is the
 * module's own (EEXIST), not one beside it of another protocol.
 */
static int cmd_ipbatch(int argc, char **argv)
{
	char ip[INET_ADDRSTRLEN];
	uint32_t start, n, i;
	bool route;

	if (argc != 4 || (strcmp(argv[0], "route") && strcmp(argv[0], "addr")))
		die("usage: ipbatch route|addr DEV START N");
	route = !strcmp(argv[0], "route");
	start = ipv4(argv[2]);
	n = (uint32_t)num(argv[3]);
	for (i = 0; i < n; i++) {
		ip_text(start + i, ip);
		if (route)
			printf("route add %s/32 dev %s metric %d proto kernel\n",
			       ip, argv[1], ROUTE_METRIC);
		else
			printf("address add %s/32 dev %s noprefixroute\n",
			       ip, argv[1]);
	}
	return fflush(stdout) ? 1 : 0;
}

/* Run @argv to completion; its wall time in ns, or -1 if it failed. */
static int64_t run_timed(char **argv)
{
	int64_t t0 = now_ns();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return now_ns() - t0;
}

static int cmd_time(int argc, char **argv)
{
	unsigned long n;
	int64_t t;

	if (argc < 4 || strcmp(argv[2], "--"))
		die("usage: time LABEL N -- CMD ARGS...");
	n = num(argv[1]);
	t = run_timed(argv + 3);
	if (t < 0)
		die("%s failed", argv[3]);
	printf("BENCH %s n=%lu ms=%.1f per_s=%.0f failed=0\n", argv[0], n,
	       (double)t / 1e6, (double)n * 1e9 / (double)t);
	return 0;
}

/* What a naive script does: one `ip route add` per route. */
static int cmd_ip_each(int argc, char **argv)
{
	char ip[INET_ADDRSTRLEN + 3], metric[16];
	char *args[] = { "/sbin/ip", "route", "add", ip, "dev", NULL,
			 "metric", metric, "proto", "boot", NULL };
	unsigned int failed = 0;
	uint32_t start, n, i;
	int64_t t0, t;

	if (argc != 4)
		die("usage: ip-each LABEL DEV START N");
	args[5] = argv[1];
	start = ipv4(argv[2]);
	n = (uint32_t)num(argv[3]);
	snprintf(metric, sizeof(metric), "%d", ROUTE_METRIC);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		ip_text(start + i, ip);
		strcat(ip, "/32");
		failed += run_timed(args) < 0;
	}
	t = now_ns() - t0;
	printf("BENCH %s n=%u ms=%.1f per_s=%.0f failed=%u\n", argv[0], n,
	       (double)t / 1e6, (double)n * 1e9 / (double)t, failed);
	return failed ? 1 : 0;
}

/* ------------------------------------------------------ generic netlink */

struct genl {
	struct nl_sock *sk;
	int fd;
	int family;
	uint32_t seq;
};

static void genl_open(struct genl *g)
{
	int one = 1, rcvbuf = RCVBUF_BYTES;

	g->sk = nl_socket_alloc();
	if (!g->sk || genl_connect(g->sk))
		die("cannot open a generic netlink socket");
	g->fd = nl_socket_get_fd(g->sk);
	setsockopt(g->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Acks of a whole window queue up before they are read. */
	if (setsockopt(g->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		die("SO_RCVBUFFORCE: %s", strerror(errno));
	g->family = genl_ctrl_resolve(g->sk, MIRRORNET_FAMILY_NAME);
	if (g->family < 0)
		die("family %s not found", MIRRORNET_FAMILY_NAME);
	g->seq = 1;
}

static struct nl_msg *genl_req(struct genl *g, int cmd, const uint8_t *hwkey)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, g->seq++, g->family, 0,
				 NLM_F_REQUEST | NLM_F_ACK, (uint8_t)cmd,
				 MIRRORNET_FAMILY_VERSION) ||
	    nla_put(msg, MIRRORNET_A_HWKEY, GNS_GUID_LEN, hwkey))
		die("out of memory building a request");
	return msg;
}

/* The requests the helper sends for the same host messages (helper/genl.c). */
static struct nl_msg *req_route(struct genl *g, const uint8_t *hwkey,
				uint32_t dst, uint32_t dst_len)
{
	struct nl_msg *msg = genl_req(g, MIRRORNET_CMD_ROUTE_NEW, hwkey);
	uint32_t be = htonl(dst);
	struct nlattr *nest = nla_nest_start(msg, MIRRORNET_A_ROUTE);

	if (!nest || nla_put_u32(msg, MIRRORNET_A_ROUTE_FAMILY, AF_INET) ||
	    nla_put(msg, MIRRORNET_A_ROUTE_DST, 4, &be) ||
	    nla_put_u32(msg, MIRRORNET_A_ROUTE_DST_LEN, dst_len) ||
	    nla_put_u32(msg, MIRRORNET_A_ROUTE_METRIC, ROUTE_METRIC) ||
	    nla_put_u32(msg, MIRRORNET_A_ROUTE_TABLE, MAIN_TABLE))
		die("route request does not fit");
	nla_nest_end(msg, nest);
	return msg;
}

static struct nl_msg *req_addr(struct genl *g, const uint8_t *hwkey,
			       uint32_t addr, bool replace)
{
	struct nl_msg *msg = genl_req(g, MIRRORNET_CMD_ADDR_NEW, hwkey);
	uint32_t be = htonl(addr);
	struct nlattr *nest = nla_nest_start(msg, MIRRORNET_A_ADDR);

	if (!nest || nla_put_u32(msg, MIRRORNET_A_ADDR_FAMILY, AF_INET) ||
	    nla_put(msg, MIRRORNET_A_ADDR_ADDRESS, 4, &be) ||
	    nla_put_u32(msg, MIRRORNET_A_ADDR_PREFIXLEN, 32) ||
	    nla_put_u32(msg, MIRRORNET_A_ADDR_FLAGS,
			MIRRORNET_ADDR_FLAGS_NOPREFIXROUTE) ||
	    nla_put_u32(msg, MIRRORNET_A_ADDR_PREFERRED_LFT, GNS_LFT_FOREVER) ||
	    nla_put_u32(msg, MIRRORNET_A_ADDR_VALID_LFT, GNS_LFT_FOREVER) ||
	    nla_put_u32(msg, MIRRORNET_A_ADDR_SCOPE, RT_SCOPE_UNIVERSE))
		die("address request does not fit");
	nla_nest_end(msg, nest);
	if (replace && nla_put_flag(msg, MIRRORNET_A_REPLACE))
		die("address request does not fit");
	return msg;
}

static struct nl_msg *req_link(struct genl *g, const uint8_t *hwkey,
			       uint32_t mtu)
{
	struct nl_msg *msg = genl_req(g, MIRRORNET_CMD_LINK_SET, hwkey);
	struct nlattr *nest = nla_nest_start(msg, MIRRORNET_A_LINK);

	if (!nest || nla_put_u32(msg, MIRRORNET_A_LINK_ADMIN,
				 MIRRORNET_LINK_ADMIN_UP) ||
	    (mtu && nla_put_u32(msg, MIRRORNET_A_LINK_MTU, mtu)))
		die("link request does not fit");
	nla_nest_end(msg, nest);
	return msg;
}

static struct nl_msg *req_of(struct genl *g, enum kind k, const uint8_t *hwkey,
			     uint32_t start, uint32_t i)
{
	switch (k) {
	case K_ROUTE:
		return req_route(g, hwkey, start + i, 32);
	case K_ADDR:
		return req_addr(g, hwkey, start + i, false);
	case K_ADDR_UPDATE:
		return req_addr(g, hwkey, start, true);
	default:
		return req_link(g, hwkey, i % 2 ? 1400 : 1500);
	}
}

/*
 * Send @n requests in one sendmsg and read until each has its ack. Returns
 * the number that failed; @eexist_ok counts EEXIST as done.
 */
static unsigned int genl_batch(struct genl *g, struct nl_msg **msgs,
			       unsigned int n, bool eexist_ok)
{
	static uint8_t out[WINDOW_MAX * 256], in[RECV_BYTES];
	unsigned int acked = 0, failed = 0, i;
	size_t len = 0;

	for (i = 0; i < n; i++) {
		struct nlmsghdr *h = nlmsg_hdr(msgs[i]);

		if (len + NLMSG_ALIGN(h->nlmsg_len) > sizeof(out))
			die("window too large for the send buffer");
		memcpy(out + len, h, h->nlmsg_len);
		len += NLMSG_ALIGN(h->nlmsg_len);
		nlmsg_free(msgs[i]);
	}
	if (send(g->fd, out, len, 0) != (ssize_t)len)
		die("send: %s", strerror(errno));
	while (acked < n) {
		ssize_t got = recv(g->fd, in, sizeof(in), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)in;
		int rem = (int)got;

		if (got < 0)
			die("recv: %s", strerror(errno));
		for (; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			acked++;
			if (e->error && !(eexist_ok && e->error == -EEXIST)) {
				if (!failed)
					fprintf(stderr, "mnbench: request failed: %s\n",
						strerror(-e->error));
				failed++;
			}
		}
	}
	return failed;
}

/*
 * Forget what the module holds for a NIC's key: a NIC that unregisters
 * keeps its state held, and the next repetition starts from nothing. A key
 * with nothing held (ENODEV) is already forgotten; a state the module
 * failed to forget shows as EEXIST in the next repetition.
 */
static void forget(struct genl *g, const uint8_t *hwkey)
{
	struct nl_msg *msg = genl_req(g, MIRRORNET_CMD_IFACE_DEL, hwkey);

	genl_batch(g, &msg, 1, false);
}

static int cmd_forget(int argc, char **argv)
{
	uint8_t hwkey[GNS_GUID_LEN];
	struct genl g;

	if (argc != 1)
		die("usage: forget GUID");
	guid_bytes(argv[0], hwkey);
	genl_open(&g);
	forget(&g, hwkey);
	nl_socket_free(g.sk);
	return 0;
}

/* N requests of @k, WINDOW per sendmsg; prints the rate. */
static int cmd_batch(enum kind k, int argc, char **argv)
{
	struct nl_msg *msgs[WINDOW_MAX];
	unsigned int failed = 0, window, n, i, w;
	uint8_t hwkey[GNS_GUID_LEN];
	bool eexist_ok;
	struct genl g;
	uint32_t start;
	int64_t t0, t1;

	if (argc != 5 && argc != 6)
		die("usage: routes|addrs LABEL GUID START N WINDOW [eexist]");
	guid_bytes(argv[1], hwkey);
	start = ipv4(argv[2]);
	n = (unsigned int)num(argv[3]);
	window = (unsigned int)num(argv[4]);
	eexist_ok = argc == 6 && !strcmp(argv[5], "eexist");
	if (!window || window > WINDOW_MAX)
		die("WINDOW must be 1 to %d", WINDOW_MAX);
	genl_open(&g);
	t0 = now_ns();
	for (i = 0; i < n; i += w) {
		for (w = 0; w < window && i + w < n; w++)
			msgs[w] = req_of(&g, k, hwkey, start, i + w);
		failed += genl_batch(&g, msgs, w, eexist_ok);
	}
	t1 = now_ns();
	printf("BENCH %s n=%u window=%u ms=%.1f per_s=%.0f failed=%u\n",
	       argv[0], n, window, (double)(t1 - t0) / 1e6,
	       (double)n * 1e9 / (double)(t1 - t0), failed);
	nl_socket_free(g.sk);
	return failed ? 1 : 0;
}

/* link-set up by key on N interfaces: GUIDs PREFIX%012x, FIRST on. */
static int cmd_track(int argc, char **argv)
{
	unsigned int failed = 0, first, n, i;
	uint8_t hwkey[GNS_GUID_LEN];
	struct nl_msg *msgs[1];
	char guid[64];
	struct genl g;

	if (argc != 4 || strlen(argv[1]) != 24)
		die("usage: track LABEL GUIDPREFIX(24 chars) FIRST N");
	first = (unsigned int)num(argv[2]);
	n = (unsigned int)num(argv[3]);
	genl_open(&g);
	for (i = first; i < first + n; i++) {
		snprintf(guid, sizeof(guid), "%s%012x", argv[1], i);
		guid_bytes(guid, hwkey);
		msgs[0] = req_link(&g, hwkey, 0);
		failed += genl_batch(&g, msgs, 1, false);
	}
	printf("BENCH %s n=%u failed=%u\n", argv[0], n, failed);
	nl_socket_free(g.sk);
	return failed ? 1 : 0;
}

/* One request at a time: the kernel's part of a host message. */
static int cmd_genl_lat(int argc, char **argv)
{
	uint8_t hwkey[GNS_GUID_LEN];
	unsigned int failed = 0, n, i;
	struct nl_msg *msgs[1];
	struct genl g;
	uint32_t start;
	int64_t *t;
	enum kind k;

	if (argc != 5)
		die("usage: genl-lat LABEL KIND GUID START N");
	k = kind_of(argv[1]);
	guid_bytes(argv[2], hwkey);
	start = ipv4(argv[3]);
	n = (unsigned int)num(argv[4]);
	t = calloc(n ? n : 1, sizeof(*t));
	if (!t || !n)
		die("N must be at least 1");
	genl_open(&g);
	for (i = 0; i < n; i++) {
		int64_t t0;

		/* built outside the timed part, as the helper's decode is */
		msgs[0] = req_of(&g, k, hwkey, start, i);
		t0 = now_ns();
		failed += genl_batch(&g, msgs, 1, false);
		t[i] = now_ns() - t0;
	}
	printf("BENCH %s kind=%s n=%u failed=%u", argv[0], argv[1], n, failed);
	print_dist(t, n);
	putchar('\n');
	free(t);
	nl_socket_free(g.sk);
	return failed ? 1 : 0;
}

/* The helper's own decoder (helper/decode.c) on the driver's payloads. */
static int cmd_decode_lat(int argc, char **argv)
{
	char text[PAYLOAD_MAX], err[GNS_ERR_LEN];
	unsigned int n, i;
	struct gns_msg m;
	enum gns_kind gk;
	uint32_t start;
	int64_t *t;
	enum kind k;

	if (argc != 5)
		die("usage: decode-lat LABEL KIND GUID START N");
	k = kind_of(argv[1]);
	start = ipv4(argv[3]);
	n = (unsigned int)num(argv[4]);
	t = calloc(n ? n : 1, sizeof(*t));
	if (!t || !n)
		die("N must be at least 1");
	for (i = 0; i < n; i++) {
		int64_t t0;

		gk = payload(k, argv[2], start, i, text, sizeof(text));
		t0 = now_ns();
		if (gns_decode(gk, text, strlen(text), NULL, &m, err))
			die("decode: %s", err);
		gns_msg_free(&m);
		t[i] = now_ns() - t0;
	}
	printf("BENCH %s kind=%s n=%u", argv[0], argv[1], n);
	print_dist(t, n);
	putchar('\n');
	free(t);
	return 0;
}

/* ------------------------------------------------------------ GNS driver */

static int vsock_listen(unsigned int port)
{
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
		.svm_port = port,
	};
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 1))
		die("vsock listen on port %u: %s", port, strerror(errno));
	return fd;
}

static int accept_within(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	if (poll(&p, 1, ms) != 1)
		die("the helper did not connect within %d ms", ms);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		die("accept: %s", strerror(errno));
	return fd;
}

/* VmHWM of @pid in kB, 0 if unknown. */
static long vm_hwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * One request and its reply, in the newest generation (16-byte header);
 * returns the result the guest sent.
 */
static int32_t round_trip(int fd, struct gns_frame *f, enum gns_kind gk,
			  uint32_t txn, const char *text)
{
	static uint8_t buf[16 + PAYLOAD_MAX + 1];
	const size_t rl = GNS_RESULT_LEN(GNS_GEN_16);
	size_t len = strlen(text);
	struct gns_hdr h = {
		.type = gns_type_of(gk, GNS_GEN_16),
		.size = (uint32_t)(16 + len + 1),
		.id = txn, .step = GNS_STEP_REQUEST,
	};

	gns_hdr_encode(GNS_GEN_16, &h, buf);
	memcpy(buf + 16, text, len + 1);
	if (gns_write_all(fd, buf, h.size))
		die("write to the helper: %s", strerror(errno));
	if (gns_read_frame(fd, GNS_GEN_16, f) != 1)
		die("no reply from the helper: %s", strerror(errno));
	if (f->hdr.type != gns_type_of(GNS_RESULT, GNS_GEN_16) ||
	    f->hdr.step != GNS_STEP_REPLY || f->hdr.id != txn ||
	    f->hdr.size < rl)
		die("malformed reply to transaction %u", txn);
	if (f->hdr.size > rl)
		fprintf(stderr, "mnbench: transaction %u: %.*s\n", txn,
			(int)(f->hdr.size - rl - 1),
			(const char *)f->buf + rl);
	return (int32_t)gns_get_le32(f->buf + 16);
}

static int cmd_drive(int argc, char **argv)
{
	unsigned int failed = 0, n, i;
	char text[PAYLOAD_MAX];
	struct gns_frame f = { 0 };
	int lfd, fd, status;
	int64_t *t, t_all;
	uint32_t start;
	enum gns_kind gk;
	enum kind k;
	long hwm;
	pid_t pid;

	if (argc < 8 || strcmp(argv[6], "--"))
		die("usage: drive LABEL PORT KIND GUID START N -- HELPER ARGS...");
	k = kind_of(argv[2]);
	start = ipv4(argv[4]);
	n = (unsigned int)num(argv[5]);
	t = calloc(n ? n : 1, sizeof(*t));
	if (!t || !n)
		die("N must be at least 1");
	lfd = vsock_listen((unsigned int)num(argv[1]));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		execvp(argv[7], argv + 7);
		_exit(127);
	}
	fd = accept_within(lfd, ACCEPT_WAIT_MS);
	t_all = now_ns();
	for (i = 0; i < n; i++) {
		int64_t t0;

		gk = payload(k, argv[3], start, i, text, sizeof(text));
		t0 = now_ns();
		failed += round_trip(fd, &f, gk, i, text) != 0;
		t[i] = now_ns() - t0;
	}
	t_all = now_ns() - t_all;
	hwm = vm_hwm_kb(pid);
	close(fd);
	close(lfd);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	gns_frame_release(&f);
	printf("BENCH %s kind=%s n=%u failed=%u ms=%.1f per_s=%.0f helper_hwm_kb=%ld",
	       argv[0], argv[2], n, failed, (double)t_all / 1e6,
	       (double)n * 1e9 / (double)t_all, hwm);
	print_dist(t, n);
	putchar('\n');
	free(t);
	return failed ? 1 : 0;
}

/*
 * The transport floor: connects to the host at CID:PORT as the helper
 * does, then reads each frame with lib/gns's reader and answers it 0 with
 * its reply encoder, decoding and applying nothing; until the host closes.
 */
static int cmd_echo_guest(int argc, char **argv)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK };
	uint8_t out[GNS_HDR_MAX + 4];
	struct gns_frame f = { 0 };
	unsigned int cid, port;
	size_t len;
	int fd, r;

	if (argc != 1 || sscanf(argv[0], "%u:%u", &cid, &port) != 2)
		die("usage: echo-guest CID:PORT");
	sa.svm_cid = cid;
	sa.svm_port = port;
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("vsock connect to %s: %s", argv[0], strerror(errno));
	while ((r = gns_read_frame(fd, GNS_GEN_16, &f)) == 1) {
		len = gns_reply_encode(GNS_GEN_16, f.hdr.id, 0, NULL, out,
				       sizeof(out));
		if (!len || gns_write_all(fd, out, len))
			die("reply: %s", strerror(errno));
	}
	if (r < 0)
		die("read: %s", strerror(errno));
	gns_frame_release(&f);
	close(fd);
	return 0;
}

/* ------------------------------------------------------------ DNS load */

/*
 * A query for @name, type A, class IN, recursion desired (RFC 1035 4.1),
 * after @pre bytes left for the caller (TCP's length prefix). Its length
 * from @out, prefix included.
 */
static size_t dns_query(uint16_t id, const char *name, size_t pre,
			uint8_t *out)
{
	uint8_t *p = out + pre;
	const char *label = name;

	memset(p, 0, 12);
	gns_put_be16(p, id);
	p[2] = 0x01;		/* RD */
	p[5] = 1;		/* QDCOUNT */
	p += 12;
	while (*label) {
		size_t n = strcspn(label, ".");

		*p++ = (uint8_t)n;
		memcpy(p, label, n);
		p += n;
		label += n + (label[n] == '.');
	}
	*p++ = 0;
	gns_put_be16(p, 1);	/* A */
	gns_put_be16(p + 2, 1);	/* IN */
	return (size_t)(p + 4 - out);
}

struct dns_load {
	int fd;
	bool tcp;
	int64_t sent_at[65536];	/* by DNS id; 0: not in flight */
	unsigned int inflight, answered, failed, lost;
	int64_t *t;
	uint8_t in[2 * 65536];
	size_t have;
};

/* An answer (without TCP's prefix): its query's time; NOERROR counts. */
static void dns_answer(struct dns_load *l, const uint8_t *a, size_t len)
{
	uint16_t id;

	if (len < 12)
		return;
	id = gns_get_be16(a);
	if (!l->sent_at[id])
		return;	/* late: its query was counted lost */
	l->t[l->answered++] = now_ns() - l->sent_at[id];
	l->sent_at[id] = 0;
	l->inflight--;
	if (!(a[2] & 0x80) || (a[3] & 0x0f))
		l->failed++;
}

/* Read what is there (at least one wake-up's worth); -1 on EOF. */
static int dns_read(struct dns_load *l)
{
	ssize_t got;

	if (!l->tcp) {
		while ((got = recv(l->fd, l->in, sizeof(l->in),
				   MSG_DONTWAIT)) >= 0)
			dns_answer(l, l->in, (size_t)got);
		return errno == EAGAIN ? 0 : -1;
	}
	got = recv(l->fd, l->in + l->have, sizeof(l->in) - l->have, 0);
	if (got <= 0)
		return -1;
	l->have += (size_t)got;
	for (;;) {
		size_t want = l->have < 2 ? 2 : 2 + gns_get_be16(l->in);

		if (l->have < want || want == 2)
			return 0;
		dns_answer(l, l->in + 2, want - 2);
		memmove(l->in, l->in + want, l->have - want);
		l->have -= want;
	}
}

/*
 * N queries, at most INFLIGHT outstanding: UDP on one socket, answers
 * matched by id; TCP pipelined on one connection. A query not answered
 * within DNS_WAIT_MS of the last answer counts lost.
 */
static int cmd_dns_load(int argc, char **argv)
{
	static struct dns_load l;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint8_t q[DNS_QUERY_MAX];
	unsigned int n, window, sent = 0;
	char host[INET_ADDRSTRLEN];
	unsigned int port;
	int64_t t0, t_all;
	int one = 1;

	if (argc != 6 || (strcmp(argv[1], "udp") && strcmp(argv[1], "tcp")) ||
	    sscanf(argv[4], "%15[0-9.]:%u", host, &port) != 2 ||
	    strlen(argv[5]) > DNS_QUERY_MAX - 20)
		die("usage: dns-load LABEL udp|tcp INFLIGHT N IP:PORT NAME");
	l.tcp = !strcmp(argv[1], "tcp");
	window = (unsigned int)num(argv[2]);
	n = (unsigned int)num(argv[3]);
	if (!n || !window || window > DNS_INFLIGHT_MAX)
		die("N at least 1, INFLIGHT 1 to %d", DNS_INFLIGHT_MAX);
	sa.sin_addr.s_addr = htonl(ipv4(host));
	sa.sin_port = htons((uint16_t)port);
	l.t = calloc(n, sizeof(*l.t));
	l.fd = socket(AF_INET, (l.tcp ? SOCK_STREAM : SOCK_DGRAM) |
		      SOCK_CLOEXEC, 0);
	if (!l.t || l.fd < 0 ||
	    connect(l.fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("connect to %s: %s", argv[4], strerror(errno));
	if (l.tcp)
		setsockopt(l.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	t0 = now_ns();
	while (l.answered + l.lost < n) {
		struct pollfd p = { .fd = l.fd, .events = POLLIN };
		size_t pre = l.tcp ? 2 : 0;

		while (sent < n && l.inflight < window) {
			uint16_t id = (uint16_t)sent++;
			size_t len = dns_query(id, argv[5], pre, q);

			if (pre)
				gns_put_be16(q, (uint16_t)(len - 2));
			l.sent_at[id] = now_ns();
			if (send(l.fd, q, len, MSG_NOSIGNAL) != (ssize_t)len)
				die("send: %s", strerror(errno));
			l.inflight++;
		}
		if (poll(&p, 1, DNS_WAIT_MS) == 1) {
			if (dns_read(&l) < 0)
				die("%s: the server closed or failed: %s",
				    argv[4], strerror(errno));
			continue;
		}
		/* nothing within the wait: whatever is in flight is lost */
		memset(l.sent_at, 0, sizeof(l.sent_at));
		l.lost += l.inflight;
		l.inflight = 0;
		if (l.tcp) {
			/* a stream that stalled: the rest is not sent */
			l.lost += n - sent;
			sent = n;
		}
	}
	t_all = now_ns() - t0;
	if (!l.answered)
		die("%s: no answer to %u queries", argv[4], n);
	printf("BENCH %s proto=%s inflight=%u n=%u answered=%u lost=%u failed=%u ms=%.1f qps=%.0f",
	       argv[0], argv[1], window, n, l.answered, l.lost, l.failed,
	       (double)t_all / 1e6, (double)l.answered * 1e9 / (double)t_all);
	print_dist(l.t, l.answered);
	putchar('\n');
	free(l.t);
	close(l.fd);
	return l.lost || l.failed ? 1 : 0;
}

/* ------------------------------------------------------------- reactions */

struct rtnl {
	struct nl_sock *sk;
	int fd;
};

static void rtnl_open(struct rtnl *r, bool listen)
{
	int rcvbuf = RCVBUF_BYTES;

	r->sk = nl_socket_alloc();
	if (!r->sk || nl_connect(r->sk, NETLINK_ROUTE))
		die("cannot open an rtnetlink socket");
	r->fd = nl_socket_get_fd(r->sk);
	if (setsockopt(r->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		die("SO_RCVBUFFORCE: %s", strerror(errno));
	if (listen && nl_socket_add_memberships(r->sk, RTNLGRP_IPV4_ROUTE,
						RTNLGRP_IPV4_IFADDR, 0))
		die("cannot join the rtnetlink groups");
}

/* Send one rtnetlink request and wait for its ack; returns its error. */
static int rtnl_xfer(struct rtnl *r, struct nl_msg *msg)
{
	static uint8_t in[RECV_BYTES];
	struct nlmsghdr *req = nlmsg_hdr(msg);
	int err = 1;

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = 1;
	if (send(r->fd, req, req->nlmsg_len, 0) != (ssize_t)req->nlmsg_len)
		die("send: %s", strerror(errno));
	nlmsg_free(msg);
	while (err > 0) {
		ssize_t got = recv(r->fd, in, sizeof(in), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)in;
		int rem = (int)got;

		if (got < 0)
			die("recv: %s", strerror(errno));
		for (; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem))
			if (h->nlmsg_type == NLMSG_ERROR)
				err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	return err;
}

/* RTM_NEWLINK for @name: create a dummy, set an alias, or change IFF_UP. */
static struct nl_msg *link_msg(int type, int flags, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) ||
	    nla_put_string(msg, IFLA_IFNAME, name))
		die("out of memory building a link request");
	return msg;
}

static void link_create_dummy(struct rtnl *r, const char *name)
{
	struct nl_msg *msg = link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
				      name);
	struct nlattr *info = nla_nest_start(msg, IFLA_LINKINFO);
	int err;

	if (!info || nla_put_string(msg, IFLA_INFO_KIND, "dummy"))
		die("link request does not fit");
	nla_nest_end(msg, info);
	err = rtnl_xfer(r, msg);
	if (err)
		die("create %s: %s", name, strerror(-err));
}

static void link_alias(struct rtnl *r, const char *name, const char *alias)
{
	struct nl_msg *msg = link_msg(RTM_NEWLINK, 0, name);
	int err;

	if (nla_put_string(msg, IFLA_IFALIAS, alias))
		die("link request does not fit");
	err = rtnl_xfer(r, msg);
	if (err)
		die("alias %s: %s", name, strerror(-err));
}

static void link_updown(struct rtnl *r, const char *name, bool up)
{
	struct nl_msg *msg = link_msg(RTM_NEWLINK, 0, name);
	struct ifinfomsg *ifi = nlmsg_data(nlmsg_hdr(msg));
	int err;

	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	err = rtnl_xfer(r, msg);
	if (err)
		die("set %s %s: %s", name, up ? "up" : "down", strerror(-err));
}

static void link_delete(struct rtnl *r, const char *name)
{
	int err = rtnl_xfer(r, link_msg(RTM_DELLINK, 0, name));

	if (err)
		die("delete %s: %s", name, strerror(-err));
}

/* The benchmark's reaction objects: routes 10.251.J.0/24 and 10.250.0.1/32. */
#define REACT_ROUTE_BASE	0x0afb0000u
#define REACT_ADDR		0x0afa0001u

/* The slot J of 10.251.J.0/24 (J < @routes) through @ifindex, or -1. */
static int react_route_slot(const struct nlmsghdr *h, int ifindex,
			    unsigned int routes)
{
	const struct rtmsg *rt = NLMSG_DATA(h);
	int alen = (int)RTM_PAYLOAD(h), oif = 0;
	const struct rtattr *a;
	uint32_t dst = 0;

	for (a = RTM_RTA(rt); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		if (a->rta_type == RTA_DST)
			memcpy(&dst, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_OIF)
			memcpy(&oif, RTA_DATA(a), 4);
	}
	dst = ntohl(dst);
	if (rt->rtm_family != AF_INET || oif != ifindex || rt->rtm_dst_len != 24 ||
	    (dst & 0xffff00ffu) != REACT_ROUTE_BASE || ((dst >> 8) & 0xff) >= routes)
		return -1;
	return (int)((dst >> 8) & 0xff);
}

static bool is_react_addr(const struct nlmsghdr *h, int ifindex)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int alen = (int)IFA_PAYLOAD(h);
	const struct rtattr *a;
	uint32_t local = 0;

	for (a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
		if (a->rta_type == IFA_LOCAL)
			memcpy(&local, RTA_DATA(a), 4);
	return (int)ifa->ifa_index == ifindex && ntohl(local) == REACT_ADDR;
}

/*
 * Wait on the listener until RTM_NEWROUTE for each of the @routes routes
 * on @ifindex, and RTM_NEWADDR for the address when @want_addr, have been
 * seen. Returns the time of the last one, or -1 on a timeout.
 */
static int64_t wait_applied(struct rtnl *l, int ifindex, unsigned int routes,
			    bool want_addr)
{
	static uint8_t in[RECV_BYTES];
	static bool seen[256];
	unsigned int missing = routes + want_addr;
	int64_t deadline = now_ns() + (int64_t)REACT_WAIT_MS * 1000000;

	memset(seen, 0, sizeof(seen));
	while (missing) {
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		int64_t left = (deadline - now_ns()) / 1000000;
		struct nlmsghdr *h = (struct nlmsghdr *)in;
		ssize_t got;
		int rem, slot;

		if (left <= 0 || poll(&p, 1, (int)left) != 1)
			return -1;
		got = recv(l->fd, in, sizeof(in), 0);
		if (got < 0)
			die("listener: %s", strerror(errno));
		for (rem = (int)got; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
			if (h->nlmsg_type == RTM_NEWROUTE) {
				slot = react_route_slot(h, ifindex, routes);
				if (slot >= 0 && !seen[slot]) {
					seen[slot] = true;
					missing--;
				}
			} else if (h->nlmsg_type == RTM_NEWADDR && want_addr &&
				   !seen[255] && is_react_addr(h, ifindex)) {
				seen[255] = true;
				missing--;
			}
		}
	}
	return now_ns();
}

/*
 * How many of the routes are in the kernel now: a dump (the kernel sends
 * no RTM_DELROUTE for the routes a link going down flushes).
 */
static unsigned int routes_present(struct rtnl *r, int ifindex,
				   unsigned int routes)
{
	struct rtmsg rtm = { .rtm_family = AF_INET };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE,
						NLM_F_REQUEST | NLM_F_DUMP);
	static uint8_t in[RECV_BYTES];
	unsigned int found = 0;
	bool done = false;

	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO))
		die("out of memory building a dump request");
	if (send(r->fd, nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len, 0) < 0)
		die("send: %s", strerror(errno));
	nlmsg_free(msg);
	while (!done) {
		ssize_t got = recv(r->fd, in, sizeof(in), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)in;
		int rem = (int)got;

		if (got < 0)
			die("recv: %s", strerror(errno));
		for (; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				done = true;
			else if (h->nlmsg_type == RTM_NEWROUTE &&
				 react_route_slot(h, ifindex, routes) >= 0)
				found++;
		}
	}
	return found;
}

/* Goal state for the benchmark's NIC: its address and @routes routes. */
static void react_state(struct genl *g, const uint8_t *hwkey,
			unsigned int routes)
{
	struct nl_msg *msgs[256];
	unsigned int j;

	msgs[0] = req_addr(g, hwkey, REACT_ADDR, false);
	for (j = 0; j < routes; j++)
		msgs[j + 1] = req_route(g, hwkey, REACT_ROUTE_BASE | j << 8, 24);
	if (genl_batch(g, msgs, routes + 1, false))
		die("the module refused the reaction state");
}

static void print_ms_dist(const char *label, const char *what, int64_t *t,
			  unsigned int n, unsigned int routes)
{
	qsort(t, n, sizeof(*t), cmp_i64);
	printf("BENCH %s what=%s reps=%u routes=%u median_ms=%.2f max_ms=%.2f min_ms=%.2f\n",
	       label, what, n, routes, (double)pct(t, n, 50) / 1e6,
	       (double)t[n - 1] / 1e6, (double)t[0] / 1e6);
}

#define REACT_NIC	"mnbnic0"
#define REACT_ROUTES	4

/*
 * The module holds the state of an absent NIC; the NIC appears (a dummy
 * whose alias is its GUID: the test rig's hardware key, visible once it is
 * up). From the RTM_NEWLINK that creates it to its address and routes
 * being in the kernel, per repetition; the NIC is deleted in between and
 * its state forgotten, so every repetition starts from the same held state.
 */
static int cmd_react_register(int argc, char **argv)
{
	uint8_t hwkey[GNS_GUID_LEN];
	struct rtnl r, l;
	unsigned int reps, i;
	struct genl g;
	int64_t *t;

	if (argc != 3)
		die("usage: react-register LABEL GUID REPS");
	guid_bytes(argv[1], hwkey);
	reps = (unsigned int)num(argv[2]);
	t = calloc(reps ? reps : 1, sizeof(*t));
	if (!t || !reps)
		die("REPS must be at least 1");
	genl_open(&g);
	rtnl_open(&r, false);
	rtnl_open(&l, true);
	for (i = 0; i < reps; i++) {
		int64_t t0, t1;
		int ifindex;

		react_state(&g, hwkey, REACT_ROUTES);
		t0 = now_ns();
		link_create_dummy(&r, REACT_NIC);
		ifindex = (int)if_nametoindex(REACT_NIC);
		link_alias(&r, REACT_NIC, argv[1]);
		link_updown(&r, REACT_NIC, true);
		t1 = wait_applied(&l, ifindex, REACT_ROUTES, true);
		if (t1 < 0)
			die("repetition %u: held state not applied within %d ms",
			    i, REACT_WAIT_MS);
		t[i] = t1 - t0;
		link_delete(&r, REACT_NIC);
		forget(&g, hwkey);
	}
	print_ms_dist(argv[0], "nic_to_configured", t, reps, REACT_ROUTES);
	free(t);
	return 0;
}

/*
 * A tracked NIC with ROUTES routes goes down (the kernel flushes them) and
 * up: from the RTM_NEWLINK that sets it up to the last route back.
 */
static int cmd_react_linkup(int argc, char **argv)
{
	uint8_t hwkey[GNS_GUID_LEN];
	unsigned int reps, routes, i;
	struct rtnl r, l;
	struct genl g;
	int ifindex;
	int64_t *t;

	if (argc != 4)
		die("usage: react-linkup LABEL GUID REPS ROUTES");
	guid_bytes(argv[1], hwkey);
	reps = (unsigned int)num(argv[2]);
	routes = (unsigned int)num(argv[3]);
	t = calloc(reps ? reps : 1, sizeof(*t));
	if (!t || !reps || !routes || routes > 250)
		die("REPS must be at least 1, ROUTES 1 to 250");
	genl_open(&g);
	rtnl_open(&r, false);
	rtnl_open(&l, true);
	link_create_dummy(&r, REACT_NIC);
	ifindex = (int)if_nametoindex(REACT_NIC);
	link_alias(&r, REACT_NIC, argv[1]);
	link_updown(&r, REACT_NIC, true);
	react_state(&g, hwkey, routes);
	if (wait_applied(&l, ifindex, routes, true) < 0)
		die("the routes were not applied");
	for (i = 0; i < reps; i++) {
		int64_t t0, t1;

		/* the flush is done when the ack of "down" arrives */
		link_updown(&r, REACT_NIC, false);
		if (routes_present(&r, ifindex, routes))
			die("repetition %u: the kernel did not flush the routes", i);
		t0 = now_ns();
		link_updown(&r, REACT_NIC, true);
		t1 = wait_applied(&l, ifindex, routes, false);
		if (t1 < 0)
			die("repetition %u: routes not restored within %d ms",
			    i, REACT_WAIT_MS);
		t[i] = t1 - t0;
	}
	link_delete(&r, REACT_NIC);
	print_ms_dist(argv[0], "linkup_to_restored", t, reps, routes);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		die("usage: mnbench CMD ARGS... (see bench/mnbench.c)");
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "snapshot"))
		return cmd_snapshot(argc, argv);
	if (!strcmp(cmd, "ipbatch"))
		return cmd_ipbatch(argc, argv);
	if (!strcmp(cmd, "time"))
		return cmd_time(argc, argv);
	if (!strcmp(cmd, "ip-each"))
		return cmd_ip_each(argc, argv);
	if (!strcmp(cmd, "routes"))
		return cmd_batch(K_ROUTE, argc, argv);
	if (!strcmp(cmd, "addrs"))
		return cmd_batch(K_ADDR, argc, argv);
	if (!strcmp(cmd, "track"))
		return cmd_track(argc, argv);
	if (!strcmp(cmd, "genl-lat"))
		return cmd_genl_lat(argc, argv);
	if (!strcmp(cmd, "decode-lat"))
		return cmd_decode_lat(argc, argv);
	if (!strcmp(cmd, "drive"))
		return cmd_drive(argc, argv);
	if (!strcmp(cmd, "echo-guest"))
		return cmd_echo_guest(argc, argv);
	if (!strcmp(cmd, "dns-load"))
		return cmd_dns_load(argc, argv);
	if (!strcmp(cmd, "forget"))
		return cmd_forget(argc, argv);
	if (!strcmp(cmd, "react-register"))
		return cmd_react_register(argc, argv);
	if (!strcmp(cmd, "react-linkup"))
		return cmd_react_linkup(argc, argv);
	die("unknown command: %s", cmd);
}
