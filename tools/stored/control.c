/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * control.c: the CONTROL message (xenstore-control), privileged only.
 *
 * Commands are a table {name, handler, usage}, as C xenstored's:
 *   check                    tree and accounting consistency (EIO if broken)
 *   memreport [json]         nodes, memory and counters per domain
 *   log [on|off|debug]       verbosity
 *   quota [<domid>]          quotas in force, or a domain's usage
 *   quota set <name> <val>   change a quota (0 disables it)
 *   quota-soft [set <val>]   the soft memory quota
 *   requests [<pid>]         reads and writes served per connection (or one pid's)
 *   help                     this list
 *
 * store_check() recomputes everything the daemon keeps incrementally (the
 * tree's links and counts, the hash table, every domain's nodes, memory,
 * watches, transactions and outstanding replies) with iterative walks, and
 * compares.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "stored.h"

/* A growing text reply. */
struct ctl_buf {
	char *buf;
	size_t len;
	size_t cap;
	bool nomem;
};

static void ctl_printf(struct ctl_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ctl_printf(struct ctl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!b || b->nomem)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->buf ? b->buf + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->nomem = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += n;
			return;
		}
		{
			size_t cap = b->cap ? b->cap * 2 : 1024;
			char *nb;

			while (cap < b->len + n + 1)
				cap *= 2;
			nb = realloc(b->buf, cap);
			if (!nb) {
				b->nomem = true;
				return;
			}
			b->buf = nb;
			b->cap = cap;
		}
	}
}

struct check_state {
	unsigned long long nodes;
	struct ctl_buf *out;
	int errors;
};

/* The scratch figures of domid (an error if it has no account). */
static struct check_acc *check_acc_of(struct store *s, struct check_state *st, unsigned int domid)
{
	struct domain *d = domain_get(s, domid);

	if (d)
		return &d->chk;
	ctl_printf(st->out, "domain %u: in use but not accounted\n", domid);
	st->errors++;
	return NULL;
}

static bool check_node_cb(struct store *s, struct node *n, void *arg)
{
	struct check_state *st = arg;
	struct check_acc *a;
	unsigned int nr = 0, bytes = 0;
	struct node *c;

	if (!n->perms || n->perms->nr == 0 || !n->perms->refs) {
		ctl_printf(st->out, "node %s: no permissions\n", n->name);
		st->errors++;
		return true;
	}
	if (n != s->root) {
		st->nodes++;
		if (node_child(s, n->parent, n->name, n->name_len) != n) {
			ctl_printf(st->out, "node %s: not found through its parent\n", n->name);
			st->errors++;
		}
		a = check_acc_of(s, st, perms_owner(n->perms));
		if (a) {
			a->nodes++;
			a->memory += node_acc_bytes(n);
		}
	}
	c = n->first_child;
	if (c) {
		do {
			if (c->parent != n || c->next->prev != c) {
				ctl_printf(st->out, "node %s: broken child links\n", n->name);
				st->errors++;
				break;
			}
			nr++;
			bytes += c->name_len + 1;
			c = c->next;
		} while (c != n->first_child && nr <= n->nr_children);
	}
	if (nr != n->nr_children || bytes != n->children_bytes) {
		ctl_printf(st->out, "node %s: %u children counted, %u recorded\n", n->name, nr,
			   n->nr_children);
		st->errors++;
	}
	return true;
}

