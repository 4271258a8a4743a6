/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * query.c: `xmem-hvsim --query DIR [--as DOMID] [--json] COMMAND [ARGS]`.
 *
 * Privileged commands: ping, check, physinfo, list, create DOMID MAX_PAGES
 * INITIAL_PAGES, destroy DOMID, maxmem DOMID KIB, claim DOMID PAGES,
 * pause/unpause/shutdown/resume DOMID (state flags only).
 * With --as DOMID (that domain acting on itself): ping, reservation,
 * increase N ORDER, populate N ORDER, decrease ORDER FRAME...
 * Exit status 0 on success, 1 on failure (one line on stderr), 2 on usage.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"
#include "hv_sim.h"
#include "json.h"
#include "query.h"
#include "table.h"
#include "xmem_err.h"

#define QUERY_PROG	 "xmem-hvsim --query"
#define QUERY_MAX_FRAMES (1u << 20)

struct query {
	struct hv *h;
	int json;
	int argc;
	char **argv;
};

/* Parse an unsigned decimal argument, or exit 2. */
static uint64_t query_u64(const char *what, const char *s)
{
	char *end = NULL;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !end || *end || s[0] == '-' || !s[0]) {
		fprintf(stderr, QUERY_PROG ": %s: not a number: '%s'\n", what, s);
		exit(2);
	}
	return v;
}

/* Parse a domid argument (below DOMID_FIRST_RESERVED), or exit 2. */
static uint32_t query_domid(const char *s)
{
	uint64_t v = query_u64("domid", s);

	if (v >= HV_DOMID_FIRST_RESERVED) {
		fprintf(stderr, QUERY_PROG ": domid: out of range: '%s'\n", s);
		exit(2);
	}
	return (uint32_t)v;
}

/* Require exactly n arguments after the command, or exit 2. */
static void query_nargs(const struct query *q, int n, const char *usage)
{
	if (q->argc != n + 1) {
		fprintf(stderr, QUERY_PROG ": usage: %s\n", usage);
		exit(2);
	}
}

/* Report rc from what; returns the exit status. */
static int query_fail(const char *what, int rc)
{
	fprintf(stderr, QUERY_PROG ": %s: %s\n", what, xmem_strerror(rc));
	return 1;
}

/* Print a JSON document and free it. Returns the exit status. */
static int query_print(struct json_out *out)
{
	int rc = json_out_print(out, stdout);

	json_out_free(out);
	return rc ? query_fail("json", rc) : 0;
}

static int query_check(struct query *q)
{
	struct hvsim_check_rep rep;
	struct json_out *out;
	int rc;

	query_nargs(q, 0, "check");
	rc = hv_sim_check(q->h, &rep);
	if (rc && rc != XMEM_ERR_FAIL)
		return query_fail("check", rc);
	if (q->json) {
		out = json_out_new(0);
		if (!out)
			return query_fail("check", XMEM_ERR_NOMEM);
		json_out_obj_open(out);
		json_out_kv_bool(out, "ok", rep.ok);
		json_out_kv_str(out, "message", rep.msg);
		json_out_kv_u64(out, "total_pages", rep.total_pages);
		json_out_kv_u64(out, "free_pages", rep.free_pages);
		json_out_kv_u64(out, "sum_tot_pages", rep.sum_tot_pages);
		json_out_kv_u64(out, "xen_pages", rep.xen_pages);
		json_out_kv_u64(out, "outstanding_pages", rep.outstanding_pages);
		json_out_kv_u64(out, "nr_domains", rep.nr_domains);
		json_out_obj_close(out);
		if (query_print(out))
			return 1;
	} else {
		printf("%s: free %" PRIu64 " + tot_pages %" PRIu64 " (xen %" PRIu64
		       ") = total %" PRIu64 ", outstanding %" PRIu64 ", %u domains\n",
		       rep.msg, rep.free_pages, rep.sum_tot_pages, rep.xen_pages, rep.total_pages,
		       rep.outstanding_pages, rep.nr_domains);
	}
	if (!rep.ok) {
		fprintf(stderr, QUERY_PROG ": invariant broken: %s\n", rep.msg);
		return 1;
	}
	return 0;
}

