#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# timeout: 180
# store-conformance: the same libxenstore conformance scenario
# (tests/xen/xs_conform.c) gives identical answers from the real xenstored and
# from xmem-stored started in dom0 on its own socket.
. /xmem/scenarios/lib.sh
need_prog xs-conform

xs-conform >/run/xmem/conform-real.txt 2>&1 || fail "xs-conform against xenstored: $(tail -n 3 /run/xmem/conform-real.txt)"
steps=$(wc -l </run/xmem/conform-real.txt)
log "xenstored answered $steps steps"
if ! command -v xmem-stored >/dev/null 2>&1; then
	sed 's/^/[xenstored] /' /run/xmem/conform-real.txt
	fail "missing: xmem-stored (not built; xenstored's $steps answers are in the serial log)"
fi

dir=/run/xmem/stored
mkdir -p $dir
xmem-stored --rundir $dir --pid-file $dir/xmem-stored.pid --log-file /run/xmem/xmem-stored.log ||
	fail "xmem-stored did not start: $(tail -n 3 /run/xmem/xmem-stored.log 2>/dev/null)"
sock=""
for s in $dir/socket $dir/store/socket; do
	[ -S $s ] && sock=$s && break
done
[ -n "$sock" ] || fail "xmem-stored made no socket in $dir"
XENSTORED_PATH=$sock xs-conform >/run/xmem/conform-stored.txt 2>&1
rc=$?
kill "$(cat $dir/xmem-stored.pid 2>/dev/null)" 2>/dev/null
[ $rc -eq 0 ] || fail "xs-conform against xmem-stored rc=$rc: $(tail -n 3 /run/xmem/conform-stored.txt)"
if ! diff /run/xmem/conform-real.txt /run/xmem/conform-stored.txt >/run/xmem/conform.diff; then
	echo "---- xenstored (-) vs xmem-stored (+)"
	cat /run/xmem/conform.diff
	# busybox diff is unified: count the transcript's lines that changed.
	n=$(grep -c '^-[^-]' /run/xmem/conform.diff)
	fail "$n of $steps answers differ (xenstored -, xmem-stored +): $(grep '^[-+][^-+]' /run/xmem/conform.diff | head -n 4 | tr '\n' ' ')"
fi
pass "$steps answers identical from xenstored and xmem-stored"
