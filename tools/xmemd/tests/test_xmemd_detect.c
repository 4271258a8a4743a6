/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/xmemd/detect.c: judging whether a domain has a balloon that follows its target. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../tests/cmocka_all.h"

#include "../cache.h"
#include "../detect.h"
#include "hv.h"
#include "xmem_err.h"

#define MIB  (UINT64_C(1024))
#define SEC  (UINT64_C(1000))
#define WAIT (20 * SEC)

/*
 * A managed domain at its 1 GiB target, 256 MiB..2 GiB, no frontend, auto,
 * and no free memory for a raising probe (the tests that want one give room).
 */
static struct detect_in detect_make(void)
{
	struct detect_in in;

	memset(&in, 0, sizeof(in));
	in.mode = DETECT_MODE_AUTO;
	in.managed = 1;
	in.has_target = 1;
	in.target_kib = in.current_kib = 1024 * MIB;
	in.min_kib = 256 * MIB;
	in.max_kib = in.static_max_kib = 2048 * MIB;
	in.maxmem_kib = 1025 * MIB;
	in.maxmem_slack_kib = MIB;
	in.tolerance_kib = 1024;
	in.wait_ms = WAIT;
	in.now_ms = 1000 * SEC;
	return in;
}

static void detect_modes_test(void **state)
{
	struct detect d;
	struct detect_in in = detect_make();
	struct detect_out out;

	assert_int_equal(detect_parse_mode("yes"), DETECT_MODE_YES);
	assert_int_equal(detect_parse_mode("no"), DETECT_MODE_NO);
	assert_int_equal(detect_parse_mode("auto"), DETECT_MODE_AUTO);
	assert_int_equal(detect_parse_mode(NULL), DETECT_MODE_AUTO);
	assert_int_equal(detect_parse_mode("maybe"), DETECT_MODE_AUTO);
	/* yes: driven at once, no probe. */
	memset(&d, 0, sizeof(d));
	in.mode = DETECT_MODE_YES;
	detect_step(&d, &in, &out);
	assert_int_equal(d.has_balloon, 1);
	assert_int_equal(out.set_target, 0);
	assert_string_equal(detect_verdict_name(d.verdict), "yes");
	/* no: never driven, never probed, whatever a frontend says. */
	memset(&d, 0, sizeof(d));
	in.mode = DETECT_MODE_NO;
	in.frontend = 1;
	detect_step(&d, &in, &out);
	assert_int_equal(d.has_balloon, 0);
	assert_int_equal(out.set_target, 0);
	assert_string_equal(detect_verdict_name(d.verdict), "no");
	/* auto with a frontend that says so: present. */
	memset(&d, 0, sizeof(d));
	in.mode = DETECT_MODE_AUTO;
	detect_step(&d, &in, &out);
	assert_int_equal(d.has_balloon, 1);
	assert_int_equal(out.changed, 1);
	assert_int_equal(out.set_target, 0);
}

/* A silent guest settled at its target is probed; following the probe proves a balloon. */
static void detect_probe_followed_test(void **state)
{
	struct detect d;
	struct detect_in in = detect_make();
	struct detect_out out;

	memset(&d, 0, sizeof(d));
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 1);
	assert_int_equal(out.target_kib, 1024 * MIB - DETECT_PROBE_KIB);
	assert_int_equal(d.has_balloon, 0);
	assert_string_equal(detect_verdict_name(d.verdict), "probing");
	/* xmemd wrote it: not someone else's change. Not moved yet. */
	in.target_kib = out.target_kib;
	in.now_ms += 1 * SEC;
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 0);
	assert_int_equal(d.has_balloon, 0);
	/* Moved 1 MiB: not enough. 2 MiB: a balloon. */
	in.current_kib -= MIB;
	in.now_ms += 1 * SEC;
	detect_step(&d, &in, &out);
	assert_int_equal(d.has_balloon, 0);
	in.current_kib -= MIB;
	detect_step(&d, &in, &out);
	assert_int_equal(d.has_balloon, 1);
	assert_int_equal(out.changed, 1);
	assert_int_equal(out.set_target, 1); /* the probe is undone; the plan takes it from there */
	assert_int_equal(out.target_kib, 1024 * MIB);
	assert_int_equal(out.set_maxmem, 0);
	/* It stays: a later stall is the cooperation judgement's business. */
	in.now_ms += 600 * SEC;
	detect_step(&d, &in, &out);
	assert_int_equal(d.has_balloon, 1);
	assert_int_equal(out.changed, 0);
}

