/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * simhost.h: xmem-simhost's shared declarations.
 *
 * Layout (as tools/xmem): simhost.c parses the command line, dispatches to
 * one file per subcommand (simhost_start.c, simhost_stop.c,
 * simhost_status.c, simhost_record.c) and holds what they share: the runtime
 * directory, its pid files, the scenario a host runs and a snapshot of its
 * domains. Each simhost_cmd_<name>() returns the process's exit status.
 */
#ifndef XMEM_SIMHOST_H
#define XMEM_SIMHOST_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>

#include "scenario.h"
#include "simdom.h"

struct hv;

#define SIMHOST_MAX_PIDS       1024
#define SIMHOST_MAX_COMPONENTS (SCENARIO_MAX_GUESTS + 3 + 128)
#define SIMHOST_SOCKET_WAIT_MS 10000
#define SIMHOST_SUN_PATH_MAX   107

/* Exit codes of status (LSB-like). */
#define SIMHOST_STATUS_RUNNING	0
#define SIMHOST_STATUS_DEGRADED 1
#define SIMHOST_STATUS_STOPPED	3

struct simhost_opts {
	const char *dir_arg;
	char dir[PATH_MAX];
	int json;
	const char *out;
	unsigned int interval_ms;
	double duration_s;
};

/* One domain's figures for status and record. */
struct simhost_dom {
	uint32_t domid;
	char name[SIMDOM_NAME_MAX + 1];
	uint64_t target_kib, static_max_kib, min_kib, max_kib, alloc_kib;
	uint64_t demand_kib, xmemd_demand_kib, psi_some, psi_some_total_us, mem_total_kib;
	int has_target, has_demand, has_xmemd_demand, has_alloc, has_psi, has_min, has_max;
	int has_psi_total, has_mem_total;
	char demand_source[24]; /* what xmemd takes its demand from ("" before it says) */
};

/* Resolve the runtime directory into o->dir; create it when create is set. */
int simhost_resolve_dir(struct simhost_opts *o, int create);

/* Component names of the pid files in DIR/run (without .pid). */
size_t simhost_pidfile_names(const char *dir, char names[][128], size_t max);

/* Print "NAME.pid" name into buf for guest g. */
void simhost_balloon_name(const char *guest, char *buf, size_t len);

/* Names of the components a scenario runs: stored, hvsim, balloon-*, xmemd. */
size_t simhost_expected(const struct scenario *sc, char names[][160], size_t max);

/* The scenario a running host was started with (DIR/run/scenario.json), or NULL. */
struct scenario *simhost_saved_scenario(const char *dir);

/* Read an unsigned key; 0 and *ok_r = 0 when absent or malformed. */
uint64_t simhost_read_u64(struct xs_handle *xs, const char *path, int *ok_r);

/* Read ~/rel of domid as unsigned. */
uint64_t simhost_dom_u64(struct xs_handle *xs, uint32_t domid, const char *rel, int *ok_r);

/*
 * Snapshot every domain (but dom0) of the host. A guest's use, PSI and
 * MemTotal come from its /proc under DIR/guest (the guest's kernel, whatever
 * agent it runs) when dir is not NULL and the files are there, else from
 * what its agent reported in the key tree. Returns how many (at most max).
 */
size_t simhost_snapshot(struct xs_handle *xs, struct hv *hv, const char *dir,
			struct simhost_dom *doms, size_t max);

/*
 * Stop everything of the host in dir. quiet: no summary line. Returns 0, or
 * -1 when a process survived SIGKILL.
 */
int simhost_stop_all(const char *dir, int quiet);

int simhost_cmd_start(struct simhost_opts *o, const char *scenario_path);

int simhost_cmd_stop(struct simhost_opts *o);

int simhost_cmd_status(struct simhost_opts *o);

int simhost_cmd_record(struct simhost_opts *o);

#endif
