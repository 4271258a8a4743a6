#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmem-eval refuses bad input with one clear line and a failing status, and
# never crashes: missing or bad options, unreadable or malformed traces, bad
# policy files, a host too small for the minimums.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
EVAL="$XMEM_BUILDDIR/tools/eval/xmem-eval"
TRACE="$XMEM_SRCDIR/tools/eval/tests/trace-6vm-2d.csv.gz"

# expect_error STATUS PATTERN ARGS...: exit status STATUS, one stderr line matching PATTERN.
expect_error() {
	want=$1 pattern=$2
	shift 2
	"$EVAL" "$@" >"$IT_DIR/out" 2>"$IT_DIR/err"
	got=$?
	[ "$got" = "$want" ] || fail "xmem-eval $*: status $got, want $want ($(cat "$IT_DIR/err"))"
	[ "$(wc -l <"$IT_DIR/err" | tr -d ' ')" = "1" ] ||
		fail "xmem-eval $*: want one error line, got: $(cat "$IT_DIR/err")"
	grep -q "$pattern" "$IT_DIR/err" || fail "xmem-eval $*: '$pattern' not in: $(cat "$IT_DIR/err")"
	[ ! -s "$IT_DIR/out" ] || fail "xmem-eval $*: printed results on error"
}

"$EVAL" --help >"$IT_DIR/help" || fail "--help failed"
grep -q "^usage: xmem-eval" "$IT_DIR/help" || fail "--help has no usage"

expect_error 2 "required" --host-memory 4G
expect_error 2 "required" --trace "$TRACE"
expect_error 2 "host-memory" --trace "$TRACE" --host-memory lots
expect_error 2 "reaction" --trace "$TRACE" --host-memory 4G --reaction -5
expect_error 2 "min-pct" --trace "$TRACE" --host-memory 4G --min-pct 150
expect_error 2 "vms" --trace "$TRACE" --host-memory 4G --vms 0
expect_error 2 "balloon-rate" --trace "$TRACE" --host-memory 4G --balloon-rate fast
expect_error 2 "unexpected argument" --trace "$TRACE" --host-memory 4G extra
expect_error 1 "minimums" --trace "$TRACE" --host-memory 1G
expect_error 1 "nonexistent" --trace "$IT_DIR/nonexistent.csv" --host-memory 4G

printf '{"policy": "xmem", "bufer_pct": 30}\n' >"$IT_DIR/typo.json"
expect_error 2 "bufer_pct" --trace "$TRACE" --host-memory 4G --policy "$IT_DIR/typo.json"
printf '{"policy": "squeezed"}\n' >"$IT_DIR/kind.json"
expect_error 2 "policy" --trace "$TRACE" --host-memory 4G --policy "$IT_DIR/kind.json"
printf '{"policy": "xmem", "deadband_pct": 500}\n' >"$IT_DIR/range.json"
expect_error 2 "deadband_pct" --trace "$TRACE" --host-memory 4G --policy "$IT_DIR/range.json"

# Malformed traces: the error names the file.
printf 'vm_id,t_seconds,mem_used_kib,mem_provisioned_kib\nrnd-1,0,100,2048\nrnd-1,300,oops,2048\n' \
	>"$IT_DIR/bad.csv"
expect_error 1 "bad.csv" --trace "$IT_DIR/bad.csv" --host-memory 4G
printf 'garbage\n' >"$IT_DIR/garbage.csv"
expect_error 1 "garbage.csv" --trace "$IT_DIR/garbage.csv" --host-memory 4G
head -c 3000 "$TRACE" >"$IT_DIR/truncated.csv.gz"
expect_error 1 "truncated.csv.gz" --trace "$IT_DIR/truncated.csv.gz" --host-memory 4G
printf 'vm_id,t_seconds,mem_used_kib,mem_provisioned_kib\nrnd-1,0,100,0\n' >"$IT_DIR/noprov.csv"
expect_error 1 "provisioned" --trace "$IT_DIR/noprov.csv" --host-memory 4G

# An unwritable plot directory is an error, after the scores.
"$EVAL" --trace "$TRACE" --host-memory 9G --plots /proc/xmem-eval-plots >/dev/null 2>"$IT_DIR/err" &&
	fail "--plots into /proc succeeded"
grep -q "xmem-eval-plots" "$IT_DIR/err" || fail "plot error does not name the directory"
pass
