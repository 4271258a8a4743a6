#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# store-demo.sh BUILDDIR: a narrated session with xmem-stored and Debian's
# xenstore-utils (what `./run demo` shows until the simulated host exists).
# Starts the daemon on a temporary directory, plays the toolstack (dom0), a
# guest's balloon frontend and the guest itself, and cleans up. Exit 0.
set -euo pipefail
build=$(cd "${1:?usage: store-demo.sh BUILDDIR}" && pwd)
stored="$build/tools/stored/xmem-stored"
xsdomain="$build/tests/integration/xs-domain"
[ -x "$stored" ] || { echo "store-demo: $stored not built" >&2; exit 1; }
[ -x "$xsdomain" ] || { echo "store-demo: $xsdomain not built" >&2; exit 1; }
command -v xenstore-write >/dev/null || { echo "store-demo: install xenstore-utils" >&2; exit 1; }
xscontrol=xenstore-control
for c in /usr/lib/xen-*/bin/xenstore-control; do [ -x "$c" ] && xscontrol=$c; done

dir=$(mktemp -d "${TMPDIR:-/tmp}/xmem-store-demo.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	[ -s "$dir/stored.pid" ] && kill "$(cat "$dir/stored.pid")" 2>/dev/null || true
	sleep 0.2
	rm -rf "$dir"
}
trap cleanup EXIT

if [ -t 1 ]; then B=$'\e[1m'; D=$'\e[2m'; G=$'\e[32m'; R=$'\e[31m'; N=$'\e[0m'; else B= D= G= R= N=; fi
say() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
run() { printf '%s$ %s%s\n' "$D" "$*" "$N"; "$@"; }
as_guest() { # as_guest CMD ARGS...: run a xenstore-utils command on domain 5's socket
	printf '%s[guest 5]$ %s%s\n' "$D" "$*" "$N"
	XENSTORED_PATH="$dir/store/domain/5/socket" "$@"
}
refused() { # refused CMD...: the guest must be refused
	if as_guest "$@" 2>/dev/null; then
		printf '%s   allowed?! that would be a bug%s\n' "$R" "$N"; exit 1
	fi
	printf '%s   refused, as libxl'"'"'s permissions require%s\n' "$G" "$N"
}

say "Start xmem-stored: it listens on $dir/store/socket before the command returns"
run "$stored" --rundir "$dir/store" --pid-file "$dir/stored.pid" --log-file "$dir/stored.log"
export XENSTORED_PATH="$dir/store/socket"
run xenstore-write /local/domain/0/name Domain-0

say "The toolstack creates domain 5 the way libxl does (permissions included)"
run xenstore-write /local/domain/5 ""
run xenstore-chmod /local/domain/5 n0 r5
run xenstore-write /local/domain/5/name web1 /local/domain/5/memory/static-max 1048576 \
	/local/domain/5/memory/target 524288
run xenstore-write /local/domain/5/data ""
run xenstore-chmod /local/domain/5/data n5
run "$xsdomain" introduce 5
printf '   the store opened %s for the guest\n' "$(ls "$dir/store/domain/5/socket")"
run xenstore-ls -p /local/domain/5

say "The guest's balloon frontend watches its target (on the guest's own socket)"
XENSTORED_PATH="$dir/store/domain/5/socket" xenstore-watch -n 2 memory/target >"$dir/watch.out" &
pids="$pids $!"
for _ in $(seq 50); do [ -s "$dir/watch.out" ] && break; sleep 0.1; done
run xenstore-write /local/domain/5/memory/target 393216
wait $! 2>/dev/null || true
printf '   the frontend saw: %s\n' "$(tr '\n' ' ' <"$dir/watch.out")"

say "The guest reads its target and reports its memory under data/"
as_guest xenstore-read memory/target
as_guest xenstore-read name
as_guest xenstore-write data/meminfo_free 131072
run xenstore-read /local/domain/5/data/meminfo_free

say "The guest is refused what libxl forbids"
refused xenstore-write memory/target 1048576
refused xenstore-write control/feature-balloon 1
refused xenstore-read /local/domain/0/name
refused xenstore-ls /local/domain

say "Accounting and consistency, as C xenstored's CONTROL commands show them"
run "$xscontrol" quota 5
run "$xscontrol" check

say "RELEASE: the guest's connections and socket go, so do the nodes it owned"
xenstore-watch -n 2 @releaseDomain >"$dir/release.out" &
pids="$pids $!"
for _ in $(seq 50); do [ -s "$dir/release.out" ] && break; sleep 0.1; done
run "$xsdomain" release 5
wait $! 2>/dev/null || true
printf '   @releaseDomain watchers saw: %s\n' "$(tr '\n' ' ' <"$dir/release.out")"
run xenstore-ls -p /local/domain/5
run "$xscontrol" check

say "Done: the store is stopped and $dir removed"
