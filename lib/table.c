/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * table.c: see table.h.
 *
 * Cells are kept row-major in one growing array; the heading is row 0. The
 * width of a column sized by its content is kept up to date as cells come,
 * so any line can be laid out on its own.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "xmem_err.h"

struct table {
	struct table_col *cols;
	size_t nr_cols;
	size_t *widths; /* the width each column is laid out in */
	char **cells;	/* nr_cells of them, row-major, heading first */
	size_t nr_cells, cap_cells;
	int rc; /* first error met while adding cells */
};

/* Store s (owned from now on) as the next cell; NULL s records the failure. */
static void table_push(struct table *t, char *s)
{
	size_t col = t->nr_cells % t->nr_cols, len, cap;
	char **cells;

	if (!s)
		goto fail;
	if (t->nr_cells == t->cap_cells) {
		cap = t->cap_cells ? t->cap_cells * 2 : t->nr_cols * 8;
		cells = realloc(t->cells, cap * sizeof(*cells));
		if (!cells)
			goto fail;
		t->cells = cells;
		t->cap_cells = cap;
	}
	t->cells[t->nr_cells++] = s;
	len = strlen(s);
	if (t->cols[col].width == 0 && len > t->widths[col])
		t->widths[col] = len;
	return;
fail:
	free(s);
	if (!t->rc)
		t->rc = XMEM_ERR_NOMEM;
}

struct table *table_new(const struct table_col *cols, size_t nr_cols)
{
	struct table *t = NULL;
	size_t i;

	if (nr_cols == 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		goto fail;
	t->nr_cols = nr_cols;
	t->cols = calloc(nr_cols, sizeof(*t->cols));
	t->widths = calloc(nr_cols, sizeof(*t->widths));
	if (!t->cols || !t->widths)
		goto fail;
	memcpy(t->cols, cols, nr_cols * sizeof(*cols));
	for (i = 0; i < nr_cols; i++) {
		t->widths[i] = cols[i].width;
		table_push(t, strdup(cols[i].head ? cols[i].head : ""));
	}
	if (t->rc)
		goto fail;
	return t;
fail:
	table_free(t);
	return NULL;
}

void table_free(struct table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nr_cells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->widths);
	free(t->cols);
	free(t);
}

void table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	if (!t)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0)
		s = malloc((size_t)n + 1);
	if (s) {
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	table_push(t, s);
}

size_t table_rows(const struct table *t)
{
	return (t->nr_cells + t->nr_cols - 1) / t->nr_cols - 1;
}

/* Append s, padded to width on the side align says, at *pos of buf (cut at len - 1). */
static void table_put(char *buf, size_t len, size_t *pos, const char *s, size_t width,
		      enum table_align align)
{
	size_t slen = strlen(s), pad = width > slen ? width - slen : 0, i;

	for (i = 0; i < pad + slen; i++, (*pos)++) {
		if (*pos + 1 >= len)
			continue;
		if (align == TABLE_RIGHT)
			buf[*pos] = i < pad ? ' ' : s[i - pad];
		else
			buf[*pos] = i < slen ? s[i] : ' ';
	}
}

size_t table_line(const struct table *t, size_t nr, char *buf, size_t len)
{
	size_t col, cell, pos = 0, width;
	const char *s;

	for (col = 0; col < t->nr_cols; col++) {
		cell = nr * t->nr_cols + col;
		s = cell < t->nr_cells ? t->cells[cell] : "";
		width = t->widths[col];
		if (col + 1 == t->nr_cols && t->cols[col].align == TABLE_LEFT)
			width = 0;
		if (col > 0)
			table_put(buf, len, &pos, " ", 0, TABLE_LEFT);
		table_put(buf, len, &pos, s, width, t->cols[col].align);
	}
	if (len)
		buf[pos < len ? pos : len - 1] = '\0';
	return pos;
}

int table_print(const struct table *t, FILE *f)
{
	char small[256], *line;
	size_t nr, len;
	int rc = t->rc;

	for (nr = 0; nr <= table_rows(t); nr++) {
		line = small;
		len = table_line(t, nr, small, sizeof(small));
		if (len >= sizeof(small)) {
			line = malloc(len + 1);
			if (!line) {
				rc = rc ? rc : XMEM_ERR_NOMEM;
				continue;
			}
			table_line(t, nr, line, len + 1);
		}
		if (fprintf(f, "%s\n", line) < 0 && !rc)
			rc = XMEM_ERR_IO;
		if (line != small)
			free(line);
	}
	return rc;
}

int table_print_free(struct table *t, FILE *f)
{
	int rc;

	if (!t)
		return XMEM_ERR_NOMEM;
	rc = table_print(t, f);
	table_free(t);
	return rc;
}
