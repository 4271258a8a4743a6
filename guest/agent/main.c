/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * main.c: xmem-guestd, the demand reporter of a Linux guest.
 *
 * Every period it reads /proc/meminfo, /proc/vmstat, /proc/pressure/memory
 * and the Xen balloon's sysfs (under --root, "/" by default), and writes what
 * changed under data/ in one transaction (report.c). The store connection
 * comes back after a store restart (xsconn.c). --json prints the report to
 * stdout instead of writing it; --once stops after one report.
 *
 * Under systemd (Type=notify, sd_notify(3)): READY=1 after the first report
 * was tried, with STATUS= saying whether it reached the key tree; STATUS=
 * again when that changes; WATCHDOG=1 every period when the unit asks for a
 * watchdog; STOPPING=1 at the end. Without $NOTIFY_SOCKET these do nothing.
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
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemonize.h"
#include "evloop.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "report.h"
#include "xmem_err.h"
#include "xsconn.h"

#define GUESTD_PERIOD_MS     1000
#define GUESTD_PERIOD_MS_MAX (3600 * 1000)

struct guestd {
	const char *root;
	struct xsconn conn;
	struct report_cache cache;
	struct evloop *loop;
	int json, once;
	int status;		  /* exit status for --once */
	int root_missing_said;	  /* "cannot read" said once */
	uint64_t last_current_kb; /* balloon progress, to see a stalled balloon */
	unsigned int stalled_periods;
	long period_ms;
	int write_rc;		/* the last write's outcome, to log a failure once */
	int notified;		/* READY=1 was sent */
	int notified_ok;	/* the report reached the key tree, as the last STATUS= said */
	uint64_t watchdog_usec; /* 0: no watchdog asked for */
};

static volatile sig_atomic_t guestd_stop;

/* Print the pairs as one JSON object. */
static int guestd_print_json(const struct report_kv *kvs, size_t n)
{
	struct json_out *out = json_out_new(0);
	size_t i;
	int rc;

	if (!out)
		return XMEM_ERR_NOMEM;
	json_out_obj_open(out);
	for (i = 0; i < n; i++)
		json_out_kv_str(out, kvs[i].path, kvs[i].val);
	json_out_obj_close(out);
	rc = json_out_print(out, stdout);
	fflush(stdout);
	json_out_free(out);
	return rc;
}

/* Read, format and publish one report. 0 or a negative XMEM_ERR_*. */
static int guestd_report(struct guestd *g)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_sample s;
	struct report_balloon rb, *rbp = NULL;
	struct xs_handle *xs;
	int rc, fresh = 0;
	size_t n;

	memset(&s, 0, sizeof(s));
	rc = report_read_root(g->root, &s);
	if (rc) {
		if (!g->root_missing_said)
			log_warnx("cannot read %s/proc/meminfo: nothing to report", g->root);
		g->root_missing_said = 1;
		return rc;
	}
	g->root_missing_said = 0;
	if (report_has(&s, REPORT_BALLOON_CURRENT)) {
		if (s.val[REPORT_BALLOON_CURRENT] == g->last_current_kb)
			g->stalled_periods++;
		else
			g->stalled_periods = 0;
		g->last_current_kb = s.val[REPORT_BALLOON_CURRENT];
	}
	rb.state = report_balloon_state(&s, g->stalled_periods);
	if (rb.state) {
		rb.current_kib = s.val[REPORT_BALLOON_CURRENT];
		rb.target_kib = s.val[REPORT_BALLOON_TARGET];
		rb.retries =
			report_has(&s, REPORT_BALLOON_RETRIES) && s.val[REPORT_BALLOON_RETRIES] > 1
				? (unsigned int)(s.val[REPORT_BALLOON_RETRIES] - 1)
				: 0;
		rb.last_error = NULL; /* Linux does not say */
		rbp = &rb;
	}
	n = report_format(&s, rbp, kvs, REPORT_MAX_KVS);
	if (g->json)
		return guestd_print_json(kvs, n);

	xs = xsconn_get(&g->conn, &fresh);
	if (!xs)
		return XMEM_ERR_NOHOST;
	if (fresh) {
		report_cache_reset(&g->cache);
		report_resume_seq(xs, &g->cache);
	}
	rc = report_write(xs, &g->cache, kvs, n);
	if (rc == XMEM_ERR_IO) {
		xsconn_lost(&g->conn, strerror(errno));
		return rc;
	}
	if (rc < 0) {
		if (rc != g->write_rc)
			log_warnx("cannot write the report under data/: %s", xmem_strerror(rc));
		g->write_rc = rc;
		return rc;
	}
	if (g->write_rc < 0)
		log_info("the report is written again");
	g->write_rc = 0;
	if (rc > 0)
		log_debug("report %" PRIu64 ": %d values changed", g->cache.seq, rc);
	else if (report_probe(xs) == XMEM_ERR_IO) {
		xsconn_lost(&g->conn, strerror(errno));
		return XMEM_ERR_IO;
	}
	return 0;
}

