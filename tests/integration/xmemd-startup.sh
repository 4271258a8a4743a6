#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-startup.sh: a VM starts at its startup size even when memory is short
# (Hyper-V's startup above minimum). On a host whose guests hold most of the
# memory, `xmem create` has xmemd squeeze them toward their minimums, holds
# the freed memory for the new domain and builds it from it: the domain gets
# its whole startup size. A start that even every guest at its minimum cannot
# make room for fails with one line saying how much is missing and whose
# minimums hold it, and leaves nothing behind (no domain, no reservation).
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require
it_setup
xd_tight_host

# 1 GiB is not free now: it must come from the guests.
xd_free_at_least $(( 1024 * 1024 + XD_FLOOR_KIB )) && fail "1 GiB free before squeezing: a bad scenario"
out=$(xd_xmem create big --memory 1G --maxmem 2G --min 1G --max 2G --workload steady:300M) ||
	fail "create big at 1 GiB on a full host"
xd_wait 90 "big to have its startup size" xd_cur_at_least big $((1024 * 1024 - 8192))
for g in g1 g2 g3 g4; do
	xd_cur_at_least $g $((256 * 1024)) || fail "$g squeezed below its minimum"
done
xd_wait 60 "the startup reservation to be consumed" sh -c \
	"[ -z \"\$(xenstore-list $XD_RESV 2>/dev/null)\" ]"

# Far too big: the minimums hold it. One line: what is missing, whose minimums.
if xd_xmem create huge --memory 3G --maxmem 3G --workload idle 2>"$IT_DIR/err" >/dev/null; then
	fail "create huge at 3 GiB succeeded"
fi
[ "$(wc -l < "$IT_DIR/err")" = 1 ] || fail "more than one line: $(cat "$IT_DIR/err")"
grep -q "cannot start huge at 3072 MiB: [0-9]* MiB is missing with every guest at its minimum; the minimums of big (1024 MiB)" "$IT_DIR/err" ||
	fail "create huge's error: $(cat "$IT_DIR/err")"
xd_domid huge >/dev/null && fail "huge exists after a failed create"
[ -z "$(xenstore-list $XD_RESV 2>/dev/null)" ] || fail "a reservation was left behind: $(xenstore-list $XD_RESV)"
xd_end
pass
