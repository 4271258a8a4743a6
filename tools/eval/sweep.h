/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sweep.h: xmem-eval --sweep, the density curve. The same replay on hosts of
 * several sizes, given as multiples of the trace's peak summed demand; per
 * policy, pressure share and shortfall against host size.
 */
#ifndef XMEM_EVAL_SWEEP_H
#define XMEM_EVAL_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"

#define SWEEP_MAX_POINTS   16
#define SWEEP_MAX_POLICIES 17 /* the policies and the oracle */

/* One host size and every policy's scores on it (hourly series freed). */
struct sweep_point {
	double factor;	   /* host size / peak summed demand */
	uint64_t host_kib; /* factor x peak, rounded to MiB */
	struct sim_result res[SWEEP_MAX_POLICIES];
	size_t nr_res;
};

struct sweep {
	struct sim sim; /* the last point's replay: trace figures for the report */
	double peak_gib;
	struct sweep_point pt[SWEEP_MAX_POINTS];
	size_t nr_pt;
	int sim_ok; /* sim holds a set-up to free */
};

/*
 * Parse "1.0,1.1,1.3": 1 to SWEEP_MAX_POINTS factors, each from 0.1 to 100.
 * Returns 0, or -1 with a message in err.
 */
int sweep_parse(const char *arg, double *factors_r, size_t *nr_r, char *err, size_t err_len);

/*
 * Replay trace with p (its host_kib is ignored) through pols and the oracle
 * at each factor. Returns 0, or a negative XMEM_ERR_* with a message in err
 * (e.g. a factor whose host is below the sum of the minimums).
 */
int sweep_run(struct sweep *sw, const struct trace *trace, const struct sim_params *p,
	      const struct policy *pols, size_t nr_pols, const double *factors, size_t nr,
	      char *err, size_t err_len);
void sweep_free(struct sweep *sw);

/* The sweep as a table (one row per host size and policy) or as JSON, on stdout. */
int sweep_print_text(const char *trace_path, const struct sweep *sw);
int sweep_print_json(const char *trace_path, const struct sweep *sw);

#endif
