/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's listening socket, for mirrornet-host and for the host
 * simulator tests/hostsim/gns-host. Header-only: gns-host is built from its
 * own file and lib/gns alone.
 */
#ifndef MIRRORNET_HOST_LISTEN_H
#define MIRRORNET_HOST_LISTEN_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

/*
 * A socket listening on "vsock:PORT" or "unix:PATH" with @backlog, an old
 * socket file at PATH replaced. *@unix_path is PATH once bound, to unlink
 * when done (even if listen() then failed), else NULL. Returns the socket,
 * -2 for a malformed @spec, -1 with errno.
 */
static inline int mh_listen(const char *spec, int backlog,
			    const char **unix_path)
{
	int fd, saved;

	*unix_path = NULL;
	if (!strncmp(spec, "vsock:", 6)) {
		struct sockaddr_vm a = {
			.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
		};
		unsigned long port;
		char *end;

		errno = 0;
		port = strtoul(spec + 6, &end, 10);
		/* Digits only; VMADDR_PORT_ANY (2^32 - 1) is no port to name. */
		if (spec[6] < '0' || spec[6] > '9' || *end || errno ||
		    port >= UINT32_MAX)
			return -2;
		a.svm_port = (unsigned int)port;
		fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			goto fail;
	} else if (!strncmp(spec, "unix:", 5)) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };

		if (!spec[5] || strlen(spec + 5) >= sizeof(a.sun_path))
			return -2;
		strcpy(a.sun_path, spec + 5);
		unlink(a.sun_path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			goto fail;
		*unix_path = spec + 5;
	} else {
		return -2;
	}
	if (listen(fd, backlog) < 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	errno = saved;
	return -1;
}

#endif /* MIRRORNET_HOST_LISTEN_H */
