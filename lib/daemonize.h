/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * daemonize.h: turning a program into a daemon the way every xmem daemon
 * does it (xmem-stored, xmem-hvsim, xmem-balloon, xmem-guestd, xmemd).
 *
 * Contract:
 * - daemonize_start() forks unless DAEMONIZE_FOREGROUND is given. The parent
 *   never returns: it waits until the child calls daemonize_ready() and then
 *   exits 0, or, when the child exits (or closes its end) first, prints
 *   "<prog>: the daemon failed to start" on stderr and exits 1. So a caller
 *   may use the daemon as soon as the command returns 0.
 * - The child (the only one to return) is a session leader with stdin and
 *   stdout on /dev/null. Its stderr stays the caller's until
 *   daemonize_ready(), so a start-up failure written there reaches the
 *   caller; daemonize_ready() then points stderr to /dev/null unless
 *   DAEMONIZE_KEEP_STDERR was given (the caller logs to a file there).
 *   The working directory is not changed.
 * - In the foreground nothing is forked or redirected, and
 *   daemonize_ready() does nothing.
 * - daemonize_write_pid() writes the calling process's pid and a newline to
 *   a file, atomically (PATH.tmp renamed over PATH), so a reader never sees
 *   a partial pid. The daemon removes it with daemonize_remove_pid() at exit.
 * - daemonize_log_file() points stderr at a log file, opened for appending.
 * Functions return 0 or a negative XMEM_ERR_* with errno set; messages are
 * the caller's to print.
 */
#ifndef XMEM_DAEMONIZE_H
#define XMEM_DAEMONIZE_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#define DAEMONIZE_FOREGROUND  0x1 /* do not fork */
#define DAEMONIZE_KEEP_STDERR 0x2 /* leave stderr alone at daemonize_ready() */

struct daemonize {
	int ready_fd; /* child's end of the readiness pipe, -1 when none */
	int flags;
};

/* Fork and wait in the parent as above; returns in the child only. */
int daemonize_start(struct daemonize *d, const char *prog, int flags);

/* Tell the waiting parent the daemon is ready; stderr to /dev/null (see above). */
int daemonize_ready(struct daemonize *d);

/* Write getpid() to path atomically. */
int daemonize_write_pid(const char *path);

/* Append stderr to path (created 0644): what --log-file does. */
int daemonize_log_file(const char *path);

/*
 * One daemon per host: take the exclusive flock(2) of lock file path
 * (created 0644), before touching any socket or pid file. On success returns
 * 0 with *fd_r the open lock (close-on-exec; keep it open for the daemon's
 * life: a forked child shares it, and the kernel drops it when the last
 * holder dies, so a dead daemon's lock is simply taken over) and the
 * caller's pid written in the file. When another process holds it, returns
 * XMEM_ERR_BUSY with *holder_r (may be NULL) the pid written there, 0 when
 * unknown. Other failures: XMEM_ERR_IO. *fd_r is -1 unless 0 is returned.
 */
int daemonize_lock(const char *path, int *fd_r, long *holder_r);

/*
 * daemonize_lock() on DIR/NAME, with the one-line reason in err when it
 * fails ("already running on DIR (pid N)", "cannot lock PATH: ...").
 */
int daemonize_lock_dir(const char *dir, const char *name, int *fd_r, char *err, size_t err_len);

/* Write getpid() into the held lock file fd (the daemon's pid after a fork). */
int daemonize_lock_owner(int fd);

/* Remove the pid file; path may be NULL. */
void daemonize_remove_pid(const char *path);

/*
 * The options every xmem daemon shares, defined once: --foreground,
 * --pid-file FILE, --log-file FILE and -v/--verbose (counted). A daemon
 * builds its getopt_long table with daemonize_opts_table() (its own options,
 * then these), hands every code getopt_long returns to daemonize_opts_parse()
 * first, and prints the options' help lines with daemonize_opts_usage().
 * letters names the daemon's own short options for --foreground, --pid-file
 * and --log-file, in that order ("fpl", "FPL"), or is NULL when it has none;
 * -v is every daemon's. meta is the file argument's name in the help (NULL:
 * FILE), as in the daemon's synopsis and man page.
 */
#define DAEMONIZE_OPT_FOREGROUND 0x1001 /* getopt_long codes of the long options */
#define DAEMONIZE_OPT_PID_FILE	 0x1002
#define DAEMONIZE_OPT_LOG_FILE	 0x1003
#define DAEMONIZE_OPTS_NR	 4 /* entries daemonize_opts_table() adds */

struct daemonize_opts {
	const char *letters;
	const char *meta;
	int foreground;
	const char *pid_file; /* NULL when not given */
	const char *log_file; /* NULL when not given */
	int verbose;	      /* how many -v */
};

/*
 * Copy own (up to its NULL entry) and then the shared options, NULL-ended,
 * into out (cap entries). Returns 0, or XMEM_ERR_RANGE when out is too small.
 */
int daemonize_opts_table(struct option *out, size_t cap, const struct option *own);

/* Take option code ch (with its argument) if it is a shared one: 1 if so, else 0. */
int daemonize_opts_parse(struct daemonize_opts *o, int ch, const char *arg);

/* The shared options' help lines, descriptions starting at column width. */
void daemonize_opts_usage(const struct daemonize_opts *o, FILE *f, int width);

/* daemonize_start()'s flags for these options: --foreground, --log-file. */
int daemonize_opts_flags(const struct daemonize_opts *o);

#endif
