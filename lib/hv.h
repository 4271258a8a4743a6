/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hv.h: everything xmem asks of the hypervisor, behind one interface.
 *
 * Two back ends implement struct hv_ops: "xc" (libxenctrl, a real Xen host:
 * hv_xc.c) and "sim" (a client of the xmem-hvsim daemon: hv_sim.c). Callers
 * use the hv_*() wrappers and never look at the back end.
 *
 * Units follow Xen: pages (4 KiB) for allocations and claims, KiB for maxmem
 * (as XEN_DOMCTL_max_mem). Return conventions:
 * - host-side calls return 0 or a negative XMEM_ERR_*;
 * - the reservation calls return, like the hypercalls, the number of extents
 *   done (a short count on failure, never a negative errno for a refused
 *   allocation), or a negative XMEM_ERR_* only when the request could not be
 *   made at all (no connection, bad handle).
 *
 * A handle is either privileged (dom0 tools: physinfo, domain list, maxmem,
 * claims, and on simulated hosts create/destroy) or a guest handle bound to
 * one domain acting on itself (reservation ops, DOMID_SELF semantics). Calls
 * of the wrong kind return XMEM_ERR_PERM; calls a back end cannot make
 * (creating a domain through libxenctrl) return XMEM_ERR_UNSUPPORTED.
 */
#ifndef XMEM_HV_H
#define XMEM_HV_H

#include <stddef.h>
#include <stdint.h>

#define HV_DOMID_SELF		0x7FF0u
#define HV_DOMID_FIRST_RESERVED 0x7FF0u
#define HV_MAX_GUEST_ORDER	9 /* x86 domU extent order limit */

/* struct hv_dominfo.flags (XEN_DOMINF_* meaning, our own bit values). */
#define HV_DOMF_DYING	 0x1u
#define HV_DOMF_SHUTDOWN 0x2u
#define HV_DOMF_PAUSED	 0x4u
#define HV_DOMF_HVM	 0x8u

struct hv_physinfo {
	uint64_t total_pages;
	uint64_t free_pages;	    /* includes claimed pages, as in Xen */
	uint64_t outstanding_pages; /* sum of all claims */
	uint64_t scrub_pages;
};

struct hv_dominfo {
	uint32_t domid;
	unsigned int flags; /* HV_DOMF_* */
	uint64_t tot_pages;
	uint64_t max_pages;
	uint64_t outstanding_pages;
};

struct hv;

struct hv_ops {
	const char *name;
	/* Host side. */
	int (*physinfo)(struct hv *h, struct hv_physinfo *info_r);
	int (*domain_list)(struct hv *h, uint32_t first_domid, struct hv_dominfo *infos,
			   size_t max_infos, size_t *nr_r);
	int (*set_maxmem)(struct hv *h, uint32_t domid, uint64_t max_kib);
	int (*claim_pages)(struct hv *h, uint32_t domid, uint64_t nr_pages);
	int (*domain_create)(struct hv *h, uint32_t domid, uint64_t max_pages,
			     uint64_t initial_pages);
	int (*domain_destroy)(struct hv *h, uint32_t domid);
	/* Guest side: the bound domain acting on itself. */
	long (*increase_reservation)(struct hv *h, unsigned long nr_extents,
				     unsigned int extent_order, uint64_t *frames);
	long (*decrease_reservation)(struct hv *h, unsigned long nr_extents,
				     unsigned int extent_order, const uint64_t *frames);
	long (*populate_physmap)(struct hv *h, unsigned long nr_extents, unsigned int extent_order,
				 uint64_t *frames);
	int (*current_reservation)(struct hv *h, uint64_t *nr_pages_r);
	int (*maximum_reservation)(struct hv *h, uint64_t *nr_pages_r);
	void (*close)(struct hv *h);
};

/* Every back end's handle starts with this. */
struct hv {
	const struct hv_ops *ops;
	uint32_t domid; /* bound domain for guest handles; 0 for privileged ones */
	int privileged;
};

/* Open the real hypervisor through libxenctrl (privileged). NULL on failure, errno set. */
struct hv *hv_open_xc(void);

/* Open a simulated host's hypervisor (rundir of xmem-hvsim) as dom0 tools. */
struct hv *hv_open_sim(const char *hv_rundir);

/* Open a simulated host's hypervisor as domain domid acting on itself. */
struct hv *hv_open_sim_guest(const char *hv_rundir, uint32_t domid);

void hv_close(struct hv *h);

/* Wrappers: see struct hv_ops and the return conventions above. */
int hv_physinfo(struct hv *h, struct hv_physinfo *info_r);
int hv_domain_list(struct hv *h, uint32_t first_domid, struct hv_dominfo *infos, size_t max_infos,
		   size_t *nr_r);
int hv_domain_info(struct hv *h, uint32_t domid, struct hv_dominfo *info_r);
int hv_set_maxmem(struct hv *h, uint32_t domid, uint64_t max_kib);
int hv_claim_pages(struct hv *h, uint32_t domid, uint64_t nr_pages);
int hv_domain_create(struct hv *h, uint32_t domid, uint64_t max_pages, uint64_t initial_pages);
int hv_domain_destroy(struct hv *h, uint32_t domid);
long hv_increase_reservation(struct hv *h, unsigned long nr_extents, unsigned int extent_order,
			     uint64_t *frames);
long hv_decrease_reservation(struct hv *h, unsigned long nr_extents, unsigned int extent_order,
			     const uint64_t *frames);
long hv_populate_physmap(struct hv *h, unsigned long nr_extents, unsigned int extent_order,
			 uint64_t *frames);
int hv_current_reservation(struct hv *h, uint64_t *nr_pages_r);
int hv_maximum_reservation(struct hv *h, uint64_t *nr_pages_r);

#endif
