#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/policy/run.sh BUILDDIR OUT.json: policy_plan() on 10,000 domains
# (goal <= 5 ms), against a plain pass over the same inputs.
set -euo pipefail
build=${1:?usage: bench/policy/run.sh BUILDDIR OUT.json}
out=${2:?usage: bench/policy/run.sh BUILDDIR OUT.json}
bin="$build/bench/policy/bench_policy"
[ -x "$bin" ] || make -C "$build" bench/policy/bench_policy >/dev/null
"$bin" --domains 10000 --rounds 200
"$bin" --domains 10000 --rounds 200 --json >"$out"
