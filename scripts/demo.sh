#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# scripts/demo.sh BUILDDIR [REPORTDIR]: the xmem demo (`./run demo`).
#
# Starts scenarios/demo.json (a 24 GiB host, 16 guests replaying real VMs of
# data/traces at 300x), lets xmemd work for DEMO_SECONDS (default 60)
# while printing a live summary every 5 s, starts a 17th VM half-way through
# a 4 GiB reservation (`xmem reserve`, then `xmem create --reservation`),
# stops the host and writes a report directory (REPORTDIR, default ./report):
# per-guest demand against allocation as PNG/SVG plots and CSV, and a
# summary table (scripts/demo-report.sh). Runs unattended; about 2 minutes.
#
# Environment: DEMO_SECONDS, DEMO_SCENARIO (another scenario file),
# DEMO_INTERVAL_MS (sampling, default 1000), DEMO_RESERVE (default 4G),
# DEMO_POLICY (a policy file for xmemd, xmem-policy(5); default: the
# scenario's, else xmemd's built-in defaults).
set -euo pipefail

case ${1:-} in
-h | --help)
	sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 0
	;;
esac

build=${1:?usage: scripts/demo.sh BUILDDIR [REPORTDIR]}
build=$(cd "$build" && pwd)
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
report=${2:-$PWD/report}
secs=${DEMO_SECONDS:-60}
interval_ms=${DEMO_INTERVAL_MS:-1000}
scenario=${DEMO_SCENARIO:-$top/scenarios/demo.json}
reserve=${DEMO_RESERVE:-4G}
policy=${DEMO_POLICY:-}
late_name=late1

simhost=$build/tools/simhost/xmem-simhost
xmem=$build/tools/xmem/xmem

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

[ -x "$simhost" ] || die "$simhost is not built (./run build)"
[ -x "$xmem" ] || die "$xmem is not built: the demo needs the xmem CLI"
command -v gnuplot >/dev/null 2>&1 || die "gnuplot is missing (Debian: gnuplot-nox; ./run deps)"

[ -z "$policy" ] || [ -r "$policy" ] || die "DEMO_POLICY: cannot read $policy"

dir=$(mktemp -d "${TMPDIR:-/tmp}/xmem-demo.XXXXXX")
recorder=""
scen_tmp=""
cleanup() {
	local rc=$?
	[ -z "$scen_tmp" ] || rm -f "$scen_tmp"
	if [ -n "$recorder" ]; then kill "$recorder" 2>/dev/null || true; wait "$recorder" 2>/dev/null || true; fi
	"$simhost" stop --dir "$dir" >/dev/null 2>&1 || true
	if [ $rc -ne 0 ] && [ -d "$dir/run" ]; then
		mkdir -p "$report/logs"
		cp "$dir"/run/*.log "$report/logs/" 2>/dev/null || true
		echo "demo: failed; component logs copied to $report/logs" >&2
	fi
	rm -rf "$dir"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

rm -rf "$report"
mkdir -p "$report"
report=$(cd "$report" && pwd)

if [ -n "$policy" ]; then
	# A copy of the scenario with "policy" set and its relative trace paths
	# made absolute (they are relative to the scenario's directory).
	policy=$(cd "$(dirname "$policy")" && pwd)/$(basename "$policy")
	sdir=$(cd "$(dirname "$scenario")" && pwd)
	scen_tmp=$(mktemp "${TMPDIR:-/tmp}/xmem-demo-scenario.XXXXXX")
	sed -e '/^ *"policy": /d' \
		-e "s|\"trace:\([^/\"]\)|\"trace:$sdir/\1|" \
		-e "0,/{/s|{|{\n  \"policy\": \"$policy\",|" "$scenario" >"$scen_tmp"
	say "xmemd's policy: $policy"
	scenario_run=$scen_tmp
else
	scenario_run=$scenario
fi
say "starting the simulated host ($(basename "$scenario")) in $dir"
t_start=$(date +%s.%N)
start_out=$("$simhost" start "$scenario_run" --dir "$dir") ||
	die "the host did not start (see the message above)"
eval "$start_out"
# Trace seconds per real second, from the scenario as the host runs it (defaults filled in).
time_scale=$(sed -n 's/^ *"time-scale": *\([0-9.]*\).*/\1/p' "$dir/run/scenario.json" 2>/dev/null | head -n1)
time_scale=${time_scale%.0}
t_up=$(date +%s.%N)
export XMEM_HOST="$dir"
say "host up in $(awk -v a="$t_start" -v b="$t_up" 'BEGIN { printf "%.1f", b - a }') s; xmemd at work for ${secs} s"

"$simhost" record --dir "$dir" --out "$report/samples.csv" --interval-ms "$interval_ms" &
recorder=$!

# The last sample of the CSV, summed: one line for people.
summary_line() {
	local t=$1
	[ -s "$report/samples.csv" ] || { printf '%4ds  (no samples yet)\n' "$t"; return; }
	awk -F, -v t="$t" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ rows[NR] = $0; ts[NR] = $c["t_s"] }
		END {
			last = ts[NR]; n = 0
			# Each guest'"'"'s stall total at the sample before the last (as demo-report.sh).
			for (r in rows) {
				if (ts[r] == last || !("psi_some_total_us" in c)) continue
				split(rows[r], f, ",")
				if (f[c["psi_some_total_us"]] != "" && ts[r] + 0 > pt[f[c["name"]]] + 0) {
					pt[f[c["name"]]] = ts[r]; ptot[f[c["name"]]] = f[c["psi_some_total_us"]]
				}
			}
			for (r in rows) {
				if (ts[r] != last) continue
				split(rows[r], f, ",")
				n++; a += f[c["alloc_kib"]]; w += f[c["workload_kib"]]; d += f[c["demand_kib"]]
				g = f[c["name"]]; tot = ("psi_some_total_us" in c) ? f[c["psi_some_total_us"]] : ""
				if (tot != "" && (g in ptot) && tot + 0 >= ptot[g] + 0 && last > pt[g])
					p += (tot - ptot[g]) / ((last - pt[g]) * 1e6) >= 0.05
				else if (f[c["psi_some"]] + 0 >= 500) p++
				free = f[c["host_free_kib"]]; res = f[c["host_reserved_kib"]]
			}
			g = 1048576
			printf "%4ds  %2d guests  allocated %5.1f GiB  workload %5.1f GiB  reported %5.1f GiB  free %5.1f GiB  reserved %4.1f GiB  under pressure: %d\n",
				t, n, a / g, w / g, d / g, free / g, res / g, p
		}' "$report/samples.csv"
}

