// SPDX-License-Identifier: GPL-2.0
/*
 * fake-guest: the guest end of the GNS channel for testing mirrornet-host
 * without a VM. It connects like `mirrornet serve`, checks the framing of
 * every request (16-byte header: step 1, ids from 0 up by one; 12-byte:
 * sequence numbers from 1 up by one; one trailing NUL), logs it as
 * mirrornet-host --dry-run prints it, and answers 0, or -1 to the requests
 * that contain a given text.
 *
 *   fake-guest --connect unix:PATH [--wsl-version VERSION] [--fail TEXT]
 *              [--noise | --bad-seq N] [--close-after N] [--log FILE]
 *
 * --wsl-version names the host's release (default: the newest, 16-byte
 * header). --noise sends a step-0 frame and a stale reply before each real
 * reply (the host must drop both, reference §1.4; 16-byte only). --bad-seq
 * N numbers reply N+1 one too high (the host must refuse it; 12-byte
 * only). --close-after N closes the connection instead of answering
 * request N+1. Each log line is "MS TYPE NAME PAYLOAD", MS counted from
 * the first request.
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
#include <unistd.h>

#include "gns/util.h"
#include "gns/wire.h"
#include "options.h"

#define CONNECT_TRIES	3000	/* 10 ms apart: 30 s for a loaded machine */

static int connect_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
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
		gns_sleep_ms(10);
	}
	return -1;
}

static int reply(int fd, enum gns_gen gen, uint32_t id, int32_t result,
		 const char *error)
{
	uint8_t out[128];
	size_t n = gns_reply_encode(gen, id, result, error, out, sizeof(out));

	return n ? gns_write_all(fd, out, n) : -1;
}

/* 16-byte frames the host must ignore: step 0, a reply to an older id. */
static int noise(int fd, uint32_t id)
{
	uint8_t out[GNS_RESULT_LEN(GNS_GEN_16)];
	struct gns_hdr h = {
		.type = gns_type_of(GNS_RESULT, GNS_GEN_16),
		.size = sizeof(out), .id = id, .step = GNS_STEP_NONE,
	};

	memset(out, 0, sizeof(out));
	gns_hdr_encode(GNS_GEN_16, &h, out);
	if (gns_write_all(fd, out, sizeof(out)) < 0)
		return -1;
	return id ? reply(fd, GNS_GEN_16, id - 1, -1, "stale") : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: fake-guest --connect unix:PATH "
		"[--wsl-version VERSION] [--fail TEXT] [--noise | --bad-seq N] "
		"[--close-after N] [--log FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "wsl-version", required_argument, NULL, 'w' },
		{ "bad-seq", required_argument, NULL, 's' },
		{ "fail", required_argument, NULL, 'f' },
		{ "noise", no_argument, NULL, 'n' },
		{ "close-after", required_argument, NULL, 'a' },
		{ "log", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *spec = NULL, *fail_text = NULL, *log_path = NULL;
	struct gns_frame f = { 0 };
	long close_after = -1, bad_seq = -1, t0 = -1;
	bool with_noise = false;
	enum gns_gen gen = GNS_GEN_16;
	/* requests answered; 12-byte: the last sequence number each way */
	uint32_t n = 0, rx_seq = 0, tx_seq = 0, want_id;
	FILE *log = stdout;
	int o, fd, r;

	while ((o = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (o) {
		case 'c':
			spec = optarg;
			break;
		case 'w':
			if (mh_parse_wsl_version(optarg, &gen) < 0)
				usage();
			break;
		case 's':
			bad_seq = atol(optarg);
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
	if (!spec || strncmp(spec, "unix:", 5) || optind != argc ||
	    (with_noise && gen != GNS_GEN_16) ||
	    (bad_seq >= 0 && gen == GNS_GEN_16))
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
		bool framed;

		r = gns_read_frame(fd, gen, &f);
		if (r <= 0)
			break;
		kind = gns_kind_of(f.hdr.type, gen);
		if (gen == GNS_GEN_16) {
			want_id = n;
			framed = f.hdr.step == GNS_STEP_REQUEST;
		} else {
			want_id = ++rx_seq;
			framed = true;
		}
		if (!framed || f.hdr.id != want_id ||
		    kind == GNS_KIND_UNKNOWN ||
		    gns_frame_text(&f, kind, &text, &len, &why) < 0) {
			fprintf(stderr, "fake-guest: bad request %" PRIu32
				": type %" PRIu32 " id %" PRIu32 " step %"
				PRIu32 "\n", want_id, f.hdr.type, f.hdr.id,
				f.hdr.step);
			r = -2;
			break;
		}
		if (t0 < 0)
			t0 = (long)gns_now_ms();
		fprintf(log, "%ld %" PRIu32 " %s%s%.*s\n",
			(long)gns_now_ms() - t0, f.hdr.type,
			gns_kind_name(kind), len ? " " : "", (int)len, text);
		fflush(log);
		if (close_after >= 0 && n >= (uint32_t)close_after)
			break;
		result = fail_text && memmem(text, len, fail_text,
					     strlen(fail_text)) ? -1 : 0;
		/* 12-byte: the guest numbers its replies itself. */
		if (gen != GNS_GEN_16) {
			want_id = ++tx_seq;
			if (bad_seq >= 0 && n == (uint32_t)bad_seq)
				want_id++;
		}
		if ((with_noise && noise(fd, want_id) < 0) ||
		    reply(fd, gen, want_id, result,
			  result ? "fake guest refuses" : NULL) < 0) {
			perror("fake-guest: reply");
			r = -1;
			break;
		}
		n++;
	}
	if (r < 0 && r != -2)
		perror("fake-guest: read");
	close(fd);
	gns_frame_release(&f);
	if (log != stdout)
		fclose(log);
	return r < 0 ? 1 : 0;
}
