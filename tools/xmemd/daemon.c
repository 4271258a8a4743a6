/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * daemon.c: see daemon.h.
 *
 * Safety of the figures: the policy is told the host's total is what domains
 * can have (free + all allocations), the floor, and the reservations' holds;
 * raises are cut to what is free now minus the floor, the holds and the
 * growth already promised (apply.h). So the sum of allocations stays below
 * total minus the floor as long as guests follow their targets, and a guest
 * that does not is capped by its maxmem, which xmemd lowers to what it holds
 * + 1 MiB and counts as promised (daemon_cap_uncoop).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "apply.h"
#include "daemon.h"
#include "keytree.h"
#include "log.h"
#include "movelog.h"
#include "plan.h"
#include "reserve.h"
#include "round.h"
#include "size.h"
#include "snapshot.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem_err.h"

#define DAEMON_PATH_MAX	 256
#define DAEMON_RES_TRIES 5

int daemon_init(struct daemon *d, const struct conf *cfg, const struct policy *pol,
		struct xs_handle *xs, struct hv *hv)
{
	char err[VMSTATE_ERR_LEN];
	int rc;

	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->pol = *pol;
	d->coop.min_rate_kib_s = pol->min_rate_kib_s;
	d->coop.uncoop_after_s = pol->uncoop_after_s ? pol->uncoop_after_s : 10;
	d->xs = xs;
	d->hv = hv;
	cache_init(&d->cache, xs);
	d->plan_scratch = policy_scratch_new();
	if (!d->plan_scratch)
		return XMEM_ERR_NOMEM;
	rc = publish_init(&d->pub, xs, cfg->prometheus_file);
	if (rc)
		return rc;
	if (!xs_watch(xs, DAEMON_WATCH_DOMAINS, DAEMON_TOKEN_DOMAINS) ||
	    !xs_watch(xs, XS_XMEMD_RESERVATIONS, DAEMON_TOKEN_RESERVE) ||
	    !xs_watch(xs, "@introduceDomain", DAEMON_TOKEN_INTRODUCE) ||
	    !xs_watch(xs, "@releaseDomain", DAEMON_TOKEN_RELEASE)) {
		log_warn("cannot watch the key tree");
		return XMEM_ERR_IO;
	}
	d->need_rebalance = CACHE_EV_CHANGE;
	if (vmstate_init(&d->vms, cfg->state_dir, cfg->domains_dir, err, sizeof(err)))
		log_warnx("VM policies will not be saved: %s", err);
	return 0;
}

void daemon_free(struct daemon *d)
{
	cache_free(&d->cache);
	policy_scratch_free(d->plan_scratch);
	publish_free(&d->pub);
	free(d->infos);
	if (d->hv)
		hv_close(d->hv);
	if (d->xs)
		xs_close(d->xs);
	memset(d, 0, sizeof(*d));
}

void daemon_stop(struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->cache.nr_doms; i++)
		detect_dom_stop(d->xs, d->hv, &d->cache.doms[i]);
}

int daemon_watch_events(struct daemon *d)
{
	char **vec;

	while ((vec = xs_check_watch(d->xs))) {
		enum cache_event ev = cache_watch_event(&d->cache, vec[XS_WATCH_PATH]);

		if (ev > d->need_rebalance)
			d->need_rebalance = ev;
		free(vec);
	}
	if (errno != EAGAIN) {
		log_warn("key-tree watch");
		return XMEM_ERR_IO;
	}
	return 0;
}

/* Unix time in ms. */
static uint64_t daemon_unix_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

