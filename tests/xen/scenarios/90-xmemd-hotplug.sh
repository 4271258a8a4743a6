#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# timeout: 660
# Memory hotplug on real Xen: g5, a PV guest booted with memory = maxmem =
# 256 MiB, grows past its boot size. Its kernel (Debian's, with
# CONFIG_XEN_BALLOON_MEMORY_HOTPLUG) onlines new memory blocks
# (auto_online_blocks), and xmem-guestd reports that it can hot-add. After
# `xmem mem-policy g5 --max 512M --hotplug yes` (static-max and Xen's maxmem
# raised as xl mem-max does, the boot size kept in xmem/boot-max) a memory
# hog in g5 makes xmemd raise its target past 256 MiB; the balloon driver
# hot-adds memory, g5 holds at least 384 MiB and its MemTotal shows it.
# g1..g3 are unmanaged here.
. /xmem/scenarios/lib.sh
. /xmem/config
need_prog xmemd xmem xmem-guestd
need_guests

r=/run/xmem
fixtures_aside
guest_create g5 256 256 || fail "xl create g5: $(cat $r/xl-create-g5.log)"
d=$(domid_of g5) || fail "no g5"
out=$(guest_run g5 60 'test -e /proc/sys/xen/balloon/hotplug_unpopulated && echo sysctl; test -d /sys/devices/system/memory && echo blocks; cat /sys/devices/system/memory/auto_online_blocks; echo online > /sys/devices/system/memory/auto_online_blocks && cat /sys/devices/system/memory/auto_online_blocks') ||
	fail "g5: cannot look at its memory hotplug: $out"
log "g5's kernel: $(echo $out | tr '\n' ' ')"
out=$(guestd_start g5) || fail "$out"
wait_xs 60 /local/domain/$d/data/xmem/hotplug xenstore-read /local/domain/$d/data/xmem/hotplug ||
	fail "xmem-guestd in g5 does not report data/xmem/hotplug"
hp=$(xenstore-read /local/domain/$d/data/xmem/hotplug)
[ "$hp" = 1 ] || fail "xmem-guestd in g5 reports data/xmem/hotplug=$hp: its kernel cannot hot-add ($out)"
memtotal0=$(guest_run g5 30 'awk "/^MemTotal:/ {print \$2}" /proc/meminfo')

xmem mem-policy g5 --min 192M --max 512M --hotplug yes --managed on >$r/pol.out 2>&1 ||
	fail "mem-policy g5 --max 512M --hotplug yes: $(cat $r/pol.out)"
[ "$(xenstore-read /local/domain/$d/memory/static-max)" = 524288 ] || fail "static-max of g5 not raised to 512 MiB"
[ "$(xenstore-read /local/domain/$d/xmem/boot-max)" = 262144 ] || fail "boot-max of g5 is not its 256 MiB boot size"
xmem --json list g5 >$r/list-g5.json 2>&1 || fail "xmem --json list g5: $(cat $r/list-g5.json)"
grep -q '"boot_max_kib": 262144' $r/list-g5.json || fail "list --json lacks g5's boot size: $(cat $r/list-g5.json)"

# Room for g5 to grow by 256 MiB and no more: the floor is what is free now less that.
floor=$(($(xen_free_mib) - 288))
[ "$floor" -ge 64 ] || fail "only $(xen_free_mib) MiB free in Xen: no room for g5 to grow"
xmemd --floor ${floor}M --period-ms 1000 --pid-file $r/xmemd.pid --log-file $r/xmemd-hotplug.log -v ||
	fail "xmemd does not start: $(tail -n 3 $r/xmemd-hotplug.log)"
wait_xs 60 /tool/xmemd/state xs_is /tool/xmemd/state running || fail "/tool/xmemd/state is '$(xenstore-read /tool/xmemd/state 2>&1)'"

# The hog: a tmpfs of its own, 4 MiB at a time while MemAvailable stays above
# 16 MiB, up to 320 MiB: it follows what the guest is given.
guest_run g5 60 'mkdir -p /hog && mount -t tmpfs -o size=400m hog /hog' >/dev/null ||
	fail "cannot mount the hog's tmpfs in g5"
guest_run g5 120 '(i=0; while [ $i -lt 80 ]; do a=$(awk "/^MemAvailable:/ {print \$2}" /proc/meminfo); if [ $a -gt 16384 ]; then dd if=/dev/zero of=/hog/$i bs=1M count=4 2>/dev/null || echo XMEM-GUEST hog write $i failed; i=$((i + 1)); else sleep 1; fi; done; echo XMEM-GUEST hog done) >/dev/console 2>&1 &' >/dev/null ||
	fail "cannot start the hog in g5"
best=0
end=$(($(date +%s) + 300))
while [ "$(date +%s)" -lt $end ]; do
	m=$(xl_mem g5)
	[ -n "$m" ] && [ "$m" -gt "$best" ] && best=$m
	f=$(xen_free_mib)
	[ "$f" -ge $((floor - 4)) ] || fail "Xen free memory $f MiB is below xmemd's floor $floor MiB (g5 $m MiB)"
	log "g5 holds $m MiB (target $(xenstore-read /local/domain/$d/memory/target) KiB), Xen free $f MiB"
	[ "$best" -ge 384 ] && break
	sleep 5
done
if [ "$best" -lt 384 ]; then
	why=$(guest_run g5 30 'dmesg | grep -i -E "balloon|hotplug|memory" | tail -n 8; cat /sys/devices/system/xen_memory/xen_memory0/info/current_kb /sys/devices/system/xen_memory/xen_memory0/target_kb' | tr '\n' ' ')
	fail "g5 reached only $best MiB past its 256 MiB boot size; guest: $why; xmemd: $(tail -n 3 $r/xmemd-hotplug.log | tr '\n' ' ')"
fi
memtotal=$(guest_run g5 30 'awk "/^MemTotal:/ {print \$2}" /proc/meminfo')
[ -n "$memtotal" ] && [ "$memtotal" -gt $((memtotal0 + 64 * 1024)) ] ||
	fail "g5 holds $best MiB but its MemTotal is $memtotal KiB (was $memtotal0 KiB at boot)"
xmemd_stop_all
xl destroy g5
pass "g5 booted at 256 MiB (MemTotal $memtotal0 KiB) grew to $best MiB under a hog after mem-policy --max 512M --hotplug yes; MemTotal $memtotal KiB; Xen free memory never below the floor"
