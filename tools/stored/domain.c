/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain.c: domains, their sockets, accounting and quotas.
 *
 * Without a hypervisor a domain's ring is a Unix socket: INTRODUCE(domid)
 * opens <rundir>/domain/<domid>/socket, and every connection accepted there
 * speaks as that domain, unprivileged, exactly as its ring would. RELEASE
 * closes those connections and the socket, deletes every node the domain
 * owned (XSA-419; --keep-orphans hands them to dom0 instead), removes its
 * entries from every ACL, special nodes included (XSA-322), resets its
 * counters (XSA-483) and fires @releaseDomain.
 *
 * Accounting is kept for every domid that owns something or speaks: nodes
 * owned, memory (nodes, watches, transactions and queued output), watches,
 * transactions, outstanding replies. Quotas apply to unprivileged
 * connections only; their defaults are C xenstored's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "evloop.h"
#include "log.h"
#include "access.h"
#include "stored.h"

const struct quota_desc quota_descs[QUOTA_MAX] = {
	[QUOTA_NODES] = { "nodes", "nodes owned by a domain", 1000 },
	[QUOTA_WATCHES] = { "watches", "watches of a domain", 128 },
	[QUOTA_OUTSTANDING] = { "outstanding", "replies a domain has not read yet", 20 },
	[QUOTA_MEMORY] = { "memory", "bytes a domain may use (hard)", 2621440 },
	[QUOTA_MEMORY_SOFT] = { "memory-soft", "bytes before a warning is logged", 2097152 },
	[QUOTA_TRANSACTIONS] = { "transactions", "open transactions of a domain", 10 },
	[QUOTA_TRANSACTION_NODES] = { "transaction-nodes", "nodes one transaction touches", 1024 },
	[QUOTA_NODE_PERMS] = { "node-permissions", "entries in a node's ACL", 5 },
	[QUOTA_PATH_MAX] = { "path-max", "length of a path (domain-relative part)", 2048 },
	[QUOTA_NODE_SIZE] = { "node-size", "bytes of a node (header, ACL, value, children)", 2048 },
	[QUOTA_WATCH_EVENT_S] = { "watch-event", "seconds an unread event is kept", 20 },
	[QUOTA_WRL_RATE] = { "write-rate", "writes per second a domain may sustain", 200 },
	[QUOTA_WRL_BURST] = { "write-burst", "writes a domain may burst", 10 },
	[QUOTA_CONNECTIONS] = { "connections", "connections a domain may hold open", 16 },
};

long long domain_quota(const struct store *s, enum quota_idx q)
{
	return s->quota[q];
}

struct domain *domain_get(struct store *s, unsigned int domid)
{
	if (domid >= STORED_NR_DOMIDS)
		return NULL;
	return s->domains[domid];
}

struct domain *domain_get_or_new(struct store *s, unsigned int domid)
{
	struct domain *d;

	if (domid >= STORED_NR_DOMIDS)
		return NULL;
	d = s->domains[domid];
	if (d)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->domid = domid;
	d->store = s;
	d->target = UINT32_MAX;
	d->listener.fd = -1;
	d->wrl_credit_milli = s->quota[QUOTA_WRL_BURST] * 1000;
	d->wrl_stamp_ms = evloop_now_ms();
	s->domains[domid] = d;
	if (domid >= s->domid_limit)
		s->domid_limit = domid + 1;
	return d;
}

void domain_acc_nodes(struct store *s, unsigned int domid, long long nodes, long long bytes)
{
	struct domain *d = domain_get_or_new(s, domid);

	if (!d) {
		s->check_failures++;
		return;
	}
	d->nr_nodes += nodes;
	d->memory_bytes += bytes;
}

void domain_acc_memory(struct store *s, unsigned int domid, long long bytes)
{
	domain_acc_nodes(s, domid, 0, bytes);
}

