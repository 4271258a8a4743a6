/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cache.h: xmemd's watch-driven cache of the key tree.
 *
 * The cache holds, per domain, every key xmemd reads (bounds, weight, buffer,
 * managed flag, the guest's demand and balloon reports) and the reservation
 * nodes under /tool/xmemd/reservation. Watch events mark entries dirty;
 * cache_refresh() re-reads only dirty entries, so a rebalance with nothing
 * changed costs no key-tree read. The list of domains comes from the
 * hypervisor (cache_sync_domains), which xmemd polls anyway.
 *
 * Entries also carry the daemon's own per-domain state (struct cache_dom's
 * "daemon side" fields): it lives and dies with the domain's entry.
 */
#ifndef XMEMD_CACHE_H
#define XMEMD_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>

#include "coop.h"
#include "detect.h"
#include "source.h"
#include "policy/policy.h"

#define CACHE_NAME_MAX	     64
#define CACHE_RES_ID_MAX     64
#define CACHE_RES_MAX	     256 /* reservations read; the rest are ignored */
#define CACHE_RES_REASON_MAX 200

enum cache_res_state {
	CACHE_RES_UNKNOWN = 0, /* missing or unrecognised state */
	CACHE_RES_PENDING,
	CACHE_RES_GRANTED,
	CACHE_RES_FAILED,
};

struct cache_dom {
	uint32_t domid;
	int dirty;
	int seen; /* sweep mark for cache_sync_domains */
	/* From the key tree. */
	int has_target; /* memory/target exists: the toolstack has set it up */
	char name[CACHE_NAME_MAX];
	uint64_t target_kib;
	uint64_t static_max_kib, min_kib, max_kib, startup_kib, videoram_kib;
	int has_static_max, has_min, has_max, has_startup;
	unsigned int weight;	 /* POLICY_WEIGHT_DEFAULT when absent */
	unsigned int buffer_pct; /* 0 when absent: the policy's default */
	int managed;		 /* memory/managed = 1 */
	int uncoop_key;		 /* memory/uncooperative present */
	int feature_balloon;	 /* control/feature-balloon = 1 */
	int has_report;		 /* data/xmem/used_kib or committed_kib present */
	uint64_t used_kib, committed_kib, available_kib;
	uint64_t meminfo_total_kib; /* MemTotal (data/meminfo_total), 0 when not reported */
	uint64_t pswpin, pswpout;
	unsigned int psi_some_x100, psi_full_x100;
	int has_balloon_report; /* data/balloon/state present */
	enum policy_balloon balloon;
	int has_policy_source;	 /* memory/policy-source present: xmemd has looked its VM up */
	char policy_request[16]; /* memory/policy-request ("save", "forget"), "" when absent */
	struct source_state src; /* every agent's demand report (source.h) */
	enum detect_mode balloon_mode; /* memory/balloon: yes, no, auto (detect.h) */
	/* Daemon side (not from the key tree). */
	struct coop coop;
	struct detect bdetect;	 /* the balloon judgement (detect.h) */
	uint64_t last_change_ms; /* when xmemd last set the target (or first saw it) */
	uint64_t swap_prev_pages, swap_prev_ms;
	uint64_t swap_kib_s;
	uint64_t psi_some_total_us; /* 0: not reported */
	uint64_t stall_prev_us, stall_prev_ms;
	unsigned int stall_x100; /* the total's rate, hundredths of a percent */
	int has_stall;
	uint64_t prev_desired_kib, prev_plan_ms;  /* the last plan's desired size, fed back */
	uint64_t prev_demand_kib, prev_swing_kib; /* and its demand and swing */
	struct policy_history prev_history;	  /* and its history (the cover tier) */
	uint64_t refused_kib, refused_until_ms;	  /* gave up at this size: not below it until */
	int uncoop_published; /* memory/uncooperative as xmemd last left it: -1 unknown */
};

struct cache_res {
	char id[CACHE_RES_ID_MAX];
	int has_size;
	uint64_t size_kib;
	int64_t expires_s; /* 0: never */
	enum cache_res_state state;
	uint64_t granted_kib;
	int has_domid;
	uint32_t domid;
};

struct cache {
	struct xs_handle *xs;
	struct cache_dom *doms; /* sorted by domid */
	size_t nr_doms, cap_doms;
	struct cache_res *res; /* sorted by id */
	size_t nr_res;
	int res_dirty;
	uint64_t nr_reads; /* key-tree reads so far (for tests and the metrics) */
};

/* Start empty, reading through xs (which may be NULL in tests that never refresh). */
void cache_init(struct cache *c, struct xs_handle *xs);
void cache_free(struct cache *c);

/* What a watch event means to xmemd; ordered, so the most urgent of several is the largest. */
enum cache_event {
	CACHE_EV_NOISE = 0, /* another subtree of a domain, /tool/xmemd's own state */
	CACHE_EV_REPORT, /* a guest's demand report (data/xmem/..., an agent's keys): rebalance soon */
	CACHE_EV_CHANGE, /* targets, bounds, balloons, domains, reservations: rebalance now */
};

/* A watch fired on path. Marks what it touches dirty and says what it means. */
enum cache_event cache_watch_event(struct cache *c, const char *path);

/* Mark everything dirty (start-up, or a lost watch). */
void cache_mark_all(struct cache *c);

/*
 * Make the cache's domain list the given one (domids from the hypervisor):
 * new domains are added dirty, vanished ones dropped. Returns 0 or
 * XMEM_ERR_NOMEM.
 */
int cache_sync_domains(struct cache *c, const uint32_t *domids, size_t nr);

/* Re-read dirty domains and, if dirty, the reservations. Returns the reads made. */
uint64_t cache_refresh(struct cache *c, uint64_t now_ms);

/* The entry for domid, or NULL. */
struct cache_dom *cache_find(struct cache *c, uint32_t domid);

/* Parse a decimal key-tree value into *val_r. 0 or XMEM_ERR_INVAL. */
int cache_parse_u64(const char *s, uint64_t *val_r);

#endif
