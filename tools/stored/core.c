/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core.c: connections, message framing and dispatch.
 *
 * A connection reads what its socket has into a fixed buffer (two maximal
 * messages) and processes the whole messages in it; a header announcing more
 * than XENSTORE_PAYLOAD_MAX closes the connection before its payload is
 * even read. Messages left in the buffer while the connection may not be
 * read are resumed when that changes (replies drained, credit back), since
 * the socket itself may stay silent. The message is
 * dispatched through wire_ops[], indexed by message type, which says who
 * may send it and whether it takes part in a transaction; the handler's
 * errno becomes an ERROR reply carrying the xs_wire.h name.
 *
 * Output is a queue per connection, written as soon as possible and again
 * whenever the socket is writable. A connection stops being read (rather
 * than buffering without bound) while it has too many unread replies
 * (outstanding quota for domains, a fixed limit for privileged clients), or
 * while its domain is over its write rate. Watch events beyond the domain's
 * memory quota are dropped, an identical unsent event is not queued twice
 * (XSA-326), and events an unprivileged reader leaves unread for the
 * watch-event timeout are discarded.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "evloop.h"
#include "log.h"
#include "stored.h"

#define OP_PRIV 1u /* privileged connections only */
#define OP_NOTX 2u /* the header's tx_id is ignored */

struct wire_op {
	const char *name;
	int (*fn)(struct request *req);
	unsigned int flags;
};

static const struct wire_op wire_ops[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { "CONTROL", do_control, OP_PRIV },
	[XS_DIRECTORY] = { "DIRECTORY", do_directory, 0 },
	[XS_READ] = { "READ", do_read, 0 },
	[XS_GET_PERMS] = { "GET_PERMS", do_get_perms, 0 },
	[XS_WATCH] = { "WATCH", do_watch, OP_NOTX },
	[XS_UNWATCH] = { "UNWATCH", do_unwatch, OP_NOTX },
	[XS_TRANSACTION_START] = { "TRANSACTION_START", do_transaction_start, 0 },
	[XS_TRANSACTION_END] = { "TRANSACTION_END", do_transaction_end, 0 },
	[XS_INTRODUCE] = { "INTRODUCE", do_introduce, OP_PRIV },
	[XS_RELEASE] = { "RELEASE", do_release, OP_PRIV },
	[XS_GET_DOMAIN_PATH] = { "GET_DOMAIN_PATH", do_get_domain_path, 0 },
	[XS_WRITE] = { "WRITE", do_write, 0 },
	[XS_MKDIR] = { "MKDIR", do_mkdir, 0 },
	[XS_RM] = { "RM", do_rm, 0 },
	[XS_SET_PERMS] = { "SET_PERMS", do_set_perms, 0 },
	[XS_WATCH_EVENT] = { "WATCH_EVENT", NULL, 0 },
	[XS_ERROR] = { "ERROR", NULL, 0 },
	[XS_IS_DOMAIN_INTRODUCED] = { "IS_DOMAIN_INTRODUCED", do_is_domain_introduced, OP_PRIV },
	[XS_RESUME] = { "RESUME", do_resume, OP_PRIV },
	[XS_SET_TARGET] = { "SET_TARGET", do_set_target, OP_PRIV },
	[XS_RESET_WATCHES] = { "RESET_WATCHES", do_reset_watches, 0 },
	[XS_DIRECTORY_PART] = { "DIRECTORY_PART", do_directory_part, 0 },
};

/* Requests that read the tree (1) and that change it (2), for CONTROL requests. */
static const unsigned char wire_kind[XS_TYPE_COUNT] = {
	[XS_DIRECTORY] = 1, [XS_READ] = 1,  [XS_GET_PERMS] = 1, [XS_DIRECTORY_PART] = 1,
	[XS_WRITE] = 2,	    [XS_MKDIR] = 2, [XS_RM] = 2,	[XS_SET_PERMS] = 2,
};

