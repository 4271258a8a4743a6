/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for guest/agent/report.c: /proc parsing on recorded fixtures,
 * formatting, diffing, and one-transaction writes of only what changed
 * (libxenstore's transaction and write calls are wrapped).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../tests/cmocka_all.h"

#include "guest/agent/report.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem_err.h"

#define FIXTURES XMEM_SRCDIR "/tests/fixtures/guestd/"

/* ---- a recording libxenstore ---- */

struct fake_xs {
	unsigned int nr_start, nr_commit, nr_abort;
	unsigned int nr_writes;
	char paths[64][64];
	char vals[64][REPORT_VAL_LEN];
	int eagain_commits; /* commits to fail with EAGAIN first */
	int fail_write_errno;
	xs_transaction_t open_t;
	const char *seq_in_store; /* what xs_read of data/xmem/seq returns */
	int read_errno;		  /* or fail with this */
};

static struct fake_xs fx;

xs_transaction_t __wrap_xs_transaction_start(struct xs_handle *h);
bool __wrap_xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort);
bool __wrap_xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
		     unsigned int len);

xs_transaction_t __wrap_xs_transaction_start(struct xs_handle *h)
{
	fx.nr_start++;
	fx.open_t = 40 + fx.nr_start;
	return fx.open_t;
}

bool __wrap_xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
	assert_int_equal(t, fx.open_t);
	fx.open_t = XBT_NULL;
	if (abort) {
		fx.nr_abort++;
		return true;
	}
	if (fx.eagain_commits > 0) {
		fx.eagain_commits--;
		fx.nr_writes = 0; /* nothing of the failed transaction stays */
		errno = EAGAIN;
		return false;
	}
	fx.nr_commit++;
	return true;
}

bool __wrap_xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
		     unsigned int len)
{
	assert_int_equal(t, fx.open_t); /* every write inside the transaction */
	if (fx.fail_write_errno) {
		errno = fx.fail_write_errno;
		return false;
	}
	assert_true(fx.nr_writes < 64);
	snprintf(fx.paths[fx.nr_writes], sizeof(fx.paths[0]), "%s", path);
	snprintf(fx.vals[fx.nr_writes], sizeof(fx.vals[0]), "%.*s", (int)len, (const char *)data);
	fx.nr_writes++;
	return true;
}

void *__wrap_xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len);

void *__wrap_xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
	assert_string_equal(path, XS_DOM_REPORT_SEQ);
	if (!fx.seq_in_store || fx.read_errno) {
		errno = fx.read_errno ? fx.read_errno : ENOENT;
		return NULL;
	}
	*len = (unsigned int)strlen(fx.seq_in_store);
	return strdup(fx.seq_in_store);
}

/* The value written to path in the recorded writes, or NULL. */
static const char *written(const char *path)
{
	unsigned int i;

	for (i = 0; i < fx.nr_writes; i++) {
		if (strcmp(fx.paths[i], path) == 0)
			return fx.vals[i];
	}
	return NULL;
}

static int reset_fake(void **state)
{
	memset(&fx, 0, sizeof(fx));
	return 0;
}

/* ---- parsing ---- */

/* This machine's recorded /proc: the numbers of its meminfo and vmstat, PSI present, no balloon. */
static void report_root_this_machine_test(void **state)
{
	struct report_sample s = { 0 };

	assert_int_equal(report_read_root(FIXTURES "this-machine", &s), 0);
	assert_true(report_has(&s, REPORT_MEM_TOTAL));
	assert_int_equal(s.val[REPORT_MEM_TOTAL], 24684092);
	assert_true(report_has(&s, REPORT_MEM_FREE));
	assert_true(report_has(&s, REPORT_MEM_AVAILABLE));
	assert_true(report_has(&s, REPORT_COMMITTED));
	assert_true(report_has(&s, REPORT_SWAP_TOTAL));
	assert_int_equal(s.val[REPORT_SWAP_TOTAL], 0);
	assert_true(report_has(&s, REPORT_PGMAJFAULT));
	assert_true(report_has(&s, REPORT_PSWPIN));
	assert_true(report_has(&s, REPORT_PSI_SOME));
	assert_true(report_has(&s, REPORT_PSI_FULL));
	assert_false(report_has(&s, REPORT_BALLOON_TARGET));
	assert_false(report_has(&s, REPORT_BALLOON_CURRENT));
}

