/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for lib/simdom.c.
 *
 * libxenstore and the hypervisor calls are wrapped (-Wl,--wrap) by a small
 * in-memory key tree: nodes inherit their parent's permissions on creation,
 * as in xenstored, transactions are snapshots, and a test can make the next
 * commits fail with EAGAIN. The tests check the nodes and permissions
 * simdom writes against libxl's, the retry, and the undo paths.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tests/cmocka_all.h"

#include <xenstore.h>

#include "hv.h"
#include "simdom.h"
#include "xmem_err.h"

#define FAKE_NODES 256
#define FAKE_PERMS 4

struct fake_node {
	char path[256];
	char val[256];
	struct xs_permissions perms[FAKE_PERMS];
	unsigned int nperms;
};

struct fake_tree {
	struct fake_node nodes[FAKE_NODES];
	size_t nr;
};

static struct fake_tree fake_tree, fake_snap;
static int fake_in_tx;
static int fake_eagain_commits; /* commits to fail with EAGAIN */
static int fake_commits;
static int fake_introduced[16];
static int fake_released[16];
static int fake_hv_dom[16];
static int fake_hv_create_rc;
static int fake_introduce_fail;
static uint64_t fake_hv_max_pages[16], fake_hv_tot_pages[16];
static uint64_t fake_hv_claim_pages[16];
static int fake_hv_claim_rc;

static struct fake_node *fake_find(const char *path)
{
	size_t i;

	for (i = 0; i < fake_tree.nr; i++)
		if (strcmp(fake_tree.nodes[i].path, path) == 0)
			return &fake_tree.nodes[i];
	return NULL;
}

/* Create path (and its parents), inheriting permissions as xenstored does. */
static struct fake_node *fake_create(const char *path)
{
	struct fake_node *n = fake_find(path), *parent = NULL;
	char up[256];
	char *slash;

	if (n)
		return n;
	snprintf(up, sizeof(up), "%s", path);
	slash = strrchr(up, '/');
	if (slash && slash != up) {
		*slash = '\0';
		parent = fake_create(up);
	} else if (strcmp(path, "/") != 0) {
		parent = fake_create("/");
	}
	assert_true(fake_tree.nr < FAKE_NODES);
	n = &fake_tree.nodes[fake_tree.nr++];
	memset(n, 0, sizeof(*n));
	snprintf(n->path, sizeof(n->path), "%s", path);
	if (parent) {
		memcpy(n->perms, parent->perms, sizeof(n->perms));
		n->nperms = parent->nperms;
	} else {
		n->perms[0].id = 0;
		n->perms[0].perms = XS_PERM_NONE;
		n->nperms = 1;
	}
	return n;
}

static void fake_reset(void)
{
	memset(&fake_tree, 0, sizeof(fake_tree));
	fake_create("/");
	fake_create("/local/domain/0/name");
	snprintf(fake_find("/local/domain/0/name")->val, 256, "Domain-0");
	fake_in_tx = 0;
	fake_eagain_commits = 0;
	fake_commits = 0;
	fake_hv_create_rc = 0;
	fake_hv_claim_rc = 0;
	memset(fake_hv_claim_pages, 0, sizeof(fake_hv_claim_pages));
	fake_introduce_fail = 0;
	memset(fake_introduced, 0, sizeof(fake_introduced));
	memset(fake_released, 0, sizeof(fake_released));
	memset(fake_hv_dom, 0, sizeof(fake_hv_dom));
	fake_hv_dom[0] = 1;
	fake_hv_tot_pages[0] = 262144;
	fake_hv_max_pages[0] = 262144;
}

xs_transaction_t __wrap_xs_transaction_start(struct xs_handle *h);
xs_transaction_t __wrap_xs_transaction_start(struct xs_handle *h)
{
	(void)h;
	assert_false(fake_in_tx);
	fake_snap = fake_tree;
	fake_in_tx = 1;
	return 7;
}

