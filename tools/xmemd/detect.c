/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * detect.c: see detect.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <xenstore.h>

#include "apply.h"
#include "cache.h"
#include "detect.h"
#include "hv.h"
#include "log.h"
#include "size.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem_err.h"

enum detect_mode detect_parse_mode(const char *s)
{
	if (s && !strcmp(s, "yes"))
		return DETECT_MODE_YES;
	if (s && !strcmp(s, "no"))
		return DETECT_MODE_NO;
	return DETECT_MODE_AUTO;
}

const char *detect_mode_name(enum detect_mode mode)
{
	return mode == DETECT_MODE_YES ? "yes" : mode == DETECT_MODE_NO ? "no" : "auto";
}

const char *detect_verdict_name(enum detect_verdict v)
{
	switch (v) {
	case DETECT_PRESENT:
		return "yes";
	case DETECT_ABSENT:
		return "no";
	case DETECT_PROBING:
		return "probing";
	case DETECT_WATCHING:
	case DETECT_UNKNOWN:
	default:
		return "unknown";
	}
}

/* Settle on a verdict. */
static void detect_set(struct detect *d, enum detect_verdict v, struct detect_out *out)
{
	if (d->verdict != v && (v == DETECT_PRESENT || v == DETECT_ABSENT))
		out->changed = 1;
	d->verdict = v;
	d->has_balloon = v == DETECT_PRESENT;
	d->probing = 0;
	if (v == DETECT_PRESENT)
		d->probe_up = 0; /* the plan drives it (and its maxmem) from now on */
}

/* Watch target_kib from the allocation current_kib. */
static void detect_watch(struct detect *d, const struct detect_in *in, enum detect_verdict v)
{
	d->verdict = v;
	d->watch_target_kib = in->target_kib;
	d->watch_from_kib = in->current_kib;
	d->watch_since_ms = in->now_ms;
}

/* Put a probe's target back, and its maxmem when maxmem_kib (0: a lowering probe's). */
static void detect_undo(struct detect_out *out, uint64_t target_kib, uint64_t maxmem_kib)
{
	out->set_target = 1;
	out->target_kib = target_kib;
	if (maxmem_kib) {
		out->set_maxmem = 1;
		out->maxmem_kib = maxmem_kib;
	}
}

/* Undo xmemd's probe (when one runs) and settle on v. */
static void detect_end_probe(struct detect *d, enum detect_verdict v, struct detect_out *out)
{
	if (d->probing) {
		detect_undo(out, d->restore_kib, d->probe_up ? d->restore_maxmem_kib : 0);
		d->last_target_kib = d->restore_kib;
	}
	detect_set(d, v, out);
	d->probe_up = 0;
}

/* The watched change: 1 followed, -1 not within the wait, 0 not yet known. */
static int detect_followed(const struct detect *d, const struct detect_in *in)
{
	uint64_t from = d->watch_from_kib, to = d->watch_target_kib, cur = in->current_kib;
	uint64_t gap = to > from ? to - from : from - to, need, moved = 0;

	need = gap / 2 < DETECT_FOLLOW_KIB ? gap / 2 : DETECT_FOLLOW_KIB;
	if (to < from && cur < from)
		moved = from - cur;
	else if (to > from && cur > from)
		moved = cur - from;
	if (need && moved >= need)
		return 1;
	if (in->now_ms - d->watch_since_ms >= in->wait_ms)
		return -1;
	return 0;
}

/*
 * Start a probe of a managed domain settled at its target: up when free
 * memory and its bounds allow, else down when there is room above its
 * minimum, else not now.
 */
