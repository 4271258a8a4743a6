/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * listen.c: the listening sockets, and who may connect.
 *
 * A domain's ring is one connection; its Unix socket here could be many, so
 * connections are a resource a guest must not be able to take from others
 * (in particular file descriptors, which the privileged socket needs too):
 *
 * - Per-domain connection quota ("connections"): a connection over it is
 *   accepted and closed at once, so the client sees EOF instead of hanging
 *   in the backlog, and the listener does not stay readable.
 * - Every unprivileged connection is charged its buffers to its domain's
 *   memory quota; one that would pass the hard quota is refused the same way.
 * - A reserve of descriptors: at start the soft RLIMIT_NOFILE is raised to the
 *   hard one. accept() hands out the lowest free descriptor, so when an
 *   unprivileged connection receives a descriptor within the reserve of the
 *   limit, fewer than that many are free: it is closed and that domain's
 *   listener is paused. Only privileged clients may use the reserve.
 * - accept() failing for want of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM)
 *   leaves the connection in the backlog and the listener readable; the
 *   listener is then taken out of the poll set for a back-off period (doubling
 *   up to a bound) instead of being retried in a loop.
 * - Refusals are logged at most once per STORED_REFUSE_LOG_MS per domain, with
 *   a count of what was refused meanwhile.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "evloop.h"
#include "log.h"
#include "stored.h"

#define STORED_ACCEPT_BATCH	  32
#define STORED_BACKOFF_MIN_MS	  50
#define STORED_BACKOFF_MAX_MS	  2000
#define STORED_REFUSE_LOG_MS	  60000
#define STORED_FD_RESERVE_DEFAULT 32

int listener_fd_limits(struct store *s)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return errno;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || getrlimit(RLIMIT_NOFILE, &rl) < 0)
			return errno;
	}
	s->fd_limit =
		rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT_MAX ? INT_MAX : (int)rl.rlim_cur;
	s->fd_reserve = STORED_FD_RESERVE_DEFAULT;
	if (s->fd_reserve > s->fd_limit / 4)
		s->fd_reserve = s->fd_limit / 4;
	return 0;
}

/* Timer: poll the listener again after a back-off. */
static long listener_resume_cb(struct evloop *loop, long long id, void *arg)
{
	struct listener *l = arg;

	l->pause_timer = 0;
	if (l->fd >= 0)
		evloop_mod_fd(loop, l->fd, EVLOOP_READ);
	return EVLOOP_NOMORE;
}

/* Stop polling l for its back-off period, doubled for the next time. */
static void listener_pause(struct listener *l)
{
	long long id;

	if (l->pause_timer)
		return;
	if (l->backoff_ms < STORED_BACKOFF_MIN_MS)
		l->backoff_ms = STORED_BACKOFF_MIN_MS;
	id = evloop_add_timer(l->store->loop, l->backoff_ms, listener_resume_cb, l);
	if (id <= 0)
		return; /* keep polling: better busy than deaf */
	evloop_mod_fd(l->store->loop, l->fd, 0);
	l->pause_timer = id;
	l->pauses++;
	l->backoff_ms *= 2;
	if (l->backoff_ms > STORED_BACKOFF_MAX_MS)
		l->backoff_ms = STORED_BACKOFF_MAX_MS;
}

/* Log a refusal for d at most once per STORED_REFUSE_LOG_MS, with a count. */
static void listener_note_refusal(struct domain *d, const char *why)
{
	uint64_t now = evloop_now_ms();

	d->conns_refused++;
	if (d->refuse_logged_ms && now - d->refuse_logged_ms < STORED_REFUSE_LOG_MS)
		return;
	log_warnx("domain %u: connection refused (%s); %llu refused so far", d->domid, why,
		  d->conns_refused);
	d->refuse_logged_ms = now;
}

/*
 * Whether a new connection of domain d on descriptor fd may stay: 0, or why
 * not (EMFILE: in the descriptor reserve, EDQUOT: connection quota, ENOMEM:
 * memory quota).
 */
static int listener_admit(struct store *s, struct domain *d, bool privileged, int fd)
{
	long long max = s->quota[QUOTA_CONNECTIONS], mem = s->quota[QUOTA_MEMORY];

	if (privileged)
		return 0;
	if (s->fd_limit > 0 && fd >= s->fd_limit - s->fd_reserve)
		return EMFILE;
	if (max > 0 && d->nr_conns >= max)
		return EDQUOT;
	if (mem > 0 && d->memory_bytes + STORED_CONN_ACC_BYTES > mem)
		return ENOMEM;
	return 0;
}

/* Accept one connection on l. 0, EAGAIN when none is waiting, or an errno. */
static int listener_accept_one(struct listener *l)
{
	struct store *s = l->store;
	struct domain *d = domain_get_or_new(s, l->domid);
	struct conn *conn = NULL;
	int fd, rc;

	fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return errno == EWOULDBLOCK ? EAGAIN : errno;
	rc = d ? listener_admit(s, d, l->privileged, fd) : ENOMEM;
	if (!rc)
		rc = conn_new(s, fd, l->domid, l->privileged, &conn);
	if (rc) {
		close(fd);
		if (d)
			listener_note_refusal(d, rc == EMFILE ? "file descriptors reserved for dom0"
						 : rc == EDQUOT ? "connection quota"
								: "memory quota");
		return rc == EMFILE ? EMFILE : 0;
	}
	if (!l->privileged) {
		conn->acc_bytes = STORED_CONN_ACC_BYTES;
		domain_acc_memory(s, l->domid, conn->acc_bytes);
	}
	l->backoff_ms = 0;
	return 0;
}

/* The listener is readable: accept a bounded batch, pause on resource errors. */
static void listener_accept_cb(struct evloop *loop, int fd, unsigned int events, void *arg)
{
	struct listener *l = arg;
	uint64_t now;
	int i, rc;

	for (i = 0; i < STORED_ACCEPT_BATCH; i++) {
		rc = listener_accept_one(l);
		if (rc == 0 || rc == EINTR || rc == ECONNABORTED)
			continue;
		if (rc == EAGAIN)
			return;
		if (rc == EMFILE || rc == ENFILE || rc == ENOBUFS || rc == ENOMEM) {
			now = evloop_now_ms();
			if (!l->logged_ms || now - l->logged_ms >= STORED_REFUSE_LOG_MS) {
				log_warnx("accept on %s socket: %s; pausing it (%llu times so far)",
					  l->privileged ? "the privileged" : "a domain's",
					  strerror(rc), l->pauses + 1);
				l->logged_ms = now;
			}
			listener_pause(l);
			return;
		}
		log_warnx("accept: %s", strerror(rc));
		return;
	}
}

int listener_open(struct store *s, struct listener *l, int fd, unsigned int domid, bool privileged)
{
	memset(l, 0, sizeof(*l));
	l->store = s;
	l->fd = fd;
	l->domid = domid;
	l->privileged = privileged;
	if (evloop_add_fd(s->loop, fd, EVLOOP_READ, listener_accept_cb, l)) {
		l->fd = -1;
		return ENOMEM;
	}
	return 0;
}

void listener_close(struct listener *l)
{
	if (l->pause_timer)
		evloop_del_timer(l->store->loop, l->pause_timer);
	l->pause_timer = 0;
	if (l->fd >= 0) {
		evloop_del_fd(l->store->loop, l->fd);
		close(l->fd);
	}
	l->fd = -1;
}
