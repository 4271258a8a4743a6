#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-reserve.sh: the reservation protocol on a host with 4 guests. A 1 GiB
# reservation that is not free is granted by squeezing the guests; the memory
# stays free while held; a new domain built from it takes it, and xmemd drops
# the node once the domain has it. A reservation no squeezing can satisfy fails
# with its reason. The sum of allocations never exceeds host memory minus the floor.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require
it_setup
xd_tight_host

# 1 GiB is not free: granted only by squeezing.
xd_free_at_least $(( 1024 * 1024 + XD_FLOOR_KIB )) && fail "1 GiB free before squeezing: a bad scenario"
xd_reserve r1 $((1024 * 1024))
xd_wait 90 "r1 to be granted" xd_resv_is r1 granted
[ "$(xenstore-read $XD_RESV/r1/granted_kib)" = $((1024 * 1024)) ] || fail "granted_kib"
xd_free_at_least $(( 1024 * 1024 + XD_FLOOR_KIB )) || fail "granted but not free: $(xd_free_kib) KiB"
r=$(xenstore-read /tool/xmemd/host/reserved_kib)
[ "$r" -ge $((1024 * 1024)) ] || fail "host/reserved_kib $r"
# Held: the guests (which want more) do not take it back.
xd_rebalances 5
xd_free_at_least $(( 1024 * 1024 + XD_FLOOR_KIB )) || fail "held memory handed out: $(xd_free_kib) KiB"

# Far too much: the minimums make it impossible.
xd_reserve r2 $((16 * 1024 * 1024))
xd_wait 60 "r2 to fail" xd_resv_is r2 failed
xenstore-read $XD_RESV/r2/reason | grep -q "minimums too high" ||
	fail "r2's reason: $(xenstore-read $XD_RESV/r2/reason)"
xenstore-rm $XD_RESV/r2

# A new domain built from r1 takes the memory; xmemd then drops the node.
xd_xmem create newvm --memory 1G --maxmem 2G --min 512M --max 2G --weight 5000 \
	--workload steady:300M --reservation r1 >/dev/null || fail "create from r1"
xd_wait 90 "r1 to be dropped once newvm has its memory" xd_resv_is r1 gone
xd_wait 90 "newvm to boot (populate to its target)" xd_settled newvm
xd_cur_at_least newvm $((512 * 1024)) || fail "newvm has $(xd_cur newvm) KiB, below its minimum"
xd_wait 60 "host/reserved_kib back to 0" sh -c '[ "$(xenstore-read /tool/xmemd/host/reserved_kib)" = 0 ]'
for g in g1 g2 g3 g4 newvm; do
	xd_wait 90 "$g to settle" xd_settled $g
done

# Released by the client: removing a granted node gives the memory back.
xd_reserve r3 $((256 * 1024))
xd_wait 90 "r3 to be granted" xd_resv_is r3 granted
xenstore-rm $XD_RESV/r3
xd_wait 60 "r3's hold to go" sh -c '[ "$(xenstore-read /tool/xmemd/host/reserved_kib)" = 0 ]'
xd_end
pass
