/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * main.c: xmem-balloon, one simulated guest.
 *
 * The guest is a balloon frontend (frontend.c) following memory/target on
 * its own store connection, a workload (workload.c) whose demand feeds the
 * guest's memory model (memmodel.c), and the demand reporter shared with
 * xmem-guestd (report.c). Everything runs in one event loop:
 *   - the store connection's watch fd: memory/target events;
 *   - the frontend timer: one pass per expiry, at the delay the pass asked;
 *   - the period timer (1 s): advance the workload and the model, then write
 *     what the guest's agent (agent.c: xmem-guestd by default, or
 *     XenServer's, Qubes', or none) writes at this time, only what changed,
 *     in one transaction.
 * The hypervisor is reached as this domain acting on itself
 * (hv_open_sim_guest), the store as this domain (host_xs_open).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../agent/report.h"
#include "../agent/xsconn.h"
#include "agent.h"
#include "daemonize.h"
#include "evloop.h"
#include "frontend.h"
#include "host.h"
#include "hv.h"
#include "log.h"
#include "memmodel.h"
#include "procfs.h"
#include "size.h"
#include "workload.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem_err.h"

#define BALLOON_PERIOD_MS     1000
#define BALLOON_PERIOD_MS_MAX (3600 * 1000)
#define BALLOON_WATCH_TOKEN   "xmem-balloon-target"

struct balloon {
	struct evloop *loop;
	struct hv *hv;
	struct xsconn conn;
	struct frontend fe;
	struct memmodel model;
	struct workload workload;
	struct report_cache cache;
	struct agent agent;
	int feature_refused; /* control/feature-balloon write refused (logged once) */
	uint64_t start_ms;   /* when the workload started (0: not yet) */
	uint64_t last_tick_ms;
	long long fe_timer;
	long long period_timer;
	int watch_fd;
	int first_event_seen;
	long period_ms;
	int write_rc;	       /* the last report's outcome, to log a failure once */
	int hotplug;	       /* the simulated kernel can hot-add memory */
	const char *proc_root; /* where the guest's /proc is written (NULL: nowhere) */
	int proc_rc;	       /* the last procfs_write() outcome, to log a failure once */
	unsigned int domid;
};

static volatile sig_atomic_t balloon_stop;

/* Frontend ops on the simulated hypervisor and the memory model. */
static long balloon_decrease(void *arg, unsigned long nr, const uint64_t *frames)
{
	struct balloon *b = arg;

	return hv_decrease_reservation(b->hv, nr, 0, frames);
}

static long balloon_populate(void *arg, unsigned long nr, uint64_t *frames)
{
	struct balloon *b = arg;

	return hv_populate_physmap(b->hv, nr, 0, frames);
}

static uint64_t balloon_available(void *arg)
{
	return memmodel_available_pages(&((struct balloon *)arg)->model);
}

static uint64_t balloon_reserve(void *arg)
{
	return memmodel_reserve_pages(&((struct balloon *)arg)->model);
}

static const struct frontend_ops balloon_fe_ops = {
	.decrease = balloon_decrease,
	.populate = balloon_populate,
	.available_pages = balloon_available,
	.reserve_pages = balloon_reserve,
};

static long balloon_fe_timer(struct evloop *loop, long long id, void *arg);
static long balloon_period_timer(struct evloop *loop, long long id, void *arg);

/* Run the frontend after ms (replacing a pending run). */
static void balloon_schedule(struct balloon *b, long ms)
{
	if (b->fe_timer > 0)
		evloop_del_timer(b->loop, b->fe_timer);
	b->fe_timer = evloop_add_timer(b->loop, ms, balloon_fe_timer, b);
	if (b->fe_timer < 0)
		fatalx("cannot add a timer");
}

