// SPDX-License-Identifier: GPL-2.0
/*
 * mirrornet: the guest helper of mirrored networking. "serve" bridges the
 * host's GNS channel to the mirrornet family; "show" prints what the
 * module holds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vm_sockets.h>

#include "log.h"
#include "serve.h"
#include "show.h"
#include "sys.h"

static void usage(FILE *out)
{
	fputs("usage: mirrornet serve [--vsock CID:PORT] [--fd N] [--lookup-timeout-ms N]\n"
	      "                       [--resolv-conf PATH] [--wsl-version VERSION|auto]\n"
	      "                       [--verbose]\n"
	      "       mirrornet show [--json] [DEV|{GUID}]\n", out);
}

static int number(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || !*s || *end || *s == '-' || *v > max ? -1 : 0;
}

static int serve_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vsock", required_argument, NULL, 'v' },
		{ "fd", required_argument, NULL, 'f' },
		{ "lookup-timeout-ms", required_argument, NULL, 't' },
		{ "resolv-conf", required_argument, NULL, 'r' },
		{ "wsl-version", required_argument, NULL, 'w' },
		{ "verbose", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mn_serve_opts o = {
		.cid = VMADDR_CID_HOST, .port = 50000, .fd = -1,
		.lookup_timeout_ms = 30000, .resolv_conf = SYS_RESOLV_CONF,
		.gen = GNS_GEN_AUTO,
	};
	enum mn_log_level level = MN_LOG_INFO;
	unsigned long v, port;
	int c, idx = 0;
	char *colon;

	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		switch (c) {
		case 'v':
			colon = strchr(optarg, ':');
			if (!colon)
				goto bad;
			*colon = '\0';
			if (number(optarg, UINT_MAX, &v) ||
			    number(colon + 1, UINT_MAX, &port))
				goto bad;
			o.cid = (unsigned int)v;
			o.port = (unsigned int)port;
			break;
		case 'f':
			if (number(optarg, INT_MAX, &v))
				goto bad;
			o.fd = (int)v;
			break;
		case 't':
			if (number(optarg, 24 * 3600 * 1000UL, &v))
				goto bad;
			o.lookup_timeout_ms = (unsigned int)v;
			break;
		case 'r':
			o.resolv_conf = optarg;
			break;
		case 'w':
			if (gns_gen_parse(optarg, &o.gen))
				goto bad;
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
