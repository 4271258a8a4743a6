/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for the simulated hypervisor's accounting: tools/hvsim/sim.c,
 * domain.c, claim.c and memop.c, with Xen's semantics.
 */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "domain.h"
#include "frames.h"
#include "log.h"
#include "memop.h"
#include "sim.h"

/* 64 MiB host: 16384 pages, 512 for Xen, 4096 for dom0. */
#define T_TOTAL 16384u
#define T_XEN	512u
#define T_DOM0	4096u
#define T_FREE	(T_TOTAL - T_XEN - T_DOM0)

static uint64_t frames_buf[T_TOTAL];

/* Every invariant holds. */
static void check_ok(struct hvsim *sim)
{
	struct hvsim_check_rep rep;

	if (sim_check(sim, &rep) != 0)
		fail_msg("invariant: %s", rep.msg);
	assert_int_equal(rep.ok, 1);
	assert_int_equal(rep.free_pages + rep.sum_tot_pages, rep.total_pages);
}

static int setup(void **state)
{
	struct hvsim *sim = NULL;

	log_init("test_sim", LOG_TO_CLI, 0);
	if (sim_new(T_TOTAL, T_XEN, T_DOM0, &sim))
		return -1;
	*state = sim;
	return 0;
}

static int teardown(void **state)
{
	sim_free(*state);
	return 0;
}

/* The host starts with Xen's and dom0's pages accounted and the rest free. */
static void sim_start_accounting_test(void **state)
{
	struct hvsim *sim = *state;
	struct hvsim_physinfo_rep info;
	struct domain *d0 = domain_find(sim, 0);

	sim_physinfo(sim, &info);
	assert_int_equal(info.total_pages, T_TOTAL);
	assert_int_equal(info.free_pages, T_FREE);
	assert_int_equal(info.outstanding_pages, 0);
	assert_non_null(d0);
	assert_int_equal(d0->tot_pages, T_DOM0);
	assert_int_equal(d0->max_pages, T_DOM0);
	check_ok(sim);
}

/* Sizes that do not fit are refused. */
static void sim_new_bad_sizes_test(void **state)
{
	struct hvsim *sim = NULL;

	assert_int_equal(sim_new(0, 0, 0, &sim), EINVAL);
	assert_int_equal(sim_new(100, 101, 0, &sim), EINVAL);
	assert_int_equal(sim_new(100, 50, 51, &sim), EINVAL);
	assert_null(sim);
}

/* Create checks domid, sizes and unclaimed free memory; destroy gives all back. */
static void domain_create_destroy_test(void **state)
{
	struct hvsim *sim = *state;
	struct hvsim_dominfo infos[4];

	assert_int_equal(domain_create(sim, 3, 2000, 1500), 0);
	assert_int_equal(sim_free_pages(sim), T_FREE - 1500);
	assert_int_equal(domain_create(sim, 3, 10, 10), EEXIST);
	assert_int_equal(domain_create(sim, 0x7FF0, 10, 10), EINVAL);
	assert_int_equal(domain_create(sim, 4, 10, 11), EINVAL);
	assert_int_equal(domain_create(sim, 4, T_TOTAL, T_FREE), ENOMEM);
	assert_null(domain_find(sim, 4));
	check_ok(sim);
	assert_int_equal(domain_list(sim, 0, infos, 4), 2);
	assert_int_equal(infos[1].domid, 3);
	assert_int_equal(infos[1].tot_pages, 1500);
	assert_int_equal(infos[1].max_pages, 2000);
	assert_int_equal(domain_list(sim, 1, infos, 4), 1);
	assert_int_equal(domain_list(sim, 4, infos, 4), 0);
	assert_int_equal(domain_destroy(sim, 3), 0);
	assert_int_equal(domain_destroy(sim, 3), ESRCH);
	assert_int_equal(domain_destroy(sim, 0), EPERM);
	assert_int_equal(sim_free_pages(sim), T_FREE);
	check_ok(sim);
}

