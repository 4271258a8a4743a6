/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stored.h: the internals of xmem-stored, the xenstore-protocol key-tree daemon.
 *
 * One file per concept, as C xenstored:
 *   htab.c         intrusive hash tables (nodes, watches, transaction entries)
 *   node.c         the tree, path canonicalisation, node primitives, accounting hooks
 *   perms.c        permission lists: parsing, printing, sharing, access checks
 *   access.c       the view a request sees (global tree or its transaction) and the
 *                  node operations (read, write, mkdir, rm, directory, perms)
 *   transaction.c  transactions (generation-based conflict detection)
 *   watch.c        watches and event delivery
 *   domain.c       domains: INTRODUCE/RELEASE, per-domain sockets, accounting, quotas
 *   control.c      the CONTROL commands
 *   core.c         connections, framing, the dispatch table, process_message
 *   listen.c       listening sockets: connection quota, descriptor reserve, back-off
 *   main.c         options, daemonising
 *
 * Daemon handlers return 0 or a positive errno, which core.c sends as the
 * xs_wire.h error name. Nothing reachable from client input aborts.
 */
#ifndef XMEM_STORED_H
#define XMEM_STORED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenstore_lib.h>

/* Xen's constants (xen.h, xs_wire.h, C xenstored). */
#define STORED_DOMID_FIRST_RESERVED 0x7FF0u
#define STORED_DOMID_ANY	    0x7FF5u
#define STORED_NR_DOMIDS	    0x10000u
#define STORED_LOCAL_DOMAIN	    "/local/domain"
#define STORED_SPECIAL_INTRODUCE    "@introduceDomain"
#define STORED_SPECIAL_RELEASE	    "@releaseDomain"
#define STORED_HDR_BYTES	    16u
#define STORED_PAYLOAD_MAX	    4096u
#define STORED_INBUF_BYTES	    (2 * (STORED_HDR_BYTES + STORED_PAYLOAD_MAX))

/* Feature bits advertised (xs_wire.h upstream). */
#define STORED_FEATURE_WATCHDEPTH 4u

/* ------------------------------------------------------------------ htab.c */

struct htab_node {
	struct htab_node *next;
	uint32_t hash;
};

struct htab {
	struct htab_node **buckets;
	size_t nr_buckets; /* power of two, or 0 before the first insert */
	size_t count;
};

uint32_t htab_hash_bytes(uint32_t seed, const void *data, size_t len);
/* Make room for count + extra entries without further allocation. 0 or ENOMEM. */
int htab_reserve(struct htab *t, size_t extra);
/* Insert (grows the table when it can; never fails once reserved). */
void htab_insert(struct htab *t, struct htab_node *n);
void htab_remove(struct htab *t, struct htab_node *n);
/* First entry of the chain that may hold hash (iterate with ->next, compare hash). */
struct htab_node *htab_chain(const struct htab *t, uint32_t hash);
void htab_free(struct htab *t);

#define stored_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* ----------------------------------------------------------------- perms.c */

struct perm_entry {
	uint16_t domid;
	uint8_t perms; /* XS_PERM_READ | XS_PERM_WRITE */
	uint8_t pad;
};

/* Shared, immutable once built; nodes hold references (copy on write). */
struct perm_list {
	uint32_t refs;
	uint16_t nr;
	struct perm_entry e[];
};

struct perm_list *perms_new(unsigned int nr);
struct perm_list *perms_get(struct perm_list *p);
void perms_put(struct perm_list *p);
/* A one-entry list "n<domid>"-style with perms bits. NULL on ENOMEM. */
struct perm_list *perms_simple(unsigned int domid, unsigned int perms);
/* Parse nr NUL-terminated strings at buf (C xenstored rules). 0, EINVAL or ENOMEM. */
int perms_parse(const char *buf, size_t len, unsigned int nr, struct perm_list **perms_r);
/* Write "r5\0b0\0..." into buf; returns bytes needed (may exceed len). */
size_t perms_format(const struct perm_list *p, char *buf, size_t len);
/* The same list with entry 0 naming owner. NULL on ENOMEM. */
struct perm_list *perms_with_owner(struct perm_list *p, unsigned int owner);
/* The list without entries naming domid (owner kept). NULL on ENOMEM. */
struct perm_list *perms_without(struct perm_list *p, unsigned int domid);
bool perms_mentions(const struct perm_list *p, unsigned int domid);
bool perms_equal(const struct perm_list *a, const struct perm_list *b);
static inline unsigned int perms_owner(const struct perm_list *p)
{
	return p->e[0].domid;
}
/* Bytes the list accounts for (C xenstored counts 8 per entry). */
static inline size_t perms_acc_bytes(const struct perm_list *p)
{
	return (size_t)p->nr * 8;
}

