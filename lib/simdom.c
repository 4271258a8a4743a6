/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * simdom.c: see simdom.h.
 *
 * Design note. libxl writes a new domain's keys in two transactions
 * (libxl__domain_make, then libxl__build_post) and introduces the domain
 * afterwards. We write the same nodes with the same permissions, but in one
 * transaction, so a watcher (xmemd) never sees a domain without its memory
 * keys. New nodes inherit their parent's permissions in xenstore, so only
 * the nodes libxl sets permissions on explicitly get an xs_set_permissions();
 * every leaf written below a [n0, rN] directory is [n0, rN] too, as in libxl.
 *
 * The hypervisor domain is created before the keys, as libxl does, empty:
 * on a simulated host the guest's balloon frontend populates its own boot
 * memory (only frames it populated can it give back), and a claim of the
 * startup size keeps that memory for it until then, so neither xmemd nor
 * another domain can take it. When the claim, the transaction or the
 * introduction fails, the domain is destroyed again.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hv.h"
#include "keytree.h"
#include "simdom.h"
#include "size.h"
#include "xmem_err.h"
#include "xenstore-schema/xs_schema.h"

#define SIMDOM_TX_RETRIES  32
#define SIMDOM_PATH_LEN	   256
#define SIMDOM_HV_LIST	   1024
#define SIMDOM_DOMID_TRIES 16
#define SIMDOM_DOM0_UUID   "00000000-0000-0000-0000-000000000000"

/* One node libxl creates with explicit permissions, relative to ~. */
struct simdom_node {
	const char *path;
	int guest_owned; /* 1: [nN]; 0: [n0, rN] */
	int hvm_only;
};

/* libxl__domain_make's rw_paths and ro_paths (no driver-domain or xend-compat entries). */
static const struct simdom_node simdom_nodes[] = {
	{ XS_DOM_CPU, 0, 0 },
	{ XS_DOM_MEMORY, 0, 0 },
	{ XS_DOM_DEVICE, 0, 0 },
	{ XS_DOM_CONTROL, 0, 0 },
	{ XS_DOM_HVMLOADER, 0, 1 },
	{ XS_DOM_SUSPEND_EVTCHN, 1, 0 },
	{ XS_DOM_CONTROL_SHUTDOWN, 1, 0 },
	{ XS_DOM_CONTROL_FEATURE_POWEROFF, 1, 0 },
	{ XS_DOM_CONTROL_FEATURE_REBOOT, 1, 0 },
	{ XS_DOM_CONTROL_FEATURE_SUSPEND, 1, 0 },
	{ XS_DOM_CONTROL_SYSRQ, 1, 0 },
	{ XS_DOM_CONTROL_FEATURE_S3, 1, 1 },
	{ XS_DOM_CONTROL_FEATURE_S4, 1, 1 },
	{ XS_DOM_DATA, 1, 0 },
	{ XS_DOM_DRIVERS, 1, 0 },
	{ XS_DOM_FEATURE, 1, 0 },
	{ XS_DOM_ATTR, 1, 0 },
	{ XS_DOM_ERROR, 1, 0 },
};

/* Format a message into err (when given). */
static void simdom_err(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void simdom_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !err_len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

void simdom_config_init(struct simdom_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->domid = SIMDOM_DOMID_AUTO;
	cfg->weight = 5000;
	cfg->buffer_pct = 20;
	cfg->managed = 1;
}

/* True when s is a non-empty identifier of [A-Za-z0-9_.-] (dot allowed when dot). */
static int simdom_ident_ok(const char *s, size_t max, int dot)
{
	size_t i;

	if (!s || !s[0] || strlen(s) > max)
		return 0;
	for (i = 0; s[i]; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-' || (dot && c == '.'))
			continue;
		return 0;
	}
	return 1;
}

/* True when s looks like 8-4-4-4-12 hex digits. */
static int simdom_uuid_ok(const char *s)
{
	size_t i;

	if (strlen(s) != SIMDOM_UUID_LEN - 1)
		return 0;
	for (i = 0; s[i]; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
			     (s[i] >= 'A' && s[i] <= 'F'))) {
			return 0;
		}
	}
	return 1;
}

/* The effective dynamic range of cfg. */
static void simdom_range(const struct simdom_config *cfg, uint64_t *min_r, uint64_t *max_r)
{
	*min_r = cfg->dynamic_min_kib ? cfg->dynamic_min_kib : cfg->startup_kib;
	*max_r = cfg->dynamic_max_kib ? cfg->dynamic_max_kib : cfg->static_max_kib;
}

int simdom_agent_ok(const char *name)
{
	static const char *const agents[] = { "xmem", "xe-guest-utilities", "qubes", "none" };
	size_t i;

	for (i = 0; name && i < sizeof(agents) / sizeof(agents[0]); i++)
		if (!strcmp(name, agents[i]))
			return 1;
	return 0;
}

