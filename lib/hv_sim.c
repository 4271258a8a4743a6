/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hv_sim.c: the hv.h back end that talks to xmem-hvsim (wire format in
 * hvsim_proto.h).
 *
 * One blocking connection per handle, one request in flight. Reservation
 * calls larger than HVSIM_MAX_EXTENTS are sent in pieces and stop at the
 * first short piece, so the caller sees one hypercall's result. A handle is
 * not thread-safe: each thread opens its own.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "hv.h"
#include "hv_sim.h"
#include "hvsim_proto.h"
#include "xmem_err.h"

/* Xen refuses nr_extents that do not fit beside the continuation index. */
#define HV_SIM_MAX_NR_EXTENTS (UINT_MAX >> 6)

struct hv_sim {
	struct hv base;
	int fd;
	uint32_t next_req_id;
	uint64_t *buf; /* reply payload, HVSIM_MAX_PAYLOAD bytes */
};

static const struct hv_ops hv_sim_ops;

/* Map a reply status (positive errno) to an XMEM_ERR_*. */
static int hv_sim_err(int status)
{
	switch (status) {
	case 0:
		return 0;
	case ESRCH:
		return XMEM_ERR_NOTFOUND;
	case ENOMEM:
		return XMEM_ERR_NOSPACE; /* the host is short, not this process */
	case EUCLEAN:
		return XMEM_ERR_FAIL;
	case ENOSYS:
		return XMEM_ERR_UNSUPPORTED;
	case EPROTO:
	case EPROTONOSUPPORT:
	case EMSGSIZE:
		return XMEM_ERR_PROTO;
	default:
		return xmem_err_from_errno(status);
	}
}

