/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * main.c: xmem-hvsim, the simulated hypervisor daemon.
 *
 * Start-up order matters to callers: the host state is built and every
 * socket is listening before the process forks (or, with --foreground,
 * before it logs "ready"), so a caller may connect as soon as the command
 * returns (lib/daemonize.h: the parent waits until the daemon is ready).
 * The pid file holds the daemon's pid and is written before the parent
 * exits. `--query DIR ...` is a small client of the same daemon (query.c).
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
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemonize.h"
#include "evloop.h"
#include "log.h"
#include "query.h"
#include "server.h"
#include "sim.h"
#include "size.h"

#define HVSIM_PROG "xmem-hvsim"

struct hvsim_opts {
	const char *rundir;
	uint64_t memory_kib;
	uint64_t xen_kib;
	uint64_t dom0_kib;
	int have_xen;
	int have_dom0;
	struct daemonize_opts d; /* --foreground, --pid-file, --log-file, -v */
};

static void usage(FILE *f, const struct hvsim_opts *o)
{
	fprintf(f,
		"usage: " HVSIM_PROG
		" --rundir DIR --memory SIZE [--xen-overhead SIZE] [--dom0 SIZE]\n"
		"                  [--foreground] [--pid-file FILE] [--log-file FILE] [-v]\n"
		"       " HVSIM_PROG " --query DIR [--as DOMID] [--json] COMMAND [ARGS...]\n"
		"\n"
		"A simulated Xen hypervisor: host frames, domains, claims and memory_op on\n"
		"Unix sockets in DIR (DIR/socket privileged, DIR/domain/<domid>/socket per "
		"domain).\n"
		"\n"
		"  --rundir DIR          where the sockets live (created if missing)\n"
		"  --memory SIZE         host memory (xl sizes: 64G, 512M; a bare number is MiB)\n"
		"  --xen-overhead SIZE   memory Xen keeps for itself (default: 1/128 of --memory)\n"
		"  --dom0 SIZE           domain 0's memory (default: a quarter of the rest, at "
		"most 1G)\n");
	daemonize_opts_usage(&o->d, f, 24);
	fprintf(f, "  -h, --help            this help\n"
		   "\n"
		   "Query commands (see xmem-hvsim(8)): check, physinfo, list, create DOMID "
		   "MAX_PAGES\n"
		   "INITIAL_PAGES, destroy DOMID, maxmem DOMID KIB, claim DOMID PAGES, "
		   "pause|unpause|\n"
		   "shutdown|resume DOMID, ping; with\n"
		   "--as DOMID: reservation, increase N ORDER, decrease ORDER FRAME..., ping.\n");
}

/* Parse a size option into KiB, or exit with a one-line error. */
static uint64_t parse_size_opt(const char *opt, const char *arg)
{
	uint64_t kib;

	if (size_parse_kib(arg, &kib) < 0) {
		fprintf(stderr, HVSIM_PROG ": %s: not a size: '%s'\n", opt, arg);
		exit(2);
	}
	return kib;
}

