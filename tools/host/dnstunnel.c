// SPDX-License-Identifier: GPL-2.0
/*
 * The host's end of the DNS channel, and the test DNS server. One poll()
 * loop per thread: the channel, the stop descriptor and every upstream
 * query in flight, each with its deadline.
 *
 * Frames are checked as WSL's host checks them (wsl-dns-tunneling §2.3,
 * §2.7): a per-direction sequence number from 1, step 0, the DnsTunneling
 * type; a frame that fails is dropped with a log line and the next one is
 * read. Where WSL's host differs: a frame shorter than its identifier is
 * dropped here (WSL stops reading the channel), a protocol other than TCP
 * and UDP is dropped with a log line (WSL resolves it as UDP), and a
 * broken stream (bad size, EOF inside a frame) ends the DNS side here
 * (WSL keeps reading a stream it can no longer frame).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gns/dns.h"
#include "dnstunnel.h"
#include "gns/util.h"

#define DNS_BUF		(2 + MH_DNS_TCP_MAX)
#define FRAME_BUF	(GNS_HDR_MAX + GNS_DNS_IDENT_LEN + DNS_BUF)
#define DNS_HDR_LEN	12
#define CHANNEL_WRITE_MS 10000	/* a guest that stops reading breaks it */

enum up_state { UP_FREE, UP_CONNECTING, UP_SENDING, UP_RECEIVING };

/* One query forwarded upstream. */
struct upstream {
	enum up_state state;
	int fd;
	uint8_t proto;
	uint32_t client_id;
	uint16_t dns_id;	/* UDP: answers with another id are ignored */
	int64_t deadline;
	uint8_t *buf;		/* TCP: the query, then the answer */
	size_t len, done;
};

struct mh_dns {
	struct mh_dns_config cfg;
	int fd;
	uint32_t in_seq, out_seq;
	struct gns_frame frame;
	struct upstream up[MH_DNS_MAX_PENDING];
	size_t n_up;		/* slots in use */
	uint8_t *ans;		/* DNS_BUF */
	uint8_t *out;		/* FRAME_BUF */
	char upstream_text[INET6_ADDRSTRLEN + 8];
	struct mh_dns_stats stats;
	pthread_t thread;
	int stop_pipe[2];
	int result;
};

static void dns_log(FILE *log, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dns_log(FILE *log, const char *fmt, ...)
{
	va_list ap;

	flockfile(log);
	fputs("mirrornet-host: dns: ", log);
	va_start(ap, fmt);
	vfprintf(log, fmt, ap);
	va_end(ap);
	fputc('\n', log);
	fflush(log);
	funlockfile(log);
}

static const char *proto_name(uint8_t proto)
{
	return proto == GNS_DNS_PROTO_TCP ? "tcp" : "udp";
}

int mh_dns_parse_addr(const char *spec, unsigned int port,
		      struct sockaddr_storage *sa, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN];
	bool bracketed = spec[0] == '[';
	const char *colon = NULL;
	size_t hlen;

	memset(sa, 0, sizeof(*sa));
	if (bracketed) {
		const char *end = strchr(spec, ']');

		if (!end || (end[1] && end[1] != ':'))
			return -1;
		hlen = (size_t)(end - spec - 1);
		spec++;
		colon = end[1] ? end + 1 : NULL;
	} else {
		colon = strchr(spec, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;	/* a bare IPv6 address */
		hlen = colon ? (size_t)(colon - spec) : strlen(spec);
	}
	if (!hlen || hlen >= sizeof(host))
		return -1;
	memcpy(host, spec, hlen);
	host[hlen] = 0;
	if (colon) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(colon + 1, &end, 10);
		if (colon[1] < '0' || colon[1] > '9' || *end || errno ||
		    v > 65535)
			return -1;
		port = (unsigned int)v;
	}
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)sa)->sin_addr)) {
		struct sockaddr_in *a = (struct sockaddr_in *)sa;

		if (bracketed)
			return -1;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
		return 0;
	}
	if (inet_pton(AF_INET6, host,
		      &((struct sockaddr_in6 *)sa)->sin6_addr)) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)sa;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		return 0;
	}
	return -1;
}

