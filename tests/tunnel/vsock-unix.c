// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim for tests: AF_VSOCK stream sockets become unix sockets,
 * and a connect to CID:PORT goes to the unix socket $MN_VSOCK_DIR/CID:PORT,
 * so that serve's --vsock and --dns-tunnel modes (connects, reconnects,
 * their order) can be tested where no vsock transport has a loopback.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <linux/vm_sockets.h>

int socket(int domain, int type, int protocol)
{
	int (*real)(int, int, int) =
		(int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");

	if (domain == AF_VSOCK)
		return real(AF_UNIX, type, 0);
	return real(domain, type, protocol);
}

int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	int (*real)(int, const struct sockaddr *, socklen_t) =
		(int (*)(int, const struct sockaddr *, socklen_t))
		dlsym(RTLD_NEXT, "connect");
	const struct sockaddr_vm *vm = (const struct sockaddr_vm *)sa;
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	const char *dir = getenv("MN_VSOCK_DIR");

	if (sa->sa_family != AF_VSOCK)
		return real(fd, sa, len);
	if (!dir || (size_t)snprintf(un.sun_path, sizeof(un.sun_path),
				     "%s/%u:%u", dir, vm->svm_cid,
				     vm->svm_port) >= sizeof(un.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return real(fd, (struct sockaddr *)&un, sizeof(un));
}
