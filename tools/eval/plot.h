/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plot.h: xmem-eval's plots (gnuplot, PNG and SVG). */
#ifndef XMEM_EVAL_PLOT_H
#define XMEM_EVAL_PLOT_H

#include <stddef.h>

#include "sim.h"

/*
 * Write dir/eval-hourly.csv and dir/eval.gp, and run gnuplot on it to make
 * dir/allocation.{png,svg} and dir/pressure.{png,svg}. gnuplot is $GNUPLOT or
 * "gnuplot" on PATH. Returns 0 or a negative XMEM_ERR_* with a message in err.
 */
int plot_write(const char *dir, const struct sim *s, const struct sim_result *res, size_t nr,
	       char *err, size_t err_len);

#endif