/* A probe not followed within the wait: no balloon, the target goes back, probed again later. */
static void detect_probe_ignored_test(void **state)
{
	struct detect d;
	struct detect_in in = detect_make();
	struct detect_out out;
	uint64_t t0 = in.now_ms;

	memset(&d, 0, sizeof(d));
	detect_step(&d, &in, &out);
	in.target_kib = out.target_kib;
	in.now_ms = t0 + WAIT - 1;
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 0);
	assert_string_equal(detect_verdict_name(d.verdict), "probing");
	in.now_ms = t0 + WAIT;
	detect_step(&d, &in, &out);
	assert_int_equal(out.changed, 1);
	assert_int_equal(out.set_target, 1);
	assert_int_equal(out.target_kib, 1024 * MIB);
	assert_int_equal(d.has_balloon, 0);
	assert_string_equal(detect_verdict_name(d.verdict), "no");
	/* Left alone until the retry. */
	in.target_kib = out.target_kib;
	in.now_ms += DETECT_RETRY_MS - 1;
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 0);
	assert_string_equal(detect_verdict_name(d.verdict), "no");
	in.now_ms += 1;
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 1);
	assert_int_equal(out.target_kib, 1024 * MIB - DETECT_PROBE_KIB);
}

/*
 * With free memory and room below its bounds the probe raises (a guest short
 * of memory cannot give, but takes): maxmem with it, its growth counted;
 * not followed, target and maxmem go back; followed, the plan takes over.
 */
static void detect_probe_up_test(void **state)
{
	struct detect d;
	struct detect_in in = detect_make();
	struct detect_out out;

	memset(&d, 0, sizeof(d));
	in.room_kib = 64 * MIB;
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 1);
	assert_int_equal(out.target_kib, 1024 * MIB + DETECT_PROBE_KIB);
	assert_int_equal(out.set_maxmem, 1);
	assert_int_equal(out.maxmem_kib, 1024 * MIB + DETECT_PROBE_KIB + MIB);
	assert_int_equal(out.took_kib, DETECT_PROBE_KIB);
	assert_int_equal(d.probe_up, 1);
	in.target_kib = out.target_kib;
	in.maxmem_kib = out.maxmem_kib;
	in.now_ms += WAIT;
	detect_step(&d, &in, &out);
	assert_string_equal(detect_verdict_name(d.verdict), "no");
	assert_int_equal(out.set_target, 1);
	assert_int_equal(out.target_kib, 1024 * MIB);
	assert_int_equal(out.set_maxmem, 1);
	assert_int_equal(out.maxmem_kib, 1025 * MIB);
	assert_int_equal(d.probe_up, 0);
	/* A guest that grows: present, maxmem left to the plan. */
	memset(&d, 0, sizeof(d));
	in = detect_make();
	in.room_kib = 64 * MIB;
	detect_step(&d, &in, &out);
	in.target_kib = out.target_kib;
	in.current_kib += 4 * MIB;
	in.now_ms += SEC;
	detect_step(&d, &in, &out);
	assert_int_equal(d.has_balloon, 1);
	assert_int_equal(out.set_target, 1);
	assert_int_equal(out.target_kib, 1024 * MIB);
	assert_int_equal(out.set_maxmem, 1);
	assert_int_equal(out.maxmem_kib, 1025 * MIB);
	assert_int_equal(d.probe_up, 0);
	/* No room above: dynamic-max or static-max reached, or too little free: down instead. */
	memset(&d, 0, sizeof(d));
	in = detect_make();
	in.room_kib = 64 * MIB;
	in.max_kib = 1024 * MIB + DETECT_PROBE_KIB - 1;
	detect_step(&d, &in, &out);
	assert_int_equal(out.target_kib, 1024 * MIB - DETECT_PROBE_KIB);
	assert_int_equal(out.set_maxmem, 0);
	assert_int_equal(out.took_kib, 0);
	memset(&d, 0, sizeof(d));
	in = detect_make();
	in.room_kib = DETECT_PROBE_KIB - 1;
	detect_step(&d, &in, &out);
	assert_int_equal(out.target_kib, 1024 * MIB - DETECT_PROBE_KIB);
}

