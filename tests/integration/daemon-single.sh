#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# daemon-single: one xmem-stored, xmem-hvsim and xmemd per host. A second
# daemon on a live host is refused with one line naming the running pid and
# leaves the first untouched (its tree, its socket, its pid file); the lock
# of a daemon killed with -9 is taken over. Start-up errors are said on the
# caller's stderr even when the daemon would fork or has a log file.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require_core
it_setup
xd_host 8G 512M
stored=$(it_stored_bin)
hvsim=$(it_hvsim_bin)
xmemd=$(xd_bin_xmemd)
spid=$(cat "$IT_DIR/run/stored.pid")
hpid=$(cat "$IT_DIR/run/hvsim.pid")
xenstore-write /single/mark 1 || fail "write"

# refused WHAT PID OUT RC: a one-line refusal naming PID, exit status not 0.
refused() {
	[ "$4" -ne 0 ] || fail "a second $1 started"
	[ "$(printf '%s\n' "$3" | wc -l)" -eq 1 ] || fail "$1: not one line: $3"
	case "$3" in *"pid $2"*) ;; *) fail "$1 does not name pid $2: $3" ;; esac
}

# A second store on the live run directory: refused; the first keeps its tree.
rc=0; out=$("$stored" --rundir "$IT_DIR/store" --pid-file "$IT_DIR/run/stored2.pid" 2>&1) || rc=$?
refused xmem-stored "$spid" "$out" "$rc"
[ ! -e "$IT_DIR/run/stored2.pid" ] || fail "the refused store wrote a pid file"
assert_eq "$(xenstore-read /single/mark)" 1 "the first store's tree through the socket"
rc=0; out=$("$stored" --rundir "$IT_DIR/store" --foreground 2>&1) || rc=$?
refused "xmem-stored --foreground" "$spid" "$out" "$rc"

# A second hypervisor: refused; the first still answers.
rc=0; out=$("$hvsim" --rundir "$IT_DIR/hv" --memory 4G 2>&1) || rc=$?
refused xmem-hvsim "$hpid" "$out" "$rc"
it_hvq physinfo >/dev/null || fail "the first hypervisor stopped answering"

# A second xmemd: refused before touching the pid file; the first keeps running.
xd_xmemd
rc=0
out=$("$xmemd" --host "$IT_DIR" --config "$IT_DIR/run/xmemd.json" --pid-file "$IT_DIR/run/xmemd.pid" \
	--log-file "$IT_DIR/run/xmemd2.log" 2>&1) || rc=$?
refused xmemd "$XD_XMEMD_PID" "$out" "$rc"
assert_eq "$(cat "$IT_DIR/run/xmemd.pid")" "$XD_XMEMD_PID" "xmemd's pid file"
kill -0 "$XD_XMEMD_PID" || fail "the first xmemd died"
assert_eq "$(xenstore-read /tool/xmemd/pid)" "$XD_XMEMD_PID" "xmemd's pid in the tree"

# kill -9: the dead daemons' locks (closed with their files once they are
# gone) are taken over by new ones.
it_kill9 "$XD_XMEMD_PID"
rm -f "$IT_DIR/run/xmemd.pid"
xd_xmemd
it_kill9 "$hpid" "$spid"
rm -f "$IT_DIR/run/stored.pid" "$IT_DIR/run/hvsim.pid"
it_start_stored
it_start_hvsim 8G

# Start-up errors reach the caller's stderr: rundir is a file, a path too long.
: >"$IT_DIR/afile"
rc=0; out=$("$stored" --rundir "$IT_DIR/afile" 2>&1) || rc=$?
[ $rc -ne 0 ] || fail "xmem-stored started on a file"
case "$out" in *"Not a directory"*) ;; *) fail "xmem-stored, rundir a file: '$out'" ;; esac
rc=0; out=$("$stored" --rundir "$IT_DIR/afile" --log-file "$IT_DIR/run/x.log" 2>&1) || rc=$?
case "$out" in *"Not a directory"*) ;; *) fail "xmem-stored --log-file, rundir a file: '$out'" ;; esac
long="$IT_DIR/$(printf 'd%.0s' $(seq 1 120))"
rc=0; out=$("$stored" --rundir "$long" 2>&1) || rc=$?
[ $rc -ne 0 ] || fail "xmem-stored started with a too long socket path"
case "$out" in *"too long"*) ;; *) fail "xmem-stored, long path: '$out'" ;; esac
rc=0; out=$("$hvsim" --rundir "$IT_DIR/afile" --memory 4G 2>&1) || rc=$?
case "$out" in *"Not a directory"*) ;; *) fail "xmem-hvsim, rundir a file: '$out'" ;; esac
mkdir -p "$IT_DIR/empty"
rc=0; out=$("$xmemd" --host "$IT_DIR/empty" --config "$IT_DIR/run/xmemd.json" \
	--log-file "$IT_DIR/run/xmemd3.log" 2>&1) || rc=$?
[ $rc -ne 0 ] || fail "xmemd started without a host"
case "$out" in *"cannot open the key tree"*) ;; *) fail "xmemd --log-file, no host: '$out'" ;; esac
pass
