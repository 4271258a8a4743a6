/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for tools/hvsim/dispatch.c: framing, permissions and payload
 * checks of xmem-hvsim's requests, including malformed ones.
 */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "domain.h"
#include "hvsim_proto.h"
#include "log.h"
#include "sim.h"

static uint8_t in[HVSIM_MAX_MSG + 64];
static uint64_t rep_words[HVSIM_MAX_MSG / 8 + 1];
#define REP ((uint8_t *)rep_words)

/* Build a request in `in`: header, fixed part, extra bytes. Returns its length. */
static size_t build(unsigned int op, const void *req, size_t req_len, const void *extra,
		    size_t extra_len)
{
	struct hvsim_hdr hdr;

	hvsim_hdr_init(&hdr, (uint16_t)op, 42, 0, (uint32_t)(req_len + extra_len));
	memcpy(in, &hdr, sizeof(hdr));
	if (req_len)
		memcpy(in + sizeof(hdr), req, req_len);
	if (extra_len)
		memcpy(in + sizeof(hdr) + req_len, extra, extra_len);
	return sizeof(hdr) + req_len + extra_len;
}

/* Run one complete request as who; returns the reply status, header in *hdr_r. */
static int run(struct hvsim *sim, uint32_t who, size_t len, struct hvsim_hdr *hdr_r)
{
	size_t used = 0, rep_len = 0;

	assert_int_equal(dispatch_next(sim, who, in, len, &used, REP, &rep_len), DISPATCH_REPLY);
	assert_int_equal(used, len);
	memcpy(hdr_r, REP, sizeof(*hdr_r));
	assert_int_equal(hdr_r->req_id, 42);
	assert_int_equal(rep_len, sizeof(*hdr_r) + hdr_r->len);
	return hdr_r->status;
}

static int setup(void **state)
{
	struct hvsim *sim = NULL;

	log_init("test_dispatch", LOG_TO_CLI, 0);
	if (sim_new(8192, 256, 1024, &sim) || domain_create(sim, 1, 4096, 100))
		return -1;
	*state = sim;
	return 0;
}

static int teardown(void **state)
{
	sim_free(*state);
	return 0;
}

/* Part of a header or payload asks for more input and consumes nothing. */
static void dispatch_partial_input_test(void **state)
{
	struct hvsim_create_req req = { .domid = 2, .max_pages = 10, .initial_pages = 1 };
	size_t len = build(HVSIM_OP_CREATE, &req, sizeof(req), NULL, 0), used = 1, rep_len = 1;
	size_t cut;

	for (cut = 0; cut < len; cut++) {
		assert_int_equal(
			dispatch_next(*state, DISPATCH_PRIV, in, cut, &used, REP, &rep_len),
			DISPATCH_MORE);
		assert_int_equal(used, 0);
		assert_int_equal(rep_len, 0);
	}
	assert_null(domain_find(*state, 2));
}

/* A broken header closes the stream with an error naming the fault. */
static void dispatch_bad_header_test(void **state)
{
	struct hvsim_hdr hdr;
	size_t used, rep_len;

	hvsim_hdr_init(&hdr, HVSIM_OP_PING, 42, 0, 0);
	hdr.magic ^= 1;
	memcpy(in, &hdr, sizeof(hdr));
	assert_int_equal(
		dispatch_next(*state, DISPATCH_PRIV, in, sizeof(hdr), &used, REP, &rep_len),
		DISPATCH_CLOSE);
	memcpy(&hdr, REP, sizeof(hdr));
	assert_int_equal(hdr.status, EPROTO);

	hvsim_hdr_init(&hdr, HVSIM_OP_PING, 42, 0, 0);
	hdr.version = HVSIM_PROTO_VERSION + 1;
	memcpy(in, &hdr, sizeof(hdr));
	assert_int_equal(
		dispatch_next(*state, DISPATCH_PRIV, in, sizeof(hdr), &used, REP, &rep_len),
		DISPATCH_CLOSE);
	memcpy(&hdr, REP, sizeof(hdr));
	assert_int_equal(hdr.status, EPROTONOSUPPORT);
	assert_int_equal(hdr.version, HVSIM_PROTO_VERSION);

	/* Oversize: refused from the header alone, before any payload arrives. */
	hvsim_hdr_init(&hdr, HVSIM_OP_DECREASE, 42, 0, HVSIM_MAX_PAYLOAD + 1);
	memcpy(in, &hdr, sizeof(hdr));
	assert_int_equal(dispatch_next(*state, 1, in, sizeof(hdr), &used, REP, &rep_len),
			 DISPATCH_CLOSE);
	memcpy(&hdr, REP, sizeof(hdr));
	assert_int_equal(hdr.status, EMSGSIZE);
	assert_int_equal(rep_len, sizeof(hdr));
}

