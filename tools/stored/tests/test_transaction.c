/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_transaction.c: conflict detection (the worked examples at the top of
 * transaction.c), isolation and atomicity.
 */
#include "config.h"

#include "harness.h"

static struct harness *h;
static struct hconn c1, c2;
static char buf[STORED_PAYLOAD_MAX + 1];

static int setup(void **state)
{
	h = harness_new();
	c1 = harness_conn(h, 0, true);
	c2 = harness_conn(h, 0, true);
	return 0;
}

static int teardown(void **state)
{
	close(c1.fd);
	close(c2.fd);
	harness_free(h);
	return 0;
}

static uint32_t tx_start(struct hconn *c)
{
	assert_int_equal(harness_req(h, c, XS_TRANSACTION_START, 0, "", 1, buf),
			 XS_TRANSACTION_START);
	return (uint32_t)strtoul(buf, NULL, 10);
}

/* End a transaction; returns 0 or the errno name's first letter code via buf. */
static int tx_end(struct hconn *c, uint32_t tx, bool commit)
{
	return harness_req(h, c, XS_TRANSACTION_END, tx, commit ? "T" : "F", 2, buf);
}

/* Example 1: a read-modify-write race; the second commit is EAGAIN, nothing applied. */
static void transaction_rmw_conflict_test(void **state)
{
	uint32_t t1, t2;

	harness_write(h, &c1, 0, "/c", "1", buf);
	t1 = tx_start(&c1);
	t2 = tx_start(&c2);
	assert_int_equal(harness_req_str(h, &c1, XS_READ, t1, "/c", buf), XS_READ);
	assert_int_equal(harness_req_str(h, &c2, XS_READ, t2, "/c", buf), XS_READ);
	assert_int_equal(harness_write(h, &c1, t1, "/c", "2", buf), XS_WRITE);
	assert_int_equal(harness_write(h, &c2, t2, "/c", "3", buf), XS_WRITE);
	assert_int_equal(harness_write(h, &c2, t2, "/d", "x", buf), XS_WRITE);
	assert_int_equal(tx_end(&c1, t1, true), XS_TRANSACTION_END);
	assert_int_equal(tx_end(&c2, t2, true), XS_ERROR);
	assert_string_equal(buf, "EAGAIN");
	assert_int_equal(harness_req_str(h, &c1, XS_READ, 0, "/c", buf), XS_READ);
	assert_string_equal(buf, "2");
	assert_int_equal(harness_req_str(h, &c1, XS_READ, 0, "/d", buf), XS_ERROR);
	harness_consistent(h);
}

/* Example 2: creations of different children of one parent do not conflict. */
static void transaction_disjoint_children_test(void **state)
{
	uint32_t t1, t2;

	harness_write(h, &c1, 0, "/a", "", buf);
	t1 = tx_start(&c1);
	t2 = tx_start(&c2);
	assert_int_equal(harness_write(h, &c1, t1, "/a/x", "1", buf), XS_WRITE);
	assert_int_equal(harness_write(h, &c2, t2, "/a/y", "2", buf), XS_WRITE);
	assert_int_equal(tx_end(&c1, t1, true), XS_TRANSACTION_END);
	assert_int_equal(tx_end(&c2, t2, true), XS_TRANSACTION_END);
	assert_int_equal(harness_req_str(h, &c1, XS_DIRECTORY, 0, "/a", buf), XS_DIRECTORY);
	assert_memory_equal(buf, "x\0y\0", 4);
	harness_consistent(h);
}

/* Example 3: a transaction that listed a directory conflicts with a new child. */
static void transaction_directory_conflict_test(void **state)
{
	uint32_t t1;

	harness_write(h, &c1, 0, "/l/a", "", buf);
	t1 = tx_start(&c1);
	assert_int_equal(harness_req_str(h, &c1, XS_DIRECTORY, t1, "/l", buf), XS_DIRECTORY);
	harness_write(h, &c2, 0, "/l/b", "", buf);
	assert_int_equal(harness_write(h, &c1, t1, "/other", "1", buf), XS_WRITE);
	assert_int_equal(tx_end(&c1, t1, true), XS_ERROR);
	assert_string_equal(buf, "EAGAIN");
	harness_consistent(h);
}

