/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apply.c: see apply.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "cache.h"
#include "round.h"
#include "size.h"

uint64_t apply_maxmem_kib(uint64_t target_kib, uint64_t videoram_kib)
{
	return target_kib + videoram_kib + APPLY_MAXMEM_SLACK_KIB;
}

uint64_t apply_uncoop_maxmem_kib(uint64_t current_kib, uint64_t target_kib, uint64_t videoram_kib)
{
	uint64_t rule = apply_maxmem_kib(target_kib, videoram_kib);
	uint64_t held = current_kib + APPLY_MAXMEM_SLACK_KIB;

	return held < rule ? held : rule;
}

int apply_maxmem_differs(uint64_t cap_kib, uint64_t have_kib)
{
	return cap_kib / XMEM_PAGE_KIB * XMEM_PAGE_KIB != have_kib;
}

uint64_t apply_dom_promised_kib(const struct apply_dom *d)
{
	uint64_t upto = d->maxmem_kib;

	if (d->grow == APPLY_GROW_NONE)
		return 0;
	if (d->grow == APPLY_GROW_TARGET && d->target_kib < upto)
		upto = d->target_kib;
	return upto > d->current_kib + d->outstanding_kib
		       ? upto - d->current_kib - d->outstanding_kib
		       : 0;
}

uint64_t apply_promised_kib(const struct apply_dom *doms, size_t nr)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < nr; i++)
		sum += apply_dom_promised_kib(&doms[i]);
	return sum;
}

/*
 * What d's target may rise to without new memory: as far as its target and
 * maxmem let it grow (promised, apply_promised_kib), or its allocation less
 * the maxmem slack. A frontend may fill the slack above its target; counting
 * that as target too would move the target up to the allocation and the
 * maxmem a slack further at every rebalance, a creep that takes 1 MiB of
 * memory nobody handed out each time.
 */
static uint64_t apply_base_kib(const struct apply_dom *d)
{
	uint64_t level = d->target_kib < d->maxmem_kib ? d->target_kib : d->maxmem_kib;
	uint64_t held = d->current_kib > APPLY_MAXMEM_SLACK_KIB
				? d->current_kib - APPLY_MAXMEM_SLACK_KIB
				: 0;

	return level > held ? level : held;
}

/* The target d should have after this plan, before free memory is counted. */
static uint64_t apply_want_kib(const struct apply_dom *d)
{
	return d->apply ? d->new_target_kib : d->target_kib;
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
		uint64_t cap, want = apply_want_kib(d), base = apply_base_kib(d);

		if (!d->drive)
			continue;
		if (want > base || (d->apply && want > d->target_kib)) {
			/* A raise (of the target, or of a maxmem capped below it). */
			if (raises)
				raises[nr_raises++] = d;
			else if (want > base)
				waiting_kib += want - base;
		} else if (d->apply && want < d->target_kib) {
			/* maxmem first (as xl): a guest still growing stops at once. */
			cap = apply_maxmem_kib(want, d->videoram_kib);
			if (apply_maxmem_differs(cap, d->maxmem_kib))
				apply_push(acts, &n, d->domid, APPLY_SET_MAXMEM, cap, 1);
			apply_push(acts, &n, d->domid, APPLY_SET_TARGET, want, 1);
		} else {
			cap = apply_maxmem_kib(d->target_kib, d->videoram_kib);
			if (apply_maxmem_differs(cap, d->maxmem_kib))
				apply_push(acts, &n, d->domid, APPLY_SET_MAXMEM, cap, 0);
		}
	}
	/* Phase 2: raise, as far as free memory goes. */
	if (nr_raises)
		qsort(raises, nr_raises, sizeof(*raises), apply_raise_cmp);
	for (i = 0; i < nr_raises; i++) {
		const struct apply_dom *d = raises[i];
		/* Growth up to base is already promised (or already there). */
		uint64_t want = apply_want_kib(d), base = apply_base_kib(d);
		uint64_t need, give, to;

		if (want <= base) {
			to = want; /* takes nothing new */
		} else {
			need = want - base;
			give = need < free_kib ? need : free_kib;
			free_kib -= give;
			waiting_kib += need - give;
			to = base + give;
		}
		if (to == d->target_kib) {
			uint64_t cap = apply_maxmem_kib(d->target_kib, d->videoram_kib);

			if (apply_maxmem_differs(cap, d->maxmem_kib))
				apply_push(acts, &n, d->domid, APPLY_SET_MAXMEM, cap,
					   d->maxmem_kib < cap ? 2 : 0);
			continue;
		}
		/* Below its old target only when its maxmem was capped: cut to what it got. */
		apply_push(acts, &n, d->domid, APPLY_SET_MAXMEM,
			   apply_maxmem_kib(to, d->videoram_kib), 2);
		apply_push(acts, &n, d->domid, APPLY_SET_TARGET, to, 2);
	}
	free(raises);
	*nr_acts_r = n;
	return waiting_kib;
}

void apply_round_doms(struct round *rd, const struct cache *c)
{
	size_t i;

	for (i = 0; i < rd->nr; i++) {
		struct apply_dom *a = &rd->adoms[i];
		const struct policy_dom *p = &rd->pdoms[i];

		if (!rd->info[i])
			continue;
		a->domid = c->doms[i].domid;
		a->drive = rd->drive[i];
		a->weight = p->weight;
		a->current_kib = p->current_kib;
		a->target_kib = p->target_kib;
		a->maxmem_kib = size_pages_to_kib(rd->info[i]->max_pages);
		a->videoram_kib = c->doms[i].videoram_kib;
		a->outstanding_kib = size_pages_to_kib(rd->info[i]->outstanding_pages);
		if (!p->has_balloon || rd->held[i])
			a->grow = APPLY_GROW_NONE;
		else if (p->managed && !p->cooperative)
			a->grow = APPLY_GROW_MAXMEM;
		else
			a->grow = APPLY_GROW_TARGET;
	}
}

void apply_round_budget(struct round *rd, const struct hv_physinfo *pi, uint64_t floor_kib)
{
	uint64_t minus;
	size_t i;

	rd->promised_kib = apply_promised_kib(rd->adoms, rd->nr);
	rd->floor_kib = floor_kib;
	for (i = 0; i < rd->nr; i++)
		if (rd->drive[i] || (rd->pdoms[i].has_balloon && !rd->pdoms[i].managed))
			rd->floor_kib += APPLY_MAXMEM_SLACK_KIB;
	minus = size_pages_to_kib(pi->outstanding_pages) + rd->floor_kib + rd->promised_kib;
	rd->base_kib = size_pages_to_kib(pi->free_pages);
	rd->base_kib = rd->base_kib > minus ? rd->base_kib - minus : 0;
}
