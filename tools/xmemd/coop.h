/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * coop.h: is a guest following its target?
 *
 * A guest is uncooperative when its frontend reports that it gave up, or when
 * it does not move toward its target at a minimum rate (min_rate_kib_s,
 * averaged since the last time it did) for uncoop_after_s seconds. It is
 * cooperative again as soon as it reaches its target or moves toward it at the
 * minimum rate. Pure state: the caller feeds observations and its clock.
 */
#ifndef XMEMD_COOP_H
#define XMEMD_COOP_H

#include <stdint.h>

#include "policy/policy.h"

/* Close enough to the target: max(COOP_TOLERANCE_KIB, target / COOP_TOLERANCE_DIV). */
#define COOP_TOLERANCE_KIB 4096u
#define COOP_TOLERANCE_DIV 64u

struct coop {
	int uncooperative;
	int gave_up;		/* the frontend said so (last observation) */
	uint64_t target_kib;	/* target of the current window */
	uint64_t ref_dist_kib;	/* distance to the target at ref_ms */
	uint64_t ref_ms;	/* start of the window */
	uint64_t last_dist_kib; /* distance at last_ms */
	uint64_t last_ms;
	uint64_t progress_ms; /* last time it moved at the rate or sat at its target */
	int started;
};

struct coop_params {
	uint64_t min_rate_kib_s;
	unsigned int uncoop_after_s;
};

/* Forget everything (a new domain, or a restart). */
void coop_reset(struct coop *c);

/*
 * Start from a verdict found in the key tree (memory/uncooperative left by an
 * earlier xmemd): a guest marked before a restart stays marked until it moves.
 */
void coop_restore(struct coop *c, int uncooperative);

/*
 * Start the window of a domain whose last progress toward target_kib was
 * ago_ms before now_ms (read back after a restart), as if it had moved at the
 * minimum rate until then. Still cooperative; coop_observe() then judges.
 */
void coop_resume(struct coop *c, const struct coop_params *p, uint64_t target_kib,
		 uint64_t current_kib, uint64_t ago_ms, uint64_t now_ms);

/*
 * Record one observation: the target in force, the allocation the hypervisor
 * reports, whether the frontend reports gave-up, at now_ms. Returns 1 when
 * the verdict changed (cooperative <-> uncooperative), else 0.
 */
int coop_observe(struct coop *c, const struct coop_params *p, uint64_t target_kib,
		 uint64_t current_kib, int gave_up, uint64_t now_ms);

/*
 * Part of step 2 of a rebalance (round.h): a frontend that gave up shrinking
 * at refused_kib (0: none) cannot spare more for a while, so a managed
 * domain's minimum (and startup) is raised to that size, never above its
 * maximum. Pure.
 */
void coop_floor(struct policy_dom *pd, uint64_t refused_kib);

/* Distance considered "at the target" for target_kib. */
uint64_t coop_tolerance_kib(uint64_t target_kib);

#endif
