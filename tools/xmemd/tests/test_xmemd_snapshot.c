/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/xmemd/snapshot.c: the policy's view of a domain and the host. */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <string.h>

#include "../snapshot.h"

#define MIB 1024u

static struct cache_dom cdom(void)
{
	struct cache_dom cd;

	memset(&cd, 0, sizeof(cd));
	cd.domid = 3;
	cd.has_target = 1;
	cd.target_kib = 1024 * MIB;
	cd.weight = POLICY_WEIGHT_DEFAULT;
	cd.managed = 1;
	cd.feature_balloon = 1;
	return cd;
}

static struct hv_dominfo info(uint64_t pages)
{
	struct hv_dominfo i;

	memset(&i, 0, sizeof(i));
	i.domid = 3;
	i.tot_pages = pages;
	i.max_pages = pages + 256;
	return i;
}

/* Missing bounds default to the target; startup to the target. */
static void snapshot_defaults_test(void **state)
{
	struct cache_dom cd = cdom();
	struct hv_dominfo in = info(262144);
	struct policy_dom pd;

	assert_int_equal(snapshot_dom(&cd, &in, &pd), 1);
	assert_int_equal(pd.min_kib, 1024 * MIB);
	assert_int_equal(pd.max_kib, 1024 * MIB);
	assert_int_equal(pd.static_max_kib, 1024 * MIB);
	assert_int_equal(pd.startup_kib, 1024 * MIB);
	assert_int_equal(pd.current_kib, 1024 * MIB);
	assert_string_equal(snapshot_state(&cd, &pd), SNAPSHOT_OK);
}

/* Without memory/managed = 1 a domain is held fixed. */
static void snapshot_unmanaged_test(void **state)
{
	struct cache_dom cd = cdom();
	struct hv_dominfo in = info(262144);
	struct policy_dom pd;

	cd.managed = 0;
	assert_int_equal(snapshot_dom(&cd, &in, &pd), 0);
	assert_string_equal(snapshot_state(&cd, &pd), SNAPSHOT_UNMANAGED);
}

/* Bounds out of order: not driven (and not handed to the policy as such). */
static void snapshot_bad_bounds_test(void **state)
{
	struct cache_dom cd = cdom();
	struct hv_dominfo in = info(262144);
	struct policy_dom pd;

	cd.has_min = cd.has_max = 1;
	cd.min_kib = 2048 * MIB;
	cd.max_kib = 1024 * MIB;
	assert_int_equal(snapshot_dom(&cd, &in, &pd), 0);
	assert_true(pd.min_kib <= pd.max_kib && pd.max_kib <= pd.static_max_kib);
}

/* No frontend: left at its size; uncooperative: left out. */
static void snapshot_balloon_and_coop_test(void **state)
{
	struct cache_dom cd = cdom();
	struct hv_dominfo in = info(262144);
	struct policy_dom pd;

	cd.feature_balloon = 0;
	assert_int_equal(snapshot_dom(&cd, &in, &pd), 0);
	assert_string_equal(snapshot_state(&cd, &pd), SNAPSHOT_NO_BALLOON);
	cd.has_balloon_report = 1; /* a data/balloon report also says so */
	assert_int_equal(snapshot_dom(&cd, &in, &pd), 1);
	cd.coop.uncooperative = 1;
	assert_int_equal(snapshot_dom(&cd, &in, &pd), 0);
	assert_string_equal(snapshot_state(&cd, &pd), SNAPSHOT_UNCOOPERATIVE);
	cd.coop.uncooperative = 0;
	in.tot_pages = 131072; /* 512 MiB, target 1 GiB */
	snapshot_dom(&cd, &in, &pd);
	assert_string_equal(snapshot_state(&cd, &pd), SNAPSHOT_BALLOONING);
}

