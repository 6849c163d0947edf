// SPDX-License-Identifier: GPL-2.0
/*
 * resolv.conf from a DNS setting (reference §2.1, 65 DNS; §5.7). WSL
 * truncates and rewrites the file in place; we write a new file next to
 * the target and rename it over, so a resolver never reads half a file.
 * Where rename() cannot replace the file (a file bind-mounted over it, as
 * containers do) we write it in place as WSL does.
 */
#define _GNU_SOURCE	/* mkostemp() */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gns/wire.h"
#include "sys.h"

/* As the kernel's MAXSYMLINKS. */
#define RESOLV_MAX_LINKS	40

/*
 * Follow @path through symlinks into @out: the file to replace. The links
 * themselves stay, so /etc/resolv.conf -> /mnt/wsl/resolv.conf keeps
 * pointing where the distros look. A missing final file (a dangling link)
 * is the one to create.
 */
static int resolv_target(const char *path, char *out, char *err,
			 size_t errlen)
{
	char link[PATH_MAX], next[PATH_MAX];
	struct stat st;
	const char *slash;
	ssize_t n;
	int hops, len;

	if (snprintf(out, PATH_MAX, "%s", path) >= PATH_MAX) {
		snprintf(err, errlen, "resolv.conf: path too long");
		return -1;
	}
	for (hops = 0;; hops++) {
		if (lstat(out, &st)) {
			if (errno == ENOENT)
				return 0;
			snprintf(err, errlen, "lstat %s: %s", out,
				 strerror(errno));
			return -1;
		}
		if (!S_ISLNK(st.st_mode))
			return 0;
		if (hops == RESOLV_MAX_LINKS) {
			snprintf(err, errlen, "%s: %s", path, strerror(ELOOP));
			return -1;
		}
		n = readlink(out, link, sizeof(link));
		if (n < 0 || (size_t)n == sizeof(link)) {
			snprintf(err, errlen, "readlink %s: %s", out,
				 n < 0 ? strerror(errno) : "target too long");
			return -1;
		}
		link[n] = '\0';
		/* a relative target is relative to the link's directory */
		slash = strrchr(out, '/');
		if (link[0] == '/' || !slash)
			len = snprintf(next, sizeof(next), "%s", link);
		else
			len = snprintf(next, sizeof(next), "%.*s%s",
				       (int)(slash - out + 1), out, link);
		if (len >= (int)sizeof(next)) {
			snprintf(err, errlen, "readlink %s: target too long",
				 out);
			return -1;
		}
		memcpy(out, next, len + 1);
	}
}

