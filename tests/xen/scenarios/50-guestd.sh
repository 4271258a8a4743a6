#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# timeout: 400
# guestd: xmem-guestd inside a real guest publishes its data/
# keys from the real /proc and balloon sysfs, and follows them when the
# balloon moves (xl mem-set) and when the guest's own use grows.
. /xmem/scenarios/lib.sh
need_prog xmem-guestd
need_guests

g=g1
d=$(domid_of $g) || fail "no $g"
base=/local/domain/$d/data
out=$(guest_run $g 120 'command -v xmem-guestd && xmem-guestd --period-ms 1000 --pid-file /run/xmem-guestd.pid --log-file /tmp/xmem-guestd.log') ||
	fail "xmem-guestd does not start in $g: $out"
wait_xs 180 $base/xmem/seq xenstore-read $base/xmem/seq || fail "no $base/xmem/seq after 90s: $(guest_run $g 60 'tail -n 5 /tmp/xmem-guestd.log')"
wait_xs 90 $base/balloon/state xs_is $base/balloon/state done || fail "data/balloon/state '$(xenstore-read $base/balloon/state 2>&1)', want done"

# guest_view: the guest's /proc/meminfo and balloon sysfs, as "key value" lines.
guest_view() {
	guest_run $g 120 'awk '\''/^(MemTotal|MemFree|MemAvailable):/ {print $1, $2}'\'' /proc/meminfo
b=/sys/devices/system/xen_memory/xen_memory0
echo current_kb $(cat $b/info/current_kb)
echo target_kb $(cat $b/target_kb)'
}
gv() { awk -v k="$1" '$1 == k {print $2}' /run/xmem/guest-view.txt; }
near() { [ $(($1 - $2)) -le $3 ] && [ $(($2 - $1)) -le $3 ]; }

# check: the published keys match the guest's own figures (exact for the
# balloon and MemTotal, within 8 MiB for what moves every moment).
check() {
	local what=$1 t
	guest_view >/run/xmem/guest-view.txt || fail "$what: guest does not answer"
	t=$(xenstore-read $base/meminfo_total)
	[ "$t" = "$(gv MemTotal:)" ] || fail "$what: data/meminfo_total $t, guest MemTotal $(gv MemTotal:)"
	t=$(xenstore-read $base/meminfo_free)
	near "${t:-0}" "$(gv MemFree:)" 8192 || fail "$what: data/meminfo_free $t, guest MemFree $(gv MemFree:)"
	t=$(xenstore-read $base/xmem/available_kib)
	near "${t:-0}" "$(gv MemAvailable:)" 8192 || fail "$what: data/xmem/available_kib $t, guest MemAvailable $(gv MemAvailable:)"
	t=$(xenstore-read $base/xmem/used_kib)
	near "${t:-0}" $(($(gv MemTotal:) - $(gv MemAvailable:))) 8192 || fail "$what: data/xmem/used_kib $t, guest MemTotal-MemAvailable $(($(gv MemTotal:) - $(gv MemAvailable:)))"
	t=$(xenstore-read $base/balloon/current_kib)
	[ "$t" = "$(gv current_kb)" ] || fail "$what: data/balloon/current_kib $t, sysfs current_kb $(gv current_kb)"
	t=$(xenstore-read $base/balloon/target_kib)
	[ "$t" = "$(gv target_kb)" ] || fail "$what: data/balloon/target_kib $t, sysfs target_kb $(gv target_kb)"
	log "$what: published keys match the guest (MemTotal $(gv MemTotal:), current_kb $(gv current_kb), used $(xenstore-read $base/xmem/used_kib))"
}

# used_grew OLD: data/xmem/used_kib is at least 40 MiB above OLD.
used_grew() { [ "$(xenstore-read $base/xmem/used_kib)" -ge $(($1 + 40960)) ]; }

# published_is KEY VALUE
published_is() { xs_is $base/$1 "$2"; }

check start
total0=$(xenstore-read $base/meminfo_total)
used0=$(xenstore-read $base/xmem/used_kib)

# The balloon moves: the agent reports the new allocation and MemTotal.
xl mem-set $g 200m || fail "xl mem-set $g 200m"
wait_xs 180 $base/balloon/current_kib published_is balloon/current_kib 204800 ||
	fail "data/balloon/current_kib $(xenstore-read $base/balloon/current_kib) after mem-set 200m"
wait_xs 90 $base/balloon/state published_is balloon/state done || fail "balloon/state $(xenstore-read $base/balloon/state) after mem-set"
sleep 2
check "after mem-set 200m"
total1=$(xenstore-read $base/meminfo_total)
[ $((total0 - total1)) -ge 50000 ] || fail "meminfo_total $total0 -> $total1 after giving 56 MiB back"

# The guest's own use grows by 48 MiB (files in its tmpfs root).
guest_run $g 120 'dd if=/dev/zero of=/xmem-hog bs=1M count=48 2>&1 && sync' >/dev/null || fail "cannot fill the guest"
wait_xs 120 $base/xmem/used_kib used_grew $used0 || fail "data/xmem/used_kib $used0 -> $(xenstore-read $base/xmem/used_kib) after the guest used 48 MiB more"
check "after the guest used 48 MiB"
guest_run $g 120 'rm -f /xmem-hog' >/dev/null
xl mem-set $g 256m
wait_balloon $g 256 || fail "$g did not come back to 256 MiB"
pass "data/meminfo_*, data/xmem/* and data/balloon/* match the guest's /proc/meminfo and balloon sysfs, and follow xl mem-set 200m (current 204800 KiB, MemTotal -$(((total0 - total1) / 1024)) MiB) and 48 MiB of new use"
