#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/package/chroot.sh DEBS WORK: the Debian packages on a fresh Debian 12.
#
# Makes a minbase Debian 12 chroot with debootstrap (cached as a tarball in
# WORK/cache; DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR override the mirrors), installs the packages in
# DEBS with apt (which resolves their dependencies), lists what they
# installed, runs systemd-analyze verify and security on the installed units,
# validates the installed configuration with xmemd --check-config, and starts
# the installed xmemd, with its installed configuration and policy, on a
# simulated host made of the installed xmem-sim programs. Needs root.
set -euo pipefail

debs=${1:?usage: chroot.sh DEBS WORK}
work=${2:?usage: chroot.sh DEBS WORK}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$work/root
mounted=()

say() { printf 'package-test: %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
# shellcheck source=tests/package/debian-root.sh
. "$(dirname "${BASH_SOURCE[0]}")/debian-root.sh"
# inroot CMD...: run in the chroot, with a clean environment.
inroot() { droot_in "$root" "$@"; }

cleanup() {
	local rc=$? f
	for f in "$root"/tmp/host/run/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
	done
	sleep 1
	for f in "$root"/tmp/host/run/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
	done
	droot_umount
	[ $rc -ne 0 ] && [ -f "$root/tmp/host/run/xmemd.log" ] && tail -n 30 "$root/tmp/host/run/xmemd.log" >&2
	exit $rc
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || fail "debootstrap missing (apt-get install debootstrap)"
compgen -G "$debs/xmem_*.deb" >/dev/null || fail "no xmem_*.deb in $debs (./run package)"

# The chroot: debootstrap once, then a fresh copy of the cached tarball each run.
cache=$work/cache/bookworm-minbase.tar
if [ ! -s "$cache" ]; then
	say "debootstrap bookworm from $mirror (cached in $cache)"
	rm -rf "$work/cache/bookworm.tmp"
	mkdir -p "$work/cache"
	debootstrap --variant=minbase bookworm "$work/cache/bookworm.tmp" "$mirror" \
		>"$work/cache/debootstrap.log" 2>&1 || { tail -n 20 "$work/cache/debootstrap.log" >&2; fail "debootstrap"; }
	tar -C "$work/cache/bookworm.tmp" -cf "$cache.tmp" . && mv "$cache.tmp" "$cache"
	rm -rf "$work/cache/bookworm.tmp"
fi
droot_unpack "$root" "$cache"
mkdir -p "$root/tmp/debs"
for f in "$debs"/*.deb; do
	case $f in *-dbgsym_*) ;; *) cp "$f" "$root/tmp/debs/" ;; esac
done

# Install: apt resolves the packages' dependencies from the mirror.
say "apt-get install the packages"
pkgs=()
for f in "$root"/tmp/debs/*.deb; do
	pkgs+=("/tmp/debs/${f##*/}")
done
droot_apt "$root" "$work/apt.log" "${pkgs[@]}" systemd man-db
for p in xmem xmem-guest xmem-sim; do
	inroot dpkg-query -W -f='${Status} ${Version}\n' "$p" | grep -q '^install ok installed' ||
		fail "$p is not installed"
	say "$p installs:"
	inroot dpkg -L "$p" | grep -v '/$' | while read -r f; do [ -d "$root$f" ] || echo "  $f"; done >&2
done
for f in /usr/sbin/xmemd /usr/bin/xmem /lib/systemd/system/xmemd.service /etc/xmem/xmemd.json \
	/etc/xmem/policy/xmem.json /usr/share/man/man8/xmemd.8.gz /usr/sbin/xmem-guestd \
	/lib/systemd/system/xmem-guestd.service /usr/sbin/xmem-stored /usr/sbin/xmem-hvsim \
	/usr/bin/xmem-balloon /usr/bin/xmem-simhost /usr/bin/xmem-eval; do
	[ -e "$root$f" ] || fail "$f not installed"
done
conffiles=$(inroot dpkg-query -W -f='${Conffiles}\n' xmem)
for f in /etc/xmem/xmemd.json /etc/xmem/policy/xmem.json; do
	grep -q " $f " <<<"$conffiles" || fail "$f is not a conffile"
done

# The installed units.
say "systemd-analyze verify"
# Any message (an unknown setting, a missing unit or program) is a failure.
msgs=$(inroot systemd-analyze verify /lib/systemd/system/xmemd.service \
	/lib/systemd/system/xmem-guestd.service 2>&1) || fail "systemd-analyze verify: $msgs"
[ -z "$msgs" ] || fail "systemd-analyze verify: $msgs"
for u in xmemd xmem-guestd; do
	level=$(inroot systemd-analyze security --offline=true "/lib/systemd/system/$u.service" 2>&1 |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	[ -n "$level" ] || fail "no exposure level for $u.service"
	say "systemd-analyze security $u.service: $level"
	awk -v l="$level" 'BEGIN { exit !(l <= 4.0) }' || fail "$u.service exposure $level > 4.0"
done

# The installed configuration, and xmemd on a simulated host.
out=$(inroot xmemd --check-config) || fail "xmemd --check-config: $out"
say "$out"
grep -q '/etc/xmem/policy/xmem.json' <<<"$out" || fail "the installed policy file is not used"
h=/tmp/host
mkdir -p "$root$h/run" "$root/var/lib/prometheus/node-exporter"
inroot xmem-stored --rundir $h/store --pid-file $h/run/stored.pid --log-file $h/run/stored.log ||
	fail "xmem-stored did not start"
inroot xmem-hvsim --rundir $h/hv --memory 4G --dom0 512M --pid-file $h/run/hvsim.pid \
	--log-file $h/run/hvsim.log || fail "xmem-hvsim did not start"
inroot xmem --host $h create g1 --memory 768M --maxmem 2G --min 256M --max 2G \
	--workload steady:400M >/dev/null || fail "xmem create"
inroot xmemd --host $h --pid-file $h/run/xmemd.pid --log-file $h/run/xmemd.log ||
	fail "the installed xmemd did not start"
grep -q 'policy xmem (/etc/xmem/policy/xmem.json)' "$root$h/run/xmemd.log" ||
	fail "xmemd did not run with the installed policy"
prom=/var/lib/prometheus/node-exporter/xmem.prom
for i in $(seq 100); do
	[ -s "$root$prom" ] && grep -q 'xmem_domain_target_bytes{domid="1",name="g1"}' "$root$prom" && break
	sleep 0.2
done
grep -q '^xmemd_up 1' "$root$prom" || fail "no metrics in $prom"
inroot xmem --host $h list >&2 || fail "xmem list"
inroot xmem --host $h info | grep -q running || fail "xmem info does not show xmemd running"
kill "$(cat "$root$h/run/xmemd.pid")"
for i in $(seq 100); do [ -e "$root$h/run/xmemd.pid" ] || break; sleep 0.1; done
[ -e "$root$prom" ] && fail "the metrics file stayed after xmemd stopped"
say "PASS"
