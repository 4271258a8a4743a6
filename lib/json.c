/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json.c: see json.h.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "json.h"
#include "size.h"
#include "xmem_err.h"

#define JSON_FILE_MAX (16u << 20)

/* qsort's comparison of two C strings. */
static int json_key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct json_out {
	yajl_gen gen;
	yajl_gen_status status; /* first failure, or yajl_gen_status_ok */
};

/*
 * Whether a string of text holds the escape \u0000: yajl decodes it into a NUL
 * that would silently cut the C string the tree keeps. Only escapes count
 * ("\\u0000" is a backslash and "u0000").
 */
static int json_has_nul_escape(const char *text)
{
	const char *p;
	int in_str = 0;

	for (p = text; *p; p++) {
		if (!in_str) {
			in_str = *p == '"';
			continue;
		}
		if (*p == '"') {
			in_str = 0;
		} else if (*p == '\\' && p[1]) {
			if (p[1] == 'u' && !strncmp(p + 2, "0000", 4))
				return 1;
			p++;
		}
	}
	return 0;
}

/* Whether object o has key twice; *dup_r names it. Sorted copy for large objects. */
static int json_object_dup(yajl_val o, const char **dup_r)
{
	size_t n = o->u.object.len, i, j;
	const char **keys;
	int found = 0;

	if (n <= 16) {
		for (i = 0; i < n && !found; i++)
			for (j = i + 1; j < n && !found; j++)
				if (!strcmp(o->u.object.keys[i], o->u.object.keys[j])) {
					*dup_r = o->u.object.keys[i];
					found = 1;
				}
		return found;
	}
	keys = malloc(n * sizeof(*keys));
	if (!keys)
		return -1;
	memcpy(keys, o->u.object.keys, n * sizeof(*keys));
	qsort(keys, n, sizeof(*keys), json_key_cmp);
	for (i = 1; i < n && !found; i++)
		if (!strcmp(keys[i - 1], keys[i])) {
			*dup_r = keys[i];
			found = 1;
		}
	free(keys);
	return found;
}

/*
 * yajl keeps both values of a key given twice (and json_get() would see only
 * the first): refuse such documents. Iterative walk with its own stack.
 * 0, or XMEM_ERR_INVAL / XMEM_ERR_NOMEM with a message in err.
 */
static int json_check_unique_keys(yajl_val root, char *err, size_t err_len)
{
	yajl_val *stack = NULL, v, *grown;
	size_t nr = 0, cap = 0, i, nr_sub;
	const char *dup = NULL;
	int rc = 0, r;

	v = root;
	for (;;) {
		nr_sub = 0;
		if (YAJL_IS_OBJECT(v)) {
			r = json_object_dup(v, &dup);
			if (r) {
				rc = r < 0 ? XMEM_ERR_NOMEM : XMEM_ERR_INVAL;
				break;
			}
			nr_sub = v->u.object.len;
		} else if (YAJL_IS_ARRAY(v)) {
			nr_sub = v->u.array.len;
		}
		if (nr + nr_sub > cap) {
			cap = (nr + nr_sub) * 2;
			grown = realloc(stack, cap * sizeof(*stack));
			if (!grown) {
				rc = XMEM_ERR_NOMEM;
				break;
			}
			stack = grown;
		}
		for (i = 0; i < nr_sub; i++)
			stack[nr++] =
				YAJL_IS_OBJECT(v) ? v->u.object.values[i] : v->u.array.values[i];
		if (!nr)
			break;
		v = stack[--nr];
	}
	free(stack);
	if (rc == XMEM_ERR_INVAL)
		snprintf(err, err_len, "duplicate key \"%.64s\"", dup);
	else if (rc)
		snprintf(err, err_len, "out of memory");
	return rc;
}

