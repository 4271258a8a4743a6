/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmstate.c: see vmstate.h.
 *
 * The file side (parse, format, save, forget, lookup) does no key-tree I/O
 * and is unit-tested on a temporary directory; vmstate_sync() is the
 * key-tree side. Every write to the key tree is one transaction that first
 * re-reads what it decided on (policy-source absent, policy-request as
 * seen), so a concurrent `xmem mem-policy` is never half overwritten.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "json.h"
#include "log.h"
#include "policy/policy.h"
#include "size.h"
#include "vmstate.h"
#include "xenstore-schema/xs_schema.h"
#include "xmem_err.h"

#define VMSTATE_SUBDIR	    "vm"
#define VMSTATE_XS_PATH_MAX 256
#define VMSTATE_TRIES	    5

/* mkdir path, fine if it exists as a directory. */
static int vmstate_mkdir(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return -1;
}

int vmstate_init(struct vmstate *vs, const char *state_dir, const char *domains_dir, char *err,
		 size_t err_len)
{
	char sub[VMSTATE_PATH_MAX + 8];

	memset(vs, 0, sizeof(*vs));
	if (strlen(state_dir) >= sizeof(vs->state_dir) ||
	    strlen(domains_dir) >= sizeof(vs->domains_dir)) {
		snprintf(err, err_len, "state or domains directory: path too long");
		return XMEM_ERR_INVAL;
	}
	snprintf(vs->state_dir, sizeof(vs->state_dir), "%s", state_dir);
	snprintf(vs->domains_dir, sizeof(vs->domains_dir), "%s", domains_dir);
	if (!state_dir[0])
		return 0;
	snprintf(sub, sizeof(sub), "%s/%s", state_dir, VMSTATE_SUBDIR);
	if (vmstate_mkdir(state_dir, 0755) < 0 || vmstate_mkdir(sub, 0700) < 0) {
		snprintf(err, err_len, "cannot create %s: %s", sub, strerror(errno));
		return XMEM_ERR_IO;
	}
	vs->ready = 1;
	return 0;
}

