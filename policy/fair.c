/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fair.c: weighted max-min fairness over tiers (water-filling).
 *
 * Within the tier that does not fit, every domain still short of the tier's
 * level gains w[i] x L for one common water level L, or its whole need when
 * that is smaller; L is the largest level whose total fits the budget. A
 * domain with twice the weight gains twice as much before it is satisfied,
 * so it keeps what it has longest when memory runs short. Tiers are strict:
 * no domain gets anything of tier t + 1 before every domain has all of
 * tier t.
 *
 * L is exact: each open domain saturates at L_i = need_i / w_i, and the
 * total at L is S + W x L, S what the domains with L_i <= L need and W the
 * weight of the others. L is found by selection, as in quickselect: take a
 * pivot among the candidate L_i, split the candidates around it, evaluate
 * the total there, and keep only the side that holds L, folding the other
 * side into S or W. Each round costs the candidates left, so the whole is
 * linear on average, with no sorting, iteration limit or tolerance. Amounts
 * are rounded down and the rounding rest (under 1 KiB a domain) is handed
 * out 1 KiB a domain, so the total is the budget exactly and every gain is
 * within 1 KiB of the exact share.
 */
#include "config.h"

#include "policy_int.h"

/* Swap two keys. */
static inline void fair_swap(struct fair_key *a, struct fair_key *b)
{
	struct fair_key t = *a;

	*a = *b;
	*b = t;
}

/* Median of three levels, as the pivot of keys[a..b). */
static double fair_pivot(const struct fair_key *k, size_t a, size_t b)
{
	double x = k[a].level, y = k[a + (b - a) / 2].level, z = k[b - 1].level;

	if (x > y) {
		double t = x;

		x = y;
		y = t;
	}
	if (y > z)
		y = z;
	return x > y ? x : y;
}

/* The water level at which the open domains in keys[0..m) take rem in total. */
static double fair_level(struct fair_key *k, size_t m, uint64_t rem)
{
	double sat = 0, w_open = 0, p, lt_need, lt_w, eq_need, eq_w, gt_need, gt_w, f;
	size_t a = 0, b = m, lt, gt, i;

	while (b > a) {
		p = fair_pivot(k, a, b);
		/* Three-way split of [a, b): [a, lt) below p, [lt, gt) at p, [gt, b) above. */
		lt = a;
		gt = b;
		i = a;
		lt_need = lt_w = eq_need = eq_w = gt_need = gt_w = 0;
		while (i < gt) {
			if (k[i].level < p) {
				lt_need += (double)k[i].need;
				lt_w += k[i].w;
				fair_swap(&k[i++], &k[lt++]);
			} else if (k[i].level > p) {
				gt_need += (double)k[i].need;
				gt_w += k[i].w;
				fair_swap(&k[i], &k[--gt]);
			} else {
				eq_need += (double)k[i].need;
				eq_w += k[i].w;
				i++;
			}
		}
		f = sat + lt_need + eq_need + (w_open + gt_w) * p;
		if (f >= (double)rem) {
			/* L <= p: those at or above p stay open. */
			w_open += eq_w + gt_w;
			b = lt;
		} else {
			/* L > p: those at or below p are satisfied. */
			sat += lt_need + eq_need;
			a = gt;
		}
	}
	return w_open > 0 ? ((double)rem - sat) / w_open : 0;
}

/* Share rem among the domains below hi by weight; rem is less than their total need. */
static uint64_t fair_fill_one(size_t nr, const uint64_t *hi, const double *w, uint64_t rem,
			      uint64_t *x, struct fair_key *keys)
{
	uint64_t used = 0, g, need;
	size_t i, m = 0;
	double l;

	for (i = 0; i < nr; i++) {
		if (hi[i] <= x[i])
			continue;
		keys[m].level = (double)(hi[i] - x[i]) / w[i];
		keys[m].w = w[i];
		keys[m].need = hi[i] - x[i];
		m++;
	}
	l = fair_level(keys, m, rem);
	for (i = 0; i < nr; i++) {
		if (hi[i] <= x[i])
			continue;
		need = hi[i] - x[i];
		g = w[i] * l >= (double)need ? need : (uint64_t)(w[i] * l);
		if (g > rem - used)
			g = rem - used;
		x[i] += g;
		used += g;
	}
	/* The rounding rest: under 1 KiB was lost per open domain; 1 KiB each. */
	for (i = 0; i < nr && used < rem; i++) {
		if (hi[i] > x[i]) {
			x[i]++;
			used++;
		}
	}
	/* Only if the level itself fell short (floating point): the rest in order. */
	for (i = 0; i < nr && used < rem; i++) {
		if (hi[i] > x[i]) {
			g = hi[i] - x[i];
			if (g > rem - used)
				g = rem - used;
			x[i] += g;
			used += g;
		}
	}
	return used;
}

uint64_t fair_fill_tiers(size_t nr, unsigned int nr_tiers, uint64_t *const *level, const double *w,
			 uint64_t budget_kib, uint64_t *x_r, struct fair_key *keys)
{
	uint64_t used = 0, rem, need;
	unsigned int t;
	size_t i;

	for (i = 0; i < nr; i++) {
		x_r[i] = level[0][i];
		used += x_r[i];
	}
	if (used >= budget_kib)
		return used;
	rem = budget_kib - used;
	for (t = 1; t < nr_tiers; t++) {
		const uint64_t *hi = level[t];

		need = 0;
		for (i = 0; i < nr; i++)
			if (hi[i] > x_r[i])
				need += hi[i] - x_r[i];
		if (need <= rem) {
			for (i = 0; i < nr; i++)
				if (hi[i] > x_r[i])
					x_r[i] = hi[i];
			rem -= need;
			used += need;
			continue;
		}
		used += fair_fill_one(nr, hi, w, rem, x_r, keys);
		break;
	}
	return used;
}

uint64_t fair_fill_share(size_t nr, const uint64_t *hi, const double *w, uint64_t rem, uint64_t *x,
			 struct fair_key *keys)
{
	uint64_t need = 0;
	size_t i;

	for (i = 0; i < nr; i++)
		if (hi[i] > x[i])
			need += hi[i] - x[i];
	if (need <= rem) {
		for (i = 0; i < nr; i++)
			if (hi[i] > x[i])
				x[i] = hi[i];
		return need;
	}
	return fair_fill_one(nr, hi, w, rem, x, keys);
}
