/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json.h: all JSON goes through here, on top of yajl.
 *
 * Reading: json_parse() builds yajl's owned tree (yajl_tree); the typed
 * getters below walk it and say precisely what is wrong with a document
 * ("guests[2].weight: expected an integer from 0 to 10000").
 *
 * Writing: struct json_out wraps a yajl generator. Every yajl_gen_status is
 * checked; the first failure is kept and reported by json_out_finish(), so a
 * caller may emit a whole document and check once.
 */
#ifndef XMEM_JSON_H
#define XMEM_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <yajl/yajl_tree.h>

#define JSON_ERR_LEN 256

/*
 * Parse text (NUL-terminated). NULL on failure, with a message in err. Beyond
 * yajl's syntax checks, a document is refused when an object has a key twice
 * ("duplicate key \"name\"": yajl keeps both, json_get() would see one) or a
 * string holds \u0000 (it would cut the C string short).
 */
yajl_val json_parse(const char *text, char *err, size_t err_len);

/*
 * Read and parse a file (at most 16 MiB, no NUL byte). NULL on failure, with a
 * message in err.
 */
yajl_val json_parse_file(const char *path, char *err, size_t err_len);

/* Free a parsed tree (NULL is fine). */
void json_free(yajl_val v);

/* Member key of object obj, or NULL (also when obj is not an object). */
yajl_val json_get(yajl_val obj, const char *key);

/*
 * Typed member getters. Each returns 0 and writes *_r, XMEM_ERR_NOTFOUND when
 * the key is absent (leaving *_r alone, so defaults can be preset), or
 * XMEM_ERR_INVAL when the value has the wrong type or is out of [min, max].
 */
int json_get_u64(yajl_val obj, const char *key, uint64_t min, uint64_t max, uint64_t *val_r);
int json_get_double(yajl_val obj, const char *key, double *val_r);
int json_get_bool(yajl_val obj, const char *key, int *val_r);
int json_get_str(yajl_val obj, const char *key, const char **val_r);

/* A size member: a number (KiB) or a string with xl's suffixes ("4G"). */
int json_get_size_kib(yajl_val obj, const char *key, uint64_t *kib_r);

struct json_out;

/* A new generator; pretty != 0 indents. NULL when out of memory. */
struct json_out *json_out_new(int pretty);
void json_out_free(struct json_out *out);

void json_out_obj_open(struct json_out *out);
void json_out_obj_close(struct json_out *out);
void json_out_arr_open(struct json_out *out);
void json_out_arr_close(struct json_out *out);
void json_out_key(struct json_out *out, const char *key);
void json_out_str(struct json_out *out, const char *val);
void json_out_u64(struct json_out *out, uint64_t val);
void json_out_i64(struct json_out *out, int64_t val);
void json_out_double(struct json_out *out, double val);
void json_out_bool(struct json_out *out, int val);
void json_out_null(struct json_out *out);

/* Key-value shorthands inside an object. */
void json_out_kv_str(struct json_out *out, const char *key, const char *val);
void json_out_kv_u64(struct json_out *out, const char *key, uint64_t val);
void json_out_kv_i64(struct json_out *out, const char *key, int64_t val);
void json_out_kv_double(struct json_out *out, const char *key, double val);
void json_out_kv_bool(struct json_out *out, const char *key, int val);

/*
 * Finish: on success *buf_r and *len_r point at the document (owned by out,
 * valid until json_out_free) and 0 is returned; otherwise XMEM_ERR_INVAL
 * (generator misuse) or XMEM_ERR_NOMEM.
 */
int json_out_finish(struct json_out *out, const char **buf_r, size_t *len_r);

/* Finish and write the document plus a newline to f. Returns 0 or a negative XMEM_ERR_*. */
int json_out_print(struct json_out *out, FILE *f);

#endif
