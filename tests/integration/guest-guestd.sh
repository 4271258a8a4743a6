#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# guest-guestd.sh: xmem-guestd on recorded /proc and /sys trees (this machine's
# and Xen guests'): its JSON report, then publishing as a domain into a real
# xmem-stored: libxl's data/ keys, only changed values with seq counting
# reports, and coming back after the store restarts.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/guest-lib.sh"
it_setup
GUESTD=$(it_guest_bin agent/xmem-guestd)

# 1. --json --once on fixtures: the numbers of the files.
out=$("$GUESTD" --root "$GUEST_FIXTURES/this-machine" --json --once) || fail "guestd --json on this machine"
total=$(awk '/^MemTotal:/ {print $2}' "$GUEST_FIXTURES/this-machine/proc/meminfo")
echo "$out" | grep -q "\"data/meminfo_total\":\"$total\"" || fail "this machine's MemTotal missing: $out"
echo "$out" | grep -q '"data/xmem/psi_some_avg10":' || fail "this machine's PSI missing: $out"
echo "$out" | grep -q '"data/balloon/' && fail "balloon keys without a balloon: $out"

out=$("$GUESTD" --root "$GUEST_FIXTURES/xen-domu-backoff" --json --once) || fail "guestd --json on a domU"
for kv in '"data/meminfo_total":"529980"' '"data/xmem/used_kib":"508460"' \
	'"data/xmem/psi_some_avg10":"4187"' '"data/xmem/pswpout":"12988"' \
	'"data/balloon/state":"backoff"' '"data/balloon/current_kib":"601088"' \
	'"data/balloon/target_kib":"524288"'; do
	echo "$out" | grep -q "$kv" || fail "domU report lacks $kv: $out"
done
out=$("$GUESTD" --root "$GUEST_FIXTURES/old-kernel-3.10" --json --once) || fail "guestd on 3.10"
echo "$out" | grep -q 'available_kib\|psi_' && fail "3.10 has no MemAvailable nor PSI: $out"
"$GUESTD" --root "$IT_DIR/nothing" --json --once 2>"$IT_DIR/err" && fail "guestd without /proc succeeded"
grep -q "cannot read $IT_DIR/nothing/proc/meminfo" "$IT_DIR/err" || fail "unclear error: $(cat "$IT_DIR/err")"

# 2. No store: a clear one-line error.
"$GUESTD" --host "$IT_DIR" --domid 7 --root "$GUEST_FIXTURES/xen-domu-6.1" --once 2>"$IT_DIR/err" &&
	fail "guestd --once without a store succeeded"
grep -q "no xenstore reachable at $IT_DIR/store/domain/7/socket" "$IT_DIR/err" ||
	fail "unclear error: $(cat "$IT_DIR/err")"

# 3. Publish as domain 7 into a real store.
it_start_stored
it_start_hvsim 2G
it_make_guest 7 guestd-vm 2097152 1048576
D=/local/domain/7
"$GUESTD" --host "$IT_DIR" --domid 7 --root "$GUEST_FIXTURES/xen-domu-6.1" --once ||
	fail "guestd --once into the store"
assert_eq "$(xsr $D/data/meminfo_total)" 977412 "meminfo_total"
assert_eq "$(xsr $D/data/meminfo_free)" 118236 "meminfo_free"
assert_eq "$(xsr $D/data/xmem/available_kib)" 402812 "available"
assert_eq "$(xsr $D/data/xmem/psi_full_avg10)" 105 "psi full"
assert_eq "$(xsr $D/data/balloon/state)" "done" "balloon state"
assert_eq "$(xsr $D/data/xmem/seq)" 1 "first report"
# Written by the guest: the nodes are the guest's own.
xenstore-ls -p $D/data 2>/dev/null | grep meminfo_total | grep -q "n7" ||
	fail "data/meminfo_total not owned by the guest: $(xenstore-ls -p $D/data | head -3)"
it_check_store

# 4. The daemon: a changed value is written, an unchanged report is not.
ROOT="$IT_DIR/root"
cp -r "$GUEST_FIXTURES/xen-domu-6.1" "$ROOT"
"$GUESTD" --host "$IT_DIR" --domid 7 --root "$ROOT" --period-ms 100 \
	--pid-file "$IT_DIR/run/guestd.pid" --log-file "$IT_DIR/run/guestd.log" -v ||
	fail "guestd did not start"
it_track_pidfile "$IT_DIR/run/guestd.pid"
sleep 1
# The fresh connection resent everything once (seq continues: 2), then nothing changed.
assert_eq "$(xsr $D/data/xmem/seq)" 2 "reports while nothing changes"
sed -i 's/^MemFree: .*/MemFree:          100000 kB/' "$ROOT/proc/meminfo"
wait_key $D/data/meminfo_free 100000 10 "changed MemFree"
assert_eq "$(xsr $D/data/xmem/seq)" 3 "one report for one change"
# Nothing more changes: after 20 s (200 periods) the heartbeat writes seq alone.
wait_key $D/data/xmem/seq 4 30 "heartbeat while nothing changes"
assert_eq "$(xsr $D/data/meminfo_free)" 100000 "the heartbeat keeps the values"
echo 2 > "$ROOT/sys/devices/system/xen_memory/xen_memory0/retry_count"
echo 524288 > "$ROOT/sys/devices/system/xen_memory/xen_memory0/target_kb"
wait_key $D/data/balloon/state backoff 10 "balloon backoff seen"
assert_eq "$(xsr $D/data/balloon/target_kib)" 524288 "balloon target"
it_check_store

# A refused write (data/ made read-only) is said once, retried every period,
# and written once allowed again.
xenstore-rm $D/data || fail "rm data"
xenstore-write $D/data "" || fail "recreate data"
xenstore-chmod $D/data n0 || fail "chmod data"
sed -i 's/^MemFree: .*/MemFree:          95000 kB/' "$ROOT/proc/meminfo"
n=0; while ! grep -q "cannot write the report under data/: permission denied" "$IT_DIR/run/guestd.log"; do
	[ $n -ge 100 ] && fail "guestd did not say its write was refused"
	sleep 0.1; n=$((n + 1))
done
sleep 0.5
assert_eq "$(grep -c "cannot write the report" "$IT_DIR/run/guestd.log")" 1 "the refusal said once"
xenstore-chmod $D/data n7 || fail "chmod data back"
wait_key $D/data/meminfo_free 95000 10 "report after data/ is writable again"
grep -q "the report is written again" "$IT_DIR/run/guestd.log" || fail "recovery not said"
it_check_store

# 5. The store goes away and comes back: guestd says so and writes everything again.
kill "$(cat "$IT_DIR/run/stored.pid")"
n=0; while [ -S "$IT_DIR/store/socket" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
sed -i 's/^MemFree: .*/MemFree:          90000 kB/' "$ROOT/proc/meminfo"
n=0; while ! grep -q "lost the xenstore connection\|no xenstore reachable" "$IT_DIR/run/guestd.log"; do
	[ $n -ge 100 ] && fail "guestd did not notice the store leaving"
	sleep 0.1; n=$((n + 1))
done
rm -rf "$IT_DIR/store"
it_start_stored
it_make_guest_keys 7 guestd-vm 2097152 1048576
wait_key $D/data/meminfo_free 90000 20 "report after the store came back"
assert_eq "$(xsr $D/data/meminfo_total)" 977412 "everything written again"
grep -q "reachable again" "$IT_DIR/run/guestd.log" || fail "guestd did not say the store is back"
it_check_store
pass
