/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy.h: the allocation policy. Pure computation: no I/O, no clock, no
 * globals. xmemd (tools/xmemd) and xmem-eval (tools/eval) call the same code.
 *
 * CONTRACT (shared by xmemd and xmem-eval; extend it, do not break it):
 * - policy_plan() takes a snapshot of the host and its domains and returns a
 *   target per domain. Inputs are never modified.
 * - Bounds always hold for every managed, cooperative domain:
 *   min_kib <= target_kib <= max_kib <= static_max_kib.
 * - The sum of the targets never exceeds what the host can give: total minus
 *   the floor, minus pending reservations, minus what unmanaged,
 *   uncooperative and balloon-less domains hold (their current allocation).
 * - Each output says whether to apply it now and in which phase: phase 1
 *   targets free memory (target below current allocation), phase 2 targets
 *   take it; xmemd applies phase 2 only once phase 1's memory is free.
 * - Time enters only as now_ms / last_ms fields of the inputs, so "shrink
 *   slowly" is a rate the caller's clock drives, and tests drive it by hand.
 */
#ifndef XMEM_POLICY_H
#define XMEM_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "xenstore-schema/xs_schema.h"

/* The weight's and buffer's default and limits are the key tree's (xenstore-schema/). */
#define POLICY_NAME_MAX			  32
#define POLICY_WEIGHT_MAX		  ((unsigned int)XS_DOM_WEIGHT_MAX)
#define POLICY_WEIGHT_DEFAULT		  ((unsigned int)XS_DOM_WEIGHT_DEFAULT)
#define POLICY_BUFFER_MIN_PCT		  ((unsigned int)XS_DOM_BUFFER_MIN)
#define POLICY_BUFFER_MAX_PCT		  ((unsigned int)XS_DOM_BUFFER_MAX)
#define POLICY_BUFFER_DEFAULT_PCT	  ((unsigned int)XS_DOM_BUFFER_DEFAULT)
#define POLICY_KEEP_FREE_DEFAULT_KIB	  (UINT64_C(1024) * 1024) /* xmem: 1 GiB left free */
#define POLICY_SURPLUS_BASE_DEFAULT_KIB	  (UINT64_C(1024) * 1024)
#define POLICY_COVER_HALFLIFE_DEFAULT_S	  43200u /* xmem: the cover tier's history, 12 h */
#define POLICY_COVER_RISE_DEFAULT_S	  300u
#define POLICY_COVER_COND_PRIOR_DEFAULT_S 600u

enum policy_kind {
	POLICY_XMEM = 0,     /* demand x (1 + buffer), weighted max-min fairness, stability */
	POLICY_PROPORTIONAL, /* squeezed: one fraction of [min, max] for all */
	POLICY_STATIC,	     /* every domain keeps its startup size */
	POLICY_HYPERV,	     /* demand x 1.2 with weights, nothing more (for comparison) */
	POLICY_SPREAD,	     /* demand x 1.2, then the rest max-min fair up to max (reference) */
};

/* Parameters, from a policy file (policy/<kind>.json); defaults in policy_defaults(). */
struct policy {
	enum policy_kind kind;
	char name[POLICY_NAME_MAX];
	unsigned int default_buffer_pct; /* when a domain sets none */
	uint64_t deadband_kib;		 /* ignore changes smaller than this ... */
	unsigned int deadband_pct;	 /* ... or than this percent of the current target */
	unsigned int shrink_pct_per_s;	 /* shrink at most this percent of the excess per second */
	unsigned int pressure_boost_pct; /* demand raised by this much under full pressure */
	uint64_t min_rate_kib_s;	 /* below this progress toward target: uncooperative */
	unsigned int uncoop_after_s;	 /* ... for this long */
	/* Added by policy/ (zero: off). */
	unsigned int headroom_halflife_s; /* remembered peaks decay with this half-life */
	/*
	 * The surplus tier (xmem): memory no other tier needs is handed out,
	 * last and taken back first, by weight and recent volatility, up to
	 * each maximum, as long as keep_free_kib of the budget stays free.
	 */
	unsigned int surplus;	   /* 1: hand out the surplus */
	uint64_t keep_free_kib;	   /* left free for VM starts */
	uint64_t surplus_base_kib; /* added to every swing in the surplus weights */
	/*
	 * 1: the pressure boost raises only guests whose used memory reached
	 * their MemTotal (within 2% + 4 MiB), and judges pressure by the stall
	 * rate (has_stall) instead of PSI avg10 where the caller knows it.
	 */
	unsigned int boost_capped;
	/*
	 * Added by policy/ (zero: off). Guests that report no demand may take
	 * this percent of their headroom above startup ([startup, dynamic-max])
	 * from the surplus, in the last tier (after every domain's demand and
	 * buffer), shared by weight when the surplus is short: squeezed's
	 * proportional share for guests xmemd knows nothing about.
	 */
	unsigned int silent_surplus_pct;
	/*
	 * Added by policy/ (zero: off). The cover tier (xmem, cover.c): under
	 * scarcity the memory above demand goes where it covers the most
	 * likely rises per MiB, from each domain's history (struct
	 * policy_history), which decays with cover_halflife_s; a rise weighs
	 * as much as cover_rise_s of time spent at a level.
	 */
	unsigned int cover_halflife_s;
	unsigned int cover_rise_s;
	/*
	 * Added by policy/ (zero: off). 1: the cover tier prices a domain's
	 * rises by those it made from the level it is at now (half-octave
	 * bins), backed off to all its rises with a prior of
	 * cover_cond_prior_s seconds spent at that level.
	 */
	unsigned int cover_cond;
	unsigned int cover_cond_prior_s;
	/*
	 * Added by policy/ (zero: off). 1: a domain whose rises come at a
	 * regular distance from its previous rise weighs more in the cover
	 * tier while the next one is due: its weight is raised by how much
	 * likelier a rise is at this time since its last one than on average
	 * (never lowered, at most POLICY_COVER_PHASE_LIFT_MAX).
	 */
	unsigned int cover_phase;
};

