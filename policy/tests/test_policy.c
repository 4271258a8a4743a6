/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for policy/: one test per rule of the policy (policy.h), plus files. */
#include "config.h"

#include "../../tests/cmocka_all.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/policy.h"
#include "xmem_err.h"

#define MIB (UINT64_C(1024))
#define GIB (UINT64_C(1024) * 1024)

/* A managed, cooperative domain with a balloon, at target = current = startup. */
static struct policy_dom dom_make(uint32_t domid, uint64_t min_kib, uint64_t startup_kib,
				  uint64_t max_kib)
{
	struct policy_dom d;

	memset(&d, 0, sizeof(d));
	d.domid = domid;
	d.min_kib = min_kib;
	d.startup_kib = startup_kib;
	d.max_kib = max_kib;
	d.static_max_kib = max_kib;
	d.weight = POLICY_WEIGHT_DEFAULT;
	d.current_kib = startup_kib;
	d.target_kib = startup_kib;
	d.managed = 1;
	d.has_balloon = 1;
	d.cooperative = 1;
	return d;
}

/* Give d a demand signal of used_kib. */
static void dom_demand(struct policy_dom *d, uint64_t used_kib)
{
	d->has_demand = 1;
	d->used_kib = used_kib;
}

/* A host of total_kib where the domains hold what they hold. */
static struct policy_host host_make(uint64_t total_kib, const struct policy_dom *doms, size_t nr)
{
	struct policy_host h;
	uint64_t held = 0;
	size_t i;

	memset(&h, 0, sizeof(h));
	for (i = 0; i < nr; i++)
		held += doms[i].current_kib;
	h.total_kib = total_kib;
	h.free_kib = total_kib > held ? total_kib - held : 0;
	h.now_ms = 100000000; /* 27.8 hours */
	return h;
}

/* Sum of the targets of included domains. */
static uint64_t sum_targets(const struct policy_out *out, size_t nr)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < nr; i++)
		if (out[i].included)
			s += out[i].target_kib;
	return s;
}

/* Deterministic pseudo-random numbers for the property tests. */
static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* Bounds always hold, and the sum fits the budget whenever the minimums do, for every kind. */
static void policy_bounds_test(void **state)
{
	enum policy_kind kinds[] = { POLICY_XMEM, POLICY_PROPORTIONAL, POLICY_STATIC, POLICY_HYPERV,
				     POLICY_SPREAD };
	struct policy_dom doms[40];
	struct policy_out out[40];
	struct policy pol;
	struct policy_host h;
	uint64_t seed = 42, sum_min, budget;
	size_t k, i, round;

	for (round = 0; round < 200; round++) {
		for (i = 0; i < 40; i++) {
			uint64_t max = (lcg(&seed) % 8192 + 64) * MIB;
			uint64_t min = max * (lcg(&seed) % 100) / 100;
			uint64_t startup = min + (max - min) * (lcg(&seed) % 101) / 100;

			doms[i] = dom_make((uint32_t)i + 1, min, startup, max);
			doms[i].static_max_kib = max + lcg(&seed) % 2 * GIB;
			doms[i].weight = lcg(&seed) % (POLICY_WEIGHT_MAX + 1);
			doms[i].current_kib = min + (max - min) * (lcg(&seed) % 101) / 100;
			doms[i].target_kib = doms[i].current_kib;
			doms[i].last_change_ms = lcg(&seed) % 1000000;
			if (lcg(&seed) % 4)
				dom_demand(&doms[i], lcg(&seed) % (12 * GIB));
			doms[i].psi_some_x100 = lcg(&seed) % 3 ? 0 : lcg(&seed) % 10000;
			doms[i].cooperative = lcg(&seed) % 8 != 0;
			doms[i].managed = lcg(&seed) % 10 != 0;
		}
		h = host_make((lcg(&seed) % 300 + 1) * GIB, doms, 40);
		h.floor_kib = lcg(&seed) % 2 * 256 * MIB;
		h.reserved_kib = lcg(&seed) % 2 * GIB;
		budget = policy_budget_kib(&h, doms, 40);
		sum_min = 0;
		for (i = 0; i < 40; i++)
			if (policy_dom_included(&doms[i]))
				sum_min += doms[i].min_kib;
		for (k = 0; k < 5; k++) {
			policy_defaults(&pol, kinds[k]);
			assert_int_equal(policy_plan(&pol, &h, doms, 40, out), 0);
			for (i = 0; i < 40; i++) {
				assert_int_equal(out[i].domid, doms[i].domid);
				if (!out[i].included)
					continue;
				assert_true(doms[i].min_kib <= out[i].target_kib);
				assert_true(out[i].target_kib <= doms[i].max_kib);
				assert_true(doms[i].max_kib <= doms[i].static_max_kib);
			}
			if (sum_min <= budget)
				assert_true(sum_targets(out, 40) <= budget);
		}
	}
}

/* Demand x (1 + buffer) within the bounds; the domain's own buffer wins over the default. */
static void policy_demand_buffer_test(void **state)
{
	struct policy_dom d[3] = { dom_make(1, 256 * MIB, GIB, 8 * GIB),
				   dom_make(2, 256 * MIB, GIB, 8 * GIB),
				   dom_make(3, 256 * MIB, GIB, 1536 * MIB) };
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;

	policy_defaults(&pol, POLICY_XMEM);
	pol.surplus = 0; /* the tiers alone (the surplus has tests of its own) */
	dom_demand(&d[0], 2 * GIB);
	dom_demand(&d[1], 2 * GIB);
	d[1].buffer_pct = 50;
	dom_demand(&d[2], 2 * GIB); /* wants 2.4 GiB, max 1.5 GiB */
	h = host_make(64 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].demand_kib, 2 * GIB);
	assert_int_equal(out[0].desired_kib, 2 * GIB + 2 * GIB / 5);
	assert_int_equal(out[0].target_kib, 2 * GIB + 2 * GIB / 5);
	assert_int_equal(out[1].target_kib, 3 * GIB);
	assert_int_equal(out[2].target_kib, 1536 * MIB);
	assert_int_equal(out[0].apply, 1);
	assert_int_equal(out[0].phase, 2);
}

/*
 * A coarse, slow source gets more buffer: POLICY_SLOW_PCT_PER_MIN points per
 * minute of its period (capped), and its step on top; a fast fine one none.
 */
static void policy_coarse_source_buffer_test(void **state)
{
	struct policy_dom d[3] = { dom_make(1, 256 * MIB, GIB, 8 * GIB),
				   dom_make(2, 256 * MIB, GIB, 8 * GIB),
				   dom_make(3, 256 * MIB, GIB, 8 * GIB) };
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;

	policy_defaults(&pol, POLICY_XMEM);
	pol.surplus = 0;	    /* the buffer rule alone: no surplus tier on top */
	dom_demand(&d[0], 2 * GIB); /* xmem-guestd: 1 s, no step */
	d[0].demand_period_s = 1;
	dom_demand(&d[1], 2 * GIB); /* xe-guest-utilities: 120 s */
	d[1].demand_period_s = 120;
	dom_demand(&d[2], 2 * GIB); /* qubes: no period, 30000 KiB steps */
	d[2].demand_step_kib = 30000;
	assert_int_equal(policy_buffer_kib(&pol, &d[0], 2 * GIB), 2 * GIB + 2 * GIB / 5);
	assert_int_equal(policy_buffer_kib(&pol, &d[1], 2 * GIB),
			 2 * GIB + 2 * GIB * (20 + 2 * POLICY_SLOW_PCT_PER_MIN) / 100);
	assert_int_equal(policy_buffer_kib(&pol, &d[2], 2 * GIB), 2 * GIB + 2 * GIB / 5 + 30000);
	h = host_make(64 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].target_kib, 2 * GIB + 2 * GIB / 5);
	assert_true(out[1].target_kib > out[0].target_kib);
	assert_true(out[2].target_kib > out[0].target_kib);
	/* The extra is capped, and demand itself is not raised. */
	d[1].demand_period_s = 3600;
	assert_int_equal(policy_buffer_kib(&pol, &d[1], 2 * GIB),
			 2 * GIB + 2 * GIB * (20 + POLICY_SLOW_MAX_PCT) / 100);
	assert_int_equal(policy_demand_kib(&pol, &d[1]), 2 * GIB);
	/* Under scarcity the extra goes first, like any buffer: demand is kept. */
	d[0].current_kib = d[1].current_kib = d[2].current_kib = 2 * GIB + 64 * MIB;
	d[0].target_kib = d[1].target_kib = d[2].target_kib = 2 * GIB + 64 * MIB;
	h = host_make(3 * (2 * GIB + 64 * MIB), d, 3);
	assert_int_equal(h.free_kib, 0);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_true(out[1].target_kib >= 2 * GIB);
	assert_true(out[1].target_kib < 2 * GIB + 2 * GIB / 5);
}

/* A guest that stalls or swaps needs more than it uses: its demand is raised. */
static void policy_demand_pressure_test(void **state)
{
	struct policy_dom d = dom_make(1, 256 * MIB, GIB, 8 * GIB);
	struct policy pol;
	uint64_t calm, some, full, swap;

	policy_defaults(&pol, POLICY_XMEM);
	dom_demand(&d, 2 * GIB);
	calm = policy_demand_kib(&pol, &d);
	assert_int_equal(calm, 2 * GIB);
	d.psi_some_x100 = 1000; /* 10%: half of full pressure */
	some = policy_demand_kib(&pol, &d);
	assert_true(some > calm);
	d.psi_full_x100 = 5000; /* beyond full */
	full = policy_demand_kib(&pol, &d);
	assert_int_equal(full, 2 * GIB + 2 * GIB * pol.pressure_boost_pct / 100);
	assert_true(full > some);
	d.psi_some_x100 = d.psi_full_x100 = 0;
	d.swap_kib_s = 4 * MIB; /* 0.2% of demand per second */
	swap = policy_demand_kib(&pol, &d);
	assert_true(swap > calm && swap < full);
	/* hyperv's default has no boost: demand is what is used. */
	policy_defaults(&pol, POLICY_HYPERV);
	assert_int_equal(policy_demand_kib(&pol, &d), 2 * GIB);
	/* Committed memory is only a fallback. */
	d.swap_kib_s = 0;
	d.committed_kib = 6 * GIB;
	assert_int_equal(policy_demand_kib(&pol, &d), 2 * GIB);
	d.used_kib = 0;
	assert_int_equal(policy_demand_kib(&pol, &d), 6 * GIB);
}

/*
 * A blind guest (use reported, no stall or swap): under full pressure once
 * its use reaches what it holds, under none before.
 */
