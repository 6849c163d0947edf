/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host engine's unit tests share. Their JSON is written with '
 * for " so that it reads without escapes.
 */
#ifndef MIRRORNET_HOST_TESTLIB_H
#define MIRRORNET_HOST_TESTLIB_H

/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snapshot.h"

/* The JSON text of @quoted, a test's JSON written with ' for "; to free. */
static inline char *json_text(const char *quoted)
{
	char *out = strdup(quoted);
	size_t i;

	assert_non_null(out);
	for (i = 0; out[i]; i++)
		if (out[i] == '\'')
			out[i] = '"';
	return out;
}

/* mh_timeline_parse() of @quoted into @tl, freeing what @tl held. */
static inline int parse_quoted(const char *quoted, struct mh_timeline *tl,
			       char err[MH_ERR_LEN])
{
	char *text = json_text(quoted);
	int r;

	mh_timeline_free(tl);
	r = mh_timeline_parse(text, strlen(text), tl, err);
	free(text);
	return r;
}

#endif /* MIRRORNET_HOST_TESTLIB_H */
