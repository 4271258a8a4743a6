/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_scale: xmemd on a host of many domains, against the same figures on
 * a host of 16 in the same run.
 *
 *   bench_scale --bindir BUILDDIR [--domains 16,1000] [--trials N] [--idle-s S]
 *               [--json OUT]
 *
 * For each size, a fresh simulated host (xmem-stored, xmem-hvsim) in a
 * temporary directory gets N keys-only domains made through lib/simdom
 * (libxl's keys, control/feature-balloon = 1 and a demand report under
 * data/xmem, 48 MiB at start, 16 MiB..128 MiB), then xmemd. This program is
 * every domain's balloon frontend: one privileged watch on /local/domain,
 * and on each memory/target it moves the domain's allocation there through
 * that domain's own hypervisor socket (populate/decrease in 2 MiB extents
 * and single pages, the frames kept per domain). It measures:
 *   - xmemd's CPU while idle (its /proc stat over --idle-s seconds);
 *   - the time from one guest's demand change (its data/xmem/used_kib and
 *     committed_kib raised from 24 to 64 MiB, each time another domain) to its new
 *     memory/target, over --trials changes of different domains;
 *   - key-tree reads and writes xmemd makes per rebalance during those
 *     changes (xmem-stored's CONTROL requests for xmemd's pid, rebalances
 *     counted by /tool/xmemd/last-rebalance).
 * The goals it prints against: idle under 1% of a core, one change answered
 * within 50 ms, no key-tree read for an unchanged domain (reads per
 * rebalance the same at N as at 16).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "host.h"
#include "hv.h"
#include "json.h"
#include "log.h"
#include "simdom.h"
#include "xenstore-schema/xs_schema.h"

#define SCALE_MAX_SIZES	   4
#define SCALE_EXTENT_ORDER 9
#define SCALE_EXTENT_KIB   2048
#define SCALE_STARTUP_KIB  (48 * 1024)
#define SCALE_LOW_KIB	   (24 * 1024)
#define SCALE_HIGH_KIB	   (64 * 1024)
#define SCALE_SETTLE_MS	   2000
#define SCALE_WAIT_MS	   30000

/* One domain as its frontend sees it: the frames it holds. */
struct scale_dom {
	uint64_t *big;	 /* first frame of each 2 MiB extent */
	uint64_t *small; /* single frames */
	size_t nr_big, nr_small;
	uint64_t cur_kib;
};

struct scale_host {
	char dir[64];
	struct xs_handle *xs;
	struct hv *hv;
	struct scale_dom *doms; /* index: domid */
	unsigned int nr_doms;
	pid_t pids[3]; /* stored, hvsim, xmemd */
	uint64_t rebalances;
	uint64_t targets_moved;	 /* target events that changed a domain's target */
	uint32_t probe;		 /* domain whose target change is awaited */
	uint64_t probe_old_kib;	 /* its target before the change */
	double probe_changed_ms; /* when it changed, 0 until then */
	double last_target_ms;	 /* last target event of any domain */
};

struct scale_result {
	unsigned int domains;
	double idle_cpu_pct;
	double change_ms_median, change_ms_max;
	double reads_per_rebalance, writes_per_rebalance;
	double rebalances_per_change;
	double targets_per_change; /* domains whose target moved, per change */
};

static const char *scale_bindir;

