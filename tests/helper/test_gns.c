// SPDX-License-Identifier: GPL-2.0
/* Unit tests of helper/gns.c: numbering, header and reply encoding, frames. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gns.h"

static const uint32_t head_types[GNS_KIND_UNKNOWN] = {
	53, 54, 55, 61, 62, 63, 64, 65, 68, 69, 71, 72, 73, 74,
};

static void test_kind_of_base53(void **state)
{
	int k;

	(void)state;
	for (k = 0; k < GNS_KIND_UNKNOWN; k++) {
		assert_int_equal(gns_kind_of(head_types[k], 53), k);
		assert_int_equal(gns_type_of((enum gns_kind)k, 53),
				 head_types[k]);
	}
}

static void test_kind_of_base52(void **state)
{
	int k;

	(void)state;
	for (k = 0; k < GNS_KIND_UNKNOWN; k++) {
		assert_int_equal(gns_kind_of(head_types[k] - 1, 52), k);
		assert_int_equal(gns_type_of((enum gns_kind)k, 52),
				 head_types[k] - 1);
	}
}

static void test_kind_of_unknown(void **state)
{
	static const uint32_t other[] = {
		0, 1, 52, 56, 57, 58, 59, 60, 66, 67, 70, 75, 76, 77, 79,
		1000, 0xffffffff,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		assert_int_equal(gns_kind_of(other[i], 53), GNS_KIND_UNKNOWN);
	/* 74 is ConnectTestRequest only from 53; from 52 it is past the end. */
	assert_int_equal(gns_kind_of(74, 52), GNS_KIND_UNKNOWN);
	assert_int_equal(gns_kind_of(52, 52), GNS_INTERFACE_CONFIGURATION);
	assert_int_equal(gns_type_of(GNS_KIND_UNKNOWN, 53), 0);
}

static void test_kind_name(void **state)
{
	static const char *const names[GNS_KIND_UNKNOWN] = {
		"InterfaceConfiguration", "Result", "Notification",
		"VmNicCreatedNotification", "CreateDeviceRequest",
		"ModifyGuestDeviceSettingRequest", "LoopbackRoutesRequest",
		"DeviceSettingRequest", "InitialIpConfigurationNotification",
		"SetupIpv6", "NoOp", "GlobalNetFilter", "InterfaceNetFilter",
		"ConnectTestRequest",
	};
	int k;

	(void)state;
	for (k = 0; k < GNS_KIND_UNKNOWN; k++)
		assert_string_equal(gns_kind_name((enum gns_kind)k), names[k]);
	assert_string_equal(gns_kind_name(GNS_KIND_UNKNOWN), "unknown");
	assert_string_equal(gns_kind_name((enum gns_kind)99), "unknown");
}

/* Reference §1.5: NoOp request with id 9. */
static const uint8_t noop9[] = {
	0x47, 0, 0, 0, 0x11, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0,
};

static void test_hdr_encode_decode(void **state)
{
	struct gns_hdr h = { 71, 17, 9, GNS_STEP_REQUEST }, d;
	struct gns_hdr big = { 0x01020304, 0xa0b0c0d0, 0xffffffff, 2 };
	uint8_t out[GNS_HDR_LEN];
	static const uint8_t big_le[GNS_HDR_LEN] = {
		4, 3, 2, 1, 0xd0, 0xc0, 0xb0, 0xa0, 0xff, 0xff, 0xff, 0xff,
		2, 0, 0, 0,
	};

	(void)state;
	gns_hdr_encode(&h, out);
	assert_memory_equal(out, noop9, GNS_HDR_LEN);
	gns_hdr_decode(noop9, &d);
	assert_memory_equal(&d, &h, sizeof(h));
	gns_hdr_encode(&big, out);
	assert_memory_equal(out, big_le, GNS_HDR_LEN);
	gns_hdr_decode(big_le, &d);
	assert_memory_equal(&d, &big, sizeof(big));
}

static void test_reply_success(void **state)
{
	/* Reference §1.5: the success reply to that NoOp. */
	static const uint8_t want[] = {
		0x36, 0, 0, 0, 0x14, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0, 0,
		0, 0, 0, 0,
	};
	uint8_t out[64];

	(void)state;
	assert_int_equal(gns_reply_encode(53, 9, 0, NULL, out, sizeof(out)),
			 20);
	assert_memory_equal(out, want, sizeof(want));
	/* Hosts before 2.6.1 number Result 53. */
	assert_int_equal(gns_reply_encode(52, 9, 0, NULL, out, 20), 20);
	assert_int_equal(out[0], 53);
	/* ConnectTestRequest packs two statuses into the result. */
	assert_int_equal(gns_reply_encode(53, 1, 0x00040001, NULL, out, 20),
			 20);
	assert_int_equal(out[16], 1);
	assert_int_equal(out[18], 4);
}

