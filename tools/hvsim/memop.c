/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memop.c: reservation hypercalls (see memop.h).
 */
#include "config.h"

#include <inttypes.h>

#include "claim.h"
#include "domain.h"
#include "frames.h"
#include "log.h"
#include "memop.h"
#include "sim.h"

/* Allocate one extent to d, or say why not. Returns 0 or -1. */
static int memop_alloc_one(struct hvsim *sim, struct domain *d, unsigned int order,
			   uint64_t *frame_r)
{
	uint64_t n = UINT64_C(1) << order;

	if (d->tot_pages + n > d->max_pages) {
		log_debug("Over-allocation for d%u: %" PRIu64 " > %" PRIu64, d->domid,
			  d->tot_pages + n, d->max_pages);
		return -1;
	}
	if (claim_room(sim, d) < n) {
		log_debug("d%u: %" PRIu64 " pages refused: unclaimed free memory short", d->domid,
			  n);
		return -1;
	}
	if (frames_alloc(sim->frames, d->domid, order, frame_r) < 0) {
		log_debug("d%u: no free extent of order %u", d->domid, order);
		return -1;
	}
	d->tot_pages += n;
	claim_consume(sim, d, n);
	return 0;
}

uint64_t memop_increase(struct hvsim *sim, struct domain *d, uint64_t nr_extents,
			unsigned int order, uint64_t *frames_r)
{
	uint64_t i, frame;

	if (order > domain_max_order(d))
		return 0;
	for (i = 0; i < nr_extents; i++) {
		if (memop_alloc_one(sim, d, order, &frame) < 0)
			break;
		if (frames_r)
			frames_r[i] = frame;
	}
	return i;
}

uint64_t memop_populate(struct hvsim *sim, struct domain *d, uint64_t nr_extents,
			unsigned int order, uint64_t *frames)
{
	return memop_increase(sim, d, nr_extents, order, frames);
}

uint64_t memop_decrease(struct hvsim *sim, struct domain *d, uint64_t nr_extents,
			unsigned int order, const uint64_t *frames)
{
	uint64_t i;

	if (order > domain_max_order(d))
		return 0;
	for (i = 0; i < nr_extents; i++) {
		if (frames_release(sim->frames, d->domid, frames[i], order) < 0) {
			log_debug("d%u: cannot give back frame %#" PRIx64 " order %u", d->domid,
				  frames[i], order);
			break;
		}
		d->tot_pages -= UINT64_C(1) << order;
	}
	return i;
}