/* cfg's name, domid and uuid. */
static int simdom_validate_ident(const struct simdom_config *cfg, char *err, size_t err_len)
{
	if (!simdom_ident_ok(cfg->name, SIMDOM_NAME_MAX, 1)) {
		simdom_err(err, err_len,
			   "name: expected 1 to %d characters of [A-Za-z0-9_.-], got \"%s\"",
			   SIMDOM_NAME_MAX, cfg->name ? cfg->name : "");
		return XMEM_ERR_INVAL;
	}
	if (cfg->domid != SIMDOM_DOMID_AUTO &&
	    (cfg->domid == 0 || cfg->domid >= HV_DOMID_FIRST_RESERVED)) {
		simdom_err(err, err_len, "domid: expected 1 to %u, got %" PRIu32,
			   HV_DOMID_FIRST_RESERVED - 1, cfg->domid);
		return XMEM_ERR_INVAL;
	}
	if (cfg->uuid && !simdom_uuid_ok(cfg->uuid)) {
		simdom_err(err, err_len, "uuid: expected 8-4-4-4-12 hex digits, got \"%s\"",
			   cfg->uuid);
		return XMEM_ERR_INVAL;
	}
	return 0;
}

/* cfg's sizes: static-max, startup, videoram and the dynamic range around startup. */
static int simdom_validate_sizes(const struct simdom_config *cfg, char *err, size_t err_len)
{
	uint64_t dmin, dmax;

	if (cfg->static_max_kib < XMEM_PAGE_KIB || cfg->static_max_kib > SIZE_MAX_KIB) {
		simdom_err(err, err_len, "static-max: expected at least 4K, got %" PRIu64 "K",
			   cfg->static_max_kib);
		return XMEM_ERR_INVAL;
	}
	if (cfg->startup_kib < XMEM_PAGE_KIB || cfg->startup_kib > cfg->static_max_kib) {
		simdom_err(err, err_len,
			   "startup: expected 4K to static-max (%" PRIu64 "K), got %" PRIu64 "K",
			   cfg->static_max_kib, cfg->startup_kib);
		return XMEM_ERR_INVAL;
	}
	if (cfg->videoram_kib >= cfg->startup_kib) {
		simdom_err(err, err_len, "videoram: must be below startup (%" PRIu64 "K)",
			   cfg->startup_kib);
		return XMEM_ERR_INVAL;
	}
	simdom_range(cfg, &dmin, &dmax);
	if (dmin > cfg->startup_kib) {
		simdom_err(err, err_len,
			   "dynamic-min: %" PRIu64 "K is above startup (%" PRIu64 "K)", dmin,
			   cfg->startup_kib);
		return XMEM_ERR_INVAL;
	}
	if (dmax < cfg->startup_kib || dmax > cfg->static_max_kib) {
		simdom_err(err, err_len,
			   "dynamic-max: expected startup (%" PRIu64 "K) to static-max (%" PRIu64
			   "K), got %" PRIu64 "K",
			   cfg->startup_kib, cfg->static_max_kib, dmax);
		return XMEM_ERR_INVAL;
	}
	return 0;
}

/* cfg's weight, buffer, maxmem, agent and reservation. */
static int simdom_validate_options(const struct simdom_config *cfg, char *err, size_t err_len)
{
	if (cfg->weight > SIMDOM_WEIGHT_MAX) {
		simdom_err(err, err_len, "weight: expected 0 to %d, got %u", SIMDOM_WEIGHT_MAX,
			   cfg->weight);
		return XMEM_ERR_INVAL;
	}
	if (cfg->buffer_pct < SIMDOM_BUFFER_MIN || cfg->buffer_pct > SIMDOM_BUFFER_MAX) {
		simdom_err(err, err_len, "buffer: expected %d to %d (percent), got %u",
			   SIMDOM_BUFFER_MIN, SIMDOM_BUFFER_MAX, cfg->buffer_pct);
		return XMEM_ERR_INVAL;
	}
	if (cfg->maxmem_kib &&
	    (cfg->maxmem_kib < cfg->startup_kib ||
	     cfg->maxmem_kib > cfg->static_max_kib + SIMDOM_MAXMEM_CONSTANT_KIB)) {
		simdom_err(err, err_len,
			   "maxmem: expected startup (%" PRIu64 "K) to static-max + %dK (%" PRIu64
			   "K), got %" PRIu64 "K",
			   cfg->startup_kib, SIMDOM_MAXMEM_CONSTANT_KIB,
			   cfg->static_max_kib + SIMDOM_MAXMEM_CONSTANT_KIB, cfg->maxmem_kib);
		return XMEM_ERR_INVAL;
	}
	if (cfg->agent && !simdom_agent_ok(cfg->agent)) {
		simdom_err(err, err_len, "agent: expected one of %s, got \"%s\"", SIMDOM_AGENTS,
			   cfg->agent);
		return XMEM_ERR_INVAL;
	}
	if (cfg->reservation && !simdom_ident_ok(cfg->reservation, SIMDOM_NAME_MAX, 0)) {
		simdom_err(err, err_len, "reservation: expected an id of [A-Za-z0-9_-], got \"%s\"",
			   cfg->reservation);
		return XMEM_ERR_INVAL;
	}
	return 0;
}

