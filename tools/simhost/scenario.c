/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * scenario.c: loading and validating scenario files (see scenario.h).
 *
 * Every error names the field it is about, with the guest's index, so a
 * scenario author can find it: "guests[3].startup: 6G is above max (4G)".
 * Unknown fields are errors too: a typo must not silently become a default.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "scenario.h"
#include "simdom.h"
#include "size.h"
#include "xmem_err.h"

static const char *const scenario_fields[] = { "name",	 "memory",     "dom0",	    "floor",
					       "policy", "time-scale", "period-ms", "guests",
					       "about",	 "source",     NULL };
static const char *const scenario_guest_fields[] = { "name",	"static-max", "startup", "min",
						     "max",	"weight",     "buffer",	 "workload",
						     "managed", "hvm",	      "agent",	 NULL };

/* Format a message into err. */
static void scenario_err(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void scenario_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

/* 0 when every key of obj is in fields; else names the first unknown one. */
static int scenario_known_fields(yajl_val obj, const char *const *fields, const char *where,
				 char *err, size_t err_len)
{
	size_t i, k;

	for (i = 0; i < obj->u.object.len; i++) {
		const char *key = obj->u.object.keys[i];
		int known = 0;

		for (k = 0; fields[k] && !known; k++)
			known = strcmp(fields[k], key) == 0;
		if (!known) {
			scenario_err(err, err_len, "%s%sunknown field \"%s\"", where,
				     where[0] ? ": " : "", key);
			return XMEM_ERR_INVAL;
		}
	}
	return 0;
}

/* Read a size member; absent leaves *kib_r. Errors name where.key. */
static int scenario_size(yajl_val obj, const char *key, const char *where, int required,
			 uint64_t *kib_r, char *err, size_t err_len)
{
	int rc = json_get_size_kib(obj, key, kib_r);

	if (rc == XMEM_ERR_NOTFOUND && !required)
		return 0;
	if (rc == XMEM_ERR_NOTFOUND) {
		scenario_err(err, err_len, "%s%s: missing (a size such as \"4G\")", where, key);
		return XMEM_ERR_INVAL;
	}
	if (rc) {
		scenario_err(
			err, err_len,
			"%s%s: expected a size (KiB as a number, or a string such as \"512M\")",
			where, key);
		return XMEM_ERR_INVAL;
	}
	return 0;
}

/* Make name absolute against base (when relative). NULL when out of memory. */
static char *scenario_abs(const char *base, const char *name)
{
	char *out = NULL;

	if (name[0] == '/' || !base)
		return strdup(name);
	if (asprintf(&out, "%s/%s", base, name) < 0)
		return NULL;
	return out;
}

/* Parse a positive decimal number (seconds). */
static int scenario_seconds(const char *s, double *val_r)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !(d > 0) || d > 1e9)
		return -1;
	*val_r = d;
	return 0;
}