static void test_reply_error(void **state)
{
	uint8_t out[64];
	size_t n;

	(void)state;
	n = gns_reply_encode(53, 0x01020304, -1, "bad", out, sizeof(out));
	assert_int_equal(n, 24);
	assert_int_equal(out[0], 54);
	assert_int_equal(out[4], 24);
	assert_int_equal(out[8], 4);
	assert_int_equal(out[11], 1);
	assert_int_equal(out[12], 2);
	assert_memory_equal(out + 16, "\xff\xff\xff\xff", 4);
	assert_memory_equal(out + 20, "bad", 4);
	/* An empty error text is still sent, as a lone NUL. */
	assert_int_equal(gns_reply_encode(53, 0, -1, "", out, 21), 21);
	assert_int_equal(out[20], 0);
}

static void test_reply_cut(void **state)
{
	uint8_t out[64];

	(void)state;
	memset(out, 0x55, sizeof(out));
	assert_int_equal(gns_reply_encode(53, 0, -1, "abcdef", out, 24), 24);
	assert_int_equal(out[4], 24);
	assert_memory_equal(out + 20, "abc", 4);
	assert_int_equal(out[24], 0x55);
	assert_int_equal(gns_reply_encode(53, 0, -1, "abcdef", out, 21), 21);
	assert_int_equal(out[20], 0);
	assert_int_equal(gns_reply_encode(53, 0, -1, "abc", out, 20), 0);
	assert_int_equal(gns_reply_encode(53, 0, 0, NULL, out, 19), 0);
	assert_int_equal(gns_reply_encode(53, 0, 0, NULL, out, 0), 0);
	/* A cut never splits a UTF-8 sequence ("é" is c3 a9). */
	assert_int_equal(gns_reply_encode(53, 0, -1, "ab\xc3\xa9", out, 24),
			 23);
	assert_memory_equal(out + 20, "ab", 3);
}

/* A pipe holding @data, closed by the writer: fds[0] is left to read. */
static void pipe_of(int fds[2], const void *data, size_t len)
{
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(gns_write_all(fds[1], data, len), 0);
	close(fds[1]);
}

static void close_pipe(int fds[2])
{
	close(fds[0]);
}

static void test_read_frames(void **state)
{
	uint8_t two[17 + 20];
	struct gns_frame f = { 0 };
	uint8_t *buf;
	int fds[2];

	(void)state;
	memcpy(two, noop9, 17);
	gns_reply_encode(53, 7, 0, NULL, two + 17, 20);
	pipe_of(fds, two, sizeof(two));
	assert_int_equal(gns_read_frame(fds[0], &f), 1);
	assert_int_equal(f.hdr.type, 71);
	assert_int_equal(f.hdr.size, 17);
	assert_int_equal(f.hdr.txn_id, 9);
	assert_int_equal(f.hdr.txn_step, GNS_STEP_REQUEST);
	assert_memory_equal(f.buf, noop9, 17);
	assert_int_equal(gns_read_frame(fds[0], &f), 1);
	assert_int_equal(f.hdr.type, 54);
	assert_int_equal(f.hdr.txn_id, 7);
	assert_memory_equal(f.buf, two + 17, 20);
	buf = f.buf;
	/* Clean close between frames. */
	assert_int_equal(gns_read_frame(fds[0], &f), 0);
	close_pipe(fds);

	/* Steady state: a frame that fits reuses the buffer. */
	pipe_of(fds, noop9, sizeof(noop9));
	assert_int_equal(gns_read_frame(fds[0], &f), 1);
	assert_ptr_equal(f.buf, buf);
	assert_int_equal(f.cap, 20);
	close_pipe(fds);
	gns_frame_release(&f);
	assert_null(f.buf);
	assert_int_equal(f.cap, 0);
	gns_frame_release(&f);
}

static void test_read_header_only(void **state)
{
	struct gns_hdr h = { 71, 16, 1, 1 };
	struct gns_frame f = { 0 };
	uint8_t b[GNS_HDR_LEN];
	int fds[2];

	(void)state;
	gns_hdr_encode(&h, b);
	pipe_of(fds, b, sizeof(b));
	assert_int_equal(gns_read_frame(fds[0], &f), 1);
	assert_int_equal(f.hdr.size, 16);
	assert_int_equal(gns_read_frame(fds[0], &f), 0);
	close_pipe(fds);
	gns_frame_release(&f);
}

static void test_read_short_header(void **state)
{
	struct gns_frame f = { 0 };
	size_t n;
	int fds[2];

	(void)state;
	for (n = 1; n < GNS_HDR_LEN; n++) {
		pipe_of(fds, noop9, n);
		errno = 0;
		assert_int_equal(gns_read_frame(fds[0], &f), -1);
		assert_int_equal(errno, EPROTO);
		close_pipe(fds);
	}
	gns_frame_release(&f);
}

