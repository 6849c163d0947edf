// SPDX-License-Identifier: GPL-2.0
/*
 * gns-host: the Windows side of WSL2's GNS channel in miniature, for tests.
 *
 * It listens like the host, accepts the helper's connection and plays a
 * session script, checking every reply (reference §1.3-§1.6):
 *
 *   gns-host --listen vsock:PORT|unix:PATH [--wsl-version VERSION]
 *            [--timeout-ms N] SCRIPT
 *
 * --wsl-version names the WSL release played (default: the newest), which
 * sets the header size and the numbering (lib/gns/wire.h).
 *
 * Script: one command per line; blank lines and lines whose first non-blank
 * character is '#' are ignored (a '#' later in a line is payload).
 *
 *   send KIND EXPECT PAYLOAD...  request KIND (name or raw wire type); the
 *                                rest of the line (after the blanks that
 *                                follow EXPECT) is the text, sent with one NUL
 *   notify GUID EXPECT PAYLOAD...  type Notification: the GUID in Windows
 *                                binary layout, then the text and its NUL
 *   raw EXPECT HEX...            bytes as they are (blanks allowed). 16-byte
 *                                header: does not advance the transaction
 *                                counter, the reply must carry the id in
 *                                bytes 8..11. 12-byte: counts as a frame
 *                                sent (the guest numbers every frame), so
 *                                bytes 8..11 should be the next sequence
 *                                number
 *   accept                       wait for a new connection (closes the
 *                                current one first); ids restart
 *   disconnect                   close the current connection
 *   sleep MS
 *   exec CMD ARGS...             fork/execvp, no shell; must exit 0 within
 *                                the timeout; its stdout goes to our stderr
 *
 * EXPECT: 0 | -1 | -1:SUBSTRING | -1:"with spaces" | any | =N (decimal or
 * 0x hex, int32) | close (the guest must close the connection) | none (send,
 * do not wait). Arguments may be quoted with "..." (\" and \\ inside).
 *
 * Every reply must be type Result, size >= header + 4, end in a NUL when it
 * carries error text, and with a 16-byte header have step 2 and the
 * request's id; with a 12-byte header, the guest's next sequence number
 * (from 1 on each connection). A violation or a timeout fails the step and
 * drops the connection (the host would tear it down too).
 *
 * Output: "ok N - LINE: KIND -> RESULT ["error"] (MS ms)" or "not ok ..."
 * per checked step, then "gns-host: P passed, F failed"; exit 0 only if
 * nothing failed (2 for a usage or script error).
 *
 * Test peer: gns-host --fake-guest unix:PATH|vsock:CID:PORT [--wsl-version
 * VERSION] [--timeout-ms N] connects (and reconnects) like the helper and
 * answers every request 0, ConnectTest 0x00010001, unknown types -1; with
 * a 12-byte header it checks the host's sequence numbers (a wrong one
 * drops the connection, as WSL's guest). A text starting with "fake:"
 * makes it misbehave on purpose (see fake_reply()).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "gns/util.h"
#include "gns/wire.h"
/* Shared with mirrornet-host; relative, as the build names only lib/. */
#include "../../tools/host/listen.h"
#include "../../tools/host/options.h"

#define ERRTEXT_SHOW	240	/* bytes of error text shown per line */

enum cmd_type { C_SEND, C_NOTIFY, C_RAW, C_ACCEPT, C_DISCONNECT, C_SLEEP, C_EXEC };
enum exp_type { E_VALUE, E_FAIL, E_ANY, E_CLOSE, E_NONE };

struct expect {
	enum exp_type t;
	int32_t value;		/* E_VALUE */
	char *substr;		/* E_FAIL, optional */
};

struct cmd {
	enum cmd_type t;
	int line;
	char *label;		/* KIND as written, for the output */
	uint32_t type;		/* wire type (send, notify) */
	struct expect exp;
	uint8_t guid[16];	/* notify, Windows layout */
	uint8_t *data;		/* send/notify: text; raw: bytes */
	size_t len;
	char **argv;		/* exec */
	long ms;		/* sleep */
};

static struct {
	enum gns_gen gen;
	size_t hl;		/* its header length */
	long timeout_ms;
	int lfd, cfd;
	/*
	 * 16-byte: the next transaction id, from 0. 12-byte: the last
	 * sequence number sent and received, from 1 on each connection (the
	 * host's, or the fake guest's).
	 */
	uint32_t next_id, tx_seq, rx_seq;
	int n, passed, failed;
	char *unix_path;	/* to unlink at exit */
} g = { .gen = GNS_GEN_16, .hl = 16, .timeout_ms = 40000, .lfd = -1,
	.cfd = -1 };

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* A bound on everything between arm and disarm: SIGALRM (no SA_RESTART)
 * interrupts a blocked read or write with EINTR. */
