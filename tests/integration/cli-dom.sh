#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmem create and destroy on a simulated host: libxl's keys and permissions,
# the policy keys, the guest process, and every error path leaving nothing.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
. "$XMEM_SRCDIR/tests/integration/cli-lib.sh"
cli_host 4G

expect 0 create web1 --memory 1G --maxmem 2G --min 512M --max 2G --weight 7000 --buffer 25 --json
grep -q '"domid": 1' "$OUT" || fail "create --json: $(cat "$OUT")"
D=/local/domain/1
assert_eq "$(key $D/name)" web1 "name"
assert_eq "$(key $D/memory/static-max) $(key $D/memory/target)" "2097152 1048576" "memory keys"
assert_eq "$(key $D/memory/dynamic-min) $(key $D/memory/dynamic-max) $(key $D/memory/weight) $(key $D/memory/buffer) $(key $D/memory/managed)" \
	"524288 2097152 7000 25 1" "policy keys"
# libxl's permissions: the domain reads its home and memory/, owns data/.
assert_eq "$(xenstore-ls -p $D 2>/dev/null | sed -n 's/^memory = .*(\(.*\))$/\1/p' | tr -d ' ')" "n0,r1" \
	"memory/ permissions"
assert_eq "$(xenstore-ls -p $D 2>/dev/null | sed -n 's/^data = .*(\(.*\))$/\1/p' | tr -d ' ')" "n1" \
	"data/ permissions"
expect 0 list web1 --json
grep -q '"current_kib": 1048576' "$OUT" || fail "hypervisor allocation: $(cat "$OUT")"

# Errors, each leaving the host as it was.
tree_snapshot "$IT_DIR/before"
expect 1 create web1 --memory 1G
one_line_error "exists already: choose another name, or 'xmem destroy web1' first"
expect 1 create web2
one_line_error "--memory SIZE is required"
expect 1 create web2 --memory 2G --maxmem 1G
one_line_error "create: "
expect 1 create web2 --memory 64G
one_line_error "free memory first"
expect 1 create 'bad/name' --memory 1G
one_line_error "create: "
expect 1 create web2 --memory 1G --weight 10001
one_line_error "--weight 10001 is out of range"
expect 1 create web2 --memory 1G --reservation nosuch
one_line_error "reservation nosuch is not granted"
expect 1 create web2 --memory 1G --agent xe-guest-utilities
one_line_error "create: --agent needs --workload"
tree_snapshot "$IT_DIR/after"
diff -u "$IT_DIR/before" "$IT_DIR/after" >&2 || fail "a failed create wrote to the key tree"
expect 0 list
assert_eq "$(awk 'NR > 1 { print $1 }' "$OUT" | tr '\n' ' ')" "Domain-0 web1 " "domains after failures"

expect 1 destroy 0
one_line_error "dom0 cannot be destroyed"
expect 1 destroy nosuch
one_line_error "unknown domain 'nosuch'"

# A guest process (xmem-balloon).
BALLOON="$XMEM_BUILDDIR/guest/balloon/xmem-balloon"
[ -x "$BALLOON" ] || missing "$BALLOON (not built: make)"
# A relative --host works for the guest process too (it changes directory).
(cd "$IT_DIR/.." && "$XMEM" --host "./$(basename "$IT_DIR")" create web2 --memory 1G \
	--maxmem 2G --workload steady:600M >"$OUT" 2>"$ERR") || fail "create web2: $(cat "$ERR")"
pid=$(cat "$IT_DIR/run/balloon-2.pid") || fail "no pid file"
kill -0 "$pid" || fail "xmem-balloon is not running"
[ -f "$IT_DIR/run/balloon-2.log" ] || fail "no log file"
expect 0 destroy web2
n=0
while kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
kill -0 "$pid" 2>/dev/null && fail "destroy left xmem-balloon running"
[ ! -e "$IT_DIR/run/balloon-2.pid" ] || fail "destroy left the pid file"
# A guest that cannot start: the domain goes again.
expect 1 create web3 --memory 1G --workload nonsense:1
one_line_error "xmem-balloon did not start for domain 2: unknown workload 'nonsense:1'"
expect 1 list web3

expect 0 destroy web1
assert_eq "$(key $D/name)" "" "keys after destroy"
expect 0 list
assert_eq "$(awk 'NR > 1 { print $1 }' "$OUT" | tr '\n' ' ')" "Domain-0 " "domains after destroy"
expect 1 destroy web1
one_line_error "unknown domain 'web1'"
it_check_store
pass
