/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/daemonize.c: the parent's readiness wait and pid files. */
#include "config.h"

#include "../../tests/cmocka_all.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemonize.h"
#include "xmem_err.h"

/* What the forked daemon does after daemonize_start() returned in it. */
enum test_daemon_act {
	TEST_DAEMON_READY, /* wait for "go", make the marker, say ready */
	TEST_DAEMON_FAIL,  /* say why on stderr and exit before ready */
};

struct test_daemon {
	pid_t caller;	 /* the process that called daemonize_start() */
	int err_fd;	 /* read end of the caller's stderr */
	int status_fd;	 /* read end: the daemon writes 'W' when waiting */
	int go_fd;	 /* write end: the test writes 'G' to let it go on */
	char marker[64]; /* file the daemon creates just before ready */
};

static void test_daemon_body(enum test_daemon_act act, int status_fd, int go_fd, const char *marker)
{
	struct daemonize d;
	char c;
	int fd;

	if (daemonize_start(&d, "test-daemon", 0))
		_exit(90);
	/* Only the daemon gets here. */
	if (act == TEST_DAEMON_FAIL) {
		fprintf(stderr, "test-daemon: cannot frobnicate\n");
		_exit(3);
	}
	if (write(status_fd, "W", 1) != 1 || read(go_fd, &c, 1) != 1)
		_exit(91);
	fd = open(marker, O_WRONLY | O_CREAT, 0600);
	if (fd < 0)
		_exit(92);
	close(fd);
	if (daemonize_ready(&d))
		_exit(93);
	_exit(0);
}

static void test_daemon_start(struct test_daemon *t, enum test_daemon_act act)
{
	int err[2], status[2], go[2];

	snprintf(t->marker, sizeof(t->marker), "test_daemonize.%ld.marker", (long)getpid());
	unlink(t->marker);
	assert_int_equal(pipe(err), 0);
	assert_int_equal(pipe(status), 0);
	assert_int_equal(pipe(go), 0);
	fflush(NULL);
	t->caller = fork();
	assert_true(t->caller >= 0);
	if (t->caller == 0) {
		dup2(err[1], STDERR_FILENO);
		close(err[0]);
		close(err[1]);
		close(status[0]);
		close(go[1]);
		test_daemon_body(act, status[1], go[0], t->marker);
	}
	close(err[1]);
	close(status[1]);
	close(go[0]);
	t->err_fd = err[0];
	t->status_fd = status[0];
	t->go_fd = go[1];
}

static void test_daemon_end(struct test_daemon *t)
{
	close(t->err_fd);
	close(t->status_fd);
	close(t->go_fd);
	unlink(t->marker);
}

/* Read fd to EOF into buf (NUL-terminated). */
static void test_read_all(int fd, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off + 1 < len && (n = read(fd, buf + off, len - 1 - off)) > 0)
		off += (size_t)n;
	buf[off] = '\0';
}

/* The caller returns 0 only after the daemon said ready, never before. */
static void daemonize_parent_waits_for_ready_test(void **state)
{
	struct test_daemon t;
	int wstatus = 0;
	char c = 0;

	test_daemon_start(&t, TEST_DAEMON_READY);
	assert_int_equal(read(t.status_fd, &c, 1), 1);
	assert_int_equal(c, 'W');
	/* The daemon is held before ready: its parent must still be waiting. */
	assert_int_equal(waitpid(t.caller, &wstatus, WNOHANG), 0);
	assert_int_equal(access(t.marker, F_OK), -1);
	assert_int_equal(write(t.go_fd, "G", 1), 1);
	assert_int_equal(waitpid(t.caller, &wstatus, 0), t.caller);
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 0);
	assert_int_equal(access(t.marker, F_OK), 0);
	test_daemon_end(&t);
}

/* A daemon dying before ready: the caller exits 1 and its stderr has both lines. */
static void daemonize_child_failure_test(void **state)
{
	struct test_daemon t;
	int wstatus = 0;
	char buf[512];

	test_daemon_start(&t, TEST_DAEMON_FAIL);
	test_read_all(t.err_fd, buf, sizeof(buf));
	assert_int_equal(waitpid(t.caller, &wstatus, 0), t.caller);
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 1);
	assert_non_null(strstr(buf, "test-daemon: cannot frobnicate\n"));
	assert_non_null(strstr(buf, "test-daemon: the daemon failed to start\n"));
	test_daemon_end(&t);
}

