#!/bin/sh
# guest-balloon-replay-psi.sh: a simulated guest replaying a real trace at
# 300x reports the memory stall it feels, and only while it feels it. Its
# PSI avg10 spans 10 s of trace time (not ten 5-minute samples): squeezed
# below its working set and page cache it stalls (PSI > 0); once the balloon
# gives it room for everything, the report of the first full period after
# that says PSI 0 (with a 10-real-second window it would still say several
# percent, and `xmem-simhost` demos would count the guest as under pressure
# for the next ten trace samples). A synthetic workload keeps the kernel's
# real-time window.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/guest-lib.sh"
TRACE="${XMEM_SHARED:-$XMEM_SRCDIR/../shared}/traces/bitbrains-rnd-64vm.csv.gz"
[ -r "$TRACE" ] || skip "no trace at $TRACE"
it_setup
it_start_stored
it_start_hvsim 8G

# Wait until data/xmem/seq of $1 has advanced by $2 reports (up to 30 s).
wait_reports() {
	local d=$1 k=$2 s0 n=0
	s0=$(xsr "$d/data/xmem/seq")
	while [ "$(xsr "$d/data/xmem/seq")" -lt $((s0 + k)) ]; do
		[ $n -ge 300 ] && fail "$d: fewer than $k reports in 30 s"
		sleep 0.1; n=$((n + 1))
	done
}

# Wait until PSI some of $1 is above 0 (up to 30 s).
wait_pressure() {
	local n=0
	while [ "$(xsr "$1/data/xmem/psi_some_avg10")" = 0 ]; do
		[ $n -ge 300 ] && fail "$1: no pressure stall reported while squeezed"
		sleep 0.1; n=$((n + 1))
	done
}

# rnd-6 uses at most 825 MiB: 2 GiB (static-max) holds it, its files and the kernel.
D=/local/domain/6
it_make_guest 6 replay 2097152 1048576
it_start_balloon 6 "trace:$TRACE:rnd-6" --time-scale 300
wait_key $D/data/balloon/state "done" 30 "boot"

xenstore-write $D/memory/target 131072
wait_pressure $D
xenstore-write $D/memory/target 2097152
wait_key $D/data/balloon/state "done" 30 "grow to static-max"
wait_reports $D 2
assert_eq "$(xsr $D/data/xmem/psi_some_avg10)" 0 "PSI some once memory is ample (300x)"
assert_eq "$(xsr $D/data/xmem/psi_full_avg10)" 0 "PSI full once memory is ample (300x)"
[ "$(xsr $D/data/xmem/pgmajfault)" -gt 0 ] || fail "the squeeze caused no major faults"

# The same squeeze with a synthetic workload (real time): avg10 still remembers it.
S=/local/domain/7
it_make_guest 7 synthetic 2097152 1048576
it_start_balloon 7 steady:700M
wait_key $S/data/balloon/state "done" 30 "boot (synthetic)"
xenstore-write $S/memory/target 131072
wait_pressure $S
xenstore-write $S/memory/target 2097152
wait_key $S/data/balloon/state "done" 30 "grow to static-max (synthetic)"
wait_reports $S 2
[ "$(xsr $S/data/xmem/psi_some_avg10)" -gt 0 ] ||
	fail "a real-time guest forgot its stall at once"
it_check_hv
it_check_store
pass
