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

/* An unsigned parameter with its range; off is its offset in struct policy. */
struct file_uint_param {
	const char *key;
	uint64_t min, max;
	size_t off;
	int is_size; /* a size in KiB (number) or with a suffix ("16M") */
	int is_u64;
};

#define FILE_UINT(k, lo, hi, field)                             \
	{                                                       \
		k, lo, hi, offsetof(struct policy, field), 0, 0 \
	}
#define FILE_SIZE(k, field)                                                     \
	{                                                                       \
		k, 0, SIZE_MAX_KIB_POLICY, offsetof(struct policy, field), 1, 1 \
	}

static const struct file_uint_param file_params[] = {
	FILE_UINT("buffer_pct", POLICY_BUFFER_MIN_PCT, POLICY_BUFFER_MAX_PCT, default_buffer_pct),
	FILE_SIZE("deadband", deadband_kib),
	FILE_UINT("deadband_pct", 0, 100, deadband_pct),
	FILE_UINT("shrink_pct_per_s", 0, 100, shrink_pct_per_s),
	FILE_UINT("pressure_boost_pct", 0, 1000, pressure_boost_pct),
	FILE_SIZE("min_rate", min_rate_kib_s),
	FILE_UINT("uncoop_after_s", 1, 86400, uncoop_after_s),
	FILE_UINT("headroom_halflife_s", 0, 30 * 86400, headroom_halflife_s),
};

#define FILE_NR_PARAMS (sizeof(file_params) / sizeof(file_params[0]))

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

/* Read one numeric parameter into pol. */
static int file_read_param(yajl_val root, const struct file_uint_param *p, struct policy *pol,
			   const char *path, char *err, size_t err_len)
{
	uint64_t v = 0;
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
	if (p->is_u64)
		*(uint64_t *)((char *)pol + p->off) = v;
	else
		*(unsigned int *)((char *)pol + p->off) = (unsigned int)v;
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
		snprintf(
			err, err_len,
			"%s: policy: expected \"xmem\", \"proportional\", \"static\" or \"hyperv\"",
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
		rc = file_read_param(root, &file_params[k], &pol, path, err, err_len);
		if (rc)
			goto out;
	}
	*pol_r = pol;
	rc = 0;
out:
	json_free(root);
	return rc;
}
