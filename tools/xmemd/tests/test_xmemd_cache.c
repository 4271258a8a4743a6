/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for tools/xmemd/cache.c: watch-driven re-reads. The key tree is
 * a small in-memory table behind wrapped xs_read/xs_directory, which also
 * count the reads.
 */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cache.h"
#include "size.h"

#define NKEYS 64

static struct {
	char path[128];
	char val[64];
} keys[NKEYS];
static unsigned int nr_xs_reads;
/* A client's transaction that commits when this path is next read (NULL: none). */
static const char *commit_at_path;
static void (*commit_fn)(void);

static void kv_set(const char *path, const char *val)
{
	int i, free_slot = -1;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].path[0] && !strcmp(keys[i].path, path)) {
			snprintf(keys[i].val, sizeof(keys[i].val), "%s", val);
			return;
		}
		if (!keys[i].path[0] && free_slot < 0)
			free_slot = i;
	}
	assert_true(free_slot >= 0);
	snprintf(keys[free_slot].path, sizeof(keys[free_slot].path), "%s", path);
	snprintf(keys[free_slot].val, sizeof(keys[free_slot].val), "%s", val);
}

void *__wrap_xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len);
void *__wrap_xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
	int i;

	(void)h;
	(void)t;
	nr_xs_reads++;
	if (commit_at_path && !strcmp(path, commit_at_path)) {
		commit_at_path = NULL;
		commit_fn();
	}
	for (i = 0; i < NKEYS; i++)
		if (keys[i].path[0] && !strcmp(keys[i].path, path)) {
			*len = (unsigned int)strlen(keys[i].val);
			return strdup(keys[i].val);
		}
	return NULL;
}

char **__wrap_xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
			   unsigned int *num);
char **__wrap_xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
			   unsigned int *num)
{
	const char *prefix = "/tool/xmemd/reservation/";
	char names[NKEYS][64];
	unsigned int n = 0, i, j;
	size_t total = 0;
	char **vec, *p;

	(void)h;
	(void)t;
	(void)path;
	nr_xs_reads++;
	for (i = 0; i < NKEYS; i++) {
		const char *k = keys[i].path, *s;
		size_t len;

		if (strncmp(k, prefix, strlen(prefix)))
			continue;
		k += strlen(prefix);
		s = strchr(k, '/');
		len = s ? (size_t)(s - k) : strlen(k);
		for (j = 0; j < n; j++)
			if (strlen(names[j]) == len && !strncmp(names[j], k, len))
				break;
		if (j == n) {
			snprintf(names[n], sizeof(names[n]), "%.*s", (int)len, k);
			total += len + 1;
			n++;
		}
	}
	if (!n)
		return NULL;
	vec = malloc(n * sizeof(char *) + total);
	p = (char *)(vec + n);
	for (i = 0; i < n; i++) {
		strcpy(p, names[i]);
		vec[i] = p;
		p += strlen(p) + 1;
	}
	*num = n;
	return vec;
}

static int setup(void **state)
{
	memset(keys, 0, sizeof(keys));
	nr_xs_reads = 0;
	commit_at_path = NULL;
	kv_set("/local/domain/1/memory/target", "1048576");
	kv_set("/local/domain/1/memory/dynamic-min", "524288");
	kv_set("/local/domain/1/memory/dynamic-max", "2097152");
	kv_set("/local/domain/1/memory/static-max", "2097152");
	kv_set("/local/domain/1/memory/managed", "1");
	kv_set("/local/domain/1/memory/weight", "8000");
	kv_set("/local/domain/1/data/xmem/used_kib", "400000");
	kv_set("/local/domain/1/data/balloon/state", "done");
	kv_set("/local/domain/2/memory/target", "524288");
	return 0;
}