/* A Xen domU: every signal, PSI as hundredths, the balloon's sysfs. */
static void report_root_xen_domu_test(void **state)
{
	struct report_sample s = { 0 };

	assert_int_equal(report_read_root(FIXTURES "xen-domu-6.1", &s), 0);
	assert_int_equal(s.val[REPORT_MEM_TOTAL], 977412);
	assert_int_equal(s.val[REPORT_MEM_FREE], 118236);
	assert_int_equal(s.val[REPORT_MEM_AVAILABLE], 402812);
	assert_int_equal(s.val[REPORT_COMMITTED], 1284736);
	assert_int_equal(s.val[REPORT_SWAP_TOTAL], 1048572);
	assert_int_equal(s.val[REPORT_SWAP_FREE], 1021948);
	assert_int_equal(s.val[REPORT_PSWPIN], 6653);
	assert_int_equal(s.val[REPORT_PSWPOUT], 12988);
	assert_int_equal(s.val[REPORT_PGMAJFAULT], 48211);
	assert_int_equal(s.val[REPORT_PSI_SOME], 317);
	assert_int_equal(s.val[REPORT_PSI_FULL], 105);
	assert_int_equal(s.val[REPORT_PSI_SOME_TOTAL], 9261874);
	assert_int_equal(s.val[REPORT_BALLOON_TARGET], 1048576);
	assert_int_equal(s.val[REPORT_BALLOON_CURRENT], 1048576);
	assert_int_equal(s.val[REPORT_BALLOON_RETRIES], 1);
	assert_int_equal(s.val[REPORT_BALLOON_DELAY], 1);
	assert_string_equal(report_balloon_state(&s, 0), "done");
}

/*
 * A real Xen PV domU (Debian's 6.1 kernel under Xen 4.17, recorded through
 * tests/xen): 200 MiB of a 512 MiB static-max, balloon done. MemTotal is 56
 * MiB below the allocation (the kernel's own), and PSI is present but idle.
 */
static void report_root_xen_pv_recorded_test(void **state)
{
	struct report_sample s = { 0 };

	assert_int_equal(report_read_root(FIXTURES "xen-pv-6.1-recorded", &s), 0);
	assert_int_equal(s.val[REPORT_MEM_TOTAL], 147580);
	assert_int_equal(s.val[REPORT_MEM_FREE], 117232);
	assert_int_equal(s.val[REPORT_MEM_AVAILABLE], 120500);
	assert_int_equal(s.val[REPORT_COMMITTED], 6900);
	assert_int_equal(s.val[REPORT_SWAP_TOTAL], 0);
	assert_true(report_has(&s, REPORT_PSI_SOME));
	assert_int_equal(s.val[REPORT_PSI_SOME], 0);
	assert_int_equal(s.val[REPORT_PSI_SOME_TOTAL], 0);
	assert_int_equal(s.val[REPORT_BALLOON_TARGET], 204800);
	assert_int_equal(s.val[REPORT_BALLOON_CURRENT], 204800);
	assert_int_equal(s.val[REPORT_BALLOON_RETRIES], 1);
	assert_string_equal(report_balloon_state(&s, 0), "done");
	assert_true(s.val[REPORT_BALLOON_CURRENT] - s.val[REPORT_MEM_TOTAL] == 57220);
}

/*
 * Hotplug is known from the kernel itself: the balloon's hotplug_unpopulated
 * sysctl (only with CONFIG_XEN_BALLOON_MEMORY_HOTPLUG) and the memory-block
 * sysfs. The recorded guest without them cannot hot-add.
 */
