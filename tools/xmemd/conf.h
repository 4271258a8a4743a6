/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf.h: xmemd's configuration file (/etc/xmem/xmemd.json).
 *
 *   {
 *     "period_ms": 1000,            rebalance at least this often (100..600000)
 *     "floor": "256M",              never handed out (KiB number or xl size)
 *     "policy": "/etc/xmem/policy/xmem.json",   a policy file, or a policy name
 *     "prometheus_file": "/var/lib/prometheus/node-exporter/xmem.prom",  "" disables
 *     "pid_file": "/run/xmemd.pid",
 *     "log_file": "",               "" logs to syslog (or stderr in the foreground)
 *     "state_dir": "/var/lib/xmem", each VM's saved policy (vm/NAME.json); "" disables
 *     "domains_dir": "/etc/xmem/domains", policy files from configuration management
 *     "policy_dir": "/etc/xmem/policy"   where a policy given by name is looked up
 *   }
 *
 * On a simulated host (--host DIR) the state and domains directories default
 * to DIR/state and DIR/domains. A policy given by name (no '/', no ".json")
 * is policy_dir/NAME.json when that file exists, else the built-in defaults
 * of the policy kind NAME.
 *
 * Every member is optional; command-line options override the file. Unknown
 * members are refused, so a typo does not silently fall back to a default.
 */
#ifndef XMEMD_CONF_H
#define XMEMD_CONF_H

#include <stddef.h>
#include <stdint.h>

#define CONF_PATH_DEFAULT	 "/etc/xmem/xmemd.json"
#define CONF_PERIOD_MS_DEFAULT	 1000u
#define CONF_PERIOD_MS_MIN	 10u
#define CONF_PERIOD_MS_MAX	 600000u
#define CONF_FLOOR_KIB_DEFAULT	 (256u * 1024u)
#define CONF_PATH_MAX		 4096
#define CONF_POLICY_DIR_DEFAULT	 "/etc/xmem/policy"
#define CONF_WHERE_MAX		 (2 * CONF_PATH_MAX + 8) /* a policy file found by name */
#define CONF_STATE_DIR_DEFAULT	 "/var/lib/xmem"
#define CONF_DOMAINS_DIR_DEFAULT "/etc/xmem/domains"

struct conf {
	uint64_t period_ms;
	uint64_t floor_kib;
	char policy[CONF_PATH_MAX];	     /* file or name; "" = the xmem policy's defaults */
	char prometheus_file[CONF_PATH_MAX]; /* "" = none */
	char pid_file[CONF_PATH_MAX];
	char log_file[CONF_PATH_MAX];
	char state_dir[CONF_PATH_MAX];	    /* "" = no saved policies */
	char domains_dir[CONF_PATH_MAX];    /* "" = no admin's policy files */
	int state_dir_set, domains_dir_set; /* given by the file (else the host's default) */
	char policy_dir[CONF_PATH_MAX];
};

struct policy;

/* Fill the defaults. */
void conf_defaults(struct conf *cfg);

/*
 * Read path into cfg (members absent from the file keep their values).
 * missing_ok: a missing file is not an error. Returns 0 or a negative
 * XMEM_ERR_* with a message naming the file and the member in err.
 */
int conf_load(struct conf *cfg, const char *path, int missing_ok, char *err, size_t err_len);

/*
 * Load the policy cfg names (see above) into pol_r; where_r (len where_len,
 * may be NULL) says where it came from: a file, or "built-in". 0 or a
 * negative XMEM_ERR_* with the reason in err; pol_r is untouched on error.
 */
int conf_policy(const struct conf *cfg, struct policy *pol_r, char *where_r, size_t where_len,
		char *err, size_t err_len);

/*
 * Log, at info level, every difference between the running configuration
 * (old, oldp) and a reloaded one (cfg, pol). Returns how many differ.
 */
int conf_log_changes(const struct conf *old, const struct policy *oldp, const struct conf *cfg,
		     const struct policy *pol);

#endif
