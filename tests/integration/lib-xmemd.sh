# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/integration/lib-xmemd.sh: a simulated host with xmemd, for the
# xmemd-*.sh integration tests. Sourced after lib.sh and it_setup.
#
#   xd_host 8G 512M            stored + hvsim (8 GiB, dom0 512 MiB, Xen 64 MiB)
#   xd_create g1 1G 4G 512M 4G 5000 steady:600M     xmem create (libxl's keys) + guest
#   xd_libxl_dom 1 d1 1024 1  a domain as libxl leaves it, no guest process
#   xd_xmemd --floor 256M      start xmemd on the host (period 200 ms)
#   xd_watch_floor             sample the invariant in the background
#   xd_wait 60 "descr" CMD...  wait until CMD succeeds (generous timeouts only)
#   xd_end                     stop the sampler, fail on any violation
#   xd_tight_host              the reservation tests' host: 4 guests, little free

XD_XEN_OVERHEAD_MIB=64
XD_FLOOR_KIB=$((256 * 1024))
XD_SAMPLER=""

xd_bin_xmemd() { echo "$XMEM_BUILDDIR/tools/xmemd/xmemd"; }
xd_bin_xmem() { echo "$XMEM_BUILDDIR/tools/xmem/xmem"; }
xd_bin_balloon() { echo "$XMEM_BUILDDIR/guest/balloon/xmem-balloon"; }

# Fail, naming it, unless every program the scenario needs is there.
xd_require() {
	local b
	for b in "$(it_stored_bin)" "$(it_hvsim_bin)" "$(xd_bin_xmemd)" "$(xd_bin_xmem)" \
		"$(xd_bin_balloon)"; do
		[ -x "$b" ] || missing "$b (not built: make)"
	done
	command -v xenstore-read >/dev/null || missing "xenstore-read (package xenstore-utils; ./run deps)"
}

# Fail, naming it, unless the store, the hypervisor and xmemd are built (scenarios
# without guest processes).
xd_require_core() {
	local b
	for b in "$(it_stored_bin)" "$(it_hvsim_bin)" "$(xd_bin_xmemd)"; do
		[ -x "$b" ] || missing "$b (not built: make)"
	done
	command -v xenstore-read >/dev/null || missing "xenstore-read (package xenstore-utils; ./run deps)"
}

# xd_libxl_dom DOMID NAME SIZE_MIB BALLOON: a domain as libxl leaves it
# (maxmem = target + 1 MiB, managed, 256 MiB..2 GiB), with no guest process;
# BALLOON 1 announces a balloon frontend.
xd_libxl_dom() {
	local p=/local/domain/$1
	xd_hv create "$1" $(( ($3 * 1024 + 1024) / 4 )) $(( $3 * 1024 / 4 )) || fail "create $1"
	xenstore-write $p/name "$2" && xenstore-write $p/memory/target $(($3 * 1024)) &&
		xenstore-write $p/memory/static-max $((2048 * 1024)) &&
		xenstore-write $p/memory/dynamic-min $((256 * 1024)) &&
		xenstore-write $p/memory/dynamic-max $((2048 * 1024)) &&
		xenstore-write $p/memory/managed 1 || fail "keys of $1"
	[ "$4" = 1 ] && { xenstore-write $p/control/feature-balloon 1 || fail "feature-balloon $1"; }
	return 0
}

# Query the simulated hypervisor.
xd_hv() { it_hvq "$@"; }
xd_xmem() { "$(xd_bin_xmem)" --host "$IT_DIR" "$@"; }

# Start the store and the hypervisor: host memory $1, dom0 $2.
xd_host() {
	it_start_stored
	it_start_hvsim "$1" --xen-overhead "${XD_XEN_OVERHEAD_MIB}M" --dom0 "$2"
}

# xd_create NAME STARTUP STATIC_MAX MIN MAX WEIGHT WORKLOAD [BUFFER_PCT]
xd_create() {
	xd_xmem create "$1" --memory "$2" --maxmem "$3" --min "$4" --max "$5" \
		--weight "$6" --workload "$7" --buffer "${8:-20}" >/dev/null || fail "xmem create $1"
}

# Domid of domain named $1.
xd_domid() {
	local d
	for d in $(xenstore-list /local/domain 2>/dev/null); do
		[ "$(xenstore-read "/local/domain/$d/name" 2>/dev/null)" = "$1" ] && { echo "$d"; return 0; }
	done
	return 1
}

# Key $2 of domain named $1 (empty when absent).
xd_key() { xenstore-read "/local/domain/$(xd_domid "$1")/$2" 2>/dev/null || true; }
# Allocation of domain named $1 in KiB (from the hypervisor).
xd_cur() {
	local id; id=$(xd_domid "$1") || return 1
	xd_hv list | awk -v d="$id" '$1 == d { print $2 * 4 }'
}

# maxmem of domain $1 (a domid) in KiB; is it $2?
xd_maxmem_kib() { xd_hv list | awk -v d="$1" '$1 == d { print $3 * 4 }'; }
xd_maxmem_is() { [ "$(xd_maxmem_kib "$1")" = "$2" ]; }

