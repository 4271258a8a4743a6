/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cover.c: the cover tier. Where memory above demand is short, cover the
 * most guests' next rise.
 *
 * What is scored where memory is short is how many guests stall, not how
 * many GiB they lack. A guest stalls when its demand rises past what it
 * holds before the plan sees the rise. So the memory above demand is worth
 * most where it covers the likeliest rises for the fewest MiB: a quiet guest
 * needs little, a guest that swings within a band needs its band, and a
 * guest whose rises are huge may be cheaper to leave uncovered than ten
 * small ones. Water-filling shares headroom evenly; this tier prices it.
 *
 * Each domain carries a history (struct policy_history, policy.h), kept by
 * the caller and updated by the plan (in place when the caller passes the
 * same storage): two histograms that decay with cover_halflife_s:
 * - level: the share of recent time its demand spent at each level (bins
 *   2^(1/8) apart from POLICY_COVER_LEVEL_BASE_KIB): a guest whose demand
 *   falls often rises back to where it was;
 * - rise: its recent rises of demand from one plan to the next (bins
 *   2^(1/4) apart from POLICY_COVER_RISE_BASE_KIB), each weighing as much
 *   as cover_rise_s of time at a level: a guest that grows in steps keeps
 *   growing.
 * Masses are stored against a reference time (they stand for m x
 * 2^-((now - ref) / half-life)), so decay costs nothing per plan and a plan
 * touches only the bins that change; bits mark the bins that hold mass.
 *
 * Two forecasts sharpen which domain rises next (neither reads a clock):
 * - cover_cond: each rise is also kept by the level it left (a few slots of
 *   half an octave of levels, bins of half an octave of rise), and the rises
 *   priced are the domain's rate from the level it is at (per time there)
 *   blended with its rate from anywhere (weighing cover_cond_prior_s): a
 *   guest that sits low for hours and then jumps is not priced as one that
 *   jumps from there every few minutes;
 * - cover_phase: for rises of 256 MiB, 512 MiB and 1 GiB, the time since
 *   the last one, and at each step of it the rises seen and the time spent
 *   (a renewal process): the domain's weight in the tier is raised by the
 *   hazard of a rise in the next 5 minutes against its mean (never lowered),
 *   so a guest with hourly jobs gets its cover when the next is due. Only
 *   such guests are lifted, so memory is not reshuffled every step.
 *
 * The mass above demand + h, weighted by the domain's weight, is how likely
 * its next rise outruns a headroom h. Every domain's candidate headrooms
 * (the upper edges of the bins above its demand, rounded up to a grid
 * 2^(1/4) apart) form a curve of mass covered against MiB given; on the
 * upper concave hull of each curve every step costs MiB and covers mass,
 * and the steps are taken in order of mass per MiB, across all domains, for
 * as long as the budget lasts (a knapsack by greedy price; on concave
 * curves it is exact up to the last step), none below COVER_MIN_PER_GIB.
 * The price is found without sorting: two passes narrow it to one bucket
 * of its float bits, and selection (as quickselect) finds it there.
 *
 * The tier sits between demand and buffer: under scarcity it decides who
 * gets memory above demand, before anyone's buffer; with plenty it leaves
 * keep_free free (policy.c), and the buffer, remembered peaks and surplus
 * follow as before. A domain with no history yet gets nothing from this
 * tier and its buffer in the next one.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"
#include "xmem_err.h"

/* Drop masses below this: they cost work and cover nothing. */
#define COVER_EPS 1e-6
/* No honest mass comes near this: a level share is at most 1, rises a few times that. */
#define COVER_MAX 1e6
/*
 * The least a step is bought at: this much mass per GiB of headroom (0.1%
 * chance of a rise per GiB). Cheaper steps, rises seen once days ago, are
 * left to the tiers after, which hand out what is left in other ways (the
 * surplus by volatility): on the 64-VM trace with plenty of memory, buying
 * them all stalled a third more guests.
 */
#define COVER_MIN_PER_GIB 1e-3
/* Stored masses are brought to the present every so many half-lives (2^16 at most). */
#define COVER_REBASE 16

/*
 * The headroom grid: candidates are gathered on it, 2^(1/8) apart from
 * COVER_GRID_BASE_KIB (twice as fine as the rise bins, whose edges are every
 * other grid edge), so a level's headroom is rounded up by at most 9%. Up
 * to 64 GiB of headroom; beyond that no candidate.
 */
#define COVER_GRID_BASE_KIB   POLICY_COVER_RISE_BASE_KIB
#define COVER_GRID_PER_OCTAVE 4u
#define COVER_GRID_BINS	      56u
_Static_assert(COVER_GRID_BINS <= 64, "a domain's grid bins are one word of bits");
_Static_assert(COVER_GRID_PER_OCTAVE == POLICY_COVER_RISE_PER_OCTAVE &&
		       COVER_GRID_BINS >= POLICY_COVER_RISE_BINS,
	       "rise edges are every other grid edge");

/* 2^(k/8) and 2^(k/4): where each bin of an octave starts. */
static const double cover_oct8[8] = { 1.0,
				      1.0905077326652577,
				      1.1892071150027210,
				      1.2968395546510096,
				      1.4142135623730951,
				      1.5422108254079407,
				      1.6817928305074290,
				      1.8340080864093424 };
static const double cover_oct4[4] = { 1.0, 1.1892071150027210, 1.4142135623730951,
				      1.6817928305074290 };
