/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sim.c: the guest model of xmem-eval, and the replay.
 *
 * GUEST MODEL (the same text is in xmem-eval(1))
 * - VMs: the first N of the trace. A VM's dynamic-max is the median of its
 *   provisioned memory, its dynamic-min --min-pct of that; weight 5000 and
 *   the policy's default buffer. Every VM starts at squeezed's boot-time
 *   share: the same fraction of [min, max] for all, filling the host (or at
 *   max when the host is large enough).
 * - Demand: the trace's mem_used_kib, a step function: it changes at sample
 *   times and holds until the next sample (before its first sample a VM
 *   demands what its first sample says).
 * - The daemon sees each sample --reaction seconds after it happened (the
 *   guest reports, xmemd wakes); until a VM's first sample is seen it has no
 *   demand signal. It plans whenever a sample becomes visible and at least
 *   every --period seconds, writes the targets the plan says to apply, and
 *   feeds each domain's desired size back into the next plan (not with
 *   --no-feedback: then the policy remembers peaks through the targets).
 * - Balloons move toward their targets at --balloon-rate. Shrinking stops at
 *   the guest's current demand: a frontend cannot release working set.
 *   Growing takes only free host memory (the host is never overcommitted, as
 *   xmemd's two phases ensure); when several grow at once they share what is
 *   free in proportion to what they still want.
 * - Host: exactly --host-memory for the VMs; no floor, no dom0, no
 *   reservations, no uncooperative guests.
 * - Scores: a VM is under pressure while its allocation is below its demand
 *   (by more than 1 KiB); the shortfall is the demand not covered, integrated
 *   over time. Memory moved is all balloon movement, both ways; target
 *   changes count the targets written.
 * - The oracle sees each demand the moment it changes and moves memory
 *   instantly: every VM holds exactly its demand (within its bounds, shared by
 *   water-filling when the host is short). In this model no policy has less
 *   shortfall or a lower mean allocation without more shortfall.
 *
 * Time is in whole seconds; while balloons move, the replay advances one
 * second at a time and integrates the linear movement exactly; otherwise it
 * jumps from event to event.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "xmem_err.h"

#define SIM_GIB		 (1024.0 * 1024.0)
#define SIM_HOUR_S	 3600
#define SIM_EPS_KIB	 0.5
#define SIM_PRESSURE_KIB 1.0
#define SIM_NEVER	 UINT64_MAX

/* Run state of one VM. */
struct sim_run_vm {
	double alloc_kib;
	uint64_t target_kib;
	uint64_t last_change_ms;
	uint64_t prev_desired_kib;
	uint64_t prev_plan_ms;
	uint64_t prev_demand_kib;
	uint64_t prev_swing_kib;
	struct policy_history prev_history;
	size_t now_i; /* sample in force */
	size_t vis_i; /* last sample the daemon has seen */
	int seen;     /* it has seen one */
};

/* A run: state of every VM plus scratch for the plan. */
struct sim_run {
	const struct sim *s;
	const struct policy *pol;
	struct policy oracle_pol;
	int oracle;
	struct sim_run_vm *v;
	struct policy_dom *doms;
	struct policy_out *out;
	struct policy_scratch *scratch; /* the plans', kept from plan to plan as xmemd keeps it */
	double *a1;
	struct sim_result *r;
	double short_kib_s, press_s, alloc_kib_s, moved_kib, peak_kib;
};

#define SIM_CHG_DEMAND	1
#define SIM_CHG_VISIBLE 2

static uint64_t sim_demand(const struct sim *s, const struct sim_run_vm *v, size_t i)
{
	return s->vms[i].tv->samples[v[i].now_i].used_kib;
}

/* Bring every VM's cursors to time t; returns SIM_CHG_* flags. */
static int sim_advance(const struct sim *s, struct sim_run_vm *v, uint64_t t)
{
	int chg = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct trace_vm *tv = s->vms[i].tv;

		while (v[i].now_i + 1 < tv->nr_samples && tv->samples[v[i].now_i + 1].t_s <= t) {
			v[i].now_i++;
			chg |= SIM_CHG_DEMAND;
		}
		if (!v[i].seen && tv->samples[0].t_s + s->p.reaction_s <= t) {
			v[i].seen = 1;
			chg |= SIM_CHG_VISIBLE;
		}
		while (v[i].seen && v[i].vis_i + 1 < tv->nr_samples &&
		       tv->samples[v[i].vis_i + 1].t_s + s->p.reaction_s <= t) {
			v[i].vis_i++;
			chg |= SIM_CHG_VISIBLE;
		}
	}
	return chg;
}

