#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-vmpolicy.sh: a VM's policy lives with the VM. `xmem mem-policy` has
# xmemd save it under the host's state directory (DIR/state/vm/NAME.json);
# it comes back without any mem-policy call after destroy + create of the
# same name, for a domain created while xmemd was down, and after a host
# restart (store, hypervisor and xmemd started again on the same directory).
# An xmemd restart leaves the running domains' keys alone. The admin's file
# (DIR/domains/NAME.json) wins and mem-policy says so; --forget drops the
# saved file; a bad file is refused with a log line and xmemd keeps running.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require
it_setup
xd_host 4G 512M
xd_xmemd

saved="$IT_DIR/state/vm/g1.json"
mk_g1() { xd_xmem create g1 --memory 512M --maxmem 2G --workload idle >/dev/null || fail "create g1"; }
src_is() { case "$(xd_key g1 memory/policy-source)" in "$1"*) return 0 ;; esac; return 1; }
policy_is() {
	[ "$(xd_key g1 memory/weight)" = "$1" ] && [ "$(xd_key g1 memory/dynamic-min)" = "$2" ] &&
		[ "$(xd_key g1 memory/dynamic-max)" = "$3" ] && [ "$(xd_key g1 memory/buffer)" = "$4" ]
}
stop_xmemd() {
	kill "$XD_XMEMD_PID"
	n=0
	while kill -0 "$XD_XMEMD_PID" 2>/dev/null; do
		n=$((n + 1)); [ $n -ge 100 ] && fail "xmemd did not stop"; sleep 0.1
	done
	rm -f "$IT_DIR/run/xmemd.pid"
}

# A new VM with nothing saved: xmemd looks it up and says so.
mk_g1
xd_wait 30 "xmemd to look g1 up" src_is none
[ -e "$saved" ] && fail "a policy was saved before mem-policy"

# mem-policy: applied and saved, the answer printed.
out=$(xd_xmem mem-policy g1 --min 256M --max 1536M --weight 9000 --buffer 50) ||
	fail "mem-policy g1"
assert_eq "$out" "g1: policy saved $IT_DIR/state/vm/g1.json" "mem-policy's answer"
[ -f "$saved" ] || fail "$saved not written"
# Saved (by xmemd, on the request written with the policy) before the answer came.
grep -q '"weight": 9000' "$saved" || fail "saved file: $(cat "$saved")"
[ -e "$saved.tmp" ] && fail "temporary file left behind"

# destroy + create of the same name: the policy is back, no mem-policy call.
xd_xmem destroy g1 >/dev/null || fail "destroy g1"
mk_g1
xd_wait 30 "g1's saved policy to be applied" src_is "saved $saved"
policy_is 9000 262144 1572864 50 || fail "after re-create: weight $(xd_key g1 memory/weight)" \
	"min $(xd_key g1 memory/dynamic-min) max $(xd_key g1 memory/dynamic-max)"
assert_eq "$(xd_key g1 memory/managed)" 1 "managed after re-create"

# A policy given at create is the domain's: the saved one is not applied over it.
xd_xmem destroy g1 >/dev/null || fail "destroy g1"
xd_xmem create g1 --memory 512M --maxmem 2G --weight 3000 --workload idle >/dev/null ||
	fail "create g1 --weight"
xd_rebalances 5
assert_eq "$(xd_key g1 memory/weight)" 3000 "weight given at create"
assert_eq "$(xd_key g1 memory/policy-source)" given "policy-source of a given policy"
xd_xmem destroy g1 >/dev/null || fail "destroy g1"

# Created while xmemd is down: applied when it starts.
stop_xmemd
mk_g1
xd_xmemd
xd_wait 30 "the policy of g1 created while xmemd was down" src_is saved
policy_is 9000 262144 1572864 50 || fail "created while xmemd was down: weight $(xd_key g1 memory/weight)"

# An xmemd restart keeps the running domain's keys, even ones not saved.
xenstore-write "/local/domain/$(xd_domid g1)/memory/weight" 4321
stop_xmemd
xd_xmemd
xd_rebalances 5
assert_eq "$(xd_key g1 memory/weight)" 4321 "live weight after an xmemd restart"

# Host restart: everything stops; store, hypervisor and xmemd start again on
# the same directory; the VM is created again and gets its saved policy.
stop_xmemd
xd_xmem destroy g1 >/dev/null || fail "destroy g1 before the host restart"
kill "$(cat "$IT_DIR/run/stored.pid")" "$(cat "$IT_DIR/run/hvsim.pid")"
n=0
while [ -S "$IT_DIR/store/socket" ] || [ -S "$IT_DIR/hv/socket" ]; do
	n=$((n + 1)); [ $n -ge 100 ] && fail "store and hypervisor did not stop"; sleep 0.1
done
rm -f "$IT_DIR/run/stored.pid" "$IT_DIR/run/hvsim.pid"
xd_host 4G 512M
xd_xmemd
mk_g1
xd_wait 30 "g1's saved policy after a host restart" src_is "saved $saved"
policy_is 9000 262144 1572864 50 || fail "after a host restart: weight $(xd_key g1 memory/weight)"

# The admin's file wins over the saved one, and mem-policy says so.
mkdir -p "$IT_DIR/domains"
printf '{ "min": "300M", "weight": 7000 }\n' > "$IT_DIR/domains/g1.json"
xd_xmem mem-policy g1 --weight 8000 >/dev/null 2>"$IT_DIR/err" || fail "mem-policy with an admin file"
grep -q "note: $IT_DIR/domains/g1.json (configuration management) sets g1's policy" "$IT_DIR/err" ||
	fail "mem-policy did not say the admin's file wins: $(cat "$IT_DIR/err")"
grep -q '"weight": 8000' "$saved" || fail "saved file: $(cat "$saved")"
xd_xmem destroy g1 >/dev/null || fail "destroy g1"
mk_g1
xd_wait 30 "the admin's policy of g1" src_is "admin $IT_DIR/domains/g1.json"
assert_eq "$(xd_key g1 memory/weight)" 7000 "weight from the admin's file"
assert_eq "$(xd_key g1 memory/dynamic-min)" $((300 * 1024)) "min from the admin's file"
rm -f "$IT_DIR/domains/g1.json"

# --forget: the saved file goes; the next g1 starts with nothing applied.
out=$(xd_xmem mem-policy g1 --forget) || fail "mem-policy --forget"
assert_eq "$out" "g1: policy forgotten $saved" "--forget's answer"
[ -e "$saved" ] && fail "$saved still there after --forget"
out=$(xd_xmem mem-policy g1 --forget) || fail "second --forget"
assert_eq "$out" "g1: policy nothing saved" "second --forget's answer"
xd_xmem destroy g1 >/dev/null || fail "destroy g1"
mk_g1
xd_wait 30 "g1 looked up after --forget" src_is none
assert_eq "$(xd_key g1 memory/weight)" 5000 "weight after --forget"

# A bad saved file: refused with a log line naming it, xmemd keeps running.
printf '{ "weight": "heavy" }\n' > "$saved"
xd_xmem destroy g1 >/dev/null || fail "destroy g1"
mk_g1
xd_wait 30 "g1 looked up with a bad file" src_is none
grep -q "policy file ignored: $saved: weight: expected an integer" "$IT_DIR/run/xmemd.log" ||
	fail "no log line for the bad file"
kill -0 "$XD_XMEMD_PID" || fail "xmemd died on a bad file"

xd_end
pass
