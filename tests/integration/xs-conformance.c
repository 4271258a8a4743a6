/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xs-conformance: drives xmem-stored through Debian's libxenstore, as
 * toolstacks and guests do, and checks C xenstored's semantics.
 *
 * Usage: xs-conformance [--list] [--test NAME]...
 * The privileged socket comes from $XENSTORED_PATH; a domain's socket is
 * <dir of that socket>/domain/<domid>/socket. Each test leaves the store
 * consistent (CONTROL check) and removes what it wrote. Exit status 0 when
 * every selected test passed.
 *
 * Table-driven, like Xen's own test-xenstore: {name, function, description}.
 * Failures are counted, not returned through macros, so a test reports
 * every broken expectation, not only the first.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenstore.h>

static struct xs_handle *xs_priv;
static char xs_dir[PATH_MAX];
static int xc_failures;
static const char *xc_test_name;

/* Record a failed expectation unless ok. Returns ok. */
static bool expect(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool expect(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	fprintf(stderr, "  FAIL [%s] ", xc_test_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %d: %s)\n", errno, strerror(errno));
	xc_failures++;
	return false;
}

/* Expect a call that failed with err. */
static bool expect_err(bool ok, int err, const char *what)
{
	int e = errno;

	if (!ok && e == err)
		return true;
	return expect(false, "%s: want %s, got %s", what, strerror(err),
		      ok ? "success" : strerror(e));
}

/* Open a connection speaking as domid (its own socket). */
static struct xs_handle *xc_open_dom(unsigned int domid)
{
	char path[PATH_MAX + 64];
	const char *saved = getenv("XENSTORED_PATH");
	char *copy = saved ? strdup(saved) : NULL;
	struct xs_handle *h;

	snprintf(path, sizeof(path), "%s/domain/%u/socket", xs_dir, domid);
	setenv("XENSTORED_PATH", path, 1);
	h = xs_open(0);
	if (copy) {
		setenv("XENSTORED_PATH", copy, 1);
		free(copy);
	}
	return h;
}

static bool xc_write(struct xs_handle *h, const char *path, const char *value)
{
	return xs_write(h, XBT_NULL, path, value, strlen(value));
}

/* Read path and compare with want (NULL: expect the read to fail). */
static void expect_read(struct xs_handle *h, const char *path, const char *want)
{
	unsigned int len = 0;
	char *v = xs_read(h, XBT_NULL, path, &len);

	if (want)
		expect(v && len == strlen(want) && !memcmp(v, want, len),
		       "read %s = '%s', got '%s'", path, want, v ? v : "(error)");
	else
		expect(!v, "read %s should fail", path);
	free(v);
}

/* The permission list of path as "n0,r5" text. */
static char *xc_perms(struct xs_handle *h, const char *path)
{
	static char buf[256];
	struct xs_permissions *p;
	unsigned int n = 0, i;
	size_t used = 0;

	p = xs_get_permissions(h, XBT_NULL, path, &n);
	if (!p)
		return NULL;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		char c = "nrwb"[p[i].perms & 3];

		used += snprintf(buf + used, sizeof(buf) - used, "%s%c%u", i ? "," : "", c,
				 p[i].id);
	}
	free(p);
	return buf;
}

/* Set permissions from text like "n0,r5". */
static bool xc_chmod(struct xs_handle *h, xs_transaction_t t, const char *path, const char *spec)
{
	struct xs_permissions p[16];
	char copy[256], *tok, *save = NULL;
	unsigned int n = 0;

	snprintf(copy, sizeof(copy), "%s", spec);
	for (tok = strtok_r(copy, ",", &save); tok && n < 16; tok = strtok_r(NULL, ",", &save)) {
		if (!xs_strings_to_perms(&p[n], 1, tok))
			return false;
		n++;
	}
	return xs_set_permissions(h, t, path, p, n);
}

/* CONTROL cmd with up to three arguments. */
static char *xc_control(const char *cmd, const char *a, const char *b, const char *c)
{
	const char *args[3] = { a, b, c };
	char buf[256];
	size_t len = 0, i;

	for (i = 0; i < 3 && args[i]; i++) {
		size_t l = strlen(args[i]) + 1;

		if (len + l > sizeof(buf))
			return NULL;
		memcpy(buf + len, args[i], l);
		len += l;
	}
	return xs_control_command(xs_priv, cmd, buf, len);
}

/* CONTROL check must pass. */
static void expect_consistent(void)
{
	char *r = xs_control_command(xs_priv, "check", NULL, 0);

	expect(r != NULL, "CONTROL check");
	free(r);
}

