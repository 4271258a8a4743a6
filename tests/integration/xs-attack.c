/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xs-attack: the attack classes of the xenstore security advisories (the
 * XSAs against xenstored: resource exhaustion through nodes, watches,
 * transactions and quotas, malformed frames; see --list), played against
 * xmem-stored by a hostile guest.
 *
 * Usage: xs-attack [--list] SCENARIO...
 * $XENSTORED_PATH is the privileged socket, $XMEM_STORED_PID the daemon.
 * A hostile guest cannot be played with libxenstore (it only sends well-formed
 * requests and reads every reply), so the attacker speaks raw frames here,
 * built with xs_wire.h's header; the victims and the checks use libxenstore.
 *
 * Every scenario ends with: the daemon alive, CONTROL check passing, the
 * attacker's accounted memory within its quota, and the daemon's resident
 * memory grown by less than a bound far below what the attack would cost
 * unbounded.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenstore.h>
#include <xen/io/xs_wire.h>

#include "procfs.h"

#define XA_RSS_BOUND_KIB (64 * 1024)

static struct xs_handle *xa_priv;
static char xa_dir[80]; /* fits sockaddr_un with "/domain/<id>/socket" */
static int xa_failures;
static const char *xa_name;
static long xa_pid;

static bool expect(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool expect(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	fprintf(stderr, "  FAIL [%s] ", xa_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %d: %s)\n", errno, strerror(errno));
	xa_failures++;
	return false;
}

/* ------------------------------------------------------------ raw frames */

/* Connect to the privileged socket (UINT_MAX) or domid's; flags adds SOCK_NONBLOCK. */
static int raw_open_flags(unsigned int domid, int flags)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);

	if (domid == UINT_MAX)
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/socket", xa_dir);
	else
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/domain/%u/socket", xa_dir, domid);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int raw_open(unsigned int domid)
{
	return raw_open_flags(domid, 0);
}

static bool raw_send(int fd, uint32_t type, uint32_t tx_id, const void *p, uint32_t len)
{
	struct xsd_sockmsg hdr = { type, 42, tx_id, len };

	if (send(fd, &hdr, sizeof(hdr), MSG_NOSIGNAL) != (ssize_t)sizeof(hdr))
		return false;
	return len == 0 || send(fd, p, len, MSG_NOSIGNAL) == (ssize_t)len;
}

/* Read exactly len bytes (false on EOF/error/timeout of 10 s). */
static bool raw_read_all(int fd, void *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	while (got < len) {
		ssize_t r;

		if (poll(&pfd, 1, 10000) <= 0)
			return false;
		r = recv(fd, (char *)buf + got, len - got, 0);
		if (r <= 0)
			return false;
		got += r;
	}
	return true;
}

/* Read the next reply (watch events skipped). buf holds 4097 bytes. Type or -1. */
static int raw_reply(int fd, char *buf, uint32_t *len_r)
{
	struct xsd_sockmsg hdr;

	for (;;) {
		if (!raw_read_all(fd, &hdr, sizeof(hdr)) || hdr.len > XENSTORE_PAYLOAD_MAX)
			return -1;
		if (!raw_read_all(fd, buf, hdr.len))
			return -1;
		buf[hdr.len] = '\0';
		if (len_r)
			*len_r = hdr.len;
		if (hdr.type != XS_WATCH_EVENT)
			return (int)hdr.type;
	}
}

/* A request and its reply; returns the reply type, the payload in buf. */
static int raw_request(int fd, uint32_t type, uint32_t tx_id, const void *p, uint32_t len,
		       char *buf)
{
	if (!raw_send(fd, type, tx_id, p, len))
		return -1;
	return raw_reply(fd, buf, NULL);
}

/* Whether the peer closed fd (reads EOF within 10 s). */
static bool raw_closed(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	for (;;) {
		if (poll(&pfd, 1, 10000) <= 0)
			return false;
		if (recv(fd, &c, 1, 0) <= 0)
			return true;
	}
}

/* ----------------------------------------------------------- the checks */

/* The store's VmRSS in KiB, or -1. */
static long xa_rss_kib(void)
{
	uint64_t kib;

	return procfs_rss_kib((pid_t)xa_pid, &kib) ? -1 : (long)kib;
}

/* A domain's accounted memory (CONTROL quota <domid>), or -1. */
static long long xa_domain_memory(unsigned int domid, long long *nodes_r)
{
	char arg[16], *r, *p;
	long long mem = -1, nodes = -1;

	snprintf(arg, sizeof(arg), "%u", domid);
	r = xs_control_command(xa_priv, "quota", arg, strlen(arg) + 1);
	if (!r)
		return -1;
	p = strstr(r, "memory ");
	if (p)
		mem = strtoll(p + 7, NULL, 10);
	p = strstr(r, "nodes ");
	if (p)
		nodes = strtoll(p + 6, NULL, 10);
	free(r);
	if (nodes_r)
		*nodes_r = nodes;
	return mem;
}

