/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * report.h: the guest's demand report, shared by xmem-guestd (a real Linux
 * guest: /proc and /sys) and xmem-balloon (a simulated guest: its memory
 * model).
 *
 * A report is a sample of signals (struct report_sample, one value per
 * enum report_field, with a bit saying which ones are known), turned into
 * key/value pairs under data/ by report_format(), and written by
 * report_write(): only the values that changed since the last successful
 * write, with data/xmem/seq incremented, in one transaction.
 */
#ifndef XMEM_REPORT_H
#define XMEM_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>

enum report_field {
	REPORT_MEM_TOTAL,	/* MemTotal, KiB */
	REPORT_MEM_FREE,	/* MemFree, KiB */
	REPORT_MEM_AVAILABLE,	/* MemAvailable, KiB */
	REPORT_COMMITTED,	/* Committed_AS, KiB */
	REPORT_SWAP_TOTAL,	/* SwapTotal, KiB */
	REPORT_SWAP_FREE,	/* SwapFree, KiB */
	REPORT_PSWPIN,		/* /proc/vmstat pswpin, pages */
	REPORT_PSWPOUT,		/* /proc/vmstat pswpout, pages */
	REPORT_PGMAJFAULT,	/* /proc/vmstat pgmajfault */
	REPORT_PSI_SOME,	/* memory some avg10, hundredths of a percent */
	REPORT_PSI_FULL,	/* memory full avg10, hundredths of a percent */
	REPORT_PSI_SOME_TOTAL,	/* memory some total=, microseconds since boot */
	REPORT_BALLOON_TARGET,	/* xen_memory0/target_kb */
	REPORT_BALLOON_CURRENT, /* xen_memory0/info/current_kb */
	REPORT_BALLOON_RETRIES, /* xen_memory0/retry_count */
	REPORT_BALLOON_DELAY,	/* xen_memory0/schedule_delay, seconds */
	REPORT_HOTPLUG,		/* 1: the kernel can hot-add memory (report_read_hotplug) */
	REPORT_NR_FIELDS
};

struct report_sample {
	uint64_t val[REPORT_NR_FIELDS];
	uint32_t have; /* bit (1u << field) set when val[field] is known */
};

/* Record a value. */
static inline void report_set(struct report_sample *s, enum report_field f, uint64_t v)
{
	s->val[f] = v;
	s->have |= 1u << f;
}

static inline int report_has(const struct report_sample *s, enum report_field f)
{
	return (s->have >> f) & 1u;
}

/*
 * Parsers of the kernel's text files. Each records the fields it finds in s
 * and ignores the rest; a malformed line is skipped. They return the number
 * of fields recorded.
 */
int report_parse_meminfo(const char *text, struct report_sample *s);
int report_parse_vmstat(const char *text, struct report_sample *s);
int report_parse_psi(const char *text, struct report_sample *s);

/*
 * Whether the kernel under root can hot-add memory past its boot size
 * through its balloon driver: /proc/sys/xen/balloon/hotplug_unpopulated
 * exists only in kernels built with CONFIG_XEN_BALLOON_MEMORY_HOTPLUG, and
 * /sys/devices/system/memory only with memory hotplug itself. Records
 * REPORT_HOTPLUG (1 when both are there, else 0).
 */
void report_read_hotplug(const char *root, struct report_sample *s);

/*
 * Read a machine's files under root ("/" for this machine, or a recorded
 * tree): proc/meminfo, proc/vmstat, proc/pressure/memory and the Xen
 * balloon's sys/devices/system/xen_memory/xen_memory0/, and whether it can
 * hot-add memory (report_read_hotplug). Missing files leave
 * their fields unknown. Returns 0, or XMEM_ERR_NOTFOUND when not even
 * proc/meminfo could be read.
 */
int report_read_root(const char *root, struct report_sample *s);

#define REPORT_MAX_KVS 24
#define REPORT_VAL_LEN 160

struct report_kv {
	const char *path; /* relative key path from xs_schema.h (static) */
	char val[REPORT_VAL_LEN];
};

