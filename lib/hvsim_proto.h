/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hvsim_proto.h: the wire format between hypervisor clients (lib/hv_sim.c)
 * and the simulated hypervisor xmem-hvsim.
 *
 * Transport: a Unix stream socket. DIR/socket is the privileged socket (dom0
 * tools); DIR/domain/<domid>/socket speaks as that domain acting on itself.
 * The daemon knows who speaks from the socket a connection came in on, never
 * from the message.
 *
 * Every message is a struct hvsim_hdr followed by hdr.len payload bytes, in
 * host byte order (both ends are on the same machine). A client sends one
 * request and reads its reply before the next one; the reply carries the
 * request's op and req_id, a status (0 or a positive errno) and, on success,
 * the op's reply payload. Payloads are fixed structs, except:
 * - reservation requests: struct hvsim_memop_req then, for decrease and
 *   populate, nr_extents uint64_t frame numbers; nr_extents is at most
 *   HVSIM_MAX_EXTENTS (clients split larger requests);
 * - reservation replies: struct hvsim_memop_rep then, for increase and
 *   populate, nr_done frame numbers (the first frame of each extent);
 * - domain list replies: struct hvsim_list_rep then nr hvsim_dominfo.
 *
 * A header with the wrong magic or version, or a length above
 * HVSIM_MAX_PAYLOAD, gets an error reply and the connection is closed (the
 * stream cannot be resynchronised). A payload of the wrong size for its op
 * gets EINVAL and the connection stays usable.
 *
 * Frame numbers are machine frames (PV style): the simulator gives a domain
 * the frames it allocates and takes back exactly those.
 *
 * Bump HVSIM_PROTO_VERSION whenever anything in this file changes.
 */
#ifndef XMEM_HVSIM_PROTO_H
#define XMEM_HVSIM_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define HVSIM_PROTO_MAGIC   0x4D535648u /* "HVSM" */
#define HVSIM_PROTO_VERSION 2u

/* Most extents one reservation request may carry. */
#define HVSIM_MAX_EXTENTS 4096u
/* Most domains one list reply carries. */
#define HVSIM_MAX_DOMINFO 256u
/* Length of the message in a check reply. */
#define HVSIM_CHECK_MSG_LEN 256u

enum hvsim_op {
	HVSIM_OP_PING = 1,	  /* any socket: empty request, empty reply */
	HVSIM_OP_PHYSINFO = 2,	  /* privileged: -> hvsim_physinfo_rep */
	HVSIM_OP_DOMAIN_LIST = 3, /* privileged: hvsim_list_req -> hvsim_list_rep + infos */
	HVSIM_OP_SET_MAXMEM = 4,  /* privileged: hvsim_maxmem_req */
	HVSIM_OP_CLAIM = 5,	  /* privileged: hvsim_claim_req */
	HVSIM_OP_CREATE = 6,	  /* privileged: hvsim_create_req */
	HVSIM_OP_DESTROY = 7,	  /* privileged: hvsim_domid_req */
	HVSIM_OP_CHECK = 8,	  /* privileged: -> hvsim_check_rep (status EUCLEAN if broken) */
	HVSIM_OP_INCREASE = 9,	  /* domain: hvsim_memop_req -> hvsim_memop_rep + frames */
	HVSIM_OP_DECREASE = 10,	  /* domain: hvsim_memop_req + frames -> hvsim_memop_rep */
	HVSIM_OP_POPULATE = 11,	  /* domain: hvsim_memop_req + frames -> hvsim_memop_rep + frames */
	HVSIM_OP_CUR_RES = 12,	  /* domain: -> hvsim_pages_rep (tot_pages) */
	HVSIM_OP_MAX_RES = 13,	  /* domain: -> hvsim_pages_rep (max_pages) */
	HVSIM_OP_SET_FLAGS = 14,  /* privileged: hvsim_flags_req */
	HVSIM_OP_NR = 15,
};

