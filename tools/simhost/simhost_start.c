/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * simhost_start.c: xmem-simhost start, bringing a simulated host up from a
 * scenario (see simhost.c for the design).
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

/* Binaries of the host's daemons. */
struct simhost_bins {
	char stored[PATH_MAX];
	char hvsim[PATH_MAX];
	char balloon[PATH_MAX];
	char xmemd[PATH_MAX];
};

/* 1 when path is an executable regular file. */
static int simhost_is_exe(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* 1 when a/b (b may be "") fits in buf and is an executable. */
static int simhost_try_exe(char *buf, size_t len, const char *a, const char *b)
{
	int n = snprintf(buf, len, "%s%s%s", a, b[0] ? "/" : "", b);

	return n > 0 && (size_t)n < len && simhost_is_exe(buf);
}

/*
 * Find program prog: $XMEM_BINDIR/prog, the build tree around our own
 * executable (TOP/rels[i]), our own directory and its ../sbin or ../bin,
 * then PATH. Fills buf (PATH_MAX bytes) and returns 0, or XMEM_ERR_NOTFOUND.
 */
static int simhost_find_bin(const char *prog, const char *const *rels, char *buf, size_t len)
{
	char self[PATH_MAX], dir[PATH_MAX], *slash, *path = NULL, *save = NULL, *p, *real;
	const char *env = getenv("XMEM_BINDIR");
	ssize_t n;
	size_t i;
	int found = 0;

	if (env && env[0] && simhost_try_exe(buf, len, env, prog))
		found = 1;
	n = found ? -1 : readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		/* Build tree: our directory is TOP/tools/simhost. */
		for (i = 0; rels[i] && !found; i++) {
			if (snprintf(dir, sizeof(dir), "%s/../..", self) < (int)sizeof(dir))
				found = simhost_try_exe(buf, len, dir, rels[i]);
		}
		if (!found)
			found = simhost_try_exe(buf, len, self, prog);
		if (!found && snprintf(dir, sizeof(dir), "%s/../sbin", self) < (int)sizeof(dir))
			found = simhost_try_exe(buf, len, dir, prog);
		if (!found && snprintf(dir, sizeof(dir), "%s/../bin", self) < (int)sizeof(dir))
			found = simhost_try_exe(buf, len, dir, prog);
	}
	env = getenv("PATH");
	if (!found && env) {
		path = strdup(env);
		for (p = path ? strtok_r(path, ":", &save) : NULL; p && !found;
		     p = strtok_r(NULL, ":", &save))
			found = simhost_try_exe(buf, len, p[0] ? p : ".", prog);
		free(path);
	}
	if (!found)
		return XMEM_ERR_NOTFOUND;
	real = realpath(buf, NULL);
	if (real) {
		if (strlen(real) < len)
			memcpy(buf, real, strlen(real) + 1);
		free(real);
	}
	return 0;
}

/* Find every binary start needs; names the first missing one. */
static int simhost_find_bins(struct simhost_bins *b, int need_balloon)
{
	static const char *const stored_rels[] = { "tools/stored/xmem-stored", NULL };
	static const char *const hvsim_rels[] = { "tools/hvsim/xmem-hvsim", NULL };
	static const char *const balloon_rels[] = { "guest/balloon/xmem-balloon",
						    "guest/xmem-balloon", NULL };
	static const char *const xmemd_rels[] = { "tools/xmemd/xmemd", NULL };
	struct {
		const char *prog;
		const char *const *rels;
		char *buf;
		int needed;
	} want[] = {
		{ "xmem-stored", stored_rels, b->stored, 1 },
		{ "xmem-hvsim", hvsim_rels, b->hvsim, 1 },
		{ "xmem-balloon", balloon_rels, b->balloon, need_balloon },
		{ "xmemd", xmemd_rels, b->xmemd, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!want[i].needed)
			continue;
		if (simhost_find_bin(want[i].prog, want[i].rels, want[i].buf, PATH_MAX)) {
			log_warnx("cannot start: %s is not built or installed (looked next to "
				  "xmem-simhost, in $XMEM_BINDIR and in PATH)",
				  want[i].prog);
			return XMEM_ERR_NOTFOUND;
		}
		log_debug("%s: %s", want[i].prog, want[i].buf);
	}
	return 0;
}

