/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * daemon.h: xmemd's state and its rebalance.
 *
 * One rebalance is a pipeline over one round structure (round.h): snapshot
 * (poll the hypervisor, bring the cache up to date, each domain's policy
 * view), judge each guest's cooperation, work out what is free and serve the
 * reservations, ask the policy for targets, apply them in two phases and
 * publish. The pure steps live in the files of their concepts; the steps that
 * write to the host (daemon_judge_round, daemon_free_memory, daemon_reserve,
 * daemon_apply_round, daemon_publish) live in daemon.c, called only from
 * daemon_rebalance().
 */
#ifndef XMEMD_DAEMON_H
#define XMEMD_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>

#include "cache.h"
#include "conf.h"
#include "evloop.h"
#include "coop.h"
#include "hv.h"
#include "policy/policy.h"
#include "publish.h"
#include "vmstate.h"
#include "xenstore-schema/xs_schema.h"

#define DAEMON_WATCH_DOMAINS	  XS_LOCAL_DOMAINS
#define DAEMON_TOKEN_DOMAINS	  "xmemd-dom"
#define DAEMON_TOKEN_RESERVE	  "xmemd-res"
#define DAEMON_TOKEN_INTRODUCE	  "xmemd-intro"
#define DAEMON_TOKEN_RELEASE	  "xmemd-release"
#define DAEMON_MIN_INTERVAL_MS	  20	/* at most one event-driven rebalance per this */
#define DAEMON_REPORT_INTERVAL_MS 250	/* ... and per this when only demand reports came */
#define DAEMON_REFUSED_HOLD_MS	  60000 /* a size a frontend gave up at is its floor this long */

struct daemon {
	struct conf cfg;
	struct policy pol;
	struct coop_params coop;
	struct xs_handle *xs;
	struct hv *hv;
	struct cache cache;
	struct publish pub;
	struct vmstate vms; /* each VM's saved policy (vmstate.h) */
	/*
	 * What came since the last rebalance (enum cache_event): a change of
	 * targets, bounds, balloons or domains is answered within
	 * DAEMON_MIN_INTERVAL_MS; guests' demand reports, which every guest
	 * writes every period, are gathered for DAEMON_REPORT_INTERVAL_MS.
	 */
	enum cache_event need_rebalance;
	uint64_t last_rebalance_ms;
	uint64_t rebalances;
	uint64_t waiting_kib;
	/* Scratch, grown as the host grows. */
	struct hv_dominfo *infos;
	size_t cap_infos, nr_infos;
	struct policy_scratch *plan_scratch; /* the plans' (policy_plan_with) */
};

/*
 * Set up d from cfg and pol with open handles (taken over: freed by
 * daemon_free). Registers the watches. 0 or a negative XMEM_ERR_*.
 */
int daemon_init(struct daemon *d, const struct conf *cfg, const struct policy *pol,
		struct xs_handle *xs, struct hv *hv);
void daemon_free(struct daemon *d);

/* xmemd is stopping: undo the balloon probes that run (their domains as they were). */
void daemon_stop(struct daemon *d);

/* Drain the watch fd; raises need_rebalance to what the events mean. 0, or XMEM_ERR_IO when the store is gone. */
int daemon_watch_events(struct daemon *d);

/*
 * One rebalance (see above). 0, XMEM_ERR_NOHOST when the key tree or the
 * hypervisor connection is gone (the daemon should exit and be restarted),
 * or another negative XMEM_ERR_* for a rebalance that could not be made.
 */
int daemon_rebalance(struct daemon *d);

#endif