/* Demand is counted in allocation terms: what lies beyond MemTotal is added. */
static void snapshot_demand_overhead_test(void **state)
{
	struct cache_dom cd = cdom();
	struct hv_dominfo in = info(262144); /* 1 GiB */
	struct policy_dom pd;

	cd.has_report = 1;
	cd.used_kib = 600 * MIB;
	cd.committed_kib = 700 * MIB;
	cd.meminfo_total_kib = 900 * MIB;
	snapshot_dom(&cd, &in, &pd);
	assert_int_equal(pd.used_kib, 724 * MIB);
	assert_int_equal(pd.committed_kib, 824 * MIB);
	cd.meminfo_total_kib = 0; /* not reported: taken as is */
	snapshot_dom(&cd, &in, &pd);
	assert_int_equal(pd.used_kib, 600 * MIB);
}

/* A dying domain is never driven. */
static void snapshot_dying_test(void **state)
{
	struct cache_dom cd = cdom();
	struct hv_dominfo in = info(262144);
	struct policy_dom pd;

	in.flags = HV_DOMF_DYING;
	assert_int_equal(snapshot_dom(&cd, &in, &pd), 0);
}

/* The host total is what domains can have: free plus all allocations. */
static void snapshot_host_test(void **state)
{
	struct hv_physinfo pi = { .total_pages = 1048576,
				  .free_pages = 262144,
				  .outstanding_pages = 1024 };
	struct hv_dominfo in[2] = { info(131072), info(262144) };
	struct policy_host h;

	snapshot_host(&pi, in, 2, 256 * MIB, 512 * MIB, 77, &h);
	assert_int_equal(h.total_kib, (262144 + 131072 + 262144) * 4ull);
	assert_int_equal(h.free_kib, 262144 * 4ull);
	assert_int_equal(h.claimed_kib, 4096);
	assert_int_equal(h.floor_kib, 256 * MIB);
	assert_int_equal(h.reserved_kib, 512 * MIB);
	assert_int_equal(h.now_ms, 77);
}

/* The swap rate comes from counter deltas over time. */
static void snapshot_swap_rate_test(void **state)
{
	struct cache_dom cd = cdom();

	cd.pswpin = 100;
	snapshot_swap_rate(&cd, 1000);
	assert_int_equal(cd.swap_kib_s, 0);
	cd.pswpin = 100 + 256;
	cd.pswpout = 256;
	snapshot_swap_rate(&cd, 3000);
	assert_int_equal(cd.swap_kib_s, 512 * 4 / 2);
}

/* The stall rate comes from the PSI some total's deltas; no total, no rate. */
static void snapshot_stall_rate_test(void **state)
{
	struct cache_dom cd = cdom();
	struct policy_dom pd;
	struct hv_dominfo in = info(262144);

	snapshot_swap_rate(&cd, 1000);
	assert_int_equal(cd.has_stall, 0);
	cd.psi_some_total_us = 5000000;
	snapshot_swap_rate(&cd, 2000); /* a first total: no rate yet */
	assert_int_equal(cd.has_stall, 0);
	cd.psi_some_total_us += 500000; /* stalled 0.5 s of 2 s: 25% */
	snapshot_swap_rate(&cd, 4000);
	assert_int_equal(cd.has_stall, 1);
	assert_int_equal(cd.stall_x100, 2500);
	cd.psi_some_total_us += 1000; /* 300 ms later: too short, the last rate stays */
	snapshot_swap_rate(&cd, 4300);
	assert_int_equal(cd.stall_x100, 2500);
	cd.psi_some_total_us = 10; /* the guest restarted: no rate */
	snapshot_swap_rate(&cd, 6000);
	assert_int_equal(cd.has_stall, 0);
	cd.psi_some_total_us += 1000000;
	snapshot_swap_rate(&cd, 7000);
	assert_int_equal(cd.stall_x100, 10000);
	/* The policy sees it. */
	snapshot_dom(&cd, &in, &pd);
	assert_int_equal(pd.has_stall, 1);
	assert_int_equal(pd.stall_x100, 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(snapshot_defaults_test),
		cmocka_unit_test(snapshot_unmanaged_test),
		cmocka_unit_test(snapshot_bad_bounds_test),
		cmocka_unit_test(snapshot_balloon_and_coop_test),
		cmocka_unit_test(snapshot_dying_test),
		cmocka_unit_test(snapshot_demand_overhead_test),
		cmocka_unit_test(snapshot_host_test),
		cmocka_unit_test(snapshot_swap_rate_test),
		cmocka_unit_test(snapshot_stall_rate_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
