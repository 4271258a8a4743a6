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
#include "log.h"
#include "reserve.h"
#include "size.h"
#include "snapshot.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem_err.h"

#define DAEMON_PATH_MAX 256

/* Scratch for one rebalance, indexed like the cache's domains. */
struct daemon_round {
	const struct hv_dominfo **info; /* per cache entry */
	struct policy_dom *pdoms;
	struct policy_out *outs;
	struct apply_dom *adoms;
	struct apply_action *acts;
	struct reserve_action *racts;
	struct publish_dom *pubs;
	int *drive;
	int *held; /* growth covered by a reservation's hold */
};

int daemon_init(struct daemon *d, const struct conf *cfg, const struct policy *pol,
		struct xs_handle *xs, struct hv *hv)
{
	int rc;

	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->pol = *pol;
	d->coop.min_rate_kib_s = pol->min_rate_kib_s;
	d->coop.uncoop_after_s = pol->uncoop_after_s ? pol->uncoop_after_s : 10;
	d->xs = xs;
	d->hv = hv;
	cache_init(&d->cache, xs);
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
	return 0;
}

void daemon_free(struct daemon *d)
{
	cache_free(&d->cache);
	publish_free(&d->pub);
	free(d->infos);
	if (d->hv)
		hv_close(d->hv);
	if (d->xs)
		xs_close(d->xs);
	memset(d, 0, sizeof(*d));
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
	snprintf(path, sizeof(path), "/local/domain/%u/%s", cd->domid, XS_DOM_UNCOOPERATIVE);
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
static void daemon_accept(struct daemon *d, struct cache_dom *cd, uint64_t current_kib,
			  uint64_t now_ms)
{
	char path[DAEMON_PATH_MAX], num[32];
	int rc;

	rc = hv_set_maxmem(d->hv, cd->domid, apply_maxmem_kib(current_kib, cd->videoram_kib));
	if (rc)
		log_warnx("domain %u: set maxmem: %s", cd->domid, xmem_strerror(rc));
	snprintf(path, sizeof(path), "/local/domain/%u/%s", cd->domid, XS_DOM_TARGET);
	snprintf(num, sizeof(num), "%" PRIu64, current_kib);
	if (!xs_write(d->xs, XBT_NULL, path, num, strlen(num))) {
		log_warn("write %s", path);
		return;
	}
	log_info("domain %u (%s) cannot give more than it has: target set to its %" PRIu64
		 " KiB, its floor for %d s",
		 cd->domid, cd->name, current_kib, DAEMON_REFUSED_HOLD_MS / 1000);
	cd->target_kib = current_kib;
	cd->last_change_ms = now_ms;
	cd->refused_kib = current_kib;
	cd->refused_until_ms = now_ms + DAEMON_REFUSED_HOLD_MS;
}

/* Judge cd's cooperation at now_ms (driven domains only). */
static void daemon_judge(struct daemon *d, struct cache_dom *cd, const struct hv_dominfo *info,
			 int judged, uint64_t now_ms)
{
	uint64_t current_kib = size_pages_to_kib(info->tot_pages);

	if (cd->refused_kib && now_ms >= cd->refused_until_ms)
		cd->refused_kib = 0;
	if (!judged) {
		if (cd->coop.started || cd->coop.uncooperative)
			coop_reset(&cd->coop);
		daemon_sync_uncoop(d, cd, 0);
		return;
	}
	if (!cd->coop.started && !cd->coop.uncooperative && cd->uncoop_key)
		coop_restore(&cd->coop, 1);
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
		daemon_accept(d, cd, current_kib, now_ms);
		coop_observe(&cd->coop, &d->coop, cd->target_kib, current_kib, 0, now_ms);
	}
	daemon_sync_uncoop(d, cd, cd->coop.uncooperative);
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

/* Carry out reservation verdicts. */
static void daemon_res_act(struct daemon *d, const struct cache_res *r,
			   const struct reserve_action *a)
{
	char path[DAEMON_PATH_MAX], num[32];
	xs_transaction_t t;
	int tries;

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
	for (tries = 0; tries < 5; tries++) {
		t = xs_transaction_start(d->xs);
		if (t == XBT_NULL) {
			log_warn("transaction for reservation %s", r->id);
			return;
		}
		/* The client may have removed it meanwhile: do not resurrect it. */
		snprintf(path, sizeof(path), XS_XMEMD_RES_STATE, r->id);
		{
			unsigned int len;
			char *st = xs_read(d->xs, t, path, &len);
			int still = st && !strcmp(st, "pending");

			free(st);
			if (!still) {
				xs_transaction_end(d->xs, t, true);
				return;
			}
		}
		if (a->verdict == RESERVE_GRANT) {
			snprintf(num, sizeof(num), "%" PRIu64, a->granted_kib);
			snprintf(path, sizeof(path), XS_XMEMD_RES_GRANTED, r->id);
			xs_write(d->xs, t, path, num, strlen(num));
			snprintf(path, sizeof(path), XS_XMEMD_RES_STATE, r->id);
			xs_write(d->xs, t, path, "granted", 7);
		} else {
			snprintf(path, sizeof(path), XS_XMEMD_RES_REASON, r->id);
			xs_write(d->xs, t, path, a->reason, strlen(a->reason));
			snprintf(path, sizeof(path), XS_XMEMD_RES_STATE, r->id);
			xs_write(d->xs, t, path, "failed", 6);
		}
		if (xs_transaction_end(d->xs, t, false))
			break;
		if (errno != EAGAIN) {
			log_warn("reservation %s", r->id);
			return;
		}
	}
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
static void daemon_trim_claims(struct daemon *d, const struct daemon_round *rd, size_t nr)
{
	size_t i;
	int rc;

	for (i = 0; i < nr; i++) {
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
			log_info("domain %u: claim of %" PRIu64 " KiB cut to the %" PRIu64
				 " KiB its target still needs",
				 a->domid, a->outstanding_kib, need_kib);
	}
}

/* Allocate the round's scratch for nr domains and nr_res reservations. */
static int daemon_round_alloc(struct daemon_round *rd, size_t nr, size_t nr_res)
{
	size_t n = nr ? nr : 1;

	memset(rd, 0, sizeof(*rd));
	rd->info = calloc(n, sizeof(*rd->info));
	rd->pdoms = calloc(n, sizeof(*rd->pdoms));
	rd->outs = calloc(n, sizeof(*rd->outs));
	rd->adoms = calloc(n, sizeof(*rd->adoms));
	rd->acts = calloc(2 * n, sizeof(*rd->acts));
	rd->racts = calloc(nr_res ? nr_res : 1, sizeof(*rd->racts));
	rd->pubs = calloc(n, sizeof(*rd->pubs));
	rd->drive = calloc(n, sizeof(*rd->drive));
	rd->held = calloc(n, sizeof(*rd->held));
	if (!rd->info || !rd->pdoms || !rd->outs || !rd->adoms || !rd->acts || !rd->racts ||
	    !rd->pubs || !rd->drive || !rd->held)
		return XMEM_ERR_NOMEM;
	return 0;
}

static void daemon_round_free(struct daemon_round *rd)
{
	free(rd->info);
	free(rd->pdoms);
	free(rd->outs);
	free(rd->adoms);
	free(rd->acts);
	free(rd->racts);
	free(rd->pubs);
	free(rd->drive);
	free(rd->held);
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
		snprintf(path, sizeof(path), "/local/domain/%u/%s", a->domid, XS_DOM_TARGET);
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

int daemon_rebalance(struct daemon *d)
{
	struct hv_physinfo pi;
	struct daemon_round rd;
	struct reserve_host rh;
	struct policy_host host;
	struct publish_host ph;
	uint64_t now_ms = evloop_now_ms(), unix_ms = daemon_unix_ms();
	uint64_t held_kib = 0, promised_kib = 0, base_kib, raise_kib, floor_kib = d->cfg.floor_kib;
	uint64_t probe_room_kib;
	uint32_t *domids = NULL;
	size_t nr_infos = 0, nr, i, nr_acts = 0, nr_granted = 0, nr_pending = 0;
	int rc;

	memset(&rd, 0, sizeof(rd));
	d->need_rebalance = CACHE_EV_NOISE;
	d->last_rebalance_ms = now_ms;
	rc = daemon_poll_hv(d, &pi, &nr_infos);
	if (rc) {
		log_warnx("hypervisor: %s", xmem_strerror(rc));
		if (rc == XMEM_ERR_IO || rc == XMEM_ERR_NOHOST)
			rc = XMEM_ERR_NOHOST;
		goto out;
	}
	domids = calloc(nr_infos ? nr_infos : 1, sizeof(*domids));
	if (!domids) {
		rc = XMEM_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < nr_infos; i++)
		domids[i] = d->infos[i].domid;
	rc = cache_sync_domains(&d->cache, domids, nr_infos);
	if (rc)
		goto out;
	cache_refresh(&d->cache, now_ms);
	nr = d->cache.nr_doms;
	rc = daemon_round_alloc(&rd, nr, d->cache.nr_res);
	if (rc)
		goto out;

	/* Match hypervisor records to cache entries (both cover the same domids). */
	for (i = 0; i < nr_infos; i++) {
		struct cache_dom *cd = cache_find(&d->cache, d->infos[i].domid);

		if (cd)
			rd.info[cd - d->cache.doms] = &d->infos[i];
	}
	/* Domains given a reservation: their growth is the hold's. */
	for (i = 0; i < d->cache.nr_res; i++) {
		const struct cache_res *r = &d->cache.res[i];
		struct cache_dom *cd;

		if (r->state == CACHE_RES_GRANTED && r->has_domid &&
		    (cd = cache_find(&d->cache, r->domid)))
			rd.held[cd - d->cache.doms] = 1;
	}
	/* Cooperation, and the policy's view of each domain. */
	probe_room_kib =
		detect_room_kib(&d->cache, d->infos, nr_infos, size_pages_to_kib(pi.free_pages),
				size_pages_to_kib(pi.outstanding_pages), floor_kib);
	for (i = 0; i < nr; i++) {
		struct cache_dom *cd = &d->cache.doms[i];
		int judged;

		if (!rd.info[i])
			continue; /* cannot happen: synced above */
		snapshot_swap_rate(cd, now_ms);
		detect_dom(d->xs, d->hv, cd, rd.info[i], &probe_room_kib,
			   (uint64_t)d->coop.uncoop_after_s * 1000, now_ms);
		snapshot_dom(cd, rd.info[i], &rd.pdoms[i]);
		judged = rd.pdoms[i].managed && rd.pdoms[i].has_balloon;
		daemon_judge(d, cd, rd.info[i], judged, now_ms);
		snapshot_dom(cd, rd.info[i], &rd.pdoms[i]); /* the judgement may move the target */
		source_judge(&cd->src, rd.pdoms[i].current_kib, now_ms, &rd.pdoms[i]);
		rd.pdoms[i].cooperative = !cd->coop.uncooperative;
		if (cd->refused_kib && rd.pdoms[i].managed) {
			struct policy_dom *p = &rd.pdoms[i];
			uint64_t fl = cd->refused_kib < p->max_kib ? cd->refused_kib : p->max_kib;

			if (p->min_kib < fl)
				p->min_kib = fl;
			if (p->startup_kib < p->min_kib)
				p->startup_kib = p->min_kib;
		}
		rd.drive[i] = judged && rd.pdoms[i].cooperative;
	}
	/* What is free for reservations and raises. */
	for (i = 0; i < nr; i++) {
		struct apply_dom *a = &rd.adoms[i];
		const struct policy_dom *p = &rd.pdoms[i];

		if (!rd.info[i])
			continue;
		a->domid = d->cache.doms[i].domid;
		a->drive = rd.drive[i];
		a->weight = p->weight;
		a->current_kib = p->current_kib;
		a->target_kib = p->target_kib;
		a->maxmem_kib = size_pages_to_kib(rd.info[i]->max_pages);
		a->videoram_kib = d->cache.doms[i].videoram_kib;
		a->outstanding_kib = size_pages_to_kib(rd.info[i]->outstanding_pages);
		if (!p->has_balloon || rd.held[i])
			a->grow = APPLY_GROW_NONE; /* a hold covers a held domain's growth */
		else if (p->managed && !p->cooperative)
			a->grow = APPLY_GROW_MAXMEM;
		else
			a->grow = APPLY_GROW_TARGET; /* driven, or unmanaged: follows its target */
		if (d->cache.doms[i].bdetect.probing && d->cache.doms[i].bdetect.probe_up &&
		    !rd.held[i])
			a->grow = APPLY_GROW_TARGET; /* a balloon probe's raise is promised */
		if (a->grow == APPLY_GROW_MAXMEM)
			daemon_cap_uncoop(d, &d->cache.doms[i], a);
	}
	promised_kib = apply_promised_kib(rd.adoms, nr);
	/*
	 * A frontend may populate up to its maxmem (target + 1 MiB): keep that
	 * slack of every domain whose balloon follows its target out of what is
	 * handed out, with the floor (an uncooperative one's is in its promise).
	 */
	for (i = 0; i < nr; i++)
		if (rd.drive[i] || (rd.pdoms[i].has_balloon && !rd.pdoms[i].managed))
			floor_kib += APPLY_MAXMEM_SLACK_KIB;
	base_kib = size_pages_to_kib(pi.free_pages);
	{
		uint64_t minus = size_pages_to_kib(pi.outstanding_pages) + floor_kib + promised_kib;

		base_kib = base_kib > minus ? base_kib - minus : 0;
	}
	memset(&rh, 0, sizeof(rh));
	rh.now_s = (int64_t)(unix_ms / 1000);
	rh.avail_kib = base_kib;
	for (i = 0; i < nr; i++) {
		const struct policy_dom *p = &rd.pdoms[i];
		uint64_t above = p->current_kib > p->min_kib ? p->current_kib - p->min_kib : 0;

		if (rd.drive[i])
			rh.squeeze_kib += above;
		else if (p->managed && p->has_balloon)
			rh.stuck_kib += above;
	}
	reserve_plan(d->cache.res, d->cache.nr_res, &rh, daemon_res_dom, d, rd.racts, &held_kib);
	for (i = 0; i < d->cache.nr_res; i++) {
		daemon_res_act(d, &d->cache.res[i], &rd.racts[i]);
		if (rd.racts[i].verdict == RESERVE_GRANT) {
			d->cache.res[i].state = CACHE_RES_GRANTED;
			d->cache.res[i].granted_kib = rd.racts[i].granted_kib;
		}
		if (d->cache.res[i].state == CACHE_RES_GRANTED)
			nr_granted++;
		else if (d->cache.res[i].state == CACHE_RES_PENDING)
			nr_pending++;
	}

	/* Plan. */
	snapshot_host(&pi, d->infos, nr_infos, floor_kib, held_kib, now_ms, &host);
	/*
	 * A driven domain's claim is memory for its own target, which the plan
	 * already counts: only the other claims are the policy's "claimed".
	 */
	for (i = 0; i < nr; i++) {
		uint64_t o = rd.drive[i] ? rd.adoms[i].outstanding_kib : 0;

		host.claimed_kib -= o < host.claimed_kib ? o : host.claimed_kib;
	}
	rc = policy_plan(&d->pol, &host, rd.pdoms, nr, rd.outs);
	if (rc) {
		log_warnx("policy: %s", xmem_strerror(rc));
		goto publish;
	}
	for (i = 0; i < nr; i++) {
		d->cache.doms[i].prev_desired_kib =
			rd.outs[i].included ? rd.outs[i].desired_kib : 0;
		d->cache.doms[i].prev_plan_ms = rd.outs[i].included ? now_ms : 0;
		rd.adoms[i].drive = rd.drive[i] && rd.outs[i].included;
		rd.adoms[i].new_target_kib = rd.outs[i].target_kib;
		rd.adoms[i].apply = rd.outs[i].apply;
	}
	raise_kib = base_kib > held_kib ? base_kib - held_kib : 0;
	d->waiting_kib = apply_plan(rd.adoms, nr, raise_kib, rd.acts, &nr_acts);
	daemon_apply(d, rd.acts, nr_acts, now_ms);
	daemon_trim_claims(d, &rd, nr);

publish:
	for (i = 0; i < nr; i++) {
		struct cache_dom *cd = &d->cache.doms[i];
		struct publish_dom *p = &rd.pubs[i];
		uint64_t progress_ms = cd->coop.progress_ms;

		p->domid = cd->domid;
		snprintf(p->name, sizeof(p->name), "%s", cd->name);
		snprintf(p->state, sizeof(p->state), "%s", snapshot_state(cd, &rd.pdoms[i]));
		p->demand_kib = rd.outs[i].demand_kib;
		p->pressure_pct = cd->psi_some_x100 / 100;
		p->target_kib = cd->has_target ? cd->target_kib : rd.pdoms[i].current_kib;
		p->current_kib = rd.pdoms[i].current_kib;
		p->last_progress_ms =
			progress_ms && progress_ms <= now_ms ? unix_ms - (now_ms - progress_ms) : 0;
		p->uncooperative = cd->coop.uncooperative;
		publish_dom_source(p, &cd->src, now_ms, unix_ms);
		p->balloon = detect_verdict_name(cd->bdetect.verdict);
	}
	memset(&ph, 0, sizeof(ph));
	ph.total_kib = host.total_kib ? host.total_kib : size_pages_to_kib(pi.total_pages);
	ph.free_kib = size_pages_to_kib(pi.free_pages);
	ph.reserved_kib = held_kib;
	ph.floor_kib = d->cfg.floor_kib;
	ph.now_unix_ms = unix_ms;
	ph.policy = d->pol.name[0] ? d->pol.name : policy_kind_name(d->pol.kind);
	ph.rebalances = ++d->rebalances;
	ph.keytree_reads = d->cache.nr_reads;
	ph.waiting_kib = d->waiting_kib;
	ph.nr_reservations = d->cache.nr_res;
	ph.nr_granted = nr_granted;
	ph.nr_pending = nr_pending;
	publish_update(&d->pub, &ph, rd.pubs, nr);
	rc = d->pub.lost ? XMEM_ERR_NOHOST : 0;
out:
	daemon_round_free(&rd);
	free(domids);
	return rc;
}
