/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for guest/balloon/frontend.c: the balloon state machine against a fake hypervisor. */
#include "config.h"

#include <string.h>

#include "../../tests/cmocka_all.h"

#include "guest/balloon/frontend.h"
#include "xmem_err.h"

/* A fake hypervisor and guest: machine frames from FAKE_MFN_BASE, ownership, every call. */
#define FAKE_MFN_BASE 0x100000u
#define FAKE_NR_MFNS  (1u << 21)

static unsigned char fake_owned[FAKE_NR_MFNS];

struct fake {
	uint64_t cursor;	  /* next machine frame to try handing out */
	uint64_t tot_pages;	  /* what the hypervisor has given the guest */
	uint64_t host_free_pages; /* what it could still give */
	uint64_t avail_pages;	  /* MemAvailable the guest reports */
	uint64_t reserve_pages;
	long short_by; /* make the next call fall short by this many */
	unsigned int nr_calls;
	unsigned long max_batch;
	uint64_t last_frames[FRONTEND_BATCH_PAGES];
	unsigned long last_nr;
	int last_was_decrease;
};

static long fake_decrease(void *arg, unsigned long nr, const uint64_t *frames)
{
	struct fake *f = arg;
	long done = (long)nr - f->short_by, i;

	f->nr_calls++;
	if (nr > f->max_batch)
		f->max_batch = nr;
	memcpy(f->last_frames, frames, nr * sizeof(*frames));
	f->last_nr = nr;
	f->last_was_decrease = 1;
	if (done < 0)
		done = 0;
	/* Only frames the guest owns come back; the first other one stops the call. */
	for (i = 0; i < done; i++) {
		if (frames[i] < FAKE_MFN_BASE || frames[i] >= FAKE_MFN_BASE + FAKE_NR_MFNS ||
		    !fake_owned[frames[i] - FAKE_MFN_BASE])
			break;
		fake_owned[frames[i] - FAKE_MFN_BASE] = 0;
	}
	done = i;
	f->tot_pages -= (uint64_t)done;
	f->host_free_pages += (uint64_t)done;
	if (f->avail_pages >= (uint64_t)done)
		f->avail_pages -= (uint64_t)done;
	else
		f->avail_pages = 0;
	f->short_by = 0;
	return done;
}

static long fake_populate(void *arg, unsigned long nr, uint64_t *frames)
{
	struct fake *f = arg;
	long done = (long)nr, i;

	f->nr_calls++;
	if (nr > f->max_batch)
		f->max_batch = nr;
	memcpy(f->last_frames, frames, nr * sizeof(*frames)); /* the pfns asked for */
	f->last_nr = nr;
	f->last_was_decrease = 0;
	if ((uint64_t)done > f->host_free_pages)
		done = (long)f->host_free_pages;
	for (i = 0; i < done; i++) {
		while (fake_owned[f->cursor])
			f->cursor = (f->cursor + 1) % FAKE_NR_MFNS;
		fake_owned[f->cursor] = 1;
		frames[i] = FAKE_MFN_BASE + f->cursor;
	}
	f->tot_pages += (uint64_t)done;
	f->host_free_pages -= (uint64_t)done;
	f->avail_pages += (uint64_t)done;
	return done;
}

static uint64_t fake_available(void *arg)
{
	return ((struct fake *)arg)->avail_pages;
}

static uint64_t fake_reserve(void *arg)
{
	return ((struct fake *)arg)->reserve_pages;
}

static const struct frontend_ops fake_ops = {
	.decrease = fake_decrease,
	.populate = fake_populate,
	.available_pages = fake_available,
	.reserve_pages = fake_reserve,
};

struct ctx {
	struct fake f;
	struct frontend fe;
};

/*
 * A 1 GiB guest (262144 pages) booted on machine frames BASE + 1000000 - pfn
 * (listed to it), static-max 2 GiB, 900 MiB available.
 */
