/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_cmdtable.c: the command table, and everything generated from it.
 *
 * As in xl: one struct cmd_spec per command; lookup accepts any unambiguous
 * prefix but an exact name always wins ("mem-set" never collides with a
 * longer command); `xmem help`, `xmem help CMD`, `-h` on every command and the
 * bash completion are all printed from this table, so they cannot drift.
 *
 * The global options --json and --host DIR are taken before the command by
 * main() and after it by cmdtable_getopt(), so `xmem list --json` works as
 * `xmem --json list` does, on every command, without each command knowing.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

const struct cmd_spec cmd_table[] = {
	{ "list", main_list, 0, "List domains with their memory and xmemd's view", "[DOM...]",
	  "-h, --help\tPrint this help.\n" },
	{ "mem-set", main_mem_set, 1, "Set a domain's memory target (as xl mem-set)", "DOM SIZE",
	  "-h, --help\tPrint this help.\n" },
	{ "mem-max", main_mem_max, 1, "Set a domain's maximum memory (as xl mem-max)", "DOM SIZE",
	  "-h, --help\tPrint this help.\n" },
	{ "mem-policy", main_mem_policy, 1, "Show or set a domain's dynamic memory policy",
	  "DOM [OPTIONS]",
	  "-h, --help\tPrint this help.\n"
	  "--min SIZE\tLowest target xmemd may set (memory/dynamic-min).\n"
	  "--max SIZE\tHighest target xmemd may set (memory/dynamic-max).\n"
	  "--startup SIZE\tSize kept until the guest reports demand.\n"
	  "--weight N\tPriority under scarcity, 0..10000 (default 5000).\n"
	  "--buffer PCT\tHeadroom above demand in percent, 5..2000 (default 20).\n"
	  "--managed on|off\tWhether xmemd moves this domain's target.\n"
	  "--hotplug yes|no\tThe guest's kernel can hot-add memory: its maximum may pass "
	  "its boot size.\n"
	  "--balloon yes|no|auto\tWhether the guest has a balloon driver (auto: xmemd finds "
	  "out).\n"
	  "--forget\tDrop the VM's saved policy (the running domain keeps its keys).\n" },
	{ "info", main_info, 0, "Show host memory, xmemd's state and totals", "",
	  "-h, --help\tPrint this help.\n" },
	{ "top", main_top, 0, "Live view of domains' memory, refreshed every second", "[OPTIONS]",
	  "-h, --help\tPrint this help.\n"
	  "-b, --batch\tPrint plain snapshots instead of the full-screen view.\n"
	  "-n, --iterations N\tStop after N refreshes (default: run until 'q').\n"
	  "-d, --delay SECS\tSeconds between refreshes (default 1).\n"
	  "-s, --sort COLUMN\tSort by name, id, mem, target, demand, pressure, weight or "
	  "state.\n" },
	{ "reserve", main_reserve, 1, "Ask xmemd to free memory for a new domain", "SIZE [OPTIONS]",
	  "-h, --help\tPrint this help.\n"
	  "-w, --wait SECS\tSeconds to wait for xmemd's answer (default 30; 0: do not wait).\n"
	  "-f, --for DOM\tThe domain (name or id) the memory is for.\n"
	  "-e, --expires SECS\tDrop the reservation if unused after SECS (default 600).\n" },
	{ "reservations", main_reservations, 0, "List reservations", "",
	  "-h, --help\tPrint this help.\n" },
	{ "release", main_release, 1, "Release a reservation", "ID",
	  "-h, --help\tPrint this help.\n" },
	{ "create", main_create, 1,
	  "Start a domain at its startup size (Xen: CONFIG [xl options], around xl)",
	  "NAME [OPTIONS] (simulated host) | CONFIG [xl options] (Xen host)",
	  "-h, --help\tPrint this help.\n"
	  "-m, --memory SIZE\tStartup memory (memory/target).\n"
	  "-M, --maxmem SIZE\tMaximum memory (memory/static-max).\n"
	  "--min SIZE\tdynamic-min: lowest target xmemd may set.\n"
	  "--max SIZE\tdynamic-max: highest target xmemd may set.\n"
	  "--weight N\tPriority under scarcity, 0..10000.\n"
	  "--buffer PCT\tHeadroom above demand in percent, 5..2000.\n"
	  "--workload SPEC\tStart an xmem-balloon guest running SPEC.\n"
	  "--agent AGENT\tThe guest's agent: xmem, xe-guest-utilities, qubes, none.\n"
	  "--reservation ID\tBuild the domain from a granted reservation.\n"
	  "--hotplug\tThe guest's kernel can hot-add memory past its boot size.\n" },
	{ "destroy", main_destroy, 1, "Destroy a domain (Xen: xl destroy) and xmem's state of it",
	  "DOM", "-h, --help\tPrint this help.\n" },
	{ "help", main_help, 0, "Print help for xmem or one command", "[COMMAND]",
	  "-h, --help\tPrint this help.\n"
	  "--completion\tPrint a bash completion script.\n" },
};

