/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_policy.c: how long policy_plan() takes for many domains.
 *
 *   bench_policy [--domains N] [--rounds R] [--json | --checksum | --case NAME]
 *
 * Plans as xmemd makes them: one after the other, in one scratch
 * (policy_plan_with), the histories updated in place, and before each a
 * quarter of the domains report a new demand (bench_move). Scenarios (each
 * with every kind of policy where it matters):
 *   plenty   the host holds every desired size: one pass per tier
 *   scarce   the host is short: the buffer tier is shared by water-filling
 *   cover    (xmem) the host holds every demand and a little more: the
 *            cover tier prices every domain's history to share the rest
 * Baseline, measured in the same run over the same inputs: one plain pass
 * computing demand x 1.2 clamped into the bounds for every domain and
 * summing it (the least any plan must do). Reported: the median and the
 * best of R rounds in milliseconds of CPU time (the machines this runs on are
 * shared, and wall time would count other processes' turns), and the ratio
 * of the median to the baseline's. Goal: 10,000 domains in at most 5 ms for
 * xmem, so that a rebalance stays well inside xmemd's shortest period even on
 * the largest hosts.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "policy/policy.h"

#define MIB 1024ULL
#define GIB (1024ULL * 1024ULL)

/* CPU time of this process: what a plan costs, not how long others held the core. */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/*
 * A history for the cover tier as a busy guest leaves it: time spread over
 * the levels from 70% to 150% of its demand, and rises in a dozen bins;
 * rises by the level they left in every slot, and a renewal history for
 * every size tracked, its last rise within the last two hours.
 */
static void make_history(struct policy_history *h, uint64_t used_kib, uint64_t *seed)
{
	double lo = log2((double)used_kib * 0.7 / POLICY_COVER_LEVEL_BASE_KIB);
	double hi = log2((double)used_kib * 1.5 / POLICY_COVER_LEVEL_BASE_KIB);
	int a = (int)(lo * POLICY_COVER_LEVEL_PER_OCTAVE),
	    b = (int)(hi * POLICY_COVER_LEVEL_PER_OCTAVE);
	uint64_t s2 = *seed ^ 0x9e3779b97f4a7c15ULL;
	int k;

	memset(h, 0, sizeof(*h));
	for (k = a < 0 ? 0 : a; k <= b && k < POLICY_COVER_LEVEL_BINS; k++)
		h->level[k] = (float)(lcg(seed) % 1000) / 1000.0f / (float)(b - a + 1);
	for (k = 0; k < 12; k++) {
		int r = (int)(lcg(seed) % POLICY_COVER_RISE_BINS);
		float m = (float)(lcg(seed) % 100) / 1000.0f;

		/* Each rise also by the level it left: one of the slots. */
		h->rise[r] += m;
		h->cond[k % POLICY_COVER_COND_SLOTS][r / 2] += m;
	}
	for (k = 0; k < POLICY_COVER_COND_SLOTS; k++)
		h->cond_from[k] = (uint8_t)((a < 0 ? 0 : a) / (int)POLICY_COVER_COND_GROUP + k + 1);
	/*
	 * Rises of each size tracked at a few distances from the one before
	 * (drawn apart, so that the domains are those of before they were).
	 */
	for (k = 0; k < POLICY_COVER_PHASE_TRACKS; k++) {
		int r;

		h->phase_last_ms[k] = 1000000 - lcg(&s2) % 7200 * 1000;
		for (r = 0; r < POLICY_COVER_PHASE_BINS; r++) {
			h->phase[r].risk[k] = (float)(lcg(&s2) % 100 + 1) / 10000.0f;
			h->phase[r].event[k] =
				lcg(&s2) % 6 ? 0 : (float)(lcg(&s2) % 100) / 100000.0f;
			h->phase_risk_sum[k] += h->phase[r].risk[k];
			h->phase_event_sum[k] += h->phase[r].event[k];
		}
	}
}

/* Domains with varied bounds, weights and demands; returns the sum of desired sizes. */
static uint64_t make_doms(struct policy_dom *d, struct policy_history *hist, size_t n)
{
	uint64_t seed = 1, sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t max = (lcg(&seed) % 16 + 1) * GIB;

		memset(&d[i], 0, sizeof(d[i]));
		d[i].domid = (uint32_t)i + 1;
		d[i].max_kib = d[i].static_max_kib = max;
		d[i].min_kib = max / 20;
		d[i].startup_kib = max / 4;
		d[i].weight = (unsigned int)(lcg(&seed) % 10001);
		d[i].current_kib = d[i].target_kib = max / 4;
		d[i].last_change_ms = lcg(&seed) % 1000000;
		d[i].has_demand = 1;
		d[i].used_kib = max / 100 * (lcg(&seed) % 60 + 1);
		d[i].psi_some_x100 = lcg(&seed) % 4 ? 0 : (unsigned int)(lcg(&seed) % 3000);
		d[i].prev_desired_kib = d[i].used_kib * 3 / 2;
		d[i].prev_plan_ms = 999000;
		d[i].prev_demand_kib = d[i].used_kib / 100 * (lcg(&seed) % 120 + 1);
		d[i].prev_swing_kib = lcg(&seed) % 2 ? d[i].used_kib / 10 : 0;
		make_history(&hist[i], d[i].used_kib, &seed);
		d[i].prev_history = &hist[i];
		d[i].managed = d[i].has_balloon = d[i].cooperative = 1;
		sum += d[i].used_kib * 12 / 10;
	}
	return sum;
}

