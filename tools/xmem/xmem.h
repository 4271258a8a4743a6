/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem.h: the xl-style command line, shared declarations.
 *
 * Layout (as tools/xl): xmem.c parses the global options and dispatches
 * through the command table in xmem_cmdtable.c; one file per command group
 * (xmem_mem.c, xmem_list.c, xmem_info.c, xmem_top.c, xmem_reserve.c,
 * xmem_dom.c) holds the main_<command>() functions. Below them:
 *   xmem_ctx.c    the host connection (store, hypervisor), transactions
 *   xmem_model.c  domains and host figures loaded from the host
 *   xmem_fmt.c    tables and JSON documents (pure: FILE * in, text out)
 *   xmem_parse.c  arguments: sizes, numbers, switches, policy validation
 *
 * Every main_<command>() returns EXIT_SUCCESS or EXIT_FAILURE; a failure has
 * printed exactly one line on stderr naming the problem and the fix.
 */
#ifndef XMEM_CLI_H
#define XMEM_CLI_H

#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <xenstore.h>

#include "xenstore-schema/xs_schema.h"

#define XMEM_UNSET UINT64_MAX /* a figure the host did not give */

/* Defaults and limits of the key tree's weight and buffer (xenstore-schema/). */
#define XMEM_DEFAULT_WEIGHT	XS_DOM_WEIGHT_DEFAULT
#define XMEM_DEFAULT_BUFFER_PCT XS_DOM_BUFFER_DEFAULT
#define XMEM_WEIGHT_MAX		XS_DOM_WEIGHT_MAX
#define XMEM_BUFFER_MIN_PCT	XS_DOM_BUFFER_MIN
#define XMEM_BUFFER_MAX_PCT	XS_DOM_BUFFER_MAX

/*
 * libxl's constants: maxmem is target + videoram + LIBXL_MAXMEM_CONSTANT, and
 * xl refuses to balloon dom0 below 128 MiB (LIBXL_MIN_DOM0_MEM).
 */
#define XMEM_MAXMEM_CONSTANT_KIB XS_MAXMEM_SLACK_KIB
#define XMEM_MIN_DOM0_KIB	 (128 * 1024)

/*
 * The smallest target, dynamic-min, dynamic-max or startup xmem sets for a
 * guest: libxl's floor for dom0 (LIBXL_MIN_DOM0_MEM, 128 MiB), the only
 * floor libxl or xl enforce (xl(1): no good way to know in advance how small
 * a mem-set makes a domain crash; Linux's balloon driver refuses nothing),
 * or the guest's static-max when that is smaller (a guest built smaller is
 * not made larger).
 */
#define XMEM_MIN_GUEST_KIB (128 * 1024)

#define XMEM_NAME_LEN 64

struct hv;

/* Global state of one run: options and the lazily opened host. */
struct xmem_ctx {
	const char *host_dir;	 /* NULL: the real Xen host */
	int json;		 /* --json */
	char host_abs[PATH_MAX]; /* host_dir made absolute (ctx_set_host) */
	struct xs_handle *xsh;
	struct hv *hv;
	int hv_failed; /* opening the hypervisor failed once: do not retry */
	FILE *out;     /* stdout; tests point it elsewhere */
};

/* One row of the command table (as xl's struct cmd_spec). */
struct cmd_spec {
	const char *name;
	int (*fn)(struct xmem_ctx *ctx, int argc, char **argv);
	int modifies; /* changes the host */
	const char *desc;
	const char *usage;   /* arguments after the command name */
	const char *options; /* one option per line, "-x, --long ARG\tmeaning" */
};

/* xmem_cmdtable.c */
extern const struct cmd_spec cmd_table[];
extern const size_t cmd_table_len;

#define CMDTABLE_AMBIGUOUS ((const struct cmd_spec *)-1)

/* The command named s: an exact name, else the one command s is a prefix of;
 * NULL when none, CMDTABLE_AMBIGUOUS when several. */
const struct cmd_spec *cmdtable_lookup(const char *s);

/* Report a failed lookup of s (cmd: NULL or CMDTABLE_AMBIGUOUS), naming the candidates. */
void cmdtable_report(const char *s, const struct cmd_spec *cmd);

/*
 * The run whose global options (--json, --host DIR) cmdtable_getopt() takes
 * when they follow the command, as xl users type them ("xmem list --json").
 * main() binds its context once, before dispatching; unbound, the two are
 * unknown options.
 */
void cmdtable_bind(struct xmem_ctx *ctx);

