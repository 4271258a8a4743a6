/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_mem.c: mem-set, mem-max (as xl) and mem-policy (Set-VMMemory for Xen).
 *
 * Each command reads what it checks and writes what it changes inside one
 * key-tree transaction, retried on EAGAIN (ctx_txn), so a refused change
 * writes nothing and a concurrent writer (xmemd, another xmem) never sees
 * half of it. The hypervisor cap is set last inside the transaction, as
 * libxl_set_memory_target() does: if the hypervisor refuses, the transaction
 * is aborted and the key tree is untouched.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv.h"
#include "json.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem.h"
#include "xmem_err.h"

#define MEM_ANSWER_WAIT_MS 10000 /* how long mem-policy waits for xmemd to save */

#define DOM_PATH(buf, domid, key) ctx_path(buf, sizeof(buf), XS_LOCAL_DOMAIN "/" key, domid)

struct mem_set_arg {
	uint32_t domid;
	const char *dom;   /* as the user named it */
	uint64_t size_kib; /* as given */
	uint64_t target_kib;
	uint64_t maxmem_kib;
	int pinned;
};

/* Write a key or report the failure. */
static int mem_write(struct xmem_ctx *ctx, xs_transaction_t t, const char *path, uint64_t val)
{
	if (ctx_write_u64(ctx, t, path, val) == 0)
		return 0;
	ctx_err("cannot write %s: nothing was written; check the store's log", path);
	return -1;
}

/*
 * Refuse a change after which domain domid could grow into memory held for a
 * granted reservation: its new target target_kib (XMEM_UNSET: unchanged),
 * and its new cap max_kib (XMEM_UNSET: unchanged).
 */
static int mem_hold_check(struct xmem_ctx *ctx, xs_transaction_t t, uint32_t domid, const char *dom,
			  const char *cmd, uint64_t target_kib, uint64_t max_kib)
{
	char what[128];
	struct xmem_dom d;
	uint64_t reach, before;

	if (model_load(ctx, t, domid, &d) || d.current_kib == XMEM_UNSET)
		return 0;
	if (target_kib == XMEM_UNSET)
		target_kib = d.target_kib == XMEM_UNSET ? d.current_kib : d.target_kib;
	/* It grows toward its target as far as its cap lets it. */
	reach = max_kib != XMEM_UNSET && max_kib < target_kib ? max_kib : target_kib;
	before = d.hv_max_kib != XMEM_UNSET && d.hv_max_kib < reach ? d.hv_max_kib : reach;
	if (max_kib == XMEM_UNSET)
		before = d.current_kib;
	if (before < d.current_kib)
		before = d.current_kib;
	if (reach <= before)
		return 0;
	snprintf(what, sizeof(what), "%s %s", cmd, dom);
	return hold_check_growth(ctx, what, reach - before);
}

