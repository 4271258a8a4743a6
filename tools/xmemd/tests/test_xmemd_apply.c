/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/xmemd/apply.c: two-phase application. */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <string.h>

#include "../apply.h"

#define MIB 1024u

static struct apply_dom dom(uint32_t domid, uint64_t cur, uint64_t target, uint64_t new_target)
{
	struct apply_dom d;

	memset(&d, 0, sizeof(d));
	d.domid = domid;
	d.drive = 1;
	d.grow = APPLY_GROW_TARGET;
	d.weight = 5000;
	d.current_kib = cur;
	d.target_kib = target;
	d.maxmem_kib = apply_maxmem_kib(target, 0);
	d.new_target_kib = new_target;
	d.apply = new_target != target;
	return d;
}

/* Index of the first action of kind for domid, or -1. */
static int find(const struct apply_action *a, size_t n, uint32_t domid, enum apply_kind kind)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i].domid == domid && a[i].kind == kind)
			return (int)i;
	return -1;
}

/* Lowers come before raises, and raises set maxmem before the target. */
static void apply_lowers_first_test(void **state)
{
	struct apply_dom d[2] = { dom(1, 1024 * MIB, 1024 * MIB, 2048 * MIB),
				  dom(2, 2048 * MIB, 2048 * MIB, 1024 * MIB) };
	struct apply_action a[4];
	size_t n;

	assert_int_equal(apply_plan(d, 2, 4096 * MIB, a, &n), 0);
	assert_int_equal(n, 4);
	assert_true(find(a, n, 2, APPLY_SET_TARGET) < find(a, n, 1, APPLY_SET_MAXMEM));
	assert_true(find(a, n, 1, APPLY_SET_MAXMEM) < find(a, n, 1, APPLY_SET_TARGET));
	assert_int_equal(a[find(a, n, 1, APPLY_SET_MAXMEM)].value_kib, 2048 * MIB + 1024);
	assert_int_equal(a[find(a, n, 2, APPLY_SET_MAXMEM)].value_kib, 1024 * MIB + 1024);
	assert_int_equal(a[find(a, n, 2, APPLY_SET_TARGET)].phase, 1);
	assert_int_equal(a[find(a, n, 1, APPLY_SET_TARGET)].phase, 2);
}

/*
 * A frontend that filled its maxmem slack (target + 1 MiB) gets no raise from
 * it: with nothing free its target and maxmem stay, instead of creeping up
 * 1 MiB at every rebalance; with memory free, the raise is what was free.
 */
static void apply_slack_is_not_a_raise_test(void **state)
{
	struct apply_dom d = dom(1, 1024 * MIB + 1024, 1024 * MIB, 2048 * MIB);
	struct apply_action a[4];
	size_t n;

	assert_int_equal(apply_plan(&d, 1, 0, a, &n), 1024 * MIB);
	assert_int_equal(find(a, n, 1, APPLY_SET_TARGET), -1);
	assert_int_equal(find(a, n, 1, APPLY_SET_MAXMEM), -1);
	assert_int_equal(apply_plan(&d, 1, 8 * MIB, a, &n), 1016 * MIB);
	assert_int_equal(a[find(a, n, 1, APPLY_SET_TARGET)].value_kib, 1032 * MIB);
	assert_int_equal(a[find(a, n, 1, APPLY_SET_MAXMEM)].value_kib, 1032 * MIB + 1024);
}

/* A raise takes only what is free now; the rest waits for the next rebalance. */
static void apply_raise_waits_for_free_memory_test(void **state)
{
	struct apply_dom d[2] = { dom(1, 1024 * MIB, 1024 * MIB, 2048 * MIB),
				  dom(2, 2048 * MIB, 2048 * MIB, 1024 * MIB) };
	struct apply_action a[4];
	size_t n;

	/* Only 100 MiB free: domain 2's memory is not free yet. */
	assert_int_equal(apply_plan(d, 2, 100 * MIB, a, &n), 924 * MIB);
	assert_int_equal(a[find(a, n, 1, APPLY_SET_TARGET)].value_kib, 1124 * MIB);
	/* Nothing free: no raise at all. */
	assert_int_equal(apply_plan(d, 2, 0, a, &n), 1024 * MIB);
	assert_int_equal(find(a, n, 1, APPLY_SET_TARGET), -1);
	assert_true(find(a, n, 2, APPLY_SET_TARGET) >= 0);
}

