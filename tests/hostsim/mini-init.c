// SPDX-License-Identifier: GPL-2.0
/*
 * mini-init: the part of WSL's mini_init that starts gns, for tests
 * (wsl-dns-tunneling §1.2, §1.3). It connects to the host twice on the
 * same port, the GNS channel first and, with --dns, the DNS channel second
 * (the host assigns channels by accept order), then execs PROGRAM with
 * argv[0] "gns" and WSL's arguments, the two sockets inherited, and any
 * ARGs a test adds after them:
 *
 *   mini-init --vsock CID:PORT|--unix PATH [--dns IP] PROGRAM [ARG...]
 *     -> gns --socket N [--dns_socket M --dns_tunneling_ip IP] [ARG...]
 *
 * Over vsock it connects once, as WSL's does. --unix is for host-side
 * tests that start the host simulator at the same time: it retries for up
 * to 10 s while PATH is missing or not yet listening.
 * It keeps no copy of either socket, so the host sees EOF when gns exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

/* exec keeps FD: gns owns it from now on */
static int inherited(int fd)
{
	if (fcntl(fd, F_SETFD, 0)) {
		perror("mini-init: fcntl");
		exit(1);
	}
	return fd;
}

static int vsock_connect(unsigned int cid, unsigned int port)
{
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK, .svm_cid = cid, .svm_port = port,
	};
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("mini-init: vsock connect");
		exit(1);
	}
	return inherited(fd);
}

static int unix_connect(const char *path)
{
	const struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, tries = 1000;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path) >=
	    sizeof(sa.sun_path)) {
		fprintf(stderr, "mini-init: %s: path too long\n", path);
		exit(1);
	}
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			perror("mini-init: socket");
			exit(1);
		}
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return inherited(fd);
		if ((errno != ENOENT && errno != ECONNREFUSED) || !--tries) {
			fprintf(stderr, "mini-init: unix connect %s: %s\n",
				path, strerror(errno));
			exit(1);
		}
		close(fd);
		nanosleep(&pause, NULL);
	}
}

/* the host: over vsock unless unix_path is set */
struct host {
	const char *unix_path;
	unsigned int cid, port;
};

static int host_connect(const struct host *h)
{
	return h->unix_path ? unix_connect(h->unix_path) :
			      vsock_connect(h->cid, h->port);
}

int main(int argc, char **argv)
{
	char gns_fd[16], dns_fd[16];
	char *dns = NULL;
	struct host h = { 0 };
	char **gns_argv;
	int i = 1, n = 0;

	if (argc > 2 && !strcmp(argv[i], "--vsock") &&
	    sscanf(argv[i + 1], "%u:%u", &h.cid, &h.port) == 2) {
		i += 2;
	} else if (argc > 2 && !strcmp(argv[i], "--unix")) {
		h.unix_path = argv[i + 1];
		i += 2;
	} else {
		goto usage;
	}
	if (i + 1 < argc && !strcmp(argv[i], "--dns")) {
		dns = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		goto usage;
	/* "gns", at most 6 of WSL's arguments, the ARGs, NULL */
	gns_argv = calloc((size_t)(argc - i) + 7, sizeof(*gns_argv));
	if (!gns_argv) {
		perror("mini-init: calloc");
		return 1;
	}
	gns_argv[n++] = "gns";
	snprintf(gns_fd, sizeof(gns_fd), "%d", host_connect(&h));
	gns_argv[n++] = "--socket";
	gns_argv[n++] = gns_fd;
	if (dns) {
		snprintf(dns_fd, sizeof(dns_fd), "%d", host_connect(&h));
		gns_argv[n++] = "--dns_socket";
		gns_argv[n++] = dns_fd;
		gns_argv[n++] = "--dns_tunneling_ip";
		gns_argv[n++] = dns;
	}
	memcpy(gns_argv + n, argv + i + 1,
	       (size_t)(argc - i - 1) * sizeof(*gns_argv));
	execv(argv[i], gns_argv);
	perror("mini-init: exec");
	return 1;
usage:
	fprintf(stderr,
		"usage: mini-init --vsock CID:PORT|--unix PATH [--dns IP] PROGRAM [ARG...]\n");
	return 2;
}
