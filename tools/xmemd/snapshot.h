/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * snapshot.h: the policy's view of the host, built from the cache and the
 * hypervisor's page counts.
 *
 * Defaults follow docs/architecture.md ("Who manages a domain"): a domain is
 * driven only when memory/managed is 1 and memory/target exists; missing
 * dynamic-min/-max default to the target, startup to the target, weight to
 * 5000, buffer to the policy's default. A domain whose bounds are out of
 * order is left alone (state "unmanaged") instead of failing the whole plan.
 * A balloon frontend is known by control/feature-balloon = 1 or a
 * data/balloon report. Demand signals are handed to the policy in allocation
 * terms: the guest's used and committed memory plus what its allocation holds
 * beyond MemTotal (current - data/meminfo_total: the kernel's own memory,
 * which no balloon can give back).
 */
#ifndef XMEMD_SNAPSHOT_H
#define XMEMD_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "cache.h"
#include "hv.h"
#include "policy/policy.h"
#include "xenstore-schema/xs_schema.h"

/* Per-domain state names published under /tool/xmemd/domain/<id>/state. */
#define SNAPSHOT_OK	       XS_XMEMD_DOM_STATE_OK
#define SNAPSHOT_BALLOONING    XS_XMEMD_DOM_STATE_BALLOONING
#define SNAPSHOT_UNCOOPERATIVE XS_XMEMD_DOM_STATE_UNCOOPERATIVE
#define SNAPSHOT_NO_BALLOON    XS_XMEMD_DOM_STATE_NO_BALLOON
#define SNAPSHOT_UNMANAGED     XS_XMEMD_DOM_STATE_UNMANAGED

/*
 * Fill pd for the domain cd whose hypervisor record is info. Returns
 * policy_dom_driven(pd): 1 when xmemd may drive it (managed with its bounds
 * in order, a balloon, cooperative as cd's last judgement says), 0 when it is
 * held fixed at its current allocation.
 */
int snapshot_dom(const struct cache_dom *cd, const struct hv_dominfo *info, struct policy_dom *pd);

struct round;

/*
 * Step 1 of a rebalance (round.h): for each of the cache's domains, find its
 * record among infos[0..nr_infos) (the cache covers the same domids; one
 * without a record is left out of the round), mark it held when a granted
 * reservation was given to it (its growth is the hold's), update its swap
 * rate at rd->now_ms and fill rd->pdoms[i] by snapshot_dom(), once;
 * rd->drive[i] is its verdict before the judgement. Pure.
 */
void snapshot_round(struct round *rd, struct cache *c, const struct hv_dominfo *infos,
		    size_t nr_infos);

/* The state name for a domain filled by snapshot_dom(). */
const char *snapshot_state(const struct cache_dom *cd, const struct policy_dom *pd);

/* Update cd's swap rate and stall rate from its counters, observed at now_ms. */
void snapshot_swap_rate(struct cache_dom *cd, uint64_t now_ms);

/*
 * Fill host: total is what domains can have (free + all allocations; Xen's
 * own memory is not the policy's to give), free and claimed from physinfo.
 */
void snapshot_host(const struct hv_physinfo *pi, const struct hv_dominfo *infos, size_t nr,
		   uint64_t floor_kib, uint64_t reserved_kib, uint64_t now_ms,
		   struct policy_host *host);

#endif