int simdom_validate(const struct simdom_config *cfg, char *err, size_t err_len)
{
	int rc;

	rc = simdom_validate_ident(cfg, err, err_len);
	if (!rc)
		rc = simdom_validate_sizes(cfg, err, err_len);
	if (!rc)
		rc = simdom_validate_options(cfg, err, err_len);
	return rc;
}

uint64_t simdom_target_kib(const struct simdom_config *cfg)
{
	uint64_t fudge = cfg->videoram_kib;

	if (cfg->hvm && cfg->static_max_kib > cfg->startup_kib)
		fudge += SIMDOM_MAXMEM_CONSTANT_KIB;
	return cfg->startup_kib > fudge ? cfg->startup_kib - fudge : 0;
}

uint64_t simdom_maxmem_kib(const struct simdom_config *cfg)
{
	if (cfg->maxmem_kib)
		return cfg->maxmem_kib;
	return cfg->startup_kib + SIMDOM_MAXMEM_CONSTANT_KIB;
}

int simdom_uuid_generate(char *buf, size_t len)
{
	unsigned char b[16];
	size_t got = 0;

	if (len < SIMDOM_UUID_LEN)
		return XMEM_ERR_RANGE;
	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return XMEM_ERR_IO;
		}
		got += (size_t)r;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(buf, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
	return 0;
}

/* Format path into buf; XMEM_ERR_RANGE when it does not fit. */
static int simdom_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int simdom_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= len) ? XMEM_ERR_RANGE : 0;
}

/* ~/rel of domid into buf. */
static int simdom_dom_path(char *buf, size_t len, uint32_t domid, const char *rel)
{
	char home[SIMDOM_PATH_LEN];

	if (simdom_path(home, sizeof(home), XS_LOCAL_DOMAIN, domid))
		return XMEM_ERR_RANGE;
	if (!rel)
		return simdom_path(buf, len, "%s", home);
	return simdom_path(buf, len, "%s/%s", home, rel);
}

/* Write a string value in transaction t. */
static int simdom_write(struct xs_handle *xs, xs_transaction_t t, const char *path, const char *val)
{
	return xs_write(xs, t, path, val, strlen(val)) ? 0 : -1;
}

/* Write an unsigned value in transaction t. */
static int simdom_write_u64(struct xs_handle *xs, xs_transaction_t t, const char *path,
			    uint64_t val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, val);
	return simdom_write(xs, t, path, buf);
}

/* Write ~/rel = val for domid. */
static int simdom_write_dom(struct xs_handle *xs, xs_transaction_t t, uint32_t domid,
			    const char *rel, const char *val)
{
	char path[SIMDOM_PATH_LEN];

	if (simdom_dom_path(path, sizeof(path), domid, rel))
		return -1;
	return simdom_write(xs, t, path, val);
}

/* Write ~/rel = val (decimal) for domid. */
static int simdom_write_dom_u64(struct xs_handle *xs, xs_transaction_t t, uint32_t domid,
				const char *rel, uint64_t val)
{
	char path[SIMDOM_PATH_LEN];

	if (simdom_dom_path(path, sizeof(path), domid, rel))
		return -1;
	return simdom_write_u64(xs, t, path, val);
}

/* mkdir path and set [n0, rN] (ro) or [nN] (guest-owned), or [n0] when domid is 0. */
static int simdom_mkdir_perms(struct xs_handle *xs, xs_transaction_t t, const char *path,
			      uint32_t domid, int guest_owned)
{
	struct xs_permissions perms[2];
	unsigned int n = 1;

	if (!xs_mkdir(xs, t, path))
		return -1;
	if (guest_owned) {
		perms[0].id = domid;
		perms[0].perms = XS_PERM_NONE;
	} else {
		perms[0].id = 0;
		perms[0].perms = XS_PERM_NONE;
		if (domid) {
			perms[1].id = domid;
			perms[1].perms = XS_PERM_READ;
			n = 2;
		}
	}
	return xs_set_permissions(xs, t, path, perms, n) ? 0 : -1;
}

/* 1 when some /local/domain/<id>/name other than skip equals name, 0 if not, -1 on error. */
static int simdom_name_taken(struct xs_handle *xs, xs_transaction_t t, const char *name,
			     uint32_t skip, uint32_t *domid_r)
{
	char **ents = NULL;
	unsigned int nr = 0, i;
	int found = 0;

	ents = xs_directory(xs, t, XS_LOCAL_DOMAINS, &nr);
	if (!ents)
		return errno == ENOENT ? 0 : -1;
	for (i = 0; i < nr && !found; i++) {
		char path[SIMDOM_PATH_LEN], *val;
		unsigned int len;
		uint32_t id;

		if (keytree_parse_domid(ents[i], &id) || id == skip)
			continue;
		if (simdom_dom_path(path, sizeof(path), id, XS_DOM_NAME))
			continue;
		val = xs_read(xs, t, path, &len);
		if (val && strcmp(val, name) == 0) {
			found = 1;
			if (domid_r)
				*domid_r = id;
		}
		free(val);
	}
	free(ents);
	return found;
}

