/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_top.c: `xmem top`, a live view in the manner of xentop.
 *
 * Every refresh (1 s by default) reloads the domains and the host figures
 * and redraws. Full screen with ncurses on a terminal; with -b (or when
 * stdout is not a terminal) plain snapshots, as `xentop -b`, which is also
 * how the tests drive it. Keys: n i m t d p w s choose the sort column (again
 * reverses it), q quits. The Progress column shows how far each balloon is
 * from its target: the bar fills as current approaches target, the arrow
 * says which way it is moving (v giving memory back, ^ taking it).
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "table.h"
#include "xmem.h"
#include "xmem_err.h"

enum top_sort {
	TOP_NAME,
	TOP_ID,
	TOP_MEM,
	TOP_TARGET,
	TOP_DEMAND,
	TOP_PRESSURE,
	TOP_WEIGHT,
	TOP_STATE,
	TOP_NR_SORTS
};

static const char *const top_sort_names[TOP_NR_SORTS] = {
	[TOP_NAME] = "name",	 [TOP_ID] = "id",	  [TOP_MEM] = "mem",
	[TOP_TARGET] = "target", [TOP_DEMAND] = "demand", [TOP_PRESSURE] = "pressure",
	[TOP_WEIGHT] = "weight", [TOP_STATE] = "state",
};

static const char top_sort_keys[TOP_NR_SORTS] = {
	[TOP_NAME] = 'n',   [TOP_ID] = 'i',	  [TOP_MEM] = 'm',    [TOP_TARGET] = 't',
	[TOP_DEMAND] = 'd', [TOP_PRESSURE] = 'p', [TOP_WEIGHT] = 'w', [TOP_STATE] = 's',
};

static enum top_sort top_sort_by = TOP_ID;
static int top_sort_reverse;

/* Compare two unsigned figures, XMEM_UNSET last. */
static int top_cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* qsort order of domains by the chosen column, then domid. */
static int top_cmp(const void *va, const void *vb)
{
	const struct xmem_dom *a = va, *b = vb;
	int c;

	switch (top_sort_by) {
	case TOP_NAME:
		c = strcmp(a->name, b->name);
		break;
	case TOP_MEM:
		c = top_cmp_u64(a->current_kib, b->current_kib);
		break;
	case TOP_TARGET:
		c = top_cmp_u64(a->target_kib, b->target_kib);
		break;
	case TOP_DEMAND:
		c = top_cmp_u64(a->demand_kib, b->demand_kib);
		break;
	case TOP_PRESSURE:
		c = top_cmp_u64(a->pressure_pct, b->pressure_pct);
		break;
	case TOP_WEIGHT:
		c = top_cmp_u64(model_weight(a), model_weight(b));
		break;
	case TOP_STATE:
		c = strcmp(a->state, b->state);
		break;
	default:
		c = 0;
		break;
	}
	if (c == 0)
		c = top_cmp_u64(a->domid, b->domid);
	return top_sort_reverse ? -c : c;
}

/* The sort column named s, or -1. */
static int top_sort_lookup(const char *s)
{
	int i;

	for (i = 0; i < TOP_NR_SORTS; i++)
		if (strcmp(top_sort_names[i], s) == 0)
			return i;
	return -1;
}

/* One snapshot of the host. */
struct top_snap {
	struct xmem_dom *doms;
	size_t nr;
	struct xmem_hostinfo hi;
};

/* Reload the snapshot s from the host, sorted. */
static int top_load(struct xmem_ctx *ctx, struct top_snap *s)
{
	free(s->doms);
	s->doms = NULL;
	s->nr = 0;
	if (model_load_all(ctx, &s->doms, &s->nr) || model_hostinfo(ctx, s->doms, s->nr, &s->hi))
		return -1;
	if (s->nr > 1)
		qsort(s->doms, s->nr, sizeof(*s->doms), top_cmp);
	return 0;
}

