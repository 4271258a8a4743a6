#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/xen/syntax.sh: make check's part of the real-Xen harness. The boot
# itself runs from ./run check (tests/xen/run.sh); here every script of the
# harness must parse, and every scenario must follow the contract of
# scenarios/lib.sh (a timeout header, sourcing lib.sh, ending in a verdict).
dir="${XMEM_SRCDIR:-$(dirname "$0")/../..}/tests/xen"
status=0
bad() { echo "syntax.sh: $*" >&2; status=1; }

bash -n "$dir/run.sh" || bad "run.sh does not parse"
# The systemd dom0 is a Debian 12 with bash.
bash -n "$dir/systemd.sh" || bad "systemd.sh does not parse"
bash -n "$dir/systemd/unit-test.sh" || bad "systemd/unit-test.sh does not parse"
[ -f "$dir/bench.sh" ] && { sh -n "$dir/bench.sh" || bad "bench.sh does not parse"; }
# dom0 and the guests run busybox sh; check with it when it is here.
shell=sh
[ -x /bin/busybox ] && shell="/bin/busybox sh"
for f in "$dir/dom0-init.sh" "$dir/domU-init.sh" "$dir"/scenarios/*.sh; do
	$shell -n "$f" || bad "$(basename "$f") does not parse"
done
n=0
for f in "$dir"/scenarios/[0-9]*.sh; do
	n=$((n + 1))
	name=$(basename "$f")
	head -n 5 "$f" | grep -q '^# timeout: *[0-9][0-9]*$' || bad "$name: no '# timeout: SECONDS' in its first lines"
	grep -q '^\. /xmem/scenarios/lib.sh$' "$f" || bad "$name: does not source lib.sh"
	grep -Eq '^[[:space:]]*pass ' "$f" || bad "$name: never passes"
	case $name in
	[0-9][0-9]-*.sh) ;;
	*) bad "$name: not named NN-name.sh" ;;
	esac
done
[ $n -gt 0 ] || bad "no scenarios in $dir/scenarios"
# Each scenario name is unique (they are the verdict keys).
dups=$(for f in "$dir"/scenarios/[0-9]*.sh; do b=$(basename "$f" .sh); echo "${b#*-}"; done | sort | uniq -d)
[ -z "$dups" ] || bad "scenario names used twice: $dups"
exit $status