static long long xa_quota(const char *name)
{
	char *r = xs_control_command(xa_priv, "quota", NULL, 0), *p;
	long long v = -1;

	if (!r)
		return -1;
	p = strstr(r, name);
	if (p)
		v = strtoll(p + strlen(name), NULL, 10);
	free(r);
	return v;
}

static void xa_set_quota(const char *name, const char *value)
{
	char buf[128];
	size_t n = 0;
	char *r;

	n += snprintf(buf + n, sizeof(buf) - n, "set") + 1;
	n += snprintf(buf + n, sizeof(buf) - n, "%s", name) + 1;
	n += snprintf(buf + n, sizeof(buf) - n, "%s", value) + 1;
	r = xs_control_command(xa_priv, "quota", buf, n);
	expect(r != NULL, "quota set %s %s", name, value);
	free(r);
}

static void xa_consistent(void)
{
	char *r = xs_control_command(xa_priv, "check", NULL, 0);

	expect(r != NULL, "CONTROL check after the attack");
	free(r);
	expect(kill((pid_t)xa_pid, 0) == 0, "the daemon survived");
}

static void xa_within_quota(unsigned int domid)
{
	long long mem = xa_domain_memory(domid, NULL), max = xa_quota("memory ");

	/* Replies are never refused: at most "outstanding" of them exceed the quota. */
	if (mem >= 0)
		expect(max <= 0 || mem <= max + 20 * (XENSTORE_PAYLOAD_MAX + 64),
		       "domain %u accounted %lld bytes, quota %lld", domid, mem, max);
}

static void xa_make_domain(unsigned int domid)
{
	char path[64], spec[16];
	struct xs_permissions p[2] = { { 0, XS_PERM_NONE }, { domid, XS_PERM_READ } };
	struct xs_permissions own = { domid, XS_PERM_NONE };

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	xs_rm(xa_priv, XBT_NULL, path);
	xs_mkdir(xa_priv, XBT_NULL, path);
	xs_set_permissions(xa_priv, XBT_NULL, path, p, 2);
	snprintf(path, sizeof(path), "/local/domain/%u/data", domid);
	xs_mkdir(xa_priv, XBT_NULL, path);
	xs_set_permissions(xa_priv, XBT_NULL, path, &own, 1);
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	xs_write(xa_priv, XBT_NULL, path, "1024", 4);
	expect(xs_introduce_domain(xa_priv, domid, 1, 1), "introduce %u", domid);
	(void)spec;
}

static void xa_destroy_domain(unsigned int domid)
{
	char path[64];

	xs_release_domain(xa_priv, domid);
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	xs_rm(xa_priv, XBT_NULL, path);
}

/* Dom0 can still work: a read-modify-write transaction commits. */
static void xa_dom0_works(void)
{
	xs_transaction_t t;
	unsigned int len;
	char *v;
	int tries = 0;
	bool ok = false;

	while (!ok && tries++ < 10) {
		t = xs_transaction_start(xa_priv);
		v = xs_read(xa_priv, t, "/tool/xenstored", &len);
		free(v);
		xs_write(xa_priv, t, "/tool/xa-probe", "1", 1);
		ok = xs_transaction_end(xa_priv, t, false);
	}
	expect(ok, "dom0 transaction during the attack");
	xs_rm(xa_priv, XBT_NULL, "/tool/xa-probe");
}

/* ------------------------------------------------------------ scenarios */

/* XSA-38/420: bad framing (oversized and negative lengths, unknown types, bad payloads). */
static void xa_framing(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	int fd, good;

	xa_make_domain(5);
	good = raw_open(5);
	fd = raw_open(5);
	expect(fd >= 0 && good >= 0, "connect");
	raw_send(fd, XS_READ, 0, NULL, 0xffffffffu); /* header only: a negative length */
	expect(raw_closed(fd), "length 0xffffffff closes the connection");
	close(fd);
	fd = raw_open(5);
	raw_send(fd, XS_WRITE, 0, NULL, XENSTORE_PAYLOAD_MAX + 1);
	expect(raw_closed(fd), "length 4097 closes the connection");
	close(fd);
	expect(raw_request(good, 9999, 0, "x", 2, buf) == XS_ERROR && !strcmp(buf, "ENOSYS"),
	       "unknown type: ENOSYS");
	expect(raw_request(good, XS_INVALID, 0, NULL, 0, buf) == XS_ERROR, "XS_INVALID");
	expect(raw_request(good, XS_WATCH_EVENT, 0, "a\0b", 4, buf) == XS_ERROR,
	       "client-sent WATCH_EVENT");
	expect(raw_request(good, XS_READ, 0, "data", 4, buf) == XS_ERROR && !strcmp(buf, "EINVAL"),
	       "unterminated path: EINVAL");
	expect(raw_request(good, XS_READ, 0, "data\0x\0", 7, buf) == XS_ERROR,
	       "two strings to READ");
	expect(raw_request(good, XS_SET_PERMS, 0, "data\0q5\0", 8, buf) == XS_ERROR &&
		       !strcmp(buf, "EINVAL"),
	       "bad permission string");
	expect(raw_request(good, XS_SET_PERMS, 0, "data\0r5", 7, buf) == XS_ERROR,
	       "unterminated permission");
	expect(raw_request(good, XS_READ, 77, "data\0", 5, buf) == XS_ERROR &&
		       !strcmp(buf, "ENOENT"),
	       "unknown transaction id: ENOENT");
	expect(raw_request(good, XS_WRITE, 0, "data/ok\0v", 9, buf) == XS_WRITE,
	       "the well-behaved connection still works");
	close(good);
	xa_within_quota(5);
	xa_destroy_domain(5);
}

