#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-reload.sh: xmemd --check-config validates without starting; SIGHUP
# re-reads the configuration file and the policy file (found by name in
# policy_dir), logs what changed and applies it; a bad file is refused with
# its reason and the running configuration kept.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
for b in "$(it_stored_bin)" "$(it_hvsim_bin)" "$(xd_bin_xmemd)" "$(xd_bin_xmem)" "$(xd_bin_balloon)"; do
	[ -x "$b" ] || fail "$b not built"
done
command -v xenstore-read >/dev/null || fail "xenstore-read missing (apt-get install xenstore-utils)"
it_setup
conf=$IT_DIR/run/xmemd.json
pdir=$IT_DIR/policy
log=$IT_DIR/run/xmemd.log
mkdir -p "$pdir"

# write_conf FLOOR: the configuration, naming the policy "xmem" (found in $pdir).
write_conf() {
	printf '{ "floor": "%s", "policy": "xmem", "policy_dir": "%s", "prometheus_file": "%s" }\n' \
		"$1" "$pdir" "$IT_DIR/run/xmem.prom" >"$conf"
}
# write_policy NAME: an xmem policy file with that name.
write_policy() {
	printf '{ "policy": "xmem", "name": "%s", "deadband": "32M" }\n' "$1" >"$pdir/xmem.json"
}
write_conf 256M
write_policy site-a

# --check-config: valid, and says where the policy came from.
out=$("$(xd_bin_xmemd)" --check-config "$conf") || fail "--check-config refused a valid file"
case $out in *"$pdir/xmem.json"*) ;; *) fail "--check-config did not name the policy file: $out" ;; esac
printf '{ "flor": "1G" }\n' >"$IT_DIR/bad.json"
if err=$("$(xd_bin_xmemd)" --check-config "$IT_DIR/bad.json" 2>&1); then
	fail "--check-config accepted an unknown member"
fi
case $err in *'unknown member "flor"'*) ;; *) fail "--check-config's reason: $err" ;; esac
printf '{ "policy": "nosuch", "policy_dir": "%s" }\n' "$pdir" >"$IT_DIR/bad2.json"
err=$("$(xd_bin_xmemd)" --check-config "$IT_DIR/bad2.json" 2>&1) &&
	fail "--check-config accepted an unknown policy name"
case $err in *'policy "nosuch"'*) ;; *) fail "--check-config's reason for the policy: $err" ;; esac

# A host where two guests want more than there is.
xd_host 4G 512M
for g in g1 g2; do
	xd_create $g 1536M 3G 256M 3G 5000 steady:1100M
done
"$(xd_bin_xmemd)" --host "$IT_DIR" --config "$conf" --period-ms 200 \
	--pid-file "$IT_DIR/run/xmemd.pid" --log-file "$log" || fail "xmemd did not start"
it_track_pidfile "$IT_DIR/run/xmemd.pid"
XD_XMEMD_PID=$(cat "$IT_DIR/run/xmemd.pid")
xd_wait 30 "the policy from $pdir/xmem.json" sh -c '[ "$(xenstore-read /tool/xmemd/policy)" = site-a ]'
assert_eq "$(xenstore-read /tool/xmemd/host/floor_kib)" $((256 * 1024)) "floor at start"
xd_rebalances 3

# Reload with a larger floor and a changed policy file: logged and applied.
write_conf 1G
write_policy site-b
kill -HUP "$XD_XMEMD_PID"
xd_wait 30 "the new floor to be published" sh -c \
	"[ \"\$(xenstore-read /tool/xmemd/host/floor_kib)\" = $((1024 * 1024)) ]"
xd_wait 30 "the new policy to be published" sh -c '[ "$(xenstore-read /tool/xmemd/policy)" = site-b ]'
grep -q 'reload: floor 262144 KiB -> 1048576 KiB' "$log" || fail "the floor change was not logged"
grep -q 'reload: policy name "site-a" -> "site-b"' "$log" || fail "the policy change was not logged"
grep -q 'reload: policy deadband' "$log" && fail "an unchanged parameter was logged as changed"
XD_FLOOR_KIB=$((1024 * 1024))
xd_wait 90 "the guests to be squeezed to leave the 1 GiB floor free" xd_free_at_least $((1008 * 1024))

# A broken file is refused with its reason; the running configuration stays.
printf '{ "floor": "1G", ' >"$conf"
kill -HUP "$XD_XMEMD_PID"
xd_wait 30 "the refusal in the log" grep -q 'reload refused, running configuration kept: .*xmemd.json' "$log"
printf '{ "floor": "2G", "policy": "xmem", "policy_dir": "%s" }\n' "$pdir" >"$conf"
printf '{ "policy": "xmem", "deadband_pct": 1000 }\n' >"$pdir/xmem.json"
kill -HUP "$XD_XMEMD_PID"
xd_wait 30 "the refusal of the bad policy" sh -c \
	"[ \$(grep -c 'reload refused, running configuration kept' '$log') -ge 2 ]"
xd_rebalances 3
kill -0 "$XD_XMEMD_PID" 2>/dev/null || fail "xmemd died on a bad file"
assert_eq "$(xenstore-read /tool/xmemd/host/floor_kib)" $((1024 * 1024)) "floor after a refused reload"
assert_eq "$(xenstore-read /tool/xmemd/policy)" site-b "policy after a refused reload"
xd_end

# A clean stop removes the metrics file.
test -s "$IT_DIR/run/xmem.prom" || fail "no metrics file while running"
kill "$XD_XMEMD_PID"
xd_wait 30 "xmemd to stop" sh -c "! kill -0 $XD_XMEMD_PID 2>/dev/null"
[ -e "$IT_DIR/run/xmem.prom" ] && fail "the metrics file stayed after a clean stop"
pass