_Static_assert(POLICY_COVER_LEVEL_PER_OCTAVE == 8 && POLICY_COVER_RISE_PER_OCTAVE == 4,
	       "cover_bin's tables are for 8 level and 4 rise bins an octave");

/*
 * The bin of v on a geometric ladder of nr bins, per_octave (8 or 4) an
 * octave from base: floor(log2(v / base) x per_octave), where the first
 * and last take what is below and above. No log: the octave from the
 * exponent, the bin within it from the table.
 */
static unsigned int cover_bin(uint64_t v, double base_kib, unsigned int per_octave, unsigned int nr)
{
	const double *thr = per_octave == 8 ? cover_oct8 : cover_oct4;
	double x = (double)v / base_kib, y;
	unsigned int k = 0, j;
	uint64_t u;
	long b;

	if (!(x >= 1))
		return 0;
	/* x = y x 2^octave, y in [1, 2): the octave and y from x's bits. */
	memcpy(&u, &x, sizeof(u));
	b = (long)((u >> 52) & 0x7ff) - 1023;
	u = (u & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1023) << 52);
	memcpy(&y, &u, sizeof(y));
	/*
	 * The bins of the octave at or below y (the table rises): counted
	 * without a branch, as where y falls is data a branch cannot predict.
	 */
	for (j = 1; j < per_octave; j++)
		k += y >= thr[j];
	b = b * (long)per_octave + (long)k;
	if (b < 1)
		return 0;
	return b >= (long)nr - 1 ? nr - 1 : (unsigned int)b;
}

/* 2^-(ms / halflife), the decay over ms milliseconds (memo: NULL or the last one). */
static double cover_decay(const struct policy *pol, uint64_t ms, struct cover_memo *memo)
{
	if (memo && memo->set && memo->ms == ms)
		return memo->v;
	if (!memo)
		return exp2(-(double)ms / 1000.0 / pol->cover_halflife_s);
	memo->ms = ms;
	memo->set = 1;
	memo->v = exp2(-(double)ms / 1000.0 / pol->cover_halflife_s);
	return memo->v;
}

/* A stored mass as it is kept: one that is not a number, negative or absurd is 0. */
static float cover_sane(float m, double up)
{
	return m > 0 && m <= COVER_MAX * up ? m : 0;
}

/* A stored mass brought to the present by g (too small to count: 0). */
static float cover_rebased(float m, double g)
{
	double v = cover_sane(m, 1 / g) * g;

	return v > COVER_EPS ? (float)v : 0;
}

/* Set the bit of every bin that holds mass (after masses changed wholesale). */
static void cover_bits(struct policy_history *h)
{
	unsigned int b, k;

	memset(h->level_bits, 0, sizeof(h->level_bits));
	h->rise_bits = 0;
	for (b = 0; b < POLICY_COVER_LEVEL_BINS; b++)
		if (h->level[b] > 0)
			h->level_bits[b / 64] |= UINT64_C(1) << (b % 64);
	for (b = 0; b < POLICY_COVER_RISE_BINS; b++)
		if (h->rise[b] > 0)
			h->rise_bits |= UINT64_C(1) << b;
	for (k = 0; k < POLICY_COVER_COND_SLOTS; k++) {
		h->cond_bits[k] = 0;
		for (b = 0; b < POLICY_COVER_COND_BINS; b++)
			if (h->cond[k][b] > 0)
				h->cond_bits[k] |= UINT32_C(1) << b;
	}
}

/* Every mass of h brought to the present by g (see cover_history). */
static void cover_rebase(struct policy_history *h, double g)
{
	unsigned int b, k;

	h->level_sum = 0;
	for (b = 0; b < POLICY_COVER_LEVEL_BINS; b++) {
		h->level[b] = cover_rebased(h->level[b], g);
		h->level_sum += h->level[b];
	}
	for (b = 0; b < POLICY_COVER_RISE_BINS; b++)
		h->rise[b] = cover_rebased(h->rise[b], g);
	for (k = 0; k < POLICY_COVER_COND_SLOTS; k++)
		for (b = 0; b < POLICY_COVER_COND_BINS; b++)
			h->cond[k][b] = cover_rebased(h->cond[k][b], g);
	for (k = 0; k < POLICY_COVER_PHASE_TRACKS; k++) {
		h->phase_event_sum[k] = cover_rebased(h->phase_event_sum[k], g);
		h->phase_risk_sum[k] = cover_rebased(h->phase_risk_sum[k], g);
		for (b = 0; b < POLICY_COVER_PHASE_BINS; b++) {
			h->phase[b].event[k] = cover_rebased(h->phase[b].event[k], g);
			h->phase[b].risk[k] = cover_rebased(h->phase[b].risk[k], g);
		}
	}
	cover_bits(h);
}

/* The from-level of level bin b: its group (1 up; 0 is an empty slot). */
static unsigned int cover_cond_group(unsigned int b)
{
	return b / POLICY_COVER_COND_GROUP + 1;
}

/* The slot of from-level f in h, or -1. */
static int cover_cond_find(const struct policy_history *h, unsigned int f)
{
	int k, found = -1;

	/* Every slot, from the last: the first that matches wins, with no branch on where. */
	for (k = POLICY_COVER_COND_SLOTS - 1; k >= 0; k--)
		found = h->cond_from[k] == f ? k : found;
	return found;
}