/*
 * Added by policy/. What the cover tier knows of a domain's past, kept by
 * the caller: a plan reads it (policy_dom.prev_history, with prev_plan_ms
 * and prev_demand_kib) and writes the next one (policy_dom.history), which
 * may be the same storage (then it is updated in place: the plan touches
 * only the bins that change). All zero: no history. Decaying histograms on
 * geometric bins: level, the share of recent time the demand spent at each
 * level; rise, its recent rises from one plan to the next; cond, the same
 * rises by the level they left (cover_cond); phase, rises and time by the
 * time since the last rise (cover_phase). A mass m stands for m x 2^-((now - ref_ms) /
 * cover_halflife_s) at time now (ref_ms 0: the previous plan's time), so
 * that decay needs no pass over the bins; the bits say which bins hold mass
 * (ref_ms 0: not known, found from the masses). hull_bits: the bins of the
 * headroom grid on the domain's last hull, which the next plan tries first
 * and checks (any value is safe: a wrong one only costs the check).
 */
#define POLICY_COVER_LEVEL_BINS	      96
#define POLICY_COVER_LEVEL_BASE_KIB   (16.0 * 1024) /* bin 0 ends at 16 MiB x 2^(1/8) */
#define POLICY_COVER_LEVEL_PER_OCTAVE 8u
#define POLICY_COVER_RISE_BINS	      40
#define POLICY_COVER_RISE_BASE_KIB    (4.0 * 1024) /* bin 0 ends at 4 MiB x 2^(1/4) */
#define POLICY_COVER_RISE_PER_OCTAVE  4u
/*
 * The rises by the level they left (cover_cond): a few slots, each for one
 * from-level of POLICY_COVER_COND_GROUP level bins (half an octave), with
 * the rises made from it on bins of two rise bins each (half an octave); a
 * new from-level takes the slot with the least mass.
 */
#define POLICY_COVER_COND_SLOTS 6
#define POLICY_COVER_COND_GROUP 4u
#define POLICY_COVER_COND_BINS	(POLICY_COVER_RISE_BINS / 2)
/*
 * The renewal forecast (cover_phase): for rises of at least
 * POLICY_COVER_PHASE_MIN_KIB, twice and four times that (the tracks), the
 * time since the last one in bins of POLICY_COVER_PHASE_BIN_S (the last bin
 * takes the rest): the rises seen at each (event) and the time spent at
 * each (risk), with their sums.
 */
