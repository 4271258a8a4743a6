#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# timeout: 400
# The harness's own proof, with Xen's tools only: the guest fixture is up,
# and xl mem-set / a raw write of memory/target make a real Linux balloon
# driver move, as seen by Xen (xl list, free memory), the key tree and the
# guest itself (xen_memory0 sysfs).
. /xmem/scenarios/lib.sh
need_guests

g=g1
d=$(domid_of $g) || fail "no domid for $g"
t=$(xenstore-read /local/domain/$d/memory/target) || fail "no memory/target"
sm=$(xenstore-read /local/domain/$d/memory/static-max) || fail "no memory/static-max"
[ "$t" = 262144 ] || fail "$g target $t, want 262144"
[ "$sm" = 524288 ] || fail "$g static-max $sm, want 524288"
[ "$(xl_mem $g)" = 256 ] || fail "$g xl list Mem $(xl_mem $g), want 256"
cur=$(guest_balloon_kib $g) || fail "guest $g does not answer: $cur"
[ "$cur" = 262144 ] || fail "$g balloon current_kb $cur, want 262144"

# step MIB HOW: set the target (xl mem-set or a raw xenstore write), then
# check all three views.
step() {
	local mib=$1 how=$2 kib=$(($1 * 1024)) free0 free1 t0 t1 c
	free0=$(xen_free_mib)
	old=$(xl_mem $g)
	t0=$(date +%s)
	case $how in
	xl) xl mem-set $g ${mib}m || fail "xl mem-set $g ${mib}m failed" ;;
	raw) xenstore-write /local/domain/$d/memory/target $kib || fail "xenstore-write target failed" ;;
	esac
	t=$(xenstore-read /local/domain/$d/memory/target)
	[ "$t" = $kib ] || fail "after $how ${mib}m: memory/target $t, want $kib"
	wait_balloon $g $mib || fail "after $how ${mib}m: the guest's balloon is at $(guest_balloon_kib $g) KiB, xl list shows $(xl_mem $g) MiB"
	t1=$(date +%s)
	c=$(guest_balloon_kib $g)
	[ "$c" = $kib ] || fail "after $how ${mib}m: guest balloon current_kb $c, want $kib"
	# Xen's free memory moves by what the guest gave or took (freed pages may
	# wait for scrubbing: allow that to settle).
	want=$((free0 + old - mib))
	wait_until 20 free_near $want || fail "after $how ${mib}m: free_memory $(xen_free_mib), want ~$want (was $free0)"
	log "$how ${mib}m: xl list, target, balloon agree in $((t1 - t0))s; free $free0 -> $(xen_free_mib)"
}
free_near() {
	local f
	f=$(xen_free_mib)
	[ $((f - $1)) -le 4 ] && [ $(($1 - f)) -le 4 ]
}

step 200 xl
step 400 xl
mk=$(xen_max_kib $d)
[ -n "$mk" ] && [ "$mk" -ge 409600 ] || fail "Xen maxmem of $g is '$mk' KiB after mem-set 400m"
step 256 raw
# The other guests did not move.
for o in g2 g3; do
	[ "$(xl_mem $o)" = 256 ] || fail "$o moved to $(xl_mem $o) MiB"
done
pass "g1 ballooned 256->200->400 (xl mem-set) ->256 MiB (raw memory/target write); xl list, memory/target, Xen free memory, Xen maxmem and the guest's balloon agree"
