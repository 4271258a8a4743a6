/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_model.c: domains, host figures and reservations as the host reports
 * them.
 *
 * A domain is known to the key tree (/local/domain/N) and to the
 * hypervisor; `list` shows the union, as a domain being built or torn down
 * may be in one only. Mem is the hypervisor's (tot_pages + outstanding) x 4,
 * exactly as xl list. Where xmemd publishes a figure under
 * /tool/xmemd/domain/N/ (demand, pressure, state) it wins; otherwise the
 * figure is derived from what the guest and the toolstack wrote, so the CLI
 * is useful with or without the daemon.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "host.h"
#include "hv.h"
#include "keytree.h"
#include "size.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem.h"

#define DOM_PATH(buf, domid, key) ctx_path(buf, sizeof(buf), XS_LOCAL_DOMAIN "/" key, domid)
#define MODEL_HV_BATCH		  128

uint64_t model_min_kib(const struct xmem_dom *d)
{
	return d->dynamic_min_kib != XMEM_UNSET ? d->dynamic_min_kib : d->target_kib;
}

uint64_t model_max_kib(const struct xmem_dom *d)
{
	return d->dynamic_max_kib != XMEM_UNSET ? d->dynamic_max_kib : d->target_kib;
}

int model_hotplug(const struct xmem_dom *d)
{
	if (d->hotplug_policy >= 0)
		return d->hotplug_policy;
	return d->hotplug_report == 1;
}

/* A 0|1 key as 0 or 1, -1 when absent or anything else. */
static int model_read_bool(struct xmem_ctx *ctx, xs_transaction_t t, const char *path)
{
	uint64_t v = ctx_read_u64(ctx, t, path);

	return v <= 1 ? (int)v : -1;
}

uint64_t model_weight(const struct xmem_dom *d)
{
	return d->weight != XMEM_UNSET ? d->weight : XMEM_DEFAULT_WEIGHT;
}

uint64_t model_buffer_pct(const struct xmem_dom *d)
{
	return d->buffer_pct != XMEM_UNSET ? d->buffer_pct : XMEM_DEFAULT_BUFFER_PCT;
}

const char *model_derive_state(const struct xmem_dom *d)
{
	if (!d->managed)
		return XS_XMEMD_DOM_STATE_UNMANAGED;
	if (d->uncooperative || strcmp(d->balloon_state, XS_DOM_BALLOON_STATE_GAVE_UP) == 0)
		return XS_XMEMD_DOM_STATE_UNCOOPERATIVE;
	if (!d->balloon_state[0] && !d->feature_balloon)
		return XS_XMEMD_DOM_STATE_NO_BALLOON;
	if (!d->balloon_state[0])
		return XS_XMEMD_DOM_STATE_OK; /* a frontend that does not report progress */
	if (strcmp(d->balloon_state, XS_DOM_BALLOON_STATE_DONE) != 0)
		return XS_XMEMD_DOM_STATE_BALLOONING;
	return XS_XMEMD_DOM_STATE_OK;
}

const char *model_derive_source(struct xmem_ctx *ctx, xs_transaction_t t, uint32_t domid)
{
	char path[CTX_PATH_LEN], buf[64];

	if (ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_MEM_USED)) != XMEM_UNSET ||
	    ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_MEM_COMMITTED)) != XMEM_UNSET)
		return "xmem-guestd";
	if (ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_MEMINFO_TOTAL)) != XMEM_UNSET &&
	    ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_MEMINFO_FREE)) != XMEM_UNSET)
		return "xe-guest-utilities";
	if (ctx_read_str(ctx, t, DOM_PATH(path, domid, XS_DOM_QUBES_MEMINFO), buf, sizeof(buf)) &&
	    buf[0])
		return "qubes";
	return "none";
}

/* Unix time in ms. */
static uint64_t model_unix_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

/* 1 when the store has /local/domain/domid. */
static int model_in_store(struct xmem_ctx *ctx, xs_transaction_t t, uint32_t domid)
{
	char path[CTX_PATH_LEN];
	unsigned int len;
	char *val;

	val = xs_read(ctx->xsh, t, ctx_path(path, sizeof(path), XS_LOCAL_DOMAIN, domid), &len);
	if (!val)
		return 0;
	free(val);
	return 1;
}