struct hvsim_hdr {
	uint32_t magic;	  /* HVSIM_PROTO_MAGIC */
	uint16_t version; /* HVSIM_PROTO_VERSION */
	uint16_t op;	  /* enum hvsim_op */
	uint32_t req_id;  /* chosen by the client, echoed in the reply */
	int32_t status;	  /* replies: 0 or a positive errno; requests: 0 */
	uint32_t len;	  /* payload bytes that follow */
	uint32_t pad;
};

struct hvsim_domid_req {
	uint32_t domid;
	uint32_t pad;
};

struct hvsim_maxmem_req {
	uint32_t domid;
	uint32_t pad;
	uint64_t max_kib;
};

struct hvsim_claim_req {
	uint32_t domid;
	uint32_t pad;
	uint64_t nr_pages;
};

struct hvsim_create_req {
	uint32_t domid;
	uint32_t pad;
	uint64_t max_pages;
	uint64_t initial_pages;
};

/* Set a domain's state flags: HV_DOMF_PAUSED, HV_DOMF_SHUTDOWN, HV_DOMF_HVM. */
struct hvsim_flags_req {
	uint32_t domid;
	uint32_t flags;
};

struct hvsim_list_req {
	uint32_t first_domid;
	uint32_t max_infos; /* at most HVSIM_MAX_DOMINFO are returned */
};

struct hvsim_physinfo_rep {
	uint64_t total_pages;
	uint64_t free_pages;
	uint64_t outstanding_pages;
	uint64_t scrub_pages;
};

struct hvsim_dominfo {
	uint32_t domid;
	uint32_t flags; /* HV_DOMF_* */
	uint64_t tot_pages;
	uint64_t max_pages;
	uint64_t outstanding_pages;
};

struct hvsim_list_rep {
	uint32_t nr;
	uint32_t pad;
};

struct hvsim_memop_req {
	uint64_t nr_extents; /* 0..HVSIM_MAX_EXTENTS */
	uint32_t extent_order;
	uint32_t mem_flags; /* must be 0 */
};

struct hvsim_memop_rep {
	uint64_t nr_done; /* extents done; short on failure */
};

struct hvsim_pages_rep {
	uint64_t nr_pages;
};

struct hvsim_check_rep {
	uint64_t total_pages;
	uint64_t free_pages;
	uint64_t sum_tot_pages; /* every domain's, Xen's own included */
	uint64_t xen_pages;
	uint64_t outstanding_pages;
	uint32_t nr_domains;
	uint32_t ok; /* 1 when every invariant holds */
	char msg[HVSIM_CHECK_MSG_LEN];
};

/* The largest payload and message either side sends. */
#define HVSIM_MAX_PAYLOAD (sizeof(struct hvsim_memop_req) + HVSIM_MAX_EXTENTS * sizeof(uint64_t))
#define HVSIM_MAX_MSG	  (sizeof(struct hvsim_hdr) + HVSIM_MAX_PAYLOAD)

_Static_assert(sizeof(struct hvsim_hdr) == 24, "hvsim_hdr layout");
_Static_assert(sizeof(struct hvsim_list_rep) + HVSIM_MAX_DOMINFO * sizeof(struct hvsim_dominfo) <=
		       HVSIM_MAX_PAYLOAD,
	       "list reply fits");
_Static_assert(sizeof(struct hvsim_check_rep) <= HVSIM_MAX_PAYLOAD, "check reply fits");

/* Fill a header. */
void hvsim_hdr_init(struct hvsim_hdr *hdr, uint16_t op, uint32_t req_id, int32_t status,
		    uint32_t len);

/*
 * Validate a received header. Returns 0, or a positive errno: EPROTO for a
 * wrong magic, EPROTONOSUPPORT for another version, EMSGSIZE for a length
 * above HVSIM_MAX_PAYLOAD. After an error the stream cannot be trusted.
 */
int hvsim_hdr_check(const struct hvsim_hdr *hdr);

/* A name for op ("increase"), or "unknown". */
const char *hvsim_op_name(unsigned int op);

/* Read exactly len bytes from the stream fd (retrying EINTR). 0, or XMEM_ERR_IO on EOF or error. */
int hvsim_read_full(int fd, void *buf, size_t len);

#endif