const size_t cmd_table_len = sizeof(cmd_table) / sizeof(cmd_table[0]);

/* getopt codes of the global options after the command (beyond any char). */
#define CMDTABLE_OPT_JSON 0x100
#define CMDTABLE_OPT_HOST 0x101

/* The help lines of the global options, in the table's "option\tmeaning" form. */
static const char cmdtable_global_options[] =
	"--json\tMachine-readable output (see xmem(1)).\n"
	"--host DIR\tA simulated host's runtime directory (default $XMEM_HOST;\n"
	"\twithout either, the real Xen host).\n";

/* The run the global options after the command go to (cmdtable_bind). */
static struct xmem_ctx *cmdtable_ctx;

void cmdtable_bind(struct xmem_ctx *ctx)
{
	cmdtable_ctx = ctx;
}

const struct cmd_spec *cmdtable_lookup(const char *s)
{
	const struct cmd_spec *found = NULL;
	size_t i, len;

	if (!s || !s[0])
		return NULL;
	len = strlen(s);
	for (i = 0; i < cmd_table_len; i++) {
		if (strcmp(cmd_table[i].name, s) == 0)
			return &cmd_table[i];
		if (strncmp(cmd_table[i].name, s, len) == 0)
			found = found ? CMDTABLE_AMBIGUOUS : &cmd_table[i];
	}
	return found;
}

void cmdtable_report(const char *s, const struct cmd_spec *cmd)
{
	char names[256] = "";
	size_t i, len = strlen(s), used = 0;
	int n;

	if (cmd != CMDTABLE_AMBIGUOUS) {
		ctx_err("unknown command '%s': 'xmem help' lists the commands", s);
		return;
	}
	for (i = 0; i < cmd_table_len; i++) {
		if (strncmp(cmd_table[i].name, s, len) != 0)
			continue;
		n = snprintf(names + used, sizeof(names) - used, "%s%s", used ? ", " : "",
			     cmd_table[i].name);
		if (n < 0 || (size_t)n >= sizeof(names) - used)
			break;
		used += (size_t)n;
	}
	ctx_err("'%s' is ambiguous (%s): type more of the command", s, names);
}

/* Print one command's options, aligned: "  --min SIZE        meaning". */
static void cmdtable_print_options(FILE *f, const char *options)
{
	const char *line = options, *tab, *nl;

	while (line && *line) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		tab = memchr(line, '\t', (size_t)(nl - line));
		if (tab)
			fprintf(f, "  %-22.*s %.*s\n", (int)(tab - line), line, (int)(nl - tab - 1),
				tab + 1);
		else
			fprintf(f, "  %.*s\n", (int)(nl - line), line);
		line = *nl ? nl + 1 : nl;
	}
}

void cmdtable_help(FILE *f, const struct cmd_spec *cmd)
{
	size_t i;

	if (cmd) {
		fprintf(f, "Usage: xmem %s%s%s [--json] [--host DIR]\n\n%s.\n", cmd->name,
			cmd->usage[0] ? " " : "", cmd->usage, cmd->desc);
		if (cmd->modifies)
			fprintf(f, "Changes the host.\n");
		fprintf(f, "\nOptions:\n");
		cmdtable_print_options(f, cmd->options);
		fprintf(f, "\nGlobal options (after the command, or before it):\n");
		cmdtable_print_options(f, cmdtable_global_options);
		return;
	}
	fprintf(f, "Usage: xmem COMMAND [ARGS] [--json] [--host DIR]\n\n"
		   "Dynamic memory for Xen hosts, in xl's manner. Commands (any unambiguous\n"
		   "prefix works; 'xmem help COMMAND' or 'xmem COMMAND -h' for details):\n\n");
	for (i = 0; i < cmd_table_len; i++)
		fprintf(f, " %-14s %s\n", cmd_table[i].name, cmd_table[i].desc);
	fprintf(f,
		"\nGlobal options (after the command, as in 'xmem list --json', or before it):\n");
	cmdtable_print_options(f, cmdtable_global_options);
	fprintf(f, "  %-22s %s\n", "-h, --help", "Print this help.");
}

