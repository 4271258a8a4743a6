/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * schema-gen.c: turn xenstore-schema/schema.json into xs_schema.h or, with
 * --markdown, docs/xenstore-keys.md. Build-time tool; errors name the bad
 * entry.
 *
 * For each key XS_<NAME> is its path. A key may also carry its contract:
 * "default" (a number, or one of its "values"), "min" and "max" (numbers),
 * and "values" (the strings it may hold); these become XS_<NAME>_DEFAULT,
 * XS_<NAME>_MIN, XS_<NAME>_MAX and XS_<NAME>_<VALUE> (the value upper-cased,
 * '-' as '_'). A default given as text for a key without "values" (e.g.
 * "memory/target") only documents what readers fall back on. The top-level
 * "constants" are figures of the contract that are no key (libxl's maxmem
 * slack): XS_<NAME> each.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

enum { F_NAME, F_SCOPE, F_PATH, F_TYPE, F_WRITER, F_ORIGIN, F_DESC, F_NR };

static const char *const schema_fields[F_NR] = { "name",   "scope",  "path", "type",
						 "writer", "origin", "desc" };

/* Print name upper-cased, anything but letters and digits as '_'. */
static void schema_print_upper(FILE *f, const char *name)
{
	for (; *name; name++)
		fputc(isalnum((unsigned char)*name) ? toupper((unsigned char)*name) : '_', f);
}

/* Is v one of the strings of the array vals? */
static int schema_in_values(yajl_val vals, const char *v)
{
	size_t i;

	for (i = 0; vals && i < vals->u.array.len; i++) {
		const char *s = YAJL_GET_STRING(vals->u.array.values[i]);

		if (s && !strcmp(s, v))
			return 1;
	}
	return 0;
}

/* Check the optional contract fields of entry e. Returns 0 or -1 after printing why. */
static int schema_contract(yajl_val e, size_t idx)
{
	yajl_val def = json_get(e, "default"), vals = json_get(e, "values");
	static const char *const nums[] = { "min", "max" };
	size_t i;

	for (i = 0; i < 2; i++) {
		yajl_val n = json_get(e, nums[i]);

		if (n && !YAJL_IS_INTEGER(n)) {
			fprintf(stderr, "schema-gen: keys[%zu]: \"%s\" must be an integer\n", idx,
				nums[i]);
			return -1;
		}
	}
	if (vals) {
		if (!YAJL_IS_ARRAY(vals) || !vals->u.array.len) {
			fprintf(stderr, "schema-gen: keys[%zu]: \"values\" must be a list\n", idx);
			return -1;
		}
		for (i = 0; i < vals->u.array.len; i++) {
			if (!YAJL_IS_STRING(vals->u.array.values[i])) {
				fprintf(stderr, "schema-gen: keys[%zu]: values[%zu] not a string\n",
					idx, i);
				return -1;
			}
		}
	}
	if (def && !YAJL_IS_INTEGER(def) && !YAJL_IS_STRING(def)) {
		fprintf(stderr, "schema-gen: keys[%zu]: \"default\" must be a number or text\n",
			idx);
		return -1;
	}
	if (def && vals &&
	    (!YAJL_IS_STRING(def) || !schema_in_values(vals, YAJL_GET_STRING(def)))) {
		fprintf(stderr, "schema-gen: keys[%zu]: \"default\" is not one of its \"values\"\n",
			idx);
		return -1;
	}
	return 0;
}

/* Check one entry; fill its fields. Returns 0 or -1 after printing why. */
static int schema_entry(yajl_val e, size_t idx, const char *vals[F_NR])
{
	size_t i;

	for (i = 0; i < F_NR; i++) {
		if (json_get_str(e, schema_fields[i], &vals[i])) {
			fprintf(stderr, "schema-gen: keys[%zu]: missing or non-string \"%s\"\n",
				idx, schema_fields[i]);
			return -1;
		}
	}
	if (strcmp(vals[F_SCOPE], "domain") && strcmp(vals[F_SCOPE], "host")) {
		fprintf(stderr, "schema-gen: keys[%zu]: scope must be domain or host\n", idx);
		return -1;
	}
	if ((vals[F_SCOPE][0] == 'h') != (vals[F_PATH][0] == '/')) {
		fprintf(stderr,
			"schema-gen: keys[%zu]: host paths are absolute, domain paths relative\n",
			idx);
		return -1;
	}
	return schema_contract(e, idx);
}

/* Print "#define XS_<NAME><SUFFIX> " for the key or constant called name. */
static void schema_print_define(const char *name, const char *suffix)
{
	printf("#define XS_");
	schema_print_upper(stdout, name);
	schema_print_upper(stdout, suffix);
	putchar(' ');
}

/* The header lines of one key. */
static void schema_header_key(yajl_val e, const char *v[F_NR])
{
	yajl_val def = json_get(e, "default"), vals = json_get(e, "values");
	static const char *const nums[] = { "min", "max" };
	size_t i;

	printf("/* %s (%s, %s) */\n", v[F_DESC], v[F_TYPE], v[F_WRITER]);
	schema_print_define(v[F_NAME], "");
	printf("\"%s\"\n", v[F_PATH]);
	if (def && YAJL_IS_INTEGER(def)) {
		schema_print_define(v[F_NAME], "_default");
		printf("%lld\n", YAJL_GET_INTEGER(def));
	} else if (def && vals) {
		schema_print_define(v[F_NAME], "_default");
		printf("\"%s\"\n", YAJL_GET_STRING(def));
	}
	for (i = 0; i < 2; i++) {
		yajl_val n = json_get(e, nums[i]);

		if (n) {
			schema_print_define(v[F_NAME], i ? "_max" : "_min");
			printf("%lld\n", YAJL_GET_INTEGER(n));
		}
	}
	for (i = 0; vals && i < vals->u.array.len; i++) {
		const char *s = YAJL_GET_STRING(vals->u.array.values[i]);

		printf("#define XS_");
		schema_print_upper(stdout, v[F_NAME]);
		putchar('_');
		schema_print_upper(stdout, s);
		printf(" \"%s\"\n", s);
	}
}

