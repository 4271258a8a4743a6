/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * host.c: see host.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "host.h"
#include "hv.h"
#include "xmem_err.h"

const char *host_dir(const char *arg)
{
	const char *env;

	if (arg && arg[0])
		return arg;
	env = getenv("XMEM_HOST");
	if (env && env[0])
		return env;
	return NULL;
}

int host_store_socket(const char *dir, uint32_t domid, char *buf, size_t len)
{
	int n;

	if (domid == HOST_NO_DOMID)
		n = snprintf(buf, len, "%s/store/socket", dir);
	else
		n = snprintf(buf, len, "%s/store/domain/%u/socket", dir, domid);
	return (n < 0 || (size_t)n >= len) ? XMEM_ERR_RANGE : 0;
}

int host_hv_rundir(const char *dir, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/hv", dir);

	return (n < 0 || (size_t)n >= len) ? XMEM_ERR_RANGE : 0;
}

int host_guest_root(const char *dir, uint32_t domid, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/guest/%" PRIu32, dir, domid);

	return (n < 0 || (size_t)n >= len) ? XMEM_ERR_RANGE : 0;
}

struct xs_handle *host_xs_open(const char *dir, uint32_t domid)
{
	char path[4096];

	if (dir) {
		if (host_store_socket(dir, domid, path, sizeof(path))) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		/* libxenstore reads XENSTORED_PATH when it opens the socket. */
		if (setenv("XENSTORED_PATH", path, 1) < 0)
			return NULL;
	}
	return xs_open(0);
}

struct hv *host_hv_open(const char *dir)
{
	char path[4096];

	if (!dir)
		return hv_open_xc();
	if (host_hv_rundir(dir, path, sizeof(path))) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return hv_open_sim(path);
}
