#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/xen/run.sh --build BUILDDIR [options]: boot Debian's Xen 4.17 with a
# Debian Linux dom0 under QEMU (TCG), start 3 PV guests, run the scenarios of
# tests/xen/scenarios/ in dom0 against the real hypervisor, the real xenstored
# and the guests' real balloon drivers, and read their verdicts back over the
# serial console.
#
# Exit: 0 every scenario that ran passed, 1 a scenario failed or something
# the harness needs is missing (a package, a program, a download: named on
# stderr), 77 no verdict: this machine cannot run QEMU, or runs it too slowly
# for the boot to reach the scenarios. The no-verdict reason is also written
# to BUILDDIR/xen-tests/no-verdict (./run check's last line shows it). One line per scenario on stdout: "PASS|FAIL|SKIP: xen/<name> detail".
#
# Options:
#   --build DIR     build dir holding the project's binaries (required)
#   --only A,B      run only these scenarios (names without the number prefix)
#   --debs DIR      take xmem's programs and /etc/xmem from the Debian packages in
#                   DIR (./run package; unpacked with dpkg-deb -x) instead of the
#                   build tree (which still gives the test helpers)
#   --bench         run tests/xen/bench.sh in dom0 instead of the scenarios;
#                   its JSON goes to DIR/xen-tests/bench.json
#   --timeout S     QEMU wall-clock limit (default $XMEM_XEN_TIMEOUT or 1020; dom0 keeps
#                   90 s of it to report, and scenarios it cuts short skip)
#   --no-guests     do not start the guest fixture (scenarios needing it skip)
#   -h, --help
# Environment: XMEM_XEN_CACHE (image cache, default DIR/xen-tests/cache),
# XMEM_XEN_BOOT_LIMIT (seconds for dom0's toolstack to come up, 240; a boot
# that hangs before is killed and tried once more),
# XMEM_XEN_MEM (QEMU MiB, 3072), XMEM_XEN_CPU (qemu64,+svm; with -cpu max processes in
# PV guests segfault now and then under TCG),
# XMEM_XEN_KERNEL_PKG (linux-image package, default: what linux-image-amd64
# depends on).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=""
only=""
debs=""
mode=test
timeout_s=${XMEM_XEN_TIMEOUT:-1020}
guests=1

usage() { awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "${BASH_SOURCE[0]}"; }

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=${2:?--build needs a directory}; shift 2 ;;
	--build=*) build=${1#--build=}; shift ;;
	--only) only=${2:?}; shift 2 ;;
	--debs) debs=${2:?--debs needs a directory}; shift 2 ;;
	--bench) mode=bench; shift ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--no-guests) guests=0; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
[ -n "$build" ] || { echo "run.sh: --build BUILDDIR is required" >&2; exit 2; }
[ -d "$build" ] || { echo "run.sh: no build directory '$build'" >&2; exit 2; }
build=$(cd "$build" && pwd)

work="$build/xen-tests"
cache=${XMEM_XEN_CACHE:-$work/cache}
mkdir -p "$work" "$cache" || { echo "run.sh: cannot create $work" >&2; exit 1; }
rm -f "$work/no-verdict"
log="$work/serial.log"
t_start=$(date +%s)

say() { printf 'xen-tests: %s\n' "$*" >&2; }
# The machine cannot run QEMU (well enough): no verdict, with the reason.
noverdict() { say "no verdict: $*"; printf '%s\n' "$*" >"$work/no-verdict"; exit 77; }
# Something the harness needs is not here: a failure that names it.
missing() { say "FAIL: missing: $*"; exit 1; }
# The harness could not build what it boots: a failure.
broken() { say "FAIL: $*"; exit 1; }

