#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# scripts/demo.sh BUILDDIR [REPORTDIR]: the xmem demo (`./run demo`).
#
# Starts scenarios/demo.json (a 24 GiB host, 16 guests replaying real VMs of
# data/traces at 300x) once per policy, the hosts side by side: xmem,
# proportional (XAPI squeezed's rule) and static. They run at the same time,
# on the same guests, workloads and trace replay; only xmemd's policy
# differs. xmemd works for DEMO_SECONDS (default 60) while a live summary is
# printed every 5 s; half-way through, a 17th VM starts on every host
# through a 4 GiB reservation (`xmem reserve`, then `xmem create
# --reservation`). Then the hosts stop and the report is written (REPORTDIR,
# default ./report): summary.md with a one-line verdict and the policies side
# by side (memory held, saved against static sizing, guest-time under
# pressure, stall, workload not covered, reservation time), one plot per
# figure with a line per policy (scripts/demo-compare.sh), and per policy a
# directory with its own report: per-guest demand against allocation as
# PNG/SVG plots and CSV, and a summary table (scripts/demo-report.sh). Runs
# unattended; about 2 minutes.
#
# Environment: DEMO_SECONDS, DEMO_SCENARIO (another scenario file),
# DEMO_INTERVAL_MS (sampling, default 1000), DEMO_RESERVE (default 4G),
# DEMO_POLICY (a policy file for xmem's host, xmem-policy(5); default: the
# scenario's, else xmemd's built-in defaults), DEMO_POLICIES (the hosts,
# default "xmem proportional static"; the first is the one the verdict is
# about; any other name is policy/NAME.json of the source tree).
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
xmem_policy=${DEMO_POLICY:-}
read -r -a policies <<<"${DEMO_POLICIES:-xmem proportional static}"
late_name=late1

simhost=$build/tools/simhost/xmem-simhost
xmem=$build/tools/xmem/xmem

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

[ -x "$simhost" ] || die "$simhost is not built (./run build)"
[ -x "$xmem" ] || die "$xmem is not built: the demo needs the xmem CLI"
command -v gnuplot >/dev/null 2>&1 || die "gnuplot is missing (Debian: gnuplot-nox; ./run deps)"
command -v jq >/dev/null 2>&1 || die "jq is missing (Debian: jq; ./run deps)"
[ ${#policies[@]} -ge 1 ] || die "DEMO_POLICIES is empty"
[ -z "$xmem_policy" ] || [ -r "$xmem_policy" ] || die "DEMO_POLICY: cannot read $xmem_policy"

# The policy file of host p ("" for xmem without DEMO_POLICY: the scenario's own).
policy_file() {
	case $1 in
	xmem) printf '%s' "$xmem_policy" ;;
	*)
		[ -r "$top/policy/$1.json" ] || die "DEMO_POLICIES: no policy/$1.json"
		printf '%s' "$top/policy/$1.json"
		;;
	esac
}

declare -A dir scen recorder grant
cleanup() {
	local rc=$? p
	for p in "${policies[@]}"; do
		[ -z "${scen[$p]:-}" ] || rm -f "${scen[$p]}"
		if [ -n "${recorder[$p]:-}" ]; then
			kill "${recorder[$p]}" 2>/dev/null || true
			wait "${recorder[$p]}" 2>/dev/null || true
		fi
		[ -n "${dir[$p]:-}" ] || continue
		"$simhost" stop --dir "${dir[$p]}" >/dev/null 2>&1 || true
		if [ $rc -ne 0 ] && [ -d "${dir[$p]}/run" ]; then
			mkdir -p "$report/$p/logs"
			cp "${dir[$p]}"/run/*.log "$report/$p/logs/" 2>/dev/null || true
			echo "demo: failed; $p's component logs copied to $report/$p/logs" >&2
		fi
		rm -rf "${dir[$p]}"
	done
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

rm -rf "$report"
mkdir -p "$report"
report=$(cd "$report" && pwd)

# A copy of the scenario with "policy" set to FILE (none: as it is) and its
# relative trace paths made absolute (they are relative to its directory).
scenario_for() {
	local file=$1 out sdir
	out=$(mktemp "${TMPDIR:-/tmp}/xmem-demo-scenario.XXXXXX")
	sdir=$(cd "$(dirname "$scenario")" && pwd)
	if [ -n "$file" ]; then
		file=$(cd "$(dirname "$file")" && pwd)/$(basename "$file")
		sed -e '/^ *"policy": /d' \
			-e "s|\"trace:\([^/\"]\)|\"trace:$sdir/\1|" \
			-e "0,/{/s|{|{\n  \"policy\": \"$file\",|" "$scenario" >"$out"
	else
		sed -e "s|\"trace:\([^/\"]\)|\"trace:$sdir/\1|" "$scenario" >"$out"
	fi
	printf '%s' "$out"
}

t_start=$(date +%s.%N)
for p in "${policies[@]}"; do
	f=$(policy_file "$p")
	shown=${f:-"the scenario's"}
	say "starting host '$p' ($(basename "$scenario"), xmemd's policy: $shown)"
	scen[$p]=$(scenario_for "$f")
	dir[$p]=$(mktemp -d "${TMPDIR:-/tmp}/xmem-demo-$p.XXXXXX")
done
# All at once, so the replays run in step (a second apart is 5 trace minutes at 300x).
starts=()
for p in "${policies[@]}"; do
	"$simhost" start "${scen[$p]}" --dir "${dir[$p]}" >"${dir[$p]}.start" 2>&1 &
	starts+=($!)
done
i=0
for p in "${policies[@]}"; do
	wait "${starts[$i]}" || {
		cat "${dir[$p]}.start" >&2
		rm -f "${dir[$p]}.start"
		die "host '$p' did not start (the demo replays data/traces/ of the repository)"
	}
	rm -f "${dir[$p]}.start"
	i=$((i + 1))
done
# Trace seconds per real second, from the scenario as the hosts run it (defaults filled in).
time_scale=$(sed -n 's/^ *"time-scale": *\([0-9.]*\).*/\1/p' "${dir[${policies[0]}]}/run/scenario.json" 2>/dev/null | head -n1)
time_scale=${time_scale%.0}
t_up=$(date +%s.%N)
say "${#policies[@]} hosts up in $(awk -v a="$t_start" -v b="$t_up" 'BEGIN { printf "%.1f", b - a }') s; xmemd at work for ${secs} s"

for p in "${policies[@]}"; do
	mkdir -p "$report/$p"
	"$simhost" record --dir "${dir[$p]}" --out "$report/$p/samples.csv" --interval-ms "$interval_ms" &
	recorder[$p]=$!
done

# The last sample of a host's CSV, summed: one line for people.
summary_line() {
	local t=$1 p=$2 csv=$report/$2/samples.csv
	[ -s "$csv" ] || { printf '%4ds  %-13s (no samples yet)\n' "$t" "$p"; return; }
	awk -F, -v t="$t" -v p="$p" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
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
				n++; a += f[c["alloc_kib"]]; w += f[c["workload_kib"]]
				g = f[c["name"]]; tot = ("psi_some_total_us" in c) ? f[c["psi_some_total_us"]] : ""
				if (tot != "" && (g in ptot) && tot + 0 >= ptot[g] + 0 && last > pt[g])
					q += (tot - ptot[g]) / ((last - pt[g]) * 1e6) >= 0.05
				else if (f[c["psi_some"]] + 0 >= 500) q++
				free = f[c["host_free_kib"]]; res = f[c["host_reserved_kib"]]
			}
			g = 1048576
			printf "%4ds  %-13s %2d guests  held %5.1f GiB  workload %5.1f GiB  free %5.1f GiB  reserved %4.1f GiB  under pressure: %d\n",
				t, p, n, a / g, w / g, free / g, res / g, q
		}' "$csv"
}

