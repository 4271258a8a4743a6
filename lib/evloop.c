/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * evloop.c: see evloop.h.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "evloop.h"
#include "xmem_err.h"

#define EVLOOP_BATCH 64

struct evloop_fd {
	evloop_fd_cb *cb;
	void *arg;
	unsigned int mask; /* 0: not registered */
};

struct evloop_timer {
	long long id;
	uint64_t due_ms;
	evloop_timer_cb *cb;
	void *arg;
};

struct evloop {
	int epfd;
	struct evloop_fd *fds;
	int nr_fds;
	struct evloop_timer *timers;
	size_t nr_timers;
	size_t max_timers;
	long long next_timer_id;
	evloop_hook_cb *before_sleep;
	void *before_sleep_arg;
	int stop;
};

uint64_t evloop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct evloop *evloop_new(void)
{
	struct evloop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->next_timer_id = 1;
	return loop;
}

void evloop_free(struct evloop *loop)
{
	if (!loop)
		return;
	close(loop->epfd);
	free(loop->fds);
	free(loop->timers);
	free(loop);
}

/* Translate our mask into epoll's. */
static uint32_t evloop_epoll_events(unsigned int mask)
{
	uint32_t ev = 0;

	if (mask & EVLOOP_READ)
		ev |= EPOLLIN | EPOLLRDHUP;
	if (mask & EVLOOP_WRITE)
		ev |= EPOLLOUT;
	return ev;
}

/* Make room in the fd table for fd. */
static int evloop_grow_fds(struct evloop *loop, int fd)
{
	struct evloop_fd *n;
	int nr = loop->nr_fds ? loop->nr_fds : 64;

	if (fd < loop->nr_fds)
		return 0;
	while (nr <= fd)
		nr *= 2;
	n = realloc(loop->fds, (size_t)nr * sizeof(*n));
	if (!n)
		return XMEM_ERR_NOMEM;
	memset(n + loop->nr_fds, 0, (size_t)(nr - loop->nr_fds) * sizeof(*n));
	loop->fds = n;
	loop->nr_fds = nr;
	return 0;
}

int evloop_add_fd(struct evloop *loop, int fd, unsigned int mask, evloop_fd_cb *cb, void *arg)
{
	struct epoll_event ev = { 0 };
	int rc, op;

	if (fd < 0 || !cb)
		return XMEM_ERR_INVAL;
	rc = evloop_grow_fds(loop, fd);
	if (rc)
		return rc;
	op = loop->fds[fd].cb ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	ev.events = evloop_epoll_events(mask);
	ev.data.fd = fd;
	if (epoll_ctl(loop->epfd, op, fd, &ev) < 0)
		return xmem_err_from_errno(errno);
	loop->fds[fd].cb = cb;
	loop->fds[fd].arg = arg;
	loop->fds[fd].mask = mask;
	return 0;
}

int evloop_mod_fd(struct evloop *loop, int fd, unsigned int mask)
{
	struct epoll_event ev = { 0 };

	if (fd < 0 || fd >= loop->nr_fds || !loop->fds[fd].cb)
		return XMEM_ERR_NOTFOUND;
	if (loop->fds[fd].mask == mask)
		return 0;
	ev.events = evloop_epoll_events(mask);
	ev.data.fd = fd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return xmem_err_from_errno(errno);
	loop->fds[fd].mask = mask;
	return 0;
}

void evloop_del_fd(struct evloop *loop, int fd)
{
	if (fd < 0 || fd >= loop->nr_fds || !loop->fds[fd].cb)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	memset(&loop->fds[fd], 0, sizeof(loop->fds[fd]));
}

long long evloop_add_timer(struct evloop *loop, long ms, evloop_timer_cb *cb, void *arg)
{
	struct evloop_timer *t;

	if (!cb || ms < 0)
		return XMEM_ERR_INVAL;
	if (loop->nr_timers == loop->max_timers) {
		size_t max = loop->max_timers ? loop->max_timers * 2 : 8;

		t = realloc(loop->timers, max * sizeof(*t));
		if (!t)
			return XMEM_ERR_NOMEM;
		loop->timers = t;
		loop->max_timers = max;
	}
	t = &loop->timers[loop->nr_timers++];
	t->id = loop->next_timer_id++;
	t->due_ms = evloop_now_ms() + (uint64_t)ms;
	t->cb = cb;
	t->arg = arg;
	return t->id;
}

