// SPDX-License-Identifier: GPL-2.0
/*
 * The host's end of the DNS channel, and the test DNS server. One poll()
 * loop per thread: the channel, the stop descriptor, one UDP socket and
 * one TCP connection upstream shared by every query in flight, and the
 * deadline of the oldest query.
 *
 * Upstream, each query carries an id of the host's own, drawn at random
 * among those not pending, and its answer gets the guest's id back: two
 * guests may ask with the same id at once, and on the shared socket an
 * answer is taken only with an id pending there and the QR bit set (a
 * spoofer has to guess the id). TCP queries are pipelined on the one
 * connection (RFC 7766) and matched by id, in any order; when the
 * upstream closes it, the queries sent on it are sent again once on a
 * fresh one.
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
#include <sys/random.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gns/dns.h"
#include "dnstunnel.h"
#include "gns/util.h"

#define DNS_BUF		(2 + MH_DNS_TCP_MAX)
#define FRAME_BUF	(GNS_HDR_MAX + GNS_DNS_IDENT_LEN + DNS_BUF)
#define DNS_HDR_LEN	12
#define CHANNEL_WRITE_MS 10000	/* a guest that stops reading breaks it */
#define NO_SLOT		(-1)
#define SEND_BATCH	64	/* TCP queries per sendmsg() */
#define RANDOM_IDS	128	/* per getrandom(): 256 bytes, not cut */

enum slot_state {
	SLOT_FREE,
	SLOT_UDP,		/* sent on the UDP socket */
	SLOT_TCP_QUEUED,	/* waiting for the TCP connection */
	SLOT_TCP_SENT,		/* written to it whole */
};

/* One query forwarded upstream, until its answer or its deadline. */
struct slot {
	enum slot_state state;
	uint8_t proto;
	bool resent;		/* TCP: sent again, its connection closed */
	uint16_t guest_dns_id;	/* put back into the answer */
	uint16_t up_dns_id;	/* the id it carries upstream */
	uint32_t client_id;
	int64_t deadline;
	int older, newer;	/* age order: the oldest is due first */
	int next;		/* the free list, or the TCP send queue */
	uint8_t *query;		/* TCP: as sent upstream, prefixed */
	size_t len;
};

/* The one upstream TCP connection, opened when a query needs it. */
struct up_tcp {
	int fd;			/* -1: none */
	bool connecting;
	int head, tail;		/* the send queue */
	size_t head_sent;	/* bytes of the head's query written */
	uint8_t *in;		/* DNS_BUF: answers read, prefix first */
	size_t have;
};

struct mh_dns {
	struct mh_dns_config cfg;
	int fd;
	uint32_t in_seq, out_seq;
	struct gns_frame frame;
	struct slot slot[MH_DNS_MAX_PENDING];
	int free_slot, oldest, newest;
	uint16_t slot_of_id[65536];	/* upstream DNS id: slot index + 1 */
	uint16_t random_ids[RANDOM_IDS];
	size_t n_random;
	int udp;		/* connected upstream, -1 until needed */
	struct up_tcp tcp;
	uint8_t *ans;		/* DNS_BUF */
	uint8_t *out;		/* FRAME_BUF: answer frames to write */
	size_t out_len, out_frames;
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
	int i;