static int query_physinfo(struct query *q)
{
	struct hv_physinfo info;
	struct json_out *out;
	int rc;

	query_nargs(q, 0, "physinfo");
	rc = hv_physinfo(q->h, &info);
	if (rc)
		return query_fail("physinfo", rc);
	if (!q->json) {
		printf("total_pages %" PRIu64 "\nfree_pages %" PRIu64 "\noutstanding_pages %" PRIu64
		       "\n",
		       info.total_pages, info.free_pages, info.outstanding_pages);
		return 0;
	}
	out = json_out_new(0);
	if (!out)
		return query_fail("physinfo", XMEM_ERR_NOMEM);
	json_out_obj_open(out);
	json_out_kv_u64(out, "total_pages", info.total_pages);
	json_out_kv_u64(out, "free_pages", info.free_pages);
	json_out_kv_u64(out, "outstanding_pages", info.outstanding_pages);
	json_out_kv_u64(out, "scrub_pages", info.scrub_pages);
	json_out_obj_close(out);
	return query_print(out);
}

/* list without --json: an aligned table. Returns the exit status. */
static int query_list_table(const struct hv_dominfo *infos, size_t nr)
{
	static const struct table_col cols[] = {
		{ "domid", 6, TABLE_LEFT },	  { "tot_pages", 12, TABLE_RIGHT },
		{ "max_pages", 12, TABLE_RIGHT }, { "outstanding", 12, TABLE_RIGHT },
		{ "flags", 0, TABLE_LEFT },
	};
	struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	size_t i;
	int rc;

	for (i = 0; i < nr; i++) {
		table_cell(t, "%u", infos[i].domid);
		table_cell(t, "%" PRIu64, infos[i].tot_pages);
		table_cell(t, "%" PRIu64, infos[i].max_pages);
		table_cell(t, "%" PRIu64, infos[i].outstanding_pages);
		table_cell(t, "%#x", infos[i].flags);
	}
	rc = table_print_free(t, stdout);
	return rc ? query_fail("list", rc) : 0;
}

static int query_list(struct query *q)
{
	struct hv_dominfo *infos = NULL;
	struct json_out *out = NULL;
	size_t nr = 0, i;
	int rc, status = 1;

	query_nargs(q, 0, "list");
	infos = calloc(HV_DOMID_FIRST_RESERVED, sizeof(*infos));
	if (!infos)
		return query_fail("list", XMEM_ERR_NOMEM);
	rc = hv_domain_list(q->h, 0, infos, HV_DOMID_FIRST_RESERVED, &nr);
	if (rc) {
		query_fail("list", rc);
		goto out;
	}
	if (!q->json) {
		status = query_list_table(infos, nr);
		goto out;
	}
	out = json_out_new(0);
	if (!out) {
		query_fail("list", XMEM_ERR_NOMEM);
		goto out;
	}
	json_out_arr_open(out);
	for (i = 0; i < nr; i++) {
		json_out_obj_open(out);
		json_out_kv_u64(out, "domid", infos[i].domid);
		json_out_kv_u64(out, "tot_pages", infos[i].tot_pages);
		json_out_kv_u64(out, "max_pages", infos[i].max_pages);
		json_out_kv_u64(out, "outstanding_pages", infos[i].outstanding_pages);
		json_out_kv_bool(out, "dying", !!(infos[i].flags & HV_DOMF_DYING));
		json_out_kv_bool(out, "shutdown", !!(infos[i].flags & HV_DOMF_SHUTDOWN));
		json_out_kv_bool(out, "paused", !!(infos[i].flags & HV_DOMF_PAUSED));
		json_out_obj_close(out);
	}
	json_out_arr_close(out);
	status = query_print(out);
	out = NULL;
out:
	json_out_free(out);
	free(infos);
	return status;
}

static int query_create(struct query *q)
{
	int rc;

	query_nargs(q, 3, "create DOMID MAX_PAGES INITIAL_PAGES");
	rc = hv_domain_create(q->h, query_domid(q->argv[1]), query_u64("max_pages", q->argv[2]),
			      query_u64("initial_pages", q->argv[3]));
	return rc ? query_fail("create", rc) : 0;
}

