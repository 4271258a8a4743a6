/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * frontend.h: the balloon frontend's state machine, free of I/O.
 *
 * The frontend follows memory/target the way Linux's xen-balloon driver does
 * (drivers/xen/balloon.c): it moves toward the target in batches of at
 * most FRONTEND_BATCH_PAGES frames, gives back only memory the guest can
 * spare (MemAvailable), backs off 2, 4, 8 s after failed passes (the delay
 * starts at 1 s and doubles, capped at 32 s) and gives up after the 4th
 * failure until the target changes or an hour passes.
 *
 * The hypercalls and the guest's free memory are reached through struct
 * frontend_ops, so the whole machine runs in unit tests against fakes and in
 * xmem-balloon against the hypervisor and the simulated guest's memory model.
 * The caller drives it: frontend_target() on every watch event, and
 * frontend_run() whenever the delay it returned last has passed.
 */
#ifndef XMEM_FRONTEND_H
#define XMEM_FRONTEND_H

#include <stddef.h>
#include <stdint.h>

/* One page of frame numbers per hypercall, as Linux's frame_list. */
#define FRONTEND_BATCH_PAGES 512u
/* Linux balloon defaults (schedule_delay, max_schedule_delay, max_retry_count). */
#define FRONTEND_DELAY_FIRST_S 1u
#define FRONTEND_DELAY_MAX_S   32u
#define FRONTEND_MAX_RETRIES   4u
/*
 * Memory hotplug (CONFIG_XEN_BALLOON_MEMORY_HOTPLUG): with the balloon empty,
 * Linux adds memory in whole memory blocks (128 MiB on x86-64) and polls
 * every second (BP_WAIT) until the kernel has onlined them; the simulated
 * guest charges that second once per block it adds.
 */
#define FRONTEND_HOTPLUG_BLOCK_PAGES 32768u
#define FRONTEND_HOTPLUG_WAIT_MS     1000L
/* Linux waits this long in DONE and ECANCELED before looking again. */
#define FRONTEND_IDLE_S	 3600u
#define FRONTEND_ERR_LEN 128

enum frontend_state {
	FRONTEND_DONE,	  /* at the target (BP_DONE) */
	FRONTEND_WORKING, /* moving, the last pass succeeded */
	FRONTEND_BACKOFF, /* the last pass fell short; retrying later (BP_EAGAIN) */
	FRONTEND_GAVE_UP, /* too many failures; waits for a new target (BP_ECANCELED) */
};

struct frontend_ops {
	/* Give back nr frames (decrease_reservation). Returns frames done or < 0. */
	long (*decrease)(void *arg, unsigned long nr, const uint64_t *frames);
	/* Take back nr frames (populate_physmap). Returns frames done or < 0. */
	long (*populate)(void *arg, unsigned long nr, uint64_t *frames);
	/* Pages the guest can spare now (MemAvailable). */
	uint64_t (*available_pages)(void *arg);
	/* Pages the guest kernel keeps in reserve (totalreserve_pages). */
	uint64_t (*reserve_pages)(void *arg);
};

/*
 * Frames. The guest's physical map is pseudo-physical frames (pfns)
 * [0, physmap_pages); pfns [0, current_pages) are backed, the rest is the
 * balloon. The guest gives back its highest pfns and takes back the lowest
 * ballooned ones, so the balloon stays one range of pfns. The hypervisor
 * speaks machine frames (PV style, as xmem-hvsim does): populate_physmap
 * backs the given pfns and returns the machine frames it used, and
 * decrease_reservation takes machine frames the guest owns. The p2m array
 * remembers the machine frame of every backed pfn, so the balloon gives back
 * exactly the frames the hypervisor gave. A frame the guest was never told
 * about (boot memory without a frame list) is FRONTEND_MFN_UNKNOWN and cannot
 * be given back.
 */
#define FRONTEND_MFN_UNKNOWN UINT64_MAX

struct frontend {
	const struct frontend_ops *ops;
	void *arg;
	enum frontend_state state;
	uint64_t current_pages;	     /* frames the guest holds (tot_pages) */
	uint64_t target_pages;	     /* the target it moves toward */
	uint64_t physmap_pages;	     /* static-max: top of the physical map */
	uint64_t target_kib;	     /* the last valid target seen, as written */
	int have_target;	     /* a valid target has been seen */
	int have_static_max;	     /* static-max was read (first event) */
	int hotplug;		     /* the kernel can hot-add memory past physmap_pages */
	uint64_t boot_physmap_pages; /* physmap_pages before any hot-add */
	unsigned int delay_s;	     /* schedule_delay */
	unsigned int retries;	     /* consecutive failed passes */
	unsigned int nr_batches;     /* passes made (statistics) */
	uint64_t *p2m;		     /* machine frame of each backed pfn */
	uint64_t p2m_len;	     /* entries allocated */
	char last_error[FRONTEND_ERR_LEN];
	uint64_t frames[FRONTEND_BATCH_PAGES];
};

/*
 * Start with the allocation the guest booted with (current_reservation),
 * whose machine frames are unknown until frontend_boot_frames().
 */
void frontend_init(struct frontend *fe, uint64_t current_pages, const struct frontend_ops *ops,
		   void *arg);

/*
 * The machine frames of the boot allocation, pfn by pfn (n at most
 * current_pages), for a hypervisor that lists them (a PV start_info's frame
 * list). Returns 0 or XMEM_ERR_NOMEM / XMEM_ERR_RANGE.
 */
int frontend_boot_frames(struct frontend *fe, const uint64_t *mfns, uint64_t n);

/* Release the frontend's memory (the p2m). */
void frontend_free(struct frontend *fe);

/*
 * Set the top of the physical map from memory/static-max (decimal KiB), read
 * on the first watch event. Returns 0, or XMEM_ERR_INVAL / XMEM_ERR_NOTFOUND
 * (NULL) after which the map ends at the boot allocation, as Linux falls
 * back to its current pages.
 */
int frontend_static_max(struct frontend *fe, const char *static_max_kib);

/*
 * Whether the guest's kernel can hot-add memory. Without it (the default) a
 * target above the physical map is refused and an empty balloon clamps the
 * target, as Linux without CONFIG_XEN_BALLOON_MEMORY_HOTPLUG; with it, any
 * target is taken and an empty balloon grows the physical map by whole
 * memory blocks (FRONTEND_HOTPLUG_BLOCK_PAGES), each followed by a wait of
 * FRONTEND_HOTPLUG_WAIT_MS while the block is onlined. The hypervisor's
 * maxmem still bounds what populate_physmap gives.
 */
void frontend_set_hotplug(struct frontend *fe, int on);

/*
 * A memory/target watch event with the key's value (NULL when missing).
 * Returns 1 when the target changed (the caller should run the frontend at
 * once), 0 when it is the target already held (a spurious event: a backing
 * off or given-up frontend stays so, as Linux's thread is not woken), or,
 * leaving the frontend as it was: XMEM_ERR_NOTFOUND (missing),
 * XMEM_ERR_INVAL (not a decimal number, or negative), XMEM_ERR_RANGE (above
 * static-max, without hotplug). why_r, when not NULL, gets a sentence for the log.
 */
int frontend_target(struct frontend *fe, const char *target_kib, const char **why_r);

/*
 * Make one pass (at most one batch). Returns the milliseconds until the next
 * pass: 0 to continue at once, the backoff delay after a failed pass, or
 * FRONTEND_IDLE_S seconds when done or given up.
 */
long frontend_run(struct frontend *fe);

/* Text of a state for data/balloon/state: done, working, backoff, gave-up. */
const char *frontend_state_name(enum frontend_state state);

#endif
