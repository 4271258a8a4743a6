/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem.c: global options and dispatch (as xl.c).
 *
 *	xmem [--host DIR] [--json] COMMAND [ARGS]
 *
 * Global options come before the command; the command's own options are
 * parsed by its main_<command>() through cmdtable_getopt().
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
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
	char host_abs[PATH_MAX];
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
	if (host_arg && !host_arg[0]) {
		ctx_err("--host needs a directory: give a simulated host's runtime directory");
		return EXIT_FAILURE;
	}
	ctx.host_dir = host_dir(host_arg);
	/* Absolute, so the guest processes create starts (which chdir) find it too. */
	if (ctx.host_dir && realpath(ctx.host_dir, host_abs))
		ctx.host_dir = host_abs;

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
