/* xmem_dom.c: create and destroy (placeholder until lib/simdom is merged). */
#include "config.h"

#include <stdlib.h>

#include "xmem.h"

int main_create(struct xmem_ctx *ctx, int argc, char **argv)
{
	cli_err("create is not built yet");
	return EXIT_FAILURE;
}

int main_destroy(struct xmem_ctx *ctx, int argc, char **argv)
{
	cli_err("destroy is not built yet");
	return EXIT_FAILURE;
}