int simdom_lookup(struct xs_handle *xs, const char *name, uint32_t *domid_r)
{
	int r = simdom_name_taken(xs, XBT_NULL, name, SIMDOM_DOMID_AUTO, domid_r);

	if (r < 0)
		return XMEM_ERR_IO;
	return r ? 0 : XMEM_ERR_NOTFOUND;
}

/* 1 when /local/domain/<domid> exists. */
static int simdom_home_exists(struct xs_handle *xs, uint32_t domid)
{
	char path[SIMDOM_PATH_LEN];
	unsigned int len;
	char *val;

	if (simdom_dom_path(path, sizeof(path), domid, NULL))
		return 1;
	val = xs_read(xs, XBT_NULL, path, &len);
	free(val);
	return val != NULL;
}

/* Lowest domid from start not known to the hypervisor nor to the store. */
static int simdom_pick_domid(struct xs_handle *xs, struct hv *hv, uint32_t start, uint32_t *domid_r)
{
	struct hv_dominfo *infos = NULL;
	size_t nr = 0, i;
	uint32_t id;
	int rc;

	infos = calloc(SIMDOM_HV_LIST, sizeof(*infos));
	if (!infos)
		return XMEM_ERR_NOMEM;
	rc = hv_domain_list(hv, 0, infos, SIMDOM_HV_LIST, &nr);
	if (rc)
		goto out;
	rc = XMEM_ERR_NOSPACE;
	for (id = start; id < HV_DOMID_FIRST_RESERVED; id++) {
		int used = 0;

		for (i = 0; i < nr && !used; i++)
			used = infos[i].domid == id;
		if (used || simdom_home_exists(xs, id))
			continue;
		*domid_r = id;
		rc = 0;
		break;
	}
out:
	free(infos);
	return rc;
}

/* libxl__domain_make's part: the homes, their permissions, the VM's node. -1 on error. */
static int simdom_make_homes(struct xs_handle *xs, xs_transaction_t t,
			     const struct simdom_config *cfg, uint32_t domid, const char *uuid)
{
	char home[SIMDOM_PATH_LEN], path[SIMDOM_PATH_LEN], vm[SIMDOM_PATH_LEN];
	size_t i;

	if (simdom_dom_path(home, sizeof(home), domid, NULL) ||
	    simdom_path(vm, sizeof(vm), XS_VM_ROOT, uuid))
		return -1;
	xs_rm(xs, t, home);
	if (simdom_mkdir_perms(xs, t, home, domid, 0))
		return -1;
	xs_rm(xs, t, vm);
	if (simdom_mkdir_perms(xs, t, vm, domid, 0))
		return -1;
	if (simdom_path(path, sizeof(path), XS_LIBXL_DOM, domid))
		return -1;
	xs_rm(xs, t, path);
	if (simdom_mkdir_perms(xs, t, path, 0, 0))
		return -1;
	if (simdom_path(path, sizeof(path), XS_LIBXL_DOM_DEVICE, domid) ||
	    simdom_mkdir_perms(xs, t, path, 0, 0))
		return -1;
	if (simdom_path(path, sizeof(path), XS_LIBXL_DOM_TYPE, domid) ||
	    simdom_write(xs, t, path, cfg->hvm ? "hvm" : "pvh"))
		return -1;
	for (i = 0; i < sizeof(simdom_nodes) / sizeof(simdom_nodes[0]); i++) {
		const struct simdom_node *n = &simdom_nodes[i];

		if (n->hvm_only && !cfg->hvm)
			continue;
		if (simdom_dom_path(path, sizeof(path), domid, n->path) ||
		    simdom_mkdir_perms(xs, t, path, domid, n->guest_owned))
			return -1;
	}
	if (simdom_write_dom(xs, t, domid, XS_DOM_VM, vm) ||
	    simdom_write_dom(xs, t, domid, XS_DOM_NAME, cfg->name))
		return -1;
	if (simdom_path(path, sizeof(path), XS_VM_UUID, uuid) || simdom_write(xs, t, path, uuid))
		return -1;
	if (simdom_path(path, sizeof(path), XS_VM_NAME, uuid) ||
	    simdom_write(xs, t, path, cfg->name))
		return -1;
	if (simdom_write_dom(xs, t, domid, XS_DOM_CONTROL_MP_SUSPEND, "1") ||
	    simdom_write_dom(xs, t, domid, XS_DOM_CONTROL_XS_RESET_WATCHES, "1"))
		return -1;
	return 0;
}

