/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * movelog.h: one info line per rebalance that moved memory, none otherwise.
 *
 *   moved: g1 (1) 1.2G -> 2G demand; g2 (2) 3G -> 2.5G scarcity
 *
 * Each move is a domain whose target the rebalance changed, with why:
 * "demand" when it gets what its demand asks (the policy's desired size),
 * "scarcity" when less because memory is short, "reservation" when less
 * while a reservation is pending or held, "uncooperative" for a domain
 * judged not to follow its target.
 */
#ifndef XMEMD_MOVELOG_H
#define XMEMD_MOVELOG_H

#include <stddef.h>
#include <stdint.h>

#include "apply.h"
#include "cache.h"
#include "policy/policy.h"

#define MOVELOG_LINE_MAX 1024

struct movelog_move {
	uint32_t domid;
	const char *name;
	uint64_t from_kib, to_kib;
	uint64_t desired_kib; /* the policy's size with plenty of memory */
	int uncooperative;
};

/* Why m moved (see above); reserving: a reservation is pending or held. */
const char *movelog_reason(const struct movelog_move *m, int reserving);

/*
 * Format the moves into buf (cut with "and N more" when long). Returns the
 * number of moves; buf is "" when there are none.
 */
size_t movelog_format(const struct movelog_move *moves, size_t nr, int reserving, char *buf,
		      size_t len);

/*
 * After a rebalance's targets are applied: compare each domain's target
 * before (adoms) with the one in force (doms), and log the moves in one line.
 * outs is the policy's plan; all three arrays are indexed alike (nr).
 */
void movelog_rebalance(const struct cache_dom *doms, const struct apply_dom *adoms,
		       const struct policy_out *outs, size_t nr, int reserving);

#endif