/* The balloon frontend's own progress (the data/balloon keys). */
struct report_balloon {
	const char *state; /* done, working, backoff, gave-up */
	uint64_t current_kib;
	uint64_t target_kib;
	unsigned int retries;
	const char *last_error; /* NULL: not known (leave the key alone) */
};

/*
 * The guest's used memory as xmem-guestd reports it (data/xmem/used_kib):
 * MemTotal - MemAvailable. 0, or XMEM_ERR_NOTFOUND when either is unknown.
 */
int report_used_kib(const struct report_sample *s, uint64_t *used_kib_r);

/*
 * Turn a sample (and, when balloon is not NULL, the frontend's progress)
 * into key/value pairs: data/meminfo_total, data/meminfo_free and
 * the data/xmem keys for the known signals (used_kib when MemTotal and
 * MemAvailable are both known). Returns the number of pairs written to kvs
 * (at most max).
 */
size_t report_format(const struct report_sample *s, const struct report_balloon *balloon,
		     struct report_kv *kvs, size_t max);

/*
 * What a real guest's balloon sysfs says about progress, as a state name.
 * Linux does not expose its state, so it is inferred: done when current
 * equals target, backoff when retry_count is above 1, gave-up when the
 * allocation has not moved for stalled_periods >= 3 periods without retries
 * (Linux resets its counters when it cancels), otherwise working.
 */
const char *report_balloon_state(const struct report_sample *s, unsigned int stalled_periods);

/* What was last written: the values of keys, so a report sends only changes. */
struct report_cache {
	size_t nr;
	const char *paths[REPORT_MAX_KVS];
	char vals[REPORT_MAX_KVS][REPORT_VAL_LEN];
	uint64_t seq;	   /* the last data/xmem/seq written */
	int no_seq;	   /* write no data/xmem/seq (playing another agent, which has none) */
	unsigned int idle; /* calls of report_write() with nothing to write since the last write */
	unsigned int heartbeat_calls; /* 0: REPORT_HEARTBEAT_CALLS (report_heartbeat_calls()) */
};

/*
 * A reporter with nothing new still says it is alive: every
 * heartbeat_calls-th call without a change writes data/xmem/seq alone, so a
 * reader can tell a steady guest from a reporter that stopped. Callers set
 * it from their period so the heartbeat comes every REPORT_HEARTBEAT_MS (or
 * every period, when that is longer).
 */
#define REPORT_HEARTBEAT_CALLS 20u
#define REPORT_HEARTBEAT_MS    20000u

/* The heartbeat_calls for a reporter writing every period_ms. */
unsigned int report_heartbeat_calls(long period_ms);

/* Forget everything written (after a reconnect: the store may have lost it). */
void report_cache_reset(struct report_cache *c);

/*
 * On a fresh connection: continue data/xmem/seq from the value in the store
 * when it is ahead of ours (a restarted reporter never counts backwards).
 */
void report_resume_seq(struct xs_handle *xs, struct report_cache *c);

/*
 * Mark in changed[i] (nonzero) every kv that differs from the cache. Returns
 * the number of changed pairs.
 */
size_t report_diff(const struct report_cache *c, const struct report_kv *kvs, size_t n,
		   unsigned char *changed);

/* Record the changed pairs as written. */
void report_cache_commit(struct report_cache *c, const struct report_kv *kvs, size_t n,
			 const unsigned char *changed);

/*
 * Write the pairs of kvs that changed, plus data/xmem/seq (unless
 * c->no_seq), in one transaction (retried on EAGAIN), and update the cache. Nothing changed:
 * nothing is written, but for the heartbeat (seq alone, see above). Returns the number of pairs written, or a negative
 * XMEM_ERR_* with errno from libxenstore (XMEM_ERR_IO: the connection is
 * likely gone).
 */
int report_write(struct xs_handle *xs, struct report_cache *c, const struct report_kv *kvs,
		 size_t n);

/*
 * Check that the connection still answers (one read of data/xmem/seq), for
 * periods with nothing to write: a store that went away is otherwise only
 * noticed at the next change. Returns 0, or XMEM_ERR_IO when the connection
 * failed.
 */
int report_probe(struct xs_handle *xs);

#endif
