# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/integration/cli-lib.sh: helpers of the cli-*.sh tests (sourced after lib.sh).
#
#   cli_host 8G        start xmem-stored and xmem-hvsim (dom0 1G) on $IT_DIR
#   expect RC ARGS...  run xmem ARGS, want exit RC; stdout in $OUT, stderr in $ERR
#   one_line_error S   the failure printed exactly one "xmem: ..." line containing S
#   tree_snapshot F    the whole key tree (paths, values, permissions) into F
#   golden NAME FILE   FILE must equal tests/golden/NAME (XMEM_UPDATE_GOLDEN=1 rewrites it)

XMEM="$XMEM_BUILDDIR/tools/xmem/xmem"
[ -x "$XMEM" ] || fail "$XMEM not built"
OUT="$IT_DIR/out"
ERR="$IT_DIR/err"
command -v xenstore-ls >/dev/null || missing "xenstore-ls (package xenstore-utils; ./run deps)"

cli_host() {
	it_start_stored
	it_start_hvsim "${1:-8G}" --dom0 1G --xen-overhead 64M
}

# dom0's keys, as xen-init-dom0 writes them (one transaction).
cli_dom0_keys() {
	xenstore-write /local/domain/0/name Domain-0 /local/domain/0/memory/static-max 1048576 \
		/local/domain/0/memory/target 1048576 || fail "cannot write dom0's keys"
}

expect() {
	local want=$1 rc=0
	shift
	"$XMEM" "$@" >"$OUT" 2>"$ERR" || rc=$?
	[ "$rc" = "$want" ] || fail "xmem $*: exit $rc, want $want (stderr: $(cat "$ERR"))"
}

one_line_error() {
	[ "$(wc -l <"$ERR")" -eq 1 ] || fail "want one stderr line, got: $(cat "$ERR")"
	grep -qF -- "$1" "$ERR" || fail "stderr lacks '$1': $(cat "$ERR")"
	grep -q '^xmem: ' "$ERR" || fail "stderr does not start with 'xmem: ': $(cat "$ERR")"
}

tree_snapshot() {
	xenstore-ls -f -p / >"$1" 2>&1 || fail "xenstore-ls failed: $(cat "$1")"
}

golden() {
	local want="$XMEM_SRCDIR/tests/golden/$1"
	if [ "${XMEM_UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$2" "$want"
		return 0
	fi
	diff -u "$want" "$2" >&2 || fail "output differs from tests/golden/$1"
}

# A key's value ("" when absent).
key() { xenstore-read "$1" 2>/dev/null || true; }
