/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/simhost/scenario.c: parsing and validation with field-naming errors. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../tests/cmocka_all.h"

#include "scenario.h"
#include "xmem_err.h"

#define GUEST_OK "{\"name\": \"g1\", \"static-max\": \"4G\", \"startup\": \"1G\"}"

/* Parse text with base "/nonexistent"; assert failure whose message contains want. */
static void expect_error(const char *text, const char *want)
{
	char err[SCENARIO_ERR_LEN] = "";
	struct scenario *sc = scenario_from_json(text, "/nonexistent", err, sizeof(err));

	if (sc) {
		scenario_free(sc);
		fail_msg("accepted: %s", text);
	}
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
}

/* A full guest is read with its sizes, defaults applied to the rest. */
static void scenario_parse_full_test(void **state)
{
	char err[SCENARIO_ERR_LEN];
	struct scenario *sc;

	(void)state;
	sc = scenario_from_json(
		"{\"name\": \"t\", \"memory\": \"8G\", \"dom0\": \"1G\", \"floor\": \"256M\","
		" \"time-scale\": 60, \"period-ms\": 500, \"guests\": ["
		"{\"name\": \"web1\", \"static-max\": \"4G\", \"startup\": \"1G\", \"min\": "
		"\"256M\","
		" \"max\": \"2G\", \"weight\": 8000, \"buffer\": 30, \"workload\": "
		"\"steady:512M\"},"
		"{\"name\": \"db\", \"static-max\": 2097152, \"startup\": \"512M\"}]}",
		"/nonexistent", err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_string_equal(sc->name, "t");
	assert_int_equal(sc->memory_kib, 8 * 1024 * 1024);
	assert_int_equal(sc->dom0_kib, 1024 * 1024);
	assert_true(sc->has_floor);
	assert_int_equal(sc->floor_kib, 256 * 1024);
	assert_int_equal(sc->period_ms, 500);
	assert_true(sc->time_scale > 59.9 && sc->time_scale < 60.1);
	assert_int_equal(sc->nr_guests, 2);
	assert_string_equal(sc->guests[0].name, "web1");
	assert_int_equal(sc->guests[0].static_max_kib, 4 * 1024 * 1024);
	assert_int_equal(sc->guests[0].startup_kib, 1024 * 1024);
	assert_int_equal(sc->guests[0].min_kib, 256 * 1024);
	assert_int_equal(sc->guests[0].max_kib, 2 * 1024 * 1024);
	assert_int_equal(sc->guests[0].weight, 8000);
	assert_int_equal(sc->guests[0].buffer_pct, 30);
	assert_true(sc->guests[0].managed);
	assert_string_equal(sc->guests[0].workload, "steady:512M");
	/* Defaults: min = startup, max = static-max, weight 5000, buffer 20, idle. */
	assert_int_equal(sc->guests[1].static_max_kib, 2097152);
	assert_int_equal(sc->guests[1].min_kib, 512 * 1024);
	assert_int_equal(sc->guests[1].max_kib, 2097152);
	assert_int_equal(sc->guests[1].weight, 5000);
	assert_int_equal(sc->guests[1].buffer_pct, 20);
	assert_string_equal(sc->guests[1].workload, "idle");
	assert_int_equal(scenario_startup_total_kib(sc), 1536 * 1024);
	assert_false(sc->policy);
	scenario_free(sc);
}

/* Each invalid field gives an error naming it (and the guest). */
static void scenario_errors_name_the_field_test(void **state)
{
	(void)state;
	expect_error("[1]", "object");
	expect_error("{\"memory\": ", "not valid JSON");
	expect_error("{\"guests\": []}", "memory: missing");
	expect_error("{\"memory\": \"lots\", \"guests\": []}", "memory: expected a size");
	expect_error("{\"memory\": \"8G\"}", "guests: missing");
	expect_error("{\"memory\": \"8G\", \"guests\": {}}", "guests: expected a list");
	expect_error("{\"memory\": \"8G\", \"gusets\": []}", "unknown field \"gusets\"");
	expect_error("{\"memory\": \"8G\", \"time-scale\": 0, \"guests\": []}", "time-scale");
	expect_error("{\"memory\": \"8G\", \"period-ms\": 0, \"guests\": []}", "period-ms");
	expect_error("{\"memory\": \"8G\", \"policy\": \"no-such.json\", \"guests\": []}",
		     "policy: cannot read /nonexistent/no-such.json");
	expect_error("{\"memory\": \"8G\", \"guests\": [7]}", "guests[0]: expected an object");
	expect_error("{\"memory\": \"8G\", \"guests\": [{\"static-max\": \"1G\"}]}",
		     "guests[0].name: missing");
	expect_error("{\"memory\": \"8G\", \"guests\": [{\"name\": \"a b\", \"static-max\": 1}]}",
		     "guests[0].name: expected");
	expect_error("{\"memory\": \"8G\", \"guests\": [{\"name\": \"a\"}]}",
		     "guests[0] (a).static-max: missing");
	expect_error("{\"memory\": \"8G\", \"guests\": [{\"name\": \"a\", \"static-max\": \"1G\", "
		     "\"wieght\": 5}]}",
		     "guests[0]: unknown field \"wieght\"");
	expect_error("{\"memory\": \"8G\", \"guests\": [{\"name\": \"a\", \"static-max\": \"1G\", "
		     "\"weight\": 10001}]}",
		     "guests[0] (a).weight: expected an integer from 0 to 10000");
	expect_error("{\"memory\": \"8G\", \"guests\": [{\"name\": \"a\", \"static-max\": \"1G\", "
		     "\"buffer\": 2}]}",
		     "guests[0] (a).buffer");
	expect_error("{\"memory\": \"8G\", \"guests\": [{\"name\": \"a\", \"static-max\": \"1G\", "
		     "\"startup\": \"2G\"}]}",
		     "guests[0] (a).startup: 2G is above max (1G)");
	expect_error("{\"memory\": \"8G\", \"guests\": [{\"name\": \"a\", \"static-max\": \"1G\", "
		     "\"max\": \"2G\"}]}",
		     "guests[0] (a).max: 2G is above static-max");
	expect_error("{\"memory\": \"8G\", \"guests\": [{\"name\": \"a\", \"static-max\": \"1G\", "
		     "\"startup\": \"512M\", \"min\": \"768M\"}]}",
		     "guests[0] (a).min: 768M is above startup");
	expect_error("{\"memory\": \"8G\", \"guests\": [{\"name\": \"a\", \"static-max\": \"1G\", "
		     "\"managed\": 1}]}",
		     "guests[0] (a).managed");
	expect_error("{\"memory\": \"8G\", \"guests\": [{\"name\": \"a\", \"static-max\": \"1G\", "
		     "\"workload\": \"wave:3\"}]}",
		     "guests[0] (a).workload: unknown workload");
	expect_error("{\"memory\": \"8G\", \"guests\": [{\"name\": \"a\", \"static-max\": \"1G\", "
		     "\"workload\": \"trace:missing.csv:rnd-6\"}]}",
		     "guests[0] (a).workload: cannot read trace file /nonexistent/missing.csv");
	expect_error("{\"memory\": \"8G\", \"guests\": [" GUEST_OK ", " GUEST_OK "]}",
		     "guests[1].name: \"g1\" is also guests[0]'s name");
	expect_error("{\"memory\": \"2G\", \"floor\": \"512M\", \"guests\": [" GUEST_OK
		     ", {\"name\": \"g2\", \"static-max\": \"1G\"}]}",
		     "guests: startup sizes plus dom0 and floor need 2.5G, more than memory (2G)");
}

/* Workload specs follow xmem-balloon's syntax. */
static void scenario_workload_check_test(void **state)
{
	char err[SCENARIO_ERR_LEN];

	(void)state;
	assert_int_equal(scenario_workload_check("idle", err, sizeof(err)), 0);
	assert_int_equal(scenario_workload_check("steady:1G", err, sizeof(err)), 0);
	assert_int_equal(scenario_workload_check("ramp:256M:2G:600", err, sizeof(err)), 0);
	assert_int_equal(scenario_workload_check("spike:256M:2G:600:60", err, sizeof(err)), 0);
	assert_int_equal(scenario_workload_check("trace:/a/b.csv.gz:rnd-6", err, sizeof(err)), 0);
	assert_int_equal(scenario_workload_check("steady", err, sizeof(err)), XMEM_ERR_INVAL);
	assert_int_equal(scenario_workload_check("steady:x", err, sizeof(err)), XMEM_ERR_INVAL);
	assert_int_equal(scenario_workload_check("ramp:1G:2G", err, sizeof(err)), XMEM_ERR_INVAL);
	assert_int_equal(scenario_workload_check("ramp:1G:2G:-5", err, sizeof(err)),
			 XMEM_ERR_INVAL);
	assert_int_equal(scenario_workload_check("spike:1G:2G:60:600", err, sizeof(err)),
			 XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "LENGTH_S"));
	assert_int_equal(scenario_workload_check("trace:file", err, sizeof(err)), XMEM_ERR_INVAL);
	assert_int_equal(scenario_workload_check("trace:file:", err, sizeof(err)), XMEM_ERR_INVAL);
}