/* The demand source and its age, and the balloon setting and verdict, of d. */
static void model_load_agent(struct xmem_ctx *ctx, xs_transaction_t t, uint32_t domid,
			     struct xmem_dom *d)
{
	char path[CTX_PATH_LEN];
	uint64_t v;

	if (!ctx_read_str(ctx, t, DOM_PATH(path, domid, XS_DOM_BALLOON_MODE), d->balloon_mode,
			  sizeof(d->balloon_mode)) ||
	    (strcmp(d->balloon_mode, "yes") && strcmp(d->balloon_mode, "no")))
		snprintf(d->balloon_mode, sizeof(d->balloon_mode), "auto");
	if (!ctx_read_str(ctx, t, ctx_path(path, sizeof(path), XS_XMEMD_DOM_BALLOON, domid),
			  d->balloon, sizeof(d->balloon)))
		d->balloon[0] = '\0';
	d->demand_age_s = XMEM_UNSET;
	if (!ctx_read_str(ctx, t, ctx_path(path, sizeof(path), XS_XMEMD_DOM_DEMAND_SOURCE, domid),
			  d->demand_source, sizeof(d->demand_source)) ||
	    !d->demand_source[0]) {
		snprintf(d->demand_source, sizeof(d->demand_source), "%s",
			 model_derive_source(ctx, t, domid));
	} else {
		uint64_t now = model_unix_ms();

		v = ctx_read_u64(ctx, t,
				 ctx_path(path, sizeof(path), XS_XMEMD_DOM_DEMAND_UPDATED, domid));
		if (v != XMEM_UNSET && v && v <= now)
			d->demand_age_s = (now - v) / 1000;
	}
}

int model_load(struct xmem_ctx *ctx, xs_transaction_t t, uint32_t domid, struct xmem_dom *d)
{
	char path[CTX_PATH_LEN], buf[32];
	struct hv_dominfo info;
	uint64_t v;
	struct hv *h;
	int in_store;

	memset(d, 0, sizeof(*d));
	d->domid = domid;
	h = ctx_hv(ctx, 1);
	if (h && hv_domain_info(h, domid, &info) == 0) {
		d->in_hv = 1;
		d->current_kib = size_pages_to_kib(info.tot_pages + info.outstanding_pages);
		d->hv_max_kib = info.max_pages == UINT64_MAX ? XMEM_UNSET
							     : size_pages_to_kib(info.max_pages);
	} else {
		d->current_kib = XMEM_UNSET;
		d->hv_max_kib = XMEM_UNSET;
	}
	in_store = model_in_store(ctx, t, domid);
	if (!in_store && !d->in_hv) {
		ctx_err("unknown domain %u: 'xmem list' shows the domains", domid);
		return -1;
	}
	if (!ctx_read_str(ctx, t, DOM_PATH(path, domid, XS_DOM_NAME), d->name, sizeof(d->name)) ||
	    !d->name[0])
		snprintf(d->name, sizeof(d->name), domid == 0 ? "Domain-0" : "(domain %u)", domid);
	d->target_kib = ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_TARGET));
	d->static_max_kib = ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_STATIC_MAX));
	d->boot_max_kib = ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_BOOT_MAX));
	d->has_boot_max = d->boot_max_kib != XMEM_UNSET;
	if (!d->has_boot_max)
		d->boot_max_kib = d->static_max_kib;
	d->hotplug_policy = model_read_bool(ctx, t, DOM_PATH(path, domid, XS_DOM_HOTPLUG));
	d->hotplug_report = model_read_bool(ctx, t, DOM_PATH(path, domid, XS_DOM_HOTPLUG_REPORT));
	v = ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_VIDEORAM));
	d->videoram_kib = v == XMEM_UNSET ? 0 : v;
	d->dynamic_min_kib = ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_DYNAMIC_MIN));
	d->dynamic_max_kib = ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_DYNAMIC_MAX));
	d->startup_kib = ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_STARTUP));
	d->weight = ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_WEIGHT));
	d->buffer_pct = ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_BUFFER));
	d->managed = ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_MANAGED)) == 1;
	d->uncooperative =
		ctx_read_str(ctx, t, DOM_PATH(path, domid, XS_DOM_UNCOOPERATIVE), buf, sizeof(buf));
	d->feature_balloon =
		ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_FEATURE_BALLOON)) == 1;
	ctx_read_str(ctx, t, DOM_PATH(path, domid, XS_DOM_BALLOON_STATE), d->balloon_state,
		     sizeof(d->balloon_state));
	d->balloon_current_kib =
		ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_BALLOON_CURRENT));

	d->demand_kib =
		ctx_read_u64(ctx, t, ctx_path(path, sizeof(path), XS_XMEMD_DOM_DEMAND, domid));
	if (d->demand_kib == XMEM_UNSET)
		d->demand_kib = ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_MEM_USED));
	d->pressure_pct =
		ctx_read_u64(ctx, t, ctx_path(path, sizeof(path), XS_XMEMD_DOM_PRESSURE, domid));
	if (d->pressure_pct == XMEM_UNSET) {
		v = ctx_read_u64(ctx, t, DOM_PATH(path, domid, XS_DOM_PSI_SOME));
		d->pressure_pct = v == XMEM_UNSET ? XMEM_UNSET : v / 100;
	}
	if (!ctx_read_str(ctx, t, ctx_path(path, sizeof(path), XS_XMEMD_DOM_STATE, domid), d->state,
			  sizeof(d->state)) ||
	    !d->state[0])
		snprintf(d->state, sizeof(d->state), "%s", model_derive_state(d));
	model_load_agent(ctx, t, domid, d);
	return 0;
}

