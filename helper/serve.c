// SPDX-License-Identifier: GPL-2.0
/*
 * mirrornet serve: connect to the host, answer its requests one at a time,
 * in order, each after its work is done; reconnect whenever the stream
 * breaks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "decode.h"
#include "gns/util.h"
#include "gns/wire.h"
#include "handlers.h"
#include "log.h"
#include "serve.h"

#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000
/* How long the first request waits for the module to register. */
#define FAMILY_WAIT_MS	3000

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int vsock_connect(unsigned int cid, unsigned int port)
{
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK, .svm_cid = cid, .svm_port = port,
	};
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int send_reply(int fd, enum gns_gen gen, uint32_t id, int32_t result,
		      const char *error)
{
	uint8_t buf[GNS_HDR_MAX + 4 + 1024];
	size_t len;

	len = gns_reply_encode(gen, id, result, result == -1 ? error : NULL,
			       buf, sizeof(buf));
	return len ? gns_write_all(fd, buf, len) : -1;
}

/*
 * Decode @f as a request of @kind into @m: the text of the kinds that
 * carry one (kinds.h), nothing of the others. 0, or -1 with @err.
 */
static int decode_frame(const struct gns_frame *f, enum gns_kind kind,
			struct gns_msg *m, char err[GNS_ERR_LEN])
{
	enum gns_payload payload = gns_kind_payload(kind);
	const char *text = NULL, *why;
	size_t len = 0;

	if ((payload == GNS_PAYLOAD_TEXT || payload == GNS_PAYLOAD_GUID_TEXT) &&
	    gns_frame_text(f, kind, &text, &len, &why)) {
		snprintf(err, GNS_ERR_LEN, "%s", why);
		return -1;
	}
	return gns_decode(kind, text, len,
			  payload == GNS_PAYLOAD_GUID_TEXT ?
			  f->buf + f->hdr_len : NULL, m, err);
}

/* Decode and carry out one request; the reply's result and error text. */
static int32_t serve_request(struct mn_handler_ctx *ctx,
			     const struct gns_frame *f, enum gns_kind kind,
			     char *what, size_t whatlen, char *err,
			     size_t errlen)
{
	const char *name = gns_kind_name(kind);
	char derr[GNS_ERR_LEN], gerr[200];
	struct gns_msg m;
	int32_t ret;

	what[0] = '\0';
	if (kind == GNS_KIND_UNKNOWN || kind == GNS_RESULT) {
		snprintf(err, errlen, "unexpected message type %u",
			 f->hdr.type);
		return -1;
	}
	if (decode_frame(f, kind, &m, derr)) {
		snprintf(err, errlen, "%s: %s", name, derr);
		return -1;
	}
	if (!ctx->genl && kind != GNS_NOOP) {
		ctx->genl = mn_genl_open(FAMILY_WAIT_MS, gerr, sizeof(gerr));
		if (!ctx->genl) {
			gns_msg_free(&m);
			snprintf(err, errlen, "%s: %s", name, gerr);
			return -1;
		}
	}
	ret = mn_handle(ctx, &m, what, whatlen, err, errlen);
	gns_msg_free(&m);
	return ret;
}

/* Whether @f decodes as the kind its type names in @gen's numbering. */
static bool decodes_as(const struct gns_frame *f, enum gns_gen gen)
{
	char derr[GNS_ERR_LEN];
	struct gns_msg m;

	if (decode_frame(f, gns_kind_of(f->hdr.type, gen), &m, derr))
		return false;
	gns_msg_free(&m);
	return true;
}

/*
 * The host's generation from its first frame @f, read undetected (a
 * 12-byte header); @f is decoded again for it. GNS_GEN_AUTO if the frame
 * cannot tell.
 */
static enum gns_gen detect(struct gns_frame *f)
{
	size_t len = f->hdr.size < 16 ? f->hdr.size : 16;
	bool text_old = decodes_as(f, GNS_GEN_12_OLD);
	bool text_new = decodes_as(f, GNS_GEN_12);
	const char *why = NULL;
	enum gns_gen gen;

	gen = gns_gen_detect(f->buf, len, text_old, text_new, &why);
	if (gen == GNS_GEN_AUTO) {
		mn_log(MN_LOG_ERR, "cannot tell the host's WSL version: %s (type %u, %u bytes); start with --wsl-version VERSION",
		       why, f->hdr.type, f->hdr.size);
		return gen;
	}
	mn_log(MN_LOG_INFO, "host detected from its first frame: %s",
	       gns_gen_describe(gen));
	f->hdr_len = gns_gen_hdr_len(gen);
	gns_hdr_decode(gen, f->buf, &f->hdr);
	return gen;
}

