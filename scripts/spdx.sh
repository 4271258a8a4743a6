#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# scripts/spdx.sh --check|--fix [DIR]: every source, script and build file of
# the tree at DIR (default: this repository) starts with the license line
#   SPDX-License-Identifier: LGPL-2.1-or-later
# in its own comment syntax:
#   *.c *.h                         first line  /* SPDX-License-Identifier: ... */
#   scripts with #! (sh, bash, py)  line after the shebang  # SPDX-...
#   other *.sh *.py, *.am (Makefile.am, Makefrag.am), *.service, run
#                                   first line  # SPDX-...
#   configure.ac, *.m4              first line  dnl SPDX-...
# Files are git's tracked ones when DIR is a git checkout (else found by name,
# build directories left out); data, fixtures, golden outputs and documents
# are not sources. --check lists the files without the line and exits 1;
# --fix inserts it where it is missing and leaves every other file as it is,
# so running it again changes nothing.
set -eu

usage() { echo "usage: scripts/spdx.sh --check|--fix [DIR]" >&2; exit 2; }
ID="SPDX-License-Identifier: LGPL-2.1-or-later"

mode=
case ${1:-} in
--check) mode=check ;;
--fix) mode=fix ;;
-h | --help) sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) usage ;;
esac
dir=${2:-$(dirname "$0")/..}
[ $# -le 2 ] || usage
cd "$dir" || { echo "spdx: no directory $dir" >&2; exit 2; }

list_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files
	else
		# A release tarball: leave out what autotools generated or copied in.
		find . -type f -not -path './build*' -not -path './.git/*' -not -path './autom4te.cache/*' |
			sed 's|^\./||' | grep -Ev '^(configure|config\.[a-z]+|aclocal\.m4|install-sh|depcomp|compile|missing|test-driver|ltmain\.sh|ar-lib|libtool|m4/(libtool|lt[a-z~]*)\.m4)$'
	fi
}

# kind FILE: the comment style FILE takes (c, hash, dnl), or nothing when it is
# no source, script or build file.
kind() {
	case $1 in
	*/fixtures/* | */corpus/* | */golden/* | data/*) return 0 ;;
	*.c | *.h) echo c ;;
	configure.ac | *.m4) echo dnl ;;
	*.sh | *.py | *.am | *.service | run | */run)
		echo hash ;;
	*)
		# Any other executable script.
		if [ -f "$1" ] && head -c 2 "$1" | grep -q '^#!'; then echo hash; fi ;;
	esac
}

# want FILE KIND: the line number the license line belongs on (1 or 2).
want_line() {
	if [ "$2" = hash ] && head -c 2 "$1" | grep -q '^#!'; then echo 2; else echo 1; fi
}

# The license line as KIND writes it.
id_line() {
	case $1 in
	c) echo "/* $ID */" ;;
	dnl) echo "dnl $ID" ;;
	hash) echo "# $ID" ;;
	esac
}

has_line() { # FILE KIND
	[ "$(sed -n "$(want_line "$1" "$2")p" "$1")" = "$(id_line "$2")" ]
}

fix_file() { # FILE KIND
	local n tmp
	n=$(want_line "$1" "$2")
	tmp=$(mktemp "$1.spdx.XXXXXX")
	if [ "$n" = 2 ]; then
		{ sed -n 1p "$1"; id_line "$2"; sed 1d "$1"; } >"$tmp"
	else
		{ id_line "$2"; cat "$1"; } >"$tmp"
	fi
	chmod --reference="$1" "$tmp" 2>/dev/null || true
	mv "$tmp" "$1"
}

bad=0 total=0 fixed=0
for f in $(list_files); do
	[ -f "$f" ] || continue
	k=$(kind "$f")
	[ -n "$k" ] || continue
	total=$((total + 1))
	has_line "$f" "$k" && continue
	if [ $mode = fix ]; then
		fix_file "$f" "$k"
		fixed=$((fixed + 1))
	else
		echo "spdx: $f lacks '$(id_line "$k")' on line $(want_line "$f" "$k")" >&2
		bad=$((bad + 1))
	fi
done
if [ $mode = fix ]; then
	echo "spdx: $fixed of $total files given the license line"
	exit 0
fi
if [ $bad -gt 0 ]; then
	echo "spdx: $bad of $total files lack the license line: run scripts/spdx.sh --fix" >&2
	exit 1
fi
echo "spdx: all $total source, script and build files carry '$ID'"
