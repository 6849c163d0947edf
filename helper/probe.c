// SPDX-License-Identifier: GPL-2.0
/*
 * Connectivity probe (reference §2.1, 74): a TCP connect to the host's test
 * name over IPv4 and IPv6 at the same time. The host only logs the result.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sys.h"

#define PROBE_PORT		"80"
#define PROBE_TIMEOUT_MS	5000

static int64_t probe_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Start a connect to the first address of @host in @family. Returns the
 * status; *@fd is the socket while the connect is in progress, else -1.
 */
static enum sys_probe_status probe_start(const char *host, const char *port,
					 int family, int *fd)
{
	struct addrinfo hints = {
		.ai_family = family,
		.ai_socktype = SOCK_STREAM,
	};
	enum sys_probe_status st;
	struct addrinfo *ai;
	int s;

	*fd = -1;
	if (getaddrinfo(host, port, &hints, &ai))
		return SYS_PROBE_FAILURE_GETADDRINFO;
	s = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   ai->ai_protocol);
	if (s < 0) {
		st = SYS_PROBE_FAILURE_CONFIG;
	} else if (!connect(s, ai->ai_addr, ai->ai_addrlen)) {
		st = SYS_PROBE_SUCCESS;
		close(s);
	} else if (errno == EINPROGRESS) {
		st = SYS_PROBE_IN_PROGRESS;
		*fd = s;
	} else {
		st = SYS_PROBE_FAILURE_SOCKET_CONNECT;
		close(s);
	}
	freeaddrinfo(ai);
	return st;
}

int32_t sys_probe_port(const char *hostname, const char *port,
		       int timeout_ms)
{
	static const int families[2] = { AF_INET, AF_INET6 };
	int64_t deadline = probe_now_ms() + timeout_ms, left;
	enum sys_probe_status st[2];
	struct pollfd pfd[2];
	socklen_t len;
	int i, soerr;

	for (i = 0; i < 2; i++) {
		st[i] = probe_start(hostname, port, families[i], &pfd[i].fd);
		pfd[i].events = POLLOUT;
	}
	/* poll() skips negative fds: only connects in progress are waited for */
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		left = deadline - probe_now_ms();
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
			/* writable also means failed: WSL counted that as success */
			len = sizeof(soerr);
			if (getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &soerr,
				       &len) || soerr)
				st[i] = SYS_PROBE_FAILURE_SOCKET_CONNECT;
			else
				st[i] = SYS_PROBE_SUCCESS;
			close(pfd[i].fd);
			pfd[i].fd = -1;
		}
	}
	for (i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	return (int32_t)((uint32_t)st[0] | (uint32_t)st[1] << 16);
}

int32_t sys_probe(const char *hostname)
{
	return sys_probe_port(hostname, PROBE_PORT, PROBE_TIMEOUT_MS);
}