/* An admin's (or the builder's) target change that the allocation follows proves a balloon, without a probe. */
static void detect_admin_change_test(void **state)
{
	struct detect d;
	struct detect_in in = detect_make();
	struct detect_out out;

	/* Unmanaged: never probed. */
	memset(&d, 0, sizeof(d));
	in.managed = 0;
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 0);
	assert_string_equal(detect_verdict_name(d.verdict), "unknown");
	/* An admin's mem-set to 768 MiB, followed a little at a time. */
	in.target_kib = 768 * MIB;
	in.now_ms += SEC;
	detect_step(&d, &in, &out);
	assert_int_equal(d.has_balloon, 0);
	in.current_kib -= 3 * MIB;
	in.now_ms += SEC;
	detect_step(&d, &in, &out);
	assert_int_equal(d.has_balloon, 1);
	assert_int_equal(out.set_target, 0);
	/* A domain first seen far from its target (booting) that grows toward it. */
	memset(&d, 0, sizeof(d));
	in = detect_make();
	in.current_kib = 100 * MIB;
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 0); /* watched, not probed */
	in.current_kib = 200 * MIB;
	in.now_ms += SEC;
	detect_step(&d, &in, &out);
	assert_int_equal(d.has_balloon, 1);
}

/* A domain that never reaches the target it was given has none; a probe cut short by an admin is not undone. */
static void detect_gap_and_interrupt_test(void **state)
{
	struct detect d;
	struct detect_in in = detect_make();
	struct detect_out out;

	memset(&d, 0, sizeof(d));
	in.current_kib = 2 * MIB; /* no frontend ever populated it */
	detect_step(&d, &in, &out);
	in.now_ms += WAIT;
	detect_step(&d, &in, &out);
	assert_string_equal(detect_verdict_name(d.verdict), "no");
	assert_int_equal(out.changed, 1);
	assert_int_equal(out.set_target, 0); /* not xmemd's target: left as it is */

	memset(&d, 0, sizeof(d));
	in = detect_make();
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 1);
	in.target_kib = 900 * MIB; /* an admin's mem-set during the probe */
	in.now_ms += SEC;
	detect_step(&d, &in, &out);
	assert_string_equal(detect_verdict_name(d.verdict), "unknown");
	in.now_ms += WAIT;
	detect_step(&d, &in, &out);
	assert_string_equal(detect_verdict_name(d.verdict), "no");
	assert_int_equal(out.set_target, 0); /* the admin's target stays */

	/* At its minimum: no room for a probe, so nothing is written and nothing is concluded. */
	memset(&d, 0, sizeof(d));
	in = detect_make();
	in.target_kib = in.current_kib = in.min_kib + DETECT_PROBE_MIN_KIB - 1;
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 0);
	assert_string_equal(detect_verdict_name(d.verdict), "unknown");
	/* Near it: a smaller probe, never below the minimum. */
	memset(&d, 0, sizeof(d));
	in.target_kib = in.current_kib = in.min_kib + 8 * MIB;
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 1);
	assert_int_equal(out.target_kib, in.min_kib);
	/* Switched to "no" mid-probe: undone. */
	in.target_kib = out.target_kib;
	in.mode = DETECT_MODE_NO;
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 1);
	assert_int_equal(out.target_kib, in.min_kib + 8 * MIB);
}

