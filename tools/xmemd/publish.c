/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * publish.c: see publish.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "publish.h"
#include "round.h"
#include "size.h"
#include "snapshot.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem_err.h"

#define PUBLISH_PATH_MAX 256
/*
 * last_progress of a domain sitting at its target is "now" at every
 * rebalance: rewriting it each time would cost one write per domain per
 * rebalance (a thousand on a large host, idle or not). It is rewritten when
 * it moves by this much, backwards, or to or from 0, so the published value
 * is never more than this old.
 */
#define PUBLISH_PROGRESS_STEP_MS 5000

int publish_init(struct publish *p, struct xs_handle *xs, const char *prom_path)
{
	memset(p, 0, sizeof(*p));
	p->xs = xs;
	if (prom_path && prom_path[0] && !(p->prom_path = strdup(prom_path)))
		return XMEM_ERR_NOMEM;
	return 0;
}

int publish_set_prom_path(struct publish *p, const char *prom_path)
{
	char *copy = NULL;

	if (prom_path && prom_path[0] && !(copy = strdup(prom_path)))
		return XMEM_ERR_NOMEM;
	if (p->prom_path && (!copy || strcmp(copy, p->prom_path)))
		publish_remove_metrics(p);
	free(p->prom_path);
	p->prom_path = copy;
	p->prom_failing = 0;
	return 0;
}

void publish_remove_metrics(struct publish *p)
{
	if (p->prom_path && unlink(p->prom_path) < 0 && errno != ENOENT)
		log_warn("remove %s", p->prom_path);
}

void publish_free(struct publish *p)
{
	free(p->prom_path);
	free(p->last);
	memset(p, 0, sizeof(*p));
}

/* Write one value; failures are logged, not fatal (the next change retries). */
static void publish_write(struct publish *p, const char *path, const char *val)
{
	if (p->lost)
		return;
	if (xs_write(p->xs, XBT_NULL, path, val, strlen(val)))
		return;
	if (errno == EBADF || errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN) {
		p->lost = 1;
		log_warn("the key tree is gone (writing %s)", path);
		return;
	}
	log_warn("write %s", path);
}

/* Write a u64. */
static void publish_write_u64(struct publish *p, const char *path, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	publish_write(p, path, buf);
}

/* Is new last_progress value v worth a write over the published old one? */
static int publish_progress_moved(uint64_t v, uint64_t old)
{
	return !v || !old || v < old || v - old >= PUBLISH_PROGRESS_STEP_MS;
}

/* Write a per-domain u64 at path if it changed (or force). */
static void publish_dom_u64(struct publish *p, const char *path, uint64_t v, uint64_t old,
			    int force)
{
	if (force || v != old)
		publish_write_u64(p, path, v);
}

void publish_daemon_state(struct publish *p, const char *state)
{
	publish_write(p, XS_XMEMD_STATE, state);
	publish_write_u64(p, XS_XMEMD_PID, (uint64_t)getpid());
}

