/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-table.c: print a benchmark's JSON result as a Markdown table, for
 * bench/update-doc.sh (docs/performance.md).
 *
 *   bench-table FILE.json
 *
 * A result that wants a particular table says so:
 *   { "table": { "columns": ["case", "median ms", ...],
 *                "rows": [["reserve 4 GiB", 812.5, ...], ...] },
 *     "note": "one line printed under the table" }
 * Any other JSON object is shown as a two-column table of its scalar members
 * (nested objects flattened as "a.b"; arrays summarised by their length).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"

/* Print a scalar cell; '|' in strings is escaped. */
static void table_cell(yajl_val v)
{
	const char *s;

	if (!v || YAJL_IS_NULL(v)) {
		fputs("-", stdout);
	} else if (YAJL_IS_INTEGER(v)) {
		printf("%lld", YAJL_GET_INTEGER(v));
	} else if (YAJL_IS_DOUBLE(v)) {
		double d = YAJL_GET_DOUBLE(v);

		if (fabs(d) >= 1000 || d == floor(d))
			printf("%.0f", d);
		else if (fabs(d) >= 10)
			printf("%.1f", d);
		else if (fabs(d) >= 0.1)
			printf("%.2f", d);
		else
			printf("%.3g", d);
	} else if (YAJL_IS_TRUE(v)) {
		fputs("yes", stdout);
	} else if (YAJL_IS_FALSE(v)) {
		fputs("no", stdout);
	} else if (YAJL_IS_STRING(v)) {
		for (s = YAJL_GET_STRING(v); *s; s++) {
			if (*s == '|')
				fputs("\\|", stdout);
			else if (*s != '\n')
				putchar(*s);
		}
	} else if (YAJL_IS_ARRAY(v)) {
		printf("(%zu values)", v->u.array.len);
	} else {
		fputs("(object)", stdout);
	}
}

/* Rows "prefix.key | value" for every scalar member of obj. */
static void table_flat(yajl_val obj, const char *prefix)
{
	size_t i;

	for (i = 0; i < obj->u.object.len; i++) {
		const char *key = obj->u.object.keys[i];
		yajl_val v = obj->u.object.values[i];
		char name[256];

		snprintf(name, sizeof(name), "%s%s%s", prefix, prefix[0] ? "." : "", key);
		if (YAJL_IS_OBJECT(v)) {
			table_flat(v, name);
			continue;
		}
		printf("| %s | ", name);
		table_cell(v);
		fputs(" |\n", stdout);
	}
}

/* The explicit table form. 0, or -1 when malformed. */
static int table_explicit(yajl_val table)
{
	yajl_val cols = json_get(table, "columns"), rows = json_get(table, "rows");
	size_t i, j;

	if (!cols || !YAJL_IS_ARRAY(cols) || !cols->u.array.len || !rows || !YAJL_IS_ARRAY(rows))
		return -1;
	fputs("|", stdout);
	for (i = 0; i < cols->u.array.len; i++) {
		fputs(" ", stdout);
		table_cell(cols->u.array.values[i]);
		fputs(" |", stdout);
	}
	fputs("\n|", stdout);
	for (i = 0; i < cols->u.array.len; i++)
		fputs("---|", stdout);
	fputs("\n", stdout);
	for (j = 0; j < rows->u.array.len; j++) {
		yajl_val row = rows->u.array.values[j];

		if (!YAJL_IS_ARRAY(row))
			return -1;
		fputs("|", stdout);
		for (i = 0; i < cols->u.array.len; i++) {
			fputs(" ", stdout);
			table_cell(i < row->u.array.len ? row->u.array.values[i] : NULL);
			fputs(" |", stdout);
		}
		fputs("\n", stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char err[JSON_ERR_LEN];
	yajl_val root, table, note;
	int rc = 0;

	log_init("bench-table", LOG_TO_CLI, 1);
	if (argc != 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fprintf(argc == 2 ? stdout : stderr, "usage: bench-table FILE.json\n");
		return argc == 2 ? 0 : 2;
	}
	root = json_parse_file(argv[1], err, sizeof(err));
	if (!root) {
		log_warnx("%s: %s", argv[1], err);
		return 1;
	}
	if (!YAJL_IS_OBJECT(root)) {
		log_warnx("%s: expected a JSON object", argv[1]);
		rc = 1;
		goto out;
	}
	table = json_get(root, "table");
	if (table) {
		if (table_explicit(table)) {
			log_warnx("%s: table: expected columns[] and rows[][]", argv[1]);
			rc = 1;
			goto out;
		}
	} else {
		fputs("| figure | value |\n|---|---|\n", stdout);
		table_flat(root, "");
	}
	note = json_get(root, "note");
	if (note && YAJL_IS_STRING(note)) {
		fputs("\n", stdout);
		table_cell(note);
		fputs("\n", stdout);
	}
out:
	json_free(root);
	return rc;
}
