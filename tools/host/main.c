// SPDX-License-Identifier: GPL-2.0
/*
 * mirrornet-host: the Windows host of WSL's mirrored networking, played
 * from a snapshot or timeline file (Documentation/host-engine.rst).
 *
 *   mirrornet-host [--dry-run] [--listen vsock:PORT|unix:PATH]
 *                  [--wsl-version VERSION] [--progress] [--verbose]
 *                  [--timeout-ms N]
 *                  [--dns-tunneling[=IP] [--dns-zone FILE |
 *                   --dns-upstream IP[:PORT]] [--dns-timeout-ms N]
 *                   [--dns-close-after N]] FILE
 *   mirrornet-host --dns-serve IP[:PORT] --dns-zone FILE
 *
 * With --dns-tunneling the guest's second connection is the DNS channel,
 * answered from the zone or the upstream resolver, and the host keeps
 * running after the last step until the guest closes the GNS channel or
 * SIGTERM/SIGINT. --dns-serve is a plain DNS server from a zone, the
 * upstream of the tests.
 *
 * Exit: 0 every step reached its goal state, 1 otherwise or the channel
 * broke, 2 bad usage or a bad input file.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dnstunnel.h"
#include "engine.h"
#include "gns/dns.h"
#include "gns/util.h"
#include "options.h"
#include "snapshot.h"
#include "transport.h"
#include "zone.h"

#define DEFAULT_TIMEOUT_MS	120000L

struct run {
	bool dry_run, progress, verbose;
	enum gns_gen gen;
	struct mh_channel chan;
	size_t sent, planned;
	size_t lost;		/* messages the channel broke on */
};

static void sleep_ms(void *ctx, unsigned int ms)
{
	struct run *run = ctx;

	if (!run->dry_run)
		gns_sleep_ms(ms);
}

static void plan(void *ctx, size_t n)
{
	struct run *run = ctx;

	run->planned += n;
}

/* Guest error text made printable on one line. */
static void print_clean(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static int send_msg(void *ctx, const struct mh_msg *m, int32_t *result)
{
	struct run *run = ctx;
	uint32_t type;

	run->sent++;
	if (run->sent > run->planned)
		run->planned = run->sent;	/* fallbacks are not planned */
	if (run->progress)
		fprintf(stderr, "mirroring %zu of %zu messages\n", run->sent,
			run->planned);
	type = gns_type_of(m->kind, run->gen);
	if (run->dry_run) {
		printf("%u %s%s%s\n", type, gns_kind_name(m->kind),
		       m->text[0] ? " " : "", m->text);
		*result = 0;
		return 0;
	}
	if (run->verbose)
		fprintf(stderr, "mirrornet-host: -> %u %s %s\n", type,
			gns_kind_name(m->kind), m->text);
	if (mh_channel_request(&run->chan, m->kind, m->text, result) < 0) {
		fprintf(stderr, "mirrornet-host: %s: %s\n",
			gns_kind_name(m->kind), run->chan.err);
		run->lost++;
		return -1;
	}
	if (run->verbose || *result) {
		fprintf(stderr, "mirrornet-host: <- %s %d", gns_kind_name(m->kind),
			*result);
		if (run->chan.guest_err[0]) {
			fputs(" \"", stderr);
			print_clean(stderr, run->chan.guest_err);
			fputc('"', stderr);
		}
		fputc('\n', stderr);
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mirrornet-host [--dry-run] [--listen vsock:PORT|unix:PATH]\n"
		"                      [--wsl-version VERSION] [--progress] [--verbose]\n"
		"                      [--timeout-ms N]\n"
		"                      [--dns-tunneling[=IP] [--dns-zone FILE |\n"
		"                       --dns-upstream IP[:PORT]] [--dns-timeout-ms N]\n"
		"                       [--dns-close-after N]]\n"
		"                      FILE\n"
		"       mirrornet-host --dns-serve IP[:PORT] --dns-zone FILE\n");
	exit(2);
}

/* The DNS options, and the DNS channel's server once started. */
struct dns_run {
	const char *tunnel_ip;	/* --dns-tunneling: NULL when off */
	const char *zone_path, *upstream, *serve;
	long timeout_ms;
	size_t close_after;
	struct mh_zone zone;
	struct mh_dns *dns;
};

/* --dns-close-after: a frame number, from 1; 0 or -1. */
static int parse_frame_number(const char *s, size_t *n)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || !v)
		return -1;
	*n = v;
	return 0;
}

static int load_zone(struct dns_run *d)
{
	char err[MH_ZONE_ERR_LEN];

	if (mh_zone_load(d->zone_path, &d->zone, err) < 0) {
		fprintf(stderr, "mirrornet-host: %s: %s\n", d->zone_path, err);
		return -1;
	}
	return 0;
}

/* SIGTERM and SIGINT blocked, and readable as a descriptor; -1 if not. */
static int stop_signals(void)
{
	sigset_t set;
	int fd, r;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* the DNS thread may run already: sigprocmask() is unspecified */
	r = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (r) {
		errno = r;
		fd = -1;
	} else {
		fd = signalfd(-1, &set, SFD_CLOEXEC);
	}
	if (fd < 0)
		fprintf(stderr, "mirrornet-host: signalfd: %s\n",
			strerror(errno));
	return fd;
}

