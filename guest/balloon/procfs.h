/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procfs.h: the simulated guest's /proc, written as files for observers.
 *
 * A real guest's memory is what its kernel says in /proc/meminfo,
 * /proc/vmstat and /proc/pressure/memory, whatever agent it runs (or none).
 * A simulated guest keeps the same three files under a root directory of
 * its own, rewritten every period, in the kernel's formats, so that an
 * observer with the host's privileges (xmem-simhost record, for the demo's
 * report) measures every guest the same way, and xmem-guestd itself could
 * read them with --root. xmemd never reads them: it sees only what the
 * guest's agent writes into the key tree.
 */
#ifndef GUEST_BALLOON_PROCFS_H
#define GUEST_BALLOON_PROCFS_H

#include "../agent/report.h"

/*
 * Write root/proc/meminfo, root/proc/vmstat and root/proc/pressure/memory
 * from the known fields of s (each file replaced whole, by rename, so a
 * reader never sees half of one). Creates the directories that are missing
 * (only when a write fails for want of one).
 * Returns 0 or XMEM_ERR_IO.
 */
int procfs_write(const char *root, const struct report_sample *s);

#endif
