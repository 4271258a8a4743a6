/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plot.h: xmem-eval's plots (gnuplot, PNG and SVG), of one replay and of a sweep. */
#ifndef XMEM_EVAL_PLOT_H
#define XMEM_EVAL_PLOT_H

#include <stddef.h>

#include "sim.h"
#include "sweep.h"

/*
 * Write dir/eval-hourly.csv and dir/eval.gp, and run gnuplot on it to make
 * dir/allocation.{png,svg} and dir/pressure.{png,svg}. gnuplot is $GNUPLOT or
 * "gnuplot" on PATH. Returns 0 or a negative XMEM_ERR_* with a message in err.
 */
int plot_write(const char *dir, const struct sim *s, const struct sim_result *res, size_t nr,
	       char *err, size_t err_len);

/*
 * Write dir/sweep.csv and dir/sweep.gp and run gnuplot on it to make
 * dir/sweep-pressure.{png,svg} and dir/sweep-shortfall.{png,svg}: a line per
 * policy against host size. Returns 0 or a negative XMEM_ERR_* with a
 * message in err.
 */
int plot_sweep_write(const char *dir, const struct sweep *sw, char *err, size_t err_len);

/*
 * Before any work: make dir if missing and prove it takes files (a probe file
 * created and removed; permission bits alone say nothing to root). Returns 0
 * or XMEM_ERR_IO with "DIR: reason" in err.
 */
int plot_check_dir(const char *dir, char *err, size_t err_len);

#endif