/* --dns-serve: until a stop signal. */
static int dns_serve(struct dns_run *d)
{
	struct sockaddr_storage sa;
	socklen_t len;
	int fd, r;

	if (mh_dns_parse_addr(d->serve, 53, &sa, &len) < 0)
		usage();
	if (load_zone(d) < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	fd = stop_signals();
	r = fd < 0 ? -1 : mh_dns_serve(&sa, len, &d->zone, fd, stderr);
	if (fd >= 0)
		close(fd);
	mh_zone_free(&d->zone);
	return r < 0 ? 1 : 0;
}

/*
 * The DNS channel: the guest's second connection, as mini_init connects
 * it right after the GNS channel (wsl-dns-tunneling §1.2). Its server
 * starts in a thread of its own. 0, or -1 (logged).
 */
static int dns_start(struct dns_run *d, struct mh_channel *c,
		     enum gns_gen gen, bool verbose)
{
	struct pollfd p = { .fd = c->listen_fd, .events = POLLIN };
	int64_t deadline = gns_now_ms() + c->timeout_ms;
	struct mh_dns_config cfg = {
		.gen = gen, .timeout_ms = d->timeout_ms, .verbose = verbose,
		.close_after = d->close_after, .log = stderr,
	};
	int fd = -1;

	if (d->zone_path)
		cfg.zone = &d->zone;
	else
		mh_dns_parse_addr(d->upstream, 53, &cfg.upstream,
				  &cfg.upstream_len);
	while (fd < 0) {
		int64_t left = deadline - gns_now_ms();
		int r = poll(&p, 1, left > 0 ? (int)left : 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "mirrornet-host: no DNS channel "
				"connected within %ld ms\n", c->timeout_ms);
			return -1;
		}
		fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0 && errno != EINTR && errno != ECONNABORTED) {
			fprintf(stderr, "mirrornet-host: accept: %s\n",
				strerror(errno));
			return -1;
		}
	}
	d->dns = mh_dns_new(fd, &cfg);
	if (!d->dns) {
		close(fd);
	} else if (mh_dns_start(d->dns) < 0) {
		mh_dns_free(d->dns);
		d->dns = NULL;
	}
	if (!d->dns) {
		fprintf(stderr, "mirrornet-host: DNS channel: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * After the last step the guest's queries are still answered, as by the
 * WSL host, until the guest closes the GNS channel or a stop signal.
 */
static void dns_wait_guest(struct mh_channel *c)
{
	struct signalfd_siginfo si;
	struct pollfd p[2] = {
		{ .fd = c->fd, .events = POLLIN },
		{ .fd = stop_signals(), .events = POLLIN },
	};
	char buf[4096];
	ssize_t n;

	if (p[1].fd < 0)
		return;
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents) {
			if (read(p[1].fd, &si, sizeof(si)) == sizeof(si))
				fprintf(stderr, "mirrornet-host: stopped by "
					"signal %u\n", si.ssi_signo);
			break;
		}
		if (!p[0].revents)
			continue;
		/* The guest sends nothing unasked: anything is dropped. */
		n = read(c->fd, buf, sizeof(buf));
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		fprintf(stderr, "mirrornet-host: %s\n", n ? strerror(errno) :
			"the guest closed the GNS channel");
		break;
	}
	close(p[1].fd);
}