/* With little free memory, the higher weight is raised first. */
static void apply_raise_by_weight_test(void **state)
{
	struct apply_dom d[2] = { dom(1, 1024 * MIB, 1024 * MIB, 1536 * MIB),
				  dom(2, 1024 * MIB, 1024 * MIB, 1536 * MIB) };
	struct apply_action a[4];
	size_t n;

	d[1].weight = 9000;
	apply_plan(d, 2, 512 * MIB, a, &n);
	assert_int_equal(a[find(a, n, 2, APPLY_SET_TARGET)].value_kib, 1536 * MIB);
	assert_int_equal(find(a, n, 1, APPLY_SET_TARGET), -1);
}

/* Domains not driven (no balloon, unmanaged, uncooperative) are never touched. */
static void apply_skips_undriven_test(void **state)
{
	struct apply_dom d[1] = { dom(3, 1024 * MIB, 1024 * MIB, 512 * MIB) };
	struct apply_action a[2];
	size_t n;

	d[0].drive = 0;
	d[0].maxmem_kib = 8192 * MIB;
	apply_plan(d, 1, 4096 * MIB, a, &n);
	assert_int_equal(n, 0);
}

/* A driven domain whose maxmem strays from target + 1 MiB (+ video) is put back. */
static void apply_corrects_maxmem_test(void **state)
{
	struct apply_dom d[1] = { dom(4, 1024 * MIB, 1024 * MIB, 1024 * MIB) };
	struct apply_action a[2];
	size_t n;

	d[0].maxmem_kib = 4096 * MIB;
	d[0].videoram_kib = 8 * MIB;
	apply_plan(d, 1, 0, a, &n);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].kind, APPLY_SET_MAXMEM);
	assert_int_equal(a[0].value_kib, 1032 * MIB + 1024);
}

/*
 * The hypervisor keeps maxmem in pages: a target that is not page-aligned gives a cap that reads
 * back up to 3 KiB lower. That is the cap in force, not one to set again at every rebalance.
 */
static void apply_maxmem_in_pages_test(void **state)
{
	struct apply_dom d[1] = { dom(4, 1262044, 1262046, 1262046) };
	struct apply_action a[4];
	size_t n;

	d[0].maxmem_kib = 1262046 + 1024 - 2; /* what max_pages x 4 reads back */
	apply_plan(d, 1, 0, a, &n);
	assert_int_equal(n, 0);
	/* A lower target: its cap is set, once. */
	d[0].new_target_kib = 1100003;
	d[0].apply = 1;
	apply_plan(d, 1, 0, a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].kind, APPLY_SET_MAXMEM);
	assert_int_equal(a[0].value_kib, 1100003 + 1024);
	d[0].target_kib = 1100003;
	d[0].maxmem_kib = (1100003 + 1024) / 4 * 4;
	d[0].apply = 0;
	apply_plan(d, 1, 0, a, &n);
	assert_int_equal(n, 0);
	/* A cap a page or more off is still put back. */
	d[0].maxmem_kib -= 4;
	apply_plan(d, 1, 0, a, &n);
	assert_int_equal(n, 1);
}

/* Growth toward an old target counts as promised; a raise adds only the rest. */
static void apply_promised_growth_test(void **state)
{
	struct apply_dom d[2] = { dom(1, 1024 * MIB, 1536 * MIB, 1536 * MIB),
				  dom(2, 1024 * MIB, 1024 * MIB, 1024 * MIB) };
	struct apply_action a[4];
	size_t n;

	assert_int_equal(apply_promised_kib(d, 2), 512 * MIB);
	d[1].drive = 0;
	d[1].target_kib = 4096 * MIB; /* not driven, but its balloon follows: promised */
	assert_int_equal(apply_promised_kib(d, 2), 512 * MIB + 1024);
	d[1].maxmem_kib = 4096 * MIB;
	assert_int_equal(apply_promised_kib(d, 2), 512 * MIB + 3072 * MIB);
	d[1].grow = APPLY_GROW_NONE; /* no balloon, or a hold covers it */
	assert_int_equal(apply_promised_kib(d, 2), 512 * MIB);
	/* A claim already sets part of it aside. */
	d[0].outstanding_kib = 200 * MIB;
	assert_int_equal(apply_promised_kib(d, 2), 312 * MIB);
	d[0].outstanding_kib = 0;
	d[0].new_target_kib = 1600 * MIB;
	d[0].apply = 1;
	assert_int_equal(apply_plan(d, 1, 64 * MIB, a, &n), 0);
	assert_int_equal(a[find(a, n, 1, APPLY_SET_TARGET)].value_kib, 1600 * MIB);
}