static void timer_arm(long ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	alarmed = 0;
	if (!ms)
		it.it_value.tv_usec = 1;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void timer_disarm(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

/* and a per-call bound in case the alarm fired before the call blocked */
static void set_sock_timeouts(int fd, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* ---------------------------------------------------------------- script */

static const struct {
	const char *name;
	enum gns_kind kind;
} kinds[] = {
	{ "InterfaceConfiguration", GNS_INTERFACE_CONFIGURATION },
	{ "Result", GNS_RESULT },
	{ "Notification", GNS_NOTIFICATION },
	{ "VmNicCreated", GNS_VMNIC_CREATED },
	{ "VmNicCreatedNotification", GNS_VMNIC_CREATED },
	{ "CreateDevice", GNS_CREATE_DEVICE },
	{ "CreateDeviceRequest", GNS_CREATE_DEVICE },
	{ "ModifyGuestDevice", GNS_MODIFY_GUEST_DEVICE },
	{ "ModifyGuestDeviceSettingRequest", GNS_MODIFY_GUEST_DEVICE },
	{ "LoopbackRoutes", GNS_LOOPBACK_ROUTES },
	{ "LoopbackRoutesRequest", GNS_LOOPBACK_ROUTES },
	{ "DeviceSetting", GNS_DEVICE_SETTING },
	{ "DeviceSettingRequest", GNS_DEVICE_SETTING },
	{ "InitialIpConfiguration", GNS_INITIAL_IP_CONFIGURATION },
	{ "InitialIpConfigurationNotification", GNS_INITIAL_IP_CONFIGURATION },
	{ "SetupIpv6", GNS_SETUP_IPV6 },
	{ "DnsTunneling", GNS_DNS_TUNNELING },
	{ "NoOp", GNS_NOOP },
	{ "GlobalNetFilter", GNS_GLOBAL_NET_FILTER },
	{ "InterfaceNetFilter", GNS_INTERFACE_NET_FILTER },
	{ "ConnectTest", GNS_CONNECT_TEST },
	{ "ConnectTestRequest", GNS_CONNECT_TEST },
};

static const char *script_name;
static int parse_errors;

static void syntax(int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gns-host: %s:%d: ", script_name, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	parse_errors++;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		perror("gns-host: malloc");
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * Next argument at *pp: up to a blank, with "..." quoting anywhere in it
 * (\" and \\ escaped inside). Returns NULL at the end of the line; sets
 * *bad on an unterminated quote.
 */
static char *next_arg(const char **pp, bool *bad)
{
	const char *p = skip_blanks(*pp);
	char *out, *o;

	if (!*p)
		return NULL;
	out = o = xmalloc(strlen(p) + 1);
	while (*p && *p != ' ' && *p != '\t') {
		if (*p != '"') {
			*o++ = *p++;
			continue;
		}
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			*o++ = *p;
		}
		if (!*p) {
			*bad = true;
			break;
		}
		p++;
	}
	*o = 0;
	*pp = p;
	return out;
}

/* int32 from decimal (optionally negative) or 0x hex (up to 0xffffffff) */
static int parse_int32(const char *s, int32_t *v)
{
	char *end;
	long long x;

	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		unsigned long long u = strtoull(s + 2, &end, 16);

		if (!isxdigit((unsigned char)s[2]) || *end || errno || u > UINT32_MAX)
			return -1;
		*v = (int32_t)(uint32_t)u;
		return 0;
	}
	x = strtoll(s, &end, 10);
	if (end == s || *end || errno || x < INT32_MIN || x > INT32_MAX)
		return -1;
	*v = (int32_t)x;
	return 0;
}

static int parse_expect(const char *s, struct expect *e)
{
	memset(e, 0, sizeof(*e));
	if (!strcmp(s, "any")) {
		e->t = E_ANY;
	} else if (!strcmp(s, "close")) {
		e->t = E_CLOSE;
	} else if (!strcmp(s, "none")) {
		e->t = E_NONE;
	} else if (!strcmp(s, "-1")) {
		e->t = E_FAIL;
	} else if (!strncmp(s, "-1:", 3) && s[3]) {
		e->t = E_FAIL;
		e->substr = xstrdup(s + 3);
	} else if (!strcmp(s, "0")) {
		e->t = E_VALUE;
	} else if (s[0] == '=') {
		e->t = E_VALUE;
		return parse_int32(s + 1, &e->value);
	} else {
		return -1;
	}
	return 0;
}

static int parse_kind(const char *s, uint32_t *type)
{
	char *end;
	unsigned long v;
	size_t i;

	if (isdigit((unsigned char)s[0])) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (*end || errno || v > UINT32_MAX)
			return -1;
		*type = v;
		return 0;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcasecmp(s, kinds[i].name)) {
			*type = gns_type_of(kinds[i].kind, g.gen);
			return 0;
		}
	}
	return -1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8", braces optional, to the Windows
 * memory layout: d1, d2, d3 little-endian, d4 as is (reference §1.5) */
static int parse_guid(const char *s, uint8_t out[16])
{
	uint8_t be[16];
	size_t len = strlen(s);
	int i, n = 0;

	if (len == 38 && s[0] == '{' && s[37] == '}') {
		s++;
		len = 36;
	}
	if (len != 36)
		return -1;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		if (hexval(s[i]) < 0 || hexval(s[i + 1]) < 0)
			return -1;
		be[n++] = hexval(s[i]) << 4 | hexval(s[i + 1]);
		i++;
	}
	out[0] = be[3];
	out[1] = be[2];
	out[2] = be[1];
	out[3] = be[0];
	out[4] = be[5];
	out[5] = be[4];
	out[6] = be[7];
	out[7] = be[6];
	memcpy(out + 8, be + 8, 8);
	return 0;
}

static int parse_hex(const char *p, uint8_t **out, size_t *len)
{
	uint8_t *b = xmalloc(strlen(p) / 2 + 1);
	size_t n = 0;

	for (;;) {
		p = skip_blanks(p);
		if (!*p)
			break;
		if (hexval(p[0]) < 0 || hexval(p[1]) < 0) {
			free(b);
			return -1;
		}
		b[n++] = hexval(p[0]) << 4 | hexval(p[1]);
		p += 2;
	}
	*out = b;
	*len = n;
	return 0;
}

/* parse one script line into @c; returns 1 for a command, 0 for none */
static int parse_line(char *line, int lineno, struct cmd *c)
{
	const char *p = skip_blanks(line);
	char *word, *arg;
	bool bad = false;
	size_t n;

	memset(c, 0, sizeof(*c));
	c->line = lineno;
	if (!*p || *p == '#')
		return 0;
	word = next_arg(&p, &bad);

	if (!strcmp(word, "send") || !strcmp(word, "notify")) {
		c->t = word[0] == 's' ? C_SEND : C_NOTIFY;
		arg = next_arg(&p, &bad);
		if (!arg) {
			syntax(lineno, "%s needs %s", word, c->t == C_SEND ? "KIND" : "GUID");
			return -1;
		}
		if (c->t == C_SEND) {
			if (parse_kind(arg, &c->type) < 0) {
				syntax(lineno, "unknown message kind '%s'", arg);
				return -1;
			}
			c->label = arg;
		} else {
			if (parse_guid(arg, c->guid) < 0) {
				syntax(lineno, "bad GUID '%s'", arg);
				return -1;
			}
			c->type = gns_type_of(GNS_NOTIFICATION, g.gen);
			c->label = xstrdup("Notification");
			free(arg);
		}
		arg = next_arg(&p, &bad);
		if (!arg || bad || parse_expect(arg, &c->exp) < 0) {
			syntax(lineno, "bad or missing EXPECT '%s'", arg ? arg : "");
			return -1;
		}
		free(arg);
		p = skip_blanks(p);
		c->len = strlen(p);
		c->data = (uint8_t *)xstrdup(p);
	} else if (!strcmp(word, "raw")) {
		c->t = C_RAW;
		c->label = xstrdup("raw");
		arg = next_arg(&p, &bad);
		if (!arg || bad || parse_expect(arg, &c->exp) < 0) {
			syntax(lineno, "bad or missing EXPECT '%s'", arg ? arg : "");
			return -1;
		}
		free(arg);
		if (parse_hex(p, &c->data, &c->len) < 0) {
			syntax(lineno, "bad hex bytes");
			return -1;
		}
		if (c->len < 12 && c->exp.t != E_CLOSE && c->exp.t != E_NONE) {
			syntax(lineno, "raw bytes without a transaction id can only expect close or none");
			return -1;
		}
	} else if (!strcmp(word, "accept") || !strcmp(word, "disconnect")) {
		c->t = word[0] == 'a' ? C_ACCEPT : C_DISCONNECT;
		c->label = xstrdup(word);
		if (*skip_blanks(p)) {
			syntax(lineno, "%s takes no arguments", word);
			return -1;
		}
	} else if (!strcmp(word, "sleep")) {
		char *end;

		c->t = C_SLEEP;
		arg = next_arg(&p, &bad);
		c->ms = arg ? strtol(arg, &end, 10) : -1;
		if (!arg || *end || c->ms < 0 || *skip_blanks(p)) {
			syntax(lineno, "sleep needs MS");
			return -1;
		}
		free(arg);
	} else if (!strcmp(word, "exec")) {
		c->t = C_EXEC;
		c->argv = xmalloc((strlen(p) / 2 + 2) * sizeof(char *));
		for (n = 0; (arg = next_arg(&p, &bad)); n++)
			c->argv[n] = arg;
		c->argv[n] = NULL;
		if (!n || bad) {
			syntax(lineno, "exec needs a command (quotes closed)");
			return -1;
		}
		c->label = xmalloc(strlen(c->argv[0]) + 6);
		sprintf(c->label, "exec %s", c->argv[0]);
	} else {
		syntax(lineno, "unknown command '%s'", word);
		free(word);
		return -1;
	}
	free(word);
	return 1;
}

static struct cmd *load_script(const char *path, size_t *count)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct cmd *cmds = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	int lineno = 0;

	if (!f) {
		fprintf(stderr, "gns-host: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while ((len = getline(&line, &lcap, f)) >= 0) {
		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			cmds = realloc(cmds, cap * sizeof(*cmds));
			if (!cmds) {
				perror("gns-host: realloc");
				exit(2);
			}
		}
		if (parse_line(line, lineno, &cmds[n]) > 0)
			n++;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	*count = n;
	return cmds;
}

/* ---------------------------------------------------------------- output */

/* printable copy of error text: at most ERRTEXT_SHOW bytes, escapes */
static void show_text(char *out, size_t cap, const uint8_t *s, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 8 < cap; i++) {
		if (i == ERRTEXT_SHOW) {
			o += snprintf(out + o, cap - o, "...");
			break;
		}
		if (s[i] == '"' || s[i] == '\\')
			o += snprintf(out + o, cap - o, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] == 0x7f)
			o += snprintf(out + o, cap - o, "\\x%02x", s[i]);
		else
			out[o++] = s[i];
	}
	out[o] = 0;
}

