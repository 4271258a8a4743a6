#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# stored-xsa: every attack class of the xenstore security advisories
# (XSA-115, -322, -323, -324, -325, -326 and kin: watch, node, transaction
# and quota exhaustion, malformed frames; tests/integration/xs-attack.c
# lists them) played by a hostile guest (xs-attack); after each,
# the daemon is alive, CONTROL check passes, and memory stayed bounded.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
it_start_stored
XMEM_STORED_PID=$(cat "$IT_DIR/run/stored.pid")
export XMEM_STORED_PID
attack="$XMEM_BUILDDIR/tests/integration/xs-attack"
for s in $("$attack" --list | cut -d' ' -f1); do
	"$attack" "$s" || fail "attack class $s"
	it_check_store
done
pass
