/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_domain.c: quota accounting per domain, the memory quota, the write
 * rate limit, and what RELEASE resets.
 */
#include "config.h"

#include "harness.h"

static struct harness *h;
static struct hconn d0, g5;
static char buf[STORED_PAYLOAD_MAX + 1];

static int setup(void **state)
{
	h = harness_new();
	d0 = harness_conn(h, 0, true);
	g5 = harness_conn(h, 5, false);
	h->s.quota[QUOTA_WRL_RATE] = 0;
	harness_write(h, &d0, 0, "/g", "", buf);
	assert_int_equal(harness_req(h, &d0, XS_SET_PERMS, 0, "/g\0n5\0", 6, buf), XS_SET_PERMS);
	return 0;
}

static int teardown(void **state)
{
	close(d0.fd);
	close(g5.fd);
	harness_free(h);
	return 0;
}

/* The nodes quota allows exactly "nodes" nodes (4.17 boundary); removals give room back. */
static void domain_nodes_quota_test(void **state)
{
	struct domain *d = domain_get(&h->s, 5);
	long long mem0;
	char path[32];
	int i;

	h->s.quota[QUOTA_NODES] = 5;
	assert_int_equal(d->nr_nodes, 1); /* /g */
	mem0 = d->memory_bytes;
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/g/n%d", i);
		assert_int_equal(harness_write(h, &g5, 0, path, "v", buf), XS_WRITE);
	}
	assert_int_equal(harness_write(h, &g5, 0, "/g/over", "v", buf), XS_ERROR);
	assert_string_equal(buf, "ENOSPC");
	assert_int_equal(d->nr_nodes, 5);
	assert_true(d->memory_bytes > mem0);
	/* dom0 is not held to it; what it creates keeps the parent's owner. */
	assert_int_equal(harness_write(h, &d0, 0, "/g/dom0", "v", buf), XS_WRITE);
	assert_int_equal(d->nr_nodes, 6);
	assert_int_equal(harness_req_str(h, &d0, XS_RM, 0, "/g/dom0", buf), XS_RM);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/g/n%d", i);
		assert_int_equal(harness_req_str(h, &g5, XS_RM, 0, path, buf), XS_RM);
	}
	assert_int_equal(d->nr_nodes, 1);
	assert_int_equal(d->memory_bytes, mem0);
	harness_consistent(h);
}

/* Watches and transactions are charged to the domain and given back. */
static void domain_memory_accounting_test(void **state)
{
	struct domain *d = domain_get(&h->s, 5);
	long long mem0 = d->memory_bytes;
	uint32_t tx;

	assert_int_equal(harness_req(h, &g5, XS_WATCH, 0, "/g\0tok\0", 7, buf), XS_WATCH);
	assert_int_equal(d->nr_watches, 1);
	assert_true(d->memory_bytes > mem0);
	harness_consistent(h);
	assert_int_equal(harness_req(h, &g5, XS_TRANSACTION_START, 0, "", 1, buf),
			 XS_TRANSACTION_START);
	tx = strtoul(buf, NULL, 10);
	harness_write(h, &g5, tx, "/g/t", "value", buf);
	assert_int_equal(d->nr_transactions, 1);
	harness_consistent(h);
	assert_int_equal(harness_req(h, &g5, XS_TRANSACTION_END, tx, "F", 2, buf),
			 XS_TRANSACTION_END);
	assert_int_equal(harness_req(h, &g5, XS_UNWATCH, 0, "/g\0tok\0", 7, buf), XS_UNWATCH);
	assert_int_equal(d->nr_watches, 0);
	assert_int_equal(d->nr_transactions, 0);
	assert_int_equal(d->memory_bytes, mem0);
	harness_consistent(h);
}