static void policy_demand_blind_test(void **state)
{
	struct policy_dom d = dom_make(1, 256 * MIB, 2 * GIB, 8 * GIB);
	struct policy pol;

	(void)state;
	policy_defaults(&pol, POLICY_XMEM);
	dom_demand(&d, GIB);
	d.blind = 1;
	assert_int_equal(policy_demand_kib(&pol, &d), GIB);
	/* Full: 2 GiB held, all of it used (its allocation-terms use). */
	dom_demand(&d, 2 * GIB);
	d.blind = 1;
	assert_int_equal(policy_demand_kib(&pol, &d),
			 2 * GIB + 2 * GIB * pol.pressure_boost_pct / 100);
	/* Within 2% + 4 MiB of what it holds counts as full. */
	dom_demand(&d, 2 * GIB - 40 * MIB);
	d.blind = 1;
	assert_true(policy_demand_kib(&pol, &d) > 2 * GIB);
	/* The same guest with a stall signal it does not show is not boosted. */
	d.blind = 0;
	assert_int_equal(policy_demand_kib(&pol, &d), 2 * GIB - 40 * MIB);
	/* With boost_capped too. */
	pol.boost_capped = 1;
	d.blind = 1;
	assert_true(policy_demand_kib(&pol, &d) > 2 * GIB);
	/*
	 * On a short host, beside a guest that stalls: each full, each holding
	 * 1 GiB of 2.5 GiB. Not counted as under pressure, the blind guest
	 * would stay at 1 GiB while the other took 1.5 GiB; it is, so they share.
	 */
	{
		struct policy_dom two[2] = { dom_make(1, 256 * MIB, GIB, 8 * GIB),
					     dom_make(2, 256 * MIB, GIB, 8 * GIB) };
		struct policy_out out[2];
		struct policy_host h;

		policy_defaults(&pol, POLICY_XMEM);
		dom_demand(&two[0], GIB);
		two[0].blind = 1;
		dom_demand(&two[1], GIB);
		two[1].psi_some_x100 = 10000;
		h = host_make(2 * GIB + GIB / 2, two, 2);
		assert_int_equal(policy_plan(&pol, &h, two, 2, out), 0);
		assert_true(out[0].target_kib >= GIB + GIB / 8);
		two[0].blind = 0;
		assert_int_equal(policy_plan(&pol, &h, two, 2, out), 0);
		assert_true(out[0].target_kib < GIB + GIB / 16);
	}
}

/*
 * boost_capped: only a guest whose used memory reached its MemTotal (its
 * allocation, within 2% + 4 MiB) is boosted, by its stall rate where known.
 */
static void policy_demand_boost_capped_test(void **state)
{
	struct policy_dom d = dom_make(1, 256 * MIB, 2 * GIB, 8 * GIB);
	struct policy pol;
	uint64_t full;

	policy_defaults(&pol, POLICY_XMEM);
	pol.boost_capped = 1;
	full = 2 * GIB + 2 * GIB * pol.pressure_boost_pct / 100;
	/* Far from MemTotal: full PSI and a full stall rate raise nothing. */
	dom_demand(&d, GIB);
	d.psi_some_x100 = 10000;
	d.has_stall = 1;
	d.stall_x100 = 10000;
	assert_int_equal(policy_demand_kib(&pol, &d), GIB);
	/* At MemTotal (2 GiB held, 2 GiB - 40 MiB used): the stall rate decides, not avg10. */
	dom_demand(&d, 2 * GIB - 40 * MIB);
	d.stall_x100 = 0;
	assert_int_equal(policy_demand_kib(&pol, &d), 2 * GIB - 40 * MIB);
	d.psi_some_x100 = 0;
	d.stall_x100 = 2000; /* 20% of the time: full pressure */
	assert_int_equal(policy_demand_kib(&pol, &d), (2 * GIB - 40 * MIB) * 3 / 2);
	d.stall_x100 = 1000;
	assert_int_equal(policy_demand_kib(&pol, &d), (2 * GIB - 40 * MIB) * 5 / 4);
	/* No stall total known: avg10 and the other signals, as without the rule. */
	d.has_stall = 0;
	d.psi_some_x100 = 10000;
	dom_demand(&d, 2 * GIB);
	assert_int_equal(policy_demand_kib(&pol, &d), full);
	/* Just outside 2% + 4 MiB of the allocation: not capped. */
	dom_demand(&d, 2 * GIB - 2 * GIB / 50 - 4 * MIB - 1);
	assert_int_equal(policy_demand_kib(&pol, &d), 2 * GIB - 2 * GIB / 50 - 4 * MIB - 1);
	/* Without the rule, the stall rate is not used and every guest is boosted. */
	pol.boost_capped = 0;
	d.psi_some_x100 = 0;
	d.has_stall = 1;
	d.stall_x100 = 10000;
	dom_demand(&d, GIB);
	assert_int_equal(policy_demand_kib(&pol, &d), GIB);
	d.psi_some_x100 = 10000;
	assert_int_equal(policy_demand_kib(&pol, &d), GIB * 3 / 2);
}

/* No signal yet: the startup size is kept, also when the domain sits elsewhere. */
static void policy_no_signal_startup_test(void **state)
{
	struct policy_dom d[2] = { dom_make(1, 256 * MIB, 3 * GIB, 8 * GIB),
				   dom_make(2, 256 * MIB, GIB, 8 * GIB) };
	struct policy_out out[2];
	struct policy pol;
	struct policy_host h;

	policy_defaults(&pol, POLICY_XMEM);
	pol.surplus = 0; /* the tiers alone (the surplus has tests of its own) */
	d[0].current_kib = d[0].target_kib = 5 * GIB;
	h = host_make(64 * GIB, d, 2);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_int_equal(out[0].demand_kib, 0);
	assert_int_equal(out[0].target_kib, 3 * GIB);
	assert_int_equal(out[0].phase, 1);
	assert_int_equal(out[1].target_kib, GIB);
	assert_int_equal(out[1].apply, 0);
}

/*
 * Guests that report nothing: kept at startup; under scarcity squeezed toward
 * (never below) their minimum, the lower weight first; given silent_surplus_pct
 * of their headroom above startup from the surplus when the policy says so.
 */
static void policy_silent_guests_test(void **state)
{
	struct policy_dom d[3] = { dom_make(1, 256 * MIB, GIB, 3 * GIB),
				   dom_make(2, 256 * MIB, GIB, 3 * GIB),
				   dom_make(3, 256 * MIB, GIB, 4 * GIB) };
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;

	policy_defaults(&pol, POLICY_XMEM);
	assert_int_equal(pol.silent_surplus_pct, 0);
	d[1].weight = 9000;
	d[0].weight = 1000;
	dom_demand(&d[2], 2 * GIB); /* the one that reports */
	h = host_make(64 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].target_kib, GIB);
	assert_int_equal(out[1].target_kib, GIB);
	assert_int_equal(out[0].included, 1);
	/* The surplus tier goes to the reporter only: nothing says the silent need it. */
	assert_true(out[2].target_kib > 2 * GIB + 2 * GIB / 5);
	pol.surplus = 0; /* the rest: the silent rules alone */
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].target_kib, GIB);
	/* Scarce: the reporter keeps its demand; the silent give, low weight first, not below min. */
	d[2].current_kib = d[2].target_kib = 2 * GIB - 512 * MIB;
	h = host_make(3 * GIB + 512 * MIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_true(out[2].target_kib >= 2 * GIB);
	assert_true(out[0].target_kib >= 256 * MIB);
	assert_true(out[1].target_kib >= 256 * MIB);
	assert_true(out[0].target_kib < out[1].target_kib);
	assert_true(out[0].target_kib + out[1].target_kib + out[2].target_kib <= h.total_kib);
	/*
	 * Very scarce (only the minimums and what the reporter cannot give fit):
	 * both silent ones at their minimum, none below. Between the two cases
	 * their startup competes with the others' demand by weight.
	 */
	h = host_make(2 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].target_kib, 256 * MIB);
	assert_int_equal(out[1].target_kib, 256 * MIB);
	/* A surplus share when the policy gives one: half of [startup, max] each. */
	pol.silent_surplus_pct = 50;
	d[2].current_kib = d[2].target_kib = GIB;
	h = host_make(64 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].target_kib, GIB + GIB);
	assert_int_equal(out[1].target_kib, GIB + GIB);
	assert_int_equal(out[2].target_kib, 2 * GIB + 2 * GIB / 5); /* the reporter: unchanged */
	/* A short surplus goes by weight, and never before anyone's demand and buffer. */
	h = host_make(GIB + GIB + 2 * GIB + 2 * GIB / 5 + 512 * MIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[2].target_kib, 2 * GIB + 2 * GIB / 5);
	assert_true(out[1].target_kib > out[0].target_kib);
	assert_true(out[0].target_kib >= GIB);
}

/* Plenty: everyone gets its desired size; the rest stays free without the surplus tier. */
static void policy_plenty_test(void **state)
{
	struct policy_dom d[3] = { dom_make(1, 256 * MIB, GIB, 8 * GIB),
				   dom_make(2, 256 * MIB, GIB, 8 * GIB),
				   dom_make(3, 256 * MIB, GIB, 8 * GIB) };
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;
	size_t i;

	policy_defaults(&pol, POLICY_XMEM);
	pol.surplus = 0;	     /* the tiers alone (the surplus has tests of its own) */
	pol.headroom_halflife_s = 0; /* no history to remember */
	pol.shrink_pct_per_s = 0;
	dom_demand(&d[0], GIB);
	dom_demand(&d[1], 3 * GIB);
	dom_demand(&d[2], 512 * MIB);
	h = host_make(32 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(out[i].target_kib, out[i].desired_kib);
	assert_true(sum_targets(out, 3) + 2 >= (GIB + 3 * GIB + 512 * MIB) * 12 / 10);
	assert_true(sum_targets(out, 3) <= (GIB + 3 * GIB + 512 * MIB) * 12 / 10);
	assert_true(sum_targets(out, 3) < 6 * GIB); /* 26 GiB stay free */
	/* With the surplus tier (the default), they are handed out: all at max here. */
	pol.surplus = 1;
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(out[i].target_kib, 8 * GIB);
		assert_true(out[i].desired_kib < 8 * GIB);
	}
}

/* Scarcity: demand before buffers, minimums always, and weight decides who keeps its buffer. */
static void policy_scarcity_weight_test(void **state)
{
	struct policy_dom d[2] = { dom_make(1, 512 * MIB, GIB, 16 * GIB),
				   dom_make(2, 512 * MIB, GIB, 16 * GIB) };
	struct policy_out out[2];
	struct policy pol;
	struct policy_host h;
	uint64_t total, prev_hi_buf = 0, prev_lo_buf = 0;
	int saw_hi_full_lo_cut = 0;

	policy_defaults(&pol, POLICY_XMEM);
	pol.headroom_halflife_s = 0;
	pol.shrink_pct_per_s = 0;
	dom_demand(&d[0], 5 * GIB);
	dom_demand(&d[1], 5 * GIB);
	d[0].weight = 8000;
	d[1].weight = 2000;
	/* Shrink the host from everything (12 GiB) down to the demands (10 GiB). */
	for (total = 12 * GIB; total >= 10 * GIB; total -= 64 * MIB) {
		uint64_t hi_buf, lo_buf;

		d[0].current_kib = d[0].target_kib = d[1].current_kib = d[1].target_kib = 0;
		d[0].target_kib = d[1].target_kib = 512 * MIB;
		d[0].current_kib = d[1].current_kib = 512 * MIB;
		h = host_make(total, d, 2);
		assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
		assert_true(sum_targets(out, 2) <= total);
		assert_true(out[0].target_kib >= 5 * GIB);
		assert_true(out[1].target_kib >= 5 * GIB);
		hi_buf = out[0].target_kib - 5 * GIB;
		lo_buf = out[1].target_kib - 5 * GIB;
		assert_true(hi_buf >= lo_buf);
		if (total < 12 * GIB)
			assert_true(hi_buf <= prev_hi_buf && lo_buf <= prev_lo_buf);
		/* Once both are cut, what they keep is in proportion to their weights. */
		if (hi_buf < GIB) {
			int64_t skew = (int64_t)(hi_buf * 2001) - (int64_t)(lo_buf * 8001);

			assert_true(skew < 20 * 8001 && skew > -20 * 8001);
		}
		if (hi_buf == GIB && lo_buf < GIB)
			saw_hi_full_lo_cut = 1;
		prev_hi_buf = hi_buf;
		prev_lo_buf = lo_buf;
	}
	assert_true(saw_hi_full_lo_cut);
	assert_true(prev_hi_buf < 64 * MIB && prev_lo_buf < 16 * MIB);
	/* Below the sum of demands, demands are shared by weight; minimums still hold. */
	h = host_make(3 * GIB, d, 2);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_true(out[0].target_kib > out[1].target_kib);
	assert_true(out[1].target_kib >= 512 * MIB);
	assert_true(sum_targets(out, 2) <= 3 * GIB);
	/* Below the sum of minimums: bounds win, everyone at its minimum. */
	h = host_make(512 * MIB, d, 2);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_int_equal(out[0].target_kib, 512 * MIB);
	assert_int_equal(out[1].target_kib, 512 * MIB);
}

