#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-probe-restart.sh: xmemd killed (kill -9) in the middle of a balloon
# probe. The probe was recorded before its target was written
# (/tool/xmemd/domain/N/probe); the next xmemd puts the domain's target and
# maxmem back to what they were before the probe and removes the record,
# rather than leaving a guest that does not balloon 16 MiB off its size.
# Stopped cleanly instead, xmemd undoes its probes itself.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require
it_setup
xd_host 4G 512M
MIB=1024

# nob: managed, 512 MiB, and nothing in it follows a target (no balloon).
xd_libxl_dom 9 nob 512 0
max0=$(xd_maxmem_kib 9)
# A long grace period: the probe is still watched when xmemd is killed.
printf '{ "policy": "xmem", "uncoop_after_s": 600 }\n' >"$IT_DIR/run/policy.json"
xd_xmemd --policy "$IT_DIR/run/policy.json"
rec=/tool/xmemd/domain/9/probe
xd_wait 30 "a probe of nob" xenstore-read "$rec"
read -r was_kib probe_kib maxmem_kib <<<"$(xenstore-read "$rec")"
assert_eq "$was_kib" $((512 * MIB)) "the probe record's target before"
assert_eq "$(xenstore-read /local/domain/9/memory/target)" "$probe_kib" "nob's target (the probe's)"
# Free memory allows a raise: maxmem went up with the target, the old one recorded.
assert_eq "$maxmem_kib" "$max0" "the probe record's maxmem before"
[ "$(xd_maxmem_kib 9)" -gt "$max0" ] || fail "maxmem not raised for the probe: $(xd_maxmem_kib 9)"

it_kill9 "$XD_XMEMD_PID"
rm -f "$IT_DIR/run/xmemd.pid"
assert_eq "$(xenstore-read /local/domain/9/memory/target)" "$probe_kib" "nob's target while xmemd is down"
# The admin settles it meanwhile (no further probe to wait for): the left probe is undone all the same.
xenstore-write /local/domain/9/memory/balloon no || fail "memory/balloon no"
xd_xmemd --policy "$IT_DIR/run/policy.json"
xd_wait 30 "the left probe to be undone" sh -c \
	"[ \"\$(xenstore-read /local/domain/9/memory/target)\" = $((512 * MIB)) ]"
xd_wait 10 "nob's maxmem back" xd_maxmem_is 9 "$max0"
xd_wait 10 "the probe record removed" sh -c "! xenstore-read $rec >/dev/null 2>&1"
grep -q "domain 9 (nob): a probe left by an earlier xmemd undone: target back to $((512 * MIB)) KiB" \
	"$IT_DIR/run/xmemd.log" || fail "the undo is not logged: $(grep 'domain 9' "$IT_DIR/run/xmemd.log" | tail -n 3)"
xd_rebalances 3
assert_eq "$(xenstore-read /local/domain/9/memory/target)" $((512 * MIB)) "nob's target after a few rounds"
assert_eq "$(xenstore-read /tool/xmemd/domain/9/balloon)" no "nob's verdict"

# Stopped cleanly (SIGTERM) mid-probe, xmemd undoes the probe itself.
xd_libxl_dom 10 nob2 512 0
# Made as nob was, so its maxmem before any probe is nob's: read now, it
# may already be the probe's (xmemd runs and may probe it at once).
max2=$max0
xd_wait 30 "a probe of nob2" xenstore-read /tool/xmemd/domain/10/probe
read -r was_kib probe_kib maxmem_kib <<<"$(xenstore-read /tool/xmemd/domain/10/probe)"
assert_eq "$maxmem_kib" "$max2" "nob2's probe record's maxmem before"
[ "$(xenstore-read /local/domain/10/memory/target)" != $((512 * MIB)) ] || fail "nob2's target not probed"
kill -TERM "$XD_XMEMD_PID"
it_wait 10 "xmemd to stop" it_gone "$XD_XMEMD_PID"
assert_eq "$(xenstore-read /local/domain/10/memory/target)" $((512 * MIB)) "nob2's target after xmemd stopped"
assert_eq "$(xd_maxmem_kib 10)" "$max2" "nob2's maxmem after xmemd stopped"
xenstore-read /tool/xmemd/domain/10/probe >/dev/null 2>&1 && fail "nob2's probe record left at stop"
grep -q "domain 10 (nob2): probe undone at stop" "$IT_DIR/run/xmemd.log" || fail "the undo at stop is not logged"
rm -f "$IT_DIR/run/xmemd.pid"
xd_xmemd --policy "$IT_DIR/run/policy.json"
xd_end
pass