#define POLICY_COVER_PHASE_TRACKS   3
#define POLICY_COVER_PHASE_BINS	    16
#define POLICY_COVER_PHASE_BIN_S    300u
#define POLICY_COVER_PHASE_MIN_KIB  (UINT64_C(256) * 1024)
#define POLICY_COVER_PHASE_AHEAD_S  300u /* the lift looks this far ahead */
#define POLICY_COVER_PHASE_PRIOR_S  600u
#define POLICY_COVER_PHASE_LIFT_MAX 16.0
struct policy_history {
	/* What a plan reads of every domain first, together. */
	uint64_t ref_ms;
	uint64_t level_bits[(POLICY_COVER_LEVEL_BINS + 63) / 64]; /* bins that hold mass */
	uint64_t rise_bits;
	uint64_t hull_bits; /* the headroom grid's bins of the last plan's hull (a guess) */
	uint32_t cond_bits[POLICY_COVER_COND_SLOTS];	   /* bins of each slot that hold mass */
	uint8_t cond_from[POLICY_COVER_COND_SLOTS];	   /* its from-level + 1 (0: empty) */
	uint64_t phase_last_ms[POLICY_COVER_PHASE_TRACKS]; /* the last rise (0: none yet) */
	float phase_event_sum[POLICY_COVER_PHASE_TRACKS];
	float phase_risk_sum[POLICY_COVER_PHASE_TRACKS];
	float level_sum; /* the sum of level[] (cover_cond) */
	float level[POLICY_COVER_LEVEL_BINS];
	float rise[POLICY_COVER_RISE_BINS];
	float cond[POLICY_COVER_COND_SLOTS][POLICY_COVER_COND_BINS];
	struct {
		float event[POLICY_COVER_PHASE_TRACKS];
		float risk[POLICY_COVER_PHASE_TRACKS];
	} phase[POLICY_COVER_PHASE_BINS];
};

/* Balloon frontend states as guests report them (data/balloon/state). */
enum policy_balloon {
	POLICY_BALLOON_UNKNOWN = 0, /* no report (e.g. a real Linux guest) */
	POLICY_BALLOON_DONE,
	POLICY_BALLOON_WORKING,
	POLICY_BALLOON_BACKOFF,
	POLICY_BALLOON_GAVE_UP,
};

struct policy_host {
	uint64_t total_kib;
	uint64_t free_kib;     /* physinfo free, including claimed */
	uint64_t claimed_kib;  /* outstanding claims */
	uint64_t floor_kib;    /* never handed out */
	uint64_t reserved_kib; /* held for pending reservations */
	uint64_t promised_kib; /* growth promised to domains outside the plan: they may take
				* it by themselves (a balloon climbing to its target) */
	uint64_t now_ms;       /* caller's clock, for rates */
};

struct policy_dom {
	uint32_t domid;
	uint64_t min_kib; /* dynamic-min */
	uint64_t startup_kib;
	uint64_t max_kib; /* dynamic-max */
	uint64_t static_max_kib;
	unsigned int weight;	 /* 0..10000 */
	unsigned int buffer_pct; /* 0 = policy default */
	uint64_t current_kib;	 /* tot_pages x 4 */
	uint64_t target_kib;	 /* target in force now */
	uint64_t last_change_ms; /* when target_kib was last set */
	/* Demand signals; has_demand = 0 until the guest reported once. */
	int has_demand;
	uint64_t used_kib;	    /* MemTotal - MemAvailable */
	uint64_t committed_kib;	    /* Committed_AS */
	unsigned int psi_some_x100; /* pressure stall avg10, hundredths of a percent */
	unsigned int psi_full_x100;
	uint64_t swap_kib_s; /* swap-in + swap-out rate */
	/*
	 * Added by policy/: the stall itself, unsmoothed: the rate of the PSI
	 * some total since the guest's previous report, hundredths of a
	 * percent of the time (has_stall = 0: not known, e.g. no total).
	 */
	int has_stall;
	unsigned int stall_x100;
	/*
	 * Added by policy/ (zero: the guest reports stall and swap, or nothing).
	 * 1: its agent reports use but no stall or swap (XenServer's agent,
	 * Qubes' meminfo-writer). Such a guest whose use has reached what it
	 * holds cannot show demand beyond it: it is taken as under full pressure.
	 */
	int blind;
	enum policy_balloon balloon;
	int managed;	 /* xmemd may move it */
	int has_balloon; /* a frontend follows memory/target */
	int cooperative; /* moving toward its target (caller's judgement) */
	/*
	 * Added by policy/ (zero: not known). The caller may feed back the
	 * previous plan's desired_kib for this domain and when it was planned;
	 * the policy then remembers recent peaks even where scarcity cut the
	 * target. Without them it remembers through target_kib/last_change_ms.
	 */
	uint64_t prev_desired_kib;
	uint64_t prev_plan_ms;
	/*
	 * Added by policy/ (zero: not known). The previous plan's demand_kib
	 * and swing_kib for this domain, fed back like prev_desired_kib: the
	 * policy then knows how far the demand recently rose in one step.
	 */
	uint64_t prev_demand_kib;
	uint64_t prev_swing_kib;
	/*
	 * Added by policy/ (zero: a fine, fast source such as xmem-guestd).
	 * How coarse the demand report is: the source's period (a report
	 * every demand_period_s at best) and its step (it reports only moves
	 * larger than demand_step_kib). A coarse source gets more buffer
	 * (policy_buffer_kib).
	 */
	unsigned int demand_period_s;
	uint64_t demand_step_kib;
	/*
	 * Added by policy/ (cover tier; NULL: none). Its history as the
	 * previous plan left it, and where this plan writes the next one, to
	 * pass back as prev_history (the same storage: updated in place). The
	 * one output among the inputs: nothing else a plan writes is here.
	 */
	const struct policy_history *prev_history;
	struct policy_history *history;
};

