#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmem-eval on a committed subset of the Bitbrains trace (6 VMs, 2 days):
# every policy and the oracle are scored, the scores are consistent with
# each other and with the host, options do what they say, plots are drawn.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
command -v jq >/dev/null || missing "jq (package jq; ./run deps)"
EVAL="$XMEM_BUILDDIR/tools/eval/xmem-eval"
TRACE="$XMEM_SRCDIR/tools/eval/tests/trace-6vm-2d.csv.gz"
HOST=9G # 1.1x the peak of the summed demand (8.43 GiB)

"$EVAL" --trace "$TRACE" --host-memory $HOST --json >"$IT_DIR/r1.json" || fail "xmem-eval failed"
"$EVAL" --trace "$TRACE" --host-memory $HOST --reaction 300 --json >"$IT_DIR/r300.json" ||
	fail "xmem-eval --reaction 300 failed"

# Shape: the four default policies, then the oracle, each with its scores.
assert_eq "$(jq -r '[.policies[].policy] | join(",")' "$IT_DIR/r1.json")" \
	"static,proportional,hyperv,spread,xmem,oracle" "policies"
assert_eq "$(jq -r '.vms' "$IT_DIR/r1.json")" "6" "vms"
assert_eq "$(jq -r '.reaction_s' "$IT_DIR/r300.json")" "300" "reaction"
assert_eq "$(jq -r '[.policies[] | (.shortfall_gib_h, .pressure_share, .mean_alloc_gib,
	.peak_alloc_gib, .moved_gib, .target_changes) | type == "number"] | all' "$IT_DIR/r1.json")" \
	"true" "every score is a number"

for f in r1 r300; do
	j="$IT_DIR/$f.json"
	# Nothing beats the oracle; nobody holds more than the host.
	assert_eq "$(jq -r '(.policies[] | select(.policy == "oracle").shortfall_gib_h) as $o |
		[.policies[] | .shortfall_gib_h >= $o - 1e-9] | all' "$j")" "true" "$f: oracle is a bound"
	assert_eq "$(jq -r '.host_memory_gib as $h |
		[.policies[] | .peak_alloc_gib <= $h + 1e-6 and .mean_alloc_gib <= $h + 1e-6] | all' "$j")" \
		"true" "$f: allocation within the host"
	assert_eq "$(jq -r '[.policies[] | .pressure_share >= 0 and .pressure_share <= 1] | all' "$j")" \
		"true" "$f: pressure is a share"
	# static never moves; proportional (squeezed) is static when no VM comes or goes.
	assert_eq "$(jq -r '.policies[] | select(.policy == "static") | "\(.moved_gib) \(.target_changes)"' "$j")" \
		"0 0" "$f: static moves nothing"
	assert_eq "$(jq -r '(.policies[] | select(.policy == "static").shortfall_gib_h) as $s |
		(.policies[] | select(.policy == "proportional").shortfall_gib_h) as $p |
		(($s - $p) | fabs) < 0.01' "$j")" "true" "$f: proportional = static here"
	# xmem covers demand far better than squeezed's rule.
	assert_eq "$(jq -r '(.policies[] | select(.policy == "xmem").shortfall_gib_h) as $x |
		(.policies[] | select(.policy == "proportional").shortfall_gib_h) as $p |
		$x < $p / 2' "$j")" "true" "$f: xmem shortfall below proportional's"
done
# Seeing demand late, xmem's headroom keeps VMs out of pressure more than hyperv's buffer.
assert_eq "$(jq -r '(.policies[] | select(.policy == "xmem").pressure_share) as $x |
	(.policies[] | select(.policy == "hyperv").pressure_share) as $h | $x < $h / 2' \
	"$IT_DIR/r300.json")" "true" "reaction 300: xmem pressure below hyperv's"

# Plain CSV gives the same scores as gzip.
gzip -dc "$TRACE" >"$IT_DIR/trace.csv"
"$EVAL" --trace "$IT_DIR/trace.csv" --host-memory $HOST --json >"$IT_DIR/plain.json" ||
	fail "plain CSV failed"
assert_eq "$(jq -c '.policies' "$IT_DIR/plain.json")" "$(jq -c '.policies' "$IT_DIR/r1.json")" \
	"plain and gzip differ"

# --vms, --policy, --min-pct, --balloon-rate, --period.
"$EVAL" --trace "$TRACE" --host-memory 4G --vms 2 --json >"$IT_DIR/v2.json" || fail "--vms 2"
assert_eq "$(jq -r '.vms' "$IT_DIR/v2.json")" "2" "--vms"
printf '{"policy": "xmem", "name": "xmem-nomemory", "headroom_halflife_s": 0}\n' >"$IT_DIR/p.json"
"$EVAL" --trace "$TRACE" --host-memory $HOST --policy "$IT_DIR/p.json" \
	--policy "$XMEM_SRCDIR/policy/hyperv.json" --min-pct 10 --balloon-rate 64M/s --period 30 \
	--json >"$IT_DIR/p.out.json" || fail "--policy"
assert_eq "$(jq -r '[.policies[].policy] | join(",")' "$IT_DIR/p.out.json")" \
	"xmem-nomemory,hyperv,oracle" "--policy list"
assert_eq "$(jq -r '"\(.min_pct) \(.balloon_rate_mib_s) \(.period_s)"' "$IT_DIR/p.out.json")" \
	"10 64 30" "options echoed"

# Text output: a header and one row per policy.
"$EVAL" --trace "$TRACE" --host-memory $HOST >"$IT_DIR/text" || fail "text output"
grep -q '^policy .*shortfall' "$IT_DIR/text" || fail "no header in text output"
for p in static proportional hyperv spread xmem oracle; do
	grep -q "^$p " "$IT_DIR/text" || fail "no $p row in text output"
done

# Plots: CSV, script, PNG and SVG.
command -v "${GNUPLOT:-gnuplot}" >/dev/null || missing "${GNUPLOT:-gnuplot} (package gnuplot-nox; ./run deps)"
"$EVAL" --trace "$TRACE" --host-memory $HOST --plots "$IT_DIR/plots" >/dev/null ||
	fail "--plots failed"
for f in eval-hourly.csv eval.gp allocation.png allocation.svg pressure.png pressure.svg; do
	[ -s "$IT_DIR/plots/$f" ] || fail "plot file $f missing"
done
assert_eq "$(wc -l <"$IT_DIR/plots/eval-hourly.csv" | tr -d ' ')" "49" "hourly rows"
head -c 8 "$IT_DIR/plots/allocation.png" | grep -q PNG || fail "allocation.png is not a PNG"
grep -q '<svg' "$IT_DIR/plots/pressure.svg" || fail "pressure.svg is not an SVG"
pass
