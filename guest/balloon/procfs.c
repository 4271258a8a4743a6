/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procfs.c: see procfs.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procfs.h"
#include "xmem_err.h"

#define PROCFS_TEXT_LEN 1024

/* Replace root/rel with text: a temporary file, then rename. */
static int procfs_put(const char *root, const char *rel, const char *text)
{
	char path[4096], tmp[4200];
	FILE *f = NULL;
	int rc = XMEM_ERR_IO, r;

	r = snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (r < 0 || (size_t)r >= sizeof(path))
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		goto out;
	if (fputs(text, f) < 0)
		goto out;
	r = fclose(f);
	f = NULL;
	if (r || rename(tmp, path))
		goto out;
	rc = 0;
out:
	if (f)
		fclose(f);
	if (rc)
		unlink(tmp);
	return rc;
}

/* Make root/rel and every directory above it that is missing. */
static int procfs_mkdir(const char *root, const char *rel)
{
	char path[4096], *p;
	int r;

	r = snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (r < 0 || (size_t)r >= sizeof(path))
		return XMEM_ERR_IO;
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return XMEM_ERR_IO;
		*p = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? XMEM_ERR_IO : 0;
}

/* Append "Name:  N kB" when the field is known. */
static size_t procfs_kb(char *buf, size_t len, size_t at, const struct report_sample *s,
			enum report_field f, const char *name)
{
	int r;

	if (!report_has(s, f) || at >= len)
		return at;
	r = snprintf(buf + at, len - at, "%-16s%8" PRIu64 " kB\n", name, s->val[f]);
	return r < 0 ? at : at + (size_t)r;
}

/* Append "name N" when the field is known. */
static size_t procfs_count(char *buf, size_t len, size_t at, const struct report_sample *s,
			   enum report_field f, const char *name)
{
	int r;

	if (!report_has(s, f) || at >= len)
		return at;
	r = snprintf(buf + at, len - at, "%s %" PRIu64 "\n", name, s->val[f]);
	return r < 0 ? at : at + (size_t)r;
}

/* One PSI line; avg10 is kept in hundredths of a percent. */
static size_t procfs_psi(char *buf, size_t len, size_t at, const char *kind, uint64_t avg10,
			 uint64_t total_us)
{
	int r;

	if (at >= len)
		return at;
	r = snprintf(buf + at, len - at,
		     "%s avg10=%" PRIu64 ".%02" PRIu64 " avg60=0.00 avg300=0.00 total=%" PRIu64
		     "\n",
		     kind, avg10 / 100, avg10 % 100, total_us);
	return r < 0 ? at : at + (size_t)r;
}

int procfs_write(const char *root, const struct report_sample *s)
{
	char text[PROCFS_TEXT_LEN];
	size_t n = 0;
	int rc;

	if (procfs_mkdir(root, "proc/pressure"))
		return XMEM_ERR_IO;
	text[0] = '\0';
	n = procfs_kb(text, sizeof(text), n, s, REPORT_MEM_TOTAL, "MemTotal:");
	n = procfs_kb(text, sizeof(text), n, s, REPORT_MEM_FREE, "MemFree:");
	n = procfs_kb(text, sizeof(text), n, s, REPORT_MEM_AVAILABLE, "MemAvailable:");
	n = procfs_kb(text, sizeof(text), n, s, REPORT_SWAP_TOTAL, "SwapTotal:");
	n = procfs_kb(text, sizeof(text), n, s, REPORT_SWAP_FREE, "SwapFree:");
	n = procfs_kb(text, sizeof(text), n, s, REPORT_COMMITTED, "Committed_AS:");
	rc = procfs_put(root, "proc/meminfo", text);
	if (rc)
		return rc;

	n = 0;
	text[0] = '\0';
	n = procfs_count(text, sizeof(text), n, s, REPORT_PSWPIN, "pswpin");
	n = procfs_count(text, sizeof(text), n, s, REPORT_PSWPOUT, "pswpout");
	n = procfs_count(text, sizeof(text), n, s, REPORT_PGMAJFAULT, "pgmajfault");
	rc = procfs_put(root, "proc/vmstat", text);
	if (rc)
		return rc;

	n = 0;
	text[0] = '\0';
	if (report_has(s, REPORT_PSI_SOME))
		n = procfs_psi(text, sizeof(text), n, "some", s->val[REPORT_PSI_SOME],
			       report_has(s, REPORT_PSI_SOME_TOTAL) ? s->val[REPORT_PSI_SOME_TOTAL]
								    : 0);
	if (report_has(s, REPORT_PSI_FULL))
		n = procfs_psi(text, sizeof(text), n, "full", s->val[REPORT_PSI_FULL], 0);
	return procfs_put(root, "proc/pressure/memory", text);
}
