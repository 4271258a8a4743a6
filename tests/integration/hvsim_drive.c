/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hvsim_drive.c: drives a running xmem-hvsim through lib/hv.h, for the
 * integration tests (not installed).
 *
 *   hvsim_drive DIR concurrent ITERATIONS DOMID...
 *     dom0 (one process) and each listed guest (one process each) work the
 *     simulator at the same time. Guests balloon up and down in random
 *     batches and orders, try frames they do not own and orders above 9, and
 *     check after every call that their tot_pages is exactly what their own
 *     successes add up to. dom0 lists, reads physinfo, moves maxmem, claims
 *     and cancels, creates and destroys a scratch domain, and asks the
 *     simulator to check its invariant after every call. At the end each
 *     guest gives back what it got and the host must be as it started.
 *
 *   hvsim_drive DIR garbage DOMID
 *     raw-socket abuse: wrong magic, wrong version, oversize lengths,
 *     truncated requests, wrong payload sizes, huge nr_extents, too many
 *     connections; the daemon must answer as documented, stay up, and keep
 *     its invariant.
 *
 * Exit status 0 when everything held, 1 otherwise (reason on stderr).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv.h"
#include "hv_sim.h"
#include "hvsim_proto.h"
#include "xmem_err.h"

#define DRIVE_MAX_GUESTS  16
#define DRIVE_MAX_HELD	  65536u
#define DRIVE_SCRATCH_DOM 4000u

static const char *drive_dir;

