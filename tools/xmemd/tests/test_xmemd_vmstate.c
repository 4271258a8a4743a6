/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for tools/xmemd/vmstate.c's file side: VM policy files saved,
 * found by name and by uuid, the admin's file winning, and bad files refused
 * with a message, on a temporary directory.
 */
#include "config.h"

#include "../../../tests/cmocka_all.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../vmstate.h"
#include "xmem_err.h"

static char top[] = "/tmp/xmemd-vmstate-XXXXXX";
static char state_dir[256], domains_dir[256];

/* Write text to dir/file. */
static void put(const char *dir, const char *file, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* rm -r of our two levels. */
static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];
	struct stat st;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(top));
	snprintf(state_dir, sizeof(state_dir), "%s/state", top);
	snprintf(domains_dir, sizeof(domains_dir), "%s/domains", top);
	assert_int_equal(mkdir(domains_dir, 0755), 0);
	return 0;
}

static int teardown(void **state)
{
	rm_tree(top);
	strcpy(top, "/tmp/xmemd-vmstate-XXXXXX");
	return 0;
}

/* A full policy of name web1. */
static void web1(struct vmstate_policy *p)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->name, "web1");
	strcpy(p->uuid, "12345678-aaaa-bbbb-cccc-1234567890ab");
	p->has_min = p->has_max = p->has_startup = p->has_weight = p->has_buffer = 1;
	p->has_managed = 1;
	p->min_kib = 524288;
	p->max_kib = 4194304;
	p->startup_kib = 1048576;
	p->weight = 9000;
	p->buffer_pct = 50;
	p->managed = 1;
}

/* Saved, then found again by name with every value. */
static void vmstate_save_then_lookup_by_name_test(void **state)
{
	struct vmstate vs;
	struct vmstate_policy p, q;
	char err[VMSTATE_ERR_LEN], path[VMSTATE_PATH_MAX], found[VMSTATE_PATH_MAX + 8];

	assert_int_equal(vmstate_init(&vs, state_dir, domains_dir, err, sizeof(err)), 0);
	web1(&p);
	assert_int_equal(vmstate_save(&vs, &p, path, sizeof(path), err, sizeof(err)), 0);
	assert_non_null(strstr(path, "/state/vm/web1.json"));
	assert_int_equal(vmstate_lookup(&vs, "web1", "", &q, found, sizeof(found)), VMSTATE_SAVED);
	assert_string_equal(found, path);
	assert_string_equal(q.uuid, p.uuid);
	assert_int_equal(q.min_kib, 524288);
	assert_int_equal(q.max_kib, 4194304);
	assert_int_equal(q.startup_kib, 1048576);
	assert_int_equal(q.weight, 9000);
	assert_int_equal(q.buffer_pct, 50);
	assert_true(q.has_managed && q.managed);
	/* No temporary file is left behind. */
	snprintf(found, sizeof(found), "%s.tmp", path);
	assert_int_not_equal(access(found, F_OK), 0);
}

/* A VM renamed keeps its saved policy through the uuid the toolstack wrote. */
static void vmstate_lookup_by_uuid_test(void **state)
{
	struct vmstate vs;
	struct vmstate_policy p, q;
	char err[VMSTATE_ERR_LEN], path[VMSTATE_PATH_MAX];

	assert_int_equal(vmstate_init(&vs, state_dir, domains_dir, err, sizeof(err)), 0);
	web1(&p);
	assert_int_equal(vmstate_save(&vs, &p, path, sizeof(path), err, sizeof(err)), 0);
	assert_int_equal(vmstate_lookup(&vs, "web1-renamed", p.uuid, &q, path, sizeof(path)),
			 VMSTATE_SAVED);
	assert_int_equal(q.weight, 9000);
	assert_int_equal(vmstate_lookup(&vs, "web1-renamed", "", &q, path, sizeof(path)),
			 VMSTATE_NONE);
	assert_int_equal(vmstate_lookup(&vs, "other", "00000000-0000-0000-0000-000000000000", &q,
					path, sizeof(path)),
			 VMSTATE_NONE);
}

/* The admin's file (xl sizes allowed, name from the file name) wins over the saved one. */
static void vmstate_admin_file_wins_test(void **state)
{
	struct vmstate vs;
	struct vmstate_policy p, q;
	char err[VMSTATE_ERR_LEN], path[VMSTATE_PATH_MAX];

	assert_int_equal(vmstate_init(&vs, state_dir, domains_dir, err, sizeof(err)), 0);
	web1(&p);
	assert_int_equal(vmstate_save(&vs, &p, path, sizeof(path), err, sizeof(err)), 0);
	put(domains_dir, "web1.json", "{ \"min\": \"256M\", \"max\": \"2G\", \"weight\": 7000 }");
	assert_int_equal(vmstate_lookup(&vs, "web1", p.uuid, &q, path, sizeof(path)),
			 VMSTATE_ADMIN);
	assert_non_null(strstr(path, "/domains/web1.json"));
	assert_string_equal(q.name, "web1");
	assert_int_equal(q.min_kib, 256 * 1024);
	assert_int_equal(q.max_kib, 2 * 1024 * 1024);
	assert_int_equal(q.weight, 7000);
	assert_false(q.has_startup);
	assert_true(vmstate_admin_file(&vs, "web1", path, sizeof(path)));
	assert_false(vmstate_admin_file(&vs, "web2", path, sizeof(path)));
}

