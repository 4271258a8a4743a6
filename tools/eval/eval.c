/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * eval.c: xmem-eval, replay demand traces through the policy, offline.
 *
 *   xmem-eval --trace FILE (--host-memory SIZE | --sweep F1,F2,...)
 *             [--policy FILE ...] [--vms N] [--reaction SECONDS]
 *             [--period SECONDS] [--min-pct P] [--balloon-rate SIZE/s]
 *             [--plots DIR] [--json] [--no-feedback]
 *
 * Each policy (by default static, proportional, hyperv, spread and xmem, with their
 * built-in parameters, which are those of policy/<kind>.json) is replayed
 * through the same policy code xmemd runs, on the guest model of sim.c,
 * followed by the oracle bound. The guest model is documented at the top of
 * sim.c and in xmem-eval(1). --sweep does the same on several host sizes
 * (sweep.c).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "plot.h"
#include "policy/policy.h"
#include "sim.h"
#include "sweep.h"
#include "size.h"
#include "table.h"
#include "trace.h"
#include "xmem_err.h"

#define EVAL_MAX_POLICIES 16
#define EVAL_ERR_LEN	  512

static void eval_usage(FILE *f)
{
	fprintf(f,
		"usage: xmem-eval --trace FILE (--host-memory SIZE | --sweep F1,F2,...)\n"
		"                 [--policy FILE ...] [--vms N] [--reaction SECONDS]\n"
		"                 [--period SECONDS] [--min-pct P] [--balloon-rate SIZE/s]\n"
		"                 [--plots DIR] [--json] [--no-feedback]\n"
		"Replay a memory trace (vm_id,t_seconds,mem_used_kib,mem_provisioned_kib; gzip\n"
		"accepted) through allocation policies on a simulated host, and score them.\n"
		"  --trace FILE          the trace\n"
		"  --host-memory SIZE    memory the VMs share (e.g. 44G)\n"
		"  --sweep F1,F2,...     instead, hosts of F x the trace's peak summed demand\n"
		"                        (e.g. 1.0,1.1,1.3,1.6,2.2): pressure and shortfall\n"
		"                        per policy against host size\n"
		"  --policy FILE         a policy file (repeatable; default: static, "
		"proportional,\n"
		"                        hyperv, spread and xmem with their built-in "
		"parameters)\n"
		"  --vms N               only the first N VMs of the trace\n"
		"  --reaction SECONDS    the daemon sees demand this late (default 1)\n"
		"  --period SECONDS      re-plan at least this often (default 60)\n"
		"  --min-pct P           dynamic-min in percent of provisioned memory (default 5)\n"
		"  --balloon-rate SIZE/s balloon speed (default 256M/s)\n"
		"  --plots DIR           write hourly CSV and PNG/SVG plots (gnuplot) to DIR\n"
		"                        (with --sweep: the curves against host size)\n"
		"  --json                print the scores as JSON\n"
		"  --no-feedback         do not feed desired sizes back into the next plan\n"
		"  -h, --help            this help\n"
		"Sizes take xl's suffixes (K, M, G, T); a bare number is MiB.\n");
}

/* Parse a whole unsigned number within [min, max]. */
static int eval_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *val_r)
{
	char *end = NULL;
	unsigned long long v;

	if (!*s || *s == '-')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end || v < min || v > max)
		return -1;
	*val_r = v;
	return 0;
}

/* A rate: a size with an optional "/s". */
static int eval_parse_rate(const char *s, uint64_t *kib_s_r)
{
	char buf[64];
	size_t len = strlen(s);

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len + 1);
	if (len > 2 && !strcmp(buf + len - 2, "/s"))
		buf[len - 2] = '\0';
	if (size_parse_kib(buf, kib_s_r) || *kib_s_r == 0)
		return -1;
	return 0;
}

