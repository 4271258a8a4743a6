/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/json.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../../tests/cmocka_all.h"

#include "json.h"
#include "xmem_err.h"

/* Typed getters read values, refuse wrong types and ranges, leave defaults. */
static void json_getters_test(void **state)
{
	char err[JSON_ERR_LEN];
	yajl_val v = json_parse("{\"a\": 5, \"s\": \"x\", \"b\": true, \"d\": 1.5, \"m\": \"4G\", "
				"\"neg\": -1}",
				err, sizeof(err));
	uint64_t u = 99, kib = 0;
	const char *s = NULL;
	double d = 0;
	int b = 0;

	assert_non_null(v);
	assert_int_equal(json_get_u64(v, "a", 0, 10, &u), 0);
	assert_int_equal(u, 5);
	assert_int_equal(json_get_u64(v, "a", 6, 10, &u), XMEM_ERR_INVAL);
	assert_int_equal(json_get_u64(v, "neg", 0, 10, &u), XMEM_ERR_INVAL);
	assert_int_equal(json_get_u64(v, "s", 0, 10, &u), XMEM_ERR_INVAL);
	assert_int_equal(json_get_u64(v, "none", 0, 10, &u), XMEM_ERR_NOTFOUND);
	assert_int_equal(u, 5);
	assert_int_equal(json_get_str(v, "s", &s), 0);
	assert_string_equal(s, "x");
	assert_int_equal(json_get_bool(v, "b", &b), 0);
	assert_true(b);
	assert_int_equal(json_get_double(v, "d", &d), 0);
	assert_true(d > 1.49 && d < 1.51);
	assert_int_equal(json_get_size_kib(v, "m", &kib), 0);
	assert_int_equal(kib, 4 * 1024 * 1024);
	assert_int_equal(json_get_size_kib(v, "a", &kib), 0);
	assert_int_equal(kib, 5);
	assert_int_equal(json_get_size_kib(v, "b", &kib), XMEM_ERR_INVAL);
	json_free(v);
}

/* A parse error says something. */
static void json_parse_error_test(void **state)
{
	char err[JSON_ERR_LEN] = "";

	assert_null(json_parse("{\"a\": ", err, sizeof(err)));
	assert_true(strlen(err) > 0);
	assert_null(json_parse_file("/nonexistent/x.json", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/x.json"));
}

/* The writer produces a document that parses back. */
/* A key given twice in any object is refused and named; the same key in two objects is fine. */
static void json_duplicate_key_test(void **state)
{
	char err[JSON_ERR_LEN], big[4096];
	yajl_val v;
	size_t n = 0;
	int i;

	assert_null(json_parse("{\"a\": 1, \"b\": 2, \"a\": 3}", err, sizeof(err)));
	assert_string_equal(err, "duplicate key \"a\"");
	assert_null(json_parse("{\"x\": [{\"k\": 1}, {\"k\": 1, \"k\": 2}]}", err, sizeof(err)));
	assert_string_equal(err, "duplicate key \"k\"");
	v = json_parse("{\"x\": [{\"k\": 1}, {\"k\": 2}], \"k\": 3}", err, sizeof(err));
	assert_non_null(v);
	json_free(v);
	/* Many keys (the sorted path), the duplicate last. */
	n += snprintf(big + n, sizeof(big) - n, "{");
	for (i = 0; i < 100; i++)
		n += snprintf(big + n, sizeof(big) - n, "\"k%d\": %d, ", i, i);
	snprintf(big + n, sizeof(big) - n, "\"k57\": 0}");
	assert_null(json_parse(big, err, sizeof(err)));
	assert_string_equal(err, "duplicate key \"k57\"");
	big[n] = '\0';
	snprintf(big + n, sizeof(big) - n, "\"k100\": 0}");
	v = json_parse(big, err, sizeof(err));
	assert_non_null(v);
	json_free(v);
}

/* \u0000 in a string would cut it short: refused; an escaped backslash before u0000 is not one. */
static void json_nul_escape_test(void **state)
{
	char err[JSON_ERR_LEN];
	const char *name;
	yajl_val v;

	assert_null(json_parse("{\"name\": \"ab\\u0000cd\"}", err, sizeof(err)));
	assert_non_null(strstr(err, "u0000 (NUL)"));
	assert_null(json_parse("[\"\\u0000\"]", err, sizeof(err)));
	v = json_parse("{\"name\": \"a\\\\u0000\"}", err, sizeof(err));
	assert_non_null(v);
	name = YAJL_GET_STRING(json_get(v, "name"));
	assert_non_null(name);
	assert_string_equal(name, "a\\u0000");
	json_free(v);
}

static void json_out_roundtrip_test(void **state)
{
	struct json_out *out = json_out_new(0);
	char err[JSON_ERR_LEN];
	const char *buf = NULL;
	size_t len = 0;
	char *copy;
	yajl_val v;
	uint64_t u = 0;

	assert_non_null(out);
	json_out_obj_open(out);
	json_out_kv_str(out, "name", "web\"1");
	json_out_kv_u64(out, "big", UINT64_C(1) << 50);
	json_out_kv_bool(out, "ok", 1);
	json_out_obj_close(out);
	assert_int_equal(json_out_finish(out, &buf, &len), 0);
	copy = strndup(buf, len);
	v = json_parse(copy, err, sizeof(err));
	assert_non_null(v);
	assert_int_equal(json_get_u64(v, "big", 0, UINT64_MAX, &u), 0);
	assert_int_equal(u, UINT64_C(1) << 50);
	json_free(v);
	free(copy);
	json_out_free(out);
}

/* Misuse (a value where a key is due) is reported at finish, not ignored. */
static void json_out_misuse_test(void **state)
{
	struct json_out *out = json_out_new(0);
	const char *buf = NULL;
	size_t len = 0;

	json_out_obj_open(out);
	json_out_u64(out, 5);
	json_out_obj_close(out);
	assert_int_equal(json_out_finish(out, &buf, &len), XMEM_ERR_INVAL);
	json_out_free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_getters_test),	   cmocka_unit_test(json_parse_error_test),
		cmocka_unit_test(json_duplicate_key_test), cmocka_unit_test(json_nul_escape_test),
		cmocka_unit_test(json_out_roundtrip_test), cmocka_unit_test(json_out_misuse_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