int scenario_workload_check(const char *spec, char *err, size_t err_len)
{
	char buf[PATH_MAX + 128];
	char *parts[6];
	size_t nr = 0;
	char *p, *colon;
	uint64_t a, b;
	double s1, s2;

	if (strcmp(spec, "idle") == 0)
		return 0;
	if (strncmp(spec, "trace:", 6) == 0) {
		colon = strrchr(spec + 6, ':');
		if (!colon || colon == spec + 6 || !colon[1]) {
			scenario_err(err, err_len, "expected trace:FILE:VM_ID, got \"%s\"", spec);
			return XMEM_ERR_INVAL;
		}
		return 0;
	}
	if (strlen(spec) >= sizeof(buf)) {
		scenario_err(err, err_len, "workload too long");
		return XMEM_ERR_INVAL;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	for (p = buf; nr < 6;) {
		parts[nr++] = p;
		colon = strchr(p, ':');
		if (!colon)
			break;
		*colon = '\0';
		p = colon + 1;
	}
	if (strcmp(parts[0], "steady") == 0) {
		if (nr != 2 || size_parse_kib(parts[1], &a)) {
			scenario_err(err, err_len, "expected steady:SIZE, got \"%s\"", spec);
			return XMEM_ERR_INVAL;
		}
		return 0;
	}
	if (strcmp(parts[0], "ramp") == 0) {
		if (nr != 4 || size_parse_kib(parts[1], &a) || size_parse_kib(parts[2], &b) ||
		    scenario_seconds(parts[3], &s1)) {
			scenario_err(err, err_len, "expected ramp:FROM:TO:SECONDS, got \"%s\"",
				     spec);
			return XMEM_ERR_INVAL;
		}
		return 0;
	}
	if (strcmp(parts[0], "spike") == 0) {
		if (nr != 5 || size_parse_kib(parts[1], &a) || size_parse_kib(parts[2], &b) ||
		    scenario_seconds(parts[3], &s1) || scenario_seconds(parts[4], &s2)) {
			scenario_err(err, err_len,
				     "expected spike:BASE:PEAK:PERIOD_S:LENGTH_S, got \"%s\"",
				     spec);
			return XMEM_ERR_INVAL;
		}
		if (s2 > s1) {
			scenario_err(err, err_len,
				     "spike: LENGTH_S (%g) is longer than PERIOD_S (%g)", s2, s1);
			return XMEM_ERR_INVAL;
		}
		return 0;
	}
	scenario_err(err, err_len,
		     "unknown workload \"%s\" (expected trace:FILE:VM_ID, steady:SIZE, "
		     "ramp:FROM:TO:SECONDS, spike:BASE:PEAK:PERIOD_S:LENGTH_S or idle)",
		     spec);
	return XMEM_ERR_INVAL;
}

/* The workload of a guest with its trace file made absolute and checked readable. */
static int scenario_workload(const char *spec, const char *base, const char *where, char **out_r,
			     char *err, size_t err_len)
{
	char msg[SCENARIO_ERR_LEN];
	char *file = NULL, *abs = NULL;
	const char *colon;
	int rc;

	rc = scenario_workload_check(spec, msg, sizeof(msg));
	if (rc) {
		scenario_err(err, err_len, "%sworkload: %s", where, msg);
		return rc;
	}
	if (strncmp(spec, "trace:", 6) != 0) {
		*out_r = strdup(spec);
		return *out_r ? 0 : XMEM_ERR_NOMEM;
	}
	colon = strrchr(spec + 6, ':');
	file = strndup(spec + 6, (size_t)(colon - (spec + 6)));
	if (!file)
		return XMEM_ERR_NOMEM;
	abs = scenario_abs(base, file);
	if (!abs) {
		rc = XMEM_ERR_NOMEM;
		goto out;
	}
	if (access(abs, R_OK) < 0) {
		scenario_err(err, err_len, "%sworkload: cannot read trace file %s: %s", where, abs,
			     strerror(errno));
		rc = XMEM_ERR_INVAL;
		goto out;
	}
	if (asprintf(out_r, "trace:%s%s", abs, colon) < 0) {
		rc = XMEM_ERR_NOMEM;
		goto out;
	}
	rc = 0;
out:
	free(file);
	free(abs);
	return rc;
}

/* guests[idx]'s sizes into g, each within the next: min <= startup <= max <= static-max. */
static int scenario_guest_sizes(yajl_val obj, const char *where, struct scenario_guest *g,
				char *err, size_t err_len)
{
	char fmt_a[SIZE_FMT_LEN], fmt_b[SIZE_FMT_LEN];
	int rc;

	rc = scenario_size(obj, "static-max", where, 1, &g->static_max_kib, err, err_len);
	if (rc)
		return rc;
	if (g->static_max_kib < 1024) {
		scenario_err(err, err_len, "%sstatic-max: expected at least 1M", where);
		return XMEM_ERR_INVAL;
	}
	g->startup_kib = g->static_max_kib;
	rc = scenario_size(obj, "startup", where, 0, &g->startup_kib, err, err_len);
	if (rc)
		return rc;
	g->max_kib = g->static_max_kib;
	rc = scenario_size(obj, "max", where, 0, &g->max_kib, err, err_len);
	if (rc)
		return rc;
	g->min_kib = g->startup_kib;
	rc = scenario_size(obj, "min", where, 0, &g->min_kib, err, err_len);
	if (rc)
		return rc;
	if (g->max_kib > g->static_max_kib) {
		scenario_err(err, err_len, "%smax: %s is above static-max (%s)", where,
			     size_format(g->max_kib, fmt_a, sizeof(fmt_a)),
			     size_format(g->static_max_kib, fmt_b, sizeof(fmt_b)));
		return XMEM_ERR_INVAL;
	}
	if (g->startup_kib > g->max_kib) {
		scenario_err(err, err_len, "%sstartup: %s is above max (%s)", where,
			     size_format(g->startup_kib, fmt_a, sizeof(fmt_a)),
			     size_format(g->max_kib, fmt_b, sizeof(fmt_b)));
		return XMEM_ERR_INVAL;
	}
	if (g->min_kib > g->startup_kib) {
		scenario_err(err, err_len, "%smin: %s is above startup (%s)", where,
			     size_format(g->min_kib, fmt_a, sizeof(fmt_a)),
			     size_format(g->startup_kib, fmt_b, sizeof(fmt_b)));
		return XMEM_ERR_INVAL;
	}
	if (g->min_kib < XMEM_PAGE_KIB) {
		scenario_err(err, err_len, "%smin: expected at least 4K", where);
		return XMEM_ERR_INVAL;
	}
	return 0;
}

/* guests[idx]'s policy and guest options into g, with their defaults. */
static int scenario_guest_options(yajl_val obj, const char *where, struct scenario_guest *g,
				  char *err, size_t err_len)
{
	const char *s = NULL;
	uint64_t u;
	int rc;

	u = 5000;
	rc = json_get_u64(obj, "weight", 0, SIMDOM_WEIGHT_MAX, &u);
	if (rc && rc != XMEM_ERR_NOTFOUND) {
		scenario_err(err, err_len, "%sweight: expected an integer from 0 to %d", where,
			     SIMDOM_WEIGHT_MAX);
		return XMEM_ERR_INVAL;
	}
	g->weight = (unsigned int)u;
	u = 20;
	rc = json_get_u64(obj, "buffer", SIMDOM_BUFFER_MIN, SIMDOM_BUFFER_MAX, &u);
	if (rc && rc != XMEM_ERR_NOTFOUND) {
		scenario_err(err, err_len, "%sbuffer: expected a percentage from %d to %d", where,
			     SIMDOM_BUFFER_MIN, SIMDOM_BUFFER_MAX);
		return XMEM_ERR_INVAL;
	}
	g->buffer_pct = (unsigned int)u;
	g->managed = 1;
	rc = json_get_bool(obj, "managed", &g->managed);
	if (rc && rc != XMEM_ERR_NOTFOUND) {
		scenario_err(err, err_len, "%smanaged: expected true or false", where);
		return XMEM_ERR_INVAL;
	}
	g->hvm = 0;
	rc = json_get_bool(obj, "hvm", &g->hvm);
	if (rc && rc != XMEM_ERR_NOTFOUND) {
		scenario_err(err, err_len, "%shvm: expected true or false", where);
		return XMEM_ERR_INVAL;
	}
	s = "xmem";
	rc = json_get_str(obj, "agent", &s);
	if ((rc && rc != XMEM_ERR_NOTFOUND) || !simdom_agent_ok(s)) {
		scenario_err(err, err_len, "%sagent: expected one of %s", where, SIMDOM_AGENTS);
		return XMEM_ERR_INVAL;
	}
	snprintf(g->agent, sizeof(g->agent), "%s", s);
	return 0;
}

/* Fill g from the guests[idx] object. */
static int scenario_guest(yajl_val obj, size_t idx, const char *base, struct scenario_guest *g,
			  char *err, size_t err_len)
{
	char where[64];
	const char *s = NULL;
	int rc;

	snprintf(where, sizeof(where), "guests[%zu]", idx);
	if (!YAJL_IS_OBJECT(obj)) {
		scenario_err(err, err_len, "%s: expected an object", where);
		return XMEM_ERR_INVAL;
	}
	rc = scenario_known_fields(obj, scenario_guest_fields, where, err, err_len);
	if (rc)
		return rc;
	snprintf(where, sizeof(where), "guests[%zu].", idx);

	rc = json_get_str(obj, "name", &s);
	if (rc || !s[0] || strlen(s) > SIMDOM_NAME_MAX ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz"
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789_.-") != strlen(s)) {
		scenario_err(err, err_len, "%sname: %s", where,
			     rc == XMEM_ERR_NOTFOUND
				     ? "missing"
				     : "expected 1 to 64 characters of [A-Za-z0-9_.-]");
		return XMEM_ERR_INVAL;
	}
	g->name = strdup(s);
	if (!g->name)
		return XMEM_ERR_NOMEM;
	snprintf(where, sizeof(where), "guests[%zu] (%s).", idx, g->name);

	rc = scenario_guest_sizes(obj, where, g, err, err_len);
	if (rc)
		return rc;
	rc = scenario_guest_options(obj, where, g, err, err_len);
	if (rc)
		return rc;
	s = "idle";
	rc = json_get_str(obj, "workload", &s);
	if (rc && rc != XMEM_ERR_NOTFOUND) {
		scenario_err(err, err_len, "%sworkload: expected a string", where);
		return XMEM_ERR_INVAL;
	}
	return scenario_workload(s, base, where, &g->workload, err, err_len);
}

/* A scenario's name: 1 to SCENARIO_NAME_MAX printable characters (it is printed and reported). */
static int scenario_name_ok(const char *s, char *err, size_t err_len)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > SCENARIO_NAME_MAX) {
		scenario_err(err, err_len, "name: expected 1 to %d characters, got %zu",
			     SCENARIO_NAME_MAX, len);
		return 0;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			scenario_err(err, err_len,
				     "name: a control character (0x%02x) at position %zu",
				     (unsigned char)s[i], i);
			return 0;
		}
	}
	return 1;
}

