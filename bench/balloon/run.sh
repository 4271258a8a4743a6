#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/balloon/run.sh BUILDDIR OUT.json: how fast one xmem-balloon follows a target on a
# simulated host (xmem-stored + xmem-hvsim, no xmemd): the time from writing memory/target
# to tot_pages reaching it, for 2 GiB up and 2 GiB down, against a baseline measured in the
# same run: the same 524288 frames populated and given back in calls of 512 by a bare
# client of the hypervisor (bench/balloon/balloon-raw), without watch, state machine or
# reports. BENCH_RUNS (default 5) repetitions; medians, minimums and maximums in ms.
set -euo pipefail

build=$(cd "${1:?usage: bench/balloon/run.sh BUILDDIR OUT.json}" && pwd)
out=${2:?usage: bench/balloon/run.sh BUILDDIR OUT.json}
runs=${BENCH_RUNS:-5}
stored=$build/tools/stored/xmem-stored
hvsim=$build/tools/hvsim/xmem-hvsim
balloon=$build/guest/balloon/xmem-balloon
mkdom=$build/tests/integration/it-mkdomain
raw=$build/bench/balloon/balloon-raw

die() { printf 'bench balloon: %s\n' "$*" >&2; exit 1; }
for b in "$stored" "$hvsim" "$balloon" "$mkdom" "$raw"; do [ -x "$b" ] || die "$b is not built"; done

dir=$(mktemp -d "${TMPDIR:-/tmp}/xmem-bench-balloon.XXXXXX")
mkdir -p "$dir/run"
cleanup() {
	local rc=$? f
	for f in "$dir"/run/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
	sleep 0.2
	[ $rc -ne 0 ] && tail -n 5 "$dir"/run/*.log >&2
	rm -rf "$dir"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

wait_file() { local n=0; while [ ! -e "$1" ]; do [ $n -lt 100 ] || die "$1 did not appear"; sleep 0.1; n=$((n + 1)); done; }
"$stored" --rundir "$dir/store" --pid-file "$dir/run/stored.pid" --log-file "$dir/run/stored.log"
"$hvsim" --rundir "$dir/hv" --memory 8G --pid-file "$dir/run/hvsim.pid" --log-file "$dir/run/hvsim.log"
wait_file "$dir/store/socket"
wait_file "$dir/hv/socket"
export XENSTORED_PATH=$dir/store/socket
q() { "$hvsim" --query "$dir/hv" "$@"; }
tot() { q list | awk -v d="$1" '$1 == d {print $2}'; }
now_ns() { date +%s%N; }

# Domain 5: the balloon, 1 GiB at boot, static-max 4 GiB, idle workload.
q create 5 $(( (4194304 + 1024) / 4 )) 0 >/dev/null
"$mkdom" 5 bench 4194304 1048576
wait_file "$dir/store/domain/5/socket"
"$balloon" --host "$dir" --domid 5 --workload idle --pid-file "$dir/run/balloon.pid" \
	--log-file "$dir/run/balloon.log"
n=0; while [ "$(tot 5)" != 262144 ]; do [ $n -lt 300 ] || die "boot"; sleep 0.1; n=$((n + 1)); done
# Domain 6: the baseline's bare client.
q create 6 $(( (4194304 + 1024) / 4 )) 0 >/dev/null

# Move domain 5 to $1 KiB; print the milliseconds until tot_pages gets there.
move() {
	local pages=$(( $1 / 4 )) t0 t1
	t0=$(now_ns)
	xenstore-write /local/domain/5/memory/target "$1"
	while [ "$(tot 5)" != "$pages" ]; do
		[ $(( ($(now_ns) - t0) / 1000000 )) -lt 60000 ] || die "target $1 not reached in 60 s"
		sleep 0.002
	done
	t1=$(now_ns)
	awk -v d=$(( (t1 - t0) / 1000 )) 'BEGIN { printf "%.1f\n", d / 1000 }'
}

: > "$dir/up"; : > "$dir/down"; : > "$dir/rawup"; : > "$dir/rawdown"
for r in $(seq 1 "$runs"); do
	move 3145728 >> "$dir/up"
	move 1048576 >> "$dir/down"
	res=$("$raw" "$dir/hv" 6 524288) || die "balloon-raw failed"
	echo "$res" | awk '$1 == "populate_ms" {print $2}' >> "$dir/rawup"
	echo "$res" | awk '$1 == "decrease_ms" {print $2}' >> "$dir/rawdown"
	printf 'run %d: balloon up %s ms, down %s ms; raw up %s ms, down %s ms\n' "$r" \
		"$(tail -n1 "$dir/up")" "$(tail -n1 "$dir/down")" "$(tail -n1 "$dir/rawup")" \
		"$(tail -n1 "$dir/rawdown")" >&2
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
stats() { printf '%s %s %s\n' "$(median < "$1")" "$(sort -n "$1" | head -n1)" "$(sort -n "$1" | tail -n1)"; }
read -r umed umin umax <<< "$(stats "$dir/up")"
read -r dmed dmin dmax <<< "$(stats "$dir/down")"
read -r rumed rumin rumax <<< "$(stats "$dir/rawup")"
read -r rdmed rdmin rdmax <<< "$(stats "$dir/rawdown")"
ratio_up=$(awk -v a="$umed" -v b="$rumed" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
ratio_down=$(awk -v a="$dmed" -v b="$rdmed" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
cat > "$out" <<JSON
{
  "bench": "balloon",
  "table": {
    "columns": ["case", "median (ms)", "min (ms)", "max (ms)", "runs"],
    "rows": [
      ["xmem-balloon: target +2 GiB, until tot_pages reaches it", $umed, $umin, $umax, $runs],
      ["xmem-balloon: target -2 GiB, until tot_pages reaches it", $dmed, $dmin, $dmax, $runs],
      ["baseline: 524288 frames populated in calls of 512", $rumed, $rumin, $rumax, $runs],
      ["baseline: the same frames given back in calls of 512", $rdmed, $rdmin, $rdmax, $runs],
      ["balloon / baseline, up", $ratio_up, null, null, null],
      ["balloon / baseline, down", $ratio_down, null, null, null]
    ]
  },
  "note": "8 GiB simulated host, one guest with static-max 4 GiB moving between 1 and 3 GiB with an idle workload; the balloon's times include the watch event, 1024 passes of the state machine and the memory model, polled through xmem-hvsim --query every 2 ms."
}
JSON
printf '%-58s %10s %10s %10s\n' "case" "median ms" "min ms" "max ms"
printf '%-58s %10s %10s %10s\n' "balloon up 2 GiB" "$umed" "$umin" "$umax"
printf '%-58s %10s %10s %10s\n' "balloon down 2 GiB" "$dmed" "$dmin" "$dmax"
printf '%-58s %10s %10s %10s\n' "baseline populate 2 GiB" "$rumed" "$rumin" "$rumax"
printf '%-58s %10s %10s %10s\n' "baseline give back 2 GiB" "$rdmed" "$rdmin" "$rdmax"
