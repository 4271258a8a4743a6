#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/e2e/run.sh BUILDDIR OUT.json: end to end on a full simulated host of 16 guests
# (bench/e2e/full16.json: 700 MiB of steady demand each and a 100% buffer, so xmemd hands out the
# whole host, and a 4 GiB reservation must take it back from the buffers): the time from `xmem reserve 4G` to the reservation being granted
# (xmemd lowers targets, balloons give frames back, xmemd sees the memory free), against a
# baseline measured in the same run on the same host: the time for one plain target change
# to be applied (a guest's dynamic-max lowered below what it holds, until the hypervisor
# counts no more than the new maximum for it).
# BENCH_RUNS (default 5) repetitions of each; medians, minimums and maximums in ms.
set -euo pipefail

build=$(cd "${1:?usage: bench/e2e/run.sh BUILDDIR OUT.json}" && pwd)
out=${2:?usage: bench/e2e/run.sh BUILDDIR OUT.json}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=${BENCH_RUNS:-5}
simhost=$build/tools/simhost/xmem-simhost
xmem=$build/tools/xmem/xmem

die() { printf 'bench e2e: %s\n' "$*" >&2; exit 1; }
[ -x "$simhost" ] || die "$simhost is not built"
[ -x "$xmem" ] || die "$xmem is not built"

dir=$(mktemp -d "${TMPDIR:-/tmp}/xmem-bench-e2e.XXXXXX")
cleanup() {
	local rc=$?
	"$simhost" stop --dir "$dir" >/dev/null 2>&1 || true
	[ $rc -ne 0 ] && [ -d "$dir/run" ] && tail -n 5 "$dir"/run/*.log >&2
	rm -rf "$dir"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"$simhost" start "$top/bench/e2e/full16.json" --dir "$dir" >/dev/null || die "the host did not start"
export XMEM_HOST=$dir
export XENSTORED_PATH=$dir/store/socket

now_ns() { date +%s%N; }
hvsim=$build/tools/hvsim/xmem-hvsim
# What domain $1 holds, as the hypervisor counts it (KiB).
hv_kib() { "$hvsim" --query "$dir/hv" list | awk -v d="$1" '$1 == d { print $2 * 4 }'; }
rd() { xenstore-read "$1" 2>/dev/null || echo 0; }
free_kib() { "$simhost" status --dir "$dir" --json | sed -n 's/^ *"free_kib": \([0-9]*\).*/\1/p' | head -n1; }
domid_of() {
	local d
	for d in $(xenstore-list /local/domain); do
		[ "$(rd "/local/domain/$d/name")" = "$1" ] && { echo "$d"; return; }
	done
	die "no domain $1"
}
# Wait until no balloon is at work and no target moved for 2 s (at most 60 s).
settle() {
	local prev="" cur n=0 t0 d st
	t0=$(now_ns)
	while [ $n -lt 120 ]; do
		cur="$(rd /tool/xmemd/host/reserved_kib)"
		for d in $domids; do
			st=$(rd "/local/domain/$d/data/balloon/state")
			[ "$st" = working ] && cur="$cur working"
			cur="$cur $(rd "/local/domain/$d/memory/target")"
		done
		case "$cur" in
		0\ *working*) ;;
		0\ *) if [ "$cur" = "$prev" ]; then
			printf 'settled in %d ms\n' $(( ($(now_ns) - t0) / 1000000 )) >&2
			return 0
		fi ;;
		esac
		prev=$cur
		sleep 1
		n=$((n + 1))
	done
	echo "bench e2e: the host did not settle in 120 s; measuring anyway" >&2
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
stats() { # file -> "median min max"
	printf '%s %s %s\n' "$(median < "$1")" "$(sort -n "$1" | head -n1)" "$(sort -n "$1" | tail -n1)"
}

