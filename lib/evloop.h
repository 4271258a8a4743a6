/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * evloop.h: a small single-threaded event loop (epoll file events + timers),
 * in the manner of redis' ae.
 *
 * A file callback is registered per fd with a READ/WRITE mask. A timer
 * callback returns the milliseconds until it should run again, or
 * EVLOOP_NOMORE to be removed. A before-sleep hook runs before every wait,
 * for batched work (flushing queued output, rebalancing once per wake-up).
 *
 * Callbacks may add and remove fds and timers freely, including their own.
 * After an fd is removed in a batch, its pending events in that batch are
 * dropped; an fd number re-registered within the same batch may see one
 * spurious readiness, so handlers must tolerate EAGAIN.
 *
 * Timers are kept in a plain array scanned per iteration: daemons here hold a
 * handful of timers, not thousands.
 */
#ifndef XMEM_EVLOOP_H
#define XMEM_EVLOOP_H

#include <stdint.h>

#define EVLOOP_READ   1u
#define EVLOOP_WRITE  2u
#define EVLOOP_NOMORE (-1L)

struct evloop;

typedef void evloop_fd_cb(struct evloop *loop, int fd, unsigned int events, void *arg);
typedef long evloop_timer_cb(struct evloop *loop, long long timer_id, void *arg);
typedef void evloop_hook_cb(struct evloop *loop, void *arg);

/* Create a loop; NULL on failure (errno set). */
struct evloop *evloop_new(void);

/* Free a loop. Registered fds are not closed. */
void evloop_free(struct evloop *loop);

/*
 * Watch fd for the events in mask (EVLOOP_READ, EVLOOP_WRITE). Replaces an
 * earlier registration of the same fd. Returns 0 or a negative XMEM_ERR_*.
 */
int evloop_add_fd(struct evloop *loop, int fd, unsigned int mask, evloop_fd_cb *cb, void *arg);

/* Change the mask of a registered fd. Returns 0 or a negative XMEM_ERR_*. */
int evloop_mod_fd(struct evloop *loop, int fd, unsigned int mask);

/* Stop watching fd (no-op if it is not registered). */
void evloop_del_fd(struct evloop *loop, int fd);

/* Run cb after ms milliseconds. Returns a timer id (> 0) or a negative XMEM_ERR_*. */
long long evloop_add_timer(struct evloop *loop, long ms, evloop_timer_cb *cb, void *arg);

/* Cancel a timer (no-op if it already ran out). */
void evloop_del_timer(struct evloop *loop, long long timer_id);

/* Set the hook run before every wait (NULL to clear). */
void evloop_set_before_sleep(struct evloop *loop, evloop_hook_cb *cb, void *arg);

/*
 * Wait at most timeout_ms (-1: until the next timer or event) and dispatch
 * what is ready. Returns the number of callbacks run, or a negative
 * XMEM_ERR_* when epoll fails for a reason other than EINTR.
 */
int evloop_run_once(struct evloop *loop, int timeout_ms);

/* Dispatch until evloop_stop() is called. Returns 0 or a negative XMEM_ERR_*. */
int evloop_run(struct evloop *loop);

/* Make evloop_run() return after the current iteration. */
void evloop_stop(struct evloop *loop);

/* Monotonic clock in milliseconds. */
uint64_t evloop_now_ms(void);

#endif