/* Build a domain like libxl does (libxl__domain_make permissions), and introduce it. */
static void xc_make_domain(unsigned int domid)
{
	static const char *guest_owned[] = { "data", "drivers", "feature",
					     "attr", "error",	"control/shutdown" };
	static const char *ro[] = { "cpu", "memory", "control", "device" };
	char path[128], spec[32], val[32];
	xs_transaction_t t;
	size_t i;

	do {
		t = xs_transaction_start(xs_priv);
		snprintf(path, sizeof(path), "/local/domain/%u", domid);
		xs_rm(xs_priv, t, path);
		xs_mkdir(xs_priv, t, path);
		snprintf(spec, sizeof(spec), "n0,r%u", domid);
		xc_chmod(xs_priv, t, path, spec);
		for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
			snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, ro[i]);
			xs_mkdir(xs_priv, t, path);
			xc_chmod(xs_priv, t, path, spec);
		}
		snprintf(spec, sizeof(spec), "n%u", domid);
		for (i = 0; i < sizeof(guest_owned) / sizeof(guest_owned[0]); i++) {
			snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, guest_owned[i]);
			xs_mkdir(xs_priv, t, path);
			xc_chmod(xs_priv, t, path, spec);
		}
		snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
		snprintf(val, sizeof(val), "guest%u", domid);
		xs_write(xs_priv, t, path, val, strlen(val));
		snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
		xs_write(xs_priv, t, path, "524288", 6);
		snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max", domid);
		xs_write(xs_priv, t, path, "1048576", 7);
	} while (!xs_transaction_end(xs_priv, t, false) && errno == EAGAIN);
	expect(xs_introduce_domain(xs_priv, domid, 1234, 5), "introduce %u", domid);
}

static void xc_destroy_domain(unsigned int domid)
{
	char path[64];

	xs_release_domain(xs_priv, domid);
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	xs_rm(xs_priv, XBT_NULL, path);
}

/* Wait for a watch event (path, token) within ms; other events are skipped. */
static bool xc_wait_event(struct xs_handle *h, const char *path, const char *token, int ms)
{
	struct pollfd pfd = { .fd = xs_fileno(h), .events = POLLIN };

	for (;;) {
		unsigned int n;
		char **ev;

		while ((ev = xs_check_watch(h)) != NULL) {
			bool match = !strcmp(ev[XS_WATCH_PATH], path) &&
				     !strcmp(ev[XS_WATCH_TOKEN], token);

			free(ev);
			if (match)
				return true;
		}
		if (errno != EAGAIN)
			return false;
		if (poll(&pfd, 1, ms) <= 0)
			return false;
		(void)n;
	}
}

/* Wait for two events in any order. */
static bool xc_wait_events2(struct xs_handle *h, const char *p1, const char *t1, const char *p2,
			    const char *t2)
{
	struct pollfd pfd = { .fd = xs_fileno(h), .events = POLLIN };
	bool seen1 = false, seen2 = false;

	while (!seen1 || !seen2) {
		char **ev;

		while ((ev = xs_check_watch(h)) != NULL) {
			seen1 |= !strcmp(ev[XS_WATCH_PATH], p1) && !strcmp(ev[XS_WATCH_TOKEN], t1);
			seen2 |= !strcmp(ev[XS_WATCH_PATH], p2) && !strcmp(ev[XS_WATCH_TOKEN], t2);
			free(ev);
		}
		if (seen1 && seen2)
			break;
		if (poll(&pfd, 1, 10000) <= 0)
			return false;
	}
	return true;
}

/*
 * Collect events until the sentinel (path, token) arrives; returns whether
 * an event on forbidden (any token) was seen before it. Events of one
 * connection arrive in order, so no timing is involved.
 */
static bool xc_seen_before_sentinel(struct xs_handle *h, const char *forbidden,
				    const char *sentinel, const char *token)
{
	struct pollfd pfd = { .fd = xs_fileno(h), .events = POLLIN };
	bool seen = false;

	for (;;) {
		char **ev;

		while ((ev = xs_check_watch(h)) != NULL) {
			bool done = !strcmp(ev[XS_WATCH_PATH], sentinel) &&
				    !strcmp(ev[XS_WATCH_TOKEN], token);

			if (!strncmp(ev[XS_WATCH_PATH], forbidden, strlen(forbidden)))
				seen = true;
			free(ev);
			if (done)
				return seen;
		}
		if (poll(&pfd, 1, 10000) <= 0) {
			expect(false, "sentinel %s never arrived", sentinel);
			return seen;
		}
	}
}