domids=""
for i in $(seq -w 1 16); do domids="$domids $(domid_of "g$i")"; done
g1=$(domid_of g01)
settle
free_before=$(free_kib)
free_before=${free_before:-0}
echo "bench e2e: $(awk -v f="${free_before:-0}" 'BEGIN { printf "%.2f", f / 1048576 }') GiB free on the settled host" >&2

: > "$dir/base.ms"
: > "$dir/resv.ms"
for r in $(seq 1 "$runs"); do
	# Baseline: one plain target change.
	cur=$(hv_kib "$g1")
	# 128 MiB less: well above its 700 MiB working set, so the guest can follow.
	new=$(( cur - 131072 ))
	[ "$new" -ge 921600 ] || die "g01 holds only $cur KiB: the host is not full"
	t0=$(now_ns)
	"$xmem" mem-policy g01 --max "${new}K" --startup "${new}K" >/dev/null ||
		die "xmem mem-policy failed"
	while [ "$(hv_kib "$g1")" -gt "$new" ]; do
		[ $(( ($(now_ns) - t0) / 1000000 )) -lt 60000 ] || die "g01 did not reach ${new} KiB in 60 s"
		sleep 0.005
	done
	t1=$(now_ns)
	echo $(( (t1 - t0) / 1000 )) | awk '{ printf "%.1f\n", $1 / 1000 }' >> "$dir/base.ms"
	"$xmem" mem-policy g01 --max 4G --startup 1280M >/dev/null || die "xmem mem-policy failed"
	settle

	# The reservation on the full host.
	f=$(free_kib)
	[ "${f:-0}" -gt "$free_before" ] && free_before=$f
	t0=$(now_ns)
	res=$("$xmem" reserve 4G --wait 120 2>&1) || die "xmem reserve failed: $res"
	t1=$(now_ns)
	id=$(printf '%s\n' "$res" | sed -n 's/^reservation \([A-Za-z0-9_-]*\) granted.*/\1/p' | head -n1)
	[ -n "$id" ] || die "reservation not granted: $res"
	echo $(( (t1 - t0) / 1000 )) | awk '{ printf "%.1f\n", $1 / 1000 }' >> "$dir/resv.ms"
	"$xmem" release "$id" >/dev/null || die "xmem release $id failed"
	settle
	printf 'run %d: target change %s ms, reservation %s ms\n' "$r" \
		"$(tail -n1 "$dir/base.ms")" "$(tail -n1 "$dir/resv.ms")" >&2
done

read -r bmed bmin bmax <<< "$(stats "$dir/base.ms")"
read -r rmed rmin rmax <<< "$(stats "$dir/resv.ms")"
ratio=$(awk -v a="$rmed" -v b="$bmed" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
free_gib=$(awk -v f="${free_before:-0}" 'BEGIN { printf "%.2f", f / 1048576 }')
cat > "$out" <<JSON
{
  "bench": "e2e",
  "table": {
    "columns": ["case", "median (ms)", "min (ms)", "max (ms)", "runs"],
    "rows": [
      ["4 GiB reservation granted on a full host of 16 guests", $rmed, $rmin, $rmax, $runs],
      ["baseline: one target change applied (xmemd and one balloon)", $bmed, $bmin, $bmax, $runs],
      ["reservation / baseline", $ratio, null, null, null]
    ]
  },
  "note": "24 GiB simulated host, 16 guests of 700 MiB steady demand with a 100% buffer, at most $free_gib GiB free before a reservation; times from the command to the state (granted; the hypervisor counting the new maximum for the guest), through the real daemons and libxenstore."
}
JSON
printf '%-60s %10s %10s %10s\n' "case" "median ms" "min ms" "max ms"
printf '%-60s %10s %10s %10s\n' "4 GiB reservation, full host of 16 guests" "$rmed" "$rmin" "$rmax"
printf '%-60s %10s %10s %10s\n' "baseline: one target change applied" "$bmed" "$bmin" "$bmax"
printf 'ratio: %s\n' "$ratio"
