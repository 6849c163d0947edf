// SPDX-License-Identifier: GPL-2.0
/*
 * mirrornet serve: answer the host's GNS requests one at a time, in
 * order, each after its work is done. One sd-event loop holds the GNS
 * channel and the stop signals, so a SIGTERM is never lost while a read
 * waits; a request in progress is finished and answered first.
 *
 * The channel is either inherited (WSL's launch contract: --socket, and
 * --dns_socket beside it; served until it closes, never reopened, since
 * the host assigns channels by accept order) or connected by vsock
 * (--vsock, and --dns-tunnel right after it; reconnected with backoff).
 * With a DNS channel the DNS tunnel runs beside GNS in its own thread
 * (tunnel.h) and lives exactly as long as the GNS connection.
 * Under systemd, ready.h tells it when the host's first configuration is
 * applied.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include <systemd/sd-event.h>

#include "gns/util.h"
#include "decode.h"
#include "handlers.h"
#include "log.h"
#include "ready.h"
#include "serve.h"
#include "tunnel.h"

#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000
/* A connection that lasted this long was not refused: back off anew. */
#define STABLE_MS	10000
/* A host that reads no reply for this long has gone. */
#define REPLY_TIMEOUT_MS 30000
/* Requests are a few KiB of JSON: a larger buffer is not kept. */
#define FRAME_KEEP	(64 * 1024)

struct serve {
	const struct mn_serve_opts *o;
	struct mn_handler_ctx ctx;
	sd_event *ev;
	sd_event_source *chan_src, *retry_src;
	sd_event_source *more_src;	/* serves a frame read ahead */
	int fd;				/* the GNS channel, or -1 */
	enum gns_gen gen;		/* of this connection */
	uint32_t rx_seq, tx_seq;	/* 12-byte generations */
	struct gns_frame f;
	struct mn_tunnel *tunnel;
	struct mn_ready *ready;		/* NULL when not under systemd */
	int64_t connected_at;
	unsigned int delay, attempt;
};

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

