#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The soak test for 60 s (tests/soak/soak.sh: a hostile guest, a careless
# admin and kill -9 of every daemon on a 16-guest simulated host, sampled
# every 100 ms). `./run soak MINUTES` runs it longer.
SOAK_SECONDS=${SOAK_SECONDS:-60} exec bash "$XMEM_SRCDIR/tests/soak/soak.sh"
