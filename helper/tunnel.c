// SPDX-License-Identifier: GPL-2.0
/*
 * The guest DNS server of WSL's DNS tunneling (wsl-dns-tunneling §3, §6).
 * Clients ask on the tunneling address, port 53, UDP or TCP; each query
 * becomes one DnsTunneling frame to the host with a client identifier
 * (UDP: one id per datagram; TCP: one id per connection, the payload with
 * its length prefix), and each answer goes back to the client whose
 * identifier it carries. Unlike WSL's server, every resource is bounded:
 * UDP queries in flight, their age, TCP connections, their idle time and
 * buffers, and the queue to the host; answers for clients that are gone
 * are dropped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <systemd/sd-event.h>

#include "gns/dns.h"
#include "gns/util.h"
#include "log.h"
#include "rtlink.h"
#include "tunnel.h"

#define UDP_SLOTS	4096		/* UDP queries in flight, newest kept */
#define UDP_TTL_MS	30000		/* an answer later than this is dropped */
#define UDP_BUF		65535		/* any datagram fits: never truncated */
#define UDP_BATCH	8		/* datagrams per recvmmsg() */
#define TCP_MAX_CONNS	256		/* then the least recently active goes */
#define TCP_IDLE_MS	60000
#define TCP_OUT_MAX	(256 * 1024)	/* answers a client has not read */
#define QUEUE_MAX	(1024 * 1024)	/* queries waiting for the channel */
#define SWEEP_MS	5000
#define BATCH		64		/* reads per wake-up, for fairness */
#define TCP_IN_START	512		/* a client's buffer; a longer query grows it */
#define FRAME_CAP	(GNS_HDR_MAX + GNS_DNS_IDENT_LEN + GNS_DNS_MAX_PAYLOAD)
#define LOG_BURST	10		/* log lines per kind and window */
#define LOG_WINDOW_MS	10000

struct ratelimit {
	const char *what;
	int64_t start;
	unsigned int n, suppressed;
};

struct udp_slot {
	bool used;
	uint32_t id;
	int64_t at;
	struct sockaddr_in addr;
};

struct tcp_conn {
	struct mn_tunnel *t;
	struct tcp_conn *prev, *next;	/* least recently active first */
	uint32_t id;
	int fd;
	sd_event_source *src;
	int64_t active;
	uint8_t *in;			/* queries read, prefix first */
	size_t in_have, in_cap;
	uint8_t *out;			/* answers not yet written */
	size_t out_off, out_len;
};

struct query {				/* waiting for the DNS channel */
	struct query *next;
	uint8_t proto;
	uint32_t client_id;
	size_t len;
	uint8_t data[];
};

struct mn_tunnel {
	int chan, udp, tcp, wake;
	int lo;
	struct in_addr ip;
	char ipstr[INET_ADDRSTRLEN];
	bool added;			/* the address is ours to remove */
	atomic_int want_gen;
	atomic_bool stopping;
	pthread_t thread;

	/* Everything below belongs to the thread once it runs. */
	sd_event *ev;
	sd_event_source *chan_src, *udp_src, *tcp_src, *wake_src, *sweep_src;
	enum gns_gen gen;
	bool chan_down;

	struct query *qhead, **qtail;	/* not framed yet */
	size_t queued;
	uint8_t frame[FRAME_CAP];	/* frames being written, one send */
	size_t frame_off, frame_len;
	uint32_t tx_seq, rx_seq;
	struct gns_frame rx;

	uint8_t udp_buf[UDP_BATCH][UDP_BUF];
	struct udp_slot slots[UDP_SLOTS];
	uint32_t udp_next, tcp_next;
	struct tcp_conn *conns, *conns_tail;
	unsigned int nconns;

	struct ratelimit rl_frame, rl_drop;
};

