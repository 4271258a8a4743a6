/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/xmemd/source.c: which agent's demand report xmemd trusts, and how much. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../tests/cmocka_all.h"

#include "../source.h"
#include "xmem_err.h"

#define MIB (UINT64_C(1024))
#define SEC (UINT64_C(1000))

/* A policy_dom as snapshot_dom() leaves it for a guest with xmem-guestd signals. */
static void source_pd(struct policy_dom *pd)
{
	memset(pd, 0, sizeof(*pd));
	pd->has_demand = 1;
	pd->used_kib = 300 * MIB;
	pd->committed_kib = 400 * MIB;
	pd->psi_some_x100 = 500;
	pd->swap_kib_s = 10;
}

static void source_names_test(void **state)
{
	assert_string_equal(source_name(SOURCE_GUESTD), "xmem-guestd");
	assert_string_equal(source_name(SOURCE_XE), "xe-guest-utilities");
	assert_string_equal(source_name(SOURCE_QUBES), "qubes");
	assert_string_equal(source_name(SOURCE_NONE), "none");
}

/* Qubes' value: a decimal, or the older writer's /proc/meminfo block; garbage refused. */
static void source_parse_qubes_test(void **state)
{
	uint64_t v = 0;

	assert_int_equal(source_parse_qubes("294035", &v), 0);
	assert_int_equal(v, 294035);
	assert_int_equal(source_parse_qubes("294035\n", &v), 0);
	assert_int_equal(source_parse_qubes("MemTotal: 1000000 kB\nMemFree: 100000 kB\n"
					    "Buffers: 50000 kB\nCached: 250000 kB\n"
					    "SwapTotal: 500000 kB\nSwapFree: 400000 kB\n",
					    &v),
			 0);
	assert_int_equal(v, 1000000 - 100000 - 50000 - 250000 + 100000);
	assert_int_equal(source_parse_qubes("MemTotal: 1000000 kB\nMemFree: 100000 kB\n", &v),
			 XMEM_ERR_INVAL);
	assert_int_equal(source_parse_qubes("", &v), XMEM_ERR_INVAL);
	assert_int_equal(source_parse_qubes("-5", &v), XMEM_ERR_INVAL);
	assert_int_equal(source_parse_qubes("12abc", &v), XMEM_ERR_INVAL);
	assert_int_equal(source_parse_qubes(NULL, &v), XMEM_ERR_INVAL);
	assert_int_equal(source_parse_qubes("99999999999999999999999", &v), XMEM_ERR_INVAL);
}

/* xmem-guestd wins while fresh; its heartbeat keeps it fresh; 60 s of silence is stale. */
static void source_guestd_test(void **state)
{
	struct source_state s;
	struct policy_dom pd;
	uint64_t t = 1000 * SEC;

	memset(&s, 0, sizeof(s));
	s.raw.has_guestd = 1;
	s.raw.guestd_seq = 1;
	s.raw.guestd_used_kib = 300 * MIB;
	s.raw.has_meminfo = 1; /* xmem-guestd writes these too (MemFree) */
	s.raw.meminfo_total_kib = 900 * MIB;
	s.raw.meminfo_free_kib = 100 * MIB;
	source_pd(&pd);
	assert_int_equal(source_judge(&s, (1024 * MIB), t, &pd), SOURCE_GUESTD);
	assert_int_equal(pd.used_kib, 300 * MIB); /* snapshot_dom's figures kept */
	assert_int_equal(pd.psi_some_x100, 500);
	assert_int_equal(pd.demand_period_s, 1);
	assert_int_equal(pd.blind, 0);
	assert_int_equal(s.since_ms, t);
	/* Quiet but for the heartbeat (seq alone): still fresh. */
	s.raw.guestd_seq = 2;
	source_pd(&pd);
	assert_int_equal(source_judge(&s, (1024 * MIB), t + 20 * SEC, &pd), SOURCE_GUESTD);
	assert_int_equal(s.since_ms, t + 20 * SEC);
	source_pd(&pd);
	assert_int_equal(source_judge(&s, (1024 * MIB), t + 80 * SEC, &pd), SOURCE_GUESTD);
	/* Silent for more than 3 heartbeats: stale, and its meminfo keys are not an agent's. */
	source_pd(&pd);
	assert_int_equal(source_judge(&s, (1024 * MIB), t + 81 * SEC, &pd), SOURCE_NONE);
	assert_int_equal(pd.has_demand, 0);
	assert_int_equal(pd.used_kib, 0);
	assert_int_equal(pd.psi_some_x100, 0);
	assert_int_equal(pd.swap_kib_s, 0);
	/* A reporter with a long period: stale only after three of its gaps. */
	memset(&s, 0, sizeof(s));
	s.raw.has_guestd = 1;
	s.raw.guestd_seq = 1;
	source_pd(&pd);
	source_judge(&s, 1024 * MIB, t, &pd);
	s.raw.guestd_seq = 2;
	source_pd(&pd);
	source_judge(&s, 1024 * MIB, t + 100 * SEC, &pd);
	source_pd(&pd);
	assert_int_equal(source_judge(&s, 1024 * MIB, t + 400 * SEC, &pd), SOURCE_GUESTD);
	source_pd(&pd);
	assert_int_equal(source_judge(&s, 1024 * MIB, t + 401 * SEC, &pd), SOURCE_NONE);
}

/*
 * The XenServer agent: used = total - free plus what the allocation held
 * beyond MemTotal when the report changed; period 120 s; stale after 360 s
 * without data/updated or the values changing.
 */
