/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apply.h: turning a plan into writes, in two phases.
 *
 * Phase 1 lowers targets (memory is freed); phase 2 raises them, but only as
 * far as memory is free right now: what is free, minus the floor, the
 * reservations and the growth already promised to guests still climbing to
 * their targets. A raise that does not fit is cut to what fits (or waits);
 * the next rebalance continues once the shrinking guests have let go.
 * Raises are served by weight, highest first.
 *
 * Every domain xmemd drives gets maxmem = target + videoram + 1 MiB (xl's
 * rule, LIBXL_MAXMEM_CONSTANT), so no guest can take memory it was not given:
 * maxmem is set before the target both ways (as xl does), so a guest still
 * growing toward an old target stops at once when it is lowered.
 * Domains without a balloon frontend, unmanaged or uncooperative ones are not
 * touched by the plan. apply_plan() is pure; the caller performs the actions
 * in order.
 *
 * Growth that free memory must still cover is counted for every domain whose
 * balloon can grow, driven or not (apply_promised_kib): up to its target
 * (bounded by maxmem) while the balloon follows its target, up to maxmem when
 * it does not. So the caller caps an uncooperative guest's maxmem at what it
 * holds + 1 MiB (apply_uncoop_maxmem_kib) and counts that maxmem: a guest
 * marked while growing cannot later take memory handed to others. When it is
 * driven again, raising its maxmem back toward its target is a raise like any
 * other: it takes only what is free, and its target is cut to what it got.
 */
#ifndef XMEMD_APPLY_H
#define XMEMD_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "xenstore-schema/xs_schema.h"

#define APPLY_MAXMEM_SLACK_KIB ((unsigned int)XS_MAXMEM_SLACK_KIB) /* LIBXL_MAXMEM_CONSTANT */

/* How far a domain may still grow by itself (see apply_promised_kib). */
enum apply_grow {
	APPLY_GROW_NONE = 0, /* no balloon, or a reservation's hold covers its growth */
	APPLY_GROW_TARGET,   /* its balloon follows memory/target: up to the target */
	APPLY_GROW_MAXMEM,   /* its balloon does not (uncooperative): up to maxmem */
};

struct apply_dom {
	uint32_t domid;
	int drive; /* managed, has a balloon, cooperative: xmemd sets its target */
	enum apply_grow grow;
	unsigned int weight;
	uint64_t current_kib; /* tot_pages x 4 */
	uint64_t target_kib;  /* memory/target in force */
	uint64_t maxmem_kib;  /* max_pages x 4 as the hypervisor has it */
	uint64_t videoram_kib;
	uint64_t outstanding_kib; /* its claim: memory already set aside for its growth */
	uint64_t new_target_kib;  /* the plan's target */
	int apply;		  /* the plan says write it now */
};

enum apply_kind {
	APPLY_SET_MAXMEM = 1,
	APPLY_SET_TARGET,
};

struct apply_action {
	uint32_t domid;
	enum apply_kind kind;
	uint64_t value_kib;
	int phase; /* 1 or 2 (0: a maxmem correction with no target change) */
};

/* maxmem for a domain at target_kib. */
uint64_t apply_maxmem_kib(uint64_t target_kib, uint64_t videoram_kib);

/* maxmem for an uncooperative domain: what it holds + 1 MiB, never above its own rule. */
uint64_t apply_uncoop_maxmem_kib(uint64_t current_kib, uint64_t target_kib, uint64_t videoram_kib);

/*
 * Whether setting maxmem to cap_kib would change a domain that has have_kib.
 * The hypervisor keeps maxmem in whole pages (Xen and xmem-hvsim alike), so a
 * cap that is not page-aligned reads back a little lower: compare what it
 * would keep, or the same maxmem would be set again at every rebalance.
 */
int apply_maxmem_differs(uint64_t cap_kib, uint64_t have_kib);

/*
 * Growth already promised: how much more the domains may still take from
 * free memory by themselves, less what their claims already set aside:
 * min(target, maxmem) - current for APPLY_GROW_TARGET, maxmem - current for
 * APPLY_GROW_MAXMEM, nothing for APPLY_GROW_NONE.
 */
uint64_t apply_promised_kib(const struct apply_dom *doms, size_t nr);

/* One domain's share of apply_promised_kib(). */
uint64_t apply_dom_promised_kib(const struct apply_dom *d);

/*
 * Plan the writes for nr domains. What a driven domain may reach without new
 * memory is max(current, min(target, maxmem)) (already promised); anything
 * above that, a raise of its target or of a maxmem capped below its target,
 * comes out of free_kib. free_kib is what raises may take now (free
 * minus claimed, floor, holds and promised growth). acts must have room for
 * 2 * nr actions; *nr_acts_r receives the count. Returns the KiB of raises
 * held back for lack of free memory (0: the plan is fully applied).
 */
uint64_t apply_plan(const struct apply_dom *doms, size_t nr, uint64_t free_kib,
		    struct apply_action *acts, size_t *nr_acts_r);

struct cache;
struct hv_physinfo;
struct round;

/*
 * Part of step 3 of a rebalance (round.h): fill rd->adoms from the snapshot
 * and the judgement: a domain without a balloon, or whose growth a
 * reservation's hold covers, grows by nothing; an uncooperative managed one
 * up to its maxmem; any other (driven, or unmanaged: its balloon follows its
 * target) up to its target. Pure; the caller then caps the maxmem of those
 * growing up to it (APPLY_GROW_MAXMEM) before apply_round_budget.
 */
void apply_round_doms(struct round *rd, const struct cache *c);

/*
 * Part of step 3 of a rebalance: rd->promised_kib (apply_promised_kib),
 * rd->floor_kib (floor_kib plus the maxmem slack of every domain whose
 * balloon follows its target: a frontend may populate up to target + slack)
 * and rd->base_kib, what raises and reservations may take: free - claimed -
 * floor - promised, 0 when negative. Pure.
 */
void apply_round_budget(struct round *rd, const struct hv_physinfo *pi, uint64_t floor_kib);

#endif