/* The baseline: one plain pass, demand x 1.2 clamped, summed. */
static uint64_t baseline_pass(const struct policy_dom *d, size_t n)
{
	uint64_t sum = 0, x;
	size_t i;

	for (i = 0; i < n; i++) {
		x = d[i].used_kib + d[i].used_kib / 5;
		if (x < d[i].min_kib)
			x = d[i].min_kib;
		if (x > d[i].max_kib)
			x = d[i].max_kib;
		sum += x;
	}
	return sum;
}

static const struct bench_case {
	const char *name;
	enum policy_kind kind;
	int scarce; /* 0 plenty, 1 scarce, 2 cover */
} bench_cases[] = {
	{ "xmem-plenty", POLICY_XMEM, 0 },     { "xmem-scarce", POLICY_XMEM, 1 },
	{ "xmem-cover", POLICY_XMEM, 2 },      { "hyperv-scarce", POLICY_HYPERV, 1 },
	{ "spread-plenty", POLICY_SPREAD, 0 }, { "proportional-scarce", POLICY_PROPORTIONAL, 1 },
	{ "static-scarce", POLICY_STATIC, 1 },
};

#define BENCH_NR_CASES (sizeof(bench_cases) / sizeof(bench_cases[0]))

/* The index of the case named name, or -1. */
static int bench_case_find(const char *name)
{
	size_t c;

	for (c = 0; c < BENCH_NR_CASES; c++)
		if (!strcmp(bench_cases[c].name, name))
			return (int)c;
	return -1;
}

/* One run's inputs, scratch and results. */
struct bench {
	size_t n, rounds;
	struct policy_dom *d;
	struct policy_out *out;
	struct policy_history *hist;
	struct policy_scratch *scratch; /* kept from plan to plan, as xmemd keeps it */
	uint64_t *used0;		/* each domain's demand about which it moves */
	double *t;			/* one time per round */
	uint64_t desired_kib;
	double base_ms, ms[BENCH_NR_CASES], best[BENCH_NR_CASES];
	uint64_t sum[BENCH_NR_CASES]; /* a checksum of each case's plans and histories */
	int checksum;		      /* --checksum: print each case's checksum instead of times */
	int only;		      /* --case: the one case to run (-1: all) */
	volatile uint64_t sink;	      /* keeps the work from being optimised away */
};