/*
 * The slot for rises from from-level f: its own, else an empty one, else
 * the one that holds the least mass (emptied for f).
 */
static int cover_cond_slot(struct policy_history *h, unsigned int f, double up)
{
	double m, least = 0;
	int k = cover_cond_find(h, f), j;
	unsigned int b;

	if (k >= 0)
		return k;
	for (j = 0; j < POLICY_COVER_COND_SLOTS; j++) {
		for (m = 0, b = 0; b < POLICY_COVER_COND_BINS; b++)
			m += cover_sane(h->cond[j][b], up);
		if (!h->cond_from[j] || k < 0 || m < least) {
			k = j;
			least = h->cond_from[j] ? m : -1;
		}
	}
	memset(h->cond[k], 0, sizeof(h->cond[k]));
	h->cond_bits[k] = 0;
	h->cond_from[k] = (uint8_t)f;
	return k;
}

/* The phase bin of ms since a domain's last rise. */
static unsigned int cover_phase_bin(uint64_t ms)
{
	uint64_t b = ms / ((uint64_t)POLICY_COVER_PHASE_BIN_S * 1000);

	return b >= POLICY_COVER_PHASE_BINS ? POLICY_COVER_PHASE_BINS - 1 : (unsigned int)b;
}

/*
 * The renewal history: the time since the previous plan at the phase it
 * had then, and a rise to demand_kib at the phase it came at (f: the decay
 * since the previous plan; up: stored masses against the present).
 */
static void cover_phase_note(const struct policy *pol, const struct policy_dom *dom,
			     uint64_t now_ms, uint64_t demand_kib, struct policy_history *h,
			     double f, double up)
{
	double add = M_LN2 * POLICY_COVER_PHASE_BIN_S / pol->cover_halflife_s * up;
	unsigned int t, b;
	uint64_t *last;

	for (t = 0; t < POLICY_COVER_PHASE_TRACKS; t++) {
		last = &h->phase_last_ms[t];
		if (*last > now_ms)
			*last = 0; /* a clock gone back: start again */
		if (*last && dom->prev_plan_ms >= *last) {
			b = cover_phase_bin(dom->prev_plan_ms - *last);
			h->phase[b].risk[t] =
				(float)(cover_sane(h->phase[b].risk[t], up) + (1 - f) * up);
			h->phase_risk_sum[t] =
				(float)(cover_sane(h->phase_risk_sum[t], up) + (1 - f) * up);
		}
		if (demand_kib < dom->prev_demand_kib + (POLICY_COVER_PHASE_MIN_KIB << t))
			continue;
		if (*last) {
			b = cover_phase_bin(now_ms - *last);
			h->phase[b].event[t] = (float)(cover_sane(h->phase[b].event[t], up) + add);
			h->phase_event_sum[t] =
				(float)(cover_sane(h->phase_event_sum[t], up) + add);
		}
		*last = now_ms;
	}
}

/*
 * How much likelier a rise of the domain is now, by the time since its last
 * one, than on average (cover_phase): for each size tracked, the rises seen
 * per time spent at the phases from now to POLICY_COVER_PHASE_AHEAD_S
 * ahead, each backed off to its mean with a prior of
 * POLICY_COVER_PHASE_PRIOR_S, against the mean; the largest, within [1,
 * POLICY_COVER_PHASE_LIFT_MAX]. Masses stand for m x g now.
 */
_Static_assert(POLICY_COVER_PHASE_AHEAD_S <= POLICY_COVER_PHASE_BIN_S,
	       "the lift looks at most one phase bin ahead: the mean of one bin or two");
static double cover_phase_lift(const struct policy *pol, const struct policy_history *hist,
			       uint64_t now_ms, double g)
{
	double prior = M_LN2 * POLICY_COVER_PHASE_PRIOR_S / pol->cover_halflife_s, lift = 1;
	double ev, risk, rate, hz;
	unsigned int t, b, b1, n;
	uint64_t last;

	for (t = 0; t < POLICY_COVER_PHASE_TRACKS; t++) {
		last = hist->phase_last_ms[t];
		if (!last || last > now_ms)
			continue;
		ev = cover_sane(hist->phase_event_sum[t], 1 / g) * g;
		risk = cover_sane(hist->phase_risk_sum[t], 1 / g) * g;
		if (!(ev > COVER_EPS) || !(risk > COVER_EPS))
			continue;
		rate = ev / risk;
		b = cover_phase_bin(now_ms - last);
		b1 = cover_phase_bin(now_ms - last + POLICY_COVER_PHASE_AHEAD_S * 1000);
		for (hz = 0, n = 0; b <= b1; b++, n++)
			hz += (cover_sane(hist->phase[b].event[t], 1 / g) * g + prior * rate) /
			      (cover_sane(hist->phase[b].risk[t], 1 / g) * g + prior);
		/* The mean of one bin or two (halving is exact: no division in the chain). */
		hz = n == 2 ? hz * 0.5 : hz;
		if (hz / rate > lift)
			lift = hz / rate;
	}
	return lift < POLICY_COVER_PHASE_LIFT_MAX ? lift : POLICY_COVER_PHASE_LIFT_MAX;
}

void cover_prefetch(const struct policy_history *h)
{
	const char *p = (const char *)h;
	size_t o;

	if (!h)
		return;
	for (o = 0; o < sizeof(*h); o += 64)
		__builtin_prefetch(p + o, 1);
}

