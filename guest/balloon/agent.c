/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * agent.c: see agent.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem_err.h"

static const char *const agent_names[] = {
	[AGENT_XMEM] = "xmem",
	[AGENT_XE] = "xe-guest-utilities",
	[AGENT_QUBES] = "qubes",
	[AGENT_NONE] = "none",
};

#define AGENT_NR_KINDS (sizeof(agent_names) / sizeof(agent_names[0]))

int agent_parse(const char *name, enum agent_kind *kind_r)
{
	size_t i;

	for (i = 0; i < AGENT_NR_KINDS; i++) {
		if (!strcmp(name, agent_names[i])) {
			*kind_r = (enum agent_kind)i;
			return 0;
		}
	}
	return XMEM_ERR_INVAL;
}

const char *agent_name(enum agent_kind kind)
{
	return (size_t)kind < AGENT_NR_KINDS ? agent_names[kind] : "?";
}

void agent_init(struct agent *a, enum agent_kind kind, uint64_t period_ms)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->period_ms = period_ms ? period_ms : AGENT_XE_PERIOD_MS;
	a->memory_every = AGENT_XE_MEMORY_EVERY;
}

uint64_t agent_xe_period_ms(double time_scale, uint64_t tick_ms)
{
	double ms = time_scale > 0 ? AGENT_XE_PERIOD_MS / time_scale : AGENT_XE_PERIOD_MS;

	if (ms > AGENT_PERIOD_MS_MAX)
		ms = AGENT_PERIOD_MS_MAX;
	return ms < (double)tick_ms ? tick_ms : (uint64_t)ms;
}

unsigned int agent_xe_memory_every(double time_scale, uint64_t period_ms)
{
	double memory_ms = (double)AGENT_XE_PERIOD_MS * AGENT_XE_MEMORY_EVERY /
			   (time_scale > 0 ? time_scale : 1.0);
	double passes = period_ms ? memory_ms / (double)period_ms : AGENT_XE_MEMORY_EVERY;

	if (passes >= AGENT_XE_MEMORY_EVERY)
		return AGENT_XE_MEMORY_EVERY;
	return passes > 1.5 ? 2 : 1;
}

/* Append one pair if there is room. */
static void agent_add(struct report_kv *kvs, size_t max, size_t *n, const char *path, uint64_t v)
{
	if (*n >= max)
		return;
	kvs[*n].path = path;
	snprintf(kvs[*n].val, sizeof(kvs[*n].val), "%" PRIu64, v);
	(*n)++;
}

uint64_t agent_qubes_used_kib(const struct report_sample *s, uint64_t alloc_kib)
{
	uint64_t avail, swap_used = 0;

	if (!report_has(s, REPORT_MEM_AVAILABLE) || !alloc_kib)
		return 0;
	avail = s->val[REPORT_MEM_AVAILABLE];
	if (report_has(s, REPORT_SWAP_TOTAL) && report_has(s, REPORT_SWAP_FREE) &&
	    s->val[REPORT_SWAP_TOTAL] > s->val[REPORT_SWAP_FREE])
		swap_used = s->val[REPORT_SWAP_TOTAL] - s->val[REPORT_SWAP_FREE];
	return (alloc_kib > avail ? alloc_kib - avail : 0) + swap_used;
}

/* meminfo-writer's rule: write the first value, and every move past the threshold. */
static int agent_qubes_due(const struct agent *a, uint64_t used, uint64_t alloc_kib)
{
	uint64_t prev = a->qubes_prev_kib, diff = used > prev ? used - prev : prev - used;

	if (!prev || diff > AGENT_QUBES_THRESHOLD_KIB)
		return 1;
	/* Nearly full and growing: half the threshold. */
	return used > prev && used / 10 * 13 > alloc_kib && diff > AGENT_QUBES_THRESHOLD_KIB / 2;
}

/* One xe-daemon pass, when due. */
static size_t agent_xe_tick(struct agent *a, uint64_t now_ms, const struct report_sample *s,
			    time_t now, struct report_kv *kvs, size_t max, int *feature_r)
{
	struct tm tm;
	size_t n = 0;

	if (a->passes && now_ms < a->next_pass_ms)
		return 0;
	a->next_pass_ms = now_ms + a->period_ms;
	*feature_r = 1;
	if (a->passes++ % (a->memory_every ? a->memory_every : 1) == 0) {
		if (report_has(s, REPORT_MEM_TOTAL))
			agent_add(kvs, max, &n, XS_DOM_MEMINFO_TOTAL, s->val[REPORT_MEM_TOTAL]);
		if (report_has(s, REPORT_MEM_AVAILABLE))
			agent_add(kvs, max, &n, XS_DOM_MEMINFO_FREE, s->val[REPORT_MEM_AVAILABLE]);
		else if (report_has(s, REPORT_MEM_FREE))
			agent_add(kvs, max, &n, XS_DOM_MEMINFO_FREE, s->val[REPORT_MEM_FREE]);
	}
	if (n < max && localtime_r(&now, &tm) &&
	    strftime(kvs[n].val, sizeof(kvs[n].val), "%a %b %e %H:%M:%S %Y", &tm)) {
		kvs[n].path = XS_DOM_UPDATED;
		n++;
	}
	return n;
}

size_t agent_tick(struct agent *a, uint64_t now_ms, const struct report_sample *s,
		  const struct report_balloon *rb, uint64_t alloc_kib, time_t now,
		  struct report_kv *kvs, size_t max, int *feature_r)
{
	uint64_t used;
	size_t n = 0;

	*feature_r = 0;
	switch (a->kind) {
	case AGENT_XMEM:
		return report_format(s, rb, kvs, max);
	case AGENT_XE:
		return agent_xe_tick(a, now_ms, s, now, kvs, max, feature_r);
	case AGENT_QUBES:
		used = agent_qubes_used_kib(s, alloc_kib);
		if (a->stopped || !used || !agent_qubes_due(a, used, alloc_kib))
			return 0;
		a->qubes_prev_kib = used;
		agent_add(kvs, max, &n, XS_DOM_QUBES_MEMINFO, used);
		return n;
	case AGENT_NONE:
	default:
		return 0;
	}
}