/* Extent counts: all done, then a short count at max_pages. */
static void memop_short_count_at_max_test(void **state)
{
	struct hvsim *sim = *state;
	struct domain *d;

	assert_int_equal(domain_create(sim, 1, 1000, 0), 0);
	d = domain_find(sim, 1);
	assert_int_equal(memop_increase(sim, d, 100, 0, frames_buf), 100);
	assert_int_equal(d->tot_pages, 100);
	/* 900 left: 28 extents of 32 fit (896), the 29th would make 1028 > 1000. */
	assert_int_equal(memop_increase(sim, d, 40, 5, frames_buf), 28);
	assert_int_equal(d->tot_pages, 996);
	assert_int_equal(memop_populate(sim, d, 10, 0, frames_buf), 4);
	assert_int_equal(d->tot_pages, 1000);
	assert_int_equal(memop_increase(sim, d, 1, 0, NULL), 0);
	check_ok(sim);
}

/* Guests may not use orders above 9; the hardware domain may go to 12. */
static void memop_order_limit_test(void **state)
{
	struct hvsim *sim = *state;
	struct domain *d, *d0 = domain_find(sim, 0);

	assert_int_equal(domain_create(sim, 1, 8192, 0), 0);
	d = domain_find(sim, 1);
	assert_int_equal(memop_increase(sim, d, 1, 10, frames_buf), 0);
	assert_int_equal(memop_populate(sim, d, 1, 10, frames_buf), 0);
	assert_int_equal(memop_increase(sim, d, 1, 9, frames_buf), 1);
	assert_int_equal(memop_decrease(sim, d, 1, 10, frames_buf), 0);
	assert_int_equal(d->tot_pages, 512);
	assert_int_equal(memop_decrease(sim, d, 1, 9, frames_buf), 1);
	assert_int_equal(d->tot_pages, 0);
	d0->max_pages = T_DOM0 + 4096;
	assert_int_equal(memop_increase(sim, d0, 1, 12, frames_buf), 1);
	assert_int_equal(frames_buf[0] % 4096, 0);
	assert_int_equal(memop_increase(sim, d0, 1, 13, frames_buf), 0);
	check_ok(sim);
}

/* Decrease stops at the first extent the domain does not own, changing nothing for it. */
static void memop_decrease_not_owned_test(void **state)
{
	struct hvsim *sim = *state;
	struct domain *a, *b;
	uint64_t fa[4], fb[1], mixed[3];

	assert_int_equal(domain_create(sim, 1, 100, 0), 0);
	assert_int_equal(domain_create(sim, 2, 100, 0), 0);
	a = domain_find(sim, 1);
	b = domain_find(sim, 2);
	assert_int_equal(memop_increase(sim, a, 4, 0, fa), 4);
	assert_int_equal(memop_increase(sim, b, 1, 0, fb), 1);
	mixed[0] = fa[0];
	mixed[1] = fb[0];
	mixed[2] = fa[1];
	assert_int_equal(memop_decrease(sim, a, 3, 0, mixed), 1);
	assert_int_equal(a->tot_pages, 3);
	assert_int_equal(b->tot_pages, 1);
	/* Already given back, out of range, Xen's own. */
	assert_int_equal(memop_decrease(sim, a, 1, 0, &fa[0]), 0);
	mixed[0] = T_TOTAL;
	assert_int_equal(memop_decrease(sim, a, 1, 0, mixed), 0);
	mixed[0] = UINT64_MAX;
	assert_int_equal(memop_decrease(sim, a, 1, 0, mixed), 0);
	assert_int_equal(domain_find(sim, 0)->tot_pages, T_DOM0);
	assert_int_equal(a->tot_pages, 3);
	check_ok(sim);
}

/* maxmem may go below tot_pages: nothing is taken away, allocations fail. */
static void domain_maxmem_below_tot_test(void **state)
{
	struct hvsim *sim = *state;
	struct domain *d;

	assert_int_equal(domain_create(sim, 1, 1000, 800), 0);
	d = domain_find(sim, 1);
	assert_int_equal(domain_set_maxmem(sim, 1, 400 * 4), 0);
	assert_int_equal(d->max_pages, 400);
	assert_int_equal(d->tot_pages, 800);
	assert_int_equal(memop_increase(sim, d, 1, 0, frames_buf), 0);
	/* Ballooning down still works. */
	assert_int_equal(memop_increase(sim, d, 0, 0, frames_buf), 0);
	assert_int_equal(domain_set_maxmem(sim, 1, 4003), 0);
	assert_int_equal(d->max_pages, 1000); /* KiB rounded down to pages */
	assert_int_equal(domain_set_maxmem(sim, 9, 4000), ESRCH);
	check_ok(sim);
}

