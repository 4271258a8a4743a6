/*
 * simhost.c: xmem-simhost, a whole simulated Xen host from a scenario file.
 *
 *   xmem-simhost start SCENARIO [--dir DIR]
 *   xmem-simhost stop [--dir DIR]
 *   xmem-simhost status [--dir DIR] [--json]
 *   xmem-simhost record [--dir DIR] --out FILE.csv [--interval-ms N] [--duration-s S]
 *
 * Design note. start brings the host up in dependency order: the key tree
 * (xmem-stored), the hypervisor (xmem-hvsim), dom0's keys, each guest as
 * libxl would build it (lib/simdom), one xmem-balloon per guest, and xmemd
 * last, so it finds every domain complete on its first pass. Any failure
 * stops whatever was started and says which component failed, quoting its
 * log. A component that is not built makes start fail before anything runs.
 *
 * stop does not trust the pid files alone: it also looks for any process of
 * ours whose command line names DIR (a balloon `xmem create` started, a
 * daemon whose pid file was lost), ends them all (TERM, then KILL), and
 * removes every socket under DIR. Logs stay in DIR/run for post-mortems.
 * Both commands are idempotent.
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
#include "log.h"
#include "proc.h"
#include "scenario.h"
#include "simdom.h"
#include "size.h"
#include "table.h"
#include "trace.h"
#include "xmem_err.h"
#include "xenstore-schema/xs_schema.h"

#define SIMHOST_MAX_PIDS       1024
#define SIMHOST_MAX_COMPONENTS (SCENARIO_MAX_GUESTS + 3 + 128)
#define SIMHOST_SOCKET_WAIT_MS 10000
#define SIMHOST_SUN_PATH_MAX   107

/* Exit codes of status (LSB-like). */
#define SIMHOST_STATUS_RUNNING	0
#define SIMHOST_STATUS_DEGRADED 1
#define SIMHOST_STATUS_STOPPED	3

static const char *simhost_usage_text =
	"usage: xmem-simhost start SCENARIO [--dir DIR]\n"
	"       xmem-simhost stop [--dir DIR]\n"
	"       xmem-simhost status [--dir DIR] [--json]\n"
	"       xmem-simhost record [--dir DIR] --out FILE.csv [--interval-ms N] [--duration-s S]\n"
	"\n"
	"Start, stop and inspect a whole simulated Xen host (xmem-stored, xmem-hvsim,\n"
	"dom0, the scenario's guests with one xmem-balloon each, and xmemd).\n"
	"\n"
	"  --dir DIR         runtime directory (default: $XMEM_HOST, else $TMPDIR/xmem-host-UID)\n"
	"  --json            status as JSON\n"
	"  --out FILE        record: CSV file to write (- for stdout)\n"
	"  --interval-ms N   record: sampling period (default 1000)\n"
	"  --duration-s S    record: stop after S seconds (default: until the host stops)\n"
	"  -v, --verbose     more messages\n"
	"  -h, --help        this help\n"
	"\n"
	"start prints `export XMEM_HOST=DIR`. Binaries are found next to xmem-simhost\n"
	"(build tree or install), in $XMEM_BINDIR, or in PATH. See xmem-simhost(1),\n"
	"xmem-scenario(5).\n";

struct simhost_opts {
	const char *dir_arg;
	char dir[PATH_MAX];
	int json;
	const char *out;
	unsigned int interval_ms;
	double duration_s;
};

/* Binaries of the host's daemons. */
struct simhost_bins {
	char stored[PATH_MAX];
	char hvsim[PATH_MAX];
	char balloon[PATH_MAX];
	char xmemd[PATH_MAX];
};

static volatile sig_atomic_t simhost_quit;

/* Note a termination signal (record). */
static void simhost_on_signal(int sig)
{
	(void)sig;
	simhost_quit = 1;
}

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