/* Write all of iov. Returns 0 or XMEM_ERR_IO. */
static int hv_sim_send(int fd, struct iovec *iov, int iovcnt)
{
	struct msghdr msg;
	ssize_t r;

	while (iovcnt) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)iovcnt;
		r = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return XMEM_ERR_IO;
		while (iovcnt && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt) {
			iov->iov_base = (char *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

/*
 * One round trip: send op with req (+ extra) and read the reply payload into
 * the handle's buffer. *status_r gets the reply status, *rep_len_r its
 * length. Returns 0 or XMEM_ERR_IO / XMEM_ERR_PROTO (the connection is then
 * unusable).
 */
static int hv_sim_call(struct hv_sim *s, unsigned int op, const void *req, size_t req_len,
		       const void *extra, size_t extra_len, int *status_r, size_t *rep_len_r)
{
	struct hvsim_hdr hdr, rep;
	struct iovec iov[3];
	uint32_t req_id = ++s->next_req_id;
	int rc;

	if (s->fd < 0)
		return XMEM_ERR_IO;
	hvsim_hdr_init(&hdr, (uint16_t)op, req_id, 0, (uint32_t)(req_len + extra_len));
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)req;
	iov[1].iov_len = req_len;
	iov[2].iov_base = (void *)extra;
	iov[2].iov_len = extra_len;
	rc = hv_sim_send(s->fd, iov, extra_len ? 3 : req_len ? 2 : 1);
	if (!rc)
		rc = hvsim_read_full(s->fd, &rep, sizeof(rep));
	if (!rc && (hvsim_hdr_check(&rep) || rep.op != op || rep.req_id != req_id))
		rc = XMEM_ERR_PROTO;
	if (!rc)
		rc = hvsim_read_full(s->fd, s->buf, rep.len);
	if (rc) {
		close(s->fd);
		s->fd = -1;
		return rc;
	}
	*status_r = rep.status;
	*rep_len_r = rep.len;
	return 0;
}

/* A call whose reply is status only, or a fixed struct of rep_len bytes into rep. */
static int hv_sim_simple(struct hv *h, unsigned int op, const void *req, size_t req_len, void *rep,
			 size_t rep_len)
{
	struct hv_sim *s = (struct hv_sim *)h;
	size_t len;
	int status, rc;

	rc = hv_sim_call(s, op, req, req_len, NULL, 0, &status, &len);
	if (rc)
		return rc;
	if (status)
		return hv_sim_err(status);
	if (len != rep_len)
		return XMEM_ERR_PROTO;
	if (rep_len)
		memcpy(rep, s->buf, rep_len);
	return 0;
}

static int hv_sim_physinfo(struct hv *h, struct hv_physinfo *info_r)
{
	struct hvsim_physinfo_rep rep = { 0 };
	int rc;

	rc = hv_sim_simple(h, HVSIM_OP_PHYSINFO, NULL, 0, &rep, sizeof(rep));
	if (rc)
		return rc;
	info_r->total_pages = rep.total_pages;
	info_r->free_pages = rep.free_pages;
	info_r->outstanding_pages = rep.outstanding_pages;
	info_r->scrub_pages = rep.scrub_pages;
	return 0;
}

static int hv_sim_domain_list(struct hv *h, uint32_t first_domid, struct hv_dominfo *infos,
			      size_t max_infos, size_t *nr_r)
{
	struct hv_sim *s = (struct hv_sim *)h;
	struct hvsim_list_req req;
	struct hvsim_list_rep rep;
	const struct hvsim_dominfo *got;
	size_t nr = 0, len, i;
	int status, rc;

	*nr_r = 0;
	while (nr < max_infos && first_domid < HV_DOMID_FIRST_RESERVED) {
		memset(&req, 0, sizeof(req));
		req.first_domid = first_domid;
		req.max_infos = (uint32_t)(max_infos - nr < HVSIM_MAX_DOMINFO ? max_infos - nr
									      : HVSIM_MAX_DOMINFO);
		rc = hv_sim_call(s, HVSIM_OP_DOMAIN_LIST, &req, sizeof(req), NULL, 0, &status,
				 &len);
		if (rc)
			return rc;
		if (status)
			return hv_sim_err(status);
		if (len < sizeof(rep))
			return XMEM_ERR_PROTO;
		memcpy(&rep, s->buf, sizeof(rep));
		if (rep.nr > req.max_infos || len != sizeof(rep) + rep.nr * sizeof(*got))
			return XMEM_ERR_PROTO;
		got = (const struct hvsim_dominfo *)(const void *)((const char *)s->buf +
								   sizeof(rep));
		for (i = 0; i < rep.nr; i++) {
			infos[nr].domid = got[i].domid;
			infos[nr].flags = got[i].flags;
			infos[nr].tot_pages = got[i].tot_pages;
			infos[nr].max_pages = got[i].max_pages;
			infos[nr].outstanding_pages = got[i].outstanding_pages;
			nr++;
		}
		if (rep.nr < req.max_infos || rep.nr == 0)
			break;
		first_domid = got[rep.nr - 1].domid + 1;
	}
	*nr_r = nr;
	return 0;
}

static int hv_sim_set_maxmem(struct hv *h, uint32_t domid, uint64_t max_kib)
{
	struct hvsim_maxmem_req req;

	memset(&req, 0, sizeof(req));
	req.domid = domid;
	req.max_kib = max_kib;
	return hv_sim_simple(h, HVSIM_OP_SET_MAXMEM, &req, sizeof(req), NULL, 0);
}

static int hv_sim_claim_pages(struct hv *h, uint32_t domid, uint64_t nr_pages)
{
	struct hvsim_claim_req req;

	memset(&req, 0, sizeof(req));
	req.domid = domid;
	req.nr_pages = nr_pages;
	return hv_sim_simple(h, HVSIM_OP_CLAIM, &req, sizeof(req), NULL, 0);
}

static int hv_sim_domain_create(struct hv *h, uint32_t domid, uint64_t max_pages,
				uint64_t initial_pages)
{
	struct hvsim_create_req req;

	memset(&req, 0, sizeof(req));
	req.domid = domid;
	req.max_pages = max_pages;
	req.initial_pages = initial_pages;
	return hv_sim_simple(h, HVSIM_OP_CREATE, &req, sizeof(req), NULL, 0);
}

static int hv_sim_domain_destroy(struct hv *h, uint32_t domid)
{
	struct hvsim_domid_req req;

	memset(&req, 0, sizeof(req));
	req.domid = domid;
	return hv_sim_simple(h, HVSIM_OP_DESTROY, &req, sizeof(req), NULL, 0);
}

/*
 * The three reservation ops, in pieces of at most HVSIM_MAX_EXTENTS.
 * frames_in is sent (decrease, populate); frames_out receives the frames
 * (increase, populate; may be NULL for increase).
 */
static long hv_sim_memop(struct hv *h, unsigned int op, unsigned long nr_extents,
			 unsigned int order, const uint64_t *frames_in, uint64_t *frames_out)
{
	struct hv_sim *s = (struct hv_sim *)h;
	struct hvsim_memop_req req;
	struct hvsim_memop_rep rep;
	unsigned long done = 0, piece;
	size_t len;
	int status, rc;

	if (nr_extents > HV_SIM_MAX_NR_EXTENTS)
		return 0;
	while (done < nr_extents) {
		piece = nr_extents - done < HVSIM_MAX_EXTENTS ? nr_extents - done
							      : HVSIM_MAX_EXTENTS;
		memset(&req, 0, sizeof(req));
		req.nr_extents = piece;
		req.extent_order = order;
		rc = hv_sim_call(s, op, &req, sizeof(req), frames_in ? frames_in + done : NULL,
				 frames_in ? piece * sizeof(uint64_t) : 0, &status, &len);
		if (rc)
			return done ? (long)done : rc;
		if (status)
			return done ? (long)done : hv_sim_err(status);
		if (len < sizeof(rep))
			return XMEM_ERR_PROTO;
		memcpy(&rep, s->buf, sizeof(rep));
		if (rep.nr_done > piece)
			return XMEM_ERR_PROTO;
		if (op != HVSIM_OP_DECREASE) {
			if (len != sizeof(rep) + rep.nr_done * sizeof(uint64_t))
				return XMEM_ERR_PROTO;
			if (frames_out)
				memcpy(frames_out + done, s->buf + 1,
				       rep.nr_done * sizeof(uint64_t));
		}
		done += rep.nr_done;
		if (rep.nr_done < piece)
			break;
	}
	return (long)done;
}

static long hv_sim_increase(struct hv *h, unsigned long nr_extents, unsigned int extent_order,
			    uint64_t *frames)
{
	return hv_sim_memop(h, HVSIM_OP_INCREASE, nr_extents, extent_order, NULL, frames);
}

static long hv_sim_decrease(struct hv *h, unsigned long nr_extents, unsigned int extent_order,
			    const uint64_t *frames)
{
	if (!frames && nr_extents)
		return 0;
	return hv_sim_memop(h, HVSIM_OP_DECREASE, nr_extents, extent_order, frames, NULL);
}

static long hv_sim_populate(struct hv *h, unsigned long nr_extents, unsigned int extent_order,
			    uint64_t *frames)
{
	if (!frames && nr_extents)
		return 0;
	return hv_sim_memop(h, HVSIM_OP_POPULATE, nr_extents, extent_order, frames, frames);
}

/* A request without payload answered by a page count (op CUR_RES or MAX_RES). */
static int hv_sim_pages(struct hv *h, unsigned int op, uint64_t *nr_pages_r)
{
	struct hvsim_pages_rep rep = { 0 };
	int rc;

	rc = hv_sim_simple(h, op, NULL, 0, &rep, sizeof(rep));
	if (!rc)
		*nr_pages_r = rep.nr_pages;
	return rc;
}

static int hv_sim_current_reservation(struct hv *h, uint64_t *nr_pages_r)
{
	return hv_sim_pages(h, HVSIM_OP_CUR_RES, nr_pages_r);
}

static int hv_sim_maximum_reservation(struct hv *h, uint64_t *nr_pages_r)
{
	return hv_sim_pages(h, HVSIM_OP_MAX_RES, nr_pages_r);
}

static void hv_sim_close(struct hv *h)
{
	struct hv_sim *s = (struct hv_sim *)h;

	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s);
}