/* Parse a domid: decimal digits only, below the reserved range. */
static int model_parse_domid(const char *s, uint32_t *domid_r)
{
	return keytree_parse_domid(s, domid_r) ? -1 : 0;
}

int model_lookup(struct xmem_ctx *ctx, const char *s, uint32_t *domid_r)
{
	char path[CTX_PATH_LEN], name[XMEM_NAME_LEN];
	struct hv_dominfo info;
	char **ents = NULL;
	unsigned int n = 0, i;
	uint32_t domid, found = HOST_NO_DOMID;
	struct hv *h;
	int rc = -1;

	if (model_parse_domid(s, &domid) == 0) {
		h = ctx_hv(ctx, 1);
		if (model_in_store(ctx, XBT_NULL, domid) ||
		    (h && hv_domain_info(h, domid, &info) == 0)) {
			*domid_r = domid;
			return 0;
		}
		ctx_err("unknown domain %s: 'xmem list' shows the domains", s);
		return -1;
	}
	ents = xs_directory(ctx->xsh, XBT_NULL, XS_LOCAL_DOMAINS, &n);
	for (i = 0; ents && i < n; i++) {
		if (model_parse_domid(ents[i], &domid))
			continue;
		if (!ctx_read_str(ctx, XBT_NULL, DOM_PATH(path, domid, XS_DOM_NAME), name,
				  sizeof(name)))
			snprintf(name, sizeof(name), "%s", domid == 0 ? "Domain-0" : "");
		if (strcmp(name, s) != 0)
			continue;
		if (found != HOST_NO_DOMID) {
			ctx_err("domain name '%s' is ambiguous (domains %u and %u): use the domid",
				s, found, domid);
			goto out;
		}
		found = domid;
	}
	if (found == HOST_NO_DOMID) {
		ctx_err("unknown domain '%s': 'xmem list' shows the domains", s);
		goto out;
	}
	*domid_r = found;
	rc = 0;
out:
	free(ents);
	return rc;
}

/* Add domid to the set ids (n used, cap allocated) unless present. */
static int model_add_id(uint32_t **ids, size_t *n, size_t *cap, uint32_t domid)
{
	uint32_t *nids;
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*ids)[i] == domid)
			return 0;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		nids = realloc(*ids, *cap * sizeof(**ids));
		if (!nids)
			return -1;
		*ids = nids;
	}
	(*ids)[(*n)++] = domid;
	return 0;
}

