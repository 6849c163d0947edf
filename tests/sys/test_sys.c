// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of helper/sysctl.c, resolv.c, nft.c and probe.c. The
 * binary moves itself into a new network and mount namespace first, so the
 * nftables rules, interfaces, listeners and mounts it makes never reach the
 * machine's own. Results are checked from outside the code under test: the
 * files themselves, `nft -j list ruleset`, `nft list chain`.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/rtnetlink.h>
#include <linux/seccomp.h>

#include <cmocka.h>
#include <jansson.h>

#include "gns/util.h"
#include "handlers.h"
#include "log.h"
#include "nlsock.h"
#include "rtlink.h"
#include "sys.h"

#define ERRLEN		GNS_ERR_LEN
#define PROBE_PORT	"47123"

static char workdir[] = "/tmp/mirrornet-sys.XXXXXX";

/* --- helpers ------------------------------------------------------------ */

static void pathf(char *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, PATH_MAX, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && n < PATH_MAX);
}

static char *read_file(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m;
	char buf[4096];
	size_t n;

	if (!f)
		return NULL;
	m = open_memstream(&text, &len);
	assert_non_null(m);
	while ((n = fread(buf, 1, sizeof(buf), f)))
		assert_int_equal(fwrite(buf, 1, n, m), n);
	assert_false(ferror(f));
	fclose(f);
	assert_int_equal(fclose(m), 0);
	return text;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) < 0, 0);
	assert_int_equal(fclose(f), 0);
}

static void assert_file(const char *path, const char *want)
{
	char *text = read_file(path);

	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
}

static void mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	pathf(buf, "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(!mkdir(buf, 0755) || errno == EEXIST);
		*p = '/';
	}
	assert_true(!mkdir(buf, 0755) || errno == EEXIST);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Run @argv (no shell) with @in on stdin; its stdout into *@out if asked. */