/* libxl__build_post's part: memory, the store's ring, the vcpu. -1 on error. */
static int simdom_build_post(struct xs_handle *xs, xs_transaction_t t,
			     const struct simdom_config *cfg, uint32_t domid)
{
	char rel[64];

	if (simdom_write_dom_u64(xs, t, domid, XS_DOM_STATIC_MAX, cfg->static_max_kib) ||
	    simdom_write_dom_u64(xs, t, domid, XS_DOM_TARGET, simdom_target_kib(cfg)) ||
	    simdom_write_dom_u64(xs, t, domid, XS_DOM_VIDEORAM, cfg->videoram_kib) ||
	    simdom_write_dom_u64(xs, t, domid, XS_DOM_DOMID, domid) ||
	    simdom_write_dom_u64(xs, t, domid, XS_DOM_STORE_PORT, SIMDOM_STORE_PORT) ||
	    simdom_write_dom_u64(xs, t, domid, XS_DOM_STORE_RING_REF, SIMDOM_STORE_RING_REF))
		return -1;
	snprintf(rel, sizeof(rel), XS_DOM_CPU_AVAIL, 0u);
	return simdom_write_dom(xs, t, domid, rel, "online") ? -1 : 0;
}

/* xmem's policy keys, and the reservation's domid. -1 on error. */
static int simdom_policy_keys(struct xs_handle *xs, xs_transaction_t t,
			      const struct simdom_config *cfg, uint32_t domid)
{
	char path[SIMDOM_PATH_LEN];
	uint64_t dmin, dmax;

	simdom_range(cfg, &dmin, &dmax);
	if (simdom_write_dom_u64(xs, t, domid, XS_DOM_DYNAMIC_MIN, dmin) ||
	    simdom_write_dom_u64(xs, t, domid, XS_DOM_DYNAMIC_MAX, dmax) ||
	    simdom_write_dom_u64(xs, t, domid, XS_DOM_STARTUP, cfg->startup_kib) ||
	    simdom_write_dom_u64(xs, t, domid, XS_DOM_WEIGHT, cfg->weight) ||
	    simdom_write_dom_u64(xs, t, domid, XS_DOM_BUFFER, cfg->buffer_pct) ||
	    simdom_write_dom(xs, t, domid, XS_DOM_MANAGED, cfg->managed ? "1" : "0"))
		return -1;
	if (cfg->policy_source &&
	    simdom_write_dom(xs, t, domid, XS_DOM_POLICY_SOURCE, cfg->policy_source))
		return -1;
	/* Qubes lets its meminfo-writer report under memory/. */
	if (cfg->agent && !strcmp(cfg->agent, "qubes") &&
	    (simdom_dom_path(path, sizeof(path), domid, XS_DOM_QUBES_MEMINFO) ||
	     simdom_mkdir_perms(xs, t, path, domid, 1)))
		return -1;

	if (cfg->reservation) {
		if (simdom_path(path, sizeof(path), XS_XMEMD_RES_DOMID, cfg->reservation) ||
		    simdom_write_u64(xs, t, path, domid))
			return -1;
	}
	return 0;
}

/* The transaction body of simdom_create: every key of the new domain. -1 on error. */
static int simdom_write_keys(struct xs_handle *xs, xs_transaction_t t,
			     const struct simdom_config *cfg, uint32_t domid, const char *uuid)
{
	if (simdom_make_homes(xs, t, cfg, domid, uuid) || simdom_build_post(xs, t, cfg, domid) ||
	    simdom_policy_keys(xs, t, cfg, domid))
		return -1;
	return 0;
}

/* 1 when the reservation node exists and is granted; 0 when not; -1 on error. */
static int simdom_reservation_granted(struct xs_handle *xs, xs_transaction_t t, const char *id)
{
	char path[SIMDOM_PATH_LEN], *val;
	unsigned int len;
	int ok;

	if (simdom_path(path, sizeof(path), XS_XMEMD_RES_STATE, id))
		return -1;
	val = xs_read(xs, t, path, &len);
	if (!val)
		return errno == ENOENT ? 0 : -1;
	ok = strcmp(val, XS_XMEMD_RES_STATE_GRANTED) == 0;
	free(val);
	return ok;
}

/* What one attempt of the key transaction needs. */
struct simdom_keys_arg {
	const struct simdom_config *cfg;
	uint32_t domid, self;
	const char *uuid;
	char *err;
	size_t err_len;
	int ran;   /* an attempt started */
	int fn_rc; /* the last attempt's refusal, said in err */
};

