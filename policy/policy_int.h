/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy_int.h: what the files of policy/ share and nothing outside uses.
 * Everything here is pure: no I/O, no clock, no globals.
 */
#ifndef XMEM_POLICY_INT_H
#define XMEM_POLICY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* Tiers of the plan, from the first memory a domain gets to the last. */
#define POLICY_TIER_MIN	   0 /* dynamic-min */
#define POLICY_TIER_HELD   1 /* what the guest cannot give: min(used, current) */
#define POLICY_TIER_NEED   2 /* demand (startup while it has none) */
#define POLICY_TIER_BUFFER 3 /* demand x (1 + buffer) */
#define POLICY_TIER_MEMORY 4 /* the remembered recent peak, decaying, or demand + swing */
#define POLICY_NR_TIERS	   5
/* Beyond the tiers, filled on its own weights: the surplus, up to max (surplus.c). */
#define POLICY_TIER_SURPLUS 5

/* Pressure at which the demand boost is full (see demand.c). */
#define POLICY_PSI_SOME_FULL_X100 2000u /* 20% of the time some task stalled */
#define POLICY_PSI_FULL_FULL_X100 1000u /* 10% of the time all tasks stalled */
#define POLICY_SWAP_FULL_PCT_S	  1u	/* swapping 1% of the demand per second */

/* Slack on what a guest uses when judging what it could give (plus 1%). */
#define POLICY_HELD_SLACK_KIB 4096u

/* Sizes above this (1 EiB in KiB) are treated as this: no overflow anywhere. */
#define SIZE_MAX_KIB_POLICY (UINT64_C(1) << 50)

/* Clamp v into [lo, hi] (lo <= hi). */
static inline uint64_t policy_clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

/* demand.c */
/*
 * Pressure of dom from 0 (none) to 1 (full): the largest of its signals, or
 * with by_stall its stall rate where known.
 */
double demand_pressure(const struct policy_dom *dom, int by_stall);
/* Has dom's used memory reached its allocation (MemTotal), within 2% + 4 MiB? */
int demand_capped(const struct policy_dom *dom);
/* The buffer of dom in percent: its own, else the policy's default. */
unsigned int demand_buffer_pct(const struct policy *pol, const struct policy_dom *dom);
/* demand x (1 + buffer), saturating. */
uint64_t demand_buffered_kib(uint64_t demand_kib, unsigned int buffer_pct);

/* fair.c */
/* Scratch of the fill: one per domain. */
struct fair_key {
	double level; /* the water level at which it is satisfied */
	double w;
	uint64_t need;
};

/*
 * Weighted max-min fairness (water-filling) over tiers. level[t][i] is the
 * level of domain i at tier t, non-decreasing in t; w[i] > 0 its weight.
 * Every domain first gets level[0][i] (even beyond budget: bounds win); then
 * tier by tier, the whole tier when budget allows, else the rest of the
 * budget shared so that each domain's gain within the tier is w[i] x L up to
 * its need, for the largest common L. Writes x_r[i]; returns the total.
 */
uint64_t fair_fill_tiers(size_t nr, unsigned int nr_tiers, uint64_t *const *level, const double *w,
			 uint64_t budget_kib, uint64_t *x_r, struct fair_key *keys);

/*
 * Share rem among the domains below hi[i] by weight w[i] (water-filling);
 * each gets all it lacks when rem covers the total. Returns what it gave.
 */
uint64_t fair_fill_share(size_t nr, const uint64_t *hi, const double *w, uint64_t rem, uint64_t *x,
			 struct fair_key *keys);

/* surplus.c */
/*
 * The surplus weight of a domain of weight w: its weight
 * times its recent volatility (its swing, the recent largest rise of its
 * demand) plus surplus_base_kib.
 */
double surplus_weight(const struct policy *pol, uint64_t swing_kib, double w);
/*
 * Hand out what the fill left (budget - used) minus keep_free: by
 * surplus weight ws, up to hi. Returns what it gave.
 */
uint64_t surplus_fill(const struct policy *pol, size_t nr, const uint64_t *hi, const double *ws,
		      uint64_t budget_kib, uint64_t used_kib, uint64_t *x, struct fair_key *keys);

