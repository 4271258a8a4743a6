/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_hvsim.c: how fast xmem-hvsim balloons and how much memory it needs,
 * each next to a baseline measured in the same run.
 *
 *   bench_hvsim HVSIM_BIN WORKDIR OUT.json [SECONDS]
 *
 * 1. Balloon rate: guests each loop { increase 512 frames (order 0);
 *    decrease them } through lib/hv.h, as a Linux balloon driver's batches;
 *    frames moved per second, for 1 guest and for 16 guests at once (one
 *    process each). Baseline: a raw Unix-socket round trip with the same
 *    message sizes against a trivial single-threaded epoll echo server, with
 *    1 and 16 clients, and the daemon's own empty round trip (ping).
 * 2. Memory: the daemon's RSS simulating 1 TiB with 1,000 domains that own
 *    nearly all of it, then after every domain has ballooned in turn on the
 *    full host. Baseline: the RSS of the same daemon simulating 1 GiB.
 *
 * Prints a table and writes OUT.json (lib/json.h). Not a test: no verdict.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hv.h"
#include "hv_sim.h"
#include "hvsim_proto.h"
#include "json.h"
#include "procfs.h"

#define BATCH	      512u
#define MAX_CLIENTS   16
#define NR_DOMAINS    1000u
#define PAGES_PER_GIB (UINT64_C(1) << 18)

/* Request and reply sizes of one 512-frame batch (decrease / increase). */
#define REQ_BYTES (sizeof(struct hvsim_hdr) + sizeof(struct hvsim_memop_req) + BATCH * 8)
#define REP_BYTES (sizeof(struct hvsim_hdr) + sizeof(struct hvsim_memop_rep) + BATCH * 8)

static const char *hvsim_bin;
static const char *workdir;
static double bench_seconds = 2.0;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *msg)
{
	fprintf(stderr, "bench_hvsim: %s: %s\n", msg, strerror(errno));
	exit(1);
}

/* Start xmem-hvsim in the foreground on WORKDIR/name; wait for its socket. */
static pid_t daemon_start(const char *name, const char *memory, const char *xen, const char *dom0,
			  char *rundir, size_t len)
{
	char log[4096];
	struct hv *h = NULL;
	pid_t pid;
	int i;

	snprintf(rundir, len, "%s/%s", workdir, name);
	snprintf(log, sizeof(log), "%s/%s.log", workdir, name);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execl(hvsim_bin, hvsim_bin, "--rundir", rundir, "--memory", memory,
		      "--xen-overhead", xen, "--dom0", dom0, "--foreground", "--log-file", log,
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 3000 && !h; i++) {
		h = hv_open_sim(rundir);
		if (!h)
			usleep(10000);
	}
	if (!h)
		die("xmem-hvsim did not come up");
	hv_close(h);
	return pid;
}

static void daemon_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* VmRSS of pid in KiB (0 when unknown). */
static uint64_t rss_kib(pid_t pid)
{
	uint64_t kib = 0;

	procfs_rss_kib(pid, &kib);
	return kib;
}

/*
 * Run fn in n processes at once, each for bench_seconds; each writes its count
 * into shared memory. Returns the total count per second.
 */
static double run_parallel(int n, void (*fn)(int idx, uint64_t *count_r, double *secs_r))
{
	uint64_t *counts;
	double *secs, total = 0;
	pid_t pids[MAX_CLIENTS];
	int i;

	counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counts == MAP_FAILED)
		die("mmap");
	secs = (double *)(counts + MAX_CLIENTS);
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0) {
			fn(i, &counts[i], &secs[i]);
			_exit(0);
		}
	}
	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	for (i = 0; i < n; i++)
		total += secs[i] > 0 ? (double)counts[i] / secs[i] : 0;
	munmap(counts, 4096);
	return total;
}

static char balloon_dir[4096];

/* One guest (domid idx + 1) ballooning 512 frames up and down. Counts frames moved. */
static void balloon_worker(int idx, uint64_t *count_r, double *secs_r)
{
	static uint64_t frames[BATCH];
	struct hv *h = hv_open_sim_guest(balloon_dir, (uint32_t)idx + 1);
	double t0, t;
	uint64_t moved = 0;
	long done;

	if (!h)
		die("open guest");
	t0 = now_s();
	do {
		done = hv_increase_reservation(h, BATCH, 0, frames);
		if (done != BATCH || hv_decrease_reservation(h, BATCH, 0, frames) != BATCH) {
			fprintf(stderr, "bench_hvsim: d%d: short batch\n", idx + 1);
			exit(1);
		}
		moved += 2 * BATCH;
		t = now_s();
	} while (t - t0 < bench_seconds);
	*count_r = moved;
	*secs_r = t - t0;
	hv_close(h);
}

