// SPDX-License-Identifier: GPL-2.0
/*
 * mirrornet serve's readiness for systemd (ready.h): timers on the serve
 * loop, at idle priority so that a frame already waiting is always served
 * before the quiet period can end. A request answered costs no syscall
 * here in a burst: the quiet timer is armed once and looks at the time of
 * the last answer when it fires, and the count in STATUS= goes to systemd
 * at most every MN_READY_STATUS_MS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "ready.h"

struct mn_ready {
	sd_event *ev;
	sd_event_source *quiet, *wait;
	sd_event_source *status;	/* the count's STATUS=, held back */
	uint64_t answered_at;		/* last answer of the IP sync, in us */
	uint64_t status_at;		/* last count sent, in us */
	char *host;
	char *flag;		/* the flag file's path, or NULL */
	unsigned int answered;	/* requests answered on this connection */
	bool connected, synced, ready;
};

static void status(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void status(const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", text);
}

/* The flag first: wait-online reads it once READY=1 lets it start. */
static void become_ready(struct mn_ready *r, const char *why)
{
	int fd;

	if (r->flag) {
		fd = open(r->flag, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			  0644);
		if (fd < 0)
			mn_log(MN_LOG_WARN, "cannot create %s: %s", r->flag,
			       strerror(errno));
		else
			close(fd);
	}
	r->ready = true;
	sd_event_source_set_enabled(r->quiet, SD_EVENT_OFF);
	sd_event_source_set_enabled(r->wait, SD_EVENT_OFF);
	sd_event_source_set_enabled(r->status, SD_EVENT_OFF);
	sd_notifyf(0, "READY=1\nSTATUS=%s", why);
}

static uint64_t now_us(struct mn_ready *r)
{
	uint64_t now = 0;

	/* the loop's time of this iteration: no syscall */
	sd_event_now(r->ev, CLOCK_MONOTONIC, &now);
	return now;
}

static bool armed(sd_event_source *src)
{
	int on = SD_EVENT_OFF;

	sd_event_source_get_enabled(src, &on);
	return on != SD_EVENT_OFF;
}

/* @src fires at @usec (CLOCK_MONOTONIC), once. */
static void arm_at(sd_event_source *src, uint64_t usec)
{
	int e = sd_event_source_set_time(src, usec);

	if (e >= 0)
		e = sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
	if (e < 0)
		mn_log(MN_LOG_ERR, "sd-event: %s", strerror(-e));
}

static int on_quiet(sd_event_source *src, uint64_t usec, void *data)
{
	struct mn_ready *r = data;
	uint64_t end = r->answered_at + MN_READY_QUIET_MS * 1000ULL;
	char why[256];

	(void)usec;
	/* answers came since it was armed: quiet from the last one */
	if (now_us(r) < end) {
		arm_at(src, end);
		return 0;
	}
	snprintf(why, sizeof(why),
		 "the host's configuration applied (%u requests); serving the host at %s",
		 r->answered, r->host);
	mn_log(MN_LOG_INFO, "ready: %s", why);
	become_ready(r, why);
	return 0;
}

static int on_wait(sd_event_source *src, uint64_t usec, void *data)
{
	struct mn_ready *r = data;
	char why[256];

	(void)src;
	(void)usec;
	if (r->connected)
		snprintf(why, sizeof(why),
			 "ready without the host's configuration: connected to %s, no IP configuration from it in %u ms",
			 r->host, MN_READY_WAIT_MS);
	else
		snprintf(why, sizeof(why),
			 "ready without the host's configuration: no host at %s in %u ms",
			 r->host, MN_READY_WAIT_MS);
	mn_log(MN_LOG_WARN, "%s", why);
	become_ready(r, why);
	return 0;
}

/* @src fires @ms from now, once. */
static void arm(sd_event_source *src, unsigned int ms)
{
	int e = sd_event_source_set_time_relative(src, ms * 1000ULL);

	if (e >= 0)
		e = sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
	if (e < 0)
		mn_log(MN_LOG_ERR, "sd-event: %s", strerror(-e));
}

static void status_applied(struct mn_ready *r)
{
	r->status_at = now_us(r);
	if (r->ready)
		status("serving the host at %s: %u requests applied",
		       r->host, r->answered);
	else
		status("connected to the host at %s, applying its configuration: %u requests applied",
		       r->host, r->answered);
}

static int on_status(sd_event_source *src, uint64_t usec, void *data)
{
	(void)src;
	(void)usec;
	status_applied(data);
	return 0;
}

static int add_timer(sd_event *ev, sd_event_source **src,
		     sd_event_time_handler_t fn, struct mn_ready *r)
{
	/* 10 ms accuracy: sd-event's default would add up to 250. */
	int e = sd_event_add_time_relative(ev, src, CLOCK_MONOTONIC, 0, 10000,
					   fn, r);

	if (e >= 0)
		e = sd_event_source_set_priority(*src, SD_EVENT_PRIORITY_IDLE);
	if (e >= 0)
		e = sd_event_source_set_enabled(*src, SD_EVENT_OFF);
	return e;
}

struct mn_ready *mn_ready_new(sd_event *ev, const char *host)
{
	const char *dir = getenv("RUNTIME_DIRECTORY");
	struct mn_ready *r;
	int e;

	if (!getenv("NOTIFY_SOCKET"))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r)
		r->ev = ev;
	if (!r || !(r->host = strdup(host)) ||
	    (dir && *dir && !strchr(dir, ':') &&
	     asprintf(&r->flag, "%s/%s", dir, MN_READY_FLAG) < 0)) {
		mn_log(MN_LOG_ERR, "readiness: out of memory");
		goto fail;
	}
	e = add_timer(ev, &r->quiet, on_quiet, r);
	if (e >= 0)
		e = add_timer(ev, &r->wait, on_wait, r);
	if (e >= 0)
		e = add_timer(ev, &r->status, on_status, r);
	if (e < 0) {
		mn_log(MN_LOG_ERR, "sd-event: %s", strerror(-e));
		goto fail;
	}
	arm(r->wait, MN_READY_WAIT_MS);
	status("waiting for the host at %s", r->host);
	return r;
fail:
	mn_ready_free(r);
	return NULL;
}