static void dns_stop(struct dns_run *d)
{
	struct mh_dns_stats st;

	if (!d->dns)
		return;
	mh_dns_stop(d->dns);
	mh_dns_get_stats(d->dns, &st);
	fprintf(stderr, "mirrornet-host: dns: %zu frames, %zu answered, %zu "
		"dropped, %zu never answered, %zu timed out\n", st.frames,
		st.answered, st.dropped, st.silent, st.timed_out);
	mh_dns_free(d->dns);
	d->dns = NULL;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "listen", required_argument, NULL, 'l' },
		{ "wsl-version", required_argument, NULL, 'w' },
		{ "progress", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "dns-tunneling", optional_argument, NULL, 'T' },
		{ "dns-zone", required_argument, NULL, 'z' },
		{ "dns-upstream", required_argument, NULL, 'u' },
		{ "dns-timeout-ms", required_argument, NULL, 'D' },
		{ "dns-serve", required_argument, NULL, 'S' },
		{ "dns-close-after", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run run = { .gen = GNS_GEN_16 };
	struct mh_peer peer = {
		.send = send_msg, .sleep_ms = sleep_ms, .plan = plan,
		.ctx = &run,
	};
	struct dns_run dns = { .timeout_ms = MH_DNS_TIMEOUT_MS };
	long timeout_ms = DEFAULT_TIMEOUT_MS, t0;
	struct sockaddr_storage upstream;
	struct in_addr tunnel_ip;
	socklen_t upstream_len;
	const char *listen_spec = NULL;
	size_t messages = 0, failed = 0, i;
	struct mh_step_result res;
	struct mh_timeline tl;
	struct mh_engine *e;
	char err[MH_ERR_LEN];
	bool all_goal = true;
	int o, r = 0;

	while ((o = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (o) {
		case 'n':
			run.dry_run = true;
			break;
		case 'l':
			listen_spec = optarg;
			break;
		case 'w':
			if (mh_parse_wsl_version(optarg, &run.gen) < 0)
				usage();
			break;
		case 'p':
			run.progress = true;
			break;
		case 'v':
			run.verbose = true;
			break;
		case 't':
			if (mh_parse_timeout_ms(optarg, &timeout_ms) < 0)
				usage();
			break;
		case 'T':
			/* An IPv4 address, as WSL's EarlyConfig carries. */
			dns.tunnel_ip = optarg ? optarg : GNS_DNS_DEFAULT_IP;
			if (inet_pton(AF_INET, dns.tunnel_ip, &tunnel_ip) != 1)
				usage();
			break;
		case 'z':
			dns.zone_path = optarg;
			break;
		case 'u':
			dns.upstream = optarg;
			if (mh_dns_parse_addr(optarg, 53, &upstream,
					      &upstream_len) < 0)
				usage();
			break;
		case 'D':
			if (mh_parse_timeout_ms(optarg, &dns.timeout_ms) < 0)
				usage();
			break;
		case 'S':
			dns.serve = optarg;
			break;
		case 'C':
			if (parse_frame_number(optarg, &dns.close_after) < 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (dns.serve) {
		if (optind != argc || listen_spec || run.dry_run ||
		    dns.tunnel_ip || dns.upstream || !dns.zone_path)
			usage();
		return dns_serve(&dns);
	}
	if (optind != argc - 1 || run.dry_run == !!listen_spec)
		usage();
	/* A resolver with tunneling only; exactly one when there is a guest. */
	if ((dns.zone_path && dns.upstream) ||
	    ((dns.zone_path || dns.upstream) && !dns.tunnel_ip) ||
	    (listen_spec && dns.tunnel_ip && !dns.zone_path && !dns.upstream) ||
	    (dns.close_after && !dns.tunnel_ip))
		usage();
	if (mh_timeline_load(argv[optind], &tl, err) < 0) {
		fprintf(stderr, "mirrornet-host: %s: %s\n", argv[optind], err);
		return 2;
	}
	if (listen_spec && dns.zone_path && load_zone(&dns) < 0) {
		mh_timeline_free(&tl);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	t0 = (long)gns_now_ms();
	if (listen_spec) {
		r = mh_channel_listen(&run.chan, listen_spec, run.gen,
				      timeout_ms);
		if (r == -2) {
			fprintf(stderr, "mirrornet-host: bad --listen '%s' "
				"(vsock:PORT or unix:PATH)\n", listen_spec);
			mh_timeline_free(&tl);
			return 2;
		}
		if (!r) {
			fprintf(stderr, "mirrornet-host: listening on %s\n",
				listen_spec);
			r = mh_channel_accept(&run.chan);
		}
		if (r < 0)
			fprintf(stderr, "mirrornet-host: %s\n", run.chan.err);
		if (!r && dns.tunnel_ip)
			r = dns_start(&dns, &run.chan, run.gen, run.verbose);
	}
	e = r ? NULL : mh_engine_new(&peer);
	if (!r && (!e || mh_engine_dns_tunneling(e, dns.tunnel_ip) < 0)) {
		fprintf(stderr, "mirrornet-host: out of memory\n");
		r = -1;
	}
	for (i = 0; !r && i < tl.n_steps; i++) {
		const struct mh_step *st = &tl.steps[i];

		sleep_ms(&run, st->after_ms);
		if (run.verbose)
			fprintf(stderr, "mirrornet-host: step %zu begins%s%s\n", i + 1,
				st->note ? ": " : "", st->note ? st->note : "");
		r = mh_engine_step(e, &st->snapshot, &res);
		messages += res.messages;
		failed += res.failed;
		if (r < 0 && !run.lost)
			fprintf(stderr, "mirrornet-host: out of memory\n");
		if (r < 0)
			break;
		if (!res.goal_state) {
			all_goal = false;
			fprintf(stderr, "mirrornet-host: step %zu: no goal state "
				"(%zu items gave up after %d tries, %zu "
				"connected interfaces without an endpoint)\n",
				i + 1, res.gave_up, MH_MAX_SYNC_RETRIES,
				res.endpoints_missing);
		} else if (run.verbose) {
			fprintf(stderr, "mirrornet-host: step %zu: goal state "
				"after %zu passes\n", i + 1, res.passes);
		}
	}
	if (!r && dns.dns)
		dns_wait_guest(&run.chan);
	dns_stop(&dns);
	mh_zone_free(&dns.zone);
	messages += run.lost;
	failed += run.lost;
	mh_engine_free(e);
	if (listen_spec)
		mh_channel_close(&run.chan);
	mh_timeline_free(&tl);
	fprintf(stderr, "mirrornet-host: %zu messages, %zu failed, %ld ms\n",
		messages, failed, (long)gns_now_ms() - t0);
	return r < 0 || !all_goal ? 1 : 0;
}