/* ------------------------------------------------------------------ tests */

/* Node operations and their errors on the privileged socket. */
static void test_basic(void)
{
	static const char bin[] = { 'a', 0, 'b', 0x7f };
	unsigned int len = 0, n = 0;
	char **dir, *v;

	expect(xc_write(xs_priv, "/xc/a", "1"), "write");
	expect(xs_write(xs_priv, XBT_NULL, "/xc/bin", bin, sizeof(bin)), "binary write");
	v = xs_read(xs_priv, XBT_NULL, "/xc/bin", &len);
	expect(v && len == sizeof(bin) && !memcmp(v, bin, len), "binary value round trip");
	free(v);
	expect(xs_mkdir(xs_priv, XBT_NULL, "/xc/dir"), "mkdir");
	expect(xs_mkdir(xs_priv, XBT_NULL, "/xc/dir"), "mkdir of an existing node");
	expect_read(xs_priv, "/xc/dir", "");
	dir = xs_directory(xs_priv, XBT_NULL, "/xc", &n);
	expect(dir && n == 3 && !strcmp(dir[0], "a") && !strcmp(dir[2], "dir"), "directory");
	free(dir);
	expect_err(xs_read(xs_priv, XBT_NULL, "/xc/none", &len) != NULL, ENOENT, "read missing");
	expect(xs_rm(xs_priv, XBT_NULL, "/xc/none"), "rm of a missing node with a parent");
	expect_err(xs_rm(xs_priv, XBT_NULL, "/xc/none/deeper"), ENOENT, "rm without parent");
	expect_err(xs_rm(xs_priv, XBT_NULL, "/"), EINVAL, "rm /");
	expect_err(xc_write(xs_priv, "/xc//a", "x"), EINVAL, "path with //");
	expect_err(xc_write(xs_priv, "/xc/a/", "x"), EINVAL, "trailing /");
	expect_err(xc_write(xs_priv, "/xc/a b", "x"), EINVAL, "bad character");
	expect_err(xc_write(xs_priv, "@introduceDomain", "x"), EINVAL, "write of a special node");
	v = xs_get_domain_path(xs_priv, 7);
	expect(v && !strcmp(v, "/local/domain/7"), "GET_DOMAIN_PATH");
	free(v);
	expect(xs_rm(xs_priv, XBT_NULL, "/xc"), "rm subtree");
	expect_err(xs_read(xs_priv, XBT_NULL, "/xc/a", &len) != NULL, ENOENT, "rm removed it");
}

/* DIRECTORY larger than a payload: libxenstore falls back to DIRECTORY_PART. */
static void test_directory_part(void)
{
	char path[128];
	unsigned int n = 0, i;
	char **dir;
	xs_transaction_t t;

	t = xs_transaction_start(xs_priv);
	for (i = 0; i < 400; i++) {
		snprintf(path, sizeof(path), "/xc/big/child-with-a-long-name-%04u", i);
		xs_write(xs_priv, t, path, "", 0);
	}
	expect(xs_transaction_end(xs_priv, t, false), "commit 400 nodes");
	dir = xs_directory(xs_priv, XBT_NULL, "/xc/big", &n);
	expect(dir && n == 400, "400 children through DIRECTORY_PART, got %u", n);
	if (dir && n == 400)
		expect(!strcmp(dir[399], "child-with-a-long-name-0399"), "last child in order");
	free(dir);
	xs_rm(xs_priv, XBT_NULL, "/xc");
}