static int spawn(const char *const argv[], const char *in, char **out)
{
	int pin[2], pout[2], status;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe2(pin, O_CLOEXEC), 0);
	assert_int_equal(pipe2(pout, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(pin[0], 0);
		if (out)
			dup2(pout[1], 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	if (in)
		assert_int_equal(write(pin[1], in, strlen(in)), (ssize_t)strlen(in));
	close(pin[1]);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = read(pout[0], buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(pout[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define RUN(...) spawn((const char *const[]){ __VA_ARGS__, NULL }, NULL, NULL)

/* --- sysctl ------------------------------------------------------------- */

static char sysroot[PATH_MAX];

static int sysctl_setup(void **state)
{
	(void)state;
	pathf(sysroot, "%s/sysctl", workdir);
	mkdirs(sysroot);
	sys_sysctl_root = sysroot;
	return 0;
}

static int sysctl_teardown(void **state)
{
	(void)state;
	rm_rf(sysroot);
	sys_sysctl_root = "/proc/sys/net";
	return 0;
}

/* Make <root>/<fam>/conf/<scope>/<key> holding "x\n". */
static void sysctl_file(char *path, const char *fam, const char *scope,
			const char *key)
{
	char dir[PATH_MAX];

	pathf(dir, "%s/%s/conf/%s", sysroot, fam, scope);
	mkdirs(dir);
	pathf(path, "%s/%s", dir, key);
	write_file(path, "x\n");
}

static void test_sysctl_writes_value(void **state)
{
	char path[PATH_MAX], err[ERRLEN];

	(void)state;
	sysctl_file(path, "ipv6", "all", "accept_ra");
	assert_int_equal(sys_conf_set(SYS_IPV6_ACCEPT_RA, "all", false, err,
				      sizeof(err)), 0);
	assert_file(path, "0\n");
	assert_int_equal(sys_conf_set(SYS_IPV6_ACCEPT_RA, "all", true, err,
				      sizeof(err)), 0);
	assert_file(path, "1\n");

	sysctl_file(path, "ipv4", "eth0", "accept_local");
	assert_int_equal(sys_conf_set(SYS_IPV4_ACCEPT_LOCAL, "eth0", true, err,
				      sizeof(err)), 0);
	assert_file(path, "1\n");
}

/* Every key lands in its own family's directory under its kernel name. */
static void test_sysctl_every_key(void **state)
{
	static const struct {
		enum sys_conf_key key;
		const char *fam, *name;
	} keys[] = {
		{ SYS_IPV4_ACCEPT_LOCAL, "ipv4", "accept_local" },
		{ SYS_IPV4_ARP_FILTER, "ipv4", "arp_filter" },
		{ SYS_IPV4_ROUTE_LOCALNET, "ipv4", "route_localnet" },
		{ SYS_IPV4_RP_FILTER, "ipv4", "rp_filter" },
		{ SYS_IPV6_ACCEPT_DAD, "ipv6", "accept_dad" },
		{ SYS_IPV6_ACCEPT_RA, "ipv6", "accept_ra" },
		{ SYS_IPV6_ADDR_GEN_MODE, "ipv6", "addr_gen_mode" },
		{ SYS_IPV6_AUTOCONF, "ipv6", "autoconf" },
		{ SYS_IPV6_DAD_TRANSMITS, "ipv6", "dad_transmits" },
		{ SYS_IPV6_DISABLE_IPV6, "ipv6", "disable_ipv6" },
		{ SYS_IPV6_USE_TEMPADDR, "ipv6", "use_tempaddr" },
	};
	char path[PATH_MAX], err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		sysctl_file(path, keys[i].fam, "default", keys[i].name);
		assert_int_equal(sys_conf_set(keys[i].key, "default", true,
					      err, sizeof(err)), 0);
		assert_file(path, "1\n");
	}
	assert_int_equal(sys_conf_set((enum sys_conf_key)99, "all", true, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown key"));
}

static void test_sysctl_invalid_names(void **state)
{
	static const char *const bad[] = {
		"../x", "a/b", "", "way-too-long-name", ".", "..", "a b",
		"a:b", "a\tb", "a\nb", "0123456789abcdef",
	};
	char decoy1[PATH_MAX], decoy2[PATH_MAX], err[ERRLEN];
	size_t i;

	(void)state;
	/* where "../x" and "a/b" would lead if they reached a path */
	sysctl_file(decoy1, "ipv6", "../x", "accept_ra");
	sysctl_file(decoy2, "ipv6", "a/b", "accept_ra");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(gns_ifname_valid(bad[i]));
		err[0] = '\0';
		assert_int_equal(sys_conf_set(SYS_IPV6_ACCEPT_RA, bad[i], true,
					      err, sizeof(err)), -1);
		assert_string_equal(err,
				    "sysctl accept_ra: invalid interface name");
	}
	assert_file(decoy1, "x\n");
	assert_file(decoy2, "x\n");
	assert_true(gns_ifname_valid("0123456789abcde"));
	assert_true(gns_ifname_valid("a\"b;c"));
}

static void test_sysctl_missing_file(void **state)
{
	char path[PATH_MAX], want[PATH_MAX + 64], err[ERRLEN];

	(void)state;
	pathf(path, "%s/ipv6/conf/nosuch0/autoconf", sysroot);
	assert_int_equal(sys_conf_set(SYS_IPV6_AUTOCONF, "nosuch0", false, err,
				      sizeof(err)), -1);
	snprintf(want, sizeof(want), "open %s: %s", path, strerror(ENOENT));
	assert_string_equal(err, want);
}

/* The kernel refuses a value in write(): /dev/full fails there too. */
static void test_sysctl_write_error(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX], want[PATH_MAX + 64], err[ERRLEN];

	(void)state;
	pathf(dir, "%s/ipv4/conf/eth1", sysroot);
	mkdirs(dir);
	pathf(path, "%s/rp_filter", dir);
	assert_int_equal(symlink("/dev/full", path), 0);
	assert_int_equal(sys_conf_set(SYS_IPV4_RP_FILTER, "eth1", false, err,
				      sizeof(err)), -1);
	snprintf(want, sizeof(want), "write %s: %s", path, strerror(ENOSPC));
	assert_string_equal(err, want);
}

/* The real /proc/sys of this test's own network namespace. */
static void test_sysctl_real_proc(void **state)
{
	char err[ERRLEN];
	const char *path = "/proc/sys/net/ipv4/conf/lo/accept_local";

	(void)state;
	sys_sysctl_root = "/proc/sys/net";
	assert_int_equal(sys_conf_set(SYS_IPV4_ACCEPT_LOCAL, "lo", true, err,
				      sizeof(err)), 0);
	assert_file(path, "1\n");
	assert_int_equal(sys_conf_set(SYS_IPV4_ACCEPT_LOCAL, "lo", false, err,
				      sizeof(err)), 0);
	assert_file(path, "0\n");
	sys_sysctl_root = sysroot;
}

/* --- resolv.conf --------------------------------------------------------- */

static const char wsl_banner[] =
	"# This file was automatically generated by WSL. To stop automatic "
	"generation of this file, add the following entry to /etc/wsl.conf:\n"
	"# [network]\n"
	"# generateResolvConf = false\n";

static char rdir[PATH_MAX];

static int resolv_setup(void **state)
{
	(void)state;
	pathf(rdir, "%s/resolv", workdir);
	mkdirs(rdir);
	umask(077);	/* the file must be 0644 whatever the umask */
	return 0;
}

static int resolv_teardown(void **state)
{
	(void)state;
	umask(022);
	rm_rf(rdir);
	return 0;
}

/* The reference's DNS example (§3.4, banner of §5.7). */
static const char *example_servers[1], *example_search[2];

static void example_dns(struct gns_dns *dns)
{
	memset(dns, 0, sizeof(*dns));
	dns->options = wsl_banner;
	example_servers[0] = "10.255.255.254";
	dns->n_servers = 1;
	dns->servers = example_servers;
	example_search[0] = "corp.example.com";
	example_search[1] = "example.com";
	dns->n_search = 2;
	dns->search = example_search;
}

static const char example_text[] =
	"# This file was automatically generated by WSL. To stop automatic "
	"generation of this file, add the following entry to /etc/wsl.conf:\n"
	"# [network]\n"
	"# generateResolvConf = false\n"
	"nameserver 10.255.255.254\n"
	"search corp.example.com example.com\n";

static void assert_mode(const char *path, mode_t mode)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, mode);
}

/* @dir holds exactly the names given (no temp file left behind). */
static void assert_dir_holds(const char *dir, const char *const names[],
			     size_t n)
{
	char listing[4096] = "", want[4096] = "";
	struct dirent **ents;
	int i, count;
	size_t j;

	count = scandir(dir, &ents, NULL, alphasort);
	assert_true(count >= 0);
	for (i = 0; i < count; i++) {
		if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
			strcat(listing, ents[i]->d_name);
			strcat(listing, " ");
		}
		free(ents[i]);
	}
	free(ents);
	for (j = 0; j < n; j++) {
		strcat(want, names[j]);
		strcat(want, " ");
	}
	assert_string_equal(listing, want);
}

static void test_resolv_example(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX], err[ERRLEN];
	static const char *const names[] = { "resolv.conf" };
	struct gns_dns dns;

	(void)state;
	pathf(dir, "%s/example", rdir);
	mkdirs(dir);
	pathf(path, "%s/resolv.conf", dir);
	example_dns(&dns);
	assert_int_equal(sys_resolv_write(path, &dns, err, sizeof(err)), 0);
	assert_file(path, example_text);
	assert_mode(path, 0644);
	assert_dir_holds(dir, names, 1);
}

static void test_resolv_layout(void **state)
{
	static const char *servers[] = { "192.0.2.1", "192.0.2.2",
					 "2001:db8::53" };
	static const char *search[] = { "example.org" };
	char path[PATH_MAX], err[ERRLEN];
	struct gns_dns dns;

	(void)state;
	pathf(path, "%s/layout.conf", rdir);
	memset(&dns, 0, sizeof(dns));
	/* Options without its last newline: one is added */
	dns.options = "options timeout:1";
	dns.n_servers = 3;
	dns.servers = servers;
	assert_int_equal(sys_resolv_write(path, &dns, err, sizeof(err)), 0);
	assert_file(path, "options timeout:1\n"
			  "nameserver 192.0.2.1\n"
			  "nameserver 192.0.2.2\n"
			  "nameserver 2001:db8::53\n");

	/* empty Options add nothing, not even a blank line */
	dns.options = "";
	dns.n_servers = 0;
	dns.n_search = 1;
	dns.search = search;
	assert_int_equal(sys_resolv_write(path, &dns, err, sizeof(err)), 0);
	assert_file(path, "search example.org\n");

	memset(&dns, 0, sizeof(dns));
	dns.options = "";
	assert_int_equal(sys_resolv_write(path, &dns, err, sizeof(err)), 0);
	assert_file(path, "");
}

/* An existing file is replaced by a new inode, mode fixed, never edited. */
static void test_resolv_replaces(void **state)
{
	char path[PATH_MAX], err[ERRLEN];
	struct stat before, after;
	struct gns_dns dns;

	(void)state;
	pathf(path, "%s/replace.conf", rdir);
	write_file(path, "nameserver 198.51.100.1\n");
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(stat(path, &before), 0);
	example_dns(&dns);
	assert_int_equal(sys_resolv_write(path, &dns, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino);
	assert_file(path, example_text);
	assert_mode(path, 0644);
}

/* /etc/resolv.conf -> ../mnt/wsl/resolv.conf, as in WSL's root. */
static void test_resolv_symlink(void **state)
{
	char etc[PATH_MAX], wsl[PATH_MAX], link[PATH_MAX], target[PATH_MAX];
	char hop[PATH_MAX], got[PATH_MAX], err[ERRLEN];
	static const char *const etc_names[] = { "hop", "resolv.conf" };
	static const char *const wsl_names[] = { "resolv.conf" };
	struct gns_dns dns;
	struct stat st;
	ssize_t n;

	(void)state;
	pathf(etc, "%s/sym/etc", rdir);
	pathf(wsl, "%s/sym/mnt/wsl", rdir);
	mkdirs(etc);
	mkdirs(wsl);
	pathf(link, "%s/resolv.conf", etc);
	pathf(hop, "%s/hop", etc);
	pathf(target, "%s/resolv.conf", wsl);
	write_file(target, "old\n");
	/* two hops: an absolute link to a relative one */
	assert_int_equal(symlink(hop, link), 0);
	assert_int_equal(symlink("../mnt/wsl/resolv.conf", hop), 0);

	example_dns(&dns);
	assert_int_equal(sys_resolv_write(link, &dns, err, sizeof(err)), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	n = readlink(link, got, sizeof(got) - 1);
	assert_true(n > 0);
	got[n] = '\0';
	assert_string_equal(got, hop);
	n = readlink(hop, got, sizeof(got) - 1);
	assert_true(n > 0);
	got[n] = '\0';
	assert_string_equal(got, "../mnt/wsl/resolv.conf");
	assert_file(target, example_text);
	assert_mode(target, 0644);
	assert_dir_holds(etc, etc_names, 2);
	assert_dir_holds(wsl, wsl_names, 1);
}

/* A dangling link: its target, and the target's directories, are made. */
static void test_resolv_dangling(void **state)
{
	char etc[PATH_MAX], link[PATH_MAX], target[PATH_MAX], err[ERRLEN];
	char dir[PATH_MAX];
	struct gns_dns dns;
	struct stat st;

	(void)state;
	pathf(etc, "%s/dangling/etc", rdir);
	mkdirs(etc);
	pathf(link, "%s/resolv.conf", etc);
	pathf(dir, "%s/dangling/mnt/wsl", rdir);
	pathf(target, "%s/resolv.conf", dir);
	assert_int_equal(symlink(target, link), 0);
	example_dns(&dns);
	assert_int_equal(sys_resolv_write(link, &dns, err, sizeof(err)), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_file(target, example_text);
	assert_mode(target, 0644);
	assert_mode(dir, 0755);
}

/* mkdir -p of the parent, as WSL's "mkdir -p /etc". */
static void test_resolv_missing_parent(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX], err[ERRLEN];
	struct gns_dns dns;

	(void)state;
	pathf(dir, "%s/newroot/etc", rdir);
	pathf(path, "%s/resolv.conf", dir);
	example_dns(&dns);
	assert_int_equal(sys_resolv_write(path, &dns, err, sizeof(err)), 0);
	assert_file(path, example_text);
	assert_mode(dir, 0755);
	pathf(dir, "%s/newroot", rdir);
	assert_mode(dir, 0755);
}

static void test_resolv_read_only(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX], err[ERRLEN];
	static const char *const names[] = { "resolv.conf" };
	struct gns_dns dns;

	(void)state;
	pathf(dir, "%s/ro", rdir);
	mkdirs(dir);
	assert_int_equal(mount("tmpfs", dir, "tmpfs", 0, "mode=0755"), 0);
	pathf(path, "%s/resolv.conf", dir);
	write_file(path, "nameserver 198.51.100.1\n");
	assert_int_equal(mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);

	example_dns(&dns);
	err[0] = '\0';
	assert_int_equal(sys_resolv_write(path, &dns, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, strerror(EROFS)));
	assert_file(path, "nameserver 198.51.100.1\n");
	assert_dir_holds(dir, names, 1);
	assert_int_equal(umount(dir), 0);
}

/* A failure after the temp file exists (a full disk) removes it again. */
static void test_resolv_full_disk(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX], err[ERRLEN], *big;
	static const char *const names[] = { "resolv.conf" };
	struct gns_dns dns;

	(void)state;
	pathf(dir, "%s/full", rdir);
	mkdirs(dir);
	assert_int_equal(mount("tmpfs", dir, "tmpfs", 0, "size=16k"), 0);
	pathf(path, "%s/resolv.conf", dir);
	write_file(path, "nameserver 198.51.100.1\n");

	big = malloc(256 * 1024);
	assert_non_null(big);
	memset(big, '#', 256 * 1024 - 1);
	big[256 * 1024 - 1] = '\0';
	example_dns(&dns);
	dns.options = big;
	err[0] = '\0';
	assert_int_equal(sys_resolv_write(path, &dns, err, sizeof(err)), -1);
	free(big);
	assert_true(!strncmp(err, "write ", 6));
	assert_non_null(strstr(err, strerror(ENOSPC)));
	assert_file(path, "nameserver 198.51.100.1\n");
	assert_dir_holds(dir, names, 1);
	assert_int_equal(umount(dir), 0);
}

/* Entries that would break the file's lines are refused, nothing written. */
static void test_resolv_bad_entries(void **state)
{
	char path[PATH_MAX], err[ERRLEN];
	struct gns_dns dns;

	(void)state;
	pathf(path, "%s/bad.conf", rdir);
	write_file(path, "old\n");

	example_dns(&dns);
	example_servers[0] = "10.0.0.1\nnameserver 6.6.6.6";
	assert_int_equal(sys_resolv_write(path, &dns, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "DNS server 0: white space or control character");

	example_dns(&dns);
	example_search[1] = "a b";
	assert_int_equal(sys_resolv_write(path, &dns, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "DNS search suffix 1: white space or control character");

	example_dns(&dns);
	example_search[0] = "";
	assert_int_equal(sys_resolv_write(path, &dns, err, sizeof(err)), -1);
	assert_string_equal(err, "DNS search suffix 0: empty");
	assert_file(path, "old\n");
}

static void test_resolv_symlink_loop(void **state)
{
	char a[PATH_MAX], b[PATH_MAX], want[PATH_MAX + 64], err[ERRLEN];
	struct gns_dns dns;

	(void)state;
	pathf(a, "%s/loop-a", rdir);
	pathf(b, "%s/loop-b", rdir);
	assert_int_equal(symlink(b, a), 0);
	assert_int_equal(symlink(a, b), 0);
	example_dns(&dns);
	assert_int_equal(sys_resolv_write(a, &dns, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: %s", a, strerror(ELOOP));
	assert_string_equal(err, want);
}

/* Which resolv.conf links hand the settings to systemd-resolved. */
static void test_resolv_by_resolved(void **state)
{
	static const struct {
		const char *to;
		bool resolved;
	} cases[] = {
		{ "/run/systemd/resolve/stub-resolv.conf", true },
		{ "/run/systemd/resolve/resolv.conf", true },
		{ "/run/systemd/resolve/../resolve/x", true },
		{ "/run//systemd/./resolve/stub-resolv.conf", true },
		{ "/var/run/systemd/resolve/stub-resolv.conf", true },
		{ "/run/systemd/resolve.d/stub-resolv.conf", false },
		{ "/run/systemd/resolve/netif/stub-resolv.conf", false },
		{ "/run/systemd/stub-resolv.conf", false },
		{ "/mnt/wsl/resolv.conf", false },
	};
	char link[PATH_MAX], rel[PATH_MAX * 2], *p;
	size_t i;

	(void)state;
	pathf(link, "%s/by-resolved", rdir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unlink(link);
		assert_int_equal(symlink(cases[i].to, link), 0);
		if (sys_resolv_by_resolved(link) != cases[i].resolved)
			fail_msg("%s", cases[i].to);
	}
	/* relative, as Debian's ../run/systemd/resolve/stub-resolv.conf */
	rel[0] = '\0';
	for (p = rdir; *p; p++)
		if (*p == '/')
			strcat(rel, "../");
	strcat(rel, "run/systemd/resolve/stub-resolv.conf");
	unlink(link);
	assert_int_equal(symlink(rel, link), 0);
	assert_true(sys_resolv_by_resolved(link));
	/* a plain file, and one in a directory named like resolved's */
	unlink(link);
	write_file(link, "");
	assert_false(sys_resolv_by_resolved(link));
	unlink(link);
	assert_int_equal(symlink(rdir, link), 0);
	assert_false(sys_resolv_by_resolved(link));
}

/* --- nftables ----------------------------------------------------------- */

/*
 * Names the kernel accepts (dev_valid_name) that nft syntax would not, and
 * "a", which nft 1.0.6's JSON listing cannot tell from "a\"b;c".
 */
static const char evil1[] = "a\"b;c";
static const char evil2[] = "\\\"},{x]";

static int nft_group_setup(void **state)
{
	static const char *const names[] = { "eth0", "eth1", "a", evil1, evil2 };
	size_t i;

	(void)state;
	/* no dummy driver on the test machine; a bridge is a plain netdev */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (RUN("ip", "link", "add", "name", names[i], "type",
			"bridge"))
			return -1;
	return 0;
}

static int nft_flush(void **state)
{
	(void)state;
	return RUN("nft", "flush", "ruleset") ? -1 : 0;
}

static json_t *ruleset(void)
{
	char *out;
	json_t *rs;

	assert_int_equal(spawn((const char *const[]){ "nft", "-j", "list",
						     "ruleset", NULL },
			       NULL, &out), 0);
	rs = json_loads(out, 0, NULL);
	free(out);
	assert_non_null(rs);
	return rs;
}

static char *chain_text(const char *fam)
{
	char *text;

	assert_int_equal(spawn((const char *const[]){ "nft", "list", "chain",
						     fam, "nat", "WSLPOSTROUTING",
						     NULL }, NULL, &text), 0);
	return text;
}

/* Count the objects of kind @kind ("table", "chain", "rule"). */
static size_t count_kind(json_t *rs, const char *kind)
{
	size_t i, n = 0;
	json_t *item;

	json_array_foreach(json_object_get(rs, "nftables"), i, item)
		n += json_object_get(item, kind) != NULL;
	return n;
}

/* The rules of one chain, in order. */
static json_t *chain_rules(json_t *rs, const char *fam, const char *table,
			   const char *chain)
{
	json_t *rules = json_array(), *item, *rule;
	size_t i;

	json_array_foreach(json_object_get(rs, "nftables"), i, item) {
		rule = json_object_get(item, "rule");
		if (rule &&
		    !strcmp(json_string_value(json_object_get(rule, "family")), fam) &&
		    !strcmp(json_string_value(json_object_get(rule, "table")), table) &&
		    !strcmp(json_string_value(json_object_get(rule, "chain")), chain))
			json_array_append(rules, rule);
	}
	return rules;
}

/*
 * WSL's masquerade rule as `nft -j` lists it, with our comment. nft 1.0.6
 * lists an oif name only up to its first '"'.
 */
static json_t *masq_rule(const char *ifname, const char *proto, int lo, int hi)
{
	char tag[32];
	json_t *e;

	snprintf(tag, sizeof(tag), "mirrornet ifindex %u",
		 if_nametoindex(ifname));
	e = json_pack("{s:s,s:[{s:{s:s,s:{s:{s:s}},s:s%}},"
		      "{s:{s:s,s:{s:{s:s,s:s}},s:{s:[i,i]}}},"
		      "{s:{s:s,s:{s:{s:s}},s:i}},"
		      "{s:{s:i,s:i}},"
		      "{s:{s:{s:[i,i]}}}]}",
		      "comment", tag, "expr",
		      "match", "op", "==", "left", "meta", "key", "oif",
		      "right", ifname, strcspn(ifname, "\""),
		      "match", "op", "==", "left", "payload",
		      "protocol", proto, "field", "sport",
		      "right", "range", 1, 65535,
		      "match", "op", "!=", "left", "meta", "key", "mark",
		      "right", 1,
		      "counter", "packets", 0, "bytes", 0,
		      "masquerade", "port", "range", lo, hi);
	assert_non_null(e);
	return e;
}

/*
 * nat WSLPOSTROUTING of both families holds exactly one rule per
 * (family, protocol) for each of @names, with ports @lo-@hi, and no other.
 */
static void assert_masq(const char *const names[], size_t n, int lo, int hi)
{
	static const char *const fams[] = { "ip", "ip6" };
	static const char *const protos[] = { "udp", "tcp" };
	json_t *rs = ruleset(), *rules, *rule, *want, *got;
	size_t f, p, k, i, found;

	for (f = 0; f < 2; f++) {
		rules = chain_rules(rs, fams[f], "nat", "WSLPOSTROUTING");
		assert_int_equal(json_array_size(rules), 2 * n);
		for (k = 0; k < n; k++) {
			for (p = 0; p < 2; p++) {
				want = masq_rule(names[k], protos[p], lo, hi);
				found = 0;
				json_array_foreach(rules, i, rule) {
					got = json_pack("{s:O,s:O}", "comment",
							json_object_get(rule, "comment"),
							"expr",
							json_object_get(rule, "expr"));
					found += json_equal(got, want);
					json_decref(got);
				}
				json_decref(want);
				assert_int_equal(found, 1);
			}
		}
		json_decref(rules);
	}
	json_decref(rs);
}

/* nft's text listing (which prints names as they are) has @ifname's rule. */
static bool listed(const char *text, const char *ifname, const char *proto,
		   const char *ports)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "\toif \"%s\" %s sport 1-65535 meta mark != 0x00000001 counter packets 0 bytes 0 masquerade to :%s comment \"mirrornet ifindex %u\"\n",
		 ifname, proto, ports, if_nametoindex(ifname));
	return strstr(text, line) != NULL;
}

static void test_nft_setup_twice(void **state)
{
	static const char *const fams[] = { "ip", "ip6" };
	json_t *rs, *rules, *chain, *item;
	char err[ERRLEN], *text;
	size_t f, i, chains;
	const char *key;
	int value;

	(void)state;
	assert_int_equal(sys_nft_setup(err, sizeof(err)), 0);
	assert_int_equal(sys_nft_setup(err, sizeof(err)), 0);

	rs = ruleset();
	assert_int_equal(count_kind(rs, "table"), 4);
	assert_int_equal(count_kind(rs, "chain"), 4);
	assert_int_equal(count_kind(rs, "rule"), 2);
	for (f = 0; f < 2; f++) {
		rules = chain_rules(rs, fams[f], "filter", "WSLOUTPUT");
		assert_int_equal(json_array_size(rules), 1);
		assert_int_equal(json_unpack(json_array_get(rules, 0),
					     "{s:[{s:o},{s:{s:{s:{s:s}},s:i}}!]}",
					     "expr", "counter", &item, "mangle",
					     "key", "meta", "key", &key,
					     "value", &value), 0);
		assert_string_equal(key, "mark");
		assert_int_equal(value, 1);
		json_decref(rules);
		chains = 0;
		json_array_foreach(json_object_get(rs, "nftables"), i, item) {
			const char *fam, *table, *name, *type, *hook;
			int prio;

			chain = json_object_get(item, "chain");
			if (!chain)
				continue;
			assert_int_equal(json_unpack(chain,
						     "{s:s,s:s,s:s,s:s,s:s,s:i}",
						     "family", &fam, "table", &table,
						     "name", &name, "type", &type,
						     "hook", &hook, "prio", &prio), 0);
			if (strcmp(fam, fams[f]))
				continue;
			chains++;
			if (!strcmp(table, "filter")) {
				assert_string_equal(name, "WSLOUTPUT");
				assert_string_equal(type, "filter");
				assert_string_equal(hook, "output");
				assert_int_equal(prio, 0);
			} else {
				assert_string_equal(table, "nat");
				assert_string_equal(name, "WSLPOSTROUTING");
				assert_string_equal(type, "nat");
				assert_string_equal(hook, "postrouting");
				assert_int_equal(prio, 99);
			}
		}
		assert_int_equal(chains, 2);
	}
	json_decref(rs);

	/* and in nft's own words, as WSL wrote it */
	text = chain_text("ip6");
	assert_non_null(strstr(text, "type nat hook postrouting priority srcnat - 1;"));
	free(text);
}

static void test_nft_iface_add(void **state)
{
	static const char *const names[] = { "eth0" };
	char err[ERRLEN], *text;

	(void)state;
	assert_int_equal(sys_nft_setup(err, sizeof(err)), 0);
	assert_int_equal(sys_nft_iface_add("eth0", 49152, 53247, err,
					   sizeof(err)), 0);
	assert_masq(names, 1, 49152, 53247);

	/* WSL's nft command line gives the same rule, less the comment */
	text = chain_text("ip");
	assert_true(listed(text, "eth0", "udp", "49152-53247"));
	assert_true(listed(text, "eth0", "tcp", "49152-53247"));
	free(text);
}

static void test_nft_iface_add_twice(void **state)
{
	static const char *const names[] = { "eth0" };
	char err[ERRLEN];

	(void)state;
	assert_int_equal(sys_nft_setup(err, sizeof(err)), 0);
	assert_int_equal(sys_nft_iface_add("eth0", 49152, 53247, err,
					   sizeof(err)), 0);
	assert_int_equal(sys_nft_iface_add("eth0", 49152, 53247, err,
					   sizeof(err)), 0);
	assert_masq(names, 1, 49152, 53247);
	/* a new range replaces the old one */
	assert_int_equal(sys_nft_iface_add("eth0", 60000, 64095, err,
					   sizeof(err)), 0);
	assert_masq(names, 1, 60000, 64095);
	/* and setup again keeps them */
	assert_int_equal(sys_nft_setup(err, sizeof(err)), 0);
	assert_masq(names, 1, 60000, 64095);
}

static void test_nft_iface_del(void **state)
{
	static const char *const both[] = { "eth0", "eth1" };
	static const char *const eth1[] = { "eth1" };
	char err[ERRLEN];

	(void)state;
	assert_int_equal(sys_nft_setup(err, sizeof(err)), 0);
	assert_int_equal(sys_nft_iface_add("eth0", 49152, 53247, err,
					   sizeof(err)), 0);
	assert_int_equal(sys_nft_iface_add("eth1", 49152, 53247, err,
					   sizeof(err)), 0);
	assert_masq(both, 2, 49152, 53247);
	assert_int_equal(sys_nft_iface_del("eth0", err, sizeof(err)), 0);
	assert_masq(eth1, 1, 49152, 53247);
	assert_int_equal(sys_nft_iface_del("eth0", err, sizeof(err)), 0);
	assert_masq(eth1, 1, 49152, 53247);
	assert_int_equal(sys_nft_iface_del("eth1", err, sizeof(err)), 0);
	assert_masq(NULL, 0, 0, 0);
}

static void test_nft_del_without_tables(void **state)
{
	char err[ERRLEN];
	json_t *rs;

	(void)state;
	assert_int_equal(sys_nft_iface_del("eth0", err, sizeof(err)), 0);
	rs = ruleset();
	assert_int_equal(count_kind(rs, "table"), 0);
	json_decref(rs);
}

/*
 * Quotes, ';', braces, a backslash: each name gets its own four rules and
 * nothing else appears; removing one leaves the others, "a" included.
 */
static void test_nft_hostile_names(void **state)
{
	static const char *const all[] = { "eth0", "a", evil1, evil2 };
	static const char *const left[] = { "eth0", "a", evil2 };
	static const char *const eth0[] = { "eth0" };
	char err[ERRLEN], *text;
	json_t *rs;
	size_t i;

	(void)state;
	assert_int_equal(sys_nft_setup(err, sizeof(err)), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(sys_nft_iface_add(all[i], 49152, 53247, err,
						   sizeof(err)), 0);
	rs = ruleset();
	assert_int_equal(count_kind(rs, "table"), 4);
	assert_int_equal(count_kind(rs, "chain"), 4);
	assert_int_equal(count_kind(rs, "rule"), 2 + 16);
	json_decref(rs);
	assert_masq(all, 4, 49152, 53247);
	text = chain_text("ip6");
	for (i = 0; i < 4; i++) {
		assert_true(listed(text, all[i], "udp", "49152-53247"));
		assert_true(listed(text, all[i], "tcp", "49152-53247"));
	}
	free(text);

	/* a"b;c lists as "a": the ifindex keeps them apart */
	assert_int_equal(sys_nft_iface_del(evil1, err, sizeof(err)), 0);
	assert_masq(left, 3, 49152, 53247);
	assert_int_equal(sys_nft_iface_add(evil1, 49152, 53247, err,
					   sizeof(err)), 0);
	assert_int_equal(sys_nft_iface_del("a", err, sizeof(err)), 0);
	assert_int_equal(sys_nft_iface_del(evil2, err, sizeof(err)), 0);
	assert_int_equal(sys_nft_iface_del(evil1, err, sizeof(err)), 0);
	assert_masq(eth0, 1, 49152, 53247);
}

/* oif is the ifindex: a renamed interface's rules go by its new name. */
static void test_nft_renamed(void **state)
{
	static const char *const ren1[] = { "ren1" };
	static const char *const eth0[] = { "eth0" };
	char err[ERRLEN], *text;

	(void)state;
	assert_int_equal(RUN("ip", "link", "add", "name", "ren0", "type",
			     "bridge"), 0);
	assert_int_equal(sys_nft_setup(err, sizeof(err)), 0);
	assert_int_equal(sys_nft_iface_add("ren0", 49152, 53247, err,
					   sizeof(err)), 0);
	assert_int_equal(RUN("ip", "link", "set", "ren0", "name", "ren1"), 0);
	assert_masq(ren1, 1, 49152, 53247);
	assert_int_equal(sys_nft_iface_del("ren1", err, sizeof(err)), 0);
	assert_masq(NULL, 0, 0, 0);

	/*
	 * A gone interface: its rules are found by their tag (their oif is
	 * a number now, the next interface with that index would match);
	 * the rules of interfaces still there stay.
	 */
	assert_int_equal(sys_nft_iface_add("ren1", 49152, 53247, err,
					   sizeof(err)), 0);
	assert_int_equal(sys_nft_iface_add("eth0", 49152, 53247, err,
					   sizeof(err)), 0);
	assert_int_equal(RUN("ip", "link", "del", "ren1"), 0);
	text = chain_text("ip");
	assert_non_null(strstr(text, "oif "));
	free(text);
	assert_int_equal(sys_nft_iface_del("ren1", err, sizeof(err)), 0);
	assert_masq(eth0, 1, 49152, 53247);
	/* NULL: the GUID of a gone NIC, same cleanup, nothing else goes */
	assert_int_equal(sys_nft_iface_del(NULL, err, sizeof(err)), 0);
	assert_masq(eth0, 1, 49152, 53247);
}

static void test_nft_errors(void **state)
{
	char err[ERRLEN];
	json_t *rs;

	(void)state;
	/* before setup: no chain to add to */
	err[0] = '\0';
	assert_int_equal(sys_nft_iface_add("eth0", 49152, 53247, err,
					   sizeof(err)), -1);
	assert_true(!strncmp(err, "nft interface add: ", 19));
	/* four rules failed alike: one message */
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_null(strstr(strstr(err, strerror(ENOENT)) + 1, strerror(ENOENT)));
	assert_null(strchr(err, '\n'));

	assert_int_equal(sys_nft_setup(err, sizeof(err)), 0);
	assert_int_equal(sys_nft_iface_add("nosuch0", 49152, 53247, err,
					   sizeof(err)), -1);
	assert_string_equal(err, "nft interface add: nosuch0: No such device");
	assert_int_equal(sys_nft_iface_del("nosuch0", err, sizeof(err)), 0);

	assert_int_equal(sys_nft_iface_add("../x", 1, 2, err, sizeof(err)), -1);
	assert_string_equal(err, "nft interface: invalid interface name");
	assert_int_equal(sys_nft_iface_del("a b", err, sizeof(err)), -1);
	assert_string_equal(err, "nft interface: invalid interface name");
	assert_int_equal(sys_nft_iface_add("eth0", 0, 0, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "nft interface: port range 0-0 is empty or starts at 0");
	assert_int_equal(sys_nft_iface_add("eth0", 2000, 1000, err,
					   sizeof(err)), -1);

	rs = ruleset();
	assert_int_equal(count_kind(rs, "rule"), 2);
	json_decref(rs);
}

/* One transaction: with no ip6 nat chain, the ip rules are not added. */
static void test_nft_all_or_nothing(void **state)
{
	char err[ERRLEN];
	json_t *rs;

	(void)state;
	assert_int_equal(spawn((const char *const[]){ "nft", "-f", "-", NULL },
			       "add table ip nat\n"
			       "add chain ip nat WSLPOSTROUTING { type nat hook postrouting priority srcnat - 1; }\n",
			       NULL), 0);
	assert_int_equal(sys_nft_iface_add("eth0", 49152, 53247, err,
					   sizeof(err)), -1);
	rs = ruleset();
	assert_int_equal(count_kind(rs, "rule"), 0);
	json_decref(rs);
}

/* --- probe --------------------------------------------------------------- */

static int listen_on(int family)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	int fd, one = 1;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(atoi(PROBE_PORT));
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(atoi(PROBE_PORT));
		sin6->sin6_addr = in6addr_loopback;
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, sizeof(ss)), 0);
	assert_int_equal(listen(fd, 8), 0);
	return fd;
}

#define STATUS(v4, v6)	((int32_t)((v4) | (v6) << 16))

static void test_probe_success(void **state)
{
	int fd4 = listen_on(AF_INET), fd6 = listen_on(AF_INET6);
	char what[256];

	(void)state;
	assert_int_equal(sys_probe_port("localhost", PROBE_PORT, 2000, 2000,
					what, sizeof(what)),
			 STATUS(SYS_PROBE_SUCCESS, SYS_PROBE_SUCCESS));
	assert_string_equal(what, "localhost: IPv4 connected, IPv6 connected");
	assert_int_equal(STATUS(SYS_PROBE_SUCCESS, SYS_PROBE_SUCCESS),
			 0x00010001);
	close(fd4);
	close(fd6);
}

/* Refused is Success, as WSL's guest counts a writable socket; the log knows. */
static void test_probe_refused(void **state)
{
	char what[256];

	(void)state;
	assert_int_equal(sys_probe_port("localhost", PROBE_PORT, 2000, 2000,
					what, sizeof(what)), 0x00010001);
	assert_string_equal(what, "localhost: IPv4 refused, IPv6 refused");
	/* the public one: port 80, nothing listens in this namespace */
	assert_int_equal(sys_probe("localhost", what, sizeof(what)),
			 0x00010001);
}

/* The reference's example: both families answer, one of them refuses. */
static void test_probe_mixed(void **state)
{
	int fd4 = listen_on(AF_INET);
	char what[256];

	(void)state;
	assert_int_equal(sys_probe_port("localhost", PROBE_PORT, 2000, 2000,
					what, sizeof(what)), 0x00010001);
	assert_string_equal(what, "localhost: IPv4 connected, IPv6 refused");
	close(fd4);
}

static void test_probe_unknown_host(void **state)
{
	char what[256];

	(void)state;
	assert_int_equal(sys_probe_port("no-such-host.invalid", PROBE_PORT,
					2000, 2000, what, sizeof(what)),
			 0x00020002);
	assert_null(strstr(what, "connected"));
}

/* SYNs dropped: both still pending at the end are FailureSocketConnect. */
static void test_probe_timeout(void **state)
{
	int64_t start, took;
	char what[256];

	(void)state;
	assert_int_equal(spawn((const char *const[]){ "nft", "-f", "-", NULL },
			       "add table inet probe\n"
			       "add chain inet probe in { type filter hook input priority 0; }\n"
			       "add rule inet probe in tcp dport " PROBE_PORT " drop\n",
			       NULL), 0);
	start = gns_now_ms();
	assert_int_equal(sys_probe_port("localhost", PROBE_PORT, 2000, 500,
					what, sizeof(what)),
			 STATUS(SYS_PROBE_FAILURE_SOCKET_CONNECT,
				SYS_PROBE_FAILURE_SOCKET_CONNECT));
	took = gns_now_ms() - start;
	assert_true(took >= 490);
	assert_true(took < 900);
	assert_string_equal(what, "localhost: IPv4 no answer, IPv6 no answer");
	assert_int_equal(RUN("nft", "delete", "table", "inet", "probe"), 0);
}

/* Resolve names through the name server on 127.0.0.1 only. */
static void dns_only(const char *resolv_conf)
{
	char resolv[PATH_MAX], nsswitch[PATH_MAX];

	snprintf(resolv, sizeof(resolv), "%s/resolv.conf.empty", workdir);
	snprintf(nsswitch, sizeof(nsswitch), "%s/nsswitch.conf", workdir);
	write_file(nsswitch, "hosts: files dns\n");
	assert_int_equal(mount(nsswitch, "/etc/nsswitch.conf", NULL, MS_BIND,
			       NULL), 0);
	write_file(resolv, resolv_conf);
}

static void dns_restore(void)
{
	char resolv[PATH_MAX];

	snprintf(resolv, sizeof(resolv), "%s/resolv.conf.empty", workdir);
	write_file(resolv, "");
	assert_int_equal(umount("/etc/nsswitch.conf"), 0);
}

static int dns_socket(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(53),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int dns = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(dns >= 0);
	assert_int_equal(bind(dns, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return dns;
}

/*
 * A name server that never answers: glibc alone would wait timeout times
 * attempts (10 s here); the probe gives up on both lookups at their
 * budget, and the lookups it leaves behind do not disturb the next probe.
 */
static void test_probe_dead_name_server(void **state)
{
	int64_t start, took;
	char what[256];
	int dns;

	(void)state;
	dns = dns_socket();
	dns_only("nameserver 127.0.0.1\noptions timeout:5 attempts:2\n");
	start = gns_now_ms();
	assert_int_equal(sys_probe_port("dead-dns.test", PROBE_PORT, 500, 2000,
					what, sizeof(what)),
			 STATUS(SYS_PROBE_FAILURE_GETADDRINFO,
				SYS_PROBE_FAILURE_GETADDRINFO));
	took = gns_now_ms() - start;
	assert_true(took >= 490);
	assert_true(took < 900);
	assert_string_equal(what,
			    "dead-dns.test: IPv4 lookup timed out, IPv6 lookup timed out");
	assert_int_equal(sys_probe_port("localhost", PROBE_PORT, 2000, 2000,
					what, sizeof(what)), 0x00010001);
	dns_restore();
	close(dns);
}

/*
 * A name server that answers every query after SLOW_DNS_MS: 127.0.0.1 for
 * A, ::1 for AAAA, one query at a time.
 */
#define SLOW_DNS_MS	400

static void *slow_dns(void *arg)
{
	int fd = *(int *)arg;
	uint8_t buf[512];
	struct sockaddr_storage from;
	socklen_t flen;
	ssize_t n;
	size_t q;

	for (;;) {
		struct timespec ts = { 0, SLOW_DNS_MS * 1000000L };
		uint16_t type;
		size_t len;

		flen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf) - 32, 0,
			     (struct sockaddr *)&from, &flen);
		if (n < 12)
			return NULL;
		for (q = 12; q < (size_t)n && buf[q]; q += buf[q] + 1)
			;
		if (q + 5 > (size_t)n)
			continue;
		type = (uint16_t)(buf[q + 1] << 8 | buf[q + 2]);
		len = q + 5;
		buf[2] = 0x81;	/* response, recursion desired */
		buf[3] = 0x80;	/* recursion available, no error */
		buf[6] = 0;
		buf[7] = type == 1 || type == 28;	/* one answer */
		buf[8] = buf[9] = buf[10] = buf[11] = 0;
		if (buf[7]) {
			static const uint8_t v4[4] = { 127, 0, 0, 1 };
			static const uint8_t v6[16] = { [15] = 1 };
			uint8_t rr[12] = { 0xc0, 12, 0, (uint8_t)type, 0, 1,
					   0, 0, 0, 60, 0,
					   type == 1 ? 4 : 16 };

			memcpy(buf + len, rr, sizeof(rr));
			len += sizeof(rr);
			memcpy(buf + len, type == 1 ? v4 : v6, rr[11]);
			len += rr[11];
		}
		nanosleep(&ts, NULL);
		sendto(fd, buf, len, 0, (struct sockaddr *)&from, flen);
	}
}

/*
 * The lookups are outside the connect budget, as in WSL: lookups that
 * take longer than that budget still lead to connects, with all of it.
 */
static void test_probe_lookups_outside_budget(void **state)
{
	int fd4 = listen_on(AF_INET), fd6 = listen_on(AF_INET6);
	int64_t start, took;
	pthread_t thread;
	char what[256];
	int dns;

	(void)state;
	dns = dns_socket();
	assert_int_equal(pthread_create(&thread, NULL, slow_dns, &dns), 0);
	dns_only("nameserver 127.0.0.1\noptions timeout:3 attempts:1\n");
	start = gns_now_ms();
	assert_int_equal(sys_probe_port("slow-dns.test", PROBE_PORT, 3000, 200,
					what, sizeof(what)), 0x00010001);
	took = gns_now_ms() - start;
	assert_true(took >= SLOW_DNS_MS);
	assert_string_equal(what,
			    "slow-dns.test: IPv4 connected, IPv6 connected");
	dns_restore();
	shutdown(dns, SHUT_RDWR);
	pthread_join(thread, NULL);
	close(dns);
	close(fd4);
	close(fd6);
}

/* --- handlers without the module ----------------------------------------- */

/*
 * This machine has no mirrornet.ko and cannot load one: the helper's
 * handlers must answer what needs the module at once, and do the rest.
 */

#define GUID_A	"0d15ea5e-0000-4000-8000-0000000000a1"
#define GUID_B	"0d15ea5e-0000-4000-8000-0000000000b2"
#define GUID_C	"0d15ea5e-0000-4000-8000-0000000000c3"

static struct mn_handler_ctx hctx;
static char logpath[PATH_MAX], hresolv[PATH_MAX];
static int saved_stderr = -1;

static int handlers_setup(void **state)
{
	(void)state;
	memset(&hctx, 0, sizeof(hctx));
	hctx.lookup_timeout_ms = 3000;
	hctx.primary_table = MN_MAIN_TABLE;
	pathf(hresolv, "%s/handlers-resolv.conf", workdir);
	hctx.resolv_conf = hresolv;
	mn_log_init(MN_LOG_INFO);
	return RUN("nft", "flush", "ruleset") ? -1 : 0;
}

static int handlers_teardown(void **state)
{
	(void)state;
	mn_genl_close(hctx.genl);
	hctx.genl = NULL;
	return 0;
}

/* The helper's log goes to a file until log_end() returns it. */
static void log_begin(void)
{
	int fd;

	pathf(logpath, "%s/handlers.log", workdir);
	fflush(stderr);
	saved_stderr = dup(2);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0 && saved_stderr >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	close(fd);
}

static char *log_end(void)
{
	fflush(stderr);
	assert_int_equal(dup2(saved_stderr, 2), 2);
	close(saved_stderr);
	return read_file(logpath);
}

static size_t count_str(const char *text, const char *what)
{
	size_t n = 0;

	for (; (text = strstr(text, what)); text += strlen(what))
		n++;
	return n;
}

/* Decode @text as a request of @kind, as serve does, and handle it. */
static int32_t handle(enum gns_kind kind, const char *text, char *err)
{
	char what[256], derr[GNS_ERR_LEN];
	struct gns_msg m;
	int32_t ret;

	assert_int_equal(gns_decode(kind, text, strlen(text), NULL, &m, derr),
			 0);
	err[0] = '\0';
	ret = mn_handle(&hctx, &m, what, sizeof(what), err, ERRLEN);
	gns_msg_free(&m);
	return ret;
}

static const struct {
	enum gns_kind kind;
	const char *name;
	const char *json;
} needs_module[] = {
	{ GNS_VMNIC_CREATED, "VmNicCreatedNotification",
	  "{\"adapterId\":\"" GUID_A "\"}" },
	{ GNS_CREATE_DEVICE, "CreateDeviceRequest",
	  "{\"deviceName\":\"loopback0\",\"flags\":0,\"lowerEdgeAdapterId\":\"" GUID_A "\",\"type\":\"Loopback\"}" },
	{ GNS_LOOPBACK_ROUTES, "LoopbackRoutesRequest",
	  "{\"family\":2,\"ipAddress\":\"192.168.1.42\",\"operation\":\"Create\",\"targetDeviceName\":\"{" GUID_A "}\"}" },
	{ GNS_INITIAL_IP_CONFIGURATION, "InitialIpConfigurationNotification",
	  "{\"flags\":3,\"targetDeviceName\":\"{" GUID_A "}\"}" },
	{ GNS_MODIFY_GUEST_DEVICE, "ModifyGuestDeviceSettingRequest",
	  "{\"RequestType\":\"Add\",\"ResourceType\":\"Interface\",\"Settings\":{\"Connected\":true,\"Metric\":35,\"NlMtu\":1500},\"targetDeviceName\":\"{" GUID_A "}\"}" },
	{ GNS_DEVICE_SETTING, "DeviceSettingRequest",
	  "{\"RequestType\":\"Add\",\"ResourceType\":\"IPAddress\",\"Settings\":{\"Address\":\"192.168.1.42\",\"Family\":2,\"OnLinkPrefixLength\":24,\"PreferredLifetime\":4294967295,\"PrefixOrigin\":3,\"SuffixOrigin\":3},\"targetDeviceName\":\"{" GUID_A "}\"}" },
	{ GNS_DEVICE_SETTING, "DeviceSettingRequest",
	  "{\"RequestType\":\"Add\",\"ResourceType\":\"Route\",\"Settings\":{\"DestinationPrefix\":\"0.0.0.0/0\",\"Family\":2,\"Metric\":35,\"NextHop\":\"192.168.1.1\",\"SitePrefixLength\":0},\"targetDeviceName\":\"{" GUID_A "}\"}" },
	{ GNS_DEVICE_SETTING, "DeviceSettingRequest",
	  "{\"RequestType\":\"Add\",\"ResourceType\":\"MacAddress\",\"Settings\":{\"PhysicalAddress\":\"00-15-5D-AA-BB-CC\"},\"targetDeviceName\":\"{" GUID_A "}\"}" },
	/* a rename needs no module, the NAT address it carries does */
	{ GNS_INTERFACE_CONFIGURATION, "InterfaceConfiguration",
	  "{\"ID\":\"" GUID_A "\",\"IPAddress\":\"172.20.0.5\",\"PrefixLength\":20,\"PortFriendlyName\":\"eth0\"}" },
	{ GNS_DEVICE_SETTING, "DeviceSettingRequest",
	  "{\"RequestType\":\"Remove\",\"ResourceType\":\"Route\",\"Settings\":{\"DestinationPrefix\":\"10.0.0.0/8\",\"Family\":2,\"Metric\":5,\"NextHop\":\"192.168.1.1\",\"SitePrefixLength\":0},\"targetDeviceName\":\"{" GUID_A "}\"}" },
};

/*
 * Ten requests that need the module: each fails at once with the text,
 * one warning in all; what needs no module works in between.
 */
static void test_handlers_no_module(void **state)
{
	char err[ERRLEN], want[ERRLEN], *log;
	int64_t start, took;
	size_t i;

	(void)state;
	assert_int_equal(sizeof(needs_module) / sizeof(needs_module[0]), 10);
	log_begin();
	start = gns_now_ms();
	for (i = 0; i < 10; i++) {
		assert_int_equal(handle(needs_module[i].kind,
					needs_module[i].json, err), -1);
		snprintf(want, sizeof(want),
			 "%s: mirrornet.ko is not loaded: generic netlink family mirrornet not found",
			 needs_module[i].name);
		assert_string_equal(err, want);
	}
	took = gns_now_ms() - start;
	assert_int_equal(handle(GNS_SETUP_IPV6, "{}", err), 0);
	assert_int_equal(handle(GNS_GLOBAL_NET_FILTER, "", err), 0);
	assert_int_equal(handle(GNS_NOOP, "", err), 0);
	assert_int_equal(handle(GNS_DEVICE_SETTING,
				"{\"RequestType\":\"Update\",\"ResourceType\":\"DNS\",\"Settings\":{\"Domain\":\"\",\"Options\":\"\",\"Search\":\"example.com\",\"ServerList\":\"192.0.2.53\"},\"targetDeviceName\":\"{" GUID_A "}\"}",
				err), 0);
	assert_int_equal(handle(GNS_CONNECT_TEST, "localhost", err),
			 0x00010001);
	assert_int_equal(handle(needs_module[0].kind, needs_module[0].json,
				err), -1);
	log = log_end();
	assert_true(took < 1000);
	assert_int_equal(count_str(log, "mirrornet.ko is not loaded"), 1);
	assert_non_null(strstr(log,
			       "warning: mirrornet.ko is not loaded: generic netlink family mirrornet not found; requests that need it fail until it is"));
	free(log);
	assert_file(hresolv, "nameserver 192.0.2.53\nsearch example.com\n");
	assert_file("/proc/sys/net/ipv6/conf/all/accept_ra", "0\n");
	assert_file("/proc/sys/net/ipv6/conf/default/addr_gen_mode", "1\n");
}

/* An interface for the handlers: a bridge (no dummy driver here). */
static void bridge(const char *name, const char *alias)
{
	assert_int_equal(RUN("ip", "link", "add", "name", name, "type",
			     "bridge"), 0);
	if (alias)
		assert_int_equal(RUN("ip", "link", "set", name, "alias",
				     alias), 0);
}

static bool link_up_named(const char *name)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool up;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	up = ifr.ifr_flags & IFF_UP;
	return up;
}

/* Renames find the NIC by its GUID through sysfs, with no module. */
static void test_handlers_rename_no_module(void **state)
{
	char err[ERRLEN];
	pid_t pid;
	int status;

	(void)state;
	bridge("hnic0", GUID_B);
	assert_int_equal(handle(GNS_INTERFACE_CONFIGURATION,
				"{\"ID\":\"" GUID_B "\",\"IPAddress\":\"\",\"PortFriendlyName\":\"heth0\"}",
				err), 0);
	assert_string_equal(err, "");
	assert_int_equal(if_nametoindex("hnic0"), 0);
	assert_true(link_up_named("heth0"));

	/* one that appears while the handler waits for it */
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		usleep(300000);
		_exit(RUN("ip", "link", "add", "name", "hnic1", "type",
			  "bridge") ||
		      RUN("ip", "link", "set", "hnic1", "alias",
			  "{" GUID_C "}"));
	}
	assert_int_equal(handle(GNS_INTERFACE_CONFIGURATION,
				"{\"ID\":\"" GUID_C "\",\"IPAddress\":\"\",\"PortFriendlyName\":\"heth1\"}",
				err), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_true(link_up_named("heth1"));
	assert_int_equal(RUN("ip", "link", "del", "heth0"), 0);
	assert_int_equal(RUN("ip", "link", "del", "heth1"), 0);
}

static bool rule_listed(const char *iif, const char *proto)
{
	char *out = NULL, line[128];
	bool found;

	assert_int_equal(spawn((const char *const[]){ "ip", "-4", "rule",
						      "show", NULL }, NULL,
			       &out), 0);
	snprintf(line, sizeof(line), "0:\tfrom all iif %s ipproto %s lookup local",
		 iif, proto);
	found = strstr(out, line) != NULL;
	free(out);
	return found;
}

/* Its nft rules and its iif rules through rtnetlink, with no module. */
static void test_handlers_netfilter_no_module(void **state)
{
	static const char create[] = "{\"ephemeralPortRangeEnd\":53247,\"ephemeralPortRangeStart\":49152,\"operation\":\"Create\",\"targetDeviceName\":\"hnf0\"}";
	static const char remove[] = "{\"operation\":\"Remove\",\"targetDeviceName\":\"hnf0\"}";
	static const char *const hnf0[] = { "hnf0" };
	char err[ERRLEN];

	(void)state;
	bridge("hnf0", NULL);
	assert_int_equal(handle(GNS_GLOBAL_NET_FILTER, "", err), 0);
	assert_int_equal(handle(GNS_INTERFACE_NET_FILTER, create, err), 0);
	assert_masq(hnf0, 1, 49152, 53247);
	assert_true(rule_listed("hnf0", "tcp"));
	assert_true(rule_listed("hnf0", "udp"));
	assert_int_equal(handle(GNS_INTERFACE_NET_FILTER, remove, err), 0);
	assert_masq(NULL, 0, 0, 0);
	assert_false(rule_listed("hnf0", "tcp"));
	assert_false(rule_listed("hnf0", "udp"));

	/* the NIC goes first: the Remove does not wait, and cleans up */
	assert_int_equal(handle(GNS_INTERFACE_NET_FILTER, create, err), 0);
	assert_int_equal(RUN("ip", "link", "del", "hnf0"), 0);
	assert_int_equal(handle(GNS_INTERFACE_NET_FILTER, remove, err), 0);
	assert_masq(NULL, 0, 0, 0);
	assert_false(rule_listed("hnf0", "tcp"));
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Our sockets that listen to rtnetlink link events (NETLINK_ROUTE bound
 * to RTMGRP_LINK, a NIC wait's watch); lookups other tests left running
 * open and close pipes meanwhile, so plain fd counts would not do.
 */
static size_t link_watchers(void)
{
	unsigned long groups, inode;
	char path[PATH_MAX], link[64], line[256];
	struct dirent *de;
	size_t n = 0;
	unsigned int proto;
	FILE *f;
	DIR *d;

	d = opendir("/proc/self/fd");
	assert_non_null(d);
	while ((de = readdir(d))) {
		unsigned long ino;
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) != 1)
			continue;
		f = fopen("/proc/self/net/netlink", "r");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%*s %u %*s %lx %*s %*s %*s %*s %*s %lu",
				   &proto, &groups, &inode) == 3 &&
			    inode == ino && proto == NETLINK_ROUTE &&
			    (groups & RTMGRP_LINK))
				n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

/*
 * A stop signal during a NIC wait: the reply says so, at once, and the
 * watch socket is closed.
 */
static void test_handlers_wait_stopping(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { .it_value.tv_usec = 200000 };
	char err[ERRLEN];
	int64_t start;

	(void)state;
	hctx.lookup_timeout_ms = 5000;
	/* no SA_RESTART, as serve's stop signals */
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(link_watchers(), 0);
	start = gns_now_ms();
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(handle(GNS_INTERFACE_CONFIGURATION,
				"{\"ID\":\"" GUID_A "\",\"IPAddress\":\"\",\"PortFriendlyName\":\"never0\"}",
				err), -1);
	assert_true(gns_now_ms() - start < 1000);
	assert_string_equal(err, "InterfaceConfiguration: stopping");
	assert_int_equal(link_watchers(), 0);
	sigaction(SIGALRM, &old, NULL);
	hctx.lookup_timeout_ms = 3000;
}

/* From now on bind() fails with EPERM in this process. */
static int no_bind(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bind, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]), .filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/*
 * No link events to watch (the watch socket cannot bind): the wait looks
 * again every 100 ms, and finds a NIC that appears during it.
 */
