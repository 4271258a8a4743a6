/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_guest_input.c: libFuzzer target for everything a guest reads from
 * outside: the kernel's /proc text (report_parse_*), memory/target and
 * memory/static-max values (frontend), and workload specs (workload_parse,
 * without trace: files). The first byte picks the parser. Any crash, leak or
 * sanitizer report is a bug; the frontend must also never move past its
 * static-max nor give back more than the guest can spare.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/agent/report.h"
#include "guest/balloon/frontend.h"
#include "guest/balloon/workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_guest {
	uint64_t tot, avail;
};

static long fuzz_decrease(void *arg, unsigned long nr, const uint64_t *frames)
{
	struct fuzz_guest *g = arg;

	if (nr > g->avail)
		abort(); /* the frontend took memory the guest cannot spare */
	g->tot -= nr;
	g->avail -= nr;
	return (long)nr;
}

static long fuzz_populate(void *arg, unsigned long nr, uint64_t *frames)
{
	struct fuzz_guest *g = arg;
	unsigned long i;

	for (i = 0; i < nr; i++)
		frames[i] = 1000000 + g->tot + i;
	g->tot += nr;
	return (long)nr;
}

static uint64_t fuzz_available(void *arg)
{
	return ((struct fuzz_guest *)arg)->avail;
}

static uint64_t fuzz_reserve(void *arg)
{
	return 64;
}

static const struct frontend_ops fuzz_ops = {
	.decrease = fuzz_decrease,
	.populate = fuzz_populate,
	.available_pages = fuzz_available,
	.reserve_pages = fuzz_reserve,
};

/* Feed a target (and a static-max before it) through a small guest. */
static void fuzz_frontend(const char *text)
{
	struct fuzz_guest g = { 4096, 1000 };
	struct frontend fe;
	const char *nl = strchr(text, '\n');
	char smax[64];
	int i;

	frontend_init(&fe, g.tot, &fuzz_ops, &g);
	if (nl && (size_t)(nl - text) < sizeof(smax)) {
		memcpy(smax, text, (size_t)(nl - text));
		smax[nl - text] = '\0';
		frontend_static_max(&fe, smax);
		text = nl + 1;
	} else {
		frontend_static_max(&fe, "65536");
	}
	if (frontend_target(&fe, text, NULL) == 1) {
		for (i = 0; i < 64 && frontend_run(&fe) == 0; i++)
			;
	}
	if (fe.current_pages != g.tot || fe.current_pages > fe.physmap_pages)
		abort();
	frontend_free(&fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_kv kvs[REPORT_MAX_KVS];
	struct report_sample s;
	char err[WORKLOAD_ERR_LEN];
	struct workload w;
	char *text;

	if (size < 1 || size > 65536)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	memset(&s, 0, sizeof(s));
	switch (data[0] % 5) {
	case 0:
		report_parse_meminfo(text, &s);
		break;
	case 1:
		report_parse_vmstat(text, &s);
		break;
	case 2:
		report_parse_psi(text, &s);
		break;
	case 3:
		fuzz_frontend(text);
		break;
	case 4:
		if (strncmp(text, "trace:", 6) != 0 &&
		    workload_parse(text, 300, &w, err, sizeof(err)) == 0) {
			workload_demand_kib(&w, 123456789);
			workload_free(&w);
		}
		break;
	}
	report_format(&s, NULL, kvs, REPORT_MAX_KVS);
	free(text);
	return 0;
}
