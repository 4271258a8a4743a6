/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc.c: starting, finding and stopping a simulated host's daemons (see proc.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "xmem_err.h"

#define PROC_CMDLINE_MAX 16384

const char *const proc_programs[] = { "xmem-stored", "xmem-hvsim", "xmem-balloon", "xmemd", NULL };

void proc_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int proc_file(const char *dir, const char *name, const char *ext, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/run/%s.%s", dir, name, ext);

	return (n < 0 || (size_t)n >= len) ? XMEM_ERR_RANGE : 0;
}

/* Read /proc/pid/cmdline into buf; its length, or -1. */
static ssize_t proc_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n, total = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)total < len - 1 && (n = read(fd, buf + total, len - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}

/* 1 when pid exists and is not a zombie. */
static int proc_alive(pid_t pid)
{
	char path[64], buf[512], *paren;
	ssize_t n;
	int fd;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	if (!paren || !paren[1] || !paren[2])
		return 1;
	return paren[2] != 'Z' && paren[2] != 'X';
}

/* 1 when one argument of the NUL-separated cmdline is dir or lies under dir/. */
static int proc_cmdline_names(const char *cmd, ssize_t len, const char *dir)
{
	size_t dlen = strlen(dir);
	ssize_t off = 0;

	while (off < len) {
		const char *arg = cmd + off;

		if (strncmp(arg, dir, dlen) == 0 && (arg[dlen] == '\0' || arg[dlen] == '/'))
			return 1;
		off += (ssize_t)strlen(arg) + 1;
	}
	return 0;
}

int proc_belongs(pid_t pid, const char *dir)
{
	char *cmd;
	ssize_t len;
	int ok = 0;

	if (!proc_alive(pid))
		return 0;
	cmd = malloc(PROC_CMDLINE_MAX);
	if (!cmd)
		return 0;
	len = proc_cmdline(pid, cmd, PROC_CMDLINE_MAX);
	if (len > 0)
		ok = proc_cmdline_names(cmd, len, dir);
	free(cmd);
	return ok;
}

/* Read a pid file; -1 when absent or malformed. */
static pid_t proc_read_pidfile(const char *path)
{
	char buf[32];
	FILE *f = fopen(path, "r");
	long v;
	char *end;

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v <= 1 || v > 0x7fffffff)
		return -1;
	return (pid_t)v;
}

pid_t proc_running(const char *dir, const char *name)
{
	char path[4096];
	pid_t pid;

	if (proc_file(dir, name, "pid", path, sizeof(path)))
		return -1;
	pid = proc_read_pidfile(path);
	if (pid < 0 || !proc_belongs(pid, dir))
		return -1;
	return pid;
}

void proc_log_tail(const char *dir, const char *name, char *buf, size_t len)
{
	char path[4096], line[1024];
	FILE *f;

	buf[0] = '\0';
	if (proc_file(dir, name, "log", path, sizeof(path)))
		return;
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			snprintf(buf, len, "%s", line);
	}
	fclose(f);
}