static int setup(void **state)
{
	static uint64_t boot[262144];
	static struct ctx c;
	uint64_t i;

	memset(&c, 0, sizeof(c));
	memset(fake_owned, 0, sizeof(fake_owned));
	c.f.tot_pages = 262144;
	c.f.host_free_pages = 1 << 20;
	c.f.avail_pages = 230400;
	c.f.reserve_pages = 1024;
	for (i = 0; i < 262144; i++) {
		boot[i] = FAKE_MFN_BASE + 1000000 - i;
		fake_owned[1000000 - i] = 1;
	}
	frontend_init(&c.fe, c.f.tot_pages, &fake_ops, &c.f);
	assert_int_equal(frontend_boot_frames(&c.fe, boot, 262144), 0);
	assert_int_equal(frontend_static_max(&c.fe, "2097152"), 0);
	*state = &c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	frontend_free(&c->fe);
	return 0;
}

/* Run passes until the frontend asks to wait; return that wait. */
static long run_until_wait(struct frontend *fe, unsigned int *passes_r)
{
	unsigned int passes = 0;
	long ms;

	do {
		ms = frontend_run(fe);
		passes++;
	} while (ms == 0 && passes < 100000);
	if (passes_r)
		*passes_r = passes;
	return ms;
}

/* Shrinking 1 GiB to 512 MiB takes 256 passes of exactly 512 frames, then done. */
static void frontend_shrink_in_batches_test(void **state)
{
	struct ctx *c = *state;
	unsigned int passes = 0;
	long ms;

	assert_int_equal(frontend_target(&c->fe, "524288", NULL), 1);
	assert_int_equal(c->fe.state, FRONTEND_WORKING);
	ms = frontend_run(&c->fe);
	assert_int_equal(ms, 0);
	assert_int_equal(c->fe.state, FRONTEND_WORKING);
	ms = run_until_wait(&c->fe, &passes);
	assert_int_equal(passes + 1, 256);
	assert_int_equal(ms, FRONTEND_IDLE_S * 1000L);
	assert_int_equal(c->fe.state, FRONTEND_DONE);
	assert_int_equal(c->f.max_batch, FRONTEND_BATCH_PAGES);
	assert_int_equal(c->f.tot_pages, 131072);
	assert_int_equal(c->fe.current_pages, 131072);
	assert_string_equal(frontend_state_name(c->fe.state), "done");
}

/* The balloon gives back the machine frames of its highest pfns, and repopulates the lowest ballooned pfns. */
static void frontend_balloon_keeps_frames_test(void **state)
{
	struct ctx *c = *state;
	uint64_t got[40];
	unsigned long i;

	/* Give back 100 frames: those of pfns 262143 down to 262044. */
	assert_int_equal(frontend_target(&c->fe, "1048176", NULL), 1);
	run_until_wait(&c->fe, NULL);
	assert_true(c->f.last_was_decrease);
	assert_int_equal(c->f.last_nr, 100);
	for (i = 0; i < 100; i++)
		assert_int_equal(c->f.last_frames[i], FAKE_MFN_BASE + 1000000 - (262143 - i));
	/* Take 40 back: pfns 262044.. are backed again, with new machine frames. */
	assert_int_equal(frontend_target(&c->fe, "1048336", NULL), 1);
	run_until_wait(&c->fe, NULL);
	assert_false(c->f.last_was_decrease);
	assert_int_equal(c->f.last_nr, 40);
	for (i = 0; i < 40; i++) {
		assert_int_equal(c->f.last_frames[i], 262044 + i);
		got[i] = c->fe.p2m[262044 + i];
		assert_true(fake_owned[got[i] - FAKE_MFN_BASE]);
	}
	assert_int_equal(c->fe.current_pages, 262084);
	/* Giving those 40 back again returns exactly the frames the hypervisor gave. */
	assert_int_equal(frontend_target(&c->fe, "1048176", NULL), 1);
	run_until_wait(&c->fe, NULL);
	assert_int_equal(c->f.last_nr, 40);
	for (i = 0; i < 40; i++)
		assert_int_equal(c->f.last_frames[i], got[39 - i]);
	assert_int_equal(c->fe.state, FRONTEND_DONE);
}