/* Example 4: both create the same node: the second fails. */
static void transaction_same_create_test(void **state)
{
	uint32_t t1, t2;

	t1 = tx_start(&c1);
	t2 = tx_start(&c2);
	harness_write(h, &c1, t1, "/n", "1", buf);
	harness_write(h, &c2, t2, "/n", "2", buf);
	assert_int_equal(tx_end(&c1, t1, true), XS_TRANSACTION_END);
	assert_int_equal(tx_end(&c2, t2, true), XS_ERROR);
	assert_string_equal(buf, "EAGAIN");
	harness_consistent(h);
}

/* Example 5: remove and re-create inside one transaction. */
static void transaction_rm_recreate_test(void **state)
{
	uint32_t t1;

	harness_write(h, &c1, 0, "/r/p", "old", buf);
	harness_write(h, &c1, 0, "/r/q", "old", buf);
	t1 = tx_start(&c1);
	assert_int_equal(harness_req_str(h, &c1, XS_RM, t1, "/r", buf), XS_RM);
	assert_int_equal(harness_req_str(h, &c1, XS_READ, t1, "/r/p", buf), XS_ERROR);
	assert_int_equal(harness_write(h, &c1, t1, "/r/p", "new", buf), XS_WRITE);
	assert_int_equal(harness_req_str(h, &c1, XS_READ, t1, "/r/q", buf), XS_ERROR);
	assert_string_equal(buf, "ENOENT");
	/* Outside, nothing changed yet. */
	assert_int_equal(harness_req_str(h, &c2, XS_READ, 0, "/r/q", buf), XS_READ);
	assert_int_equal(tx_end(&c1, t1, true), XS_TRANSACTION_END);
	assert_int_equal(harness_req_str(h, &c2, XS_READ, 0, "/r/p", buf), XS_READ);
	assert_string_equal(buf, "new");
	assert_int_equal(harness_req_str(h, &c2, XS_READ, 0, "/r/q", buf), XS_ERROR);
	harness_consistent(h);
}

/* Reads repeat inside a transaction (test-xenstore's "ta err"). */
static void transaction_repeatable_read_test(void **state)
{
	uint32_t t1;

	harness_write(h, &c1, 0, "/rr", "a", buf);
	t1 = tx_start(&c1);
	harness_req_str(h, &c1, XS_READ, t1, "/rr", buf);
	harness_write(h, &c2, 0, "/rr", "b", buf);
	assert_int_equal(harness_req_str(h, &c1, XS_READ, t1, "/rr", buf), XS_READ);
	assert_string_equal(buf, "a");
	assert_int_equal(tx_end(&c1, t1, true), XS_ERROR);
	assert_string_equal(buf, "EAGAIN");
}

/* Nesting is EBUSY, unknown ids ENOENT, bad end arguments EINVAL, abort discards. */
static void transaction_errors_test(void **state)
{
	uint32_t t1 = tx_start(&c1);

	assert_int_equal(harness_req(h, &c1, XS_TRANSACTION_START, t1, "", 1, buf), XS_ERROR);
	assert_string_equal(buf, "EBUSY");
	assert_int_equal(harness_req_str(h, &c1, XS_READ, 999, "/", buf), XS_ERROR);
	assert_string_equal(buf, "ENOENT");
	assert_int_equal(harness_req(h, &c1, XS_TRANSACTION_END, t1, "X", 2, buf), XS_ERROR);
	assert_string_equal(buf, "EINVAL");
	harness_write(h, &c1, t1, "/aborted", "1", buf);
	assert_int_equal(tx_end(&c1, t1, false), XS_TRANSACTION_END);
	assert_int_equal(harness_req_str(h, &c1, XS_READ, 0, "/aborted", buf), XS_ERROR);
	/* The id is gone once ended. */
	assert_int_equal(tx_end(&c1, t1, true), XS_ERROR);
	assert_string_equal(buf, "ENOENT");
	harness_consistent(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(transaction_rmw_conflict_test, setup, teardown),
		cmocka_unit_test_setup_teardown(transaction_disjoint_children_test, setup,
						teardown),
		cmocka_unit_test_setup_teardown(transaction_directory_conflict_test, setup,
						teardown),
		cmocka_unit_test_setup_teardown(transaction_same_create_test, setup, teardown),
		cmocka_unit_test_setup_teardown(transaction_rm_recreate_test, setup, teardown),
		cmocka_unit_test_setup_teardown(transaction_repeatable_read_test, setup, teardown),
		cmocka_unit_test_setup_teardown(transaction_errors_test, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
