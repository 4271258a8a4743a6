#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/xen/systemd/unit-test.sh: runs in the systemd dom0 of tests/xen/systemd.sh
# (xmem-unit-test.service, after xmemd.service), as an admin would try the
# installed packages: the unit came up with Debian's Xen, xmemd drives a real
# guest and grants a reservation from inside its sandbox, a Debian guest's
# installed xmem-guestd.service reports to it, then xmemd is broken
# on purpose (killed, a bad configuration reloaded) and stopped. Prints
# "XMEM-UNIT ok|FAIL step: detail" per step on the console, then one
# "XMEM-UNIT-RESULT pass|fail detail" line, and powers the machine off.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
prom=/var/lib/prometheus/node-exporter/xmem.prom
conf=/etc/xmem/xmemd.json
failed=0
first_fail=""

ok() { echo "XMEM-UNIT ok $*"; }
bad() {
	echo "XMEM-UNIT FAIL $*"
	failed=$((failed + 1))
	[ -n "$first_fail" ] || first_fail="$*"
}
finish() {
	if [ "$failed" -eq 0 ]; then
		echo "XMEM-UNIT-RESULT pass every step"
	else
		echo "--- systemctl status xmemd"
		systemctl status --no-pager xmemd 2>&1 | tail -n 20
		echo "--- journalctl -u xmemd"
		journalctl --no-pager -u xmemd 2>&1 | tail -n 40
		echo "XMEM-UNIT-RESULT fail $failed step(s); first: $first_fail"
	fi
	sync
	systemctl poweroff --no-block
	exit 0
}
# wait_for SECONDS CMD...: CMD every second until it succeeds.
wait_for() {
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 1
		n=$((n - 1))
	done
	return 1
}
xs_is() { [ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ]; }
prop() { systemctl show -p "$1" --value xmemd; }
active() { [ "$(systemctl is-active xmemd)" = active ]; }

echo "XMEM-MARK UNIT-TEST-START uptime=$(cut -d' ' -f1 /proc/uptime)"

# 1. Started at boot with Debian's Xen: xen.service (the init script) first.
if [ "$(systemctl is-active xen)" = active ]; then ok "xen.service active"; else bad "xen.service: $(systemctl is-active xen)"; fi
if wait_for 120 active; then
	ok "xmemd.service active (Type=notify: READY after its first rebalance)"
else
	bad "xmemd.service not active: $(systemctl is-active xmemd), result $(prop Result)"
	finish
fi
st=$(prop StatusText)
if [ -n "$st" ]; then ok "status: $st"; else bad "no STATUS= from xmemd"; fi
w=$(prop WatchdogUSec)
[ "$w" = 30s ] && ok "watchdog $w" || bad "watchdog: '$w'"
if wait_for 30 grep -q '^xmemd_up 1' "$prom"; then ok "metrics in $prom"; else bad "no metrics in $prom"; fi

# 2. xmemd in its sandbox drives a real guest: the balloon probe writes the
#    target and maxmem (xenstore, libxenctrl) and reads the domain back.
xl create /etc/xen/g1.cfg >/run/xl-create.log 2>&1 || { bad "xl create: $(cat /run/xl-create.log)"; finish; }
d=$(xl domid g1)
xmem mem-policy g1 --managed on --min 192M --max 512M >/run/pol.out 2>&1 ||
	bad "xmem mem-policy: $(cat /run/pol.out)"
# mem-policy saves the VM's policy: xmemd writes it under its StateDirectory.
if wait_for 30 test -s /var/lib/xmem/vm/g1.json; then
	ok "g1's policy saved in /var/lib/xmem/vm/g1.json"
else
	bad "g1's policy not saved: $(xenstore-read /local/domain/"$d"/memory/policy-result 2>&1)"
fi
if wait_for 180 xs_is /tool/xmemd/domain/"$d"/balloon yes; then
	ok "g1 (domain $d) found ballooning by the unit's xmemd"
else
	bad "g1's balloon: '$(xenstore-read /tool/xmemd/domain/"$d"/balloon 2>&1)'"
fi
# A Debian guest with the xmem-guest package: its xmem-guestd.service starts
# by itself under the guest's systemd and reports; xmemd reads its demand.
xl create /etc/xen/gd.cfg >/run/xl-create-gd.log 2>&1 || bad "xl create gd: $(cat /run/xl-create-gd.log)"
dg=$(xl domid gd 2>/dev/null)
xmem mem-policy gd --managed on --min 384M --max 768M >/run/pol-gd.out 2>&1 ||
	bad "xmem mem-policy gd: $(cat /run/pol-gd.out)"
if wait_for 300 xenstore-read /local/domain/"$dg"/data/xmem/used_kib; then
	ok "gd (domain $dg): the guest's xmem-guestd.service reports (used $(xenstore-read /local/domain/"$dg"/data/xmem/used_kib) KiB)"
