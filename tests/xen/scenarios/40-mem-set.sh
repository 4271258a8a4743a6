#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# timeout: 400
# mem-set: xmem mem-set and mem-max do exactly what xl's do.
# g2 is driven by xmem, g3 by xl, step by step; after each step both guests'
# memory/ subtrees, Xen's maxmem, xl list's Mem and the guests' own balloon
# drivers must agree, and what one refuses the other refuses too.
. /xmem/scenarios/lib.sh
need_prog xmem
need_guests

r=/run/xmem
a=g2
b=g3
da=$(domid_of $a) || fail "no $a"
db=$(domid_of $b) || fail "no $b"
# Same start: both unmanaged at 256 MiB.
for g in $a $b; do
	[ "$(xl_mem $g)" = 256 ] || fail "$g starts at $(xl_mem $g) MiB, want 256"
done

# same: both guests' memory/ subtrees and Xen maxmem are the same.
same() {
	xenstore-ls /local/domain/$da/memory >$r/ma.txt 2>&1
	xenstore-ls /local/domain/$db/memory >$r/mb.txt 2>&1
	if ! diff $r/ma.txt $r/mb.txt >$r/m.diff; then
		echo "memory/ differs ($a by xmem -, $b by xl +): $(grep '^[-+][^-+]' $r/m.diff | tr '\n' ' ')"
		return 1
	fi
	xen_dump $r/dump.txt
	ma=$(xen_max_kib $da $r/dump.txt)
	mb=$(xen_max_kib $db $r/dump.txt)
	[ -n "$ma" ] && [ "$ma" = "$mb" ] || { echo "Xen maxmem: $a ${ma}KiB (xmem), $b ${mb}KiB (xl)"; return 1; }
	echo "$ma"
}

# step WHAT SIZE [refused]: run "xmem WHAT $a SIZE" and "xl WHAT $b SIZE".
step() {
	local what=$1 size=$2 want=${3:-ok} ra=0 rb=0
	xmem $what $a $size >$r/xmem.out 2>&1 || ra=$?
	xl $what $b $size >$r/xl.out 2>&1 || rb=$?
	if [ "$want" = refused ]; then
		[ $ra -ne 0 ] || fail "xmem $what $a $size succeeded, xl refuses ($(cat $r/xl.out))"
		[ $rb -ne 0 ] || fail "xl $what $b $size succeeded (test assumption)"
	else
		[ $ra -eq 0 ] || fail "xmem $what $a $size failed: $(cat $r/xmem.out)"
		[ $rb -eq 0 ] || fail "xl $what $b $size failed: $(cat $r/xl.out)"
	fi
	rep=$(same) || fail "after $what $size: $rep"
	log "$what $size ($want): memory/ keys and Xen maxmem ($rep KiB) identical"
}

# settle MIB: both guests balloon to MIB, as Xen and as each guest sees it.
settle() {
	local g c
	for g in $a $b; do
		wait_balloon $g $1 || fail "$g at $(xl_mem $g) MiB (balloon $(guest_balloon_kib $g) KiB), want $1"
		c=$(guest_balloon_kib $g)
		[ "$c" = $(($1 * 1024)) ] || fail "$g balloon current_kb $c, want $(($1 * 1024))"
	done
	log "both guests ballooned to $1 MiB"
}

step mem-set 200m
settle 200
step mem-set 400m
settle 400
step mem-max 450m
step mem-set 480m refused
step mem-max 300m refused
step mem-set 256m
settle 256
step mem-max 512m
t=$(xenstore-read /local/domain/$da/memory/static-max)
[ "$t" = 524288 ] || fail "static-max back to $t, want 524288"
pass "mem-set 200m/400m/256m, mem-max 450m/512m and the refused mem-set 480m (above static-max) and mem-max 300m (below target) left identical memory/ keys, Xen maxmem, xl list Mem and guest balloons"