static int query_destroy(struct query *q)
{
	int rc;

	query_nargs(q, 1, "destroy DOMID");
	rc = hv_domain_destroy(q->h, query_domid(q->argv[1]));
	return rc ? query_fail("destroy", rc) : 0;
}

static int query_maxmem(struct query *q)
{
	int rc;

	query_nargs(q, 2, "maxmem DOMID KIB");
	rc = hv_set_maxmem(q->h, query_domid(q->argv[1]), query_u64("kib", q->argv[2]));
	return rc ? query_fail("maxmem", rc) : 0;
}

static int query_claim(struct query *q)
{
	int rc;

	query_nargs(q, 2, "claim DOMID PAGES");
	rc = hv_claim_pages(q->h, query_domid(q->argv[1]), query_u64("pages", q->argv[2]));
	return rc ? query_fail("claim", rc) : 0;
}

/* pause, unpause, shutdown, resume DOMID: change one flag, keep the others. */
static int query_flag(struct query *q, unsigned int flag, int on)
{
	struct hv_dominfo info;
	uint32_t domid;
	int rc;

	query_nargs(q, 1, "pause|unpause|shutdown|resume DOMID");
	domid = query_domid(q->argv[1]);
	rc = hv_domain_info(q->h, domid, &info);
	if (!rc)
		rc = hv_sim_set_flags(q->h, domid,
				      ((info.flags & ~flag) | (on ? flag : 0)) & ~HV_DOMF_DYING);
	return rc ? query_fail(q->argv[0], rc) : 0;
}

static int query_ping(struct query *q)
{
	int rc;

	query_nargs(q, 0, "ping");
	rc = hv_sim_ping(q->h);
	return rc ? query_fail("ping", rc) : 0;
}

static int query_reservation(struct query *q)
{
	struct json_out *out;
	uint64_t cur = 0, max = 0;
	int rc;

	query_nargs(q, 0, "reservation");
	rc = hv_current_reservation(q->h, &cur);
	if (!rc)
		rc = hv_maximum_reservation(q->h, &max);
	if (rc)
		return query_fail("reservation", rc);
	if (!q->json) {
		printf("current %" PRIu64 "\nmaximum %" PRIu64 "\n", cur, max);
		return 0;
	}
	out = json_out_new(0);
	if (!out)
		return query_fail("reservation", XMEM_ERR_NOMEM);
	json_out_obj_open(out);
	json_out_kv_u64(out, "current_pages", cur);
	json_out_kv_u64(out, "maximum_pages", max);
	json_out_obj_close(out);
	return query_print(out);
}

/* Print a reservation op's result: the count done and the frames. */
static int query_print_memop(const struct query *q, long done, const uint64_t *frames)
{
	struct json_out *out;
	long i;

	if (!q->json) {
		printf("%ld", done);
		for (i = 0; frames && i < done; i++)
			printf(" %#" PRIx64, frames[i]);
		printf("\n");
		return 0;
	}
	out = json_out_new(0);
	if (!out)
		return query_fail("json", XMEM_ERR_NOMEM);
	json_out_obj_open(out);
	json_out_kv_i64(out, "done", done);
	if (frames) {
		json_out_key(out, "frames");
		json_out_arr_open(out);
		for (i = 0; i < done; i++)
			json_out_u64(out, frames[i]);
		json_out_arr_close(out);
	}
	json_out_obj_close(out);
	return query_print(out);
}

/* increase N ORDER or populate N ORDER. */
static int query_alloc(struct query *q, int populate)
{
	uint64_t *frames = NULL, n;
	unsigned int order;
	long done;
	int status;

	query_nargs(q, 2, populate ? "populate N ORDER" : "increase N ORDER");
	n = query_u64("n", q->argv[1]);
	order = (unsigned int)query_u64("order", q->argv[2]);
	if (n > QUERY_MAX_FRAMES) {
		fprintf(stderr, QUERY_PROG ": at most %u extents\n", QUERY_MAX_FRAMES);
		return 2;
	}
	frames = calloc(n ? n : 1, sizeof(*frames));
	if (!frames)
		return query_fail("alloc", XMEM_ERR_NOMEM);
	done = populate ? hv_populate_physmap(q->h, n, order, frames)
			: hv_increase_reservation(q->h, n, order, frames);
	if (done < 0)
		status = query_fail(populate ? "populate" : "increase", (int)done);
	else
		status = query_print_memop(q, done, frames);
	free(frames);
	return status;
}