static long balloon_fe_timer(struct evloop *loop, long long id, void *arg)
{
	struct balloon *b = arg;
	enum frontend_state before = b->fe.state;
	long ms;

	ms = frontend_run(&b->fe);
	if (size_pages_to_kib(b->fe.physmap_pages) > b->model.physmap_kib) {
		log_info("hot-added memory: the physical map is now %" PRIu64 " KiB",
			 size_pages_to_kib(b->fe.physmap_pages));
		b->model.physmap_kib = size_pages_to_kib(b->fe.physmap_pages);
	}
	memmodel_set_alloc(&b->model, size_pages_to_kib(b->fe.current_pages));
	if (b->fe.state != before && b->fe.state != FRONTEND_WORKING) {
		/* The frontend stopped moving: report it now, not at the end of the period. */
		evloop_del_timer(b->loop, b->period_timer);
		b->period_timer = evloop_add_timer(b->loop, 0, balloon_period_timer, b);
		if (b->period_timer < 0)
			fatalx("cannot add a timer");
	}
	if (b->fe.state != before || (ms > 0 && b->fe.state != FRONTEND_WORKING))
		log_info("balloon %s at %" PRIu64 " KiB (target %" PRIu64 " KiB)%s%s",
			 frontend_state_name(b->fe.state), size_pages_to_kib(b->fe.current_pages),
			 b->fe.target_kib, b->fe.last_error[0] ? ": " : "", b->fe.last_error);
	return ms;
}

/* Read a key (relative); NULL when absent. Caller frees. */
static char *balloon_read(struct xs_handle *xs, const char *path)
{
	unsigned int len = 0;

	return xs_read(xs, XBT_NULL, path, &len);
}

/* A watch fired: read the target (and static-max the first time). */
static void balloon_target_event(struct balloon *b, struct xs_handle *xs)
{
	char *target = NULL, *smax = NULL;
	const char *why = NULL;
	int rc;

	if (!b->first_event_seen) {
		b->first_event_seen = 1;
		smax = balloon_read(xs, XS_DOM_STATIC_MAX);
		if (frontend_static_max(&b->fe, smax))
			log_warnx("memory/static-max is %s: the guest cannot grow past %" PRIu64
				  " KiB",
				  smax ? "not a number" : "missing",
				  size_pages_to_kib(b->fe.physmap_pages));
		else
			log_info("static-max %" PRIu64 " KiB",
				 size_pages_to_kib(b->fe.physmap_pages));
		b->model.physmap_kib = size_pages_to_kib(b->fe.physmap_pages);
		memmodel_set_alloc(&b->model, size_pages_to_kib(b->fe.current_pages));
		free(smax);
	}
	target = balloon_read(xs, XS_DOM_TARGET);
	rc = frontend_target(&b->fe, target, &why);
	if (rc < 0) {
		if (rc == XMEM_ERR_NOTFOUND)
			log_info("ignoring target event: %s", why);
		else
			log_warnx("ignoring target '%.64s': %s", target, why);
	} else if (rc == 1) {
		log_info("new target %" PRIu64 " KiB (holding %" PRIu64 " KiB)", b->fe.target_kib,
			 size_pages_to_kib(b->fe.current_pages));
		balloon_schedule(b, 0);
	}
	free(target);
}

/* Forget the store connection after a failure. */
static void balloon_conn_lost(struct balloon *b, const char *why)
{
	if (b->watch_fd >= 0)
		evloop_del_fd(b->loop, b->watch_fd);
	b->watch_fd = -1;
	xsconn_lost(&b->conn, why);
	report_cache_reset(&b->cache);
}

static void balloon_watch_cb(struct evloop *loop, int fd, unsigned int events, void *arg)
{
	struct balloon *b = arg;
	struct xs_handle *xs = b->conn.xs;
	char **ev;

	if (!xs)
		return;
	for (;;) {
		ev = xs_check_watch(xs);
		if (!ev) {
			if (errno != EAGAIN)
				balloon_conn_lost(b, strerror(errno));
			return;
		}
		if (strcmp(ev[XS_WATCH_TOKEN], BALLOON_WATCH_TOKEN) == 0)
			balloon_target_event(b, xs);
		free(ev);
	}
}