static double scale_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Run a daemon that returns once ready; its pid from its pid file. */
static pid_t scale_spawn(const char *pidfile, const char *const argv[])
{
	pid_t child, pid = -1;
	int status;
	FILE *f;

	child = fork();
	if (child < 0)
		fatal("fork");
	if (child == 0) {
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		fatalx("%s did not start", argv[0]);
	f = fopen(pidfile, "r");
	if (!f || fscanf(f, "%d", &pid) != 1)
		fatalx("no pid in %s", pidfile);
	fclose(f);
	return pid;
}

/* Stop a daemon and wait until it is gone (at most 5 s, then SIGKILL). */
static void scale_stop(pid_t pid)
{
	int i;

	if (pid <= 0 || kill(pid, SIGTERM) < 0)
		return;
	for (i = 0; i < 500 && kill(pid, 0) == 0; i++)
		usleep(10000);
	kill(pid, SIGKILL);
}

/* Move domid's allocation by delta pages: populate (> 0) or decrease (< 0). */
static void scale_move(struct scale_host *h, uint32_t domid, long long delta_pages)
{
	struct scale_dom *d = &h->doms[domid];
	char hvdir[96];
	struct hv *g;
	long r;

	snprintf(hvdir, sizeof(hvdir), "%s/hv", h->dir);
	g = hv_open_sim_guest(hvdir, domid);
	if (!g)
		return;
	while (delta_pages >= 512) {
		r = hv_populate_physmap(g, 1, SCALE_EXTENT_ORDER, &d->big[d->nr_big]);
		if (r != 1)
			break;
		d->nr_big++;
		delta_pages -= 512;
	}
	while (delta_pages > 0 && d->nr_small < 1024) {
		if (hv_populate_physmap(g, 1, 0, &d->small[d->nr_small]) != 1)
			break;
		d->nr_small++;
		delta_pages--;
	}
	while (delta_pages < 0 && d->nr_small > 0) {
		hv_decrease_reservation(g, 1, 0, &d->small[--d->nr_small]);
		delta_pages++;
	}
	while (delta_pages <= -512 && d->nr_big > 0) {
		hv_decrease_reservation(g, 1, SCALE_EXTENT_ORDER, &d->big[--d->nr_big]);
		delta_pages += 512;
	}
	hv_close(g);
	if (delta_pages < 0 && d->nr_big > 0) { /* a part of an extent: give it, take pages back */
		d->cur_kib = ((uint64_t)d->nr_big * 512 + d->nr_small) * 4;
		g = hv_open_sim_guest(hvdir, domid);
		if (g &&
		    hv_decrease_reservation(g, 1, SCALE_EXTENT_ORDER, &d->big[--d->nr_big]) == 1)
			delta_pages += 512;
		hv_close(g);
		if (delta_pages > 0)
			scale_move(h, domid, delta_pages);
	}
	d->cur_kib = ((uint64_t)d->nr_big * 512 + d->nr_small) * 4;
}

/* Follow domid's memory/target, as a balloon frontend does. */
static void scale_follow(struct scale_host *h, uint32_t domid)
{
	char path[96], *v;
	unsigned int len;
	uint64_t target;

	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	v = xs_read(h->xs, XBT_NULL, path, &len);
	if (!v)
		return;
	target = strtoull(v, NULL, 10) / 4 * 4;
	free(v);
	if (target == h->doms[domid].cur_kib)
		return;
	h->targets_moved++;
	h->last_target_ms = scale_now_ms();
	if (domid == h->probe && target != h->probe_old_kib && !h->probe_changed_ms)
		h->probe_changed_ms = h->last_target_ms;
	if (target > 4 * 1024 * 1024)
		return;
	scale_move(h, domid, ((long long)target - (long long)h->doms[domid].cur_kib) / 4);
}

/* Handle watch events for up to timeout_ms (0: only those queued). */
static void scale_pump(struct scale_host *h, int timeout_ms)
{
	struct pollfd pfd = { .fd = xs_fileno(h->xs), .events = POLLIN };
	double end = scale_now_ms() + timeout_ms;
	unsigned int domid;
	char tail[32];
	char **ev;

	do {
		while ((ev = xs_check_watch(h->xs))) {
			const char *p = ev[XS_WATCH_PATH];

			if (!strcmp(p, XS_XMEMD_LAST_REBALANCE))
				h->rebalances++;
			else if (sscanf(p, "/local/domain/%u/%31s", &domid, tail) == 2 &&
				 !strcmp(tail, "memory/target") && domid > 0 && domid <= h->nr_doms)
				scale_follow(h, domid);
			free(ev);
		}
		if (scale_now_ms() >= end)
			break;
		poll(&pfd, 1, (int)(end - scale_now_ms()) + 1);
	} while (scale_now_ms() < end);
}

/* Wait until no target moved for SCALE_SETTLE_MS (at most SCALE_WAIT_MS). */
static void scale_settle(struct scale_host *h)
{
	double start = scale_now_ms();

	h->last_target_ms = start;
	while (scale_now_ms() - h->last_target_ms < SCALE_SETTLE_MS &&
	       scale_now_ms() - start < SCALE_WAIT_MS)
		scale_pump(h, 100);
}

/* xmemd's reads and writes so far (CONTROL requests PID). */
static void scale_requests(struct scale_host *h, uint64_t *reads_r, uint64_t *writes_r)
{
	char arg[32], *out;
	unsigned long long r = 0, w = 0;

	snprintf(arg, sizeof(arg), "%d", (int)h->pids[2]);
	out = xs_control_command(h->xs, "requests", arg, strlen(arg) + 1);
	if (!out || sscanf(out, "reads %llu writes %llu", &r, &w) != 2)
		fatalx("CONTROL requests: %s", out ? out : strerror(errno));
	free(out);
	*reads_r = r;
	*writes_r = w;
}

/* CPU seconds (user + system) process pid has used. */
static double scale_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		fatal("%s", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		fatalx("cannot parse %s", path);
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

/* Write key rel of domid as a decimal. */
static void scale_write(struct scale_host *h, uint32_t domid, const char *rel, uint64_t val)
{
	char path[128], v[32];

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, rel);
	snprintf(v, sizeof(v), "%" PRIu64, val);
	if (!xs_write(h->xs, XBT_NULL, path, v, strlen(v)))
		fatal("write %s", path);
}

/* Report demand kib for domid (what a guest's reporter writes). */
static void scale_demand(struct scale_host *h, uint32_t domid, uint64_t kib)
{
	scale_write(h, domid, XS_DOM_MEM_USED, kib);
	scale_write(h, domid, XS_DOM_MEM_COMMITTED, kib);
}

/* Start the store and the hypervisor for nr domains; make the domains. */
static void scale_host_up(struct scale_host *h, unsigned int nr)
{
	char bin[3][PATH_MAX], pidf[3][128], logf[3][128], rundir[2][96], mem[32],
		err[SIMDOM_ERR_LEN];
	struct simdom_config cfg;
	uint32_t domid, i;

	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "/tmp/xmem-scale.XXXXXX");
	if (!mkdtemp(h->dir))
		fatal("mkdtemp");
	snprintf(bin[0], sizeof(bin[0]), "%s/tools/stored/xmem-stored", scale_bindir);
	snprintf(bin[1], sizeof(bin[1]), "%s/tools/hvsim/xmem-hvsim", scale_bindir);
	for (i = 0; i < 2; i++) {
		snprintf(pidf[i], sizeof(pidf[i]), "%s/%s.pid", h->dir, i ? "hvsim" : "stored");
		snprintf(logf[i], sizeof(logf[i]), "%s/%s.log", h->dir, i ? "hvsim" : "stored");
		snprintf(rundir[i], sizeof(rundir[i]), "%s/%s", h->dir, i ? "hv" : "store");
	}
	snprintf(mem, sizeof(mem), "%uM", nr * 160 + 2048);
	{
		const char *sa[] = { bin[0],  "--rundir",   rundir[0], "--pid-file",
				     pidf[0], "--log-file", logf[0],   NULL };
		const char *ha[] = { bin[1],  "--rundir",   rundir[1], "--memory",
				     mem,     "--dom0",	    "1G",      "--pid-file",
				     pidf[1], "--log-file", logf[1],   NULL };

		h->pids[0] = scale_spawn(pidf[0], sa);
		h->pids[1] = scale_spawn(pidf[1], ha);
	}
	h->xs = host_xs_open(h->dir, HOST_NO_DOMID);
	h->hv = host_hv_open(h->dir);
	if (!h->xs || !h->hv)
		fatalx("cannot open the host in %s", h->dir);
	h->nr_doms = nr;
	h->doms = calloc(nr + 1, sizeof(*h->doms));
	if (!h->doms || simdom_dom0_init(h->xs, h->hv, err, sizeof(err)))
		fatalx("dom0: %s", err);
	xs_fileno(h->xs);
	if (!xs_watch(h->xs, "/local/domain", "d") ||
	    !xs_watch(h->xs, XS_XMEMD_LAST_REBALANCE, "r"))
		fatal("xs_watch");
	for (i = 1; i <= nr; i++) {
		char name[32];

		snprintf(name, sizeof(name), "scale%u", i);
		simdom_config_init(&cfg);
		cfg.name = name;
		cfg.domid = i;
		cfg.static_max_kib = 128 * 1024;
		cfg.startup_kib = SCALE_STARTUP_KIB;
		cfg.dynamic_min_kib = 16 * 1024;
		cfg.dynamic_max_kib = 128 * 1024;
		cfg.maxmem_kib = cfg.static_max_kib + SIMDOM_MAXMEM_CONSTANT_KIB;
		if (simdom_create(h->xs, h->hv, &cfg, &domid, err, sizeof(err)))
			fatalx("domain %u: %s", i, err);
		h->doms[i].big = calloc(128 * 1024 / SCALE_EXTENT_KIB + 1, sizeof(uint64_t));
		h->doms[i].small = calloc(1024, sizeof(uint64_t));
		if (!h->doms[i].big || !h->doms[i].small)
			fatalx("out of memory");
		scale_write(h, i, XS_DOM_FEATURE_BALLOON, 1);
		scale_demand(h, i, SCALE_LOW_KIB);
		scale_move(h, i, SCALE_STARTUP_KIB / 4);
		if (i % 64 == 0)
			scale_pump(h, 0);
	}
}

