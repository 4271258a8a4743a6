/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * plan.c: see plan.h.
 */
#include "config.h"

#include <string.h>

#include "plan.h"
#include "round.h"
#include "snapshot.h"

int plan_round(struct round *rd, const struct policy *pol, struct policy_scratch *ps,
	       struct cache *c, const struct hv_physinfo *pi, const struct hv_dominfo *infos,
	       size_t nr_infos)
{
	struct policy_host *host = &rd->host;
	size_t i;
	int rc;

	snapshot_host(pi, infos, nr_infos, rd->floor_kib, rd->held_kib, rd->now_ms, host);
	for (i = 0; i < rd->nr; i++) {
		uint64_t o = rd->drive[i] ? rd->adoms[i].outstanding_kib : 0;

		host->claimed_kib -= o < host->claimed_kib ? o : host->claimed_kib;
		/*
		 * What a domain outside the plan may still take by itself is
		 * not the plan's to hand out: the same growth comes off what
		 * reserve_round_host finds free, so a plan that frees a
		 * reservation frees all of it.
		 */
		if (!(rd->drive[i] && policy_dom_included(&rd->pdoms[i])))
			host->promised_kib += apply_dom_promised_kib(&rd->adoms[i]);
	}
	/* The cover tier's history is updated in place, in the cache. */
	for (i = 0; i < rd->nr; i++)
		rd->pdoms[i].history = &c->doms[i].prev_history;
	rc = policy_plan_with(ps, pol, host, rd->pdoms, rd->nr, rd->outs);
	if (rc)
		return rc;
	for (i = 0; i < rd->nr; i++) {
		c->doms[i].prev_desired_kib = rd->outs[i].included ? rd->outs[i].desired_kib : 0;
		c->doms[i].prev_plan_ms = rd->outs[i].included ? rd->now_ms : 0;
		c->doms[i].prev_demand_kib = rd->outs[i].included ? rd->outs[i].demand_kib : 0;
		c->doms[i].prev_swing_kib = rd->outs[i].included ? rd->outs[i].swing_kib : 0;
		if (!rd->outs[i].included)
			memset(&c->doms[i].prev_history, 0, sizeof(c->doms[i].prev_history));
		rd->adoms[i].drive = rd->drive[i] && rd->outs[i].included;
		rd->adoms[i].new_target_kib = rd->outs[i].target_kib;
		rd->adoms[i].apply = rd->outs[i].apply;
	}
	return 0;
}