static void test_handlers_wait_polls(void **state)
{
	pid_t adder, child;
	int status;

	(void)state;
	adder = fork();
	assert_true(adder >= 0);
	if (!adder) {
		usleep(300000);
		_exit(RUN("ip", "link", "add", "name", "hpoll0", "type",
			  "bridge") ||
		      RUN("ip", "link", "set", "hpoll0", "alias", GUID_C));
	}
	child = fork();
	assert_true(child >= 0);
	if (!child) {
		char err[ERRLEN], what[256], derr[GNS_ERR_LEN];
		static const char text[] = "{\"ID\":\"" GUID_C "\",\"IPAddress\":\"\",\"PortFriendlyName\":\"hpoll1\"}";
		struct gns_msg m;

		if (no_bind() || rt_link_watch_open() != -EPERM ||
		    gns_decode(GNS_INTERFACE_CONFIGURATION, text, strlen(text),
			       NULL, &m, derr))
			_exit(2);
		_exit(mn_handle(&hctx, &m, what, sizeof(what), err,
				sizeof(err)) ? 1 : 0);
	}
	assert_int_equal(waitpid(adder, &status, 0), adder);
	assert_int_equal(status, 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(link_up_named("hpoll1"));
	assert_int_equal(RUN("ip", "link", "del", "hpoll1"), 0);
}

/*
 * CreateDeviceRequest deletes "0: from all lookup local" only where a
 * delete without selectors takes it: first among the priority-0 rules.
 */
/*
 * Attributes go after the header, padded with zeros to 4 bytes; one that
 * does not fit the buffer is refused and the message stays as it was.
 */
static void test_nl_put_bounds(void **state)
{
	union {
		struct nlmsghdr nh;
		uint8_t b[NLMSG_HDRLEN + 16];
	} m;
	const struct nlattr *a = (const struct nlattr *)(m.b + NLMSG_HDRLEN);
	uint8_t one = 1, big[9] = { 0 };

	(void)state;
	memset(&m, 0xff, sizeof(m));
	m.nh.nlmsg_len = NLMSG_HDRLEN;
	assert_true(mn_nl_put(&m.nh, sizeof(m), 7, &one, 1));
	assert_int_equal(m.nh.nlmsg_len, NLMSG_HDRLEN + 8);
	assert_int_equal(a->nla_type, 7);
	assert_int_equal(a->nla_len, NLA_HDRLEN + 1);
	assert_memory_equal(m.b + NLMSG_HDRLEN + NLA_HDRLEN, "\1\0\0\0", 4);
	/* 8 bytes left: a 9-byte attribute does not fit, an empty one does */
	assert_false(mn_nl_put(&m.nh, sizeof(m), 8, big, 5));
	assert_int_equal(m.nh.nlmsg_len, NLMSG_HDRLEN + 8);
	assert_true(mn_nl_put(&m.nh, sizeof(m), 8, big, 4));
	assert_int_equal(m.nh.nlmsg_len, sizeof(m));
	assert_false(mn_nl_put(&m.nh, sizeof(m), 9, NULL, 0));
	assert_int_equal(m.nh.nlmsg_len, sizeof(m));
}

static void test_rt_generic_rule(void **state)
{
	char err[ERRLEN];

	(void)state;
	assert_int_equal(rt_generic_rule(0, 255, err, sizeof(err)),
			 RT_RULE_FIRST);
	assert_int_equal(RUN("ip", "rule", "add", "pref", "0", "iif", "lo",
			     "ipproto", "tcp", "table", "local"), 0);
	assert_int_equal(rt_generic_rule(0, 255, err, sizeof(err)),
			 RT_RULE_FIRST);
	assert_int_equal(RUN("ip", "rule", "del", "pref", "0", "table",
			     "local"), 0);
	assert_true(rule_listed("lo", "tcp"));
	assert_int_equal(rt_generic_rule(0, 255, err, sizeof(err)),
			 RT_RULE_ABSENT);
	assert_int_equal(RUN("ip", "rule", "add", "pref", "0", "table",
			     "local"), 0);
	assert_int_equal(rt_generic_rule(0, 255, err, sizeof(err)),
			 RT_RULE_BEHIND);
	assert_int_equal(RUN("ip", "rule", "del", "pref", "0", "iif", "lo",
			     "ipproto", "tcp", "table", "local"), 0);
	assert_int_equal(rt_generic_rule(0, 255, err, sizeof(err)),
			 RT_RULE_FIRST);
	assert_int_equal(rt_generic_rule(5, 255, err, sizeof(err)),
			 RT_RULE_ABSENT);
}

/* --- namespaces and main ------------------------------------------------- */

/* Private netns (lo up) and mount namespace, a tmpfs work dir, and name
 * resolution that stays on this machine: localhost for both families and
 * no name server. */
static int enter_sandbox(void)
{
	char hosts[PATH_MAX], resolv[PATH_MAX];
	struct ifreq ifr = { 0 };
	int fd;

	if (unshare(CLONE_NEWNET | CLONE_NEWNS)) {
		perror("unshare (run as root)");
		return -1;
	}
	/* a sysfs of our own: /sys/class/net lists this namespace's links */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL) ||
	    !mkdtemp(workdir) ||
	    mount("tmpfs", workdir, "tmpfs", 0, "mode=0755")) {
		perror("sandbox");
		return -1;
	}
	snprintf(hosts, sizeof(hosts), "%s/hosts", workdir);
	snprintf(resolv, sizeof(resolv), "%s/resolv.conf.empty", workdir);
	fd = open(hosts, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dprintf(fd, "127.0.0.1 localhost\n::1 localhost\n") < 0 ||
	    close(fd) || close(open(resolv, O_WRONLY | O_CREAT, 0644)) ||
	    mount(hosts, "/etc/hosts", NULL, MS_BIND, NULL) ||
	    mount(resolv, "/etc/resolv.conf", NULL, MS_BIND, NULL)) {
		perror("sandbox files");
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		perror("lo");
		return -1;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		perror("lo up");
		return -1;
	}
	close(fd);
	return 0;
}