# --- prerequisites -----------------------------------------------------------
XEN_BIN=/usr/lib/xen-4.17/bin
QEMU=${XMEM_XEN_QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null 2>&1 || missing "$QEMU (package qemu-system-x86; ./run deps)"
"$QEMU" --version >/dev/null 2>&1 || noverdict "$QEMU does not run"
for f in "$XEN_BIN/xl" "$XEN_BIN/xenstored" "$XEN_BIN/xenconsoled" "$XEN_BIN/xen-init-dom0" \
	/usr/bin/xenstore /bin/busybox; do
	[ -x "$f" ] || missing "$f (packages xen-utils-4.17, xenstore-utils, busybox-static; ./run deps)"
done
for c in cpio gzip dpkg-deb ldd timeout; do
	command -v $c >/dev/null 2>&1 || missing "$c"
done
# busybox must be static: it is the only shell of dom0 and the guests.
if ldd /bin/busybox >/dev/null 2>&1; then
	missing "a static /bin/busybox (package busybox-static)"
fi

# --- Debian packages: downloaded and unpacked, never installed ---------------
# fetch PKG: make sure $cache/debs holds PKG's .deb; prints its path.
fetch() {
	local pkg=$1 deb
	mkdir -p "$cache/debs"
	deb=$(ls "$cache/debs/${pkg}"_*.deb 2>/dev/null | head -n1)
	if [ -z "$deb" ]; then
		(cd "$cache/debs" && apt-get download "$pkg" >"$cache/debs/$pkg.download.log" 2>&1)
		deb=$(ls "$cache/debs/${pkg}"_*.deb 2>/dev/null | head -n1)
	fi
	[ -n "$deb" ] || return 1
	printf '%s\n' "$deb"
}

kpkg=${XMEM_XEN_KERNEL_PKG:-}
if [ -z "$kpkg" ]; then
	kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
fi
if [ -z "$kpkg" ]; then
	# Offline and no apt lists: use whatever kernel is already cached.
	kdeb=$(ls "$cache/debs"/linux-image-[0-9]*.deb 2>/dev/null | head -n1)
	[ -n "$kdeb" ] || missing "a linux-image package name (apt-cache depends linux-image-amd64 found none; run apt-get update) and none cached"
	kpkg=$(basename "$kdeb"); kpkg=${kpkg%%_*}
fi

img="$cache/img-$kpkg"
IMG_FORMAT=2 # bump when what is cached changes
if [ "$(head -n1 "$img/stamp" 2>/dev/null)" != "format $IMG_FORMAT" ]; then
	say "building boot images from xen-hypervisor-4.17-amd64 and $kpkg"
	rm -rf "$img" && mkdir -p "$img/x" "$img/modules" || broken "cannot create $img"
	xdeb=$(fetch xen-hypervisor-4.17-amd64) || missing "xen-hypervisor-4.17-amd64 (apt-get download failed, see $cache/debs)"
	kdeb=$(fetch "$kpkg") || missing "$kpkg (apt-get download failed, see $cache/debs)"
	dpkg-deb -x "$xdeb" "$img/x" || broken "cannot unpack $xdeb"
	dpkg-deb -x "$kdeb" "$img/x" || broken "cannot unpack $kdeb"
	xgz=$(ls "$img"/x/boot/xen-4.17-amd64.gz 2>/dev/null | head -n1)
	[ -n "$xgz" ] || broken "no /boot/xen-*.gz in $xdeb"
	zcat "$xgz" >"$img/xen" || broken "cannot decompress $xgz"
	cp "$img"/x/boot/vmlinuz-* "$img/vmlinuz" || broken "no vmlinuz in $kdeb"
	# The guests boot the bare ELF kernel: building a PV guest from the
	# bzImage makes dom0 unpack its xz payload for every xl create, which
	# takes seconds under TCG. (Keep the bzImage if the payload is not xz.)
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$img/vmlinuz" 2>/dev/null | head -n1 | cut -d: -f1)
	if [ -n "$off" ] && tail -c +$((off + 1)) "$img/vmlinuz" | xz -dc --single-stream >"$img/vmlinux" 2>/dev/null &&
		[ "$(head -c 4 "$img/vmlinux" | tr -d '\0')" = "$(printf '\177ELF')" ]; then
		:
	else
		rm -f "$img/vmlinux"
	fi
	for m in xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc; do
		f=$(find "$img/x/lib/modules" -name "$m.ko*" | head -n1)
		[ -n "$f" ] || broken "module $m not in $kdeb"
		case $f in
		*.xz) xz -dc "$f" >"$img/modules/$m.ko" ;;
		*.zst) zstd -dqc "$f" >"$img/modules/$m.ko" ;;
		*) cp "$f" "$img/modules/$m.ko" ;;
		esac || broken "cannot unpack module $m"
	done
	rm -rf "$img/x"
	printf 'format %s\nbuilt %s\n' $IMG_FORMAT "$(date -u +%FT%TZ)" >"$img/stamp"