/* At most LOG_BURST lines per window, then one line with the count. */
static bool rl_pass(struct ratelimit *r)
{
	int64_t now = gns_now_ms();

	if (now - r->start >= LOG_WINDOW_MS) {
		if (r->suppressed)
			mn_log(MN_LOG_WARN, "DNS tunnel: %u more %s not logged",
			       r->suppressed, r->what);
		r->start = now;
		r->n = 0;
		r->suppressed = 0;
	}
	if (r->n < LOG_BURST) {
		r->n++;
		return true;
	}
	r->suppressed++;
	return false;
}

#define rl_log(r, fmt, ...)						\
	do {								\
		if (rl_pass(r))						\
			mn_log(MN_LOG_WARN, "DNS tunnel: " fmt,		\
			       ##__VA_ARGS__);				\
	} while (0)

/* One RTM_NEWADDR or RTM_DELADDR of @ip/32 on @ifindex; 0 or -errno. */
static int addr_change(int type, int ifindex, struct in_addr ip)
{
	char err[256];

	return rt_addr(type, ifindex, ip, err, sizeof(err));
}

static int listener(int type, struct in_addr ip)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET, .sin_port = htons(53), .sin_addr = ip,
	};
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	/* A TCP restart must not wait out TIME_WAIT of the last run. */
	if (type == SOCK_STREAM &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)))
		goto fail;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	if (type == SOCK_STREAM && listen(fd, 1000))
		goto fail;
	return fd;
fail:
	{
		int e = errno;

		close(fd);
		errno = e;
	}
	return -1;
}

/* --- to the host ---------------------------------------------------- */

static void channel_down(struct mn_tunnel *t, const char *why);

/*
 * Frame a query after the frames waiting in t->frame; false when there is
 * no room left there. A query no frame can carry is dropped (logged).
 */
static bool frame_query(struct mn_tunnel *t, uint8_t proto,
			uint32_t client_id, const uint8_t *data, size_t len)
{
	struct gns_dns_msg m = {
		.proto = proto, .client_id = client_id, .data = data,
		.len = len,
	};
	size_t n;

	if (t->frame_off == t->frame_len)
		t->frame_off = t->frame_len = 0;
	/* Ids 1, 2, 3, ... with no gap (§2.3). */
	n = gns_dns_encode(t->gen, t->tx_seq + 1, &m, t->frame + t->frame_len,
			   sizeof(t->frame) - t->frame_len);
	if (n) {
		t->tx_seq++;
		t->frame_len += n;
		return true;
	}
	if (t->frame_len)
		return false;
	rl_log(&t->rl_drop, "%s query of %zu bytes does not fit a frame: dropped",
	       proto == GNS_DNS_PROTO_UDP ? "UDP" : "TCP", len);
	return true;
}

/*
 * Write the frames, framing the queued queries as room frees up, until
 * the channel would block: the queries of one wake-up go in one send.
 */
static void flush_channel(struct mn_tunnel *t)
{
	if (t->chan_down || t->gen == GNS_GEN_AUTO)
		return;
	for (;;) {
		struct query *q;
		ssize_t n;

		while ((q = t->qhead) && frame_query(t, q->proto, q->client_id,
						     q->data, q->len)) {
			t->qhead = q->next;
			if (!t->qhead)
				t->qtail = &t->qhead;
			t->queued -= q->len;
			free(q);
		}
		if (t->frame_off == t->frame_len)
			break;
		n = send(t->chan, t->frame + t->frame_off,
			 t->frame_len - t->frame_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			sd_event_source_set_io_events(t->chan_src,
						      EPOLLIN | EPOLLOUT);
			return;
		}
		if (n < 0) {
			channel_down(t, strerror(errno));
			return;
		}
		t->frame_off += (size_t)n;
	}
	sd_event_source_set_io_events(t->chan_src, EPOLLIN);
}

/*
 * One query for the host: framed at once, or queued behind the others
 * while the generation is unknown or the frames wait. flush_channel()
 * writes it. False (logged) if it was dropped.
 */
