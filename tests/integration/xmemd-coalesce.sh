#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-coalesce.sh: guests' demand reports are gathered, changes are not.
# Every guest rewrites its data/xmem/ keys every period, each key a watch
# event; xmemd rebalances for them at most once per 250 ms, while a target, a
# bound or a balloon change is answered within 20 ms. A burst of reports
# spread over more than a second, from two guests, must cost at most one
# rebalance per 250 ms of the burst (plus a few at its edges), not one per
# report (at 20 ms, the burst below would cost about thirty).
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require_core
it_setup
xd_host 4G 512M
xd_libxl_dom 1 one 1024 1
xd_libxl_dom 2 two 1024 1
# A long period: the rebalances counted below are the event-driven ones.
xd_xmemd --period-ms 60000
prom="$IT_DIR/run/xmem.prom"
rebalances() { awk '$1 == "xmem_rebalances_total" { print $2 }' "$prom" 2>/dev/null; }
xd_wait 30 "xmemd's first export" sh -c "[ -n \"\$(awk '\$1 == \"xmem_rebalances_total\"' '$prom' 2>/dev/null)\" ]"
sleep 1
before=$(rebalances)
t0=$(date +%s%N)
i=0
while [ $i -lt 30 ]; do
	xenstore-write /local/domain/1/data/xmem/used_kib $((400000 + i)) \
		/local/domain/1/data/xmem/seq $i \
		/local/domain/2/data/xmem/used_kib $((300000 + i)) \
		/local/domain/2/data/xmem/seq $i || fail "cannot write a report"
	sleep 0.05
	i=$((i + 1))
done
t1=$(date +%s%N)
sleep 1
after=$(rebalances)
burst_ms=$(( (t1 - t0) / 1000000 ))
n=$((after - before))
limit=$((burst_ms / 250 + 4))
echo "burst of 120 report writes over ${burst_ms} ms: $n rebalances (at most $limit)"
[ "$n" -ge 1 ] || fail "no rebalance followed the reports"
[ "$n" -le "$limit" ] || fail "$n rebalances for a ${burst_ms} ms burst of reports: they were not gathered"

# A change is still answered at once: a new dynamic-max lowers the target.
t=$(xd_key one memory/target)
xenstore-write /local/domain/1/memory/dynamic-max $((t - 65536)) || fail "cannot write dynamic-max"
xd_wait 10 "the target to follow dynamic-max" sh -c "[ \"\$(xenstore-read /local/domain/1/memory/target)\" -le $((t - 65536)) ]"
xd_end
pass