/* Empty round trips to the daemon. */
static void ping_worker(int idx, uint64_t *count_r, double *secs_r)
{
	struct hv *h = hv_open_sim_guest(balloon_dir, (uint32_t)idx + 1);
	double t0, t;
	uint64_t n = 0;

	if (!h)
		die("open guest");
	t0 = now_s();
	do {
		if (hv_sim_ping(h))
			die("ping");
		n++;
		t = now_s();
	} while (t - t0 < bench_seconds);
	*count_r = n;
	*secs_r = t - t0;
	hv_close(h);
}

static char echo_path[4096];

/* The baseline server: single-threaded epoll, REQ_BYTES in, REP_BYTES out. */
static void echo_server(int lfd)
{
	static uint8_t in[MAX_CLIENTS + 8][REQ_BYTES], out[REP_BYTES];
	size_t have[MAX_CLIENTS + 8] = { 0 };
	struct epoll_event ev, evs[32];
	int ep = epoll_create1(0), n, i, fd;
	ssize_t r;

	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	memset(out, 0x5a, sizeof(out));
	for (;;) {
		n = epoll_wait(ep, evs, 32, -1);
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fd == lfd) {
				int c = accept(lfd, NULL, NULL);

				if (c >= 0 && c < MAX_CLIENTS + 8) {
					ev.events = EPOLLIN;
					ev.data.fd = c;
					have[c] = 0;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				} else if (c >= 0) {
					close(c);
				}
				continue;
			}
			r = read(fd, in[fd] + have[fd], REQ_BYTES - have[fd]);
			if (r <= 0) {
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				continue;
			}
			have[fd] += (size_t)r;
			if (have[fd] == REQ_BYTES) {
				have[fd] = 0;
				if (write(fd, out, sizeof(out)) != (ssize_t)sizeof(out))
					_exit(1);
			}
		}
	}
}

/* A baseline client: round trips of one batch's sizes. Counts frames "moved". */
static void echo_worker(int idx, uint64_t *count_r, double *secs_r)
{
	static uint8_t req[REQ_BYTES], rep[REP_BYTES];
	struct sockaddr_un sun;
	double t0, t;
	uint64_t n = 0;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(echo_path) >= sizeof(sun.sun_path))
		die("socket path too long");
	memcpy(sun.sun_path, echo_path, strlen(echo_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die("connect echo");
	t0 = now_s();
	do {
		if (write(fd, req, sizeof(req)) != (ssize_t)sizeof(req) ||
		    hvsim_read_full(fd, rep, sizeof(rep)))
			die("echo");
		n += BATCH;
		t = now_s();
	} while (t - t0 < bench_seconds);
	*count_r = n;
	*secs_r = t - t0;
	close(fd);
}

/* Frames per second to GiB per second. */
static double gib_s(double frames_s)
{
	return frames_s * 4096.0 / (1024.0 * 1024.0 * 1024.0);
}

/* One row of the summary table: measure, value, baseline, ratio. */
static void table_row(struct json_out *out, const char *measure, double value, double baseline)
{
	json_out_arr_open(out);
	json_out_str(out, measure);
	json_out_double(out, value);
	json_out_double(out, baseline);
	json_out_double(out, baseline > 0 ? value / baseline : 0);
	json_out_arr_close(out);
}

/* What one run measured. */
struct bench_res {
	double bal1, bal16, echo1, echo16, ping1;	       /* frames/s, round trips/s */
	uint64_t rss_small, rss_empty_tib, rss_tib, rss_churn; /* KiB */
};

/* 1. Balloon rate on a 64 GiB host with 16 guests, and an empty request's. */
static void bench_rates(struct bench_res *r)
{
	struct hv *h;
	pid_t pid;
	uint32_t d;

	pid = daemon_start("rate", "64G", "512M", "1G", balloon_dir, sizeof(balloon_dir));
	h = hv_open_sim(balloon_dir);
	for (d = 1; d <= MAX_CLIENTS; d++) {
		if (!h || hv_domain_create(h, d, 1u << 20, 0))
			die("create guest");
	}
	r->ping1 = run_parallel(1, ping_worker);
	r->bal1 = run_parallel(1, balloon_worker);
	r->bal16 = run_parallel(MAX_CLIENTS, balloon_worker);
	if (hv_sim_check(h, &(struct hvsim_check_rep){ 0 }))
		die("invariant after the balloon runs");
	hv_close(h);
	daemon_stop(pid);
}

/* The baseline: the same message sizes over a raw socket, same run. */
static void bench_echo(struct bench_res *r)
{
	struct sockaddr_un sun;
	pid_t echo_pid;
	int lfd;

	snprintf(echo_path, sizeof(echo_path), "%s/echo.sock", workdir);
	unlink(echo_path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(echo_path) >= sizeof(sun.sun_path))
		die("socket path too long");
	memcpy(sun.sun_path, echo_path, strlen(echo_path) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 64) < 0)
		die("echo socket");
	echo_pid = fork();
	if (echo_pid == 0)
		echo_server(lfd);
	close(lfd);
	r->echo1 = run_parallel(1, echo_worker);
	r->echo16 = run_parallel(MAX_CLIENTS, echo_worker);
	kill(echo_pid, SIGTERM);
	waitpid(echo_pid, NULL, 0);
	unlink(echo_path);
}

