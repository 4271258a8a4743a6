#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# scripts/demo-compare.sh OUTDIR NAME=REPORTDIR ... : put the demo's policies
# side by side. Each REPORTDIR is a report of scripts/demo-report.sh (its
# samples.csv and summary.json) for one policy on the same guests, workloads
# and reservation; the first NAME is the one the verdict is about (xmem).
# Writes:
#   OUTDIR/summary.md, summary.json   a one-line verdict, then one table:
#                                     memory held, saved against static sizing,
#                                     guest-time under pressure, stall,
#                                     workload not covered, reservation time
#   OUTDIR/compare.csv                per policy and sample time: memory held,
#                                     guests under pressure, stall, not covered
#   OUTDIR/held.png, pressure.png, stall.png, uncovered.png (and .svg):
#                                     one plot per figure, a line per policy
# Definitions are those of scripts/demo-report.sh (PSI_PCT, default 5).
set -euo pipefail

case ${1:-} in
-h | --help)
	sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 0
	;;
esac

out=${1:?usage: demo-compare.sh OUTDIR NAME=REPORTDIR ...}
shift
[ $# -ge 1 ] || { echo "usage: demo-compare.sh OUTDIR NAME=REPORTDIR ..." >&2; exit 2; }
psi_pct=${PSI_PCT:-5}

die() { printf 'demo-compare: %s\n' "$*" >&2; exit 1; }
command -v gnuplot >/dev/null 2>&1 || die "gnuplot is not installed (Debian: gnuplot-nox)"
command -v jq >/dev/null 2>&1 || die "jq is not installed (Debian: jq)"

names=()
dirs=()
for a in "$@"; do
	case $a in
	*=*) ;;
	*) die "expected NAME=REPORTDIR: $a" ;;
	esac
	n=${a%%=*}
	d=${a#*=}
	[[ $n =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad policy name: $n"
	[ -r "$d/samples.csv" ] || die "$d: no samples.csv"
	[ -r "$d/summary.json" ] || die "$d: no summary.json"
	names+=("$n")
	dirs+=("$d")
done
mkdir -p "$out"

# Per sample time: memory held, guests under pressure, mean stall, not covered.
series() {
	local name=$1 samples=$2 c
	c() { head -n1 "$samples" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1 || true; }
	local c_t c_name c_alloc c_wl c_psi c_tot
	c_t=$(c t_s); c_name=$(c name); c_alloc=$(c alloc_kib); c_wl=$(c workload_kib)
	c_psi=$(c psi_some); c_tot=$(c psi_some_total_us)
	[ -n "$c_t" ] && [ -n "$c_name" ] && [ -n "$c_alloc" ] && [ -n "$c_wl" ] && [ -n "$c_psi" ] ||
		die "$samples: not a recording of xmem-simhost record"
	awk -F, -v name="$name" -v lim="$((psi_pct * 100))" -v ct="$c_t" -v cn="$c_name" \
		-v ca="$c_alloc" -v cw="$c_wl" -v cp="$c_psi" -v cs="${c_tot:-0}" '
		NR == 1 { next }
		{ t = $ct + 0; g = $cn
		  if (!(t in seen)) { seen[t] = 1; ts[++n] = t }
		  held[t] += $ca
		  if ($cw != "" && $cw + 0 > $ca + 0) unc[t] += $cw - $ca
		  tot = cs ? $cs : ""; known = 0
		  if (tot != "" && (g in pt) && tot + 0 >= ptot[g] && t > pt[g]) {
			known = 1; st = (tot - ptot[g]) / ((t - pt[g]) * 1e6)
			stall[t] += st; nst[t]++
		  }
		  if (tot != "") { ptot[g] = tot + 0; pt[g] = t } else delete pt[g]
		  if (known ? st * 10000 >= lim : ($cp != "" && $cp + 0 >= lim)) press[t]++ }
		END { for (i = 1; i <= n; i++) { t = ts[i]
			printf "%s,%.3f,%.4f,%d,%.4f,%.4f\n", name, t - ts[1], held[t] / 1048576.0,
				press[t], nst[t] ? 100 * stall[t] / nst[t] : 0, unc[t] / 1048576.0 } }' "$samples"
}
{
	echo "policy,t_s,held_gib,guests_under_pressure,stall_pct,uncovered_gib"
	for i in "${!names[@]}"; do
		series "${names[$i]}" "${dirs[$i]}/samples.csv"
	done
} >"$out/compare.csv"

# One plot per figure, a line per policy.
plot() {
	local col=$1 file=$2 title=$3 ylabel=$4 term ext i
	for term in "pngcairo size 1000,500 font ',10'" "svg size 1000,500 dynamic"; do
		ext=png
		[[ $term == svg* ]] && ext=svg
		{
			echo "set terminal $term"
			echo "set output '$out/$file.$ext'"
			echo "set datafile separator ','"
			echo "set key outside right; set grid"
			echo "set xlabel 's'; set ylabel '$ylabel'"
			echo "set title '$title' noenhanced"
			printf 'plot '
			for i in "${!names[@]}"; do
				[ "$i" = 0 ] || printf ', '
				printf "'%s' every ::1 using (stringcolumn(1) eq '%s' ? \$2 : NaN):%s with lines lw 2 title '%s'" \
					"$out/compare.csv" "${names[$i]}" "$col" "${names[$i]}"
			done
			echo
		} | gnuplot 2>"$out/.gnuplot.err" || { cat "$out/.gnuplot.err" >&2; die "gnuplot failed on $file"; }
	done
	rm -f "$out/.gnuplot.err"
}
plot 3 held "Memory held by the guests" GiB
plot 4 pressure "Guests under pressure (memory stall >= ${psi_pct}% of the interval)" guests
plot 5 stall "Memory stall (PSI some), mean over the guests" "% of the time"
plot 6 uncovered "Workload demand not covered by allocation" GiB

# The table and the verdict, from the summaries.
args=()
for i in "${!names[@]}"; do
	args+=(--slurpfile "p$i" "${dirs[$i]}/summary.json")
done
jq -n "${args[@]}" --argjson n "${#names[@]}" --arg names "${names[*]}" '
	def gib: . / 1048576 * 10 | round / 10;
	def pct: . * 1000 | round / 10;
	($names | split(" ")) as $nm |
	[ range(0; $n) as $i | $ARGS.named["p\($i)"][0] + { policy: $nm[$i] } ] as $r |
	{ policies: [ $r[] | {
		policy, guests, duration_s,
		held_mean_gib: (.mean_alloc_kib | gib), held_peak_gib: (.peak_alloc_kib | gib),
		static_gib: (.static_kib | gib),
		saved_mean_gib: (.saved_mean_kib | gib),
		saved_mean_pct: ((.saved_mean_kib / .static_kib) | pct),
		pressure_pct: (.pressure_share | pct),
		stall_pct: ((.stall_share // null) | if . == null then null else pct end),
		uncovered_gib: (.uncovered_mean_kib / 1048576 * 100 | round / 100),
		reservation_grant_s: (.reservation_grant_s // "-")
	  } ] }' >"$out/summary.json.tmp"
mv "$out/summary.json.tmp" "$out/summary.json"

jq -r --arg psi "$psi_pct" '
	.policies as $p | $p[0] as $x | ($p[1:]) as $o |
	def best($k): ([$p[] | .[$k]] | min) == $x[$k];
	def others($k; $u): ([$o[] | "\(.policy) \(.[$k])\($u)"] | join(", "));
	"# xmem demo: policies side by side\n",
	"**Verdict:** \($x.policy) put \($x.pressure_pct)% of guest-time under pressure (\(others("pressure_pct"; "%"))), " +
	"stalled \($x.stall_pct)% of the time (\(others("stall_pct"; "%"))) and left \($x.uncovered_gib) GiB of workload uncovered (\(others("uncovered_gib"; " GiB"))), " +
	"holding \($x.held_mean_gib) GiB (\(others("held_mean_gib"; " GiB"))): " +
	(if best("pressure_pct") and best("stall_pct") and best("uncovered_gib") then "best on all three"
	 else "best on " + ([ (if best("pressure_pct") then "pressure" else empty end),
	                      (if best("stall_pct") then "stall" else empty end),
	                      (if best("uncovered_gib") then "uncovered demand" else empty end) ] |
	                    if length == 0 then "none of the three" else join(" and ") end) end) + ".\n",
	"| figure | " + ([$p[].policy] | join(" | ")) + " |",
	"|---|" + ([$p[] | "---"] | join("|")) + "|",
	"| memory held by guests, mean (GiB) | " + ([$p[].held_mean_gib | tostring] | join(" | ")) + " |",
	"| memory held by guests, peak (GiB) | " + ([$p[].held_peak_gib | tostring] | join(" | ")) + " |",
	"| memory saved against static sizing (sum of static-max, \($x.static_gib) GiB), mean | " +
		([$p[] | "\(.saved_mean_gib) GiB (\(.saved_mean_pct)%)"] | join(" | ")) + " |",
	"| guest-time under pressure (stall >= \($psi)% of the interval) | " + ([$p[] | "\(.pressure_pct)%"] | join(" | ")) + " |",
	"| memory stall (PSI some), share of guest-time | " + ([$p[] | "\(.stall_pct)%"] | join(" | ")) + " |",
	"| workload not covered by allocation, mean (GiB) | " + ([$p[].uncovered_gib | tostring] | join(" | ")) + " |",
	"| reservation granted in (s) | " + ([$p[].reservation_grant_s | tostring] | join(" | ")) + " |",
	"",
	"Every policy ran on its own simulated host, side by side and at the same time: the same",
	"scenario, guests, workloads (the same trace replay) and reservation; only xmemd'"'"'s policy",
	"differs. Plots, a line per policy: held.png, pressure.png, stall.png, uncovered.png (and .svg);",
	"data: compare.csv. Each policy'"'"'s own report (per guest plots, summary) is in its directory."
' "$out/summary.json" >"$out/summary.md"
echo "demo-compare: $out (summary.md, held.png, pressure.png, stall.png, uncovered.png)" >&2