/* A guest under libxl's permissions: refused what libxl forbids, allowed its data/. */
static void test_guest_permissions(void)
{
	struct xs_handle *g = NULL;
	unsigned int len, n = 0;
	char *v, **dir;

	xc_make_domain(5);
	xc_make_domain(6);
	g = xc_open_dom(5);
	if (!expect(g != NULL, "open domain 5's socket"))
		goto out;
	/* Reads of its own tree, relative and absolute. */
	expect_read(g, "memory/target", "524288");
	expect_read(g, "/local/domain/5/name", "guest5");
	v = xs_get_domain_path(g, 5);
	expect(v && !strcmp(v, "/local/domain/5"), "guest GET_DOMAIN_PATH");
	free(v);
	/* libxl makes memory/ and control/ read-only to the guest. */
	expect_err(xc_write(g, "memory/target", "1"), EACCES, "guest writes its memory/target");
	expect_err(xc_write(g, "memory/static-max", "1"), EACCES, "guest writes static-max");
	expect_err(xc_write(g, "control/feature-balloon", "1"), EACCES,
		   "guest creates control/feature-balloon");
	expect_err(xs_rm(g, XBT_NULL, "memory/target"), EACCES, "guest removes memory/target");
	expect_err(xc_chmod(g, XBT_NULL, "memory", "n5"), EACCES, "guest chmods memory/");
	expect_read(xs_priv, "/local/domain/5/memory/target", "524288");
	/* Another domain's tree is invisible, existing or not. */
	expect_err(xs_read(g, XBT_NULL, "/local/domain/6/name", &len) != NULL, EACCES,
		   "guest reads another domain's name");
	expect_err(xs_read(g, XBT_NULL, "/local/domain/6/nothing", &len) != NULL, EACCES,
		   "guest probes a missing node of another domain");
	expect_err(xs_directory(g, XBT_NULL, "/local/domain", &n) != NULL, EACCES,
		   "guest lists /local/domain");
	expect_err(xc_write(g, "/local/domain/6/data/x", "1"), EACCES,
		   "guest writes another domain's data/");
	expect_err(xs_read(g, XBT_NULL, "/tool/xenstored", &len) != NULL, EACCES,
		   "guest reads /tool");
	expect_err(xc_write(g, "/evil", "1"), EACCES, "guest creates a root node");
	expect_err(xc_chmod(g, XBT_NULL, "/", "b5"), EACCES, "guest chmods /");
	/* Its data/ is its own. */
	expect(xc_write(g, "data/meminfo_free", "1000"), "guest writes data/");
	expect(xc_write(g, "/local/domain/5/data/sub/deep", "x"), "guest creates below data/");
	expect_read(xs_priv, "/local/domain/5/data/meminfo_free", "1000");
	v = xc_perms(xs_priv, "/local/domain/5/data/sub/deep");
	expect(v && !strcmp(v, "n5"), "guest owns what it creates: %s", v ? v : "?");
	/* Owner rules: it may share, not give away. */
	expect(xc_chmod(g, XBT_NULL, "data/sub", "n5,r6"), "guest shares data/sub");
	expect_err(xc_chmod(g, XBT_NULL, "data/sub", "n6"), EPERM, "guest changes the owner");
	expect_err(xc_chmod(g, XBT_NULL, "data/sub", "n5,r1,r2,r3,r4,r6"), ENOSPC,
		   "six permission entries");
	expect_err(xc_chmod(xs_priv, XBT_NULL, "/local/domain/5/data", "x5"), EINVAL,
		   "bad permission letter");
	/* Inheritance: a node dom0 creates under [n0,r5] keeps n0 and r5. */
	expect(xc_write(xs_priv, "/local/domain/5/memory/dynamic-min", "1"), "dom0 writes");
	v = xc_perms(xs_priv, "/local/domain/5/memory/dynamic-min");
	expect(v && !strcmp(v, "n0,r5"), "inherited permissions: %s", v ? v : "?");
	/* Another guest sees the shared node, not the rest. */
	xs_close(g);
	g = xc_open_dom(6);
	if (!expect(g != NULL, "open domain 6's socket"))
		goto out;
	expect_read(g, "/local/domain/5/data/sub", "");
	expect_err(xs_read(g, XBT_NULL, "/local/domain/5/data/meminfo_free", &len) != NULL, EACCES,
		   "domain 6 reads domain 5's data");
	/* Special nodes and privileged operations. */
	v = xc_perms(xs_priv, "@releaseDomain");
	expect(v && !strcmp(v, "n0"), "@releaseDomain permissions");
	expect_err(xs_get_permissions(g, XBT_NULL, "@releaseDomain", &n) != NULL, EACCES,
		   "guest reads @releaseDomain's permissions");
	expect_err(xs_introduce_domain(g, 9, 1, 1), EACCES, "guest INTRODUCE");
	expect_err(xs_release_domain(g, 5), EACCES, "guest RELEASE");
	expect_err(xs_control_command(g, "check", NULL, 0) != NULL, EACCES, "guest CONTROL");
	errno = 0;
	expect(!xs_is_domain_introduced(g, 5) && errno == EACCES, "guest IS_DOMAIN_INTRODUCED");
	dir = xs_directory(g, XBT_NULL, "/local/domain/6", &n);
	expect(dir != NULL, "guest lists its own home");
	free(dir);
out:
	xs_close(g);
	xc_destroy_domain(5);
	xc_destroy_domain(6);
}

