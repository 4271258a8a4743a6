/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * movelog.c: see movelog.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "movelog.h"
#include "size.h"

const char *movelog_reason(const struct movelog_move *m, int reserving)
{
	if (m->uncooperative)
		return "uncooperative";
	if (m->to_kib >= m->desired_kib)
		return "demand";
	return reserving ? "reservation" : "scarcity";
}

/* "1.5G", or KiB when the two sizes would print alike. */
static void movelog_sizes(const struct movelog_move *m, char *from, char *to)
{
	size_format(m->from_kib, from, SIZE_FMT_LEN);
	size_format(m->to_kib, to, SIZE_FMT_LEN);
	if (strcmp(from, to))
		return;
	snprintf(from, SIZE_FMT_LEN, "%" PRIu64 "K", m->from_kib);
	snprintf(to, SIZE_FMT_LEN, "%" PRIu64 "K", m->to_kib);
}

size_t movelog_format(const struct movelog_move *moves, size_t nr, int reserving, char *buf,
		      size_t len)
{
	char from[SIZE_FMT_LEN], to[SIZE_FMT_LEN], one[CACHE_NAME_MAX + 2 * SIZE_FMT_LEN + 48];
	size_t i, used = 0;
	int n;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < nr; i++) {
		movelog_sizes(&moves[i], from, to);
		n = snprintf(one, sizeof(one), "%s%s (%u) %s -> %s %s", i ? "; " : "",
			     moves[i].name[0] ? moves[i].name : "?", moves[i].domid, from, to,
			     movelog_reason(&moves[i], reserving));
		if (n < 0 || used + (size_t)n + 24 >= len) {
			snprintf(buf + used, len - used, "; and %zu more", nr - i);
			break;
		}
		memcpy(buf + used, one, (size_t)n + 1);
		used += (size_t)n;
	}
	return nr;
}

void movelog_rebalance(const struct cache_dom *doms, const struct apply_dom *adoms,
		       const struct policy_out *outs, size_t nr, int reserving)
{
	struct movelog_move *moves = NULL;
	char line[MOVELOG_LINE_MAX];
	size_t i, n = 0;

	for (i = 0; i < nr; i++) {
		if (adoms[i].domid == doms[i].domid && doms[i].has_target &&
		    adoms[i].target_kib != doms[i].target_kib)
			n++;
	}
	if (!n)
		return;
	moves = calloc(n, sizeof(*moves));
	if (!moves) {
		log_info("moved: %zu domains (no memory to say which)", n);
		return;
	}
	for (i = 0, n = 0; i < nr; i++) {
		if (adoms[i].domid != doms[i].domid || !doms[i].has_target ||
		    adoms[i].target_kib == doms[i].target_kib)
			continue;
		moves[n].domid = doms[i].domid;
		moves[n].name = doms[i].name;
		moves[n].from_kib = adoms[i].target_kib;
		moves[n].to_kib = doms[i].target_kib;
		moves[n].desired_kib = outs[i].included ? outs[i].desired_kib : 0;
		moves[n].uncooperative = doms[i].coop.uncooperative;
		n++;
	}
	movelog_format(moves, n, reserving, line, sizeof(line));
	log_info("moved: %s", line);
	free(moves);
}
