/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * surplus.c: the surplus tier. No memory idle while a guest could use it.
 *
 * Once every domain has its remembered peak (the last tier of the ladder),
 * what is left of the budget would sit free while guests stall on their
 * next rise. The surplus tier hands it out, up to each domain's maximum,
 * keeping keep_free_kib free for VM starts (a reservation then needs no
 * balloon to move). It is filled after every tier and on its own weights,
 * so it is the first memory taken back when any domain needs more: before
 * anyone's remembered peak, buffer or demand.
 *
 * Who gets it: a guest whose demand jumps is the one whose next rise
 * outruns a late plan (on the Bitbrains trace, 95% of the one-step rises
 * above 512 MiB come within two hours of a rise above 256 MiB in the same
 * VM), so the surplus is shared by weighted water-filling with weight x
 * volatility, volatility being the guest's swing (its largest recent
 * one-step rise, decaying, stability.c) plus surplus_base (1 GiB by
 * default), so a steady guest still gets a share. The base is absolute, not
 * a share of the guest's size: what is scored is how many guests stall, and
 * a small guest's next rise is covered by much less than a large one's.
 * (On the 64-VM trace, weighting the surplus by size, or by the remembered
 * peak, gave two to five times the stalls of an equal share.)
 */
#include "config.h"

#include "policy_int.h"

double surplus_weight(const struct policy *pol, uint64_t swing_kib, double w)
{
	double base = (double)pol->surplus_base_kib;

	/* 1 MiB at least: a weightless share would never be handed out. */
	if (base < 1024)
		base = 1024;
	return w * (base + (double)swing_kib);
}

uint64_t surplus_fill(const struct policy *pol, size_t nr, const uint64_t *hi, const double *ws,
		      uint64_t budget_kib, uint64_t used_kib, uint64_t *x, struct fair_key *keys)
{
	uint64_t rem;

	if (!pol->surplus || used_kib >= budget_kib || budget_kib - used_kib <= pol->keep_free_kib)
		return 0;
	rem = budget_kib - used_kib - pol->keep_free_kib;
	return fair_fill_share(nr, hi, ws, rem, x, keys);
}