bool __wrap_xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort);
bool __wrap_xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
	(void)h;
	assert_int_equal(t, 7);
	assert_true(fake_in_tx);
	fake_in_tx = 0;
	if (abort) {
		fake_tree = fake_snap;
		return true;
	}
	if (fake_eagain_commits > 0) {
		fake_eagain_commits--;
		fake_tree = fake_snap;
		errno = EAGAIN;
		return false;
	}
	fake_commits++;
	return true;
}

bool __wrap_xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
		     unsigned int len);
bool __wrap_xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
		     unsigned int len)
{
	struct fake_node *n;

	(void)h;
	assert_true(t == XBT_NULL || fake_in_tx);
	n = fake_create(path);
	assert_true(len < sizeof(n->val));
	memcpy(n->val, data, len);
	n->val[len] = '\0';
	return true;
}

void *__wrap_xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len);
void *__wrap_xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
	struct fake_node *n = fake_find(path);

	(void)h;
	(void)t;
	if (!n) {
		errno = ENOENT;
		return NULL;
	}
	*len = (unsigned int)strlen(n->val);
	return strdup(n->val);
}

bool __wrap_xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path);
bool __wrap_xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	(void)h;
	assert_true(t == XBT_NULL || fake_in_tx);
	fake_create(path);
	return true;
}

bool __wrap_xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path);
bool __wrap_xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	size_t i = 0, plen = strlen(path);
	int found = 0;

	(void)h;
	(void)t;
	while (i < fake_tree.nr) {
		const char *p = fake_tree.nodes[i].path;

		if (strncmp(p, path, plen) == 0 && (p[plen] == '\0' || p[plen] == '/')) {
			fake_tree.nodes[i] = fake_tree.nodes[--fake_tree.nr];
			found = 1;
			continue;
		}
		i++;
	}
	if (!found)
		errno = ENOENT;
	return found;
}

bool __wrap_xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
			       struct xs_permissions *perms, unsigned int num_perms);
bool __wrap_xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
			       struct xs_permissions *perms, unsigned int num_perms)
{
	struct fake_node *n = fake_find(path);

	(void)h;
	(void)t;
	assert_non_null(n);
	assert_true(num_perms <= FAKE_PERMS);
	memcpy(n->perms, perms, num_perms * sizeof(*perms));
	n->nperms = num_perms;
	return true;
}

char **__wrap_xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
			   unsigned int *num);
char **__wrap_xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
			   unsigned int *num)
{
	char names[FAKE_NODES][64];
	size_t i, plen = strlen(path), nr = 0, bytes = 0, k;
	char **out, *buf;

	(void)h;
	(void)t;
	if (!fake_find(path)) {
		errno = ENOENT;
		return NULL;
	}
	for (i = 0; i < fake_tree.nr; i++) {
		const char *p = fake_tree.nodes[i].path;

		if (strncmp(p, path, plen) == 0 && p[plen] == '/' && !strchr(p + plen + 1, '/')) {
			snprintf(names[nr], sizeof(names[nr]), "%s", p + plen + 1);
			bytes += strlen(names[nr]) + 1;
			nr++;
		}
	}
	out = malloc(nr * sizeof(char *) + bytes + 1);
	assert_non_null(out);
	buf = (char *)(out + nr);
	for (k = 0; k < nr; k++) {
		strcpy(buf, names[k]);
		out[k] = buf;
		buf += strlen(names[k]) + 1;
	}
	*num = (unsigned int)nr;
	return out;
}

bool __wrap_xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
				unsigned int eventchn);
bool __wrap_xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
				unsigned int eventchn)
{
	(void)h;
	(void)mfn;
	(void)eventchn;
	assert_false(fake_in_tx);
	assert_true(domid < 16);
	/* The keys are committed before the domain is introduced. */
	if (fake_introduce_fail) {
		errno = EINVAL;
		return false;
	}
	fake_introduced[domid] = 1;
	return true;
}