/* Check and write a new target (and the pin), then set the cap. */
static int mem_set_txn(struct xmem_ctx *ctx, xs_transaction_t t, void *varg)
{
	struct mem_set_arg *a = varg;
	char path[CTX_PATH_LEN], vm[CTX_PATH_LEN], msg[256];
	uint64_t static_max, videoram, startup;
	int rc;

	static_max = ctx_read_u64(ctx, t, DOM_PATH(path, a->domid, XS_DOM_STATIC_MAX));
	if (static_max == XMEM_UNSET) {
		ctx_err("domain %s has no memory/static-max: set it first with 'xmem mem-max %s "
			"SIZE'",
			a->dom, a->dom);
		return -1;
	}
	videoram = ctx_read_u64(ctx, t, DOM_PATH(path, a->domid, XS_DOM_VIDEORAM));
	if (videoram == XMEM_UNSET)
		videoram = 0;
	if (a->size_kib < videoram) {
		ctx_err("%" PRIu64 " KiB is below domain %s's video memory (%" PRIu64
			" KiB): give a larger size",
			a->size_kib, a->dom, videoram);
		return -1;
	}
	a->target_kib = a->size_kib - videoram;
	if (a->target_kib > static_max) {
		ctx_err("%" PRIu64 " MiB is above domain %s's static-max (%" PRIu64
			" MiB): raise it first with 'xmem mem-max %s SIZE'",
			a->target_kib / 1024, a->dom, static_max / 1024, a->dom);
		return -1;
	}
	if (a->domid == 0 && a->target_kib < XMEM_MIN_DOM0_KIB) {
		ctx_err("dom0 needs at least %d MiB: give a larger size", XMEM_MIN_DOM0_KIB / 1024);
		return -1;
	}
	if (parse_floor_check("the target", a->target_kib, static_max, msg, sizeof(msg))) {
		ctx_err("domain %s: %s", a->dom, msg);
		return -1;
	}
	if (mem_hold_check(ctx, t, a->domid, a->dom, "mem-set", a->target_kib, XMEM_UNSET))
		return -1;
	a->pinned = ctx_read_u64(ctx, t, DOM_PATH(path, a->domid, XS_DOM_MANAGED)) == 1;
	if (mem_write(ctx, t, DOM_PATH(path, a->domid, XS_DOM_TARGET), a->target_kib))
		return -1;
	/* Pinned: dynamic-min = dynamic-max = target, and startup within them. */
	startup = ctx_read_u64(ctx, t, DOM_PATH(path, a->domid, XS_DOM_STARTUP));
	if (a->pinned &&
	    (mem_write(ctx, t, DOM_PATH(path, a->domid, XS_DOM_DYNAMIC_MIN), a->target_kib) ||
	     mem_write(ctx, t, DOM_PATH(path, a->domid, XS_DOM_DYNAMIC_MAX), a->target_kib) ||
	     (startup != XMEM_UNSET && startup != a->target_kib &&
	      mem_write(ctx, t, DOM_PATH(path, a->domid, XS_DOM_STARTUP), a->target_kib))))
		return -1;
	/* libxl also keeps /vm/<uuid>/memory, in MiB. */
	if (ctx_read_str(ctx, t, DOM_PATH(path, a->domid, XS_DOM_VM), vm, sizeof(vm)) &&
	    strncmp(vm, "/vm/", 4) == 0 && parse_resv_id_ok(vm + 4) &&
	    mem_write(ctx, t, ctx_path(path, sizeof(path), XS_VM_MEMORY, vm + 4),
		      a->target_kib / 1024))
		return -1;
	a->maxmem_kib = a->target_kib + videoram + XMEM_MAXMEM_CONSTANT_KIB;
	rc = hv_set_maxmem(ctx->hv, a->domid, a->maxmem_kib);
	if (rc) {
		ctx_err("the hypervisor refused maxmem %" PRIu64 " KiB for domain %s (%s): "
			"nothing was written; check that the domain still exists",
			a->maxmem_kib, a->dom, xmem_strerror(rc));
		return -1;
	}
	return 0;
}

int main_mem_set(struct xmem_ctx *ctx, int argc, char **argv)
{
	struct mem_set_arg a = { 0 };
	struct json_out *out = NULL;
	int opt;

	while ((opt = cmdtable_getopt(argc, argv, "", NULL, "mem-set", 2)) != CMDOPT_END) {
		switch (opt) {
		case CMDOPT_HELP:
			return EXIT_SUCCESS;
		case CMDOPT_ERROR:
			return EXIT_FAILURE;
		}
	}
	if (cmdtable_max_args(argc, argv, "mem-set", 2))
		return EXIT_FAILURE;
	a.dom = argv[optind];
	if (parse_size("size", argv[optind + 1], &a.size_kib))
		return EXIT_FAILURE;
	if (!ctx_store(ctx) || !ctx_hv(ctx, 0) || model_lookup(ctx, a.dom, &a.domid))
		return EXIT_FAILURE;
	if (ctx_txn(ctx, mem_set_txn, &a))
		return EXIT_FAILURE;
	if (ctx->json) {
		out = json_out_new(1);
		if (!out) {
			ctx_err("out of memory: the change was made; free some memory");
			return EXIT_FAILURE;
		}
		json_out_obj_open(out);
		json_out_kv_u64(out, "domid", a.domid);
		json_out_kv_u64(out, "target_kib", a.target_kib);
		json_out_kv_u64(out, "maxmem_kib", a.maxmem_kib);
		json_out_kv_bool(out, "pinned", a.pinned);
		json_out_obj_close(out);
		opt = json_out_print(out, ctx->out);
		json_out_free(out);
		if (opt) {
			ctx_err("cannot write JSON: the change was made; check the output");
			return EXIT_FAILURE;
		}
	} else if (a.pinned) {
		fprintf(ctx->out,
			"%s is managed by xmemd: pinned at %" PRIu64
			" MiB (dynamic-min = dynamic-max = target); 'xmem mem-policy %s --min SIZE "
			"--max SIZE' lets xmemd move it again\n",
			a.dom, a.target_kib / 1024, a.dom);
	}
	return EXIT_SUCCESS;
}

