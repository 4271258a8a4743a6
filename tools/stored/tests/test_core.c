/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_core.c: message framing, dispatch, replies and event queueing.
 */
#include "config.h"

#include "harness.h"

static struct harness *h;
static struct hconn d0, g5;
static char buf[STORED_PAYLOAD_MAX + 1];

static int setup(void **state)
{
	h = harness_new();
	d0 = harness_conn(h, 0, true);
	g5 = harness_conn(h, 5, false);
	return 0;
}

static int teardown(void **state)
{
	close(d0.fd);
	close(g5.fd);
	harness_free(h);
	return 0;
}

/* A request written one byte at a time is still one request. */
static void core_split_header_test(void **state)
{
	uint32_t hdr[4] = { XS_GET_DOMAIN_PATH, 99, 0, 2 };
	const char *p = (const char *)hdr;
	uint32_t len;
	size_t i;

	for (i = 0; i < sizeof(hdr); i++) {
		assert_int_equal(write(d0.fd, p + i, 1), 1);
		harness_turn(h);
		assert_int_equal(harness_recv(&d0, buf, NULL), -1);
	}
	assert_int_equal(write(d0.fd, "7", 1), 1);
	harness_turn(h);
	assert_int_equal(write(d0.fd, "", 1), 1);
	harness_turn(h);
	assert_int_equal(harness_recv(&d0, buf, &len), XS_GET_DOMAIN_PATH);
	assert_string_equal(buf, "/local/domain/7");
	assert_int_equal(len, 16);
}

/* Replies echo req_id and tx_id; errors carry the xs_wire.h names. */
static void core_reply_header_test(void **state)
{
	uint32_t hdr[4] = { XS_READ, 0xabcd, 0, 6 }, rh[4];

	assert_int_equal(write(d0.fd, hdr, sizeof(hdr)), sizeof(hdr));
	assert_int_equal(write(d0.fd, "/none", 6), 6);
	harness_turn(h);
	assert_int_equal(recv(d0.fd, rh, sizeof(rh), 0), sizeof(rh));
	assert_int_equal(rh[0], XS_ERROR);
	assert_int_equal(rh[1], 0xabcd);
	assert_int_equal(recv(d0.fd, buf, rh[3], 0), rh[3]);
	assert_string_equal(buf, "ENOENT");
	assert_string_equal(stored_errno_name(EPERM), "EPERM");
	assert_string_equal(stored_errno_name(ERANGE), "EINVAL");
}

/* Unknown and server-only types: ENOSYS; privileged types from a guest: EACCES. */
static void core_dispatch_errors_test(void **state)
{
	assert_int_equal(harness_req(h, &d0, 20, 0, "", 1, buf), XS_ERROR);
	assert_string_equal(buf, "ENOSYS");
	assert_int_equal(harness_req(h, &d0, XS_ERROR, 0, "", 1, buf), XS_ERROR);
	assert_string_equal(buf, "ENOSYS");
	assert_int_equal(harness_req(h, &d0, 0xffff, 0, "", 1, buf), XS_ERROR);
	assert_string_equal(buf, "ENOSYS");
	assert_int_equal(harness_req_str(h, &g5, XS_INTRODUCE, 0, "9", buf), XS_ERROR);
	assert_string_equal(buf, "EACCES");
	assert_int_equal(harness_req(h, &g5, XS_CONTROL, 0, "check", 6, buf), XS_ERROR);
	assert_string_equal(buf, "EACCES");
	assert_int_equal(harness_req(h, &d0, XS_READ, 0, "/tool", 5, buf), XS_ERROR);
	assert_string_equal(buf, "EINVAL");
}

/* A length above the payload maximum closes the connection, nothing else. */
static void core_oversize_test(void **state)
{
	uint32_t hdr[4] = { XS_WRITE, 1, 0, STORED_PAYLOAD_MAX + 1 };
	char c;

	assert_int_equal(write(g5.fd, hdr, sizeof(hdr)), sizeof(hdr));
	harness_turn(h);
	assert_int_equal(recv(g5.fd, &c, 1, 0), 0);
	assert_int_equal(harness_req_str(h, &d0, XS_GET_DOMAIN_PATH, 0, "1", buf),
			 XS_GET_DOMAIN_PATH);
	harness_consistent(h);
}

/* A reply larger than the protocol allows becomes E2BIG. */
static void core_e2big_test(void **state)
{
	char path[64];
	int i;

	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/big/child-number-%04d-with-padding", i);
		harness_write(h, &d0, 0, path, "", buf);
	}
	assert_int_equal(harness_req_str(h, &d0, XS_DIRECTORY, 0, "/big", buf), XS_ERROR);
	assert_string_equal(buf, "E2BIG");
	assert_int_equal(harness_req(h, &d0, XS_DIRECTORY_PART, 0,
				     "/big\0"
				     "0",
				     7, buf),
			 XS_DIRECTORY_PART);
}

