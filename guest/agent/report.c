/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * report.c: reading, formatting and writing a guest's demand report (see
 * report.h).
 *
 * The kernel's files are parsed by name, never by position, so fields added
 * by newer kernels are ignored and missing ones stay unknown (MemAvailable
 * appeared in 3.14, /proc/pressure in 4.20 and only with CONFIG_PSI). PSI
 * averages are fixed-point text ("12.34"); they are kept as hundredths of a
 * percent without going through floating point. The "some" line's total=
 * (microseconds of stall since boot) is kept too: avg10 smooths the stall
 * over 10 s, the total lets a reader measure it over any interval.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keytree.h"
#include "report.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem_err.h"

#define REPORT_FILE_MAX	 (64 * 1024)
#define REPORT_TXN_TRIES 8

struct report_name {
	const char *name;
	enum report_field field;
};

static const struct report_name report_meminfo_names[] = {
	{ "MemTotal", REPORT_MEM_TOTAL },	  { "MemFree", REPORT_MEM_FREE },
	{ "MemAvailable", REPORT_MEM_AVAILABLE }, { "Committed_AS", REPORT_COMMITTED },
	{ "SwapTotal", REPORT_SWAP_TOTAL },	  { "SwapFree", REPORT_SWAP_FREE },
};

static const struct report_name report_vmstat_names[] = {
	{ "pswpin", REPORT_PSWPIN },
	{ "pswpout", REPORT_PSWPOUT },
	{ "pgmajfault", REPORT_PGMAJFAULT },
};

/* Parse a decimal u64 at *p, advancing it. 0, or -1 when there are no digits or it overflows. */
static int report_u64(const char **p, uint64_t *v_r)
{
	const char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*v_r = v;
	return 0;
}

/* Skip blanks. */
static const char *report_skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * Parse "name<sep>value" lines, recording the names in table. sep is ':'
 * (meminfo, then an optional " kB") or ' ' (vmstat).
 */
