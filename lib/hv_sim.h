/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hv_sim.h: what only a simulated hypervisor (xmem-hvsim) answers, beyond
 * hv.h. Both take a handle from hv_open_sim()/hv_open_sim_guest() and return
 * XMEM_ERR_UNSUPPORTED for any other handle.
 */
#ifndef XMEM_HV_SIM_H
#define XMEM_HV_SIM_H

#include "hv.h"
#include "hvsim_proto.h"

/*
 * Ask the simulator to check every invariant (free + sum of tot_pages =
 * total, claims, frame ownership). Privileged. Fills rep_r (figures, and a
 * message naming the first broken invariant). Returns 0 when all hold,
 * XMEM_ERR_FAIL when one is broken, or another negative XMEM_ERR_*.
 */
int hv_sim_check(struct hv *h, struct hvsim_check_rep *rep_r);

/*
 * Set domain domid's state flags (HV_DOMF_PAUSED, HV_DOMF_SHUTDOWN,
 * HV_DOMF_HVM), as a toolstack pausing or a guest shutting down would.
 * Privileged. Returns 0, XMEM_ERR_NOTFOUND, XMEM_ERR_INVAL (other bits).
 */
int hv_sim_set_flags(struct hv *h, uint32_t domid, unsigned int flags);

/* One empty round trip (any handle). Returns 0 or a negative XMEM_ERR_*. */
int hv_sim_ping(struct hv *h);

#endif
