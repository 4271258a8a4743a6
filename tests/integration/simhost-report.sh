#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo's report (scripts/demo-report.sh) from a generated sample CSV: per-guest CSV,
# PNG and SVG plots, and a summary whose figures follow from the samples.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
command -v gnuplot >/dev/null 2>&1 || missing "gnuplot (package gnuplot-nox; ./run deps)"

csv="$IT_DIR/samples.csv"
# 3 guests of static-max 4 GiB, 10 samples 1 s apart; each holds 1 GiB; g2 reports
# PSI some of 8% in 5 samples, g3 of 2% (below the 5% line) throughout.
awk 'BEGIN {
	print "t_s,domid,name,demand_kib,xmemd_demand_kib,target_kib,alloc_kib,static_max_kib,min_kib,max_kib,psi_some,host_free_kib,host_reserved_kib,workload_kib"
	for (t = 0; t < 10; t++)
		for (g = 1; g <= 3; g++) {
			psi = (g == 2 && t < 5) ? 800 : (g == 3 ? 200 : 0)
			printf "%d.000,%d,g%d,900000,,1048576,1048576,4194304,262144,4194304,%d,2097152,0,%d\n", t, g, g, psi, (g == 1 ? 2097152 : 524288)
		}
}' > "$csv"

out="$IT_DIR/report"
"$XMEM_SRCDIR/scripts/demo-report.sh" "$csv" "$out" reservation_grant_s=1.25 ||
	fail "demo-report.sh failed"
for f in samples.csv host.csv guests.png guests.svg host.png host.svg summary.md summary.json \
	guests/g1.csv guests/g2.csv guests/g3.csv; do
	[ -s "$out/$f" ] || fail "report lacks $f"
done
head -c 8 "$out/guests.png" | od -An -c | grep -q 'P   N   G' || fail "guests.png is not a PNG"
grep -q '<svg' "$out/guests.svg" || fail "guests.svg is not an SVG"
assert_eq "$(wc -l < "$out/guests/g2.csv")" 11 "rows of guests/g2.csv (header + 10)"

js="$out/summary.json"
val() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$js"; }
assert_eq "$(val guests)" 3 "guests"
assert_eq "$(val samples)" 10 "samples"
assert_eq "$(val static_kib)" 12582912 "static sizing: 3 x 4 GiB"
assert_eq "$(val mean_alloc_kib)" 3145728 "mean allocation: 3 x 1 GiB"
assert_eq "$(val saved_mean_kib)" 9437184 "saved against static"
# 5 of 30 guest-samples at or above 5% PSI.
assert_eq "$(val pressure_share)" 0.1667 "pressure share"
# g1's workload is 2 GiB on 1 GiB held: 1 GiB uncovered at every sample.
assert_eq "$(val uncovered_mean_kib)" 1048576 "uncovered demand"
assert_eq "$(val reservation_grant_s)" 1.25 "extra facts are passed on"
grep -q '| g2 | - | 4.00 GiB | 1.00 GiB | 0.50 GiB | 5 s |' "$out/summary.md" ||
	fail "summary.md per-guest row of g2 wrong: $(grep '| g2 ' "$out/summary.md")"

# With xmemd's demand source recorded: per guest, and the pressure per source.
awk -F, -v OFS=, 'NR == 1 { print $0, "demand_source"; next } { print $0, ($3 == "g1" ? "xmem-guestd" : "none") }' \
	"$csv" > "$IT_DIR/samples-src.csv"
"$XMEM_SRCDIR/scripts/demo-report.sh" "$IT_DIR/samples-src.csv" "$IT_DIR/report-src" ||
	fail "demo-report.sh failed on a recording with demand_source"
md="$IT_DIR/report-src/summary.md"
grep -q '| g2 | none | 4.00 GiB |' "$md" || fail "summary.md: g2's demand source: $(grep '| g2 ' "$md")"
# none: g2 under pressure in 5 of its 10 samples, g3 never: 5 of 20.
grep -q '^| none | 2 | 25.0% |$' "$md" || fail "summary.md: by source, none: $(grep -A4 'By demand source' "$md")"
grep -q '^| xmem-guestd | 1 | 0.0% |$' "$md" || fail "summary.md: by source, xmem-guestd: $(grep -A4 'By demand source' "$md")"

# Bad input: a clear error, no report.
echo "nonsense" > "$IT_DIR/bad.csv"
if msg=$("$XMEM_SRCDIR/scripts/demo-report.sh" "$IT_DIR/bad.csv" "$IT_DIR/r2" 2>&1); then
	fail "accepted a CSV that is not from xmem-simhost record"
fi
echo "$msg" | grep -q "not a CSV of xmem-simhost record" || fail "unclear error: $msg"
pass
