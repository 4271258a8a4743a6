#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-idle-writes.sh: an idle host costs the key tree no write per domain
# per rebalance. Eight domains sit at their targets while xmemd rebalances
# every 200 ms; its writes (xmem-stored's CONTROL requests for xmemd's pid)
# over twenty idle rebalances stay near one a rebalance (last-rebalance), not
# one per domain (a last_progress rewritten at every rebalance makes nine).
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require_core
it_setup
xd_host 16G 512M
for i in 1 2 3 4 5 6 7 8; do
	xd_libxl_dom $i d$i 1024 1
done
xd_xmemd
prom="$IT_DIR/run/xmem.prom"
rebalances() { awk '$1 == "xmem_rebalances_total" { print $2 }' "$prom" 2>/dev/null; }
# xmemd's reads and writes so far: "reads R writes W connections N".
requests() { it_xenstore_control requests "$XD_XMEMD_PID"; }
xd_wait 30 "xmemd's first export" sh -c "[ -n \"\$(awk '\$1 == \"xmem_rebalances_total\"' '$prom' 2>/dev/null)\" ]"
xd_rebalances 5
out=$(requests) || fail "CONTROL requests failed: $out"
case $out in "reads "*" writes "*" connections "*) ;; *) fail "CONTROL requests said: $out" ;; esac
[ "$(echo "$out" | awk '{ print $6 }')" -ge 1 ] || fail "no connection of xmemd counted: $out"
w0=$(echo "$out" | awk '{ print $4 }')
b0=$(rebalances)
xd_rebalances 20
w1=$(requests | awk '{ print $4 }')
b1=$(rebalances)
n=$((b1 - b0))
writes=$((w1 - w0))
limit=$((2 * n + 10))
echo "$n idle rebalances of 8 settled domains: $writes writes (at most $limit)"
[ "$n" -ge 20 ] || fail "only $n rebalances counted"
[ "$writes" -ge "$n" ] || fail "CONTROL requests counted $writes writes for $n rebalances (each writes last-rebalance)"
[ "$writes" -le "$limit" ] || fail "$writes writes for $n idle rebalances: something is rewritten per domain"
xd_end
pass