/* Claims are absolute and refused as Xen refuses them. */
static void claim_rules_test(void **state)
{
	struct hvsim *sim = *state;
	struct domain *d;

	assert_int_equal(domain_create(sim, 1, 6000, 1000), 0);
	d = domain_find(sim, 1);
	assert_int_equal(claim_set(sim, d, 1000), EINVAL); /* not above tot_pages */
	assert_int_equal(claim_set(sim, d, 999), EINVAL);
	assert_int_equal(claim_set(sim, d, 6001), EINVAL); /* above max_pages */
	assert_int_equal(claim_set(sim, d, 5000), 0);
	assert_int_equal(d->outstanding_pages, 4000);
	assert_int_equal(sim->outstanding_pages, 4000);
	assert_int_equal(claim_set(sim, d, 5500), EINVAL); /* one claim at a time */
	assert_int_equal(claim_set(sim, d, 0), 0);	   /* cancel */
	assert_int_equal(d->outstanding_pages, 0);
	assert_int_equal(sim->outstanding_pages, 0);
	d->max_pages = T_TOTAL;
	assert_int_equal(claim_set(sim, d, 1000 + T_FREE - 1000 + 1), ENOMEM);
	assert_int_equal(claim_set(sim, d, 1000 + T_FREE - 1000), 0);
	check_ok(sim);
}

/* A claim is consumed by allocations and fences memory off from others. */
static void claim_consumed_and_fenced_test(void **state)
{
	struct hvsim *sim = *state;
	struct domain *a, *b;
	uint64_t free0 = sim_free_pages(sim);

	assert_int_equal(domain_create(sim, 1, T_TOTAL, 0), 0);
	assert_int_equal(domain_create(sim, 2, T_TOTAL, 0), 0);
	a = domain_find(sim, 1);
	b = domain_find(sim, 2);
	assert_int_equal(claim_set(sim, a, 3000), 0);
	/* b gets everything but a's claim, in a short count. */
	assert_int_equal(memop_increase(sim, b, free0, 0, frames_buf), free0 - 3000);
	assert_int_equal(memop_increase(sim, b, 1, 0, frames_buf), 0);
	/* Nobody else may create into claimed memory either. */
	assert_int_equal(domain_create(sim, 3, 10, 1), ENOMEM);
	/* a allocates its claim, consuming it. */
	assert_int_equal(memop_increase(sim, a, 1000, 0, frames_buf), 1000);
	assert_int_equal(a->outstanding_pages, 2000);
	assert_int_equal(memop_increase(sim, a, 4, 9, frames_buf),
			 3); /* 1536 fit, claim ends at 0 */
	assert_int_equal(a->outstanding_pages, 464);
	check_ok(sim);
	/* Giving back does not restore a claim; destroying drops it. */
	assert_int_equal(memop_decrease(sim, a, 1, 0, frames_buf), 1);
	assert_int_equal(a->outstanding_pages, 464);
	assert_int_equal(domain_destroy(sim, 1), 0);
	assert_int_equal(sim->outstanding_pages, 0);
	check_ok(sim);
}

/* A claim on a dying domain is refused. */
static void claim_dying_test(void **state)
{
	struct hvsim *sim = *state;
	struct domain *d;

	assert_int_equal(domain_create(sim, 1, 1000, 0), 0);
	d = domain_find(sim, 1);
	d->flags |= HV_DOMF_DYING;
	assert_int_equal(claim_set(sim, d, 10), EINVAL);
	d->flags = 0;
}

/* State flags: only paused, shutdown and hvm may be set, and the list reports them. */
static void domain_flags_test(void **state)
{
	struct hvsim *sim = *state;
	struct hvsim_dominfo infos[2];

	assert_int_equal(domain_create(sim, 1, 10, 0), 0);
	assert_int_equal(domain_set_flags(sim, 1, HV_DOMF_PAUSED | HV_DOMF_SHUTDOWN), 0);
	assert_int_equal(domain_list(sim, 1, infos, 2), 1);
	assert_int_equal(infos[0].flags, HV_DOMF_PAUSED | HV_DOMF_SHUTDOWN);
	assert_int_equal(domain_set_flags(sim, 1, HV_DOMF_DYING), EINVAL);
	assert_int_equal(domain_set_flags(sim, 1, 0x100), EINVAL);
	assert_int_equal(domain_set_flags(sim, 2, 0), ESRCH);
	assert_int_equal(domain_set_flags(sim, 1, 0), 0);
	assert_int_equal(domain_find(sim, 1)->flags, 0);
	check_ok(sim);
}