/* A verdict published by an earlier xmemd is taken over: no probe at restart. */
static void detect_restore_test(void **state)
{
	struct detect d;
	struct detect_in in = detect_make();
	struct detect_out out;

	memset(&d, 0, sizeof(d));
	detect_restore(&d, "no");
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 0);
	assert_int_equal(out.changed, 0);
	assert_int_equal(d.has_balloon, 0);
	in.now_ms += DETECT_RETRY_MS;
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 1); /* probed again in time */
	memset(&d, 0, sizeof(d));
	detect_restore(&d, "yes");
	detect_step(&d, &in, &out);
	assert_int_equal(d.has_balloon, 1);
	assert_int_equal(out.set_target, 0);
	memset(&d, 0, sizeof(d));
	detect_restore(&d, "probing"); /* not a verdict: judged afresh */
	detect_restore(&d, NULL);
	detect_step(&d, &in, &out);
	assert_int_equal(out.set_target, 1);
}

/*
 * A probe is recorded before its target is written and the record removed
 * when it ends; a probe an earlier xmemd left (its record read at start) is
 * undone, target and maxmem, unless someone's target replaced it since.
 */
static void detect_probe_record_test(void **state)
{
	struct detect d, d2;
	struct detect_in in = detect_make();
	struct detect_out out;
	char rec[80];

	(void)state;
	memset(&d, 0, sizeof(d));
	in.room_kib = 64 * MIB;
	detect_step(&d, &in, &out);
	assert_int_equal(out.probe_write, 1);
	assert_int_equal(out.probe_clear, 0);
	detect_probe_record(&d, rec, sizeof(rec));
	assert_string_equal(rec, "1048576 1064960 1049600");
	/* Watched: no record written again; ended: removed. */
	in.target_kib = out.target_kib;
	in.maxmem_kib = out.maxmem_kib;
	in.now_ms += SEC;
	detect_step(&d, &in, &out);
	assert_int_equal(out.probe_write, 0);
	assert_int_equal(out.probe_clear, 0);
	in.now_ms += WAIT;
	detect_step(&d, &in, &out);
	assert_int_equal(out.probe_clear, 1);

	/* xmemd died mid-probe: the next one puts target and maxmem back, and judges afresh. */
	memset(&d2, 0, sizeof(d2));
	detect_restore(&d2, "probing");
	assert_int_equal(detect_restore_probe(&d2, rec), 0);
	in = detect_make();
	in.target_kib = 1040 * MIB;
	in.maxmem_kib = 1041 * MIB;
	detect_step(&d2, &in, &out);
	assert_int_equal(out.left_undone, 1);
	assert_int_equal(out.probe_clear, 1);
	assert_int_equal(out.set_target, 1);
	assert_int_equal(out.target_kib, 1024 * MIB);
	assert_int_equal(out.set_maxmem, 1);
	assert_int_equal(out.maxmem_kib, 1025 * MIB);
	/* Its own undo is not an outside change to watch. */
	in.target_kib = 1024 * MIB;
	in.maxmem_kib = 1025 * MIB;
	in.now_ms += SEC;
	detect_step(&d2, &in, &out);
	assert_string_not_equal(detect_verdict_name(d2.verdict), "no");
	assert_int_equal(out.left_undone, 0);

	/* A lowering probe's record has no maxmem; someone's target since stands. */
	memset(&d2, 0, sizeof(d2));
	assert_int_equal(detect_restore_probe(&d2, "1048576 1032192 0"), 0);
	in = detect_make();
	in.target_kib = 900 * MIB;
	detect_step(&d2, &in, &out);
	assert_int_equal(out.left_undone, 0);
	assert_int_equal(out.probe_clear, 1);
	assert_int_equal(out.set_target, 0);
	memset(&d2, 0, sizeof(d2));
	assert_int_equal(detect_restore_probe(&d2, "1048576 1032192 0"), 0);
	in = detect_make();
	in.target_kib = 1032192;
	detect_step(&d2, &in, &out);
	assert_int_equal(out.set_target, 1);
	assert_int_equal(out.target_kib, 1024 * MIB);
	assert_int_equal(out.set_maxmem, 0);

	/* A malformed record is only removed. */
	memset(&d2, 0, sizeof(d2));
	assert_int_equal(detect_restore_probe(&d2, "1048576 junk"), XMEM_ERR_INVAL);
	in = detect_make();
	in.target_kib = 1032192;
	detect_step(&d2, &in, &out);
	assert_int_equal(out.probe_clear, 1);
	assert_int_equal(out.left_undone, 0);
	memset(&d2, 0, sizeof(d2));
	assert_int_equal(detect_restore_probe(&d2, "1 2 3 4"), XMEM_ERR_INVAL);
	assert_int_equal(detect_restore_probe(&d2, NULL), 0);
}