void cover_clear(struct policy_history *h)
{
	static const struct policy_history zero;

	/* Bytes against bytes, padding included: equal means the memset would change nothing. */
	if (memcmp(h, &zero, sizeof(*h)))
		memset(h, 0, sizeof(*h));
}

void cover_history(const struct policy *pol, const struct policy_dom *dom, uint64_t now_ms,
		   uint64_t demand_kib, struct policy_history *h, struct cover_memo *memo,
		   struct cover_now *now_r)
{
	double f, up, g;
	unsigned int b, lb;
	int rebase = 0;

	now_r->lift = now_r->g = 1;
	if (!h)
		return;
	if (pol->kind != POLICY_XMEM || !pol->cover_halflife_s || !dom->has_demand ||
	    !dom->prev_plan_ms || !dom->prev_demand_kib || !dom->prev_history) {
		cover_clear(h);
		return;
	}
	if (h != dom->prev_history)
		*h = *dom->prev_history;
	if (!h->ref_ms) {
		h->ref_ms = dom->prev_plan_ms;
		rebase = 1;
	}
	/*
	 * Masses grow as 2^((now - ref) / half-life) in storage: past
	 * COVER_REBASE half-lives (or with a reference in the future), bring
	 * every bin to now (the only pass over all of them).
	 */
	if (rebase || h->ref_ms > now_ms ||
	    now_ms - h->ref_ms > (uint64_t)pol->cover_halflife_s * 1000 * COVER_REBASE) {
		g = h->ref_ms > now_ms ? 1 : cover_decay(pol, now_ms - h->ref_ms, NULL);
		cover_rebase(h, g);
		h->ref_ms = now_ms;
	}
	up = 1 / cover_decay(pol, now_ms - h->ref_ms, &memo[0]);
	f = now_ms > dom->prev_plan_ms ? cover_decay(pol, now_ms - dom->prev_plan_ms, &memo[1]) : 1;
	/* The demand held since the previous plan was that plan's. */
	lb = b = cover_bin(dom->prev_demand_kib, POLICY_COVER_LEVEL_BASE_KIB,
			   POLICY_COVER_LEVEL_PER_OCTAVE, POLICY_COVER_LEVEL_BINS);
	h->level[b] = (float)(cover_sane(h->level[b], up) + (1 - f) * up);
	h->level_sum = (float)(cover_sane(h->level_sum, up) + (1 - f) * up);
	h->level_bits[b / 64] |= UINT64_C(1) << (b % 64);
	if (pol->cover_phase)
		cover_phase_note(pol, dom, now_ms, demand_kib, h, f, up);
	if (demand_kib > dom->prev_demand_kib && pol->cover_rise_s) {
		double add = M_LN2 * pol->cover_rise_s / pol->cover_halflife_s * up;
		int k;

		b = cover_bin(demand_kib - dom->prev_demand_kib, POLICY_COVER_RISE_BASE_KIB,
			      POLICY_COVER_RISE_PER_OCTAVE, POLICY_COVER_RISE_BINS);
		h->rise[b] = (float)(cover_sane(h->rise[b], up) + add);
		h->rise_bits |= UINT64_C(1) << b;
		if (pol->cover_cond) {
			/* The same rise by the level it left. */
			k = cover_cond_slot(h, cover_cond_group(lb), up);
			h->cond[k][b / 2] = (float)(cover_sane(h->cond[k][b / 2], up) + add);
			h->cond_bits[k] |= UINT32_C(1) << (b / 2);
		}
	}
	now_r->g = 1 / up;
	if (pol->cover_phase)
		now_r->lift = cover_phase_lift(pol, h, now_ms, 1 / up);
}

/* One candidate headroom of a domain: h KiB above its demand covers mass. */
struct cover_pt {
	double h, mass;
	uint64_t h_kib;	  /* h rounded up */
	unsigned int bin; /* its grid bin (the origin: none, 0) */
};

/* The upper edges of the bins, in KiB, computed once a plan. */
struct cover_edges {
	double level[POLICY_COVER_LEVEL_BINS];
	double rise[POLICY_COVER_RISE_BINS];
	/* grid[-2..-1]: 0, below every headroom; grid[COVER_GRID_BINS..+1]: infinite. */
	double grid_pad[2 + COVER_GRID_BINS + 2];
	double *grid;
	uint64_t grid_kib[COVER_GRID_BINS]; /* the same, rounded up */
};

/* One domain's candidates on the grid: mass per bin, and which bins hold some. */
struct cover_grid {
	double mass[COVER_GRID_BINS];
	uint64_t bits;
};

static void cover_edges_init(struct cover_edges *e)
{
	unsigned int b;

	for (b = 0; b < POLICY_COVER_LEVEL_BINS; b++)
		e->level[b] = POLICY_COVER_LEVEL_BASE_KIB *
			      exp2((double)(b + 1) / POLICY_COVER_LEVEL_PER_OCTAVE);
	for (b = 0; b < POLICY_COVER_RISE_BINS; b++)
		e->rise[b] = POLICY_COVER_RISE_BASE_KIB *
			     exp2((double)(b + 1) / POLICY_COVER_RISE_PER_OCTAVE);
	e->grid = e->grid_pad + 2;
	e->grid[-2] = e->grid[-1] = 0;
	e->grid[COVER_GRID_BINS] = e->grid[COVER_GRID_BINS + 1] = INFINITY;
	for (b = 0; b < COVER_GRID_BINS; b++) {
		e->grid[b] = COVER_GRID_BASE_KIB * exp2((double)(b + 1) / COVER_GRID_PER_OCTAVE);
		e->grid_kib[b] = (uint64_t)ceil(e->grid[b]);
	}
}

