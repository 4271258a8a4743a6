/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_node.c: path canonicalisation and the tree's primitives.
 */
#include "config.h"

#include "harness.h"

/* Relative paths get the connection's home; absolute ones stay. */
static void node_canonicalize_relative_test(void **state)
{
	char out[STORED_PATH_BUF];

	assert_int_equal(node_canonicalize(5, "data/x", false, out, sizeof(out)), 0);
	assert_string_equal(out, "/local/domain/5/data/x");
	assert_int_equal(node_canonicalize(0, "name", false, out, sizeof(out)), 0);
	assert_string_equal(out, "/local/domain/0/name");
	assert_int_equal(node_canonicalize(5, "/tool", false, out, sizeof(out)), 0);
	assert_string_equal(out, "/tool");
	assert_int_equal(node_canonicalize(5, "/", false, out, sizeof(out)), 0);
}

/* Every malformed path is EINVAL (never 0, never another errno: XSA-481). */
static void node_canonicalize_invalid_test(void **state)
{
	static const char *bad[] = { "",
				     "//",
				     "/a//b",
				     "/a/",
				     "a/",
				     "/a b",
				     "/a\x01",
				     "/é",
				     "a//b",
				     "@introduceDomain",
				     "/local/domain/" };
	char out[STORED_PATH_BUF];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(node_canonicalize(5, bad[i], false, out, sizeof(out)), EINVAL);
	assert_int_equal(node_canonicalize(5, NULL, false, out, sizeof(out)), EINVAL);
}

/* Special names only where allowed, and only the two that exist (plus /<domid>). */
static void node_canonicalize_special_test(void **state)
{
	char out[STORED_PATH_BUF];

	assert_int_equal(node_canonicalize(5, "@releaseDomain", true, out, sizeof(out)), 0);
	assert_string_equal(out, "@releaseDomain");
	assert_int_equal(node_canonicalize(5, "@releaseDomain/7", true, out, sizeof(out)), 0);
	assert_int_equal(node_canonicalize(5, "@foo/bar", true, out, sizeof(out)), EINVAL);
	assert_int_equal(node_canonicalize(5, "@", true, out, sizeof(out)), EINVAL);
}

/* Too long for the buffer: EINVAL, no overflow. */
static void node_canonicalize_overflow_test(void **state)
{
	char path[5000], out[64];

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(node_canonicalize(5, path, false, out, sizeof(out)), EINVAL);
}

/* path-max counts the part after /local/domain/<id>/ there, the whole path elsewhere. */
static void node_path_quota_len_test(void **state)
{
	assert_int_equal(node_path_quota_len("/local/domain/5/data/x"), 6);
	assert_int_equal(node_path_quota_len("/local/domain/12345/a"), 1);
	assert_int_equal(node_path_quota_len("/tool/x"), 7);
	assert_int_equal(node_path_quota_len("/local/domain/x/a"), 17);
	assert_int_equal(node_path_quota_len("/local/domain/5"), 15);
}

/* A 20000-deep chain is created, walked, found, printed and removed without recursion. */
static void node_deep_tree_test(void **state)
{
	struct harness *h = harness_new();
	struct store *s = &h->s;
	struct node *parent = s->root, *n = NULL;
	unsigned long long before = s->nr_nodes;
	char path[STORED_PATH_BUF];
	int i;

	assert_int_equal(htab_reserve(&s->nodes, 20000), 0);
	for (i = 0; i < 20000; i++) {
		n = node_alloc("d", 1, "v", 1, s->root->perms);
		assert_non_null(n);
		node_link(s, parent, n);
		parent = n;
	}
	assert_int_equal(s->nr_nodes, before + 20000);
	harness_consistent(h);
	assert_true(node_path(n, path, sizeof(path)) >= sizeof(path));
	n = node_lookup(s, "/d/d/d");
	assert_non_null(n);
	assert_int_equal(node_path(n, path, sizeof(path)), 6);
	assert_string_equal(path, "/d/d/d");
	node_remove_subtree(s, node_lookup(s, "/d"), "/d", NULL, NULL);
	assert_int_equal(s->nr_nodes, before);
	assert_null(node_lookup(s, "/d"));
	harness_consistent(h);
	harness_free(h);
}

/* Children keep creation order; removal unlinks from the middle. */
static void node_children_order_test(void **state)
{
	struct harness *h = harness_new();
	struct store *s = &h->s;
	const char *names[] = { "c", "a", "b" };
	struct node *c;
	size_t i;

	assert_int_equal(htab_reserve(&s->nodes, 3), 0);
	for (i = 0; i < 3; i++)
		node_link(s, s->root, node_alloc(names[i], 1, NULL, 0, s->root->perms));
	node_remove_subtree(s, node_lookup(s, "/a"), "/a", NULL, NULL);
	c = s->root->first_child;
	assert_string_equal(c->name, "tool");
	assert_string_equal(c->next->name, "c");
	assert_string_equal(c->next->next->name, "b");
	assert_ptr_equal(c->next->next->next, c);
	harness_consistent(h);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(node_canonicalize_relative_test),
		cmocka_unit_test(node_canonicalize_invalid_test),
		cmocka_unit_test(node_canonicalize_special_test),
		cmocka_unit_test(node_canonicalize_overflow_test),
		cmocka_unit_test(node_path_quota_len_test),
		cmocka_unit_test(node_deep_tree_test),
		cmocka_unit_test(node_children_order_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