int domain_memory_check(struct conn *conn, long long bytes)
{
	struct store *s = conn->store;
	struct domain *d = domain_get(s, conn->domid);
	long long hard = s->quota[QUOTA_MEMORY], soft = s->quota[QUOTA_MEMORY_SOFT];
	long long have = d ? d->memory_bytes : 0;
	uint64_t now;

	if (conn->privileged)
		return 0;
	if (hard > 0 && have + bytes > hard) {
		log_debug("domain %u exceeds hard memory quota", conn->domid);
		return ENOMEM;
	}
	if (d && soft > 0 && have + bytes > soft) {
		now = evloop_now_ms();
		if (!d->soft_warned_ms || now - d->soft_warned_ms > 120000) {
			log_warnx("domain %u exceeds soft memory quota (%lld bytes)", conn->domid,
				  have + bytes);
			d->soft_warned_ms = now;
		}
	}
	return 0;
}

/* Refill d's write credit for the time passed. */
static void domain_wrl_refill(struct store *s, struct domain *d)
{
	uint64_t now = evloop_now_ms();
	long long burst = s->quota[QUOTA_WRL_BURST] * 1000;

	d->wrl_credit_milli += (long long)(now - d->wrl_stamp_ms) * s->quota[QUOTA_WRL_RATE];
	if (d->wrl_credit_milli > burst)
		d->wrl_credit_milli = burst;
	d->wrl_stamp_ms = now;
}

void domain_wrl_charge(struct conn *conn)
{
	struct store *s = conn->store;
	struct domain *d;

	if (conn->privileged || s->quota[QUOTA_WRL_RATE] <= 0)
		return;
	d = domain_get(s, conn->domid);
	if (!d)
		return;
	domain_wrl_refill(s, d);
	d->wrl_credit_milli -= 1000;
	if (d->wrl_credit_milli < 0)
		log_debug("write rate limit: domain %u paused", d->domid);
}

bool domain_conn_may_read(struct conn *conn)
{
	struct store *s = conn->store;
	struct domain *d;
	long long max;

	if (conn->dead)
		return false;
	if (conn->privileged)
		return conn->nr_out - conn->nr_out_events < (unsigned long long)s->priv_out_limit;
	d = domain_get(s, conn->domid);
	if (!d)
		return true;
	max = s->quota[QUOTA_OUTSTANDING];
	if (max > 0 && d->nr_outstanding >= max)
		return false;
	if (s->quota[QUOTA_WRL_RATE] > 0 && d->wrl_credit_milli < 0) {
		domain_wrl_refill(s, d);
		if (d->wrl_credit_milli < 0)
			return false;
	}
	return true;
}

/* Parse a decimal domid ("0".."65535"); 0 or EINVAL. */
static int domain_parse_id(const char *str, unsigned int *domid_r)
{
	unsigned long v = 0;
	const char *p;

	if (!str || !*str)
		return EINVAL;
	for (p = str; *p; p++) {
		if (*p < '0' || *p > '9')
			return EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v >= STORED_NR_DOMIDS)
			return EINVAL;
	}
	*domid_r = v;
	return 0;
}

/* Create <rundir>/domain/<domid>/socket and listen on it. 0 or an errno. */
static int domain_open_socket(struct store *s, struct domain *d)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[4096];
	int fd = -1, rc;

	snprintf(dir, sizeof(dir), "%s/domain", s->rundir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return errno;
	snprintf(dir, sizeof(dir), "%s/domain/%u", s->rundir, d->domid);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return errno;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/socket", dir) >=
	    (int)sizeof(sun.sun_path))
		return ENAMETOOLONG;
	unlink(sun.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 64) < 0) {
		rc = errno;
		close(fd);
		return rc;
	}
	d->sock_path = strdup(sun.sun_path);
	if (!d->sock_path || listener_open(s, &d->listener, fd, d->domid, d->domid == 0)) {
		unlink(sun.sun_path);
		free(d->sock_path);
		d->sock_path = NULL;
		close(fd);
		return ENOMEM;
	}
	return 0;
}

/* Close a domain's socket and remove its files. */
static void domain_close_socket(struct store *s, struct domain *d)
{
	char dir[4096];

	listener_close(&d->listener);
	if (d->sock_path) {
		unlink(d->sock_path);
		free(d->sock_path);
		d->sock_path = NULL;
		snprintf(dir, sizeof(dir), "%s/domain/%u", s->rundir, d->domid);
		rmdir(dir);
	}
}