static void report(bool ok, const struct cmd *c, long ms, const char *fmt, ...)
{
	va_list ap;

	g.n++;
	if (ok)
		g.passed++;
	else
		g.failed++;
	printf("%sok %d - %d: %s", ok ? "" : "not ", g.n, c->line, c->label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (ms >= 0)
		printf(" (%ld ms)", ms);
	putchar('\n');
	fflush(stdout);
}

/* ------------------------------------------------------------ connection */

static void drop_connection(void)
{
	if (g.cfd >= 0)
		close(g.cfd);
	g.cfd = -1;
}

static int make_listener(const char *spec)
{
	const char *unix_path;
	int fd;

	/* a backlog for the fake guest's reconnections */
	fd = mh_listen(spec, 8, &unix_path);
	if (fd == -2)
		return -2;
	if (fd < 0) {
		fprintf(stderr, "gns-host: listen on %s: %s\n", spec, strerror(errno));
		exit(2);
	}
	if (unix_path)
		g.unix_path = xstrdup(unix_path);
	return fd;
}

/* wait for the next connection; a failure is reported as a step */
static void do_accept(const struct cmd *c)
{
	struct pollfd pfd = { .fd = g.lfd, .events = POLLIN };
	long t0 = gns_now_ms(), left;
	int r;

	drop_connection();
	g.next_id = g.tx_seq = g.rx_seq = 0;
	for (;;) {
		left = g.timeout_ms - (gns_now_ms() - t0);
		r = poll(&pfd, 1, left > 0 ? left : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			report(false, c, gns_now_ms() - t0, ": no connection within %ld ms%s%s",
			       g.timeout_ms, r < 0 ? ": " : "", r < 0 ? strerror(errno) : "");
			return;
		}
		g.cfd = accept4(g.lfd, NULL, NULL, SOCK_CLOEXEC);
		if (g.cfd >= 0)
			break;
		if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN) {
			report(false, c, gns_now_ms() - t0, ": accept: %s", strerror(errno));
			return;
		}
	}
	set_sock_timeouts(g.cfd, g.timeout_ms);
	report(true, c, gns_now_ms() - t0, "");
}

