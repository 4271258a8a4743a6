/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for tools/xmem/xmem_parse.c: arguments and policy checks. */
#include "config.h"

#include <string.h>

#include "../../../tests/cmocka_all.h"

#include "xmem.h"

#define MIB 1024u
#define GIB (1024u * 1024u)

/* Sizes follow xl: a bare number is MiB, suffixes b k m g t in either case. */
static void parse_size_xl_rules_test(void **state)
{
	uint64_t kib = 0;

	assert_int_equal(parse_size("size", "512", &kib), 0);
	assert_int_equal(kib, 512 * MIB);
	assert_int_equal(parse_size("size", "4G", &kib), 0);
	assert_int_equal(kib, 4 * GIB);
	assert_int_equal(parse_size("size", "1536k", &kib), 0);
	assert_int_equal(kib, 1536);
	assert_int_equal(parse_size("size", "1t", &kib), 0);
	assert_int_equal(kib, (uint64_t)GIB * 1024);
	assert_int_equal(parse_size("size", "1025b", &kib), 0);
	assert_int_equal(kib, 2);
}

/* Garbage and overflows are refused and leave the output alone. */
static void parse_size_rejects_test(void **state)
{
	static const char *const bad[] = { "", "G", "1.5G", "-1", "4GB", " 4", "0x10", "1e3" };
	uint64_t kib = 99;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_size("size", bad[i], &kib), -1);
	assert_int_equal(parse_size("size", "99999999999999999999T", &kib), -1);
	assert_int_equal(parse_size("size", "2000000T", &kib), -1);
	assert_int_equal(kib, 99);
}

/* Whole numbers within bounds only. */
static void parse_uint_range_test(void **state)
{
	uint64_t v = 7;

	assert_int_equal(parse_uint("--weight", "0", 0, 10000, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_uint("--weight", "10000", 0, 10000, &v), 0);
	assert_int_equal(v, 10000);
	assert_int_equal(parse_uint("--weight", "10001", 0, 10000, &v), -1);
	assert_int_equal(parse_uint("--buffer", "4", 5, 2000, &v), -1);
	assert_int_equal(parse_uint("--buffer", "-5", 5, 2000, &v), -1);
	assert_int_equal(parse_uint("--buffer", "5x", 5, 2000, &v), -1);
	assert_int_equal(parse_uint("--buffer", "", 5, 2000, &v), -1);
	assert_int_equal(parse_uint("--buffer", "99999999999999999999999", 5, 2000, &v), -1);
	assert_int_equal(v, 10000);
}

/* on/off switches. */
static void parse_switch_test(void **state)
{
	int v = -1;

	assert_int_equal(parse_switch("--managed", "on", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_switch("--managed", "off", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_switch("--managed", "1", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_switch("--managed", "maybe", &v), -1);
	assert_int_equal(v, 1);
}

/* Reservation ids and domain names. */
static void parse_ids_names_test(void **state)
{
	assert_true(parse_resv_id_ok("1234-0"));
	assert_true(parse_resv_id_ok("new_vm-A"));
	assert_false(parse_resv_id_ok(""));
	assert_false(parse_resv_id_ok("a/b"));
	assert_false(parse_resv_id_ok("../x"));
	assert_false(parse_resv_id_ok("a b"));
	assert_false(parse_resv_id_ok(
		"0123456789012345678901234567890123456789012345678901234567890123"));
	assert_true(parse_name_ok("web1"));
	assert_false(parse_name_ok("42"));
	assert_false(parse_name_ok("a/b"));
	assert_false(parse_name_ok("a b"));
	assert_false(parse_name_ok(""));
}

static struct xmem_policy policy(uint64_t min, uint64_t startup, uint64_t max, uint64_t smax)
{
	struct xmem_policy p = { min, max, startup, smax, XMEM_UNSET, XMEM_UNSET };

	return p;
}

/* min <= startup <= max <= static-max holds: accepted; unset values are skipped. */
static void parse_policy_ok_test(void **state)
{
	struct xmem_policy p = policy(512 * MIB, GIB, 4 * GIB, 4 * GIB);
	char msg[256];

	p.weight = 10000;
	p.buffer_pct = 5;
	assert_int_equal(parse_policy_check(&p, msg, sizeof(msg)), 0);
	p = policy(XMEM_UNSET, XMEM_UNSET, XMEM_UNSET, XMEM_UNSET);
	assert_int_equal(parse_policy_check(&p, msg, sizeof(msg)), 0);
	p = policy(GIB, GIB, GIB, GIB); /* pinned */
	assert_int_equal(parse_policy_check(&p, msg, sizeof(msg)), 0);
}

/* Each violated inequality is named with its values and the fix. */
static void parse_policy_violations_test(void **state)
{
	struct xmem_policy p;
	char msg[256];

	p = policy(2 * GIB, XMEM_UNSET, GIB, 4 * GIB);
	assert_int_equal(parse_policy_check(&p, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "min (2048 MiB) is above max (1024 MiB): give min <= max");

	p = policy(GIB, 512 * MIB, 2 * GIB, 4 * GIB);
	assert_int_equal(parse_policy_check(&p, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "startup (512 MiB) is below min (1024 MiB)"));

	p = policy(GIB, 3 * GIB, 2 * GIB, 4 * GIB);
	assert_int_equal(parse_policy_check(&p, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "startup (3072 MiB) is above max (2048 MiB)"));

	p = policy(GIB, XMEM_UNSET, 8 * GIB, 4 * GIB);
	assert_int_equal(parse_policy_check(&p, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "max (8192 MiB) is above the domain's static-max (4096 MiB)"));
	assert_non_null(strstr(msg, "xmem mem-max"));

	p = policy(XMEM_UNSET, XMEM_UNSET, XMEM_UNSET, XMEM_UNSET);
	p.weight = 10001;
	assert_int_equal(parse_policy_check(&p, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "weight 10001 is out of range: give 0..10000");
	p.weight = XMEM_UNSET;
	p.buffer_pct = 4;
	assert_int_equal(parse_policy_check(&p, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "buffer 4% is out of range: give 5..2000");
	p.buffer_pct = 2001;
	assert_int_equal(parse_policy_check(&p, msg, sizeof(msg)), -1);
}

/* Sizes that are not whole MiB are reported in KiB. */
static void parse_policy_kib_message_test(void **state)
{
	struct xmem_policy p = policy(1500, XMEM_UNSET, 1000, XMEM_UNSET);
	char msg[256];

	assert_int_equal(parse_policy_check(&p, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "min (1500 KiB) is above max (1000 KiB): give min <= max");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_size_xl_rules_test),
		cmocka_unit_test(parse_size_rejects_test),
		cmocka_unit_test(parse_uint_range_test),
		cmocka_unit_test(parse_switch_test),
		cmocka_unit_test(parse_ids_names_test),
		cmocka_unit_test(parse_policy_ok_test),
		cmocka_unit_test(parse_policy_violations_test),
		cmocka_unit_test(parse_policy_kib_message_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