/* The xs_wire.h names, in its order (new names only ever appended). */
static const struct {
	int err;
	const char *name;
} stored_errors[] = {
	{ EINVAL, "EINVAL" }, { EACCES, "EACCES" },   { EEXIST, "EEXIST" },
	{ EISDIR, "EISDIR" }, { ENOENT, "ENOENT" },   { ENOMEM, "ENOMEM" },
	{ ENOSPC, "ENOSPC" }, { EIO, "EIO" },	      { ENOTEMPTY, "ENOTEMPTY" },
	{ ENOSYS, "ENOSYS" }, { EROFS, "EROFS" },     { EBUSY, "EBUSY" },
	{ EAGAIN, "EAGAIN" }, { EISCONN, "EISCONN" }, { E2BIG, "E2BIG" },
	{ EPERM, "EPERM" },
};

const char *stored_errno_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(stored_errors) / sizeof(stored_errors[0]); i++)
		if (stored_errors[i].err == err)
			return stored_errors[i].name;
	return "EINVAL";
}

unsigned int request_strings(const struct request *req, const char **vec, unsigned int max)
{
	const char *p = req->payload, *end = req->payload + req->len;
	unsigned int n = 0;

	while (p < end && n < max) {
		const char *nul = memchr(p, '\0', end - p);

		if (!nul)
			break;
		vec[n++] = p;
		p = nul + 1;
	}
	return n;
}

const char *request_onearg(const struct request *req)
{
	if (!req->len || req->payload[req->len - 1] != '\0' || strlen(req->payload) + 1 != req->len)
		return NULL;
	return req->payload;
}

/* Take an event out of the duplicate index (it is being sent or dropped). */
static void conn_unindex(struct conn *conn, struct out_msg *m)
{
	if (m->indexed) {
		htab_remove(&conn->ev_index, &m->hnode);
		m->indexed = false;
	}
}

/* Free one output message and undo its accounting. */
static void conn_out_free(struct conn *conn, struct out_msg *m)
{
	struct domain *d = domain_get(conn->store, conn->domid);

	conn_unindex(conn, m);
	conn->nr_out--;
	conn->out_bytes -= m->len;
	if (m->is_event)
		conn->nr_out_events--;
	if (m->is_reply && d)
		d->nr_outstanding--;
	domain_acc_memory(conn->store, conn->domid, -(long long)(sizeof(*m) + m->len));
	free(m);
}

/* Put conn on the list flushed before the loop sleeps. */
static void conn_mark_dirty(struct conn *conn)
{
	if (conn->dirty || conn->dead)
		return;
	conn->dirty = true;
	conn->dirty_next = conn->store->dirty;
	conn->store->dirty = conn;
}

/* Append a message; 0 or ENOMEM. */
static int conn_queue(struct conn *conn, uint32_t type, uint32_t req_id, uint32_t tx_id,
		      const void *a, size_t alen, const void *b, size_t blen, bool is_event)
{
	struct out_msg *m;
	uint32_t hdr[4];
	size_t len = alen + blen;
	struct domain *d;

	if (conn->dead)
		return 0;
	m = malloc(sizeof(*m) + STORED_HDR_BYTES + len);
	if (!m)
		return ENOMEM;
	hdr[0] = type;
	hdr[1] = req_id;
	hdr[2] = tx_id;
	hdr[3] = len;
	memcpy(m->buf, hdr, sizeof(hdr));
	if (alen)
		memcpy(m->buf + STORED_HDR_BYTES, a, alen);
	if (blen)
		memcpy(m->buf + STORED_HDR_BYTES + alen, b, blen);
	m->next = NULL;
	m->len = STORED_HDR_BYTES + len;
	m->off = 0;
	m->is_event = is_event;
	m->is_reply = !is_event;
	m->indexed = false;
	m->queued_ms = evloop_now_ms();
	if (conn->out_tail)
		conn->out_tail->next = m;
	else
		conn->out_head = m;
	conn->out_tail = m;
	conn->nr_out++;
	conn->out_bytes += m->len;
	if (is_event)
		conn->nr_out_events++;
	d = domain_get_or_new(conn->store, conn->domid);
	if (m->is_reply && d)
		d->nr_outstanding++;
	domain_acc_memory(conn->store, conn->domid, sizeof(*m) + m->len);
	conn_mark_dirty(conn);
	return 0;
}

