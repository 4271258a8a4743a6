#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-unmanaged-grow.sh: a domain xmemd does not manage, whose balloon
# follows a target an administrator raised (as `xl mem-set` does: target and
# maxmem), may still grow toward that target by itself. That growth is
# promised: xmemd must not hand it to a managed guest meanwhile, or the host
# falls below its floor once both balloons have grown. Domains as libxl
# leaves them, no guest processes: the test plays both balloon drivers with
# the hypervisor's increase_reservation (which stops at maxmem).
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require_core
it_setup
# 4 GiB: Xen 64 MiB, dom0 512 MiB, two 1 GiB guests: 1472 MiB free, 1216 above the floor.
xd_host 4G 512M
xd_watch_floor

MIB=1024
# The guest's balloon driver takes what its maxmem lets it (at most N pages).
balloon_grow() { xd_hv --as "$1" increase "$2" 0 >/dev/null 2>&1 || true; }

xd_libxl_dom 1 admin 1024 1
xd_libxl_dom 2 other 1024 1
# admin is left alone by xmemd; its target is raised by 800 MiB, maxmem with it.
xenstore-write /local/domain/1/memory/managed 0 || fail "cannot unmanage admin"
xenstore-write /local/domain/1/memory/target $((1824 * MIB)) || fail "cannot raise admin's target"
xd_hv maxmem 1 $((1824 * MIB + 1024)) >/dev/null || fail "cannot raise admin's maxmem"
xd_xmemd

# other asks for everything there is (its dynamic-max is 2 GiB).
xenstore-write /local/domain/2/data/xmem/used_kib 1900000 || fail "cannot write other's demand"
xd_wait 30 "other's target to rise" xd_target_at_least other $((1100 * MIB))
xd_rebalances 3
t2=$(xd_key other memory/target)
# Free above the floor, less admin's promised 800 MiB (and each balloon's 1 MiB slack).
[ "$t2" -le $(((1024 + 1216 - 800) * MIB)) ] ||
	fail "other's target $t2 KiB takes the growth promised to unmanaged admin"
# Both balloons take what their maxmem lets them.
balloon_grow 1 $((800 * 256))
balloon_grow 2 $((1024 * 256))
assert_eq "$(xd_cur admin)" $((1824 * MIB)) "admin after growing to its target"
xd_end
pass
