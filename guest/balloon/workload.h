/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * workload.h: what a simulated guest's programs ask of its memory over time.
 *
 * SPEC is one of
 *   idle                              no demand (the kernel only)
 *   steady:SIZE                       SIZE all the time
 *   ramp:FROM:TO:SECONDS              FROM to TO linearly over SECONDS, then TO
 *   spike:BASE:PEAK:PERIOD_S:LENGTH_S PEAK for the first LENGTH_S of every
 *                                     PERIOD_S seconds, BASE otherwise
 *   trace:FILE:VM_ID                  mem_used_kib of VM_ID in FILE (the
 *                                     data/traces CSV format), looped
 * SIZE is xl's syntax (a bare number is MiB; suffixes k, m, g, t). Synthetic
 * patterns run in real seconds; a trace runs time_scale trace seconds per
 * real second (300: one 5-minute sample per second), and starts over when it
 * ends.
 */
#ifndef XMEM_WORKLOAD_H
#define XMEM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#define WORKLOAD_DEFAULT_TIME_SCALE 300.0
#define WORKLOAD_ERR_LEN	    256

enum workload_kind {
	WORKLOAD_IDLE,
	WORKLOAD_STEADY,
	WORKLOAD_RAMP,
	WORKLOAD_SPIKE,
	WORKLOAD_TRACE,
};

struct trace;
struct trace_vm;

struct workload {
	enum workload_kind kind;
	uint64_t base_kib; /* steady size, ramp start, spike base */
	uint64_t peak_kib; /* ramp end, spike peak */
	uint64_t period_s; /* ramp duration, spike period */
	uint64_t length_s; /* spike length */
	double time_scale; /* trace seconds per real second */
	struct trace *trace;
	const struct trace_vm *vm;
};

/*
 * Parse spec. Returns 0, or a negative XMEM_ERR_* with a one-line message
 * naming the problem in err. A trace is loaded here (only the named VM).
 */
int workload_parse(const char *spec, double time_scale, struct workload *w, char *err,
		   size_t err_len);

/* Release a parsed workload (the trace). */
void workload_free(struct workload *w);

/* Demand after elapsed_ms of real time since the guest started. */
uint64_t workload_demand_kib(const struct workload *w, uint64_t elapsed_ms);

/* The size a trace VM was provisioned with (median), 0 for other workloads. */
uint64_t workload_provisioned_kib(const struct workload *w);

#endif
