/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * main.c: xmem-stored's command line, start-up and main loop.
 *
 * Start-up order is the contract callers rely on: the privileged socket
 * <rundir>/socket is listening before the daemon forks, and the parent
 * returns only after the child has written its pid file, so a caller may
 * connect as soon as the command returns.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemonize.h"
#include "evloop.h"
#include "log.h"
#include "stored.h"

#define STORED_TICK_MS 100

static struct store stored_store;

/* The shared daemon options, with xmem-stored's short letters -F, -P, -L. */
static struct daemonize_opts stored_dopts = { .letters = "FPL", .meta = "F" };

static void usage(FILE *f)
{
	int i;

	fprintf(f, "usage: xmem-stored --rundir DIR [--foreground] [--pid-file F] [--log-file F] "
		   "[-v]\n"
		   "                   [-Q name=value]... [-q memory=value] [-w watch-event=sec] "
		   "[-K]\n"
		   "\n"
		   "A xenstore-protocol key-tree daemon. Listens on DIR/socket (privileged);\n"
		   "INTRODUCE opens DIR/domain/<domid>/socket, where a connection speaks as that "
		   "domain.\n"
		   "\n"
		   "  -D, --rundir DIR         runtime directory (created)\n");
	daemonize_opts_usage(&stored_dopts, f, 27);
	fprintf(f, "  -Q, --quota NAME=VALUE   set a quota (0 disables it)\n"
		   "  -q, --quota-soft memory=VALUE   soft memory quota (warning only)\n"
		   "  -w, --timeout watch-event=SEC   drop events unread for SEC seconds\n"
		   "  -E, --entry-nb N         same as -Q nodes=N\n"
		   "  -W, --watch-nb N         same as -Q watches=N\n"
		   "  -t, --transaction N      same as -Q transactions=N\n"
		   "  -A, --perm-nb N          same as -Q node-permissions=N\n"
		   "  -M, --path-max N         same as -Q path-max=N\n"
		   "  -S, --entry-size N       same as -Q node-size=N\n"
		   "  -K, --keep-orphans       give a released domain's nodes to dom0 instead of\n"
		   "                           deleting them (a security risk, as in C xenstored)\n"
		   "  -h, --help               this text\n"
		   "\nQuotas (defaults are C xenstored's):\n");
	for (i = 0; i < QUOTA_MAX; i++)
		fprintf(f, "  %-18s %9lld  %s\n", quota_descs[i].name, quota_descs[i].def,
			quota_descs[i].desc);
}

/* Set quota "name=value" (or name and value apart). */
static void set_quota(struct store *s, const char *name, const char *value)
{
	char *end = NULL;
	long long v;
	int i;

	errno = 0;
	v = strtoll(value, &end, 10);
	if (errno || *end || !*value || v < 0)
		fatalx("bad quota value '%s' for %s", value, name);
	for (i = 0; i < QUOTA_MAX; i++) {
		if (!strcmp(quota_descs[i].name, name)) {
			s->quota[i] = v;
			return;
		}
	}
	fatalx("unknown quota '%s' (see --help)", name);
}

static void set_quota_arg(struct store *s, const char *arg, const char *only)
{
	char name[64];
	const char *eq = strchr(arg, '=');

	if (!eq || (size_t)(eq - arg) >= sizeof(name))
		fatalx("expected NAME=VALUE, got '%s'", arg);
	memcpy(name, arg, eq - arg);
	name[eq - arg] = '\0';
	if (only && strcmp(name, only))
		fatalx("only %s= is accepted here, got '%s'", only, arg);
	set_quota(s, name, eq + 1);
}

/* mkdir -p. */
static int mkdirs(const char *dir)
{
	char buf[4096];
	size_t i, len = strlen(dir);
	struct stat st;

	if (len == 0 || len >= sizeof(buf))
		return ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return errno;
		buf[i] = i == len ? '\0' : '/';
	}
	if (stat(dir, &st) < 0)
		return errno;
	return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* Listen on path (stale socket removed). */
static int listen_on(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		fatalx("socket path too long: %s", path);
	strcpy(sun.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fatal("socket");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		fatal("bind %s", path);
	if (chmod(path, 0600) < 0)
		fatal("chmod %s", path);
	if (listen(fd, 128) < 0)
		fatal("listen %s", path);
	return fd;
}

static void main_signal_cb(struct evloop *loop, int fd, unsigned int events, void *arg)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		log_info("signal %u: shutting down", si.ssi_signo);
		evloop_stop(loop);
	}
}

static void main_before_sleep(struct evloop *loop, void *arg)
{
	core_before_sleep(arg);
}

static long main_tick(struct evloop *loop, long long id, void *arg)
{
	core_tick(arg);
	return STORED_TICK_MS;
}