/* The first refresh reads everything; a second with nothing changed reads nothing. */
static void cache_quiet_rebalance_reads_nothing_test(void **state)
{
	struct cache c;
	uint32_t domids[] = { 0, 1, 2 };
	struct cache_dom *d;

	cache_init(&c, NULL);
	assert_int_equal(cache_sync_domains(&c, domids, 3), 0);
	assert_true(cache_refresh(&c, 1) > 0);
	d = cache_find(&c, 1);
	assert_non_null(d);
	assert_int_equal(d->target_kib, 1048576);
	assert_int_equal(d->min_kib, 524288);
	assert_int_equal(d->weight, 8000);
	assert_true(d->managed);
	assert_true(d->has_report);
	assert_int_equal(d->balloon, POLICY_BALLOON_DONE);
	assert_false(cache_find(&c, 2)->managed);
	assert_int_equal(cache_find(&c, 2)->weight, POLICY_WEIGHT_DEFAULT);

	nr_xs_reads = 0;
	assert_int_equal(cache_sync_domains(&c, domids, 3), 0);
	assert_int_equal(cache_refresh(&c, 2), 0);
	assert_int_equal(nr_xs_reads, 0);
	cache_free(&c);
}

/* An event re-reads the touched domain only; noise re-reads nothing. */
static void cache_event_rereads_one_domain_test(void **state)
{
	struct cache c;
	uint32_t domids[] = { 1, 2 };
	unsigned int per_dom;

	cache_init(&c, NULL);
	cache_sync_domains(&c, domids, 2);
	cache_refresh(&c, 1);

	nr_xs_reads = 0;
	assert_int_equal(cache_watch_event(&c, "/local/domain/2/device/vbd/768/state"),
			 CACHE_EV_NOISE);
	assert_int_equal(cache_watch_event(&c, "/local/domain/2/memorything"), CACHE_EV_NOISE);
	assert_int_equal(cache_watch_event(&c, "/tool/xmemd/domain/2/state"), CACHE_EV_NOISE);
	assert_int_equal(cache_refresh(&c, 2), 0);

	kv_set("/local/domain/1/data/xmem/used_kib", "900000");
	/* A demand report can wait for the others; a target or a balloon cannot. */
	assert_int_equal(cache_watch_event(&c, "/local/domain/1/data/xmem/used_kib"),
			 CACHE_EV_REPORT);
	per_dom = (unsigned int)cache_refresh(&c, 3);
	assert_true(per_dom > 0);
	assert_int_equal(nr_xs_reads, per_dom);
	assert_int_equal(cache_find(&c, 1)->used_kib, 900000);
	/* Domain 2 was not read again: a second refresh reads nothing. */
	assert_int_equal(cache_refresh(&c, 4), 0);
	cache_free(&c);
}

/* A new target is noticed with its time; vanished domains are dropped. */
static void cache_target_change_and_sweep_test(void **state)
{
	struct cache c;
	uint32_t both[] = { 1, 2 }, one[] = { 1 };

	cache_init(&c, NULL);
	cache_sync_domains(&c, both, 2);
	cache_refresh(&c, 10);
	assert_int_equal(cache_find(&c, 1)->last_change_ms, 10);
	kv_set("/local/domain/1/memory/target", "1000000");
	cache_watch_event(&c, "/local/domain/1/memory/target");
	cache_refresh(&c, 20);
	assert_int_equal(cache_find(&c, 1)->last_change_ms, 20);
	cache_sync_domains(&c, one, 1);
	assert_null(cache_find(&c, 2));
	assert_int_equal(c.nr_doms, 1);
	cache_free(&c);
}