/* Poll the domain list again; keep each domain's smaller size. */
static int daemon_poll_again(struct daemon *d)
{
	struct hv_dominfo *again = NULL;
	size_t nr = 0, i, j = 0;
	int rc;

	again = calloc(d->cap_infos ? d->cap_infos : 1, sizeof(*again));
	if (!again)
		return XMEM_ERR_NOMEM;
	rc = hv_domain_list(d->hv, 0, again, d->cap_infos, &nr);
	if (rc)
		goto out;
	/* Both lists are sorted by domid; domains in only one of them keep their record. */
	for (i = 0; i < d->nr_infos && j < nr; i++) {
		while (j < nr && again[j].domid < d->infos[i].domid)
			j++;
		if (j < nr && again[j].domid == d->infos[i].domid) {
			if (again[j].tot_pages < d->infos[i].tot_pages)
				d->infos[i].tot_pages = again[j].tot_pages;
			j++;
		}
	}
out:
	free(again);
	return rc;
}

/* Read the hypervisor's figures into d->infos; *nr_r domains. */
static int daemon_poll_hv(struct daemon *d, struct hv_physinfo *pi, size_t *nr_r)
{
	size_t nr = 0;
	int rc;

	/*
	 * Domains, free memory, domains again; each domain counts with the
	 * smaller of its two sizes. A guest that shrinks meanwhile is then not
	 * counted twice (once in free, once in its size), and one that grows is
	 * counted twice (promised and gone from free) rather than not at all:
	 * safe, not exact, and exact once the guests settle.
	 */
	for (;;) {
		if (!d->cap_infos) {
			d->infos = calloc(64, sizeof(*d->infos));
			if (!d->infos)
				return XMEM_ERR_NOMEM;
			d->cap_infos = 64;
		}
		rc = hv_domain_list(d->hv, 0, d->infos, d->cap_infos, &nr);
		if (rc)
			return rc;
		if (nr < d->cap_infos)
			break;
		/* Maybe more: grow and ask again. */
		{
			struct hv_dominfo *ni = realloc(d->infos, 2 * d->cap_infos * sizeof(*ni));

			if (!ni)
				return XMEM_ERR_NOMEM;
			d->infos = ni;
			d->cap_infos *= 2;
		}
	}
	*nr_r = nr;
	d->nr_infos = nr;
	rc = hv_physinfo(d->hv, pi);
	if (rc)
		return rc;
	return daemon_poll_again(d);
}

/* Write or remove memory/uncooperative of cd to match want. */
static void daemon_sync_uncoop(struct daemon *d, struct cache_dom *cd, int want)
{
	char path[DAEMON_PATH_MAX];

	if (cd->uncoop_published == want)
		return;
	snprintf(path, sizeof(path), XS_LOCAL_DOMAIN "/%s", cd->domid, XS_DOM_UNCOOPERATIVE);
	if (want) {
		if (!xs_write(d->xs, XBT_NULL, path, "", 0)) {
			log_warn("write %s", path);
			return;
		}
	} else if (!xs_rm(d->xs, XBT_NULL, path) && errno != ENOENT) {
		log_warn("rm %s", path);
		return;
	}
	cd->uncoop_published = want;
}

/*
 * A frontend gave up shrinking at current_kib: the guest cannot spare more.
 * Accept what it holds (target = current, maxmem just above), so it is at its
 * target again and back in the plan, and make that size its floor for a while
 * so the plan does not ask the impossible again at once.
 */
static int daemon_accept(struct daemon *d, struct cache_dom *cd, uint64_t current_kib,
			 uint64_t now_ms)
{
	char path[DAEMON_PATH_MAX], num[32];
	int rc;

	rc = hv_set_maxmem(d->hv, cd->domid, apply_maxmem_kib(current_kib, cd->videoram_kib));
	if (rc)
		log_warnx("domain %u: set maxmem: %s", cd->domid, xmem_strerror(rc));
	snprintf(path, sizeof(path), XS_LOCAL_DOMAIN "/%s", cd->domid, XS_DOM_TARGET);
	snprintf(num, sizeof(num), "%" PRIu64, current_kib);
	if (!xs_write(d->xs, XBT_NULL, path, num, strlen(num))) {
		log_warn("write %s", path);
		return 0;
	}
	log_info("domain %u (%s) cannot give more than it has: target set to its %" PRIu64
		 " KiB, its floor for %d s",
		 cd->domid, cd->name, current_kib, DAEMON_REFUSED_HOLD_MS / 1000);
	cd->target_kib = current_kib;
	cd->last_change_ms = now_ms;
	cd->refused_kib = current_kib;
	cd->refused_until_ms = now_ms + DAEMON_REFUSED_HOLD_MS;
	return 1;
}