yajl_val json_parse(const char *text, char *err, size_t err_len)
{
	char ebuf[JSON_ERR_LEN] = "";
	yajl_val v;

	if (json_has_nul_escape(text)) {
		if (err)
			snprintf(err, err_len, "a string holds \\u0000 (NUL)");
		return NULL;
	}
	v = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (v && json_check_unique_keys(v, ebuf, sizeof(ebuf))) {
		yajl_tree_free(v);
		v = NULL;
	}
	if (!v && err) {
		char *nl;

		/* yajl's message spans lines; keep the first, it names the problem. */
		nl = strchr(ebuf, '\n');
		if (nl)
			*nl = '\0';
		snprintf(err, err_len, "%s", ebuf[0] ? ebuf : "invalid JSON");
	}
	return v;
}

yajl_val json_parse_file(const char *path, char *err, size_t err_len)
{
	FILE *f = NULL;
	char *text = NULL;
	yajl_val v = NULL;
	size_t len = 0, cap = 0, n;

	f = fopen(path, "r");
	if (!f) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nt;

			cap = cap ? cap * 2 : 16384;
			if (cap > JSON_FILE_MAX + 1) {
				snprintf(err, err_len, "%s: larger than %u bytes", path,
					 JSON_FILE_MAX);
				goto out;
			}
			nt = realloc(text, cap);
			if (!nt) {
				snprintf(err, err_len, "%s: out of memory", path);
				goto out;
			}
			text = nt;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, err_len, "%s: read error", path);
		goto out;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len)) {
		snprintf(err, err_len, "%s: holds a NUL byte at offset %zu", path,
			 (size_t)((char *)memchr(text, '\0', len) - text));
		goto out;
	}
	v = json_parse(text, err, err_len);
	if (!v) {
		char tmp[JSON_ERR_LEN];

		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, err_len, "%s: %s", path, tmp);
	}
out:
	if (f)
		fclose(f);
	free(text);
	return v;
}

void json_free(yajl_val v)
{
	if (v)
		yajl_tree_free(v);
}

yajl_val json_get(yajl_val obj, const char *key)
{
	size_t i;

	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

int json_get_u64(yajl_val obj, const char *key, uint64_t min, uint64_t max, uint64_t *val_r)
{
	yajl_val v = json_get(obj, key);
	long long i;

	if (!v)
		return XMEM_ERR_NOTFOUND;
	if (!YAJL_IS_INTEGER(v))
		return XMEM_ERR_INVAL;
	i = YAJL_GET_INTEGER(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return XMEM_ERR_INVAL;
	*val_r = (uint64_t)i;
	return 0;
}

int json_get_double(yajl_val obj, const char *key, double *val_r)
{
	yajl_val v = json_get(obj, key);

	if (!v)
		return XMEM_ERR_NOTFOUND;
	if (!YAJL_IS_NUMBER(v))
		return XMEM_ERR_INVAL;
	if (YAJL_IS_INTEGER(v))
		*val_r = (double)YAJL_GET_INTEGER(v);
	else
		*val_r = YAJL_GET_DOUBLE(v);
	if (!isfinite(*val_r))
		return XMEM_ERR_INVAL;
	return 0;
}

int json_get_bool(yajl_val obj, const char *key, int *val_r)
{
	yajl_val v = json_get(obj, key);

	if (!v)
		return XMEM_ERR_NOTFOUND;
	if (YAJL_IS_TRUE(v))
		*val_r = 1;
	else if (YAJL_IS_FALSE(v))
		*val_r = 0;
	else
		return XMEM_ERR_INVAL;
	return 0;
}

int json_get_str(yajl_val obj, const char *key, const char **val_r)
{
	yajl_val v = json_get(obj, key);

	if (!v)
		return XMEM_ERR_NOTFOUND;
	if (!YAJL_IS_STRING(v))
		return XMEM_ERR_INVAL;
	*val_r = YAJL_GET_STRING(v);
	return 0;
}

int json_get_size_kib(yajl_val obj, const char *key, uint64_t *kib_r)
{
	yajl_val v = json_get(obj, key);

	if (!v)
		return XMEM_ERR_NOTFOUND;
	if (YAJL_IS_INTEGER(v)) {
		long long i = YAJL_GET_INTEGER(v);

		if (i < 0 || (uint64_t)i > SIZE_MAX_KIB)
			return XMEM_ERR_INVAL;
		*kib_r = (uint64_t)i;
		return 0;
	}
	if (YAJL_IS_STRING(v))
		return size_parse_kib(YAJL_GET_STRING(v), kib_r) ? XMEM_ERR_INVAL : 0;
	return XMEM_ERR_INVAL;
}

struct json_out *json_out_new(int pretty)
{
	struct json_out *out = calloc(1, sizeof(*out));

	if (!out)
		return NULL;
	out->gen = yajl_gen_alloc(NULL);
	if (!out->gen) {
		free(out);
		return NULL;
	}
	yajl_gen_config(out->gen, yajl_gen_beautify, pretty ? 1 : 0);
	yajl_gen_config(out->gen, yajl_gen_validate_utf8, 1);
	out->status = yajl_gen_status_ok;
	return out;
}

void json_out_free(struct json_out *out)
{
	if (!out)
		return;
	yajl_gen_free(out->gen);
	free(out);
}

/* Remember the first failure. */
static void json_out_check(struct json_out *out, yajl_gen_status s)
{
	if (s != yajl_gen_status_ok && out->status == yajl_gen_status_ok)
		out->status = s;
}

void json_out_obj_open(struct json_out *out)
{
	json_out_check(out, yajl_gen_map_open(out->gen));
}

void json_out_obj_close(struct json_out *out)
{
	json_out_check(out, yajl_gen_map_close(out->gen));
}

void json_out_arr_open(struct json_out *out)
{
	json_out_check(out, yajl_gen_array_open(out->gen));
}

void json_out_arr_close(struct json_out *out)
{
	json_out_check(out, yajl_gen_array_close(out->gen));
}

void json_out_key(struct json_out *out, const char *key)
{
	json_out_str(out, key);
}

void json_out_str(struct json_out *out, const char *val)
{
	if (!val) {
		json_out_null(out);
		return;
	}
	json_out_check(out, yajl_gen_string(out->gen, (const unsigned char *)val, strlen(val)));
}

void json_out_u64(struct json_out *out, uint64_t val)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)val);

	json_out_check(out, yajl_gen_number(out->gen, buf, (size_t)len));
}

