/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reserve.h: the reservation protocol's state machine (docs/architecture.md,
 * "Reservations").
 *
 * reserve_plan() looks at every reservation node and the host's figures and
 * decides, without I/O, what to answer and how much memory to hold back:
 * - granted, not yet given: its granted_kib stays free (held). When less is
 *   free, what a domain still being built (paused, given no reservation)
 *   holds may be that domain's, built from it before the client wrote its
 *   domid, and is not counted twice; the rest was taken by others (a guest
 *   grown behind xmemd's back) and stays held, so the plan frees it again
 *   before anything else (short_kib says how much is missing);
 * - granted and given to domain N (domid written): held is what N does not
 *   have yet; dropped (node removed) once N has reached its target;
 * - pending: granted at once if that much is free now; failed when the
 *   guests' minimums (or uncooperative guests) make it impossible; otherwise
 *   held while the policy squeezes the others, and granted once free;
 * - any unassigned reservation whose expiry has passed is dropped (a pending
 *   one is answered failed first so a late client learns why).
 * Everything it needs is in the nodes, so a restarted xmemd decides the same.
 */
#ifndef XMEMD_RESERVE_H
#define XMEMD_RESERVE_H

#include <stddef.h>
#include <stdint.h>

#include "cache.h"

/* Failed nodes are removed this long after their expiry (the client had time to read). */
#define RESERVE_FAILED_GRACE_S 60

enum reserve_verdict {
	RESERVE_KEEP = 0, /* nothing to write */
	RESERVE_GRANT,	  /* write state=granted, granted_kib */
	RESERVE_FAIL,	  /* write state=failed, reason */
	RESERVE_REMOVE,	  /* remove the node */
};

/* What the host looks like to the reservation planner (all KiB). */
struct reserve_host {
	int64_t now_s;	       /* Unix time */
	uint64_t avail_kib;    /* free now: free - claimed - floor - promised growth (but
				* the few pages a settled balloon stays short of its target) */
	uint64_t squeeze_kib;  /* more that cooperative guests could give (current - min) */
	uint64_t growing_kib;  /* growth promised to driven guests: lowering their targets
				* cancels it, so it is freeable too */
	uint64_t stuck_kib;    /* what uncooperative guests hold above their minimums */
	uint64_t building_kib; /* held by paused domains given no reservation (being built) */
};

/* The domain a reservation was given to, as the caller sees it. */
struct reserve_dom {
	int exists;
	uint64_t current_kib;
	uint64_t outstanding_kib; /* its claim (Xen holds that much for it) */
	int has_target;
	uint64_t target_kib;
};

/* The caller's lookup of a domain by domid. */
typedef void reserve_dom_fn(void *arg, uint32_t domid, struct reserve_dom *dom_r);

struct reserve_action {
	enum reserve_verdict verdict;
	uint64_t granted_kib;
	uint64_t hold_kib;  /* memory held back for it after this decision */
	uint64_t short_kib; /* of hold_kib, what is not free now (the plan frees it) */
	char reason[CACHE_RES_REASON_MAX];
};

/*
 * Decide for the nr reservations res (sorted by id: earlier ids are served
 * first). acts must have room for nr entries. *held_kib_r receives the total
 * to hold back from the plan: granted ones, plus pending ones being squeezed
 * for. A domain a reservation was given to is covered by its hold: the
 * caller must not count that domain's growth toward its target again.
 */
void reserve_plan(const struct cache_res *res, size_t nr, const struct reserve_host *host,
		  reserve_dom_fn *dom_fn, void *arg, struct reserve_action *acts,
		  uint64_t *held_kib_r);

struct round;

/*
 * Part of step 3 of a rebalance (round.h): the host's figures for
 * reserve_plan from the round: what is free now (rd->base_kib), what driven
 * guests could still give (current - min) and what managed guests with a
 * balloon that are not driven (uncooperative) hold above their minimums. Pure.
 */
void reserve_round_host(const struct round *rd, struct reserve_host *rh);

#endif
