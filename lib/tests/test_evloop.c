/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/evloop.c: file events, timers, removal from callbacks. */
#include "config.h"

#include <unistd.h>

#include "../../tests/cmocka_all.h"

#include "evloop.h"

struct evloop_test_ctx {
	int reads;
	int timer_runs;
	long long other_timer;
	int pipe_fds[2];
};

/* Read one byte and count it. */
static void evloop_test_read_cb(struct evloop *loop, int fd, unsigned int events, void *arg)
{
	struct evloop_test_ctx *ctx = arg;
	char c;

	assert_true(events & EVLOOP_READ);
	assert_int_equal(read(fd, &c, 1), 1);
	ctx->reads++;
}

/* A file event is delivered once per readiness. */
static void evloop_fd_event_test(void **state)
{
	struct evloop_test_ctx ctx = { 0 };
	struct evloop *loop = evloop_new();

	assert_non_null(loop);
	assert_int_equal(pipe(ctx.pipe_fds), 0);
	assert_int_equal(
		evloop_add_fd(loop, ctx.pipe_fds[0], EVLOOP_READ, evloop_test_read_cb, &ctx), 0);
	assert_int_equal(write(ctx.pipe_fds[1], "x", 1), 1);
	assert_int_equal(evloop_run_once(loop, 1000), 1);
	assert_int_equal(ctx.reads, 1);
	/* Nothing ready: returns after the timeout with nothing run. */
	assert_int_equal(evloop_run_once(loop, 10), 0);
	evloop_del_fd(loop, ctx.pipe_fds[0]);
	assert_int_equal(write(ctx.pipe_fds[1], "y", 1), 1);
	assert_int_equal(evloop_run_once(loop, 10), 0);
	assert_int_equal(ctx.reads, 1);
	close(ctx.pipe_fds[0]);
	close(ctx.pipe_fds[1]);
	evloop_free(loop);
}

/* Runs three times, then removes itself. */
static long evloop_test_repeat_cb(struct evloop *loop, long long id, void *arg)
{
	struct evloop_test_ctx *ctx = arg;

	ctx->timer_runs++;
	if (ctx->timer_runs == 3) {
		evloop_stop(loop);
		return EVLOOP_NOMORE;
	}
	return 0;
}

/* A timer returning 0 runs again on the next pass, not in a busy loop within one. */
static void evloop_timer_repeat_test(void **state)
{
	struct evloop_test_ctx ctx = { 0 };
	struct evloop *loop = evloop_new();

	assert_true(evloop_add_timer(loop, 0, evloop_test_repeat_cb, &ctx) > 0);
	assert_int_equal(evloop_run_once(loop, 100), 1);
	assert_int_equal(ctx.timer_runs, 1);
	assert_int_equal(evloop_run(loop), 0);
	assert_int_equal(ctx.timer_runs, 3);
	/* Removed: nothing runs any more. */
	assert_int_equal(evloop_run_once(loop, 10), 0);
	evloop_free(loop);
}

/* Cancels the other timer from inside a callback. */
static long evloop_test_cancel_cb(struct evloop *loop, long long id, void *arg)
{
	struct evloop_test_ctx *ctx = arg;

	evloop_del_timer(loop, ctx->other_timer);
	ctx->timer_runs++;
	return EVLOOP_NOMORE;
}

/* A timer cancelled by another in the same pass does not run. */
static void evloop_timer_cancel_test(void **state)
{
	struct evloop_test_ctx ctx = { 0 };
	struct evloop *loop = evloop_new();

	assert_true(evloop_add_timer(loop, 0, evloop_test_cancel_cb, &ctx) > 0);
	ctx.other_timer = evloop_add_timer(loop, 0, evloop_test_cancel_cb, &ctx);
	assert_true(ctx.other_timer > 0);
	evloop_run_once(loop, 100);
	assert_int_equal(ctx.timer_runs, 1);
	evloop_free(loop);
}

/* A timer waits at least its delay. */
static void evloop_timer_delay_test(void **state)
{
	struct evloop_test_ctx ctx = { 0 };
	struct evloop *loop = evloop_new();
	uint64_t start = evloop_now_ms();

	assert_true(evloop_add_timer(loop, 30, evloop_test_repeat_cb, &ctx) > 0);
	while (ctx.timer_runs == 0)
		evloop_run_once(loop, -1);
	assert_true(evloop_now_ms() - start >= 30);
	evloop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(evloop_fd_event_test),
		cmocka_unit_test(evloop_timer_repeat_test),
		cmocka_unit_test(evloop_timer_cancel_test),
		cmocka_unit_test(evloop_timer_delay_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
