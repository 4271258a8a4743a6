/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * server.c: sockets and connections of xmem-hvsim (see server.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dispatch.h"
#include "evloop.h"
#include "hv.h"
#include "hvsim_proto.h"
#include "log.h"
#include "server.h"
#include "sim.h"

#define SERVER_MAX_PRIV_CONNS	128u
#define SERVER_MAX_DOMAIN_CONNS 16u

struct conn;

struct listener {
	struct server *srv;
	int fd;
	uint32_t who; /* DISPATCH_PRIV or the domid */
	unsigned int nr_conns;
	int warned_full; /* "too many connections" logged since the last drop below the cap */
	uint64_t nr_bad; /* connections closed for a broken header (logged sparingly) */
	struct conn *conns;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

struct conn {
	struct listener *l;
	struct conn *next;
	struct conn *prev;
	int fd;
	int closing; /* close once the output is flushed */
	size_t in_len;
	size_t out_len;
	size_t out_off;
	uint8_t *in;
	uint8_t *out; /* 8-byte aligned (malloc) */
};

struct server {
	struct evloop *loop;
	struct hvsim *sim;
	char *rundir;
	struct listener *priv;
	struct listener *domains[HV_DOMID_FIRST_RESERVED];
};

/* Unlink conn from its listener, close and free it. */
static void conn_close(struct conn *c)
{
	struct listener *l = c->l;

	evloop_del_fd(l->srv->loop, c->fd);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	l->nr_conns--;
	free(c->in);
	free(c->out);
	free(c);
}

/* Write pending output. Returns 0 (done or would block) or -1 (conn closed). */
static int conn_flush(struct conn *c)
{
	ssize_t r;

	while (c->out_off < c->out_len) {
		r = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0) {
			log_debug("connection on %s: send: %s", c->l->path, strerror(errno));
			conn_close(c);
			return -1;
		}
		c->out_off += (size_t)r;
	}
	if (c->out_off < c->out_len) {
		evloop_mod_fd(c->l->srv->loop, c->fd, EVLOOP_WRITE);
		return 0;
	}
	c->out_off = c->out_len = 0;
	if (c->closing) {
		conn_close(c);
		return -1;
	}
	evloop_mod_fd(c->l->srv->loop, c->fd, EVLOOP_READ);
	return 0;
}

/* Answer every complete request buffered, while output can be sent. */
static void conn_process(struct conn *c)
{
	struct server *srv = c->l->srv;
	enum dispatch_result res;
	size_t used, rep_len;

	while (c->out_len == 0 && !c->closing) {
		res = dispatch_next(srv->sim, c->l->who, c->in, c->in_len, &used, c->out, &rep_len);
		if (res == DISPATCH_MORE)
			return;
		if (res == DISPATCH_CLOSE) {
			/* A guest may do this in a loop: log the 1st, 2nd, 4th, 8th... */
			c->l->nr_bad++;
			if (!(c->l->nr_bad & (c->l->nr_bad - 1)))
				log_warnx("connection on %s: bad message header, closing (%" PRIu64
					  " so far)",
					  c->l->path, c->l->nr_bad);
			c->closing = 1;
		}
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		c->out_len = rep_len;
		c->out_off = 0;
		if (conn_flush(c) < 0)
			return;
	}
}

static void conn_event(struct evloop *loop, int fd, unsigned int events, void *arg)
{
	struct conn *c = arg;
	ssize_t r;

	/*
	 * With a reply pending only EVLOOP_WRITE is asked for, but a hang-up
	 * still arrives (as EVLOOP_READ): flushing then fails and closes, so a
	 * vanished peer cannot keep the loop spinning.
	 */
	if (c->out_len) {
		if (conn_flush(c) < 0 || c->out_len)
			return;
		conn_process(c);
		return;
	}
	r = read(fd, c->in + c->in_len, HVSIM_MAX_MSG - c->in_len);
	if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (r <= 0) {
		if (c->in_len)
			log_debug("connection on %s: closed mid-message (%zu bytes)", c->l->path,
				  c->in_len);
		conn_close(c);
		return;
	}
	c->in_len += (size_t)r;
	conn_process(c);
}

static void listener_event(struct evloop *loop, int fd, unsigned int events, void *arg)
{
	struct listener *l = arg;
	unsigned int max =
		l->who == DISPATCH_PRIV ? SERVER_MAX_PRIV_CONNS : SERVER_MAX_DOMAIN_CONNS;
	struct conn *c = NULL;
	int cfd, ok = 0;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("accept on %s", l->path);
		return;
	}
	if (l->nr_conns >= max) {
		if (!l->warned_full)
			log_warnx("%s: more than %u connections, refusing more", l->path, max);
		l->warned_full = 1;
		close(cfd);
		return;
	}
	l->warned_full = 0;
	c = calloc(1, sizeof(*c));
	if (c) {
		c->in = malloc(HVSIM_MAX_MSG);
		c->out = malloc(HVSIM_MAX_MSG);
	}
	if (!c || !c->in || !c->out) {
		log_warnx("%s: out of memory for a connection", l->path);
		goto out;
	}
	c->fd = cfd;
	c->l = l;
	if (evloop_add_fd(l->srv->loop, cfd, EVLOOP_READ, conn_event, c) < 0) {
		log_warnx("%s: cannot watch a connection", l->path);
		goto out;
	}
	c->next = l->conns;
	if (l->conns)
		l->conns->prev = c;
	l->conns = c;
	l->nr_conns++;
	ok = 1;
out:
	if (!ok) {
		if (c) {
			free(c->in);
			free(c->out);
			free(c);
		}
		close(cfd);
	}
}