/*
 * Weighted max-min fairness, checked by its definition on many domains:
 * the budget is used exactly, every domain short of its buffer has gained
 * the same amount per unit of weight (up to rounding), and every domain
 * that has all its buffer needed no more than that per unit of weight.
 */
static void policy_scarcity_fairness_test(void **state)
{
	enum { N = 500 };
	static struct policy_dom d[N];
	static struct policy_out out[N];
	struct policy pol;
	struct policy_host h;
	uint64_t seed = 99, sum_need = 0, sum_buf = 0, budget;
	double lo, hi, w;
	size_t i, round;

	policy_defaults(&pol, POLICY_HYPERV);
	for (round = 0; round < 20; round++) {
		sum_need = sum_buf = 0;
		for (i = 0; i < N; i++) {
			d[i] = dom_make((uint32_t)i + 1, 64 * MIB, GIB, 64 * GIB);
			d[i].weight = lcg(&seed) % 4 ? (unsigned int)(lcg(&seed) % 10001)
						     : 1000 * (unsigned int)(lcg(&seed) % 10);
			dom_demand(&d[i], 64 * MIB + lcg(&seed) % (8 * GIB));
			sum_need += d[i].used_kib;
			sum_buf += d[i].used_kib + d[i].used_kib / 5;
		}
		budget = sum_need + (sum_buf - sum_need) * (lcg(&seed) % 1000) / 1000;
		h = host_make(budget, d, N);
		h.free_kib = budget; /* nothing held: the budget is exactly the total */
		for (i = 0; i < N; i++)
			d[i].current_kib = 0;
		assert_int_equal(policy_budget_kib(&h, d, N), budget);
		assert_int_equal(policy_plan(&pol, &h, d, N, out), 0);
		assert_int_equal(sum_targets(out, N), budget);
		/* One level L within 1 KiB of every open domain's gain per weight. */
		lo = 0;
		hi = 1e300;
		for (i = 0; i < N; i++) {
			double gain = (double)(out[i].target_kib - d[i].used_kib);

			w = d[i].weight + 1;
			assert_true(out[i].target_kib >= d[i].used_kib);
			assert_true(out[i].target_kib <= out[i].desired_kib);
			if (out[i].target_kib < out[i].desired_kib) {
				if ((gain - 1) / w > lo)
					lo = (gain - 1) / w;
				if ((gain + 1) / w < hi)
					hi = (gain + 1) / w;
			}
		}
		assert_true(lo <= hi * (1 + 1e-12));
		/* Satisfied domains needed no more than L per unit of weight. */
		for (i = 0; i < N; i++) {
			double gain = (double)(out[i].target_kib - d[i].used_kib);

			w = d[i].weight + 1;
			if (out[i].target_kib == out[i].desired_kib)
				assert_true((gain - 1) / w <= hi * (1 + 1e-12));
		}
	}
}

/*
 * A guest never gives its working set: under scarcity, what it uses (or
 * holds, if less) comes right after dynamic-min, before anyone's demand,
 * whatever the weights; only a budget below that cuts into it.
 */
static void policy_working_set_test(void **state)
{
	struct policy_dom d[2] = { dom_make(1, 256 * MIB, 3 * GIB, 8 * GIB),
				   dom_make(2, 256 * MIB, GIB, 8 * GIB) };
	struct policy_out out[2];
	struct policy pol;
	struct policy_host h;
	size_t k;

	for (k = 0; k < 2; k++) {
		policy_defaults(&pol, k ? POLICY_HYPERV : POLICY_XMEM);
		dom_demand(&d[0], 3 * GIB); /* holds 3 GiB and uses all of it */
		dom_demand(&d[1], 4 * GIB); /* holds 1 GiB, wants 4 */
		d[0].weight = 1000;
		d[1].weight = 9000;
		h = host_make(6 * GIB, d, 2);
		assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
		assert_int_equal(out[0].target_kib, 3 * GIB);
		assert_int_equal(out[1].target_kib, 3 * GIB);
		/* It holds less than it uses: what it holds is the floor. */
		d[0].current_kib = d[0].target_kib = 2 * GIB;
		h = host_make(6 * GIB, d, 2);
		assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
		assert_true(out[0].target_kib >= 2 * GIB);
		/* A reservation beyond what the guests can give cuts in, the sum still fits. */
		d[0].current_kib = d[0].target_kib = 3 * GIB;
		h = host_make(6 * GIB, d, 2);
		h.reserved_kib = 3 * GIB;
		assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
		assert_true(sum_targets(out, 2) <= 3 * GIB);
		assert_true(out[0].target_kib >= 256 * MIB && out[1].target_kib >= 256 * MIB);
	}
	/* squeezed's rule knows nothing of it (as squeezed). */
	policy_defaults(&pol, POLICY_PROPORTIONAL);
	h = host_make(6 * GIB, d, 2);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_int_equal(out[0].target_kib, out[1].target_kib);
}

/* Grow fast: a demand rise is met in one plan. */
static void policy_stability_grow_fast_test(void **state)
{
	struct policy_dom d = dom_make(1, 256 * MIB, GIB, 16 * GIB);
	struct policy_out out;
	struct policy pol;
	struct policy_host h;

	policy_defaults(&pol, POLICY_XMEM);
	pol.surplus = 0; /* the tiers alone (the surplus has tests of its own) */
	dom_demand(&d, 6 * GIB);
	d.last_change_ms = 99999000; /* changed a second ago */
	h = host_make(64 * GIB, &d, 1);
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.target_kib, 6 * GIB * 12 / 10);
	assert_int_equal(out.apply, 1);
	assert_int_equal(out.phase, 2);
}

/* Shrink slowly: a fall in demand is followed gradually, to the end. */
static void policy_stability_shrink_slow_test(void **state)
{
	struct policy_dom d = dom_make(1, 256 * MIB, 8 * GIB, 16 * GIB);
	struct policy_out out;
	struct policy pol;
	struct policy_host h;
	uint64_t want = 2 * GIB * 12 / 10, t;

	policy_defaults(&pol, POLICY_XMEM);
	pol.surplus = 0; /* the tiers alone (the surplus has tests of its own) */
	pol.headroom_halflife_s = 0;
	dom_demand(&d, 2 * GIB);
	h = host_make(64 * GIB, &d, 1);
	d.last_change_ms = h.now_ms - 1000; /* one second: at most 1% of the excess */
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_true(out.desired_kib + 1 >= 8 * GIB - (8 * GIB - want) / 100);
	assert_true(out.desired_kib <= 8 * GIB - (8 * GIB - want) / 100);
	assert_true(out.target_kib >= out.desired_kib - pol.deadband_kib);
	d.last_change_ms = h.now_ms - 60000; /* a minute: under half of it */
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_true(out.target_kib > want + (8 * GIB - want) / 2);
	assert_true(out.target_kib < 8 * GIB);
	assert_int_equal(out.phase, 1);
	d.last_change_ms = h.now_ms - 3600000; /* an hour: all of it */
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.target_kib, want);
	/* With the headroom half-life (the default), half an hour keeps more than half the excess. */
	policy_defaults(&pol, POLICY_XMEM);
	pol.surplus = 0; /* the tiers alone (the surplus has tests of its own) */
	d.last_change_ms = h.now_ms - 1800000;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	t = out.target_kib;
	assert_true(t > want + (8 * GIB - want) / 2);
	d.last_change_ms = h.now_ms - 3600000;
	/* ... and the fed-back desired size is what decays when the caller gives it. */
	d.prev_desired_kib = 4 * GIB;
	d.prev_plan_ms = h.now_ms - (uint64_t)pol.headroom_halflife_s * 1000; /* one half-life */
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_true(out.desired_kib + 1 >= want + (4 * GIB - want) / 2);
	assert_true(out.desired_kib <= want + (4 * GIB - want) / 2);
	/* Scarcity takes remembered memory back at once, not slowly. */
	d.prev_desired_kib = 0;
	h.total_kib = h.free_kib = 3 * GIB;
	h.free_kib = 0;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.target_kib, 3 * GIB);
}

/* Deadband: tiny changes are not written; the target in force stays, unless below demand. */
static void policy_stability_deadband_test(void **state)
{
	struct policy_dom d = dom_make(1, 256 * MIB, 2400 * MIB, 16 * GIB);
	struct policy_out out;
	struct policy pol;
	struct policy_host h;

	policy_defaults(&pol, POLICY_XMEM); /* deadband: 10% of 2400 MiB = 240 MiB */
	pol.surplus = 0;		    /* the tiers alone (the surplus has tests of its own) */
	pol.headroom_halflife_s = 0;
	pol.shrink_pct_per_s = 0;
	dom_demand(&d, 2000 * MIB + 5 * MIB); /* wants 2406 MiB: 6 MiB up */
	h = host_make(64 * GIB, &d, 1);
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.target_kib, 2400 * MIB);
	assert_int_equal(out.apply, 0);
	assert_int_equal(out.phase, 0);
	dom_demand(&d, 1900 * MIB); /* wants 2280 MiB: 120 MiB down */
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.apply, 0);
	dom_demand(&d, 2300 * MIB); /* wants 2760 MiB: 360 MiB up */
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.apply, 1);
	assert_int_equal(out.target_kib, 2760 * MIB);
	/*
	 * A wide deadband keeps a lower target only while it leaves the guest
	 * half its buffer above its demand, and never one below the demand.
	 */
	pol.deadband_pct = 50;
	dom_demand(&d, 2150 * MIB); /* wants 2580: 2400 leaves 250 MiB, over half of 430 */
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.apply, 0);
	dom_demand(&d, 2200 * MIB); /* wants 2640: 2400 leaves 200 MiB, under half of 440 */
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.apply, 1);
	assert_int_equal(out.target_kib, 2640 * MIB);
	dom_demand(&d, 2450 * MIB);
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.apply, 1);
	assert_int_equal(out.target_kib, 2940 * MIB);
	/*
	 * A small guest: 256 MiB, demand 240 MiB. The 64 MiB deadband alone
	 * would keep it until it stalled; its buffer makes it grow.
	 */
	policy_defaults(&pol, POLICY_XMEM);
	pol.surplus = 0; /* the tiers alone (the surplus has tests of its own) */
	pol.headroom_halflife_s = 0;
	pol.shrink_pct_per_s = 0;
	d = dom_make(1, 128 * MIB, 256 * MIB, 512 * MIB);
	dom_demand(&d, 240 * MIB);
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.apply, 1);
	assert_int_equal(out.target_kib, 288 * MIB);
	dom_demand(&d, 200 * MIB); /* wants 240: 256 leaves 56 MiB, over half of 40 */
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.apply, 0);
	/* hyperv has no deadband: every change is written. */
	policy_defaults(&pol, POLICY_HYPERV);
	dom_demand(&d, 2000 * MIB + 5 * MIB);
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.apply, 1);
}

