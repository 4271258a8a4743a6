/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf.c: see conf.h.
 */
#include "config.h"
#include "conf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "log.h"
#include "policy/policy.h"
#include "xmem_err.h"

void conf_defaults(struct conf *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->period_ms = CONF_PERIOD_MS_DEFAULT;
	cfg->floor_kib = CONF_FLOOR_KIB_DEFAULT;
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", CONF_STATE_DIR_DEFAULT);
	snprintf(cfg->domains_dir, sizeof(cfg->domains_dir), "%s", CONF_DOMAINS_DIR_DEFAULT);
	snprintf(cfg->policy_dir, sizeof(cfg->policy_dir), "%s", CONF_POLICY_DIR_DEFAULT);
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
	static const char *const known[] = { "period_ms",	"floor",       "policy",
					     "prometheus_file", "pid_file",    "log_file",
					     "state_dir",	"domains_dir", "policy_dir" };
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
	if (!rc)
		rc = conf_str(root, "policy_dir", cfg->policy_dir, sizeof(cfg->policy_dir), path,
			      err, err_len);
out:
	json_free(root);
	return rc;
}

int conf_policy(const struct conf *cfg, struct policy *pol_r, char *where_r, size_t where_len,
		char *err, size_t err_len)
{
	const char *spec = cfg->policy[0] ? cfg->policy : "xmem";
	char file[CONF_WHERE_MAX];
	enum policy_kind kind;
	struct policy pol;
	int rc, by_name = !strchr(spec, '/') && !strstr(spec, ".json");

	memset(&pol, 0, sizeof(pol));
	snprintf(file, sizeof(file), "%s", spec);
	if (by_name) {
		snprintf(file, sizeof(file), "%s/%s.json", cfg->policy_dir, spec);
		if (access(file, F_OK) < 0) {
			if (policy_kind_parse(spec, &kind)) {
				snprintf(err, err_len,
					 "policy \"%s\": no %s and not a built-in policy "
					 "(xmem, proportional, static, hyperv)",
					 spec, file);
				return XMEM_ERR_INVAL;
			}
			policy_defaults(&pol, kind);
			snprintf(file, sizeof(file), "built-in");
			goto done;
		}
	}
	rc = policy_load_file(file, &pol, err, err_len);
	if (rc)
		return rc;
done:
	*pol_r = pol;
	if (where_r)
		snprintf(where_r, where_len, "%s", file);
	return 0;
}

/* Log one changed u64 member; 1 when it changed. */
static int conf_diff_u64(const char *what, uint64_t was, uint64_t now, const char *unit)
{
	if (was == now)
		return 0;
	log_info("reload: %s %" PRIu64 "%s -> %" PRIu64 "%s", what, was, unit, now, unit);
	return 1;
}

/* Log one changed string member; 1 when it changed. */
static int conf_diff_str(const char *what, const char *was, const char *now)
{
	if (!strcmp(was, now))
		return 0;
	log_info("reload: %s \"%s\" -> \"%s\"", what, was, now);
	return 1;
}

int conf_log_changes(const struct conf *old, const struct policy *oldp, const struct conf *cfg,
		     const struct policy *pol)
{
	int n = 0;

	n += conf_diff_u64("period_ms", old->period_ms, cfg->period_ms, "");
	n += conf_diff_u64("floor", old->floor_kib, cfg->floor_kib, " KiB");
	n += conf_diff_str("policy", old->policy, cfg->policy);
	n += conf_diff_str("policy_dir", old->policy_dir, cfg->policy_dir);
	n += conf_diff_str("prometheus_file", old->prometheus_file, cfg->prometheus_file);
	if (conf_diff_str("pid_file (kept until a restart)", old->pid_file, cfg->pid_file) ||
	    conf_diff_str("log_file (kept until a restart)", old->log_file, cfg->log_file))
		n++;
	n += conf_diff_str("policy kind", policy_kind_name(oldp->kind),
			   policy_kind_name(pol->kind));
	n += conf_diff_str("policy name", oldp->name, pol->name);
	n += conf_diff_u64("policy buffer_pct", oldp->default_buffer_pct, pol->default_buffer_pct,
			   "");
	n += conf_diff_u64("policy deadband", oldp->deadband_kib, pol->deadband_kib, " KiB");
	n += conf_diff_u64("policy deadband_pct", oldp->deadband_pct, pol->deadband_pct, "");
	n += conf_diff_u64("policy shrink_pct_per_s", oldp->shrink_pct_per_s, pol->shrink_pct_per_s,
			   "");
	n += conf_diff_u64("policy pressure_boost_pct", oldp->pressure_boost_pct,
			   pol->pressure_boost_pct, "");
	n += conf_diff_u64("policy min_rate", oldp->min_rate_kib_s, pol->min_rate_kib_s, " KiB/s");
	n += conf_diff_u64("policy uncoop_after_s", oldp->uncoop_after_s, pol->uncoop_after_s, "");
	n += conf_diff_u64("policy headroom_halflife_s", oldp->headroom_halflife_s,
			   pol->headroom_halflife_s, "");
	return n;
}
