/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * round.h: one rebalance of xmemd as a pipeline over one round structure.
 *
 * daemon_rebalance (daemon.c) runs these steps in order; each is a function
 * in the file of its concept, and all but the ones that write to the host are
 * pure (tools/xmemd/tests/test_xmemd_round.c tests each alone):
 *   1. snapshot      daemon_snapshot: poll the hypervisor, bring the cache up
 *                    to date; snapshot_round (snapshot.c): each domain's
 *                    policy view, once, and whether it may be driven
 *   2. judge         daemon_judge_round: cooperation of each domain xmemd
 *                    would drive (coop.c decides, daemon.c writes the mark and
 *                    accepts what a frontend that gave up holds); coop_floor
 *                    keeps the plan above that size for a while
 *   3. free memory   apply_round_doms, apply_round_budget (apply.c): what is
 *                    free for raises and reservations; reserve_round_host and
 *                    daemon_reserve: answer the reservations, hold their memory
 *   4. plan          plan_round (plan.c): the policy's targets
 *   5. apply         daemon_apply_round: apply_plan's two phases (lowers first,
 *                    raises only from memory free now), then trim claims
 *   6. publish       publish_round (publish.c), daemon_publish
 *
 * "Driven" (xmemd sets the domain's target) has one definition,
 * policy_dom_driven(); rd->drive[i] holds it for the round, after the
 * judgement.
 */
#ifndef XMEMD_ROUND_H
#define XMEMD_ROUND_H

#include <stddef.h>
#include <stdint.h>

#include "apply.h"
#include "hv.h"
#include "policy/policy.h"
#include "publish.h"
#include "reserve.h"

/* Scratch for one rebalance, indexed like the cache's domains. */
struct round {
	size_t nr;			/* domains (the cache's) */
	uint64_t now_ms;		/* monotonic (evloop_now_ms) */
	uint64_t unix_ms;		/* wall clock, for what is published */
	const struct hv_dominfo **info; /* per domain: its hypervisor record */
	struct policy_dom *pdoms;	/* per domain: the policy's view */
	struct policy_out *outs;	/* per domain: the plan */
	struct apply_dom *adoms;	/* per domain: what applying needs */
	struct apply_action *acts;	/* 2 * nr */
	size_t nr_acts;
	struct reserve_action *racts; /* per reservation */
	struct publish_dom *pubs;     /* per domain */
	int *drive;		      /* policy_dom_driven(), after the judgement */
	int *held;		      /* growth covered by a reservation's hold */
	/* Host figures, filled by the steps in turn. */
	uint64_t floor_kib;    /* configured floor + the maxmem slack of following balloons */
	uint64_t promised_kib; /* growth the domains may still take by themselves */
	uint64_t base_kib;     /* free - claims - floor - promised */
	uint64_t held_kib;     /* what the reservations hold */
	uint64_t short_kib;    /* of that, taken by others since: the plan frees it */
	struct policy_host host;
	size_t nr_granted, nr_pending;
};

/*
 * Allocate rd's scratch for nr domains and nr_res reservations, zeroed.
 * 0 or XMEM_ERR_NOMEM (rd is then still safe to round_free).
 */
int round_alloc(struct round *rd, size_t nr, size_t nr_res);

/* Free rd's scratch. */
void round_free(struct round *rd);

#endif
