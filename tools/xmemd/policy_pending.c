/*
 * policy_pending.c: a minimal stand-in for policy/ (branch policy) so that
 * xmemd links and its integration tests run before the real policy lands.
 * It honours policy.h's contract in the simplest way: desired = demand x
 * (1 + buffer) within bounds (startup without demand), and under scarcity
 * minimums first, the rest by weight. DELETE THIS FILE when policy/ provides
 * the implementation (tools/xmemd/Makefrag.am then links policy's library).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "xmem_err.h"

void policy_defaults(struct policy *pol, enum policy_kind kind)
{
	memset(pol, 0, sizeof(*pol));
	pol->kind = kind;
	strcpy(pol->name, policy_kind_name(kind));
	pol->default_buffer_pct = POLICY_BUFFER_DEFAULT_PCT;
	pol->deadband_kib = 1024;
	pol->deadband_pct = 1;
	pol->shrink_pct_per_s = 100;
	pol->pressure_boost_pct = 50;
	pol->min_rate_kib_s = 1024;
	pol->uncoop_after_s = 5;
}

int policy_load_file(const char *path, struct policy *pol_r, char *err, size_t err_len)
{
	(void)path;
	(void)err;
	(void)err_len;
	policy_defaults(pol_r, POLICY_XMEM);
	return 0;
}

int policy_kind_parse(const char *name, enum policy_kind *kind_r)
{
	static const char *const names[] = { "xmem", "proportional", "static", "hyperv" };
	size_t i;

	for (i = 0; i < 4; i++)
		if (!strcmp(name, names[i])) {
			*kind_r = (enum policy_kind)i;
			return 0;
		}
	return XMEM_ERR_INVAL;
}

const char *policy_kind_name(enum policy_kind kind)
{
	static const char *const names[] = { "xmem", "proportional", "static", "hyperv" };

	return (unsigned int)kind < 4 ? names[kind] : "unknown";
}

uint64_t policy_demand_kib(const struct policy *pol, const struct policy_dom *dom)
{
	uint64_t d;

	if (!dom->has_demand)
		return 0;
	d = dom->used_kib > dom->committed_kib ? dom->used_kib : dom->committed_kib;
	d += d * pol->pressure_boost_pct * dom->psi_some_x100 / 1000000;
	return d;
}

static uint64_t clampu(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int policy_plan(const struct policy *pol, const struct policy_host *host,
		const struct policy_dom *doms, size_t nr, struct policy_out *out)
{
	uint64_t budget = host->total_kib, fixed = 0, sum_min = 0, sum_des = 0, left;
	size_t i;
	int progress;

	for (i = 0; i < nr; i++) {
		const struct policy_dom *d = &doms[i];
		struct policy_out *o = &out[i];
		unsigned int buf = d->buffer_pct ? d->buffer_pct : pol->default_buffer_pct;

		memset(o, 0, sizeof(*o));
		o->domid = d->domid;
		o->included = d->managed && d->has_balloon && d->cooperative;
		o->demand_kib = policy_demand_kib(pol, d);
		if (!o->included) {
			fixed += d->current_kib;
			o->target_kib = o->desired_kib = d->target_kib;
			continue;
		}
		if (d->min_kib > d->max_kib || d->max_kib > d->static_max_kib)
			return XMEM_ERR_INVAL;
		o->desired_kib =
			o->demand_kib ? o->demand_kib + o->demand_kib * buf / 100 : d->startup_kib;
		if (pol->kind == POLICY_STATIC)
			o->desired_kib = d->startup_kib;
		o->desired_kib = clampu(o->desired_kib, d->min_kib, d->max_kib);
		sum_min += d->min_kib;
		sum_des += o->desired_kib;
	}
	fixed += host->floor_kib + host->reserved_kib + host->claimed_kib;
	budget = budget > fixed ? budget - fixed : 0;
	left = budget > sum_min ? budget - sum_min : 0;
	for (i = 0; i < nr; i++)
		if (out[i].included)
			out[i].target_kib =
				sum_des <= budget ? out[i].desired_kib : doms[i].min_kib;
	/* Scarcity: water-fill what is left over the minimums by weight. */
	while (sum_des > budget && left > 0) {
		uint64_t wsum = 0, given = 0;

		for (i = 0; i < nr; i++)
			if (out[i].included && out[i].target_kib < out[i].desired_kib)
				wsum += doms[i].weight ? doms[i].weight : 1;
		if (!wsum)
			break;
		progress = 0;
		for (i = 0; i < nr; i++) {
			uint64_t share, room;

			if (!out[i].included || out[i].target_kib >= out[i].desired_kib)
				continue;
			share = left * (doms[i].weight ? doms[i].weight : 1) / wsum;
			room = out[i].desired_kib - out[i].target_kib;
			if (share > room)
				share = room;
			if (share) {
				out[i].target_kib += share;
				given += share;
				progress = 1;
			}
		}
		left -= given;
		if (!progress)
			break;
	}
	for (i = 0; i < nr; i++) {
		struct policy_out *o = &out[i];
		uint64_t cur = doms[i].target_kib, diff;

		if (!o->included)
			continue;
		o->target_kib &= ~(uint64_t)3; /* whole pages */
		if (o->target_kib < doms[i].min_kib)
			o->target_kib = doms[i].min_kib;
		diff = o->target_kib > cur ? o->target_kib - cur : cur - o->target_kib;
		o->apply = diff > pol->deadband_kib;
		if (o->apply)
			o->phase = o->target_kib < doms[i].current_kib ? 1 : 2;
	}
	return 0;
}