/* Watches: first event, subtree, rm, relative, permission filter, specials. */
static void test_watch(void)
{
	struct xs_handle *g = NULL;
	bool leak;

	expect(xs_mkdir(xs_priv, XBT_NULL, "/xw"), "mkdir");
	expect(xs_watch(xs_priv, "/xw", "t1"), "watch");
	expect(xc_wait_event(xs_priv, "/xw", "t1", 10000), "first event");
	expect_err(xs_watch(xs_priv, "/xw", "t1"), EEXIST, "duplicate watch");
	expect(xc_write(xs_priv, "/xw/a/b", "1"), "write");
	expect(xc_wait_event(xs_priv, "/xw/a/b", "t1", 10000), "subtree event");
	expect(xs_watch(xs_priv, "/xw/a/b", "exact"), "watch exact");
	expect(xc_wait_event(xs_priv, "/xw/a/b", "exact", 10000), "first event (exact)");
	expect(xs_rm(xs_priv, XBT_NULL, "/xw/a"), "rm");
	expect(xc_wait_events2(xs_priv, "/xw/a", "t1", "/xw/a/b", "exact"),
	       "rm fires the ancestor watch and the watch on a removed descendant");
	expect(xs_unwatch(xs_priv, "/xw/a/b", "exact"), "unwatch");
	expect_err(xs_unwatch(xs_priv, "/xw/a/b", "exact"), ENOENT, "unwatch twice");

	/* A guest watching / sees only what it may read. */
	xc_make_domain(5);
	xc_make_domain(6);
	g = xc_open_dom(5);
	if (!expect(g != NULL, "open domain 5's socket"))
		goto out;
	expect(xs_watch(g, "/", "root"), "guest watches /");
	expect(xc_wait_event(g, "/", "root", 10000), "guest's first event");
	expect(xs_watch(g, "data", "rel"), "guest relative watch");
	expect(xc_wait_event(g, "data", "rel", 10000), "relative first event");
	expect(xc_write(g, "data/x", "1"), "guest writes");
	expect(xc_wait_event(g, "data/x", "rel", 10000), "relative event path");
	xc_write(xs_priv, "/local/domain/6/data/secret", "s");
	xc_write(xs_priv, "/tool/secret", "s");
	xc_write(xs_priv, "/local/domain/5/data/sentinel", "1");
	leak = xc_seen_before_sentinel(g, "/local/domain/6", "/local/domain/5/data/sentinel",
				       "root");
	expect(!leak, "guest saw an event on another domain's node");
	/* Special watches follow the special node's permissions. */
	expect(xs_watch(g, "@releaseDomain", "rel-g"), "guest watches @releaseDomain");
	expect(xc_wait_event(g, "@releaseDomain", "rel-g", 10000), "registration event");
	expect(xs_watch(xs_priv, "@introduceDomain", "intro"), "dom0 watches @introduceDomain");
	expect(xc_wait_event(xs_priv, "@introduceDomain", "intro", 10000), "first event");
	expect(xs_watch(xs_priv, "@releaseDomain", "rel"), "dom0 watches @releaseDomain");
	expect(xc_wait_event(xs_priv, "@releaseDomain", "rel", 10000), "first event");
	xc_make_domain(7);
	expect(xc_wait_event(xs_priv, "@introduceDomain", "intro", 10000),
	       "@introduceDomain on INTRODUCE");
	xs_release_domain(xs_priv, 7);
	expect(xc_wait_event(xs_priv, "@releaseDomain", "rel", 10000), "@releaseDomain on RELEASE");
	xc_write(xs_priv, "/local/domain/5/data/sentinel", "2");
	leak = xc_seen_before_sentinel(g, "@releaseDomain", "/local/domain/5/data/sentinel",
				       "root");
	expect(!leak, "guest got @releaseDomain without permission");
	expect(xc_chmod(xs_priv, XBT_NULL, "@releaseDomain", "n0,r5"), "share @releaseDomain");
	xc_make_domain(7);
	xs_release_domain(xs_priv, 7);
	expect(xc_wait_event(g, "@releaseDomain", "rel-g", 10000),
	       "guest gets @releaseDomain once permitted");
	expect(xc_chmod(xs_priv, XBT_NULL, "@releaseDomain", "n0"), "restore @releaseDomain");
	xs_unwatch(xs_priv, "@introduceDomain", "intro");
	xs_unwatch(xs_priv, "@releaseDomain", "rel");
out:
	xs_close(g);
	xs_unwatch(xs_priv, "/xw", "t1");
	xs_rm(xs_priv, XBT_NULL, "/xw");
	xc_destroy_domain(5);
	xc_destroy_domain(6);
	xc_destroy_domain(7);
	xs_rm(xs_priv, XBT_NULL, "/tool/secret");
}

