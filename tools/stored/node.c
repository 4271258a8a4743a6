/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * node.c: the tree.
 *
 * Nodes live in one hash table keyed by (parent, name), so a lookup costs one
 * probe per path component and a node does not store its full path. Children
 * hang off their parent in a circular doubly linked list in creation order
 * (DIRECTORY answers in that order, as C xenstored does). Every walk over the
 * tree is iterative: nothing here recurses in proportion to tree depth
 * (XSA-418).
 *
 * The primitives below keep the tree, the generation counters and the
 * per-domain node accounting consistent; they never check permissions or
 * quotas (access.c and transaction.c do that before calling them) and never
 * fail, except node_alloc() which reports ENOMEM by returning NULL.
 *
 * Generations: store->gen is bumped on every change. A node's gen takes a
 * new value when the node is created or its value or permissions change; its
 * child_gen when a child is added or removed. Transactions compare them at
 * commit (see transaction.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stored.h"

/* Hash of the key (parent, name). */
static uint32_t node_hash(const struct node *parent, const char *name, size_t len)
{
	uintptr_t p = (uintptr_t)parent;

	return htab_hash_bytes((uint32_t)p ^ (uint32_t)(p >> 32), name, len);
}

static bool node_valid_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '/' || c == '_' || c == '@';
}

int node_canonicalize(unsigned int home_domid, const char *path, bool allow_special, char *out,
		      size_t out_len)
{
	size_t i, len;
	int n;

	if (!path || !path[0])
		return EINVAL;
	if (path[0] == '@') {
		if (!allow_special)
			return EINVAL;
		n = snprintf(out, out_len, "%s", path);
	} else if (path[0] == '/') {
		n = snprintf(out, out_len, "%s", path);
	} else {
		n = snprintf(out, out_len, "%s/%u/%s", STORED_LOCAL_DOMAIN, home_domid, path);
	}
	if (n < 0 || (size_t)n >= out_len)
		return EINVAL;
	len = n;
	for (i = 0; i < len; i++) {
		if (!node_valid_char(out[i]))
			return EINVAL;
		if (out[i] == '/' && i + 1 < len && out[i + 1] == '/')
			return EINVAL;
	}
	if (out[0] == '@') {
		if (strchr(out, '/') && strncmp(out, STORED_SPECIAL_RELEASE "/", 15) &&
		    strncmp(out, STORED_SPECIAL_INTRODUCE "/", 17))
			return EINVAL;
		return len > 1 ? 0 : EINVAL;
	}
	if (len > 1 && out[len - 1] == '/')
		return EINVAL;
	return 0;
}

size_t node_path_quota_len(const char *abs)
{
	static const char prefix[] = STORED_LOCAL_DOMAIN "/";
	const char *p;
	size_t len = strlen(abs);

	if (strncmp(abs, prefix, sizeof(prefix) - 1))
		return len;
	p = abs + sizeof(prefix) - 1;
	if (*p < '0' || *p > '9')
		return len;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p != '/')
		return len;
	return len - (size_t)(p + 1 - abs);
}

struct node *node_child(struct store *s, const struct node *parent, const char *name, size_t len)
{
	uint32_t h = node_hash(parent, name, len);
	struct htab_node *hn;

	for (hn = htab_chain(&s->nodes, h); hn; hn = hn->next) {
		struct node *n = stored_container_of(hn, struct node, hnode);

		if (hn->hash == h && n->parent == parent && n->name_len == len &&
		    !memcmp(n->name, name, len))
			return n;
	}
	return NULL;
}

struct node *node_lookup(struct store *s, const char *abs)
{
	struct node *n = s->root;
	const char *p = abs;

	if (abs[0] != '/')
		return NULL;
	while (*p == '/' && n) {
		const char *name = p + 1, *end = strchr(name, '/');
		size_t len = end ? (size_t)(end - name) : strlen(name);

		if (len == 0)
			break;
		n = node_child(s, n, name, len);
		p = name + len;
	}
	return n;
}

void node_view_fill(struct node_view *v, const struct node *n)
{
	memset(v, 0, sizeof(*v));
	if (!n)
		return;
	v->exists = true;
	v->value = n->value;
	v->value_len = n->value_len;
	v->perms = n->perms;
	v->gen = n->gen;
}

struct node *node_alloc(const char *name, size_t name_len, const void *value, size_t value_len,
			struct perm_list *perms)
{
	struct node *n;

	if (name_len > UINT16_MAX || value_len > UINT32_MAX)
		return NULL;
	n = calloc(1, sizeof(*n) + name_len + 1);
	if (!n)
		return NULL;
	if (value_len) {
		n->value = malloc(value_len);
		if (!n->value) {
			free(n);
			return NULL;
		}
		memcpy(n->value, value, value_len);
	}
	n->value_len = value_len;
	memcpy(n->name, name, name_len);
	n->name_len = name_len;
	n->perms = perms_get(perms);
	n->next = n->prev = n;
	return n;
}

