/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * server.h: xmem-hvsim's sockets.
 *
 * The server listens on RUNDIR/socket (privileged) and, for every domain, on
 * RUNDIR/domain/<domid>/socket, which it creates when the domain is created
 * and removes when it is destroyed (closing that domain's connections). Each
 * connection has one input and one output buffer of HVSIM_MAX_MSG bytes and
 * answers one request at a time, so a client's memory cost is bounded; the
 * number of connections per socket is capped.
 */
#ifndef HVSIM_SERVER_H
#define HVSIM_SERVER_H

struct evloop;
struct hvsim;
struct server;

/*
 * Listen on rundir (an absolute path, created if missing) for sim, with
 * sockets for the domains that exist already. NULL on failure (logged).
 */
struct server *server_new(struct evloop *loop, struct hvsim *sim, const char *rundir);

/* Close every socket and remove the socket files. */
void server_free(struct server *srv);

#endif
