#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmem with the real xmemd on a simulated host with two ballooning guests:
# reservations granted and refused by xmemd itself, xmemd's published state in
# list and info, a mem-set pin xmemd respects, and xmem's view when xmemd stops.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
. "$XMEM_SRCDIR/tests/integration/cli-lib.sh"
XMEMD="$XMEM_BUILDDIR/tools/xmemd/xmemd"
[ -x "$XMEMD" ] || missing "xmemd (not built: make)"
[ -x "$XMEM_BUILDDIR/guest/balloon/xmem-balloon" ] || missing "xmem-balloon (not built: make)"
cli_host 8G
cli_dom0_keys
R=/tool/xmemd/reservation

expect 0 create web1 --memory 2G --maxmem 4G --min 512M --max 4G --workload steady:700M
it_track_pidfile "$IT_DIR/run/balloon-1.pid"
expect 0 create db1 --memory 2G --maxmem 4G --min 1G --max 4G --workload steady:1500M
it_track_pidfile "$IT_DIR/run/balloon-2.pid"
"$XMEMD" --host "$IT_DIR" --pid-file "$IT_DIR/run/xmemd.pid" --log-file "$IT_DIR/run/xmemd.log" \
	--period-ms 200 || fail "xmemd did not start"
it_track_pidfile "$IT_DIR/run/xmemd.pid"
xmemd_pid=$(cat "$IT_DIR/run/xmemd.pid")

# Wait (up to 10 s) until xmemd has rebalanced after Unix ms $1.
rebalanced_after() {
	local n=0
	while [ "$(key /tool/xmemd/last-rebalance)" = "" ] ||
		[ "$(key /tool/xmemd/last-rebalance)" -le "$1" ]; do
		[ $n -ge 100 ] && fail "xmemd did not rebalance"
		sleep 0.1
		n=$((n + 1))
	done
}
rebalanced_after 0

# info and list show what xmemd publishes.
expect 0 info --json
grep -q "\"state\": \"running\"" "$OUT" && grep -q "\"pid\": $xmemd_pid" "$OUT" ||
	fail "info does not show xmemd running: $(cat "$OUT")"
expect 0 list web1 --json
st=$(sed -n 's/.*"state": "\(.*\)".*/\1/p' "$OUT")
assert_eq "$st" "$(key /tool/xmemd/domain/1/state)" "list's state is xmemd's"

# A reservation xmemd can grant, then release.
expect 0 reserve 1G --for new1 --wait 20
id=$(sed -n 's/^reservation \([^ ]*\) granted: .*/\1/p' "$OUT")
[ -n "$id" ] || fail "reserve: $(cat "$OUT")"
assert_eq "$(key $R/$id/state)" granted "xmemd's answer"
expect 0 release "$id"
assert_eq "$(xenstore-list $R 2>/dev/null)" "" "after release"

# One it cannot: xmemd's reason, nothing left behind.
expect 1 reserve 20G --wait 20
one_line_error "xmemd could not free 20480 MiB: "
assert_eq "$(xenstore-list $R 2>/dev/null)" "" "after a refusal"

# mem-set pins a managed domain, and xmemd leaves the target there.
expect 0 mem-set db1 1536M
grep -q "pinned at 1536 MiB" "$OUT" || fail "mem-set: $(cat "$OUT")"
rebalanced_after $(($(date +%s) * 1000 + 500))
assert_eq "$(key /local/domain/2/memory/target)" 1572864 "xmemd kept the pinned target"

# xmemd stopped: info says so, reserve refuses.
kill "$xmemd_pid"
n=0
while kill -0 "$xmemd_pid" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
expect 0 info
grep -Eq "^xmemd  *: (stopped|dead)" "$OUT" || fail "info after xmemd stopped: $(cat "$OUT")"
expect 1 reserve 1G
one_line_error "xmemd is not running"

expect 0 destroy web1
expect 0 destroy db1
it_check_store
pass
