/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * daemonize.c: fork with a readiness pipe, setsid, stdio and pid files.
 * See daemonize.h for the contract.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "daemonize.h"
#include "xmem_err.h"

#define DAEMONIZE_READY_BYTE 'R'

/* Parent: wait for the ready byte, then exit; never returns. */
static void daemonize_wait(int fd, const char *prog)
{
	ssize_t n;
	char c = 0;

	do {
		n = read(fd, &c, 1);
	} while (n < 0 && errno == EINTR);
	if (n == 1 && c == DAEMONIZE_READY_BYTE)
		_exit(0);
	fprintf(stderr, "%s: the daemon failed to start\n", prog);
	_exit(1);
}

/* Point fd at /dev/null. Returns 0 or XMEM_ERR_IO. */
static int daemonize_null(int null_fd, int fd)
{
	return dup2(null_fd, fd) < 0 ? XMEM_ERR_IO : 0;
}

int daemonize_start(struct daemonize *d, const char *prog, int flags)
{
	int pipe_fd[2] = { -1, -1 }, null_fd = -1, rc = XMEM_ERR_IO, saved;
	pid_t pid;

	d->ready_fd = -1;
	d->flags = flags;
	if (flags & DAEMONIZE_FOREGROUND)
		return 0;
	if (pipe2(pipe_fd, O_CLOEXEC) < 0)
		goto out;
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid > 0) {
		close(pipe_fd[1]);
		daemonize_wait(pipe_fd[0], prog);
	}
	close(pipe_fd[0]);
	pipe_fd[0] = -1;
	if (setsid() < 0)
		goto out;
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0 || daemonize_null(null_fd, STDIN_FILENO) ||
	    daemonize_null(null_fd, STDOUT_FILENO))
		goto out;
	d->ready_fd = pipe_fd[1];
	pipe_fd[1] = -1;
	rc = 0;
out:
	saved = errno;
	if (pipe_fd[0] >= 0)
		close(pipe_fd[0]);
	if (pipe_fd[1] >= 0)
		close(pipe_fd[1]);
	if (null_fd > STDERR_FILENO)
		close(null_fd);
	errno = saved;
	return rc;
}

int daemonize_ready(struct daemonize *d)
{
	char c = DAEMONIZE_READY_BYTE;
	int null_fd = -1, rc = XMEM_ERR_IO, saved;
	ssize_t n;

	if (d->ready_fd < 0)
		return 0;
	if (!(d->flags & DAEMONIZE_KEEP_STDERR)) {
		null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null_fd < 0 || daemonize_null(null_fd, STDERR_FILENO))
			goto out;
	}
	do {
		n = write(d->ready_fd, &c, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (null_fd > STDERR_FILENO)
		close(null_fd);
	close(d->ready_fd);
	d->ready_fd = -1;
	errno = saved;
	return rc;
}

int daemonize_write_pid(const char *path)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	int n, rc = XMEM_ERR_IO, saved;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return XMEM_ERR_RANGE;
	}
	f = fopen(tmp, "w");
	if (!f)
		return XMEM_ERR_IO;
	n = fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0 || n < 0)
		goto out;
	if (rename(tmp, path) < 0)
		goto out;
	return 0;
out:
	saved = errno;
	unlink(tmp);
	errno = saved;
	return rc;
}

int daemonize_log_file(const char *path)
{
	int fd, rc = 0, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return XMEM_ERR_IO;
	if (dup2(fd, STDERR_FILENO) < 0)
		rc = XMEM_ERR_IO;
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* The pid written in a lock file, or 0. */
static long daemonize_lock_holder(int fd)
{
	char buf[32];
	ssize_t n;
	long pid;
	char *end;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	return pid > 0 && (*end == '\n' || *end == '\0') ? pid : 0;
}

int daemonize_lock(const char *path, int *fd_r, long *holder_r)
{
	int fd, saved;

	*fd_r = -1;
	if (holder_r)
		*holder_r = 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return XMEM_ERR_IO;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		saved = errno;
		if (saved == EWOULDBLOCK && holder_r)
			*holder_r = daemonize_lock_holder(fd);
		close(fd);
		errno = saved;
		return saved == EWOULDBLOCK ? XMEM_ERR_BUSY : XMEM_ERR_IO;
	}
	*fd_r = fd;
	if (daemonize_lock_owner(fd) < 0) {
		saved = errno;
		close(fd);
		*fd_r = -1;
		errno = saved;
		return XMEM_ERR_IO;
	}
	return 0;
}

int daemonize_lock_owner(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return XMEM_ERR_IO;
	return 0;
}