static const struct hv_ops hv_sim_ops = {
	.name = "sim",
	.physinfo = hv_sim_physinfo,
	.domain_list = hv_sim_domain_list,
	.set_maxmem = hv_sim_set_maxmem,
	.claim_pages = hv_sim_claim_pages,
	.domain_create = hv_sim_domain_create,
	.domain_destroy = hv_sim_domain_destroy,
	.increase_reservation = hv_sim_increase,
	.decrease_reservation = hv_sim_decrease,
	.populate_physmap = hv_sim_populate,
	.current_reservation = hv_sim_current_reservation,
	.maximum_reservation = hv_sim_maximum_reservation,
	.close = hv_sim_close,
};

/* Connect to path and make a handle. NULL on failure, errno set. */
static struct hv *hv_sim_open_path(const char *path, uint32_t domid, int privileged)
{
	struct hv_sim *s = NULL;
	struct sockaddr_un sun;
	int saved, ok = 0;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->base.ops = &hv_sim_ops;
	s->base.domid = domid;
	s->base.privileged = privileged;
	s->fd = -1;
	s->buf = malloc(HVSIM_MAX_PAYLOAD);
	if (!s->buf)
		goto out;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto out;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (connect(s->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		goto out;
	ok = 1;
out:
	if (!ok) {
		saved = errno;
		if (s->fd >= 0)
			close(s->fd);
		free(s->buf);
		free(s);
		errno = saved;
		return NULL;
	}
	return &s->base;
}

struct hv *hv_open_sim(const char *hv_rundir)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	int n;

	n = snprintf(path, sizeof(path), "%s/socket", hv_rundir);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return hv_sim_open_path(path, 0, 1);
}

struct hv *hv_open_sim_guest(const char *hv_rundir, uint32_t domid)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	int n;