/*
 * First judgement of cd since xmemd started (or since it was last judged):
 * resume the window from the last progress an earlier xmemd published.
 */
static void daemon_coop_resume(struct daemon *d, struct cache_dom *cd, uint64_t current_kib,
			       uint64_t now_ms)
{
	uint64_t unix_ms = daemon_unix_ms(), last_ms = 0;
	char path[128];

	snprintf(path, sizeof(path), XS_XMEMD_DOM_LAST_PROGRESS, cd->domid);
	if (keytree_read_u64(d->xs, XBT_NULL, path, &last_ms) == 0 && last_ms && last_ms <= unix_ms)
		coop_resume(&cd->coop, &d->coop, cd->target_kib, current_kib, unix_ms - last_ms,
			    now_ms);
}

/*
 * Judge cd's cooperation at now_ms when judged (xmemd would drive it), else
 * forget any verdict; write memory/uncooperative to match, and accept what a
 * frontend that gave up shrinking holds. Returns 1 when that moved cd's
 * target, else 0.
 */
static int daemon_judge(struct daemon *d, struct cache_dom *cd, const struct hv_dominfo *info,
			int judged, uint64_t now_ms)
{
	uint64_t current_kib = size_pages_to_kib(info->tot_pages);
	int moved = 0;

	if (cd->refused_kib && now_ms >= cd->refused_until_ms)
		cd->refused_kib = 0;
	if (!judged) {
		if (cd->coop.started || cd->coop.uncooperative)
			coop_reset(&cd->coop);
		daemon_sync_uncoop(d, cd, 0);
		return 0;
	}
	if (!cd->coop.started && !cd->coop.uncooperative && cd->uncoop_key)
		coop_restore(&cd->coop, 1);
	else if (!cd->coop.started && !cd->coop.uncooperative)
		daemon_coop_resume(d, cd, current_kib, now_ms);
	if (coop_observe(&cd->coop, &d->coop, cd->target_kib, current_kib,
			 cd->balloon == POLICY_BALLOON_GAVE_UP, now_ms)) {
		if (cd->coop.uncooperative)
			log_info("domain %u (%s) is uncooperative: at %" PRIu64
				 " KiB, target %" PRIu64 " KiB%s",
				 cd->domid, cd->name, current_kib, cd->target_kib,
				 cd->coop.gave_up ? ", its frontend gave up" : "");
		else
			log_info("domain %u (%s) follows its target again", cd->domid, cd->name);
	}
	/* Gave up shrinking, marked or still within tolerance of its target. */
	if (cd->balloon == POLICY_BALLOON_GAVE_UP && current_kib > cd->target_kib) {
		moved = daemon_accept(d, cd, current_kib, now_ms);
		coop_observe(&cd->coop, &d->coop, cd->target_kib, current_kib, 0, now_ms);
	}
	daemon_sync_uncoop(d, cd, cd->coop.uncooperative);
	return moved;
}

/*
 * cd does not follow its target: cap its maxmem at what it holds + 1 MiB, so
 * it cannot later take memory handed to others (it may creep by that 1 MiB a
 * rebalance, which is counted, so a guest that resumes is seen moving). Its
 * promise (a->maxmem_kib) is the larger of the old and the new maxmem: it may
 * have grown toward the old one since the poll.
 */
