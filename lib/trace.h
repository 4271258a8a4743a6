/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trace.h: per-VM memory traces (the format of data/traces/, see its README.md).
 *
 * A trace file is CSV with the header vm_id,t_seconds,mem_used_kib,
 * mem_provisioned_kib, plain or gzip-compressed (detected by content). Rows of
 * one VM have increasing t_seconds; VMs may be interleaved. Loading keeps
 * every sample (12 bytes of payload each: 30 days x 64 VMs is 6.6 MB).
 */
#ifndef XMEM_TRACE_H
#define XMEM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_ID_MAX 32

struct trace_sample {
	uint32_t t_s;
	uint64_t used_kib;
	uint64_t provisioned_kib;
};

struct trace_vm {
	char id[TRACE_ID_MAX];
	struct trace_sample *samples;
	size_t nr_samples;
};

struct trace {
	struct trace_vm *vms;
	size_t nr_vms;
};

/*
 * Load path: all VMs, or only the VM named only_vm (NULL for all). VMs keep
 * the order of their first row. Returns 0, or a negative XMEM_ERR_* with a
 * message naming the file and line in err (XMEM_ERR_NOTFOUND when only_vm is
 * not in the file). Bad rows are errors, not skipped.
 */
int trace_load(const char *path, const char *only_vm, struct trace **trace_r, char *err,
	       size_t err_len);

void trace_free(struct trace *t);

/* The VM called vm_id, or NULL. */
const struct trace_vm *trace_find(const struct trace *t, const char *vm_id);

/* Index of the last sample at or before t_s (0 when t_s is before the first). */
size_t trace_vm_index_at(const struct trace_vm *vm, uint64_t t_s);

/* Demand at t_s: used_kib of the last sample at or before t_s (of the first before it). */
uint64_t trace_vm_used_at(const struct trace_vm *vm, uint64_t t_s);

/* Median of provisioned_kib over the VM's samples. */
uint64_t trace_vm_provisioned_median(const struct trace_vm *vm);

/* Time of the last sample minus time of the first. */
uint64_t trace_vm_duration_s(const struct trace_vm *vm);

#endif