/* One attempt of the key transaction: check the name and reservation, write the keys. */
static int simdom_keys_once(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	struct simdom_keys_arg *a = arg;
	const struct simdom_config *cfg = a->cfg;
	int taken, granted = 1, e;

	a->ran = 1;
	a->fn_rc = 0;
	taken = simdom_name_taken(xs, t, cfg->name, a->self, NULL);
	if (taken == 0 && cfg->reservation)
		granted = simdom_reservation_granted(xs, t, cfg->reservation);
	e = errno;
	if (taken > 0) {
		simdom_err(a->err, a->err_len, "a domain named %s exists already", cfg->name);
		return a->fn_rc = XMEM_ERR_EXISTS;
	}
	if (taken == 0 && granted == 0) {
		simdom_err(a->err, a->err_len, "reservation %s is not granted", cfg->reservation);
		return a->fn_rc = XMEM_ERR_NOTFOUND;
	}
	if (taken != 0 || granted != 1) {
		if (e == EAGAIN)
			return XMEM_ERR_AGAIN;
		simdom_err(a->err, a->err_len, "cannot read the key tree: %s", strerror(e));
		return a->fn_rc = XMEM_ERR_IO;
	}
	if (simdom_write_keys(xs, t, cfg, a->domid, a->uuid)) {
		e = errno;
		if (e == EAGAIN)
			return XMEM_ERR_AGAIN;
		simdom_err(a->err, a->err_len, "cannot write the keys of domain %" PRIu32 ": %s",
			   a->domid, strerror(e));
		return a->fn_rc = xmem_err_from_errno(e);
	}
	return 0;
}

/* Run the key transaction, retrying on EAGAIN; the name may be self's already. */
static int simdom_keys_tx(struct xs_handle *xs, const struct simdom_config *cfg, uint32_t domid,
			  uint32_t self, const char *uuid, char *err, size_t err_len)
{
	struct simdom_keys_arg a = { .cfg = cfg,
				     .domid = domid,
				     .self = self,
				     .uuid = uuid,
				     .err = err,
				     .err_len = err_len };
	int rc;

	rc = keytree_txn(xs, SIMDOM_TX_RETRIES, simdom_keys_once, &a);
	if (!rc || a.fn_rc)
		return rc;
	if (rc == XMEM_ERR_AGAIN) {
		simdom_err(err, err_len, "key-tree transaction kept conflicting (%d tries)",
			   SIMDOM_TX_RETRIES);
		return rc;
	}
	if (!a.ran) {
		simdom_err(err, err_len, "cannot start a transaction: %s", strerror(errno));
		return XMEM_ERR_IO;
	}
	simdom_err(err, err_len, "cannot commit the keys of domain %" PRIu32 ": %s", domid,
		   strerror(errno));
	return xmem_err_from_errno(errno);
}

/*
 * Make /local/domain, /vm and /libxl exist, outside any transaction. They are
 * [n0] like "/", as on a Xen host where dom0's start-up creates them; doing it
 * up front keeps the creation transactions off the root node, which every
 * other writer of a top-level node would make them conflict with.
 */
static int simdom_ensure_tops(struct xs_handle *xs)
{
	static const char *const tops[] = { XS_LOCAL_DOMAINS, "/vm", "/libxl" };
	size_t i;

	for (i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
		unsigned int len;
		char *v = xs_read(xs, XBT_NULL, tops[i], &len);

		if (v) {
			free(v);
			continue;
		}
		if (!xs_mkdir(xs, XBT_NULL, tops[i]))
			return -1;
	}
	return 0;
}

/* Remove the keys of domid (and vm, when given) in one transaction. */
static int simdom_rm_keys(struct xs_handle *xs, uint32_t domid, const char *vm)
{
	char home[SIMDOM_PATH_LEN], libxl[SIMDOM_PATH_LEN];
	int tries;

	if (simdom_dom_path(home, sizeof(home), domid, NULL) ||
	    simdom_path(libxl, sizeof(libxl), XS_LIBXL_DOM, domid))
		return XMEM_ERR_RANGE;
	for (tries = 0; tries < SIMDOM_TX_RETRIES; tries++) {
		xs_transaction_t t = xs_transaction_start(xs);

		if (t == XBT_NULL)
			return XMEM_ERR_IO;
		/* xs_rm of an absent node fails with ENOENT: that is fine here. */
		xs_rm(xs, t, home);
		xs_rm(xs, t, libxl);
		if (vm && strncmp(vm, "/vm/", 4) == 0 && vm[4])
			xs_rm(xs, t, vm);
		if (xs_transaction_end(xs, t, false))
			return 0;
		if (errno != EAGAIN)
			return xmem_err_from_errno(errno);
	}
	return XMEM_ERR_AGAIN;
}

/*
 * What simdom_create and simdom_create_keys check first: cfg, the uuid
 * (written into uuid), the top directories, and that no domain but self has
 * the name.
 */
static int simdom_prepare(struct xs_handle *xs, const struct simdom_config *cfg, uint32_t self,
			  char *uuid, size_t uuid_len, char *err, size_t err_len)
{
	int rc, taken;

	rc = simdom_validate(cfg, err, err_len);
	if (rc)
		return rc;
	if (cfg->uuid) {
		snprintf(uuid, uuid_len, "%s", cfg->uuid);
	} else {
		rc = simdom_uuid_generate(uuid, uuid_len);
		if (rc) {
			simdom_err(err, err_len, "cannot generate a uuid");
			return rc;
		}
	}
	if (simdom_ensure_tops(xs)) {
		simdom_err(err, err_len, "cannot create /local/domain, /vm and /libxl: %s",
			   strerror(errno));
		return XMEM_ERR_IO;
	}
	taken = simdom_name_taken(xs, XBT_NULL, cfg->name, self, NULL);
	if (taken < 0) {
		simdom_err(err, err_len, "cannot read /local/domain: %s", strerror(errno));
		return XMEM_ERR_IO;
	}
	if (taken) {
		simdom_err(err, err_len, "a domain named %s exists already", cfg->name);
		return XMEM_ERR_EXISTS;
	}
	return 0;
}

