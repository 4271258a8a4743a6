/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/xmemd/reserve.c: the reservation state machine. */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <stdio.h>
#include <string.h>

#include "../reserve.h"

#define MIB 1024u
#define GIB (1024u * 1024u)

/* The fake domains reservations may be given to. */
static struct reserve_dom fake_dom;
static uint32_t fake_domid = 7;

static void lookup(void *arg, uint32_t domid, struct reserve_dom *dom_r)
{
	(void)arg;
	memset(dom_r, 0, sizeof(*dom_r));
	if (domid == fake_domid)
		*dom_r = fake_dom;
}

static struct cache_res res(const char *id, enum cache_res_state st, uint64_t size_kib)
{
	struct cache_res r;

	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "%s", id);
	r.state = st;
	r.has_size = size_kib > 0;
	r.size_kib = size_kib;
	if (st == CACHE_RES_GRANTED)
		r.granted_kib = size_kib;
	return r;
}

static struct reserve_host host(uint64_t avail, uint64_t squeeze, uint64_t stuck)
{
	struct reserve_host h = {
		.now_s = 1000, .avail_kib = avail, .squeeze_kib = squeeze, .stuck_kib = stuck
	};
	return h;
}

/* A pending reservation that fits in free memory is granted at once. */
static void reserve_grant_when_free_test(void **state)
{
	struct cache_res r = res("a", CACHE_RES_PENDING, 1 * GIB);
	struct reserve_host h = host(2 * GIB, 0, 0);
	struct reserve_action a;
	uint64_t held;

	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_GRANT);
	assert_int_equal(a.granted_kib, 1 * GIB);
	assert_int_equal(held, 1 * GIB);
}

/* Not free yet but others can give: held (so the plan squeezes), no answer yet. */
static void reserve_squeeze_then_grant_test(void **state)
{
	struct cache_res r = res("a", CACHE_RES_PENDING, 2 * GIB);
	struct reserve_host h = host(512 * MIB, 4 * GIB, 0);
	struct reserve_action a;
	uint64_t held;

	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_KEEP);
	assert_int_equal(held, 2 * GIB);
	/* The others shrank: now it is free. */
	h = host(2 * GIB, 2 * GIB, 0);
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_GRANT);
}

/* More than free plus everything above the minimums: failed, minimums too high. */
static void reserve_fail_minimums_test(void **state)
{
	struct cache_res r = res("a", CACHE_RES_PENDING, 8 * GIB);
	struct reserve_host h = host(1 * GIB, 2 * GIB, 0);
	struct reserve_action a;
	uint64_t held;

	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_FAIL);
	assert_non_null(strstr(a.reason, "minimums too high"));
	assert_int_equal(held, 0);
}

/*
 * Growth promised to driven guests is not counted free, but lowering their
 * targets cancels it: a reservation that needs it is held, not failed.
 */
static void reserve_growing_is_freeable_test(void **state)
{
	struct cache_res r = res("a", CACHE_RES_PENDING, 3 * GIB);
	struct reserve_host h = host(1 * GIB, 1 * GIB, 0);
	struct reserve_action a;
	uint64_t held;

	h.growing_kib = 2 * GIB;
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_KEEP);
	assert_int_equal(held, 3 * GIB);
	h.growing_kib = 0;
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_FAIL);
}

/* Possible only with what uncooperative guests hold: failed, guests refused. */
static void reserve_fail_refused_test(void **state)
{
	struct cache_res r = res("a", CACHE_RES_PENDING, 4 * GIB);
	struct reserve_host h = host(1 * GIB, 1 * GIB, 4 * GIB);
	struct reserve_action a;
	uint64_t held;

	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_FAIL);
	assert_non_null(strstr(a.reason, "guests refused"));
}

/* Granted and unassigned: held until expiry, then dropped. */
static void reserve_granted_held_until_expiry_test(void **state)
{
	struct cache_res r = res("a", CACHE_RES_GRANTED, 1 * GIB);
	struct reserve_host h = host(1 * GIB, 0, 0);
	struct reserve_action a;
	uint64_t held;

	r.expires_s = 2000;
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_KEEP);
	assert_int_equal(held, 1 * GIB);
	h.now_s = 2001;
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_REMOVE);
	assert_int_equal(held, 0);
}

/* A domain being built (paused, no reservation) may be built from it: not counted twice. */
static void reserve_hold_capped_by_free_test(void **state)
{
	struct cache_res r = res("a", CACHE_RES_GRANTED, 1 * GIB);
	struct reserve_host h = host(256 * MIB, 0, 0);
	struct reserve_action a;
	uint64_t held;

	h.building_kib = 768 * MIB;
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_KEEP);
	assert_int_equal(held, 256 * MIB);
	assert_int_equal(a.short_kib, 0);
}