/* The next time after t at which a demand changes or becomes visible, capped at te. */
static uint64_t sim_next_event(const struct sim *s, const struct sim_run_vm *v, uint64_t t,
			       uint64_t te)
{
	uint64_t x;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct trace_vm *tv = s->vms[i].tv;

		if (v[i].now_i + 1 < tv->nr_samples) {
			x = tv->samples[v[i].now_i + 1].t_s;
			if (x > t && x < te)
				te = x;
		}
		if (!v[i].seen)
			x = tv->samples[0].t_s + s->p.reaction_s;
		else if (v[i].vis_i + 1 < tv->nr_samples)
			x = tv->samples[v[i].vis_i + 1].t_s + s->p.reaction_s;
		else
			x = SIM_NEVER;
		if (x > t && x < te)
			te = x;
	}
	return te;
}

/* Ask the policy at time t and write the targets it applies. */
static int sim_plan(struct sim_run *run, uint64_t t)
{
	const struct sim *s = run->s;
	struct policy_host host;
	uint64_t held = 0, now_ms = t * 1000;
	size_t i;
	int rc;

	memset(&host, 0, sizeof(host));
	for (i = 0; i < s->n; i++) {
		struct policy_dom *d = &run->doms[i];
		const struct sim_vm *sv = &s->vms[i];
		const struct sim_run_vm *v = &run->v[i];

		memset(d, 0, sizeof(*d));
		d->domid = (uint32_t)i + 1;
		d->min_kib = sv->min_kib;
		d->startup_kib = sv->startup_kib;
		d->max_kib = d->static_max_kib = sv->max_kib;
		d->weight = POLICY_WEIGHT_DEFAULT;
		d->current_kib = (uint64_t)(v->alloc_kib + 0.5);
		d->target_kib = v->target_kib;
		d->last_change_ms = v->last_change_ms;
		d->prev_desired_kib = v->prev_desired_kib;
		d->prev_plan_ms = v->prev_plan_ms;
		d->prev_demand_kib = v->prev_demand_kib;
		d->prev_swing_kib = v->prev_swing_kib;
		d->prev_history = &v->prev_history;
		d->history = s->p.no_feedback ? NULL : &run->v[i].prev_history;
		d->managed = d->has_balloon = d->cooperative = 1;
		if (run->oracle) {
			d->has_demand = 1;
			d->used_kib = sim_demand(s, run->v, i);
		} else if (v->seen) {
			d->has_demand = 1;
			d->used_kib = sv->tv->samples[v->vis_i].used_kib;
		}
		held += d->current_kib;
	}
	host.total_kib = s->p.host_kib;
	host.free_kib = s->p.host_kib > held ? s->p.host_kib - held : 0;
	host.now_ms = now_ms;
	rc = policy_plan_with(run->scratch, run->oracle ? &run->oracle_pol : run->pol, &host,
			      run->doms, s->n, run->out);
	if (rc)
		return rc;
	run->r->plans++;
	for (i = 0; i < s->n; i++) {
		struct sim_run_vm *v = &run->v[i];
		const struct policy_out *o = &run->out[i];

		if (!s->p.no_feedback) {
			v->prev_desired_kib = o->desired_kib;
			v->prev_plan_ms = now_ms;
			v->prev_demand_kib = o->demand_kib;
			v->prev_swing_kib = o->swing_kib;
		}
		if (o->apply) {
			v->target_kib = o->target_kib;
			v->last_change_ms = now_ms;
			run->r->target_changes++;
		}
		if (run->oracle) {
			run->moved_kib += fabs((double)v->target_kib - v->alloc_kib);
			v->alloc_kib = (double)v->target_kib;
		}
	}
	return 0;
}

/* Where VM i's balloon may shrink to now: its target, but not below its demand. */
static double sim_shrink_floor(const struct sim_run *run, size_t i)
{
	double d = (double)sim_demand(run->s, run->v, i);
	double t = (double)run->v[i].target_kib;

	return d > t ? d : t;
}

/* Is any balloon able to move? */
static int sim_moving(const struct sim_run *run)
{
	const struct sim *s = run->s;
	double held = 0;
	int growing = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct sim_run_vm *v = &run->v[i];

		held += v->alloc_kib;
		if (v->alloc_kib > sim_shrink_floor(run, i) + SIM_EPS_KIB)
			return 1;
		if (v->alloc_kib + SIM_EPS_KIB < (double)v->target_kib)
			growing = 1;
	}
	return growing && (double)s->p.host_kib - held > SIM_EPS_KIB;
}

