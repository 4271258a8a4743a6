/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_stored: xmem-stored's framing and dispatch under libFuzzer.
 *
 * The input is a script of chunks: one control byte (bit 7: which
 * connection, the privileged one or an unprivileged domain 5; bits 0-6: the
 * chunk's length), then that many bytes, written raw to the connection's
 * socket. After each chunk the event loop turns and every reply is drained.
 * At the end the store must be consistent (CONTROL check's walk) and, once
 * freed, must leak nothing. A daemon that aborts, overflows, leaks or loses
 * its accounting on any input is a finding.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "evloop.h"
#include "log.h"
#include "stored.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_rundir[64];

/* Remove the run directory at exit (domain sockets are gone with each store). */
static void fuzz_cleanup(void)
{
	char dir[96];

	snprintf(dir, sizeof(dir), "%s/domain", fuzz_rundir);
	rmdir(dir);
	rmdir(fuzz_rundir);
}

/* Read and discard whatever the daemon sent. */
static void fuzz_drain(int fd)
{
	char buf[8192];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void fuzz_turn(struct store *s)
{
	int i;

	for (i = 0; i < 3; i++) {
		core_before_sleep(s);
		evloop_run_once(s->loop, 0);
	}
	core_before_sleep(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct store s;
	struct conn *conns[2] = { NULL, NULL };
	int fds[2] = { -1, -1 }, i;
	size_t pos = 0;
	char report[1024];

	if (!fuzz_rundir[0]) {
		log_init("fuzz_stored", LOG_TO_CLI, 0);
		snprintf(fuzz_rundir, sizeof(fuzz_rundir), "/tmp/fuzz-stored.XXXXXX");
		if (!mkdtemp(fuzz_rundir))
			abort();
		atexit(fuzz_cleanup);
	}
	if (store_init(&s))
		return 0;
	s.loop = evloop_new();
	s.rundir = fuzz_rundir;
	/* Small quotas reach the limits quickly. */
	s.quota[QUOTA_NODES] = 20;
	s.quota[QUOTA_WATCHES] = 8;
	s.quota[QUOTA_TRANSACTIONS] = 3;
	s.quota[QUOTA_TRANSACTION_NODES] = 16;
	s.quota[QUOTA_MEMORY] = 16384;
	for (i = 0; i < 2; i++) {
		int sv[2];

		if (!s.loop || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			abort();
		fcntl(sv[0], F_SETFL, O_NONBLOCK);
		fcntl(sv[1], F_SETFL, O_NONBLOCK);
		if (conn_new(&s, sv[0], i ? 5 : 0, i == 0, &conns[i]))
			abort();
		fds[i] = sv[1];
	}
	while (pos < size) {
		unsigned int which = data[pos] >> 7, len = data[pos] & 0x7f;

		pos++;
		if (len > size - pos)
			len = size - pos;
		if (len)
			(void)send(fds[which], data + pos, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		pos += len;
		fuzz_turn(&s);
		fuzz_drain(fds[0]);
		fuzz_drain(fds[1]);
	}
	fuzz_turn(&s);
	if (store_check(&s, report, sizeof(report))) {
		fprintf(stderr, "store inconsistent:\n%s\n", report);
		abort();
	}
	close(fds[0]);
	close(fds[1]);
	store_free(&s);
	evloop_free(s.loop);
	return 0;
}