/* The reply, whole: the channel is non-blocking for reads. */
static int write_reply(int fd, const uint8_t *buf, size_t len)
{
	int64_t deadline = gns_now_ms() + REPLY_TIMEOUT_MS;

	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int64_t left = deadline - gns_now_ms();

		if (n >= 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -1;
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

static int send_reply(struct serve *s, uint32_t id, int32_t result,
		      const char *error)
{
	uint8_t buf[GNS_HDR_MAX + 4 + 1024];
	size_t len;

	len = gns_reply_encode(s->gen, id, result, result == -1 ? error : NULL,
			       buf, sizeof(buf));
	return len ? write_reply(s->fd, buf, len) : -1;
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
 * The host's generation from its first frame, read undetected (a 12-byte
 * header) and decoded again for it; false if the frame cannot tell.
 */
static bool detect(struct serve *s)
{
	struct gns_frame *f = &s->f;
	size_t len = f->hdr.size < 16 ? f->hdr.size : 16;
	bool text_old = decodes_as(f, GNS_GEN_12_OLD);
	bool text_new = decodes_as(f, GNS_GEN_12);
	const char *why = NULL;
	enum gns_gen gen;

	gen = gns_gen_detect(f->buf, len, text_old, text_new, &why);
	if (gen == GNS_GEN_AUTO) {
		mn_log(MN_LOG_ERR, "cannot tell the host's WSL version: %s (type %u, %u bytes); start with --wsl-version VERSION",
		       why, f->hdr.type, f->hdr.size);
		return false;
	}
	mn_log(MN_LOG_INFO, "host detected from its first frame: %s",
	       gns_gen_describe(gen));
	f->hdr_len = gns_gen_hdr_len(gen);
	gns_hdr_decode(gen, f->buf, &f->hdr);
	s->gen = gen;
	if (s->tunnel)
		mn_tunnel_set_gen(s->tunnel, gen);
	return true;
}

/*
 * The line for a request answered @result, described by @what or else
 * from @m (NULL: not decoded). Successes at debug level: a host's burst
 * is thousands of them, and journald's rate limit would drop the failures
 * with them. Formatted only when it is written.
 */
static void log_request(enum gns_kind kind, const struct gns_msg *m,
			const char *what, int32_t result, int64_t t0,
			const char *err)
{
	enum mn_log_level level = result == -1 ? MN_LOG_INFO : MN_LOG_DEBUG;
	char desc[256];

	if (!mn_log_enabled(level))
		return;
	if (!what[0] && m) {
		mn_describe(m, desc, sizeof(desc));
		what = desc;
	}
	mn_log(level, "%s%s%s -> %d (%lld ms)%s%s", gns_kind_name(kind),
	       what[0] ? " " : "", what, result,
	       (long long)(gns_now_ms() - t0), result == -1 ? ": " : "",
	       result == -1 ? err : "");
}

/*
 * Decode and carry out one request, and log it; the reply's result and
 * error text.
 */
static int32_t serve_request(struct mn_handler_ctx *ctx,
			     const struct gns_frame *f, enum gns_kind kind,
			     char *err, size_t errlen)
{
	char derr[GNS_ERR_LEN], what[256];
	int64_t t0 = gns_now_ms();
	struct gns_msg m;
	int32_t ret;

	what[0] = '\0';
	if (kind == GNS_KIND_UNKNOWN || kind == GNS_RESULT) {
		snprintf(err, errlen, "unexpected message type %u",
			 f->hdr.type);
		log_request(kind, NULL, what, -1, t0, err);
		return -1;
	}
	if (decode_frame(f, kind, &m, derr)) {
		snprintf(err, errlen, "%s: %s", gns_kind_name(kind), derr);
		log_request(kind, NULL, what, -1, t0, err);
		return -1;
	}
	ret = mn_handle(ctx, &m, what, sizeof(what), err, errlen);
	log_request(kind, &m, what, ret, t0, err);
	gns_msg_free(&m);
	return ret;
}

/*
 * One frame: exactly one reply to a request (unless the connection has to
 * be dropped), none to anything else.
 */
static int handle_frame(struct serve *s)
{
	struct gns_frame *f = &s->f;
	enum gns_kind kind;
	char err[1024];
	int32_t result;
	uint32_t id;

	if (s->gen == GNS_GEN_AUTO && !detect(s))
		return -1;
	if (gns_gen_hdr_len(s->gen) == 12) {
		/* 12-byte generations number every frame, per direction. */
		if (f->hdr.id != ++s->rx_seq) {
			mn_log(MN_LOG_WARN, "type %u has sequence number %u, not %u: dropping the connection",
			       f->hdr.type, f->hdr.id, s->rx_seq);
			return -1;
		}
		id = ++s->tx_seq;
	} else if (f->hdr.step != GNS_STEP_REQUEST) {
		mn_log(MN_LOG_DEBUG, "skipping type %u step %u", f->hdr.type,
		       f->hdr.step);
		return 0;
	} else {
		id = f->hdr.id;
	}
	kind = gns_kind_of(f->hdr.type, s->gen);
	err[0] = '\0';
	result = serve_request(&s->ctx, f, kind, err, sizeof(err));
	if (send_reply(s, id, result, err)) {
		mn_log(MN_LOG_WARN, "cannot reply: %s", strerror(errno));
		return -1;
	}
	mn_ready_answered(s->ready, kind);
	return 0;
}

static void schedule_connect(struct serve *s, unsigned int ms);

/* The GNS connection ended: @broken says whether it failed. */
static void connection_over(struct serve *s, bool broken)
{
	bool stable = gns_now_ms() - s->connected_at >= STABLE_MS;

	s->chan_src = sd_event_source_disable_unref(s->chan_src);
	sd_event_source_set_enabled(s->more_src, SD_EVENT_OFF);
	close(s->fd);
	s->fd = -1;
	gns_frame_release(&s->f);
	if (s->tunnel) {
		mn_tunnel_stop(s->tunnel);
		s->tunnel = NULL;
	}
	if (s->o->fd >= 0) {
		/* An inherited channel cannot be reopened: end with it. */
		sd_event_exit(s->ev, broken ? 1 : 0);
		return;
	}
	mn_ready_waiting(s->ready, 0);
	/* A host that accepts and closes at once must not make us spin. */
	if (stable)
		s->delay = BACKOFF_MIN_MS;
	mn_log(MN_LOG_INFO, "next connection attempt in %u ms", s->delay);
	schedule_connect(s, s->delay);
	if (!stable)
		s->delay = s->delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
							   s->delay * 2;
}

/*
 * One frame: what the last read took past its frame, else read (most
 * often in one read()). One frame per loop iteration, so that a pending
 * stop signal goes first; a frame read ahead cannot wait for the channel
 * to be readable, so more_src comes back for it in the next iteration.
 */
static void next_frame(struct serve *s)
{
	int r;

	do
		r = gns_read_frame_ahead(s->fd, s->gen, &s->f);
	while (r < 0 && errno == EINTR);
	if (r > 0) {
		if (handle_frame(s)) {
			connection_over(s, true);
			return;
		}
		gns_frame_trim(&s->f, FRAME_KEEP);
		if (s->f.ahead &&
		    sd_event_source_set_enabled(s->more_src,
						SD_EVENT_ONESHOT) < 0) {
			mn_log(MN_LOG_ERR, "sd-event: cannot serve the next frame");
			sd_event_exit(s->ev, 1);
		}
	} else if (r == 0) {
		mn_log(MN_LOG_INFO, "host closed the connection");
		connection_over(s, false);
	} else if (errno != EAGAIN) {
		mn_log(MN_LOG_WARN, "connection broken: %s",
		       errno == EPROTO ? "the stream broke the framing" :
		       strerror(errno));
		connection_over(s, true);
	}
}

static int on_channel(sd_event_source *src, int fd, uint32_t revents,
		      void *data)
{
	(void)src;
	(void)fd;
	(void)revents;
	next_frame(data);
	return 0;
}

static int on_more(sd_event_source *src, void *data)
{
	(void)src;
	next_frame(data);
	return 0;
}

/* Serve @fd, and @dns_fd (or -1) beside it; takes both. */
static int start_connection(struct serve *s, int fd, int dns_fd)
{
	int fl = fcntl(fd, F_GETFL);
	char err[256];
	int r;

	s->fd = fd;
	s->gen = s->o->gen;
	s->rx_seq = s->tx_seq = 0;
	s->connected_at = gns_now_ms();
	/* Every failure ends in connection_over(): one retry, backed off. */
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK)) {
		mn_log(MN_LOG_ERR, "GNS channel (fd %d): %s", fd,
		       strerror(errno));
		if (dns_fd >= 0)
			close(dns_fd);
		connection_over(s, true);
		return -1;
	}
	/* Listening before the first request, as WSL's gns (§1.4). */
	if (dns_fd >= 0) {
		s->tunnel = mn_tunnel_start(dns_fd, s->o->dns_ip, s->gen, err,
					    sizeof(err));
		if (!s->tunnel)
			mn_log(MN_LOG_ERR, "DNS tunneling off: %s", err);
	}
	r = sd_event_add_io(s->ev, &s->chan_src, fd, EPOLLIN, on_channel, s);
	if (r < 0) {
		mn_log(MN_LOG_ERR, "sd-event: %s", strerror(-r));
		connection_over(s, true);
		return -1;
	}
	mn_ready_connected(s->ready);
	return 0;
}