/* cover.c */
/* A memo of the last decays computed: in a plan most domains ask for the same. */
struct cover_memo {
	uint64_t ms;
	double v;
	int set;
};
/*
 * Make h all zero (no history), writing it only when it is not already:
 * a history no plan uses stays clean, and the caller's pages untouched.
 */
void cover_clear(struct policy_history *h);

/*
 * Ask for h (NULL: nothing) to be brought into the cache, for writing: a
 * plan's histories are far apart in memory (15 MB for 10,000 domains), and
 * the plan asks for the next one while it works on this one.
 */
void cover_prefetch(const struct policy_history *h);
/*
 * What the cover tier needs of a history at now_ms, found while it is at
 * hand: its weight lift (cover_phase; 1: none) and what its masses stand
 * for now (g).
 */
struct cover_now {
	double lift, g;
};
/*
 * Write into h (NULL: nothing) the history of dom at now_ms: its previous
 * history (h may be the same storage), plus the time since the previous
 * plan at that plan's demand and the rise to demand_kib, if any. All zero
 * when the cover tier is off or nothing was fed back. memo: two, zeroed
 * before a plan's first call. Fills *now_r for h (none: lift 1).
 */
void cover_history(const struct policy *pol, const struct policy_dom *dom, uint64_t now_ms,
		   uint64_t demand_kib, struct policy_history *h, struct cover_memo *memo,
		   struct cover_now *now_r);
/*
 * The cover tier, as a purchase: budget_kib spent on the memory above each
 * domain's x where it buys the most history mass (weighted) per KiB. The
 * domains are added one by one, each right after cover_history updated its
 * history (so that a plan reads each history once, while it is at hand),
 * then the steps are bought at once.
 */
struct cover_cart;
/* An empty cart (NULL: no memory); its memory is reused by every plan it serves. */
struct cover_cart *cover_cart_new(void);
void cover_cart_free(struct cover_cart *c);
/*
 * Empty c for a plan of nr domains (indices 0..nr-1) and budget_kib.
 * Returns 1 when there is something to buy with (a budget, domains, the
 * tier on), 0 when not (then nothing is added or bought), or
 * XMEM_ERR_NOMEM.
 */
int cover_cart_start(struct cover_cart *c, const struct policy *pol, size_t nr,
		     uint64_t budget_kib);
/*
 * Add domain j (each once, in order), at x KiB now, up to cap, of weight w
 * x now->lift, with its history as cover_history left it (NULL: it takes
 * no part; its hull_bits are updated). Returns 0 or XMEM_ERR_NOMEM.
 */
int cover_cart_add(struct cover_cart *c, size_t j, struct policy_history *hist,
		   const struct cover_now *now, uint64_t x, uint64_t cap, double w);
/*
 * Buy (c started and open): raise x[j] toward cap[j] (the x and cap each
 * domain was added with) by the steps bought. Returns what it gave; *err_r
 * is XMEM_ERR_NOMEM when scratch could not be had (then it gave nothing).
 */
uint64_t cover_cart_buy(struct cover_cart *c, size_t nr, const uint64_t *cap, uint64_t *x,
			int *err_r);

/* stability.c */
/*
 * The remembered size of dom at now_ms above base_kib: the previous desired
 * size (or the target in force) decaying toward base_kib, by the policy's
 * half-life and its shrink rate, whichever keeps more. Never below base_kib.
 */
uint64_t stability_memory_kib(const struct policy *pol, const struct policy_dom *dom,
			      uint64_t now_ms, uint64_t base_kib);
/*
 * The swing of dom at now_ms: the larger of its demand's rise since the
 * previous plan (demand_kib - prev_demand_kib) and the previous swing
 * halved every headroom_halflife_s since that plan. 0 without feedback.
 */
uint64_t stability_swing_kib(const struct policy *pol, const struct policy_dom *dom,
			     uint64_t now_ms, uint64_t demand_kib);
/* The deadband around the target in force t_kib. */
uint64_t stability_deadband_kib(const struct policy *pol, uint64_t t_kib);

#endif
