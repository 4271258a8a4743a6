/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * snapshot.c: see snapshot.h.
 */
#include "config.h"

#include <string.h>

#include "round.h"
#include "size.h"
#include "snapshot.h"

void snapshot_round(struct round *rd, struct cache *c, const struct hv_dominfo *infos,
		    size_t nr_infos)
{
	size_t i;

	for (i = 0; i < nr_infos; i++) {
		struct cache_dom *cd = cache_find(c, infos[i].domid);

		if (cd)
			rd->info[cd - c->doms] = &infos[i];
	}
	for (i = 0; i < c->nr_res; i++) {
		const struct cache_res *r = &c->res[i];
		struct cache_dom *cd;

		if (r->state == CACHE_RES_GRANTED && r->has_domid && (cd = cache_find(c, r->domid)))
			rd->held[cd - c->doms] = 1;
	}
	for (i = 0; i < rd->nr; i++) {
		if (!rd->info[i])
			continue;
		snapshot_swap_rate(&c->doms[i], rd->now_ms);
		rd->drive[i] = snapshot_dom(&c->doms[i], rd->info[i], &rd->pdoms[i]);
	}
}

int snapshot_dom(const struct cache_dom *cd, const struct hv_dominfo *info, struct policy_dom *pd)
{
	uint64_t target = cd->target_kib;

	memset(pd, 0, sizeof(*pd));
	pd->domid = cd->domid;
	pd->current_kib = size_pages_to_kib(info->tot_pages);
	pd->target_kib = cd->has_target ? target : pd->current_kib;
	pd->min_kib = cd->has_min ? cd->min_kib : pd->target_kib;
	pd->max_kib = cd->has_max ? cd->max_kib : pd->target_kib;
	pd->static_max_kib = cd->has_static_max ? cd->static_max_kib : pd->max_kib;
	pd->startup_kib = cd->has_startup ? cd->startup_kib : pd->target_kib;
	pd->weight = cd->weight;
	pd->buffer_pct = cd->buffer_pct;
	pd->last_change_ms = cd->last_change_ms;
	pd->has_demand = cd->has_report;
	pd->used_kib = cd->used_kib;
	pd->committed_kib = cd->committed_kib;
	/*
	 * The guest measures inside MemTotal; a target is an allocation. What
	 * the allocation holds beyond MemTotal (the kernel's own, reserved
	 * memory) is needed too, so demand is counted in allocation terms.
	 */
	if (cd->has_report && cd->meminfo_total_kib && pd->current_kib > cd->meminfo_total_kib) {
		uint64_t overhead = pd->current_kib - cd->meminfo_total_kib;

		if (pd->used_kib)
			pd->used_kib += overhead;
		if (pd->committed_kib)
			pd->committed_kib += overhead;
	}
	pd->psi_some_x100 = cd->psi_some_x100;
	pd->psi_full_x100 = cd->psi_full_x100;
	pd->swap_kib_s = cd->swap_kib_s;
	pd->has_stall = cd->has_stall;
	pd->stall_x100 = cd->stall_x100;
	pd->prev_desired_kib = cd->prev_desired_kib;
	pd->prev_plan_ms = cd->prev_plan_ms;
	pd->prev_demand_kib = cd->prev_demand_kib;
	pd->prev_swing_kib = cd->prev_swing_kib;
	pd->prev_history = &cd->prev_history;
	pd->balloon = cd->balloon;
	pd->has_balloon = cd->bdetect.judged ? cd->bdetect.has_balloon
					     : cd->feature_balloon || cd->has_balloon_report;
	pd->cooperative = !cd->coop.uncooperative;
	pd->managed = cd->managed && cd->has_target &&
		      !(info->flags & (HV_DOMF_DYING | HV_DOMF_SHUTDOWN));
	if (pd->managed &&
	    (pd->min_kib > pd->max_kib || pd->max_kib > pd->static_max_kib || !pd->max_kib)) {
		pd->managed = 0; /* bounds out of order: reported, not guessed */
		pd->min_kib = pd->max_kib = pd->static_max_kib = pd->target_kib;
	}
	if (pd->startup_kib < pd->min_kib)
		pd->startup_kib = pd->min_kib;
	if (pd->startup_kib > pd->max_kib)
		pd->startup_kib = pd->max_kib;
	if (!pd->managed) {
		/* Held fixed: keep the policy's view of it consistent. */
		pd->min_kib = pd->max_kib = pd->startup_kib = pd->target_kib;
		if (pd->static_max_kib < pd->max_kib)
			pd->static_max_kib = pd->max_kib;
	}
	return policy_dom_driven(pd);
}

