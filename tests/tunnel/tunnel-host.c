// SPDX-License-Identifier: GPL-2.0
/*
 * tunnel-host: WSL's host side of the GNS and DNS channels in miniature,
 * over socketpairs, for tests of the helper's DNS tunneling without a VM
 * (wsl-dns-tunneling §7). It starts PROGRAM with the two guest ends
 * inherited ("@GNS" and "@DNS" in its arguments become their numbers),
 * answers every DNS frame itself, and takes commands on stdin; what it
 * sees goes to stdout, one line per event.
 *
 *   tunnel-host [--wsl-version V] [--listen PATH] -- PROGRAM ARGV0 [ARG|@GNS|@DNS]...
 *
 * With --listen, PROGRAM connects instead (serve --vsock and --dns-tunnel,
 * through the vsock-unix.c shim): the first connection accepted on the unix
 * socket PATH is the GNS channel, the second the DNS channel, as WSL's host
 * assigns them.
 *
 * Answers, by the question's name:
 *   never.test    none (the host never answers it, as Windows may not),
 *                 until the command release
 *   slow.test     one A record 192.0.2.2, after 1500 ms
 *   big.test      40 A records (an answer above 512 bytes)
 *   nK.test       one A record 10.0.K/256.K%256, after (K * 37) % 200 ms,
 *                 so that concurrent answers come out of order
 *   other         one A record 192.0.2.1
 * TCP answers carry their 2-byte length prefix, as WSL's host sends them.
 *
 * Commands: noop (a GNS NoOp request), partial (the first 8 bytes of one),
 * bad KIND (a malformed DNS frame: truncated, proto, oversized, type,
 * stale, prefix), release (answer every never.test), close-dns, close-gns,
 * term (SIGTERM to PROGRAM), wait (for PROGRAM's exit). At the end of
 * the commands PROGRAM, if still running, gets SIGTERM and 5 s to exit.
 * Events: "dns N proto P client C len L name NAME", "gns reply id I result
 * R", "seq error ...", "exit CODE" / "signal N", "dns closed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gns/dns.h"
#include "gns/util.h"
#include "gns/wire.h"

#define MAX_DELAYED	8192

struct delayed {
	int64_t due;
	size_t len;
	uint8_t proto;
	uint32_t client_id;
	uint8_t *data;
};

static enum gns_gen gen = GNS_GEN_16;
static int gns = -1, dns = -1;
static uint32_t dns_tx, dns_rx, gns_tx;
static pid_t child;
static struct delayed delayed[MAX_DELAYED], held[MAX_DELAYED];
static unsigned int ndelayed, nheld;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void send_frame(int fd, const uint8_t *buf, size_t len)
{
	if (gns_write_all(fd, buf, len))
		printf("write error: %s\n", strerror(errno));
}

static void send_dns(uint8_t proto, uint32_t client_id, const uint8_t *data,
		     size_t len)
{
	static uint8_t buf[GNS_HDR_MAX + GNS_DNS_IDENT_LEN + GNS_DNS_MAX_PAYLOAD];
	struct gns_dns_msg m = {
		.proto = proto, .client_id = client_id, .data = data,
		.len = len,
	};
	size_t n = gns_dns_encode(gen, ++dns_tx, &m, buf, sizeof(buf));

	if (!n) {
		printf("cannot encode a %zu-byte answer\n", len);
		return;
	}
	send_frame(dns, buf, n);
}

/* The question's name, lower case, dotted; its end in @q, or 0. */
static size_t question(const uint8_t *q, size_t len, char *name, size_t cap)
{
	size_t off = 12, n = 0;

	if (len < 12)
		return 0;
	while (off < len && q[off]) {
		size_t l = q[off++];

		if (l > 63 || off + l > len || n + l + 2 > cap)
			return 0;
		if (n)
			name[n++] = '.';
		while (l--) {
			uint8_t c = q[off++];

			name[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
	}
	name[n] = '\0';
	/* the root label, QTYPE and QCLASS */
	return off + 5 <= len ? off + 5 : 0;
}

/* A synthesized answer to @q in @out (from +2: room for a TCP prefix). */
static size_t make_answer(const uint8_t *q, size_t qlen, const char *name,
			  size_t qend, uint8_t *out)
{
	unsigned int count = 1, i, k;
	uint8_t a[4] = { 192, 0, 2, 1 };
	size_t n;

	if (!strcmp(name, "big.test"))
		count = 40;
	else if (!strcmp(name, "slow.test"))
		a[3] = 2;
	else if (sscanf(name, "n%u.test", &k) == 1) {
		a[0] = 10;
		a[1] = 0;
		a[2] = (uint8_t)(k >> 8);
		a[3] = (uint8_t)k;
	}
	(void)qlen;
	memcpy(out, q, qend);
	out[2] = 0x80 | (q[2] & 0x01);	/* QR, RD as asked */
	out[3] = 0x80;			/* RA, NOERROR */
	out[4] = 0;
	out[5] = 1;
	out[6] = 0;
	out[7] = (uint8_t)count;
	memset(out + 8, 0, 4);
	n = qend;
	for (i = 0; i < count; i++) {
		static const uint8_t rr[] = {
			0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
		};

		memcpy(out + n, rr, sizeof(rr));
		memcpy(out + n + sizeof(rr), a, 4);
		if (count > 1)
			out[n + sizeof(rr) + 3] = (uint8_t)(i + 1);
		n += sizeof(rr) + 4;
	}
	return n;
}

static void on_query(const struct gns_dns_msg *m, uint32_t seq)
{
	const uint8_t *q = m->data;
	size_t qlen = m->len, qend, alen;
	uint8_t *ans;
	char name[256] = "?";
	int delay = 0;
	unsigned int k;

	if (m->proto == GNS_DNS_PROTO_TCP) {
		if (qlen < 2 || ((size_t)q[0] << 8 | q[1]) != qlen - 2) {
			printf("dns %u: TCP query without its length prefix\n",
			       seq);
			return;
		}
		q += 2;
		qlen -= 2;
	}
	qend = question(q, qlen, name, sizeof(name));
	printf("dns %u proto %u client %u len %zu name %s\n", seq, m->proto,
	       m->client_id, m->len, name);
	if (!qend)
		return;
	if (!strcmp(name, "slow.test"))
		delay = 1500;
	else if (sscanf(name, "n%u.test", &k) == 1)
		delay = (int)(k * 37 % 200);
	ans = malloc(2 + qend + 40 * 16);
	if (!ans)
		die("malloc");
	alen = make_answer(q, qlen, name, qend, ans + 2);
	ans[0] = (uint8_t)(alen >> 8);
	ans[1] = (uint8_t)alen;
	if (m->proto == GNS_DNS_PROTO_TCP)
		alen += 2;
	else
		memmove(ans, ans + 2, alen);
	if (ndelayed == MAX_DELAYED || nheld == MAX_DELAYED) {
		printf("too many answers held\n");
		free(ans);
		return;
	}
	/* never.test waits for "release" */
	*(strcmp(name, "never.test") ? &delayed[ndelayed++] :
	  &held[nheld++]) = (struct delayed){
		.due = gns_now_ms() + delay, .len = alen, .proto = m->proto,
		.client_id = m->client_id, .data = ans,
	};
}

static void send_due(void)
{
	int64_t now = gns_now_ms();
	unsigned int i = 0;

	while (i < ndelayed) {
		struct delayed *d = &delayed[i];

		if (d->due > now) {
			i++;
			continue;
		}
		if (dns >= 0)
			send_dns(d->proto, d->client_id, d->data, d->len);
		free(d->data);
		*d = delayed[--ndelayed];
	}
}

static void read_dns(void)
{
	static struct gns_frame f;
	struct gns_dns_msg m;
	enum gns_dns_err err;
	int r = gns_read_frame(dns, gen, &f);

	if (r <= 0) {
		printf("dns closed%s%s\n", r < 0 ? ": " : "",
		       r < 0 ? strerror(errno) : "");
		close(dns);
		dns = -1;
		return;
	}
	if (f.hdr.id != ++dns_rx)
		printf("seq error: dns frame id %u, want %u\n", f.hdr.id,
		       dns_rx);
	err = gns_dns_decode(gen, &f, &m);
	if (err) {
		printf("dns %u: %s\n", f.hdr.id, gns_dns_strerror(err));
		return;
	}
	on_query(&m, f.hdr.id);
}

static void read_gns(void)
{
	static struct gns_frame f;
	int r = gns_read_frame(gns, gen, &f);

	if (r <= 0) {
		printf("gns closed\n");
		close(gns);
		gns = -1;
		return;
	}
	if (gns_kind_of(f.hdr.type, gen) != GNS_RESULT || f.hdr.size < 4 +
	    gns_gen_hdr_len(gen)) {
		printf("gns frame type %u size %u\n", f.hdr.type, f.hdr.size);
		return;
	}
	printf("gns reply id %u result %d\n", f.hdr.id,
	       (int32_t)gns_get_le32(f.buf + gns_gen_hdr_len(gen)));
}

static void send_noop(void)
{
	uint8_t buf[GNS_HDR_MAX + 1];
	struct gns_hdr h = {
		.type = gns_type_of(GNS_NOOP, gen), .step = GNS_STEP_REQUEST,
	};
	size_t hl = gns_gen_hdr_len(gen);

	/* 16-byte: transaction ids from 0; 12-byte: sequence from 1. */
	h.id = hl == 16 ? gns_tx++ : ++gns_tx;
	h.size = (uint32_t)hl + 1;
	gns_hdr_encode(gen, &h, buf);
	buf[hl] = 0;
	send_frame(gns, buf, hl + 1);
}

/* A malformed DNS frame of @kind; the ones with a good id use the next. */
static void send_bad(const char *kind)
{
	static uint8_t buf[GNS_HDR_MAX + GNS_DNS_IDENT_LEN + 70000];
	size_t hl = gns_gen_hdr_len(gen), len = hl + GNS_DNS_IDENT_LEN + 29;
	struct gns_hdr h = {
		.type = gns_type_of(GNS_DNS_TUNNELING, gen), .id = dns_tx + 1,
	};

	memset(buf, 0, sizeof(buf));
	buf[hl] = GNS_DNS_PROTO_UDP;
	if (!strcmp(kind, "truncated")) {
		len = hl + 4;
	} else if (!strcmp(kind, "proto")) {
		buf[hl] = 99;
	} else if (!strcmp(kind, "oversized")) {
		len = hl + GNS_DNS_IDENT_LEN + GNS_DNS_MAX_PAYLOAD + 1;
	} else if (!strcmp(kind, "type")) {
		h.type = gns_type_of(GNS_NOOP, gen);
	} else if (!strcmp(kind, "stale")) {
		h.id = dns_tx;		/* the last id again */
		dns_tx--;
	} else if (!strcmp(kind, "prefix")) {
		/* a TCP answer without its prefix, to a live connection 0 */
		buf[hl] = GNS_DNS_PROTO_TCP;
	} else {
		printf("unknown bad frame %s\n", kind);
		return;
	}
	dns_tx++;
	h.size = (uint32_t)len;
	gns_hdr_encode(gen, &h, buf);
	send_frame(dns, buf, len);
}

static void command(char *line)
{
	int status;

	line[strcspn(line, "\n")] = '\0';
	if (!strcmp(line, "noop")) {
		send_noop();
	} else if (!strcmp(line, "partial")) {
		/* a NoOp header cut short: the helper waits for the rest */
		static const uint8_t part[8] = { 71, 0, 0, 0, 17 };

		send_frame(gns, part, sizeof(part));
	} else if (!strcmp(line, "release")) {
		while (nheld && ndelayed < MAX_DELAYED) {
			held[--nheld].due = 0;
			delayed[ndelayed++] = held[nheld];
		}
	} else if (!strncmp(line, "bad ", 4)) {
		send_bad(line + 4);
	} else if (!strcmp(line, "close-dns")) {
		close(dns);
		dns = -1;
	} else if (!strcmp(line, "close-gns")) {
		close(gns);
		gns = -1;
	} else if (!strcmp(line, "term")) {
		kill(child, SIGTERM);
	} else if (!strcmp(line, "wait")) {
		if (waitpid(child, &status, 0) < 0)
			die("waitpid");
		if (WIFEXITED(status))
			printf("exit %d\n", WEXITSTATUS(status));
		else
			printf("signal %d\n", WTERMSIG(status));
		child = 0;
	} else {
		printf("unknown command %s\n", line);
	}
}

/* End of commands: the helper gets SIGTERM and 5 s to exit. */
static int end_child(void)
{
	int i, status;

	kill(child, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(child, &status, WNOHANG) == child)
			return 0;
		usleep(100000);
	}
	printf("the helper did not stop within 5 s of SIGTERM\n");
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	return 1;
}

/* The next connection on @lfd within 10 s. */
static int accept_one(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	if (poll(&p, 1, 10000) != 1) {
		printf("no connection within 10 s\n");
		exit(1);
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		die("accept");
	return fd;
}

/* Start PROGRAM, then take its two connections to @path in order. */
static void spawn_listen(char **argv, const char *path)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&un, sizeof(un)) ||
	    listen(lfd, 4))
		die("listen");
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		execv(argv[0], argv + 1);
		die("exec");
	}
	gns = accept_one(lfd);
	printf("accepted gns\n");
	dns = accept_one(lfd);
	printf("accepted dns\n");
	close(lfd);
}