/* Boot memory whose machine frames nobody listed cannot be given back: the frontend says so and gives up. */
static void frontend_unknown_boot_frames_test(void **state)
{
	struct ctx *c = *state;

	frontend_free(&c->fe);
	frontend_init(&c->fe, c->f.tot_pages, &fake_ops, &c->f);
	assert_int_equal(frontend_static_max(&c->fe, "2097152"), 0);
	/* Growing works: the new frames are known. */
	assert_int_equal(frontend_target(&c->fe, "1050624", NULL), 1); /* +512 pages */
	assert_int_equal(run_until_wait(&c->fe, NULL), FRONTEND_IDLE_S * 1000L);
	/* Shrinking gives back those 512, then stops at the boot memory. */
	assert_int_equal(frontend_target(&c->fe, "1044480", NULL), 1); /* -1536 pages */
	assert_int_equal(run_until_wait(&c->fe, NULL), FRONTEND_IDLE_S * 1000L);
	assert_int_equal(c->fe.state, FRONTEND_GAVE_UP);
	assert_int_equal(c->fe.current_pages, 262144);
	assert_int_equal(c->f.tot_pages, 262144);
	assert_non_null(strstr(c->fe.last_error, "boot memory are unknown"));
	assert_int_equal(frontend_boot_frames(&c->fe, NULL, 262145), XMEM_ERR_RANGE);
}

/* Growing above the boot allocation populates frames above it, up to static-max. */
static void frontend_grow_to_static_max_test(void **state)
{
	struct ctx *c = *state;
	unsigned int passes = 0;

	assert_int_equal(frontend_target(&c->fe, "2097152", NULL), 1);
	run_until_wait(&c->fe, &passes);
	assert_int_equal(passes, 512);
	assert_int_equal(c->fe.state, FRONTEND_DONE);
	assert_int_equal(c->f.tot_pages, 524288);
	assert_int_equal(c->f.last_frames[FRONTEND_BATCH_PAGES - 1], 524287);
}

/*
 * With hotplug, a target past static-max is taken: the guest fills its map,
 * hot-adds one 128 MiB block (waiting a second for it to be onlined), and
 * populates it up to the target.
 */
static void frontend_hotplug_grows_past_boot_test(void **state)
{
	struct ctx *c = *state;
	long ms;

	frontend_set_hotplug(&c->fe, 1);
	assert_int_equal(frontend_target(&c->fe, "2162688", NULL), 1); /* 2 GiB + 64 MiB */
	ms = run_until_wait(&c->fe, NULL);
	assert_int_equal(ms, FRONTEND_HOTPLUG_WAIT_MS);
	assert_int_equal(c->fe.state, FRONTEND_WORKING);
	assert_int_equal(c->f.tot_pages, 524288); /* the boot map is full */
	assert_int_equal(c->fe.physmap_pages, 524288 + FRONTEND_HOTPLUG_BLOCK_PAGES);
	assert_int_equal(c->fe.boot_physmap_pages, 524288);
	ms = run_until_wait(&c->fe, NULL);
	assert_int_equal(ms, FRONTEND_IDLE_S * 1000L);
	assert_int_equal(c->fe.state, FRONTEND_DONE);
	assert_int_equal(c->f.tot_pages, 540672);
	/* Hot-added memory can be given back like any other. */
	assert_int_equal(frontend_target(&c->fe, "2097152", NULL), 1);
	run_until_wait(&c->fe, NULL);
	assert_int_equal(c->f.tot_pages, 524288);
	assert_int_equal(c->fe.physmap_pages, 524288 + FRONTEND_HOTPLUG_BLOCK_PAGES);
}

