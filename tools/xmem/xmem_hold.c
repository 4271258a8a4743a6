/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_hold.c: memory held for granted reservations is not the admin's to
 * hand out.
 *
 * A granted reservation's memory is free memory xmemd keeps back for the
 * domain that will be built from it (/tool/xmemd/host/reserved_kib). A change
 * that lets a domain grow (mem-set above what it holds, mem-max above a target
 * it has not reached, mem-policy --min above its allocation, a new domain not
 * built from a reservation) may take only what is free beyond that hold
 * (free, less every claim, less the hold); more is refused with the amounts
 * and the reservations named. Without a granted reservation nothing is
 * checked here, so xmem behaves as xl does.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"
#include "size.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem.h"

/* Ids of the granted reservations into ids (", "-separated); returns their granted sum. */
static uint64_t hold_granted(struct xmem_ctx *ctx, char *ids, size_t len)
{
	struct xmem_resv *resv = NULL;
	size_t nr = 0, i, at = 0;
	uint64_t sum = 0;

	ids[0] = '\0';
	if (model_load_reservations(ctx, &resv, &nr))
		return 0;
	for (i = 0; i < nr; i++) {
		if (strcmp(resv[i].state, "granted") || resv[i].granted_kib == XMEM_UNSET)
			continue;
		sum += resv[i].granted_kib;
		if (at < len)
			at += (size_t)snprintf(ids + at, len - at, "%s%s", at ? ", " : "",
					       resv[i].id);
	}
	free(resv);
	return sum;
}

int hold_check_growth(struct xmem_ctx *ctx, const char *what, uint64_t growth_kib)
{
	char ids[256], b1[SIZE_FMT_LEN], b2[SIZE_FMT_LEN], b3[SIZE_FMT_LEN];
	struct hv_physinfo pi;
	uint64_t held, granted, free_kib, room;
	struct hv *h;

	if (!growth_kib)
		return 0;
	granted = hold_granted(ctx, ids, sizeof(ids));
	if (!granted)
		return 0;
	h = ctx_hv(ctx, 1);
	if (!h || hv_physinfo(h, &pi))
		return 0; /* no hypervisor figures: xmemd still keeps the hold */
	held = ctx_read_u64(ctx, XBT_NULL, XS_XMEMD_HOST_RESERVED);
	if (held == XMEM_UNSET || !model_xmemd_running(ctx))
		held = granted;
	free_kib = pi.free_pages > pi.outstanding_pages
			   ? size_pages_to_kib(pi.free_pages - pi.outstanding_pages)
			   : 0;
	room = free_kib > held ? free_kib - held : 0;
	if (growth_kib <= room)
		return 0;
	ctx_err("%s would take %s of the %s held for granted reservations (%s): ask at most %s "
		"more, or release a reservation first ('xmem release ID')",
		what, size_format(growth_kib - room, b1, sizeof(b1)),
		size_format(held, b2, sizeof(b2)), ids, size_format(room, b3, sizeof(b3)));
	return -1;
}
