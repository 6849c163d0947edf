// SPDX-License-Identifier: GPL-2.0
/*
 * mirrornet: the guest helper of mirrored networking. "serve" bridges the
 * host's GNS channel to the mirrornet family and serves DNS tunneling;
 * "show" prints what the module holds. Run as "gns", it is serve.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vm_sockets.h>

#include "gns/dns.h"
#include "log.h"
#include "serve.h"
#include "show.h"
#include "sys.h"

static void usage(FILE *out)
{
	fputs("usage: mirrornet serve [--vsock CID:PORT [--dns-tunnel CID:PORT]]\n"
	      "                       [--socket N [--dns_socket M]] [--dns_tunneling_ip IP]\n"
	      "                       [--wsl-version VERSION|auto] [--lookup-timeout-ms N]\n"
	      "                       [--resolv-conf PATH] [--verbose]\n"
	      "       mirrornet show [--json] [DEV|{GUID}]\n"
	      "       gns --socket N [--dns_socket M --dns_tunneling_ip IP]  (as mirrornet serve)\n",
	      out);
}

static int number(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || !*s || *end || *s == '-' || *v > max ? -1 : 0;
}

/* CID:PORT */
static int vsock_addr(const char *s, unsigned int *cid, unsigned int *port)
{
	const char *colon = strchr(s, ':');
	unsigned long c, p;
	char buf[16];

	if (!colon || (size_t)(colon - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(colon - s));
	buf[colon - s] = '\0';
	if (number(buf, UINT_MAX, &c) || number(colon + 1, UINT_MAX, &p))
		return -1;
	*cid = (unsigned int)c;
	*port = (unsigned int)p;
	return 0;
}

/*
 * Also WSL's launch contract: mini_init execs gns with --socket N and, with
 * DNS tunneling, --dns_socket M --dns_tunneling_ip IP (reference §1.3).
 */
static int serve_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vsock", required_argument, NULL, 'v' },
		{ "dns-tunnel", required_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 's' },
		{ "dns_socket", required_argument, NULL, 'm' },
		{ "dns_tunneling_ip", required_argument, NULL, 'i' },
		{ "wsl-version", required_argument, NULL, 'w' },
		{ "lookup-timeout-ms", required_argument, NULL, 't' },
		{ "resolv-conf", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mn_serve_opts o = {
		.cid = VMADDR_CID_HOST, .port = 50000, .fd = -1, .dns_fd = -1,
		.dns_ip = GNS_DNS_DEFAULT_IP,
		.lookup_timeout_ms = 30000, .resolv_conf = SYS_RESOLV_CONF,
		.gen = GNS_GEN_AUTO,
	};
	enum mn_log_level level = MN_LOG_INFO;
	bool vsock = false, ip = false;
	unsigned long v;
	int c, idx = 0;

	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		switch (c) {
		case 'v':
			if (vsock_addr(optarg, &o.cid, &o.port))
				goto bad;
			vsock = true;
			break;
		case 'n':
			if (vsock_addr(optarg, &o.dns_cid, &o.dns_port))
				goto bad;
			o.dns_vsock = true;
			break;
		case 's':
		case 'm':
			if (number(optarg, INT_MAX, &v))
				goto bad;
			*(c == 's' ? &o.fd : &o.dns_fd) = (int)v;
			break;
		case 'i':
			o.dns_ip = optarg;
			ip = true;
			break;
		case 'w':
			if (gns_gen_parse(optarg, &o.gen))
				goto bad;
			break;
		case 't':
			if (number(optarg, 24 * 3600 * 1000UL, &v))
				goto bad;
			o.lookup_timeout_ms = (unsigned int)v;
			break;
		case 'r':
			o.resolv_conf = optarg;
			break;
		case 'd':
			level = MN_LOG_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mirrornet serve: unexpected argument %s\n",
			argv[optind]);
		return 2;
	}
	/* Inherited channels are never reconnected: no mixing of the two. */
	if (o.fd >= 0 ? vsock || o.dns_vsock : o.dns_fd >= 0) {
		fprintf(stderr, "mirrornet serve: --socket and --dns_socket go together, --vsock and --dns-tunnel too\n");
		return 2;
	}
	if (ip && o.dns_fd < 0 && !o.dns_vsock) {
		fprintf(stderr, "mirrornet serve: --dns_tunneling_ip needs --dns_socket or --dns-tunnel\n");
		return 2;
	}
	mn_log_init(level);
	return mn_serve(&o) ? 1 : 0;
bad:
	fprintf(stderr, "mirrornet serve: invalid value for --%s: %s\n",
		opts[idx].name, optarg);
	return 2;
}

static int show_main(int argc, char **argv)
{
	const char *dev = NULL;
	bool json = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!dev && argv[i][0] != '-') {
			dev = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	mn_log_init(MN_LOG_WARN);
	return mn_show(dev, json);
}

int main(int argc, char **argv)
{
	const char *slash = strrchr(argv[0], '/');

	/* Started where WSL starts gns: its arguments are serve's. */
	if (!strcmp(slash ? slash + 1 : argv[0], "gns"))
		return serve_main(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return serve_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return show_main(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