/* Trace files resolve against the scenario's directory; save and load round-trip. */
static void scenario_file_roundtrip_test(void **state)
{
	char dir[] = "/tmp/test_scenario.XXXXXX", path[256], trace[256], saved[512];
	char err[SCENARIO_ERR_LEN];
	struct scenario *sc, *again;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(trace, sizeof(trace), "%s/t.csv", dir);
	f = fopen(trace, "w");
	assert_non_null(f);
	fputs("vm_id,t_seconds,mem_used_kib,mem_provisioned_kib\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/s.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"name\": \"rt\", \"memory\": \"4G\", \"guests\": [{\"name\": \"a\","
	      " \"static-max\": \"1G\", \"startup\": \"512M\", \"workload\": "
	      "\"trace:t.csv:vm-1\"}]}",
	      f);
	fclose(f);
	sc = scenario_load(path, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	snprintf(saved, sizeof(saved), "trace:%s:vm-1", trace);
	assert_string_equal(sc->guests[0].workload, saved);
	assert_string_equal(sc->path, path);
	snprintf(saved, sizeof(saved), "%s/saved.json", dir);
	assert_int_equal(scenario_save(sc, saved), 0);
	again = scenario_load(saved, err, sizeof(err));
	if (!again)
		fail_msg("%s", err);
	assert_string_equal(again->name, "rt");
	assert_int_equal(again->memory_kib, sc->memory_kib);
	assert_int_equal(again->guests[0].startup_kib, sc->guests[0].startup_kib);
	assert_string_equal(again->guests[0].workload, sc->guests[0].workload);
	scenario_free(again);
	scenario_free(sc);
	/* A missing file names itself. */
	snprintf(path, sizeof(path), "%s/none.json", dir);
	assert_null(scenario_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "none.json"));
	unlink(saved);
	unlink(trace);
	snprintf(path, sizeof(path), "%s/s.json", dir);
	unlink(path);
	rmdir(dir);
}

/* The committed scenarios are valid. */
static void scenario_committed_files_test(void **state)
{
	static const char *const files[] = { "scenarios/small.json", "scenarios/demo.json" };
	char path[1024], err[SCENARIO_ERR_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct scenario *sc;

		snprintf(path, sizeof(path), "%s/%s", XMEM_SRCDIR, files[i]);
		sc = scenario_load(path, err, sizeof(err));
		if (!sc && strstr(err, "cannot read trace file"))
			continue; /* traces live outside the repository */
		if (!sc)
			fail_msg("%s", err);
		assert_true(sc->nr_guests > 0);
		scenario_free(sc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scenario_parse_full_test),
		cmocka_unit_test(scenario_errors_name_the_field_test),
		cmocka_unit_test(scenario_workload_check_test),
		cmocka_unit_test(scenario_file_roundtrip_test),
		cmocka_unit_test(scenario_committed_files_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
