// SPDX-License-Identifier: GPL-2.0
/*
 * The host's end of the GNS channel. Unlike WSL's host, which waits for a
 * reply forever (§1.7), every wait here is bounded by the timeout, so a
 * stuck guest fails the run instead of hanging it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "listen.h"
#include "transport.h"

static int chan_fail(struct mh_channel *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int chan_fail(struct mh_channel *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * Until @fd is readable or @deadline passes; 0, or -1 with c->err, which
 * for the timeout is "@what within N ms".
 */
static int wait_readable(struct mh_channel *c, int fd, long deadline,
			 const char *what)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		r = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (r > 0)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return chan_fail(c, "poll: %s", strerror(errno));
		return chan_fail(c, "%s within %ld ms", what, c->timeout_ms);
	}
}

int mh_channel_listen(struct mh_channel *c, const char *spec, uint32_t base,
		      long timeout_ms)
{
	const char *unix_path;
	int fd;

	memset(c, 0, sizeof(*c));
	c->listen_fd = c->fd = -1;
	c->base = base;
	c->timeout_ms = timeout_ms;
	/* One guest at a time: a backlog of 1. */
	fd = mh_listen(spec, 1, &unix_path);
	if (fd == -2)
		return -2;
	if (fd < 0)
		chan_fail(c, "listen on %s: %s", spec, strerror(errno));
	/* Bound even if listen() failed: mh_channel_close() unlinks it. */
	if (unix_path)
		c->unix_path = strdup(unix_path);
	if (fd < 0)
		return -1;
	c->listen_fd = fd;
	return 0;
}

int mh_channel_accept(struct mh_channel *c)
{
	struct timeval tv = {
		c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000,
	};
	long deadline = now_ms() + c->timeout_ms;

	for (;;) {
		if (wait_readable(c, c->listen_fd, deadline,
				  "no guest connected") < 0)
			return -1;
		c->fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (c->fd >= 0)
			break;
		if (errno != EINTR && errno != ECONNABORTED)
			return chan_fail(c, "accept: %s", strerror(errno));
	}
	/* Bounds a frame that stops half way; poll() bounds the wait. */
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return 0;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The next frame within the timeout; 0, or -1 with c->err. */
static int read_reply_frame(struct mh_channel *c, long deadline)
{
	int r;

	if (wait_readable(c, c->fd, deadline, "no reply") < 0)
		return -1;
	r = gns_read_frame(c->fd, &c->frame);
	if (r == 0)
		return chan_fail(c, "the guest closed the connection");
	if (r < 0 && errno == EPROTO)
		return chan_fail(c, "broken frame from the guest "
				 "(size %" PRIu32 ")", c->frame.hdr.size);
	if (r < 0)
		return chan_fail(c, "read: %s", strerror(errno));
	return 0;
}

int mh_channel_request(struct mh_channel *c, enum gns_kind kind,
		       const char *text, int32_t *result)
{
	size_t len = strlen(text), size = GNS_HDR_LEN + len + 1;
	struct gns_hdr h = {
		.type = gns_type_of(kind, c->base),
		.txn_id = c->next_id++,
		.txn_step = GNS_STEP_REQUEST,
	};
	long deadline = now_ms() + c->timeout_ms;
	const struct gns_hdr *rh = &c->frame.hdr;
	uint8_t *buf;
	int r;

	c->guest_err[0] = 0;
	if (c->fd < 0)
		return chan_fail(c, "no connection");
	if (size > GNS_MAX_FRAME)
		return chan_fail(c, "request of %zu bytes exceeds 16 MiB",
				 size);
	buf = malloc(size);
	if (!buf)
		return chan_fail(c, "out of memory");
	h.size = (uint32_t)size;
	gns_hdr_encode(&h, buf);
	memcpy(buf + GNS_HDR_LEN, text, len + 1);
	r = gns_write_all(c->fd, buf, size);
	free(buf);
	if (r < 0)
		return chan_fail(c, "send: %s", strerror(errno));
	/* The host's filter while it waits (§1.4). */
	for (;;) {
		if (read_reply_frame(c, deadline) < 0)
			return -1;
		if (rh->txn_step == GNS_STEP_NONE ||
		    (int32_t)(rh->txn_id - h.txn_id) < 0)
			continue;	/* stale: dropped, as the host does */
		if (rh->txn_id != h.txn_id)
			return chan_fail(c, "reply id %" PRIu32 " is from the "
					 "future (waiting for %" PRIu32 ")",
					 rh->txn_id, h.txn_id);
		if (rh->txn_step != GNS_STEP_REPLY)
			return chan_fail(c, "reply step %" PRIu32 ", want 2",
					 rh->txn_step);
		if (rh->type != gns_type_of(GNS_RESULT, c->base) ||
		    rh->size < GNS_RESULT_LEN)
			return chan_fail(c, "reply type %" PRIu32 " size %"
					 PRIu32 " is not a Result",
					 rh->type, rh->size);
		break;
	}
	*result = (int32_t)get_le32(c->frame.buf + GNS_HDR_LEN);
	if (rh->size > GNS_RESULT_LEN) {
		size_t n = rh->size - GNS_RESULT_LEN;

		if (n >= sizeof(c->guest_err))
			n = sizeof(c->guest_err) - 1;
		memcpy(c->guest_err, c->frame.buf + GNS_RESULT_LEN, n);
		c->guest_err[n] = 0;
	}
	return 0;
}

void mh_channel_close(struct mh_channel *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	c->fd = c->listen_fd = -1;
	if (c->unix_path) {
		unlink(c->unix_path);
		free(c->unix_path);
		c->unix_path = NULL;
	}
	gns_frame_release(&c->frame);
}