/* Print the long options found in an options text, space separated. */
static void cmdtable_print_longopts(FILE *f, const char *options)
{
	const char *p = options;
	size_t n;

	while ((p = strstr(p, "--")) != NULL) {
		n = 2;
		while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '-'))
			n++;
		if (n > 2)
			fprintf(f, " %.*s", (int)n, p);
		p += n;
	}
}

void cmdtable_completion(FILE *f)
{
	size_t i;

	/* The command is the first word that is no option (nor --host's value);
	 * --host DIR (or --host=DIR) anywhere on the line, before or after the
	 * command, is the host whose domains `xmem list` names. */
	fprintf(f, "# bash completion for xmem: generated by 'xmem help --completion'\n"
		   "# from the command table; do not edit.\n"
		   "_xmem_domains()\n{\n"
		   "\txmem ${1:+--host \"$1\"} list 2>/dev/null | awk 'NR > 1 { print $1 }'\n"
		   "}\n"
		   "_xmem()\n{\n"
		   "\tlocal cur prev cmd host i w opts\n"
		   "\tcur=${COMP_WORDS[COMP_CWORD]}\n"
		   "\tprev=${COMP_WORDS[COMP_CWORD-1]}\n"
		   "\tcmd= host=\n"
		   "\tfor ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do\n"
		   "\t\tw=${COMP_WORDS[i]}\n"
		   "\t\tcase $w in\n"
		   "\t\t--host)\n"
		   "\t\t\t((i++))\n"
		   "\t\t\t[[ ${COMP_WORDS[i]} == = ]] && ((i++))\n"
		   "\t\t\t((i != COMP_CWORD)) && host=${COMP_WORDS[i]} ;;\n"
		   "\t\t--host=?*) ((i != COMP_CWORD)) && host=${w#--host=} ;;\n"
		   "\t\t-*) ;;\n"
		   "\t\t*) [[ -z $cmd ]] && ((i < COMP_CWORD)) && cmd=$w ;;\n"
		   "\t\tesac\n"
		   "\tdone\n"
		   "\thost=${host/#\\~/$HOME}\n"
		   "\tif [[ $prev == --host || ($prev == = && ${COMP_WORDS[COMP_CWORD-2]} == "
		   "--host) ]]; then\n"
		   "\t\tCOMPREPLY=($(compgen -d -- \"$cur\"))\n"
		   "\t\treturn\n"
		   "\tfi\n"
		   "\tif [[ -z $cmd ]]; then\n"
		   "\t\tCOMPREPLY=($(compgen -W \"--host --json --help");
	for (i = 0; i < cmd_table_len; i++)
		fprintf(f, " %s", cmd_table[i].name);
	fprintf(f, "\" -- \"$cur\"))\n"
		   "\t\treturn\n"
		   "\tfi\n"
		   "\tcase $cmd in\n");
	for (i = 0; i < cmd_table_len; i++) {
		fprintf(f, "\t%s) opts=\"", cmd_table[i].name);
		cmdtable_print_longopts(f, cmd_table[i].options);
		fprintf(f, "\" ;;\n");
	}
	fprintf(f, "\t*) opts= ;;\n"
		   "\tesac\n"
		   "\topts=\"$opts --json --host\"\n"
		   "\tif [[ $prev == --for ]]; then\n"
		   "\t\tCOMPREPLY=($(compgen -W \"$(_xmem_domains \"$host\")\" -- \"$cur\"))\n"
		   "\t\treturn\n"
		   "\tfi\n"
		   "\tcase $cmd in\n"
		   "\thelp) opts=\"$opts");
	for (i = 0; i < cmd_table_len; i++)
		fprintf(f, " %s", cmd_table[i].name);
	fprintf(f, "\" ;;\n"
		   "\tlist|mem-set|mem-max|mem-policy|destroy)\n"
		   "\t\tif [[ $cur != -* ]]; then\n"
		   "\t\t\topts=\"$opts $(_xmem_domains \"$host\")\"\n"
		   "\t\tfi ;;\n"
		   "\tesac\n"
		   "\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
		   "}\n"
		   "complete -F _xmem xmem\n");
}

/* Merge the caller's long options with --help (and, when a run is bound, the
 * global --json and --host) into a static array. */
