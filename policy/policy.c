/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy.c: the plan. Pure computation: no I/O, no clock, no globals.
 *
 * One plan, four steps:
 * 1. Budget (policy_budget_kib): what the included domains may hold. The
 *    floor and pending reservations come off first, then outstanding claims
 *    and whatever excluded domains hold (unmanaged, no balloon, uncooperative
 *    or gave up: their memory is not reclaimable, so it is not counted).
 * 2. Levels: each included domain gets a ladder of sizes, its tiers:
 *      min      dynamic-min
 *      held     what the guest cannot give (xmem, hyperv): the smaller of
 *               what it uses and what it holds; a lower target only ends in
 *               a balloon that gives up
 *      need     demand (startup while the guest has reported nothing: a
 *               silent guest keeps its startup size, and under scarcity
 *               gives down to its minimum by weight like any other)
 *      buffer   demand x (1 + buffer), more for a coarse source (policy_buffer_kib)
 *      memory   the remembered recent peak, decaying, or the demand plus its
 *               recent largest one-step rise if more (xmem only, stability.c);
 *               for a silent guest, silent_surplus_pct of its headroom above
 *               startup when the policy gives one (xmem, hyperv)
 *    and beyond them, filled last on weights of its own, the surplus: up to
 *    dynamic-max, by weight and volatility, keeping keep_free free (xmem
 *    only, surplus.c).
 *    each clamped into [dynamic-min, dynamic-max]. The kinds differ only here:
 *      xmem          min, held, need, buffer, memory; weights
 *      hyperv        min, held, need, buffer; weights; no memory, no pressure boost
 *                    unless its file asks (Hyper-V: demand x 1.2, weights)
 *      proportional  min, max; each domain weighted by its range, so all get
 *                    the same fraction of [min, max] (squeezed's rule)
 *      static        min, startup; weights
 *      spread        min, held, need, buffer, max; weights: the buffer, then
 *                    every byte left spread max-min fair up to each maximum
 *                    (a reference for what handing out all surplus gives)
 * 3. Fill (fair.c): tier by tier, the whole tier when the budget allows,
 *    else what is left shared by weighted max-min fairness. So under plenty
 *    everyone gets its desired size (the top tier) and the rest goes to the
 *    surplus tier (xmem) or stays free (the other kinds);
 *    under scarcity buffers and remembered peaks go before anyone's demand,
 *    and high weights keep theirs longest.
 * 4. Deadband (stability.c): a target within the deadband of the plan is
 *    kept as it is (not written again), as long as keeping it fits the
 *    budget and, when it is the lower one, it covers the demand plus half
 *    the buffer (just the demand under scarcity); every other changed
 *    target is applied, in phase 1 when it frees memory (below the current
 *    allocation) and phase 2 when it takes some.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"
#include "xmem_err.h"

static const char *const policy_kind_names[] = {
	[POLICY_XMEM] = "xmem",	    [POLICY_PROPORTIONAL] = "proportional",
	[POLICY_STATIC] = "static", [POLICY_HYPERV] = "hyperv",
	[POLICY_SPREAD] = "spread",
};

#define POLICY_NR_KINDS (sizeof(policy_kind_names) / sizeof(policy_kind_names[0]))

void policy_defaults(struct policy *pol, enum policy_kind kind)
{
	memset(pol, 0, sizeof(*pol));
	pol->kind = kind;
	snprintf(pol->name, sizeof(pol->name), "%s", policy_kind_name(kind));
	pol->min_rate_kib_s = 256;
	pol->uncoop_after_s = 20;
	switch (kind) {
	case POLICY_XMEM:
		pol->default_buffer_pct = POLICY_BUFFER_DEFAULT_PCT;
		pol->deadband_kib = 64 * 1024;
		pol->deadband_pct = 10;
		pol->shrink_pct_per_s = 1;
		pol->pressure_boost_pct = 50;
		pol->headroom_halflife_s = 3600;
		pol->surplus = 1;
		pol->keep_free_kib = POLICY_KEEP_FREE_DEFAULT_KIB;
		pol->surplus_base_kib = POLICY_SURPLUS_BASE_DEFAULT_KIB;
		pol->cover_halflife_s = POLICY_COVER_HALFLIFE_DEFAULT_S;
		pol->cover_rise_s = POLICY_COVER_RISE_DEFAULT_S;
		pol->cover_cond = 1;
		pol->cover_cond_prior_s = POLICY_COVER_COND_PRIOR_DEFAULT_S;
		pol->cover_phase = 1;
		break;
	case POLICY_HYPERV:
	case POLICY_SPREAD:
		pol->default_buffer_pct = POLICY_BUFFER_DEFAULT_PCT;
		break;
	case POLICY_PROPORTIONAL:
	case POLICY_STATIC:
	default:
		break;
	}
}

int policy_kind_parse(const char *name, enum policy_kind *kind_r)
{
	size_t k;

	for (k = 0; k < POLICY_NR_KINDS; k++) {
		if (policy_kind_names[k] && !strcmp(name, policy_kind_names[k])) {
			*kind_r = (enum policy_kind)k;
			return 0;
		}
	}
	return XMEM_ERR_INVAL;
}

const char *policy_kind_name(enum policy_kind kind)
{
	if ((size_t)kind >= POLICY_NR_KINDS)
		return "unknown";
	return policy_kind_names[kind];
}

int policy_dom_driven(const struct policy_dom *dom)
{
	return dom->managed && dom->has_balloon && dom->cooperative;
}

int policy_dom_included(const struct policy_dom *dom)
{
	return policy_dom_driven(dom) && dom->balloon != POLICY_BALLOON_GAVE_UP;
}

/* a - b, or 0 when b > a. */
static inline uint64_t policy_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* What the included domains held in total (incl_kib), what the rest held (excl_kib): the budget. */
static uint64_t policy_budget_of(const struct policy_host *host, uint64_t incl_kib,
				 uint64_t excl_kib)
{
	uint64_t by_total, by_free, off;

	off = host->floor_kib + host->reserved_kib + host->claimed_kib + host->promised_kib;
	by_total = policy_sub(policy_sub(host->total_kib, off), excl_kib);
	by_free = policy_sub(host->free_kib + incl_kib, off);
	return by_total < by_free ? by_total : by_free;
}

/* Add what dom holds to *incl_kib or *excl_kib (policy_budget_kib's sums). */
static void policy_budget_add(const struct policy_dom *dom, uint64_t *incl_kib, uint64_t *excl_kib)
{
	if (policy_dom_included(dom))
		*incl_kib += dom->current_kib;
	else
		*excl_kib += dom->current_kib;
}

uint64_t policy_budget_kib(const struct policy_host *host, const struct policy_dom *doms, size_t nr)
{
	uint64_t incl_kib = 0, excl_kib = 0;
	size_t i;

	for (i = 0; i < nr; i++)
		policy_budget_add(&doms[i], &incl_kib, &excl_kib);
	return policy_budget_of(host, incl_kib, excl_kib);
}

/* Does pol hand out the surplus tier? (xmem only: the references stay as they are.) */
static int policy_surplus_on(const struct policy *pol)
{
	return pol->kind == POLICY_XMEM && pol->surplus;
}

/* Does pol decide the memory above demand by the cover tier? (xmem only.) */
static int policy_cover_on(const struct policy *pol)
{
	return pol->kind == POLICY_XMEM && pol->cover_halflife_s;
}

/* Bounds and parameters of a managed domain in order? */
static int policy_dom_valid(const struct policy_dom *dom)
{
	if (dom->min_kib > dom->max_kib)
		return 0;
	if (dom->static_max_kib && dom->max_kib > dom->static_max_kib)
		return 0;
	if (dom->max_kib > SIZE_MAX_KIB_POLICY)
		return 0;
	if (dom->weight > POLICY_WEIGHT_MAX)
		return 0;
	if (dom->buffer_pct &&
	    (dom->buffer_pct < POLICY_BUFFER_MIN_PCT || dom->buffer_pct > POLICY_BUFFER_MAX_PCT))
		return 0;
	return 1;
}

/*
 * Scratch of a plan: levels per tier, weights and fill, for the included
 * domains, room for room of them; kept by the caller (policy_plan_with) or
 * for one plan (policy_plan). Every array is written for each included
 * domain before it is read, so nothing passes from one plan to the next.
 */
struct policy_scratch {
	size_t room;
	uint64_t *level[POLICY_NR_TIERS];
	uint64_t *top; /* the surplus tier's level: max, or the last tier without it */
	double *w;
	double *ws; /* surplus weights */
	uint64_t *x;
	size_t *idx;
	struct fair_key *keys;
	uint64_t *cap; /* the cover tier's ceiling: max */
	uint64_t *cov; /* what the fill gave up to the cover tier (read only with it on) */
	/*
	 * Of each included domain, what the deadband and the marking read, so
	 * that they need not go back to the domains: its target in force
	 * (tgt), that target where it lies within its bounds (t0; UINT64_MAX
	 * outside them, above any bound), and what it holds (cur).
	 */
	uint64_t *tgt, *t0, *cur;
	struct cover_cart *cart; /* the cover tier's (NULL until a plan needs it) */
};
_Static_assert(SIZE_MAX_KIB_POLICY < UINT64_MAX, "no bound reaches t0's mark of out of bounds");

/* Free the arrays of s (not the cart); s is then empty, with no room. */
static void policy_scratch_release(struct policy_scratch *s)
{
	unsigned int t;

	for (t = 0; t < POLICY_NR_TIERS; t++)
		free(s->level[t]);
	free(s->top);
	free(s->w);
	free(s->ws);
	free(s->x);
	free(s->idx);
	free(s->keys);
	free(s->cap);
	free(s->cov);
	free(s->tgt);
	free(s->t0);
	free(s->cur);
	*s = (struct policy_scratch){ .cart = s->cart };
}

/* Give s room for nr domains (it only grows). 0 or XMEM_ERR_NOMEM (then s has none). */
static int policy_scratch_fit(struct policy_scratch *s, size_t nr)
{
	size_t n = nr ? nr : 1;
	unsigned int t;
	int ok = 1;

	if (n <= s->room)
		return 0;
	policy_scratch_release(s);
	for (t = 0; t < POLICY_NR_TIERS; t++)
		ok &= (s->level[t] = malloc(n * sizeof(uint64_t))) != NULL;
	s->w = calloc(n, sizeof(double)); /* calloc: gcc flags a const read of malloc memory */
	s->ws = calloc(n, sizeof(double));
	s->top = malloc(n * sizeof(uint64_t));
	s->x = malloc(n * sizeof(uint64_t));
	s->idx = malloc(n * sizeof(size_t));
	s->keys = malloc(n * sizeof(struct fair_key));
	s->cap = malloc(n * sizeof(uint64_t));
	s->cov = malloc(n * sizeof(uint64_t));
	s->tgt = malloc(n * sizeof(uint64_t));
	s->t0 = malloc(n * sizeof(uint64_t));
	s->cur = malloc(n * sizeof(uint64_t));
	if (!ok || !s->w || !s->ws || !s->top || !s->x || !s->idx || !s->keys || !s->cap ||
	    !s->cov || !s->tgt || !s->t0 || !s->cur) {
		policy_scratch_release(s);
		return XMEM_ERR_NOMEM;
	}
	s->room = n;
	return 0;
}

struct policy_scratch *policy_scratch_new(void)
{
	return calloc(1, sizeof(struct policy_scratch));
}

void policy_scratch_free(struct policy_scratch *s)
{
	if (!s)
		return;
	policy_scratch_release(s);
	cover_cart_free(s->cart);
	free(s);
}

/*
 * The lowest target the deadband may keep below plan x for included domain
 * j: its demand, or what the cover tier gave it less a quarter of the
 * deadband (a rise it bought is not left to the deadband); and when the
 * plan gives it its whole buffer, that plus half the rest of the buffer.
 * (Under scarcity the plan itself cuts the buffer, and a floor above the
 * plan would make the target follow every jitter.)
 */
static uint64_t policy_keep_floor_kib(const struct policy *pol, const struct policy_scratch *s,
				      size_t j, uint64_t x)
{
	uint64_t need = s->level[POLICY_TIER_NEED][j], buf = s->level[POLICY_TIER_BUFFER][j];
	uint64_t tol = pol->deadband_kib / 4;

	/* What the cover tier bought is kept, within a quarter of the deadband. */
	if (policy_cover_on(pol) && s->cov[j] > need)
		need = s->cov[j] - (s->cov[j] - need < tol ? s->cov[j] - need : tol);
	if (x < buf || buf <= need)
		return need;
	return need + (buf - need) / 2;
}

/*
 * Fill the ladder of dom (levels lv[0..POLICY_NR_TIERS-1], clamped, non-
 * decreasing) and its weight. Returns the demand (0: none).
 */
static uint64_t policy_ladder(const struct policy *pol, const struct policy_host *host,
			      const struct policy_dom *dom, uint64_t *lv, double *w_r,
			      uint64_t *swing_r)
{
	uint64_t lo = dom->min_kib, hi = dom->max_kib, demand_kib, need, buf, mem, held;
	unsigned int t;

	demand_kib = policy_demand_kib(pol, dom);
	*swing_r = 0;
	*w_r = (double)dom->weight + 1.0;
	switch (pol->kind) {
	case POLICY_PROPORTIONAL:
		lv[0] = lo;
		for (t = 1; t < POLICY_NR_TIERS; t++)
			lv[t] = hi;
		*w_r = hi > lo ? (double)(hi - lo) : 1.0;
		return demand_kib;
	case POLICY_STATIC:
		lv[0] = lo;
		for (t = 1; t < POLICY_NR_TIERS; t++)
			lv[t] = policy_clamp(dom->startup_kib, lo, hi);
		return demand_kib;
	case POLICY_XMEM:
	case POLICY_HYPERV:
	case POLICY_SPREAD:
	default:
		break;
	}
	if (!dom->has_demand) {
		need = buf = policy_clamp(dom->startup_kib, lo, hi);
	} else {
		need = policy_clamp(demand_kib, lo, hi);
		buf = policy_clamp(policy_buffer_kib(pol, dom, demand_kib), lo, hi);
	}
	mem = buf;
	if (pol->kind == POLICY_SPREAD) {
		mem = hi;
	} else if (pol->kind == POLICY_XMEM && dom->has_demand) {
		*swing_r = stability_swing_kib(pol, dom, host->now_ms, demand_kib);
		mem = stability_memory_kib(pol, dom, host->now_ms, buf);
		if (demand_kib + *swing_r > mem)
			mem = demand_kib + *swing_r;
		mem = policy_clamp(mem, lo, hi);
	}
	if (!dom->has_demand && pol->silent_surplus_pct && hi > buf)
		mem = buf + (hi - buf) / 100 * pol->silent_surplus_pct +
		      (hi - buf) % 100 * pol->silent_surplus_pct / 100;
	/*
	 * A guest never gives its working set: below what it uses (or holds,
	 * if less) a balloon only backs off and gives up. That tier comes
	 * right after dynamic-min, before anyone's demand: memory for others
	 * is taken from elsewhere first. Use and allocation are read at
	 * different times, so within 1% + 4 MiB of its use a guest is taken
	 * to hold nothing it could give.
	 */
	held = lo;
	if (dom->has_demand && dom->used_kib) {
		uint64_t use =
			dom->used_kib > SIZE_MAX_KIB_POLICY ? SIZE_MAX_KIB_POLICY : dom->used_kib;

		use += POLICY_HELD_SLACK_KIB + use / 100;
		held = policy_clamp(use < dom->current_kib ? use : dom->current_kib, lo, hi);
	}
	lv[POLICY_TIER_MIN] = lo;
	lv[POLICY_TIER_HELD] = held;
	lv[POLICY_TIER_NEED] = need;
	lv[POLICY_TIER_BUFFER] = buf;
	lv[POLICY_TIER_MEMORY] = mem;
	for (t = 1; t < POLICY_NR_TIERS; t++)
		if (lv[t] < lv[t - 1])
			lv[t] = lv[t - 1];
	return demand_kib;
}

/*
 * What the cover tier leaves of rem: keep_free, as far as rem exceeds what
 * every domain's tiers above need still take (so with plenty a VM start
 * finds keep_free free, as the surplus leaves it; under scarcity the cover
 * tier may spend it, as the buffer and memory tiers may).
 */
static uint64_t policy_cover_keep_kib(const struct policy *pol, const struct policy_scratch *s,
				      size_t n, uint64_t rem)
{
	uint64_t above = 0, spare;
	size_t j;

	for (j = 0; j < n; j++)
		if (s->level[POLICY_NR_TIERS - 1][j] > s->x[j])
			above += s->level[POLICY_NR_TIERS - 1][j] - s->x[j];
	spare = rem > above ? rem - above : 0;
	return spare < pol->keep_free_kib ? spare : pol->keep_free_kib;
}

/*
 * The tiers' fill into s->x, up to demand (*used_r: its total). Without the
 * cover tier, every tier at once. With it, tier by tier up to demand, and
 * in *cart_r (NULL: none) the cover tier's purchase of what is left (bar
 * keep_free), started for policy_histories to fill. 0 or XMEM_ERR_NOMEM.
 */
static int policy_fill_low(const struct policy *pol, struct policy_scratch *s, size_t n,
			   uint64_t budget_kib, uint64_t *used_r, struct cover_cart **cart_r)
{
	uint64_t used, rem;
	int rc;

	*cart_r = NULL;
	if (!policy_cover_on(pol)) {
		*used_r = fair_fill_tiers(n, POLICY_NR_TIERS, s->level, s->w, budget_kib, s->x,
					  s->keys);
		return 0;
	}
	used = fair_fill_tiers(n, POLICY_TIER_NEED + 1, s->level, s->w, budget_kib, s->x, s->keys);
	rem = used < budget_kib ? budget_kib - used : 0;
	rem -= policy_cover_keep_kib(pol, s, n, rem);
	*used_r = used;
	if (!s->cart && !(s->cart = cover_cart_new()))
		return XMEM_ERR_NOMEM;
	rc = cover_cart_start(s->cart, pol, n, rem);
	if (rc < 0)
		return rc;
	*cart_r = rc ? s->cart : NULL;
	return 0;
}

/*
 * Every managed domain's history brought to now (cover_history), and the
 * hull of each included one that takes part in the cover tier added to
 * cart (NULL: none) while its history is at hand: a plan reads each
 * history once. 0 or XMEM_ERR_NOMEM.
 */
static int policy_histories(const struct policy *pol, const struct policy_host *host,
			    const struct policy_dom *doms, size_t nr, const struct policy_out *out,
			    const struct policy_scratch *s, struct cover_cart *cart)
{
	struct cover_memo memo[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	struct cover_now now;
	size_t i, j = 0;
	int rc;

	for (i = 0; i < nr; i++) {
		const struct policy_dom *d = &doms[i];

		if (!d->managed)
			continue;
		if (i + 1 < nr)
			cover_prefetch(doms[i + 1].prev_history);
		cover_history(pol, d, host->now_ms, out[i].demand_kib, d->history, memo, &now);
		if (!out[i].included)
			continue;
		if (cart && d->has_demand) {
			rc = cover_cart_add(cart, j, d->history, &now, s->x[j], s->cap[j], s->w[j]);
			if (rc)
				return rc;
		}
		j++;
	}
	return 0;
}

/*
 * The rest of the fill (with the cover tier): what cart bought, then the
 * buffer and memory tiers (at least what cover gave) on what is left.
 * Adds to *used_r. 0 or XMEM_ERR_NOMEM.
 */
static int policy_fill_high(const struct policy *pol, struct policy_scratch *s, size_t n,
			    uint64_t budget_kib, struct cover_cart *cart, uint64_t *used_r)
{
	uint64_t used = *used_r, rem;
	unsigned int t;
	size_t j;
	int rc = 0;

	if (!policy_cover_on(pol))
		return 0;
	if (cart) {
		used += cover_cart_buy(cart, n, s->cap, s->x, &rc);
		if (rc)
			return rc;
	}
	memcpy(s->cov, s->x, n * sizeof(*s->cov));
	for (t = POLICY_TIER_NEED + 1; t < POLICY_NR_TIERS; t++) {
		/* s->cap is free once cover is done: the tier's level, at least x. */
		for (j = 0; j < n; j++)
			s->cap[j] = s->level[t][j] > s->x[j] ? s->level[t][j] : s->x[j];
		rem = used < budget_kib ? budget_kib - used : 0;
		if (!rem)
			break;
		used += fair_fill_share(n, s->cap, s->w, rem, s->x, s->keys);
	}
	*used_r = used;
	return 0;
}

/*
 * Deadband: keep a target in force that is close to the plan x of the n
 * included domains. Keeping a lower one frees budget (pass 0), keeping a
 * higher one spends it (pass 1), so the sum never exceeds what the fill
 * allowed (slack_kib: what the fill left).
 */
static void policy_deadband(const struct policy *pol, const struct policy_scratch *s, size_t n,
			    uint64_t slack_kib, struct policy_out *out)
{
	size_t j;
	int pass;

	for (j = 0; j < n; j++)
		out[s->idx[j]].target_kib = s->x[j];
	for (pass = 0; pass < 2; pass++) {
		for (j = 0; j < n; j++) {
			uint64_t t0 = s->t0[j], x = s->x[j], db;

			if (t0 == UINT64_MAX || t0 == x)
				continue; /* outside its bounds, or the plan itself */
			db = stability_deadband_kib(pol, t0);
			/*
			 * A lower target is kept only while it covers the
			 * demand and, when the plan can afford the buffer,
			 * half the buffer too. (With the 64 MiB deadband
			 * alone, a small guest would grow only once it
			 * stalled: its buffer would never be honoured.)
			 */
			if (pass == 0 && t0 < x && x - t0 < db &&
			    t0 >= policy_keep_floor_kib(pol, s, j, x)) {
				out[s->idx[j]].target_kib = t0;
				slack_kib += x - t0;
			} else if (pass == 1 && t0 > x && t0 - x < db && t0 - x <= slack_kib) {
				out[s->idx[j]].target_kib = t0;
				slack_kib -= t0 - x;
			}
		}
	}
}

/* Mark the changed targets to apply: phase 1 when they free memory, 2 when they take some. */
static void policy_mark_applied(const struct policy_scratch *s, size_t n, struct policy_out *out)
{
	size_t j;

	for (j = 0; j < n; j++) {
		struct policy_out *o = &out[s->idx[j]];

		if (o->target_kib == s->tgt[j])
			continue;
		o->apply = 1;
		o->phase = o->target_kib <= s->cur[j] ? 1 : 2;
	}
}

/*
 * The ladder of every domain into out; the included ones into s (in order,
 * s->idx mapping them back). Returns how many are included.
 */
static size_t policy_ladders(const struct policy *pol, const struct policy_host *host,
			     const struct policy_dom *doms, size_t nr, struct policy_out *out,
			     struct policy_scratch *s)
{
	uint64_t lv[POLICY_NR_TIERS];
	size_t i, n = 0;
	unsigned int t;

	for (i = 0; i < nr; i++) {
		const struct policy_dom *d = &doms[i];
		struct policy_out *o = &out[i];
		double w;

		o->domid = d->domid;
		o->apply = o->phase = o->included = 0;
		o->swing_kib = 0;
		if (!d->managed) {
			if (d->history)
				cover_clear(d->history);
			o->demand_kib = policy_demand_kib(pol, d);
			o->desired_kib = d->current_kib;
			o->target_kib = d->target_kib;
			continue;
		}
		o->demand_kib = policy_ladder(pol, host, d, lv, &w, &o->swing_kib);
		o->desired_kib = lv[POLICY_NR_TIERS - 1];
		if (!policy_dom_included(d)) {
			o->target_kib = d->target_kib;
			continue;
		}
		o->included = 1;
		for (t = 0; t < POLICY_NR_TIERS; t++)
			s->level[t][n] = lv[t];
		s->w[n] = w;
		/* A guest that reports nothing gets no surplus beyond silent_surplus_pct. */
		s->top[n] = policy_surplus_on(pol) && d->has_demand ? d->max_kib
								    : lv[POLICY_NR_TIERS - 1];
		s->ws[n] = surplus_weight(pol, o->swing_kib, w);
		s->cap[n] = d->max_kib;
		s->tgt[n] = d->target_kib;
		s->t0[n] = d->target_kib < d->min_kib || d->target_kib > d->max_kib ? UINT64_MAX
										    : d->target_kib;
		s->cur[n] = d->current_kib;
		s->idx[n] = i;
		n++;
	}
	return n;
}

int policy_plan_with(struct policy_scratch *s, const struct policy *pol,
		     const struct policy_host *host, const struct policy_dom *doms, size_t nr,
		     struct policy_out *out)
{
	struct policy_scratch *own = NULL;
	struct cover_cart *cart = NULL;
	uint64_t budget_kib, used_kib, slack_kib, incl_kib = 0, excl_kib = 0;
	size_t i, n;
	int rc;

	if ((size_t)pol->kind >= POLICY_NR_KINDS)
		return XMEM_ERR_INVAL;
	/* Bounds checked before anything is written; the budget's sums in the same pass. */
	for (i = 0; i < nr; i++) {
		if (doms[i].managed && !policy_dom_valid(&doms[i]))
			return XMEM_ERR_INVAL;
		policy_budget_add(&doms[i], &incl_kib, &excl_kib);
	}
	if (!s && !(s = own = policy_scratch_new()))
		return XMEM_ERR_NOMEM;
	rc = policy_scratch_fit(s, nr);
	if (rc)
		goto out;
	n = policy_ladders(pol, host, doms, nr, out, s);

	/*
	 * The fill up to demand, then every history (the cover tier's hulls
	 * built as each is updated), then the rest of the fill.
	 */
	budget_kib = policy_budget_of(host, incl_kib, excl_kib);
	rc = policy_fill_low(pol, s, n, budget_kib, &used_kib, &cart);
	if (rc)
		goto out;
	rc = policy_histories(pol, host, doms, nr, out, s, cart);
	if (rc)
		goto out;
	rc = policy_fill_high(pol, s, n, budget_kib, cart, &used_kib);
	if (rc)
		goto out;
	used_kib += surplus_fill(pol, n, s->top, s->ws, budget_kib, used_kib, s->x, s->keys);
	slack_kib = budget_kib > used_kib ? budget_kib - used_kib : 0;

	policy_deadband(pol, s, n, slack_kib, out);
	policy_mark_applied(s, n, out);
	rc = 0;
out:
	policy_scratch_free(own);
	return rc;
}

int policy_plan(const struct policy *pol, const struct policy_host *host,
		const struct policy_dom *doms, size_t nr, struct policy_out *out)
{
	return policy_plan_with(NULL, pol, host, doms, nr, out);
}