bool __wrap_xs_release_domain(struct xs_handle *h, unsigned int domid);
bool __wrap_xs_release_domain(struct xs_handle *h, unsigned int domid)
{
	(void)h;
	assert_true(domid < 16);
	if (!fake_introduced[domid]) {
		errno = ENOENT;
		return false;
	}
	fake_introduced[domid] = 0;
	fake_released[domid] = 1;
	return true;
}

int __wrap_hv_domain_create(struct hv *h, uint32_t domid, uint64_t max_pages,
			    uint64_t initial_pages);
int __wrap_hv_domain_create(struct hv *h, uint32_t domid, uint64_t max_pages,
			    uint64_t initial_pages)
{
	(void)h;
	if (fake_hv_create_rc)
		return fake_hv_create_rc;
	assert_true(domid < 16);
	if (fake_hv_dom[domid])
		return XMEM_ERR_EXISTS;
	fake_hv_dom[domid] = 1;
	fake_hv_max_pages[domid] = max_pages;
	fake_hv_tot_pages[domid] = initial_pages;
	return 0;
}

int __wrap_hv_claim_pages(struct hv *h, uint32_t domid, uint64_t nr_pages);
int __wrap_hv_claim_pages(struct hv *h, uint32_t domid, uint64_t nr_pages)
{
	(void)h;
	if (fake_hv_claim_rc)
		return fake_hv_claim_rc;
	assert_true(domid < 16 && fake_hv_dom[domid]);
	fake_hv_claim_pages[domid] = nr_pages;
	return 0;
}

int __wrap_hv_domain_destroy(struct hv *h, uint32_t domid);
int __wrap_hv_domain_destroy(struct hv *h, uint32_t domid)
{
	(void)h;
	if (domid >= 16 || !fake_hv_dom[domid])
		return XMEM_ERR_NOTFOUND;
	fake_hv_dom[domid] = 0;
	return 0;
}

int __wrap_hv_domain_list(struct hv *h, uint32_t first_domid, struct hv_dominfo *infos,
			  size_t max_infos, size_t *nr_r);
int __wrap_hv_domain_list(struct hv *h, uint32_t first_domid, struct hv_dominfo *infos,
			  size_t max_infos, size_t *nr_r)
{
	size_t nr = 0;
	uint32_t id;

	(void)h;
	for (id = first_domid; id < 16 && nr < max_infos; id++) {
		if (!fake_hv_dom[id])
			continue;
		memset(&infos[nr], 0, sizeof(infos[nr]));
		infos[nr].domid = id;
		infos[nr].tot_pages = fake_hv_tot_pages[id];
		infos[nr].max_pages = fake_hv_max_pages[id];
		nr++;
	}
	*nr_r = nr;
	return 0;
}

int __wrap_hv_domain_info(struct hv *h, uint32_t domid, struct hv_dominfo *info_r);
int __wrap_hv_domain_info(struct hv *h, uint32_t domid, struct hv_dominfo *info_r)
{
	(void)h;
	if (domid >= 16 || !fake_hv_dom[domid])
		return XMEM_ERR_NOTFOUND;
	memset(info_r, 0, sizeof(*info_r));
	info_r->domid = domid;
	info_r->tot_pages = fake_hv_tot_pages[domid];
	info_r->max_pages = fake_hv_max_pages[domid];
	return 0;
}

/* Value of path, or NULL. */
static const char *val(const char *path)
{
	struct fake_node *n = fake_find(path);

	return n ? n->val : NULL;
}

/* Assert path exists with permissions [n<owner>] or [n<owner>, r<reader>] (reader < 0: none). */
static void assert_perms(const char *path, unsigned int owner, int reader)
{
	struct fake_node *n = fake_find(path);

	if (!n)
		fail_msg("%s missing", path);
	assert_int_equal(n->perms[0].id, owner);
	assert_int_equal(n->perms[0].perms, XS_PERM_NONE);
	if (reader < 0) {
		assert_int_equal(n->nperms, 1);
	} else {
		assert_int_equal(n->nperms, 2);
		assert_int_equal(n->perms[1].id, (unsigned int)reader);
		assert_int_equal(n->perms[1].perms, XS_PERM_READ);
	}
}

