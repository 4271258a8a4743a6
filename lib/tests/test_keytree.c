/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for lib/keytree.c: one convention for absent and malformed
 * keys, and transactions retried on EAGAIN. libxenstore is wrapped: a
 * one-key tree and a scripted commit result.
 */
#include "config.h"

#include "../../tests/cmocka_all.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keytree.h"
#include "size.h"
#include "xmem_err.h"

static const char *key_val;  /* NULL: the key is absent */
static unsigned int key_len; /* length xs_read reports */
static char written[64];     /* last xs_write */
static int commit_eagain;    /* commits that fail with EAGAIN before one succeeds */
static int nr_starts, nr_aborts;

void *__wrap_xs_read(struct xs_handle *xs, xs_transaction_t t, const char *path, unsigned int *len);
bool __wrap_xs_write(struct xs_handle *xs, xs_transaction_t t, const char *path, const void *data,
		     unsigned int len);
xs_transaction_t __wrap_xs_transaction_start(struct xs_handle *xs);
bool __wrap_xs_transaction_end(struct xs_handle *xs, xs_transaction_t t, bool abort);

void *__wrap_xs_read(struct xs_handle *xs, xs_transaction_t t, const char *path, unsigned int *len)
{
	char *v;

	(void)xs, (void)t, (void)path;
	if (!key_val) {
		errno = ENOENT;
		return NULL;
	}
	v = malloc(key_len + 1);
	assert_non_null(v);
	memcpy(v, key_val, key_len);
	v[key_len] = '\0';
	*len = key_len;
	return v;
}

bool __wrap_xs_write(struct xs_handle *xs, xs_transaction_t t, const char *path, const void *data,
		     unsigned int len)
{
	(void)xs, (void)t, (void)path;
	assert_true(len < sizeof(written));
	memcpy(written, data, len);
	written[len] = '\0';
	return true;
}

xs_transaction_t __wrap_xs_transaction_start(struct xs_handle *xs)
{
	(void)xs;
	nr_starts++;
	return 7;
}

bool __wrap_xs_transaction_end(struct xs_handle *xs, xs_transaction_t t, bool abort)
{
	(void)xs;
	assert_int_equal(t, 7);
	if (abort) {
		nr_aborts++;
		return true;
	}
	if (commit_eagain > 0) {
		commit_eagain--;
		errno = EAGAIN;
		return false;
	}
	return true;
}

/* Put val (its strlen) in the one-key tree; NULL removes it. */
static void set_key(const char *val)
{
	key_val = val;
	key_len = val ? (unsigned int)strlen(val) : 0;
}

static int reset(void **state)
{
	(void)state;
	set_key(NULL);
	written[0] = '\0';
	commit_eagain = 0;
	nr_starts = nr_aborts = 0;
	return 0;
}

