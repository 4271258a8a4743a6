#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-protocol.sh: xmemd against a real xmem-stored and xmem-hvsim, with
# domains set up as libxl leaves them (hypervisor domain + keys) but no guest
# processes, so every move is xmemd's own: a demand raises the target with
# maxmem = target + 1 MiB; a domain that does not follow is marked
# memory/uncooperative; a domain without a balloon frontend is left alone; the
# reservation protocol grants, fails for minimums, fails when only stuck guests
# could give; kill -9 and restart keep the reservation and the marks; and a
# rebalance on a quiet host reads nothing from the key tree.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require_core
it_setup
xd_host 4G 512M
xd_watch_floor

MIB=1024
xd_libxl_dom 1 d1 1024 1
xd_libxl_dom 2 d2 1024 1
xd_libxl_dom 3 nob 512 0
xd_xmemd

# Demand: d1 reports 1.5 GiB used; its target rises, maxmem just above it.
xenstore-write /local/domain/1/data/xmem/used_kib 1500000
xd_wait 30 "d1's target to rise" sh -c '[ "$(xenstore-read /local/domain/1/memory/target)" -ge 1500000 ]'
t=$(xenstore-read /local/domain/1/memory/target)
xd_wait 30 "d1's maxmem to follow its target" xd_maxmem_is 1 $((t + 1024))
m=$(xd_hv list | awk '$1 == 1 { print $3 * 4 }')
[ "$m" = $((t + 1024)) ] || fail "d1's maxmem $m KiB, target $t KiB"
# The domain without a balloon frontend (nothing runs it) is probed: its target
# (and maxmem) raised a little, not followed within the grace period, so it has
# none; target and maxmem go back and it is left at its size.
xd_wait 30 "nob to be probed" sh -c '[ "$(xenstore-read /tool/xmemd/domain/3/balloon)" = probing ]'
[ "$(xenstore-read /local/domain/3/memory/target)" -gt $((512 * MIB)) ] || fail "nob's probe target"
xd_wait 60 "nob found without a balloon" sh -c '[ "$(xenstore-read /tool/xmemd/domain/3/balloon)" = no ]'
assert_eq "$(xenstore-read /local/domain/3/memory/target)" $((512 * MIB)) "nob's target after the probe"
assert_eq "$(xenstore-read /tool/xmemd/domain/3/state)" no-balloon "nob's state"
grep -q "domain 3 (nob) has no balloon: its allocation did not follow its target" "$IT_DIR/run/xmemd.log" ||
	fail "the verdict on nob is not logged"
assert_eq "$(xd_hv list | awk '$1 == 3 { print $2 * 4 }')" $((512 * MIB)) "nob's allocation"
xd_wait 10 "nob's maxmem back" xd_maxmem_is 3 $((512 * MIB + 1024))
# d1 never moves (nobody runs it): uncooperative.
xd_wait 90 "d1 to be marked uncooperative" xenstore-read /local/domain/1/memory/uncooperative
assert_eq "$(xenstore-read /tool/xmemd/domain/1/state)" uncooperative "d1's published state"

# Reservations. Free now: 4096 - 64 - 512 - 1024 - 1024 - 512 = 960 MiB, 704 above the floor.
xd_reserve r1 $((512 * MIB))
xd_wait 30 "r1 to be granted" xd_resv_is r1 granted
assert_eq "$(xenstore-read $XD_RESV/r1/granted_kib)" $((512 * MIB)) "r1's granted_kib"
xd_reserve r2 $((4096 * MIB))
xd_wait 30 "r2 to fail" xd_resv_is r2 failed
xenstore-read $XD_RESV/r2/reason | grep -q "minimums too high" || fail "r2: $(xenstore-read $XD_RESV/r2/reason)"
# 600 MiB: only by squeezing d2, which does not move either: guests refused.
xd_reserve r3 $((600 * MIB))
xd_wait 30 "xmemd to squeeze d2 for r3" sh -c '[ "$(xenstore-read /local/domain/2/memory/target)" -lt 1048576 ]'
xd_wait 90 "r3 to fail" xd_resv_is r3 failed
xenstore-read $XD_RESV/r3/reason | grep -q "guests refused" || fail "r3: $(xenstore-read $XD_RESV/r3/reason)"
xenstore-read /local/domain/2/memory/uncooperative >/dev/null || fail "d2 not marked"
xenstore-rm $XD_RESV/r2
xenstore-rm $XD_RESV/r3

# kill -9, restart: the reservation and the marks survive, nothing counted twice.
it_kill9 "$XD_XMEMD_PID"
rm -f "$IT_DIR/run/xmemd.pid"
xd_xmemd
xd_rebalances 5
xd_resv_is r1 granted || fail "r1 is $(xd_resv_state r1) after kill -9"
assert_eq "$(xenstore-read /tool/xmemd/host/reserved_kib)" $((512 * MIB)) "reserved after restart"
xenstore-read /local/domain/1/memory/uncooperative >/dev/null || fail "d1's mark lost on restart"
assert_eq "$(xenstore-read /tool/xmemd/domain/3/balloon)" no "nob's verdict after restart"
assert_eq "$(xenstore-read /local/domain/3/memory/target)" $((512 * MIB)) "nob not probed again at restart"
xd_free_at_least $((512 * MIB + XD_FLOOR_KIB)) || fail "held memory not free"

# A quiet host: rebalances read nothing from the key tree.
reads() { awk '$1 == "xmem_keytree_reads_total" { print $2 }' "$IT_DIR/run/xmem.prom"; }
xd_rebalances 3
before=$(reads)
xd_rebalances 5
assert_eq "$(reads)" "$before" "key-tree reads on a quiet host"
# ... and one changed key costs a re-read of that domain only.
xenstore-write /local/domain/2/data/xmem/used_kib 300000
xd_rebalances 3
after=$(reads)
[ "$after" -gt "$before" ] || fail "a changed key was not read"
[ $((after - before)) -le 40 ] || fail "one change cost $((after - before)) reads"

# Released: the hold goes.
xenstore-rm $XD_RESV/r1
xd_wait 30 "the hold to go" sh -c '[ "$(xenstore-read /tool/xmemd/host/reserved_kib)" = 0 ]'
xd_end
pass
