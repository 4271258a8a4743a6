/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cache.c: see cache.h.
 *
 * One watch on /local/domain covers every domain; events are filtered by the
 * part of the domain's subtree they touch, so device and console churn does
 * not wake the planner. Reservations have their own watch.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "hv.h"
#include "keytree.h"
#include "size.h"
#include "log.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem_err.h"

#define CACHE_DOM_PREFIX XS_LOCAL_DOMAINS "/"
#define CACHE_PATH_MAX	 256

void cache_init(struct cache *c, struct xs_handle *xs)
{
	memset(c, 0, sizeof(*c));
	c->xs = xs;
	c->res_dirty = 1;
}

void cache_free(struct cache *c)
{
	free(c->doms);
	free(c->res);
	c->doms = NULL;
	c->res = NULL;
	c->nr_doms = c->cap_doms = c->nr_res = 0;
}

int cache_parse_u64(const char *s, uint64_t *val_r)
{
	return keytree_parse_u64(s, val_r);
}

/* Index of the first entry with domid >= domid. */
static size_t cache_lower_bound(const struct cache *c, uint32_t domid)
{
	size_t lo = 0, hi = c->nr_doms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->doms[mid].domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct cache_dom *cache_find(struct cache *c, uint32_t domid)
{
	size_t i = cache_lower_bound(c, domid);

	if (i < c->nr_doms && c->doms[i].domid == domid)
		return &c->doms[i];
	return NULL;
}

void cache_mark_all(struct cache *c)
{
	size_t i;

	for (i = 0; i < c->nr_doms; i++)
		c->doms[i].dirty = 1;
	c->res_dirty = 1;
}

/* What a change of rel (a path relative to a domain's directory) means to xmemd. */
static enum cache_event cache_rel_event(const char *rel)
{
	static const struct {
		const char *prefix;
		enum cache_event ev;
	} rels[] = {
		{ XS_DOM_QUBES_MEMINFO, CACHE_EV_REPORT },
		{ XS_DOM_MEMINFO_TOTAL, CACHE_EV_REPORT },
		{ XS_DOM_MEMINFO_FREE, CACHE_EV_REPORT },
		{ XS_DOM_UPDATED, CACHE_EV_REPORT },
		{ XS_DOM_MEMORY, CACHE_EV_CHANGE },
		{ XS_DOM_XMEM_REPORT, CACHE_EV_REPORT },
		{ XS_DOM_BALLOON_REPORT, CACHE_EV_CHANGE },
		{ XS_DOM_NAME, CACHE_EV_CHANGE },
		{ XS_DOM_FEATURE_BALLOON, CACHE_EV_CHANGE },
	};
	size_t i;

	if (!*rel)
		return CACHE_EV_CHANGE; /* the domain's directory itself (created or removed) */
	for (i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
		size_t n = strlen(rels[i].prefix);

		if (!strncmp(rel, rels[i].prefix, n) && (rel[n] == '\0' || rel[n] == '/'))
			return rels[i].ev;
	}
	return CACHE_EV_NOISE;
}

enum cache_event cache_watch_event(struct cache *c, const char *path)
{
	size_t n = strlen(XS_XMEMD_RESERVATIONS);
	const char *p;
	char *end;
	unsigned long domid;
	struct cache_dom *d;
	enum cache_event ev;

	if (!strncmp(path, XS_XMEMD_RESERVATIONS, n) && (path[n] == '\0' || path[n] == '/')) {
		c->res_dirty = 1;
		return CACHE_EV_CHANGE;
	}
	if (path[0] == '@')
		return CACHE_EV_CHANGE; /* @introduceDomain, @releaseDomain: the hypervisor poll follows */
	n = strlen(CACHE_DOM_PREFIX);
	if (strncmp(path, CACHE_DOM_PREFIX, n)) {
		if (!strcmp(path, XS_LOCAL_DOMAINS)) {
			cache_mark_all(c); /* the watch's first firing, or the whole tree went */
			return CACHE_EV_CHANGE;
		}
		return CACHE_EV_NOISE;
	}
	p = path + n;
	if (*p < '0' || *p > '9')
		return CACHE_EV_NOISE;
	errno = 0;
	domid = strtoul(p, &end, 10);
	if (errno || (*end != '\0' && *end != '/') || domid > UINT32_MAX)
		return CACHE_EV_NOISE;
	if (*end == '/')
		end++;
	ev = cache_rel_event(end);
	if (ev == CACHE_EV_NOISE)
		return ev;
	d = cache_find(c, (uint32_t)domid);
	if (d)
		d->dirty = 1;
	return ev;
}

int cache_sync_domains(struct cache *c, const uint32_t *domids, size_t nr)
{
	size_t i, j;

	for (i = 0; i < c->nr_doms; i++)
		c->doms[i].seen = 0;
	for (i = 0; i < nr; i++) {
		size_t at = cache_lower_bound(c, domids[i]);
		struct cache_dom *d;

		if (at < c->nr_doms && c->doms[at].domid == domids[i]) {
			c->doms[at].seen = 1;
			continue;
		}
		if (c->nr_doms == c->cap_doms) {
			size_t cap = c->cap_doms ? c->cap_doms * 2 : 16;
			struct cache_dom *nd = realloc(c->doms, cap * sizeof(*nd));

			if (!nd)
				return XMEM_ERR_NOMEM;
			c->doms = nd;
			c->cap_doms = cap;
		}
		memmove(&c->doms[at + 1], &c->doms[at], (c->nr_doms - at) * sizeof(*d));
		d = &c->doms[at];
		memset(d, 0, sizeof(*d));
		d->domid = domids[i];
		d->dirty = 1;
		d->seen = 1;
		d->weight = POLICY_WEIGHT_DEFAULT;
		d->uncoop_published = -1;
		c->nr_doms++;
	}
	for (i = 0, j = 0; i < c->nr_doms; i++) {
		if (!c->doms[i].seen)
			continue;
		if (i != j)
			c->doms[j] = c->doms[i];
		j++;
	}
	c->nr_doms = j;
	return 0;
}

/* Read one key; NULL when absent. The caller frees. */
static char *cache_read(struct cache *c, const char *path)
{
	unsigned int len;
	char *v;

	c->nr_reads++;
	v = xs_read(c->xs, XBT_NULL, path, &len);
	return v;
}

/*
 * Read domain key rel as a u64 into *val_r; returns 1 when present and valid.
 * Values are capped at SIZE_MAX_KIB: a guest writing 2^64 - 1 must not make
 * the arithmetic downstream (demand x buffer, rates) overflow.
 */
static int cache_read_dom_u64(struct cache *c, uint32_t domid, const char *rel, uint64_t *val_r)
{
	char path[CACHE_PATH_MAX];

	snprintf(path, sizeof(path), CACHE_DOM_PREFIX "%u/%s", domid, rel);
	c->nr_reads++;
	return keytree_read_kib(c->xs, XBT_NULL, path, val_r) == 0;
}

/* Parse a frontend state report. */
static enum policy_balloon cache_parse_balloon(const char *s)
{
	static const char *const names[] = { XS_DOM_BALLOON_STATE_DONE,
					     XS_DOM_BALLOON_STATE_WORKING,
					     XS_DOM_BALLOON_STATE_BACKOFF,
					     XS_DOM_BALLOON_STATE_GAVE_UP };
	static const enum policy_balloon states[] = { POLICY_BALLOON_DONE, POLICY_BALLOON_WORKING,
						      POLICY_BALLOON_BACKOFF,
						      POLICY_BALLOON_GAVE_UP };
	size_t i;

	if (keytree_parse_enum(s, names, sizeof(names) / sizeof(names[0]), &i))
		return POLICY_BALLOON_UNKNOWN;
	return states[i];
}

/* memory/balloon of d and, on the first read, an earlier xmemd's verdict (detect.h). */
static void cache_read_balloon(struct cache *c, struct cache_dom *d)
{
	char path[CACHE_PATH_MAX];
	char *s;

	snprintf(path, sizeof(path), CACHE_DOM_PREFIX "%u/%s", d->domid, XS_DOM_BALLOON_MODE);
	s = cache_read(c, path);
	d->balloon_mode = detect_parse_mode(s);
	free(s);
	if (d->bdetect.judged)
		return;
	snprintf(path, sizeof(path), XS_XMEMD_DOM_BALLOON, d->domid);
	s = cache_read(c, path);
	detect_restore(&d->bdetect, s);
	free(s);
	snprintf(path, sizeof(path), XS_XMEMD_DOM_PROBE, d->domid);
	s = cache_read(c, path);
	detect_restore_probe(&d->bdetect, s); /* malformed: only removed */
	free(s);
}

/* Read every agent's demand report of d into d->src.raw (source.h). */
static void cache_read_source(struct cache *c, struct cache_dom *d)
{
	struct source_raw *r = &d->src.raw;
	char path[CACHE_PATH_MAX];
	uint64_t free_kib = 0;
	char *s;

	memset(r, 0, sizeof(*r));
	r->has_guestd = d->has_report;
	r->guestd_used_kib = d->used_kib;
	r->guestd_committed_kib = d->committed_kib;
	cache_read_dom_u64(c, d->domid, XS_DOM_REPORT_SEQ, &r->guestd_seq);
	r->meminfo_total_kib = d->meminfo_total_kib;
	r->has_meminfo = d->meminfo_total_kib &&
			 cache_read_dom_u64(c, d->domid, XS_DOM_MEMINFO_FREE, &free_kib);
	r->meminfo_free_kib = free_kib;
	snprintf(path, sizeof(path), CACHE_DOM_PREFIX "%u/%s", d->domid, XS_DOM_UPDATED);
	s = cache_read(c, path);
	r->has_updated = s != NULL;
	snprintf(r->updated, sizeof(r->updated), "%s", s ? s : "");
	free(s);
	snprintf(path, sizeof(path), CACHE_DOM_PREFIX "%u/%s", d->domid, XS_DOM_QUBES_MEMINFO);
	s = cache_read(c, path);
	r->has_qubes = s && source_parse_qubes(s, &r->qubes_used_kib) == 0;
	free(s);
}

/* d's policy-request, then its target, sizes and policy keys. */
static void cache_read_policy(struct cache *c, struct cache_dom *d)
{
	char path[CACHE_PATH_MAX];
	uint64_t v = 0;
	char *s;

	/*
	 * The request first: `xmem mem-policy` writes it in the transaction
	 * that writes the policy, so every key read after it is at least that
	 * new, and a save never writes the policy from before the request.
	 */
	snprintf(path, sizeof(path), CACHE_DOM_PREFIX "%u/%s", d->domid, XS_DOM_POLICY_REQUEST);
	s = cache_read(c, path);
	snprintf(d->policy_request, sizeof(d->policy_request), "%s", s ? s : "");
	free(s);
	d->has_target = cache_read_dom_u64(c, d->domid, XS_DOM_TARGET, &d->target_kib);
	if (!d->has_target)
		d->target_kib = 0;
	d->has_static_max = cache_read_dom_u64(c, d->domid, XS_DOM_STATIC_MAX, &d->static_max_kib);
	d->has_min = cache_read_dom_u64(c, d->domid, XS_DOM_DYNAMIC_MIN, &d->min_kib);
	d->has_max = cache_read_dom_u64(c, d->domid, XS_DOM_DYNAMIC_MAX, &d->max_kib);
	d->has_startup = cache_read_dom_u64(c, d->domid, XS_DOM_STARTUP, &d->startup_kib);
	d->videoram_kib = 0;
	cache_read_dom_u64(c, d->domid, XS_DOM_VIDEORAM, &d->videoram_kib);
	d->weight = POLICY_WEIGHT_DEFAULT;
	if (cache_read_dom_u64(c, d->domid, XS_DOM_WEIGHT, &v))
		d->weight = v > POLICY_WEIGHT_MAX ? POLICY_WEIGHT_MAX : (unsigned int)v;
	d->buffer_pct = 0;
	if (cache_read_dom_u64(c, d->domid, XS_DOM_BUFFER, &v)) {
		if (v < POLICY_BUFFER_MIN_PCT)
			v = POLICY_BUFFER_MIN_PCT;
		if (v > POLICY_BUFFER_MAX_PCT)
			v = POLICY_BUFFER_MAX_PCT;
		d->buffer_pct = (unsigned int)v;
	}
	d->managed = cache_read_dom_u64(c, d->domid, XS_DOM_MANAGED, &v) && v == 1;
	d->feature_balloon = cache_read_dom_u64(c, d->domid, XS_DOM_FEATURE_BALLOON, &v) && v == 1;
}

/* d's memory report: used and committed, available, meminfo total, swap and PSI. */
static void cache_read_report(struct cache *c, struct cache_dom *d)
{
	uint64_t v = 0, used = 0, committed = 0;
	int has_used, has_committed;

	has_used = cache_read_dom_u64(c, d->domid, XS_DOM_MEM_USED, &used);
	has_committed = cache_read_dom_u64(c, d->domid, XS_DOM_MEM_COMMITTED, &committed);
	d->has_report = has_used || has_committed;
	d->used_kib = has_used ? used : 0;
	d->committed_kib = has_committed ? committed : 0;
	d->available_kib = 0;
	cache_read_dom_u64(c, d->domid, XS_DOM_MEM_AVAILABLE, &d->available_kib);
	d->meminfo_total_kib = 0;
	cache_read_dom_u64(c, d->domid, XS_DOM_MEMINFO_TOTAL, &d->meminfo_total_kib);
	d->pswpin = d->pswpout = 0;
	cache_read_dom_u64(c, d->domid, XS_DOM_PSWPIN, &d->pswpin);
	cache_read_dom_u64(c, d->domid, XS_DOM_PSWPOUT, &d->pswpout);
	v = 0;
	cache_read_dom_u64(c, d->domid, XS_DOM_PSI_SOME, &v);
	d->psi_some_x100 = v > 10000 ? 10000 : (unsigned int)v;
	d->psi_some_total_us = 0;
	cache_read_dom_u64(c, d->domid, XS_DOM_PSI_SOME_TOTAL, &d->psi_some_total_us);
	v = 0;
	cache_read_dom_u64(c, d->domid, XS_DOM_PSI_FULL, &v);
	d->psi_full_x100 = v > 10000 ? 10000 : (unsigned int)v;
}

/* Re-read every key of d, in this order (cache_read_policy says why it goes first). */
static void cache_read_dom(struct cache *c, struct cache_dom *d)
{
	char path[CACHE_PATH_MAX];
	char *s;

	cache_read_policy(c, d);
	cache_read_balloon(c, d);

	snprintf(path, sizeof(path), CACHE_DOM_PREFIX "%u/%s", d->domid, XS_DOM_UNCOOPERATIVE);
	s = cache_read(c, path);
	d->uncoop_key = s != NULL;
	free(s);
	if (d->uncoop_published < 0)
		d->uncoop_published = d->uncoop_key;

	snprintf(path, sizeof(path), CACHE_DOM_PREFIX "%u/%s", d->domid, XS_DOM_NAME);
	s = cache_read(c, path);
	snprintf(d->name, sizeof(d->name), "%s", s ? s : "");
	free(s);

	cache_read_report(c, d);

	snprintf(path, sizeof(path), CACHE_DOM_PREFIX "%u/%s", d->domid, XS_DOM_BALLOON_STATE);
	s = cache_read(c, path);
	d->has_balloon_report = s != NULL;
	d->balloon = s ? cache_parse_balloon(s) : POLICY_BALLOON_UNKNOWN;
	free(s);

	snprintf(path, sizeof(path), CACHE_DOM_PREFIX "%u/%s", d->domid, XS_DOM_POLICY_SOURCE);
	s = cache_read(c, path);
	d->has_policy_source = s != NULL;
	free(s);
	cache_read_source(c, d);
}

/* Compare reservations by id. */
static int cache_res_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cache_res *)a)->id, ((const struct cache_res *)b)->id);
}

