#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-hotplug.sh: a guest booted at 512 MiB whose kernel can hot-add memory
# grows to 1 GiB under load once its maximum is raised with mem-policy --max
# (static-max and Xen's maxmem raised as xl mem-max does, the boot size kept in
# xmem/boot-max); a guest whose kernel cannot is refused the raise and stays
# clamped at its boot size, even when an admin claims hotplug for it.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require
it_setup
xd_host 6G 512M
xd_watch_floor

# Both guests' demand climbs from 300 MiB to 900 MiB over 5 s, past their boot size.
xd_xmem create g1 --memory 512M --maxmem 512M --min 256M --max 512M \
	--workload ramp:300M:900M:5 --hotplug >/dev/null || fail "xmem create g1"
xd_create g2 512M 512M 256M 512M 5000 ramp:300M:900M:5
xd_xmemd
id1=$(xd_domid g1)
id2=$(xd_domid g2)

# Each guest says whether its kernel can hot-add.
xd_wait 30 "g1 to report hotplug" sh -c "[ \"\$(xenstore-read /local/domain/$id1/data/xmem/hotplug)\" = 1 ]"
xd_wait 30 "g2 to report no hotplug" sh -c "[ \"\$(xenstore-read /local/domain/$id2/data/xmem/hotplug)\" = 0 ]"
xd_wait 60 "g1 to fill its boot size" xd_cur_at_least g1 $((500 * 1024))

# No raise for a kernel that cannot hot-add; nothing written.
xd_xmem mem-policy g2 --max 1G 2>"$IT_DIR/err" && fail "mem-policy --max past the boot size of a guest without hotplug was accepted"
grep -q "above the domain's static-max" "$IT_DIR/err" || fail "mem-policy --max refusal: $(cat "$IT_DIR/err")"
xd_xmem mem-max g2 1G 2>"$IT_DIR/err" && fail "mem-max past the boot size of a guest without hotplug was accepted"
grep -q "cannot hot-add memory" "$IT_DIR/err" || fail "mem-max refusal: $(cat "$IT_DIR/err")"
[ "$(xd_key g2 memory/static-max)" = 524288 ] || fail "a refused raise changed g2's static-max"
[ -z "$(xd_key g2 xmem/boot-max)" ] || fail "a refused raise wrote g2's boot-max"
# mem-max within the boot size needs no hotplug.
xd_xmem mem-max g2 512M || fail "mem-max at the boot size refused"

# g1: the maximum is raised with the policy; static-max and Xen's maxmem follow.
xd_xmem mem-policy g1 --max 1G || fail "mem-policy g1 --max 1G"
[ "$(xd_key g1 memory/static-max)" = 1048576 ] || fail "g1's static-max not raised"
[ "$(xd_key g1 xmem/boot-max)" = 524288 ] || fail "g1's boot size not kept in xmem/boot-max"
# A later change keeps the first boot size, not the maximum it replaces.
xd_xmem mem-max g1 1100M || fail "mem-max g1 1100M"
[ "$(xd_key g1 memory/static-max)" = 1126400 ] || fail "mem-max g1 1100M: static-max $(xd_key g1 memory/static-max)"
xd_xmem mem-max g1 1G || fail "mem-max g1 1G"
[ "$(xd_key g1 xmem/boot-max)" = 524288 ] || fail "a second raise changed g1's boot-max to $(xd_key g1 xmem/boot-max)"
[ "$(xd_key g1 memory/dynamic-max)" = 1048576 ] || fail "g1's dynamic-max"
xd_xmem --json list g1 > "$IT_DIR/list.json" || fail "list --json"
grep -q '"boot_max_kib": 524288' "$IT_DIR/list.json" || fail "list --json lacks the boot size: $(cat "$IT_DIR/list.json")"
grep -q '"static_max_kib": 1048576' "$IT_DIR/list.json" || fail "list --json lacks the raised maximum"
grep -q '"hotplug": true' "$IT_DIR/list.json" || fail "list --json lacks hotplug"

# Under load g1 grows past its boot size to its new maximum, and its MemTotal shows it.
xd_wait 120 "g1's allocation to grow past its boot size" xd_cur_at_least g1 $((1000 * 1024))
xd_wait 30 "g1's MemTotal to show the hot-added memory" sh -c \
	"[ \"\$(xenstore-read /local/domain/$id1/data/meminfo_total)\" -gt $((800 * 1024)) ]"
grep -q "hot-added memory" "$IT_DIR/run/balloon-$id1.log" || fail "g1's log does not show a hot-add"

# An admin who claims hotplug for g2 gets the raise, but g2's kernel cannot
# follow: it stays clamped at its boot size.
xd_xmem mem-policy g2 --hotplug yes --max 1G || fail "mem-policy g2 --hotplug yes --max 1G"
[ "$(xd_key g2 memory/hotplug)" = 1 ] || fail "g2's memory/hotplug"
xd_wait 60 "xmemd to raise g2's target past its boot size" xd_target_at_least g2 $((600 * 1024))
xd_rebalances 10
c2=$(xd_cur g2)
[ "$c2" -le $((513 * 1024)) ] || fail "g2 grew to $c2 KiB past its 512 MiB boot size without hotplug"
xd_xmem mem-policy g2 --hotplug no >/dev/null || fail "mem-policy g2 --hotplug no"

xd_end
pass