/* XSA-72: a reply larger than the protocol allows becomes E2BIG. */
static void xa_e2big(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1], path[128];
	xs_transaction_t t = xs_transaction_start(xa_priv);
	int fd, i;

	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/xa/big/a-rather-long-child-name-%04d", i);
		xs_write(xa_priv, t, path, "", 0);
	}
	expect(xs_transaction_end(xa_priv, t, false), "commit");
	fd = raw_open(UINT_MAX);
	expect(raw_request(fd, XS_DIRECTORY, 0, "/xa/big", 8, buf) == XS_ERROR &&
		       !strcmp(buf, "E2BIG"),
	       "DIRECTORY of 300 long names: E2BIG");
	expect(raw_request(fd, XS_DIRECTORY_PART, 0,
			   "/xa/big\0"
			   "0",
			   10, buf) == XS_DIRECTORY_PART,
	       "DIRECTORY_PART works");
	close(fd);
	xs_rm(xa_priv, XBT_NULL, "/xa");
}

/* XSA-206: a guest hammering writes is rate limited; the toolstack still works. */
static void xa_write_storm(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	int fd, i, ok = 0;

	xa_make_domain(5);
	fd = raw_open(5);
	/* Pipelined, never waiting: the daemon stops reading rather than queueing. */
	for (i = 0; i < 300; i++)
		raw_send(fd, XS_WRITE, 0, "data/x\0v", 8);
	xa_dom0_works();
	for (i = 0; i < 300; i++)
		ok += raw_reply(fd, buf, NULL) == XS_WRITE;
	expect(ok == 300, "all 300 writes eventually answered, got %d", ok);
	close(fd);
	xa_within_quota(5);
	xa_destroy_domain(5);
}

/* XSA-233: a domain and its device-model stubdom released together. */
static void xa_stubdom(void)
{
	int round;

	for (round = 0; round < 2; round++) {
		int a, b;

		xa_make_domain(5);
		xa_make_domain(6);
		expect(xs_set_target(xa_priv, 6, 5), "SET_TARGET");
		a = raw_open(5);
		b = raw_open(6);
		if (round == 0) {
			expect(xs_release_domain(xa_priv, 5), "release the domain");
			expect(xs_release_domain(xa_priv, 6), "release its stubdom");
		} else {
			expect(xs_release_domain(xa_priv, 6), "release the stubdom first");
			expect(xs_release_domain(xa_priv, 5), "then the domain");
		}
		expect(raw_closed(a) && raw_closed(b), "both connections closed");
		close(a);
		close(b);
		xa_destroy_domain(5);
		xa_destroy_domain(6);
	}
}

/* XSA-115: watches and special nodes follow permissions; tx_id ignored by WATCH. */
static void xa_watch_leak(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg hdr;
	int fd;

	xa_make_domain(5);
	fd = raw_open(5);
	expect(raw_request(fd, XS_WATCH, 1234, "/\0root\0", 7, buf) == XS_WATCH,
	       "WATCH ignores the header's tx_id");
	expect(raw_request(fd, XS_WATCH, 0, "@introduceDomain\0i\0", 19, buf) == XS_WATCH,
	       "watch @introduceDomain");
	xs_write(xa_priv, XBT_NULL, "/tool/xa-secret", "s", 1);
	xa_make_domain(6);
	xs_write(xa_priv, XBT_NULL, "/local/domain/5/data/sentinel", "1", 1);
	/* Everything before the sentinel must be readable by domain 5. */
	for (;;) {
		if (!raw_read_all(fd, &hdr, sizeof(hdr)) || hdr.len > XENSTORE_PAYLOAD_MAX ||
		    !raw_read_all(fd, buf, hdr.len)) {
			expect(false, "events stopped before the sentinel");
			break;
		}
		buf[hdr.len] = '\0';
		if (hdr.type != XS_WATCH_EVENT)
			continue;
		if (!strcmp(buf, "/local/domain/5/data/sentinel"))
			break;
		expect(strcmp(buf, "/") == 0 || strcmp(buf, "@introduceDomain") == 0 ||
			       strncmp(buf, "/local/domain/5", 15) == 0,
		       "guest saw an event on %s", buf);
	}
	expect(raw_request(fd, XS_IS_DOMAIN_INTRODUCED, 0, "6", 2, buf) == XS_ERROR &&
		       !strcmp(buf, "EACCES"),
	       "IS_DOMAIN_INTRODUCED is privileged");
	close(fd);
	xs_rm(xa_priv, XBT_NULL, "/tool/xa-secret");
	xa_destroy_domain(5);
	xa_destroy_domain(6);
}

