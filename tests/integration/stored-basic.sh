#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# stored-basic: xmem-stored serves Debian's xenstore-utils: write, read, ls,
# rm, chmod, watch, CONTROL; it listens before its start command returns.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
command -v xenstore-write >/dev/null || missing "xenstore-write (package xenstore-utils; ./run deps)"
it_setup
it_start_stored

# Ready as soon as the command returned: no wait needed before the first request.
xenstore-write /test/a hello || fail "write"
assert_eq "$(xenstore-read /test/a)" hello "read back"
xenstore-write /test/b/c/d deep || fail "write creates parents"
assert_eq "$(xenstore-read /test/b/c)" "" "intermediate node is empty"
assert_eq "$(xenstore-list /test | tr '\n' ' ')" "a b " "directory in creation order"
xenstore-read /test/missing 2>/dev/null && fail "read of a missing node succeeded"
xenstore-exists /test/b/c/d || fail "exists"

# Relative paths on the privileged socket resolve under /local/domain/0.
xenstore-write rel value || fail "relative write"
assert_eq "$(xenstore-read /local/domain/0/rel)" value "relative path home"

# Permissions round trip.
xenstore-chmod /test/a n0 r5 b7 || fail "chmod"
assert_eq "$(xenstore-ls -p /test | grep '^a ' | sed 's/.*(//;s/)//')" "n0,r5,b7" "permissions"

# Watches: the initial event, then one per change.
out="$IT_DIR/watch.out"
xenstore-watch -n 3 /test > "$out" 2>&1 &
wpid=$!
it_track "$wpid"
n=0; while [ ! -s "$out" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
xenstore-write /test/a changed || fail "write"
xenstore-rm /test/b || fail "rm"
wait "$wpid" || fail "xenstore-watch did not see 3 events: $(cat "$out")"
assert_eq "$(tr '\n' ' ' < "$out")" "/test /test/a /test/b " "watch events"

xenstore-rm /test || fail "rm subtree"
xenstore-read /test/a 2>/dev/null && fail "node survived rm of its parent"
it_check_store

# CONTROL: help, quotas (defaults, set), memreport (text and JSON), log.
it_xenstore_control help | grep -q '^check' || fail "CONTROL help lists check"
it_xenstore_control quota | grep -q '^nodes  *1000' || fail "default nodes quota"
it_xenstore_control quota set nodes 500 >/dev/null || fail "CONTROL quota set"
it_xenstore_control quota | grep -q '^nodes  *500' || fail "quota set took no effect"
it_xenstore_control quota set no-such 1 2>/dev/null && fail "unknown quota accepted"
it_xenstore_control memreport | grep -q '^nodes ' || fail "memreport"
it_xenstore_control memreport json | grep -q '"domains"' || fail "memreport json"
it_xenstore_control log debug >/dev/null || fail "CONTROL log"
it_xenstore_control no-such-command 2>/dev/null && fail "unknown CONTROL command accepted"
it_check_store

# The command line: --help, flags for quotas, one-line errors.
bin=$(it_stored_bin)
"$bin" --help | grep -q -- '--rundir' || fail "--help"
out=$("$bin" --rundir "$IT_DIR/x" -Q bogus=1 2>&1) && fail "bad quota accepted"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "error is not one line: $out"
"$bin" 2>/dev/null && fail "no --rundir accepted"
"$bin" --rundir "$IT_DIR/q" --pid-file "$IT_DIR/run/q.pid" -E 7 -W 3 || fail "start with -E -W"
it_track_pidfile "$IT_DIR/run/q.pid"
XENSTORED_PATH="$IT_DIR/q/socket" it_xenstore_control quota | grep -q '^nodes  *7$\|^nodes  *7 ' ||
	fail "-E sets the nodes quota"
pass
