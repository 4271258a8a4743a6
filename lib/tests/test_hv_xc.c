/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for lib/hv_xc.c, the libxenctrl back end of lib/hv.h. The
 * xc_* calls are replaced with -Wl,--wrap; each test queues what "Xen"
 * answers and checks what the back end asked and how it mapped the answer.
 */
#include "config.h"

#include "../../tests/cmocka_all.h"

#include <errno.h>
#include <string.h>

#include <xenctrl.h>

#include "hv.h"
#include "xmem_err.h"

static int fake_xch; /* any non-NULL pointer will do as the handle */

xc_interface *__wrap_xc_interface_open(xentoollog_logger *logger,
				       xentoollog_logger *dombuild_logger, unsigned open_flags);
int __wrap_xc_interface_close(xc_interface *xch);
int __wrap_xc_physinfo(xc_interface *xch, xc_physinfo_t *info);
int __wrap_xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain, unsigned int max_domains,
				 xc_domaininfo_t *info);
int __wrap_xc_domain_setmaxmem(xc_interface *xch, uint32_t domid, uint64_t max_memkb);
int __wrap_xc_domain_claim_pages(xc_interface *xch, uint32_t domid, unsigned long nr_pages);

xc_interface *__wrap_xc_interface_open(xentoollog_logger *logger,
				       xentoollog_logger *dombuild_logger, unsigned open_flags)
{
	int err = mock_type(int);

	if (err) {
		errno = err;
		return NULL;
	}
	return (xc_interface *)&fake_xch;
}

int __wrap_xc_interface_close(xc_interface *xch)
{
	check_expected_ptr(xch);
	return 0;
}

/* Answer with the pages queued, or fail with the errno queued. */
int __wrap_xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
	int err = mock_type(int);

	if (err) {
		errno = err;
		return -1;
	}
	info->total_pages = mock_type(uint64_t);
	info->free_pages = mock_type(uint64_t);
	info->outstanding_pages = mock_type(uint64_t);
	info->scrub_pages = 0;
	info->nr_cpus = 4;
	return 0;
}

/* A fake host with domains 0, 1, 2, ... up to fake_nr_domains - 1 (domid 1 absent). */
static unsigned int fake_nr_domains;

int __wrap_xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain, unsigned int max_domains,
				 xc_domaininfo_t *info)
{
	int err = mock_type(int), n = 0;
	uint32_t domid;

	check_expected(first_domain);
	check_expected(max_domains);
	if (err) {
		errno = err;
		return -1;
	}
	for (domid = first_domain; domid < fake_nr_domains && (unsigned int)n < max_domains;
	     domid++) {
		if (domid == 1)
			continue;
		memset(&info[n], 0, sizeof(info[n]));
		info[n].domain = (domid_t)domid;
		info[n].tot_pages = 1000 + domid;
		info[n].max_pages = 2000 + domid;
		info[n].outstanding_pages = domid;
		info[n].flags = domid == 2   ? (XEN_DOMINF_dying | XEN_DOMINF_running)
				: domid == 3 ? (XEN_DOMINF_shutdown | XEN_DOMINF_hvm_guest)
				: domid == 4 ? XEN_DOMINF_paused
					     : XEN_DOMINF_blocked;
		n++;
	}
	return n;
}