	if (!d)
		return NULL;
	d->ans = malloc(DNS_BUF);
	d->out = malloc(FRAME_BUF);
	d->tcp.in = malloc(DNS_BUF);
	if (!d->ans || !d->out || !d->tcp.in || set_nonblock(fd) < 0) {
		free(d->ans);
		free(d->out);
		free(d->tcp.in);
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
	d->udp = d->tcp.fd = -1;
	d->tcp.head = d->tcp.tail = NO_SLOT;
	d->oldest = d->newest = NO_SLOT;
	for (i = 0; i < MH_DNS_MAX_PENDING; i++)
		d->slot[i].next = i + 1 < MH_DNS_MAX_PENDING ? i + 1 : NO_SLOT;
	return d;
}

/* Take @s (TCP_QUEUED) out of the send queue. */
static void sendq_unlink(struct mh_dns *d, struct slot *s)
{
	int i = (int)(s - d->slot), prev = NO_SLOT, at;

	for (at = d->tcp.head; at != i; at = d->slot[at].next)
		prev = at;
	if (prev == NO_SLOT)
		d->tcp.head = s->next;
	else
		d->slot[prev].next = s->next;
	if (d->tcp.tail == i)
		d->tcp.tail = prev;
}

static void sendq_append(struct mh_dns *d, struct slot *s)
{
	int i = (int)(s - d->slot);

	s->state = SLOT_TCP_QUEUED;
	s->next = NO_SLOT;
	if (d->tcp.tail == NO_SLOT)
		d->tcp.head = i;
	else
		d->slot[d->tcp.tail].next = i;
	d->tcp.tail = i;
}

static void tcp_close(struct mh_dns *d, const char *why);

static void slot_release(struct mh_dns *d, struct slot *s)
{
	int i = (int)(s - d->slot);

	if (s->state == SLOT_TCP_QUEUED) {
		bool half_written = d->tcp.head == i && d->tcp.head_sent;

		sendq_unlink(d, s);
		s->state = SLOT_FREE;	/* tcp_close() must not queue it */
		/* It cannot leave the stream half written: the stream goes. */
		if (half_written)
			tcp_close(d, "a query timed out half written");
	}
	d->slot_of_id[s->up_dns_id] = 0;
	if (s->older == NO_SLOT)
		d->oldest = s->newer;
	else
		d->slot[s->older].newer = s->newer;
	if (s->newer == NO_SLOT)
		d->newest = s->older;
	else
		d->slot[s->newer].older = s->older;
	free(s->query);
	*s = (struct slot){ .state = SLOT_FREE, .next = d->free_slot };
	d->free_slot = i;
}

void mh_dns_free(struct mh_dns *d)
{
	int i;

	if (!d)
		return;
	for (i = 0; i < MH_DNS_MAX_PENDING; i++)
		free(d->slot[i].query);
	if (d->udp >= 0)
		close(d->udp);
	if (d->tcp.fd >= 0)
		close(d->tcp.fd);
	if (d->fd >= 0)
		close(d->fd);
	gns_frame_release(&d->frame);
	free(d->tcp.in);
	free(d->ans);
	free(d->out);
	free(d);
}

void mh_dns_get_stats(const struct mh_dns *d, struct mh_dns_stats *s)
{
	*s = d->stats;
}

/* Write the answer frames gathered so far; 0, or -1: broken. */
static int flush_answers(struct mh_dns *d)
{
	if (!d->out_len)
		return 0;
	if (write_wait(d->fd, d->out, d->out_len, CHANNEL_WRITE_MS) < 0) {
		dns_log(d->cfg.log, "writing to the DNS channel: %s",
			strerror(errno));
		return -1;
	}
	d->stats.answered += d->out_frames;
	d->out_len = d->out_frames = 0;
	return 0;
}

/*
 * Frame @len bytes of answer @data for the guest, written with the others
 * of this wake-up by flush_answers(); 0, or -1: broken.
 */
static int send_answer(struct mh_dns *d, uint8_t proto, uint32_t client_id,
		       const uint8_t *data, size_t len)
{
	struct gns_dns_msg m = {
		.proto = proto, .client_id = client_id, .data = data,
		.len = len,
	};
	size_t n = gns_dns_encode(d->cfg.gen, d->out_seq + 1, &m,
				  d->out + d->out_len, FRAME_BUF - d->out_len);

	if (!n && d->out_len) {
		if (flush_answers(d) < 0)
			return -1;
		n = gns_dns_encode(d->cfg.gen, d->out_seq + 1, &m, d->out,
				   FRAME_BUF);
	}
	if (!n) {
		dns_log(d->cfg.log, "%s client %" PRIu32 ": an answer of %zu "
			"bytes does not fit a frame: dropped",
			proto_name(proto), client_id, len);
		d->stats.dropped++;
		return 0;
	}
	/* Counted as sent even if the write fails, as WSL does (§2.3). */
	d->out_seq++;
	d->out_len += n;
	d->out_frames++;
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

static void up_fail(struct mh_dns *d, struct slot *s, const char *why)
{
	dns_log(d->cfg.log, "%s client %" PRIu32 ": upstream %s: %s: not "
		"answered", proto_name(s->proto), s->client_id,
		d->upstream_text, why);
	d->stats.dropped++;
	slot_release(d, s);
}

/* Every query in @state fails with @why. */
static void fail_all(struct mh_dns *d, enum slot_state state, const char *why)
{
	int i, next;

	for (i = d->oldest; i != NO_SLOT; i = next) {
		next = d->slot[i].newer;
		if (d->slot[i].state == state)
			up_fail(d, &d->slot[i], why);
	}
}

/*
 * An upstream id that no pending query carries, from getrandom(); -1
 * with errno if there is no randomness.
 */
static int draw_dns_id(struct mh_dns *d)
{
	for (;;) {
		uint16_t id;

		if (!d->n_random) {
			if (getrandom(d->random_ids, sizeof(d->random_ids), 0) <
			    (ssize_t)sizeof(d->random_ids))
				return -1;
			d->n_random = RANDOM_IDS;
		}
		id = d->random_ids[--d->n_random];
		if (!d->slot_of_id[id])
			return id;
	}
}

static int upstream_socket(struct mh_dns *d, int type)
{
	int fd = socket(d->cfg.upstream.ss_family,
			type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&d->cfg.upstream,
		    d->cfg.upstream_len) < 0 && errno != EINPROGRESS) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Open the TCP connection for the queued queries; they fail if it cannot. */
static void tcp_open(struct mh_dns *d)
{
	d->tcp.have = d->tcp.head_sent = 0;
	d->tcp.fd = upstream_socket(d, SOCK_STREAM);
	if (d->tcp.fd < 0) {
		fail_all(d, SLOT_TCP_QUEUED, strerror(errno));
		return;
	}
	d->tcp.connecting = true;
}

/*
 * The TCP connection ended (@why). The queries written to it are sent
 * again on a fresh one, once: the second time they fail; the queued ones
 * wait for the fresh one. All keep their ids and deadlines.
 */
static void tcp_close(struct mh_dns *d, const char *why)
{
	int i, next;

	close(d->tcp.fd);
	d->tcp.fd = -1;
	d->tcp.head = d->tcp.tail = NO_SLOT;
	d->tcp.head_sent = 0;
	for (i = d->oldest; i != NO_SLOT; i = next) {
		struct slot *s = &d->slot[i];

		next = s->newer;
		if (s->state == SLOT_TCP_SENT && s->resent) {
			up_fail(d, s, why);
			continue;
		}
		if (s->state == SLOT_TCP_SENT)
			s->resent = true;
		if (s->state == SLOT_TCP_SENT || s->state == SLOT_TCP_QUEUED)
			sendq_append(d, s);
	}
	if (d->tcp.head != NO_SLOT)
		tcp_open(d);
}

/* Write what the send queue holds, as much as the connection takes. */
static void tcp_flush(struct mh_dns *d)
{
	while (d->tcp.head != NO_SLOT) {
		struct iovec iov[SEND_BATCH];
		struct msghdr msg = { .msg_iov = iov };
		size_t off = d->tcp.head_sent;
		ssize_t n;
		int i;

		for (i = d->tcp.head;
		     i != NO_SLOT && msg.msg_iovlen < SEND_BATCH;
		     i = d->slot[i].next, off = 0)
			iov[msg.msg_iovlen++] = (struct iovec){
				.iov_base = d->slot[i].query + off,
				.iov_len = d->slot[i].len - off,
			};
		n = sendmsg(d->tcp.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			tcp_close(d, strerror(errno));
			return;
		}
		d->tcp.head_sent += (size_t)n;
		while (d->tcp.head != NO_SLOT &&
		       d->tcp.head_sent >= d->slot[d->tcp.head].len) {
			struct slot *s = &d->slot[d->tcp.head];

			d->tcp.head_sent -= s->len;
			d->tcp.head = s->next;
			s->state = SLOT_TCP_SENT;
		}
		if (d->tcp.head == NO_SLOT)
			d->tcp.tail = NO_SLOT;
	}
}

/*
 * @len bytes from upstream @a, its DNS header at @hdr_off: the answer to
 * a query in @state, sent on to the guest with the guest's id; anything
 * else is ignored. 0, or -1 when the channel broke.
 */
static int take_answer(struct mh_dns *d, enum slot_state state, uint8_t *a,
		       size_t len, size_t hdr_off)
{
	uint8_t *hdr = a + hdr_off;
	uint32_t client_id;
	uint8_t proto;
	int i;

	if (len < hdr_off + DNS_HDR_LEN || !(hdr[2] & 0x80))
		return 0;
	i = d->slot_of_id[gns_get_be16(hdr)] - 1;
	if (i < 0 || d->slot[i].state != state)
		return 0;
	proto = d->slot[i].proto;
	client_id = d->slot[i].client_id;
	gns_put_be16(hdr, d->slot[i].guest_dns_id);
	slot_release(d, &d->slot[i]);
	return send_answer(d, proto, client_id, a, len);
}

/* The UDP socket is readable; 0, or -1 when the channel broke. */
static int udp_event(struct mh_dns *d)
{
	int i;

	/* Every answer there, up to as many as may be pending. */
	for (i = 0; i < MH_DNS_MAX_PENDING; i++) {
		ssize_t n = recv(d->udp, d->ans, DNS_BUF, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		/* An ICMP error: it came for the upstream, not one query. */
		if (n < 0) {
			fail_all(d, SLOT_UDP, strerror(errno));
			continue;
		}
		if (take_answer(d, SLOT_UDP, d->ans, (size_t)n, 0) < 0)
			return -1;
	}
	return 0;
}

/* Progress on the TCP connection; 0, or -1 when the channel broke. */
static int tcp_event(struct mh_dns *d, short revents)
{
	struct up_tcp *t = &d->tcp;
	size_t used = 0;
	ssize_t n;

	if (t->connecting) {
		socklen_t len = sizeof(int);
		int err = 0;

		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return 0;
		if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		t->connecting = false;
		/* The queries resent after a closed connection fail too. */
		if (err) {
			close(t->fd);
			t->fd = -1;
			fail_all(d, SLOT_TCP_QUEUED, strerror(err));
			return 0;
		}
	}
	if (revents & POLLOUT)
		tcp_flush(d);
	if (t->fd < 0 || !(revents & (POLLIN | POLLERR | POLLHUP)))
		return 0;
	n = recv(t->fd, t->in + t->have, DNS_BUF - t->have, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		tcp_close(d, n ? strerror(errno) : "closed before answering");
		return 0;
	}
	t->have += (size_t)n;
	/* Each whole answer; DNS_BUF holds the longest. */
	while (t->have - used >= 2) {
		size_t len = 2 + (size_t)gns_get_be16(t->in + used);

		if (t->have - used < len)
			break;
		if (take_answer(d, SLOT_TCP_SENT, t->in + used, len, 2) < 0)
			return -1;
		used += len;
	}
	memmove(t->in, t->in + used, t->have - used);
	t->have -= used;
	return 0;
}

static int udp_send(struct mh_dns *d, uint16_t id, const uint8_t *q,
		    size_t len)
{
	uint8_t hdr_id[2];
	struct iovec iov[2] = {
		{ .iov_base = hdr_id, .iov_len = 2 },
		{ .iov_base = (void *)(q + 2), .iov_len = len - 2 },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

	gns_put_be16(hdr_id, id);
	return sendmsg(d->udp, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static void forward(struct mh_dns *d, const struct gns_dns_msg *m)
{
	bool tcp = m->proto == GNS_DNS_PROTO_TCP;
	const uint8_t *q = tcp ? m->data + 2 : m->data;
	uint8_t *copy = NULL;
	struct slot *s;
	int i, id;

	if (d->free_slot == NO_SLOT) {
		drop(d, m, "too many queries in flight");
		return;
	}
	if (!tcp && d->udp < 0) {
		d->udp = upstream_socket(d, SOCK_DGRAM);
		if (d->udp < 0) {
			drop(d, m, strerror(errno));
			return;
		}
	}
	id = draw_dns_id(d);
	if (id < 0) {
		drop(d, m, strerror(errno));
		return;
	}
	if (tcp) {
		copy = malloc(m->len);
		if (!copy) {
			drop(d, m, "out of memory");
			return;
		}
		memcpy(copy, m->data, m->len);
		gns_put_be16(copy + 2, (uint16_t)id);
	} else {
		int r = udp_send(d, (uint16_t)id, q, m->len);

		/* An ICMP error of an earlier query, not of this one. */
		if (r < 0 && errno == ECONNREFUSED) {
			fail_all(d, SLOT_UDP, strerror(errno));
			r = udp_send(d, (uint16_t)id, q, m->len);
		}
		if (r < 0) {
			drop(d, m, strerror(errno));
			return;
		}
	}
	/* Taken only now: fail_all() above may have freed slots. */
	i = d->free_slot;
	s = &d->slot[i];
	d->free_slot = s->next;
	s->state = SLOT_UDP;
	s->query = copy;
	s->len = m->len;
	s->proto = m->proto;
	s->guest_dns_id = gns_get_be16(q);
	s->up_dns_id = (uint16_t)id;
	s->client_id = m->client_id;
	s->deadline = gns_now_ms() + d->cfg.timeout_ms;
	d->slot_of_id[id] = (uint16_t)(i + 1);
	s->older = d->newest;
	s->newer = NO_SLOT;
	if (d->newest == NO_SLOT)
		d->oldest = i;
	else
		d->slot[d->newest].newer = i;
	d->newest = i;
	if (!tcp)
		return;
	sendq_append(d, s);
	if (d->tcp.fd < 0)
		tcp_open(d);
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

/*
 * Read the whole frames the channel has, a buffer at a time; 1 more, 0
 * closed, -1 broken.
 */
static int read_channel(struct mh_dns *d)
{
	for (;;) {
		int r = gns_read_frame_ahead(d->fd, d->cfg.gen, &d->frame);

		if (r > 0 && d->stats.frames + 1 == d->cfg.close_after) {
			dns_log(d->cfg.log, "closing the DNS channel at frame "
				"%zu, as asked", d->cfg.close_after);
			if (flush_answers(d) < 0)
				return -1;
			close(d->fd);
			d->fd = -1;
			return 0;
		}
		if (r > 0) {
			if (handle_frame(d) < 0)
				return -1;
			/* Nothing read past it: poll() says when more is. */
			if (!d->frame.ahead)
				return 1;
			continue;
		}
		if (!r) {
			dns_log(d->cfg.log, "the guest closed the DNS channel");
			return flush_answers(d);
		}
		if (errno == EAGAIN || errno == EINTR)
			return 1;
		dns_log(d->cfg.log, "the DNS channel is broken: %s",
			errno == EPROTO ? "a frame of a bad size" :
			strerror(errno));
		return -1;
	}
}

/* Give up the queries past their deadline; the next deadline, or -1. */
static int64_t expire(struct mh_dns *d, int64_t now)
{
	while (d->oldest != NO_SLOT) {
		struct slot *s = &d->slot[d->oldest];

		if (s->deadline > now)
			return s->deadline;
		dns_log(d->cfg.log, "%s client %" PRIu32 ": upstream %s: no "
			"answer within %ld ms: not answered",
			proto_name(s->proto), s->client_id, d->upstream_text,
			d->cfg.timeout_ms);
		d->stats.timed_out++;
		slot_release(d, s);
	}
	return -1;
}

int mh_dns_run(struct mh_dns *d, int stop_fd)
{
	for (;;) {
		int64_t now = gns_now_ms(), next = expire(d, now);
		struct pollfd p[4] = {
			{ .fd = d->fd, .events = POLLIN },
			{ .fd = stop_fd, .events = POLLIN },
			{ .fd = d->udp, .events = POLLIN },
			{ .fd = d->tcp.fd, .events = POLLIN },
		};
		int r;

		if (d->tcp.connecting || d->tcp.head != NO_SLOT)
			p[3].events |= POLLOUT;
		r = poll(p, 4, next < 0 ? -1 : (int)(next - now + 1));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			dns_log(d->cfg.log, "poll: %s", strerror(errno));
			return -1;
		}
		if (p[1].revents)
			return 0;
		if (p[2].revents && udp_event(d) < 0)
			return -1;
		if (p[3].revents && tcp_event(d, p[3].revents) < 0)
			return -1;
		if (p[0].revents) {
			r = read_channel(d);
			if (r <= 0)
				return r;
		}
		if (d->tcp.fd >= 0 && !d->tcp.connecting)
			tcp_flush(d);
		if (flush_answers(d) < 0)
			return -1;
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

/* as many as the tests open at once */
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
