/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * simhost_status.c: xmem-simhost status, the components and domains of a
 * host, as a table or JSON.
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

/* Format an optional value for a table. */
static const char *simhost_opt_size(int has, uint64_t kib, char *buf, size_t len)
{
	if (!has)
		return "-";
	return size_format(kib, buf, len);
}

/* The status table of domains. Returns 0 or a negative XMEM_ERR_*. */
static int simhost_print_doms(const struct simhost_dom *doms, size_t nr)
{
	static const struct table_col cols[] = {
		{ "name", 20, TABLE_LEFT },   { "id", 5, TABLE_RIGHT },
		{ "alloc", 9, TABLE_RIGHT },  { "target", 9, TABLE_RIGHT },
		{ "demand", 9, TABLE_RIGHT }, { "max", 9, TABLE_RIGHT },
	};
	struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	char buf[SIZE_FMT_LEN];
	size_t i;

	for (i = 0; i < nr; i++) {
		table_cell(t, "%s", doms[i].name);
		table_cell(t, "%" PRIu32, doms[i].domid);
		table_cell(
			t, "%s",
			simhost_opt_size(doms[i].has_alloc, doms[i].alloc_kib, buf, sizeof(buf)));
		table_cell(
			t, "%s",
			simhost_opt_size(doms[i].has_target, doms[i].target_kib, buf, sizeof(buf)));
		table_cell(
			t, "%s",
			simhost_opt_size(doms[i].has_demand, doms[i].demand_kib, buf, sizeof(buf)));
		table_cell(t, "%s", size_format(doms[i].static_max_kib, buf, sizeof(buf)));
	}
	return table_print_free(t, stdout);
}

/* What status reports about a host. */
struct simhost_status {
	const char *dir;
	int state; /* SIMHOST_STATUS_* */
	const struct scenario *saved;
	char (*names)[160];
	pid_t *pids;
	size_t nr;
	int has_pi;
	struct hv_physinfo pi;
	const struct simhost_dom *doms;
	size_t nr_doms;
};

/* The word for a SIMHOST_STATUS_* state. */
static const char *simhost_state_name(int state)
{
	return state == SIMHOST_STATUS_RUNNING	 ? "running"
	       : state == SIMHOST_STATUS_STOPPED ? "stopped"
						 : "degraded";
}

/*
 * The components of the host in st->dir (up: its runtime directory exists):
 * the scenario's, then any others with a pid file (a balloon `xmem create`
 * started: shown, not counted). Sets st->state.
 */
static void simhost_status_components(struct simhost_status *st, int up)
{
	static char found[SIMHOST_MAX_PIDS][128];
	size_t nr, nr_found, i, j, alive = 0;

	nr = simhost_expected(st->saved, st->names, SCENARIO_MAX_GUESTS + 3);
	for (i = 0; i < nr; i++) {
		st->pids[i] = up ? proc_running(st->dir, st->names[i]) : -1;
		alive += st->pids[i] > 0;
	}
	st->state = alive == 0 ? SIMHOST_STATUS_STOPPED
			       : (st->saved && alive == nr ? SIMHOST_STATUS_RUNNING
							   : SIMHOST_STATUS_DEGRADED);
	nr_found = up ? simhost_pidfile_names(st->dir, found, SIMHOST_MAX_PIDS) : 0;
	for (j = 0; j < nr_found && nr < SIMHOST_MAX_COMPONENTS; j++) {
		int known = 0;

		for (i = 0; i < nr && !known; i++)
			known = strcmp(st->names[i], found[j]) == 0;
		if (known)
			continue;
		snprintf(st->names[nr], sizeof(st->names[nr]), "%.127s", found[j]);
		st->pids[nr] = proc_running(st->dir, found[j]);
		nr++;
	}
	st->nr = nr;
}

/* The domains of st as a JSON array. */
static void simhost_status_json_doms(struct json_out *out, const struct simhost_status *st)
{
	size_t i;

	json_out_key(out, "domains");
	json_out_arr_open(out);
	for (i = 0; i < st->nr_doms; i++) {
		const struct simhost_dom *d = &st->doms[i];

		json_out_obj_open(out);
		json_out_kv_u64(out, "domid", d->domid);
		json_out_kv_str(out, "name", d->name);
		if (d->has_alloc)
			json_out_kv_u64(out, "alloc_kib", d->alloc_kib);
		if (d->has_target)
			json_out_kv_u64(out, "target_kib", d->target_kib);
		if (d->has_demand)
			json_out_kv_u64(out, "demand_kib", d->demand_kib);
		json_out_kv_u64(out, "static_max_kib", d->static_max_kib);
		json_out_obj_close(out);
	}
	json_out_arr_close(out);
}

