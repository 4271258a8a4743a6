/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for tools/xmem/xmem_xlcreate.c's steps and rollback, and
 * xmem_xlcfg.c's reading of xl configurations. The steps run against
 * recording stand-ins: each test makes one step fail and checks that exactly
 * what was done before it is undone (the paused domain destroyed once xl
 * created it, the reservation released once granted) and that the one error
 * line names the cause.
 */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <stdio.h>
#include <string.h>

#include "xmem.h"

struct rec {
	enum xlcreate_step fail_at; /* XLCREATE_OK: none */
	int fail_destroy;
	char calls[256]; /* "reserve xl_create ..." */
	char destroyed[64];
	char released[64];
};

/* Record a call; fail when it is the chosen step. */
static int rec_step(void *arg, enum xlcreate_step s, const char *name)
{
	struct rec *r = arg;

	strcat(r->calls, name);
	strcat(r->calls, " ");
	return r->fail_at == s ? -1 : 0;
}

static int op_reserve(void *arg, const char *name, uint64_t size_kib, char *id_r, size_t len)
{
	assert_string_equal(name, "web1");
	assert_int_equal(size_kib, 1026 * 1024);
	snprintf(id_r, len, "42-0");
	return rec_step(arg, XLCREATE_RESERVE, "reserve");
}

static int op_xl_create(void *arg, char *const *argv)
{
	assert_string_equal(argv[1], "create");
	assert_string_equal(argv[2], "-p");
	return rec_step(arg, XLCREATE_XL_CREATE, "xl_create");
}

static int op_domid(void *arg, const char *name, uint32_t *domid_r)
{
	*domid_r = 7;
	return rec_step(arg, XLCREATE_DOMID, "domid");
}

static int op_assign(void *arg, const char *id, uint32_t domid)
{
	assert_string_equal(id, "42-0");
	assert_int_equal(domid, 7);
	return rec_step(arg, XLCREATE_ASSIGN, "assign");
}

static int op_wait_policy(void *arg, uint32_t domid, char *src, size_t len)
{
	snprintf(src, len, "saved /var/lib/xmem/vm/web1.json");
	return rec_step(arg, XLCREATE_POLICY, "policy");
}

static int op_unpause(void *arg, uint32_t domid)
{
	return rec_step(arg, XLCREATE_UNPAUSE, "unpause");
}

static int op_destroy(void *arg, const char *dom)
{
	struct rec *r = arg;

	snprintf(r->destroyed, sizeof(r->destroyed), "%s", dom);
	return r->fail_destroy ? -1 : 0;
}

static int op_release(void *arg, const char *id)
{
	struct rec *r = arg;

	snprintf(r->released, sizeof(r->released), "%s", id);
	return 0;
}

static const struct xlcreate_ops ops = {
	.reserve = op_reserve,
	.xl_create = op_xl_create,
	.domid = op_domid,
	.assign = op_assign,
	.wait_policy = op_wait_policy,
	.unpause = op_unpause,
	.destroy = op_destroy,
	.release = op_release,
};

static char xl_a0[] = "xl", xl_a1[] = "create", xl_a2[] = "-p", xl_a3[] = "web1.cfg";
static char *xl_argv[] = { xl_a0, xl_a1, xl_a2, xl_a3, NULL };

/* Run with step s failing; returns the error line. */
static enum xlcreate_step run(struct rec *r, enum xlcreate_step s, char *err, size_t len)
{
	struct xlcreate_plan p;

	memset(r, 0, sizeof(*r));
	memset(&p, 0, sizeof(p));
	r->fail_at = s;
	snprintf(p.name, sizeof(p.name), "web1");
	p.startup_kib = 1024 * 1024;
	p.need_kib = 1026 * 1024;
	p.xl_argv = xl_argv;
	err[0] = '\0';
	return xlcreate_run(&ops, r, &p, err, len);
}

/* Every step done in order, nothing undone. */
static void xlcreate_success_test(void **state)
{
	struct rec r;
	char err[512];

	assert_int_equal(run(&r, XLCREATE_OK, err, sizeof(err)), XLCREATE_OK);
	assert_string_equal(r.calls, "reserve xl_create domid assign policy unpause ");
	assert_string_equal(r.destroyed, "");
	assert_string_equal(r.released, "");
}

/* No reservation: nothing to undo, xl never runs. */
static void xlcreate_reserve_fails_test(void **state)
{
	struct rec r;
	char err[512];

	assert_int_equal(run(&r, XLCREATE_RESERVE, err, sizeof(err)), XLCREATE_RESERVE);
	assert_string_equal(r.calls, "reserve ");
	assert_string_equal(r.destroyed, "");
	assert_string_equal(r.released, "");
}

