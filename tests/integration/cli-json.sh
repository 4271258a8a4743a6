#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every reporting command with --json after it, as xl users type it
# ("xmem list --json"), on a simulated host: the output is one JSON document
# (checked by yajl through json-check) with the members xmem(1) promises.
# Every command of 'xmem help' is either checked here or listed as one that
# reports nothing, so a new command cannot go unchecked.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
. "$XMEM_SRCDIR/tests/integration/cli-lib.sh"
CHECK="$XMEM_BUILDDIR/tests/integration/json-check"
[ -x "$CHECK" ] || missing "$CHECK (not built: make check)"
cli_host 8G
cli_dom0_keys

checked=""
# json CMD KIND KEYS -- ARGS...: run 'xmem ARGS --json', want exit 0 and a KIND
# (object|array) holding KEYS (space separated).
json() {
	local cmd=$1 kind=$2 keys=$3
	shift 4
	expect 0 "$@" --json
	# stderr holds nothing but notes (xmemd's answer to a saved policy, say).
	! grep -v '^xmem: note: ' "$ERR" >/dev/null || fail "xmem $* --json wrote to stderr: $(cat "$ERR")"
	# shellcheck disable=SC2086
	"$CHECK" "$kind" $keys <"$OUT" 2>"$IT_DIR/check.err" ||
		fail "xmem $* --json: $(cat "$IT_DIR/check.err"): $(cat "$OUT")"
	checked="$checked $cmd"
}

json create object "name domid" -- create web1 --memory 1G --maxmem 2G --weight 7000
json create object "name domid" -- create db1 --memory 512M
# A stand-in for xmemd, so that reserve may ask (cli-reserve.sh does the same);
# only now, or create would ask it for each domain's startup memory.
xenstore-write /tool/xmemd/state running /tool/xmemd/pid $$ || fail "write xmemd's state"
json list array "name domid current_kib target_kib demand_kib min_kib max_kib weight managed state" -- list
json list array "name domid" -- list web1 0
json info object "total_kib free_kib reserved_kib xmemd domains managed_domains" -- info
json mem-policy object "name domid managed min_kib max_kib weight buffer_pct" -- mem-policy web1
json mem-policy object "name domid weight" -- mem-policy web1 --weight 100
json mem-set object "domid target_kib maxmem_kib pinned" -- mem-set db1 256M
json reserve object "id state size_kib granted_kib expires" -- reserve 256M --wait 0
id=$(sed -n 's/.*"id": "\(.*\)".*/\1/p' "$OUT")
json reservations array "id state size_kib" -- reservations
# An empty list is an empty array.
expect 0 release "$id"
json reservations array "" -- reservations
assert_eq "$(tr -d ' \n' <"$OUT")" "[]" "no reservations"

# Commands that report nothing take --json too and print nothing.
for args in "mem-max db1 512M" "destroy db1" "help list"; do
	# shellcheck disable=SC2086
	expect 0 $args --json
	case $args in
	help*) ;;
	*) [ ! -s "$OUT" ] || fail "xmem $args --json printed: $(cat "$OUT")" ;;
	esac
	checked="$checked ${args%% *}"
done
# top is a live view: --json is refused in one line.
expect 1 top -b -n 1 --json
one_line_error "top is a live view"
checked="$checked release top"

# Before the command, the same document.
expect 0 list web1 --json
cp "$OUT" "$IT_DIR/after"
expect 0 --json list web1
cmp -s "$OUT" "$IT_DIR/after" || fail "--json before and after the command differ"

# Every command of 'xmem help' was run above.
expect 0 help
for c in $(awk '/^Global options/ { exit } /^ [a-z]/ { print $1 }' "$OUT"); do
	case " $checked " in
	*" $c "*) ;;
	*) fail "'xmem $c --json' is not checked: add it to tests/integration/cli-json.sh" ;;
	esac
done
it_check_store
pass
