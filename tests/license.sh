#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/license.sh: every tracked source, script and build file carries the
# SPDX-License-Identifier line (scripts/spdx.sh --check), LICENSE holds the
# LGPL-2.1 text, and scripts/spdx.sh itself works on a scratch tree: --check
# names a file without the line, --fix adds it in each syntax, and a second
# --fix changes nothing.
set -u
src=${XMEM_SRCDIR:-$(dirname "$0")/..}
spdx="$src/scripts/spdx.sh"
fail() { echo "license: FAIL: $*" >&2; exit 1; }
command -v git >/dev/null 2>&1 || fail "missing: git (package git)"

grep -q 'GNU LESSER GENERAL PUBLIC LICENSE' "$src/LICENSE" || fail "LICENSE lacks the LGPL text"
grep -q 'Version 2.1, February 1999' "$src/LICENSE" || fail "LICENSE is not version 2.1"
grep -q '^SPDX-License-Identifier: LGPL-2.1-or-later$' "$src/LICENSE" || fail "LICENSE does not say LGPL-2.1-or-later"
grep -q 'LGPL-2.1-or-later' "$src/README.md" || fail "README.md does not say the license"

"$spdx" --check "$src" || fail "files above lack the license line"

# The script on a scratch git tree.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xmem-license.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || fail "cannot enter $tmp"
git init -q . || fail "git init"
mkdir -p m4 sub
printf '/*\n * a.c: a file.\n */\nint a;\n' >a.c
printf '#!/bin/sh\necho hi\n' >run.sh
printf '# sourced\nx=1\n' >lib.sh
printf 'AC_INIT([x], [1])\n' >configure.ac
printf 'dnl a macro\n' >m4/x.m4
printf 'bin_PROGRAMS =\n' >sub/Makefrag.am
printf '#!/usr/bin/env python3\nprint(1)\n' >tool
printf 'not a source\n' >notes.txt
git add . || fail "git add"
"$spdx" --check . >out 2>&1 && fail "--check passed a tree without license lines"
for f in a.c run.sh lib.sh configure.ac m4/x.m4 sub/Makefrag.am tool; do
	grep -q "spdx: $f lacks" out || fail "--check did not name $f: $(cat out)"
done
grep -q notes.txt out && fail "--check names a file that is no source"
"$spdx" --fix . >/dev/null || fail "--fix failed"
"$spdx" --check . >/dev/null 2>&1 || fail "--check fails after --fix"
[ "$(sed -n 1p a.c)" = "/* SPDX-License-Identifier: LGPL-2.1-or-later */" ] || fail "a.c: $(sed -n 1p a.c)"
[ "$(sed -n 2p a.c)" = "/*" ] || fail "a.c lost its first line"
[ "$(sed -n 1p run.sh)" = "#!/bin/sh" ] || fail "run.sh lost its shebang"
[ "$(sed -n 2p run.sh)" = "# SPDX-License-Identifier: LGPL-2.1-or-later" ] || fail "run.sh: $(sed -n 2p run.sh)"
[ "$(sed -n 1p lib.sh)" = "# SPDX-License-Identifier: LGPL-2.1-or-later" ] || fail "lib.sh: $(sed -n 1p lib.sh)"
[ "$(sed -n 1p configure.ac)" = "dnl SPDX-License-Identifier: LGPL-2.1-or-later" ] || fail "configure.ac"
[ "$(sed -n 1p m4/x.m4)" = "dnl SPDX-License-Identifier: LGPL-2.1-or-later" ] || fail "m4/x.m4"
[ "$(sed -n 1p sub/Makefrag.am)" = "# SPDX-License-Identifier: LGPL-2.1-or-later" ] || fail "Makefrag.am"
[ "$(sed -n 2p tool)" = "# SPDX-License-Identifier: LGPL-2.1-or-later" ] || fail "tool: $(sed -n 2p tool)"
[ "$(cat notes.txt)" = "not a source" ] || fail "--fix changed notes.txt"
sum1=$(cat a.c run.sh lib.sh configure.ac m4/x.m4 sub/Makefrag.am tool | cksum)
"$spdx" --fix . >/dev/null || fail "second --fix failed"
sum2=$(cat a.c run.sh lib.sh configure.ac m4/x.m4 sub/Makefrag.am tool | cksum)
[ "$sum1" = "$sum2" ] || fail "a second --fix changed files"
echo "license: LICENSE is LGPL-2.1-or-later; every source, script and build file says so"
