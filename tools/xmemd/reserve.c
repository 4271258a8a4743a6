/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reserve.c: see reserve.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "coop.h"
#include "reserve.h"
#include "round.h"
#include "size.h"

/* Has an expiry been set and passed (by grace seconds)? */
static int reserve_expired(const struct cache_res *r, int64_t now_s, int64_t grace_s)
{
	return r->expires_s > 0 && now_s > r->expires_s + grace_s;
}

/* Decide for a granted reservation. */
static void reserve_granted(const struct cache_res *r, const struct reserve_host *host,
			    reserve_dom_fn *dom_fn, void *arg, struct reserve_action *a)
{
	struct reserve_dom dom;

	a->hold_kib = r->granted_kib;
	if (!r->has_domid) {
		if (reserve_expired(r, host->now_s, 0)) {
			a->verdict = RESERVE_REMOVE;
			a->hold_kib = 0;
		}
		return;
	}
	memset(&dom, 0, sizeof(dom));
	dom_fn(arg, r->domid, &dom);
	if (!dom.exists) {
		/* Given to a domain not built yet: hold until it is, or until expiry. */
		if (reserve_expired(r, host->now_s, 0)) {
			a->verdict = RESERVE_REMOVE;
			a->hold_kib = 0;
		}
		return;
	}
	/* What the domain has, or has claimed, is its own: only the rest is held. */
	a->hold_kib = dom.current_kib + dom.outstanding_kib >= r->granted_kib
			      ? 0
			      : r->granted_kib - dom.current_kib - dom.outstanding_kib;
	if (!a->hold_kib ||
	    (dom.has_target &&
	     dom.current_kib + coop_tolerance_kib(dom.target_kib) >= dom.target_kib)) {
		a->verdict = RESERVE_REMOVE;
		a->hold_kib = 0;
	}
}

/* Decide for a pending reservation; updates the running figures. */
static void reserve_pending(const struct cache_res *r, const struct reserve_host *host,
			    uint64_t *avail_kib, uint64_t *squeeze_kib, struct reserve_action *a)
{
	char b1[SIZE_FMT_LEN], b2[SIZE_FMT_LEN];
	uint64_t could_kib;

	if (!r->has_size) {
		a->verdict = RESERVE_FAIL;
		snprintf(a->reason, sizeof(a->reason),
			 "size_kib is missing or not a positive number of KiB");
		return;
	}
	if (reserve_expired(r, host->now_s, 0)) {
		a->verdict = RESERVE_FAIL;
		snprintf(a->reason, sizeof(a->reason), "expired before %s could be freed (%s free)",
			 size_format(r->size_kib, b1, sizeof(b1)),
			 size_format(*avail_kib, b2, sizeof(b2)));
		return;
	}
	if (r->size_kib <= *avail_kib) {
		a->verdict = RESERVE_GRANT;
		a->granted_kib = r->size_kib;
		a->hold_kib = r->size_kib;
		*avail_kib -= r->size_kib;
		return;
	}
	could_kib = *avail_kib + *squeeze_kib + host->growing_kib;
	if (r->size_kib > could_kib + host->stuck_kib) {
		a->verdict = RESERVE_FAIL;
		snprintf(a->reason, sizeof(a->reason),
			 "minimums too high: at most %s can be freed, %s asked",
			 size_format(could_kib + host->stuck_kib, b1, sizeof(b1)),
			 size_format(r->size_kib, b2, sizeof(b2)));
		return;
	}
	if (r->size_kib > could_kib) {
		a->verdict = RESERVE_FAIL;
		snprintf(a->reason, sizeof(a->reason),
			 "guests refused: uncooperative guests hold %s above their minimums, "
			 "only %s can be freed",
			 size_format(host->stuck_kib, b1, sizeof(b1)),
			 size_format(could_kib, b2, sizeof(b2)));
		return;
	}
	/* Squeeze: hold it now so the plan frees it; grant once it is free. */
	a->hold_kib = r->size_kib;
	*squeeze_kib -= r->size_kib - *avail_kib;
	*avail_kib = 0;
}

