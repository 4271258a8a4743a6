/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for lib/hv_sim.c, the simulator back end of lib/hv.h, against
 * a scripted fake server on a Unix socket (a thread of this test): request
 * splitting, short counts, error mapping, protocol violations, batching of
 * the domain list.
 */
#include "config.h"

#include "../../tests/cmocka_all.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hv.h"
#include "hv_sim.h"
#include "hvsim_proto.h"
#include "xmem_err.h"

/*
 * The fake hypervisor: given a request, fill the reply header (status, and
 * anything to corrupt) and payload. Returning -1 hangs up instead.
 */
typedef int fake_fn(const struct hvsim_hdr *req, const uint8_t *payload, struct hvsim_hdr *rep,
		    uint8_t *rep_payload);

static fake_fn *fake;
static char fake_dir[64];
static int fake_listen_fd = -1;
static volatile int fake_conn_fd = -1; /* the connection being served */
static pthread_t fake_thread;
static uint64_t fake_budget;	  /* extents the fake hypervisor still grants */
static unsigned int fake_nr_reqs; /* requests seen */
static uint64_t fake_sizes[16];	  /* nr_extents of the first memop requests */

/* Serve one connection at a time until the listening socket is shut down. */
static void *fake_serve(void *arg)
{
	static uint8_t payload[HVSIM_MAX_PAYLOAD], rep_payload[HVSIM_MAX_PAYLOAD];
	struct hvsim_hdr req, rep;
	int fd;

	while ((fd = accept(fake_listen_fd, NULL, NULL)) >= 0) {
		fake_conn_fd = fd;
		while (hvsim_read_full(fd, &req, sizeof(req)) == 0 && req.len <= sizeof(payload) &&
		       hvsim_read_full(fd, payload, req.len) == 0) {
			fake_nr_reqs++;
			hvsim_hdr_init(&rep, req.op, req.req_id, 0, 0);
			if (fake(&req, payload, &rep, rep_payload) < 0)
				break;
			if (send(fd, &rep, sizeof(rep), MSG_NOSIGNAL) != (ssize_t)sizeof(rep) ||
			    (rep.len &&
			     send(fd, rep_payload, rep.len, MSG_NOSIGNAL) != (ssize_t)rep.len))
				break;
		}
		fake_conn_fd = -1;
		close(fd);
	}
	return NULL;
}

static int setup(void **state)
{
	struct sockaddr_un sun;

	snprintf(fake_dir, sizeof(fake_dir), "/tmp/test_hv_sim.XXXXXX");
	if (!mkdtemp(fake_dir))
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/socket", fake_dir);
	fake_listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fake_listen_fd < 0 || bind(fake_listen_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(fake_listen_fd, 4) < 0)
		return -1;
	fake_nr_reqs = 0;
	memset(fake_sizes, 0, sizeof(fake_sizes));
	return pthread_create(&fake_thread, NULL, fake_serve, NULL) ? -1 : 0;
}

static int teardown(void **state)
{
	char path[128];

	shutdown(fake_listen_fd, SHUT_RDWR);
	if (fake_conn_fd >= 0) /* a failed test may have left its client connected */
		shutdown(fake_conn_fd, SHUT_RDWR);
	pthread_join(fake_thread, NULL);
	close(fake_listen_fd);
	snprintf(path, sizeof(path), "%s/socket", fake_dir);
	unlink(path);
	rmdir(fake_dir);
	return 0;
}

/* Grant reservation extents from fake_budget; answer frames 1000, 1001, ... */
static int fake_memop(const struct hvsim_hdr *req, const uint8_t *payload, struct hvsim_hdr *rep,
		      uint8_t *rep_payload)
{
	struct hvsim_memop_req mreq;
	struct hvsim_memop_rep mrep = { 0 };
	uint64_t i, f;

	memcpy(&mreq, payload, sizeof(mreq));
	if (fake_nr_reqs <= 16)
		fake_sizes[fake_nr_reqs - 1] = mreq.nr_extents;
	mrep.nr_done = mreq.nr_extents < fake_budget ? mreq.nr_extents : fake_budget;
	fake_budget -= mrep.nr_done;
	memcpy(rep_payload, &mrep, sizeof(mrep));
	rep->len = sizeof(mrep);
	if (req->op != HVSIM_OP_DECREASE) {
		for (i = 0; i < mrep.nr_done; i++) {
			f = 1000 + i;
			memcpy(rep_payload + sizeof(mrep) + i * 8, &f, 8);
		}
		rep->len += (uint32_t)(mrep.nr_done * 8);
	}
	return 0;
}

