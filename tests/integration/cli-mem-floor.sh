#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cli-mem-floor: no CLI command sets a guest below its floor (128 MiB, libxl's
# LIBXL_MIN_DOM0_MEM, or its static-max when smaller), each refusal is one
# line and writes nothing, and no command leaves the policy keys inconsistent
# (dynamic-min <= startup <= dynamic-max <= static-max): a pinned mem-set
# brings startup along, so mem-policy still accepts changes afterwards.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
. "$XMEM_SRCDIR/tests/integration/cli-lib.sh"
cli_host 8G
cli_dom0_keys
expect 0 create web1 --memory 1G --maxmem 4G --min 512M --max 2G
D=/local/domain/1/memory
key() { xenstore-read "$1" 2>/dev/null || true; }

# A refused command writes nothing.
refused() {
	local msg=$1
	shift
	tree_snapshot "$IT_DIR/before"
	expect 1 "$@"
	one_line_error "$msg"
	tree_snapshot "$IT_DIR/after"
	diff -u "$IT_DIR/before" "$IT_DIR/after" >&2 || fail "xmem $* wrote to the key tree"
}

# The policy keys of domain 1 are ordered.
consistent() {
	local dmin dmax st smax
	dmin=$(key $D/dynamic-min) dmax=$(key $D/dynamic-max) st=$(key $D/startup) smax=$(key $D/static-max)
	[ "$dmin" -le "$dmax" ] || fail "$1: dynamic-min $dmin > dynamic-max $dmax"
	[ "$dmin" -le "$st" ] && [ "$st" -le "$dmax" ] || fail "$1: startup $st outside [$dmin, $dmax]"
	[ "$dmax" -le "$smax" ] || fail "$1: dynamic-max $dmax > static-max $smax"
}
consistent "after create"

refused "below a guest's floor (128 MiB" mem-set web1 1K
refused "below a guest's floor" mem-set web1 127M
refused "below a guest's floor" mem-policy web1 --min 1K
refused "below a guest's floor" mem-policy web1 --max 64M --min 64M
refused "below a guest's floor" mem-policy web1 --startup 100M --min 100M
consistent "after the refusals"

# At the floor: accepted, pinned, startup brought along.
expect 0 mem-set web1 128M
grep -q "pinned at 128 MiB" "$OUT" || fail "mem-set output: $(cat "$OUT")"
assert_eq "$(key $D/target)" 131072 "target at the floor"
consistent "after a pinned mem-set"
expect 0 mem-policy web1 --weight 5000
expect 0 mem-policy web1 --min 256M --max 2G --startup 1G
consistent "after mem-policy"

# mem-max cannot go below startup, also for a domain without a dynamic range (as libxl leaves it).
xenstore-rm $D/dynamic-min && xenstore-rm $D/dynamic-max || fail "rm the dynamic range"
refused "below domain web1's startup" mem-max web1 512M

# create: a dynamic range below the floor is refused; a guest built smaller keeps its size.
refused "below a guest's floor" create tiny --memory 1G --min 1K
expect 0 create small --memory 64M
expect 0 mem-set small 64M
S=/local/domain/2/memory
[ "$(key $S/static-max)" = 65536 ] || fail "small's static-max: $(key $S/static-max)"
refused "below a guest's floor (64 MiB" mem-set small 32M
it_check_store
pass
