#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Invalid scenarios: start fails with a one-line error naming the file and the field, and
# starts nothing.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/simhost-common.sh"
simhost_setup
[ -x "$SIMHOST" ] || fail "$SIMHOST not built"

# check NAME JSON EXPECTED-TEXT
check() {
	local f="$IT_DIR/$1.json" err
	printf '%s\n' "$2" > "$f"
	if "$SIMHOST" start "$f" --dir "$IT_DIR/host" >/dev/null 2>"$IT_DIR/err"; then
		fail "$1: accepted"
	fi
	err=$(cat "$IT_DIR/err")
	assert_eq "$(printf '%s\n' "$err" | wc -l)" 1 "$1: one line of error"
	case "$err" in
	*"$1.json: $3"*) ;;
	*) fail "$1: error '$err' does not say '$1.json: $3'" ;;
	esac
	[ -z "$(simhost_procs)" ] || fail "$1: something was started"
}

check syntax '{"memory": "4G", ' "not valid JSON"
check nomem '{"guests": []}' "memory: missing"
check typo '{"memory": "4G", "guests": [], "flor": "1G"}' 'unknown field "flor"'
check weight '{"memory": "4G", "guests": [{"name": "a", "static-max": "1G", "weight": 20000}]}' \
	"guests[0] (a).weight: expected an integer from 0 to 10000"
check order '{"memory": "4G", "guests": [{"name": "a", "static-max": "1G", "startup": "512M", "min": "1G"}]}' \
	"guests[0] (a).min: 1G is above startup (512M)"
check workload '{"memory": "4G", "guests": [{"name": "a", "static-max": "1G", "workload": "steady"}]}' \
	"guests[0] (a).workload: expected steady:SIZE"
check trace '{"memory": "4G", "guests": [{"name": "a", "static-max": "1G", "workload": "trace:nope.csv:vm"}]}' \
	"guests[0] (a).workload: cannot read trace file"
check dup '{"memory": "4G", "guests": [{"name": "a", "static-max": "1G"}, {"name": "a", "static-max": "1G"}]}' \
	"guests[1].name: \"a\" is also guests[0]'s name"
check full '{"memory": "1G", "guests": [{"name": "a", "static-max": "1G"}, {"name": "b", "static-max": "1G"}]}' \
	"guests: startup sizes plus dom0 and floor need 2G, more than memory (1G)"

# A missing file names itself.
"$SIMHOST" start "$IT_DIR/none.json" --dir "$IT_DIR/host" 2>"$IT_DIR/err" && fail "accepted a missing file"
grep -q "none.json: No such file" "$IT_DIR/err" || fail "unclear: $(cat "$IT_DIR/err")"
# Usage errors exit 2.
"$SIMHOST" start 2>/dev/null; assert_eq "$?" 2 "start without a scenario"
"$SIMHOST" frobnicate 2>/dev/null; assert_eq "$?" 2 "unknown command"
"$SIMHOST" --help | grep -q "xmem-simhost start SCENARIO" || fail "--help"
pass