/* read one frame within the timeout: 1 frame, 0 closed, -1 error, -2 timeout */
static int read_frame_timed(struct gns_frame *f)
{
	int r;

	memset(&f->hdr, 0, sizeof(f->hdr));	/* for broken_frame() */
	f->have = 0;	/* a read cut short dropped its connection */
	timer_arm(g.timeout_ms);
	r = gns_read_frame(g.cfd, g.gen, f);
	timer_disarm();
	if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return -2;
	return r;
}

static int write_timed(const uint8_t *buf, size_t len)
{
	int r;

	timer_arm(g.timeout_ms);
	r = gns_write_all(g.cfd, buf, len);
	timer_disarm();
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		errno = ETIMEDOUT;
	return r;
}

/* why gns_read_frame() said EPROTO */
static void broken_frame(const struct gns_frame *f, char *why, size_t cap)
{
	if (f->hdr.size > GNS_MAX_FRAME)
		snprintf(why, cap, "frame declares %" PRIu32 " bytes, more than 16 MiB",
			 f->hdr.size);
	else if (f->hdr.size && f->hdr.size < g.hl)
		snprintf(why, cap, "frame declares %" PRIu32 " bytes, less than its header",
			 f->hdr.size);
	else
		snprintf(why, cap, "connection closed inside a frame");
}