static int report_parse_lines(const char *text, struct report_sample *s,
			      const struct report_name *names, size_t nr_names, char sep)
{
	const char *line = text, *p, *end;
	int found = 0;
	size_t i, len;
	uint64_t v;

	while (line && *line) {
		end = strchr(line, '\n');
		p = line;
		while (p < (end ? end : line + strlen(line)) && *p != sep && *p != ' ' &&
		       *p != '\t')
			p++;
		len = (size_t)(p - line);
		if (sep == ':' && *p == ':')
			p++;
		p = report_skip_blanks(p);
		if (len > 0 && report_u64(&p, &v) == 0) {
			p = report_skip_blanks(p);
			if (sep == ':' && strncmp(p, "kB", 2) == 0)
				p = report_skip_blanks(p + 2);
			if (*p == '\n' || *p == '\0' || *p == '\r') {
				for (i = 0; i < nr_names; i++) {
					if (strlen(names[i].name) == len &&
					    memcmp(names[i].name, line, len) == 0) {
						report_set(s, names[i].field, v);
						found++;
						break;
					}
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	return found;
}

int report_parse_meminfo(const char *text, struct report_sample *s)
{
	return report_parse_lines(text, s, report_meminfo_names,
				  sizeof(report_meminfo_names) / sizeof(report_meminfo_names[0]),
				  ':');
}

int report_parse_vmstat(const char *text, struct report_sample *s)
{
	return report_parse_lines(text, s, report_vmstat_names,
				  sizeof(report_vmstat_names) / sizeof(report_vmstat_names[0]),
				  ' ');
}

/* Parse "12.34" (at most two decimals used) into 1234. 0 or -1. */
static int report_fixed2(const char *p, uint64_t *v_r)
{
	uint64_t whole = 0, frac = 0;
	int digits = 0;

	if (report_u64(&p, &whole))
		return -1;
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (digits < 2) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				digits++;
			}
		}
	}
	if (*p != ' ' && *p != '\n' && *p != '\0' && *p != '\t')
		return -1;
	if (whole > 100)
		return -1;
	while (digits < 2) {
		frac *= 10;
		digits++;
	}
	*v_r = whole * 100 + frac;
	return 0;
}

/* Parse a whole number ending the field ("total=123\n"). 0 or -1. */
static int report_total_us(const char *p, uint64_t *v_r)
{
	if (report_u64(&p, v_r))
		return -1;
	return *p == ' ' || *p == '\n' || *p == '\0' || *p == '\t' ? 0 : -1;
}

int report_parse_psi(const char *text, struct report_sample *s)
{
	const char *line = text, *p, *end;
	enum report_field f;
	int found = 0;
	uint64_t v;

	while (line && *line) {
		end = strchr(line, '\n');
		if (strncmp(line, "some ", 5) == 0)
			f = REPORT_PSI_SOME;
		else if (strncmp(line, "full ", 5) == 0)
			f = REPORT_PSI_FULL;
		else
			goto next;
		p = strstr(line, "avg10=");
		if (!p || (end && p > end))
			goto next;
		if (report_fixed2(p + 6, &v) == 0) {
			report_set(s, f, v);
			found++;
		}
		/* The stall itself (microseconds), what avg10 smooths over 10 s. */
		p = strstr(line, "total=");
		if (f == REPORT_PSI_SOME && p && (!end || p < end) &&
		    report_total_us(p + 6, &v) == 0) {
			report_set(s, REPORT_PSI_SOME_TOTAL, v);
			found++;
		}
	next:
		line = end ? end + 1 : NULL;
	}
	return found;
}

/* Read root/rel into a NUL-terminated malloc'd buffer; NULL when absent or unreadable. */
static char *report_slurp(const char *root, const char *rel)
{
	char path[4096];
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;
	int fd = -1, n;

	n = snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		goto fail;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	buf = malloc(REPORT_FILE_MAX + 1);
	if (!buf)
		goto fail;
	while (len < REPORT_FILE_MAX) {
		r = read(fd, buf + len, REPORT_FILE_MAX - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	close(fd);
	return buf;
fail:
	free(buf);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Read one decimal value file (sysfs) into field f. */
static void report_read_value(const char *root, const char *rel, struct report_sample *s,
			      enum report_field f)
{
	char *text = report_slurp(root, rel);
	const char *p = text;
	uint64_t v;

	if (!text)
		return;
	p = report_skip_blanks(p);
	if (report_u64(&p, &v) == 0 && (*p == '\n' || *p == '\0'))
		report_set(s, f, v);
	free(text);
}

#define REPORT_XEN_MEMORY "sys/devices/system/xen_memory/xen_memory0/"

int report_read_root(const char *root, struct report_sample *s)
{
	char *text;

	text = report_slurp(root, "proc/meminfo");
	if (!text)
		return XMEM_ERR_NOTFOUND;
	report_parse_meminfo(text, s);
	free(text);
	text = report_slurp(root, "proc/vmstat");
	if (text) {
		report_parse_vmstat(text, s);
		free(text);
	}
	text = report_slurp(root, "proc/pressure/memory");
	if (text) {
		report_parse_psi(text, s);
		free(text);
	}
	report_read_value(root, REPORT_XEN_MEMORY "target_kb", s, REPORT_BALLOON_TARGET);
	report_read_value(root, REPORT_XEN_MEMORY "info/current_kb", s, REPORT_BALLOON_CURRENT);
	report_read_value(root, REPORT_XEN_MEMORY "retry_count", s, REPORT_BALLOON_RETRIES);
	report_read_value(root, REPORT_XEN_MEMORY "schedule_delay", s, REPORT_BALLOON_DELAY);
	report_read_hotplug(root, s);
	return 0;
}

/* 1 when root/rel exists. */
static int report_exists(const char *root, const char *rel)
{
	char path[4096];
	int r;

	r = snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (r < 0 || (size_t)r >= sizeof(path))
		return 0;
	return access(path, F_OK) == 0;
}

void report_read_hotplug(const char *root, struct report_sample *s)
{
	report_set(s, REPORT_HOTPLUG,
		   report_exists(root, "proc/sys/xen/balloon/hotplug_unpopulated") &&
			   report_exists(root, "sys/devices/system/memory"));
}

/* Map of sample fields to the keys they are published under. */
static const struct {
	enum report_field field;
	const char *path;
} report_keys[] = {
	{ REPORT_MEM_TOTAL, XS_DOM_MEMINFO_TOTAL },
	{ REPORT_MEM_FREE, XS_DOM_MEMINFO_FREE },
	{ REPORT_MEM_AVAILABLE, XS_DOM_MEM_AVAILABLE },
	{ REPORT_COMMITTED, XS_DOM_MEM_COMMITTED },
	{ REPORT_SWAP_TOTAL, XS_DOM_SWAP_TOTAL },
	{ REPORT_SWAP_FREE, XS_DOM_SWAP_FREE },
	{ REPORT_PSWPIN, XS_DOM_PSWPIN },
	{ REPORT_PSWPOUT, XS_DOM_PSWPOUT },
	{ REPORT_PGMAJFAULT, XS_DOM_PGMAJFAULT },
	{ REPORT_PSI_SOME, XS_DOM_PSI_SOME },
	{ REPORT_PSI_FULL, XS_DOM_PSI_FULL },
	{ REPORT_PSI_SOME_TOTAL, XS_DOM_PSI_SOME_TOTAL },
	{ REPORT_HOTPLUG, XS_DOM_HOTPLUG_REPORT },
};

/* Append one pair if there is room. */
static void report_add(struct report_kv *kvs, size_t max, size_t *n, const char *path,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void report_add(struct report_kv *kvs, size_t max, size_t *n, const char *path,
		       const char *fmt, ...)
{
	va_list ap;

	if (*n >= max)
		return;
	kvs[*n].path = path;
	va_start(ap, fmt);
	vsnprintf(kvs[*n].val, sizeof(kvs[*n].val), fmt, ap);
	va_end(ap);
	(*n)++;
}

int report_used_kib(const struct report_sample *s, uint64_t *used_kib_r)
{
	if (!report_has(s, REPORT_MEM_TOTAL) || !report_has(s, REPORT_MEM_AVAILABLE))
		return XMEM_ERR_NOTFOUND;
	*used_kib_r = s->val[REPORT_MEM_TOTAL] > s->val[REPORT_MEM_AVAILABLE]
			      ? s->val[REPORT_MEM_TOTAL] - s->val[REPORT_MEM_AVAILABLE]
			      : 0;
	return 0;
}

size_t report_format(const struct report_sample *s, const struct report_balloon *balloon,
		     struct report_kv *kvs, size_t max)
{
	size_t i, n = 0;
	uint64_t used;

	for (i = 0; i < sizeof(report_keys) / sizeof(report_keys[0]); i++) {
		if (report_has(s, report_keys[i].field))
			report_add(kvs, max, &n, report_keys[i].path, "%" PRIu64,
				   s->val[report_keys[i].field]);
	}
	if (report_used_kib(s, &used) == 0)
		report_add(kvs, max, &n, XS_DOM_MEM_USED, "%" PRIu64, used);
	if (balloon) {
		report_add(kvs, max, &n, XS_DOM_BALLOON_STATE, "%s", balloon->state);
		report_add(kvs, max, &n, XS_DOM_BALLOON_CURRENT, "%" PRIu64, balloon->current_kib);
		report_add(kvs, max, &n, XS_DOM_BALLOON_TARGET, "%" PRIu64, balloon->target_kib);
		report_add(kvs, max, &n, XS_DOM_BALLOON_RETRIES, "%u", balloon->retries);
		if (balloon->last_error)
			report_add(kvs, max, &n, XS_DOM_BALLOON_ERROR, "%s", balloon->last_error);
	}
	return n;
}

const char *report_balloon_state(const struct report_sample *s, unsigned int stalled_periods)
{
	if (!report_has(s, REPORT_BALLOON_TARGET) || !report_has(s, REPORT_BALLOON_CURRENT))
		return NULL;
	if (s->val[REPORT_BALLOON_TARGET] == s->val[REPORT_BALLOON_CURRENT])
		return XS_DOM_BALLOON_STATE_DONE;
	if (report_has(s, REPORT_BALLOON_RETRIES) && s->val[REPORT_BALLOON_RETRIES] > 1)
		return XS_DOM_BALLOON_STATE_BACKOFF;
	if (stalled_periods >= 3)
		return XS_DOM_BALLOON_STATE_GAVE_UP;
	return XS_DOM_BALLOON_STATE_WORKING;
}

unsigned int report_heartbeat_calls(long period_ms)
{
	if (period_ms <= 0 || period_ms >= (long)REPORT_HEARTBEAT_MS)
		return 1;
	return (unsigned int)(REPORT_HEARTBEAT_MS / (unsigned long)period_ms);
}

void report_cache_reset(struct report_cache *c)
{
	uint64_t seq = c->seq;
	int no_seq = c->no_seq;
	unsigned int heartbeat_calls = c->heartbeat_calls;

	memset(c, 0, sizeof(*c));
	c->heartbeat_calls = heartbeat_calls;
	c->seq = seq; /* keep counting up: readers compare with what they saw */
	c->no_seq = no_seq;
}

void report_resume_seq(struct xs_handle *xs, struct report_cache *c)
{
	uint64_t v;

	if (keytree_read_u64(xs, XBT_NULL, XS_DOM_REPORT_SEQ, &v) == 0 && v > c->seq)
		c->seq = v;
}

/* Is errno a sign that the connection itself failed? */
static int report_conn_errno(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
	case EAGAIN:
	case ENOENT:
	case EINVAL:
	case ENOSPC:
	case E2BIG:
	case EEXIST:
	case EBUSY:
	case ENOMEM:
		return 0;
	default:
		return 1;
	}
}

int report_probe(struct xs_handle *xs)
{
	unsigned int len = 0;
	char *val;

	val = xs_read(xs, XBT_NULL, XS_DOM_REPORT_SEQ, &len);
	if (val) {
		free(val);
		return 0;
	}
	return report_conn_errno(errno) ? XMEM_ERR_IO : 0;
}

/* Index of path in the cache, or c->nr. */
static size_t report_cache_find(const struct report_cache *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->nr; i++) {
		if (strcmp(c->paths[i], path) == 0)
			break;
	}
	return i;
}

size_t report_diff(const struct report_cache *c, const struct report_kv *kvs, size_t n,
		   unsigned char *changed)
{
	size_t i, j, nr = 0;

	for (i = 0; i < n; i++) {
		j = report_cache_find(c, kvs[i].path);
		changed[i] = j == c->nr || strcmp(c->vals[j], kvs[i].val) != 0;
		nr += changed[i];
	}
	return nr;
}

void report_cache_commit(struct report_cache *c, const struct report_kv *kvs, size_t n,
			 const unsigned char *changed)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!changed[i])
			continue;
		j = report_cache_find(c, kvs[i].path);
		if (j == c->nr) {
			if (c->nr >= REPORT_MAX_KVS)
				continue;
			c->paths[c->nr++] = kvs[i].path;
		}
		snprintf(c->vals[j], sizeof(c->vals[j]), "%s", kvs[i].val);
	}
}

