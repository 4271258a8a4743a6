#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# scripts/demo-report.sh SAMPLES.csv OUTDIR [KEY=VALUE ...]
#
# Turn the samples `xmem-simhost record` wrote into a report directory:
#   OUTDIR/samples.csv                   the samples (copied)
#   OUTDIR/guests/NAME.csv               one CSV per guest
#   OUTDIR/guests.png, guests.svg        per guest: workload demand, used in the guest,
#                                        target and allocation over time
#   OUTDIR/host.png, host.svg            host totals: allocated, demand, free, reserved
#   OUTDIR/summary.md, summary.json      the summary table; per guest, and per demand
#                                        source (xmemd's, when recorded) in summary.md
# KEY=VALUE pairs are extra facts for the summary, printed as given:
#   reservation_grant_s=1.23  reservation_kib=4194304  scenario=demo  host_kib=...
# Definitions (also written into summary.md):
#   - static sizing: every guest holds its static-max; memory saved is the sum
#     of static-max minus the memory the guests held (mean and peak over time);
#   - under pressure: a guest whose memory stall (PSI some) over the interval
#     since its previous sample is at least PSI_PCT percent (default 5) of that
#     interval, measured from the stall total it reports (psi_some_total_us,
#     /proc/pressure/memory total=). Where no total is known (a guest's first
#     sample, older recordings, a guest restarted) its avg10 figure is used.
#     Not avg10 alone: it is a 10 s moving average, so sampled every second it
#     counts a one-second stall for the next six samples (at the demo's 300x,
#     six 5-minute trace steps). That share is still given, for comparison;
#   - memory stall: the stall total over the guest-time it covers;
#   - workload not covered: the workload above the allocation; and, stricter,
#     above the guest's MemTotal (meminfo_total_kib: the allocation less what
#     the guest's own kernel holds, e.g. its struct pages for all of
#     static-max), which is what the workload and its page cache share.
set -euo pipefail

samples=${1:?usage: demo-report.sh SAMPLES.csv OUTDIR [KEY=VALUE ...]}
out=${2:?usage: demo-report.sh SAMPLES.csv OUTDIR [KEY=VALUE ...]}
shift 2
psi_pct=${PSI_PCT:-5}

die() { printf 'demo-report: %s\n' "$*" >&2; exit 1; }

[ -r "$samples" ] || die "cannot read $samples"
head -n1 "$samples" | grep -q '^t_s,domid,name,' || die "$samples: not a CSV of xmem-simhost record"
[ "$(wc -l < "$samples")" -gt 1 ] || die "$samples: no samples"
command -v gnuplot >/dev/null 2>&1 || die "gnuplot is not installed (Debian: gnuplot-nox)"

mkdir -p "$out/guests"
if [ "$(readlink -f "$samples")" != "$(readlink -f "$out/samples.csv")" ]; then
	cp "$samples" "$out/samples.csv"