static bool is_reset(int e)
{
	return e == ECONNRESET || e == EPIPE || e == ENOTCONN || e == ESHUTDOWN;
}

/* expect the guest to close the connection */
static void await_close(const struct cmd *c, long t0, struct gns_frame *f)
{
	int r = read_frame_timed(f);

	if (r == 0 || (r == -1 && is_reset(errno))) {
		report(true, c, gns_now_ms() - t0, " -> closed");
	} else if (r == 1) {
		report(false, c, gns_now_ms() - t0,
		       " -> frame type %" PRIu32 " id %" PRIu32 " step %" PRIu32 " size %" PRIu32 ": want close",
		       f->hdr.type, f->hdr.id, f->hdr.step, f->hdr.size);
	} else if (r == -2) {
		report(false, c, gns_now_ms() - t0, ": connection still open after %ld ms: want close",
		       g.timeout_ms);
	} else {
		char why[96];

		if (errno == EPROTO)
			broken_frame(f, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "%s", strerror(errno));
		report(false, c, gns_now_ms() - t0, ": %s: want a clean close", why);
	}
	drop_connection();
}

/* wait for the reply to @id and grade it */
static void await_reply(const struct cmd *c, uint32_t id, long t0, struct gns_frame *f)
{
	uint32_t want_type = gns_type_of(GNS_RESULT, g.gen);
	uint32_t rl = (uint32_t)GNS_RESULT_LEN(g.gen);
	char text[ERRTEXT_SHOW * 4 + 16], why[160], res[64];
	const struct expect *e = &c->exp;
	const uint8_t *err = NULL;
	size_t errlen = 0;
	int32_t result;
	bool ok;
	int r;

	r = read_frame_timed(f);
	if (r != 1) {
		if (r == 0)
			snprintf(why, sizeof(why), "the guest closed the connection");
		else if (r == -2)
			snprintf(why, sizeof(why), "no reply within %ld ms", g.timeout_ms);
		else if (errno == EPROTO)
			broken_frame(f, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "read: %s", strerror(errno));
		report(false, c, gns_now_ms() - t0, ": %s", why);
		drop_connection();
		return;
	}
	why[0] = 0;
	if (f->hdr.type != want_type)
		snprintf(why, sizeof(why), "reply type %" PRIu32 ", want %" PRIu32,
			 f->hdr.type, want_type);
	else if (g.hl == 12 && f->hdr.id != ++g.rx_seq)
		snprintf(why, sizeof(why), "reply sequence number %" PRIu32 ", want %" PRIu32,
			 f->hdr.id, g.rx_seq);
	else if (g.hl == 16 && f->hdr.step != GNS_STEP_REPLY)
		snprintf(why, sizeof(why), "reply step %" PRIu32 ", want 2", f->hdr.step);
	else if (g.hl == 16 && f->hdr.id != id)
		snprintf(why, sizeof(why), "reply id %" PRIu32 ", want %" PRIu32, f->hdr.id, id);
	else if (f->hdr.size < rl)
		snprintf(why, sizeof(why), "reply size %" PRIu32 " < %" PRIu32, f->hdr.size, rl);
	else if (f->hdr.size > rl && f->buf[f->hdr.size - 1])
		snprintf(why, sizeof(why), "error text of %" PRIu32 " bytes not NUL-terminated",
			 f->hdr.size - rl);
	if (why[0]) {
		report(false, c, gns_now_ms() - t0, ": %s", why);
		drop_connection();
		return;
	}

	result = (int32_t)gns_get_le32(f->buf + g.hl);
	if (f->hdr.size > rl) {
		err = f->buf + rl;
		errlen = strnlen((const char *)err, f->hdr.size - rl);
	}
	if (e->t == E_ANY)
		ok = true;
	else if (e->t == E_VALUE)
		ok = result == e->value;
	else	/* E_FAIL */
		ok = result == -1 && (!e->substr ||
				      (err && memmem(err, errlen, e->substr, strlen(e->substr))));

	if (result > 0xffff)
		snprintf(res, sizeof(res), "%" PRId32 " (0x%08" PRIx32 ")", result, (uint32_t)result);
	else
		snprintf(res, sizeof(res), "%" PRId32, result);
	text[0] = 0;
	if (err) {
		text[0] = ' ';
		text[1] = '"';
		show_text(text + 2, sizeof(text) - 3, err, errlen);
		strcat(text, "\"");
	}
	why[0] = 0;
	if (!ok) {
		if (e->t == E_VALUE)
			snprintf(why, sizeof(why), ": want %" PRId32, e->value);
		else if (e->substr)
			snprintf(why, sizeof(why), ": want -1 with \"%.100s\"", e->substr);
		else
			snprintf(why, sizeof(why), ": want -1");
	}
	report(ok, c, gns_now_ms() - t0, " -> %s%s%s", res, text, why);
}