static void daemon_cap_uncoop(struct daemon *d, const struct cache_dom *cd, struct apply_dom *a)
{
	uint64_t cap = apply_uncoop_maxmem_kib(a->current_kib, a->target_kib, a->videoram_kib);
	int rc;

	if (!apply_maxmem_differs(cap, a->maxmem_kib))
		return;
	rc = hv_set_maxmem(d->hv, cd->domid, cap);
	if (rc) {
		log_warnx("domain %u: cap maxmem at %" PRIu64 " KiB: %s", cd->domid, cap,
			  xmem_strerror(rc));
		return;
	}
	if (cap < a->maxmem_kib)
		log_info("domain %u (%s) is uncooperative: maxmem capped at %" PRIu64
			 " KiB (was %" PRIu64 " KiB)",
			 cd->domid, cd->name, cap, a->maxmem_kib);
	else
		a->maxmem_kib = cap;
}

/* Lookup for reserve_plan: the domain a reservation was given to. */
static void daemon_res_dom(void *arg, uint32_t domid, struct reserve_dom *dom_r)
{
	struct daemon *d = arg;
	struct cache_dom *cd = cache_find(&d->cache, domid);
	size_t i;

	memset(dom_r, 0, sizeof(*dom_r));
	if (!cd)
		return;
	for (i = 0; i < d->nr_infos; i++) {
		if (d->infos[i].domid == domid) {
			dom_r->exists = 1;
			dom_r->current_kib = size_pages_to_kib(d->infos[i].tot_pages);
			dom_r->outstanding_kib = size_pages_to_kib(d->infos[i].outstanding_pages);
			break;
		}
	}
	dom_r->has_target = cd->has_target;
	dom_r->target_kib = cd->target_kib;
}

/* One reservation's answer, as keytree_txn runs it. */
struct daemon_res_txn {
	const struct cache_res *r;
	const struct reserve_action *a;
	int written; /* the last attempt wrote the answer */
};

/*
 * One attempt to write a reservation's answer: only while the node is still
 * pending (the client may have removed it meanwhile: do not resurrect it;
 * then 1, nothing to do).
 */
static int daemon_res_write(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	struct daemon_res_txn *rt = arg;
	const struct cache_res *r = rt->r;
	char path[DAEMON_PATH_MAX];
	size_t st = 0;
	static const char *const pending[] = { XS_XMEMD_RES_STATE_PENDING };

	rt->written = 0;
	snprintf(path, sizeof(path), XS_XMEMD_RES_STATE, r->id);
	if (keytree_read_enum(xs, t, path, pending, 1, &st))
		return 1;
	rt->written = 1;
	if (rt->a->verdict == RESERVE_GRANT) {
		snprintf(path, sizeof(path), XS_XMEMD_RES_GRANTED, r->id);
		keytree_write_u64(xs, t, path, rt->a->granted_kib);
		snprintf(path, sizeof(path), XS_XMEMD_RES_STATE, r->id);
		keytree_write_str(xs, t, path, XS_XMEMD_RES_STATE_GRANTED);
	} else {
		snprintf(path, sizeof(path), XS_XMEMD_RES_REASON, r->id);
		keytree_write_str(xs, t, path, rt->a->reason);
		snprintf(path, sizeof(path), XS_XMEMD_RES_STATE, r->id);
		keytree_write_str(xs, t, path, XS_XMEMD_RES_STATE_FAILED);
	}
	return 0;
}

/* Carry out reservation verdicts. */
static void daemon_res_act(struct daemon *d, const struct cache_res *r,
			   const struct reserve_action *a)
{
	struct daemon_res_txn rt = { .r = r, .a = a };
	char path[DAEMON_PATH_MAX];
	int rc;

	switch (a->verdict) {
	case RESERVE_KEEP:
		return;
	case RESERVE_REMOVE:
		snprintf(path, sizeof(path), "%s/%s", XS_XMEMD_RESERVATIONS, r->id);
		log_info("reservation %s: dropped", r->id);
		if (!xs_rm(d->xs, XBT_NULL, path) && errno != ENOENT)
			log_warn("rm %s", path);
		return;
	case RESERVE_GRANT:
	case RESERVE_FAIL:
		break;
	}
	rc = keytree_txn(d->xs, DAEMON_RES_TRIES, daemon_res_write, &rt);
	if (rc && rc != XMEM_ERR_AGAIN) {
		log_warn("reservation %s", r->id);
		return;
	}
	if (!rt.written)
		return;
	if (a->verdict == RESERVE_GRANT)
		log_info("reservation %s: granted %" PRIu64 " KiB", r->id, a->granted_kib);
	else
		log_info("reservation %s: failed: %s", r->id, a->reason);
}

