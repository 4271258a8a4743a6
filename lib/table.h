/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * table.h: aligned text tables, as the tools print them for people.
 *
 * A table is a list of columns, each with a heading, an alignment and a
 * width. Cells are added row by row with printf formats and the whole table
 * is written at the end, so that a column can take its width from its
 * content. A fixed width behaves as printf's: a wider cell is not cut, it
 * pushes the rest of its line to the right. Columns are parted by one space;
 * a left-aligned last column is not padded, so no line ends in blanks.
 */
#ifndef XMEM_TABLE_H
#define XMEM_TABLE_H

#include <stddef.h>
#include <stdio.h>

enum table_align {
	TABLE_LEFT,
	TABLE_RIGHT,
};

/* width 0: as wide as the widest cell of the column (heading included). */
struct table_col {
	const char *head;
	unsigned int width;
	enum table_align align;
};

struct table;

/* A table with nr_cols columns (cols is copied); its heading is the first line. NULL when out of memory. */
struct table *table_new(const struct table_col *cols, size_t nr_cols);
void table_free(struct table *t);

/*
 * Add the next cell: after the last column of a row the next cell starts a
 * new row. An allocation failure is remembered and returned by table_print.
 * A NULL t (table_new failed) is ignored, for table_print_free to report.
 */
void table_cell(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rows added so far, the heading not counted (a started row counts). */
size_t table_rows(const struct table *t);

/*
 * Write line nr (0 the heading, 1 the first row) without its newline into
 * buf, cut to len - 1 characters. Returns the length it would have had.
 */
size_t table_line(const struct table *t, size_t nr, char *buf, size_t len);

/* Write the heading and every row to f. Returns 0, XMEM_ERR_NOMEM (a cell was lost) or XMEM_ERR_IO. */
int table_print(const struct table *t, FILE *f);

/* table_print, then table_free. A NULL t (table_new failed) is XMEM_ERR_NOMEM. */
int table_print_free(struct table *t, FILE *f);

#endif
