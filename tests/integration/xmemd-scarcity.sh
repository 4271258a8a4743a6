#!/bin/sh
# xmemd-scarcity.sh: when the guests together want more than the host has,
# everyone keeps at least dynamic-min and weights decide the rest: the two
# heavy guests end with more than the two light ones wanting the same. The
# sum of allocations never exceeds host memory minus the floor.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require
it_setup
# 4 GiB host: Xen 64 MiB, dom0 512 MiB, floor 256 MiB: 3.2 GiB for guests.
xd_host 4G 512M
xd_watch_floor

# Each wants 1.5 GiB (x 1.2 buffer): 7.2 GiB asked for 3.2 GiB.
xd_create heavy1 512M 2G 384M 2G 9000 steady:1500M
xd_create heavy2 512M 2G 384M 2G 9000 steady:1500M
xd_create light1 512M 2G 384M 2G 1000 steady:1500M
xd_create light2 512M 2G 384M 2G 1000 steady:1500M
xd_xmemd

# Weighted: heavies above the lights by a clear margin, once settled.
weights_decide() {
	local h1 h2 l1 l2
	h1=$(xd_key heavy1 memory/target); h2=$(xd_key heavy2 memory/target)
	l1=$(xd_key light1 memory/target); l2=$(xd_key light2 memory/target)
	[ "$h1" -gt $((l1 + 256 * 1024)) ] && [ "$h1" -gt $((l2 + 256 * 1024)) ] &&
		[ "$h2" -gt $((l1 + 256 * 1024)) ] && [ "$h2" -gt $((l2 + 256 * 1024)) ]
}
xd_wait 90 "heavy guests' targets to exceed the light ones'" weights_decide
for g in heavy1 heavy2 light1 light2; do
	xd_wait 90 "$g to reach its target" xd_settled $g
	t=$(xd_key $g memory/target)
	[ "$t" -ge $((384 * 1024)) ] || fail "$g below its dynamic-min: $t KiB"
done
weights_decide || fail "weights no longer decide once settled"
xd_end
pass
