/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * coop.c: see coop.h.
 *
 * The window: at ref_ms the guest was ref_dist_kib away from its target. Each
 * observation checks whether it has since closed the gap at the minimum rate
 * on average; if so the window restarts there. If the window grows older than
 * uncoop_after_s without that, the guest is uncooperative. A new target
 * restarts the window: the guest gets the full grace period for every order.
 * While uncooperative, closing any part of the gap at the minimum rate since
 * the previous observation (or reaching the target) brings it back.
 *
 * A restarted xmemd resumes the window from the last progress it published
 * (coop_resume): the grace period does not start again with every restart,
 * or a daemon restarted more often than uncoop_after_s would never judge.
 * The guest is credited with the minimum rate before the restart (its
 * distance then is not known), so from the restart on it must keep moving at
 * that rate, and without progress it is marked when the window that began
 * at its last progress runs out.
 */
#include "config.h"

#include <string.h>

#include "coop.h"

uint64_t coop_tolerance_kib(uint64_t target_kib)
{
	uint64_t tol = target_kib / COOP_TOLERANCE_DIV;

	return tol > COOP_TOLERANCE_KIB ? tol : COOP_TOLERANCE_KIB;
}

void coop_reset(struct coop *c)
{
	memset(c, 0, sizeof(*c));
}

void coop_restore(struct coop *c, int uncooperative)
{
	coop_reset(c);
	c->uncooperative = uncooperative ? 1 : 0;
}

/* Distance between a and b (defined below). */
static uint64_t coop_dist(uint64_t a, uint64_t b);

void coop_resume(struct coop *c, const struct coop_params *p, uint64_t target_kib,
		 uint64_t current_kib, uint64_t ago_ms, uint64_t now_ms)
{
	uint64_t dist = coop_dist(target_kib, current_kib), credit_kib;

	coop_reset(c);
	if (ago_ms > now_ms)
		ago_ms = now_ms;
	c->started = 1;
	c->target_kib = target_kib;
	c->ref_ms = now_ms - ago_ms;
	/* Credit one KiB less than the rate: standing still since is not progress. */
	credit_kib = p->min_rate_kib_s * ago_ms / 1000;
	c->ref_dist_kib = dist + (credit_kib ? credit_kib - 1 : 0);
	c->progress_ms = c->ref_ms;
	c->last_dist_kib = dist;
	c->last_ms = now_ms;
}

/* Distance between a and b. */
static uint64_t coop_dist(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* Did the gap close from dist0 (at t0) to dist1 (at t1) at rate or better? */
static int coop_moved(const struct coop_params *p, uint64_t dist0, uint64_t t0, uint64_t dist1,
		      uint64_t t1)
{
	uint64_t need_kib;

	if (dist1 >= dist0)
		return 0;
	need_kib = p->min_rate_kib_s * (t1 - t0) / 1000;
	return dist0 - dist1 >= need_kib;
}

int coop_observe(struct coop *c, const struct coop_params *p, uint64_t target_kib,
		 uint64_t current_kib, int gave_up, uint64_t now_ms)
{
	int was = c->uncooperative;
	uint64_t dist = coop_dist(target_kib, current_kib);
	int at_target = dist <= coop_tolerance_kib(target_kib);

	if (now_ms < c->last_ms)
		now_ms = c->last_ms; /* a clock never runs backwards here */
	c->gave_up = gave_up;
	if (!c->started || target_kib != c->target_kib) {
		int moved_since_last = c->started && c->uncooperative &&
				       coop_moved(p, c->last_dist_kib, c->last_ms, dist, now_ms);

		c->started = 1;
		c->target_kib = target_kib;
		c->ref_dist_kib = dist;
		c->ref_ms = now_ms;
		if (!c->progress_ms || moved_since_last)
			c->progress_ms = now_ms;
		/* A new target does not pardon a guest that has stopped moving. */
		if (c->uncooperative && !at_target && !moved_since_last)
			goto out;
		c->uncooperative = 0;
		goto out;
	}
	if (at_target) {
		c->ref_dist_kib = dist;
		c->ref_ms = now_ms;
		c->progress_ms = now_ms;
		c->uncooperative = 0;
		goto out;
	}
	if (c->uncooperative) {
		if (coop_moved(p, c->last_dist_kib, c->last_ms, dist, now_ms) &&
		    now_ms > c->last_ms) {
			c->uncooperative = 0;
			c->ref_dist_kib = dist;
			c->ref_ms = now_ms;
			c->progress_ms = now_ms;
		}
		goto out;
	}
	if (coop_moved(p, c->ref_dist_kib, c->ref_ms, dist, now_ms)) {
		c->ref_dist_kib = dist;
		c->ref_ms = now_ms;
		c->progress_ms = now_ms;
	} else if (now_ms - c->ref_ms >= (uint64_t)p->uncoop_after_s * 1000) {
		c->uncooperative = 1;
	}
out:
	if (gave_up && !at_target)
		c->uncooperative = 1;
	c->last_dist_kib = dist;
	c->last_ms = now_ms;
	return c->uncooperative != was;
}

void coop_floor(struct policy_dom *pd, uint64_t refused_kib)
{
	uint64_t fl = refused_kib < pd->max_kib ? refused_kib : pd->max_kib;

	if (!refused_kib || !pd->managed)
		return;
	if (pd->min_kib < fl)
		pd->min_kib = fl;
	if (pd->startup_kib < pd->min_kib)
		pd->startup_kib = pd->min_kib;
}
