/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * claim.h: XENMEM_claim_pages, as arithmetic on free memory.
 *
 * A claim is absolute: claiming P pages for a domain with T pages reserves
 * P - T of the free pages for it. It is refused (EINVAL) when P <= T, when
 * P > max_pages or when a claim is already active, and (ENOMEM) when P - T
 * exceeds free pages minus all outstanding claims. Claiming 0 cancels.
 * Allocations to the domain consume its claim; destroying it drops the claim.
 * Other domains may allocate only free memory that nobody has claimed.
 */
#ifndef HVSIM_CLAIM_H
#define HVSIM_CLAIM_H

#include <stdint.h>

struct hvsim;
struct domain;

/* Set or cancel (nr_pages 0) the claim of d. 0, EINVAL or ENOMEM. */
int claim_set(struct hvsim *sim, struct domain *d, uint64_t nr_pages);

/* Drop the claim of d (destroy). */
void claim_drop(struct hvsim *sim, struct domain *d);

/* Pages d may allocate now: free pages minus the other domains' claims. */
uint64_t claim_room(const struct hvsim *sim, const struct domain *d);

/* d was given nr_pages: its claim shrinks by as much, down to 0. */
void claim_consume(struct hvsim *sim, struct domain *d, uint64_t nr_pages);

#endif
