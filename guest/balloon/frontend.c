/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * frontend.c: the balloon frontend's state machine (see frontend.h).
 *
 * One pass, as a pass of Linux's balloon thread:
 *
 *   credit = target - current (pages)
 *   credit > 0: take back min(credit, 512) frames from the balloon with
 *               populate_physmap. Nothing done is a failure; a short count
 *               is success for the frames given. An empty balloon (the
 *               guest is at the top of its physical map) clamps the target
 *               to what the guest has and gives up, as Linux without memory
 *               hotplug does; with hotplug, it adds whole memory blocks to
 *               the map and waits a second for them to be onlined (BP_WAIT)
 *               before populating them.
 *   credit < 0: n = min(-credit, MemAvailable); give back min(n, 512) frames
 *               with decrease_reservation. When n was capped by
 *               MemAvailable and is below the kernel's reserve, the pass is
 *               a failure (Linux's XSA-300 rule): the guest's memory is in
 *               use, and taking it would push the guest into swap or OOM.
 *
 * After the pass (Linux's update_schedule): success resets the delay to 1 s
 * and the retry count; a failure counts a retry and doubles the delay (at
 * most 32 s); the 4th failure in a row gives up. The waits between tries are
 * therefore 2, 4 and 8 s, then nothing until the target changes or an hour
 * passes.
 *
 * Frames: see struct frontend. Releasing takes the machine frames of the
 * highest backed pfns from the p2m; a pfn whose frame the guest was never
 * told cannot be given back, which stops the pass (and, when nothing at all
 * can be given, gives up at once: retrying cannot help).
 *
 * Example: a guest holding 1 GiB (262144 pages) with 100 MiB (25600 pages)
 * available and a 6 MiB (1536 pages) reserve is told 512 MiB. The first 47
 * passes release 512 frames each; the 48th finds 1536 available, not below
 * the reserve, and releases 512; the 49th finds 1024, releases 512 and fails
 * (capped below the reserve): wait 2 s. The 50th releases the last 512 and
 * fails: wait 4 s; the 51st finds nothing: wait 8 s; the 52nd is the 4th
 * failure and gives up holding 924 MiB, with last_error saying the guest's
 * memory is in use.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "size.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem_err.h"

static const char *const frontend_state_names[] = {
	[FRONTEND_DONE] = XS_DOM_BALLOON_STATE_DONE,
	[FRONTEND_WORKING] = XS_DOM_BALLOON_STATE_WORKING,
	[FRONTEND_BACKOFF] = XS_DOM_BALLOON_STATE_BACKOFF,
	[FRONTEND_GAVE_UP] = XS_DOM_BALLOON_STATE_GAVE_UP,
};

const char *frontend_state_name(enum frontend_state state)
{
	if ((size_t)state >= sizeof(frontend_state_names) / sizeof(frontend_state_names[0]))
		return "unknown";
	return frontend_state_names[state];
}

void frontend_init(struct frontend *fe, uint64_t current_pages, const struct frontend_ops *ops,
		   void *arg)
{
	memset(fe, 0, sizeof(*fe));
	fe->ops = ops;
	fe->arg = arg;
	fe->state = FRONTEND_DONE;
	fe->current_pages = current_pages;
	fe->target_pages = current_pages;
	fe->physmap_pages = current_pages;
	fe->boot_physmap_pages = current_pages;
	fe->delay_s = FRONTEND_DELAY_FIRST_S;
}

void frontend_free(struct frontend *fe)
{
	free(fe->p2m);
	fe->p2m = NULL;
	fe->p2m_len = 0;
}

/* Make the p2m cover pfns [0, nr_pfns), new entries unknown. 0 or XMEM_ERR_NOMEM. */
static int frontend_p2m_grow(struct frontend *fe, uint64_t nr_pfns)
{
	uint64_t len = fe->p2m_len ? fe->p2m_len : 1024, i;
	uint64_t *p2m;

	if (nr_pfns <= fe->p2m_len)
		return 0;
	while (len < nr_pfns)
		len *= 2;
	if (len > SIZE_MAX / sizeof(*p2m))
		return XMEM_ERR_NOMEM;
	p2m = realloc(fe->p2m, (size_t)len * sizeof(*p2m));
	if (!p2m)
		return XMEM_ERR_NOMEM;
	for (i = fe->p2m_len; i < len; i++)
		p2m[i] = FRONTEND_MFN_UNKNOWN;
	fe->p2m = p2m;
	fe->p2m_len = len;
	return 0;
}

int frontend_boot_frames(struct frontend *fe, const uint64_t *mfns, uint64_t n)
{
	int rc;

	if (n > fe->current_pages)
		return XMEM_ERR_RANGE;
	rc = frontend_p2m_grow(fe, n);
	if (rc)
		return rc;
	memcpy(fe->p2m, mfns, (size_t)n * sizeof(*mfns));
	return 0;
}

/* Parse a decimal KiB value: digits only, no sign, no overflow. */
static int frontend_parse_kib(const char *s, uint64_t *kib_r)
{
	uint64_t v = 0;
	const char *p;

	if (!s)
		return XMEM_ERR_NOTFOUND;
	if (!s[0])
		return XMEM_ERR_INVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return XMEM_ERR_INVAL;
		if (v > (SIZE_MAX_KIB - (uint64_t)(*p - '0')) / 10)
			return XMEM_ERR_INVAL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*kib_r = v;
	return 0;
}

int frontend_static_max(struct frontend *fe, const char *static_max_kib)
{
	uint64_t kib = 0;
	int rc;

	fe->have_static_max = 1;
	rc = frontend_parse_kib(static_max_kib, &kib);
	if (rc)
		return rc;
	if (size_kib_to_pages(kib) > fe->physmap_pages)
		fe->physmap_pages = size_kib_to_pages(kib);
	fe->boot_physmap_pages = fe->physmap_pages;
	return 0;
}

void frontend_set_hotplug(struct frontend *fe, int on)
{
	fe->hotplug = !!on;
}

int frontend_target(struct frontend *fe, const char *target_kib, const char **why_r)
{
	const char *why = NULL;
	uint64_t kib = 0, pages;
	int rc;

	rc = frontend_parse_kib(target_kib, &kib);
	if (rc == XMEM_ERR_NOTFOUND)
		why = "memory/target is missing";
	else if (rc)
		why = "memory/target is not a decimal number of KiB";
	else if (fe->have_static_max && !fe->hotplug &&
		 size_kib_to_pages(kib) > fe->physmap_pages) {
		why = "memory/target is above memory/static-max";
		rc = XMEM_ERR_RANGE;
	}
	if (why_r)
		*why_r = why;
	if (rc)
		return rc;
	pages = size_kib_to_pages(kib);
	if (fe->have_target && kib == fe->target_kib && pages == fe->target_pages)
		return 0;
	fe->have_target = 1;
	fe->target_kib = kib;
	fe->target_pages = pages;
	if (fe->state == FRONTEND_GAVE_UP || fe->state == FRONTEND_DONE) {
		/* A new target is a fresh start after giving up. */
		fe->retries = 0;
		fe->delay_s = FRONTEND_DELAY_FIRST_S;
	}
	if (fe->state != FRONTEND_BACKOFF)
		fe->state = pages == fe->current_pages ? FRONTEND_DONE : FRONTEND_WORKING;
	return 1;
}

/*
 * Hot-add the whole memory blocks that cover credit to the physical map: they
 * join the balloon, to be populated after the onlining wait.
 */
static void frontend_hot_add(struct frontend *fe, uint64_t credit)
{
	uint64_t blocks =
		(credit + FRONTEND_HOTPLUG_BLOCK_PAGES - 1) / FRONTEND_HOTPLUG_BLOCK_PAGES;

	fe->physmap_pages += blocks * FRONTEND_HOTPLUG_BLOCK_PAGES;
}

/*
 * Take back up to FRONTEND_BATCH_PAGES frames from the balloon. 0, 1 after a
 * hot-add (wait for the onlining), or a failure.
 */
static int frontend_increase(struct frontend *fe, uint64_t credit)
{
	uint64_t in_balloon = fe->physmap_pages - fe->current_pages;
	uint64_t n, i;
	long r;

	if (in_balloon == 0 && fe->hotplug) {
		frontend_hot_add(fe, credit);
		return 1;
	}
	if (in_balloon == 0) {
		/* Linux without memory hotplug: clamp the target and cancel. */
		snprintf(fe->last_error, sizeof(fe->last_error),
			 "balloon empty: cannot grow past the physical map (%" PRIu64 " KiB)",
			 size_pages_to_kib(fe->physmap_pages));
		fe->target_pages = fe->current_pages;
		return XMEM_ERR_RANGE;
	}
	n = credit;
	if (n > FRONTEND_BATCH_PAGES)
		n = FRONTEND_BATCH_PAGES;
	if (n > in_balloon)
		n = in_balloon;
	if (frontend_p2m_grow(fe, fe->current_pages + n)) {
		snprintf(fe->last_error, sizeof(fe->last_error), "out of memory for the p2m");
		return XMEM_ERR_NOMEM;
	}
	for (i = 0; i < n; i++)
		fe->frames[i] = fe->current_pages + i; /* the pfns to back */
	r = fe->ops->populate(fe->arg, (unsigned long)n, fe->frames);
	if (r <= 0) {
		snprintf(fe->last_error, sizeof(fe->last_error),
			 "populate_physmap gave 0 of %" PRIu64
			 " frames: host memory or maxmem exhausted",
			 n);
		return XMEM_ERR_NOSPACE;
	}
	if ((uint64_t)r > n)
		r = (long)n; /* a hypervisor cannot give more than asked */
	for (i = 0; i < (uint64_t)r; i++)
		fe->p2m[fe->current_pages + i] = fe->frames[i]; /* now machine frames */
	fe->current_pages += (uint64_t)r;
	return 0;
}

/* Give back up to FRONTEND_BATCH_PAGES of the frames the guest can spare. */
static int frontend_decrease(struct frontend *fe, uint64_t need)
{
	uint64_t avail = fe->ops->available_pages(fe->arg);
	uint64_t reserve = fe->ops->reserve_pages(fe->arg);
	uint64_t n_req, n, i;
	long r = 0;

	n_req = need < avail ? need : avail;
	n = n_req < FRONTEND_BATCH_PAGES ? n_req : FRONTEND_BATCH_PAGES;
	if (n > fe->current_pages)
		n = fe->current_pages;
	/* The machine frames of the highest pfns, as far as they are known. */
	for (i = 0; i < n; i++) {
		uint64_t pfn = fe->current_pages - 1 - i;

		if (pfn >= fe->p2m_len || fe->p2m[pfn] == FRONTEND_MFN_UNKNOWN)
			break;
		fe->frames[i] = fe->p2m[pfn];
	}
	if (n > 0 && i == 0) {
		snprintf(fe->last_error, sizeof(fe->last_error),
			 "the machine frames of the guest's boot memory are unknown: "
			 "only memory the balloon populated can be given back");
		return XMEM_ERR_UNSUPPORTED;
	}
	n = i;
	if (n > 0) {
		r = fe->ops->decrease(fe->arg, (unsigned long)n, fe->frames);
		if (r < 0) {
			snprintf(fe->last_error, sizeof(fe->last_error),
				 "decrease_reservation failed: %s", xmem_strerror((int)r));
			return (int)r;
		}
		if ((uint64_t)r > n)
			r = (long)n;
		for (i = 0; i < (uint64_t)r; i++)
			fe->p2m[fe->current_pages - 1 - i] = FRONTEND_MFN_UNKNOWN;
		fe->current_pages -= (uint64_t)r;
		if ((uint64_t)r < n) {
			snprintf(fe->last_error, sizeof(fe->last_error),
				 "decrease_reservation released %ld of %" PRIu64 " frames", r, n);
			return XMEM_ERR_FAIL;
		}
	}
	if (n_req != need && (n_req < reserve || r == 0)) {
		snprintf(fe->last_error, sizeof(fe->last_error),
			 "guest memory in use: %" PRIu64 " KiB available, %" PRIu64
			 " KiB more asked",
			 size_pages_to_kib(avail), size_pages_to_kib(need - (uint64_t)r));
		return XMEM_ERR_BUSY;
	}
	return 0;
}

long frontend_run(struct frontend *fe)
{
	int rc;

	if (fe->state == FRONTEND_GAVE_UP) {
		/* An hour passed (or the caller insists): try again from scratch. */
		fe->retries = 0;
		fe->delay_s = FRONTEND_DELAY_FIRST_S;
	}
	if (!fe->have_target || fe->target_pages == fe->current_pages) {
		fe->state = FRONTEND_DONE;
		fe->last_error[0] = '\0';
		fe->retries = 0;
		fe->delay_s = FRONTEND_DELAY_FIRST_S;
		return FRONTEND_IDLE_S * 1000L;
	}
	fe->nr_batches++;
	if (fe->target_pages > fe->current_pages)
		rc = frontend_increase(fe, fe->target_pages - fe->current_pages);
	else
		rc = frontend_decrease(fe, fe->current_pages - fe->target_pages);

	if (rc == 1) {
		/* Memory hot-added: populate it once the kernel has onlined it. */
		fe->state = FRONTEND_WORKING;
		return FRONTEND_HOTPLUG_WAIT_MS;
	}
	if (rc == XMEM_ERR_RANGE || rc == XMEM_ERR_UNSUPPORTED) {
		/* Clamped or impossible: nothing more until the target changes. */
		fe->state = FRONTEND_GAVE_UP;
		return FRONTEND_IDLE_S * 1000L;
	}
	if (rc == 0) {
		fe->retries = 0;
		fe->delay_s = FRONTEND_DELAY_FIRST_S;
		if (fe->target_pages == fe->current_pages) {
			fe->state = FRONTEND_DONE;
			fe->last_error[0] = '\0';
			return FRONTEND_IDLE_S * 1000L;
		}
		fe->state = FRONTEND_WORKING;
		return 0;
	}
	fe->retries++;
	if (fe->retries >= FRONTEND_MAX_RETRIES) {
		fe->state = FRONTEND_GAVE_UP;
		fe->delay_s = FRONTEND_DELAY_FIRST_S;
		return FRONTEND_IDLE_S * 1000L;
	}
	fe->delay_s *= 2;
	if (fe->delay_s > FRONTEND_DELAY_MAX_S)
		fe->delay_s = FRONTEND_DELAY_MAX_S;
	fe->state = FRONTEND_BACKOFF;
	return (long)fe->delay_s * 1000L;
}
