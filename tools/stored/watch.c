/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * watch.c: watches and the delivery of watch events.
 *
 * Watches are indexed by their absolute path in one hash table, so an event
 * on P costs one probe per ancestor of P (plus the watches found), whatever
 * the number of watches elsewhere. Delivery follows C xenstored: a change of
 * P fires the watches on P and its ancestors within their depth; removing a
 * subtree fires, for each removed descendant, only the watches registered
 * exactly on it; an event reaches a connection only if it may read the node
 * (or could before a SET_PERMS, or may read the parent) (XSA-115); relative
 * watches get relative paths. Queueing (duplicate suppression, limits) is
 * core.c's conn_queue_event().
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stored.h"

size_t watch_acc_bytes(const struct watch *w)
{
	return sizeof(*w) + strlen(w->path) + strlen(w->token) + 2;
}

/* Whether conn may see an event described by ctx. */
static bool watch_permitted(struct conn *conn, const struct watch_event_ctx *ctx)
{
	if (conn->privileged)
		return true;
	if (ctx->perms && (perms_for_conn(conn, ctx->perms) & XS_PERM_READ))
		return true;
	if (ctx->old_perms && (perms_for_conn(conn, ctx->old_perms) & XS_PERM_READ))
		return true;
	if (ctx->parent_perms && (perms_for_conn(conn, ctx->parent_perms) & XS_PERM_READ))
		return true;
	return false;
}

/* The path an event on abs carries for w (relative watches: home stripped). */
static const char *watch_event_path(const struct watch *w, const char *abs, char *buf, size_t len)
{
	int n;

	if (!w->relative)
		return abs;
	n = snprintf(buf, len, "%s/%u/", STORED_LOCAL_DOMAIN, w->conn->domid);
	if (n > 0 && (size_t)n < len && !strncmp(abs, buf, n) && abs[n])
		return abs + n;
	return abs;
}

/* Deliver an event on abs to the watches registered on prefix[0..plen) within depth. */
static void watch_fire_on(struct store *s, const char *abs, size_t plen, int depth,
			  const struct watch_event_ctx *ctx)
{
	uint32_t h = htab_hash_bytes(0, abs, plen);
	struct htab_node *hn;
	char buf[64];

	for (hn = htab_chain(&s->watches, h); hn; hn = hn->next) {
		struct watch *w = stored_container_of(hn, struct watch, hnode);

		if (hn->hash != h || strncmp(w->path, abs, plen) || w->path[plen])
			continue;
		if (w->depth >= 0 && depth > w->depth)
			continue;
		if (w->conn->dead || !watch_permitted(w->conn, ctx))
			continue;
		conn_queue_event(w->conn, watch_event_path(w, abs, buf, sizeof(buf)), w->token,
				 false);
	}
}

void watch_fire(struct store *s, const char *abs, const struct watch_event_ctx *ctx)
{
	size_t len = strlen(abs);
	int depth = 0;

	if (!s->watches.count)
		return;
	watch_fire_on(s, abs, len, 0, ctx);
	while (len > 1) {
		while (len > 0 && abs[len - 1] != '/')
			len--;
		len = len > 1 ? len - 1 : 1;
		depth++;
		watch_fire_on(s, abs, len, depth, ctx);
	}
}

void watch_fire_exact(struct store *s, const char *abs, const struct watch_event_ctx *ctx)
{
	if (s->watches.count)
		watch_fire_on(s, abs, strlen(abs), 0, ctx);
}

void watch_fire_special(struct store *s, const char *special, unsigned int domid)
{
	const struct perm_list *perms = !strcmp(special, STORED_SPECIAL_RELEASE)
						? s->special_release
						: s->special_introduce;
	struct watch_event_ctx ctx = { perms, NULL, NULL };
	char one[64];
	size_t slen = strlen(special);
	uint32_t h;
	struct htab_node *hn;

	snprintf(one, sizeof(one), "%s/%u", special, domid);
	/* Watches on the special node: plain path, or path/<domid> with a depth. */
	h = htab_hash_bytes(0, special, slen);
	for (hn = htab_chain(&s->watches, h); hn; hn = hn->next) {
		struct watch *w = stored_container_of(hn, struct watch, hnode);

		if (hn->hash != h || strcmp(w->path, special))
			continue;
		if (w->conn->dead || !watch_permitted(w->conn, &ctx))
			continue;
		conn_queue_event(w->conn, w->depth >= 1 ? one : special, w->token, true);
	}
	/* Watches on one domain: @releaseDomain/<domid>. */
	h = htab_hash_bytes(0, one, strlen(one));
	for (hn = htab_chain(&s->watches, h); hn; hn = hn->next) {
		struct watch *w = stored_container_of(hn, struct watch, hnode);

		if (hn->hash != h || strcmp(w->path, one))
			continue;
		if (w->conn->dead || !watch_permitted(w->conn, &ctx))
			continue;
		conn_queue_event(w->conn, one, w->token, true);
	}
}