/* mkdir -p path (mode 0755). */
static int simhost_mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Resolve the runtime directory into o->dir; create it when create is set. */
static int simhost_resolve_dir(struct simhost_opts *o, int create)
{
	const char *d = host_dir(o->dir_arg);
	char def[PATH_MAX], *real;

	if (!d) {
		const char *tmp = getenv("TMPDIR");

		snprintf(def, sizeof(def), "%s/xmem-host-%u", tmp && tmp[0] ? tmp : "/tmp",
			 (unsigned int)getuid());
		d = def;
	}
	if (create) {
		char run[PATH_MAX + 8];

		snprintf(run, sizeof(run), "%s/run", d);
		if (simhost_mkdirs(run) < 0) {
			log_warn("cannot create %s", run);
			return -1;
		}
	}
	real = realpath(d, NULL);
	if (!real) {
		if (errno == ENOENT) {
			snprintf(o->dir, sizeof(o->dir), "%s", d);
			return 1; /* does not exist */
		}
		log_warn("%s", d);
		return -1;
	}
	snprintf(o->dir, sizeof(o->dir), "%s", real);
	free(real);
	/* DIR/store/domain/NNNNN/socket must fit a Unix socket address. */
	if (strlen(o->dir) + strlen("/store/domain/32752/socket") > SIMHOST_SUN_PATH_MAX) {
		log_warnx("runtime directory %s is too long for Unix sockets (at most %zu "
			  "characters)",
			  o->dir,
			  (size_t)SIMHOST_SUN_PATH_MAX - strlen("/store/domain/32752/socket"));
		return -1;
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

/* Component names of the pid files in DIR/run (without .pid). */
static size_t simhost_pidfile_names(const char *dir, char names[][128], size_t max)
{
	char run[PATH_MAX + 8];
	struct dirent *de;
	size_t nr = 0;
	DIR *d;

	snprintf(run, sizeof(run), "%s/run", dir);
	d = opendir(run);
	if (!d)
		return 0;
	while ((de = readdir(d)) && nr < max) {
		size_t len = strlen(de->d_name);

		if (len <= 4 || len - 4 >= 128 || strcmp(de->d_name + len - 4, ".pid") != 0)
			continue;
		memcpy(names[nr], de->d_name, len - 4);
		names[nr][len - 4] = '\0';
		nr++;
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
static int simhost_stop_all(const char *dir, int quiet)
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

/* Print "NAME.pid" name into buf for guest g. */
static void simhost_balloon_name(const char *guest, char *buf, size_t len)
{
	snprintf(buf, len, "balloon-%s", guest);
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
	char name[160], pidf[PATH_MAX], logf[PATH_MAX], domid[16], scale[32];
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
		snprintf(domid, sizeof(domid), "%" PRIu32, domids[i]);
		{
			const char *argv[] = { b->balloon,   "--host",	     dir,
					       "--domid",    domid,	     "--workload",
					       g->workload,  "--time-scale", scale,
					       "--pid-file", pidf,	     "--log-file",
					       logf,	     "--agent",	     g->agent,
					       NULL };

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

/* Names of the components a scenario runs: stored, hvsim, balloon-*, xmemd. */
static size_t simhost_expected(const struct scenario *sc, char names[][160], size_t max)
{
	size_t nr = 0, i;

	snprintf(names[nr++], 160, "stored");
	snprintf(names[nr++], 160, "hvsim");
	for (i = 0; sc && i < sc->nr_guests && nr < max - 1; i++)
		simhost_balloon_name(sc->guests[i].name, names[nr++], 160);
	snprintf(names[nr++], 160, "xmemd");
	return nr;
}

/* The scenario a running host was started with (DIR/run/scenario.json), or NULL. */
static struct scenario *simhost_saved_scenario(const char *dir)
{
	char path[PATH_MAX + 32], err[SCENARIO_ERR_LEN];

	snprintf(path, sizeof(path), "%s/run/scenario.json", dir);
	if (access(path, R_OK) < 0)
		return NULL;
	return scenario_load(path, err, sizeof(err));
}

static int simhost_cmd_start(struct simhost_opts *o, const char *scenario_path)
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

static int simhost_cmd_stop(struct simhost_opts *o)
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

/* Read an unsigned key; 0 and *ok_r = 0 when absent or malformed. */
static uint64_t simhost_read_u64(struct xs_handle *xs, const char *path, int *ok_r)
{
	unsigned int len;
	char *v = xs_read(xs, XBT_NULL, path, &len), *end;
	unsigned long long u;

	*ok_r = 0;
	if (!v)
		return 0;
	errno = 0;
	u = strtoull(v, &end, 10);
	*ok_r = !errno && end != v && !*end;
	free(v);
	return *ok_r ? u : 0;
}

/* Read ~/rel of domid as unsigned. */
static uint64_t simhost_dom_u64(struct xs_handle *xs, uint32_t domid, const char *rel, int *ok_r)
{
	char path[256];

	snprintf(path, sizeof(path), XS_LOCAL_DOMAIN "/%s", domid, rel);
	return simhost_read_u64(xs, path, ok_r);
}

/* One domain's figures for status and record. */
struct simhost_dom {
	uint32_t domid;
	char name[SIMDOM_NAME_MAX + 1];
	uint64_t target_kib, static_max_kib, min_kib, max_kib, alloc_kib;
	uint64_t demand_kib, xmemd_demand_kib, psi_some, psi_some_total_us, mem_total_kib;
	int has_target, has_demand, has_xmemd_demand, has_alloc, has_psi, has_min, has_max;
	int has_psi_total, has_mem_total;
};

/* Snapshot every domain (but dom0) of the host. Returns how many (at most max). */
static size_t simhost_snapshot(struct xs_handle *xs, struct hv *hv, struct simhost_dom *doms,
			       size_t max)
{
	static struct hv_dominfo infos[SIMHOST_MAX_PIDS];
	size_t nr_hv = 0, nr = 0, i, k;
	unsigned int nr_ents = 0;
	char **ents;

	if (hv && hv_domain_list(hv, 0, infos, SIMHOST_MAX_PIDS, &nr_hv))
		nr_hv = 0;
	ents = xs_directory(xs, XBT_NULL, "/local/domain", &nr_ents);
	for (i = 0; ents && i < nr_ents && nr < max; i++) {
		struct simhost_dom *d = &doms[nr];
		char path[256], *v, *end;
		unsigned int len;
		unsigned long id;
		int ok;

		errno = 0;
		id = strtoul(ents[i], &end, 10);
		if (errno || *end || id == 0 || id >= HV_DOMID_FIRST_RESERVED)
			continue;
		memset(d, 0, sizeof(*d));
		d->domid = (uint32_t)id;
		snprintf(path, sizeof(path), XS_LOCAL_DOMAIN "/%s", d->domid, XS_DOM_NAME);
		v = xs_read(xs, XBT_NULL, path, &len);
		snprintf(d->name, sizeof(d->name), "%s", v ? v : "");
		free(v);
		d->target_kib = simhost_dom_u64(xs, d->domid, XS_DOM_TARGET, &d->has_target);
		d->static_max_kib = simhost_dom_u64(xs, d->domid, XS_DOM_STATIC_MAX, &ok);
		d->min_kib = simhost_dom_u64(xs, d->domid, XS_DOM_DYNAMIC_MIN, &d->has_min);
		d->max_kib = simhost_dom_u64(xs, d->domid, XS_DOM_DYNAMIC_MAX, &d->has_max);
		d->demand_kib = simhost_dom_u64(xs, d->domid, XS_DOM_MEM_USED, &d->has_demand);
		d->psi_some = simhost_dom_u64(xs, d->domid, XS_DOM_PSI_SOME, &d->has_psi);
		d->psi_some_total_us =
			simhost_dom_u64(xs, d->domid, XS_DOM_PSI_SOME_TOTAL, &d->has_psi_total);
		d->mem_total_kib =
			simhost_dom_u64(xs, d->domid, XS_DOM_MEMINFO_TOTAL, &d->has_mem_total);
		snprintf(path, sizeof(path), XS_XMEMD_DOM_DEMAND, d->domid);
		d->xmemd_demand_kib = simhost_read_u64(xs, path, &d->has_xmemd_demand);
		for (k = 0; k < nr_hv; k++) {
			if (infos[k].domid == d->domid) {
				d->alloc_kib = size_pages_to_kib(infos[k].tot_pages);
				d->has_alloc = 1;
			}
		}
		nr++;
	}
	free(ents);
	return nr;
}

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

static int simhost_cmd_status(struct simhost_opts *o)
{
	static char names[SIMHOST_MAX_COMPONENTS][160];
	static char found[SIMHOST_MAX_PIDS][128];
	static struct simhost_dom doms[SIMHOST_MAX_PIDS];
	struct scenario *saved = NULL;
	struct xs_handle *xs = NULL;
	struct hv *hv = NULL;
	struct hv_physinfo pi;
	struct json_out *out = NULL;
	size_t nr, nr_found, i, j, alive = 0, nr_doms = 0;
	pid_t pids[SIMHOST_MAX_COMPONENTS];
	int r, rc, has_pi = 0;
	char a[SIZE_FMT_LEN], b[SIZE_FMT_LEN];

	r = simhost_resolve_dir(o, 0);
	if (r < 0)
		return 1;
	saved = r == 0 ? simhost_saved_scenario(o->dir) : NULL;
	nr = simhost_expected(saved, names, SCENARIO_MAX_GUESTS + 3);
	for (i = 0; i < nr; i++) {
		pids[i] = r == 0 ? proc_running(o->dir, names[i]) : -1;
		alive += pids[i] > 0;
	}
	rc = alive == 0 ? SIMHOST_STATUS_STOPPED
			: (saved && alive == nr ? SIMHOST_STATUS_RUNNING : SIMHOST_STATUS_DEGRADED);
	/* Components others added (a balloon `xmem create` started): shown, not counted. */
	nr_found = r == 0 ? simhost_pidfile_names(o->dir, found, SIMHOST_MAX_PIDS) : 0;
	for (j = 0; j < nr_found && nr < SIMHOST_MAX_COMPONENTS; j++) {
		int known = 0;

		for (i = 0; i < nr && !known; i++)
			known = strcmp(names[i], found[j]) == 0;
		if (known)
			continue;
		snprintf(names[nr], sizeof(names[nr]), "%.127s", found[j]);
		pids[nr] = proc_running(o->dir, found[j]);
		nr++;
	}
	if (pids[0] > 0) {
		xs = host_xs_open(o->dir, HOST_NO_DOMID);
		if (pids[1] > 0)
			hv = host_hv_open(o->dir);
		if (hv && hv_physinfo(hv, &pi) == 0)
			has_pi = 1;
		if (xs)
			nr_doms = simhost_snapshot(xs, hv, doms, SIMHOST_MAX_PIDS);
	}

	if (o->json) {
		out = json_out_new(1);
		if (!out)
			fatal("json_out_new");
		json_out_obj_open(out);
		json_out_kv_str(out, "dir", o->dir);
		json_out_kv_str(out, "state",
				rc == SIMHOST_STATUS_RUNNING   ? "running"
				: rc == SIMHOST_STATUS_STOPPED ? "stopped"
							       : "degraded");
		if (saved)
			json_out_kv_str(out, "scenario", saved->name);
		json_out_key(out, "components");
		json_out_arr_open(out);
		for (i = 0; i < nr; i++) {
			json_out_obj_open(out);
			json_out_kv_str(out, "name", names[i]);
			json_out_kv_bool(out, "running", pids[i] > 0);
			if (pids[i] > 0)
				json_out_kv_i64(out, "pid", pids[i]);
			json_out_obj_close(out);
		}
		json_out_arr_close(out);
		if (has_pi) {
			json_out_key(out, "host");
			json_out_obj_open(out);
			json_out_kv_u64(out, "total_kib", size_pages_to_kib(pi.total_pages));
			json_out_kv_u64(out, "free_kib", size_pages_to_kib(pi.free_pages));
			json_out_obj_close(out);
		}
		json_out_key(out, "domains");
		json_out_arr_open(out);
		for (i = 0; i < nr_doms; i++) {
			json_out_obj_open(out);
			json_out_kv_u64(out, "domid", doms[i].domid);
			json_out_kv_str(out, "name", doms[i].name);
			if (doms[i].has_alloc)
				json_out_kv_u64(out, "alloc_kib", doms[i].alloc_kib);
			if (doms[i].has_target)
				json_out_kv_u64(out, "target_kib", doms[i].target_kib);
			if (doms[i].has_demand)
				json_out_kv_u64(out, "demand_kib", doms[i].demand_kib);
			json_out_kv_u64(out, "static_max_kib", doms[i].static_max_kib);
			json_out_obj_close(out);
		}
		json_out_arr_close(out);
		json_out_obj_close(out);
		if (json_out_print(out, stdout))
			rc = 1;
		json_out_free(out);
		goto out;
	}

	printf("host %s: %s%s%s\n", o->dir,
	       rc == SIMHOST_STATUS_RUNNING   ? "running"
	       : rc == SIMHOST_STATUS_STOPPED ? "stopped"
					      : "degraded",
	       saved ? ", scenario " : "", saved ? saved->name : "");
	for (i = 0; i < nr; i++) {
		if (pids[i] > 0)
			printf("  %-24s running (pid %d)\n", names[i], (int)pids[i]);
		else
			printf("  %-24s not running\n", names[i]);
	}
	if (has_pi)
		printf("memory: %s total, %s free\n",
		       size_format(size_pages_to_kib(pi.total_pages), a, sizeof(a)),
		       size_format(size_pages_to_kib(pi.free_pages), b, sizeof(b)));
	if (nr_doms && simhost_print_doms(doms, nr_doms))
		rc = 1;
out:
	if (hv)
		hv_close(hv);
	if (xs)
		xs_close(xs);
	scenario_free(saved);
	return rc;
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

static int simhost_cmd_record(struct simhost_opts *o)
{
	static struct simhost_dom doms[SIMHOST_MAX_PIDS];
	struct xs_handle *xs = NULL;
	struct hv *hv = NULL;
	struct timespec t0;
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
	fprintf(f, "t_s,domid,name,demand_kib,xmemd_demand_kib,target_kib,alloc_kib,"
		   "static_max_kib,min_kib,max_kib,psi_some,host_free_kib,host_reserved_kib,"
		   "workload_kib,psi_some_total_us,meminfo_total_kib\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!simhost_quit) {
		struct hv_physinfo pi;
		uint64_t reserved;
		int has_free, has_res;
		double t = simhost_elapsed_s(&t0);
		size_t nr, i;

		if (o->duration_s > 0 && t > o->duration_s)
			break;
		has_free = hv_physinfo(hv, &pi) == 0;
		if (!has_free && proc_running(o->dir, "hvsim") < 0)
			break; /* the host stopped */
		reserved = simhost_read_u64(xs, XS_XMEMD_HOST_RESERVED, &has_res);
		nr = simhost_snapshot(xs, hv, doms, SIMHOST_MAX_PIDS);
		if (nr == 0 && proc_running(o->dir, "stored") < 0)
			break;
		for (i = 0; i < nr; i++) {
			const struct simhost_dom *d = &doms[i];

			fprintf(f, "%.3f,%" PRIu32 ",%s", t, d->domid, d->name);
			simhost_csv_opt(f, d->has_demand, d->demand_kib);
			simhost_csv_opt(f, d->has_xmemd_demand, d->xmemd_demand_kib);
			simhost_csv_opt(f, d->has_target, d->target_kib);
			simhost_csv_opt(f, d->has_alloc, d->alloc_kib);
			simhost_csv_opt(f, 1, d->static_max_kib);
			simhost_csv_opt(f, d->has_min, d->min_kib);
			simhost_csv_opt(f, d->has_max, d->max_kib);
			simhost_csv_opt(f, d->has_psi, d->psi_some);
			simhost_csv_opt(f, has_free,
					has_free ? size_pages_to_kib(pi.free_pages) : 0);
			simhost_csv_opt(f, has_res, reserved);
			{
				struct timeval tv;
				uint64_t wl = 0;
				int has_wl;

				gettimeofday(&tv, NULL);
				has_wl = simhost_wls_demand(
					&wls, d->name, (double)tv.tv_sec + tv.tv_usec / 1e6, &wl);
				simhost_csv_opt(f, has_wl, wl);
			}
			simhost_csv_opt(f, d->has_psi_total, d->psi_some_total_us);
			simhost_csv_opt(f, d->has_mem_total, d->mem_total_kib);
			fputc('\n', f);
		}
		if (fflush(f) != 0)
			break;
		/* Sleep to the next multiple of the interval. */
		{
			double next = simhost_elapsed_s(&t0);
			long step = (long)(next * 1000.0) / (long)o->interval_ms + 1;
			long wait_ms = step * (long)o->interval_ms - (long)(next * 1000.0);

			proc_sleep_ms((int)(wait_ms > 0 ? wait_ms : 1));
		}
	}
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "duration-s", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct simhost_opts o;
	const char *cmd;
	int ch, verbose = 1;
	char *end;

	memset(&o, 0, sizeof(o));
	o.interval_ms = 1000;
	log_init("xmem-simhost", LOG_TO_CLI, verbose);
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(simhost_usage_text, stdout);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-') {
		fputs(simhost_usage_text, stderr);
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((ch = getopt_long(argc, argv, "d:jo:i:t:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o.dir_arg = optarg;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'i':
			errno = 0;
			o.interval_ms = (unsigned int)strtoul(optarg, &end, 10);
			if (errno || *end || o.interval_ms < 10 || o.interval_ms > 3600000) {
				log_warnx("--interval-ms: expected 10 to 3600000");
				return 2;
			}
			break;
		case 't':
			errno = 0;
			o.duration_s = strtod(optarg, &end);
			if (errno || *end || !(o.duration_s > 0)) {
				log_warnx("--duration-s: expected a positive number");
				return 2;
			}
			break;
		case 'v':
			log_setverbose(++verbose);
			break;
		case 'h':
			fputs(simhost_usage_text, stdout);
			return 0;
		default:
			fputs(simhost_usage_text, stderr);
			return 2;
		}
	}
	if (strcmp(cmd, "start") == 0) {
		if (optind != argc - 1) {
			log_warnx("start: expected one SCENARIO file");
			return 2;
		}
		return simhost_cmd_start(&o, argv[optind]);
	}
	if (optind != argc) {
		log_warnx("%s: unexpected argument %s", cmd, argv[optind]);
		return 2;
	}
	if (strcmp(cmd, "stop") == 0)
		return simhost_cmd_stop(&o);
	if (strcmp(cmd, "status") == 0)
		return simhost_cmd_status(&o);
	if (strcmp(cmd, "record") == 0)
		return simhost_cmd_record(&o);
	log_warnx("unknown command %s (start, stop, status, record)", cmd);
	return 2;
}