/* The default column of one key ("" when none). */
static void schema_md_default(yajl_val e)
{
	yajl_val def = json_get(e, "default");

	if (def && YAJL_IS_INTEGER(def))
		printf("%lld", YAJL_GET_INTEGER(def));
	else if (def)
		printf("`%s`", YAJL_GET_STRING(def));
}

/* The limits column of one key: min..max, or its values. */
static void schema_md_limits(yajl_val e)
{
	yajl_val min = json_get(e, "min"), max = json_get(e, "max"), vals = json_get(e, "values");
	size_t i;

	if (min || max) {
		if (min)
			printf("%lld", YAJL_GET_INTEGER(min));
		printf("..");
		if (max)
			printf("%lld", YAJL_GET_INTEGER(max));
	}
	for (i = 0; vals && i < vals->u.array.len; i++)
		printf("%s`%s`", i ? ", " : "", YAJL_GET_STRING(vals->u.array.values[i]));
}

/* The "constants" list: check it and print it. Returns 0 or -1 after printing why. */
static int schema_constants(yajl_val root, int markdown)
{
	yajl_val cs = json_get(root, "constants");
	size_t i;

	if (!cs)
		return 0;
	if (!YAJL_IS_ARRAY(cs)) {
		fprintf(stderr, "schema-gen: \"constants\" must be a list\n");
		return -1;
	}
	if (markdown) {
		printf("\nFigures of the contract that are no key:\n\n");
		printf("| constant | value | unit | meaning |\n|---|---|---|---|\n");
	} else {
		printf("\n/* Figures of the contract that are no key. */\n");
	}
	for (i = 0; i < cs->u.array.len; i++) {
		yajl_val c = cs->u.array.values[i], val = json_get(c, "value");
		const char *name, *unit, *desc;

		if (json_get_str(c, "name", &name) || json_get_str(c, "unit", &unit) ||
		    json_get_str(c, "desc", &desc) || !val || !YAJL_IS_INTEGER(val)) {
			fprintf(stderr,
				"schema-gen: constants[%zu]: needs name, unit, desc and an integer "
				"value\n",
				i);
			return -1;
		}
		if (markdown) {
			printf("| `XS_");
			schema_print_upper(stdout, name);
			printf("` | %lld | %s | %s |\n", YAJL_GET_INTEGER(val), unit, desc);
		} else {
			printf("/* %s (%s) */\n", desc, unit);
			schema_print_define(name, "");
			printf("%lld\n", YAJL_GET_INTEGER(val));
		}
	}
	return 0;
}

/* The preamble of either output. */
static void schema_preamble(int markdown)
{
	if (markdown) {
		printf("# The xmem key tree\n\n");
		printf("Generated from `xenstore-schema/schema.json` by `schema-gen --markdown`; a "
		       "test checks that this file matches it.\n");
		printf("Domain keys are relative to `/local/domain/<domid>`; KiB unless "
		       "noted. \"default\" is what readers take when the key is absent; "
		       "\"limits\" is the range (inclusive) or the values a key may hold.\n\n");
		printf("| path | scope | type | default | limits | writer | origin | meaning |\n");
		printf("|---|---|---|---|---|---|---|---|\n");
	} else {
		printf("/* Generated from xenstore-schema/schema.json: do not edit. */\n");
		printf("#ifndef XMEM_XS_SCHEMA_H\n#define XMEM_XS_SCHEMA_H\n\n");
	}
}

int main(int argc, char **argv)
{
	char err[JSON_ERR_LEN];
	yajl_val root = NULL, keys;
	int markdown = 0, rc = 1;
	size_t i;

	if (argc == 3 && strcmp(argv[1], "--markdown") == 0)
		markdown = 1;
	else if (argc != 2) {
		fprintf(stderr, "usage: schema-gen [--markdown] schema.json\n");
		return 2;
	}
	root = json_parse_file(argv[argc - 1], err, sizeof(err));
	if (!root) {
		fprintf(stderr, "schema-gen: %s\n", err);
		return 1;
	}
	keys = json_get(root, "keys");
	if (!keys || !YAJL_IS_ARRAY(keys)) {
		fprintf(stderr, "schema-gen: no \"keys\" array\n");
		goto out;
	}
	schema_preamble(markdown);
	for (i = 0; i < keys->u.array.len; i++) {
		yajl_val e = keys->u.array.values[i];
		const char *v[F_NR];

		if (schema_entry(e, i, v))
			goto out;
		if (!markdown) {
			schema_header_key(e, v);
			continue;
		}
		printf("| `%s` | %s | %s | ", v[F_PATH], v[F_SCOPE], v[F_TYPE]);
		schema_md_default(e);
		printf(" | ");
		schema_md_limits(e);
		printf(" | %s | %s | %s |\n", v[F_WRITER], v[F_ORIGIN], v[F_DESC]);
	}
	if (schema_constants(root, markdown))
		goto out;
	if (!markdown)
		printf("\n#endif\n");
	rc = fflush(stdout) ? 1 : 0;
out:
	json_free(root);
	return rc;
}
