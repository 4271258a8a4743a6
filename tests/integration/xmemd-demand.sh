#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-demand.sh: on a simulated host with 4 guests and memory to spare, a
# guest whose demand rises gets it (target and allocation follow), the others
# keep theirs, and the sum of allocations never exceeds host memory minus the
# floor. Also: the state xmemd publishes under /tool/xmemd and its metrics file.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require
it_setup
xd_host 6G 512M
xd_watch_floor

# g1's demand climbs from 300 MiB to 2 GiB over 5 s; the others stay at 400 MiB.
xd_create g1 768M 4G 256M 4G 5000 ramp:300M:2G:5
for g in g2 g3 g4; do
	xd_create $g 768M 2G 256M 2G 5000 steady:400M
done
xd_xmemd

[ "$(xenstore-read /tool/xmemd/state)" = running ] || fail "xmemd state not running"
[ "$(xenstore-read /tool/xmemd/pid)" = "$XD_XMEMD_PID" ] || fail "xmemd pid not published"

# Demand 2 GiB: the target must reach it, and the guest must get it.
xd_wait 90 "g1's target to cover its 2 GiB demand" xd_target_at_least g1 $((2048 * 1024))
xd_wait 90 "g1's allocation to follow" xd_cur_at_least g1 $((2000 * 1024))
for g in g2 g3 g4; do
	t=$(xd_key $g memory/target)
	[ "$t" -ge $((400 * 1024)) ] || fail "$g's target $t KiB is below its 400 MiB demand"
	[ "$t" -le $((2048 * 1024)) ] || fail "$g's target $t KiB is above its dynamic-max"
done

# Published state.
id=$(xd_domid g1)
xd_wait 30 "published state for g1" xenstore-read "/tool/xmemd/domain/$id/state"
xd_wait 30 "g1's published demand to show its 2 GiB working set" sh -c \
	"[ \"\$(xenstore-read /tool/xmemd/domain/$id/demand_kib)\" -ge $((1536 * 1024)) ]"
[ -n "$(xenstore-read /tool/xmemd/host/total_kib)" ] || fail "no host/total_kib"
[ "$(xenstore-read /tool/xmemd/host/floor_kib)" = "$XD_FLOOR_KIB" ] || fail "host/floor_kib"
xd_wait 30 "the metrics file" test -s "$IT_DIR/run/xmem.prom"
grep -q "^xmem_domain_target_bytes{domid=\"$id\",name=\"g1\"} " "$IT_DIR/run/xmem.prom" ||
	fail "metrics file lacks g1's target"
grep -q '^xmem_host_floor_bytes ' "$IT_DIR/run/xmem.prom" || fail "metrics file lacks the floor"

xd_end
# A clean stop says so in the key tree.
kill "$XD_XMEMD_PID"
xd_wait 30 "xmemd to stop" sh -c "! kill -0 $XD_XMEMD_PID 2>/dev/null"
[ "$(xenstore-read /tool/xmemd/state)" = stopped ] || fail "state after SIGTERM"
pass
