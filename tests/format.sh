#!/bin/sh
# Every C file is formatted with the repo's .clang-format (docs/conventions.md).
# The style file is written for clang-format 14 (Debian 12's); another major
# version formats some constructs differently, so the check is skipped there.
set -u
src=${XMEM_SRCDIR:-$(dirname "$0")/..}
cf=${CLANG_FORMAT:-clang-format}
command -v "$cf" >/dev/null 2>&1 || { echo "format: $cf not installed: skipped"; exit 77; }
major=$("$cf" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
[ "$major" = 14 ] || { echo "format: $cf is version ${major:-?}, the style is for 14: skipped"; exit 77; }
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
