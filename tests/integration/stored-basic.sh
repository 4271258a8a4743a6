#!/bin/sh
# stored-basic: xmem-stored serves Debian's xenstore-utils: write, read, ls,
# rm, chmod, watch, CONTROL; it listens before its start command returns.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
command -v xenstore-write >/dev/null || skip "xenstore-utils not installed"
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

# The wire's limits and refusals.
it_xenstore_control help | grep -q '^check' || fail "CONTROL help lists check"
it_xenstore_control quota | grep -q '^nodes  *1000' || fail "default nodes quota"
it_check_store
pass