static void die(const char *who, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void die(const char *who, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hvsim_drive %s: ", who);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* Ask the simulator for its invariant; die if broken. */
static void drive_check(struct hv *h, const char *who)
{
	struct hvsim_check_rep rep;
	int rc = hv_sim_check(h, &rep);

	if (rc)
		die(who, "invariant: %s (%s)", rc == XMEM_ERR_FAIL ? rep.msg : "no answer",
		    xmem_strerror(rc));
}

/* Extents a guest holds: first frame and order. */
struct held {
	uint64_t frame;
	unsigned int order;
};

/* One guest's run: what it holds, by its own count. */
struct drive_g {
	struct hv *h;
	char who[32];
	unsigned int seed;
	struct held *held; /* extents it holds, oldest first */
	unsigned int nr_held;
	uint64_t want; /* tot_pages by its own count */
	uint64_t *frames;
};

/* Balloon up: increase or populate some extents of a random order. */
static void drive_guest_up(struct drive_g *g)
{
	unsigned int order = rand_r(&g->seed) % 3, n = 1 + rand_r(&g->seed) % 64, j;
	long done;

	if (g->nr_held + n > DRIVE_MAX_HELD)
		return;
	for (j = 0; j < n; j++)
		g->frames[j] = 0x100000 + j; /* guest frames: ignored by the simulator */
	done = rand_r(&g->seed) % 2 ? hv_increase_reservation(g->h, n, order, g->frames)
				    : hv_populate_physmap(g->h, n, order, g->frames);
	if (done < 0 || done > (long)n)
		die(g->who, "increase: %ld", done);
	for (j = 0; j < (unsigned int)done; j++) {
		g->held[g->nr_held].frame = g->frames[j];
		g->held[g->nr_held].order = order;
		g->nr_held++;
	}
	g->want += (uint64_t)done << order;
}

/* Balloon down: give back the newest extents of one order. */
static void drive_guest_down(struct drive_g *g)
{
	unsigned int n = 0, order, j, top = g->nr_held - 1;
	long done;

	while (n < 64 && n < g->nr_held && g->held[top - n].order == g->held[top].order)
		n++;
	if (!n)
		return;
	order = g->held[top].order;
	for (j = 0; j < n; j++)
		g->frames[j] = g->held[top - j].frame;
	done = hv_decrease_reservation(g->h, n, order, g->frames);
	if (done != (long)n)
		die(g->who, "decrease of owned frames: %ld of %u", done, n);
	g->nr_held -= n;
	g->want -= (uint64_t)n << order;
}

/* Misbehave: frames not owned, one frame twice, orders above the limit. */
static void drive_guest_misbehave(struct drive_g *g)
{
	g->frames[0] = 0; /* Xen's */
	if (hv_decrease_reservation(g->h, 1, 0, g->frames) != 0)
		die(g->who, "gave back a frame it does not own");
	if (g->nr_held) {
		g->frames[0] = g->held[0].frame;
		g->frames[1] = g->held[0].frame; /* twice: the second must fail */
		if (g->held[0].order == 0) {
			if (hv_decrease_reservation(g->h, 2, 0, g->frames) != 1)
				die(g->who, "same frame given back twice");
			g->held[0] = g->held[--g->nr_held];
			g->want -= 1;
		}
	}
	if (hv_increase_reservation(g->h, 1, HV_MAX_GUEST_ORDER + 1, g->frames) != 0)
		die(g->who, "order above the guest limit allowed");
}

/* One guest: random ballooning with exact self-accounting; exits. */
static void drive_guest(uint32_t domid, unsigned int iterations) __attribute__((noreturn));

static void drive_guest(uint32_t domid, unsigned int iterations)
{
	static struct held held[DRIVE_MAX_HELD];
	static uint64_t frames[512];
	struct drive_g g = { .seed = 1000 + domid, .held = held, .frames = frames };
	uint64_t start, tot, max;
	unsigned int i;

	snprintf(g.who, sizeof(g.who), "d%u", domid);
	g.h = hv_open_sim_guest(drive_dir, domid);
	if (!g.h)
		die(g.who, "open: %s", strerror(errno));
	if (hv_current_reservation(g.h, &start) || hv_maximum_reservation(g.h, &max))
		die(g.who, "reservation");
	g.want = start;
	for (i = 0; i < iterations; i++) {
		unsigned int r = rand_r(&g.seed) % 6;

		if (r < 3)
			drive_guest_up(&g);
		else if (r < 5)
			drive_guest_down(&g);
		else
			drive_guest_misbehave(&g);
		if (hv_current_reservation(g.h, &tot))
			die(g.who, "current_reservation");
		if (tot != g.want)
			die(g.who, "tot_pages %" PRIu64 ", own count %" PRIu64, tot, g.want);
	}
	/* Give everything back. */
	while (g.nr_held) {
		frames[0] = held[g.nr_held - 1].frame;
		if (hv_decrease_reservation(g.h, 1, held[g.nr_held - 1].order, frames) != 1)
			die(g.who, "final give-back");
		g.nr_held--;
	}
	if (hv_current_reservation(g.h, &tot) || tot != start)
		die(g.who, "tot_pages %" PRIu64 " at the end, started with %" PRIu64, tot, start);
	hv_close(g.h);
	exit(0);
}

/* dom0: host-side calls, each followed by an invariant check. */
static void drive_dom0(const uint32_t *guests, int nr_guests, unsigned int iterations)
	__attribute__((noreturn));

static void drive_dom0(const uint32_t *guests, int nr_guests, unsigned int iterations)
{
	static struct hv_dominfo infos[64];
	struct hv_physinfo info;
	struct hv *h;
	unsigned int seed = 7, i;
	uint32_t g;
	size_t nr;
	int rc, scratch = 0;

	h = hv_open_sim(drive_dir);
	if (!h)
		die("dom0", "open: %s", strerror(errno));
	for (i = 0; i < iterations; i++) {
		g = guests[rand_r(&seed) % nr_guests];
		switch (rand_r(&seed) % 6) {
		case 0:
			if (hv_physinfo(h, &info))
				die("dom0", "physinfo");
			if (info.outstanding_pages > info.free_pages)
				die("dom0", "claims above free memory");
			break;
		case 1:
			if (hv_domain_list(h, 0, infos, 64, &nr) || nr < (size_t)nr_guests + 1)
				die("dom0", "list");
			break;
		case 2: /* move a guest's maxmem around (and back up) */
			if (hv_set_maxmem(h, g, (uint64_t)(rand_r(&seed) % 40000) * 4) ||
			    hv_set_maxmem(h, g, 1000000 * 4))
				die("dom0", "maxmem");
			break;
		case 3: /* claim for a guest, then cancel; refusals are fine */
			if (hv_domain_info(h, g, infos))
				die("dom0", "info of d%u", g);
			rc = hv_claim_pages(h, g, infos[0].tot_pages + 1 + rand_r(&seed) % 2048);
			if (rc && rc != XMEM_ERR_NOSPACE && rc != XMEM_ERR_INVAL)
				die("dom0", "claim: %s", xmem_strerror(rc));
			if (hv_claim_pages(h, g, 0))
				die("dom0", "cancel claim");
			break;
		default: /* a scratch domain comes and goes */
			if (!scratch) {
				rc = hv_domain_create(h, DRIVE_SCRATCH_DOM, 4096,
						      rand_r(&seed) % 2048);
				if (rc && rc != XMEM_ERR_NOSPACE)
					die("dom0", "create: %s", xmem_strerror(rc));
				scratch = !rc;
			} else {
				if (hv_domain_destroy(h, DRIVE_SCRATCH_DOM))
					die("dom0", "destroy");
				scratch = 0;
			}
			break;
		}
		drive_check(h, "dom0");
	}
	if (scratch && hv_domain_destroy(h, DRIVE_SCRATCH_DOM))
		die("dom0", "destroy");
	drive_check(h, "dom0");
	hv_close(h);
	exit(0);
}

static int drive_concurrent(int argc, char **argv)
{
	uint32_t guests[DRIVE_MAX_GUESTS];
	struct hv_physinfo before, after;
	struct hv *h;
	unsigned int iterations;
	pid_t pids[DRIVE_MAX_GUESTS + 1];
	int nr_guests, i, status, failed = 0;

	if (argc < 2 || argc - 1 > DRIVE_MAX_GUESTS)
		die("usage", "concurrent ITERATIONS DOMID...");
	iterations = (unsigned int)strtoul(argv[0], NULL, 10);
	nr_guests = argc - 1;
	for (i = 0; i < nr_guests; i++)
		guests[i] = (uint32_t)strtoul(argv[1 + i], NULL, 10);
	h = hv_open_sim(drive_dir);
	if (!h || hv_physinfo(h, &before))
		die("setup", "cannot reach the simulator in %s", drive_dir);
	drive_check(h, "setup");
	hv_close(h); /* not inherited by the children */
	for (i = 0; i <= nr_guests; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("setup", "fork: %s", strerror(errno));
		if (pids[i] == 0) {
			if (i == nr_guests)
				drive_dom0(guests, nr_guests, iterations);
			drive_guest(guests[i], iterations);
		}
	}
	for (i = 0; i <= nr_guests; i++) {
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed = 1;
	}
	h = hv_open_sim(drive_dir);
	if (!h)
		die("end", "cannot reach the simulator in %s", drive_dir);
	drive_check(h, "end");
	if (hv_physinfo(h, &after))
		die("end", "physinfo");
	if (after.free_pages != before.free_pages || after.outstanding_pages != 0)
		die("end", "free %" PRIu64 " (was %" PRIu64 "), outstanding %" PRIu64,
		    after.free_pages, before.free_pages, after.outstanding_pages);
	hv_close(h);
	return failed;
}

/* Connect a raw stream socket to path. */
static int raw_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die("garbage", "connect %s: %s", path, strerror(errno));
	return fd;
}

/* Send len bytes, read the reply header; return its status (or -1 on EOF). */
static int raw_roundtrip(int fd, const void *buf, size_t len, struct hvsim_hdr *rep_r)
{
	static uint8_t payload[HVSIM_MAX_PAYLOAD];
	size_t got = 0;
	ssize_t r;

	if (len && send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		die("garbage", "send: %s", strerror(errno));
	while (got < sizeof(*rep_r)) {
		r = read(fd, (char *)rep_r + got, sizeof(*rep_r) - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	got = 0;
	while (got < rep_r->len && rep_r->len <= sizeof(payload)) {
		r = read(fd, payload + got, rep_r->len - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return rep_r->status;
}

/* After an error that breaks the stream, the daemon closes the connection. */
static void raw_expect_eof(int fd, const char *what)
{
	char c;

	if (read(fd, &c, 1) != 0)
		die("garbage", "%s: connection not closed", what);
	close(fd);
}

/* Wrong magic, wrong version, oversize: an error, then the stream is closed. */
static void drive_garbage_headers(const char *priv, const char *guest)
{
	struct hvsim_hdr hdr, rep;
	int fd;

	fd = raw_connect(priv);
	hvsim_hdr_init(&hdr, HVSIM_OP_PING, 1, 0, 0);
	hdr.magic = 0xdeadbeef;
	if (raw_roundtrip(fd, &hdr, sizeof(hdr), &rep) != EPROTO)
		die("garbage", "wrong magic not refused");
	raw_expect_eof(fd, "wrong magic");
	fd = raw_connect(guest);
	hvsim_hdr_init(&hdr, HVSIM_OP_PING, 1, 0, 0);
	hdr.version = 99;
	if (raw_roundtrip(fd, &hdr, sizeof(hdr), &rep) != EPROTONOSUPPORT)
		die("garbage", "wrong version not refused");
	raw_expect_eof(fd, "wrong version");
	fd = raw_connect(guest);
	hvsim_hdr_init(&hdr, HVSIM_OP_DECREASE, 1, 0, UINT32_MAX);
	if (raw_roundtrip(fd, &hdr, sizeof(hdr), &rep) != EMSGSIZE)
		die("garbage", "oversize length not refused");
	raw_expect_eof(fd, "oversize");
}

/* Truncated requests, then the client goes away. */
static void drive_garbage_truncated(const char *priv, const char *guest)
{
	uint8_t buf[sizeof(struct hvsim_hdr) + sizeof(struct hvsim_memop_req) + 64];
	size_t full = sizeof(struct hvsim_hdr) + sizeof(struct hvsim_memop_req);
	struct hvsim_hdr hdr;
	int fd, i;

	for (i = 1; i < (int)sizeof(buf); i += 7) {
		fd = raw_connect(i % 2 ? guest : priv);
		hvsim_hdr_init(&hdr, HVSIM_OP_INCREASE, 1, 0, sizeof(struct hvsim_memop_req));
		memcpy(buf, &hdr, sizeof(hdr));
		memset(buf + sizeof(hdr), 0x5a, sizeof(buf) - sizeof(hdr));
		if (send(fd, buf, (size_t)i < full ? (size_t)i : 10, MSG_NOSIGNAL) < 0)
			die("garbage", "send");
		close(fd);
	}
}

/* Wrong payload sizes, huge nr_extents, ops a guest may not make: errors, and the stream goes on. */
static void drive_garbage_payloads(const char *guest)
{
	uint8_t buf[sizeof(struct hvsim_hdr) + sizeof(struct hvsim_memop_req) + 64];
	struct hvsim_memop_req mreq;
	struct hvsim_hdr hdr, rep;
	int fd = raw_connect(guest);

	memset(&mreq, 0, sizeof(mreq));
	mreq.nr_extents = UINT64_MAX;
	hvsim_hdr_init(&hdr, HVSIM_OP_INCREASE, 2, 0, sizeof(mreq));
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), &mreq, sizeof(mreq));
	if (raw_roundtrip(fd, buf, sizeof(hdr) + sizeof(mreq), &rep) != EINVAL)
		die("garbage", "huge nr_extents not refused");
	mreq.nr_extents = 4;
	hvsim_hdr_init(&hdr, HVSIM_OP_DECREASE, 3, 0, sizeof(mreq) + 8);
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), &mreq, sizeof(mreq));
	if (raw_roundtrip(fd, buf, sizeof(hdr) + sizeof(mreq) + 8, &rep) != EINVAL)
		die("garbage", "short frame array not refused");
	hvsim_hdr_init(&hdr, HVSIM_OP_CREATE, 4, 0, 0);
	if (raw_roundtrip(fd, &hdr, sizeof(hdr), &rep) != EPERM)
		die("garbage", "create from a guest socket not refused");
	hvsim_hdr_init(&hdr, 999, 5, 0, 0);
	if (raw_roundtrip(fd, &hdr, sizeof(hdr), &rep) != ENOSYS)
		die("garbage", "unknown op not refused");
	hvsim_hdr_init(&hdr, HVSIM_OP_PING, 6, 0, 0);
	if (raw_roundtrip(fd, &hdr, sizeof(hdr), &rep) != 0 || rep.req_id != 6)
		die("garbage", "stream unusable after payload errors");
	close(fd);
}

/* garbage DOMID: protocol abuse on both sockets; each is refused and the daemon carries on. */
static int drive_garbage(int argc, char **argv)
{
	char priv[4096], guest[4096];
	int fds[200], i, n;
	uint32_t domid;
	struct hv *h;

	if (argc != 1)
		die("usage", "garbage DOMID");
	domid = (uint32_t)strtoul(argv[0], NULL, 10);
	snprintf(priv, sizeof(priv), "%s/socket", drive_dir);
	snprintf(guest, sizeof(guest), "%s/domain/%u/socket", drive_dir, domid);
	drive_garbage_headers(priv, guest);
	drive_garbage_truncated(priv, guest);
	drive_garbage_payloads(guest);
	/* Too many connections: the extra ones are closed, the daemon carries on. */
	for (n = 0; n < 200; n++)
		fds[n] = raw_connect(guest);
	for (i = 0; i < n; i++)
		close(fds[i]);
	h = hv_open_sim(drive_dir);
	if (!h || hv_sim_ping(h))
		die("garbage", "daemon unreachable after abuse");
	drive_check(h, "garbage");
	hv_close(h);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: hvsim_drive DIR concurrent ITERATIONS DOMID...\n"
				"       hvsim_drive DIR garbage DOMID\n");
		return 2;
	}
	drive_dir = argv[1];
	if (!strcmp(argv[2], "concurrent"))
		return drive_concurrent(argc - 3, argv + 3);
	if (!strcmp(argv[2], "garbage"))
		return drive_garbage(argc - 3, argv + 3);
	fprintf(stderr, "hvsim_drive: unknown mode '%s'\n", argv[2]);
	return 2;
}