/*
 * A hold is memory that is free. If less is free, a domain being built may
 * be built from it before its domid was written: what such domains hold is
 * already counted as theirs, so not again here. The rest of the gap was
 * taken by others: it stays held (short), so the plan frees it first.
 */
static void reserve_short(struct reserve_action *a, uint64_t *avail_kib, uint64_t *building_kib)
{
	uint64_t gap, excused;

	if (a->hold_kib > *avail_kib) {
		gap = a->hold_kib - *avail_kib;
		excused = gap < *building_kib ? gap : *building_kib;
		*building_kib -= excused;
		a->hold_kib -= excused;
	}
	a->short_kib = a->hold_kib > *avail_kib ? a->hold_kib - *avail_kib : 0;
	*avail_kib -= a->hold_kib - a->short_kib;
}

void reserve_plan(const struct cache_res *res, size_t nr, const struct reserve_host *host,
		  reserve_dom_fn *dom_fn, void *arg, struct reserve_action *acts,
		  uint64_t *held_kib_r)
{
	uint64_t avail_kib = host->avail_kib, squeeze_kib = host->squeeze_kib, held_kib = 0;
	uint64_t building_kib = host->building_kib;
	size_t i;

	for (i = 0; i < nr; i++)
		memset(&acts[i], 0, sizeof(acts[i]));
	/* Granted ones first: their memory is spoken for whatever their id. */
	for (i = 0; i < nr; i++) {
		if (res[i].state != CACHE_RES_GRANTED)
			continue;
		reserve_granted(&res[i], host, dom_fn, arg, &acts[i]);
		reserve_short(&acts[i], &avail_kib, &building_kib);
		held_kib += acts[i].hold_kib;
	}
	for (i = 0; i < nr; i++) {
		switch (res[i].state) {
		case CACHE_RES_PENDING:
			reserve_pending(&res[i], host, &avail_kib, &squeeze_kib, &acts[i]);
			held_kib += acts[i].hold_kib;
			break;
		case CACHE_RES_FAILED:
			if (reserve_expired(&res[i], host->now_s, RESERVE_FAILED_GRACE_S))
				acts[i].verdict = RESERVE_REMOVE;
			break;
		case CACHE_RES_UNKNOWN:
			/* Half-written by a client, or garbage: drop it once expired. */
			if (reserve_expired(&res[i], host->now_s, RESERVE_FAILED_GRACE_S))
				acts[i].verdict = RESERVE_REMOVE;
			break;
		case CACHE_RES_GRANTED:
			break;
		}
	}
	*held_kib_r = held_kib;
}

void reserve_round_host(const struct round *rd, struct reserve_host *rh)
{
	size_t i;

	memset(rh, 0, sizeof(*rh));
	rh->now_s = (int64_t)(rd->unix_ms / 1000);
	rh->avail_kib = rd->base_kib;
	for (i = 0; i < rd->nr; i++) {
		const struct policy_dom *p = &rd->pdoms[i];
		uint64_t above = p->current_kib > p->min_kib ? p->current_kib - p->min_kib : 0;

		if (rd->drive[i]) {
			uint64_t grow = apply_dom_promised_kib(&rd->adoms[i]);

			rh->squeeze_kib += above;
			/*
			 * A balloon settled within the cooperation tolerance of
			 * its target has stopped: on real Xen a guest's page
			 * count sits a few pages off its target for good. Its
			 * "growth" will not come, so it is free, not promised;
			 * counted as promised, a reservation the plan has met
			 * exactly would wait forever. (Should it come after
			 * all, the hold goes short and the plan frees it.)
			 */
			if (grow && grow <= coop_tolerance_kib(rd->adoms[i].target_kib))
				rh->avail_kib += grow;
			else
				rh->growing_kib += grow;
		} else if (p->managed && p->has_balloon)
			rh->stuck_kib += above;
	}
	for (i = 0; i < rd->nr; i++) /* paused, given no reservation: may be built from one */
		if (rd->info[i] && (rd->info[i]->flags & HV_DOMF_PAUSED) && !rd->held[i])
			rh->building_kib += rd->adoms[i].current_kib + rd->adoms[i].outstanding_kib;
}
