/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/log.c: line format for daemons, collapsing of repeated lines. */
#include "config.h"

#include "../../tests/cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* The clock log.c sees (-Wl,--wrap=clock_gettime): both clocks at fake_now. */
static struct timespec fake_now = { .tv_sec = 1796613313, .tv_nsec = 123456789 };

int __wrap_clock_gettime(clockid_t clk, struct timespec *ts);
int __wrap_clock_gettime(clockid_t clk, struct timespec *ts)
{
	(void)clk;
	*ts = fake_now;
	return 0;
}

static char capture_path[] = "/tmp/test_log.XXXXXX";
static int capture_fd = -1, saved_stderr = -1;

/* Point stderr at a fresh temporary file. */
static int capture_setup(void **state)
{
	strcpy(capture_path, "/tmp/test_log.XXXXXX");
	capture_fd = mkstemp(capture_path);
	assert_true(capture_fd >= 0);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(dup2(capture_fd, STDERR_FILENO) >= 0);
	setenv("TZ", "UTC", 1);
	tzset();
	log_init("test_log", LOG_TO_STDERR, 2);
	return 0;
}

/* Restore stderr and remove the file. */
static int capture_teardown(void **state)
{
	log_init("test_log", LOG_TO_CLI, 0); /* flushes a pending repeat count */
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(capture_fd);
	unlink(capture_path);
	return 0;
}

/* What was written so far (static buffer). */
static const char *captured(void)
{
	static char buf[8192];
	ssize_t n;

	fflush(stderr);
	n = pread(capture_fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Lines in the capture. */
static int captured_lines(void)
{
	const char *p = captured();
	int n = 0;

	for (; *p; p++)
		n += *p == '\n';
	return n;
}

/* Every line carries an ISO 8601 time with offset, the program, pid and a level word. */
static void log_line_format_test(void **state)
{
	char want[128];

	log_warnx("disk %s", "full");
	snprintf(want, sizeof(want),
		 "2026-12-07T03:15:13.123+00:00 test_log[%d]: warning: disk full\n", (int)getpid());
	assert_string_equal(captured(), want);
}

/* Each priority has its word. */
static void log_level_words_test(void **state)
{
	log_info("a");
	log_debug("b");
	log_warnx("c");
	assert_non_null(strstr(captured(), ": info: a\n"));
	assert_non_null(strstr(captured(), ": debug: b\n"));
	assert_non_null(strstr(captured(), ": warning: c\n"));
}

/* Identical lines are counted, and the count is written before the next different line. */
static void log_repeat_collapsed_test(void **state)
{
	int i;

	for (i = 0; i < 1000; i++)
		log_warnx("accept: Too many open files");
	assert_int_equal(captured_lines(), 1);
	log_info("something else");
	assert_int_equal(captured_lines(), 3);
	assert_non_null(strstr(captured(), ": warning: last message repeated 999 times\n"));
	assert_non_null(strstr(captured(), "repeated 999 times\n2026"));
	assert_non_null(strstr(captured(), ": info: something else\n"));
}

/* The same text at another level is a different line. */
static void log_repeat_level_matters_test(void **state)
{
	log_warnx("x");
	log_info("x");
	assert_int_equal(captured_lines(), 2);
}

/* A line repeated for longer than the flush period has its count written meanwhile. */
static void log_repeat_flushed_periodically_test(void **state)
{
	int i;

	for (i = 0; i < 10; i++)
		log_warnx("flood");
	assert_int_equal(captured_lines(), 1);
	fake_now.tv_sec += 31;
	log_warnx("flood");
	fake_now.tv_sec -= 31;
	assert_int_equal(captured_lines(), 2);
	assert_non_null(strstr(captured(), "last message repeated 10 times\n"));
}

/* A pending count is written when logging is re-initialised (and at exit). */
static void log_repeat_flushed_on_init_test(void **state)
{
	log_warnx("once");
	log_warnx("once");
	log_init("test_log", LOG_TO_STDERR, 2);
	assert_non_null(strstr(captured(), "last message repeated 1 time\n"));
}

/* Command-line tools keep "prog: message" and are not collapsed. */
static void log_cli_plain_test(void **state)
{
	log_init("xmem", LOG_TO_CLI, 1);
	log_warnx("no such domain");
	log_warnx("no such domain");
	assert_string_equal(captured(), "xmem: no such domain\nxmem: no such domain\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(log_line_format_test, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(log_level_words_test, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(log_repeat_collapsed_test, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(log_repeat_level_matters_test, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(log_repeat_flushed_periodically_test, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(log_repeat_flushed_on_init_test, capture_setup,
						capture_teardown),
		cmocka_unit_test_setup_teardown(log_cli_plain_test, capture_setup,
						capture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
