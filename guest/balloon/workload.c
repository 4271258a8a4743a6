/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * workload.c: workload specs and the demand they make over time (see
 * workload.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"
#include "trace.h"
#include "workload.h"
#include "xmem_err.h"

#define WORKLOAD_MAX_FIELDS  5
#define WORKLOAD_MAX_SECONDS (UINT64_C(1) << 40)

/* Split s (modified) at ':' into at most max fields. Returns the count, or max + 1 if more. */
static size_t workload_split(char *s, char **fields, size_t max)
{
	size_t n = 0;
	char *p = s, *c;

	for (;;) {
		if (n == max)
			return max + 1;
		fields[n++] = p;
		c = strchr(p, ':');
		if (!c)
			return n;
		*c = '\0';
		p = c + 1;
	}
}

/* Parse a positive number of seconds. */
static int workload_seconds(const char *s, uint64_t *v_r)
{
	char *end = NULL;
	unsigned long long v;

	if (!s[0] || s[0] < '0' || s[0] > '9')
		return XMEM_ERR_INVAL;
	v = strtoull(s, &end, 10);
	if (*end || v == 0 || v > WORKLOAD_MAX_SECONDS)
		return XMEM_ERR_INVAL;
	*v_r = v;
	return 0;
}

/* Parse a size field, naming it in err on failure. */
static int workload_size(const char *s, const char *what, uint64_t *kib_r, char *err,
			 size_t err_len)
{
	int rc = size_parse_kib(s, kib_r);

	if (rc)
		snprintf(err, err_len, "%s '%s' is not a size (e.g. 512M, 2G)", what, s);
	return rc;
}

/* trace:FILE:VM_ID (copy is the spec's copy, which this modifies): one VM of a trace file. */
static int workload_parse_trace(char *copy, const char *spec, struct workload *w, char *err,
				size_t err_len)
{
	char terr[256], *colon;
	int rc;

	/* The file name may hold ':'; the VM id is after the last one. */
	colon = strrchr(copy + 6, ':');
	if (!colon || colon == copy + 6 || !colon[1]) {
		snprintf(err, err_len, "workload '%s': expected trace:FILE:VM_ID", spec);
		return XMEM_ERR_INVAL;
	}
	*colon = '\0';
	rc = trace_load(copy + 6, colon + 1, &w->trace, terr, sizeof(terr));
	if (rc) {
		snprintf(err, err_len, "workload '%s': %s", spec, terr);
		return rc;
	}
	w->vm = trace_find(w->trace, colon + 1);
	if (!w->vm || w->vm->nr_samples == 0) {
		snprintf(err, err_len, "workload '%s': no samples for VM %s", spec, colon + 1);
		return XMEM_ERR_NOTFOUND;
	}
	w->kind = WORKLOAD_TRACE;
	return 0;
}

/* steady:SIZE's fields (f[0] is the kind). */
static int workload_parse_steady(char **f, const char *spec, struct workload *w, char *err,
				 size_t err_len)
{
	(void)spec;
	return workload_size(f[1], "size", &w->base_kib, err, err_len);
}

/* ramp:FROM:TO:SECONDS's fields. */
static int workload_parse_ramp(char **f, const char *spec, struct workload *w, char *err,
			       size_t err_len)
{
	int rc;

	if ((rc = workload_size(f[1], "FROM", &w->base_kib, err, err_len)) ||
	    (rc = workload_size(f[2], "TO", &w->peak_kib, err, err_len)))
		return rc;
	if ((rc = workload_seconds(f[3], &w->period_s))) {
		snprintf(err, err_len, "workload '%s': SECONDS must be a positive integer", spec);
		return rc;
	}
	return 0;
}

/* spike:BASE:PEAK:PERIOD_S:LENGTH_S's fields. */
static int workload_parse_spike(char **f, const char *spec, struct workload *w, char *err,
				size_t err_len)
{
	int rc;

	if ((rc = workload_size(f[1], "BASE", &w->base_kib, err, err_len)) ||
	    (rc = workload_size(f[2], "PEAK", &w->peak_kib, err, err_len)))
		return rc;
	if (workload_seconds(f[3], &w->period_s) || workload_seconds(f[4], &w->length_s)) {
		snprintf(err, err_len,
			 "workload '%s': PERIOD_S and LENGTH_S must be positive integers", spec);
		return XMEM_ERR_INVAL;
	}
	if (w->length_s > w->period_s) {
		snprintf(err, err_len, "workload '%s': LENGTH_S is longer than PERIOD_S", spec);
		return XMEM_ERR_INVAL;
	}
	return 0;
}

/* The workloads given by colon-separated fields; usage follows "workload 'SPEC': ". */
static const struct workload_form {
	const char *name;
	size_t nr_fields;
	enum workload_kind kind;
	const char *usage;
	int (*parse)(char **f, const char *spec, struct workload *w, char *err, size_t err_len);
} workload_forms[] = {
	{ "idle", 1, WORKLOAD_IDLE, "idle takes no arguments", NULL },
	{ "steady", 2, WORKLOAD_STEADY, "expected steady:SIZE", workload_parse_steady },
	{ "ramp", 4, WORKLOAD_RAMP, "expected ramp:FROM:TO:SECONDS", workload_parse_ramp },
	{ "spike", 5, WORKLOAD_SPIKE, "expected spike:BASE:PEAK:PERIOD_S:LENGTH_S",
	  workload_parse_spike },
};

/* A workload other than trace: (copy is the spec's copy, which this modifies). */
static int workload_parse_fields(char *copy, const char *spec, struct workload *w, char *err,
				 size_t err_len)
{
	const struct workload_form *form = NULL;
	char *f[WORKLOAD_MAX_FIELDS + 1];
	size_t n, i;

	n = workload_split(copy, f, WORKLOAD_MAX_FIELDS);
	for (i = 0; i < sizeof(workload_forms) / sizeof(workload_forms[0]) && !form; i++)
		if (strcmp(f[0], workload_forms[i].name) == 0)
			form = &workload_forms[i];
	if (!form) {
		snprintf(err, err_len,
			 "unknown workload '%s' (idle, steady:, ramp:, spike: or trace:)", spec);
		return XMEM_ERR_INVAL;
	}
	if (n != form->nr_fields) {
		snprintf(err, err_len, "workload '%s': %s", spec, form->usage);
		return XMEM_ERR_INVAL;
	}
	w->kind = form->kind;
	return form->parse ? form->parse(f, spec, w, err, err_len) : 0;
}

int workload_parse(const char *spec, double time_scale, struct workload *w, char *err,
		   size_t err_len)
{
	char *copy = NULL;
	int rc;

	memset(w, 0, sizeof(*w));
	w->time_scale = time_scale;
	if (!spec || !spec[0]) {
		snprintf(err, err_len, "empty workload spec");
		return XMEM_ERR_INVAL;
	}
	if (!(time_scale > 0.0) || !isfinite(time_scale) || time_scale > 1e9) {
		snprintf(err, err_len, "time scale must be a positive number");
		return XMEM_ERR_INVAL;
	}
	copy = strdup(spec);
	if (!copy) {
		snprintf(err, err_len, "out of memory");
		return XMEM_ERR_NOMEM;
	}
	if (strncmp(copy, "trace:", 6) == 0)
		rc = workload_parse_trace(copy, spec, w, err, err_len);
	else
		rc = workload_parse_fields(copy, spec, w, err, err_len);
	free(copy);
	if (rc)
		workload_free(w);
	return rc;
}

void workload_free(struct workload *w)
{
	if (w->trace)
		trace_free(w->trace);
	w->trace = NULL;
	w->vm = NULL;
}

uint64_t workload_demand_kib(const struct workload *w, uint64_t elapsed_ms)
{
	uint64_t s = elapsed_ms / 1000, dur, t0;
	double t_trace, frac;

	switch (w->kind) {
	case WORKLOAD_IDLE:
		return 0;
	case WORKLOAD_STEADY:
		return w->base_kib;
	case WORKLOAD_RAMP:
		if (elapsed_ms >= w->period_s * 1000)
			return w->peak_kib;
		frac = (double)elapsed_ms / (double)(w->period_s * 1000);
		return (uint64_t)((double)w->base_kib +
				  ((double)w->peak_kib - (double)w->base_kib) * frac);
	case WORKLOAD_SPIKE:
		return s % w->period_s < w->length_s ? w->peak_kib : w->base_kib;
	case WORKLOAD_TRACE:
		t0 = w->vm->samples[0].t_s;
		dur = trace_vm_duration_s(w->vm);
		t_trace = (double)elapsed_ms / 1000.0 * w->time_scale;
		if (t_trace > 1e15)
			t_trace = 1e15;
		/* Loop: one step past the last sample starts over. */
		return trace_vm_used_at(w->vm, t0 + (uint64_t)t_trace % (dur + 1));
	}
	return 0;
}

uint64_t workload_provisioned_kib(const struct workload *w)
{
	return w->kind == WORKLOAD_TRACE ? trace_vm_provisioned_median(w->vm) : 0;
}
