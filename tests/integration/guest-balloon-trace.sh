#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# guest-balloon-trace.sh: a simulated guest replaying a real trace
# (data/traces) at 300 trace seconds per real second: its reported demand
# follows the VM's samples in order. Bad workload specs stop xmem-balloon
# at start with a one-line reason.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/guest-lib.sh"
TRACE="$XMEM_SRCDIR/data/traces/bitbrains-rnd-64vm.csv.gz"
[ -r "$TRACE" ] || fail "missing: the trace $TRACE (data/traces/ of the repository)"
it_setup
it_start_stored
it_start_hvsim 4G
BALLOON=$(it_guest_bin balloon/xmem-balloon)

# Bad specs: refused before anything starts.
for spec in "trace:$TRACE:rnd-99999" "trace:$IT_DIR/none.csv:rnd-6" "ramp:1G" "spike:1G:2G:5:9"; do
	"$BALLOON" --host "$IT_DIR" --domid 3 --workload "$spec" --foreground 2>"$IT_DIR/err" &&
		fail "xmem-balloon accepted '$spec'"
	[ "$(wc -l < "$IT_DIR/err")" -eq 1 ] || fail "not one line for '$spec': $(cat "$IT_DIR/err")"
done
"$BALLOON" --host "$IT_DIR" --domid 3 --workload idle --time-scale 0 2>"$IT_DIR/err" &&
	fail "time scale 0 accepted"
"$BALLOON" --host "$IT_DIR" --domid 3 --workload idle --foreground 2>"$IT_DIR/err" &&
	fail "started for a domain that does not exist"
grep -q "domain 3" "$IT_DIR/err" || fail "unclear error: $(cat "$IT_DIR/err")"

# Committed_AS is 125% of the demand: what the first 30 samples of rnd-6 give.
expected=$(zcat "$TRACE" | awk -F, '$1 == "rnd-6" && n < 30 {
	n++; print int($3 / 100) * 125 + int(($3 % 100) * 125 / 100) }' | sort -u)
D=/local/domain/6
it_make_guest 6 trace-vm 2097152 1048576
it_start_balloon 6 "trace:$TRACE:rnd-6"
wait_key $D/data/balloon/state "done" 30 "boot"
seen=""
n=0
while [ "$(echo "$seen" | wc -w)" -lt 4 ]; do
	[ $n -ge 100 ] && fail "demand did not follow the trace: saw only $seen"
	v=$(xsr $D/data/xmem/committed_kib)
	if [ -n "$v" ] && ! echo " $seen " | grep -q " $v "; then
		echo "$expected" | grep -qx "$v" || fail "committed_kib $v is not from the trace's first samples"
		seen="$seen $v"
	fi
	sleep 0.2; n=$((n + 1))
done
assert_eq "$(xsr $D/data/balloon/state)" "done" "the balloon stays at its target"
it_check_hv
it_check_store
pass
