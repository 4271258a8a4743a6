/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memop.h: the reservation hypercalls of a domain acting on itself.
 *
 * Each returns the number of extents done, as XENMEM_{increase,decrease}_
 * reservation and XENMEM_populate_physmap do: a short count when an extent
 * fails, 0 when the extent order is above the domain's limit. An extent of
 * 2^order pages is refused when tot_pages + 2^order > max_pages, when free
 * memory minus the other domains' claims is short, or (decrease) when the
 * domain does not own every frame of it; a refused extent changes nothing.
 */
#ifndef HVSIM_MEMOP_H
#define HVSIM_MEMOP_H

#include <stdint.h>

struct hvsim;
struct domain;

/* Allocate nr_extents extents; the first frame of each goes to frames_r (may be NULL). */
uint64_t memop_increase(struct hvsim *sim, struct domain *d, uint64_t nr_extents,
			unsigned int order, uint64_t *frames_r);

/* As increase; frames holds the guest frames to back and receives the machine frames. */
uint64_t memop_populate(struct hvsim *sim, struct domain *d, uint64_t nr_extents,
			unsigned int order, uint64_t *frames);

/* Give back the extents starting at frames[i]. */
uint64_t memop_decrease(struct hvsim *sim, struct domain *d, uint64_t nr_extents,
			unsigned int order, const uint64_t *frames);

#endif
