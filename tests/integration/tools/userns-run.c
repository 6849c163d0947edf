// SPDX-License-Identifier: GPL-2.0
/*
 * userns-run UID CMD...: drop to UID (and group UID), then, as that
 * unprivileged user, create a user namespace and a network namespace, map
 * UID to root inside, and exec CMD: "unshare -Urn" as everyone on Debian
 * can run it, with no help from busybox.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(path);
		exit(125);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	char map[64];
	unsigned long id;

	if (argc < 3) {
		fputs("usage: userns-run UID CMD...\n", stderr);
		return 2;
	}
	id = strtoul(argv[1], NULL, 0);
	if (setgroups(0, NULL) || setgid(id) || setuid(id)) {
		perror("userns-run: dropping privileges");
		return 125;
	}
	/* the uid change made us undumpable: /proc/self would stay root's */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		perror("userns-run: unshare");
		return 125;
	}
	put("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %lu 1\n", id);
	put("/proc/self/uid_map", map);
	put("/proc/self/gid_map", map);
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