static bool forward(struct mn_tunnel *t, uint8_t proto, uint32_t client_id,
		    const uint8_t *data, size_t len)
{
	struct query *q;

	if (!t->qhead && !t->chan_down && t->gen != GNS_GEN_AUTO &&
	    frame_query(t, proto, client_id, data, len))
		return true;
	if (t->queued + len > QUEUE_MAX) {
		rl_log(&t->rl_drop, "%zu bytes wait for the host already: %s query dropped",
		       t->queued, proto == GNS_DNS_PROTO_UDP ? "UDP" : "TCP");
		return false;
	}
	q = malloc(sizeof(*q) + len);
	if (!q) {
		rl_log(&t->rl_drop, "out of memory: query dropped");
		return false;
	}
	q->next = NULL;
	q->proto = proto;
	q->client_id = client_id;
	q->len = len;
	memcpy(q->data, data, len);
	*t->qtail = q;
	t->qtail = &q->next;
	t->queued += len;
	return true;
}

/* --- TCP clients ---------------------------------------------------- */

static void conn_close(struct tcp_conn *c)
{
	struct mn_tunnel *t = c->t;

	if (c->prev)
		c->prev->next = c->next;
	else
		t->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		t->conns_tail = c->prev;
	t->nconns--;
	sd_event_source_disable_unref(c->src);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

/* Mark @c active: it moves to the end of the eviction order. */
static void conn_touch(struct tcp_conn *c)
{
	struct mn_tunnel *t = c->t;

	c->active = gns_now_ms();
	if (t->conns_tail == c)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		t->conns = c->next;
	c->next->prev = c->prev;
	c->prev = t->conns_tail;
	c->next = NULL;
	t->conns_tail->next = c;
	t->conns_tail = c;
}

/* Write pending answers; false if @c was closed. */
static bool conn_flush(struct tcp_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			sd_event_source_set_io_events(c->src,
						      EPOLLIN | EPOLLOUT);
			return true;
		}
		if (n < 0) {
			conn_close(c);
			return false;
		}
		c->out_off += (size_t)n;
		conn_touch(c);
	}
	c->out_off = c->out_len = 0;
	sd_event_source_set_io_events(c->src, EPOLLIN);
	return true;
}

/*
 * Every whole query in @c's buffer to the host (the payload keeps its
 * length prefix, §2.5), with room made for a longer one; false if @c
 * was closed.
 */
static bool conn_queries(struct tcp_conn *c)
{
	struct mn_tunnel *t = c->t;
	size_t used = 0, want = 0;

	while (c->in_have - used >= 2) {
		want = 2 + (size_t)gns_get_be16(c->in + used);
		if (want == 2) {
			rl_log(&t->rl_drop, "TCP client %u sent an empty query: closed",
			       c->id);
			conn_close(c);
			return false;
		}
		if (c->in_have - used < want)
			break;
		forward(t, GNS_DNS_PROTO_TCP, c->id, c->in + used, want);
		used += want;
	}
	memmove(c->in, c->in + used, c->in_have - used);
	c->in_have -= used;
	if (c->in_have >= 2 && want > c->in_cap) {
		uint8_t *in = realloc(c->in, want);

		if (!in) {
			conn_close(c);
			return false;
		}
		c->in = in;
		c->in_cap = want;
	}
	return true;
}

/* Read what has arrived; every whole query goes to the host. */
static void conn_read(struct tcp_conn *c)
{
	struct mn_tunnel *t = c->t;
	int i;

	for (i = 0; i < BATCH; i++) {
		size_t room = c->in_cap - c->in_have;
		ssize_t n = recv(c->fd, c->in + c->in_have, room, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			conn_close(c);
			break;
		}
		conn_touch(c);
		c->in_have += (size_t)n;
		if (!conn_queries(c))
			break;
		/* Less than there was room for: nothing more for now. */
		if ((size_t)n < room)
			break;
	}
	flush_channel(t);
}

static int on_conn(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct tcp_conn *c = data;

	(void)s;
	(void)fd;
	if ((revents & EPOLLOUT) && !conn_flush(c))
		return 0;
	if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_read(c);
	return 0;
}

