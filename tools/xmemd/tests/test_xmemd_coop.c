/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/xmemd/coop.c: who follows its target. */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include "../coop.h"

#define MIB 1024u
static const struct coop_params params = { .min_rate_kib_s = 1024, .uncoop_after_s = 5 };

/* A guest that moves at the minimum rate or better stays cooperative. */
static void coop_moving_guest_stays_cooperative_test(void **state)
{
	struct coop c;
	uint64_t cur = 2048 * MIB, t;

	coop_reset(&c);
	for (t = 0; t <= 20000; t += 1000) {
		assert_int_equal(coop_observe(&c, &params, 1024 * MIB, cur, 0, t), 0);
		cur -= 30 * MIB;
	}
	assert_false(c.uncooperative);
}

/* A guest that does not move is marked after the grace period, not before. */
static void coop_stuck_guest_marked_after_grace_test(void **state)
{
	struct coop c;

	coop_reset(&c);
	coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 1000);
	coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 5000);
	assert_false(c.uncooperative);
	assert_int_equal(coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 6000), 1);
	assert_true(c.uncooperative);
}

/* Moving below the minimum rate counts as stuck. */
static void coop_too_slow_is_uncooperative_test(void **state)
{
	struct coop c;
	uint64_t cur = 2048 * MIB, t;

	coop_reset(&c);
	for (t = 0; t <= 10000; t += 1000) {
		coop_observe(&c, &params, 1024 * MIB, cur, 0, t);
		cur -= 100; /* 100 KiB/s, below 1 MiB/s */
	}
	assert_true(c.uncooperative);
}

/* A frontend that reports gave-up is uncooperative at once. */
static void coop_gave_up_is_immediate_test(void **state)
{
	struct coop c;

	coop_reset(&c);
	coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 0);
	assert_int_equal(coop_observe(&c, &params, 1024 * MIB, 2000 * MIB, 1, 100), 1);
	assert_true(c.uncooperative);
}

/* An uncooperative guest comes back when it moves again, or reaches its target. */
static void coop_comes_back_when_moving_test(void **state)
{
	struct coop c;

	coop_reset(&c);
	coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 0);
	coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 6000);
	assert_true(c.uncooperative);
	coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 7000);
	assert_true(c.uncooperative);
	assert_int_equal(coop_observe(&c, &params, 1024 * MIB, 1900 * MIB, 0, 8000), 1);
	assert_false(c.uncooperative);

	coop_reset(&c);
	coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 0);
	coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 6000);
	assert_true(c.uncooperative);
	coop_observe(&c, &params, 1024 * MIB, 1024 * MIB, 0, 6100);
	assert_false(c.uncooperative);
}

/* A guest at its target (within tolerance) is never uncooperative. */
static void coop_at_target_is_fine_test(void **state)
{
	struct coop c;
	uint64_t t;

	coop_reset(&c);
	for (t = 0; t < 60000; t += 1000)
		coop_observe(&c, &params, 1024 * MIB, 1024 * MIB + 100, 0, t);
	assert_false(c.uncooperative);
	assert_int_equal(c.progress_ms, 59000);
}

/* A new target restarts the grace period; it does not pardon a stuck guest. */
static void coop_new_target_restarts_window_test(void **state)
{
	struct coop c;

	coop_reset(&c);
	coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 0);
	coop_observe(&c, &params, 1000 * MIB, 2048 * MIB, 0, 4000);
	coop_observe(&c, &params, 1000 * MIB, 2048 * MIB, 0, 8000);
	assert_false(c.uncooperative);
	coop_observe(&c, &params, 1000 * MIB, 2048 * MIB, 0, 9000);
	assert_true(c.uncooperative);
	coop_observe(&c, &params, 900 * MIB, 2048 * MIB, 0, 9500);
	assert_true(c.uncooperative);
}

/* A mark found in the key tree after a restart holds until the guest moves. */
static void coop_restore_keeps_mark_test(void **state)
{
	struct coop c;

	coop_restore(&c, 1);
	coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 0);
	assert_true(c.uncooperative);
	coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 1000);
	assert_true(c.uncooperative);
	coop_observe(&c, &params, 1024 * MIB, 1500 * MIB, 0, 2000);
	assert_false(c.uncooperative);
}

/* Resumed after a restart 4 s into the window: a stuck guest is marked 1 s later, not 5 s. */
static void coop_resume_keeps_the_window_test(void **state)
{
	struct coop c;

	coop_resume(&c, &params, 1024 * MIB, 2048 * MIB, 4000, 100000);
	assert_false(c.uncooperative);
	/* Seen again at once (a rebalance right after the restart): not progress. */
	assert_int_equal(coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 100000), 0);
	assert_int_equal(c.progress_ms, 96000);
	assert_int_equal(coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 100500), 0);
	assert_int_equal(coop_observe(&c, &params, 1024 * MIB, 2048 * MIB, 0, 101000), 1);
	assert_true(c.uncooperative);
}

/* A resumed guest that keeps moving at the minimum rate stays cooperative. */
static void coop_resume_moving_guest_test(void **state)
{
	struct coop c;
	uint64_t cur = 2048 * MIB, t;

	coop_resume(&c, &params, 1024 * MIB, cur, 4000, 100000);
	for (t = 100000; t <= 120000; t += 1000) {
		assert_int_equal(coop_observe(&c, &params, 1024 * MIB, cur, 0, t), 0);
		cur -= 2 * MIB;
	}
	assert_false(c.uncooperative);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(coop_moving_guest_stays_cooperative_test),
		cmocka_unit_test(coop_stuck_guest_marked_after_grace_test),
		cmocka_unit_test(coop_too_slow_is_uncooperative_test),
		cmocka_unit_test(coop_gave_up_is_immediate_test),
		cmocka_unit_test(coop_comes_back_when_moving_test),
		cmocka_unit_test(coop_at_target_is_fine_test),
		cmocka_unit_test(coop_new_target_restarts_window_test),
		cmocka_unit_test(coop_restore_keeps_mark_test),
		cmocka_unit_test(coop_resume_keeps_the_window_test),
		cmocka_unit_test(coop_resume_moving_guest_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
