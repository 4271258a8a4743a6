/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procfs.c: see procfs.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "procfs.h"
#include "xmem_err.h"

int procfs_rss_kib(pid_t pid, uint64_t *kib_r)
{
	char path[64], line[256];
	int rc = XMEM_ERR_IO;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? XMEM_ERR_NOTFOUND : XMEM_ERR_IO;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %" SCNu64, kib_r) == 1) {
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}
