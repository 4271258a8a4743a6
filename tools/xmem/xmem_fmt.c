/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_fmt.c: what xmem prints. Pure functions of their arguments, so the
 * unit tests pin every column and every JSON member.
 *
 * Tables print sizes in whole MiB, as xl list and xl info do, and "-" for a
 * figure the host did not give. JSON prints KiB (the key tree's unit) and
 * null for a missing figure; the schema is in xmem(1).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "table.h"
#include "xmem.h"
#include "xmem_err.h"

char *fmt_mib(uint64_t kib, char *buf, size_t len)
{
	if (kib == XMEM_UNSET)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%" PRIu64, kib / 1024);
	return buf;
}

/* A number or "-". */
static char *fmt_num(uint64_t v, char *buf, size_t len)
{
	if (v == XMEM_UNSET)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

int fmt_list_table(FILE *f, const struct xmem_dom *doms, size_t nr)
{
	static const struct table_col cols[] = {
		{ "Name", 20, TABLE_LEFT },   { "ID", 5, TABLE_RIGHT },
		{ "Mem", 7, TABLE_RIGHT },    { "Target", 7, TABLE_RIGHT },
		{ "Demand", 7, TABLE_RIGHT }, { "Press%", 6, TABLE_RIGHT },
		{ "Min", 7, TABLE_RIGHT },    { "Max", 7, TABLE_RIGHT },
		{ "Weight", 6, TABLE_RIGHT }, { "Source", 18, TABLE_LEFT },
		{ "Age", 4, TABLE_RIGHT },    { "State", 0, TABLE_LEFT },
	};
	struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	const struct xmem_dom *d;
	char buf[24];
	size_t i;

	for (i = 0; i < nr; i++) {
		d = &doms[i];
		table_cell(t, "%s", d->name);
		table_cell(t, "%u", d->domid);
		table_cell(t, "%s", fmt_mib(d->current_kib, buf, sizeof(buf)));
		table_cell(t, "%s", fmt_mib(d->target_kib, buf, sizeof(buf)));
		table_cell(t, "%s", fmt_mib(d->demand_kib, buf, sizeof(buf)));
		table_cell(t, "%s", fmt_num(d->pressure_pct, buf, sizeof(buf)));
		table_cell(t, "%s", fmt_mib(model_min_kib(d), buf, sizeof(buf)));
		table_cell(t, "%s", fmt_mib(model_max_kib(d), buf, sizeof(buf)));
		table_cell(t, "%" PRIu64, model_weight(d));
		table_cell(t, "%s", d->demand_source);
		table_cell(t, "%s", fmt_num(d->demand_age_s, buf, sizeof(buf)));
		table_cell(t, "%s", d->state);
	}
	return table_print_free(t, f);
}

/* key: number, or null when unset. */
static void fmt_kv_u64n(struct json_out *out, const char *key, uint64_t v)
{
	json_out_key(out, key);
	if (v == XMEM_UNSET)
		json_out_null(out);
	else
		json_out_u64(out, v);
}

/* key: string, or null when empty. */
static void fmt_kv_strn(struct json_out *out, const char *key, const char *v)
{
	json_out_key(out, key);
	if (!v || !v[0])
		json_out_null(out);
	else
		json_out_str(out, v);
}

/* One domain as a JSON object. */
static void fmt_dom_json(struct json_out *out, const struct xmem_dom *d)
{
	json_out_obj_open(out);
	json_out_kv_str(out, "name", d->name);
	json_out_kv_u64(out, "domid", d->domid);
	fmt_kv_u64n(out, "current_kib", d->current_kib);
	fmt_kv_u64n(out, "target_kib", d->target_kib);
	fmt_kv_u64n(out, "demand_kib", d->demand_kib);
	fmt_kv_u64n(out, "pressure_pct", d->pressure_pct);
	fmt_kv_u64n(out, "min_kib", model_min_kib(d));
	fmt_kv_u64n(out, "max_kib", model_max_kib(d));
	fmt_kv_u64n(out, "startup_kib", d->startup_kib);
	fmt_kv_u64n(out, "static_max_kib", d->static_max_kib);
	fmt_kv_u64n(out, "boot_max_kib", d->boot_max_kib);
	json_out_kv_bool(out, "hotplug", model_hotplug(d));
	fmt_kv_u64n(out, "hv_max_kib", d->hv_max_kib);
	json_out_kv_u64(out, "videoram_kib", d->videoram_kib);
	json_out_kv_u64(out, "weight", model_weight(d));
	json_out_kv_u64(out, "buffer_pct", model_buffer_pct(d));
	json_out_kv_bool(out, "managed", d->managed);
	json_out_kv_bool(out, "uncooperative", d->uncooperative);
	fmt_kv_strn(out, "balloon_state", d->balloon_state);
	fmt_kv_u64n(out, "balloon_current_kib", d->balloon_current_kib);
	json_out_kv_str(out, "state", d->state);
	json_out_kv_str(out, "demand_source", d->demand_source);
	fmt_kv_u64n(out, "demand_age_s", d->demand_age_s);
	json_out_kv_str(out, "balloon_mode", d->balloon_mode);
	fmt_kv_strn(out, "balloon", d->balloon);
	json_out_obj_close(out);
}

/* Print out's document to f and free out. */
static int fmt_json_done(struct json_out *out, FILE *f)
{
	int rc = json_out_print(out, f);

	json_out_free(out);
	return rc;
}

int fmt_list_json(FILE *f, const struct xmem_dom *doms, size_t nr)
{
	struct json_out *out = json_out_new(1);
	size_t i;

	if (!out)
		return XMEM_ERR_NOMEM;
	json_out_arr_open(out);
	for (i = 0; i < nr; i++)
		fmt_dom_json(out, &doms[i]);
	json_out_arr_close(out);
	return fmt_json_done(out, f);
}

/* One "key : value" line, as xl info. */
static void fmt_line(FILE *f, const char *key, const char *val)
{
	fprintf(f, "%-22s: %s\n", key, val);
}

/* A size line in MiB, "-" when unset. */
static void fmt_line_mib(FILE *f, const char *key, uint64_t kib)
{
	char buf[32];

	fmt_line(f, key, fmt_mib(kib, buf, sizeof(buf)));
}

void fmt_policy(FILE *f, const struct xmem_dom *d)
{
	char buf[XMEM_NAME_LEN + 16];

	snprintf(buf, sizeof(buf), "%s (%u)", d->name, d->domid);
	fmt_line(f, "domain", buf);
	fmt_line(f, "managed", d->managed ? "on" : "off");
	fmt_line_mib(f, "min", model_min_kib(d));
	fmt_line_mib(f, "max", model_max_kib(d));
	fmt_line_mib(f, "startup", d->startup_kib);
	fmt_line_mib(f, "target", d->target_kib);
	fmt_line_mib(f, "static_max", d->static_max_kib);
	fmt_line_mib(f, "boot_max", d->boot_max_kib);
	fmt_line(f, "hotplug", model_hotplug(d) ? "yes" : "no");
	fmt_line(f, "weight", fmt_num(model_weight(d), buf, sizeof(buf)));
	fmt_line(f, "buffer_pct", fmt_num(model_buffer_pct(d), buf, sizeof(buf)));
	if (d->balloon[0])
		snprintf(buf, sizeof(buf), "%s (xmemd: %s)", d->balloon_mode, d->balloon);
	else
		snprintf(buf, sizeof(buf), "%s", d->balloon_mode);
	fmt_line(f, "balloon", buf);
}

int fmt_policy_json(FILE *f, const struct xmem_dom *d)
{
	struct json_out *out = json_out_new(1);

	if (!out)
		return XMEM_ERR_NOMEM;
	json_out_obj_open(out);
	json_out_kv_str(out, "name", d->name);
	json_out_kv_u64(out, "domid", d->domid);
	json_out_kv_bool(out, "managed", d->managed);
	fmt_kv_u64n(out, "min_kib", model_min_kib(d));
	fmt_kv_u64n(out, "max_kib", model_max_kib(d));
	fmt_kv_u64n(out, "startup_kib", d->startup_kib);
	fmt_kv_u64n(out, "target_kib", d->target_kib);
	fmt_kv_u64n(out, "static_max_kib", d->static_max_kib);
	fmt_kv_u64n(out, "boot_max_kib", d->boot_max_kib);
	json_out_kv_bool(out, "hotplug", model_hotplug(d));
	json_out_kv_u64(out, "weight", model_weight(d));
	json_out_kv_u64(out, "buffer_pct", model_buffer_pct(d));
	json_out_kv_str(out, "balloon_mode", d->balloon_mode);
	fmt_kv_strn(out, "balloon", d->balloon);
	json_out_obj_close(out);
	return fmt_json_done(out, f);
}

void fmt_info(FILE *f, const struct xmem_hostinfo *hi, uint64_t now_ms)
{
	char buf[128], when[64];
	time_t secs;
	struct tm tm;

	fmt_line_mib(f, "total_memory", hi->total_kib);
	fmt_line_mib(f, "free_memory", hi->free_kib);
	fmt_line_mib(f, "claimed_memory", hi->claimed_kib);
	fmt_line_mib(f, "reserved_memory", hi->reserved_kib);
	fmt_line_mib(f, "host_floor", hi->floor_kib);
	if (hi->xmemd_pid != XMEM_UNSET && strcmp(hi->xmemd_state, "not running") != 0)
		snprintf(buf, sizeof(buf), "%s (pid %" PRIu64 ")", hi->xmemd_state, hi->xmemd_pid);
	else
		snprintf(buf, sizeof(buf), "%s", hi->xmemd_state);
	fmt_line(f, "xmemd", buf);
	fmt_line(f, "xmemd_policy", hi->xmemd_policy[0] ? hi->xmemd_policy : "-");
	if (hi->last_rebalance_ms == XMEM_UNSET) {
		fmt_line(f, "last_rebalance", "never");
	} else {
		secs = (time_t)(hi->last_rebalance_ms / 1000);
		gmtime_r(&secs, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		if (now_ms >= hi->last_rebalance_ms)
			snprintf(buf, sizeof(buf), "%s (%" PRIu64 " s ago)", when,
				 (now_ms - hi->last_rebalance_ms) / 1000);
		else
			snprintf(buf, sizeof(buf), "%s", when);
		fmt_line(f, "last_rebalance", buf);
	}
	snprintf(buf, sizeof(buf), "%zu (%zu managed)", hi->nr_domains, hi->nr_managed);
	fmt_line(f, "domains", buf);
	fmt_line_mib(f, "sum_of_targets", hi->sum_target_kib);
	fmt_line_mib(f, "sum_of_demand", hi->sum_demand_kib);
	fmt_line_mib(f, "memory_reclaimed", hi->reclaimed_kib);
}

int fmt_info_json(FILE *f, const struct xmem_hostinfo *hi)
{
	struct json_out *out = json_out_new(1);

	if (!out)
		return XMEM_ERR_NOMEM;
	json_out_obj_open(out);
	fmt_kv_u64n(out, "total_kib", hi->total_kib);
	fmt_kv_u64n(out, "free_kib", hi->free_kib);
	fmt_kv_u64n(out, "claimed_kib", hi->claimed_kib);
	fmt_kv_u64n(out, "reserved_kib", hi->reserved_kib);
	fmt_kv_u64n(out, "floor_kib", hi->floor_kib);
	json_out_key(out, "xmemd");
	json_out_obj_open(out);
	json_out_kv_str(out, "state", hi->xmemd_state);
	fmt_kv_u64n(out, "pid", hi->xmemd_pid);
	fmt_kv_strn(out, "policy", hi->xmemd_policy);
	fmt_kv_u64n(out, "last_rebalance_ms", hi->last_rebalance_ms);
	json_out_obj_close(out);
	json_out_kv_u64(out, "domains", hi->nr_domains);
	json_out_kv_u64(out, "managed_domains", hi->nr_managed);
	json_out_kv_u64(out, "sum_target_kib", hi->sum_target_kib);
	json_out_kv_u64(out, "sum_demand_kib", hi->sum_demand_kib);
	json_out_kv_u64(out, "reclaimed_kib", hi->reclaimed_kib);
	json_out_obj_close(out);
	return fmt_json_done(out, f);
}

int fmt_resv_table(FILE *f, const struct xmem_resv *r, size_t nr)
{
	static const struct table_col cols[] = {
		{ "ID", 24, TABLE_LEFT },    { "State", 8, TABLE_LEFT },
		{ "Size", 7, TABLE_RIGHT },  { "Granted", 7, TABLE_RIGHT },
		{ "For", 12, TABLE_LEFT },   { "Expires", 10, TABLE_RIGHT },
		{ "Reason", 0, TABLE_LEFT },
	};
	struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	char buf[24];
	size_t i;

	for (i = 0; i < nr; i++) {
		table_cell(t, "%s", r[i].id);
		table_cell(t, "%s", r[i].state[0] ? r[i].state : "-");
		table_cell(t, "%s", fmt_mib(r[i].size_kib, buf, sizeof(buf)));
		table_cell(t, "%s", fmt_mib(r[i].granted_kib, buf, sizeof(buf)));
		table_cell(t, "%s", r[i].for_dom[0] ? r[i].for_dom : "-");
		table_cell(t, "%s", fmt_num(r[i].expires, buf, sizeof(buf)));
		table_cell(t, "%s", r[i].reason[0] ? r[i].reason : "-");
	}
	return table_print_free(t, f);
}

int fmt_resv_json(FILE *f, const struct xmem_resv *r, size_t nr)
{
	struct json_out *out = json_out_new(1);
	size_t i;

	if (!out)
		return XMEM_ERR_NOMEM;
	json_out_arr_open(out);
	for (i = 0; i < nr; i++) {
		json_out_obj_open(out);
		json_out_kv_str(out, "id", r[i].id);
		fmt_kv_strn(out, "state", r[i].state);
		fmt_kv_u64n(out, "size_kib", r[i].size_kib);
		fmt_kv_u64n(out, "granted_kib", r[i].granted_kib);
		fmt_kv_strn(out, "for", r[i].for_dom);
		fmt_kv_u64n(out, "expires", r[i].expires);
		fmt_kv_u64n(out, "domid", r[i].domid);
		fmt_kv_strn(out, "reason", r[i].reason);
		json_out_obj_close(out);
	}
	json_out_arr_close(out);
	return fmt_json_done(out, f);
}

char *fmt_bar(uint64_t done, uint64_t total, unsigned int width, char *buf, size_t len)
{
	unsigned int fill, i;

	if (len < (size_t)width + 3) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	if (total == 0 || done >= total)
		fill = width;
	else
		fill = (unsigned int)((done * width) / total);
	buf[0] = '[';
	for (i = 0; i < width; i++)
		buf[1 + i] = i < fill ? '#' : '.';
	buf[1 + width] = ']';
	buf[2 + width] = '\0';
	return buf;
}
