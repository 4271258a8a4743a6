/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sim.c: the simulated host as a whole (see sim.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "domain.h"
#include "frames.h"
#include "log.h"
#include "sim.h"
#include "xmem_err.h"

/* Give owner nr_pages frames, in order-9 extents where possible. 0 or ENOMEM. */
static int sim_fill(struct hvsim *sim, unsigned int owner, uint64_t nr_pages)
{
	uint64_t frame;
	unsigned int order;

	while (nr_pages) {
		order = nr_pages >= FRAMES_PER_CHUNK ? FRAMES_CHUNK_ORDER : 0;
		if (frames_alloc(sim->frames, owner, order, &frame) < 0) {
			if (order == 0 || frames_alloc(sim->frames, owner, 0, &frame) < 0)
				return ENOMEM;
			order = 0;
		}
		nr_pages -= UINT64_C(1) << order;
	}
	return 0;
}

int sim_new(uint64_t total_pages, uint64_t xen_pages, uint64_t dom0_pages, struct hvsim **sim_r)
{
	struct hvsim *sim = NULL;
	int rc;

	if (total_pages == 0 || total_pages > FRAMES_MAX_FRAMES || xen_pages > total_pages ||
	    dom0_pages > total_pages - xen_pages)
		return EINVAL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return ENOMEM;
	sim->frames = frames_new(total_pages);
	sim->audit_counts = calloc(FRAMES_NR_OWNERS, sizeof(uint64_t));
	if (!sim->frames || !sim->audit_counts) {
		rc = ENOMEM;
		goto out;
	}
	rc = sim_fill(sim, FRAMES_OWNER_XEN, xen_pages);
	if (rc)
		goto out;
	sim->xen_pages = xen_pages;
	rc = domain_create(sim, 0, dom0_pages, dom0_pages);
	if (rc)
		goto out;
	*sim_r = sim;
	sim = NULL;
out:
	sim_free(sim);
	return rc;
}

void sim_free(struct hvsim *sim)
{
	struct domain *d, *next;

	if (!sim)
		return;
	for (d = sim->all; d; d = next) {
		next = d->next;
		free(d);
	}
	frames_free_all(sim->frames);
	free(sim->audit_counts);
	free(sim);
}

void sim_set_hooks(struct hvsim *sim, const struct sim_hooks *hooks, void *arg)
{
	sim->hooks = hooks;
	sim->hook_arg = arg;
}

uint64_t sim_total_pages(const struct hvsim *sim)
{
	return frames_total(sim->frames);
}

uint64_t sim_free_pages(const struct hvsim *sim)
{
	return frames_nr_free(sim->frames);
}

void sim_physinfo(const struct hvsim *sim, struct hvsim_physinfo_rep *info_r)
{
	memset(info_r, 0, sizeof(*info_r));
	info_r->total_pages = frames_total(sim->frames);
	info_r->free_pages = frames_nr_free(sim->frames);
	info_r->outstanding_pages = sim->outstanding_pages;
	info_r->scrub_pages = 0;
}

/* Record a broken invariant in rep. Returns EUCLEAN. */
static int sim_broken(struct hvsim_check_rep *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int sim_broken(struct hvsim_check_rep *rep, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rep->msg, sizeof(rep->msg), fmt, ap);
	va_end(ap);
	rep->ok = 0;
	return EUCLEAN;
}

/* The counter invariants, and with deep the frame table's recount too. */
static int sim_check_level(struct hvsim *sim, struct hvsim_check_rep *rep, int deep)
{
	uint64_t sum_tot = 0, sum_claims = 0, *counts = sim->audit_counts;
	const struct domain *d;
	unsigned int nr = 0;
	char msg[HVSIM_CHECK_MSG_LEN];

	memset(rep, 0, sizeof(*rep));
	rep->total_pages = frames_total(sim->frames);
	rep->free_pages = frames_nr_free(sim->frames);
	rep->xen_pages = sim->xen_pages;
	rep->outstanding_pages = sim->outstanding_pages;
	for (d = sim->all; d; d = d->next) {
		if (d->domid >= HV_DOMID_FIRST_RESERVED || sim->domains[d->domid] != d)
			return sim_broken(rep, "d%u listed but not in the table", d->domid);
		nr++;
		sum_tot += d->tot_pages;
		sum_claims += d->outstanding_pages;
	}
	rep->sum_tot_pages = sum_tot + sim->xen_pages;
	rep->nr_domains = nr;
	if (nr != sim->nr_domains)
		return sim_broken(rep, "%u domains listed, %u counted", nr, sim->nr_domains);
	if (rep->free_pages + rep->sum_tot_pages != rep->total_pages)
		return sim_broken(rep, "free %" PRIu64 " + tot_pages %" PRIu64 " != total %" PRIu64,
				  rep->free_pages, rep->sum_tot_pages, rep->total_pages);
	if (sum_claims != sim->outstanding_pages)
		return sim_broken(rep, "claims sum to %" PRIu64 ", outstanding %" PRIu64,
				  sum_claims, sim->outstanding_pages);
	if (sim->outstanding_pages > rep->free_pages)
		return sim_broken(rep, "outstanding claims %" PRIu64 " above free %" PRIu64,
				  sim->outstanding_pages, rep->free_pages);
	if (!deep) {
		rep->ok = 1;
		snprintf(rep->msg, sizeof(rep->msg), "ok (counters)");
		return 0;
	}
	if (frames_audit(sim->frames, counts, msg, sizeof(msg)) < 0)
		return sim_broken(rep, "frame table: %s", msg);
	/*
	 * Each owner's frames match its tot_pages. The audit counted every used
	 * frame, so with the sums equal no frame can belong to anyone else.
	 */
	if (counts[FRAMES_OWNER_XEN] != sim->xen_pages)
		return sim_broken(rep, "owner Xen has %" PRIu64 " frames, xen_pages %" PRIu64,
				  counts[FRAMES_OWNER_XEN], sim->xen_pages);
	for (d = sim->all; d; d = d->next) {
		if (counts[d->domid] != d->tot_pages)
			return sim_broken(rep,
					  "owner %u has %" PRIu64 " frames, tot_pages %" PRIu64,
					  d->domid, counts[d->domid], d->tot_pages);
	}
	rep->ok = 1;
	snprintf(rep->msg, sizeof(rep->msg), "ok");
	return 0;
}

int sim_check(struct hvsim *sim, struct hvsim_check_rep *rep)
{
	return sim_check_level(sim, rep, 1);
}

int sim_check_after_request(struct hvsim *sim, struct hvsim_check_rep *rep)
{
	int deep = frames_total(sim->frames) <= SIM_DEEP_CHECK_MAX_PAGES ||
		   ++sim->nr_checks % SIM_DEEP_CHECK_EVERY == 0;

	return sim_check_level(sim, rep, deep);
}

uint64_t sim_mem_bytes(const struct hvsim *sim)
{
	return sizeof(*sim) + frames_mem_bytes(sim->frames) + FRAMES_NR_OWNERS * sizeof(uint64_t) +
	       sim->nr_domains * sizeof(struct domain);
}