void json_out_i64(struct json_out *out, int64_t val)
{
	json_out_check(out, yajl_gen_integer(out->gen, (long long)val));
}

void json_out_double(struct json_out *out, double val)
{
	if (!isfinite(val)) {
		json_out_null(out);
		return;
	}
	json_out_check(out, yajl_gen_double(out->gen, val));
}

void json_out_bool(struct json_out *out, int val)
{
	json_out_check(out, yajl_gen_bool(out->gen, val ? 1 : 0));
}

void json_out_null(struct json_out *out)
{
	json_out_check(out, yajl_gen_null(out->gen));
}

void json_out_kv_str(struct json_out *out, const char *key, const char *val)
{
	json_out_key(out, key);
	json_out_str(out, val);
}

void json_out_kv_u64(struct json_out *out, const char *key, uint64_t val)
{
	json_out_key(out, key);
	json_out_u64(out, val);
}

void json_out_kv_i64(struct json_out *out, const char *key, int64_t val)
{
	json_out_key(out, key);
	json_out_i64(out, val);
}

void json_out_kv_double(struct json_out *out, const char *key, double val)
{
	json_out_key(out, key);
	json_out_double(out, val);
}

void json_out_kv_bool(struct json_out *out, const char *key, int val)
{
	json_out_key(out, key);
	json_out_bool(out, val);
}

int json_out_finish(struct json_out *out, const char **buf_r, size_t *len_r)
{
	const unsigned char *buf = NULL;
	size_t len = 0;

	if (out->status != yajl_gen_status_ok)
		return XMEM_ERR_INVAL;
	if (yajl_gen_get_buf(out->gen, &buf, &len) != yajl_gen_status_ok)
		return XMEM_ERR_INVAL;
	*buf_r = (const char *)buf;
	*len_r = len;
	return 0;
}

int json_out_print(struct json_out *out, FILE *f)
{
	const char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = json_out_finish(out, &buf, &len);
	if (rc)
		return rc;
	if (fwrite(buf, 1, len, f) != len)
		return XMEM_ERR_IO;
	if (len == 0 || buf[len - 1] != '\n')
		fputc('\n', f);
	return 0;
}
