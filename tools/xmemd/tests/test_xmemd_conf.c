/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/xmemd/conf.c (the configuration file) and publish.c's metrics text. */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../conf.h"
#include "../publish.h"
#include "policy/policy.h"
#include "xmem_err.h"

static char path[] = "/tmp/xmemd-conf-XXXXXX";

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	strcpy(path, "/tmp/xmemd-conf-XXXXXX");
	return 0;
}

/* Every member is read; sizes take xl's suffixes. */
static void conf_reads_members_test(void **state)
{
	struct conf c;
	char err[256];

	write_file("{\"period_ms\": 250, \"floor\": \"1G\", \"policy\": \"static\","
		   " \"prometheus_file\": \"/tmp/x.prom\", \"pid_file\": \"/run/x.pid\"}");
	conf_defaults(&c);
	assert_int_equal(conf_load(&c, path, 0, err, sizeof(err)), 0);
	assert_int_equal(c.period_ms, 250);
	assert_int_equal(c.floor_kib, 1024 * 1024);
	assert_string_equal(c.policy, "static");
	assert_string_equal(c.prometheus_file, "/tmp/x.prom");
	assert_string_equal(c.pid_file, "/run/x.pid");
}

/* Absent members keep their defaults; a missing default file is fine. */
static void conf_defaults_test(void **state)
{
	struct conf c;
	char err[256];

	write_file("{}");
	conf_defaults(&c);
	assert_int_equal(conf_load(&c, path, 0, err, sizeof(err)), 0);
	assert_int_equal(c.period_ms, CONF_PERIOD_MS_DEFAULT);
	assert_int_equal(c.floor_kib, CONF_FLOOR_KIB_DEFAULT);
	assert_int_equal(conf_load(&c, "/nonexistent/xmemd.json", 1, err, sizeof(err)), 0);
	assert_true(conf_load(&c, "/nonexistent/xmemd.json", 0, err, sizeof(err)) < 0);
}

/* Bad input is refused with a message naming the member. */
static void conf_rejects_bad_input_test(void **state)
{
	struct conf c;
	char err[256];

	conf_defaults(&c);
	write_file("{\"period_ms\": 1}");
	assert_int_equal(conf_load(&c, path, 0, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "period_ms"));
	write_file("{\"floor\": \"lots\"}");
	assert_int_equal(conf_load(&c, path, 0, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "floor"));
	write_file("{\"flor\": 5}");
	assert_int_equal(conf_load(&c, path, 0, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "flor"));
	write_file("[1, 2]");
	assert_int_equal(conf_load(&c, path, 0, err, sizeof(err)), XMEM_ERR_INVAL);
	write_file("{\"period_ms\": ");
	assert_true(conf_load(&c, path, 0, err, sizeof(err)) < 0);
}

/* The metrics text has the host and per-domain families, with escaped labels. */
static void publish_prometheus_text_test(void **state)
{
	struct publish_host h;
	struct publish_dom d[1];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	memset(&h, 0, sizeof(h));
	memset(d, 0, sizeof(d));
	h.total_kib = 4096;
	h.free_kib = 1024;
	d[0].domid = 5;
	strcpy(d[0].name, "we\"b");
	d[0].target_kib = 2048;
	d[0].uncooperative = 1;
	d[0].pressure_pct = 7;
	strcpy(d[0].state, "ok");
	h.now_unix_ms = 1700000000123ull;
	assert_int_equal(publish_prometheus(f, &h, d, 1), 0);
	fclose(f);
	assert_non_null(strstr(buf, "xmem_host_total_bytes 4194304\n"));
	assert_non_null(strstr(buf, "xmem_host_free_bytes 1048576\n"));
	assert_non_null(
		strstr(buf, "xmem_domain_target_bytes{domid=\"5\",name=\"we\\\"b\"} 2097152\n"));
	assert_non_null(
		strstr(buf, "xmem_domain_pressure_ratio{domid=\"5\",name=\"we\\\"b\"} 0.07\n"));
	assert_non_null(
		strstr(buf, "xmem_domain_state{domid=\"5\",name=\"we\\\"b\",state=\"ok\"} 1\n"));
	assert_non_null(strstr(buf, "\nxmemd_up 1\n"));
	assert_non_null(strstr(buf, "\nxmemd_last_rebalance_timestamp_seconds 1700000000.123\n"));
	assert_null(strstr(buf, "_kib"));
	assert_non_null(strstr(buf, "xmem_domain_uncooperative{domid=\"5\",name=\"we\\\"b\"} 1\n"));
	free(buf);
}

