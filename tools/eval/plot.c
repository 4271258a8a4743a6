/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * plot.c: xmem-eval's plots. The data goes to a CSV file (one row per hour:
 * summed demand, then per policy the summed allocation and the number of
 * VMs under pressure), the drawing to a gnuplot script next to it, so the
 * plots can be redrawn or restyled by hand.
 */
#include "config.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"
#include "xmem_err.h"

extern char **environ;

/* Write the hourly CSV. */
static int plot_csv(const char *path, const struct sim *s, const struct sim_result *res, size_t nr)
{
	FILE *f = fopen(path, "w");
	size_t h, k;

	if (!f)
		return -1;
	fprintf(f, "hour,demand_gib");
	for (k = 0; k < nr; k++)
		fprintf(f, ",%s_alloc_gib,%s_pressure_vms", res[k].name, res[k].name);
	fprintf(f, "\n");
	for (h = 0; h < s->nr_hours; h++) {
		fprintf(f, "%zu,%.4f", h, s->hour_demand_gib[h]);
		for (k = 0; k < nr; k++)
			fprintf(f, ",%.4f,%.4f", res[k].hour_alloc_gib[h], res[k].hour_pressure[h]);
		fprintf(f, "\n");
	}
	return fclose(f) ? -1 : 0;
}

/* Write the gnuplot script drawing both plots in both formats. */
static int plot_script(const char *path, const char *dir, const struct sim *s,
		       const struct sim_result *res, size_t nr)
{
	static const char *const terms[][2] = {
		{ "png size 1200,600", "png" },
		{ "svg size 1200,600 dynamic", "svg" },
	};
	FILE *f = fopen(path, "w");
	size_t k, t;

	if (!f)
		return -1;
	fprintf(f, "# xmem-eval: hourly means; redraw with: gnuplot %s\n", path);
	fprintf(f, "set datafile separator ','\nset key outside right top\nset grid\n");
	fprintf(f, "set xlabel 'time (days)'\n");
	for (t = 0; t < 2; t++) {
		fprintf(f, "set terminal %s\n", terms[t][0]);
		fprintf(f, "set output '%s/allocation.%s'\n", dir, terms[t][1]);
		fprintf(f, "set title 'Summed allocation per policy (host %.1f GiB, %zu VMs)'\n",
			(double)s->p.host_kib / 1048576.0, s->n);
		fprintf(f, "set ylabel 'GiB'\n");
		fprintf(f,
			"plot '%s/eval-hourly.csv' every ::1 using ($1/24):2 with lines lw 2 "
			"title 'demand'",
			dir);
		for (k = 0; k < nr; k++)
			fprintf(f, ", '' every ::1 using ($1/24):%zu with lines title '%s'",
				3 + 2 * k, res[k].name);
		fprintf(f, "\n");
		fprintf(f, "set output '%s/pressure.%s'\n", dir, terms[t][1]);
		fprintf(f,
			"set title 'VMs under pressure (allocation below demand), hourly mean'\n");
		fprintf(f, "set ylabel 'VMs'\n");
		fprintf(f, "plot ");
		for (k = 0; k < nr; k++)
			fprintf(f,
				"%s'%s/eval-hourly.csv' every ::1 using ($1/24):%zu with lines "
				"title '%s'",
				k ? ", " : "", dir, 4 + 2 * k, res[k].name);
		fprintf(f, "\n");
	}
	return fclose(f) ? -1 : 0;
}

int plot_check_dir(const char *dir, char *err, size_t err_len)
{
	char probe[4096];
	struct stat st;
	int fd, n;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		goto fail;
	if (stat(dir, &st) < 0)
		goto fail;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		goto fail;
	}
	n = snprintf(probe, sizeof(probe), "%s/.xmem-eval-probe-XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(probe)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	fd = mkstemp(probe);
	if (fd < 0)
		goto fail;
	close(fd);
	unlink(probe);
	return 0;
fail:
	snprintf(err, err_len, "--plots %s: %s", dir, strerror(errno));
	return XMEM_ERR_IO;
}

/* Run gnuplot on script gp. */
static int plot_run(const char *gp, char *err, size_t err_len)
{
	const char *gnuplot = getenv("GNUPLOT");
	char *argv[3];
	pid_t pid;
	int r, status;

	if (!gnuplot || !*gnuplot)
		gnuplot = "gnuplot";
	argv[0] = (char *)gnuplot;
	argv[1] = (char *)gp;
	argv[2] = NULL;
	r = posix_spawnp(&pid, gnuplot, NULL, NULL, argv, environ);
	if (r) {
		snprintf(err, err_len, "cannot run %s: %s", gnuplot, strerror(r));
		return XMEM_ERR_IO;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, err_len, "%s %s failed", gnuplot, gp);
		return XMEM_ERR_IO;
	}
	return 0;
}

/* Make dir unless it exists. */
static int plot_mkdir(const char *dir, char *err, size_t err_len)
{
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		snprintf(err, err_len, "%s: %s", dir, strerror(errno));
		return XMEM_ERR_IO;
	}
	return 0;
}

