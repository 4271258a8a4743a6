/*
 * daemonize.c: fork with a readiness pipe, setsid, stdio and pid files.
 * See daemonize.h for the contract.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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

void daemonize_remove_pid(const char *path)
{
	if (path)
		unlink(path);
}
