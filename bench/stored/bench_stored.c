/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_stored: xmem-stored's performance, against a raw Unix-socket echo
 * round trip measured in the same run (the floor any socket daemon pays).
 *
 * Measures: single-client READ and WRITE latency (libxenstore), READ
 * throughput with 1, 8 and 64 clients, watch fan-out (one write, N
 * watchers: time until all have the event), transaction throughput on
 * disjoint and on overlapping nodes, memory per node with many nodes, and
 * start-up time. Prints a table; writes JSON with --json.
 *
 * usage: bench_stored --stored PATH [--json OUT] [--nodes N] [--watchers N]
 *                     [--seconds S] [--iterations N]
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "json.h"
#include "log.h"
#include "procfs.h"

static const char *bs_stored;
static char bs_dir[64];
static char bs_sock[192];
static pid_t bs_pid = -1;
static double bs_seconds = 2.0;

static double bs_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int bs_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double bs_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bs_cmp_double);
	return n ? v[n / 2] : 0;
}

/* VmRSS of pid in KiB, or -1. */
static long bs_rss_kib(pid_t pid)
{
	uint64_t kib;

	return procfs_rss_kib(pid, &kib) ? -1 : (long)kib;
}

/* Start xmem-stored on a fresh directory; returns the microseconds until it answered. */
static double bs_start_stored(void)
{
	char rundir[128], pidfile[128];
	struct xs_handle *h;
	double t0 = bs_now_us(), t1;
	unsigned int len;
	pid_t child;
	int status;
	FILE *f;

	snprintf(rundir, sizeof(rundir), "%s/store", bs_dir);
	snprintf(pidfile, sizeof(pidfile), "%s/stored.pid", bs_dir);
	child = fork();
	if (child < 0)
		fatal("fork");
	if (child == 0) {
		execl(bs_stored, bs_stored, "--rundir", rundir, "--pid-file", pidfile, "--quota",
		      "write-rate=0", (char *)NULL);
		_exit(127);
	}
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		fatalx("xmem-stored did not start");
	snprintf(bs_sock, sizeof(bs_sock), "%s/socket", rundir);
	setenv("XENSTORED_PATH", bs_sock, 1);
	h = xs_open(0);
	if (!h)
		fatal("xs_open");
	free(xs_read(h, XBT_NULL, "/", &len));
	t1 = bs_now_us();
	xs_close(h);
	f = fopen(pidfile, "r");
	if (!f || fscanf(f, "%d", &bs_pid) != 1)
		fatalx("no pid file");
	fclose(f);
	return t1 - t0;
}

static void bs_stop_stored(void)
{
	int n = 0;

	if (bs_pid <= 0)
		return;
	kill(bs_pid, SIGTERM);
	while (kill(bs_pid, 0) == 0 && n++ < 100)
		usleep(20000);
	bs_pid = -1;
}

/* ------------------------------------------------------ baseline: echo */

static void bs_echo_server(int lfd)
{
	char buf[16 + 4096];

	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			_exit(0);
		for (;;) {
			uint32_t hdr[4];
			ssize_t r = recv(fd, hdr, sizeof(hdr), MSG_WAITALL);

			if (r != (ssize_t)sizeof(hdr) || hdr[3] > 4096)
				break;
			memcpy(buf, hdr, sizeof(hdr));
			if (hdr[3] && recv(fd, buf + 16, hdr[3], MSG_WAITALL) != (ssize_t)hdr[3])
				break;
			if (send(fd, buf, 16 + hdr[3], 0) < 0)
				break;
		}
		close(fd);
	}
}

static pid_t bs_echo_pid = -1;

/* Start the echo server; returns a connected client socket. */
static int bs_echo_open(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd, fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/echo", bs_dir);
	unlink(sun.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) || listen(lfd, 4))
		fatal("echo socket");
	bs_echo_pid = fork();
	if (bs_echo_pid == 0)
		bs_echo_server(lfd);
	close(lfd);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		fatal("connect echo");
	return fd;
}

