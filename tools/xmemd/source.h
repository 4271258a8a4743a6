/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * source.h: where a domain's demand comes from, and whether it is fresh.
 *
 * Guests report memory through different agents; xmemd takes the richest
 * fresh report, in this order:
 *   xmem-guestd          data/xmem/{used,committed}_kib with PSI and swap
 *                        (xmem-guestd, or a simulated guest playing it);
 *                        a report every second, and data/xmem/seq at least
 *                        every 20 s (its heartbeat).
 *   xe-guest-utilities   data/meminfo_total (MemTotal) and data/meminfo_free
 *                        (MemAvailable), KiB, from XenServer's Linux agent
 *                        (memory every 120 s, data/updated every 60 s) or the
 *                        Windows PV agents (about every 60 s). Counted only
 *                        where data/updated says an agent writes them or no
 *                        xmem-guestd report exists (xmem-guestd writes the
 *                        same two keys, with MemFree). used = total - free,
 *                        plus what the allocation held beyond MemTotal when
 *                        the report changed (allocation terms).
 *   qubes                memory/meminfo from Qubes' meminfo-writer: used
 *                        memory already in allocation terms (a decimal), or
 *                        the older writer's /proc/meminfo block (MemTotal -
 *                        MemFree - Buffers - Cached + SwapTotal - SwapFree).
 *   none                 nothing fresh: the policy keeps the startup size.
 * Each report's age is the time since xmemd saw it change (a report is
 * rewritten only when it changed; data/updated holds the guest's local time
 * in a zone xmemd does not know, so only its changes count). A report is
 * stale, and not used, after SOURCE_STALE_PERIODS of its source's period:
 * 60 s for xmem-guestd (its heartbeat; longer when the gap between its last
 * two reports was longer: a reporter with a period over 20 s beats every
 * period), 360 s for the XenServer agent.
 * Qubes' writer has no heartbeat (it writes only on moves over 30 MB), so
 * its report does not go stale by age, as qmemman trusts it.
 *
 * The policy is told how coarse the source is (demand_period_s,
 * demand_step_kib) and gives a coarse one more buffer (policy_buffer_kib);
 * and that the XenServer and Qubes agents report no stall (blind), so a
 * guest of theirs that is full counts as under pressure.
 * Everything here is pure but for cache.c filling struct source_raw.
 */
#ifndef XMEMD_SOURCE_H
#define XMEMD_SOURCE_H

#include <stdint.h>

#include "policy/policy.h"

/* In order of richness: a larger value is preferred. */
enum source_kind {
	SOURCE_NONE = 0,
	SOURCE_QUBES,
	SOURCE_XE,
	SOURCE_GUESTD,
};

#define SOURCE_GUESTD_PERIOD_S 20u    /* xmem-guestd's heartbeat (REPORT_HEARTBEAT_CALLS x 1 s) */
#define SOURCE_XE_PERIOD_S     120u   /* the XenServer agent's memory, every second 60 s pass */
#define SOURCE_QUBES_STEP_KIB  30000u /* meminfo-writer writes moves over this */
#define SOURCE_STALE_PERIODS   3u
#define SOURCE_UPDATED_LEN     64

/* What the key tree held at the last read (cache.c). */
struct source_raw {
	int has_guestd; /* data/xmem/used_kib or committed_kib */
	uint64_t guestd_seq, guestd_used_kib, guestd_committed_kib;
	int has_meminfo; /* data/meminfo_total and data/meminfo_free */
	uint64_t meminfo_total_kib, meminfo_free_kib;
	int has_updated; /* data/updated */
	char updated[SOURCE_UPDATED_LEN];
	int has_qubes; /* memory/meminfo, parsed */
	uint64_t qubes_used_kib;
};

/* Per domain: the raw values and what xmemd made of them. */
struct source_state {
	struct source_raw raw;		     /* filled by cache.c */
	struct source_raw seen;		     /* raw as of the last source_observe() */
	int observed;			     /* seen is valid */
	uint64_t guestd_ms, xe_ms, qubes_ms; /* when each last changed (0: never) */
	uint64_t guestd_gap_ms;		     /* the last gap between two xmem-guestd changes */
	uint64_t xe_alloc_kib;		     /* the allocation when the xe report changed */
	enum source_kind kind;		     /* in use after the last source_judge() */
	uint64_t since_ms;		     /* when the report in use last changed */
};

const char *source_name(enum source_kind kind);

/*
 * Parse Qubes' memory/meminfo: a decimal (KiB) or the older /proc/meminfo
 * block. 0 with *used_kib_r, or XMEM_ERR_INVAL.
 */
int source_parse_qubes(const char *text, uint64_t *used_kib_r);

/* Note at now_ms (monotonic) which reports changed since the last call; current_kib: allocation. */
void source_observe(struct source_state *s, uint64_t current_kib, uint64_t now_ms);

/* The richest fresh source at now_ms (after source_observe). */
enum source_kind source_pick(const struct source_state *s, uint64_t now_ms);

/*
 * Observe, pick, and hand the picked source's demand to the policy: pd's
 * demand fields (has_demand, used, committed, pressure, swap, period, step)
 * are set from it; for xmem-guestd what snapshot_dom() filled is kept. A
 * stale or missing report clears them (the policy keeps the startup size).
 * Returns the source in use.
 */
enum source_kind source_judge(struct source_state *s, uint64_t current_kib, uint64_t now_ms,
			      struct policy_dom *pd);

#endif