/* Add mass m at grid bin i. */
static void cover_put(struct cover_grid *gr, unsigned int i, double m)
{
	gr->mass[i] += m;
	gr->bits |= UINT64_C(1) << i;
}

/*
 * Which stored masses count, for masses that stand for m x g now: those
 * above COVER_EPS and at most COVER_MAX once scaled (not a number: none).
 */
struct cover_win {
	float lo, hi;
};

static struct cover_win cover_window(double g)
{
	struct cover_win w = { (float)(COVER_EPS / g), (float)(COVER_MAX / g) };

	return w;
}

/*
 * The first grid bin whose upper edge is at or above h (0 < h <= the last
 * edge): within two bins of the bin h is in, found there without a branch
 * (the edges rise, so the edges below h are counted).
 */
static unsigned int cover_grid_first(const struct cover_edges *e, double h)
{
	unsigned int c =
		cover_bin((uint64_t)h, COVER_GRID_BASE_KIB, COVER_GRID_PER_OCTAVE, COVER_GRID_BINS);
	const double *g = e->grid + c;

	return c - 2 + (unsigned int)(g[-2] < h) + (unsigned int)(g[-1] < h) +
	       (unsigned int)(g[0] < h) + (unsigned int)(g[1] < h);
}

/*
 * The level candidates above need, up to cap, onto the grid: the upper edge
 * of each bin above need, less need, with its mass (the bin holding need:
 * only the part above need, taken as spread evenly over the bin).
 */
static void cover_levels(const struct policy_history *hist, const struct cover_edges *e,
			 unsigned int a0, double need, double cap, double g, struct cover_win win,
			 struct cover_grid *gr)
{
	double lo0 = a0 ? e->level[a0 - 1] : 0, part0 = 1, m, h;
	unsigned int w, a, i, i0 = 0;
	uint64_t bits;
	int first = 1;

	/* Only the bin holding need counts in part: the part above need. */
	if (lo0 < need)
		part0 = (e->level[a0] - need) / (e->level[a0] - lo0);

	for (w = a0 / 64; w < sizeof(hist->level_bits) / sizeof(hist->level_bits[0]); w++) {
		bits = hist->level_bits[w];
		if (w == a0 / 64)
			bits &= ~UINT64_C(0) << (a0 % 64);
		for (; bits; bits &= bits - 1) {
			float v;

			a = w * 64 + (unsigned int)__builtin_ctzll(bits);
			if (a >= POLICY_COVER_LEVEL_BINS)
				return;
			h = e->level[a] - need;
			if (h > cap || h > e->grid[COVER_GRID_BINS - 1])
				return;
			v = hist->level[a];
			if (!(v > win.lo && v <= win.hi) || h <= 0)
				continue;
			m = v * g;
			m *= a == a0 ? part0 : 1;
			/*
			 * The grid bin whose upper edge is the first at or
			 * above h, and not below the first candidate's bin.
			 */
			i = cover_grid_first(e, h);
			if (first) {
				i0 = cover_bin((uint64_t)h, COVER_GRID_BASE_KIB,
					       COVER_GRID_PER_OCTAVE, COVER_GRID_BINS);
				first = 0;
			}
			cover_put(gr, i > i0 ? i : i0, m);
		}
	}
}

/* The rise candidates up to cap onto the grid: the upper edge of each bin with its mass. */
static void cover_rises(const struct policy_history *hist, const struct cover_edges *e, double cap,
			double g, struct cover_grid *gr)
{
	struct cover_win win = cover_window(g);
	uint64_t bits = hist->rise_bits;
	unsigned int r;

	for (; bits; bits &= bits - 1) {
		float v;

		r = (unsigned int)__builtin_ctzll(bits);
		if (r >= POLICY_COVER_RISE_BINS || e->rise[r] > cap)
			break;
		v = hist->rise[r];
		if (v > win.lo && v <= win.hi)
			cover_put(gr, r, v * g);
	}
}

/* The sum of the level masses of hist in bins [a, b), as they stand now (g). */
static double cover_level_sum(const struct policy_history *hist, unsigned int a, unsigned int b,
			      double g, struct cover_win win)
{
	double sum = 0;

	for (; a < b && a < POLICY_COVER_LEVEL_BINS; a++)
		if (hist->level[a] > win.lo && hist->level[a] <= win.hi)
			sum += hist->level[a] * g;
	return sum;
}

/*
 * The rise candidates, conditioned on the level of need (cover_cond): the
 * rises made from its from-level, as a rate per time spent there (n), and
 * all rises, as a rate per time spent anywhere (sum), blended with a prior
 * of cover_cond_prior_s at that level: (sum x cond + prior x rise) / (n +
 * prior), on the scale of the level masses (which add up to sum). With no
 * time at that level, the rises as they are; with much, its own.
 */
static void cover_cond_rises(const struct policy *pol, const struct policy_history *hist,
			     const struct cover_edges *e, unsigned int a0, double cap, double g,
			     struct cover_win win, struct cover_grid *gr)
{
	unsigned int f = cover_cond_group(a0), a = (f - 1) * POLICY_COVER_COND_GROUP;
	double prior = M_LN2 * pol->cover_cond_prior_s / pol->cover_halflife_s, sum, n;
	int k = cover_cond_find(hist, f);
	unsigned int c;
	uint32_t bits;