static void accept_one(struct mn_tunnel *t, int fd)
{
	struct tcp_conn *c = calloc(1, sizeof(*c));

	if (!c || !(c->in = malloc(TCP_IN_START)) ||
	    sd_event_add_io(t->ev, &c->src, fd, EPOLLIN, on_conn, c) < 0) {
		if (c)
			free(c->in);
		free(c);
		close(fd);
		rl_log(&t->rl_drop, "out of memory: TCP connection closed");
		return;
	}
	if (t->nconns == TCP_MAX_CONNS) {
		rl_log(&t->rl_drop, "%u TCP connections open: the least recently active closed",
		       TCP_MAX_CONNS);
		conn_close(t->conns);
	}
	c->t = t;
	c->fd = fd;
	c->id = t->tcp_next++;
	c->in_cap = TCP_IN_START;
	c->active = gns_now_ms();
	c->prev = t->conns_tail;
	if (t->conns_tail)
		t->conns_tail->next = c;
	else
		t->conns = c;
	t->conns_tail = c;
	t->nconns++;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct mn_tunnel *t = data;
	int i;

	(void)s;
	(void)revents;
	for (i = 0; i < BATCH; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				rl_log(&t->rl_drop, "accept: %s",
				       strerror(errno));
			if (errno != EINTR && errno != ECONNABORTED)
				return 0;
			continue;
		}
		accept_one(t, cfd);
	}
	return 0;
}

/* --- UDP clients ---------------------------------------------------- */

static void udp_query(struct mn_tunnel *t, const struct sockaddr_in *sa,
		      const uint8_t *data, size_t len)
{
	struct udp_slot *slot;

	if (!len || sa->sin_family != AF_INET ||
	    !forward(t, GNS_DNS_PROTO_UDP, t->udp_next, data, len))
		return;
	/* The slot of a query UDP_SLOTS older is taken over. */
	slot = &t->slots[t->udp_next % UDP_SLOTS];
	*slot = (struct udp_slot){
		.used = true, .id = t->udp_next, .at = gns_now_ms(),
		.addr = *sa,
	};
	t->udp_next++;
}

static int on_udp(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct mn_tunnel *t = data;
	struct sockaddr_in sa[UDP_BATCH];
	struct mmsghdr mm[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
	int i, n, round;

	(void)s;
	(void)revents;
	for (round = 0; round < BATCH / UDP_BATCH; round++) {
		for (i = 0; i < UDP_BATCH; i++) {
			iov[i] = (struct iovec){
				.iov_base = t->udp_buf[i], .iov_len = UDP_BUF,
			};
			mm[i] = (struct mmsghdr){ .msg_hdr = {
				.msg_name = &sa[i],
				.msg_namelen = sizeof(sa[i]),
				.msg_iov = &iov[i], .msg_iovlen = 1,
			} };
		}
		n = recvmmsg(fd, mm, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN)
				rl_log(&t->rl_drop, "UDP receive: %s",
				       strerror(errno));
			break;
		}
		for (i = 0; i < n; i++)
			udp_query(t, &sa[i], t->udp_buf[i], mm[i].msg_len);
		/* Fewer than asked for: nothing more for now. */
		if (n < UDP_BATCH)
			break;
	}
	flush_channel(t);
	return 0;
}

/* --- from the host -------------------------------------------------- */

static void answer_udp(struct mn_tunnel *t, const struct gns_dns_msg *m)
{
	struct udp_slot *slot = &t->slots[m->client_id % UDP_SLOTS];

	if (!slot->used || slot->id != m->client_id) {
		mn_log(MN_LOG_DEBUG, "DNS tunnel: answer for UDP query %u, which is not waiting: dropped",
		       m->client_id);
		return;
	}
	slot->used = false;
	if (gns_now_ms() - slot->at > UDP_TTL_MS) {
		mn_log(MN_LOG_DEBUG, "DNS tunnel: answer for UDP query %u after %d s: dropped",
		       m->client_id, UDP_TTL_MS / 1000);
		return;
	}
	/* As WSL does: the answer as the host sent it, in one datagram. */
	if (sendto(t->udp, m->data, m->len, MSG_DONTWAIT | MSG_NOSIGNAL,
		   (struct sockaddr *)&slot->addr, sizeof(slot->addr)) < 0)
		rl_log(&t->rl_drop, "cannot send a %zu-byte UDP answer: %s",
		       m->len, strerror(errno));
}

