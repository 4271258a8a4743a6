#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A component killed with SIGKILL: status says degraded, start refuses to build on a broken
# host, stop still ends every process and removes every socket (also a balloon without a
# pid file), and the host starts again afterwards.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/simhost-common.sh"
simhost_setup
simhost_need_daemons

"$SIMHOST" start "$XMEM_SRCDIR/scenarios/small.json" --dir "$IT_DIR" >/dev/null || fail "start failed"
kill -9 "$(cat "$IT_DIR/run/hvsim.pid")" || fail "cannot kill xmem-hvsim"
# A balloon whose pid file is lost must be found all the same.
rm -f "$IT_DIR/run/balloon-steady1.pid"
sleep 0.2
"$SIMHOST" status --dir "$IT_DIR" >/dev/null
assert_eq "$?" 1 "status with a dead component"
if "$SIMHOST" start "$XMEM_SRCDIR/scenarios/small.json" --dir "$IT_DIR" 2>"$IT_DIR/err"; then
	fail "start accepted a partly running host"
fi
grep -q "partly running" "$IT_DIR/err" || fail "unclear refusal: $(cat "$IT_DIR/err")"
[ -n "$(simhost_sockets)" ] || fail "expected the dead hypervisor's socket to be left over"

"$SIMHOST" stop --dir "$IT_DIR" || fail "stop failed"
[ -z "$(simhost_procs)" ] || fail "processes left after stop: $(simhost_procs)"
[ -z "$(simhost_sockets)" ] || fail "sockets left after stop: $(simhost_sockets)"

# The store killed too: stop still succeeds, and a new start works.
"$SIMHOST" start "$XMEM_SRCDIR/scenarios/small.json" --dir "$IT_DIR" >/dev/null || fail "restart failed"
kill -9 "$(cat "$IT_DIR/run/stored.pid")" "$(cat "$IT_DIR/run/xmemd.pid")"
sleep 0.2
"$SIMHOST" stop --dir "$IT_DIR" || fail "stop after killing the store"
[ -z "$(simhost_procs)" ] || fail "processes left: $(simhost_procs)"
[ -z "$(simhost_sockets)" ] || fail "sockets left: $(simhost_sockets)"
pass
