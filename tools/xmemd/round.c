/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * round.c: see round.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "round.h"
#include "xmem_err.h"

int round_alloc(struct round *rd, size_t nr, size_t nr_res)
{
	size_t n = nr ? nr : 1;

	memset(rd, 0, sizeof(*rd));
	rd->nr = nr;
	rd->info = calloc(n, sizeof(*rd->info));
	rd->pdoms = calloc(n, sizeof(*rd->pdoms));
	rd->outs = calloc(n, sizeof(*rd->outs));
	rd->adoms = calloc(n, sizeof(*rd->adoms));
	rd->acts = calloc(2 * n, sizeof(*rd->acts));
	rd->racts = calloc(nr_res ? nr_res : 1, sizeof(*rd->racts));
	rd->pubs = calloc(n, sizeof(*rd->pubs));
	rd->drive = calloc(n, sizeof(*rd->drive));
	rd->held = calloc(n, sizeof(*rd->held));
	if (!rd->info || !rd->pdoms || !rd->outs || !rd->adoms || !rd->acts || !rd->racts ||
	    !rd->pubs || !rd->drive || !rd->held)
		return XMEM_ERR_NOMEM;
	return 0;
}

void round_free(struct round *rd)
{
	free(rd->info);
	free(rd->pdoms);
	free(rd->outs);
	free(rd->adoms);
	free(rd->acts);
	free(rd->racts);
	free(rd->pubs);
	free(rd->drive);
	free(rd->held);
	memset(rd, 0, sizeof(*rd));
}
