#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# timeout: 1500
# Guests without xmem-guestd on a real Xen host. Two fresh PV guests: ga runs
# only Linux's balloon driver (it writes no key at all); gx also runs a small
# script writing what XenServer's guest agent writes (data/meminfo_total,
# data/meminfo_free = MemAvailable, every second pass, and data/updated each
# pass; the agent's 60 s pass shortened to 5 s). First, what a guest may
# write under libxl: data/ yes, control/feature-balloon no. Then xmemd, with
# a floor at Xen's free memory so the two can only trade between themselves:
# both are found ballooning (their allocation follows a probe), gx's demand
# is read from the agent's keys (demand_source xe-guest-utilities), ga has
# none; a memory hog in gx makes it grow, and it gives back once the hog is
# gone. Last, a reservation takes ga down to its minimum.
. /xmem/scenarios/lib.sh
. /xmem/config
need_prog xmemd xmem
need_guests

r=/run/xmem
fixtures_aside
for g in ga gx; do
	guest_create $g 256 512 || fail "xl create $g: $(cat $r/xl-create-$g.log)"
done
da=$(domid_of ga) || fail "no ga"
dx=$(domid_of gx) || fail "no gx"

# What libxl lets a guest write: its data/ subtree, not control/.
out=$(guest_run gx 60 'xenstore-write data/agent-probe 1 && echo DATA-OK; xenstore-write control/feature-balloon 1 2>/dev/null && echo CONTROL-OK || echo CONTROL-REFUSED')
case $out in *DATA-OK*CONTROL-REFUSED*) ;; *) fail "guest writes: want data/ allowed and control/feature-balloon refused, got: $out" ;; esac
xenstore-exists /local/domain/$dx/control/feature-balloon && fail "gx could create control/feature-balloon"
log "a guest may write data/ but not control/feature-balloon (libxl's permissions)"

# The XenServer agent's keys, from gx's /proc/meminfo: memory every second
# pass (only when changed), data/updated after every pass. Builtins but for
# the writes: a fork is dear in a PV guest under TCG.
guest_run gx 60 '(i=0; lt=""; lf=""; while :; do if [ $((i % 2)) = 0 ]; then t=""; f=""; while read -r k v _; do case $k in MemTotal:) t=$v ;; MemAvailable:) f=$v ;; esac; done </proc/meminfo; [ "$t" != "$lt" ] && xenstore-write data/meminfo_total "$t" && lt=$t; [ "$f" != "$lf" ] && xenstore-write data/meminfo_free "$f" && lf=$f; fi; xenstore-write data/updated "$(date "+%a %b %e %H:%M:%S %Y")"; i=$((i + 1)); read -t 5 _ <>/run/pause; done) >/dev/null 2>&1 &' >/dev/null ||
	fail "cannot start the agent script in gx"
wait_xs 60 /local/domain/$dx/data/meminfo_free xenstore-read /local/domain/$dx/data/meminfo_free ||
	fail "gx's agent script writes nothing"

xmem mem-policy ga --min 160M --max 512M --weight 100 --managed on >$r/pol.out 2>&1 || fail "mem-policy ga: $(cat $r/pol.out)"
xmem mem-policy gx --min 128M --max 512M --weight 9000 --buffer 50 --managed on >$r/pol.out 2>&1 || fail "mem-policy gx: $(cat $r/pol.out)"
# Peaks are not kept (no half-life) and small moves are written, so giving back shows within minutes.
printf '{ "policy": "xmem", "headroom_halflife_s": 0, "deadband": "8M", "deadband_pct": 5, "shrink_pct_per_s": 5 }\n' >$r/agents-policy.json
floor=$(xen_free_mib)
pool=512
xmemd --floor ${floor}M --period-ms 1000 --policy $r/agents-policy.json --pid-file $r/xmemd.pid \
	--log-file $r/xmemd-agents.log -v || fail "xmemd does not start: $(tail -n 3 $r/xmemd-agents.log)"
wait_xs 60 /tool/xmemd/state xs_is /tool/xmemd/state running || fail "/tool/xmemd/state is '$(xenstore-read /tool/xmemd/state 2>&1)'"

