/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for guest/balloon/agent.c: what each simulated guest agent writes, and when. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tests/cmocka_all.h"

#include "guest/balloon/agent.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem_err.h"

#define MIB 1024u

/* A guest with MemTotal 900 MiB, MemAvailable avail, MemFree 100 MiB, swap used swap. */
static void agent_sample(struct report_sample *s, uint64_t avail_kib, uint64_t swap_used_kib)
{
	memset(s, 0, sizeof(*s));
	report_set(s, REPORT_MEM_TOTAL, 900 * MIB);
	report_set(s, REPORT_MEM_FREE, 100 * MIB);
	report_set(s, REPORT_MEM_AVAILABLE, avail_kib);
	report_set(s, REPORT_COMMITTED, 500 * MIB);
	report_set(s, REPORT_SWAP_TOTAL, 1024 * MIB);
	report_set(s, REPORT_SWAP_FREE, 1024 * MIB - swap_used_kib);
}

/* The value written at path, or NULL. */
static const char *agent_find(const struct report_kv *kvs, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(kvs[i].path, path))
			return kvs[i].val;
	return NULL;
}

static void agent_names_test(void **state)
{
	enum agent_kind k;

	assert_int_equal(agent_parse("xe-guest-utilities", &k), 0);
	assert_int_equal(k, AGENT_XE);
	assert_int_equal(agent_parse("qubes", &k), 0);
	assert_int_equal(k, AGENT_QUBES);
	assert_int_equal(agent_parse("none", &k), 0);
	assert_int_equal(k, AGENT_NONE);
	assert_int_equal(agent_parse("xmem", &k), 0);
	assert_int_equal(k, AGENT_XMEM);
	assert_int_equal(agent_parse("xe", &k), XMEM_ERR_INVAL);
	assert_int_equal(agent_parse("", &k), XMEM_ERR_INVAL);
	assert_string_equal(agent_name(AGENT_XE), "xe-guest-utilities");
}

/* xmem-guestd: the full report every period, data/balloon included. */
static void agent_xmem_test(void **state)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_balloon rb = { "done", 1024 * MIB, 1024 * MIB, 0, "" };
	struct report_sample s;
	struct agent a;
	int feature;
	size_t n;

	agent_init(&a, AGENT_XMEM, 0);
	agent_sample(&s, 600 * MIB, 0);
	n = agent_tick(&a, 0, &s, &rb, 1024 * MIB, 0, kvs, REPORT_MAX_KVS, &feature);
	assert_string_equal(agent_find(kvs, n, XS_DOM_MEM_USED), "307200");
	assert_string_equal(agent_find(kvs, n, XS_DOM_BALLOON_STATE), "done");
	assert_non_null(agent_find(kvs, n, XS_DOM_MEMINFO_TOTAL));
	assert_int_equal(feature, 0);
	n = agent_tick(&a, 1000, &s, &rb, 1024 * MIB, 1, kvs, REPORT_MAX_KVS, &feature);
	assert_non_null(agent_find(kvs, n, XS_DOM_MEM_USED));
}

/* none: nothing at all, ever, not even the frontend's progress. */
static void agent_none_test(void **state)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_balloon rb = { "done", 1024 * MIB, 1024 * MIB, 0, "" };
	struct report_sample s;
	struct agent a;
	int feature = 7;
	uint64_t t;

	agent_init(&a, AGENT_NONE, 0);
	agent_sample(&s, 600 * MIB, 0);
	for (t = 0; t < 300000; t += 1000)
		assert_int_equal(agent_tick(&a, t, &s, &rb, 1024 * MIB, (time_t)(t / 1000), kvs,
					    REPORT_MAX_KVS, &feature),
				 0);
	assert_int_equal(feature, 0);
}

/*
 * xe-guest-utilities: a pass per period with data/updated and a try at
 * feature-balloon; memory (MemTotal, MemAvailable as meminfo_free, KiB) on
 * every second pass only; nothing between passes; no xmem keys.
 */
static void agent_xe_test(void **state)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_sample s;
	struct agent a;
	int feature;
	size_t n;

	agent_init(&a, AGENT_XE, 0);
	assert_int_equal(a.period_ms, AGENT_XE_PERIOD_MS);
	agent_sample(&s, 600 * MIB, 0);
	n = agent_tick(&a, 5000, &s, NULL, 1024 * MIB, 1700000000, kvs, REPORT_MAX_KVS, &feature);
	assert_int_equal(n, 3);
	assert_int_equal(feature, 1);
	assert_string_equal(agent_find(kvs, n, XS_DOM_MEMINFO_TOTAL), "921600");
	assert_string_equal(agent_find(kvs, n, XS_DOM_MEMINFO_FREE), "614400");
	assert_non_null(agent_find(kvs, n, XS_DOM_UPDATED));
	assert_null(agent_find(kvs, n, XS_DOM_MEM_USED));
	assert_null(agent_find(kvs, n, XS_DOM_BALLOON_STATE));
	/* Between passes: nothing. */
	n = agent_tick(&a, 5000 + 59999, &s, NULL, 1024 * MIB, 1700000059, kvs, REPORT_MAX_KVS,
		       &feature);
	assert_int_equal(n, 0);
	assert_int_equal(feature, 0);
	/* The second pass: data/updated only. */
	n = agent_tick(&a, 65000, &s, NULL, 1024 * MIB, 1700000060, kvs, REPORT_MAX_KVS, &feature);
	assert_int_equal(n, 1);
	assert_non_null(agent_find(kvs, n, XS_DOM_UPDATED));
	assert_int_equal(feature, 1);
	/* The third: memory again. */
	agent_sample(&s, 200 * MIB, 0);
	n = agent_tick(&a, 125000, &s, NULL, 1024 * MIB, 1700000120, kvs, REPORT_MAX_KVS, &feature);
	assert_int_equal(n, 3);
	assert_string_equal(agent_find(kvs, n, XS_DOM_MEMINFO_FREE), "204800");
	/* A shorter period, as tests use. */
	agent_init(&a, AGENT_XE, 2000);
	assert_int_equal(agent_tick(&a, 0, &s, NULL, 1, 0, kvs, REPORT_MAX_KVS, &feature), 3);
	assert_int_equal(agent_tick(&a, 1999, &s, NULL, 1, 0, kvs, REPORT_MAX_KVS, &feature), 0);
	assert_int_equal(agent_tick(&a, 2000, &s, NULL, 1, 0, kvs, REPORT_MAX_KVS, &feature), 1);
}

