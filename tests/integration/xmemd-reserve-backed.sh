#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-reserve-backed.sh: a granted reservation stays backed. With 1800 MiB
# granted, `xmem mem-set` of another guest that would grow into that memory is
# refused with the reason, as is `xmem mem-max` that would let a guest grow
# into it; a new domain not built from it starts from memory xmemd frees for
# it (its own startup reservation), not from r1; a guest made to grow behind
# xmem's back (xenstore-write and maxmem, as `xl mem-set` does) is answered by
# xmemd squeezing the others until the reservation is free again. Throughout,
# host/reserved_kib is memory that is really free, and in the end a domain
# built from the reservation gets all 1800 MiB.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require
it_setup

R_KIB=$((1800 * 1024))
xd_host 6G 512M
xd_watch_floor
for g in g1 g2 g3 g4; do
	xd_create $g 1G 2G 256M 2G 5000 steady:300M 100
done
# g5: unmanaged, as a domain xl built and xmem does not drive.
xd_xmem create g5 --memory 512M --maxmem 2G --workload steady:200M >/dev/null || fail "create g5"
xd_xmem mem-policy g5 --managed off >/dev/null || fail "g5 unmanaged"
xd_xmemd
for g in g1 g2 g3 g4 g5; do
	xd_wait 90 "$g to settle" xd_settled $g
done

# Reserved memory is held and really free (not a figure the guests ate).
reserved_backed() {
	r=$(xenstore-read /tool/xmemd/host/reserved_kib) || return 1
	[ "$r" -ge "$R_KIB" ] && xd_free_at_least $((R_KIB + XD_FLOOR_KIB))
}

xd_free_at_least $((R_KIB + XD_FLOOR_KIB)) && fail "1800 MiB free before squeezing: a bad scenario"
xd_reserve r1 $R_KIB
xd_wait 90 "r1 to be granted" xd_resv_is r1 granted
xd_wait 60 "r1 to be backed" reserved_backed

# mem-set of another guest that would take the held memory: refused, nothing written.
t1=$(xd_key g1 memory/target)
if xd_xmem mem-set g1 2G 2>"$IT_DIR/err"; then
	fail "mem-set g1 2G taken while 1800 MiB is granted"
fi
grep -q "held for granted reservations" "$IT_DIR/err" || fail "mem-set's reason: $(cat "$IT_DIR/err")"
[ "$(wc -l < "$IT_DIR/err")" = 1 ] || fail "mem-set printed more than one line: $(cat "$IT_DIR/err")"
assert_eq "$(xd_key g1 memory/target)" "$t1" "g1's target after the refused mem-set"
xd_rebalances 5
reserved_backed || fail "reserved $(xenstore-read /tool/xmemd/host/reserved_kib) KiB, free $(xd_free_kib) KiB after mem-set"

# mem-max that would let a guest grow into it: g5's target is above what it
# holds (its maxmem kept it back); raising maxmem would let it take the hold.
d5=$(xd_domid g5)
xenstore-write "/local/domain/$d5/memory/target" $((1536 * 1024))
if xd_xmem mem-max g5 2G 2>"$IT_DIR/err"; then
	fail "mem-max g5 2G taken while 1800 MiB is granted"
fi
grep -q "held for granted reservations" "$IT_DIR/err" || fail "mem-max's reason: $(cat "$IT_DIR/err")"
xenstore-write "/local/domain/$d5/memory/target" $((512 * 1024))
reserved_backed || fail "reserved not backed after mem-max"

# A new domain not built from r1 starts from memory xmemd frees for it, not from r1.
xd_xmem create other --memory 512M --maxmem 1G --workload idle >/dev/null || fail "create other"
xd_wait 90 "other to boot" xd_cur_at_least other $((500 * 1024))
reserved_backed || fail "reserved not backed after another domain started"
xd_xmem destroy other >/dev/null || fail "destroy other"

# Behind xmem's back (what xl mem-set does): g5 grows by 512 MiB into the
# held memory. xmemd frees the difference by squeezing the managed guests.
xd_hv maxmem "$d5" $(( (1024 + 1) * 1024 )) >/dev/null || fail "set g5's maxmem"
xenstore-write "/local/domain/$d5/memory/target" $((1024 * 1024))
xd_wait 90 "g5 to grow" xd_cur_at_least g5 $((1000 * 1024))
xd_wait 90 "xmemd to free the held memory again" reserved_backed
xd_resv_is r1 granted || fail "r1 is $(xd_resv_state r1)"

# The reservation is still whole: a domain built from it gets all of it.
xd_xmem create newvm --memory 1800M --maxmem 2G --min 1800M --max 2G --workload steady:300M \
	--reservation r1 >/dev/null || fail "create from r1"
xd_wait 90 "newvm to have its 1800 MiB" xd_cur_at_least newvm $((R_KIB - 8192))
xd_end
pass