/* The median of b->t (sorted in place); the best into *best_r if not NULL. */
static double bench_median(struct bench *b, double *best_r)
{
	qsort(b->t, b->rounds, sizeof(*b->t), cmp_double);
	if (best_r)
		*best_r = b->t[0];
	return b->t[b->rounds / 2];
}

/* FNV-1a of n bytes at p, continuing from h. */
static uint64_t bench_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ULL;
	return h;
}

/* A history field by field (not its bytes: a layout may have padding). */
static uint64_t bench_hist_sum(uint64_t h, const struct policy_history *x)
{
	unsigned int r;

	h = bench_fnv(h, &x->ref_ms, sizeof(x->ref_ms));
	h = bench_fnv(h, x->level_bits, sizeof(x->level_bits));
	h = bench_fnv(h, &x->rise_bits, sizeof(x->rise_bits));
	h = bench_fnv(h, &x->hull_bits, sizeof(x->hull_bits));
	h = bench_fnv(h, x->cond_bits, sizeof(x->cond_bits));
	h = bench_fnv(h, x->cond_from, sizeof(x->cond_from));
	h = bench_fnv(h, x->phase_last_ms, sizeof(x->phase_last_ms));
	h = bench_fnv(h, x->phase_event_sum, sizeof(x->phase_event_sum));
	h = bench_fnv(h, x->phase_risk_sum, sizeof(x->phase_risk_sum));
	h = bench_fnv(h, &x->level_sum, sizeof(x->level_sum));
	h = bench_fnv(h, x->level, sizeof(x->level));
	h = bench_fnv(h, x->rise, sizeof(x->rise));
	h = bench_fnv(h, x->cond, sizeof(x->cond));
	for (r = 0; r < POLICY_COVER_PHASE_BINS; r++) {
		h = bench_fnv(h, x->phase[r].event, sizeof(x->phase[r].event));
		h = bench_fnv(h, x->phase[r].risk, sizeof(x->phase[r].risk));
	}
	return h;
}

/* The checksum of a case's last plan and the histories it left (outside the timing). */
static uint64_t bench_sum(const struct bench *b)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < b->n; i++) {
		h = bench_fnv(h, &b->out[i].domid, sizeof(b->out[i].domid));
		h = bench_fnv(h, &b->out[i].desired_kib, sizeof(b->out[i].desired_kib));
		h = bench_fnv(h, &b->out[i].target_kib, sizeof(b->out[i].target_kib));
		h = bench_fnv(h, &b->out[i].demand_kib, sizeof(b->out[i].demand_kib));
		h = bench_fnv(h, &b->out[i].swing_kib, sizeof(b->out[i].swing_kib));
		h = bench_fnv(h, &b->out[i].apply, sizeof(b->out[i].apply));
		h = bench_fnv(h, &b->out[i].phase, sizeof(b->out[i].phase));
		h = bench_fnv(h, &b->out[i].included, sizeof(b->out[i].included));
		h = bench_hist_sum(h, &b->hist[i]);
	}
	return h;
}

/*
 * Before each plan (outside the timing), a quarter of the domains report a
 * new demand, within BENCH_MOVE_PERMILLE of where they started: xmemd plans
 * at most every 250 ms on reports, and guests report every second or so.
 * No plan is handed the inputs of the one before.
 */
#define BENCH_MOVE_PERMILLE 30
static void bench_move(struct bench *b, uint64_t *seed)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (lcg(seed) % 4 == 0)
			b->d[i].used_kib = b->used0[i] / 1000 *
					   (1000 - BENCH_MOVE_PERMILLE +
					    lcg(seed) % (2 * BENCH_MOVE_PERMILLE + 1));
}

