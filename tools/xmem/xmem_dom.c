/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_dom.c: create and destroy, on simulated hosts.
 *
 * create is what `xl create` amounts to for memory: lib/simdom.c creates the
 * domain in xmem-hvsim, writes libxl's keys with libxl's permissions plus
 * xmem's policy keys in one transaction, and introduces the domain to the
 * store. With --workload, an xmem-balloon process then plays the guest
 * (pid file DIR/run/balloon-<domid>.pid, log DIR/run/balloon-<domid>.log);
 * if it cannot start, the domain is destroyed again, so a failed create
 * leaves nothing behind. destroy stops the guest process and undoes the rest.
 * On a real Xen host both go around xl, which owns domain building there
 * (xmem_xlcreate.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "json.h"
#include "simdom.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem.h"
#include "xmem_err.h"

#define DOM_STOP_WAIT_MS 5000

/* snprintf that reports truncation (paths under the host directory). */
static int __attribute__((format(printf, 3, 4)))
dom_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The xmem-balloon binary: $XMEM_BALLOON, else next to xmem, else the build tree, else PATH. */
static void dom_balloon_bin(char *buf, size_t len)
{
	char self[PATH_MAX], *slash;
	const char *env = getenv("XMEM_BALLOON");
	ssize_t n;

	if (env && env[0]) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (dom_fmt(buf, len, "%s/xmem-balloon", self) == 0 &&
			    access(buf, X_OK) == 0)
				return;
			if (dom_fmt(buf, len, "%s/../../guest/balloon/xmem-balloon", self) == 0 &&
			    access(buf, X_OK) == 0)
				return;
		}
	}
	snprintf(buf, len, "xmem-balloon");
}

/*
 * Start xmem-balloon for domid playing agent (NULL: xmem), with a kernel that
 * can hot-add memory when hotplug is set; it daemonises once its pid file is
 * written.
 */
static int dom_start_balloon(struct xmem_ctx *ctx, uint32_t domid, const char *workload,
			     const char *agent, int hotplug)
{
	char bin[PATH_MAX], domid_s[16], pidf[PATH_MAX], logf[PATH_MAX], rundir[PATH_MAX];
	char errf[PATH_MAX], root[PATH_MAX], why[256] = "";
	int status, fd = -1, rc = -1;
	FILE *f;
	pid_t pid;

	dom_balloon_bin(bin, sizeof(bin));
	snprintf(domid_s, sizeof(domid_s), "%" PRIu32, domid);
	if (dom_fmt(rundir, sizeof(rundir), "%s/run", ctx->host_dir) ||
	    dom_fmt(pidf, sizeof(pidf), "%s/balloon-%" PRIu32 ".pid", rundir, domid) ||
	    dom_fmt(logf, sizeof(logf), "%s/balloon-%" PRIu32 ".log", rundir, domid) ||
	    dom_fmt(errf, sizeof(errf), "%s/balloon-%" PRIu32 ".start", rundir, domid) ||
	    host_guest_root(ctx->host_dir, domid, root, sizeof(root))) {
		ctx_err("host directory name too long: use a shorter --host path");
		return -1;
	}
	if (mkdir(rundir, 0755) < 0 && errno != EEXIST) {
		ctx_err("cannot create %s (%s): check the host directory's permissions", rundir,
			strerror(errno));
		return -1;
	}
	/* Its start-up errors go to a file, so xmem can say them in its one line. */
	fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ctx_err("cannot create %s (%s): check the host directory's permissions", errf,
			strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ctx_err("cannot start xmem-balloon (%s): free some processes and retry",
			strerror(errno));
		goto out;
	}
	if (pid == 0) {
		dup2(fd, STDERR_FILENO);
		execlp(bin, bin, "--host", ctx->host_dir, "--domid", domid_s, "--workload",
		       workload, "--agent", agent ? agent : "xmem", "--proc-root", root,
		       "--pid-file", pidf, "--log-file", logf, hotplug ? "--hotplug" : (char *)NULL,
		       (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ctx_err("lost track of xmem-balloon (%s)", strerror(errno));
			goto out;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		rc = 0;
		goto out;
	}
	f = fopen(errf, "r");
	if (f) {
		if (fgets(why, sizeof(why), f))
			why[strcspn(why, "\n")] = '\0';
		fclose(f);
	}
	ctx_err("xmem-balloon did not start for domain %" PRIu32 ": %s: fix --workload '%s' (set "
		"XMEM_BALLOON if the binary is elsewhere)",
		domid,
		why[0] ? (strncmp(why, "xmem-balloon: ", 14) == 0 ? why + 14 : why)
		       : "it failed without a message",
		workload);
out:
	close(fd);
	unlink(errf);
	return rc;
}

/* 1 when pid runs xmem-balloon (guards against a recycled pid). */
static int dom_is_balloon(pid_t pid)
{
	char path[64], cmd[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(cmd, 1, sizeof(cmd) - 1, f);
	fclose(f);
	cmd[n] = '\0';
	return strstr(cmd, "xmem-balloon") != NULL;
}

/* Stop the xmem-balloon named in pid file pidf, if it runs, and remove the file. */
static void dom_stop_pidfile(const char *pidf)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char buf[32];
	FILE *f;
	long pid = 0;
	int waited;

	f = fopen(pidf, "r");
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f))
		pid = strtol(buf, NULL, 10);
	fclose(f);
	if (pid > 1 && dom_is_balloon((pid_t)pid) && kill((pid_t)pid, SIGTERM) == 0) {
		for (waited = 0; waited < DOM_STOP_WAIT_MS && kill((pid_t)pid, 0) == 0;
		     waited += 50)
			nanosleep(&ts, NULL);
		if (kill((pid_t)pid, 0) == 0)
			kill((pid_t)pid, SIGKILL);
	}
	unlink(pidf);
}