/* (Re)connect: watch memory/target (the watch fires at once) and listen on its fd. */
static struct xs_handle *balloon_connect(struct balloon *b)
{
	struct xs_handle *xs;
	int fresh = 0;

	xs = xsconn_get(&b->conn, &fresh);
	if (!xs || !fresh)
		return xs;
	if (!xs_watch(xs, XS_DOM_TARGET, BALLOON_WATCH_TOKEN)) {
		balloon_conn_lost(b, "cannot watch memory/target");
		return NULL;
	}
	b->watch_fd = xs_fileno(xs);
	if (b->watch_fd < 0 ||
	    evloop_add_fd(b->loop, b->watch_fd, EVLOOP_READ, balloon_watch_cb, b) < 0) {
		b->watch_fd = -1;
		balloon_conn_lost(b, "no watch file descriptor");
		return NULL;
	}
	report_cache_reset(&b->cache);
	if (b->agent.kind == AGENT_XMEM)
		report_resume_seq(xs, &b->cache);
	return xs;
}

/*
 * The XenServer agent says ballooning is supported, each pass. libxl makes
 * control/ read-only to the guest, so this fails there; the agent logs it
 * (once here) and carries on.
 */
static void balloon_feature(struct balloon *b, struct xs_handle *xs)
{
	if (xs_write(xs, XBT_NULL, XS_DOM_FEATURE_BALLOON, "1", 1)) {
		if (b->feature_refused)
			log_info("%s written", XS_DOM_FEATURE_BALLOON);
		b->feature_refused = 0;
	} else if (!b->feature_refused) {
		log_warnx("cannot write %s: %s (the toolstack does not allow it)",
			  XS_DOM_FEATURE_BALLOON, strerror(errno));
		b->feature_refused = 1;
	}
}

/* Once a period: the workload moves, the model ticks, the report goes out. */
static long balloon_period_timer(struct evloop *loop, long long id, void *arg)
{
	struct balloon *b = arg;
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_balloon rb;
	struct report_sample s;
	struct xs_handle *xs;
	uint64_t now = evloop_now_ms(), pages = 0;
	size_t n;
	int rc, feature = 0;

	/* The workload starts once the guest has booted: its first target reached
	 * (or the balloon stopped short of it). */
	if (!b->start_ms && b->fe.have_target && b->fe.state != FRONTEND_WORKING) {
		b->start_ms = now;
		log_info("booted with %" PRIu64 " KiB: workload starts",
			 size_pages_to_kib(b->fe.current_pages));
	}
	if (b->start_ms)
		memmodel_set_demand(&b->model,
				    workload_demand_kib(&b->workload, now - b->start_ms));
	memmodel_tick(&b->model, now - b->last_tick_ms);
	b->last_tick_ms = now;

	memmodel_sample(&b->model, &s);
	report_set(&s, REPORT_HOTPLUG, (uint64_t)b->hotplug);
	if (b->proc_root) {
		rc = procfs_write(b->proc_root, &s);
		if (rc && !b->proc_rc)
			log_warnx("cannot write the guest's /proc under %s: %s", b->proc_root,
				  xmem_strerror(rc));
		b->proc_rc = rc;
	}
	rb.state = frontend_state_name(b->fe.state);
	rb.current_kib = size_pages_to_kib(b->fe.current_pages);
	rb.target_kib = b->fe.target_kib;
	rb.retries = b->fe.retries;
	rb.last_error = b->fe.last_error;
	/* Another agent starts once the guest has booted (xmem's report shows the boot). */
	n = 0;
	if (b->agent.kind == AGENT_XMEM || b->start_ms)
		n = agent_tick(&b->agent, now, &s, b->fe.have_target ? &rb : NULL,
			       size_pages_to_kib(b->fe.current_pages), time(NULL), kvs,
			       REPORT_MAX_KVS, &feature);

	xs = balloon_connect(b);
	if (!xs) {
		/* No store: is the domain itself still there? A guest dies with it. */
		rc = hv_current_reservation(b->hv, &pages);
		if (rc) {
			log_warnx(
				"domain %u: the hypervisor no longer answers for it (%s): stopping",
				b->domid, xmem_strerror(rc));
			balloon_stop = 1;
			return EVLOOP_NOMORE;
		}
		return b->period_ms;
	}
	if (feature)
		balloon_feature(b, xs);
	rc = report_write(xs, &b->cache, kvs, n);
	if (rc < 0 && rc != XMEM_ERR_IO && b->agent.kind == AGENT_QUBES && n) {
		/* meminfo-writer exits when its write fails: the balloon goes on. */
		log_warnx("cannot write %s (%s): the meminfo writer stops", XS_DOM_QUBES_MEMINFO,
			  xmem_strerror(rc));
		b->agent.stopped = 1;
		rc = 0;
	}
	if (rc == 0)
		rc = report_probe(xs); /* nothing written: is the store still there? */
	if (rc == XMEM_ERR_IO)
		balloon_conn_lost(b, strerror(errno));
	else if (rc < 0 && rc != b->write_rc)
		log_warnx("cannot write the report under data/: %s", xmem_strerror(rc));
	else if (rc >= 0 && b->write_rc < 0)
		log_info("the report is written again");
	b->write_rc = rc < 0 ? rc : 0;
	return b->period_ms;
}