/* Transactions: real conflicts only, all or nothing, events on commit. */
static void test_transaction(void)
{
	struct xs_handle *other = xs_open(0);
	xs_transaction_t t1, t2;
	unsigned int len;
	char *v;
	bool leak;

	if (!expect(other != NULL, "second connection"))
		return;
	xc_write(xs_priv, "/xt/counter", "1");
	xs_mkdir(xs_priv, XBT_NULL, "/xt/set");
	/* Disjoint creations under one parent both commit. */
	t1 = xs_transaction_start(xs_priv);
	t2 = xs_transaction_start(other);
	expect(xs_write(xs_priv, t1, "/xt/set/a", "a", 1), "t1 write");
	expect(xs_write(other, t2, "/xt/set/b", "b", 1), "t2 write");
	expect(xs_transaction_end(xs_priv, t1, false), "t1 commits");
	expect(xs_transaction_end(other, t2, false), "t2 commits: no false conflict");
	/* Read-modify-write race: the second commit fails, nothing of it applied. */
	t1 = xs_transaction_start(xs_priv);
	t2 = xs_transaction_start(other);
	v = xs_read(xs_priv, t1, "/xt/counter", &len);
	free(v);
	v = xs_read(other, t2, "/xt/counter", &len);
	free(v);
	expect(xs_write(xs_priv, t1, "/xt/counter", "2", 1), "t1 writes");
	expect(xs_write(other, t2, "/xt/counter", "3", 1), "t2 writes");
	expect(xs_write(other, t2, "/xt/other", "x", 1), "t2 writes another node");
	expect(xs_transaction_end(xs_priv, t1, false), "t1 commits");
	expect_err(xs_transaction_end(other, t2, false), EAGAIN, "t2 conflicts");
	expect_read(xs_priv, "/xt/counter", "2");
	expect_err(xs_read(xs_priv, XBT_NULL, "/xt/other", &len) != NULL, ENOENT,
		   "nothing of the failed transaction applied");
	/* Reads repeat; writes are private until commit; abort discards. */
	t1 = xs_transaction_start(xs_priv);
	expect(xs_write(xs_priv, t1, "/xt/private", "p", 1), "write in transaction");
	expect_err(xs_read(other, XBT_NULL, "/xt/private", &len) != NULL, ENOENT,
		   "invisible before commit");
	expect(xs_rm(xs_priv, t1, "/xt/set"), "rm in transaction");
	expect_err(xs_read(xs_priv, t1, "/xt/set/a", &len) != NULL, ENOENT,
		   "removed in the transaction's view");
	expect_read(other, "/xt/set/a", "a");
	expect(xs_transaction_end(xs_priv, t1, true), "abort");
	expect_err(xs_read(xs_priv, XBT_NULL, "/xt/private", &len) != NULL, ENOENT,
		   "abort discarded");
	expect_read(xs_priv, "/xt/set/a", "a");
	/* Events fire on commit, not before, not on abort. */
	expect(xs_watch(other, "/xt", "tx"), "watch");
	expect(xc_wait_event(other, "/xt", "tx", 10000), "first event");
	t1 = xs_transaction_start(xs_priv);
	xs_write(xs_priv, t1, "/xt/aborted", "1", 1);
	xs_transaction_end(xs_priv, t1, true);
	t1 = xs_transaction_start(xs_priv);
	xs_write(xs_priv, t1, "/xt/committed", "1", 1);
	xc_write(xs_priv, "/xt/sentinel1", "1");
	leak = xc_seen_before_sentinel(other, "/xt/committed", "/xt/sentinel1", "tx");
	expect(!leak, "event before commit");
	expect(xs_transaction_end(xs_priv, t1, false), "commit");
	expect(xc_wait_event(other, "/xt/committed", "tx", 10000), "event at commit");
	xc_write(xs_priv, "/xt/sentinel2", "1");
	leak = xc_seen_before_sentinel(other, "/xt/aborted", "/xt/sentinel2", "tx");
	expect(!leak, "event of an aborted transaction");
	/* Unknown transaction ids. */
	expect_err(xs_read(xs_priv, 4242, "/xt/counter", &len) != NULL, ENOENT,
		   "unknown transaction id");
	xs_close(other);
	xs_rm(xs_priv, XBT_NULL, "/xt");
}

