/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/xmem/xmem_cmdtable.c: lookup, help, completion, the option helper. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../../../tests/cmocka_all.h"

#include "xmem.h"

/* getopt takes char **argv; these tests pass literals, which getopt never writes. */
#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"

/* Run cmdtable_getopt over a whole argv; return the sequence of results as a string. */
static void getopt_all(int argc, char **argv, const char *opts, const struct option *longopts,
		       int nreq, int *results, int max)
{
	int i = 0, opt;

	optind = 0;
	do {
		opt = cmdtable_getopt(argc, argv, opts, longopts, "mem-policy", nreq);
		results[i++] = opt;
	} while (opt != CMDOPT_END && opt != CMDOPT_ERROR && opt != CMDOPT_HELP && i < max);
}

/* Capture what fn prints into a malloc'd string. */
static char *capture_help(const struct cmd_spec *cmd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	cmdtable_help(f, cmd);
	fclose(f);
	return buf;
}

/* An exact name wins over a longer command it is a prefix of. */
static void cmdtable_exact_wins_test(void **state)
{
	const struct cmd_spec *c = cmdtable_lookup("reserve");

	assert_non_null(c);
	assert_ptr_not_equal(c, CMDTABLE_AMBIGUOUS);
	assert_string_equal(c->name, "reserve");
}

/* A unique prefix finds its command. */
static void cmdtable_unique_prefix_test(void **state)
{
	assert_string_equal(cmdtable_lookup("mem-p")->name, "mem-policy");
	assert_string_equal(cmdtable_lookup("mem-s")->name, "mem-set");
	assert_string_equal(cmdtable_lookup("l")->name, "list");
	assert_string_equal(cmdtable_lookup("rel")->name, "release");
	assert_string_equal(cmdtable_lookup("reservati")->name, "reservations");
	assert_string_equal(cmdtable_lookup("to")->name, "top");
}

/* Several candidates: ambiguous; none: NULL. */
static void cmdtable_ambiguous_unknown_test(void **state)
{
	assert_ptr_equal(cmdtable_lookup("mem"), CMDTABLE_AMBIGUOUS);
	assert_ptr_equal(cmdtable_lookup("re"), CMDTABLE_AMBIGUOUS);
	assert_ptr_equal(cmdtable_lookup("reserv"), CMDTABLE_AMBIGUOUS);
	assert_string_equal(cmdtable_lookup("d")->name, "destroy");
}

/* Unknown names and the empty string find nothing. */
static void cmdtable_unknown_test(void **state)
{
	assert_null(cmdtable_lookup("zzz"));
	assert_null(cmdtable_lookup(""));
	assert_null(cmdtable_lookup(NULL));
	assert_null(cmdtable_lookup("list-all"));
}

/* Every row is complete and offers -h, and no two names collide. */
static void cmdtable_rows_complete_test(void **state)
{
	size_t i, j;

	assert_true(cmd_table_len >= 12);
	for (i = 0; i < cmd_table_len; i++) {
		assert_non_null(cmd_table[i].name);
		assert_non_null(cmd_table[i].fn);
		assert_non_null(cmd_table[i].desc);
		assert_non_null(cmd_table[i].usage);
		assert_non_null(strstr(cmd_table[i].options, "-h, --help"));
		assert_ptr_equal(cmdtable_lookup(cmd_table[i].name), &cmd_table[i]);
		for (j = i + 1; j < cmd_table_len; j++)
			assert_string_not_equal(cmd_table[i].name, cmd_table[j].name);
	}
}

/* `xmem help` lists every command; `help CMD` shows its usage and options. */
static void cmdtable_help_generated_test(void **state)
{
	char *all = capture_help(NULL), *one;
	size_t i;

	for (i = 0; i < cmd_table_len; i++)
		assert_non_null(strstr(all, cmd_table[i].name));
	assert_non_null(strstr(all, "Usage: xmem COMMAND [ARGS] [--json] [--host DIR]"));
	assert_non_null(
		strstr(all, "  --host DIR             A simulated host's runtime directory"));
	free(all);

	one = capture_help(cmdtable_lookup("mem-policy"));
	assert_non_null(strstr(one, "Usage: xmem mem-policy DOM [OPTIONS] [--json] [--host DIR]"));
	assert_non_null(strstr(one, "  --weight N             Priority under scarcity"));
	assert_non_null(strstr(one, "  --json                 Machine-readable output"));
	assert_non_null(
		strstr(one, "  --host DIR             A simulated host's runtime directory"));
	assert_non_null(strstr(one, "Changes the host."));
	free(one);
	one = capture_help(cmdtable_lookup("list"));
	assert_null(strstr(one, "Changes the host."));
	free(one);
}

/* The completion script names every command and every long option of each. */
static void cmdtable_completion_test(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	cmdtable_completion(f);
	fclose(f);
	assert_non_null(strstr(buf, "complete -F _xmem xmem"));
	assert_non_null(strstr(buf, "\tmem-policy) opts=\" --help --min --max --startup --weight "
				    "--buffer --managed --hotplug --balloon --forget\" ;;"));
	assert_non_null(strstr(buf, "\treserve) opts=\" --help --wait --for --expires\" ;;"));
	assert_non_null(strstr(buf, " list mem-set mem-max mem-policy info top reserve "
				    "reservations release create destroy help"));
	/* Global options after the command; --host anywhere names the host to list. */
	assert_non_null(strstr(buf, "\topts=\"$opts --json --host\"\n"));
	assert_non_null(strstr(buf, "xmem ${1:+--host \"$1\"} list"));
	free(buf);
}

