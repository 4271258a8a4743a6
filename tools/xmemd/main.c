/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * main.c: xmemd, the squeezing daemon.
 *
 * Start-up: options, configuration file, policy; then (unless --foreground)
 * fork through lib/daemonize: the child opens the key tree and the
 * hypervisor, registers its watches, writes its pid file and tells the parent
 * it is ready, so `xmemd` returns only once the daemon runs (or fails with its
 * reason on stderr). Everything then happens
 * in one event loop: the libxenstore watch fd, a signalfd, and the period
 * timer; an event-driven rebalance runs before the loop sleeps.
 *
 * SIGHUP reloads: the configuration file and the policy are read again and
 * validated (command-line options still override the file); a bad file is
 * refused with its reason and the running configuration kept. What changed is
 * logged and applies from the next rebalance, which the reload asks for.
 * Under systemd (Type=notify) notify.c reports readiness after the first
 * rebalance, a status line after each, and the watchdog heartbeat.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "daemon.h"
#include "daemonize.h"
#include "evloop.h"
#include "host.h"
#include "hv.h"
#include "log.h"
#include "notify.h"
#include "policy/policy.h"
#include "size.h"
#include "xmem_err.h"

/* Where a real host's xmemd keeps its lock. */
#define XMEMD_LOCK_DIR "/run/xmem"

struct main_opts {
	const char *host;
	const char *config;
	int config_given;
	const char *policy;
	long period_ms;
	const char *floor;
	int check_config;
	struct daemonize_opts d; /* --foreground, --pid-file, --log-file, -v */
};

struct main_ctx {
	struct daemon d;
	const struct main_opts *o;
	struct notify n;
	struct evloop *loop;
	int sig_fd;
	long long kick_timer;
	uint64_t kick_due_ms;
	uint64_t last_report_ms; /* last rebalance that answered demand reports alone */
	int lost;
};

static void main_usage(FILE *f, const struct main_opts *o)
{
	fprintf(f,
		"usage: xmemd [--host DIR] [--config FILE] [--policy FILE|NAME] [--foreground]\n"
		"             [--pid-file F] [--log-file F] [--period-ms N] [--floor SIZE] [-v]\n"
		"       xmemd --check-config [FILE]\n"
		"\n"
		"The squeezing daemon: shares the host's memory among its domains by demand,\n"
		"bounds and weight, and serves memory reservations (see xmemd(8)).\n"
		"\n"
		"  --host DIR       a simulated host's runtime directory (default $XMEM_HOST,\n"
		"                   else the real Xen host)\n"
		"  --config FILE    configuration (default " CONF_PATH_DEFAULT ")\n"
		"  --policy P       a policy file, or a name: policy_dir/NAME.json if it\n"
		"                   exists, else built-in xmem, proportional, static or\n"
		"                   hyperv (default xmem)\n"
		"  --check-config   validate the configuration (FILE, else --config's)\n"
		"                   and its policy, then exit: 0 valid, 1 not\n"
		"  --period-ms N    rebalance at least every N ms (default %u)\n"
		"  --floor SIZE     memory never handed out (default 256M)\n",
		CONF_PERIOD_MS_DEFAULT);
	daemonize_opts_usage(&o->d, f, 19);
	fprintf(f, "  -h, --help       this help\n");
}

