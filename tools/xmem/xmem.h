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
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <xenstore.h>

#define XMEM_UNSET UINT64_MAX /* a figure the host did not give */

/* Defaults of docs/architecture.md "Who manages a domain". */
#define XMEM_DEFAULT_WEIGHT	5000
#define XMEM_DEFAULT_BUFFER_PCT 20
#define XMEM_WEIGHT_MAX		10000
#define XMEM_BUFFER_MIN_PCT	5
#define XMEM_BUFFER_MAX_PCT	2000

/* libxl's constants (reference section 3.1). */
#define XMEM_MAXMEM_CONSTANT_KIB 1024
#define XMEM_MIN_DOM0_KIB	 (128 * 1024)

#define XMEM_NAME_LEN 64

struct hv;

/* Global state of one run: options and the lazily opened host. */
struct xmem_ctx {
	const char *host_dir; /* NULL: the real Xen host */
	int json;	      /* --json */
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
 * It adds -h/--help (prints the command's help, returns CMDOPT_HELP), reports
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

#endif