/* Every domain has a socket and maybe clients: allow as many fds as we may. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void on_signal(struct evloop *loop, int fd, unsigned int events, void *arg)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		log_info("signal %u: stopping", si.ssi_signo);
	evloop_stop(loop);
}

/* Parse the daemon's options into o, or exit. */
static void parse_opts(int argc, char **argv, struct hvsim_opts *o)
{
	static const struct option own[] = {
		{ "rundir", required_argument, NULL, 'r' },
		{ "memory", required_argument, NULL, 'm' },
		{ "xen-overhead", required_argument, NULL, 'x' },
		{ "dom0", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option longopts[sizeof(own) / sizeof(own[0]) + DAEMONIZE_OPTS_NR];
	int ch;

	memset(o, 0, sizeof(*o));
	if (daemonize_opts_table(longopts, sizeof(longopts) / sizeof(longopts[0]), own)) {
		fprintf(stderr, HVSIM_PROG ": option table too small\n");
		exit(2);
	}
	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		if (daemonize_opts_parse(&o->d, ch, optarg))
			continue;
		switch (ch) {
		case 'r':
			o->rundir = optarg;
			break;
		case 'm':
			o->memory_kib = parse_size_opt("--memory", optarg);
			break;
		case 'x':
			o->xen_kib = parse_size_opt("--xen-overhead", optarg);
			o->have_xen = 1;
			break;
		case 'd':
			o->dom0_kib = parse_size_opt("--dom0", optarg);
			o->have_dom0 = 1;
			break;
		case 'h':
			usage(stdout, o);
			exit(0);
		default:
			usage(stderr, o);
			exit(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, HVSIM_PROG ": unexpected argument '%s'\n", argv[optind]);
		exit(2);
	}
	if (!o->rundir || !o->memory_kib) {
		fprintf(stderr, HVSIM_PROG ": --rundir and --memory are required (see --help)\n");
		exit(2);
	}
}

/* The host's frames: all of them, Xen's share and domain 0's. */
struct hvsim_pages {
	uint64_t total;
	uint64_t xen;
	uint64_t dom0;
};

/* The simulated host o asks for (*sim_r, its frames in *pg). Returns 0 or -1 (said). */
static int hvsim_sim_new(const struct hvsim_opts *o, struct hvsim **sim_r, struct hvsim_pages *pg)
{
	int rc;

	pg->total = size_kib_to_pages(o->memory_kib);
	pg->xen = o->have_xen ? size_kib_to_pages(o->xen_kib) : (pg->total + 127) / 128;
	if (pg->xen > pg->total) {
		log_warnx("--xen-overhead is larger than --memory");
		return -1;
	}
	if (o->have_dom0) {
		pg->dom0 = size_kib_to_pages(o->dom0_kib);
	} else {
		pg->dom0 = (pg->total - pg->xen) / 4;
		if (pg->dom0 > size_kib_to_pages(1024 * 1024))
			pg->dom0 = size_kib_to_pages(1024 * 1024);
	}
	/* Quietly: the log is not set up yet; "ready" below says it all. */
	log_setverbose(0);
	rc = sim_new(pg->total, pg->xen, pg->dom0, sim_r);
	log_setverbose(o->d.verbose + 1);
	if (rc) {
		log_warnx("cannot simulate %" PRIu64 " pages with %" PRIu64 " for Xen and %" PRIu64
			  " for dom0: %s",
			  pg->total, pg->xen, pg->dom0, strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * Make and lock o's runtime directory (its real path into rundir, which holds
 * PATH_MAX) and open the log file, if any. Returns 0 or -1 (said).
 */
static int hvsim_rundir(const struct hvsim_opts *o, char *rundir, int *lock_fd_r, int *log_fd_r)
{
	char err[PATH_MAX + 64];

	if (mkdir(o->rundir, 0700) < 0 && errno != EEXIST) {
		log_warn("mkdir %s", o->rundir);
		return -1;
	}
	if (!realpath(o->rundir, rundir)) {
		log_warn("%s", o->rundir);
		return -1;
	}
	if (daemonize_lock_dir(rundir, "lock", lock_fd_r, err, sizeof(err))) {
		log_warnx("%s", err);
		return -1;
	}
	if (o->d.log_file) {
		*log_fd_r = open(o->d.log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (*log_fd_r < 0) {
			log_warn("%s", o->d.log_file);
			return -1;
		}
	}
	return 0;
}

/* Fork (unless --foreground), then own the lock and write the pid file. Returns 0 or -1 (said). */
static int hvsim_detach(const struct hvsim_opts *o, struct daemonize *dmz, int lock_fd)
{
	if (daemonize_start(dmz, HVSIM_PROG, daemonize_opts_flags(&o->d))) {
		log_warn("fork");
		return -1;
	}
	if (daemonize_lock_owner(lock_fd) < 0) {
		log_warn("lock file");
		return -1;
	}
	if (o->d.pid_file && daemonize_write_pid(o->d.pid_file) < 0) {
		log_warn("%s", o->d.pid_file);
		return -1;
	}
	if (!o->d.foreground && chdir("/") < 0)
		log_warn("chdir /");
	return 0;
}

/*
 * After the fork: the signals in mask on the loop (*sig_fd_r), the log moved
 * to its place, "ready" said and signalled. Returns 0 or -1 (said).
 */
static int hvsim_ready(const struct hvsim_opts *o, struct evloop *loop, const sigset_t *mask,
		       int log_fd, const char *rundir, const struct hvsim_pages *pg,
		       struct hvsim *sim, struct daemonize *dmz, int *sig_fd_r)
{
	/*
	 * The signalfd is made after the fork: epoll learns of a signalfd's
	 * readiness through the process that registered it. Signals are
	 * blocked since before the fork, so none is lost.
	 */
	*sig_fd_r = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (*sig_fd_r < 0 || evloop_add_fd(loop, *sig_fd_r, EVLOOP_READ, on_signal, NULL) < 0) {
		log_warn("signalfd");
		return -1;
	}
	if (log_fd >= 0)
		dup2(log_fd, STDERR_FILENO);
	log_init(HVSIM_PROG, (o->d.foreground || log_fd >= 0) ? LOG_TO_STDERR : LOG_TO_SYSLOG,
		 o->d.verbose + 1);
	log_info("ready on %s: %" PRIu64 " pages, %" PRIu64 " for Xen, %" PRIu64 " for d0, %" PRIu64
		 " free",
		 rundir, pg->total, pg->xen, pg->dom0, sim_free_pages(sim));
	log_info("d0 created: tot_pages %" PRIu64 ", max_pages %" PRIu64, pg->dom0, pg->dom0);
	if (daemonize_ready(dmz) < 0) {
		log_warn("cannot signal readiness");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct hvsim_opts o;
	struct hvsim_pages pg;
	struct hvsim *sim = NULL;
	struct evloop *loop = NULL;
	struct server *srv = NULL;
	char rundir[PATH_MAX];
	sigset_t mask;
	int log_fd = -1, sig_fd = -1, lock_fd = -1, rc, status = 1;
	struct daemonize dmz;

	if (argc > 1 && !strcmp(argv[1], "--query"))
		return query_main(argc - 1, argv + 1);
	log_init(HVSIM_PROG, LOG_TO_CLI, 1);
	parse_opts(argc, argv, &o);
	raise_fd_limit();
	log_setverbose(o.d.verbose + 1);
	if (hvsim_sim_new(&o, &sim, &pg) || hvsim_rundir(&o, rundir, &lock_fd, &log_fd))
		goto out;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	loop = evloop_new();
	if (!loop) {
		log_warn("event loop");
		goto out;
	}
	srv = server_new(loop, sim, rundir);
	if (!srv)
		goto out;
	if (hvsim_detach(&o, &dmz, lock_fd) ||
	    hvsim_ready(&o, loop, &mask, log_fd, rundir, &pg, sim, &dmz, &sig_fd))
		goto out;
	rc = evloop_run(loop);
	if (rc < 0)
		log_warnx("event loop failed");
	status = rc < 0 ? 1 : 0;
	log_info("stopped");
out:
	server_free(srv);
	if (status == 0)
		daemonize_remove_pid(o.d.pid_file);
	evloop_free(loop);
	if (sig_fd >= 0)
		close(sig_fd);
	if (log_fd >= 0)
		close(log_fd);
	if (lock_fd >= 0)
		close(lock_fd);
	sim_free(sim);
	return status;
}
