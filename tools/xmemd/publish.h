/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * publish.h: what xmemd tells the world.
 *
 * Under /tool/xmemd/ (xenstore-schema/schema.json): state, pid, policy,
 * last-rebalance, host figures, and per domain demand, pressure, state,
 * target, current allocation and last progress. A value is written only when
 * it changed since xmemd last wrote it, so a quiet host costs no writes;
 * entries of vanished domains are removed.
 *
 * A Prometheus text file (node_exporter's textfile collector) is written to
 * a temporary file and renamed over the configured path, so a scraper never
 * reads half of it. Its figures are in base units (bytes, seconds, ratios):
 * xmemd_up, xmemd_last_rebalance_timestamp_seconds, the host's figures and
 * xmem_host_allocatable_bytes, the memory a new domain could get now:
 *   squeeze="none"       free - floor - reservations' holds
 *   squeeze="to_demand"  + what lowering every driven guest to its demand frees
 *   squeeze="to_min"     + what lowering every driven guest to its minimum frees
 * and per domain demand, target, current, pressure, state, cooperation.
 */
#ifndef XMEMD_PUBLISH_H
#define XMEMD_PUBLISH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <xenstore.h>

#include "source.h"

#define PUBLISH_STATE_MAX 16
#define PUBLISH_NAME_MAX  64

struct publish_dom {
	uint32_t domid;
	char name[PUBLISH_NAME_MAX];
	char state[PUBLISH_STATE_MAX];
	uint64_t demand_kib;
	uint64_t pressure_pct;
	uint64_t target_kib;
	uint64_t current_kib;
	uint64_t last_progress_ms; /* Unix ms */
	uint64_t min_kib;	   /* dynamic-min */
	int uncooperative;
	int squeezable;		    /* xmemd drives its balloon: it can be lowered */
	const char *demand_source;  /* source_name(): static */
	uint64_t demand_updated_ms; /* Unix ms the report in use last changed (0: none) */
	const char *balloon;	    /* detect_verdict_name(): static */
};

struct publish_host {
	uint64_t total_kib, free_kib, reserved_kib, floor_kib;
	uint64_t now_unix_ms;
	const char *policy;
	uint64_t rebalances;
	uint64_t keytree_reads;
	uint64_t waiting_kib; /* raises held back for lack of free memory */
	size_t nr_reservations, nr_granted, nr_pending;
};

struct publish {
	struct xs_handle *xs;
	char *prom_path;	  /* NULL: no Prometheus file */
	struct publish_dom *last; /* what is in the key tree, sorted by domid */
	size_t nr_last;
	struct publish_host last_host;
	int host_valid;
	char last_policy[64];
	int lost;	  /* a write found the connection gone (EBADF, EPIPE, ...) */
	int prom_failing; /* the metrics file could not be written; warned once */
};

/* Start publishing through xs; prom_path NULL or "" for no metrics file. 0 or XMEM_ERR_NOMEM. */
struct cache;
struct hv_physinfo;
struct round;

/*
 * Step 6 of a rebalance (round.h): fill rd->pubs, what is published about
 * each domain (its state by snapshot_state, the plan's demand, its target or
 * current size, when it last moved in Unix ms), and ph's figures of the host
 * (total: the plan's, or physinfo's when no plan was made; the configured
 * floor_kib; the reservations' holds; the time). The caller adds the
 * daemon's counters. Pure.
 */
void publish_round(struct round *rd, const struct cache *c, const struct hv_physinfo *pi,
		   uint64_t floor_kib, struct publish_host *ph);

int publish_init(struct publish *p, struct xs_handle *xs, const char *prom_path);
void publish_free(struct publish *p);

/*
 * Write the metrics to prom_path from now on (NULL or "": none); the file at
 * the old path, if different, is removed. 0 or XMEM_ERR_NOMEM (p unchanged).
 */
int publish_set_prom_path(struct publish *p, const char *prom_path);

/* Remove the metrics file (a clean stop: no stale figures left behind). */
void publish_remove_metrics(struct publish *p);

/* Write /tool/xmemd/state = state and pid (start-up, shutdown). */
void publish_daemon_state(struct publish *p, const char *state);

/*
 * Publish one rebalance's figures: doms (nr, sorted by domid) and host.
 * Writes what changed, removes vanished domains, rewrites the metrics file.
 */
void publish_update(struct publish *p, const struct publish_host *host,
		    const struct publish_dom *doms, size_t nr);

/*
 * The memory a new domain could get now (see above), in KiB: [0] from free
 * memory alone, [1] also squeezing driven guests to their demand, [2] to
 * their minimum.
 */
void publish_allocatable(const struct publish_host *host, const struct publish_dom *doms, size_t nr,
			 uint64_t alloc_kib_r[3]);

/*
 * Fill d's demand source and the Unix time its report last changed from src
 * (now_ms monotonic, unix_ms the same moment in Unix time).
 */
void publish_dom_source(struct publish_dom *d, const struct source_state *src, uint64_t now_ms,
			uint64_t unix_ms);

/* Write the Prometheus text for host and doms to f. 0 or a negative XMEM_ERR_*. */
int publish_prometheus(FILE *f, const struct publish_host *host, const struct publish_dom *doms,
		       size_t nr);

#endif
