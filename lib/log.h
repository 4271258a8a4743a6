/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.h: logging in the OpenBSD log.h style.
 *
 * Daemons log to syslog, or to stderr with a timestamp when running in the
 * foreground; command-line tools log to stderr with their program name.
 * log_warn() and fatal() append strerror(errno); the "x" forms do not.
 * fatal() and fatalx() are for broken invariants and start-up failures only:
 * a daemon never calls them on input from a guest or a client.
 */
#ifndef XMEM_LOG_H
#define XMEM_LOG_H

#include <stdarg.h>

/* Destinations: syslog; stderr with timestamps (daemons in the foreground);
 * stderr as "prog: message" (command-line tools). */
#define LOG_TO_SYSLOG 0
#define LOG_TO_STDERR 1
#define LOG_TO_CLI    2

/* Set the program name, destination and verbosity (0 quiet, 1 info, 2 debug). */
void log_init(const char *progname, int dest, int verbose);
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
