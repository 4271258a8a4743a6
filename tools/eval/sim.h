/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sim.h: replay a demand trace through a policy on a simulated host
 * (the guest model is described at the top of sim.c and in xmem-eval(1)).
 */
#ifndef XMEM_EVAL_SIM_H
#define XMEM_EVAL_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "trace.h"

struct sim_params {
	uint64_t host_kib;	/* memory the VMs may share */
	unsigned int min_pct;	/* dynamic-min, percent of provisioned */
	uint64_t reaction_s;	/* demand is seen this long after it happened */
	uint64_t balloon_kib_s; /* balloon speed, both ways */
	uint64_t period_s;	/* re-plan at least this often */
	size_t nr_vms;		/* the first nr_vms VMs of the trace (0: all) */
	int no_feedback;	/* do not feed desired sizes back into the next plan */
};

/* One VM's fixed setup. */
struct sim_vm {
	const struct trace_vm *tv;
	uint64_t min_kib, max_kib, startup_kib;
};

/* A replay: the VMs and the demand side, shared by every policy's run. */
struct sim {
	const struct trace *trace;
	struct sim_params p;
	struct sim_vm *vms;
	size_t n;
	uint64_t t0_s, t1_s; /* first and last sample over all VMs */
	size_t nr_hours;
	double *hour_demand_gib; /* mean summed demand per hour */
	double demand_mean_gib, demand_peak_gib;
	uint64_t provisioned_kib; /* sum of the VMs' maximums */
};

struct sim_result {
	char name[POLICY_NAME_MAX];
	double shortfall_gib_h;	 /* demand not covered, integrated */
	double pressure_share;	 /* fraction of VM-time with allocation below demand */
	double mean_alloc_gib;	 /* summed allocation, time-averaged */
	double peak_alloc_gib;	 /* summed allocation, highest */
	double moved_gib;	 /* balloon movement, both ways */
	uint64_t target_changes; /* targets written */
	uint64_t plans;		 /* policy_plan() calls */
	double *hour_alloc_gib;	 /* mean summed allocation per hour */
	double *hour_pressure;	 /* mean number of VMs under pressure per hour */
};

/*
 * Set up a replay of trace with p. Returns 0 or a negative XMEM_ERR_* with a
 * message in err (e.g. a host smaller than the sum of the minimums).
 */
int sim_init(struct sim *s, const struct trace *trace, const struct sim_params *p, char *err,
	     size_t err_len);
void sim_free(struct sim *s);

/*
 * Run one policy (pol NULL: the oracle, which sees every demand the moment
 * it happens and moves memory instantly). Returns 0 or a negative XMEM_ERR_*.
 */
int sim_run(const struct sim *s, const struct policy *pol, struct sim_result *r, char *err,
	    size_t err_len);
void sim_result_free(struct sim_result *r);

#endif