/* "IP:PORT" or "[IPv6]:PORT" of @sa into @out. */
static void addr_text(const struct sockaddr_storage *sa, char *out,
		      size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		snprintf(out, size, "%s:%u", ip, ntohs(a->sin_port));
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		snprintf(out, size, "[%s]:%u", ip, ntohs(a->sin6_port));
	}
}

/*
 * Write all of @len bytes to the non-blocking @fd, waiting at most
 * @timeout_ms for room; 0, or -1 with errno (ETIMEDOUT).
 */
static int write_wait(int fd, const uint8_t *buf, size_t len, long timeout_ms)
{
	int64_t deadline = gns_now_ms() + timeout_ms;

	while (len) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		int64_t left;

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		left = deadline - gns_now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -1;
	}
	return 0;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* ------------------------------------------------------ the DNS channel */

struct mh_dns *mh_dns_new(int fd, const struct mh_dns_config *cfg)
{
	struct mh_dns *d = calloc(1, sizeof(*d));
	size_t i;

	if (!d)
		return NULL;
	d->ans = malloc(DNS_BUF);
	d->out = malloc(FRAME_BUF);
	if (!d->ans || !d->out || set_nonblock(fd) < 0) {
		free(d->ans);
		free(d->out);
		free(d);
		return NULL;
	}
	d->cfg = *cfg;
	if (!d->cfg.log)
		d->cfg.log = stderr;
	if (d->cfg.timeout_ms <= 0)
		d->cfg.timeout_ms = MH_DNS_TIMEOUT_MS;
	if (!cfg->zone)
		addr_text(&cfg->upstream, d->upstream_text,
			  sizeof(d->upstream_text));
	d->fd = fd;
	d->stop_pipe[0] = d->stop_pipe[1] = -1;
	for (i = 0; i < MH_DNS_MAX_PENDING; i++)
		d->up[i].fd = -1;
	return d;
}

static void up_release(struct mh_dns *d, struct upstream *u)
{
	if (u->fd >= 0)
		close(u->fd);
	free(u->buf);
	memset(u, 0, sizeof(*u));
	u->fd = -1;
	d->n_up--;
}

void mh_dns_free(struct mh_dns *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < MH_DNS_MAX_PENDING; i++)
		if (d->up[i].state != UP_FREE)
			up_release(d, &d->up[i]);
	if (d->fd >= 0)
		close(d->fd);
	gns_frame_release(&d->frame);
	free(d->ans);
	free(d->out);
	free(d);
}

void mh_dns_get_stats(const struct mh_dns *d, struct mh_dns_stats *s)
{
	*s = d->stats;
}

/* Send @len bytes of answer @data to the guest; 0, or -1: broken. */
static int send_answer(struct mh_dns *d, uint8_t proto, uint32_t client_id,
		       const uint8_t *data, size_t len)
{
	struct gns_dns_msg m = {
		.proto = proto, .client_id = client_id, .data = data,
		.len = len,
	};
	size_t n = gns_dns_encode(d->cfg.gen, d->out_seq + 1, &m, d->out,
				  FRAME_BUF);

	if (!n) {
		dns_log(d->cfg.log, "%s client %" PRIu32 ": an answer of %zu "
			"bytes does not fit a frame: dropped",
			proto_name(proto), client_id, len);
		d->stats.dropped++;
		return 0;
	}
	/* Counted as sent even if the write fails, as WSL does (§2.3). */
	d->out_seq++;
	if (write_wait(d->fd, d->out, n, CHANNEL_WRITE_MS) < 0) {
		dns_log(d->cfg.log, "writing to the DNS channel: %s",
			strerror(errno));
		return -1;
	}
	d->stats.answered++;
	if (d->cfg.verbose)
		dns_log(d->cfg.log, "%s client %" PRIu32 ": answered, %zu "
			"bytes", proto_name(proto), client_id, len);
	return 0;
}

static void drop(struct mh_dns *d, const struct gns_dns_msg *m,
		 const char *why)
{
	dns_log(d->cfg.log, "%s client %" PRIu32 ": %s: dropped",
		proto_name(m->proto), m->client_id, why);
	d->stats.dropped++;
}

