# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/package/debian-root.sh: a Debian 12 root as an admin's machine has it,
# from the package test's minbase debootstrap, with packages installed by apt.
# Sourced by tests/package/chroot.sh and tests/xen/systemd.sh. The caller
# defines fail MSG (it does not return) and the array mounted, and unmounts
# what mounted lists when it exits.

# droot_in ROOT CMD...: run CMD in ROOT, with a clean environment.
droot_in() {
	local r=$1
	shift
	chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"
}

# droot_unpack ROOT TARBALL: ROOT afresh from TARBALL, with /proc, /sys and /dev
# mounted (appended to mounted), the host's resolver, and apt's archives: a
# Debian 12 as installed has its updates and security archives too (the
# packages are built against their libraries). MIRROR and SECURITY_MIRROR:
# DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR, or Debian's.
droot_unpack() {
	local r=$1 tarball=$2
	local mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
	local security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

	rm -rf "$r" && mkdir -p "$r" && tar -C "$r" -xf "$tarball" || fail "cannot unpack $tarball"
	mount -t proc proc "$r/proc" && mounted+=("$r/proc") || fail "cannot mount $r/proc"
	mount -t sysfs sysfs "$r/sys" && mounted+=("$r/sys") || fail "cannot mount $r/sys"
	mount --bind /dev "$r/dev" && mounted+=("$r/dev") || fail "cannot mount $r/dev"
	cp /etc/resolv.conf "$r/etc/resolv.conf"
	printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
		"$mirror" "$mirror" "$security" >"$r/etc/apt/sources.list"
}

# droot_apt ROOT LOG PACKAGE...: apt-get update, then install PACKAGEs (names,
# or package files under ROOT given by their path inside it) with what they
# depend on and nothing recommended; apt's output into LOG.
droot_apt() {
	local r=$1 log=$2
	shift 2
	droot_in "$r" apt-get update -qq >"$log" 2>&1 || { tail -n 20 "$log" >&2; fail "apt-get update"; }
	droot_in "$r" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"$@" >>"$log" 2>&1 || { tail -n 40 "$log" >&2; fail "apt-get install in $(basename "$r")"; }
}

# droot_umount: unmount what mounted lists, last first, and empty it.
droot_umount() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
	done
	mounted=()
}