/* A bad size is refused before anything after the header is read. */
static void expect_bad_size(uint32_t size)
{
	struct gns_hdr h = { 65, size, 1, 1 };
	struct gns_frame f = { 0 };
	uint8_t b[GNS_HDR_LEN + 4], rest[8];
	int fds[2];

	gns_hdr_encode(&h, b);
	memcpy(b + GNS_HDR_LEN, "tail", 4);
	pipe_of(fds, b, sizeof(b));
	errno = 0;
	assert_int_equal(gns_read_frame(fds[0], &f), -1);
	assert_int_equal(errno, EPROTO);
	assert_int_equal(read(fds[0], rest, sizeof(rest)), 4);
	assert_memory_equal(rest, "tail", 4);
	assert_null(f.buf);
	close_pipe(fds);
}

static void test_read_bad_size(void **state)
{
	(void)state;
	expect_bad_size(0);
	expect_bad_size(15);
	expect_bad_size(GNS_MAX_FRAME + 1);
	expect_bad_size(0xffffffff);
}

static void test_read_eof_inside(void **state)
{
	struct gns_hdr h = { 65, GNS_MAX_FRAME, 1, 1 };
	struct gns_frame f = { 0 };
	uint8_t b[GNS_HDR_LEN + 10] = { 0 };
	int fds[2];

	(void)state;
	/* The largest size is accepted; the stream then ends early. */
	gns_hdr_encode(&h, b);
	pipe_of(fds, b, sizeof(b));
	errno = 0;
	assert_int_equal(gns_read_frame(fds[0], &f), -1);
	assert_int_equal(errno, EPROTO);
	assert_int_equal(f.cap, GNS_MAX_FRAME);
	close_pipe(fds);
	/* One byte missing. */
	pipe_of(fds, noop9, sizeof(noop9) - 1);
	errno = 0;
	assert_int_equal(gns_read_frame(fds[0], &f), -1);
	assert_int_equal(errno, EPROTO);
	close_pipe(fds);
	gns_frame_release(&f);
}

struct dribble {
	int fd;
	const uint8_t *data;
	size_t len, chunk;
};

/* Write in small pieces with pauses, so that reads come back short. */
static void *dribble(void *arg)
{
	struct dribble *d = arg;
	size_t off = 0;

	while (off < d->len) {
		size_t n = d->len - off < d->chunk ? d->len - off : d->chunk;

		if (gns_write_all(d->fd, d->data + off, n))
			break;
		off += n;
		usleep(2000);
	}
	close(d->fd);
	return NULL;
}

