/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_xlcreate.c: create and destroy on a real Xen host, around xl.
 *
 * `xmem create CONFIG [xl options]` is Hyper-V's Start-VM for xl: read name,
 * memory and maxmem from the xl configuration (and key=value overrides), take
 * the VM's startup size from its saved policy when it has one, have xmemd
 * free and hold that much (xmem_startup.c), `xl create -p`, give the
 * reservation to the new domain, wait for xmemd to apply the VM's policy,
 * `xl unpause`, and print the domain. Every step after the reservation can
 * fail; the rollback undoes what was done (the paused domain destroyed, the
 * reservation released) and one line names the cause.
 *
 * The steps run through struct xlcreate_ops so the rollback is unit-tested
 * with every step failing in turn (tools/xmem/tests/test_xmem_xlcreate.c);
 * the real ops run xl ($XMEM_XL, default "xl") and talk to the key tree.
 * `xmem destroy DOM` runs `xl destroy` and removes what xmem keeps for the
 * domain (its reservations, xmemd's published state).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"
#include "tools/xmemd/vmstate.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem.h"

#define XLCREATE_POLICY_WAIT_MS 10000 /* xmemd applies a policy within a rebalance */
#define XLCREATE_ARGS_MAX	64

/* xl's words, writable as execvp's argv wants them. */
static char xlcreate_w_xl[] = "xl", xlcreate_w_create[] = "create", xlcreate_w_p[] = "-p",
	    xlcreate_w_domid[] = "domid", xlcreate_w_unpause[] = "unpause",
	    xlcreate_w_destroy[] = "destroy";

/* What failed, for the error line. */
static const char *const xlcreate_step_names[] = {
	[XLCREATE_OK] = "nothing",
	[XLCREATE_RESERVE] = "xmemd could not free the startup memory",
	[XLCREATE_XL_CREATE] = "xl create failed (its messages are above)",
	[XLCREATE_DOMID] = "xl domid did not find the new domain",
	[XLCREATE_ASSIGN] = "cannot give the reservation to the new domain",
	[XLCREATE_POLICY] = "xmemd did not apply the VM's policy",
	[XLCREATE_UNPAUSE] = "xl unpause failed (its messages are above)",
};

const char *xlcreate_step_name(enum xlcreate_step s)
{
	return s <= XLCREATE_UNPAUSE ? xlcreate_step_names[s] : "unknown step";
}

/* Undo what was done before step failed; says what in done. */
static void xlcreate_rollback(const struct xlcreate_ops *ops, void *arg,
			      const struct xlcreate_plan *p, enum xlcreate_step failed, char *done,
			      size_t len)
{
	int destroyed = 0, released = 0;

	if (failed > XLCREATE_XL_CREATE)
		destroyed = ops->destroy(arg, p->name) == 0 ? 1 : -1;
	if (failed > XLCREATE_RESERVE)
		released = ops->release(arg, p->resv_id) == 0 ? 1 : -1;
	snprintf(done, len, "%s%s%s",
		 destroyed > 0	 ? "the paused domain was destroyed"
		 : destroyed < 0 ? "destroying the paused domain failed: run 'xl destroy' yourself"
				 : "",
		 destroyed && released ? " and " : "",
		 released > 0	? "the reservation was released"
		 : released < 0 ? "releasing the reservation failed: run 'xmem release' yourself"
				: "");
}

enum xlcreate_step xlcreate_run(const struct xlcreate_ops *ops, void *arg, struct xlcreate_plan *p,
				char *err, size_t err_len)
{
	enum xlcreate_step s = XLCREATE_RESERVE;
	char done[200];

	if (ops->reserve(arg, p->name, p->need_kib, p->resv_id, sizeof(p->resv_id)))
		goto fail;
	s = XLCREATE_XL_CREATE;
	if (ops->xl_create(arg, p->xl_argv))
		goto fail;
	s = XLCREATE_DOMID;
	if (ops->domid(arg, p->name, &p->domid))
		goto fail;
	s = XLCREATE_ASSIGN;
	if (ops->assign(arg, p->resv_id, p->domid))
		goto fail;
	s = XLCREATE_POLICY;
	if (ops->wait_policy(arg, p->domid, p->source, sizeof(p->source)))
		goto fail;
	s = XLCREATE_UNPAUSE;
	if (ops->unpause(arg, p->domid))
		goto fail;
	return XLCREATE_OK;
fail:
	xlcreate_rollback(ops, arg, p, s, done, sizeof(done));
	snprintf(err, err_len, "create %s: %s%s%s", p->name, xlcreate_step_name(s),
		 done[0] ? ": " : "", done);
	return s;
}

/* The xl binary: $XMEM_XL, else xl from PATH. */
static const char *xlcreate_xl(void)
{
	const char *xl = getenv("XMEM_XL");

	return xl && xl[0] ? xl : "xl";
}

/*
 * Run argv (argv[0] replaced by the xl binary) with its stdout sent to
 * stderr, or into out (out_len bytes, NUL-terminated) when out is set.
 * 0 when it exits 0.
 */
static int xlcreate_exec(char *const *argv, char *out, size_t out_len)
{
	int fds[2] = { -1, -1 }, status = 0;
	size_t got = 0;
	pid_t pid;

	if (out && pipe(fds) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(out ? fds[1] : STDERR_FILENO, STDOUT_FILENO);
		if (out) {
			close(fds[0]);
			close(fds[1]);
		}
		execvp(xlcreate_xl(), argv);
		fprintf(stderr, "xmem: cannot run %s: %s\n", xlcreate_xl(), strerror(errno));
		_exit(127);
	}
	if (out) {
		ssize_t n;

		close(fds[1]);
		while ((n = read(fds[0], out + got, out_len - 1 - got)) > 0 && got < out_len - 1)
			got += (size_t)n;
		out[got] = '\0';
		close(fds[0]);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Real ops: their arg is the context. */
static int xlcreate_op_reserve(void *arg, const char *name, uint64_t size_kib, char *id_r,
			       size_t len)
{
	struct xmem_ctx *ctx = arg;

	if (!model_xmemd_running(ctx)) {
		ctx_err("create %s: xmemd is not running, so nobody can free the startup memory: "
			"start it (systemctl start xmemd), or use 'xl create'",
			name);
		return -1;
	}
	return startup_obtain(ctx, name, size_kib, id_r, len);
}

static int xlcreate_op_xl_create(void *arg, char *const *argv)
{
	(void)arg;
	return xlcreate_exec(argv, NULL, 0);
}

static int xlcreate_op_domid(void *arg, const char *name, uint32_t *domid_r)
{
	char *argv[] = { xlcreate_w_xl, xlcreate_w_domid, (char *)name, NULL }, out[64];
	uint64_t v;

	(void)arg;
	if (xlcreate_exec(argv, out, sizeof(out)))
		return -1;
	out[strcspn(out, "\n")] = '\0';
	if (parse_uint("domid", out, 1, 0x7FEF, &v))
		return -1;
	*domid_r = (uint32_t)v;
	return 0;
}

struct xlcreate_assign {
	const char *id;
	uint32_t domid;
};

/* Write the reservation's domid (it must still be granted). */
static int xlcreate_assign_txn(struct xmem_ctx *ctx, xs_transaction_t t, void *varg)
{
	const struct xlcreate_assign *a = varg;
	char path[CTX_PATH_LEN], state[16];

	if (!ctx_read_str(ctx, t, ctx_path(path, sizeof(path), XS_XMEMD_RES_STATE, a->id), state,
			  sizeof(state)) ||
	    strcmp(state, "granted"))
		return -1;
	return ctx_write_u64(ctx, t, ctx_path(path, sizeof(path), XS_XMEMD_RES_DOMID, a->id),
			     a->domid);
}

static int xlcreate_op_assign(void *arg, const char *id, uint32_t domid)
{
	struct xlcreate_assign a = { id, domid };

	return ctx_txn(arg, xlcreate_assign_txn, &a);
}

static int xlcreate_op_wait_policy(void *arg, uint32_t domid, char *src, size_t len)
{
	char path[CTX_PATH_LEN];
	int waited;

	ctx_path(path, sizeof(path), XS_LOCAL_DOMAIN "/" XS_DOM_POLICY_SOURCE, domid);
	for (waited = 0; waited < XLCREATE_POLICY_WAIT_MS; waited += 20) {
		if (ctx_read_str(arg, XBT_NULL, path, src, len))
			return 0;
		usleep(20 * 1000);
	}
	return -1;
}

static int xlcreate_op_unpause(void *arg, uint32_t domid)
{
	char num[16], *argv[] = { xlcreate_w_xl, xlcreate_w_unpause, num, NULL };

	(void)arg;
	snprintf(num, sizeof(num), "%" PRIu32, domid);
	return xlcreate_exec(argv, NULL, 0);
}

static int xlcreate_op_destroy(void *arg, const char *dom)
{
	char *argv[] = { xlcreate_w_xl, xlcreate_w_destroy, (char *)dom, NULL };

	(void)arg;
	return xlcreate_exec(argv, NULL, 0);
}

static int xlcreate_op_release(void *arg, const char *id)
{
	return resv_drop(arg, id);
}

static const struct xlcreate_ops xlcreate_real_ops = {
	.reserve = xlcreate_op_reserve,
	.xl_create = xlcreate_op_xl_create,
	.domid = xlcreate_op_domid,
	.assign = xlcreate_op_assign,
	.wait_policy = xlcreate_op_wait_policy,
	.unpause = xlcreate_op_unpause,
	.destroy = xlcreate_op_destroy,
	.release = xlcreate_op_release,
};

/* The VM's startup size: its saved (or admin's) policy's, else xl's memory; within maxmem. */
static uint64_t xlcreate_startup_kib(const struct xlcfg *c, uint64_t maxmem_kib)
{
	const char *sd = getenv("XMEM_STATE_DIR"), *dd = getenv("XMEM_DOMAINS_DIR");
	struct vmstate vs;
	struct vmstate_policy p;
	char err[VMSTATE_ERR_LEN], path[VMSTATE_PATH_MAX];
	uint64_t startup = c->memory_kib;

	memset(&vs, 0, sizeof(vs));
	snprintf(vs.state_dir, sizeof(vs.state_dir), "%s", sd ? sd : "/var/lib/xmem");
	snprintf(vs.domains_dir, sizeof(vs.domains_dir), "%s", dd ? dd : "/etc/xmem/domains");
	(void)err;
	if (vmstate_lookup(&vs, c->name, "", &p, path, sizeof(path)) != VMSTATE_NONE &&
	    p.has_startup && p.startup_kib)
		startup = p.startup_kib;
	return startup > maxmem_kib ? maxmem_kib : startup;
}

/* Build the plan from the command line (argv[0] is "create", argv[1] CONFIG). */
static int xlcreate_plan_args(int argc, char **argv, struct xlcfg *c, struct xlcreate_plan *p,
			      char *mem_arg, size_t mem_len)
{
	char err[300], key[32];
	uint64_t maxmem;
	int i, n = 0;

	if (xlcfg_load(argv[1], c, err, sizeof(err))) {
		ctx_err("create: %s: fix the configuration", err);
		return -1;
	}
	for (i = 2; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (argv[i][0] == '-' || !eq || (size_t)(eq - argv[i]) >= sizeof(key))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - argv[i]), argv[i]);
		if (xlcfg_set(c, key, eq + 1)) {
			ctx_err("create: bad override '%s': give %s as xl does", argv[i], key);
			return -1;
		}
	}
	if (!c->name[0] || !c->memory_kib) {
		ctx_err("create: %s sets no %s: xmem needs the VM's name and memory (MiB) from it",
			argv[1], c->name[0] ? "memory" : "name");
		return -1;
	}
	if (argc + 5 > XLCREATE_ARGS_MAX) {
		ctx_err("create: too many xl options (at most %d)", XLCREATE_ARGS_MAX - 6);
		return -1;
	}
	maxmem = c->maxmem_kib ? c->maxmem_kib : c->memory_kib;
	snprintf(p->name, sizeof(p->name), "%s", c->name);
	p->startup_kib = xlcreate_startup_kib(c, maxmem);
	/* What libxl needs besides the guest's memory (PV: 1 MiB), in 2 MiB steps. */
	p->need_kib = (p->startup_kib + 1024 + 2047) / 2048 * 2048;
	p->xl_argv[n++] = xlcreate_w_xl;
	p->xl_argv[n++] = xlcreate_w_create;
	p->xl_argv[n++] = xlcreate_w_p;
	for (i = 1; i < argc; i++)
		p->xl_argv[n++] = argv[i];
	if (p->startup_kib != c->memory_kib) {
		snprintf(mem_arg, mem_len, "memory=%" PRIu64, p->startup_kib / 1024);
		p->xl_argv[n++] = mem_arg;
	}
	p->xl_argv[n] = NULL;
	return 0;
}

int xlcreate_main(struct xmem_ctx *ctx, int argc, char **argv)
{
	char *xl_argv[XLCREATE_ARGS_MAX], mem_arg[48], err[512];
	struct xlcreate_plan p;
	struct xlcfg c;
	enum xlcreate_step s;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		cmdtable_help(argc < 2 ? stderr : ctx->out, cmdtable_lookup("create"));
		return argc < 2 ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	memset(&p, 0, sizeof(p));
	p.xl_argv = xl_argv;
	if (xlcreate_plan_args(argc, argv, &c, &p, mem_arg, sizeof(mem_arg)) || !ctx_store(ctx))
		return EXIT_FAILURE;
	s = xlcreate_run(&xlcreate_real_ops, ctx, &p, err, sizeof(err));
	if (s == XLCREATE_RESERVE)
		return EXIT_FAILURE; /* startup_obtain said why */
	if (s != XLCREATE_OK) {
		ctx_err("%s", err);
		return EXIT_FAILURE;
	}
	if (ctx->json) {
		struct json_out *out = json_out_new(1);
		int rc;

		if (!out)
			return EXIT_FAILURE;
		json_out_obj_open(out);
		json_out_kv_str(out, "name", p.name);
		json_out_kv_u64(out, "domid", p.domid);
		json_out_kv_u64(out, "startup_kib", p.startup_kib);
		json_out_kv_str(out, "policy_source", p.source);
		json_out_obj_close(out);
		rc = json_out_print(out, ctx->out);
		json_out_free(out);
		return rc ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	fprintf(ctx->out, "created %s (domid %" PRIu32 "): %" PRIu64 " MiB, policy %s\n", p.name,
		p.domid, p.startup_kib / 1024, p.source);
	return EXIT_SUCCESS;
}

/* Remove the reservations given to domid and xmemd's published state of it. */
static int xlcreate_clean_txn(struct xmem_ctx *ctx, xs_transaction_t t, void *varg)
{
	uint32_t domid = *(uint32_t *)varg;
	char path[CTX_PATH_LEN], **ids;
	unsigned int n = 0, i;

	ids = xs_directory(ctx->xsh, t, XS_XMEMD_RESERVATIONS, &n);
	for (i = 0; ids && i < n; i++) {
		if (!parse_resv_id_ok(ids[i]) ||
		    ctx_read_u64(ctx, t,
				 ctx_path(path, sizeof(path), XS_XMEMD_RES_DOMID, ids[i])) != domid)
			continue;
		xs_rm(ctx->xsh, t, ctx_path(path, sizeof(path), XS_XMEMD_RESV, ids[i]));
	}
	free(ids);
	xs_rm(ctx->xsh, t, ctx_path(path, sizeof(path), XS_XMEMD_ROOT "/domain/%u", domid));
	return 0;
}

int xlcreate_destroy(struct xmem_ctx *ctx, const char *dom)
{
	uint32_t domid;

	if (!ctx_store(ctx) || model_lookup(ctx, dom, &domid))
		return EXIT_FAILURE;
	if (domid == 0) {
		ctx_err("dom0 cannot be destroyed");
		return EXIT_FAILURE;
	}
	if (xlcreate_op_destroy(ctx, dom)) {
		ctx_err("xl destroy %s failed (its messages are above): nothing of xmem's was "
			"removed",
			dom);
		return EXIT_FAILURE;
	}
	if (ctx_txn(ctx, xlcreate_clean_txn, &domid))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}