static int eval_print_text(const char *trace_path, const struct sim *s,
			   const struct sim_result *res, size_t nr)
{
	static const struct table_col cols[] = {
		{ "policy", 16, TABLE_LEFT },	{ "shortfall", 14, TABLE_RIGHT },
		{ "pressure", 9, TABLE_RIGHT }, { "mean", 9, TABLE_RIGHT },
		{ "peak", 9, TABLE_RIGHT },	{ "moved", 10, TABLE_RIGHT },
		{ "target", 14, TABLE_RIGHT },
	};
	char host[SIZE_FMT_LEN], rate[SIZE_FMT_LEN];
	struct table *t;
	size_t k;

	printf("trace %s: %zu VMs, %.1f hours; demand mean %.2f GiB, peak %.2f GiB; "
	       "provisioned %.1f GiB\n",
	       trace_path, s->n, (double)(s->t1_s - s->t0_s) / 3600.0, s->demand_mean_gib,
	       s->demand_peak_gib, (double)s->provisioned_kib / 1048576.0);
	printf("host %s, min %u%%, reaction %llu s, period %llu s, balloon %s/s\n\n",
	       size_format(s->p.host_kib, host, sizeof(host)), s->p.min_pct,
	       (unsigned long long)s->p.reaction_s, (unsigned long long)s->p.period_s,
	       size_format(s->p.balloon_kib_s, rate, sizeof(rate)));
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	/* The heading's second line: units. */
	table_cell(t, "%s", "");
	table_cell(t, "GiB-h");
	table_cell(t, "VM-time");
	table_cell(t, "GiB");
	table_cell(t, "GiB");
	table_cell(t, "GiB");
	table_cell(t, "changes");
	for (k = 0; k < nr; k++) {
		table_cell(t, "%s", res[k].name);
		table_cell(t, "%.3f", res[k].shortfall_gib_h);
		table_cell(t, "%.3f%%", res[k].pressure_share * 100);
		table_cell(t, "%.2f", res[k].mean_alloc_gib);
		table_cell(t, "%.2f", res[k].peak_alloc_gib);
		table_cell(t, "%.1f", res[k].moved_gib);
		table_cell(t, "%llu", (unsigned long long)res[k].target_changes);
	}
	return table_print_free(t, stdout);
}

static int eval_print_json(const char *trace_path, const struct sim *s,
			   const struct sim_result *res, size_t nr)
{
	struct json_out *out = json_out_new(1);
	size_t k;
	int rc;

	if (!out)
		return XMEM_ERR_NOMEM;
	json_out_obj_open(out);
	json_out_kv_str(out, "trace", trace_path);
	json_out_kv_u64(out, "vms", s->n);
	json_out_kv_double(out, "hours", (double)(s->t1_s - s->t0_s) / 3600.0);
	json_out_kv_double(out, "host_memory_gib", (double)s->p.host_kib / 1048576.0);
	json_out_kv_u64(out, "min_pct", s->p.min_pct);
	json_out_kv_u64(out, "reaction_s", s->p.reaction_s);
	json_out_kv_u64(out, "period_s", s->p.period_s);
	json_out_kv_double(out, "balloon_rate_mib_s", (double)s->p.balloon_kib_s / 1024.0);
	json_out_kv_double(out, "demand_mean_gib", s->demand_mean_gib);
	json_out_kv_double(out, "demand_peak_gib", s->demand_peak_gib);
	json_out_kv_double(out, "provisioned_gib", (double)s->provisioned_kib / 1048576.0);
	json_out_key(out, "policies");
	json_out_arr_open(out);
	for (k = 0; k < nr; k++) {
		json_out_obj_open(out);
		json_out_kv_str(out, "policy", res[k].name);
		json_out_kv_double(out, "shortfall_gib_h", res[k].shortfall_gib_h);
		json_out_kv_double(out, "pressure_share", res[k].pressure_share);
		json_out_kv_double(out, "mean_alloc_gib", res[k].mean_alloc_gib);
		json_out_kv_double(out, "peak_alloc_gib", res[k].peak_alloc_gib);
		json_out_kv_double(out, "moved_gib", res[k].moved_gib);
		json_out_kv_u64(out, "target_changes", res[k].target_changes);
		json_out_kv_u64(out, "plans", res[k].plans);
		json_out_obj_close(out);
	}
	json_out_arr_close(out);
	json_out_obj_close(out);
	rc = json_out_print(out, stdout);
	json_out_free(out);
	return rc;
}

