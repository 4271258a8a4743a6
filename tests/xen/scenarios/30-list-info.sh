#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# timeout: 400
# list-info: xmem list and xmem info agree with xl list and xl
# info on a real Xen host (names, domids, memory from Xen's tot_pages, the
# key tree's target and static-max, the hypervisor's maxmem, host totals).
. /xmem/scenarios/lib.sh
need_prog xmem
need_guests

r=/run/xmem
# compare_list: one attempt; prints what differs, returns 1 if anything does.
compare_list() {
	local bad=0 n d mem
	xl list >$r/xl-list.txt 2>&1 || { echo "xl list failed"; return 1; }
	xmem list >$r/xmem-list.txt 2>$r/xmem-list.err || { echo "xmem list rc!=0: $(cat $r/xmem-list.err)"; return 1; }
	xmem list --json >$r/xmem-list.json 2>$r/xmem-list.err || { echo "xmem list --json rc!=0: $(cat $r/xmem-list.err)"; return 1; }
	awk 'NR > 1 {print $1, $2, $3}' $r/xl-list.txt | sort >$r/a.txt
	awk 'NR > 1 && NF >= 3 {print $1, $2, $3}' $r/xmem-list.txt | sort >$r/b.txt
	if ! diff $r/a.txt $r/b.txt >$r/list.diff; then
		echo "Name/ID/Mem columns differ (xl -, xmem +): $(grep '^[-+][^-+]' $r/list.diff | tr '\n' ' ')"
		bad=1
	fi
	xen_dump $r/dump.txt
	while read -r n d mem; do
		j=$(jlist_get $r/xmem-list.json "$n" domid)
		[ "$j" = "$d" ] || { echo "$n: json domid '$j', xl $d"; bad=1; }
		j=$(jlist_get $r/xmem-list.json "$n" current_kib)
		[ "$j" = $((mem * 1024)) ] || { echo "$n: json current_kib '$j', xl Mem $mem MiB"; bad=1; }
		[ "$d" = 0 ] && continue
		for k in target:target_kib static-max:static_max_kib; do
			x=$(xenstore-read /local/domain/$d/memory/${k%%:*})
			j=$(jlist_get $r/xmem-list.json "$n" ${k#*:})
			[ "$j" = "$x" ] || { echo "$n: json ${k#*:} '$j', memory/${k%%:*} $x"; bad=1; }
		done
		x=$(xen_max_kib $d $r/dump.txt)
		j=$(jlist_get $r/xmem-list.json "$n" hv_max_kib)
		[ "$j" = "$x" ] || { echo "$n: json hv_max_kib '$j', Xen max_pages*4 $x"; bad=1; }
	done <$r/a.txt
	return $bad
}

# Guests may still be settling: three attempts, the last one's report counts.
ok=0
for i in 1 2 3; do
	if compare_list >$r/list-report.txt 2>&1; then ok=1; break; fi
	sleep 2
done
if [ $ok != 1 ]; then
	cat $r/xl-list.txt $r/xmem-list.txt $r/xmem-list.json
	fail "list: $(cat $r/list-report.txt)"
fi
ndom=$(wc -l <$r/a.txt)

compare_info() {
	local bad=0 tot free j
	xl info >$r/xl-info.txt 2>&1 || { echo "xl info failed"; return 1; }
	xmem info >$r/xmem-info.txt 2>$r/xmem-info.err || { echo "xmem info rc!=0: $(cat $r/xmem-info.err)"; return 1; }
	xmem info --json >$r/xmem-info.json 2>$r/xmem-info.err || { echo "xmem info --json rc!=0: $(cat $r/xmem-info.err)"; return 1; }
	tot=$(awk '$1 == "total_memory" {print $3}' $r/xl-info.txt)
	free=$(awk '$1 == "free_memory" {print $3}' $r/xl-info.txt)
	j=$(jget $r/xmem-info.json total_kib)
	[ "$((${j:-0} / 1024))" = "$tot" ] || { echo "total_kib '$j', xl info total_memory $tot MiB"; bad=1; }
	j=$(jget $r/xmem-info.json free_kib)
	d=$((${j:-0} / 1024 - free))
	[ $d -le 2 ] && [ $d -ge -2 ] || { echo "free_kib '$j', xl info free_memory $free MiB"; bad=1; }
	j=$(jget $r/xmem-info.json domains)
	[ "$j" = "$ndom" ] || { echo "domains '$j', xl list has $ndom"; bad=1; }
	return $bad
}
ok=0
for i in 1 2 3; do
	if compare_info >$r/info-report.txt 2>&1; then ok=1; break; fi
	sleep 2
done
if [ $ok != 1 ]; then
	cat $r/xl-info.txt $r/xmem-info.txt $r/xmem-info.json
	fail "info: $(cat $r/info-report.txt)"
fi
cat $r/xmem-list.txt $r/xmem-info.txt
pass "$ndom domains: Name/ID/Mem, target, static-max and Xen maxmem agree with xl list, xenstore and Xen; total/free/domains agree with xl info"
