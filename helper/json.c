// SPDX-License-Identifier: GPL-2.0
/*
 * The request parser of json.h: a lexer that validates and unescapes as it
 * goes, and an explicit-stack parser that writes one token per value. The
 * error texts and their positions are jansson's (load.c): the position is
 * after the last byte read, the column counts UTF-8 characters, and the
 * text read of the current token is quoted when it is 1 to 20 bytes.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gns/util.h"
#include "json.h"

/* Lexer results besides the structural characters themselves. */
enum {
	T_ERROR = -2,		/* error set */
	T_INVALID = -1,		/* not a token: the parser says why */
	T_EOF = 0,
	T_STRING = 256, T_INTEGER, T_REAL, T_TRUE, T_FALSE, T_NULL,
};

#define BAD		-2	/* look(): invalid UTF-8, error set */
#define END		-1	/* look(): end of input */
#define NEAR_MAX	20	/* longest token jansson quotes */
#define DUP_LINEAR	16	/* keys checked one by one, then sorted */

struct parser {
	const uint8_t *s;
	size_t len;
	size_t pos;		/* next byte to read */
	size_t start;		/* first byte of the current token */
	char *w;		/* where the next string goes */
	struct js_tok *tok;
	size_t n, cap;
	uint32_t *keys;		/* room to sort one object's keys */
	char *err;
	/* the last scalar the lexer read */
	const char *str;
	bool nul;		/* str had \u0000 */
	long long ival;
};

/*
 * Set the error at byte @at; with @eof an empty token reads "near end of
 * file" (jansson drops it only for UTF-8 errors).
 */
