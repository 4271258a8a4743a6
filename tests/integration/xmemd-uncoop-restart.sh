#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-uncoop-restart.sh: xmemd restarted (kill -9) more often than its
# grace period still marks a guest that does not follow its target: a
# restarted xmemd reads back the last progress it published and resumes the
# window from there instead of granting a new grace period each time.
# A domain as libxl leaves it, no guest process: it never moves.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require_core
it_setup
xd_host 4G 512M
xd_watch_floor
GRACE_S=8
printf '{ "policy": "xmem", "uncoop_after_s": %d }\n' $GRACE_S >"$IT_DIR/run/policy.json"
marked() { xenstore-read "/local/domain/$1/memory/uncooperative" >/dev/null 2>&1; }

xd_libxl_dom 1 grower 1024 1
xd_xmemd --policy "$IT_DIR/run/policy.json"
# Its demand rises: its target goes well above what it has, and it never grows.
xenstore-write /local/domain/1/data/xmem/used_kib 1500000
xd_wait 30 "grower's target to rise" sh -c "[ \"\$(xenstore-read /local/domain/1/memory/target)\" -ge 1500000 ]"
t1=$(xenstore-read /local/domain/1/memory/target)
marked 1 && fail "marked before any grace period"

# Restart xmemd every GRACE_S/2 s, twice the grace period and more: without
# reading back its judgement each xmemd would start the window afresh.
restarts=0
while ! marked 1; do
	[ $restarts -ge 8 ] && fail "still not marked after $restarts restarts, $((restarts * GRACE_S / 2)) s"
	sleep $((GRACE_S / 2))
	marked 1 && break
	it_kill9 "$XD_XMEMD_PID"
	rm -f "$IT_DIR/run/xmemd.pid"
	xd_xmemd --policy "$IT_DIR/run/policy.json"
	restarts=$((restarts + 1))
done
it_log "marked after $restarts restarts"
assert_eq "$(xenstore-read /local/domain/1/memory/target)" "$t1" "grower's target (a new target restarts the window)"
[ -n "$(xenstore-read /tool/xmemd/domain/1/last_progress)" ] || fail "no last_progress published"
xd_end
pass