static struct xs_handle *fake_xs = (struct xs_handle *)0x1;
static struct hv *fake_hv = (struct hv *)0x2;

static void config_web(struct simdom_config *cfg)
{
	simdom_config_init(cfg);
	cfg->name = "web1";
	cfg->uuid = "12345678-1234-4234-8234-123456789abc";
	cfg->static_max_kib = 4194304;
	cfg->startup_kib = 1048576;
	cfg->dynamic_min_kib = 524288;
	cfg->weight = 8000;
	cfg->buffer_pct = 25;
}

/* A PVH domain gets libxl's nodes, permissions and values, then is introduced. */
static void simdom_create_libxl_layout_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];
	uint32_t domid = 99;

	(void)state;
	fake_reset();
	config_web(&cfg);
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)), 0);
	assert_int_equal(domid, 1);
	assert_true(fake_introduced[1]);
	assert_true(fake_hv_dom[1]);
	/* Empty, maxmem startup + 1 MiB, the startup size claimed for the balloon. */
	assert_int_equal(fake_hv_tot_pages[1], 0);
	assert_int_equal(fake_hv_max_pages[1], (1048576 + 1024) / 4);
	assert_int_equal(fake_hv_claim_pages[1], 1048576 / 4);
	assert_int_equal(fake_commits, 1);

	assert_perms("/local/domain/1", 0, 1);
	assert_perms("/vm/12345678-1234-4234-8234-123456789abc", 0, 1);
	assert_perms("/libxl/1", 0, -1);
	assert_perms("/libxl/1/device", 0, -1);
	assert_perms("/libxl/1/type", 0, -1);
	assert_string_equal(val("/libxl/1/type"), "pvh");
	assert_perms("/local/domain/1/cpu", 0, 1);
	assert_perms("/local/domain/1/memory", 0, 1);
	assert_perms("/local/domain/1/device", 0, 1);
	assert_perms("/local/domain/1/control", 0, 1);
	assert_null(val("/local/domain/1/hvmloader"));
	assert_null(val("/local/domain/1/control/feature-s3"));
	assert_perms("/local/domain/1/device/suspend", 0, 1);
	assert_perms("/local/domain/1/device/suspend/event-channel", 1, -1);
	assert_perms("/local/domain/1/control/shutdown", 1, -1);
	assert_perms("/local/domain/1/control/feature-poweroff", 1, -1);
	assert_perms("/local/domain/1/control/feature-reboot", 1, -1);
	assert_perms("/local/domain/1/control/feature-suspend", 1, -1);
	assert_perms("/local/domain/1/control/sysrq", 1, -1);
	assert_perms("/local/domain/1/data", 1, -1);
	assert_perms("/local/domain/1/drivers", 1, -1);
	assert_perms("/local/domain/1/feature", 1, -1);
	assert_perms("/local/domain/1/attr", 1, -1);
	assert_perms("/local/domain/1/error", 1, -1);
	/* Leaves inherit: the guest reads but cannot write memory/. */
	assert_perms("/local/domain/1/memory/target", 0, 1);
	assert_perms("/local/domain/1/memory/managed", 0, 1);
	assert_perms("/local/domain/1/name", 0, 1);
	assert_perms("/local/domain/1/control/platform-feature-xs_reset_watches", 0, 1);

	assert_string_equal(val("/local/domain/1/name"), "web1");
	assert_string_equal(val("/local/domain/1/domid"), "1");
	assert_string_equal(val("/local/domain/1/vm"), "/vm/12345678-1234-4234-8234-123456789abc");
	assert_string_equal(val("/vm/12345678-1234-4234-8234-123456789abc/uuid"),
			    "12345678-1234-4234-8234-123456789abc");
	assert_string_equal(val("/vm/12345678-1234-4234-8234-123456789abc/name"), "web1");
	assert_string_equal(val("/local/domain/1/memory/static-max"), "4194304");
	assert_string_equal(val("/local/domain/1/memory/target"), "1048576");
	assert_string_equal(val("/local/domain/1/memory/videoram"), "0");
	assert_string_equal(val("/local/domain/1/memory/dynamic-min"), "524288");
	assert_string_equal(val("/local/domain/1/memory/dynamic-max"), "4194304");
	assert_string_equal(val("/local/domain/1/memory/startup"), "1048576");
	assert_string_equal(val("/local/domain/1/memory/weight"), "8000");
	assert_string_equal(val("/local/domain/1/memory/buffer"), "25");
	assert_string_equal(val("/local/domain/1/memory/managed"), "1");
	assert_string_equal(val("/local/domain/1/cpu/0/availability"), "online");
	assert_string_equal(val("/local/domain/1/control/platform-feature-multiprocessor-suspend"),
			    "1");
	assert_non_null(val("/local/domain/1/store/port"));
	assert_non_null(val("/local/domain/1/store/ring-ref"));
}