/* -h and --help print help and say so. */
static void cmdtable_getopt_help_test(void **state)
{
	char *argv1[] = { "mem-policy", "-h", NULL };
	char *argv2[] = { "mem-policy", "web1", "--help", NULL };
	int r[8];

	getopt_all(2, argv1, "", NULL, 1, r, 8);
	assert_int_equal(r[0], CMDOPT_HELP);
	getopt_all(3, argv2, "", NULL, 1, r, 8);
	assert_int_equal(r[0], CMDOPT_HELP);
}

/* Options come back to the caller, before or after the positional argument. */
static void cmdtable_getopt_options_test(void **state)
{
	static const struct option lo[] = { { "weight", required_argument, NULL, 'w' },
					    { NULL, 0, NULL, 0 } };
	char *argv[] = { "mem-policy", "--weight", "7", "web1", "-x", "3", NULL };
	int r[8];

	getopt_all(6, argv, "x:", lo, 1, r, 8);
	assert_int_equal(r[0], 'w');
	assert_int_equal(r[1], 'x');
	assert_int_equal(r[2], CMDOPT_END);
	assert_string_equal(argv[optind], "web1");
}

/* Unknown options, missing values and missing arguments are errors. */
static void cmdtable_getopt_errors_test(void **state)
{
	static const struct option lo[] = { { "weight", required_argument, NULL, 'w' },
					    { NULL, 0, NULL, 0 } };
	char *argv1[] = { "mem-policy", "--bogus", "web1", NULL };
	char *argv2[] = { "mem-policy", "web1", "--weight", NULL };
	char *argv3[] = { "mem-policy", "--weight", "5", NULL };
	char *argv4[] = { "mem-policy", "-q", "web1", NULL };
	int r[8];

	getopt_all(3, argv1, "", lo, 1, r, 8);
	assert_int_equal(r[0], CMDOPT_ERROR);
	getopt_all(3, argv2, "", lo, 1, r, 8);
	assert_int_equal(r[0], CMDOPT_ERROR);
	getopt_all(3, argv3, "", lo, 1, r, 8);
	assert_int_equal(r[0], 'w');
	assert_int_equal(r[1], CMDOPT_ERROR);
	getopt_all(3, argv4, "", lo, 1, r, 8);
	assert_int_equal(r[0], CMDOPT_ERROR);
}

/* --json and --host after the command go to the bound run, not to the caller. */
static void cmdtable_getopt_global_test(void **state)
{
	static const struct option lo[] = { { "weight", required_argument, NULL, 'w' },
					    { NULL, 0, NULL, 0 } };
	char *argv1[] = { "mem-policy", "web1", "--json", "--weight", "7", "--host", "/h", NULL };
	char *argv2[] = { "mem-policy", "web1", "--host", NULL };
	char *argv3[] = { "mem-policy", "--host=", "web1", NULL };
	struct xmem_ctx ctx = { .out = stdout };
	int r[8];

	cmdtable_bind(&ctx);
	getopt_all(7, argv1, "", lo, 1, r, 8);
	assert_int_equal(r[0], 'w');
	assert_int_equal(r[1], CMDOPT_END);
	assert_string_equal(argv1[optind], "web1");
	assert_int_equal(ctx.json, 1);
	assert_string_equal(ctx.host_dir, "/h");
	/* A missing or empty directory is an error. */
	getopt_all(3, argv2, "", lo, 1, r, 8);
	assert_int_equal(r[0], CMDOPT_ERROR);
	getopt_all(3, argv3, "", lo, 1, r, 8);
	assert_int_equal(r[0], CMDOPT_ERROR);
	/* Unbound, they are unknown options. */
	cmdtable_bind(NULL);
	getopt_all(7, argv1, "", lo, 1, r, 8);
	assert_int_equal(r[0], CMDOPT_ERROR);
}

/* Extra positional arguments are refused. */
static void cmdtable_max_args_test(void **state)
{
	char *argv[] = { "mem-set", "web1", "1G", "extra", NULL };
	int r[8];

	getopt_all(4, argv, "", NULL, 2, r, 8);
	assert_int_equal(r[0], CMDOPT_END);
	assert_int_equal(cmdtable_max_args(4, argv, "mem-set", 2), -1);
	assert_int_equal(cmdtable_max_args(4, argv, "mem-set", 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cmdtable_exact_wins_test),
		cmocka_unit_test(cmdtable_unique_prefix_test),
		cmocka_unit_test(cmdtable_ambiguous_unknown_test),
		cmocka_unit_test(cmdtable_unknown_test),
		cmocka_unit_test(cmdtable_rows_complete_test),
		cmocka_unit_test(cmdtable_help_generated_test),
		cmocka_unit_test(cmdtable_completion_test),
		cmocka_unit_test(cmdtable_getopt_help_test),
		cmocka_unit_test(cmdtable_getopt_options_test),
		cmocka_unit_test(cmdtable_getopt_errors_test),
		cmocka_unit_test(cmdtable_getopt_global_test),
		cmocka_unit_test(cmdtable_max_args_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