struct conn;
/*
 * Rights of conn on a node with perms p: XS_PERM_READ|WRITE|OWNER bits.
 * Privileged connections have everything.
 */
unsigned int perms_for_conn(const struct conn *conn, const struct perm_list *p);

/* ------------------------------------------------------------------ node.c */

struct node {
	struct htab_node hnode; /* key: (parent, name) */
	struct node *parent;
	struct node *first_child; /* children: circular doubly linked, in creation order */
	struct node *next;
	struct node *prev;
	uint64_t gen;	    /* bumped when value or perms change, or the node is created */
	uint64_t child_gen; /* bumped when the list of children changes */
	char *value;
	struct perm_list *perms;
	uint32_t value_len;
	uint32_t nr_children;
	uint32_t children_bytes; /* sum of (name length + 1) of the children */
	uint16_t name_len;
	char name[]; /* NUL-terminated */
};

struct store;

/*
 * Canonicalise path for a connection whose home is /local/domain/<home_domid>:
 * relative paths are prefixed, then the result is validated (characters,
 * no "//", no trailing "/", "@" names only when allow_special). Writes the
 * absolute path to out (size STORED_PATH_BUF). 0 or EINVAL, never anything else.
 */
#define STORED_PATH_BUF 4200
int node_canonicalize(unsigned int home_domid, const char *path, bool allow_special, char *out,
		      size_t out_len);
/* Length of the part of an absolute path checked against path-max. */
size_t node_path_quota_len(const char *abs);

struct node *node_lookup(struct store *s, const char *abs);
struct node_view;
/* Fill v with n's value, permissions and generation; a NULL n is an absent node. */
void node_view_fill(struct node_view *v, const struct node *n);
/* Child of parent named name[0..len). */
struct node *node_child(struct store *s, const struct node *parent, const char *name, size_t len);
/* Allocate an unlinked node. NULL on ENOMEM. value is copied. */
struct node *node_alloc(const char *name, size_t name_len, const void *value, size_t value_len,
			struct perm_list *perms);
void node_free(struct node *n);
/* Link n under parent (htab must have room: htab_reserve first). */
void node_link(struct store *s, struct node *parent, struct node *n);
/* Replace the value (takes ownership of buf, which may be NULL for empty). */
void node_set_value(struct store *s, struct node *n, char *buf, size_t len);
void node_set_perms(struct store *s, struct node *n, struct perm_list *perms);

/* Called for every node removed, children before parents. */
typedef void node_rm_cb(struct store *s, struct node *n, const char *abs, void *arg);
/*
 * Remove n and its subtree (iterative, bounded stack). abs is n's path.
 * cb (may be NULL) sees each node before it is freed. Never fails.
 */
void node_remove_subtree(struct store *s, struct node *n, const char *abs, node_rm_cb *cb,
			 void *arg);
/* Write n's absolute path into buf; returns length (or >= len if it did not fit). */
size_t node_path(const struct node *n, char *buf, size_t len);
/* Accounted size of a node as C xenstored's node-size quota sees it. */
size_t node_size(const struct node *n);
/* Memory charged to the owner for a node. */
size_t node_acc_bytes(const struct node *n);

/*
 * Iterate the whole tree without recursion: calls cb on every node, parents
 * before children. cb returns false to skip the node's subtree.
 */
typedef bool node_walk_cb(struct store *s, struct node *n, void *arg);
void node_walk(struct store *s, struct node *from, node_walk_cb *cb, void *arg);

/* ---------------------------------------------------------------- domain.c */