# Start xmemd with extra arguments; pid tracked, log in run/xmemd.log.
xd_xmemd() {
	local conf="$IT_DIR/run/xmemd.json"
	[ -f "$conf" ] || printf '{ "prometheus_file": "%s" }\n' "$IT_DIR/run/xmem.prom" > "$conf"
	"$(xd_bin_xmemd)" --host "$IT_DIR" --config "$conf" --period-ms 200 \
		--floor "${XD_FLOOR_KIB}k" --pid-file "$IT_DIR/run/xmemd.pid" \
		--log-file "$IT_DIR/run/xmemd.log" -v "$@" || fail "xmemd did not start"
	it_track_pidfile "$IT_DIR/run/xmemd.pid"
	XD_XMEMD_PID=$(cat "$IT_DIR/run/xmemd.pid")
}

# Wait up to $1 seconds for "$3..." to succeed; fail with $2 otherwise.
xd_wait() { it_wait "$@"; }

# One check of the invariant: allocations <= host memory - Xen - floor.
xd_check_floor_once() {
	local total free sum
	total=$(xd_hv physinfo | awk '$1 == "total_pages" { print $2 }')
	sum=$(xd_hv list | awk 'NR > 1 { s += $2 } END { print s + 0 }')
	[ -n "$total" ] || return 0
	local limit=$(( total - XD_XEN_OVERHEAD_MIB * 256 - XD_FLOOR_KIB / 4 ))
	if [ "$sum" -gt "$limit" ]; then
		echo "allocations $sum pages > limit $limit pages at $(date +%T.%N)" >> "$IT_DIR/run/violations"
		xd_hv list >> "$IT_DIR/run/violations"
	fi
}

# Sample the invariant every 100 ms until xd_end.
xd_watch_floor() {
	( while :; do xd_check_floor_once; sleep 0.1; done ) &
	XD_SAMPLER=$!
	it_track "$XD_SAMPLER"
}

# Stop the sampler; fail if the invariant was ever broken; CONTROL check.
xd_end() {
	[ -n "$XD_SAMPLER" ] && kill "$XD_SAMPLER" 2>/dev/null
	XD_SAMPLER=""
	xd_check_floor_once
	if [ -s "$IT_DIR/run/violations" ]; then
		cat "$IT_DIR/run/violations" >&2
		fail "the sum of allocations exceeded host memory minus the floor"
	fi
	kill -0 "$XD_XMEMD_PID" 2>/dev/null || fail "xmemd died"
	it_check_store
}

# Is domain $1's allocation within $2 KiB of at least $3 KiB?
xd_cur_at_least() { [ "$(xd_cur "$1")" -ge "$2" ]; }
# Is domain $1's target at least $2 KiB?
xd_target_at_least() { local t; t=$(xd_key "$1" memory/target); [ -n "$t" ] && [ "$t" -ge "$2" ]; }
# Is domain $1 within 8 MiB of its target?
xd_settled() {
	local t c; t=$(xd_key "$1" memory/target); c=$(xd_cur "$1")
	[ -n "$t" ] && [ -n "$c" ] && [ $((t > c ? t - c : c - t)) -le 8192 ]
}

XD_RESV=/tool/xmemd/reservation
# xd_reserve ID SIZE_KIB [EXPIRES_IN_S]: the protocol's request; state last,
# so xmemd never sees a pending request without its size.
xd_reserve() {
	local exp=$(( $(date +%s) + ${3:-600} ))
	xenstore-write "$XD_RESV/$1/size_kib" "$2" &&
		xenstore-write "$XD_RESV/$1/expires" "$exp" &&
		xenstore-write "$XD_RESV/$1/state" pending || fail "cannot write reservation $1"
}
xd_resv_state() { xenstore-read "$XD_RESV/$1/state" 2>/dev/null || echo gone; }
xd_resv_is() { [ "$(xd_resv_state "$1")" = "$2" ]; }
# Free host memory in KiB.
xd_free_kib() { xd_hv physinfo | awk '$1 == "free_pages" { print $2 * 4 }'; }
xd_free_at_least() { [ "$(xd_free_kib)" -ge "$1" ]; }
# Has xmemd rebalanced since Unix ms $1?
xd_rebalanced_since() {
	local t; t=$(xenstore-read /tool/xmemd/last-rebalance 2>/dev/null) || return 1
	[ "$t" -gt "$1" ]
}
# Let xmemd run $1 more rebalances.
xd_rebalances() {
	local i t
	for i in $(seq "$1"); do
		t=$(xenstore-read /tool/xmemd/last-rebalance 2>/dev/null || echo 0)
		xd_wait 30 "a rebalance" xd_rebalanced_since "$t"
	done
}

# The reservation tests' host: 4 GiB (3.2 GiB for guests after Xen, dom0 and
# the floor), floor sampled, four guests each needing about 0.4 GiB and
# asking twice that, so little is free; xmemd started, every guest settled.
xd_tight_host() {
	local g
	xd_host 4G 512M
	xd_watch_floor
	for g in g1 g2 g3 g4; do
		xd_create $g 768M 2G 256M 2G 5000 steady:300M 100
	done
	xd_xmemd
	for g in g1 g2 g3 g4; do
		xd_wait 90 "$g to settle" xd_settled $g
	done
}
