#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every C file is formatted with the repo's .clang-format (docs/conventions.md).
# The style file is written for clang-format 14 (Debian 12's); another major
# version formats some constructs differently, so it must be 14 (clang-format-14
# is used when present). Missing: a failure that names it.
set -u
src=${XMEM_SRCDIR:-$(dirname "$0")/..}
if [ -z "${CLANG_FORMAT:-}" ] && command -v clang-format-14 >/dev/null 2>&1; then
	CLANG_FORMAT=clang-format-14
fi
cf=${CLANG_FORMAT:-clang-format}
command -v "$cf" >/dev/null 2>&1 ||
	{ echo "format: FAIL: missing: $cf (package clang-format; ./run deps)" >&2; exit 1; }
major=$("$cf" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
[ "$major" = 14 ] ||
	{ echo "format: FAIL: missing: clang-format 14 ($cf is version ${major:-?}; Debian 12's clang-format-14)" >&2; exit 1; }
cd "$src" || exit 1
if [ -e .git ] && command -v git >/dev/null 2>&1; then
	files=$(git ls-files '*.c' '*.h')
else
	files=$(find . -name '*.[ch]' -not -path './build*' -not -name 'config.h')
fi
bad=0
for f in $files; do
	case $f in */xs_schema.h) continue ;; esac
	if ! "$cf" --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "format: $f is not formatted: clang-format -i $f" >&2
		bad=$((bad + 1))
	fi
done
n=$(echo "$files" | wc -w)
[ $bad -eq 0 ] || { echo "format: $bad of $n files need clang-format" >&2; exit 1; }
echo "format: $n files match .clang-format"