static void detect_probe(struct detect *d, const struct detect_in *in, struct detect_out *out)
{
	uint64_t cur = in->current_kib, t = in->target_kib, to;
	uint64_t off = cur > t ? cur - t : t - cur;

	if (!in->managed || off > in->tolerance_kib)
		return;
	if (in->room_kib >= DETECT_PROBE_KIB && cur + DETECT_PROBE_KIB <= in->max_kib &&
	    cur + DETECT_PROBE_KIB <= in->static_max_kib) {
		to = cur + DETECT_PROBE_KIB;
		d->probe_up = 1;
		d->restore_maxmem_kib = in->maxmem_kib;
		out->set_maxmem = 1;
		out->maxmem_kib = to + in->maxmem_slack_kib;
		out->took_kib = DETECT_PROBE_KIB;
	} else if (cur >= in->min_kib + DETECT_PROBE_MIN_KIB) {
		to = cur -
		     (cur - in->min_kib < DETECT_PROBE_KIB ? cur - in->min_kib : DETECT_PROBE_KIB);
		d->probe_up = 0;
	} else {
		return;
	}
	d->restore_kib = t;
	d->verdict = DETECT_PROBING;
	d->probing = 1;
	d->watch_target_kib = to;
	d->watch_from_kib = cur;
	d->watch_since_ms = in->now_ms;
	d->last_target_kib = to;
	out->set_target = 1;
	out->target_kib = to;
}

uint64_t detect_room_kib(struct cache *c, const struct hv_dominfo *infos, size_t nr,
			 uint64_t free_kib, uint64_t claimed_kib, uint64_t floor_kib)
{
	uint64_t minus = claimed_kib + floor_kib;
	size_t i;

	for (i = 0; i < c->nr_res; i++)
		if (c->res[i].state == CACHE_RES_GRANTED)
			minus += c->res[i].granted_kib;
	for (i = 0; i < nr; i++) {
		const struct cache_dom *cd = cache_find(c, infos[i].domid);
		uint64_t cur = size_pages_to_kib(infos[i].tot_pages);
		uint64_t to = size_pages_to_kib(infos[i].max_pages);

		if (!cd || !cd->has_target)
			continue;
		if (cd->target_kib < to)
			to = cd->target_kib;
		if (to > cur)
			minus += to - cur;
	}
	return free_kib > minus ? free_kib - minus : 0;
}

void detect_restore(struct detect *d, const char *published)
{
	if (d->judged || !published)
		return;
	if (!strcmp(published, "yes"))
		d->verdict = DETECT_PRESENT;
	else if (!strcmp(published, "no"))
		d->verdict = DETECT_ABSENT;
	d->has_balloon = d->verdict == DETECT_PRESENT;
	d->retry_ms = 0;
}

int detect_restore_probe(struct detect *d, const char *record)
{
	uint64_t r = 0, p = 0, m = 0;
	int n = -1;

	if (d->judged || !record)
		return 0;
	d->left = 1;
	if (sscanf(record, "%" SCNu64 " %" SCNu64 " %" SCNu64 "%n", &r, &p, &m, &n) != 3 ||
	    record[n] || !r || !p)
		return XMEM_ERR_INVAL; /* no probe to undo: the record is only removed */
	/* The probe as it ran, for detect_stop to undo at the first step. */
	d->probing = 1;
	d->probe_up = m != 0;
	d->restore_kib = r;
	d->watch_target_kib = p;
	d->restore_maxmem_kib = m;
	return 0;
}

void detect_probe_record(const struct detect *d, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 " %" PRIu64 " %" PRIu64, d->restore_kib, d->watch_target_kib,
		 d->probe_up ? d->restore_maxmem_kib : 0);
}

/*
 * A probe an earlier xmemd left: undone as at a stop (not when someone
 * else's target replaced it since), the record removed. 1 when the target
 * is put back: this step does nothing else.
 */
static int detect_undo_left(struct detect *d, const struct detect_in *in, struct detect_out *out)
{
	if (!d->left)
		return 0;
	d->left = 0;
	detect_stop(d, in->has_target ? in->target_kib : 0, out);
	out->probe_clear = 1; /* a malformed record too */
	if (!out->set_target)
		return 0;
	out->left_undone = 1;
	d->judged = 1;
	d->seen = 1;
	d->last_target_kib = out->target_kib;
	return 1;
}