/* Shortfall and pressure time of one VM over dt: linear from a0 to a1 in tau, then flat. */
static void sim_segment(double d, double a0, double a1, double tau, double dt, double *short_r,
			double *press_r)
{
	double lo = a0 < a1 ? a0 : a1, hi = a0 < a1 ? a1 : a0, f;

	if (tau > 0) {
		if (d >= hi) {
			*short_r += tau * (d - (a0 + a1) / 2);
			if (d > hi + SIM_PRESSURE_KIB)
				*press_r += tau;
			else if (d > lo + SIM_PRESSURE_KIB)
				*press_r += tau * (d - SIM_PRESSURE_KIB - lo) / (hi - lo);
		} else if (d > lo) {
			f = (d - lo) / (hi - lo);
			*short_r += tau * f * (d - lo) / 2;
			if (d > lo + SIM_PRESSURE_KIB)
				*press_r += tau * (d - SIM_PRESSURE_KIB - lo) / (hi - lo);
		}
	}
	if (d > a1) {
		*short_r += (dt - tau) * (d - a1);
		if (d > a1 + SIM_PRESSURE_KIB)
			*press_r += dt - tau;
	}
}

/* Add amounts over [t, te] to the hourly series, split by hour. */
static void sim_hours(const struct sim *s, double *series, uint64_t t, uint64_t te, double total)
{
	uint64_t a = t, b;
	size_t h;

	if (te <= t)
		return;
	while (a < te) {
		h = (size_t)((a - s->t0_s) / SIM_HOUR_S);
		b = s->t0_s + (uint64_t)(h + 1) * SIM_HOUR_S;
		if (b > te)
			b = te;
		if (h < s->nr_hours)
			series[h] += total * (double)(b - a) / (double)(te - t) / SIM_HOUR_S;
		a = b;
	}
}

/* Move the balloons over [t, te] and score the interval. */
static void sim_move(struct sim_run *run, uint64_t t, uint64_t te)
{
	const struct sim *s = run->s;
	double dt = (double)(te - t), rate = (double)s->p.balloon_kib_s, step = rate * dt;
	double free_kib = (double)s->p.host_kib, want = 0, f, sum0 = 0, sum1 = 0;
	double seg_short = 0, seg_press = 0, seg_alloc = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		double a0 = run->v[i].alloc_kib, floor = sim_shrink_floor(run, i);

		run->a1[i] = a0;
		if (a0 > floor + SIM_EPS_KIB)
			run->a1[i] = a0 - step > floor ? a0 - step : floor;
		free_kib -= run->a1[i];
		if (run->a1[i] == a0 && a0 + SIM_EPS_KIB < (double)run->v[i].target_kib) {
			double w = (double)run->v[i].target_kib - a0;

			want += w < step ? w : step;
		}
	}
	f = want <= free_kib ? 1 : (free_kib > 0 ? free_kib / want : 0);
	for (i = 0; i < s->n; i++) {
		struct sim_run_vm *v = &run->v[i];
		double a0 = v->alloc_kib, a1 = run->a1[i], tau, d;

		if (a1 == a0 && a0 + SIM_EPS_KIB < (double)v->target_kib) {
			double w = (double)v->target_kib - a0;

			a1 = a0 + (w < step ? w : step) * f;
			if (fabs(a1 - (double)v->target_kib) < SIM_EPS_KIB)
				a1 = (double)v->target_kib;
		}
		tau = rate > 0 ? fabs(a1 - a0) / rate : 0;
		if (tau > dt)
			tau = dt;
		d = (double)sim_demand(s, run->v, i);
		sim_segment(d, a0, a1, tau, dt, &seg_short, &seg_press);
		seg_alloc += (a0 + a1) / 2 * tau + a1 * (dt - tau);
		run->moved_kib += fabs(a1 - a0);
		sum0 += a0;
		sum1 += a1;
		v->alloc_kib = a1;
	}
	if (sum0 > run->peak_kib)
		run->peak_kib = sum0;
	if (sum1 > run->peak_kib)
		run->peak_kib = sum1;
	run->short_kib_s += seg_short;
	run->press_s += seg_press;
	run->alloc_kib_s += seg_alloc;
	sim_hours(s, run->r->hour_alloc_gib, t, te, seg_alloc / SIM_GIB);
	sim_hours(s, run->r->hour_pressure, t, te, seg_press);
}

