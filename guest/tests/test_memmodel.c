/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for guest/balloon/memmodel.c: the simulated guest's memory and pressure accounting. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "../../tests/cmocka_all.h"

#include "guest/balloon/memmodel.h"

#define GIB (1024u * 1024u)
#define MIB 1024u

/* Give the balloon everything MemAvailable allows, as the frontend would, until it stops. */
static void balloon_down_all(struct memmodel *m)
{
	unsigned int i;

	for (i = 0; i < 1000 && memmodel_available_pages(m) > 0; i++)
		memmodel_set_alloc(m, m->alloc_kib - memmodel_available_pages(m) * 4);
}

/* The layout of an idle 1 GiB guest whose map goes to 2 GiB, number by number. */
static void memmodel_layout_idle_test(void **state)
{
	struct report_sample s;
	struct memmodel m;

	memmodel_init(&m, NULL, 2 * GIB, GIB);
	assert_int_equal(m.kernel_kib, 64 * MIB + 2 * GIB / 64);
	assert_int_equal(m.total_kib, GIB - 98304);
	assert_int_equal(m.min_free_kib, 3899); /* sqrt(16 * 950272) */
	assert_int_equal(m.reserve_kib, 5848);
	assert_int_equal(m.free_kib, m.total_kib);
	assert_int_equal(m.available_kib, m.total_kib - m.reserve_kib);
	assert_int_equal(memmodel_available_pages(&m), (m.total_kib - m.reserve_kib) / 4);
	assert_int_equal(memmodel_reserve_pages(&m), 5848 / 4);

	memmodel_sample(&m, &s);
	assert_int_equal(s.val[REPORT_MEM_TOTAL], 950272);
	assert_int_equal(s.val[REPORT_MEM_FREE], 950272);
	assert_int_equal(s.val[REPORT_SWAP_TOTAL], GIB);
	assert_int_equal(s.val[REPORT_SWAP_FREE], GIB);
	assert_int_equal(s.val[REPORT_PSI_SOME], 0);
	assert_int_equal(s.have, (1u << REPORT_BALLOON_TARGET) - 1);
}

/* A working set that fits: page cache, no faults, no stall, Committed_AS 125%. */
static void memmodel_fits_no_pressure_test(void **state)
{
	struct report_sample s;
	struct memmodel m;
	int i;

	memmodel_init(&m, NULL, GIB, GIB);
	memmodel_set_demand(&m, 400 * MIB);
	assert_int_equal(m.anon_kib, 400 * MIB);
	assert_int_equal(m.cache_kib, 80 * MIB);
	assert_int_equal(m.file_missing_kib, 0);
	for (i = 0; i < 30; i++)
		memmodel_tick(&m, 1000);
	memmodel_sample(&m, &s);
	assert_int_equal(s.val[REPORT_COMMITTED], 500 * MIB);
	assert_int_equal(s.val[REPORT_PGMAJFAULT], 0);
	assert_int_equal(s.val[REPORT_PSWPIN], 0);
	assert_int_equal(s.val[REPORT_PSI_SOME], 0);
	assert_int_equal(s.val[REPORT_PSI_FULL], 0);
	assert_true(s.val[REPORT_MEM_AVAILABLE] < s.val[REPORT_MEM_TOTAL] - 400 * MIB);
}

/* Ballooning down to MemAvailable never takes the working set, but eats the page cache: refaults and stall. */
static void memmodel_balloon_takes_cache_not_working_set_test(void **state)
{
	struct report_sample s;
	struct memmodel m;
	int i;

	memmodel_init(&m, NULL, GIB, GIB);
	memmodel_set_demand(&m, 600 * MIB);
	balloon_down_all(&m);
	assert_int_equal(m.anon_kib, 600 * MIB); /* all resident */
	assert_int_equal(m.swap_used_kib, 0);
	assert_int_equal(m.pswpout, 0);
	assert_true(m.cache_kib < 60 * MIB); /* below the file working set */
	assert_true(m.file_missing_kib > 0);
	assert_true(m.alloc_kib < GIB - 200 * MIB);
	for (i = 0; i < 20; i++)
		memmodel_tick(&m, 1000);
	memmodel_sample(&m, &s);
	assert_true(s.val[REPORT_PGMAJFAULT] > 0);
	assert_int_equal(s.val[REPORT_PSWPIN], 0);
	assert_true(s.val[REPORT_PSI_SOME] > 0);
	assert_true(s.val[REPORT_PSI_SOME] > s.val[REPORT_PSI_FULL]);
	assert_true(m.psi_some_total_us > 0);
	/* The stall itself is reported (microseconds, as /proc/pressure/memory total=). */
	assert_int_equal(s.val[REPORT_PSI_SOME_TOTAL], m.psi_some_total_us);
}

