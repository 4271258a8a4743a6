#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mem-set, mem-max and mem-policy on a simulated host: what xl does (target,
# hypervisor cap, videoram, static-max, dom0's floor), the pin of a managed
# domain, policy validation, and that a refused change writes nothing.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
. "$XMEM_SRCDIR/tests/integration/cli-lib.sh"
cli_host 8G

cli_dom0_keys
expect 0 create web1 --memory 1G --maxmem 4G
expect 0 mem-policy web1 --managed off
D=/local/domain/1/memory

# The hypervisor's cap of domain $1 in KiB, from list --json.
hv_max() {
	"$XMEM" list "$1" --json | sed -n 's/.*"hv_max_kib": \([0-9]*\).*/\1/p'
}

# A refused command must leave the key tree and the hypervisor as they were.
refused() {
	local msg=$1 before_hv
	shift
	tree_snapshot "$IT_DIR/before"
	before_hv=$(hv_max web1)
	expect 1 "$@"
	one_line_error "$msg"
	tree_snapshot "$IT_DIR/after"
	diff -u "$IT_DIR/before" "$IT_DIR/after" >&2 || fail "xmem $* wrote to the key tree"
	assert_eq "$(hv_max web1)" "$before_hv" "xmem $* changed the hypervisor's cap"
}

# mem-set as xl: target written, maxmem = target + videoram + 1 MiB; a bare number is MiB.
dmin=$(key $D/dynamic-min)
expect 0 mem-set web1 2048
[ ! -s "$OUT" ] || fail "mem-set of an unmanaged domain printed: $(cat "$OUT")"
assert_eq "$(key $D/target)" 2097152 "target after mem-set"
assert_eq "$(hv_max web1)" $((2097152 + 1024)) "maxmem after mem-set"
assert_eq "$(key $D/dynamic-min)" "$dmin" "an unmanaged domain is not pinned"
assert_eq "$(key "$(key /local/domain/1/vm)/memory")" 2048 "/vm/<uuid>/memory in MiB, as libxl"
expect 0 mem-set 1 1536M
assert_eq "$(key $D/target)" 1572864 "mem-set by domid"
xenstore-write $D/videoram 8192 || fail "write"
expect 0 mem-set web1 1G
assert_eq "$(key $D/target)" $((1048576 - 8192)) "target excludes videoram"
assert_eq "$(hv_max web1)" $((1048576 + 1024)) "maxmem includes videoram"
refused "above domain web1's static-max (4096 MiB): raise it first with 'xmem mem-max web1 SIZE'" \
	mem-set web1 5G
refused "below domain web1's video memory" mem-set web1 4M
xenstore-rm $D/videoram
refused "unknown domain 'nosuch'" mem-set nosuch 1G
refused "bad size '1.5G'" mem-set web1 1.5G

# dom0 keeps at least 128 MiB.
expect 1 mem-set Domain-0 100M
one_line_error "dom0 needs at least 128 MiB"
assert_eq "$(key /local/domain/0/memory/target)" 1048576 "dom0's target after a refusal"
expect 0 mem-set 0 512M
assert_eq "$(key /local/domain/0/memory/target)" 524288 "dom0's target"

# A managed domain is pinned where mem-set puts it, and xmem says so.
expect 0 mem-policy web1 --managed on --min 512M --max 3G
expect 0 mem-set web1 1536M
grep -q "web1 is managed by xmemd: pinned at 1536 MiB" "$OUT" || fail "no pin notice: $(cat "$OUT")"
assert_eq "$(key $D/target) $(key $D/dynamic-min) $(key $D/dynamic-max)" \
	"1572864 1572864 1572864" "pinned"
expect 0 mem-set web1 1G --json
grep -q '"pinned": true' "$OUT" || fail "mem-set --json: $(cat "$OUT")"
grep -q '"maxmem_kib": 1049600' "$OUT" || fail "mem-set --json: $(cat "$OUT")"