/* Decimal digits parse; a sign, space, empty string, letters or overflow do not. */
static void keytree_parse_u64_test(void **state)
{
	static const char *const bad[] = { "",	 "-1", "+1",   " 1",
					   "1 ", "1k", "0x10", "18446744073709551616" };
	uint64_t v = 42;
	size_t i;

	(void)state;
	assert_int_equal(keytree_parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(keytree_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		assert_int_equal(keytree_parse_u64(bad[i], &v), XMEM_ERR_INVAL);
		assert_int_equal(v, 42);
	}
	assert_int_equal(keytree_parse_u64(NULL, &v), XMEM_ERR_INVAL);
}

/* A domid is digits below the reserved range; anything else is malformed. */
static void keytree_parse_domid_test(void **state)
{
	static const char *const bad[] = { "", "-1", "+3", " 3", "3/", "32752", "4294967297", "x" };
	uint32_t id = 9;
	size_t i;

	(void)state;
	assert_int_equal(keytree_parse_domid("0", &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(keytree_parse_domid("32751", &id), 0);
	assert_int_equal(id, 32751);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		id = 9;
		assert_int_equal(keytree_parse_domid(bad[i], &id), XMEM_ERR_INVAL);
		assert_int_equal(id, 9);
	}
}

/* Absent is NOTFOUND, malformed INVAL, and neither touches the caller's default. */
static void keytree_read_absent_malformed_test(void **state)
{
	uint64_t v = 5000;

	(void)state;
	assert_int_equal(keytree_read_u64(NULL, XBT_NULL, "/k", &v), XMEM_ERR_NOTFOUND);
	assert_int_equal(v, 5000);
	set_key("12x");
	assert_int_equal(keytree_read_u64(NULL, XBT_NULL, "/k", &v), XMEM_ERR_INVAL);
	assert_int_equal(v, 5000);
	set_key("7");
	assert_int_equal(keytree_read_u64(NULL, XBT_NULL, "/k", &v), 0);
	assert_int_equal(v, 7);
}

/* A value with a NUL inside is malformed, not cut short. */
static void keytree_read_embedded_nul_test(void **state)
{
	uint64_t v = 1;

	(void)state;
	key_val = "5\0"
		  "9";
	key_len = 3;
	assert_int_equal(keytree_read_u64(NULL, XBT_NULL, "/k", &v), XMEM_ERR_INVAL);
	assert_int_equal(v, 1);
}

/* A KiB figure is capped so that guest-written values cannot overflow sums. */
static void keytree_read_kib_cap_test(void **state)
{
	uint64_t v = 0;

	(void)state;
	set_key("18446744073709551615");
	assert_int_equal(keytree_read_kib(NULL, XBT_NULL, "/k", &v), 0);
	assert_true(v == SIZE_MAX_KIB);
	set_key("1048576");
	assert_int_equal(keytree_read_kib(NULL, XBT_NULL, "/k", &v), 0);
	assert_int_equal(v, 1048576);
}

/* An enum reads as its index; an unknown name is malformed. */
static void keytree_read_enum_test(void **state)
{
	static const char *const names[] = { "done", "working", "gave-up" };
	size_t i = 99;

	(void)state;
	assert_int_equal(keytree_read_enum(NULL, XBT_NULL, "/k", names, 3, &i), XMEM_ERR_NOTFOUND);
	set_key("gave-up");
	assert_int_equal(keytree_read_enum(NULL, XBT_NULL, "/k", names, 3, &i), 0);
	assert_int_equal(i, 2);
	set_key("gave");
	i = 99;
	assert_int_equal(keytree_read_enum(NULL, XBT_NULL, "/k", names, 3, &i), XMEM_ERR_INVAL);
	assert_int_equal(i, 99);
}

/* A number is written in decimal. */
static void keytree_write_u64_test(void **state)
{
	(void)state;
	assert_int_equal(keytree_write_u64(NULL, XBT_NULL, "/k", 1048576), 0);
	assert_string_equal(written, "1048576");
}

static int nr_calls;

/* Transaction body: write "x" each time. */
static int txn_write(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	(void)arg;
	nr_calls++;
	return keytree_write_str(xs, t, "/k", "x");
}

/* Transaction body: refuse with the code in arg. */
static int txn_refuse(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	(void)xs, (void)t;
	nr_calls++;
	return *(int *)arg;
}

/* A commit that meets EAGAIN runs the body again; too many conflicts is AGAIN. */
static void keytree_txn_retry_test(void **state)
{
	(void)state;
	nr_calls = 0;
	commit_eagain = 2;
	assert_int_equal(keytree_txn(NULL, 5, txn_write, NULL), 0);
	assert_int_equal(nr_calls, 3);
	assert_int_equal(nr_starts, 3);
	assert_string_equal(written, "x");
	nr_calls = 0;
	commit_eagain = 10;
	assert_int_equal(keytree_txn(NULL, 4, txn_write, NULL), XMEM_ERR_AGAIN);
	assert_int_equal(nr_calls, 4);
}

/* A refusal aborts and is returned; 1 aborts and is success; AGAIN from the body retries. */
static void keytree_txn_refuse_test(void **state)
{
	int code = XMEM_ERR_EXISTS;

	(void)state;
	nr_calls = 0;
	assert_int_equal(keytree_txn(NULL, 5, txn_refuse, &code), XMEM_ERR_EXISTS);
	assert_int_equal(nr_calls, 1);
	assert_int_equal(nr_aborts, 1);
	code = 1;
	assert_int_equal(keytree_txn(NULL, 5, txn_refuse, &code), 0);
	assert_int_equal(nr_aborts, 2);
	nr_calls = 0;
	code = XMEM_ERR_AGAIN;
	assert_int_equal(keytree_txn(NULL, 3, txn_refuse, &code), XMEM_ERR_AGAIN);
	assert_int_equal(nr_calls, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(keytree_parse_u64_test, reset),
		cmocka_unit_test_setup(keytree_parse_domid_test, reset),
		cmocka_unit_test_setup(keytree_read_absent_malformed_test, reset),
		cmocka_unit_test_setup(keytree_read_embedded_nul_test, reset),
		cmocka_unit_test_setup(keytree_read_kib_cap_test, reset),
		cmocka_unit_test_setup(keytree_read_enum_test, reset),
		cmocka_unit_test_setup(keytree_write_u64_test, reset),
		cmocka_unit_test_setup(keytree_txn_retry_test, reset),
		cmocka_unit_test_setup(keytree_txn_refuse_test, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