/* Print the list of commands (cmd NULL) or one command's help. */
void cmdtable_help(FILE *f, const struct cmd_spec *cmd);

/* Print a bash completion script generated from the table. */
void cmdtable_completion(FILE *f);

/*
 * The option helper of every command (xl's SWITCH_FOREACH_OPT, as a function
 * so the caller's control flow stays visible):
 *
 *	while ((opt = cmdtable_getopt(argc, argv, "w:", longopts, "cmd", 1)) != CMDOPT_END) {
 *		switch (opt) {
 *		case CMDOPT_HELP: return EXIT_SUCCESS;
 *		case CMDOPT_ERROR: return EXIT_FAILURE;
 *		case 'w': ...
 *		}
 *	}
 *	then argv[optind] is the first positional argument.
 *
 * It adds -h/--help (prints the command's help, returns CMDOPT_HELP), takes
 * the global --json and --host DIR into the bound context (cmdtable_bind)
 * without returning them, reports
 * unknown options and fewer than nreq positional arguments (one line on
 * stderr, returns CMDOPT_ERROR). longopts may be NULL.
 */
#define CMDOPT_END   (-1)
#define CMDOPT_HELP  (-2)
#define CMDOPT_ERROR (-3)
int cmdtable_getopt(int argc, char **argv, const char *opts, const struct option *longopts,
		    const char *cmdname, int nreq);

/* Refuse positional arguments beyond max (one line on stderr). Returns 0 or -1. */
int cmdtable_max_args(int argc, char **argv, const char *cmdname, int max);

/* The commands. */
int main_help(struct xmem_ctx *ctx, int argc, char **argv);
int main_list(struct xmem_ctx *ctx, int argc, char **argv);
int main_mem_set(struct xmem_ctx *ctx, int argc, char **argv);
int main_mem_max(struct xmem_ctx *ctx, int argc, char **argv);
int main_mem_policy(struct xmem_ctx *ctx, int argc, char **argv);
int main_info(struct xmem_ctx *ctx, int argc, char **argv);
int main_top(struct xmem_ctx *ctx, int argc, char **argv);
int main_reserve(struct xmem_ctx *ctx, int argc, char **argv);
int main_reservations(struct xmem_ctx *ctx, int argc, char **argv);
int main_release(struct xmem_ctx *ctx, int argc, char **argv);
int main_create(struct xmem_ctx *ctx, int argc, char **argv);
int main_destroy(struct xmem_ctx *ctx, int argc, char **argv);

/* xmem_ctx.c: the host. */

/* Print "xmem: <problem>: <fix>" on stderr (one line). */
void ctx_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Open the key tree (once); on failure print why and how to fix it, return NULL. */
struct xs_handle *ctx_store(struct xmem_ctx *ctx);

/* Open the hypervisor (once); quiet != 0 prints nothing on failure. */
struct hv *ctx_hv(struct xmem_ctx *ctx, int quiet);

/* Close everything opened. */
void ctx_close(struct xmem_ctx *ctx);

/*
 * Choose the host: arg (--host), else $XMEM_HOST, else the real Xen host;
 * made absolute when it exists (guest processes change directory). Call it
 * before the host is opened; a later call replaces the choice. An empty arg
 * prints an error and returns -1; else 0.
 */
int ctx_set_host(struct xmem_ctx *ctx, const char *arg);

/*
 * Run fn inside one transaction, retried on EAGAIN (as libxl). fn returns 0
 * to commit, or non-zero to abort (having printed its error); that value is
 * returned. A transaction that cannot start or commit prints an error and
 * returns -1.
 */
typedef int ctx_txn_fn(struct xmem_ctx *ctx, xs_transaction_t t, void *arg);
int ctx_txn(struct xmem_ctx *ctx, ctx_txn_fn *fn, void *arg);

/* Read path as KiB/a decimal (XMEM_UNSET when absent or not a number). */
uint64_t ctx_read_u64(struct xmem_ctx *ctx, xs_transaction_t t, const char *path);

/* Read path into buf (empty when absent). Returns 1 when present. */
int ctx_read_str(struct xmem_ctx *ctx, xs_transaction_t t, const char *path, char *buf, size_t len);

/* Write a decimal. Returns 0, or -1 with errno. */
int ctx_write_u64(struct xmem_ctx *ctx, xs_transaction_t t, const char *path, uint64_t val);
int ctx_write_str(struct xmem_ctx *ctx, xs_transaction_t t, const char *path, const char *val);