fi

# --- initramfs trees ---------------------------------------------------------
# add_elf ROOT FILE [DEST]: copy an executable and every library ldd lists.
add_elf() {
	local root=$1 f=$2 dest=${3:-$2} lib
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$f" "$root$dest" || return 1
	ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		[ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; }
	done
}

# is_elf FILE: an ELF executable (not a libtool wrapper or a script).
is_elf() { [ -f "$1" ] && [ -x "$1" ] && [ "$(head -c 4 "$1" | tr -d '\0')" = "$(printf '\177ELF')" ]; }

base_tree() {
	local root=$1 a
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,proc,sys,dev,run,tmp,root,etc,var,lib64}
	cp /bin/busybox "$root/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
	add_elf "$root" /usr/bin/xenstore
	for a in read write ls list rm exists chmod watch; do
		ln -sf xenstore "$root/usr/bin/xenstore-$a"
	done
	# glibc dlopens libgcc_s for pthread_cancel; ldd does not list it.
	for a in /lib/x86_64-linux-gnu/libgcc_s.so.1 /usr/lib/x86_64-linux-gnu/libgcc_s.so.1; do
		if [ -e "$a" ]; then mkdir -p "$root$(dirname "$a")"; cp -L "$a" "$root$a"; break; fi
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
}

# With --debs: the packages' files, unpacked as dpkg would install them.
pkgroot=""
if [ -n "$debs" ]; then
	pkgroot="$work/debs-root"
	rm -rf "$pkgroot"
	mkdir -p "$pkgroot"
	for p in xmem xmem-guest xmem-sim; do
		f=$(ls "$debs/${p}_"*.deb 2>/dev/null | head -n 1)
		[ -n "$f" ] || { echo "run.sh: no ${p}_*.deb in $debs (./run package)" >&2; exit 2; }
		dpkg-deb -x "$f" "$pkgroot" || { echo "run.sh: cannot unpack $f" >&2; exit 2; }
	done
fi

# Project binaries: every xmem* program (built, or the packages' with --debs)
# and the bench/test helpers.
project_bins() {
	local f
	if [ -n "$pkgroot" ]; then
		set -- "$pkgroot"/usr/bin/xmem* "$pkgroot"/usr/sbin/xmem*
	else
		set -- "$build"/tools/*/xmem* "$build"/guest/*/xmem-*
	fi
	for f in "$@" "$build"/tests/xen/xs-* "$build"/bench/*/bench_* "$build"/bench/*/bench-*; do
		is_elf "$f" && printf '%s\n' "$f"
	done
}