/* Print st as JSON. 0 or 1 (could not write). */
static int simhost_status_json(const struct simhost_status *st)
{
	struct json_out *out = json_out_new(1);
	size_t i;
	int rc;

	if (!out)
		fatal("json_out_new");
	json_out_obj_open(out);
	json_out_kv_str(out, "dir", st->dir);
	json_out_kv_str(out, "state", simhost_state_name(st->state));
	if (st->saved)
		json_out_kv_str(out, "scenario", st->saved->name);
	json_out_key(out, "components");
	json_out_arr_open(out);
	for (i = 0; i < st->nr; i++) {
		json_out_obj_open(out);
		json_out_kv_str(out, "name", st->names[i]);
		json_out_kv_bool(out, "running", st->pids[i] > 0);
		if (st->pids[i] > 0)
			json_out_kv_i64(out, "pid", st->pids[i]);
		json_out_obj_close(out);
	}
	json_out_arr_close(out);
	if (st->has_pi) {
		json_out_key(out, "host");
		json_out_obj_open(out);
		json_out_kv_u64(out, "total_kib", size_pages_to_kib(st->pi.total_pages));
		json_out_kv_u64(out, "free_kib", size_pages_to_kib(st->pi.free_pages));
		json_out_obj_close(out);
	}
	simhost_status_json_doms(out, st);
	json_out_obj_close(out);
	rc = json_out_print(out, stdout) ? 1 : 0;
	json_out_free(out);
	return rc;
}

/* Print st for people. 0 or 1 (could not write the table). */
static int simhost_status_text(const struct simhost_status *st)
{
	char a[SIZE_FMT_LEN], b[SIZE_FMT_LEN];
	size_t i;

	printf("host %s: %s%s%s\n", st->dir, simhost_state_name(st->state),
	       st->saved ? ", scenario " : "", st->saved ? st->saved->name : "");
	for (i = 0; i < st->nr; i++) {
		if (st->pids[i] > 0)
			printf("  %-24s running (pid %d)\n", st->names[i], (int)st->pids[i]);
		else
			printf("  %-24s not running\n", st->names[i]);
	}
	if (st->has_pi)
		printf("memory: %s total, %s free\n",
		       size_format(size_pages_to_kib(st->pi.total_pages), a, sizeof(a)),
		       size_format(size_pages_to_kib(st->pi.free_pages), b, sizeof(b)));
	if (st->nr_doms && simhost_print_doms(st->doms, st->nr_doms))
		return 1;
	return 0;
}

int simhost_cmd_status(struct simhost_opts *o)
{
	static char names[SIMHOST_MAX_COMPONENTS][160];
	static struct simhost_dom doms[SIMHOST_MAX_PIDS];
	pid_t pids[SIMHOST_MAX_COMPONENTS] = { 0 };
	struct simhost_status st;
	struct scenario *saved = NULL;
	struct xs_handle *xs = NULL;
	struct hv *hv = NULL;
	int r, rc;

	r = simhost_resolve_dir(o, 0);
	if (r < 0)
		return 1;
	saved = r == 0 ? simhost_saved_scenario(o->dir) : NULL;
	memset(&st, 0, sizeof(st));
	st.dir = o->dir;
	st.saved = saved;
	st.names = names;
	st.pids = pids;
	st.doms = doms;
	simhost_status_components(&st, r == 0);
	if (pids[0] > 0) {
		xs = host_xs_open(o->dir, HOST_NO_DOMID);
		if (pids[1] > 0)
			hv = host_hv_open(o->dir);
		if (hv && hv_physinfo(hv, &st.pi) == 0)
			st.has_pi = 1;
		if (xs)
			st.nr_doms = simhost_snapshot(xs, hv, o->dir, doms, SIMHOST_MAX_PIDS);
	}
	rc = st.state;
	if (o->json ? simhost_status_json(&st) : simhost_status_text(&st))
		rc = 1;
	if (hv)
		hv_close(hv);
	if (xs)
		xs_close(xs);
	scenario_free(saved);
	return rc;
}