/* HVM: hvmloader and S3/S4 nodes, and libxl's target fudge. */
static void simdom_create_hvm_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];
	uint32_t domid;

	(void)state;
	fake_reset();
	config_web(&cfg);
	cfg.hvm = 1;
	cfg.videoram_kib = 8192;
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)), 0);
	assert_perms("/local/domain/1/hvmloader", 0, 1);
	assert_perms("/local/domain/1/control/feature-s3", 1, -1);
	assert_perms("/local/domain/1/control/feature-s4", 1, -1);
	assert_string_equal(val("/libxl/1/type"), "hvm");
	/* startup - videoram - LIBXL_MAXMEM_CONSTANT (max > target). */
	assert_string_equal(val("/local/domain/1/memory/target"), "1039360");
	assert_string_equal(val("/local/domain/1/memory/videoram"), "8192");
}

/* A conflicting commit is retried and the keys are written once. */
static void simdom_create_retries_eagain_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];
	uint32_t domid;

	(void)state;
	fake_reset();
	config_web(&cfg);
	fake_eagain_commits = 3;
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)), 0);
	assert_int_equal(fake_commits, 1);
	assert_string_equal(val("/local/domain/1/name"), "web1");
	assert_true(fake_introduced[1]);
}

/* A name in use is refused before anything is created. */
static void simdom_create_duplicate_name_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];
	uint32_t domid;

	(void)state;
	fake_reset();
	config_web(&cfg);
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)), 0);
	cfg.uuid = NULL;
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)),
			 XMEM_ERR_EXISTS);
	assert_non_null(strstr(err, "web1"));
	assert_false(fake_hv_dom[2]);
}

/* The hypervisor's refusal is passed on, and nothing is written. */
static void simdom_create_hv_refuses_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];
	uint32_t domid;

	(void)state;
	fake_reset();
	config_web(&cfg);
	fake_hv_create_rc = XMEM_ERR_NOSPACE;
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)),
			 XMEM_ERR_NOSPACE);
	assert_null(val("/local/domain/1"));
	assert_int_equal(fake_commits, 0);
}

/* A refused claim (not enough free memory) destroys the new domain again. */
static void simdom_create_claim_fails_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];
	uint32_t domid;

	(void)state;
	fake_reset();
	config_web(&cfg);
	fake_hv_claim_rc = XMEM_ERR_NOSPACE;
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)),
			 XMEM_ERR_NOSPACE);
	assert_false(fake_hv_dom[1]);
	assert_null(val("/local/domain/1"));
	assert_non_null(strstr(err, "aside"));
}

