/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * simhost_record.c: xmem-simhost record, sampling a running host into CSV.
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

static volatile sig_atomic_t simhost_quit;

/* Note a termination signal (record). */
static void simhost_on_signal(int sig)
{
	(void)sig;
	simhost_quit = 1;
}

/* Seconds since t0 (monotonic). */
static double simhost_elapsed_s(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Print an optional CSV value. */
static void simhost_csv_opt(FILE *f, int has, uint64_t v)
{
	if (has)
		fprintf(f, ",%" PRIu64, v);
	else
		fputs(",", f);
}

/*
 * What a guest's workload asks for at a given moment, computed the way its
 * xmem-balloon does (trace replay from the balloon's start at the scenario's
 * time scale, or a steady size), so plots can show the workload's demand next
 * to what the guest reports and holds. Other workloads are left empty.
 */
struct simhost_wl {
	char name[SIMDOM_NAME_MAX + 1];
	const struct trace_vm *vm; /* trace replay */
	uint64_t steady_kib;	   /* steady:SIZE */
	int known;
	double start_s; /* balloon start (its pid file's mtime), Unix seconds */
};

struct simhost_wls {
	struct trace *trace;
	struct simhost_wl *wl;
	size_t nr;
	double time_scale;
};

/* Load the workloads of the scenario the host in dir runs (best effort). */
static void simhost_wls_load(const char *dir, struct simhost_wls *w)
{
	struct scenario *sc = simhost_saved_scenario(dir);
	char err[256], name[160], path[PATH_MAX];
	const char *trace_file = NULL;
	size_t i;

	memset(w, 0, sizeof(*w));
	if (!sc)
		return;
	w->wl = calloc(sc->nr_guests ? sc->nr_guests : 1, sizeof(*w->wl));
	if (!w->wl)
		goto out;
	w->time_scale = sc->time_scale;
	for (i = 0; i < sc->nr_guests; i++) {
		const char *spec = sc->guests[i].workload;
		struct simhost_wl *l = &w->wl[w->nr];
		struct stat st;

		snprintf(l->name, sizeof(l->name), "%s", sc->guests[i].name);
		simhost_balloon_name(l->name, name, sizeof(name));
		if (proc_file(dir, name, "pid", path, sizeof(path)) || stat(path, &st) < 0)
			continue;
		l->start_s = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
		if (strncmp(spec, "steady:", 7) == 0) {
			l->known = size_parse_kib(spec + 7, &l->steady_kib) == 0;
		} else if (strncmp(spec, "trace:", 6) == 0) {
			const char *colon = strrchr(spec + 6, ':');
			char *file = strndup(spec + 6, (size_t)(colon - (spec + 6)));

			if (!file)
				continue;
			if (!w->trace && !trace_file) {
				if (trace_load(file, NULL, &w->trace, err, sizeof(err)))
					log_warnx("record: %s", err);
				trace_file = spec; /* one trace file is loaded, the first */
			}
			if (w->trace && strncmp(spec, trace_file, (size_t)(colon - spec)) == 0)
				l->vm = trace_find(w->trace, colon + 1);
			l->known = l->vm != NULL;
			free(file);
		}
		w->nr++;
	}
out:
	scenario_free(sc);
}

/* The workload demand of guest name at Unix time now_s; 0 when unknown. */
static int simhost_wls_demand(const struct simhost_wls *w, const char *name, double now_s,
			      uint64_t *kib_r)
{
	size_t i;

	for (i = 0; i < w->nr; i++) {
		const struct simhost_wl *l = &w->wl[i];
		double t;

		if (!l->known || strcmp(l->name, name) != 0)
			continue;
		if (!l->vm) {
			*kib_r = l->steady_kib;
			return 1;
		}
		t = (now_s - l->start_s) * w->time_scale;
		if (t < 0)
			t = 0;
		*kib_r = trace_vm_used_at(l->vm, l->vm->samples[0].t_s + (uint64_t)t);
		return 1;
	}
	return 0;
}

static void simhost_wls_free(struct simhost_wls *w)
{
	trace_free(w->trace);
	free(w->wl);
}

/* One CSV line per domain of doms[0..nr), sampled at t seconds. */
static void simhost_record_rows(FILE *f, double t, const struct simhost_dom *doms, size_t nr,
				const struct hv_physinfo *pi, int has_free, uint64_t reserved,
				int has_res, const struct simhost_wls *wls)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		const struct simhost_dom *d = &doms[i];
		struct timeval tv;
		uint64_t wl = 0;
		int has_wl;

		fprintf(f, "%.3f,%" PRIu32 ",%s", t, d->domid, d->name);
		simhost_csv_opt(f, d->has_demand, d->demand_kib);
		simhost_csv_opt(f, d->has_xmemd_demand, d->xmemd_demand_kib);
		simhost_csv_opt(f, d->has_target, d->target_kib);
		simhost_csv_opt(f, d->has_alloc, d->alloc_kib);
		simhost_csv_opt(f, 1, d->static_max_kib);
		simhost_csv_opt(f, d->has_min, d->min_kib);
		simhost_csv_opt(f, d->has_max, d->max_kib);
		simhost_csv_opt(f, d->has_psi, d->psi_some);
		simhost_csv_opt(f, has_free, has_free ? size_pages_to_kib(pi->free_pages) : 0);
		simhost_csv_opt(f, has_res, reserved);
		gettimeofday(&tv, NULL);
		has_wl =
			simhost_wls_demand(wls, d->name, (double)tv.tv_sec + tv.tv_usec / 1e6, &wl);
		simhost_csv_opt(f, has_wl, wl);
		simhost_csv_opt(f, d->has_psi_total, d->psi_some_total_us);
		simhost_csv_opt(f, d->has_mem_total, d->mem_total_kib);
		fprintf(f, ",%s\n", d->demand_source);
	}
}

