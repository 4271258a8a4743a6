# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/integration/lib.sh: sourced by integration tests. Bash (it uses
# `local`, as the tests do): every test that sources it starts with #!/bin/bash.
# shellcheck shell=bash
#
# Each test gets its own runtime directory under $TMPDIR, starts the real
# daemons it needs there, and everything is stopped and removed on exit,
# whatever happened. Tests call pass/fail/missing; "fail" and "missing" exit 1.
# A test never skips: a program, package or file it needs and does not find is
# a failure that names it ("missing").
#
#   . "$XMEM_SRCDIR/tests/integration/lib.sh"
#   it_setup                    # makes $IT_DIR, arms cleanup
#   it_start_stored             # xmem-stored on $IT_DIR/store
#   it_start_hvsim 64G          # xmem-hvsim on $IT_DIR/hv
#   export XENSTORED_PATH=$IT_DIR/store/socket; xenstore-write /a b
#   it_check_store              # CONTROL check must pass (after every scenario)

: "${XMEM_BUILDDIR:?run through make check (or set XMEM_BUILDDIR)}"
: "${XMEM_SRCDIR:?run through make check (or set XMEM_SRCDIR)}"
IT_NAME=$(basename "$0" .sh)
IT_PIDS=""

it_log() { printf '%s: %s\n' "$IT_NAME" "$*" >&2; }
fail() { it_log "FAIL: $*"; exit 1; }
missing() { it_log "FAIL: missing: $*"; exit 1; }
# Tests do not skip; kept so that a test written with skip still fails, by name.
skip() { missing "$@"; }
pass() { it_log "PASS${1:+: $*}"; exit 0; }

# Assert "$1" = "$2" (message $3).
assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-values differ}: got '$1', want '$2'"
}

it_cleanup() {
	local rc=$? pid
	for pid in $IT_PIDS; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $IT_PIDS; do
		local n=0
		while kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
		kill -9 "$pid" 2>/dev/null || true
	done
	if [ $rc -ne 0 ] && [ -d "${IT_DIR:-}" ]; then
		for f in "$IT_DIR"/run/*.log; do
			[ -f "$f" ] || continue
			echo "---- $f (last 40 lines)" >&2
			tail -n 40 "$f" >&2
		done
	fi
	[ -n "${IT_DIR:-}" ] && rm -rf "$IT_DIR"
	exit $rc
}

it_setup() {
	IT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/xmem-it.XXXXXX")
	mkdir -p "$IT_DIR/run"
	trap it_cleanup EXIT
	trap 'exit 1' INT TERM
	export XMEM_HOST="$IT_DIR"
}

# Wait up to $1 seconds for "$3..." to succeed; fail naming $2 otherwise.
it_wait() {
	local secs=$1 what=$2 n=0
	shift 2
	while ! "$@"; do
		n=$((n + 1))
		[ $n -ge $((secs * 5)) ] && fail "timed out ($secs s) waiting for: $what"
		sleep 0.2
	done
}

# Remember a pid to stop at exit.
it_track() { IT_PIDS="$IT_PIDS $1"; }

# Is process $1 gone (exited, or a zombie nobody has reaped)?
it_gone() { [ ! -d "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# kill -9 each of PID...; return once all are gone (up to 10 s), so a daemon
# started next does not find the dead one's lock still held.
it_kill9() {
	local p
	kill -9 "$@" || fail "cannot kill -9 $*"
	for p in "$@"; do
		it_wait 10 "killed process $p to exit" it_gone "$p"
	done
}

# Wait until socket $1 exists (up to 10 s).
it_wait_socket() {
	local n=0
	while [ ! -S "$1" ]; do
		[ $n -ge 100 ] && fail "socket $1 did not appear"
		sleep 0.1; n=$((n + 1))
	done
}

# Wait for pid file $1 and track its pid.
it_track_pidfile() {
	local n=0
	while [ ! -s "$1" ]; do
		[ $n -ge 100 ] && fail "pid file $1 did not appear"
		sleep 0.1; n=$((n + 1))
	done
	it_track "$(cat "$1")"
}

it_stored_bin() { echo "$XMEM_BUILDDIR/tools/stored/xmem-stored"; }
it_hvsim_bin() { echo "$XMEM_BUILDDIR/tools/hvsim/xmem-hvsim"; }

# Start xmem-stored on $IT_DIR/store; extra arguments are passed on.
it_start_stored() {
	local bin; bin=$(it_stored_bin)
	[ -x "$bin" ] || fail "$bin not built"
	"$bin" --rundir "$IT_DIR/store" --pid-file "$IT_DIR/run/stored.pid" \
		--log-file "$IT_DIR/run/stored.log" "$@" || fail "xmem-stored did not start"
	it_track_pidfile "$IT_DIR/run/stored.pid"
	it_wait_socket "$IT_DIR/store/socket"
	export XENSTORED_PATH="$IT_DIR/store/socket"
}

# Start xmem-hvsim with host memory $1 on $IT_DIR/hv; extra arguments are passed on.
it_start_hvsim() {
	local mem=$1; shift
	local bin; bin=$(it_hvsim_bin)
	[ -x "$bin" ] || fail "$bin not built"
	"$bin" --rundir "$IT_DIR/hv" --memory "$mem" --pid-file "$IT_DIR/run/hvsim.pid" \
		--log-file "$IT_DIR/run/hvsim.log" "$@" || fail "xmem-hvsim did not start"
	it_track_pidfile "$IT_DIR/run/hvsim.pid"
	it_wait_socket "$IT_DIR/hv/socket"
}

# Ask the hypervisor started by it_start_hvsim (xmem-hvsim --query: list, physinfo, check, ...).
it_hvq() { "$(it_hvsim_bin)" --query "$IT_DIR/hv" "$@"; }

# Debian's /usr/bin/xenstore-control is a wrapper that needs a running hypervisor;
# the real client lives in /usr/lib/xen-<version>/bin.
it_xenstore_control() {
	local c
	for c in /usr/lib/xen-*/bin/xenstore-control; do
		[ -x "$c" ] && { "$c" "$@"; return; }
	done
	missing "xenstore-control (/usr/lib/xen-*/bin, package xen-utils-4.17; ./run deps)"
}

# CONTROL check: the store's tree and accounting are consistent.
it_check_store() {
	local out
	out=$(XENSTORED_PATH="$IT_DIR/store/socket" it_xenstore_control check 2>&1) ||
		fail "CONTROL check failed: $out"
}
