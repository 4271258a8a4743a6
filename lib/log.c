/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.c: see log.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_progname = "xmem";
static int log_dest = LOG_TO_CLI;
static int log_verbose = 1;

/* Choose where log lines go. */
void log_init(const char *progname, int dest, int verbose)
{
	log_progname = progname;
	log_dest = dest;
	log_verbose = verbose;
	if (dest == LOG_TO_SYSLOG)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* Change the verbosity at run time. */
void log_setverbose(int verbose)
{
	log_verbose = verbose;
}

/* Return the verbosity. */
int log_getverbose(void)
{
	return log_verbose;
}

/* Write one finished line to the destination. */
static void log_emit(int pri, const char *line)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;

	switch (log_dest) {
	case LOG_TO_SYSLOG:
		syslog(pri, "%s", line);
		return;
	case LOG_TO_STDERR:
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s[%d]: %s\n", stamp, ts.tv_nsec / 1000000, log_progname,
			(int)getpid(), line);
		break;
	default:
		fprintf(stderr, "%s: %s\n", log_progname, line);
		break;
	}
	fflush(stderr);
}

/* Format fmt, append strerror(err) when err is set, and emit it at pri. */
static void log_verr(int pri, int err, const char *fmt, va_list ap)
{
	char buf[2048];
	size_t len;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	len = strlen(buf);
	if (err)
		snprintf(buf + len, sizeof(buf) - len, ": %s", strerror(err));
	log_emit(pri, buf);
}

/* Write one line at priority pri. */
void log_vlog(int pri, const char *fmt, va_list ap)
{
	int saved_errno = errno;

	log_verr(pri, 0, fmt, ap);
	errno = saved_errno;
}

/* Warn, appending strerror(errno). */
void log_warn(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	log_verr(LOG_WARNING, err, fmt, ap);
	va_end(ap);
	errno = err;
}

/* Warn without errno. */
void log_warnx(const char *fmt, ...)
{
	va_list ap;
	int saved_errno = errno;

	va_start(ap, fmt);
	log_verr(LOG_WARNING, 0, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

/* Informational message, shown from verbosity 1. */
void log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

/* Debug message, shown from verbosity 2. */
void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 2)
		return;
	va_start(ap, fmt);
	log_vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

/* Log and exit after a broken invariant, appending strerror(errno). */
void fatal(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	log_verr(LOG_CRIT, err, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Log and exit after a broken invariant. */
void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_verr(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
