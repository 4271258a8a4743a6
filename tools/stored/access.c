/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * access.c: the node operations (READ, WRITE, MKDIR, RM, DIRECTORY,
 * DIRECTORY_PART, GET_PERMS, SET_PERMS) with C xenstored's permission and
 * quota rules, over the view of the request: the global tree, or its
 * transaction (transaction.c keeps the transaction's copies).
 *
 * Rules (C xenstored):
 * - reading needs READ on the node; a missing node is ENOENT when the
 *   nearest existing ancestor is readable, else EACCES (no existence leak);
 * - WRITE/RM/SET_PERMS need WRITE (SET_PERMS: ownership) on the node itself;
 *   creating needs WRITE on the nearest existing ancestor, and every node
 *   created copies that ancestor's permissions, with the owner replaced by
 *   the creator when the creator is unprivileged;
 * - an unprivileged caller may not change a node's owner (EPERM);
 * - quotas (nodes, node size, perms per node, path length, transaction
 *   nodes, memory) apply to unprivileged callers only.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "stored.h"

size_t access_parent_len(const char *abs)
{
	const char *slash = strrchr(abs, '/');

	if (!slash || slash == abs)
		return 1;
	return (size_t)(slash - abs);
}

/* Look at abs as req sees it. */
static int view_get(struct request *req, const char *abs, bool record, struct node_view *v)
{
	if (req->tx)
		return tx_view_get(req->tx, abs, record, v);
	node_view_fill(v, node_lookup(req->conn->store, abs));
	return 0;
}

/*
 * Nearest existing ancestor of abs in req's view: its path length goes to
 * *len_r and its view to v. The root always exists.
 */
static int view_nearest(struct request *req, const char *abs, char *buf, size_t *len_r,
			struct node_view *v)
{
	size_t len = strlen(abs);
	int rc;

	memcpy(buf, abs, len + 1);
	for (;;) {
		len = access_parent_len(buf);
		buf[len] = '\0';
		rc = view_get(req, buf, true, v);
		if (rc)
			return rc;
		if (v->exists || len == 1)
			break;
	}
	*len_r = len;
	return 0;
}

/* The errno for a missing node: ENOENT if the caller may know, else EACCES. */
static int view_missing_errno(struct request *req, const char *abs)
{
	char buf[STORED_PATH_BUF];
	struct node_view v;
	size_t len;
	int rc;

	rc = view_nearest(req, abs, buf, &len, &v);
	if (rc)
		return rc;
	if (!v.exists)
		return ENOENT;
	return (perms_for_conn(req->conn, v.perms) & XS_PERM_READ) ? ENOENT : EACCES;
}

/*
 * Canonicalise the request's path (NULL: the request had no path argument,
 * EINVAL); unprivileged callers are held to path-max.
 */
static int access_path(struct request *req, const char *path, bool allow_special, char *abs)
{
	struct conn *conn = req->conn;
	long long max;
	int rc;

	if (!path)
		return EINVAL;
	rc = node_canonicalize(conn->domid, path, allow_special, abs, STORED_PATH_BUF);
	if (rc)
		return rc;
	if (abs[0] == '@')
		return 0;
	if (!conn->privileged) {
		max = domain_quota(conn->store, QUOTA_PATH_MAX);
		if (max > 0 && (long long)node_path_quota_len(abs) > max)
			return EINVAL;
	} else if (strlen(abs) > STORED_PAYLOAD_MAX) {
		return EINVAL;
	}
	return 0;
}

/* Resolve path for req into abs (STORED_PATH_BUF) and look at it, recorded in a transaction. */
static int view_lookup(struct request *req, const char *path, char *abs, struct node_view *v)
{
	int rc = access_path(req, path, false, abs);

	return rc ? rc : view_get(req, abs, true, v);
}

void access_fire(struct store *s, const char *abs, const struct perm_list *perms,
		 const struct perm_list *old_perms)
{
	char parent[STORED_PATH_BUF];
	struct watch_event_ctx ctx = { perms, old_perms, NULL };
	struct node *p;
	size_t len;

	if (!s->watches.count)
		return;
	len = access_parent_len(abs);
	memcpy(parent, abs, len);
	parent[len] = '\0';
	p = node_lookup(s, parent);
	if (p && strcmp(abs, "/"))
		ctx.parent_perms = p->perms;
	watch_fire(s, abs, &ctx);
}

void access_rm_fire_cb(struct store *s, struct node *n, const char *abs, void *arg)
{
	struct watch_event_ctx ctx = { n->perms, NULL, n->parent ? n->parent->perms : NULL };

	if (s->watches.count && n != arg)
		watch_fire_exact(s, abs, &ctx);
}

/* Quota checks for adding nr nodes owned by conn's domain. */
static int access_nodes_quota(struct request *req, long long nr)
{
	struct conn *conn = req->conn;
	struct domain *d;
	long long max = domain_quota(conn->store, QUOTA_NODES), have = 0;

	if (conn->privileged || max <= 0)
		return 0;
	d = domain_get(conn->store, conn->domid);
	if (d)
		have = d->nr_nodes;
	if (req->tx)
		have += tx_nodes_created(req->tx);
	return have + nr > max ? ENOSPC : 0;
}

/* Node-size quota for unprivileged writers. */
static int access_size_quota(struct request *req, size_t size)
{
	long long max = domain_quota(req->conn->store, QUOTA_NODE_SIZE);

	if (req->conn->privileged || max <= 0)
		return 0;
	return (long long)size > max ? ENOSPC : 0;
}

/* Children bytes of abs in the global tree (an estimate inside transactions). */
static size_t access_children_bytes(struct request *req, const char *abs)
{
	struct node *n = node_lookup(req->conn->store, abs);

	return n ? n->children_bytes : 0;
}

/*
 * The quotas for creating nr nodes down to abs under the existing ancestor
 * anc (seen as av), the last one holding len bytes.
 */
static int access_create_quota(struct request *req, const char *abs, const char *anc,
			       const struct node_view *av, size_t len, long long nr)
{
	int rc;

	rc = access_nodes_quota(req, nr);
	if (rc)
		return rc;
	/* The ancestor gains a child name (C xenstored counts children in node-size). */
	rc = access_size_quota(req, 16 + perms_acc_bytes(av->perms) + av->value_len +
					    access_children_bytes(req, anc) +
					    strlen(strrchr(abs, '/') + 1) + 1);
	if (rc)
		return rc;
	return access_size_quota(req, 16 + perms_acc_bytes(av->perms) + len);
}

/* Create abs's components past its existing ancestor (alen long) in req's transaction. */
static int access_create_tx(struct request *req, const char *abs, size_t alen, const void *value,
			    size_t len, struct perm_list *perms)
{
	char sub[STORED_PATH_BUF];
	size_t i, abs_len = strlen(abs);
	int rc;

	/* One entry per created component, parents first. */
	for (i = alen + 1; i <= abs_len; i++) {
		if (i != abs_len && abs[i] != '/')
			continue;
		memcpy(sub, abs, i);
		sub[i] = '\0';
		rc = tx_view_set(req->tx, sub, i == abs_len, value, i == abs_len ? len : 0, perms,
				 true);
		if (rc)
			return rc;
	}
	return tx_queue_event(req->tx, abs, perms, NULL);
}

/* Create abs's nr components past its existing ancestor anc (alen long) in the global tree. */
static int access_create_global(struct request *req, const char *abs, const char *anc, size_t alen,
				const void *value, size_t len, struct perm_list *perms,
				long long nr)
{
	struct store *s = req->conn->store;
	struct node *parent = node_lookup(s, anc), *n;
	const char *p = abs + (alen == 1 ? 1 : alen + 1);
	struct node *chain[STORED_PATH_BUF / 2];
	long long k = 0;
	size_t i;
	int rc;

	rc = htab_reserve(&s->nodes, nr);
	if (rc)
		return rc;
	/* Allocate the chain first so that nothing is linked on ENOMEM. */
	while (*p) {
		const char *end = strchr(p, '/');
		size_t nl = end ? (size_t)(end - p) : strlen(p);

		n = node_alloc(p, nl, end ? NULL : value, end ? 0 : len, perms);
		if (!n) {
			while (k > 0)
				node_free(chain[--k]);
			return ENOMEM;
		}
		chain[k++] = n;
		p += nl + (end ? 1 : 0);
	}
	for (i = 0; i < (size_t)k; i++) {
		node_link(s, parent, chain[i]);
		parent = chain[i];
	}
	access_fire(s, abs, perms, NULL);
	return 0;
}

/*
 * Create abs (missing) and any missing parents with value on the last one.
 * Needs WRITE on the nearest existing ancestor.
 */
static int access_create(struct request *req, const char *abs, const void *value, size_t len)
{
	char anc[STORED_PATH_BUF];
	struct perm_list *perms = NULL;
	struct node_view av;
	size_t alen, i, abs_len = strlen(abs);
	long long nr = 0;
	int rc;

	rc = view_nearest(req, abs, anc, &alen, &av);
	if (rc)
		return rc;
	if (!(perms_for_conn(req->conn, av.perms) & XS_PERM_WRITE))
		return EACCES;
	for (i = alen; i < abs_len; i++)
		nr += abs[i] == '/';
	if (alen == 1)
		nr++; /* "/x": the first component has no leading '/' past alen */
	rc = access_create_quota(req, abs, anc, &av, len, nr);
	if (rc)
		return rc;
	if (!req->conn->privileged)
		perms = perms_with_owner(av.perms, req->conn->domid);
	else
		perms = perms_get(av.perms);
	if (!perms)
		return ENOMEM;
	if (!req->conn->privileged) {
		rc = domain_memory_check(req->conn, nr * (long long)sizeof(struct node) +
							    (long long)(abs_len + len));
		if (rc)
			goto out;
	}
	if (req->tx)
		rc = access_create_tx(req, abs, alen, value, len, perms);
	else
		rc = access_create_global(req, abs, anc, alen, value, len, perms, nr);
out:
	perms_put(perms);
	return rc;
}

/* A write outside a transaction is charged to the writer (a commit charges its own); reply OK. */
static int access_written(struct request *req)
{
	if (!req->tx)
		domain_wrl_charge(req->conn);
	return conn_reply_ok(req);
}

int do_read(struct request *req)
{
	char abs[STORED_PATH_BUF];
	const char *path = request_onearg(req);
	struct node_view v;
	int rc;

	rc = view_lookup(req, path, abs, &v);
	if (rc)
		return rc;
	if (!v.exists)
		return view_missing_errno(req, abs);
	if (!(perms_for_conn(req->conn, v.perms) & XS_PERM_READ))
		return EACCES;
	return conn_reply(req, v.value, v.value_len);
}

/* Set an existing node's value (WRITE on an existing node). */
static int access_set_value(struct request *req, const char *abs, struct node_view *v,
			    const void *value, size_t len)
{
	struct store *s = req->conn->store;
	struct node *n;
	char *buf = NULL;
	int rc;

	if (!(perms_for_conn(req->conn, v->perms) & XS_PERM_WRITE))
		return EACCES;
	rc = access_size_quota(req, 16 + perms_acc_bytes(v->perms) + len +
					    access_children_bytes(req, abs));
	if (rc)
		return rc;
	if (!req->conn->privileged && len > v->value_len) {
		rc = domain_memory_check(req->conn, (long long)(len - v->value_len));
		if (rc)
			return rc;
	}
	if (req->tx) {
		rc = tx_view_set(req->tx, abs, true, value, len, NULL, false);
		if (!rc)
			rc = tx_queue_event(req->tx, abs, v->perms, NULL);
		return rc;
	}
	n = node_lookup(s, abs);
	if (!n)
		return ENOENT;
	if (len) {
		buf = malloc(len);
		if (!buf)
			return ENOMEM;
		memcpy(buf, value, len);
	}
	node_set_value(s, n, buf, len);
	access_fire(s, abs, n->perms, NULL);
	return 0;
}

int do_write(struct request *req)
{
	char abs[STORED_PATH_BUF];
	const char *path = req->payload, *nul;
	struct node_view v;
	size_t vlen;
	int rc;

	nul = memchr(req->payload, '\0', req->len);
	if (!nul)
		return EINVAL;
	vlen = req->len - (size_t)(nul + 1 - req->payload);
	rc = view_lookup(req, path, abs, &v);
	if (rc)
		return rc;
	if (v.exists)
		rc = access_set_value(req, abs, &v, nul + 1, vlen);
	else
		rc = access_create(req, abs, nul + 1, vlen);
	return rc ? rc : access_written(req);
}

int do_mkdir(struct request *req)
{
	char abs[STORED_PATH_BUF];
	const char *path = request_onearg(req);
	struct node_view v;
	int rc;

	rc = view_lookup(req, path, abs, &v);
	if (rc)
		return rc;
	if (v.exists) {
		if (!(perms_for_conn(req->conn, v.perms) & XS_PERM_WRITE))
			return EACCES;
		return conn_reply_ok(req);
	}
	rc = access_create(req, abs, NULL, 0);
	return rc ? rc : access_written(req);
}

int do_rm(struct request *req)
{
	struct store *s = req->conn->store;
	char abs[STORED_PATH_BUF], parent[STORED_PATH_BUF];
	const char *path = request_onearg(req);
	struct perm_list *perms = NULL;
	struct node_view v, pv;
	struct node *n;
	size_t plen;
	int rc;

	rc = access_path(req, path, false, abs);
	if (rc)
		return rc;
	if (!strcmp(abs, "/"))
		return EINVAL;
	rc = view_get(req, abs, true, &v);
	if (rc)
		return rc;
	if (!v.exists) {
		rc = view_missing_errno(req, abs);
		if (rc != ENOENT)
			return rc;
		plen = access_parent_len(abs);
		memcpy(parent, abs, plen);
		parent[plen] = '\0';
		rc = view_get(req, parent, true, &pv);
		if (rc)
			return rc;
		if (!pv.exists)
			return ENOENT;
		return conn_reply_ok(req);
	}
	if (!(perms_for_conn(req->conn, v.perms) & XS_PERM_WRITE))
		return EACCES;
	if (req->tx) {
		rc = tx_view_rm(req->tx, abs, v.perms);
		if (!rc)
			rc = tx_queue_event(req->tx, abs, v.perms, NULL);
		if (rc)
			return rc;
		return conn_reply_ok(req);
	}
	n = node_lookup(s, abs);
	if (!n)
		return ENOENT;
	perms = perms_get(n->perms);
	node_remove_subtree(s, n, abs, access_rm_fire_cb, n);
	access_fire(s, abs, perms, NULL);
	perms_put(perms);
	domain_wrl_charge(req->conn);
	return conn_reply_ok(req);
}

/* Accumulates child names into a reply buffer. */
struct access_dir {
	char *buf;
	size_t len;
	size_t cap;
};

static int access_dir_add(const char *name, size_t len, void *arg)
{
	struct access_dir *d = arg;

	if (d->len + len + 1 > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		char *b;

		while (cap < d->len + len + 1)
			cap *= 2;
		b = realloc(d->buf, cap);
		if (!b)
			return ENOMEM;
		d->buf = b;
		d->cap = cap;
	}
	memcpy(d->buf + d->len, name, len);
	d->buf[d->len + len] = '\0';
	d->len += len + 1;
	return 0;
}

/* The children of abs as NUL-terminated names (after the read checks). */
static int access_children(struct request *req, const char *abs, struct access_dir *d,
			   uint64_t *gen_r)
{
	struct node_view v;
	struct node *n, *c;
	int rc;

	rc = view_get(req, abs, true, &v);
	if (rc)
		return rc;
	if (!v.exists)
		return view_missing_errno(req, abs);
	if (!(perms_for_conn(req->conn, v.perms) & XS_PERM_READ))
		return EACCES;
	if (req->tx)
		return tx_view_children(req->tx, abs, access_dir_add, d);
	n = node_lookup(req->conn->store, abs);
	if (!n)
		return ENOENT;
	if (gen_r)
		*gen_r = n->child_gen;
	c = n->first_child;
	if (!c)
		return 0;
	do {
		rc = access_dir_add(c->name, c->name_len, d);
		if (rc)
			return rc;
		c = c->next;
	} while (c != n->first_child);
	return 0;
}

int do_directory(struct request *req)
{
	char abs[STORED_PATH_BUF];
	const char *path = request_onearg(req);
	struct access_dir d = { 0 };
	int rc;

	rc = access_path(req, path, false, abs);
	if (rc)
		return rc;
	rc = access_children(req, abs, &d, NULL);
	if (!rc)
		rc = conn_reply(req, d.buf, d.len);
	free(d.buf);
	return rc;
}

int do_directory_part(struct request *req)
{
	char abs[STORED_PATH_BUF], head[32];
	const char *vec[2];
	struct access_dir d = { 0 }, out = { 0 };
	uint64_t gen = 0;
	unsigned long off;
	char *end = NULL;
	size_t pos, room;
	int rc, n;

	if (request_strings(req, vec, 2) != 2)
		return EINVAL;
	errno = 0;
	off = strtoul(vec[1], &end, 10);
	if (errno || *end || !vec[1][0])
		return EINVAL;
	rc = access_path(req, vec[0], false, abs);
	if (rc)
		return rc;
	rc = access_children(req, abs, &d, &gen);
	if (rc)
		goto out;
	if (req->tx)
		gen = 0; /* the transaction's own view: callers restart on any change */
	n = snprintf(head, sizeof(head), "%llu", (unsigned long long)gen);
	rc = access_dir_add(head, n, &out);
	if (rc)
		goto out;
	if (off >= d.len) {
		rc = access_dir_add("", 0, &out);
		goto reply;
	}
	/* Whole names that fit in the payload, then an empty name at the end. */
	room = STORED_PAYLOAD_MAX - out.len - 1;
	pos = off;
	while (pos < d.len) {
		size_t l = strlen(d.buf + pos);

		if (l + 1 > room)
			break;
		rc = access_dir_add(d.buf + pos, l, &out);
		if (rc)
			goto out;
		room -= l + 1;
		pos += l + 1;
	}
	if (pos >= d.len)
		rc = access_dir_add("", 0, &out);
	if (rc)
		goto out;
reply:
	if (rc)
		goto out;
	rc = conn_reply(req, out.buf, out.len);
out:
	free(d.buf);
	free(out.buf);
	return rc;
}

/* The permissions of a special node (@introduceDomain, @releaseDomain). */
static struct perm_list **access_special(struct store *s, const char *abs)
{
	if (!strcmp(abs, STORED_SPECIAL_INTRODUCE))
		return &s->special_introduce;
	if (!strcmp(abs, STORED_SPECIAL_RELEASE))
		return &s->special_release;
	return NULL;
}

int do_get_perms(struct request *req)
{
	char abs[STORED_PATH_BUF], buf[STORED_PAYLOAD_MAX];
	const char *path = request_onearg(req);
	struct perm_list *perms;
	struct node_view v;
	size_t len;
	int rc;

	rc = access_path(req, path, true, abs);
	if (rc)
		return rc;
	if (abs[0] == '@') {
		struct perm_list **sp = access_special(req->conn->store, abs);

		if (!sp)
			return ENOENT;
		perms = *sp;
	} else {
		rc = view_get(req, abs, true, &v);
		if (rc)
			return rc;
		if (!v.exists)
			return view_missing_errno(req, abs);
		perms = v.perms;
	}
	if (!(perms_for_conn(req->conn, perms) & XS_PERM_READ))
		return EACCES;
	len = perms_format(perms, buf, sizeof(buf));
	if (len > sizeof(buf))
		return E2BIG;
	return conn_reply(req, buf, len);
}

/*
 * SET_PERMS's arguments: the path (into abs) and the permissions (*perms_r),
 * within the per-node permissions quota.
 */
static int access_perms_arg(struct request *req, char *abs, struct perm_list **perms_r)
{
	struct store *s = req->conn->store;
	const char *nul;
	unsigned int nr = 0;
	long long max;
	size_t i, off;
	int rc;

	nul = memchr(req->payload, '\0', req->len);
	if (!nul)
		return EINVAL;
	off = (size_t)(nul + 1 - req->payload);
	for (i = off; i < req->len; i++)
		nr += req->payload[i] == '\0';
	if (nr == 0 || req->payload[req->len - 1] != '\0')
		return EINVAL;
	rc = access_path(req, req->payload, true, abs);
	if (rc)
		return rc;
	max = domain_quota(s, QUOTA_NODE_PERMS);
	if (!req->conn->privileged && max > 0 && nr > max)
		return ENOSPC;
	return perms_parse(req->payload + off, req->len - off, nr, perms_r);
}

/* SET_PERMS on a special path (@introduceDomain...): *perms_r moves there on success. */
static int access_set_special_perms(struct request *req, const char *abs,
				    struct perm_list **perms_r)
{
	struct perm_list **sp = access_special(req->conn->store, abs);
	unsigned int have;

	if (!sp)
		return ENOENT;
	have = perms_for_conn(req->conn, *sp);
	if (!(have & XS_PERM_OWNER))
		return EACCES;
	if (!req->conn->privileged && perms_owner(*perms_r) != perms_owner(*sp))
		return EPERM;
	perms_put(*sp);
	*sp = *perms_r;
	*perms_r = NULL;
	return conn_reply_ok(req);
}

/* SET_PERMS on a node, in req's transaction or the global tree. */
static int access_set_node_perms(struct request *req, const char *abs, struct perm_list *perms)
{
	struct store *s = req->conn->store;
	struct perm_list *old = NULL;
	struct node_view v;
	unsigned int have;
	int rc;

	rc = view_get(req, abs, true, &v);
	if (rc)
		goto out;
	if (!v.exists) {
		rc = view_missing_errno(req, abs);
		goto out;
	}
	have = perms_for_conn(req->conn, v.perms);
	if (!(have & XS_PERM_OWNER)) {
		rc = EACCES;
		goto out;
	}
	if (!req->conn->privileged && perms_owner(perms) != perms_owner(v.perms)) {
		rc = EPERM;
		goto out;
	}
	rc = access_size_quota(req, 16 + perms_acc_bytes(perms) + v.value_len +
					    access_children_bytes(req, abs));
	if (rc)
		goto out;
	if (req->tx) {
		rc = tx_view_set(req->tx, abs, false, NULL, 0, perms, false);
		if (!rc)
			rc = tx_queue_event(req->tx, abs, perms, v.perms);
		if (rc)
			goto out;
	} else {
		struct node *n = node_lookup(s, abs);

		if (!n) {
			rc = ENOENT;
			goto out;
		}
		old = perms_get(n->perms);
		node_set_perms(s, n, perms);
		access_fire(s, abs, perms, old);
		domain_wrl_charge(req->conn);
	}
	rc = conn_reply_ok(req);
out:
	perms_put(old);
	return rc;
}

int do_set_perms(struct request *req)
{
	char abs[STORED_PATH_BUF];
	struct perm_list *perms = NULL;
	int rc;

	rc = access_perms_arg(req, abs, &perms);
	if (rc)
		return rc;
	if (abs[0] == '@')
		rc = access_set_special_perms(req, abs, &perms);
	else
		rc = access_set_node_perms(req, abs, perms);
	perms_put(perms);
	return rc;
}