/*
 * Without hotplug the same target is refused; a target reached only by an
 * empty balloon is clamped to what the guest holds, and the frontend gives up.
 */
static void frontend_no_hotplug_clamps_test(void **state)
{
	struct ctx *c = *state;
	const char *why = NULL;

	assert_int_equal(frontend_target(&c->fe, "2162688", &why), XMEM_ERR_RANGE);
	assert_non_null(why);
	frontend_set_hotplug(&c->fe, 1);
	assert_int_equal(frontend_target(&c->fe, "2162688", NULL), 1);
	frontend_set_hotplug(&c->fe, 0);
	assert_int_equal(run_until_wait(&c->fe, NULL), FRONTEND_IDLE_S * 1000L);
	assert_int_equal(c->fe.state, FRONTEND_GAVE_UP);
	assert_int_equal(c->f.tot_pages, 524288);
	assert_int_equal(c->fe.target_pages, 524288);
	assert_int_equal(c->fe.physmap_pages, 524288);
}

/* Bad targets are ignored, leaving everything as it was. */
static void frontend_bad_targets_ignored_test(void **state)
{
	static const char *const not_numbers[] = {
		"", "abc", "-1", "12k", " 5", "1.5", "99999999999999999999999"
	};
	struct ctx *c = *state;
	const char *why = NULL;
	size_t i;

	assert_int_equal(frontend_target(&c->fe, "524288", NULL), 1);
	for (i = 0; i < sizeof(not_numbers) / sizeof(not_numbers[0]); i++) {
		why = NULL;
		assert_int_equal(frontend_target(&c->fe, not_numbers[i], &why), XMEM_ERR_INVAL);
		assert_non_null(why);
	}
	assert_int_equal(frontend_target(&c->fe, NULL, &why), XMEM_ERR_NOTFOUND);
	assert_string_equal(why, "memory/target is missing");
	assert_int_equal(frontend_target(&c->fe, "2097156", &why), XMEM_ERR_RANGE);
	assert_string_equal(why, "memory/target is above memory/static-max");
	assert_int_equal(c->fe.target_kib, 524288);
	assert_int_equal(c->fe.target_pages, 131072);
	assert_int_equal(c->f.nr_calls, 0);
}

/* A target the guest cannot spare: releases what it can, backs off 2, 4, 8 s, gives up on the 4th failure. */
static void frontend_backoff_and_give_up_test(void **state)
{
	struct ctx *c = *state;
	long ms;

	c->f.avail_pages = 2048; /* 8 MiB free, asked to give 512 MiB */
	assert_int_equal(frontend_target(&c->fe, "524288", NULL), 1);
	ms = run_until_wait(&c->fe, NULL);
	assert_int_equal(c->f.tot_pages, 262144 - 2048);
	assert_int_equal(ms, 2000);
	assert_int_equal(c->fe.state, FRONTEND_BACKOFF);
	assert_int_equal(c->fe.retries, 1);
	assert_non_null(strstr(c->fe.last_error, "guest memory in use"));
	assert_int_equal(frontend_run(&c->fe), 4000);
	assert_int_equal(c->fe.retries, 2);
	assert_int_equal(frontend_run(&c->fe), 8000);
	assert_int_equal(c->fe.retries, 3);
	assert_int_equal(frontend_run(&c->fe), FRONTEND_IDLE_S * 1000L);
	assert_int_equal(c->fe.state, FRONTEND_GAVE_UP);
	assert_string_equal(frontend_state_name(c->fe.state), "gave-up");
	assert_int_equal(c->fe.retries, FRONTEND_MAX_RETRIES);
	/* Never took more than was available. */
	assert_int_equal(c->f.tot_pages, 262144 - 2048);

	/* The same target again (a spurious event) changes nothing. */
	assert_int_equal(frontend_target(&c->fe, "524288", NULL), 0);
	assert_int_equal(c->fe.state, FRONTEND_GAVE_UP);

	/* A new target that is reachable: fresh start, done. */
	assert_int_equal(frontend_target(&c->fe, "1040384", NULL), 1);
	assert_int_equal(c->fe.retries, 0);
	assert_int_equal(run_until_wait(&c->fe, NULL), FRONTEND_IDLE_S * 1000L);
	assert_int_equal(c->fe.state, FRONTEND_DONE);
	assert_string_equal(c->fe.last_error, "");
}

