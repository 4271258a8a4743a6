/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xs_bench.c: a small key-tree benchmark spoken through Debian's
 * libxenstore, for comparing two stores on the same machine in the same run
 * (tests/xen/bench.sh runs it in dom0 against the real xenstored and against
 * xmem-stored, alternately).
 *
 * Usage: xs-bench [--root PATH] [--scale N]; prints one line per operation:
 *   OPERATION COUNT SECONDS
 * Operations: write (distinct keys), read, directory (of a 100-child node),
 * txn (read + write + commit), watch (write, then wait for its event), rm.
 * XENSTORED_PATH selects the store, as for every libxenstore client.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenstore.h>

static struct xs_handle *bench_xs;
static char bench_root[256] = "/xmem-bench";

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Print one result line and say whether the operation succeeded throughout. */
static int bench_report(const char *op, unsigned int n, double t0, bool ok)
{
	if (!ok) {
		fprintf(stderr, "xs-bench: %s failed: %s\n", op, strerror(errno));
		return 1;
	}
	printf("%s %u %.6f\n", op, n, bench_now() - t0);
	fflush(stdout);
	return 0;
}

/* Wait for one watch event (10 s at most). */
static bool bench_wait_event(void)
{
	struct pollfd pfd = { .fd = xs_fileno(bench_xs), .events = POLLIN };
	char **ev;

	for (;;) {
		ev = xs_check_watch(bench_xs);
		if (ev) {
			free(ev);
			return true;
		}
		if (poll(&pfd, 1, 10000) <= 0)
			return false;
	}
}

static int bench_run(unsigned int n)
{
	char path[320], val[64];
	unsigned int i, len, nr;
	double t0;
	bool ok = true;
	int rc = 0;

	t0 = bench_now();
	for (i = 0; i < n && ok; i++) {
		snprintf(path, sizeof(path), "%s/k/%u", bench_root, i);
		snprintf(val, sizeof(val), "value-%u", i);
		ok = xs_write(bench_xs, XBT_NULL, path, val, (unsigned int)strlen(val));
	}
	rc |= bench_report("write", n, t0, ok);

	t0 = bench_now();
	for (i = 0; i < n && ok; i++) {
		char *v;

		snprintf(path, sizeof(path), "%s/k/%u", bench_root, i);
		v = xs_read(bench_xs, XBT_NULL, path, &len);
		ok = v != NULL;
		free(v);
	}
	rc |= bench_report("read", n, t0, ok);

	for (i = 0; i < 100 && ok; i++) {
		snprintf(path, sizeof(path), "%s/d/c%u", bench_root, i);
		ok = xs_write(bench_xs, XBT_NULL, path, "x", 1);
	}
	snprintf(path, sizeof(path), "%s/d", bench_root);
	t0 = bench_now();
	for (i = 0; i < n / 10 && ok; i++) {
		char **ents = xs_directory(bench_xs, XBT_NULL, path, &nr);

		ok = ents != NULL && nr == 100;
		free(ents);
	}
	rc |= bench_report("directory", n / 10, t0, ok);

	t0 = bench_now();
	for (i = 0; i < n / 4 && ok; i++) {
		xs_transaction_t t = xs_transaction_start(bench_xs);
		char *v;

		ok = t != XBT_NULL;
		if (!ok)
			break;
		snprintf(path, sizeof(path), "%s/t/%u", bench_root, i % 16);
		v = xs_read(bench_xs, t, path, &len);
		free(v);
		ok = xs_write(bench_xs, t, path, "1", 1) && xs_transaction_end(bench_xs, t, false);
	}
	rc |= bench_report("txn", n / 4, t0, ok);

	snprintf(path, sizeof(path), "%s/w", bench_root);
	ok = ok && xs_watch(bench_xs, path, "b") && bench_wait_event();
	t0 = bench_now();
	for (i = 0; i < n / 4 && ok; i++)
		ok = xs_write(bench_xs, XBT_NULL, path, "1", 1) && bench_wait_event();
	rc |= bench_report("watch", n / 4, t0, ok);
	xs_unwatch(bench_xs, path, "b");

	snprintf(path, sizeof(path), "%s/k", bench_root);
	t0 = bench_now();
	ok = ok && xs_rm(bench_xs, XBT_NULL, path);
	rc |= bench_report("rm", n, t0, ok);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "scale", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long n = 1000;
	char *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "r:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			snprintf(bench_root, sizeof(bench_root), "%s", optarg);
			break;
		case 'n':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || n < 10 || n > 1000000) {
				fprintf(stderr, "xs-bench: --scale wants 10..1000000\n");
				return 2;
			}
			break;
		case 'h':
			printf("usage: xs-bench [--root PATH] [--scale N]\n"
			       "Time N writes, N reads, N/10 directory listings, N/4 "
			       "transactions,\n"
			       "N/4 watch round trips and one rm of N keys under PATH (default\n"
			       "/xmem-bench) through libxenstore; prints 'OP COUNT SECONDS' "
			       "lines.\n");
			return 0;
		default:
			fprintf(stderr, "xs-bench: try --help\n");
			return 2;
		}
	}
	bench_xs = xs_open(0);
	if (!bench_xs) {
		fprintf(stderr, "xs-bench: cannot open the store: %s\n", strerror(errno));
		return 1;
	}
	xs_rm(bench_xs, XBT_NULL, bench_root);
	rc = bench_run((unsigned int)n);
	xs_rm(bench_xs, XBT_NULL, bench_root);
	xs_close(bench_xs);
	return rc;
}
