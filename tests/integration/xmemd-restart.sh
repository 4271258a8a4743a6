#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-restart.sh: kill -9 of xmemd while a reservation is being squeezed
# for, and again once it is granted. Restarted, xmemd keeps the reservation
# (granted, its memory held, not handed to the hungry guests), counts nothing
# twice, and once it is released the host converges. The sum of allocations
# never exceeds host memory minus the floor, also while xmemd is down.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require
it_setup
xd_tight_host

# Ask, then kill -9 as soon as xmemd starts squeezing.
xd_reserve r1 $((1024 * 1024))
xd_wait 60 "xmemd to start squeezing" sh -c \
	"[ \"\$(xenstore-read /tool/xmemd/host/reserved_kib)\" -ge $((1024 * 1024)) ]"
it_kill9 "$XD_XMEMD_PID"
rm -f "$IT_DIR/run/xmemd.pid"
xd_xmemd
xd_wait 90 "r1 to be granted after the restart" xd_resv_is r1 granted

# Kill -9 again while it is held, restart: still held.
it_kill9 "$XD_XMEMD_PID"
rm -f "$IT_DIR/run/xmemd.pid"
xd_xmemd
xd_rebalances 5
xd_resv_is r1 granted || fail "r1 is $(xd_resv_state r1) after the restart"
r=$(xenstore-read /tool/xmemd/host/reserved_kib)
[ "$r" = $((1024 * 1024)) ] || fail "reserved_kib $r after restart (counted twice or lost?)"
xd_free_at_least $(( 1024 * 1024 + XD_FLOOR_KIB )) || fail "held memory handed out: $(xd_free_kib) KiB"

# Released: the guests get their memory back and the host converges.
xenstore-rm $XD_RESV/r1
for g in g1 g2 g3 g4; do
	xd_wait 90 "$g to grow back" xd_target_at_least $g $((700 * 1024))
	xd_wait 90 "$g to settle" xd_settled $g
done
xd_end
pass
