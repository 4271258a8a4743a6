/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for guest/balloon/workload.c: workload specs, their errors, and demand over time. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tests/cmocka_all.h"

#include "guest/balloon/workload.h"
#include "xmem_err.h"

#define MIB 1024u

/* idle and steady, with xl's size syntax (a bare number is MiB). */
static void workload_idle_steady_test(void **state)
{
	char err[WORKLOAD_ERR_LEN];
	struct workload w;

	assert_int_equal(workload_parse("idle", 300, &w, err, sizeof(err)), 0);
	assert_int_equal(workload_demand_kib(&w, 123456), 0);
	assert_int_equal(workload_provisioned_kib(&w), 0);
	workload_free(&w);
	assert_int_equal(workload_parse("steady:512", 300, &w, err, sizeof(err)), 0);
	assert_int_equal(workload_demand_kib(&w, 0), 512 * MIB);
	assert_int_equal(workload_demand_kib(&w, 999999), 512 * MIB);
	workload_free(&w);
	assert_int_equal(workload_parse("steady:2G", 300, &w, err, sizeof(err)), 0);
	assert_int_equal(workload_demand_kib(&w, 0), 2048 * MIB);
	workload_free(&w);
}

/* ramp goes linearly, in real seconds, then stays; it may go down too. */
static void workload_ramp_test(void **state)
{
	char err[WORKLOAD_ERR_LEN];
	struct workload w;

	assert_int_equal(workload_parse("ramp:100M:200M:10", 300, &w, err, sizeof(err)), 0);
	assert_int_equal(workload_demand_kib(&w, 0), 100 * MIB);
	assert_int_equal(workload_demand_kib(&w, 5000), 150 * MIB);
	assert_int_equal(workload_demand_kib(&w, 10000), 200 * MIB);
	assert_int_equal(workload_demand_kib(&w, 50000), 200 * MIB);
	workload_free(&w);
	assert_int_equal(workload_parse("ramp:1G:0:4", 300, &w, err, sizeof(err)), 0);
	assert_int_equal(workload_demand_kib(&w, 1000), 768 * MIB);
	assert_int_equal(workload_demand_kib(&w, 4000), 0);
	workload_free(&w);
}

/* spike is PEAK for LENGTH_S at the start of every PERIOD_S. */
static void workload_spike_test(void **state)
{
	char err[WORKLOAD_ERR_LEN];
	struct workload w;

	assert_int_equal(workload_parse("spike:100M:1G:60:10", 300, &w, err, sizeof(err)), 0);
	assert_int_equal(workload_demand_kib(&w, 0), 1024 * MIB);
	assert_int_equal(workload_demand_kib(&w, 9999), 1024 * MIB);
	assert_int_equal(workload_demand_kib(&w, 10000), 100 * MIB);
	assert_int_equal(workload_demand_kib(&w, 59999), 100 * MIB);
	assert_int_equal(workload_demand_kib(&w, 60000), 1024 * MIB);
	assert_int_equal(workload_demand_kib(&w, 125000), 1024 * MIB);
	workload_free(&w);
}

/* Every malformed spec is refused with a message that says what is wrong. */
static void workload_parse_errors_test(void **state)
{
	static const struct {
		const char *spec;
		const char *says;
	} bad[] = {
		{ "", "empty" },
		{ "busy", "unknown workload" },
		{ "idle:1", "no arguments" },
		{ "steady", "expected steady:SIZE" },
		{ "steady:", "not a size" },
		{ "steady:lots", "'lots' is not a size" },
		{ "steady:1G:2G", "expected steady:SIZE" },
		{ "ramp:1G:2G", "expected ramp:FROM:TO:SECONDS" },
		{ "ramp:1G:2G:0", "SECONDS must be a positive integer" },
		{ "ramp:1G:2G:-5", "SECONDS" },
		{ "ramp:x:2G:5", "FROM 'x'" },
		{ "ramp:1G:y:5", "TO 'y'" },
		{ "spike:1G:2G:60", "expected spike:BASE:PEAK:PERIOD_S:LENGTH_S" },
		{ "spike:1G:2G:60:61", "LENGTH_S is longer than PERIOD_S" },
		{ "spike:1G:2G:0:0", "positive integers" },
		{ "spike:1G:2G:60:1x", "positive integers" },
		{ "spike:1G:2G:60:5:7", "expected spike" },
		{ "trace:", "expected trace:FILE:VM_ID" },
		{ "trace:file-only", "expected trace:FILE:VM_ID" },
		{ "trace:/nonexistent/trace.csv:rnd-1", "trace.csv" },
		{ "trace:/nonexistent/t.csv:", "expected trace:FILE:VM_ID" },
	};
	char err[WORKLOAD_ERR_LEN];
	struct workload w;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_true(workload_parse(bad[i].spec, 300, &w, err, sizeof(err)) < 0);
		if (!strstr(err, bad[i].says))
			fail_msg("spec '%s': message '%s' lacks '%s'", bad[i].spec, err,
				 bad[i].says);
		assert_null(w.trace);
	}
	assert_int_equal(workload_parse("idle", 0.0, &w, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "time scale"));
	assert_int_equal(workload_parse("idle", -1.0, &w, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_int_equal(workload_parse(NULL, 300, &w, err, sizeof(err)), XMEM_ERR_INVAL);
}

/* A trace replays mem_used_kib at time_scale trace seconds per real second, and loops. */
static void workload_trace_test(void **state)
{
	char path[] = "/tmp/xmem-test-workload-XXXXXX";
	char err[WORKLOAD_ERR_LEN], spec[128];
	struct workload w;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "vm_id,t_seconds,mem_used_kib,mem_provisioned_kib\n"
		   "rnd-1,0,1000,4000\n"
		   "rnd-2,0,7,8\n"
		   "rnd-1,300,2000,4000\n"
		   "rnd-1,600,3000,6000\n");
	fclose(f);

	snprintf(spec, sizeof(spec), "trace:%s:rnd-1", path);
	assert_int_equal(workload_parse(spec, 300, &w, err, sizeof(err)), 0);
	assert_int_equal(w.kind, WORKLOAD_TRACE);
	assert_int_equal(workload_provisioned_kib(&w), 4000);
	assert_int_equal(workload_demand_kib(&w, 0), 1000);
	assert_int_equal(workload_demand_kib(&w, 999), 1000);
	assert_int_equal(workload_demand_kib(&w, 1000), 2000);
	assert_int_equal(workload_demand_kib(&w, 2000), 3000);
	/* 601 trace seconds per loop: real second 3 is trace second 900 = 299 of the next round. */
	assert_int_equal(workload_demand_kib(&w, 3000), 1000);
	assert_int_equal(workload_demand_kib(&w, 4000), 2000);
	workload_free(&w);
	assert_null(w.trace);

	/* A slower clock: 60 trace seconds per real second. */
	assert_int_equal(workload_parse(spec, 60, &w, err, sizeof(err)), 0);
	assert_int_equal(workload_demand_kib(&w, 4999), 1000);
	assert_int_equal(workload_demand_kib(&w, 5000), 2000);
	workload_free(&w);

	snprintf(spec, sizeof(spec), "trace:%s:rnd-9", path);
	assert_true(workload_parse(spec, 300, &w, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "rnd-9"));
	assert_null(w.trace);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(workload_idle_steady_test),
		cmocka_unit_test(workload_ramp_test),
		cmocka_unit_test(workload_spike_test),
		cmocka_unit_test(workload_parse_errors_test),
		cmocka_unit_test(workload_trace_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
