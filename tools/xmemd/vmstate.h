/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmstate.h: a VM's memory policy kept across its domains.
 *
 * A domain's policy lives in the keys under /local/domain/N/memory, which goes with the
 * domain. xmemd keeps a copy per VM so a re-created, rebooted, restarted-host
 * or migrated-in VM is managed as before:
 *
 *   STATE_DIR/vm/NAME.json     saved by xmemd when `xmem mem-policy` asks
 *                              (memory/policy-request = save), removed on
 *                              `--forget` (policy-request = forget)
 *   DOMAINS_DIR/NAME.json      written by configuration management; it wins
 *                              over the saved file and xmemd never writes it
 *
 * A file holds { "name", "uuid" (optional), "min", "max", "startup",
 * "weight", "buffer", "managed" }: sizes in KiB (or xl sizes, "512M", in an
 * admin's file), every member but "name" optional, unknown members refused.
 * A VM is found by its name (admin's file, then saved file), then by the uuid
 * the toolstack wrote (/local/domain/N/vm = /vm/<uuid>), so a renamed VM
 * keeps its saved policy too. Saved files are written atomically (temporary
 * file, fsync, rename, fsync of the directory).
 *
 * When xmemd first sees a domain that has a name, a static-max and no
 * memory/policy-source, it looks its VM up and writes the policy's keys and
 * policy-source in one transaction, before the rebalance that follows plans
 * the domain. A domain that already has policy-source (xmemd restarted) keeps
 * its keys. A domain named NAME--incoming (xl migrate's name until the
 * migration completes) is looked up once it has its final name.
 *
 * Bad files (not JSON, wrong members, sizes out of order) are refused with a
 * log line naming the file and the problem; the domain then keeps what its
 * builder wrote.
 */
#ifndef XMEMD_VMSTATE_H
#define XMEMD_VMSTATE_H

#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>

#define VMSTATE_NAME_MAX  64
#define VMSTATE_UUID_MAX  40
#define VMSTATE_PATH_MAX  4096
#define VMSTATE_ERR_LEN	  512
#define VMSTATE_MAX_FILES 100000 /* a uuid search reads at most this many saved files */
#define VMSTATE_INCOMING  "--incoming"

struct cache;

struct vmstate_policy {
	char name[VMSTATE_NAME_MAX];
	char uuid[VMSTATE_UUID_MAX]; /* "" when unknown */
	int has_min, has_max, has_startup, has_weight, has_buffer, has_managed;
	uint64_t min_kib, max_kib, startup_kib;
	uint64_t weight;
	uint64_t buffer_pct;
	int managed;
};

enum vmstate_source {
	VMSTATE_NONE = 0,
	VMSTATE_ADMIN, /* DOMAINS_DIR/NAME.json */
	VMSTATE_SAVED, /* STATE_DIR/vm/NAME.json */
};

struct vmstate {
	char state_dir[VMSTATE_PATH_MAX];   /* "" disables saving */
	char domains_dir[VMSTATE_PATH_MAX]; /* "" disables the admin's files */
	int ready;			    /* STATE_DIR/vm exists */
};

/*
 * Set up vs for the two directories (either may be ""), creating
 * STATE_DIR/vm (mode 0700). 0, or a negative XMEM_ERR_* with a message in err
 * (vs is then usable for lookups; saving fails with that reason).
 */
int vmstate_init(struct vmstate *vs, const char *state_dir, const char *domains_dir, char *err,
		 size_t err_len);

/*
 * The file name of VM name: name with every byte outside [A-Za-z0-9_.-] (and
 * a leading '.') written %XX, plus ".json". 0, or XMEM_ERR_INVAL for an empty
 * name or one that does not fit len.
 */
int vmstate_file_name(const char *name, char *buf, size_t len);

/*
 * Parse a policy document (text, NUL-terminated) read from what (a path, for
 * messages). A document without "name" takes default_name ("" refuses it).
 * 0, or XMEM_ERR_INVAL with one line in err naming what and the member.
 */
int vmstate_parse(const char *text, const char *what, const char *default_name,
		  struct vmstate_policy *p, char *err, size_t err_len);

/* Read and parse a file; as vmstate_parse, plus XMEM_ERR_NOTFOUND when it does not exist. */
int vmstate_load(const char *path, const char *default_name, struct vmstate_policy *p, char *err,
		 size_t err_len);

/* p as a saved file's JSON document (sizes in KiB). 0 or a negative XMEM_ERR_*; *buf_r malloc'd. */
int vmstate_format(const struct vmstate_policy *p, char **buf_r, size_t *len_r);

/*
 * Save p as STATE_DIR/vm/NAME.json atomically; the path is written to
 * path_r. 0, or a negative XMEM_ERR_* with a message in err.
 */
int vmstate_save(const struct vmstate *vs, const struct vmstate_policy *p, char *path_r,
		 size_t path_len, char *err, size_t err_len);

/*
 * Remove the saved file of VM name (path in path_r). 0, XMEM_ERR_NOTFOUND
 * when there was none, or another negative XMEM_ERR_* with a message in err.
 */
int vmstate_forget(const struct vmstate *vs, const char *name, char *path_r, size_t path_len,
		   char *err, size_t err_len);

/*
 * The admin's file for name, when there is one: its path in path_r,
 * returns 1; 0 when there is none.
 */
int vmstate_admin_file(const struct vmstate *vs, const char *name, char *path_r, size_t path_len);

/*
 * Find VM (name, uuid): the admin's file for name, else the saved file for
 * name, else a saved file carrying uuid (uuid "" skips that). Returns the
 * source (VMSTATE_NONE: nothing usable) with the policy in *p and its file in
 * path_r. A bad file is logged and skipped.
 */
enum vmstate_source vmstate_lookup(const struct vmstate *vs, const char *name, const char *uuid,
				   struct vmstate_policy *p, char *path_r, size_t path_len);

/*
 * Fit p to a domain whose static-max is static_max_kib: max at most
 * static-max, min at most max, startup within [min, max].
 */
void vmstate_clamp(struct vmstate_policy *p, uint64_t static_max_kib);

/*
 * The key-tree side, run by xmemd after each cache refresh: answer every
 * domain's memory/policy-request, and apply saved or admin policies to
 * domains seen for the first time (see above). Returns the number of domains
 * whose keys it changed (their cache entries are marked dirty: refresh
 * again before planning).
 */
size_t vmstate_sync(const struct vmstate *vs, struct cache *c, struct xs_handle *xs);

#endif