	sum = cover_sane(hist->level_sum, 1 / g) * g;
	n = cover_level_sum(hist, a, a + POLICY_COVER_COND_GROUP, g, win);
	if (!(sum > 0) || !(n + prior > 0)) {
		cover_rises(hist, e, cap, g, gr);
		return;
	}
	cover_rises(hist, e, cap, g * prior / (n + prior), gr);
	if (k < 0)
		return;
	/* A bin of two rise bins is a candidate at the upper edge of the second. */
	g *= sum / (n + prior);
	for (bits = hist->cond_bits[k]; bits; bits &= bits - 1) {
		float v;

		c = (unsigned int)__builtin_ctz(bits);
		if (c >= POLICY_COVER_COND_BINS || e->rise[2 * c + 1] > cap)
			break;
		v = hist->cond[k][c];
		if (v > win.lo && v <= win.hi)
			cover_put(gr, 2 * c + 1, v * g);
	}
}

/* Is b on or below the line from a to c (a.h < b.h < c.h)? The hull's one test. */
static int cover_below(const struct cover_pt *a, const struct cover_pt *b, const struct cover_pt *c)
{
	return (b->mass - a->mass) * (c->h - a->h) <= (c->mass - a->mass) * (b->h - a->h);
}

/*
 * The points of one domain's curve above need, up to cap KiB of headroom,
 * into q[1..]: the candidates on the grid in order of headroom, with the
 * mass they cover together (as they stand now, g, and weighted by w)
 * accumulated; q[0] is the origin. The grid is left empty. Returns how many
 * points, the origin included.
 */
static size_t cover_points(const struct policy *pol, const struct policy_history *hist,
			   const struct cover_edges *e, uint64_t need, uint64_t cap, double g,
			   double w, struct cover_grid *gr, struct cover_pt *q)
{
	/* The level bin of need: where the level candidates start, and cover_cond's from-level. */
	unsigned int a0 = cover_bin(need, POLICY_COVER_LEVEL_BASE_KIB,
				    POLICY_COVER_LEVEL_PER_OCTAVE, POLICY_COVER_LEVEL_BINS);
	struct cover_win win = cover_window(g);
	double cum = 0;
	size_t n = 1;
	unsigned int i;
	uint64_t bits;

	cover_levels(hist, e, a0, (double)need, (double)cap, g, win, gr);
	if (pol->cover_cond)
		cover_cond_rises(pol, hist, e, a0, (double)cap, g, win, gr);
	else
		cover_rises(hist, e, (double)cap, g, gr);
	q[0].h = q[0].mass = 0;
	q[0].h_kib = 0;
	q[0].bin = 0;
	for (bits = gr->bits; bits; bits &= bits - 1) {
		i = (unsigned int)__builtin_ctzll(bits);
		cum += gr->mass[i];
		gr->mass[i] = 0;
		q[n].h = e->grid[i];
		q[n].h_kib = e->grid_kib[i];
		q[n].mass = cum * w;
		q[n].bin = i;
		if (q[n].h <= (double)cap)
			n++; /* else beyond the maximum: only emptied (the later ones too) */
	}
	gr->bits = 0;
	return n;
}

/*
 * The upper concave hull of q[0..n) (q[0] the origin, the rest in order of
 * headroom) into pt, as a monotone chain: each point pops the points it
 * leaves on or below the hull. Returns how many points it has.
 */
static size_t cover_chain(const struct cover_pt *q, size_t n, struct cover_pt *pt)
{
	size_t k = 1, i;

	pt[0] = q[0];
	for (i = 1; i < n; i++) {
		while (k >= 2 && cover_below(&pt[k - 2], &pt[k - 1], &q[i]))
			k--;
		pt[k++] = q[i];
	}
	return k;
}

/*
 * Is the hull of q[0..n) the origin and the points whose grid bins are in
 * guess? Yes when the last point is in it, every point in it lies strictly
 * above the line between its neighbours in it, and every other point on or
 * below the line between the points of guess around it: then the chain
 * through them is concave and above every point, which only the hull is.
 * Each point makes one test, and no branch hangs on which points are in
 * guess (that varies from domain to domain as nothing a branch could
 * learn), so a right guess costs no misprediction, where the chain's pops
 * cost one in two points.
 */
static int cover_hull_check(const struct cover_pt *q, size_t n, uint64_t guess)
{
	unsigned char next[COVER_GRID_BINS + 1];
	uint64_t seen = 0;
	size_t i, prev = 0, nx = n - 1, keep;
	int ok, in;

	if (n < 2)
		return 0;
	/* For each point, the first point of guess after it (the last point is in it, or no). */
	for (i = n - 1; i-- > 0;) {
		next[i] = (unsigned char)nx;
		keep = -(size_t)((guess >> q[i].bin & 1) & (i != 0));
		nx = (i & keep) | (nx & ~keep);
	}
	ok = guess >> q[n - 1].bin & 1;
	for (i = 1; i + 1 < n; i++) {
		in = guess >> q[i].bin & 1;
		seen |= (uint64_t)in << q[i].bin;
		ok &= cover_below(&q[prev], &q[i], &q[next[i]]) ^ in;
		keep = -(size_t)in;
		prev = (i & keep) | (prev & ~keep);
	}
	seen |= UINT64_C(1) << q[n - 1].bin;
	/* No bin of guess without its point. */
	return ok && seen == guess;
}

