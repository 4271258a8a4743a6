#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/stored/run.sh BUILDDIR OUT.json: xmem-stored against a raw Unix-socket
# echo round trip measured in the same run. Environment: STORED_BENCH_NODES
# (default 1000000), STORED_BENCH_WATCHERS (1000), STORED_BENCH_SECONDS (2).
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILDDIR OUT.json}" && pwd)
out=${2:?usage: run.sh BUILDDIR OUT.json}
exec "$build/bench/stored/bench_stored" --stored "$build/tools/stored/xmem-stored" \
	--json "$out" --nodes "${STORED_BENCH_NODES:-1000000}" \
	--watchers "${STORED_BENCH_WATCHERS:-1000}" --seconds "${STORED_BENCH_SECONDS:-2}"