/* Unknown ops and wrong payload sizes get errors, the stream stays usable. */
static void dispatch_bad_payload_test(void **state)
{
	struct hvsim_hdr hdr;
	struct hvsim_create_req req = { .domid = 2, .max_pages = 10, .initial_pages = 1 };
	size_t len;

	len = build(0, NULL, 0, NULL, 0);
	assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), ENOSYS);
	len = build(HVSIM_OP_NR, NULL, 0, NULL, 0);
	assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), ENOSYS);
	len = build(0xFFFF, NULL, 0, NULL, 0);
	assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), ENOSYS);
	len = build(HVSIM_OP_CREATE, &req, sizeof(req) - 1, NULL, 0);
	assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), EINVAL);
	len = build(HVSIM_OP_CREATE, &req, sizeof(req), "x", 1);
	assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), EINVAL);
	len = build(HVSIM_OP_PHYSINFO, "x", 1, NULL, 0);
	assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), EINVAL);
	assert_null(domain_find(*state, 2));
	len = build(HVSIM_OP_CREATE, &req, sizeof(req), NULL, 0);
	assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), 0);
	assert_non_null(domain_find(*state, 2));
	assert_int_equal(hdr.len, 0);
}

/* Privileged ops only on the privileged socket, reservation ops only on a domain's. */
static void dispatch_permissions_test(void **state)
{
	struct hvsim_domid_req dreq = { .domid = 1 };
	struct hvsim_memop_req mreq = { .nr_extents = 1, .extent_order = 0 };
	struct hvsim_hdr hdr;
	size_t len;

	len = build(HVSIM_OP_DESTROY, &dreq, sizeof(dreq), NULL, 0);
	assert_int_equal(run(*state, 1, len, &hdr), EPERM);
	assert_non_null(domain_find(*state, 1));
	len = build(HVSIM_OP_PHYSINFO, NULL, 0, NULL, 0);
	assert_int_equal(run(*state, 1, len, &hdr), EPERM);
	len = build(HVSIM_OP_CHECK, NULL, 0, NULL, 0);
	assert_int_equal(run(*state, 1, len, &hdr), EPERM);
	{
		struct hvsim_flags_req freq = { .domid = 1, .flags = HV_DOMF_PAUSED };

		len = build(HVSIM_OP_SET_FLAGS, &freq, sizeof(freq), NULL, 0);
		assert_int_equal(run(*state, 1, len, &hdr), EPERM);
		assert_int_equal(domain_find(*state, 1)->flags, 0);
		assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), 0);
		assert_int_equal(domain_find(*state, 1)->flags, HV_DOMF_PAUSED);
	}
	len = build(HVSIM_OP_INCREASE, &mreq, sizeof(mreq), NULL, 0);
	assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), EPERM);
	/* A domain that no longer exists. */
	assert_int_equal(run(*state, 7, len, &hdr), ESRCH);
	assert_int_equal(run(*state, 1, len, &hdr), 0);
	len = build(HVSIM_OP_PING, NULL, 0, NULL, 0);
	assert_int_equal(run(*state, 1, len, &hdr), 0);
	assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), 0);
}