int daemonize_lock_dir(const char *dir, const char *name, int *fd_r, char *err, size_t err_len)
{
	char path[PATH_MAX];
	long holder = 0;
	int n, rc;

	*fd_r = -1;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(err, err_len, "path too long: %s/%s", dir, name);
		return XMEM_ERR_RANGE;
	}
	rc = daemonize_lock(path, fd_r, &holder);
	if (rc == XMEM_ERR_BUSY && holder)
		snprintf(err, err_len, "already running on %s (pid %ld)", dir, holder);
	else if (rc == XMEM_ERR_BUSY)
		snprintf(err, err_len, "already running on %s (%s is locked)", dir, path);
	else if (rc)
		snprintf(err, err_len, "cannot lock %s: %s", path, strerror(errno));
	return rc;
}

void daemonize_remove_pid(const char *path)
{
	if (path)
		unlink(path);
}

/* The shared options; their codes follow the order of letters. */
static const struct option daemonize_longopts[DAEMONIZE_OPTS_NR] = {
	{ "foreground", no_argument, NULL, DAEMONIZE_OPT_FOREGROUND },
	{ "pid-file", required_argument, NULL, DAEMONIZE_OPT_PID_FILE },
	{ "log-file", required_argument, NULL, DAEMONIZE_OPT_LOG_FILE },
	{ "verbose", no_argument, NULL, 'v' },
};

/*
 * Their help: the option (without a short letter) and its description; for
 * an option with a file argument, the description goes on after its name.
 */
static const char *const daemonize_help[DAEMONIZE_OPTS_NR][3] = {
	{ "--foreground", "do not fork; log to stderr", NULL },
	{ "--pid-file", "write the daemon's pid to ", "" },
	{ "--log-file", "append log lines to ", " instead of syslog" },
	{ "--verbose", "log debug lines too", NULL },
};

int daemonize_opts_table(struct option *out, size_t cap, const struct option *own)
{
	size_t n = 0, i;

	while (own && own[n].name)
		n++;
	if (n + DAEMONIZE_OPTS_NR + 1 > cap)
		return XMEM_ERR_RANGE;
	if (n)
		memcpy(out, own, n * sizeof(*out));
	for (i = 0; i < DAEMONIZE_OPTS_NR; i++)
		out[n++] = daemonize_longopts[i];
	memset(&out[n], 0, sizeof(out[n]));
	return 0;
}

/* The shared code for ch: a long option's, or the daemon's short letter for it. */
static int daemonize_opts_code(const struct daemonize_opts *o, int ch)
{
	const char *l;

	if (ch > 0 && ch < 0x100 && o->letters && (l = strchr(o->letters, ch)))
		return DAEMONIZE_OPT_FOREGROUND + (int)(l - o->letters);
	return ch;
}

int daemonize_opts_parse(struct daemonize_opts *o, int ch, const char *arg)
{
	switch (daemonize_opts_code(o, ch)) {
	case DAEMONIZE_OPT_FOREGROUND:
		o->foreground = 1;
		return 1;
	case DAEMONIZE_OPT_PID_FILE:
		o->pid_file = arg;
		return 1;
	case DAEMONIZE_OPT_LOG_FILE:
		o->log_file = arg;
		return 1;
	case 'v':
		o->verbose++;
		return 1;
	default:
		return 0;
	}
}

void daemonize_opts_usage(const struct daemonize_opts *o, FILE *f, int width)
{
	const char *meta = o->meta ? o->meta : "FILE";
	char opt[64], lead[8];
	size_t i;

	for (i = 0; i < DAEMONIZE_OPTS_NR; i++) {
		char letter = i == DAEMONIZE_OPTS_NR - 1 ? 'v' : 0;
		const char *after = daemonize_help[i][2];

		if (!letter && o->letters && strlen(o->letters) > i)
			letter = o->letters[i];
		lead[0] = '\0';
		if (letter)
			snprintf(lead, sizeof(lead), "-%c, ", letter);
		snprintf(opt, sizeof(opt), "%s%s%s%s", lead, daemonize_help[i][0], after ? " " : "",
			 after ? meta : "");
		fprintf(f, "  %-*s%s%s%s\n", width > 2 ? width - 2 : 0, opt, daemonize_help[i][1],
			after ? meta : "", after ? after : "");
	}
}

int daemonize_opts_flags(const struct daemonize_opts *o)
{
	return (o->foreground ? DAEMONIZE_FOREGROUND : 0) |
	       (o->log_file ? DAEMONIZE_KEEP_STDERR : 0);
}