/*
 * Trim claims that outlive their purpose: a domain built with its startup
 * size claimed whose target was then lowered would keep the rest claimed
 * forever (a claim ends only when used up), hiding free memory from everyone.
 * A driven domain's claim is cut to what its target still needs.
 */
static void daemon_trim_claims(struct daemon *d, const struct round *rd)
{
	size_t i;
	int rc;

	for (i = 0; i < rd->nr; i++) {
		const struct apply_dom *a = &rd->adoms[i];
		const struct cache_dom *cd = &d->cache.doms[i];
		uint64_t need_kib;

		if (!a->drive || !a->outstanding_kib || !rd->info[i])
			continue;
		need_kib = cd->target_kib > a->current_kib ? cd->target_kib - a->current_kib : 0;
		if (a->outstanding_kib <= need_kib + APPLY_MAXMEM_SLACK_KIB)
			continue;
		rc = hv_claim_pages(d->hv, a->domid, 0);
		if (!rc && need_kib > APPLY_MAXMEM_SLACK_KIB)
			rc = hv_claim_pages(d->hv, a->domid, size_kib_to_pages(cd->target_kib));
		if (rc)
			log_debug("domain %u: trim claim: %s", a->domid, xmem_strerror(rc));
		else
			log_debug("domain %u: claim of %" PRIu64 " KiB cut to the %" PRIu64
				  " KiB its target still needs",
				  a->domid, a->outstanding_kib, need_kib);
	}
}

/* Perform apply actions. */
static void daemon_apply(struct daemon *d, const struct apply_action *acts, size_t n,
			 uint64_t now_ms)
{
	char path[DAEMON_PATH_MAX], num[32];
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		const struct apply_action *a = &acts[i];
		struct cache_dom *cd = cache_find(&d->cache, a->domid);

		if (a->kind == APPLY_SET_MAXMEM) {
			rc = hv_set_maxmem(d->hv, a->domid, a->value_kib);
			if (rc)
				log_warnx("domain %u: set maxmem %" PRIu64 " KiB: %s", a->domid,
					  a->value_kib, xmem_strerror(rc));
			continue;
		}
		snprintf(path, sizeof(path), XS_LOCAL_DOMAIN "/%s", a->domid, XS_DOM_TARGET);
		snprintf(num, sizeof(num), "%" PRIu64, a->value_kib);
		if (!xs_write(d->xs, XBT_NULL, path, num, strlen(num))) {
			log_warn("write %s", path);
			continue;
		}
		log_debug("domain %u: target %" PRIu64 " KiB (phase %d)", a->domid, a->value_kib,
			  a->phase);
		if (cd) {
			cd->target_kib = a->value_kib;
			cd->last_change_ms = now_ms;
		}
	}
}

/*
 * Part of step 1: find out, with a small probe of the target where needed,
 * which domains have a balloon driver (detect.h), before their snapshots.
 */
static void daemon_detect(struct daemon *d, const struct hv_physinfo *pi, size_t nr_infos,
			  uint64_t now_ms)
{
	uint64_t room_kib;
	size_t i;

	room_kib = detect_room_kib(&d->cache, d->infos, nr_infos, size_pages_to_kib(pi->free_pages),
				   size_pages_to_kib(pi->outstanding_pages), d->cfg.floor_kib);
	for (i = 0; i < nr_infos; i++) {
		struct cache_dom *cd = cache_find(&d->cache, d->infos[i].domid);

		if (cd)
			detect_dom(d->xs, d->hv, cd, &d->infos[i], &room_kib,
				   (uint64_t)d->coop.uncoop_after_s * 1000, now_ms);
	}
}

