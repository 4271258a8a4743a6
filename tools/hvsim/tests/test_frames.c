/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/hvsim/frames.c: the frame table. */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <stdlib.h>
#include <string.h>

#include "xmem_err.h"

/* The unit itself, so tests can reach its internals to corrupt them. */
#include "frames.c"

static uint64_t counts[FRAMES_NR_OWNERS];

/* The table's own recount agrees with its counters. */
static void audit_ok(const struct frames *fr)
{
	char msg[256] = "";

	if (frames_audit(fr, counts, msg, sizeof(msg)) != 0)
		fail_msg("audit: %s", msg);
}

/* Every frame of a table whose last chunk is short can be handed out, once. */
static void frames_fill_short_table_test(void **state)
{
	struct frames *fr = frames_new(1000);
	uint64_t f, seen = 0;
	unsigned char *taken = calloc(1000, 1);

	assert_non_null(fr);
	assert_int_equal(frames_nr_free(fr), 1000);
	while (frames_alloc(fr, 1, 0, &f) == 0) {
		assert_true(f < 1000);
		assert_false(taken[f]);
		taken[f] = 1;
		seen++;
	}
	assert_int_equal(seen, 1000);
	assert_int_equal(frames_nr_free(fr), 0);
	assert_int_equal(frames_alloc(fr, 2, 0, &f), XMEM_ERR_NOSPACE);
	audit_ok(fr);
	assert_int_equal(counts[1], 1000);
	free(taken);
	frames_free_all(fr);
}

/* An extent of order k is 2^k frames aligned to 2^k, all owned by the caller. */
static void frames_alloc_aligned_test(void **state)
{
	struct frames *fr = frames_new(8 * FRAMES_PER_CHUNK);
	unsigned int order;
	uint64_t f, i;

	assert_non_null(fr);
	assert_int_equal(frames_alloc(fr, 3, 0, &f), 0); /* misalign the hint chunk */
	for (order = 1; order <= 9; order++) {
		assert_int_equal(frames_alloc(fr, 3, order, &f), 0);
		assert_int_equal(f % (UINT64_C(1) << order), 0);
		for (i = 0; i < (UINT64_C(1) << order); i++)
			assert_int_equal(frames_owner(fr, f + i), 3);
	}
	audit_ok(fr);
	assert_int_equal(frames_alloc(fr, 3, FRAMES_MAX_ORDER + 1, &f), XMEM_ERR_INVAL);
	assert_int_equal(frames_alloc(fr, FRAMES_NR_OWNERS, 0, &f), XMEM_ERR_INVAL);
	frames_free_all(fr);
}

/* Orders 10 to 12 take whole aligned chunks; none left means NOSPACE. */
static void frames_large_orders_test(void **state)
{
	struct frames *fr = frames_new(16 * FRAMES_PER_CHUNK);
	uint64_t f, g;

	assert_non_null(fr);
	assert_int_equal(frames_alloc(fr, 0, 12, &f), 0);
	assert_int_equal(f % 4096, 0);
	assert_int_equal(frames_alloc(fr, 0, 0, &g), 0); /* breaks the second group of 8 */
	assert_int_equal(frames_alloc(fr, 0, 12, &g), XMEM_ERR_NOSPACE);
	assert_int_equal(frames_alloc(fr, 0, 10, &g), 0);
	assert_int_equal(g % 1024, 0);
	audit_ok(fr);
	assert_int_equal(counts[0], 4096 + 1 + 1024);
	assert_int_equal(frames_release(fr, 0, f, 12), 0);
	assert_int_equal(frames_alloc(fr, 0, 12, &g), 0);
	assert_int_equal(g, f);
	audit_ok(fr);
	frames_free_all(fr);
}

/* Giving back a frame one does not own changes nothing. */
static void frames_release_not_owned_test(void **state)
{
	struct frames *fr = frames_new(4 * FRAMES_PER_CHUNK);
	uint64_t a, b, free_before;

	assert_non_null(fr);
	assert_int_equal(frames_alloc(fr, 1, 0, &a), 0);
	assert_int_equal(frames_alloc(fr, 2, 0, &b), 0);
	free_before = frames_nr_free(fr);
	assert_int_equal(frames_release(fr, 2, a, 0), XMEM_ERR_PERM);
	assert_int_equal(frames_release(fr, 1, 4 * FRAMES_PER_CHUNK, 0), XMEM_ERR_RANGE);
	assert_int_equal(frames_release(fr, 1, UINT64_MAX, 3), XMEM_ERR_RANGE);
	/* A free frame is nobody's. */
	assert_int_equal(frames_release(fr, 1, 3 * FRAMES_PER_CHUNK + 7, 0), XMEM_ERR_PERM);
	assert_int_equal(frames_nr_free(fr), free_before);
	assert_int_equal(frames_owner(fr, a), 1);
	assert_int_equal(frames_release(fr, 1, a, 0), 0);
	assert_int_equal(frames_release(fr, 1, a, 0), XMEM_ERR_PERM); /* twice */
	assert_int_equal(frames_owner(fr, a), -1);
	audit_ok(fr);
	frames_free_all(fr);
}