int sim_run(const struct sim *s, const struct policy *pol, struct sim_result *r, char *err,
	    size_t err_len)
{
	struct sim_run run;
	uint64_t t, te, next_tick, dur;
	size_t i;
	int rc, chg;

	memset(r, 0, sizeof(*r));
	memset(&run, 0, sizeof(run));
	run.s = s;
	run.pol = pol;
	run.r = r;
	run.oracle = pol == NULL;
	if (run.oracle) {
		/* Exactly the demand: hyperv's rule with no buffer and no deadband. */
		policy_defaults(&run.oracle_pol, POLICY_HYPERV);
		run.oracle_pol.default_buffer_pct = 0;
		snprintf(r->name, sizeof(r->name), "oracle");
	} else {
		snprintf(r->name, sizeof(r->name), "%s", pol->name);
	}
	run.v = calloc(s->n, sizeof(*run.v));
	run.doms = calloc(s->n, sizeof(*run.doms));
	run.out = calloc(s->n, sizeof(*run.out));
	run.scratch = policy_scratch_new();
	run.a1 = calloc(s->n, sizeof(*run.a1));
	r->hour_alloc_gib = calloc(s->nr_hours, sizeof(double));
	r->hour_pressure = calloc(s->nr_hours, sizeof(double));
	if (!run.v || !run.doms || !run.out || !run.scratch || !run.a1 || !r->hour_alloc_gib ||
	    !r->hour_pressure) {
		snprintf(err, err_len, "out of memory");
		rc = XMEM_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < s->n; i++) {
		run.v[i].alloc_kib = (double)s->vms[i].startup_kib;
		run.v[i].target_kib = s->vms[i].startup_kib;
		run.v[i].last_change_ms = s->t0_s * 1000;
	}
	t = s->t0_s;
	next_tick = t;
	for (;;) {
		chg = sim_advance(s, run.v, t);
		if (run.oracle ? (chg & SIM_CHG_DEMAND) || t == s->t0_s
			       : (chg & SIM_CHG_VISIBLE) || t >= next_tick) {
			rc = sim_plan(&run, t);
			if (rc) {
				snprintf(err, err_len, "%s: the policy refused the plan: %s",
					 r->name, xmem_strerror(rc));
				goto out;
			}
			next_tick = t + s->p.period_s;
		}
		if (t >= s->t1_s)
			break;
		te = s->t1_s;
		if (!run.oracle && next_tick < te)
			te = next_tick;
		te = sim_next_event(s, run.v, t, te);
		if (!run.oracle && sim_moving(&run) && te > t + 1)
			te = t + 1;
		sim_move(&run, t, te);
		t = te;
	}
	dur = s->t1_s - s->t0_s;
	r->shortfall_gib_h = run.short_kib_s / SIM_GIB / SIM_HOUR_S;
	r->pressure_share = dur ? run.press_s / ((double)s->n * (double)dur) : 0;
	r->mean_alloc_gib = dur ? run.alloc_kib_s / (double)dur / SIM_GIB : 0;
	r->peak_alloc_gib = run.peak_kib / SIM_GIB;
	r->moved_gib = run.moved_kib / SIM_GIB;
	rc = 0;
out:
	free(run.v);
	free(run.doms);
	free(run.out);
	policy_scratch_free(run.scratch);
	free(run.a1);
	if (rc)
		sim_result_free(r);
	return rc;
}

void sim_result_free(struct sim_result *r)
{
	free(r->hour_alloc_gib);
	free(r->hour_pressure);
	r->hour_alloc_gib = r->hour_pressure = NULL;
}

/* Startup sizes: squeezed's boot-time share, from the proportional policy itself. */
static int sim_startup(struct sim *s, char *err, size_t err_len)
{
	struct policy_dom *doms = calloc(s->n, sizeof(*doms));
	struct policy_out *out = calloc(s->n, sizeof(*out));
	struct policy_host host;
	struct policy pol;
	size_t i;
	int rc;

	if (!doms || !out) {
		snprintf(err, err_len, "out of memory");
		rc = XMEM_ERR_NOMEM;
		goto out;
	}
	policy_defaults(&pol, POLICY_PROPORTIONAL);
	memset(&host, 0, sizeof(host));
	host.total_kib = host.free_kib = s->p.host_kib;
	for (i = 0; i < s->n; i++) {
		doms[i].domid = (uint32_t)i + 1;
		doms[i].min_kib = doms[i].startup_kib = s->vms[i].min_kib;
		doms[i].max_kib = doms[i].static_max_kib = s->vms[i].max_kib;
		doms[i].weight = POLICY_WEIGHT_DEFAULT;
		doms[i].managed = doms[i].has_balloon = doms[i].cooperative = 1;
	}
	rc = policy_plan(&pol, &host, doms, s->n, out);
	if (rc) {
		snprintf(err, err_len, "cannot size the VMs at startup: %s", xmem_strerror(rc));
		goto out;
	}
	for (i = 0; i < s->n; i++)
		s->vms[i].startup_kib = out[i].target_kib;
out:
	free(doms);
	free(out);
	return rc;
}

