#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# stored-conformance: libxenstore against xmem-stored. Our own client
# (xs-conformance: permissions as libxl sets them, watches, transactions,
# domains, quotas) and Xen's test-xenstore (package xen-utils-4.17), each
# followed by CONTROL check.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
it_start_stored

for t in $("$XMEM_BUILDDIR/tests/integration/xs-conformance" --list | cut -d' ' -f1); do
	"$XMEM_BUILDDIR/tests/integration/xs-conformance" --test "$t" || fail "conformance test $t"
	it_check_store
done

found=
for x in /usr/lib/xen-*/bin/test-xenstore; do
	[ -x "$x" ] || continue
	found=$x
	"$x" >"$IT_DIR/test-xenstore.out" 2>&1 || {
		cat "$IT_DIR/test-xenstore.out" >&2
		fail "Xen's test-xenstore"
	}
	it_check_store
done
[ -n "$found" ] || missing "Xen's test-xenstore (/usr/lib/xen-*/bin, package xen-utils-4.17; ./run deps)"
pass