/* Start xmemd on the host. */
static void scale_xmemd_up(struct scale_host *h)
{
	char bin[PATH_MAX], pidf[128], logf[128];

	snprintf(bin, sizeof(bin), "%s/tools/xmemd/xmemd", scale_bindir);
	snprintf(pidf, sizeof(pidf), "%s/xmemd.pid", h->dir);
	snprintf(logf, sizeof(logf), "%s/xmemd.log", h->dir);
	{
		const char *xa[] = { bin,	   "--host", h->dir,	   "--floor", "256M",
				     "--pid-file", pidf,     "--log-file", logf,      NULL };

		h->pids[2] = scale_spawn(pidf, xa);
	}
}

static void scale_host_down(struct scale_host *h)
{
	char cmd[128];
	unsigned int i;
	int k;

	for (k = 2; k >= 0; k--)
		scale_stop(h->pids[k]);
	xs_close(h->xs);
	hv_close(h->hv);
	for (i = 0; i <= h->nr_doms; i++) {
		free(h->doms[i].big);
		free(h->doms[i].small);
	}
	free(h->doms);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h->dir);
	if (system(cmd) != 0)
		log_warnx("cannot remove %s", h->dir);
}

static int scale_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One demand change per trial, each of another domain: time to target, requests. */
static void scale_changes(struct scale_host *h, unsigned int trials, struct scale_result *res)
{
	uint64_t r0, w0, r1, w1, rb0 = h->rebalances, tm0 = h->targets_moved;
	double *lat = calloc(trials, sizeof(double));
	unsigned int t;
	char path[96], *v;
	unsigned int len;

	if (!lat)
		fatalx("out of memory");
	scale_requests(h, &r0, &w0);
	for (t = 0; t < trials; t++) {
		uint32_t domid = 1 + (t * 7919u) % h->nr_doms;
		double t0;

		snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
		v = xs_read(h->xs, XBT_NULL, path, &len);
		h->probe_old_kib = v ? strtoull(v, NULL, 10) / 4 * 4 : 0;
		free(v);
		h->probe = domid;
		h->probe_changed_ms = 0;
		t0 = scale_now_ms();
		scale_demand(h, domid, SCALE_HIGH_KIB);
		while (!h->probe_changed_ms && scale_now_ms() - t0 < SCALE_WAIT_MS)
			scale_pump(h, 50);
		if (!h->probe_changed_ms)
			fatalx("domain %u: no new target within %d ms", domid, SCALE_WAIT_MS);
		lat[t] = h->probe_changed_ms - t0;
		h->probe = 0;
		scale_settle(h);
	}
	scale_requests(h, &r1, &w1);
	qsort(lat, trials, sizeof(*lat), scale_cmp_double);
	res->change_ms_median = lat[trials / 2];
	res->change_ms_max = lat[trials - 1];
	res->rebalances_per_change = (double)(h->rebalances - rb0) / trials;
	res->targets_per_change = (double)(h->targets_moved - tm0) / trials;
	if (h->rebalances > rb0) {
		res->reads_per_rebalance = (double)(r1 - r0) / (h->rebalances - rb0);
		res->writes_per_rebalance = (double)(w1 - w0) / (h->rebalances - rb0);
	}
	free(lat);
}

