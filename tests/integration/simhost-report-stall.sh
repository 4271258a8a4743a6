#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo's report (scripts/demo-report.sh) counts a guest under pressure by
# the stall it had, not by its PSI avg10: a guest stalled for one second, then
# never again, shows avg10 >= 5% for seven samples (a 10 s moving average
# sampled every second; at the demo's 300x, seven 5-minute trace steps), but
# its stall total (psi_some_total_us, /proc/pressure/memory total=) says one
# interval. A guest stalled 3% of every second stays below the 5% line both
# ways; a recording without totals is judged by avg10 as before. The workload
# is also weighed against what the guest can give it: its MemTotal (the
# allocation less the guest kernel's own memory), not only the allocation.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
command -v gnuplot >/dev/null 2>&1 || missing "gnuplot (package gnuplot-nox; ./run deps)"

csv="$IT_DIR/samples.csv"
# 2 guests of static-max 4 GiB holding 1 GiB with a workload of 512 MiB, 10
# samples 1 s apart. s1's kernel holds 300 MiB (MemTotal 700 MiB), s2's 600 MiB
# (MemTotal 400 MiB: 112 MiB of its workload do not fit).
# s1: fully stalled between t=0 and t=1, then not at all; avg10 as the kernel
#     decays it (9.52%, then x e^-0.1 a second).
# s2: stalled 30 ms of every second (3%); avg10 settles near 3%.
awk 'BEGIN {
	print "t_s,domid,name,demand_kib,xmemd_demand_kib,target_kib,alloc_kib,static_max_kib,min_kib,max_kib,psi_some,host_free_kib,host_reserved_kib,workload_kib,psi_some_total_us,meminfo_total_kib"
	a = 0
	for (t = 0; t < 10; t++) {
		if (t == 1) a = 9.52; else if (t > 1) a *= exp(-0.1)
		printf "%d.000,1,s1,900000,,1048576,1048576,4194304,262144,4194304,%d,2097152,0,524288,%d,716800\n", t, int(a * 100 + 0.5), (t >= 1 ? 1000000 : 0)
		printf "%d.000,2,s2,900000,,1048576,1048576,4194304,262144,4194304,%d,2097152,0,524288,%d,409600\n", t, (t ? 300 : 0), t * 30000
	}
}' > "$csv"
[ "$(awk -F, '$3 == "s1" && $11 >= 500' "$csv" | wc -l)" -eq 7 ] || fail "fixture: s1's avg10 >= 5% in 7 samples"

out="$IT_DIR/report"
"$XMEM_SRCDIR/scripts/demo-report.sh" "$csv" "$out" || fail "demo-report.sh failed"
js="$out/summary.json"
val() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$js"; }
assert_eq "$(val samples)" 10 "samples"
# s1 under pressure in the interval (0, 1] only: 1 of 20 guest-samples.
assert_eq "$(val pressure_share)" 0.0500 "pressure share from the stall totals"
# avg10 alone would say 7 of 20.
assert_eq "$(val pressure_share_avg10)" 0.3500 "pressure share by avg10, for comparison"
# Stall: s1 1 s, s2 9 x 30 ms, over 2 x 9 s of intervals.
assert_eq "$(val stall_share)" 0.0706 "memory stall share"
# The allocation covers both workloads; s2's MemTotal does not cover its own.
assert_eq "$(val uncovered_mean_kib)" 0 "workload above the allocation"
assert_eq "$(val uncovered_memtotal_mean_kib)" 114688 "workload above MemTotal"
grep -q 'MemTotal (allocation - guest kernel)' "$out/guests.svg" ||
	fail "guests.svg lacks the MemTotal line"
grep -q '| s1 | - | 4.00 GiB | 1.00 GiB | 0.50 GiB | 1 s |' "$out/summary.md" ||
	fail "summary.md per-guest row of s1 wrong: $(grep '| s1 ' "$out/summary.md")"
grep -q '| s2 | - | 4.00 GiB | 1.00 GiB | 0.50 GiB | 0 s |' "$out/summary.md" ||
	fail "summary.md per-guest row of s2 wrong: $(grep '| s2 ' "$out/summary.md")"
grep -q '| memory stall (PSI some), share of guest-time | 7.1% |' "$out/summary.md" ||
	fail "summary.md lacks the stall share: $(cat "$out/summary.md")"

# A guest restarted at t=5 (its total starts again from 0) is judged by avg10
# for that sample only, by its total again from the next one.
awk -F, 'BEGIN { OFS = "," }
	NR > 1 && $3 == "s2" && $1 + 0 >= 5 { $15 = ($1 - 5) * 30000; if ($1 + 0 == 5) $11 = 900 }
	{ print }' \
	"$csv" > "$IT_DIR/restart.csv"
"$XMEM_SRCDIR/scripts/demo-report.sh" "$IT_DIR/restart.csv" "$IT_DIR/r2" || fail "demo-report.sh on a restart"
js="$IT_DIR/r2/summary.json"
assert_eq "$(val pressure_share)" 0.1000 "a restart sample falls back to avg10"

# An older recording, without the two columns: judged by avg10 alone (s1 7
# samples, s2 none); one without a column the report needs is refused by name.
cut -d, -f1-14 "$csv" > "$IT_DIR/old.csv"
"$XMEM_SRCDIR/scripts/demo-report.sh" "$IT_DIR/old.csv" "$IT_DIR/r3" || fail "demo-report.sh on an older recording"
js="$IT_DIR/r3/summary.json"
assert_eq "$(val pressure_share)" 0.3500 "an older recording is judged by avg10"
cut -d, -f1-13 "$csv" > "$IT_DIR/short.csv"
if "$XMEM_SRCDIR/scripts/demo-report.sh" "$IT_DIR/short.csv" "$IT_DIR/r4" 2>"$IT_DIR/r4.err"; then
	fail "demo-report.sh took a recording without workload_kib"
fi
grep -q 'no workload_kib column' "$IT_DIR/r4.err" || fail "no reason given: $(cat "$IT_DIR/r4.err")"
pass
