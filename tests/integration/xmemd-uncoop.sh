#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-uncoop.sh: a guest whose frontend stops (SIGSTOP) while a new guest's
# demand makes xmemd shrink it does not move, so xmemd marks it
# memory/uncooperative, stops counting on its memory, and the other guests
# still reach their targets (they pick up the slack without it). When it
# moves again the mark goes and it reaches its target. The sum of allocations
# never exceeds host memory minus the floor.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require
it_setup
xd_host 4G 512M
xd_watch_floor
for g in g2 g3; do
	xd_create $g 768M 2G 256M 2G 9000 steady:400M
done
# stuck needs about 0.3 GiB and asks for twice that; its weight is low.
xd_create stuck 768M 2G 256M 2G 100 steady:200M 100
xd_xmemd
for g in g2 g3 stuck; do
	xd_wait 90 "$g to settle" xd_settled $g
done

id=$(xd_domid stuck)
bpid=$(cat "$IT_DIR/run/balloon-$id.pid") || fail "no balloon pid file for stuck"
kill -STOP "$bpid"
held=$(xd_cur stuck)
before=$(xd_key stuck memory/target)
# A big new guest (starting small: its creation takes only free memory):
# memory gets scarce, stuck (low weight) is told to give.
xd_create g1 256M 2G 256M 2G 9000 steady:1200M
xd_wait 90 "xmemd to lower stuck's target" sh -c \
	"[ \"\$(xenstore-read /local/domain/$id/memory/target)\" -lt $((before - 16384)) ]"
xd_wait 120 "stuck to be marked uncooperative" xenstore-read "/local/domain/$id/memory/uncooperative"
xd_wait 30 "published state uncooperative" sh -c \
	"[ \"\$(xenstore-read /tool/xmemd/domain/$id/state)\" = uncooperative ]"
# The others reach their targets without stuck's memory.
for g in g1 g2 g3; do
	xd_wait 120 "$g to settle while stuck holds its memory" xd_settled $g
done
assert_eq "$(xd_cur stuck)" "$held" "stuck's allocation while stopped"

# It moves again: the mark goes and it reaches its target.
kill -CONT "$bpid"
xd_wait 90 "the mark to be removed" sh -c "! xenstore-read /local/domain/$id/memory/uncooperative >/dev/null 2>&1"
xd_wait 90 "stuck to reach its target" xd_settled stuck
xd_end
pass