static int answer_from_zone(struct mh_dns *d, const struct gns_dns_msg *m)
{
	bool tcp = m->proto == GNS_DNS_PROTO_TCP;
	const uint8_t *q = tcp ? m->data + 2 : m->data;
	size_t qlen = tcp ? m->len - 2 : m->len;
	const char *why = NULL;
	long n;

	n = mh_zone_answer(d->cfg.zone, q, qlen, tcp ? MH_DNS_TCP_MAX : 0,
			   d->ans + 2, DNS_BUF - 2, &why);
	if (n < 0) {
		drop(d, m, why);
		return 0;
	}
	if (!n) {
		d->stats.silent++;
		if (d->cfg.verbose)
			dns_log(d->cfg.log, "%s client %" PRIu32 ": a name the "
				"zone never answers", proto_name(m->proto),
				m->client_id);
		return 0;
	}
	gns_put_be16(d->ans, (uint16_t)n);
	return tcp ? send_answer(d, m->proto, m->client_id, d->ans,
				 (size_t)n + 2) :
		     send_answer(d, m->proto, m->client_id, d->ans + 2,
				 (size_t)n);
}

static void forward(struct mh_dns *d, const struct gns_dns_msg *m)
{
	bool tcp = m->proto == GNS_DNS_PROTO_TCP;
	struct upstream *u = NULL;
	size_t i;
	int r;

	for (i = 0; i < MH_DNS_MAX_PENDING && !u; i++)
		if (d->up[i].state == UP_FREE)
			u = &d->up[i];
	if (!u) {
		drop(d, m, "too many queries in flight");
		return;
	}
	u->fd = socket(d->cfg.upstream.ss_family,
		       (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK |
		       SOCK_CLOEXEC, 0);
	if (u->fd < 0) {
		drop(d, m, strerror(errno));
		return;
	}
	d->n_up++;
	u->proto = m->proto;
	u->client_id = m->client_id;
	u->deadline = gns_now_ms() + d->cfg.timeout_ms;
	r = connect(u->fd, (const struct sockaddr *)&d->cfg.upstream,
		    d->cfg.upstream_len);
	if (!tcp) {
		u->dns_id = gns_get_be16(m->data);
		if (r < 0 || send(u->fd, m->data, m->len, 0) < 0) {
			drop(d, m, strerror(errno));
			up_release(d, u);
			return;
		}
		u->state = UP_RECEIVING;
		return;
	}
	if (r < 0 && errno != EINPROGRESS) {
		drop(d, m, strerror(errno));
		up_release(d, u);
		return;
	}
	u->buf = malloc(DNS_BUF);
	if (!u->buf) {
		drop(d, m, "out of memory");
		up_release(d, u);
		return;
	}
	memcpy(u->buf, m->data, m->len);
	u->len = m->len;
	u->state = UP_CONNECTING;
}

/* One frame from the guest. 0, or -1 when the channel broke. */
static int handle_frame(struct mh_dns *d)
{
	const struct gns_frame *f = &d->frame;
	struct gns_dns_msg m;
	enum gns_dns_err err;

	d->stats.frames++;
	d->in_seq++;
	if (f->hdr.id != d->in_seq) {
		dns_log(d->cfg.log, "frame with sequence number %" PRIu32
			", expected %" PRIu32 ": dropped", f->hdr.id,
			d->in_seq);
		d->stats.dropped++;
		return 0;
	}
	err = gns_dns_decode(d->cfg.gen, f, &m);
	if (err != GNS_DNS_OK) {
		dns_log(d->cfg.log, "frame %" PRIu32 " (type %" PRIu32 ", %"
			PRIu32 " bytes): %s: dropped", f->hdr.id, f->hdr.type,
			f->hdr.size, gns_dns_strerror(err));
		d->stats.dropped++;
		return 0;
	}
	if (m.proto == GNS_DNS_PROTO_TCP &&
	    (m.len < 3 || gns_get_be16(m.data) != m.len - 2)) {
		drop(d, &m, "its length prefix does not match the frame");
		return 0;
	}
	/* forward() reads the query's id; the zone needs a header too. */
	if (m.len < (m.proto == GNS_DNS_PROTO_TCP ? 2u : 0u) + DNS_HDR_LEN) {
		drop(d, &m, "shorter than a DNS header");
		return 0;
	}
	if (d->cfg.verbose)
		dns_log(d->cfg.log, "%s client %" PRIu32 ": query of %zu bytes",
			proto_name(m.proto), m.client_id, m.len);
	if (d->cfg.zone)
		return answer_from_zone(d, &m);
	forward(d, &m);
	return 0;
}

static void up_fail(struct mh_dns *d, struct upstream *u, const char *why)
{
	dns_log(d->cfg.log, "%s client %" PRIu32 ": upstream %s: %s: not "
		"answered", proto_name(u->proto), u->client_id,
		d->upstream_text, why);
	d->stats.dropped++;
	up_release(d, u);
}

/* Progress on an upstream socket; 0, or -1 when the channel broke. */
static int up_event(struct mh_dns *d, struct upstream *u, short revents)
{
	uint8_t proto = u->proto;
	uint32_t client_id = u->client_id;
	ssize_t n;
	int err = 0, r;

	if (u->state == UP_CONNECTING) {
		socklen_t len = sizeof(err);

		if (getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			up_fail(d, u, strerror(err));
			return 0;
		}
		u->state = UP_SENDING;
	}
	if (u->state == UP_SENDING) {
		n = send(u->fd, u->buf + u->done, u->len - u->done,
			 MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			up_fail(d, u, strerror(errno));
			return 0;
		}
		if (n > 0)
			u->done += (size_t)n;
		if (u->done == u->len) {
			u->state = UP_RECEIVING;
			u->done = 0;
			u->len = 2;	/* the answer's prefix first */
		}
		return 0;
	}
	if (!(revents & (POLLIN | POLLERR | POLLHUP)))
		return 0;
	if (proto == GNS_DNS_PROTO_UDP) {
		n = recv(u->fd, d->ans, DNS_BUF, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0) {
			up_fail(d, u, strerror(errno));
			return 0;
		}
		/* Not an answer to this query: keep waiting for it. */
		if (n < 12 || gns_get_be16(d->ans) != u->dns_id ||
		    !(d->ans[2] & 0x80))
			return 0;
		up_release(d, u);
		return send_answer(d, proto, client_id, d->ans, (size_t)n);
	}
	n = recv(u->fd, u->buf + u->done, u->len - u->done, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		up_fail(d, u, n ? strerror(errno) : "closed before answering");
		return 0;
	}
	u->done += (size_t)n;
	if (u->done < u->len)
		return 0;
	if (u->len == 2) {
		u->len = 2 + (size_t)gns_get_be16(u->buf);
		if (u->len == 2)
			up_fail(d, u, "an empty answer");
		return 0;
	}
	r = send_answer(d, proto, client_id, u->buf, u->len);
	up_release(d, u);
	return r;
}

/* Read every whole frame the channel has; 1 more, 0 closed, -1 broken. */
static int read_channel(struct mh_dns *d)
{
	for (;;) {
		int r = gns_read_frame(d->fd, d->cfg.gen, &d->frame);

		if (r > 0 && d->stats.frames + 1 == d->cfg.close_after) {
			dns_log(d->cfg.log, "closing the DNS channel at frame "
				"%zu, as asked", d->cfg.close_after);
			close(d->fd);
			d->fd = -1;
			return 0;
		}
		if (r > 0) {
			if (handle_frame(d) < 0)
				return -1;
			continue;
		}
		if (!r) {
			dns_log(d->cfg.log, "the guest closed the DNS channel");
			return 0;
		}
		if (errno == EAGAIN || errno == EINTR)
			return 1;
		dns_log(d->cfg.log, "the DNS channel is broken: %s",
			errno == EPROTO ? "a frame of a bad size" :
			strerror(errno));
		return -1;
	}
}

int mh_dns_run(struct mh_dns *d, int stop_fd)
{
	struct pollfd p[2 + MH_DNS_MAX_PENDING];
	struct upstream *owner[MH_DNS_MAX_PENDING];

	for (;;) {
		int64_t now = gns_now_ms(), next = -1;
		nfds_t n = 2, i;
		int r;

		p[0] = (struct pollfd){ .fd = d->fd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = stop_fd, .events = POLLIN };
		for (i = 0; i < MH_DNS_MAX_PENDING; i++) {
			struct upstream *u = &d->up[i];

			if (u->state == UP_FREE)
				continue;
			if (u->deadline <= now) {
				dns_log(d->cfg.log, "%s client %" PRIu32 ": "
					"upstream %s: no answer within %ld "
					"ms: not answered",
					proto_name(u->proto), u->client_id,
					d->upstream_text, d->cfg.timeout_ms);
				d->stats.timed_out++;
				up_release(d, u);
				continue;
			}
			if (next < 0 || u->deadline < next)
				next = u->deadline;
			owner[n - 2] = u;
			p[n++] = (struct pollfd){
				.fd = u->fd,
				.events = u->state == UP_RECEIVING ? POLLIN :
					  POLLOUT,
			};
		}
		r = poll(p, n, next < 0 ? -1 : (int)(next - now + 1));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			dns_log(d->cfg.log, "poll: %s", strerror(errno));
			return -1;
		}
		if (p[1].revents)
			return 0;
		for (i = 2; i < n; i++)
			if (p[i].revents && up_event(d, owner[i - 2],
						     p[i].revents) < 0)
				return -1;
		if (p[0].revents) {
			r = read_channel(d);
			if (r <= 0)
				return r;
		}
	}
}