/* snprintf a path; fatal on truncation (paths are short and built from our own parts). */
char *ctx_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define CTX_PATH_LEN 256

/* xmem_model.c: what the host says. */

struct xmem_dom {
	uint32_t domid;
	char name[XMEM_NAME_LEN];
	int in_hv;		  /* the hypervisor knows it */
	uint64_t current_kib;	  /* (tot_pages + outstanding) x 4, as xl list; UNSET without hv */
	uint64_t hv_max_kib;	  /* the hypervisor's cap */
	uint64_t target_kib;	  /* memory/target */
	uint64_t static_max_kib;  /* memory/static-max */
	uint64_t boot_max_kib;	  /* xmem/boot-max, else static-max: the boot size */
	int has_boot_max;	  /* xmem/boot-max is written (the boot size is kept) */
	int hotplug_policy;	  /* memory/hotplug: 1, 0, or -1 when absent */
	int hotplug_report;	  /* data/xmem/hotplug: 1, 0, or -1 when absent */
	uint64_t videoram_kib;	  /* memory/videoram, 0 when absent */
	uint64_t dynamic_min_kib; /* memory/dynamic-min (UNSET: absent) */
	uint64_t dynamic_max_kib;
	uint64_t startup_kib;
	uint64_t weight; /* UNSET: absent, XMEM_DEFAULT_WEIGHT applies */
	uint64_t buffer_pct;
	int managed;
	int uncooperative;
	uint64_t demand_kib;   /* xmemd's figure, else the guest's used_kib */
	uint64_t pressure_pct; /* xmemd's figure, else the guest's PSI some avg10 */
	int feature_balloon;   /* control/feature-balloon = 1 */
	char balloon_state[16];
	uint64_t balloon_current_kib;
	char state[16]; /* ok, ballooning, uncooperative, no-balloon, unmanaged */
	/* xmem-guestd, xe-guest-utilities, qubes, none: xmemd's, else what the keys show */
	char demand_source[24];
	uint64_t demand_age_s; /* since xmemd saw that report change; UNSET: not known */
	char balloon_mode[8];  /* memory/balloon: yes, no, auto (the default) */
	char balloon[16];      /* xmemd's judgement: yes, no, probing, unknown; "" unpublished */
};

/* Effective policy values (defaults of docs/architecture.md applied). */
uint64_t model_min_kib(const struct xmem_dom *d);
uint64_t model_max_kib(const struct xmem_dom *d);
uint64_t model_weight(const struct xmem_dom *d);
uint64_t model_buffer_pct(const struct xmem_dom *d);

/*
 * Whether the domain's kernel can hot-add memory, so its maximum may be
 * raised past its boot size: memory/hotplug when set, else what the guest
 * reports (data/xmem/hotplug), else no.
 */
int model_hotplug(const struct xmem_dom *d);

/* The demand source when xmemd has not published one: the richest report present. */
const char *model_derive_source(struct xmem_ctx *ctx, xs_transaction_t t, uint32_t domid);

/* The state column when xmemd has not published one. */
const char *model_derive_state(const struct xmem_dom *d);

/*
 * Resolve a domain by name or id (digits). Returns 0 and *domid_r, or -1
 * after printing "unknown domain" with the fix.
 */
int model_lookup(struct xmem_ctx *ctx, const char *s, uint32_t *domid_r);

/* Load one domain (inside t, or XBT_NULL). Returns 0 or -1 (error printed). */
int model_load(struct xmem_ctx *ctx, xs_transaction_t t, uint32_t domid, struct xmem_dom *d);

/* Load every domain the store or the hypervisor knows, sorted by domid. *doms_r is malloc'd. */
int model_load_all(struct xmem_ctx *ctx, struct xmem_dom **doms_r, size_t *nr_r);

struct xmem_hostinfo {
	int have_hv;
	uint64_t total_kib;
	uint64_t free_kib; /* free minus claims, as xl info's free_memory */
	uint64_t claimed_kib;
	uint64_t reserved_kib;
	uint64_t floor_kib;
	char xmemd_state[32]; /* running, stopped, not running, dead */
	uint64_t xmemd_pid;
	char xmemd_policy[64];
	uint64_t last_rebalance_ms; /* UNSET: never */
	size_t nr_domains;
	size_t nr_managed;
	uint64_t sum_target_kib;
	uint64_t sum_demand_kib;
	uint64_t reclaimed_kib; /* sum over domUs of static-max - current */
};