int do_introduce(struct request *req)
{
	struct store *s = req->conn->store;
	const char *vec[3];
	unsigned int domid;
	unsigned long port;
	char *end = NULL;
	struct domain *d;
	int rc;

	if (request_strings(req, vec, 3) != 3)
		return EINVAL;
	rc = domain_parse_id(vec[0], &domid);
	if (rc)
		return rc;
	if (domid >= STORED_DOMID_FIRST_RESERVED)
		return EINVAL;
	errno = 0;
	(void)strtoull(vec[1], &end, 0);
	if (errno || *end || !vec[1][0])
		return EINVAL;
	errno = 0;
	port = strtoul(vec[2], &end, 0);
	if (errno || *end || !vec[2][0] || port == 0 || port > UINT32_MAX)
		return EINVAL;
	d = domain_get_or_new(s, domid);
	if (!d)
		return ENOMEM;
	if (!d->introduced) {
		rc = domain_open_socket(s, d);
		if (rc) {
			log_warnx("domain %u: cannot open its socket: %s", domid, strerror(rc));
			return rc == ENOMEM ? ENOMEM : EIO;
		}
		d->introduced = true;
		d->released_pending = true;
		d->wrl_credit_milli = s->quota[QUOTA_WRL_BURST] * 1000;
		d->wrl_stamp_ms = evloop_now_ms();
		log_info("domain %u introduced", domid);
		if (domid != 0)
			watch_fire_special(s, STORED_SPECIAL_INTRODUCE, domid);
	}
	return conn_reply_ok(req);
}

/* Collects the nodes owned by a domain (never one inside another). */
struct domain_owned {
	unsigned int domid;
	struct node **v;
	size_t nr, cap;
	bool nomem;
};

static bool domain_owned_cb(struct store *s, struct node *n, void *arg)
{
	struct domain_owned *o = arg;

	if (n == s->root || perms_owner(n->perms) != o->domid)
		return true;
	if (o->nr == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		struct node **v = realloc(o->v, cap * sizeof(*v));

		if (!v) {
			o->nomem = true;
			return false;
		}
		o->v = v;
		o->cap = cap;
	}
	o->v[o->nr++] = n;
	return false; /* its subtree goes with it */
}

/* Remove domid from every ACL (owner entries were dealt with before). */
static bool domain_scrub_cb(struct store *s, struct node *n, void *arg)
{
	unsigned int domid = *(unsigned int *)arg;
	struct perm_list *p;

	if (!perms_mentions(n->perms, domid) || perms_owner(n->perms) == domid)
		return true;
	p = perms_without(n->perms, domid);
	if (!p) {
		s->check_failures++;
		return true;
	}
	node_set_perms(s, n, p);
	perms_put(p);
	return true;
}

int domain_release(struct store *s, unsigned int domid, bool fire)
{
	struct domain_owned o = { .domid = domid };
	struct perm_list *p;
	struct domain *d = domain_get(s, domid);
	char path[STORED_PATH_BUF];
	size_t i;
	unsigned int t;

	if (!d)
		return ENOENT;
	while (d->conns)
		conn_close(d->conns, "domain released");
	domain_close_socket(s, d);
	d->introduced = false;
	/* Nodes it owned: deleted (or given to dom0 with --keep-orphans). */
	node_walk(s, s->root, domain_owned_cb, &o);
	for (i = 0; i < o.nr; i++) {
		struct node *n = o.v[i];
		struct perm_list *perms = NULL;

		if (s->keep_orphans) {
			perms = perms_with_owner(n->perms, 0);
			if (perms)
				node_set_perms(s, n, perms);
			perms_put(perms);
			continue;
		}
		node_path(n, path, sizeof(path));
		perms = perms_get(n->perms);
		node_remove_subtree(s, n, path, access_rm_fire_cb, n);
		access_fire(s, path, perms, NULL);
		perms_put(perms);
	}
	free(o.v);
	node_walk(s, s->root, domain_scrub_cb, &domid);
	if (perms_mentions(s->special_introduce, domid) &&
	    (p = perms_without(s->special_introduce, domid))) {
		perms_put(s->special_introduce);
		s->special_introduce = p;
	}
	if (perms_mentions(s->special_release, domid) &&
	    (p = perms_without(s->special_release, domid))) {
		perms_put(s->special_release);
		s->special_release = p;
	}
	/* Nobody acts for it any more. */
	for (t = 0; t < s->domid_limit; t++)
		if (s->domains[t] && s->domains[t]->target == domid)
			s->domains[t]->target = UINT32_MAX;
	d->target = UINT32_MAX;
	if (fire && d->released_pending)
		watch_fire_special(s, STORED_SPECIAL_RELEASE, domid);
	d->released_pending = false;
	d->wrl_credit_milli = s->quota[QUOTA_WRL_BURST] * 1000;
	d->conns_refused = 0;
	d->refuse_logged_ms = 0;
	log_info("domain %u released", domid);
	return 0;
}

