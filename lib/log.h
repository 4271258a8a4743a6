/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.h: logging in the OpenBSD log.h style.
 *
 * Daemons log to syslog, or to stderr (the foreground, or a log file) as
 *   2026-12-07T03:15:13.123+00:00 xmem-stored[42]: warning: message
 * with an ISO 8601 local time and a level word (crit, error, warning, notice,
 * info, debug). Command-line tools log to stderr as "prog: message".
 * For daemons, a line identical to the previous one (same level) is not
 * written again but counted; "last message repeated N times" follows before
 * the next different line, every 30 s while the repeats go on, and at exit.
 * log_warn() and fatal() append strerror(errno); the "x" forms do not.
 * fatal() and fatalx() are for broken invariants and start-up failures only:
 * a daemon never calls them on input from a guest or a client.
 */
#ifndef XMEM_LOG_H
#define XMEM_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

/* Destinations: syslog; stderr with timestamps (daemons in the foreground);
 * stderr as "prog: message" (command-line tools). */
#define LOG_TO_SYSLOG 0
#define LOG_TO_STDERR 1
#define LOG_TO_CLI    2

/* Set the program name, destination and verbosity (0 quiet, 1 info, 2 debug). */
void log_init(const char *progname, int dest, int verbose);
/* Format ts as ISO 8601 local time with milliseconds and offset (48 bytes suffice). */
void log_format_time(const struct timespec *ts, char *buf, size_t len);
void log_setverbose(int verbose);
int log_getverbose(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vlog(int pri, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
