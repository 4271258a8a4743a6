/*
 * it_mkdomain.c: integration-test helper. Writes a guest's home in the key
 * tree the way libxl does (libxl__domain_make + libxl__build_post: the
 * nodes, their permissions, the memory keys, in one transaction) and
 * introduces the domain to the store, on the privileged connection
 * ($XENSTORED_PATH).
 *
 *   it-mkdomain DOMID NAME STATIC_MAX_KIB TARGET_KIB
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "xenstore-schema/xs_schema.h"

#define IT_RING_REF 0xfeffcUL
#define IT_PORT	    1u

/* Write path = val in t. */
static int mk_write(struct xs_handle *xs, xs_transaction_t t, const char *path, const char *val)
{
	if (!xs_write(xs, t, path, val, strlen(val))) {
		fprintf(stderr, "it-mkdomain: write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Create path with [owner n, reader r] (reader 0: none). */
static int mk_node(struct xs_handle *xs, xs_transaction_t t, const char *path, unsigned int owner,
		   unsigned int reader)
{
	struct xs_permissions perms[2] = {
		{ .id = owner, .perms = XS_PERM_NONE },
		{ .id = reader, .perms = XS_PERM_READ },
	};

	if (!xs_mkdir(xs, t, path) || !xs_set_permissions(xs, t, path, perms, reader ? 2 : 1)) {
		fprintf(stderr, "it-mkdomain: mkdir %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char home[64], path[128];
	struct xs_handle *xs = NULL;
	xs_transaction_t t;
	unsigned int domid;
	int tries, rc = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: it-mkdomain DOMID NAME STATIC_MAX_KIB TARGET_KIB\n");
		return 2;
	}
	domid = (unsigned int)strtoul(argv[1], NULL, 10);
	snprintf(home, sizeof(home), "/local/domain/%u", domid);
	xs = xs_open(0);
	if (!xs) {
		fprintf(stderr, "it-mkdomain: no store: %s\n", strerror(errno));
		return 1;
	}
	/* /local/domain exists on a host before any guest (xen-init-dom0 makes it). */
	if (!xs_mkdir(xs, XBT_NULL, "/local/domain")) {
		fprintf(stderr, "it-mkdomain: mkdir /local/domain: %s\n", strerror(errno));
		goto out;
	}
	for (tries = 0;; tries++) {
		if (tries == 10) {
			fprintf(stderr, "it-mkdomain: commit: conflicts 10 times in a row\n");
			goto out;
		}
		t = xs_transaction_start(xs);
		if (t == XBT_NULL)
			goto out;
		if (mk_node(xs, t, home, 0, domid))
			goto abort;
		/* Guest readable, not writable. */
		snprintf(path, sizeof(path), "%s/%s", home, XS_DOM_MEMORY);
		if (mk_node(xs, t, path, 0, domid))
			goto abort;
		snprintf(path, sizeof(path), "%s/control", home);
		if (mk_node(xs, t, path, 0, domid))
			goto abort;
		/* Guest owned. */
		snprintf(path, sizeof(path), "%s/%s", home, XS_DOM_DATA);
		if (mk_node(xs, t, path, domid, 0))
			goto abort;
		snprintf(path, sizeof(path), "%s/%s", home, XS_DOM_NAME);
		if (mk_write(xs, t, path, argv[2]))
			goto abort;
		snprintf(path, sizeof(path), "%s/domid", home);
		if (mk_write(xs, t, path, argv[1]))
			goto abort;
		snprintf(path, sizeof(path), "%s/%s", home, XS_DOM_STATIC_MAX);
		if (mk_write(xs, t, path, argv[3]))
			goto abort;
		snprintf(path, sizeof(path), "%s/%s", home, XS_DOM_TARGET);
		if (mk_write(xs, t, path, argv[4]))
			goto abort;
		snprintf(path, sizeof(path), "%s/store/port", home);
		if (mk_write(xs, t, path, "1"))
			goto abort;
		snprintf(path, sizeof(path), "%s/store/ring-ref", home);
		if (mk_write(xs, t, path, "1044476"))
			goto abort;
		if (xs_transaction_end(xs, t, false))
			break;
		if (errno != EAGAIN) {
			fprintf(stderr, "it-mkdomain: commit: %s\n", strerror(errno));
			goto out;
		}
	}
	/* A real guest's store ring frame and event channel; any nonzero values do here. */
	if (!xs_introduce_domain(xs, domid, IT_RING_REF, IT_PORT)) {
		fprintf(stderr, "it-mkdomain: introduce %u: %s\n", domid, strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
abort:
	xs_transaction_end(xs, t, true);
out:
	xs_close(xs);
	return rc;
}
