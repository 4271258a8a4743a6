#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-agents.sh: one simulated guest of each kind on one host: xmem-guestd
# (gx), XenServer's xe-guest-utilities (ge, its 60 s pass shortened to 1 s),
# Qubes' meminfo-writer (gq), the kernel's balloon driver alone (gn), and a
# domain that nothing runs (nob, pages allocated, no balloon: an HVM guest
# without PV drivers). xmemd follows demand where a guest reports it (each
# source named), holds the startup size where it does not, finds that gn
# balloons and nob does not (a probe not followed, undone), and a reservation
# squeezes every driven guest within its bounds while nob is left alone. The
# sum of allocations never exceeds host memory minus the floor.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
xd_require
it_setup
xd_host 6G 512M
xd_watch_floor
MIB=1024

# Every guest: startup 512 MiB, 256 MiB..1.5 GiB, static-max 2 GiB.
for g in "gx xmem steady:600M" "gq qubes steady:600M" "gn none steady:100M"; do
	set -- $g
	xd_xmem create "$1" --memory 512M --maxmem 2G --min 256M --max 1536M --agent "$2" \
		--workload "$3" >/dev/null || fail "xmem create $1 --agent $2"
done
# The XenServer agent at a 1 s pass (its -i), started by hand for the shorter period.
xd_xmem create ge --memory 512M --maxmem 2G --min 256M --max 1536M >/dev/null || fail "xmem create ge"
ge=$(xd_domid ge)
"$(xd_bin_balloon)" --host "$IT_DIR" --domid "$ge" --workload steady:600M \
	--agent xe-guest-utilities --agent-period-ms 1000 --pid-file "$IT_DIR/run/balloon-ge.pid" \
	--log-file "$IT_DIR/run/balloon-ge.log" || fail "xmem-balloon for ge"
it_track_pidfile "$IT_DIR/run/balloon-ge.pid"
xd_libxl_dom 9 nob 512 0
printf '{ "policy": "xmem", "uncoop_after_s": 5 }\n' >"$IT_DIR/run/policy.json"
xd_xmemd --policy "$IT_DIR/run/policy.json"

src() { xenstore-read "/tool/xmemd/domain/$(xd_domid "$1")/demand_source" 2>/dev/null; }
bal() { xenstore-read "/tool/xmemd/domain/$(xd_domid "$1")/balloon" 2>/dev/null; }
src_is() { [ "$(src "$1")" = "$2" ]; }
bal_is() { [ "$(bal "$1")" = "$2" ]; }

# What each guest writes: exactly its agent's keys.
gq=$(xd_domid gq)
gn=$(xd_domid gn)
xd_wait 30 "ge's agent to report" xenstore-read "/local/domain/$ge/data/updated"
xenstore-read "/local/domain/$ge/data/xmem/seq" >/dev/null 2>&1 && fail "ge wrote xmem-guestd's keys"
xenstore-read "/local/domain/$ge/data/balloon/state" >/dev/null 2>&1 && fail "ge wrote data/balloon"
grep -q "cannot write control/feature-balloon" "$IT_DIR/run/balloon-ge.log" ||
	fail "ge's feature-balloon write was not refused (libxl's permissions)"
xd_wait 30 "gq's meminfo-writer to report" sh -c "[ -n \"\$(xenstore-read /local/domain/$gq/memory/meminfo)\" ]"
[ -z "$(xenstore-ls "/local/domain/$gn/data" 2>/dev/null)" ] || fail "gn wrote under data/: $(xenstore-ls "/local/domain/$gn/data")"

# Each demand source is named.
xd_wait 30 "gx's source" src_is gx xmem-guestd
xd_wait 30 "ge's source" src_is ge xe-guest-utilities
xd_wait 30 "gq's source" src_is gq qubes
xd_wait 30 "gn's source" src_is gn none
"$(xd_bin_xmem)" --host "$IT_DIR" --json list ge >"$IT_DIR/ge.json" || fail "xmem list ge"
grep -q '"demand_source": "xe-guest-utilities"' "$IT_DIR/ge.json" || fail "list: $(cat "$IT_DIR/ge.json")"
grep -q '"demand_age_s": [0-9]' "$IT_DIR/ge.json" || fail "list has no demand_age_s: $(cat "$IT_DIR/ge.json")"