static void report_root_hotplug_test(void **state)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_sample s = { 0 };
	size_t i, n;
	int seen = 0;

	assert_int_equal(report_read_root(FIXTURES "xen-pv-hotplug", &s), 0);
	assert_true(report_has(&s, REPORT_HOTPLUG));
	assert_int_equal(s.val[REPORT_HOTPLUG], 1);
	n = report_format(&s, NULL, kvs, REPORT_MAX_KVS);
	for (i = 0; i < n; i++) {
		if (strcmp(kvs[i].path, XS_DOM_HOTPLUG_REPORT) == 0) {
			assert_string_equal(kvs[i].val, "1");
			seen = 1;
		}
	}
	assert_true(seen);

	memset(&s, 0, sizeof(s));
	assert_int_equal(report_read_root(FIXTURES "xen-pv-6.1-recorded", &s), 0);
	assert_true(report_has(&s, REPORT_HOTPLUG));
	assert_int_equal(s.val[REPORT_HOTPLUG], 0);
}

/* A balloon in backoff is seen as such; a kernel without MemAvailable or PSI leaves them unknown. */
static void report_root_backoff_and_old_kernel_test(void **state)
{
	struct report_sample s = { 0 };

	assert_int_equal(report_read_root(FIXTURES "xen-domu-backoff", &s), 0);
	assert_int_equal(s.val[REPORT_BALLOON_TARGET], 524288);
	assert_int_equal(s.val[REPORT_BALLOON_CURRENT], 601088);
	assert_int_equal(s.val[REPORT_PSI_SOME], 4187);
	assert_int_equal(s.val[REPORT_PSI_FULL], 1250);
	assert_string_equal(report_balloon_state(&s, 0), "backoff");

	memset(&s, 0, sizeof(s));
	assert_int_equal(report_read_root(FIXTURES "old-kernel-3.10", &s), 0);
	assert_int_equal(s.val[REPORT_MEM_TOTAL], 1019860);
	assert_false(report_has(&s, REPORT_MEM_AVAILABLE));
	assert_false(report_has(&s, REPORT_PSI_SOME));
	assert_true(report_has(&s, REPORT_PGMAJFAULT));
	assert_null(report_balloon_state(&s, 0));

	memset(&s, 0, sizeof(s));
	assert_int_equal(report_read_root(FIXTURES "no-such-machine", &s), XMEM_ERR_NOTFOUND);
	assert_int_equal(s.have, 0);
}

/* Balloon state inferred from sysfs: working while moving, gave-up when stalled without retries. */
static void report_balloon_state_test(void **state)
{
	struct report_sample s = { 0 };

	report_set(&s, REPORT_BALLOON_TARGET, 1000);
	report_set(&s, REPORT_BALLOON_CURRENT, 2000);
	report_set(&s, REPORT_BALLOON_RETRIES, 1);
	assert_string_equal(report_balloon_state(&s, 0), "working");
	assert_string_equal(report_balloon_state(&s, 2), "working");
	assert_string_equal(report_balloon_state(&s, 3), "gave-up");
	report_set(&s, REPORT_BALLOON_RETRIES, 2);
	assert_string_equal(report_balloon_state(&s, 9), "backoff");
}

