/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * simhost_stop.c: xmem-simhost stop, ending every process of a host and
 * removing its sockets (see simhost.c for the design).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "hv.h"
#include "json.h"
#include "keytree.h"
#include "log.h"
#include "proc.h"
#include "scenario.h"
#include "simdom.h"
#include "simhost.h"
#include "size.h"
#include "table.h"
#include "trace.h"
#include "xmem_err.h"
#include "xenstore-schema/xs_schema.h"

/* Remove every socket under path (recursively) and the directories left empty. */
static size_t simhost_rm_sockets(const char *path, int top)
{
	DIR *d = opendir(path);
	struct dirent *de;
	size_t nr = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (top && strcmp(de->d_name, "run") == 0)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub))
			continue;
		if (lstat(sub, &st) < 0)
			continue;
		if (S_ISSOCK(st.st_mode)) {
			if (unlink(sub) == 0)
				nr++;
		} else if (S_ISDIR(st.st_mode)) {
			nr += simhost_rm_sockets(sub, 0);
			rmdir(sub); /* only succeeds when empty */
		}
	}
	closedir(d);
	return nr;
}

/* Stop order: xmemd, balloons, other clients, hypervisor, store. */
static int simhost_stop_rank(const char *name)
{
	if (strcmp(name, "xmemd") == 0)
		return 0;
	if (strncmp(name, "balloon-", 8) == 0)
		return 1;
	if (strcmp(name, "hvsim") == 0)
		return 3;
	if (strcmp(name, "stored") == 0)
		return 4;
	return 2;
}

/*
 * Stop everything of the host in dir. quiet: no summary line. Returns 0, or
 * -1 when a process survived SIGKILL.
 */
int simhost_stop_all(const char *dir, int quiet)
{
	static char names[SIMHOST_MAX_PIDS][128];
	pid_t pids[SIMHOST_MAX_PIDS];
	size_t nr, i, stopped = 0, killed = 0, socks;
	int rank, rc = 0;

	nr = simhost_pidfile_names(dir, names, SIMHOST_MAX_PIDS);
	for (rank = 0; rank <= 4; rank++) {
		for (i = 0; i < nr; i++) {
			char path[PATH_MAX];
			pid_t pid;

			if (simhost_stop_rank(names[i]) != rank)
				continue;
			pid = proc_running(dir, names[i]);
			if (pid > 0) {
				log_debug("stopping %s (pid %d)", names[i], (int)pid);
				killed += (size_t)proc_stop_pid(pid, PROC_STOP_TIMEOUT_MS);
				stopped++;
			}
			if (proc_file(dir, names[i], "pid", path, sizeof(path)) == 0)
				unlink(path);
		}
	}
	/* Whatever still names DIR: lost pid files, balloons started by others. */
	nr = proc_scan(dir, pids, SIMHOST_MAX_PIDS);
	for (i = 0; i < nr; i++) {
		log_debug("stopping stray pid %d", (int)pids[i]);
		killed += (size_t)proc_stop_pid(pids[i], PROC_STOP_TIMEOUT_MS);
		stopped++;
	}
	if (proc_scan(dir, pids, SIMHOST_MAX_PIDS)) {
		log_warnx("some processes of %s survived SIGKILL", dir);
		rc = -1;
	}
	socks = simhost_rm_sockets(dir, 1);
	if (!quiet)
		log_info("stopped %zu process%s (%zu killed), removed %zu socket%s in %s", stopped,
			 stopped == 1 ? "" : "es", killed, socks, socks == 1 ? "" : "s", dir);
	return rc;
}

int simhost_cmd_stop(struct simhost_opts *o)
{
	int r = simhost_resolve_dir(o, 0);

	if (r < 0)
		return 1;
	if (r > 0) {
		log_info("nothing runs in %s", o->dir);
		return 0;
	}
	return simhost_stop_all(o->dir, 0) ? 1 : 0;
}
