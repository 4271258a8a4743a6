#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# timeout: 360
# xmemd against a real guest that stops following its target. g3 is paused
# (xl pause: a hung guest, whose balloon driver cannot run), then its
# dynamic-min is raised to 384 MiB. xmemd raises its maxmem and target; the
# guest does not grow. xmemd must mark it memory/uncooperative (`xmem list`
# says so) and cap its Xen maxmem at what it holds + 1 MiB, so that when it
# wakes up it cannot take memory xmemd has since handed to others. Once it
# is unpaused it grows 1 MiB, which shows it moving again: xmemd drives it
# again, raises its maxmem from free memory, the guest reaches 384 MiB and
# the mark is dropped. g1 and g2 are unmanaged here.
#
# (A guest made unable to give memory back, with a tmpfs filling it and its
# dynamic-max cut below that, is marked too, but Linux's balloon driver then
# drains it to its last free page and the guest's OOM killer ends its
# processes: no test can drive such a guest afterwards.)
. /xmem/scenarios/lib.sh
. /xmem/config
need_prog xmemd xmem xmem-guestd
need_guests

r=/run/xmem
fixtures_aside
d=$(domid_of g3) || fail "no g3"
out=$(guestd_start g3) || fail "$out"
xl mem-set g3 256m || fail "xl mem-set g3 256m"
wait_balloon g3 256 120 || fail "g3 does not come back to 256 MiB (holds $(xl_mem g3))"
# max 256M for now: with memory to spare xmemd hands the surplus out up to
# each maximum, and g3 must still be at 256 MiB when it is paused.
xmem mem-policy g3 --min 128M --max 256M --managed on >$r/pol.out 2>&1 || fail "mem-policy g3: $(cat $r/pol.out)"

xmemd --floor 64M --period-ms 1000 --pid-file $r/xmemd.pid --log-file $r/xmemd-uncoop.log -v ||
	fail "xmemd does not start: $(tail -n 3 $r/xmemd-uncoop.log)"
wait_xs 60 /tool/xmemd/state xs_is /tool/xmemd/state running || fail "/tool/xmemd/state is '$(xenstore-read /tool/xmemd/state 2>&1)'"
pause 3
held=$(xl_mem g3)
xl pause g3 || fail "xl pause g3"
xmem mem-policy g3 --min 384M --max 512M >$r/pol.out 2>&1 || fail "mem-policy g3 --min 384M --max 512M: $(cat $r/pol.out)"
p=/local/domain/$d/memory
wait_xs 150 $p/uncooperative xenstore-exists $p/uncooperative ||
	fail "paused g3 was never marked uncooperative (holds $(xl_mem g3) MiB, target $(xenstore-read $p/target)); xmemd log: $(tail -n 5 $r/xmemd-uncoop.log | tr '\n' ' ')"
t=$(xenstore-read $p/target)
[ "$t" -ge $((384 * 1024)) ] || fail "g3's target is $t KiB, want at least 384 MiB"
cur=$(($(xl_mem g3) * 1024))
[ "$cur" -le $(((held + 1) * 1024)) ] || fail "paused g3 grew from $held MiB to $cur KiB"
wait_until 30 sh -c "[ \"\$(. /xmem/scenarios/lib.sh; xen_max_kib $d)\" -le $((cur + 1024 + 4)) ]" ||
	fail "g3 is marked but Xen's maxmem is $(xen_max_kib $d) KiB, above what it holds ($cur KiB) + 1 MiB"
max=$(xen_max_kib $d)
xmem list --json >$r/list.json 2>&1 || fail "xmem list --json: $(cat $r/list.json)"
st=$(jlist_get $r/list.json g3 state)
[ "$st" = uncooperative ] || fail "xmem list says g3 is '$st', want uncooperative"
marked="paused g3 (target $((t / 1024)) MiB, holding $((cur / 1024)) MiB) was marked uncooperative, xmem list says so, and its Xen maxmem was capped at $max KiB"

xl unpause g3 || fail "xl unpause g3"
wait_balloon g3 $((t / 1024)) 240 || fail "unpaused g3 did not reach its target $t KiB (holds $(xl_mem g3) MiB); xmemd log: $(tail -n 5 $r/xmemd-uncoop.log | tr '\n' ' ')"
wait_xs 60 $p/uncooperative sh -c "! xenstore-exists $p/uncooperative" || fail "g3 reached its target but is still marked uncooperative"
max=$(xen_max_kib $d)
[ "$max" -ge "$t" ] || fail "g3 is driven again but Xen's maxmem $max KiB is below its target $t KiB"
xmemd_stop_all
pass "$marked; unpaused, it was driven again and grew to $((t / 1024)) MiB, and the mark was dropped"
