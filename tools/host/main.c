// SPDX-License-Identifier: GPL-2.0
/*
 * mirrornet-host: the Windows host of WSL's mirrored networking, played
 * from a snapshot or timeline file (Documentation/host-engine.rst).
 *
 *   mirrornet-host [--dry-run] [--listen vsock:PORT|unix:PATH]
 *                  [--wsl-version VERSION] [--progress] [--verbose]
 *                  [--timeout-ms N] FILE
 *
 * Exit: 0 every step reached its goal state, 1 otherwise or the channel
 * broke, 2 bad usage or a bad input file.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "gns/util.h"
#include "options.h"
#include "snapshot.h"
#include "transport.h"

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
		"                      [--timeout-ms N] FILE\n");
	exit(2);
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run run = { .gen = GNS_GEN_16 };
	struct mh_peer peer = {
		.send = send_msg, .sleep_ms = sleep_ms, .plan = plan,
		.ctx = &run,
	};
	long timeout_ms = DEFAULT_TIMEOUT_MS, t0;
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
		default:
			usage();
		}
	}
	if (optind != argc - 1 || run.dry_run == !!listen_spec)
		usage();
	if (mh_timeline_load(argv[optind], &tl, err) < 0) {
		fprintf(stderr, "mirrornet-host: %s: %s\n", argv[optind], err);
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
	}
	e = r ? NULL : mh_engine_new(&peer);
	if (!r && !e) {
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
