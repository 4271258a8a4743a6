/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * it_mkdomain.c: integration-test helper. Makes a guest domain the way libxl
 * does, through lib/simdom, with the fixed domid the test names:
 *
 *   it-mkdomain [--host DIR] DOMID NAME STATIC_MAX_KIB TARGET_KIB
 *
 * With --host, the whole of simdom_create on DIR's simulated host: the
 * hypervisor domain (empty, maxmem static-max + 1 MiB, so the balloon may
 * grow to static-max without a toolstack moving maxmem; TARGET_KIB claimed),
 * its keys and the introduction to the store. Without it, only the keys and
 * the introduction (simdom_create_keys), on the store at $XENSTORED_PATH: for
 * a domain the hypervisor has already, e.g. after the store restarted.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "host.h"
#include "hv.h"
#include "simdom.h"

#define IT_USAGE "usage: it-mkdomain [--host DIR] DOMID NAME STATIC_MAX_KIB TARGET_KIB\n"

/* Parse a decimal argument into *val_r. Returns 0 or -1. */
static int it_num(const char *s, uint64_t *val_r)
{
	char *end = NULL;

	errno = 0;
	*val_r = strtoull(s, &end, 10);
	return (errno || !end || *end || end == s) ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];
	struct xs_handle *xs = NULL;
	struct hv *hv = NULL;
	const char *dir = NULL;
	uint64_t domid;
	uint32_t created;
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "H:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			dir = optarg;
			break;
		case 'h':
			printf(IT_USAGE);
			return 0;
		default:
			fprintf(stderr, IT_USAGE);
			return 2;
		}
	}
	simdom_config_init(&cfg);
	if (argc - optind != 4 || it_num(argv[optind], &domid) || domid > UINT32_MAX ||
	    it_num(argv[optind + 2], &cfg.static_max_kib) ||
	    it_num(argv[optind + 3], &cfg.startup_kib)) {
		fprintf(stderr, IT_USAGE);
		return 2;
	}
	cfg.domid = (uint32_t)domid;
	cfg.name = argv[optind + 1];
	cfg.maxmem_kib = cfg.static_max_kib + SIMDOM_MAXMEM_CONSTANT_KIB;

	xs = dir ? host_xs_open(dir, HOST_NO_DOMID) : xs_open(0);
	if (!xs) {
		fprintf(stderr, "it-mkdomain: no store: %s\n", strerror(errno));
		goto out;
	}
	if (dir) {
		hv = host_hv_open(dir);
		if (!hv) {
			fprintf(stderr, "it-mkdomain: no hypervisor at %s\n", dir);
			goto out;
		}
		if (simdom_create(xs, hv, &cfg, &created, err, sizeof(err)))
			goto fail;
	} else if (simdom_create_keys(xs, &cfg, err, sizeof(err))) {
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "it-mkdomain: domain %" PRIu64 ": %s\n", domid, err);
out:
	if (hv)
		hv_close(hv);
	if (xs)
		xs_close(xs);
	return rc;
}
