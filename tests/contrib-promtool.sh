#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# contrib-promtool.sh: the Prometheus alerting rules are valid (promtool check
# rules) and each alert fires on the series it is for, and only there
# (promtool test rules with contrib/prometheus/xmem-alerts.test.yml).
: "${XMEM_SRCDIR:?run through make check}"
command -v promtool >/dev/null || { echo "FAIL: promtool missing (apt-get install prometheus)" >&2; exit 1; }
cd "$XMEM_SRCDIR/contrib/prometheus" || exit 1
promtool check rules xmem-alerts.yml || exit 1
promtool test rules xmem-alerts.test.yml || exit 1
