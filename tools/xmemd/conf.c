/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf.c: see conf.h.
 */
#include "config.h"
#include "conf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "xmem_err.h"

void conf_defaults(struct conf *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->period_ms = CONF_PERIOD_MS_DEFAULT;
	cfg->floor_kib = CONF_FLOOR_KIB_DEFAULT;
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", CONF_STATE_DIR_DEFAULT);
	snprintf(cfg->domains_dir, sizeof(cfg->domains_dir), "%s", CONF_DOMAINS_DIR_DEFAULT);
}

/* Copy string member key into buf if present. */
static int conf_str(yajl_val root, const char *key, char *buf, size_t len, const char *path,
		    char *err, size_t err_len)
{
	const char *s;
	int rc = json_get_str(root, key, &s);

	if (rc == XMEM_ERR_NOTFOUND)
		return 0;
	if (rc || strlen(s) >= len) {
		snprintf(err, err_len, "%s: %s: expected a string shorter than %zu", path, key,
			 len);
		return XMEM_ERR_INVAL;
	}
	snprintf(buf, len, "%s", s);
	return 0;
}

int conf_load(struct conf *cfg, const char *path, int missing_ok, char *err, size_t err_len)
{
	static const char *const known[] = { "period_ms",	"floor",      "policy",
					     "prometheus_file", "pid_file",   "log_file",
					     "state_dir",	"domains_dir" };
	char jerr[JSON_ERR_LEN];
	yajl_val root = NULL;
	size_t i, j;
	int rc;

	if (missing_ok && access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	root = json_parse_file(path, jerr, sizeof(jerr));
	if (!root) {
		snprintf(err, err_len, "%s", jerr);
		rc = XMEM_ERR_INVAL;
		goto out;
	}
	if (!YAJL_IS_OBJECT(root)) {
		snprintf(err, err_len, "%s: expected a JSON object", path);
		rc = XMEM_ERR_INVAL;
		goto out;
	}
	for (i = 0; i < root->u.object.len; i++) {
		for (j = 0; j < sizeof(known) / sizeof(known[0]); j++)
			if (!strcmp(root->u.object.keys[i], known[j]))
				break;
		if (j == sizeof(known) / sizeof(known[0])) {
			snprintf(err, err_len, "%s: unknown member \"%s\"", path,
				 root->u.object.keys[i]);
			rc = XMEM_ERR_INVAL;
			goto out;
		}
	}
	rc = json_get_u64(root, "period_ms", CONF_PERIOD_MS_MIN, CONF_PERIOD_MS_MAX,
			  &cfg->period_ms);
	if (rc && rc != XMEM_ERR_NOTFOUND) {
		snprintf(err, err_len, "%s: period_ms: expected an integer from %u to %u", path,
			 CONF_PERIOD_MS_MIN, CONF_PERIOD_MS_MAX);
		goto out;
	}
	rc = json_get_size_kib(root, "floor", &cfg->floor_kib);
	if (rc && rc != XMEM_ERR_NOTFOUND) {
		snprintf(err, err_len, "%s: floor: expected a size (KiB, or \"256M\")", path);
		goto out;
	}
	rc = conf_str(root, "policy", cfg->policy, sizeof(cfg->policy), path, err, err_len);
	if (!rc)
		rc = conf_str(root, "prometheus_file", cfg->prometheus_file,
			      sizeof(cfg->prometheus_file), path, err, err_len);
	if (!rc)
		rc = conf_str(root, "pid_file", cfg->pid_file, sizeof(cfg->pid_file), path, err,
			      err_len);
	if (!rc)
		rc = conf_str(root, "log_file", cfg->log_file, sizeof(cfg->log_file), path, err,
			      err_len);
	if (!rc)
		rc = conf_str(root, "state_dir", cfg->state_dir, sizeof(cfg->state_dir), path, err,
			      err_len);
	if (!rc)
		rc = conf_str(root, "domains_dir", cfg->domains_dir, sizeof(cfg->domains_dir), path,
			      err, err_len);
	cfg->state_dir_set |= json_get(root, "state_dir") != NULL;
	cfg->domains_dir_set |= json_get(root, "domains_dir") != NULL;
out:
	json_free(root);
	return rc;
}
