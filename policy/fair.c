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
 * L is found by bisection: the total is non-decreasing in L, and each probe
 * is one pass over the domains, so there is no sorting and no scratch
 * memory. The pass count is bounded (FAIR_MAX_PASSES); amounts are rounded
 * down, so the total never exceeds the budget.
 */
#include "config.h"

#include "policy_int.h"

#define FAIR_MAX_PASSES 64
/* Stop refining L once the totals at both ends differ by at most this. */
#define FAIR_PRECISION_KIB 16

/* What domain i gains at water level l, capped at its need. */
static inline uint64_t fair_gain(uint64_t need_kib, double w, double l)
{
	double g = w * l;

	if (g >= (double)need_kib)
		return need_kib;
	return (uint64_t)g;
}

/* Total gain at water level l. */
static uint64_t fair_total(size_t nr, const uint64_t *hi, const double *w, const uint64_t *x,
			   double l)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < nr; i++)
		if (hi[i] > x[i])
			sum += fair_gain(hi[i] - x[i], w[i], l);
	return sum;
}

/* Share rem among the domains below hi by weight; rem is less than their total need. */
static uint64_t fair_fill_one(size_t nr, const uint64_t *hi, const double *w, uint64_t rem,
			      uint64_t *x)
{
	double lo_l = 0, hi_l = 0, mid;
	uint64_t lo_sum = 0, hi_sum, sum;
	unsigned int pass;
	size_t i;

	for (i = 0; i < nr; i++) {
		if (hi[i] > x[i]) {
			double l = (double)(hi[i] - x[i]) / w[i];

			if (l > hi_l)
				hi_l = l;
		}
	}
	hi_sum = fair_total(nr, hi, w, x, hi_l);
	for (pass = 0; pass < FAIR_MAX_PASSES && hi_sum - lo_sum > FAIR_PRECISION_KIB; pass++) {
		mid = lo_l + (hi_l - lo_l) / 2;
		if (mid <= lo_l || mid >= hi_l)
			break;
		sum = fair_total(nr, hi, w, x, mid);
		if (sum <= rem) {
			lo_l = mid;
			lo_sum = sum;
		} else {
			hi_l = mid;
			hi_sum = sum;
		}
	}
	for (i = 0; i < nr; i++)
		if (hi[i] > x[i])
			x[i] += fair_gain(hi[i] - x[i], w[i], lo_l);
	/* The rounding rest (at most FAIR_PRECISION_KIB plus 1 KiB a domain) in order. */
	for (i = 0; i < nr && lo_sum < rem; i++) {
		if (hi[i] > x[i]) {
			uint64_t g = hi[i] - x[i];

			if (g > rem - lo_sum)
				g = rem - lo_sum;
			x[i] += g;
			lo_sum += g;
		}
	}
	return lo_sum;
}

uint64_t fair_fill_tiers(size_t nr, unsigned int nr_tiers, uint64_t *const *level, const double *w,
			 uint64_t budget_kib, uint64_t *x_r)
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
		used += fair_fill_one(nr, hi, w, rem, x_r);
		break;
	}
	return used;
}
