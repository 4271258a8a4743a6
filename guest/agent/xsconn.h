/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xsconn.h: a key-tree connection that comes back.
 *
 * A guest's reporter and frontend must outlive their xenstore: a restarted
 * store (or a guest resumed on another host) means the old connection is
 * gone. xsconn opens the connection on demand, says once per outage, clearly,
 * that no xenstore is reachable and where it looked, and says when it is back.
 */
#ifndef XMEM_XSCONN_H
#define XMEM_XSCONN_H

#include <stdint.h>

#include <xenstore.h>

struct xsconn {
	const char *dir; /* simulated host directory, NULL for the real host */
	uint32_t domid;	 /* the domain to speak as (HOST_NO_DOMID: privileged) */
	struct xs_handle *xs;
	int down; /* an outage was reported */
	char where[4200];
};

/* Prepare (no connection yet). */
void xsconn_init(struct xsconn *c, const char *dir, uint32_t domid);

/*
 * The connection, opened when needed; *fresh_r is set to 1 when it was just
 * (re)opened, so the caller re-registers watches and resends everything.
 * NULL when no xenstore is reachable (logged once per outage).
 */
struct xs_handle *xsconn_get(struct xsconn *c, int *fresh_r);

/* The connection failed (why: for the log): close it; the next get reopens. */
void xsconn_lost(struct xsconn *c, const char *why);

void xsconn_close(struct xsconn *c);

#endif