/*
 * The introduced domain named by a RELEASE or RESUME request: EINVAL for a
 * bad domid or the privileged domain, ENOENT for a domain not introduced.
 */
static int domain_req_introduced(struct request *req, struct domain **d_r)
{
	unsigned int domid;
	struct domain *d;
	int rc;

	rc = domain_parse_id(request_onearg(req), &domid);
	if (rc)
		return rc;
	if (domid == 0)
		return EINVAL;
	d = domain_get(req->conn->store, domid);
	if (!d || !d->introduced)
		return ENOENT;
	*d_r = d;
	return 0;
}

int do_release(struct request *req)
{
	struct domain *d = NULL;
	int rc;

	rc = domain_req_introduced(req, &d);
	if (rc)
		return rc;
	rc = domain_release(req->conn->store, d->domid, true);
	if (rc)
		return rc;
	return conn_reply_ok(req);
}

int do_resume(struct request *req)
{
	struct domain *d = NULL;
	int rc;

	rc = domain_req_introduced(req, &d);
	if (rc)
		return rc;
	d->released_pending = true;
	return conn_reply_ok(req);
}

int do_get_domain_path(struct request *req)
{
	const char *arg = request_onearg(req);
	unsigned int domid;
	char buf[64];
	int rc, n;

	rc = domain_parse_id(arg, &domid);
	if (rc)
		return rc;
	n = snprintf(buf, sizeof(buf), "%s/%u", STORED_LOCAL_DOMAIN, domid);
	return conn_reply(req, buf, n + 1);
}

int do_is_domain_introduced(struct request *req)
{
	struct store *s = req->conn->store;
	const char *arg = request_onearg(req);
	unsigned int domid;
	struct domain *d;
	int rc;

	rc = domain_parse_id(arg, &domid);
	if (rc)
		return rc;
	d = domain_get(s, domid);
	return conn_reply(req, (domid == 0 || (d && d->introduced)) ? "T" : "F", 2);
}

int do_set_target(struct request *req)
{
	struct store *s = req->conn->store;
	const char *vec[2];
	unsigned int domid, tdomid;
	struct domain *d, *td;
	int rc;

	if (request_strings(req, vec, 2) != 2)
		return EINVAL;
	rc = domain_parse_id(vec[0], &domid);
	if (!rc)
		rc = domain_parse_id(vec[1], &tdomid);
	if (rc)
		return rc;
	d = domain_get(s, domid);
	td = domain_get(s, tdomid);
	if (!d || !d->introduced || !td || !td->introduced)
		return ENOENT;
	d->target = tdomid;
	return conn_reply_ok(req);
}

int domain_init(struct store *s)
{
	return domain_get_or_new(s, 0) ? 0 : ENOMEM;
}

void domain_shutdown(struct store *s)
{
	unsigned int i;

	for (i = 0; i < s->domid_limit; i++) {
		struct domain *d = s->domains[i];

		if (!d)
			continue;
		while (d->conns)
			conn_close(d->conns, "shutting down");
		domain_close_socket(s, d);
		free(d);
		s->domains[i] = NULL;
	}
}
