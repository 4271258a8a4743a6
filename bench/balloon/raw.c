/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * raw.c: bench/balloon's baseline. As domain DOMID acting on itself
 * (hv_open_sim_guest), populate NR_PAGES frames in calls of 512 (the balloon
 * frontend's batch) and give them all back the same way, timing each
 * direction: the hypercalls alone, without the frontend, its watch or its
 * reports.
 *
 *   balloon-raw HV_DIR DOMID NR_PAGES    -> "populate_ms X\ndecrease_ms Y\n"
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "evloop.h"
#include "hv.h"
#include "xmem_err.h"

#define RAW_BATCH 512

int main(int argc, char **argv)
{
	uint64_t *frames = NULL, nr, done = 0, t0, t1, t2, i;
	struct hv *h = NULL;
	int rc = 1;
	long r;

	if (argc != 4) {
		fprintf(stderr, "usage: balloon-raw HV_DIR DOMID NR_PAGES\n");
		return 2;
	}
	nr = strtoull(argv[3], NULL, 10);
	frames = calloc(nr ? nr : 1, sizeof(*frames));
	h = hv_open_sim_guest(argv[1], (uint32_t)strtoul(argv[2], NULL, 10));
	if (!frames || !h) {
		fprintf(stderr, "balloon-raw: cannot open the hypervisor as domain %s\n", argv[2]);
		goto out;
	}
	for (i = 0; i < nr; i++)
		frames[i] = i;
	t0 = evloop_now_ms();
	while (done < nr) {
		uint64_t n = nr - done < RAW_BATCH ? nr - done : RAW_BATCH;

		r = hv_populate_physmap(h, (unsigned long)n, 0, frames + done);
		if (r <= 0) {
			fprintf(stderr, "balloon-raw: populate stopped at %" PRIu64 " pages\n",
				done);
			goto out;
		}
		done += (uint64_t)r;
	}
	t1 = evloop_now_ms();
	for (i = 0; i < nr; i += RAW_BATCH) {
		uint64_t n = nr - i < RAW_BATCH ? nr - i : RAW_BATCH;

		r = hv_decrease_reservation(h, (unsigned long)n, 0, frames + i);
		if (r != (long)n) {
			fprintf(stderr, "balloon-raw: decrease stopped at %" PRIu64 " pages\n", i);
			goto out;
		}
	}
	t2 = evloop_now_ms();
	printf("populate_ms %" PRIu64 "\ndecrease_ms %" PRIu64 "\n", t1 - t0, t2 - t1);
	rc = 0;
out:
	hv_close(h);
	free(frames);
	return rc;
}