/* Sleep to the next multiple of interval_ms since t0. */
static void simhost_record_sleep(const struct timespec *t0, unsigned int interval_ms)
{
	double next = simhost_elapsed_s(t0);
	long step = (long)(next * 1000.0) / (long)interval_ms + 1;
	long wait_ms = step * (long)interval_ms - (long)(next * 1000.0);

	proc_sleep_ms((int)(wait_ms > 0 ? wait_ms : 1));
}

/* Sample the host through xs and hv into f until it stops, a signal or o->duration_s. */
static void simhost_record_loop(const struct simhost_opts *o, struct xs_handle *xs, struct hv *hv,
				FILE *f, const struct simhost_wls *wls)
{
	static struct simhost_dom doms[SIMHOST_MAX_PIDS];
	struct timespec t0;

	fprintf(f, "t_s,domid,name,demand_kib,xmemd_demand_kib,target_kib,alloc_kib,"
		   "static_max_kib,min_kib,max_kib,psi_some,host_free_kib,host_reserved_kib,"
		   "workload_kib,psi_some_total_us,meminfo_total_kib,demand_source\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!simhost_quit) {
		struct hv_physinfo pi;
		uint64_t reserved;
		int has_free, has_res;
		double t = simhost_elapsed_s(&t0);
		size_t nr;

		if (o->duration_s > 0 && t > o->duration_s)
			break;
		has_free = hv_physinfo(hv, &pi) == 0;
		if (!has_free && proc_running(o->dir, "hvsim") < 0)
			break; /* the host stopped */
		reserved = simhost_read_u64(xs, XS_XMEMD_HOST_RESERVED, &has_res);
		nr = simhost_snapshot(xs, hv, o->dir, doms, SIMHOST_MAX_PIDS);
		if (nr == 0 && proc_running(o->dir, "stored") < 0)
			break;
		simhost_record_rows(f, t, doms, nr, &pi, has_free, reserved, has_res, wls);
		if (fflush(f) != 0)
			break;
		simhost_record_sleep(&t0, o->interval_ms);
	}
}

int simhost_cmd_record(struct simhost_opts *o)
{
	struct xs_handle *xs = NULL;
	struct hv *hv = NULL;
	struct sigaction sa;
	struct simhost_wls wls;
	FILE *f = NULL;
	int rc = 1, r;

	memset(&wls, 0, sizeof(wls));

	if (!o->out) {
		log_warnx("record: --out FILE is required");
		return 2;
	}
	r = simhost_resolve_dir(o, 0);
	if (r != 0) {
		if (r > 0)
			log_warnx("record: no host in %s", o->dir);
		return 1;
	}
	if (proc_running(o->dir, "stored") < 0 || proc_running(o->dir, "hvsim") < 0) {
		log_warnx("record: the host in %s is not running", o->dir);
		return 1;
	}
	xs = host_xs_open(o->dir, HOST_NO_DOMID);
	hv = host_hv_open(o->dir);
	if (!xs || !hv) {
		log_warn("record: cannot open the host in %s", o->dir);
		goto out;
	}
	f = strcmp(o->out, "-") == 0 ? stdout : fopen(o->out, "w");
	if (!f) {
		log_warn("record: %s", o->out);
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = simhost_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	simhost_wls_load(o->dir, &wls);
	simhost_record_loop(o, xs, hv, f, &wls);
	rc = 0;
out:
	simhost_wls_free(&wls);
	if (f && f != stdout && fclose(f) != 0)
		rc = 1;
	if (hv)
		hv_close(hv);
	if (xs)
		xs_close(xs);
	return rc;
}
