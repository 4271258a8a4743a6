/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for the steps of xmemd's rebalance (tools/xmemd/round.h), each
 * alone over a hand-made round: snapshot_round, coop_floor, apply_round_doms
 * and apply_round_budget, reserve_round_host, plan_round, publish_round, and
 * the one predicate for "driven". The steps are pure: no key tree, no
 * hypervisor.
 */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <string.h>

#include "../cache.h"
#include "../coop.h"
#include "../plan.h"
#include "../publish.h"
#include "../reserve.h"
#include "../round.h"
#include "../snapshot.h"
#include "size.h"

#define MIB	1024u
#define NR_DOMS 3

/* A host of three guests: 1 driven, 2 driven and given a reservation, 3 unmanaged. */
static struct cache_dom doms[NR_DOMS];
static struct cache_res res[1];
static struct cache cache;
static struct hv_dominfo infos[NR_DOMS];
static struct round rd;

static int setup(void **state)
{
	size_t i;

	(void)state;
	memset(doms, 0, sizeof(doms));
	memset(res, 0, sizeof(res));
	memset(infos, 0, sizeof(infos));
	for (i = 0; i < NR_DOMS; i++) {
		doms[i].domid = (uint32_t)i + 1;
		snprintf(doms[i].name, sizeof(doms[i].name), "vm%zu", i + 1);
		doms[i].has_target = 1;
		doms[i].target_kib = 1024 * MIB;
		doms[i].weight = POLICY_WEIGHT_DEFAULT;
		doms[i].buffer_pct = POLICY_BUFFER_DEFAULT_PCT;
		doms[i].managed = i < 2;
		doms[i].feature_balloon = 1;
		infos[i].domid = (uint32_t)i + 1;
		infos[i].tot_pages = size_kib_to_pages(1024 * MIB);
		infos[i].max_pages = size_kib_to_pages(1025 * MIB);
	}
	snprintf(res[0].id, sizeof(res[0].id), "r1");
	res[0].state = CACHE_RES_GRANTED;
	res[0].has_domid = 1;
	res[0].domid = 2;
	memset(&cache, 0, sizeof(cache));
	cache.doms = doms;
	cache.nr_doms = cache.cap_doms = NR_DOMS;
	cache.res = res;
	cache.nr_res = 1;
	assert_int_equal(round_alloc(&rd, NR_DOMS, 1), 0);
	rd.now_ms = 100000;
	rd.unix_ms = 1700000000000ull;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	round_free(&rd);
	return 0;
}

/* Step 1: records matched by domid, the held domain marked, snapshot_dom's verdict kept. */
static void round_snapshot_test(void **state)
{
	struct hv_dominfo shuffled[NR_DOMS] = { infos[2], infos[0], infos[1] };

	(void)state;
	snapshot_round(&rd, &cache, shuffled, NR_DOMS);
	assert_ptr_equal(rd.info[0], &shuffled[1]);
	assert_ptr_equal(rd.info[2], &shuffled[0]);
	assert_int_equal(rd.held[0], 0);
	assert_int_equal(rd.held[1], 1);
	assert_int_equal(rd.drive[0], 1);
	assert_int_equal(rd.drive[1], 1);
	assert_int_equal(rd.drive[2], 0); /* unmanaged */
	assert_int_equal(rd.pdoms[0].current_kib, 1024 * MIB);
	assert_int_equal(rd.pdoms[2].domid, 3);
}

/* A domain missing from the hypervisor's list is left out of the round. */
static void round_snapshot_missing_test(void **state)
{
	(void)state;
	snapshot_round(&rd, &cache, infos, 2);
	assert_null(rd.info[2]);
	assert_int_equal(rd.drive[2], 0);
	assert_int_equal(rd.pdoms[2].domid, 0);
}

/* "Driven" is managed, a balloon and cooperative; included is that and not gave-up. */
static void round_driven_predicate_test(void **state)
{
	struct policy_dom pd;

	(void)state;
	memset(&pd, 0, sizeof(pd));
	pd.managed = pd.has_balloon = pd.cooperative = 1;
	assert_int_equal(policy_dom_driven(&pd), 1);
	assert_int_equal(policy_dom_included(&pd), 1);
	pd.balloon = POLICY_BALLOON_GAVE_UP;
	assert_int_equal(policy_dom_driven(&pd), 1);
	assert_int_equal(policy_dom_included(&pd), 0);
	pd.balloon = POLICY_BALLOON_DONE;
	pd.cooperative = 0;
	assert_int_equal(policy_dom_driven(&pd), 0);
	pd.cooperative = 1;
	pd.has_balloon = 0;
	assert_int_equal(policy_dom_driven(&pd), 0);
	pd.has_balloon = 1;
	pd.managed = 0;
	assert_int_equal(policy_dom_driven(&pd), 0);
}

