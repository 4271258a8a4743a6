/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_reserve.c: reserve, reservations, release: the client side of
 * xmemd's reservation protocol (docs/architecture.md, "Reservations").
 *
 * reserve writes /tool/xmemd/reservation/<pid>-<n>/{size_kib,for,expires,
 * state=pending} in one transaction, then watches the node until xmemd
 * writes state = granted or failed. A reservation that fails, is not
 * answered in time or is interrupted is removed again, so an error leaves
 * nothing behind. A granted one stays until `xmem release ID` or until a new
 * domain takes it (create --reservation ID writes its domid).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hv.h"
#include "json.h"
#include "size.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem.h"

#define RESV_DEFAULT_WAIT_S    30
#define RESV_DEFAULT_EXPIRES_S 600
#define RESV_TICK_MS	       200
#define RESV_BAR_CELLS	       30

struct resv_arg {
	char id[64];
	uint64_t size_kib;
	const char *for_dom;
	uint64_t expires;
};

static volatile sig_atomic_t resv_interrupted;

/* Note an interruption; the wait loop withdraws the request. */
static void resv_on_signal(int sig)
{
	(void)sig;
	resv_interrupted = 1;
}

/* Pick a fresh id and write the request. */
static int resv_create_txn(struct xmem_ctx *ctx, xs_transaction_t t, void *varg)
{
	struct resv_arg *a = varg;
	char path[CTX_PATH_LEN];
	unsigned int n, len;
	char *val;

	for (n = 0;; n++) {
		snprintf(a->id, sizeof(a->id), "%ld-%u", (long)getpid(), n);
		val = xs_read(ctx->xsh, t, ctx_path(path, sizeof(path), XS_XMEMD_RESV, a->id),
			      &len);
		if (!val)
			break;
		free(val);
	}
	if (ctx_write_u64(ctx, t, ctx_path(path, sizeof(path), XS_XMEMD_RES_SIZE, a->id),
			  a->size_kib) ||
	    (a->for_dom &&
	     ctx_write_str(ctx, t, ctx_path(path, sizeof(path), XS_XMEMD_RES_FOR, a->id),
			   a->for_dom)) ||
	    ctx_write_u64(ctx, t, ctx_path(path, sizeof(path), XS_XMEMD_RES_EXPIRES, a->id),
			  a->expires) ||
	    ctx_write_str(ctx, t, ctx_path(path, sizeof(path), XS_XMEMD_RES_STATE, a->id),
			  XS_XMEMD_RES_STATE_PENDING)) {
		ctx_err("cannot write the reservation (%s): nothing was written; check the "
			"store's log",
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Remove reservation id (which must exist). */
static int resv_remove_txn(struct xmem_ctx *ctx, xs_transaction_t t, void *varg)
{
	const char *id = varg;
	char path[CTX_PATH_LEN];
	unsigned int len;
	char *val;

	val = xs_read(ctx->xsh, t, ctx_path(path, sizeof(path), XS_XMEMD_RESV, id), &len);
	if (!val) {
		ctx_err("no reservation '%s': 'xmem reservations' lists them", id);
		return -1;
	}
	free(val);
	if (!xs_rm(ctx->xsh, t, path)) {
		ctx_err("cannot remove reservation '%s' (%s): check the store's log", id,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Free host memory now, for the progress bar (XMEM_UNSET when unknown). */
static uint64_t resv_free_kib(struct xmem_ctx *ctx)
{
	struct hv_physinfo pi;
	struct hv *h = ctx_hv(ctx, 1);

	if (h && hv_physinfo(h, &pi) == 0)
		return size_pages_to_kib(pi.free_pages > pi.outstanding_pages
						 ? pi.free_pages - pi.outstanding_pages
						 : 0);
	return ctx_read_u64(ctx, XBT_NULL, XS_XMEMD_HOST_FREE);
}

/* Monotonic clock in milliseconds. */
static uint64_t resv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Wait for xmemd's answer. Returns 1 granted, 0 failed (reason in reason),
 * -1 timed out or interrupted (message printed).
 */
static int resv_wait(struct xmem_ctx *ctx, const struct resv_arg *a, uint64_t wait_s, char *reason,
		     size_t reason_len)
{
	char path[CTX_PATH_LEN], state[16], bar[RESV_BAR_CELLS + 3];
	uint64_t deadline, free_kib;
	struct sigaction sa, old_int, old_term;
	int show = isatty(STDERR_FILENO) && !ctx->json, ret = -1;
	struct pollfd pfd;
	char **ev;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = resv_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	ctx_path(path, sizeof(path), XS_XMEMD_RES_STATE, a->id);
	if (!xs_watch(ctx->xsh, path, "xmem-reserve")) {
		ctx_err("cannot watch %s (%s): check the store's log", path, strerror(errno));
		goto out;
	}
	deadline = resv_now_ms() + wait_s * 1000;
	for (;;) {
		ctx_read_str(ctx, XBT_NULL, path, state, sizeof(state));
		if (strcmp(state, XS_XMEMD_RES_STATE_GRANTED) == 0) {
			ret = 1;
			break;
		}
		if (strcmp(state, XS_XMEMD_RES_STATE_FAILED) == 0) {
			ctx_read_str(ctx, XBT_NULL,
				     ctx_path(path, sizeof(path), XS_XMEMD_RES_REASON, a->id),
				     reason, reason_len);
			ret = 0;
			break;
		}
		if (resv_interrupted) {
			ctx_err("interrupted: reservation %s was withdrawn", a->id);
			break;
		}
		if (resv_now_ms() >= deadline) {
			ctx_err("xmemd did not answer within %" PRIu64 " s: reservation %s was "
				"withdrawn; check 'xmem info' and xmemd's log, or give a longer "
				"--wait",
				wait_s, a->id);
			break;
		}
		if (show) {
			free_kib = resv_free_kib(ctx);
			fprintf(stderr, "\rwaiting for xmemd: %s %" PRIu64 "/%" PRIu64 " MiB free",
				fmt_bar(free_kib == XMEM_UNSET ? 0 : free_kib, a->size_kib,
					RESV_BAR_CELLS, bar, sizeof(bar)),
				free_kib == XMEM_UNSET ? 0 : free_kib / 1024, a->size_kib / 1024);
		}
		pfd.fd = xs_fileno(ctx->xsh);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, RESV_TICK_MS) > 0) {
			while ((ev = xs_check_watch(ctx->xsh)) != NULL)
				free(ev);
		}
	}
	xs_unwatch(ctx->xsh, path, "xmem-reserve");
out:
	if (show)
		fprintf(stderr, "\r%*s\r", 70, "");
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return ret;
}

/* Print the outcome of reserve. */
static int resv_report(struct xmem_ctx *ctx, const struct resv_arg *a, const char *state)
{
	char path[CTX_PATH_LEN];
	struct json_out *out;
	uint64_t granted;
	int rc;

	granted = ctx_read_u64(ctx, XBT_NULL,
			       ctx_path(path, sizeof(path), XS_XMEMD_RES_GRANTED, a->id));
	if (!ctx->json) {
		if (strcmp(state, XS_XMEMD_RES_STATE_GRANTED) == 0)
			fprintf(ctx->out,
				"reservation %s granted: %" PRIu64 " MiB held free until 'xmem "
				"release %s' or a new domain takes it\n",
				a->id, (granted == XMEM_UNSET ? a->size_kib : granted) / 1024,
				a->id);
		else
			fprintf(ctx->out,
				"reservation %s pending: 'xmem reservations' shows "
				"xmemd's answer\n",
				a->id);
		return EXIT_SUCCESS;
	}
	out = json_out_new(1);
	if (!out) {
		ctx_err("out of memory: reservation %s stands; free some memory", a->id);
		return EXIT_FAILURE;
	}
	json_out_obj_open(out);
	json_out_kv_str(out, "id", a->id);
	json_out_kv_str(out, "state", state);
	json_out_kv_u64(out, "size_kib", a->size_kib);
	json_out_key(out, "granted_kib");
	if (granted == XMEM_UNSET)
		json_out_null(out);
	else
		json_out_u64(out, granted);
	json_out_kv_u64(out, "expires", a->expires);
	json_out_obj_close(out);
	rc = json_out_print(out, ctx->out);
	json_out_free(out);
	if (rc) {
		ctx_err("cannot write JSON: reservation %s stands; check the output", a->id);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int main_reserve(struct xmem_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "wait", required_argument, NULL, 'w' },
		{ "for", required_argument, NULL, 'f' },
		{ "expires", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct resv_arg a = { .for_dom = NULL };
	uint64_t wait_s = RESV_DEFAULT_WAIT_S, expires_s = RESV_DEFAULT_EXPIRES_S;
	char reason[256] = "";
	int opt, r;

	while ((opt = cmdtable_getopt(argc, argv, "w:f:e:", longopts, "reserve", 1)) !=
	       CMDOPT_END) {
		switch (opt) {
		case CMDOPT_HELP:
			return EXIT_SUCCESS;
		case CMDOPT_ERROR:
			return EXIT_FAILURE;
		case 'w':
			if (parse_uint("--wait", optarg, 0, 86400, &wait_s))
				return EXIT_FAILURE;
			break;
		case 'e':
			if (parse_uint("--expires", optarg, 1, 86400 * 366, &expires_s))
				return EXIT_FAILURE;
			break;
		case 'f':
			if (!parse_name_ok(optarg) &&
			    strspn(optarg, "0123456789") != strlen(optarg)) {
				ctx_err("bad --for '%s': give a domain name or domid", optarg);
				return EXIT_FAILURE;
			}
			a.for_dom = optarg;
			break;
		}
	}
	if (cmdtable_max_args(argc, argv, "reserve", 1))
		return EXIT_FAILURE;
	if (parse_size("size", argv[optind], &a.size_kib))
		return EXIT_FAILURE;
	if (a.size_kib == 0) {
		ctx_err("a reservation of 0 bytes means nothing: give a size such as 2G");
		return EXIT_FAILURE;
	}
	if (!ctx_store(ctx))
		return EXIT_FAILURE;
	if (!model_xmemd_running(ctx)) {
		ctx_err("xmemd is not running on this host, so nobody can free memory: start "
			"it ('xmemd --host DIR', or 'xmem-simhost start')");
		return EXIT_FAILURE;
	}
	a.expires = (uint64_t)time(NULL) + expires_s;
	if (ctx_txn(ctx, resv_create_txn, &a))
		return EXIT_FAILURE;
	if (wait_s == 0)
		return resv_report(ctx, &a, XS_XMEMD_RES_STATE_PENDING);
	r = resv_wait(ctx, &a, wait_s, reason, sizeof(reason));
	if (r == 1)
		return resv_report(ctx, &a, XS_XMEMD_RES_STATE_GRANTED);
	/* Leave nothing behind: the request goes, whatever xmemd said. */
	ctx_txn(ctx, resv_remove_txn, a.id);
	if (r == 0)
		ctx_err("xmemd could not free %" PRIu64 " MiB: %s; lower other domains' "
			"minimums ('xmem mem-policy'), release reservations, or ask for less",
			a.size_kib / 1024, reason[0] ? reason : "no reason given");
	return EXIT_FAILURE;
}

int main_reservations(struct xmem_ctx *ctx, int argc, char **argv)
{
	struct xmem_resv *r = NULL;
	size_t nr = 0;
	int opt, rc = EXIT_FAILURE;

	while ((opt = cmdtable_getopt(argc, argv, "", NULL, "reservations", 0)) != CMDOPT_END) {
		switch (opt) {
		case CMDOPT_HELP:
			return EXIT_SUCCESS;
		case CMDOPT_ERROR:
			return EXIT_FAILURE;
		}
	}
	if (cmdtable_max_args(argc, argv, "reservations", 0))
		return EXIT_FAILURE;
	if (!ctx_store(ctx) || model_load_reservations(ctx, &r, &nr))
		return EXIT_FAILURE;
	if (ctx->json) {
		if (fmt_resv_json(ctx->out, r, nr)) {
			ctx_err("cannot write JSON: check the output");
			goto out;
		}
	} else if (fmt_resv_table(ctx->out, r, nr)) {
		ctx_err("cannot write the table: check the output");
		goto out;
	}
	rc = EXIT_SUCCESS;
out:
	free(r);
	return rc;
}

int main_release(struct xmem_ctx *ctx, int argc, char **argv)
{
	int opt;

	while ((opt = cmdtable_getopt(argc, argv, "", NULL, "release", 1)) != CMDOPT_END) {
		switch (opt) {
		case CMDOPT_HELP:
			return EXIT_SUCCESS;
		case CMDOPT_ERROR:
			return EXIT_FAILURE;
		}
	}
	if (cmdtable_max_args(argc, argv, "release", 1))
		return EXIT_FAILURE;
	if (!parse_resv_id_ok(argv[optind])) {
		ctx_err("bad reservation id '%s': 'xmem reservations' lists them", argv[optind]);
		return EXIT_FAILURE;
	}
	if (!ctx_store(ctx) || ctx_txn(ctx, resv_remove_txn, argv[optind]))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

int resv_request(struct xmem_ctx *ctx, uint64_t size_kib, const char *for_dom, uint64_t wait_s,
		 char *id_r, size_t id_len, char *reason, size_t reason_len)
{
	struct resv_arg a = { .size_kib = size_kib, .for_dom = for_dom };
	int r;

	a.expires = (uint64_t)time(NULL) + RESV_DEFAULT_EXPIRES_S;
	if (ctx_txn(ctx, resv_create_txn, &a))
		return -1;
	snprintf(id_r, id_len, "%s", a.id);
	r = resv_wait(ctx, &a, wait_s, reason, reason_len);
	if (r != 1)
		ctx_txn(ctx, resv_remove_txn, a.id); /* leave nothing behind */
	return r;
}

/* Remove reservation id if it is still there. */
static int resv_drop_txn(struct xmem_ctx *ctx, xs_transaction_t t, void *varg)
{
	char path[CTX_PATH_LEN];

	ctx_path(path, sizeof(path), XS_XMEMD_RESV, (const char *)varg);
	if (!xs_rm(ctx->xsh, t, path) && errno != ENOENT) {
		ctx_err("cannot remove reservation '%s' (%s): check the store's log",
			(const char *)varg, strerror(errno));
		return -1;
	}
	return 0;
}

int resv_drop(struct xmem_ctx *ctx, const char *id)
{
	return ctx_txn(ctx, resv_drop_txn, (void *)id);
}