/*
 * qubes: used in allocation terms (allocation - available + swap used) to
 * memory/meminfo, the first time and then only on moves over 30000 KiB
 * (15000 KiB when growing nearly full).
 */
static void agent_qubes_test(void **state)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_sample s;
	struct agent a;
	int feature;
	size_t n;

	agent_init(&a, AGENT_QUBES, 0);
	agent_sample(&s, 600 * MIB, 16 * MIB);
	assert_int_equal(agent_qubes_used_kib(&s, 1024 * MIB), (1024 - 600 + 16) * MIB);
	n = agent_tick(&a, 0, &s, NULL, 1024 * MIB, 0, kvs, REPORT_MAX_KVS, &feature);
	assert_int_equal(n, 1);
	assert_string_equal(kvs[0].path, XS_DOM_QUBES_MEMINFO);
	assert_string_equal(kvs[0].val, "450560");
	/* 20 MiB more: under the threshold, nothing. */
	agent_sample(&s, 580 * MIB, 16 * MIB);
	assert_int_equal(
		agent_tick(&a, 1000, &s, NULL, 1024 * MIB, 1, kvs, REPORT_MAX_KVS, &feature), 0);
	/* 40 MiB more than written: over it. */
	agent_sample(&s, 560 * MIB, 16 * MIB);
	n = agent_tick(&a, 2000, &s, NULL, 1024 * MIB, 2, kvs, REPORT_MAX_KVS, &feature);
	assert_int_equal(n, 1);
	assert_string_equal(kvs[0].val, "491520");
	/* Nearly full (used x 1.3 > allocation) and growing by 20 MiB: written. */
	agent_sample(&s, 200 * MIB, 0);
	n = agent_tick(&a, 3000, &s, NULL, 1024 * MIB, 3, kvs, REPORT_MAX_KVS, &feature);
	assert_int_equal(n, 1);
	agent_sample(&s, 180 * MIB, 0);
	n = agent_tick(&a, 4000, &s, NULL, 1024 * MIB, 4, kvs, REPORT_MAX_KVS, &feature);
	assert_int_equal(n, 1);
	assert_string_equal(kvs[0].val, "864256");
	/* A writer that stopped writes nothing. */
	a.stopped = 1;
	agent_sample(&s, 100 * MIB, 0);
	assert_int_equal(
		agent_tick(&a, 5000, &s, NULL, 1024 * MIB, 5, kvs, REPORT_MAX_KVS, &feature), 0);
	assert_int_equal(feature, 0);
}

/* xe's pass is 60 s of guest time: scaled, at least one period, at most an hour. */
static void agent_xe_period_test(void **state)
{
	(void)state;
	assert_int_equal(agent_xe_period_ms(1.0, 1000), 60000);
	assert_int_equal(agent_xe_period_ms(30.0, 1000), 2000);
	assert_int_equal(agent_xe_period_ms(300.0, 1000), 1000);
	assert_int_equal(agent_xe_period_ms(300.0, 100), 200);
	assert_int_equal(agent_xe_period_ms(0.001, 1000), AGENT_PERIOD_MS_MAX);
	assert_int_equal(agent_xe_period_ms(0, 1000), 60000);
	/* Memory every 120 s of guest time: every second pass unless a pass is longer. */
	assert_int_equal(agent_xe_memory_every(1.0, 60000), 2);
	assert_int_equal(agent_xe_memory_every(30.0, 2000), 2);
	assert_int_equal(agent_xe_memory_every(300.0, 1000), 1);
	assert_int_equal(agent_xe_memory_every(100.0, 1000), 1);
	assert_int_equal(agent_xe_memory_every(300.0, 200), 2);
}

/* A pass with memory_every 1 collects memory on every pass. */
static void agent_xe_every_pass_test(void **state)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_sample s;
	struct agent a;
	int feature;
	size_t n;

	(void)state;
	agent_init(&a, AGENT_XE, 1000);
	a.memory_every = 1;
	agent_sample(&s, 300 * MIB, 0);
	n = agent_tick(&a, 0, &s, NULL, 1024 * MIB, 0, kvs, REPORT_MAX_KVS, &feature);
	assert_non_null(agent_find(kvs, n, XS_DOM_MEMINFO_FREE));
	agent_sample(&s, 200 * MIB, 0);
	n = agent_tick(&a, 1000, &s, NULL, 1024 * MIB, 1, kvs, REPORT_MAX_KVS, &feature);
	assert_non_null(agent_find(kvs, n, XS_DOM_MEMINFO_FREE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agent_names_test),	    cmocka_unit_test(agent_xmem_test),
		cmocka_unit_test(agent_none_test),	    cmocka_unit_test(agent_xe_test),
		cmocka_unit_test(agent_qubes_test),	    cmocka_unit_test(agent_xe_period_test),
		cmocka_unit_test(agent_xe_every_pass_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