/* XSA-322/417/483: a reused domid inherits nothing. */
static void xa_domid_reuse(void)
{
	struct xs_permissions p[2] = { { 0, XS_PERM_NONE }, { 5, XS_PERM_READ } };
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	long long nodes = -1;
	int fd, i;

	xa_make_domain(5);
	xs_write(xa_priv, XBT_NULL, "/xa/granted", "g", 1);
	xs_set_permissions(xa_priv, XBT_NULL, "/xa/granted", p, 2);
	fd = raw_open(5);
	for (i = 0; i < 50; i++) {
		char req[32];
		int n = snprintf(req, sizeof(req), "data/n%d", i) + 1;

		raw_request(fd, XS_WRITE, 0, req, n, buf);
	}
	expect(raw_request(fd, XS_READ, 0, "/xa/granted", 12, buf) == XS_READ, "granted read");
	close(fd);
	xa_destroy_domain(5);
	xa_make_domain(5);
	fd = raw_open(5);
	expect(raw_request(fd, XS_READ, 0, "/xa/granted", 12, buf) == XS_ERROR &&
		       !strcmp(buf, "EACCES"),
	       "the new domain 5 inherits no ACL entry");
	xa_domain_memory(5, &nodes);
	expect(nodes == 1, "the new domain 5 owns only its data/: %lld nodes", nodes);
	close(fd);
	xa_destroy_domain(5);
	xs_rm(xa_priv, XBT_NULL, "/xa");
}

/* XSA-323/481: path length on the canonical path; odd paths are EINVAL, never a crash. */
static void xa_paths(void)
{
	static const char *bad[] = { "/local/domain/",	 "",	 "//",	"/a//b", "/a/", "a/", "@",
				     "/local/domain/5/", "\x01", "/a b" };
	char buf[XENSTORE_PAYLOAD_MAX + 1], req[XENSTORE_PAYLOAD_MAX];
	size_t i, n;
	int fd;

	xa_make_domain(5);
	fd = raw_open(5);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = strlen(bad[i]) + 1;
		expect(raw_request(fd, XS_READ, 0, bad[i], n, buf) == XS_ERROR, "READ '%s'",
		       bad[i]);
		expect(raw_request(fd, XS_WRITE, 0, bad[i], n, buf) == XS_ERROR, "WRITE '%s'",
		       bad[i]);
	}
	/* Relative part of exactly path-max: accepted; one more: EINVAL. */
	/* Components of 100 characters: a node's size counts its children's names. */
	memset(req, 'p', sizeof(req));
	memcpy(req, "data", 4);
	for (i = 4; i < 2048; i += 100)
		req[i] = '/';
	req[2048] = '\0';
	expect(raw_request(fd, XS_WRITE, 0, req, 2049, buf) == XS_WRITE, "2048-char path");
	snprintf(buf, sizeof(buf), "/local/domain/5/%.2048s", req);
	{
		unsigned int len;
		char *v = xs_read(xa_priv, XBT_NULL, buf, &len);

		expect(v != NULL, "the node reads back by its absolute path");
		free(v);
	}
	req[2048] = 'p';
	req[2049] = '\0';
	expect(raw_request(fd, XS_WRITE, 0, req, 2050, buf) == XS_ERROR && !strcmp(buf, "EINVAL"),
	       "2049-char path: EINVAL");
	close(fd);
	xa_destroy_domain(5);
}

/* XSA-324: an event that would exceed the payload limit is dropped. */
static void xa_huge_token(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1], req[XENSTORE_PAYLOAD_MAX];
	int fd = raw_open(UINT_MAX);
	size_t tok = 4000;

	memcpy(req, "/xa\0", 4);
	memset(req + 4, 't', tok);
	req[4 + tok] = '\0';
	expect(raw_request(fd, XS_WATCH, 0, req, 5 + tok, buf) == XS_WATCH, "watch, huge token");
	xs_write(xa_priv, XBT_NULL,
		 "/xa/a-path-long-enough-to-pass-the-limit-0123456789-abcdefghij"
		 "klmnopqrstuvwxyz-0123456789-abcdefghijklmnopqrstuvwxyz",
		 "x", 1);
	expect(raw_request(fd, XS_READ, 0, "/xa\0", 4, buf) == XS_READ,
	       "the watcher's connection is alive");
	close(fd);
	xs_rm(xa_priv, XBT_NULL, "/xa");
}

/* XSA-325: a guest whose connection was killed still gets its @releaseDomain. */
static void xa_zombie(void)
{
	int fd;

	xs_watch(xa_priv, "@releaseDomain", "zombie");
	xa_make_domain(5);
	fd = raw_open(5);
	raw_send(fd, XS_READ, 0, NULL, 0x7fffffff);
	expect(raw_closed(fd), "the misbehaving connection is closed");
	close(fd);
	{
		char *v = xs_control_command(xa_priv, "check", NULL, 0);

		free(v);
	}
	expect(xs_is_domain_introduced(xa_priv, 5), "the domain stays known");
	while (true) { /* drain the registration event */
		unsigned int n;
		char **ev = xs_check_watch(xa_priv);

		if (!ev)
			break;
		free(ev);
		(void)n;
	}
	expect(xs_release_domain(xa_priv, 5), "RELEASE");
	{
		unsigned int n;
		char **ev = xs_read_watch(xa_priv, &n);

		expect(ev && !strcmp(ev[XS_WATCH_PATH], "@releaseDomain"), "@releaseDomain fired");
		free(ev);
	}
	xs_unwatch(xa_priv, "@releaseDomain", "zombie");
	xa_destroy_domain(5);
}

