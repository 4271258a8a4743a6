#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# /init of dom0 in the tests/xen boot (busybox sh). Brings up the Xen
# toolstack the way xencommons does, starts the guest fixture in the
# background, runs each scenario of /xmem/scenarios under a time limit,
# prints one "XMEM-RESULT name pass|fail|skip detail" line per scenario and
# powers the machine off.
export PATH=/usr/local/bin:/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mkdir -p /var /run/xen /run/xenstored /run/xmem /var/lib/xen /var/lib/xenstored \
	/var/log/xen/console /var/lock /tmp
ln -sfn /run /var/run
mkfifo /run/xmem/pause
dmesg -n 1 2>/dev/null
exec </dev/null

. /xmem/scenarios/lib.sh
. /xmem/config

halt_now() {
	sync
	poweroff -f
	sleep 5
	echo o >/proc/sysrq-trigger
}

up() {
	awk '{print $1}' /proc/uptime
}

mark "INIT"
for m in xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc; do
	insmod /lib/modules/$m.ko || echo "XMEM-FAIL insmod $m"
done
mkdir -p /proc/xen
mount -t xenfs xenfs /proc/xen
if ! grep -q control_d /proc/xen/capabilities 2>/dev/null; then
	echo "XMEM-FAIL not the control domain (no control_d in /proc/xen/capabilities)"
	halt_now
fi

xenstored --pid-file /run/xen/xenstored.pid
wait_until 30 xenstore-ls / || { echo "XMEM-FAIL xenstored does not answer"; halt_now; }
xen-init-dom0 >/run/xmem/xen-init-dom0.log 2>&1 || { cat /run/xmem/xen-init-dom0.log; echo "XMEM-FAIL xen-init-dom0"; halt_now; }
xenconsoled --pid-file=/run/xen/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console
if ! xl info >/run/xmem/xl-info.txt 2>&1 || ! xl list >/dev/null 2>&1; then
	cat /run/xmem/xl-info.txt
	echo "XMEM-FAIL xl info/list do not work"
	halt_now
fi
mark "TOOLSTACK-READY"
grep -E '^(xen_version|total_memory|free_memory|nr_cpus|virt_caps)' /run/xmem/xl-info.txt
echo "programs: $(tr '\n' ' ' </xmem/programs)"

# The guest fixture boots while the first scenarios (those that need no
# guests) run; scenarios that need the guests call need_guests.
if [ "$guests" = 1 ] && [ "$mode" != bench ]; then
	guests_start 2>&1 | tee /run/xmem/guests.log &
else
	echo "guest fixture not started" >/run/xmem/guests-state
fi

: >/run/xmem/results
if [ "$mode" = bench ]; then
	SCENARIO=bench
	export SCENARIO
	now=$(up)
	timeout $((budget - ${now%.*})) sh /xmem/bench.sh >/run/xmem/bench.out 2>&1
	rc=$?
	cat /run/xmem/bench.out
	if [ $rc -eq 0 ]; then
		result bench pass "store benchmark done"
	else
		result bench fail "bench.sh rc=$rc"
	fi
else
	for f in /xmem/scenarios/[0-9]*.sh; do
		name=$(basename "$f" .sh)
		name=${name#*-}
		case ",$only," in
		,,) ;;
		*",$name,"*) ;;
		*) continue ;;
		esac
		SCENARIO=$name
		export SCENARIO
		limit=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$f" | head -n1)
		limit=${limit:-120}
		# What is left of the boot's time budget bounds every scenario; one
		# cut short by it (not by its own limit) has no verdict.
		now=$(up)
		now=${now%.*}
		left=$((budget - now))
		cut=0
		if [ "$left" -lt "$limit" ]; then
			limit=$left
			cut=1
		fi
		if [ "$limit" -le 5 ]; then
			result "$name" skip "no time left in the ${budget}s budget (slow host)"
			continue
		fi
		mark "SCENARIO-START $name"
		timeout "$limit" sh "$f"
		rc=$?
		if ! grep -q "^$name " /run/xmem/results; then
			if [ $rc -eq 143 ] || [ $rc -eq 124 ]; then
				if [ $cut = 1 ]; then
					result "$name" skip "cut short after ${limit}s by the ${budget}s budget (slow host)"
				else
					result "$name" fail "timed out after ${limit}s"
				fi
			else
				result "$name" fail "exited rc=$rc without a verdict"
			fi
		fi
		mark "SCENARIO-END $name"
	done
fi

echo "---- xl list"
xl list
for f in /var/log/xen/console/guest-*.log; do
	[ -f "$f" ] || continue
	echo "---- $f (last 25 lines)"
	tail -n 25 "$f"
done
echo "---- guest fixture"
cat /run/xmem/guests.log 2>/dev/null | tail -n 20
for f in /run/xmem/*.log; do
	case $f in */guests.log) continue ;; esac
	[ -f "$f" ] || continue
	echo "---- $f (last 20 lines)"
	tail -n 20 "$f"
done
echo "XMEM-SUMMARY-BEGIN"
sed 's/^/XMEM-RESULT /' /run/xmem/results
echo "XMEM-SUMMARY-END"
mark "DONE"
halt_now
