/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * access.h: the view a request has of the tree (the global tree, or the
 * global tree as modified by the request's transaction), shared between
 * access.c (node operations) and transaction.c (the transaction view).
 */
#ifndef XMEM_STORED_ACCESS_H
#define XMEM_STORED_ACCESS_H

#include "stored.h"

/*
 * Look at abs in t's view. record: note the observation for conflict
 * detection. 0, or ENOSPC (transaction-nodes quota) / ENOMEM.
 */
int tx_view_get(struct transaction *t, const char *abs, bool record, struct node_view *v);
/* Call cb for each child name of abs in t's view (abs exists in the view). */
typedef int view_child_cb(const char *name, size_t len, void *arg);
int tx_view_children(struct transaction *t, const char *abs, view_child_cb *cb, void *arg);
/*
 * Set value (if value_set) and perms (if perms non-NULL) of abs in t's view,
 * creating abs with perms when missing (callers checked the parent exists
 * in the view). 0 or ENOMEM/ENOSPC.
 */
int tx_view_set(struct transaction *t, const char *abs, bool value_set, const void *value,
		size_t len, struct perm_list *perms, bool create);
/* Remove abs and its subtree from t's view. 0 or ENOMEM/ENOSPC. */
int tx_view_rm(struct transaction *t, const char *abs, struct perm_list *perms);
/* Queue an event to fire at commit. 0 or ENOMEM. */
int tx_queue_event(struct transaction *t, const char *abs, struct perm_list *perms,
		   struct perm_list *old_perms);
/* Number of nodes the transaction creates (for the nodes quota). */
long long tx_nodes_created(const struct transaction *t);

/* Length of the parent part of abs ("/a/b" -> 2, "/a" -> 1). */
size_t access_parent_len(const char *abs);
/* Fire the watches for a change of abs (perms: the node's; parent read live). */
void access_fire(struct store *s, const char *abs, const struct perm_list *perms,
		 const struct perm_list *old_perms);
/* node_rm_cb that fires the exact watches on each removed descendant. */
void access_rm_fire_cb(struct store *s, struct node *n, const char *abs, void *arg);

#endif