/* Time every case, after the baseline. Returns 0, or -1 when a plan fails. */
static int bench_run(struct bench *b)
{
	struct policy_host h;
	struct policy pol;
	uint64_t seed;
	size_t i, c;

	for (i = 0; i < b->rounds; i++) {
		double t0 = now_ms();

		b->sink += baseline_pass(b->d, b->n);
		b->t[i] = now_ms() - t0;
	}
	b->base_ms = bench_median(b, NULL);
	for (c = 0; c < BENCH_NR_CASES; c++) {
		if (b->only >= 0 && c != (size_t)b->only)
			continue;
		policy_defaults(&pol, bench_cases[c].kind);
		memset(&h, 0, sizeof(h));
		h.total_kib = bench_cases[c].scarce == 2 ? b->desired_kib
			      : bench_cases[c].scarce	 ? b->desired_kib * 9 / 10
							 : b->desired_kib * 2;
		h.free_kib = h.total_kib / 2;
		h.now_ms = 1000000;
		seed = 42;
		for (i = 0; i < b->rounds; i++) {
			double t0;

			bench_move(b, &seed);
			t0 = now_ms();
			if (policy_plan_with(b->scratch, &pol, &h, b->d, b->n, b->out)) {
				fprintf(stderr, "bench_policy: plan failed\n");
				return -1;
			}
			b->t[i] = now_ms() - t0;
			b->sink += b->out[b->n - 1].target_kib;
		}
		b->ms[c] = bench_median(b, &b->best[c]);
		if (b->checksum)
			b->sum[c] = bench_sum(b);
	}
	return 0;
}

static double bench_ratio(const struct bench *b, size_t c)
{
	return b->base_ms > 0 ? b->ms[c] / b->base_ms : 0;
}

/* The table rows of the JSON report, as bench/update-doc.sh reads them. */
static void bench_json_table(struct json_out *jo, const struct bench *b)
{
	static const char *const columns[] = { "case (10,000 domains)", "median ms (CPU)",
					       "best ms (CPU)", "baseline ms (one plain pass)",
					       "ratio" };
	size_t c;

	json_out_key(jo, "table");
	json_out_obj_open(jo);
	json_out_key(jo, "columns");
	json_out_arr_open(jo);
	for (c = 0; c < sizeof(columns) / sizeof(columns[0]); c++)
		json_out_str(jo, columns[c]);
	json_out_arr_close(jo);
	json_out_key(jo, "rows");
	json_out_arr_open(jo);
	for (c = 0; c < BENCH_NR_CASES; c++) {
		json_out_arr_open(jo);
		json_out_str(jo, bench_cases[c].name);
		json_out_double(jo, b->ms[c]);
		json_out_double(jo, b->best[c]);
		json_out_double(jo, b->base_ms);
		json_out_double(jo, bench_ratio(b, c));
		json_out_arr_close(jo);
	}
	json_out_arr_close(jo);
	json_out_obj_close(jo);
}

/* Every xmem case (plenty, scarce, cover) within the goal? */
static int bench_xmem_met(const struct bench *b)
{
	size_t c;

	for (c = 0; c < BENCH_NR_CASES; c++)
		if (bench_cases[c].kind == POLICY_XMEM && b->ms[c] > 5.0)
			return 0;
	return 1;
}

/* The report as JSON on stdout. Returns 0 or -1. */
static int bench_print_json(const struct bench *b)
{
	struct json_out *jo = json_out_new(1);
	size_t c;
	int rc = -1;

	if (!jo)
		return -1;
	json_out_obj_open(jo);
	json_out_kv_str(jo, "bench", "policy");
	json_out_kv_u64(jo, "domains", b->n);
	json_out_kv_u64(jo, "rounds", b->rounds);
	json_out_kv_double(jo, "goal_ms", 5.0);
	json_out_kv_double(jo, "baseline_ms", b->base_ms);
	bench_json_table(jo, b);
	json_out_kv_str(jo, "note",
			bench_xmem_met(b) ? "Goal: xmem plans 10,000 domains in at most 5 ms in "
					    "every xmem case: met."
					  : "Goal: xmem plans 10,000 domains in at most 5 ms in "
					    "every xmem case: MISSED.");
	json_out_key(jo, "cases");
	json_out_arr_open(jo);
	for (c = 0; c < BENCH_NR_CASES; c++) {
		json_out_obj_open(jo);
		json_out_kv_str(jo, "case", bench_cases[c].name);
		json_out_kv_double(jo, "median_ms", b->ms[c]);
		json_out_kv_double(jo, "best_ms", b->best[c]);
		json_out_kv_double(jo, "vs_baseline", bench_ratio(b, c));
		json_out_obj_close(jo);
	}
	json_out_arr_close(jo);
	json_out_obj_close(jo);
	if (json_out_print(jo, stdout) == 0)
		rc = 0;
	json_out_free(jo);
	return rc;
}