/* qsort order of domids. */
static int model_cmp_domid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int model_load_all(struct xmem_ctx *ctx, struct xmem_dom **doms_r, size_t *nr_r)
{
	struct hv_dominfo infos[MODEL_HV_BATCH];
	struct xmem_dom *doms = NULL;
	uint32_t *ids = NULL, domid, first = 0;
	size_t nids = 0, cap = 0, nr, i, j;
	char **ents = NULL;
	unsigned int n = 0;
	struct hv *h;
	int rc = -1;

	ents = xs_directory(ctx->xsh, XBT_NULL, XS_LOCAL_DOMAINS, &n);
	for (i = 0; ents && i < n; i++) {
		if (model_parse_domid(ents[i], &domid) == 0 &&
		    model_add_id(&ids, &nids, &cap, domid))
			goto nomem;
	}
	h = ctx_hv(ctx, 1);
	while (h) {
		nr = 0;
		if (hv_domain_list(h, first, infos, MODEL_HV_BATCH, &nr) || nr == 0)
			break;
		for (j = 0; j < nr; j++)
			if (model_add_id(&ids, &nids, &cap, infos[j].domid))
				goto nomem;
		first = infos[nr - 1].domid + 1;
		if (nr < MODEL_HV_BATCH)
			break;
	}
	if (nids)
		qsort(ids, nids, sizeof(*ids), model_cmp_domid);
	doms = calloc(nids ? nids : 1, sizeof(*doms));
	if (!doms)
		goto nomem;
	for (i = 0, nr = 0; i < nids; i++) {
		/* A domain destroyed between the listing and now is skipped. */
		if (model_load(ctx, XBT_NULL, ids[i], &doms[nr]) == 0)
			nr++;
	}
	*doms_r = doms;
	*nr_r = nr;
	doms = NULL;
	rc = 0;
	goto out;
nomem:
	ctx_err("out of memory listing domains: free some memory and retry");
out:
	free(doms);
	free(ids);
	free(ents);
	return rc;
}

