#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/xen/bench.sh: run in dom0 by tests/xen/run.sh --bench. The key-tree
# benchmark (xs-bench, through libxenstore) against the real xenstored and
# against xmem-stored on its own socket, alternately, five rounds each, in
# the same boot; prints the medians and their ratio as a bench-table JSON
# between XMEM-BENCH-JSON-BEGIN/END lines.
. /xmem/scenarios/lib.sh
need_prog xs-bench xmem-stored
scale=${XMEM_BENCH_SCALE:-1000}
rounds=${XMEM_BENCH_ROUNDS:-5}
dir=/run/xmem/bench-stored
mkdir -p $dir
xmem-stored --rundir $dir --pid-file $dir/pid --log-file /run/xmem/xmem-stored-bench.log || {
	echo "xmem-stored did not start"
	exit 1
}
: >/run/xmem/bench.txt
round=0
while [ $round -lt $rounds ]; do
	round=$((round + 1))
	xs-bench --scale $scale | sed 's/^/xenstored /' >>/run/xmem/bench.txt || exit 1
	XENSTORED_PATH=$dir/socket xs-bench --scale $scale | sed 's/^/xmem-stored /' >>/run/xmem/bench.txt || exit 1
done
kill "$(cat $dir/pid)" 2>/dev/null
cat /run/xmem/bench.txt
echo XMEM-BENCH-JSON-BEGIN
awk -v scale=$scale -v rounds=$rounds '
	{ key = $1 " " $2; n[key]++; ops[$2] = 1; t[key, n[key]] = $4; cnt[$2] = $3 }
	function median(k,   a, i, j, m, x) {
		m = n[k]
		for (i = 1; i <= m; i++) a[i] = t[k, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
		return a[int((m + 1) / 2)]
	}
	END {
		printf "{\"table\": {\"columns\": [\"operation (libxenstore, dom0)\", \"count\", \"xenstored ops/s\", \"xmem-stored ops/s\", \"xmem-stored / xenstored\"], \"rows\": ["
		split("write read directory txn watch rm", order, " ")
		first = 1
		for (i = 1; i <= 6; i++) {
			op = order[i]
			if (!(op in ops)) continue
			a = median("xenstored " op); b = median("xmem-stored " op)
			ra = a > 0 ? cnt[op] / a : 0; rb = b > 0 ? cnt[op] / b : 0
			printf "%s[\"%s\", %d, %.1f, %.1f, %.2f]", first ? "" : ", ", op, cnt[op], ra, rb, (ra > 0 ? rb / ra : 0)
			first = 0
		}
		printf "]}, \"note\": \"Xen 4.17 under QEMU TCG (2 emulated CPUs), both stores in the same dom0 boot, medians of %d alternating rounds of xs-bench --scale %d; a ratio above 1 means xmem-stored is faster.\"}\n", rounds, scale
	}' /run/xmem/bench.txt
echo XMEM-BENCH-JSON-END