/*
 * No oscillation on a steady workload: plan every second, balloons follow
 * their targets at 64 MiB/s, demand jitters by under 1%. Each domain's
 * target moves one way only (up from a small start, down slowly from a
 * large one), and from a small start it settles: nothing more is written.
 * Also on a host too small for every buffer.
 */
static void policy_stability_steady_test(void **state)
{
	struct policy_dom d[4];
	struct policy_out out[4];
	struct policy pol;
	struct policy_host h;
	uint64_t seed = 7, total, startup;
	unsigned int writes_late, writes, step, k;
	int dir[4];
	size_t i;

	for (k = 0; k < 4; k++) {
		total = k % 2 == 0 ? 64 * GIB : 9 * GIB; /* demands 8 GiB, buffers 9.6 GiB */
		startup = k < 2 ? GIB : 4 * GIB;
		for (i = 0; i < 4; i++) {
			d[i] = dom_make((uint32_t)i + 1, 256 * MIB, startup, 16 * GIB);
			d[i].weight = 2000 * (uint32_t)(i + 1);
			dir[i] = 0;
		}
		policy_defaults(&pol, POLICY_XMEM);
		writes_late = writes = 0;
		for (step = 0; step < 3000; step++) {
			uint64_t held = 0;

			for (i = 0; i < 4; i++) {
				dom_demand(&d[i], 2 * GIB + lcg(&seed) % (16 * MIB));
				held += d[i].current_kib;
			}
			h.total_kib = total;
			h.free_kib = total - held;
			h.floor_kib = h.reserved_kib = h.claimed_kib = 0;
			h.now_ms = (uint64_t)step * 1000;
			assert_int_equal(policy_plan(&pol, &h, d, 4, out), 0);
			assert_true(sum_targets(out, 4) <= total);
			for (i = 0; i < 4; i++) {
				if (out[i].apply) {
					int now_dir = out[i].target_kib > d[i].target_kib ? 1 : -1;

					if (dir[i] == 0)
						dir[i] = now_dir;
					assert_int_equal(now_dir, dir[i]);
					writes++;
					writes_late += step >= 1500;
					d[i].target_kib = out[i].target_kib;
					d[i].last_change_ms = h.now_ms;
				}
				d[i].prev_desired_kib = out[i].desired_kib;
				d[i].prev_plan_ms = h.now_ms;
			}
			/* Balloons: shrink first, then grow from what is free. */
			for (i = 0; i < 4; i++)
				if (d[i].current_kib > d[i].target_kib)
					d[i].current_kib -=
						d[i].current_kib - d[i].target_kib > 64 * MIB
							? 64 * MIB
							: d[i].current_kib - d[i].target_kib;
			held = 0;
			for (i = 0; i < 4; i++)
				held += d[i].current_kib;
			for (i = 0; i < 4; i++) {
				uint64_t up = 0;

				if (d[i].target_kib > d[i].current_kib)
					up = d[i].target_kib - d[i].current_kib;
				if (up > 64 * MIB)
					up = 64 * MIB;
				if (up > total - held)
					up = total - held;
				d[i].current_kib += up;
				held += up;
			}
		}
		if (startup == GIB)
			assert_int_equal(writes_late, 0);
		assert_true(writes < 100);
	}
}

/* Reservations and the floor come off before anything is handed out. */
static void policy_reservation_floor_test(void **state)
{
	struct policy_dom d[2] = { dom_make(1, 256 * MIB, GIB, 32 * GIB),
				   dom_make(2, 256 * MIB, GIB, 32 * GIB) };
	struct policy_out out[2];
	struct policy pol;
	struct policy_host h;

	policy_defaults(&pol, POLICY_XMEM);
	dom_demand(&d[0], 10 * GIB);
	dom_demand(&d[1], 10 * GIB);
	h = host_make(20 * GIB, d, 2);
	h.floor_kib = 512 * MIB;
	h.reserved_kib = 4 * GIB;
	assert_int_equal(policy_budget_kib(&h, d, 2), 20 * GIB - 512 * MIB - 4 * GIB);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_true(sum_targets(out, 2) <= 20 * GIB - 512 * MIB - 4 * GIB);
	assert_true(sum_targets(out, 2) >= 20 * GIB - 512 * MIB - 4 * GIB - MIB);
	/* Claims too; and free memory is believed over the total when lower. */
	h.claimed_kib = GIB;
	assert_int_equal(policy_budget_kib(&h, d, 2), 20 * GIB - 512 * MIB - 5 * GIB);
	h.free_kib -= 2 * GIB; /* e.g. Xen's own memory */
	assert_int_equal(policy_budget_kib(&h, d, 2), 18 * GIB - 512 * MIB - 5 * GIB);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_true(sum_targets(out, 2) <= 18 * GIB - 512 * MIB - 5 * GIB);
	/* Growth promised to a domain outside the plan is not handed out either. */
	h.promised_kib = 296;
	assert_int_equal(policy_budget_kib(&h, d, 2), 18 * GIB - 512 * MIB - 5 * GIB - 296);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_true(sum_targets(out, 2) <= 18 * GIB - 512 * MIB - 5 * GIB - 296);
	/* Proportional and static respect it too. */
	policy_defaults(&pol, POLICY_PROPORTIONAL);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_true(sum_targets(out, 2) <= 18 * GIB - 512 * MIB - 5 * GIB);
}

/* Uncooperative domains are left out and their memory is not counted as reclaimable. */
static void policy_uncooperative_test(void **state)
{
	struct policy_dom d[3] = { dom_make(1, 256 * MIB, 8 * GIB, 32 * GIB),
				   dom_make(2, 256 * MIB, GIB, 32 * GIB),
				   dom_make(3, 256 * MIB, 6 * GIB, 32 * GIB) };
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;

	policy_defaults(&pol, POLICY_XMEM);
	dom_demand(&d[0], GIB); /* would shrink a lot, but is stuck */
	dom_demand(&d[1], 10 * GIB);
	dom_demand(&d[2], 4 * GIB);
	d[0].target_kib = 2 * GIB; /* asked to shrink, did not */
	d[0].cooperative = 0;
	d[2].balloon = POLICY_BALLOON_GAVE_UP;
	h = host_make(20 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].included, 0);
	assert_int_equal(out[0].apply, 0);
	assert_int_equal(out[0].target_kib, 2 * GIB);
	assert_int_equal(out[2].included, 0);
	assert_int_equal(out[2].apply, 0);
	/* Only what is not held by the stuck ones: 20 - 8 - 6 GiB. */
	assert_int_equal(out[1].target_kib, 6 * GIB);
	/* Once it moves again it is back in the plan. */
	d[0].cooperative = 1;
	d[2].balloon = POLICY_BALLOON_WORKING;
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].included, 1);
	assert_int_equal(out[0].apply, 1);
	assert_int_equal(out[0].phase, 1);
	assert_true(out[1].target_kib > 6 * GIB);
	/* Unmanaged and balloon-less domains are left alone the same way. */
	d[0].managed = 0;
	d[2].has_balloon = 0;
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].included, 0);
	assert_int_equal(out[2].included, 0);
	assert_int_equal(out[1].target_kib, 6 * GIB);
}

