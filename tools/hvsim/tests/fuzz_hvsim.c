/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_hvsim.c: libFuzzer target for xmem-hvsim's request parser and
 * dispatcher (tools/hvsim/dispatch.c) over a small simulated host.
 *
 * The input is a byte stream as a connection would deliver it. Its first
 * byte picks who speaks (the privileged socket, dom0, guests 1 and 2, or a
 * domain that does not exist); after each message the speaker changes with
 * the message's req_id, so one input mixes privileged and guest requests.
 * After every message the simulator's invariants must hold and the reply
 * must fit the protocol's bound; anything else aborts.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "domain.h"
#include "hvsim_proto.h"
#include "log.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t fuzz_callers[] = { DISPATCH_PRIV, 0, 1, 2, 9 };
#define FUZZ_NR_CALLERS (sizeof(fuzz_callers) / sizeof(fuzz_callers[0]))

static uint64_t fuzz_rep[HVSIM_MAX_MSG / 8 + 1];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hvsim *sim = NULL;
	struct hvsim_check_rep check;
	struct hvsim_hdr hdr;
	enum dispatch_result res;
	size_t used, rep_len;
	uint32_t who;

	if (size < 1)
		return 0;
	log_init("fuzz_hvsim", LOG_TO_CLI, 0);
	if (sim_new(8192, 64, 512, &sim) || domain_create(sim, 1, 2048, 256) ||
	    domain_create(sim, 2, 4096, 64))
		abort();
	who = fuzz_callers[data[0] % FUZZ_NR_CALLERS];
	data++;
	size--;
	for (;;) {
		res = dispatch_next(sim, who, data, size, &used, (uint8_t *)fuzz_rep, &rep_len);
		if (res == DISPATCH_MORE)
			break;
		if (used > size || rep_len < sizeof(hdr) || rep_len > HVSIM_MAX_MSG)
			abort();
		memcpy(&hdr, fuzz_rep, sizeof(hdr));
		if (hdr.len != rep_len - sizeof(hdr))
			abort();
		if (sim_check(sim, &check))
			abort();
		if (res == DISPATCH_CLOSE)
			break;
		memcpy(&hdr, data, sizeof(hdr));
		who = fuzz_callers[hdr.req_id % FUZZ_NR_CALLERS];
		data += used;
		size -= used;
	}
	sim_free(sim);
	return 0;
}