/* When the store refuses the introduction, keys and domain are removed again. */
static void simdom_create_introduce_fails_undoes_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];
	uint32_t domid;

	(void)state;
	fake_reset();
	config_web(&cfg);
	fake_introduce_fail = 1;
	assert_int_not_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)), 0);
	assert_null(val("/local/domain/1"));
	assert_null(val("/libxl/1"));
	assert_null(val("/vm/12345678-1234-4234-8234-123456789abc"));
	assert_false(fake_hv_dom[1]);
}

/* Destroy releases, removes every key and destroys; twice is NOTFOUND. */
static void simdom_destroy_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];
	uint32_t domid, found = 0;

	(void)state;
	fake_reset();
	config_web(&cfg);
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)), 0);
	assert_int_equal(simdom_lookup(fake_xs, "web1", &found), 0);
	assert_int_equal(found, domid);
	assert_int_equal(simdom_destroy(fake_xs, fake_hv, domid, err, sizeof(err)), 0);
	assert_true(fake_released[domid]);
	assert_false(fake_hv_dom[domid]);
	assert_null(val("/local/domain/1"));
	assert_null(val("/libxl/1"));
	assert_null(val("/vm/12345678-1234-4234-8234-123456789abc"));
	assert_non_null(val("/local/domain/0/name"));
	assert_int_equal(simdom_lookup(fake_xs, "web1", &found), XMEM_ERR_NOTFOUND);
	assert_int_equal(simdom_destroy(fake_xs, fake_hv, domid, err, sizeof(err)),
			 XMEM_ERR_NOTFOUND);
	assert_int_equal(simdom_destroy(fake_xs, fake_hv, 0, err, sizeof(err)), XMEM_ERR_INVAL);
}

/* Automatic domids skip ids the hypervisor or the store use. */
static void simdom_create_picks_free_domid_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];
	uint32_t domid;

	(void)state;
	fake_reset();
	fake_hv_dom[1] = 1;		     /* known to the hypervisor only */
	fake_create("/local/domain/2/name"); /* left over in the store only */
	config_web(&cfg);
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)), 0);
	assert_int_equal(domid, 3);
}

/* A reservation must be granted; its domid is written with the keys. */
static void simdom_create_reservation_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];
	uint32_t domid;

	(void)state;
	fake_reset();
	config_web(&cfg);
	cfg.reservation = "r1";
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)),
			 XMEM_ERR_NOTFOUND);
	assert_false(fake_hv_dom[1]);
	fake_create("/tool/xmemd/reservation/r1/state");
	snprintf(fake_find("/tool/xmemd/reservation/r1/state")->val, 256, "pending");
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)),
			 XMEM_ERR_NOTFOUND);
	snprintf(fake_find("/tool/xmemd/reservation/r1/state")->val, 256, "granted");
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)), 0);
	assert_string_equal(val("/tool/xmemd/reservation/r1/domid"), "1");
}

/* Validation names the field that is wrong. */
static void simdom_validate_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];

	(void)state;
	config_web(&cfg);
	assert_int_equal(simdom_validate(&cfg, err, sizeof(err)), 0);
	cfg.name = "bad/name";
	assert_int_equal(simdom_validate(&cfg, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "name"));
	config_web(&cfg);
	cfg.startup_kib = cfg.static_max_kib + 4;
	assert_int_equal(simdom_validate(&cfg, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "startup"));
	config_web(&cfg);
	cfg.dynamic_min_kib = cfg.startup_kib + 4;
	assert_int_equal(simdom_validate(&cfg, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "dynamic-min"));
	config_web(&cfg);
	cfg.dynamic_max_kib = cfg.startup_kib - 4;
	assert_int_equal(simdom_validate(&cfg, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "dynamic-max"));
	config_web(&cfg);
	cfg.weight = 10001;
	assert_int_equal(simdom_validate(&cfg, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "weight"));
	config_web(&cfg);
	cfg.buffer_pct = 4;
	assert_int_equal(simdom_validate(&cfg, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "buffer"));
	config_web(&cfg);
	cfg.uuid = "not-a-uuid";
	assert_int_equal(simdom_validate(&cfg, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "uuid"));
	config_web(&cfg);
	cfg.domid = 0;
	assert_int_equal(simdom_validate(&cfg, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "domid"));
}