enum quota_idx {
	QUOTA_NODES,
	QUOTA_WATCHES,
	QUOTA_OUTSTANDING,
	QUOTA_MEMORY,
	QUOTA_MEMORY_SOFT,
	QUOTA_TRANSACTIONS,
	QUOTA_TRANSACTION_NODES,
	QUOTA_NODE_PERMS,
	QUOTA_PATH_MAX,
	QUOTA_NODE_SIZE,
	QUOTA_WATCH_EVENT_S,
	QUOTA_WRL_RATE,
	QUOTA_WRL_BURST,
	QUOTA_CONNECTIONS,
	QUOTA_MAX
};

struct quota_desc {
	const char *name;
	const char *desc;
	long long def;
};
extern const struct quota_desc quota_descs[QUOTA_MAX];

/* Accounting of one domid (exists for any domid that owns something or is introduced). */
/* Figures recomputed by store_check(). */
struct check_acc {
	long long nodes;
	long long memory;
	long long watches;
	long long transactions;
	long long outstanding;
	long long conns;
};

/* A listening socket (listen.c). */
struct listener {
	struct store *store;
	int fd;
	unsigned int domid; /* who its connections speak as */
	bool privileged;
	long long pause_timer; /* back-off timer while not polled, else 0 */
	long backoff_ms;       /* the next pause */
	unsigned long long pauses;
	uint64_t logged_ms;
};

/* Memory charged to a domain for one of its connections: its buffers. */
#define STORED_CONN_ACC_BYTES \
	((long long)sizeof(struct conn) + STORED_PAYLOAD_MAX + 1 + STORED_INBUF_BYTES)

/*
 * Raise the soft descriptor limit to the hard one and size the reserve kept
 * for privileged clients. 0 or an errno.
 */
int listener_fd_limits(struct store *s);
/* Poll listening socket fd (taken over) for connections speaking as domid. 0 or ENOMEM. */
int listener_open(struct store *s, struct listener *l, int fd, unsigned int domid, bool privileged);
/* Stop polling, cancel a back-off and close the socket. */
void listener_close(struct listener *l);

struct domain {
	struct store *store;
	struct check_acc chk;
	unsigned int domid;
	bool introduced;
	bool released_pending;	/* @releaseDomain armed (RESUME re-arms) */
	long long nr_nodes;	/* nodes owned */
	long long memory_bytes; /* nodes + watches + transactions + queued output */
	long long nr_watches;
	long long nr_transactions;
	long long nr_outstanding;
	unsigned int target; /* SET_TARGET: acts as owner of target's nodes; UINT32_MAX none */
	long long wrl_credit_milli;
	uint64_t wrl_stamp_ms;
	uint64_t soft_warned_ms;
	struct listener listener; /* its socket; fd -1 when none */
	char *sock_path;
	struct conn *conns; /* connections speaking as this domain */
	long long nr_conns; /* open connections (conns) */
	unsigned long long conns_refused;
	uint64_t refuse_logged_ms;
};

struct domain *domain_get(struct store *s, unsigned int domid);	       /* NULL if none */
struct domain *domain_get_or_new(struct store *s, unsigned int domid); /* NULL on ENOMEM */
/* Charge (delta may be negative) nodes/memory to a domid's account. */
void domain_acc_nodes(struct store *s, unsigned int domid, long long nodes, long long bytes);
void domain_acc_memory(struct store *s, unsigned int domid, long long bytes);
/* The quota value for a domain (per-domain overrides are not kept: global values). */
long long domain_quota(const struct store *s, enum quota_idx q);
/* 0 or ENOMEM when charging bytes to conn's domain would pass the hard memory quota. */
int domain_memory_check(struct conn *conn, long long bytes);
/* Take one write credit (rate limit). */
void domain_wrl_charge(struct conn *conn);
/* Whether conn's domain may be read from now (credit, memory, outstanding). */
bool domain_conn_may_read(struct conn *conn);
/* Release a domain: close its connections and socket, delete its nodes, scrub ACLs. */
int domain_release(struct store *s, unsigned int domid, bool fire);
int domain_init(struct store *s);
void domain_shutdown(struct store *s);

/* ----------------------------------------------------------------- watch.c */