/* Demand above memory: the excess is swapped out, and touching it thrashes (pswpin = pswpout growth). */
static void memmodel_swap_thrash_test(void **state)
{
	struct memmodel m;
	uint64_t out0, pages_swapped;

	memmodel_init(&m, NULL, GIB, GIB);
	memmodel_set_demand(&m, GIB);
	assert_true(m.swap_used_kib > 0);
	pages_swapped = m.swap_used_kib / 4;
	assert_int_equal(m.pswpout, pages_swapped);
	out0 = m.pswpout;
	memmodel_tick(&m, 1000);
	/* 5% of the swapped pages are touched in a second. */
	assert_int_equal(m.pswpin, (uint64_t)(pages_swapped * 0.05));
	assert_int_equal(m.pswpout - out0, m.pswpin);
	assert_true(m.pgmajfault >= m.pswpin);
	assert_true(m.psi_some_now > m.psi_full_now);
	assert_true(m.psi_full_now > 0.0);
	assert_int_equal(m.oom_kills, 0);
}

/* More demand than memory and swap: out of memory, one OOM kill, full stall. */
static void memmodel_oom_test(void **state)
{
	struct report_sample s;
	struct memmodel m;
	int i;

	memmodel_init(&m, NULL, GIB, GIB);
	memmodel_set_demand(&m, 3 * GIB);
	assert_true(m.unbacked_kib > 0);
	assert_int_equal(m.oom_kills, 1);
	memmodel_set_demand(&m, 3 * GIB + MIB);
	assert_int_equal(m.oom_kills, 1); /* still the same episode */
	for (i = 0; i < 60; i++)
		memmodel_tick(&m, 1000);
	memmodel_sample(&m, &s);
	assert_int_equal(s.val[REPORT_SWAP_FREE], 0);
	assert_true(s.val[REPORT_PSI_FULL] > 9900);
	memmodel_set_demand(&m, 100 * MIB);
	memmodel_set_demand(&m, 4 * GIB);
	assert_int_equal(m.oom_kills, 2);
}

/* avg10 decays like the kernel's: 10 s without stall leaves e^-1 of it. */
static void memmodel_psi_decay_test(void **state)
{
	struct memmodel m;
	double before;

	memmodel_init(&m, NULL, GIB, GIB);
	memmodel_set_demand(&m, GIB + GIB / 2);
	memmodel_tick(&m, 1000);
	before = m.psi_some_avg10;
	assert_true(before > 0.0);
	memmodel_set_demand(&m, 100 * MIB);
	memmodel_tick(&m, 10000);
	assert_true(fabs(m.psi_some_avg10 - before * exp(-1.0)) < 1e-9);
	assert_true(m.psi_some_now == 0.0);
}

/* Memory given back by the balloon brings swapped pages back in; falling demand just frees them. */
static void memmodel_swap_in_on_growth_test(void **state)
{
	struct memmodel m;
	uint64_t in0;

	memmodel_init(&m, NULL, 2 * GIB, GIB);
	memmodel_set_demand(&m, GIB);
	assert_true(m.swap_used_kib > 0);
	in0 = m.pswpin;
	memmodel_set_alloc(&m, 2 * GIB);
	assert_int_equal(m.swap_used_kib, 0);
	assert_true(m.pswpin > in0);
	memmodel_set_alloc(&m, GIB);
	in0 = m.pswpin;
	memmodel_set_demand(&m, 100 * MIB);
	assert_int_equal(m.swap_used_kib, 0);
	assert_int_equal(m.pswpin, in0);
}

/* An allocation below the guest kernel's own needs reports zeros, never wraps. */
static void memmodel_tiny_allocation_test(void **state)
{
	struct report_sample s;
	struct memmodel m;

	memmodel_init(&m, NULL, GIB, 32 * MIB);
	memmodel_set_demand(&m, 10 * MIB);
	memmodel_sample(&m, &s);
	assert_int_equal(s.val[REPORT_MEM_TOTAL], 0);
	assert_int_equal(s.val[REPORT_MEM_FREE], 0);
	assert_int_equal(s.val[REPORT_MEM_AVAILABLE], 0);
	assert_int_equal(m.swap_used_kib, 10 * MIB);
	assert_int_equal(memmodel_available_pages(&m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memmodel_layout_idle_test),
		cmocka_unit_test(memmodel_fits_no_pressure_test),
		cmocka_unit_test(memmodel_balloon_takes_cache_not_working_set_test),
		cmocka_unit_test(memmodel_swap_thrash_test),
		cmocka_unit_test(memmodel_oom_test),
		cmocka_unit_test(memmodel_psi_decay_test),
		cmocka_unit_test(memmodel_swap_in_on_growth_test),
		cmocka_unit_test(memmodel_tiny_allocation_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