/* Parse argv into o; exits on bad usage. */
static void main_parse(int argc, char **argv, struct main_opts *o)
{
	static const struct option own[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "config", required_argument, NULL, 'c' },
		{ "policy", required_argument, NULL, 'p' },
		{ "period-ms", required_argument, NULL, 'T' },
		{ "floor", required_argument, NULL, 'F' },
		{ "check-config", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option longopts[sizeof(own) / sizeof(own[0]) + DAEMONIZE_OPTS_NR];
	char *end;
	int ch;

	memset(o, 0, sizeof(*o));
	o->d.meta = "F";
	o->config = CONF_PATH_DEFAULT;
	o->period_ms = -1;
	if (daemonize_opts_table(longopts, sizeof(longopts) / sizeof(longopts[0]), own))
		fatalx("option table");
	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		if (daemonize_opts_parse(&o->d, ch, optarg))
			continue;
		switch (ch) {
		case 'H':
			o->host = optarg;
			break;
		case 'c':
			o->config = optarg;
			o->config_given = 1;
			break;
		case 'p':
			o->policy = optarg;
			break;
		case 'T':
			errno = 0;
			o->period_ms = strtol(optarg, &end, 10);
			if (errno || *end || o->period_ms < (long)CONF_PERIOD_MS_MIN ||
			    o->period_ms > (long)CONF_PERIOD_MS_MAX) {
				fprintf(stderr, "xmemd: --period-ms: expected %u to %u\n",
					CONF_PERIOD_MS_MIN, CONF_PERIOD_MS_MAX);
				exit(2);
			}
			break;
		case 'F':
			o->floor = optarg;
			break;
		case 'K':
			o->check_config = 1;
			break;
		case 'h':
			main_usage(stdout, o);
			exit(0);
		default:
			main_usage(stderr, o);
			exit(2);
		}
	}
	if (o->check_config && optind == argc - 1) {
		o->config = argv[optind++];
		o->config_given = 1;
	}
	if (optind != argc) {
		fprintf(stderr, "xmemd: unexpected argument '%s'\n", argv[optind]);
		exit(2);
	}
}

/*
 * Read the configuration file and the policy it names into cfg_r and pol_r,
 * with the command-line options over the file. 0, or a negative XMEM_ERR_*
 * with the reason in err (cfg_r and pol_r then unspecified).
 */
static int main_load(const struct main_opts *o, struct conf *cfg_r, struct policy *pol_r,
		     char *where, size_t where_len, char *err, size_t len)
{
	const char *dir;
	int rc;

	conf_defaults(cfg_r);
	err[0] = '\0';
	rc = conf_load(cfg_r, o->config, !o->config_given, err, len);
	if (rc)
		return rc;
	if (o->period_ms > 0)
		cfg_r->period_ms = (uint64_t)o->period_ms;
	if (o->floor && size_parse_kib(o->floor, &cfg_r->floor_kib)) {
		snprintf(err, len, "--floor: '%s' is not a size", o->floor);
		return XMEM_ERR_INVAL;
	}
	if (o->policy)
		snprintf(cfg_r->policy, sizeof(cfg_r->policy), "%s", o->policy);
	if (o->d.pid_file)
		snprintf(cfg_r->pid_file, sizeof(cfg_r->pid_file), "%s", o->d.pid_file);
	if (o->d.log_file)
		snprintf(cfg_r->log_file, sizeof(cfg_r->log_file), "%s", o->d.log_file);
	/* A simulated host keeps its VMs' policies inside its directory. */
	dir = host_dir(o->host);
	if (dir && !cfg_r->state_dir_set)
		snprintf(cfg_r->state_dir, sizeof(cfg_r->state_dir), "%s/state", dir);
	if (dir && !cfg_r->domains_dir_set)
		snprintf(cfg_r->domains_dir, sizeof(cfg_r->domains_dir), "%s/domains", dir);
	return conf_policy(cfg_r, pol_r, where, where_len, err, len);
}

/*
 * SIGHUP: load and validate the configuration again; keep the running one
 * when it is refused. The new one applies from the next rebalance.
 */