int store_check(struct store *s, char *buf, size_t len)
{
	struct check_state st = { 0 };
	struct ctl_buf out = { 0 };
	struct conn *conn;
	unsigned int i;
	int rc;

	for (i = 0; i < s->domid_limit; i++)
		if (s->domains[i])
			memset(&s->domains[i]->chk, 0, sizeof(s->domains[i]->chk));
	st.out = buf ? &out : NULL;
	node_walk(s, s->root, check_node_cb, &st);
	if (st.nodes != s->nr_nodes || s->nodes.count != s->nr_nodes) {
		ctl_printf(st.out, "node count: walked %llu, recorded %llu, hashed %zu\n", st.nodes,
			   s->nr_nodes, s->nodes.count);
		st.errors++;
	}
	for (conn = s->conns; conn; conn = conn->next) {
		struct check_acc *a;
		struct transaction *t;
		struct watch *w;
		struct out_msg *m;

		if (conn->dead)
			continue;
		a = check_acc_of(s, &st, conn->domid);
		if (!a)
			continue;
		a->conns++;
		a->memory += conn->acc_bytes;
		for (w = conn->watches; w; w = w->conn_next) {
			a->watches++;
			a->memory += watch_acc_bytes(w);
		}
		for (t = conn->transactions; t; t = t->next) {
			a->transactions++;
			a->memory += (long long)sizeof(*t) + t->acc_bytes;
		}
		for (m = conn->out_head; m; m = m->next) {
			a->memory += (long long)sizeof(*m) + m->len;
			a->outstanding += m->is_reply;
		}
	}
	for (i = 0; i < s->domid_limit; i++) {
		struct domain *d = s->domains[i];
		struct check_acc *a;

		if (!d)
			continue;
		a = &d->chk;
		if (d->nr_nodes != a->nodes || d->memory_bytes != a->memory ||
		    d->nr_watches != a->watches || d->nr_transactions != a->transactions ||
		    d->nr_outstanding != a->outstanding || d->nr_conns != a->conns) {
			ctl_printf(st.out,
				   "domain %u: recorded nodes %lld memory %lld watches %lld "
				   "transactions %lld outstanding %lld; counted %lld %lld %lld "
				   "%lld %lld\n",
				   i, d->nr_nodes, d->memory_bytes, d->nr_watches,
				   d->nr_transactions, d->nr_outstanding, a->nodes, a->memory,
				   a->watches, a->transactions, a->outstanding);
			st.errors++;
		}
	}
	if (s->check_failures) {
		ctl_printf(st.out, "%llu accounting updates failed\n",
			   (unsigned long long)s->check_failures);
		st.errors++;
	}
	rc = st.errors ? EIO : 0;
	if (buf && len) {
		snprintf(buf, len, "%s", out.buf ? out.buf : "");
	}
	free(out.buf);
	return rc;
}

/* Command handlers: argc/argv after the command name; text into out. 0 or errno. */
typedef int ctl_fn(struct store *s, int argc, const char **argv, struct ctl_buf *out);

static int ctl_check(struct store *s, int argc, const char **argv, struct ctl_buf *out)
{
	char report[3000];
	int rc;

	rc = store_check(s, report, sizeof(report));
	if (rc) {
		log_warnx("CONTROL check: store inconsistent:\n%s", report);
		return rc;
	}
	ctl_printf(out, "OK\n");
	return 0;
}

static int ctl_memreport_json(struct store *s, struct ctl_buf *out)
{
	struct json_out *j = NULL;
	const char *text = NULL;
	size_t tlen = 0;
	unsigned int i;
	int rc;

	j = json_out_new(0);
	if (!j)
		return ENOMEM;
	json_out_obj_open(j);
	json_out_kv_u64(j, "nodes", s->nr_nodes);
	json_out_kv_u64(j, "watches", s->watches.count);
	json_out_kv_u64(j, "requests", s->stats.requests);
	json_out_kv_u64(j, "events_sent", s->stats.events_sent);
	json_out_kv_u64(j, "events_dropped", s->stats.events_dropped);
	json_out_kv_u64(j, "tx_commits", s->stats.tx_commits);
	json_out_kv_u64(j, "tx_conflicts", s->stats.tx_conflicts);
	json_out_key(j, "domains");
	json_out_arr_open(j);
	for (i = 0; i < s->domid_limit; i++) {
		struct domain *d = s->domains[i];

		if (!d)
			continue;
		json_out_obj_open(j);
		json_out_kv_u64(j, "domid", i);
		json_out_kv_bool(j, "introduced", d->introduced);
		json_out_kv_i64(j, "nodes", d->nr_nodes);
		json_out_kv_i64(j, "memory_bytes", d->memory_bytes);
		json_out_kv_i64(j, "watches", d->nr_watches);
		json_out_kv_i64(j, "transactions", d->nr_transactions);
		json_out_kv_i64(j, "outstanding", d->nr_outstanding);
		json_out_obj_close(j);
	}
	json_out_arr_close(j);
	json_out_obj_close(j);
	rc = json_out_finish(j, &text, &tlen);
	if (!rc)
		ctl_printf(out, "%.*s\n", (int)tlen, text);
	json_out_free(j);
	return rc ? ENOMEM : 0;
}