/*
 * An uncooperative guest may take up to its maxmem, whatever its target: its
 * maxmem is capped at what it holds + 1 MiB, and that is what is promised.
 */
static void apply_uncoop_promise_test(void **state)
{
	/* Marked while growing from 1 GiB toward 1.5 GiB. */
	struct apply_dom d[1] = { dom(1, 1024 * MIB, 1536 * MIB, 1536 * MIB) };

	d[0].drive = 0;
	d[0].grow = APPLY_GROW_MAXMEM;
	assert_int_equal(apply_promised_kib(d, 1), 512 * MIB + 1024);
	d[0].maxmem_kib = apply_uncoop_maxmem_kib(d[0].current_kib, d[0].target_kib, 0);
	assert_int_equal(d[0].maxmem_kib, 1024 * MIB + 1024);
	assert_int_equal(apply_promised_kib(d, 1), 1024);
	/* Stuck shrinking (maxmem already below what it holds): nothing to grow. */
	d[0].target_kib = 512 * MIB;
	d[0].maxmem_kib = apply_maxmem_kib(512 * MIB, 0);
	assert_int_equal(apply_uncoop_maxmem_kib(d[0].current_kib, 512 * MIB, 0), d[0].maxmem_kib);
	assert_int_equal(apply_promised_kib(d, 1), 0);
}

/*
 * Driven again after its maxmem was capped below its target: raising the cap
 * is a raise like any other, from free memory, and the target is cut to what
 * it got.
 */
static void apply_capped_reraise_test(void **state)
{
	struct apply_dom d[1] = { dom(1, 1024 * MIB, 1536 * MIB, 1536 * MIB) };
	struct apply_action a[2];
	size_t n;

	d[0].maxmem_kib = 1024 * MIB + 1024;
	assert_int_equal(apply_promised_kib(d, 1), 1024);
	/* 100 MiB free: the target is cut to what it holds + 1 MiB + 100 MiB. */
	assert_int_equal(apply_plan(d, 1, 100 * MIB, a, &n), 412 * MIB - 1024);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].kind, APPLY_SET_MAXMEM);
	assert_int_equal(a[0].value_kib, 1124 * MIB + 2048);
	assert_int_equal(a[1].kind, APPLY_SET_TARGET);
	assert_int_equal(a[1].value_kib, 1124 * MIB + 1024);
	/* Nothing free: no maxmem above what was promised. */
	assert_int_equal(apply_plan(d, 1, 0, a, &n), 512 * MIB - 1024);
	assert_int_equal(a[find(a, n, 1, APPLY_SET_TARGET)].value_kib, 1024 * MIB + 1024);
	assert_true(a[find(a, n, 1, APPLY_SET_MAXMEM)].value_kib <= 1024 * MIB + 2048);
	/* Enough free: maxmem back at its rule, the target kept. */
	assert_int_equal(apply_plan(d, 1, 4096 * MIB, a, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].kind, APPLY_SET_MAXMEM);
	assert_int_equal(a[0].value_kib, 1536 * MIB + 1024);
	/* A new, lower target above what it may reach still comes from free memory. */
	d[0].new_target_kib = 1280 * MIB;
	d[0].apply = 1;
	assert_int_equal(apply_plan(d, 1, 10 * MIB, a, &n), 246 * MIB - 1024);
	assert_int_equal(a[find(a, n, 1, APPLY_SET_TARGET)].value_kib, 1034 * MIB + 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(apply_lowers_first_test),
		cmocka_unit_test(apply_raise_waits_for_free_memory_test),
		cmocka_unit_test(apply_slack_is_not_a_raise_test),
		cmocka_unit_test(apply_raise_by_weight_test),
		cmocka_unit_test(apply_skips_undriven_test),
		cmocka_unit_test(apply_corrects_maxmem_test),
		cmocka_unit_test(apply_maxmem_in_pages_test),
		cmocka_unit_test(apply_promised_growth_test),
		cmocka_unit_test(apply_uncoop_promise_test),
		cmocka_unit_test(apply_capped_reraise_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