# Reserve on host p and start the late VM with it; the grant time goes to $report/p/grant.
reserve_on() {
	local p=$1 t0 t1 out id
	export XMEM_HOST="${dir[$p]}"
	t0=$(date +%s.%N)
	out=$("$xmem" reserve "$reserve" --for "$late_name" --wait 60 2>&1) || true
	t1=$(date +%s.%N)
	id=$(printf '%s\n' "$out" | sed -n 's/^reservation \([A-Za-z0-9_-]*\) granted.*/\1/p' | head -n1)
	if [ -z "$id" ]; then
		echo failed >"$report/$p/grant"
		printf 'demo: %s: the reservation was not granted: %s\n' "$p" "$(printf '%s' "$out" | tail -n1)" >&2
		return 1
	fi
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }' >"$report/$p/grant"
	say "$p: reservation $id granted in $(cat "$report/$p/grant") s; xmem create $late_name --reservation $id"
	"$xmem" create "$late_name" --memory "$reserve" --maxmem 8G --min 1G \
		--reservation "$id" --workload steady:3G >/dev/null || {
		echo "demo: $p: xmem create $late_name failed" >&2
		return 1
	}
}

reserved=0
demo_rc=0
reserve_at=$((secs / 2))
elapsed=0
while [ "$elapsed" -lt "$secs" ]; do
	sleep 5
	elapsed=$((elapsed + 5))
	for p in "${policies[@]}"; do
		kill -0 "${recorder[$p]}" 2>/dev/null ||
			die "the recorder of host '$p' stopped: is it still running? ($simhost status --dir ${dir[$p]})"
		summary_line "$elapsed" "$p"
	done
	if [ "$reserved" = 0 ] && [ "$elapsed" -ge "$reserve_at" ]; then
		reserved=1
		say "a new VM needs $reserve on every host: xmem reserve $reserve --for $late_name"
		pids=()
		for p in "${policies[@]}"; do
			reserve_on "$p" &
			pids+=($!)
		done
		# Keep going when one fails: the report says so, and the demo exits non-zero.
		for pid in "${pids[@]}"; do
			wait "$pid" || demo_rc=1
		done
	fi
done

say "host '${policies[0]}' now (xmem list):"
XMEM_HOST="${dir[${policies[0]}]}" "$xmem" list || true
say "stopping the hosts"
for p in "${policies[@]}"; do
	kill "${recorder[$p]}" 2>/dev/null || true
	wait "${recorder[$p]}" 2>/dev/null || true
	recorder[$p]=""
	mkdir -p "$report/$p/logs"
	cp "${dir[$p]}"/run/*.log "$report/$p/logs/" 2>/dev/null || true
	"$simhost" stop --dir "${dir[$p]}" >/dev/null
done

compare=()
for p in "${policies[@]}"; do
	f=$(policy_file "$p")
	"$top/scripts/demo-report.sh" "$report/$p/samples.csv" "$report/$p" \
		scenario="$(basename "$scenario" .json)" \
		replay_speed="${time_scale:+${time_scale}x}" \
		reservation="$reserve" \
		policy="${f:+$(basename "$f")}${f:-scenario}" \
		reservation_grant_s="$(cat "$report/$p/grant" 2>/dev/null || echo not-reached)" \
		host_start_s="$(awk -v a="$t_start" -v b="$t_up" 'BEGIN { printf "%.1f", b - a }')"
	compare+=("$p=$report/$p")
done
"$top/scripts/demo-compare.sh" "$report" "${compare[@]}"
echo
cat "$report/summary.md"
say "report written to $report (took $(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s)"
exit $demo_rc