/* detect_step's judgement, once a left probe is dealt with. */
static void detect_judge(struct detect *d, const struct detect_in *in, struct detect_out *out)
{
	int changed_target, f;

	d->judged = 1;
	if (in->mode == DETECT_MODE_YES || (in->mode == DETECT_MODE_AUTO && in->frontend)) {
		detect_set(d, DETECT_PRESENT, out); /* a running probe's target is the plan's now */
		return;
	}
	if (in->mode == DETECT_MODE_NO) {
		detect_end_probe(d, DETECT_ABSENT, out);
		return;
	}
	d->has_balloon = d->verdict == DETECT_PRESENT;
	if (!in->has_target || d->verdict == DETECT_PRESENT)
		return;
	changed_target = d->seen && in->target_kib != d->last_target_kib;
	if (changed_target ||
	    (!d->seen && (in->target_kib > in->current_kib + in->tolerance_kib ||
			  in->current_kib > in->target_kib + in->tolerance_kib))) {
		/* Someone set a target (it replaces a probe of ours, which is not undone). */
		d->probing = 0;
		d->probe_up = 0;
		detect_watch(d, in, DETECT_WATCHING);
	}
	d->seen = 1;
	d->last_target_kib = in->target_kib;
	if (d->verdict == DETECT_WATCHING || d->verdict == DETECT_PROBING) {
		f = detect_followed(d, in);
		if (f > 0)
			detect_end_probe(d, DETECT_PRESENT, out); /* a probe leaves it as it was */
		else if (f < 0) {
			detect_end_probe(d, DETECT_ABSENT, out);
			d->retry_ms = in->now_ms + DETECT_RETRY_MS;
		}
		return;
	}
	if (d->verdict == DETECT_ABSENT && !d->retry_ms)
		d->retry_ms = in->now_ms + DETECT_RETRY_MS; /* restored from an earlier xmemd */
	if (d->verdict == DETECT_ABSENT && in->now_ms < d->retry_ms)
		return;
	detect_probe(d, in, out);
}

void detect_stop(struct detect *d, uint64_t target_kib, struct detect_out *out)
{
	memset(out, 0, sizeof(*out));
	if (!d->probing)
		return;
	out->probe_clear = 1;
	if (target_kib == d->watch_target_kib)
		detect_undo(out, d->restore_kib, d->probe_up ? d->restore_maxmem_kib : 0);
	d->probing = 0;
	d->probe_up = 0;
}

void detect_step(struct detect *d, const struct detect_in *in, struct detect_out *out)
{
	int was_probing;

	memset(out, 0, sizeof(*out));
	if (detect_undo_left(d, in, out))
		return;
	was_probing = d->probing;
	detect_judge(d, in, out);
	if (d->probing && !was_probing)
		out->probe_write = 1;
	else if (was_probing && !d->probing)
		out->probe_clear = 1;
}

/* Carry out out for cd: maxmem before the target when raising, after it when undoing. */
static void detect_act(struct xs_handle *xs, struct hv *hv, struct cache_dom *cd,
		       const struct detect_out *out, uint64_t now_ms)
{
	int raise = out->set_maxmem && out->set_target && out->target_kib > cd->target_kib;
	char path[64], num[32], rec[80];
	int rc;

	/* The record first: a probe's target is never in the tree without it. */
	if (out->probe_write) {
		snprintf(path, sizeof(path), XS_XMEMD_DOM_PROBE, cd->domid);
		detect_probe_record(&cd->bdetect, rec, sizeof(rec));
		if (!xs_write(xs, XBT_NULL, path, rec, strlen(rec)))
			log_warn("write %s", path);
	}
	if (out->set_maxmem && raise && (rc = hv_set_maxmem(hv, cd->domid, out->maxmem_kib))) {
		log_warnx("domain %u: set maxmem for a probe: %s", cd->domid, xmem_strerror(rc));
		return;
	}
	if (out->set_target) {
		snprintf(path, sizeof(path), "/local/domain/%u/%s", cd->domid, XS_DOM_TARGET);
		snprintf(num, sizeof(num), "%" PRIu64, out->target_kib);
		if (!xs_write(xs, XBT_NULL, path, num, strlen(num))) {
			log_warn("write %s", path);
		} else {
			cd->target_kib = out->target_kib;
			cd->last_change_ms = now_ms;
		}
	}
	if (out->set_maxmem && !raise && (rc = hv_set_maxmem(hv, cd->domid, out->maxmem_kib)))
		log_warnx("domain %u: set maxmem back after a probe: %s", cd->domid,
			  xmem_strerror(rc));
	if (out->probe_clear) {
		snprintf(path, sizeof(path), XS_XMEMD_DOM_PROBE, cd->domid);
		xs_rm(xs, XBT_NULL, path);
	}
}

