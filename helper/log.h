/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging to stderr: one line per event, with the syslog level as a "<N>"
 * prefix when stderr is the journal (systemd sets JOURNAL_STREAM), else a
 * word ("info:").
 */
#ifndef MIRRORNET_LOG_H
#define MIRRORNET_LOG_H

#include <stdbool.h>

enum mn_log_level {
	MN_LOG_ERR = 3,
	MN_LOG_WARN = 4,
	MN_LOG_INFO = 6,
	MN_LOG_DEBUG = 7,
};

/* Messages above @level are dropped. */
void mn_log_init(enum mn_log_level level);
/* Whether a message at @level is written: skip formatting what is not. */
bool mn_log_enabled(enum mn_log_level level);
void mn_log(enum mn_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* MIRRORNET_LOG_H */
