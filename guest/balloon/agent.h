/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * agent.h: which guest agent a simulated guest plays, and what that agent
 * writes into the key tree, when, and in which units.
 *
 * A real host runs guests with different agents, or none; xmemd must read
 * each of them (tools/xmemd/source.c). xmem-balloon plays one:
 *   xmem                xmem-guestd: data/meminfo_{total,free}, the data/xmem keys
 *                       and the frontend's data/balloon keys every period (1 s),
 *                       only changed values, with data/xmem/seq.
 *   xe-guest-utilities  XenServer/XCP-ng's Linux agent (xe-daemon): a pass
 *                       every 60 s (its -i); memory on every second pass
 *                       (so every 120 s): data/meminfo_total = MemTotal and
 *                       data/meminfo_free = MemAvailable, in KiB, only when
 *                       changed; after each pass data/updated = the local
 *                       time ("Mon Jan _2 15:04:05 2006" in Go's layout);
 *                       control/feature-balloon = 1 each pass, which libxl's
 *                       permissions refuse (the agent logs it and goes on).
 *   qubes               Qubes' meminfo-writer: used = allocation - MemFree -
 *                       Buffers - Cached + swap used, in KiB, written to
 *                       memory/meminfo when it moved by more than 30000 KiB
 *                       since the last write (15000 KiB when growing and
 *                       used x 1.3 exceeds the allocation), and the first
 *                       time. It polls every 100 ms; the simulated guest's
 *                       memory changes once a period, so it is checked each
 *                       period. Where the toolstack did not make
 *                       memory/meminfo writable (only Qubes does) the write
 *                       fails and the writer stops, as the real one exits.
 *   none                nothing: Linux's xen-balloon driver alone follows
 *                       memory/target and writes no key.
 * The simulated memory model has no separate Buffers/Cached: its page cache
 * is MemAvailable - MemFree, so Qubes' used is allocation - MemAvailable +
 * swap used.
 *
 * agent_tick() is pure (no I/O): given the sample of this period it says
 * which keys to write now; main.c writes them.
 */
#ifndef XMEM_BALLOON_AGENT_H
#define XMEM_BALLOON_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../agent/report.h"

enum agent_kind {
	AGENT_XMEM = 0,
	AGENT_XE,
	AGENT_QUBES,
	AGENT_NONE,
};

#define AGENT_XE_PERIOD_MS	  60000u /* xe-daemon's default -i 60 */
#define AGENT_XE_MEMORY_EVERY	  2u	 /* memory collected on every second pass */
#define AGENT_QUBES_THRESHOLD_KIB 30000u /* meminfo-writer's first argument in Qubes */
#define AGENT_UPDATED_LEN	  32
#define AGENT_PERIOD_MS_MAX	  3600000u /* an hour */

struct agent {
	enum agent_kind kind;
	uint64_t period_ms;	   /* xe: between passes; others: unused */
	unsigned int memory_every; /* xe: memory on every Nth pass (AGENT_XE_MEMORY_EVERY) */
	uint64_t next_pass_ms;	   /* xe: when the next pass runs */
	unsigned long passes;	   /* xe: passes so far */
	uint64_t qubes_prev_kib;   /* qubes: the last used value written (0: none yet) */
	int stopped;		   /* qubes: its write failed: the writer is gone */
};

/* Parse an agent name (xmem, xe-guest-utilities, qubes, none). 0 or XMEM_ERR_INVAL. */
int agent_parse(const char *name, enum agent_kind *kind_r);
const char *agent_name(enum agent_kind kind);

/* Start an agent of kind; period_ms 0 means its own default. */
void agent_init(struct agent *a, enum agent_kind kind, uint64_t period_ms);

/*
 * xe-guest-utilities' pass interval in real milliseconds when the guest's
 * workload runs time_scale times faster than real time: its 60 s pass is
 * 60 s of guest time, as the workload's samples are. Never shorter than the
 * guest's own period tick_ms (the agent runs at most once a period), never
 * longer than an hour.
 */
uint64_t agent_xe_period_ms(double time_scale, uint64_t tick_ms);

/*
 * With that pass interval (period_ms, from agent_xe_period_ms), on every how
 * many passes xe-guest-utilities collects memory so that it does every 120 s
 * of guest time (every second 60 s pass), as near as the passes allow: 2
 * unscaled, 1 when a pass is already 120 s of guest time or more.
 */
unsigned int agent_xe_memory_every(double time_scale, uint64_t period_ms);

/*
 * What the agent writes at now_ms (monotonic), given this period's sample s,
 * the frontend's progress rb (NULL before it has a target), the allocation
 * alloc_kib and the wall clock now (for data/updated). Fills kvs with at
 * most max pairs and returns their number (0: nothing this time). Sets
 * *feature_r to 1 when the agent also tries control/feature-balloon now.
 */
size_t agent_tick(struct agent *a, uint64_t now_ms, const struct report_sample *s,
		  const struct report_balloon *rb, uint64_t alloc_kib, time_t now,
		  struct report_kv *kvs, size_t max, int *feature_r);

/* Qubes' used memory of a sample at allocation alloc_kib (0 when unknown). */
uint64_t agent_qubes_used_kib(const struct report_sample *s, uint64_t alloc_kib);

#endif