/* Proportional is squeezed's rule: one fraction of [min, max] for all, whatever the demand. */
static void policy_proportional_test(void **state)
{
	struct policy_dom d[3] = { dom_make(1, GIB, 2 * GIB, 5 * GIB),
				   dom_make(2, 2 * GIB, 2 * GIB, 10 * GIB),
				   dom_make(3, 0, GIB, 4 * GIB) };
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;
	size_t i;

	policy_defaults(&pol, POLICY_PROPORTIONAL);
	dom_demand(&d[0], 5 * GIB);
	dom_demand(&d[1], 0);
	d[2].weight = 10000;
	/* Ranges 4 + 8 + 4 = 16 GiB over minimums 3 GiB; host 11 GiB: gamma = 0.5. */
	h = host_make(11 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	for (i = 0; i < 3; i++) {
		uint64_t want = d[i].min_kib + (d[i].max_kib - d[i].min_kib) / 2;

		assert_true(out[i].target_kib <= want && out[i].target_kib + 64 >= want);
	}
	/* Plenty: all at max; scarce: all at min. */
	h = host_make(40 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(out[i].target_kib, d[i].max_kib);
	h = host_make(3 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(out[i].target_kib, d[i].min_kib);
}

/* Static: every domain keeps its startup size, whatever its demand. */
static void policy_static_test(void **state)
{
	struct policy_dom d[2] = { dom_make(1, GIB, 3 * GIB, 5 * GIB),
				   dom_make(2, GIB, 2 * GIB, 10 * GIB) };
	struct policy_out out[2];
	struct policy pol;
	struct policy_host h;

	policy_defaults(&pol, POLICY_STATIC);
	dom_demand(&d[0], 5 * GIB);
	dom_demand(&d[1], 100 * MIB);
	d[0].current_kib = d[0].target_kib = 4 * GIB;
	h = host_make(40 * GIB, d, 2);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_int_equal(out[0].target_kib, 3 * GIB);
	assert_int_equal(out[1].target_kib, 2 * GIB);
}

/* hyperv: demand x 1.2 and nothing more (no remembered peak, no slow shrink). */
static void policy_hyperv_test(void **state)
{
	struct policy_dom d = dom_make(1, 256 * MIB, 8 * GIB, 16 * GIB);
	struct policy_out out;
	struct policy pol;
	struct policy_host h;

	policy_defaults(&pol, POLICY_HYPERV);
	dom_demand(&d, 2 * GIB);
	d.psi_full_x100 = 10000;
	h = host_make(64 * GIB, &d, 1);
	d.last_change_ms = h.now_ms - 1000;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.target_kib, 2 * GIB * 12 / 10);
}

/*
 * spread: demand x 1.2 first (weights under scarcity, as hyperv), then every
 * byte left spread max-min fair up to each maximum.
 */
static void policy_spread_test(void **state)
{
	struct policy_dom d[3] = { dom_make(1, 256 * MIB, GIB, 2 * GIB),
				   dom_make(2, 256 * MIB, GIB, 16 * GIB),
				   dom_make(3, 256 * MIB, GIB, 16 * GIB) };
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;
	size_t i;

	policy_defaults(&pol, POLICY_SPREAD);
	for (i = 0; i < 3; i++)
		dom_demand(&d[i], GIB);
	/* 12 GiB: 3.6 for the buffered demand, 8.4 left; d1 stops at 2, d2 and d3 share the rest. */
	h = host_make(12 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].target_kib, 2 * GIB);
	assert_true(out[1].target_kib + 1 >= 5 * GIB && out[1].target_kib <= 5 * GIB + 1);
	assert_true(out[2].target_kib + 1 >= 5 * GIB && out[2].target_kib <= 5 * GIB + 1);
	assert_int_equal(sum_targets(out, 3), 12 * GIB);
	/* Plenty: everyone at its maximum. */
	h = host_make(64 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(out[i].target_kib, d[i].max_kib);
	/* Scarcity: below the buffered demand spread gives what hyperv gives. */
	h = host_make(3 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(out[i].target_kib, GIB);
}

/* xmem with only the surplus tier's rules: no deadband, no remembered peaks. */
static void pol_surplus(struct policy *pol, uint64_t keep_free_kib)
{
	policy_defaults(pol, POLICY_XMEM);
	pol->deadband_kib = 0;
	pol->deadband_pct = 0;
	pol->shrink_pct_per_s = 0;
	pol->headroom_halflife_s = 0;
	pol->cover_halflife_s = 0;
	pol->keep_free_kib = keep_free_kib;
}

/* The surplus is handed out up to the maximums, keeping keep_free free. */
static void policy_surplus_keep_free_test(void **state)
{
	struct policy_dom d[2] = { dom_make(1, 256 * MIB, 2 * GIB, 16 * GIB),
				   dom_make(2, 256 * MIB, 2 * GIB, 16 * GIB) };
	struct policy_out out[2];
	struct policy pol;
	struct policy_host h;

	dom_demand(&d[0], GIB);
	dom_demand(&d[1], GIB);
	h = host_make(12 * GIB, d, 2);
	pol_surplus(&pol, 2 * GIB);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	/* 12 GiB, 2 kept free: 10 handed out, 5 each; desired stays the buffered demand. */
	assert_int_equal(sum_targets(out, 2), 10 * GIB);
	assert_int_equal(out[0].target_kib, 5 * GIB);
	assert_int_equal(out[0].desired_kib, GIB * 12 / 10);
	/* keep_free larger than what is left: nothing beyond the tiers. */
	pol_surplus(&pol, 11 * GIB);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_int_equal(out[0].target_kib, GIB * 12 / 10);
	assert_int_equal(out[1].target_kib, GIB * 12 / 10);
	/* The surplus off: the rest stays free, as before the tier existed. */
	pol_surplus(&pol, 0);
	pol.surplus = 0;
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_int_equal(sum_targets(out, 2), 2 * (GIB * 12 / 10));
	/* hyperv and spread never get the tier (spread's own top tier is the maximum). */
	policy_defaults(&pol, POLICY_HYPERV);
	pol.surplus = 1;
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_int_equal(sum_targets(out, 2), 2 * (GIB * 12 / 10));
}

/* Never above a maximum: what one cannot take goes to the others. */
static void policy_surplus_max_test(void **state)
{
	struct policy_dom d[3] = { dom_make(1, 256 * MIB, GIB, 2 * GIB),
				   dom_make(2, 256 * MIB, GIB, 3 * GIB),
				   dom_make(3, 256 * MIB, GIB, 64 * GIB) };
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;
	size_t i;

	for (i = 0; i < 3; i++)
		dom_demand(&d[i], GIB);
	pol_surplus(&pol, 0);
	h = host_make(20 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].target_kib, 2 * GIB);
	assert_int_equal(out[1].target_kib, 3 * GIB);
	assert_int_equal(out[2].target_kib, 15 * GIB);
	/* A host larger than every maximum: all at their maximums, the rest free. */
	h = host_make(200 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(out[i].target_kib, d[i].max_kib);
}

/* Shared by weight and by volatility (the swing: the recent largest rise of demand). */
static void policy_surplus_weight_swing_test(void **state)
{
	struct policy_dom d[2] = { dom_make(1, 256 * MIB, 2 * GIB, 64 * GIB),
				   dom_make(2, 256 * MIB, 2 * GIB, 64 * GIB) };
	struct policy_out out[2];
	struct policy pol;
	struct policy_host h;
	uint64_t base = GIB * 12 / 10, g0, g1;

	dom_demand(&d[0], GIB);
	dom_demand(&d[1], GIB);
	pol_surplus(&pol, 0);
	/* Weight: twice the weight, twice the share of the surplus (weights are w + 1). */
	d[0].weight = 2 * 3000 + 1;
	d[1].weight = 3000;
	h = host_make(2 * base + 9 * GIB, d, 2);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	g0 = out[0].target_kib - base;
	g1 = out[1].target_kib - base;
	assert_true(g0 + 2 >= 6 * GIB && g0 <= 6 * GIB + 2);
	assert_true(g1 + 2 >= 3 * GIB && g1 <= 3 * GIB + 2);
	/*
	 * Volatility: equal weights; d0's demand rose by 2 GiB since the
	 * previous plan (fed back), d1's did not. d0's swing keeps demand + 2 GiB
	 * as its remembered tier, and its surplus weight is base + swing
	 * (1 + 2 GiB) against d1's 1 GiB.
	 */
	d[0].weight = d[1].weight = POLICY_WEIGHT_DEFAULT;
	d[0].prev_plan_ms = d[1].prev_plan_ms = h.now_ms - 1000;
	d[0].prev_demand_kib = GIB;
	d[1].prev_demand_kib = GIB;
	dom_demand(&d[0], 3 * GIB);
	h = host_make(3 * GIB + 2 * GIB + base + 12 * GIB, d, 2);
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_int_equal(out[0].swing_kib, 2 * GIB);
	assert_int_equal(out[1].swing_kib, 0);
	assert_int_equal(out[0].desired_kib, 5 * GIB);
	g0 = out[0].target_kib - 5 * GIB;
	g1 = out[1].target_kib - base;
	assert_true(g0 + 2 >= 9 * GIB && g0 <= 9 * GIB + 2);
	assert_true(g1 + 2 >= 3 * GIB && g1 <= 3 * GIB + 2);
	/* The swing is remembered, decaying with the headroom half-life. */
	pol.headroom_halflife_s = 3600;
	d[0].prev_demand_kib = 3 * GIB;
	d[0].prev_swing_kib = 2 * GIB;
	d[0].prev_plan_ms = h.now_ms - 3600 * 1000;
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_int_equal(out[0].swing_kib, GIB);
}

/* Taken back first: another domain's rise takes surplus before any remembered peak or buffer. */
static void policy_surplus_taken_first_test(void **state)
{
	struct policy_dom d[2] = { dom_make(1, 256 * MIB, 2 * GIB, 64 * GIB),
				   dom_make(2, 256 * MIB, 2 * GIB, 64 * GIB) };
	struct policy_out out[2];
	struct policy pol;
	struct policy_host h;

	pol_surplus(&pol, 0);
	pol.headroom_halflife_s = 7200;
	dom_demand(&d[0], GIB);
	dom_demand(&d[1], GIB);
	/* d0 remembers a recent peak of 4 GiB (desired fed back a second ago). */
	d[0].prev_desired_kib = 4 * GIB;
	d[0].prev_plan_ms = 0;
	h = host_make(16 * GIB, d, 2);
	d[0].prev_plan_ms = h.now_ms - 1000;
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_true(out[0].target_kib > 4 * GIB + GIB);
	assert_true(out[1].target_kib > GIB * 12 / 10 + GIB);
	/* d1 now needs 10 GiB, 12 buffered: the surplus goes, d0's peak and buffer stay. */
	dom_demand(&d[1], 10 * GIB);
	d[0].current_kib = d[0].target_kib = out[0].target_kib;
	d[1].current_kib = d[1].target_kib = out[1].target_kib;
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_true(out[0].target_kib >= 4 * GIB - 4 * MIB && out[0].target_kib <= 4 * GIB);
	assert_true(out[1].target_kib >= 12 * GIB && out[1].target_kib <= 12 * GIB + 4 * MIB);
	assert_int_equal(out[0].phase, 1);
	/* Tighter still (14 GiB): d0's peak goes next, its buffer stays. */
	h.total_kib = 14 * GIB;
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_int_equal(out[0].target_kib, 2 * GIB);
	assert_int_equal(out[1].target_kib, 12 * GIB);
}

/* The cover tier's rules alone: xmem with no deadband, no remembered peaks, no surplus. */
static void pol_cover(struct policy *pol)
{
	policy_defaults(pol, POLICY_XMEM);
	pol->deadband_kib = 0;
	pol->deadband_pct = 0;
	pol->shrink_pct_per_s = 0;
	pol->headroom_halflife_s = 0;
	pol->surplus = 0;
	pol->keep_free_kib = 0;
	pol->cover_halflife_s = 3600;
	pol->cover_rise_s = 300;
}

/* The level bin of v (policy.h's ladder: 2^(1/8) apart from 16 MiB). */
static unsigned int level_bin(uint64_t v)
{
	double b = floor(log2((double)v / POLICY_COVER_LEVEL_BASE_KIB) *
			 POLICY_COVER_LEVEL_PER_OCTAVE);

	return b < 1 ? 0 : (unsigned int)b;
}

/* Upper edge of level bin b, in KiB. */
static double level_edge(unsigned int b)
{
	return POLICY_COVER_LEVEL_BASE_KIB * exp2((double)(b + 1) / POLICY_COVER_LEVEL_PER_OCTAVE);
}

/* The rise bin of v (2^(1/4) apart from 4 MiB). */
static unsigned int rise_bin(uint64_t v)
{
	double b =
		floor(log2((double)v / POLICY_COVER_RISE_BASE_KIB) * POLICY_COVER_RISE_PER_OCTAVE);

	return b < 1 ? 0 : (unsigned int)b;
}

/* The mass stored in m of out's history as it stands at now_ms (policy.h). */
static double hist_mass(const struct policy *pol, const struct policy_dom *d, float m,
			uint64_t now_ms)
{
	return m * exp2(-((double)now_ms - (double)d->history->ref_ms) / 1000.0 /
			pol->cover_halflife_s);
}

/*
 * One domain (256 MiB to 8 GiB) of demand demand_kib on a 16 GiB host, fed
 * back a plan ago_ms ago at 1 GiB with the empty history prev; the plan
 * writes next (which may be prev).
 */
static void cover_one(struct policy_dom *d, struct policy_host *h, struct policy_history *prev,
		      struct policy_history *next, uint64_t demand_kib, uint64_t ago_ms)
{
	*d = dom_make(1, 256 * MIB, 2 * GIB, 8 * GIB);
	memset(prev, 0, sizeof(*prev));
	d->prev_history = prev;
	d->history = next;
	dom_demand(d, demand_kib);
	*h = host_make(16 * GIB, d, 1);
	d->prev_plan_ms = h->now_ms - ago_ms;
	d->prev_demand_kib = GIB;
}

/*
 * The history: the time since the previous plan is recorded at that plan's
 * demand, a rise in its bin, and what was fed back decays by the half-life.
 */
static void policy_cover_history_test(void **state)
{
	struct policy_dom d;
	struct policy_history ph, oh;
	struct policy_out out;
	struct policy pol;
	struct policy_host h;
	unsigned int b1 = level_bin(GIB), b3 = level_bin(3 * GIB), r = rise_bin(512 * MIB);
	uint64_t now;
	double mass;

	(void)state;
	pol_cover(&pol);
	cover_one(&d, &h, &ph, &oh, GIB + 512 * MIB, 3600 * 1000); /* one half-life ago */
	now = h.now_ms;
	ph.level[b3] = 0.8f; /* ref_ms 0: as of the previous plan */
	ph.rise[2] = 0.2f;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_float_equal(hist_mass(&pol, &d, d.history->level[b3], now), 0.4, 1e-6);
	assert_float_equal(hist_mass(&pol, &d, d.history->level[b1], now), 0.5, 1e-6);
	assert_float_equal(hist_mass(&pol, &d, d.history->rise[2], now), 0.1, 1e-6);
	assert_float_equal(hist_mass(&pol, &d, d.history->rise[r], now), M_LN2 * 300 / 3600, 1e-6);
	/* Updated in place an hour later: a quarter of what was fed first. */
	d.prev_history = d.history;
	d.prev_plan_ms = now;
	h.now_ms = now + 3600 * 1000;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_float_equal(hist_mass(&pol, &d, d.history->level[b3], h.now_ms), 0.2, 1e-6);
	/* b1: its half from the first hour halved, plus half for the second. */
	assert_float_equal(hist_mass(&pol, &d, d.history->level[b1], h.now_ms), 0.75, 1e-6);
	/* A stored mass that went bad between plans counts as none when added to. */
	d.history->level[b1] = NAN;
	d.prev_plan_ms = h.now_ms;
	h.now_ms += 3600 * 1000;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	mass = hist_mass(&pol, &d, d.history->level[b1], h.now_ms);
	assert_true(mass > 0.5 - 1e-6 && mass < 0.5 + 1e-6); /* not a number fails this too */
	h.now_ms -= 3600 * 1000;
	/* Long after: the stored masses are brought to the present, the same masses. */
	d.prev_plan_ms = h.now_ms = now + 17 * 3600 * 1000;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(d.history->ref_ms, h.now_ms);
	assert_float_equal(d.history->level[b3], 0.2 * exp2(-16), 1e-10);
	h.now_ms = now;
	d.prev_plan_ms = now - 3600 * 1000;
	memset(&ph, 0, sizeof(ph));
	d.prev_history = &ph;
	/* No rise, no new rise mass; no feedback, no history; off, none. */
	dom_demand(&d, GIB);
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_float_equal(d.history->rise[r], 0, 1e-9);
	d.prev_plan_ms = 0;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_float_equal(d.history->level[b1], 0, 1e-9);
	d.prev_plan_ms = h.now_ms - 1000;
	pol.cover_halflife_s = 0;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_float_equal(d.history->level[b1], 0, 1e-9);
	/* A fed-back mass that is not a number or negative counts as none. */
	pol_cover(&pol);
	ph.level[b1] = NAN;
	ph.rise[r] = -1.0f;
	dom_demand(&d, GIB + 512 * MIB);
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_true(hist_mass(&pol, &d, d.history->level[b1], h.now_ms) < 0.01);
	assert_float_equal(hist_mass(&pol, &d, d.history->rise[r], h.now_ms), M_LN2 * 300 / 3600,
			   1e-6);
}

/* Three domains of 1 GiB demand on a host with room_kib above their demand. */
static struct policy_history cover_prev[3], cover_next[3];

static void cover_three(struct policy_dom *d, struct policy_host *h, uint64_t room_kib)
{
	size_t i;

	memset(cover_prev, 0, sizeof(cover_prev));

	for (i = 0; i < 3; i++) {
		d[i] = dom_make((uint32_t)i + 1, 256 * MIB, GIB, 8 * GIB);
		dom_demand(&d[i], GIB);
	}
	*h = host_make(3 * GIB + room_kib, d, 3);
	for (i = 0; i < 3; i++) {
		d[i].prev_plan_ms = h->now_ms - 1000;
		d[i].prev_demand_kib = GIB;
		d[i].prev_history = &cover_prev[i];
		d[i].history = &cover_next[i];
	}
}

/*
 * Under scarcity the memory above demand goes where it covers the most
 * mass per MiB: d0 spends 60% of its time at 1.1 GiB (about 200 MiB up),
 * d1 half at 2 GiB (more than 1 GiB up), d2 is quiet. d0 is covered, d1
 * is not (it would take the whole budget and more), and what is left is
 * shared as buffer. Water-filling would give each 100 MiB: d0 uncovered.
 */
static void policy_cover_price_test(void **state)
{
	struct policy_dom d[3];
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;
	unsigned int b0 = level_bin(GIB + GIB / 10);

	(void)state;
	pol_cover(&pol);
	cover_three(d, &h, 300 * MIB);
	cover_prev[0].level[b0] = 0.6f;
	cover_prev[1].level[level_bin(2 * GIB)] = 0.5f;
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_true(out[0].target_kib >= (uint64_t)level_edge(b0));
	assert_true(out[1].target_kib < GIB + 100 * MIB);
	assert_true(out[2].target_kib < GIB + 100 * MIB);
	assert_true(sum_targets(out, 3) <= 3 * GIB + 300 * MIB);
	/* The same host with the tier off: an even share, d0 below its level. */
	pol.cover_halflife_s = 0;
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_true(out[0].target_kib < GIB + GIB / 10);
}

/*
 * Many small rises before one big one: d0 and d1 each rose by about 128 MiB
 * recently, d2 by 1 GiB as often. 320 MiB covers both small ones, not the
 * big one; the weight counts: with d2 twenty times heavier, its rise is bought first.
 */
static void policy_cover_rise_test(void **state)
{
	struct policy_dom d[3];
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;
	size_t i;

	(void)state;
	pol_cover(&pol);
	cover_three(d, &h, 300 * MIB);
	for (i = 0; i < 2; i++)
		cover_prev[i].rise[rise_bin(128 * MIB)] = 0.3f;
	cover_prev[2].rise[rise_bin(GIB)] = 0.3f;
	h.total_kib = 3 * GIB + 320 * MIB;
	h.free_kib = 320 * MIB;
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_true(out[0].target_kib >= GIB + 128 * MIB);
	assert_true(out[1].target_kib >= GIB + 128 * MIB);
	assert_true(out[2].target_kib < GIB + GIB / 2);
	/* Weighted: d2 heavier by ten, more mass per MiB: its rise is covered. */
	h.total_kib = 3 * GIB + 1300 * MIB;
	h.free_kib = 1300 * MIB;
	d[0].weight = d[1].weight = 500;
	d[2].weight = 10000;
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_true(out[2].target_kib >= 2 * GIB);
	assert_true(out[0].target_kib < GIB + 128 * MIB);
	assert_true(sum_targets(out, 3) <= 3 * GIB + 1300 * MIB);
}

/*
 * No step is bought below 0.1% of a rise per GiB: d0 once spent 0.05% of
 * its time 2 GiB above its demand; with memory to spare that is left to the
 * tiers after (here its buffer), while 5% is bought.
 */
static void policy_cover_floor_test(void **state)
{
	struct policy_dom d[3];
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;

	(void)state;
	pol_cover(&pol);
	cover_three(d, &h, 300 * MIB);
	h.total_kib = 16 * GIB;
	h.free_kib = 13 * GIB;
	cover_prev[0].level[level_bin(3 * GIB)] = 0.0005f;
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_true(out[0].target_kib <= GIB * 12 / 10 + 1);
	cover_prev[0].level[level_bin(3 * GIB)] = 0.05f;
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_true(out[0].target_kib >= 3 * GIB);
}

/*
 * The bin that holds the demand counts only its part above the demand: d0
 * spent half its time in its own bin (but only its top 18% is above its
 * demand), d1 nine tenths in the bin above. 130 MiB cover d1's level, not
 * both; counted whole, d0's bin would have gone first.
 */
static void policy_cover_own_bin_test(void **state)
{
	struct policy_dom d[2];
	struct policy_history prev[2], next[2];
	struct policy_out out[2];
	struct policy pol;
	struct policy_host h;
	uint64_t need = 1100 * MIB;
	unsigned int b = level_bin(need);
	size_t i;

	(void)state;
	pol_cover(&pol);
	memset(prev, 0, sizeof(prev));
	for (i = 0; i < 2; i++) {
		d[i] = dom_make((uint32_t)i + 1, 256 * MIB, need, 8 * GIB);
		dom_demand(&d[i], need);
		d[i].prev_history = &prev[i];
		d[i].history = &next[i];
	}
	h = host_make(2 * need + 130 * MIB, d, 2);
	for (i = 0; i < 2; i++) {
		d[i].prev_plan_ms = h.now_ms - 1000;
		d[i].prev_demand_kib = need;
	}
	prev[0].level[b] = 0.5f;
	prev[1].level[b + 1] = 0.9f;
	assert_int_equal(policy_plan(&pol, &h, d, 2, out), 0);
	assert_true(out[1].target_kib >= (uint64_t)level_edge(b + 1));
	assert_true(out[0].target_kib < need + 10 * MIB);
}

/*
 * With plenty, the cover tier leaves keep_free free as the surplus does:
 * beyond what the buffers take, 600 MiB are spare, and with 512 MiB kept
 * the 724 MiB rise d0 once made is not bought; with none kept, it is.
 */
static void policy_cover_keep_free_test(void **state)
{
	struct policy_dom d[3];
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;

	(void)state;
	pol_cover(&pol);
	pol.keep_free_kib = 512 * MIB;
	cover_three(d, &h, 300 * MIB);
	h.total_kib = 3 * GIB + 3 * 205 * MIB + 600 * MIB;
	h.free_kib = h.total_kib - 3 * GIB;
	cover_prev[0].rise[rise_bin(700 * MIB)] = 0.3f;
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_true(out[0].target_kib <= GIB * 12 / 10 + 1);
	assert_true(h.total_kib - sum_targets(out, 3) >= 512 * MIB);
	pol.keep_free_kib = 0;
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_true(out[0].target_kib >= GIB + 700 * MIB);
}

/* The deadband keeps no lower target below what the cover tier bought (less a quarter of it). */
static void policy_cover_deadband_test(void **state)
{
	struct policy_dom d[3];
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;
	unsigned int b0 = level_bin(GIB + GIB / 10);

	(void)state;
	pol_cover(&pol);
	pol.deadband_kib = 64 * MIB;
	pol.deadband_pct = 50;
	pol.default_buffer_pct = 0;
	cover_three(d, &h, 300 * MIB);
	cover_prev[0].level[b0] = 0.6f;
	/* d0's target in force is its demand: within the deadband of the plan. */
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_true(out[0].target_kib + 16 * MIB >= (uint64_t)level_edge(b0));
	assert_int_equal(out[0].apply, 1);
}

/* The slot of d's history that holds the rises from the from-level of v (-1: none). */
static int cond_slot(const struct policy_history *h, uint64_t v)
{
	unsigned int f = level_bin(v) / POLICY_COVER_COND_GROUP + 1;
	int k;

	for (k = 0; k < POLICY_COVER_COND_SLOTS; k++)
		if (h->cond_from[k] == f)
			return k;
	return -1;
}

/*
 * A rise is also recorded by the level it left (cover_cond), and the
 * renewal history notes it for every size it reaches (cover_phase): a rise
 * from 1 GiB to 1.75 GiB counts at 1 GiB's from-level, for 256 and 512
 * MiB but not 1 GiB, and the time until the next plan counts at phase 0.
 */
static void policy_cover_cond_history_test(void **state)
{
	struct policy_dom d;
	struct policy_history ph;
	struct policy_out out;
	struct policy pol;
	struct policy_host h;
	unsigned int r = rise_bin(768 * MIB);
	uint64_t now;
	int k;

	(void)state;
	pol_cover(&pol);
	cover_one(&d, &h, &ph, &ph, GIB + 768 * MIB, 60 * 1000);
	now = h.now_ms;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	k = cond_slot(&ph, GIB);
	assert_true(k >= 0);
	assert_float_equal(hist_mass(&pol, &d, ph.cond[k][r / 2], now), M_LN2 * 300 / 3600, 1e-6);
	assert_int_equal(cond_slot(&ph, GIB + 768 * MIB), -1);
	assert_int_equal(ph.phase_last_ms[0], now);
	assert_int_equal(ph.phase_last_ms[1], now);
	assert_int_equal(ph.phase_last_ms[2], 0);
	/* A minute later, no rise: a minute at risk at phase 0 of the two tracks. */
	d.prev_plan_ms = now;
	d.prev_demand_kib = GIB + 768 * MIB;
	h.now_ms = now + 60 * 1000;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_float_equal(hist_mass(&pol, &d, ph.phase[0].risk[0], h.now_ms),
			   1 - exp2(-60.0 / 3600), 1e-6);
	assert_float_equal(ph.phase[0].risk[2], 0, 1e-9);
	/* Another rise of 512 MiB from there, an hour after the first: at phase 12. */
	d.prev_plan_ms = h.now_ms;
	h.now_ms = now + 3600 * 1000;
	dom_demand(&d, 2 * GIB + 256 * MIB);
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_true(ph.phase[12].event[0] > 0 && ph.phase[12].event[1] > 0);
	assert_float_equal(ph.phase[12].event[2], 0, 1e-9);
	assert_int_equal(cond_slot(&ph, GIB + 768 * MIB) >= 0, 1);
	/* Off: nothing of either is recorded. */
	memset(&ph, 0, sizeof(ph));
	pol.cover_cond = pol.cover_phase = 0;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(cond_slot(&ph, GIB + 768 * MIB), -1);
	assert_int_equal(ph.phase_last_ms[0], 0);
}

/* Of the three domains of cover_three, with room for one cover of 512 MiB: win gets it, lose not. */
static void cover_goes_to(const struct policy *pol, const struct policy_host *h,
			  struct policy_dom *d, struct policy_out *out, int win, int lose)
{
	assert_int_equal(policy_plan(pol, h, d, 3, out), 0);
	assert_true(out[win].target_kib >= GIB + 512 * MIB);
	assert_true(out[lose].target_kib < GIB + 512 * MIB);
	assert_true(sum_targets(out, 3) <= h->total_kib);
}

/*
 * The rises are priced from the level a domain is at (cover_cond): d0 and
 * d1 spend most of their time at 1 GiB and rose by about 512 MiB as often
 * (d0 a little more), but d0 only ever rose from another level, d1 from
 * 1 GiB. With room for one such cover, d1 gets it; priced on all rises
 * alike, d0 would.
 */
static void policy_cover_cond_test(void **state)
{
	struct policy_dom d[3];
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;
	unsigned int r = rise_bin(512 * MIB), f1 = level_bin(GIB) / POLICY_COVER_COND_GROUP;
	size_t i;

	(void)state;
	pol_cover(&pol);
	cover_three(d, &h, 1000 * MIB);
	for (i = 0; i < 2; i++)
		cover_prev[i].level[level_bin(GIB)] = 0.9f;
	cover_prev[0].rise[r] = 0.3f;
	cover_prev[0].cond_from[0] = (uint8_t)(f1 + 3); /* from 2.8 GiB */
	cover_prev[0].cond[0][r / 2] = 0.3f;
	cover_prev[1].rise[r] = 0.25f;
	cover_prev[1].cond_from[0] = (uint8_t)(f1 + 1);
	cover_prev[1].cond[0][r / 2] = 0.25f;
	cover_goes_to(&pol, &h, d, out, 1, 0);
	pol.cover_cond = 0;
	cover_goes_to(&pol, &h, d, out, 0, 1);
}

/*
 * A domain whose rises come an hour apart weighs more while the next is due
 * (cover_phase): d0 and d1 both rose by 512 MiB every hour, d1 a little
 * more often overall; d0's last rise was 55 minutes ago, d1's 5. With room
 * for one cover, d0 gets it; without the renewal forecast, d1 would.
 */
static void policy_cover_phase_test(void **state)
{
	struct policy_dom d[3];
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;
	unsigned int r = rise_bin(512 * MIB), b;
	size_t i;

	(void)state;
	pol_cover(&pol);
	cover_three(d, &h, 1000 * MIB);
	cover_prev[0].rise[r] = 0.3f;
	cover_prev[1].rise[r] = 0.32f;
	for (i = 0; i < 2; i++) {
		for (b = 0; b <= 12; b++) {
			cover_prev[i].phase[b].risk[0] = 0.06f;
			cover_prev[i].phase_risk_sum[0] += 0.06f;
		}
		cover_prev[i].phase[12].event[0] = 0.06f;
		cover_prev[i].phase_event_sum[0] = 0.06f;
	}
	cover_prev[0].phase_last_ms[0] = h.now_ms - 55 * 60 * 1000;
	cover_prev[1].phase_last_ms[0] = h.now_ms - 5 * 60 * 1000;
	cover_goes_to(&pol, &h, d, out, 0, 1);
	pol.cover_phase = 0;
	cover_goes_to(&pol, &h, d, out, 1, 0);
}

/* Phases: targets that free memory are phase 1, those that take it phase 2. */
static void policy_phases_test(void **state)
{
	struct policy_dom d[3] = { dom_make(1, 256 * MIB, 8 * GIB, 16 * GIB),
				   dom_make(2, 256 * MIB, GIB, 16 * GIB),
				   dom_make(3, 256 * MIB, 1200 * MIB, 16 * GIB) };
	struct policy_out out[3];
	struct policy pol;
	struct policy_host h;

	policy_defaults(&pol, POLICY_HYPERV);
	dom_demand(&d[0], GIB);
	dom_demand(&d[1], 4 * GIB);
	dom_demand(&d[2], 1000 * MIB);
	h = host_make(12 * GIB, d, 3);
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].phase, 1);
	assert_int_equal(out[0].apply, 1);
	assert_int_equal(out[1].phase, 2);
	assert_int_equal(out[1].apply, 1);
	assert_int_equal(out[2].target_kib, d[2].target_kib);
	assert_int_equal(out[2].apply, 0);
	assert_int_equal(out[2].phase, 0);
	/* A target lowered while the balloon is still below it takes memory: phase 2. */
	d[0].current_kib = 512 * MIB;
	assert_int_equal(policy_plan(&pol, &h, d, 3, out), 0);
	assert_int_equal(out[0].phase, 2);
}

/* Bounds out of order are reported, not guessed; so are bad weights and buffers. */
/*
 * One scratch kept across plans of different sizes and kinds plans exactly
 * as a fresh one: the same targets, and the same histories left, plan
 * after plan (the cover tier engaged: demands move and are fed back).
 */
#define REUSE_MAX 60
static struct policy_dom reuse_d[2][REUSE_MAX];
static struct policy_history reuse_hist[2][REUSE_MAX];
static struct policy_out reuse_out[3][REUSE_MAX];
static struct policy_dom reuse_blind[REUSE_MAX];

/* Feed plan o of now_ms back into d, as xmemd does; the domain reaches its target. */
static void plan_feed(struct policy_dom *d, const struct policy_out *o, uint64_t now_ms)
{
	d->prev_plan_ms = now_ms;
	d->prev_demand_kib = o->demand_kib;
	d->prev_desired_kib = o->desired_kib;
	d->prev_swing_kib = o->swing_kib;
	d->target_kib = d->current_kib = o->target_kib;
}

/* plan_feed, then a new demand anywhere within d's bounds. */
static void reuse_feed(struct policy_dom *d, const struct policy_out *o, uint64_t now_ms,
		       uint64_t *seed)
{
	plan_feed(d, o, now_ms);
	dom_demand(d, d->min_kib + lcg(seed) % (d->max_kib - d->min_kib));
}

static void policy_scratch_reuse_test(void **state)
{
	static const struct {
		enum policy_kind kind;
		size_t nr;
	} plans[] = {
		{ POLICY_XMEM, 40 },   { POLICY_XMEM, 60 },   { POLICY_PROPORTIONAL, 60 },
		{ POLICY_XMEM, 10 },   { POLICY_HYPERV, 30 }, { POLICY_XMEM, 60 },
		{ POLICY_SPREAD, 60 }, { POLICY_XMEM, 25 },   { POLICY_XMEM, 60 },
		{ POLICY_STATIC, 5 },  { POLICY_XMEM, 60 },
	};
	struct policy_scratch *ps = policy_scratch_new();
	uint64_t seed = 7, now_ms = 100000000, total = 0;
	int covered = 0;
	struct policy_host h;
	struct policy pol;
	size_t p, i, c;

	(void)state;
	assert_non_null(ps);
	for (i = 0; i < REUSE_MAX; i++) {
		uint64_t max = (lcg(&seed) % 4096 + 256) * MIB;

		reuse_d[0][i] = dom_make((uint32_t)i + 1, max / 8, max / 2, max);
		reuse_d[0][i].weight = lcg(&seed) % (POLICY_WEIGHT_MAX + 1);
		dom_demand(&reuse_d[0][i], max / 8 + lcg(&seed) % (max / 2));
		total += max * 6 / 10;
	}
	memcpy(reuse_d[1], reuse_d[0], sizeof(reuse_d[0]));
	for (p = 0; p < sizeof(plans) / sizeof(plans[0]); p++) {
		uint64_t s2 = seed;

		policy_defaults(&pol, plans[p].kind);
		h = host_make(total, reuse_d[0], plans[p].nr);
		h.now_ms = now_ms;
		for (c = 0; c < 2; c++)
			for (i = 0; i < REUSE_MAX; i++) {
				reuse_d[c][i].prev_history = &reuse_hist[c][i];
				reuse_d[c][i].history = &reuse_hist[c][i];
			}
		assert_int_equal(policy_plan(&pol, &h, reuse_d[0], plans[p].nr, reuse_out[0]), 0);
		assert_int_equal(
			policy_plan_with(ps, &pol, &h, reuse_d[1], plans[p].nr, reuse_out[1]), 0);
		for (i = 0; i < plans[p].nr; i++) {
			assert_int_equal(reuse_out[0][i].target_kib, reuse_out[1][i].target_kib);
			assert_int_equal(reuse_out[0][i].desired_kib, reuse_out[1][i].desired_kib);
			assert_int_equal(reuse_out[0][i].apply, reuse_out[1][i].apply);
			assert_int_equal(reuse_out[0][i].phase, reuse_out[1][i].phase);
			assert_memory_equal(&reuse_hist[0][i], &reuse_hist[1][i],
					    sizeof(reuse_hist[0][i]));
		}
		/* The same plan without histories: the cover tier's part. */
		memcpy(reuse_blind, reuse_d[0], sizeof(reuse_blind));
		for (i = 0; i < REUSE_MAX; i++) {
			reuse_blind[i].history = NULL;
			reuse_blind[i].prev_history = NULL;
		}
		assert_int_equal(policy_plan(&pol, &h, reuse_blind, plans[p].nr, reuse_out[2]), 0);
		for (i = 0; i < plans[p].nr; i++)
			covered |= reuse_out[2][i].target_kib != reuse_out[0][i].target_kib;
		now_ms += 5000;
		for (c = 0; c < 2; c++) {
			s2 = seed;
			for (i = 0; i < plans[p].nr; i++)
				reuse_feed(&reuse_d[c][i], &reuse_out[c][i], h.now_ms, &s2);
		}
		seed = s2;
	}
	/* The cover tier did buy: some plan differs from the one without histories. */
	assert_true(covered);
	policy_scratch_free(ps);
}

/*
 * The cover tier guesses each hull from the domain's previous plan
 * (hull_bits): a right guess, none, or garbage gives the same plan and
 * leaves the same histories, and the guess is kept for the next plan.
 */
static struct policy_history guess_hist[3][REUSE_MAX];
static struct policy_dom guess_d[3][REUSE_MAX];

static void policy_cover_hull_guess_test(void **state)
{
	uint64_t seed = 11, total = 0, kept = 0;
	struct policy_out out[3][REUSE_MAX];
	struct policy_host h;
	struct policy pol;
	size_t i, c, r;

	(void)state;
	policy_defaults(&pol, POLICY_XMEM);
	for (i = 0; i < REUSE_MAX; i++) {
		uint64_t max = (lcg(&seed) % 4096 + 256) * MIB;

		guess_d[0][i] = dom_make((uint32_t)i + 1, max / 8, max / 2, max);
		guess_d[0][i].weight = lcg(&seed) % (POLICY_WEIGHT_MAX + 1);
		dom_demand(&guess_d[0][i], max / 8 + lcg(&seed) % (max / 2));
		guess_d[0][i].prev_history = guess_d[0][i].history = &guess_hist[0][i];
		total += max / 2;
	}
	h = host_make(total, guess_d[0], REUSE_MAX);
	for (r = 0; r < 6; r++) {
		assert_int_equal(policy_plan(&pol, &h, guess_d[0], REUSE_MAX, out[0]), 0);
		for (i = 0; i < REUSE_MAX; i++) {
			plan_feed(&guess_d[0][i], &out[0][i], h.now_ms);
			dom_demand(&guess_d[0][i],
				   guess_d[0][i].used_kib + lcg(&seed) % (64 * MIB));
		}
		h.now_ms += 10000;
		/* Three copies: the guess as kept, none, garbage. */
		for (c = 1; c < 3; c++) {
			memcpy(guess_hist[c], guess_hist[0], sizeof(guess_hist[0]));
			memcpy(guess_d[c], guess_d[0], sizeof(guess_d[0]));
			for (i = 0; i < REUSE_MAX; i++) {
				guess_hist[c][i].hull_bits =
					c == 1 ? 0 : lcg(&seed) << 20 ^ lcg(&seed);
				guess_d[c][i].prev_history = guess_d[c][i].history =
					&guess_hist[c][i];
			}
		}
		for (i = 0; i < REUSE_MAX; i++)
			kept += guess_hist[0][i].hull_bits != 0;
		for (c = 0; c < 3; c++)
			assert_int_equal(policy_plan(&pol, &h, guess_d[c], REUSE_MAX, out[c]), 0);
		for (c = 1; c < 3; c++)
			for (i = 0; i < REUSE_MAX; i++) {
				assert_int_equal(out[c][i].target_kib, out[0][i].target_kib);
				assert_memory_equal(&guess_hist[c][i], &guess_hist[0][i],
						    sizeof(guess_hist[0][i]));
			}
	}
	/* The tier ran and kept its guesses. */
	assert_true(kept > REUSE_MAX);
}

static void policy_invalid_test(void **state)
{
	struct policy_dom d = dom_make(1, 4 * GIB, 2 * GIB, 2 * GIB);
	struct policy_out out;
	struct policy pol;
	struct policy_host h;

	policy_defaults(&pol, POLICY_XMEM);
	h = host_make(64 * GIB, &d, 1);
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), XMEM_ERR_INVAL);
	d = dom_make(1, GIB, 2 * GIB, 4 * GIB);
	d.static_max_kib = 3 * GIB;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), XMEM_ERR_INVAL);
	d.static_max_kib = 4 * GIB;
	d.weight = POLICY_WEIGHT_MAX + 1;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), XMEM_ERR_INVAL);
	d.weight = 0;
	d.buffer_pct = 2;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), XMEM_ERR_INVAL);
	d.buffer_pct = 0;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	/* An unmanaged domain's bounds are not the policy's business. */
	d = dom_make(1, 4 * GIB, 2 * GIB, 2 * GIB);
	d.managed = 0;
	assert_int_equal(policy_plan(&pol, &h, &d, 1, &out), 0);
	assert_int_equal(out.included, 0);
	/* No domains at all is a plan too. */
	assert_int_equal(policy_plan(&pol, &h, NULL, 0, NULL), 0);
}

