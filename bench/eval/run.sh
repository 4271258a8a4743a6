#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/eval/run.sh BUILDDIR OUT.json: xmem-eval on the full Bitbrains trace
# (64 VMs, 30 days) on a host of 44 GiB (1.1x the peak of the summed demand),
# dynamic-min 5%, dynamic-max 100% of provisioned memory, and the goals of
# issue 7:
#   1. xmem's shortfall <= 1% of proportional's (default reaction);
#   2. with --reaction 300, xmem's pressure share <= 1/5 of hyperv's.
# Speed goal: one replay of every default policy under 10 s. Baseline in the
# same run: decompressing and reading the trace (the least any replay does).
set -euo pipefail
build=${1:?usage: bench/eval/run.sh BUILDDIR OUT.json}
out=${2:?usage: bench/eval/run.sh BUILDDIR OUT.json}
top=$(cd "$(dirname "$0")/../.." && pwd)
trace=${XMEM_TRACE:-$top/data/traces/bitbrains-rnd-64vm.csv.gz}
host=${XMEM_EVAL_HOST:-44G}
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
"$bin" --trace "$trace" --host-memory "$host" --json >"$tmp/r1.json"
t2=$(now)
"$bin" --trace "$trace" --host-memory "$host" --reaction 300 --json >"$tmp/r300.json"
"$bin" --trace "$trace" --host-memory "$host" --reaction 300 --no-feedback \
	--policy "$top/policy/xmem.json" --json >"$tmp/r300nf.json"
base_s=$(sub "$t1" "$t0")
run_s=$(sub "$t2" "$t1")

jq -n --slurpfile r1 "$tmp/r1.json" --slurpfile r300 "$tmp/r300.json" \
	--slurpfile nf "$tmp/r300nf.json" \
	--argjson base_s "$base_s" --argjson run_s "$run_s" '
	def pol($r; $n): ($r.policies[] | select(.policy == $n));
	($r1[0]) as $a | ($r300[0]) as $b | ($nf[0]) as $c |
	{
	  bench: "eval",
	  trace: $a.trace, vms: $a.vms, hours: $a.hours, host_memory_gib: $a.host_memory_gib,
	  demand_peak_gib: $a.demand_peak_gib, demand_mean_gib: $a.demand_mean_gib,
	  replay_s: $run_s, baseline_read_trace_s: $base_s, replay_goal_s: 10,
	  replay_vs_baseline: (if $base_s > 0 then $run_s / $base_s else null end),
	  goal_shortfall: {
	    reaction_s: $a.reaction_s,
	    xmem_gib_h: pol($a; "xmem").shortfall_gib_h,
	    proportional_gib_h: pol($a; "proportional").shortfall_gib_h,
	    ratio: (pol($a; "xmem").shortfall_gib_h / pol($a; "proportional").shortfall_gib_h),
	    goal_ratio: 0.01,
	    met: ((pol($a; "xmem").shortfall_gib_h / pol($a; "proportional").shortfall_gib_h) <= 0.01)
	  },
	  goal_pressure: {
	    reaction_s: $b.reaction_s,
	    xmem: pol($b; "xmem").pressure_share,
	    hyperv: pol($b; "hyperv").pressure_share,
	    ratio: (pol($b; "xmem").pressure_share / pol($b; "hyperv").pressure_share),
	    goal_ratio: 0.2,
	    met: ((pol($b; "xmem").pressure_share / pol($b; "hyperv").pressure_share) <= 0.2),
	    xmem_without_feedback: pol($c; "xmem").pressure_share
	  },
	  reaction_1: $a.policies,
	  reaction_300: $b.policies
	} | . + {
	  table: {
	    columns: ["policy", "reaction s", "shortfall GiB-h", "pressure % of VM-time",
	              "mean alloc GiB", "peak alloc GiB", "moved GiB", "target changes"],
	    rows: ([ .reaction_1[] | [.policy, $a.reaction_s, .shortfall_gib_h,
	               .pressure_share * 100, .mean_alloc_gib, .peak_alloc_gib, .moved_gib,
	               .target_changes] ] +
	           [ .reaction_300[] | [.policy, $b.reaction_s, .shortfall_gib_h,
	               .pressure_share * 100, .mean_alloc_gib, .peak_alloc_gib, .moved_gib,
	               .target_changes] ])
	  },
	  note: ("Goal 1: xmem shortfall \(.goal_shortfall.ratio * 100000 | round / 1000)% of proportional'"'"'s (<= 1%): \(if .goal_shortfall.met then "met" else "MISSED" end). " +
	         "Goal 2 (reaction 300 s): xmem pressure \(.goal_pressure.ratio * 1000 | round / 1000) x hyperv'"'"'s (<= 0.2): \(if .goal_pressure.met then "met" else "MISSED" end); without feedback \(.goal_pressure.xmem_without_feedback / .goal_pressure.hyperv * 1000 | round / 1000). " +
	         "Replay of 4 policies + oracle: \(.replay_s * 100 | round / 100) s (goal < 10 s), baseline reading the trace \(.baseline_read_trace_s * 100 | round / 100) s.")
	}' >"$out"

jq -r '
	"xmem-eval, \(.vms) VMs, \(.hours | floor) h, host \(.host_memory_gib) GiB (demand peak \(.demand_peak_gib * 100 | round / 100) GiB)",
	"replay of 4 policies + oracle: \(.replay_s * 100 | round / 100) s (goal < 10 s); baseline, reading the trace: \(.baseline_read_trace_s * 100 | round / 100) s",
	"",
	"policy          reaction   shortfall GiB-h   pressure   mean GiB   peak GiB   moved GiB   target changes",
	( (.reaction_1[] | [ .policy, "1 s", .shortfall_gib_h, .pressure_share, .mean_alloc_gib, .peak_alloc_gib, .moved_gib, .target_changes ]),
	  (.reaction_300[] | [ .policy, "300 s", .shortfall_gib_h, .pressure_share, .mean_alloc_gib, .peak_alloc_gib, .moved_gib, .target_changes ])
	  | "\(.[0] | . + "                " | .[0:15]) \(.[1] | . + "        " | .[0:8]) \(.[2] * 1000 | round / 1000) \(.[3] * 100000 | round / 1000)% \(.[4] * 100 | round / 100) \(.[5] * 100 | round / 100) \(.[6] | round) \(.[7])" ),
	"",
	"goal 1: xmem shortfall / proportional = \(.goal_shortfall.ratio * 100000 | round / 1000)% (goal <= 1%): \(if .goal_shortfall.met then "met" else "MISSED" end)",
	"goal 2: xmem pressure / hyperv at reaction 300 s = \(.goal_pressure.ratio * 1000 | round / 1000) (goal <= 0.2): \(if .goal_pressure.met then "met" else "MISSED" end)"
' "$out"