/* XSA-330/484: RESET_WATCHES (inside transactions too) frees everything, repeatedly. */
static void xa_reset_watches(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1], req[64];
	long long before, after;
	int fd, round, i, n;

	xa_make_domain(5);
	fd = raw_open(5);
	/* One answered request first: the connection (charged to the domain) is accepted. */
	raw_request(fd, XS_DIRECTORY, 0, "data", 5, buf);
	before = xa_domain_memory(5, NULL);
	for (round = 0; round < 20; round++) {
		uint32_t tx;

		for (i = 0; i < 100; i++) {
			memcpy(req, "data", 5);
			n = snprintf(req + 5, sizeof(req) - 5, "tok%d", i) + 1;
			raw_request(fd, XS_WATCH, 0, req, n + 5, buf);
		}
		expect(raw_request(fd, XS_TRANSACTION_START, 0, "", 1, buf) == XS_TRANSACTION_START,
		       "start");
		tx = strtoul(buf, NULL, 10);
		raw_request(fd, XS_WRITE, tx, "data/t\0x", 8, buf);
		raw_request(fd, XS_TRANSACTION_START, 0, "", 1, buf);
		expect(raw_request(fd, XS_RESET_WATCHES, tx, "", 1, buf) == XS_RESET_WATCHES,
		       "RESET_WATCHES inside a transaction");
		expect(raw_request(fd, XS_TRANSACTION_END, tx, "T", 2, buf) == XS_ERROR &&
			       !strcmp(buf, "ENOENT"),
		       "RESET_WATCHES ended the transaction");
	}
	after = xa_domain_memory(5, NULL);
	expect(after == before, "memory back to its level: %lld before, %lld after", before, after);
	close(fd);
	xa_destroy_domain(5);
}

/* XSA-352/353: no ownership changes, no access to / for a guest. */
static void xa_owner_root(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	int fd;

	xa_make_domain(5);
	fd = raw_open(5);
	raw_request(fd, XS_WRITE, 0, "data/mine\0x", 11, buf);
	expect(raw_request(fd, XS_SET_PERMS, 0, "data/mine\0n0\0", 13, buf) == XS_ERROR &&
		       !strcmp(buf, "EPERM"),
	       "guest hands its node to dom0: EPERM");
	expect(raw_request(fd, XS_SET_PERMS, 0, "/\0b5\0", 5, buf) == XS_ERROR &&
		       !strcmp(buf, "EACCES"),
	       "guest chmod /");
	expect(raw_request(fd, XS_RM, 0, "/\0", 2, buf) == XS_ERROR, "guest rm /");
	expect(raw_request(fd, XS_DIRECTORY, 0, "/\0", 2, buf) == XS_ERROR &&
		       !strcmp(buf, "EACCES"),
	       "guest lists /");
	expect(raw_request(fd, XS_RM, 0, "/local\0", 7, buf) == XS_ERROR && !strcmp(buf, "EACCES"),
	       "guest rm /local");
	close(fd);
	xa_destroy_domain(5);
}

/* XSA-326 (1): requests without reading replies: the daemon stops reading. */
static void xa_memory_unread(void)
{
	int fd = raw_open(5), i;

	for (i = 0; i < 20000; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		struct xsd_sockmsg hdr = { XS_READ, 1, 0, 5 };

		if (poll(&pfd, 1, 200) <= 0)
			break; /* the socket is full: the daemon stopped reading */
		if (send(fd, &hdr, sizeof(hdr), MSG_NOSIGNAL | MSG_DONTWAIT) != sizeof(hdr) ||
		    send(fd, "data", 5, MSG_NOSIGNAL | MSG_DONTWAIT) != 5)
			break;
	}
	expect(i < 20000, "the daemon stopped reading a guest that reads no replies");
	xa_dom0_works();
	xa_within_quota(5);
	close(fd);
}

/* XSA-326 (2): many watches and a mass delete, events never read. */
static void xa_memory_watches(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1], req[XENSTORE_PAYLOAD_MAX];
	xs_transaction_t t;
	int fd = raw_open(5), i, n;

	for (i = 0; i < 100; i++) {
		n = snprintf(req, sizeof(req), "/local/domain/5/data/w%d", i) + 1;
		n += snprintf(req + n, sizeof(req) - n, "t%d", i) + 1;
		raw_request(fd, XS_WATCH, 0, req, n, buf);
	}
	t = xs_transaction_start(xa_priv);
	for (i = 0; i < 2000; i++) {
		snprintf(req, sizeof(req), "/local/domain/5/data/w%d/n%d", i % 100, i);
		xs_write(xa_priv, t, req, "x", 1);
	}
	xs_transaction_end(xa_priv, t, false);
	xs_rm(xa_priv, XBT_NULL, "/local/domain/5/data/w1");
	for (i = 0; i < 100; i++) {
		snprintf(req, sizeof(req), "/local/domain/5/data/w%d", i);
		xs_rm(xa_priv, XBT_NULL, req);
	}
	xa_within_quota(5);
	sleep(2); /* past the 1 s watch-event timeout: the unread events go */
	xa_dom0_works();
	close(fd);
}

