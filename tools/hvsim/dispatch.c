/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dispatch.c: the request table of xmem-hvsim (see dispatch.h).
 *
 * Every request is checked once here: header, the caller's right to the op
 * (privileged ops only from the privileged socket, reservation ops only from
 * a domain's own socket, acting on that domain), and the exact payload size.
 * Handlers then read fixed structs copied out of the input (the input is not
 * assumed aligned) and return 0 or a positive errno, which becomes the
 * reply's status. A reservation request always gets status 0 and the count
 * of extents done, as the hypercall does; only a malformed one gets EINVAL.
 * In debug builds the invariants are checked after every request
 * (sim_check_after_request).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "claim.h"
#include "dispatch.h"
#include "domain.h"
#include "hvsim_proto.h"
#include "log.h"
#include "memop.h"
#include "sim.h"

/* Who may send an op. */
#define DISPATCH_WHO_ANY    0u
#define DISPATCH_WHO_PRIV   1u
#define DISPATCH_WHO_DOMAIN 2u

struct dispatch_req {
	struct hvsim *sim;
	struct domain *d; /* the caller's domain (domain sockets) */
	unsigned int op;
	const uint8_t *payload;
	size_t len;
	uint8_t *rep; /* reply payload, 8-byte aligned, HVSIM_MAX_PAYLOAD bytes */
	size_t rep_len;
};

struct dispatch_op {
	int (*fn)(struct dispatch_req *rq);
	unsigned int who;
	size_t len; /* exact payload length; SIZE_MAX: the handler checks */
};

/* Empty request, empty reply. */
static int do_ping(struct dispatch_req *rq)
{
	return 0;
}

static int do_physinfo(struct dispatch_req *rq)
{
	struct hvsim_physinfo_rep info;

	sim_physinfo(rq->sim, &info);
	memcpy(rq->rep, &info, sizeof(info));
	rq->rep_len = sizeof(info);
	return 0;
}

static int do_domain_list(struct dispatch_req *rq)
{
	struct hvsim_list_req req;
	struct hvsim_list_rep rep;
	struct hvsim_dominfo *infos = (struct hvsim_dominfo *)(void *)(rq->rep + sizeof(rep));
	size_t max;

	memcpy(&req, rq->payload, sizeof(req));
	max = req.max_infos < HVSIM_MAX_DOMINFO ? req.max_infos : HVSIM_MAX_DOMINFO;
	memset(&rep, 0, sizeof(rep));
	rep.nr = (uint32_t)domain_list(rq->sim, req.first_domid, infos, max);
	memcpy(rq->rep, &rep, sizeof(rep));
	rq->rep_len = sizeof(rep) + rep.nr * sizeof(*infos);
	return 0;
}

static int do_set_maxmem(struct dispatch_req *rq)
{
	struct hvsim_maxmem_req req;

	memcpy(&req, rq->payload, sizeof(req));
	return domain_set_maxmem(rq->sim, req.domid, req.max_kib);
}

static int do_claim(struct dispatch_req *rq)
{
	struct hvsim_claim_req req;
	struct domain *d;

	memcpy(&req, rq->payload, sizeof(req));
	d = domain_find(rq->sim, req.domid);
	if (!d)
		return ESRCH;
	return claim_set(rq->sim, d, req.nr_pages);
}

static int do_create(struct dispatch_req *rq)
{
	struct hvsim_create_req req;

	memcpy(&req, rq->payload, sizeof(req));
	return domain_create(rq->sim, req.domid, req.max_pages, req.initial_pages);
}

static int do_destroy(struct dispatch_req *rq)
{
	struct hvsim_domid_req req;

	memcpy(&req, rq->payload, sizeof(req));
	return domain_destroy(rq->sim, req.domid);
}

static int do_set_flags(struct dispatch_req *rq)
{
	struct hvsim_flags_req req;

	memcpy(&req, rq->payload, sizeof(req));
	return domain_set_flags(rq->sim, req.domid, req.flags);
}

static int do_check(struct dispatch_req *rq)
{
	struct hvsim_check_rep rep;
	int rc;

	rc = sim_check(rq->sim, &rep);
	memcpy(rq->rep, &rep, sizeof(rep));
	rq->rep_len = sizeof(rep);
	return rc;
}

/* increase, decrease and populate: parse, bound, run. */
static int do_memop(struct dispatch_req *rq)
{
	static uint64_t frames_in[HVSIM_MAX_EXTENTS];
	struct hvsim_memop_req req;
	struct hvsim_memop_rep rep;
	uint64_t *frames_out = (uint64_t *)(void *)(rq->rep + sizeof(rep));
	size_t want;

	if (rq->len < sizeof(req))
		return EINVAL;
	memcpy(&req, rq->payload, sizeof(req));
	if (req.nr_extents > HVSIM_MAX_EXTENTS || req.mem_flags)
		return EINVAL;
	want = sizeof(req);
	if (rq->op != HVSIM_OP_INCREASE)
		want += req.nr_extents * sizeof(uint64_t);
	if (rq->len != want)
		return EINVAL;
	memset(&rep, 0, sizeof(rep));
	switch (rq->op) {
	case HVSIM_OP_INCREASE:
		rep.nr_done = memop_increase(rq->sim, rq->d, req.nr_extents, req.extent_order,
					     frames_out);
		rq->rep_len = sizeof(rep) + rep.nr_done * sizeof(uint64_t);
		break;
	case HVSIM_OP_POPULATE:
		memcpy(frames_out, rq->payload + sizeof(req), req.nr_extents * sizeof(uint64_t));
		rep.nr_done = memop_populate(rq->sim, rq->d, req.nr_extents, req.extent_order,
					     frames_out);
		rq->rep_len = sizeof(rep) + rep.nr_done * sizeof(uint64_t);
		break;
	default:
		memcpy(frames_in, rq->payload + sizeof(req), req.nr_extents * sizeof(uint64_t));
		rep.nr_done =
			memop_decrease(rq->sim, rq->d, req.nr_extents, req.extent_order, frames_in);
		rq->rep_len = sizeof(rep);
		break;
	}
	memcpy(rq->rep, &rep, sizeof(rep));
	return 0;
}

/* current_reservation and maximum_reservation of the caller. */
static int do_reservation(struct dispatch_req *rq)
{
	struct hvsim_pages_rep rep;

	memset(&rep, 0, sizeof(rep));
	rep.nr_pages = rq->op == HVSIM_OP_CUR_RES ? rq->d->tot_pages : rq->d->max_pages;
	memcpy(rq->rep, &rep, sizeof(rep));
	rq->rep_len = sizeof(rep);
	return 0;
}

static const struct dispatch_op dispatch_ops[HVSIM_OP_NR] = {
	[HVSIM_OP_PING] = { do_ping, DISPATCH_WHO_ANY, 0 },
	[HVSIM_OP_PHYSINFO] = { do_physinfo, DISPATCH_WHO_PRIV, 0 },
	[HVSIM_OP_DOMAIN_LIST] = { do_domain_list, DISPATCH_WHO_PRIV,
				   sizeof(struct hvsim_list_req) },
	[HVSIM_OP_SET_MAXMEM] = { do_set_maxmem, DISPATCH_WHO_PRIV,
				  sizeof(struct hvsim_maxmem_req) },
	[HVSIM_OP_CLAIM] = { do_claim, DISPATCH_WHO_PRIV, sizeof(struct hvsim_claim_req) },
	[HVSIM_OP_CREATE] = { do_create, DISPATCH_WHO_PRIV, sizeof(struct hvsim_create_req) },
	[HVSIM_OP_DESTROY] = { do_destroy, DISPATCH_WHO_PRIV, sizeof(struct hvsim_domid_req) },
	[HVSIM_OP_CHECK] = { do_check, DISPATCH_WHO_PRIV, 0 },
	[HVSIM_OP_INCREASE] = { do_memop, DISPATCH_WHO_DOMAIN, SIZE_MAX },
	[HVSIM_OP_DECREASE] = { do_memop, DISPATCH_WHO_DOMAIN, SIZE_MAX },
	[HVSIM_OP_POPULATE] = { do_memop, DISPATCH_WHO_DOMAIN, SIZE_MAX },
	[HVSIM_OP_CUR_RES] = { do_reservation, DISPATCH_WHO_DOMAIN, 0 },
	[HVSIM_OP_MAX_RES] = { do_reservation, DISPATCH_WHO_DOMAIN, 0 },
	[HVSIM_OP_SET_FLAGS] = { do_set_flags, DISPATCH_WHO_PRIV, sizeof(struct hvsim_flags_req) },
};

/* Run one well-framed request. Returns its status. */
static int dispatch_run(struct dispatch_req *rq, uint32_t who)
{
	const struct dispatch_op *op;

	if (rq->op >= HVSIM_OP_NR || !dispatch_ops[rq->op].fn)
		return ENOSYS;
	op = &dispatch_ops[rq->op];
	if (op->who == DISPATCH_WHO_PRIV && who != DISPATCH_PRIV)
		return EPERM;
	if (op->who == DISPATCH_WHO_DOMAIN) {
		if (who == DISPATCH_PRIV)
			return EPERM;
		rq->d = domain_find(rq->sim, who);
		if (!rq->d)
			return ESRCH;
	}
	if (op->len != SIZE_MAX && rq->len != op->len)
		return EINVAL;
	return op->fn(rq);
}

enum dispatch_result dispatch_next(struct hvsim *sim, uint32_t who, const uint8_t *in, size_t len,
				   size_t *consumed_r, uint8_t *rep, size_t *rep_len_r)
{
	struct hvsim_hdr hdr, out;
	struct dispatch_req rq;
	int status;

	*consumed_r = 0;
	*rep_len_r = 0;
	if (len < sizeof(hdr))
		return DISPATCH_MORE;
	memcpy(&hdr, in, sizeof(hdr));
	status = hvsim_hdr_check(&hdr);
	if (status) {
		/* Answer in our own version, so the peer can tell what went wrong. */
		hvsim_hdr_init(&out, hdr.op, hdr.req_id, status, 0);
		memcpy(rep, &out, sizeof(out));
		*rep_len_r = sizeof(out);
		*consumed_r = len;
		return DISPATCH_CLOSE;
	}
	if (len - sizeof(hdr) < hdr.len)
		return DISPATCH_MORE;
	memset(&rq, 0, sizeof(rq));
	rq.sim = sim;
	rq.op = hdr.op;
	rq.payload = in + sizeof(hdr);
	rq.len = hdr.len;
	rq.rep = rep + sizeof(hdr);
	status = dispatch_run(&rq, who);
	if (status && rq.op != HVSIM_OP_CHECK)
		rq.rep_len = 0;
#ifdef XMEM_DEBUG
	{
		struct hvsim_check_rep check;

		if (sim_check_after_request(sim, &check))
			fatalx("invariant broken after %s: %s", hvsim_op_name(hdr.op), check.msg);
	}
#endif
	hvsim_hdr_init(&out, hdr.op, hdr.req_id, status, (uint32_t)rq.rep_len);
	memcpy(rep, &out, sizeof(out));
	*rep_len_r = sizeof(out) + rq.rep_len;
	*consumed_r = sizeof(hdr) + hdr.len;
	return DISPATCH_REPLY;
}