/*
 * Serve one connection until it ends. Returns 0 when the host closed it,
 * -1 when it broke (and was closed) or a stop was asked for.
 */
static int serve_connection(struct mn_handler_ctx *ctx,
			    const struct mn_serve_opts *o, int fd)
{
	/* 12-byte generations number every frame, per direction, from 1. */
	uint32_t rx_seq = 0, tx_seq = 0, reply_id;
	enum gns_gen gen = o->gen;
	struct gns_frame f = { 0 };
	char what[256], err[1024];
	int ret;

	while (!stopping) {
		struct timespec t0;
		enum gns_kind kind;
		int32_t result;

		ret = gns_read_frame(fd, gen, &f);
		if (ret == 0) {
			mn_log(MN_LOG_INFO, "host closed the connection");
			break;
		}
		if (ret < 0) {
			if (errno != EINTR)
				mn_log(MN_LOG_WARN, "connection broken: %s",
				       errno == EPROTO ?
				       "the stream broke the framing" :
				       strerror(errno));
			ret = -1;
			break;
		}
		if (gen == GNS_GEN_AUTO) {
			gen = detect(&f);
			if (gen == GNS_GEN_AUTO) {
				ret = -1;
				break;
			}
		}
		if (gns_gen_hdr_len(gen) == 16) {
			if (f.hdr.step != GNS_STEP_REQUEST) {
				mn_log(MN_LOG_DEBUG, "skipping type %u step %u",
				       f.hdr.type, f.hdr.step);
				continue;
			}
			reply_id = f.hdr.id;
		} else {
			if (f.hdr.id != ++rx_seq) {
				mn_log(MN_LOG_WARN, "type %u has sequence number %u, not %u: dropping the connection",
				       f.hdr.type, f.hdr.id, rx_seq);
				ret = -1;
				break;
			}
			reply_id = ++tx_seq;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		kind = gns_kind_of(f.hdr.type, gen);
		err[0] = '\0';
		result = serve_request(ctx, &f, kind, what, sizeof(what),
				       err, sizeof(err));
		mn_log(MN_LOG_INFO, "%s%s%s -> %d (%.1f ms)%s%s",
		       gns_kind_name(kind), what[0] ? " " : "", what, result,
		       elapsed_ms(&t0), result == -1 ? ": " : "",
		       result == -1 ? err : "");
		if (send_reply(fd, gen, reply_id, result, err)) {
			mn_log(MN_LOG_WARN, "cannot reply: %s", strerror(errno));
			ret = -1;
			break;
		}
	}
	gns_frame_release(&f);
	close(fd);
	return stopping ? -1 : ret;
}

int mn_serve(const struct mn_serve_opts *o)
{
	struct mn_handler_ctx ctx = {
		.lookup_timeout_ms = o->lookup_timeout_ms,
		.resolv_conf = o->resolv_conf,
		.primary_table = MN_MAIN_TABLE,
	};
	struct sigaction sa = { .sa_handler = on_stop };
	unsigned int delay = BACKOFF_MIN_MS, attempt = 0;
	char err[200];

	/* No SA_RESTART: a stop signal interrupts a blocking read. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ctx.genl = mn_genl_open(FAMILY_WAIT_MS, err, sizeof(err));
	if (!ctx.genl)
		mn_log(MN_LOG_WARN, "%s; will try again with each request", err);

	if (o->fd >= 0) {
		/* An inherited socket cannot be reopened: end with it. */
		serve_connection(&ctx, o, o->fd);
		mn_genl_close(ctx.genl);
		return 0;
	}
	while (!stopping) {
		int fd;

		attempt++;
		mn_log(MN_LOG_INFO, "connecting to vsock %u:%u (attempt %u)",
		       o->cid, o->port, attempt);
		fd = vsock_connect(o->cid, o->port);
		if (fd < 0) {
			mn_log(MN_LOG_WARN, "cannot connect to vsock %u:%u: %s; next attempt in %u ms",
			       o->cid, o->port, strerror(errno), delay);
			gns_sleep_ms(delay);	/* a stop signal cuts it short */
			delay = delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
							     delay * 2;
			continue;
		}
		mn_log(MN_LOG_INFO, "connected to vsock %u:%u", o->cid, o->port);
		delay = BACKOFF_MIN_MS;
		attempt = 0;
		serve_connection(&ctx, o, fd);
	}
	mn_log(MN_LOG_INFO, "stopping");
	mn_genl_close(ctx.genl);
	return 0;
}
