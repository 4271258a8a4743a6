/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * plan.h: step 4 of xmemd's rebalance (round.h), asking the policy for
 * targets. Pure: the policy computes, the caller applies.
 */
#ifndef XMEMD_PLAN_H
#define XMEMD_PLAN_H

#include <stddef.h>

#include "cache.h"
#include "hv.h"
#include "policy/policy.h"

struct policy_scratch;
struct round;

/*
 * Fill rd->host (snapshot_host with rd->floor_kib and rd->held_kib; a driven
 * domain's claim is memory for its own target, which the plan already
 * counts, so only the other claims are the policy's "claimed"; the growth
 * promised to domains the plan does not include, apply_dom_promised_kib, is
 * the policy's "promised", as reserve_round_host counts it), run pol's
 * plan over rd->pdoms into rd->outs (in ps, kept from round to round; NULL:
 * memory of its own), feed each domain's desired size back to
 * the next plan (c->doms[i].prev_desired_kib, prev_plan_ms) and fill the
 * plan's part of rd->adoms: a domain is applied when it is driven and the
 * plan included it. Returns 0, or policy_plan's negative XMEM_ERR_* (then
 * only rd->host is filled).
 */
int plan_round(struct round *rd, const struct policy *pol, struct policy_scratch *ps,
	       struct cache *c, const struct hv_physinfo *pi, const struct hv_dominfo *infos,
	       size_t nr_infos);

#endif