	if (domid >= HV_DOMID_FIRST_RESERVED) {
		errno = EINVAL;
		return NULL;
	}
	n = snprintf(path, sizeof(path), "%s/domain/%u/socket", hv_rundir, domid);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return hv_sim_open_path(path, domid, 0);
}

int hv_sim_check(struct hv *h, struct hvsim_check_rep *rep_r)
{
	struct hv_sim *s = (struct hv_sim *)h;
	size_t len;
	int status, rc;

	if (h->ops != &hv_sim_ops)
		return XMEM_ERR_UNSUPPORTED;
	if (!h->privileged)
		return XMEM_ERR_PERM;
	rc = hv_sim_call(s, HVSIM_OP_CHECK, NULL, 0, NULL, 0, &status, &len);
	if (rc)
		return rc;
	if (len != sizeof(*rep_r))
		return status ? hv_sim_err(status) : XMEM_ERR_PROTO;
	memcpy(rep_r, s->buf, sizeof(*rep_r));
	rep_r->msg[sizeof(rep_r->msg) - 1] = '\0';
	return hv_sim_err(status);
}

int hv_sim_ping(struct hv *h)
{
	if (h->ops != &hv_sim_ops)
		return XMEM_ERR_UNSUPPORTED;
	return hv_sim_simple(h, HVSIM_OP_PING, NULL, 0, NULL, 0);
}

int hv_sim_set_flags(struct hv *h, uint32_t domid, unsigned int flags)
{
	struct hvsim_flags_req req;

	if (h->ops != &hv_sim_ops)
		return XMEM_ERR_UNSUPPORTED;
	if (!h->privileged)
		return XMEM_ERR_PERM;
	memset(&req, 0, sizeof(req));
	req.domid = domid;
	req.flags = flags;
	return hv_sim_simple(h, HVSIM_OP_SET_FLAGS, &req, sizeof(req), NULL, 0);
}
