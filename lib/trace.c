/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trace.c: see trace.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "trace.h"
#include "xmem_err.h"

#define TRACE_LINE_MAX	  512
#define TRACE_MAX_VMS	  100000u
#define TRACE_MAX_SAMPLES (UINT32_C(1) << 28)

/* Parse a decimal u64 field ending at sep; advance *p past sep. -1 on error. */
static int trace_field_u64(char **p, char sep, uint64_t *val_r)
{
	char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		s++;
	}
	if (*s != sep)
		return -1;
	*p = s + (sep ? 1 : 0);
	*val_r = v;
	return 0;
}

/* Find or add VM id; NULL when out of memory or over the limit. */
static struct trace_vm *trace_vm_get(struct trace *t, size_t *max_vms, const char *id,
				     size_t *last_idx)
{
	struct trace_vm *vm;
	size_t i;

	/* Rows of one VM usually come together: try the last one first. */
	if (*last_idx < t->nr_vms && strcmp(t->vms[*last_idx].id, id) == 0)
		return &t->vms[*last_idx];
	for (i = 0; i < t->nr_vms; i++) {
		if (strcmp(t->vms[i].id, id) == 0) {
			*last_idx = i;
			return &t->vms[i];
		}
	}
	if (t->nr_vms >= TRACE_MAX_VMS)
		return NULL;
	if (t->nr_vms == *max_vms) {
		size_t n = *max_vms ? *max_vms * 2 : 64;
		struct trace_vm *nv = realloc(t->vms, n * sizeof(*nv));

		if (!nv)
			return NULL;
		t->vms = nv;
		*max_vms = n;
	}
	vm = &t->vms[t->nr_vms];
	memset(vm, 0, sizeof(*vm));
	/* trace_line() refused longer ids; the zeroed id keeps its terminator. */
	memcpy(vm->id, id, strnlen(id, sizeof(vm->id) - 1));
	*last_idx = t->nr_vms++;
	return vm;
}

/* Append a sample, growing by doubling (capacity derived from the count). */
static int trace_vm_push(struct trace_vm *vm, const struct trace_sample *s)
{
	size_t n = vm->nr_samples;

	if (n >= TRACE_MAX_SAMPLES)
		return XMEM_ERR_RANGE;
	/* Capacity is the next power of two >= n (at least 256). */
	if (n == 0 || (n >= 256 && (n & (n - 1)) == 0)) {
		size_t cap = n ? n * 2 : 256;
		struct trace_sample *ns = realloc(vm->samples, cap * sizeof(*ns));

		if (!ns)
			return XMEM_ERR_NOMEM;
		vm->samples = ns;
	}
	vm->samples[n] = *s;
	vm->nr_samples = n + 1;
	return 0;
}

/* Where trace_load is in its file. */
struct trace_parse {
	struct trace *t;
	const char *path, *only_vm;
	size_t max_vms, last_idx;
	unsigned long lineno;
	char *err;
	size_t err_len;
};

/*
 * Take one data line (the header and empty lines are handled by the caller):
 * vm_id,t_seconds,mem_used_kib,mem_provisioned_kib. 0, or a negative
 * XMEM_ERR_* with the reason in tp->err.
 */
static int trace_line(struct trace_parse *tp, char *line)
{
	struct trace_sample s;
	struct trace_vm *vm;
	char *comma = strchr(line, ','), *p;
	uint64_t t_s = 0;
	int rc;

	if (!comma || comma == line || (size_t)(comma - line) >= TRACE_ID_MAX) {
		snprintf(tp->err, tp->err_len, "%s:%lu: bad vm_id", tp->path, tp->lineno);
		return XMEM_ERR_INVAL;
	}
	*comma = '\0';
	if (tp->only_vm && strcmp(line, tp->only_vm) != 0)
		return 0;
	p = comma + 1;
	if (trace_field_u64(&p, ',', &t_s) || t_s > UINT32_MAX ||
	    trace_field_u64(&p, ',', &s.used_kib) ||
	    trace_field_u64(&p, '\0', &s.provisioned_kib)) {
		snprintf(tp->err, tp->err_len,
			 "%s:%lu: expected vm_id,t_seconds,mem_used_kib,mem_provisioned_kib "
			 "with whole numbers",
			 tp->path, tp->lineno);
		return XMEM_ERR_INVAL;
	}
	s.t_s = (uint32_t)t_s;
	vm = trace_vm_get(tp->t, &tp->max_vms, line, &tp->last_idx);
	if (!vm) {
		snprintf(tp->err, tp->err_len, "%s:%lu: too many VMs or out of memory", tp->path,
			 tp->lineno);
		return XMEM_ERR_NOMEM;
	}
	if (vm->nr_samples && vm->samples[vm->nr_samples - 1].t_s >= s.t_s) {
		snprintf(tp->err, tp->err_len, "%s:%lu: %s: time does not increase", tp->path,
			 tp->lineno, vm->id);
		return XMEM_ERR_INVAL;
	}
	rc = trace_vm_push(vm, &s);
	if (rc)
		snprintf(tp->err, tp->err_len, "%s:%lu: %s", tp->path, tp->lineno,
			 xmem_strerror(rc));
	return rc;
}

