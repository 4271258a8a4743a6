#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/xen/systemd.sh --build BUILDDIR --debs DIR --base TARBALL: the xmem
# package as an admin runs it. Boots Debian's Xen 4.17 under QEMU (TCG) with a
# Debian 12 dom0 that runs systemd: a minbase system (TARBALL, the package
# test's debootstrap) with apt's systemd-sysv, xen-utils-4.17 and the xmem
# package of DIR installed, Debian's kernel's Xen modules, nothing started by
# hand. Debian's /etc/init.d/xen (xen.service) brings up the toolstack, the
# installed xmemd.service starts after it, sandboxed as shipped, and
# tests/xen/systemd/unit-test.sh (a oneshot unit after it) checks and breaks
# it. Needs root (chroot, apt) and the images tests/xen/run.sh cached (the
# hypervisor, the kernel package) and built (the guest's initramfs). A second
# guest is a Debian 12 booting systemd with the xmem-guest package of DIR:
# its installed xmem-guestd.service must report to dom0 by itself.
#
# Exit: 0 every step passed, 1 a step failed or something is missing (named
# on stderr), 77 no verdict (QEMU does not run, or the boot never reached the
# test). Prints "PASS|FAIL: xen/systemd-unit detail" and each step's line.
# Environment: XMEM_XEN_CACHE (as tests/xen/run.sh), DEBIAN_MIRROR,
# DEBIAN_SECURITY_MIRROR, XMEM_XEN_TIMEOUT (QEMU wall-clock limit, 900).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build="" debs="" base=""
timeout_s=${XMEM_XEN_TIMEOUT:-900}

usage() { awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "${BASH_SOURCE[0]}"; }
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=${2:?}; shift 2 ;;
	--debs) debs=${2:?}; shift 2 ;;
	--base) base=${2:?}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "systemd.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
[ -n "$build" ] && [ -n "$debs" ] && [ -n "$base" ] ||
	{ echo "systemd.sh: --build, --debs and --base are required" >&2; exit 2; }
build=$(cd "$build" && pwd)
work=$build/xen-tests/systemd
cache=${XMEM_XEN_CACHE:-$build/xen-tests/cache}
root=$work/root
log=$work/serial.log
mounted=()