/* Close a listener, its connections, and remove its socket file. */
static void listener_free(struct listener *l)
{
	struct conn *c, *next;

	if (!l)
		return;
	for (c = l->conns; c; c = next) {
		next = c->next;
		conn_close(c);
	}
	if (l->fd >= 0) {
		evloop_del_fd(l->srv->loop, l->fd);
		close(l->fd);
		unlink(l->path);
	}
	free(l);
}

/* Listen on path for who. Returns the listener or NULL (errno set). */
static struct listener *listener_new(struct server *srv, const char *path, uint32_t who)
{
	struct listener *l = NULL;
	struct sockaddr_un sun;
	int saved, ok = 0;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->srv = srv;
	l->who = who;
	l->fd = -1;
	snprintf(l->path, sizeof(l->path), "%s", path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		goto out;
	unlink(path);
	if (bind(l->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(path, 0600) < 0 ||
	    listen(l->fd, 64) < 0)
		goto out;
	if (evloop_add_fd(srv->loop, l->fd, EVLOOP_READ, listener_event, l) < 0) {
		errno = ENOMEM;
		goto out;
	}
	ok = 1;
out:
	if (!ok) {
		saved = errno;
		if (l->fd >= 0) {
			close(l->fd);
			unlink(path);
		}
		free(l);
		l = NULL;
		errno = saved;
	}
	return l;
}

/* Whether something answers on the socket at path (another daemon's). */
static int server_socket_alive(const char *path)
{
	struct sockaddr_un sun;
	int fd, alive;

	if (strlen(path) >= sizeof(sun.sun_path))
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	alive = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return alive;
}

/* Write RUNDIR/domain/<domid> into buf. */
static int server_domain_dir(struct server *srv, uint32_t domid, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/domain/%u", srv->rundir, domid);

	return (n < 0 || (size_t)n >= len) ? ENAMETOOLONG : 0;
}

/* Hook: open the new domain's socket. */
static int server_domain_created(void *arg, uint32_t domid)
{
	struct server *srv = arg;
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char path[sizeof(dir) + 8];
	int rc;

	rc = server_domain_dir(srv, domid, dir, sizeof(dir));
	if (rc)
		return rc;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return errno;
	snprintf(path, sizeof(path), "%s/socket", dir);
	srv->domains[domid] = listener_new(srv, path, domid);
	if (!srv->domains[domid]) {
		rc = errno;
		log_warn("d%u: cannot listen on %s", domid, path);
		rmdir(dir);
		return rc;
	}
	return 0;
}

/* Hook: close the domain's socket and connections. */
static void server_domain_destroying(void *arg, uint32_t domid)
{
	struct server *srv = arg;
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];

	listener_free(srv->domains[domid]);
	srv->domains[domid] = NULL;
	if (!server_domain_dir(srv, domid, dir, sizeof(dir)))
		rmdir(dir);
}

static const struct sim_hooks server_hooks = {
	.domain_created = server_domain_created,
	.domain_destroying = server_domain_destroying,
};

struct server *server_new(struct evloop *loop, struct hvsim *sim, const char *rundir)
{
	struct server *srv = NULL;
	char path[4096];
	uint32_t domid;
	int rc, ok = 0;

	srv = calloc(1, sizeof(*srv));
	if (!srv || !(srv->rundir = strdup(rundir))) {
		log_warnx("out of memory");
		goto out;
	}
	srv->loop = loop;
	srv->sim = sim;
	if (mkdir(rundir, 0700) < 0 && errno != EEXIST) {
		log_warn("mkdir %s", rundir);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/domain", rundir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		log_warn("mkdir %s", path);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/socket", rundir);
	if (server_socket_alive(path)) {
		log_warnx("another xmem-hvsim is serving %s", rundir);
		goto out;
	}
	srv->priv = listener_new(srv, path, DISPATCH_PRIV);
	if (!srv->priv) {
		log_warn("cannot listen on %s", path);
		goto out;
	}
	for (domid = 0; domid < HV_DOMID_FIRST_RESERVED; domid++) {
		if (!sim->domains[domid])
			continue;
		rc = server_domain_created(srv, domid);
		if (rc) {
			errno = rc;
			log_warn("d%u: cannot open its socket", domid);
			goto out;
		}
	}
	sim_set_hooks(sim, &server_hooks, srv);
	ok = 1;
out:
	if (!ok) {
		server_free(srv);
		srv = NULL;
	}
	return srv;
}

void server_free(struct server *srv)
{
	char path[4096];
	uint32_t domid;

	if (!srv)
		return;
	if (srv->sim)
		sim_set_hooks(srv->sim, NULL, NULL);
	for (domid = 0; domid < HV_DOMID_FIRST_RESERVED; domid++) {
		if (srv->domains[domid])
			server_domain_destroying(srv, domid);
	}
	listener_free(srv->priv);
	if (srv->rundir) {
		snprintf(path, sizeof(path), "%s/domain", srv->rundir);
		rmdir(path);
	}
	free(srv->rundir);
	free(srv);
}
