#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# timeout: 600
# xmem create on a real Xen host, and a VM's policy that outlives its domain.
# `xmem create g5.cfg` has xmemd free and hold the startup memory, runs
# xl create -p, gives the reservation to the new domain, waits for xmemd to
# look the VM's policy up, and unpauses it. mem-policy saves g5's policy;
# after `xl destroy g5` and a second `xmem create g5.cfg` the same policy is
# back (applied by xmemd when the domain appeared) without any mem-policy
# call, and the reservation was consumed both times.
. /xmem/scenarios/lib.sh
. /xmem/config
need_prog xmemd xmem
# The fixture guests are not needed: g5 is this scenario's own.

r=/run/xmem
mkdir -p $r/state $r/domains
cat >$r/xmemd-vm.json <<JSON
{ "state_dir": "$r/state", "domains_dir": "$r/domains", "prometheus_file": "" }
JSON
export XMEM_STATE_DIR=$r/state XMEM_DOMAINS_DIR=$r/domains
xmemd_stop_all
xmemd --config $r/xmemd-vm.json --floor 64M --period-ms 1000 --pid-file $r/xmemd-vm.pid \
	--log-file $r/xmemd-vm.log -v 2>$r/xmemd-vm.err ||
	fail "xmemd does not start: $(cat $r/xmemd-vm.err) $(tail -n 3 $r/xmemd-vm.log 2>/dev/null)"
stop_xmemd() { xmemd_stop_all; }
trap stop_xmemd EXIT

guest_cfg g5 256 512
no_resv() { [ -z "$(xenstore-list /tool/xmemd/reservation 2>/dev/null)" ]; }
running() { xl list g5 2>/dev/null | awk 'NR == 2 { exit ($5 ~ /p/) }'; }
key() { xenstore-read /local/domain/$(domid_of g5)/memory/$1 2>/dev/null; }

# First start: nothing saved.
xmem create $r/g5.cfg >$r/create1.out 2>&1 || fail "xmem create g5.cfg: $(cat $r/create1.out)"
log "$(cat $r/create1.out)"
grep -q "^created g5 (domid [0-9]*): 256 MiB, policy none" $r/create1.out ||
	fail "first create printed: $(cat $r/create1.out)"
running || fail "g5 is paused after xmem create: $(xl list g5)"
[ "$(xl_mem g5)" -ge 254 ] || fail "g5 holds $(xl_mem g5) MiB, want 256"
wait_until 120 no_resv || fail "the startup reservation was not consumed: $(xenstore-list /tool/xmemd/reservation)"

# The policy, saved by xmemd.
xmem mem-policy g5 --min 192M --max 448M --weight 9000 --buffer 50 --managed on >$r/pol.out 2>&1 ||
	fail "mem-policy g5: $(cat $r/pol.out)"
grep -q "g5: policy saved $r/state/vm/g5.json" $r/pol.out || fail "mem-policy said: $(cat $r/pol.out)"

# xl destroy, then xmem create again: the policy is back on its own.
xl destroy g5 || fail "xl destroy g5"
rm -f $r/domid-g5
xmem create $r/g5.cfg >$r/create2.out 2>&1 || fail "second xmem create: $(cat $r/create2.out)"
log "$(cat $r/create2.out)"
grep -q "policy saved $r/state/vm/g5.json" $r/create2.out || fail "second create printed: $(cat $r/create2.out)"
running || fail "g5 is paused after the second create"
[ "$(key weight)" = 9000 ] || fail "weight $(key weight) after re-create, want 9000"
[ "$(key dynamic-min)" = $((192 * 1024)) ] || fail "dynamic-min $(key dynamic-min)"
[ "$(key dynamic-max)" = $((448 * 1024)) ] || fail "dynamic-max $(key dynamic-max)"
[ "$(key buffer)" = 50 ] || fail "buffer $(key buffer)"
[ "$(key managed)" = 1 ] || fail "managed $(key managed)"
wait_until 120 no_resv || fail "the second startup reservation was not consumed"

xmem destroy g5 >$r/destroy.out 2>&1 || fail "xmem destroy g5: $(cat $r/destroy.out)"
xl list g5 >/dev/null 2>&1 && fail "g5 still exists after xmem destroy"
pass "xmem create started g5 unpaused from its reservation; after xl destroy and a second xmem create its saved policy (weight 9000, 192..448 MiB, buffer 50) was back without mem-policy"
