/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * size.h: memory sizes as xl writes them.
 *
 * Sizes are kept in KiB everywhere (Xen's key-tree unit); pages are 4 KiB.
 * Parsing follows xl's parse_mem_size_kb(): a number with an optional single
 * suffix b, k, m, g or t (either case); no suffix means MiB, as xl's code
 * does (its man page says KiB, the code says MiB). Bytes are rounded up to
 * whole KiB.
 */
#ifndef XMEM_SIZE_H
#define XMEM_SIZE_H

#include <stddef.h>
#include <stdint.h>

#define XMEM_PAGE_KIB	4u
#define XMEM_PAGE_SHIFT 12

/* Largest size accepted: 1 EiB expressed in KiB (fits int64 with room). */
#define SIZE_MAX_KIB (UINT64_C(1) << 50)

/* Pages <-> KiB. kib_to_pages rounds down. */
static inline uint64_t size_pages_to_kib(uint64_t nr_pages)
{
	return nr_pages * XMEM_PAGE_KIB;
}

static inline uint64_t size_kib_to_pages(uint64_t kib)
{
	return kib / XMEM_PAGE_KIB;
}

/*
 * Parse s into KiB. Returns 0, or XMEM_ERR_INVAL for text that is not a size
 * and XMEM_ERR_RANGE for a size above SIZE_MAX_KIB. *kib_r is written only on
 * success.
 */
int size_parse_kib(const char *s, uint64_t *kib_r);

/*
 * Parse s with an explicit default unit for a bare number ('k' for KiB as in
 * key-tree values, 'm' for MiB as in xl). Same returns as size_parse_kib().
 */
int size_parse_kib_default(const char *s, char default_unit, uint64_t *kib_r);

/*
 * Format kib for people: the largest unit (K, M, G, T) in which it is at
 * least 1, with up to one decimal where it is not a whole number ("512M",
 * "1.5G", "3K"). Returns buf.
 */
char *size_format(uint64_t kib, char *buf, size_t len);

#define SIZE_FMT_LEN 32

#endif