/* XSA-326 (3): big nodes in many transactions, (4): one transaction touching too much. */
static void xa_memory_transactions(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1], req[XENSTORE_PAYLOAD_MAX];
	int fd = raw_open(5), i, n, got;
	uint32_t tx;

	memset(req, 'v', sizeof(req));
	for (got = 0; got < 10; got++) {
		if (raw_request(fd, XS_TRANSACTION_START, 0, "", 1, buf) != XS_TRANSACTION_START)
			break;
		tx = strtoul(buf, NULL, 10);
		for (i = 0; i < 200; i++) {
			n = snprintf(req, 64, "data/big%d", i) + 1;
			memset(req + n, 'v', 1900);
			if (raw_request(fd, XS_WRITE, tx, req, n + 1900, buf) != XS_WRITE)
				break;
		}
	}
	expect(got == 10, "ten transactions opened");
	xa_within_quota(5);
	expect(raw_request(fd, XS_TRANSACTION_START, 0, "", 1, buf) == XS_ERROR,
	       "eleventh refused");
	close(fd);
	fd = raw_open(5);
	raw_request(fd, XS_TRANSACTION_START, 0, "", 1, buf);
	tx = strtoul(buf, NULL, 10);
	for (i = 0; i < 1100; i++) {
		n = snprintf(req, 64, "/local/domain/5/n%d", i) + 1;
		if (raw_request(fd, XS_READ, tx, req, n, buf) == XS_ERROR && !strcmp(buf, "ENOSPC"))
			break;
	}
	/* 1024 nodes touched, the parent the reads looked at included. */
	expect(i >= 1000 && i <= 1024, "transaction-nodes quota near 1024 nodes, got %d", i);
	close(fd);
	xa_within_quota(5);
}

/* XSA-326: memory exhaustion routes 1-4, and the daemon's growth over all of them. */
static void xa_memory(void)
{
	long rss0 = xa_rss_kib(), rss1;

	xa_set_quota("watch-event", "1");
	xa_make_domain(5);
	xa_memory_unread();
	xa_memory_watches();
	xa_memory_transactions();
	rss1 = xa_rss_kib();
	expect(rss0 < 0 || rss1 - rss0 < XA_RSS_BOUND_KIB, "daemon grew by %ld KiB", rss1 - rss0);
	xa_set_quota("watch-event", "20");
	xa_destroy_domain(5);
}

/* XSA-414/415/421/440: failures and deletions inside transactions keep accounting right. */
static void xa_tx_errors(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1], req[128];
	long long nodes0 = -1, nodes1 = -1;
	xs_transaction_t t;
	int fd, i, n;
	uint32_t tx;

	xa_set_quota("nodes", "30");
	xa_make_domain(5);
	fd = raw_open(5);
	xa_domain_memory(5, &nodes0);
	for (i = 0; i < 5; i++) {
		raw_request(fd, XS_TRANSACTION_START, 0, "", 1, buf);
		tx = strtoul(buf, NULL, 10);
		raw_request(fd, XS_WRITE, tx, "data/a/b/c\0x", 12, buf);
		raw_request(fd, XS_RM, tx, "data/a\0", 7, buf);
		raw_request(fd, XS_WRITE, tx, "data/a\0y", 8, buf);
		for (n = 0; n < 40; n++) { /* runs into the nodes quota inside the transaction */
			int l = snprintf(req, sizeof(req), "data/q%d/r", n) + 1;

			if (raw_request(fd, XS_WRITE, tx, req, l, buf) == XS_ERROR)
				break;
		}
		expect(n < 40 && !strcmp(buf, "ENOSPC"), "nodes quota inside a transaction");
		/* A concurrent removal of what it read. */
		xs_rm(xa_priv, XBT_NULL, "/local/domain/5/data/a");
		raw_request(fd, XS_TRANSACTION_END, tx, i % 2 ? "T" : "F", 2, buf);
	}
	t = xs_transaction_start(xa_priv);
	xs_write(xa_priv, t, "/local/domain/5/data/z", "1", 1);
	xs_rm(xa_priv, XBT_NULL, "/local/domain/5/data");
	expect(!xs_transaction_end(xa_priv, t, false) && errno == EAGAIN,
	       "commit after its parent vanished: EAGAIN");
	xa_domain_memory(5, &nodes1);
	expect(nodes1 >= 0 && nodes1 <= 30, "nodes accounted: %lld", nodes1);
	close(fd);
	xa_set_quota("nodes", "1000");
	xa_destroy_domain(5);
	(void)nodes0;
}