static void answer_tcp(struct mn_tunnel *t, const struct gns_dns_msg *m)
{
	struct tcp_conn *c;
	size_t pending;

	/* Written unchanged, so it must carry its own length prefix. */
	if (m->len < 3 || gns_get_be16(m->data) != m->len - 2) {
		rl_log(&t->rl_frame, "malformed frame %u: a TCP answer of %zu bytes without its length prefix: dropped",
		       t->rx_seq, m->len);
		return;
	}
	for (c = t->conns; c && c->id != m->client_id; c = c->next)
		;
	if (!c) {
		mn_log(MN_LOG_DEBUG, "DNS tunnel: answer for TCP connection %u, which is closed: dropped",
		       m->client_id);
		return;
	}
	pending = c->out_len - c->out_off;
	if (pending + m->len > TCP_OUT_MAX) {
		rl_log(&t->rl_drop, "TCP client %u leaves %zu bytes of answers unread: closed",
		       c->id, pending);
		conn_close(c);
		return;
	}
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_off = 0;
		c->out_len = pending;
	}
	{
		uint8_t *out = realloc(c->out, pending + m->len);

		if (!out) {
			conn_close(c);
			return;
		}
		c->out = out;
	}
	memcpy(c->out + c->out_len, m->data, m->len);
	c->out_len += m->len;
	conn_flush(c);
}

static void answer(struct mn_tunnel *t)
{
	uint32_t id = t->rx.hdr.id, want = t->rx_seq + 1;
	struct gns_dns_msg m;
	enum gns_dns_err err;

	/*
	 * WSL drops a frame out of sequence and keeps counting, so a host
	 * that skips one id (its counter moves even when a write fails,
	 * §2.3) loses every later answer. Here only frames that do not move
	 * forward are dropped; a gap is logged and the count follows.
	 */
	if ((int32_t)(id - t->rx_seq) <= 0) {
		rl_log(&t->rl_frame, "frame %u repeats an earlier id (want %u): dropped",
		       id, want);
		return;
	}
	if (id != want)
		rl_log(&t->rl_frame, "frame %u: frames %u to %u never came",
		       id, want, id - 1);
	t->rx_seq = id;
	err = gns_dns_decode(t->gen, &t->rx, &m);
	if (err != GNS_DNS_OK) {
		rl_log(&t->rl_frame, "malformed frame %u (type %u, %u bytes): %s: dropped",
		       id, t->rx.hdr.type, t->rx.hdr.size,
		       gns_dns_strerror(err));
		return;
	}
	if (m.proto == GNS_DNS_PROTO_UDP)
		answer_udp(t, &m);
	else
		answer_tcp(t, &m);
}

/*
 * The host closed the DNS channel or broke its framing. GNS goes on; the
 * listeners close so that clients are refused at once rather than left to
 * time out (WSL keeps them open and forwards into the void).
 */
static void channel_down(struct mn_tunnel *t, const char *why)
{
	struct query *q;

	if (t->chan_down)
		return;
	t->chan_down = true;
	mn_log(MN_LOG_WARN, "DNS tunnel: channel %s; %s:53 closed, the GNS channel goes on",
	       why, t->ipstr);
	sd_event_source_set_enabled(t->chan_src, SD_EVENT_OFF);
	t->udp_src = sd_event_source_disable_unref(t->udp_src);
	t->tcp_src = sd_event_source_disable_unref(t->tcp_src);
	close(t->udp);
	close(t->tcp);
	t->udp = t->tcp = -1;
	while (t->conns)
		conn_close(t->conns);
	while ((q = t->qhead)) {
		t->qhead = q->next;
		free(q);
	}
	t->qtail = &t->qhead;
	t->queued = 0;
}

