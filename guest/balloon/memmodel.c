/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memmodel.c: the memory of one simulated guest.
 *
 * This is a model, not an emulation: it is small enough to be checked by
 * hand, and every number it reports has the meaning the Linux file it
 * imitates gives it. What it models:
 *
 * Layout (KiB). The guest holds alloc from the hypervisor.
 *   kernel    = kernel_fixed (64 MiB: text, slab, per-cpu, ...)
 *               + physmap / 64 (struct page, 64 bytes per 4 KiB frame, for
 *               the whole physical map up to static-max, ballooned or not)
 *   MemTotal  = alloc - kernel (ballooned frames leave MemTotal, as Linux's
 *               balloon adjusts totalram_pages)
 *   min_free  = sqrt(16 * MemTotal), clamped to 128 KiB..256 MiB (Linux's
 *               min_free_kbytes); low = 5/4 min_free; reserve = 3/2 min_free
 *               (the high watermark, standing in for totalreserve_pages)
 *   usable    = MemTotal - low: what reclaim lets user memory fill
 *   anon      = min(demand, usable): the workload's resident working set
 *   swap_used = min(demand - anon, swap): the rest of it, swapped out
 *   unbacked  = what fits in neither: the guest is out of memory
 *   file set  = file_pct (10%) of demand: files the workload keeps using
 *   cache     = min(2 x file set, usable - anon): page cache (the file set
 *               plus as much again of older, inactive pages)
 *   MemFree   = MemTotal - anon - cache
 *   MemAvailable = MemFree - reserve + cache - min(cache / 2, low), at least
 *               0 (the kernel's si_mem_available() without slab)
 *
 * The balloon may take MemAvailable, as Linux caps it there. Taking it
 * shrinks the page cache first; once the cache is smaller than the file set,
 * the workload refaults its files. Demand above usable memory goes to swap.
 *
 * Pressure (per tick of dt seconds). The workload touches touch_pct (5%) of
 * its working set per second. Touching swapped-out memory swaps it in
 * (pswpin) and, memory being full, swaps as much out (pswpout); touching
 * file pages missing from the cache refaults them. Every such fault is a
 * major fault (pgmajfault) that stalls its task for fault_us (250 us, a
 * virtual disk read). The workload is two equally busy tasks faulting
 * independently: with p the fraction of time one task is stalled,
 *   some = 1 - (1 - p)^2   (at least one task stalled)
 *   full = p^2             (both stalled)
 * as /proc/pressure/memory defines them. An out-of-memory guest (unbacked
 * demand) is fully stalled and counts one OOM kill when it enters that state
 * (the replayed workload keeps its demand, as if restarted at once). The
 * avg10 figures decay like the kernel's: avg = avg e^(-dt/10) + now (1 -
 * e^(-dt/10)).
 *
 * Swap traffic from changes: when the balloon or a growing demand pushes
 * working set out, that much is swapped out; when the balloon returns memory,
 * swapped pages come back in (swap-in); when demand falls, swapped pages are
 * simply freed. Committed_AS is commit_pct (125%) of the demand: programs
 * map more than they touch.
 *
 * Not modelled: slab and other kernel reclaimables, dirty page writeback,
 * NUMA, huge pages, memory compaction, zswap.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "memmodel.h"
#include "size.h"

void memmodel_default_params(struct memmodel_params *p)
{
	p->kernel_fixed_kib = 64 * 1024;
	p->memmap_div = 64;
	p->swap_kib = 1024 * 1024;
	p->file_pct = 10;
	p->touch_pct = 5;
	p->fault_us = 250;
	p->commit_pct = 125;
}

/* Integer square root. */
static uint64_t memmodel_isqrt(uint64_t v)
{
	uint64_t r = (uint64_t)sqrt((double)v);

	while (r * r > v)
		r--;
	while ((r + 1) * (r + 1) <= v)
		r++;
	return r;
}

/* Recompute the layout from allocation and demand; returns the old swap use. */
static uint64_t memmodel_layout(struct memmodel *m)
{
	uint64_t old_swap = m->swap_used_kib;
	uint64_t low, usable, excess, file_set, room;
	int64_t avail;

	m->kernel_kib =
		m->p.kernel_fixed_kib + (m->p.memmap_div ? m->physmap_kib / m->p.memmap_div : 0);
	m->total_kib = m->alloc_kib > m->kernel_kib ? m->alloc_kib - m->kernel_kib : 0;
	m->min_free_kib = memmodel_isqrt(m->total_kib * 16);
	if (m->min_free_kib < 128)
		m->min_free_kib = 128;
	if (m->min_free_kib > 256 * 1024)
		m->min_free_kib = 256 * 1024;
	low = m->min_free_kib * 5 / 4;
	m->reserve_kib = m->min_free_kib * 3 / 2;
	usable = m->total_kib > low ? m->total_kib - low : 0;

	m->anon_kib = m->demand_kib < usable ? m->demand_kib : usable;
	excess = m->demand_kib - m->anon_kib;
	m->swap_used_kib = excess < m->p.swap_kib ? excess : m->p.swap_kib;
	m->unbacked_kib = excess - m->swap_used_kib;

	file_set = m->demand_kib / 100 * m->p.file_pct + m->demand_kib % 100 * m->p.file_pct / 100;
	room = usable - m->anon_kib;
	m->cache_kib = 2 * file_set < room ? 2 * file_set : room;
	m->file_missing_kib = file_set > m->cache_kib ? file_set - m->cache_kib : 0;
	m->free_kib = m->total_kib - m->anon_kib - m->cache_kib;

	avail = (int64_t)m->free_kib - (int64_t)m->reserve_kib + (int64_t)m->cache_kib;
	avail -= (int64_t)(m->cache_kib / 2 < low ? m->cache_kib / 2 : low);
	m->available_kib = avail > 0 ? (uint64_t)avail : 0;
	return old_swap;
}

