/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * scenario.h: a simulated host described in a JSON file (xmem-scenario(5)).
 *
 *   {
 *     "name": "demo",
 *     "memory": "24G",            host memory (required)
 *     "dom0": "1G",               dom0's allocation (default: the simulator's)
 *     "floor": "512M",            memory xmemd never hands out (default: xmemd's)
 *     "policy": "policy/x.json",  xmemd --policy (default: xmemd's)
 *     "time-scale": 300,          trace seconds per real second (default 300)
 *     "period-ms": 1000,          xmemd control period (default: xmemd's)
 *     "guests": [ { "name": "web1", "static-max": "4G", "startup": "1G",
 *                   "min": "256M", "max": "4G", "weight": 5000, "buffer": 20,
 *                   "workload": "trace:FILE:VM_ID", "managed": true,
 *                   "hvm": false, "agent": "xmem" }, ... ]
 *   }
 *
 * A guest's agent is what its xmem-balloon plays (xmem-balloon --agent):
 * xmem (default), xe-guest-utilities, qubes or none.
 *
 * Sizes are numbers (KiB) or strings with xl's suffixes (a bare number in a
 * string is MiB, as xl). Relative file names (policy, trace files) are taken
 * relative to the scenario file's directory and stored absolute.
 */
#ifndef XMEM_SIMHOST_SCENARIO_H
#define XMEM_SIMHOST_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#define SCENARIO_ERR_LEN	    512
#define SCENARIO_MAX_GUESTS	    512
#define SCENARIO_NAME_MAX	    128 /* characters of a scenario's name */
#define SCENARIO_DEFAULT_TIME_SCALE 300.0

struct scenario_guest {
	char *name;
	uint64_t static_max_kib;
	uint64_t startup_kib;
	uint64_t min_kib;
	uint64_t max_kib;
	unsigned int weight;
	unsigned int buffer_pct;
	int managed;
	int hvm;
	char *workload; /* SPEC as xmem-balloon takes it, trace file made absolute */
	char agent[24]; /* the guest's agent (xmem-balloon --agent); default xmem */
};

struct scenario {
	char *name;
	char *path; /* the file it came from, absolute */
	uint64_t memory_kib;
	uint64_t dom0_kib;  /* 0: the simulator's default */
	uint64_t floor_kib; /* 0 with has_floor == 0: xmemd's default */
	int has_floor;
	char *policy; /* NULL: xmemd's default; absolute otherwise */
	double time_scale;
	unsigned int period_ms; /* 0: xmemd's default */
	struct scenario_guest *guests;
	size_t nr_guests;
};

/*
 * Load and validate the scenario in path. Returns NULL with a one-line
 * message in err naming the field ("guests[2].weight: expected an integer
 * from 0 to 10000") when the file cannot be read or is invalid.
 */
struct scenario *scenario_load(const char *path, char *err, size_t err_len);

/*
 * Validate parsed JSON (exposed for tests). base is the directory relative
 * file names are resolved against. NULL with err set on failure.
 */
struct scenario *scenario_from_json(const char *text, const char *base, char *err, size_t err_len);

/*
 * Check a workload SPEC (trace:FILE:VM_ID, steady:SIZE, ramp:FROM:TO:SECONDS,
 * spike:BASE:PEAK:PERIOD_S:LENGTH_S, idle). Returns 0, or XMEM_ERR_INVAL with
 * the reason in err. Trace files are not opened here.
 */
int scenario_workload_check(const char *spec, char *err, size_t err_len);

/* Sum of the guests' startup sizes. */
uint64_t scenario_startup_total_kib(const struct scenario *sc);

/* Write sc as JSON (its normalised form, sizes in KiB) to path. 0 or XMEM_ERR_*. */
int scenario_save(const struct scenario *sc, const char *path);

void scenario_free(struct scenario *sc);

#endif
