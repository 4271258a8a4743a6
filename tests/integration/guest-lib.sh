# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/integration/guest-lib.sh: helpers of the guest-*.sh tests (sourced
# after lib.sh).

it_guest_bin() { echo "$XMEM_BUILDDIR/guest/$1"; }
GUEST_FIXTURES="$XMEM_SRCDIR/tests/fixtures/guestd"

# Read a key of the privileged tree (empty when absent).
xsr() { xenstore-read "$1" 2>/dev/null || true; }

# Wait until key $1 reads $2 (up to $3 seconds, default 20); fail with $4.
wait_key() {
	local n=0 max=$(( ${3:-20} * 10 )) v
	while :; do
		v=$(xsr "$1")
		[ "$v" = "$2" ] && return 0
		[ $n -ge $max ] && fail "${4:-$1}: got '$v', want '$2' after ${3:-20} s"
		sleep 0.1; n=$((n + 1))
	done
}

# tot_pages of domain $1 in the simulated hypervisor.
hv_tot_pages() {
	it_hvq list | awk -v d="$1" '$1 == d {print $2}'
}

# Check the simulated hypervisor's invariants.
it_check_hv() {
	it_hvq check >/dev/null ||
		fail "hypervisor invariant broken: $(it_hvq check 2>&1)"
}

# Make guest domain $1 named $2 with static-max $3 KiB and target $4 KiB, as
# libxl does, through lib/simdom: the hypervisor domain (maxmem = static-max +
# 1 MiB, no boot pages: the guest's balloon populates up to its target, and
# the target is claimed for it meanwhile), its keys with libxl's permissions,
# and the introduction to the store.
it_make_guest() {
	"$XMEM_BUILDDIR/tests/integration/it-mkdomain" --host "$IT_DIR" "$1" "$2" "$3" "$4" ||
		fail "it-mkdomain $1"
	it_wait_socket "$IT_DIR/store/domain/$1/socket"
}

# The same keys and introduction for a domain the hypervisor has already
# (after the store restarted): the hypervisor is left alone.
it_make_guest_keys() {
	"$XMEM_BUILDDIR/tests/integration/it-mkdomain" "$1" "$2" "$3" "$4" || fail "it-mkdomain $1 (keys)"
}

# Start xmem-balloon for domain $1 with workload $2 (extra arguments passed on).
it_start_balloon() {
	local domid=$1 spec=$2; shift 2
	"$(it_guest_bin balloon/xmem-balloon)" --host "$IT_DIR" --domid "$domid" \
		--workload "$spec" --pid-file "$IT_DIR/run/balloon-$domid.pid" \
		--log-file "$IT_DIR/run/balloon-$domid.log" -v "$@" ||
		fail "xmem-balloon $domid did not start"
	it_track_pidfile "$IT_DIR/run/balloon-$domid.pid"
}