/* A larger maxmem leaves the balloon headroom up to static-max; it is bounded. */
static void simdom_create_maxmem_headroom_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];
	uint32_t domid;

	(void)state;
	fake_reset();
	config_web(&cfg);
	cfg.domid = 5;
	cfg.maxmem_kib = cfg.static_max_kib + SIMDOM_MAXMEM_CONSTANT_KIB;
	assert_int_equal(simdom_maxmem_kib(&cfg), 4194304 + 1024);
	assert_int_equal(simdom_create(fake_xs, fake_hv, &cfg, &domid, err, sizeof(err)), 0);
	assert_int_equal(domid, 5);
	assert_int_equal(fake_hv_max_pages[5], (4194304 + 1024) / 4);
	assert_int_equal(fake_hv_claim_pages[5], 1048576 / 4);
	assert_string_equal(val("/local/domain/5/memory/target"), "1048576");
	assert_string_equal(val("/local/domain/5/memory/static-max"), "4194304");
	cfg.maxmem_kib = cfg.static_max_kib + SIMDOM_MAXMEM_CONSTANT_KIB + 4;
	assert_int_equal(simdom_validate(&cfg, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "maxmem"));
	cfg.maxmem_kib = cfg.startup_kib - 4;
	assert_int_equal(simdom_validate(&cfg, err, sizeof(err)), XMEM_ERR_INVAL);
}

/* Keys only: the same nodes and permissions as create, introduced, the hypervisor untouched. */
static void simdom_create_keys_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];

	(void)state;
	fake_reset();
	config_web(&cfg);
	cfg.domid = 7;
	assert_int_equal(simdom_create_keys(fake_xs, &cfg, err, sizeof(err)), 0);
	assert_false(fake_hv_dom[7]);
	assert_int_equal(fake_hv_claim_pages[7], 0);
	assert_true(fake_introduced[7]);
	assert_int_equal(fake_commits, 1);
	assert_perms("/local/domain/7", 0, 7);
	assert_perms("/local/domain/7/memory", 0, 7);
	assert_perms("/local/domain/7/control", 0, 7);
	assert_perms("/local/domain/7/data", 7, -1);
	assert_perms("/local/domain/7/memory/target", 0, 7);
	assert_perms("/libxl/7", 0, -1);
	assert_string_equal(val("/local/domain/7/name"), "web1");
	assert_string_equal(val("/local/domain/7/domid"), "7");
	assert_string_equal(val("/local/domain/7/memory/static-max"), "4194304");
	assert_string_equal(val("/local/domain/7/memory/target"), "1048576");
	assert_non_null(val("/local/domain/7/store/port"));
	assert_non_null(val("/local/domain/7/store/ring-ref"));
}

/* Keys only rewrites a domain's own home (new target, same uuid), refuses another's name. */
static void simdom_create_keys_rewrite_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN], vm[128];

	(void)state;
	fake_reset();
	config_web(&cfg);
	cfg.uuid = NULL;
	cfg.domid = 7;
	assert_int_equal(simdom_create_keys(fake_xs, &cfg, err, sizeof(err)), 0);
	assert_non_null(val("/local/domain/7/vm"));
	snprintf(vm, sizeof(vm), "%s", val("/local/domain/7/vm"));
	fake_introduced[7] = 0;
	fake_create("/local/domain/7/data/stale");
	cfg.startup_kib = 393216;
	cfg.dynamic_min_kib = 0;
	assert_int_equal(simdom_create_keys(fake_xs, &cfg, err, sizeof(err)), 0);
	assert_true(fake_introduced[7]);
	assert_string_equal(val("/local/domain/7/memory/target"), "393216");
	assert_string_equal(val("/local/domain/7/vm"), vm);
	assert_null(val("/local/domain/7/data/stale"));
	cfg.domid = 8;
	assert_int_equal(simdom_create_keys(fake_xs, &cfg, err, sizeof(err)), XMEM_ERR_EXISTS);
	assert_null(val("/local/domain/8"));
	assert_false(fake_introduced[8]);
	/* Another domain named alike, listed after self: still another's name. */
	snprintf(fake_create("/local/domain/9/name")->val, sizeof(fake_tree.nodes[0].val), "web1");
	cfg.domid = 7;
	assert_int_equal(simdom_create_keys(fake_xs, &cfg, err, sizeof(err)), XMEM_ERR_EXISTS);
}

