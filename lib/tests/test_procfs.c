/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/procfs.c: a process's memory from /proc. */
#include "config.h"

#include "../../tests/cmocka_all.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfs.h"
#include "xmem_err.h"

/* A running process has a resident set; it grows when memory is touched. */
static void procfs_rss_self_test(void **state)
{
	uint64_t before = 0, after = 0;
	size_t len = 16u << 20, i;
	char *p;

	assert_int_equal(procfs_rss_kib(getpid(), &before), 0);
	assert_true(before > 0);
	p = malloc(len);
	assert_non_null(p);
	for (i = 0; i < len; i += 4096)
		p[i] = (char)i;
	assert_int_equal(procfs_rss_kib(getpid(), &after), 0);
	assert_true(after >= before + (len / 1024) / 2);
	free(p);
}

/* A process that is gone is not found, and the output is left alone. */
static void procfs_rss_gone_test(void **state)
{
	uint64_t kib = 42;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(procfs_rss_kib(pid, &kib), XMEM_ERR_NOTFOUND);
	assert_int_equal(kib, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(procfs_rss_self_test),
		cmocka_unit_test(procfs_rss_gone_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
