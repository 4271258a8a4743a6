#!/bin/bash
# stored-conformance: libxenstore against xmem-stored. Our own client
# (xs-conformance: permissions as libxl sets them, watches, transactions,
# domains, quotas) and Xen's test-xenstore when installed, each followed by
# CONTROL check.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
it_start_stored

for t in $("$XMEM_BUILDDIR/tests/integration/xs-conformance" --list | cut -d' ' -f1); do
	"$XMEM_BUILDDIR/tests/integration/xs-conformance" --test "$t" || fail "conformance test $t"
	it_check_store
done

for x in /usr/lib/xen-*/bin/test-xenstore; do
	[ -x "$x" ] || continue
	"$x" >"$IT_DIR/test-xenstore.out" 2>&1 || {
		cat "$IT_DIR/test-xenstore.out" >&2
		fail "Xen's test-xenstore"
	}
	it_check_store
done
pass