struct policy_out {
	uint32_t domid;
	uint64_t desired_kib; /* what the domain would get with plenty, surplus aside */
	uint64_t target_kib;  /* what it gets */
	uint64_t demand_kib;  /* demand derived from its signals (0: none) */
	uint64_t swing_kib;   /* its recent largest rise of demand, decaying (xmem; 0: none) */
	int apply;	      /* 1: write target_kib now (outside the deadband) */
	int phase;	      /* 1: frees memory; 2: takes memory; 0: unchanged */
	int included;	      /* 0: left out (unmanaged, uncooperative, no balloon) */
};

/* Fill pol with the defaults of kind. */
void policy_defaults(struct policy *pol, enum policy_kind kind);

/*
 * Load a policy file. Returns 0, or a negative XMEM_ERR_* with a message in
 * err naming the file and the bad parameter.
 */
int policy_load_file(const char *path, struct policy *pol_r, char *err, size_t err_len);

/*
 * Parse a policy name ("xmem", "proportional", "static", "hyperv", "spread").
 * 0 or XMEM_ERR_INVAL.
 */
int policy_kind_parse(const char *name, enum policy_kind *kind_r);
const char *policy_kind_name(enum policy_kind kind);

/* The demand of one domain from its signals, in KiB (0 when it has none). */
uint64_t policy_demand_kib(const struct policy *pol, const struct policy_dom *dom);

/*
 * Added by policy/. The buffered size of dom for demand_kib: demand x (1 +
 * buffer), where a slow source adds POLICY_SLOW_PCT_PER_MIN points of buffer
 * per minute of its period (at most POLICY_SLOW_MAX_PCT), for what the guest
 * may grow between two reports, and a coarse one adds its step, for what it
 * may have moved without reporting. A source with a period of a few seconds
 * and no step gets exactly demand x (1 + buffer).
 */
uint64_t policy_buffer_kib(const struct policy *pol, const struct policy_dom *dom,
			   uint64_t demand_kib);
#define POLICY_SLOW_PCT_PER_MIN 10u
#define POLICY_SLOW_MAX_PCT	50u

/*
 * Plan targets for nr domains. out must have room for nr entries and is
 * filled in the order of doms. Returns 0, or XMEM_ERR_INVAL for inconsistent
 * input (a domain whose bounds are out of order is reported, not guessed).
 */
int policy_plan(const struct policy *pol, const struct policy_host *host,
		const struct policy_dom *doms, size_t nr, struct policy_out *out);

/*
 * Scratch memory for the plans of a caller that plans again and again
 * (xmemd, xmem-eval). A plan needs some 200 bytes of scratch a domain, and
 * the cover tier a few KiB more: taken from the allocator anew for every
 * plan, the heap grows and shrinks each time (at 10,000 domains, some 300
 * page faults a plan, a tenth of its time). A scratch grows to the largest
 * plan it served and is reused; no plan sees what the one before left.
 */
struct policy_scratch;
/* A new, empty scratch; NULL when out of memory. */
struct policy_scratch *policy_scratch_new(void);
void policy_scratch_free(struct policy_scratch *s);
/*
 * policy_plan() in the memory of s (NULL: its own, as policy_plan). The
 * same plan for the same input, whatever s served before. Also returns
 * XMEM_ERR_NOMEM when s cannot grow to nr domains.
 */
int policy_plan_with(struct policy_scratch *s, const struct policy *pol,
		     const struct policy_host *host, const struct policy_dom *doms, size_t nr,
		     struct policy_out *out);

/*
 * Added by policy/. What the included domains may hold in total: the smaller
 * of total - floor - reserved - claimed - what excluded domains hold, and
 * free - claimed - floor - reserved + what included domains hold (0 when
 * negative). policy_plan() never hands out more, unless the minimums alone
 * exceed it (bounds win; then every included domain is at its minimum).
 */
uint64_t policy_budget_kib(const struct policy_host *host, const struct policy_dom *doms,
			   size_t nr);

/*
 * 1 when dom is driven: xmemd moves its target (managed, a balloon frontend
 * follows the target, and it is cooperative). The one definition every part
 * of xmemd uses.
 */
int policy_dom_driven(const struct policy_dom *dom);

/*
 * Added by policy/. 1 when this plan sets dom's target: it is driven and its
 * frontend has not reported gave-up (a frontend that gave up is held at what
 * it has until the caller has accepted that size).
 */
int policy_dom_included(const struct policy_dom *dom);

#endif