/*
 * The scenario's own fields into sc: name, host sizes and policy file. The
 * steps of scenario_from_json return 0, XMEM_ERR_NOMEM (not yet said) or
 * XMEM_ERR_INVAL (said in err).
 */
static int scenario_host(yajl_val root, const char *base, struct scenario *sc, char *err,
			 size_t err_len)
{
	const char *s;
	int rc;

	s = "scenario";
	rc = json_get_str(root, "name", &s);
	if (rc && rc != XMEM_ERR_NOTFOUND) {
		scenario_err(err, err_len, "name: expected a string");
		return XMEM_ERR_INVAL;
	}
	if (!scenario_name_ok(s, err, err_len))
		return XMEM_ERR_INVAL;
	sc->name = strdup(s);
	if (!sc->name)
		return XMEM_ERR_NOMEM;
	if (scenario_size(root, "memory", "", 1, &sc->memory_kib, err, err_len))
		return XMEM_ERR_INVAL;
	if (sc->memory_kib < 65536) {
		scenario_err(err, err_len, "memory: expected at least 64M");
		return XMEM_ERR_INVAL;
	}
	if (scenario_size(root, "dom0", "", 0, &sc->dom0_kib, err, err_len))
		return XMEM_ERR_INVAL;
	sc->has_floor = json_get(root, "floor") != NULL;
	if (scenario_size(root, "floor", "", 0, &sc->floor_kib, err, err_len))
		return XMEM_ERR_INVAL;
	rc = json_get_str(root, "policy", &s);
	if (rc == 0) {
		sc->policy = scenario_abs(base, s);
		if (!sc->policy)
			return XMEM_ERR_NOMEM;
		if (access(sc->policy, R_OK) < 0) {
			scenario_err(err, err_len, "policy: cannot read %s: %s", sc->policy,
				     strerror(errno));
			return XMEM_ERR_INVAL;
		}
	} else if (rc != XMEM_ERR_NOTFOUND) {
		scenario_err(err, err_len, "policy: expected a file name");
		return XMEM_ERR_INVAL;
	}
	return 0;
}

