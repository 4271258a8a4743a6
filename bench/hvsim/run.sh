#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/hvsim/run.sh BUILDDIR OUT.json: xmem-hvsim's balloon rate (1 and 16
# guests, 512-frame batches) and memory per simulated TiB, each against a
# baseline from the same run (raw socket round trips; a 1 GiB host's RSS).
set -euo pipefail
build=${1:?usage: bench/hvsim/run.sh BUILDDIR OUT.json}
out=${2:?usage: bench/hvsim/run.sh BUILDDIR OUT.json}
bin="$build/bench/hvsim/bench_hvsim"
hvsim="$build/tools/hvsim/xmem-hvsim"
[ -x "$bin" ] || make -C "$build" bench/hvsim/bench_hvsim >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-hvsim.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$bin" "$hvsim" "$work" "$out" "${BENCH_SECONDS:-3}"
