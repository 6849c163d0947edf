// SPDX-License-Identifier: GPL-2.0
/*
 * mini-init: the part of WSL's mini_init that starts gns, for tests
 * (wsl-dns-tunneling §1.2, §1.3). It connects to the host twice on the
 * same port, the GNS channel first and, with --dns, the DNS channel second
 * (the host assigns channels by accept order), then execs PROGRAM with
 * argv[0] "gns" and WSL's arguments, the two sockets inherited:
 *
 *   mini-init --vsock CID:PORT [--dns IP] PROGRAM
 *     -> gns --socket N [--dns_socket M --dns_tunneling_ip IP]
 *
 * It keeps no copy of either socket, so the host sees EOF when gns exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

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
	/* exec keeps it: gns owns it from now on */
	if (fcntl(fd, F_SETFD, 0)) {
		perror("mini-init: fcntl");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	char gns_fd[16], dns_fd[16];
	unsigned int cid, port;
	const char *dns = NULL;
	int i = 1;

	if (argc > 2 && !strcmp(argv[i], "--vsock") &&
	    sscanf(argv[i + 1], "%u:%u", &cid, &port) == 2)
		i += 2;
	else
		goto usage;
	if (i + 1 < argc && !strcmp(argv[i], "--dns")) {
		dns = argv[i + 1];
		i += 2;
	}
	if (i + 1 != argc)
		goto usage;
	snprintf(gns_fd, sizeof(gns_fd), "%d", vsock_connect(cid, port));
	if (!dns) {
		execl(argv[i], "gns", "--socket", gns_fd, (char *)NULL);
	} else {
		snprintf(dns_fd, sizeof(dns_fd), "%d",
			 vsock_connect(cid, port));
		execl(argv[i], "gns", "--socket", gns_fd, "--dns_socket",
		      dns_fd, "--dns_tunneling_ip", dns, (char *)NULL);
	}
	perror("mini-init: exec");
	return 1;
usage:
	fprintf(stderr, "usage: mini-init --vsock CID:PORT [--dns IP] PROGRAM\n");
	return 2;
}