/* INTRODUCE, RELEASE, RESUME, SET_TARGET, IS_DOMAIN_INTRODUCED. */
static void test_domain(void)
{
	struct xs_handle *g = NULL, *dm = NULL;
	char sock[PATH_MAX + 64];
	struct stat st;
	unsigned int len;
	char *v;

	xc_make_domain(5);
	xc_make_domain(8);
	snprintf(sock, sizeof(sock), "%s/domain/5/socket", xs_dir);
	expect(stat(sock, &st) == 0 && S_ISSOCK(st.st_mode), "INTRODUCE creates %s", sock);
	expect(xs_is_domain_introduced(xs_priv, 5), "introduced");
	expect(!xs_is_domain_introduced(xs_priv, 9), "9 is not");
	expect(xs_introduce_domain(xs_priv, 5, 1234, 5), "re-INTRODUCE is harmless");
	expect_err(xs_introduce_domain(xs_priv, 70000, 1, 1), EINVAL, "domid out of range");
	expect_err(xs_introduce_domain(xs_priv, 9, 1, 0), EINVAL, "event channel 0");
	expect_err(xs_release_domain(xs_priv, 9), ENOENT, "RELEASE of an unknown domain");
	expect_err(xs_release_domain(xs_priv, 0), EINVAL, "RELEASE of dom0");
	expect(xs_resume_domain(xs_priv, 5), "RESUME");
	g = xc_open_dom(5);
	if (!expect(g != NULL, "open domain 5's socket"))
		goto out;
	expect(xc_write(g, "data/x", "1"), "guest writes");
	/* dom0 shares a node with 5: RELEASE must take 5 out of the ACL. */
	xc_write(xs_priv, "/xd/shared", "1");
	xc_chmod(xs_priv, XBT_NULL, "/xd/shared", "n0,r5,r8");
	/* SET_TARGET: 8 acts for 5 (a device model). */
	expect(xs_set_target(xs_priv, 8, 5), "SET_TARGET");
	dm = xc_open_dom(8);
	if (!expect(dm != NULL, "open domain 8's socket"))
		goto out;
	expect_read(dm, "/local/domain/5/data/x", "1");
	expect(xc_write(dm, "/local/domain/5/data/y", "2"), "target writes for 5");
	expect_err(xs_set_target(xs_priv, 8, 99), ENOENT, "SET_TARGET to an unknown domain");
	/* RELEASE: connection closed, socket gone, nodes gone, ACL scrubbed. */
	expect(xs_release_domain(xs_priv, 5), "RELEASE");
	expect(stat(sock, &st) < 0, "RELEASE removes the socket");
	expect(!xs_is_domain_introduced(xs_priv, 5), "no longer introduced");
	expect_err(xs_read(xs_priv, XBT_NULL, "/local/domain/5/data/x", &len) != NULL, ENOENT,
		   "nodes owned by 5 deleted");
	expect_err(xs_read(xs_priv, XBT_NULL, "/local/domain/5/data", &len) != NULL, ENOENT,
		   "data/ (owned by 5) deleted");
	expect_read(xs_priv, "/local/domain/5/name", "guest5");
	v = xc_perms(xs_priv, "/xd/shared");
	expect(v && !strcmp(v, "n0,r8"), "ACL scrubbed: %s", v ? v : "?");
	v = xc_perms(xs_priv, "/local/domain/5");
	expect(v && !strcmp(v, "n0"), "ACL of the home scrubbed: %s", v ? v : "?");
	expect_err(xs_read(dm, XBT_NULL, "/local/domain/5/name", &len) != NULL, EACCES,
		   "the target relation ended with the domain");
	v = xs_read(g, XBT_NULL, "data/x", &len);
	expect(v == NULL, "the released domain's connection is closed");
	free(v);
	/* The domid reused: a fresh domain with clean accounting. */
	xc_make_domain(5);
	v = xc_control("quota", "5", NULL, NULL);
	expect(v && strstr(v, "nodes 6/"), "fresh accounting after reuse: %s", v ? v : "?");
	free(v);
out:
	xs_close(g);
	xs_close(dm);
	xc_destroy_domain(5);
	xc_destroy_domain(8);
	xs_rm(xs_priv, XBT_NULL, "/xd");
}