static void spawn(char **argv)
{
	int g[2], d[2], i;
	char gs[16], ds[16];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, d))
		die("socketpair");
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		/* the guest's ends survive exec, as mini_init leaves them */
		if (fcntl(g[1], F_SETFD, 0) || fcntl(d[1], F_SETFD, 0))
			die("fcntl");
		snprintf(gs, sizeof(gs), "%d", g[1]);
		snprintf(ds, sizeof(ds), "%d", d[1]);
		for (i = 2; argv[i]; i++) {
			if (!strcmp(argv[i], "@GNS"))
				argv[i] = gs;
			else if (!strcmp(argv[i], "@DNS"))
				argv[i] = ds;
		}
		execv(argv[0], argv + 1);
		die("exec");
	}
	close(g[1]);
	close(d[1]);
	gns = g[0];
	dns = d[0];
}

int main(int argc, char **argv)
{
	const char *listen_path = NULL;
	char line[256];
	int i = 1;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* poll() must see every command stdio has not read yet */
	setvbuf(stdin, NULL, _IONBF, 0);
	if (i + 1 < argc && !strcmp(argv[i], "--wsl-version")) {
		if (gns_gen_parse(argv[i + 1], &gen) || gen == GNS_GEN_AUTO)
			goto usage;
		i += 2;
	}
	if (i + 1 < argc && !strcmp(argv[i], "--listen")) {
		listen_path = argv[i + 1];
		i += 2;
	}
	if (i + 2 >= argc || strcmp(argv[i], "--"))
		goto usage;
	if (listen_path)
		spawn_listen(argv + i + 1, listen_path);
	else
		spawn(argv + i + 1);
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = 0, .events = POLLIN },
			{ .fd = gns, .events = POLLIN },
			{ .fd = dns, .events = POLLIN },
		};
		int timeout = -1;
		unsigned int j;

		for (j = 0; j < ndelayed; j++) {
			int64_t left = delayed[j].due - gns_now_ms();

			if (left < 0)
				left = 0;
			if (timeout < 0 || left < timeout)
				timeout = (int)left;
		}
		if (poll(p, 3, timeout) < 0 && errno != EINTR)
			die("poll");
		if (p[1].revents)
			read_gns();
		if (p[2].revents)
			read_dns();
		send_due();
		if (p[0].revents) {
			if (!fgets(line, sizeof(line), stdin))
				break;
			command(line);
		}
	}
	return child > 0 ? end_child() : 0;
usage:
	fprintf(stderr, "usage: tunnel-host [--wsl-version V] [--listen PATH] -- PROGRAM ARGV0 [ARG|@GNS|@DNS]...\n");
	return 2;
}