static void bs_echo_close(int fd)
{
	close(fd);
	kill(bs_echo_pid, SIGTERM);
	waitpid(bs_echo_pid, NULL, 0);
}

/* One round trip of a 16+12-byte message (a READ's size) through the echo server. */
static double bs_echo_once(int fd)
{
	char msg[16 + 12] = { 0 }, back[sizeof(msg)];
	double t0 = bs_now_us();

	((uint32_t *)msg)[3] = 12;
	if (send(fd, msg, 16, 0) != 16 || send(fd, msg + 16, 12, 0) != 12 ||
	    recv(fd, back, 16, MSG_WAITALL) != 16 || recv(fd, back + 16, 12, MSG_WAITALL) != 12)
		fatalx("echo failed");
	return bs_now_us() - t0;
}

/* ------------------------------------------------------------ latency */

/*
 * Median latencies of the echo baseline, READ and WRITE, measured
 * interleaved (echo, read, write, echo, ...) so that all three see the same
 * machine load.
 */
static void bs_latency(int iterations, double *echo_us, double *read_us, double *write_us)
{
	struct xs_handle *h = xs_open(0);
	double *e = calloc(iterations, sizeof(*e)), *r = calloc(iterations, sizeof(*r));
	double *w = calloc(iterations, sizeof(*w));
	int efd = bs_echo_open(), i;
	unsigned int len;

	if (!h || !e || !r || !w)
		fatal("latency");
	xs_write(h, XBT_NULL, "/bench/key", "value", 5);
	for (i = 0; i < iterations; i++) {
		double t0;

		e[i] = bs_echo_once(efd);
		t0 = bs_now_us();
		free(xs_read(h, XBT_NULL, "/bench/key", &len));
		r[i] = bs_now_us() - t0;
		t0 = bs_now_us();
		xs_write(h, XBT_NULL, "/bench/key", "value", 5);
		w[i] = bs_now_us() - t0;
	}
	*echo_us = bs_median(e, iterations);
	*read_us = bs_median(r, iterations);
	*write_us = bs_median(w, iterations);
	free(e);
	free(r);
	free(w);
	bs_echo_close(efd);
	xs_close(h);
}

/* ---------------------------------------------------------- throughput */

struct bs_worker {
	pthread_t thread;
	struct xs_handle *h;
	int id;
	int mode; /* 0 read, 1 tx disjoint, 2 tx overlapping, 3 fill nodes */
	long ops;
	long conflicts;
	long nodes;
	volatile int *stop;
};

static void *bs_worker_main(void *arg)
{
	struct bs_worker *w = arg;
	char path[64], val[32];
	unsigned int len;
	long i;

	if (w->mode == 3) {
		for (i = 0; i < w->nodes; i++) {
			snprintf(path, sizeof(path), "/m/%d/%ld/n%ld", w->id, i / 1000, i % 1000);
			if (!xs_write(w->h, XBT_NULL, path, "v", 1))
				break;
			w->ops++;
		}
		return NULL;
	}
	snprintf(path, sizeof(path), "/bench/tx/%d", w->mode == 2 ? 0 : w->id);
	while (!*w->stop) {
		if (w->mode == 0) {
			free(xs_read(w->h, XBT_NULL, "/bench/key", &len));
			w->ops++;
		} else {
			xs_transaction_t t = xs_transaction_start(w->h);
			char *v = xs_read(w->h, t, path, &len);

			snprintf(val, sizeof(val), "%ld", v ? strtol(v, NULL, 10) + 1 : 0);
			free(v);
			xs_write(w->h, t, path, val, strlen(val));
			if (xs_transaction_end(w->h, t, false))
				w->ops++;
			else if (errno == EAGAIN)
				w->conflicts++;
		}
	}
	return NULL;
}

