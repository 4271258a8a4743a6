/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_err.c: see xmem_err.h.
 */
#include "config.h"

#include <errno.h>

#include "xmem_err.h"

static const char *const xmem_err_text[] = {
	[0] = "success",
	[1] = "failure",
	[2] = "out of memory",
	[3] = "invalid argument",
	[4] = "value out of range",
	[5] = "not found",
	[6] = "already exists",
	[7] = "permission denied",
	[8] = "input/output error",
	[9] = "protocol error",
	[10] = "try again",
	[11] = "no host reachable",
	[12] = "not enough host memory",
	[13] = "timed out",
	[14] = "not supported on this host",
	[15] = "busy",
};

/* Return a static description of an XMEM_ERR_* code. */
const char *xmem_strerror(int rc)
{
	unsigned int idx = rc <= 0 ? (unsigned int)-rc : 1u;

	if (idx >= sizeof(xmem_err_text) / sizeof(xmem_err_text[0]))
		return "unknown error";
	return xmem_err_text[idx];
}

/* Map a positive errno value to the closest XMEM_ERR_* code. */
int xmem_err_from_errno(int err)
{
	switch (err) {
	case 0:
		return XMEM_OK;
	case ENOMEM:
		return XMEM_ERR_NOMEM;
	case EINVAL:
		return XMEM_ERR_INVAL;
	case ERANGE:
	case E2BIG:
		return XMEM_ERR_RANGE;
	case ENOENT:
	case ESRCH:
		return XMEM_ERR_NOTFOUND;
	case EEXIST:
		return XMEM_ERR_EXISTS;
	case EACCES:
	case EPERM:
		return XMEM_ERR_PERM;
	case EAGAIN:
		return XMEM_ERR_AGAIN;
	case ENOSPC:
		return XMEM_ERR_NOSPACE;
	case ETIMEDOUT:
		return XMEM_ERR_TIMEOUT;
	case EBUSY:
		return XMEM_ERR_BUSY;
	case ENOSYS:
	case EOPNOTSUPP:
		return XMEM_ERR_UNSUPPORTED;
	case ECONNREFUSED:
	case ENOTCONN:
		return XMEM_ERR_NOHOST;
	default:
		return XMEM_ERR_IO;
	}
}
