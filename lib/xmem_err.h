/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_err.h: error codes of the xmem libraries.
 *
 * Library functions return 0 on success or a negative XMEM_ERR_* code, in the
 * manner of libxl's ERROR_*. Daemon request handlers instead return 0 or a
 * positive errno, which their wire layer translates. New codes go at the end.
 */
#ifndef XMEM_ERR_H
#define XMEM_ERR_H

enum xmem_err {
	XMEM_OK = 0,
	XMEM_ERR_FAIL = -1,	    /* unspecified failure */
	XMEM_ERR_NOMEM = -2,	    /* allocation failed */
	XMEM_ERR_INVAL = -3,	    /* bad argument or malformed input */
	XMEM_ERR_RANGE = -4,	    /* value out of its allowed range */
	XMEM_ERR_NOTFOUND = -5,	    /* no such domain, key or object */
	XMEM_ERR_EXISTS = -6,	    /* already exists */
	XMEM_ERR_PERM = -7,	    /* permission denied */
	XMEM_ERR_IO = -8,	    /* system call or socket failure */
	XMEM_ERR_PROTO = -9,	    /* peer broke the protocol */
	XMEM_ERR_AGAIN = -10,	    /* transient: retry (e.g. transaction conflict) */
	XMEM_ERR_NOHOST = -11,	    /* no host reachable (no store, no hypervisor) */
	XMEM_ERR_NOSPACE = -12,	    /* not enough host memory */
	XMEM_ERR_TIMEOUT = -13,	    /* gave up waiting */
	XMEM_ERR_UNSUPPORTED = -14, /* not possible on this kind of host */
	XMEM_ERR_BUSY = -15,	    /* resource busy */
};

/* Return a static description of an XMEM_ERR_* code. */
const char *xmem_strerror(int rc);

/* Map a positive errno value to the closest XMEM_ERR_* code. */
int xmem_err_from_errno(int err);

#endif
