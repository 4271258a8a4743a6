#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-create-rollback.sh: `xmem create` on a simulated host with xmemd
# running leaves nothing behind when it fails, at each point: the startup
# reservation cannot be freed, the domain cannot be built (its name is
# taken), the guest process cannot start. No domain, no reservation, one line.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require
it_setup
xd_host 4G 512M
xd_xmemd
xd_xmem create g1 --memory 512M --maxmem 1G --workload idle >/dev/null || fail "create g1"
nodoms() { xenstore-list /local/domain | wc -l; }
n0=$(nodoms)

no_leftovers() {
	[ "$(nodoms)" = "$n0" ] || fail "$1: a domain was left behind"
	[ -z "$(xenstore-list /tool/xmemd/reservation 2>/dev/null)" ] ||
		fail "$1: a reservation was left behind: $(xenstore-list /tool/xmemd/reservation)"
	[ "$(wc -l < "$IT_DIR/err")" = 1 ] || fail "$1: not one line: $(cat "$IT_DIR/err")"
}

# The startup memory cannot be freed.
xd_xmem create big --memory 8G --maxmem 8G --workload idle 2>"$IT_DIR/err" >/dev/null &&
	fail "create big succeeded"
grep -q "cannot start big" "$IT_DIR/err" || fail "big: $(cat "$IT_DIR/err")"
no_leftovers "startup memory"

# The domain cannot be built: its name is taken (after the startup reservation was granted).
xd_xmem create g1 --memory 256M --workload idle 2>"$IT_DIR/err" >/dev/null &&
	fail "a second g1 was created"
grep -q "exists already" "$IT_DIR/err" || fail "second g1: $(cat "$IT_DIR/err")"
no_leftovers "name taken"

# The guest process cannot start.
XMEM_BALLOON="$IT_DIR/no-such-balloon" xd_xmem create g2 --memory 256M --workload idle \
	2>"$IT_DIR/err" >/dev/null && fail "g2 created without its guest process"
no_leftovers "guest process"
xd_domid g2 >/dev/null && fail "g2 exists"
xd_end
pass