/* The worked example at the top of frontend.c, pass by pass. */
static void frontend_worked_example_test(void **state)
{
	struct ctx *c = *state;
	unsigned int passes = 0;

	c->f.avail_pages = 25600;
	c->f.reserve_pages = 1536;
	assert_int_equal(frontend_target(&c->fe, "524288", NULL), 1);
	assert_int_equal(run_until_wait(&c->fe, &passes), 2000);
	assert_int_equal(passes, 49);
	assert_int_equal(c->fe.current_pages, 262144 - 49 * 512);
	assert_int_equal(frontend_run(&c->fe), 4000);
	assert_int_equal(c->fe.current_pages, 262144 - 25600);
	assert_int_equal(frontend_run(&c->fe), 8000);
	assert_int_equal(frontend_run(&c->fe), FRONTEND_IDLE_S * 1000L);
	assert_int_equal(c->fe.state, FRONTEND_GAVE_UP);
	assert_int_equal(c->fe.current_pages * 4, 924 * 1024);
	assert_non_null(strstr(c->fe.last_error, "guest memory in use"));
}

/* Memory freed during the backoff lets the next try finish: success resets the schedule. */
static void frontend_backoff_recovers_test(void **state)
{
	struct ctx *c = *state;

	c->f.avail_pages = 0;
	assert_int_equal(frontend_target(&c->fe, "1044480", NULL), 1); /* 1020 MiB: 1024 pages */
	assert_int_equal(frontend_run(&c->fe), 2000);
	assert_int_equal(frontend_run(&c->fe), 4000);
	c->f.avail_pages = 100000;
	assert_int_equal(run_until_wait(&c->fe, NULL), FRONTEND_IDLE_S * 1000L);
	assert_int_equal(c->fe.state, FRONTEND_DONE);
	assert_int_equal(c->fe.retries, 0);
	assert_int_equal(c->fe.delay_s, FRONTEND_DELAY_FIRST_S);
	assert_int_equal(c->f.tot_pages, 261120);
}

/* The backoff delay doubles to at most 32 s (with more allowed retries it would stay there). */
static void frontend_backoff_cap_test(void **state)
{
	struct ctx *c = *state;
	unsigned int i;

	c->f.avail_pages = 0;
	assert_int_equal(frontend_target(&c->fe, "1000000", NULL), 1);
	c->fe.delay_s = 16;
	assert_int_equal(frontend_run(&c->fe), 32000);
	for (i = 0; i < 2; i++)
		assert_int_equal(frontend_run(&c->fe), 32000);
	assert_int_equal(frontend_run(&c->fe), FRONTEND_IDLE_S * 1000L);
}

/* Growing on a full host: populate gives nothing, the frontend backs off with a reason. */
static void frontend_host_full_test(void **state)
{
	struct ctx *c = *state;

	c->f.host_free_pages = 700;
	assert_int_equal(frontend_target(&c->fe, "1052672", NULL), 1); /* +1024 pages */
	assert_int_equal(frontend_run(&c->fe), 0);		       /* 512 */
	assert_int_equal(frontend_run(&c->fe), 0);		       /* short: 188 */
	assert_int_equal(frontend_run(&c->fe), 2000);		       /* nothing */
	assert_int_equal(c->fe.state, FRONTEND_BACKOFF);
	assert_non_null(strstr(c->fe.last_error, "populate_physmap"));
	assert_int_equal(c->fe.current_pages, 262144 + 700);
	/* A target change in backoff keeps counting retries, like Linux. */
	assert_int_equal(frontend_target(&c->fe, "1060864", NULL), 1);
	assert_int_equal(c->fe.state, FRONTEND_BACKOFF);
	assert_int_equal(frontend_run(&c->fe), 4000);
	assert_int_equal(c->fe.retries, 2);
}

