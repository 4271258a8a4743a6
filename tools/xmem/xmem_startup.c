/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_startup.c: a VM starts at its startup size even when memory is short
 * (Hyper-V's "startup above minimum"): xmem asks xmemd for the startup
 * memory through a reservation, xmemd squeezes the running guests toward
 * their minimums until it is free and holds it, and the new domain is built
 * from it. When even every guest at its minimum cannot free it, the one
 * error line says how much is missing and whose minimums hold it.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"
#include "size.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem.h"

#define STARTUP_WAIT_S	  120 /* squeezing guests takes their balloons' time */
#define STARTUP_NAMES_MAX 3   /* minimums named in the error */

/* Order for the error: largest minimum first. */
static int startup_cmp_min(const void *a, const void *b)
{
	uint64_t x = ((const struct xmem_dom *)a)->dynamic_min_kib;
	uint64_t y = ((const struct xmem_dom *)b)->dynamic_min_kib;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* What squeezing every managed guest to its minimum frees; names the largest minimums. */
static uint64_t startup_squeezable(struct xmem_dom *doms, size_t nr, char *names, size_t len)
{
	uint64_t could = 0;
	size_t i, n = 0, at = 0;

	names[0] = '\0';
	for (i = 0; i < nr; i++)
		if (!doms[i].managed || doms[i].dynamic_min_kib == XMEM_UNSET)
			doms[i].dynamic_min_kib = 0; /* holds what it has: no minimum to lower */
	qsort(doms, nr, sizeof(*doms), startup_cmp_min);
	for (i = 0; i < nr; i++) {
		struct xmem_dom *d = &doms[i];

		if (d->current_kib != XMEM_UNSET && d->managed &&
		    d->current_kib > d->dynamic_min_kib)
			could += d->current_kib - d->dynamic_min_kib;
		if (d->domid != 0 && d->dynamic_min_kib && n < STARTUP_NAMES_MAX && at < len) {
			at += (size_t)snprintf(names + at, len - at, "%s%s (%" PRIu64 " MiB)",
					       n ? ", " : "", d->name, d->dynamic_min_kib / 1024);
			n++;
		}
	}
	return could;
}

/* The error line for a start xmemd could not make room for. */
static void startup_explain(struct xmem_ctx *ctx, const char *name, uint64_t size_kib,
			    const char *reason)
{
	struct xmem_dom *doms = NULL;
	struct xmem_hostinfo hi;
	uint64_t could, missing;
	char names[256] = "";
	size_t nr = 0;

	if (!strstr(reason, "minimums too high") || model_load_all(ctx, &doms, &nr) ||
	    model_hostinfo(ctx, doms, nr, &hi) || !hi.have_hv) {
		ctx_err("cannot start %s at %" PRIu64 " MiB: xmemd: %s: release reservations or "
			"start it smaller",
			name, size_kib / 1024, reason[0] ? reason : "no reason given");
		free(doms);
		return;
	}
	could = startup_squeezable(doms, nr, names, sizeof(names));
	if (hi.floor_kib == XMEM_UNSET)
		hi.floor_kib = 0;
	could += hi.free_kib > hi.reserved_kib + hi.floor_kib
			 ? hi.free_kib - hi.reserved_kib - hi.floor_kib
			 : 0;
	missing = size_kib > could ? size_kib - could : 0;
	ctx_err("cannot start %s at %" PRIu64 " MiB: %" PRIu64
		" MiB is missing with every guest at its minimum; the minimums of %s hold it: "
		"lower one ('xmem mem-policy DOM --min SIZE') or start %s smaller",
		name, size_kib / 1024, (missing ? missing : 1024) / 1024,
		names[0] ? names : "the running guests", name);
	free(doms);
}

int startup_obtain(struct xmem_ctx *ctx, const char *name, uint64_t size_kib, char *id_r,
		   size_t id_len)
{
	char reason[256] = "";
	int r;

	r = resv_request(ctx, size_kib, name, STARTUP_WAIT_S, id_r, id_len, reason, sizeof(reason));
	if (r == 1)
		return 0;
	if (r == 0)
		startup_explain(ctx, name, size_kib, reason);
	return -1;
}