/* Steps 2 and 3: the keys, then the introduction; a refused introduction removes the keys. */
static int simdom_keys_introduce(struct xs_handle *xs, const struct simdom_config *cfg,
				 uint32_t domid, uint32_t self, const char *uuid, char *err,
				 size_t err_len)
{
	char vm[SIMDOM_PATH_LEN];
	int rc, e;

	rc = simdom_keys_tx(xs, cfg, domid, self, uuid, err, err_len);
	if (rc)
		return rc;
	if (xs_introduce_domain(xs, domid, SIMDOM_STORE_RING_REF, SIMDOM_STORE_PORT))
		return 0;
	e = errno;
	simdom_err(err, err_len, "store refused to introduce domain %" PRIu32 ": %s", domid,
		   strerror(e));
	if (simdom_path(vm, sizeof(vm), XS_VM_ROOT, uuid) == 0)
		simdom_rm_keys(xs, domid, vm);
	return xmem_err_from_errno(e);
}

int simdom_create(struct xs_handle *xs, struct hv *hv, const struct simdom_config *cfg,
		  uint32_t *domid_r, char *err, size_t err_len)
{
	char uuid[SIMDOM_UUID_LEN];
	uint32_t domid = 0;
	int rc, tries, created = 0;

	rc = simdom_prepare(xs, cfg, SIMDOM_DOMID_AUTO, uuid, sizeof(uuid), err, err_len);
	if (rc)
		return rc;

	/* The hypervisor domain first, as libxl does. */
	for (tries = 0; tries < SIMDOM_DOMID_TRIES && !created; tries++) {
		if (cfg->domid != SIMDOM_DOMID_AUTO) {
			domid = cfg->domid;
		} else {
			rc = simdom_pick_domid(xs, hv, domid ? domid + 1 : 1, &domid);
			if (rc) {
				simdom_err(err, err_len, "no free domain id: %s",
					   xmem_strerror(rc));
				return rc;
			}
		}
		rc = hv_domain_create(hv, domid, size_kib_to_pages(simdom_maxmem_kib(cfg)), 0);
		if (rc == 0)
			created = 1;
		else if (rc != XMEM_ERR_EXISTS || cfg->domid != SIMDOM_DOMID_AUTO)
			break;
	}
	if (!created) {
		simdom_err(err, err_len, "hypervisor refused domain %" PRIu32 " (%" PRIu64 "K): %s",
			   domid, cfg->startup_kib, xmem_strerror(rc));
		return rc ? rc : XMEM_ERR_FAIL;
	}

	rc = hv_claim_pages(hv, domid, size_kib_to_pages(cfg->startup_kib));
	if (rc) {
		simdom_err(err, err_len,
			   "hypervisor cannot set %" PRIu64 "K aside for domain %" PRIu32 ": %s",
			   cfg->startup_kib, domid, xmem_strerror(rc));
		goto fail_hv;
	}
	rc = simdom_keys_introduce(xs, cfg, domid, SIMDOM_DOMID_AUTO, uuid, err, err_len);
	if (rc)
		goto fail_hv;
	*domid_r = domid;
	return 0;

fail_hv:
	hv_domain_destroy(hv, domid);
	return rc;
}

/* A rewrite keeps the domain's uuid: copy it from ~/vm into uuid when that names one. */
static void simdom_old_uuid(struct xs_handle *xs, uint32_t domid, char *uuid, size_t len)
{
	char path[SIMDOM_PATH_LEN], *vm = NULL;
	unsigned int vlen;

	if (simdom_dom_path(path, sizeof(path), domid, XS_DOM_VM) == 0)
		vm = xs_read(xs, XBT_NULL, path, &vlen);
	if (vm && strncmp(vm, "/vm/", 4) == 0 && simdom_uuid_ok(vm + 4))
		snprintf(uuid, len, "%s", vm + 4);
	free(vm);
}

int simdom_create_keys(struct xs_handle *xs, const struct simdom_config *cfg, char *err,
		       size_t err_len)
{
	char uuid[SIMDOM_UUID_LEN];
	int rc;

	if (cfg->domid == SIMDOM_DOMID_AUTO) {
		simdom_err(err, err_len, "domid: a domain's keys need its id");
		return XMEM_ERR_INVAL;
	}
	rc = simdom_prepare(xs, cfg, cfg->domid, uuid, sizeof(uuid), err, err_len);
	if (rc)
		return rc;
	if (!cfg->uuid)
		simdom_old_uuid(xs, cfg->domid, uuid, sizeof(uuid));
	return simdom_keys_introduce(xs, cfg, cfg->domid, cfg->domid, uuid, err, err_len);
}