/* The summary line above the table. */
static void top_summary(const struct top_snap *s, char *buf, size_t len)
{
	char tot[24], fr[24], res[24], tstr[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(tstr, sizeof(tstr), "%H:%M:%S", &tm);
	snprintf(buf, len,
		 "xmem top - %s  host %s MiB, free %s MiB, reserved %s MiB  xmemd %s  "
		 "domains %zu (%zu managed)  sort %s%s",
		 tstr, fmt_mib(s->hi.total_kib, tot, sizeof(tot)),
		 fmt_mib(s->hi.free_kib, fr, sizeof(fr)),
		 fmt_mib(s->hi.reserved_kib, res, sizeof(res)), s->hi.xmemd_state, s->hi.nr_domains,
		 s->hi.nr_managed, top_sort_names[top_sort_by],
		 top_sort_reverse ? " (reversed)" : "");
}

/* The Progress column: "[#######...] v 120M" or "at target". */
static void top_progress(const struct xmem_dom *d, char *buf, size_t len)
{
	char bar[16];
	uint64_t cur, tgt, lo, hi;

	cur = d->balloon_current_kib != XMEM_UNSET ? d->balloon_current_kib : d->current_kib;
	tgt = d->target_kib;
	if (cur == XMEM_UNSET || tgt == XMEM_UNSET) {
		snprintf(buf, len, "-");
		return;
	}
	lo = cur < tgt ? cur : tgt;
	hi = cur < tgt ? tgt : cur;
	if (hi - lo < 1024) {
		snprintf(buf, len, "%s at target", fmt_bar(1, 1, 10, bar, sizeof(bar)));
		return;
	}
	snprintf(buf, len, "%s %c %" PRIu64 "M", fmt_bar(lo, hi, 10, bar, sizeof(bar)),
		 cur > tgt ? 'v' : '^', (hi - lo) / 1024);
}

/* The snapshot's domains as a table, each row with its progress. NULL when out of memory. */
static struct table *top_table(const struct top_snap *s)
{
	static const struct table_col cols[] = {
		{ "Name", 20, TABLE_LEFT },    { "ID", 5, TABLE_RIGHT },
		{ "Mem", 7, TABLE_RIGHT },     { "Target", 7, TABLE_RIGHT },
		{ "Demand", 7, TABLE_RIGHT },  { "Press%", 6, TABLE_RIGHT },
		{ "Weight", 6, TABLE_RIGHT },  { "State", 13, TABLE_LEFT },
		{ "Progress", 0, TABLE_LEFT },
	};
	struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	const struct xmem_dom *d;
	char buf[48];
	size_t i;

	for (i = 0; t && i < s->nr; i++) {
		d = &s->doms[i];
		table_cell(t, "%s", d->name);
		table_cell(t, "%u", d->domid);
		table_cell(t, "%s", fmt_mib(d->current_kib, buf, sizeof(buf)));
		table_cell(t, "%s", fmt_mib(d->target_kib, buf, sizeof(buf)));
		table_cell(t, "%s", fmt_mib(d->demand_kib, buf, sizeof(buf)));
		if (d->pressure_pct != XMEM_UNSET)
			table_cell(t, "%" PRIu64, d->pressure_pct);
		else
			table_cell(t, "-");
		table_cell(t, "%" PRIu64, model_weight(d));
		table_cell(t, "%s", d->state);
		top_progress(d, buf, sizeof(buf));
		table_cell(t, "%s", buf);
	}
	return t;
}

/* Plain snapshots, as xentop -b. */
static int top_batch(struct xmem_ctx *ctx, struct top_snap *s, uint64_t iters, uint64_t delay_s)
{
	struct table *t;
	char line[256];
	uint64_t i;

	for (i = 0; iters == 0 || i < iters; i++) {
		if (i > 0)
			sleep((unsigned int)delay_s);
		if (top_load(ctx, s))
			return EXIT_FAILURE;
		top_summary(s, line, sizeof(line));
		fprintf(ctx->out, "%s\n", line);
		t = top_table(s);
		if (table_print_free(t, ctx->out)) {
			ctx_err("cannot write the table: check the output");
			return EXIT_FAILURE;
		}
		fprintf(ctx->out, "\n");
		fflush(ctx->out);
	}
	return EXIT_SUCCESS;
}

/* Handle a key: sort column or quit. Returns 1 to quit. */
static int top_key(int ch)
{
	int i;

	if (ch == 'q' || ch == 'Q')
		return 1;
	for (i = 0; i < TOP_NR_SORTS; i++) {
		if (ch != top_sort_keys[i])
			continue;
		if (top_sort_by == (enum top_sort)i)
			top_sort_reverse = !top_sort_reverse;
		else
			top_sort_reverse = 0;
		top_sort_by = (enum top_sort)i;
	}
	return 0;
}

/* The full-screen view; falls back to snapshots without a terminal. */
static int top_screen(struct xmem_ctx *ctx, struct top_snap *s, uint64_t iters, uint64_t delay_s)
{
	struct table *t;
	SCREEN *scr;
	char line[256];
	uint64_t i;
	size_t j;
	int ch, rc = EXIT_SUCCESS, color;

	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return top_batch(ctx, s, iters, delay_s);
	set_term(scr);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	color = has_colors();
	if (color) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_RED, -1);
		init_pair(2, COLOR_YELLOW, -1);
	}
	for (i = 0; iters == 0 || i < iters; i++) {
		if (top_load(ctx, s)) {
			rc = EXIT_FAILURE;
			break;
		}
		t = top_table(s);
		if (!t) {
			rc = EXIT_FAILURE;
			break;
		}
		erase();
		top_summary(s, line, sizeof(line));
		mvaddnstr(0, 0, line, COLS);
		mvaddnstr(1, 0, "keys: n i m t d p w s sort (again: reverse), q quit", COLS);
		attron(A_REVERSE);
		table_line(t, 0, line, sizeof(line));
		mvaddnstr(3, 0, line, COLS);
		attroff(A_REVERSE);
		for (j = 0; j < s->nr && (int)j + 4 < LINES; j++) {
			int attr = 0;

			if (color &&
			    strcmp(s->doms[j].state, XS_XMEMD_DOM_STATE_UNCOOPERATIVE) == 0)
				attr = COLOR_PAIR(1);
			else if (color &&
				 strcmp(s->doms[j].state, XS_XMEMD_DOM_STATE_BALLOONING) == 0)
				attr = COLOR_PAIR(2);
			table_line(t, j + 1, line, sizeof(line));
			attron(attr);
			mvaddnstr(4 + (int)j, 0, line, COLS);
			attroff(attr);
		}
		table_free(t);
		refresh();
		timeout((int)(delay_s * 1000));
		ch = getch();
		if (ch != ERR && top_key(ch))
			break;
	}
	endwin();
	delscreen(scr);
	return rc;
}