/* Reservations are read on their own events, sorted, with bad ids ignored. */
static void cache_reservations_test(void **state)
{
	struct cache c;

	kv_set("/tool/xmemd/reservation/b-2/size_kib", "2048");
	kv_set("/tool/xmemd/reservation/b-2/state", "pending");
	kv_set("/tool/xmemd/reservation/a-1/size_kib", "1024");
	kv_set("/tool/xmemd/reservation/a-1/state", "granted");
	kv_set("/tool/xmemd/reservation/a-1/granted_kib", "1024");
	kv_set("/tool/xmemd/reservation/a-1/domid", "5");
	kv_set("/tool/xmemd/reservation/bad id/size_kib", "1");
	cache_init(&c, NULL);
	cache_refresh(&c, 1);
	assert_int_equal(c.nr_res, 2);
	assert_string_equal(c.res[0].id, "a-1");
	assert_int_equal(c.res[0].state, CACHE_RES_GRANTED);
	assert_true(c.res[0].has_domid);
	assert_int_equal(c.res[0].domid, 5);
	assert_int_equal(c.res[1].state, CACHE_RES_PENDING);
	assert_int_equal(c.res[1].size_kib, 2048);
	nr_xs_reads = 0;
	assert_int_equal(cache_refresh(&c, 2), 0);
	assert_int_equal(cache_watch_event(&c, "/tool/xmemd/reservation/b-2/state"),
			 CACHE_EV_CHANGE);
	assert_int_equal(cache_watch_event(&c, "/local/domain/2/memory/target"), CACHE_EV_CHANGE);
	assert_int_equal(cache_watch_event(&c, "/local/domain/2/data/balloon/state"),
			 CACHE_EV_CHANGE);
	assert_int_equal(cache_watch_event(&c, "/local/domain/2"), CACHE_EV_CHANGE);
	assert_int_equal(cache_watch_event(&c, "@releaseDomain"), CACHE_EV_CHANGE);
	assert_true(cache_refresh(&c, 3) > 0);
	cache_free(&c);
}

/* Garbage values fall back to defaults instead of being trusted. */
static void cache_garbage_values_test(void **state)
{
	struct cache c;
	uint32_t domids[] = { 1 };
	struct cache_dom *d;

	kv_set("/local/domain/1/memory/weight", "99999");
	kv_set("/local/domain/1/memory/dynamic-min", "-5");
	kv_set("/local/domain/1/memory/buffer", "1");
	kv_set("/local/domain/1/memory/managed", "yes");
	kv_set("/local/domain/1/data/xmem/used_kib", "18446744073709551615");
	cache_init(&c, NULL);
	cache_sync_domains(&c, domids, 1);
	cache_refresh(&c, 1);
	d = cache_find(&c, 1);
	assert_int_equal(d->weight, POLICY_WEIGHT_MAX);
	assert_false(d->has_min);
	assert_int_equal(d->buffer_pct, POLICY_BUFFER_MIN_PCT);
	assert_false(d->managed);
	assert_int_equal(d->used_kib, SIZE_MAX_KIB); /* capped, no overflow downstream */
	cache_free(&c);
}

/* `xmem mem-policy g1 --weight 9000`: the policy and the save request, one transaction. */
static void cache_mem_policy_commit(void)
{
	kv_set("/local/domain/1/memory/weight", "9000");
	kv_set("/local/domain/1/memory/policy-request", "save");
}

/*
 * A save request is never seen with the policy from before it: whenever the
 * client's transaction commits during a re-read, a domain that shows the
 * request shows the policy written with it.
 */
static void cache_request_sees_its_policy_test(void **state)
{
	static const char *const at[] = { "/local/domain/1/memory/policy-request",
					  "/local/domain/1/memory/weight",
					  "/local/domain/1/memory/target", "/local/domain/1/name" };
	uint32_t domids[] = { 1 };
	struct cache_dom *d;
	struct cache c;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		kv_set("/local/domain/1/memory/weight", "5000");
		kv_set("/local/domain/1/memory/policy-request", "");
		cache_init(&c, NULL);
		commit_at_path = at[k];
		commit_fn = cache_mem_policy_commit;
		assert_int_equal(cache_sync_domains(&c, domids, 1), 0);
		cache_refresh(&c, 1);
		d = cache_find(&c, 1);
		assert_non_null(d);
		if (!strcmp(d->policy_request, "save"))
			assert_int_equal(d->weight, 9000);
		cache_free(&c);
	}
	/* The last commit came after the weight was read: seen at the next re-read. */
	assert_null(commit_at_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(cache_quiet_rebalance_reads_nothing_test, setup),
		cmocka_unit_test_setup(cache_event_rereads_one_domain_test, setup),
		cmocka_unit_test_setup(cache_target_change_and_sweep_test, setup),
		cmocka_unit_test_setup(cache_reservations_test, setup),
		cmocka_unit_test_setup(cache_garbage_values_test, setup),
		cmocka_unit_test_setup(cache_request_sees_its_policy_test, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
