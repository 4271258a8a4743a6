#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-uncoop-grow.sh: a guest that stops while growing toward a raised
# target is marked memory/uncooperative, and xmemd caps its maxmem at what it
# holds + 1 MiB, so when it resumes it cannot take memory that xmemd handed to
# another guest meanwhile. Domains as libxl leaves them, no guest processes:
# the test plays both balloon drivers with the hypervisor's increase_reservation
# (which stops at maxmem). Once the stopped guest moves again it is driven
# again, its maxmem rises only as far as memory is free, and the sum of
# allocations never exceeds host memory minus the floor.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require_core
it_setup
# 4 GiB: Xen 64 MiB, dom0 512 MiB, two 1 GiB guests: 1472 MiB free, 1216 above the floor.
xd_host 4G 512M
xd_watch_floor

MIB=1024
target_of() { xenstore-read "/local/domain/$1/memory/target"; }
# The guest's balloon driver takes what its maxmem lets it (at most N pages).
balloon_grow() { xd_hv --as "$1" increase "$2" 0 >/dev/null 2>&1 || true; }
marked() { xenstore-read "/local/domain/$1/memory/uncooperative" >/dev/null 2>&1; }

xd_libxl_dom 1 grower 1024 1
xd_libxl_dom 2 other 1024 1
xd_xmemd

# grower reports demand: its target rises well above what it has.
xenstore-write /local/domain/1/data/xmem/used_kib 1500000
xd_wait 30 "grower's target to rise" sh -c "[ \"\$(xenstore-read /local/domain/1/memory/target)\" -ge 1500000 ]"
t1=$(target_of 1)
xd_wait 30 "grower's maxmem to follow its target" xd_maxmem_is 1 $((t1 + 1024))
# It starts growing (100 MiB), then stops half-way.
balloon_grow 1 $((100 * 256))
assert_eq "$(xd_cur grower)" $((1124 * MIB)) "grower after 100 MiB"
xd_wait 90 "grower to be marked uncooperative" marked 1
held=$(xd_cur grower)
# Its maxmem is cut to what it holds + 1 MiB: it cannot resume toward its old target.
xd_wait 30 "grower's maxmem to be capped at what it holds" xd_maxmem_is 1 $((held + 1024))
assert_eq "$(target_of 1)" "$t1" "grower's target while marked"
xd_check_floor_once

# other's demand takes the free memory; its balloon follows at once.
xenstore-write /local/domain/2/data/xmem/used_kib 1700000
xd_wait 30 "other's target to rise" sh -c "[ \"\$(xenstore-read /local/domain/2/memory/target)\" -gt $((1024 * MIB)) ]"
balloon_grow 2 $((1100 * 256))
xd_check_floor_once
# grower resumes: it takes what its maxmem allows, which is counted; it moves,
# so it is driven again, and its maxmem rises only from free memory. Both
# balloons keep taking what they may until grower is unmarked and settled.
resumed() {
	balloon_grow 1 $((1024 * 256))
	balloon_grow 2 $((1024 * 256))
	xd_check_floor_once
	! marked 1 || return 1
	local t c
	t=$(target_of 1) c=$(xd_cur grower)
	[ "$c" -ge "$t" ] && xd_maxmem_is 1 $((t + 1024))
}
xd_wait 90 "grower to be driven again and settled" resumed
# It got only what was free: never its old target, with other holding its raise.
[ "$(xd_cur grower)" -lt "$t1" ] || fail "grower reached its old target $t1 KiB: $(xd_cur grower) KiB"
xd_end
pass