static void do_transaction(const struct cmd *c, struct gns_frame *f)
{
	struct gns_hdr h = { .type = c->type, .step = GNS_STEP_REQUEST };
	size_t off = c->t == C_NOTIFY ? g.hl + 16 : g.hl, size;
	uint8_t *buf;
	long t0 = gns_now_ms();
	uint32_t id;

	if (g.cfd < 0) {
		report(false, c, -1, ": no connection");
		return;
	}
	if (c->t == C_RAW) {
		buf = c->data;
		size = c->len;
		id = c->len >= 12 ? gns_get_le32(c->data + 8) : 0;
		/* 12-byte: the guest counts every frame. */
		if (g.hl == 12)
			g.tx_seq++;
	} else {
		size = off + c->len + 1;
		if (size > GNS_MAX_FRAME) {
			report(false, c, -1, ": request of %zu bytes exceeds 16 MiB", size);
			return;
		}
		buf = xmalloc(size);
		id = g.hl == 12 ? ++g.tx_seq : g.next_id++;
		h.size = (uint32_t)size;
		h.id = id;
		gns_hdr_encode(g.gen, &h, buf);
		if (c->t == C_NOTIFY)
			memcpy(buf + g.hl, c->guid, 16);
		memcpy(buf + off, c->data, c->len);
		buf[size - 1] = 0;
	}
	if (write_timed(buf, size) < 0) {
		int e = errno;

		if (buf != c->data)
			free(buf);
		if (c->exp.t == E_CLOSE && is_reset(e)) {
			report(true, c, gns_now_ms() - t0, " -> closed (on send)");
		} else {
			report(false, c, gns_now_ms() - t0, ": send: %s", strerror(e));
		}
		drop_connection();
		return;
	}
	if (buf != c->data)
		free(buf);
	if (c->exp.t == E_NONE)
		report(true, c, gns_now_ms() - t0, " -> sent %zu bytes", size);
	else if (c->exp.t == E_CLOSE)
		await_close(c, t0, f);
	else
		await_reply(c, id, t0, f);
}

static void do_exec(const struct cmd *c)
{
	long t0 = gns_now_ms();
	int status, devnull;
	pid_t pid, w;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		report(false, c, -1, ": fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		signal(SIGPIPE, SIG_DFL);
		devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(2, 1);	/* keep our stdout for the TAP lines */
		execvp(c->argv[0], c->argv);
		fprintf(stderr, "gns-host: exec %s: %s\n", c->argv[0], strerror(errno));
		_exit(127);
	}
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			report(false, c, gns_now_ms() - t0, ": waitpid: %s", strerror(errno));
			return;
		}
		if (gns_now_ms() - t0 > g.timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			report(false, c, gns_now_ms() - t0, ": still running after %ld ms, killed",
			       g.timeout_ms);
			return;
		}
		gns_sleep_ms(5);
	}
	if (WIFEXITED(status))
		report(WEXITSTATUS(status) == 0, c, gns_now_ms() - t0, " -> exit %d",
		       WEXITSTATUS(status));
	else
		report(false, c, gns_now_ms() - t0, " -> killed by signal %d", WTERMSIG(status));
}

static int run_script(const char *listen_spec, const char *path)
{
	struct gns_frame f = { 0 };
	struct cmd first = { .t = C_ACCEPT, .line = 0, .label = "accept" };
	struct cmd *cmds;
	size_t n, i;

	script_name = path;
	cmds = load_script(path, &n);
	if (parse_errors) {
		printf("gns-host: 0 passed, %d failed\n", parse_errors);
		return 2;
	}
	g.lfd = make_listener(listen_spec);
	if (g.lfd == -2) {
		fprintf(stderr, "gns-host: bad --listen '%s' (vsock:PORT or unix:PATH)\n",
			listen_spec);
		return 2;
	}
	fprintf(stderr, "gns-host: listening on %s\n", listen_spec);
	do_accept(&first);
	for (i = 0; i < n; i++) {
		const struct cmd *c = &cmds[i];

		switch (c->t) {
		case C_SEND:
		case C_NOTIFY:
		case C_RAW:
			do_transaction(c, &f);
			break;
		case C_ACCEPT:
			do_accept(c);
			break;
		case C_DISCONNECT:
			drop_connection();
			break;
		case C_SLEEP:
			gns_sleep_ms((unsigned int)c->ms);
			break;
		case C_EXEC:
			do_exec(c);
			break;
		}
	}
	drop_connection();
	close(g.lfd);
	if (g.unix_path)
		unlink(g.unix_path);
	gns_frame_release(&f);
	printf("gns-host: %d passed, %d failed\n", g.passed, g.failed);
	return g.failed ? 1 : 0;
}

