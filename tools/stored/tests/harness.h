/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * harness.h: a store with real connections for the unit tests of
 * xmem-stored. Each connection is one end of a socketpair; the test speaks
 * raw frames on the other end and turns the event loop by hand, so every
 * step is deterministic.
 */
#ifndef XMEM_STORED_HARNESS_H
#define XMEM_STORED_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmocka_all.h"
#include "evloop.h"
#include "log.h"
#include "stored.h"

struct harness {
	struct store s;
	char rundir[64];
};

struct hconn {
	struct conn *conn;
	int fd; /* the client's end */
};

static inline struct harness *harness_new(void)
{
	struct harness *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	log_init("test", LOG_TO_CLI, 0);
	assert_int_equal(store_init(&h->s), 0);
	h->s.loop = evloop_new();
	assert_non_null(h->s.loop);
	snprintf(h->rundir, sizeof(h->rundir), "/tmp/stored-unit.XXXXXX");
	assert_non_null(mkdtemp(h->rundir));
	h->s.rundir = h->rundir;
	return h;
}

static inline void harness_free(struct harness *h)
{
	char cmd[128];

	store_free(&h->s);
	evloop_free(h->s.loop);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", h->rundir);
	assert_int_equal(system(cmd), 0);
	free(h);
}

/* A connection speaking as domid. */
static inline struct hconn harness_conn(struct harness *h, unsigned int domid, bool privileged)
{
	struct hconn c;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(conn_new(&h->s, sv[0], domid, privileged, &c.conn), 0);
	c.fd = sv[1];
	return c;
}

/* Let the daemon process what is pending. */
static inline void harness_turn(struct harness *h)
{
	int i;

	for (i = 0; i < 4; i++) {
		core_before_sleep(&h->s);
		evloop_run_once(h->s.loop, 0);
	}
	core_before_sleep(&h->s);
}

static inline void harness_send(struct hconn *c, uint32_t type, uint32_t tx_id, const void *p,
				uint32_t len)
{
	uint32_t hdr[4] = { type, 7, tx_id, len };

	assert_int_equal(write(c->fd, hdr, sizeof(hdr)), sizeof(hdr));
	if (len)
		assert_int_equal(write(c->fd, p, len), (ssize_t)len);
}

/* Read one message if available (non-blocking): its type, or -1. */
static inline int harness_recv(struct hconn *c, char *buf, uint32_t *len_r)
{
	uint32_t hdr[4];
	ssize_t r = recv(c->fd, hdr, sizeof(hdr), MSG_DONTWAIT);

	if (r != (ssize_t)sizeof(hdr))
		return -1;
	assert_true(hdr[3] <= STORED_PAYLOAD_MAX);
	if (hdr[3])
		assert_int_equal(recv(c->fd, buf, hdr[3], MSG_WAITALL), (ssize_t)hdr[3]);
	buf[hdr[3]] = '\0';
	if (len_r)
		*len_r = hdr[3];
	return (int)hdr[0];
}

/* A request and its reply (watch events skipped); reply type, payload in buf (4097). */
static inline int harness_req(struct harness *h, struct hconn *c, uint32_t type, uint32_t tx_id,
			      const void *p, uint32_t len, char *buf)
{
	int t;

	harness_send(c, type, tx_id, p, len);
	harness_turn(h);
	while ((t = harness_recv(c, buf, NULL)) == XS_WATCH_EVENT)
		;
	return t;
}

/* Same with a NUL-terminated string payload (its NUL included). */
static inline int harness_req_str(struct harness *h, struct hconn *c, uint32_t type, uint32_t tx_id,
				  const char *p, char *buf)
{
	return harness_req(h, c, type, tx_id, p, strlen(p) + 1, buf);
}

/* WRITE path=value. */
static inline int harness_write(struct harness *h, struct hconn *c, uint32_t tx_id,
				const char *path, const char *value, char *buf)
{
	char req[4096];
	size_t pl = strlen(path) + 1, vl = strlen(value);

	memcpy(req, path, pl);
	memcpy(req + pl, value, vl);
	return harness_req(h, c, XS_WRITE, tx_id, req, pl + vl, buf);
}

static inline void harness_consistent(struct harness *h)
{
	char report[2048];

	if (store_check(&h->s, report, sizeof(report))) {
		fprintf(stderr, "store inconsistent:\n%s", report);
		fail();
	}
}

#endif