static void balloon_on_signal(int sig)
{
	(void)sig;
	balloon_stop = 1;
}

static void balloon_usage(FILE *f)
{
	fprintf(f, "usage: xmem-balloon --host DIR --domid N --workload SPEC [--time-scale X]\n"
		   "                    [--period-ms N] [--agent AGENT] [--agent-period-ms N]\n"
		   "                    [--hotplug] [--proc-root DIR] [--foreground]\n"
		   "                    [--pid-file F] [--log-file F]\n"
		   "                    [-v]\n"
		   "  SPEC: idle | steady:SIZE | ramp:FROM:TO:SECONDS |\n"
		   "        spike:BASE:PEAK:PERIOD_S:LENGTH_S | trace:FILE:VM_ID\n"
		   "  X: trace seconds per real second (default 300)\n"
		   "  AGENT: what the guest runs and writes: xmem (xmem-guestd, the default),\n"
		   "         xe-guest-utilities, qubes (meminfo-writer) or none (the kernel's\n"
		   "         balloon driver alone)\n"
		   "  --agent-period-ms: xe-guest-utilities' pass interval in real ms, memory\n"
		   "         every second pass (default: its 60 s pass and 120 s memory in\n"
		   "         guest time, 60000 / X, a pass at least every --period-ms)\n"
		   "  --hotplug: the guest's kernel can hot-add memory past its boot size\n"
		   "  --proc-root: write the guest's /proc/{meminfo,vmstat,pressure/memory}\n"
		   "         under DIR every period, for observers (xmem-simhost record)\n");
}

/* What the command line says, besides what goes straight into struct balloon. */
struct balloon_args {
	struct daemonize_opts dopts;
	const char *dir_arg, *spec;
	double scale;
	unsigned long domid;
	enum agent_kind agent;
	long agent_period_ms;
};