int model_xmemd_running(struct xmem_ctx *ctx)
{
	char state[32];
	uint64_t pid;

	if (!ctx_read_str(ctx, XBT_NULL, XS_XMEMD_STATE, state, sizeof(state)) ||
	    strcmp(state, XS_XMEMD_STATE_RUNNING) != 0)
		return 0;
	pid = ctx_read_u64(ctx, XBT_NULL, XS_XMEMD_PID);
	if (pid == XMEM_UNSET || pid == 0 || pid > INT32_MAX)
		return 1; /* no pid published: trust the state key */
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int model_hostinfo(struct xmem_ctx *ctx, const struct xmem_dom *doms, size_t nr,
		   struct xmem_hostinfo *hi)
{
	struct hv_physinfo pi;
	struct xmem_resv *resv = NULL;
	size_t nresv = 0, i;
	struct hv *h;
	char state[32];

	memset(hi, 0, sizeof(*hi));
	h = ctx_hv(ctx, 1);
	if (h && hv_physinfo(h, &pi) == 0) {
		hi->have_hv = 1;
		hi->total_kib = size_pages_to_kib(pi.total_pages);
		hi->claimed_kib = size_pages_to_kib(pi.outstanding_pages);
		hi->free_kib = pi.free_pages > pi.outstanding_pages
				       ? size_pages_to_kib(pi.free_pages - pi.outstanding_pages)
				       : 0;
	} else {
		hi->total_kib = ctx_read_u64(ctx, XBT_NULL, XS_XMEMD_HOST_TOTAL);
		hi->free_kib = ctx_read_u64(ctx, XBT_NULL, XS_XMEMD_HOST_FREE);
		hi->claimed_kib = XMEM_UNSET;
	}
	hi->floor_kib = ctx_read_u64(ctx, XBT_NULL, XS_XMEMD_HOST_FLOOR);
	hi->reserved_kib = ctx_read_u64(ctx, XBT_NULL, XS_XMEMD_HOST_RESERVED);
	if (hi->reserved_kib == XMEM_UNSET) {
		hi->reserved_kib = 0;
		if (model_load_reservations(ctx, &resv, &nresv) == 0)
			for (i = 0; i < nresv; i++)
				if (strcmp(resv[i].state, XS_XMEMD_RES_STATE_GRANTED) == 0 &&
				    resv[i].granted_kib != XMEM_UNSET)
					hi->reserved_kib += resv[i].granted_kib;
		free(resv);
	}

	if (!ctx_read_str(ctx, XBT_NULL, XS_XMEMD_STATE, state, sizeof(state)) || !state[0])
		snprintf(hi->xmemd_state, sizeof(hi->xmemd_state), "not running");
	else if (strcmp(state, XS_XMEMD_STATE_RUNNING) == 0 && !model_xmemd_running(ctx))
		snprintf(hi->xmemd_state, sizeof(hi->xmemd_state), "dead");
	else
		snprintf(hi->xmemd_state, sizeof(hi->xmemd_state), "%s", state);
	hi->xmemd_pid = ctx_read_u64(ctx, XBT_NULL, XS_XMEMD_PID);
	ctx_read_str(ctx, XBT_NULL, XS_XMEMD_POLICY, hi->xmemd_policy, sizeof(hi->xmemd_policy));
	hi->last_rebalance_ms = ctx_read_u64(ctx, XBT_NULL, XS_XMEMD_LAST_REBALANCE);

	hi->nr_domains = nr;
	for (i = 0; i < nr; i++) {
		const struct xmem_dom *d = &doms[i];

		if (d->managed)
			hi->nr_managed++;
		if (d->target_kib != XMEM_UNSET)
			hi->sum_target_kib += d->target_kib;
		if (d->demand_kib != XMEM_UNSET)
			hi->sum_demand_kib += d->demand_kib;
		if (d->domid != 0 && d->static_max_kib != XMEM_UNSET &&
		    d->current_kib != XMEM_UNSET && d->static_max_kib > d->current_kib)
			hi->reclaimed_kib += d->static_max_kib - d->current_kib;
	}
	return 0;
}

/* qsort order of reservations: by id. */
static int model_cmp_resv(const void *a, const void *b)
{
	return strcmp(((const struct xmem_resv *)a)->id, ((const struct xmem_resv *)b)->id);
}

int model_load_reservations(struct xmem_ctx *ctx, struct xmem_resv **resv_r, size_t *nr_r)
{
	char path[CTX_PATH_LEN];
	struct xmem_resv *resv = NULL, *r;
	char **ents = NULL;
	unsigned int n = 0, i;
	size_t nr = 0;

	ents = xs_directory(ctx->xsh, XBT_NULL, XS_XMEMD_RESERVATIONS, &n);
	resv = calloc(n ? n : 1, sizeof(*resv));
	if (!resv) {
		free(ents);
		ctx_err("out of memory listing reservations: free some memory and retry");
		return -1;
	}
	for (i = 0; ents && i < n; i++) {
		if (!parse_resv_id_ok(ents[i]))
			continue;
		r = &resv[nr++];
		snprintf(r->id, sizeof(r->id), "%s", ents[i]);
		r->size_kib = ctx_read_u64(ctx, XBT_NULL,
					   ctx_path(path, sizeof(path), XS_XMEMD_RES_SIZE, r->id));
		ctx_read_str(ctx, XBT_NULL, ctx_path(path, sizeof(path), XS_XMEMD_RES_STATE, r->id),
			     r->state, sizeof(r->state));
		r->granted_kib = ctx_read_u64(
			ctx, XBT_NULL, ctx_path(path, sizeof(path), XS_XMEMD_RES_GRANTED, r->id));
		ctx_read_str(ctx, XBT_NULL, ctx_path(path, sizeof(path), XS_XMEMD_RES_FOR, r->id),
			     r->for_dom, sizeof(r->for_dom));
		r->expires = ctx_read_u64(
			ctx, XBT_NULL, ctx_path(path, sizeof(path), XS_XMEMD_RES_EXPIRES, r->id));
		r->domid = ctx_read_u64(ctx, XBT_NULL,
					ctx_path(path, sizeof(path), XS_XMEMD_RES_DOMID, r->id));
		ctx_read_str(ctx, XBT_NULL,
			     ctx_path(path, sizeof(path), XS_XMEMD_RES_REASON, r->id), r->reason,
			     sizeof(r->reason));
	}
	free(ents);
	if (nr > 1)
		qsort(resv, nr, sizeof(*resv), model_cmp_resv);
	*resv_r = resv;
	*nr_r = nr;
	return 0;
}