/* Wait until path is a socket. 0 or -1 on timeout. */
static int simhost_wait_socket(const char *path, int timeout_ms)
{
	struct stat st;
	int waited;

	for (waited = 0; waited <= timeout_ms; waited += 10) {
		if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		proc_sleep_ms(10);
	}
	return -1;
}

/* Run one daemon; log the failure. */
static pid_t simhost_start_one(const char *dir, const char *name, const char *const argv[])
{
	char err[PROC_ERR_LEN];
	pid_t pid = proc_start(dir, name, argv, err, sizeof(err));

	if (pid < 0)
		log_warnx("cannot start: %s", err);
	else
		log_debug("%s running (pid %d)", name, (int)pid);
	return pid;
}

/* DIR/run/NAME.EXT into buf (aborting on overflow: the dir was length-checked). */
static void simhost_runfile(const char *dir, const char *name, const char *ext, char *buf,
			    size_t len)
{
	if (proc_file(dir, name, ext, buf, len))
		fatalx("path too long");
}

/* Start the key tree and the hypervisor. */
static int simhost_start_base(const char *dir, const struct scenario *sc,
			      const struct simhost_bins *b)
{
	char rundir[PATH_MAX + 16], pidf[PATH_MAX], logf[PATH_MAX], mem[32], dom0[32];
	char sock[PATH_MAX + 16];

	snprintf(rundir, sizeof(rundir), "%s/store", dir);
	simhost_runfile(dir, "stored", "pid", pidf, sizeof(pidf));
	simhost_runfile(dir, "stored", "log", logf, sizeof(logf));
	{
		const char *argv[] = { b->stored, "--rundir",	rundir, "--pid-file",
				       pidf,	  "--log-file", logf,	NULL };

		if (simhost_start_one(dir, "stored", argv) < 0)
			return -1;
	}
	snprintf(sock, sizeof(sock), "%s/store/socket", dir);
	if (simhost_wait_socket(sock, SIMHOST_SOCKET_WAIT_MS) < 0) {
		log_warnx("cannot start: xmem-stored runs but %s did not appear", sock);
		return -1;
	}

	snprintf(rundir, sizeof(rundir), "%s/hv", dir);
	simhost_runfile(dir, "hvsim", "pid", pidf, sizeof(pidf));
	simhost_runfile(dir, "hvsim", "log", logf, sizeof(logf));
	snprintf(mem, sizeof(mem), "%" PRIu64 "K", sc->memory_kib);
	snprintf(dom0, sizeof(dom0), "%" PRIu64 "K", sc->dom0_kib);
	{
		const char *argv[] = { b->hvsim, "--rundir",   rundir, "--memory",
				       mem,	 "--pid-file", pidf,   "--log-file",
				       logf,	 NULL,	       NULL,   NULL };

		if (sc->dom0_kib) {
			argv[9] = "--dom0";
			argv[10] = dom0;
		}
		if (simhost_start_one(dir, "hvsim", argv) < 0)
			return -1;
	}
	snprintf(sock, sizeof(sock), "%s/hv/socket", dir);
	if (simhost_wait_socket(sock, SIMHOST_SOCKET_WAIT_MS) < 0) {
		log_warnx("cannot start: xmem-hvsim runs but %s did not appear", sock);
		return -1;
	}
	return 0;
}