/* In the child: stdin from /dev/null, stdout and stderr to logpath, then run argv. */
static void proc_exec(const char *const argv[], const char *logpath)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd >= 0 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	execv(argv[0], (char *const *)argv);
	fprintf(stderr, "xmem-simhost: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * Wait for the launcher child of name (running prog, logging to logpath): it
 * returns once the daemon listens (it forks then). Its status into
 * *status_r. 0, or -1 with the reason in err (waitpid failed, or it did not
 * return within PROC_START_TIMEOUT_MS: then it is killed).
 */
static int proc_wait_launcher(pid_t child, const char *name, const char *prog, const char *logpath,
			      int *status_r, char *err, size_t err_len)
{
	int waited_ms = 0;

	for (;;) {
		pid_t r = waitpid(child, status_r, WNOHANG);

		if (r == child)
			return 0;
		if (r < 0 && errno != EINTR) {
			snprintf(err, err_len, "%s: waitpid: %s", name, strerror(errno));
			return -1;
		}
		if (waited_ms >= PROC_START_TIMEOUT_MS) {
			kill(child, SIGKILL);
			waitpid(child, status_r, 0);
			snprintf(err, err_len,
				 "%s did not go to the background within %d s (see %s)", prog,
				 PROC_START_TIMEOUT_MS / 1000, logpath);
			return -1;
		}
		proc_sleep_ms(10);
		waited_ms += 10;
	}
}

pid_t proc_start(const char *dir, const char *name, const char *const argv[], char *err,
		 size_t err_len)
{
	char logpath[4096], pidpath[4096], tail[512];
	pid_t child, pid = -1;
	int status = 0, waited_ms;

	if (proc_file(dir, name, "log", logpath, sizeof(logpath)) ||
	    proc_file(dir, name, "pid", pidpath, sizeof(pidpath))) {
		snprintf(err, err_len, "%s: path too long", name);
		return -1;
	}
	unlink(pidpath);
	fflush(NULL);
	child = fork();
	if (child < 0) {
		snprintf(err, err_len, "%s: fork: %s", name, strerror(errno));
		return -1;
	}
	if (child == 0)
		proc_exec(argv, logpath);
	if (proc_wait_launcher(child, name, argv[0], logpath, &status, err, err_len))
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		proc_log_tail(dir, name, tail, sizeof(tail));
		if (WIFEXITED(status))
			snprintf(err, err_len, "%s failed to start (exit %d)%s%s (log: %s)", name,
				 WEXITSTATUS(status), tail[0] ? ": " : "", tail, logpath);
		else
			snprintf(err, err_len, "%s failed to start (signal %d) (log: %s)", name,
				 WTERMSIG(status), logpath);
		return -1;
	}
	for (waited_ms = 0; waited_ms < PROC_START_TIMEOUT_MS; waited_ms += 10) {
		pid = proc_read_pidfile(pidpath);
		if (pid > 0)
			break;
		proc_sleep_ms(10);
	}
	if (pid <= 0) {
		snprintf(err, err_len, "%s started but wrote no pid file %s", name, pidpath);
		return -1;
	}
	if (!proc_belongs(pid, dir)) {
		proc_log_tail(dir, name, tail, sizeof(tail));
		snprintf(err, err_len, "%s (pid %d) exited right after starting%s%s (log: %s)",
			 name, (int)pid, tail[0] ? ": " : "", tail, logpath);
		return -1;
	}
	return pid;
}

int proc_stop_pid(pid_t pid, int timeout_ms)
{
	int waited;

	if (!proc_alive(pid))
		return 0;
	kill(pid, SIGTERM);
	for (waited = 0; waited < timeout_ms; waited += 10) {
		/* Reap it when it is our own child (a foreground test helper). */
		waitpid(pid, NULL, WNOHANG);
		if (!proc_alive(pid))
			return 0;
		proc_sleep_ms(10);
	}
	kill(pid, SIGKILL);
	for (waited = 0; waited < timeout_ms; waited += 10) {
		waitpid(pid, NULL, WNOHANG);
		if (!proc_alive(pid))
			break;
		proc_sleep_ms(10);
	}
	return 1;
}

/* 1 when the basename of argv0 is one of proc_programs. */
static int proc_is_ours(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	size_t i;

	base = base ? base + 1 : argv0;
	for (i = 0; proc_programs[i]; i++)
		if (strcmp(base, proc_programs[i]) == 0)
			return 1;
	return 0;
}

size_t proc_scan(const char *dir, pid_t *pids, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char *cmd = NULL;
	size_t nr = 0;

	if (!d)
		return 0;
	cmd = malloc(PROC_CMDLINE_MAX);
	if (!cmd)
		goto out;
	while ((de = readdir(d)) && nr < max) {
		char *end;
		long v;
		ssize_t len;

		errno = 0;
		v = strtol(de->d_name, &end, 10);
		if (errno || *end || v <= 1 || (pid_t)v == getpid())
			continue;
		len = proc_cmdline((pid_t)v, cmd, PROC_CMDLINE_MAX);
		if (len <= 0 || !proc_is_ours(cmd))
			continue;
		if (proc_cmdline_names(cmd, len, dir) && proc_alive((pid_t)v))
			pids[nr++] = (pid_t)v;
	}
out:
	free(cmd);
	closedir(d);
	return nr;
}