int main_top(struct xmem_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "sort", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct top_snap s = { NULL, 0 };
	uint64_t iters = 0, delay_s = 1;
	int opt, batch = 0, rc, col;

	while ((opt = cmdtable_getopt(argc, argv, "bn:d:s:", longopts, "top", 0)) != CMDOPT_END) {
		switch (opt) {
		case CMDOPT_HELP:
			return EXIT_SUCCESS;
		case CMDOPT_ERROR:
			return EXIT_FAILURE;
		case 'b':
			batch = 1;
			break;
		case 'n':
			if (parse_uint("--iterations", optarg, 1, UINT32_MAX, &iters))
				return EXIT_FAILURE;
			break;
		case 'd':
			if (parse_uint("--delay", optarg, 1, 3600, &delay_s))
				return EXIT_FAILURE;
			break;
		case 's':
			col = top_sort_lookup(optarg);
			if (col < 0) {
				ctx_err("bad --sort '%s': give name, id, mem, target, demand, "
					"pressure, weight or state",
					optarg);
				return EXIT_FAILURE;
			}
			top_sort_by = (enum top_sort)col;
			break;
		}
	}
	if (cmdtable_max_args(argc, argv, "top", 0))
		return EXIT_FAILURE;
	if (ctx->json) {
		ctx_err("top is a live view: use 'xmem --json list' or 'xmem --json info'");
		return EXIT_FAILURE;
	}
	if (!ctx_store(ctx))
		return EXIT_FAILURE;
	if (batch || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		rc = top_batch(ctx, &s, iters, delay_s);
	else
		rc = top_screen(ctx, &s, iters, delay_s);
	free(s.doms);
	return rc;
}