int conn_reply(const struct request *req, const void *data, size_t len)
{
	if (len > STORED_PAYLOAD_MAX) {
		const char *e = "E2BIG";

		return conn_queue(req->conn, XS_ERROR, req->req_id, req->tx_id, e, strlen(e) + 1,
				  NULL, 0, false);
	}
	return conn_queue(req->conn, req->type, req->req_id, req->tx_id, data, len, NULL, 0, false);
}

int conn_reply_ok(const struct request *req)
{
	return conn_reply(req, "OK", 3);
}

/* Send an error reply; if even that cannot be queued, the connection goes. */
static void conn_reply_error(const struct request *req, int err)
{
	const char *name = stored_errno_name(err);

	if (conn_queue(req->conn, XS_ERROR, req->req_id, req->tx_id, name, strlen(name) + 1, NULL,
		       0, false))
		conn_close(req->conn, "out of memory for an error reply");
}

bool conn_queue_event(struct conn *conn, const char *path, const char *token, bool special)
{
	struct store *s = conn->store;
	size_t plen = strlen(path) + 1, tlen = strlen(token) + 1;
	long long limit;
	struct out_msg *m;
	uint32_t h;

	if (conn->dead)
		return false;
	/* An event larger than the protocol allows is dropped (XSA-324). */
	if (plen + tlen > STORED_PAYLOAD_MAX)
		goto drop;
	/* The same event still queued and unsent: do not queue it again (XSA-326). */
	h = htab_hash_bytes(htab_hash_bytes(0, path, plen), token, tlen);
	if (!special) {
		struct htab_node *hn;

		for (hn = htab_chain(&conn->ev_index, h); hn; hn = hn->next) {
			m = stored_container_of(hn, struct out_msg, hnode);
			if (hn->hash != h || m->len != STORED_HDR_BYTES + plen + tlen)
				continue;
			if (!memcmp(m->buf + STORED_HDR_BYTES, path, plen) &&
			    !memcmp(m->buf + STORED_HDR_BYTES + plen, token, tlen))
				return true;
		}
	}
	if (conn->privileged) {
		limit = s->priv_out_limit * 64;
		if (conn->nr_out_events >= limit)
			goto drop;
	} else if (domain_memory_check(conn, sizeof(*m) + STORED_HDR_BYTES + plen + tlen)) {
		goto drop;
	}
	if (!special && htab_reserve(&conn->ev_index, 1))
		goto drop;
	if (conn_queue(conn, XS_WATCH_EVENT, 0, 0, path, plen, token, tlen, true))
		goto drop;
	if (!special) {
		m = conn->out_tail;
		m->hnode.hash = h;
		htab_insert(&conn->ev_index, &m->hnode);
		m->indexed = true;
	}
	s->stats.events_sent++;
	return true;
drop:
	s->stats.events_dropped++;
	log_debug("watch event %s dropped for connection %d (domain %u)", path, conn->fd,
		  conn->domid);
	return false;
}

void conn_expire_events(struct store *s, uint64_t now_ms, long timeout_ms)
{
	struct conn *conn;

	if (timeout_ms <= 0)
		return;
	for (conn = s->conns; conn; conn = conn->next) {
		struct out_msg **pp;

		if (conn->privileged || conn->dead || !conn->nr_out_events)
			continue;
		for (pp = &conn->out_head; *pp;) {
			struct out_msg *m = *pp;

			if (m->is_event && !m->off &&
			    now_ms - m->queued_ms >= (uint64_t)timeout_ms) {
				*pp = m->next;
				if (conn->out_tail == m) {
					struct out_msg *t = conn->out_head;

					while (t && t->next)
						t = t->next;
					conn->out_tail = t;
				}
				s->stats.events_dropped++;
				conn_out_free(conn, m);
				continue;
			}
			pp = &m->next;
		}
	}
}

static bool conn_has_message(const struct conn *conn);
static void conn_mark_pending(struct conn *conn);

