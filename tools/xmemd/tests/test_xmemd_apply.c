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
	d[1].target_kib = 4096 * MIB; /* not driven: not promised by us */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(apply_lowers_first_test),
		cmocka_unit_test(apply_raise_waits_for_free_memory_test),
		cmocka_unit_test(apply_raise_by_weight_test),
		cmocka_unit_test(apply_skips_undriven_test),
		cmocka_unit_test(apply_corrects_maxmem_test),
		cmocka_unit_test(apply_maxmem_in_pages_test),
		cmocka_unit_test(apply_promised_growth_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
