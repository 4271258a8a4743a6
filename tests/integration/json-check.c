/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json-check: validate a JSON document on stdin with yajl (lib/json.h), for
 * the integration tests.
 *
 *	json-check object|array [KEY...]
 *
 * The document must parse, be one value of the given kind, and hold every
 * KEY: as a member of the object, or of every element of the array (which
 * must then be objects, and there must be at least one). Exit 0 when it
 * does; else one line on stderr saying what is wrong, exit 1 (2: usage).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define JSON_CHECK_MAX (16u << 20) /* bytes read from stdin at most */

/* Read all of stdin (NUL-terminated) into a malloc'd buffer; NULL on error. */
static char *json_check_read(void)
{
	char *buf = NULL, *grown;
	size_t len = 0, cap = 0, n;

	for (;;) {
		if (cap - len < 4096) {
			if (cap >= JSON_CHECK_MAX) {
				fprintf(stderr, "json-check: input over %u bytes\n",
					JSON_CHECK_MAX);
				free(buf);
				return NULL;
			}
			cap = cap ? cap * 2 : 65536;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				fprintf(stderr, "json-check: out of memory\n");
				free(buf);
				return NULL;
			}
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len, stdin);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(stdin)) {
		fprintf(stderr, "json-check: cannot read stdin\n");
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* 0 when object obj holds every key of keys[0..nr); else print and -1. */
static int json_check_keys(yajl_val obj, const char *where, char **keys, int nr)
{
	int i;

	if (!YAJL_IS_OBJECT(obj)) {
		fprintf(stderr, "json-check: %s is not an object\n", where);
		return -1;
	}
	for (i = 0; i < nr; i++) {
		if (!json_get(obj, keys[i])) {
			fprintf(stderr, "json-check: %s has no \"%s\"\n", where, keys[i]);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	char err[JSON_ERR_LEN], where[64];
	char *text = NULL;
	yajl_val v = NULL;
	size_t i;
	int rc = 1;

	if (argc < 2 || (strcmp(argv[1], "object") && strcmp(argv[1], "array"))) {
		fprintf(stderr, "usage: json-check object|array [KEY...] < DOCUMENT\n");
		return 2;
	}
	text = json_check_read();
	if (!text)
		goto out;
	if (!text[strspn(text, " \t\r\n")]) {
		fprintf(stderr, "json-check: no document (empty input)\n");
		goto out;
	}
	v = json_parse(text, err, sizeof(err));
	if (!v) {
		fprintf(stderr, "json-check: not JSON: %s\n", err);
		goto out;
	}
	if (!strcmp(argv[1], "object")) {
		if (json_check_keys(v, "the document", argv + 2, argc - 2))
			goto out;
	} else {
		if (!YAJL_IS_ARRAY(v)) {
			fprintf(stderr, "json-check: the document is not an array\n");
			goto out;
		}
		if (argc > 2 && v->u.array.len == 0) {
			fprintf(stderr, "json-check: the array is empty\n");
			goto out;
		}
		for (i = 0; i < v->u.array.len; i++) {
			snprintf(where, sizeof(where), "element %zu", i);
			if (json_check_keys(v->u.array.values[i], where, argv + 2, argc - 2))
				goto out;
		}
	}
	rc = 0;
out:
	json_free(v);
	free(text);
	return rc;
}
