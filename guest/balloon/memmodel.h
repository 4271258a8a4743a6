/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memmodel.h: the memory of one simulated guest (the model is described at
 * the top of memmodel.c).
 */
#ifndef XMEM_MEMMODEL_H
#define XMEM_MEMMODEL_H

#include <stdint.h>

#include "../agent/report.h"

struct memmodel_params {
	uint64_t kernel_fixed_kib; /* kernel text, slab, per-cpu, ... */
	unsigned int memmap_div;   /* struct page: 1/memmap_div of the physical map */
	uint64_t swap_kib;	   /* swap device size */
	unsigned int file_pct;	   /* file working set, percent of the anonymous demand */
	unsigned int touch_pct;	   /* percent of the working set touched per second */
	unsigned int fault_us;	   /* stall per major fault (swap-in or file refault) */
	unsigned int commit_pct;   /* Committed_AS, percent of the anonymous demand */
};

struct memmodel {
	struct memmodel_params p;
	uint64_t physmap_kib; /* static-max: the struct page array covers all of it */
	uint64_t alloc_kib;   /* what the guest holds from the hypervisor */
	uint64_t demand_kib;  /* the workload's anonymous working set */

	/* Layout, recomputed whenever allocation or demand change. */
	uint64_t kernel_kib;	   /* the guest kernel's own memory */
	uint64_t total_kib;	   /* MemTotal */
	uint64_t min_free_kib;	   /* min_free_kbytes */
	uint64_t reserve_kib;	   /* totalreserve: the high watermark */
	uint64_t anon_kib;	   /* resident anonymous memory */
	uint64_t cache_kib;	   /* page cache */
	uint64_t free_kib;	   /* MemFree */
	uint64_t available_kib;	   /* MemAvailable */
	uint64_t swap_used_kib;	   /* anonymous memory in swap */
	uint64_t unbacked_kib;	   /* demand that fits neither in RAM nor in swap */
	uint64_t file_missing_kib; /* file working set not in the page cache */

	/* Counters, as /proc/vmstat and /proc/pressure/memory count them. */
	uint64_t pswpin, pswpout, pgmajfault, oom_kills;
	int oom;			       /* unbacked demand now */
	double swapin_carry, refault_carry;    /* fractions of pages not yet counted */
	double psi_some_avg10, psi_full_avg10; /* percent */
	uint64_t psi_some_total_us, psi_full_total_us;
	double psi_some_now, psi_full_now; /* stall fraction during the last tick, 0..1 */
};

/* Defaults used when params is NULL (documented in memmodel.c). */
void memmodel_default_params(struct memmodel_params *p);

/* A guest of physical map physmap_kib holding alloc_kib, with no demand yet. */
void memmodel_init(struct memmodel *m, const struct memmodel_params *params, uint64_t physmap_kib,
		   uint64_t alloc_kib);

/* The allocation changed (the balloon moved). Counts swap-out of pushed-out memory. */
void memmodel_set_alloc(struct memmodel *m, uint64_t alloc_kib);

/* The workload's working set changed. */
void memmodel_set_demand(struct memmodel *m, uint64_t demand_kib);

/* Let dt_ms of guest time pass: faults, swap traffic and pressure stall. */
void memmodel_tick(struct memmodel *m, uint64_t dt_ms);

/* Pages the balloon may take now (MemAvailable) and the kernel's reserve. */
uint64_t memmodel_available_pages(const struct memmodel *m);
uint64_t memmodel_reserve_pages(const struct memmodel *m);

/* The signals the guest would report, as its /proc files would show them. */
void memmodel_sample(const struct memmodel *m, struct report_sample *s);

#endif
