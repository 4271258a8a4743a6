#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# hvsim-concurrent.sh: dom0 and two guests drive one xmem-hvsim at the same
# time through lib/hv.h (hvsim_drive); every dom0 call is followed by the
# simulator's invariant check, every guest call by an exact check of the
# guest's own tot_pages, and the host must end as it began.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup

drive="$XMEM_BUILDDIR/tests/integration/hvsim_drive"
[ -x "$drive" ] || fail "$drive not built"
it_start_hvsim 512M --xen-overhead 8M --dom0 64M
HV="$IT_DIR/hv"
q() { it_hvq "$@"; }

q create 1 60000 20000 || fail "create d1"
q create 2 60000 5000 || fail "create d2"
free_before=$(q physinfo | sed -n 's/^free_pages //p')
"$drive" "$HV" concurrent 800 1 2 || fail "concurrent drive"
q check >/dev/null || fail "invariant: $(q check 2>&1)"
assert_eq "$(q physinfo | sed -n 's/^free_pages //p')" "$free_before" "free pages after the drive"
assert_eq "$(q list | awk '$1 == 1 || $1 == 2 {print $1, $2}' | tr '\n' ' ')" "1 20000 2 5000 " \
	"guests back at their start"
grep -q "d4000 created" "$IT_DIR/run/hvsim.log" || fail "scratch domain creation not logged"
grep -q "d4000 destroyed" "$IT_DIR/run/hvsim.log" || fail "scratch domain destruction not logged"
pass
