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

/*
 * procfs_put, making root/dir first when it is missing (the first write, or
 * a directory removed under the guest): no mkdir in the common case.
 */
static int procfs_put_in(const char *root, const char *dir, const char *rel, const char *text)
{
	char path[4096];

	if (!procfs_put(root, rel, text))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", root, dir);
	if (access(path, F_OK) == 0 || procfs_mkdir(root, dir))
		return XMEM_ERR_IO;
	return procfs_put(root, rel, text);
}

struct procfs_line {
	enum report_field field;
	const char *name;
};

static const struct procfs_line procfs_meminfo[] = {
	{ REPORT_MEM_TOTAL, "MemTotal:" },	   { REPORT_MEM_FREE, "MemFree:" },
	{ REPORT_MEM_AVAILABLE, "MemAvailable:" }, { REPORT_SWAP_TOTAL, "SwapTotal:" },
	{ REPORT_SWAP_FREE, "SwapFree:" },	   { REPORT_COMMITTED, "Committed_AS:" },
};

static const struct procfs_line procfs_vmstat[] = {
	{ REPORT_PSWPIN, "pswpin" },
	{ REPORT_PSWPOUT, "pswpout" },
	{ REPORT_PGMAJFAULT, "pgmajfault" },
};

/*
 * Fill buf with the known fields of s among lines: "Name:  N kB" as
 * /proc/meminfo when kb is set, else "name N" as /proc/vmstat.
 */
static void procfs_lines(char *buf, size_t len, const struct report_sample *s,
			 const struct procfs_line *lines, size_t nr, int kb)
{
	size_t i, at = 0;
	int r;

	buf[0] = '\0';
	for (i = 0; i < nr && at < len; i++) {
		if (!report_has(s, lines[i].field))
			continue;
		r = kb ? snprintf(buf + at, len - at, "%-16s%8" PRIu64 " kB\n", lines[i].name,
				  s->val[lines[i].field])
		       : snprintf(buf + at, len - at, "%s %" PRIu64 "\n", lines[i].name,
				  s->val[lines[i].field]);
		if (r > 0)
			at += (size_t)r;
	}
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

	procfs_lines(text, sizeof(text), s, procfs_meminfo,
		     sizeof(procfs_meminfo) / sizeof(procfs_meminfo[0]), 1);
	rc = procfs_put_in(root, "proc", "proc/meminfo", text);
	if (rc)
		return rc;
	procfs_lines(text, sizeof(text), s, procfs_vmstat,
		     sizeof(procfs_vmstat) / sizeof(procfs_vmstat[0]), 0);
	rc = procfs_put_in(root, "proc", "proc/vmstat", text);
	if (rc)
		return rc;

	text[0] = '\0';
	if (report_has(s, REPORT_PSI_SOME))
		n = procfs_psi(text, sizeof(text), n, "some", s->val[REPORT_PSI_SOME],
			       report_has(s, REPORT_PSI_SOME_TOTAL) ? s->val[REPORT_PSI_SOME_TOTAL]
								    : 0);
	if (report_has(s, REPORT_PSI_FULL))
		procfs_psi(text, sizeof(text), n, "full", s->val[REPORT_PSI_FULL], 0);
	return procfs_put_in(root, "proc/pressure", "proc/pressure/memory", text);
}
