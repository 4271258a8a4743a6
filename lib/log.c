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

/* Repeated lines: see log_emit(). */
#define LOG_REPEAT_FLUSH_S 30

static char log_last[2048];
static int log_last_pri = -1;
static unsigned long log_repeats;
static time_t log_repeat_since;
static int log_atexit_done;

static void log_flush_repeats(void);

/* Choose where log lines go. */
void log_init(const char *progname, int dest, int verbose)
{
	log_flush_repeats();
	log_last_pri = -1;
	if (!log_atexit_done && atexit(log_flush_repeats) == 0)
		log_atexit_done = 1;
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

/* The level word of a syslog priority. */
static const char *log_level_word(int pri)
{
	switch (pri) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
		return "crit";
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
		return "notice";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void log_format_time(const struct timespec *ts, char *buf, size_t len)
{
	char date[32], zone[8];
	struct tm tm;

	localtime_r(&ts->tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	/* %z is +hhmm; ISO 8601's extended form wants +hh:mm. */
	if (strftime(zone, sizeof(zone), "%z", &tm) != 5)
		snprintf(zone, sizeof(zone), "+0000");
	snprintf(buf, len, "%s.%03ld%.3s:%.2s", date, ts->tv_nsec / 1000000, zone, zone + 3);
}

/* Write one line to the destination, unfiltered. */
static void log_write(int pri, const char *line)
{
	char stamp[48];
	struct timespec ts;

	switch (log_dest) {
	case LOG_TO_SYSLOG:
		syslog(pri, "%s", line);
		return;
	case LOG_TO_STDERR:
		clock_gettime(CLOCK_REALTIME, &ts);
		log_format_time(&ts, stamp, sizeof(stamp));
		fprintf(stderr, "%s %s[%d]: %s: %s\n", stamp, log_progname, (int)getpid(),
			log_level_word(pri), line);
		break;
	default:
		fprintf(stderr, "%s: %s\n", log_progname, line);
		break;
	}
	fflush(stderr);
}

/*
 * Repeated lines (daemons only): a line identical to the last one written,
 * at the same priority, is counted instead of written. The count is written
 * as "last message repeated N times" before the next different line, when
 * the same line comes again LOG_REPEAT_FLUSH_S after the first one counted,
 * and at exit.
 */

/* Write the pending repeat count, if any. */
static void log_flush_repeats(void)
{
	char buf[64];

	if (!log_repeats)
		return;
	snprintf(buf, sizeof(buf), "last message repeated %lu time%s", log_repeats,
		 log_repeats == 1 ? "" : "s");
	log_repeats = 0;
	log_write(log_last_pri, buf);
}

/* Write one finished line to the destination, collapsing repeats. */
static void log_emit(int pri, const char *line)
{
	struct timespec ts;

	if (log_dest == LOG_TO_CLI) {
		log_write(pri, line);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (pri == log_last_pri && !strcmp(line, log_last)) {
		if (!log_repeats)
			log_repeat_since = ts.tv_sec;
		log_repeats++;
		if (ts.tv_sec - log_repeat_since >= LOG_REPEAT_FLUSH_S)
			log_flush_repeats();
		return;
	}
	log_flush_repeats();
	snprintf(log_last, sizeof(log_last), "%s", line);
	log_last_pri = pri;
	log_write(pri, line);
}

/* Format fmt, append strerror(err) when err is set, and emit it at pri. */
static void log_verr(int pri, int err, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

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