/* XSA-418: very deep trees; removals and releases do not recurse. */
static void xa_deep(void)
{
	char path[XENSTORE_PAYLOAD_MAX], buf[XENSTORE_PAYLOAD_MAX + 1];
	size_t len;
	int fd;

	len = (size_t)snprintf(path, sizeof(path), "/xa");
	while (len + 2 < 4000) {
		path[len++] = '/';
		path[len++] = 'd';
	}
	path[len] = '\0';
	expect(xs_write(xa_priv, XBT_NULL, path, "deep", 4), "a 2000-deep node");
	expect(xs_rm(xa_priv, XBT_NULL, "/xa"), "rm the deep tree");
	xa_make_domain(5);
	fd = raw_open(5);
	len = (size_t)snprintf(path, sizeof(path), "data");
	while (len + 2 < 1800) { /* 900 levels: within the nodes quota */
		path[len++] = '/';
		path[len++] = 'e';
	}
	path[len] = '\0';
	expect(raw_request(fd, XS_WRITE, 0, path, len + 1, buf) == XS_WRITE, "guest's deep node");
	close(fd);
	expect(xs_release_domain(xa_priv, 5), "RELEASE deletes a 900-deep tree");
	xa_destroy_domain(5);
}

/* XSA-419: nodes a guest created outside its home die with it. */
static void xa_orphans(void)
{
	struct xs_permissions p[2] = { { 0, XS_PERM_NONE }, { 5, XS_PERM_WRITE | XS_PERM_READ } };
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	unsigned int len;
	char *v;
	int fd;

	xs_mkdir(xa_priv, XBT_NULL, "/xa/shared");
	xs_set_permissions(xa_priv, XBT_NULL, "/xa/shared", p, 2);
	xa_make_domain(5);
	fd = raw_open(5);
	expect(raw_request(fd, XS_WRITE, 0, "/xa/shared/mine\0x", 18, buf) == XS_WRITE,
	       "guest creates outside its home");
	close(fd);
	xs_release_domain(xa_priv, 5);
	v = xs_read(xa_priv, XBT_NULL, "/xa/shared/mine", &len);
	expect(!v && errno == ENOENT, "its node outside home is gone");
	free(v);
	xa_destroy_domain(5);
	xs_rm(xa_priv, XBT_NULL, "/xa");
}

/* XSA-425: RELEASE repeated, while connected, with watches and transactions. */
static void xa_release(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	long rss0 = xa_rss_kib(), rss1;
	int round, fd;

	for (round = 0; round < 50; round++) {
		xa_make_domain(5);
		fd = raw_open(5);
		raw_request(fd, XS_WATCH, 0, "data\0t\0", 7, buf);
		raw_request(fd, XS_TRANSACTION_START, 0, "", 1, buf);
		raw_request(fd, XS_WRITE, 0, "data/x\0y", 8, buf);
		expect(xs_release_domain(xa_priv, 5), "RELEASE");
		expect(!xs_release_domain(xa_priv, 5) && errno == ENOENT, "RELEASE again: ENOENT");
		expect(raw_closed(fd), "connection closed");
		close(fd);
		xa_destroy_domain(5);
	}
	rss1 = xa_rss_kib();
	expect(rss0 < 0 || rss1 - rss0 < XA_RSS_BOUND_KIB, "daemon grew by %ld KiB", rss1 - rss0);
}

/* The daemon's CPU time in clock ticks (utime + stime), or -1. */
static long long xa_cpu_ticks(void)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", xa_pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

/* A new privileged connection is answered (within raw_reply's 10 s). */
static bool xa_dom0_new_conn_answers(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	int fd = raw_open(UINT_MAX);
	bool ok;

	ok = fd >= 0 &&
	     raw_request(fd, XS_READ, 0, "/local/domain/6/memory/target", 30, buf) == XS_READ;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Connection quota: connections past it are closed at once; each is charged to memory. */
static void xa_conn_quota(void)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1], arg[] = "7";
	long long quota = xa_quota("connections "), mem0, mem1;
	int fds[40], i, working = 0;
	char *r;

	expect(quota > 0 && quota < 40, "a connections quota below 40 in CONTROL quota (%lld)",
	       quota);
	xa_make_domain(7);
	mem0 = xa_domain_memory(7, NULL);
	for (i = 0; i < 40; i++)
		fds[i] = raw_open(7);
	for (i = 0; i < 40; i++)
		working += fds[i] >= 0 &&
			   raw_request(fds[i], XS_READ, 0, "memory/target", 14, buf) == XS_READ;
	expect(working == quota, "%d of 40 connections work, quota %lld", working, quota);
	mem1 = xa_domain_memory(7, NULL);
	expect(mem1 - mem0 >= working * (long long)(2 * XENSTORE_PAYLOAD_MAX),
	       "connections charged to memory: %lld -> %lld bytes", mem0, mem1);
	r = xs_control_command(xa_priv, "quota", arg, sizeof(arg));
	expect(r && strstr(r, "connections "), "CONTROL quota 7 shows connections");
	free(r);
	for (i = 0; i < 40; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	xa_within_quota(7);
	xa_destroy_domain(7);
}

/*
 * Connection flood with the connection quota off: until the descriptors run
 * out, a new dom0 connection is answered, the daemon does not spin on a
 * failing accept(), and the guest's connections stay within its memory quota.
 */