/* Read reservation r->id's keys. */
static void cache_read_res(struct cache *c, struct cache_res *r)
{
	char path[CACHE_PATH_MAX];
	uint64_t v;
	char *s;

	snprintf(path, sizeof(path), XS_XMEMD_RES_SIZE, r->id);
	s = cache_read(c, path);
	r->has_size = s && cache_parse_u64(s, &r->size_kib) == 0 && r->size_kib > 0;
	free(s);
	snprintf(path, sizeof(path), XS_XMEMD_RES_EXPIRES, r->id);
	s = cache_read(c, path);
	r->expires_s = (s && cache_parse_u64(s, &v) == 0 && v < INT64_MAX) ? (int64_t)v : 0;
	free(s);
	snprintf(path, sizeof(path), XS_XMEMD_RES_STATE, r->id);
	s = cache_read(c, path);
	r->state = CACHE_RES_UNKNOWN;
	if (s && !strcmp(s, XS_XMEMD_RES_STATE_PENDING))
		r->state = CACHE_RES_PENDING;
	else if (s && !strcmp(s, XS_XMEMD_RES_STATE_GRANTED))
		r->state = CACHE_RES_GRANTED;
	else if (s && !strcmp(s, "failed"))
		r->state = CACHE_RES_FAILED;
	free(s);
	snprintf(path, sizeof(path), XS_XMEMD_RES_GRANTED, r->id);
	s = cache_read(c, path);
	r->granted_kib = 0;
	if (s && cache_parse_u64(s, &v) == 0)
		r->granted_kib = v;
	free(s);
	snprintf(path, sizeof(path), XS_XMEMD_RES_DOMID, r->id);
	s = cache_read(c, path);
	r->has_domid = s && cache_parse_u64(s, &v) == 0 && v < HV_DOMID_FIRST_RESERVED;
	r->domid = r->has_domid ? (uint32_t)v : 0;
	free(s);
}

