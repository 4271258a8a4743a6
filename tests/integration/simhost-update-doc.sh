#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/update-doc.sh puts each bench's table in its section of the performance page,
# replaces it on the next run, and keeps every section's prose.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
table="$XMEM_BUILDDIR/bench/bench-table"
[ -x "$table" ] || missing "bench/bench-table (not built: make)"
export BENCH_TABLE="$table"

mkdir -p "$IT_DIR/build/bench-results"
res="$IT_DIR/build/bench-results"
doc="$IT_DIR/perf.md"
cat > "$doc" <<'DOC'
# Performance

Intro prose.

## Store (bench/alpha)

Alpha prose before.

Not measured yet.

## Other (bench/beta)

Beta prose, no placeholder.

## Untouched (bench/gamma)

Not measured yet.
DOC
echo '{"table": {"columns": ["case", "ms"], "rows": [["one", 1.5], ["two|pipe", 2000]]}, "note": "A note."}' > "$res/alpha.json"
echo '{"rate": 10, "inner": {"x": true}}' > "$res/beta.json"
echo '{"x": 1}' > "$res/nosuch.json"
"$XMEM_SRCDIR/bench/update-doc.sh" "$res" "$doc" 2>"$IT_DIR/err" || fail "update-doc failed: $(cat "$IT_DIR/err")"
grep -q "nosuch.json skipped" "$IT_DIR/err" || fail "a result without a section is not reported"
for line in "Intro prose." "Alpha prose before." "Beta prose, no placeholder." \
	"| case | ms |" "| one | 1.50 |" '| two\|pipe | 2000 |' "A note." "| rate | 10 |" \
	"| inner.x | yes |"; do
	grep -qF -- "$line" "$doc" || fail "missing after the first run: $line"
done
assert_eq "$(grep -c '^Not measured yet\.$' "$doc")" 1 "placeholders left (gamma only)"
# beta's table comes after its prose, inside its own section.
awk '/^## Other/ { s = 1 } /^## Untouched/ { s = 0 } s && /\| rate \| 10 \|/ { ok = 1 } END { exit !ok }' "$doc" ||
	fail "beta's table is not in its section"

# Second run with new figures: tables replaced, not added; prose unchanged.
echo '{"table": {"columns": ["case", "ms"], "rows": [["one", 3]]}}' > "$res/alpha.json"
"$XMEM_SRCDIR/bench/update-doc.sh" "$res" "$doc" 2>/dev/null || fail "second update-doc failed"
grep -qF "| one | 3 |" "$doc" || fail "alpha's table was not replaced"
grep -qF "| one | 1.50 |" "$doc" && fail "alpha's old table is still there"
assert_eq "$(grep -c 'bench:alpha begin' "$doc")" 1 "alpha tables"
assert_eq "$(grep -c 'bench:beta begin' "$doc")" 1 "beta tables"
assert_eq "$(grep -c '^Alpha prose before\.$' "$doc")" 1 "alpha prose"

# A malformed result is skipped, the document stays intact.
echo '{"table": {"rows": 3}}' > "$res/alpha.json"
cp "$doc" "$IT_DIR/before.md"
"$XMEM_SRCDIR/bench/update-doc.sh" "$res" "$doc" 2>"$IT_DIR/err" || fail "update-doc failed on a bad table"
grep -q "alpha.json: table" "$IT_DIR/err" || fail "bad table not reported: $(cat "$IT_DIR/err")"
grep -qF "| one | 3 |" "$doc" || fail "a bad result destroyed the previous table"
pass