/* Malformed lines are skipped, not misread; PSI needs its avg10 field and a sane value. */
static void report_parse_garbage_test(void **state)
{
	struct report_sample s = { 0 };

	assert_int_equal(report_parse_meminfo("MemTotal: 12x kB\n"
					      "MemFree:\n"
					      "MemTotalX: 5 kB\n"
					      "SwapTotal: 99999999999999999999999 kB\n"
					      ": 5 kB\n"
					      "MemAvailable:   77 kB",
					      &s),
			 1);
	assert_int_equal(s.have, 1u << REPORT_MEM_AVAILABLE);
	assert_int_equal(s.val[REPORT_MEM_AVAILABLE], 77);
	assert_int_equal(
		report_parse_vmstat("pswpin\npswpout -3\npgmajfault 12 13\npswpin 4\n", &s), 1);
	assert_int_equal(s.val[REPORT_PSWPIN], 4);
	assert_int_equal(report_parse_psi("some avg60=1.00\nfull avg10=101.00 total=3\n"
					  "some avg10=abc\nsomething avg10=5.00\n",
					  &s),
			 0);
	assert_int_equal(report_parse_psi("full avg10=7 avg60=0.00\nsome avg10=0.5", &s), 2);
	assert_int_equal(s.val[REPORT_PSI_FULL], 700);
	assert_int_equal(s.val[REPORT_PSI_SOME], 50);
	assert_false(report_has(&s, REPORT_PSI_SOME_TOTAL));
	/* The some line's total= (microseconds); a bad one is left unknown. */
	assert_int_equal(report_parse_psi("some avg10=1.00 avg60=0.00 total=12x\n", &s), 1);
	assert_false(report_has(&s, REPORT_PSI_SOME_TOTAL));
	assert_int_equal(
		report_parse_psi(
			"some avg10=1.00 avg60=0.00 avg300=0.00 total=18446744073709551615\n"
			"full avg10=0.00 total=5\n",
			&s),
		3);
	assert_int_equal(s.val[REPORT_PSI_SOME_TOTAL], UINT64_MAX);
	assert_int_equal(report_parse_psi("some avg10=1.00 total=18446744073709551616\n", &s), 1);
	assert_int_equal(s.val[REPORT_PSI_SOME_TOTAL], UINT64_MAX); /* overflow: not recorded */
	assert_int_equal(report_parse_meminfo("", &s), 0);
}

/* ---- formatting and writing ---- */

/* Keys are the schema's, XenServer's meminfo_* included; used = total - available. */
static void report_format_test(void **state)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_sample s = { 0 };
	struct report_balloon b = { "backoff", 601088, 524288, 3, "guest memory in use" };
	size_t n, i;
	int seen_used = 0, seen_total = 0;

	assert_int_equal(report_read_root(FIXTURES "xen-domu-6.1", &s), 0);
	n = report_format(&s, &b, kvs, REPORT_MAX_KVS);
	assert_int_equal(n, 14 + 5); /* 12 signals, hotplug, used_kib; 5 balloon keys */
	for (i = 0; i < n; i++) {
		if (strcmp(kvs[i].path, XS_DOM_MEM_USED) == 0) {
			assert_string_equal(kvs[i].val, "574600");
			seen_used = 1;
		}
		if (strcmp(kvs[i].path, "data/xmem/psi_some_total_us") == 0) {
			assert_string_equal(kvs[i].val, "9261874");
			seen_total = 1;
		}
	}
	assert_true(seen_used);
	assert_true(seen_total);
	assert_string_equal(kvs[0].path, "data/meminfo_total");
	assert_string_equal(kvs[0].val, "977412");
	assert_string_equal(kvs[1].path, "data/meminfo_free");
	assert_string_equal(kvs[n - 5].path, "data/balloon/state");
	assert_string_equal(kvs[n - 5].val, "backoff");
	assert_string_equal(kvs[n - 1].path, "data/balloon/last_error");
	assert_string_equal(kvs[n - 1].val, "guest memory in use");

	/* A short array is never overrun. */
	assert_int_equal(report_format(&s, &b, kvs, 3), 3);
	/* Without MemAvailable there is no used_kib. */
	memset(&s, 0, sizeof(s));
	report_set(&s, REPORT_MEM_TOTAL, 100);
	assert_int_equal(report_format(&s, NULL, kvs, REPORT_MAX_KVS), 1);
}

