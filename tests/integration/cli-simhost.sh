#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmem on a host started by xmem-simhost from scenarios/small.json: the
# scenario's guests by name, destroy of a scenario guest (its xmem-balloon,
# named by guest, stops), create beside them, and simhost stop taking xmem's
# own guest processes down too.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
. "$XMEM_SRCDIR/tests/integration/cli-lib.sh"
SIMHOST="$XMEM_BUILDDIR/tools/simhost/xmem-simhost"
[ -x "$SIMHOST" ] || missing "xmem-simhost (not built: make)"
[ -x "$XMEM_BUILDDIR/guest/balloon/xmem-balloon" ] || missing "xmem-balloon (not built: make)"
[ -x "$XMEM_BUILDDIR/tools/xmemd/xmemd" ] || missing "xmemd (not built: make)"
"$SIMHOST" start "$XMEM_SRCDIR/scenarios/small.json" --dir "$IT_DIR" >/dev/null 2>"$ERR.start" ||
	fail "xmem-simhost start failed: $(cat "$ERR.start")"
stop_host() { "$SIMHOST" stop --dir "$IT_DIR" >/dev/null 2>&1; }
trap 'rc=$?; stop_host; (exit $rc); it_cleanup' EXIT

expect 0 list
assert_eq "$(awk 'NR > 1 { print $1 }' "$OUT" | tr '\n' ' ')" "Domain-0 steady1 spiky1 " "the scenario's domains"
expect 0 info --json
grep -q '"state": "running"' "$OUT" || fail "xmemd of the scenario: $(cat "$OUT")"

pid=$(cat "$IT_DIR/run/balloon-steady1.pid") || fail "no balloon pid file for steady1"
expect 0 destroy steady1
kill -0 "$pid" 2>/dev/null && fail "destroy left steady1's xmem-balloon running"
expect 1 list steady1
one_line_error "unknown domain 'steady1'"

expect 0 create web1 --memory 256M --maxmem 512M --workload steady:128M
domid=$(sed -n 's/^created web1 (domid \([0-9]*\))$/\1/p' "$OUT")
pid=$(cat "$IT_DIR/run/balloon-$domid.pid") || fail "no balloon pid file for web1"
kill -0 "$pid" || fail "web1's xmem-balloon is not running"
"$SIMHOST" stop --dir "$IT_DIR" >/dev/null 2>&1 || fail "xmem-simhost stop failed"
n=0
while kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
kill -0 "$pid" 2>/dev/null && fail "simhost stop left xmem's guest process running"
pass