/* Measure one host size. */
static void scale_measure(unsigned int nr, unsigned int trials, unsigned int idle_s,
			  struct scale_result *res)
{
	struct scale_host h;
	double c0, t0;

	memset(res, 0, sizeof(*res));
	res->domains = nr;
	scale_host_up(&h, nr);
	scale_xmemd_up(&h);
	scale_settle(&h);
	c0 = scale_cpu_s(h.pids[2]);
	t0 = scale_now_ms();
	scale_pump(&h, idle_s * 1000);
	res->idle_cpu_pct = (scale_cpu_s(h.pids[2]) - c0) * 1e5 / (scale_now_ms() - t0);
	scale_changes(&h, trials, res);
	scale_host_down(&h);
	printf("%5u domains: idle %.2f%% of a core; demand change to target median %.1f ms, max "
	       "%.1f ms; per rebalance %.1f reads, %.1f writes; per change %.2f rebalances, %.2f "
	       "targets moved\n",
	       nr, res->idle_cpu_pct, res->change_ms_median, res->change_ms_max,
	       res->reads_per_rebalance, res->writes_per_rebalance, res->rebalances_per_change,
	       res->targets_per_change);
	fflush(stdout);
}

/* The table for docs/performance.md (bench/bench-table). */
static void scale_json(const char *path, const struct scale_result *res, size_t nr)
{
	static const char *cols[] = { "domains",
				      "idle CPU (% of a core)",
				      "demand change to target, median (ms)",
				      "max (ms)",
				      "reads per rebalance",
				      "writes per rebalance",
				      "rebalances per change",
				      "targets moved per change" };
	struct json_out *j = json_out_new(1);
	size_t i, k;
	FILE *f;

	if (!j)
		fatalx("out of memory");
	json_out_obj_open(j);
	json_out_key(j, "table");
	json_out_obj_open(j);
	json_out_key(j, "columns");
	json_out_arr_open(j);
	for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		json_out_str(j, cols[k]);
	json_out_arr_close(j);
	json_out_key(j, "rows");
	json_out_arr_open(j);
	for (i = 0; i < nr; i++) {
		char cell[8][32];

		snprintf(cell[0], 32, "%u", res[i].domains);
		snprintf(cell[1], 32, "%.2f", res[i].idle_cpu_pct);
		snprintf(cell[2], 32, "%.1f", res[i].change_ms_median);
		snprintf(cell[3], 32, "%.1f", res[i].change_ms_max);
		snprintf(cell[4], 32, "%.1f", res[i].reads_per_rebalance);
		snprintf(cell[5], 32, "%.1f", res[i].writes_per_rebalance);
		snprintf(cell[6], 32, "%.2f", res[i].rebalances_per_change);
		snprintf(cell[7], 32, "%.2f", res[i].targets_per_change);
		json_out_arr_open(j);
		for (k = 0; k < 8; k++)
			json_out_str(j, cell[k]);
		json_out_arr_close(j);
	}
	json_out_arr_close(j);
	json_out_obj_close(j);
	json_out_kv_str(j, "note",
			"Goals: idle under 1% of a core; one change answered within 50 ms; no "
			"key-tree read for an unchanged domain (reads per rebalance the same at "
			"every size).");
	json_out_obj_close(j);
	f = fopen(path, "w");
	if (!f || json_out_print(j, f) || fclose(f))
		fatal("%s", path);
	json_out_free(j);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "bindir", required_argument, NULL, 'b' },
		{ "domains", required_argument, NULL, 'd' },
		{ "trials", required_argument, NULL, 't' },
		{ "idle-s", required_argument, NULL, 'i' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scale_result res[SCALE_MAX_SIZES];
	unsigned int sizes[SCALE_MAX_SIZES] = { 16, 1000 }, nr_sizes = 2, trials = 10, idle_s = 5;
	const char *json = NULL;
	char *list, *tok, *save = NULL;
	unsigned int i;
	int opt;

	log_init("bench_scale", LOG_TO_CLI, 1);
	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt_long(argc, argv, "b:d:t:i:j:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			scale_bindir = optarg;
			break;
		case 'd':
			nr_sizes = 0;
			list = optarg;
			while ((tok = strtok_r(list, ",", &save)) && nr_sizes < SCALE_MAX_SIZES) {
				sizes[nr_sizes] = (unsigned int)strtoul(tok, NULL, 10);
				if (sizes[nr_sizes] < 1 || sizes[nr_sizes] > 4000)
					fatalx("--domains: sizes 1..4000");
				nr_sizes++;
				list = NULL;
			}
			break;
		case 't':
			trials = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			idle_s = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'j':
			json = optarg;
			break;
		case 'h':
			printf("usage: bench_scale --bindir BUILDDIR [--domains 16,1000] [--trials "
			       "N] "
			       "[--idle-s S] [--json OUT]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (!scale_bindir || !nr_sizes || trials < 1 || trials > 1000 || idle_s < 1 || idle_s > 600)
		fatalx("usage: bench_scale --bindir BUILDDIR [--domains 16,1000] [--trials "
		       "1..1000] "
		       "[--idle-s 1..600] [--json OUT]");
	for (i = 0; i < nr_sizes; i++)
		scale_measure(sizes[i], trials, idle_s, &res[i]);
	if (json)
		scale_json(json, res, nr_sizes);
	return 0;
}