void evloop_del_timer(struct evloop *loop, long long timer_id)
{
	size_t i;

	for (i = 0; i < loop->nr_timers; i++) {
		if (loop->timers[i].id == timer_id) {
			loop->timers[i] = loop->timers[--loop->nr_timers];
			return;
		}
	}
}

void evloop_set_before_sleep(struct evloop *loop, evloop_hook_cb *cb, void *arg)
{
	loop->before_sleep = cb;
	loop->before_sleep_arg = arg;
}

/* Milliseconds until the earliest timer, capped by timeout_ms (-1: none). */
static int evloop_wait_ms(struct evloop *loop, int timeout_ms)
{
	uint64_t now = evloop_now_ms();
	int wait = timeout_ms;
	size_t i;

	for (i = 0; i < loop->nr_timers; i++) {
		uint64_t due = loop->timers[i].due_ms;
		int left = due <= now ? 0 : (due - now > 86400000 ? 86400000 : (int)(due - now));

		if (wait < 0 || left < wait)
			wait = left;
	}
	return wait;
}

/* Find the index of timer id, or nr_timers when it is gone. */
static size_t evloop_timer_index(struct evloop *loop, long long id)
{
	size_t j;

	for (j = 0; j < loop->nr_timers; j++)
		if (loop->timers[j].id == id)
			break;
	return j;
}

/*
 * Run every timer that is due, each at most once per pass; return how many
 * ran. The due set is taken first because callbacks may add, remove or
 * re-arm timers (including themselves) while the pass runs.
 */
static int evloop_run_timers(struct evloop *loop)
{
	uint64_t now = evloop_now_ms();
	long long due_ids[EVLOOP_BATCH];
	size_t nr_due = 0, i, j;
	int ran = 0;

	for (i = 0; i < loop->nr_timers && nr_due < EVLOOP_BATCH; i++)
		if (loop->timers[i].due_ms <= now)
			due_ids[nr_due++] = loop->timers[i].id;
	for (i = 0; i < nr_due; i++) {
		struct evloop_timer t;
		long next;

		j = evloop_timer_index(loop, due_ids[i]);
		if (j == loop->nr_timers)
			continue;
		t = loop->timers[j];
		next = t.cb(loop, t.id, t.arg);
		ran++;
		j = evloop_timer_index(loop, t.id);
		if (j == loop->nr_timers)
			continue;
		if (next == EVLOOP_NOMORE)
			loop->timers[j] = loop->timers[--loop->nr_timers];
		else
			loop->timers[j].due_ms = evloop_now_ms() + (uint64_t)(next < 0 ? 0 : next);
	}
	return ran;
}

int evloop_run_once(struct evloop *loop, int timeout_ms)
{
	struct epoll_event evs[EVLOOP_BATCH];
	int n, i, ran = 0;

	if (loop->before_sleep)
		loop->before_sleep(loop, loop->before_sleep_arg);
	n = epoll_wait(loop->epfd, evs, EVLOOP_BATCH, evloop_wait_ms(loop, timeout_ms));
	if (n < 0) {
		if (errno != EINTR)
			return xmem_err_from_errno(errno);
		n = 0;
	}
	for (i = 0; i < n; i++) {
		int fd = evs[i].data.fd;
		unsigned int events = 0;
		struct evloop_fd *f;

		if (fd >= loop->nr_fds || !loop->fds[fd].cb)
			continue;
		f = &loop->fds[fd];
		if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			events |= EVLOOP_READ;
		if (evs[i].events & (EPOLLOUT | EPOLLERR))
			events |= EVLOOP_WRITE;
		events &= f->mask ? f->mask : (EVLOOP_READ | EVLOOP_WRITE);
		if (!events)
			continue;
		f->cb(loop, fd, events, f->arg);
		ran++;
	}
	ran += evloop_run_timers(loop);
	return ran;
}

int evloop_run(struct evloop *loop)
{
	int rc;

	loop->stop = 0;
	while (!loop->stop) {
		rc = evloop_run_once(loop, -1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void evloop_stop(struct evloop *loop)
{
	loop->stop = 1;
}