/* Keep the grid bins of the hull pt[1..k) in hist, as the next plan's guess; returns k. */
static size_t cover_hull_keep(struct policy_history *hist, const struct cover_pt *pt, size_t k)
{
	uint64_t bins = 0;
	size_t i;

	for (i = 1; i < k; i++)
		bins |= UINT64_C(1) << pt[i].bin;
	hist->hull_bits = bins;
	return k;
}

/*
 * The curve of one domain above need, up to cap KiB of headroom, as the
 * upper concave hull of the origin and its points (cover_points), into pt.
 * The hull is guessed to have the grid bins it had at the domain's previous
 * plan (hist->hull_bits, updated: masses decay together and demand moves
 * little, so on the 64-VM trace six plans in seven keep it), and the guess
 * is checked (cover_hull_check); else it is built (cover_chain). Returns how
 * many points.
 */
static size_t cover_curve(const struct policy *pol, struct policy_history *hist,
			  const struct cover_edges *e, uint64_t need, uint64_t cap, double g,
			  double w, struct cover_grid *gr, struct cover_pt *pt)
{
	struct cover_pt q[COVER_GRID_BINS + 1];
	size_t n = cover_points(pol, hist, e, need, cap, g, w, gr, q), k = 1, i;

	if (!cover_hull_check(q, n, hist->hull_bits))
		return cover_hull_keep(hist, pt, cover_chain(q, n, pt));
	pt[0] = q[0];
	for (i = 1; i < n; i++) {
		pt[k] = q[i];
		k += hist->hull_bits >> q[i].bin & 1;
	}
	return k;
}

/*
 * One step of a hull: cost KiB for the price (mass per KiB) for domain j.
 * The steps of a domain bought are a prefix of its hull (their prices
 * fall), so their costs add up to where the last one ends.
 */
struct cover_seg {
	float price;
	uint32_t j;
	uint64_t cost;
};

static void cover_swap(struct cover_seg *a, struct cover_seg *b)
{
	struct cover_seg t = *a;

	*a = *b;
	*b = t;
}

/*
 * Order seg[0..m) so that the steps bought come first, and return how many
 * are bought: every step of a higher price than the last one bought, and
 * as many of its price as fit, within budget.
 */
static size_t cover_select(struct cover_seg *s, size_t m, uint64_t budget)
{
	size_t a = 0, b = m, gt, lt, i;
	uint64_t spent = 0, c_gt, c_eq;
	float p, x, y, z;

	while (b > a) {
		x = s[a].price;
		y = s[a + (b - a) / 2].price;
		z = s[b - 1].price;
		p = x > y ? (y > z ? y : (x > z ? z : x)) : (x > z ? x : (y > z ? z : y));
		/* [a, gt) above p, [gt, lt) at p, [lt, b) below. */
		gt = a;
		lt = b;
		i = a;
		c_gt = c_eq = 0;
		while (i < lt) {
			if (s[i].price > p) {
				c_gt += s[i].cost;
				cover_swap(&s[i++], &s[gt++]);
			} else if (s[i].price < p) {
				cover_swap(&s[i], &s[--lt]);
			} else {
				c_eq += s[i].cost;
				i++;
			}
		}
		if (spent + c_gt > budget) {
			b = gt;
			continue;
		}
		spent += c_gt;
		if (spent + c_eq <= budget) {
			spent += c_eq;
			a = lt;
			continue;
		}
		/* Part of those at p: as many as fit, in order. */
		for (i = gt; i < lt && spent + s[i].cost <= budget; i++)
			spent += s[i].cost;
		return i;
	}
	return a;
}

/* The bucket of a price: its exponent and the top 3 bits of its fraction (0 for none). */
#define COVER_BUCKETS 2048u
static unsigned int cover_bucket(float price)
{
	uint32_t u;

	if (!(price > 0))
		return 0;
	memcpy(&u, &price, sizeof(u));
	return (u >> 20) & (COVER_BUCKETS - 1);
}

/*
 * Buy the steps seg[0..m) that cover_select would, into add, with the cost
 * and the number of the steps in each bucket (an order of a price's bits)
 * tallied as they were added: the price is first narrowed to one bucket,
 * and only the steps of that bucket are selected.
 */
static int cover_buy(const struct cover_seg *seg, size_t m, uint64_t budget, const uint64_t *sum,
		     const uint64_t *cnt, uint64_t *add)
{
	struct cover_seg *mid = NULL, *dst, sink;
	uint64_t spent = 0;
	size_t i, n = 0, nb;
	unsigned int k = COVER_BUCKETS, kb;

	/* The highest bucket that does not fit whole: those above are bought. */
	while (k > 0 && spent + sum[k - 1] <= budget)
		spent += sum[--k];
	if (k > 0) {
		k--;
		n = (size_t)cnt[k];
		mid = malloc((n + 1) * sizeof(*mid)); /* + 1: the write after the last kept */
		if (!mid)
			return XMEM_ERR_NOMEM;
		n = 0;
	}
	/*
	 * No branch on the bucket (prices come in no order, and half the steps
	 * are bought): each step adds its cost or 0, and is written to mid (a
	 * sink when there is none), which keeps it only when of bucket k.
	 */
	dst = mid ? mid : &sink;
	for (i = 0; i < m; i++) {
		kb = cover_bucket(seg[i].price);
		add[seg[i].j] += seg[i].cost & -(uint64_t)((kb > k) | ((kb == k) & !mid));
		dst[n] = seg[i];
		n += (kb == k) & (mid != NULL);
	}
	if (mid) {
		nb = cover_select(mid, n, budget - spent);
		for (i = 0; i < nb; i++)
			add[mid[i].j] += mid[i].cost;
	}
	free(mid);
	return 0;
}