# Balloons: gn's allocation followed its target (it populated its boot memory
# through its balloon); nob's did not follow a probe, which is undone.
xd_wait 30 "gn found ballooning" bal_is gn yes
xd_wait 60 "nob found without a balloon" bal_is nob no
assert_eq "$(xenstore-read /local/domain/9/memory/target)" $((512 * MIB)) "nob's target after its probe"
assert_eq "$(xd_cur nob)" $((512 * MIB)) "nob's allocation"
grep -q "domain 9 (nob) has no balloon" "$IT_DIR/run/xmemd.log" || fail "nob's verdict not logged"

# Demand followed where reported (about 0.7 GiB used with the guest kernel); startup held where not.
for g in gx ge gq; do
	xd_wait 60 "$g's target to follow its demand" xd_target_at_least $g $((700 * MIB))
	xd_wait 60 "$g to settle" xd_settled $g
done
xd_rebalances 5
assert_eq "$(xd_key gn memory/target)" $((512 * MIB)) "gn (silent) kept at startup"
# ge's demand is its agent's used memory (MemTotal - MemAvailable) in allocation
# terms, with the 120 s source's larger buffer (40%): its target covers that.
total=$(xenstore-read "/local/domain/$ge/data/meminfo_total")
free_ge=$(xenstore-read "/local/domain/$ge/data/meminfo_free")
[ "$(xd_key ge memory/target)" -ge $(( (total - free_ge) * 14 / 10 )) ] ||
	fail "ge's target $(xd_key ge memory/target) below its used $((total - free_ge)) KiB x 1.4"

# A reservation that needs memory from every driven guest: free memory above the
# floor, every reporter's target above its demand (buffers and remembered peaks
# go first), and 96 MiB of the silent gn's startup (its need, shared by weight).
dem() { xenstore-read "/tool/xmemd/domain/$(xd_domid "$1")/demand_kib"; }
extra=0
for g in gx ge gq; do
	t=$(xd_key $g memory/target); d=$(dem $g)
	[ "$t" -gt "$d" ] || fail "$g's target $t is not above its demand $d"
	extra=$((extra + t - d))
done
size=$(( $(xd_free_kib) - XD_FLOOR_KIB - 8 * MIB + extra + 96 * MIB ))
xd_reserve agents "$size"
xd_wait 120 "the reservation to be granted" xd_resv_is agents granted
# Each reporter comes down to its demand (as of its latest report: ge's and gq's
# come every few seconds, so a plan may briefly use the one before).
at_demand() { local t d; t=$(xd_key $1 memory/target); d=$(dem $1); [ "$t" -le $((d + d / 20 + 8 * MIB)) ]; }
for g in gx ge gq; do
	it_wait 30 "$g to keep no more than its demand (at the grant: target $(xd_key $g memory/target), demand $(dem $g))" at_demand $g
	t=$(xd_key $g memory/target)
	[ "$t" -ge $((256 * MIB)) ] || fail "$g squeezed below its minimum: $t"
done
t=$(xd_key gn memory/target)
[ "$t" -lt $((512 * MIB)) ] && [ "$t" -ge $((256 * MIB)) ] || fail "gn (silent) not squeezed within its bounds: $t"
for g in gx ge gq gn; do
	xd_wait 60 "$g to reach its squeezed target" xd_settled $g
done
assert_eq "$(xenstore-read /local/domain/9/memory/target)" $((512 * MIB)) "nob left alone by the reservation"
assert_eq "$(xd_cur nob)" $((512 * MIB)) "nob's allocation under the reservation"
xd_wait 30 "the reserved memory to be free" xd_free_at_least $((size + XD_FLOOR_KIB))
xd_end
pass