int main(void)
{
	const struct CMUnitTest sysctl_tests[] = {
		cmocka_unit_test(test_sysctl_writes_value),
		cmocka_unit_test(test_sysctl_every_key),
		cmocka_unit_test(test_sysctl_invalid_names),
		cmocka_unit_test(test_sysctl_missing_file),
		cmocka_unit_test(test_sysctl_write_error),
		cmocka_unit_test(test_sysctl_real_proc),
	};
	const struct CMUnitTest resolv_tests[] = {
		cmocka_unit_test(test_resolv_example),
		cmocka_unit_test(test_resolv_layout),
		cmocka_unit_test(test_resolv_replaces),
		cmocka_unit_test(test_resolv_symlink),
		cmocka_unit_test(test_resolv_dangling),
		cmocka_unit_test(test_resolv_missing_parent),
		cmocka_unit_test(test_resolv_read_only),
		cmocka_unit_test(test_resolv_full_disk),
		cmocka_unit_test(test_resolv_bad_entries),
		cmocka_unit_test(test_resolv_symlink_loop),
		cmocka_unit_test(test_resolv_by_resolved),
	};
	const struct CMUnitTest nft_tests[] = {
		cmocka_unit_test_setup(test_nft_setup_twice, nft_flush),
		cmocka_unit_test_setup(test_nft_iface_add, nft_flush),
		cmocka_unit_test_setup(test_nft_iface_add_twice, nft_flush),
		cmocka_unit_test_setup(test_nft_iface_del, nft_flush),
		cmocka_unit_test_setup(test_nft_del_without_tables, nft_flush),
		cmocka_unit_test_setup(test_nft_hostile_names, nft_flush),
		cmocka_unit_test_setup(test_nft_renamed, nft_flush),
		cmocka_unit_test_setup(test_nft_errors, nft_flush),
		cmocka_unit_test_setup(test_nft_all_or_nothing, nft_flush),
	};
	const struct CMUnitTest probe_tests[] = {
		cmocka_unit_test(test_probe_success),
		cmocka_unit_test(test_probe_refused),
		cmocka_unit_test(test_probe_mixed),
		cmocka_unit_test(test_probe_unknown_host),
		cmocka_unit_test_setup(test_probe_timeout, nft_flush),
		cmocka_unit_test(test_probe_dead_name_server),
		cmocka_unit_test(test_probe_lookups_outside_budget),
	};
	const struct CMUnitTest handler_tests[] = {
		cmocka_unit_test(test_handlers_no_module),
		cmocka_unit_test(test_handlers_rename_no_module),
		cmocka_unit_test(test_handlers_netfilter_no_module),
		cmocka_unit_test(test_handlers_wait_stopping),
		cmocka_unit_test(test_handlers_wait_polls),
		cmocka_unit_test(test_rt_generic_rule),
		cmocka_unit_test(test_nl_put_bounds),
	};
	int failed = 0;

	/* the runner counts from this line, even if a group never starts */
	printf("helper-sys: %zu test(s) planned\n",
	       sizeof(sysctl_tests) / sizeof(sysctl_tests[0]) +
	       sizeof(resolv_tests) / sizeof(resolv_tests[0]) +
	       sizeof(nft_tests) / sizeof(nft_tests[0]) +
	       sizeof(probe_tests) / sizeof(probe_tests[0]) +
	       sizeof(handler_tests) / sizeof(handler_tests[0]));
	fflush(stdout);
	if (enter_sandbox())
		return 1;
	failed += cmocka_run_group_tests_name("sysctl", sysctl_tests,
					      sysctl_setup, sysctl_teardown);
	failed += cmocka_run_group_tests_name("resolv", resolv_tests,
					      resolv_setup, resolv_teardown);
	failed += cmocka_run_group_tests_name("nft", nft_tests,
					      nft_group_setup, NULL);
	failed += cmocka_run_group_tests_name("probe", probe_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("handlers", handler_tests,
					      handlers_setup,
					      handlers_teardown);

	umount2(workdir, MNT_DETACH);
	rmdir(workdir);
	return failed ? 1 : 0;
}
