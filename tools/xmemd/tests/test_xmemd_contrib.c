/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checks of contrib/: the Grafana dashboard is a dashboard (panels with
 * titles, positions and Prometheus queries), every metric its queries and the
 * alerting rules name is one xmemd writes (publish_prometheus), and every
 * query is PromQL that promtool accepts (written as recording rules to a
 * temporary file and checked with `promtool check rules`).
 */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../publish.h"
#include "json.h"

#define DASHBOARD XMEM_SRCDIR "/contrib/grafana/xmem-dashboard.json"
#define ALERTS	  XMEM_SRCDIR "/contrib/prometheus/xmem-alerts.yml"

/* The metrics text xmemd writes for a small host. */
static char *metrics_text(void)
{
	struct publish_host h;
	struct publish_dom d[1];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	memset(&h, 0, sizeof(h));
	memset(d, 0, sizeof(d));
	h.total_kib = 1 << 20;
	strcpy(d[0].name, "g");
	strcpy(d[0].state, "ok");
	assert_int_equal(publish_prometheus(f, &h, d, 1), 0);
	fclose(f);
	return buf;
}

/* Every xmem_ / xmemd_ name in text is a family of metrics; returns how many names. */
static int check_names(const char *text, const char *metrics, const char *where)
{
	const char *p = text;
	char name[128], type[160];
	int n = 0;
	size_t len;

	while ((p = strstr(p, "xmem"))) {
		if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '-')) {
			p += 4;
			continue;
		}
		len = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
		if (len < 6 || len >= sizeof(name) ||
		    (strncmp(p, "xmem_", 5) && strncmp(p, "xmemd_", 6))) {
			p += 4;
			continue;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		snprintf(type, sizeof(type), "# TYPE %s ", name);
		if (!strstr(metrics, type))
			fail_msg("%s names %s, which xmemd does not write", where, name);
		n++;
		p += len;
	}
	return n;
}

/* Read a whole file. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

/* The alerting rules name only metrics xmemd writes. */
static void contrib_alert_names_test(void **state)
{
	char *metrics = metrics_text(), *rules = slurp(ALERTS);

	assert_true(check_names(rules, metrics, ALERTS) >= 5);
	free(rules);
	free(metrics);
}

/* Write one panel's queries as recording rules, numbered from *nr_r on. */
static void panel_queries(yajl_val panel, const char *metrics, FILE *rules, int *nr_r)
{
	yajl_val targets = json_get(panel, "targets");
	const char *title = NULL, *expr = NULL;
	size_t i;

	assert_int_equal(json_get_str(panel, "title", &title), 0);
	assert_true(title[0] != '\0');
	assert_non_null(json_get(panel, "gridPos"));
	assert_true(targets && YAJL_IS_ARRAY(targets) && targets->u.array.len > 0);
	for (i = 0; i < targets->u.array.len; i++) {
		assert_int_equal(json_get_str(targets->u.array.values[i], "expr", &expr), 0);
		assert_true(check_names(expr, metrics, title) >= 1);
		assert_null(strchr(expr, '\'')); /* written single-quoted below */
		fprintf(rules, "      - record: xmem_dashboard_query_%d\n        expr: '%s'\n",
			*nr_r, expr);
		(*nr_r)++;
	}
}

/* The dashboard: panels with titles and queries on xmemd's metrics, all valid PromQL. */
static void contrib_dashboard_test(void **state)
{
	char err[256], path[] = "/tmp/xmem-dashboard-rules-XXXXXX", cmd[512];
	char *metrics = metrics_text();
	yajl_val root = json_parse_file(DASHBOARD, err, sizeof(err));
	yajl_val panels;
	const char *title = NULL;
	FILE *rules;
	size_t i;
	int fd, rc, n = 0;

	if (!root)
		fail_msg("%s", err);
	assert_int_equal(json_get_str(root, "title", &title), 0);
	assert_int_equal(json_get_str(root, "uid", &title), 0);
	panels = json_get(root, "panels");
	assert_true(panels && YAJL_IS_ARRAY(panels) && panels->u.array.len >= 6);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	rules = fdopen(fd, "w");
	assert_non_null(rules);
	fprintf(rules, "groups:\n  - name: dashboard\n    rules:\n");
	for (i = 0; i < panels->u.array.len; i++)
		panel_queries(panels->u.array.values[i], metrics, rules, &n);
	fclose(rules);
	snprintf(cmd, sizeof(cmd), "promtool check rules %s >&2", path);
	rc = system("command -v promtool >/dev/null 2>&1") ? -1 : system(cmd);
	unlink(path);
	assert_true(n >= 10);
	if (rc < 0)
		fail_msg("promtool missing (apt-get install prometheus)");
	assert_int_equal(rc, 0);
	json_free(root);
	free(metrics);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(contrib_alert_names_test),
		cmocka_unit_test(contrib_dashboard_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