void mn_ready_free(struct mn_ready *r)
{
	if (!r)
		return;
	if (r->flag && unlink(r->flag) && errno != ENOENT)
		mn_log(MN_LOG_WARN, "cannot remove %s: %s", r->flag,
		       strerror(errno));
	sd_event_source_disable_unref(r->quiet);
	sd_event_source_disable_unref(r->wait);
	sd_event_source_disable_unref(r->status);
	free(r->flag);
	free(r->host);
	free(r);
}

void mn_ready_connected(struct mn_ready *r)
{
	if (!r)
		return;
	r->connected = true;
	r->answered = 0;
	sd_event_source_set_enabled(r->status, SD_EVENT_OFF);
	if (r->ready) {
		status("serving the host at %s", r->host);
		return;
	}
	/* a host that connected late gets the whole wait from now */
	arm(r->wait, MN_READY_WAIT_MS);
	status("connected to the host at %s, waiting for its configuration",
	       r->host);
}

/* The count now, or when MN_READY_STATUS_MS have passed since the last. */
static void count_applied(struct mn_ready *r)
{
	uint64_t next = r->status_at + MN_READY_STATUS_MS * 1000ULL;

	if (armed(r->status))
		return;
	if (!r->status_at || now_us(r) >= next)
		status_applied(r);
	else
		arm_at(r->status, next);
}

void mn_ready_answered(struct mn_ready *r, enum gns_kind kind)
{
	if (!r)
		return;
	r->answered++;
	count_applied(r);
	if (r->ready)
		return;
	switch (kind) {
	case GNS_INITIAL_IP_CONFIGURATION:
	case GNS_DEVICE_SETTING:
	case GNS_MODIFY_GUEST_DEVICE:
	case GNS_LOOPBACK_ROUTES:
		r->synced = true;
		break;
	default:
		break;
	}
	if (!r->synced)
		return;
	r->answered_at = now_us(r);
	if (!armed(r->quiet))
		arm(r->quiet, MN_READY_QUIET_MS);
}

void mn_ready_waiting(struct mn_ready *r, unsigned int attempt)
{
	if (!r)
		return;
	r->connected = false;
	/* a burst cut short is not a configuration applied */
	if (!r->ready) {
		r->synced = false;
		sd_event_source_set_enabled(r->quiet, SD_EVENT_OFF);
	}
	sd_event_source_set_enabled(r->status, SD_EVENT_OFF);
	if (attempt)
		status("waiting for the host at %s (attempt %u)", r->host,
		       attempt);
	else
		status("waiting for the host at %s", r->host);
}

void mn_ready_stopping(struct mn_ready *r)
{
	if (r)
		sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}
