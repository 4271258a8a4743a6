#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# files-errors: input files that once slipped through are refused at once with
# one line: a scenario with a key given twice (yajl keeps both; the first won),
# a 5 MB scenario name, a NUL in a name (escaped or raw), a policy file with a
# key twice, and xmem-eval --plots into a directory that takes no file
# (refused before the replay: nothing is printed).
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/simhost-common.sh"
simhost_setup
[ -x "$SIMHOST" ] || fail "$SIMHOST not built"
EVAL="$XMEM_BUILDDIR/tools/eval/xmem-eval"
[ -x "$EVAL" ] || fail "$EVAL not built"
TRACE="$XMEM_SRCDIR/tools/eval/tests/trace-6vm-2d.csv.gz"

# refused_start NAME EXPECTED: start of $IT_DIR/NAME.json fails with one short line saying EXPECTED.
refused_start() {
	local f="$IT_DIR/$1.json" err
	if "$SIMHOST" start "$f" --dir "$IT_DIR/host" >"$IT_DIR/out" 2>"$IT_DIR/err"; then
		fail "$1: accepted"
	fi
	err=$(cat "$IT_DIR/err")
	assert_eq "$(wc -l <"$IT_DIR/err")" 1 "$1: one line of error"
	[ "$(wc -c <"$IT_DIR/err")" -lt 1024 ] || fail "$1: an error of $(wc -c <"$IT_DIR/err") bytes"
	case "$err" in
	*"$1.json: $2"*) ;;
	*) fail "$1: error '$err' does not say '$1.json: $2'" ;;
	esac
	[ ! -s "$IT_DIR/out" ] || fail "$1: printed $(head -c 200 "$IT_DIR/out")"
	[ -z "$(simhost_procs)" ] || fail "$1: something was started"
}

G='{"name": "a", "static-max": "1G"}'
printf '{"memory": "4G", "memory": "64G", "guests": [%s]}\n' "$G" >"$IT_DIR/dup-top.json"
refused_start dup-top 'not valid JSON: duplicate key "memory"'
printf '{"memory": "4G", "guests": [{"name": "a", "static-max": "1G", "weight": 1, "weight": 9000}]}\n' \
	>"$IT_DIR/dup-guest.json"
refused_start dup-guest 'not valid JSON: duplicate key "weight"'

{ printf '{"name": "'; head -c 5000000 /dev/zero | tr '\0' n; printf '", "memory": "4G", "guests": [%s]}\n' "$G"; } \
	>"$IT_DIR/longname.json"
refused_start longname "name: expected 1 to 128 characters, got 5000000"

printf '{"name": "ab\\u0000cd", "memory": "4G", "guests": [%s]}\n' "$G" >"$IT_DIR/nul-escape.json"
refused_start nul-escape 'not valid JSON: a string holds \u0000 (NUL)'
printf '{"memory": "4G", "guests": [{"name": "a\\u0000b", "static-max": "1G"}]}\n' >"$IT_DIR/nul-guest.json"
refused_start nul-guest 'not valid JSON: a string holds \u0000 (NUL)'
printf '{"name": "ab\0cd", "memory": "4G", "guests": [%s]}\n' "$G" >"$IT_DIR/nul-raw.json"
refused_start nul-raw "holds a NUL byte at offset 12"
# expect_eval_error PATTERN ARGS...: status 1 or 2, one line, nothing on stdout (no replay).
expect_eval_error() {
	local pattern=$1 rc=0
	shift
	"$EVAL" "$@" >"$IT_DIR/out" 2>"$IT_DIR/err" || rc=$?
	[ $rc -ne 0 ] || fail "xmem-eval $*: accepted"
	assert_eq "$(wc -l <"$IT_DIR/err")" 1 "xmem-eval $*: one line of error"
	grep -qF -- "$pattern" "$IT_DIR/err" || fail "xmem-eval $*: '$pattern' not in: $(cat "$IT_DIR/err")"
	[ ! -s "$IT_DIR/out" ] || fail "xmem-eval $*: replayed before refusing"
}
printf '{"policy": "xmem", "buffer_pct": 30, "buffer_pct": 300}\n' >"$IT_DIR/dup-policy.json"
expect_eval_error 'duplicate key "buffer_pct"' --trace "$TRACE" --host-memory 9G --policy "$IT_DIR/dup-policy.json"
: >"$IT_DIR/afile"
expect_eval_error "--plots $IT_DIR/afile/plots: Not a directory" \
	--trace "$TRACE" --host-memory 9G --plots "$IT_DIR/afile/plots"
expect_eval_error "--plots $IT_DIR/afile: Not a directory" \
	--trace "$TRACE" --host-memory 9G --plots "$IT_DIR/afile"
mkdir -p "$IT_DIR/ro"
if mount -t tmpfs -o ro,size=1m tmpfs "$IT_DIR/ro" 2>/dev/null; then
	expect_eval_error "--plots $IT_DIR/ro: Read-only file system" \
		--trace "$TRACE" --host-memory 9G --plots "$IT_DIR/ro"
	umount "$IT_DIR/ro"
elif [ "$(id -u)" != 0 ]; then
	chmod 555 "$IT_DIR/ro"
	expect_eval_error "--plots $IT_DIR/ro: Permission denied" \
		--trace "$TRACE" --host-memory 9G --plots "$IT_DIR/ro"
fi
pass