/* Foreground: nothing forks, ready is a no-op. */
static void daemonize_foreground_test(void **state)
{
	struct daemonize d;
	pid_t self = getpid();

	assert_int_equal(daemonize_start(&d, "test", DAEMONIZE_FOREGROUND), 0);
	assert_int_equal(getpid(), self);
	assert_int_equal(d.ready_fd, -1);
	assert_int_equal(daemonize_ready(&d), 0);
}

/* The pid file holds our pid and a newline; no temporary is left behind. */
static void daemonize_pid_file_test(void **state)
{
	char path[64], tmp[80], buf[64], want[64];
	FILE *f;

	snprintf(path, sizeof(path), "test_daemonize.%ld.pid", (long)getpid());
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(daemonize_write_pid(path), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	memset(buf, 0, sizeof(buf));
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	assert_string_equal(buf, want);
	assert_int_equal(access(tmp, F_OK), -1);
	daemonize_remove_pid(path);
	assert_int_equal(access(path, F_OK), -1);
	daemonize_remove_pid(NULL);
	assert_int_equal(daemonize_write_pid("/nonexistent-dir/x.pid"), XMEM_ERR_IO);
}

/* --log-file: stderr appends to the file; a bad path is an error. */
static void daemonize_log_file_test(void **state)
{
	char path[64], buf[64];
	int saved = dup(STDERR_FILENO);
	FILE *f;

	snprintf(path, sizeof(path), "test_daemonize.%ld.log", (long)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("old\n", f);
	fclose(f);
	assert_true(saved >= 0);
	assert_int_equal(daemonize_log_file(path), 0);
	assert_int_equal(write(STDERR_FILENO, "new\n", 4), 4);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fopen(path, "r");
	assert_non_null(f);
	memset(buf, 0, sizeof(buf));
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	unlink(path);
	assert_string_equal(buf, "old\nnew\n");
	assert_int_equal(daemonize_log_file("/nonexistent-dir/x.log"), XMEM_ERR_IO);
}

/* Parse argv with own options plus the shared ones; returns the last own code seen. */
static int test_opts_run(struct daemonize_opts *o, const char *shorts, int argc, char **argv)
{
	static const struct option own[] = {
		{ "own", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct option longopts[sizeof(own) / sizeof(own[0]) + DAEMONIZE_OPTS_NR];
	int ch, last = 0;

	assert_int_equal(
		daemonize_opts_table(longopts, sizeof(longopts) / sizeof(longopts[0]), own), 0);
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		if (daemonize_opts_parse(o, ch, optarg))
			continue;
		last = ch;
	}
	return last;
}

/* The shared options parse the same in every daemon; short letters are the daemon's. */
static void daemonize_opts_parse_test(void **state)
{
	char *argv1[] = { (char *)"d",	   (char *)"--foreground", (char *)"--pid-file",
			  (char *)"p",	   (char *)"--log-file=l", (char *)"-vv",
			  (char *)"--own", (char *)"--verbose",	   NULL };
	char *argv2[] = { (char *)"d",	(char *)"-F", (char *)"-P", (char *)"p2",
			  (char *)"-L", (char *)"l2", (char *)"-v", NULL };
	char *argv3[] = { (char *)"d", (char *)"-f", NULL };
	struct daemonize_opts o;

	memset(&o, 0, sizeof(o));
	assert_int_equal(test_opts_run(&o, "vo", 8, argv1), 'o');
	assert_int_equal(o.foreground, 1);
	assert_string_equal(o.pid_file, "p");
	assert_string_equal(o.log_file, "l");
	assert_int_equal(o.verbose, 3);
	assert_int_equal(daemonize_opts_flags(&o), DAEMONIZE_FOREGROUND | DAEMONIZE_KEEP_STDERR);

	memset(&o, 0, sizeof(o));
	o.letters = "FPL";
	assert_int_equal(test_opts_run(&o, "FP:L:v", 7, argv2), 0);
	assert_int_equal(o.foreground, 1);
	assert_string_equal(o.pid_file, "p2");
	assert_string_equal(o.log_file, "l2");
	assert_int_equal(o.verbose, 1);

	/* Without letters a short -f is not the daemon's: left to the caller. */
	memset(&o, 0, sizeof(o));
	assert_int_equal(test_opts_run(&o, "fv", 2, argv3), 'f');
	assert_int_equal(o.foreground, 0);
	assert_int_equal(daemonize_opts_flags(&o), 0);
}

/* The table needs room for the shared entries and the end. */
static void daemonize_opts_table_test(void **state)
{
	static const struct option own[] = {
		{ "a", no_argument, NULL, 'a' },
		{ "b", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	struct option t[2 + DAEMONIZE_OPTS_NR + 1];

	assert_int_equal(daemonize_opts_table(t, 2 + DAEMONIZE_OPTS_NR, own), XMEM_ERR_RANGE);
	assert_int_equal(daemonize_opts_table(t, 2 + DAEMONIZE_OPTS_NR + 1, own), 0);
	assert_string_equal(t[0].name, "a");
	assert_string_equal(t[2].name, "foreground");
	assert_string_equal(t[5].name, "verbose");
	assert_null(t[6].name);
	assert_int_equal(daemonize_opts_table(t, DAEMONIZE_OPTS_NR + 1, NULL), 0);
	assert_string_equal(t[0].name, "foreground");
}

/* What daemonize_opts_usage() prints for o at width (malloc'd). */
static char *test_usage_text(const struct daemonize_opts *o, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	daemonize_opts_usage(o, f, width);
	fclose(f);
	return buf;
}

/* The help lines: aligned at the daemon's column, its letters and argument name. */
static void daemonize_opts_usage_test(void **state)
{
	struct daemonize_opts o;
	char *text;

	memset(&o, 0, sizeof(o));
	o.letters = "FPL";
	o.meta = "F";
	text = test_usage_text(&o, 27);
	assert_string_equal(text,
			    "  -F, --foreground         do not fork; log to stderr\n"
			    "  -P, --pid-file F         write the daemon's pid to F\n"
			    "  -L, --log-file F         append log lines to F instead of syslog\n"
			    "  -v, --verbose            log debug lines too\n");
	free(text);
	memset(&o, 0, sizeof(o));
	text = test_usage_text(&o, 24);
	assert_string_equal(text,
			    "  --foreground          do not fork; log to stderr\n"
			    "  --pid-file FILE       write the daemon's pid to FILE\n"
			    "  --log-file FILE       append log lines to FILE instead of syslog\n"
			    "  -v, --verbose         log debug lines too\n");
	free(text);
}

/* The lock is exclusive: a second taker learns the holder's pid; released, it can be taken. */
static void daemonize_lock_busy_test(void **state)
{
	char path[] = "/tmp/test_daemonize_lock.XXXXXX";
	int fd1 = -1, fd2 = -1, tmp;
	long holder = -1;

	tmp = mkstemp(path);
	assert_true(tmp >= 0);
	close(tmp);
	assert_int_equal(daemonize_lock(path, &fd1, &holder), 0);
	assert_true(fd1 >= 0);
	assert_int_equal(daemonize_lock(path, &fd2, &holder), XMEM_ERR_BUSY);
	assert_int_equal(fd2, -1);
	assert_int_equal(holder, (long)getpid());
	close(fd1);
	assert_int_equal(daemonize_lock(path, &fd2, NULL), 0);
	close(fd2);
	unlink(path);
}

/* A dead holder's lock (its pid still in the file) is taken over. */
static void daemonize_lock_stale_test(void **state)
{
	char path[] = "/tmp/test_daemonize_lock.XXXXXX", buf[32];
	int fd = -1, tmp, status;
	long holder = -1;
	pid_t pid;

	tmp = mkstemp(path);
	assert_true(tmp >= 0);
	close(tmp);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(daemonize_lock(path, &fd, NULL) == 0 ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(daemonize_lock(path, &fd, &holder), 0);
	assert_int_equal(holder, 0);
	assert_int_equal(pread(fd, buf, sizeof(buf), 0),
			 snprintf(buf, sizeof(buf), "%ld\n", (long)getpid()));
	close(fd);
	unlink(path);
}

/* A lock file that cannot be created is an I/O error, not "busy". */
static void daemonize_lock_io_test(void **state)
{
	int fd = 5;

	assert_int_equal(daemonize_lock("/nonexistent-dir/x.lock", &fd, NULL), XMEM_ERR_IO);
	assert_int_equal(fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(daemonize_parent_waits_for_ready_test),
		cmocka_unit_test(daemonize_child_failure_test),
		cmocka_unit_test(daemonize_foreground_test),
		cmocka_unit_test(daemonize_pid_file_test),
		cmocka_unit_test(daemonize_log_file_test),
		cmocka_unit_test(daemonize_opts_parse_test),
		cmocka_unit_test(daemonize_opts_table_test),
		cmocka_unit_test(daemonize_opts_usage_test),
		cmocka_unit_test(daemonize_lock_busy_test),
		cmocka_unit_test(daemonize_lock_stale_test),
		cmocka_unit_test(daemonize_lock_io_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
