/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc.h: the daemons of a simulated host, as processes.
 *
 * Each component NAME of a host in DIR has DIR/run/NAME.pid and
 * DIR/run/NAME.log. Daemons are started in the background the way they
 * start themselves (they fork once they listen and write their pid file);
 * their own stderr before that goes to the log as well. A process counts as
 * a component of DIR only while its command line names DIR (as --rundir
 * DIR/... or --host DIR): a stale pid file never makes us signal a
 * stranger that reused the pid.
 */
#ifndef XMEM_SIMHOST_PROC_H
#define XMEM_SIMHOST_PROC_H

#include <stddef.h>
#include <sys/types.h>

#define PROC_ERR_LEN	      512
#define PROC_START_TIMEOUT_MS 30000
#define PROC_STOP_TIMEOUT_MS  5000

/* Program names of every daemon a simulated host runs. */
extern const char *const proc_programs[];

/* DIR/run/NAME.EXT into buf. 0 or XMEM_ERR_RANGE. */
int proc_file(const char *dir, const char *name, const char *ext, char *buf, size_t len);

/*
 * Run argv (argv[0] an absolute path) as component name of the host in dir:
 * stdout and stderr appended to DIR/run/NAME.log, wait until the launcher
 * returns (the daemon is then listening), then read its pid from
 * DIR/run/NAME.pid. Returns the pid, or -1 with err set (quoting the log's
 * last line).
 */
pid_t proc_start(const char *dir, const char *name, const char *const argv[], char *err,
		 size_t err_len);

/* The pid in DIR/run/NAME.pid when that process is alive and belongs to dir; else -1. */
pid_t proc_running(const char *dir, const char *name);

/* 1 when pid is alive (not a zombie) and its command line names dir. */
int proc_belongs(pid_t pid, const char *dir);

/*
 * Stop pid: SIGTERM, then SIGKILL after timeout_ms. Returns 1 when it had to
 * be killed, 0 when it ended on SIGTERM or was gone.
 */
int proc_stop_pid(pid_t pid, int timeout_ms);

/*
 * Find every live process of one of proc_programs whose command line names
 * dir. Fills at most max pids; returns how many were found.
 */
size_t proc_scan(const char *dir, pid_t *pids, size_t max);

/* Last non-empty line of DIR/run/NAME.log into buf ("" when none). */
void proc_log_tail(const char *dir, const char *name, char *buf, size_t len);

/* Sleep ms milliseconds. */
void proc_sleep_ms(int ms);

#endif
