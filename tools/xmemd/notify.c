/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * notify.c: see notify.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"

void notify_init(struct notify *n)
{
	uint64_t usec = 0;

	memset(n, 0, sizeof(*n));
	if (sd_watchdog_enabled(0, &usec) > 0)
		n->watchdog_usec = usec;
}

void notify_summary(const struct publish *p, char *buf, size_t len)
{
	const struct publish_host *h = &p->last_host;
	size_t i, uncoop = 0;

	for (i = 0; i < p->nr_last; i++)
		uncoop += p->last[i].uncooperative ? 1 : 0;
	snprintf(buf, len,
		 "%zu domains (%zu uncooperative), %" PRIu64 " MiB free of %" PRIu64
		 " MiB, %" PRIu64 " MiB waiting, %zu reservations, %" PRIu64 " rebalances",
		 p->nr_last, uncoop, h->free_kib / 1024, h->total_kib / 1024, h->waiting_kib / 1024,
		 h->nr_reservations, h->rebalances);
}

void notify_rebalanced(struct notify *n, const struct publish *p)
{
	char status[256];

	notify_summary(p, status, sizeof(status));
	if (!n->ready) {
		n->ready = 1;
		sd_notifyf(0, "READY=1\nSTATUS=%s", status);
		log_debug("ready: %s", status);
		return;
	}
	sd_notifyf(0, "STATUS=%s", status);
}

void notify_watchdog(const struct notify *n)
{
	if (n->watchdog_usec)
		sd_notify(0, "WATCHDOG=1");
}

void notify_reloading(const struct notify *n, int done, const char *status)
{
	if (!done) {
		sd_notify(0, "RELOADING=1");
		return;
	}
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void notify_stopping(const struct notify *n)
{
	(void)n;
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}