int simdom_destroy(struct xs_handle *xs, struct hv *hv, uint32_t domid, char *err, size_t err_len)
{
	char path[SIMDOM_PATH_LEN];
	char *vm = NULL;
	unsigned int len;
	int rc = 0, r, known = 0;

	if (domid == 0 || domid >= HV_DOMID_FIRST_RESERVED) {
		simdom_err(err, err_len, "domain %" PRIu32 " cannot be destroyed", domid);
		return XMEM_ERR_INVAL;
	}
	if (simdom_dom_path(path, sizeof(path), domid, XS_DOM_VM) == 0)
		vm = xs_read(xs, XBT_NULL, path, &len);
	if (vm || simdom_home_exists(xs, domid))
		known = 1;

	if (!xs_release_domain(xs, domid) && errno != ENOENT && errno != EINVAL) {
		simdom_err(err, err_len, "store refused to release domain %" PRIu32 ": %s", domid,
			   strerror(errno));
		rc = xmem_err_from_errno(errno);
	}
	r = simdom_rm_keys(xs, domid, vm);
	if (r && !rc) {
		simdom_err(err, err_len, "cannot remove the keys of domain %" PRIu32 ": %s", domid,
			   xmem_strerror(r));
		rc = r;
	}
	r = hv_domain_destroy(hv, domid);
	if (r == 0)
		known = 1;
	else if (r != XMEM_ERR_NOTFOUND && !rc) {
		simdom_err(err, err_len, "hypervisor refused to destroy domain %" PRIu32 ": %s",
			   domid, xmem_strerror(r));
		rc = r;
	}
	free(vm);
	if (!rc && !known) {
		simdom_err(err, err_len, "no domain %" PRIu32, domid);
		rc = XMEM_ERR_NOTFOUND;
	}
	return rc;
}

int simdom_dom0_init(struct xs_handle *xs, struct hv *hv, char *err, size_t err_len)
{
	struct hv_dominfo info;
	char vm[SIMDOM_PATH_LEN], path[SIMDOM_PATH_LEN];
	int rc, tries;

	rc = hv_domain_info(hv, 0, &info);
	if (rc) {
		simdom_err(err, err_len, "hypervisor has no domain 0: %s", xmem_strerror(rc));
		return rc;
	}
	if (simdom_path(vm, sizeof(vm), XS_VM_ROOT, SIMDOM_DOM0_UUID))
		return XMEM_ERR_RANGE;
	if (simdom_ensure_tops(xs)) {
		simdom_err(err, err_len, "cannot create /local/domain, /vm and /libxl: %s",
			   strerror(errno));
		return XMEM_ERR_IO;
	}
	for (tries = 0; tries < SIMDOM_TX_RETRIES; tries++) {
		xs_transaction_t t = xs_transaction_start(xs);
		int bad;

		if (t == XBT_NULL) {
			simdom_err(err, err_len, "cannot start a transaction: %s", strerror(errno));
			return XMEM_ERR_IO;
		}
		bad = simdom_write_dom(xs, t, 0, XS_DOM_NAME, "Domain-0") ||
		      simdom_write_dom_u64(xs, t, 0, XS_DOM_DOMID, 0) ||
		      simdom_write_dom(xs, t, 0, XS_DOM_VM, vm) ||
		      simdom_path(path, sizeof(path), XS_VM_UUID, SIMDOM_DOM0_UUID) ||
		      simdom_write(xs, t, path, SIMDOM_DOM0_UUID) ||
		      simdom_path(path, sizeof(path), XS_VM_NAME, SIMDOM_DOM0_UUID) ||
		      simdom_write(xs, t, path, "Domain-0") ||
		      simdom_write_dom_u64(xs, t, 0, XS_DOM_STATIC_MAX,
					   info.max_pages ? size_pages_to_kib(info.max_pages)
							  : size_pages_to_kib(info.tot_pages)) ||
		      simdom_write_dom_u64(xs, t, 0, XS_DOM_TARGET,
					   size_pages_to_kib(info.tot_pages));
		if (bad) {
			int e = errno;

			xs_transaction_end(xs, t, true);
			if (e == EAGAIN)
				continue;
			simdom_err(err, err_len, "cannot write dom0's keys: %s", strerror(e));
			return xmem_err_from_errno(e);
		}
		if (xs_transaction_end(xs, t, false))
			return 0;
		if (errno != EAGAIN) {
			simdom_err(err, err_len, "cannot commit dom0's keys: %s", strerror(errno));
			return xmem_err_from_errno(errno);
		}
	}
	simdom_err(err, err_len, "key-tree transaction kept conflicting (%d tries)",
		   SIMDOM_TX_RETRIES);
	return XMEM_ERR_AGAIN;
}
