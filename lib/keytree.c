/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * keytree.c: see keytree.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"
#include "keytree.h"
#include "size.h"
#include "xmem_err.h"

int keytree_parse_u64(const char *s, uint64_t *val_r)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return XMEM_ERR_INVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return XMEM_ERR_INVAL;
	*val_r = v;
	return 0;
}

int keytree_parse_domid(const char *s, uint32_t *domid_r)
{
	uint64_t v;

	if (keytree_parse_u64(s, &v) || v >= HV_DOMID_FIRST_RESERVED)
		return XMEM_ERR_INVAL;
	*domid_r = (uint32_t)v;
	return 0;
}

int keytree_parse_enum(const char *s, const char *const *names, size_t nr, size_t *idx_r)
{
	size_t i;

	for (i = 0; s && i < nr; i++) {
		if (!strcmp(s, names[i])) {
			*idx_r = i;
			return 0;
		}
	}
	return XMEM_ERR_INVAL;
}

int keytree_read_u64(struct xs_handle *xs, xs_transaction_t t, const char *path, uint64_t *val_r)
{
	unsigned int len = 0;
	char *v = xs_read(xs, t, path, &len);
	int rc;

	if (!v)
		return XMEM_ERR_NOTFOUND;
	rc = strlen(v) == len ? keytree_parse_u64(v, val_r) : XMEM_ERR_INVAL;
	free(v);
	return rc;
}

int keytree_read_kib(struct xs_handle *xs, xs_transaction_t t, const char *path, uint64_t *val_r)
{
	uint64_t v;
	int rc = keytree_read_u64(xs, t, path, &v);

	if (!rc)
		*val_r = v > SIZE_MAX_KIB ? SIZE_MAX_KIB : v;
	return rc;
}

int keytree_read_enum(struct xs_handle *xs, xs_transaction_t t, const char *path,
		      const char *const *names, size_t nr, size_t *idx_r)
{
	unsigned int len = 0;
	char *v = xs_read(xs, t, path, &len);
	int rc;

	if (!v)
		return XMEM_ERR_NOTFOUND;
	rc = strlen(v) == len ? keytree_parse_enum(v, names, nr, idx_r) : XMEM_ERR_INVAL;
	free(v);
	return rc;
}

int keytree_write_u64(struct xs_handle *xs, xs_transaction_t t, const char *path, uint64_t val)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, val);
	return keytree_write_str(xs, t, path, num);
}

int keytree_write_str(struct xs_handle *xs, xs_transaction_t t, const char *path, const char *val)
{
	return xs_write(xs, t, path, val, strlen(val)) ? 0 : XMEM_ERR_IO;
}

int keytree_txn(struct xs_handle *xs, unsigned int tries, keytree_txn_fn *fn, void *arg)
{
	xs_transaction_t t;
	unsigned int i;
	int rc, saved;

	for (i = 0; i < (tries ? tries : KEYTREE_TXN_TRIES); i++) {
		t = xs_transaction_start(xs);
		if (t == XBT_NULL)
			return XMEM_ERR_IO;
		rc = fn(xs, t, arg);
		if (rc == XMEM_ERR_AGAIN) {
			xs_transaction_end(xs, t, true);
			continue;
		}
		if (rc) {
			saved = errno;
			xs_transaction_end(xs, t, true);
			errno = saved;
			return rc > 0 ? 0 : rc;
		}
		if (xs_transaction_end(xs, t, false))
			return 0;
		if (errno != EAGAIN)
			return XMEM_ERR_IO;
	}
	return XMEM_ERR_AGAIN;
}