static int on_channel(sd_event_source *s, int fd, uint32_t revents,
		      void *data)
{
	struct mn_tunnel *t = data;

	(void)s;
	if (revents & EPOLLOUT)
		flush_channel(t);
	/* Every frame of what one read brings; the next read, next time. */
	while (!t->chan_down) {
		int r = gns_read_frame_ahead(fd, t->gen, &t->rx);

		if (r > 0) {
			answer(t);
			if (t->rx.ahead)
				continue;
			/* An oversized frame does not keep its buffer. */
			gns_frame_trim(&t->rx, FRAME_CAP);
			break;
		} else if (!r) {
			channel_down(t, "closed by the host");
		} else if (errno == EAGAIN) {
			break;
		} else if (errno != EINTR) {
			channel_down(t, errno == EPROTO ?
				     "broke the framing" : strerror(errno));
		}
	}
	return 0;
}

/* --- life cycle ----------------------------------------------------- */

static int on_sweep(sd_event_source *s, uint64_t usec, void *data)
{
	struct mn_tunnel *t = data;
	int64_t now = gns_now_ms();

	(void)usec;
	while (t->conns && now - t->conns->active > TCP_IDLE_MS) {
		mn_log(MN_LOG_DEBUG, "DNS tunnel: TCP client %u idle for %d s: closed",
		       t->conns->id, TCP_IDLE_MS / 1000);
		conn_close(t->conns);
	}
	sd_event_source_set_time_relative(s, SWEEP_MS * 1000ULL);
	return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static int on_wake(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct mn_tunnel *t = data;
	uint64_t v;

	(void)s;
	(void)revents;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return 0;
	if (atomic_load(&t->stopping))
		return sd_event_exit(t->ev, 0);
	if (t->gen == GNS_GEN_AUTO &&
	    atomic_load(&t->want_gen) != GNS_GEN_AUTO) {
		t->gen = atomic_load(&t->want_gen);
		sd_event_source_set_enabled(t->chan_src, SD_EVENT_ON);
		flush_channel(t);
	}
	return 0;
}

static void *run(void *data)
{
	struct mn_tunnel *t = data;
	int r = sd_event_loop(t->ev);

	if (r < 0)
		mn_log(MN_LOG_ERR, "DNS tunnel: event loop: %s", strerror(-r));
	return NULL;
}

static void release(struct mn_tunnel *t)
{
	struct query *q;
	int r;

	while (t->conns)
		conn_close(t->conns);
	while ((q = t->qhead)) {
		t->qhead = q->next;
		free(q);
	}
	sd_event_source_disable_unref(t->chan_src);
	sd_event_source_disable_unref(t->udp_src);
	sd_event_source_disable_unref(t->tcp_src);
	sd_event_source_disable_unref(t->wake_src);
	sd_event_source_disable_unref(t->sweep_src);
	sd_event_unref(t->ev);
	gns_frame_release(&t->rx);
	if (t->udp >= 0)
		close(t->udp);
	if (t->tcp >= 0)
		close(t->tcp);
	if (t->wake >= 0)
		close(t->wake);
	close(t->chan);
	if (t->added) {
		r = addr_change(RTM_DELADDR, t->lo, t->ip);
		if (r)
			mn_log(MN_LOG_WARN, "DNS tunnel: cannot remove %s/32 from lo: %s",
			       t->ipstr, strerror(-r));
	}
	free(t);
}

struct mn_tunnel *mn_tunnel_start(int fd, const char *ip, enum gns_gen gen,
				  char *err, size_t errlen)
{
	struct mn_tunnel *t = calloc(1, sizeof(*t));
	sigset_t all, old;
	int r, fl;

	if (!t) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->chan = fd;
	t->udp = t->tcp = t->wake = -1;
	t->qtail = &t->qhead;
	t->gen = gen;
	atomic_init(&t->want_gen, gen);
	atomic_init(&t->stopping, false);
	t->rl_frame.what = "malformed frames";
	t->rl_drop.what = "dropped queries and clients";
	if (inet_pton(AF_INET, ip, &t->ip) != 1) {
		snprintf(err, errlen, "%s is not an IPv4 address", ip);
		goto fail;
	}
	inet_ntop(AF_INET, &t->ip, t->ipstr, sizeof(t->ipstr));
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK)) {
		snprintf(err, errlen, "DNS channel (fd %d): %s", fd,
			 strerror(errno));
		goto fail;
	}
	t->lo = (int)if_nametoindex("lo");
	if (!t->lo) {
		snprintf(err, errlen, "no lo: %s", strerror(errno));
		goto fail;
	}
	/* As WSL's gns (§3.1), but an address already there is kept. */
	r = addr_change(RTM_NEWADDR, t->lo, t->ip);
	if (r && r != -EEXIST) {
		snprintf(err, errlen, "cannot add %s/32 to lo: %s", t->ipstr,
			 strerror(-r));
		goto fail;
	}
	t->added = !r;
	if (!t->added)
		mn_log(MN_LOG_INFO, "DNS tunnel: %s/32 is on lo already: kept at exit",
		       t->ipstr);
	t->udp = listener(SOCK_DGRAM, t->ip);
	if (t->udp < 0)
		goto fail_listen;
	t->tcp = listener(SOCK_STREAM, t->ip);
	if (t->tcp < 0)
		goto fail_listen;
	t->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->wake < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	r = sd_event_new(&t->ev);
	if (r >= 0)
		r = sd_event_add_io(t->ev, &t->chan_src, fd, EPOLLIN,
				    on_channel, t);
	/* Until the generation is known nothing can be framed or read. */
	if (r >= 0 && gen == GNS_GEN_AUTO)
		r = sd_event_source_set_enabled(t->chan_src, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_add_io(t->ev, &t->udp_src, t->udp, EPOLLIN,
				    on_udp, t);
	if (r >= 0)
		r = sd_event_add_io(t->ev, &t->tcp_src, t->tcp, EPOLLIN,
				    on_accept, t);
	if (r >= 0)
		r = sd_event_add_io(t->ev, &t->wake_src, t->wake, EPOLLIN,
				    on_wake, t);
	if (r >= 0)
		r = sd_event_add_time_relative(t->ev, &t->sweep_src,
					       CLOCK_MONOTONIC,
					       SWEEP_MS * 1000ULL, 0,
					       on_sweep, t);
	if (r < 0) {
		snprintf(err, errlen, "sd-event: %s", strerror(-r));
		goto fail;
	}
	/* Signals are the main loop's: none may land on this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&t->thread, NULL, run, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		snprintf(err, errlen, "cannot start the DNS thread: %s",
			 strerror(r));
		goto fail;
	}
	mn_log(MN_LOG_INFO, "DNS tunnel: serving %s:53 (UDP and TCP)",
	       t->ipstr);
	return t;
fail_listen:
	snprintf(err, errlen, "cannot listen on %s:53: %s", t->ipstr,
		 strerror(errno));
fail:
	release(t);
	return NULL;
}

static void wake(struct mn_tunnel *t)
{
	uint64_t one = 1;

	if (write(t->wake, &one, sizeof(one)) < 0 && errno != EAGAIN)
		mn_log(MN_LOG_ERR, "DNS tunnel: cannot wake the thread: %s",
		       strerror(errno));
}

void mn_tunnel_set_gen(struct mn_tunnel *t, enum gns_gen gen)
{
	atomic_store(&t->want_gen, gen);
	wake(t);
}

void mn_tunnel_stop(struct mn_tunnel *t)
{
	atomic_store(&t->stopping, true);
	wake(t);
	pthread_join(t->thread, NULL);
	release(t);
}