# Both are found ballooning (a lowering probe, as no memory is free above the floor).
wait_xs 120 /tool/xmemd/domain/$da/balloon xs_is /tool/xmemd/domain/$da/balloon yes ||
	fail "ga not found ballooning: '$(xenstore-read /tool/xmemd/domain/$da/balloon)'; $(grep 'domain '$da $r/xmemd-agents.log | tail -n 3 | tr '\n' ' ')"
wait_xs 120 /tool/xmemd/domain/$dx/balloon xs_is /tool/xmemd/domain/$dx/balloon yes ||
	fail "gx not found ballooning: '$(xenstore-read /tool/xmemd/domain/$dx/balloon)'"
grep -q "domain $da (ga) has a balloon: its allocation followed its target" $r/xmemd-agents.log ||
	fail "ga's verdict is not logged"
wait_xs 60 /tool/xmemd/domain/$dx/demand_source xs_is /tool/xmemd/domain/$dx/demand_source xe-guest-utilities ||
	fail "gx's demand source is '$(xenstore-read /tool/xmemd/domain/$dx/demand_source)'"
xs_is /tool/xmemd/domain/$da/demand_source none || fail "ga's demand source is '$(xenstore-read /tool/xmemd/domain/$da/demand_source)'"
xmem --json list gx >$r/list-gx.json 2>&1 || fail "xmem list gx: $(cat $r/list-gx.json)"
[ "$(jlist_get $r/list-gx.json gx demand_source)" = xe-guest-utilities ] || fail "xmem list: $(cat $r/list-gx.json)"
log "ga and gx found ballooning; gx's demand from the XenServer agent's keys"

# The hog in gx: a tmpfs filled 4 MiB at a time while MemAvailable stays
# above 48 MiB. gx grows into what it gave back when idle (60 to 80 MiB
# above the floor): ga, which reports nothing, keeps its startup size, as a
# silent guest is squeezed for others' demand, not for their buffers, and the
# hog stops short of outrunning gx's buffer. The agent's keys come every 10 s,
# so the margin (and gx's 50% buffer) must cover what the hog writes before
# xmemd hears of it: with 16 MiB, gx's kernel once ran out of memory and
# panicked before its next report.
bal_mib() { echo $(($(guest_balloon_kib $1) / 1024)); }
# gx idle first: xmemd sizes it by its reported demand; wait until it holds its target.
at_target() { t=$(xenstore-read /local/domain/$1/memory/target) && c=$(xenstore-read /local/domain/$1/data/xmem-test/current_kb) && [ $((t > c ? t - c : c - t)) -le 2048 ]; }
pause 20
wait_until 120 at_target $dx || fail "gx does not settle at its target: holds $(bal_mib gx) MiB, target $(xenstore-read /local/domain/$dx/memory/target) KiB"
idle=$(bal_mib gx)
log "gx idle at $idle MiB (its demand from the agent's keys)"
guest_run gx 60 'mkdir -p /hog && mount -t tmpfs -o size=400m hog /hog' >/dev/null || fail "cannot mount the hog's tmpfs in gx"
guest_run gx 120 '(i=0; while [ $i -lt 60 ] && [ ! -e /hog-stop ]; do a=""; while read -r k v _; do case $k in MemAvailable:) a=$v ;; esac; done </proc/meminfo; if [ $a -gt 49152 ]; then dd if=/dev/zero of=/hog/$i bs=1M count=4 2>/dev/null; i=$((i + 1)); else read -t 1 _ <>/run/pause; fi; done) >/dev/null 2>&1 &' >/dev/null ||
	fail "cannot start the hog in gx"
best=0
end=$(($(date +%s) + 360))
while [ "$(date +%s)" -lt $end ]; do
	mx=$(bal_mib gx); ma=$(bal_mib ga); f=$(xen_free_mib)
	[ "$f" -ge $((floor - 4)) ] || fail "Xen free memory $f MiB below the floor $floor MiB (gx $mx, ga $ma)"
	[ "$ma" -ge 159 ] || fail "ga below its min: $ma MiB"
	[ "$mx" -gt "$best" ] && best=$mx
	log "hog: gx=$mx ga=$ma free=$f"
	[ "$best" -ge $((idle + 48)) ] && break
	pause 5
done
[ "$best" -ge $((idle + 48)) ] || fail "gx grew only from $idle to $best MiB under its hog; $(tail -n 5 $r/xmemd-agents.log | tr '\n' ' ')"

