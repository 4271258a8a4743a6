#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/run-all.sh BUILDDIR: run every benchmark (bench/*/run.sh), each printing
# its table with a baseline measured in the same run, then regenerate the
# tables of docs/performance.md from their JSON (bench/update-doc.sh).
set -euo pipefail
build=${1:?usage: bench/run-all.sh BUILDDIR}
top=$(cd "$(dirname "$0")/.." && pwd)
out="$build/bench-results"
mkdir -p "$out"
status=0
for b in "$top"/bench/*/run.sh; do
	[ -x "$b" ] || continue
	name=$(basename "$(dirname "$b")")
	printf '\n==> bench %s\n' "$name"
	"$b" "$build" "$out/$name.json" || { echo "bench $name failed" >&2; status=1; }
done
if [ -x "$top/bench/update-doc.sh" ]; then
	"$top/bench/update-doc.sh" "$out" "$top/docs/performance.md"
fi
exit $status
