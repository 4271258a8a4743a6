/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/xmemd/movelog.c (the per-rebalance info line). */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <stdio.h>
#include <string.h>

#include "../movelog.h"

/* Each move says why: demand, scarcity, reservation, uncooperative. */
static void movelog_reasons_test(void **state)
{
	struct movelog_move m = { .domid = 1,
				  .name = "g1",
				  .from_kib = 1024 * 1024,
				  .to_kib = 2048 * 1024,
				  .desired_kib = 2048 * 1024 };

	assert_string_equal(movelog_reason(&m, 0), "demand");
	assert_string_equal(movelog_reason(&m, 1), "demand");
	m.to_kib = 1536 * 1024;
	assert_string_equal(movelog_reason(&m, 0), "scarcity");
	assert_string_equal(movelog_reason(&m, 1), "reservation");
	m.uncooperative = 1;
	assert_string_equal(movelog_reason(&m, 0), "uncooperative");
}

/* One line: who, from what, to what, why; sizes that print alike go to KiB. */
static void movelog_format_test(void **state)
{
	struct movelog_move m[2] = {
		{ .domid = 1,
		  .name = "g1",
		  .from_kib = 1024 * 1024,
		  .to_kib = 2048 * 1024,
		  .desired_kib = 2048 * 1024 },
		{ .domid = 2,
		  .name = "g2",
		  .from_kib = 3000000,
		  .to_kib = 3000100,
		  .desired_kib = 4000000 },
	};
	char buf[MOVELOG_LINE_MAX];

	assert_int_equal(movelog_format(m, 2, 0, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "g1 (1) 1G -> 2G demand; g2 (2) 3000000K -> 3000100K scarcity");
	assert_int_equal(movelog_format(m, 0, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

/* A long list is cut, with how many were left out, never past the buffer. */
static void movelog_format_cut_test(void **state)
{
	struct movelog_move m[100];
	char buf[200];
	size_t i;

	for (i = 0; i < 100; i++)
		m[i] = (struct movelog_move){ .domid = (uint32_t)i,
					      .name = "guest-with-a-name",
					      .from_kib = 1024,
					      .to_kib = 2048,
					      .desired_kib = 2048 };
	assert_int_equal(movelog_format(m, 100, 0, buf, sizeof(buf)), 100);
	assert_true(strlen(buf) < sizeof(buf));
	assert_non_null(strstr(buf, "more"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(movelog_reasons_test),
		cmocka_unit_test(movelog_format_test),
		cmocka_unit_test(movelog_format_cut_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
