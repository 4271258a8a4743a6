/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_perms.c: permission strings and access checks.
 */
#include "config.h"

#include "harness.h"

/* Parse a list given as "r5\0b0\0". */
static struct perm_list *parse(const char *buf, size_t len, unsigned int nr, int want_rc)
{
	struct perm_list *p = NULL;

	assert_int_equal(perms_parse(buf, len, nr, &p), want_rc);
	return p;
}

/* Letters and domids as C xenstored reads them (strtol base 0). */
static void perms_parse_valid_test(void **state)
{
	struct perm_list *p = parse("n0\0r5\0w0x10\0b010", 17, 4, 0);
	char buf[64];

	assert_int_equal(p->nr, 4);
	assert_int_equal(p->e[0].domid, 0);
	assert_int_equal(p->e[0].perms, XS_PERM_NONE);
	assert_int_equal(p->e[1].perms, XS_PERM_READ);
	assert_int_equal(p->e[2].domid, 16);
	assert_int_equal(p->e[2].perms, XS_PERM_WRITE);
	assert_int_equal(p->e[3].domid, 8);
	assert_int_equal(p->e[3].perms, XS_PERM_READ | XS_PERM_WRITE);
	assert_int_equal(perms_format(p, buf, sizeof(buf)), 13);
	assert_memory_equal(buf, "n0\0r5\0w16\0b8\0", 13);
	perms_put(p);
}

/* Bad letters, empty or trailing junk, out-of-range domids, missing NULs: EINVAL. */
static void perms_parse_invalid_test(void **state)
{
	static const char *bad[] = { "x5", "r", "r5x", "r-1", "r65536", "R5", "r 5", "", "r+5" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(parse(bad[i], strlen(bad[i]) + 1, 1, EINVAL));
	assert_null(parse("r5", 2, 1, EINVAL));	  /* unterminated */
	assert_null(parse("r5\0", 3, 2, EINVAL)); /* fewer entries than counted */
}

/* The rules of perm_for_conn: privilege, owner, explicit entry, default, target. */
static void perms_for_conn_test(void **state)
{
	struct harness *h = harness_new();
	struct hconn g5 = harness_conn(h, 5, false), g6 = harness_conn(h, 6, false),
		     g7 = harness_conn(h, 7, false), d0 = harness_conn(h, 0, true);
	struct perm_list *p = parse("n5\0r6\0", 6, 2, 0);
	struct perm_list *q = parse("r0\0n6\0", 6, 2, 0);
	const unsigned int all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;

	assert_int_equal(perms_for_conn(d0.conn, p), all);
	assert_int_equal(perms_for_conn(g5.conn, p), all);
	assert_int_equal(perms_for_conn(g6.conn, p), XS_PERM_READ);
	assert_int_equal(perms_for_conn(g7.conn, p), XS_PERM_NONE);
	/* Default rights from entry 0; an explicit entry overrides them. */
	assert_int_equal(perms_for_conn(g7.conn, q), XS_PERM_READ);
	assert_int_equal(perms_for_conn(g6.conn, q), XS_PERM_NONE);
	/* SET_TARGET: 7 acts as 5 (owner of p). */
	domain_get_or_new(&h->s, 7)->target = 5;
	assert_int_equal(perms_for_conn(g7.conn, p), all);
	perms_put(p);
	perms_put(q);
	close(g5.fd);
	close(g6.fd);
	close(g7.fd);
	close(d0.fd);
	harness_free(h);
}

/* Owner replacement and scrubbing build new lists, the old ones stay intact. */
static void perms_copy_on_write_test(void **state)
{
	struct perm_list *p = parse("n0\0r5\0b7\0r5\0", 12, 4, 0), *o, *w;

	o = perms_with_owner(p, 9);
	assert_int_equal(o->e[0].domid, 9);
	assert_int_equal(p->e[0].domid, 0);
	w = perms_without(p, 5);
	assert_int_equal(w->nr, 2);
	assert_int_equal(w->e[1].domid, 7);
	assert_true(perms_mentions(p, 5));
	assert_false(perms_mentions(w, 5));
	assert_true(perms_equal(p, p));
	assert_false(perms_equal(p, w));
	perms_put(p);
	perms_put(o);
	perms_put(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(perms_parse_valid_test),
		cmocka_unit_test(perms_parse_invalid_test),
		cmocka_unit_test(perms_for_conn_test),
		cmocka_unit_test(perms_copy_on_write_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