/* Names of kinds round-trip. */
static void policy_kind_names_test(void **state)
{
	enum policy_kind k;

	assert_int_equal(policy_kind_parse("proportional", &k), 0);
	assert_int_equal(k, POLICY_PROPORTIONAL);
	assert_string_equal(policy_kind_name(POLICY_HYPERV), "hyperv");
	assert_int_equal(policy_kind_parse("squeezed", &k), XMEM_ERR_INVAL);
	assert_string_equal(policy_kind_name((enum policy_kind)99), "unknown");
}

/* Write text to a temporary file; returns its path (static buffer). */
static const char *tmp_file(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_policy.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* The committed policy files load; bad ones are refused with the parameter named. */
static void policy_file_test(void **state)
{
	static const char *const names[] = { "xmem", "proportional", "static", "hyperv", "spread" };
	struct policy pol, def;
	char path[4096], err[256];
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/policy/%s.json", XMEM_SRCDIR, names[i]);
		assert_int_equal(policy_load_file(path, &pol, err, sizeof(err)), 0);
		assert_string_equal(pol.name, names[i]);
		assert_string_equal(policy_kind_name(pol.kind), names[i]);
		/* The committed files state the defaults. */
		policy_defaults(&def, pol.kind);
		assert_memory_equal(&pol, &def, sizeof(pol));
	}
	p = tmp_file(
		"{\"policy\":\"xmem\",\"name\":\"calm\",\"buffer_pct\":50,\"deadband\":\"64M\","
		"\"headroom_halflife_s\":0}");
	assert_int_equal(policy_load_file(p, &pol, err, sizeof(err)), 0);
	unlink(p);
	assert_string_equal(pol.name, "calm");
	assert_int_equal(pol.default_buffer_pct, 50);
	assert_int_equal(pol.deadband_kib, 64 * MIB);
	assert_int_equal(pol.headroom_halflife_s, 0);
	assert_int_equal(pol.shrink_pct_per_s, 1);
	p = tmp_file("{\"policy\":\"xmem\",\"keep_free\":\"4G\",\"surplus\":0,\"surplus_base\":"
		     "\"256M\"}");
	assert_int_equal(policy_load_file(p, &pol, err, sizeof(err)), 0);
	unlink(p);
	assert_int_equal(pol.keep_free_kib, 4 * GIB);
	assert_int_equal(pol.surplus, 0);
	assert_int_equal(pol.surplus_base_kib, 256 * MIB);
	p = tmp_file("{\"policy\":\"xmem\",\"surplus\":2}");
	assert_int_equal(policy_load_file(p, &pol, err, sizeof(err)), XMEM_ERR_INVAL);
	unlink(p);
	assert_non_null(strstr(err, "surplus"));

	p = tmp_file("{\"policy\":\"xmem\",\"silent_surplus_pct\":30}");
	assert_int_equal(policy_load_file(p, &pol, err, sizeof(err)), 0);
	unlink(p);
	assert_int_equal(pol.silent_surplus_pct, 30);
	p = tmp_file("{\"policy\":\"xmem\",\"silent_surplus_pct\":101}");
	assert_int_equal(policy_load_file(p, &pol, err, sizeof(err)), XMEM_ERR_INVAL);
	unlink(p);
	assert_non_null(strstr(err, "silent_surplus_pct"));
	p = tmp_file("{\"policy\":\"xmem\",\"bufer_pct\":50}");
	assert_int_equal(policy_load_file(p, &pol, err, sizeof(err)), XMEM_ERR_INVAL);
	unlink(p);
	assert_non_null(strstr(err, "bufer_pct"));
	p = tmp_file("{\"policy\":\"xmem\",\"buffer_pct\":1}");
	assert_int_equal(policy_load_file(p, &pol, err, sizeof(err)), XMEM_ERR_INVAL);
	unlink(p);
	assert_non_null(strstr(err, "buffer_pct"));
	p = tmp_file("{\"policy\":\"squeezed\"}");
	assert_int_equal(policy_load_file(p, &pol, err, sizeof(err)), XMEM_ERR_INVAL);
	unlink(p);
	assert_non_null(strstr(err, "policy"));
	p = tmp_file("{\"policy\":\"xmem\",\"deadband\":\"lots\"}");
	assert_int_equal(policy_load_file(p, &pol, err, sizeof(err)), XMEM_ERR_INVAL);
	unlink(p);
	assert_non_null(strstr(err, "deadband"));
	p = tmp_file("[1,2]");
	assert_int_equal(policy_load_file(p, &pol, err, sizeof(err)), XMEM_ERR_INVAL);
	unlink(p);
	p = tmp_file("{\"policy\":");
	assert_int_equal(policy_load_file(p, &pol, err, sizeof(err)), XMEM_ERR_INVAL);
	unlink(p);
	assert_int_equal(policy_load_file("/nonexistent/x.json", &pol, err, sizeof(err)),
			 XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "/nonexistent/x.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_bounds_test),
		cmocka_unit_test(policy_demand_buffer_test),
		cmocka_unit_test(policy_coarse_source_buffer_test),
		cmocka_unit_test(policy_demand_pressure_test),
		cmocka_unit_test(policy_demand_blind_test),
		cmocka_unit_test(policy_demand_boost_capped_test),
		cmocka_unit_test(policy_no_signal_startup_test),
		cmocka_unit_test(policy_silent_guests_test),
		cmocka_unit_test(policy_plenty_test),
		cmocka_unit_test(policy_scarcity_weight_test),
		cmocka_unit_test(policy_scarcity_fairness_test),
		cmocka_unit_test(policy_working_set_test),
		cmocka_unit_test(policy_stability_grow_fast_test),
		cmocka_unit_test(policy_stability_shrink_slow_test),
		cmocka_unit_test(policy_stability_deadband_test),
		cmocka_unit_test(policy_stability_steady_test),
		cmocka_unit_test(policy_reservation_floor_test),
		cmocka_unit_test(policy_uncooperative_test),
		cmocka_unit_test(policy_proportional_test),
		cmocka_unit_test(policy_static_test),
		cmocka_unit_test(policy_hyperv_test),
		cmocka_unit_test(policy_spread_test),
		cmocka_unit_test(policy_surplus_keep_free_test),
		cmocka_unit_test(policy_surplus_max_test),
		cmocka_unit_test(policy_surplus_weight_swing_test),
		cmocka_unit_test(policy_surplus_taken_first_test),
		cmocka_unit_test(policy_cover_history_test),
		cmocka_unit_test(policy_cover_price_test),
		cmocka_unit_test(policy_cover_rise_test),
		cmocka_unit_test(policy_cover_floor_test),
		cmocka_unit_test(policy_cover_own_bin_test),
		cmocka_unit_test(policy_cover_keep_free_test),
		cmocka_unit_test(policy_cover_deadband_test),
		cmocka_unit_test(policy_cover_cond_history_test),
		cmocka_unit_test(policy_cover_cond_test),
		cmocka_unit_test(policy_cover_phase_test),
		cmocka_unit_test(policy_phases_test),
		cmocka_unit_test(policy_scratch_reuse_test),
		cmocka_unit_test(policy_cover_hull_guess_test),
		cmocka_unit_test(policy_invalid_test),
		cmocka_unit_test(policy_kind_names_test),
		cmocka_unit_test(policy_file_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
