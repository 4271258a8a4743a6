/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_parse.c: command-line arguments, checked before anything is written.
 *
 * Sizes follow xl (lib/size.c: a bare number is MiB). Every error names the
 * argument, what was wrong and what would be right.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"
#include "xmem.h"
#include "xmem_err.h"

int parse_size(const char *what, const char *s, uint64_t *kib_r)
{
	int rc = size_parse_kib(s, kib_r);

	if (rc == XMEM_ERR_RANGE) {
		ctx_err("%s '%s' is too large: give at most 1048576T", what, s);
		return -1;
	}
	if (rc) {
		ctx_err("bad %s '%s': give a size such as 512M, 4G or 2048 (MiB), suffixes "
			"b k m g t",
			what, s);
		return -1;
	}
	return 0;
}

int parse_uint(const char *what, const char *s, uint64_t min, uint64_t max, uint64_t *val_r)
{
	unsigned long long v;
	char *end = NULL;

	if (!s || !isdigit((unsigned char)s[0])) {
		ctx_err("bad %s '%s': give a whole number from %" PRIu64 " to %" PRIu64, what,
			s ? s : "", min, max);
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0') {
		ctx_err("bad %s '%s': give a whole number from %" PRIu64 " to %" PRIu64, what, s,
			min, max);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		ctx_err("%s %s is out of range: give a number from %" PRIu64 " to %" PRIu64, what,
			s, min, max);
		return -1;
	}
	*val_r = v;
	return 0;
}

int parse_switch(const char *what, const char *s, int *val_r)
{
	if (!strcmp(s, "on") || !strcmp(s, "1") || !strcmp(s, "yes")) {
		*val_r = 1;
		return 0;
	}
	if (!strcmp(s, "off") || !strcmp(s, "0") || !strcmp(s, "no")) {
		*val_r = 0;
		return 0;
	}
	ctx_err("bad %s '%s': give on or off", what, s);
	return -1;
}

int parse_resv_id_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 64 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

int parse_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= XMEM_NAME_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]) || s[i] == '/')
			return 0;
	/* All digits would read as a domid. */
	return strspn(s, "0123456789") != n;
}

/* Format kib as MiB for messages ("1536 MiB", "1.5 MiB" never: KiB shown exactly). */
static const char *parse_fmt(uint64_t kib, char *buf, size_t len)
{
	if (kib % 1024 == 0)
		snprintf(buf, len, "%" PRIu64 " MiB", kib / 1024);
	else
		snprintf(buf, len, "%" PRIu64 " KiB", kib);
	return buf;
}

uint64_t parse_floor_kib(uint64_t static_max_kib)
{
	if (static_max_kib != XMEM_UNSET && static_max_kib < XMEM_MIN_GUEST_KIB)
		return static_max_kib;
	return XMEM_MIN_GUEST_KIB;
}

int parse_floor_check(const char *what, uint64_t size_kib, uint64_t static_max_kib, char *msg,
		      size_t len)
{
	char a[32], b[32];
	uint64_t floor_kib = parse_floor_kib(static_max_kib);

	if (size_kib == XMEM_UNSET || size_kib >= floor_kib)
		return 0;
	snprintf(msg, len, "%s (%s) is below a guest's floor (%s, see xmem(1)): give a larger size",
		 what, parse_fmt(size_kib, a, sizeof(a)), parse_fmt(floor_kib, b, sizeof(b)));
	return -1;
}

int parse_policy_check(const struct xmem_policy *p, char *msg, size_t len)
{
	char a[32], b[32];

	if (p->min_kib != XMEM_UNSET && p->max_kib != XMEM_UNSET && p->min_kib > p->max_kib) {
		snprintf(msg, len, "min (%s) is above max (%s): give min <= max",
			 parse_fmt(p->min_kib, a, sizeof(a)), parse_fmt(p->max_kib, b, sizeof(b)));
		return -1;
	}
	if (p->startup_kib != XMEM_UNSET && p->min_kib != XMEM_UNSET &&
	    p->startup_kib < p->min_kib) {
		snprintf(msg, len, "startup (%s) is below min (%s): give min <= startup <= max",
			 parse_fmt(p->startup_kib, a, sizeof(a)),
			 parse_fmt(p->min_kib, b, sizeof(b)));
		return -1;
	}
	if (p->startup_kib != XMEM_UNSET && p->max_kib != XMEM_UNSET &&
	    p->startup_kib > p->max_kib) {
		snprintf(msg, len, "startup (%s) is above max (%s): give min <= startup <= max",
			 parse_fmt(p->startup_kib, a, sizeof(a)),
			 parse_fmt(p->max_kib, b, sizeof(b)));
		return -1;
	}
	if (p->max_kib != XMEM_UNSET && p->static_max_kib != XMEM_UNSET &&
	    p->max_kib > p->static_max_kib) {
		snprintf(msg, len,
			 "max (%s) is above the domain's static-max (%s): raise it first with "
			 "'xmem mem-max', or give a smaller max",
			 parse_fmt(p->max_kib, a, sizeof(a)),
			 parse_fmt(p->static_max_kib, b, sizeof(b)));
		return -1;
	}
	if (p->weight != XMEM_UNSET && p->weight > XMEM_WEIGHT_MAX) {
		snprintf(msg, len, "weight %" PRIu64 " is out of range: give 0..%d", p->weight,
			 XMEM_WEIGHT_MAX);
		return -1;
	}
	if (p->buffer_pct != XMEM_UNSET &&
	    (p->buffer_pct < XMEM_BUFFER_MIN_PCT || p->buffer_pct > XMEM_BUFFER_MAX_PCT)) {
		snprintf(msg, len, "buffer %" PRIu64 "%% is out of range: give %d..%d",
			 p->buffer_pct, XMEM_BUFFER_MIN_PCT, XMEM_BUFFER_MAX_PCT);
		return -1;
	}
	return 0;
}