void memmodel_init(struct memmodel *m, const struct memmodel_params *params, uint64_t physmap_kib,
		   uint64_t alloc_kib)
{
	memset(m, 0, sizeof(*m));
	if (params)
		m->p = *params;
	else
		memmodel_default_params(&m->p);
	m->physmap_kib = physmap_kib > alloc_kib ? physmap_kib : alloc_kib;
	m->alloc_kib = alloc_kib;
	memmodel_layout(m);
}

/* Count the swap traffic of a change in swap use; swap-in only when asked. */
static void memmodel_swap_delta(struct memmodel *m, uint64_t old_swap, int count_in)
{
	uint64_t pages;

	if (m->swap_used_kib > old_swap) {
		pages = size_kib_to_pages(m->swap_used_kib - old_swap);
		m->pswpout += pages;
	} else if (m->swap_used_kib < old_swap && count_in) {
		pages = size_kib_to_pages(old_swap - m->swap_used_kib);
		m->pswpin += pages;
		m->pgmajfault += pages;
	}
	if (m->unbacked_kib > 0 && !m->oom)
		m->oom_kills++; /* entering out-of-memory: the kernel would kill */
	m->oom = m->unbacked_kib > 0;
}

void memmodel_set_alloc(struct memmodel *m, uint64_t alloc_kib)
{
	uint64_t old_swap;

	m->alloc_kib = alloc_kib;
	if (alloc_kib > m->physmap_kib)
		m->physmap_kib = alloc_kib;
	old_swap = memmodel_layout(m);
	memmodel_swap_delta(m, old_swap, 1);
}

void memmodel_set_demand(struct memmodel *m, uint64_t demand_kib)
{
	uint64_t old_swap;

	m->demand_kib = demand_kib;
	old_swap = memmodel_layout(m);
	memmodel_swap_delta(m, old_swap, 0);
}

/* Add rate*dt events to counter, carrying the fraction. */
static uint64_t memmodel_count(double events, double *carry)
{
	double total = events + *carry;
	uint64_t whole = (uint64_t)total;

	*carry = total - (double)whole;
	return whole;
}

void memmodel_tick(struct memmodel *m, uint64_t dt_ms)
{
	double dt_s = (double)dt_ms / 1000.0, touch = m->p.touch_pct / 100.0;
	double swapins_s, refaults_s, p, decay;
	uint64_t n;

	if (dt_ms == 0)
		return;
	swapins_s = touch * (double)size_kib_to_pages(m->swap_used_kib);
	refaults_s = touch * (double)size_kib_to_pages(m->file_missing_kib);
	n = memmodel_count(swapins_s * dt_s, &m->swapin_carry);
	m->pswpin += n;
	m->pswpout += n; /* memory is full: every page in pushes one out */
	m->pgmajfault += n;
	m->pgmajfault += memmodel_count(refaults_s * dt_s, &m->refault_carry);

	p = (swapins_s + refaults_s) / 2.0 * (m->p.fault_us / 1e6);
	if (p > 1.0 || m->unbacked_kib > 0)
		p = 1.0;
	m->psi_some_now = 1.0 - (1.0 - p) * (1.0 - p);
	m->psi_full_now = p * p;
	m->psi_some_total_us += (uint64_t)(m->psi_some_now * dt_s * 1e6);
	m->psi_full_total_us += (uint64_t)(m->psi_full_now * dt_s * 1e6);

	decay = exp(-dt_s / 10.0);
	m->psi_some_avg10 = m->psi_some_avg10 * decay + 100.0 * m->psi_some_now * (1.0 - decay);
	m->psi_full_avg10 = m->psi_full_avg10 * decay + 100.0 * m->psi_full_now * (1.0 - decay);
}

uint64_t memmodel_available_pages(const struct memmodel *m)
{
	return size_kib_to_pages(m->available_kib);
}

uint64_t memmodel_reserve_pages(const struct memmodel *m)
{
	return size_kib_to_pages(m->reserve_kib);
}

void memmodel_sample(const struct memmodel *m, struct report_sample *s)
{
	memset(s, 0, sizeof(*s));
	report_set(s, REPORT_MEM_TOTAL, m->total_kib);
	report_set(s, REPORT_MEM_FREE, m->free_kib);
	report_set(s, REPORT_MEM_AVAILABLE, m->available_kib);
	report_set(s, REPORT_COMMITTED,
		   m->demand_kib / 100 * m->p.commit_pct +
			   m->demand_kib % 100 * m->p.commit_pct / 100);
	report_set(s, REPORT_SWAP_TOTAL, m->p.swap_kib);
	report_set(s, REPORT_SWAP_FREE, m->p.swap_kib - m->swap_used_kib);
	report_set(s, REPORT_PSWPIN, m->pswpin);
	report_set(s, REPORT_PSWPOUT, m->pswpout);
	report_set(s, REPORT_PGMAJFAULT, m->pgmajfault);
	report_set(s, REPORT_PSI_SOME, (uint64_t)(m->psi_some_avg10 * 100.0 + 0.5));
	report_set(s, REPORT_PSI_FULL, (uint64_t)(m->psi_full_avg10 * 100.0 + 0.5));
	report_set(s, REPORT_PSI_SOME_TOTAL, m->psi_some_total_us);
}
