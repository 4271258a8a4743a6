/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sim.h: the simulated hypervisor's state, with no I/O in it.
 *
 * struct hvsim is one host: its frames (frames.h), its domains (domain.h),
 * the claims on free memory (claim.h) and Xen's own memory, which is owned by
 * DOMID_XEN like any other domain's and counted with them. The invariant
 *     free_pages + sum of every domain's tot_pages + xen_pages = total_pages
 * and the claim invariants are checked by sim_check(), after every request
 * in debug builds (XMEM_DEBUG) and whenever a client asks (HVSIM_OP_CHECK).
 *
 * Functions that serve requests return 0 or a positive errno, as the
 * daemon's request handlers do.
 */
#ifndef HVSIM_SIM_H
#define HVSIM_SIM_H

#include <stdint.h>

#include "hv.h"
#include "hvsim_proto.h"

struct frames;
struct domain;

/* Told about domains coming and going (the server opens and closes their sockets). */
struct sim_hooks {
	/* A domain was created; a positive errno undoes the creation. */
	int (*domain_created)(void *arg, uint32_t domid);
	/* A domain is about to be destroyed. */
	void (*domain_destroying)(void *arg, uint32_t domid);
};

struct hvsim {
	struct frames *frames;
	struct domain *domains[HV_DOMID_FIRST_RESERVED]; /* by domid */
	struct domain *all; /* list of every domain, for walks that need no order */
	unsigned int nr_domains;
	uint64_t xen_pages;	    /* frames Xen keeps for itself */
	uint64_t outstanding_pages; /* sum of every domain's claim */
	uint64_t *audit_counts;	    /* scratch for sim_check */
	uint64_t nr_checks;	    /* sim_check_after_request calls */
	const struct sim_hooks *hooks;
	void *hook_arg;
};

/*
 * A host of total_pages frames, of which xen_pages go to Xen and dom0_pages
 * to domain 0 (created here, with max_pages = dom0_pages). Returns 0 or a
 * positive errno (EINVAL: sizes do not fit; ENOMEM).
 */
int sim_new(uint64_t total_pages, uint64_t xen_pages, uint64_t dom0_pages, struct hvsim **sim_r);
void sim_free(struct hvsim *sim);

/* Set the hooks (NULL for none). */
void sim_set_hooks(struct hvsim *sim, const struct sim_hooks *hooks, void *arg);

uint64_t sim_total_pages(const struct hvsim *sim);
uint64_t sim_free_pages(const struct hvsim *sim);

/* Fill physinfo as Xen reports it. */
void sim_physinfo(const struct hvsim *sim, struct hvsim_physinfo_rep *info_r);

/*
 * Check every invariant, recounting the frame table. Fills rep (ok, figures,
 * message). Returns 0 when everything holds, EUCLEAN otherwise.
 */
int sim_check(struct hvsim *sim, struct hvsim_check_rep *rep);

/*
 * The check debug builds run after every request: the counter invariants
 * always (free + tot_pages = total, claims), and the frame table's recount
 * too on hosts up to SIM_DEEP_CHECK_MAX_PAGES, or every
 * SIM_DEEP_CHECK_EVERY requests on larger ones (a recount walks every
 * chunk). Same returns as sim_check().
 */
int sim_check_after_request(struct hvsim *sim, struct hvsim_check_rep *rep);

#define SIM_DEEP_CHECK_MAX_PAGES (UINT64_C(16) << 18) /* 16 GiB */
#define SIM_DEEP_CHECK_EVERY	 256u

/* Bytes the simulator's state takes (frame table and domains). */
uint64_t sim_mem_bytes(const struct hvsim *sim);

#endif