/* Run n workers in mode for bs_seconds; ops per second (conflicts per second too). */
static double bs_run_workers(int n, int mode, double *conflicts_per_s)
{
	struct bs_worker *w = calloc(n, sizeof(*w));
	volatile int stop = 0;
	long ops = 0, conflicts = 0;
	double t0, t1;
	int i;

	for (i = 0; i < n; i++) {
		char path[64];

		w[i].h = xs_open(0);
		if (!w[i].h)
			fatal("xs_open");
		/* The nodes exist before the clock starts: only steady-state conflicts count. */
		snprintf(path, sizeof(path), "/bench/tx/%d", mode == 2 ? 0 : i);
		xs_write(w[i].h, XBT_NULL, path, "0", 1);
		w[i].id = i;
		w[i].mode = mode;
		w[i].stop = &stop;
	}
	t0 = bs_now_us();
	for (i = 0; i < n; i++)
		pthread_create(&w[i].thread, NULL, bs_worker_main, &w[i]);
	usleep((useconds_t)(bs_seconds * 1e6));
	stop = 1;
	for (i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		ops += w[i].ops;
		conflicts += w[i].conflicts;
		xs_close(w[i].h);
	}
	t1 = bs_now_us();
	free(w);
	if (conflicts_per_s)
		*conflicts_per_s = conflicts / ((t1 - t0) / 1e6);
	return ops / ((t1 - t0) / 1e6);
}

/* ------------------------------------------------------------ fan-out */

/* Microseconds from one write until every one of n watchers has its event. */
static double bs_fanout(int n)
{
	struct xs_handle **h = calloc(n, sizeof(*h));
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	struct xs_handle *writer = xs_open(0);
	char token[32];
	double t0, t1;
	int i, left;

	xs_mkdir(writer, XBT_NULL, "/bench/fan");
	for (i = 0; i < n; i++) {
		char **ev;
		unsigned int num;

		h[i] = xs_open(0);
		if (!h[i])
			fatal("xs_open watcher %d", i);
		snprintf(token, sizeof(token), "w%d", i);
		if (!xs_watch(h[i], "/bench/fan", token))
			fatal("xs_watch");
		ev = xs_read_watch(h[i], &num); /* the registration event */
		free(ev);
		pfd[i].fd = xs_fileno(h[i]);
		pfd[i].events = POLLIN;
	}
	t0 = bs_now_us();
	xs_write(writer, XBT_NULL, "/bench/fan/x", "1", 1);
	left = n;
	while (left > 0) {
		if (poll(pfd, n, 10000) <= 0)
			fatalx("fan-out: %d watchers never got the event", left);
		for (i = 0; i < n; i++) {
			char **ev;

			if (pfd[i].fd < 0 || !(pfd[i].revents & POLLIN))
				continue;
			ev = xs_check_watch(h[i]);
			if (ev) {
				free(ev);
				pfd[i].fd = -1;
				left--;
			}
		}
	}
	t1 = bs_now_us();
	for (i = 0; i < n; i++)
		xs_close(h[i]);
	xs_close(writer);
	free(h);
	free(pfd);
	return t1 - t0;
}

/* ------------------------------------------------------------- memory */

