#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# reserve, reservations and release: the client side of xmemd's reservation
# protocol. A stand-in for xmemd (this script, answering through the key tree)
# drives every outcome: granted, failed with a reason, no answer; and without
# xmemd the command refuses. Nothing is left behind by a failure.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
. "$XMEM_SRCDIR/tests/integration/cli-lib.sh"
cli_host 8G
R=/tool/xmemd/reservation

# No xmemd: refused, nothing written.
expect 1 reserve 1G
one_line_error "xmemd is not running on this host"
assert_eq "$(xenstore-list $R 2>/dev/null)" "" "reservations after a refusal"

# The stand-in: xmemd's state says running, with this shell's (live) pid.
xenstore-write /tool/xmemd/state running /tool/xmemd/pid $$ || fail "write"

# Answer the next pending reservation: $1 = granted|failed, $2 = granted_kib or reason.
answer() {
	(
		n=0
		while [ $n -lt 100 ]; do
			for id in $(xenstore-list $R 2>/dev/null); do
				[ "$(key $R/$id/state)" = pending ] || continue
				if [ "$1" = granted ]; then
					xenstore-write $R/$id/granted_kib "$2" $R/$id/state granted
				else
					xenstore-write $R/$id/reason "$2" $R/$id/state failed
				fi
				exit 0
			done
			sleep 0.1
			n=$((n + 1))
		done
	) &
	ANSWER=$!
}

# Granted: the request is as the protocol says; the reservation stays.
answer granted 1048576
expect 0 reserve 1G --for web9 --expires 120
wait $ANSWER
id=$(sed -n 's/^reservation \([^ ]*\) granted: 1024 MiB held free.*/\1/p' "$OUT")
[ -n "$id" ] || fail "reserve's report: $(cat "$OUT")"
assert_eq "$(key $R/$id/size_kib) $(key $R/$id/for) $(key $R/$id/state)" "1048576 web9 granted" \
	"the request"
exp=$(key $R/$id/expires)
[ "$exp" -ge $(($(date +%s) + 100)) ] && [ "$exp" -le $(($(date +%s) + 120)) ] ||
	fail "expires $exp is not about now + 120"
expect 0 reservations
grep -q "^$id  *granted  *1024  *1024 web9 " "$OUT" || fail "reservations: $(cat "$OUT")"
expect 0 reservations --json
grep -q "\"id\": \"$id\"" "$OUT" && grep -q '"granted_kib": 1048576' "$OUT" ||
	fail "reservations --json: $(cat "$OUT")"
expect 0 info --json
grep -q '"reserved_kib": 1048576' "$OUT" || fail "info counts the granted reservation: $(cat "$OUT")"

# Released: gone; releasing again is an error.
expect 0 release "$id"
assert_eq "$(xenstore-list $R 2>/dev/null)" "" "reservations after release"
expect 1 release "$id"
one_line_error "no reservation '$id': 'xmem reservations' lists them"

# Failed: xmemd's reason, and the request is removed.
answer failed "the minimums of the other domains leave only 2048 MiB"
expect 1 reserve 6G
wait $ANSWER
one_line_error "xmemd could not free 6144 MiB: the minimums of the other domains leave only 2048 MiB"
assert_eq "$(xenstore-list $R 2>/dev/null)" "" "reservations after a failure"

# No answer in time: withdrawn.
expect 1 reserve 1G --wait 1
one_line_error "xmemd did not answer within 1 s"
assert_eq "$(xenstore-list $R 2>/dev/null)" "" "reservations after a timeout"

# Interrupted while waiting: withdrawn.
"$XMEM" reserve 1G --wait 60 >"$OUT" 2>"$ERR" &
rpid=$!
n=0
while [ -z "$(xenstore-list $R 2>/dev/null)" ]; do
	[ $n -ge 100 ] && fail "reserve wrote no request"
	sleep 0.1
	n=$((n + 1))
done
kill -TERM $rpid
rc=0
wait $rpid || rc=$?
assert_eq "$rc" 1 "exit code of an interrupted reserve"
one_line_error "interrupted: reservation"
assert_eq "$(xenstore-list $R 2>/dev/null)" "" "reservations after an interruption"

# On a terminal, a progress bar of the host's free memory while waiting.
command -v script >/dev/null || missing "script (package bsdutils)"
TERM=xterm timeout 20 script -qec "$XMEM reserve 1G --wait 1" /dev/null >"$IT_DIR/tty" 2>&1
grep -q "waiting for xmemd: \[#*\.*\] [0-9]*/1024 MiB free" "$IT_DIR/tty" ||
	fail "no progress bar: $(cat -v "$IT_DIR/tty")"
assert_eq "$(xenstore-list $R 2>/dev/null)" "" "reservations after a timeout on a terminal"

# --wait 0: the request stands, pending; --json says so.
expect 0 reserve 512M --wait 0 --json
grep -q '"state": "pending"' "$OUT" || fail "reserve --wait 0: $(cat "$OUT")"
id=$(sed -n 's/.*"id": "\(.*\)".*/\1/p' "$OUT")
assert_eq "$(key $R/$id/state)" pending "pending request"
expect 0 release "$id"

# A granted reservation builds a domain: create writes its domid.
answer granted 524288
expect 0 reserve 512M
wait $ANSWER
id=$(sed -n 's/^reservation \([^ ]*\) granted.*/\1/p' "$OUT")
expect 0 create web2 --memory 512M --reservation "$id"
assert_eq "$(key $R/$id/domid)" 1 "the reservation's domid"

# A dead xmemd is no xmemd.
sleep 0 &
dead=$!
wait $dead
xenstore-write /tool/xmemd/pid $dead || fail "write"
expect 1 reserve 1G
one_line_error "xmemd is not running"
it_check_store
pass