int __wrap_xc_domain_setmaxmem(xc_interface *xch, uint32_t domid, uint64_t max_memkb)
{
	int err = mock_type(int);

	check_expected(domid);
	check_expected(max_memkb);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int __wrap_xc_domain_claim_pages(xc_interface *xch, uint32_t domid, unsigned long nr_pages)
{
	int err = mock_type(int);

	check_expected(domid);
	check_expected(nr_pages);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static int setup(void **state)
{
	struct hv *h;

	will_return(__wrap_xc_interface_open, 0);
	h = hv_open_xc();
	if (!h)
		return -1;
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	expect_value(__wrap_xc_interface_close, xch, &fake_xch);
	hv_close(*state);
	return 0;
}

/* No hypervisor: NULL with libxenctrl's errno. */
static void hv_xc_open_fails_test(void **state)
{
	will_return(__wrap_xc_interface_open, EACCES);
	errno = 0;
	assert_null(hv_open_xc());
	assert_int_equal(errno, EACCES);
}

/* The handle is privileged, named "xc", bound to dom0. */
static void hv_xc_open_test(void **state)
{
	struct hv *h = *state;

	assert_string_equal(h->ops->name, "xc");
	assert_int_equal(h->privileged, 1);
	assert_int_equal(h->domid, 0);
}

/* physinfo copies Xen's page counts, claimed pages included in free. */
static void hv_xc_physinfo_test(void **state)
{
	struct hv_physinfo info;

	will_return(__wrap_xc_physinfo, 0);
	will_return(__wrap_xc_physinfo, 1000000);
	will_return(__wrap_xc_physinfo, 400000);
	will_return(__wrap_xc_physinfo, 50000);
	assert_int_equal(hv_physinfo(*state, &info), 0);
	assert_int_equal(info.total_pages, 1000000);
	assert_int_equal(info.free_pages, 400000);
	assert_int_equal(info.outstanding_pages, 50000);
	assert_int_equal(info.scrub_pages, 0);

	will_return(__wrap_xc_physinfo, EPERM);
	assert_int_equal(hv_physinfo(*state, &info), XMEM_ERR_PERM);
}

/* The list maps XEN_DOMINF_* to HV_DOMF_* and copies the page counts. */
static void hv_xc_domain_list_flags_test(void **state)
{
	struct hv_dominfo infos[8];
	size_t nr = 0;

	fake_nr_domains = 6;
	will_return(__wrap_xc_domain_getinfolist, 0);
	expect_value(__wrap_xc_domain_getinfolist, first_domain, 0);
	expect_value(__wrap_xc_domain_getinfolist, max_domains, 8);
	assert_int_equal(hv_domain_list(*state, 0, infos, 8, &nr), 0);
	assert_int_equal(nr, 5);
	assert_int_equal(infos[0].domid, 0);
	assert_int_equal(infos[0].flags, 0);
	assert_int_equal(infos[1].domid, 2);
	assert_int_equal(infos[1].flags, HV_DOMF_DYING);
	assert_int_equal(infos[1].tot_pages, 1002);
	assert_int_equal(infos[1].max_pages, 2002);
	assert_int_equal(infos[1].outstanding_pages, 2);
	assert_int_equal(infos[2].flags, HV_DOMF_SHUTDOWN | HV_DOMF_HVM);
	assert_int_equal(infos[3].flags, HV_DOMF_PAUSED);
	assert_int_equal(infos[4].domid, 5);
}

/* Long lists are fetched in batches, each starting after the last domid seen. */
static void hv_xc_domain_list_batches_test(void **state)
{
	static struct hv_dominfo infos[600];
	size_t nr = 0;

	fake_nr_domains = 1000;
	will_return(__wrap_xc_domain_getinfolist, 0);
	expect_value(__wrap_xc_domain_getinfolist, first_domain, 0);
	expect_value(__wrap_xc_domain_getinfolist, max_domains, 256);
	will_return(__wrap_xc_domain_getinfolist, 0);
	expect_value(__wrap_xc_domain_getinfolist, first_domain, 257); /* 0, 2..256 */
	expect_value(__wrap_xc_domain_getinfolist, max_domains, 256);
	will_return(__wrap_xc_domain_getinfolist, 0);
	expect_value(__wrap_xc_domain_getinfolist, first_domain, 513);
	expect_value(__wrap_xc_domain_getinfolist, max_domains, 88);
	assert_int_equal(hv_domain_list(*state, 0, infos, 600, &nr), 0);
	assert_int_equal(nr, 600);
	assert_int_equal(infos[599].domid, 600);

	/* hv_domain_info: one domain, or NOTFOUND when the next one is another. */
	will_return(__wrap_xc_domain_getinfolist, 0);
	expect_value(__wrap_xc_domain_getinfolist, first_domain, 1);
	expect_value(__wrap_xc_domain_getinfolist, max_domains, 1);
	assert_int_equal(hv_domain_info(*state, 1, infos), XMEM_ERR_NOTFOUND);
	will_return(__wrap_xc_domain_getinfolist, ESRCH);
	expect_value(__wrap_xc_domain_getinfolist, first_domain, 7);
	expect_value(__wrap_xc_domain_getinfolist, max_domains, 1);
	assert_int_equal(hv_domain_info(*state, 7, infos), XMEM_ERR_NOTFOUND);
}

/* maxmem is passed in KiB unchanged; errors are mapped. */
static void hv_xc_set_maxmem_test(void **state)
{
	will_return(__wrap_xc_domain_setmaxmem, 0);
	expect_value(__wrap_xc_domain_setmaxmem, domid, 7);
	expect_value(__wrap_xc_domain_setmaxmem, max_memkb, 1048580);
	assert_int_equal(hv_set_maxmem(*state, 7, 1048580), 0);
	will_return(__wrap_xc_domain_setmaxmem, ESRCH);
	expect_value(__wrap_xc_domain_setmaxmem, domid, 9);
	expect_value(__wrap_xc_domain_setmaxmem, max_memkb, 4);
	assert_int_equal(hv_set_maxmem(*state, 9, 4), XMEM_ERR_NOTFOUND);
}

/* Claims in pages; Xen's refusals become distinct errors. */
static void hv_xc_claim_test(void **state)
{
	will_return(__wrap_xc_domain_claim_pages, 0);
	expect_value(__wrap_xc_domain_claim_pages, domid, 3);
	expect_value(__wrap_xc_domain_claim_pages, nr_pages, 262144);
	assert_int_equal(hv_claim_pages(*state, 3, 262144), 0);
	will_return(__wrap_xc_domain_claim_pages, 0);
	expect_value(__wrap_xc_domain_claim_pages, domid, 3);
	expect_value(__wrap_xc_domain_claim_pages, nr_pages, 0);
	assert_int_equal(hv_claim_pages(*state, 3, 0), 0);
	will_return(__wrap_xc_domain_claim_pages, ENOMEM);
	expect_value(__wrap_xc_domain_claim_pages, domid, 3);
	expect_value(__wrap_xc_domain_claim_pages, nr_pages, 99);
	assert_int_equal(hv_claim_pages(*state, 3, 99), XMEM_ERR_NOSPACE);
	will_return(__wrap_xc_domain_claim_pages, EINVAL);
	expect_value(__wrap_xc_domain_claim_pages, domid, 3);
	expect_value(__wrap_xc_domain_claim_pages, nr_pages, 98);
	assert_int_equal(hv_claim_pages(*state, 3, 98), XMEM_ERR_INVAL);
	will_return(__wrap_xc_domain_claim_pages, EPERM);
	expect_value(__wrap_xc_domain_claim_pages, domid, 3);
	expect_value(__wrap_xc_domain_claim_pages, nr_pages, 97);
	assert_int_equal(hv_claim_pages(*state, 3, 97), XMEM_ERR_PERM);
}

/* dom0 neither creates domains nor balloons guests through this back end. */
static void hv_xc_unsupported_test(void **state)
{
	uint64_t frames[1] = { 0 }, pages;

	assert_int_equal(hv_domain_create(*state, 5, 10, 10), XMEM_ERR_UNSUPPORTED);
	assert_int_equal(hv_domain_destroy(*state, 5), XMEM_ERR_UNSUPPORTED);
	assert_int_equal(hv_increase_reservation(*state, 1, 0, frames), XMEM_ERR_UNSUPPORTED);
	assert_int_equal(hv_decrease_reservation(*state, 1, 0, frames), XMEM_ERR_UNSUPPORTED);
	assert_int_equal(hv_populate_physmap(*state, 1, 0, frames), XMEM_ERR_UNSUPPORTED);
	assert_int_equal(hv_current_reservation(*state, &pages), XMEM_ERR_UNSUPPORTED);
	assert_int_equal(hv_maximum_reservation(*state, &pages), XMEM_ERR_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hv_xc_open_fails_test),
		cmocka_unit_test_setup_teardown(hv_xc_open_test, setup, teardown),
		cmocka_unit_test_setup_teardown(hv_xc_physinfo_test, setup, teardown),
		cmocka_unit_test_setup_teardown(hv_xc_domain_list_flags_test, setup, teardown),
		cmocka_unit_test_setup_teardown(hv_xc_domain_list_batches_test, setup, teardown),
		cmocka_unit_test_setup_teardown(hv_xc_set_maxmem_test, setup, teardown),
		cmocka_unit_test_setup_teardown(hv_xc_claim_test, setup, teardown),
		cmocka_unit_test_setup_teardown(hv_xc_unsupported_test, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
