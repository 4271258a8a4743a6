#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmem list and top on a simulated host: the table and --json against golden
# outputs, domains by name or id, the state column's sources, unknown domains,
# and a host whose hypervisor is gone.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
. "$XMEM_SRCDIR/tests/integration/cli-lib.sh"
cli_host 8G

cli_dom0_keys
expect 0 create web1 --memory 1G --maxmem 4G --min 512M --max 2G --weight 8000
assert_eq "$(cat "$OUT")" "created web1 (domid 1)" "create's report"
expect 0 create db1 --memory 2G --maxmem 2G
expect 0 create batch --memory 512M --buffer 50
expect 0 mem-policy batch --managed off
# web1's guest reports demand and pressure, and its frontend is done.
xenstore-write /local/domain/1/data/balloon/state done /local/domain/1/data/xmem/used_kib 700000 \
	/local/domain/1/data/xmem/psi_some_avg10 1234 || fail "cannot write web1's reports"

expect 0 list
golden cli-list.txt "$OUT"
[ ! -s "$ERR" ] || fail "list wrote to stderr: $(cat "$ERR")"
expect 0 list --json
golden cli-list.json "$OUT"
# The global options go before the command too, with the same output.
expect 0 --json list
golden cli-list.json "$OUT"
expect 0 list --host "$IT_DIR" --json
golden cli-list.json "$OUT"

# Domains by name or id, in the order given.
expect 0 list batch 1
assert_eq "$(awk 'NR > 1 { print $1 }' "$OUT" | tr '\n' ' ')" "batch web1 " "list batch 1"
expect 1 list web1 nosuch
one_line_error "unknown domain 'nosuch': 'xmem list' shows the domains"
[ ! -s "$OUT" ] || fail "a failed list printed a table"
expect 1 list 999
one_line_error "unknown domain 999"

# State: derived from the keys, unless xmemd publishes one.
xenstore-write /local/domain/1/memory/uncooperative "" || fail "write"
expect 0 list web1
assert_eq "$(awk 'NR == 2 { print $NF }' "$OUT")" "uncooperative" "memory/uncooperative"
xenstore-rm /local/domain/1/memory/uncooperative
xenstore-write /local/domain/1/data/balloon/state working || fail "write"
expect 0 list web1
assert_eq "$(awk 'NR == 2 { print $NF }' "$OUT")" "ballooning" "frontend working"
xenstore-write /tool/xmemd/domain/1/state ok /tool/xmemd/domain/1/demand_kib 800000 \
	/tool/xmemd/domain/1/pressure_pct 40 || fail "write"
expect 0 list web1 --json
grep -q '"state": "ok"' "$OUT" || fail "xmemd's state does not win: $(cat "$OUT")"
grep -q '"demand_kib": 800000' "$OUT" || fail "xmemd's demand does not win"
grep -q '"pressure_pct": 40' "$OUT" || fail "xmemd's pressure does not win"
# The demand source: derived from the keys (above: web1 xmem-guestd, others none), unless
# xmemd publishes one; its age from when xmemd saw the report change.
expect 0 list db1
assert_eq "$(awk 'NR == 2 { print $(NF - 2) }' "$OUT")" none "db1's source without a report"
xenstore-write /local/domain/2/data/meminfo_total 1900000 /local/domain/2/data/meminfo_free 900000 ||
	fail "write"
expect 0 list db1
assert_eq "$(awk 'NR == 2 { print $(NF - 2) }' "$OUT")" "xe-guest-utilities" "db1's derived source"
now_ms=$(($(date +%s) * 1000))
xenstore-write /tool/xmemd/domain/1/demand_source qubes \
	/tool/xmemd/domain/1/demand_updated $((now_ms - 42000)) || fail "write"
expect 0 --json list web1
grep -q '"demand_source": "qubes"' "$OUT" || fail "xmemd's source does not win: $(cat "$OUT")"
age=$(sed -n 's/.*"demand_age_s": \([0-9]*\).*/\1/p' "$OUT")
[ "$age" -ge 41 ] && [ "$age" -le 60 ] || fail "demand_age_s: got '$age', want about 42"

# top: plain snapshots, sortable; not a --json command.
expect 0 top -b -n 2 -d 1 -s name
assert_eq "$(grep -c '^xmem top - ' "$OUT")" 2 "two refreshes"
assert_eq "$(awk '/^Name/ { getline; print $1; exit }' "$OUT")" "Domain-0" "sorted by name"
assert_eq "$(awk '/^Name/ { n = 0; next } NF { n++; if (n == 4) { print $1; exit } }' "$OUT")" \
	"web1" "last by name"
grep -q '^web1 .* ok  *\[##########\] at target$' "$OUT" || fail "web1's progress: $(cat "$OUT")"
expect 0 top -b -n 1 -s mem
assert_eq "$(awk '/^Name/ { getline; print $1; exit }' "$OUT")" "batch" "sorted by mem"
expect 1 top -n 1 --json
one_line_error "top is a live view"
# The full-screen view on a terminal (script(1) gives it one): draws, sorts on a key, quits on q.
command -v script >/dev/null || missing "script (package bsdutils)"
(sleep 1; printf n; sleep 1; printf q) |
	TERM=xterm COLUMNS=120 timeout 20 script -qec "$XMEM top -d 1" /dev/null >"$IT_DIR/tty" 2>&1 ||
	fail "top on a terminal did not quit on q: $(cat -v "$IT_DIR/tty")"
grep -q "xmem top - " "$IT_DIR/tty" || fail "top drew nothing: $(cat -v "$IT_DIR/tty")"
grep -q "keys: n i m t d p w s sort" "$IT_DIR/tty" || fail "top's key line is missing"

# The hypervisor gone: list still shows the key tree, says Mem is unknown; mem-set refuses.
kill "$(cat "$IT_DIR/run/hvsim.pid")"
n=0
while [ -S "$IT_DIR/hv/socket" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
rm -f "$IT_DIR/hv/socket"
expect 0 list web1
one_line_error "no hypervisor reachable"
assert_eq "$(awk 'NR == 2 { print $3 }' "$OUT")" "-" "Mem without a hypervisor"
expect 1 mem-set web1 1G
one_line_error "no simulated hypervisor on $IT_DIR/hv/socket"
it_check_store
pass
