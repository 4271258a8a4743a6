/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain.c: the domain table (see domain.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "domain.h"
#include "frames.h"
#include "hv.h"
#include "log.h"
#include "sim.h"

struct domain *domain_find(struct hvsim *sim, uint32_t domid)
{
	if (domid >= HV_DOMID_FIRST_RESERVED)
		return NULL;
	return sim->domains[domid];
}

unsigned int domain_max_order(const struct domain *d)
{
	return d->domid == 0 ? FRAMES_MAX_ORDER : HV_MAX_GUEST_ORDER;
}

/* Give d nr_pages frames, in order-9 extents where possible. 0 or ENOMEM. */
static int domain_fill(struct hvsim *sim, struct domain *d, uint64_t nr_pages)
{
	uint64_t frame;
	unsigned int order;

	while (nr_pages) {
		order = nr_pages >= FRAMES_PER_CHUNK ? FRAMES_CHUNK_ORDER : 0;
		if (frames_alloc(sim->frames, d->domid, order, &frame) < 0) {
			if (order == 0 || frames_alloc(sim->frames, d->domid, 0, &frame) < 0)
				return ENOMEM;
			order = 0;
		}
		d->tot_pages += UINT64_C(1) << order;
		nr_pages -= UINT64_C(1) << order;
	}
	return 0;
}

/* Take d out of the table and free it with all its frames. */
static void domain_remove(struct hvsim *sim, struct domain *d)
{
	uint64_t released;

	claim_drop(sim, d);
	released = frames_release_owner(sim->frames, d->domid);
	if (released != d->tot_pages)
		fatalx("d%u: %" PRIu64 " frames released, tot_pages %" PRIu64, d->domid, released,
		       d->tot_pages);
	sim->domains[d->domid] = NULL;
	if (d->prev)
		d->prev->next = d->next;
	else
		sim->all = d->next;
	if (d->next)
		d->next->prev = d->prev;
	sim->nr_domains--;
	free(d);
}

int domain_create(struct hvsim *sim, uint32_t domid, uint64_t max_pages, uint64_t initial_pages)
{
	struct domain *d = NULL;
	uint64_t avail;
	int rc;

	if (domid >= HV_DOMID_FIRST_RESERVED || initial_pages > max_pages)
		return EINVAL;
	if (sim->domains[domid])
		return EEXIST;
	avail = sim_free_pages(sim) - sim->outstanding_pages;
	if (initial_pages > avail) {
		log_info("d%u not created: %" PRIu64 " pages asked, %" PRIu64 " unclaimed free",
			 domid, initial_pages, avail);
		return ENOMEM;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return ENOMEM;
	d->domid = domid;
	d->max_pages = max_pages;
	sim->domains[domid] = d;
	d->next = sim->all;
	if (sim->all)
		sim->all->prev = d;
	sim->all = d;
	sim->nr_domains++;
	rc = domain_fill(sim, d, initial_pages);
	if (!rc && sim->hooks && sim->hooks->domain_created)
		rc = sim->hooks->domain_created(sim->hook_arg, domid);
	if (rc) {
		log_warnx("d%u not created: %s", domid, strerror(rc));
		domain_remove(sim, d);
		return rc;
	}
	log_info("d%u created: tot_pages %" PRIu64 ", max_pages %" PRIu64, domid, d->tot_pages,
		 d->max_pages);
	return 0;
}

int domain_destroy(struct hvsim *sim, uint32_t domid)
{
	struct domain *d = domain_find(sim, domid);
	uint64_t tot;

	if (!d)
		return ESRCH;
	if (domid == 0)
		return EPERM;
	d->flags |= HV_DOMF_DYING;
	if (sim->hooks && sim->hooks->domain_destroying)
		sim->hooks->domain_destroying(sim->hook_arg, domid);
	tot = d->tot_pages;
	domain_remove(sim, d);
	log_info("d%u destroyed: %" PRIu64 " pages back to the free pool", domid, tot);
	return 0;
}

int domain_set_maxmem(struct hvsim *sim, uint32_t domid, uint64_t max_kib)
{
	struct domain *d = domain_find(sim, domid);

	if (!d)
		return ESRCH;
	d->max_pages = max_kib >> 2;
	log_debug("d%u: max_pages %" PRIu64 " (tot_pages %" PRIu64 ")", domid, d->max_pages,
		  d->tot_pages);
	return 0;
}

int domain_set_flags(struct hvsim *sim, uint32_t domid, unsigned int flags)
{
	const unsigned int settable = HV_DOMF_PAUSED | HV_DOMF_SHUTDOWN | HV_DOMF_HVM;
	struct domain *d = domain_find(sim, domid);
	unsigned int old;

	if (!d)
		return ESRCH;
	if (flags & ~settable)
		return EINVAL;
	old = d->flags;
	d->flags = (d->flags & ~settable) | flags;
	if ((old ^ d->flags) & HV_DOMF_PAUSED)
		log_info("d%u %s", domid, (flags & HV_DOMF_PAUSED) ? "paused" : "unpaused");
	if ((old ^ d->flags) & HV_DOMF_SHUTDOWN)
		log_info("d%u %s", domid,
			 (flags & HV_DOMF_SHUTDOWN) ? "shut down" : "running again");
	return 0;
}

size_t domain_list(struct hvsim *sim, uint32_t first_domid, struct hvsim_dominfo *infos,
		   size_t max_infos)
{
	uint32_t domid;
	size_t nr = 0;

	for (domid = first_domid; domid < HV_DOMID_FIRST_RESERVED && nr < max_infos; domid++) {
		const struct domain *d = sim->domains[domid];

		if (!d)
			continue;
		memset(&infos[nr], 0, sizeof(infos[nr]));
		infos[nr].domid = d->domid;
		infos[nr].flags = d->flags;
		infos[nr].tot_pages = d->tot_pages;
		infos[nr].max_pages = d->max_pages;
		infos[nr].outstanding_pages = d->outstanding_pages;
		nr++;
	}
	return nr;
}
