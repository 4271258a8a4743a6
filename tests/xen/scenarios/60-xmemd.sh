#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# timeout: 480
# xmemd: xmemd on a real Xen host with per-guest min, max
# and weight. xmem-guestd reports each guest's demand; the floor is set so
# that xmemd may hand out no memory beyond what the guests hold when it
# starts. A memory hog in g1 (weight 8000) then makes g1 grow, which can only
# come from g2 and g3 (weight 2000); Xen's free memory never drops below the
# floor and nobody leaves its [min, max]. Last, a reservation for a new guest
# is granted (the memory is really free in Xen) and g4 is created into it with
# xl create.
. /xmem/scenarios/lib.sh
. /xmem/config
need_prog xmemd xmem xmem-guestd
need_guests

r=/run/xmem
xmemd_stop_all
out=$(guestd_start $GUESTS) || fail "$out"
for g in $GUESTS; do
	[ "$(xl_mem $g)" = 256 ] || fail "$g holds $(xl_mem $g) MiB before xmemd starts, want 256"
done

xmem mem-policy g1 --min 128M --max 512M --weight 8000 --managed on >$r/pol.out 2>&1 || fail "mem-policy g1: $(cat $r/pol.out)"
for g in g2 g3; do
	xmem mem-policy $g --min 160M --max 512M --weight 2000 --managed on >$r/pol.out 2>&1 || fail "mem-policy $g: $(cat $r/pol.out)"
done
pool=$((3 * 256))
free0=$(xen_free_mib)
floor=$free0
xmemd --floor ${floor}M --period-ms 1000 --pid-file $r/xmemd.pid --log-file $r/xmemd.log -v ||
	fail "xmemd does not start: $(tail -n 3 $r/xmemd.log)"
wait_xs 120 /tool/xmemd/state xs_is /tool/xmemd/state running || fail "/tool/xmemd/state is '$(xenstore-read /tool/xmemd/state 2>&1)'"
log "xmemd running, floor $floor MiB (Xen free memory now), guests' pool $pool MiB"

# sample: check the invariants now; remember g1's largest allocation. (The
# guests' balloon figures, which equal Xen's tot_pages once settled, are
# cheaper to read than xl list.)
g1_best=0
bal_mib() { echo $(($(guest_balloon_kib $1) / 1024)); }
sample() {
	local m1 m2 m3 f
	m1=$(bal_mib g1); m2=$(bal_mib g2); m3=$(bal_mib g3); f=$(xen_free_mib)
	[ "$f" -ge $((floor - 4)) ] || fail "Xen free memory $f MiB is below xmemd's floor $floor MiB (g1 $m1, g2 $m2, g3 $m3)"
	[ $((m1 + m2 + m3)) -le $((pool + 4)) ] || fail "guests hold $((m1 + m2 + m3)) MiB, more than the $pool MiB they had"
	[ "$m1" -ge 127 ] && [ "$m2" -ge 159 ] && [ "$m3" -ge 159 ] || fail "a guest is below its min: g1 $m1 (128), g2 $m2 (160), g3 $m3 (160)"
	if [ "$m1" -gt "$g1_best" ]; then
		g1_best=$m1
		g1_others=$((m2 + m3))
	fi
	SAMPLE="g1=$m1 g2=$m2 g3=$m3 free=$f"
}

# Idle guests first: xmemd sizes them by demand within their ranges.
sleep 10
sample
log "idle: $SAMPLE"
idle1=$(xl_mem g1)

# The hog: g1 fills a tmpfs of its own 4 MiB at a time, only while
# MemAvailable stays above 16 MiB, up to 280 MiB, so it follows what it is
# given. (Not the initramfs root: that tmpfs stops at half of MemTotal, about
# 100 MiB.) Shmem is not available memory, so the guest's demand in
# allocation terms (current - MemAvailable) rises with every step; once less
# than half of its 20 % buffer is left, xmemd grows it.
guest_run g1 60 'mkdir -p /hog && mount -t tmpfs -o size=400m hog /hog' >/dev/null ||
	fail "cannot mount the hog's tmpfs in g1"
guest_run g1 120 '(i=0; while [ $i -lt 70 ]; do a=$(awk "/^MemAvailable:/ {print \$2}" /proc/meminfo); if [ $a -gt 16384 ]; then dd if=/dev/zero of=/hog/$i bs=1M count=4 2>/dev/null || echo XMEM-GUEST hog write $i failed; i=$((i + 1)); else sleep 1; fi; done; echo XMEM-GUEST hog done) >/dev/console 2>&1 &' >/dev/null ||
	fail "cannot start the hog in g1"
end=$(($(date +%s) + 300))
while [ "$(date +%s)" -lt $end ]; do
	sample
	log "hog: $SAMPLE"
	[ "$g1_best" -ge 320 ] && break
	sleep 5
done
log "hog: $SAMPLE"
[ "$g1_best" -ge 320 ] || fail "g1 reached only $g1_best MiB under its hog (idle $idle1); xmemd log: $(tail -n 5 $r/xmemd.log | tr '\n' ' ')"
[ "$g1_others" -lt 512 ] || fail "g1 grew to $g1_best MiB but g2+g3 still hold $g1_others MiB"
grew="g1 ${idle1}->${g1_best} MiB under a hog while g2+g3 gave back to $g1_others MiB"

# A reservation for a new guest, then xl create into it.
guest_run g1 120 'rm -f /hog/*' >/dev/null
sleep 5
want=160
xmem reserve ${want}M --for g4 --wait 180 --json >$r/reserve.json 2>$r/reserve.err ||
	fail "xmem reserve ${want}M: $(cat $r/reserve.err $r/reserve.json)"
id=$(jget $r/reserve.json id)
st=$(jget $r/reserve.json state)
[ "$st" = granted ] || fail "reservation $id is '$st': $(cat $r/reserve.json)"
f=$(xen_free_mib)
[ "$f" -ge $((floor + want - 4)) ] || fail "reservation granted but Xen has only $f MiB free (floor $floor + $want)"
sample
log "reservation $id granted; Xen free $f MiB; $SAMPLE"
guest_create g4 $want $want || fail "xl create g4 into the reservation failed: $(cat $r/xl-create-g4.log)"
d4=$(domid_of g4)
xenstore-write /tool/xmemd/reservation/$id/domid $d4 || fail "cannot assign reservation $id to domain $d4"
m4=$(xl_mem g4)
[ "$m4" -ge $((want - 2)) ] && [ "$m4" -le $((want + 2)) ] || fail "g4 holds $m4 MiB, want $want"
wait_until 120 sh -c "! xenstore-exists /tool/xmemd/reservation/$id" || fail "reservation $id still there after g4 took its memory"
f=$(xen_free_mib)
[ "$f" -ge $((floor - 4)) ] || fail "after g4 started, Xen free memory $f MiB is below the floor $floor MiB"
sample
log "g4 up: $SAMPLE g4=$(xl_mem g4)"
xmemd_stop_all
xl destroy g4
pass "$grew, free memory never below the floor and everyone within [min,max]; a ${want} MiB reservation was granted (Xen free $f MiB) and g4 created into it with xl create"