int plot_write(const char *dir, const struct sim *s, const struct sim_result *res, size_t nr,
	       char *err, size_t err_len)
{
	char csv[4096], gp[4096];
	int rc;

	rc = plot_mkdir(dir, err, err_len);
	if (rc)
		return rc;
	snprintf(csv, sizeof(csv), "%s/eval-hourly.csv", dir);
	snprintf(gp, sizeof(gp), "%s/eval.gp", dir);
	if (plot_csv(csv, s, res, nr) < 0) {
		snprintf(err, err_len, "%s: %s", csv, strerror(errno));
		return XMEM_ERR_IO;
	}
	if (plot_script(gp, dir, s, res, nr) < 0) {
		snprintf(err, err_len, "%s: %s", gp, strerror(errno));
		return XMEM_ERR_IO;
	}
	return plot_run(gp, err, err_len);
}

/* The sweep's CSV: one row per host size, per policy pressure (%) and shortfall. */
static int plot_sweep_csv(const char *path, const struct sweep *sw)
{
	FILE *f = fopen(path, "w");
	size_t i, k;

	if (!f)
		return -1;
	fprintf(f, "factor,host_gib");
	for (k = 0; k < sw->pt[0].nr_res; k++)
		fprintf(f, ",%s_pressure_pct,%s_shortfall_gib_h", sw->pt[0].res[k].name,
			sw->pt[0].res[k].name);
	fprintf(f, "\n");
	for (i = 0; i < sw->nr_pt; i++) {
		fprintf(f, "%.3f,%.3f", sw->pt[i].factor, (double)sw->pt[i].host_kib / 1048576.0);
		for (k = 0; k < sw->pt[i].nr_res; k++)
			fprintf(f, ",%.6f,%.6f", sw->pt[i].res[k].pressure_share * 100,
				sw->pt[i].res[k].shortfall_gib_h);
		fprintf(f, "\n");
	}
	return fclose(f) ? -1 : 0;
}

/*
 * The sweep's script: pressure and shortfall against host size, a line per
 * policy, log scale (the oracle's zero points are left out by gnuplot).
 */
static int plot_sweep_script(const char *path, const char *dir, const struct sweep *sw)
{
	static const char *const terms[][2] = {
		{ "png size 1000,600", "png" },
		{ "svg size 1000,600 dynamic", "svg" },
	};
	static const char *const figs[][3] = {
		{ "pressure", "Share of VM-time under pressure", "% of VM-time (log)" },
		{ "shortfall", "Demand not covered", "GiB-hours (log)" },
	};
	FILE *f = fopen(path, "w");
	size_t k, t, g;

	if (!f)
		return -1;
	fprintf(f, "# xmem-eval --sweep; redraw with: gnuplot %s\n", path);
	fprintf(f, "set datafile separator ','\nset key outside right top\nset grid\n");
	fprintf(f, "set logscale y\nset xlabel 'host memory (GiB; peak summed demand %.1f GiB)'\n",
		sw->peak_gib);
	for (t = 0; t < 2; t++) {
		fprintf(f, "set terminal %s\n", terms[t][0]);
		for (g = 0; g < 2; g++) {
			fprintf(f, "set output '%s/sweep-%s.%s'\n", dir, figs[g][0], terms[t][1]);
			fprintf(f, "set title '%s against host size (%zu VMs, reaction %llu s)'\n",
				figs[g][1], sw->sim.n, (unsigned long long)sw->sim.p.reaction_s);
			fprintf(f, "set ylabel '%s'\nplot ", figs[g][2]);
			for (k = 0; k < sw->pt[0].nr_res; k++)
				fprintf(f,
					"%s'%s/sweep.csv' every ::1 using 2:%zu with linespoints "
					"title '%s'",
					k ? ", " : "", dir, 3 + 2 * k + g, sw->pt[0].res[k].name);
			fprintf(f, "\n");
		}
	}
	return fclose(f) ? -1 : 0;
}

int plot_sweep_write(const char *dir, const struct sweep *sw, char *err, size_t err_len)
{
	char csv[4096], gp[4096];
	int rc;

	if (sw->nr_pt == 0) {
		snprintf(err, err_len, "--plots: the sweep has no points");
		return XMEM_ERR_INVAL;
	}
	rc = plot_mkdir(dir, err, err_len);
	if (rc)
		return rc;
	snprintf(csv, sizeof(csv), "%s/sweep.csv", dir);
	snprintf(gp, sizeof(gp), "%s/sweep.gp", dir);
	if (plot_sweep_csv(csv, sw) < 0) {
		snprintf(err, err_len, "%s: %s", csv, strerror(errno));
		return XMEM_ERR_IO;
	}
	if (plot_sweep_script(gp, dir, sw) < 0) {
		snprintf(err, err_len, "%s: %s", gp, strerror(errno));
		return XMEM_ERR_IO;
	}
	return plot_run(gp, err, err_len);
}
