// SPDX-License-Identifier: GPL-2.0
/*
 * userns-run UID CMD...: run CMD as root of a user namespace that UID (an
 * unprivileged user) created, with a new network namespace: what
 * "unshare -Urn" gives everyone on Debian. Run as root: a child drops to
 * UID (and group UID) and unshares; this parent, as root outside, writes
 * the child's maps (UID as root inside) and setgroups "deny" (an
 * unprivileged child may be refused its own /proc files once its uid
 * changed), then the child execs CMD. Exits with CMD's status.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void put(pid_t pid, const char *file, const char *text)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(path);
		exit(125);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	int up[2], down[2], status;
	unsigned long id;
	char map[64], c = 0;
	pid_t pid;

	if (argc < 3) {
		fputs("usage: userns-run UID CMD...\n", stderr);
		return 2;
	}
	id = strtoul(argv[1], NULL, 0);
	if (pipe(up) || pipe(down)) {
		perror("userns-run: pipe");
		return 125;
	}
	pid = fork();
	if (pid < 0) {
		perror("userns-run: fork");
		return 125;
	}
	if (!pid) {
		close(up[0]);
		close(down[1]);
		if (setgroups(0, NULL) || setgid(id) || setuid(id)) {
			perror("userns-run: dropping privileges");
			_exit(125);
		}
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
			perror("userns-run: unshare");
			_exit(125);
		}
		/* unshared: the parent writes the maps, then lets us go */
		if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1 || c != 1)
			_exit(125);
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &c, 1) != 1) {
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
	}
	put(pid, "setgroups", "deny");
	snprintf(map, sizeof(map), "0 %lu 1\n", id);
	put(pid, "uid_map", map);
	put(pid, "gid_map", map);
	c = 1;
	if (write(down[1], &c, 1) != 1)
		return 125;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
}