void detect_dom(struct xs_handle *xs, struct hv *hv, struct cache_dom *cd,
		const struct hv_dominfo *info, uint64_t *room_kib, uint64_t wait_ms,
		uint64_t now_ms)
{
	struct detect *d = &cd->bdetect;
	enum detect_verdict before = d->verdict;
	uint64_t current_kib = size_pages_to_kib(info->tot_pages);
	struct detect_in in;
	struct detect_out out;

	memset(&in, 0, sizeof(in));
	in.mode = cd->balloon_mode;
	in.frontend = cd->feature_balloon || cd->has_balloon_report;
	in.managed = cd->managed;
	in.has_target = cd->has_target;
	in.target_kib = cd->target_kib;
	in.current_kib = current_kib;
	in.min_kib = cd->has_min ? cd->min_kib : cd->target_kib;
	in.max_kib = cd->has_max ? cd->max_kib : cd->target_kib;
	in.static_max_kib = cd->has_static_max ? cd->static_max_kib : in.max_kib;
	in.maxmem_kib = size_pages_to_kib(info->max_pages);
	in.maxmem_slack_kib = apply_maxmem_kib(0, cd->videoram_kib);
	in.room_kib = *room_kib;
	in.tolerance_kib = coop_tolerance_kib(cd->target_kib);
	in.wait_ms = wait_ms;
	in.now_ms = now_ms;
	detect_step(d, &in, &out);
	*room_kib -= out.took_kib < *room_kib ? out.took_kib : *room_kib;
	if (out.set_target || out.set_maxmem || out.probe_write || out.probe_clear)
		detect_act(xs, hv, cd, &out, now_ms);
	if (out.left_undone)
		log_info("domain %u (%s): a probe left by an earlier xmemd undone: target back to "
			 "%" PRIu64 " KiB",
			 cd->domid, cd->name, out.target_kib);
	if (out.set_target && d->verdict == DETECT_PROBING && before != DETECT_PROBING)
		log_info("domain %u (%s): does it balloon? target %s to %" PRIu64 " KiB to see",
			 cd->domid, cd->name, d->probe_up ? "raised" : "lowered", out.target_kib);
	if (out.changed && d->verdict == DETECT_PRESENT)
		log_info("domain %u (%s) has a balloon: %s", cd->domid, cd->name,
			 in.mode == DETECT_MODE_YES ? "memory/balloon says so"
			 : in.frontend		    ? "its frontend says so"
						    : "its allocation followed its target");
	else if (out.changed)
		log_info("domain %u (%s) has no balloon: %s; left at %" PRIu64 " KiB", cd->domid,
			 cd->name,
			 in.mode == DETECT_MODE_NO ? "memory/balloon says so"
						   : "its allocation did not follow its target",
			 current_kib);
}

void detect_dom_stop(struct xs_handle *xs, struct hv *hv, struct cache_dom *cd)
{
	struct detect_out out;

	detect_stop(&cd->bdetect, cd->target_kib, &out);
	if (!out.probe_clear)
		return;
	detect_act(xs, hv, cd, &out, 0);
	if (out.set_target)
		log_info("domain %u (%s): probe undone at stop: target back to %" PRIu64 " KiB",
			 cd->domid, cd->name, out.target_kib);
}