static void *dns_thread(void *arg)
{
	struct mh_dns *d = arg;

	d->result = mh_dns_run(d, d->stop_pipe[0]);
	return NULL;
}

int mh_dns_start(struct mh_dns *d)
{
	sigset_t block, old;
	int r;

	if (pipe2(d->stop_pipe, O_CLOEXEC) < 0)
		return -1;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	r = pthread_create(&d->thread, NULL, dns_thread, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		close(d->stop_pipe[0]);
		close(d->stop_pipe[1]);
		d->stop_pipe[0] = d->stop_pipe[1] = -1;
		errno = r;
		return -1;
	}
	return 0;
}

int mh_dns_stop(struct mh_dns *d)
{
	if (d->stop_pipe[1] < 0)
		return 0;
	close(d->stop_pipe[1]);	/* readable: EOF */
	pthread_join(d->thread, NULL);
	close(d->stop_pipe[0]);
	d->stop_pipe[0] = d->stop_pipe[1] = -1;
	return d->result;
}

/* ----------------------------------------------------- the test server */

/* as many as the engine opens: one upstream connection per TCP query */
#define SERVE_MAX_CONNS	MH_DNS_MAX_PENDING

struct conn {
	int fd;
	uint8_t *buf;		/* DNS_BUF */
	size_t have;
};