/* Is id a reservation name the protocol allows ([A-Za-z0-9_-], bounded)? */
static int cache_res_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (!n || n >= CACHE_RES_ID_MAX)
		return 0;
	return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* Re-read the reservation list and every reservation. */
static void cache_read_reservations(struct cache *c)
{
	unsigned int nr = 0, i;
	char **ids;
	size_t n = 0;

	c->nr_reads++;
	ids = xs_directory(c->xs, XBT_NULL, XS_XMEMD_RESERVATIONS, &nr);
	if (!c->res && !(c->res = calloc(CACHE_RES_MAX, sizeof(*c->res)))) {
		free(ids);
		return; /* stay dirty: try again next time */
	}
	for (i = 0; ids && i < nr && n < CACHE_RES_MAX; i++) {
		if (!cache_res_id_ok(ids[i]))
			continue;
		memset(&c->res[n], 0, sizeof(c->res[n]));
		snprintf(c->res[n].id, sizeof(c->res[n].id), "%s", ids[i]);
		cache_read_res(c, &c->res[n]);
		n++;
	}
	if (ids && nr > CACHE_RES_MAX)
		log_warnx("%u reservations, only the first %d are served", nr, CACHE_RES_MAX);
	free(ids);
	c->nr_res = n;
	qsort(c->res, n, sizeof(*c->res), cache_res_cmp);
	c->res_dirty = 0;
}

uint64_t cache_refresh(struct cache *c, uint64_t now_ms)
{
	uint64_t before = c->nr_reads;
	size_t i;

	for (i = 0; i < c->nr_doms; i++) {
		struct cache_dom *d = &c->doms[i];
		uint64_t old_target = d->target_kib;
		int had = d->has_target;

		if (!d->dirty)
			continue;
		cache_read_dom(c, d);
		d->dirty = 0;
		if (!had || old_target != d->target_kib)
			d->last_change_ms = now_ms;
	}
	if (c->res_dirty)
		cache_read_reservations(c);
	return c->nr_reads - before;
}
