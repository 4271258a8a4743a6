/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * demand.c: what a domain needs, from the signals its guest reports.
 *
 * The base is what the guest uses (MemTotal - MemAvailable); Committed_AS is
 * only a fallback for guests that report nothing else, because a Linux
 * guest's commit charge counts memory it reserved and never touched. A guest
 * under pressure needs more than it uses: it stalls (PSI) or swaps because
 * the memory it would use is not there. Its demand is raised by up to
 * pressure_boost_pct, in proportion to the strongest of three signals:
 *   PSI some avg10 / 20%, PSI full avg10 / 10%, swap rate / (1% of demand per s),
 * each capped at 1.
 *
 * With boost_capped, the boost is kept for the guests it is for: those whose
 * used memory reached their MemTotal (allocation terms: the current
 * allocation, within 2% + 4 MiB), which cannot show demand beyond it. And
 * their pressure is the stall itself, the rate of the PSI some total since
 * the previous report, over 20%: avg10 is a 10 s average that keeps raising
 * a guest's demand long after the step that made it stall (where the caller
 * knows no total, the three signals above are used).
 *
 * A blind guest (its agent reports use but no stall or swap) has no signal
 * for the demand it cannot hold: once its use reaches what it holds (as
 * above, within 2% + 4 MiB) it counts as under full pressure, else as under
 * none. Without this, a full guest of XenServer's agent reports exactly its
 * allocation, its demand is its allocation, and on a short host (where
 * buffers are squeezed) it never grows while guests that report a stall do.
 *
 * Buffer for coarse sources (policy_buffer_kib): a report every 120 s (the
 * XenServer agent's memory) can miss two minutes of growth, a report that
 * moves only in 30 MB steps (Qubes' meminfo-writer) can be 30 MB behind. So
 * the buffer grows by POLICY_SLOW_PCT_PER_MIN points per minute of the
 * source's period (rounded down, at most POLICY_SLOW_MAX_PCT: 120 s gives
 * +20 points, so 20% becomes 40%) and by the source's step, added after the
 * percentage. xmem-guestd (1 s, no step) is unchanged.
 */
#include "config.h"

#include "policy_int.h"

double demand_pressure(const struct policy_dom *dom, int by_stall)
{
	uint64_t base_kib = dom->used_kib ? dom->used_kib : dom->committed_kib;
	double p = 0, q;

	if (dom->blind)
		return demand_capped(dom) ? 1 : 0;
	if (by_stall && dom->has_stall)
		return dom->stall_x100 >= POLICY_PSI_SOME_FULL_X100
			       ? 1
			       : (double)dom->stall_x100 / POLICY_PSI_SOME_FULL_X100;
	q = (double)dom->psi_some_x100 / POLICY_PSI_SOME_FULL_X100;
	if (q > p)
		p = q;
	q = (double)dom->psi_full_x100 / POLICY_PSI_FULL_FULL_X100;
	if (q > p)
		p = q;
	if (dom->swap_kib_s) {
		if (base_kib == 0)
			q = 1;
		else
			q = (double)dom->swap_kib_s * 100.0 / POLICY_SWAP_FULL_PCT_S /
			    (double)base_kib;
		if (q > p)
			p = q;
	}
	return p > 1 ? 1 : p;
}

int demand_capped(const struct policy_dom *dom)
{
	uint64_t used = dom->used_kib > SIZE_MAX_KIB_POLICY ? SIZE_MAX_KIB_POLICY : dom->used_kib;

	return used && used + POLICY_HELD_SLACK_KIB + dom->current_kib / 50 >= dom->current_kib;
}

uint64_t policy_demand_kib(const struct policy *pol, const struct policy_dom *dom)
{
	uint64_t base_kib;
	double boost;

	if (!dom->has_demand)
		return 0;
	base_kib = dom->used_kib ? dom->used_kib : dom->committed_kib;
	if (base_kib > SIZE_MAX_KIB_POLICY)
		base_kib = SIZE_MAX_KIB_POLICY;
	if (pol->boost_capped && !demand_capped(dom))
		return base_kib;
	boost = demand_pressure(dom, pol->boost_capped) * pol->pressure_boost_pct / 100.0;
	return base_kib + (uint64_t)((double)base_kib * boost);
}

unsigned int demand_buffer_pct(const struct policy *pol, const struct policy_dom *dom)
{
	return dom->buffer_pct ? dom->buffer_pct : pol->default_buffer_pct;
}

uint64_t demand_buffered_kib(uint64_t demand_kib, unsigned int buffer_pct)
{
	if (demand_kib > SIZE_MAX_KIB_POLICY)
		demand_kib = SIZE_MAX_KIB_POLICY;
	return demand_kib + demand_kib / 100 * buffer_pct + demand_kib % 100 * buffer_pct / 100;
}

uint64_t policy_buffer_kib(const struct policy *pol, const struct policy_dom *dom,
			   uint64_t demand_kib)
{
	unsigned int pct = demand_buffer_pct(pol, dom);
	unsigned int extra = dom->demand_period_s / 60 * POLICY_SLOW_PCT_PER_MIN;
	uint64_t step = dom->demand_step_kib, buf;

	if (extra > POLICY_SLOW_MAX_PCT)
		extra = POLICY_SLOW_MAX_PCT;
	buf = demand_buffered_kib(demand_kib, pct + extra);
	if (step > SIZE_MAX_KIB_POLICY)
		step = SIZE_MAX_KIB_POLICY;
	return buf + step;
}
