/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: the simulated guest's /proc round-trips through xmem-guestd's readers. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../tests/cmocka_all.h"

#include "guest/balloon/procfs.h"
#include "xmem_err.h"

static void procfs_sample(struct report_sample *s)
{
	memset(s, 0, sizeof(*s));
	report_set(s, REPORT_MEM_TOTAL, 921600);
	report_set(s, REPORT_MEM_FREE, 102400);
	report_set(s, REPORT_MEM_AVAILABLE, 307200);
	report_set(s, REPORT_COMMITTED, 512000);
	report_set(s, REPORT_SWAP_TOTAL, 1048576);
	report_set(s, REPORT_SWAP_FREE, 1000000);
	report_set(s, REPORT_PSWPIN, 12);
	report_set(s, REPORT_PSWPOUT, 34);
	report_set(s, REPORT_PGMAJFAULT, 56);
	report_set(s, REPORT_PSI_SOME, 1234); /* 12.34% */
	report_set(s, REPORT_PSI_FULL, 7);
	report_set(s, REPORT_PSI_SOME_TOTAL, 98765432);
}

static void procfs_roundtrip_test(void **state)
{
	static const enum report_field fields[] = {
		REPORT_MEM_TOTAL,  REPORT_MEM_FREE,  REPORT_MEM_AVAILABLE, REPORT_COMMITTED,
		REPORT_SWAP_TOTAL, REPORT_SWAP_FREE, REPORT_PSWPIN,	   REPORT_PSWPOUT,
		REPORT_PGMAJFAULT, REPORT_PSI_SOME,  REPORT_PSI_FULL,	   REPORT_PSI_SOME_TOTAL,
	};
	char tmpl[] = "/tmp/xmem-procfs.XXXXXX", root[64], cmd[128];
	struct report_sample in, out;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	snprintf(root, sizeof(root), "%s/guest/7", tmpl);
	procfs_sample(&in);
	assert_int_equal(procfs_write(root, &in), 0);
	/* Written twice: the files are replaced, not appended to. */
	report_set(&in, REPORT_MEM_AVAILABLE, 204800);
	assert_int_equal(procfs_write(root, &in), 0);
	/* A directory removed under the guest is made again. */
	snprintf(cmd, sizeof(cmd), "rm -r %s/proc/pressure", root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(procfs_write(root, &in), 0);
	memset(&out, 0, sizeof(out));
	assert_int_equal(report_read_root(root, &out), 0);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		assert_true(report_has(&out, fields[i]));
		assert_int_equal(out.val[fields[i]], in.val[fields[i]]);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	assert_int_equal(system(cmd), 0);
}

/* A field the sample does not know is not invented. */
static void procfs_partial_test(void **state)
{
	char tmpl[] = "/tmp/xmem-procfs.XXXXXX", cmd[128];
	struct report_sample in, out;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	memset(&in, 0, sizeof(in));
	report_set(&in, REPORT_MEM_TOTAL, 1000);
	assert_int_equal(procfs_write(tmpl, &in), 0);
	memset(&out, 0, sizeof(out));
	assert_int_equal(report_read_root(tmpl, &out), 0);
	assert_int_equal(out.val[REPORT_MEM_TOTAL], 1000);
	assert_false(report_has(&out, REPORT_MEM_AVAILABLE));
	assert_false(report_has(&out, REPORT_PSI_SOME));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	assert_int_equal(system(cmd), 0);
}

static void procfs_unwritable_test(void **state)
{
	struct report_sample in;

	(void)state;
	procfs_sample(&in);
	assert_int_equal(procfs_write("/proc/self/no/such/root", &in), XMEM_ERR_IO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(procfs_roundtrip_test),
		cmocka_unit_test(procfs_partial_test),
		cmocka_unit_test(procfs_unwritable_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