/* Bytes per node beyond path and value, with nodes nodes written by 8 clients. */
static void bs_memory(long nodes, double *per_node, double *per_node_total, double *fill_rate)
{
	struct bs_worker w[8];
	volatile int stop = 0;
	long rss0, rss1, written = 0, payload = 0, i;
	double t0, t1;
	int k;

	rss0 = bs_rss_kib(bs_pid);
	memset(w, 0, sizeof(w));
	t0 = bs_now_us();
	for (k = 0; k < 8; k++) {
		w[k].h = xs_open(0);
		w[k].id = k;
		w[k].mode = 3;
		w[k].nodes = nodes / 8;
		w[k].stop = &stop;
		pthread_create(&w[k].thread, NULL, bs_worker_main, &w[k]);
	}
	for (k = 0; k < 8; k++) {
		pthread_join(w[k].thread, NULL);
		written += w[k].ops;
		xs_close(w[k].h);
	}
	t1 = bs_now_us();
	rss1 = bs_rss_kib(bs_pid);
	/* Path and value bytes of what was written (full paths, value "v"). */
	for (k = 0; k < 8; k++) {
		for (i = 0; i < w[k].ops; i++) {
			char path[64];

			payload += snprintf(path, sizeof(path), "/m/%d/%ld/n%ld", k, i / 1000,
					    i % 1000) +
				   1;
		}
	}
	*per_node_total = (rss1 - rss0) * 1024.0 / written;
	*per_node = ((rss1 - rss0) * 1024.0 - payload) / written;
	*fill_rate = written / ((t1 - t0) / 1e6);
}

static const int bs_clients[3] = { 1, 8, 64 };

/* What one run measured (times in microseconds, rates per second). */
struct bs_res {
	long nodes;
	int watchers;
	double echo_us, read_us, write_us, tput[3];
	double tx_disjoint, tx_overlap, tx_conf_d, tx_conf_o;
	double fan_us, per_node, per_node_total, fill_rate, startup_us;
};

/* Every measure, each on a fresh daemon where it matters. */
static void bs_run_all(struct bs_res *r, int iterations)
{
	double start_us[5];
	int i;

	for (i = 0; i < 5; i++) {
		start_us[i] = bs_start_stored();
		bs_stop_stored();
	}
	r->startup_us = bs_median(start_us, 5);
	bs_start_stored();
	bs_latency(iterations, &r->echo_us, &r->read_us, &r->write_us);
	for (i = 0; i < 3; i++)
		r->tput[i] = bs_run_workers(bs_clients[i], 0, NULL);
	r->tx_disjoint = bs_run_workers(8, 1, &r->tx_conf_d);
	r->tx_overlap = bs_run_workers(8, 2, &r->tx_conf_o);
	r->fan_us = bs_fanout(r->watchers);
	bs_stop_stored();
	bs_start_stored();
	bs_memory(r->nodes, &r->per_node, &r->per_node_total, &r->fill_rate);
	bs_stop_stored();
}

static void bs_print_text(const struct bs_res *r)
{
	int i;

	printf("%-44s %14s %10s\n", "xmem-stored", "value", "vs echo");
	printf("%-44s %11.1f us %10s\n", "raw Unix-socket echo round trip (baseline)", r->echo_us,
	       "1.00x");
	printf("%-44s %11.1f us %9.2fx\n", "READ latency, 1 client (median)", r->read_us,
	       r->read_us / r->echo_us);
	printf("%-44s %11.1f us %9.2fx\n", "WRITE latency, 1 client (median)", r->write_us,
	       r->write_us / r->echo_us);
	for (i = 0; i < 3; i++)
		printf("READ throughput, %2d client(s) %*s %10.0f /s\n", bs_clients[i], 14, "",
		       r->tput[i]);
	printf("%-44s %11.1f ms\n", "watch fan-out: 1 write to all watchers", r->fan_us / 1000);
	printf("  (%d watchers)\n", r->watchers);
	printf("%-44s %12.0f /s  (%.0f EAGAIN/s)\n", "transactions, 8 clients, disjoint nodes",
	       r->tx_disjoint, r->tx_conf_d);
	printf("%-44s %12.0f /s  (%.0f EAGAIN/s)\n", "transactions, 8 clients, one node",
	       r->tx_overlap, r->tx_conf_o);
	printf("%-44s %12.0f B   (%.0f B with path and value; %ld nodes)\n",
	       "memory per node beyond path and value", r->per_node, r->per_node_total, r->nodes);
	printf("%-44s %12.0f /s\n", "node creation rate, 8 clients", r->fill_rate);
	printf("%-44s %11.1f ms\n", "start-up (exec to first answer, median)",
	       r->startup_us / 1000);
}