static void test_read_short_reads(void **state)
{
	uint8_t frame[300];
	struct gns_hdr h = { 65, sizeof(frame), 42, 1 };
	struct gns_frame f = { 0 };
	struct dribble d;
	pthread_t t;
	int fds[2];
	size_t i;

	(void)state;
	gns_hdr_encode(&h, frame);
	for (i = GNS_HDR_LEN; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	assert_int_equal(pipe(fds), 0);
	d = (struct dribble){ fds[1], frame, sizeof(frame), 7 };
	assert_int_equal(pthread_create(&t, NULL, dribble, &d), 0);
	assert_int_equal(gns_read_frame(fds[0], &f), 1);
	assert_int_equal(f.hdr.txn_id, 42);
	assert_memory_equal(f.buf, frame, sizeof(frame));
	assert_int_equal(gns_read_frame(fds[0], &f), 0);
	pthread_join(t, NULL);
	close(fds[0]);
	gns_frame_release(&f);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_read_eintr(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { .it_value = { 0, 20000 } };
	struct gns_frame f = { 0 };
	int fds[2];

	(void)state;
	/* No SA_RESTART: the blocked read() fails with EINTR. */
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	errno = 0;
	assert_int_equal(gns_read_frame(fds[0], &f), -1);
	assert_int_equal(errno, EINTR);
	sigaction(SIGALRM, &old, NULL);
	close(fds[0]);
	close(fds[1]);
	gns_frame_release(&f);
}

static void test_read_error(void **state)
{
	struct gns_frame f = { 0 };
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	close(fds[1]);
	errno = 0;
	assert_int_equal(gns_read_frame(fds[0], &f), -1);
	assert_int_equal(errno, EBADF);
}

static void test_write_all(void **state)
{
	uint8_t big[200000], back[sizeof(big)];
	struct dribble d;
	pthread_t t;
	size_t got = 0;
	int fds[2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	/* More than a pipe holds: the writer waits for the reader. */
	assert_int_equal(pipe(fds), 0);
	d = (struct dribble){ fds[1], big, sizeof(big), sizeof(big) };
	assert_int_equal(pthread_create(&t, NULL, dribble, &d), 0);
	while (got < sizeof(back)) {
		ssize_t n = read(fds[0], back + got, sizeof(back) - got);

		assert_true(n > 0);
		got += (size_t)n;
	}
	pthread_join(t, NULL);
	assert_memory_equal(back, big, sizeof(big));
	close(fds[0]);
	errno = 0;
	assert_int_equal(gns_write_all(fds[0], "x", 1), -1);
	assert_int_equal(errno, EBADF);
}

/* A frame of @kind around @payload (with the NUL, if wanted). */
static void make_frame(struct gns_frame *f, uint8_t *buf, size_t off,
		       const void *payload, size_t len)
{
	memset(buf, 0xee, off);
	memcpy(buf + off, payload, len);
	f->buf = buf;
	f->cap = off + len;
	f->hdr.size = (uint32_t)(off + len);
}

static void test_frame_text(void **state)
{
	struct gns_frame f = { 0 };
	const char *text, *why;
	uint8_t buf[64];
	size_t len;

	(void)state;
	make_frame(&f, buf, 16, "{}", 3);
	assert_int_equal(gns_frame_text(&f, GNS_SETUP_IPV6, &text, &len, &why),
			 0);
	assert_ptr_equal(text, buf + 16);
	assert_int_equal(len, 2);
	/* Notification: the text follows the binary adapter GUID. */
	make_frame(&f, buf, 32, "{}", 3);
	assert_int_equal(gns_frame_text(&f, GNS_NOTIFICATION, &text, &len,
					&why), 0);
	assert_ptr_equal(text, buf + 32);
	assert_int_equal(len, 2);
	/* Empty text: a lone NUL. */
	make_frame(&f, buf, 16, "", 1);
	assert_int_equal(gns_frame_text(&f, GNS_NOOP, &text, &len, &why), 0);
	assert_int_equal(len, 0);
	make_frame(&f, buf, 32, "", 1);
	assert_int_equal(gns_frame_text(&f, GNS_NOTIFICATION, &text, &len,
					&why), 0);
	assert_int_equal(len, 0);
}

static void test_frame_text_bad(void **state)
{
	struct gns_frame f = { 0 };
	const char *text, *why;
	uint8_t buf[64];
	size_t len;

	(void)state;
	make_frame(&f, buf, 16, "{}", 2);
	assert_int_equal(gns_frame_text(&f, GNS_DEVICE_SETTING, &text, &len,
					&why), -1);
	assert_string_equal(why, "payload is not NUL-terminated");
	make_frame(&f, buf, 16, "{\0}", 4);
	assert_int_equal(gns_frame_text(&f, GNS_DEVICE_SETTING, &text, &len,
					&why), -1);
	assert_string_equal(why, "payload contains a NUL byte");
	make_frame(&f, buf, 16, "\0\0", 2);
	assert_int_equal(gns_frame_text(&f, GNS_NOOP, &text, &len, &why), -1);
	assert_string_equal(why, "payload contains a NUL byte");
	/* No payload at all. */
	make_frame(&f, buf, 16, "", 0);
	assert_int_equal(gns_frame_text(&f, GNS_NOOP, &text, &len, &why), -1);
	assert_non_null(why);
	/* A Notification needs 16 GUID bytes and the NUL: 33 at least. */
	make_frame(&f, buf, 31, "", 1);
	assert_int_equal(gns_frame_text(&f, GNS_NOTIFICATION, &text, &len,
					&why), -1);
	make_frame(&f, buf, 32, "", 0);
	assert_int_equal(gns_frame_text(&f, GNS_NOTIFICATION, &text, &len,
					&why), -1);
	assert_non_null(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_of_base53),
		cmocka_unit_test(test_kind_of_base52),
		cmocka_unit_test(test_kind_of_unknown),
		cmocka_unit_test(test_kind_name),
		cmocka_unit_test(test_hdr_encode_decode),
		cmocka_unit_test(test_reply_success),
		cmocka_unit_test(test_reply_error),
		cmocka_unit_test(test_reply_cut),
		cmocka_unit_test(test_read_frames),
		cmocka_unit_test(test_read_header_only),
		cmocka_unit_test(test_read_short_header),
		cmocka_unit_test(test_read_bad_size),
		cmocka_unit_test(test_read_eof_inside),
		cmocka_unit_test(test_read_short_reads),
		cmocka_unit_test(test_read_eintr),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_write_all),
		cmocka_unit_test(test_frame_text),
		cmocka_unit_test(test_frame_text_bad),
	};

	/* run.sh counts the lines: keep them if a sanitizer aborts. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
