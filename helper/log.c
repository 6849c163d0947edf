// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static enum mn_log_level max_level = MN_LOG_INFO;
static bool journal;

void mn_log_init(enum mn_log_level level)
{
	max_level = level;
	journal = getenv("JOURNAL_STREAM") != NULL;
}

bool mn_log_enabled(enum mn_log_level level)
{
	return level <= max_level;
}

void mn_log(enum mn_log_level level, const char *fmt, ...)
{
	static const char *const words[] = {
		[MN_LOG_ERR] = "error", [MN_LOG_WARN] = "warning",
		[MN_LOG_INFO] = "info", [MN_LOG_DEBUG] = "debug",
	};
	char line[1024];
	va_list ap;

	if (!mn_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line, so lines from a crash-restart never interleave. */
	if (journal)
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "mirrornet: %s: %s\n", words[level], line);
}