/* decrease ORDER FRAME... */
static int query_decrease(struct query *q)
{
	uint64_t *frames = NULL;
	unsigned int order;
	int i, n, status;
	long done;

	if (q->argc < 2) {
		fprintf(stderr, QUERY_PROG ": usage: decrease ORDER FRAME...\n");
		return 2;
	}
	order = (unsigned int)query_u64("order", q->argv[1]);
	n = q->argc - 2;
	frames = calloc(n ? (size_t)n : 1, sizeof(*frames));
	if (!frames)
		return query_fail("decrease", XMEM_ERR_NOMEM);
	for (i = 0; i < n; i++)
		frames[i] = query_u64("frame", q->argv[2 + i]);
	done = hv_decrease_reservation(q->h, (unsigned long)n, order, frames);
	if (done < 0)
		status = query_fail("decrease", (int)done);
	else
		status = query_print_memop(q, done, NULL);
	free(frames);
	return status;
}

int query_main(int argc, char **argv)
{
	struct query q;
	const char *dir, *cmd;
	long long as = -1;
	int i, status;

	memset(&q, 0, sizeof(q));
	if (argc < 2) {
		fprintf(stderr, QUERY_PROG ": usage: --query DIR [--as DOMID] [--json] COMMAND\n");
		return 2;
	}
	dir = argv[1];
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			q.json = 1;
		} else if (!strcmp(argv[i], "--as") && i + 1 < argc) {
			as = query_domid(argv[++i]);
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, QUERY_PROG ": no command (see xmem-hvsim --help)\n");
		return 2;
	}
	q.argc = argc - i;
	q.argv = argv + i;
	cmd = q.argv[0];
	q.h = as < 0 ? hv_open_sim(dir) : hv_open_sim_guest(dir, (uint32_t)as);
	if (!q.h) {
		fprintf(stderr, QUERY_PROG ": cannot connect to the simulator in %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	if (!strcmp(cmd, "ping"))
		status = query_ping(&q);
	else if (!strcmp(cmd, "check"))
		status = query_check(&q);
	else if (!strcmp(cmd, "physinfo"))
		status = query_physinfo(&q);
	else if (!strcmp(cmd, "list"))
		status = query_list(&q);
	else if (!strcmp(cmd, "create"))
		status = query_create(&q);
	else if (!strcmp(cmd, "destroy"))
		status = query_destroy(&q);
	else if (!strcmp(cmd, "maxmem"))
		status = query_maxmem(&q);
	else if (!strcmp(cmd, "claim"))
		status = query_claim(&q);
	else if (!strcmp(cmd, "pause"))
		status = query_flag(&q, HV_DOMF_PAUSED, 1);
	else if (!strcmp(cmd, "unpause"))
		status = query_flag(&q, HV_DOMF_PAUSED, 0);
	else if (!strcmp(cmd, "shutdown"))
		status = query_flag(&q, HV_DOMF_SHUTDOWN, 1);
	else if (!strcmp(cmd, "resume"))
		status = query_flag(&q, HV_DOMF_SHUTDOWN, 0);
	else if (!strcmp(cmd, "reservation"))
		status = query_reservation(&q);
	else if (!strcmp(cmd, "increase"))
		status = query_alloc(&q, 0);
	else if (!strcmp(cmd, "populate"))
		status = query_alloc(&q, 1);
	else if (!strcmp(cmd, "decrease"))
		status = query_decrease(&q);
	else {
		fprintf(stderr, QUERY_PROG ": unknown command '%s'\n", cmd);
		status = 2;
	}
	hv_close(q.h);
	return status;
}