/* Big calls go in pieces of at most HVSIM_MAX_EXTENTS and stop at the first short one. */
static void hv_sim_memop_pieces_test(void **state)
{
	static uint64_t frames[10000];
	struct hv *h;

	fake = fake_memop;
	fake_budget = 9000;
	/* No DIR/domain/0/socket here: a guest handle cannot be opened. */
	assert_null(hv_open_sim_guest(fake_dir, 0));
	h = hv_open_sim(fake_dir);
	assert_non_null(h);
	/* Through the ops: hv.c's guest-only check is not what is tested here. */
	assert_int_equal(h->ops->increase_reservation(h, 10000, 0, frames), 9000);
	assert_int_equal(fake_nr_reqs, 3);
	assert_int_equal(fake_sizes[0], HVSIM_MAX_EXTENTS);
	assert_int_equal(fake_sizes[1], HVSIM_MAX_EXTENTS);
	assert_int_equal(fake_sizes[2], 10000 - 2 * HVSIM_MAX_EXTENTS);
	assert_int_equal(frames[0], 1000);
	assert_int_equal(frames[HVSIM_MAX_EXTENTS], 1000); /* second piece's first */
	assert_int_equal(frames[8999], 1000 + 8999 - 2 * HVSIM_MAX_EXTENTS);
	/* Too many extents to encode: nothing is sent, 0 done, as Xen. */
	assert_int_equal(h->ops->populate_physmap(h, (unsigned long)UINT_MAX, 0, frames), 0);
	assert_int_equal(fake_nr_reqs, 3);
	fake_budget = 5;
	assert_int_equal(h->ops->decrease_reservation(h, 8, 0, frames), 5);
	hv_close(h);
}

/* Reply with a status taken from the request's claim size. */
static int fake_status(const struct hvsim_hdr *req, const uint8_t *payload, struct hvsim_hdr *rep,
		       uint8_t *rep_payload)
{
	struct hvsim_claim_req creq;

	if (req->op != HVSIM_OP_CLAIM)
		return 0;
	memcpy(&creq, payload, sizeof(creq));
	rep->status = (int32_t)creq.nr_pages;
	return 0;
}

/* Daemon errnos become XMEM_ERR_* codes callers can act on. */
static void hv_sim_error_mapping_test(void **state)
{
	struct hv *h;

	fake = fake_status;
	h = hv_open_sim(fake_dir);
	assert_non_null(h);
	assert_int_equal(hv_claim_pages(h, 1, 0), 0);
	assert_int_equal(hv_claim_pages(h, 1, ESRCH), XMEM_ERR_NOTFOUND);
	assert_int_equal(hv_claim_pages(h, 1, ENOMEM), XMEM_ERR_NOSPACE);
	assert_int_equal(hv_claim_pages(h, 1, EINVAL), XMEM_ERR_INVAL);
	assert_int_equal(hv_claim_pages(h, 1, EPERM), XMEM_ERR_PERM);
	assert_int_equal(hv_claim_pages(h, 1, EEXIST), XMEM_ERR_EXISTS);
	assert_int_equal(hv_claim_pages(h, 1, ENOSYS), XMEM_ERR_UNSUPPORTED);
	hv_close(h);
}

/* Corrupt replies in the ways named by the claim size. */
static int fake_liar(const struct hvsim_hdr *req, const uint8_t *payload, struct hvsim_hdr *rep,
		     uint8_t *rep_payload)
{
	struct hvsim_memop_rep mrep = { .nr_done = 99 };

	switch (req->op) {
	case HVSIM_OP_INCREASE: /* more extents done than asked */
		memcpy(rep_payload, &mrep, sizeof(mrep));
		rep->len = sizeof(mrep) + 99 * 8;
		return 0;
	case HVSIM_OP_CLAIM: /* an answer to another request */
		rep->req_id++;
		return 0;
	case HVSIM_OP_PHYSINFO: /* a reply of the wrong size */
		rep->len = 3;
		return 0;
	default: /* hang up */
		return -1;
	}
}

/* A lying or vanishing daemon is a protocol or I/O error, never a crash. */
static void hv_sim_protocol_errors_test(void **state)
{
	struct hv_physinfo info;
	uint64_t frames[4], pages;
	struct hv *h;

	fake = fake_liar;
	h = hv_open_sim(fake_dir);
	assert_non_null(h);
	assert_int_equal(h->ops->increase_reservation(h, 4, 0, frames), XMEM_ERR_PROTO);
	assert_int_equal(hv_physinfo(h, &info), XMEM_ERR_PROTO);
	assert_int_equal(hv_claim_pages(h, 1, 5), XMEM_ERR_PROTO);
	/* The connection is dropped after a mismatched reply. */
	assert_int_equal(hv_claim_pages(h, 1, 5), XMEM_ERR_IO);
	hv_close(h);
	h = hv_open_sim(fake_dir);
	assert_non_null(h);
	assert_int_equal(h->ops->current_reservation(h, &pages), XMEM_ERR_IO);
	hv_close(h);
}

