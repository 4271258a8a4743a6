#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmem info on a simulated host: host figures from the hypervisor, xmemd's
# state from /tool/xmemd (not running, running, dead), totals; text and
# --json against golden outputs (pid and times normalised).
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
. "$XMEM_SRCDIR/tests/integration/cli-lib.sh"
cli_host 8G

cli_dom0_keys
expect 0 create web1 --memory 1G --maxmem 4G
expect 0 create db1 --memory 2G --maxmem 2G --min 1G
xenstore-write /local/domain/1/data/xmem/used_kib 500000 || fail "write"

# No xmemd ever ran.
expect 0 info
golden cli-info-idle.txt "$OUT"
expect 0 info --json
golden cli-info-idle.json "$OUT"

# xmemd's published state: running (its pid is alive: this shell), with a policy and a rebalance.
now_ms=$(($(date +%s) * 1000))
xenstore-write /tool/xmemd/state running /tool/xmemd/pid $$ /tool/xmemd/policy default \
	/tool/xmemd/last-rebalance $now_ms /tool/xmemd/host/reserved_kib 524288 \
	/tool/xmemd/host/floor_kib 262144 /tool/xmemd/domain/2/demand_kib 1500000 ||
	fail "cannot write xmemd's keys"
normalise() { sed -e "s/(pid $$)/(pid PID)/" -e 's/"pid": [0-9]*/"pid": PID/' \
	-e 's/^last_rebalance  *: .*/last_rebalance        : TIME/' \
	-e 's/"last_rebalance_ms": [0-9]*/"last_rebalance_ms": TIME/' "$OUT"; }
expect 0 info
grep -q "^last_rebalance        : .* UTC ([0-9]* s ago)$" "$OUT" || fail "last rebalance: $(cat "$OUT")"
normalise >"$IT_DIR/norm"
golden cli-info-running.txt "$IT_DIR/norm"
expect 0 info --json
grep -q "\"last_rebalance_ms\": $now_ms" "$OUT" || fail "last_rebalance_ms: $(cat "$OUT")"
normalise >"$IT_DIR/norm"
golden cli-info-running.json "$IT_DIR/norm"

# A dead pid: xmemd crashed without saying so.
sleep 0 &
dead=$!
wait $dead
xenstore-write /tool/xmemd/pid $dead || fail "write"
expect 0 info --json
grep -q '"state": "dead"' "$OUT" || fail "dead xmemd: $(cat "$OUT")"
xenstore-write /tool/xmemd/state stopped || fail "write"
expect 0 info
grep -q "^xmemd                 : stopped" "$OUT" || fail "stopped xmemd: $(cat "$OUT")"

expect 1 info extra
one_line_error "info: unexpected argument 'extra'"
it_check_store
pass
