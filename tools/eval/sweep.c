/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sweep.c: xmem-eval --sweep. Each point is a whole replay (sim_init and
 * sim_run for every policy) on a host of factor x the peak of the summed
 * demand; the peak comes from a first set-up on a host large enough for
 * every VM, which no policy runs on. Startup sizes follow each host's size
 * (squeezed's boot-time share), as they would on a real host of that size.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sweep.h"
#include "table.h"
#include "xmem_err.h"

#define SWEEP_GIB_KIB (1024.0 * 1024.0)

int sweep_parse(const char *arg, double *factors_r, size_t *nr_r, char *err, size_t err_len)
{
	const char *s = arg;
	char *end = NULL;
	size_t n = 0;
	double v;

	for (;;) {
		if (n == SWEEP_MAX_POINTS) {
			snprintf(err, err_len, "--sweep: at most %d host sizes", SWEEP_MAX_POINTS);
			return -1;
		}
		v = strtod(s, &end);
		if (end == s || !isfinite(v) || v < 0.1 || v > 100 || (*end && *end != ',')) {
			snprintf(err, err_len,
				 "--sweep: expected factors from 0.1 to 100 separated by commas "
				 "(e.g. 1.0,1.1,1.3): %s",
				 arg);
			return -1;
		}
		factors_r[n++] = v;
		if (!*end)
			break;
		s = end + 1;
	}
	*nr_r = n;
	return 0;
}

/* The peak of the summed demand of trace with p, in GiB. */
static int sweep_peak(const struct trace *trace, const struct sim_params *p, double *peak_r,
		      char *err, size_t err_len)
{
	struct sim_params q = *p;
	struct sim s;
	int rc;

	q.host_kib = UINT64_C(1) << 48; /* 256 PiB: above any trace's minimums */
	rc = sim_init(&s, trace, &q, err, err_len);
	if (rc)
		return rc;
	*peak_r = s.demand_peak_gib;
	sim_free(&s);
	if (*peak_r <= 0) {
		snprintf(err, err_len, "--sweep: the trace demands no memory");
		return XMEM_ERR_INVAL;
	}
	return 0;
}

/* One point: every policy and the oracle on a host of pt->host_kib. */
static int sweep_point_run(struct sweep *sw, struct sweep_point *pt, const struct trace *trace,
			   const struct sim_params *p, const struct policy *pols, size_t nr_pols,
			   char *err, size_t err_len)
{
	struct sim_params q = *p;
	size_t k;
	int rc;

	if (sw->sim_ok)
		sim_free(&sw->sim);
	sw->sim_ok = 0;
	q.host_kib = pt->host_kib;
	rc = sim_init(&sw->sim, trace, &q, err, err_len);
	if (rc)
		return rc;
	sw->sim_ok = 1;
	for (k = 0; k <= nr_pols; k++) {
		rc = sim_run(&sw->sim, k < nr_pols ? &pols[k] : NULL, &pt->res[k], err, err_len);
		if (rc)
			return rc;
		sim_result_free(&pt->res[k]);
		pt->nr_res++;
	}
	return 0;
}

int sweep_run(struct sweep *sw, const struct trace *trace, const struct sim_params *p,
	      const struct policy *pols, size_t nr_pols, const double *factors, size_t nr,
	      char *err, size_t err_len)
{
	struct sweep_point *pt;
	size_t i;
	int rc;

	memset(sw, 0, sizeof(*sw));
	if (nr > SWEEP_MAX_POINTS || nr_pols + 1 > SWEEP_MAX_POLICIES) {
		snprintf(err, err_len, "--sweep: too many host sizes or policies");
		return XMEM_ERR_INVAL;
	}
	rc = sweep_peak(trace, p, &sw->peak_gib, err, err_len);
	if (rc)
		return rc;
	for (i = 0; i < nr; i++) {
		pt = &sw->pt[i];
		pt->factor = factors[i];
		pt->host_kib = (uint64_t)llround(factors[i] * sw->peak_gib * 1024.0) * 1024;
		rc = sweep_point_run(sw, pt, trace, p, pols, nr_pols, err, err_len);
		if (rc) {
			sweep_free(sw);
			return rc;
		}
		sw->nr_pt++;
	}
	return 0;
}

void sweep_free(struct sweep *sw)
{
	if (sw->sim_ok)
		sim_free(&sw->sim);
	sw->sim_ok = 0;
	sw->nr_pt = 0;
}

int sweep_print_text(const char *trace_path, const struct sweep *sw)
{
	static const struct table_col cols[] = {
		{ "host", 6, TABLE_RIGHT },	  { "GiB", 7, TABLE_RIGHT },
		{ "policy", 16, TABLE_LEFT },	  { "pressure", 9, TABLE_RIGHT },
		{ "shortfall", 11, TABLE_RIGHT }, { "mean", 7, TABLE_RIGHT },
		{ "moved", 9, TABLE_RIGHT },	  { "target", 9, TABLE_RIGHT },
	};
	const struct sim *s = &sw->sim;
	struct table *t;
	size_t i, k;

	printf("trace %s: %zu VMs, %.1f hours; demand mean %.2f GiB, peak %.2f GiB; "
	       "provisioned %.1f GiB\n",
	       trace_path, s->n, (double)(s->t1_s - s->t0_s) / 3600.0, s->demand_mean_gib,
	       sw->peak_gib, (double)s->provisioned_kib / SWEEP_GIB_KIB);
	printf("sweep of host sizes (x peak demand), min %u%%, reaction %llu s, period %llu s\n\n",
	       s->p.min_pct, (unsigned long long)s->p.reaction_s,
	       (unsigned long long)s->p.period_s);
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	table_cell(t, "x peak");
	table_cell(t, "%s", "");
	table_cell(t, "%s", "");
	table_cell(t, "VM-time");
	table_cell(t, "GiB-h");
	table_cell(t, "GiB");
	table_cell(t, "GiB");
	table_cell(t, "changes");
	for (i = 0; i < sw->nr_pt; i++) {
		const struct sweep_point *pt = &sw->pt[i];

		for (k = 0; k < pt->nr_res; k++) {
			const struct sim_result *r = &pt->res[k];

			table_cell(t, "%.2f", pt->factor);
			table_cell(t, "%.1f", (double)pt->host_kib / SWEEP_GIB_KIB);
			table_cell(t, "%s", r->name);
			table_cell(t, "%.3f%%", r->pressure_share * 100);
			table_cell(t, "%.3f", r->shortfall_gib_h);
			table_cell(t, "%.2f", r->mean_alloc_gib);
			table_cell(t, "%.1f", r->moved_gib);
			table_cell(t, "%llu", (unsigned long long)r->target_changes);
		}
	}
	return table_print_free(t, stdout);
}

/* The scores of one replay, as a JSON object. */
static void sweep_json_result(struct json_out *out, const struct sim_result *r)
{
	json_out_obj_open(out);
	json_out_kv_str(out, "policy", r->name);
	json_out_kv_double(out, "shortfall_gib_h", r->shortfall_gib_h);
	json_out_kv_double(out, "pressure_share", r->pressure_share);
	json_out_kv_double(out, "mean_alloc_gib", r->mean_alloc_gib);
	json_out_kv_double(out, "peak_alloc_gib", r->peak_alloc_gib);
	json_out_kv_double(out, "moved_gib", r->moved_gib);
	json_out_kv_u64(out, "target_changes", r->target_changes);
	json_out_kv_u64(out, "plans", r->plans);
	json_out_obj_close(out);
}

int sweep_print_json(const char *trace_path, const struct sweep *sw)
{
	struct json_out *out = json_out_new(1);
	const struct sim *s = &sw->sim;
	size_t i, k;
	int rc;

	if (!out)
		return XMEM_ERR_NOMEM;
	json_out_obj_open(out);
	json_out_kv_str(out, "trace", trace_path);
	json_out_kv_u64(out, "vms", s->n);
	json_out_kv_double(out, "hours", (double)(s->t1_s - s->t0_s) / 3600.0);
	json_out_kv_u64(out, "min_pct", s->p.min_pct);
	json_out_kv_u64(out, "reaction_s", s->p.reaction_s);
	json_out_kv_u64(out, "period_s", s->p.period_s);
	json_out_kv_double(out, "balloon_rate_mib_s", (double)s->p.balloon_kib_s / 1024.0);
	json_out_kv_double(out, "demand_mean_gib", s->demand_mean_gib);
	json_out_kv_double(out, "demand_peak_gib", sw->peak_gib);
	json_out_kv_double(out, "provisioned_gib", (double)s->provisioned_kib / SWEEP_GIB_KIB);
	json_out_key(out, "sweep");
	json_out_arr_open(out);
	for (i = 0; i < sw->nr_pt; i++) {
		const struct sweep_point *pt = &sw->pt[i];

		json_out_obj_open(out);
		json_out_kv_double(out, "factor", pt->factor);
		json_out_kv_double(out, "host_memory_gib", (double)pt->host_kib / SWEEP_GIB_KIB);
		json_out_key(out, "policies");
		json_out_arr_open(out);
		for (k = 0; k < pt->nr_res; k++)
			sweep_json_result(out, &pt->res[k]);
		json_out_arr_close(out);
		json_out_obj_close(out);
	}
	json_out_arr_close(out);
	json_out_obj_close(out);
	rc = json_out_print(out, stdout);
	json_out_free(out);
	return rc;
}
