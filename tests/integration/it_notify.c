/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * it_notify.c: integration-test helper. Plays the service manager's end of
 * sd_notify(3): binds a unix datagram socket at PATH and appends every
 * message it receives to OUT, one line per datagram (the message's own
 * newlines turned into spaces), until SIGTERM.
 *
 *   it-notify PATH OUT
 *
 * Tests start a daemon with NOTIFY_SOCKET=PATH (and WATCHDOG_USEC) and read
 * OUT to see READY=1, STATUS=, WATCHDOG=1, RELOADING=1 and STOPPING=1.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t it_stop;

static void it_on_term(int sig)
{
	(void)sig;
	it_stop = 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun;
	struct sigaction sa;
	char buf[4096];
	FILE *out = NULL;
	int fd = -1, rc = 1;
	ssize_t n, i;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: it-notify PATH OUT (PATH shorter than %zu)\n",
			sizeof(sun.sun_path));
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = it_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	out = fopen(argv[2], "a");
	if (!out) {
		fprintf(stderr, "it-notify: %s: %s\n", argv[2], strerror(errno));
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "it-notify: %s: %s\n", argv[1], strerror(errno));
		goto out;
	}
	while (!it_stop) {
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "it-notify: recv: %s\n", strerror(errno));
			goto out;
		}
		for (i = 0; i < n; i++)
			if (buf[i] == '\n' || buf[i] == '\0')
				buf[i] = ' ';
		buf[n] = '\0';
		fprintf(out, "%s\n", buf);
		fflush(out);
	}
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(argv[1]);
	}
	if (out)
		fclose(out);
	return rc;
}