/* Step 2: the size a frontend gave up at is its minimum for a while, never above its max. */
static void round_coop_floor_test(void **state)
{
	struct policy_dom pd;

	(void)state;
	memset(&pd, 0, sizeof(pd));
	pd.managed = 1;
	pd.min_kib = pd.startup_kib = 512 * MIB;
	pd.max_kib = 2048 * MIB;
	coop_floor(&pd, 0);
	assert_int_equal(pd.min_kib, 512 * MIB);
	coop_floor(&pd, 900 * MIB);
	assert_int_equal(pd.min_kib, 900 * MIB);
	assert_int_equal(pd.startup_kib, 900 * MIB);
	coop_floor(&pd, 4096 * MIB);
	assert_int_equal(pd.min_kib, 2048 * MIB);
	pd.managed = 0;
	pd.min_kib = 512 * MIB;
	coop_floor(&pd, 900 * MIB);
	assert_int_equal(pd.min_kib, 512 * MIB);
}

/* Step 3: who may grow how far, the maxmem slack in the floor, what is free for raises. */
static void round_apply_budget_test(void **state)
{
	struct hv_physinfo pi = { .total_pages = size_kib_to_pages(8192 * MIB),
				  .free_pages = size_kib_to_pages(2048 * MIB),
				  .outstanding_pages = size_kib_to_pages(100 * MIB) };

	(void)state;
	infos[0].tot_pages = size_kib_to_pages(900 * MIB); /* growing toward its target */
	snapshot_round(&rd, &cache, infos, NR_DOMS);
	rd.pdoms[0].cooperative = 0; /* judged uncooperative */
	rd.drive[0] = policy_dom_driven(&rd.pdoms[0]);
	apply_round_doms(&rd, &cache);
	assert_int_equal(rd.adoms[0].grow, APPLY_GROW_MAXMEM);
	assert_int_equal(rd.adoms[1].grow, APPLY_GROW_NONE);   /* held */
	assert_int_equal(rd.adoms[2].grow, APPLY_GROW_TARGET); /* unmanaged with a balloon */
	assert_int_equal(rd.adoms[0].maxmem_kib, 1025 * MIB);
	assert_int_equal(rd.adoms[1].drive, 1);
	apply_round_budget(&rd, &pi, 64 * MIB);
	/* dom 1 may take maxmem - current = 125 MiB; dom 3 is at its target. */
	assert_int_equal(rd.promised_kib, 125 * MIB);
	/* Slack for dom 2 (driven) and dom 3 (unmanaged, its balloon follows its target). */
	assert_int_equal(rd.floor_kib, 64 * MIB + 2 * APPLY_MAXMEM_SLACK_KIB);
	assert_int_equal(rd.base_kib, 2048 * MIB - 100 * MIB - rd.floor_kib - 125 * MIB);
	pi.free_pages = 0;
	apply_round_budget(&rd, &pi, 64 * MIB);
	assert_int_equal(rd.base_kib, 0);
}

/* Step 3: driven guests can be squeezed; managed ones that are not driven are stuck. */
static void round_reserve_host_test(void **state)
{
	struct reserve_host rh;

	(void)state;
	snapshot_round(&rd, &cache, infos, NR_DOMS);
	rd.pdoms[0].min_kib = 256 * MIB;
	rd.pdoms[1].min_kib = 512 * MIB;
	rd.pdoms[1].cooperative = 0;
	rd.drive[1] = policy_dom_driven(&rd.pdoms[1]);
	rd.base_kib = 77 * MIB;
	reserve_round_host(&rd, &rh);
	assert_int_equal(rh.avail_kib, 77 * MIB);
	assert_int_equal(rh.squeeze_kib, 768 * MIB);
	assert_int_equal(rh.stuck_kib, 512 * MIB);
	assert_int_equal(rh.now_s, 1700000000);
	/*
	 * Growth promised to a driven guest: freeable when large; when within
	 * the cooperation tolerance (a balloon settled a few pages short of
	 * its target, as real guests do), already free.
	 */
	apply_round_doms(&rd, &cache);
	rd.adoms[0].grow = APPLY_GROW_TARGET;
	rd.adoms[0].outstanding_kib = 0;
	rd.adoms[0].maxmem_kib = rd.adoms[0].current_kib + 64 * MIB;
	rd.adoms[0].target_kib = rd.adoms[0].current_kib + 296;
	reserve_round_host(&rd, &rh);
	assert_int_equal(rh.avail_kib, 77 * MIB + 296);
	assert_int_equal(rh.growing_kib, 0);
	rd.adoms[0].target_kib = rd.adoms[0].current_kib + 32 * MIB;
	reserve_round_host(&rd, &rh);
	assert_int_equal(rh.avail_kib, 77 * MIB);
	assert_int_equal(rh.growing_kib, 32 * MIB);
}