/*
 * A purchase in progress: the steps of the hulls of the domains added so
 * far, and what a hull is built with. Its memory is kept from plan to plan.
 */
struct cover_cart {
	const struct policy *pol;
	uint64_t budget_kib;
	struct cover_edges e;
	struct cover_grid gr;
	struct cover_seg *seg;
	size_t m, room;
	uint64_t total; /* the cost of every step in seg */
	/* The cost and the number of the steps in seg in each bucket (cover_bucket). */
	uint64_t bucket_kib[COVER_BUCKETS], bucket_nr[COVER_BUCKETS];
	uint64_t *add; /* what each domain is bought (cover_cart_buy), room for nr_room */
	size_t nr_room;
};

/*
 * p when it has room for want entries of size bytes (*room), else freed
 * and allocated anew (the contents are not kept); NULL (*room 0) when out
 * of memory.
 */
static void *cover_fit(void *p, size_t *room, size_t want, size_t size)
{
	if (*room >= want)
		return p;
	free(p);
	p = malloc(want * size);
	*room = p ? want : 0;
	return p;
}

struct cover_cart *cover_cart_new(void)
{
	struct cover_cart *c = calloc(1, sizeof(*c));

	if (c)
		cover_edges_init(&c->e);
	return c;
}

void cover_cart_free(struct cover_cart *c)
{
	if (!c)
		return;
	free(c->seg);
	free(c->add);
	free(c);
}

int cover_cart_start(struct cover_cart *c, const struct policy *pol, size_t nr, uint64_t budget_kib)
{
	/* Room for a dozen steps a domain to start with; cover_cart_add grows it. */
	size_t room = nr * 12 + COVER_GRID_BINS;

	c->pol = pol;
	c->budget_kib = budget_kib;
	c->m = 0;
	c->total = 0;
	if (!budget_kib || !nr || nr > UINT32_MAX || !pol->cover_halflife_s)
		return 0;
	c->seg = cover_fit(c->seg, &c->room, room, sizeof(*c->seg));
	c->add = cover_fit(c->add, &c->nr_room, nr, sizeof(*c->add));
	if (!c->seg || !c->add)
		return XMEM_ERR_NOMEM;
	memset(c->bucket_kib, 0, sizeof(c->bucket_kib));
	memset(c->bucket_nr, 0, sizeof(c->bucket_nr));
	return 1;
}

int cover_cart_add(struct cover_cart *c, size_t j, struct policy_history *hist,
		   const struct cover_now *now, uint64_t x, uint64_t cap, double w)
{
	struct cover_pt pt[COVER_GRID_BINS + 1];
	struct cover_seg *seg;
	size_t k, i;
	float price;

	if (!hist || cap <= x)
		return 0;
	/* A hull has at most COVER_GRID_BINS steps. */
	if (c->room - c->m < COVER_GRID_BINS) {
		seg = realloc(c->seg, 2 * c->room * sizeof(*seg));
		if (!seg)
			return XMEM_ERR_NOMEM;
		c->seg = seg;
		c->room *= 2;
	}
	k = cover_curve(c->pol, hist, &c->e, x, cap - x, now->g, w * now->lift, &c->gr, pt);
	for (i = 1; i < k; i++) {
		price = (float)((pt[i].mass - pt[i - 1].mass) / (pt[i].h - pt[i - 1].h));
		/* Below the floor, this step and the rest of the hull (cheaper) are left. */
		if (price < COVER_MIN_PER_GIB * w / (1024.0 * 1024))
			break;
		seg = &c->seg[c->m++];
		seg->price = price;
		seg->cost = pt[i].h_kib - pt[i - 1].h_kib;
		seg->j = (uint32_t)j;
		c->total += seg->cost;
		c->bucket_kib[cover_bucket(price)] += seg->cost;
		c->bucket_nr[cover_bucket(price)]++;
	}
	return 0;
}

uint64_t cover_cart_buy(struct cover_cart *c, size_t nr, const uint64_t *cap, uint64_t *x,
			int *err_r)
{
	uint64_t *add = c->add, used = 0;
	size_t j, i;

	*err_r = 0;
	if (!c->m)
		return 0;
	memset(add, 0, nr * sizeof(*add));
	/* Every step bought: no price to find. */
	if (c->total <= c->budget_kib) {
		for (i = 0; i < c->m; i++)
			add[c->seg[i].j] += c->seg[i].cost;
	} else {
		*err_r = cover_buy(c->seg, c->m, c->budget_kib, c->bucket_kib, c->bucket_nr, add);
		if (*err_r)
			return 0;
	}
	for (j = 0; j < nr; j++) {
		if (add[j] > cap[j] - x[j])
			add[j] = cap[j] - x[j];
		x[j] += add[j];
		used += add[j];
	}
	return used;
}
