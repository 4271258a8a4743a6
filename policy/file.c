/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * file.c: policy files (policy/<kind>.json, documented in xmem-policy(5)).
 *
 * A file names its kind and may override any parameter; what it leaves out
 * keeps the kind's default (policy_defaults()). Unknown parameters are an
 * error, so a misspelt one is not silently ignored. This is the only file of
 * policy/ that does I/O; the plan itself never does.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "policy_int.h"
#include "xmem_err.h"

/* The numeric parameters: name, range, and whether it is a size ("16M"). */
struct file_param {
	const char *key;
	uint64_t min, max;
	int is_size;
};

static const struct file_param file_params[] = {
	{ "buffer_pct", POLICY_BUFFER_MIN_PCT, POLICY_BUFFER_MAX_PCT, 0 },
	{ "deadband", 0, SIZE_MAX_KIB_POLICY, 1 },
	{ "deadband_pct", 0, 100, 0 },
	{ "shrink_pct_per_s", 0, 100, 0 },
	{ "pressure_boost_pct", 0, 1000, 0 },
	{ "min_rate", 0, SIZE_MAX_KIB_POLICY, 1 },
	{ "uncoop_after_s", 1, 86400, 0 },
	{ "headroom_halflife_s", 0, 30 * 86400, 0 },
	{ "surplus", 0, 1, 0 },
	{ "keep_free", 0, SIZE_MAX_KIB_POLICY, 1 },
	{ "surplus_base", 0, SIZE_MAX_KIB_POLICY, 1 },
	{ "boost_capped", 0, 1, 0 },
	{ "silent_surplus_pct", 0, 100, 0 },
	{ "cover_halflife_s", 0, 30 * 86400, 0 },
	{ "cover_rise_s", 0, 86400, 0 },
	{ "cover_cond", 0, 1, 0 },
	{ "cover_cond_prior_s", 0, 30 * 86400, 0 },
	{ "cover_phase", 0, 1, 0 },
};

#define FILE_NR_PARAMS (sizeof(file_params) / sizeof(file_params[0]))

/* Where parameter k lives in pol: exactly one of the two pointers is set. */
static void file_param_field(struct policy *pol, size_t k, unsigned int **u_r, uint64_t **kib_r)
{
	unsigned int *const u[FILE_NR_PARAMS] = {
		&pol->default_buffer_pct,
		NULL,
		&pol->deadband_pct,
		&pol->shrink_pct_per_s,
		&pol->pressure_boost_pct,
		NULL,
		&pol->uncoop_after_s,
		&pol->headroom_halflife_s,
		&pol->surplus,
		NULL,
		NULL,
		&pol->boost_capped,
		&pol->silent_surplus_pct,
		&pol->cover_halflife_s,
		&pol->cover_rise_s,
		&pol->cover_cond,
		&pol->cover_cond_prior_s,
		&pol->cover_phase,
	};
	uint64_t *const kib[FILE_NR_PARAMS] = {
		NULL,
		&pol->deadband_kib,
		NULL,
		NULL,
		NULL,
		&pol->min_rate_kib_s,
		NULL,
		NULL,
		NULL,
		&pol->keep_free_kib,
		&pol->surplus_base_kib,
		NULL,
		NULL,
		NULL,
		NULL,
		NULL,
		NULL,
		NULL,
	};

	*u_r = u[k];
	*kib_r = kib[k];
}

/* Known top-level keys besides the numeric parameters. */
static int file_key_known(const char *key)
{
	size_t k;

	if (!strcmp(key, "policy") || !strcmp(key, "name") || !strcmp(key, "description"))
		return 1;
	for (k = 0; k < FILE_NR_PARAMS; k++)
		if (!strcmp(key, file_params[k].key))
			return 1;
	return 0;
}

/* Read numeric parameter k into pol, if the file sets it. */
static int file_read_param(yajl_val root, size_t k, struct policy *pol, const char *path, char *err,
			   size_t err_len)
{
	const struct file_param *p = &file_params[k];
	unsigned int *u;
	uint64_t v = 0, *kib;
	int rc;

	if (p->is_size)
		rc = json_get_size_kib(root, p->key, &v);
	else
		rc = json_get_u64(root, p->key, p->min, p->max, &v);
	if (rc == XMEM_ERR_NOTFOUND)
		return 0;
	if (rc) {
		if (p->is_size)
			snprintf(err, err_len, "%s: %s: expected a size (KiB, or \"16M\")", path,
				 p->key);
		else
			snprintf(err, err_len, "%s: %s: expected an integer from %llu to %llu",
				 path, p->key, (unsigned long long)p->min,
				 (unsigned long long)p->max);
		return XMEM_ERR_INVAL;
	}
	file_param_field(pol, k, &u, &kib);
	if (kib)
		*kib = v;
	else
		*u = (unsigned int)v;
	return 0;
}

int policy_load_file(const char *path, struct policy *pol_r, char *err, size_t err_len)
{
	char jerr[JSON_ERR_LEN];
	yajl_val root = NULL;
	struct policy pol;
	enum policy_kind kind;
	const char *s = NULL;
	size_t k;
	int rc;

	root = json_parse_file(path, jerr, sizeof(jerr));
	if (!root) {
		snprintf(err, err_len, "%s: %s", path, jerr);
		rc = XMEM_ERR_INVAL;
		goto out;
	}
	if (!YAJL_IS_OBJECT(root)) {
		snprintf(err, err_len, "%s: expected a JSON object", path);
		rc = XMEM_ERR_INVAL;
		goto out;
	}
	for (k = 0; k < root->u.object.len; k++) {
		if (!file_key_known(root->u.object.keys[k])) {
			snprintf(err, err_len, "%s: unknown parameter \"%s\"", path,
				 root->u.object.keys[k]);
			rc = XMEM_ERR_INVAL;
			goto out;
		}
	}
	rc = json_get_str(root, "policy", &s);
	if (rc || policy_kind_parse(s, &kind)) {
		snprintf(err, err_len,
			 "%s: policy: expected \"xmem\", \"proportional\", \"static\", \"hyperv\" "
			 "or \"spread\"",
			 path);
		rc = XMEM_ERR_INVAL;
		goto out;
	}
	policy_defaults(&pol, kind);
	rc = json_get_str(root, "name", &s);
	if (rc == 0) {
		if (!*s || strlen(s) >= sizeof(pol.name)) {
			snprintf(err, err_len, "%s: name: expected 1 to %zu characters", path,
				 sizeof(pol.name) - 1);
			rc = XMEM_ERR_INVAL;
			goto out;
		}
		snprintf(pol.name, sizeof(pol.name), "%s", s);
	} else if (rc != XMEM_ERR_NOTFOUND) {
		snprintf(err, err_len, "%s: name: expected a string", path);
		goto out;
	}
	rc = json_get_str(root, "description", &s);
	if (rc && rc != XMEM_ERR_NOTFOUND) {
		snprintf(err, err_len, "%s: description: expected a string", path);
		goto out;
	}
	for (k = 0; k < FILE_NR_PARAMS; k++) {
		rc = file_read_param(root, k, &pol, path, err, err_len);
		if (rc)
			goto out;
	}
	*pol_r = pol;
	rc = 0;
out:
	json_free(root);
	return rc;
}