/* Summed demand over time: mean, peak and the hourly series. */
static void sim_demand_profile(struct sim *s)
{
	struct sim_run_vm *v = calloc(s->n, sizeof(*v));
	double sum, integral = 0;
	uint64_t t, te;
	size_t i;

	if (!v)
		return;
	t = s->t0_s;
	for (;;) {
		sim_advance(s, v, t);
		sum = 0;
		for (i = 0; i < s->n; i++)
			sum += (double)sim_demand(s, v, i);
		if (sum / SIM_GIB > s->demand_peak_gib)
			s->demand_peak_gib = sum / SIM_GIB;
		if (t >= s->t1_s)
			break;
		te = sim_next_event(s, v, t, s->t1_s);
		integral += sum * (double)(te - t);
		sim_hours(s, s->hour_demand_gib, t, te, sum * (double)(te - t) / SIM_GIB);
		t = te;
	}
	if (s->t1_s > s->t0_s)
		s->demand_mean_gib = integral / (double)(s->t1_s - s->t0_s) / SIM_GIB;
	free(v);
}

int sim_init(struct sim *s, const struct trace *trace, const struct sim_params *p, char *err,
	     size_t err_len)
{
	uint64_t sum_min = 0;
	size_t i;
	int rc;

	memset(s, 0, sizeof(*s));
	s->trace = trace;
	s->p = *p;
	if (s->p.period_s == 0)
		s->p.period_s = 1;
	s->n = p->nr_vms && p->nr_vms < trace->nr_vms ? p->nr_vms : trace->nr_vms;
	if (s->n == 0) {
		snprintf(err, err_len, "the trace has no VMs");
		return XMEM_ERR_INVAL;
	}
	s->vms = calloc(s->n, sizeof(*s->vms));
	if (!s->vms) {
		snprintf(err, err_len, "out of memory");
		return XMEM_ERR_NOMEM;
	}
	s->t0_s = UINT64_MAX;
	for (i = 0; i < s->n; i++) {
		struct sim_vm *sv = &s->vms[i];
		const struct trace_vm *tv = &trace->vms[i];

		if (tv->nr_samples == 0) {
			snprintf(err, err_len, "VM %s has no samples", tv->id);
			sim_free(s);
			return XMEM_ERR_INVAL;
		}
		sv->tv = tv;
		sv->max_kib = trace_vm_provisioned_median(tv);
		if (sv->max_kib == 0) {
			snprintf(err, err_len, "VM %s has no provisioned memory", tv->id);
			sim_free(s);
			return XMEM_ERR_INVAL;
		}
		sv->min_kib = sv->max_kib / 100 * p->min_pct + sv->max_kib % 100 * p->min_pct / 100;
		sum_min += sv->min_kib;
		s->provisioned_kib += sv->max_kib;
		if (tv->samples[0].t_s < s->t0_s)
			s->t0_s = tv->samples[0].t_s;
		if (tv->samples[tv->nr_samples - 1].t_s > s->t1_s)
			s->t1_s = tv->samples[tv->nr_samples - 1].t_s;
	}
	if (sum_min > p->host_kib) {
		snprintf(err, err_len,
			 "host memory (%llu KiB) is below the sum of the VMs' minimums (%llu KiB)",
			 (unsigned long long)p->host_kib, (unsigned long long)sum_min);
		sim_free(s);
		return XMEM_ERR_NOSPACE;
	}
	rc = sim_startup(s, err, err_len);
	if (rc) {
		sim_free(s);
		return rc;
	}
	s->nr_hours = (size_t)((s->t1_s - s->t0_s) / SIM_HOUR_S) + 1;
	s->hour_demand_gib = calloc(s->nr_hours, sizeof(double));
	if (!s->hour_demand_gib) {
		snprintf(err, err_len, "out of memory");
		sim_free(s);
		return XMEM_ERR_NOMEM;
	}
	sim_demand_profile(s);
	return 0;
}

void sim_free(struct sim *s)
{
	free(s->vms);
	free(s->hour_demand_gib);
	s->vms = NULL;
	s->hour_demand_gib = NULL;
}