/* Write what the socket takes. Returns false if the connection was closed. */
static bool conn_flush(struct conn *conn)
{
	while (conn->out_head) {
		struct out_msg *m = conn->out_head;
		ssize_t r = send(conn->fd, m->buf + m->off, m->len - m->off, MSG_NOSIGNAL);

		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			conn_close(conn, "write failed");
			return false;
		}
		m->off += r;
		conn_unindex(conn, m);
		if (m->off < m->len)
			break;
		conn->out_head = m->next;
		if (!conn->out_head)
			conn->out_tail = NULL;
		conn_out_free(conn, m);
	}
	conn_update_mask(conn);
	if (conn_has_message(conn) && domain_conn_may_read(conn))
		conn_mark_pending(conn);
	return true;
}

void conn_update_mask(struct conn *conn)
{
	unsigned int mask = 0;

	if (conn->dead)
		return;
	if (domain_conn_may_read(conn))
		mask |= EVLOOP_READ;
	if (conn->out_head)
		mask |= EVLOOP_WRITE;
	if (mask != conn->mask) {
		if (evloop_mod_fd(conn->store->loop, conn->fd, mask) == 0)
			conn->mask = mask;
	}
}

void conn_close(struct conn *conn, const char *why)
{
	struct store *s = conn->store;
	struct domain *d;
	struct conn **pp;

	if (conn->dead)
		return;
	log_debug("closing connection %d (domain %u): %s", conn->fd, conn->domid, why);
	conn->dead = true;
	evloop_del_fd(s->loop, conn->fd);
	close(conn->fd);
	conn->fd = -1;
	watch_conn_free_all(conn);
	transaction_conn_free_all(conn);
	while (conn->out_head) {
		struct out_msg *m = conn->out_head;

		conn->out_head = m->next;
		conn_out_free(conn, m);
	}
	conn->out_tail = NULL;
	htab_free(&conn->ev_index);
	d = domain_get(s, conn->domid);
	if (d) {
		for (pp = &d->conns; *pp; pp = &(*pp)->dom_next) {
			if (*pp == conn) {
				*pp = conn->dom_next;
				d->nr_conns--;
				break;
			}
		}
	}
	domain_acc_memory(s, conn->domid, -conn->acc_bytes);
	conn->acc_bytes = 0;
	/* Stays on s->conns (marked dead) until the reaper frees it. */
}

/* Process one complete message in conn's buffer. */
void core_process_message(struct conn *conn)
{
	struct store *s = conn->store;
	struct request req = { 0 };
	const struct wire_op *op = NULL;
	uint32_t hdr[4];
	int rc;

	memcpy(hdr, conn->hdr, sizeof(hdr));
	req.conn = conn;
	req.type = hdr[0];
	req.req_id = hdr[1];
	req.tx_id = hdr[2];
	req.len = hdr[3];
	req.payload = (const char *)conn->payload;
	conn->payload[req.len] = '\0';
	s->stats.requests++;

	if (req.type < XS_TYPE_COUNT) {
		op = &wire_ops[req.type];
		conn->nr_reads += wire_kind[req.type] == 1;
		conn->nr_writes += wire_kind[req.type] == 2;
	}
	if (!op || !op->fn) {
		rc = ENOSYS;
		goto out;
	}
	if ((op->flags & OP_PRIV) && !conn->privileged) {
		rc = EACCES;
		goto out;
	}
	if (!(op->flags & OP_NOTX) && req.tx_id) {
		req.tx = transaction_find(conn, req.tx_id);
		if (!req.tx) {
			rc = ENOENT;
			goto out;
		}
	}
	rc = op->fn(&req);
out:
	if (rc)
		conn_reply_error(&req, rc);
#ifdef XMEM_DEBUG
	if (store_check(s, NULL, 0))
		fatalx("store inconsistent after %s", op && op->name ? op->name : "request");
#endif
}

static bool conn_process_input(struct conn *conn);

/* Process the buffered messages of pending connections (a 0-ms timer). */
static long conn_pending_cb(struct evloop *loop, long long id, void *arg)
{
	struct store *s = arg;
	struct conn *list = s->pending;

	s->pending = NULL;
	s->pending_timer = 0;
	while (list) {
		struct conn *conn = list;

		list = conn->pending_next;
		conn->pending = false;
		conn->pending_next = NULL;
		if (!conn->dead && conn_process_input(conn))
			conn_flush(conn);
	}
	return EVLOOP_NOMORE;
}