/* 2. Memory: 1 GiB baseline, then 1 TiB with 1,000 domains, then churn on it. */
static void bench_memory(struct bench_res *r)
{
	static uint64_t frames[BATCH];
	char tib_dir[4096];
	struct hv *h;
	pid_t pid;
	uint32_t d;
	int i;

	pid = daemon_start("small", "1G", "8M", "256M", tib_dir, sizeof(tib_dir));
	r->rss_small = rss_kib(pid);
	daemon_stop(pid);
	pid = daemon_start("tib", "1T", "8G", "4G", tib_dir, sizeof(tib_dir));
	r->rss_empty_tib = rss_kib(pid);
	h = hv_open_sim(tib_dir);
	for (d = 1; d <= NR_DOMAINS; d++) {
		/* 1000 MiB each: the host ends about 98% full. */
		if (!h || hv_domain_create(h, d, 2 * 256000, 256000))
			die("create 1,000 domains");
	}
	r->rss_tib = rss_kib(pid);
	/* Every domain gives back 512 frames and takes 512 again. */
	for (d = 1; d <= NR_DOMAINS; d++) {
		struct hv *g = hv_open_sim_guest(tib_dir, d);

		for (i = 0; g && i < 4; i++) {
			if (hv_increase_reservation(g, BATCH, 0, frames) != BATCH ||
			    hv_decrease_reservation(g, BATCH / 2, 0, frames) != BATCH / 2)
				die("churn");
		}
		hv_close(g);
	}
	r->rss_churn = rss_kib(pid);
	if (hv_sim_check(h, &(struct hvsim_check_rep){ 0 }))
		die("invariant after the 1 TiB run");
	hv_close(h);
	daemon_stop(pid);
}

static void bench_print_text(const struct bench_res *r)
{
	printf("%-46s %14s %10s\n", "xmem-hvsim", "value", "vs baseline");
	printf("%-46s %11.0f/s\n", "raw socket round trip, 1 client", r->echo1 / BATCH);
	printf("%-46s %11.0f/s\n", "daemon ping round trip, 1 client", r->ping1);
	printf("%-46s %9.2f GiB/s %9.2fx\n", "balloon, 1 guest, 512-frame batches", gib_s(r->bal1),
	       r->bal1 / r->echo1);
	printf("%-46s %9.2f GiB/s %9.2fx\n", "balloon, 16 guests, 512-frame batches",
	       gib_s(r->bal16), r->bal16 / r->echo16);
	printf("%-46s %9.2f GiB/s\n", "raw socket, 1 client, batch-sized messages",
	       gib_s(r->echo1));
	printf("%-46s %9.2f GiB/s\n", "raw socket, 16 clients, batch-sized messages",
	       gib_s(r->echo16));
	printf("%-46s %10" PRIu64 " MiB\n", "RSS, 1 GiB host (baseline)", r->rss_small / 1024);
	printf("%-46s %10" PRIu64 " MiB\n", "RSS, 1 TiB host, dom0 only", r->rss_empty_tib / 1024);
	printf("%-46s %10" PRIu64 " MiB\n", "RSS, 1 TiB host, 1,000 domains", r->rss_tib / 1024);
	printf("%-46s %10" PRIu64 " MiB\n", "RSS, 1 TiB host, 1,000 domains after churn",
	       r->rss_churn / 1024);
}