# mem-max as xl: static-max written, cap = max + 1 MiB; never below the target or dynamic-max.
expect 0 mem-policy web1 --max 3G
expect 0 mem-max web1 3G
assert_eq "$(key $D/static-max)" 3145728 "static-max"
assert_eq "$(hv_max web1)" $((3145728 + 1024)) "cap after mem-max"
refused "below domain web1's target (1024 MiB): lower the target first with 'xmem mem-set web1 SIZE'" \
	mem-max web1 512M
refused "below domain web1's dynamic-max (3072 MiB): lower it first with 'xmem mem-policy web1 --max SIZE'" \
	mem-max web1 2G
expect 0 mem-max web1 4G

# mem-policy: one transaction of exactly the keys given, checked as it will be.
expect 0 mem-policy web1 --min 512M --max 3G --startup 1G --weight 9000 --buffer 30 --managed on
[ ! -s "$OUT" ] || fail "mem-policy printed: $(cat "$OUT")"
assert_eq "$(key $D/dynamic-min) $(key $D/dynamic-max) $(key $D/startup) $(key $D/weight) $(key $D/buffer) $(key $D/managed)" \
	"524288 3145728 1048576 9000 30 1" "policy keys"
expect 0 mem-policy web1
cat >"$IT_DIR/want" <<EOT
domain                : web1 (1)
managed               : on
min                   : 512
max                   : 3072
startup               : 1024
target                : 1024
static_max            : 4096
boot_max              : 4096
hotplug               : no
weight                : 9000
buffer_pct            : 30
balloon               : auto
EOT
diff -u "$IT_DIR/want" "$OUT" >&2 || fail "mem-policy's report"
expect 0 mem-policy web1 --weight 100 --json
grep -q '"weight": 100' "$OUT" || fail "mem-policy --json: $(cat "$OUT")"
refused "domain web1: min (3584 MiB) is above max (3072 MiB): give min <= max" \
	mem-policy web1 --min 3584M --weight 1
refused "domain web1: max (8192 MiB) is above the domain's static-max (4096 MiB)" \
	mem-policy web1 --max 8G
refused "domain web1: startup (256 MiB) is below min (512 MiB)" mem-policy web1 --startup 256M
refused "--weight 20000 is out of range" mem-policy web1 --weight 20000 --min 1G
refused "unknown domain 'web9'" mem-policy web9 --weight 1
# The balloon setting: memory/balloon, shown with xmemd's judgement once published.
expect 0 mem-policy web1 --balloon no
assert_eq "$(key $D/balloon)" no "memory/balloon"
xenstore-write /tool/xmemd/domain/1/balloon no || fail "write"
expect 0 mem-policy web1
grep -q '^balloon  *: no (xmemd: no)$' "$OUT" || fail "mem-policy's balloon line: $(cat "$OUT")"
expect 0 --json mem-policy web1 --balloon auto
grep -q '"balloon_mode": "auto"' "$OUT" || fail "mem-policy --json balloon_mode: $(cat "$OUT")"
refused "--balloon: 'maybe' is not yes, no or auto" mem-policy web1 --balloon maybe
assert_eq "$(key $D/balloon)" auto "memory/balloon after a refused change"

# Concurrent changes: each is one transaction (retried on EAGAIN), so every one
# succeeds and the result is exactly one of them, never a mix.
pids=""
for i in 1 2 3 4 5 6 7 8; do
	"$XMEM" mem-policy web1 --min $((i * 100 + 100))M --max $((1024 + i * 256))M --weight $i >/dev/null 2>"$IT_DIR/err.$i" &
	pids="$pids $!"
done
for p in $pids; do wait "$p" || fail "a concurrent mem-policy failed: $(cat "$IT_DIR"/err.*)"; done
w=$(key $D/weight)
assert_eq "$(key $D/dynamic-min) $(key $D/dynamic-max)" "$(((w * 100 + 100) * 1024)) $(((1024 + w * 256) * 1024))" \
	"min, max and weight from one command (weight $w)"
it_check_store
pass