grant_s=""
demo_rc=0
reserve_at=$((secs / 2))
elapsed=0
while [ "$elapsed" -lt "$secs" ]; do
	sleep 5
	elapsed=$((elapsed + 5))
	kill -0 "$recorder" 2>/dev/null || die "the recorder stopped: is the host still running? ($simhost status --dir $dir)"
	summary_line "$elapsed"
	if [ -z "$grant_s" ] && [ "$elapsed" -ge "$reserve_at" ]; then
		say "a new VM needs $reserve: xmem reserve $reserve --for $late_name"
		t0=$(date +%s.%N)
		out=$("$xmem" reserve "$reserve" --for "$late_name" --wait 60 2>&1) || true
		t1=$(date +%s.%N)
		id=$(printf '%s\n' "$out" | sed -n 's/^reservation \([A-Za-z0-9_-]*\) granted.*/\1/p' | head -n1)
		if [ -z "$id" ]; then
			# Keep going: the report says so, and the demo exits non-zero.
			grant_s="failed"
			demo_rc=1
			printf 'demo: the reservation was not granted: %s\n' "$(printf '%s' "$out" | tail -n1)" >&2
		else
			grant_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
			say "reservation $id granted in ${grant_s} s; xmem create $late_name --reservation $id"
			if ! "$xmem" create "$late_name" --memory "$reserve" --maxmem 8G --min 1G \
				--reservation "$id" --workload steady:3G >/dev/null; then
				echo "demo: xmem create $late_name failed" >&2
				demo_rc=1
			fi
		fi
	fi
done

say "the host now (xmem list):"
"$xmem" list || true
say "stopping the host"
kill "$recorder" 2>/dev/null || true
wait "$recorder" 2>/dev/null || true
recorder=""
mkdir -p "$report/logs"
cp "$dir"/run/*.log "$report/logs/" 2>/dev/null || true
"$simhost" stop --dir "$dir" >/dev/null

"$top/scripts/demo-report.sh" "$report/samples.csv" "$report" \
	scenario="$(basename "$scenario" .json)" \
	replay_speed="${time_scale:+${time_scale}x}" \
	reservation="$reserve" \
	${policy:+policy="$(basename "$policy")"} \
	reservation_grant_s="${grant_s:-not-reached}" \
	host_start_s="$(awk -v a="$t_start" -v b="$t_up" 'BEGIN { printf "%.1f", b - a }')"
echo
cat "$report/summary.md" | sed -n '1,/^## Per guest/p' | sed '$d'
say "report written to $report"
exit $demo_rc
