/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/size.c: xl's size rules. */
#include "config.h"

#include "../../tests/cmocka_all.h"

#include "size.h"
#include "xmem_err.h"

/* A bare number is MiB, as in xl's code. */
static void size_parse_bare_is_mib_test(void **state)
{
	uint64_t kib = 0;

	assert_int_equal(size_parse_kib("512", &kib), 0);
	assert_int_equal(kib, 512 * 1024);
}

/* Every suffix, either case. */
static void size_parse_suffixes_test(void **state)
{
	uint64_t kib = 0;

	assert_int_equal(size_parse_kib("4k", &kib), 0);
	assert_int_equal(kib, 4);
	assert_int_equal(size_parse_kib("4K", &kib), 0);
	assert_int_equal(kib, 4);
	assert_int_equal(size_parse_kib("3m", &kib), 0);
	assert_int_equal(kib, 3 * 1024);
	assert_int_equal(size_parse_kib("2G", &kib), 0);
	assert_int_equal(kib, 2 * 1024 * 1024);
	assert_int_equal(size_parse_kib("1t", &kib), 0);
	assert_int_equal(kib, UINT64_C(1) << 30);
	assert_int_equal(size_parse_kib("1b", &kib), 0);
	assert_int_equal(kib, 1);
	assert_int_equal(size_parse_kib("2048B", &kib), 0);
	assert_int_equal(kib, 2);
}

/* Garbage is refused and leaves the output alone. */
static void size_parse_rejects_garbage_test(void **state)
{
	static const char *const bad[] = {
		"", "-1", "m", "12x", "1.5G", "4 G", "4GG", " 4", "0x10"
	};
	uint64_t kib = 77;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(size_parse_kib(bad[i], &kib), XMEM_ERR_INVAL);
	assert_int_equal(size_parse_kib(NULL, &kib), XMEM_ERR_INVAL);
	assert_int_equal(kib, 77);
}

/* Overflowing sizes are a range error, not a wrapped number. */
static void size_parse_overflow_test(void **state)
{
	uint64_t kib = 0;

	assert_int_equal(size_parse_kib("99999999999999999999999", &kib), XMEM_ERR_RANGE);
	assert_int_equal(size_parse_kib("9999999999999t", &kib), XMEM_ERR_RANGE);
	assert_int_equal(size_parse_kib("1048576t", &kib), 0);
	assert_int_equal(size_parse_kib("1048577t", &kib), XMEM_ERR_RANGE);
}

/* Key-tree values are KiB when bare. */
static void size_parse_default_unit_test(void **state)
{
	uint64_t kib = 0;

	assert_int_equal(size_parse_kib_default("1024", 'k', &kib), 0);
	assert_int_equal(kib, 1024);
}

/* Formatting picks the largest unit and one decimal. */
static void size_format_test(void **state)
{
	char buf[SIZE_FMT_LEN];

	assert_string_equal(size_format(0, buf, sizeof(buf)), "0K");
	assert_string_equal(size_format(3, buf, sizeof(buf)), "3K");
	assert_string_equal(size_format(512 * 1024, buf, sizeof(buf)), "512M");
	assert_string_equal(size_format(1536 * 1024, buf, sizeof(buf)), "1.5G");
	assert_string_equal(size_format(UINT64_C(1) << 30, buf, sizeof(buf)), "1T");
	assert_string_equal(size_format(1024 * 1024 + 1, buf, sizeof(buf)), "1G");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(size_parse_bare_is_mib_test),
		cmocka_unit_test(size_parse_suffixes_test),
		cmocka_unit_test(size_parse_rejects_garbage_test),
		cmocka_unit_test(size_parse_overflow_test),
		cmocka_unit_test(size_parse_default_unit_test),
		cmocka_unit_test(size_format_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