/*
 * Step 1 (round.h): poll the hypervisor, bring the cache up to date, allocate
 * rd for the round at now_ms / unix_ms and take each domain's snapshot.
 * *pi and *nr_infos_r receive the hypervisor's figures. 0, XMEM_ERR_NOHOST
 * (the hypervisor is gone), or another negative XMEM_ERR_*.
 */
static int daemon_snapshot(struct daemon *d, struct round *rd, uint64_t now_ms, uint64_t unix_ms,
			   struct hv_physinfo *pi, size_t *nr_infos_r)
{
	uint32_t *domids = NULL;
	size_t nr_infos = 0, i;
	int rc;

	rc = daemon_poll_hv(d, pi, &nr_infos);
	if (rc) {
		log_warnx("hypervisor: %s", xmem_strerror(rc));
		return rc == XMEM_ERR_IO ? XMEM_ERR_NOHOST : rc;
	}
	*nr_infos_r = nr_infos;
	domids = calloc(nr_infos ? nr_infos : 1, sizeof(*domids));
	if (!domids)
		return XMEM_ERR_NOMEM;
	for (i = 0; i < nr_infos; i++)
		domids[i] = d->infos[i].domid;
	rc = cache_sync_domains(&d->cache, domids, nr_infos);
	free(domids);
	if (rc)
		return rc;
	cache_refresh(&d->cache, now_ms);
	if (vmstate_sync(&d->vms, &d->cache, d->xs))
		cache_refresh(&d->cache, now_ms); /* saved policies of new domains, answers */
	daemon_detect(d, pi, nr_infos, now_ms);
	rc = round_alloc(rd, d->cache.nr_doms, d->cache.nr_res);
	if (rc)
		return rc;
	rd->now_ms = now_ms;
	rd->unix_ms = unix_ms;
	snapshot_round(rd, &d->cache, d->infos, nr_infos);
	return 0;
}

/*
 * Step 2 (round.h): judge the cooperation of each domain xmemd would drive
 * (managed, with a balloon), keep a frontend that gave up above the size it
 * stopped at, and settle rd->drive[i] = policy_dom_driven(). A domain's
 * snapshot is taken again only when the judgement moved its target.
 */
static void daemon_judge_round(struct daemon *d, struct round *rd)
{
	size_t i;

	for (i = 0; i < rd->nr; i++) {
		struct cache_dom *cd = &d->cache.doms[i];
		struct policy_dom *pd = &rd->pdoms[i];

		if (!rd->info[i])
			continue; /* cannot happen: the cache was synced to the same domids */
		if (daemon_judge(d, cd, rd->info[i], pd->managed && pd->has_balloon, rd->now_ms))
			snapshot_dom(cd, rd->info[i], pd);
		source_judge(&cd->src, pd->current_kib, rd->now_ms, pd);
		pd->cooperative = !cd->coop.uncooperative;
		coop_floor(pd, cd->refused_kib);
		rd->drive[i] = policy_dom_driven(pd);
	}
}

/*
 * Step 3 (round.h): what each domain may still take by itself (capping the
 * maxmem of those that do not follow their target), and so what is free for
 * raises and reservations.
 */
static void daemon_free_memory(struct daemon *d, struct round *rd, const struct hv_physinfo *pi)
{
	size_t i;

	apply_round_doms(rd, &d->cache);
	for (i = 0; i < rd->nr; i++) {
		const struct detect *bd = &d->cache.doms[i].bdetect;

		if (!rd->info[i])
			continue;
		if (bd->probing && bd->probe_up && !rd->held[i])
			rd->adoms[i].grow =
				APPLY_GROW_TARGET; /* a balloon probe's raise is promised */
		if (rd->adoms[i].grow == APPLY_GROW_MAXMEM)
			daemon_cap_uncoop(d, &d->cache.doms[i], &rd->adoms[i]);
	}
	apply_round_budget(rd, pi, d->cfg.floor_kib);
}