/* Find domid in the last published set. */
static const struct publish_dom *publish_last(const struct publish *p, uint32_t domid)
{
	size_t lo = 0, hi = p->nr_last;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->last[mid].domid == domid)
			return &p->last[mid];
		if (p->last[mid].domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Is domid among doms (sorted)? */
static int publish_has(const struct publish_dom *doms, size_t nr, uint32_t domid)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (doms[mid].domid == domid)
			return 1;
		if (doms[mid].domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * The metrics file could not be written (what says at which step): warn once,
 * not at every rebalance, until a write succeeds again.
 */
static void publish_metrics_failed(struct publish *p, const char *what)
{
	if (p->prom_failing)
		return;
	p->prom_failing = 1;
	log_warn("metrics file %s (said once until it works again)", what);
}

/* Rewrite the metrics file atomically. */
static void publish_metrics_file(struct publish *p, const struct publish_host *host,
				 const struct publish_dom *doms, size_t nr)
{
	char *tmp = NULL;
	FILE *f = NULL;
	size_t len;

	if (!p->prom_path)
		return;
	len = strlen(p->prom_path) + 8;
	tmp = malloc(len);
	if (!tmp)
		goto out;
	snprintf(tmp, len, "%s.tmp", p->prom_path);
	f = fopen(tmp, "w");
	if (!f) {
		publish_metrics_failed(p, tmp);
		goto out;
	}
	if (publish_prometheus(f, host, doms, nr) || fflush(f) || fsync(fileno(f))) {
		publish_metrics_failed(p, tmp);
		goto out;
	}
	if (fclose(f)) {
		f = NULL;
		publish_metrics_failed(p, tmp);
		goto out;
	}
	f = NULL;
	if (rename(tmp, p->prom_path) < 0) {
		publish_metrics_failed(p, p->prom_path);
		unlink(tmp);
		goto out;
	}
	if (p->prom_failing)
		log_info("metrics file %s written again", p->prom_path);
	p->prom_failing = 0;
out:
	if (f)
		fclose(f);
	free(tmp);
}

void publish_dom_source(struct publish_dom *d, const struct source_state *src, uint64_t now_ms,
			uint64_t unix_ms)
{
	d->demand_source = source_name(src->kind);
	d->demand_updated_ms = 0;
	if (src->kind != SOURCE_NONE && src->since_ms && src->since_ms <= now_ms &&
	    now_ms - src->since_ms <= unix_ms)
		d->demand_updated_ms = unix_ms - (now_ms - src->since_ms);
}

/*
 * The demand source and when its report changed; the time is rewritten only
 * when it moved by a second or more, so a steady report costs no writes.
 */
static void publish_dom_demand_source(struct publish *p, const struct publish_dom *d,
				      const struct publish_dom *o, int force)
{
	const char *src = d->demand_source ? d->demand_source : "none";
	char path[PUBLISH_PATH_MAX];
	uint64_t a = d->demand_updated_ms, b = o->demand_updated_ms;

	if (force || !o->demand_source || strcmp(src, o->demand_source)) {
		snprintf(path, sizeof(path), XS_XMEMD_DOM_DEMAND_SOURCE, d->domid);
		publish_write(p, path, src);
	}
	if (force || (a > b ? a - b : b - a) >= 1000) {
		snprintf(path, sizeof(path), XS_XMEMD_DOM_DEMAND_UPDATED, d->domid);
		publish_write_u64(p, path, a);
	}
	if (d->balloon && (force || !o->balloon || strcmp(d->balloon, o->balloon))) {
		snprintf(path, sizeof(path), XS_XMEMD_DOM_BALLOON, d->domid);
		publish_write(p, path, d->balloon);
	}
}

void publish_update(struct publish *p, const struct publish_host *host,
		    const struct publish_dom *doms, size_t nr)
{
	const struct publish_host *lh = p->host_valid ? &p->last_host : NULL;
	char path[PUBLISH_PATH_MAX];
	struct publish_dom *copy;
	size_t i;

	if (!lh || lh->total_kib != host->total_kib)
		publish_write_u64(p, XS_XMEMD_HOST_TOTAL, host->total_kib);
	if (!lh || lh->free_kib != host->free_kib)
		publish_write_u64(p, XS_XMEMD_HOST_FREE, host->free_kib);
	if (!lh || lh->reserved_kib != host->reserved_kib)
		publish_write_u64(p, XS_XMEMD_HOST_RESERVED, host->reserved_kib);
	if (!lh || lh->floor_kib != host->floor_kib)
		publish_write_u64(p, XS_XMEMD_HOST_FLOOR, host->floor_kib);
	if (host->policy && strcmp(p->last_policy, host->policy)) {
		publish_write(p, XS_XMEMD_POLICY, host->policy);
		snprintf(p->last_policy, sizeof(p->last_policy), "%s", host->policy);
	}
	publish_write_u64(p, XS_XMEMD_LAST_REBALANCE, host->now_unix_ms);
	p->last_host = *host;
	p->last_host.policy = NULL;
	p->host_valid = 1;

	copy = malloc((nr ? nr : 1) * sizeof(*copy));
	if (copy)
		memcpy(copy, doms, nr * sizeof(*copy));
	for (i = 0; i < nr; i++) {
		const struct publish_dom *d = &doms[i];
		const struct publish_dom *o = publish_last(p, d->domid);
		int force = o == NULL;
		struct publish_dom none;

		if (!o) {
			memset(&none, 0, sizeof(none));
			o = &none;
		}
		snprintf(path, sizeof(path), XS_XMEMD_DOM_DEMAND, d->domid);
		publish_dom_u64(p, path, d->demand_kib, o->demand_kib, force);
		snprintf(path, sizeof(path), XS_XMEMD_DOM_PRESSURE, d->domid);
		publish_dom_u64(p, path, d->pressure_pct, o->pressure_pct, force);
		snprintf(path, sizeof(path), XS_XMEMD_DOM_TARGET, d->domid);
		publish_dom_u64(p, path, d->target_kib, o->target_kib, force);
		snprintf(path, sizeof(path), XS_XMEMD_DOM_CURRENT, d->domid);
		publish_dom_u64(p, path, d->current_kib, o->current_kib, force);
		snprintf(path, sizeof(path), XS_XMEMD_DOM_LAST_PROGRESS, d->domid);
		if (force || (d->last_progress_ms != o->last_progress_ms &&
			      publish_progress_moved(d->last_progress_ms, o->last_progress_ms)))
			publish_write_u64(p, path, d->last_progress_ms);
		else if (copy)
			copy[i].last_progress_ms = o->last_progress_ms; /* what the tree holds */
		if (force || strcmp(d->state, o->state)) {
			snprintf(path, sizeof(path), XS_XMEMD_DOM_STATE, d->domid);
			publish_write(p, path, d->state);
		}
		publish_dom_demand_source(p, d, o, force);
	}
	for (i = 0; i < p->nr_last; i++) {
		if (publish_has(doms, nr, p->last[i].domid))
			continue;
		snprintf(path, sizeof(path), XS_XMEMD_DOM, p->last[i].domid);
		if (!xs_rm(p->xs, XBT_NULL, path) && errno != ENOENT)
			log_warn("rm %s", path);
	}
	if (copy) {
		free(p->last);
		p->last = copy;
		p->nr_last = nr;
	} else {
		/* Out of memory: forget, so everything is rewritten next time. */
		free(p->last);
		p->last = NULL;
		p->nr_last = 0;
	}
	publish_metrics_file(p, host, doms, nr);
}

/* Print a label value with Prometheus escaping. */
static void publish_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* One per-domain gauge family: the u64 at field_off, times scale, divided by div. */
static void publish_dom_family(FILE *f, const char *name, const char *help,
			       const struct publish_dom *doms, size_t nr, size_t field_off,
			       uint64_t scale, unsigned int div)
{
	size_t i;

	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
	for (i = 0; i < nr; i++) {
		uint64_t v;

		memcpy(&v, (const char *)&doms[i] + field_off, sizeof(v));
		v *= scale;

		fprintf(f, "%s{domid=\"%u\",name=\"", name, doms[i].domid);
		publish_label(f, doms[i].name);
		if (div > 1)
			fprintf(f, "\"} %" PRIu64 ".%02" PRIu64 "\n", v / div, v % div);
		else
			fprintf(f, "\"} %" PRIu64 "\n", v);
	}
}

/* One host gauge. */
static void publish_gauge(FILE *f, const char *name, const char *help, uint64_t v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s %" PRIu64 "\n", name, help, name, name, v);
}

void publish_allocatable(const struct publish_host *host, const struct publish_dom *doms, size_t nr,
			 uint64_t alloc_kib_r[3])
{
	uint64_t keep = host->floor_kib + host->reserved_kib, floor_kib;
	size_t i;

	alloc_kib_r[0] = host->free_kib > keep ? host->free_kib - keep : 0;
	alloc_kib_r[1] = alloc_kib_r[0];
	alloc_kib_r[2] = alloc_kib_r[0];
	for (i = 0; i < nr; i++) {
		const struct publish_dom *d = &doms[i];

		if (!d->squeezable)
			continue;
		floor_kib = d->demand_kib > d->min_kib ? d->demand_kib : d->min_kib;
		if (d->demand_kib && d->current_kib > floor_kib)
			alloc_kib_r[1] += d->current_kib - floor_kib;
		if (d->current_kib > d->min_kib)
			alloc_kib_r[2] += d->current_kib - d->min_kib;
	}
}

/* The xmemd_* families: up, last rebalance. */
static void publish_daemon_families(FILE *f, const struct publish_host *host)
{
	publish_gauge(f, "xmemd_up", "1 while xmemd runs (the file is removed when it stops).", 1);
	fprintf(f,
		"# HELP xmemd_last_rebalance_timestamp_seconds When xmemd last rebalanced.\n"
		"# TYPE xmemd_last_rebalance_timestamp_seconds gauge\n"
		"xmemd_last_rebalance_timestamp_seconds %" PRIu64 ".%03" PRIu64 "\n",
		host->now_unix_ms / 1000, host->now_unix_ms % 1000);
}

/* The per-domain families. */
static void publish_dom_families(FILE *f, const struct publish_dom *doms, size_t nr)
{
	size_t i;

	publish_dom_family(f, "xmem_domain_target_bytes", "Target xmemd gives the domain.", doms,
			   nr, offsetof(struct publish_dom, target_kib), 1024, 1);
	publish_dom_family(f, "xmem_domain_current_bytes", "Allocation of the domain.", doms, nr,
			   offsetof(struct publish_dom, current_kib), 1024, 1);
	publish_dom_family(f, "xmem_domain_demand_bytes", "Demand derived for the domain.", doms,
			   nr, offsetof(struct publish_dom, demand_kib), 1024, 1);
	publish_dom_family(f, "xmem_domain_min_bytes", "The domain's dynamic minimum.", doms, nr,
			   offsetof(struct publish_dom, min_kib), 1024, 1);
	publish_dom_family(f, "xmem_domain_pressure_ratio",
			   "Memory pressure the guest reports (share of time stalled, 0..1).", doms,
			   nr, offsetof(struct publish_dom, pressure_pct), 1, 100);
	fprintf(f, "# HELP xmem_domain_uncooperative 1 while the guest does not follow its "
		   "target.\n# TYPE xmem_domain_uncooperative gauge\n");
	for (i = 0; i < nr; i++) {
		fprintf(f, "xmem_domain_uncooperative{domid=\"%u\",name=\"", doms[i].domid);
		publish_label(f, doms[i].name);
		fprintf(f, "\"} %d\n", doms[i].uncooperative);
	}
	fprintf(f,
		"# HELP xmem_domain_state The domain's state for xmemd (the series with value 1)."
		"\n# TYPE xmem_domain_state gauge\n");
	for (i = 0; i < nr; i++) {
		fprintf(f, "xmem_domain_state{domid=\"%u\",name=\"", doms[i].domid);
		publish_label(f, doms[i].name);
		fprintf(f, "\",state=\"");
		publish_label(f, doms[i].state);
		fprintf(f, "\"} 1\n");
	}
}

int publish_prometheus(FILE *f, const struct publish_host *host, const struct publish_dom *doms,
		       size_t nr)
{
	uint64_t alloc[3];

	publish_daemon_families(f, host);
	publish_gauge(f, "xmem_host_total_bytes", "Memory the domains can have.",
		      host->total_kib * 1024);
	publish_gauge(f, "xmem_host_free_bytes", "Free host memory.", host->free_kib * 1024);
	publish_gauge(f, "xmem_host_reserved_bytes", "Memory held for reservations.",
		      host->reserved_kib * 1024);
	publish_gauge(f, "xmem_host_floor_bytes", "Memory never handed out.",
		      host->floor_kib * 1024);
	publish_gauge(f, "xmem_waiting_bytes", "Raises held back until memory is free.",
		      host->waiting_kib * 1024);
	publish_allocatable(host, doms, nr, alloc);
	fprintf(f,
		"# HELP xmem_host_allocatable_bytes Memory a new domain could get now: from free "
		"memory, or also squeezing guests to their demand or to their minimum.\n"
		"# TYPE xmem_host_allocatable_bytes gauge\n"
		"xmem_host_allocatable_bytes{squeeze=\"none\"} %" PRIu64 "\n"
		"xmem_host_allocatable_bytes{squeeze=\"to_demand\"} %" PRIu64 "\n"
		"xmem_host_allocatable_bytes{squeeze=\"to_min\"} %" PRIu64 "\n",
		alloc[0] * 1024, alloc[1] * 1024, alloc[2] * 1024);
	fprintf(f,
		"# HELP xmem_reservations Reservations by state.\n"
		"# TYPE xmem_reservations gauge\n"
		"xmem_reservations{state=\"granted\"} %zu\n"
		"xmem_reservations{state=\"pending\"} %zu\n"
		"xmem_reservations{state=\"other\"} %zu\n",
		host->nr_granted, host->nr_pending,
		host->nr_reservations - host->nr_granted - host->nr_pending);
	fprintf(f,
		"# HELP xmem_rebalances_total Rebalances since start.\n"
		"# TYPE xmem_rebalances_total counter\nxmem_rebalances_total %" PRIu64 "\n",
		host->rebalances);
	fprintf(f,
		"# HELP xmem_keytree_reads_total Key-tree reads since start.\n"
		"# TYPE xmem_keytree_reads_total counter\nxmem_keytree_reads_total %" PRIu64 "\n",
		host->keytree_reads);
	publish_dom_families(f, doms, nr);
	return ferror(f) ? XMEM_ERR_IO : 0;
}

void publish_round(struct round *rd, const struct cache *c, const struct hv_physinfo *pi,
		   uint64_t floor_kib, struct publish_host *ph)
{
	size_t i;

	for (i = 0; i < rd->nr; i++) {
		const struct cache_dom *cd = &c->doms[i];
		struct publish_dom *p = &rd->pubs[i];
		uint64_t progress_ms = cd->coop.progress_ms;

		p->domid = cd->domid;
		snprintf(p->name, sizeof(p->name), "%s", cd->name);
		snprintf(p->state, sizeof(p->state), "%s", snapshot_state(cd, &rd->pdoms[i]));
		p->demand_kib = rd->outs[i].demand_kib;
		p->pressure_pct = cd->psi_some_x100 / 100;
		p->target_kib = cd->has_target ? cd->target_kib : rd->pdoms[i].current_kib;
		p->current_kib = rd->pdoms[i].current_kib;
		p->last_progress_ms = progress_ms && progress_ms <= rd->now_ms
					      ? rd->unix_ms - (rd->now_ms - progress_ms)
					      : 0;
		p->uncooperative = cd->coop.uncooperative;
		p->min_kib = rd->pdoms[i].min_kib;
		p->squeezable = rd->drive[i];
		publish_dom_source(p, &cd->src, rd->now_ms, rd->unix_ms);
		p->balloon = detect_verdict_name(cd->bdetect.verdict);
	}
	memset(ph, 0, sizeof(*ph));
	ph->total_kib =
		rd->host.total_kib ? rd->host.total_kib : size_pages_to_kib(pi->total_pages);
	ph->free_kib = size_pages_to_kib(pi->free_pages);
	ph->reserved_kib = rd->held_kib - rd->short_kib; /* what is really free for them */
	ph->floor_kib = floor_kib;
	ph->now_unix_ms = rd->unix_ms;
}