/* Quotas on a guest: nodes, node size, watches, transactions, path length. */
static void test_quota(void)
{
	struct xs_handle *g = NULL;
	xs_transaction_t t[11];
	char path[4200], *v, *big = NULL;
	int i, made = 0;

	v = xc_control("quota", "set", "nodes", "20");
	expect(v != NULL, "CONTROL quota set nodes 20");
	free(v);
	v = xc_control("quota", "set", "write-rate", "0");
	free(v);
	xc_make_domain(5);
	g = xc_open_dom(5);
	if (!expect(g != NULL, "open domain 5's socket"))
		goto out;
	for (i = 0; i < 40; i++) {
		snprintf(path, sizeof(path), "data/n%d", i);
		if (!xc_write(g, path, "x"))
			break;
		made++;
	}
	expect(errno == ENOSPC, "nodes quota answers ENOSPC");
	/* data, drivers, feature, attr, error, control/shutdown are 5's: 6 + made = 20. */
	expect(made == 14, "nodes quota: %d nodes created, want 14", made);
	expect(xs_rm(g, XBT_NULL, "data/n0"), "removal under quota");
	expect(xc_write(g, "data/again", "x"), "room again after a removal");
	big = malloc(2100);
	if (big) {
		memset(big, 'v', 2099);
		big[2099] = '\0';
		expect_err(xc_write(g, "data/again", big), ENOSPC, "node-size quota");
		expect(xc_write(xs_priv, "/local/domain/5/data/again", big), "dom0 is exempt");
	}
	memset(path, 'p', 2100);
	memcpy(path, "data/", 5);
	path[2100] = '\0';
	expect_err(xc_write(g, path, "x"), EINVAL, "path-max");
	for (i = 0; i < 10; i++)
		t[i] = xs_transaction_start(g);
	expect(t[9] != XBT_NULL, "ten transactions");
	t[10] = xs_transaction_start(g);
	expect_err(t[10] != XBT_NULL, ENOSPC, "eleventh transaction");
	for (i = 0; i < 10; i++)
		xs_transaction_end(g, t[i], true);
	for (i = 0; i < 130; i++) {
		char tok[16];

		snprintf(tok, sizeof(tok), "w%d", i);
		if (!xs_watch(g, "data", tok))
			break;
	}
	expect(i == 128 && errno == E2BIG, "watches quota at 128 (E2BIG), got %d", i);
out:
	free(big);
	xs_close(g);
	xc_destroy_domain(5);
	v = xc_control("quota", "set", "nodes", "1000");
	free(v);
	v = xc_control("quota", "set", "write-rate", "200");
	free(v);
}

struct xc_test {
	const char *name;
	void (*fn)(void);
	const char *descr;
};

static const struct xc_test xc_tests[] = {
	{ "basic", test_basic, "node operations and their errors" },
	{ "directory-part", test_directory_part, "a directory larger than a payload" },
	{ "guest-permissions", test_guest_permissions, "libxl's permissions on a guest" },
	{ "watch", test_watch, "watches, events and their permission filter" },
	{ "transaction", test_transaction, "conflicts, atomicity, events on commit" },
	{ "domain", test_domain, "INTRODUCE, RELEASE, SET_TARGET, RESUME" },
	{ "quota", test_quota, "quotas on an unprivileged domain" },
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "test", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only[32], *sock = getenv("XENSTORED_PATH"), *slash;
	size_t nr_only = 0, i, j;
	int opt, failed = 0;

	while ((opt = getopt_long(argc, argv, "lt:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			for (i = 0; i < sizeof(xc_tests) / sizeof(xc_tests[0]); i++)
				printf("%-18s %s\n", xc_tests[i].name, xc_tests[i].descr);
			return 0;
		case 't':
			if (nr_only < 32)
				only[nr_only++] = optarg;
			break;
		case 'h':
			printf("usage: xs-conformance [--list] [--test NAME]...\n");
			return 0;
		default:
			return 2;
		}
	}
	if (!sock || !(slash = strrchr(sock, '/'))) {
		fprintf(stderr, "xs-conformance: set XENSTORED_PATH to xmem-stored's socket\n");
		return 2;
	}
	snprintf(xs_dir, sizeof(xs_dir), "%.*s", (int)(slash - sock), sock);
	xs_priv = xs_open(0);
	if (!xs_priv) {
		fprintf(stderr, "xs-conformance: cannot connect to %s: %s\n", sock,
			strerror(errno));
		return 2;
	}
	for (i = 0; i < sizeof(xc_tests) / sizeof(xc_tests[0]); i++) {
		int before = xc_failures;

		if (nr_only) {
			for (j = 0; j < nr_only; j++)
				if (!strcmp(only[j], xc_tests[i].name))
					break;
			if (j == nr_only)
				continue;
		}
		xc_test_name = xc_tests[i].name;
		xc_tests[i].fn();
		expect_consistent();
		printf("%-18s %s\n", xc_tests[i].name, xc_failures == before ? "ok" : "FAILED");
		failed += xc_failures != before;
	}
	xs_close(xs_priv);
	return failed ? 1 : 0;
}