/* A short decrease (the hypervisor refused some frames) counts only what was done. */
static void frontend_short_decrease_test(void **state)
{
	struct ctx *c = *state;

	c->f.short_by = 12;
	assert_int_equal(frontend_target(&c->fe, "1040384", NULL), 1); /* -2048 pages */
	assert_int_equal(frontend_run(&c->fe), 2000);
	assert_int_equal(c->fe.current_pages, 262144 - 500);
	assert_int_equal(c->f.tot_pages, c->fe.current_pages);
	assert_non_null(strstr(c->fe.last_error, "released 500 of 512"));
	assert_int_equal(run_until_wait(&c->fe, NULL), FRONTEND_IDLE_S * 1000L);
	assert_int_equal(c->fe.current_pages, 260096);
}

/* Without static-max the map ends at the boot allocation: growing clamps and gives up. */
static void frontend_no_static_max_test(void **state)
{
	struct ctx *c = *state;
	const char *why = NULL;

	frontend_free(&c->fe);
	frontend_init(&c->fe, c->f.tot_pages, &fake_ops, &c->f);
	assert_int_equal(frontend_static_max(&c->fe, NULL), XMEM_ERR_NOTFOUND);
	assert_int_equal(frontend_target(&c->fe, "2000000", &why), XMEM_ERR_RANGE);
	frontend_init(&c->fe, c->f.tot_pages, &fake_ops, &c->f);
	assert_int_equal(frontend_target(&c->fe, "2000000", &why), 1);
	assert_int_equal(frontend_run(&c->fe), FRONTEND_IDLE_S * 1000L);
	assert_int_equal(c->fe.state, FRONTEND_GAVE_UP);
	assert_non_null(strstr(c->fe.last_error, "balloon empty"));
	assert_int_equal(c->f.nr_calls, 0);
}

/* Before any target the frontend does nothing. */
static void frontend_no_target_idle_test(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(frontend_run(&c->fe), FRONTEND_IDLE_S * 1000L);
	assert_int_equal(c->fe.state, FRONTEND_DONE);
	assert_int_equal(c->f.nr_calls, 0);
	assert_string_equal(frontend_state_name((enum frontend_state)42), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(frontend_shrink_in_batches_test, setup, teardown),
		cmocka_unit_test_setup_teardown(frontend_balloon_keeps_frames_test, setup,
						teardown),
		cmocka_unit_test_setup_teardown(frontend_unknown_boot_frames_test, setup, teardown),
		cmocka_unit_test_setup_teardown(frontend_grow_to_static_max_test, setup, teardown),
		cmocka_unit_test_setup_teardown(frontend_bad_targets_ignored_test, setup, teardown),
		cmocka_unit_test_setup_teardown(frontend_backoff_and_give_up_test, setup, teardown),
		cmocka_unit_test_setup_teardown(frontend_worked_example_test, setup, teardown),
		cmocka_unit_test_setup_teardown(frontend_backoff_recovers_test, setup, teardown),
		cmocka_unit_test_setup_teardown(frontend_backoff_cap_test, setup, teardown),
		cmocka_unit_test_setup_teardown(frontend_host_full_test, setup, teardown),
		cmocka_unit_test_setup_teardown(frontend_short_decrease_test, setup, teardown),
		cmocka_unit_test_setup_teardown(frontend_no_static_max_test, setup, teardown),
		cmocka_unit_test_setup_teardown(frontend_no_target_idle_test, setup, teardown),
		cmocka_unit_test_setup_teardown(frontend_hotplug_grows_past_boot_test, setup,
						teardown),
		cmocka_unit_test_setup_teardown(frontend_no_hotplug_clamps_test, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