/* ------------------------------------------------------------ fake guest */

static int connect_to(const char *spec)
{
	int fd = -1;

	if (!strncmp(spec, "vsock:", 6)) {
		struct sockaddr_vm a = { .svm_family = AF_VSOCK };
		unsigned long cid, port;
		char *end;

		cid = strtoul(spec + 6, &end, 10);
		if (*end != ':')
			return -2;
		port = strtoul(end + 1, &end, 10);
		if (*end || cid > UINT32_MAX || port > UINT32_MAX)
			return -2;
		a.svm_cid = cid;
		a.svm_port = port;
		fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
	} else if (!strncmp(spec, "unix:", 5)) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };

		if (strlen(spec + 5) >= sizeof(a.sun_path))
			return -2;
		strcpy(a.sun_path, spec + 5);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
	} else {
		return -2;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

static bool needs_text(enum gns_kind k)
{
	switch (k) {
	case GNS_VMNIC_CREATED: case GNS_CREATE_DEVICE: case GNS_MODIFY_GUEST_DEVICE:
	case GNS_LOOPBACK_ROUTES: case GNS_DEVICE_SETTING:
	case GNS_INITIAL_IP_CONFIGURATION: case GNS_SETUP_IPV6:
	case GNS_INTERFACE_NET_FILTER: case GNS_CONNECT_TEST:
		return true;
	default:
		return false;
	}
}

static int send_reply(int fd, uint32_t id, int32_t result, const char *error)
{
	uint8_t out[512];
	size_t n = gns_reply_encode(g.gen, id, result, error, out, sizeof(out));

	return n ? gns_write_all(fd, out, n) : -1;
}

/*
 * Answer one request. Misbehaviour on request, by text:
 *   fake:fail TEXT   -1 with TEXT        fake:value N   result N
 *   fake:id          result = the request's transaction id (12-byte: its
 *                    sequence number)
 *   fake:guid        (Notification) -1 with the 16 GUID bytes in hex
 *   fake:wrong-id    id + 1              fake:wrong-step  step 1 (16-byte)
 *   fake:wrong-type  type InterfaceConfiguration
 *   fake:short       a header alone      fake:no-nul  error text without NUL
 *   fake:huge        a header declaring 16 MiB + 1, then close
 *   fake:cut         half of a reply, then close
 *   fake:silent      no reply            fake:close   close, no reply
 *   fake:twice       the reply twice     fake:exit    exit
 * Returns 0 to go on, 1 to reconnect, 2 to exit.
 */
static int fake_reply(int fd, const struct gns_frame *f)
{
	enum gns_kind k = gns_kind_of(f->hdr.type, g.gen);
	uint32_t rl = (uint32_t)GNS_RESULT_LEN(g.gen), req_id = f->hdr.id;
	/* 12-byte: replies carry the guest's own sequence number */
	uint32_t id = g.hl == 12 ? ++g.tx_seq : req_id;
	struct gns_hdr h = { gns_type_of(GNS_RESULT, g.gen), rl, id, GNS_STEP_REPLY };
	const char *text = "", *why = NULL, *arg;
	uint8_t out[64];
	char msg[128];
	size_t len = 0;
	int32_t v;

	if (k == GNS_KIND_UNKNOWN || k == GNS_RESULT) {
		snprintf(msg, sizeof(msg), "Unexpected LX_MESSAGE_TYPE %" PRIu32, f->hdr.type);
		return send_reply(fd, id, -1, msg) < 0;
	}
	if (k != GNS_NOOP && k != GNS_GLOBAL_NET_FILTER &&
	    gns_frame_text(f, k, &text, &len, &why) < 0)
		return send_reply(fd, id, -1, why) < 0;
	if (needs_text(k) && !len)
		return send_reply(fd, id, -1, "Failed to find content") < 0;
	if (strncmp(text, "fake:", 5))
		return send_reply(fd, id, k == GNS_CONNECT_TEST ? 0x00010001 : 0, NULL) < 0;

	arg = text + 5;
	if (!strncmp(arg, "fail ", 5))
		return send_reply(fd, id, -1, arg + 5) < 0;
	if (!strncmp(arg, "value ", 6) && !parse_int32(arg + 6, &v))
		return send_reply(fd, id, v, NULL) < 0;
	if (!strcmp(arg, "id"))
		return send_reply(fd, id, (int32_t)req_id, NULL) < 0;
	if (!strcmp(arg, "guid") && k == GNS_NOTIFICATION) {
		for (v = 0; v < 16; v++)
			sprintf(msg + 2 * v, "%02x", f->buf[g.hl + v]);
		return send_reply(fd, id, -1, msg) < 0;
	}
	if (!strcmp(arg, "silent"))
		return 0;
	if (!strcmp(arg, "close"))
		return 1;
	if (!strcmp(arg, "exit"))
		return 2;
	if (!strcmp(arg, "twice"))
		return send_reply(fd, id, 0, NULL) < 0 || send_reply(fd, id, 0, NULL) < 0;
	if (!strcmp(arg, "wrong-id"))
		h.id++;
	else if (!strcmp(arg, "wrong-step"))
		h.step = GNS_STEP_REQUEST;
	else if (!strcmp(arg, "wrong-type"))
		h.type = gns_type_of(GNS_INTERFACE_CONFIGURATION, g.gen);
	else if (!strcmp(arg, "short"))
		h.size = (uint32_t)g.hl;
	else if (!strcmp(arg, "no-nul"))
		h.size = rl + 4;
	else if (!strcmp(arg, "huge"))
		h.size = GNS_MAX_FRAME + 1;
	else if (!strcmp(arg, "cut"))
		h.size = 2 * rl;
	else
		return send_reply(fd, id, -1, "fake guest: unknown fake: request") < 0;
	memset(out, 0, sizeof(out));
	gns_hdr_encode(g.gen, &h, out);
	gns_put_le32(out + g.hl, (uint32_t)-1);
	memcpy(out + rl, "oops", 4);
	if (!strcmp(arg, "huge") || !strcmp(arg, "cut")) {
		gns_write_all(fd, out, rl);
		return 1;
	}
	return gns_write_all(fd, out, h.size) < 0;
}

/* connect, answer, reconnect on close; exit after timeout_ms without a
 * connection */
static int fake_guest(const char *spec)
{
	struct gns_frame f = { 0 };
	long since = gns_now_ms();
	int fd, r;

	for (;;) {
		fd = connect_to(spec);
		if (fd == -2) {
			fprintf(stderr, "gns-host: bad --fake-guest '%s'\n", spec);
			return 2;
		}
		if (fd < 0) {
			if (gns_now_ms() - since > g.timeout_ms) {
				fprintf(stderr, "gns-host: fake guest: no host for %ld ms, exiting\n",
					g.timeout_ms);
				return 0;
			}
			gns_sleep_ms(20);
			continue;
		}
		g.tx_seq = g.rx_seq = 0;
		f.have = 0;
		for (;;) {
			r = gns_read_frame(fd, g.gen, &f);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (g.hl == 16 && f.hdr.step != GNS_STEP_REQUEST)
				continue;	/* as the real guest: skip */
			if (g.hl == 12 && f.hdr.id != ++g.rx_seq) {
				fprintf(stderr, "gns-host: fake guest: sequence number %" PRIu32
					", want %" PRIu32 ": dropping the connection\n",
					f.hdr.id, g.rx_seq);
				break;
			}
			r = fake_reply(fd, &f);
			if (r == 2) {
				close(fd);
				gns_frame_release(&f);
				return 0;
			}
			if (r)
				break;
		}
		close(fd);
		since = gns_now_ms();
	}
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr,
		"usage: gns-host --listen vsock:PORT|unix:PATH [--wsl-version VERSION]\n"
		"                [--timeout-ms N] SCRIPT\n"
		"       gns-host --fake-guest vsock:CID:PORT|unix:PATH [--wsl-version VERSION]\n"
		"                [--timeout-ms N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "fake-guest", required_argument, NULL, 'f' },
		{ "wsl-version", required_argument, NULL, 'w' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_alarm };
	const char *listen_spec = NULL, *guest_spec = NULL;
	int o;

	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'l':
			listen_spec = optarg;
			break;
		case 'f':
			guest_spec = optarg;
			break;
		case 'w':
			if (mh_parse_wsl_version(optarg, &g.gen) < 0)
				usage();
			g.hl = gns_gen_hdr_len(g.gen);
			break;
		case 't':
			if (mh_parse_timeout_ms(optarg, &g.timeout_ms) < 0)
				usage();
			break;
		default:
			usage();
		}
	}
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: reads see EINTR */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (guest_spec && !listen_spec && optind == argc)
		return fake_guest(guest_spec);
	if (!listen_spec || guest_spec || optind != argc - 1)
		usage();
	return run_script(listen_spec, argv[optind]);
}