/* Past the hard memory quota, allocations are refused with ENOMEM. */
static void domain_memory_quota_test(void **state)
{
	char value[1500];

	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	h->s.quota[QUOTA_MEMORY] = 4000;
	assert_int_equal(harness_write(h, &g5, 0, "/g/a", value, buf), XS_WRITE);
	assert_int_equal(harness_write(h, &g5, 0, "/g/b", value, buf), XS_WRITE);
	assert_int_equal(harness_write(h, &g5, 0, "/g/c", value, buf), XS_ERROR);
	assert_string_equal(buf, "ENOMEM");
	assert_true(domain_get(&h->s, 5)->memory_bytes <= 4000 + 2 * (STORED_PAYLOAD_MAX + 64));
	harness_consistent(h);
}

/* Node size counts header, permissions, value and children's names. */
static void domain_node_size_test(void **state)
{
	char value[2100];

	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	assert_int_equal(harness_write(h, &g5, 0, "/g/big", value, buf), XS_ERROR);
	assert_string_equal(buf, "ENOSPC");
	value[2048 - 16 - 8] = '\0';
	assert_int_equal(harness_write(h, &g5, 0, "/g/big", value, buf), XS_WRITE);
	value[2048 - 16 - 8] = 'v';
	value[2048 - 16 - 8 + 1] = '\0';
	assert_int_equal(harness_write(h, &g5, 0, "/g/big", value, buf), XS_ERROR);
	harness_consistent(h);
}

/* The write rate limit: after the burst, the connection is not read until refilled. */
static void domain_write_rate_test(void **state)
{
	int i, replies = 0;

	h->s.quota[QUOTA_WRL_RATE] = 1;
	h->s.quota[QUOTA_WRL_BURST] = 2;
	domain_get(&h->s, 5)->wrl_credit_milli = 2000;
	for (i = 0; i < 5; i++)
		harness_send(&g5, XS_WRITE, 0, "/g/w\0x", 6);
	harness_turn(h);
	while (harness_recv(&g5, buf, NULL) == XS_WRITE)
		replies++;
	assert_int_equal(replies, 3); /* 2000 -> 1000 -> 0 -> -1000: then stalled */
	assert_false(domain_conn_may_read(g5.conn));
	h->s.quota[QUOTA_WRL_RATE] = 1000000;
	domain_get(&h->s, 5)->wrl_stamp_ms -= 10;
	core_tick(&h->s);
	harness_turn(h);
	while (harness_recv(&g5, buf, NULL) == XS_WRITE)
		replies++;
	assert_true(replies >= 4);
	harness_consistent(h);
}

/* RELEASE: connections closed, owned nodes deleted, ACLs scrubbed, accounting reset. */
static void domain_release_test(void **state)
{
	struct domain *d;

	assert_int_equal(harness_req(h, &d0, XS_INTRODUCE, 0,
				     "5\0"
				     "1\0"
				     "1\0",
				     6, buf),
			 XS_INTRODUCE);
	harness_write(h, &g5, 0, "/g/x", "1", buf);
	harness_write(h, &d0, 0, "/shared", "1", buf);
	harness_req(h, &d0, XS_SET_PERMS, 0, "/shared\0n0\0r5\0", 14, buf);
	assert_int_equal(harness_req_str(h, &d0, XS_RELEASE, 0, "5", buf), XS_RELEASE);
	d = domain_get(&h->s, 5);
	assert_int_equal(d->nr_nodes, 0);
	assert_int_equal(d->memory_bytes, 0);
	assert_null(d->conns);
	assert_null(node_lookup(&h->s, "/g"));
	assert_int_equal(node_lookup(&h->s, "/shared")->perms->nr, 1);
	assert_int_equal(harness_req_str(h, &d0, XS_RELEASE, 0, "5", buf), XS_ERROR);
	assert_string_equal(buf, "ENOENT");
	harness_consistent(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(domain_nodes_quota_test, setup, teardown),
		cmocka_unit_test_setup_teardown(domain_memory_accounting_test, setup, teardown),
		cmocka_unit_test_setup_teardown(domain_memory_quota_test, setup, teardown),
		cmocka_unit_test_setup_teardown(domain_node_size_test, setup, teardown),
		cmocka_unit_test_setup_teardown(domain_write_rate_test, setup, teardown),
		cmocka_unit_test_setup_teardown(domain_release_test, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