/* The scenario's clock into sc: time-scale and period-ms. */
static int scenario_timing(yajl_val root, struct scenario *sc, char *err, size_t err_len)
{
	uint64_t u;
	int rc;

	sc->time_scale = SCENARIO_DEFAULT_TIME_SCALE;
	rc = json_get_double(root, "time-scale", &sc->time_scale);
	if ((rc && rc != XMEM_ERR_NOTFOUND) || !(sc->time_scale > 0) || sc->time_scale > 1e7) {
		scenario_err(err, err_len,
			     "time-scale: expected a number of trace seconds per real second "
			     "above 0");
		return XMEM_ERR_INVAL;
	}
	u = 0;
	rc = json_get_u64(root, "period-ms", 1, 3600000, &u);
	if (rc && rc != XMEM_ERR_NOTFOUND) {
		scenario_err(err, err_len, "period-ms: expected an integer from 1 to 3600000");
		return XMEM_ERR_INVAL;
	}
	sc->period_ms = (unsigned int)u;
	return 0;
}

/* The guests list into sc, names unique. */
static int scenario_guests(yajl_val root, const char *base, struct scenario *sc, char *err,
			   size_t err_len)
{
	yajl_val guests = json_get(root, "guests");
	size_t i, j;
	int rc;

	if (!guests) {
		scenario_err(err, err_len, "guests: missing (a list of guests)");
		return XMEM_ERR_INVAL;
	}
	if (!YAJL_IS_ARRAY(guests)) {
		scenario_err(err, err_len, "guests: expected a list");
		return XMEM_ERR_INVAL;
	}
	if (guests->u.array.len > SCENARIO_MAX_GUESTS) {
		scenario_err(err, err_len, "guests: at most %d guests", SCENARIO_MAX_GUESTS);
		return XMEM_ERR_INVAL;
	}
	sc->guests = calloc(guests->u.array.len ? guests->u.array.len : 1, sizeof(*sc->guests));
	if (!sc->guests)
		return XMEM_ERR_NOMEM;
	for (i = 0; i < guests->u.array.len; i++) {
		sc->nr_guests = i + 1;
		rc = scenario_guest(guests->u.array.values[i], i, base, &sc->guests[i], err,
				    err_len);
		if (rc == XMEM_ERR_NOMEM)
			return rc;
		if (rc)
			return XMEM_ERR_INVAL;
		for (j = 0; j < i; j++) {
			if (strcmp(sc->guests[j].name, sc->guests[i].name) == 0) {
				scenario_err(err, err_len,
					     "guests[%zu].name: \"%s\" is also guests[%zu]'s name",
					     i, sc->guests[i].name, j);
				return XMEM_ERR_INVAL;
			}
		}
	}
	return 0;
}

