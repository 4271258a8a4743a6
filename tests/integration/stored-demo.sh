#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# stored-demo: the store demo (what ./run demo shows) runs to completion.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
command -v xenstore-write >/dev/null || missing "xenstore-write (package xenstore-utils; ./run deps)"
out=$("$XMEM_SRCDIR/tests/integration/store-demo.sh" "$XMEM_BUILDDIR" 2>&1) || {
	printf '%s\n' "$out" >&2
	fail "store-demo.sh failed"
}
printf '%s\n' "$out" | grep -q "refused, as libxl" || fail "the demo shows no refusal"
pass
