#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A simulated guest's keys carry exactly libxl's permissions: checked with xenstore-ls -p as
# dom0, and by acting as the guest (its own store socket) with xenstore-read/-write.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/simhost-common.sh"
simhost_setup
simhost_need_daemons

"$SIMHOST" start "$XMEM_SRCDIR/scenarios/small.json" --dir "$IT_DIR" >/dev/null || fail "start failed"
export XENSTORED_PATH="$IT_DIR/store/socket"
d=$(simhost_domid steady1) || fail "no steady1"
o=$(simhost_domid spiky1) || fail "no spiky1"
vm=$(xenstore-read "/local/domain/$d/vm")

# perms_of PATH: the (..) permission list xenstore-ls -p shows for PATH.
perms_of() {
	local parent=${1%/*} leaf=${1##*/}
	[ -n "$parent" ] || parent=/
	xenstore-ls -p "$parent" | sed -n "s/^$leaf = .*(\([^)]*\))\$/\1/p" | head -n1
}
expect() { assert_eq "$(perms_of "$1")" "$2" "permissions of $1"; }

expect "/local/domain/$d" "n0,r$d"
expect "$vm" "n0,r$d"
expect "/libxl/$d" "n0"
expect "/libxl/$d/device" "n0"
for n in cpu memory device control; do expect "/local/domain/$d/$n" "n0,r$d"; done
for n in data drivers feature attr error control/shutdown control/feature-poweroff \
	control/feature-reboot control/feature-suspend control/sysrq device/suspend/event-channel; do
	expect "/local/domain/$d/$n" "n$d"
done
expect "/local/domain/$d/memory/target" "n0,r$d"
expect "/local/domain/$d/name" "n0,r$d"
assert_eq "$(xenstore-read /libxl/$d/type)" pvh "/libxl/N/type"
assert_eq "$(xenstore-read /local/domain/$d/domid)" "$d" "~/domid"
assert_eq "$(xenstore-read /local/domain/$d/control/platform-feature-xs_reset_watches)" 1 \
	"platform-feature-xs_reset_watches"
it_check_store

# As the guest.
export XENSTORED_PATH="$IT_DIR/store/domain/$d/socket"
[ -S "$XENSTORED_PATH" ] || fail "no store socket for domain $d"
assert_eq "$(xenstore-read /local/domain/$d/memory/target)" \
	"$(XENSTORED_PATH="$IT_DIR/store/socket" xenstore-read /local/domain/$d/memory/target)" \
	"the guest reads its target"
xenstore-read memory/static-max >/dev/null || fail "the guest cannot read a relative path"
xenstore-write /local/domain/$d/memory/target 1 2>/dev/null && fail "the guest wrote memory/target"
xenstore-write /local/domain/$d/memory/weight 10000 2>/dev/null && fail "the guest wrote its weight"
xenstore-write /local/domain/$d/control/feature-balloon 1 2>/dev/null &&
	fail "the guest created control/feature-balloon (libxl refuses it: EACCES)"
xenstore-write /local/domain/$d/data/probe 1 || fail "the guest cannot write data/"
xenstore-write /local/domain/$d/control/shutdown "" || fail "the guest cannot write control/shutdown"
xenstore-read /local/domain/$o/name 2>/dev/null && fail "the guest read another domain's keys"
xenstore-read /libxl/$d/type 2>/dev/null && fail "the guest read /libxl/$d"
xenstore-read "$vm/name" >/dev/null || fail "the guest cannot read its /vm node"
export XENSTORED_PATH="$IT_DIR/store/socket"
it_check_store
pass
