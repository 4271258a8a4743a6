/*
 * apply.c: see apply.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "size.h"

uint64_t apply_maxmem_kib(uint64_t target_kib, uint64_t videoram_kib)
{
	return target_kib + videoram_kib + APPLY_MAXMEM_SLACK_KIB;
}

/*
 * The hypervisor keeps maxmem in whole pages (Xen and xmem-hvsim: max_kib >> 2),
 * so a cap that is not page-aligned reads back a little lower: compare what it
 * would keep, or the same maxmem is set again at every rebalance.
 */
static int apply_maxmem_differs(uint64_t cap_kib, uint64_t have_kib)
{
	return cap_kib / XMEM_PAGE_KIB * XMEM_PAGE_KIB != have_kib;
}

uint64_t apply_promised_kib(const struct apply_dom *doms, size_t nr)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < nr; i++) {
		uint64_t upto = doms[i].target_kib;

		if (!doms[i].drive)
			continue;
		if (doms[i].maxmem_kib < upto)
			upto = doms[i].maxmem_kib;
		if (upto > doms[i].current_kib + doms[i].outstanding_kib)
			sum += upto - doms[i].current_kib - doms[i].outstanding_kib;
	}
	return sum;
}

/* Append an action. */
static void apply_push(struct apply_action *acts, size_t *n, uint32_t domid, enum apply_kind kind,
		       uint64_t value_kib, int phase)
{
	acts[*n].domid = domid;
	acts[*n].kind = kind;
	acts[*n].value_kib = value_kib;
	acts[*n].phase = phase;
	(*n)++;
}

/* Order raises: weight descending, then domid. */
static int apply_raise_cmp(const void *a, const void *b)
{
	const struct apply_dom *x = *(const struct apply_dom *const *)a;
	const struct apply_dom *y = *(const struct apply_dom *const *)b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->domid < y->domid ? -1 : x->domid > y->domid;
}

uint64_t apply_plan(const struct apply_dom *doms, size_t nr, uint64_t free_kib,
		    struct apply_action *acts, size_t *nr_acts_r)
{
	const struct apply_dom **raises = NULL;
	size_t i, n = 0, nr_raises = 0;
	uint64_t waiting_kib = 0;

	raises = calloc(nr ? nr : 1, sizeof(*raises));
	/* Phase 1: lower; and keep maxmem where it belongs for unchanged ones. */
	for (i = 0; i < nr; i++) {
		const struct apply_dom *d = &doms[i];
		uint64_t cap;

		if (!d->drive)
			continue;
		if (d->apply && d->new_target_kib < d->target_kib) {
			/* maxmem first (as xl): a guest still growing stops at once. */
			cap = apply_maxmem_kib(d->new_target_kib, d->videoram_kib);
			if (apply_maxmem_differs(cap, d->maxmem_kib))
				apply_push(acts, &n, d->domid, APPLY_SET_MAXMEM, cap, 1);
			apply_push(acts, &n, d->domid, APPLY_SET_TARGET, d->new_target_kib, 1);
		} else if (d->apply && d->new_target_kib > d->target_kib) {
			if (raises)
				raises[nr_raises++] = d;
			else
				waiting_kib += d->new_target_kib - d->target_kib;
		} else {
			cap = apply_maxmem_kib(d->target_kib, d->videoram_kib);
			if (apply_maxmem_differs(cap, d->maxmem_kib))
				apply_push(acts, &n, d->domid, APPLY_SET_MAXMEM, cap, 0);
		}
	}
	/* Phase 2: raise, as far as free memory goes. */
	qsort(raises, nr_raises, sizeof(*raises), apply_raise_cmp);
	for (i = 0; i < nr_raises; i++) {
		const struct apply_dom *d = raises[i];
		/* Growth up to the old target is already promised (or already there). */
		uint64_t base = d->target_kib > d->current_kib ? d->target_kib : d->current_kib;
		uint64_t want, give, to;

		if (d->new_target_kib <= base) {
			to = d->new_target_kib; /* takes nothing new */
		} else {
			want = d->new_target_kib - base;
			give = want < free_kib ? want : free_kib;
			free_kib -= give;
			waiting_kib += want - give;
			to = base + give;
			if (to <= d->target_kib) {
				uint64_t cap = apply_maxmem_kib(d->target_kib, d->videoram_kib);

				if (apply_maxmem_differs(cap, d->maxmem_kib))
					apply_push(acts, &n, d->domid, APPLY_SET_MAXMEM, cap, 0);
				continue;
			}
		}
		apply_push(acts, &n, d->domid, APPLY_SET_MAXMEM,
			   apply_maxmem_kib(to, d->videoram_kib), 2);
		apply_push(acts, &n, d->domid, APPLY_SET_TARGET, to, 2);
	}
	free(raises);
	*nr_acts_r = n;
	return waiting_kib;
}