static int ctl_memreport(struct store *s, int argc, const char **argv, struct ctl_buf *out)
{
	unsigned int i;

	if (argc >= 1 && !strcmp(argv[0], "json"))
		return ctl_memreport_json(s, out);
	if (argc)
		return EINVAL;
	ctl_printf(out, "nodes %llu, watches %zu, requests %llu\n", s->nr_nodes, s->watches.count,
		   s->stats.requests);
	ctl_printf(out, "events sent %llu, dropped %llu; commits %llu, conflicts %llu\n",
		   s->stats.events_sent, s->stats.events_dropped, s->stats.tx_commits,
		   s->stats.tx_conflicts);
	ctl_printf(out, "%6s %5s %9s %12s %8s %5s %5s\n", "domid", "intro", "nodes", "memory",
		   "watches", "txs", "outst");
	for (i = 0; i < s->domid_limit; i++) {
		struct domain *d = s->domains[i];

		if (!d)
			continue;
		ctl_printf(out, "%6u %5s %9lld %12lld %8lld %5lld %5lld\n", i,
			   d->introduced ? "yes" : "no", d->nr_nodes, d->memory_bytes,
			   d->nr_watches, d->nr_transactions, d->nr_outstanding);
	}
	return 0;
}

static int ctl_log(struct store *s, int argc, const char **argv, struct ctl_buf *out)
{
	if (argc == 0) {
		ctl_printf(out, "verbosity %d\n", log_getverbose());
		return 0;
	}
	if (argc != 1)
		return EINVAL;
	if (!strcmp(argv[0], "on"))
		log_setverbose(1);
	else if (!strcmp(argv[0], "off"))
		log_setverbose(0);
	else if (!strcmp(argv[0], "debug"))
		log_setverbose(2);
	else
		return EINVAL;
	ctl_printf(out, "OK\n");
	return 0;
}

/* Index of a quota by name, or -1. */
static int ctl_quota_idx(const char *name)
{
	int i;

	for (i = 0; i < QUOTA_MAX; i++)
		if (!strcmp(quota_descs[i].name, name))
			return i;
	return -1;
}

/* Parse a non-negative decimal quota value. */
static int ctl_parse_value(const char *str, long long *v_r)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(str, &end, 10);
	if (errno || *end || !*str || v < 0)
		return EINVAL;
	*v_r = v;
	return 0;
}

static int ctl_quota(struct store *s, int argc, const char **argv, struct ctl_buf *out)
{
	long long v;
	int i;

	if (argc == 0) {
		for (i = 0; i < QUOTA_MAX; i++)
			ctl_printf(out, "%-18s %10lld  %s\n", quota_descs[i].name, s->quota[i],
				   quota_descs[i].desc);
		return 0;
	}
	if (!strcmp(argv[0], "set")) {
		if (argc != 3 || (i = ctl_quota_idx(argv[1])) < 0 || ctl_parse_value(argv[2], &v))
			return EINVAL;
		s->quota[i] = v;
		log_info("quota %s set to %lld", quota_descs[i].name, v);
		ctl_printf(out, "OK\n");
		return 0;
	}
	if (argc == 1) {
		struct domain *d;
		long long dv;

		if (ctl_parse_value(argv[0], &dv) || dv >= STORED_NR_DOMIDS)
			return EINVAL;
		d = domain_get(s, dv);
		if (!d)
			return ENOENT;
		ctl_printf(out, "nodes %lld/%lld\nwatches %lld/%lld\ntransactions %lld/%lld\n",
			   d->nr_nodes, s->quota[QUOTA_NODES], d->nr_watches,
			   s->quota[QUOTA_WATCHES], d->nr_transactions,
			   s->quota[QUOTA_TRANSACTIONS]);
		ctl_printf(out, "outstanding %lld/%lld\nmemory %lld/%lld\n", d->nr_outstanding,
			   s->quota[QUOTA_OUTSTANDING], d->memory_bytes, s->quota[QUOTA_MEMORY]);
		ctl_printf(out, "connections %lld/%lld\nconnections-refused %llu\n", d->nr_conns,
			   s->quota[QUOTA_CONNECTIONS], d->conns_refused);
		return 0;
	}
	return EINVAL;
}

