/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/trace.c: loading, filtering, lookups, bad rows. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "../../tests/cmocka_all.h"

#include "trace.h"
#include "xmem_err.h"

static const char trace_text[] = "vm_id,t_seconds,mem_used_kib,mem_provisioned_kib\n"
				 "a,0,100,1000\n"
				 "b,0,5,50\n"
				 "a,300,200,1000\n"
				 "a,600,150,2000\n"
				 "b,300,7,50\n";

/* Write text to a temporary file (gzip when gz), return its path (static). */
static const char *trace_test_file(const char *text, int gz)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/xmem-trace-test.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	if (gz) {
		gzFile g = gzdopen(fd, "wb");

		assert_non_null(g);
		assert_int_equal(gzwrite(g, text, (unsigned)strlen(text)), (int)strlen(text));
		gzclose(g);
	} else {
		assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
		close(fd);
	}
	return path;
}

/* Interleaved VMs load in first-seen order, plain and gzip alike. */
static void trace_load_all_test(void **state)
{
	char err[256];
	int gz;

	for (gz = 0; gz <= 1; gz++) {
		const char *path = trace_test_file(trace_text, gz);
		struct trace *t = NULL;
		const struct trace_vm *a;

		assert_int_equal(trace_load(path, NULL, &t, err, sizeof(err)), 0);
		unlink(path);
		assert_int_equal(t->nr_vms, 2);
		assert_string_equal(t->vms[0].id, "a");
		a = trace_find(t, "a");
		assert_non_null(a);
		assert_int_equal(a->nr_samples, 3);
		assert_int_equal(trace_vm_used_at(a, 0), 100);
		assert_int_equal(trace_vm_used_at(a, 299), 100);
		assert_int_equal(trace_vm_used_at(a, 300), 200);
		assert_int_equal(trace_vm_used_at(a, 100000), 150);
		assert_int_equal(trace_vm_provisioned_median(a), 1000);
		assert_int_equal(trace_vm_duration_s(a), 600);
		assert_null(trace_find(t, "c"));
		trace_free(t);
	}
}

/* Loading one VM keeps only it; a missing VM is NOTFOUND. */
static void trace_load_one_test(void **state)
{
	const char *path = trace_test_file(trace_text, 0);
	struct trace *t = NULL;
	char err[256];

	assert_int_equal(trace_load(path, "b", &t, err, sizeof(err)), 0);
	assert_int_equal(t->nr_vms, 1);
	assert_int_equal(t->vms[0].nr_samples, 2);
	trace_free(t);
	t = NULL;
	assert_int_equal(trace_load(path, "zz", &t, err, sizeof(err)), XMEM_ERR_NOTFOUND);
	assert_null(t);
	assert_non_null(strstr(err, "zz"));
	unlink(path);
}

/* Bad rows are errors naming the line, never skipped. */
static void trace_load_bad_rows_test(void **state)
{
	static const char *const bad[] = {
		"nope\n",
		"vm_id,t_seconds,mem_used_kib,mem_provisioned_kib\na,0,1\n",
		"vm_id,t_seconds,mem_used_kib,mem_provisioned_kib\na,0,-1,5\n",
		"vm_id,t_seconds,mem_used_kib,mem_provisioned_kib\na,5,1,5\na,5,1,5\n",
		"vm_id,t_seconds,mem_used_kib,mem_provisioned_kib\n,0,1,5\n",
		"vm_id,t_seconds,mem_used_kib,mem_provisioned_kib\na,99999999999,1,5\n",
		"vm_id,t_seconds,mem_used_kib,mem_provisioned_kib\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *path = trace_test_file(bad[i], 0);
		struct trace *t = NULL;
		char err[256] = "";

		assert_int_equal(trace_load(path, NULL, &t, err, sizeof(err)), XMEM_ERR_INVAL);
		assert_null(t);
		assert_non_null(strstr(err, path));
		unlink(path);
	}
}

/* A missing file is reported with its name. */
static void trace_load_missing_test(void **state)
{
	struct trace *t = NULL;
	char err[256];

	assert_true(trace_load("/nonexistent/t.csv", NULL, &t, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/nonexistent/t.csv"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trace_load_all_test),
		cmocka_unit_test(trace_load_one_test),
		cmocka_unit_test(trace_load_bad_rows_test),
		cmocka_unit_test(trace_load_missing_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