fi
samples="$out/samples.csv"
rm -f "$out"/guests/*.csv

# Column numbers from the header, so added columns do not break us. col
# prints nothing for a column the recording lacks; need_col stops with the
# column's name (under set -e a failing substitution would end the script
# without a word).
col() {
	head -n1 "$samples" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1 || true
}
need_col() {
	local c
	c=$(col "$1")
	[ -n "$c" ] || die "$samples: no $1 column (record with xmem-simhost record)"
	echo "$c"
}
c_t=$(need_col t_s); c_name=$(need_col name); c_dem=$(need_col demand_kib)
c_tgt=$(need_col target_kib); c_alloc=$(need_col alloc_kib); c_smax=$(need_col static_max_kib)
c_psi=$(need_col psi_some); c_free=$(need_col host_free_kib); c_res=$(need_col host_reserved_kib)
c_wl=$(need_col workload_kib)
# Newer recordings only (0: absent, the summary then goes without them).
c_tot=$(col psi_some_total_us); c_mt=$(col meminfo_total_kib); c_src=$(col demand_source)
: "${c_tot:=0}" "${c_mt:=0}" "${c_src:=0}"

# One CSV per guest, in order of first appearance.
awk -F, -v dir="$out/guests" 'NR == 1 { hdr = $0; next }
	{ f = dir "/" $'"$c_name"' ".csv"
	  if (!(f in seen)) { seen[f] = 1; print hdr > f; order[++n] = $'"$c_name"' }
	  print >> f }
	END { for (i = 1; i <= n; i++) print order[i] > (dir "/.order") }' "$samples"
mapfile -t guests < "$out/guests/.order"
rm -f "$out/guests/.order"
nr=${#guests[@]}
[ "$nr" -gt 0 ] || die "$samples: no guests"

# Host totals per sample time.
awk -F, 'NR == 1 { next }
	{ t = $'"$c_t"'; if (!(t in a)) { ord[++n] = t }
	  a[t] += $'"$c_alloc"'; d[t] += $'"$c_dem"'; w[t] += $'"$c_wl"'; tg[t] += $'"$c_tgt"'
	  fr[t] = $'"$c_free"'; rs[t] = $'"$c_res"' }
	END { print "t_s,alloc_kib,demand_kib,workload_kib,target_kib,host_free_kib,host_reserved_kib"
	      for (i = 1; i <= n; i++) { t = ord[i]
		printf "%s,%d,%d,%d,%d,%s,%s\n", t, a[t], d[t], w[t], tg[t], fr[t], rs[t] } }' \
	"$samples" > "$out/host.csv"

# Plots: one panel per guest, in GiB against seconds, on one time axis.
tmax=$(awk -F, 'NR > 1 && $'"$c_t"' + 0 > m { m = $'"$c_t"' + 0 } END { printf "%d", m + 1 }' "$samples")
cols=4
rows=$(( (nr + cols - 1) / cols ))
plot_guests() {
	local term=$1 file=$2
	{
		echo "set terminal $term size 1600,$((rows * 300 + 60)) font ',9'"
		echo "set output '$file'"
		echo "set datafile separator ','"
		echo "set datafile missing ''"
		echo "set key top left font ',8' samplen 2"
		echo "set xlabel 's'; set ylabel 'GiB'"
		echo "set grid"
		echo "set xrange [0:$tmax]; set yrange [0:*]"
		echo "set multiplot layout $rows,$cols title 'Per guest: workload demand, used in the guest, target, MemTotal and allocation (GiB)'"
		for g in "${guests[@]}"; do
			f="$out/guests/$g.csv"
			echo "set title '$g' noenhanced"
			echo "plot '$f' every ::1 using $c_t:(\$$c_wl/1048576.0) with lines lw 2 lc rgb '#d62728' title 'workload', \\"
			echo "     '' every ::1 using $c_t:(\$$c_dem/1048576.0) with lines lc rgb '#ff7f0e' title 'used in the guest', \\"
			echo "     '' every ::1 using $c_t:(\$$c_tgt/1048576.0) with lines dt 2 lc rgb '#7f7f7f' title 'target', \\"
			[ "$c_mt" = 0 ] ||
				echo "     '' every ::1 using $c_t:(\$$c_mt/1048576.0) with lines lw 1 lc rgb '#2ca02c' title 'MemTotal (allocation - guest kernel)', \\"
			echo "     '' every ::1 using $c_t:(\$$c_alloc/1048576.0) with lines lw 2 lc rgb '#1f77b4' title 'allocation'"
		done
		echo "unset multiplot"
	} | gnuplot 2> "$out/.gnuplot.err" || { cat "$out/.gnuplot.err" >&2; die "gnuplot failed on $file"; }
}
plot_host() {
	local term=$1 file=$2
	{
		echo "set terminal $term size 1200,600 font ',10'"
		echo "set output '$file'"
		echo "set datafile separator ','"
		echo "set datafile missing ''"
		echo "set key outside right"
		echo "set xlabel 's'; set ylabel 'GiB'; set grid"
		echo "set title 'Host: memory allocated to guests, their demand, free and reserved memory'"
		echo "plot '$out/host.csv' every ::1 using 1:(\$2/1048576.0) with lines lw 2 title 'allocated', \\"
		echo "     '' every ::1 using 1:(\$4/1048576.0) with lines lw 2 title 'workload demand', \\"
		echo "     '' every ::1 using 1:(\$3/1048576.0) with lines title 'used in the guest', \\"
		echo "     '' every ::1 using 1:(\$6/1048576.0) with lines title 'host free', \\"
		echo "     '' every ::1 using 1:(\$7/1048576.0) with lines dt 2 title 'reserved'"
	} | gnuplot 2> "$out/.gnuplot.err" || { cat "$out/.gnuplot.err" >&2; die "gnuplot failed on $file"; }
}
plot_guests "pngcairo" "$out/guests.png"
plot_guests "svg dynamic" "$out/guests.svg"
plot_host "pngcairo" "$out/host.png"
plot_host "svg dynamic" "$out/host.svg"
rm -f "$out/.gnuplot.err"

# Summary.
extra=("$@")
awk -F, -v psi_lim="$((psi_pct * 100))" -v has_tot="$([ "$c_tot" != 0 ] && echo 1 || echo 0)" -v has_mt="$([ "$c_mt" != 0 ] && echo 1 || echo 0)" -v has_src="$([ "$c_src" != 0 ] && echo 1 || echo 0)" -v md="$out/summary.md" -v js="$out/summary.json" \
	-v extra="${extra[*]:-}" -v psi_pct="$psi_pct" '
	NR == 1 { next }
	{ t = $'"$c_t"' + 0; g = $'"$c_name"'
	  if (!(t in seen_t)) { seen_t[t] = 1; ts[++nt] = t }
	  alloc[t] += $'"$c_alloc"'; smax[t] += $'"$c_smax"'
	  gs[g]++; if (!(g in gi)) { gi[g] = ++ng; gname[ng] = g }
	  # Stall over the interval since this guest'"'"'s previous sample, from the totals.
	  tot = has_tot ? $'"$c_tot"' : ""; known = 0
	  if (tot != "" && (g in ptot) && tot + 0 >= ptot[g] && t > pt[g]) {
		known = 1; stall = (tot - ptot[g]) / ((t - pt[g]) * 1e6)
		st_us += tot - ptot[g]; st_s += t - pt[g]
	  }
	  if (tot != "") { ptot[g] = tot + 0; pt[g] = t } else delete ptot[g]
	  avg = $'"$c_psi"' != "" && $'"$c_psi"' + 0 >= psi_lim
	  if (avg) press10++
	  if (known ? stall * 10000 >= psi_lim : avg) { gp[g]++; press++ }
	  if ($'"$c_wl"' != "" && $'"$c_wl"' + 0 > $'"$c_alloc"' + 0) short[t] += $'"$c_wl"' - $'"$c_alloc"'
	  mt = has_mt ? $'"$c_mt"' : ""
	  if (mt != "" && $'"$c_wl"' != "" && $'"$c_wl"' + 0 > mt + 0) short_mt[t] += $'"$c_wl"' - mt
	  samples++
	  if (has_src && $'"$c_src"' != "") gsrc[g] = $'"$c_src"'
	  gal[g] += $'"$c_alloc"'; gsm[g] = $'"$c_smax"'
	  if ($'"$c_wl"' != "") { gwl[g] += $'"$c_wl"'; gwn[g]++ } }
	END {
		dt = nt > 1 ? (ts[nt] - ts[1]) / (nt - 1) : 0
		peak = 0; sum = 0; smax_last = smax[ts[nt]]; sh = 0
		for (i = 1; i <= nt; i++) { a = alloc[ts[i]]; sum += a; if (a > peak) peak = a; sh += short[ts[i]]; shm += short_mt[ts[i]] }
		mean = nt ? sum / nt : 0
		gib = 1048576.0
		share = samples ? press / samples : 0
		share10 = samples ? press10 / samples : 0
		printf "# xmem demo report\n\n" > md
		printf "| figure | value |\n|---|---|\n" >> md
		printf "| duration | %.0f s, %d samples every %.1f s |\n", ts[nt] - ts[1], nt, dt >> md
		printf "| guests | %d |\n", ng >> md
		printf "| static sizing (sum of static-max) | %.1f GiB |\n", smax_last / gib >> md
		printf "| memory held by guests, mean | %.1f GiB |\n", mean / gib >> md
		printf "| memory held by guests, peak | %.1f GiB |\n", peak / gib >> md
		printf "| memory saved against static sizing, mean | %.1f GiB (%.0f%%) |\n", (smax_last - mean) / gib, smax_last ? 100 * (smax_last - mean) / smax_last : 0 >> md
		printf "| memory saved against static sizing, at peak | %.1f GiB (%.0f%%) |\n", (smax_last - peak) / gib, smax_last ? 100 * (smax_last - peak) / smax_last : 0 >> md
		printf "| guest-time under pressure (memory stall >= %d%% of the interval) | %.1f%% |\n", psi_pct, 100 * share >> md
		if (st_s > 0)
			printf "| memory stall (PSI some), share of guest-time | %.1f%% |\n", 100 * st_us / (st_s * 1e6) >> md
		printf "| for comparison: samples with PSI some avg10 >= %d%% (10 s moving average) | %.1f%% |\n", psi_pct, 100 * share10 >> md
		printf "| workload demand not covered by allocation, mean | %.2f GiB |\n", nt ? sh / nt / gib : 0 >> md
		if (has_mt)
			printf "| workload demand not covered by the guests'"'"' MemTotal (allocation less guest kernel), mean | %.2f GiB |\n", nt ? shm / nt / gib : 0 >> md
		n = split(extra, kv, " ")
		for (i = 1; i <= n; i++) { split(kv[i], p, "="); if (p[1] != "") printf "| %s | %s |\n", p[1], p[2] >> md }
		printf "\n## Per guest\n\n| guest | demand source | static-max | mean allocation | mean workload | time under pressure |\n|---|---|---|---|---|---|\n" >> md
		for (i = 1; i <= ng; i++) { g = gname[i]; src = (g in gsrc) ? gsrc[g] : "-"
			sg[src]++; ss[src] += gs[g]; sp[src] += gp[g]; if (sg[src] == 1) sname[++nsrc] = src
			printf "| %s | %s | %.2f GiB | %.2f GiB | %s | %.0f s |\n", g, src, gsm[g] / gib, gal[g] / gs[g] / gib, gwn[g] ? sprintf("%.2f GiB", gwl[g] / gwn[g] / gib) : "-", gp[g] * dt >> md }
		if (nsrc > 1 || (nsrc == 1 && sname[1] != "-")) {
			printf "\n## By demand source (what xmemd read each guest'"'"'s demand from)\n\n| demand source | guests | guest-time under pressure |\n|---|---|---|\n" >> md
			for (i = 1; i <= nsrc; i++) { src = sname[i]
				printf "| %s | %d | %.1f%% |\n", src, sg[src], ss[src] ? 100 * sp[src] / ss[src] : 0 >> md }
		}
		printf "\nStatic sizing gives every guest its static-max. A guest is under pressure while its memory\nstall (PSI some, from the stall total it reports) is at least %d%% of the interval since its\nprevious sample; where no total is known, while its PSI some avg10 is. avg10 is a 10 s moving\naverage: sampled every second it counts a stall of one second for about six samples.\nPlots: guests.png/svg, host.png/svg; data: samples.csv, guests/*.csv, host.csv.\n", psi_pct >> md
		printf "{\n  \"duration_s\": %.1f,\n  \"samples\": %d,\n  \"guests\": %d,\n", ts[nt] - ts[1], nt, ng > js
		printf "  \"static_kib\": %d,\n  \"mean_alloc_kib\": %d,\n  \"peak_alloc_kib\": %d,\n", smax_last, mean, peak >> js
		printf "  \"saved_mean_kib\": %d,\n  \"saved_peak_kib\": %d,\n", smax_last - mean, smax_last - peak >> js
		printf "  \"pressure_share\": %.4f,\n  \"pressure_share_avg10\": %.4f,\n  \"pressure_psi_pct\": %d,\n", share, share10, psi_pct >> js
		if (st_s > 0)
			printf "  \"stall_share\": %.4f,\n", st_us / (st_s * 1e6) >> js
		if (has_mt)
			printf "  \"uncovered_memtotal_mean_kib\": %d,\n", nt ? shm / nt : 0 >> js
		printf "  \"uncovered_mean_kib\": %d", nt ? sh / nt : 0 >> js
		for (i = 1; i <= n; i++) { split(kv[i], p, "="); if (p[1] != "") printf ",\n  \"%s\": \"%s\"", p[1], p[2] >> js }
		printf "\n}\n" >> js
	}' "$samples"
echo "report: $out (summary.md, guests.png, host.png)" >&2