/* Stopping: a running probe is undone (unless its target was replaced); nothing else moves. */
static void detect_stop_test(void **state)
{
	struct detect d;
	struct detect_in in = detect_make();
	struct detect_out out;

	(void)state;
	memset(&d, 0, sizeof(d));
	detect_stop(&d, in.target_kib, &out);
	assert_int_equal(out.probe_clear, 0);
	assert_int_equal(out.set_target, 0);
	in.room_kib = 64 * MIB;
	detect_step(&d, &in, &out);
	detect_stop(&d, out.target_kib, &out);
	assert_int_equal(out.probe_clear, 1);
	assert_int_equal(out.set_target, 1);
	assert_int_equal(out.target_kib, 1024 * MIB);
	assert_int_equal(out.set_maxmem, 1);
	assert_int_equal(out.maxmem_kib, 1025 * MIB);
	assert_int_equal(d.probing, 0);
	memset(&d, 0, sizeof(d));
	in = detect_make();
	detect_step(&d, &in, &out);
	detect_stop(&d, 900 * MIB, &out); /* an admin's target since */
	assert_int_equal(out.probe_clear, 1);
	assert_int_equal(out.set_target, 0);
	assert_int_equal(out.set_maxmem, 0);
}

/* The room for raising probes leaves out claims, the floor, granted holds and growth promised anywhere. */
static void detect_room_test(void **state)
{
	static const uint32_t ids[] = { 1, 2 };
	struct hv_dominfo infos[2];
	struct cache_res res[1];
	struct cache c;

	cache_init(&c, NULL);
	assert_int_equal(cache_sync_domains(&c, ids, 2), 0);
	memset(infos, 0, sizeof(infos));
	infos[0].domid = 1;
	infos[0].tot_pages = 256 * MIB / 4; /* 256 MiB, growing to 512 MiB, maxmem 400 MiB */
	infos[0].max_pages = 400 * MIB / 4;
	c.doms[0].has_target = 1;
	c.doms[0].target_kib = 512 * MIB;
	infos[1].domid = 2;
	infos[1].tot_pages = 256 * MIB / 4; /* shrinking: nothing promised */
	infos[1].max_pages = 1024 * MIB / 4;
	c.doms[1].has_target = 1;
	c.doms[1].target_kib = 128 * MIB;
	assert_int_equal(detect_room_kib(&c, infos, 2, 1024 * MIB, 10 * MIB, 64 * MIB),
			 (1024 - 10 - 64 - 144) * MIB);
	memset(res, 0, sizeof(res));
	res[0].state = CACHE_RES_GRANTED;
	res[0].granted_kib = 100 * MIB;
	c.res = res;
	c.nr_res = 1;
	assert_int_equal(detect_room_kib(&c, infos, 2, 1024 * MIB, 10 * MIB, 64 * MIB),
			 (1024 - 10 - 64 - 144 - 100) * MIB);
	assert_int_equal(detect_room_kib(&c, infos, 2, 100 * MIB, 10 * MIB, 64 * MIB), 0);
	c.res = NULL;
	c.nr_res = 0;
	cache_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detect_modes_test),
		cmocka_unit_test(detect_probe_followed_test),
		cmocka_unit_test(detect_probe_ignored_test),
		cmocka_unit_test(detect_probe_up_test),
		cmocka_unit_test(detect_admin_change_test),
		cmocka_unit_test(detect_gap_and_interrupt_test),
		cmocka_unit_test(detect_restore_test),
		cmocka_unit_test(detect_probe_record_test),
		cmocka_unit_test(detect_stop_test),
		cmocka_unit_test(detect_room_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