/* An extent that is only partly the caller's is refused whole. */
static void frames_release_mixed_extent_test(void **state)
{
	struct frames *fr = frames_new(FRAMES_PER_CHUNK);
	uint64_t f[4];
	int i;

	assert_non_null(fr);
	for (i = 0; i < 4; i++)
		assert_int_equal(frames_alloc(fr, i < 3 ? 1 : 2, 0, &f[i]), 0);
	assert_int_equal(f[0], 0);
	assert_int_equal(f[3], 3);
	assert_int_equal(frames_nr_shared_chunks(fr), 1);
	assert_int_equal(frames_release(fr, 1, 0, 2), XMEM_ERR_PERM);
	assert_int_equal(frames_owner(fr, 0), 1);
	assert_int_equal(frames_release(fr, 1, 0, 1), 0);
	assert_int_equal(frames_owner(fr, 0), -1);
	assert_int_equal(frames_owner(fr, 2), 1);
	assert_int_equal(frames_owner(fr, 3), 2);
	audit_ok(fr);
	assert_int_equal(counts[1], 1);
	assert_int_equal(counts[2], 1);
	frames_free_all(fr);
}

/* Releasing an owner frees its frames in single and shared chunks alike. */
static void frames_release_owner_test(void **state)
{
	struct frames *fr = frames_new(3 * FRAMES_PER_CHUNK + 100);
	uint64_t f;
	int i;

	assert_non_null(fr);
	for (i = 0; i < 3 * FRAMES_PER_CHUNK + 100; i++)
		assert_int_equal(frames_alloc(fr, (unsigned int)(i % 3 == 0 ? 7 : 8), 0, &f), 0);
	audit_ok(fr);
	assert_true(frames_nr_shared_chunks(fr) > 0);
	assert_int_equal(frames_release_owner(fr, 7), counts[7]);
	audit_ok(fr);
	assert_int_equal(counts[7], 0);
	assert_int_equal(frames_release_owner(fr, 8), counts[8]);
	assert_int_equal(frames_nr_free(fr), 3 * FRAMES_PER_CHUNK + 100);
	assert_int_equal(frames_nr_shared_chunks(fr), 0);
	audit_ok(fr);
	assert_int_equal(frames_release_owner(fr, 8), 0);
	frames_free_all(fr);
}

/* Guests ballooning in turn keep to their own chunks: few chunks get shared. */
static void frames_owners_cluster_test(void **state)
{
	struct frames *fr = frames_new(64 * FRAMES_PER_CHUNK);
	uint64_t f;
	unsigned int round, owner, i;

	assert_non_null(fr);
	for (round = 0; round < 8; round++) {
		for (owner = 1; owner <= 4; owner++) {
			for (i = 0; i < 512; i++)
				assert_int_equal(frames_alloc(fr, owner, 0, &f), 0);
		}
	}
	assert_int_equal(frames_nr_shared_chunks(fr), 0);
	audit_ok(fr);
	frames_free_all(fr);
}

/* The audit notices counters or maps that disagree. */
static void frames_audit_sees_corruption_test(void **state)
{
	struct frames *fr = frames_new(2 * FRAMES_PER_CHUNK);
	uint64_t f;
	char msg[256] = "";

	assert_non_null(fr);
	assert_int_equal(frames_alloc(fr, 1, 0, &f), 0);
	audit_ok(fr);
	fr->nr_free++;
	assert_int_equal(frames_audit(fr, counts, msg, sizeof(msg)), XMEM_ERR_FAIL);
	fr->nr_free--;
	fr->chunks[0].used[0] ^= 2;
	assert_int_equal(frames_audit(fr, counts, msg, sizeof(msg)), XMEM_ERR_FAIL);
	fr->chunks[0].used[0] ^= 2;
	map_clear(fr->avail_map, 1);
	assert_int_equal(frames_audit(fr, counts, msg, sizeof(msg)), XMEM_ERR_FAIL);
	map_set(fr->avail_map, 1);
	audit_ok(fr);
	frames_free_all(fr);
}

/* A 1 TiB table with 1,000 owners costs far less than 1 GiB. */
static void frames_tib_footprint_test(void **state)
{
	uint64_t nr = UINT64_C(1) << 28, f;
	struct frames *fr = frames_new(nr);
	unsigned int owner, i;

	assert_non_null(fr);
	/* Each of 1,000 owners takes 256 MiB in order-9 extents plus 100 single frames. */
	for (owner = 1; owner <= 1000; owner++) {
		for (i = 0; i < 128; i++)
			assert_int_equal(frames_alloc(fr, owner, 9, &f), 0);
		for (i = 0; i < 100; i++)
			assert_int_equal(frames_alloc(fr, owner, 0, &f), 0);
	}
	assert_true(frames_mem_bytes(fr) < (UINT64_C(64) << 20));
	assert_int_equal(frames_nr_free(fr), nr - 1000 * (128 * 512 + 100));
	frames_free_all(fr);
}

/* Bad sizes are refused. */
static void frames_new_bad_size_test(void **state)
{
	assert_null(frames_new(0));
	assert_null(frames_new(FRAMES_MAX_FRAMES + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frames_fill_short_table_test),
		cmocka_unit_test(frames_alloc_aligned_test),
		cmocka_unit_test(frames_large_orders_test),
		cmocka_unit_test(frames_release_not_owned_test),
		cmocka_unit_test(frames_release_mixed_extent_test),
		cmocka_unit_test(frames_release_owner_test),
		cmocka_unit_test(frames_owners_cluster_test),
		cmocka_unit_test(frames_audit_sees_corruption_test),
		cmocka_unit_test(frames_tib_footprint_test),
		cmocka_unit_test(frames_new_bad_size_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