/* Reservation requests: bounded nr_extents, exact frame arrays, counts and frames back. */
static void dispatch_memop_test(void **state)
{
	struct hvsim_memop_req mreq = { .nr_extents = 3, .extent_order = 0 };
	struct hvsim_memop_rep mrep;
	struct hvsim_pages_rep prep;
	struct hvsim_hdr hdr;
	uint64_t frames[3];
	size_t len;

	len = build(HVSIM_OP_INCREASE, &mreq, sizeof(mreq), NULL, 0);
	assert_int_equal(run(*state, 1, len, &hdr), 0);
	assert_int_equal(hdr.len, sizeof(mrep) + 3 * sizeof(uint64_t));
	memcpy(&mrep, REP + sizeof(hdr), sizeof(mrep));
	assert_int_equal(mrep.nr_done, 3);
	memcpy(frames, REP + sizeof(hdr) + sizeof(mrep), sizeof(frames));

	/* Frame arrays must match nr_extents exactly. */
	len = build(HVSIM_OP_DECREASE, &mreq, sizeof(mreq), frames, 2 * sizeof(uint64_t));
	assert_int_equal(run(*state, 1, len, &hdr), EINVAL);
	len = build(HVSIM_OP_INCREASE, &mreq, sizeof(mreq), frames, sizeof(frames));
	assert_int_equal(run(*state, 1, len, &hdr), EINVAL);
	mreq.nr_extents = HVSIM_MAX_EXTENTS + 1;
	len = build(HVSIM_OP_INCREASE, &mreq, sizeof(mreq), NULL, 0);
	assert_int_equal(run(*state, 1, len, &hdr), EINVAL);
	mreq.nr_extents = UINT64_MAX;
	len = build(HVSIM_OP_INCREASE, &mreq, sizeof(mreq), NULL, 0);
	assert_int_equal(run(*state, 1, len, &hdr), EINVAL);
	mreq.nr_extents = 3;
	mreq.mem_flags = 1;
	len = build(HVSIM_OP_INCREASE, &mreq, sizeof(mreq), NULL, 0);
	assert_int_equal(run(*state, 1, len, &hdr), EINVAL);
	mreq.mem_flags = 0;
	len = build(HVSIM_OP_DECREASE, &mreq, 4, NULL, 0);
	assert_int_equal(run(*state, 1, len, &hdr), EINVAL);

	/* Order beyond the guest limit: zero extents, status 0, as the hypercall. */
	mreq.extent_order = 10;
	len = build(HVSIM_OP_DECREASE, &mreq, sizeof(mreq), frames, sizeof(frames));
	assert_int_equal(run(*state, 1, len, &hdr), 0);
	memcpy(&mrep, REP + sizeof(hdr), sizeof(mrep));
	assert_int_equal(mrep.nr_done, 0);

	/* Give back two of three; the third is given twice: a short count. */
	mreq.extent_order = 0;
	frames[2] = frames[1];
	len = build(HVSIM_OP_DECREASE, &mreq, sizeof(mreq), frames, sizeof(frames));
	assert_int_equal(run(*state, 1, len, &hdr), 0);
	assert_int_equal(hdr.len, sizeof(mrep));
	memcpy(&mrep, REP + sizeof(hdr), sizeof(mrep));
	assert_int_equal(mrep.nr_done, 2);

	len = build(HVSIM_OP_CUR_RES, NULL, 0, NULL, 0);
	assert_int_equal(run(*state, 1, len, &hdr), 0);
	memcpy(&prep, REP + sizeof(hdr), sizeof(prep));
	assert_int_equal(prep.nr_pages, 101);
	len = build(HVSIM_OP_MAX_RES, NULL, 0, NULL, 0);
	assert_int_equal(run(*state, 1, len, &hdr), 0);
	memcpy(&prep, REP + sizeof(hdr), sizeof(prep));
	assert_int_equal(prep.nr_pages, 4096);
}

/* The domain list is bounded per reply whatever the client asks. */
static void dispatch_list_bounded_test(void **state)
{
	struct hvsim_list_req lreq = { .first_domid = 0, .max_infos = UINT32_MAX };
	struct hvsim_list_rep lrep;
	struct hvsim_hdr hdr;
	size_t len;
	uint32_t domid;

	for (domid = 2; domid < 2 + HVSIM_MAX_DOMINFO + 10; domid++)
		assert_int_equal(domain_create(*state, domid, 1, 0), 0);
	len = build(HVSIM_OP_DOMAIN_LIST, &lreq, sizeof(lreq), NULL, 0);
	assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), 0);
	memcpy(&lrep, REP + sizeof(hdr), sizeof(lrep));
	assert_int_equal(lrep.nr, HVSIM_MAX_DOMINFO);
	lreq.first_domid = 0x7FF0;
	len = build(HVSIM_OP_DOMAIN_LIST, &lreq, sizeof(lreq), NULL, 0);
	assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), 0);
	memcpy(&lrep, REP + sizeof(hdr), sizeof(lrep));
	assert_int_equal(lrep.nr, 0);
	lreq.first_domid = UINT32_MAX;
	len = build(HVSIM_OP_DOMAIN_LIST, &lreq, sizeof(lreq), NULL, 0);
	assert_int_equal(run(*state, DISPATCH_PRIV, len, &hdr), 0);
}

/* Two requests back to back: the first is answered, the second left for later. */
static void dispatch_pipelined_test(void **state)
{
	struct hvsim_hdr hdr;
	size_t one = build(HVSIM_OP_PING, NULL, 0, NULL, 0), used, rep_len;

	memcpy(in + one, in, one);
	assert_int_equal(dispatch_next(*state, 1, in, 2 * one - 1, &used, REP, &rep_len),
			 DISPATCH_REPLY);
	assert_int_equal(used, one);
	memcpy(&hdr, REP, sizeof(hdr));
	assert_int_equal(hdr.status, 0);
	assert_int_equal(dispatch_next(*state, 1, in + one, one - 1, &used, REP, &rep_len),
			 DISPATCH_MORE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(dispatch_partial_input_test, setup, teardown),
		cmocka_unit_test_setup_teardown(dispatch_bad_header_test, setup, teardown),
		cmocka_unit_test_setup_teardown(dispatch_bad_payload_test, setup, teardown),
		cmocka_unit_test_setup_teardown(dispatch_permissions_test, setup, teardown),
		cmocka_unit_test_setup_teardown(dispatch_memop_test, setup, teardown),
		cmocka_unit_test_setup_teardown(dispatch_list_bounded_test, setup, teardown),
		cmocka_unit_test_setup_teardown(dispatch_pipelined_test, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
