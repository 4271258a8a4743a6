/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * schema-gen.c: turn xenstore-schema/schema.json into xs_schema.h (one
 * #define per key, XS_<NAME>) or, with --markdown, the table of
 * docs/xenstore-keys.md. Build-time tool; errors name the bad entry.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

static const char *const schema_fields[] = { "name",   "scope",	 "path", "type",
					     "writer", "origin", "desc" };

/* Print name upper-cased. */
static void schema_print_upper(FILE *f, const char *name)
{
	for (; *name; name++)
		fputc(toupper((unsigned char)*name), f);
}

/* Check one entry; fill its fields. Returns 0 or -1 after printing why. */
static int schema_entry(yajl_val e, size_t idx, const char *vals[7])
{
	size_t i;

	for (i = 0; i < 7; i++) {
		if (json_get_str(e, schema_fields[i], &vals[i])) {
			fprintf(stderr, "schema-gen: keys[%zu]: missing or non-string \"%s\"\n",
				idx, schema_fields[i]);
			return -1;
		}
	}
	if (strcmp(vals[1], "domain") && strcmp(vals[1], "host")) {
		fprintf(stderr, "schema-gen: keys[%zu]: scope must be domain or host\n", idx);
		return -1;
	}
	if ((vals[1][0] == 'h') != (vals[2][0] == '/')) {
		fprintf(stderr,
			"schema-gen: keys[%zu]: host paths are absolute, domain paths relative\n",
			idx);
		return -1;
	}
	return 0;
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
	if (markdown) {
		printf("# The xmem key tree\n\n");
		printf("Generated from `xenstore-schema/schema.json` by `schema-gen --markdown`; a "
		       "test "
		       "checks that this file matches it.\n");
		printf("Domain keys are relative to `/local/domain/<domid>`; KiB unless "
		       "noted.\n\n");
		printf("| path | scope | type | writer | origin | meaning |\n");
		printf("|---|---|---|---|---|---|\n");
	} else {
		printf("/* Generated from xenstore-schema/schema.json: do not edit. */\n");
		printf("#ifndef XMEM_XS_SCHEMA_H\n#define XMEM_XS_SCHEMA_H\n\n");
	}
	for (i = 0; i < keys->u.array.len; i++) {
		const char *v[7];

		if (schema_entry(keys->u.array.values[i], i, v))
			goto out;
		if (markdown) {
			printf("| `%s` | %s | %s | %s | %s | %s |\n", v[2], v[1], v[3], v[4], v[5],
			       v[6]);
		} else {
			printf("/* %s (%s, %s) */\n#define XS_", v[6], v[3], v[4]);
			schema_print_upper(stdout, v[0]);
			printf(" \"%s\"\n", v[2]);
		}
	}
	if (!markdown)
		printf("\n#endif\n");
	rc = fflush(stdout) ? 1 : 0;
out:
	json_free(root);
	return rc;
}