/* Tell the service manager how the report went (see the note at the top). */
static void guestd_notify(struct guestd *g, int rc)
{
	int ok = rc == 0;

	if (!g->notified || ok != g->notified_ok) {
		if (ok)
			sd_notifyf(0, "%sSTATUS=reporting every %ld ms to %s",
				   g->notified ? "" : "READY=1\n", g->period_ms, g->conn.where);
		else
			sd_notifyf(0,
				   "%sSTATUS=cannot write the report (%s): retrying every %ld ms",
				   g->notified ? "" : "READY=1\n", xmem_strerror(rc), g->period_ms);
		g->notified = 1;
		g->notified_ok = ok;
	}
	if (g->watchdog_usec)
		sd_notify(0, "WATCHDOG=1");
}

static long guestd_timer(struct evloop *loop, long long id, void *arg)
{
	struct guestd *g = arg;
	int rc;

	rc = guestd_report(g);
	if (g->once) {
		g->status = rc ? 1 : 0;
		guestd_stop = 1;
		return EVLOOP_NOMORE;
	}
	guestd_notify(g, rc);
	return g->period_ms;
}

static void guestd_on_signal(int sig)
{
	(void)sig;
	guestd_stop = 1;
}

static void guestd_usage(FILE *f)
{
	fprintf(f, "usage: xmem-guestd [--root DIR] [--period-ms N] [--once] [--json]\n"
		   "                   [--host DIR --domid N] [--foreground] [--pid-file F]\n"
		   "                   [--log-file F] [-v]\n");
}

/* The options of xmem-guestd, besides daemonize's. */
static const struct option guestd_options[] = {
	{ "root", required_argument, NULL, 'r' }, { "period-ms", required_argument, NULL, 'P' },
	{ "once", no_argument, NULL, '1' },	  { "json", no_argument, NULL, 'j' },
	{ "host", required_argument, NULL, 'H' }, { "domid", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },	  { NULL, 0, NULL, 0 },
};

/* What the command line says, besides what goes straight into struct guestd. */
struct guestd_args {
	struct daemonize_opts dopts;
	const char *host_arg;
	unsigned long domid;
};