static void xa_conn_flood(void)
{
	long long saved = xa_quota("connections "), t0, t1;
	int fds[600], i, n = 0;
	char val[24];

	xa_set_quota("connections", "0");
	xa_make_domain(6);
	for (i = 0; i < 600; i++) {
		fds[i] = raw_open_flags(6, SOCK_NONBLOCK); /* a full backlog: EAGAIN, not a hang */
		n += fds[i] >= 0;
	}
	expect(n > 0, "the guest connects");
	expect(xa_dom0_new_conn_answers(), "a new dom0 connection is answered during the flood");
	t0 = xa_cpu_ticks();
	sleep(2);
	t1 = xa_cpu_ticks();
	/* A busy loop takes about 2 s of CPU here; a waiting daemon next to nothing. */
	expect(t0 >= 0 && t1 >= 0 && t1 - t0 < sysconf(_SC_CLK_TCK) / 2,
	       "daemon CPU during the flood: %lld ticks in 2 s", t1 - t0);
	expect(xa_dom0_new_conn_answers(), "dom0 still answered after the flood");
	for (i = 0; i < 600; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	xa_within_quota(6);
	xa_destroy_domain(6);
	snprintf(val, sizeof(val), "%lld", saved < 0 ? 0 : saved);
	xa_set_quota("connections", val);
}

struct xa_scenario {
	const char *name;
	void (*fn)(void);
	const char *descr;
};

static const struct xa_scenario xa_scenarios[] = {
	{ "framing", xa_framing, "XSA-38/420: bad lengths, types and payloads" },
	{ "e2big", xa_e2big, "XSA-72: oversized replies" },
	{ "write-storm", xa_write_storm, "XSA-206: write flood, rate limit" },
	{ "stubdom", xa_stubdom, "XSA-233: domain and stubdom released together" },
	{ "watch-leak", xa_watch_leak, "XSA-115: watch permission filter" },
	{ "domid-reuse", xa_domid_reuse, "XSA-322/417/483: domid reuse" },
	{ "paths", xa_paths, "XSA-323/481: path length and odd paths" },
	{ "huge-token", xa_huge_token, "XSA-324: oversized events" },
	{ "zombie", xa_zombie, "XSA-325: killed connection, @releaseDomain at release" },
	{ "reset-watches", xa_reset_watches, "XSA-330/484: RESET_WATCHES, inside transactions" },
	{ "owner-root", xa_owner_root, "XSA-352/353: ownership, the root node" },
	{ "memory", xa_memory, "XSA-326/416: memory exhaustion routes" },
	{ "tx-errors", xa_tx_errors, "XSA-414/415/421/440: transaction failures" },
	{ "deep", xa_deep, "XSA-418: deep trees" },
	{ "orphans", xa_orphans, "XSA-419: nodes outside home" },
	{ "release", xa_release, "XSA-425: repeated RELEASE" },
	{ "conn-quota", xa_conn_quota, "connections per domain, charged to memory" },
	{ "conn-flood", xa_conn_flood, "connection flood: descriptors, accept back-off" },
};

int main(int argc, char **argv)
{
	const char *sock = getenv("XENSTORED_PATH"), *pid = getenv("XMEM_STORED_PID"), *slash;
	size_t i;
	int a, failed = 0;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < sizeof(xa_scenarios) / sizeof(xa_scenarios[0]); i++)
			printf("%-14s %s\n", xa_scenarios[i].name, xa_scenarios[i].descr);
		return 0;
	}
	if (!sock || !pid || !(slash = strrchr(sock, '/')) || argc < 2) {
		fprintf(stderr, "usage: XENSTORED_PATH=... XMEM_STORED_PID=... xs-attack "
				"[--list] SCENARIO...\n");
		return 2;
	}
	if ((size_t)(slash - sock) >= sizeof(xa_dir)) {
		fprintf(stderr, "xs-attack: socket directory path too long\n");
		return 2;
	}
	xa_pid = strtol(pid, NULL, 10);
	snprintf(xa_dir, sizeof(xa_dir), "%.*s", (int)(slash - sock), sock);
	xa_priv = xs_open(0);
	if (!xa_priv) {
		fprintf(stderr, "xs-attack: cannot connect to %s\n", sock);
		return 2;
	}
	for (a = 1; a < argc; a++) {
		int before = xa_failures;

		for (i = 0; i < sizeof(xa_scenarios) / sizeof(xa_scenarios[0]); i++)
			if (!strcmp(xa_scenarios[i].name, argv[a]))
				break;
		if (i == sizeof(xa_scenarios) / sizeof(xa_scenarios[0])) {
			fprintf(stderr, "xs-attack: no scenario %s\n", argv[a]);
			return 2;
		}
		xa_name = xa_scenarios[i].name;
		xa_scenarios[i].fn();
		xa_consistent();
		printf("%-14s %s\n", xa_name, xa_failures == before ? "survived" : "FAILED");
		failed += xa_failures != before;
	}
	xs_close(xa_priv);
	return failed ? 1 : 0;
}
