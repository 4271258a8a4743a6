/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xs-domain: the domain operations of libxenstore for shell scripts (tests,
 * the store demo), which xenstore-utils do not offer:
 *   xs-domain introduce DOMID [GFN EVTCHN]   xs_introduce_domain
 *   xs-domain release DOMID                  xs_release_domain
 *   xs-domain resume DOMID                   xs_resume_domain
 *   xs-domain set-target DOMID TARGET        xs_set_target
 *   xs-domain is-introduced DOMID            prints T or F
 *   xs-domain path DOMID                     xs_get_domain_path
 * The store is $XENSTORED_PATH (the privileged socket). Exit status 0 on
 * success, 1 with a one-line error otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xs-domain introduce DOMID [GFN EVTCHN] | release DOMID | resume DOMID |\n"
		"                 set-target DOMID TARGET | is-introduced DOMID | path DOMID\n"
		"Talks to $XENSTORED_PATH through libxenstore.\n");
}

/* Parse a domid argument or exit. */
static unsigned int parse_domid(const char *s)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v > 65535) {
		fprintf(stderr, "xs-domain: bad domid '%s'\n", s);
		exit(1);
	}
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	struct xs_handle *h = NULL;
	const char *op;
	unsigned int domid;
	bool ok = false;
	char *p;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 3) {
		usage(stderr);
		return 1;
	}
	op = argv[1];
	domid = parse_domid(argv[2]);
	h = xs_open(0);
	if (!h) {
		fprintf(stderr, "xs-domain: cannot reach the store: %s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(op, "introduce")) {
		unsigned long gfn = argc > 3 ? strtoul(argv[3], NULL, 0) : 1;
		unsigned int port = argc > 4 ? (unsigned int)strtoul(argv[4], NULL, 0) : 1;

		ok = xs_introduce_domain(h, domid, gfn, port);
	} else if (!strcmp(op, "release")) {
		ok = xs_release_domain(h, domid);
	} else if (!strcmp(op, "resume")) {
		ok = xs_resume_domain(h, domid);
	} else if (!strcmp(op, "set-target") && argc == 4) {
		ok = xs_set_target(h, domid, parse_domid(argv[3]));
	} else if (!strcmp(op, "is-introduced")) {
		errno = 0;
		ok = xs_is_domain_introduced(h, domid);
		if (ok || !errno) {
			printf("%s\n", ok ? "T" : "F");
			ok = true;
		}
	} else if (!strcmp(op, "path")) {
		p = xs_get_domain_path(h, domid);
		if (p)
			printf("%s\n", p);
		ok = p != NULL;
		free(p);
	} else {
		usage(stderr);
		xs_close(h);
		return 1;
	}
	if (!ok)
		fprintf(stderr, "xs-domain: %s %u: %s\n", op, domid, strerror(errno));
	xs_close(h);
	return ok ? 0 : 1;
}
