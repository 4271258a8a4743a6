/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * notify.h: xmemd's messages to its service manager (sd_notify(3), libsystemd).
 *
 * READY=1 once the first rebalance is done (a unit ordered after xmemd.service
 * then finds targets set), STATUS= a one-line summary after every rebalance,
 * WATCHDOG=1 from the period timer, RELOADING=1/READY=1 around a reload and
 * STOPPING=1 at the end. Without $NOTIFY_SOCKET every call does nothing.
 */
#ifndef XMEMD_NOTIFY_H
#define XMEMD_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "publish.h"

struct notify {
	int ready;		/* READY=1 was sent */
	uint64_t watchdog_usec; /* 0: no watchdog asked for */
};

/* Read the watchdog period the service manager asks for. */
void notify_init(struct notify *n);

/* Write the one-line summary of p's last figures into buf (also for STATUS=). */
void notify_summary(const struct publish *p, char *buf, size_t len);

/* After a rebalance: READY=1 the first time, and the summary as STATUS=. */
void notify_rebalanced(struct notify *n, const struct publish *p);

/* The period timer ran: the loop is alive. */
void notify_watchdog(const struct notify *n);

/* A reload begins (RELOADING=1) or ended (READY=1 with a STATUS=). */
void notify_reloading(const struct notify *n, int done, const char *status);

/* xmemd stops. */
void notify_stopping(const struct notify *n);

#endif