struct watch {
	struct htab_node hnode; /* key: abs path */
	struct watch *conn_next;
	struct conn *conn;
	char *path; /* absolute (or @special) */
	char *token;
	int depth; /* -1: unlimited */
	bool relative;
};

/* What caused an event (selects the permission check). */
struct watch_event_ctx {
	const struct perm_list *perms;	      /* node's perms (at the event) */
	const struct perm_list *old_perms;    /* before SET_PERMS, or NULL */
	const struct perm_list *parent_perms; /* parent's perms, or NULL */
};

/* Fire watches on path and its ancestors (depth-limited). */
void watch_fire(struct store *s, const char *abs, const struct watch_event_ctx *ctx);
/* Fire watches registered exactly on abs (descendants removed by RM). */
void watch_fire_exact(struct store *s, const char *abs, const struct watch_event_ctx *ctx);
/* Fire a special watch (@introduceDomain / @releaseDomain) for domid. */
void watch_fire_special(struct store *s, const char *special, unsigned int domid);
void watch_conn_free_all(struct conn *conn);
size_t watch_acc_bytes(const struct watch *w);

/* ----------------------------------------------------------- transaction.c */

struct tx_entry;
struct tx_event;

struct transaction {
	struct transaction *next; /* in conn's list */
	struct conn *conn;
	uint32_t id;
	bool failed;		/* an internal failure: commit answers ENOMEM */
	struct htab entries;	/* key: abs path */
	struct tx_entry *order; /* entries in creation order */
	struct tx_entry *order_tail;
	struct tx_event *events;
	struct tx_event *events_tail;
	unsigned int nr_entries;
	long long acc_bytes; /* memory charged to the connection's domain */
};

struct transaction *transaction_find(struct conn *conn, uint32_t id);
void transaction_free(struct transaction *t);
void transaction_conn_free_all(struct conn *conn);

/* ----------------------------------------------------------------- access.c */

/* What a request sees of one node (global, or its transaction's copy). */
struct node_view {
	bool exists;
	const char *value;
	size_t value_len;
	struct perm_list *perms; /* borrowed */
	uint64_t gen;
};

struct view;

/* ------------------------------------------------------------------- core.c */

struct out_msg {
	struct htab_node hnode; /* unsent events: key (path, token) for deduplication */
	struct out_msg *next;
	uint64_t queued_ms;
	uint32_t len; /* header + payload */
	uint32_t off; /* bytes already written */
	bool is_event;
	bool is_reply;
	bool indexed; /* in conn->ev_index */
	unsigned char buf[];
};

struct conn {
	struct conn *next;	 /* all connections */
	struct conn *dom_next;	 /* connections of the same domain */
	struct conn *dirty_next; /* connections with output to flush */
	struct store *store;
	int fd;
	unsigned int domid; /* who speaks: 0 for the privileged socket */
	bool privileged;
	bool dead; /* closed: freed after the current batch */
	bool dirty;
	unsigned int mask; /* evloop mask currently registered */
	uint32_t next_tx_id;
	/* input: what the socket gave, parsed into whole messages */
	unsigned char *inbuf; /* STORED_INBUF_BYTES */
	uint32_t in_off;      /* first unparsed byte */
	uint32_t in_len;      /* bytes in inbuf */
	unsigned char hdr[STORED_HDR_BYTES];
	unsigned char *payload;	   /* the message being processed: STORED_PAYLOAD_MAX + 1 bytes */
	struct conn *pending_next; /* complete messages left to process */
	bool pending;
	/* output */
	struct out_msg *out_head;
	struct out_msg *out_tail;
	struct htab ev_index; /* unsent watch events, for duplicate suppression */
	unsigned int nr_out;
	unsigned int nr_out_events;
	long long out_bytes;
	struct watch *watches;
	unsigned int nr_watches;
	struct transaction *transactions;
	unsigned int nr_transactions;
	/* request being processed */
	uint32_t cur_type, cur_req_id, cur_tx_id;
	/* what it asked for, for CONTROL requests */
	int peer_pid;		      /* the client process (SO_PEERCRED), 0 when unknown */
	unsigned long long nr_reads;  /* READ, DIRECTORY(_PART), GET_PERMS */
	unsigned long long nr_writes; /* WRITE, MKDIR, RM, SET_PERMS */
	long long acc_bytes;	      /* charged to the domain for the connection itself */
};

