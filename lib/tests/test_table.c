/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/table.c: aligned text tables. */
#include "config.h"

#include "../../tests/cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "xmem_err.h"

/* Print t into a string the caller frees; rc_r gets table_print's result. */
static char *table_text(const struct table *t, int *rc_r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*rc_r = table_print(t, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Fixed widths pad as printf's %-Ns and %Ns; a left last column is not padded. */
static void table_fixed_widths_test(void **state)
{
	static const struct table_col cols[] = {
		{ "Name", 8, TABLE_LEFT },
		{ "ID", 4, TABLE_RIGHT },
		{ "State", 9, TABLE_LEFT },
	};
	struct table *t = table_new(cols, 3);
	char *out;
	int rc;

	assert_non_null(t);
	table_cell(t, "%s", "web1");
	table_cell(t, "%u", 3u);
	table_cell(t, "ok");
	table_cell(t, "db");
	table_cell(t, "%d", 12);
	table_cell(t, "%s", "unmanaged");
	assert_int_equal(table_rows(t), 2);
	out = table_text(t, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "Name       ID State\n"
				 "web1        3 ok\n"
				 "db         12 unmanaged\n");
	free(out);
	table_free(t);
}

/* A cell wider than a fixed width is not cut: it pushes the rest of its line. */
static void table_overflow_pushes_test(void **state)
{
	static const struct table_col cols[] = {
		{ "N", 3, TABLE_LEFT },
		{ "V", 3, TABLE_RIGHT },
	};
	struct table *t = table_new(cols, 2);
	char *out;
	int rc;

	assert_non_null(t);
	table_cell(t, "toolong");
	table_cell(t, "1");
	out = table_text(t, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "N     V\n"
				 "toolong   1\n");
	free(out);
	table_free(t);
}

/* Width 0 takes the widest cell, heading included; a right last column is padded. */
static void table_content_widths_test(void **state)
{
	static const struct table_col cols[] = {
		{ "k", 0, TABLE_LEFT },
		{ "value", 0, TABLE_RIGHT },
		{ "u", 0, TABLE_RIGHT },
	};
	struct table *t = table_new(cols, 3);
	char *out;
	int rc;

	assert_non_null(t);
	table_cell(t, "alpha");
	table_cell(t, "1");
	table_cell(t, "MiB");
	table_cell(t, "b");
	table_cell(t, "1234567");
	table_cell(t, "K");
	out = table_text(t, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "k       value   u\n"
				 "alpha       1 MiB\n"
				 "b     1234567   K\n");
	free(out);
	table_free(t);
}

/* One line into a buffer: the heading is line 0, a short buffer cuts but tells the length. */
static void table_line_test(void **state)
{
	static const struct table_col cols[] = {
		{ "a", 2, TABLE_RIGHT },
		{ "b", 0, TABLE_LEFT },
	};
	struct table *t = table_new(cols, 2);
	char buf[64], small[4];

	assert_non_null(t);
	table_cell(t, "7");
	table_cell(t, "seven");
	assert_int_equal(table_line(t, 0, buf, sizeof(buf)), 4);
	assert_string_equal(buf, " a b");
	assert_int_equal(table_line(t, 1, buf, sizeof(buf)), 8);
	assert_string_equal(buf, " 7 seven");
	assert_int_equal(table_line(t, 1, small, sizeof(small)), 8);
	assert_string_equal(small, " 7 ");
	table_free(t);
}

/* Only a heading: one line; a started row is completed with empty cells. */
static void table_heading_and_partial_row_test(void **state)
{
	static const struct table_col cols[] = {
		{ "x", 3, TABLE_RIGHT },
		{ "y", 3, TABLE_RIGHT },
	};
	struct table *t = table_new(cols, 2);
	char *out;
	int rc;

	assert_non_null(t);
	assert_int_equal(table_rows(t), 0);
	out = table_text(t, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "  x   y\n");
	free(out);
	table_cell(t, "1");
	assert_int_equal(table_rows(t), 1);
	out = table_text(t, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "  x   y\n  1    \n");
	free(out);
	table_free(t);
}

/* Lines longer than the printer's own buffer are written whole. */
static void table_long_line_test(void **state)
{
	static const struct table_col cols[] = {
		{ "h", 0, TABLE_LEFT },
	};
	struct table *t = table_new(cols, 1);
	char long_cell[1001];
	char *out;
	int rc;

	assert_non_null(t);
	memset(long_cell, 'z', sizeof(long_cell) - 1);
	long_cell[sizeof(long_cell) - 1] = '\0';
	table_cell(t, "%s", long_cell);
	out = table_text(t, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(strlen(out), 2 + 1000 + 1);
	assert_memory_equal(out + 2, long_cell, 1000);
	free(out);
	table_free(t);
}

/* No columns, no table; cells of a table that could not be made are dropped, and said so. */
static void table_no_columns_test(void **state)
{
	struct table *t = table_new(NULL, 0);

	assert_null(t);
	table_cell(t, "x");
	assert_int_equal(table_print_free(t, stdout), XMEM_ERR_NOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_fixed_widths_test),
		cmocka_unit_test(table_overflow_pushes_test),
		cmocka_unit_test(table_content_widths_test),
		cmocka_unit_test(table_line_test),
		cmocka_unit_test(table_heading_and_partial_row_test),
		cmocka_unit_test(table_long_line_test),
		cmocka_unit_test(table_no_columns_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