/* Host figures and totals over doms. Returns 0 or -1 (error printed). */
int model_hostinfo(struct xmem_ctx *ctx, const struct xmem_dom *doms, size_t nr,
		   struct xmem_hostinfo *hi);

/* 1 when xmemd is running (its state key says so and its pid is alive). */
int model_xmemd_running(struct xmem_ctx *ctx);

struct xmem_resv {
	char id[64];
	uint64_t size_kib;
	char state[16];
	uint64_t granted_kib;
	char for_dom[XMEM_NAME_LEN];
	uint64_t expires;
	uint64_t domid;
	char reason[256];
};

/* Load every reservation. *resv_r is malloc'd. Returns 0 or -1. */
int model_load_reservations(struct xmem_ctx *ctx, struct xmem_resv **resv_r, size_t *nr_r);

/* xmem_reserve.c: the reservation protocol for other commands. */

/*
 * Ask xmemd for size_kib (for_dom: the name it is for, or NULL) and wait up
 * to wait_s, with progress on a terminal. 1 granted (id in id_r), 0 failed
 * (xmemd's reason in reason), -1 not answered or interrupted (error
 * printed). Anything but granted leaves no node behind.
 */
int resv_request(struct xmem_ctx *ctx, uint64_t size_kib, const char *for_dom, uint64_t wait_s,
		 char *id_r, size_t id_len, char *reason, size_t reason_len);

/* Remove reservation id if it is still there. 0, or -1 (error printed). */
int resv_drop(struct xmem_ctx *ctx, const char *id);

/* xmem_startup.c: a VM starts at its startup size (Hyper-V's start above minimum). */

/*
 * Have xmemd free size_kib for VM name, squeezing others toward their
 * minimums, and hold it (reservation id in id_r). 0, or -1 after one line
 * saying how much is missing and which minimums hold it.
 */
int startup_obtain(struct xmem_ctx *ctx, const char *name, uint64_t size_kib, char *id_r,
		   size_t id_len);

/* xmem_xlcfg.c: what xmem reads of an xl domain configuration. */

struct xlcfg {
	char name[XMEM_NAME_LEN];
	uint64_t memory_kib; /* 0: not set */
	uint64_t maxmem_kib; /* 0: not set (xl: memory) */
};

/* Parse xl config text into c. 0, or -1 with "line N: ..." in err. */
int xlcfg_parse(const char *text, struct xlcfg *c, char *err, size_t err_len);

/* Read and parse the file path. 0, or -1 with a message naming the file in err. */
int xlcfg_load(const char *path, struct xlcfg *c, char *err, size_t err_len);

/* Set key from a value in xl's syntax (other keys are ignored). 0 or -1 (bad value). */
int xlcfg_set(struct xlcfg *c, const char *key, const char *value);

/* xmem_xlcreate.c: create and destroy on a real Xen host, around xl. */

/* The steps of create, in order; a failure rolls back those before it. */
enum xlcreate_step {
	XLCREATE_OK = 0,
	XLCREATE_RESERVE,   /* xmemd frees and holds the startup memory */
	XLCREATE_XL_CREATE, /* xl create -p CONFIG [xl options] */
	XLCREATE_DOMID,	    /* xl domid NAME */
	XLCREATE_ASSIGN,    /* the reservation's domid = the new domain */
	XLCREATE_POLICY,    /* xmemd has applied the VM's policy (memory/policy-source) */
	XLCREATE_UNPAUSE,   /* xl unpause */
};

/* Each step: 0 or -1. destroy and release are the rollback. */
struct xlcreate_ops {
	int (*reserve)(void *arg, const char *name, uint64_t size_kib, char *id_r, size_t len);
	int (*xl_create)(void *arg, char *const *xl_argv);
	int (*domid)(void *arg, const char *name, uint32_t *domid_r);
	int (*assign)(void *arg, const char *resv_id, uint32_t domid);
	int (*wait_policy)(void *arg, uint32_t domid, char *source_r, size_t len);
	int (*unpause)(void *arg, uint32_t domid);
	int (*destroy)(void *arg, const char *dom);
	int (*release)(void *arg, const char *resv_id);
};

struct xlcreate_plan {
	char name[XMEM_NAME_LEN];
	uint64_t startup_kib;
	uint64_t need_kib; /* asked of xmemd: startup plus libxl's overhead */
	char **xl_argv;	   /* "xl", "create", "-p", CONFIG, options..., NULL */
	/* Filled by the steps. */
	char resv_id[64];
	uint32_t domid;
	char source[300]; /* memory/policy-source as xmemd wrote it */
};