/* Have conn's buffered messages processed soon (the socket may stay silent). */
static void conn_mark_pending(struct conn *conn)
{
	struct store *s = conn->store;

	if (conn->pending || conn->dead)
		return;
	conn->pending = true;
	conn->pending_next = s->pending;
	s->pending = conn;
	if (!s->pending_timer) {
		long long id = evloop_add_timer(s->loop, 0, conn_pending_cb, s);

		s->pending_timer = id > 0 ? id : 0;
	}
}

/* Whether a whole message waits in conn's buffer. */
static bool conn_has_message(const struct conn *conn)
{
	uint32_t avail = conn->in_len - conn->in_off, len;

	if (avail < STORED_HDR_BYTES)
		return false;
	memcpy(&len, conn->inbuf + conn->in_off + 12, sizeof(len));
	return len > STORED_PAYLOAD_MAX || avail >= STORED_HDR_BYTES + len;
}

/*
 * Process the whole messages in conn's buffer while the connection may be
 * read (bounded per call for fairness). Returns false if it was closed.
 */
static bool conn_process_input(struct conn *conn)
{
	int budget = 64;

	while (!conn->dead && conn_has_message(conn)) {
		unsigned char *p = conn->inbuf + conn->in_off;
		uint32_t len;

		memcpy(&len, p + 12, sizeof(len));
		if (len > STORED_PAYLOAD_MAX) {
			log_warnx("connection %d (domain %u) tried to feed us %u", conn->fd,
				  conn->domid, len);
			conn->store->stats.conns_closed_proto++;
			conn_close(conn, "oversized message");
			return false;
		}
		if (!domain_conn_may_read(conn))
			break; /* resumed when replies drain or credit returns */
		if (budget-- <= 0) {
			conn_mark_pending(conn);
			break;
		}
		memcpy(conn->hdr, p, STORED_HDR_BYTES);
		memcpy(conn->payload, p + STORED_HDR_BYTES, len);
		conn->in_off += STORED_HDR_BYTES + len;
		core_process_message(conn);
	}
	if (conn->dead)
		return false;
	if (conn->in_off == conn->in_len)
		conn->in_off = conn->in_len = 0;
	return true;
}

/* Read what the socket has (into the buffer), then process the whole messages. */
static void conn_read_cb(struct evloop *loop, int fd, unsigned int events, void *arg)
{
	struct conn *conn = arg;
	ssize_t r;

	if (events & EVLOOP_WRITE) {
		if (!conn_flush(conn))
			return;
	}
	if (!(events & EVLOOP_READ) || conn->dead)
		return;
	if (conn->in_off) {
		memmove(conn->inbuf, conn->inbuf + conn->in_off, conn->in_len - conn->in_off);
		conn->in_len -= conn->in_off;
		conn->in_off = 0;
	}
	if (conn->in_len < STORED_INBUF_BYTES && domain_conn_may_read(conn)) {
		r = recv(fd, conn->inbuf + conn->in_len, STORED_INBUF_BYTES - conn->in_len, 0);
		if (r == 0) {
			conn_close(conn, "peer closed");
			return;
		}
		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				conn_close(conn, "read failed");
				return;
			}
		} else {
			conn->in_len += r;
		}
	}
	if (conn_process_input(conn))
		conn_flush(conn);
}