/* xl create fails: xl cleans its own domain; the reservation is released. */
static void xlcreate_xl_create_fails_test(void **state)
{
	struct rec r;
	char err[512];

	assert_int_equal(run(&r, XLCREATE_XL_CREATE, err, sizeof(err)), XLCREATE_XL_CREATE);
	assert_string_equal(r.destroyed, "");
	assert_string_equal(r.released, "42-0");
	assert_string_equal(err, "create web1: xl create failed (its messages are above): the "
				 "reservation was released");
}

/* Any step after xl create: the paused domain is destroyed and the reservation released. */
static void xlcreate_later_steps_roll_back_test(void **state)
{
	static const enum xlcreate_step steps[] = { XLCREATE_DOMID, XLCREATE_ASSIGN,
						    XLCREATE_POLICY, XLCREATE_UNPAUSE };
	struct rec r;
	char err[512], want[512];
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(run(&r, steps[i], err, sizeof(err)), steps[i]);
		assert_string_equal(r.destroyed, "web1");
		assert_string_equal(r.released, "42-0");
		snprintf(want, sizeof(want),
			 "create web1: %s: the paused domain was destroyed and the reservation "
			 "was released",
			 xlcreate_step_name(steps[i]));
		assert_string_equal(err, want);
		assert_null(strchr(err, '\n'));
	}
	/* The steps after the failing one never ran. */
	run(&r, XLCREATE_ASSIGN, err, sizeof(err));
	assert_string_equal(r.calls, "reserve xl_create domid assign ");
}

/* A rollback that fails says what the admin must do. */
static void xlcreate_rollback_failure_named_test(void **state)
{
	struct xlcreate_plan p;
	struct rec r;
	char err[512];

	memset(&r, 0, sizeof(r));
	memset(&p, 0, sizeof(p));
	r.fail_at = XLCREATE_UNPAUSE;
	r.fail_destroy = 1;
	snprintf(p.name, sizeof(p.name), "web1");
	p.need_kib = 1026 * 1024;
	p.xl_argv = xl_argv;
	assert_int_equal(xlcreate_run(&ops, &r, &p, err, sizeof(err)), XLCREATE_UNPAUSE);
	assert_non_null(strstr(err, "destroying the paused domain failed: run 'xl destroy'"));
	assert_non_null(strstr(err, "the reservation was released"));
}

/* xl's configuration syntax: the three keys, lists over lines, comments, overrides. */
static void xlcfg_parse_test(void **state)
{
	struct xlcfg c;
	char err[256];

	assert_int_equal(xlcfg_parse("# a guest\n"
				     "name = \"web1\"\n"
				     "type = 'pv'\n"
				     "memory = 1024\n"
				     "maxmem=4096;\n"
				     "disk = [ 'phy:/dev/vg/web1,xvda,w',\n"
				     "         'file:/x.iso,xvdc:cdrom,r' ]\n"
				     "vif = [ 'bridge=br0' ] # memory = 1\n",
				     &c, err, sizeof(err)),
			 0);
	assert_string_equal(c.name, "web1");
	assert_int_equal(c.memory_kib, 1024 * 1024);
	assert_int_equal(c.maxmem_kib, 4096 * 1024);
	assert_int_equal(xlcfg_set(&c, "memory", "512"), 0);
	assert_int_equal(c.memory_kib, 512 * 1024);
	assert_int_equal(xlcfg_set(&c, "vcpus", "2"), 0);
}

/* Bad values of the keys xmem reads: refused with the line. */
static void xlcfg_bad_test(void **state)
{
	static const char *const bad[] = { "memory = lots\n", "name = web1\n", "name = \"a/b\"\n",
					   "memory = 0\n",    "just words\n",  "memory = -5\n" };
	struct xlcfg c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(xlcfg_parse(bad[i], &c, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "line 1"));
	}
	assert_int_equal(xlcfg_load("/nonexistent.cfg", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent.cfg"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xlcreate_success_test),
		cmocka_unit_test(xlcreate_reserve_fails_test),
		cmocka_unit_test(xlcreate_xl_create_fails_test),
		cmocka_unit_test(xlcreate_later_steps_roll_back_test),
		cmocka_unit_test(xlcreate_rollback_failure_named_test),
		cmocka_unit_test(xlcfg_parse_test),
		cmocka_unit_test(xlcfg_bad_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
