#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# /init of the test guests (busybox sh, PV guest of tests/xen). Runs a command
# loop on the key tree: dom0 writes "SEQ COMMAND" to data/xmem-test/cmd, the
# guest runs COMMAND with sh -c and answers data/xmem-test/out (the output,
# at most 3000 bytes) and data/xmem-test/done ("SEQ STATUS"). It also prints
# the balloon driver's view on its console whenever it changes.
# Process creation is slow in a PV guest under TCG: the loops below use shell
# builtins and block on a watch instead of polling.
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /run /var/run
dmesg -n 1 2>/dev/null
exec </dev/null

bal=/sys/devices/system/xen_memory/xen_memory0
name=$(xenstore-read name)
dom=$(xenstore-read domid)
read -r up _ </proc/uptime
echo "XMEM-GUEST $name domid=$dom up at $up"

# The balloon driver's view, on every change: on the console, and in
# data/xmem-test/current_kb for dom0 to wait on. Builtins only but for that
# write: even the pause is a read with a timeout on a FIFO nobody writes, as
# a fork costs a PV guest under TCG a good part of its CPU.
mkfifo /run/pause
(

	last=""
	lastcur=""
	while :; do
		read -r cur <$bal/info/current_kb
		read -r tgt <$bal/target_kb
		if [ "$cur" != "$lastcur" ]; then
			xenstore-write data/xmem-test/current_kb "$cur"
			lastcur=$cur
		fi
		avail=""
		while read -r k v _; do
			case $k in MemAvailable:) avail=$v ;; esac
		done </proc/meminfo
		now="current_kb=$cur target_kb=$tgt MemAvailable_kb=$avail"
		if [ "$now" != "$last" ]; then
			read -r up _ </proc/uptime
			echo "XMEM-GUEST-MEM $now t=$up"
			last=$now
		fi
		read -t 1 _ <>/run/pause
	done
) &

base=data/xmem-test
last=""
xenstore-write $base/ready 1
# xenstore-watch prints one line per event, the first one at registration.
xenstore-watch $base/cmd | while read -r _ev; do
	cmd=$(xenstore-read -R $base/cmd 2>/dev/null)
	seq=${cmd%% *}
	[ -n "$cmd" ] && [ "$seq" != "$last" ] || continue
	last=$seq
	sh -c "${cmd#* }" >/tmp/xmem-test.out 2>&1
	rc=$?
	xenstore-write -R $base/out "$(head -c 3000 /tmp/xmem-test.out)"
	xenstore-write $base/done "$seq $rc"
done
echo "XMEM-GUEST $name: command loop ended"
exec sleep 1000000
