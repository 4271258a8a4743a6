#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/eval/run.sh BUILDDIR OUT.json: the density curve. xmem-eval --sweep on
# the repository's Bitbrains trace (data/traces/, 64 VMs, 30 days): hosts of
# 1.0, 1.1, 1.3, 1.6 and 2.2 x the peak of the summed demand, dynamic-min 5%,
# dynamic-max 100% of provisioned memory, every built-in policy, once at
# reaction 1 s and once at 300 s. Goals:
#   1. reaction 1, 1.1x: xmem's shortfall <= 1% of proportional's;
#   2. reaction 300, every point: xmem's pressure share <= half of the better
#      of hyperv and spread;
#   3. reaction 300, 2.2x: xmem's pressure share < 0.1%;
#   4. reaction 300, 1.1x: xmem's pressure share <= 1/5 of hyperv's (also
#      without feedback);
#   5. at every point, xmem moves no more memory and writes no more targets
#      than hyperv (what the surplus costs).
# Speed goal: one host size, every policy, under 10 s. Baseline in the same
# run: decompressing and reading the trace (the least any replay does).
set -euo pipefail
build=${1:?usage: bench/eval/run.sh BUILDDIR OUT.json}
out=${2:?usage: bench/eval/run.sh BUILDDIR OUT.json}
top=$(cd "$(dirname "$0")/../.." && pwd)
trace=${XMEM_TRACE:-$top/data/traces/bitbrains-rnd-64vm.csv.gz}
sweep=${XMEM_EVAL_SWEEP:-1.0,1.1,1.3,1.6,2.2}
bin="$build/tools/eval/xmem-eval"
[ -f "$trace" ] || { echo "bench eval: no trace at $trace" >&2; exit 1; }
[ -x "$bin" ] || make -C "$build" tools/eval/xmem-eval >/dev/null
command -v jq >/dev/null || { echo "bench eval: jq is needed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
t0=$(now)
gzip -dc "$trace" | wc -l >/dev/null
t1=$(now)
"$bin" --trace "$trace" --sweep 1.1 --json >"$tmp/one.json"
t2=$(now)
"$bin" --trace "$trace" --sweep "$sweep" --json >"$tmp/r1.json"
mkdir -p "$build/bench-results"
"$bin" --trace "$trace" --sweep "$sweep" --reaction 300 --json --plots "$build/bench-results/eval-plots-300" >"$tmp/r300.json"
"$bin" --trace "$trace" --sweep 1.1 --reaction 300 --no-feedback \
	--policy "$top/policy/xmem.json" --json >"$tmp/nf.json"
base_s=$(sub "$t1" "$t0")
run_s=$(sub "$t2" "$t1")

jq -n --slurpfile r1 "$tmp/r1.json" --slurpfile r300 "$tmp/r300.json" \
	--slurpfile nf "$tmp/nf.json" \
	--argjson base_s "$base_s" --argjson run_s "$run_s" '
	def pol($p; $n): ($p.policies[] | select(.policy == $n));
	def at($r; $f): ($r.sweep[] | select(.factor == $f));
	def r3: . * 1000 | round / 1000;
	($r1[0]) as $a | ($r300[0]) as $b | ($nf[0]) as $c |
	[ $b.sweep[] | . as $p | {
	    factor: .factor, host_memory_gib: .host_memory_gib,
	    xmem: pol($p; "xmem").pressure_share,
	    hyperv: pol($p; "hyperv").pressure_share,
	    spread: pol($p; "spread").pressure_share,
	    better: ([pol($p; "hyperv").pressure_share, pol($p; "spread").pressure_share] | min)
	  } | . + { ratio: (.xmem / .better), met: (.xmem <= .better / 2) } ] as $g2 |
	[ ($a.sweep[], $b.sweep[]) | . as $p | {
	    factor: .factor,
	    moved: (pol($p; "xmem").moved_gib <= pol($p; "hyperv").moved_gib),
	    writes: (pol($p; "xmem").target_changes <= pol($p; "hyperv").target_changes)
	  } ] as $g5 |
	(at($a; 1.1)) as $a11 | (at($b; 1.1)) as $b11 | (at($b; 2.2)) as $b22 |
	{
	  bench: "eval",
	  trace: $a.trace, vms: $a.vms, hours: $a.hours,
	  demand_peak_gib: $a.demand_peak_gib, demand_mean_gib: $a.demand_mean_gib,
	  sweep: [$a.sweep[].factor],
	  replay_s: $run_s, baseline_read_trace_s: $base_s, replay_goal_s: 10,
	  goal_shortfall: {
	    reaction_s: 1, factor: 1.1,
	    xmem_gib_h: pol($a11; "xmem").shortfall_gib_h,
	    proportional_gib_h: pol($a11; "proportional").shortfall_gib_h,
	    ratio: (pol($a11; "xmem").shortfall_gib_h / pol($a11; "proportional").shortfall_gib_h),
	    met: ((pol($a11; "xmem").shortfall_gib_h / pol($a11; "proportional").shortfall_gib_h) <= 0.01)
	  },
	  goal_density: { reaction_s: 300, points: $g2, met: ([$g2[].met] | all) },
	  goal_plenty: { reaction_s: 300, factor: 2.2, xmem: pol($b22; "xmem").pressure_share,
	    met: (pol($b22; "xmem").pressure_share < 0.001) },
	  goal_hyperv: { reaction_s: 300, factor: 1.1,
	    ratio: (pol($b11; "xmem").pressure_share / pol($b11; "hyperv").pressure_share),
	    ratio_without_feedback: (pol(($c.sweep[0]); "xmem").pressure_share / pol($b11; "hyperv").pressure_share),
	    met: ((pol($b11; "xmem").pressure_share / pol($b11; "hyperv").pressure_share) <= 0.2) },
	  goal_cost: { points: $g5, met: ([$g5[] | .moved and .writes] | all) },
	  reaction_1: $a.sweep, reaction_300: $b.sweep
	} | . + {
	  table: {
	    columns: (["policy", "reaction s"] + [$a.sweep[] | "pressure % at \(.factor)x"] +
	              [$a.sweep[] | "shortfall GiB-h at \(.factor)x"] +
	              ["moved GiB at 1.1x", "target changes at 1.1x"]),
	    rows: [ ($a, $b) as $r | [$r.sweep[0].policies[].policy][] as $n |
	            [ $n, $r.reaction_s ] +
	            [ $r.sweep[] | pol(.; $n).pressure_share * 100 ] +
	            [ $r.sweep[] | pol(.; $n).shortfall_gib_h ] +
	            [ pol(at($r; 1.1); $n).moved_gib, pol(at($r; 1.1); $n).target_changes ] ]
	  },
	  note: ("Hosts: " + ([$a.sweep[] | "\(.factor)x = \(.host_memory_gib * 10 | round / 10) GiB"] | join(", ")) +
	         " (peak summed demand \(.demand_peak_gib * 100 | round / 100) GiB). " +
	         "Goal 1 (reaction 1 s, 1.1x): xmem shortfall \(.goal_shortfall.ratio * 100000 | round / 1000)% of proportional'"'"'s (<= 1%): \(if .goal_shortfall.met then "met" else "MISSED" end). " +
	         "Goal 2 (reaction 300 s): xmem pressure / the better of hyperv and spread = " +
	         ([.goal_density.points[] | "\(.ratio | r3) at \(.factor)x"] | join(", ")) +
	         " (<= 0.5 at every point): \(if .goal_density.met then "met" else "MISSED at " + ([.goal_density.points[] | select(.met | not) | "\(.factor)x"] | join(", ")) end). " +
	         "Goal 3 (2.2x): xmem pressure \(.goal_plenty.xmem * 100000 | round / 1000)% (< 0.1%): \(if .goal_plenty.met then "met" else "MISSED" end). " +
	         "Goal 4 (1.1x): xmem pressure \(.goal_hyperv.ratio | r3) x hyperv'"'"'s (<= 0.2): \(if .goal_hyperv.met then "met" else "MISSED" end); without feedback \(.goal_hyperv.ratio_without_feedback | r3). " +
	         "Goal 5: xmem moves no more memory and writes no more targets than hyperv at every point and reaction: \(if .goal_cost.met then "met" else "MISSED" end). " +
	         "One host size, 5 policies + oracle: \(.replay_s * 100 | round / 100) s (goal < 10 s), baseline reading the trace \(.baseline_read_trace_s * 100 | round / 100) s.")
	}' >"$out"

jq -r '
	"xmem-eval --sweep \(.sweep | map(tostring) | join(",")), \(.vms) VMs, \(.hours | floor) h (peak summed demand \(.demand_peak_gib * 100 | round / 100) GiB)",
	"one host size, every policy: \(.replay_s * 100 | round / 100) s (goal < 10 s); baseline, reading the trace: \(.baseline_read_trace_s * 100 | round / 100) s",
	"",
	(.table.columns | join(" | ")),
	(.table.rows[] | map(if type == "number" then (. * 1000 | round / 1000 | tostring) else . end) | join(" | ")),
	"",
	.note
' "$out"