rm -rf "$work/domU-root" "$work/dom0-root"
# domU: busybox, the xenstore client, the guest agent, a command loop on xenstore.
droot="$work/domU-root"
base_tree "$droot" || broken "cannot build the guest tree"
install -m 755 "$here/domU-init.sh" "$droot/init"
guestd=("$build"/guest/*/xmem-guestd)
[ -n "$pkgroot" ] && guestd=("$pkgroot/usr/sbin/xmem-guestd")
for f in "${guestd[@]}"; do
	is_elf "$f" && add_elf "$droot" "$f" "/usr/local/bin/$(basename "$f")"
done
(cd "$droot" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/domU-initrd.gz" ||
	broken "cannot pack the guest initramfs"

# dom0: the Xen toolstack of the host, the kernel modules, the guest images,
# the project's binaries and the scenarios.
root="$work/dom0-root"
base_tree "$root" || broken "cannot build the dom0 tree"
for f in xl xenstored xenconsoled xen-init-dom0 libxl-save-helper xenconsole xenstore-control; do
	[ -x "$XEN_BIN/$f" ] && add_elf "$root" "$XEN_BIN/$f"
done
mkdir -p "$root/lib/modules" "$root/etc/xen" "$root/xmem/scenarios" "$root/xmem/bin"
cp "$img"/modules/*.ko "$root/lib/modules/"
if [ -f "$img/vmlinux" ]; then
	cp "$img/vmlinux" "$root/root/domU-kernel"
else
	cp "$img/vmlinuz" "$root/root/domU-kernel"
fi
cp "$work/domU-initrd.gz" "$root/root/domU-initrd.gz"
printf 'autoballoon="off"\n' >"$root/etc/xen/xl.conf"
install -m 755 "$here/dom0-init.sh" "$root/init"
cp "$here"/scenarios/*.sh "$root/xmem/scenarios/"
# The packages' configuration and policy files, where xmemd looks by default.
[ -n "$pkgroot" ] && cp -a "$pkgroot/etc/xmem" "$root/etc/xmem"
[ -f "$here/bench.sh" ] && install -m 755 "$here/bench.sh" "$root/xmem/bench.sh"
: >"$root/xmem/programs"
for f in $(project_bins); do
	add_elf "$root" "$f" "/usr/local/bin/$(basename "$f")" || broken "cannot copy $f"
	basename "$f" >>"$root/xmem/programs"
done
{
	echo "mode=$mode"
	echo "only=$only"
	echo "guests=$guests"
	# dom0's share of the QEMU limit (seconds of dom0 uptime), leaving time
	# to print the summary and power off.
	echo "budget=$((timeout_s - 90))"
} >"$root/xmem/config"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/dom0-initrd.gz" ||
	broken "cannot pack the dom0 initramfs"

# Scenarios that will run (names without the NN- prefix and .sh).
expected=()
for f in "$here"/scenarios/[0-9]*.sh; do
	n=$(basename "$f" .sh); n=${n#*-}
	if [ -n "$only" ] && ! printf ',%s,' "$only" | grep -q ",$n,"; then continue; fi
	expected+=("$n")
done
[ "$mode" = bench ] && expected=(bench)
say "images ready in $(( $(date +%s) - t_start ))s; programs: $(tr '\n' ' ' <"$root/xmem/programs")"

# --- boot --------------------------------------------------------------------
mem=${XMEM_XEN_MEM:-3072}
cpu=${XMEM_XEN_CPU:-qemu64,+svm}
xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=768M,max:768M dom0_max_vcpus=2 bootscrub=0 loglvl=warning guest_loglvl=warning"
dom0_cmdline="console=hvc0 earlyprintk=xen loglevel=4"
qemu_cmd=("$QEMU" -accel tcg,thread=multi -cpu "$cpu" -m "$mem" -smp 2
	-display none -no-reboot -monitor none -serial stdio
	-kernel "$img/xen" -append "$xen_cmdline"
	-initrd "$img/vmlinuz $dom0_cmdline,$work/dom0-initrd.gz")
printf '%q ' "${qemu_cmd[@]}" >"$work/qemu-cmdline.txt"; echo >>"$work/qemu-cmdline.txt"

# boot_once: run QEMU to the end; returns its status, or 200 when dom0's
# toolstack did not come up within boot_limit seconds (QEMU is then killed).
# Under TCG a boot very rarely hangs early in dom0's kernel (seen once, after
# "Poking KASLR using RDTSC..."): such a boot is retried rather than left to
# run out the whole timeout.
boot_limit=${XMEM_XEN_BOOT_LIMIT:-240}
boot_once() {
	local pid waited=0 up=0 rc=0
	timeout --kill-after=10 "$timeout_s" "${qemu_cmd[@]}" </dev/null >"$log" 2>"$work/qemu.err" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ $up = 0 ] && grep -aq 'XMEM-MARK TOOLSTACK-READY' "$log"; then
			up=1
		elif [ $up = 0 ] && [ $waited -ge "$boot_limit" ]; then
			kill "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			return 200
		fi
		sleep 2
		waited=$((waited + 2))
	done
	wait "$pid" || rc=$?
	return $rc
}

say "booting Xen under QEMU (timeout ${timeout_s}s, serial log $log)"
for attempt in 1 2; do
	t_boot=$(date +%s)
	qrc=0
	boot_once || qrc=$?
	t_end=$(date +%s)
	[ $qrc -eq 200 ] || break
	say "attempt $attempt: dom0's toolstack not up after ${boot_limit}s; last console line: $(tr -d '\r' <"$log" | grep -av '^ *$' | tail -n1)"
	[ $attempt = 1 ] && cp "$log" "$work/serial-hung.log" && say "booting again (the hung boot's log: $work/serial-hung.log)"
done
say "QEMU exited with $qrc after $((t_end - t_boot))s"
tr -d '\r' <"$log" >"$log.clean" 2>/dev/null && mv "$log.clean" "$log"

if ! grep -aq '__  __' "$log" && ! grep -aq 'Xen version' "$log"; then
	cat "$work/qemu.err" >&2
	noverdict "Xen never printed its banner (QEMU rc $qrc)"
fi
if ! grep -aq 'XMEM-MARK TOOLSTACK-READY' "$log"; then
	tail -n 40 "$log" >&2
	noverdict "dom0's toolstack never came up (QEMU rc $qrc)"
fi

# --- verdicts ----------------------------------------------------------------
# The last XMEM-RESULT line per scenario wins (dom0 repeats them in a summary
# block at the end, in case a line on the console got interleaved).
npass=0 nfail=0 nskip=0
for n in "${expected[@]}"; do
	line=$(grep -ao "XMEM-RESULT $n \(pass\|fail\|skip\)\b.*" "$log" | tail -n1)
	verdict=$(printf '%s' "$line" | awk '{print $3}')
	detail=$(printf '%s' "$line" | cut -d' ' -f4-)
	case $verdict in
	pass) npass=$((npass + 1)); echo "PASS: xen/$n $detail" ;;
	skip) nskip=$((nskip + 1)); echo "SKIP: xen/$n $detail" ;;
	fail) nfail=$((nfail + 1)); echo "FAIL: xen/$n $detail" ;;
	*)
		nfail=$((nfail + 1))
		if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
			echo "FAIL: xen/$n no result: QEMU timed out after ${timeout_s}s"
		else
			echo "FAIL: xen/$n no result (QEMU rc $qrc)"
		fi
		;;
	esac
done
if [ "$mode" = bench ]; then
	sed -n '/^XMEM-BENCH-JSON-BEGIN/,/^XMEM-BENCH-JSON-END/p' "$log" | sed '1d;$d' >"$work/bench.json"
	[ -s "$work/bench.json" ] && say "bench JSON: $work/bench.json"
fi
say "$npass passed, $nfail failed, $nskip skipped in $((t_end - t_start))s (serial log: $log)"
if [ $nfail -gt 0 ]; then
	grep -a 'XMEM-\(FAIL\|MARK\)' "$log" | tail -n 30 >&2
	exit 1
fi
[ $nskip -eq 0 ] || noverdict "$nskip of ${#expected[@]} scenarios did not finish (slow host, or --no-guests): see SKIP above"
[ $npass -gt 0 ] || noverdict "no scenario finished"
exit 0