/* Build the scenario's domains; domids_r[i] gets guest i's domid. */
static int simhost_create_domains(const char *dir, const struct scenario *sc, uint32_t *domids_r)
{
	char err[SIMDOM_ERR_LEN];
	struct xs_handle *xs = NULL;
	struct hv *hv = NULL;
	size_t i;
	int rc = -1;

	xs = host_xs_open(dir, HOST_NO_DOMID);
	if (!xs) {
		log_warn("cannot start: cannot open the key tree of %s", dir);
		goto out;
	}
	hv = host_hv_open(dir);
	if (!hv) {
		log_warn("cannot start: cannot open the simulated hypervisor of %s", dir);
		goto out;
	}
	if (simdom_dom0_init(xs, hv, err, sizeof(err))) {
		log_warnx("cannot start: dom0: %s", err);
		goto out;
	}
	for (i = 0; i < sc->nr_guests; i++) {
		const struct scenario_guest *g = &sc->guests[i];
		struct simdom_config cfg;

		simdom_config_init(&cfg);
		cfg.name = g->name;
		cfg.hvm = g->hvm;
		cfg.static_max_kib = g->static_max_kib;
		cfg.startup_kib = g->startup_kib;
		cfg.dynamic_min_kib = g->min_kib;
		cfg.dynamic_max_kib = g->max_kib;
		cfg.weight = g->weight;
		cfg.buffer_pct = g->buffer_pct;
		cfg.managed = g->managed;
		cfg.agent = g->agent;
		if (simdom_create(xs, hv, &cfg, &domids_r[i], err, sizeof(err))) {
			log_warnx("cannot start: guest %s: %s", g->name, err);
			goto out;
		}
		log_debug("guest %s is domain %" PRIu32, g->name, domids_r[i]);
	}
	rc = 0;
out:
	if (hv)
		hv_close(hv);
	if (xs)
		xs_close(xs);
	return rc;
}

/* Start one xmem-balloon per guest. */
static int simhost_start_balloons(const char *dir, const struct scenario *sc,
				  const struct simhost_bins *b, const uint32_t *domids)
{
	char name[160], pidf[PATH_MAX], logf[PATH_MAX], root[PATH_MAX], domid[16], scale[32];
	char sock[PATH_MAX + 64];
	size_t i;

	snprintf(scale, sizeof(scale), "%g", sc->time_scale);
	for (i = 0; i < sc->nr_guests; i++) {
		const struct scenario_guest *g = &sc->guests[i];

		/* The guest's own connections exist once the domain is introduced. */
		snprintf(sock, sizeof(sock), "%s/store/domain/%" PRIu32 "/socket", dir, domids[i]);
		if (simhost_wait_socket(sock, SIMHOST_SOCKET_WAIT_MS) < 0) {
			log_warnx("cannot start: guest %s: the store did not open %s", g->name,
				  sock);
			return -1;
		}
		snprintf(sock, sizeof(sock), "%s/hv/domain/%" PRIu32 "/socket", dir, domids[i]);
		if (simhost_wait_socket(sock, SIMHOST_SOCKET_WAIT_MS) < 0) {
			log_warnx("cannot start: guest %s: the hypervisor did not open %s", g->name,
				  sock);
			return -1;
		}
		simhost_balloon_name(g->name, name, sizeof(name));
		simhost_runfile(dir, name, "pid", pidf, sizeof(pidf));
		simhost_runfile(dir, name, "log", logf, sizeof(logf));
		host_guest_root(dir, domids[i], root, sizeof(root));
		snprintf(domid, sizeof(domid), "%" PRIu32, domids[i]);
		{
			const char *argv[] = { b->balloon,    "--host",	      dir,
					       "--domid",     domid,	      "--workload",
					       g->workload,   "--time-scale", scale,
					       "--pid-file",  pidf,	      "--log-file",
					       logf,	      "--agent",      g->agent,
					       "--proc-root", root,	      NULL };

			if (simhost_start_one(dir, name, argv) < 0)
				return -1;
		}
	}
	return 0;
}

