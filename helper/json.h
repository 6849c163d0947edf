/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict RFC 8259 parser for the host's requests: one pass over the
 * payload (not NUL-terminated) into a flat token array, with the strings
 * validated, unescaped and NUL-terminated in the same block. No DOM, no
 * recursion, one allocation bounded by the payload length.
 *
 * What it rejects, and the error texts, follow jansson's json_loadb() with
 * JSON_REJECT_DUPLICATES | JSON_DECODE_ANY ("line:column: message near
 * 'token'"), which the helper used before, except for the depth bound.
 */
#ifndef MIRRORNET_JSON_H
#define MIRRORNET_JSON_H

#include <stddef.h>
#include <stdint.h>

/* Containers nested deeper than this are refused (requests nest 2). */
#define JS_MAX_DEPTH	32
#define JS_ERR_LEN	160

enum js_type {
	JS_OBJECT, JS_ARRAY, JS_STRING, JS_INTEGER, JS_REAL, JS_TRUE,
	JS_FALSE, JS_NULL,
};

/*
 * One value. A container is followed by its members in document order,
 * an object's as key, value, key, value...; @size counts the token and
 * everything inside it, so tok + tok->size is the next sibling.
 */
struct js_tok {
	uint32_t size;
	uint8_t type;		/* enum js_type */
	union {
		const char *s;	/* JS_STRING: UTF-8, no NUL inside */
		long long i;	/* JS_INTEGER */
	};
};

/**
 * js_parse() - parse @len bytes of @text as one JSON document.
 * @text: the payload, not NUL-terminated; @len > 0
 * @mem: set to the one block holding tokens and strings; free() it
 * @root: set to the document's first token (any type)
 * @err: on error, "L:C: what near 'token'" (raw bytes of the input)
 *
 * Return: 0, or -1 with @err set and nothing to free.
 */
int js_parse(const char *text, size_t len, void **mem,
	     const struct js_tok **root, char err[JS_ERR_LEN]);

/**
 * js_get() - the value of @key in the object @obj, or NULL.
 *
 * Keys are unique (js_parse() refuses duplicates), so the first match is
 * the only one.
 */
const struct js_tok *js_get(const struct js_tok *obj, const char *key);

#endif /* MIRRORNET_JSON_H */