static void main_reload(struct main_ctx *m)
{
	struct conf cfg;
	struct policy pol;
	char err[512], where[CONF_WHERE_MAX], status[600];
	int rc;

	notify_reloading(&m->n, 0, NULL);
	if (main_load(m->o, &cfg, &pol, where, sizeof(where), err, sizeof(err))) {
		log_warnx("reload refused, running configuration kept: %s", err);
		snprintf(status, sizeof(status), "reload refused: %s", err);
		notify_reloading(&m->n, 1, status);
		return;
	}
	/* Where the daemon writes its pid and log is fixed at start-up. */
	memcpy(cfg.pid_file, m->d.cfg.pid_file, sizeof(cfg.pid_file));
	memcpy(cfg.log_file, m->d.cfg.log_file, sizeof(cfg.log_file));
	rc = publish_set_prom_path(&m->d.pub, cfg.prometheus_file);
	if (rc) {
		log_warnx("reload refused, running configuration kept: %s", xmem_strerror(rc));
		notify_reloading(&m->n, 1, "reload refused: out of memory");
		return;
	}
	if (!conf_log_changes(&m->d.cfg, &m->d.pol, &cfg, &pol))
		log_info("reload: nothing changed (policy from %s)", where);
	else
		log_info("reload: applied (policy from %s); re-reading every domain", where);
	m->d.cfg = cfg;
	m->d.pol = pol;
	m->d.coop.min_rate_kib_s = pol.min_rate_kib_s;
	m->d.coop.uncoop_after_s = pol.uncoop_after_s ? pol.uncoop_after_s : 10;
	cache_mark_all(&m->d.cache);
	m->d.need_rebalance = CACHE_EV_CHANGE;
	notify_summary(&m->d.pub, status, sizeof(status));
	notify_reloading(&m->n, 1, status);
}

/* --check-config: validate and say so; never returns. */
static void main_check_config(const struct main_opts *o)
{
	struct conf cfg;
	struct policy pol;
	char err[512], where[CONF_WHERE_MAX];

	if (main_load(o, &cfg, &pol, where, sizeof(where), err, sizeof(err))) {
		fprintf(stderr, "xmemd: %s\n", err);
		exit(1);
	}
	printf("%s: valid; policy %s from %s, floor %" PRIu64 " KiB, period %" PRIu64 " ms\n",
	       o->config, pol.name[0] ? pol.name : policy_kind_name(pol.kind), where, cfg.floor_kib,
	       cfg.period_ms);
	exit(0);
}

/* Watchdog timer: the loop is alive. */
static long main_watchdog(struct evloop *loop, long long id, void *arg)
{
	struct main_ctx *m = arg;

	(void)loop;
	(void)id;
	notify_watchdog(&m->n);
	return (long)(m->n.watchdog_usec / 2000);
}

/* Rebalance; stop when the host is gone (the service manager restarts xmemd). */
static void main_rebalance(struct evloop *loop, struct main_ctx *m)
{
	if (m->lost)
		return;
	if (daemon_rebalance(&m->d) != XMEM_ERR_NOHOST) {
		notify_rebalanced(&m->n, &m->d.pub);
		return;
	}
	log_warnx("lost the key tree or the hypervisor; exiting");
	m->lost = 1;
	evloop_stop(loop);
}

/* Period timer: rebalance (the hypervisor is polled even when no key changed). */
static long main_period(struct evloop *loop, long long id, void *arg)
{
	struct main_ctx *m = arg;

	(void)id;
	main_rebalance(loop, m);
	return (long)m->d.cfg.period_ms;
}

/*
 * One-shot timer for a rebalance deferred by its interval. It only wakes the
 * loop: main_before_sleep, which runs next, decides against the latest
 * rebalance (one may have run since the timer was set, so the timer alone
 * would rebalance too early).
 */
static long main_kick(struct evloop *loop, long long id, void *arg)
{
	struct main_ctx *m = arg;

	(void)loop;
	(void)id;
	m->kick_timer = 0;
	return EVLOOP_NOMORE;
}

/*
 * Before sleeping: rebalance once if something changed, or set a timer for it.
 * A change is answered DAEMON_MIN_INTERVAL_MS after the last rebalance at the
 * latest; demand reports alone also wait DAEMON_REPORT_INTERVAL_MS after the
 * last rebalance they caused (not after a periodic one), so a single report
 * on a quiet host is answered at once and a stream of them is gathered.
 */