# Idle again (the hog stopped, its files gone): it gives back at least half
# of what it grew (it settles 10 to 20 MiB above its first idle size).
guest_run gx 120 'touch /hog-stop; sleep 2; rm -f /hog/*' >/dev/null
back=$((best - (best - idle) / 2))
wait_until 300 sh -c "[ \$((\$(xenstore-read /local/domain/$dx/data/xmem-test/current_kb) / 1024)) -le $back ]" ||
	fail "gx did not give back after its hog: holds $(bal_mib gx) MiB, peak $best"
low=$(bal_mib gx)
log "gx ${idle}->${best} MiB under a hog, back to $low MiB when idle"

# A reservation of what is free above the floor and everything ga holds above
# its minimum, less 1 MiB per guest (xmemd keeps libxl's maxmem slack of each
# ballooning domain free) and 8 MiB. gx keeps what it holds (its minimum
# raised to it, rounded up to a MiB): its reported use moves by tens of MiB
# between the agent's passes, so what it could give is not known to a few
# MiB. Memory goes from free first, then from ga, down to its minimum.
cx=$(( $(bal_mib gx) + 1 ))
xmem mem-policy gx --min ${cx}M >$r/pol.out 2>&1 || fail "mem-policy gx --min ${cx}M: $(cat $r/pol.out)"
pause 3
ma=$(bal_mib ga)
ndom=$(xl list | awk 'NR > 2' | wc -l)
want=$(( ma - 160 + $(xen_free_mib) - floor - ndom - 8 ))
[ "$want" -gt 8 ] || fail "nothing to reserve: ga holds $ma MiB"
log "reserving $want MiB: ga holds $ma MiB (min 160), gx $cx MiB (its minimum now), Xen free $(xen_free_mib) MiB, floor $floor, $ndom guests"
resv_why() {
	echo "ga $(bal_mib ga) MiB (target $(xenstore-read /local/domain/$da/memory/target)), gx $(bal_mib gx) MiB (target $(xenstore-read /local/domain/$dx/memory/target), demand $(xenstore-read /tool/xmemd/domain/$dx/demand_kib)), Xen free $(xen_free_mib) MiB;"
	for k in $(xenstore-list /tool/xmemd/reservation 2>/dev/null); do echo "reservation $k: $(xenstore-ls /tool/xmemd/reservation/$k 2>&1 | tr '\n' ' ')"; done
	echo "host: $(xenstore-ls /tool/xmemd/host 2>&1 | tr '\n' ' ')"
	echo "xmemd's log:"; tail -n 30 $r/xmemd-agents.log | cut -c 1-200 | tr '\n' ' '
}
# (Results are cut at 400 characters: the whole story goes to the log first.)
xmem --json reserve ${want}M --wait 180 >$r/reserve.json 2>$r/reserve.err || {
	log "reservation not answered: $(resv_why)"
	fail "xmem reserve ${want}M: $(cat $r/reserve.err $r/reserve.json)"
}
id=$(jget $r/reserve.json id)
[ "$(jget $r/reserve.json state)" = granted ] || fail "reservation: $(cat $r/reserve.json)"
wait_until 120 sh -c "[ \$((\$(xenstore-read /local/domain/$da/data/xmem-test/current_kb) / 1024)) -le 176 ]" ||
	{ log "ga not at its minimum: $(resv_why)"; fail "ga holds $(bal_mib ga) MiB with the ${want} MiB reservation, want its minimum 160 (within 16 MiB)"; }
ta=$(xenstore-read /local/domain/$da/memory/target)
[ "$ta" -ge $((160 * 1024)) ] || fail "ga's target $ta KiB is below its minimum"
f=$(xen_free_mib)
[ "$f" -ge $((floor + want - 8)) ] || fail "reservation granted but Xen has $f MiB free (floor $floor + $want)"
fa=$(bal_mib ga)
xenstore-rm /tool/xmemd/reservation/$id
xmemd_stop_all
xl destroy ga
xl destroy gx
pass "libxl lets a guest write data/ not control/; ga (balloon driver only) and gx (XenServer agent keys) found ballooning by a probe; gx ${idle}->${best}->${low} MiB with a hog and after it; a ${want} MiB reservation took ga to $fa MiB (min 160), Xen free $f MiB"
