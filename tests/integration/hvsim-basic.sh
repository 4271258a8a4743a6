#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# hvsim-basic.sh: xmem-hvsim's privileged and per-domain sockets, through
# `xmem-hvsim --query` (lib/hv.h): physinfo, create/destroy with their
# sockets, list, maxmem below tot_pages, claims, the three reservation ops
# with their short counts, ownership, and the invariant after each scenario.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup

# 1 GiB host: 262144 pages; Xen 16 MiB = 4096; dom0 256 MiB = 65536.
it_start_hvsim 1G --xen-overhead 16M --dom0 256M
HV="$IT_DIR/hv"
q() { it_hvq "$@"; }
check() { q check >/dev/null || fail "invariant broken: $(q check 2>&1)"; }

assert_eq "$(q physinfo)" "total_pages 262144
free_pages 192512
outstanding_pages 0" "physinfo at start"
assert_eq "$(q list | awk 'NR==2 {print $1, $2, $3}')" "0 65536 65536" "dom0 exists from the start"
[ -S "$HV/domain/0/socket" ] || fail "dom0 has no socket"
check
# A second daemon on the same directory refuses to start and leaves the first alone.
"$(it_hvsim_bin)" --rundir "$HV" --memory 1G --foreground 2>"$IT_DIR/second.err" &&
	fail "a second xmem-hvsim started on $HV"
grep -q "already running on .*(pid [0-9]*)" "$IT_DIR/second.err" || fail "second daemon: $(cat "$IT_DIR/second.err")"
q ping || fail "the first daemon lost its socket"

# Create: the domain, its initial pages and its socket.
q create 5 20000 10000 || fail "create d5"
[ -S "$HV/domain/5/socket" ] || fail "d5 has no socket"
assert_eq "$(q list | awk '$1 == 5 {print $2, $3, $4}')" "10000 20000 0" "d5 in the list"
assert_eq "$(q physinfo | sed -n 2p)" "free_pages 182512" "free after create"
q create 5 10 10 2>/dev/null && fail "creating d5 twice succeeded"
q create 32752 10 10 2>/dev/null && fail "created a reserved domid"
q create 6 10 300000 2>/dev/null && fail "initial pages above max_pages accepted"
q create 6 300000 300000 2>/dev/null && fail "created a domain larger than free memory"
check

# Reservation ops as d5: counts, frames, short counts.
assert_eq "$(q --as 5 reservation)" "current 10000
maximum 20000" "d5 reservation"
out=$(q --as 5 increase 4 0) || fail "increase"
set -- $out
assert_eq "$1" 4 "increase 4 order 0"
shift
frames="$*"
assert_eq "$(q --as 5 decrease 0 $frames)" 4 "decrease the frames just given"
assert_eq "$(q --as 5 decrease 0 $frames)" 0 "decrease frames no longer owned"
assert_eq "$(q --as 5 increase 1 10 | cut -d' ' -f1)" 0 "order 10 refused for a guest"
assert_eq "$(q --as 5 increase 2 9 | cut -d' ' -f1)" 2 "order 9 allowed"
# Frame 0 belongs to Xen: not d5's to give back.
assert_eq "$(q --as 5 decrease 0 0)" 0 "decrease a frame owned by Xen"
# max_pages 20000, tot_pages 11024: 8976 more fit, then a short count.
assert_eq "$(q --as 5 populate 9000 0 | cut -d' ' -f1)" 8976 "short count at max_pages"
assert_eq "$(q --as 5 reservation | head -n1)" "current 20000" "d5 at its max"
check

# maxmem may go below tot_pages; allocations then fail.
q maxmem 5 40000 || fail "maxmem below tot_pages"
assert_eq "$(q list | awk '$1 == 5 {print $2, $3}')" "20000 10000" "maxmem below tot_pages"
assert_eq "$(q --as 5 increase 1 0 | cut -d' ' -f1)" 0 "allocation above a lowered max"
q maxmem 5 400000 || fail "maxmem up"
q maxmem 77 400000 2>/dev/null && fail "maxmem of a missing domain"
check

# Claims: absolute, bounded by max_pages, one at a time, 0 cancels.
q claim 5 20000 2>/dev/null && fail "claim not above tot_pages accepted"
q claim 5 100001 2>/dev/null && fail "claim above max_pages accepted"
q claim 5 60000 || fail "claim 60000"
assert_eq "$(q physinfo | sed -n 3p)" "outstanding_pages 40000" "claim is absolute"
q claim 5 70000 2>/dev/null && fail "a second active claim accepted"
q create 7 200000 0 || fail "create d7"
# Free is 192512 - 20000 (d5) = 172512, minus 40000 claimed: d7 gets 132512 at most.
assert_eq "$(q --as 7 populate 140000 0 | cut -d" " -f1)" 132512 "others' claims are off limits"
assert_eq "$(q --as 5 increase 1000 0 | cut -d' ' -f1)" 1000 "the claimer allocates"
assert_eq "$(q list | awk '$1 == 5 {print $4}')" 39000 "allocation consumes the claim"
q claim 5 0 || fail "cancel the claim"
assert_eq "$(q physinfo | sed -n 3p)" "outstanding_pages 0" "claim cancelled"
check

# Destroy: frames back, claim dropped, socket gone; dom0 stays.
q claim 5 60000 || fail "claim again"
q destroy 5 || fail "destroy d5"
[ -e "$HV/domain/5" ] && fail "d5's socket directory survived"
assert_eq "$(q physinfo | sed -n 3p)" "outstanding_pages 0" "claim dropped at destroy"
q destroy 5 2>/dev/null && fail "destroyed d5 twice"
q destroy 0 2>/dev/null && fail "destroyed dom0"
q destroy 7 || fail "destroy d7"
assert_eq "$(q physinfo)" "total_pages 262144
free_pages 192512
outstanding_pages 0" "physinfo back to the start"
check

# State flags: reported in the list, logged, nothing else changes.
q create 8 100 10 || fail "create d8"
q pause 8 || fail "pause d8"
q shutdown 8 || fail "shutdown d8"
assert_eq "$(q --json list | grep -o '"domid":8,[^}]*')" \
	'"domid":8,"tot_pages":10,"max_pages":100,"outstanding_pages":0,"dying":false,"shutdown":true,"paused":true' \
	"d8 paused and shut down"
q unpause 8 || fail "unpause d8"
assert_eq "$(q list | awk '$1 == 8 {print $5}')" "0x2" "d8 unpaused, still shut down"
q pause 9 2>/dev/null && fail "paused a missing domain"
grep -q "d8 paused" "$IT_DIR/run/hvsim.log" || fail "pause not logged"
q destroy 8 || fail "destroy d8"
check

# A guest socket cannot use privileged ops; the privileged one cannot balloon.
q --as 0 list 2>/dev/null && fail "list through a domain socket"
q increase 1 0 2>/dev/null && fail "increase through the privileged socket"
grep -q "d5 created" "$IT_DIR/run/hvsim.log" || fail "creation not logged"
grep -q "d5 destroyed" "$IT_DIR/run/hvsim.log" || fail "destruction not logged"
check
pass