int report_write(struct xs_handle *xs, struct report_cache *c, const struct report_kv *kvs,
		 size_t n)
{
	unsigned char changed[REPORT_MAX_KVS];
	char seq[24];
	xs_transaction_t t;
	size_t i, nr;
	int tries, err;

	if (n > REPORT_MAX_KVS)
		n = REPORT_MAX_KVS;
	nr = report_diff(c, kvs, n, changed);
	if (nr == 0 && (c->no_seq || ++c->idle < (c->heartbeat_calls ? c->heartbeat_calls
								     : REPORT_HEARTBEAT_CALLS)))
		return 0;
	snprintf(seq, sizeof(seq), "%" PRIu64, c->seq + 1);
	for (tries = 0; tries < REPORT_TXN_TRIES; tries++) {
		t = xs_transaction_start(xs);
		if (t == XBT_NULL)
			goto fail;
		for (i = 0; i < n; i++) {
			if (changed[i] &&
			    !xs_write(xs, t, kvs[i].path, kvs[i].val, strlen(kvs[i].val)))
				goto abort;
		}
		if (!c->no_seq && !xs_write(xs, t, XS_DOM_REPORT_SEQ, seq, strlen(seq)))
			goto abort;
		if (xs_transaction_end(xs, t, false)) {
			c->seq++;
			c->idle = 0;
			report_cache_commit(c, kvs, n, changed);
			return (int)nr;
		}
		if (errno != EAGAIN)
			goto fail;
		continue;
	abort:
		err = errno;
		xs_transaction_end(xs, t, true);
		errno = err;
		goto fail;
	}
	errno = EAGAIN;
	return XMEM_ERR_AGAIN;
fail:
	return report_conn_errno(errno) ? XMEM_ERR_IO : xmem_err_from_errno(errno);
}
