#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# hvsim-garbage.sh: bad input on the real daemon's sockets (wrong magic and
# version, oversize and truncated requests, wrong payload sizes, huge
# nr_extents, too many connections) gets the documented errors, never a
# crash, never accounting drift.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup

drive="$XMEM_BUILDDIR/tests/integration/hvsim_drive"
[ -x "$drive" ] || fail "$drive not built"
it_start_hvsim 128M --xen-overhead 4M --dom0 32M
HV="$IT_DIR/hv"
q() { it_hvq "$@"; }

q create 3 10000 1000 || fail "create d3"
before=$(q physinfo)
"$drive" "$HV" garbage 3 || fail "garbage drive"
pid=$(cat "$IT_DIR/run/hvsim.pid")
kill -0 "$pid" || fail "xmem-hvsim died"
assert_eq "$(q physinfo)" "$before" "physinfo after the abuse"
assert_eq "$(q --as 3 reservation | head -n1)" "current 1000" "d3 untouched"
q check >/dev/null || fail "invariant: $(q check 2>&1)"
grep -q "more than 16 connections" "$IT_DIR/run/hvsim.log" || fail "connection cap not enforced"
pass
