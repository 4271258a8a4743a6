/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hvsim_proto.c: see hvsim_proto.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "hvsim_proto.h"
#include "xmem_err.h"

static const char *const hvsim_op_names[HVSIM_OP_NR] = {
	[HVSIM_OP_PING] = "ping",
	[HVSIM_OP_PHYSINFO] = "physinfo",
	[HVSIM_OP_DOMAIN_LIST] = "domain-list",
	[HVSIM_OP_SET_MAXMEM] = "set-maxmem",
	[HVSIM_OP_CLAIM] = "claim",
	[HVSIM_OP_CREATE] = "create",
	[HVSIM_OP_DESTROY] = "destroy",
	[HVSIM_OP_CHECK] = "check",
	[HVSIM_OP_INCREASE] = "increase",
	[HVSIM_OP_DECREASE] = "decrease",
	[HVSIM_OP_POPULATE] = "populate",
	[HVSIM_OP_CUR_RES] = "current-reservation",
	[HVSIM_OP_MAX_RES] = "maximum-reservation",
	[HVSIM_OP_SET_FLAGS] = "set-flags",
};

void hvsim_hdr_init(struct hvsim_hdr *hdr, uint16_t op, uint32_t req_id, int32_t status,
		    uint32_t len)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = HVSIM_PROTO_MAGIC;
	hdr->version = HVSIM_PROTO_VERSION;
	hdr->op = op;
	hdr->req_id = req_id;
	hdr->status = status;
	hdr->len = len;
}

int hvsim_hdr_check(const struct hvsim_hdr *hdr)
{
	if (hdr->magic != HVSIM_PROTO_MAGIC)
		return EPROTO;
	if (hdr->version != HVSIM_PROTO_VERSION)
		return EPROTONOSUPPORT;
	if (hdr->len > HVSIM_MAX_PAYLOAD)
		return EMSGSIZE;
	return 0;
}

const char *hvsim_op_name(unsigned int op)
{
	if (op >= HVSIM_OP_NR || !hvsim_op_names[op])
		return "unknown";
	return hvsim_op_names[op];
}

int hvsim_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = read(fd, (char *)buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return XMEM_ERR_IO;
		got += (size_t)r;
	}
	return 0;
}