/* Bad admin files are refused with a message naming the file and member, and skipped. */
static void vmstate_bad_files_refused_test(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "not json", "web1.json" },
		{ "[1, 2]", "expected a JSON object" },
		{ "{ \"min\": \"lots\" }", "min: expected a size" },
		{ "{ \"weight\": 10001 }", "weight: expected an integer from 0 to 10000" },
		{ "{ \"buffer\": 1 }", "buffer: expected an integer from 5 to 2000" },
		{ "{ \"managed\": \"yes\" }", "managed: expected true or false" },
		{ "{ \"min\": \"2G\", \"max\": \"1G\" }", "min is above max" },
		{ "{ \"min\": \"1G\", \"startup\": \"512M\" }", "startup is below min" },
		{ "{ \"weigth\": 5 }", "unknown member \"weigth\"" },
		{ "{ \"name\": \"\" }", "name: expected a non-empty string" },
	};
	struct vmstate vs;
	struct vmstate_policy q;
	char err[VMSTATE_ERR_LEN], path[VMSTATE_PATH_MAX], file[VMSTATE_PATH_MAX];
	size_t i;

	assert_int_equal(vmstate_init(&vs, state_dir, domains_dir, err, sizeof(err)), 0);
	snprintf(file, sizeof(file), "%s/web1.json", domains_dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(domains_dir, "web1.json", bad[i].text);
		err[0] = '\0';
		assert_int_equal(vmstate_load(file, "web1", &q, err, sizeof(err)), XMEM_ERR_INVAL);
		if (!strstr(err, bad[i].want))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err, bad[i].want);
		assert_int_equal(vmstate_lookup(&vs, "web1", "", &q, path, sizeof(path)),
				 VMSTATE_NONE);
	}
	assert_int_equal(vmstate_load("/nonexistent/x.json", "x", &q, err, sizeof(err)),
			 XMEM_ERR_NOTFOUND);
}

/* Forget removes the saved file; a second forget finds nothing. */
static void vmstate_forget_test(void **state)
{
	struct vmstate vs;
	struct vmstate_policy p, q;
	char err[VMSTATE_ERR_LEN], path[VMSTATE_PATH_MAX];

	assert_int_equal(vmstate_init(&vs, state_dir, domains_dir, err, sizeof(err)), 0);
	web1(&p);
	assert_int_equal(vmstate_save(&vs, &p, path, sizeof(path), err, sizeof(err)), 0);
	assert_int_equal(vmstate_forget(&vs, "web1", path, sizeof(path), err, sizeof(err)), 0);
	assert_int_equal(vmstate_lookup(&vs, "web1", p.uuid, &q, path, sizeof(path)), VMSTATE_NONE);
	assert_int_equal(vmstate_forget(&vs, "web1", path, sizeof(path), err, sizeof(err)),
			 XMEM_ERR_NOTFOUND);
}

/* Names become safe file names: no '/', no leading dot, no way out of the directory. */
static void vmstate_file_name_escapes_test(void **state)
{
	char buf[256];

	assert_int_equal(vmstate_file_name("web-1_a.b", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "web-1_a.b.json");
	assert_int_equal(vmstate_file_name("../etc/passwd", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "%2E.%2Fetc%2Fpasswd.json");
	assert_int_equal(vmstate_file_name("a b", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "a%20b.json");
	assert_int_equal(vmstate_file_name("", buf, sizeof(buf)), XMEM_ERR_INVAL);
	assert_int_equal(vmstate_file_name("abcdef", buf, 8), XMEM_ERR_INVAL);
}

/* A saved policy is fitted to a re-created domain with a smaller static-max. */
static void vmstate_clamp_test(void **state)
{
	struct vmstate_policy p;

	web1(&p);
	vmstate_clamp(&p, 786432);
	assert_int_equal(p.max_kib, 786432);
	assert_int_equal(p.startup_kib, 786432);
	assert_int_equal(p.min_kib, 524288);
	vmstate_clamp(&p, 262144);
	assert_int_equal(p.min_kib, 262144);
	assert_int_equal(p.max_kib, 262144);
	assert_int_equal(p.startup_kib, 262144);
}

/* Without a usable state directory saving fails with the reason, lookups still work. */
static void vmstate_no_state_dir_test(void **state)
{
	struct vmstate vs;
	struct vmstate_policy p;
	char err[VMSTATE_ERR_LEN], path[VMSTATE_PATH_MAX], file[300];

	snprintf(file, sizeof(file), "%s/a-file", top);
	put(top, "a-file", "x");
	assert_int_equal(vmstate_init(&vs, file, domains_dir, err, sizeof(err)), XMEM_ERR_IO);
	assert_non_null(strstr(err, "cannot create"));
	web1(&p);
	assert_int_equal(vmstate_save(&vs, &p, path, sizeof(path), err, sizeof(err)), XMEM_ERR_IO);
	assert_non_null(strstr(err, "no usable state directory"));
	put(domains_dir, "web1.json", "{ \"weight\": 1 }");
	assert_int_equal(vmstate_lookup(&vs, "web1", "", &p, path, sizeof(path)), VMSTATE_ADMIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(vmstate_save_then_lookup_by_name_test, setup,
						teardown),
		cmocka_unit_test_setup_teardown(vmstate_lookup_by_uuid_test, setup, teardown),
		cmocka_unit_test_setup_teardown(vmstate_admin_file_wins_test, setup, teardown),
		cmocka_unit_test_setup_teardown(vmstate_bad_files_refused_test, setup, teardown),
		cmocka_unit_test_setup_teardown(vmstate_forget_test, setup, teardown),
		cmocka_unit_test(vmstate_file_name_escapes_test),
		cmocka_unit_test(vmstate_clamp_test),
		cmocka_unit_test_setup_teardown(vmstate_no_state_dir_test, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