static const struct option main_options[] = {
	{ "rundir", required_argument, NULL, 'D' },
	{ "quota", required_argument, NULL, 'Q' },
	{ "quota-soft", required_argument, NULL, 'q' },
	{ "timeout", required_argument, NULL, 'w' },
	{ "entry-nb", required_argument, NULL, 'E' },
	{ "watch-nb", required_argument, NULL, 'W' },
	{ "transaction", required_argument, NULL, 't' },
	{ "perm-nb", required_argument, NULL, 'A' },
	{ "path-max", required_argument, NULL, 'M' },
	{ "entry-size", required_argument, NULL, 'S' },
	{ "keep-orphans", no_argument, NULL, 'K' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Parse argv into s's quotas, stored_dopts and *rundir_r. Returns -1 to go on,
 * or the exit status (help, usage); a bad quota is fatal.
 */
static int main_parse(int argc, char **argv, struct store *s, const char **rundir_r)
{
	struct option longopts[sizeof(main_options) / sizeof(main_options[0]) + DAEMONIZE_OPTS_NR];
	int opt;

	if (daemonize_opts_table(longopts, sizeof(longopts) / sizeof(longopts[0]), main_options))
		fatalx("option table");
	while ((opt = getopt_long(argc, argv, "D:FP:L:vQ:q:w:E:W:t:A:M:S:Kh", longopts, NULL)) !=
	       -1) {
		if (daemonize_opts_parse(&stored_dopts, opt, optarg))
			continue;
		switch (opt) {
		case 'D':
			*rundir_r = optarg;
			break;
		case 'Q':
			set_quota_arg(s, optarg, NULL);
			break;
		case 'q':
			if (strncmp(optarg, "memory=", 7))
				fatalx("-q takes memory=VALUE");
			set_quota(s, "memory-soft", optarg + 7);
			break;
		case 'w':
			set_quota_arg(s, optarg, "watch-event");
			break;
		case 'E':
			set_quota(s, "nodes", optarg);
			break;
		case 'W':
			set_quota(s, "watches", optarg);
			break;
		case 't':
			set_quota(s, "transactions", optarg);
			break;
		case 'A':
			set_quota(s, "node-permissions", optarg);
			break;
		case 'M':
			set_quota(s, "path-max", optarg);
			if (s->quota[QUOTA_PATH_MAX] > 2048)
				s->quota[QUOTA_PATH_MAX] = 2048;
			break;
		case 'S':
			set_quota(s, "node-size", optarg);
			break;
		case 'K':
			s->keep_orphans = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc || !*rundir_r) {
		fprintf(stderr, "xmem-stored: --rundir DIR is required (see --help)\n");
		return 1;
	}
	return -1;
}

/*
 * Before the fork: make and lock the runtime directory (s->rundir) and listen
 * on its socket (path). Returns the listening socket; every failure is fatal.
 */
static int main_listen(struct store *s, const char *rundir, char *path, size_t path_len,
		       int *lock_fd_r)
{
	char err[PATH_MAX + 64];
	int listen_fd, rc;

	/* Until ready, errors go to stderr, which the caller still sees (see daemonize.h). */
	if ((rc = mkdirs(rundir))) {
		errno = rc;
		fatal("cannot create %s", rundir);
	}
	s->rundir = realpath(rundir, NULL);
	if (!s->rundir)
		fatal("%s", rundir);
	if (daemonize_lock_dir(s->rundir, "lock", lock_fd_r, err, sizeof(err)))
		fatalx("%s", err);
	/* Listening before anything else: callers connect as soon as we return. */
	snprintf(path, path_len, "%s/socket", s->rundir);
	listen_fd = listen_on(path);
	if (listener_fd_limits(s))
		log_warn("descriptor limits");
	return listen_fd;
}

/* After the fork: the loop with the listener, mask's signals and the tick. Returns the signalfd. */
static int main_loop_setup(struct store *s, int listen_fd, const sigset_t *mask)
{
	int sfd;

	s->loop = evloop_new();
	if (!s->loop)
		fatal("evloop");
	sfd = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		fatal("signalfd");
	if (listener_open(s, &s->listener, listen_fd, 0, true) ||
	    evloop_add_fd(s->loop, sfd, EVLOOP_READ, main_signal_cb, s) ||
	    evloop_add_timer(s->loop, STORED_TICK_MS, main_tick, s) < 0)
		fatalx("cannot set up the event loop");
	evloop_set_before_sleep(s->loop, main_before_sleep, s);
	return sfd;
}

/* Undo what start-up made: the socket (path), the store, the pid file, DIR/domain. */
static void main_shutdown(struct store *s, const char *path, int sfd)
{
	char dir[4096];

	listener_close(&s->listener);
	unlink(path);
	store_free(s);
	evloop_free(s->loop);
	close(sfd);
	daemonize_remove_pid(stored_dopts.pid_file);
	snprintf(dir, sizeof(dir), "%s/domain", s->rundir);
	rmdir(dir);
	free(s->rundir);
}

int main(int argc, char **argv)
{
	struct daemonize_opts *d = &stored_dopts;
	struct store *s = &stored_store;
	const char *rundir = NULL;
	int sfd, listen_fd, lock_fd = -1, rc;
	struct daemonize dmz;
	char path[4096];
	sigset_t mask;

	log_init("xmem-stored", LOG_TO_CLI, 1);
	if (store_init(s))
		fatalx("out of memory");
	rc = main_parse(argc, argv, s, &rundir);
	if (rc >= 0)
		return rc;
	listen_fd = main_listen(s, rundir, path, sizeof(path), &lock_fd);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	if (daemonize_start(&dmz, "xmem-stored", daemonize_opts_flags(d)))
		fatal("cannot daemonize");
	if (daemonize_lock_owner(lock_fd))
		fatal("lock file");
	if (d->pid_file && daemonize_write_pid(d->pid_file))
		fatal("cannot write %s", d->pid_file);
	sfd = main_loop_setup(s, listen_fd, &mask);
	if (d->log_file && daemonize_log_file(d->log_file))
		fatal("cannot open %s", d->log_file);
	log_init("xmem-stored", (d->foreground || d->log_file) ? LOG_TO_STDERR : LOG_TO_SYSLOG,
		 d->verbose + 1);
	log_info("listening on %s", path);
	if (daemonize_ready(&dmz))
		fatal("cannot signal readiness");

	if (evloop_run(s->loop))
		log_warnx("event loop failed");
	main_shutdown(s, path, sfd);
	return 0;
}
