#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-logs.sh: at info level xmemd writes one line per rebalance that moved
# memory, saying who went from what to what and why, and nothing while
# nothing moves; with -v quiet rebalances add no lines either. An unwritable
# metrics file is reported once, not at every rebalance.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
for b in "$(it_stored_bin)" "$(it_hvsim_bin)" "$(xd_bin_xmemd)" "$(xd_bin_xmem)" "$(xd_bin_balloon)"; do
	[ -x "$b" ] || fail "$b not built"
done
command -v xenstore-read >/dev/null || fail "xenstore-read missing (apt-get install xenstore-utils)"
it_setup
log=$IT_DIR/run/xmemd.log
xd_host 6G 512M
xd_watch_floor
# The metrics file goes to a directory xmemd cannot write to.
mkdir -p "$IT_DIR/ro"
printf '{ "prometheus_file": "%s" }\n' "$IT_DIR/ro/sub/xmem.prom" >"$IT_DIR/run/xmemd.json"
# Started at the size its demand asks (demand + 20 %): nothing to move.
xd_create g2 480M 2G 256M 2G 5000 steady:400M
xd_xmemd
# Let the guest boot and settle: no new "moved:" line over five rebalances.
settled() {
	local n
	xd_settled g2 || return 1
	n=$(grep -c 'moved:' "$log")
	xd_rebalances 5
	[ "$(grep -c 'moved:' "$log")" = "$n" ]
}
xd_wait 120 "g2 to settle" settled

# Quiet: no "moved:" line, and with -v no line at all, over ten rebalances.
before=$(wc -l <"$log")
xd_rebalances 10
after=$(wc -l <"$log")
if [ "$after" -ne "$before" ]; then
	sed -n "$((before + 1)),\$p" "$log" >&2
	fail "$((after - before)) lines logged over ten rebalances that moved nothing"
fi
n=$(grep -c 'metrics file' "$log")
[ "$n" = 1 ] || fail "the unwritable metrics file was reported $n times, not once"

# A guest whose demand rises: lines name it, from what to what, for demand.
xd_create g1 480M 4G 256M 4G 5000 ramp:400M:1200M:3
id1=$(xd_domid g1)
xd_wait 60 "g1's target to cover its demand" xd_target_at_least g1 $((1400 * 1024))
grep -Eq "moved: (.*; )?g1 \($id1\) [0-9.]+[KMG] -> [0-9.]+[KMG] demand" "$log" ||
	fail "no line says g1 grew for its demand"

# A reservation larger than what is free: a guest is lowered for it.
xd_reserve r1 $((3000 * 1024))
xd_wait 120 "r1 to be granted" xd_resv_is r1 granted
grep -Eq "moved: .*\) [0-9.]+[KMG] -> [0-9.]+[KMG] reservation" "$log" ||
	fail "no line says a guest was lowered for the reservation"
xenstore-rm "$XD_RESV/r1" || fail "release r1"
xd_end
pass