/*
 * Run the steps with ops; on a failure undo the earlier ones (destroy the
 * domain once xl create succeeded, release the reservation once granted)
 * and write one line naming the cause and what was undone into err.
 * Returns XLCREATE_OK or the step that failed.
 */
enum xlcreate_step xlcreate_run(const struct xlcreate_ops *ops, void *arg, struct xlcreate_plan *p,
				char *err, size_t err_len);

/* What a failed step means, for messages. */
const char *xlcreate_step_name(enum xlcreate_step s);

/* create and destroy on a real host (argv as main_create's). */
int xlcreate_main(struct xmem_ctx *ctx, int argc, char **argv);
int xlcreate_destroy(struct xmem_ctx *ctx, const char *dom);

/* xmem_hold.c: memory held for granted reservations. */

/*
 * May a domain grow by growth_kib now (what: "mem-set web1 2048 MiB", for the
 * message)? 0, or -1 when that would take memory held for a granted
 * reservation (error printed).
 */
int hold_check_growth(struct xmem_ctx *ctx, const char *what, uint64_t growth_kib);

/* xmem_fmt.c: output. */

/* Sizes in whole MiB as xl prints them, or "-" for XMEM_UNSET. Returns buf. */
char *fmt_mib(uint64_t kib, char *buf, size_t len);

/* The list table: header, then one row per domain. Returns 0 or a negative XMEM_ERR_*. */
int fmt_list_table(FILE *f, const struct xmem_dom *doms, size_t nr);
/* The list as a JSON array (pretty). Returns 0 or a negative XMEM_ERR_*. */
int fmt_list_json(FILE *f, const struct xmem_dom *doms, size_t nr);

/* One domain's policy (mem-policy without options). */
void fmt_policy(FILE *f, const struct xmem_dom *d);
int fmt_policy_json(FILE *f, const struct xmem_dom *d);

/* info; now_ms is the wall clock, for "N s ago". */
void fmt_info(FILE *f, const struct xmem_hostinfo *hi, uint64_t now_ms);
int fmt_info_json(FILE *f, const struct xmem_hostinfo *hi);

/* reservations; the table returns 0 or a negative XMEM_ERR_*. */
int fmt_resv_table(FILE *f, const struct xmem_resv *r, size_t nr);
int fmt_resv_json(FILE *f, const struct xmem_resv *r, size_t nr);

/* A text progress bar of width cells for done/total, e.g. "[#####.....]". */
char *fmt_bar(uint64_t done, uint64_t total, unsigned int width, char *buf, size_t len);

/* xmem_parse.c: arguments. */

/* A size with xl's rules (bare = MiB). Prints the error naming what. Returns 0 or -1. */
int parse_size(const char *what, const char *s, uint64_t *kib_r);

/* A decimal in [min, max]. Prints the error naming what. Returns 0 or -1. */
int parse_uint(const char *what, const char *s, uint64_t min, uint64_t max, uint64_t *val_r);

/* on|off|1|0|yes|no. Returns 0 or -1 (error printed). */
int parse_switch(const char *what, const char *s, int *val_r);

/* A reservation id: 1..63 characters of [A-Za-z0-9_-]. */
int parse_resv_id_ok(const char *s);

/* A domain name as a key-tree value: 1..63 printable characters, no '/'. */
int parse_name_ok(const char *s);

/*
 * A policy, checked as mem-policy does: min <= startup <= max <= static_max
 * (values XMEM_UNSET are skipped), weight <= 10000, buffer 5..2000. On a
 * violation, writes a one-line message naming the problem and the fix into
 * msg and returns -1.
 */
struct xmem_policy {
	uint64_t min_kib;
	uint64_t max_kib;
	uint64_t startup_kib;
	uint64_t static_max_kib;
	uint64_t weight;
	uint64_t buffer_pct;
};
int parse_policy_check(const struct xmem_policy *p, char *msg, size_t len);
/* The floor of a guest whose static-max is static_max_kib (XMEM_UNSET: unknown). */
uint64_t parse_floor_kib(uint64_t static_max_kib);
/*
 * Refuse, with the reason in msg, a size (named what) below the floor of a
 * guest whose static-max is static_max_kib. 0 or -1.
 */
int parse_floor_check(const char *what, uint64_t size_kib, uint64_t static_max_kib, char *msg,
		      size_t len);

#endif
