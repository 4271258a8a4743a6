/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_info.c: `xmem info`, the host's memory, xmemd's state and totals.
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "xmem.h"

/* Wall clock in milliseconds. */
static uint64_t info_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int main_info(struct xmem_ctx *ctx, int argc, char **argv)
{
	struct xmem_hostinfo hi;
	struct xmem_dom *doms = NULL;
	size_t nr = 0;
	int opt, rc = EXIT_FAILURE;

	while ((opt = cmdtable_getopt(argc, argv, "", NULL, "info", 0)) != CMDOPT_END) {
		switch (opt) {
		case CMDOPT_HELP:
			return EXIT_SUCCESS;
		case CMDOPT_ERROR:
			return EXIT_FAILURE;
		}
	}
	if (cmdtable_max_args(argc, argv, "info", 0))
		return EXIT_FAILURE;
	if (!ctx_store(ctx))
		return EXIT_FAILURE;
	if (model_load_all(ctx, &doms, &nr) || model_hostinfo(ctx, doms, nr, &hi))
		goto out;
	if (!hi.have_hv && !ctx->json)
		fprintf(stderr, "xmem: warning: no hypervisor reachable, host figures are "
				"xmemd's last report: start xmem-hvsim, or run in a Xen dom0\n");
	if (ctx->json) {
		if (fmt_info_json(ctx->out, &hi)) {
			ctx_err("cannot write JSON: check the output");
			goto out;
		}
	} else {
		fmt_info(ctx->out, &hi, info_now_ms());
	}
	rc = EXIT_SUCCESS;
out:
	free(doms);
	return rc;
}