const char *snapshot_state(const struct cache_dom *cd, const struct policy_dom *pd)
{
	if (!pd->managed)
		return SNAPSHOT_UNMANAGED;
	if (!pd->has_balloon)
		return SNAPSHOT_NO_BALLOON;
	if (!pd->cooperative)
		return SNAPSHOT_UNCOOPERATIVE;
	if (pd->current_kib + coop_tolerance_kib(cd->target_kib) < cd->target_kib ||
	    pd->current_kib > cd->target_kib + coop_tolerance_kib(cd->target_kib))
		return SNAPSHOT_BALLOONING;
	return SNAPSHOT_OK;
}

/* The rate of the guest's PSI some total since the previous rate (at least 500 ms). */
static void snapshot_stall_rate(struct cache_dom *cd, uint64_t now_ms)
{
	uint64_t tot = cd->psi_some_total_us, dt_ms, x;

	if (!tot || !cd->stall_prev_us || tot < cd->stall_prev_us || now_ms <= cd->stall_prev_ms) {
		/* No total, a restarted guest or a first report: no rate yet. */
		cd->has_stall = 0;
	} else {
		dt_ms = now_ms - cd->stall_prev_ms;
		if (dt_ms < 500)
			return; /* too short to be a rate: keep the last one */
		x = (tot - cd->stall_prev_us) / dt_ms * 10 +
		    (tot - cd->stall_prev_us) % dt_ms * 10 / dt_ms;
		cd->stall_x100 = x > 10000 ? 10000 : (unsigned int)x;
		cd->has_stall = 1;
	}
	cd->stall_prev_us = tot;
	cd->stall_prev_ms = now_ms;
}

void snapshot_swap_rate(struct cache_dom *cd, uint64_t now_ms)
{
	uint64_t pages = cd->pswpin + cd->pswpout;

	if (cd->swap_prev_ms && now_ms > cd->swap_prev_ms && pages >= cd->swap_prev_pages) {
		uint64_t dt_ms = now_ms - cd->swap_prev_ms;

		if (dt_ms < 500)
			return; /* too short to be a rate: keep the last one */
		cd->swap_kib_s = size_pages_to_kib(pages - cd->swap_prev_pages) * 1000 / dt_ms;
	} else {
		cd->swap_kib_s = 0;
	}
	cd->swap_prev_pages = pages;
	cd->swap_prev_ms = now_ms;
	snapshot_stall_rate(cd, now_ms);
}

void snapshot_host(const struct hv_physinfo *pi, const struct hv_dominfo *infos, size_t nr,
		   uint64_t floor_kib, uint64_t reserved_kib, uint64_t now_ms,
		   struct policy_host *host)
{
	uint64_t alloc_kib = 0;
	size_t i;

	for (i = 0; i < nr; i++)
		alloc_kib += size_pages_to_kib(infos[i].tot_pages);
	memset(host, 0, sizeof(*host));
	host->free_kib = size_pages_to_kib(pi->free_pages);
	host->claimed_kib = size_pages_to_kib(pi->outstanding_pages);
	host->total_kib = host->free_kib + alloc_kib;
	if (host->total_kib > size_pages_to_kib(pi->total_pages))
		host->total_kib = size_pages_to_kib(pi->total_pages);
	host->floor_kib = floor_kib;
	host->reserved_kib = reserved_kib;
	host->now_ms = now_ms;
}