static void main_before_sleep(struct evloop *loop, void *arg)
{
	struct main_ctx *m = arg;
	uint64_t now = evloop_now_ms(), due;
	int reports = m->d.need_rebalance != CACHE_EV_CHANGE;
	long long id;

	if (m->d.need_rebalance == CACHE_EV_NOISE)
		return;
	due = m->d.last_rebalance_ms + DAEMON_MIN_INTERVAL_MS;
	if (reports && m->last_report_ms + DAEMON_REPORT_INTERVAL_MS > due)
		due = m->last_report_ms + DAEMON_REPORT_INTERVAL_MS;
	if (now >= due) {
		if (reports)
			m->last_report_ms = now;
		main_rebalance(loop, m);
		return;
	}
	if (m->kick_timer && m->kick_due_ms <= due)
		return;
	if (m->kick_timer)
		evloop_del_timer(loop, m->kick_timer); /* a change came: sooner than the reports */
	id = evloop_add_timer(loop, (long)(due - now), main_kick, m);
	m->kick_timer = id > 0 ? id : 0;
	m->kick_due_ms = due;
}

/* The key tree has events for us. */
static void main_xs_ready(struct evloop *loop, int fd, unsigned int events, void *arg)
{
	struct main_ctx *m = arg;

	(void)fd;
	(void)events;
	if (daemon_watch_events(&m->d)) {
		log_warnx("lost the key tree; exiting");
		m->lost = 1;
		evloop_stop(loop);
	}
}

/* A signal arrived. */
static void main_signal(struct evloop *loop, int fd, unsigned int events, void *arg)
{
	struct main_ctx *m = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: reloading %s", m->o->config);
			main_reload(m);
			continue;
		}
		log_info("signal %u: stopping", si.ssi_signo);
		evloop_stop(loop);
	}
}

/*
 * The configuration at start-up: main_load's, or exit with the reason. The
 * pid and log files are the file's unless given on the command line.
 */
static void main_config(struct main_opts *o, struct conf *cfg, struct policy *pol, char *where,
			size_t where_len)
{
	char err[512];

	memset(pol, 0, sizeof(*pol));
	if (main_load(o, cfg, pol, where, where_len, err, sizeof(err)))
		fatalx("%s", err);
	o->d.pid_file = cfg->pid_file[0] ? cfg->pid_file : NULL;
	o->d.log_file = cfg->log_file[0] ? cfg->log_file : NULL;
}

/*
 * Open the host in dir (NULL: Xen), set up the daemon and its event loop
 * (signals in mask through a signalfd, the key tree's watches, the period).
 * 0, or -1 after logging why; m is then still safe to tear down.
 */
static int main_setup(struct main_ctx *m, const char *dir, const struct conf *cfg,
		      const struct policy *pol, const sigset_t *mask)
{
	struct xs_handle *xs = NULL;
	struct hv *hv = NULL;
	long long tid;
	int rc;

	xs = host_xs_open(dir, HOST_NO_DOMID);
	if (!xs) {
		log_warn("cannot open the key tree%s%s", dir ? " of " : "", dir ? dir : "");
		return -1;
	}
	hv = host_hv_open(dir);
	if (!hv) {
		log_warn("cannot open the hypervisor%s%s", dir ? " of " : "", dir ? dir : "");
		xs_close(xs);
		return -1;
	}
	rc = daemon_init(&m->d, cfg, pol, xs, hv);
	if (rc) {
		log_warnx("start-up: %s", xmem_strerror(rc));
		return -1;
	}
	m->loop = evloop_new();
	if (!m->loop) {
		log_warn("event loop");
		return -1;
	}
	m->sig_fd = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (m->sig_fd < 0 || evloop_add_fd(m->loop, m->sig_fd, EVLOOP_READ, main_signal, m) ||
	    evloop_add_fd(m->loop, xs_fileno(m->d.xs), EVLOOP_READ, main_xs_ready, m)) {
		log_warn("event loop set-up");
		return -1;
	}
	tid = evloop_add_timer(m->loop, (long)cfg->period_ms, main_period, m);
	if (tid < 0) {
		log_warnx("period timer: %s", xmem_strerror((int)tid));
		return -1;
	}
	if (m->n.watchdog_usec >= 2000 &&
	    evloop_add_timer(m->loop, (long)(m->n.watchdog_usec / 2000), main_watchdog, m) < 0) {
		log_warnx("watchdog timer");
		return -1;
	}
	evloop_set_before_sleep(m->loop, main_before_sleep, m);
	return 0;
}

