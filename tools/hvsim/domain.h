/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain.h: simulated domains and their page accounting.
 *
 * A domain has tot_pages (frames it owns), max_pages (the cap, settable below
 * tot_pages as XEN_DOMCTL_max_mem allows) and outstanding_pages (its claim,
 * see claim.h). Domain 0 exists from the start and cannot be destroyed.
 * Every lifecycle event is logged at info level.
 */
#ifndef HVSIM_DOMAIN_H
#define HVSIM_DOMAIN_H

#include <stddef.h>
#include <stdint.h>

#include "hvsim_proto.h"

struct hvsim;

struct domain {
	uint32_t domid;
	unsigned int flags; /* HV_DOMF_* */
	uint64_t tot_pages;
	uint64_t max_pages;
	uint64_t outstanding_pages;
	struct domain *next; /* every domain, in no order (sim->all) */
	struct domain *prev;
};

/* The domain domid, or NULL. */
struct domain *domain_find(struct hvsim *sim, uint32_t domid);

/*
 * Create domid with max_pages and initial_pages allocated from memory no
 * other domain has claimed. Returns 0, EINVAL (reserved domid, initial above
 * max), EEXIST, ENOMEM (not enough unclaimed free memory) or the hook's errno.
 */
int domain_create(struct hvsim *sim, uint32_t domid, uint64_t max_pages, uint64_t initial_pages);

/* Destroy domid: its frames go back, its claim is dropped. 0, ESRCH or EPERM (domain 0). */
int domain_destroy(struct hvsim *sim, uint32_t domid);

/* max_pages = max_kib / 4, even below tot_pages. 0 or ESRCH. */
int domain_set_maxmem(struct hvsim *sim, uint32_t domid, uint64_t max_kib);

/*
 * Set the state flags of domid (HV_DOMF_PAUSED, HV_DOMF_SHUTDOWN,
 * HV_DOMF_HVM; DYING is the simulator's own). They are reported in the
 * domain list; the simulator does not stop a paused guest's requests.
 * 0, ESRCH or EINVAL (other bits).
 */
int domain_set_flags(struct hvsim *sim, uint32_t domid, unsigned int flags);

/* Fill up to max_infos entries for domains >= first_domid, ascending. Returns the count. */
size_t domain_list(struct hvsim *sim, uint32_t first_domid, struct hvsim_dominfo *infos,
		   size_t max_infos);

/* Largest extent order the domain may use (9, or 12 for the hardware domain). */
unsigned int domain_max_order(const struct domain *d);

#endif