/* Step 3, continued (round.h): answer the reservations and hold their memory (rd->held_kib). */
static void daemon_reserve(struct daemon *d, struct round *rd)
{
	struct reserve_host rh;
	size_t i;

	reserve_round_host(rd, &rh);
	reserve_plan(d->cache.res, d->cache.nr_res, &rh, daemon_res_dom, d, rd->racts,
		     &rd->held_kib);
	for (i = 0; i < d->cache.nr_res; i++) {
		struct cache_res *r = &d->cache.res[i];

		rd->short_kib += rd->racts[i].short_kib;
		daemon_res_act(d, r, &rd->racts[i]);
		if (rd->racts[i].verdict == RESERVE_GRANT) {
			r->state = CACHE_RES_GRANTED;
			r->granted_kib = rd->racts[i].granted_kib;
		}
		if (r->state == CACHE_RES_GRANTED)
			rd->nr_granted++;
		else if (r->state == CACHE_RES_PENDING)
			rd->nr_pending++;
	}
}

/*
 * Step 5 (round.h): apply the plan in two phases (lowers first; raises only
 * from what is free now, less the holds), then cut claims that outlive their
 * purpose. Remembers the raises held back in d->waiting_kib.
 */
static void daemon_apply_round(struct daemon *d, struct round *rd)
{
	uint64_t raise_kib = rd->base_kib > rd->held_kib ? rd->base_kib - rd->held_kib : 0;

	d->waiting_kib = apply_plan(rd->adoms, rd->nr, raise_kib, rd->acts, &rd->nr_acts);
	daemon_apply(d, rd->acts, rd->nr_acts, rd->now_ms);
	daemon_trim_claims(d, rd);
	movelog_rebalance(d->cache.doms, rd->adoms, rd->outs, rd->nr,
			  rd->nr_pending + rd->nr_granted > 0);
}

/* Step 6 (round.h): publish the round. 0, or XMEM_ERR_NOHOST when the key tree is gone. */
static int daemon_publish(struct daemon *d, struct round *rd, const struct hv_physinfo *pi)
{
	struct publish_host ph;

	publish_round(rd, &d->cache, pi, d->cfg.floor_kib, &ph);
	ph.policy = d->pol.name[0] ? d->pol.name : policy_kind_name(d->pol.kind);
	ph.rebalances = ++d->rebalances;
	ph.keytree_reads = d->cache.nr_reads;
	ph.waiting_kib = d->waiting_kib;
	ph.nr_reservations = d->cache.nr_res;
	ph.nr_granted = rd->nr_granted;
	ph.nr_pending = rd->nr_pending;
	publish_update(&d->pub, &ph, rd->pubs, rd->nr);
	return d->pub.lost ? XMEM_ERR_NOHOST : 0;
}

int daemon_rebalance(struct daemon *d)
{
	struct hv_physinfo pi;
	struct round rd;
	uint64_t now_ms = evloop_now_ms();
	size_t nr_infos = 0;
	int rc;

	memset(&rd, 0, sizeof(rd));
	d->need_rebalance = CACHE_EV_NOISE;
	d->last_rebalance_ms = now_ms;
	rc = daemon_snapshot(d, &rd, now_ms, daemon_unix_ms(), &pi, &nr_infos);
	if (rc)
		goto out;
	daemon_judge_round(d, &rd);
	daemon_free_memory(d, &rd, &pi);
	daemon_reserve(d, &rd);
	rc = plan_round(&rd, &d->pol, d->plan_scratch, &d->cache, &pi, d->infos, nr_infos);
	if (rc)
		log_warnx("policy: %s", xmem_strerror(rc));
	else
		daemon_apply_round(d, &rd);
	rc = daemon_publish(d, &rd, &pi);
out:
	round_free(&rd);
	return rc;
}