say() { printf 'xen-systemd: %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; echo "FAIL: xen/systemd-unit $*"; exit 1; }
noverdict() { say "no verdict: $*"; exit 77; }
# shellcheck source=tests/package/debian-root.sh
. "$here/../package/debian-root.sh"
inroot() { droot_in "$root" "$@"; }
cleanup() {
	local rc=$?
	droot_umount
	exit $rc
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "needs root (chroot, apt-get)"
QEMU=${XMEM_XEN_QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null 2>&1 || fail "missing: $QEMU (package qemu-system-x86; ./run deps)"
[ -s "$base" ] || fail "missing: $base (the package test's debootstrap; ./run package-test)"
deb=$(ls "$debs"/xmem_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "missing: xmem_*.deb in $debs (./run package)"
gdeb=$(ls "$debs"/xmem-guest_*.deb 2>/dev/null | head -n 1)
[ -n "$gdeb" ] || fail "missing: xmem-guest_*.deb in $debs (./run package)"
img=$(ls -d "$cache"/img-* 2>/dev/null | head -n 1)
[ -n "$img" ] && [ -f "$img/xen" ] && [ -f "$img/vmlinuz" ] ||
	fail "missing: the Xen images in $cache (run tests/xen/run.sh first)"
kpkg=${img##*/img-}
kdeb=$(ls "$cache/debs/${kpkg}"_*.deb 2>/dev/null | head -n 1)
[ -n "$kdeb" ] || fail "missing: $kpkg's .deb in $cache/debs"
guest_kernel=$img/vmlinux
[ -f "$guest_kernel" ] || guest_kernel=$img/vmlinuz
guest_initrd=$build/xen-tests/domU-initrd.gz
[ -f "$guest_initrd" ] || fail "missing: $guest_initrd (run tests/xen/run.sh first)"
mkdir -p "$work" || fail "cannot create $work"

# build_root ROOT DEB PACKAGES...: Debian 12 from the debootstrap in ROOT, with
# PACKAGES and the package file DEB installed by apt, as an admin would.
build_root() {
	local r=$1 d=$2 u
	shift 2
	say "$(basename "$r"): $(basename "$base") + $* $(basename "$d")"
	droot_unpack "$r" "$base"
	mkdir -p "$r/tmp/debs" && cp "$d" "$r/tmp/debs/"
	droot_apt "$r" "$r.apt.log" "$@" "/tmp/debs/$(basename "$d")"
	droot_in "$r" apt-get clean
	droot_umount
	for u in getty@tty1.service serial-getty@hvc0.service apt-daily.timer apt-daily-upgrade.timer \
		dpkg-db-backup.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
		systemd-pstore.service; do
		ln -sf /dev/null "$r/etc/systemd/system/$u"
	done
	rm -rf "$r"/var/lib/apt/lists/* "$r"/usr/share/doc/* "$r"/usr/share/man/* \
		"$r"/usr/share/locale/* "$r"/tmp/debs
	ln -sf /lib/systemd/systemd "$r/init"
}

# --- a guest: Debian 12 with systemd and the xmem-guest package --------------
groot=$work/guest-root
build_root "$groot" "$gdeb" systemd-sysv
root=$groot inroot systemctl is-enabled xmem-guestd.service >/dev/null 2>&1 ||
	fail "the package did not enable xmem-guestd.service"
echo xmem-guest >"$groot/etc/hostname"
(cd "$groot" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/guest-initrd.gz" ||
	fail "cannot pack the guest's initramfs"

# --- dom0's root: Debian 12 with systemd, Xen's tools and the xmem package ---
build_root "$root" "$deb" systemd-sysv kmod xen-utils-4.17
inroot systemctl is-enabled xmemd.service >/dev/null 2>&1 || fail "the package did not enable xmemd.service"

# The kernel's Xen modules (Debian's xen.service loads them with modprobe).
rm -rf "$work/kmod" && mkdir -p "$work/kmod"
dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$work/kmod" --wildcards \
	'./lib/modules/*/kernel/drivers/xen/*' './lib/modules/*/modules.order' \
	'./lib/modules/*/modules.builtin*' || fail "cannot unpack the Xen modules of $kdeb"
kver=$(ls "$work/kmod/lib/modules")
mkdir -p "$root/usr/lib/modules" && cp -a "$work/kmod/lib/modules/$kver" "$root/usr/lib/modules/" &&
	chroot "$root" depmod "$kver" || fail "depmod $kver"

# What the admin would have: a guest config, xl's no-autoballoon, the node
# exporter's directory; plus the test unit. Units a test boot does not need
# are masked to shorten it.
printf 'autoballoon="off"\n' >"$root/etc/xen/xl.conf"
cp "$guest_kernel" "$root/root/domU-kernel" && cp "$guest_initrd" "$root/root/domU-initrd.gz" &&
	cp "$work/guest-initrd.gz" "$root/root/debian-initrd.gz" && cp "$deb" "$root/root/xmem.deb" ||
	fail "cannot copy the guests' images and the package"
cat >"$root/etc/xen/gd.cfg" <<'EOF'
name="gd"
type="pv"
kernel="/root/domU-kernel"
ramdisk="/root/debian-initrd.gz"
extra="console=hvc0 rdinit=/init quiet loglevel=3"
memory=512
maxmem=768
vcpus=1
EOF
cat >"$root/etc/xen/g1.cfg" <<'EOF'
name="g1"
type="pv"
kernel="/root/domU-kernel"
ramdisk="/root/domU-initrd.gz"
extra="console=hvc0 rdinit=/init quiet loglevel=3"
memory=256
maxmem=512
vcpus=1
EOF
mkdir -p "$root/var/lib/prometheus/node-exporter"
install -m 755 "$here/systemd/unit-test.sh" "$root/usr/local/sbin/xmem-unit-test"
cat >"$root/etc/systemd/system/xmem-unit-test.service" <<'EOF'
[Unit]
Description=xmem's test of the installed xmemd.service
Wants=xmemd.service
After=xmemd.service xen.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/xmem-unit-test
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/xmem-unit-test.service "$root/etc/systemd/system/multi-user.target.wants/"
ln -sf /dev/null "$root/etc/systemd/system/xendomains.service"
echo xmem-dom0 >"$root/etc/hostname"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/dom0-initrd.gz" ||
	fail "cannot pack dom0's initramfs"
say "dom0 initramfs: $(du -h "$work/dom0-initrd.gz" | cut -f1) ($(du -sh "$root" | cut -f1) unpacked)"

# --- boot --------------------------------------------------------------------
xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 bootscrub=0 loglvl=warning guest_loglvl=warning"
dom0_cmdline="console=hvc0 earlyprintk=xen loglevel=4 systemd.show_status=1"
say "booting Xen with a systemd dom0 (timeout ${timeout_s}s, serial log $log)"
t0=$(date +%s)
qrc=0
timeout --kill-after=10 "$timeout_s" "$QEMU" -accel tcg,thread=multi -cpu "${XMEM_XEN_CPU:-qemu64,+svm}" \
	-m "${XMEM_XEN_MEM:-3072}" -smp 2 -display none -no-reboot -monitor none -serial stdio \
	-kernel "$img/xen" -append "$xen_cmdline" \
	-initrd "$img/vmlinuz $dom0_cmdline,$work/dom0-initrd.gz" </dev/null >"$log" 2>"$work/qemu.err" || qrc=$?
tr -d '\r' <"$log" >"$log.clean" && mv "$log.clean" "$log"
say "QEMU exited with $qrc after $(($(date +%s) - t0))s"

grep -ao 'XMEM-UNIT \(ok\|FAIL\) .*' "$log" | sed 's/^XMEM-UNIT /  /' >&2
res=$(grep -ao 'XMEM-UNIT-RESULT .*' "$log" | tail -n 1)
if [ -z "$res" ]; then
	grep -aq 'Xen version\|__  __' "$log" || { cat "$work/qemu.err" >&2; noverdict "Xen never printed its banner (QEMU rc $qrc)"; }
	grep -aq 'XMEM-MARK UNIT-TEST-START' "$log" || { tail -n 40 "$log" >&2; noverdict "the boot never reached the test (QEMU rc $qrc)"; }
	tail -n 40 "$log" >&2
	fail "no result (QEMU rc $qrc)"
fi
set -- $res
verdict=$2
shift 2
case $verdict in
pass) echo "PASS: xen/systemd-unit $*" ;;
*) tail -n 60 "$log" >&2; echo "FAIL: xen/systemd-unit $*"; exit 1 ;;
esac
