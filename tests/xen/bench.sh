#!/bin/sh
# tests/xen/bench.sh: placeholder until the store benchmark program lands.
. /xmem/scenarios/lib.sh
echo "no store benchmark program built"
exit 1