static int on_retry(sd_event_source *src, uint64_t usec, void *data)
{
	struct serve *s = data;
	const struct mn_serve_opts *o = s->o;
	int fd, dns_fd = -1;

	(void)src;
	(void)usec;
	s->attempt++;
	mn_log(MN_LOG_INFO, "connecting to vsock %u:%u (attempt %u)", o->cid,
	       o->port, s->attempt);
	fd = vsock_connect(o->cid, o->port);
	/* DNS right after GNS: a host tells them apart by accept order. */
	if (fd >= 0 && o->dns_vsock) {
		dns_fd = vsock_connect(o->dns_cid, o->dns_port);
		if (dns_fd < 0) {
			mn_log(MN_LOG_WARN, "cannot connect the DNS channel to vsock %u:%u: %s",
			       o->dns_cid, o->dns_port, strerror(errno));
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		mn_log(MN_LOG_WARN, "cannot connect to vsock %u:%u: %s; next attempt in %u ms",
		       o->cid, o->port, strerror(errno), s->delay);
		mn_ready_waiting(s->ready, s->attempt + 1);
		schedule_connect(s, s->delay);
		s->delay = s->delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
							   s->delay * 2;
		return 0;
	}
	mn_log(MN_LOG_INFO, "connected to vsock %u:%u", o->cid, o->port);
	s->attempt = 0;
	/* a failure has scheduled the next attempt already */
	start_connection(s, fd, dns_fd);
	return 0;
}

static void schedule_connect(struct serve *s, unsigned int ms)
{
	int r;

	if (s->retry_src)
		r = sd_event_source_set_time_relative(s->retry_src,
						      ms * 1000ULL);
	else
		/* 1 ms accuracy: sd-event's default would add up to 250. */
		r = sd_event_add_time_relative(s->ev, &s->retry_src,
					       CLOCK_MONOTONIC, ms * 1000ULL,
					       1000, on_retry, s);
	if (r >= 0)
		r = sd_event_source_set_enabled(s->retry_src,
						SD_EVENT_ONESHOT);
	if (r < 0) {
		mn_log(MN_LOG_ERR, "sd-event: %s", strerror(-r));
		sd_event_exit(s->ev, 1);
	}
}

static int on_stop(sd_event_source *src, const struct signalfd_siginfo *si,
		   void *data)
{
	struct serve *s = data;

	(void)src;
	mn_log(MN_LOG_INFO, "stopping on signal %u", si->ssi_signo);
	mn_ready_stopping(s->ready);
	return sd_event_exit(s->ev, 0);
}

int mn_serve(const struct mn_serve_opts *o)
{
	struct serve s = {
		.o = o, .fd = -1, .delay = BACKOFF_MIN_MS,
		.ctx = {
			.lookup_timeout_ms = o->lookup_timeout_ms,
			.resolv_conf = o->resolv_conf,
			.primary_table = MN_MAIN_TABLE,
		},
	};
	sd_event_source *sig[2] = { NULL, NULL };
	int stops[2] = { SIGTERM, SIGINT };
	int r = 0, code = 1;
	char host[64];
	sigset_t mask;
	size_t i;

	/*
	 * Blocked from here on, in every thread: signalfd takes them. A
	 * stray SIGHUP must not end mirroring; a closed peer is seen as an
	 * error, not SIGPIPE.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	if (o->fd >= 0 && fcntl(o->fd, F_GETFD) < 0) {
		mn_log(MN_LOG_ERR, "--socket %d: %s", o->fd, strerror(errno));
		return -1;
	}
	if (o->dns_fd >= 0 && fcntl(o->dns_fd, F_GETFD) < 0) {
		mn_log(MN_LOG_ERR, "--dns_socket %d: %s", o->dns_fd,
		       strerror(errno));
		return -1;
	}
	r = sd_event_new(&s.ev);
	for (i = 0; r >= 0 && i < 2; i++) {
		r = sd_event_add_signal(s.ev, &sig[i], stops[i], on_stop, &s);
		if (r >= 0)
			r = sd_event_source_set_priority(sig[i],
						SD_EVENT_PRIORITY_IMPORTANT);
	}
	if (r >= 0)
		r = sd_event_add_defer(s.ev, &s.more_src, on_more, &s);
	if (r >= 0)
		r = sd_event_source_set_enabled(s.more_src, SD_EVENT_OFF);
	if (r < 0) {
		mn_log(MN_LOG_ERR, "sd-event: %s", strerror(-r));
		goto out;
	}
	if (o->fd >= 0)
		snprintf(host, sizeof(host), "the inherited channel (fd %d)",
			 o->fd);
	else
		snprintf(host, sizeof(host), "vsock %u:%u", o->cid, o->port);
	s.ready = mn_ready_new(s.ev, host);
	if (o->fd >= 0) {
		if (start_connection(&s, o->fd, o->dns_fd))
			goto out;
	} else {
		schedule_connect(&s, 0);
	}
	r = sd_event_loop(s.ev);
	code = r < 0 ? 1 : r;
	if (r < 0)
		mn_log(MN_LOG_ERR, "sd-event: %s", strerror(-r));
out:
	if (s.fd >= 0) {
		sd_event_source_disable_unref(s.chan_src);
		close(s.fd);
		gns_frame_release(&s.f);
	}
	if (s.tunnel)
		mn_tunnel_stop(s.tunnel);
	mn_ready_free(s.ready);
	sd_event_source_disable_unref(s.more_src);
	sd_event_source_disable_unref(s.retry_src);
	for (i = 0; i < 2; i++)
		sd_event_source_disable_unref(sig[i]);
	sd_event_unref(s.ev);
	mn_genl_close(s.ctx.genl);
	return code ? -1 : 0;
}