int vmstate_file_name(const char *name, char *buf, size_t len)
{
	static const char keep[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
	size_t at = 0, i;

	if (!name[0])
		return XMEM_ERR_INVAL;
	for (i = 0; name[i]; i++) {
		unsigned char ch = (unsigned char)name[i];
		int plain = ch && strchr(keep, ch) && !(i == 0 && ch == '.');
		int n = plain ? snprintf(buf + at, len - at, "%c", ch)
			      : snprintf(buf + at, len - at, "%%%02X", ch);

		if (n < 0 || (size_t)n >= len - at)
			return XMEM_ERR_INVAL;
		at += (size_t)n;
	}
	if (snprintf(buf + at, len - at, ".json") >= (int)(len - at))
		return XMEM_ERR_INVAL;
	return 0;
}

/* Copy string member key into buf (bounded); 0, or XMEM_ERR_NOTFOUND/INVAL. */
static int vmstate_get_str(yajl_val root, const char *key, char *buf, size_t len)
{
	const char *s;
	int rc = json_get_str(root, key, &s);

	if (rc)
		return rc;
	if (!s[0] || strlen(s) >= len)
		return XMEM_ERR_INVAL;
	snprintf(buf, len, "%s", s);
	return 0;
}

/* Read a size member; *has_r says whether it was there. 0 or XMEM_ERR_INVAL. */
static int vmstate_get_size(yajl_val root, const char *key, uint64_t *kib_r, int *has_r)
{
	int rc = json_get_size_kib(root, key, kib_r);

	*has_r = rc == 0;
	if (rc == XMEM_ERR_NOTFOUND)
		return 0;
	if (!rc && *kib_r > SIZE_MAX_KIB)
		return XMEM_ERR_INVAL;
	return rc;
}

/* Read an integer member in [min, max]. 0 or XMEM_ERR_INVAL. */
static int vmstate_get_u64(yajl_val root, const char *key, uint64_t min, uint64_t max,
			   uint64_t *val_r, int *has_r)
{
	int rc = json_get_u64(root, key, min, max, val_r);

	*has_r = rc == 0;
	return rc == XMEM_ERR_NOTFOUND ? 0 : rc;
}

/* Refuse members vmstate does not know; 0 or XMEM_ERR_INVAL with the member named. */
static int vmstate_known_members(yajl_val root, const char *what, char *err, size_t err_len)
{
	static const char *const known[] = { "name",	"uuid",	  "min",    "max",
					     "startup", "weight", "buffer", "managed" };
	size_t i, j;

	for (i = 0; i < root->u.object.len; i++) {
		for (j = 0; j < sizeof(known) / sizeof(known[0]); j++)
			if (!strcmp(root->u.object.keys[i], known[j]))
				break;
		if (j == sizeof(known) / sizeof(known[0])) {
			snprintf(err, err_len, "%s: unknown member \"%s\"", what,
				 root->u.object.keys[i]);
			return XMEM_ERR_INVAL;
		}
	}
	return 0;
}

/* Check the order of the sizes (min <= startup <= max). */
static int vmstate_check_order(const struct vmstate_policy *p, const char *what, char *err,
			       size_t err_len)
{
	const char *bad = NULL;

	if (p->has_min && p->has_max && p->min_kib > p->max_kib)
		bad = "min is above max";
	else if (p->has_startup && p->has_min && p->startup_kib < p->min_kib)
		bad = "startup is below min";
	else if (p->has_startup && p->has_max && p->startup_kib > p->max_kib)
		bad = "startup is above max";
	if (!bad)
		return 0;
	snprintf(err, err_len, "%s: %s", what, bad);
	return XMEM_ERR_INVAL;
}

/* Read every member of an object into p. */
static int vmstate_members(yajl_val root, const char *what, const char *default_name,
			   struct vmstate_policy *p, char *err, size_t err_len)
{
	const char *member = "name";
	int rc;

	rc = vmstate_get_str(root, "name", p->name, sizeof(p->name));
	if (rc == XMEM_ERR_NOTFOUND && default_name[0] && strlen(default_name) < sizeof(p->name)) {
		snprintf(p->name, sizeof(p->name), "%s", default_name);
		rc = 0;
	}
	if (!rc && (member = "uuid") &&
	    (rc = vmstate_get_str(root, "uuid", p->uuid, sizeof(p->uuid))) == XMEM_ERR_NOTFOUND)
		rc = 0;
	if (!rc && (member = "min"))
		rc = vmstate_get_size(root, "min", &p->min_kib, &p->has_min);
	if (!rc && (member = "max"))
		rc = vmstate_get_size(root, "max", &p->max_kib, &p->has_max);
	if (!rc && (member = "startup"))
		rc = vmstate_get_size(root, "startup", &p->startup_kib, &p->has_startup);
	if (!rc && (member = "weight"))
		rc = vmstate_get_u64(root, "weight", 0, POLICY_WEIGHT_MAX, &p->weight,
				     &p->has_weight);
	if (!rc && (member = "buffer"))
		rc = vmstate_get_u64(root, "buffer", POLICY_BUFFER_MIN_PCT, POLICY_BUFFER_MAX_PCT,
				     &p->buffer_pct, &p->has_buffer);
	if (!rc && (member = "managed")) {
		rc = json_get_bool(root, "managed", &p->managed);
		p->has_managed = rc == 0;
		if (rc == XMEM_ERR_NOTFOUND)
			rc = 0;
	}
	if (rc) {
		snprintf(err, err_len, "%s: %s: %s", what, member,
			 !strcmp(member, "name") || !strcmp(member, "uuid")
				 ? "expected a non-empty string shorter than 64 characters"
			 : !strcmp(member, "managed") ? "expected true or false"
			 : !strcmp(member, "weight")  ? "expected an integer from 0 to 10000"
			 : !strcmp(member, "buffer")  ? "expected an integer from 5 to 2000"
						      : "expected a size (KiB, or \"512M\")");
		return XMEM_ERR_INVAL;
	}
	return vmstate_check_order(p, what, err, err_len);
}

int vmstate_parse(const char *text, const char *what, const char *default_name,
		  struct vmstate_policy *p, char *err, size_t err_len)
{
	char jerr[JSON_ERR_LEN];
	yajl_val root;
	int rc;

	memset(p, 0, sizeof(*p));
	root = json_parse(text, jerr, sizeof(jerr));
	if (!root) {
		snprintf(err, err_len, "%s: %s", what, jerr);
		return XMEM_ERR_INVAL;
	}
	if (!YAJL_IS_OBJECT(root)) {
		snprintf(err, err_len, "%s: expected a JSON object", what);
		rc = XMEM_ERR_INVAL;
	} else {
		rc = vmstate_known_members(root, what, err, err_len);
		if (!rc)
			rc = vmstate_members(root, what, default_name, p, err, err_len);
	}
	json_free(root);
	return rc;
}

int vmstate_load(const char *path, const char *default_name, struct vmstate_policy *p, char *err,
		 size_t err_len)
{
	char jerr[JSON_ERR_LEN];
	yajl_val root;
	int rc;

	memset(p, 0, sizeof(*p));
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return XMEM_ERR_NOTFOUND;
	root = json_parse_file(path, jerr, sizeof(jerr));
	if (!root) {
		snprintf(err, err_len, "%s", jerr);
		return XMEM_ERR_INVAL;
	}
	if (!YAJL_IS_OBJECT(root)) {
		snprintf(err, err_len, "%s: expected a JSON object", path);
		rc = XMEM_ERR_INVAL;
	} else {
		rc = vmstate_known_members(root, path, err, err_len);
		if (!rc)
			rc = vmstate_members(root, path, default_name, p, err, err_len);
	}
	json_free(root);
	return rc;
}

int vmstate_format(const struct vmstate_policy *p, char **buf_r, size_t *len_r)
{
	struct json_out *out = json_out_new(1);
	const char *buf;
	size_t len;
	int rc;

	if (!out)
		return XMEM_ERR_NOMEM;
	json_out_obj_open(out);
	json_out_kv_str(out, "name", p->name);
	if (p->uuid[0])
		json_out_kv_str(out, "uuid", p->uuid);
	if (p->has_min)
		json_out_kv_u64(out, "min", p->min_kib);
	if (p->has_max)
		json_out_kv_u64(out, "max", p->max_kib);
	if (p->has_startup)
		json_out_kv_u64(out, "startup", p->startup_kib);
	if (p->has_weight)
		json_out_kv_u64(out, "weight", p->weight);
	if (p->has_buffer)
		json_out_kv_u64(out, "buffer", p->buffer_pct);
	if (p->has_managed)
		json_out_kv_bool(out, "managed", p->managed);
	json_out_obj_close(out);
	rc = json_out_finish(out, &buf, &len);
	if (!rc) {
		*buf_r = malloc(len + 2);
		if (!*buf_r)
			rc = XMEM_ERR_NOMEM;
		else {
			memcpy(*buf_r, buf, len);
			(*buf_r)[len] = '\n';
			(*buf_r)[len + 1] = '\0';
			*len_r = len + 1;
		}
	}
	json_out_free(out);
	return rc;
}

/* path_r = dir/NAME.json (dir/vm for the saved state). */
static int vmstate_path(const char *dir, const char *sub, const char *name, char *path_r,
			size_t len)
{
	char file[3 * VMSTATE_NAME_MAX + 8];
	int n;

	if (vmstate_file_name(name, file, sizeof(file)))
		return XMEM_ERR_INVAL;
	n = sub ? snprintf(path_r, len, "%s/%s/%s", dir, sub, file)
		: snprintf(path_r, len, "%s/%s", dir, file);
	return n < 0 || (size_t)n >= len ? XMEM_ERR_INVAL : 0;
}

/* Write all of buf to fd. */
static int vmstate_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync a directory (the rename's entry). */
static int vmstate_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int vmstate_save(const struct vmstate *vs, const struct vmstate_policy *p, char *path_r,
		 size_t path_len, char *err, size_t err_len)
{
	char tmp[VMSTATE_PATH_MAX + 16], dir[VMSTATE_PATH_MAX + 8];
	char *buf = NULL;
	size_t len = 0;
	int fd = -1, rc;

	if (!vs->ready) {
		snprintf(err, err_len, "no usable state directory (%s)",
			 vs->state_dir[0] ? vs->state_dir : "none configured");
		return XMEM_ERR_IO;
	}
	rc = vmstate_path(vs->state_dir, VMSTATE_SUBDIR, p->name, path_r, path_len);
	if (rc) {
		snprintf(err, err_len, "name \"%s\": no file name fits", p->name);
		return rc;
	}
	rc = vmstate_format(p, &buf, &len);
	if (rc) {
		snprintf(err, err_len, "%s: %s", path_r, xmem_strerror(rc));
		return rc;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path_r);
	snprintf(dir, sizeof(dir), "%s/%s", vs->state_dir, VMSTATE_SUBDIR);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || vmstate_write_all(fd, buf, len) < 0 || fsync(fd) < 0 || close(fd) < 0) {
		snprintf(err, err_len, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		rc = XMEM_ERR_IO;
		goto out;
	}
	if (rename(tmp, path_r) < 0 || vmstate_sync_dir(dir) < 0) {
		snprintf(err, err_len, "%s: %s", path_r, strerror(errno));
		unlink(tmp);
		rc = XMEM_ERR_IO;
	}
out:
	free(buf);
	return rc;
}

int vmstate_forget(const struct vmstate *vs, const char *name, char *path_r, size_t path_len,
		   char *err, size_t err_len)
{
	char dir[VMSTATE_PATH_MAX + 8];

	if (!vs->state_dir[0] ||
	    vmstate_path(vs->state_dir, VMSTATE_SUBDIR, name, path_r, path_len)) {
		snprintf(err, err_len, "no saved state for \"%s\"", name);
		return XMEM_ERR_NOTFOUND;
	}
	if (unlink(path_r) < 0) {
		if (errno == ENOENT)
			return XMEM_ERR_NOTFOUND;
		snprintf(err, err_len, "%s: %s", path_r, strerror(errno));
		return XMEM_ERR_IO;
	}
	snprintf(dir, sizeof(dir), "%s/%s", vs->state_dir, VMSTATE_SUBDIR);
	vmstate_sync_dir(dir);
	return 0;
}

int vmstate_admin_file(const struct vmstate *vs, const char *name, char *path_r, size_t path_len)
{
	if (!vs->domains_dir[0] || vmstate_path(vs->domains_dir, NULL, name, path_r, path_len))
		return 0;
	return access(path_r, F_OK) == 0;
}

/* Load path for name; 1 when usable, 0 when missing or bad (bad is logged). */
static int vmstate_try(const char *path, const char *name, struct vmstate_policy *p)
{
	char err[VMSTATE_ERR_LEN];
	int rc = vmstate_load(path, name, p, err, sizeof(err));

	if (rc == XMEM_ERR_NOTFOUND)
		return 0;
	if (rc) {
		log_warnx("policy file ignored: %s", err);
		return 0;
	}
	return 1;
}

/* A saved file whose uuid is uuid; 1 when found (path in path_r). */
static int vmstate_find_uuid(const struct vmstate *vs, const char *uuid, struct vmstate_policy *p,
			     char *path_r, size_t path_len)
{
	char dir[VMSTATE_PATH_MAX + 8];
	struct dirent *de;
	size_t seen = 0;
	DIR *d;
	int found = 0;

	snprintf(dir, sizeof(dir), "%s/%s", vs->state_dir, VMSTATE_SUBDIR);
	d = opendir(dir);
	if (!d)
		return 0;
	while (!found && (de = readdir(d)) && seen++ < VMSTATE_MAX_FILES) {
		size_t n = strlen(de->d_name);
		char err[VMSTATE_ERR_LEN];

		if (n < 6 || strcmp(de->d_name + n - 5, ".json") || de->d_name[0] == '.')
			continue;
		if (snprintf(path_r, path_len, "%s/%s", dir, de->d_name) >= (int)path_len)
			continue;
		if (vmstate_load(path_r, "", p, err, sizeof(err)) == 0 && !strcmp(p->uuid, uuid))
			found = 1;
	}
	closedir(d);
	return found;
}

enum vmstate_source vmstate_lookup(const struct vmstate *vs, const char *name, const char *uuid,
				   struct vmstate_policy *p, char *path_r, size_t path_len)
{
	if (vs->domains_dir[0] && !vmstate_path(vs->domains_dir, NULL, name, path_r, path_len) &&
	    vmstate_try(path_r, name, p)) {
		snprintf(p->name, sizeof(p->name), "%s", name); /* the file's name is the key */
		return VMSTATE_ADMIN;
	}
	if (!vs->state_dir[0])
		return VMSTATE_NONE;
	if (!vmstate_path(vs->state_dir, VMSTATE_SUBDIR, name, path_r, path_len) &&
	    vmstate_try(path_r, name, p))
		return VMSTATE_SAVED;
	if (uuid[0] && vmstate_find_uuid(vs, uuid, p, path_r, path_len))
		return VMSTATE_SAVED;
	return VMSTATE_NONE;
}

void vmstate_clamp(struct vmstate_policy *p, uint64_t static_max_kib)
{
	if (p->has_max && p->max_kib > static_max_kib)
		p->max_kib = static_max_kib;
	if (p->has_min && p->min_kib > static_max_kib)
		p->min_kib = static_max_kib;
	if (p->has_min && p->has_max && p->min_kib > p->max_kib)
		p->min_kib = p->max_kib;
	if (p->has_startup) {
		if (p->startup_kib > static_max_kib)
			p->startup_kib = static_max_kib;
		if (p->has_max && p->startup_kib > p->max_kib)
			p->startup_kib = p->max_kib;
		if (p->has_min && p->startup_kib < p->min_kib)
			p->startup_kib = p->min_kib;
	}
}

/* The uuid the toolstack wrote (~/vm = /vm/<uuid>) into uuid ("" when none). */
static void vmstate_read_uuid(struct xs_handle *xs, uint32_t domid, char *uuid, size_t len)
{
	char path[VMSTATE_XS_PATH_MAX];
	unsigned int n;
	char *v;

	uuid[0] = '\0';
	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, XS_DOM_VM);
	v = xs_read(xs, XBT_NULL, path, &n);
	if (v && !strncmp(v, "/vm/", 4) && v[4] && strlen(v + 4) < len &&
	    strspn(v + 4, "0123456789abcdefABCDEF-") == strlen(v + 4))
		snprintf(uuid, len, "%s", v + 4);
	free(v);
}

/* What one transaction writes to a domain: keys (NULL value: remove). */
struct vmstate_write {
	const char *rel;
	char val[VMSTATE_PATH_MAX + 128];
	int remove;
};

/*
 * In one transaction (retried on EAGAIN): when the domain still has its name
 * and its key check_rel still reads check_val (NULL: still absent), make the
 * writes. 1 when made.
 */
static int vmstate_txn(struct xs_handle *xs, uint32_t domid, const char *check_rel,
		       const char *check_val, const struct vmstate_write *w, size_t nr)
{
	char path[VMSTATE_XS_PATH_MAX];
	int tries;
	size_t i;

	for (tries = 0; tries < VMSTATE_TRIES; tries++) {
		xs_transaction_t t = xs_transaction_start(xs);
		unsigned int len;
		char *v;
		int same, ok = 1;

		if (t == XBT_NULL)
			return 0;
		/* A domain gone meanwhile: writing would bring its directory back. */
		snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, XS_DOM_NAME);
		v = xs_read(xs, t, path, &len);
		same = v != NULL;
		free(v);
		snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, check_rel);
		v = same ? xs_read(xs, t, path, &len) : NULL;
		same = same && (check_val ? v && !strcmp(v, check_val) : !v);
		free(v);
		for (i = 0; same && ok && i < nr; i++) {
			snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, w[i].rel);
			ok = w[i].remove ? xs_rm(xs, t, path) || errno == ENOENT
					 : xs_write(xs, t, path, w[i].val, strlen(w[i].val));
		}
		if (!same || !ok) {
			xs_transaction_end(xs, t, true);
			if (!ok)
				log_warn("domain %u: write %s", domid, path);
			return 0;
		}
		if (xs_transaction_end(xs, t, false))
			return 1;
		if (errno != EAGAIN) {
			log_warn("domain %u: policy transaction", domid);
			return 0;
		}
	}
	return 0;
}

