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
#include <unistd.h>

#include "gns/util.h"
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
		left = deadline - (long)gns_now_ms();
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

int mh_channel_listen(struct mh_channel *c, const char *spec,
		      enum gns_gen gen, long timeout_ms)
{
	const char *unix_path;
	int fd;

	memset(c, 0, sizeof(*c));
	c->listen_fd = c->fd = -1;
	c->gen = gen;
	c->timeout_ms = timeout_ms;
	/*
	 * One guest at a time, whose two channels (GNS, then DNS) may both
	 * wait to be accepted: a backlog of 2.
	 */
	fd = mh_listen(spec, 2, &unix_path);
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
	long deadline = (long)gns_now_ms() + c->timeout_ms;

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

/* The next frame within the timeout; 0, or -1 with c->err. */
static int read_reply_frame(struct mh_channel *c, long deadline)
{
	int r;

	if (wait_readable(c, c->fd, deadline, "no reply") < 0)
		return -1;
	r = gns_read_frame(c->fd, c->gen, &c->frame);
	if (r == 0)
		return chan_fail(c, "the guest closed the connection");
	if (r < 0 && errno == EPROTO)
		return chan_fail(c, "broken frame from the guest "
				 "(size %" PRIu32 ")", c->frame.hdr.size);
	if (r < 0)
		return chan_fail(c, "read: %s", strerror(errno));
	return 0;
}

/*
 * Whether the frame read is the reply to request @id: 1 yes, 0 a stale
 * frame to skip, -1 with c->err when the channel is broken.
 */
static int is_reply(struct mh_channel *c, uint32_t id)
{
	const struct gns_hdr *rh = &c->frame.hdr;

	if (gns_gen_hdr_len(c->gen) == 12) {
		/* Every frame is numbered: no stale ones (§1.4). */
		if (rh->id != ++c->rx_seq)
			return chan_fail(c, "reply sequence number %" PRIu32
					 ", want %" PRIu32, rh->id, c->rx_seq);
	} else {
		/* The host's filter while it waits (§1.4). */
		if (rh->step == GNS_STEP_NONE || (int32_t)(rh->id - id) < 0)
			return 0;	/* stale: dropped, as the host does */
		if (rh->id != id)
			return chan_fail(c, "reply id %" PRIu32 " is from the "
					 "future (waiting for %" PRIu32 ")",
					 rh->id, id);
		if (rh->step != GNS_STEP_REPLY)
			return chan_fail(c, "reply step %" PRIu32 ", want 2",
					 rh->step);
	}
	if (rh->type != gns_type_of(GNS_RESULT, c->gen) ||
	    rh->size < GNS_RESULT_LEN(c->gen))
		return chan_fail(c, "reply type %" PRIu32 " size %" PRIu32
				 " is not a Result", rh->type, rh->size);
	return 1;
}

int mh_channel_request(struct mh_channel *c, enum gns_kind kind,
		       const char *text, int32_t *result)
{
	size_t hl = gns_gen_hdr_len(c->gen), rl = GNS_RESULT_LEN(c->gen);
	size_t len = strlen(text), size = hl + len + 1;
	struct gns_hdr h = {
		.type = gns_type_of(kind, c->gen),
		.step = GNS_STEP_REQUEST,
	};
	long deadline = (long)gns_now_ms() + c->timeout_ms;
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
	/* Counted as sent even if the write fails, as WSL's channel does. */
	h.id = hl == 12 ? ++c->tx_seq : c->next_id++;
	h.size = (uint32_t)size;
	gns_hdr_encode(c->gen, &h, buf);
	memcpy(buf + hl, text, len + 1);
	r = gns_write_all(c->fd, buf, size);
	free(buf);
	if (r < 0)
		return chan_fail(c, "send: %s", strerror(errno));
	do {
		if (read_reply_frame(c, deadline) < 0)
			return -1;
		r = is_reply(c, h.id);
		if (r < 0)
			return -1;
	} while (!r);
	*result = (int32_t)gns_get_le32(c->frame.buf + hl);
	if (rh->size > rl) {
		size_t n = rh->size - rl;

		if (n >= sizeof(c->guest_err))
			n = sizeof(c->guest_err) - 1;
		memcpy(c->guest_err, c->frame.buf + rl, n);
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
