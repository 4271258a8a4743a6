#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# guest-balloon-pressure.sh: a guest whose workload fills its memory is told
# to shrink far below it. The frontend gives back only what the guest can
# spare, backs off (2, 4, 8 s), reports gave-up with the reason, never takes
# the working set, and the guest accounts the pressure it feels (major
# faults, PSI). A reachable target then brings it back to done.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/guest-lib.sh"
it_setup
it_start_stored
it_start_hvsim 4G

D=/local/domain/9
it_make_guest 9 busy 1048576 1048576
it_start_balloon 9 steady:850M
wait_key $D/data/balloon/state "done" 30 "boot to 1 GiB"
assert_eq "$(hv_tot_pages 9)" 262144 "tot_pages at boot"

xenstore-write $D/memory/target 262144
wait_key $D/data/balloon/state backoff 20 "backoff after the first short pass"
wait_key $D/data/balloon/state gave-up 40 "gave up after 4 tries"
assert_eq "$(xsr $D/data/balloon/retries)" 4 "retries when giving up"
assert_eq "$(xsr $D/data/balloon/target_kib)" 262144 "target seen"
xsr $D/data/balloon/last_error | grep -q "guest memory in use" ||
	fail "last_error: '$(xsr $D/data/balloon/last_error)'"
cur=$(xsr $D/data/balloon/current_kib)
assert_eq "$(( $(hv_tot_pages 9) * 4 ))" "$cur" "tot_pages matches the report"
# The working set (850 MiB) plus the guest kernel (64 MiB + 1/64 of 1 GiB) stays.
[ "$cur" -ge $(( (850 + 64 + 16) * 1024 )) ] || fail "the balloon took working-set memory: $cur KiB"
[ "$cur" -lt 1048576 ] || fail "the balloon gave nothing back"
grep -q "balloon backoff" "$IT_DIR/run/balloon-9.log" || fail "backoff not logged"
grep -q "balloon gave-up" "$IT_DIR/run/balloon-9.log" || fail "gave-up not logged"

# Pressure is accounted, not hidden.
n=0
while [ "$(xsr $D/data/xmem/psi_some_avg10)" = 0 ]; do
	[ $n -ge 50 ] && fail "no pressure stall reported"
	sleep 0.1; n=$((n + 1))
done
[ "$(xsr $D/data/xmem/pgmajfault)" -gt 0 ] || fail "no major faults reported"
[ "$(xsr $D/data/xmem/available_kib)" -lt 20480 ] || fail "memory still available: $(xsr $D/data/xmem/available_kib)"

# Still gave-up a little later: no retry until the target changes.
sleep 3
assert_eq "$(xsr $D/data/balloon/state)" gave-up "gave-up holds"
assert_eq "$(( $(hv_tot_pages 9) * 4 ))" "$cur" "nothing moved while given up"

# A reachable target: done again, retries reset, last_error cleared.
xenstore-write $D/memory/target 1048576
wait_key $D/data/balloon/state "done" 30 "done after a reachable target"
assert_eq "$(xsr $D/data/balloon/retries)" 0 "retries reset"
assert_eq "$(xsr $D/data/balloon/last_error)" "" "last_error cleared"
assert_eq "$(hv_tot_pages 9)" 262144 "tot_pages back at 1 GiB"
it_check_hv
it_check_store
pass