struct mem_max_arg {
	uint32_t domid;
	const char *dom;
	uint64_t max_kib;
};

/*
 * Set static-max and the hypervisor's cap to max_kib, as xl mem-max does,
 * for domain d (loaded in t). A maximum past the boot size needs a kernel
 * that can hot-add memory (model_hotplug); the first change keeps the boot
 * size in xmem/boot-max so that it is known after any later change.
 */
static int mem_set_static_max(struct xmem_ctx *ctx, xs_transaction_t t, const char *dom,
			      const struct xmem_dom *d, uint64_t max_kib)
{
	char path[CTX_PATH_LEN];
	int rc;

	if (d->boot_max_kib != XMEM_UNSET && max_kib > d->boot_max_kib && !model_hotplug(d)) {
		ctx_err("%" PRIu64 " MiB is above domain %s's boot size (%" PRIu64
			" MiB) and its kernel cannot hot-add memory: give at most %" PRIu64
			" MiB, or 'xmem mem-policy %s --hotplug yes' if its kernel has "
			"CONFIG_XEN_BALLOON_MEMORY_HOTPLUG",
			max_kib / 1024, dom, d->boot_max_kib / 1024, d->boot_max_kib / 1024, dom);
		return -1;
	}
	if (d->static_max_kib != XMEM_UNSET && d->static_max_kib != max_kib && !d->has_boot_max &&
	    mem_write(ctx, t, DOM_PATH(path, d->domid, XS_DOM_BOOT_MAX), d->static_max_kib))
		return -1;
	if (mem_write(ctx, t, DOM_PATH(path, d->domid, XS_DOM_STATIC_MAX), max_kib))
		return -1;
	rc = hv_set_maxmem(ctx->hv, d->domid, max_kib + XMEM_MAXMEM_CONSTANT_KIB);
	if (rc) {
		ctx_err("the hypervisor refused maxmem %" PRIu64 " KiB for domain %s (%s): "
			"nothing was written; check that the domain still exists",
			max_kib + XMEM_MAXMEM_CONSTANT_KIB, dom, xmem_strerror(rc));
		return -1;
	}
	return 0;
}

/* Check and write static-max, then set the cap. */
static int mem_max_txn(struct xmem_ctx *ctx, xs_transaction_t t, void *varg)
{
	struct mem_max_arg *a = varg;
	struct xmem_dom d;

	if (model_load(ctx, t, a->domid, &d))
		return -1;
	if (d.target_kib != XMEM_UNSET && a->max_kib < d.target_kib) {
		ctx_err("%" PRIu64 " MiB is below domain %s's target (%" PRIu64
			" MiB): lower the target first with 'xmem mem-set %s SIZE'",
			a->max_kib / 1024, a->dom, d.target_kib / 1024, a->dom);
		return -1;
	}
	if (d.dynamic_max_kib != XMEM_UNSET && a->max_kib < d.dynamic_max_kib) {
		ctx_err("%" PRIu64 " MiB is below domain %s's dynamic-max (%" PRIu64
			" MiB): lower it first with 'xmem mem-policy %s --max SIZE'",
			a->max_kib / 1024, a->dom, d.dynamic_max_kib / 1024, a->dom);
		return -1;
	}
	if (d.startup_kib != XMEM_UNSET && a->max_kib < d.startup_kib) {
		ctx_err("%" PRIu64 " MiB is below domain %s's startup (%" PRIu64
			" MiB): lower it first with 'xmem mem-policy %s --startup SIZE'",
			a->max_kib / 1024, a->dom, d.startup_kib / 1024, a->dom);
		return -1;
	}
	if (mem_hold_check(ctx, t, a->domid, a->dom, "mem-max", XMEM_UNSET,
			   a->max_kib + XMEM_MAXMEM_CONSTANT_KIB))
		return -1;
	return mem_set_static_max(ctx, t, a->dom, &d, a->max_kib);
}