/* Unlink and free one watch (accounting included). */
static void watch_free(struct watch *w)
{
	struct conn *conn = w->conn;
	struct store *s = conn->store;
	struct domain *d = domain_get(s, conn->domid);

	htab_remove(&s->watches, &w->hnode);
	domain_acc_memory(s, conn->domid, -(long long)watch_acc_bytes(w));
	if (d)
		d->nr_watches--;
	conn->nr_watches--;
	free(w->path);
	free(w->token);
	free(w);
}

void watch_conn_free_all(struct conn *conn)
{
	while (conn->watches) {
		struct watch *w = conn->watches;

		conn->watches = w->conn_next;
		watch_free(w);
	}
}

/* Parse "path\0token\0[depth\0]". */
static int watch_args(struct request *req, char *abs, const char **path_r, const char **token_r,
		      int *depth_r)
{
	const char *vec[3];
	unsigned int n = request_strings(req, vec, 3);
	size_t used = 0, i;
	int rc;

	for (i = 0; i < n; i++)
		used += strlen(vec[i]) + 1;
	if ((n != 2 && n != 3) || used != req->len)
		return EINVAL;
	*depth_r = -1;
	if (n == 3) {
		char *end = NULL;
		long d;

		errno = 0;
		d = strtol(vec[2], &end, 10);
		if (errno || *end || !vec[2][0] || d < 0 || d > 65535)
			return EINVAL;
		*depth_r = (int)d;
	}
	rc = node_canonicalize(req->conn->domid, vec[0], true, abs, STORED_PATH_BUF);
	if (rc)
		return rc;
	if (!req->conn->privileged) {
		long long max = domain_quota(req->conn->store, QUOTA_PATH_MAX);

		if (max > 0 && abs[0] != '@' && (long long)node_path_quota_len(abs) > max)
			return EINVAL;
	}
	*path_r = vec[0];
	*token_r = vec[1];
	return 0;
}

int do_watch(struct request *req)
{
	struct conn *conn = req->conn;
	struct store *s = conn->store;
	char abs[STORED_PATH_BUF];
	const char *path, *token;
	struct watch *w;
	struct domain *d;
	long long max = domain_quota(s, QUOTA_WATCHES);
	int depth, rc;

	rc = watch_args(req, abs, &path, &token, &depth);
	if (rc)
		return rc;
	for (w = conn->watches; w; w = w->conn_next)
		if (!strcmp(w->path, abs) && !strcmp(w->token, token))
			return EEXIST;
	d = domain_get_or_new(s, conn->domid);
	if (!d)
		return ENOMEM;
	/* Xen 4.17 answers E2BIG on the watch quota (ENOSPC since 4.22). */
	if (!conn->privileged && max > 0 && d->nr_watches >= max)
		return E2BIG;
	if (!conn->privileged) {
		rc = domain_memory_check(conn, sizeof(*w) + strlen(abs) + strlen(token) + 2);
		if (rc)
			return rc;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return ENOMEM;
	w->path = strdup(abs);
	w->token = strdup(token);
	if (!w->path || !w->token || htab_reserve(&s->watches, 1)) {
		free(w->path);
		free(w->token);
		free(w);
		return ENOMEM;
	}
	w->conn = conn;
	w->depth = depth;
	w->relative = path[0] != '/' && path[0] != '@';
	w->hnode.hash = htab_hash_bytes(0, abs, strlen(abs));
	htab_insert(&s->watches, &w->hnode);
	w->conn_next = conn->watches;
	conn->watches = w;
	conn->nr_watches++;
	d->nr_watches++;
	domain_acc_memory(s, conn->domid, watch_acc_bytes(w));
	rc = conn_reply_ok(req);
	if (rc)
		return rc;
	/* The first event fires at once, with the path as the caller gave it. */
	conn_queue_event(conn, w->relative ? path : abs, token, abs[0] == '@');
	return 0;
}

int do_unwatch(struct request *req)
{
	struct conn *conn = req->conn;
	char abs[STORED_PATH_BUF];
	const char *path, *token;
	struct watch **pp;
	int depth, rc;

	rc = watch_args(req, abs, &path, &token, &depth);
	if (rc)
		return rc;
	for (pp = &conn->watches; *pp; pp = &(*pp)->conn_next) {
		struct watch *w = *pp;

		if (!strcmp(w->path, abs) && !strcmp(w->token, token)) {
			*pp = w->conn_next;
			watch_free(w);
			return conn_reply_ok(req);
		}
	}
	return ENOENT;
}

int do_reset_watches(struct request *req)
{
	watch_conn_free_all(req->conn);
	/* RESET_WATCHES also ends every transaction (C xenstored), idempotently. */
	req->tx = NULL;
	transaction_conn_free_all(req->conn);
	return conn_reply_ok(req);
}