/* The policy the domain's keys hold now, as a saved file has it. */
static void vmstate_from_dom(const struct cache_dom *cd, struct vmstate_policy *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", cd->name);
	p->has_min = cd->has_min;
	p->min_kib = cd->min_kib;
	p->has_max = cd->has_max;
	p->max_kib = cd->max_kib;
	p->has_startup = cd->has_startup;
	p->startup_kib = cd->startup_kib;
	p->has_weight = 1;
	p->weight = cd->weight;
	p->has_buffer = cd->buffer_pct != 0;
	p->buffer_pct = cd->buffer_pct;
	p->has_managed = 1;
	p->managed = cd->managed;
}

/* Carry out a save or forget request of cd; the answer goes to res. */
static void vmstate_do_request(const struct vmstate *vs, struct xs_handle *xs,
			       const struct cache_dom *cd, char *res, size_t len)
{
	char path[VMSTATE_PATH_MAX], admin[VMSTATE_PATH_MAX], err[VMSTATE_ERR_LEN];
	struct vmstate_policy p;
	size_t at;
	int rc;

	if (!cd->name[0]) {
		snprintf(res, len, "failed: the domain has no name");
		return;
	}
	if (!strcmp(cd->policy_request, "save")) {
		vmstate_from_dom(cd, &p);
		vmstate_read_uuid(xs, cd->domid, p.uuid, sizeof(p.uuid));
		rc = vmstate_save(vs, &p, path, sizeof(path), err, sizeof(err));
		if (rc)
			snprintf(res, len, "failed: %s", err);
		else
			snprintf(res, len, "saved %s", path);
	} else if (!strcmp(cd->policy_request, "forget")) {
		rc = vmstate_forget(vs, cd->name, path, sizeof(path), err, sizeof(err));
		if (rc == XMEM_ERR_NOTFOUND)
			snprintf(res, len, "nothing saved");
		else if (rc)
			snprintf(res, len, "failed: %s", err);
		else
			snprintf(res, len, "forgotten %s", path);
	} else {
		snprintf(res, len, "failed: unknown request \"%s\" (save or forget)",
			 cd->policy_request);
		return;
	}
	at = strlen(res);
	if (vmstate_admin_file(vs, cd->name, admin, sizeof(admin)))
		snprintf(res + at, len - at, "; admin %s", admin);
}