/* Read every line of gz into tp. 0, or a negative XMEM_ERR_* with the reason in tp->err. */
static int trace_lines(struct trace_parse *tp, gzFile gz)
{
	char line[TRACE_LINE_MAX];
	int rc;

	while (gzgets(gz, line, sizeof(line))) {
		size_t len = strlen(line);

		tp->lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!gzeof(gz)) {
			snprintf(tp->err, tp->err_len, "%s:%lu: line too long", tp->path,
				 tp->lineno);
			return XMEM_ERR_INVAL;
		}
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (tp->lineno == 1) {
			if (strncmp(line, "vm_id,t_seconds,mem_used_kib,mem_provisioned_kib", 48)) {
				snprintf(tp->err, tp->err_len,
					 "%s:1: expected the header "
					 "vm_id,t_seconds,mem_used_kib,mem_provisioned_kib",
					 tp->path);
				return XMEM_ERR_INVAL;
			}
			continue;
		}
		rc = trace_line(tp, line);
		if (rc)
			return rc;
	}
	return 0;
}

int trace_load(const char *path, const char *only_vm, struct trace **trace_r, char *err,
	       size_t err_len)
{
	struct trace_parse tp = {
		.path = path, .only_vm = only_vm, .err = err, .err_len = err_len
	};
	gzFile gz = NULL;
	int rc;

	tp.t = calloc(1, sizeof(*tp.t));
	if (!tp.t) {
		rc = XMEM_ERR_NOMEM;
		snprintf(err, err_len, "%s: out of memory", path);
		goto out;
	}
	gz = gzopen(path, "rb");
	if (!gz) {
		rc = XMEM_ERR_NOTFOUND;
		snprintf(err, err_len, "%s: %s", path, strerror(errno ? errno : ENOENT));
		goto out;
	}
	gzbuffer(gz, 1 << 17);
	rc = trace_lines(&tp, gz);
	if (rc)
		goto out;
	if (!gzeof(gz)) {
		int zerr = 0;

		rc = XMEM_ERR_IO;
		snprintf(err, err_len, "%s: read error: %s", path, gzerror(gz, &zerr));
		goto out;
	}
	if (tp.t->nr_vms == 0) {
		rc = only_vm ? XMEM_ERR_NOTFOUND : XMEM_ERR_INVAL;
		if (only_vm)
			snprintf(err, err_len, "%s: no VM %s in the trace", path, only_vm);
		else
			snprintf(err, err_len, "%s: no samples", path);
		goto out;
	}
	*trace_r = tp.t;
	tp.t = NULL;
	rc = 0;
out:
	if (gz)
		gzclose(gz);
	trace_free(tp.t);
	return rc;
}

void trace_free(struct trace *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nr_vms; i++)
		free(t->vms[i].samples);
	free(t->vms);
	free(t);
}

const struct trace_vm *trace_find(const struct trace *t, const char *vm_id)
{
	size_t i;

	for (i = 0; i < t->nr_vms; i++)
		if (strcmp(t->vms[i].id, vm_id) == 0)
			return &t->vms[i];
	return NULL;
}

size_t trace_vm_index_at(const struct trace_vm *vm, uint64_t t_s)
{
	size_t lo = 0, hi = vm->nr_samples;

	/* Binary search for the last sample with t <= t_s. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (vm->samples[mid].t_s <= t_s)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

uint64_t trace_vm_used_at(const struct trace_vm *vm, uint64_t t_s)
{
	if (!vm->nr_samples)
		return 0;
	return vm->samples[trace_vm_index_at(vm, t_s)].used_kib;
}

/* qsort comparator for u64. */
static int trace_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t trace_vm_provisioned_median(const struct trace_vm *vm)
{
	uint64_t *vals, med;
	size_t i;

	if (!vm->nr_samples)
		return 0;
	vals = malloc(vm->nr_samples * sizeof(*vals));
	if (!vals)
		return vm->samples[0].provisioned_kib;
	for (i = 0; i < vm->nr_samples; i++)
		vals[i] = vm->samples[i].provisioned_kib;
	qsort(vals, vm->nr_samples, sizeof(*vals), trace_cmp_u64);
	med = vals[vm->nr_samples / 2];
	free(vals);
	return med;
}

uint64_t trace_vm_duration_s(const struct trace_vm *vm)
{
	if (vm->nr_samples < 2)
		return 0;
	return vm->samples[vm->nr_samples - 1].t_s - vm->samples[0].t_s;
}
