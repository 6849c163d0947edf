// SPDX-License-Identifier: GPL-2.0
/*
 * fake-guest: the guest end of the GNS channel for testing mirrornet-host
 * without a VM. It connects like `mirrornet serve`, checks the framing of
 * every request (step 1, ids from 0 up by one, one trailing NUL), logs it
 * as mirrornet-host --dry-run prints it, and answers 0, or -1 to the
 * requests that contain a given text.
 *
 *   fake-guest --connect unix:PATH [--base 52|53] [--fail TEXT]
 *              [--noise] [--close-after N] [--log FILE]
 *
 * --noise sends a step-0 frame and a stale reply before each real reply
 * (the host must drop both, reference §1.4). --close-after N closes the
 * connection instead of answering request N+1. Each log line is
 * "MS TYPE NAME PAYLOAD", MS counted from the first request.
 *
 * Exit: 0 when the host closed the connection after well-formed requests,
 * 1 on a framing error or a connection failure, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gns.h"
#include "options.h"

#define CONNECT_TRIES	3000	/* 10 ms apart: 30 s for a loaded machine */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timespec pause = { 0, 10 * 1000000L };
	int fd, i;

	if (strlen(path) >= sizeof(a.sun_path))
		return -1;
	strcpy(a.sun_path, path);
	for (i = 0; i < CONNECT_TRIES; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		close(fd);
		nanosleep(&pause, NULL);
	}
	return -1;
}

static int reply(int fd, uint32_t base, uint32_t id, int32_t result,
		 const char *error)
{
	uint8_t out[128];
	size_t n = gns_reply_encode(base, id, result, error, out, sizeof(out));

	return n ? gns_write_all(fd, out, n) : -1;
}

/* A frame the host must ignore: step 0, or a reply to an older id. */
static int noise(int fd, uint32_t base, uint32_t id)
{
	uint8_t out[GNS_RESULT_LEN];
	struct gns_hdr h = {
		.type = gns_type_of(GNS_RESULT, base), .size = GNS_RESULT_LEN,
		.txn_id = id, .txn_step = GNS_STEP_NONE,
	};

	memset(out, 0, sizeof(out));
	gns_hdr_encode(&h, out);
	if (gns_write_all(fd, out, sizeof(out)) < 0)
		return -1;
	return id ? reply(fd, base, id - 1, -1, "stale") : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: fake-guest --connect unix:PATH [--base 52|53] "
		"[--fail TEXT] [--noise] [--close-after N] [--log FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "base", required_argument, NULL, 'b' },
		{ "fail", required_argument, NULL, 'f' },
		{ "noise", no_argument, NULL, 'n' },
		{ "close-after", required_argument, NULL, 'a' },
		{ "log", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *spec = NULL, *fail_text = NULL, *log_path = NULL;
	struct gns_frame f = { 0 };
	long close_after = -1, t0 = -1;
	bool with_noise = false;
	uint32_t base = 53, want_id = 0;
	FILE *log = stdout;
	int o, fd, r;

	while ((o = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (o) {
		case 'c':
			spec = optarg;
			break;
		case 'b':
			if (mh_parse_msg_base(optarg, &base) < 0)
				usage();
			break;
		case 'f':
			fail_text = optarg;
			break;
		case 'n':
			with_noise = true;
			break;
		case 'a':
			close_after = atol(optarg);
			break;
		case 'l':
			log_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (!spec || strncmp(spec, "unix:", 5) || optind != argc)
		usage();
	if (log_path) {
		log = fopen(log_path, "w");
		if (!log) {
			perror(log_path);
			return 1;
		}
	}
	fd = connect_unix(spec + 5);
	if (fd < 0) {
		fprintf(stderr, "fake-guest: cannot connect to %s\n", spec);
		return 1;
	}
	for (;;) {
		const char *text = "", *why;
		enum gns_kind kind;
		size_t len = 0;
		int32_t result;

		r = gns_read_frame(fd, &f);
		if (r <= 0)
			break;
		kind = gns_kind_of(f.hdr.type, base);
		if (f.hdr.txn_step != GNS_STEP_REQUEST ||
		    f.hdr.txn_id != want_id || kind == GNS_KIND_UNKNOWN ||
		    gns_frame_text(&f, kind, &text, &len, &why) < 0) {
			fprintf(stderr, "fake-guest: bad request %" PRIu32
				": type %" PRIu32 " id %" PRIu32 " step %"
				PRIu32 "\n", want_id, f.hdr.type, f.hdr.txn_id,
				f.hdr.txn_step);
			r = -2;
			break;
		}
		if (t0 < 0)
			t0 = now_ms();
		fprintf(log, "%ld %" PRIu32 " %s%s%.*s\n", now_ms() - t0,
			f.hdr.type, gns_kind_name(kind), len ? " " : "",
			(int)len, text);
		fflush(log);
		if (close_after >= 0 && want_id >= (uint32_t)close_after)
			break;
		result = fail_text && memmem(text, len, fail_text,
					     strlen(fail_text)) ? -1 : 0;
		if ((with_noise && noise(fd, base, want_id) < 0) ||
		    reply(fd, base, want_id, result,
			  result ? "fake guest refuses" : NULL) < 0) {
			perror("fake-guest: reply");
			r = -1;
			break;
		}
		want_id++;
	}
	if (r < 0 && r != -2)
		perror("fake-guest: read");
	close(fd);
	gns_frame_release(&f);
	if (log != stdout)
		fclose(log);
	return r < 0 ? 1 : 0;
}
