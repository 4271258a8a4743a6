#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
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

# Each needs about 0.6 GiB (500 MiB of work, the kernel) and asks for twice
# that (buffer 100%): 4.8 GiB asked for 3.2 GiB. The needs fit, the buffers
# do not: weights share them.
xd_create heavy1 512M 2G 384M 2G 9000 steady:500M 100
xd_create heavy2 512M 2G 384M 2G 9000 steady:500M 100
xd_create light1 512M 2G 384M 2G 1000 steady:500M 100
xd_create light2 512M 2G 384M 2G 1000 steady:500M 100
xd_xmemd

# Weighted: each heavy above each light by a margin (64 MiB), once settled.
weights_decide() {
	local h1 h2 l1 l2
	h1=$(xd_key heavy1 memory/target); h2=$(xd_key heavy2 memory/target)
	l1=$(xd_key light1 memory/target); l2=$(xd_key light2 memory/target)
	[ "$h1" -gt $((l1 + 64 * 1024)) ] && [ "$h1" -gt $((l2 + 64 * 1024)) ] &&
		[ "$h2" -gt $((l1 + 64 * 1024)) ] && [ "$h2" -gt $((l2 + 64 * 1024)) ]
}
xd_wait 90 "heavy guests' targets to exceed the light ones'" weights_decide
for g in heavy1 heavy2 light1 light2; do
	xd_wait 90 "$g to reach its target" xd_settled $g
	t=$(xd_key $g memory/target)
	[ "$t" -ge $((384 * 1024)) ] || fail "$g below its dynamic-min: $t KiB"
done
xd_wait 60 "weights to decide once settled" weights_decide
xd_end
pass
