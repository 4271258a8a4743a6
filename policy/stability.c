/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stability.c: grow fast, shrink slowly, ignore tiny changes.
 *
 * Growing is immediate: a domain's desired size follows its demand up at
 * once. Shrinking is slow: the size a domain had is remembered and decays
 * toward what it needs now, so a domain whose demand just fell keeps the
 * memory for a while, and one whose demand swings keeps headroom for its
 * next swing. Two decays, the slower one wins:
 * - shrink_pct_per_s: the excess of the target in force over the new size
 *   shrinks by this percent per second (compounded) since the target was set;
 * - headroom_halflife_s: the excess of the previous desired size (or, when
 *   the caller does not feed it back, the target in force) halves every so
 *   many seconds.
 * The remembered excess is the last tier of the plan: it is handed out only
 * when every domain has its demand and buffer, and taken back first (only
 * the surplus goes before it). The same tier holds the swing: the largest
 * recent one-step rise of the demand, remembered with the same half-life,
 * so a guest whose demand jumps keeps room for its next jump above what it
 * uses now.
 *
 * Both decays are functions of elapsed time from a fixed reference (the
 * last change, or the previous plan), so planning more or less often gives
 * the same sizes, and a steady workload converges: once the target is within
 * the deadband of the plan, nothing is written again.
 */
#include "config.h"

#include <math.h>

#include "policy_int.h"
#include <stdlib.h>

/* base + excess x factor, where the excess is ref - base (0 when ref <= base). */
static uint64_t stability_decay(uint64_t ref_kib, uint64_t base_kib, double factor)
{
	if (ref_kib <= base_kib || factor <= 0)
		return base_kib;
	if (factor >= 1)
		return ref_kib;
	return base_kib + (uint64_t)((double)(ref_kib - base_kib) * factor);
}

/* Seconds from then_ms to now_ms (0 when the clock went backwards). */
static double stability_elapsed_s(uint64_t now_ms, uint64_t then_ms)
{
	return now_ms > then_ms ? (double)(now_ms - then_ms) / 1000.0 : 0;
}

uint64_t stability_memory_kib(const struct policy *pol, const struct policy_dom *dom,
			      uint64_t now_ms, uint64_t base_kib)
{
	uint64_t keep_kib = base_kib, m, then_ms;
	double dt;

	if (pol->shrink_pct_per_s > 0 && pol->shrink_pct_per_s < 100 &&
	    dom->target_kib > base_kib) {
		dt = stability_elapsed_s(now_ms, dom->last_change_ms);
		m = stability_decay(dom->target_kib, base_kib,
				    exp(dt * log1p(-(double)pol->shrink_pct_per_s / 100.0)));
		if (m > keep_kib)
			keep_kib = m;
	}
	if (pol->headroom_halflife_s > 0) {
		if (dom->prev_desired_kib) {
			m = dom->prev_desired_kib;
			then_ms = dom->prev_plan_ms;
		} else {
			m = dom->target_kib;
			then_ms = dom->last_change_ms;
		}
		if (m > keep_kib) {
			dt = stability_elapsed_s(now_ms, then_ms);
			m = stability_decay(m, base_kib, exp2(-dt / pol->headroom_halflife_s));
			if (m > keep_kib)
				keep_kib = m;
		}
	}
	return keep_kib;
}

uint64_t stability_swing_kib(const struct policy *pol, const struct policy_dom *dom,
			     uint64_t now_ms, uint64_t demand_kib)
{
	uint64_t rise = 0, keep = 0;

	if (!dom->prev_plan_ms || !dom->has_demand)
		return 0;
	if (dom->prev_demand_kib && demand_kib > dom->prev_demand_kib)
		rise = demand_kib - dom->prev_demand_kib;
	if (pol->headroom_halflife_s > 0 && dom->prev_swing_kib)
		keep = stability_decay(dom->prev_swing_kib, 0,
				       exp2(-stability_elapsed_s(now_ms, dom->prev_plan_ms) /
					    pol->headroom_halflife_s));
	if (keep > SIZE_MAX_KIB_POLICY)
		keep = SIZE_MAX_KIB_POLICY;
	return rise > keep ? rise : keep;
}

uint64_t stability_deadband_kib(const struct policy *pol, uint64_t t_kib)
{
	uint64_t pct_kib = t_kib / 100 * pol->deadband_pct;

	return pct_kib > pol->deadband_kib ? pct_kib : pol->deadband_kib;
}