/* --sweep: every policy at each factor of the peak demand; report and plot. */
static int eval_sweep(const char *trace_path, const struct trace *trace, const struct sim_params *p,
		      const struct policy *pols, size_t nr_pols, const double *factors,
		      size_t nr_factors, int json, const char *plots)
{
	static struct sweep sw; /* large: not on the stack */
	char err[EVAL_ERR_LEN];
	int rc;

	rc = sweep_run(&sw, trace, p, pols, nr_pols, factors, nr_factors, err, sizeof(err));
	if (rc) {
		log_warnx("%s", err);
		return rc;
	}
	rc = json ? sweep_print_json(trace_path, &sw) : sweep_print_text(trace_path, &sw);
	if (rc)
		log_warnx("cannot write the %s", json ? "JSON output" : "table");
	else if (plots && (rc = plot_sweep_write(plots, &sw, err, sizeof(err))))
		log_warnx("%s", err);
	sweep_free(&sw);
	return rc;
}

/* What the command line asks for. */
struct eval_args {
	struct policy pols[EVAL_MAX_POLICIES];
	size_t nr_pols;
	struct sim_params p;
	const char *trace_path, *plots;
	double factors[SWEEP_MAX_POINTS];
	size_t nr_factors;
	int json, have_host;
};

static const struct option eval_longopts[] = {
	{ "trace", required_argument, NULL, 't' },
	{ "host-memory", required_argument, NULL, 'm' },
	{ "sweep", required_argument, NULL, 'S' },
	{ "policy", required_argument, NULL, 'p' },
	{ "vms", required_argument, NULL, 'n' },
	{ "reaction", required_argument, NULL, 'r' },
	{ "period", required_argument, NULL, 'P' },
	{ "min-pct", required_argument, NULL, 'M' },
	{ "balloon-rate", required_argument, NULL, 'b' },
	{ "plots", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, 'j' },
	{ "no-feedback", no_argument, NULL, 'F' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parse one option of the guest and daemon model into p. Returns 0, or 2 (usage). */
static int eval_parse_model(struct sim_params *p, int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case 'n':
		if (eval_parse_uint(arg, 1, 1000000, &v)) {
			log_warnx("--vms: expected a number from 1 to 1000000: %s", arg);
			return 2;
		}
		p->nr_vms = (size_t)v;
		break;
	case 'r':
		if (eval_parse_uint(arg, 0, 86400, &p->reaction_s)) {
			log_warnx("--reaction: expected seconds from 0 to 86400: %s", arg);
			return 2;
		}
		break;
	case 'P':
		if (eval_parse_uint(arg, 1, 86400, &p->period_s)) {
			log_warnx("--period: expected seconds from 1 to 86400: %s", arg);
			return 2;
		}
		break;
	case 'M':
		if (eval_parse_uint(arg, 0, 100, &v)) {
			log_warnx("--min-pct: expected a percentage from 0 to 100: %s", arg);
			return 2;
		}
		p->min_pct = (unsigned int)v;
		break;
	case 'b':
		if (eval_parse_rate(arg, &p->balloon_kib_s)) {
			log_warnx("--balloon-rate: expected a size per second (e.g. "
				  "256M/s): %s",
				  arg);
			return 2;
		}
		break;
	}
	return 0;
}

/* Parse one option into a. Returns -1 to go on, or the exit status (help, usage). */
static int eval_parse_opt(struct eval_args *a, int opt, const char *arg)
{
	char err[EVAL_ERR_LEN];

	switch (opt) {
	case 't':
		a->trace_path = arg;
		break;
	case 'm':
		if (size_parse_kib(arg, &a->p.host_kib) || a->p.host_kib == 0) {
			log_warnx("--host-memory: not a size: %s", arg);
			return 2;
		}
		a->have_host = 1;
		break;
	case 'S':
		if (sweep_parse(arg, a->factors, &a->nr_factors, err, sizeof(err))) {
			log_warnx("%s", err);
			return 2;
		}
		break;
	case 'p':
		if (a->nr_pols == EVAL_MAX_POLICIES) {
			log_warnx("--policy: at most %d policies", EVAL_MAX_POLICIES);
			return 2;
		}
		if (policy_load_file(arg, &a->pols[a->nr_pols], err, sizeof(err))) {
			log_warnx("%s", err);
			return 2;
		}
		a->nr_pols++;
		break;
	case 'n':
	case 'r':
	case 'P':
	case 'M':
	case 'b':
		return eval_parse_model(&a->p, opt, arg) ? 2 : -1;
	case 'o':
		a->plots = arg;
		break;
	case 'j':
		a->json = 1;
		break;
	case 'F':
		a->p.no_feedback = 1;
		break;
	case 'h':
		eval_usage(stdout);
		return 0;
	default:
		eval_usage(stderr);
		return 2;
	}
	return -1;
}

/*
 * Parse argv into a, with the model's defaults and, when no --policy is given,
 * the built-in policies. Returns -1 to go on, or the exit status (help, usage).
 */
static int eval_parse(int argc, char **argv, struct eval_args *a)
{
	static const enum policy_kind default_kinds[] = { POLICY_STATIC, POLICY_PROPORTIONAL,
							  POLICY_HYPERV, POLICY_SPREAD,
							  POLICY_XMEM };
	size_t k;
	int opt, rc;

	a->p.min_pct = 5;
	a->p.reaction_s = 1;
	a->p.period_s = 60;
	a->p.balloon_kib_s = 256 * 1024;
	while ((opt = getopt_long(argc, argv, "h", eval_longopts, NULL)) != -1) {
		rc = eval_parse_opt(a, opt, optarg);
		if (rc >= 0)
			return rc;
	}
	if (optind < argc) {
		log_warnx("unexpected argument: %s", argv[optind]);
		return 2;
	}
	if (!a->trace_path || (!a->have_host && !a->nr_factors)) {
		log_warnx("--trace and --host-memory (or --sweep) are required (see --help)");
		return 2;
	}
	if (a->have_host && a->nr_factors) {
		log_warnx("--host-memory and --sweep exclude each other");
		return 2;
	}
	if (a->nr_pols == 0) {
		for (k = 0; k < sizeof(default_kinds) / sizeof(default_kinds[0]); k++)
			policy_defaults(&a->pols[a->nr_pols++], default_kinds[k]);
	}
	return -1;
}

/* --host-memory: every policy and the oracle on one host; report and plot. Returns 0 or 1. */
static int eval_replay(const struct eval_args *a, const struct trace *trace)
{
	struct sim_result res[EVAL_MAX_POLICIES + 1];
	struct sim sim;
	char err[EVAL_ERR_LEN];
	size_t nr_res = 0, k;
	int sim_ok = 0, status = 1;

	memset(&sim, 0, sizeof(sim));
	memset(res, 0, sizeof(res));
	if (sim_init(&sim, trace, &a->p, err, sizeof(err))) {
		log_warnx("%s", err);
		goto out;
	}
	sim_ok = 1;
	for (k = 0; k <= a->nr_pols; k++) {
		if (sim_run(&sim, k < a->nr_pols ? &a->pols[k] : NULL, &res[k], err, sizeof(err))) {
			log_warnx("%s", err);
			goto out;
		}
		nr_res++;
	}
	if (a->json) {
		if (eval_print_json(a->trace_path, &sim, res, nr_res)) {
			log_warnx("cannot write the JSON output");
			goto out;
		}
	} else if (eval_print_text(a->trace_path, &sim, res, nr_res)) {
		log_warnx("cannot write the table");
		goto out;
	}
	if (a->plots && plot_write(a->plots, &sim, res, nr_res, err, sizeof(err))) {
		log_warnx("%s", err);
		goto out;
	}
	status = 0;
out:
	for (k = 0; k < nr_res; k++)
		sim_result_free(&res[k]);
	if (sim_ok)
		sim_free(&sim);
	return status;
}

int main(int argc, char **argv)
{
	struct eval_args a;
	struct trace *trace = NULL;
	char err[EVAL_ERR_LEN];
	int rc, status = 1;

	memset(&a, 0, sizeof(a));
	log_init("xmem-eval", LOG_TO_CLI, 0);
	rc = eval_parse(argc, argv, &a);
	if (rc >= 0)
		return rc;

	/* Files we will write are checked before the replay, not after it. */
	if (a.plots && plot_check_dir(a.plots, err, sizeof(err))) {
		log_warnx("%s", err);
		goto out;
	}
	rc = trace_load(a.trace_path, NULL, &trace, err, sizeof(err));
	if (rc) {
		log_warnx("%s", err);
		goto out;
	}
	if (a.nr_factors)
		rc = eval_sweep(a.trace_path, trace, &a.p, a.pols, a.nr_pols, a.factors,
				a.nr_factors, a.json, a.plots);
	else
		rc = eval_replay(&a, trace);
	if (rc == 0)
		status = 0;
out:
	trace_free(trace);
	return status;
}
