/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * claim.c: claims on free memory (see claim.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>

#include "claim.h"
#include "domain.h"
#include "frames.h"
#include "hv.h"
#include "log.h"
#include "sim.h"

int claim_set(struct hvsim *sim, struct domain *d, uint64_t nr_pages)
{
	uint64_t claim, avail;

	if (d->flags & HV_DOMF_DYING)
		return EINVAL;
	if (nr_pages == 0) {
		claim_drop(sim, d);
		return 0;
	}
	if (d->outstanding_pages)
		return EINVAL; /* one active claim per domain */
	if (nr_pages <= d->tot_pages || nr_pages > d->max_pages)
		return EINVAL;
	claim = nr_pages - d->tot_pages;
	avail = sim_free_pages(sim) - sim->outstanding_pages;
	if (claim > avail)
		return ENOMEM;
	d->outstanding_pages = claim;
	sim->outstanding_pages += claim;
	log_debug("d%u: claim of %" PRIu64 " pages (%" PRIu64 " outstanding)", d->domid, nr_pages,
		  claim);
	return 0;
}

void claim_drop(struct hvsim *sim, struct domain *d)
{
	sim->outstanding_pages -= d->outstanding_pages;
	d->outstanding_pages = 0;
}

uint64_t claim_room(const struct hvsim *sim, const struct domain *d)
{
	uint64_t others = sim->outstanding_pages - d->outstanding_pages;
	uint64_t free_pages = sim_free_pages(sim);

	return free_pages > others ? free_pages - others : 0;
}

void claim_consume(struct hvsim *sim, struct domain *d, uint64_t nr_pages)
{
	uint64_t n = nr_pages < d->outstanding_pages ? nr_pages : d->outstanding_pages;

	d->outstanding_pages -= n;
	sim->outstanding_pages -= n;
}