/* The first report writes everything plus seq=1 in one transaction; an unchanged one writes nothing. */
static void report_write_only_changes_test(void **state)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_sample s = { 0 };
	struct report_cache c;
	size_t n;

	memset(&c, 0, sizeof(c));
	assert_int_equal(report_read_root(FIXTURES "xen-domu-6.1", &s), 0);
	n = report_format(&s, NULL, kvs, REPORT_MAX_KVS);
	assert_int_equal(report_write(NULL, &c, kvs, n), (int)n);
	assert_int_equal(fx.nr_start, 1);
	assert_int_equal(fx.nr_commit, 1);
	assert_int_equal(fx.nr_writes, n + 1);
	assert_string_equal(written(XS_DOM_REPORT_SEQ), "1");
	assert_string_equal(written(XS_DOM_MEMINFO_TOTAL), "977412");

	/* Nothing changed: no transaction at all. */
	memset(&fx, 0, sizeof(fx));
	assert_int_equal(report_write(NULL, &c, kvs, n), 0);
	assert_int_equal(fx.nr_start, 0);

	/* Two values change: exactly those and seq. */
	report_set(&s, REPORT_MEM_FREE, 1000);
	report_set(&s, REPORT_PGMAJFAULT, 48212);
	n = report_format(&s, NULL, kvs, REPORT_MAX_KVS);
	assert_int_equal(report_write(NULL, &c, kvs, n), 2);
	assert_int_equal(fx.nr_start, 1);
	assert_int_equal(fx.nr_writes, 3);
	assert_string_equal(written(XS_DOM_MEMINFO_FREE), "1000");
	assert_string_equal(written(XS_DOM_PGMAJFAULT), "48212");
	assert_string_equal(written(XS_DOM_REPORT_SEQ), "2");
	assert_null(written(XS_DOM_MEMINFO_TOTAL));

	/* After a reconnect everything is written again, seq keeps counting. */
	memset(&fx, 0, sizeof(fx));
	report_cache_reset(&c);
	assert_int_equal(report_write(NULL, &c, kvs, n), (int)n);
	assert_string_equal(written(XS_DOM_REPORT_SEQ), "3");
}

/* A conflicting commit is retried as a whole; a refused write aborts and reports, keeping the cache. */
static void report_write_retry_and_failure_test(void **state)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_sample s = { 0 };
	struct report_cache c;
	size_t n;

	memset(&c, 0, sizeof(c));
	report_set(&s, REPORT_MEM_TOTAL, 100);
	report_set(&s, REPORT_MEM_AVAILABLE, 40);
	n = report_format(&s, NULL, kvs, REPORT_MAX_KVS);
	fx.eagain_commits = 2;
	assert_int_equal(report_write(NULL, &c, kvs, n), 3);
	assert_int_equal(fx.nr_start, 3);
	assert_int_equal(fx.nr_commit, 1);
	assert_string_equal(written(XS_DOM_MEM_USED), "60");
	assert_string_equal(written(XS_DOM_REPORT_SEQ), "1");

	/* Permission refused: not a lost connection; nothing recorded as written. */
	memset(&fx, 0, sizeof(fx));
	report_set(&s, REPORT_MEM_TOTAL, 200);
	n = report_format(&s, NULL, kvs, REPORT_MAX_KVS);
	fx.fail_write_errno = EACCES;
	assert_int_equal(report_write(NULL, &c, kvs, n), XMEM_ERR_PERM);
	assert_int_equal(fx.nr_abort, 1);
	assert_int_equal(c.seq, 1);
	/* A broken connection is XMEM_ERR_IO. */
	fx.fail_write_errno = ECONNRESET;
	assert_int_equal(report_write(NULL, &c, kvs, n), XMEM_ERR_IO);
	/* Endless conflicts give up with XMEM_ERR_AGAIN. */
	fx.fail_write_errno = 0;
	fx.eagain_commits = 1000;
	assert_int_equal(report_write(NULL, &c, kvs, n), XMEM_ERR_AGAIN);
	fx.eagain_commits = 0;
	assert_int_equal(report_write(NULL, &c, kvs, n), 2);
	assert_int_equal(c.seq, 2);
}

/*
 * With nothing new, every REPORT_HEARTBEAT_CALLS-th call writes seq alone;
 * a cache playing another agent (no_seq) never writes seq, heartbeat or not.
 */