/* A guest that does not read its replies is not read beyond the outstanding quota. */
static void core_outstanding_test(void **state)
{
	int i, replies = 0, sndbuf = 1;

	/* A tiny socket buffer on the daemon's side: replies pile up in its queue. */
	assert_int_equal(setsockopt(g5.conn->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)),
			 0);
	for (i = 0; i < 60; i++)
		harness_send(&g5, XS_GET_DOMAIN_PATH, 0, "5", 2);
	for (i = 0; i < 50; i++)
		harness_turn(h);
	assert_int_equal(domain_get(&h->s, 5)->nr_outstanding, h->s.quota[QUOTA_OUTSTANDING]);
	assert_false(domain_conn_may_read(g5.conn));
	harness_consistent(h);
	/* Reading the replies lets the daemon read the rest. */
	for (i = 0; i < 1000 && replies < 60; i++) {
		harness_turn(h);
		while (harness_recv(&g5, buf, NULL) == XS_GET_DOMAIN_PATH)
			replies++;
	}
	assert_int_equal(replies, 60);
	assert_int_equal(domain_get(&h->s, 5)->nr_outstanding, 0);
}

/* Identical unsent events are queued once; special ones each time; oversized dropped. */
static void core_event_queue_test(void **state)
{
	char token[STORED_PAYLOAD_MAX];

	assert_true(conn_queue_event(g5.conn, "/a", "t", false));
	assert_true(conn_queue_event(g5.conn, "/a", "t", false));
	assert_int_equal(g5.conn->nr_out_events, 1);
	assert_true(conn_queue_event(g5.conn, "/a", "u", false));
	assert_int_equal(g5.conn->nr_out_events, 2);
	assert_true(conn_queue_event(g5.conn, "@releaseDomain", "t", true));
	assert_true(conn_queue_event(g5.conn, "@releaseDomain", "t", true));
	assert_int_equal(g5.conn->nr_out_events, 4);
	memset(token, 't', sizeof(token) - 1);
	token[sizeof(token) - 1] = '\0';
	assert_false(conn_queue_event(g5.conn, "/a", token, false));
	assert_int_equal(g5.conn->nr_out_events, 4);
	harness_consistent(h);
	harness_turn(h);
	assert_int_equal(g5.conn->nr_out_events, 0);
	harness_consistent(h);
}

/* Unread events of an unprivileged reader expire. */
static void core_event_expiry_test(void **state)
{
	g5.conn->store->quota[QUOTA_WATCH_EVENT_S] = 1;
	conn_queue_event(g5.conn, "/a", "t", false);
	conn_expire_events(&h->s, evloop_now_ms() + 500, 1000);
	assert_int_equal(g5.conn->nr_out_events, 1);
	conn_expire_events(&h->s, evloop_now_ms() + 1000, 1000);
	assert_int_equal(g5.conn->nr_out_events, 0);
	harness_consistent(h);
}

/* WATCH with a depth: depth 0 sees only the node itself. */
static void core_watch_depth_test(void **state)
{
	uint32_t len;
	int t;

	assert_int_equal(harness_req(h, &d0, XS_WATCH, 0,
				     "/w\0d0\0"
				     "0",
				     8, buf),
			 XS_WATCH);
	assert_int_equal(harness_req(h, &d0, XS_WATCH, 0,
				     "/w\0d1\0"
				     "1",
				     8, buf),
			 XS_WATCH);
	while (harness_recv(&d0, buf, NULL) != -1)
		;
	harness_send(&d0, XS_WRITE, 0,
		     "/w/a/b\0"
		     "1",
		     8);
	harness_send(&d0, XS_WRITE, 0,
		     "/w/c\0"
		     "1",
		     6);
	harness_send(&d0, XS_WRITE, 0,
		     "/w\0"
		     "1",
		     4);
	harness_turn(h);
	/* Expected: d1 on /w/c, d0 and d1 on /w; nothing for /w/a/b (depth 2). */
	{
		int d0_events = 0, d1_events = 0;

		while ((t = harness_recv(&d0, buf, &len)) != -1) {
			if (t != XS_WATCH_EVENT)
				continue;
			assert_string_not_equal(buf, "/w/a/b");
			if (!strcmp(buf + strlen(buf) + 1, "d0"))
				d0_events++;
			else
				d1_events++;
		}
		assert_int_equal(d0_events, 1);
		assert_int_equal(d1_events, 2);
	}
	assert_int_equal(harness_req(h, &d0, XS_WATCH, 0,
				     "/w\0dx\0"
				     "-1",
				     9, buf),
			 XS_ERROR);
	assert_string_equal(buf, "EINVAL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(core_split_header_test, setup, teardown),
		cmocka_unit_test_setup_teardown(core_reply_header_test, setup, teardown),
		cmocka_unit_test_setup_teardown(core_dispatch_errors_test, setup, teardown),
		cmocka_unit_test_setup_teardown(core_oversize_test, setup, teardown),
		cmocka_unit_test_setup_teardown(core_e2big_test, setup, teardown),
		cmocka_unit_test_setup_teardown(core_outstanding_test, setup, teardown),
		cmocka_unit_test_setup_teardown(core_event_queue_test, setup, teardown),
		cmocka_unit_test_setup_teardown(core_event_expiry_test, setup, teardown),
		cmocka_unit_test_setup_teardown(core_watch_depth_test, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