/* Keys only needs the domain's id, and undoes its keys when the store refuses the domain. */
static void simdom_create_keys_refusals_test(void **state)
{
	struct simdom_config cfg;
	char err[SIMDOM_ERR_LEN];

	(void)state;
	fake_reset();
	config_web(&cfg);
	assert_int_equal(simdom_create_keys(fake_xs, &cfg, err, sizeof(err)), XMEM_ERR_INVAL);
	assert_non_null(strstr(err, "domid"));
	cfg.domid = 3;
	fake_introduce_fail = 1;
	assert_int_not_equal(simdom_create_keys(fake_xs, &cfg, err, sizeof(err)), 0);
	assert_null(val("/local/domain/3"));
	assert_null(val("/libxl/3"));
	assert_null(val("/vm/12345678-1234-4234-8234-123456789abc"));
}

/* Generated uuids are version 4 and distinct. */
static void simdom_uuid_test(void **state)
{
	char a[SIMDOM_UUID_LEN], b[SIMDOM_UUID_LEN];

	(void)state;
	assert_int_equal(simdom_uuid_generate(a, sizeof(a)), 0);
	assert_int_equal(simdom_uuid_generate(b, sizeof(b)), 0);
	assert_int_equal(strlen(a), 36);
	assert_int_equal(a[14], '4');
	assert_string_not_equal(a, b);
	assert_int_equal(simdom_uuid_generate(a, 10), XMEM_ERR_RANGE);
}

/* dom0's keys come from the hypervisor's view of domain 0. */
static void simdom_dom0_init_test(void **state)
{
	char err[SIMDOM_ERR_LEN];

	(void)state;
	fake_reset();
	assert_int_equal(simdom_dom0_init(fake_xs, fake_hv, err, sizeof(err)), 0);
	assert_string_equal(val("/local/domain/0/name"), "Domain-0");
	assert_string_equal(val("/local/domain/0/domid"), "0");
	assert_string_equal(val("/local/domain/0/memory/target"), "1048576");
	assert_string_equal(val("/vm/00000000-0000-0000-0000-000000000000/name"), "Domain-0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(simdom_create_libxl_layout_test),
		cmocka_unit_test(simdom_create_hvm_test),
		cmocka_unit_test(simdom_create_retries_eagain_test),
		cmocka_unit_test(simdom_create_duplicate_name_test),
		cmocka_unit_test(simdom_create_hv_refuses_test),
		cmocka_unit_test(simdom_create_claim_fails_test),
		cmocka_unit_test(simdom_create_introduce_fails_undoes_test),
		cmocka_unit_test(simdom_destroy_test),
		cmocka_unit_test(simdom_create_picks_free_domid_test),
		cmocka_unit_test(simdom_create_reservation_test),
		cmocka_unit_test(simdom_validate_test),
		cmocka_unit_test(simdom_create_maxmem_headroom_test),
		cmocka_unit_test(simdom_create_keys_test),
		cmocka_unit_test(simdom_create_keys_rewrite_test),
		cmocka_unit_test(simdom_create_keys_refusals_test),
		cmocka_unit_test(simdom_uuid_test),
		cmocka_unit_test(simdom_dom0_init_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