int main_mem_max(struct xmem_ctx *ctx, int argc, char **argv)
{
	struct mem_max_arg a = { 0 };
	int opt;

	while ((opt = cmdtable_getopt(argc, argv, "", NULL, "mem-max", 2)) != CMDOPT_END) {
		switch (opt) {
		case CMDOPT_HELP:
			return EXIT_SUCCESS;
		case CMDOPT_ERROR:
			return EXIT_FAILURE;
		}
	}
	if (cmdtable_max_args(argc, argv, "mem-max", 2))
		return EXIT_FAILURE;
	a.dom = argv[optind];
	if (parse_size("size", argv[optind + 1], &a.max_kib))
		return EXIT_FAILURE;
	if (!ctx_store(ctx) || !ctx_hv(ctx, 0) || model_lookup(ctx, a.dom, &a.domid))
		return EXIT_FAILURE;
	if (ctx_txn(ctx, mem_max_txn, &a))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

struct mem_policy_arg {
	uint32_t domid;
	const char *dom;
	struct xmem_policy given; /* XMEM_UNSET: not given */
	int managed;		  /* -1: not given */
	int hotplug;		  /* -1: not given */
	const char *request;	  /* for xmemd: "save", "forget", or NULL */
	const char *balloon;	  /* yes, no, auto; NULL: not given */
};

/* Ask xmemd (through the domain's keys) to save or forget the VM's policy. */
static int mem_policy_request(struct xmem_ctx *ctx, xs_transaction_t t,
			      const struct mem_policy_arg *a)
{
	char path[CTX_PATH_LEN];

	if (!a->request)
		return 0;
	xs_rm(ctx->xsh, t, DOM_PATH(path, a->domid, XS_DOM_POLICY_RESULT));
	if (ctx_write_str(ctx, t, DOM_PATH(path, a->domid, XS_DOM_POLICY_REQUEST), a->request)) {
		ctx_err("cannot write %s: nothing was written; check the store's log", path);
		return -1;
	}
	return 0;
}

/*
 * Wait for xmemd's answer to the request and say what it means. 0, or -1
 * when xmemd could not do it (error printed).
 */
static int mem_policy_answer(struct xmem_ctx *ctx, const struct mem_policy_arg *a)
{
	char path[CTX_PATH_LEN], res[CTX_PATH_LEN * 4], *admin;
	int waited;

	if (!model_xmemd_running(ctx)) {
		fprintf(stderr,
			"xmem: note: xmemd is not running: it will %s %s's policy when it "
			"starts\n",
			!strcmp(a->request, "save") ? "save" : "forget", a->dom);
		return 0;
	}
	for (waited = 0; waited < MEM_ANSWER_WAIT_MS; waited += 20) {
		if (!ctx_read_str(ctx, XBT_NULL, DOM_PATH(path, a->domid, XS_DOM_POLICY_REQUEST),
				  res, sizeof(res)))
			break;
		usleep(20 * 1000);
	}
	if (!ctx_read_str(ctx, XBT_NULL, DOM_PATH(path, a->domid, XS_DOM_POLICY_RESULT), res,
			  sizeof(res))) {
		fprintf(stderr,
			"xmem: note: xmemd has not answered yet: it will %s %s's policy "
			"when it gets to it\n",
			a->request, a->dom);
		return 0;
	}
	admin = strstr(res, "; admin ");
	if (admin)
		*admin = '\0';
	if (!strncmp(res, "failed: ", 8)) {
		ctx_err("%s's policy is in force but xmemd could not %s it: %s: check xmemd's "
			"state directory (state_dir in xmemd.json)",
			a->dom, a->request, res + 8);
		return -1;
	}
	if (!ctx->json)
		fprintf(ctx->out, "%s: policy %s\n", a->dom, res);
	if (admin)
		fprintf(stderr,
			"xmem: note: %s (configuration management) sets %s's policy when it next "
			"starts, over the saved one: change that file to make this change last\n",
			admin + 8, a->dom);
	return 0;
}

/* Check the policy as it will be and write the keys given. */
static int mem_policy_txn(struct xmem_ctx *ctx, xs_transaction_t t, void *varg)
{
	struct mem_policy_arg *a = varg;
	struct xmem_policy p = a->given;
	struct xmem_dom d;
	char path[CTX_PATH_LEN], msg[256];

	if (model_load(ctx, t, a->domid, &d))
		return -1;
	/* Check the policy as it will be: given values over stored ones over defaults. */
	if (p.min_kib == XMEM_UNSET)
		p.min_kib = model_min_kib(&d);
	if (p.max_kib == XMEM_UNSET)
		p.max_kib = model_max_kib(&d);
	if (p.startup_kib == XMEM_UNSET)
		p.startup_kib = d.startup_kib;
	if (a->hotplug >= 0)
		d.hotplug_policy = a->hotplug;
	/* A kernel that can hot-add may have its maximum raised past static-max. */
	p.static_max_kib = model_hotplug(&d) ? XMEM_UNSET : d.static_max_kib;
	if (parse_floor_check("min", a->given.min_kib, d.static_max_kib, msg, sizeof(msg)) ||
	    parse_floor_check("max", a->given.max_kib, d.static_max_kib, msg, sizeof(msg)) ||
	    parse_floor_check("startup", a->given.startup_kib, d.static_max_kib, msg,
			      sizeof(msg)) ||
	    parse_policy_check(&p, msg, sizeof(msg))) {
		ctx_err("domain %s: %s", a->dom, msg);
		return -1;
	}
	/* A minimum above what it holds is growth xmemd would owe it. */
	if (a->given.min_kib != XMEM_UNSET && d.current_kib != XMEM_UNSET &&
	    a->given.min_kib > d.current_kib) {
		snprintf(msg, sizeof(msg), "mem-policy %s --min", a->dom);
		if (hold_check_growth(ctx, msg, a->given.min_kib - d.current_kib))
			return -1;
	}
	if (a->hotplug >= 0 &&
	    mem_write(ctx, t, DOM_PATH(path, a->domid, XS_DOM_HOTPLUG), (uint64_t)a->hotplug))
		return -1;
	if (a->given.max_kib != XMEM_UNSET && d.static_max_kib != XMEM_UNSET &&
	    a->given.max_kib > d.static_max_kib &&
	    mem_set_static_max(ctx, t, a->dom, &d, a->given.max_kib))
		return -1;
	if (a->given.min_kib != XMEM_UNSET &&
	    mem_write(ctx, t, DOM_PATH(path, a->domid, XS_DOM_DYNAMIC_MIN), a->given.min_kib))
		return -1;
	if (a->given.max_kib != XMEM_UNSET &&
	    mem_write(ctx, t, DOM_PATH(path, a->domid, XS_DOM_DYNAMIC_MAX), a->given.max_kib))
		return -1;
	if (a->given.startup_kib != XMEM_UNSET &&
	    mem_write(ctx, t, DOM_PATH(path, a->domid, XS_DOM_STARTUP), a->given.startup_kib))
		return -1;
	if (a->given.weight != XMEM_UNSET &&
	    mem_write(ctx, t, DOM_PATH(path, a->domid, XS_DOM_WEIGHT), a->given.weight))
		return -1;
	if (a->given.buffer_pct != XMEM_UNSET &&
	    mem_write(ctx, t, DOM_PATH(path, a->domid, XS_DOM_BUFFER), a->given.buffer_pct))
		return -1;
	if (a->managed >= 0 &&
	    mem_write(ctx, t, DOM_PATH(path, a->domid, XS_DOM_MANAGED), (uint64_t)a->managed))
		return -1;
	if (a->balloon &&
	    ctx_write_str(ctx, t, DOM_PATH(path, a->domid, XS_DOM_BALLOON_MODE), a->balloon)) {
		ctx_err("cannot write %s: nothing was written; check the store's log", path);
		return -1;
	}
	return mem_policy_request(ctx, t, a);
}

/* --forget: only the request. */
static int mem_policy_forget_txn(struct xmem_ctx *ctx, xs_transaction_t t, void *varg)
{
	return mem_policy_request(ctx, t, varg);
}

static const struct option mem_policy_longopts[] = {
	{ "min", required_argument, NULL, 'i' },     { "max", required_argument, NULL, 'a' },
	{ "startup", required_argument, NULL, 's' }, { "weight", required_argument, NULL, 'w' },
	{ "buffer", required_argument, NULL, 'b' },  { "managed", required_argument, NULL, 'm' },
	{ "hotplug", required_argument, NULL, 'H' }, { "forget", no_argument, NULL, 'f' },
	{ "balloon", required_argument, NULL, 'B' }, { NULL, 0, NULL, 0 },
};

/* Parse one of mem-policy's changes (an option with a value) into a. Returns 0 or -1 (said). */
static int mem_policy_opt(struct mem_policy_arg *a, int opt, const char *arg)
{
	switch (opt) {
	case 'i':
		if (parse_size("--min", arg, &a->given.min_kib))
			return -1;
		break;
	case 'a':
		if (parse_size("--max", arg, &a->given.max_kib))
			return -1;
		break;
	case 's':
		if (parse_size("--startup", arg, &a->given.startup_kib))
			return -1;
		break;
	case 'w':
		if (parse_uint("--weight", arg, 0, XMEM_WEIGHT_MAX, &a->given.weight))
			return -1;
		break;
	case 'b':
		if (parse_uint("--buffer", arg, XMEM_BUFFER_MIN_PCT, XMEM_BUFFER_MAX_PCT,
			       &a->given.buffer_pct))
			return -1;
		break;
	case 'm':
		if (parse_switch("--managed", arg, &a->managed))
			return -1;
		break;
	case 'H':
		if (parse_switch("--hotplug", arg, &a->hotplug))
			return -1;
		break;
	case 'B':
		if (strcmp(arg, "yes") && strcmp(arg, "no") && strcmp(arg, "auto")) {
			ctx_err("--balloon: '%s' is not yes, no or auto: say whether the guest "
				"runs a balloon driver, or auto to let xmemd find out",
				arg);
			return -1;
		}
		a->balloon = arg;
		break;
	}
	return 0;
}

/*
 * Parse mem-policy's options into a (*changes_r counts the changes given).
 * Returns -1 to go on, or the exit status (help, a bad option).
 */
static int mem_policy_parse(int argc, char **argv, struct mem_policy_arg *a, int *changes_r)
{
	int opt, changes = 0;

	while ((opt = cmdtable_getopt(argc, argv, "", mem_policy_longopts, "mem-policy", 1)) !=
	       CMDOPT_END) {
		switch (opt) {
		case CMDOPT_HELP:
			return EXIT_SUCCESS;
		case CMDOPT_ERROR:
			return EXIT_FAILURE;
		case 'f':
			a->request = "forget";
			continue;
		}
		if (mem_policy_opt(a, opt, optarg))
			return EXIT_FAILURE;
		changes++;
	}
	if (a->request && changes) {
		ctx_err("--forget drops the saved policy and takes no other option: run it on its "
			"own");
		return EXIT_FAILURE;
	}
	if (changes)
		a->request = "save";
	if (cmdtable_max_args(argc, argv, "mem-policy", 1))
		return EXIT_FAILURE;
	a->dom = argv[optind];
	*changes_r = changes;
	return -1;
}

/* Print domid's policy as it is now, as text or JSON. Returns the exit status. */
static int mem_policy_show(struct xmem_ctx *ctx, uint32_t domid)
{
	struct xmem_dom d;

	if (model_load(ctx, XBT_NULL, domid, &d))
		return EXIT_FAILURE;
	if (!ctx->json) {
		fmt_policy(ctx->out, &d);
		return EXIT_SUCCESS;
	}
	if (fmt_policy_json(ctx->out, &d)) {
		ctx_err("cannot write JSON: check the output");
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int main_mem_policy(struct xmem_ctx *ctx, int argc, char **argv)
{
	struct mem_policy_arg a = {
		.given = { XMEM_UNSET, XMEM_UNSET, XMEM_UNSET, XMEM_UNSET, XMEM_UNSET, XMEM_UNSET },
		.managed = -1,
		.hotplug = -1,
	};
	int changes = 0, rc;

	rc = mem_policy_parse(argc, argv, &a, &changes);
	if (rc >= 0)
		return rc;
	if (!ctx_store(ctx) || model_lookup(ctx, a.dom, &a.domid))
		return EXIT_FAILURE;
	if (a.request && ctx_txn(ctx, !changes ? mem_policy_forget_txn : mem_policy_txn, &a))
		return EXIT_FAILURE;
	if (a.request && mem_policy_answer(ctx, &a))
		return EXIT_FAILURE;
	if (a.request && !ctx->json)
		return EXIT_SUCCESS;
	return mem_policy_show(ctx, a.domid);
}
