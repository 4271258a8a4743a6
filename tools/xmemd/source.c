/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * source.c: see source.h.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"
#include "source.h"
#include "xmem_err.h"

static const char *const source_names[] = {
	[SOURCE_NONE] = "none",
	[SOURCE_QUBES] = "qubes",
	[SOURCE_XE] = "xe-guest-utilities",
	[SOURCE_GUESTD] = "xmem-guestd",
};

const char *source_name(enum source_kind kind)
{
	return (size_t)kind < sizeof(source_names) / sizeof(source_names[0]) ? source_names[kind]
									     : "none";
}

/* A decimal with nothing after it (but blanks), capped at SIZE_MAX_KIB. */
static int source_u64(const char *p, const char **end_r, uint64_t *v_r)
{
	unsigned long long v;
	char *end;

	if (*p < '0' || *p > '9')
		return XMEM_ERR_INVAL;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno)
		return XMEM_ERR_INVAL;
	*v_r = v > SIZE_MAX_KIB ? SIZE_MAX_KIB : v;
	*end_r = end;
	return 0;
}

/* The older writer's block: "Name: N kB" lines. */
static int source_parse_block(const char *text, uint64_t *used_kib_r)
{
	static const char *const names[] = { "MemTotal:", "MemFree:",	"Buffers:",
					     "Cached:",	  "SwapTotal:", "SwapFree:" };
	uint64_t v[6] = { 0 }, used;
	unsigned int have = 0, i;
	const char *p = text, *end;

	while (*p) {
		for (i = 0; i < 6; i++) {
			size_t n = strlen(names[i]);

			if (strncmp(p, names[i], n))
				continue;
			end = p + n;
			end += strspn(end, " ");
			if (source_u64(end, &end, &v[i]) == 0)
				have |= 1u << i;
			break;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	if (have != 0x3f)
		return XMEM_ERR_INVAL;
	used = v[0] + v[4];
	for (i = 1; i < 4; i++)
		used = used > v[i] ? used - v[i] : 0;
	used = used > v[5] ? used - v[5] : 0;
	*used_kib_r = used;
	return 0;
}

int source_parse_qubes(const char *text, uint64_t *used_kib_r)
{
	const char *end;

	if (!text || !*text)
		return XMEM_ERR_INVAL;
	if (source_u64(text, &end, used_kib_r) == 0) {
		end += strspn(end, " \n");
		return *end ? XMEM_ERR_INVAL : 0;
	}
	return source_parse_block(text, used_kib_r);
}

void source_observe(struct source_state *s, uint64_t current_kib, uint64_t now_ms)
{
	const struct source_raw *r = &s->raw, *o = &s->seen;
	int first = !s->observed;

	if (r->has_guestd && (first || !o->has_guestd || r->guestd_seq != o->guestd_seq ||
			      r->guestd_used_kib != o->guestd_used_kib ||
			      r->guestd_committed_kib != o->guestd_committed_kib)) {
		if (s->guestd_ms && now_ms > s->guestd_ms)
			s->guestd_gap_ms = now_ms - s->guestd_ms;
		s->guestd_ms = now_ms;
	}
	if (r->has_meminfo &&
	    (first || !o->has_meminfo || r->meminfo_total_kib != o->meminfo_total_kib ||
	     r->meminfo_free_kib != o->meminfo_free_kib || r->has_updated != o->has_updated ||
	     strcmp(r->updated, o->updated))) {
		s->xe_ms = now_ms;
		s->xe_alloc_kib = current_kib;
	}
	if (r->has_qubes && (first || !o->has_qubes || r->qubes_used_kib != o->qubes_used_kib))
		s->qubes_ms = now_ms;
	s->seen = *r;
	s->observed = 1;
}

/* Changed at since_ms, fresh at now_ms for a source of period_ms? */
static int source_fresh(uint64_t since_ms, uint64_t now_ms, uint64_t period_ms)
{
	uint64_t stale_ms = period_ms * SOURCE_STALE_PERIODS;

	return since_ms && (now_ms < since_ms || now_ms - since_ms <= stale_ms);
}

enum source_kind source_pick(const struct source_state *s, uint64_t now_ms)
{
	const struct source_raw *r = &s->raw;
	uint64_t guestd_ms = (uint64_t)SOURCE_GUESTD_PERIOD_S * 1000;

	if (s->guestd_gap_ms > guestd_ms)
		guestd_ms = s->guestd_gap_ms;
	if (r->has_guestd && source_fresh(s->guestd_ms, now_ms, guestd_ms))
		return SOURCE_GUESTD;
	/* xmem-guestd's own meminfo keys (MemFree, not MemAvailable) are not an agent's. */
	if (r->has_meminfo && (r->has_updated || !r->has_guestd) &&
	    r->meminfo_total_kib >= r->meminfo_free_kib &&
	    source_fresh(s->xe_ms, now_ms, (uint64_t)SOURCE_XE_PERIOD_S * 1000))
		return SOURCE_XE;
	if (r->has_qubes && s->qubes_ms)
		return SOURCE_QUBES;
	return SOURCE_NONE;
}

/* Clear pd's demand signals. */
static void source_clear(struct policy_dom *pd)
{
	pd->has_demand = 0;
	pd->used_kib = pd->committed_kib = 0;
	pd->psi_some_x100 = pd->psi_full_x100 = 0;
	pd->swap_kib_s = 0;
	pd->demand_period_s = 0;
	pd->demand_step_kib = 0;
	pd->blind = 0;
}

enum source_kind source_judge(struct source_state *s, uint64_t current_kib, uint64_t now_ms,
			      struct policy_dom *pd)
{
	const struct source_raw *r = &s->raw;
	uint64_t used;

	source_observe(s, current_kib, now_ms);
	s->kind = source_pick(s, now_ms);
	switch (s->kind) {
	case SOURCE_GUESTD:
		s->since_ms = s->guestd_ms;
		pd->demand_period_s = 1;
		pd->demand_step_kib = 0;
		break; /* snapshot_dom() filled the signals */
	case SOURCE_XE:
		s->since_ms = s->xe_ms;
		source_clear(pd);
		used = r->meminfo_total_kib - r->meminfo_free_kib;
		if (s->xe_alloc_kib > r->meminfo_total_kib)
			used += s->xe_alloc_kib - r->meminfo_total_kib;
		pd->has_demand = 1;
		pd->used_kib = used;
		pd->demand_period_s = SOURCE_XE_PERIOD_S;
		pd->blind = 1;
		break;
	case SOURCE_QUBES:
		s->since_ms = s->qubes_ms;
		source_clear(pd);
		pd->has_demand = 1;
		pd->used_kib = r->qubes_used_kib;
		pd->demand_step_kib = SOURCE_QUBES_STEP_KIB;
		pd->blind = 1;
		break;
	case SOURCE_NONE:
	default:
		s->since_ms = 0;
		source_clear(pd);
		break;
	}
	return s->kind;
}