static const struct option *cmdtable_merge_longopts(const struct option *longopts)
{
	static struct option merged[32];
	size_t n = 0;

	if (longopts) {
		for (; longopts[n].name; n++) {
			if (n >= sizeof(merged) / sizeof(merged[0]) - 4)
				break;
			merged[n] = longopts[n];
		}
	}
	merged[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	if (cmdtable_ctx) {
		merged[n++] = (struct option){ "json", no_argument, NULL, CMDTABLE_OPT_JSON };
		merged[n++] = (struct option){ "host", required_argument, NULL, CMDTABLE_OPT_HOST };
	}
	merged[n] = (struct option){ NULL, 0, NULL, 0 };
	return merged;
}

/* Take a global option found after the command. Returns 0, or -1 (printed). */
static int cmdtable_global(int opt, const char *arg)
{
	if (opt == CMDTABLE_OPT_JSON) {
		cmdtable_ctx->json = 1;
		return 0;
	}
	return ctx_set_host(cmdtable_ctx, arg);
}

int cmdtable_getopt(int argc, char **argv, const char *opts, const struct option *longopts,
		    const char *cmdname, int nreq)
{
	char optstring[64];
	int opt;

	/* Leading ':' lets us tell a missing argument from an unknown option. */
	snprintf(optstring, sizeof(optstring), ":h%s", opts);
	opterr = 0;
	do {
		opt = getopt_long(argc, argv, optstring, cmdtable_merge_longopts(longopts), NULL);
		if ((opt == CMDTABLE_OPT_JSON || opt == CMDTABLE_OPT_HOST) &&
		    cmdtable_global(opt, optarg))
			return CMDOPT_ERROR;
	} while (opt == CMDTABLE_OPT_JSON || opt == CMDTABLE_OPT_HOST);
	switch (opt) {
	case 'h':
		cmdtable_help(stdout, cmdtable_lookup(cmdname));
		return CMDOPT_HELP;
	case ':':
		ctx_err("%s: option %s needs a value: see 'xmem %s -h'", cmdname, argv[optind - 1],
			cmdname);
		return CMDOPT_ERROR;
	case '?':
		if (optopt)
			ctx_err("%s: unknown option -%c: see 'xmem %s -h'", cmdname, optopt,
				cmdname);
		else
			ctx_err("%s: unknown option %s: see 'xmem %s -h'", cmdname,
				argv[optind - 1], cmdname);
		return CMDOPT_ERROR;
	case -1:
		if (argc - optind < nreq) {
			const struct cmd_spec *cmd = cmdtable_lookup(cmdname);

			ctx_err("%s: missing argument: usage is 'xmem %s %s'", cmdname, cmdname,
				cmd && cmd != CMDTABLE_AMBIGUOUS ? cmd->usage : "");
			return CMDOPT_ERROR;
		}
		return CMDOPT_END;
	default:
		return opt;
	}
}

int cmdtable_max_args(int argc, char **argv, const char *cmdname, int max)
{
	if (argc - optind > max) {
		ctx_err("%s: unexpected argument '%s': see 'xmem %s -h'", cmdname,
			argv[optind + max], cmdname);
		return -1;
	}
	return 0;
}

int main_help(struct xmem_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { "completion", no_argument, NULL, 'c' },
						  { NULL, 0, NULL, 0 } };
	const struct cmd_spec *cmd;
	int opt, completion = 0;

	while ((opt = cmdtable_getopt(argc, argv, "", longopts, "help", 0)) != CMDOPT_END) {
		switch (opt) {
		case CMDOPT_HELP:
			return EXIT_SUCCESS;
		case CMDOPT_ERROR:
			return EXIT_FAILURE;
		case 'c':
			completion = 1;
			break;
		}
	}
	if (cmdtable_max_args(argc, argv, "help", 1))
		return EXIT_FAILURE;
	if (completion) {
		cmdtable_completion(ctx->out);
		return EXIT_SUCCESS;
	}
	if (optind == argc) {
		cmdtable_help(ctx->out, NULL);
		return EXIT_SUCCESS;
	}
	cmd = cmdtable_lookup(argv[optind]);
	if (!cmd || cmd == CMDTABLE_AMBIGUOUS) {
		cmdtable_report(argv[optind], cmd);
		return EXIT_FAILURE;
	}
	cmdtable_help(ctx->out, cmd);
	return EXIT_SUCCESS;
}
