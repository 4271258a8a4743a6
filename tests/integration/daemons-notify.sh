#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# daemons-notify.sh: the units' Type=notify, seen from the service manager's end
# (tests/integration/it-notify on $NOTIFY_SOCKET). xmemd --foreground says
# READY=1 with a STATUS= once its first rebalance is done, WATCHDOG=1 when a
# watchdog is asked for, RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 at
# SIGTERM. xmem-guestd --foreground says READY=1 after its first report, with a
# STATUS= saying where it reports, WATCHDOG=1, a new STATUS= when the store is
# gone, and STOPPING=1. The units ask for both (Type=notify, WatchdogSec).
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require_core
it_setup
NOTIFY="$XMEM_BUILDDIR/tests/integration/it-notify"
GUESTD="$XMEM_BUILDDIR/guest/agent/xmem-guestd"
[ -x "$NOTIFY" ] || missing "$NOTIFY (not built: make)"
[ -x "$GUESTD" ] || missing "$GUESTD (not built: make)"

for u in tools/xmemd/xmemd.service guest/agent/xmem-guestd.service; do
	f="$XMEM_BUILDDIR/$u"
	[ -f "$f" ] || missing "$f (not built: make)"
	grep -qx 'Type=notify' "$f" || fail "$u is not Type=notify"
	grep -q '^WatchdogSec=' "$f" || fail "$u asks for no watchdog"
done

# notify_start NAME: a listener on $IT_DIR/NAME.sock writing $IT_DIR/NAME.msgs.
notify_start() {
	: >"$IT_DIR/$1.msgs"
	"$NOTIFY" "$IT_DIR/$1.sock" "$IT_DIR/$1.msgs" &
	it_track $!
	it_wait 10 "the $1 notify socket" test -S "$IT_DIR/$1.sock"
}
said() { grep -q -- "$2" "$IT_DIR/$1.msgs"; }

xd_host 2G 256M
"$XMEM_BUILDDIR/tests/integration/it-mkdomain" --host "$IT_DIR" 5 quiet 2097152 524288 || fail "it-mkdomain 5"

# xmemd.
notify_start xmemd
NOTIFY_SOCKET="$IT_DIR/xmemd.sock" WATCHDOG_USEC=2000000 \
	"$(xd_bin_xmemd)" --host "$IT_DIR" --foreground --period-ms 200 --floor 64M \
	--log-file "$IT_DIR/run/xmemd.log" &
pid=$!
it_track $pid
it_wait 30 "xmemd's READY=1" said xmemd '^READY=1 STATUS=[0-9]* domains'
it_wait 10 "xmemd's WATCHDOG=1" said xmemd '^WATCHDOG=1$'
kill -HUP $pid
it_wait 10 "xmemd's RELOADING=1" said xmemd '^RELOADING=1'
it_wait 10 "xmemd's READY=1 after the reload" sh -c "grep -A3 '^RELOADING=1' '$IT_DIR/xmemd.msgs' | grep -q 'READY=1'"
kill -TERM $pid
it_wait 10 "xmemd's STOPPING=1" said xmemd '^STOPPING=1'
wait $pid 2>/dev/null || true

# xmem-guestd, as domain 5 into the store.
notify_start guestd
NOTIFY_SOCKET="$IT_DIR/guestd.sock" WATCHDOG_USEC=2000000 \
	"$GUESTD" --host "$IT_DIR" --domid 5 --root "$XMEM_SRCDIR/tests/fixtures/guestd/xen-domu-6.1" \
	--foreground --period-ms 200 2>"$IT_DIR/guestd.err" &
gpid=$!
it_track $gpid
it_wait 10 "guestd's READY=1" said guestd "^READY=1 STATUS=reporting every 200 ms to "
it_wait 10 "guestd's WATCHDOG=1" said guestd '^WATCHDOG=1$'
# The store goes: a new STATUS= says so; the daemon goes on.
kill "$(cat "$IT_DIR/run/stored.pid")"
it_wait 10 "guestd's STATUS= about the lost store" said guestd '^STATUS=cannot write the report'
kill -0 $gpid || fail "xmem-guestd exited when the store went"
kill -TERM $gpid
it_wait 10 "guestd's STOPPING=1" said guestd '^STOPPING=1'
wait $gpid 2>/dev/null || true
pass