static void report_heartbeat_test(void **state)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_sample s = { 0 };
	struct report_cache c;
	unsigned int i;
	size_t n;

	memset(&c, 0, sizeof(c));
	report_set(&s, REPORT_MEM_TOTAL, 100);
	n = report_format(&s, NULL, kvs, REPORT_MAX_KVS);
	assert_int_equal(report_write(NULL, &c, kvs, n), 1);
	for (i = 1; i < REPORT_HEARTBEAT_CALLS; i++)
		assert_int_equal(report_write(NULL, &c, kvs, n), 0);
	memset(&fx, 0, sizeof(fx));
	assert_int_equal(report_write(NULL, &c, kvs, n), 0);
	assert_int_equal(fx.nr_commit, 1);
	assert_int_equal(fx.nr_writes, 1);
	assert_string_equal(written(XS_DOM_REPORT_SEQ), "2");
	memset(&fx, 0, sizeof(fx));
	assert_int_equal(report_write(NULL, &c, kvs, n), 0);
	assert_int_equal(fx.nr_start, 0);

	memset(&c, 0, sizeof(c));
	c.no_seq = 1;
	memset(&fx, 0, sizeof(fx));
	assert_int_equal(report_write(NULL, &c, kvs, n), 1);
	assert_int_equal(fx.nr_writes, 1);
	assert_null(written(XS_DOM_REPORT_SEQ));
	for (i = 0; i < 3 * REPORT_HEARTBEAT_CALLS; i++)
		assert_int_equal(report_write(NULL, &c, kvs, n), 0);
	assert_int_equal(fx.nr_writes, 1);
	report_cache_reset(&c);
	assert_int_equal(c.no_seq, 1);
	/* From the period: every 20 s, or every period when that is longer. */
	assert_int_equal(report_heartbeat_calls(1000), 20);
	assert_int_equal(report_heartbeat_calls(100), 200);
	assert_int_equal(report_heartbeat_calls(60000), 1);
	assert_int_equal(report_heartbeat_calls(0), 1);
	c.heartbeat_calls = 3;
	report_cache_reset(&c);
	assert_int_equal(c.heartbeat_calls, 3);
}

/* A restarted reporter continues seq from the store, never backwards; garbage there is ignored. */
static void report_resume_seq_test(void **state)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_sample s = { 0 };
	struct report_cache c;
	size_t n;

	memset(&c, 0, sizeof(c));
	report_resume_seq(NULL, &c);
	assert_int_equal(c.seq, 0);
	fx.seq_in_store = "41";
	report_resume_seq(NULL, &c);
	assert_int_equal(c.seq, 41);
	report_set(&s, REPORT_MEM_TOTAL, 100);
	n = report_format(&s, NULL, kvs, REPORT_MAX_KVS);
	assert_int_equal(report_write(NULL, &c, kvs, n), 1);
	assert_string_equal(written(XS_DOM_REPORT_SEQ), "42");
	fx.seq_in_store = "7";
	report_resume_seq(NULL, &c);
	assert_int_equal(c.seq, 42);
	fx.seq_in_store = "99x";
	report_resume_seq(NULL, &c);
	assert_int_equal(c.seq, 42);
}

/* The probe tells a lost connection from a key that is merely absent or unreadable. */
static void report_probe_test(void **state)
{
	assert_int_equal(report_probe(NULL), 0); /* ENOENT */
	fx.seq_in_store = "3";
	assert_int_equal(report_probe(NULL), 0);
	fx.read_errno = EACCES;
	assert_int_equal(report_probe(NULL), 0);
	fx.read_errno = ECONNRESET;
	assert_int_equal(report_probe(NULL), XMEM_ERR_IO);
	fx.read_errno = EPIPE;
	assert_int_equal(report_probe(NULL), XMEM_ERR_IO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(report_root_this_machine_test),
		cmocka_unit_test(report_root_xen_domu_test),
		cmocka_unit_test(report_root_xen_pv_recorded_test),
		cmocka_unit_test(report_root_backoff_and_old_kernel_test),
		cmocka_unit_test(report_balloon_state_test),
		cmocka_unit_test(report_parse_garbage_test),
		cmocka_unit_test(report_format_test),
		cmocka_unit_test_setup(report_write_only_changes_test, reset_fake),
		cmocka_unit_test_setup(report_write_retry_and_failure_test, reset_fake),
		cmocka_unit_test_setup(report_resume_seq_test, reset_fake),
		cmocka_unit_test_setup(report_heartbeat_test, reset_fake),
		cmocka_unit_test_setup(report_probe_test, reset_fake),
		cmocka_unit_test(report_root_hotplug_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