static int __attribute__((format(printf, 4, 5)))
fail(struct parser *p, size_t at, bool eof, const char *fmt, ...)
{
	const uint8_t *s = p->s;
	size_t line = 1, col = 0, n = at - p->start, i;
	char msg[64], near[NEAR_MAX + 1];
	va_list ap;

	for (i = 0; i < at; i++) {
		if (s[i] == '\n') {
			line++;
			col = 0;
		} else if ((s[i] & 0xc0) != 0x80) {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n && s[p->start]) {
		/* jansson keeps the token as a C string: a NUL ends it */
		if (n <= NEAR_MAX) {
			memcpy(near, s + p->start, n);
			near[n] = 0;
			snprintf(p->err, JS_ERR_LEN, "%zu:%zu: %s near '%s'",
				 line, col, msg, near);
		} else {
			snprintf(p->err, JS_ERR_LEN, "%zu:%zu: %s", line, col,
				 msg);
		}
	} else {
		snprintf(p->err, JS_ERR_LEN, "%zu:%zu: %s%s", line, col, msg,
			 eof ? " near end of file" : "");
	}
	return T_ERROR;
}

/* The length of the UTF-8 sequence at @s (RFC 3629), 0 if invalid. */
static size_t utf8_len(const uint8_t *s, size_t avail)
{
	uint32_t v;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2)
		return 0;
	if (s[0] < 0xe0) {
		n = 2;
		v = s[0] & 0x1f;
	} else if (s[0] < 0xf0) {
		n = 3;
		v = s[0] & 0x0f;
	} else if (s[0] < 0xf5) {
		n = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) ||
	    (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
		return 0;
	return n;
}

static int utf8_fail(struct parser *p, size_t at)
{
	return fail(p, at, false, "unable to decode byte 0x%x", p->s[at]);
}

/* The byte at @i as jansson reads it: END, BAD, or the byte. */
static int look(struct parser *p, size_t i)
{
	if (i >= p->len)
		return END;
	if (p->s[i] >= 0x80 && !utf8_len(p->s + i, p->len - i)) {
		utf8_fail(p, i);
		return BAD;
	}
	return p->s[i];
}

/* A string's bytes that stand for themselves: not '"', '\\', control, UTF-8. */
static const bool plain_char[256] = {
	[0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7f] = true,
};

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* The four hex digits of a \u escape at @at into *@v. */
static int hex4(struct parser *p, size_t at, uint32_t *v)
{
	size_t k;

	*v = 0;
	for (k = 0; k < 4; k++) {
		int c = look(p, at + k), h = gns_hexval(c);

		if (c == BAD)
			return T_ERROR;
		if (h < 0)
			return fail(p, at + k + (c != END), true,
				    "invalid escape");
		*v = *v << 4 | (uint32_t)h;
	}
	return 0;
}

static char *utf8_put(char *o, uint32_t v)
{
	if (v < 0x80) {
		*o++ = (char)v;
	} else if (v < 0x800) {
		*o++ = (char)(0xc0 | v >> 6);
		*o++ = (char)(0x80 | (v & 0x3f));
	} else if (v < 0x10000) {
		*o++ = (char)(0xe0 | v >> 12);
		*o++ = (char)(0x80 | (v >> 6 & 0x3f));
		*o++ = (char)(0x80 | (v & 0x3f));
	} else {
		*o++ = (char)(0xf0 | v >> 18);
		*o++ = (char)(0x80 | (v >> 12 & 0x3f));
		*o++ = (char)(0x80 | (v >> 6 & 0x3f));
		*o++ = (char)(0x80 | (v & 0x3f));
	}
	return o;
}

/*
 * A string, unescaped into p->w. jansson scans the whole string before it
 * decodes the escapes, so a lone surrogate is reported only when nothing
 * after it in the string is wrong: keep the first one until the end.
 */
static int lex_string(struct parser *p)
{
	static const char simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	const uint8_t *s = p->s;
	size_t i = p->start + 1, len = p->len, n;
	uint32_t v, v2, bad[2] = { 0, 0 };
	int nbad = 0;		/* the first bad escape: 1 or 2 values */
	char *o = p->w;
	const char *e;
	int c;

	p->nul = false;
	for (;;) {
		size_t run = i;

		/* most of a request is plain ASCII: copied a run at a time */
		while (i < len && plain_char[s[i]])
			i++;
		memcpy(o, s + run, i - run);
		o += i - run;
		if (i >= len)
			return fail(p, len, true, "premature end of input");
		c = s[i];
		if (c == '"')
			break;
		if (c < 0x20)
			return c == '\n' ?
			       fail(p, i, true, "unexpected newline") :
			       fail(p, i, true, "control character 0x%x", c);
		if (c >= 0x80) {
			n = utf8_len(s + i, len - i);
			if (!n)
				return utf8_fail(p, i);
			memcpy(o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		c = look(p, i + 1);
		if (c == BAD)
			return T_ERROR;
		if (c != 'u') {
			e = c > 0 && c < 0x80 ? strchr(simple, c) : NULL;
			/* only the even places are escape letters */
			if (!e || (e - simple) % 2)
				return fail(p, i + 1 + (c != END), true,
					    "invalid escape");
			*o++ = e[1];
			i += 2;
			continue;
		}
		if (hex4(p, i + 2, &v))
			return T_ERROR;
		i += 6;
		if (v >= 0xd800 && v <= 0xdbff && i + 1 < len &&
		    s[i] == '\\' && s[i + 1] == 'u') {
			if (hex4(p, i + 2, &v2))
				return T_ERROR;
			i += 6;
			if (v2 >= 0xdc00 && v2 <= 0xdfff) {
				v = ((v - 0xd800) << 10) + (v2 - 0xdc00) +
				    0x10000;
			} else {
				if (!nbad) {
					bad[0] = v;
					bad[1] = v2;
					nbad = 2;
				}
				continue;
			}
		} else if (v >= 0xd800 && v <= 0xdfff) {
			if (!nbad) {
				bad[0] = v;
				nbad = 1;
			}
			continue;
		}
		if (!v)
			p->nul = true;
		else
			o = utf8_put(o, v);
	}
	p->pos = i + 1;
	if (nbad == 2)
		return fail(p, p->pos, true, "invalid Unicode '\\u%04X\\u%04X'",
			    bad[0], bad[1]);
	if (nbad)
		return fail(p, p->pos, true, "invalid Unicode '\\u%04X'",
			    bad[0]);
	*o++ = 0;
	p->str = p->w;
	p->w = o;
	return T_STRING;
}

/* The integer p->s[start..end) as strtoll() reads it, range included. */
static int lex_int(struct parser *p, size_t end)
{
	size_t i = p->start;
	bool neg = p->s[i] == '-';
	unsigned long long v = 0, max = neg ? 1ull << 63 : (1ull << 63) - 1;

	p->pos = end;
	for (i += neg; i < end; i++) {
		unsigned int d = p->s[i] - '0';

		if (v > (max - d) / 10)
			return fail(p, end, true, neg ?
				    "too big negative integer" :
				    "too big integer");
		v = v * 10 + d;
	}
	p->ival = neg && v ? -(long long)(v - 1) - 1 : (long long)v;
	return T_INTEGER;
}

/* A number by the RFC 8259 grammar; reals only checked for overflow. */
static int lex_number(struct parser *p)
{
	size_t i = p->start + (p->s[p->start] == '-');
	int c = look(p, i);
	double d;

	if (c == '0') {
		c = look(p, ++i);
		if (is_digit(c)) {
			p->pos = i;
			return T_INVALID;
		}
	} else if (is_digit(c)) {
		do
			c = look(p, ++i);
		while (is_digit(c));
	} else if (c != BAD) {
		p->pos = i;
		return T_INVALID;
	}
	if (c == BAD)
		return T_ERROR;
	if (c != '.' && c != 'e' && c != 'E')
		return lex_int(p, i);
	if (c == '.') {
		c = look(p, ++i);
		if (c == BAD)
			return T_ERROR;
		if (!is_digit(c)) {
			p->pos = i;
			return T_INVALID;
		}
		do
			c = look(p, ++i);
		while (is_digit(c));
	}
	if (c == 'e' || c == 'E') {
		c = look(p, ++i);
		if (c == '+' || c == '-')
			c = look(p, ++i);
		if (c != BAD && !is_digit(c)) {
			p->pos = i;
			return T_INVALID;
		}
		while (is_digit(c))
			c = look(p, ++i);
	}
	if (c == BAD)
		return T_ERROR;
	p->pos = i;
	/* strtod() needs a C string: p->w has room, it trails p->start. */
	memcpy(p->w, p->s + p->start, i - p->start);
	p->w[i - p->start] = 0;
	errno = 0;
	d = strtod(p->w, NULL);
	if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE)
		return fail(p, i, true, "real number overflow");
	return T_REAL;
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A run of letters: one of the three literals, else not a token. */
static int lex_word(struct parser *p)
{
	static const struct { const char *w; int t; } words[] = {
		{ "true", T_TRUE }, { "false", T_FALSE }, { "null", T_NULL },
	};
	size_t i = p->start, n, k;
	int c;

	do
		c = look(p, ++i);
	while (is_alpha(c));
	if (c == BAD)
		return T_ERROR;
	p->pos = i;
	n = i - p->start;
	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
		if (strlen(words[k].w) == n &&
		    !memcmp(words[k].w, p->s + p->start, n))
			return words[k].t;
	return T_INVALID;
}

static int lex(struct parser *p)
{
	const uint8_t *s = p->s;
	size_t i = p->pos, n;

	while (i < p->len &&
	       (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
		i++;
	p->start = p->pos = i;
	if (i == p->len)
		return T_EOF;
	switch (s[i]) {
	case '{': case '}': case '[': case ']': case ':': case ',':
		p->pos = i + 1;
		return s[i];
	case '"':
		return lex_string(p);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return lex_number(p);
	}
	if (is_alpha(s[i]))
		return lex_word(p);
	/* jansson quotes a whole UTF-8 character that is not a token */
	n = utf8_len(s + i, p->len - i);
	if (!n)
		return utf8_fail(p, i);
	p->pos = i + n;
	return T_INVALID;
}

/* A new token; parse() checked there is room. */
static struct js_tok *add(struct parser *p, enum js_type type)
{
	struct js_tok *t = &p->tok[p->n++];

	t->size = 1;
	t->type = (uint8_t)type;
	return t;
}

/* Is p->str a key of the open object @obj (tokens up to p->n)? */
static bool dup_linear(const struct parser *p, const struct js_tok *obj)
{
	const struct js_tok *k, *end = p->tok + p->n;

	for (k = obj + 1; k < end; k += 1 + k[1].size)
		if (k->s[0] == p->str[0] && !strcmp(k->s, p->str))
			return true;
	return false;
}

static int key_cmp(const struct js_tok *t, uint32_t a, uint32_t b)
{
	return strcmp(t[a].s, t[b].s);
}

static void sift(const struct js_tok *t, uint32_t *a, size_t n, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1;
		uint32_t x;

		if (c >= n)
			return;
		if (c + 1 < n && key_cmp(t, a[c + 1], a[c]) > 0)
			c++;
		if (key_cmp(t, a[i], a[c]) >= 0)
			return;
		x = a[i];
		a[i] = a[c];
		a[c] = x;
		i = c;
	}
}

/* Has the closed object @obj a key twice? Heapsort: no recursion. */
static bool dup_sorted(const struct parser *p, const struct js_tok *obj)
{
	const struct js_tok *k, *t = p->tok;
	uint32_t *a = p->keys, x;
	size_t n = 0, i;

	for (k = obj + 1; k < obj + obj->size; k += 1 + k[1].size)
		a[n++] = (uint32_t)(k - t);
	for (i = n / 2; i-- > 0;)
		sift(t, a, n, i);
	for (i = n; --i > 0;) {
		x = a[0];
		a[0] = a[i];
		a[i] = x;
		sift(t, a, i, 0);
	}
	for (i = 1; i < n; i++)
		if (!key_cmp(t, a[i - 1], a[i]))
			return true;
	return false;
}

/* The grammar, with jansson's message at each place it can fail. */
static int parse(struct parser *p)
{
	struct {
		size_t open;		/* token index */
		size_t members;
	} st[JS_MAX_DEPTH];
	size_t depth = 0;
	struct js_tok *c;
	int t = lex(p);

value:
	/* js_parse()'s bound holds; a broken one must not write past it */
	if (p->n == p->cap)
		return fail(p, p->pos, true, "too many values");
	switch (t) {
	case '{':
	case '[':
		if (depth == JS_MAX_DEPTH)
			return fail(p, p->pos, true,
				    "maximum parsing depth reached");
		st[depth].open = p->n;
		st[depth++].members = 0;
		add(p, t == '{' ? JS_OBJECT : JS_ARRAY);
		t = lex(p);
		if (t == (p->tok[st[depth - 1].open].type == JS_OBJECT ?
			  '}' : ']'))
			goto close;
		if (p->tok[st[depth - 1].open].type == JS_OBJECT)
			goto key;
		goto element;
	case T_STRING:
		if (p->nul)
			return fail(p, p->pos, true, "%s", "\\u0000 is not "
				    "allowed without JSON_ALLOW_NUL");
		add(p, JS_STRING)->s = p->str;
		break;
	case T_INTEGER:
		add(p, JS_INTEGER)->i = p->ival;
		break;
	case T_REAL:
		add(p, JS_REAL);
		break;
	case T_TRUE:
		add(p, JS_TRUE);
		break;
	case T_FALSE:
		add(p, JS_FALSE);
		break;
	case T_NULL:
		add(p, JS_NULL);
		break;
	case T_ERROR:
		return -1;
	case T_INVALID:
		return fail(p, p->pos, true, "invalid token");
	default:
		return fail(p, p->pos, true, "unexpected token");
	}
next:	/* a value ended */
	t = lex(p);
	if (t == T_ERROR)
		return -1;
	if (!depth)
		return t == T_EOF ? 0 :
		       fail(p, p->pos, true, "end of file expected");
	if (p->tok[st[depth - 1].open].type == JS_OBJECT) {
		if (t == ',') {
			t = lex(p);
			goto key;
		}
		if (t != '}')
			return fail(p, p->pos, true, "'}' expected");
	} else {
		if (t == ',') {
			t = lex(p);
			goto element;
		}
		if (t != ']')
			return fail(p, p->pos, true, "']' expected");
	}
close:
	depth--;
	c = &p->tok[st[depth].open];
	c->size = (uint32_t)(p->n - st[depth].open);
	if (st[depth].members > DUP_LINEAR && dup_sorted(p, c))
		return fail(p, p->pos, true, "duplicate object key");
	goto next;
key:
	if (t == T_ERROR)
		return -1;
	if (t != T_STRING)
		return fail(p, p->pos, true, "string or '}' expected");
	if (p->nul)
		return fail(p, p->pos, true,
			    "NUL byte in object key not supported");
	if (p->n == p->cap)
		return fail(p, p->pos, true, "too many values");
	if (++st[depth - 1].members <= DUP_LINEAR &&
	    dup_linear(p, &p->tok[st[depth - 1].open]))
		return fail(p, p->pos, true, "duplicate object key");
	add(p, JS_STRING)->s = p->str;
	t = lex(p);
	if (t == T_ERROR)
		return -1;
	if (t != ':')
		return fail(p, p->pos, true, "':' expected");
	t = lex(p);
	goto value;
element:
	/* jansson's array loop stops at the end of input */
	if (t == T_EOF)
		return fail(p, p->pos, true, "']' expected");
	goto value;
}

int js_parse(const char *text, size_t len, void **mem,
	     const struct js_tok **root, char err[JS_ERR_LEN])
{
	/*
	 * A scalar takes a byte, a container two (one until it is closed),
	 * and every value but the first of a container a separator: at most
	 * (len + 1 + open containers) / 2 tokens. An object member takes at
	 * least 5 bytes ("":0,).
	 */
	size_t ntok = (len + 1 + JS_MAX_DEPTH) / 2 + 1, nkeys = len / 5 + 1;
	size_t sbytes = (len + 1 + 7) & ~(size_t)7;
	struct parser p = {
		.s = (const uint8_t *)text, .len = len, .cap = ntok, .err = err,
	};

	*mem = NULL;
	if (len >= UINT32_MAX / sizeof(struct js_tok)) {
		snprintf(err, JS_ERR_LEN, "%zu bytes is too long", len);
		return -1;
	}
	*mem = malloc(sbytes + ntok * sizeof(*p.tok) + nkeys * sizeof(*p.keys));
	if (!*mem) {
		snprintf(err, JS_ERR_LEN, "out of memory");
		return -1;
	}
	/* strings first: they are at most len + 1 bytes */
	p.w = *mem;
	p.tok = (struct js_tok *)((char *)*mem + sbytes);
	p.keys = (uint32_t *)(p.tok + ntok);
	if (parse(&p)) {
		free(*mem);
		*mem = NULL;
		return -1;
	}
	*root = p.tok;
	return 0;
}

const struct js_tok *js_get(const struct js_tok *obj, const char *key)
{
	const struct js_tok *k;

	/* the first byte inline: most keys differ there */
	for (k = obj + 1; k < obj + obj->size; k += 1 + k[1].size)
		if (k->s[0] == key[0] && !strcmp(k->s, key))
			return k + 1;
	return NULL;
}