/* mkdir -p @dir (modified while it runs, restored after). */
static int resolv_mkdirs(char *dir, char *err, size_t errlen)
{
	struct stat st;
	char *slash;
	int ret;

	if (!stat(dir, &st)) {
		if (S_ISDIR(st.st_mode))
			return 0;
		snprintf(err, errlen, "%s: %s", dir, strerror(ENOTDIR));
		return -1;
	}
	if (errno != ENOENT) {
		snprintf(err, errlen, "stat %s: %s", dir, strerror(errno));
		return -1;
	}
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		ret = resolv_mkdirs(dir, err, errlen);
		*slash = '/';
		if (ret)
			return ret;
	}
	if (mkdir(dir, 0755)) {
		if (errno == EEXIST)
			return 0;
		snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	/* every user's resolver reads the file: no umask of ours in the way */
	if (chmod(dir, 0755)) {
		snprintf(err, errlen, "chmod %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * A server or suffix is one word of its line: white space or a control
 * character would split it or start a line of its own. gns_decode() drops
 * such entries; this keeps other callers from breaking the file.
 */
static int resolv_word(const char *what, size_t i, const char *word,
		       char *err, size_t errlen)
{
	size_t j;

	if (!word[0]) {
		snprintf(err, errlen, "DNS %s %zu: empty", what, i);
		return -1;
	}
	for (j = 0; word[j]; j++) {
		if ((unsigned char)word[j] <= ' ' || word[j] == 0x7f) {
			snprintf(err, errlen,
				 "DNS %s %zu: white space or control character",
				 what, i);
			return -1;
		}
	}
	return 0;
}

/* The file's text into a malloc'ed @text. */
static int resolv_text(const struct gns_dns *dns, char **text, size_t *len,
		       char *err, size_t errlen)
{
	const char *options = dns->options ? dns->options : "";
	size_t optlen = strlen(options), i;
	FILE *f;

	for (i = 0; i < dns->n_servers; i++)
		if (resolv_word("server", i, dns->servers[i], err, errlen))
			return -1;
	for (i = 0; i < dns->n_search; i++)
		if (resolv_word("search suffix", i, dns->search[i], err,
				errlen))
			return -1;

	f = open_memstream(text, len);
	if (!f) {
		snprintf(err, errlen, "resolv.conf: %s", strerror(errno));
		return -1;
	}
	fputs(options, f);
	if (optlen && options[optlen - 1] != '\n')
		fputc('\n', f);
	for (i = 0; i < dns->n_servers; i++)
		fprintf(f, "nameserver %s\n", dns->servers[i]);
	if (dns->n_search) {
		fputs("search", f);
		for (i = 0; i < dns->n_search; i++)
			fprintf(f, " %s", dns->search[i]);
		fputc('\n', f);
	}
	if (ferror(f) | fclose(f)) {
		snprintf(err, errlen, "resolv.conf: %s", strerror(ENOMEM));
		free(*text);
		return -1;
	}
	return 0;
}

/*
 * Write @text to @fd, fsync and close it; @fd is closed whatever happens.
 * -1 with errno and the failed step in @step.
 */
static int write_sync_close(int fd, const char *text, size_t len,
			    const char **step)
{
	int e;

	*step = "write";
	if (gns_write_all(fd, text, len))
		goto fail;
	*step = "fsync";
	if (fsync(fd))
		goto fail;
	*step = "close";
	return close(fd);
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/*
 * Write @text over the file @target in place: the fallback when @target is
 * a mount point (a file bind-mounted over it), which rename() cannot
 * replace. Readers may see a partial file while this runs, as with WSL.
 */
static int resolv_in_place(const char *target, const char *text, size_t len,
			   char *err, size_t errlen)
{
	const char *step = "open";
	int fd;

	fd = open(target, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && !write_sync_close(fd, text, len, &step))
		return 0;
	snprintf(err, errlen, "%s %s in place: %s", step, target,
		 strerror(errno));
	return -1;
}

/*
 * fsync @target's directory, so that the new name survives a crash. A file
 * system that cannot sync a directory (EINVAL) has nothing more to do.
 */
static int resolv_sync_dir(char *target, char *err, size_t errlen)
{
	char *slash = strrchr(target, '/');
	int fd, ret = 0;

	if (slash == target) {
		fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else if (slash) {
		*slash = '\0';
		fd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		*slash = '/';
	} else {
		fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0 || (fsync(fd) && errno != EINVAL)) {
		snprintf(err, errlen, "fsync the directory of %s: %s", target,
			 strerror(errno));
		ret = -1;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

int sys_resolv_write(const char *path, const struct gns_dns *dns,
		     char *err, size_t errlen)
{
	char target[PATH_MAX], tmp[PATH_MAX + 8], *text, *slash;
	const char *step;
	size_t len;
	int fd, ret;

	if (resolv_target(path, target, err, errlen))
		return -1;
	slash = strrchr(target, '/');
	if (slash && slash != target) {
		*slash = '\0';
		ret = resolv_mkdirs(target, err, errlen);
		*slash = '/';
		if (ret)
			return -1;
	}
	if (resolv_text(dns, &text, &len, err, errlen))
		return -1;

	/* same directory as the target, so rename() replaces it atomically */
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", target);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "create %s: %s", tmp, strerror(errno));
		free(text);
		return -1;
	}
	step = "chmod";
	if (fchmod(fd, 0644))
		goto fail;
	if (write_sync_close(fd, text, len, &step)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, target)) {
		if (errno == EBUSY || errno == EXDEV) {
			unlink(tmp);
			ret = resolv_in_place(target, text, len, err, errlen);
			free(text);
			return ret;
		}
		snprintf(err, errlen, "rename %s to %s: %s", tmp, target,
			 strerror(errno));
		goto out_unlink;
	}
	free(text);
	return resolv_sync_dir(target, err, errlen);

fail:
	snprintf(err, errlen, "%s %s: %s", step, tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
out_unlink:
	unlink(tmp);
	free(text);
	return -1;
}

/* Lexically drop "." and ".." from the absolute path @p, in place. */
static void resolv_clean(char *p)
{
	char *in = p, *out = p;

	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		if (in[0] == '.' && (in[1] == '/' || !in[1])) {
			in++;
		} else if (in[0] == '.' && in[1] == '.' &&
			   (in[2] == '/' || !in[2])) {
			in += 2;
			while (out > p && *--out != '/')
				;
		} else {
			*out++ = '/';
			while (*in && *in != '/')
				*out++ = *in++;
		}
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

bool sys_resolv_by_resolved(const char *path)
{
	char target[PATH_MAX], real[PATH_MAX], dir[2 * PATH_MAX], err[8];
	size_t dirlen, len;
	bool found;

	if (resolv_target(path, target, err, sizeof(err)) || target[0] != '/')
		return false;
	dirlen = (size_t)(strrchr(target, '/') - target);
	/*
	 * The directory's longest existing part through its links (/var/run
	 * -> /run, /etc/..), the missing rest as written: resolved may not
	 * have made its directory yet.
	 */
	for (len = dirlen;; len--) {
		char c = target[len];

		if (c != '/' && c != '\0')
			continue;
		target[len] = '\0';
		found = realpath(len ? target : "/", real);
		target[len] = c;
		if (found)
			break;
		if (!len)
			return false;
	}
	snprintf(dir, sizeof(dir), "%s%.*s", strcmp(real, "/") ? real : "",
		 (int)(dirlen - len), target + len);
	resolv_clean(dir);
	return !strcmp(dir, SYS_RESOLVED_DIR);
}