static void bench_print_text(const struct bench *b)
{
	size_t c;

	printf("policy_plan, %zu domains, CPU time, median (best) of %zu rounds (goal: xmem <= 5 "
	       "ms)\n",
	       b->n, b->rounds);
	printf("%-22s %10.3f ms\n", "baseline (one pass)", b->base_ms);
	for (c = 0; c < BENCH_NR_CASES; c++)
		if (b->only < 0 || c == (size_t)b->only)
			printf("%-22s %10.3f ms (%.3f)  %6.1fx baseline\n", bench_cases[c].name,
			       b->ms[c], b->best[c], bench_ratio(b, c));
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "domains", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "checksum", no_argument, NULL, 'c' },
		{ "case", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench b;
	size_t i;
	int opt, json = 0, rc = 1;

	memset(&b, 0, sizeof(b));
	b.n = 10000;
	b.rounds = 200;
	b.only = -1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			b.n = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			b.rounds = strtoul(optarg, NULL, 10);
			break;
		case 'j':
			json = 1;
			break;
		case 'c':
			b.checksum = 1;
			break;
		case 'C':
			b.only = bench_case_find(optarg);
			if (b.only < 0) {
				fprintf(stderr, "bench_policy: no case '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			printf("usage: bench_policy [--domains N] [--rounds R] [--json | "
			       "--checksum | "
			       "--case NAME]\n"
			       "  --case NAME  time only that case (for profiling: the histories\n"
			       "               are then not those the full run leaves)\n");
			return 0;
		default:
			return 2;
		}
	}
	if (b.n == 0 || b.rounds == 0)
		return 2;
	if (b.only >= 0 && (json || b.checksum)) {
		fprintf(stderr,
			"bench_policy: --case times one case; --json and --checksum report all\n");
		return 2;
	}
	b.d = calloc(b.n, sizeof(*b.d));
	b.out = calloc(b.n, sizeof(*b.out));
	b.t = calloc(b.rounds, sizeof(*b.t));
	b.hist = calloc(b.n, sizeof(*b.hist));
	b.scratch = policy_scratch_new();
	b.used0 = calloc(b.n, sizeof(*b.used0));
	if (!b.d || !b.out || !b.t || !b.hist || !b.scratch || !b.used0) {
		fprintf(stderr, "bench_policy: out of memory\n");
		goto out;
	}
	b.desired_kib = make_doms(b.d, b.hist, b.n);
	for (i = 0; i < b.n; i++)
		b.used0[i] = b.d[i].used_kib;
	/* As xmemd keeps it: the history is updated in place, plan after plan. */
	for (i = 0; i < b.n; i++)
		b.d[i].history = &b.hist[i];
	if (bench_run(&b))
		goto out;
	if (b.checksum) {
		for (i = 0; i < BENCH_NR_CASES; i++)
			printf("%s %016llx\n", bench_cases[i].name, (unsigned long long)b.sum[i]);
	} else if (json) {
		if (bench_print_json(&b))
			goto out;
	} else {
		bench_print_text(&b);
	}
	rc = b.sink == 42 ? 3 : 0;
out:
	free(b.d);
	free(b.out);
	free(b.hist);
	free(b.t);
	policy_scratch_free(b.scratch);
	free(b.used0);
	return rc;
}
