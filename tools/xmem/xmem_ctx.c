/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_ctx.c: the host a run talks to, opened on first use.
 *
 * The key tree is always libxenstore (host_xs_open): a simulated host's
 * store socket, or the real xenstored. The hypervisor is lib/hv.h's
 * interface: xmem-hvsim, or libxenctrl. Each opener explains a failure in
 * one line that says what to start or which option to fix.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host.h"
#include "hv.h"
#include "keytree.h"
#include "log.h"
#include "xmem.h"
#include "xmem_err.h"

#define CTX_TXN_TRIES 100

void ctx_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xmem: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

char *ctx_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		fatalx("key path too long: %s", fmt);
	return buf;
}

/* 1 when path is a socket. */
static int ctx_is_socket(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* Check that dir is a simulated host's directory; print why not. */
static int ctx_check_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		ctx_err("no simulated host at %s (%s): start one with 'xmem-simhost start "
			"SCENARIO --dir %s', or fix --host / $XMEM_HOST",
			dir, strerror(errno ? errno : ENOTDIR), dir);
		return -1;
	}
	return 0;
}

int ctx_set_host(struct xmem_ctx *ctx, const char *arg)
{
	const char *dir;

	if (arg && !arg[0]) {
		ctx_err("--host needs a directory: give a simulated host's runtime directory");
		return -1;
	}
	dir = host_dir(arg);
	ctx->host_dir = dir;
	/* Absolute, so the guest processes create starts (which chdir) find it too. */
	if (dir && realpath(dir, ctx->host_abs))
		ctx->host_dir = ctx->host_abs;
	return 0;
}

struct xs_handle *ctx_store(struct xmem_ctx *ctx)
{
	char sock[4096];

	if (ctx->xsh)
		return ctx->xsh;
	if (ctx->host_dir) {
		if (ctx_check_dir(ctx->host_dir))
			return NULL;
		if (host_store_socket(ctx->host_dir, HOST_NO_DOMID, sock, sizeof(sock))) {
			ctx_err("host directory name too long: use a shorter --host path");
			return NULL;
		}
		if (!ctx_is_socket(sock)) {
			ctx_err("no key-tree daemon on %s: start xmem-stored there (or "
				"'xmem-simhost start'), or fix --host / $XMEM_HOST",
				sock);
			return NULL;
		}
	}
	ctx->xsh = host_xs_open(ctx->host_dir, HOST_NO_DOMID);
	if (!ctx->xsh) {
		if (ctx->host_dir)
			ctx_err("cannot connect to the key tree at %s (%s): restart xmem-stored "
				"(or 'xmem-simhost start')",
				sock, strerror(errno));
		else
			ctx_err("cannot reach xenstored (%s): run xmem as root in a Xen dom0, or "
				"give --host DIR for a simulated host",
				strerror(errno));
	}
	return ctx->xsh;
}

struct hv *ctx_hv(struct xmem_ctx *ctx, int quiet)
{
	char dir[4096];

	if (ctx->hv)
		return ctx->hv;
	if (ctx->hv_failed && quiet)
		return NULL;
	if (ctx->host_dir) {
		if (ctx_check_dir(ctx->host_dir))
			return NULL;
		if (host_hv_rundir(ctx->host_dir, dir, sizeof(dir)) ||
		    strlen(dir) + sizeof("/socket") > sizeof(dir)) {
			ctx_err("host directory name too long: use a shorter --host path");
			return NULL;
		}
		strcat(dir, "/socket");
		if (!ctx_is_socket(dir)) {
			ctx->hv_failed = 1;
			if (!quiet)
				ctx_err("no simulated hypervisor on %s: start xmem-hvsim there (or "
					"'xmem-simhost start'), or fix --host / $XMEM_HOST",
					dir);
			return NULL;
		}
	}
	ctx->hv = host_hv_open(ctx->host_dir);
	if (!ctx->hv)
		ctx->hv_failed = 1;
	if (!ctx->hv && !quiet) {
		if (ctx->host_dir)
			ctx_err("cannot connect to xmem-hvsim in %s/hv (%s): restart it (or "
				"'xmem-simhost start')",
				ctx->host_dir, strerror(errno));
		else
			ctx_err("cannot open the hypervisor through libxenctrl (%s): run xmem as "
				"root in a Xen dom0, or give --host DIR for a simulated host",
				strerror(errno));
	}
	return ctx->hv;
}

void ctx_close(struct xmem_ctx *ctx)
{
	if (ctx->xsh)
		xs_close(ctx->xsh);
	ctx->xsh = NULL;
	hv_close(ctx->hv);
	ctx->hv = NULL;
}

/* One command's transaction as keytree_txn runs it. */
struct ctx_txn_arg {
	struct xmem_ctx *ctx;
	ctx_txn_fn *fn;
	void *arg;
	int ran;   /* fn ran in the last attempt */
	int fn_rc; /* fn's refusal, returned as is */
};

/* One attempt: run the command's function; a refusal ends the transaction. */
static int ctx_txn_once(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	struct ctx_txn_arg *a = arg;

	(void)xs;
	a->ran = 1;
	a->fn_rc = a->fn(a->ctx, t, a->arg);
	return a->fn_rc ? 1 : 0;
}

int ctx_txn(struct xmem_ctx *ctx, ctx_txn_fn *fn, void *arg)
{
	struct ctx_txn_arg a = { .ctx = ctx, .fn = fn, .arg = arg };
	int rc = keytree_txn(ctx->xsh, CTX_TXN_TRIES, ctx_txn_once, &a);

	if (a.fn_rc)
		return a.fn_rc;
	if (!rc)
		return 0;
	if (rc == XMEM_ERR_AGAIN)
		ctx_err("the key tree kept changing under %d attempts: nothing was written; try "
			"again",
			CTX_TXN_TRIES);
	else if (!a.ran)
		ctx_err("cannot start a key-tree transaction (%s): check that the store "
			"is running",
			strerror(errno));
	else
		ctx_err("cannot commit the change (%s): nothing was written; check the "
			"store's log",
			strerror(errno));
	return -1;
}

uint64_t ctx_read_u64(struct xmem_ctx *ctx, xs_transaction_t t, const char *path)
{
	uint64_t v = XMEM_UNSET;

	keytree_read_u64(ctx->xsh, t, path, &v);
	return v;
}

int ctx_read_str(struct xmem_ctx *ctx, xs_transaction_t t, const char *path, char *buf, size_t len)
{
	unsigned int n = 0;
	char *val;

	buf[0] = '\0';
	val = xs_read(ctx->xsh, t, path, &n);
	if (!val)
		return 0;
	snprintf(buf, len, "%s", val);
	free(val);
	return 1;
}

int ctx_write_u64(struct xmem_ctx *ctx, xs_transaction_t t, const char *path, uint64_t val)
{
	return keytree_write_u64(ctx->xsh, t, path, val) ? -1 : 0;
}

int ctx_write_str(struct xmem_ctx *ctx, xs_transaction_t t, const char *path, const char *val)
{
	return keytree_write_str(ctx->xsh, t, path, val) ? -1 : 0;
}