static void source_xe_test(void **state)
{
	struct source_state s;
	struct policy_dom pd;
	uint64_t t = 1000 * SEC;

	memset(&s, 0, sizeof(s));
	s.raw.has_meminfo = 1;
	s.raw.meminfo_total_kib = 900 * MIB;
	s.raw.meminfo_free_kib = 600 * MIB;
	s.raw.has_updated = 1;
	snprintf(s.raw.updated, sizeof(s.raw.updated), "Mon Dec  7 03:00:00 2026");
	source_pd(&pd);
	assert_int_equal(source_judge(&s, 1000 * MIB, t, &pd), SOURCE_XE);
	assert_int_equal(pd.has_demand, 1);
	assert_int_equal(pd.used_kib, 300 * MIB + 100 * MIB);
	assert_int_equal(pd.committed_kib, 0);
	assert_int_equal(pd.psi_some_x100, 0);
	assert_int_equal(pd.demand_period_s, SOURCE_XE_PERIOD_S);
	assert_int_equal(pd.blind, 1); /* no stall reported */
	/* The allocation shrinks before the next report: the overhead stays the report's. */
	source_pd(&pd);
	assert_int_equal(source_judge(&s, 700 * MIB, t + 30 * SEC, &pd), SOURCE_XE);
	assert_int_equal(pd.used_kib, 400 * MIB);
	/* data/updated moves every pass: fresh for 360 s after the last one. */
	snprintf(s.raw.updated, sizeof(s.raw.updated), "Mon Dec  7 03:01:00 2026");
	source_pd(&pd);
	assert_int_equal(source_judge(&s, 700 * MIB, t + 60 * SEC, &pd), SOURCE_XE);
	assert_int_equal(s.since_ms, t + 60 * SEC);
	source_pd(&pd);
	assert_int_equal(source_judge(&s, 700 * MIB, t + 420 * SEC, &pd), SOURCE_XE);
	source_pd(&pd);
	pd.blind = 1; /* left by the previous judgement */
	assert_int_equal(source_judge(&s, 700 * MIB, t + 421 * SEC, &pd), SOURCE_NONE);
	assert_int_equal(pd.blind, 0); /* a stale report: no signal at all */
	assert_int_equal(pd.has_demand, 0);
	/* free above total is nonsense: not used. */
	memset(&s, 0, sizeof(s));
	s.raw.has_meminfo = 1;
	s.raw.meminfo_total_kib = 100 * MIB;
	s.raw.meminfo_free_kib = 600 * MIB;
	source_pd(&pd);
	assert_int_equal(source_judge(&s, (1024 * MIB), t, &pd), SOURCE_NONE);
}

/* Qubes: used as written, in allocation terms, with its 30 MB step; no staleness by age. */
static void source_qubes_test(void **state)
{
	struct source_state s;
	struct policy_dom pd;
	uint64_t t = 1000 * SEC;

	memset(&s, 0, sizeof(s));
	s.raw.has_qubes = 1;
	s.raw.qubes_used_kib = 294035;
	source_pd(&pd);
	assert_int_equal(source_judge(&s, (1024 * MIB), t, &pd), SOURCE_QUBES);
	assert_int_equal(pd.used_kib, 294035);
	assert_int_equal(pd.demand_step_kib, SOURCE_QUBES_STEP_KIB);
	assert_int_equal(pd.demand_period_s, 0);
	assert_int_equal(pd.blind, 1);
	assert_int_equal(pd.psi_some_x100, 0);
	source_pd(&pd);
	assert_int_equal(source_judge(&s, (1024 * MIB), t + 86400 * SEC, &pd), SOURCE_QUBES);
	assert_int_equal(s.since_ms, t);
}

/* In order of richness: xmem-guestd, then the XenServer keys, then Qubes'. */
static void source_order_test(void **state)
{
	struct source_state s;
	struct policy_dom pd;
	uint64_t t = 1000 * SEC;

	memset(&s, 0, sizeof(s));
	s.raw.has_qubes = 1;
	s.raw.qubes_used_kib = 100 * MIB;
	s.raw.has_meminfo = 1;
	s.raw.meminfo_total_kib = 900 * MIB;
	s.raw.meminfo_free_kib = 700 * MIB;
	s.raw.has_updated = 1;
	s.raw.has_guestd = 1;
	s.raw.guestd_used_kib = 300 * MIB;
	source_pd(&pd);
	assert_int_equal(source_judge(&s, 900 * MIB, t, &pd), SOURCE_GUESTD);
	/* xmem-guestd goes silent: the XenServer keys (still moving) take over. */
	s.raw.meminfo_free_kib = 650 * MIB;
	source_pd(&pd);
	assert_int_equal(source_judge(&s, 900 * MIB, t + 100 * SEC, &pd), SOURCE_XE);
	assert_int_equal(pd.used_kib, 250 * MIB);
	/* Those go silent too: Qubes' value is what is left. */
	source_pd(&pd);
	assert_int_equal(source_judge(&s, 900 * MIB, t + 500 * SEC, &pd), SOURCE_QUBES);
	assert_int_equal(pd.used_kib, 100 * MIB);
	/* Nothing at all. */
	memset(&s, 0, sizeof(s));
	source_pd(&pd);
	assert_int_equal(source_judge(&s, 900 * MIB, t, &pd), SOURCE_NONE);
	assert_int_equal(pd.has_demand, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(source_names_test),  cmocka_unit_test(source_parse_qubes_test),
		cmocka_unit_test(source_guestd_test), cmocka_unit_test(source_xe_test),
		cmocka_unit_test(source_qubes_test),  cmocka_unit_test(source_order_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