/* Answer cd's memory/policy-request. 1 when the keys changed. */
static int vmstate_answer(const struct vmstate *vs, struct xs_handle *xs,
			  const struct cache_dom *cd)
{
	struct vmstate_write w[3];
	size_t nr = 0;

	memset(w, 0, sizeof(w));
	w[nr].rel = XS_DOM_POLICY_RESULT;
	vmstate_do_request(vs, xs, cd, w[nr].val, sizeof(w[nr].val));
	nr++;
	w[nr].rel = XS_DOM_POLICY_REQUEST;
	w[nr++].remove = 1;
	if (!cd->has_policy_source) {
		/* Its policy is the one just given: nothing to look up any more. */
		w[nr].rel = XS_DOM_POLICY_SOURCE;
		snprintf(w[nr++].val, sizeof(w[0].val), "none");
	}
	log_info("domain %u (%s): policy %s: %s", cd->domid, cd->name, cd->policy_request,
		 w[0].val);
	return vmstate_txn(xs, cd->domid, XS_DOM_POLICY_REQUEST, cd->policy_request, w, nr);
}

/* Fill w with p's keys and the source line; returns how many. */
static size_t vmstate_policy_writes(const struct vmstate_policy *p, const char *source,
				    struct vmstate_write *w)
{
	size_t nr = 0;

