/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * detect.h: does a domain have a balloon driver that follows memory/target?
 *
 * Linux's xen-balloon driver and the Windows PV drivers follow memory/target
 * but need not say so: Linux writes no key, and libxl does not let a guest
 * create control/feature-balloon. So a domain's balloon is judged per domain
 * (memory/balloon, set with `xmem mem-policy DOM --balloon`):
 *   yes    the admin says it has one: driven like any other.
 *   no     the admin says it has none: left at its size.
 *   auto   (default) present once a frontend says so (control/feature-balloon
 *          = 1, or a data/balloon report), or once the domain's allocation
 *          has followed a change of its target, whoever made it (xmemd, an
 *          admin's mem-set, the domain builder). Until then:
 *            - a target that differs from the allocation (a change seen, or
 *              a gap found at first sight) is watched: moving toward it by
 *              DETECT_FOLLOW_KIB (or half the gap, when smaller) proves a
 *              balloon; not moving for the wait (the policy's
 *              uncoop_after_s) proves there is none;
 *            - a managed domain settled at its target is probed: xmemd raises
 *              its target (and maxmem, xl's rule) by DETECT_PROBE_KIB when
 *              free memory, its dynamic-max and its static-max allow, since
 *              a guest short of memory cannot give any back but always
 *              takes more; else it lowers it by as much (less near its
 *              minimum). It watches the same way; the raise is counted as
 *              growth promised. A probe is undone once judged (target
 *              and maxmem go back; the plan moves a domain found with a
 *              balloon from where it was); one not followed is tried again after
 *              DETECT_RETRY_MS. A silent guest with no room to grow that
 *              is too short of memory to give 16 MiB fails a downward
 *              probe as if it had no balloon; it is probed again later,
 *              and `--balloon yes` settles it.
 *          A probe is written ahead (/tool/xmemd/domain/N/probe: the target
 *          before it, its own target, the maxmem before it) before its
 *          target, and removed once it ends; an xmemd that finds one at
 *          start (its predecessor died mid-probe) puts the target and
 *          maxmem back if the target is still the probe's, and judges the
 *          domain afresh.
 *          A domain proven not to follow is reported ("no"), left at its
 *          size and never counted as reclaimable; one proven to follow stays
 *          "yes" (a balloon that later stops is the uncooperative judgement's
 *          business).
 * While the verdict is not "yes" the plan leaves the domain at its size.
 *
 * detect_step() is pure; detect_dom() feeds it a cache entry, writes the
 * probe's target and logs the verdicts.
 */
#ifndef XMEMD_DETECT_H
#define XMEMD_DETECT_H

#include <stddef.h>
#include <stdint.h>

enum detect_mode {
	DETECT_MODE_AUTO = 0,
	DETECT_MODE_YES,
	DETECT_MODE_NO,
};

enum detect_verdict {
	DETECT_UNKNOWN = 0, /* nothing seen yet */
	DETECT_WATCHING,    /* a target change is watched */
	DETECT_PROBING,	    /* xmemd's probe is watched */
	DETECT_PRESENT,
	DETECT_ABSENT,
};

#define DETECT_PROBE_KIB     (16u * 1024)  /* how far a probe lowers the target */
#define DETECT_PROBE_MIN_KIB (4u * 1024)   /* no probe when less is above the minimum */
#define DETECT_FOLLOW_KIB    (2u * 1024)   /* a move this large toward the target proves it */
#define DETECT_RETRY_MS	     (600u * 1000) /* a domain found without one is probed again after */

struct detect {
	enum detect_verdict verdict;
	int judged;	 /* has_balloon is this module's word (else snapshot_dom's own rule) */
	int has_balloon; /* the plan may drive it */
	int seen;	 /* last_target_kib is valid */
	uint64_t last_target_kib;
	uint64_t watch_target_kib, watch_from_kib, watch_since_ms;
	int probing;		     /* the watched target is xmemd's probe */
	int probe_up;		     /* ... a raise (its growth is promised) */
	uint64_t restore_kib;	     /* the target before the probe */
	uint64_t restore_maxmem_kib; /* maxmem before a raise */
	uint64_t retry_ms;	     /* absent: probe again from then */
	int left; /* an earlier xmemd's probe record was read: undo it at the first step */
};

struct detect_in {
	enum detect_mode mode;
	int frontend; /* control/feature-balloon = 1 or a data/balloon report */
	int managed;  /* memory/managed = 1 */
	int has_target;
	uint64_t target_kib, current_kib, min_kib;
	uint64_t max_kib, static_max_kib; /* dynamic-max, static-max */
	uint64_t maxmem_kib;		  /* the hypervisor's cap now */
	uint64_t maxmem_slack_kib;	  /* maxmem above a target (videoram + 1 MiB) */
	uint64_t room_kib;		  /* free memory a raise may take */
	uint64_t tolerance_kib;		  /* "at its target" */
	uint64_t wait_ms;		  /* how long a balloon may take to start moving */
	uint64_t now_ms;
};

struct detect_out {
	int set_target; /* write target_kib now (a probe, or undoing one) */
	uint64_t target_kib;
	int set_maxmem; /* set maxmem_kib, before the target when raising, after when undoing */
	uint64_t maxmem_kib;
	uint64_t took_kib; /* free memory the probe may take (from room_kib) */
	int changed;	   /* the verdict changed to present or absent */
	int probe_write;   /* write the probe record (before the target) */
	int probe_clear;   /* remove the probe record (after the target) */
	int left_undone;   /* the target is an earlier xmemd's probe, put back */
};

/* Parse memory/balloon (yes, no, auto); NULL or anything else is auto. */
enum detect_mode detect_parse_mode(const char *s);
const char *detect_mode_name(enum detect_mode mode);

/* The published word: yes, no, probing, unknown. */
const char *detect_verdict_name(enum detect_verdict v);

/*
 * Take the verdict an earlier xmemd published (/tool/xmemd/domain/N/balloon:
 * yes or no; anything else is ignored), so a restart does not probe every
 * guest again. A restored "no" is probed again DETECT_RETRY_MS after the
 * first step.
 */
void detect_restore(struct detect *d, const char *published);

/*
 * Take the probe record an earlier xmemd left (/tool/xmemd/domain/N/probe:
 * "RESTORE_KIB PROBE_KIB MAXMEM_KIB"; NULL: none) as d's running probe;
 * the first detect_step undoes it as detect_stop would. 0, or
 * XMEM_ERR_INVAL for a malformed record (which is then only removed).
 */
int detect_restore_probe(struct detect *d, const char *record);

/* The record of d's running probe, for /tool/xmemd/domain/N/probe. */
void detect_probe_record(const struct detect *d, char *buf, size_t len);

/*
 * The undo of d's probe, if one runs and target_kib (the domain's target
 * now) is still the probe's, into out (set_target, maxmem, probe_clear); the
 * probe is over either way. For a stopping xmemd, and for a probe an earlier
 * one left.
 */
void detect_stop(struct detect *d, uint64_t target_kib, struct detect_out *out);

/* One observation at in->now_ms; see the top of this file. */
void detect_step(struct detect *d, const struct detect_in *in, struct detect_out *out);

struct cache_dom;
struct xs_handle;
struct hv;
struct hv_dominfo;

struct cache;

/*
 * Free memory probes may take: free, less claims, the floor, every granted
 * reservation, and every domain's growth toward its target (up to its
 * maxmem), whether or not it has a balloon (0 when negative). Conservative:
 * a raising probe never takes memory promised elsewhere.
 */
uint64_t detect_room_kib(struct cache *c, const struct hv_dominfo *infos, size_t nr,
			 uint64_t free_kib, uint64_t claimed_kib, uint64_t floor_kib);

/*
 * Judge cd (its cache entry; info its hypervisor record) at now_ms, wait_ms
 * being the policy's grace period and *room_kib the free memory probes may
 * still take (reduced by what this one takes): sets maxmem and writes
 * memory/target for a probe or its undoing (and updates cd's target), logs
 * a verdict, and leaves it in cd->bdetect for snapshot_dom().
 */
void detect_dom(struct xs_handle *xs, struct hv *hv, struct cache_dom *cd,
		const struct hv_dominfo *info, uint64_t *room_kib, uint64_t wait_ms,
		uint64_t now_ms);

/* detect_stop for cd, carried out (xmemd is stopping). */
void detect_dom_stop(struct xs_handle *xs, struct hv *hv, struct cache_dom *cd);

#endif
