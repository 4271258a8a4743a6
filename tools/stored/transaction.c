/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * transaction.c: transactions with generation-based conflict detection.
 *
 * Design note
 * -----------
 * The tree is never copied. A transaction keeps a table of entries, one per
 * path it has looked at or changed (its "view" overlays the global tree):
 *
 *   seen_gen        the node's gen when the transaction first looked at it,
 *                   or 0 if the node did not exist then;
 *   check_gen       the transaction's result depends on that observation
 *                   (it read the value or permissions, or relied on the node
 *                   existing or not existing);
 *   seen_child_gen  the node's child_gen when the transaction listed its
 *                   children (check_children);
 *   exists          whether the node exists in the transaction's view;
 *   set_value, set_perms, value, perms
 *                   what the transaction writes;
 *   replace         the transaction removed the global node (RM), so the
 *                   global subtree under it is invisible in the view, and is
 *                   removed at commit even if the path is then re-created.
 *
 * A node not in the table is seen as in the global tree, unless one of its
 * ancestors has an entry that does not exist or replaces the global node.
 *
 * Generations (node.c): store->gen increases on every change; a node's gen
 * takes a fresh value when it is created or its value or permissions change,
 * its child_gen when a child is added or removed. Keeping the two apart is
 * what makes conflicts real ones: creating /a/x does not change /a's gen, so
 * a transaction that only created /a/y beside it does not fail.
 *
 * Commit ("T") is all or nothing:
 *   1. validate: every check_gen entry still has seen_gen (0: still absent),
 *      every check_children entry still has seen_child_gen, and every node
 *      the transaction writes still has a parent (in the global tree or
 *      created by the transaction). Anything else is a conflict: EAGAIN.
 *   2. quotas (unprivileged): ENOSPC, nothing applied.
 *   3. prepare: allocate every node to create and reserve hash room; ENOMEM
 *      leaves the tree untouched.
 *   4. apply (cannot fail): removals, then writes and creations parents first.
 *   5. fire the queued watch events.
 * Writes to an existing node the transaction never read are not checked:
 * last writer wins, as in C xenstored.
 *
 * Worked examples (G = store->gen, g(X) = gen of node X, c(X) = child_gen):
 *
 * 1. Read-modify-write race. G = 10, g(/c) = 7.
 *    T1 starts, READ /c: entry /c seen 7, check. T2 starts, READ /c: seen 7.
 *    T1 WRITE /c, commit: g(/c) is 7 = seen, apply: g(/c) = 11.
 *    T2 WRITE /c, commit: g(/c) is 11, seen 7 => EAGAIN. T2 retries and reads
 *    T1's value. This is the only way a counter stays right.
 *
 * 2. Disjoint creations under one parent. /a exists, g(/a) = 3, c(/a) = 3.
 *    T1 WRITE /a/x: nearest ancestor /a checked (seen 3), entry /a/x seen 0.
 *    T2 WRITE /a/y: /a checked (seen 3), /a/y seen 0.
 *    T1 commits: /a/x created; c(/a) = 12, g(/a) stays 3.
 *    T2 commits: g(/a) = 3 = seen, /a/y still absent => OK. No false EAGAIN.
 *
 * 3. Listing vs creation. T1 DIRECTORY /a: /a check_children seen c = 12.
 *    T2 WRITE /a/z and commits: c(/a) = 14.
 *    T1 WRITE /b, commit: c(/a) 14 != 12 => EAGAIN (T1 decided on a stale list).
 *
 * 4. Both create the same node. T1 and T2 WRITE /n (absent): both see 0.
 *    T1 commits: /n created with g = 15. T2: /n exists, seen 0 => EAGAIN.
 *
 * 5. Remove and re-create. /d has children /d/p, /d/q. T1 RM /d (entry /d
 *    does not exist, replace), WRITE /d/p: /d re-created (exists, replace)
 *    and /d/p created. READ /d/q in T1: ENOENT (hidden by /d's replace).
 *    Commit removes the global /d subtree (events for /d, /d/p, /d/q), then
 *    creates /d and /d/p with T1's values.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "log.h"
#include "stored.h"

struct tx_entry {
	struct htab_node hnode;
	struct tx_entry *order_next;
	uint64_t seen_gen;
	uint64_t seen_child_gen;
	char *value;
	struct perm_list *perms; /* set_perms or created: the new list */
	struct node *prealloc;	 /* commit: node to link */
	uint32_t value_len;
	bool check_gen;
	bool check_children;
	bool exists;
	bool set_value;
	bool set_perms;
	bool replace;
	bool created; /* exists in the view but not (or no longer) globally */
	uint16_t depth;
	size_t path_len;
	char path[];
};

struct tx_event {
	struct tx_event *next;
	struct perm_list *perms;
	struct perm_list *old_perms;
	char path[];
};

/* Bytes a transaction charges its domain for an entry. */
static size_t tx_entry_bytes(const struct tx_entry *e)
{
	return sizeof(*e) + e->path_len + 1 + e->value_len;
}

static struct tx_entry *tx_find(const struct transaction *t, const char *abs, size_t len)
{
	uint32_t h = htab_hash_bytes(0, abs, len);
	struct htab_node *hn;

	for (hn = htab_chain(&t->entries, h); hn; hn = hn->next) {
		struct tx_entry *e = stored_container_of(hn, struct tx_entry, hnode);

		if (hn->hash == h && e->path_len == len && !memcmp(e->path, abs, len))
			return e;
	}
	return NULL;
}

/* The entry for abs, made from the global node when new. NULL on ENOMEM/ENOSPC. */
static struct tx_entry *tx_entry_get(struct transaction *t, const char *abs, int *rc_r)
{
	struct conn *conn = t->conn;
	struct store *s = conn->store;
	size_t len = strlen(abs), i;
	struct tx_entry *e = tx_find(t, abs, len);
	long long max = domain_quota(s, QUOTA_TRANSACTION_NODES);
	struct node *n;

	*rc_r = 0;
	if (e)
		return e;
	if (!conn->privileged && max > 0 && t->nr_entries >= max) {
		*rc_r = ENOSPC;
		return NULL;
	}
	if (!conn->privileged && domain_memory_check(conn, sizeof(*e) + len + 1)) {
		*rc_r = ENOMEM;
		return NULL;
	}
	if (htab_reserve(&t->entries, 1) || !(e = calloc(1, sizeof(*e) + len + 1))) {
		*rc_r = ENOMEM;
		return NULL;
	}
	memcpy(e->path, abs, len + 1);
	e->path_len = len;
	for (i = 0; i < len; i++)
		e->depth += abs[i] == '/';
	n = node_lookup(s, abs);
	if (n) {
		/* A snapshot: reads in the transaction repeat (C xenstored copies too). */
		if (n->value_len) {
			if (!conn->privileged &&
			    domain_memory_check(conn, sizeof(*e) + len + 1 + n->value_len)) {
				free(e);
				*rc_r = ENOMEM;
				return NULL;
			}
			e->value = malloc(n->value_len);
			if (!e->value) {
				free(e);
				*rc_r = ENOMEM;
				return NULL;
			}
			memcpy(e->value, n->value, n->value_len);
			e->value_len = n->value_len;
		}
		e->perms = perms_get(n->perms);
		e->seen_gen = n->gen;
		e->exists = true;
	}
	e->hnode.hash = htab_hash_bytes(0, abs, len);
	htab_insert(&t->entries, &e->hnode);
	if (t->order_tail)
		t->order_tail->order_next = e;
	else
		t->order = e;
	t->order_tail = e;
	t->nr_entries++;
	t->acc_bytes += tx_entry_bytes(e);
	domain_acc_memory(s, conn->domid, tx_entry_bytes(e));
	return e;
}

/* Whether an ancestor of abs hides the global node at abs in t's view. */
static bool tx_hidden(const struct transaction *t, const char *abs)
{
	size_t len = strlen(abs);

	while (len > 1) {
		const struct tx_entry *e;
		size_t l = len;

		while (l > 0 && abs[l - 1] != '/')
			l--;
		len = l > 1 ? l - 1 : 1;
		e = tx_find(t, abs, len);
		if (e && (!e->exists || e->replace))
			return true;
	}
	return false;
}

int tx_view_get(struct transaction *t, const char *abs, bool record, struct node_view *v)
{
	struct tx_entry *e = tx_find(t, abs, strlen(abs));
	int rc;

	memset(v, 0, sizeof(*v));
	if (!e && tx_hidden(t, abs))
		return 0;
	if (!e && record) {
		e = tx_entry_get(t, abs, &rc);
		if (!e)
			return rc;
	}
	if (e) {
		if (record && !e->check_gen && !e->created && !e->replace && !e->set_perms &&
		    !e->set_value)
			e->check_gen = true;
		if (!e->exists || !e->perms)
			return 0;
		v->exists = true;
		v->value = e->value;
		v->value_len = e->value_len;
		v->perms = e->perms;
		v->gen = e->seen_gen;
		return 0;
	}
	node_view_fill(v, node_lookup(t->conn->store, abs));
	return 0;
}

int tx_view_children(struct transaction *t, const char *abs, view_child_cb *cb, void *arg)
{
	struct store *s = t->conn->store;
	size_t len = strlen(abs);
	struct tx_entry *e, *pe;
	struct node *n = NULL, *c;
	int rc;

	pe = tx_entry_get(t, abs, &rc);
	if (!pe)
		return rc;
	if (!pe->created && !pe->replace) {
		n = node_lookup(s, abs);
		if (n && !pe->check_children) {
			pe->check_children = true;
			pe->seen_child_gen = n->child_gen;
		}
	}
	if (n && (c = n->first_child)) {
		char sub[STORED_PATH_BUF];
		size_t base = len == 1 ? 0 : len;

		memcpy(sub, abs, base);
		sub[base] = '/';
		do {
			if (base + 1 + c->name_len < sizeof(sub)) {
				memcpy(sub + base + 1, c->name, c->name_len + 1);
				e = tx_find(t, sub, base + 1 + c->name_len);
				if (!e || e->exists) {
					rc = cb(c->name, c->name_len, arg);
					if (rc)
						return rc;
				}
			}
			c = c->next;
		} while (c != n->first_child);
	}
	/* Children the transaction created. */
	for (e = t->order; e; e = e->order_next) {
		size_t plen;

		if (!e->exists || !e->created || e->path_len <= len)
			continue;
		plen = access_parent_len(e->path);
		if (plen != len || memcmp(e->path, abs, len))
			continue;
		rc = cb(e->path + plen + (len == 1 ? 0 : 1),
			e->path_len - plen - (len == 1 ? 0 : 1), arg);
		if (rc)
			return rc;
	}
	return 0;
}

int tx_view_set(struct transaction *t, const char *abs, bool value_set, const void *value,
		size_t len, struct perm_list *perms, bool create)
{
	struct tx_entry *e;
	char *buf = NULL;
	int rc;

	e = tx_entry_get(t, abs, &rc);
	if (!e)
		return rc;
	if (value_set && len) {
		buf = malloc(len);
		if (!buf)
			return ENOMEM;
		memcpy(buf, value, len);
	}
	if (create) {
		/* Created (absent globally, or removed earlier in this transaction). */
		if (!e->replace && e->seen_gen == 0)
			e->check_gen = true; /* it must still be absent at commit */
		e->created = true;
		e->exists = true;
		e->set_perms = true;
		e->set_value = true;
		value_set = true;
	}
	if (value_set) {
		t->acc_bytes += (long long)len - e->value_len;
		domain_acc_memory(t->conn->store, t->conn->domid, (long long)len - e->value_len);
		free(e->value);
		e->value = buf;
		e->value_len = len;
		e->set_value = true;
	}
	if (perms) {
		perms_get(perms);
		perms_put(e->perms);
		e->perms = perms;
		e->set_perms = true;
	}
	return 0;
}

int tx_view_rm(struct transaction *t, const char *abs, struct perm_list *perms)
{
	size_t len = strlen(abs);
	struct tx_entry *e, *x;
	int rc;

	e = tx_entry_get(t, abs, &rc);
	if (!e)
		return rc;
	/* Entries below abs vanish from the view. */
	for (x = t->order; x; x = x->order_next) {
		if (x->path_len > len && !memcmp(x->path, abs, len) && x->path[len] == '/') {
			x->exists = false;
			x->created = false;
			x->set_value = false;
			x->set_perms = false;
		}
	}
	if (e->seen_gen)
		e->replace = true;
	e->exists = false;
	e->created = false;
	e->set_value = false;
	e->set_perms = false;
	t->acc_bytes -= e->value_len;
	domain_acc_memory(t->conn->store, t->conn->domid, -(long long)e->value_len);
	free(e->value);
	e->value = NULL;
	e->value_len = 0;
	perms_put(e->perms);
	e->perms = NULL;
	return 0;
}

int tx_queue_event(struct transaction *t, const char *abs, struct perm_list *perms,
		   struct perm_list *old_perms)
{
	size_t len = strlen(abs);
	struct tx_event *ev = malloc(sizeof(*ev) + len + 1);

	if (!ev)
		return ENOMEM;
	memcpy(ev->path, abs, len + 1);
	ev->next = NULL;
	ev->perms = perms_get(perms);
	ev->old_perms = perms_get(old_perms);
	if (t->events_tail)
		t->events_tail->next = ev;
	else
		t->events = ev;
	t->events_tail = ev;
	t->acc_bytes += sizeof(*ev) + len + 1;
	domain_acc_memory(t->conn->store, t->conn->domid, sizeof(*ev) + len + 1);
	return 0;
}

long long tx_nodes_created(const struct transaction *t)
{
	const struct tx_entry *e;
	long long nr = 0;

	for (e = t->order; e; e = e->order_next)
		nr += e->exists && e->created;
	return nr;
}

struct transaction *transaction_find(struct conn *conn, uint32_t id)
{
	struct transaction *t;

	for (t = conn->transactions; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

void transaction_free(struct transaction *t)
{
	struct tx_entry *e, *en;
	struct tx_event *ev, *evn;
	struct conn *conn = t->conn;
	struct transaction **pp;
	struct domain *d;

	for (pp = &conn->transactions; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			conn->nr_transactions--;
			break;
		}
	}
	for (e = t->order; e; e = en) {
		en = e->order_next;
		free(e->value);
		perms_put(e->perms);
		node_free(e->prealloc);
		free(e);
	}
	for (ev = t->events; ev; ev = evn) {
		evn = ev->next;
		perms_put(ev->perms);
		perms_put(ev->old_perms);
		free(ev);
	}
	htab_free(&t->entries);
	domain_acc_memory(conn->store, conn->domid, -t->acc_bytes - (long long)sizeof(*t));
	d = domain_get(conn->store, conn->domid);
	if (d)
		d->nr_transactions--;
	free(t);
}

void transaction_conn_free_all(struct conn *conn)
{
	while (conn->transactions)
		transaction_free(conn->transactions);
}

int do_transaction_start(struct request *req)
{
	struct conn *conn = req->conn;
	struct store *s = conn->store;
	struct transaction *t;
	struct domain *d;
	long long max = domain_quota(s, QUOTA_TRANSACTIONS);
	char buf[16];
	int n, rc;

	if (req->tx)
		return EBUSY;
	d = domain_get_or_new(s, conn->domid);
	if (!d)
		return ENOMEM;
	if (!conn->privileged && max > 0 && d->nr_transactions >= max)
		return ENOSPC;
	if (!conn->privileged) {
		rc = domain_memory_check(conn, sizeof(*t));
		if (rc)
			return rc;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return ENOMEM;
	t->conn = conn;
	do {
		t->id = conn->next_tx_id++;
	} while (t->id == 0 || transaction_find(conn, t->id));
	t->next = conn->transactions;
	conn->transactions = t;
	conn->nr_transactions++;
	d->nr_transactions++;
	domain_acc_memory(s, conn->domid, sizeof(*t));
	n = snprintf(buf, sizeof(buf), "%u", t->id);
	return conn_reply(req, buf, n + 1);
}

/* Sort helper: entries by depth, creation order kept among equals. */
static int tx_cmp_depth(const void *a, const void *b)
{
	const struct tx_entry *x = *(const struct tx_entry *const *)a;
	const struct tx_entry *y = *(const struct tx_entry *const *)b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Whether e's parent exists at commit time (global, or created by t). */
static bool tx_parent_ok(struct transaction *t, const struct tx_entry *e)
{
	size_t plen = access_parent_len(e->path);
	const struct tx_entry *p = tx_find(t, e->path, plen);
	char buf[STORED_PATH_BUF];

	if (p)
		return p->exists;
	memcpy(buf, e->path, plen);
	buf[plen] = '\0';
	return node_lookup(t->conn->store, buf) != NULL;
}

/* Commit step 1: whether t's observations still hold (0 or EAGAIN); *nr_r counts its entries. */
static int tx_validate(struct transaction *t, size_t *nr_r)
{
	struct store *s = t->conn->store;
	struct tx_entry *e;
	size_t nr = 0;

	for (e = t->order; e; e = e->order_next) {
		struct node *n = NULL;

		if (e->check_gen || e->check_children)
			n = node_lookup(s, e->path);
		if (e->check_gen && (e->seen_gen ? (!n || n->gen != e->seen_gen) : n != NULL))
			return EAGAIN;
		if (e->check_children && (!n || n->child_gen != e->seen_child_gen))
			return EAGAIN;
		if (e->exists && (e->set_value || e->set_perms || e->created) &&
		    !tx_parent_ok(t, e))
			return EAGAIN;
		if (e->exists && e->set_value && !e->created && !node_lookup(s, e->path))
			return EAGAIN; /* written node removed meanwhile */
		nr++;
	}
	*nr_r = nr;
	return 0;
}

/* Commit step 2: whether an unprivileged t's creations fit its node quota (0 or ENOSPC). */
static int tx_quota_check(struct transaction *t, long long creates)
{
	struct conn *conn = t->conn;
	struct store *s = conn->store;

	if (!conn->privileged && creates) {
		struct domain *d = domain_get(s, conn->domid);
		long long max = domain_quota(s, QUOTA_NODES);

		if (max > 0 && (d ? d->nr_nodes : 0) + creates > max)
			return ENOSPC;
	}
	return 0;
}

/* Commit step 3: hash room and a node for every creation among v's nr entries (0 or ENOMEM). */
static int tx_prepare(struct store *s, struct tx_entry **v, size_t nr, long long creates)
{
	struct tx_entry *e;
	size_t i;
	int rc;

	rc = htab_reserve(&s->nodes, creates);
	if (rc)
		return rc;
	for (i = 0; i < nr; i++) {
		const char *name;

		e = v[i];
		if (!e->exists || !e->created)
			continue;
		name = strrchr(e->path, '/') + 1;
		e->prealloc = node_alloc(name, strlen(name), e->value, e->value_len, e->perms);
		if (!e->prealloc)
			return ENOMEM;
	}
	return 0;
}

/* Commit step 4, for a node t created: link its prepared node under its parent. */
static void tx_apply_create(struct store *s, struct tx_entry *e)
{
	char parent[STORED_PATH_BUF];
	size_t plen = access_parent_len(e->path);
	struct node *p, *n;

	memcpy(parent, e->path, plen);
	parent[plen] = '\0';
	p = node_lookup(s, parent);
	n = node_lookup(s, e->path);
	if (n) {
		/* Someone else created it meanwhile (unchecked path): ours wins. */
		node_set_perms(s, n, e->perms);
		node_set_value(s, n, e->value, e->value_len);
		e->value = NULL;
		e->value_len = 0;
		return;
	}
	if (!p) {
		log_warnx("transaction commit: parent of %s vanished", e->path);
		return;
	}
	node_link(s, p, e->prealloc);
	e->prealloc = NULL;
}

/* Commit step 4 (cannot fail): removals first, then writes, v sorted parents first. */
static void tx_apply(struct store *s, struct tx_entry **v, size_t nr)
{
	struct tx_entry *e;
	struct node *n;
	size_t i;

	for (i = 0; i < nr; i++) {
		e = v[i];
		if (!e->replace)
			continue;
		n = node_lookup(s, e->path);
		if (n && n != s->root)
			node_remove_subtree(s, n, e->path, access_rm_fire_cb, n);
	}
	for (i = 0; i < nr; i++) {
		e = v[i];
		if (!e->exists)
			continue;
		if (e->created) {
			tx_apply_create(s, e);
			continue;
		}
		if (!e->set_value && !e->set_perms)
			continue;
		n = node_lookup(s, e->path);
		if (!n)
			continue;
		if (e->set_perms)
			node_set_perms(s, n, e->perms);
		if (e->set_value) {
			node_set_value(s, n, e->value, e->value_len);
			e->value = NULL;
			e->value_len = 0;
		}
	}
}

/* Commit t. 0, EAGAIN (conflict), ENOSPC (quota) or ENOMEM. Nothing changes on error. */
static int tx_commit(struct transaction *t)
{
	struct store *s = t->conn->store;
	struct tx_entry **v = NULL, *e;
	struct tx_event *ev;
	size_t nr = 0;
	long long creates = 0;
	int rc;

	if (t->failed)
		return ENOMEM;
	rc = tx_validate(t, &nr);
	if (rc)
		return rc;
	creates = tx_nodes_created(t);
	rc = tx_quota_check(t, creates);
	if (rc)
		return rc;
	v = calloc(nr ? nr : 1, sizeof(*v));
	if (!v)
		return ENOMEM;
	nr = 0;
	for (e = t->order; e; e = e->order_next)
		v[nr++] = e;
	qsort(v, nr, sizeof(*v), tx_cmp_depth);
	rc = tx_prepare(s, v, nr, creates);
	if (rc)
		goto out;
	tx_apply(s, v, nr);
	for (ev = t->events; ev; ev = ev->next)
		access_fire(s, ev->path, ev->perms, ev->old_perms);
	rc = 0;
out:
	free(v);
	return rc;
}

int do_transaction_end(struct request *req)
{
	struct transaction *t = req->tx;
	const char *arg = request_onearg(req);
	struct store *s = req->conn->store;
	int rc;

	if (!t)
		return ENOENT;
	if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
		return EINVAL;
	if (arg[0] == 'T') {
		rc = tx_commit(t);
		if (rc == EAGAIN)
			s->stats.tx_conflicts++;
		else if (!rc)
			s->stats.tx_commits++;
		if (!rc)
			domain_wrl_charge(req->conn);
	} else {
		rc = 0;
	}
	/* The transaction ends whatever the outcome (as C xenstored). */
	req->tx = NULL;
	transaction_free(t);
	if (rc)
		return rc;
	return conn_reply_ok(req);
}