/* Step 4: a driven domain's claim is not "claimed"; the plan says whom to apply; peaks are fed back. */
static void round_plan_test(void **state)
{
	struct policy pol;
	struct hv_physinfo pi = { .total_pages = size_kib_to_pages(8192 * MIB),
				  .free_pages = size_kib_to_pages(4096 * MIB),
				  .outstanding_pages = size_kib_to_pages(300 * MIB) };

	(void)state;
	policy_defaults(&pol, POLICY_XMEM);
	snapshot_round(&rd, &cache, infos, NR_DOMS);
	apply_round_doms(&rd, &cache);
	rd.adoms[0].outstanding_kib = 200 * MIB;
	rd.adoms[2].outstanding_kib = 100 * MIB; /* not driven: its claim stays claimed */
	rd.floor_kib = 64 * MIB;
	assert_int_equal(plan_round(&rd, &pol, NULL, &cache, &pi, infos, NR_DOMS), 0);
	assert_int_equal(rd.host.claimed_kib, 100 * MIB);
	assert_int_equal(rd.host.floor_kib, 64 * MIB);
	assert_int_equal(rd.adoms[0].drive, rd.outs[0].included);
	assert_int_equal(rd.outs[0].included, 1);
	assert_int_equal(rd.adoms[2].drive, 0);
	assert_int_equal(rd.adoms[0].new_target_kib, rd.outs[0].target_kib);
	assert_int_equal(doms[0].prev_desired_kib, rd.outs[0].desired_kib);
	assert_int_equal(doms[0].prev_plan_ms, rd.now_ms);
	assert_int_equal(doms[2].prev_plan_ms, 0);
}

/* No reservation of this test is given to a domain. */
static void round_no_dom(void *arg, uint32_t domid, struct reserve_dom *dom_r)
{
	(void)arg;
	(void)domid;
	memset(dom_r, 0, sizeof(*dom_r));
}

/* Steps 1 to 4 as daemon_rebalance runs them; the caller applies the plan. */
static void round_run(const struct policy *pol, const struct hv_physinfo *pi)
{
	struct reserve_host rh;
	uint64_t now_ms = rd.now_ms, unix_ms = rd.unix_ms;
	size_t i;

	round_free(&rd);
	assert_int_equal(round_alloc(&rd, NR_DOMS, 1), 0);
	rd.now_ms = now_ms;
	rd.unix_ms = unix_ms;
	snapshot_round(&rd, &cache, infos, NR_DOMS);
	for (i = 0; i < NR_DOMS; i++) {
		rd.pdoms[i].cooperative = 1;
		rd.drive[i] = policy_dom_driven(&rd.pdoms[i]);
	}
	apply_round_doms(&rd, &cache);
	apply_round_budget(&rd, pi, 64 * MIB);
	reserve_round_host(&rd, &rh);
	reserve_plan(res, 1, &rh, round_no_dom, NULL, rd.racts, &rd.held_kib);
	assert_int_equal(plan_round(&rd, pol, NULL, &cache, pi, infos, NR_DOMS), 0);
}

/*
 * Steps 3 and 4 agree on what is free: a pending reservation the plan frees
 * by squeezing is granted once the driven guests reach their targets, while
 * an unmanaged guest sits a few pages short of its own target for good (as
 * real balloons do). The plan leaves that guest's promised growth aside, as
 * the grant does; planned without it, the reservation waited forever.
 */
