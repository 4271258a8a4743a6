/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * size.c: see size.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "size.h"
#include "xmem_err.h"

/* Return the KiB multiplier for unit u, or 0 for an unknown unit. 'b' is special. */
static uint64_t size_unit_kib(char u)
{
	switch (tolower((unsigned char)u)) {
	case 'k':
		return 1;
	case 'm':
		return 1024;
	case 'g':
		return 1024 * 1024;
	case 't':
		return UINT64_C(1024) * 1024 * 1024;
	default:
		return 0;
	}
}

int size_parse_kib_default(const char *s, char default_unit, uint64_t *kib_r)
{
	char *end = NULL;
	unsigned long long val;
	uint64_t mult, kib;
	char unit;

	if (!s || !isdigit((unsigned char)s[0]))
		return XMEM_ERR_INVAL;
	errno = 0;
	val = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return XMEM_ERR_RANGE;
	if (end[0] == '\0')
		unit = default_unit;
	else if (end[1] == '\0')
		unit = end[0];
	else
		return XMEM_ERR_INVAL;

	if (tolower((unsigned char)unit) == 'b') {
		if (val > SIZE_MAX_KIB * 1024)
			return XMEM_ERR_RANGE;
		kib = (val + 1023) / 1024;
	} else {
		mult = size_unit_kib(unit);
		if (!mult)
			return XMEM_ERR_INVAL;
		if (val > SIZE_MAX_KIB / mult)
			return XMEM_ERR_RANGE;
		kib = val * mult;
	}
	*kib_r = kib;
	return 0;
}

int size_parse_kib(const char *s, uint64_t *kib_r)
{
	return size_parse_kib_default(s, 'm', kib_r);
}

char *size_format(uint64_t kib, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	uint64_t scale = 1;
	int i = 0;

	while (i < 3 && kib >= scale * 1024) {
		scale *= 1024;
		i++;
	}
	if (kib % scale == 0) {
		snprintf(buf, len, "%" PRIu64 "%c", kib / scale, units[i]);
	} else {
		/* One decimal, rounded to nearest. */
		uint64_t tenths = (kib * 10 + scale / 2) / scale;

		if (tenths % 10 == 0)
			snprintf(buf, len, "%" PRIu64 "%c", tenths / 10, units[i]);
		else
			snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", tenths / 10, tenths % 10,
				 units[i]);
	}
	return buf;
}
