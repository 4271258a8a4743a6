/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * keytree.h: reading and writing the key tree by one contract, through
 * Debian's libxenstore.
 *
 * Reading: every reader returns 0 and fills *val_r when the key holds a valid
 * value; XMEM_ERR_NOTFOUND when the key is absent or cannot be read (errno
 * from xs_read tells which); XMEM_ERR_INVAL when it holds something
 * malformed. On any error *val_r is left as it was, so a caller sets its
 * default first and takes the return code only where absent and malformed
 * differ. Numbers are decimal digits only (no sign, no space, no empty
 * string), as libxl writes them; a KiB figure is capped at SIZE_MAX_KIB so
 * that no arithmetic downstream of a guest-written value overflows.
 *
 * Writing: keytree_txn runs a function inside a transaction and retries it
 * on EAGAIN, as libxl does: the function may run several times and must
 * write all it means to each time.
 */
#ifndef XMEM_KEYTREE_H
#define XMEM_KEYTREE_H

#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>

#define KEYTREE_TXN_TRIES 10

/* Parse s as decimal digits into *val_r. 0 or XMEM_ERR_INVAL (s NULL, empty, not digits, too big). */
int keytree_parse_u64(const char *s, uint64_t *val_r);

/*
 * Parse s, a child of /local/domain, as a domid into *domid_r: decimal digits
 * only, below the reserved range (DOMID_FIRST_RESERVED). 0 or XMEM_ERR_INVAL.
 */
int keytree_parse_domid(const char *s, uint32_t *domid_r);

/*
 * Index of s in names[0..nr) into *idx_r. 0 or XMEM_ERR_INVAL (s NULL or
 * none of them).
 */
int keytree_parse_enum(const char *s, const char *const *names, size_t nr, size_t *idx_r);

/* Read path (in t, or XBT_NULL) as a u64. See the contract above. */
int keytree_read_u64(struct xs_handle *xs, xs_transaction_t t, const char *path, uint64_t *val_r);

/* Read path as a KiB figure: a u64 capped at SIZE_MAX_KIB. See the contract above. */
int keytree_read_kib(struct xs_handle *xs, xs_transaction_t t, const char *path, uint64_t *val_r);

/* Read path as one of names[0..nr); its index into *idx_r. See the contract above. */
int keytree_read_enum(struct xs_handle *xs, xs_transaction_t t, const char *path,
		      const char *const *names, size_t nr, size_t *idx_r);

/* Write val as decimal at path in t. 0 or XMEM_ERR_IO (errno from xs_write). */
int keytree_write_u64(struct xs_handle *xs, xs_transaction_t t, const char *path, uint64_t val);

/* Write the string val at path in t. 0 or XMEM_ERR_IO (errno from xs_write). */
int keytree_write_str(struct xs_handle *xs, xs_transaction_t t, const char *path, const char *val);

/*
 * One attempt of a transaction: read and write through t. Returns 0 to
 * commit; XMEM_ERR_AGAIN to end it without effect and try again (a read or
 * write inside it met a conflict); another negative XMEM_ERR_* to abort (the
 * transaction is ended without effect and keytree_txn returns that code); or
 * 1 to end it without effect and return 0 (nothing to do after all).
 */
typedef int keytree_txn_fn(struct xs_handle *xs, xs_transaction_t t, void *arg);

/*
 * Run fn in a transaction, retrying on EAGAIN up to tries times (0:
 * KEYTREE_TXN_TRIES). Returns 0 when committed (or fn returned 1), fn's
 * error, XMEM_ERR_IO when a transaction cannot start or commit (errno from
 * libxenstore), or XMEM_ERR_AGAIN when the tree kept changing.
 */
int keytree_txn(struct xs_handle *xs, unsigned int tries, keytree_txn_fn *fn, void *arg);

#endif