static void round_reserve_squeezed_test(void **state)
{
	struct policy pol;
	struct hv_physinfo pi = { .total_pages = size_kib_to_pages(8192 * MIB) };
	uint64_t free_kib = 64 * MIB + 3 * APPLY_MAXMEM_SLACK_KIB + 100 * MIB;
	int round, granted = 0;
	size_t i;

	(void)state;
	policy_defaults(&pol, POLICY_XMEM);
	for (i = 0; i < 2; i++) {
		doms[i].has_min = 1;
		doms[i].min_kib = 256 * MIB;
		doms[i].has_max = 1;
		doms[i].max_kib = 1024 * MIB;
	}
	infos[2].tot_pages = size_kib_to_pages(1024 * MIB - 296);
	res[0].state = CACHE_RES_PENDING;
	res[0].has_domid = 0;
	res[0].has_size = 1;
	res[0].size_kib = 512 * MIB;
	for (round = 0; round < 100 && !granted; round++) {
		pi.free_pages = size_kib_to_pages(free_kib);
		round_run(&pol, &pi);
		if (rd.racts[0].verdict == RESERVE_GRANT) {
			granted = 1;
			break;
		}
		assert_int_equal(rd.racts[0].verdict, RESERVE_KEEP);
		assert_int_equal(rd.held_kib, 512 * MIB);
		/* The balloons of the driven guests reach their new targets. */
		for (i = 0; i < 2; i++) {
			uint64_t cur = size_pages_to_kib(infos[i].tot_pages), to;

			if (!rd.adoms[i].apply)
				continue;
			to = rd.adoms[i].new_target_kib;
			doms[i].target_kib = to;
			infos[i].tot_pages = size_kib_to_pages(to);
			free_kib = free_kib + cur - size_pages_to_kib(infos[i].tot_pages);
		}
		rd.now_ms += 5000;
	}
	assert_true(granted);
	assert_int_equal(rd.racts[0].granted_kib, 512 * MIB);
	/* The unmanaged guest's 296 KiB stayed promised: free covers floor, slack, hold and it. */
	assert_true(free_kib >= 64 * MIB + 3 * APPLY_MAXMEM_SLACK_KIB + 512 * MIB + 296);
}

/* Step 6: state names, a target or the current size, last progress in Unix ms, host figures. */
static void round_publish_test(void **state)
{
	struct hv_physinfo pi = { .total_pages = size_kib_to_pages(8192 * MIB),
				  .free_pages = size_kib_to_pages(1024 * MIB) };
	struct publish_host ph;

	(void)state;
	snapshot_round(&rd, &cache, infos, NR_DOMS);
	doms[0].coop.progress_ms = rd.now_ms - 5000;
	doms[1].has_target = 0;
	doms[2].psi_some_x100 = 1250;
	rd.held_kib = 33 * MIB;
	publish_round(&rd, &cache, &pi, 64 * MIB, &ph);
	assert_string_equal(rd.pubs[0].state, SNAPSHOT_OK);
	assert_string_equal(rd.pubs[2].state, SNAPSHOT_UNMANAGED);
	assert_string_equal(rd.pubs[2].name, "vm3");
	assert_int_equal(rd.pubs[0].last_progress_ms, rd.unix_ms - 5000);
	assert_int_equal(rd.pubs[1].last_progress_ms, 0);
	assert_int_equal(rd.pubs[1].target_kib, rd.pdoms[1].current_kib);
	assert_int_equal(rd.pubs[2].pressure_pct, 12);
	assert_int_equal(ph.total_kib, 8192 * MIB); /* no plan: physinfo's */
	assert_int_equal(ph.free_kib, 1024 * MIB);
	assert_int_equal(ph.reserved_kib, 33 * MIB);
	assert_int_equal(ph.floor_kib, 64 * MIB);
	rd.host.total_kib = 7000 * MIB;
	publish_round(&rd, &cache, &pi, 64 * MIB, &ph);
	assert_int_equal(ph.total_kib, 7000 * MIB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_snapshot_test, setup, teardown),
		cmocka_unit_test_setup_teardown(round_snapshot_missing_test, setup, teardown),
		cmocka_unit_test_setup_teardown(round_driven_predicate_test, setup, teardown),
		cmocka_unit_test_setup_teardown(round_coop_floor_test, setup, teardown),
		cmocka_unit_test_setup_teardown(round_apply_budget_test, setup, teardown),
		cmocka_unit_test_setup_teardown(round_reserve_host_test, setup, teardown),
		cmocka_unit_test_setup_teardown(round_plan_test, setup, teardown),
		cmocka_unit_test_setup_teardown(round_reserve_squeezed_test, setup, teardown),
		cmocka_unit_test_setup_teardown(round_publish_test, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