/* A request being handled. */
struct request {
	struct conn *conn;
	struct transaction *tx; /* NULL outside a transaction */
	uint32_t type, req_id, tx_id;
	const char *payload; /* NUL appended after len bytes */
	uint32_t len;
};

/* Split the payload into NUL-terminated strings; returns how many (<= max) fully terminated. */
unsigned int request_strings(const struct request *req, const char **vec, unsigned int max);
/* Exactly one NUL-terminated string filling the payload, or NULL. */
const char *request_onearg(const struct request *req);

/* Queue a reply to req (type echoed). 0 or ENOMEM; E2BIG replaced by error. */
int conn_reply(const struct request *req, const void *data, size_t len);
int conn_reply_ok(const struct request *req);
/* Queue a watch event. Returns false when dropped (limits, dedup). */
bool conn_queue_event(struct conn *conn, const char *path, const char *token, bool special);
void conn_close(struct conn *conn, const char *why);
void conn_update_mask(struct conn *conn);
/* A connection on an open non-blocking socket fd (taken over). 0 or ENOMEM (fd left open). */
int conn_new(struct store *s, int fd, unsigned int domid, bool privileged, struct conn **conn_r);
void conn_expire_events(struct store *s, uint64_t now_ms, long timeout_ms);
const char *stored_errno_name(int err);

/* The handlers (access.c node ops, watch.c, transaction.c, domain.c, control.c). */
int do_read(struct request *req);
int do_write(struct request *req);
int do_mkdir(struct request *req);
int do_rm(struct request *req);
int do_directory(struct request *req);
int do_directory_part(struct request *req);
int do_get_perms(struct request *req);
int do_set_perms(struct request *req);
int do_watch(struct request *req);
int do_unwatch(struct request *req);
int do_reset_watches(struct request *req);
int do_transaction_start(struct request *req);
int do_transaction_end(struct request *req);
int do_introduce(struct request *req);
int do_release(struct request *req);
int do_resume(struct request *req);
int do_get_domain_path(struct request *req);
int do_is_domain_introduced(struct request *req);
int do_set_target(struct request *req);
int do_control(struct request *req);

/* Process one complete message already in conn's input buffer. */
void core_process_message(struct conn *conn);
/* Flush queued output and free closed connections (the loop's before-sleep hook). */
void core_before_sleep(struct store *s);
/* Periodic work: event expiry, re-arming stalled connections. */
void core_tick(struct store *s);

/* ------------------------------------------------------------------ store */

struct evloop;

struct store_stats {
	unsigned long long requests;
	unsigned long long events_sent;
	unsigned long long events_dropped;
	unsigned long long tx_commits;
	unsigned long long tx_conflicts;
	unsigned long long conns_closed_proto;
};

struct store {
	struct evloop *loop;
	struct node *root;
	struct htab nodes;   /* every node except root, key (parent, name) */
	struct htab watches; /* key: path */
	uint64_t gen;	     /* global generation counter */
	unsigned long long nr_nodes;
	struct perm_list *special_introduce;
	struct perm_list *special_release;
	struct domain *domains[STORED_NR_DOMIDS];
	unsigned int domid_limit; /* every domains[] entry at or above is NULL */
	struct conn *conns;
	struct conn *dirty;
	struct conn *pending;	 /* connections with buffered messages to process */
	long long pending_timer; /* 0-ms timer that processes them, or 0 */
	long long quota[QUOTA_MAX];
	long long priv_out_limit; /* queued messages for privileged connections */
	char *rundir;
	struct listener listener; /* the privileged socket */
	int fd_limit;		  /* RLIMIT_NOFILE, 0 when not known */
	int fd_reserve;		  /* descriptors only privileged clients may take */
	bool keep_orphans;
	struct store_stats stats;
	uint64_t check_failures;
};

/* Initialise an empty store with the initial tree. 0 or ENOMEM. */
int store_init(struct store *s);
void store_free(struct store *s);
/*
 * Consistency check of tree and accounting. Writes a report to buf (may be
 * NULL). Returns 0 if consistent, else EIO.
 */
int store_check(struct store *s, char *buf, size_t len);

#endif
