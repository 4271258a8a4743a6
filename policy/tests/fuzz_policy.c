/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_policy.c: libFuzzer target for policy_plan(). The input is decoded
 * into a policy, a host and up to 64 domains (any values, including
 * nonsense); every kind plans them and the contract is checked: bounds,
 * the budget, excluded domains untouched, apply and phase consistent. A
 * broken contract aborts. Domains may carry a cover-tier history of raw
 * input bytes (any floats: not a number, infinite, negative), updated in
 * place or into other storage.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "xmem_err.h"

#define FUZZ_MAX_DOMS 64

struct fuzz_in {
	const uint8_t *p;
	size_t len;
};

/* Next n bytes as a little-endian number (zeros once the input runs out). */
static uint64_t fuzz_take(struct fuzz_in *in, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t b = 0;

		if (in->len) {
			b = *in->p++;
			in->len--;
		}
		v |= b << (8 * i);
	}
	return v;
}

/* A size in KiB up to about 1 TiB, from 5 bytes. */
static uint64_t fuzz_size(struct fuzz_in *in)
{
	return fuzz_take(in, 5) & ((UINT64_C(1) << 30) - 1);
}

static void fuzz_check(const struct policy *pol, const struct policy_host *h,
		       const struct policy_dom *d, size_t nr, const struct policy_out *out, int rc)
{
	uint64_t budget = policy_budget_kib(h, d, nr), sum = 0, sum_min = 0;
	size_t i;

	if (rc == XMEM_ERR_INVAL)
		return;
	if (rc)
		abort();
	for (i = 0; i < nr; i++) {
		if (out[i].domid != d[i].domid)
			abort();
		if (out[i].included != policy_dom_included(&d[i]))
			abort();
		if (out[i].apply != (out[i].target_kib != d[i].target_kib))
			abort();
		if (out[i].apply ? out[i].phase != 1 && out[i].phase != 2 : out[i].phase != 0)
			abort();
		if (!out[i].included) {
			if (out[i].apply || out[i].target_kib != d[i].target_kib)
				abort();
			continue;
		}
		if (out[i].target_kib < d[i].min_kib || out[i].target_kib > d[i].max_kib)
			abort();
		if (out[i].apply && out[i].phase == 1 && out[i].target_kib > d[i].current_kib)
			abort();
		sum += out[i].target_kib;
		sum_min += d[i].min_kib;
	}
	if (sum_min <= budget && sum > budget)
		abort();
	(void)pol;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum policy_kind kinds[] = { POLICY_XMEM, POLICY_HYPERV, POLICY_PROPORTIONAL,
						  POLICY_STATIC };
	struct policy_dom d[FUZZ_MAX_DOMS];
	struct policy_out out[FUZZ_MAX_DOMS];
	static struct policy_history hist[FUZZ_MAX_DOMS], next[FUZZ_MAX_DOMS];
	static struct policy_scratch *scratch; /* kept until the fuzzer exits */
	struct fuzz_in in = { data, size };
	struct policy pol, base;
	struct policy_host h;
	size_t nr, i, k;

	memset(&base, 0, sizeof(base));
	base.default_buffer_pct = (unsigned int)fuzz_take(&in, 2) % (POLICY_BUFFER_MAX_PCT + 1);
	base.deadband_kib = fuzz_size(&in);
	base.deadband_pct = (unsigned int)fuzz_take(&in, 1) % 101;
	base.shrink_pct_per_s = (unsigned int)fuzz_take(&in, 1) % 101;
	base.pressure_boost_pct = (unsigned int)fuzz_take(&in, 2) % 1001;
	base.headroom_halflife_s = (unsigned int)fuzz_take(&in, 3);
	base.cover_halflife_s = (unsigned int)fuzz_take(&in, 3);
	base.cover_rise_s = (unsigned int)fuzz_take(&in, 2);
	memset(&h, 0, sizeof(h));
	h.total_kib = fuzz_size(&in);
	h.free_kib = fuzz_size(&in);
	h.claimed_kib = fuzz_size(&in) >> (fuzz_take(&in, 1) % 31);
	h.floor_kib = fuzz_size(&in) >> (fuzz_take(&in, 1) % 31);
	h.reserved_kib = fuzz_size(&in) >> (fuzz_take(&in, 1) % 31);
	h.now_ms = fuzz_take(&in, 6);
	nr = (size_t)fuzz_take(&in, 1) % (FUZZ_MAX_DOMS + 1);
	for (i = 0; i < nr; i++) {
		uint8_t flags = (uint8_t)fuzz_take(&in, 1);

		memset(&d[i], 0, sizeof(d[i]));
		d[i].domid = (uint32_t)i;
		d[i].min_kib = fuzz_size(&in);
		d[i].max_kib = fuzz_size(&in);
		if (flags & 0x80 && d[i].min_kib > d[i].max_kib) {
			uint64_t t = d[i].min_kib; /* mostly in order */

			d[i].min_kib = d[i].max_kib;
			d[i].max_kib = t;
		}
		d[i].static_max_kib = flags & 0x40 ? 0 : d[i].max_kib + fuzz_size(&in) % 1024;
		d[i].startup_kib = fuzz_size(&in);
		d[i].weight = (unsigned int)fuzz_take(&in, 2) % (POLICY_WEIGHT_MAX + 2);
		d[i].buffer_pct = (unsigned int)fuzz_take(&in, 2) % 2100;
		d[i].current_kib = fuzz_size(&in);
		d[i].target_kib = fuzz_size(&in);
		d[i].last_change_ms = fuzz_take(&in, 6);
		d[i].has_demand = flags & 1;
		d[i].used_kib = fuzz_size(&in);
		d[i].committed_kib = fuzz_size(&in);
		d[i].psi_some_x100 = (unsigned int)fuzz_take(&in, 2);
		d[i].psi_full_x100 = (unsigned int)fuzz_take(&in, 2);
		d[i].swap_kib_s = fuzz_size(&in);
		d[i].balloon = (enum policy_balloon)(fuzz_take(&in, 1) % 5);
		d[i].managed = !!(flags & 2);
		d[i].has_balloon = !!(flags & 4);
		d[i].cooperative = !!(flags & 8);
		d[i].prev_desired_kib = flags & 0x10 ? fuzz_size(&in) : 0;
		d[i].prev_plan_ms = fuzz_take(&in, 6);
		d[i].prev_demand_kib = fuzz_size(&in);
		if (flags & 0x20) {
			uint8_t *p = (uint8_t *)&hist[i];
			size_t b;

			for (b = 0; b < sizeof(hist[i]); b++)
				p[b] = (uint8_t)fuzz_take(&in, 1);
			d[i].prev_history = &hist[i];
			d[i].history = flags & 0x40 ? &hist[i] : &next[i];
		}
	}
	/*
	 * Half the inputs plan in a scratch kept from input to input, as
	 * xmemd keeps one from round to round (any size, any kind before).
	 */
	if (!scratch)
		scratch = policy_scratch_new();
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		pol = base;
		pol.kind = kinds[k];
		fuzz_check(&pol, &h, d, nr, out,
			   policy_plan_with(nr % 2 ? scratch : NULL, &pol, &h, d, nr, out));
	}
	return 0;
}