static void bs_write_json(const struct bs_res *r, const char *json_path)
{
	FILE *f = fopen(json_path, "w");
	struct json_out *j = json_out_new(1);

	if (!f || !j)
		fatal("%s", json_path);
	json_out_obj_open(j);
	json_out_kv_str(j, "bench", "stored");
	json_out_kv_double(j, "echo_round_trip_us", r->echo_us);
	json_out_kv_double(j, "read_latency_us", r->read_us);
	json_out_kv_double(j, "write_latency_us", r->write_us);
	json_out_kv_double(j, "read_vs_echo", r->read_us / r->echo_us);
	json_out_kv_double(j, "write_vs_echo", r->write_us / r->echo_us);
	json_out_kv_double(j, "read_per_s_1", r->tput[0]);
	json_out_kv_double(j, "read_per_s_8", r->tput[1]);
	json_out_kv_double(j, "read_per_s_64", r->tput[2]);
	json_out_kv_u64(j, "watchers", r->watchers);
	json_out_kv_double(j, "fanout_ms", r->fan_us / 1000);
	json_out_kv_double(j, "tx_per_s_disjoint", r->tx_disjoint);
	json_out_kv_double(j, "tx_eagain_per_s_disjoint", r->tx_conf_d);
	json_out_kv_double(j, "tx_per_s_overlapping", r->tx_overlap);
	json_out_kv_double(j, "tx_eagain_per_s_overlapping", r->tx_conf_o);
	json_out_kv_u64(j, "nodes", r->nodes);
	json_out_kv_double(j, "bytes_per_node_beyond_path_value", r->per_node);
	json_out_kv_double(j, "bytes_per_node_total", r->per_node_total);
	json_out_kv_double(j, "node_creation_per_s", r->fill_rate);
	json_out_kv_double(j, "startup_ms", r->startup_us / 1000);
	json_out_obj_close(j);
	if (json_out_print(j, f))
		fatalx("cannot write %s", json_path);
	json_out_free(j);
	fclose(f);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stored", required_argument, NULL, 's' },
		{ "json", required_argument, NULL, 'j' },
		{ "nodes", required_argument, NULL, 'n' },
		{ "watchers", required_argument, NULL, 'w' },
		{ "seconds", required_argument, NULL, 't' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *json_path = NULL;
	int iterations = 20000, opt;
	struct rlimit rl;
	struct bs_res r;
	char cmd[128];

	log_init("bench_stored", LOG_TO_CLI, 1);
	memset(&r, 0, sizeof(r));
	r.nodes = 1000000;
	r.watchers = 1000;
	while ((opt = getopt_long(argc, argv, "s:j:n:w:t:i:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			bs_stored = optarg;
			break;
		case 'j':
			json_path = optarg;
			break;
		case 'n':
			r.nodes = strtol(optarg, NULL, 10);
			break;
		case 'w':
			r.watchers = atoi(optarg);
			break;
		case 't':
			bs_seconds = atof(optarg);
			break;
		case 'i':
			iterations = atoi(optarg);
			break;
		case 'h':
			printf("usage: bench_stored --stored PATH [--json OUT] [--nodes N] "
			       "[--watchers N] [--seconds S] [--iterations N]\n");
			return 0;
		default:
			return 1;
		}
	}
	if (!bs_stored)
		fatalx("--stored PATH is required");
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(bs_dir, sizeof(bs_dir), "/tmp/bench-stored.XXXXXX");
	if (!mkdtemp(bs_dir))
		fatal("mkdtemp");
	bs_run_all(&r, iterations);
	bs_print_text(&r);
	if (json_path)
		bs_write_json(&r, json_path);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", bs_dir);
	if (system(cmd) != 0)
		log_warnx("could not remove %s", bs_dir);
	return 0;
}