/* A fake host with domains 0, 3, 6, ... below 3 * 700. */
static int fake_list(const struct hvsim_hdr *req, const uint8_t *payload, struct hvsim_hdr *rep,
		     uint8_t *rep_payload)
{
	struct hvsim_list_req lreq;
	struct hvsim_list_rep lrep = { 0 };
	struct hvsim_dominfo info;
	uint32_t domid;

	memcpy(&lreq, payload, sizeof(lreq));
	if (fake_nr_reqs <= 16)
		fake_sizes[fake_nr_reqs - 1] = lreq.first_domid;
	for (domid = lreq.first_domid;
	     domid < 3 * 700 && lrep.nr < lreq.max_infos && lrep.nr < HVSIM_MAX_DOMINFO; domid++) {
		if (domid % 3)
			continue;
		memset(&info, 0, sizeof(info));
		info.domid = domid;
		info.tot_pages = domid * 10;
		memcpy(rep_payload + sizeof(lrep) + lrep.nr * sizeof(info), &info, sizeof(info));
		lrep.nr++;
	}
	memcpy(rep_payload, &lrep, sizeof(lrep));
	rep->len = (uint32_t)(sizeof(lrep) + lrep.nr * sizeof(info));
	return 0;
}

/* Long domain lists come in batches, each after the last domid received. */
static void hv_sim_domain_list_batches_test(void **state)
{
	static struct hv_dominfo infos[1000];
	struct hv *h;
	size_t nr = 0;

	fake = fake_list;
	h = hv_open_sim(fake_dir);
	assert_non_null(h);
	assert_int_equal(hv_domain_list(h, 0, infos, 1000, &nr), 0);
	assert_int_equal(nr, 700);
	assert_int_equal(infos[699].domid, 3 * 699);
	assert_int_equal(infos[699].tot_pages, 3 * 699 * 10);
	assert_int_equal(fake_nr_reqs, 3);
	assert_int_equal(fake_sizes[1], 3 * 255 + 1);
	assert_int_equal(fake_sizes[2], 3 * 511 + 1);
	assert_int_equal(hv_domain_info(h, 4, infos), XMEM_ERR_NOTFOUND);
	assert_int_equal(hv_domain_info(h, 6, infos), 0);
	hv_close(h);
}

/* Guest handles cannot make host-side calls; nothing is even sent. */
static void hv_sim_guest_handle_test(void **state)
{
	struct hv_physinfo info;
	char path[128];
	struct hv *h;

	fake = fake_status;
	snprintf(path, sizeof(path), "%s/domain", fake_dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/domain/7", fake_dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/domain/7/socket", fake_dir);
	assert_int_equal(symlink("../../socket", path), 0);
	h = hv_open_sim_guest(fake_dir, 7);
	assert_non_null(h);
	assert_int_equal(h->domid, 7);
	assert_int_equal(h->privileged, 0);
	assert_int_equal(hv_physinfo(h, &info), XMEM_ERR_PERM);
	assert_int_equal(hv_domain_destroy(h, 7), XMEM_ERR_PERM);
	assert_int_equal(fake_nr_reqs, 0);
	assert_int_equal(hv_sim_ping(h), 0);
	hv_close(h);
	unlink(path);
	snprintf(path, sizeof(path), "%s/domain/7", fake_dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/domain", fake_dir);
	rmdir(path);
	assert_null(hv_open_sim_guest(fake_dir, HV_DOMID_FIRST_RESERVED));
	assert_int_equal(errno, EINVAL);
}

/* hvsim_read_full gathers a message sent in pieces, and a stream that ends early is an error. */
static void hvsim_read_full_test(void **state)
{
	char buf[8];
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], "abc", 3), 3);
	assert_int_equal(write(sv[0], "defg", 4), 4);
	assert_int_equal(hvsim_read_full(sv[1], buf, 7), 0);
	assert_memory_equal(buf, "abcdefg", 7);
	assert_int_equal(write(sv[0], "xy", 2), 2);
	close(sv[0]);
	assert_int_equal(hvsim_read_full(sv[1], buf, 4), XMEM_ERR_IO);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hv_sim_memop_pieces_test, setup, teardown),
		cmocka_unit_test_setup_teardown(hv_sim_error_mapping_test, setup, teardown),
		cmocka_unit_test_setup_teardown(hv_sim_protocol_errors_test, setup, teardown),
		cmocka_unit_test_setup_teardown(hv_sim_domain_list_batches_test, setup, teardown),
		cmocka_unit_test_setup_teardown(hv_sim_guest_handle_test, setup, teardown),
		cmocka_unit_test(hvsim_read_full_test),
	};

	signal(SIGPIPE, SIG_IGN); /* the fake may answer a client that already hung up */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