int conn_new(struct store *s, int fd, unsigned int domid, bool privileged, struct conn **conn_r)
{
	struct ucred cred = { 0 };
	socklen_t cred_len = sizeof(cred);
	struct conn *conn;
	struct domain *d;

	d = domain_get_or_new(s, domid);
	conn = calloc(1, sizeof(*conn) + STORED_PAYLOAD_MAX + 1 + STORED_INBUF_BYTES);
	if (!conn || !d) {
		free(conn);
		return ENOMEM;
	}
	conn->payload = (unsigned char *)(conn + 1);
	conn->inbuf = conn->payload + STORED_PAYLOAD_MAX + 1;
	conn->store = s;
	conn->fd = fd;
	conn->domid = domid;
	conn->privileged = privileged;
	conn->next_tx_id = 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) == 0)
		conn->peer_pid = cred.pid;
	if (evloop_add_fd(s->loop, fd, EVLOOP_READ, conn_read_cb, conn)) {
		free(conn);
		return ENOMEM;
	}
	conn->mask = EVLOOP_READ;
	conn->next = s->conns;
	s->conns = conn;
	conn->dom_next = d->conns;
	d->conns = conn;
	d->nr_conns++;
	log_debug("new connection %d (domain %u%s)", fd, domid, privileged ? ", privileged" : "");
	if (conn_r)
		*conn_r = conn;
	return 0;
}

/* Before every wait: flush output queued during this batch, free closed connections. */
void core_before_sleep(struct store *s)
{
	struct conn **pp;

	while (s->dirty) {
		struct conn *conn = s->dirty;

		s->dirty = conn->dirty_next;
		conn->dirty = false;
		conn->dirty_next = NULL;
		if (!conn->dead)
			conn_flush(conn);
	}
	for (pp = &s->conns; *pp;) {
		struct conn *conn = *pp;

		if (conn->dead && !conn->dirty && !conn->pending) {
			*pp = conn->next;
			free(conn);
			continue;
		}
		pp = &conn->next;
	}
}

/* Periodic: expire old events, let stalled connections read again. */
void core_tick(struct store *s)
{
	struct conn *conn;

	conn_expire_events(s, evloop_now_ms(), (long)s->quota[QUOTA_WATCH_EVENT_S] * 1000);
	for (conn = s->conns; conn; conn = conn->next) {
		if (conn->dead)
			continue;
		conn_update_mask(conn);
		if (conn_has_message(conn) && domain_conn_may_read(conn))
			conn_mark_pending(conn);
	}
}

int store_init(struct store *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->listener.fd = -1;
	s->priv_out_limit = 1024;
	for (i = 0; i < QUOTA_MAX; i++)
		s->quota[i] = quota_descs[i].def;
	s->special_introduce = perms_simple(0, XS_PERM_NONE);
	s->special_release = perms_simple(0, XS_PERM_NONE);
	s->root = node_alloc("", 0, NULL, 0, NULL);
	if (!s->special_introduce || !s->special_release || !s->root)
		goto fail;
	s->root->perms = perms_simple(0, XS_PERM_NONE);
	s->root->gen = ++s->gen; /* 0 means "absent" to transactions */
	s->root->child_gen = s->gen;
	if (!s->root->perms || domain_init(s) || htab_reserve(&s->nodes, 2))
		goto fail;
	{
		struct node *tool = node_alloc("tool", 4, NULL, 0, s->root->perms);
		struct node *xsd = node_alloc("xenstored", 9, NULL, 0, s->root->perms);

		if (!tool || !xsd) {
			node_free(tool);
			node_free(xsd);
			goto fail;
		}
		node_link(s, s->root, tool);
		node_link(s, tool, xsd);
	}
	return 0;
fail:
	store_free(s);
	return ENOMEM;
}

void store_free(struct store *s)
{
	struct conn *conn;

	for (conn = s->conns; conn; conn = conn->next)
		conn_close(conn, "store freed");
	while (s->pending) {
		conn = s->pending;
		s->pending = conn->pending_next;
		conn->pending = false;
	}
	if (s->pending_timer)
		evloop_del_timer(s->loop, s->pending_timer);
	s->pending_timer = 0;
	core_before_sleep(s);
	if (s->root) {
		while (s->root->first_child) {
			char path[STORED_PATH_BUF];
			struct node *c = s->root->first_child;

			snprintf(path, sizeof(path), "/%s", c->name);
			node_remove_subtree(s, c, path, NULL, NULL);
		}
		node_free(s->root);
		s->root = NULL;
	}
	htab_free(&s->nodes);
	htab_free(&s->watches);
	perms_put(s->special_introduce);
	perms_put(s->special_release);
	s->special_introduce = s->special_release = NULL;
	domain_shutdown(s);
}
