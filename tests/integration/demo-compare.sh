#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo's comparison (scripts/demo-compare.sh) from two generated reports:
# the table's figures follow from each policy's samples, the verdict names
# the first policy's figures and whether it is best, one plot per figure.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
command -v gnuplot >/dev/null 2>&1 || fail "gnuplot is needed (apt-get install gnuplot-nox)"
command -v jq >/dev/null 2>&1 || fail "jq is needed (apt-get install jq)"

# samples NAME HELD_KIB PSI_X100: 2 guests of static-max 4 GiB, 10 samples 1 s apart,
# each holding HELD_KIB with a 1 GiB workload; g1 stalls PSI_X100/10000 of every
# interval (from its stall total), g2 never.
samples() {
	mkdir -p "$IT_DIR/$1"
	awk -v held="$2" -v psi="$3" 'BEGIN {
		print "t_s,domid,name,demand_kib,xmemd_demand_kib,target_kib,alloc_kib,static_max_kib,min_kib,max_kib,psi_some,host_free_kib,host_reserved_kib,workload_kib,psi_some_total_us,meminfo_total_kib"
		for (t = 0; t < 10; t++)
			for (g = 1; g <= 2; g++) {
				tot = g == 1 ? 1000000 + t * psi * 100 : 1000000
				printf "%d.000,%d,g%d,900000,,%d,%d,4194304,262144,4194304,0,2097152,0,1048576,%d,%d\n", t, g, g, held, held, tot, held
			}
	}' >"$IT_DIR/$1/samples.csv"
	"$XMEM_SRCDIR/scripts/demo-report.sh" "$IT_DIR/$1/samples.csv" "$IT_DIR/$1" \
		reservation_grant_s="$4" >/dev/null 2>&1 || fail "demo-report.sh $1 failed"
}
# xmem: 1.5 GiB each, g1 stalls 2% (under the 5% line); static: 768 MiB each, g1 stalls 50%.
samples xmem 1572864 200 0.50
samples static 786432 5000 3.25

out="$IT_DIR/cmp"
"$XMEM_SRCDIR/scripts/demo-compare.sh" "$out" xmem="$IT_DIR/xmem" static="$IT_DIR/static" \
	2>/dev/null || fail "demo-compare.sh failed"
for f in summary.md summary.json compare.csv held.png held.svg pressure.png pressure.svg \
	stall.png stall.svg uncovered.png uncovered.svg; do
	[ -s "$out/$f" ] || fail "comparison lacks $f"
done
head -c 8 "$out/stall.png" | od -An -c | grep -q 'P   N   G' || fail "stall.png is not a PNG"

js="$out/summary.json"
q() { jq -r "$1" "$js"; }
assert_eq "$(q '[.policies[].policy] | join(",")')" "xmem,static" "policies in order"
assert_eq "$(q '.policies[0].held_mean_gib')" 3 "xmem holds 2 x 1.5 GiB"
assert_eq "$(q '.policies[1].held_mean_gib')" 1.5 "static holds 2 x 0.75 GiB"
assert_eq "$(q '.policies[1].saved_mean_pct')" 81.3 "static saves 6.5 of 8 GiB"
# static: g1 at 50% stall in 9 of 20 guest-samples (its first has no interval).
assert_eq "$(q '.policies[1].pressure_pct')" 45 "static's pressure"
assert_eq "$(q '.policies[0].pressure_pct')" 0 "xmem's pressure"
assert_eq "$(q '.policies[1].stall_pct')" 25 "static's stall: g1 50%, g2 0"
# static: 256 MiB of each guest's 1 GiB workload uncovered.
assert_eq "$(q '.policies[1].uncovered_gib')" 0.5 "static's uncovered"
assert_eq "$(q '.policies[0].reservation_grant_s')" 0.50 "reservation time"

md="$out/summary.md"
sed -n 3p "$md" | grep -q '^\*\*Verdict:\*\* xmem put 0% of guest-time under pressure (static 45%)' ||
	fail "verdict: $(sed -n 3p "$md")"
grep -q 'best on all three' "$md" || fail "the verdict does not say xmem is best"
grep -q '^| guest-time under pressure (stall >= 5% of the interval) | 0% | 45% |$' "$md" ||
	fail "pressure row: $(grep 'under pressure' "$md")"
grep -q '^| reservation granted in (s) | 0.50 | 3.25 |$' "$md" || fail "reservation row"
# The series: one row per policy and sample, the time from each recording's start.
assert_eq "$(grep -c '^static,' "$out/compare.csv")" 10 "static's series"
assert_eq "$(grep '^static,9.000,' "$out/compare.csv" | cut -d, -f3-)" "1.5000,1,25.0000,0.5000" \
	"static's last sample"

# The other way round, the verdict is about static, and says where it is not best.
"$XMEM_SRCDIR/scripts/demo-compare.sh" "$IT_DIR/cmp2" static="$IT_DIR/static" xmem="$IT_DIR/xmem" \
	2>/dev/null || fail "demo-compare.sh (reversed) failed"
grep -q 'best on none of the three' "$IT_DIR/cmp2/summary.md" || fail "reversed verdict"

# Bad input: one clear line, non-zero.
if msg=$("$XMEM_SRCDIR/scripts/demo-compare.sh" "$IT_DIR/x" xmem="$IT_DIR/nothing" 2>&1); then
	fail "a missing report was accepted"
fi
echo "$msg" | grep -q 'no samples.csv' || fail "unclear error: $msg"
if msg=$("$XMEM_SRCDIR/scripts/demo-compare.sh" "$IT_DIR/x" "$IT_DIR/xmem" 2>&1); then
	fail "an argument without NAME= was accepted"
fi
echo "$msg" | grep -q 'NAME=REPORTDIR' || fail "unclear error: $msg"
pass
