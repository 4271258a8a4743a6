/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_list.c: `xmem list [DOM...]`, xl list with dynamic memory columns.
 */
#include "config.h"

#include <stdlib.h>

#include "xmem.h"

int main_list(struct xmem_ctx *ctx, int argc, char **argv)
{
	struct xmem_dom *doms = NULL;
	size_t nr = 0, i;
	uint32_t domid;
	int opt, rc = EXIT_FAILURE;

	while ((opt = cmdtable_getopt(argc, argv, "", NULL, "list", 0)) != CMDOPT_END) {
		switch (opt) {
		case CMDOPT_HELP:
			return EXIT_SUCCESS;
		case CMDOPT_ERROR:
			return EXIT_FAILURE;
		}
	}
	if (!ctx_store(ctx))
		return EXIT_FAILURE;
	if (optind < argc) {
		/* Named domains, in the order given; any unknown one fails the command. */
		doms = calloc((size_t)(argc - optind), sizeof(*doms));
		if (!doms) {
			ctx_err("out of memory: free some memory and retry");
			return EXIT_FAILURE;
		}
		for (i = 0; (int)i < argc - optind; i++) {
			if (model_lookup(ctx, argv[optind + (int)i], &domid) ||
			    model_load(ctx, XBT_NULL, domid, &doms[nr]))
				goto out;
			nr++;
		}
	} else if (model_load_all(ctx, &doms, &nr)) {
		goto out;
	}
	if (!ctx_hv(ctx, 1) && !ctx->json)
		fprintf(stderr, "xmem: warning: no hypervisor reachable, Mem is unknown (-): "
				"start xmem-hvsim, or run in a Xen dom0\n");
	if (ctx->json) {
		if (fmt_list_json(ctx->out, doms, nr)) {
			ctx_err("cannot write JSON: check the output");
			goto out;
		}
	} else if (fmt_list_table(ctx->out, doms, nr)) {
		ctx_err("cannot write the table: check the output");
		goto out;
	}
	rc = EXIT_SUCCESS;
out:
	free(doms);
	return rc;
}
