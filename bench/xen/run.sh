#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/xen/run.sh BUILDDIR OUT.json: the key-tree benchmark in a real Xen
# dom0 under QEMU, against the real xenstored and against xmem-stored side by
# side in one boot (tests/xen/run.sh --bench, tests/xen/bench.sh). When QEMU
# or the Debian packages cannot be had, it says so and writes nothing.
set -uo pipefail
build=$(cd "${1:?usage: bench/xen/run.sh BUILDDIR OUT.json}" && pwd)
out=${2:?usage: bench/xen/run.sh BUILDDIR OUT.json}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rc=0
"$top/tests/xen/run.sh" --build "$build" --bench || rc=$?
if [ $rc -eq 77 ]; then
	echo "bench xen: no verdict (QEMU or packages unavailable): skipped" >&2
	exit 0
fi
[ $rc -eq 0 ] && [ -s "$build/xen-tests/bench.json" ] || { echo "bench xen: failed (rc $rc)" >&2; exit 1; }
cp "$build/xen-tests/bench.json" "$out"