/* The options of xmem-balloon, besides daemonize's. */
static const struct option balloon_options[] = {
	{ "host", required_argument, NULL, 'H' },
	{ "domid", required_argument, NULL, 'd' },
	{ "workload", required_argument, NULL, 'w' },
	{ "time-scale", required_argument, NULL, 't' },
	{ "period-ms", required_argument, NULL, 'P' },
	{ "hotplug", no_argument, NULL, 'X' },
	{ "agent", required_argument, NULL, 'A' },
	{ "agent-period-ms", required_argument, NULL, 'T' },
	{ "proc-root", required_argument, NULL, 'R' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parse argv into b and a. Returns -1 to go on, or the exit status (help, usage). */
static int balloon_parse(int argc, char **argv, struct balloon *b, struct balloon_args *a)
{
	struct option
		longopts[sizeof(balloon_options) / sizeof(balloon_options[0]) + DAEMONIZE_OPTS_NR];
	char *end = NULL;
	int c;

	if (daemonize_opts_table(longopts, sizeof(longopts) / sizeof(longopts[0]), balloon_options))
		fatalx("option table");
	while ((c = getopt_long(argc, argv, "H:d:w:t:P:A:T:R:fp:l:vh", longopts, NULL)) != -1) {
		if (daemonize_opts_parse(&a->dopts, c, optarg))
			continue;
		switch (c) {
		case 'H':
			a->dir_arg = optarg;
			break;
		case 'd':
			errno = 0;
			a->domid = strtoul(optarg, &end, 10);
			if (errno || !optarg[0] || *end || a->domid == 0 ||
			    a->domid >= HV_DOMID_FIRST_RESERVED)
				fatalx("--domid: '%s' is not a guest domain id (1..32751)", optarg);
			break;
		case 'w':
			a->spec = optarg;
			break;
		case 't':
			errno = 0;
			a->scale = strtod(optarg, &end);
			if (errno || !optarg[0] || *end || !(a->scale > 0))
				fatalx("--time-scale: '%s' is not a positive number", optarg);
			break;
		case 'P':
			errno = 0;
			b->period_ms = strtol(optarg, &end, 10);
			if (errno || !optarg[0] || *end || b->period_ms < 10 ||
			    b->period_ms > BALLOON_PERIOD_MS_MAX)
				fatalx("--period-ms: '%s' is not a period from 10 ms to 1 h",
				       optarg);
			break;
		case 'X':
			b->hotplug = 1;
			break;
		case 'A':
			if (agent_parse(optarg, &a->agent))
				fatalx("--agent: '%s' is not an agent (xmem, xe-guest-utilities, "
				       "qubes, none)",
				       optarg);
			break;
		case 'T':
			errno = 0;
			a->agent_period_ms = strtol(optarg, &end, 10);
			if (errno || !optarg[0] || *end || a->agent_period_ms < 10 ||
			    a->agent_period_ms > BALLOON_PERIOD_MS_MAX)
				fatalx("--agent-period-ms: '%s' is not a period from 10 ms to 1 h",
				       optarg);
			break;
		case 'R':
			if (!optarg[0])
				fatalx("--proc-root: an empty path");
			b->proc_root = optarg;
			break;
		case 'h':
			balloon_usage(stdout);
			return 0;
		default:
			balloon_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		balloon_usage(stderr);
		return 2;
	}
	return -1;
}

/*
 * Everything before the fork, from the parsed arguments: the host, the
 * agent, the workload, the hypervisor and what the domain holds (*cur_pages_r).
 * Every failure is fatal and said on stderr.
 */
static void balloon_setup(struct balloon *b, const struct balloon_args *a, uint64_t *cur_pages_r)
{
	char err[WORKLOAD_ERR_LEN], hvdir[4096];
	const char *dir;
	int rc;

	dir = host_dir(a->dir_arg);
	if (!dir)
		fatalx("no simulated host: give --host DIR or set XMEM_HOST");
	if (a->domid == ULONG_MAX)
		fatalx("--domid is required");
	if (!a->spec)
		fatalx("--workload is required");
	b->domid = (unsigned int)a->domid;
	if (a->agent_period_ms) {
		agent_init(&b->agent, a->agent, (uint64_t)a->agent_period_ms);
	} else {
		/* The agent's cadence in guest time, as the workload's. */
		agent_init(&b->agent, a->agent,
			   agent_xe_period_ms(a->scale, (uint64_t)b->period_ms));
		b->agent.memory_every = agent_xe_memory_every(a->scale, b->agent.period_ms);
	}
	b->cache.no_seq = a->agent != AGENT_XMEM;
	b->cache.heartbeat_calls = report_heartbeat_calls(b->period_ms);
	rc = workload_parse(a->spec, a->scale, &b->workload, err, sizeof(err));
	if (rc)
		fatalx("%s", err);

	/* The hypervisor, as this domain. */
	if (host_hv_rundir(dir, hvdir, sizeof(hvdir)))
		fatalx("host directory name too long");
	b->hv = hv_open_sim_guest(hvdir, b->domid);
	if (!b->hv)
		fatal("cannot reach the simulated hypervisor at %s as domain %u", hvdir, b->domid);
	rc = hv_current_reservation(b->hv, cur_pages_r);
	if (rc)
		fatalx("domain %u: current_reservation failed: %s", b->domid, xmem_strerror(rc));
	xsconn_init(&b->conn, dir, b->domid);
}

int main(int argc, char **argv)
{
	struct balloon_args a = { .dopts = { .letters = "fpl" },
				  .scale = WORKLOAD_DEFAULT_TIME_SCALE,
				  .domid = ULONG_MAX,
				  .agent = AGENT_XMEM };
	struct balloon b;
	struct sigaction sa;
	uint64_t cur_pages = 0;
	int rc;
	struct daemonize dmz;

	memset(&b, 0, sizeof(b));
	b.watch_fd = -1;
	b.period_ms = BALLOON_PERIOD_MS;
	log_init("xmem-balloon", LOG_TO_CLI, 1);
	rc = balloon_parse(argc, argv, &b, &a);
	if (rc >= 0)
		return rc;
	balloon_setup(&b, &a, &cur_pages);

	if (daemonize_start(&dmz, "xmem-balloon", daemonize_opts_flags(&a.dopts)))
		fatal("daemon");
	if (a.dopts.log_file) {
		if (daemonize_log_file(a.dopts.log_file))
			fatal("cannot open log file %s", a.dopts.log_file);
		log_init("xmem-balloon", LOG_TO_STDERR, a.dopts.verbose + 1);
	} else {
		log_init("xmem-balloon", a.dopts.foreground ? LOG_TO_STDERR : LOG_TO_SYSLOG,
			 a.dopts.verbose + 1);
	}
	if (a.dopts.pid_file && daemonize_write_pid(a.dopts.pid_file))
		fatal("cannot write pid file %s", a.dopts.pid_file);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = balloon_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	frontend_init(&b.fe, cur_pages, &balloon_fe_ops, &b);
	frontend_set_hotplug(&b.fe, b.hotplug);
	if (cur_pages > 0)
		log_warnx("domain %u booted holding %" PRIu64 " KiB whose machine frames the "
			  "hypervisor does not list: only memory this balloon populates can be "
			  "given back",
			  b.domid, size_pages_to_kib(cur_pages));
	memmodel_init(&b.model, NULL, size_pages_to_kib(cur_pages), size_pages_to_kib(cur_pages));
	b.loop = evloop_new();
	if (!b.loop)
		fatal("evloop_new");
	b.last_tick_ms = evloop_now_ms();
	if (daemonize_ready(&dmz))
		fatal("cannot signal readiness");
	log_info("domain %u: holding %" PRIu64 " KiB, workload %s, agent %s", b.domid,
		 size_pages_to_kib(cur_pages), a.spec, agent_name(a.agent));
	balloon_connect(&b);
	b.period_timer = evloop_add_timer(b.loop, 0, balloon_period_timer, &b);
	if (b.period_timer < 0)
		fatalx("cannot add a timer");
	while (!balloon_stop) {
		if (evloop_run_once(b.loop, -1) < 0)
			fatalx("event loop failed");
	}
	log_info("stopping at %" PRIu64 " KiB", size_pages_to_kib(b.fe.current_pages));
	daemonize_remove_pid(a.dopts.pid_file);
	xsconn_close(&b.conn);
	evloop_free(b.loop);
	hv_close(b.hv);
	frontend_free(&b.fe);
	workload_free(&b.workload);
	return 0;
}
