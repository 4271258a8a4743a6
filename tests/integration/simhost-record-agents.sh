#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmem-simhost record measures every guest the same way, whatever agent it runs:
# on scenarios/agents.json (one guest each of xmem-guestd, XenServer's agent, Qubes'
# meminfo-writer and none), every guest's use, stall total and MemTotal come from its
# own /proc under DIR/guest/DOMID, although only the xmem guest writes them into the
# key tree; and xe-guest-utilities' pass, 60 s of guest time, comes every period.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/simhost-common.sh"
simhost_setup
simhost_need_daemons

"$SIMHOST" start "$XMEM_SRCDIR/scenarios/agents.json" --dir "$IT_DIR" >/dev/null || fail "start failed"
export XENSTORED_PATH="$IT_DIR/store/socket"
for g in xmem1 xe1 qubes1 none1; do
	d=$(simhost_domid $g) || fail "$g is not in the key tree"
	# Its /proc exists from the balloon's start; the workload (use) from its boot.
	it_wait 20 "$g's boot" grep -q 'workload starts' "$IT_DIR/run/balloon-$g.log"
	it_wait 20 "$g's /proc" test -s "$IT_DIR/guest/$d/proc/pressure/memory"
	grep -q '^MemAvailable:' "$IT_DIR/guest/$d/proc/meminfo" || fail "$g's proc/meminfo: $(cat "$IT_DIR/guest/$d/proc/meminfo")"
	eval "d_$g=$d"
done
# Only xmem-guestd reports use and stall in the key tree.
xenstore-read "/local/domain/$d_xmem1/data/xmem/psi_some_total_us" >/dev/null || fail "xmem1 reports no stall"
for g in xe1 qubes1 none1; do
	eval d=\$d_$g
	xenstore-read "/local/domain/$d/data/xmem/used_kib" >/dev/null 2>&1 && fail "$g ($d) wrote data/xmem/used_kib: not its agent's key"
done

# xe1's agent: a pass (data/updated rewritten) every period at 300x, not every 60 s.
u1=$(xenstore-read "/local/domain/$d_xe1/data/updated" 2>/dev/null) || true
it_wait 10 "xe1's next pass" sh -c "[ \"\$(xenstore-read /local/domain/$d_xe1/data/updated 2>/dev/null)\" != '$u1' ]"

"$SIMHOST" record --dir "$IT_DIR" --out "$IT_DIR/rec.csv" --interval-ms 200 --duration-s 2 ||
	fail "record failed"
head -n1 "$IT_DIR/rec.csv" | grep -q '^t_s,domid,name,demand_kib,.*,psi_some_total_us,meminfo_total_kib,demand_source$' ||
	fail "record: header $(head -n1 "$IT_DIR/rec.csv")"
# Columns: 4 demand_kib, 11 psi_some, 15 psi_some_total_us, 16 meminfo_total_kib,
# 17 demand_source (xmemd's).
for gs in xmem1:xmem-guestd xe1:xe-guest-utilities qubes1:qubes none1:none; do
	g=${gs%%:*} src=${gs#*:}
	awk -F, -v g="$g" '$3 == g { n++; if ($4 != "" && $4 > 0 && $11 != "" && $15 != "" && $16 > 0) ok++ }
		END { exit !(n > 0 && ok == n) }' "$IT_DIR/rec.csv" ||
		fail "record: $g lacks use, PSI, stall total or MemTotal: $(grep ",$g," "$IT_DIR/rec.csv" | head -n 2)"
	last=$(awk -F, -v g="$g" '$3 == g { s = $17 } END { print s }' "$IT_DIR/rec.csv")
	assert_eq "$last" "$src" "$g's demand source in the recording"
done
"$SIMHOST" stop --dir "$IT_DIR" >/dev/null || fail "stop failed"
pass
