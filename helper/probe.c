// SPDX-License-Identifier: GPL-2.0
/*
 * Connectivity probe (reference §2.1, 74): a TCP connect to the host's test
 * name over IPv4 and IPv6 at the same time, with the status codes WSL's
 * guest reports (sys.h). The host only logs the result; the helper's log
 * says what really happened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gns/util.h"
#include "sys.h"

#define PROBE_PORT		"80"
/* WSL's budget for the connects */
#define PROBE_CONNECT_MS	5000
/*
 * Ours for the lookups: glibc's default for one name server that does not
 * answer (timeout 5 s, attempts 2), so that a second server still gets
 * its turn.
 */
#define PROBE_LOOKUP_MS		10000

/*
 * A name lookup on a thread of its own, so that the probe can give up on
 * it at the deadline: glibc alone waits timeout x attempts for a dead name
 * server. The lookup is shared by the thread and the probe; the last one
 * to let go frees it.
 */
struct lookup {
	atomic_int refs;
	atomic_bool done;
	int wake[2];		/* pipe: the thread writes a byte when done */
	int family;
	int err;
	struct addrinfo *result;
	char names[];		/* host, then port */
};

static void lookup_put(struct lookup *l)
{
	if (atomic_fetch_sub(&l->refs, 1) != 1)
		return;
	if (l->result)
		freeaddrinfo(l->result);
	close(l->wake[0]);
	close(l->wake[1]);
	free(l);
}

static void *lookup_run(void *arg)
{
	struct lookup *l = arg;
	struct addrinfo hints = {
		.ai_family = l->family,
		.ai_socktype = SOCK_STREAM,
	};
	const char *host = l->names;
	ssize_t n;

	l->err = getaddrinfo(host, host + strlen(host) + 1, &hints,
			     &l->result);
	atomic_store(&l->done, true);
	n = write(l->wake[1], "", 1);	/* one byte per lookup: cannot fail */
	(void)n;
	lookup_put(l);
	return NULL;
}

/* Start resolving @host in @family; NULL if it could not start. */
static struct lookup *lookup_start(const char *host, const char *port,
				   int family)
{
	size_t hlen = strlen(host) + 1, plen = strlen(port) + 1;
	struct lookup *l = calloc(1, sizeof(*l) + hlen + plen);
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t thread;
	int err;

	if (!l)
		return NULL;
	if (pipe2(l->wake, O_CLOEXEC | O_NONBLOCK)) {
		free(l);
		return NULL;
	}
	memcpy(l->names, host, hlen);
	memcpy(l->names + hlen, port, plen);
	l->family = family;
	atomic_init(&l->refs, 2);
	atomic_init(&l->done, false);
	/* signals stay with the main thread, whose reads they interrupt */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&thread, &attr, lookup_run, l);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		atomic_store(&l->refs, 1);
		lookup_put(l);
		return NULL;
	}
	return l;
}

/*
 * Wait until @deadline for both lookups. A lookup that failed or is still
 * running is let go (NULL) with its status set and its story in @why; a
 * finished one stays.
 */
static void lookups_wait(struct lookup *l[2], enum sys_probe_status st[2],
			 const char *why[2], int64_t deadline)
{
	struct pollfd pfd[2];
	int64_t left;
	int i;

	for (i = 0; i < 2; i++) {
		pfd[i].fd = l[i] ? l[i]->wake[0] : -1;
		pfd[i].events = POLLIN;
	}
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		left = deadline - gns_now_ms();
		if (left <= 0)
			break;
		if (poll(pfd, 2, (int)left) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++)
			if (pfd[i].fd >= 0 && atomic_load(&l[i]->done))
				pfd[i].fd = -1;
	}
	for (i = 0; i < 2; i++) {
		if (!l[i]) {
			why[i] = "no lookup thread";
			continue;
		}
		if (atomic_load(&l[i]->done) && !l[i]->err)
			continue;
		why[i] = !atomic_load(&l[i]->done) ? "lookup timed out" :
			 l[i]->err == EAI_NONAME || l[i]->err == EAI_NODATA ||
			 l[i]->err == EAI_ADDRFAMILY ? "no address" :
			 gai_strerror(l[i]->err);
		lookup_put(l[i]);
		l[i] = NULL;
		st[i] = SYS_PROBE_FAILURE_GETADDRINFO;
	}
}

/*
 * Start a connect to the first address @l found. Returns the status; *@fd
 * is the socket while the connect is in progress, else -1.
 */
static enum sys_probe_status probe_start(const struct lookup *l, int *fd,
					 const char **why)
{
	const struct addrinfo *ai = l->result;
	int s;

	s = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   ai->ai_protocol);
	if (s < 0) {
		*why = "no socket";
		return SYS_PROBE_FAILURE_CONFIG;
	}
	if (!connect(s, ai->ai_addr, ai->ai_addrlen)) {
		close(s);
		*why = "connected";
		return SYS_PROBE_SUCCESS;
	}
	if (errno == EINPROGRESS) {
		*fd = s;
		*why = "no answer";
		return SYS_PROBE_IN_PROGRESS;
	}
	*why = errno == ECONNREFUSED ? "refused" : "cannot connect";
	close(s);
	return SYS_PROBE_FAILURE_SOCKET_CONNECT;
}

int32_t sys_probe_port(const char *hostname, const char *port,
		       int lookup_ms, int connect_ms, char *what,
		       size_t whatlen)
{
	static const int families[2] = { AF_INET, AF_INET6 };
	enum sys_probe_status st[2];
	int64_t deadline, left;
	const char *why[2];
	struct lookup *l[2];
	struct pollfd pfd[2];
	socklen_t len;
	int i, soerr;

	/* both lookups at once, within their own budget */
	for (i = 0; i < 2; i++) {
		l[i] = lookup_start(hostname, port, families[i]);
		st[i] = SYS_PROBE_FAILURE_GETADDRINFO;
	}
	lookups_wait(l, st, why, gns_now_ms() + lookup_ms);
	/* the connects' budget starts after the lookups, as in WSL */
	deadline = gns_now_ms() + connect_ms;
	for (i = 0; i < 2; i++) {
		pfd[i].fd = -1;
		pfd[i].events = POLLOUT;
		if (l[i]) {
			st[i] = probe_start(l[i], &pfd[i].fd, &why[i]);
			lookup_put(l[i]);
		}
	}
	/* poll() skips negative fds: only connects in progress are waited for */
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		left = deadline - gns_now_ms();
		if (left <= 0)
			break;
		if (poll(pfd, 2, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			/* writable, even as refused: WSL's Success */
			len = sizeof(soerr);
			if (getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &soerr,
				       &len))
				soerr = errno;
			why[i] = !soerr ? "connected" :
				 soerr == ECONNREFUSED ? "refused" :
				 "connect failed";
			st[i] = SYS_PROBE_SUCCESS;
			close(pfd[i].fd);
			pfd[i].fd = -1;
		}
	}
	/* still pending: WSL's FailureSocketConnect */
	for (i = 0; i < 2; i++)
		if (pfd[i].fd >= 0) {
			close(pfd[i].fd);
			st[i] = SYS_PROBE_FAILURE_SOCKET_CONNECT;
		}
	snprintf(what, whatlen, "%s: IPv4 %s, IPv6 %s", hostname, why[0],
		 why[1]);
	return (int32_t)((uint32_t)st[0] | (uint32_t)st[1] << 16);
}

int32_t sys_probe(const char *hostname, char *what, size_t whatlen)
{
	return sys_probe_port(hostname, PROBE_PORT, PROBE_LOOKUP_MS,
			      PROBE_CONNECT_MS, what, whatlen);
}