/* Whether the guests' startup sizes, dom0 and the floor fit in the host's memory. */
static int scenario_fits(const struct scenario *sc, char *err, size_t err_len)
{
	char fmt_a[SIZE_FMT_LEN], fmt_b[SIZE_FMT_LEN];
	uint64_t need = scenario_startup_total_kib(sc) + sc->dom0_kib + sc->floor_kib;

	if (need > sc->memory_kib) {
		scenario_err(err, err_len,
			     "guests: startup sizes plus dom0 and floor need %s, more than memory "
			     "(%s)",
			     size_format(need, fmt_a, sizeof(fmt_a)),
			     size_format(sc->memory_kib, fmt_b, sizeof(fmt_b)));
		return XMEM_ERR_INVAL;
	}
	return 0;
}

struct scenario *scenario_from_json(const char *text, const char *base, char *err, size_t err_len)
{
	char jerr[JSON_ERR_LEN];
	struct scenario *sc = NULL;
	yajl_val root = NULL;
	int rc = XMEM_ERR_INVAL;

	root = json_parse(text, jerr, sizeof(jerr));
	if (!root) {
		scenario_err(err, err_len, "not valid JSON: %s", jerr);
		goto out;
	}
	if (!YAJL_IS_OBJECT(root)) {
		scenario_err(err, err_len, "expected a JSON object at the top");
		goto out;
	}
	if (scenario_known_fields(root, scenario_fields, "", err, err_len))
		goto out;
	sc = calloc(1, sizeof(*sc));
	if (!sc) {
		rc = XMEM_ERR_NOMEM;
		goto out;
	}
	rc = scenario_host(root, base, sc, err, err_len);
	if (!rc)
		rc = scenario_timing(root, sc, err, err_len);
	if (!rc)
		rc = scenario_guests(root, base, sc, err, err_len);
	if (!rc)
		rc = scenario_fits(sc, err, err_len);
out:
	if (rc == XMEM_ERR_NOMEM)
		scenario_err(err, err_len, "out of memory");
	json_free(root);
	if (rc) {
		scenario_free(sc);
		return NULL;
	}
	return sc;
}

struct scenario *scenario_load(const char *path, char *err, size_t err_len)
{
	char msg[SCENARIO_ERR_LEN];
	char *abs = NULL, *base = NULL, *text = NULL, *slash;
	struct scenario *sc = NULL;
	FILE *f = NULL;
	long len;