	if (p->has_min) {
		w[nr].rel = XS_DOM_DYNAMIC_MIN;
		snprintf(w[nr++].val, sizeof(w[0].val), "%" PRIu64, p->min_kib);
	}
	if (p->has_max) {
		w[nr].rel = XS_DOM_DYNAMIC_MAX;
		snprintf(w[nr++].val, sizeof(w[0].val), "%" PRIu64, p->max_kib);
	}
	if (p->has_startup) {
		w[nr].rel = XS_DOM_STARTUP;
		snprintf(w[nr++].val, sizeof(w[0].val), "%" PRIu64, p->startup_kib);
	}
	if (p->has_weight) {
		w[nr].rel = XS_DOM_WEIGHT;
		snprintf(w[nr++].val, sizeof(w[0].val), "%" PRIu64, p->weight);
	}
	if (p->has_buffer) {
		w[nr].rel = XS_DOM_BUFFER;
		snprintf(w[nr++].val, sizeof(w[0].val), "%" PRIu64, p->buffer_pct);
	}
	/* A policy file means "manage this VM" unless it says otherwise. */
	w[nr].rel = XS_DOM_MANAGED;
	snprintf(w[nr++].val, sizeof(w[0].val), "%d", p->has_managed ? p->managed : 1);
	w[nr].rel = XS_DOM_POLICY_SOURCE;
	snprintf(w[nr++].val, sizeof(w[0].val), "%s", source);
	return nr;
}