static int ctl_quota_soft(struct store *s, int argc, const char **argv, struct ctl_buf *out)
{
	long long v;

	if (argc == 0) {
		ctl_printf(out, "memory %lld\n", s->quota[QUOTA_MEMORY_SOFT]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[0], "set") && !strcmp(argv[1], "memory") &&
	    !ctl_parse_value(argv[2], &v)) {
		s->quota[QUOTA_MEMORY_SOFT] = v;
		ctl_printf(out, "OK\n");
		return 0;
	}
	return EINVAL;
}

/*
 * Reads and writes served per live connection ("domid D pid P reads R writes
 * W"), or with a pid argument their sum over that process's connections
 * ("reads R writes W connections N"): how much of the tree a client walks.
 */
static int ctl_requests(struct store *s, int argc, const char **argv, struct ctl_buf *out)
{
	unsigned long long reads = 0, writes = 0, nr = 0;
	long long pid = -1;
	struct conn *c;

	if (argc > 1 || (argc == 1 && ctl_parse_value(argv[0], &pid)))
		return EINVAL;
	for (c = s->conns; c; c = c->next) {
		if (c->dead || (pid >= 0 && c->peer_pid != pid))
			continue;
		if (pid < 0)
			ctl_printf(out, "domid %u pid %d reads %llu writes %llu\n", c->domid,
				   c->peer_pid, c->nr_reads, c->nr_writes);
		reads += c->nr_reads;
		writes += c->nr_writes;
		nr++;
	}
	if (pid >= 0)
		ctl_printf(out, "reads %llu writes %llu connections %llu\n", reads, writes, nr);
	return 0;
}

static int ctl_help(struct store *s, int argc, const char **argv, struct ctl_buf *out);

static const struct ctl_cmd {
	const char *name;
	ctl_fn *fn;
	const char *usage;
} ctl_cmds[] = {
	{ "check", ctl_check, "" },
	{ "log", ctl_log, "[on|off|debug]" },
	{ "memreport", ctl_memreport, "[json]" },
	{ "quota", ctl_quota, "[set <name> <val>|<domid>]" },
	{ "quota-soft", ctl_quota_soft, "[set memory <val>]" },
	{ "requests", ctl_requests, "[<pid>]" },
	{ "help", ctl_help, "" },
};

static int ctl_help(struct store *s, int argc, const char **argv, struct ctl_buf *out)
{
	size_t i;

	if (argc)
		return EINVAL;
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		ctl_printf(out, "%-10s %s\n", ctl_cmds[i].name, ctl_cmds[i].usage);
	return 0;
}

int do_control(struct request *req)
{
	const char *argv[16];
	struct ctl_buf out = { 0 };
	unsigned int argc = request_strings(req, argv, 16);
	size_t i, used = 0;
	int rc;

	for (i = 0; i < argc; i++)
		used += strlen(argv[i]) + 1;
	if (argc == 0 || used != req->len)
		return EINVAL;
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		if (!strcmp(ctl_cmds[i].name, argv[0]))
			break;
	if (i == sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))
		return EINVAL;
	rc = ctl_cmds[i].fn(req->conn->store, (int)argc - 1, argv + 1, &out);
	if (!rc && out.nomem)
		rc = ENOMEM;
	if (!rc) {
		ctl_printf(&out, "%s", "");
		/* xenstore-control adds its own newline. */
		if (out.len && out.buf[out.len - 1] == '\n')
			out.buf[--out.len] = '\0';
		rc = out.nomem ? ENOMEM : conn_reply(req, out.buf ? out.buf : "", out.len + 1);
	}
	free(out.buf);
	return rc;
}