/* The check sees drift in the counters and in the frame table. */
static void sim_check_sees_drift_test(void **state)
{
	struct hvsim *sim = *state;
	struct hvsim_check_rep rep;
	struct domain *d;

	assert_int_equal(domain_create(sim, 1, 1000, 100), 0);
	d = domain_find(sim, 1);
	d->tot_pages++;
	assert_int_equal(sim_check(sim, &rep), EUCLEAN);
	assert_int_equal(rep.ok, 0);
	assert_non_null(strstr(rep.msg, "free"));
	d->tot_pages--;
	d->outstanding_pages = 5;
	assert_int_equal(sim_check(sim, &rep), EUCLEAN);
	d->outstanding_pages = 0;
	sim->xen_pages--;
	sim->domains[0]->tot_pages++;
	assert_int_equal(sim_check(sim, &rep), EUCLEAN); /* sums agree, owners do not */
	assert_non_null(strstr(rep.msg, "owner"));
	sim->xen_pages++;
	sim->domains[0]->tot_pages--;
	check_ok(sim);
}

/* A long random mix of operations never breaks an invariant. */
static void sim_random_ops_test(void **state)
{
	struct hvsim *sim = *state;
	unsigned int seed = 12345, i, domid, order;
	struct domain *d;
	uint64_t n;

	for (i = 0; i < 4000; i++) {
		domid = 1 + rand_r(&seed) % 6;
		d = domain_find(sim, domid);
		switch (rand_r(&seed) % 8) {
		case 0:
			domain_create(sim, domid, rand_r(&seed) % 4096, rand_r(&seed) % 1024);
			break;
		case 1:
			if (rand_r(&seed) % 4 == 0)
				domain_destroy(sim, domid);
			break;
		case 2:
			domain_set_maxmem(sim, domid, (uint64_t)(rand_r(&seed) % 16384));
			break;
		case 3:
			if (d)
				claim_set(sim, d, rand_r(&seed) % 4096);
			break;
		case 4:
		case 5:
			if (!d)
				break;
			order = rand_r(&seed) % 11;
			n = rand_r(&seed) % 64;
			memop_increase(sim, d, n, order, frames_buf);
			break;
		default:
			if (!d)
				break;
			n = rand_r(&seed) % 64;
			order = rand_r(&seed) % 3;
			memop_increase(sim, d, n, order, frames_buf);
			/* Give back the frames just got, plus some garbage. */
			frames_buf[n] = rand_r(&seed) % T_TOTAL;
			memop_decrease(sim, d, n + 1, order, frames_buf);
			break;
		}
		check_ok(sim);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sim_start_accounting_test, setup, teardown),
		cmocka_unit_test(sim_new_bad_sizes_test),
		cmocka_unit_test_setup_teardown(domain_create_destroy_test, setup, teardown),
		cmocka_unit_test_setup_teardown(memop_short_count_at_max_test, setup, teardown),
		cmocka_unit_test_setup_teardown(memop_order_limit_test, setup, teardown),
		cmocka_unit_test_setup_teardown(memop_decrease_not_owned_test, setup, teardown),
		cmocka_unit_test_setup_teardown(domain_maxmem_below_tot_test, setup, teardown),
		cmocka_unit_test_setup_teardown(claim_rules_test, setup, teardown),
		cmocka_unit_test_setup_teardown(claim_consumed_and_fenced_test, setup, teardown),
		cmocka_unit_test_setup_teardown(claim_dying_test, setup, teardown),
		cmocka_unit_test_setup_teardown(domain_flags_test, setup, teardown),
		cmocka_unit_test_setup_teardown(sim_check_sees_drift_test, setup, teardown),
		cmocka_unit_test_setup_teardown(sim_random_ops_test, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