/* Allocatable: free minus floor and holds, plus what squeezing driven guests frees. */
static void publish_allocatable_test(void **state)
{
	struct publish_host h;
	struct publish_dom d[3];
	uint64_t a[3];

	memset(&h, 0, sizeof(h));
	memset(d, 0, sizeof(d));
	h.free_kib = 1000;
	h.floor_kib = 100;
	h.reserved_kib = 200;
	/* Driven: 500 above its 300 demand, 700 above its 100 minimum. */
	d[0] = (struct publish_dom){
		.current_kib = 800, .demand_kib = 300, .min_kib = 100, .squeezable = 1
	};
	/* Driven, demand under its minimum: down to the minimum only. */
	d[1] = (struct publish_dom){
		.current_kib = 400, .demand_kib = 50, .min_kib = 150, .squeezable = 1
	};
	/* Not driven (uncooperative, or no balloon): counts for nothing. */
	d[2] = (struct publish_dom){ .current_kib = 5000, .demand_kib = 10, .min_kib = 10 };
	publish_allocatable(&h, d, 3, a);
	assert_int_equal(a[0], 700);
	assert_int_equal(a[1], 700 + 500 + 250);
	assert_int_equal(a[2], 700 + 700 + 250);
	h.free_kib = 250; /* less free than floor + holds: none, not a wrap-around */
	publish_allocatable(&h, d, 0, a);
	assert_int_equal(a[0], 0);
}

/* A policy by name is policy_dir/NAME.json when it exists, else built in; else refused. */
static void conf_policy_by_name_test(void **state)
{
	char dir[] = "/tmp/xmemd-pdir-XXXXXX", file[128], where[CONF_WHERE_MAX], err[512];
	struct conf c;
	struct policy pol;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	conf_defaults(&c);
	assert_string_equal(c.policy_dir, CONF_POLICY_DIR_DEFAULT);
	snprintf(c.policy_dir, sizeof(c.policy_dir), "%s", dir);
	snprintf(c.policy, sizeof(c.policy), "static");
	assert_int_equal(conf_policy(&c, &pol, where, sizeof(where), err, sizeof(err)), 0);
	assert_int_equal(pol.kind, POLICY_STATIC);
	assert_string_equal(where, "built-in");

	snprintf(file, sizeof(file), "%s/static.json", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs("{ \"policy\": \"proportional\", \"name\": \"site\" }", f);
	fclose(f);
	assert_int_equal(conf_policy(&c, &pol, where, sizeof(where), err, sizeof(err)), 0);
	assert_int_equal(pol.kind, POLICY_PROPORTIONAL);
	assert_string_equal(pol.name, "site");
	assert_string_equal(where, file);

	/* A bad file is refused and the caller's policy left alone. */
	f = fopen(file, "w");
	assert_non_null(f);
	fputs("{ \"policy\": \"xmem\", \"deadband_pct\": 1000 }", f);
	fclose(f);
	assert_true(conf_policy(&c, &pol, where, sizeof(where), err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "deadband_pct"));
	assert_string_equal(pol.name, "site");
	unlink(file);

	snprintf(c.policy, sizeof(c.policy), "nosuch");
	assert_true(conf_policy(&c, &pol, NULL, 0, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "nosuch"));
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(conf_reads_members_test, setup, teardown),
		cmocka_unit_test_setup_teardown(conf_defaults_test, setup, teardown),
		cmocka_unit_test_setup_teardown(conf_rejects_bad_input_test, setup, teardown),
		cmocka_unit_test(publish_prometheus_text_test),
		cmocka_unit_test(conf_policy_by_name_test),
		cmocka_unit_test(publish_allocatable_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
