/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem.c: global options and dispatch (as xl.c).
 *
 *	xmem [--host DIR] [--json] COMMAND [ARGS] [--json] [--host DIR]
 *
 * Global options may come before the command, or after it as xl users type
 * them; the command's own options, and the global ones that follow it, are
 * parsed by its main_<command>() through cmdtable_getopt().
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmem.h"

int main(int argc, char **argv)
{
	static const struct option longopts[] = { { "host", required_argument, NULL, 'H' },
						  { "json", no_argument, NULL, 'j' },
						  { "help", no_argument, NULL, 'h' },
						  { "verbose", no_argument, NULL, 'v' },
						  { NULL, 0, NULL, 0 } };
	struct xmem_ctx ctx = { .out = stdout };
	const struct cmd_spec *cmd;
	const char *host_arg = NULL;
	int opt, rc, verbose = 0;

	log_init("xmem", LOG_TO_CLI, 0);
	/* '+': stop at the command name; its options are its own. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+hv", longopts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			host_arg = optarg;
			break;
		case 'j':
			ctx.json = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			cmdtable_help(stdout, NULL);
			return EXIT_SUCCESS;
		case ':':
			ctx_err("option %s needs a value: see 'xmem help'", argv[optind - 1]);
			return EXIT_FAILURE;
		default:
			ctx_err("unknown option %s: see 'xmem help'", argv[optind - 1]);
			return EXIT_FAILURE;
		}
	}
	log_setverbose(verbose);
	if (optind >= argc) {
		cmdtable_help(stderr, NULL);
		return EXIT_FAILURE;
	}
	cmd = cmdtable_lookup(argv[optind]);
	if (!cmd || cmd == CMDTABLE_AMBIGUOUS) {
		cmdtable_report(argv[optind], cmd);
		return EXIT_FAILURE;
	}
	if (ctx_set_host(&ctx, host_arg))
		return EXIT_FAILURE;
	/* --json and --host may follow the command too. */
	cmdtable_bind(&ctx);

	/* The command sees argv from its own name on, getopt starting afresh. */
	argc -= optind;
	argv += optind;
	optind = 0;
	rc = cmd->fn(&ctx, argc, argv);
	ctx_close(&ctx);
	if (fflush(stdout) != 0 && rc == EXIT_SUCCESS) {
		ctx_err("cannot write the output: check the pipe or the disk");
		rc = EXIT_FAILURE;
	}
	return rc;
}
