# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/integration/simhost-common.sh: sourced by the simhost-*.sh tests after lib.sh.
SIMHOST="$XMEM_BUILDDIR/tools/simhost/xmem-simhost"

# Fail, naming it, unless every daemon a simulated host runs is built.
simhost_need_daemons() {
	local b
	[ -x "$SIMHOST" ] || fail "$SIMHOST not built"
	for b in tools/stored/xmem-stored tools/hvsim/xmem-hvsim guest/balloon/xmem-balloon \
		tools/xmemd/xmemd; do
		[ -x "$XMEM_BUILDDIR/$b" ] || missing "$b (not built: make)"
	done
}

# Processes (any program) whose command line names $IT_DIR.
simhost_procs() {
	local p
	for p in /proc/[0-9]*; do
		[ -r "$p/cmdline" ] || continue
		tr '\0' '\n' < "$p/cmdline" 2>/dev/null | grep -q "^$IT_DIR\(/\|\$\)" || continue
		grep -q '^State:[[:space:]]*Z' "$p/status" 2>/dev/null && continue
		echo "${p#/proc/}"
	done
}

# Sockets left under $IT_DIR.
simhost_sockets() { find "$IT_DIR" -type s 2>/dev/null; }

# Domain id of guest $1 on the running host.
simhost_domid() {
	local d
	for d in $(XENSTORED_PATH="$IT_DIR/store/socket" xenstore-list /local/domain); do
		if [ "$(XENSTORED_PATH="$IT_DIR/store/socket" xenstore-read "/local/domain/$d/name" 2>/dev/null)" = "$1" ]; then
			echo "$d"; return 0
		fi
	done
	return 1
}

# Stop the host whatever happened (installed by simhost_setup).
simhost_cleanup() {
	"$SIMHOST" stop --dir "$IT_DIR" >/dev/null 2>&1 || true
}

simhost_setup() {
	it_setup
	# Run the host's stop before lib.sh's cleanup removes the directory.
	trap 'simhost_rc=$?; simhost_cleanup; (exit $simhost_rc); it_cleanup' EXIT
}