/* The table docs/performance.md shows (bench/update-doc.sh, bench-table). */
static void bench_json_table(struct json_out *out, const struct bench_res *r)
{
	static const char *const columns[] = { "measure", "xmem-hvsim", "baseline, same run",
					       "ratio" };
	size_t c;

	json_out_key(out, "table");
	json_out_obj_open(out);
	json_out_key(out, "columns");
	json_out_arr_open(out);
	for (c = 0; c < sizeof(columns) / sizeof(columns[0]); c++)
		json_out_str(out, columns[c]);
	json_out_arr_close(out);
	json_out_key(out, "rows");
	json_out_arr_open(out);
	table_row(out, "balloon, 1 guest, 512-frame batches (GiB/s)", gib_s(r->bal1),
		  gib_s(r->echo1));
	table_row(out, "balloon, 16 guests, 512-frame batches (GiB/s)", gib_s(r->bal16),
		  gib_s(r->echo16));
	table_row(out, "empty request, 1 client (round trips/s)", r->ping1, r->echo1 / BATCH);
	table_row(out, "RSS, 1 TiB host, dom0 only (MiB)", r->rss_empty_tib / 1024.0,
		  r->rss_small / 1024.0);
	table_row(out, "RSS, 1 TiB host, 1,000 domains (MiB)", r->rss_tib / 1024.0,
		  r->rss_small / 1024.0);
	table_row(out, "RSS, 1 TiB host, 1,000 domains after churn (MiB)", r->rss_churn / 1024.0,
		  r->rss_small / 1024.0);
	json_out_arr_close(out);
	json_out_obj_close(out);
}

/* The figures behind the table, by measure. */
static void bench_json_figures(struct json_out *out, const struct bench_res *r)
{
	json_out_key(out, "baseline");
	json_out_obj_open(out);
	json_out_kv_double(out, "raw_socket_roundtrips_per_s_1_client", r->echo1 / BATCH);
	json_out_kv_double(out, "raw_socket_roundtrips_per_s_16_clients", r->echo16 / BATCH);
	json_out_kv_double(out, "raw_socket_gib_per_s_1_client", gib_s(r->echo1));
	json_out_kv_double(out, "raw_socket_gib_per_s_16_clients", gib_s(r->echo16));
	json_out_kv_double(out, "daemon_ping_roundtrips_per_s", r->ping1);
	json_out_kv_u64(out, "rss_kib_1_gib_host", r->rss_small);
	json_out_obj_close(out);
	json_out_key(out, "balloon");
	json_out_obj_open(out);
	json_out_kv_double(out, "frames_per_s_1_guest", r->bal1);
	json_out_kv_double(out, "gib_per_s_1_guest", gib_s(r->bal1));
	json_out_kv_double(out, "ratio_to_raw_socket_1_guest", r->bal1 / r->echo1);
	json_out_kv_double(out, "frames_per_s_16_guests", r->bal16);
	json_out_kv_double(out, "gib_per_s_16_guests", gib_s(r->bal16));
	json_out_kv_double(out, "ratio_to_raw_socket_16_guests", r->bal16 / r->echo16);
	json_out_obj_close(out);
	json_out_key(out, "memory");
	json_out_obj_open(out);
	json_out_kv_u64(out, "domains", NR_DOMAINS);
	json_out_kv_u64(out, "rss_kib_1_tib_dom0_only", r->rss_empty_tib);
	json_out_kv_u64(out, "rss_kib_1_tib_1000_domains", r->rss_tib);
	json_out_kv_u64(out, "rss_kib_1_tib_after_churn", r->rss_churn);
	json_out_obj_close(out);
}

static void bench_write_json(const struct bench_res *r, const char *path)
{
	struct json_out *out = json_out_new(1);
	FILE *f;

	if (!out)
		die("json");
	json_out_obj_open(out);
	json_out_kv_str(out, "bench", "hvsim");
	bench_json_table(out, r);
	json_out_kv_str(
		out, "note",
		"Baselines: rates against a raw Unix-socket round trip with the same message "
		"sizes (single-threaded epoll server, as many clients); memory against the "
		"same daemon simulating a 1 GiB host.");
	json_out_kv_double(out, "seconds_per_run", bench_seconds);
	json_out_kv_u64(out, "batch_frames", BATCH);
	bench_json_figures(out, r);
	json_out_obj_close(out);
	f = fopen(path, "w");
	if (!f || json_out_print(out, f) || fclose(f))
		die(path);
	json_out_free(out);
}

int main(int argc, char **argv)
{
	struct bench_res r;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: bench_hvsim HVSIM_BIN WORKDIR OUT.json [SECONDS]\n");
		return 2;
	}
	hvsim_bin = argv[1];
	workdir = argv[2];
	if (argc == 5)
		bench_seconds = atof(argv[4]);
	mkdir(workdir, 0700);
	memset(&r, 0, sizeof(r));
	bench_rates(&r);
	bench_echo(&r);
	bench_memory(&r);
	bench_print_text(&r);
	bench_write_json(&r, argv[3]);
	return 0;
}