void node_free(struct node *n)
{
	if (!n)
		return;
	perms_put(n->perms);
	free(n->value);
	free(n);
}

size_t node_acc_bytes(const struct node *n)
{
	return sizeof(*n) + n->name_len + 1 + n->value_len + perms_acc_bytes(n->perms);
}

size_t node_size(const struct node *n)
{
	return 16 + perms_acc_bytes(n->perms) + n->value_len + n->children_bytes;
}

void node_link(struct store *s, struct node *parent, struct node *n)
{
	n->parent = parent;
	if (parent->first_child) {
		struct node *first = parent->first_child, *last = first->prev;

		n->prev = last;
		n->next = first;
		last->next = n;
		first->prev = n;
	} else {
		n->next = n->prev = n;
		parent->first_child = n;
	}
	parent->nr_children++;
	parent->children_bytes += n->name_len + 1;
	parent->child_gen = ++s->gen;
	n->gen = ++s->gen;
	n->hnode.hash = node_hash(parent, n->name, n->name_len);
	htab_insert(&s->nodes, &n->hnode);
	s->nr_nodes++;
	domain_acc_nodes(s, perms_owner(n->perms), 1, node_acc_bytes(n));
}

/* Take a childless node out of the tree (accounting included); does not free it. */
static void node_unlink(struct store *s, struct node *n)
{
	struct node *parent = n->parent;

	domain_acc_nodes(s, perms_owner(n->perms), -1, -(long long)node_acc_bytes(n));
	htab_remove(&s->nodes, &n->hnode);
	s->nr_nodes--;
	if (n->next == n) {
		parent->first_child = NULL;
	} else {
		n->prev->next = n->next;
		n->next->prev = n->prev;
		if (parent->first_child == n)
			parent->first_child = n->next;
	}
	parent->nr_children--;
	parent->children_bytes -= n->name_len + 1;
	parent->child_gen = ++s->gen;
	n->parent = NULL;
}

void node_set_value(struct store *s, struct node *n, char *buf, size_t len)
{
	long long delta = (long long)len - (long long)n->value_len;

	free(n->value);
	n->value = buf;
	n->value_len = len;
	n->gen = ++s->gen;
	if (n != s->root)
		domain_acc_nodes(s, perms_owner(n->perms), 0, delta);
}

void node_set_perms(struct store *s, struct node *n, struct perm_list *perms)
{
	perms_get(perms);
	if (n != s->root)
		domain_acc_nodes(s, perms_owner(n->perms), -1, -(long long)node_acc_bytes(n));
	perms_put(n->perms);
	n->perms = perms;
	if (n != s->root)
		domain_acc_nodes(s, perms_owner(n->perms), 1, node_acc_bytes(n));
	n->gen = ++s->gen;
}

void node_remove_subtree(struct store *s, struct node *n, const char *abs, node_rm_cb *cb,
			 void *arg)
{
	char path[STORED_PATH_BUF];
	size_t len = strlen(abs);
	struct node *cur = n;

	if (len >= sizeof(path) || n == s->root)
		return;
	memcpy(path, abs, len + 1);
	for (;;) {
		struct node *parent;
		size_t name_len;
		bool done;

		while (cur->first_child) {
			struct node *c = cur->first_child;

			/* Paths fit: every node was created through a path that did. */
			if (len + 1 + c->name_len < sizeof(path)) {
				path[len] = '/';
				memcpy(path + len + 1, c->name, c->name_len + 1);
			}
			len += 1 + c->name_len;
			cur = c;
		}
		parent = cur->parent;
		done = cur == n;
		name_len = cur->name_len;
		if (cb)
			cb(s, cur, len < sizeof(path) ? path : abs, arg);
		node_unlink(s, cur);
		node_free(cur);
		if (done)
			break;
		len -= 1 + name_len;
		if (len < sizeof(path))
			path[len] = '\0';
		cur = parent;
	}
}

size_t node_path(const struct node *n, char *buf, size_t len)
{
	const struct node *p;
	size_t total = 0, pos;

	if (!n->parent) {
		if (len >= 2)
			memcpy(buf, "/", 2);
		return 1;
	}
	for (p = n; p->parent; p = p->parent)
		total += 1 + p->name_len;
	if (total >= len)
		return total;
	buf[total] = '\0';
	pos = total;
	for (p = n; p->parent; p = p->parent) {
		pos -= p->name_len;
		memcpy(buf + pos, p->name, p->name_len);
		buf[--pos] = '/';
	}
	return total;
}

void node_walk(struct store *s, struct node *from, node_walk_cb *cb, void *arg)
{
	struct node *cur = from;

	while (cur) {
		if (cb(s, cur, arg) && cur->first_child) {
			cur = cur->first_child;
			continue;
		}
		for (;;) {
			struct node *parent = cur->parent;

			if (cur == from || !parent) {
				cur = NULL;
				break;
			}
			if (cur->next != parent->first_child) {
				cur = cur->next;
				break;
			}
			cur = parent;
		}
	}
}