else
	bad "gd's xmem-guestd never reported: $(xenstore-ls /local/domain/"$dg"/data 2>&1 | head -n 5 | tr '\n' ' ')"
fi
if wait_for 60 xs_is /tool/xmemd/domain/"$dg"/demand_source xmem-guestd; then
	ok "xmemd reads gd's demand from xmem-guestd"
else
	bad "gd's demand source: '$(xenstore-read /tool/xmemd/domain/"$dg"/demand_source 2>&1)'"
fi
# xmem reserve waits for xmemd's answer: 0 is granted.
if xmem reserve 256M --for late >/run/reserve.out 2>&1; then
	ok "a 256 MiB reservation granted: $(cat /run/reserve.out)"
else
	bad "xmem reserve: $(cat /run/reserve.out)"
fi

# 3. Killed: systemd restarts it (Restart=on-failure), and the reservation
#    is still there (it lives in the key tree).
systemctl kill -s KILL xmemd
if wait_for 60 sh -c "[ \"\$(systemctl show -p NRestarts --value xmemd)\" = 1 ] && [ \"\$(systemctl is-active xmemd)\" = active ]"; then
	ok "killed with SIGKILL: restarted by systemd"
else
	bad "after SIGKILL: $(systemctl is-active xmemd), NRestarts $(prop NRestarts)"
fi
xmem reservations --json | grep -q '"granted"' && ok "the reservation kept across the restart" ||
	bad "reservation lost: $(xmem reservations 2>&1 | tr '\n' ' ')"

# 4. Reload: a good configuration is taken, a bad one refused whole while
#    xmemd goes on with the old.
pid=$(prop MainPID)
systemctl reload xmemd || bad "systemctl reload failed"
if wait_for 30 sh -c "journalctl -u xmemd --no-pager | grep -q 'reload: nothing changed'"; then
	ok "reload logged"
else
	bad "no reload in the journal"
fi
cp "$conf" /run/xmemd.json.good
echo '{ "period_ms": "soon" ' >"$conf"
systemctl reload xmemd
wait_for 30 sh -c "journalctl -u xmemd --no-pager | grep -q 'reload refused, running configuration kept'" ||
	bad "a bad configuration's reload not refused in the journal"
if active && [ "$(prop MainPID)" = "$pid" ]; then
	ok "a bad configuration reloaded: refused, xmemd still running (pid $pid)"
else
	bad "after a bad reload: $(systemctl is-active xmemd), pid $(prop MainPID) (was $pid)"
fi
journalctl -u xmemd --no-pager | grep 'reload refused' | tail -n 1
cp /run/xmemd.json.good "$conf"

# 5. The package upgraded in place (the same .deb again): its postinst
#    restarts xmemd, which keeps the reservation. Removed: its prerm stops
#    xmemd and the configuration stays (conffiles); installed again: started.
pid=$(prop MainPID)
if dpkg -i /root/xmem.deb >/run/dpkg.log 2>&1 && wait_for 60 active && [ "$(prop MainPID)" != "$pid" ]; then
	ok "package reinstalled: xmemd restarted by its postinst (pid $pid -> $(prop MainPID))"
else
	bad "reinstall: $(tail -n 3 /run/dpkg.log | tr '\n' ' ') $(systemctl is-active xmemd), pid $(prop MainPID)"
fi
xmem reservations --json | grep -q '"granted"' && ok "the reservation kept across the upgrade" ||
	bad "reservation lost in the upgrade: $(xmem reservations 2>&1 | tr '\n' ' ')"
if dpkg -r xmem >/run/dpkg.log 2>&1 && ! active && [ ! -e /usr/sbin/xmemd ] && [ -s "$conf" ]; then
	ok "package removed: xmemd stopped, $conf kept"
else
	bad "remove: $(tail -n 3 /run/dpkg.log | tr '\n' ' ') $(systemctl is-active xmemd)"
fi
if dpkg -i /root/xmem.deb >/run/dpkg.log 2>&1 && wait_for 60 active; then
	ok "package installed again: xmemd started"
else
	bad "install again: $(tail -n 3 /run/dpkg.log | tr '\n' ' ') $(systemctl is-active xmemd)"
fi

# 6. Stopped: clean exit, metrics gone, the guest left where it is.
t0=$(xenstore-read /local/domain/"$d"/memory/target)
systemctl stop xmemd
if [ "$(systemctl is-active xmemd)" = inactive ] && [ "$(prop Result)" = success ]; then
	ok "stopped cleanly"
else
	bad "stop: $(systemctl is-active xmemd), result $(prop Result)"
fi
[ ! -e "$prom" ] && ok "metrics file removed at stop" || bad "$prom left after stop"
t1=$(xenstore-read /local/domain/"$d"/memory/target)
[ "$t0" = "$t1" ] && ok "g1's target kept at stop ($t1 KiB)" || bad "g1's target moved at stop: $t0 -> $t1"
xl destroy g1 >/dev/null 2>&1
xl destroy gd >/dev/null 2>&1
finish
