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
 * L is found by Newton steps from below, then bisection if they are slow:
 * each probe is one pass over the domains, so there is no sorting and no
 * scratch memory. The pass count is bounded; amounts are rounded down and
 * capped, so the total never exceeds the budget.
 */
#include "config.h"

#include "policy_int.h"

#define FAIR_NEWTON_PASSES 16
#define FAIR_MAX_PASSES	   64
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

/* Total gain at water level l, and the weight of the domains not yet satisfied there. */
static uint64_t fair_total(size_t nr, const uint64_t *hi, const double *w, const uint64_t *x,
			   double l, double *w_open_r)
{
	double w_open = 0;
	uint64_t sum = 0, need;
	size_t i;

	for (i = 0; i < nr; i++) {
		if (hi[i] <= x[i])
			continue;
		need = hi[i] - x[i];
		if (w[i] * l >= (double)need) {
			sum += need;
		} else {
			sum += (uint64_t)(w[i] * l);
			w_open += w[i];
		}
	}
	if (w_open_r)
		*w_open_r = w_open;
	return sum;
}

/*
 * Share rem among the domains below hi by weight; rem is less than their
 * total need. The total is concave and piecewise linear in L, so Newton
 * steps from below (follow the current slope to rem) never overshoot and
 * usually land in a few passes; if they have not after FAIR_NEWTON_PASSES,
 * bisection between the last step and the top finishes the job.
 */
static uint64_t fair_fill_one(size_t nr, const uint64_t *hi, const double *w, uint64_t rem,
			      uint64_t *x)
{
	double lo_l = 0, hi_l = 0, mid, w_open = 0;
	uint64_t lo_sum, hi_sum, sum, used = 0, g;
	unsigned int pass;
	size_t i;

	lo_sum = fair_total(nr, hi, w, x, 0, &w_open);
	for (pass = 0; pass < FAIR_NEWTON_PASSES; pass++) {
		if (rem - lo_sum <= FAIR_PRECISION_KIB || w_open <= 0)
			break;
		mid = lo_l + (double)(rem - lo_sum) / w_open;
		if (mid <= lo_l)
			break;
		sum = fair_total(nr, hi, w, x, mid, &w_open);
		if (sum > rem) /* rounding: never past rem */
			break;
		lo_l = mid;
		lo_sum = sum;
	}
	if (rem - lo_sum > FAIR_PRECISION_KIB) {
		for (i = 0; i < nr; i++) {
			if (hi[i] > x[i]) {
				double l = (double)(hi[i] - x[i]) / w[i];

				if (l > hi_l)
					hi_l = l;
			}
		}
		hi_sum = fair_total(nr, hi, w, x, hi_l, NULL);
		for (pass = 0; pass < FAIR_MAX_PASSES && hi_sum - lo_sum > FAIR_PRECISION_KIB;
		     pass++) {
			mid = lo_l + (hi_l - lo_l) / 2;
			if (mid <= lo_l || mid >= hi_l)
				break;
			sum = fair_total(nr, hi, w, x, mid, NULL);
			if (sum <= rem) {
				lo_l = mid;
				lo_sum = sum;
			} else {
				hi_l = mid;
				hi_sum = sum;
			}
		}
	}
	for (i = 0; i < nr; i++) {
		if (hi[i] > x[i]) {
			g = fair_gain(hi[i] - x[i], w[i], lo_l);
			if (g > rem - used)
				g = rem - used;
			x[i] += g;
			used += g;
		}
	}
	/* The rounding rest (at most FAIR_PRECISION_KIB plus 1 KiB a domain) in order. */
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
