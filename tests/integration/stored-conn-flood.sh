#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# stored-conn-flood: a guest opens connections until the daemon's descriptors
# run out (a low hard RLIMIT_NOFILE, the connection quota off). A new dom0
# connection is still answered, xenstore-read works, the daemon does not spin
# on a failing accept(), and its log stays small (refusals are rate-limited).
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
bin=$(it_stored_bin)
[ -x "$bin" ] || fail "$bin not built"
(ulimit -n 64 && exec "$bin" --rundir "$IT_DIR/store" --pid-file "$IT_DIR/run/stored.pid" \
	--log-file "$IT_DIR/run/stored.log") || fail "xmem-stored did not start"
it_track_pidfile "$IT_DIR/run/stored.pid"
it_wait_socket "$IT_DIR/store/socket"
export XENSTORED_PATH="$IT_DIR/store/socket"
XMEM_STORED_PID=$(cat "$IT_DIR/run/stored.pid")
export XMEM_STORED_PID
attack="$XMEM_BUILDDIR/tests/integration/xs-attack"
[ -x "$attack" ] || fail "$attack not built"
"$attack" conn-flood || fail "connection flood"
assert_eq "$(timeout 10 xenstore-read /tool/xenstored 2>&1)" "" "xenstore-read after the flood"
it_check_store
lines=$(wc -l <"$IT_DIR/run/stored.log")
[ "$lines" -lt 50 ] || fail "the log grew by $lines lines during the flood"
grep -q 'connection refused' "$IT_DIR/run/stored.log" || fail "no refusal logged"
pass "log $lines lines"
