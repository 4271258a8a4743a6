/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procfs.h: what /proc says about a process (benchmarks and tests measure
 * the daemons' memory with it).
 */
#ifndef XMEM_PROCFS_H
#define XMEM_PROCFS_H

#include <stdint.h>
#include <sys/types.h>

/* Resident set size of pid (VmRSS), in KiB. 0, XMEM_ERR_NOTFOUND (no such process) or XMEM_ERR_IO. */
int procfs_rss_kib(pid_t pid, uint64_t *kib_r);

#endif