static void conn_close(struct conn *c)
{
	close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
	c->have = 0;
}

/* Answer the whole queries in @c's buffer; -1 when @c is to be closed. */
static int conn_answer(struct conn *c, const struct mh_zone *zone,
		       uint8_t *ans, FILE *log)
{
	for (;;) {
		const char *why;
		size_t want;
		long n;

		if (c->have < 2)
			return 0;
		want = 2 + (size_t)gns_get_be16(c->buf);
		if (want == 2)
			return -1;	/* a zero-length query */
		if (c->have < want)
			return 0;
		n = mh_zone_answer(zone, c->buf + 2, want - 2, MH_DNS_TCP_MAX,
				   ans + 2, DNS_BUF - 2, &why);
		if (n < 0)
			dns_log(log, "serve: tcp query: %s: dropped", why);
		if (n > 0) {
			gns_put_be16(ans, (uint16_t)n);
			if (write_wait(c->fd, ans, (size_t)n + 2, 5000) < 0)
				return -1;
		}
		memmove(c->buf, c->buf + want, c->have - want);
		c->have -= want;
	}
}

static int serve_sockets(const struct sockaddr_storage *addr, socklen_t len,
			 int *udp, int *tcp, struct sockaddr_storage *bound)
{
	socklen_t blen = sizeof(*bound);
	int one = 1;

	*udp = socket(addr->ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
		      SOCK_CLOEXEC, 0);
	*tcp = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		      SOCK_CLOEXEC, 0);
	if (*udp < 0 || *tcp < 0 ||
	    bind(*udp, (const struct sockaddr *)addr, len) < 0 ||
	    getsockname(*udp, (struct sockaddr *)bound, &blen) < 0)
		return -1;
	/* The UDP port, picked or given, for TCP too. */
	setsockopt(*tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(*tcp, (const struct sockaddr *)bound, blen) < 0 ||
	    listen(*tcp, 64) < 0)
		return -1;
	return 0;
}