/* Start xmemd. */
static int simhost_start_xmemd(const char *dir, const struct scenario *sc,
			       const struct simhost_bins *b)
{
	char pidf[PATH_MAX], logf[PATH_MAX], floor[32], period[32];
	const char *argv[16];
	int n = 0;

	simhost_runfile(dir, "xmemd", "pid", pidf, sizeof(pidf));
	simhost_runfile(dir, "xmemd", "log", logf, sizeof(logf));
	argv[n++] = b->xmemd;
	argv[n++] = "--host";
	argv[n++] = dir;
	if (sc->policy) {
		argv[n++] = "--policy";
		argv[n++] = sc->policy;
	}
	if (sc->has_floor) {
		snprintf(floor, sizeof(floor), "%" PRIu64 "K", sc->floor_kib);
		argv[n++] = "--floor";
		argv[n++] = floor;
	}
	if (sc->period_ms) {
		snprintf(period, sizeof(period), "%u", sc->period_ms);
		argv[n++] = "--period-ms";
		argv[n++] = period;
	}
	argv[n++] = "--pid-file";
	argv[n++] = pidf;
	argv[n++] = "--log-file";
	argv[n++] = logf;
	argv[n] = NULL;
	return simhost_start_one(dir, "xmemd", argv) < 0 ? -1 : 0;
}

int simhost_cmd_start(struct simhost_opts *o, const char *scenario_path)
{
	static char names[SCENARIO_MAX_GUESTS + 3][160];
	char err[SCENARIO_ERR_LEN], path[PATH_MAX + 32];
	struct scenario *sc = NULL, *saved = NULL;
	struct simhost_bins bins;
	uint32_t *domids = NULL;
	size_t nr, i, alive = 0;
	int rc = 1;

	sc = scenario_load(scenario_path, err, sizeof(err));
	if (!sc) {
		log_warnx("%s", err);
		return 1;
	}
	if (simhost_find_bins(&bins, sc->nr_guests > 0))
		goto out;
	if (simhost_resolve_dir(o, 1))
		goto out;

	/* Already running? Then start is a no-op for the same scenario. */
	saved = simhost_saved_scenario(o->dir);
	nr = simhost_expected(saved, names, SCENARIO_MAX_GUESTS + 3);
	for (i = 0; i < nr; i++)
		alive += proc_running(o->dir, names[i]) > 0;
	if (alive && saved && alive == nr) {
		if (strcmp(saved->name, sc->name) != 0) {
			log_warnx("a host with scenario %s runs in %s already: stop it first",
				  saved->name, o->dir);
			goto out;
		}
		log_info("scenario %s runs in %s already", sc->name, o->dir);
		printf("export XMEM_HOST=%s\n", o->dir);
		rc = 0;
		goto out;
	}
	if (alive) {
		log_warnx("a host in %s is partly running (%zu of %zu components): run "
			  "`xmem-simhost stop --dir %s` first",
			  o->dir, alive, nr, o->dir);
		goto out;
	}
	/* Leftovers of a crashed host: clear them. */
	simhost_stop_all(o->dir, 1);

	domids = calloc(sc->nr_guests ? sc->nr_guests : 1, sizeof(*domids));
	if (!domids)
		fatal("calloc");
	snprintf(path, sizeof(path), "%s/run/scenario.json", o->dir);
	if (scenario_save(sc, path)) {
		log_warnx("cannot write %s", path);
		goto out;
	}
	if (simhost_start_base(o->dir, sc, &bins) || simhost_create_domains(o->dir, sc, domids) ||
	    simhost_start_balloons(o->dir, sc, &bins, domids) ||
	    simhost_start_xmemd(o->dir, sc, &bins)) {
		simhost_stop_all(o->dir, 1);
		unlink(path);
		goto out;
	}
	log_info("scenario %s: %zu guest%s running in %s", sc->name, sc->nr_guests,
		 sc->nr_guests == 1 ? "" : "s", o->dir);
	printf("export XMEM_HOST=%s\n", o->dir);
	rc = 0;
out:
	free(domids);
	scenario_free(saved);
	scenario_free(sc);
	return rc;
}