/* Taken by others (no domain being built): the whole grant stays held, the gap is short. */
static void reserve_hold_kept_when_taken_test(void **state)
{
	struct cache_res r = res("a", CACHE_RES_GRANTED, 1 * GIB);
	struct reserve_host h = host(256 * MIB, 0, 0);
	struct reserve_action a;
	uint64_t held;

	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_KEEP);
	assert_int_equal(held, 1 * GIB);
	assert_int_equal(a.short_kib, 768 * MIB);
	/* A domain being built excuses only what it holds. */
	h.building_kib = 512 * MIB;
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(held, 512 * MIB);
	assert_int_equal(a.short_kib, 256 * MIB);
}

/* Given to a domain: the hold shrinks as the domain fills, counted once; dropped when built. */
static void reserve_given_to_domain_test(void **state)
{
	struct cache_res r = res("a", CACHE_RES_GRANTED, 1 * GIB);
	struct reserve_host h = host(2 * GIB, 0, 0);
	struct reserve_action a;
	uint64_t held;

	r.has_domid = 1;
	r.domid = fake_domid;
	memset(&fake_dom, 0, sizeof(fake_dom));
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_KEEP); /* not built yet */
	assert_int_equal(held, 1 * GIB);
	fake_dom.exists = 1;
	fake_dom.current_kib = 256 * MIB;
	fake_dom.has_target = 1;
	fake_dom.target_kib = 1 * GIB;
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_KEEP);
	assert_int_equal(held, 768 * MIB);
	fake_dom.outstanding_kib = 512 * MIB; /* claimed: Xen holds it for the domain */
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(held, 256 * MIB);
	fake_dom.outstanding_kib = 0;
	fake_dom.current_kib = 1 * GIB;
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_REMOVE);
	assert_int_equal(held, 0);
}

/* Earlier ids are served first; granted ones are taken out before any pending one. */
static void reserve_order_test(void **state)
{
	struct cache_res r[3] = { res("a", CACHE_RES_PENDING, 1 * GIB),
				  res("b", CACHE_RES_PENDING, 1 * GIB),
				  res("z", CACHE_RES_GRANTED, 1 * GIB) };
	struct reserve_host h = host(2 * GIB, 0, 0);
	struct reserve_action a[3];
	uint64_t held;

	reserve_plan(r, 3, &h, lookup, NULL, a, &held);
	assert_int_equal(a[0].verdict, RESERVE_GRANT);
	assert_int_equal(a[1].verdict, RESERVE_FAIL); /* nothing left, nobody to squeeze */
	assert_int_equal(a[2].verdict, RESERVE_KEEP);
	assert_int_equal(held, 2 * GIB);
}

/* A pending request past its expiry is answered failed, and removed after the grace. */
static void reserve_pending_expiry_test(void **state)
{
	struct cache_res r = res("a", CACHE_RES_PENDING, 2 * GIB);
	struct reserve_host h = host(1 * GIB, 4 * GIB, 0);
	struct reserve_action a;
	uint64_t held;

	r.expires_s = 990;
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_FAIL);
	assert_non_null(strstr(a.reason, "expired"));
	r.state = CACHE_RES_FAILED;
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_KEEP);
	h.now_s = 990 + RESERVE_FAILED_GRACE_S + 1;
	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_REMOVE);
}

/* A request without a usable size is failed with a reason, never guessed. */
static void reserve_bad_size_test(void **state)
{
	struct cache_res r = res("a", CACHE_RES_PENDING, 0);
	struct reserve_host h = host(1 * GIB, 0, 0);
	struct reserve_action a;
	uint64_t held;

	reserve_plan(&r, 1, &h, lookup, NULL, &a, &held);
	assert_int_equal(a.verdict, RESERVE_FAIL);
	assert_non_null(strstr(a.reason, "size_kib"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reserve_grant_when_free_test),
		cmocka_unit_test(reserve_squeeze_then_grant_test),
		cmocka_unit_test(reserve_fail_minimums_test),
		cmocka_unit_test(reserve_growing_is_freeable_test),
		cmocka_unit_test(reserve_fail_refused_test),
		cmocka_unit_test(reserve_granted_held_until_expiry_test),
		cmocka_unit_test(reserve_given_to_domain_test),
		cmocka_unit_test(reserve_hold_capped_by_free_test),
		cmocka_unit_test(reserve_hold_kept_when_taken_test),
		cmocka_unit_test(reserve_order_test),
		cmocka_unit_test(reserve_pending_expiry_test),
		cmocka_unit_test(reserve_bad_size_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