/* A new connection into a free slot, or refused when there is none. */
static void serve_accept(int tcp, struct conn *conns, FILE *log)
{
	int fd = accept4(tcp, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	size_t i;

	if (fd < 0)
		return;
	for (i = 0; i < SERVE_MAX_CONNS; i++) {
		if (conns[i].fd >= 0)
			continue;
		uint8_t *buf = malloc(DNS_BUF);

		if (!buf)
			break;
		conns[i] = (struct conn){ .fd = fd, .buf = buf };
		return;
	}
	dns_log(log, "serve: no room for another tcp connection");
	close(fd);
}

int mh_dns_serve(const struct sockaddr_storage *addr, socklen_t len,
		 const struct mh_zone *zone, int stop_fd, FILE *log)
{
	struct pollfd p[3 + SERVE_MAX_CONNS];
	struct conn conns[SERVE_MAX_CONNS];
	struct sockaddr_storage bound;
	char text[INET6_ADDRSTRLEN + 8];
	uint8_t *q = malloc(DNS_BUF), *ans = malloc(DNS_BUF);
	int udp = -1, tcp = -1, r = -1;
	size_t i;

	for (i = 0; i < SERVE_MAX_CONNS; i++)
		conns[i].fd = -1;
	if (!q || !ans) {
		dns_log(log, "serve: out of memory");
		goto out;
	}
	addr_text(addr, text, sizeof(text));
	if (serve_sockets(addr, len, &udp, &tcp, &bound) < 0) {
		dns_log(log, "serve: cannot listen on %s: %s", text,
			strerror(errno));
		goto out;
	}
	addr_text(&bound, text, sizeof(text));
	dns_log(log, "serving on %s (udp and tcp)", text);
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		const char *why;
		nfds_t n = 3;
		ssize_t got;
		long alen;

		p[0] = (struct pollfd){ .fd = stop_fd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = udp, .events = POLLIN };
		p[2] = (struct pollfd){ .fd = tcp, .events = POLLIN };
		for (i = 0; i < SERVE_MAX_CONNS; i++)
			p[3 + i] = (struct pollfd){ .fd = conns[i].fd,
						    .events = POLLIN };
		n += SERVE_MAX_CONNS;
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			dns_log(log, "serve: poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents) {
			r = 0;
			break;
		}
		got = p[1].revents ? recvfrom(udp, q, DNS_BUF, 0,
					      (struct sockaddr *)&from, &flen) :
				     -1;
		if (got >= 0) {
			alen = mh_zone_answer(zone, q, (size_t)got, 0, ans,
					      DNS_BUF, &why);
			if (alen < 0)
				dns_log(log, "serve: udp query: %s: dropped",
					why);
			if (alen > 0)
				sendto(udp, ans, (size_t)alen, 0,
				       (struct sockaddr *)&from, flen);
		}
		if (p[2].revents)
			serve_accept(tcp, conns, log);
		for (i = 0; i < SERVE_MAX_CONNS; i++) {
			struct conn *c = &conns[i];

			if (c->fd < 0 || !p[3 + i].revents)
				continue;
			got = recv(c->fd, c->buf + c->have, DNS_BUF - c->have,
				   0);
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (got <= 0) {
				conn_close(c);
				continue;
			}
			c->have += (size_t)got;
			if (conn_answer(c, zone, ans, log) < 0)
				conn_close(c);
		}
	}
	for (i = 0; i < SERVE_MAX_CONNS; i++)
		if (conns[i].fd >= 0)
			conn_close(&conns[i]);
out:
	if (udp >= 0)
		close(udp);
	if (tcp >= 0)
		close(tcp);
	free(q);
	free(ans);
	return r;
}
