/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xsconn.c: see xsconn.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "log.h"
#include "xsconn.h"

void xsconn_init(struct xsconn *c, const char *dir, uint32_t domid)
{
	const char *env;

	memset(c, 0, sizeof(*c));
	c->dir = dir;
	c->domid = domid;
	if (dir) {
		if (host_store_socket(dir, domid, c->where, sizeof(c->where)))
			snprintf(c->where, sizeof(c->where), "%s", dir);
	} else {
		env = getenv("XENSTORED_PATH");
		snprintf(c->where, sizeof(c->where), "%s",
			 env && env[0] ? env : "the xenbus device or default socket");
	}
}

struct xs_handle *xsconn_get(struct xsconn *c, int *fresh_r)
{
	*fresh_r = 0;
	if (c->xs)
		return c->xs;
	c->xs = host_xs_open(c->dir, c->domid);
	if (!c->xs) {
		if (!c->down)
			log_warn("no xenstore reachable at %s", c->where);
		c->down = 1;
		return NULL;
	}
	if (c->down)
		log_info("xenstore at %s reachable again", c->where);
	else
		log_debug("connected to xenstore at %s", c->where);
	c->down = 0;
	*fresh_r = 1;
	return c->xs;
}

void xsconn_lost(struct xsconn *c, const char *why)
{
	if (!c->xs)
		return;
	log_warnx("lost the xenstore connection at %s: %s", c->where, why);
	xs_close(c->xs);
	c->xs = NULL;
	c->down = 1;
}

void xsconn_close(struct xsconn *c)
{
	if (c->xs)
		xs_close(c->xs);
	c->xs = NULL;
}