/* cd appeared: apply its VM's policy, or say there is none. 1 when the keys changed. */
static int vmstate_apply(const struct vmstate *vs, struct xs_handle *xs, const struct cache_dom *cd)
{
	char path[VMSTATE_PATH_MAX], source[VMSTATE_PATH_MAX + 16], uuid[VMSTATE_UUID_MAX];
	struct vmstate_write w[8];
	struct vmstate_policy p;
	enum vmstate_source src;
	size_t nr;

	memset(w, 0, sizeof(w));
	vmstate_read_uuid(xs, cd->domid, uuid, sizeof(uuid));
	src = vmstate_lookup(vs, cd->name, uuid, &p, path, sizeof(path));
	if (src == VMSTATE_NONE) {
		memset(&p, 0, sizeof(p));
		w[0].rel = XS_DOM_POLICY_SOURCE;
		snprintf(w[0].val, sizeof(w[0].val), "none");
		return vmstate_txn(xs, cd->domid, XS_DOM_POLICY_SOURCE, NULL, w, 1);
	}
	vmstate_clamp(&p, cd->static_max_kib);
	snprintf(source, sizeof(source), "%s %s", src == VMSTATE_ADMIN ? "admin" : "saved", path);
	nr = vmstate_policy_writes(&p, source, w);
	if (!vmstate_txn(xs, cd->domid, XS_DOM_POLICY_SOURCE, NULL, w, nr))
		return 0;
	log_info("domain %u (%s): policy from %s applied", cd->domid, cd->name, source);
	return 1;
}

/* Is name a domain still arriving by migration (xl's NAME--incoming)? */
static int vmstate_incoming(const char *name)
{
	size_t n = strlen(name), k = strlen(VMSTATE_INCOMING);

	return n > k && !strcmp(name + n - k, VMSTATE_INCOMING);
}

size_t vmstate_sync(const struct vmstate *vs, struct cache *c, struct xs_handle *xs)
{
	size_t i, changed = 0;

	for (i = 0; i < c->nr_doms; i++) {
		struct cache_dom *cd = &c->doms[i];
		int done = 0;

		if (cd->policy_request[0])
			done = vmstate_answer(vs, xs, cd);
		else if (!cd->has_policy_source && cd->name[0] && cd->has_static_max &&
			 !vmstate_incoming(cd->name))
			done = vmstate_apply(vs, xs, cd);
		if (done) {
			cd->dirty = 1;
			changed++;
		}
	}
	return changed;
}
