/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/xmem/xmem_fmt.c (and the pure parts of xmem_model.c): tables and JSON. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../../../tests/cmocka_all.h"

#include "json.h"
#include "xmem.h"

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static char *cap_close(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

/* A managed guest as xmemd sees it. */
static struct xmem_dom dom_web1(void)
{
	struct xmem_dom d;

	memset(&d, 0, sizeof(d));
	d.domid = 3;
	strcpy(d.name, "web1");
	d.in_hv = 1;
	d.current_kib = 1049600; /* 1025 MiB */
	d.hv_max_kib = 4195328;
	d.target_kib = 1048576;
	d.static_max_kib = 4194304;
	d.boot_max_kib = 4194304;
	d.hotplug_policy = -1;
	d.hotplug_report = 1;
	d.videoram_kib = 0;
	d.dynamic_min_kib = 524288;
	d.dynamic_max_kib = 4194304;
	d.startup_kib = 1048576;
	d.weight = 8000;
	d.buffer_pct = XMEM_UNSET;
	d.managed = 1;
	d.demand_kib = 700000;
	d.pressure_pct = 12;
	strcpy(d.balloon_state, "done");
	d.balloon_current_kib = 1048576;
	strcpy(d.state, "ok");
	strcpy(d.demand_source, "xe-guest-utilities");
	d.demand_age_s = 42;
	strcpy(d.balloon_mode, "auto");
	strcpy(d.balloon, "yes");
	return d;
}

/* A domain with nothing but a name: no hypervisor, no policy keys. */
static struct xmem_dom dom_bare(void)
{
	struct xmem_dom d;

	memset(&d, 0, sizeof(d));
	d.domid = 7;
	strcpy(d.name, "bare");
	d.current_kib = XMEM_UNSET;
	d.hv_max_kib = XMEM_UNSET;
	d.target_kib = 262144;
	d.static_max_kib = XMEM_UNSET;
	d.dynamic_min_kib = XMEM_UNSET;
	d.dynamic_max_kib = XMEM_UNSET;
	d.startup_kib = XMEM_UNSET;
	d.weight = XMEM_UNSET;
	d.buffer_pct = XMEM_UNSET;
	d.demand_kib = XMEM_UNSET;
	d.pressure_pct = XMEM_UNSET;
	d.balloon_current_kib = XMEM_UNSET;
	strcpy(d.state, model_derive_state(&d));
	strcpy(d.demand_source, "none");
	d.demand_age_s = XMEM_UNSET;
	strcpy(d.balloon_mode, "auto");
	return d;
}

/* MiB columns round down as xl does; unknown is "-". */
static void fmt_mib_test(void **state)
{
	char buf[32];

	assert_string_equal(fmt_mib(XMEM_UNSET, buf, sizeof(buf)), "-");
	assert_string_equal(fmt_mib(0, buf, sizeof(buf)), "0");
	assert_string_equal(fmt_mib(1023, buf, sizeof(buf)), "0");
	assert_string_equal(fmt_mib(1049600, buf, sizeof(buf)), "1025");
}

/* The list table, exactly. */
static void fmt_list_table_test(void **state)
{
	struct xmem_dom d[2] = { dom_web1(), dom_bare() };
	struct capture c;
	char *out;

	cap_open(&c);
	assert_int_equal(fmt_list_table(c.f, d, 2), 0);
	out = cap_close(&c);
	assert_string_equal(out,
			    "Name                    ID     Mem  Target  Demand Press%     Min     "
			    "Max Weight Source              Age State\n"
			    "web1                     3    1025    1024     683     12     512    "
			    "4096   8000 xe-guest-utilities   42 ok\n"
			    "bare                     7       -     256       -      -     256     "
			    "256   5000 none                  - unmanaged\n");
	free(out);
}

/* list --json: every member the issue names, KiB, null for unknown, defaults applied. */
static void fmt_list_json_test(void **state)
{
	struct xmem_dom d[2] = { dom_web1(), dom_bare() };
	char err[JSON_ERR_LEN];
	struct capture c;
	yajl_val root, o;
	uint64_t v;
	const char *s;
	int b;
	char *out;

	cap_open(&c);
	assert_int_equal(fmt_list_json(c.f, d, 2), 0);
	out = cap_close(&c);
	root = json_parse(out, err, sizeof(err));
	assert_non_null(root);
	assert_true(YAJL_IS_ARRAY(root));
	assert_int_equal(root->u.array.len, 2);
	o = root->u.array.values[0];
	assert_int_equal(json_get_str(o, "name", &s), 0);
	assert_string_equal(s, "web1");
	assert_int_equal(json_get_u64(o, "domid", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(json_get_u64(o, "current_kib", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 1049600);
	assert_int_equal(json_get_u64(o, "target_kib", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 1048576);
	assert_int_equal(json_get_u64(o, "demand_kib", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 700000);
	assert_int_equal(json_get_u64(o, "min_kib", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 524288);
	assert_int_equal(json_get_u64(o, "max_kib", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 4194304);
	assert_int_equal(json_get_u64(o, "static_max_kib", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 4194304);
	assert_int_equal(json_get_u64(o, "weight", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 8000);
	assert_int_equal(json_get_u64(o, "buffer_pct", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 20);
	assert_int_equal(json_get_bool(o, "managed", &b), 0);
	assert_true(b);
	assert_int_equal(json_get_str(o, "state", &s), 0);
	assert_string_equal(s, "ok");
	assert_int_equal(json_get_str(o, "demand_source", &s), 0);
	assert_string_equal(s, "xe-guest-utilities");
	assert_int_equal(json_get_u64(o, "demand_age_s", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(json_get_str(o, "balloon_mode", &s), 0);
	assert_string_equal(s, "auto");
	assert_int_equal(json_get_str(o, "balloon", &s), 0);
	assert_string_equal(s, "yes");

	o = root->u.array.values[1];
	assert_true(YAJL_IS_NULL(json_get(o, "demand_age_s")));
	assert_true(YAJL_IS_NULL(json_get(o, "balloon")));
	assert_int_equal(json_get_str(o, "demand_source", &s), 0);
	assert_string_equal(s, "none");
	assert_true(YAJL_IS_NULL(json_get(o, "current_kib")));
	assert_true(YAJL_IS_NULL(json_get(o, "demand_kib")));
	assert_true(YAJL_IS_NULL(json_get(o, "static_max_kib")));
	assert_true(YAJL_IS_NULL(json_get(o, "balloon_state")));
	assert_int_equal(json_get_u64(o, "min_kib", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 262144);
	assert_int_equal(json_get_str(o, "state", &s), 0);
	assert_string_equal(s, "unmanaged");
	json_free(root);
	free(out);
}

/* An empty host is an empty array. */
static void fmt_list_json_empty_test(void **state)
{
	char err[JSON_ERR_LEN];
	struct capture c;
	yajl_val root;
	char *out;

	cap_open(&c);
	assert_int_equal(fmt_list_json(c.f, NULL, 0), 0);
	out = cap_close(&c);
	root = json_parse(out, err, sizeof(err));
	free(out);
	assert_non_null(root);
	assert_true(YAJL_IS_ARRAY(root));
	assert_int_equal(root->u.array.len, 0);
	json_free(root);
}

/* The derived state, in priority order. */
static void model_derive_state_test(void **state)
{
	struct xmem_dom d = dom_web1();

	assert_string_equal(model_derive_state(&d), "ok");
	strcpy(d.balloon_state, "working");
	assert_string_equal(model_derive_state(&d), "ballooning");
	strcpy(d.balloon_state, "backoff");
	assert_string_equal(model_derive_state(&d), "ballooning");
	strcpy(d.balloon_state, "gave-up");
	assert_string_equal(model_derive_state(&d), "uncooperative");
	strcpy(d.balloon_state, "done");
	d.uncooperative = 1;
	assert_string_equal(model_derive_state(&d), "uncooperative");
	d.uncooperative = 0;
	d.balloon_state[0] = '\0';
	assert_string_equal(model_derive_state(&d), "no-balloon");
	d.feature_balloon = 1;
	assert_string_equal(model_derive_state(&d), "ok");
	d.managed = 0;
	assert_string_equal(model_derive_state(&d), "unmanaged");
}

/* Policy defaults: range = target, weight 5000, buffer 20. */
static void model_defaults_test(void **state)
{
	struct xmem_dom d = dom_bare();

	assert_int_equal(model_min_kib(&d), 262144);
	assert_int_equal(model_max_kib(&d), 262144);
	assert_int_equal(model_weight(&d), 5000);
	assert_int_equal(model_buffer_pct(&d), 20);
}

static struct xmem_hostinfo host_sample(void)
{
	struct xmem_hostinfo hi;

	memset(&hi, 0, sizeof(hi));
	hi.have_hv = 1;
	hi.total_kib = 16 * 1024 * 1024;
	hi.free_kib = 3 * 1024 * 1024;
	hi.claimed_kib = 0;
	hi.reserved_kib = 1024 * 1024;
	hi.floor_kib = 262144;
	strcpy(hi.xmemd_state, "running");
	hi.xmemd_pid = 4242;
	strcpy(hi.xmemd_policy, "default");
	hi.last_rebalance_ms = 1800000000000ull;
	hi.nr_domains = 3;
	hi.nr_managed = 2;
	hi.sum_target_kib = 9 * 1024 * 1024;
	hi.sum_demand_kib = 6 * 1024 * 1024;
	hi.reclaimed_kib = 2 * 1024 * 1024;
	return hi;
}

/* info as xl info's "key : value" lines. */
static void fmt_info_text_test(void **state)
{
	struct xmem_hostinfo hi = host_sample();
	struct capture c;
	char *out;

	cap_open(&c);
	fmt_info(c.f, &hi, 1800000005000ull);
	out = cap_close(&c);
	assert_string_equal(out, "total_memory          : 16384\n"
				 "free_memory           : 3072\n"
				 "claimed_memory        : 0\n"
				 "reserved_memory       : 1024\n"
				 "host_floor            : 256\n"
				 "xmemd                 : running (pid 4242)\n"
				 "xmemd_policy          : default\n"
				 "last_rebalance        : 2027-01-15 08:00:00 UTC (5 s ago)\n"
				 "domains               : 3 (2 managed)\n"
				 "sum_of_targets        : 9216\n"
				 "sum_of_demand         : 6144\n"
				 "memory_reclaimed      : 2048\n");
	free(out);
	hi.last_rebalance_ms = XMEM_UNSET;
	strcpy(hi.xmemd_state, "not running");
	cap_open(&c);
	fmt_info(c.f, &hi, 0);
	out = cap_close(&c);
	assert_non_null(strstr(out, "xmemd                 : not running\n"));
	assert_non_null(strstr(out, "last_rebalance        : never\n"));
	free(out);
}

/* info --json has the members the issue names, and xmemd's state inside "xmemd". */
static void fmt_info_json_test(void **state)
{
	struct xmem_hostinfo hi = host_sample();
	char err[JSON_ERR_LEN];
	struct capture c;
	yajl_val root, x;
	uint64_t v;
	const char *s;
	char *out;

	hi.claimed_kib = XMEM_UNSET;
	cap_open(&c);
	assert_int_equal(fmt_info_json(c.f, &hi), 0);
	out = cap_close(&c);
	root = json_parse(out, err, sizeof(err));
	assert_non_null(root);
	assert_int_equal(json_get_u64(root, "total_kib", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 16 * 1024 * 1024);
	assert_int_equal(json_get_u64(root, "free_kib", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 3 * 1024 * 1024);
	assert_true(YAJL_IS_NULL(json_get(root, "claimed_kib")));
	assert_int_equal(json_get_u64(root, "reserved_kib", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 1024 * 1024);
	x = json_get(root, "xmemd");
	assert_non_null(x);
	assert_int_equal(json_get_str(x, "state", &s), 0);
	assert_string_equal(s, "running");
	assert_int_equal(json_get_u64(x, "pid", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 4242);
	assert_int_equal(json_get_u64(root, "reclaimed_kib", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 2 * 1024 * 1024);
	json_free(root);
	free(out);
}

/* Reservations: table and JSON. */
static void fmt_resv_test(void **state)
{
	struct xmem_resv r[1];
	char err[JSON_ERR_LEN];
	struct capture c;
	yajl_val root;
	const char *s;
	char *out;

	memset(r, 0, sizeof(r));
	strcpy(r[0].id, "100-0");
	r[0].size_kib = 2 * 1024 * 1024;
	strcpy(r[0].state, "failed");
	r[0].granted_kib = XMEM_UNSET;
	r[0].expires = 1800000000;
	r[0].domid = XMEM_UNSET;
	strcpy(r[0].reason, "minimums too high");
	cap_open(&c);
	assert_int_equal(fmt_resv_table(c.f, r, 1), 0);
	out = cap_close(&c);
	assert_string_equal(out,
			    "ID                       State       Size Granted For             "
			    "Expires Reason\n"
			    "100-0                    failed      2048       - -            "
			    "1800000000 minimums too high\n");
	free(out);
	cap_open(&c);
	assert_int_equal(fmt_resv_json(c.f, r, 1), 0);
	out = cap_close(&c);
	root = json_parse(out, err, sizeof(err));
	assert_non_null(root);
	assert_int_equal(json_get_str(root->u.array.values[0], "reason", &s), 0);
	assert_string_equal(s, "minimums too high");
	assert_true(YAJL_IS_NULL(json_get(root->u.array.values[0], "granted_kib")));
	assert_true(YAJL_IS_NULL(json_get(root->u.array.values[0], "for")));
	json_free(root);
	free(out);
}

/* Progress bars fill proportionally and never overflow. */
static void fmt_bar_test(void **state)
{
	char buf[16];

	assert_string_equal(fmt_bar(0, 100, 10, buf, sizeof(buf)), "[..........]");
	assert_string_equal(fmt_bar(50, 100, 10, buf, sizeof(buf)), "[#####.....]");
	assert_string_equal(fmt_bar(200, 100, 10, buf, sizeof(buf)), "[##########]");
	assert_string_equal(fmt_bar(1, 0, 4, buf, sizeof(buf)), "[####]");
	assert_string_equal(fmt_bar(1, 2, 20, buf, sizeof(buf)), "");
}

/* A policy as mem-policy prints it. */
static void fmt_policy_test(void **state)
{
	struct xmem_dom d = dom_web1();
	struct capture c;
	char *out;

	cap_open(&c);
	fmt_policy(c.f, &d);
	out = cap_close(&c);
	assert_string_equal(out, "domain                : web1 (3)\n"
				 "managed               : on\n"
				 "min                   : 512\n"
				 "max                   : 4096\n"
				 "startup               : 1024\n"
				 "target                : 1024\n"
				 "static_max            : 4096\n"
				 "boot_max              : 4096\n"
				 "hotplug               : yes\n"
				 "weight                : 8000\n"
				 "buffer_pct            : 20\n"
				 "balloon               : auto (xmemd: yes)\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fmt_mib_test),
		cmocka_unit_test(fmt_list_table_test),
		cmocka_unit_test(fmt_list_json_test),
		cmocka_unit_test(fmt_list_json_empty_test),
		cmocka_unit_test(model_derive_state_test),
		cmocka_unit_test(model_defaults_test),
		cmocka_unit_test(fmt_info_text_test),
		cmocka_unit_test(fmt_info_json_test),
		cmocka_unit_test(fmt_resv_test),
		cmocka_unit_test(fmt_bar_test),
		cmocka_unit_test(fmt_policy_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
