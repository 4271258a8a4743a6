#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# guest-balloon-target.sh: xmem-balloon follows memory/target on a real
# xmem-stored + xmem-hvsim: the guest populates up to its boot target, then
# shrinks and grows with every new target (tot_pages follows, the frontend
# reports done), ignores bad targets with a log line, and publishes its
# demand signals under data/.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/guest-lib.sh"
it_setup
it_start_stored
it_start_hvsim 4G
it_check_hv

D=/local/domain/5
it_make_guest 5 vm5 1048576 786432
it_start_balloon 5 steady:100M

# Boot: the balloon populates up to memory/target (768 MiB = 196608 pages).
wait_key $D/data/balloon/state "done" 30 "boot to the target"
assert_eq "$(xsr $D/data/balloon/current_kib)" 786432 "allocation at boot"
assert_eq "$(xsr $D/data/balloon/target_kib)" 786432 "target seen"
assert_eq "$(hv_tot_pages 5)" 196608 "tot_pages at boot"
assert_eq "$(it_hvq list | awk '$1 == 5 {print $4}')" 0 \
	"the boot claim is used up"
assert_eq "$(xsr $D/data/balloon/retries)" 0 "no retries"
it_check_hv

# Shrink to 512 MiB: tot_pages follows.
xenstore-write $D/memory/target 524288
wait_key $D/data/balloon/current_kib 524288 30 "shrink to 512 MiB"
wait_key $D/data/balloon/state "done" 10 "done after shrinking"
assert_eq "$(hv_tot_pages 5)" 131072 "tot_pages after shrinking"
assert_eq "$(xsr $D/data/balloon/target_kib)" 524288 "target seen after shrinking"

# Grow to static-max: the frames come back from the host.
xenstore-write $D/memory/target 1048576
wait_key $D/data/balloon/current_kib 1048576 30 "grow to static-max"
wait_key $D/data/balloon/state "done" 10 "done after growing"
assert_eq "$(hv_tot_pages 5)" 262144 "tot_pages after growing"
it_check_hv
it_check_store

# Bad targets: ignored with a log line, nothing moves, the balloon lives on.
# Each is read before the next is written (on a busy machine the frontend
# would otherwise read only the last value, or none once it is removed).
ignored() { grep -c "ignoring target" "$IT_DIR/run/balloon-5.log"; }
for bad in abc -5 12.5 2097152 ""; do
	n=$(ignored)
	xenstore-write -- $D/memory/target "$bad" || fail "cannot write target $bad"
	i=0
	while [ "$(ignored)" -le "$n" ]; do
		[ $i -ge 100 ] && fail "no log line for the target '$bad' in 10 s"
		sleep 0.1; i=$((i + 1))
	done
done
xenstore-rm $D/memory/target
sleep 1
assert_eq "$(hv_tot_pages 5)" 262144 "tot_pages after bad targets"
assert_eq "$(xsr $D/data/balloon/target_kib)" 1048576 "target after bad targets"
assert_eq "$(xsr $D/data/balloon/state)" "done" "state after bad targets"
for why in "not a decimal number" "above memory/static-max"; do
	grep -q "ignoring target.*$why" "$IT_DIR/run/balloon-5.log" ||
		fail "no log line for a target $why"
done
kill -0 "$(cat "$IT_DIR/run/balloon-5.pid")" || fail "xmem-balloon died on bad targets"

# The guest cannot write its own target (libxl's permissions), but the
# frontend still follows the toolstack's.
xenstore-write $D/memory/target 655360
wait_key $D/data/balloon/current_kib 655360 30 "target after the bad ones"
assert_eq "$(hv_tot_pages 5)" 163840 "tot_pages after the bad ones"

# The demand signals of the simulated guest.
total=$(xsr $D/data/meminfo_total)
[ -n "$total" ] && [ "$total" -gt 0 ] || fail "no data/meminfo_total"
[ "$(xsr $D/data/xmem/committed_kib)" = 128000 ] || fail "committed_kib is not 125% of 100M: $(xsr $D/data/xmem/committed_kib)"
seq=$(xsr $D/data/xmem/seq)
[ -n "$seq" ] && [ "$seq" -gt 0 ] || fail "no data/xmem/seq"
assert_eq "$(xsr $D/data/xmem/psi_some_avg10)" 0 "no pressure for a small working set"
it_check_hv
it_check_store

# Progress is reported when the balloon stops moving, not only once a period:
# with an hour between periodic reports, boot and a shrink still show up.
E=/local/domain/8
it_make_guest 8 vm8 524288 262144
it_start_balloon 8 idle --period-ms 3600000
wait_key $E/data/balloon/state "done" 30 "boot reported without a periodic report"
assert_eq "$(xsr $E/data/balloon/current_kib)" 262144 "boot allocation reported"
xenstore-write $E/memory/target 131072
wait_key $E/data/balloon/current_kib 131072 30 "shrink reported without a periodic report"
assert_eq "$(xsr $E/data/balloon/state)" "done" "state after the shrink"
assert_eq "$(hv_tot_pages 8)" 32768 "tot_pages of domain 8"
kill "$(cat "$IT_DIR/run/balloon-8.pid")"

# The store restarts: the frontend reconnects, watches again, and follows
# the target the new store holds; its report is written again in full.
kill "$(cat "$IT_DIR/run/stored.pid")"
n=0
while ! grep -q "lost the xenstore connection\|no xenstore reachable" "$IT_DIR/run/balloon-5.log"; do
	[ $n -ge 100 ] && fail "the balloon did not notice the store leaving"
	sleep 0.1; n=$((n + 1))
done
rm -rf "$IT_DIR/store"
it_start_stored
it_make_guest_keys 5 vm5 1048576 393216
wait_key $D/data/balloon/current_kib 393216 30 "target after the store restarted"
assert_eq "$(hv_tot_pages 5)" 98304 "tot_pages after the store restarted"
wait_key $D/data/balloon/state "done" 10 "done after the store restarted"
[ -n "$(xsr $D/data/meminfo_total)" ] || fail "report not rewritten after the restart"
kill -0 "$(cat "$IT_DIR/run/balloon-5.pid")" || fail "xmem-balloon died with the store"
it_check_hv
it_check_store

# The domain is destroyed and its store connection goes: the guest stops too.
pid=$(cat "$IT_DIR/run/balloon-5.pid")
it_hvq destroy 5 || fail "hvsim destroy 5"
kill "$(cat "$IT_DIR/run/stored.pid")"
n=0
while kill -0 "$pid" 2>/dev/null; do
	[ $n -ge 100 ] && fail "xmem-balloon outlived its domain"
	sleep 0.1; n=$((n + 1))
done
grep -q "domain 5: the hypervisor no longer answers for it" "$IT_DIR/run/balloon-5.log" ||
	fail "the balloon did not say why it stopped"
pass
