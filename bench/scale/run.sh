#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/scale/run.sh BUILDDIR OUT.json: xmemd on 1,000 keys-only domains against
# 16 in the same run (bench/scale/bench_scale.c). Environment: SCALE_DOMAINS
# (default 16,1000), SCALE_TRIALS (10), SCALE_IDLE_S (5).
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILDDIR OUT.json}" && pwd)
out=${2:?usage: run.sh BUILDDIR OUT.json}
exec "$build/bench/scale/bench_scale" --bindir "$build" --json "$out" \
	--domains "${SCALE_DOMAINS:-16,1000}" --trials "${SCALE_TRIALS:-10}" \
	--idle-s "${SCALE_IDLE_S:-5}"
