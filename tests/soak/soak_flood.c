/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * soak_flood.c: the soak test's connection flood, as a hostile guest would
 * run it on its own store socket:
 *
 *   soak-flood --socket PATH --connections N [--hold-ms MS]
 *
 * Opens up to N connections to the Unix socket PATH (non-blocking connects;
 * while the listen backlog is full, each is retried for up to 200 ms and then
 * counted as refused), holds them all for MS
 * milliseconds (default 1000), closes them and prints one line:
 * "opened X of N connections (Y refused)". Nothing is sent on them: an idle
 * connection is what costs a store a descriptor and its per-connection
 * memory. N is capped at SOAK_FLOOD_MAX and the soft descriptor limit is
 * raised to the hard one first. Exits 0 unless the arguments are bad
 * (2) or not one connection could be opened (1).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SOAK_FLOOD_MAX	   100000
#define SOAK_FLOOD_RETRIES 200 /* 1 ms apart, while the listen backlog is full */

#define SOAK_FLOOD_USAGE                                                           \
	"usage: soak-flood --socket PATH --connections N [--hold-ms MS]\n"         \
	"Open up to N idle connections to the Unix socket PATH, hold them MS ms\n" \
	"(default 1000), close them and say how many were opened.\n"

/* Parse a decimal number no larger than max into *val_r. Returns 0 or -1. */
static int soak_flood_num(const char *s, unsigned long max, unsigned long *val_r)
{
	char *end = NULL;

	errno = 0;
	*val_r = strtoul(s, &end, 10);
	return (errno || !end || *end || end == s || *val_r > max) ? -1 : 0;
}

/* One non-blocking connection to path: its descriptor, or -1. */
static int soak_flood_connect(const char *path)
{
	struct timespec ms = { 0, 1000000L };
	struct sockaddr_un sun;
	int fd, tries;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	for (tries = 0; tries < SOAK_FLOOD_RETRIES; tries++) {
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 || errno == EINPROGRESS)
			return fd;
		if (errno != EAGAIN)
			break;
		nanosleep(&ms, NULL);
	}
	close(fd);
	return -1;
}

/* Raise the soft descriptor limit to the hard one (best effort). */
static void soak_flood_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "connections", required_argument, NULL, 'n' },
		{ "hold-ms", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long nr = 0, hold_ms = 1000, opened = 0, refused = 0, i;
	const char *path = NULL;
	struct timespec ts;
	int *fds = NULL;
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "s:n:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'n':
			if (soak_flood_num(optarg, SOAK_FLOOD_MAX, &nr) < 0) {
				fprintf(stderr, "soak-flood: --connections: 0..%d\n",
					SOAK_FLOOD_MAX);
				return 2;
			}
			break;
		case 't':
			if (soak_flood_num(optarg, 3600000, &hold_ms) < 0) {
				fprintf(stderr, "soak-flood: --hold-ms: 0..3600000\n");
				return 2;
			}
			break;
		case 'h':
			printf(SOAK_FLOOD_USAGE);
			return 0;
		default:
			fprintf(stderr, SOAK_FLOOD_USAGE);
			return 2;
		}
	}
	if (!path || optind != argc ||
	    strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fprintf(stderr, SOAK_FLOOD_USAGE);
		return 2;
	}
	soak_flood_raise_nofile();
	fds = calloc(nr ? nr : 1, sizeof(*fds));
	if (!fds) {
		fprintf(stderr, "soak-flood: out of memory\n");
		goto out;
	}
	for (i = 0; i < nr; i++) {
		fds[opened] = soak_flood_connect(path);
		if (fds[opened] >= 0)
			opened++;
		else
			refused++;
	}
	ts.tv_sec = (time_t)(hold_ms / 1000);
	ts.tv_nsec = (long)(hold_ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	for (i = 0; i < opened; i++)
		close(fds[i]);
	printf("opened %lu of %lu connections (%lu refused)\n", opened, nr, refused);
	rc = (opened > 0 || nr == 0) ? 0 : 1;
out:
	free(fds);
	return rc;
}
