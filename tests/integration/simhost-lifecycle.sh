#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmem-simhost start/status/stop on scenarios/small.json: every component runs, the guests
# exist in the key tree and the hypervisor, start and stop are idempotent, and stop leaves
# no process and no socket behind.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/simhost-common.sh"
simhost_setup
simhost_need_daemons

out=$("$SIMHOST" start "$XMEM_SRCDIR/scenarios/small.json" --dir "$IT_DIR") || fail "start failed"
assert_eq "$out" "export XMEM_HOST=$IT_DIR" "start's output"
"$SIMHOST" status --dir "$IT_DIR" >/dev/null || fail "status after start: exit $?"
json=$("$SIMHOST" status --dir "$IT_DIR" --json) || fail "status --json"
echo "$json" | grep -q '"state": "running"' || fail "status --json: not running: $json"
echo "$json" | grep -q '"name": "balloon-spiky1"' || fail "status --json lacks balloon-spiky1"
for n in stored hvsim xmemd balloon-steady1 balloon-spiky1; do
	[ -s "$IT_DIR/run/$n.pid" ] || fail "no pid file for $n"
	[ -f "$IT_DIR/run/$n.log" ] || fail "no log for $n"
done

export XENSTORED_PATH="$IT_DIR/store/socket"
d1=$(simhost_domid steady1) || fail "steady1 is not in the key tree"
d2=$(simhost_domid spiky1) || fail "spiky1 is not in the key tree"
assert_eq "$(xenstore-read /local/domain/0/name)" "Domain-0" "dom0's name"
assert_eq "$(xenstore-read /local/domain/$d1/memory/static-max)" 1048576 "steady1 static-max"
assert_eq "$(xenstore-read /local/domain/$d2/memory/dynamic-min)" 131072 "spiky1 dynamic-min"
assert_eq "$(xenstore-read /local/domain/$d2/memory/weight)" 8000 "spiky1 weight"
assert_eq "$(xenstore-read /local/domain/$d2/memory/buffer)" 25 "spiky1 buffer"
assert_eq "$(xenstore-read /local/domain/$d2/memory/managed)" 1 "spiky1 managed"
assert_eq "$(xenstore-read /local/domain/$d2/memory/startup)" 524288 "spiky1 startup"
vm=$(xenstore-read /local/domain/$d1/vm)
assert_eq "$(xenstore-read "$vm/name")" steady1 "/vm/<uuid>/name"
it_check_store
echo "$json" | grep -q "\"domid\": $d1" || fail "status --json lacks domain $d1"

# Idempotent start: same scenario, nothing new.
pid=$(cat "$IT_DIR/run/stored.pid")
out=$("$SIMHOST" start "$XMEM_SRCDIR/scenarios/small.json" --dir "$IT_DIR") || fail "second start failed"
assert_eq "$out" "export XMEM_HOST=$IT_DIR" "second start's output"
assert_eq "$(cat "$IT_DIR/run/stored.pid")" "$pid" "second start restarted the store"
assert_eq "$(xenstore-list /local/domain | wc -l)" 3 "domains after a second start"

# The recorder samples every guest.
"$SIMHOST" record --dir "$IT_DIR" --out "$IT_DIR/rec.csv" --interval-ms 100 --duration-s 1 ||
	fail "record failed"
head -n1 "$IT_DIR/rec.csv" | grep -q '^t_s,domid,name,demand_kib' || fail "record: header"
grep -q ",steady1," "$IT_DIR/rec.csv" || fail "record: no steady1 rows"
grep -q ",spiky1," "$IT_DIR/rec.csv" || fail "record: no spiky1 rows"
# The guests' stall total and MemTotal, as they report them (the demo report uses both).
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["name"] == "steady1" && $c["psi_some_total_us"] ~ /^[0-9]+$/ &&
	$c["meminfo_total_kib"] + 0 > 0 && $c["meminfo_total_kib"] + 0 < $c["alloc_kib"] + 0 { ok = 1 }
	END { exit !ok }' "$IT_DIR/rec.csv" || fail "record: no stall total or MemTotal for steady1"

# A guest added by `xmem create` (its balloon is no component of the scenario) is shown by
# status and ended by stop.
xmem="$XMEM_BUILDDIR/tools/xmem/xmem"
[ -x "$xmem" ] || missing "$xmem (not built: make)"
XMEM_HOST="$IT_DIR" "$xmem" create extra1 --memory 256M --maxmem 512M --workload steady:64M \
	>/dev/null || fail "xmem create extra1"
d3=$(simhost_domid extra1) || fail "extra1 is not in the key tree"
"$SIMHOST" status --dir "$IT_DIR" | grep -Eq "^  balloon-($d3|extra1) +running" ||
	fail "status lacks extra1's balloon: $("$SIMHOST" status --dir "$IT_DIR")"
"$SIMHOST" status --dir "$IT_DIR" >/dev/null || fail "an extra guest made the host degraded"

"$SIMHOST" stop --dir "$IT_DIR" || fail "stop failed"
unset XENSTORED_PATH
[ -z "$(simhost_procs)" ] || fail "processes left after stop: $(simhost_procs)"
[ -z "$(simhost_sockets)" ] || fail "sockets left after stop: $(simhost_sockets)"
ls "$IT_DIR"/run/*.pid >/dev/null 2>&1 && fail "pid files left after stop"
[ -f "$IT_DIR/run/xmemd.log" ] || fail "stop removed the logs"
"$SIMHOST" status --dir "$IT_DIR" >/dev/null
assert_eq "$?" 3 "status of a stopped host"
"$SIMHOST" stop --dir "$IT_DIR" || fail "second stop failed"

# And it starts again.
"$SIMHOST" start "$XMEM_SRCDIR/scenarios/small.json" --dir "$IT_DIR" >/dev/null || fail "restart failed"
"$SIMHOST" stop --dir "$IT_DIR" || fail "stop after restart"
[ -z "$(simhost_procs)" ] || fail "processes left after the second stop"
pass