/*
 * Take the host's xmemd lock: DIR/xmemd.lock on a simulated host, else
 * XMEMD_LOCK_DIR/xmemd.lock. Exits with one line when another xmemd holds it.
 */
static int main_lock(const char *dir)
{
	char err[PATH_MAX + 64];
	int fd = -1;

	if (!dir && mkdir(XMEMD_LOCK_DIR, 0755) < 0 && errno != EEXIST)
		fatal("cannot create %s", XMEMD_LOCK_DIR);
	if (daemonize_lock_dir(dir ? dir : XMEMD_LOCK_DIR, "xmemd.lock", &fd, err, sizeof(err)))
		fatalx("%s", err);
	return fd;
}

/*
 * Block the signals xmemd handles (into mask) before libxenstore starts its
 * reader thread, so they reach the signalfd and never a thread that would die
 * of them; ignore SIGPIPE.
 */
static void main_block_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGHUP);
	sigprocmask(SIG_BLOCK, mask, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	struct main_opts o;
	struct conf cfg;
	struct policy pol;
	struct main_ctx m;
	const char *dir;
	struct daemonize dmz;
	char where[CONF_WHERE_MAX];
	sigset_t mask;
	int rc, status = 1, lock_fd;

	main_parse(argc, argv, &o);
	log_init("xmemd", LOG_TO_CLI, o.d.verbose);
	if (o.check_config)
		main_check_config(&o);
	main_config(&o, &cfg, &pol, where, sizeof(where));
	dir = host_dir(o.host);

	/* One xmemd per host, decided before any pid file or key is touched. */
	lock_fd = main_lock(dir);
	if (daemonize_start(&dmz, "xmemd", daemonize_opts_flags(&o.d)))
		fatal("daemon");
	if (daemonize_lock_owner(lock_fd))
		fatal("lock file");
	/* Until ready, errors go to stderr, which the caller of `xmemd` still sees. */
	log_init("xmemd", LOG_TO_STDERR, o.d.verbose + 1);

	memset(&m, 0, sizeof(m));
	m.sig_fd = -1;
	m.o = &o;
	notify_init(&m.n);
	main_block_signals(&mask);
	if (main_setup(&m, dir, &cfg, &pol, &mask))
		goto out;
	if (o.d.pid_file && daemonize_write_pid(o.d.pid_file)) {
		log_warn("pid file %s", o.d.pid_file);
		goto out;
	}
	/* The log file last: a start-up failure is said on the caller's stderr. */
	if (o.d.log_file && daemonize_log_file(o.d.log_file)) {
		log_warn("%s", o.d.log_file);
		goto out;
	}
	publish_daemon_state(&m.d.pub, XS_XMEMD_STATE_RUNNING);
	log_info("running: host %s, policy %s (%s), floor %" PRIu64 " KiB, period %" PRIu64 " ms",
		 dir ? dir : "(Xen)", pol.name[0] ? pol.name : policy_kind_name(pol.kind), where,
		 cfg.floor_kib, cfg.period_ms);
	if (daemonize_ready(&dmz))
		log_warn("start-up pipe");
	if (!o.d.foreground && !o.d.log_file)
		log_init("xmemd", LOG_TO_SYSLOG, o.d.verbose + 1);
	main_rebalance(m.loop, &m);
	rc = m.lost ? 0 : evloop_run(m.loop);
	if (rc)
		log_warnx("event loop: %s", xmem_strerror(rc));
	notify_stopping(&m.n);
	if (!m.lost) {
		daemon_stop(&m.d);
		publish_daemon_state(&m.d.pub, XS_XMEMD_STATE_STOPPED);
	}
	if (!m.lost && !rc)
		publish_remove_metrics(&m.d.pub);
	status = m.lost || rc ? 1 : 0;
out:
	if (status == 0)
		daemonize_remove_pid(o.d.pid_file);
	if (m.loop)
		evloop_free(m.loop);
	if (m.sig_fd >= 0)
		close(m.sig_fd);
	daemon_free(&m.d);
	return status;
}