/* Parse argv into g and a. Returns -1 to go on, or the exit status (help, usage). */
static int guestd_parse(int argc, char **argv, struct guestd *g, struct guestd_args *a)
{
	struct option
		longopts[sizeof(guestd_options) / sizeof(guestd_options[0]) + DAEMONIZE_OPTS_NR];
	char *end = NULL;
	int c;

	if (daemonize_opts_table(longopts, sizeof(longopts) / sizeof(longopts[0]), guestd_options))
		fatalx("option table");
	while ((c = getopt_long(argc, argv, "r:P:1jH:d:fp:l:vh", longopts, NULL)) != -1) {
		if (daemonize_opts_parse(&a->dopts, c, optarg))
			continue;
		switch (c) {
		case 'r':
			g->root = optarg;
			break;
		case 'P':
			errno = 0;
			g->period_ms = strtol(optarg, &end, 10);
			if (errno || !optarg[0] || *end || g->period_ms < 10 ||
			    g->period_ms > GUESTD_PERIOD_MS_MAX)
				fatalx("--period-ms: '%s' is not a period from 10 ms to 1 h",
				       optarg);
			break;
		case '1':
			g->once = 1;
			break;
		case 'j':
			g->json = 1;
			break;
		case 'H':
			a->host_arg = optarg;
			break;
		case 'd':
			errno = 0;
			a->domid = strtoul(optarg, &end, 10);
			if (errno || !optarg[0] || *end || a->domid >= 0x7FF0)
				fatalx("--domid: '%s' is not a domain id", optarg);
			break;
		case 'h':
			guestd_usage(stdout);
			return 0;
		default:
			guestd_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		guestd_usage(stderr);
		return 2;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct guestd_args a = { .dopts = { .letters = "fpl" }, .domid = ULONG_MAX };
	const char *dir = NULL;
	struct sigaction sa;
	struct guestd g;
	int rc;
	struct daemonize dmz;

	memset(&g, 0, sizeof(g));
	g.root = "/";
	g.period_ms = GUESTD_PERIOD_MS;
	log_init("xmem-guestd", LOG_TO_CLI, 1);
	rc = guestd_parse(argc, argv, &g, &a);
	if (rc >= 0)
		return rc;
	g.cache.heartbeat_calls = report_heartbeat_calls(g.period_ms);
	/* Inside a real guest there is no host directory: only --host selects one. */
	if (a.host_arg) {
		dir = host_dir(a.host_arg);
		if (a.domid == ULONG_MAX)
			fatalx("--host needs --domid: the domain to report as");
	} else if (a.domid != ULONG_MAX) {
		fatalx("--domid needs --host");
	}
	xsconn_init(&g.conn, dir, dir ? (uint32_t)a.domid : HOST_NO_DOMID);
	if (g.once)
		a.dopts.foreground = 1;

	if (daemonize_start(&dmz, "xmem-guestd", daemonize_opts_flags(&a.dopts)))
		fatal("daemon");
	if (a.dopts.log_file) {
		if (daemonize_log_file(a.dopts.log_file))
			fatal("cannot open log file %s", a.dopts.log_file);
		log_init("xmem-guestd", LOG_TO_STDERR, a.dopts.verbose + 1);
	} else if (g.once) {
		log_init("xmem-guestd", LOG_TO_CLI, a.dopts.verbose + 1);
	} else {
		log_init("xmem-guestd", a.dopts.foreground ? LOG_TO_STDERR : LOG_TO_SYSLOG,
			 a.dopts.verbose + 1);
	}
	if (a.dopts.pid_file && daemonize_write_pid(a.dopts.pid_file))
		fatal("cannot write pid file %s", a.dopts.pid_file);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guestd_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	g.loop = evloop_new();
	if (!g.loop)
		fatal("evloop_new");
	if (!g.once && sd_watchdog_enabled(0, &g.watchdog_usec) <= 0)
		g.watchdog_usec = 0;
	if (evloop_add_timer(g.loop, 0, guestd_timer, &g) < 0)
		fatalx("cannot add a timer");
	if (daemonize_ready(&dmz))
		fatal("cannot signal readiness");
	if (!g.once)
		log_info("reporting %s every %ld ms to %s", g.root, g.period_ms, g.conn.where);
	while (!guestd_stop) {
		if (evloop_run_once(g.loop, -1) < 0)
			fatalx("event loop failed");
	}
	if (!g.once)
		sd_notify(0, "STOPPING=1");
	daemonize_remove_pid(a.dopts.pid_file);
	xsconn_close(&g.conn);
	evloop_free(g.loop);
	return g.once ? g.status : 0;
}