/*
 * Stop the guest process of domain domid: balloon-<domid>.pid (xmem create)
 * or balloon-<name>.pid (xmem-simhost's guests).
 */
static void dom_stop_balloon(struct xmem_ctx *ctx, uint32_t domid, const char *name)
{
	char pidf[PATH_MAX];

	if (dom_fmt(pidf, sizeof(pidf), "%s/run/balloon-%" PRIu32 ".pid", ctx->host_dir, domid) ==
	    0)
		dom_stop_pidfile(pidf);
	if (name && name[0] && strchr(name, '/') == NULL &&
	    dom_fmt(pidf, sizeof(pidf), "%s/run/balloon-%s.pid", ctx->host_dir, name) == 0)
		dom_stop_pidfile(pidf);
}

static const struct option dom_create_longopts[] = {
	{ "memory", required_argument, NULL, 'm' },
	{ "maxmem", required_argument, NULL, 'M' },
	{ "min", required_argument, NULL, 'i' },
	{ "max", required_argument, NULL, 'a' },
	{ "weight", required_argument, NULL, 'w' },
	{ "buffer", required_argument, NULL, 'b' },
	{ "workload", required_argument, NULL, 'W' },
	{ "reservation", required_argument, NULL, 'r' },
	{ "hotplug", no_argument, NULL, 'H' },
	{ "agent", required_argument, NULL, 'g' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Parse create's options into cfg, *workload_r and *hotplug_r. Returns -1 to
 * go on, or the exit status (help, a bad option).
 */
static int dom_create_parse(int argc, char **argv, struct simdom_config *cfg,
			    const char **workload_r, int *hotplug_r)
{
	uint64_t v;
	int opt, policy_given = 0;

	while ((opt = cmdtable_getopt(argc, argv, "m:M:", dom_create_longopts, "create", 1)) !=
	       CMDOPT_END) {
		switch (opt) {
		case CMDOPT_HELP:
			return EXIT_SUCCESS;
		case CMDOPT_ERROR:
			return EXIT_FAILURE;
		case 'm':
			if (parse_size("--memory", optarg, &cfg->startup_kib))
				return EXIT_FAILURE;
			break;
		case 'M':
			if (parse_size("--maxmem", optarg, &cfg->static_max_kib))
				return EXIT_FAILURE;
			break;
		case 'i':
			if (parse_size("--min", optarg, &cfg->dynamic_min_kib))
				return EXIT_FAILURE;
			break;
		case 'a':
			if (parse_size("--max", optarg, &cfg->dynamic_max_kib))
				return EXIT_FAILURE;
			break;
		case 'w':
			if (parse_uint("--weight", optarg, 0, XMEM_WEIGHT_MAX, &v))
				return EXIT_FAILURE;
			cfg->weight = (unsigned int)v;
			break;
		case 'b':
			if (parse_uint("--buffer", optarg, XMEM_BUFFER_MIN_PCT, XMEM_BUFFER_MAX_PCT,
				       &v))
				return EXIT_FAILURE;
			cfg->buffer_pct = (unsigned int)v;
			break;
		case 'W':
			*workload_r = optarg;
			continue;
		case 'r':
			cfg->reservation = optarg;
			continue;
		case 'H':
			*hotplug_r = 1;
			continue;
		case 'g':
			cfg->agent = optarg;
			continue;
		}
		policy_given |= opt == 'i' || opt == 'a' || opt == 'w' || opt == 'b';
	}
	if (cmdtable_max_args(argc, argv, "create", 1))
		return EXIT_FAILURE;
	cfg->name = argv[optind];
	if (!*workload_r && *hotplug_r) {
		ctx_err("create: --hotplug describes the simulated guest's kernel: give --workload "
			"too");
		return EXIT_FAILURE;
	}
	if (cfg->agent && !*workload_r) {
		ctx_err("create: --agent needs --workload: only a simulated guest plays an agent");
		return EXIT_FAILURE;
	}
	/* A policy given here is the domain's: xmemd does not replace it with the saved one. */
	if (policy_given)
		cfg->policy_source = "given";
	return -1;
}

/* Check cfg's sizes and name, filling in maxmem from memory. Returns 0 or -1 (said). */
static int dom_create_check(struct simdom_config *cfg, char *err, size_t err_len)
{
	if (!cfg->startup_kib) {
		ctx_err("create: --memory SIZE is required: give the domain's startup size, e.g. "
			"--memory 1G");
		return -1;
	}
	if (!cfg->static_max_kib)
		cfg->static_max_kib = cfg->startup_kib;
	if (!parse_name_ok(cfg->name) || simdom_validate(cfg, err, err_len)) {
		ctx_err("create: %s: fix the name or the options",
			err[0] ? err : "bad domain name (letters, digits, '_', '.', '-')");
		return -1;
	}
	if (parse_floor_check("--memory", cfg->startup_kib, cfg->static_max_kib, err, err_len) ||
	    (cfg->dynamic_min_kib &&
	     parse_floor_check("--min", cfg->dynamic_min_kib, cfg->static_max_kib, err, err_len)) ||
	    (cfg->dynamic_max_kib &&
	     parse_floor_check("--max", cfg->dynamic_max_kib, cfg->static_max_kib, err, err_len))) {
		ctx_err("create: %s", err);
		return -1;
	}
	return 0;
}

/*
 * Make room for cfg's startup size: through xmemd, whose startup reservation
 * (its id in startup_id) the domain is then built from, or, without xmemd and
 * without --reservation, by checking that the growth takes no held memory.
 * Returns 0 or -1 (said).
 */
static int dom_create_hold(struct xmem_ctx *ctx, struct simdom_config *cfg, char *startup_id,
			   size_t startup_id_len, char *err, size_t err_len)
{
	/*
	 * It starts at its startup size: xmemd frees that much (squeezing the
	 * others toward their minimums) and holds it for this domain. Without
	 * xmemd it may not take the memory held for a reservation.
	 */
	if (!cfg->reservation && model_xmemd_running(ctx)) {
		if (startup_obtain(ctx, cfg->name, cfg->startup_kib, startup_id, startup_id_len))
			return -1;
		cfg->reservation = startup_id;
	} else if (!cfg->reservation) {
		snprintf(err, err_len, "create %s", cfg->name);
		if (hold_check_growth(ctx, err, cfg->startup_kib))
			return -1;
	}
	return 0;
}

/* Build the domain (*domid_r); a failure drops the startup reservation. Returns 0 or -1 (said). */
static int dom_create_build(struct xmem_ctx *ctx, const struct simdom_config *cfg,
			    const char *startup_id, uint32_t *domid_r, char *err, size_t err_len)
{
	int rc;

	rc = simdom_create(ctx->xsh, ctx->hv, cfg, domid_r, err, err_len);
	if (rc && startup_id[0])
		resv_drop(ctx, startup_id); /* nothing was built from it */
	if (rc == XMEM_ERR_EXISTS) {
		ctx_err("create: %s: choose another name, or 'xmem destroy %s' first", err,
			cfg->name);
		return -1;
	}
	if (rc == XMEM_ERR_NOSPACE) {
		ctx_err("create: %s: free memory first ('xmem reserve SIZE') or give a smaller "
			"--memory",
			err);
		return -1;
	}
	if (rc) {
		ctx_err("create: %s: nothing was created; check the host's daemons", err);
		return -1;
	}
	return 0;
}

/* Say that name was created as domid, as text or JSON. Returns the exit status. */
static int dom_create_report(struct xmem_ctx *ctx, const char *name, uint32_t domid)
{
	struct json_out *out = NULL;
	int rc;

	if (!ctx->json) {
		fprintf(ctx->out, "created %s (domid %" PRIu32 ")\n", name, domid);
		return EXIT_SUCCESS;
	}
	out = json_out_new(1);
	if (!out) {
		ctx_err("out of memory: %s was created; free some memory", name);
		return EXIT_FAILURE;
	}
	json_out_obj_open(out);
	json_out_kv_str(out, "name", name);
	json_out_kv_u64(out, "domid", domid);
	json_out_obj_close(out);
	rc = json_out_print(out, ctx->out);
	json_out_free(out);
	return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main_create(struct xmem_ctx *ctx, int argc, char **argv)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN] = "";
	const char *workload = NULL;
	uint32_t domid;
	char startup_id[64] = "";
	int rc, hotplug = 0;

	if (!ctx->host_dir)
		return xlcreate_main(ctx, argc, argv); /* a Xen host: around xl */
	simdom_config_init(&cfg);
	cfg.startup_kib = 0;
	cfg.static_max_kib = 0;
	rc = dom_create_parse(argc, argv, &cfg, &workload, &hotplug);
	if (rc >= 0)
		return rc;
	if (dom_create_check(&cfg, err, sizeof(err)))
		return EXIT_FAILURE;
	if (!ctx_store(ctx) || !ctx_hv(ctx, 0))
		return EXIT_FAILURE;
	if (dom_create_hold(ctx, &cfg, startup_id, sizeof(startup_id), err, sizeof(err)) ||
	    dom_create_build(ctx, &cfg, startup_id, &domid, err, sizeof(err)))
		return EXIT_FAILURE;
	if (workload && dom_start_balloon(ctx, domid, workload, cfg.agent, hotplug)) {
		dom_stop_balloon(ctx, domid, NULL);
		simdom_destroy(ctx->xsh, ctx->hv, domid, NULL, 0);
		if (startup_id[0])
			resv_drop(ctx, startup_id);
		return EXIT_FAILURE;
	}
	return dom_create_report(ctx, cfg.name, domid);
}

int main_destroy(struct xmem_ctx *ctx, int argc, char **argv)
{
	char err[SIMDOM_ERR_LEN] = "", path[CTX_PATH_LEN], name[XMEM_NAME_LEN];
	uint32_t domid;
	int opt, rc;

	while ((opt = cmdtable_getopt(argc, argv, "", NULL, "destroy", 1)) != CMDOPT_END) {
		switch (opt) {
		case CMDOPT_HELP:
			return EXIT_SUCCESS;
		case CMDOPT_ERROR:
			return EXIT_FAILURE;
		}
	}
	if (cmdtable_max_args(argc, argv, "destroy", 1))
		return EXIT_FAILURE;
	if (!ctx->host_dir)
		return xlcreate_destroy(ctx, argv[optind]);
	if (!ctx_store(ctx) || !ctx_hv(ctx, 0) || model_lookup(ctx, argv[optind], &domid))
		return EXIT_FAILURE;
	if (domid == 0) {
		ctx_err("dom0 cannot be destroyed: stop the simulated host with 'xmem-simhost "
			"stop'");
		return EXIT_FAILURE;
	}
	ctx_read_str(ctx, XBT_NULL,
		     ctx_path(path, sizeof(path), XS_LOCAL_DOMAIN "/" XS_DOM_NAME, domid), name,
		     sizeof(name));
	dom_stop_balloon(ctx, domid, name);
	rc = simdom_destroy(ctx->xsh, ctx->hv, domid, err, sizeof(err));
	if (rc) {
		ctx_err("destroy: %s: check the host's daemons and retry", err);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
