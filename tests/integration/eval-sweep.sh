#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmem-eval --sweep on the committed 6-VM subset of the Bitbrains trace: one
# replay per host size (multiples of the peak summed demand), every policy
# and the oracle at each, the JSON consistent with the host sizes and with
# itself, bad sweeps refused, the curves plotted.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
command -v jq >/dev/null || fail "jq is needed (apt-get install jq)"
EVAL="$XMEM_BUILDDIR/tools/eval/xmem-eval"
TRACE="$XMEM_SRCDIR/tools/eval/tests/trace-6vm-2d.csv.gz"
J="$IT_DIR/sweep.json"

"$EVAL" --trace "$TRACE" --sweep 1.0,1.3,2.2 --reaction 300 --json >"$J" ||
	fail "xmem-eval --sweep failed"

assert_eq "$(jq -r '[.sweep[].factor] | map(tostring) | join(",")' "$J")" "1,1.3,2.2" "factors"
assert_eq "$(jq -r '.reaction_s' "$J")" "300" "reaction"
assert_eq "$(jq -r '[.sweep[] | [.policies[].policy] | join(",")] | unique | join(";")' "$J")" \
	"static,proportional,hyperv,spread,xmem,oracle" "policies at every point"
# Each host is its factor times the peak (rounded to a MiB), and differs per point.
assert_eq "$(jq -r '.demand_peak_gib as $p |
	[.sweep[] | ((.host_memory_gib - .factor * $p) | fabs) < 0.001] | all' "$J")" "true" \
	"host = factor x peak"
assert_eq "$(jq -r '.demand_peak_gib > 8 and .demand_peak_gib < 9' "$J")" "true" "peak of the trace"
# The same as one run on that host: the sweep is the replay, repeated.
host=$(jq -r '.sweep[1].host_memory_gib * 1024 | round' "$J")
"$EVAL" --trace "$TRACE" --host-memory "${host}M" --reaction 300 --json >"$IT_DIR/one.json" ||
	fail "xmem-eval --host-memory ${host}M failed"
assert_eq "$(jq -c '.sweep[1].policies' "$J")" "$(jq -c '.policies' "$IT_DIR/one.json")" \
	"point 1.3 equals a single run on its host"
for i in 0 1 2; do
	assert_eq "$(jq -r ".sweep[$i] as \$s | [\$s.policies[] | .pressure_share >= 0 and
		.pressure_share <= 1 and .peak_alloc_gib <= \$s.host_memory_gib + 1e-6] | all" "$J")" \
		"true" "point $i: scores within bounds"
	# static holds the whole host (every VM at its boot-time share).
	assert_eq "$(jq -r ".sweep[$i] | (.policies[] | select(.policy == \"static\").mean_alloc_gib)
		- .host_memory_gib | fabs < 0.01" "$J")" "true" "point $i: static holds the host"
done
# More memory never makes spread or static worse.
for p in spread static; do
	assert_eq "$(jq -r "[.sweep[] | .policies[] | select(.policy == \"$p\").pressure_share] |
		.[0] >= .[1] and .[1] >= .[2]" "$J")" "true" "$p: pressure falls with host size"
done

# Text: a row per point and policy.
"$EVAL" --trace "$TRACE" --sweep 1.0,2.2 >"$IT_DIR/text" || fail "text output"
assert_eq "$(grep -cE '^ *[0-9]+\.[0-9]+ +[0-9]+\.[0-9] [a-z]' "$IT_DIR/text")" "12" "text rows"

# Bad sweeps: one clear line, exit 2.
for bad in "" "1.0," "abc" "0" "1.0,200" "1.1;1.3" "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"; do
	rc=0
	"$EVAL" --trace "$TRACE" --sweep "$bad" >/dev/null 2>"$IT_DIR/err" || rc=$?
	assert_eq "$rc" "2" "--sweep '$bad' exit"
	grep -q -- '--sweep' "$IT_DIR/err" || fail "--sweep '$bad': no message naming --sweep"
done
rc=0
"$EVAL" --trace "$TRACE" --sweep 1.0 --host-memory 9G >/dev/null 2>"$IT_DIR/err" || rc=$?
assert_eq "$rc" "2" "--sweep with --host-memory"
grep -q 'exclude' "$IT_DIR/err" || fail "--sweep with --host-memory: no message"
# A factor below the VMs' minimums is refused by name, not crashed on.
rc=0
"$EVAL" --trace "$TRACE" --sweep 0.1 --min-pct 100 >/dev/null 2>"$IT_DIR/err" || rc=$?
[ "$rc" -ne 0 ] || fail "--sweep 0.1 with --min-pct 100 accepted"
grep -q 'minimums' "$IT_DIR/err" || fail "--sweep 0.1: no message about the minimums"

# Plots: CSV, script, a PNG and an SVG per figure.
command -v "${GNUPLOT:-gnuplot}" >/dev/null || fail "gnuplot is needed (apt-get install gnuplot-nox)"
"$EVAL" --trace "$TRACE" --sweep 1.0,1.3,2.2 --plots "$IT_DIR/plots" >/dev/null ||
	fail "--sweep --plots failed"
for f in sweep.csv sweep.gp sweep-pressure.png sweep-pressure.svg sweep-shortfall.png \
	sweep-shortfall.svg; do
	[ -s "$IT_DIR/plots/$f" ] || fail "plot file $f missing"
done
assert_eq "$(wc -l <"$IT_DIR/plots/sweep.csv" | tr -d ' ')" "4" "sweep CSV rows"
head -c 8 "$IT_DIR/plots/sweep-pressure.png" | grep -q PNG || fail "sweep-pressure.png is not a PNG"
pass