	abs = realpath(path, NULL);
	if (!abs) {
		scenario_err(err, err_len, "%s: %s", path, strerror(errno));
		goto out;
	}
	base = strdup(abs);
	if (!base)
		goto out;
	slash = strrchr(base, '/');
	if (slash)
		*(slash == base ? slash + 1 : slash) = '\0';
	f = fopen(abs, "r");
	if (!f) {
		scenario_err(err, err_len, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || len > 16 * 1024 * 1024 ||
	    fseek(f, 0, SEEK_SET) < 0) {
		scenario_err(err, err_len, "%s: cannot read it (or larger than 16 MiB)", path);
		goto out;
	}
	text = malloc((size_t)len + 1);
	if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
		scenario_err(err, err_len, "%s: cannot read it", path);
		goto out;
	}
	text[len] = '\0';
	if (memchr(text, '\0', (size_t)len)) {
		scenario_err(err, err_len, "%s: holds a NUL byte at offset %zu", path,
			     (size_t)((char *)memchr(text, '\0', (size_t)len) - text));
		goto out;
	}
	sc = scenario_from_json(text, base, msg, sizeof(msg));
	if (!sc) {
		scenario_err(err, err_len, "%s: %s", path, msg);
		goto out;
	}
	sc->path = abs;
	abs = NULL;
out:
	if (f)
		fclose(f);
	free(text);
	free(base);
	free(abs);
	return sc;
}

uint64_t scenario_startup_total_kib(const struct scenario *sc)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < sc->nr_guests; i++)
		total += sc->guests[i].startup_kib;
	return total;
}

int scenario_save(const struct scenario *sc, const char *path)
{
	struct json_out *out = NULL;
	FILE *f = NULL;
	size_t i;
	int rc;

	out = json_out_new(1);
	if (!out)
		return XMEM_ERR_NOMEM;
	json_out_obj_open(out);
	json_out_kv_str(out, "name", sc->name);
	if (sc->path)
		json_out_kv_str(out, "source", sc->path);
	json_out_kv_u64(out, "memory", sc->memory_kib);
	if (sc->dom0_kib)
		json_out_kv_u64(out, "dom0", sc->dom0_kib);
	if (sc->has_floor)
		json_out_kv_u64(out, "floor", sc->floor_kib);
	if (sc->policy)
		json_out_kv_str(out, "policy", sc->policy);
	json_out_kv_double(out, "time-scale", sc->time_scale);
	if (sc->period_ms)
		json_out_kv_u64(out, "period-ms", sc->period_ms);
	json_out_key(out, "guests");
	json_out_arr_open(out);
	for (i = 0; i < sc->nr_guests; i++) {
		const struct scenario_guest *g = &sc->guests[i];

		json_out_obj_open(out);
		json_out_kv_str(out, "name", g->name);
		json_out_kv_u64(out, "static-max", g->static_max_kib);
		json_out_kv_u64(out, "startup", g->startup_kib);
		json_out_kv_u64(out, "min", g->min_kib);
		json_out_kv_u64(out, "max", g->max_kib);
		json_out_kv_u64(out, "weight", g->weight);
		json_out_kv_u64(out, "buffer", g->buffer_pct);
		json_out_kv_bool(out, "managed", g->managed);
		json_out_kv_bool(out, "hvm", g->hvm);
		json_out_kv_str(out, "workload", g->workload);
		json_out_kv_str(out, "agent", g->agent);
		json_out_obj_close(out);
	}
	json_out_arr_close(out);
	json_out_obj_close(out);
	f = fopen(path, "w");
	if (!f) {
		rc = XMEM_ERR_IO;
		goto out;
	}
	rc = json_out_print(out, f);
out:
	if (f && fclose(f) != 0 && !rc)
		rc = XMEM_ERR_IO;
	json_out_free(out);
	return rc;
}

void scenario_free(struct scenario *sc)
{
	size_t i;

	if (!sc)
		return;
	for (i = 0; i < sc->nr_guests; i++) {
		free(sc->guests[i].name);
		free(sc->guests[i].workload);
	}
	free(sc->guests);
	free(sc->name);
	free(sc->path);
	free(sc->policy);
	free(sc);
}
